"""Interventions with their outputs and spend, and one intervention's quarters
(`interventions`, `intervention_detail`): one row per intervention, read from the
raw current intervention_output and spend rows through their intervention
indexes. Restricted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased

from data_access import periods
from data_access.activity.activity_filters import (
    TIER_LABELS,
    _illustrative_flag,
    _key_start,
    _lad,
    _money,
    _period_keys,
    _spend_where,
    _tier,
    _vru_area,
)
from data_access.activity.reach_rule import intervention_reach_subquery
from data_access.areas import get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import NotFound
from data_access.models import (
    OUTPUT_TYPES,
    TIERS,
    Area,
    Intervention,
    InterventionOutput,
    Source,
    Spend,
    Workstream,
)
from data_access.scope import Scope

INTERVENTION_COLUMNS = [
    "intervention_id",
    "name",
    "tier",
    "tier_label",
    "delivering_code",
    "delivering_name",
    "delivering_level",
    "workstream_id",
    "workstream_name",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "young_people_supported",
    "young_people_under25",
    "spend",
    "source_title",
    "illustrative",
]
INTERVENTION_FACTS = [
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
QUARTER_COLUMNS = [
    "period_start",
    "period",
    *[f for f in OUTPUT_TYPES if f == "young_people_supported"],
    "young_people_under25",
    *[f for f in OUTPUT_TYPES if f != "young_people_supported"],
    "spend",
    "illustrative",
]


# ------------------------------------------------------------------- interventions


def interventions(
    *,
    scope: Scope,
    area_code: str,
    tier: str | None = None,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The area's interventions with their outputs and spend in the period
    (INTERVENTION_COLUMNS), by tier then name."""
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    first, last = _period_keys(start, end)
    return _interventions(area.code, _tier(tier), lad, first, last).copy()


def _per_intervention_spend(area_code, lad_code, first, last):
    return (
        _spend_where(
            select(
                Spend.intervention_id.label("intervention_id"),
                func.sum(Spend.amount).label("spend"),
                _illustrative_flag().label("illustrative"),
            ),
            area_code,
            lad_code,
            first,
            last,
            outer=False,
        )
        .group_by(Spend.intervention_id)
        .subquery()
    )


