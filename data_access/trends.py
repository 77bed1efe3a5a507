"""Success-measure trends, drill-down and the board overview's figures.

Every function is keyword-only and takes the caller's `scope`. Scope checks run
before the memoized inner queries (which take only primitives), as in measures.py.
Statistics come from data_access.statistics; disclosure control from
data_access.disclosure (applied when `scope.needs_disclosure_control` and the
measure's rule is not "none").

Series (`TREND_COLUMNS`, one row per period and series):
    period_start, period_end (dates), period ("2019/20 Q3" or "2019/20"),
    role ("area" or "benchmark"), area_code, area_name, value, numerator,
    denominator, rate, rate_lower, rate_upper (95% CI; per `rate_multiplier`, or a
    percentage with a Wilson interval for share measures), comparison (the area's
    95% CI against the benchmark rate of the same period: better / similar /
    worse / not compared; "" on benchmark rows), status (provisional / final),
    source_title, illustrative (bool), note, suppressed (bool: hidden by
    disclosure control, value and rate are then missing).

Children (`CHILD_COLUMNS`): area_code, area_name, level, has_children, period,
period_start, period_end, value, numerator, denominator, rate, rate_lower,
rate_upper, comparison (against the parent's rate), status, source_title,
illustrative, suppressed.

Decisions a reader should know:
- "year" means the financial year (April to March). Where an area has quarterly
  figures but no annual row for a year, the year is the sum of its four quarters
  (all four must be present); its note says so. Rolling 12-month periods are not
  years here.
- Proportions (measures with a Wilson interval, e.g. a percentage) are never
  summed: a year from four quarters, or a sum of force areas, is the summed
  numerators over the summed denominators (x 100 for a percentage), with the
  summed denominators as its denominator and its interval from those sums. A
  proportion's quarters without numerators and denominators give a year with no
  value. Counts sum their values, and a count's year keeps Q1's denominator (the
  population of the mid-year in which it starts).
- The benchmark is England and Wales. Where nothing is published for England and
  Wales (hospital admissions cover England only) it is England. For periods with no
  published national figure (e.g. knife offences by quarter, or years after the
  published series end) it is the sum of the force areas, used only when at least
  90% of the forces that report the measure report that period; `area_name` then says
  "(sum of N force areas)".
- Series breaks: `SERIES_BREAKS` (documented recording changes) plus the period
  where a series switches from published to illustrative figures.
- Baseline: the three pre-funding financial years 2016/17 to 2018/19 summed
  (events and person-years), against the latest complete financial year.
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
from sqlalchemy import Integer, case, cast, extract, func, select
from sqlalchemy.orm import aliased

from data_access import activity, disclosure, money, periods, spc, statistics
from data_access.areas import NATIONAL_CODE, AreaInfo, get_area, list_areas
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.measures import (
    AGE_BANDS,
    get_measure,
    measure_metadata,
    success_measures,
)
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    covered_area_name,
    months_spanned,
)
from data_access.number_format import money_text
from data_access.scope import Scope

ENGLAND_CODE = "E92000001"
LENGTHS = {"quarter": "Quarterly", "year": "Financial year"}
BASELINE_YEARS = (2016, 2017, 2018)
BASELINE_LABEL = "2016/17 to 2018/19"
TREND_WINDOW = statistics.TREND_MIN_PERIODS
SUM_OF_FORCES_PREFIX = "Sum of force areas: "  # a summed benchmark's source title

TREND_COLUMNS = [
    "period_start",
    "period_end",
    "period",
    "role",
    "area_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "rate",
    "rate_lower",
    "rate_upper",
    "comparison",
    "status",
    "source_title",
    "illustrative",
    "note",
    "precision",
    "suppressed",
]
CHILD_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "has_children",
    "period",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "rate",
    "rate_lower",
    "rate_upper",
    "comparison",
    "status",
    "source_title",
    "illustrative",
    "suppressed",
]
_RAW_COLUMNS = [
    "area_code",
    "area_name",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "status",
    "source_title",
    "illustrative",
    "note",
    "precision",
]

# Documented breaks in recording (see each measure's caveats), by measure and area:
# (first month affected, label).
SERIES_BREAKS: dict[tuple[str, str], list[tuple[dt.date, str]]] = {
    ("knife_offences", "E23000005"): [
        (dt.date(2018, 1, 1), "Recording review (Dec 2017)"),
        (dt.date(2019, 7, 1), "New police IT system (Jul 2019)"),
    ],
    ("knife_offences", "E23000029"): [
        (dt.date(2014, 4, 1), "Under-count in 2014/15"),
        (dt.date(2015, 4, 1), "Under-count ends"),
    ],
    ("knife_offences_share", "E23000005"): [
        (dt.date(2018, 1, 1), "Recording review (Dec 2017)"),
    ],
}


# Precisions of published figures, least precise last: a figure made of others
# (a year of quarters, a sum of force areas) is as precise as its least precise part.
PRECISION_RANK = {"exact": 0, "rounded": 1, "approx": 2}
_PRECISION_OF_RANK = {rank: p for p, rank in PRECISION_RANK.items()}


def _precision_rank(precision: pd.Series) -> pd.Series:
    return precision.map(PRECISION_RANK).fillna(PRECISION_RANK["approx"])


# --------------------------------------------------------------------- validation


def check_length(length: str) -> str:
    if length not in LENGTHS:
        raise InvalidParameter(
            "view", f"view must be one of {', '.join(LENGTHS)}, not '{length}'"
        )
    return length


def check_age_band(age_band: str) -> str:
    if age_band not in AGE_BANDS:
        raise InvalidParameter(
            "age", f"age must be one of {', '.join(AGE_BANDS)}, not '{age_band}'"
        )
    return age_band


def _check_read(scope: Scope, measure: dict, area: AreaInfo) -> None:
    if measure["is_public"]:
        return
    scope.require_area(area.code, area.parent_code)


# ------------------------------------------------------------------- raw queries


@memoized
def _raw(
    measure_code: str, area_code: str | None, parent_code: str | None, age_band: str
) -> pd.DataFrame:
    """Current values of a measure for one area, or for every child of a parent."""
    parent = aliased(Area)
    query = (
        select(
            Area.code,
            covered_area_name(),
            MeasureValue.period_start,
            MeasureValue.period_end,
            MeasureValue.value,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.status,
            Source.title,
            Source.illustrative,
            MeasureValue.note,
            MeasureValue.precision,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            Measure.code == measure_code,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
        )
        .order_by(Area.code, MeasureValue.period_start, MeasureValue.period_end)
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    if parent_code is not None:
        query = query.join(parent, parent.id == Area.parent_id).where(
            parent.code == parent_code
        )
    with session_scope() as session:
        # Plain tuples: pandas builds a frame from Row objects several times slower.
        rows = [tuple(row) for row in session.execute(query)]
    frame = pd.DataFrame(rows, columns=_RAW_COLUMNS)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    for col in ("value", "numerator", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def _period_kinds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(is a quarter, is a financial year) per row, from the period dates.

    Worked out once per distinct period: a frame holds thousands of rows but
    only a few dozen periods."""
    pairs = list(zip(frame["period_start"], frame["period_end"], strict=True))
    kinds = {}
    for start, end in set(pairs):
        months = months_spanned(start, end)
        kinds[(start, end)] = (
            months == 3 and start.month in (1, 4, 7, 10),
            months == 12 and start.month == 4,
        )
    quarter = np.fromiter((kinds[p][0] for p in pairs), dtype=bool, count=len(pairs))
    year = np.fromiter((kinds[p][1] for p in pairs), dtype=bool, count=len(pairs))
    return quarter, year


