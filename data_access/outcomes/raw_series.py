"""A success measure's stored series: reads, financial years, rates.

Every function is keyword-only where public and takes the caller's `scope` above
it (data_access.outcomes.trend_views checks scope before the memoized inner
queries, which take only primitives).

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
- Series breaks: `SERIES_BREAKS` (documented recording changes) plus the period
  where a series switches from published to illustrative figures.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

import numpy as np
import pandas as pd
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    extract,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from data_access import periods, statistics
from data_access.areas import AreaInfo
from data_access.cache import memoized
from data_access.db import read_connection, read_frame
from data_access.errors import InvalidParameter
from data_access.measures import (
    AGE_BANDS,
    current_rows,
    current_values,
)
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    covered_area_name,
    months_spanned,
)
from data_access.scope import Scope

LENGTHS = {
    "quarter": "Quarterly",
    "year": "Financial year",
    # January to December: the Metropolitan Police's borough homicides, and ONS
    # tables for the year ending December (issue 17). Never drawn among
    # financial years: a view of its own.
    "calendar": "Calendar year",
}
# The financial years before VRU funding began (2019/20): the baseline every
# change is measured against (headlines) and the VRU groups' pre-funding window.
BASELINE_YEARS = (2016, 2017, 2018)
BASELINE_LABEL = periods.fy_range_label(BASELINE_YEARS[0], BASELINE_YEARS[-1])
TREND_WINDOW = statistics.TREND_MIN_PERIODS
SUM_OF_FORCES_PREFIX = "Sum of force areas: "  # a summed benchmark's source title

# A period's figure and the rate worked out from it (95% interval): the
# columns the disclosure engine publishes together (series_disclosure), so
# every list of published figures names them from here.
FIGURE_COLUMNS = [
    "value",
    "numerator",
    "denominator",
    "rate",
    "rate_lower",
    "rate_upper",
]
TREND_COLUMNS = [
    "period_start",
    "period_end",
    "period",
    "role",
    "area_code",
    "area_name",
    *FIGURE_COLUMNS,
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
    *FIGURE_COLUMNS,
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
    """PRECISION_RANK per row, an unknown or missing precision ranked approx
    (a dict look-up per row: Series.map costs more on a few thousand rows)."""
    approx = PRECISION_RANK["approx"]
    return pd.Series(
        [PRECISION_RANK.get(p, approx) for p in precision.tolist()],
        index=precision.index,
        dtype=float,
    )


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


def _raw_columns() -> list:
    """What `_raw` reads of each current value (_RAW_COLUMNS)."""
    return [
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
    ]


@memoized
def _raw(
    measure_code: str, area_code: str | None, parent_code: str | None, age_band: str
) -> pd.DataFrame:
    """Current values of a measure for one area, or for every child of a parent."""
    if parent_code is None and area_code is not None and _is_success(measure_code):
        rows = _success_rows(area_code).get((measure_code, age_band), [])
        return _rows_frame(rows)
    if parent_code is not None:
        rows = _children_rows(measure_code, parent_code, age_band)
        if area_code is not None:
            rows = [row for row in rows if row[0] == area_code]
        return _rows_frame(list(rows))
    query = current_values(_raw_columns(), measure_code, age_band)
    query = query.order_by(
        Area.code, MeasureValue.period_start, MeasureValue.period_end
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    return _raw_frame(read_frame(query, _RAW_COLUMNS))


def _known_empty(measure_code: str, area_code: str, age_band: str) -> bool:
    """Whether `_raw(measure_code, area_code, None, age_band)` is known to hold
    no row without building it: a success measure's rows are the area's
    `_success_rows`, read once per request anyway. The overview asks for series
    many areas lack (under-25s, regions: 8 of its 14), each an empty frame built,
    summed by length and given rates (issue 19). False when not known."""
    return _is_success(measure_code) and (
        (measure_code, age_band) not in _success_keys(area_code)
    )


@memoized
def _success_keys(area_code: str) -> frozenset[tuple[str, str]]:
    """The (measure code, age band) pairs of `_success_rows`: memoized apart,
    as `_success_codes` is, since a few pairs unpickle faster than the rows."""
    return frozenset(_success_rows(area_code))


def _children_query(columns: list, measure_code: str, parent_code: str, age_band: str):  # noqa: ANN202 - a Select
    """SELECT `columns` over the current values of a measure and age band of
    every child area (Area) of the parent."""
    parent, child = aliased(Area), aliased(Area)
    children = (
        select(child.id)
        .join(parent, parent.id == child.parent_id)
        .where(parent.code == parent_code)
    )
    # the children's ids, not a join to their parent: SQLite then finds the
    # rows by measure and area (its index) instead of reading every area's rows
    # of the measure (7.7 -> 2.8 ms for the force areas' knife offences)
    return current_values(columns, measure_code, age_band).where(
        MeasureValue.area_id.in_(children.scalar_subquery())
    )


@memoized
def _children_by_length(
    measure_code: str,
    parent_code: str,
    age_band: str,
    length: str,
    proportion_scale: float | None,
) -> pd.DataFrame:
    """`_by_length` of every child area's current values: the force areas' years
    are both the sum-of-force-areas benchmark's parts and /violence's ranking of
    force areas, worked out once per request (a few thousand rows each time)."""
    return _by_length(
        _raw(measure_code, None, parent_code, age_band),
        length,
        proportion_scale=proportion_scale,
    )


@memoized
def _children_rows(measure_code: str, parent_code: str, age_band: str) -> tuple:
    """The current values of a measure and age band of every child area of the
    parent as `_raw` reads them, in its order, as plain tuples: `_raw` of the
    children is a frame of them. The ranking of the children reads less
    (`_children_latest`)."""
    query = _children_query(
        _raw_columns(), measure_code, parent_code, age_band
    ).order_by(Area.code, MeasureValue.period_start, MeasureValue.period_end)
    with read_connection() as connection:
        return tuple(tuple(row) for row in connection.execute(query))


# The periods a child area's rows can make a year of (financial years, their
# quarters, other 12-month periods) and, per length, the rows the store counts
# when it guesses the latest period most children report (_children_latest).
_QUARTER_MONTHS = (1, 4, 7, 10)


def _guess_bucket(start, length: str):  # noqa: ANN001, ANN202 - SQL expressions
    """SQL: the period a row of `start` (a date column) counts towards in
    `_children_latest`'s guess: its start, or for years its financial year
    (the year of its start, less one before April)."""
    if length != "year":
        return start
    return extract("year", start) - case((extract("month", start) < 4, 1), else_=0)


def _guess_parts(months, start, length: str) -> tuple:  # noqa: ANN001 - SQL expressions
    """SQL: what a row of `months` months from `start` weighs in the guess of
    the period most areas report (`_children_latest`), first and second: at a
    quarter or a calendar year, a row of that kind is 1; at a year, a
    financial year is 4 and a quarter 1 (four make a year), and another
    12-month period is 1 second, counted where nothing weighs first (only an
    area with neither has those as years). The kinds are `_period_kind`'s,
    from the stored months; the guess is checked in Python, so it need not be
    exact."""
    month = extract("month", start)
    quarter = and_(months == 3, month.in_(_QUARTER_MONTHS))
    if length == "quarter":
        return case((quarter, 1), else_=0), literal(0)
    if length == "calendar":
        return case((and_(months == 12, month == 1), 1), else_=0), literal(0)
    return (
        case((and_(months == 12, month == 4), 4), (quarter, 1), else_=0),
        case((and_(months == 12, month.not_in((1, 4))), 1), else_=0),
    )


@memoized
def _children_latest(
    measure_code: str, parent_code: str, age_band: str, length: str
) -> tuple[tuple, tuple]:
    """(every child area's periods, the guessed latest period's rows) of the
    current values of a measure and age band, in one statement.

    The periods are (start, end, area codes) per distinct period, grouped in
    the store: `_periods_made` needs no more to find the latest period most
    children report. The rows (`_raw` rows, plain tuples in area and period
    order) are those of the period the store guesses it is: the latest start
    (or, for years, financial year) with the most areas reporting it. The
    guess saves a second round trip; `_latest_reads` checks it and reads the
    chosen period's rows if it was wrong. Reading every child's figures (about
    4,000 rows of 12 columns for the force areas) and making periods of them
    in Python was half of /violence's CPU (issue 19)."""
    values = {
        "measure_code": measure_code,
        "parent_code": parent_code,
        "age_band": age_band,
    }
    with read_connection() as connection:
        read = connection.execute(_children_latest_statement(length), values).all()
    by_period = tuple(
        (row[2], row[3], tuple(row[0].split(","))) for row in read if not row[-1]
    )
    picked = sorted((tuple(row[:-1]) for row in read if row[-1]), key=_row_order)
    return by_period, tuple(picked)


