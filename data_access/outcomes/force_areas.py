"""Rates by force area for one financial year (or, for a measure with none, one
stored rolling year) against a benchmark, with disclosure control
(data_access.outcomes.year_values has the financial-year and rolling-year rules).

Disclosure control (scopes that need it, measures whose rule is not "none") applies
to counts; rates and percentages from a hidden count are hidden with it, never
rounded themselves. A proportion's denominator is a count too: where it is small the
row is hidden, that denominator included.

Columns
- FORCE_AREA_COLUMNS (`force_area_rates`): code, name, is_vru, vru_start_year,
  period (label "2018/19" or "year ending Jun 2025"), count, population, rate,
  rate_lower, rate_upper (at the chosen confidence), benchmark_rate,
  benchmark_label, comparison (better / similar / worse / higher / lower / not
  compared), illustrative, source_title, suppressed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data_access import disclosure, periods, statistics
from data_access.cache import memoized
from data_access.measures import get_measure
from data_access.outcomes import series_disclosure
from data_access.outcomes.year_values import (
    _check_confidence,
    _in_group,
    _in_year_with_national,
    _pooled_rate,
    _ranked_measure,
    benchmark_label,
    parse_year_key,
    pooled_national_label,
    resolve_benchmark,
    year_label,
)
from data_access.scope import Scope

FORCE_AREA_COLUMNS = [
    "code",
    "name",
    "is_vru",
    "vru_start_year",
    "period",
    "count",
    "population",
    "rate",
    "rate_lower",
    "rate_upper",
    "benchmark_rate",
    "benchmark_label",
    "comparison",
    "illustrative",
    "source_title",
    "suppressed",
]


# ----------------------------------------------------------- force area rates


def force_area_rates(
    *,
    scope: Scope,
    measure_code: str,
    period_start: str,
    age_band: str = "all",
    confidence: float = 0.95,
    benchmark: str = "national",
    level: str = "pfa",
) -> pd.DataFrame:
    """Rates of every area of `level` for the financial year starting
    `period_start` ("2018-04"), or a measure's stored rolling year starting that
    month ("2024-07"), compared with the benchmark (FORCE_AREA_COLUMNS),
    highest rate first. Disclosure control applies for scopes that need it.
    A share (a proportion: year_values.can_rank) is ranked by its percentage:
    its rate is the percentage, its population the denominator (offences)."""
    measure = _ranked_measure(measure_code, scope)
    key = parse_year_key(
        period_start, measure_code=measure_code, level=level, age_band=age_band
    )
    _check_confidence(confidence)
    benchmark = resolve_benchmark(benchmark, scope=scope)
    frame = _force_area_rates(
        measure_code, key, age_band, float(confidence), benchmark, level
    )
    if frame.empty:
        return frame
    pooled = frame.attrs.get("pooled", False)
    shown = _disclose(
        frame,
        rule=measure["disclosure_rule"],
        scope=scope,
        pooled=pooled,
        benchmark=benchmark,
        proportion=statistics.proportion_scale(measure) is not None,
        rates=_published_rates(measure, confidence=confidence),
    )
    controlled = scope.needs_disclosure_control and measure["disclosure_rule"] != "none"
    if controlled and level == "pfa" and not pooled:
        shown = _as_trends_publish(shown, measure, key, age_band, confidence)
    return shown


def _as_trends_publish(
    frame: pd.DataFrame, measure: dict, key: str, age_band: str, confidence: float
) -> pd.DataFrame:
    """Force areas' counts as every other view publishes them: trends discloses
    the force areas together with the benchmark that sums them, hiding a shown
    count where the benchmark would give a hidden one away. A count shown here
    but hidden there would undo that, so /compare hides it too."""
    table = series_disclosure.published_force_areas(
        measure, length="year", age_band=age_band
    )
    start = periods.parse_month(key, parameter="period")
    hidden_there = set(
        table.loc[(table["period_start"] == start) & table["suppressed"], "area_code"]
    )
    extra = frame["code"].isin(hidden_there) & ~frame["suppressed"].astype(bool)
    if not extra.any():
        return frame
    out = frame.copy()
    for col in ("count", "rate", "rate_lower", "rate_upper"):
        out[col] = out[col].astype(float).mask(extra)
    out["comparison"] = out["comparison"].where(~extra, "not compared")
    out["suppressed"] = out["suppressed"].astype(bool) | extra
    return out


def _published_rates(measure: dict, *, confidence: float = 0.95, names=None):
    """The engine's `rates`: a row's rate and CI from its published (rounded)
    count and population, by the measure's method; `names` renames rate,
    rate_lower, rate_upper."""

    def rates(frame: pd.DataFrame) -> pd.DataFrame:
        work = frame.astype({"count": float, "population": float})
        out = statistics.rates_for(
            work,
            ci_method=measure["ci_method"],
            multiplier=measure["rate_multiplier"],
            count_col="count",
            population_col="population",
            confidence=confidence,
        )
        names_ = {k: v for k, v in (names or {}).items() if k in out}
        return out.drop(columns=list(names_.values())).rename(columns=names_)

    return rates


@memoized
def _force_area_rates(
    measure_code: str,
    key: str,
    age_band: str,
    confidence: float,
    benchmark: str | tuple,
    level: str,
) -> pd.DataFrame:
    measure = get_measure(measure_code)
    # per so many people, or a share's 100 (statistics.rate_scale)
    multiplier = statistics.rate_scale(measure)
    # this year's figures alone, the national ones with them (one statement);
    # a shallow copy is the caller's own to add columns to (copy-on-write)
    frame, national = _in_year_with_national(
        measure_code, level, age_band, key, benchmark == "national"
    )
    frame = frame.copy(deep=False)
    if frame.empty:
        return pd.DataFrame(columns=FORCE_AREA_COLUMNS)
    frame["period"] = year_label(key)
    frame = statistics.rates_for(
        frame,
        ci_method=measure["ci_method"],
        multiplier=multiplier,
        count_col="count",
        population_col="population",
        confidence=confidence,
    )
    pooled = False
    if benchmark == "national":
        if national is not None:
            bench = national[0] / national[1] * multiplier
            label = national[2]
        else:
            # No published national figure: the areas pooled, named by what
            # they are (England and Wales, or England for an England-only measure).
            bench, pooled = _pooled_rate(frame, multiplier), True
            label = pooled_national_label(measure, len(frame))
    else:
        bench = _pooled_rate(frame[_in_group(frame, benchmark)], multiplier)
        label, pooled = benchmark_label(benchmark), True
    frame["benchmark_rate"] = bench
    frame["benchmark_label"] = label
    compared = statistics.compare_to_benchmark_frame(
        frame,
        benchmark="benchmark_rate",
        polarity=measure["polarity"],
        level=confidence,
    )
    frame["comparison"] = compared[f"comparison_{statistics.level_label(confidence)}"]
    frame["suppressed"] = False
    # highest rate first, then by name; the rows and columns taken in one step
    order = ranked_order(frame["rate"].tolist(), frame["name"].tolist())
    columns = [frame.columns.get_loc(c) for c in FORCE_AREA_COLUMNS]
    frame = frame.iloc[order, columns]
    frame.index = pd.RangeIndex(len(frame))
    frame.attrs["pooled"] = pooled
    return frame


def ranked_order(rates: list, names: list) -> list[int]:
    """The rows' positions highest rate first, then by name, a missing rate (or
    name) last, ties in the rows' order: as sort_values(["rate", "name"],
    ascending=[False, True]) orders them (a stable sort), in plain Python over
    the columns' lists (issue 19; tests/data_access/test_fy_one_year.py)."""

    def key(i: int) -> tuple:
        rate, name = rates[i], names[i]
        no_rate = rate is None or rate != rate
        no_name = name is None or name != name
        return (no_rate, 0.0 if no_rate else -rate, no_name, "" if no_name else name)

    return sorted(range(len(rates)), key=key)


