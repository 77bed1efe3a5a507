"""The /workstreams list and /workstreams/<id> detail callbacks as plain functions:
what each role sees (a lead's own workstream first), RAG in words with the rule
text, completeness and returns, and clear messages for unknown or out-of-scope
workstreams."""

from __future__ import annotations

import json

import plotly
import pytest

from data_access import workstreams
from data_access.scope import SYSTEM, Scope
from data_access.statistics import RAG_RULE_TEXT
from tests.web_helpers import component_text as _text
from tests.web_helpers import dash_components

LANCASHIRE = "E23000003"
AVON = "E23000036"
BOARD = Scope(role="viewer", area_codes=frozenset({AVON}))


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


@pytest.fixture
def pages_(loaded_sqlite_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import workstream
    from pages import workstreams as listing

    def as_user(scope):
        monkeypatch.setattr(listing, "current_scope", lambda: scope)
        monkeypatch.setattr(workstream, "current_scope", lambda: scope)

    as_user(SYSTEM)
    return listing, workstream, as_user


def _ids(area=LANCASHIRE):
    table = workstreams.workstream_list(scope=SYSTEM, area_code=area)
    return dict(zip(table["name"], table["workstream_id"], strict=True))


def test_layouts_are_cheap(pages_):
    listing, detail, _ = pages_
    assert '"E23000003"' in _json(listing.layout(area=LANCASHIRE))
    assert '"7"' in _json(detail.layout(workstream_id="7"))
    assert listing.layout() is not None and detail.layout() is not None


def test_list_shows_each_workstream_with_rag_words_and_returns(pages_):
    listing, _, _ = pages_
    out = listing.show_workstreams(LANCASHIRE)
    text, raw = _text(out), _json(out)
    table = workstreams.workstream_list(scope=SYSTEM, area_code=LANCASHIRE)
    for row in table.itertuples():
        assert row.name in text
        assert f"/workstreams/{row.workstream_id}" in raw
        assert f"{row.received_returns} of {row.expected_returns}" in text
    assert "Green" in text and "Amber" in text and "Red" in text
    assert RAG_RULE_TEXT["lower_is_better"] in text
    assert "Returns are counted as at 22 November 2025" in text  # VRU_AS_AT
    assert "the latest quarter any workstream has returned is 2025/26 Q2" in text


def test_a_lead_sees_their_own_workstream_first(pages_):
    listing, _, as_user = pages_
    own = _ids()["Prisons and Prisoner's Families"]
    as_user(Scope(role="lead", area_codes=frozenset({LANCASHIRE}), workstream_id=own))
    text = _text(listing.show_workstreams(None))
    assert text.index("Your workstream") < text.index("Prisons and Prisoner's Families")
    assert text.index("Prisons and Prisoner's Families") < text.index("First 1000 Days")
    assert "Other workstreams in Lancashire (5)" in text


def test_a_viewer_sees_only_their_vru_and_is_refused_others(pages_):
    listing, detail, as_user = pages_
    as_user(BOARD)
    text = _text(listing.show_workstreams(None))
    assert "Spoke: Bristol VRU" in text and "First 1000 Days" not in text
    assert "outside your access" in _text(listing.show_workstreams(LANCASHIRE))
    title, crumb, content = detail.show_workstream(str(_ids()["First 1000 Days"]))
    assert title == "Workstream outside your access"
    assert "outside your access" in _text(content)


def test_detail_shows_measures_against_targets_and_returns(pages_):
    _, detail, _ = pages_
    ws_id = _ids()["Accident and Emergency Navigators"]
    title, crumb, content = detail.show_workstream(str(ws_id))
    assert title == crumb == "Accident and Emergency Navigators"
    text = _text(content)
    status = workstreams.measure_status(scope=SYSTEM, workstream_id=ws_id)
    for row in status.itertuples():
        assert row.name in text
        assert row.rag_label in text  # RAG in words, never colour alone
        assert row.rag_rule in text
        assert f"{row.received} of {row.expected} quarterly returns received" in text
    assert "Next return due 31 January 2026" in text
    assert "Quarterly returns" in text and "Not yet due" in text
    assert "Head of Safeguarding" in text


def test_detail_for_unknown_ids_says_so(pages_):
    _, detail, _ = pages_
    for bad in ("999999", "abc", None):
        title, _, content = detail.show_workstream(bad)
        assert title == "Workstream not found"
        assert "There is no workstream with the id" in _text(content)


def test_a_viewer_sees_small_counts_as_stars(pages_):
    _, detail, as_user = pages_
    as_user(Scope(role="viewer", area_codes=frozenset({LANCASHIRE})))
    ws_id = _ids()["Accident and Emergency Navigators"]
    trends = workstreams.measure_trends(
        scope=Scope(role="viewer", area_codes=frozenset({LANCASHIRE})),
        workstream_id=ws_id,
    )
    assert trends["suppressed"].any()
    text = _text(detail.show_workstream(str(ws_id))[2])
    assert "Not shown – small number" in text


def test_the_detail_is_a_few_dash_components(pages_):
    """The returns-due tables, the facts, the explainers and each measure's words
    are StaticHtml (components.static_html), not ~320 Dash components that Dash's
    renderer re-checked on every store update while the page loaded (issue 19:
    notifyNestedSubs 658 ms in one load). Charts stay Dash components."""
    _, detail, _ = pages_
    for ws_id in _ids().values():
        _, _, content = detail.show_workstream(str(ws_id))
        measures = workstreams.measure_status(scope=SYSTEM, workstream_id=ws_id)
        # 2 for the head and the returns; per measure its section, its words and
        # the chart card's ~20 (the figure, the SVG, the table, the buttons)
        assert dash_components(content) <= 2 + 23 * len(measures), ws_id


def test_a_percentage_measures_title_changes_by_percentage_points(pages_):
    """A workstream measure in per cent (a completion rate, say) is titled with
    its figures as percentages and its change in percentage points: "45% to
    60%, a 15 percentage point increase", never "a 33% increase" of a
    percentage. Worked out here from the measure's own trend."""
    import re

    _, detail, _ = pages_
    checked = 0
    for ws_id in _ids().values():
        status = workstreams.measure_status(scope=SYSTEM, workstream_id=ws_id)
        percent_measures = status[status["unit"].str.strip() == "%"]
        if percent_measures.empty:
            continue
        _title, _crumb, content = detail.show_workstream(str(ws_id))
        text = _text(content)
        for name in percent_measures["name"]:
            said = re.search(
                re.escape(name) + r" (rose|fell) from ([\d.,]+)% in [^;]*? to "
                r"([\d.,]+)% in [^;,]*, an? ([\d.,]+) percentage point "
                r"(increase|decrease)",
                text,
            )
            if said is None:  # steady, or one figure: no change to state
                assert not re.search(re.escape(name) + r" (rose|fell) from", text)
                continue
            first, last, points = (float(said.group(i)) for i in (2, 3, 4))
            assert points == pytest.approx(abs(last - first))
            assert said.group(5) == ("increase" if last > first else "decrease")
            checked += 1
            assert not re.search(
                re.escape(name) + r" (rose|fell) from [^;]*, an? [\d.,]+% "
                r"(increase|decrease)",
                text,
            )
    assert checked >= 3


def _titles(node, prefix: str) -> list[str]:
    """The text of every heading whose id starts with `prefix` and ends "-title"."""
    found = []
    if isinstance(node, list | tuple):
        for child in node:
            found += _titles(child, prefix)
        return found
    if not hasattr(node, "to_plotly_json"):
        return found
    ident = str(getattr(node, "id", "") or "")
    if ident.startswith(prefix) and ident.endswith("-title"):
        found.append(_text(node))
    return found + _titles(getattr(node, "children", None), prefix)


def test_a_measures_chart_title_is_its_latest_figure_and_spc_verdict(pages_):
    """Each measure's chart is titled with its latest quarter's figure and, where
    there are enough points, its Making Data Count verdict; never a two-point
    "rose from ... to ..., a 20% increase", which the SPC icon beside it
    ("no signal of change") would contradict (DESIGN: change judged against
    normal variation, not two-point comparisons). Worked out here from the
    measure's own trend and verdict."""
    from data_access.spc import VARIATION_WORDS

    _, detail, _ = pages_
    seen = 0
    for name, ws_id in _ids().items():
        _title, _crumb, content = detail.show_workstream(str(ws_id))
        titles = _titles(content, "workstream-trend-")
        status = workstreams.measure_status(scope=SYSTEM, workstream_id=ws_id)
        trends = workstreams.measure_trends(scope=SYSTEM, workstream_id=ws_id)
        verdicts = workstreams.measure_spc(scope=SYSTEM, workstream_id=ws_id)
        assert len(titles) == len(status), name
        for title in titles:
            assert " rose from " not in title and " fell from " not in title
            assert "increase" not in title and "decrease" not in title
        for row in status.itertuples():
            trend = trends[trends["measure_code"] == row.measure_code].dropna(
                subset=["value"]
            )
            if trend.empty:
                continue
            latest = trend.iloc[-1]
            opening = f"{row.name}, {latest['period']}: "
            (title,) = [t for t in titles if t.startswith(opening)]
            verdict = verdicts.get(row.measure_code)
            said = [w for w in VARIATION_WORDS.values() if w.lower() in title.lower()]
            if verdict and verdict["variation"] != "not assessed":
                assert said == [verdict["variation_words"]], title
                seen += 1
            else:
                assert said == [], title
    assert seen >= 10
