"""The one read of interventions' facts (names, tiers, where they are delivered,
provider, source; no figures): a VRU area's list (`area_interventions`; for a force
area or a local authority by its code, `interventions_in`) and one intervention
(`intervention_facts`). /prevention's list and detail
(activity.intervention_activity), /funding's (money.funded_interventions and
spend by intervention) and the area profile's list (outcomes.profiles) all read
them here.

UNSCOPED but for `require_intervention`, the one scope check of an intervention a
request names: the callers check the caller's scope before they call.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from data_access.activity.activity_filters import TIER_LABELS
from data_access.areas import get_area
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.errors import NotFound, record_id
from data_access.models import TIERS, Area, Intervention, Source, Workstream
from data_access.scope import Scope

FACT_COLUMNS = [
    "intervention_id",
    "name",
    "tier",
    "tier_label",
    "description",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "vru_code",
    "vru_name",
    "delivering_code",
    "delivering_name",
    "delivering_level",
    "workstream_id",
    "workstream_name",
    "source_title",
    "illustrative",
]


def _facts_query(where):
    """Every intervention matching where(vru, delivering), by tier then name."""
    vru = aliased(Area)
    delivering = aliased(Area)
    return (
        select(
            Intervention.id,
            Intervention.name,
            Intervention.tier,
            Intervention.description,
            Intervention.provider,
            Intervention.evidence_rating,
            Intervention.start_date,
            Intervention.end_date,
            vru.code,
            vru.name,
            delivering.code,
            delivering.name,
            delivering.level,
            Intervention.workstream_id,
            Workstream.name,
            Source.title,
            Source.illustrative,
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
        .where(*where(vru, delivering))
        .order_by(
            case(*((Intervention.tier == t, i) for i, t in enumerate(TIERS))),
            Intervention.name,
        )
    )


def _record(row) -> dict:
    (iid, name, tier, description, provider, rating, start, end) = row[:8]
    (vru_code, vru_name, d_code, d_name, d_level, ws_id, ws_name) = row[8:15]
    title, illustrative = row[15:]
    return {
        "intervention_id": int(iid),
        "name": name,
        "tier": tier,
        "tier_label": TIER_LABELS[tier],
        "description": description,
        "provider": provider,
        "evidence_rating": rating,
        "start_date": start,
        "end_date": end,
        "vru_code": vru_code,
        "vru_name": vru_name,
        "delivering_code": d_code,
        "delivering_name": d_name,
        "delivering_level": d_level,
        "workstream_id": ws_id,
        "workstream_name": ws_name,
        "source_title": title,
        "illustrative": bool(illustrative),
    }


@memoized
def area_interventions(area_code: str, lad_code: str | None) -> pd.DataFrame:
    """UNSCOPED: the VRU (force) area's interventions, or those one of its local
    authorities delivers, by tier then name (FACT_COLUMNS)."""

    def where(vru, delivering):
        clauses = [vru.code == area_code]
        if lad_code:
            clauses.append(delivering.code == lad_code)
        return clauses

    with read_connection() as connection:
        rows = connection.execute(_facts_query(where)).all()
    return pd.DataFrame([_record(row) for row in rows], columns=FACT_COLUMNS)


def interventions_in(area_code: str) -> pd.DataFrame:
    """UNSCOPED: the interventions of a force area, or those a local authority
    delivers (area_interventions of its force area), FACT_COLUMNS; none for an
    area of another level, which neither runs nor delivers interventions."""
    area = get_area(area_code)
    if area.level == "pfa":
        return area_interventions(area.code, None)
    if area.level == "lad" and area.parent_code:
        return area_interventions(area.parent_code, area.code)
    return pd.DataFrame(columns=FACT_COLUMNS)


@memoized
def intervention_facts(intervention_id: int) -> dict | None:
    """UNSCOPED: one intervention's facts (FACT_COLUMNS as a dict), or None."""
    with read_connection() as connection:
        row = connection.execute(
            _facts_query(lambda vru, delivering: [Intervention.id == intervention_id])
        ).first()
    return None if row is None else _record(row)


def require_intervention(scope: Scope, intervention_id) -> dict:
    """The facts (FACT_COLUMNS as a dict) of the intervention a request names,
    after the caller's scope check: NotFound for an id that is not a whole
    number or that no intervention has; AccessDenied when its VRU (force) area
    is outside the scope. /prevention's detail and /funding's both ask here."""
    intervention_id = record_id(intervention_id, "intervention")
    facts = intervention_facts(intervention_id)
    if facts is None:
        raise NotFound(f"no intervention has the id '{intervention_id}'")
    area = get_area(facts["vru_code"])
    scope.require_area(area.code, area.parent_code)
    return facts
