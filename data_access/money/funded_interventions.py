"""A force area's (or local authority's) interventions as the funding page lists
them, and one intervention's facts. Restricted: scope checked before reading.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import NotFound
from data_access.models import (
    TIERS,
    Area,
    Intervention,
    Source,
    Workstream,
)
from data_access.money.money_reads import _spend_area
from data_access.scope import Scope

INTERVENTION_COLUMNS = [
    "intervention_id",
    "intervention",
    "tier",
    "delivering_area_code",
    "delivering_area_name",
    "illustrative",
]


# --------------------------------------------------------------- interventions


def interventions(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Interventions of a force area (or delivered in a local authority), by tier
    then name. Restricted. Columns: INTERVENTION_COLUMNS."""
    area = _spend_area(scope, area_code)
    return _interventions(area.code, area.level)


@memoized
def _interventions(area_code: str, level: str) -> pd.DataFrame:
    vru = aliased(Area)
    delivering = aliased(Area)
    tier_rank = case(*[(Intervention.tier == t, i) for i, t in enumerate(TIERS)])
    query = (
        select(
            Intervention.id,
            Intervention.name,
            Intervention.tier,
            delivering.code,
            delivering.name,
            Source.illustrative,
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .order_by(tier_rank, Intervention.name)
    )
    if level == "pfa":
        query = query.where(vru.code == area_code)
    else:
        query = query.where(delivering.code == area_code)
    with session_scope() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


def get_intervention(*, scope: Scope, intervention_id: int) -> dict:
    """One intervention (restricted). NotFound for an unknown id; AccessDenied when
    its force area is outside the scope.

    Keys: intervention_id, name, tier, vru_area_code, vru_area_name,
    delivering_area_code, delivering_area_name, delivering_level, provider,
    description, start_date, end_date, evidence_rating, workstream, source_title,
    illustrative."""
    info = _intervention(int(intervention_id))
    if info is None:
        raise NotFound(f"no intervention has the id {intervention_id}")
    scope.require_area(info["vru_area_code"])
    return info


@memoized
def _intervention(intervention_id: int) -> dict | None:
    vru = aliased(Area)
    delivering = aliased(Area)
    with session_scope() as session:
        row = session.execute(
            select(
                Intervention.id,
                Intervention.name,
                Intervention.tier,
                vru.code,
                vru.name,
                delivering.code,
                delivering.name,
                delivering.level,
                Intervention.provider,
                Intervention.description,
                Intervention.start_date,
                Intervention.end_date,
                Intervention.evidence_rating,
                Workstream.name,
                Source.title,
                Source.illustrative,
            )
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == Intervention.source_id)
            .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
            .where(Intervention.id == intervention_id)
        ).first()
    if row is None:
        return None
    keys = [
        "intervention_id",
        "name",
        "tier",
        "vru_area_code",
        "vru_area_name",
        "delivering_area_code",
        "delivering_area_name",
        "delivering_level",
        "provider",
        "description",
        "start_date",
        "end_date",
        "evidence_rating",
        "workstream",
        "source_title",
        "illustrative",
    ]
    info = dict(zip(keys, row, strict=True))
    info["illustrative"] = bool(info["illustrative"])
    return info
