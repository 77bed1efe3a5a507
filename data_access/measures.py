"""Measures: definitions, and the current (approved) values of a measure for an area.

Series columns (MEASURE_SERIES_COLUMNS): period_start, period_end (dates), period
(label, e.g. "2019/20 Q3"), age_band, value, numerator, denominator, status,
source_key, source_title, source_url, illustrative (bool), note; rate measures add
rate, rate_lower, rate_upper (95% CI).
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, select, true

from data_access import periods
from data_access.areas import get_area
from data_access.cache import memoized
from data_access.db import read_connection, read_frame, session_scope
from data_access.errors import InvalidParameter, NotFound
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import Scope

MEASURE_COLUMNS = [
    "code",
    "name",
    "definition",
    "unit",
    "polarity",
    "category",
    "tier",
    "rate_multiplier",
    "ci_method",
    "disclosure_rule",
    "period_type",
    "caveats",
    "success_measure_rank",
    "is_public",
    "coverage",
    "short_name",
    "source_title",
    "source_url",
    "last_updated",
]

MEASURE_SERIES_COLUMNS = [
    "period_start",
    "period_end",
    "period",
    "age_band",
    "value",
    "numerator",
    "denominator",
    "status",
    "source_key",
    "source_title",
    "source_url",
    "illustrative",
    "note",
]

# Period lengths a series can be asked for, by the number of months they span.
PERIOD_LENGTHS = {"quarter": 3, "year": 12}
AGE_BANDS = {"all": "All ages", "under25": "Aged under 25"}


def trend_length(period_type: str) -> str:
    """The PERIOD_LENGTHS key a measure's trend is read at: by quarter for a
    measure published by quarter, else by year (financial and rolling years
    alike). The rule the embed, the board's changes and its measure paths
    share."""
    return "quarter" if period_type == "quarter" else "year"


def _measure_query(include_private: bool, *columns):
    """Every measure's metadata columns (MEASURE_COLUMNS but last_updated) plus
    `columns`, success measures first."""
    query = (
        select(
            *(getattr(Measure, c) for c in MEASURE_COLUMNS[:15]),
            # What titles call it: its name where it has no shorter words.
            func.coalesce(Measure.short_name, Measure.name),
            Source.title,
            Source.url,
            *columns,
        )
        .outerjoin(Source, Source.id == Measure.source_id)
        .order_by(func.coalesce(Measure.success_measure_rank, 99), Measure.name)
    )
    if not include_private:
        query = query.where(Measure.is_public)
    return query


@memoized
def list_measures(include_private: bool = False) -> pd.DataFrame:
    """Every measure's metadata (MEASURE_COLUMNS), success measures first.

    last_updated is `_last_updated_column`, as `_last_updated` reads it; lookups
    that need only the metadata use `measure_metadata`."""
    query = _measure_query(include_private, _last_updated_column())
    with session_scope() as session:
        rows = session.execute(query).all()
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def _last_updated_column():  # noqa: ANN202 - a SQLAlchemy scalar subquery
    """SQL: the outer Measure's last updated date, the end of its latest current
    figure: one probe of ix_measure_value_current_latest per measure (a
    correlated MAX, not a GROUP BY over every value, so its cost does not grow
    with the values stored)."""
    return (
        select(func.max(MeasureValue.period_end))
        .where(MeasureValue.measure_id == Measure.id, MeasureValue.is_current)
        .correlate(Measure)
        .scalar_subquery()
    )


@memoized
def measure_metadata(include_private: bool = False) -> pd.DataFrame:
    """`list_measures` without last_updated, read from the measure table alone (so
    its cost does not grow with the number of values stored). One read
    (`read_frame`: plain tuples, no transaction), the same frame as from a
    session's Rows at half the cost (issue 19: 2.8 -> 1.6 ms on the demo store)."""
    return read_frame(_measure_query(include_private), MEASURE_COLUMNS[:-1])


@memoized
def _last_updated() -> dict[str, dt.date | None]:
    """Code -> the end of the latest current figure of every measure, in one
    statement (one probe of ix_measure_value_current_latest per measure, as in
    `list_measures`): a view that looks up several measures (the overview: the
    three success measures) reads it once per request, not once per measure.
    One autocommit statement, no BEGIN/COMMIT round trips."""
    with read_connection() as connection:
        return dict(
            connection.execute(select(Measure.code, _last_updated_column())).all()
        )