@functools.cache
def _children_latest_statement(length: str):  # noqa: ANN202 - a CompoundSelect
    """`_children_latest`'s statement at `length`, the measure code, the
    parent's code and the age band bound ("measure_code", "parent_code",
    "age_band"): built once per process (building it cost a third of the
    read)."""
    measure_code, parent_code, age_band = (
        bindparam(name, type_=String)
        for name in ("measure_code", "parent_code", "age_band")
    )
    # the parent's children (ids) and the measure (its id): scalar and IN
    # subqueries, not joins, so the store plans fewer joins (PostgreSQL's
    # planning was a third of the statement) and finds the rows by measure and
    # area (its index); a value's source is never missing (a foreign key, not
    # null), so the periods need no join to it
    parent, child = aliased(Area), aliased(Area)
    parent_id = select(parent.id).where(parent.code == parent_code).scalar_subquery()
    measure_id = (
        select(Measure.id).where(Measure.code == measure_code).scalar_subquery()
    )
    children = select(child.id).where(child.parent_id == parent_id)
    mine = and_(
        MeasureValue.is_current,
        MeasureValue.measure_id == measure_id,
        MeasureValue.age_band == age_band,
        MeasureValue.area_id.in_(children),
    )
    # the children's periods, each row's once (materialized on SQLite:
    # grouping the rows so found is cheaper than SQLite's own plan for a
    # grouped read; PostgreSQL groups them as it reads them, 1.3 -> 0.9 ms),
    # then grouped: a few dozen periods with their areas
    light = (
        select(
            Area.code.label("code"),
            MeasureValue.period_start.label("period_start"),
            MeasureValue.period_end.label("period_end"),
            MeasureValue.period_months.label("months"),
        )
        .join_from(MeasureValue, Area, Area.id == MeasureValue.area_id)
        .where(mine)
        .cte("light")
        .prefix_with("MATERIALIZED", dialect="sqlite")
    )
    grouped = (
        select(
            light.c.period_start,
            light.c.period_end,
            light.c.months,
            func.count().label("n"),
            func.aggregate_strings(light.c.code, ",").label("codes"),
        )
        .group_by(light.c.period_start, light.c.period_end, light.c.months)
        .cte("grouped")
    )
    # the guess: the latest start (or financial year) with the most areas
    # reporting it (weighed by _guess_parts), and its first and last starts
    first, second = _guess_parts(grouped.c.months, grouped.c.period_start, length)
    counted = select(
        grouped.c.period_start,
        _guess_bucket(grouped.c.period_start, length).label("bucket"),
        (grouped.c.n * first).label("first"),
        (grouped.c.n * second).label("second"),
    ).cte("counted")
    best = (
        select(counted.c.bucket)
        .group_by(counted.c.bucket)
        .order_by(
            func.sum(counted.c.first).desc(),
            # other 12-month periods only where no financial year or quarter is
            case(
                (func.sum(counted.c.first) == 0, func.sum(counted.c.second)), else_=0
            ).desc(),
            counted.c.bucket.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )
    guessed = (
        select(
            func.min(counted.c.period_start).label("first"),
            func.max(counted.c.period_start).label("last"),
        )
        .where(counted.c.bucket == best)
        .cte("guessed")
    )
    rows = (
        select(*_raw_columns(), literal(1).label("is_row"))
        .select_from(MeasureValue)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            mine,
            MeasureValue.period_start.between(
                select(guessed.c.first).scalar_subquery(),
                select(guessed.c.last).scalar_subquery(),
            ),
        )
    )
    # the periods under the rows' columns: codes as area_code, then the dates
    periods_ = select(
        grouped.c.codes,
        null(),
        grouped.c.period_start,
        grouped.c.period_end,
        *[null()] * (len(_RAW_COLUMNS) - 4),
        literal(0),
    )
    return union_all(rows, periods_)


