"""Comparing areas fairly: rates by force area for one financial year, funnel limits,
VRU against non-VRU areas before and after funding, and one area's profile.

Every comparison is by financial year. A measure's financial-year figure for an area
is its stored 12-month April-March value where one exists, otherwise its four stored
quarters of that year combined in SQL: a count's year sums their counts and keeps
the population of the year's first quarter (the mid-year estimate the annual figures
use); a proportion's (a measure with a Wilson interval, statistics.proportion_scale)
sums the numerators and the denominators, so its value is pooled, never four
percentages added or a year's numerators over one quarter's denominator, and needs
all four quarters' denominators. Knife offences therefore have real ONS financial
years 2010/11 to 2018/19 and illustrative years, summed from illustrative quarters,
from 2019/20.

Groups of areas or of years (benchmarks, VRU against non-VRU) are pooled: summed
counts over summed populations, or summed numerators over summed denominators.

Disclosure control (scopes that need it, measures whose rule is not "none") applies
to counts; rates and percentages from a hidden count are hidden with it, never
rounded themselves. A proportion's denominator is a count too: where it is small the
row is hidden, that denominator included.

Benchmarks: "national" is England and Wales where the store holds that year, else
England (hospital admissions cover England only), else the pooled rate of the areas
compared (labelled so). "vru" / "non_vru" are the pooled rates of the areas that
have ever had a VRU (20) / never have (23).

Columns
- FORCE_AREA_COLUMNS (`force_area_rates`): code, name, is_vru, vru_start_year,
  period (label "2018/19"), count, population, rate, rate_lower, rate_upper (at the
  chosen confidence), benchmark_rate, benchmark_label, comparison (better / similar /
  worse / higher / lower / not compared), illustrative, source_title, suppressed.
- PERIOD_COLUMNS (`available_periods`): year (2018 = 2018/19), value ("2018-04", the
  URL form), label ("2018/19"), n_areas, illustrative.
- FUNNEL_COLUMNS (`funnel_limits`): population, benchmark, lower_95, upper_95,
  lower_998, upper_998.
- VRU_COLUMNS (`vru_vs_non_vru`): group ("vru" / "non_vru"), group_label, n_areas,
  areas_left_out, then for window in (baseline, latest): <window>_label,
  <window>_count, <window>_population (person-years), <window>_rate,
  <window>_lower, <window>_upper; then rate_ratio, ratio_lower, ratio_upper,
  percent_change, direction, illustrative.
- PROFILE_COLUMNS (`area_profile`): measure_code, measure_name, unit, kind ("rate",
  "percent" or "value"), multiplier, polarity, disclosure_rule, period, count,
  population, value (the rate, percentage or value compared), lower, upper,
  benchmark, benchmark_label, national (England and Wales, or England), comparison,
  min, q25, q75, max (across areas of the comparator level that year), n_areas,
  trend (headlines.recent_trend over its financial years, the verdict every page
  shows), trend_dispersion (that test's dispersion), illustrative, source_title,
  suppressed.
- INTERVENTION_COLUMNS (`area_interventions`): name, tier, delivering_area, provider,
  evidence_rating, start_date, end_date, illustrative, source_title.
- MONEY_COLUMNS (`area_money`): financial_year, period, allocated, precision,
  amount_as_published, allocation_source, spent, quarters_reported, illustrative.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select
from sqlalchemy.orm import aliased

from data_access import disclosure, periods, statistics
from data_access.areas import NATIONAL_CODE, get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import InvalidParameter
from data_access.funding import FUNDER_HOME_OFFICE, PROGRAMME_VRU
from data_access.measures import get_measure, list_measures, measure_metadata
from data_access.models import (
    Area,
    FundingAllocation,
    Intervention,
    Measure,
    MeasureValue,
    Source,
    Spend,
    covered_area_name,
)
from data_access.outcomes import headlines, series_disclosure
from data_access.scope import PUBLIC, Scope

ENGLAND_CODE = "E92000001"
BENCHMARKS = {
    "national": "England and Wales",
    "vru": "VRU areas (pooled)",
    "non_vru": "Non-VRU areas (pooled)",
}
CONFIDENCE_LEVELS = (0.95, 0.998)
BASELINE_YEARS = (2016, 2018)  # 2016/17 to 2018/19: before VRU funding began
FIRST_VRU_YEAR = 2019  # the 18 areas funded from 2019/20
LATEST_WINDOW = 3  # years in the "latest" window, as many as the baseline

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
PERIOD_COLUMNS = ["year", "value", "label", "n_areas", "illustrative"]
FUNNEL_COLUMNS = [
    "population",
    "benchmark",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
]
PROFILE_COLUMNS = [
    "measure_code",
    "measure_name",
    "unit",
    "kind",
    "multiplier",
    "polarity",
    "disclosure_rule",
    "period",
    "count",
    "population",
    "value",
    "lower",
    "upper",
    "benchmark",
    "benchmark_label",
    "national",
    "comparison",
    "min",
    "q25",
    "q75",
    "max",
    "n_areas",
    "trend",
    "trend_dispersion",
    "illustrative",
    "source_title",
    "suppressed",
]
INTERVENTION_COLUMNS = [
    "name",
    "tier",
    "delivering_area",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "illustrative",
    "source_title",
]
MONEY_COLUMNS = [
    "financial_year",
    "period",
    "allocated",
    "precision",
    "amount_as_published",
    "allocation_source",
    "spent",
    "quarters_reported",
    "illustrative",
]
_FY_COLUMNS = [
    "code",
    "name",
    "is_vru",
    "vru_start_year",
    "year",
    "count",
    "population",
    "illustrative",
    "source_title",
]


# --------------------------------------------------------------------- checks


def _rate_measure(measure_code: str, scope: Scope) -> dict:
    measure = get_measure(measure_code, scope=scope)
    if not measure["rate_multiplier"] or pd.isna(measure["rate_multiplier"]):
        raise InvalidParameter(
            "measure", f"'{measure['name']}' is not a rate, so it cannot be ranked"
        )
    return measure


def _check_confidence(confidence: float) -> float:
    if confidence not in CONFIDENCE_LEVELS:
        raise InvalidParameter("level", "the confidence level must be 95% or 99.8%")
    return confidence


def _check_benchmark(benchmark: str) -> str:
    if benchmark not in BENCHMARKS:
        raise InvalidParameter(
            "benchmark", f"benchmark must be one of {', '.join(BENCHMARKS)}"
        )
    return benchmark


def rate_measures(*, scope: Scope) -> pd.DataFrame:
    """Public rate measures that have financial-year figures for force areas
    (MEASURE_COLUMNS of data_access.measures), success measures first."""
    table = list_measures(include_private=not scope.is_public)
    table = table[table["rate_multiplier"].notna() & table["is_public"]]
    keep = _codes_with_years("pfa", "all")
    return table[table["code"].isin(keep)].reset_index(drop=True)


# ------------------------------------------------------ financial-year values


def _months():
    start_y = extract("year", MeasureValue.period_start)
    start_m = extract("month", MeasureValue.period_start)
    end_y = extract("year", MeasureValue.period_end)
    end_m = extract("month", MeasureValue.period_end)
    return start_y, start_m, (end_y - start_y) * 12 + end_m - start_m + 1


def _fy_base(level: str, age_band: str):
    """The current values of areas of `level` that financial years come from."""
    return (
        select()
        .select_from(MeasureValue)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            Area.level == level,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
        )
    )


def _is_proportion():
    """SQL: the measure is a proportion (as statistics.proportion_scale says)."""
    return Measure.ci_method.in_(statistics.PROPORTION_CI_METHODS)


def _four_quarters(start_m):
    """HAVING for a group of quarters that makes a financial year: all four, each
    with a count, and a proportion's each with its denominator (they are pooled).
    `Measure` is grouped on, or the outer row of a correlated subquery."""
    return and_(
        func.count() == 4,
        func.count(MeasureValue.numerator) == 4,
        func.count(func.distinct(start_m)) == 4,
        or_(~_is_proportion(), func.count(MeasureValue.denominator) == 4),
    )


@memoized
def _codes_with_years(level: str, age_band: str) -> list[str]:
    """Codes of the measures for which `_fy_values` finds any figure: a stored
    April-March row, or four quarters of one year, for an area of `level`.

    One query for every measure (not `_fy_values` once per measure). Each test is
    an EXISTS on the measure's values through ix_measure_value_lookup
    (measure, area, period_months, ...), so it stops at the first year found
    instead of reading every value. period_months is the number of months
    _months() works out from the dates (set from them on insert)."""
    start_y, start_m, _ = _months()
    fy = case((start_m >= 4, start_y), else_=start_y - 1)

    def values(months: int):
        return (
            select(MeasureValue.area_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                MeasureValue.measure_id == Measure.id,
                Area.level == level,
                MeasureValue.age_band == age_band,
                MeasureValue.is_current,
                MeasureValue.period_months == months,
            )
        )

    # OFFSET 0 keeps PostgreSQL probing the index once per measure: a plain
    # EXISTS would be planned as one hashed scan of every value in the store.
    annual = values(12).where(start_m == 4).offset(0)
    quarters = (
        values(3).group_by(MeasureValue.area_id, fy).having(_four_quarters(start_m))
    )
    query = (
        select(Measure.code)
        .where(or_(annual.exists(), quarters.exists()))
        .order_by(Measure.code)
    )
    with session_scope() as session:
        return list(session.scalars(query))


@memoized
def _fy_values(measure_code: str, level: str, age_band: str) -> pd.DataFrame:
    """Financial-year figures (_FY_COLUMNS) of every area of `level`: stored
    April-March rows, else four stored quarters combined in SQL (see the module
    docstring: a count's year keeps Q1's population, a proportion's pools its
    denominators)."""
    start_y, start_m, months = _months()
    fy = case((start_m >= 4, start_y), else_=start_y - 1)
    base = _fy_base(level, age_band).where(Measure.code == measure_code)
    illustrative = func.max(cast(Source.illustrative, Integer))
    annual = base.add_columns(
        Area.code,
        covered_area_name(),
        Area.is_vru,
        Area.vru_start_year,
        cast(start_y, Integer).label("year"),
        MeasureValue.numerator,
        MeasureValue.denominator,
        cast(Source.illustrative, Integer).label("illustrative"),
        Source.title,
    ).where(start_m == 4, months == 12)
    quarters = (
        base.add_columns(
            Area.code,
            Area.name,
            Area.is_vru,
            Area.vru_start_year,
            cast(fy, Integer).label("year"),
            func.sum(MeasureValue.numerator),
            case(
                # summed numerators over one quarter's denominator would be
                # four times the proportion
                (_is_proportion(), func.sum(MeasureValue.denominator)),
                # a count's population: the mid-year in which the year starts
                else_=func.max(
                    case((start_m == 4, MeasureValue.denominator), else_=None)
                ),
            ),
            illustrative,
            func.min(Source.title),
        )
        .where(months == 3)
        .group_by(
            Area.code,
            Area.name,
            Area.is_vru,
            Area.vru_start_year,
            fy,
            Measure.ci_method,
        )
        .having(_four_quarters(start_m))
    )
    with session_scope() as session:
        annual_rows = session.execute(annual).all()
        quarter_rows = session.execute(quarters).all()
    frames = [
        pd.DataFrame(rows, columns=_FY_COLUMNS).assign(_pref=pref)
        for rows, pref in ((annual_rows, 0), (quarter_rows, 1))
        if rows
    ]
    if not frames:
        return pd.DataFrame(columns=_FY_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame = (
        frame.sort_values(["code", "year", "_pref"])
        .drop_duplicates(["code", "year"], keep="first")
        .drop(columns="_pref")
    )
    frame["count"] = pd.to_numeric(frame["count"], errors="coerce").astype(float)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").astype(
        float
    )
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(int).astype(bool)
    frame["is_vru"] = frame["is_vru"].fillna(False).astype(bool)
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(["year", "code"]).reset_index(drop=True)[_FY_COLUMNS]


def available_periods(
    *, measure_code: str, level: str = "pfa", age_band: str = "all"
) -> pd.DataFrame:
    """Financial years with figures for areas of `level` (PERIOD_COLUMNS), oldest
    first. Raises NotFound for an unknown or non-public measure."""
    get_measure(measure_code)
    frame = _fy_values(measure_code, level, age_band)
    frame = frame[frame["count"].notna() & (frame["population"] > 0)]
    if frame.empty:
        return pd.DataFrame(columns=PERIOD_COLUMNS)
    grouped = (
        frame.groupby("year")
        .agg(n_areas=("code", "nunique"), illustrative=("illustrative", "any"))
        .reset_index()
    )
    grouped["value"] = [f"{y:04d}-04" for y in grouped["year"]]
    grouped["label"] = [periods.fy_label(int(y)) for y in grouped["year"]]
    return grouped[PERIOD_COLUMNS]


def parse_period(value: str | None, *, parameter: str = "period") -> int:
    """'2018-04' (the URL form of a financial year) -> 2018; InvalidParameter else."""
    if value is None:
        raise InvalidParameter(parameter, "no period given")
    start = periods.parse_month(value, parameter=parameter)
    if start.month != 4:
        raise InvalidParameter(
            parameter, f"'{value}' is not the start of a financial year (April)"
        )
    return start.year


# ------------------------------------------------------------------ benchmark


@memoized
def _national(measure_code: str, year: int, age_band: str) -> tuple | None:
    """(count, population, label) of England and Wales, else England, for a year."""
    frame = _fy_values(measure_code, "country", age_band)
    frame = frame[(frame["year"] == year) & frame["count"].notna()]
    for code in (NATIONAL_CODE, ENGLAND_CODE):
        row = frame[frame["code"] == code]
        if not row.empty and row.iloc[0]["population"] > 0:
            r = row.iloc[0]
            return float(r["count"]), float(r["population"]), str(r["name"])
    return None


def _pooled_rate(frame: pd.DataFrame, multiplier: float) -> float:
    usable = frame[frame["count"].notna() & (frame["population"] > 0)]
    if usable.empty:
        return math.nan
    return usable["count"].sum() / usable["population"].sum() * multiplier


def _in_group(frame: pd.DataFrame, benchmark: str) -> pd.Series:
    if benchmark == "vru":
        return frame["is_vru"]
    if benchmark == "non_vru":
        return ~frame["is_vru"]
    return pd.Series(True, index=frame.index)


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
    `period_start` ("2018-04"), compared with the benchmark (FORCE_AREA_COLUMNS),
    highest rate first. Disclosure control applies for scopes that need it."""
    measure = _rate_measure(measure_code, scope)
    year = parse_period(period_start)
    _check_confidence(confidence)
    _check_benchmark(benchmark)
    frame = _force_area_rates(
        measure_code, year, age_band, float(confidence), benchmark, level
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
        shown = _as_trends_publish(shown, measure, year, age_band, confidence)
    return shown


def _as_trends_publish(
    frame: pd.DataFrame, measure: dict, year: int, age_band: str, confidence: float
) -> pd.DataFrame:
    """Force areas' counts as every other view publishes them: trends discloses
    the force areas together with the benchmark that sums them, hiding a shown
    count where the benchmark would give a hidden one away. A count shown here
    but hidden there would undo that, so /compare hides it too."""
    table = series_disclosure.published_force_areas(
        measure, length="year", age_band=age_band
    )
    start = periods.fy_bounds(year)[0]
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
    year: int,
    age_band: str,
    confidence: float,
    benchmark: str,
    level: str,
) -> pd.DataFrame:
    measure = get_measure(measure_code)
    multiplier = float(measure["rate_multiplier"])
    frame = _fy_values(measure_code, level, age_band)
    frame = frame[frame["year"] == year].copy()
    if frame.empty:
        return pd.DataFrame(columns=FORCE_AREA_COLUMNS)
    frame["period"] = periods.fy_label(year)
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
        national = _national(measure_code, year, age_band)
        if national is not None:
            bench = national[0] / national[1] * multiplier
            label = national[2]
        else:
            bench, label, pooled = _pooled_rate(frame, multiplier), "", True
            label = "All areas shown (pooled)"
    else:
        bench = _pooled_rate(frame[_in_group(frame, benchmark)], multiplier)
        label, pooled = BENCHMARKS[benchmark], True
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
    frame = frame.sort_values(["rate", "name"], ascending=[False, True])
    frame = frame.reset_index(drop=True)[FORCE_AREA_COLUMNS]
    frame.attrs["pooled"] = pooled
    return frame