def get_measure(
    code: str, *, scope: Scope | None = None, table: pd.DataFrame | None = None
) -> dict:
    """One measure's metadata (MEASURE_COLUMNS); NotFound if unknown or not
    visible to `scope`. `table` is `measure_metadata(include_private=True)` when
    the caller looks up several measures and has read it once already."""
    if table is None:
        measure = _measure_record(code)
    else:
        measure = _record_in(table, code)
    if measure is None:
        raise NotFound(f"no measure has the code '{code}'")
    if not measure["is_public"] and (scope is None or scope.is_public):
        raise NotFound(f"no measure has the code '{code}'")
    if table is not None:
        measure["last_updated"] = _last_updated().get(code)
    return measure


def _record_in(table: pd.DataFrame, code: str) -> dict | None:
    match = table[table["code"] == code]
    return None if match.empty else match.iloc[0].to_dict()


@memoized
def _measure_record(code: str) -> dict | None:
    """One measure's row of `measure_metadata(include_private=True)` with its
    last_updated, None if no measure has the code, read as one indexed row
    (measure.code is unique) with its last_updated probe: building and
    filtering the whole measure table cost ~8 ms a lookup under no cache.

    The values keep the Python types the whole table's row had (`_record_in`),
    which depend on the other measures: pandas makes a column with a missing
    value float (integers) or gives it NaN (text), and a column with no value at
    all None. So the statement counts each column's values over every measure
    (a few hundred rows, no values read) and `_as_in_table` types the row."""
    with read_connection() as connection:
        row = connection.execute(_one_measure_statement(), {"code": code}).first()
    if row is None:
        return None
    columns = len(MEASURE_COLUMNS)  # the metadata columns and last_updated
    values, counts = row[:columns], row[columns:]
    measures, present = counts[0], counts[1:]
    record = {
        name: _as_in_table(value, kind, present_in, measures)
        for name, value, kind, present_in in zip(
            MEASURE_COLUMNS[:-1], values[:-1], _METADATA_KINDS, present, strict=True
        )
    }
    record["last_updated"] = values[-1]
    return record


# The Python type of each metadata column of `_measure_query`, by position.
_METADATA_KINDS = tuple(
    column.type.python_type for column in _measure_query(True).selected_columns
)


def _as_in_table(value, kind: type, present_in: int, measures: int):  # noqa: ANN001, ANN202
    """`value` typed as the row of a DataFrame of every measure hands it out
    (`_record_in`: to_dict boxes numpy values as Python ones), its column
    holding `present_in` values over `measures` rows."""
    if present_in == 0:
        return None  # an object column of None alone
    if kind is int and present_in < measures:
        return math.nan if value is None else float(value)  # float64 with NaN
    if kind is str and value is None:
        return math.nan  # pandas' str dtype: missing is NaN
    return value


def _column_counts():  # noqa: ANN202 - a SQLAlchemy subquery
    """The number of measures and each metadata column's number of values over
    all of them (`_as_in_table` types a row by them)."""
    metadata = _measure_query(True).selected_columns
    return (
        select(
            func.count().label("measures"),
            *(
                func.count(column).label(f"present_{i}")
                for i, column in enumerate(metadata)
            ),
        )
        .select_from(Measure)
        .outerjoin(Source, Source.id == Measure.source_id)
        .subquery()
    )


@functools.cache
def _one_measure_statement():  # noqa: ANN202 - a SQLAlchemy Select
    """`_measure_query`'s row of the measure whose code is bound as "code", its
    last_updated, then the number of measures and each metadata column's
    number of values over all of them. Built once per process."""
    counts = _column_counts()
    return (
        _measure_query(True, _last_updated_column(), *counts.c)
        .join(counts, true())
        .where(Measure.code == bindparam("code"))
        .order_by(None)
    )


def success_measure_records() -> dict[str, dict]:
    """{code: record} of the success measures, in `success_measures`' order,
    each record as `get_measure(code, table=measure_metadata(include_private=
    True))` gives it but for last_updated (which costs a probe a measure).
    Their rows alone, typed as the whole table's rows are (`_as_in_table`), in
    one read: the overview built the table of every measure for these three
    (issue 19)."""
    with read_connection() as connection:
        rows = connection.execute(_success_measures_statement()).all()
    columns = len(MEASURE_COLUMNS) - 1  # the metadata columns
    records = {}
    for row in rows:
        values, (measures, *present) = row[:columns], row[columns:]
        record = {
            name: _as_in_table(value, kind, present_in, measures)
            for name, value, kind, present_in in zip(
                MEASURE_COLUMNS[:-1], values, _METADATA_KINDS, present, strict=True
            )
        }
        records[record["code"]] = record
    return records