def _row_order(row: tuple) -> tuple:
    """`_children_rows`' order: area code, period start, period end."""
    return (row[0], row[2], row[3])


def _children_between(
    measure_code: str, parent_code: str, age_band: str, first: dt.date, last: dt.date
) -> tuple:
    """`_children_rows` of the periods starting from `first` to `last` alone:
    the chosen period's rows when `_children_latest` guessed another."""
    query = (
        _children_query(_raw_columns(), measure_code, parent_code, age_band)
        .where(MeasureValue.period_start.between(first, last))
        .order_by(Area.code, MeasureValue.period_start, MeasureValue.period_end)
    )
    with read_connection() as connection:
        return tuple(tuple(row) for row in connection.execute(query))


def _latest_reads(
    measure_code: str,
    parent_code: str,
    age_band: str,
    length: str,
    proportion_scale: float | None,
) -> pd.DataFrame | None:
    """`_latest_rows` of every child area of the parent (area_trends.children_of):
    the rows `_by_length` makes at `length` for the latest period most of them
    report; None when it makes no period. One read when the store's guess of
    that period holds (`_children_latest`), two when it does not."""
    by_period, rows = _children_latest(measure_code, parent_code, age_band, length)
    chosen = _latest_made(_periods_made(by_period, length))
    if chosen is None:
        return None
    latest, end, areas = chosen
    needed = {
        (code, start, stop)
        for start, stop, codes in by_period
        if start == latest
        or (
            length == "year" and latest <= start <= end and _period_kind(start, stop)[0]
        )
        for code in codes
        if code in areas
    }
    if not needed <= {_row_order(row) for row in rows}:
        rows = _children_between(measure_code, parent_code, age_band, latest, end)
    return _latest_rows(rows, chosen, length, proportion_scale)


