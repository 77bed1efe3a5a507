"""/workstreams/<id> shows each measure's SPC verdict in words beside its icon, the
same verdict `workstreams.measure_spc` gives, with the RAG labelled as a
latest-quarter target comparison and the limits in the chart's table."""

from __future__ import annotations

import json

import plotly

from data_access import workstreams
from data_access.scope import SYSTEM
from tests.data_access.test_workstreams import _lancashire_ids
from tests.web_helpers import component_text


def test_page_shows_the_data_layer_verdict_in_words(loaded_sqlite_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import workstream

    monkeypatch.setattr(workstream, "current_scope", lambda: SYSTEM)
    workstream_id = _lancashire_ids()["First 1000 Days"]
    _, _, content = workstream.show_workstream(workstream_id)
    text = component_text(content)
    verdicts = workstreams.measure_spc(scope=SYSTEM, workstream_id=workstream_id)
    assert verdicts
    for verdict in verdicts.values():
        assert verdict["variation_words"] in text
        if verdict["assurance_words"]:
            assert verdict["assurance_words"] in text
    assert "Latest quarter against target" in text
    assert "How change is judged against normal variation" in text
    payload = json.dumps(content, cls=plotly.utils.PlotlyJSONEncoder)
    assert "Upper process limit" in payload and "Lower process limit" in payload
