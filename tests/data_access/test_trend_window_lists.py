"""The recent trend (headlines._recent, _trend_window) and the series breaks
(area_trends.series_breaks) over plain lists give what the frame filters and
the window frame they replaced gave (issue 19: CPU
per uncached answer), to the last bit and with the same types.

The replaced code is copied below ("as it was") and is the reference: both run
over 300 random series (quarters and years, gaps, missing and hidden figures,
object columns as the disclosure engine's cell-by-cell path leaves them,
documented breaks and switches to illustrative figures) and over the shipped
data for every success measure, area level, length and scope.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pandas as pd
import pytest

from data_access import periods, statistics
from data_access.areas import AreaInfo, get_area, list_areas
from data_access.measures import get_measure, measure_metadata
from data_access.outcomes import headlines
from data_access.outcomes.area_trends import (
    _area_series,
    _trend,
    series_breaks,
)
from data_access.outcomes.raw_series import (
    POOLED_QUARTERS_NOTE,
    SERIES_BREAKS,
    SUMMED_QUARTERS_NOTE,
    TREND_WINDOW,
)
from data_access.outcomes.series_disclosure import _disclose
from data_access.scope import SYSTEM, Scope
from data_access.spc import ILLUSTRATIVE_FROM_HERE
from tests.one_request import one_request

AVON = "E23000036"
MEASURES = ["knife_offences", "hospital_admissions_knife", "homicide_knife"]
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
PUBLIC = Scope(role="public")


def _equal(a, b) -> bool:
    """Deep equality where NaN equals NaN and the types agree."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


# --------------------------------------------------------------------- as it was


def _old_recent_of(measure_code, area_code, length, series, end) -> dict:
    """headlines._recent as it was, from the disclosed series on (its
    series_breaks as it was too)."""
    if end is not None:
        series = series[series["period_end"] <= end]
    window, since_break = _old_trend_window(measure_code, area_code, length, series)
    result = statistics.trend_test(
        counts=window["numerator"].tolist(),
        populations=window["denominator"].tolist(),
    )
    shown = window[window["numerator"].notna()]
    result["first_period"] = shown["period"].iloc[0] if len(shown) else None
    result["last_period"] = shown["period"].iloc[-1] if len(shown) else None
    result["periods"] = shown["period"].tolist()
    result["since_break"] = since_break
    hidden = set(series.loc[series["suppressed"], "period"])
    result["withheld"] = bool(hidden & set(window["period"].dropna()))
    if result["withheld"]:
        for key in ("slope", "slope_lower", "slope_upper", "coefficient"):
            result[key] = math.nan
        result.update(
            p_value=math.nan,
            dispersion=math.nan,
            significant=False,
            direction="not enough data",
        )
    result["text"] = headlines._trend_text(result, length)
    return result


def _old_trend_window(measure_code, area_code, length, series):
    months = 3 if length == "quarter" else 12
    figures = series[series["numerator"].notna()]
    if figures.empty:
        return figures, None

    def position(start: dt.date) -> int:
        return (start.year * 12 + start.month - 1) // months

    by_position = {position(s): i for i, s in enumerate(series["period_start"])}
    last = position(figures["period_start"].iloc[-1])
    first = last - TREND_WINDOW + 1
    since_break = None
    labels = dict(zip(series["period"], series["period_start"], strict=False))
    for label, text in _old_series_breaks(
        measure_code=measure_code, area_code=area_code, series=series
    ):
        at = position(labels[label])
        if first < at <= last:
            first, since_break = at, text
    columns = ["period", "numerator", "denominator"]
    records = series[columns].to_dict("records")
    gap = {"period": None, "numerator": np.nan, "denominator": np.nan}
    window = pd.DataFrame(
        [
            records[by_position[p]] if p in by_position else gap
            for p in range(first, last + 1)
        ],
        columns=columns,
    )
    return window, since_break