def _periods_made(
    by_period: list[tuple] | tuple, length: str
) -> dict[dt.date, tuple[dt.date, set[str]]]:
    """Which periods `_by_length` makes at `length` of `_raw` rows, from their
    periods alone, given as (start, end, area codes) per distinct period (as
    `_children_latest` reads them): per period start, its end and the areas it
    is made for. `_by_length` decides, and this says what it would decide
    without building its frame (a frame of every child's figures and
    `_by_length` over it cost 15 ms a click); the test holds the two to one
    rule (test_children_paths). Quarters and calendar years are the rows of
    their kind; financial years are the published ones and those of four
    quarters; an area with no financial year and no quarter has its other
    12-month periods as years."""
    made: dict[dt.date, tuple[dt.date, set[str]]] = {}

    def add(codes, start: dt.date, end: dt.date) -> None:  # noqa: ANN001
        entry = made.get(start)
        if entry is None:
            made[start] = (end, set(codes))
            return
        entry[1].update(codes)
        if end > entry[0]:  # (periods of one start end alike, but take the last)
            made[start] = (end, entry[1])

    if length in ("quarter", "calendar"):
        which = 0 if length == "quarter" else 3
        for start, end, codes in by_period:
            if _period_kind(start, end)[which]:
                add(codes, start, end)
        return made
    # per financial year, how many of its quarters each area reports: counted
    # by a Counter per year (its update counts in C), not a step per area and
    # quarter in Python (a few thousand, issue 19)
    quarters: dict[int, Counter] = {}
    covered: set[str] = set()
    others: list[tuple] = []
    for start, end, codes in by_period:
        is_quarter, is_year, is_other_year, _ = _period_kind(start, end)
        if is_year:
            add(codes, start, end)
            covered.update(codes)
        elif is_quarter:
            year = periods.financial_year_of(start)
            counts = quarters.get(year)
            if counts is None:
                counts = quarters[year] = Counter()
            counts.update(codes)
            covered.update(codes)
        elif is_other_year:
            others.append((start, end, codes))
    for year, counts in quarters.items():
        complete = [code for code, n in counts.items() if n == 4]
        if complete:
            add(complete, *periods.fy_bounds(year))
    for start, end, codes in others:
        uncovered = [code for code in codes if code not in covered]
        if uncovered:
            add(uncovered, start, end)
    return made


def _latest_made(
    made: dict[dt.date, tuple[dt.date, set[str]]],
) -> tuple[dt.date, dt.date, set[str]] | None:
    """Of `_periods_made`, the latest period most areas report: (start, end,
    areas); None when none is made."""
    if not made:
        return None
    most = max(len(areas) for _, areas in made.values())
    latest = max(start for start, (_, areas) in made.items() if len(areas) == most)
    end, areas = made[latest]
    return latest, end, areas


