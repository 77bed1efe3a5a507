"""The activity frames built from plain values (issue 19: the memoized reads
keep tuples, which the per-request memo pickles cheaply, and each frame is made
once) equal the frames read before (activity_reference), to the last bit and
dtype, for every VRU area of the shipped data, with and without a local
authority, over whole, part and empty periods, on SQLite and PostgreSQL; and
/prevention's area_view, now checking the scope once, holds the same (its
summary and reach as the frames' columns in plain lists, value for value and
type for type)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.activity import (
    area_activity,
    prevention_views,
    reach_rule,
    tier_activity,
)
from data_access.activity.activity_filters import _period_keys
from data_access.areas import list_areas
from data_access.scope import SYSTEM
from tests.data_access import activity_reference as ref

NAN = float("nan")
PERIODS = [
    (None, None),
    (dt.date(2020, 4, 1), dt.date(2022, 3, 31)),
    (dt.date(2021, 10, 1), dt.date(2021, 12, 31)),  # one quarter
    (dt.date(2019, 7, 1), None),
    (dt.date(2016, 4, 1), dt.date(2019, 3, 31)),  # to the year before a plan
    (dt.date(2019, 4, 1), dt.date(2020, 3, 31)),  # Hampshire's plan year
    (dt.date(2005, 4, 1), dt.date(2006, 3, 31)),  # before any return
]


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=True)


def _same_columns(columns: dict[str, list], frame: pd.DataFrame) -> None:
    """Plain columns hold what the frame's columns hand out (`tolist`): the
    same names in order, and each value equal and of the same type (NaN as
    NaN), as a page reading either would read."""
    assert list(columns) == list(frame.columns)
    for name, values in columns.items():
        expected = frame[name].tolist()
        assert len(values) == len(expected), name
        for value, wanted in zip(values, expected, strict=True):
            assert type(value) is type(wanted), (name, value, wanted)
            assert value == wanted or (value != value and wanted != wanted), (
                name,
                value,
                wanted,
            )


def _cases():
    vrus = list_areas(level="pfa")
    vrus = vrus[vrus["is_vru"].astype(bool)]
    for code in vrus["code"]:
        lads = list_areas(level="lad", parent_code=code)["code"].tolist()
        for lad in [None, *lads[:2]]:
            yield code, lad


def test_tier_reach_plan_and_breakdown_frames_equal_the_pandas_reads(loaded_store):
    cases = 0
    for code, lad in _cases():
        _same(
            tier_activity.tier_plan(scope=SYSTEM, area_code=code, lad_code=lad),
            ref.tier_plan(code, lad),
        )
        for start, end in PERIODS:
            first, last = _period_keys(start, end)
            where = {"scope": SYSTEM, "area_code": code, "lad_code": lad}
            period = {"start": start, "end": end}
            _same(
                tier_activity.tier_summary(**where, **period),
                ref.tier_summary(code, lad, first, last),
            )
            for age in ("all", "under25"):
                reach = reach_rule.reach_over_time(**where, **period, age_band=age)
                _same(
                    reach,
                    ref.reach(code, lad, first, last, "young_people_supported", age),
                )
                _same(prevention_views.with_complete(reach), ref.with_complete(reach))
            if lad is None:
                _same(
                    area_activity.area_breakdown(
                        scope=SYSTEM, area_code=code, **period
                    ),
                    ref.area_breakdown(code, first, last),
                )
            cases += 1
    assert cases > 40


def test_area_view_holds_the_frames_read_one_by_one(loaded_store):
    for code, lad in _cases():
        for start, end in PERIODS[:3]:
            first, last = _period_keys(start, end)
            view = prevention_views.area_view(
                scope=SYSTEM,
                area_code=code,
                lad_code=lad,
                start=start,
                end=end,
                age_band="under25",
            )
            summary = ref.tier_summary(code, lad, first, last)
            _same_columns(view["summary"], summary)
            _same(pd.DataFrame(view["summary"]), summary)
            plan = ref.tier_plan(code, lad)
            if plan.empty:
                assert view["plan_summary"] is None
            else:
                wanted = prevention_views.plan_summary(plan)
                got = view["plan_summary"]
                assert got.keys() == wanted.keys()
                _same(got.pop("by_tier"), wanted.pop("by_tier"))
                assert got == wanted
            reach = ref.reach(
                code, lad, first, last, "young_people_supported", "under25"
            )
            _same_columns(view["reach"], ref.with_complete(reach))
            totals = area_activity.area_totals(
                scope=SYSTEM, area_code=code, lad_code=lad, start=start, end=end
            )
            assert view["totals"] == totals
            if lad is None:
                breakdown = ref.area_breakdown(code, first, last)
                _same(pd.DataFrame(view["breakdown"]), breakdown)
                columns = dict(view["breakdown"])
                # the core unit's code: None in the records, NaN in the frame
                columns["code"] = [c if c is not None else NAN for c in columns["code"]]
                _same_columns(columns, breakdown)
                gap = breakdown["spend"].sum() - totals["spend"]
                assert view["reconciles"] == bool(abs(gap) < 0.005)
            else:
                assert view["breakdown"] is None and view["reconciles"] is None