@memoized
def _interventions(
    area_code: str,
    tier: str | None,
    lad_code: str | None,
    first: int | None,
    last: int | None,
) -> pd.DataFrame:
    vru = aliased(Area)
    delivering = aliased(Area)
    outputs = intervention_reach_subquery(area_code, lad_code, first, last)
    spend = _per_intervention_spend(area_code, lad_code, first, last)
    query = (
        select(
            Intervention.id,
            Intervention.name,
            Intervention.tier,
            delivering.code,
            delivering.name,
            delivering.level,
            Intervention.workstream_id,
            Workstream.name,
            Intervention.provider,
            Intervention.evidence_rating,
            Intervention.start_date,
            Intervention.end_date,
            func.coalesce(outputs.c.supported, 0),
            func.coalesce(outputs.c.under25, 0),
            spend.c.spend,
            Source.title,
            Source.illustrative,
            func.coalesce(outputs.c.illustrative, literal(0)),
            func.coalesce(spend.c.illustrative, literal(0)),
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
        .outerjoin(outputs, outputs.c.intervention_id == Intervention.id)
        .outerjoin(spend, spend.c.intervention_id == Intervention.id)
        .where(vru.code == area_code)
        .order_by(
            case(*((Intervention.tier == t, i) for i, t in enumerate(TIERS))),
            Intervention.name,
        )
    )
    if tier:
        query = query.where(Intervention.tier == tier)
    if lad_code:
        query = query.where(delivering.code == lad_code)
    with session_scope() as session:
        rows = session.execute(query).all()
    records = []
    for row in rows:
        (iid, name, tier_, d_code, d_name, d_level, ws_id, ws_name, provider) = row[:9]
        (rating, start, end, supported, under25, spend_total, title) = row[9:16]
        src_ill, out_ill, spend_ill = row[16:]
        records.append(
            {
                "intervention_id": int(iid),
                "name": name,
                "tier": tier_,
                "tier_label": TIER_LABELS[tier_],
                "delivering_code": d_code,
                "delivering_name": d_name,
                "delivering_level": d_level,
                "workstream_id": ws_id,
                "workstream_name": ws_name,
                "provider": provider,
                "evidence_rating": rating,
                "start_date": start,
                "end_date": end,
                "young_people_supported": int(supported or 0),
                "young_people_under25": int(under25 or 0),
                "spend": _money(spend_total),
                "source_title": title,
                "illustrative": bool(src_ill) or bool(out_ill) or bool(spend_ill),
            }
        )
    return pd.DataFrame(records, columns=INTERVENTION_COLUMNS)


def intervention_detail(
    *,
    scope: Scope,
    intervention_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """One intervention's facts and quarterly outputs and spend (module docstring).

    NotFound for an unknown id; AccessDenied when its VRU area is out of scope."""
    try:
        intervention_id = int(intervention_id)
    except (TypeError, ValueError):
        raise NotFound(f"no intervention has the id '{intervention_id}'") from None
    vru_code = _intervention_area(intervention_id)
    if vru_code is None:
        raise NotFound(f"no intervention has the id '{intervention_id}'")
    area = get_area(vru_code)
    scope.require_area(area.code, area.parent_code)
    first, last = _period_keys(start, end)
    facts, quarters = _intervention_detail(intervention_id, first, last)
    return {**facts, "quarters": quarters.copy()}


@memoized
def _intervention_area(intervention_id: int) -> str | None:
    with session_scope() as session:
        return session.scalar(
            select(Area.code)
            .join(Intervention, Intervention.vru_area_id == Area.id)
            .where(Intervention.id == intervention_id)
        )


@memoized
def _intervention_detail(
    intervention_id: int, first: int | None, last: int | None
) -> tuple[dict, pd.DataFrame]:
    vru = aliased(Area)
    delivering = aliased(Area)
    with session_scope() as session:
        row = session.execute(
            select(
                Intervention,
                vru.code,
                vru.name,
                delivering.code,
                delivering.name,
                delivering.level,
                Workstream.name,
                Source.title,
                Source.illustrative,
            )
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == Intervention.source_id)
            .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
            .where(Intervention.id == intervention_id)
        ).one()
        item, vru_code, vru_name, d_code, d_name, d_level, ws_name, title, ill = row
        facts = {
            "intervention_id": item.id,
            "name": item.name,
            "tier": item.tier,
            "tier_label": TIER_LABELS[item.tier],
            "description": item.description,
            "provider": item.provider,
            "evidence_rating": item.evidence_rating,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "vru_code": vru_code,
            "vru_name": vru_name,
            "delivering_code": d_code,
            "delivering_name": d_name,
            "delivering_level": d_level,
            "workstream_id": item.workstream_id,
            "workstream_name": ws_name,
            "source_title": title,
            "illustrative": bool(ill),
        }
        outputs_q = select(
            InterventionOutput.period_start,
            InterventionOutput.output_type,
            InterventionOutput.age_band,
            func.sum(InterventionOutput.value),
            _illustrative_flag(),
        ).join(Source, Source.id == InterventionOutput.source_id)
        outputs_q = outputs_q.where(
            InterventionOutput.intervention_id == intervention_id,
            InterventionOutput.is_current,
        )
        if first is not None:
            outputs_q = outputs_q.where(
                InterventionOutput.period_start >= _key_start(first)
            )
        if last is not None:
            outputs_q = outputs_q.where(
                InterventionOutput.period_start <= _key_start(last)
            )
        outputs = session.execute(
            outputs_q.group_by(
                InterventionOutput.period_start,
                InterventionOutput.output_type,
                InterventionOutput.age_band,
            )
        ).all()
        key = Spend.financial_year * 10 + Spend.quarter
        spend_q = (
            select(
                Spend.financial_year,
                Spend.quarter,
                func.sum(Spend.amount),
                _illustrative_flag(),
            )
            .join(Source, Source.id == Spend.source_id)
            .where(Spend.intervention_id == intervention_id, Spend.is_current)
            .group_by(Spend.financial_year, Spend.quarter)
        )
        if first is not None:
            spend_q = spend_q.where(key >= first)
        if last is not None:
            spend_q = spend_q.where(key <= last)
        spend = session.execute(spend_q).all()

    quarters: dict[dt.date, dict] = {}

    def quarter(start: dt.date) -> dict:
        if start not in quarters:
            quarters[start] = {
                "period_start": start,
                "period": periods.quarter_label(start),
                **{name: pd.NA for name in OUTPUT_TYPES},
                "young_people_under25": pd.NA,
                "spend": float("nan"),
                "illustrative": False,
            }
        return quarters[start]

    for start, output_type, age_band, total, illustrative in outputs:
        column = output_type
        if age_band == "under25":
            if output_type != "young_people_supported":
                continue
            column = "young_people_under25"
        elif age_band != "all":
            continue
        row_ = quarter(start)
        row_[column] = int(total or 0)
        row_["illustrative"] |= bool(illustrative)
    for year, q, total, illustrative in spend:
        row_ = quarter(periods.quarter_bounds(int(year), int(q))[0])
        row_["spend"] = _money(total)
        row_["illustrative"] |= bool(illustrative)
    frame = pd.DataFrame(
        [quarters[k] for k in sorted(quarters)], columns=QUARTER_COLUMNS
    )
    for name in [*OUTPUT_TYPES, "young_people_under25"]:
        frame[name] = frame[name].astype("Int64")
    return facts, frame