def _latest_rows(
    rows: list[tuple] | tuple,
    chosen: tuple[dt.date, dt.date, set[str]],
    length: str,
    proportion_scale: float | None,
) -> pd.DataFrame:
    """Of `_raw` rows (plain tuples in `_children_rows`' order, holding at least
    the chosen period's), the rows `_by_length` makes at `length` for the
    chosen period (`_latest_made`: its start, end and areas), in area order
    (_RAW_COLUMNS and period, as `_by_length` gives them).

    The ranking of the children (area_trends.children_of) shows that one
    period: its rows are picked from the tuples, and only a year made of four
    quarters goes through `_years_from_quarters` (the one road for such a
    year), instead of a frame and `_by_length` over every row (issue 19).
    Per area, a published row of the period stands, else its four quarters'
    year, else (an area with no financial year and no quarter) its other
    12-month period."""
    latest, end, areas = chosen
    kind = {"quarter": 0, "year": 1, "calendar": 3}[length]
    picked: dict[str, tuple] = {}
    quarters: list[tuple] = []
    for row in rows:
        if row[0] not in areas or not latest <= row[2] <= end:
            continue
        kinds = _period_kind(row[2], row[3])
        if row[2] == latest and kinds[kind]:
            picked[row[0]] = row
        elif length == "year" and kinds[0]:
            quarters.append(row)
    # an area's four quarters make its year unless it has a published one
    quarters = [row for row in quarters if row[0] not in picked]
    if quarters:
        # (`_rows_frame`: the frame of the tuples, built by column; and the
        # sums' rows as tuples of their columns' lists, the values itertuples
        # gives: two frames made of rows cost more than the sums, issue 19)
        summed = _years_from_quarters(_rows_frame(quarters), proportion_scale)
        columns = (summed[col].tolist() for col in summed.columns)
        for row in zip(*columns, strict=True):
            if row[2] == latest:
                picked.setdefault(row[0], row)  # a published year stands
    if length == "year" and len(picked) < len(areas):
        for row in rows:  # an area's other 12-month period, as its year
            if row[0] in areas and row[0] not in picked and row[2] == latest:
                if _period_kind(row[2], row[3])[2]:
                    picked[row[0]] = row
    out = _rows_frame([picked[code] for code in sorted(picked)])
    if length == "calendar":
        out["period"] = [str(start.year) for start in out["period_start"]]
    else:
        out["period"] = _period_labels(out["period_start"], out["period_end"])
    return out


_FLOAT_COLUMNS = ("value", "numerator", "denominator")


def _rows_frame(rows: list[tuple]) -> pd.DataFrame:
    """`_raw_frame` of `_raw` rows (plain tuples, _RAW_COLUMNS): the frame pandas
    makes of the tuples, typed as `_raw_frame` types it, built column by column
    with the figures and the illustrative flag already typed. A frame of rows
    infers every column's type and `_raw_frame` then retypes three or four of
    them, which cost more than the headline they feed (issue 19). None is NaN
    in a float array and False in a bool one, as `_raw_frame`'s conversions
    have them; the other columns are inferred as from the rows. No rows: the
    frame of rows, so an empty frame keeps its types."""
    if not rows:
        return _raw_frame(pd.DataFrame(rows, columns=_RAW_COLUMNS))
    data: dict = {}
    for name, values in zip(_RAW_COLUMNS, zip(*rows, strict=True), strict=True):
        if name in _FLOAT_COLUMNS:
            data[name] = np.array(values, dtype=float)
        elif name == "illustrative":
            data[name] = np.array(values, dtype=bool)
        else:
            data[name] = list(values)
    return pd.DataFrame(data)


def _raw_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`_raw`'s frame (_RAW_COLUMNS) with its columns' types."""
    if frame["illustrative"].dtype != bool:  # as read from SQLite, say
        frame["illustrative"] = frame["illustrative"].astype(bool)
    for col in ("value", "numerator", "denominator"):
        if frame[col].dtype != np.float64:  # e.g. all missing: object
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def _is_success(measure_code: str) -> bool:
    """A Home Office success measure."""
    return measure_code in _success_codes()


@memoized
def _success_codes() -> frozenset[str]:
    """The success measures' codes (those with a success_measure_rank, as
    `measures.success_measures` picks them), read alone: building the whole
    measure table for three codes was 8% of /violence's content callback with
    the cache off (issue 19)."""
    query = select(Measure.code).where(Measure.success_measure_rank.is_not(None))
    with read_connection() as connection:
        return frozenset(connection.execute(query).scalars())


@memoized
def _success_rows(area_code: str) -> dict[tuple[str, str], list[tuple]]:
    """One area's current values of every success measure in every age band, in
    one read, as `_raw` rows by (measure code, age band): the overview shows
    each success measure for two age bands, and for the area's region, which
    were nine reads of a few dozen rows each (issue 19). Plain tuples, so a
    memo hit costs little to unpickle."""
    out: dict[tuple[str, str], list[tuple]] = {}
    with read_connection() as connection:
        statement = _success_rows_statement()
        for row in connection.execute(statement, {"area_code": area_code}):
            *values, code, age = row
            out.setdefault((code, age), []).append(tuple(values))
    return out


@functools.cache
def _success_rows_statement():  # noqa: ANN202 - a Select
    """`_success_rows`' statement, the area's code bound ("area_code"): built
    once per process, as `_children_latest_statement` is (building it cost a
    quarter of the read on SQLite, twice per overview answer)."""
    return (
        current_rows([*_raw_columns(), Measure.code, MeasureValue.age_band])
        .where(
            Area.code == bindparam("area_code", type_=String),
            Measure.success_measure_rank.is_not(None),
        )
        # as `_raw` orders one measure's rows (one area: by period)
        .order_by(MeasureValue.period_start, MeasureValue.period_end)
    )


def _period_kinds(
    frame: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(is a quarter, is a financial year, is another 12-month period neither a
    financial nor a calendar year: a year ending June or September, is a
    calendar year) per row, from the period dates.

    Worked out once per distinct period: a frame holds thousands of rows but
    only a few dozen periods."""
    codes, distinct = _period_codes(frame["period_start"], frame["period_end"])
    kinds = np.array([_period_kind(start, end) for start, end in distinct], dtype=bool)
    kinds = kinds.reshape(len(distinct), 4)
    by_row = kinds[codes] if len(codes) else np.zeros((0, 4), dtype=bool)
    return tuple(by_row[:, i].copy() for i in range(4))