def _disclose(
    frame: pd.DataFrame,
    *,
    rule: str,
    scope: Scope,
    pooled: bool,
    benchmark: str | tuple,
    proportion: bool = False,
    rates=None,
) -> pd.DataFrame:
    """Disclosure control for scopes that need it. A pooled benchmark is a total
    of the rows shown, so it is protected as one (secondary suppression). A
    proportion's population is its denominator, a count: a small one hides its
    row and itself."""
    if not scope.needs_disclosure_control or rule == "none":
        return frame
    work = frame.drop(columns="suppressed")
    work["_group"] = np.where(_in_group(work, benchmark), "in", "out")
    group_cols = ["_group", "code"] if pooled else ["code"]
    disclosed = disclosure.apply_disclosure(
        work,
        rule=rule,
        count_cols=["count"],
        # checked, not rounded: a small one hides its row and itself
        check_cols=["population"] if proportion else [],
        group_cols=group_cols,
        totals_over=["code"] if pooled else [],
        keep_cols=["population", "benchmark_rate", "vru_start_year"],
        derived_cols=["comparison"],
        rates=rates,
    ).frame
    if disclosure.TOTAL_OVER not in disclosed:
        disclosed[disclosure.TOTAL_OVER] = ""
    totals = disclosed[disclosure.TOTAL_OVER] != ""
    cells = disclosed[~totals].copy()
    # The cells are the input rows, in order, before any total the engine added.
    small = (
        disclosure.small_counts(work["population"], rule).to_numpy()
        if proportion
        else np.zeros(len(cells), dtype=bool)
    )
    in_group = (cells["_group"] == "in").to_numpy()
    # A pooled proportion gives a hidden denominator away: of the few it could
    # be, only one makes the summed numerators a whole number.
    if pooled and (
        disclosed.loc[totals & (disclosed["_group"] == "in"), "suppressed"].any()
        or (small & in_group).any()
    ):
        cells["benchmark_rate"] = math.nan
        cells["comparison"] = cells["comparison"].where(
            cells["suppressed"], "not compared"
        )
    cells = cells.drop(columns=["_group", disclosure.TOTAL_OVER])
    return cells.reset_index(drop=True)[FORCE_AREA_COLUMNS]
