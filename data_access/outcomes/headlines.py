"""A success measure's headline for an area: the latest figure, the change against
the pre-funding baseline and the recent trend.

- Baseline: the three pre-funding financial years 2016/17 to 2018/19 summed
  (events and person-years), against the latest complete financial year of the
  same kind: published figures against published, illustrative against
  illustrative, never one against the other.
- Recent trend: `recent_trend`, the quasi-Poisson trend test (statistics.trend_test,
  since police recorded crime varies more than Poisson) over the latest five
  periods of the series, never across a series break; every page shows this one.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from data_access import periods, statistics
from data_access.areas import NATIONAL_CODE, AreaInfo, get_area
from data_access.comparator_groups import region_of
from data_access.errors import NotFound
from data_access.measures import (
    get_measure,
)
from data_access.outcomes.area_trends import _area_series, _own, series_breaks
from data_access.outcomes.raw_series import (
    BASELINE_LABEL,
    BASELINE_YEARS,
    TREND_WINDOW,
    _check_read,
    _known_empty,
    check_age_band,
)
from data_access.outcomes.series_disclosure import _disclose
from data_access.scope import Scope

# -------------------------------------------------------------- baseline, trend


def baseline_change(
    *, scope: Scope, measure_code: str, area_code: str, age_band: str = "all"
) -> dict[str, Any]:
    """Change in the rate from the 2016/17-2018/19 baseline to the latest complete
    financial year (statistics.change_from_baseline keys: a quasi-Poisson test on
    the four years, allowing for the series' overdispersion), plus: available,
    reason (why not, in words), baseline_label, current_period, baseline_count,
    current_count, illustrative, test_text (how it was tested, in words)."""
    measure = get_measure(measure_code, scope=scope)
    return _baseline(
        scope, measure, _own(scope, measure, get_area(area_code), "year", age_band)
    )


def _baseline(scope: Scope, measure: dict, years: pd.DataFrame) -> dict[str, Any]:
    """baseline_change from the area's financial-year series (`_area_series`),
    disclosed (`_disclose`): a scope that sees rounded counts gets the change
    between the published counts, and none when the latest is hidden.

    Worked out over the series' columns as plain lists (a dozen years): the
    DataFrame filters it used cost more than the test itself (issue 19)."""
    result: dict[str, Any] = {
        "available": False,
        "reason": "",
        "baseline_label": BASELINE_LABEL,
        "current_period": None,
        "baseline_count": None,
        "current_count": None,
        "illustrative": False,
        "direction": "not compared",
        "significant": False,
        "percent_change": math.nan,
        "dispersion": math.nan,
        "method": "",
        "test_text": "",
    }
    multiplier = measure["rate_multiplier"]
    if not multiplier or pd.isna(multiplier):
        result["reason"] = "this measure is a percentage, not a rate"
        return result
    numerators = years["numerator"].to_numpy(dtype=float, na_value=np.nan)
    denominators = years["denominator"].to_numpy(dtype=float, na_value=np.nan)
    # to_numpy(dtype=bool) is astype(bool) without a Series made in between
    hidden = years["suppressed"].to_numpy(dtype=bool).tolist()
    illustrative = years["illustrative"].to_numpy(dtype=bool).tolist()
    # A year counts with a denominator and a numerator, or a hidden numerator.
    usable = [
        i
        for i in range(len(hidden))
        if (hidden[i] or not math.isnan(numerators[i]))
        and not math.isnan(denominators[i])
    ]
    starts = years["period_start"].tolist()
    fy = {i: periods.financial_year_of(starts[i]) for i in usable}
    base = [i for i in usable if fy[i] in BASELINE_YEARS]
    later = [i for i in usable if fy[i] > max(BASELINE_YEARS)]
    if len(base) != len(BASELINE_YEARS):
        result["reason"] = f"no complete figures for {BASELINE_LABEL}"
        return result
    if not later:
        result["reason"] = "no complete financial year since the baseline"
        return result
    # Published and illustrative figures are never compared with each other: the
    # latest year is the latest of the baseline's kind.
    kinds = {illustrative[i] for i in base}
    if len(kinds) > 1:
        result["reason"] = (
            f"the {BASELINE_LABEL} baseline mixes published and illustrative "
            "figures, so no change is worked out"
        )
        return result
    base_kind = illustrative[base[0]]
    same_kind = [i for i in later if illustrative[i] == base_kind]
    if not same_kind:
        kind = "illustrative" if base_kind else "published"
        other = "published" if base_kind else "illustrative"
        result["reason"] = (
            f"the baseline figures are {kind} and every later figure is {other}, "
            "so they are not compared"
        )
        return result
    current = same_kind[-1]
    if hidden[current]:
        result["reason"] = "the latest count is too small to show"
        return result
    if any(hidden[i] for i in base):
        result["reason"] = f"a count in {BASELINE_LABEL} is too small to show"
        return result
    # np.sum: the sum pandas took of the column (the same pairwise order)
    b_count = float(np.sum(numerators[base]))
    c_count = float(numerators[current])
    # Year by year, so the test allows for the series' own overdispersion.
    change = statistics.change_from_baseline(
        baseline_count=numerators[base].tolist(),
        baseline_population=denominators[base].tolist(),
        current_count=c_count,
        current_population=float(denominators[current]),
        multiplier=float(multiplier),
    )
    result.update(change)
    result["test_text"] = (
        "95% confidence"
        if math.isnan(change["dispersion"])
        else f"95% confidence, {change['method']} allowing for year-to-year "
        f"variation, dispersion {change['dispersion']:.1f}"
    )
    result.update(
        available=True,
        current_period=years["period"].iloc[current],
        baseline_count=b_count,
        current_count=c_count,
        illustrative=base_kind or illustrative[current],
    )
    return result


def recent_trend(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
    end: dt.date | None = None,
) -> dict[str, Any]:
    """The recent trend of an area's series: the one verdict every page shows
    (the violence page, the area profile, embeds), statistics.trend_test
    (quasi-Poisson, with its dispersion) over the latest TREND_WINDOW periods.

    The window ends at the latest period with a figure (up to `end`) and spans
    TREND_WINDOW consecutive periods; a missing period inside keeps its place and
    leaves fewer usable points. It never reaches back across a series break
    (`series_breaks`: a documented recording change or the switch from published
    to illustrative figures): a window cut short by one is "not enough data".
    For a scope that sees disclosed figures it is worked out from the published
    (rounded) counts, and withheld where a figure in its window is hidden (a
    verdict over a hidden count would say something about it).
    Plus keys: first_period, last_period, periods (the labels of the periods with
    figures it used), since_break (the text of the break the window was cut at,
    or None), withheld (bool), text (e.g. "Recent trend (2020/21 to 2024/25):
    increasing, up 3.1% a year on average; a statistically significant trend at
    the 95% level (quasi-Poisson regression, dispersion 2.4)")."""
    measure = get_measure(measure_code, scope=scope)
    area = get_area(area_code)
    return _recent(scope, measure, area, length, age_band, end)


def _recent(
    scope: Scope,
    measure: dict,
    area: AreaInfo,
    length: str,
    age_band: str,
    end: dt.date | None,
    own: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """recent_trend for a measure and an area already looked up (and its
    disclosed series at `length`, area_trends._own, when the caller has it)."""
    series = own if own is not None else _own(scope, measure, area, length, age_band)
    if end is not None:
        series = series[series["period_end"] <= end]
    window, since_break = _trend_window(measure["code"], area.code, length, series)
    result = statistics.trend_test(
        counts=[numerator for _, numerator, _ in window],
        populations=[denominator for _, _, denominator in window],
    )
    shown = [period for period, numerator, _ in window if not math.isnan(numerator)]
    result["first_period"] = shown[0] if shown else None
    result["last_period"] = shown[-1] if shown else None
    result["periods"] = shown
    result["since_break"] = since_break
    hidden = {
        period
        for period, suppressed in zip(
            series["period"].tolist(), series["suppressed"].tolist(), strict=True
        )
        if suppressed
    }
    result["withheld"] = any(period in hidden for period, _, _ in window)
    if result["withheld"]:
        for key in ("slope", "slope_lower", "slope_upper", "coefficient"):
            result[key] = math.nan
        result.update(
            p_value=math.nan,
            dispersion=math.nan,
            significant=False,
            direction="not enough data",
        )
    result["text"] = _trend_text(result, length)
    return result


def _trend_window(
    measure_code: str, area_code: str, length: str, series: pd.DataFrame
) -> tuple[list[tuple[str | None, float, float]], str | None]:
    """(the latest TREND_WINDOW consecutive periods of `series`, one (period,
    numerator, denominator) each, a missing figure as NaN and a missing period
    as (None, NaN, NaN); the break the window starts at, or None).

    Over the series' columns as plain lists (a few dozen periods): the frame
    filters and the window frame cost more than the trend test (issue 19)."""
    # The series' own lengths, not the measures' (PERIOD_LENGTHS has no
    # "calendar"): a quarter is 3 months, a financial or calendar year 12.
    months = 3 if length == "quarter" else 12
    numerators = series["numerator"].to_numpy(dtype=float, na_value=np.nan).tolist()
    with_figure = [i for i, n in enumerate(numerators) if not math.isnan(n)]
    if not with_figure:
        return [], None

    def position(start: dt.date) -> int:
        return (start.year * 12 + start.month - 1) // months

    starts = series["period_start"].tolist()
    labels = series["period"].tolist()
    denominators = series["denominator"].to_numpy(dtype=float, na_value=np.nan).tolist()
    by_position = {position(s): i for i, s in enumerate(starts)}
    last = position(starts[with_figure[-1]])
    first = last - TREND_WINDOW + 1
    since_break = None
    start_of = dict(zip(labels, starts, strict=True))
    for label, text in series_breaks(
        measure_code=measure_code, area_code=area_code, series=series
    ):
        at = position(start_of[label])
        if first < at <= last:
            first, since_break = at, text
    gap = (None, math.nan, math.nan)
    return [
        (labels[i], numerators[i], denominators[i])
        if (i := by_position.get(p)) is not None
        else gap
        for p in range(first, last + 1)
    ], since_break


def _trend_text(result: dict[str, Any], length: str) -> str:
    unit = "a quarter" if length == "quarter" else "a year"
    if result.get("withheld"):
        return (
            "Recent trend: not shown, as some figures in it are hidden under "
            "disclosure control."
        )
    if result["direction"] == "not enough data":
        if result["since_break"]:
            return (
                f"Recent trend: not tested, fewer than {TREND_WINDOW} periods since "
                f"the series break ({result['since_break']})."
            )
        return f"Recent trend: not enough data (needs {TREND_WINDOW} periods in a row)."
    span = f"{result['first_period']} to {result['last_period']}"
    slope = result["slope"]
    word = "up" if slope > 0 else "down"
    verdict = (
        "a statistically significant trend"
        if result["significant"]
        else "not a statistically significant trend"
    )
    return (
        f"Recent trend ({span}): {result['direction']}, {word} "
        f"{abs(slope):.1f}% {unit} on average; {verdict} at the 95% level "
        f"({result['method']}, dispersion {result['dispersion']:.1f})."
    )


def measure_headline(
    *, scope: Scope, measure_code: str, area_code: str, age_band: str = "all"
) -> dict[str, Any] | None:
    """The latest published figure of a measure for an area (financial year if
    any, else quarter), or the latest illustrative one where none is published,
    with its rate, CI, baseline change and source; None if no data.

    Keys: code, name, unit, polarity, rate_multiplier, age_band, period, period_end,
    value, rate, rate_lower, rate_upper, suppressed, source_title, illustrative
    (True only when no published figure exists), illustrative_to (the last illustrative
    period after the published one shown, else None), baseline
    (baseline_change dict)."""
    measure = get_measure(measure_code, scope=scope)
    return _headline(scope, measure, get_area(area_code), age_band)


def _headline(
    scope: Scope, measure: dict, area: AreaInfo, age_band: str
) -> dict[str, Any] | None:
    """measure_headline for a measure and an area already looked up; the year
    series is read once, for the headline and for the baseline."""
    if _no_figures(scope, measure, area, age_band):
        return None
    years = _area_series(scope, measure, area, "year", age_band)
    # Disclosed once, for the baseline and for a year shown: disclosure works
    # row by row (each period a cell of its own), so a year's row of the
    # disclosed series is that year disclosed alone.
    disclosed = _disclose(years, measure, scope, length="year", age_band=age_band)
    series, length = years, "year"
    # Positions, not filtered copies of the frame: a dozen rows, and each
    # DataFrame filter costs more than the headline's arithmetic (issue 19).
    with_value = _with_value(series)
    if not len(with_value):
        series = _area_series(scope, measure, area, "quarter", age_band)
        length = "quarter"
        with_value = _with_value(series)
    if not len(with_value):
        return None
    # The latest published figure; an illustrative one only where no published
    # one exists (issue 17). Later illustrative periods are named, not shown.
    illustrative = series["illustrative"].to_numpy(dtype=bool)[with_value]
    real = with_value[~illustrative]
    later = (
        series["period"].iloc[with_value[-1]]
        if len(real) and illustrative[-1]
        else None
    )
    shown = real[-1] if len(real) else with_value[-1]
    latest = (
        disclosed.iloc[shown]
        if length == "year"
        else _disclose(
            series.iloc[[shown]], measure, scope, length=length, age_band=age_band
        ).iloc[0]
    )
    return {
        "code": measure["code"],
        "name": measure["name"],
        "unit": measure["unit"],
        "polarity": measure["polarity"],
        "rate_multiplier": measure["rate_multiplier"],
        "age_band": age_band,
        "period": latest["period"],
        "period_end": latest["period_end"],
        "value": latest["value"],
        "rate": latest["rate"],
        "rate_lower": latest["rate_lower"],
        "rate_upper": latest["rate_upper"],
        "suppressed": bool(latest["suppressed"]),
        "source_title": latest["source_title"],
        "illustrative": bool(latest["illustrative"]),
        "illustrative_to": later,
        "baseline": _baseline(scope, measure, disclosed),
    }


def _with_value(series: pd.DataFrame) -> np.ndarray:
    """The positions of the series' rows with a value (`notna`), read off the
    column's array: the boolean Series `notna` makes costs more than the test."""
    values = series["value"].to_numpy(dtype=float, na_value=np.nan)
    return np.flatnonzero(~np.isnan(values))


def _no_figures(scope: Scope, measure: dict, area: AreaInfo, age_band: str) -> bool:
    """Whether the area is known to have no figure of the measure in the age
    band at any length, so that no empty series is built for years and again
    for quarters (`raw_series._known_empty`). Checked after what `_area_series`
    checks first (the age band, the read), so a caller gets the same errors."""
    check_age_band(age_band)
    _check_read(scope, measure, area)
    return area.code != NATIONAL_CODE and _known_empty(
        measure["code"], area.code, age_band
    )


# ----------------------------------------------- the region, where the area has none

COARSER_THAN = {"pfa": "force area", "lad": "local authority"}


def region_headline(
    *, scope: Scope, measure_code: str, area_code: str, age_band: str = "all"
) -> dict[str, Any] | None:
    """The latest published figure of the English region a force area (or a
    local authority's force area) lies in, where the area has no published
    figure of its own or only older ones: hospital admissions are published by
    region after 2012 but for only a few force areas (issue 17). None otherwise.

    The region is a coarser geography: the figure is shown beside the area's
    own (illustrative or older) one, never as it. Keys: those of
    `measure_headline` for the region, plus region_code, region_name,
    coarser_than ("force area" or "local authority") and own_period (the area's
    latest published period, or None when it has none)."""
    measure = get_measure(measure_code, scope=scope)
    area = get_area(area_code)
    return _region_headline(
        scope, measure, area, _headline(scope, measure, area, age_band), age_band
    )


def _region_headline(
    scope: Scope,
    measure: dict,
    area: AreaInfo,
    own: dict[str, Any] | None,
    age_band: str,
) -> dict[str, Any] | None:
    """region_headline for an area whose own headline (`_headline`) is known."""
    if area.level not in COARSER_THAN:
        return None
    region_code = region_of(area.code if area.level == "pfa" else area.parent_code)
    try:
        region = get_area(region_code) if region_code else None
    except NotFound:  # Wales is a country, not a region in the store
        region = None
    if region is None or region.level != "region":
        return None
    head = _headline(scope, measure, region, age_band)
    if head is None or head["illustrative"]:
        return None
    own_real = own is not None and not own["illustrative"]
    if own_real and own["period_end"] >= head["period_end"]:
        return None
    return head | {
        "region_code": region.code,
        "region_name": region.name,
        "coarser_than": COARSER_THAN[area.level],
        "own_period": own["period"] if own_real else None,
    }