def _period_labels(start: pd.Series, end: pd.Series) -> list[str]:
    """periods.period_label per row, computed once per distinct period."""
    pairs = list(zip(start, end, strict=True))
    labels = {pair: periods.period_label(*pair) for pair in set(pairs)}
    return [labels[pair] for pair in pairs]


def _by_length(
    frame: pd.DataFrame, length: str, *, proportion_scale: float | None = None
) -> pd.DataFrame:
    """Quarters, or financial years (annual rows, else four quarters combined:
    summed for counts, pooled for proportions; see `statistics.proportion_scale`)."""
    if frame.empty:
        out = frame.copy()
        out["period"] = pd.Series(dtype=object)
        return out
    is_quarter, is_year = _period_kinds(frame)
    quarters = frame[is_quarter]
    if length == "quarter":
        out = quarters.copy()
    else:
        annual = frame[is_year].copy()
        summed = _years_from_quarters(quarters, proportion_scale)
        if not summed.empty:
            have = set(zip(annual["area_code"], annual["period_start"], strict=True))
            keep = [
                (a, s) not in have
                for a, s in zip(
                    summed["area_code"], summed["period_start"], strict=True
                )
            ]
            summed = summed[keep]
            annual = pd.concat([annual, summed], ignore_index=True)
        out = annual
    out = out.sort_values(["area_code", "period_start"]).reset_index(drop=True)
    out["period"] = _period_labels(out["period_start"], out["period_end"])
    return out


def _joined_titles(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, str]:
    """Per group of `keys`: its distinct source titles in row order, "; "-joined."""
    distinct = frame.drop_duplicates([*keys, "source_title"])
    titles: dict[tuple, list[str]] = {}
    for *key, title in zip(
        *(distinct[k] for k in keys), distinct["source_title"], strict=True
    ):
        titles.setdefault(tuple(key), []).append(title)
    return {key: "; ".join(parts) for key, parts in titles.items()}


SUMMED_QUARTERS_NOTE = "Sum of the four quarters."
POOLED_QUARTERS_NOTE = (
    "The four quarters' numerators over the sum of their denominators."
)


def _years_from_quarters(
    quarters: pd.DataFrame, proportion_scale: float | None = None
) -> pd.DataFrame:
    """Financial years of four quarters each. A count's year sums the quarters'
    values and numerators and takes Q1's denominator (the population); a
    proportion's pools them: summed numerators over summed denominators, so four
    quarters of 12% make 12%, not 48%."""
    if quarters.empty:
        return quarters.iloc[0:0].copy()
    q = quarters.sort_values(["area_code", "period_start"]).copy()
    q["fy"] = q["period_start"].map(periods.financial_year_of)
    q["provisional"] = q["status"] == "provisional"
    q["precision_rank"] = _precision_rank(q["precision"])
    grouped = q.groupby(["area_code", "fy"], sort=True)
    # Built-in aggregations only (a Python function per group is the slow path);
    # a year's value, numerator and pooled denominator need all four quarters'.
    years = grouped.agg(
        area_name=("area_name", "first"),
        n=("period_start", "size"),
        value=("value", "sum"),
        value_n=("value", "count"),
        numerator=("numerator", "sum"),
        numerator_n=("numerator", "count"),
        # a count's population: the mid-year in which the year starts (as Q1's)
        denominator=("denominator", "first"),
        denominator_sum=("denominator", "sum"),
        denominator_n=("denominator", "count"),
        provisional=("provisional", "any"),
        illustrative=("illustrative", "any"),
        precision_rank=("precision_rank", "max"),
    ).reset_index()
    years["precision"] = years["precision_rank"].map(_PRECISION_OF_RANK)
    complete_numerator = years.pop("numerator_n") >= 4
    years["numerator"] = years["numerator"].where(complete_numerator)
    if proportion_scale is None:
        years["value"] = years["value"].where(years["value_n"] >= 4)
        note = SUMMED_QUARTERS_NOTE
    else:
        pooled = complete_numerator & (years["denominator_n"] >= 4)
        years["denominator"] = years["denominator_sum"].where(pooled)
        years["value"] = statistics.pooled(
            years["numerator"], years["denominator"], proportion_scale
        )
        note = POOLED_QUARTERS_NOTE
    titles = _joined_titles(q, ["area_code", "fy"])
    years["source_title"] = [
        titles[key] for key in zip(years["area_code"], years["fy"], strict=True)
    ]
    years = years[years["n"] == 4]
    bounds = [periods.fy_bounds(int(fy)) for fy in years["fy"]]
    years["period_start"] = [b[0] for b in bounds]
    years["period_end"] = [b[1] for b in bounds]
    years["status"] = np.where(years["provisional"], "provisional", "final")
    years["illustrative"] = years["illustrative"].astype(bool)
    years["note"] = note
    return years[_RAW_COLUMNS].reset_index(drop=True)


def _add_rates(frame: pd.DataFrame, measure: dict) -> pd.DataFrame:
    """Rates by the measure's method (statistics.rates_for); NaN for a count with
    no rate multiplier, so every trend has the same columns."""
    out = statistics.rates_for(
        frame, ci_method=measure["ci_method"], multiplier=measure["rate_multiplier"]
    )
    if "rate" not in out:
        out["rate"] = out["rate_lower"] = out["rate_upper"] = np.nan
    return _no_interval_if_approximate(out)


def _no_interval_if_approximate(frame: pd.DataFrame) -> pd.DataFrame:
    """An approximate figure ("nearly 47,000") gets no confidence interval: its
    error is the quote's, which nobody published. Frames without a precision
    (the disclosure engine's cells) are left as they are."""
    if "precision" in frame:
        approx = (frame["precision"] == "approx").to_numpy()
        frame.loc[approx, ["rate_lower", "rate_upper"]] = np.nan
    return frame


# Per period, the force areas with a count and a population (n) and their totals.
# `value` is the plain sum of the values: a count's total, meaningless for a
# proportion, whose figure _force_sums works out from the summed numerator and
# denominator instead.
_TOTAL_COLUMNS = [
    "period_start",
    "period_end",
    "n",
    "value",
    "numerator",
    "denominator",
    "provisional",
    "illustrative",
    "precision_rank",
    "source_title",
]


