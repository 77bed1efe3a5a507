"""Money: allocations (preferred published figure) and spend, for one area.

Spend and allocations are restricted: read only within the caller's scope.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from data_access.areas import get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.funding import PROGRAMME_VRU
from data_access.models import Area, FundingAllocation, Source, Spend
from data_access.scope import Scope


def money_summary(
    *, scope: Scope, area_code: str, financial_year: int | None = None
) -> dict:
    """The Home Office VRU grant (preferred figure), spent to date and whether any is
    illustrative, for a force area and financial year (latest with spend if None).

    Keys: financial_year, allocated, spent, quarters_reported, illustrative."""
    area = get_area(area_code)
    scope.require_area(area.code, area.parent_code)
    return _money_summary(area_code, financial_year)


@memoized
def _money_summary(area_code: str, financial_year: int | None) -> dict:
    with session_scope() as session:
        area_id = session.scalar(select(Area.id).where(Area.code == area_code))
        if financial_year is None:
            financial_year = session.scalar(
                select(func.max(Spend.financial_year)).where(
                    Spend.area_id == area_id, Spend.is_current
                )
            )
        if financial_year is None:
            return {
                "financial_year": None,
                "allocated": None,
                "spent": None,
                "quarters_reported": 0,
                "illustrative": False,
            }
        allocated, alloc_illustrative = session.execute(
            select(
                func.sum(FundingAllocation.amount),
                func.max(func.cast(Source.illustrative, _int())),
            )
            .join(Source, Source.id == FundingAllocation.source_id)
            .where(
                FundingAllocation.area_id == area_id,
                FundingAllocation.financial_year == financial_year,
                FundingAllocation.is_preferred,
                FundingAllocation.intervention_id.is_(None),
                FundingAllocation.funder == "Home Office",
                # The annual VRU grant only: not Grip, breakdowns or multi-year sums.
                FundingAllocation.programme == PROGRAMME_VRU,
            )
        ).one()
        spent, quarters, spend_illustrative = session.execute(
            select(
                func.sum(Spend.amount),
                func.count(func.distinct(Spend.quarter)),
                func.max(func.cast(Source.illustrative, _int())),
            )
            .join(Source, Source.id == Spend.source_id)
            .where(
                Spend.area_id == area_id,
                Spend.financial_year == financial_year,
                Spend.is_current,
            )
        ).one()
    return {
        "financial_year": financial_year,
        "allocated": _money(allocated),
        "spent": _money(spent),
        "quarters_reported": quarters or 0,
        "illustrative": bool(alloc_illustrative) or bool(spend_illustrative),
    }


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _int():
    from sqlalchemy import Integer

    return Integer()
