"""Workstream measures' SPC verdicts over the shipped data, on SQLite and
PostgreSQL: the XmR limits are those of the figures the caller can see (worked out
here by hand from `measure_trends`, not by the engine), hidden figures are gaps,
and a caller outside the workstream's area gets nothing."""

from __future__ import annotations

import numpy as np
import pytest

from data_access import workstreams
from data_access.errors import AccessDenied
from data_access.scope import SYSTEM, Scope
from tests.data_access.test_workstreams import LANCASHIRE, VIEWER_AVON, _lancashire_ids


def _xmr_by_hand(values: np.ndarray) -> tuple[float, float, float]:
    """Making Data Count: mean +/- 2.66 x mean moving range, moving ranges above
    3.267 x their mean left out first."""
    mean = values.mean()
    ranges = np.abs(np.diff(values))
    kept = ranges[ranges < 3.267 * ranges.mean()]
    width = 2.66 * kept.mean()
    return mean, mean - width, mean + width


def test_limits_are_those_of_the_shown_figures(loaded_store):
    workstream_id = next(iter(_lancashire_ids().values()))
    trends = workstreams.measure_trends(scope=SYSTEM, workstream_id=workstream_id)
    verdicts = workstreams.measure_spc(scope=SYSTEM, workstream_id=workstream_id)
    assert set(verdicts) == set(trends["measure_code"])
    for code, verdict in verdicts.items():
        values = trends.loc[trends["measure_code"] == code, "value"].to_numpy(float)
        points = verdict["points"]
        assert list(points["period"]) == list(
            trends.loc[trends["measure_code"] == code, "period"]
        )
        shown = values[~np.isnan(values)]
        if len(shown) < 12:
            assert verdict["variation"] == "not assessed"
            continue
        mean, lower, upper = _xmr_by_hand(shown)
        assert points["centre"].dropna().iloc[0] == pytest.approx(mean)
        assert points["lower"].dropna().iloc[0] == pytest.approx(lower)
        assert points["upper"].dropna().iloc[0] == pytest.approx(upper)
        outside = (shown > upper) | (shown < lower)
        fired = points["rules"].str.contains("outside limits").to_numpy()
        assert list(fired[~np.isnan(values)]) == list(outside)
        assert verdict["variation_words"]
        assert "Making Data Count" in verdict["method"]


def test_hidden_figures_are_gaps_not_values(loaded_store):
    """A scoped reader's suppressed quarters are missing points: the limits do not
    rest on them (else the chart would reveal what disclosure hides)."""
    viewer = Scope(role="viewer", area_codes=frozenset({LANCASHIRE}))
    hidden_quarters = 0
    for workstream_id in _lancashire_ids().values():
        trends = workstreams.measure_trends(scope=viewer, workstream_id=workstream_id)
        verdicts = workstreams.measure_spc(scope=viewer, workstream_id=workstream_id)
        for code, verdict in verdicts.items():
            part = trends[trends["measure_code"] == code]
            hidden = part["suppressed"].to_numpy(bool)
            hidden_quarters += int(hidden.sum())
            types = verdict["points"]["point_type"].to_numpy()
            assert (types[hidden] == "no figure").all()
            assert verdict["points"]["value"].to_numpy()[hidden].tolist() == [
                pytest.approx(np.nan, nan_ok=True)
            ] * int(hidden.sum())
    assert hidden_quarters > 0, "the shipped data should hide some small counts"


def test_out_of_scope_reader_is_refused(loaded_store):
    workstream_id = next(iter(_lancashire_ids().values()))
    with pytest.raises(AccessDenied):
        workstreams.measure_spc(scope=VIEWER_AVON, workstream_id=workstream_id)
