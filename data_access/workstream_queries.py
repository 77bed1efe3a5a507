"""The store reads behind data_access.workstreams: the scope of areas and
workstreams a caller may see (checked before any read), each workstream's
measures with their latest values, targets and returns received (aggregated in
SQL), and the workstreams themselves. Memoized on primitives only.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from data_access.areas import get_area
from data_access.cache import memoized
from data_access.db import read_connection, read_frame
from data_access.errors import AccessDenied, NotFound, record_id
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    Target,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import Scope

# -------------------------------------------------------------------------- scope


def _area_filter(scope: Scope, area_code: str | None) -> tuple[str, ...] | None:
    """VRU area codes the caller may list (None: every area)."""
    if scope.is_public:
        raise AccessDenied("sign in to see workstreams")
    if area_code:
        area = get_area(area_code)
        scope.require_area(area.code, area.parent_code)
        return (area.code,)
    if scope.unrestricted:
        return None
    return tuple(sorted(scope.area_codes))


def _require_workstream(scope: Scope, workstream_id) -> int:
    workstream_id = record_id(workstream_id, "workstream")
    vru_code = _workstream_area(workstream_id)
    if vru_code is None:
        raise NotFound(f"no workstream has the id '{workstream_id}'")
    if scope.is_public:
        raise AccessDenied("sign in to see workstreams")
    area = get_area(vru_code)
    if not scope.can_read_area(area.code, area.parent_code):
        raise AccessDenied("this workstream is outside your access")
    return workstream_id


@memoized
def _workstream_area(workstream_id: int) -> str | None:
    with read_connection() as connection:
        return connection.scalar(
            select(Area.code)
            .join(Workstream, Workstream.vru_area_id == Area.id)
            .where(Workstream.id == workstream_id)
        )


# ----------------------------------------------------------------------- queries


def _illustrative_flag():
    return func.max(cast(Source.illustrative, Integer))


def _target_join(value_start, value_end, workstream_id_col, vru_id_col):
    """Join condition: the target of a measure for the workstream (or, failing
    that, its VRU area) whose period contains a value's period."""
    return and_(
        Target.period_start <= value_start,
        Target.period_end >= value_end,
        or_(
            Target.workstream_id == workstream_id_col,
            and_(Target.workstream_id.is_(None), Target.area_id == vru_id_col),
        ),
    )


# The status read's statement costs more CPU to build (a materialized CTE of
# correlated subqueries, aliases adapted through it: 5-9 ms) than the store
# takes to run it, so each of its shapes is built once per process, with these
# parameters in place of the values (as activity_filters.bound does).
AREA_CODES = bindparam("area_codes", expanding=True)
WORKSTREAM_ID = bindparam("workstream_id", type_=Integer)
DUE_BY = bindparam("due_by", type_=Date)
STATUS_ROW_COLUMNS = (
    "workstream_id",
    "measure_code",
    "name",
    "unit",
    "polarity",
    "definition",
    "disclosure_rule",
    "received_due",
    "first_value",
    "first_target",
    "latest_period_start",
    "latest_period_end",
    "latest_value",
    "latest_status",
    "target",
    "illustrative",
)


@memoized
def _status_rows(
    area_codes: tuple[str, ...] | None,
    workstream_id: int | None,
    due_by: dt.date | None = None,
) -> list[tuple]:
    """Per (workstream, measure), as tuples of STATUS_ROW_COLUMNS: metadata,
    latest value, its target, first period and, with `due_by` (the start of
    the latest quarter whose return is due), how many quarters up to it were
    returned ("received_due": distinct quarters with current all-ages figures,
    as `_received_quarters` lists them; returns are stored on quarter starts, so
    each is one of the quarters expected, none before the measure's first
    figure). One read of a few hundred rows, already aggregated in SQL; plain
    tuples because the callers loop over them (a DataFrame, built and pickled
    into the request memo, cost more than the loops)."""
    parameters: dict = {}
    if area_codes is not None:
        parameters["area_codes"] = list(area_codes)
    if workstream_id is not None:
        parameters["workstream_id"] = workstream_id
    if due_by is not None:
        parameters["due_by"] = due_by
    statement = _status_statement(
        area_codes is not None, workstream_id is not None, due_by is not None
    )
    with read_connection() as connection:
        return [tuple(row) for row in connection.execute(statement, parameters)]