def _force_totals(forces: pd.DataFrame) -> pd.DataFrame:
    """_TOTAL_COLUMNS from force areas' rows (raw columns): the rows with both a
    count and a population, summed per period; source_title joins the distinct
    titles in row (area code) order."""
    usable = forces[forces["numerator"].notna() & forces["denominator"].notna()]
    if usable.empty:
        return pd.DataFrame(columns=_TOTAL_COLUMNS)
    usable = usable.assign(
        provisional=usable["status"] == "provisional",
        precision_rank=_precision_rank(usable["precision"]),
    )
    totals = _period_totals(usable, count=("area_code", "nunique"))
    return totals[_TOTAL_COLUMNS]


def _period_totals(frame: pd.DataFrame, *, count: tuple[str, str]) -> pd.DataFrame:
    """Sum figures per period; `count` says how to count the areas in each (n)."""
    totals = (
        frame.groupby(["period_start", "period_end"], sort=True)
        .agg(
            n=count,
            value=("value", "sum"),
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            provisional=("provisional", "any"),
            illustrative=("illustrative", "any"),
            precision_rank=("precision_rank", "max"),
        )
        .reset_index()
    )
    titles = _joined_titles(frame, ["period_start", "period_end"])
    totals["source_title"] = [
        titles[key]
        for key in zip(totals["period_start"], totals["period_end"], strict=True)
    ]
    return totals


def _force_quarters(
    columns: list, measure_code: str, age_band: str, england_only: bool
):  # noqa: ANN202 - a Select
    """SELECT `columns` over the force areas' usable current quarters (a count and
    a population), the rows a sum of force areas adds up."""
    parent = aliased(Area)
    query = (
        select(*columns)
        .select_from(MeasureValue)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(parent, parent.id == Area.parent_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            Measure.code == measure_code,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
            parent.code == NATIONAL_CODE,
            # quarters as _by_length picks them (period_months is set from the
            # dates on insert)
            MeasureValue.period_months == 3,
            extract("month", MeasureValue.period_start).in_((1, 4, 7, 10)),
            MeasureValue.numerator.is_not(None),
            MeasureValue.denominator.is_not(None),
        )
    )
    if england_only:
        query = query.where(func.substr(Area.code, 1, 1) == "E")
    return query


def _force_quarter_totals(
    measure_code: str, age_band: str, england_only: bool
) -> pd.DataFrame:
    """_force_totals of the force areas' quarters, summed in the store: one row
    per period and source title comes back instead of every force area's rows."""
    query = _force_quarters(
        [
            MeasureValue.period_start,
            MeasureValue.period_end,
            Source.title,
            func.count(func.distinct(MeasureValue.area_id)),
            func.sum(MeasureValue.value),
            func.count(MeasureValue.value),
            func.sum(MeasureValue.numerator),
            func.sum(MeasureValue.denominator),
            func.max(case((MeasureValue.status == "provisional", 1), else_=0)),
            func.max(cast(Source.illustrative, Integer)),
            func.max(
                case(
                    *(
                        (MeasureValue.precision == p, rank)
                        for p, rank in PRECISION_RANK.items()
                    ),
                    else_=PRECISION_RANK["approx"],
                )
            ),
            func.min(Area.code),
        ],
        measure_code,
        age_band,
        england_only,
    ).group_by(MeasureValue.period_start, MeasureValue.period_end, Source.title)
    with session_scope() as session:
        rows = [tuple(row) for row in session.execute(query)]
    if not rows:
        return pd.DataFrame(columns=_TOTAL_COLUMNS)
    parts = pd.DataFrame(
        rows,
        columns=[
            "period_start",
            "period_end",
            "source_title",
            "n",
            "value",
            "value_n",
            "numerator",
            "denominator",
            "provisional",
            "illustrative",
            "precision_rank",
            "first_area",
        ],
    )
    # A force area has one current figure per period, so it counts under one
    # title only and the per-title counts and sums add up to the period's. A sum
    # over no values is 0, as pandas gives it.
    parts["value"] = parts["value"].astype(float).where(parts["value_n"] > 0, 0.0)
    parts["illustrative"] = parts["illustrative"].fillna(0).astype(bool)
    parts["provisional"] = parts["provisional"].astype(bool)
    # titles in the order of the first force area (by code) reporting each
    parts = parts.sort_values(["period_start", "period_end", "first_area"])
    totals = _period_totals(parts, count=("n", "sum"))
    for col in ("value", "numerator", "denominator"):
        totals[col] = totals[col].astype(float)
    return totals[_TOTAL_COLUMNS]


@memoized
def _benchmark_forces(england_only: bool) -> dict[str, str]:
    """Code -> name of the force areas a sum-of-force-areas benchmark adds up."""
    parent = aliased(Area)
    query = (
        select(Area.code, Area.name)
        .join(parent, parent.id == Area.parent_id)
        .where(parent.code == NATIONAL_CODE, Area.level == "pfa")
    )
    if england_only:
        query = query.where(func.substr(Area.code, 1, 1) == "E")
    with session_scope() as session:
        return dict(session.execute(query).all())


def _left_out(reporting: dict[dt.date, set[str]], england_only: bool) -> dict:
    """Per period start, the names of the force areas with no usable figure."""
    forces = _benchmark_forces(england_only)
    return {
        start: sorted(forces[c] for c in forces if c not in codes)
        for start, codes in reporting.items()
    }


def _left_out_of_years(forces: pd.DataFrame, england_only: bool) -> dict:
    usable = forces[forces["numerator"].notna() & forces["denominator"].notna()]
    reporting = {
        start: set(group["area_code"])
        for start, group in usable.groupby("period_start", sort=False)
    }
    return _left_out(reporting, england_only)


def _left_out_of_quarters(
    measure_code: str, age_band: str, england_only: bool, starts: list[dt.date]
) -> dict:
    """_left_out for quarters, without reading every force area's rows: the
    quarters each force area reports are counted in the store, and only the
    (few) force areas that miss some are read period by period."""
    counted = _force_quarters(
        [Area.code, func.count()], measure_code, age_band, england_only
    ).group_by(Area.code)
    with session_scope() as session:
        counts = dict(session.execute(counted).all())
        gaps = [c for c, n in counts.items() if n < len(starts)]
        partial = {}
        if gaps:
            query = _force_quarters(
                [Area.code, MeasureValue.period_start],
                measure_code,
                age_band,
                england_only,
            ).where(Area.code.in_(gaps))
            for code, start in session.execute(query):
                partial.setdefault(start, set()).add(code)
    complete = {c for c in counts if c not in gaps}
    return _left_out(
        {start: complete | partial.get(start, set()) for start in starts},
        england_only,
    )


