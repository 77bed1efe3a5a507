"""What the money readers share: checks of a financial year and of the area whose
spend is asked for (after the scope check), the WHERE clauses on spend for a force
area or a local authority, and the labels of the core unit and force-wide spend.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import case, func, select

from data_access.activity.reach_rule import year_keys
from data_access.areas import AreaInfo, area_id_of, get_area
from data_access.db import read_connection
from data_access.errors import InvalidParameter
from data_access.models import (
    Intervention,
    Source,
    Spend,
)
from data_access.scope import Scope

CORE_LABEL = "Core VRU team (not an intervention)"
FORCE_WIDE_LABEL = "Force-wide: core team and force-wide interventions"
CORE_TIER = "core"


# --------------------------------------------------------------------- helpers


def _flag(column) -> Any:
    """max() over a boolean column as 0/1 on both engines."""
    return func.max(case((column, 1), else_=0))


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _check_year(financial_year: Any) -> int:
    if isinstance(financial_year, bool) or not isinstance(financial_year, int):
        raise InvalidParameter(
            "financial_year", f"'{financial_year}' is not a financial year"
        )
    if not 1990 <= financial_year <= 2100:
        raise InvalidParameter(
            "financial_year", f"{financial_year} is not a plausible financial year"
        )
    return financial_year


def _spend_area(scope: Scope, area_code: str) -> AreaInfo:
    """The force area or local authority whose spend is asked for, after the
    scope check."""
    area = get_area(area_code)
    if area.level not in ("pfa", "lad"):
        raise InvalidParameter(
            "area",
            "spend is recorded for force areas and their local authorities only",
        )
    scope.require_area(area.code, area.parent_code)
    return area


def _spend_where(area: AreaInfo, connection) -> list:
    """WHERE clauses on Spend (joined to Intervention) for a force area or LAD."""
    area_id = area_id_of(connection, area.code)
    if area.level == "pfa":
        return [Spend.area_id == area_id, Spend.is_current]
    return [Intervention.delivering_area_id == area_id, Spend.is_current]


def year_spend_rows(area: AreaInfo, financial_year: int, key, *extra) -> list:
    """The force area's or local authority's current spend in one financial year
    grouped by `key` (a column of Spend or Intervention, which is outer-joined:
    the core unit's rows have none): rows of key, total, *extra, illustrative
    (0/1). The one year-spend query of spend by intervention and by tier."""
    with read_connection() as connection:
        return connection.execute(
            select(key, func.sum(Spend.amount), *extra, _flag(Source.illustrative))
            .join(Source, Source.id == Spend.source_id)
            .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
            .where(
                Spend.financial_year == financial_year, *_spend_where(area, connection)
            )
            .group_by(key)
        ).all()


def _reach_keys(area: AreaInfo, financial_year: int) -> tuple:
    """The reach rule's arguments (activity.reach_rule) for a force area's or a
    local authority's financial year: VRU code, local authority code or None,
    first and last quarter keys. Money counts young people this way only, so cost
    per young person divides by the reach /prevention shows."""
    first, last = year_keys(financial_year)
    if area.level == "pfa":
        return area.code, None, first, last
    return area.parent_code, area.code, first, last


def _cost(spend: float | None, people: int | None) -> float:
    if spend is None or people is None or people <= 0 or math.isnan(spend):
        return math.nan
    return spend / people