def _disclose(
    frame: pd.DataFrame,
    *,
    rule: str,
    scope: Scope,
    pooled: bool,
    benchmark: str,
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


# --------------------------------------------------------------------- funnel


def funnel_limits(
    *,
    benchmark_rate: float,
    populations: list[float] | np.ndarray,
    multiplier: float,
    points: int = 120,
    ci_method: str = "byar",
) -> pd.DataFrame:
    """95% and 99.8% control limits (FUNNEL_COLUMNS) around `benchmark_rate` on a
    smooth, log-spaced grid spanning the populations shown."""
    pops = np.asarray([p for p in populations if p and p > 0], dtype=float)
    if not len(pops) or not math.isfinite(benchmark_rate):
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    grid = np.geomspace(pops.min() * 0.8, pops.max() * 1.1, points)
    grid = np.unique(np.concatenate([grid, pops]))
    return _limits_at(benchmark_rate, grid, multiplier, ci_method)[FUNNEL_COLUMNS]


def _limits_at(
    benchmark_rate: float, populations: np.ndarray, multiplier: float, ci_method: str
) -> pd.DataFrame:
    """Control limits at `populations` by the measure's method: binomial ones
    (statistics.funnel_limits_proportion) for a proportion, whatever its scale,
    the PHE/OHID inverted exact Poisson ones (statistics.funnel_limits_rate) for a
    rate."""
    scale = statistics.proportion_scale(
        {"ci_method": ci_method, "rate_multiplier": multiplier}
    )
    if scale is None:
        return statistics.funnel_limits_rate(
            benchmark_rate=benchmark_rate,
            populations=populations,
            multiplier=multiplier,
        )
    limits = statistics.funnel_limits_proportion(
        benchmark_proportion=benchmark_rate / scale, populations=populations
    )
    figures = [c for c in limits.columns if c != "population"]
    limits[figures] = limits[figures] * scale
    return limits


FUNNEL_POSITIONS = (
    "above 99.8% limit",
    "above 95% limit",
    "within 95% limits",
    "below 95% limit",
    "below 99.8% limit",
    "not shown",
)


def funnel(
    *,
    scope: Scope,
    measure_code: str,
    period_start: str,
    age_band: str = "all",
    benchmark: str = "national",
    level: str = "pfa",
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(points, limits, overdispersion) for a funnel plot of rate against
    population.

    points: FORCE_AREA_COLUMNS (95% CIs) plus funnel_position and
    funnel_position_adjusted, each one of FUNNEL_POSITIONS, judged against the
    control limits at the area's own population: the PHE/OHID limits, and those
    limits widened for overdispersion. limits: FUNNEL_COLUMNS from
    `funnel_limits` (unadjusted). overdispersion: statistics.funnel_overdispersion
    keys (from the areas shown, against the benchmark) plus tau (the
    between-area standard deviation in the measure's units) and limits (the
    adjusted FUNNEL_COLUMNS, statistics.overdispersed_limits; the same as the
    unadjusted ones when the areas are not overdispersed)."""
    points = force_area_rates(
        scope=scope,
        measure_code=measure_code,
        period_start=period_start,
        age_band=age_band,
        confidence=0.95,
        benchmark=benchmark,
        level=level,
    )
    if points.empty:
        empty = pd.DataFrame(columns=FUNNEL_COLUMNS)
        overdispersion = statistics.funnel_overdispersion(
            counts=[], populations=[], benchmark=math.nan
        )
        return points, empty, {**overdispersion, "tau": math.nan, "limits": empty}
    measure = get_measure(measure_code, scope=scope)
    bench = float(points["benchmark_rate"].iloc[0])
    multiplier = float(measure["rate_multiplier"])
    scale = statistics.proportion_scale(measure) or multiplier
    proportion = statistics.proportion_scale(measure) is not None
    rate = pd.to_numeric(points["rate"], errors="coerce").to_numpy(dtype=float)
    population = points["population"].to_numpy(dtype=float)
    # Rates come from unrounded counts, so count = rate / scale x population is
    # the count itself; a hidden area has no rate and is left out.
    overdispersion = statistics.funnel_overdispersion(
        counts=rate / scale * population,
        populations=population,
        benchmark=bench / scale,
        proportion=proportion,
    )
    tau2 = overdispersion["tau2"]
    overdispersion["tau"] = math.sqrt(tau2) * scale

    def adjusted(limits: pd.DataFrame) -> pd.DataFrame:
        return statistics.overdispersed_limits(
            limits, tau2=tau2, proportion=proportion, scale=scale
        )

    limits = funnel_limits(
        benchmark_rate=bench,
        populations=points["population"].dropna().tolist(),
        multiplier=multiplier,
        ci_method=measure["ci_method"],
    )
    overdispersion["limits"] = adjusted(limits)[FUNNEL_COLUMNS]
    at_own = _limits_at(bench, population, multiplier, measure["ci_method"])
    points = points.copy()
    points["funnel_position"] = _positions(rate, at_own)
    points["funnel_position_adjusted"] = _positions(rate, adjusted(at_own))
    return points, limits, overdispersion


def _positions(rate: np.ndarray, limits: pd.DataFrame) -> list[str]:
    """Each rate's FUNNEL_POSITIONS entry against the limits in the same row."""
    positions = []
    for value, lim in zip(rate, limits.to_dict("records"), strict=True):
        if math.isnan(value) or math.isnan(lim["upper_95"]):
            positions.append("not shown")
        elif value > lim["upper_998"]:
            positions.append("above 99.8% limit")
        elif value > lim["upper_95"]:
            positions.append("above 95% limit")
        elif value < lim["lower_998"]:
            positions.append("below 99.8% limit")
        elif value < lim["lower_95"]:
            positions.append("below 95% limit")
        else:
            positions.append("within 95% limits")
    return positions


# ------------------------------------------------------------ VRU vs non-VRU


def vru_vs_non_vru(
    *, scope: Scope, measure_code: str, age_band: str = "all"
) -> pd.DataFrame:
    """Pooled rates of the areas funded from 2019/20 and of the non-VRU areas, for
    the 2016/17-2018/19 baseline and the latest three financial years with figures
    for both groups (VRU_COLUMNS), with the change as a rate ratio.

    Only areas with figures in all six years are pooled, so both windows cover the
    same areas (the rest are named in areas_left_out). Areas funded from 2022/23
    (Cleveland, Humberside) are in neither group. Descriptive, not causal."""
    _rate_measure(measure_code, scope)
    return _vru_vs_non_vru(measure_code, age_band)


def _vru_groups(frame: pd.DataFrame) -> dict | None:
    """Which areas and years `vru_vs_non_vru` compares, from a measure's
    financial-year figures (`_fy_values`): groups (name -> complete areas' rows
    in the six years), left_out (name -> names of areas left out), baseline and
    latest (lists of years). None when there are not enough years."""
    frame = frame[frame["count"].notna() & (frame["population"] > 0)]
    masks = {
        "vru": frame["is_vru"] & (frame["vru_start_year"] == FIRST_VRU_YEAR),
        "non_vru": ~frame["is_vru"],
    }
    baseline = list(range(BASELINE_YEARS[0], BASELINE_YEARS[1] + 1))
    later = sorted(
        set(frame.loc[masks["vru"], "year"]) & set(frame.loc[masks["non_vru"], "year"])
    )
    later = [y for y in later if y > BASELINE_YEARS[1]]
    if len(later) < LATEST_WINDOW or not all(y in set(frame["year"]) for y in baseline):
        return None
    latest = later[-LATEST_WINDOW:]
    years = baseline + latest
    groups, left_out = {}, {}
    for group, mask in masks.items():
        part = frame[mask & frame["year"].isin(years)]
        per_area = part.groupby("code")["year"].nunique()
        complete = per_area[per_area == len(years)].index
        all_codes = frame.loc[mask, ["code", "name"]].drop_duplicates()
        left_out[group] = sorted(
            all_codes.loc[~all_codes["code"].isin(complete), "name"]
        )
        groups[group] = part[part["code"].isin(complete)]
    return {
        "groups": groups,
        "left_out": left_out,
        "baseline": baseline,
        "latest": latest,
    }


@memoized
def _vru_vs_non_vru(measure_code: str, age_band: str) -> pd.DataFrame:
    measure = get_measure(measure_code)
    multiplier = float(measure["rate_multiplier"])
    chosen = _vru_groups(_fy_values(measure_code, "pfa", age_band))
    if chosen is None:
        return pd.DataFrame()
    baseline, latest = chosen["baseline"], chosen["latest"]
    rows = []
    for group, part in chosen["groups"].items():
        row = {
            "group": group,
            "group_label": (
                "VRU areas funded from 2019/20" if group == "vru" else "Non-VRU areas"
            ),
            "n_areas": part["code"].nunique(),
            "areas_left_out": ", ".join(chosen["left_out"][group]),
        }
        for window, window_years in (("baseline", baseline), ("latest", latest)):
            w = part[part["year"].isin(window_years)]
            count, population = float(w["count"].sum()), float(w["population"].sum())
            rate, lower, upper = statistics.measure_rate(
                count=count,
                population=population,
                ci_method=measure["ci_method"],
                multiplier=multiplier,
            )
            row.update(
                {
                    f"{window}_label": (
                        f"{periods.fy_label(window_years[0])} to "
                        f"{periods.fy_label(window_years[-1])}"
                    ),
                    f"{window}_count": count,
                    f"{window}_population": population,
                    f"{window}_rate": rate,
                    f"{window}_lower": lower,
                    f"{window}_upper": upper,
                }
            )
        # Year by year, so the test allows for the group's overdispersion.
        by_year = part.groupby("year")[["count", "population"]].sum()
        change = statistics.change_from_baseline(
            baseline_count=by_year.loc[baseline, "count"].tolist(),
            baseline_population=by_year.loc[baseline, "population"].tolist(),
            current_count=by_year.loc[latest, "count"].tolist(),
            current_population=by_year.loc[latest, "population"].tolist(),
            multiplier=multiplier,
        )
        row.update(
            rate_ratio=change["rate_ratio"],
            ratio_lower=change["ratio_lower"],
            ratio_upper=change["ratio_upper"],
            percent_change=change["percent_change"],
            direction=change["direction"],
            illustrative=bool(part["illustrative"].any()),
        )
        rows.append(row)
    return pd.DataFrame(rows)


DID_METHOD = (
    "difference-in-differences with the force area as the unit: Welch's t test on "
    "each area's log rate ratio"
)


def vru_relative_change(
    *, scope: Scope, measure_code: str, age_band: str = "all", confidence: float = 0.95
) -> dict:
    """Did the VRU areas' rates change by a different amount from the non-VRU
    areas'? A difference-in-differences with the force area as the unit
    (DID_METHOD; Bertrand, Duflo and Mullainathan, "How much should we trust
    differences-in-differences estimates?", QJE 2004, recommend collapsing to
    each unit's before and after): each area's own change, the log of its rate
    ratio (latest window over baseline, the areas and years of `vru_vs_non_vru`),
    compared between the groups by Welch's unequal-variances t test (Welch,
    Biometrika 1947), so the areas' real variation in change, not Poisson noise
    in pooled counts, is the yardstick. An area with no events in a window has
    0.5 added to both its counts (the usual continuity correction of a log
    ratio). Descriptive, not causal.

    Keys: ratio (exp of the difference in mean log rate ratios: the VRU areas'
    geometric-mean rate ratio over the non-VRU areas'), lower, upper (its CI),
    p_value, df (Welch-Satterthwaite), n_vru, n_non_vru, significant, method.
    NaNs (and not significant) with fewer than two areas in a group."""
    _rate_measure(measure_code, scope)
    return _vru_relative_change(measure_code, age_band, confidence)


@memoized
def _vru_relative_change(measure_code: str, age_band: str, confidence: float) -> dict:
    result = {
        "ratio": math.nan,
        "lower": math.nan,
        "upper": math.nan,
        "p_value": math.nan,
        "df": math.nan,
        "n_vru": 0,
        "n_non_vru": 0,
        "significant": False,
        "method": DID_METHOD,
    }
    chosen = _vru_groups(_fy_values(measure_code, "pfa", age_band))
    if chosen is None:
        return result
    changes = {}
    for group, part in chosen["groups"].items():
        windows = {
            window: part[part["year"].isin(chosen[window])]
            .groupby("code")[["count", "population"]]
            .sum()
            for window in ("baseline", "latest")
        }
        base, late = (
            windows["baseline"],
            windows["latest"].loc[windows["baseline"].index],
        )
        empty = (base["count"] == 0) | (late["count"] == 0)
        correction = np.where(empty, 0.5, 0.0)
        changes[group] = np.log(
            (late["count"] + correction) / late["population"]
        ) - np.log((base["count"] + correction) / base["population"])
    vru, non = changes["vru"].to_numpy(), changes["non_vru"].to_numpy()
    result.update(n_vru=len(vru), n_non_vru=len(non))
    if len(vru) < 2 or len(non) < 2:
        return result
    test = stats.ttest_ind(vru, non, equal_var=False)
    difference = float(vru.mean() - non.mean())
    variance_vru, variance_non = vru.var(ddof=1) / len(vru), non.var(ddof=1) / len(non)
    se = math.sqrt(variance_vru + variance_non)
    df = (variance_vru + variance_non) ** 2 / (
        variance_vru**2 / (len(vru) - 1) + variance_non**2 / (len(non) - 1)
    )
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se
    result.update(
        ratio=math.exp(difference),
        lower=math.exp(difference - half),
        upper=math.exp(difference + half),
        p_value=float(test.pvalue),
        df=float(df),
        significant=bool(test.pvalue < 1 - confidence),
    )
    return result


# ---------------------------------------------------------------- area profile


def area_profile(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Every public measure for one area in its latest financial year with a
    figure, against the national benchmark, with the spread across areas of the
    same level and the recent trend (PROFILE_COLUMNS). NotFound for an unknown
    area. Disclosure control applies for scopes that need it."""
    area = get_area(area_code)
    frame = _area_profile(area.code, area.level)
    if frame.empty or not scope.needs_disclosure_control:
        return frame
    metadata = measure_metadata().set_index("code")
    out = []
    for row in frame.to_dict("records"):
        rule = row["disclosure_rule"]
        if rule != "none" and not pd.isna(row["count"]):
            one = pd.DataFrame([row]).drop(columns="suppressed")
            measure = metadata.loc[row["measure_code"]].to_dict()
            proportion = statistics.proportion_scale(measure) is not None
            one = disclosure.apply_disclosure(
                one,
                rule=rule,
                count_cols=["count"],
                # a proportion's population is its denominator, a count too
                # (checked, not rounded)
                check_cols=["population"] if proportion else [],
                group_cols=["measure_code"],
                keep_cols=[
                    "population",
                    "benchmark",
                    "national",
                    "min",
                    "q25",
                    "q75",
                    "max",
                    "n_areas",
                    "multiplier",
                ],
                derived_cols=["comparison", "trend", "trend_dispersion"],
                rates=_published_rates(
                    measure,
                    names={"rate": "value", "rate_lower": "lower"}
                    | {"rate_upper": "upper"},
                ),
            ).frame
            row = one.iloc[0].to_dict()
        out.append(row)
    return pd.DataFrame(out)[PROFILE_COLUMNS]


def _spread_level(level: str) -> str:
    return "lad" if level == "lad" else "pfa"


@memoized
def _area_profile(area_code: str, level: str) -> pd.DataFrame:
    table = list_measures()
    rows = []
    for m in table.to_dict("records"):
        row = _profile_row(m, area_code, level)
        if row is not None:
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    return pd.DataFrame(rows)[PROFILE_COLUMNS]


def _profile_row(m: dict, area_code: str, level: str) -> dict | None:
    own = _fy_values(m["code"], level, "all")
    own = own[(own["code"] == area_code) & own["count"].notna()]
    if own.empty:
        return None
    multiplier = m["rate_multiplier"]
    proportion_scale = statistics.proportion_scale(m)
    # A proportion first: one "per 100" still has Wilson limits, not Poisson ones.
    if proportion_scale is not None:
        kind, scale = "percent", proportion_scale
    elif multiplier and not pd.isna(multiplier):
        kind, scale = "rate", float(multiplier)
    else:
        kind, scale = "value", None
    latest = own.iloc[-1]
    year = int(latest["year"])

    def figures(count: float, pop: float) -> tuple[float, float, float]:
        if kind == "rate":
            return statistics.rate_ci(count=count, population=pop, multiplier=scale)
        if kind == "percent":
            if not pop or pd.isna(pop) or count > pop:
                return math.nan, math.nan, math.nan
            p, lo, hi = statistics.proportion_ci(successes=count, total=pop)
            return p * scale, lo * scale, hi * scale
        return count, math.nan, math.nan

    value, lower, upper = figures(latest["count"], latest["population"])
    national = _national(m["code"], year, "all")
    national_value = figures(national[0], national[1])[0] if national else math.nan
    peers = _fy_values(m["code"], _spread_level(level), "all")
    peers = peers[(peers["year"] == year) & peers["count"].notna()]
    if national:
        bench_value, bench_label = national_value, national[2]
    else:
        forces = _fy_values(m["code"], "pfa", "all")
        forces = forces[(forces["year"] == year) & forces["count"].notna()]
        bench_value = figures(forces["count"].sum(), forces["population"].sum())[0]
        bench_label = "All force areas (pooled)"
    # Areas whose count would be hidden are left out of the spread, so a minimum
    # or maximum never gives away a suppressed figure; for a proportion, also
    # those whose denominator would be.
    if m["disclosure_rule"] != "none":
        hidden = disclosure.small_counts(peers["count"], m["disclosure_rule"])
        if proportion_scale is not None:
            hidden |= disclosure.small_counts(peers["population"], m["disclosure_rule"])
        peers = peers[~hidden]
    peer_values = np.array(
        [
            figures(c, p)[0]
            for c, p in zip(peers["count"], peers["population"], strict=True)
        ],
        dtype=float,
    )
    peer_values = peer_values[~np.isnan(peer_values)]
    spread = (
        np.percentile(peer_values, [0, 25, 75, 100])
        if len(peer_values)
        else [math.nan] * 4
    )
    comparison = (
        statistics.compare_to_benchmark(
            lower=lower, upper=upper, benchmark=bench_value, polarity=m["polarity"]
        )
        if kind != "value"
        else "not compared"
    )
    # The one recent-trend verdict every page shows for this series.
    trend = headlines.recent_trend(
        scope=PUBLIC, measure_code=m["code"], area_code=area_code, length="year"
    )
    return {
        "measure_code": m["code"],
        "measure_name": m["name"],
        "unit": m["unit"],
        "kind": kind,
        "multiplier": scale,
        "polarity": m["polarity"],
        "disclosure_rule": m["disclosure_rule"],
        "period": periods.fy_label(year),
        "count": float(latest["count"]),
        "population": float(latest["population"]),
        "value": value,
        "lower": lower,
        "upper": upper,
        "benchmark": bench_value,
        "benchmark_label": bench_label,
        "national": national_value,
        "comparison": comparison,
        "min": spread[0],
        "q25": spread[1],
        "q75": spread[2],
        "max": spread[3],
        "n_areas": int(len(peer_values)),
        "trend": trend["direction"],
        "trend_dispersion": trend["dispersion"],
        "illustrative": bool(latest["illustrative"]),
        "source_title": latest["source_title"],
        "suppressed": False,
    }


# ------------------------------------------------- interventions and money


def area_interventions(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Interventions of a VRU area, or delivered in a local authority
    (INTERVENTION_COLUMNS). Restricted: AccessDenied outside the scope."""
    area = get_area(area_code)
    scope.require_area(area.code, area.parent_code)
    return _area_interventions(area.code)


@memoized
def _area_interventions(area_code: str) -> pd.DataFrame:
    vru = aliased(Area)
    delivering = aliased(Area)
    query = (
        select(
            Intervention.name,
            Intervention.tier,
            delivering.name,
            Intervention.provider,
            Intervention.evidence_rating,
            Intervention.start_date,
            Intervention.end_date,
            Source.illustrative,
            Source.title,
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .where((vru.code == area_code) | (delivering.code == area_code))
        .order_by(
            case(
                (Intervention.tier == "primary", 1),
                (Intervention.tier == "secondary", 2),
                else_=3,
            ),
            Intervention.name,
        )
    )
    with session_scope() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


def area_money(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """The Home Office VRU allocation (preferred published figure, with its
    precision) and spend by financial year for a force area (MONEY_COLUMNS).
    Restricted: AccessDenied outside the scope."""
    area = get_area(area_code)
    scope.require_area(area.code, area.parent_code)
    return _area_money(area.code)


@memoized
def _area_money(area_code: str) -> pd.DataFrame:
    with session_scope() as session:
        area_id = session.scalar(select(Area.id).where(Area.code == area_code))
        allocations = session.execute(
            select(
                FundingAllocation.financial_year,
                FundingAllocation.amount,
                FundingAllocation.precision,
                FundingAllocation.amount_as_published,
                Source.title,
                Source.illustrative,
            )
            .join(Source, Source.id == FundingAllocation.source_id)
            .where(
                FundingAllocation.area_id == area_id,
                FundingAllocation.is_preferred,
                FundingAllocation.intervention_id.is_(None),
                FundingAllocation.funder == FUNDER_HOME_OFFICE,
                FundingAllocation.programme == PROGRAMME_VRU,
            )
        ).all()
        spend = session.execute(
            select(
                Spend.financial_year,
                func.sum(Spend.amount),
                func.count(func.distinct(Spend.quarter)),
                func.max(cast(Source.illustrative, Integer)),
            )
            .join(Source, Source.id == Spend.source_id)
            .where(Spend.area_id == area_id, Spend.is_current)
            .group_by(Spend.financial_year)
        ).all()
    alloc = {
        r[0]: {
            "allocated": float(r[1]),
            "precision": r[2],
            "amount_as_published": r[3],
            "allocation_source": r[4],
            "a_illustrative": bool(r[5]),
        }
        for r in allocations
    }
    spent = {
        r[0]: {
            "spent": float(r[1]),
            "quarters_reported": int(r[2]),
            "s_ill": bool(r[3]),
        }
        for r in spend
    }
    rows = []
    for year in sorted(set(alloc) | set(spent)):
        a, s = alloc.get(year, {}), spent.get(year, {})
        rows.append(
            {
                "financial_year": year,
                "period": periods.fy_label(year),
                "allocated": a.get("allocated"),
                "precision": a.get("precision"),
                "amount_as_published": a.get("amount_as_published"),
                "allocation_source": a.get("allocation_source"),
                "spent": s.get("spent"),
                "quarters_reported": s.get("quarters_reported", 0),
                "illustrative": bool(a.get("a_illustrative") or s.get("s_ill")),
            }
        )
    return pd.DataFrame(rows, columns=MONEY_COLUMNS)


__all__ = [
    "BENCHMARKS",
    "available_periods",
    "area_interventions",
    "area_money",
    "area_profile",
    "force_area_rates",
    "funnel",
    "funnel_limits",
    "parse_period",
    "rate_measures",
    "vru_relative_change",
    "vru_vs_non_vru",
]