def _old_series_breaks(
    *, measure_code: str, area_code: str, series: pd.DataFrame
) -> list[tuple[str, str]]:
    """(period label, text) for documented breaks inside `series`, for the
    period where the area's series switches from published to illustrative, and
    for a switch between years made of the quarterly series and published annual
    figures (the quarterly knife series is unrevised, so 2009/10 and 2010/11 are
    not on one basis)."""
    area_rows = series[series["role"] == "area"] if "role" in series else series
    if area_rows.empty:
        return []
    out = []
    first, last = area_rows["period_start"].min(), area_rows["period_end"].max()
    for month, text in SERIES_BREAKS.get((measure_code, area_code), []):
        if first < month <= last:
            hit = area_rows[area_rows["period_start"] >= month]
            if not hit.empty:
                out.append((hit["period"].iloc[0], text))
    flags = area_rows["illustrative"].astype(bool).tolist()
    for i in range(1, len(flags)):
        if flags[i] and not flags[i - 1]:
            out.append((area_rows["period"].iloc[i], ILLUSTRATIVE_FROM_HERE))
            break
    from_quarters = (
        area_rows["note"].isin((SUMMED_QUARTERS_NOTE, POOLED_QUARTERS_NOTE)).tolist()
    )
    for i in range(1, len(from_quarters)):
        if from_quarters[i] == from_quarters[i - 1] or flags[i] != flags[i - 1]:
            continue  # no switch, or one already marked as illustrative data
        out.append(
            (
                area_rows["period"].iloc[i],
                "Published annual figures from here (years before: sums of quarters)"
                if from_quarters[i - 1]
                else "Sums of quarters from here (years before: published annual "
                "figures)",
            )
        )
    return out


# ------------------------------------------------------------ random series