def _force_sums(
    totals: pd.DataFrame,
    name: str,
    proportion_scale: float | None = None,
    left_out: dict | None = None,
) -> pd.DataFrame:
    """The sum-of-force-areas benchmark rows (raw columns + period) for the
    periods that are complete: at least 90% of the most force areas ever
    reporting (the quarterly police series never includes City of London). A
    proportion's value is the summed numerators over the summed denominators.
    Each row is named by what it covers: "England and Wales (sum of 42 force
    areas, excluding City of London)", from `left_out` (period start -> names)."""
    if totals.empty:
        return pd.DataFrame(columns=[*_RAW_COLUMNS, "period"])
    complete = totals[totals["n"] >= 0.9 * totals["n"].max()]
    counts = complete["n"].tolist()
    left_out = left_out or {}
    names = []
    for start, n in zip(complete["period_start"], counts, strict=True):
        missing = left_out.get(start) or []
        listed = " and ".join(filter(None, [", ".join(missing[:-1]), *missing[-1:]]))
        names.append(
            f"{name} (sum of {n} force areas"
            + (f", excluding {listed})" if missing else ")")
        )
    if proportion_scale is None:
        values = complete["value"].to_numpy(dtype=float)
        notes = [
            f"Sum of the {n} force areas that report this measure." for n in counts
        ]
    else:
        values = statistics.pooled(
            complete["numerator"], complete["denominator"], proportion_scale
        )
        notes = [
            f"The {n} force areas' numerators over the sum of their denominators."
            for n in counts
        ]
    return pd.DataFrame(
        {
            "area_code": ENGLAND_CODE if name == "England" else NATIONAL_CODE,
            "area_name": names,
            "period_start": complete["period_start"].tolist(),
            "period_end": complete["period_end"].tolist(),
            "value": values,
            "numerator": complete["numerator"].to_numpy(dtype=float),
            "denominator": complete["denominator"].to_numpy(dtype=float),
            "status": [
                "provisional" if p else "final" for p in complete["provisional"]
            ],
            "source_title": [
                f"{SUM_OF_FORCES_PREFIX}{titles}" for titles in complete["source_title"]
            ],
            "illustrative": complete["illustrative"].to_numpy(dtype=bool),
            "note": notes,
            "precision": complete["precision_rank"].astype(int).map(_PRECISION_OF_RANK),
            "period": _period_labels(complete["period_start"], complete["period_end"]),
        },
        columns=[*_RAW_COLUMNS, "period"],
    )


@memoized
def _national(
    measure_code: str,
    length: str,
    age_band: str,
    *,
    proportion_scale: float | None = None,
    england_only: bool = False,
) -> pd.DataFrame:
    """The benchmark series (see the module docstring), raw columns + period.
    `proportion_scale`: `statistics.proportion_scale(measure)`, None for a count;
    `england_only`: the measure's coverage is England (`_england_only`)."""
    published = _by_length(
        _raw(measure_code, NATIONAL_CODE, None, age_band),
        length,
        proportion_scale=proportion_scale,
    )
    name = "England and Wales"
    if published.empty:
        england = _by_length(
            _raw(measure_code, ENGLAND_CODE, None, age_band),
            length,
            proportion_scale=proportion_scale,
        )
        if not england.empty or england_only:
            published, name = england, "England"
    england_only = name == "England"
    if length == "quarter":
        totals = _force_quarter_totals(measure_code, age_band, england_only)
        left_out = _left_out_of_quarters(
            measure_code, age_band, england_only, list(totals["period_start"])
        )
    else:
        # Years follow _by_length (annual rows, else four quarters), the rule each
        # area's own series uses, so they are summed from the force areas' years.
        forces = _by_length(
            _raw(measure_code, None, NATIONAL_CODE, age_band),
            length,
            proportion_scale=proportion_scale,
        )
        if england_only:
            forces = forces[forces["area_code"].str.startswith("E")]
        totals = _force_totals(forces)
        left_out = _left_out_of_years(forces, england_only)
    sums = _force_sums(totals, name, proportion_scale, left_out)
    if not published.empty:
        # published rows keep their own names: a total that leaves an area out
        # says so ("England and Wales excluding Greater Manchester")
        have = set(published["period_start"])
        sums = sums[[s not in have for s in sums["period_start"]]]
    frames = [f for f in (published, sums) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*_RAW_COLUMNS, "period"])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("period_start").reset_index(drop=True)


def _england_only(measure: dict) -> bool:
    """The measure row says its figures cover England only (HES)."""
    return measure["coverage"] == "England"


def _benchmark(measure: dict, length: str, age_band: str) -> pd.DataFrame:
    """The measure's benchmark series with rates (raw columns + period + rates)."""
    return _add_rates(
        _national(
            measure["code"],
            length,
            age_band,
            proportion_scale=statistics.proportion_scale(measure),
            england_only=_england_only(measure),
        ),
        measure,
    )


def benchmark_name(measure: dict) -> str:
    """The benchmark's name: the measure's coverage, "England" for measures
    published for England only, else "England and Wales"."""
    return measure["coverage"]


# --------------------------------------------------------------------- disclosure


def _needs_disclosure(measure: dict, scope: Scope) -> bool:
    return scope.needs_disclosure_control and measure["disclosure_rule"] != "none"


def _engine_columns(measure: dict) -> dict:
    """apply_disclosure's column roles for a frame of the measure's figures.

    A count measure's value is its count: hidden and rounded with the numerator,
    its denominator a population (kept, rounded by a rounding rule). A
    proportion's value is a percentage worked out from two counts, so the rule
    applies to those (DESIGN.md "Disclosure control"): the row is hidden when its
    numerator, or its denominator, is small, the denominator itself only where
    it is the small one; the percentage is worked out again, never rounded."""
    if statistics.proportion_scale(measure) is not None:
        return {
            "count_cols": ("numerator",),
            "check_cols": ("denominator",),
            "keep_cols": (),
        }
    return {
        "count_cols": ("numerator", "value"),
        "check_cols": (),
        "keep_cols": ("denominator",),
    }


def _rate_function(measure: dict):
    """Rates and CIs (and a proportion's value) from published figures: what the
    engine calls after rounding, so a rate never says more than its count."""
    scale = statistics.proportion_scale(measure)

    def rates(frame: pd.DataFrame) -> pd.DataFrame:
        work = frame.copy()
        for col in ("numerator", "denominator"):
            work[col] = pd.to_numeric(work[col]).astype(float)
        out = _add_rates(work, measure)
        if scale is not None:
            out["value"] = statistics.pooled(
                work["numerator"], work["denominator"], scale
            )
        return out

    return rates


_CELL_KEYS = ["area_code", "period_start"]
_DISCLOSED_FIGURES = ["value", "numerator", "denominator", "rate"]
_DISCLOSED_FIGURES += ["rate_lower", "rate_upper", "suppressed"]
_REST_OF_BENCHMARK = "_rest"  # the part of a published benchmark no area reports


