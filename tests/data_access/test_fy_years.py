"""year_values._fy_years (which financial years a measure has, read without its
figures, issue 19) names the area-years `_fy_values` holds, each usable where
`_fy_values` has a count and a positive population, and available_periods
built on it gives the table it gave when it was built on `_fy_values` (the old
road, kept below as the reference): over the shipped demo, the synthetic scale
set and random stores of stored years, rolling years and quarters (incomplete
ones, missing figures and denominators, values either side of April 1st)."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from sqlalchemy import update

from data_access import scale
from data_access.db import session_scope
from data_access.errors import NotFound
from data_access.measures import get_measure, measure_metadata
from data_access.models import MeasureValue
from data_access.outcomes import year_values
from tests.data_access.test_fy_one_year import AGE_BANDS, LEVELS, _random_measure
from tests.data_access.three_forces import add_three_forces
from tests.one_request import one_request


def _old_available_periods(
    *, measure_code: str, level: str = "pfa", age_band: str = "all"
) -> pd.DataFrame:
    """available_periods as it was before `_fy_years`: every figure of every
    year (`_fy_values`) read to keep which years have one."""
    get_measure(measure_code)
    frame = year_values._fy_values(measure_code, level, age_band)
    starts = [None] * len(frame)
    if frame.empty:
        frame = year_values._rolling_values(measure_code, level, age_band)
        starts = frame["start"].tolist()
    by_value: dict[str, list] = {}
    for code, year, count, population, illustrative, start in zip(
        frame["code"].tolist(),
        frame["year"].tolist(),
        frame["count"].tolist(),
        frame["population"].tolist(),
        frame["illustrative"].tolist(),
        starts,
        strict=True,
    ):
        if pd.isna(count) or not population > 0:
            continue
        value = start if start is not None else f"{year:04d}-04"
        got = by_value.setdefault(value, [year, set(), False])
        got[1].add(code)
        got[2] = got[2] or bool(illustrative)
    rows = [
        (year, value, year_values.year_label(value), len(codes), illustrative)
        for value, (year, codes, illustrative) in sorted(by_value.items())
    ]
    if not rows:
        return pd.DataFrame(columns=year_values.PERIOD_COLUMNS)
    return pd.DataFrame(rows, columns=year_values.PERIOD_COLUMNS)


def _assert_same(code: str, level: str, age_band: str) -> int:
    """`_fy_years` against `_fy_values`, and available_periods against the old
    road, for one measure, level and age band; the number of area-years.

    Called in one request (tests/one_request.py): each read below is made
    once, and the roads that read it again are handed copies of it."""
    where = f"{code} {level} {age_band}"
    frame = year_values._fy_values(code, level, age_band)
    expected = sorted(
        (c, int(y), not pd.isna(n) and p > 0, bool(i))
        for c, y, n, p, i in zip(
            frame["code"],
            frame["year"],
            frame["count"],
            frame["population"],
            frame["illustrative"],
            strict=True,
        )
    )
    got = sorted(year_values._fy_years(code, level, age_band))
    assert got == expected, where
    try:
        old = _old_available_periods(measure_code=code, level=level, age_band=age_band)
    except NotFound:
        with pytest.raises(NotFound):
            year_values.available_periods(
                measure_code=code, level=level, age_band=age_band
            )
        return len(got)
    new = year_values.available_periods(
        measure_code=code, level=level, age_band=age_band
    )
    pd.testing.assert_frame_equal(new, old, obj=where)
    return len(got)


def _assert_every_measure_the_same(codes=None) -> int:
    with one_request():
        codes = codes or measure_metadata(include_private=True)["code"].tolist()
        return sum(
            _assert_same(code, level, age_band)
            for code in codes
            for level in LEVELS
            for age_band in AGE_BANDS
        )


def test_shipped_years_are_those_of_every_figure(loaded_store):
    assert _assert_every_measure_the_same() > 3000


@pytest.mark.parametrize("rows", [300])
def test_synthetic_years_are_those_of_every_figure(store, rows):
    scale.generate_scale(rows=rows)
    assert _assert_every_measure_the_same() > 100


def test_random_years_are_those_of_every_figure(store):
    rng = random.Random(1919)
    with session_scope() as session:
        source, areas = add_three_forces(session, vru=True)
        codes = [_random_measure(session, rng, source, areas, n) for n in range(300)]
        session.flush()
        # a zero population is neither a missing one nor a positive one
        session.execute(
            update(MeasureValue).where(MeasureValue.id % 7 == 0).values(denominator=0)
        )
    # The random store has areas at two levels (the country, force areas):
    # every measure is checked there. At the levels it has no area of (regions,
    # local authorities) every measure reads nothing, whatever its figures, so
    # every tenth shows that as well as all 300 would (and would show a level
    # read wrongly as another's, each of them having figures).
    with one_request():
        checked = sum(
            _assert_same(code, level, "all")
            for n, code in enumerate(codes)
            for level in LEVELS
            if level in ("pfa", "country") or n % 10 == 0
        )
    assert checked > 300
