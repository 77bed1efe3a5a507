"""One SPC road (issue 16): for a sample of the shipped store's series, the
/violence SPC view (`trend_spc` over `trend_view`), the exception engine
(`exceptions.evaluate_signals`), the overview's "what changed" sentence and the
workstream page give the same verdict on the latest point, on SQLite and
PostgreSQL (the engine's COPY reader).

The sample (knife offences by quarter, the test store's as-at date): the
Metropolitan Police force area (VRU funding from 2019/20 Q1, where the figures
also turn illustrative; borderline: its latest rate lies just beyond the lower
limit), Greater Manchester (two marked recording breaks), and two London
boroughs on which the engine's old road (an XmR chart of the counts, limits
recalculated only where the source changed) and the /violence view (a Laney u'
chart of the rate) disagreed: Camden (borderline: just inside a limit; the old
road called it a special cause) and Brent (the old road called it common
cause)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from data_access import board_overview, exceptions, spc, trend_spc, workstreams
from data_access.areas import area_id_of
from data_access.db import read_connection, session_scope
from data_access.models import Measure
from data_access.outcomes.trend_views import trend_view
from data_access.scope import SYSTEM
from tests.data_access.test_workstreams import LANCASHIRE, _lancashire_ids

MET, MANCHESTER = "E23000001", "E23000005"
CAMDEN, BRENT = "E09000007", "E09000005"
SAMPLE = (MET, MANCHESTER, CAMDEN, BRENT)
_JUDGED: dict[str, dict] = {}


@pytest.fixture
def engine_verdicts(loaded_store, monkeypatch):
    """The exception engine's judgement of the sample's series (and one
    workstream's measures): evaluate_signals itself, over only those series;
    worked out once per store (the loaded store is not changed by tests)."""
    if loaded_store in _JUDGED:
        return _JUDGED[loaded_store]
    with read_connection() as connection:
        areas = {area_id_of(connection, c): c for c in (*SAMPLE, LANCASHIRE)}
        lancashire = area_id_of(connection, LANCASHIRE)
    knife = _measure_ids()["knife_offences"]
    read = exceptions.read_series

    def sample() -> list:
        return [
            s
            for s in read()
            if (s.area_id in areas and s.measure_id == knife and s.months == 3)
            or s.area_id == lancashire  # its workstreams' measures
        ]

    monkeypatch.setattr(exceptions, "read_series", sample)
    judged = exceptions.evaluate_signals()
    _JUDGED[loaded_store] = {
        (s["measure_id"], areas.get(s["area_id"], s["area_id"]), s["age_band"]): s
        for s in judged["signals"]
    }
    return _JUDGED[loaded_store]


def _measure_ids() -> dict[str, int]:
    with session_scope() as session:
        return dict(session.execute(select(Measure.code, Measure.id)).all())


def _old_road(view: dict) -> str:
    """The latest point's type by the engine's old road: an XmR chart of the
    counts, limits recalculated only at the last switch of source."""
    own = view["series"][view["series"]["role"] == "area"]
    counts = own["value"].to_numpy(float)
    flags = own["illustrative"].to_numpy(bool)
    switches = np.flatnonzero(flags[1:] != flags[:-1])
    start = int(switches[-1]) + 1 if switches.size else 0
    chart = spc.spc_chart(values=counts[start:], polarity="lower_is_better")
    return chart["points"]["point_type"].iloc[-1]


def _margin(last) -> float:  # noqa: ANN001
    """How far the point lies inside its nearer limit, in half-widths (negative:
    outside)."""
    half = last["upper"] - last["centre"]
    return min(last["upper"] - last["value"], last["value"] - last["lower"]) / half


def test_violence_view_exceptions_and_overview_agree(engine_verdicts):
    knife = _measure_ids()["knife_offences"]
    for code in SAMPLE:
        view = trend_view(scope=SYSTEM, measure_code="knife_offences", area_code=code)
        verdict = trend_spc.trend_spc(view)
        points = verdict["points"]
        last = points[points["point_type"] != "no figure"].iloc[-1]
        raised = engine_verdicts.get((knife, code, "all"))
        if last["point_type"].startswith("special cause"):
            assert raised is not None, code
            assert raised["signal"] == last["point_type"], code
            assert raised["period_start"] == last["period_start"], code
        else:
            assert raised is None, (code, raised)
        sentence = board_overview.changes_since_last_quarter(
            scope=SYSTEM, area_code=code
        )[0]
        words = verdict["variation_words"]
        assert f"(SPC): {words[0].lower()}{words[1:]}." in sentence, code

        if code == MET:
            assert verdict["kind"] == "laney_u"
            assert any(r.startswith("VRU funding began") for _, r in verdict["steps"])
            assert -0.1 < _margin(last) < 0  # borderline, outside
        if code == MANCHESTER:
            assert len(verdict["steps"]) >= 3  # two breaks and the funding start
        if code == CAMDEN:
            assert 0 < _margin(last) < 0.1  # borderline, inside
            assert last["point_type"] == "common cause"
            assert _old_road(view).startswith("special cause")
        if code == BRENT:
            assert last["point_type"].startswith("special cause")
            assert _old_road(view) == "common cause"


def test_workstream_page_and_exceptions_agree(engine_verdicts):
    ids = _measure_ids()
    checked = 0
    for workstream_id in _lancashire_ids().values():
        verdicts = workstreams.measure_spc(scope=SYSTEM, workstream_id=workstream_id)
        for code, verdict in verdicts.items():
            points = verdict["points"]
            shown = points[points["point_type"] != "no figure"]
            if shown.empty:
                continue
            point_type = shown["point_type"].iloc[-1]
            raised = engine_verdicts.get((ids[code], LANCASHIRE, "all"))
            if point_type.startswith("special cause"):
                assert raised is not None and raised["signal"] == point_type, code
            else:
                assert raised is None, code
            checked += 1
    assert checked


@pytest.mark.parametrize("seed", range(6))
def test_the_engines_fast_path_gives_the_full_charts_verdict(seed):
    """`latest_only` (the exception engine) judges only the latest point's
    segment; it must say what the full chart (the pages) says of that point,
    whatever the steps, gaps and chart kind."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(14, 40))
    counts = rng.poisson(80, n).astype(float)
    counts[-1] *= rng.choice([0.5, 1.0, 1.6])  # sometimes far out
    populations = rng.integers(90_000, 110_000, n).astype(float)
    counts[rng.integers(0, n, 2)] = np.nan  # gaps
    starts = [
        dt.date(2012 + (3 + 3 * i) // 12, (3 + 3 * i) % 12 + 1, 1) for i in range(n)
    ]
    flags = np.arange(n) >= int(rng.integers(1, n))
    for ci_method, multiplier in (("byar", 1e5), ("none", None)):
        arguments = {
            "polarity": "lower_is_better",
            "values": counts,
            "numerators": counts,
            "denominators": populations,
            "ci_method": ci_method,
            "rate_multiplier": multiplier,
            "period_starts": starts,
            "illustrative": flags,
            "funding_start": starts[int(rng.integers(0, n))],
            "breaks": [(starts[int(rng.integers(0, n))], "Recording change")],
        }
        last = int(np.flatnonzero(~np.isnan(counts))[-1])
        at_last = {"breaks": [(starts[last], "Recording change")]}
        for changed in ({}, at_last):  # a step at the latest point itself too
            full = spc.series_spc(**(arguments | changed))
            fast = spc.series_spc(**(arguments | changed), latest_only=True)
            assert fast["latest"] == full["latest"], (seed, ci_method)
            position = full["latest"][0]
            assert full["latest"][1] == full["points"]["point_type"].iloc[position]
        assert full["latest"][1] == "not assessed"  # a segment of one point


@pytest.mark.parametrize("seed", range(6))
def test_the_variation_alone_is_the_full_charts_variation(seed):
    """`variation_only` (the overview's sentences: no frame of points) must
    give the word the full chart (`_chart`) gives, whatever the polarity,
    steps, gaps and chart kind (XmR of values, Laney u' of rates)."""
    rng = np.random.default_rng(seed)
    seen = set()
    for _ in range(40):
        n = int(rng.integers(2, 30))
        counts = rng.poisson(80, n).astype(float)
        counts[-1] *= rng.choice([0.3, 1.0, 2.0])  # sometimes far out
        counts[rng.integers(0, n, int(rng.integers(0, 3)))] = np.nan  # gaps
        populations = rng.integers(90_000, 110_000, n).astype(float)
        starts = [
            dt.date(2012 + (3 + 3 * i) // 12, (3 + 3 * i) % 12 + 1, 1) for i in range(n)
        ]
        for polarity in ("lower_is_better", "higher_is_better", "no_judgement"):
            for ci_method, multiplier in (("byar", 1e5), ("none", None)):
                arguments = {
                    "polarity": polarity,
                    "values": counts,
                    "numerators": counts,
                    "denominators": populations,
                    "ci_method": ci_method,
                    "rate_multiplier": multiplier,
                    "period_starts": starts,
                    "illustrative": np.arange(n) >= int(rng.integers(1, n + 1)),
                    "funding_start": starts[int(rng.integers(0, n))],
                    "breaks": [(starts[int(rng.integers(0, n))], "a break")],
                }
                full = spc.series_spc(**arguments)
                alone = spc.series_spc(**arguments, variation_only=True)
                assert alone["variation"] == full["variation"], (seed, polarity)
                assert "points" not in alone
                seen.add(full["variation"])
    assert len(seen) >= 4, seen