@memoized
def _disclosed_forces(
    measure_code: str, length: str, age_band: str, measure_key: tuple
) -> pd.DataFrame:
    """Every force area's figures of a measure and their total per period (the
    benchmark), disclosed together by the one engine: the benchmark is a total
    of the force areas, so it is protected as one (secondary suppression), and a
    force area's figure is the same on its own trend, in the list of force areas
    and under the API. A published benchmark that counts more than its force
    areas (residence unknown) has that remainder as one more cell.

    Columns: area_code (NATIONAL_CODE for the total rows, whatever the
    benchmark's code), period_start and _DISCLOSED_FIGURES; a total row's rates
    are NaN (they need the benchmark's own denominator)."""
    measure = dict(measure_key)
    scale = statistics.proportion_scale(measure)
    england_only = _england_only(measure)
    forces = _by_length(
        _raw(measure_code, None, NATIONAL_CODE, age_band),
        length,
        proportion_scale=scale,
    )
    if england_only:
        forces = forces[forces["area_code"].str.startswith("E")]
    usable = forces["numerator"].notna() & forces["denominator"].notna()
    cells = forces.loc[usable, [*_CELL_KEYS, "value", "numerator", "denominator"]]
    if cells.empty:
        return pd.DataFrame(columns=[*_CELL_KEYS, *_DISCLOSED_FIGURES])
    roles = _engine_columns(measure)
    summed = [*roles["count_cols"], *roles["check_cols"]]
    cells = cells.astype({c: float for c in summed}).round({c: 0 for c in summed})
    bench = _national(
        measure_code,
        length,
        age_band,
        proportion_scale=scale,
        england_only=england_only,
    )
    sums = cells.groupby("period_start")[summed].sum()
    rest = bench.set_index("period_start")[summed].reindex(sums.index) - sums
    rest = rest.dropna().round()
    # a remainder below zero is not a count: that benchmark is hidden instead
    unprotectable = set(rest.index[(rest < 0).any(axis=1)])
    rest = rest[(rest > 0).any(axis=1) & ~rest.index.isin(unprotectable)]
    rest_cells = rest.reset_index().assign(area_code=_REST_OF_BENCHMARK)
    cells = pd.concat([cells, rest_cells], ignore_index=True)
    cells = _add_rates(cells.astype({c: "Int64" for c in summed}), measure)
    totals = disclosure.compute_totals(
        cells, group_cols=_CELL_KEYS, totals_over=["area_code"], sum_cols=summed
    )
    table = pd.concat([cells.assign(total_over=""), totals], ignore_index=True)
    shown = disclosure.apply_disclosure(
        table,
        rule=measure["disclosure_rule"],
        group_cols=_CELL_KEYS,
        totals_over=["area_code"],
        rates=_rate_function(measure),
        **roles,
    ).frame
    is_total = shown[disclosure.TOTAL_OVER] != ""
    shown.loc[is_total, "area_code"] = NATIONAL_CODE
    shown.loc[is_total & shown["period_start"].isin(unprotectable), "suppressed"] = True
    shown = shown[shown["area_code"] != _REST_OF_BENCHMARK]
    for col in _DISCLOSED_FIGURES[:-1]:
        if col not in shown:
            shown[col] = np.nan
        shown[col] = pd.to_numeric(shown[col]).astype(float)
    hidden = shown["suppressed"].astype(bool)
    shown.loc[hidden, ["value", "numerator", "rate", "rate_lower", "rate_upper"]] = (
        np.nan
    )
    shown["suppressed"] = hidden
    return shown[[*_CELL_KEYS, *_DISCLOSED_FIGURES]].reset_index(drop=True)


def published_force_areas(measure: dict, *, length: str, age_band: str) -> pd.DataFrame:
    """`_disclosed_forces` for a measure row: every force area's figures as
    the public and scoped users get them (area_code, period_start, value,
    numerator, denominator, rates, suppressed), for other views of the same
    figures (the /compare ranking) to publish no more than these."""
    return _disclosed_forces(measure["code"], length, age_band, _measure_key(measure))


def _measure_key(measure: dict) -> tuple:
    """The measure fields disclosure needs, as a hashable memo key."""
    fields = ("code", "disclosure_rule", "ci_method", "rate_multiplier", "unit")
    key = {f: measure[f] for f in fields}
    key["coverage"] = measure["coverage"]
    if pd.isna(key["rate_multiplier"]):
        key["rate_multiplier"] = None
    return tuple(sorted(key.items()))


def _disclose(
    frame: pd.DataFrame, measure: dict, scope: Scope, *, length: str, age_band: str
) -> pd.DataFrame:
    """Hide small counts (and what derives from them) for users who need it, and
    round by the measure's rule, through the one engine: force areas and the
    benchmark from `_disclosed_forces` (protected together), any other area
    (a local authority) cell by cell. Rates and CIs are worked out from the
    published figures. A hidden row is "not compared"; callers compare after
    disclosure, against the published benchmark."""
    out = frame.copy()
    out["suppressed"] = False
    if out.empty or not _needs_disclosure(measure, scope):
        return out
    table = _disclosed_forces(measure["code"], length, age_band, _measure_key(measure))
    bench_codes = {NATIONAL_CODE, ENGLAND_CODE}
    is_bench = out["area_code"].isin(bench_codes).to_numpy()
    keys = list(
        zip(
            np.where(is_bench, NATIONAL_CODE, out["area_code"]),
            out["period_start"],
            strict=True,
        )
    )
    found = table.set_index(_CELL_KEYS)
    known = np.array([key in found.index for key in keys], dtype=bool)
    if known.any():
        picked = found.loc[[k for k, hit in zip(keys, known, strict=True) if hit]]
        rows = np.flatnonzero(known)
        for col in _DISCLOSED_FIGURES:
            column = out[col].astype(object if col == "suppressed" else float)
            column.iloc[rows] = picked[col].to_numpy()
            out[col] = column
        # A benchmark's rate is its own denominator's (a published population,
        # rounded by the rule), over the count the engine published.
        bench_rows = rows[is_bench[rows]]
        if len(bench_rows) and statistics.proportion_scale(measure) is None:
            raw = frame["denominator"].iloc[bench_rows].to_numpy(dtype=float)
            base = disclosure.get_rule(measure["disclosure_rule"]).rounding_base
            out.iloc[bench_rows, out.columns.get_loc("denominator")] = (
                np.floor(raw / base + 0.5) * base if base else raw
            )
        shown_bench = bench_rows[~out["suppressed"].iloc[bench_rows].astype(bool)]
        if len(shown_bench):
            again = _rate_function(measure)(out.iloc[shown_bench])
            for col in ("rate", "rate_lower", "rate_upper", "value"):
                out.iloc[shown_bench, out.columns.get_loc(col)] = again[col].to_numpy()
    rest = np.flatnonzero(~known)
    if len(rest):
        cells = out.iloc[rest][
            [*_CELL_KEYS, "numerator", "value", "denominator", "rate"]
            + ["rate_lower", "rate_upper"]
        ].copy()
        cells = cells.drop(columns="suppressed", errors="ignore")
        roles = _engine_columns(measure)
        for col in (*roles["count_cols"], *roles["check_cols"]):
            cells[col] = cells[col].round()
        shown = disclosure.apply_disclosure(
            cells,
            rule=measure["disclosure_rule"],
            group_cols=_CELL_KEYS,
            rates=_rate_function(measure),
            **roles,
        ).frame
        for col in _DISCLOSED_FIGURES:
            column = out[col].astype(object if col == "suppressed" else float)
            values = shown[col].to_numpy()
            column.iloc[rest] = (
                values
                if col == "suppressed"
                else pd.to_numeric(shown[col]).astype(float).to_numpy()
            )
            out[col] = column
    out["suppressed"] = out["suppressed"].astype(bool)
    if "comparison" in out:
        out.loc[out["suppressed"], "comparison"] = "not compared"
    return _no_interval_if_approximate(out)


