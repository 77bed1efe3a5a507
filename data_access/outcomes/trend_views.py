"""A success measure's trend for an area with its benchmark, breaks, funding start
and children (drill-down), and the public level series: the one road every page,
embed and the API take. Columns: see data_access.outcomes.raw_series.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_access import disclosure, statistics
from data_access.areas import NATIONAL_CODE, get_area, list_areas
from data_access.errors import AccessDenied
from data_access.measures import (
    get_measure,
)
from data_access.outcomes.area_trends import (
    _compare,
    _own,
    _trend,
    _window,
    funding_start,
    series_breaks,
)
from data_access.outcomes.benchmarking import _benchmark, benchmark_name
from data_access.outcomes.headlines import _baseline, _recent
from data_access.outcomes.raw_series import (
    TREND_COLUMNS,
    _add_rates,
    _by_length,
    _raw,
    check_age_band,
    check_length,
)
from data_access.outcomes.series_disclosure import _disclose
from data_access.scope import Scope


def trend_view(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """Everything a trend chart of one measure in one area shows, in one call:
    the signed-in /violence page, the public embeds and the open API all read
    it (the public ones with scope.PUBLIC, which turns disclosure control on).

    Keys: measure (its row), area (AreaInfo), series (`trend_with_benchmark`),
    own (the area's own series at `length` in every period, disclosed: what
    its children are compared with, area_trends.children_of),
    benchmark_name (the measure's coverage), disclosure_note (a caption
    sentence: whether this scope's figures are disclosure-controlled, "" when
    the measure's rule changes nothing), funding_start (period label or
    None), breaks (`series_breaks` of the series), recent_trend (`recent_trend`
    up to `end`), baseline (`baseline_change`, None for the quarterly view of
    a measure with no year). Figures are disclosed for scopes that need it,
    and every figure derived from them (trend, baseline, comparison) is worked
    out from the disclosed ones."""
    measure = get_measure(measure_code, scope=scope)
    area = get_area(area_code)
    own = _own(scope, measure, area, length, age_band)
    series = _trend(scope, measure, area, length, age_band, start, end, own=own)
    # the baseline's financial years: the trend's own series when it is by year
    years = own if length == "year" else _own(scope, measure, area, "year", age_band)
    return {
        "measure": measure,
        "area": area,
        "series": series,
        "own": own,
        "benchmark_name": benchmark_name(measure),
        "disclosure_note": disclosure.role_note(
            measure["disclosure_rule"], controlled=scope.needs_disclosure_control
        ),
        "funding_start": funding_start(area_code=area.code, length=length),
        "breaks": series_breaks(
            measure_code=measure["code"], area_code=area.code, series=series
        ),
        "recent_trend": _recent(scope, measure, area, length, age_band, end, own),
        "baseline": _baseline(scope, measure, years),
    }


def level_series(
    *,
    scope: Scope,
    measure_code: str,
    level: str,
    length: str = "quarter",
    age_band: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Every area of `level` ("pfa", "lad" or "country": the benchmark alone)
    in every period, and the benchmark (TREND_COLUMNS, role "area" or
    "benchmark"), by period then area name. The same figures as each area's
    own trend: the same periods (financial years, or quarters), the same
    benchmark and the same disclosure. A measure that is not public only for
    scopes that read every area."""
    measure = get_measure(measure_code, scope=scope)
    check_length(length)
    check_age_band(age_band)
    if not measure["is_public"] and not scope.unrestricted:
        raise AccessDenied("your access does not include every area")
    options = {"length": length, "age_band": age_band}
    bench = _disclose(_benchmark(measure, length, age_band), measure, scope, **options)
    frames = [bench.assign(role="benchmark", comparison="")]
    if level != "country":
        codes = set(list_areas(level=level)["code"])
        parent = NATIONAL_CODE if level == "pfa" else None
        raw = _raw(measure_code, None, parent, age_band)
        areas = _by_length(
            raw[raw["area_code"].isin(codes)],
            length,
            proportion_scale=statistics.proportion_scale(measure),
        )
        areas = _disclose(_add_rates(areas, measure), measure, scope, **options)
        areas = _compare(areas, bench, measure["polarity"])
        frames.insert(0, areas.assign(role="area"))
    out = _window(pd.concat(frames, ignore_index=True), start, end)
    if out.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    out = out.sort_values(["period_start", "area_name"], kind="stable")
    return out[TREND_COLUMNS].reset_index(drop=True)
