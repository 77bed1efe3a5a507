"""Who may read and upload a workstream's returns, and what the upload needs to know
about the workstream (its interventions, measures and VRU area).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from data_access.errors import (
    AccessDenied,
    NotFound,
)
from data_access.models import (
    Area,
    Intervention,
    Measure,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import Scope

# ------------------------------------------------------------------ context


@dataclass
class _Context:
    workstream_id: int
    workstream_name: str
    vru_code: str
    vru_name: str
    interventions: dict[int, tuple[str, str]]  # id -> (name, delivering area code)
    foreign_interventions: set[int]
    measures: dict[str, tuple[int, str, str]]  # code -> (id, name, unit)
    other_measures: set[str]
    area_codes: set[str]
    vru_area_id: int


def _workstream_context(session: Session, workstream_id: int) -> _Context:
    workstream = session.get(Workstream, workstream_id)
    if workstream is None:
        raise NotFound(f"there is no workstream {workstream_id}")
    vru = session.get(Area, workstream.vru_area_id)
    delivering = aliased(Area)
    interventions = {
        id_: (name, code)
        for id_, name, code in session.execute(
            select(Intervention.id, Intervention.name, delivering.code)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .where(Intervention.workstream_id == workstream_id)
            .order_by(Intervention.id)
        )
    }
    foreign = set(
        session.scalars(
            select(Intervention.id).where(
                (Intervention.workstream_id != workstream_id)
                | Intervention.workstream_id.is_(None)
            )
        )
    )
    measures = {
        code: (id_, name, unit)
        for id_, code, name, unit in session.execute(
            select(Measure.id, Measure.code, Measure.name, Measure.unit)
            .join(WorkstreamMeasure, WorkstreamMeasure.measure_id == Measure.id)
            .where(WorkstreamMeasure.workstream_id == workstream_id)
            .order_by(Measure.code)
        )
    }
    others = set(session.scalars(select(Measure.code))) - set(measures)
    return _Context(
        workstream_id=workstream.id,
        workstream_name=workstream.name,
        vru_code=vru.code,
        vru_name=vru.name,
        interventions=interventions,
        foreign_interventions=foreign,
        measures=measures,
        other_measures=others,
        area_codes=set(session.scalars(select(Area.code))),
        vru_area_id=vru.id,
    )


def may_upload(scope: Scope, workstream_id: int) -> str | None:
    """Why `scope` may not upload or submit the returns of `workstream_id`, or
    None when it may: a lead those of their own workstream, an admin or analyst
    any. The actions refuse by it and the Returns page offers by it."""
    if scope.role == "lead":
        if scope.workstream_id != workstream_id:
            return "you can submit returns only for your own workstream"
        return None
    if scope.role not in ("admin", "analyst"):
        return "your role does not allow submitting returns"
    return None


def _require_can_upload(scope: Scope, workstream_id: int) -> None:
    refusal = may_upload(scope, workstream_id)
    if refusal:
        raise AccessDenied(refusal)


def may_read(scope: Scope, workstream_id: int | None) -> str | None:
    """Why `scope` may not see the returns of `workstream_id`, or None when it
    may: an admin or analyst any workstream's, a lead their own workstream's
    only. The listing, the workstream choices and a return's file and audit
    trail all follow it."""
    if scope.unrestricted:
        return None
    if scope.role != "lead":
        return "your role does not include returns"
    if scope.workstream_id is None or scope.workstream_id != workstream_id:
        return "your access does not include this workstream's returns"
    return None


def _require_can_read(scope: Scope, workstream_id: int | None) -> None:
    refusal = may_read(scope, workstream_id)
    if refusal:
        raise AccessDenied(refusal)