# ----------------------------------------------------------------------- series


def _window(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None):
    if start is not None:
        frame = frame[frame["period_start"] >= start]
    if end is not None:
        frame = frame[frame["period_end"] <= end]
    return frame


def _compare(frame: pd.DataFrame, bench: pd.DataFrame, polarity: str) -> pd.DataFrame:
    exact = bench["precision"] != "approx"  # no judgement against a rough figure
    rates = dict(zip(bench["period_start"], bench["rate"].where(exact), strict=True))
    out = frame.copy()
    out["_bench"] = [rates.get(s, np.nan) for s in out["period_start"]]
    out = statistics.compare_to_benchmark_frame(
        out, benchmark="_bench", polarity=polarity
    )
    out["comparison"] = out.pop("comparison_95")
    return out.drop(columns=["_bench"])


def area_series(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
) -> pd.DataFrame:
    """One area's series (raw columns + period + rates), undisclosed; internal."""
    measure = get_measure(measure_code, scope=scope)
    return _area_series(scope, measure, get_area(area_code), length, age_band)


def _area_series(
    scope: Scope, measure: dict, area: AreaInfo, length: str, age_band: str
) -> pd.DataFrame:
    """area_series for a measure and an area the caller has already looked up
    (each lookup is a query when the cache is off)."""
    check_length(length)
    check_age_band(age_band)
    _check_read(scope, measure, area)
    if area.code == NATIONAL_CODE:
        return _benchmark(measure, length, age_band)
    frame = _by_length(
        _raw(measure["code"], area.code, None, age_band),
        length,
        proportion_scale=statistics.proportion_scale(measure),
    )
    return _add_rates(frame, measure)


