"""Interventions with their outputs and spend, and one intervention's quarters
(`interventions`, `intervention_detail`): one row per intervention, read from the
raw current intervention_output and spend rows through their intervention
indexes. Restricted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data_access import periods
from data_access.activity.activity_filters import (
    _between,
    _illustrative_flag,
    _in_quarters,
    _money,
    _period_keys,
    _spend_where,
    _tier,
    checked_where,
    output_column,
)
from data_access.activity.intervention_facts import (
    FACT_COLUMNS,
    area_interventions,
    intervention_facts,
    require_intervention,
)
from data_access.activity.reach_rule import intervention_outputs
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.models import (
    OUTPUT_TYPES,
    InterventionOutput,
    Source,
    Spend,
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
INTERVENTION_FACTS = FACT_COLUMNS  # activity.intervention_facts
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
    code, lad, first, last = checked_where(scope, area_code, lad_code, start, end)
    return _interventions(code, _tier(tier), lad, first, last).copy()


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


def _per_intervention_spend_totals(area_code, lad_code, first, last) -> dict:
    spend = _per_intervention_spend(area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(select(*spend.c)).all()
    return {int(iid): (total, bool(flag)) for iid, total, flag in rows}


@memoized
def _interventions(
    area_code: str,
    tier: str | None,
    lad_code: str | None,
    first: int | None,
    last: int | None,
) -> pd.DataFrame:
    # The facts of the one intervention read, the one reach rule's outputs and
    # the spend of each intervention in the period.
    facts = area_interventions(area_code, lad_code)
    if tier:
        facts = facts[facts["tier"] == tier]
    outputs = intervention_outputs(area_code, lad_code, first, last)
    spend = _per_intervention_spend_totals(area_code, lad_code, first, last)
    records = []
    for row in facts.to_dict("records"):
        iid = row["intervention_id"]
        supported, under25, out_ill = outputs.get(iid, (0, 0, False))
        total, spend_ill = spend.get(iid, (None, False))
        records.append(
            {
                **{c: row[c] for c in INTERVENTION_COLUMNS if c in row},
                "young_people_supported": supported,
                "young_people_under25": under25,
                "spend": _money(total),
                "illustrative": row["illustrative"] or out_ill or spend_ill,
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
    intervention_id = require_intervention(scope, intervention_id)["intervention_id"]
    first, last = _period_keys(start, end)
    facts, quarters = _intervention_detail(intervention_id, first, last)
    return {**facts, "quarters": quarters.copy()}


@memoized
def _intervention_detail(
    intervention_id: int, first: int | None, last: int | None
) -> tuple[dict, pd.DataFrame]:
    facts = intervention_facts(intervention_id)
    with read_connection() as connection:
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
        outputs_q = _in_quarters(
            outputs_q, InterventionOutput.period_start, first, last
        )
        outputs = connection.execute(
            outputs_q.group_by(
                InterventionOutput.period_start,
                InterventionOutput.output_type,
                InterventionOutput.age_band,
            )
        ).all()
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
        spend_q = _between(
            spend_q, Spend.financial_year * 10 + Spend.quarter, first, last
        )
        spend = connection.execute(spend_q).all()

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
        column = output_column(output_type, age_band)
        if column is None:
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