@functools.cache
def _success_measures_statement():  # noqa: ANN202 - a SQLAlchemy Select
    """`success_measures`' rows of `_measure_query` (the public measures with a
    rank, by rank) with `_column_counts`. Built once per process."""
    counts = _column_counts()
    rank = Measure.success_measure_rank
    return (
        _measure_query(False, *counts.c)
        .join(counts, true())
        .where(rank.is_not(None))
        .order_by(None)
        .order_by(rank, Measure.name)
    )


def measures_for(scope: Scope) -> pd.DataFrame:
    """The measure definitions a reader is shown (MEASURE_COLUMNS): every public
    measure, and the workstream measures of the workstreams within their access
    (admins and analysts: all; a board member: their VRUs' workstreams; a lead:
    their own workstream's and their VRU's). The public see public measures only."""
    table = list_measures(include_private=not scope.is_public)
    if scope.unrestricted or scope.is_public:
        return table
    own = _workstream_measure_codes(
        tuple(sorted(scope.area_codes)), scope.workstream_id
    )
    return table[table["is_public"].astype(bool) | table["code"].isin(own)]


@memoized
def _workstream_measure_codes(
    area_codes: tuple[str, ...], workstream_id: int | None
) -> frozenset[str]:
    """Codes of the measures reported by the workstreams of these VRU areas, or by
    this workstream."""
    in_reach = Area.code.in_(area_codes)
    if workstream_id is not None:
        in_reach = in_reach | (Workstream.id == workstream_id)
    query = (
        select(Measure.code)
        .join(WorkstreamMeasure, WorkstreamMeasure.measure_id == Measure.id)
        .join(Workstream, Workstream.id == WorkstreamMeasure.workstream_id)
        .join(Area, Area.id == Workstream.vru_area_id)
        .where(in_reach)
        .distinct()
    )
    with session_scope() as session:
        return frozenset(session.scalars(query))