def trend_with_benchmark(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The area's series and the benchmark's (TREND_COLUMNS), oldest first.

    NotFound for an unknown measure or area, InvalidParameter for a bad length or
    age band, AccessDenied for a non-public measure outside the scope."""
    measure = get_measure(measure_code, scope=scope)
    return _trend(scope, measure, get_area(area_code), length, age_band, start, end)


def _trend(
    scope: Scope,
    measure: dict,
    area: AreaInfo,
    length: str,
    age_band: str,
    start: dt.date | None,
    end: dt.date | None,
) -> pd.DataFrame:
    """trend_with_benchmark for a measure and an area already looked up. Both
    series are disclosed first and compared after, so a comparison says nothing
    the published figures do not."""
    own = _disclose(
        _area_series(scope, measure, area, length, age_band),
        measure,
        scope,
        length=length,
        age_band=age_band,
    ).assign(role="area")
    frames = [own]
    if area.code != NATIONAL_CODE:
        bench = _disclose(
            _benchmark(measure, length, age_band),
            measure,
            scope,
            length=length,
            age_band=age_band,
        )
        frames[0] = _compare(own, bench, measure["polarity"])
        frames.append(bench.assign(role="benchmark", comparison=""))
    else:
        frames[0] = own.assign(comparison="not compared")
    frames[0].loc[frames[0]["suppressed"], "comparison"] = "not compared"
    out = pd.concat([f for f in frames if not f.empty] or frames, ignore_index=True)
    out = _window(out, start, end)
    if out.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    out = out.sort_values(["role", "period_start"], ascending=[True, True])
    return out[TREND_COLUMNS].reset_index(drop=True)


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
    series = _trend(scope, measure, area, length, age_band, start, end)
    years = _area_series(scope, measure, area, "year", age_band)
    return {
        "measure": measure,
        "area": area,
        "series": series,
        "benchmark_name": benchmark_name(measure),
        "disclosure_note": disclosure.role_note(
            measure["disclosure_rule"], controlled=scope.needs_disclosure_control
        ),
        "funding_start": funding_start(area_code=area.code, length=length),
        "breaks": series_breaks(
            measure_code=measure["code"], area_code=area.code, series=series
        ),
        "recent_trend": _recent(scope, measure, area, length, age_band, end),
        "baseline": _baseline(
            scope,
            measure,
            _disclose(years, measure, scope, length="year", age_band=age_band),
        ),
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
        areas.loc[areas["suppressed"], "comparison"] = "not compared"
        frames.insert(0, areas.assign(role="area"))
    out = _window(pd.concat(frames, ignore_index=True), start, end)
    if out.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    out = out.sort_values(["period_start", "area_name"], kind="stable")
    return out[TREND_COLUMNS].reset_index(drop=True)


def series_breaks(
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
            out.append((area_rows["period"].iloc[i], "Illustrative data from here"))
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


def funding_start(*, area_code: str, length: str) -> str | None:
    """The period label at which VRU funding began for the area (or its parent)."""
    area = get_area(area_code)
    year = area.vru_start_year
    if year is None and area.parent_code:
        year = get_area(area.parent_code).vru_start_year
    if year is None and area.code == NATIONAL_CODE:
        year = 2019
    if year is None:
        return None
    return (
        f"{periods.fy_label(year)} Q1"
        if length == "quarter"
        else (periods.fy_label(year))
    )


# --------------------------------------------------------------------- children


def children_latest(
    *,
    scope: Scope,
    measure_code: str,
    parent_code: str,
    length: str = "quarter",
    age_band: str = "all",
) -> pd.DataFrame:
    """The parent's child areas (force areas of England and Wales, local
    authorities of a force area) with their latest value (CHILD_COLUMNS), in name
    order; children with no figure for the latest period keep a row with NaNs."""
    measure = get_measure(measure_code, scope=scope)
    parent = get_area(parent_code)
    check_length(length)
    check_age_band(age_band)
    areas = list_areas(parent_code=parent.code)
    if not measure["is_public"]:
        areas = areas[[scope.can_read_area(c, parent.code) for c in areas["code"]]]
    if areas.empty:
        return pd.DataFrame(columns=CHILD_COLUMNS)
    scale = statistics.proportion_scale(measure)
    frame = _by_length(
        _raw(measure_code, None, parent.code, age_band),
        length,
        proportion_scale=scale,
    )
    frame = _add_rates(frame, measure)
    grand = set(list_areas(level="lad")["parent_code"].dropna())
    if frame.empty:
        out = pd.DataFrame({"area_code": areas["code"], "area_name": areas["name"]})
        for col in CHILD_COLUMNS:
            if col not in out:
                out[col] = np.nan
        out["level"] = areas["level"].values
        out["has_children"] = [c in grand for c in areas["code"]]
        out["suppressed"] = False
        out["illustrative"] = False
        out["comparison"] = "not compared"
        return out[CHILD_COLUMNS]
    counts = frame.groupby("period_start")["area_code"].nunique()
    # the latest period that most children report
    latest = max(counts[counts == counts.max()].index)
    rows = frame[frame["period_start"] == latest]
    bench = _area_series(scope, measure, parent, length, age_band)
    options = {"length": length, "age_band": age_band}
    rows = _disclose(rows, measure, scope, **options)
    bench = _disclose(bench, measure, scope, **options)
    rows = _compare(rows, bench, measure["polarity"])
    rows.loc[rows["suppressed"], "comparison"] = "not compared"
    merged = areas.rename(columns={"code": "area_code", "name": "area_name"})[
        ["area_code", "area_name", "level"]
    ].merge(rows.drop(columns=["area_name"]), on="area_code", how="left")
    merged["has_children"] = [c in grand for c in merged["area_code"]]
    merged["illustrative"] = merged["illustrative"].astype("boolean").fillna(False)
    merged["illustrative"] = merged["illustrative"].astype(bool)
    merged["comparison"] = merged["comparison"].fillna("not compared")
    label = periods.period_label(latest, rows["period_end"].iloc[0])
    merged["period"] = label
    merged["period_start"] = latest
    merged["period_end"] = rows["period_end"].iloc[0]
    merged["suppressed"] = merged["suppressed"].astype("boolean").fillna(False)
    merged["suppressed"] = merged["suppressed"].astype(bool)
    return merged[CHILD_COLUMNS].reset_index(drop=True)


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
    years = _area_series(scope, measure, get_area(area_code), "year", age_band)
    disclosed = _disclose(years, measure, scope, length="year", age_band=age_band)
    return _baseline(scope, measure, disclosed)


def _baseline(scope: Scope, measure: dict, years: pd.DataFrame) -> dict[str, Any]:
    """baseline_change from the area's financial-year series (`_area_series`),
    disclosed (`_disclose`): a scope that sees rounded counts gets the change
    between the published counts, and none when the latest is hidden."""
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
    hidden = years["suppressed"].astype(bool)
    years = years[(years["numerator"].notna() | hidden) & years["denominator"].notna()]
    fy = years["period_start"].map(periods.financial_year_of)
    base = years[fy.isin(BASELINE_YEARS)]
    later = years[fy > max(BASELINE_YEARS)]
    if len(base) != len(BASELINE_YEARS):
        result["reason"] = f"no complete figures for {BASELINE_LABEL}"
        return result
    if later.empty:
        result["reason"] = "no complete financial year since the baseline"
        return result
    current = later.iloc[-1]
    if current["suppressed"]:
        result["reason"] = "the latest count is too small to show"
        return result
    if base["suppressed"].any():
        result["reason"] = f"a count in {BASELINE_LABEL} is too small to show"
        return result
    b_count, c_count = float(base["numerator"].sum()), float(current["numerator"])
    # Year by year, so the test allows for the series' own overdispersion.
    change = statistics.change_from_baseline(
        baseline_count=base["numerator"].tolist(),
        baseline_population=base["denominator"].tolist(),
        current_count=c_count,
        current_population=float(current["denominator"]),
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
        current_period=current["period"],
        baseline_count=b_count,
        current_count=c_count,
        illustrative=bool(base["illustrative"].any() or current["illustrative"]),
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
) -> dict[str, Any]:
    """recent_trend for a measure and an area already looked up."""
    series = _disclose(
        _area_series(scope, measure, area, length, age_band),
        measure,
        scope,
        length=length,
        age_band=age_band,
    )
    if end is not None:
        series = series[series["period_end"] <= end]
    window, since_break = _trend_window(measure["code"], area.code, length, series)
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
    result["text"] = _trend_text(result, length)
    return result


def _trend_window(
    measure_code: str, area_code: str, length: str, series: pd.DataFrame
) -> tuple[pd.DataFrame, str | None]:
    """(the latest TREND_WINDOW consecutive periods of `series`, one row each,
    missing figures as NaN; the break the window starts at, or None)."""
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
    for label, text in series_breaks(
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


# ---------------------------------------------------------------- overview


def _reach_by_quarter(scope: Scope, area_code: str) -> pd.DataFrame:
    """activity.reach_over_time (young people supported, all ages, by quarter and
    tier) with the value as a float `young_people`."""
    frame = activity.reach_over_time(scope=scope, area_code=area_code)
    return frame.assign(young_people=frame["value"].astype(float))


def reach_by_tier(*, scope: Scope, area_code: str) -> dict[str, Any]:
    """Young people supported by tier in the latest financial year with outputs.

    Keys: financial_year, quarters (how many reported), tiers (DataFrame: tier,
    young_people, in primary / secondary / tertiary order), total, illustrative.
    The reach itself is activity.reach_over_time (the one reach rule)."""
    frame = _reach_by_quarter(scope, area_code)
    if frame.empty:
        return {
            "financial_year": None,
            "quarters": 0,
            "tiers": pd.DataFrame(columns=["tier", "young_people"]),
            "total": 0.0,
            "illustrative": False,
        }
    fy_of = frame["period_start"].map(periods.financial_year_of)
    latest = int(fy_of.max())
    part = frame[fy_of == latest]
    tiers = (
        part.groupby("tier")["young_people"]
        .sum()
        .reindex(["primary", "secondary", "tertiary"], fill_value=0.0)
        .reset_index()
    )
    return {
        "financial_year": latest,
        "quarters": int(part["period_start"].nunique()),
        "tiers": tiers,
        "total": float(tiers["young_people"].sum()),
        "illustrative": bool(part["illustrative"].any()),
    }


def _pct_change(old: float, new: float) -> str:
    if not old:
        return ""
    change = (new - old) / old * 100
    if round(abs(change)) == 0:
        return " (little change)"
    return f" ({'up' if change > 0 else 'down'} {abs(change):.0f}%)"


def _variation_words(
    values: pd.Series, polarity: str, illustrative: pd.Series | None = None
) -> str:
    """The latest quarter judged against normal variation (data_access.spc, the
    Making Data Count rules) as a sentence to follow a two-quarter comparison, so
    a change is never presented without saying whether it is signal or noise.
    Where the series switches from published to illustrative figures the limits
    are recalculated from that quarter (a step change, named)."""
    steps = []
    if illustrative is not None:
        flags = illustrative.to_numpy(bool)
        switch = np.flatnonzero(flags[1:] != flags[:-1])
        steps = [
            spc.StepChange(index=int(i) + 1, reason="the figures' source changes")
            for i in switch
        ]
    result = spc.spc_chart(
        values=values.astype(float).tolist(), polarity=polarity, step_changes=steps
    )
    words = spc.VARIATION_WORDS[result["variation"]]
    return f" Against normal variation (SPC): {words[0].lower()}{words[1:]}."


def changes_since_last_quarter(*, scope: Scope, area_code: str) -> list[str]:
    """Plain sentences on what changed between the latest two quarters: knife
    offences, spend and young people supported (the last two only within scope).
    Each sentence ends "(illustrative data)" when its figures are illustrative."""
    knife = get_measure("knife_offences", scope=scope)
    return _changes(scope, knife, get_area(area_code))


def _changes(scope: Scope, knife_measure: dict, area: AreaInfo) -> list[str]:
    """changes_since_last_quarter with the knife offences measure and the area
    already looked up."""
    sentences: list[str] = []
    knife = _area_series(scope, knife_measure, area, "quarter", "all")
    knife = knife[knife["value"].notna()]
    if len(knife) >= 2:
        prev, last = knife.iloc[-2], knife.iloc[-1]
        verb = (
            "rose"
            if last["value"] > prev["value"]
            else "fell"
            if last["value"] < prev["value"]
            else "stayed"
        )
        text = (
            f"Knife offences {verb} from {prev['value']:,.0f} in {prev['period']} "
            f"to {last['value']:,.0f} in {last['period']}"
            if verb != "stayed"
            else f"Knife offences stayed at {last['value']:,.0f} in {last['period']}"
        )
        text += _pct_change(prev["value"], last["value"]) + "."
        text += _variation_words(
            knife["value"], knife_measure["polarity"], knife["illustrative"]
        )
        if last["illustrative"] or prev["illustrative"]:
            text += " (illustrative data)"
        sentences.append(text)
    if area.level != "pfa":  # spend and reach are recorded against force areas
        return sentences
    try:
        spend = money.quarter_spend(scope=scope, area_code=area.code)
        reach = _reach_by_quarter(scope, area.code)
    except AccessDenied:
        return sentences
    if len(spend) >= 2:
        prev, last = spend.iloc[-2], spend.iloc[-1]
        label = f"{periods.fy_label(int(last.financial_year))} Q{int(last.quarter)}"
        prev_label = (
            f"{periods.fy_label(int(prev.financial_year))} Q{int(prev.quarter)}"
        )
        text = (
            f"Spend was {money_text(last.amount)} in {label}, against "
            f"{money_text(prev.amount)} in {prev_label}"
            + _pct_change(prev.amount, last.amount)
            + "."
        )
        if last.illustrative or prev.illustrative:
            text += " (illustrative data)"
        sentences.append(text)
    if not reach.empty:
        totals = reach.groupby("period_start").agg(
            young_people=("young_people", "sum"), illustrative=("illustrative", "max")
        )
        if len(totals) >= 2:
            (p_start, prev), (l_start, last) = list(totals.iloc[-2:].iterrows())
            text = (
                f"Young people supported: {last.young_people:,.0f} in "
                f"{periods.quarter_label(l_start)}, against "
                f"{prev.young_people:,.0f} in {periods.quarter_label(p_start)}"
                + _pct_change(prev.young_people, last.young_people)
                + "."
                # Reach is activity, neither better nor worse in itself.
                + _variation_words(totals["young_people"], "no_judgement")
            )
            if last.illustrative or prev.illustrative:
                text += " (illustrative data)"
            sentences.append(text)
    return sentences


def measure_headline(
    *, scope: Scope, measure_code: str, area_code: str, age_band: str = "all"
) -> dict[str, Any] | None:
    """The latest figure of a measure for an area (financial year if any, else
    quarter), with its rate, CI, baseline change and source; None if no data.

    Keys: code, name, unit, rate_multiplier, age_band, period, value, rate,
    rate_lower, rate_upper, suppressed, source_title, illustrative, baseline
    (baseline_change dict)."""
    measure = get_measure(measure_code, scope=scope)
    return _headline(scope, measure, get_area(area_code), age_band)


def _headline(
    scope: Scope, measure: dict, area: AreaInfo, age_band: str
) -> dict[str, Any] | None:
    """measure_headline for a measure and an area already looked up; the year
    series is read once, for the headline and for the baseline."""
    years = _area_series(scope, measure, area, "year", age_band)
    series, length = years[years["value"].notna()], "year"
    if series.empty:
        series = _area_series(scope, measure, area, "quarter", age_band)
        series, length = series[series["value"].notna()], "quarter"
    if series.empty:
        return None
    latest = _disclose(
        series.tail(1).assign(comparison="not compared"),
        measure,
        scope,
        length=length,
        age_band=age_band,
    ).iloc[0]
    return {
        "code": measure["code"],
        "name": measure["name"],
        "unit": measure["unit"],
        "rate_multiplier": measure["rate_multiplier"],
        "age_band": age_band,
        "period": latest["period"],
        "value": latest["value"],
        "rate": latest["rate"],
        "rate_lower": latest["rate_lower"],
        "rate_upper": latest["rate_upper"],
        "suppressed": bool(latest["suppressed"]),
        "source_title": latest["source_title"],
        "illustrative": bool(latest["illustrative"]),
        "baseline": _baseline(
            scope,
            measure,
            _disclose(years, measure, scope, length="year", age_band=age_band),
        ),
    }


def overview_summary(*, scope: Scope, area_code: str) -> dict[str, Any]:
    """Everything the board overview shows for one area.

    Keys: area (AreaInfo), measures (list of {"all": headline, "under25": headline
    or None} per success measure, headline as `measure_headline`), money
    (money.money_forecast dict, or None when outside the scope or not a force area),
    money_denied (bool), reach (reach_by_tier dict or None), changes (list of
    sentences). NotFound for an unknown area."""
    area = get_area(area_code)
    # The measure list is read once and each measure looked up in it once, then
    # passed down (each read is a query when the cache is off).
    table = measure_metadata(include_private=True)
    found: dict[str, dict] = {}

    def measure(code: str) -> dict:
        if code not in found:
            found[code] = get_measure(code, scope=scope, table=table)
        return found[code]

    rows = [
        {age: _headline(scope, measure(code), area, age) for age in ("all", "under25")}
        for code in success_measures(table)["code"]
    ]
    money_part, reach, denied = None, None, False
    if area.level == "pfa":
        try:
            money_part = money.money_forecast(scope=scope, area_code=area.code)
            reach = reach_by_tier(scope=scope, area_code=area.code)
        except AccessDenied:
            denied = True
    return {
        "area": area,
        "measures": rows,
        "money": money_part,
        "money_denied": denied,
        "reach": reach,
        "changes": _changes(scope, measure("knife_offences"), area),
    }


__all__ = [
    "BASELINE_LABEL",
    "CHILD_COLUMNS",
    "LENGTHS",
    "SERIES_BREAKS",
    "TREND_COLUMNS",
    "NotFound",
    "area_series",
    "baseline_change",
    "benchmark_name",
    "changes_since_last_quarter",
    "check_age_band",
    "check_length",
    "children_latest",
    "funding_start",
    "level_series",
    "measure_headline",
    "overview_summary",
    "reach_by_tier",
    "recent_trend",
    "series_breaks",
    "trend_view",
    "trend_with_benchmark",
]
