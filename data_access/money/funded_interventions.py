"""A force area's (or local authority's) interventions as the funding page lists
them, and one intervention's facts, from the one intervention read
(activity.intervention_facts) under /funding's names. Restricted: scope checked
before reading.
"""

from __future__ import annotations

import pandas as pd

from data_access.activity.intervention_facts import (
    interventions_in,
    require_intervention,
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
    # The one intervention read (activity.intervention_facts), as /prevention.
    return interventions_in(area.code).rename(
        columns={
            "name": "intervention",
            "delivering_code": "delivering_area_code",
            "delivering_name": "delivering_area_name",
        }
    )[INTERVENTION_COLUMNS]


def get_intervention(*, scope: Scope, intervention_id: int) -> dict:
    """One intervention (restricted). NotFound for an unknown id; AccessDenied when
    its force area is outside the scope.

    Keys: intervention_id, name, tier, vru_area_code, vru_area_name,
    delivering_area_code, delivering_area_name, delivering_level, provider,
    description, start_date, end_date, evidence_rating, workstream, source_title,
    illustrative."""
    facts = require_intervention(scope, intervention_id)
    return {
        "intervention_id": facts["intervention_id"],
        "name": facts["name"],
        "tier": facts["tier"],
        "vru_area_code": facts["vru_code"],
        "vru_area_name": facts["vru_name"],
        "delivering_area_code": facts["delivering_code"],
        "delivering_area_name": facts["delivering_name"],
        "delivering_level": facts["delivering_level"],
        "provider": facts["provider"],
        "description": facts["description"],
        "start_date": facts["start_date"],
        "end_date": facts["end_date"],
        "evidence_rating": facts["evidence_rating"],
        "workstream": facts["workstream_name"],
        "source_title": facts["source_title"],
        "illustrative": facts["illustrative"],
    }