@functools.lru_cache(maxsize=4096)
def _period_kind(start: dt.date, end: dt.date) -> tuple[bool, bool, bool, bool]:
    """`_period_kinds` of one period. A rule of the calendar alone (no store),
    kept per process: every series holds the same few hundred periods."""
    months = months_spanned(start, end)
    return (
        # the rules board._kinds and the period labels use
        periods.is_quarter(start, end),
        periods.is_financial_year(start, end),
        # not calendar years: the Metropolitan Police's borough homicides
        # (Jan-Dec) would sit among financial years on one axis
        months == 12 and start.month not in (1, 4),
        months == 12 and start.month == 1,
    )


@functools.lru_cache(maxsize=4096)
def _period_label(start: dt.date, end: dt.date) -> str:
    """periods.period_label, kept per process as `_period_kind` is."""
    return periods.period_label(start, end)


def _period_codes(
    start: pd.Series, end: pd.Series
) -> tuple[np.ndarray, list[tuple[dt.date, dt.date]]]:
    """(per row, the index of its period in the list of distinct periods; that
    list): a per-period rule then runs once per period and is indexed per row,
    instead of a Python step per row (thousands of rows, a few dozen periods)."""
    index: dict[tuple, int] = {}
    codes = np.fromiter(
        (
            index.setdefault(pair, len(index))
            for pair in zip(start.tolist(), end.tolist(), strict=True)
        ),
        dtype=np.intp,
        count=len(start),
    )
    return codes, list(index)


def _period_labels(start: pd.Series, end: pd.Series) -> list[str]:
    """periods.period_label per row, computed once per distinct period."""
    codes, distinct = _period_codes(start, end)
    labels = [_period_label(*pair) for pair in distinct]
    return [labels[code] for code in codes.tolist()]