def success_measures(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The three Home Office success measures, in their published order. `table`:
    a measure list the caller has already read (list_measures or
    measure_metadata, private measures included or not)."""
    if table is None:
        table = list_measures()
    # One take of the rows sort_values would give (the public ranked rows,
    # ordered by rank as its quicksort orders them), not a filtered copy and
    # then a sorted one: two frames of a list of a few hundred rows (issue 19).
    rank = table["success_measure_rank"].to_numpy(dtype=float, na_value=np.nan)
    rows = np.flatnonzero(table["is_public"].to_numpy(dtype=bool) & ~np.isnan(rank))
    return table.take(rows[rank[rows].argsort(kind="quicksort")])


def measure_series(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    age_band: str = "all",
    length: str = "quarter",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Current values of a measure for one area, one period length, oldest first:
    the stored rows as they are (no financial year built from quarters). What the
    pages show of an area is outcomes.area_trends (own_series, trend_with_benchmark).

    Public measures are readable by anyone signed in; other measures only within
    the caller's scope (AccessDenied otherwise)."""
    measure = get_measure(measure_code, scope=scope)
    area = get_area(area_code)
    if not measure["is_public"]:
        scope.require_area(area.code, area.parent_code)
    if length not in PERIOD_LENGTHS:
        raise InvalidParameter(
            "length", f"length must be one of {list(PERIOD_LENGTHS)}"
        )
    frame = _series(
        measure_code,
        area_code,
        age_band,
        PERIOD_LENGTHS[length],
        start.isoformat() if start else None,
        end.isoformat() if end else None,
    )
    frame = add_rates(
        frame, ci_method=measure["ci_method"], multiplier=measure["rate_multiplier"]
    )
    return disclose_series(frame, measure=measure, scope=scope)


def disclose_series(
    frame: pd.DataFrame, *, measure: dict, scope: Scope
) -> pd.DataFrame:
    """Apply the measure's disclosure rule for users who must see controlled
    figures (viewers, leads, the public); adds a boolean `suppressed` column."""
    rule = measure["disclosure_rule"]
    if frame.empty or rule == "none" or not scope.needs_disclosure_control:
        return frame
    from data_access.disclosure import apply_disclosure

    count_cols, check_cols = disclosure_columns(measure)

    def rates(shown: pd.DataFrame) -> pd.DataFrame:
        """Rates (and a proportion's value) of the published (rounded) counts."""
        from data_access.statistics import pooled, proportion_scale

        work = shown.astype({"numerator": float, "denominator": float})
        out = add_rates(
            work, ci_method=measure["ci_method"], multiplier=measure["rate_multiplier"]
        )
        scale = proportion_scale(measure)
        if scale is not None:
            out["value"] = pooled(work["numerator"], work["denominator"], scale)
        return out

    return apply_disclosure(
        frame, rule=rule, count_cols=count_cols, check_cols=check_cols, rates=rates
    ).frame


def disclosure_columns(measure: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(count_cols, check_cols) for disclosure.apply_disclosure on a frame of the
    measure's values (value, numerator, denominator), decided by the measure,
    never guessed from the figures:

    - a proportion (statistics.proportion_scale, i.e. its CI method): its value is
      a percentage of two counts, so the rule applies to those. The numerator is
      hidden when small and rounded; the denominator is checked (a small one
      hides the row and itself) but never rounded; the percentage is hidden with
      its row, never rounded or judged as a count;
    - a percentage stored without its counts (unit "%" with no proportion CI, as
      workstream returns give: value 23.4, no numerator): no count to check, so
      it is shown as it is, as before; judged as a count it would be rounded, and
      a 5% hidden as if five people;
    - otherwise the value is the count itself, hidden and rounded with the
      numerator (a value with no numerator is checked all the same).
    """
    from data_access.statistics import proportion_scale

    if proportion_scale(measure) is not None:
        return ("numerator",), ("denominator",)
    if measure["unit"] == "%":
        return ("numerator",), ()
    return ("numerator", "value"), ()


def current_rows(columns: list):  # noqa: ANN201
    """SELECT `columns` over every current value (the one that precedence made
    current for its cell), joined to its measure, area (Area) and source
    (Source): where every reader of stored figures starts, whether of one
    measure or of many; callers add their own filters."""
    return (
        select(*columns)
        .select_from(MeasureValue)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(MeasureValue.is_current)
    )


def current_values(columns: list, measure_code: str, age_band: str):  # noqa: ANN201
    """`current_rows` of one measure and age band."""
    return current_rows(columns).where(
        Measure.code == measure_code, MeasureValue.age_band == age_band
    )


@memoized
def _series(
    measure_code: str,
    area_code: str,
    age_band: str,
    months: int,
    start: str | None,
    end: str | None,
) -> pd.DataFrame:
    query = (
        current_values(
            [
                MeasureValue.period_start,
                MeasureValue.period_end,
                MeasureValue.age_band,
                MeasureValue.value,
                MeasureValue.numerator,
                MeasureValue.denominator,
                MeasureValue.status,
                Source.key,
                Source.title,
                Source.url,
                Source.illustrative,
                MeasureValue.note,
            ],
            measure_code,
            age_band,
        )
        .where(Area.code == area_code, MeasureValue.period_months == months)
        .order_by(MeasureValue.period_start)
    )
    if start:
        query = query.where(MeasureValue.period_start >= dt.date.fromisoformat(start))
    if end:
        query = query.where(MeasureValue.period_end <= dt.date.fromisoformat(end))
    with session_scope() as session:
        rows = session.execute(query).all()
    columns = [c for c in MEASURE_SERIES_COLUMNS if c != "period"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return pd.DataFrame(columns=MEASURE_SERIES_COLUMNS)
    frame.insert(
        2,
        "period",
        [
            periods.period_label(s, e)
            for s, e in zip(frame.period_start, frame.period_end, strict=True)
        ],
    )
    return frame[MEASURE_SERIES_COLUMNS]


def add_rates(
    frame: pd.DataFrame, *, ci_method: str, multiplier: float | None
) -> pd.DataFrame:
    """Add rate, rate_lower, rate_upper (95%) for a measure with a rate multiplier,
    by its CI method (statistics.rates_for: Wilson for a proportion, Byar / exact
    Poisson for a count). A percentage with no multiplier is its own value: no
    rate columns."""
    if not multiplier or pd.isna(multiplier):
        return frame
    from data_access.statistics import rates_for

    return rates_for(frame, ci_method=ci_method, multiplier=multiplier)
