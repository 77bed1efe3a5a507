"""Spend by prevention tier and cost per young person reached (spend over young
people supported, summed over quarterly returns: see REACH_CAVEAT). Restricted.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import func

from data_access.activity.reach_rule import tier_reach
from data_access.areas import get_area
from data_access.cache import memoized
from data_access.errors import InvalidParameter
from data_access.models import (
    TIERS,
    Intervention,
    Spend,
)
from data_access.money.money_reads import (
    CORE_TIER,
    _check_year,
    _cost,
    _reach_keys,
    _spend_area,
    year_spend_rows,
)
from data_access.money.spending import spend_by_intervention
from data_access.scope import Scope

REACH_CAVEAT = (
    "Young people supported are counts reported by each intervention each quarter. "
    "The same young person may be counted by several interventions or in several "
    "quarters, so these are not counts of unique individuals, and cost per young "
    "person is a cost per contact-episode, not per individual."
)
TIER_COLUMNS = [
    "tier",
    "interventions",
    "spend",
    "young_people",
    "cost_per_young_person",
    "illustrative",
]
COST_COLUMNS = [
    "level",
    "label",
    "tier",
    "spend",
    "young_people",
    "cost_per_young_person",
    "illustrative",
]


def spend_by_tier(*, scope: Scope, area_code: str, financial_year: int) -> pd.DataFrame:
    """Spend and reach per prevention tier (primary, secondary, tertiary, then
    "core" for the core team) in one year. Restricted. Columns: TIER_COLUMNS
    (`cost_per_young_person` = tier spend / tier young people; REACH_CAVEAT)."""
    area = _spend_area(scope, area_code)
    return _spend_by_tier(area.code, area.level, _check_year(financial_year))


@memoized
def _spend_by_tier(area_code: str, level: str, financial_year: int) -> pd.DataFrame:
    area = get_area(area_code)
    tier = func.coalesce(Intervention.tier, CORE_TIER)
    spend_rows = year_spend_rows(
        area, financial_year, tier, func.count(func.distinct(Spend.intervention_id))
    )
    spend = {r[0]: (float(r[1]), int(r[2]), bool(r[3])) for r in spend_rows}
    reach = tier_reach(*_reach_keys(area, financial_year))
    records = []
    for name in (*TIERS, CORE_TIER):
        if name not in spend and name not in reach:
            continue
        amount, n, s_flag = spend.get(name, (math.nan, 0, False))
        people, r_flag = reach.get(name, (None, False))
        records.append(
            {
                "tier": name,
                "interventions": n,
                "spend": amount,
                "young_people": pd.NA if people is None else people,
                "cost_per_young_person": _cost(amount, people),
                "illustrative": bool(s_flag or r_flag),
            }
        )
    frame = pd.DataFrame(records, columns=TIER_COLUMNS)
    frame["young_people"] = frame["young_people"].astype("Int64")
    return frame


def cost_per_young_person(
    *, scope: Scope, area_code: str, financial_year: int, by: str = "intervention"
) -> pd.DataFrame:
    """Cost per young person reached (spend / young people supported) per
    intervention or per tier, where both are recorded; the core team (no reach)
    is left out. Restricted. Columns: COST_COLUMNS. See REACH_CAVEAT."""
    if by not in ("intervention", "tier"):
        raise InvalidParameter("by", "cost per young person is by intervention or tier")
    if by == "tier":
        frame = spend_by_tier(
            scope=scope, area_code=area_code, financial_year=financial_year
        )
        frame = frame.assign(level="tier", label=frame["tier"])
    else:
        frame = spend_by_intervention(
            scope=scope, area_code=area_code, financial_year=financial_year
        )
        frame = frame.assign(level="intervention", label=frame["intervention"])
    frame = frame[frame["cost_per_young_person"].notna()]
    return frame[COST_COLUMNS].reset_index(drop=True)