@functools.cache
def _status_statement(by_area: bool, by_workstream: bool, counts_due: bool):
    """The status read of `_status_rows`, built once per shape.

    Each figure per (workstream, measure) is a correlated subquery on the
    current-value index (measure_id, area_id, ...), not a GROUP BY over a join:
    without statistics SQLite scanned every current value in the store for the
    GROUP BY form (the shipped demo: 21 ms of the list's 35 ms of SQL)."""
    vru = aliased(Area)
    values = aliased(MeasureValue)
    own_values = and_(
        values.measure_id == WorkstreamMeasure.measure_id,
        values.area_id == Workstream.vru_area_id,
        values.is_current,
    )
    first_value = select(func.min(values.period_start)).where(own_values)
    latest = select(func.max(values.period_start)).where(own_values)
    first_target = select(func.min(Target.period_start)).where(
        Target.measure_id == WorkstreamMeasure.measure_id,
        or_(
            Target.workstream_id == Workstream.id,
            and_(
                Target.workstream_id.is_(None),
                Target.area_id == Workstream.vru_area_id,
            ),
        ),
    )
    if not counts_due:
        received_due = literal(None, Integer)
    else:
        received_due = (
            select(func.count(func.distinct(values.period_start)))
            .where(own_values, values.age_band == "all", values.period_start <= DUE_BY)
            .scalar_subquery()
        )
    base = (
        select(
            Workstream.id.label("workstream_id"),
            Workstream.vru_area_id.label("vru_id"),
            WorkstreamMeasure.measure_id.label("measure_id"),
            first_value.scalar_subquery().label("first"),
            latest.scalar_subquery().label("latest"),
            first_target.scalar_subquery().label("first_target"),
            received_due.label("received_due"),
        )
        .join(WorkstreamMeasure, WorkstreamMeasure.workstream_id == Workstream.id)
        .join(vru, vru.id == Workstream.vru_area_id)
    )
    if by_area:
        base = base.where(vru.code.in_(AREA_CODES))
    if by_workstream:
        base = base.where(Workstream.id == WORKSTREAM_ID)
    # Materialized: flattened into the joins below, SQLite evaluated each
    # correlated subquery again for every join step (13 ms instead of 6).
    links = base.cte("links").prefix_with("MATERIALIZED")

    latest_value = aliased(MeasureValue)
    return (
        select(
            links.c.workstream_id,
            Measure.code,
            Measure.name,
            Measure.unit,
            Measure.polarity,
            Measure.definition,
            Measure.disclosure_rule,
            links.c.received_due,
            links.c.first,
            links.c.first_target,
            latest_value.period_start,
            latest_value.period_end,
            latest_value.value,
            latest_value.status,
            Target.value,
            Source.illustrative,
        )
        .select_from(links)
        .join(Measure, Measure.id == links.c.measure_id)
        .outerjoin(
            latest_value,
            and_(
                latest_value.measure_id == links.c.measure_id,
                latest_value.area_id == links.c.vru_id,
                latest_value.period_start == links.c.latest,
                latest_value.age_band == "all",
                latest_value.is_current,
            ),
        )
        .outerjoin(
            Target,
            and_(
                Target.measure_id == links.c.measure_id,
                _target_join(
                    latest_value.period_start,
                    latest_value.period_end,
                    links.c.workstream_id,
                    links.c.vru_id,
                ),
            ),
        )
        .outerjoin(Source, Source.id == latest_value.source_id)
        .order_by(links.c.workstream_id, Measure.code)
    )


def with_current_values(query):  # noqa: ANN001, ANN201 - a SQLAlchemy Select
    """`query` (selecting from Workstream) joined to each of the workstream's
    measures and their current all-ages figures for the workstream's VRU area:
    the one join for "a workstream's returned figures" (returns received, the
    workstream page's trends)."""
    return (
        query.join(WorkstreamMeasure, WorkstreamMeasure.workstream_id == Workstream.id)
        .join(Measure, Measure.id == WorkstreamMeasure.measure_id)
        .join(
            MeasureValue,
            and_(
                MeasureValue.measure_id == Measure.id,
                MeasureValue.area_id == Workstream.vru_area_id,
                MeasureValue.is_current,
                MeasureValue.age_band == "all",
            ),
        )
    )


@memoized
def _received_quarters(
    area_codes: tuple[str, ...] | None, workstream_id: int | None
) -> pd.DataFrame:
    """(workstream_id, measure_code, period_start) of every current return."""
    vru = aliased(Area)
    query = (
        with_current_values(
            select(Workstream.id, Measure.code, MeasureValue.period_start)
        )
        .join(vru, vru.id == Workstream.vru_area_id)
        .distinct()
    )
    if area_codes is not None:
        query = query.where(vru.code.in_(area_codes))
    if workstream_id is not None:
        query = query.where(Workstream.id == workstream_id)
    return read_frame(query, ["workstream_id", "measure_code", "period_start"])


WORKSTREAM_ROW_COLUMNS = [
    "workstream_id",
    "name",
    "vru_code",
    "vru_name",
    "vru_start_year",
    "lead_role",
    "purpose",
    "outcomes",
    "source_title",
    "illustrative",
]


@memoized
def _workstreams(
    area_codes: tuple[str, ...] | None, workstream_id: int | None
) -> pd.DataFrame:
    """The workstreams (WORKSTREAM_ROW_COLUMNS) of these areas, or the one."""
    return pd.DataFrame(
        _workstream_rows(area_codes, workstream_id), columns=WORKSTREAM_ROW_COLUMNS
    )


@memoized
def _workstream_rows(
    area_codes: tuple[str, ...] | None, workstream_id: int | None
) -> list[tuple]:
    """`_workstreams`' rows as tuples of WORKSTREAM_ROW_COLUMNS (VRU name,
    then workstream, order): cheap for the memo to keep, and read as they are
    by the workstream list, which only takes a frame of them apart."""
    parameters: dict = {}
    if area_codes is not None:
        parameters["area_codes"] = list(area_codes)
    if workstream_id is not None:
        parameters["workstream_id"] = workstream_id
    statement = _workstreams_statement(
        area_codes is not None, workstream_id is not None
    )
    with read_connection() as connection:
        return [tuple(row) for row in connection.execute(statement, parameters)]


@functools.cache
def _workstreams_statement(by_area: bool, by_workstream: bool):
    """`_workstreams`' read, built once per shape (as `_status_statement`)."""
    vru = aliased(Area)
    query = (
        select(
            Workstream.id,
            Workstream.name,
            vru.code,
            vru.name,
            vru.vru_start_year,
            Workstream.lead_role,
            Workstream.purpose,
            Workstream.outcomes,
            Source.title,
            Source.illustrative,
        )
        .join(vru, vru.id == Workstream.vru_area_id)
        .join(Source, Source.id == Workstream.source_id)
        .order_by(vru.name, Workstream.id)
    )
    if by_area:
        query = query.where(vru.code.in_(AREA_CODES))
    if by_workstream:
        query = query.where(Workstream.id == WORKSTREAM_ID)
    return query