def _by_length(
    frame: pd.DataFrame, length: str, *, proportion_scale: float | None = None
) -> pd.DataFrame:
    """Quarters, or financial years (annual rows, else four quarters combined:
    summed for counts, pooled for proportions; see `statistics.proportion_scale`),
    or calendar years (length "calendar": January to December rows only,
    labelled by their year, e.g. "2019").

    An area with no financial year and no quarter at all shows its other
    12-month periods as its years ("year ending Jun 2025" from ONS Table P1):
    published only that way, they would otherwise not be shown at all (issue
    17). Calendar years are not: they would be drawn among the benchmark's
    financial years on one axis (a year ending December is left out too)."""
    if frame.empty:
        out = frame.copy()
        out["period"] = pd.Series(dtype=object)
        return out
    is_quarter, is_year, is_other_year, is_calendar = _period_kinds(frame)
    if length == "calendar":
        out = _rows_where(frame, is_calendar).copy()
        out = out.sort_values(["area_code", "period_start"]).reset_index(drop=True)
        out["period"] = [str(start.year) for start in out["period_start"]]
        return out
    if length == "year":
        # The published years, the quarters' sums and the other 12-month
        # periods picked by position from the frame and the sums joined in one
        # concat, sorted and taken in one step (a take and a concat of each
        # piece cost more than a dozen rows' arithmetic, issue 19). The
        # concat holds the same pieces' types as the pieces did: the frame's
        # rows, and the sums as made whenever any were made (what was kept of
        # them may be none). The sums are read off the frame's columns by
        # position (no frame of the quarters is taken), and no concat is made
        # where only the frame's rows are kept.
        areas = frame["area_code"].tolist()
        starts = frame["period_start"].tolist()
        rows = np.flatnonzero(is_year).tolist()
        summed = (
            _quarter_years(
                frame,
                np.flatnonzero(is_quarter).tolist(),
                areas,
                starts,
                proportion_scale,
            )
            if is_quarter.any()  # no quarters: no sums, and no empty frame made
            else None
        )
        if summed is not None and not summed.empty:
            # a published year stands; its quarters' sum does not
            have = {(areas[i], starts[i]) for i in rows}
            summed_areas = summed["area_code"].tolist()
            summed_starts = summed["period_start"].tolist()
            rows += [
                len(frame) + i
                for i, key in enumerate(zip(summed_areas, summed_starts, strict=True))
                if key not in have
            ]
            areas, starts = areas + summed_areas, starts + summed_starts
        if is_other_year.any():
            # an area's other periods only where it has no year nor quarter
            covered = {areas[i] for i in np.flatnonzero(is_year | is_quarter)}
            other = np.flatnonzero(is_other_year).tolist()
            rows += [i for i in other if areas[i] not in covered]
        # by area then period start, stably (as `_sorted_by_area`)
        rows.sort(key=lambda i: (areas[i], starts[i]))
        n = len(frame)
        if len(areas) == n:  # no sums made: the frame's rows alone
            out = frame if rows == list(range(n)) else frame.take(rows)
        elif (
            min(rows, default=-1) >= n
            and (casts := _concat_casts(frame, summed)) is not None
        ):
            # only sums kept (the knife offences' years where no annual figure
            # is published): the sums as the concat would hold them, without
            # it (issue 19: the concat and take cost 0.4-0.6 ms of a 1.7 ms
            # series)
            kept = [i - n for i in rows]
            out = summed if kept == list(range(len(summed))) else summed.take(kept)
            for name, dtype in casts.items():  # (astype of a dict cost 1 ms)
                out[name] = out[name].astype(dtype)
        else:
            out = pd.concat([frame, summed], ignore_index=True).take(rows)
    else:
        out = _sorted_by_area(_rows_where(frame, is_quarter))
    out = out.reset_index(drop=True)
    out["period"] = _period_labels(out["period_start"], out["period_end"])
    return out


def _concat_casts(frame: pd.DataFrame, sums: pd.DataFrame) -> dict | None:
    """The casts that give `sums` the column types of `pd.concat([frame, sums])`,
    where known: none for a column of one type in both, object for a text
    column (StringDtype) of the sums that is an object column of the frame (a
    note missing from every row read, say). None when the columns differ or
    another pair of types would be resolved by the concat."""
    if not frame.columns.equals(sums.columns):
        return None
    casts = {}
    for name, ours, theirs in zip(
        frame.columns, frame.dtypes.tolist(), sums.dtypes.tolist(), strict=True
    ):
        if ours == theirs:
            continue
        if ours == np.dtype(object) and isinstance(theirs, pd.StringDtype):
            casts[name] = object
        else:
            return None
    return casts


def _rows_where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """`frame[mask]` (a boolean array over its rows) up to the index, which
    every caller resets: the frame itself when every row is kept (pandas copies
    on write, so a caller's change never reaches it) and no take when none is."""
    if mask.all():
        return frame
    if not mask.any():
        return frame.iloc[:0]
    return frame.take(np.flatnonzero(mask))


def _joined_titles(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, str]:
    """Per group of `keys`: its distinct source titles in row order, "; "-joined."""
    titles: dict[tuple, dict[str, None]] = {}
    for *key, title in zip(
        *(frame[k].tolist() for k in keys), frame["source_title"].tolist(), strict=True
    ):
        titles.setdefault(tuple(key), {})[title] = None
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
    areas = quarters["area_code"].tolist()
    starts = quarters["period_start"].tolist()
    return _quarter_years(
        quarters, list(range(len(areas))), areas, starts, proportion_scale
    )


