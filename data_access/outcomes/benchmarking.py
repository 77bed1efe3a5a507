"""A success measure's benchmark: England and Wales, England, or the sum of the
force areas; a chart uses one of these, never two (`one_basis`).

The benchmark is England and Wales. Where nothing is published for England and
Wales (hospital admissions cover England only) it is England. For periods with no
published national figure (e.g. knife offences by quarter, or years after the
published series end) it is the sum of the force areas, used only when at least
90% of the forces that report the measure report that period; `area_name` then says
"(sum of N force areas)".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Integer, case, cast, extract, func, select
from sqlalchemy.orm import aliased

from data_access import statistics
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.cache import memoized
from data_access.db import read_connection, read_frame
from data_access.measures import current_values
from data_access.models import (
    Area,
    MeasureValue,
    Source,
)
from data_access.outcomes.raw_series import (
    _PRECISION_OF_RANK,
    _RAW_COLUMNS,
    PRECISION_RANK,
    SUM_OF_FORCES_PREFIX,
    _add_rates,
    _by_length,
    _children_by_length,
    _joined_titles,
    _period_codes,
    _period_labels,
    _precision_rank,
    _raw,
)

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
    """Sum figures per period; `count` says how to count the areas in each (n):
    ("area_code", "nunique") or ("n", "sum"). Plain arrays indexed by period (a
    pandas groupby with seven named aggregations cost more than the reads)."""
    codes, distinct = _period_codes(frame["period_start"], frame["period_end"])
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[order] = np.arange(len(distinct))
    group, size = rank[codes], len(distinct)

    def total(name: str) -> np.ndarray:
        values = frame[name].to_numpy(dtype=float)  # a sum skips what is missing
        return np.bincount(group, np.where(np.isnan(values), 0.0, values), size)

    def any_of(name: str) -> np.ndarray:
        return np.bincount(group, frame[name].to_numpy(dtype=bool), size) > 0

    column, how = count
    if how == "nunique":
        seen = set(zip(group.tolist(), frame[column].tolist(), strict=True))
        n = np.bincount(
            np.fromiter((g for g, _ in seen), np.intp, len(seen)), None, size
        )
    else:
        n = np.bincount(group, frame[column].to_numpy(dtype=float), size).astype(int)
    best = np.full(size, -np.inf)
    np.maximum.at(best, group, frame["precision_rank"].to_numpy(dtype=float))
    titles = _joined_titles(frame, ["period_start", "period_end"])
    periods_ = [distinct[i] for i in order]
    return pd.DataFrame(
        {
            "period_start": [start for start, _ in periods_],
            "period_end": [end for _, end in periods_],
            "n": n,
            "value": total("value"),
            "numerator": total("numerator"),
            "denominator": total("denominator"),
            "provisional": any_of("provisional"),
            "illustrative": any_of("illustrative"),
            "precision_rank": best,
            "source_title": [titles[key] for key in periods_],
        }
    )


def _force_series(
    measure_code: str,
    age_band: str,
    length: str,
    proportion_scale: float | None,
    england_only: bool,
) -> pd.DataFrame:
    """The force areas' own series at `length` (England's alone when england_only),
    undisclosed: the rows a sum of force areas adds up and its disclosure checks."""
    forces = _children_by_length(
        measure_code, NATIONAL_CODE, age_band, length, proportion_scale
    )
    if england_only:
        forces = forces[forces["area_code"].str.startswith("E")]
    return forces


def _force_quarters(
    columns: list, measure_code: str, age_band: str, england_only: bool
):  # noqa: ANN202 - a Select
    """SELECT `columns` over the force areas' usable current quarters (a count and
    a population), the rows a sum of force areas adds up."""
    parent = aliased(Area)
    query = (
        current_values(columns, measure_code, age_band)
        .join(parent, parent.id == Area.parent_id)
        .where(
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
    parts = read_frame(
        query,
        [
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
    if parts.empty:
        return pd.DataFrame(columns=_TOTAL_COLUMNS)
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
    with read_connection() as connection:
        return dict(connection.execute(query).all())


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
    with read_connection() as connection:
        counts = dict(connection.execute(counted).all())
        gaps = [c for c, n in counts.items() if n < len(starts)]
        partial = {}
        if gaps:
            query = _force_quarters(
                [Area.code, MeasureValue.period_start],
                measure_code,
                age_band,
                england_only,
            ).where(Area.code.in_(gaps))
            for code, start in connection.execute(query):
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
    published, name = _published(
        measure_code, length, age_band, proportion_scale, england_only
    )
    england_only = name == "England"
    if length == "quarter":
        totals = _force_quarter_totals(measure_code, age_band, england_only)
        left_out = _left_out_of_quarters(
            measure_code, age_band, england_only, list(totals["period_start"])
        )
    else:
        # Years follow _by_length (annual rows, else four quarters), the rule each
        # area's own series uses, so they are summed from the force areas' years.
        forces = _force_series(
            measure_code, age_band, length, proportion_scale, england_only
        )
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
    return _in_order(pd.concat(frames, ignore_index=True), length)


@memoized
def _published(
    measure_code: str,
    length: str,
    age_band: str,
    proportion_scale: float | None,
    england_only: bool,
) -> tuple[pd.DataFrame, str]:
    """The published national series at `length` (raw columns + period, as
    `_by_length` makes it) and whose it is: England and Wales's, else England's
    where none is published for England and Wales (or the measure covers England
    only)."""
    published = _by_length(
        _raw(measure_code, NATIONAL_CODE, None, age_band),
        length,
        proportion_scale=proportion_scale,
    )
    if published.empty:
        england = _by_length(
            _raw(measure_code, ENGLAND_CODE, None, age_band),
            length,
            proportion_scale=proportion_scale,
        )
        if not england.empty or england_only:
            return england, "England"
    return published, "England and Wales"


def _in_order(bench: pd.DataFrame, length: str) -> pd.DataFrame:
    """The benchmark's rows oldest first, calendar years labelled as the areas'
    calendar years are (`_by_length`)."""
    if length == "calendar":
        bench["period"] = [str(start.year) for start in bench["period_start"]]
    return bench.sort_values("period_start").reset_index(drop=True)


def _england_only(measure: dict) -> bool:
    """The measure row says its figures cover England only (HES)."""
    return measure["coverage"] == "England"


def _benchmark(measure: dict, length: str, age_band: str) -> pd.DataFrame:
    """The measure's benchmark series with rates (raw columns + period + rates),
    on one basis (`one_basis`): what every chart and comparison of a trend uses.

    Where any national figure is published, `one_basis` keeps the published rows
    alone, so the sum of the force areas (`_national`'s other part, about a third
    of /violence's work) is not worked out for a chart that never shows it."""
    scale = statistics.proportion_scale(measure)
    england_only = _england_only(measure)
    published, _ = _published(measure["code"], length, age_band, scale, england_only)
    if not published.empty:
        return _add_rates(_in_order(published, length), measure)
    return _add_rates(
        one_basis(
            _national(
                measure["code"],
                length,
                age_band,
                proportion_scale=scale,
                england_only=england_only,
            )
        ),
        measure,
    )


def one_basis(bench: pd.DataFrame) -> pd.DataFrame:
    """One benchmark per chart, never two bases joined. The rule: **the published
    national figures wherever any are published for this period length and age
    band; otherwise the sum of the force areas**. The two differ (the published
    England and Wales total includes British Transport Police and later
    revisions: about 25 per 100,000 apart for knife offences), so a period with
    no published figure is left without a benchmark rather than filled with a
    sum. `basis_text` says in words which one a series uses."""
    if bench.empty:
        return bench
    summed = bench["source_title"].astype(str).str.startswith(SUM_OF_FORCES_PREFIX)
    if (~summed).any():
        return bench[~summed].reset_index(drop=True)
    return bench


def basis_text(bench: pd.DataFrame, name: str) -> str:
    """The caption's sentence on what the benchmark `name` is, from its rows
    (`one_basis`): published figures (naming any that cover less, e.g. "excluding
    Greater Manchester") or the sum of the force areas that report."""
    if bench.empty:
        return ""
    summed = bench["source_title"].astype(str).str.startswith(SUM_OF_FORCES_PREFIX)
    covers = [n for n in dict.fromkeys(bench["area_name"].astype(str)) if n != name]
    if summed.all():
        what = "; ".join(covers) if covers else f"{name} (sum of the force areas)"
        return (
            f"Benchmark: {name}, the sum of the force areas that report ({what}): "
            "no national figure is published for these periods."
        )
    text = (
        f"Benchmark: {name} as published; where no national figure is published "
        "the benchmark is left out rather than filled with the sum of the force "
        "areas, which differs from the published total."
    )
    if covers:
        text += " Some published figures cover less: " + "; ".join(covers) + "."
    return text


def benchmark_name(measure: dict) -> str:
    """The benchmark's name: the measure's coverage, "England" for measures
    published for England only, else "England and Wales"."""
    return measure["coverage"]