def _random_series(rng: random.Random, length: str) -> pd.DataFrame:
    """A disclosed series as `_recent` gets it, oldest first, some periods
    left out."""
    if length == "quarter":
        first = dt.date(rng.randint(2012, 2020), rng.choice([1, 4, 7, 10]), 1)
        bounds = []
        start = first
        for _ in range(rng.randint(0, 40)):
            end = periods.quarter_end(start)
            bounds.append((start, end))
            start = end + dt.timedelta(days=1)
    else:
        first_year = rng.randint(2010, 2020)
        bounds = [
            (dt.date(y, 4, 1), dt.date(y + 1, 3, 31))
            for y in range(first_year, first_year + rng.randint(0, 14))
        ]
    bounds = [b for b in bounds if rng.random() > 0.1]
    switch = rng.choice([None, None, *range(2014, 2026)])
    # a steady level, rise or fall with some noise (so that every verdict comes up)
    level, growth = rng.randint(5, 500), rng.choice([0.0, 0.15, -0.15, None])
    # years of quarters, then (sometimes) published years, or the other way
    notes = rng.sample([None, SUMMED_QUARTERS_NOTE, POOLED_QUARTERS_NOTE], 2)
    notes_switch = rng.choice([0, 10**6, 10**6, rng.randint(1, 20)])
    rows = []
    for i, (start, end) in enumerate(bounds):
        hidden = rng.random() < 0.08
        count = (
            rng.randint(0, 500)
            if growth is None
            else round(level * (1 + growth) ** i * rng.uniform(0.95, 1.05))
        )
        numerator = float(count) if rng.random() > 0.1 else math.nan
        rows.append(
            {
                "period_start": start,
                "period_end": end,
                "period": periods.period_label(start, end),
                "numerator": math.nan if hidden and rng.random() < 0.7 else numerator,
                "denominator": float(
                    rng.choice([1_000_000, rng.randint(50_000, 2_000_000)])
                )
                if rng.random() > 0.05
                else math.nan,
                "illustrative": switch is not None and start.year >= switch,
                "note": notes[0] if i < notes_switch else notes[1],
                "suppressed": hidden,
            }
        )
    columns = [
        "period_start",
        "period_end",
        "period",
        "numerator",
        "denominator",
        "illustrative",
        "note",
        "suppressed",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    # the disclosure engine's cell-by-cell path leaves objects (None for NaN)
    kind = rng.choice(["float", "object"])
    for name in ("numerator", "denominator"):
        if kind == "float":
            frame[name] = frame[name].astype(float)
        else:
            frame[name] = pd.Series(
                [None if math.isnan(v) else v for v in frame[name]], dtype=object
            )
    frame["suppressed"] = frame["suppressed"].astype(rng.choice([bool, object]))
    return frame


@pytest.mark.parametrize("seed", range(3))
def test_the_recent_trend_is_what_the_window_frame_gave(seed):
    """`_recent` over lists against its frame form, 100 random series each
    (300 in all): the same dict, value for value and type for type."""
    rng = random.Random(seed)
    breaks = list(SERIES_BREAKS)
    verdicts = set()
    for _ in range(100):
        length = rng.choice(["quarter", "year"])
        series = _random_series(rng, length)
        measure_code, area_code = rng.choice([*breaks, ("knife_offences", AVON)])
        end = rng.choice([None, None, dt.date(rng.randint(2014, 2026), 3, 31)])
        area = AreaInfo(area_code, "An area", "pfa", None, None, True, 2019)
        # the series handed in as the area's disclosed one (area_trends._own)
        new = headlines._recent(
            SYSTEM, {"code": measure_code}, area, length, "all", end, own=series
        )
        old = _old_recent_of(measure_code, area_code, length, series.copy(), end)
        assert _equal(new, old), (series, new, old)
        verdicts.add(
            "withheld"
            if new["withheld"]
            else "break"
            if new["since_break"]
            else new["direction"]
        )
    # the series reach every branch (else this test proves less than it says)
    assert {"withheld", "break", "not enough data"} <= verdicts, verdicts
    assert len(verdicts) >= 4, verdicts


def _with_roles(rng: random.Random, series: pd.DataFrame) -> pd.DataFrame:
    """The series as `trend_with_benchmark` has it: the area's rows, then
    (sometimes) a benchmark's, with other breaks, in a role column; a missing
    note as NaN, None or pd.NA."""
    notes = rng.choice([np.nan, None, pd.NA])
    series = series.assign(note=series["note"].where(series["note"].notna(), notes))
    if rng.random() < 0.3:
        return series
    bench = series.sample(frac=rng.random(), random_state=rng.randint(0, 999))
    bench = bench.assign(illustrative=~bench["illustrative"])
    parts = [series.assign(role="area"), bench.assign(role="benchmark")]
    if rng.random() < 0.5:
        parts.reverse()
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("seed", range(3))
def test_the_series_breaks_are_what_the_frame_filters_gave(seed):
    """series_breaks over lists against its frame form, 100 random series each
    (300 in all), with and without a benchmark's rows beside the area's."""
    rng = random.Random(seed)
    found = 0
    for _ in range(100):
        series = _with_roles(rng, _random_series(rng, rng.choice(["quarter", "year"])))
        measure_code, area_code = rng.choice([*SERIES_BREAKS, ("knife_offences", AVON)])
        options = {"measure_code": measure_code, "area_code": area_code}
        new = series_breaks(series=series, **options)
        assert new == _old_series_breaks(series=series, **options), series
        found += len(new)
    assert found > 50  # breaks found, so the comparison says something


# ------------------------------------------------------------ shipped data


def test_the_shipped_recent_trends_and_breaks_are_what_the_frames_gave(
    loaded_store,
):
    """`_recent` and `series_breaks` (of the series and of the trend with its
    benchmark) against their frame forms for the success measures in force
    areas (with their documented breaks), regions and the nation, quarters and
    years, for a scope that sees every figure and two that see them disclosed."""
    every = list_areas()
    codes = [
        code
        for level in ("pfa", "region", "national")
        for code in every.loc[every["level"] == level, "code"].head(3)
    ] + [AVON, "E23000005", "E23000029"]
    table = measure_metadata(include_private=True)
    # one request (tests/one_request.py): the series each road reads are read once
    with one_request():
        compared = _compare_shipped_recent_trends(codes, table)
    assert compared > 50


def _compare_shipped_recent_trends(codes, table) -> int:
    compared = 0
    for code in MEASURES:
        for scope in (SYSTEM, VIEWER, PUBLIC):
            try:
                measure = get_measure(code, scope=scope, table=table)
            except Exception:  # noqa: BLE001 - a measure outside the scope
                continue
            for area_code in codes:
                area = get_area(area_code)
                for length in ("quarter", "year"):
                    try:
                        series = _disclose(
                            _area_series(scope, measure, area, length, "all"),
                            measure,
                            scope,
                            length=length,
                            age_band="all",
                        )
                    except Exception as error:  # noqa: BLE001 - same error both ways
                        with pytest.raises(type(error)):
                            headlines._recent(scope, measure, area, length, "all", None)
                        continue
                    trend = _trend(scope, measure, area, length, "all", None, None)
                    options = {"measure_code": code, "area_code": area_code}
                    for frame in (trend, series):
                        assert series_breaks(
                            series=frame, **options
                        ) == _old_series_breaks(series=frame, **options)
                    for end in (None, dt.date(2022, 3, 31)):
                        new = headlines._recent(
                            scope, measure, area, length, "all", end
                        )
                        old = _old_recent_of(code, area_code, length, series, end)
                        assert _equal(new, old), (code, area_code, length, new, old)
                        compared += 1
    return compared