def _quarter_years(
    frame: pd.DataFrame,
    positions: list[int],
    areas: list,
    starts: list,
    proportion_scale: float | None,
) -> pd.DataFrame:
    """`_years_from_quarters` of the quarters at `positions` of `frame`
    (at least one), given the frame's area codes and period starts as lists:
    read from the frame's columns by position, instead of a frame of the
    quarters taken out of it first (`_by_length` has the lists already)."""
    # Plain arrays over the sorted rows (a pandas groupby with a dozen named
    # aggregations cost more than all the rest of a trend): rows in area then
    # period order (stably, as `_sorted_by_area`), so each (area, financial
    # year) is one run of rows.
    order = sorted(positions, key=lambda i: (areas[i], starts[i]))
    take = np.array(order, dtype=np.intp)
    fy_of: dict = {}
    fys = [
        fy_of[s] if s in fy_of else fy_of.setdefault(s, periods.financial_year_of(s))
        for s in (starts[i] for i in order)
    ]
    areas = [areas[i] for i in order]
    keys = list(zip(areas, fys, strict=True))
    firsts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    at = np.array(firsts, dtype=np.intp)
    n = np.diff(np.append(at, len(keys)))

    def column(name: str) -> tuple[np.ndarray, np.ndarray]:
        values = frame[name].to_numpy(dtype=float)[take]
        present = ~np.isnan(values)
        return values, present

    def listed(name: str) -> list:
        values = frame[name].tolist()
        return [values[i] for i in order]

    def sum_count(name: str) -> tuple[np.ndarray, np.ndarray]:
        # a sum over missing values is 0 (as pandas sums), with the count beside
        values, present = column(name)
        summed = np.add.reduceat(np.where(present, values, 0.0), at)
        return summed, np.add.reduceat(present.astype(np.intp), at)

    value, value_n = sum_count("value")
    numerator, numerator_n = sum_count("numerator")
    den_sum, den_n = sum_count("denominator")
    den, den_present = column("denominator")
    # a count's population: the mid-year in which the year starts (as Q1's),
    # the group's first denominator that is there
    rows = np.arange(len(den))
    first_den = np.minimum.reduceat(np.where(den_present, rows, len(den)), at)
    denominator = np.where(
        first_den < len(den), den[np.minimum(first_den, len(den) - 1)], np.nan
    )
    # comparisons over plain lists: a string column's == costs more (a missing
    # status or precision is no match, as pandas has it)
    provisional = np.logical_or.reduceat(
        np.array([s == "provisional" for s in listed("status")], dtype=bool), at
    )
    illustrative = np.logical_or.reduceat(
        frame["illustrative"].to_numpy(dtype=bool)[take], at
    )
    approx = PRECISION_RANK["approx"]  # unknown or missing: as _precision_rank
    ranks = [PRECISION_RANK.get(p, approx) for p in listed("precision")]
    rank = np.maximum.reduceat(np.array(ranks, dtype=float), at)
    complete_numerator = numerator_n >= 4
    numerator = np.where(complete_numerator, numerator, np.nan)
    if proportion_scale is None:
        value = np.where(value_n >= 4, value, np.nan)
        note = SUMMED_QUARTERS_NOTE
    else:
        pooled = complete_numerator & (den_n >= 4)
        denominator = np.where(pooled, den_sum, np.nan)
        value = statistics.pooled(
            pd.Series(numerator), pd.Series(denominator), proportion_scale
        )
        note = POOLED_QUARTERS_NOTE
    titles: dict[tuple, dict[str, None]] = {}
    for key, title in zip(keys, listed("source_title"), strict=True):
        titles.setdefault(key, {})[title] = None
    names = listed("area_name")
    keep = np.flatnonzero(n == 4)
    bounds = [periods.fy_bounds(int(fys[firsts[g]])) for g in keep]
    return pd.DataFrame(
        {
            "area_code": [areas[firsts[g]] for g in keep],
            "area_name": [names[firsts[g]] for g in keep],
            "period_start": [b[0] for b in bounds],
            "period_end": [b[1] for b in bounds],
            "value": value[keep],
            "numerator": numerator[keep],
            "denominator": denominator[keep],
            "status": ["provisional" if provisional[g] else "final" for g in keep],
            "source_title": ["; ".join(titles[keys[firsts[g]]]) for g in keep],
            "illustrative": illustrative[keep],
            "note": note,
            "precision": [_PRECISION_OF_RANK[int(rank[g])] for g in keep],
        },  # (in _RAW_COLUMNS' order: naming the columns again cost a reindex)
    )


def _sorted_by_area(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` by area code then period start: as read (`_raw` orders its rows
    so), checked in one pass, else sorted. Sorted stably over the same keys as
    `sort_values(["area_code", "period_start"])` (a stable lexsort), by one
    take: pandas' sort of two object columns cost more than the rows (issue 19)."""
    keys = list(
        zip(frame["area_code"].tolist(), frame["period_start"].tolist(), strict=True)
    )
    if all(a <= b for a, b in zip(keys, keys[1:], strict=False)):
        return frame
    return frame.take(sorted(range(len(keys)), key=keys.__getitem__))


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
        # over a plain list: a string column's == costs more (missing: no match)
        approx = np.array(
            [p == "approx" for p in frame["precision"].tolist()], dtype=bool
        )
        if approx.any():  # a masked assignment costs even when it masks nothing
            frame.loc[approx, ["rate_lower", "rate_upper"]] = np.nan
    return frame
