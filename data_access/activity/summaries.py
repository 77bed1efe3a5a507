"""Pre-aggregated activity tables: `output_summary` and `spend_summary` (models.py).

The prevention page and the overview's reach and spend figures used to sum the raw
`intervention_output` and `spend` rows of a whole VRU on every request, so their
cost grew with the row count (benchmarks/RESULTS.md, "Where the time goes", item 4).
They now read these tables, whose size is bounded by areas x tiers x quarters.

Keeping them current: every write that changes which output or spend rows are
current calls `refresh_activity_summaries` with the VRU areas it touched, on the
same session or connection, before it commits. The refresh deletes those VRUs'
summary rows and re-inserts them with one INSERT ... SELECT ... GROUP BY over the
current raw rows, so it runs in the writer's transaction: a rolled-back write rolls
the summaries back with it, and readers never see a half-refreshed VRU. The writers
are the shipped-data loader (shipped/illustrative.py), the scale generator
(scale.py) and return approval and restore (data_access.returns.workflow);
uploading a return stores its figures as not current, which cannot change a summary.

Only current rows count (`is_current`), as in the readers before. A spend row's VRU
is its `area_id`; an output's is its intervention's `vru_area_id`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from data_access.models import (
    Area,
    Intervention,
    InterventionOutput,
    OutputSummary,
    Source,
    Spend,
    SpendSummary,
)

OUTPUT_KEY = (
    "vru_area_id",
    "delivering_area_id",
    "tier",
    "period_start",
    "output_type",
    "age_band",
    "illustrative",
)
SPEND_KEY = (
    "area_id",
    "delivering_area_id",
    "tier",
    "financial_year",
    "quarter",
    "illustrative",
)


def _current_sum(model, value, groups, vru_column, vru_area_ids, *, outer=False):
    """SUM(value) of the current rows of `model` (InterventionOutput or Spend)
    grouped by `groups`, joined to their intervention (outer: spend of the core
    unit has none) and source, for the VRU areas whose `vru_column` is in
    vru_area_ids (all when None)."""
    query = select(*groups, func.sum(value)).select_from(model)
    join = query.outerjoin if outer else query.join
    query = (
        join(Intervention, Intervention.id == model.intervention_id)
        .join(Source, Source.id == model.source_id)
        .where(model.is_current)
        .group_by(*groups)
    )
    if vru_area_ids is not None:
        query = query.where(vru_column.in_(sorted(vru_area_ids)))
    return query


def output_summary_select(vru_area_ids: Iterable[int] | None = None):
    """Current outputs grouped as OutputSummary holds them (columns OUTPUT_KEY, then
    value), for the given VRU areas or all."""
    groups = (
        Intervention.vru_area_id,
        Intervention.delivering_area_id,
        Intervention.tier,
        InterventionOutput.period_start,
        InterventionOutput.output_type,
        InterventionOutput.age_band,
        Source.illustrative,
    )
    return _current_sum(
        InterventionOutput,
        InterventionOutput.value,
        groups,
        Intervention.vru_area_id,
        vru_area_ids,
    )


def spend_summary_select(vru_area_ids: Iterable[int] | None = None):
    """Current spend grouped as SpendSummary holds it (columns SPEND_KEY, then
    amount); the core unit's rows have no intervention, so NULL tier and area."""
    groups = (
        Spend.area_id,
        Intervention.delivering_area_id,
        Intervention.tier,
        Spend.financial_year,
        Spend.quarter,
        Source.illustrative,
    )
    return _current_sum(
        Spend, Spend.amount, groups, Spend.area_id, vru_area_ids, outer=True
    )


def refresh_activity_summaries(
    session: Session | Connection, vru_area_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Rebuild the summary rows of `vru_area_ids` (every VRU when None) from the
    current raw rows, inside the caller's transaction; returns the rows written.

    Call it after the raw rows are written and before the commit."""
    ids = None if vru_area_ids is None else set(vru_area_ids)
    if ids is not None and not ids:
        return {"output_summary": 0, "spend_summary": 0}
    if isinstance(session, Session):
        session.flush()  # pending ORM rows must be in the SELECT below
    # Two writers refreshing the same VRU at once (two approvals) would otherwise
    # both delete the rows they can see and both insert: duplicated spend, or a
    # primary-key error. Locking the VRUs' area rows until commit makes the second
    # wait, and its DELETE then sees the first one's rows (READ COMMITTED takes a
    # new snapshot per statement). NO KEY UPDATE, so inserts elsewhere that refer
    # to these areas (foreign-key checks take KEY SHARE) are not blocked. In id
    # order, so two refreshes cannot deadlock. SQLite has one writer at a time and
    # no row locks: SQLAlchemy leaves the clause out there.
    lock = select(Area.id).order_by(Area.id).with_for_update(key_share=True)
    if ids is not None:
        lock = lock.where(Area.id.in_(sorted(ids)))
    session.execute(lock).all()
    clear_outputs = delete(OutputSummary.__table__)
    clear_spend = delete(SpendSummary.__table__)
    if ids is not None:
        clear_outputs = clear_outputs.where(
            OutputSummary.__table__.c.vru_area_id.in_(sorted(ids))
        )
        clear_spend = clear_spend.where(
            SpendSummary.__table__.c.area_id.in_(sorted(ids))
        )
    session.execute(clear_outputs)
    session.execute(clear_spend)
    session.execute(
        insert(OutputSummary.__table__).from_select(
            [*OUTPUT_KEY, "value"], output_summary_select(ids)
        )
    )
    session.execute(
        insert(SpendSummary.__table__).from_select(
            [*SPEND_KEY, "amount"], spend_summary_select(ids)
        )
    )
    # Counted, not taken from rowcount: for INSERT ... SELECT it comes back as -1
    # through SQLAlchemy on psycopg. Both tables are small, so this is cheap.
    counts = {}
    for name, table, column in (
        ("output_summary", OutputSummary.__table__, "vru_area_id"),
        ("spend_summary", SpendSummary.__table__, "area_id"),
    ):
        query = select(func.count()).select_from(table)
        if ids is not None:
            query = query.where(table.c[column].in_(sorted(ids)))
        counts[name] = session.execute(query).scalar_one()
    return counts


def vru_areas_of_submissions(
    session: Session | Connection, submission_ids: Iterable[int]
) -> set[int]:
    """The VRU areas whose summaries a flip of these submissions' figures changes:
    the VRUs of their outputs' interventions and the areas of their spend. The rows
    they replace share the same keys, so the same VRUs."""
    ids = sorted(set(submission_ids))
    if not ids:
        return set()
    query = union(
        select(Intervention.vru_area_id)
        .join(InterventionOutput, InterventionOutput.intervention_id == Intervention.id)
        .where(InterventionOutput.submission_id.in_(ids)),
        select(Spend.area_id).where(Spend.submission_id.in_(ids)),
    )
    return {row[0] for row in session.execute(query)}
