"""Money for one force area: the Home Office VRU grant, spend by quarter and the one
forecast outturn that the overview, /funding and the API all show.

The method and why it was chosen: docs/forecast.md.

Access: spend is restricted; every public function takes `scope` and calls
`scope.require_area` before reading. The memoized readers take primitives only.

Public names
- FORECAST_METHOD: the method in words, shown under every forecast
- vru_grant_filter() -> SQL clause for the preferred annual Home Office VRU grant
- default_year(*, area_code=None) -> int | None
- quarter_spend(*, scope, area_code) -> QUARTER_SPEND_COLUMNS (every year)
- forecast_outturn(quarter_spend, *, allocation, last_quarter=None, profile=None)
  -> dict (pure arithmetic)
- money_forecast(*, scope, area_code, financial_year=None) -> dict
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Integer, and_, cast, func, select

from data_access import periods
from data_access.areas import NATIONAL_CODE, get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import InvalidParameter
from data_access.funding import FUNDER_HOME_OFFICE, PROGRAMME_VRU
from data_access.models import Area, FundingAllocation, Source, SpendSummary
from data_access.scope import Scope

#: How each stored precision of an allocation is said in words.
PRECISION_WORDS: dict[str, str] = {
    "exact": "exact",
    "rounded": "rounded",
    "approx": "approximately",
    "up_to": "up to",
    "more_than": "more than",
}

FORECAST_METHOD = (
    "Forecast outturn = spend to date ÷ the share of the year's spend that is "
    "normally made by the same quarter. The share comes from the area's own last "
    "complete year (VRU spending bunches towards the 31 March deadline, so an "
    "average of the quarters so far would under-forecast); in an area's first year, "
    "or when last year's spend by that quarter was nil, the share is the quarters "
    "passed ÷ 4. Quarters with no spend reported count as nothing spent. Once Q4 is "
    "reported the outturn is the actual spend. The forecast is not capped: a "
    "forecast above the grant is shown as a projected overspend. The projected "
    "underspend (repaid to the Home Office) is the grant minus the forecast; against "
    "a grant published only as 'up to', 'more than' or 'approximately' a figure it "
    "is approximate too."
)

QUARTER_SPEND_COLUMNS = ["financial_year", "quarter", "amount", "illustrative"]


def vru_grant_filter():
    """The preferred annual Home Office VRU grant (what spend burns down)."""
    return and_(
        FundingAllocation.funder == FUNDER_HOME_OFFICE,
        FundingAllocation.programme == PROGRAMME_VRU,
        FundingAllocation.intervention_id.is_(None),
        FundingAllocation.is_preferred,
    )


def default_year(*, area_code: str | None = None) -> int | None:
    """The year money is shown for when none is asked for: the latest year with a
    preferred Home Office VRU grant for the force area (any force area for England
    and Wales, or a local authority's force area). None when there is none."""
    code = None
    if area_code is not None and area_code != NATIONAL_CODE:
        area = get_area(area_code)
        code = area.parent_code if area.level == "lad" else area.code
    return _default_year(code)


@memoized
def _default_year(area_code: str | None) -> int | None:
    query = (
        select(func.max(FundingAllocation.financial_year))
        .join(Area, Area.id == FundingAllocation.area_id)
        .where(vru_grant_filter(), Area.level == "pfa")
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    with session_scope() as session:
        year = session.scalar(query)
    return None if year is None else int(year)


def quarter_spend(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Current spend per financial year and quarter of a force area (everything
    recorded against it, core unit included) or a local authority (the
    interventions it delivers), every year, oldest first; only quarters with spend.
    Restricted. Columns: QUARTER_SPEND_COLUMNS (amount in pounds)."""
    area = get_area(area_code)
    if area.level not in ("pfa", "lad"):
        raise InvalidParameter(
            "area",
            "spend is recorded for force areas and their local authorities only",
        )
    scope.require_area(area.code, area.parent_code)
    return _quarter_spend(area.code, area.level)


@memoized
def _quarter_spend(area_code: str, level: str) -> pd.DataFrame:
    # The pre-aggregated spend_summary, kept current by every write in its own
    # transaction (data_access/summaries.py): its size does not grow with the raw
    # spend rows. A local authority's spend is that of the interventions it
    # delivers (the core unit has no delivering area).
    by = SpendSummary.area_id if level == "pfa" else SpendSummary.delivering_area_id
    with session_scope() as session:
        rows = session.execute(
            select(
                SpendSummary.financial_year,
                SpendSummary.quarter,
                func.sum(SpendSummary.amount),
                func.max(cast(SpendSummary.illustrative, Integer())),
            )
            .join(Area, Area.id == by)
            .where(Area.code == area_code)
            .group_by(SpendSummary.financial_year, SpendSummary.quarter)
            .order_by(SpendSummary.financial_year, SpendSummary.quarter)
        ).all()
    frame = pd.DataFrame(rows, columns=QUARTER_SPEND_COLUMNS)
    frame["financial_year"] = frame["financial_year"].astype(int)
    frame["quarter"] = frame["quarter"].astype(int)
    frame["amount"] = frame["amount"].astype(float)
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(bool)
    return frame


def year_quarters(spend: pd.DataFrame, financial_year: int) -> list[float]:
    """Spend of Q1 up to the last quarter with spend in `financial_year`, from a
    `quarter_spend` frame; quarters with none are 0."""
    year = spend[spend["financial_year"] == financial_year]
    if year.empty:
        return []
    amounts = dict(zip(year["quarter"], year["amount"], strict=True))
    return [
        float(amounts.get(q, 0.0)) for q in range(1, int(year["quarter"].max()) + 1)
    ]


def forecast_outturn(
    quarter_spend: Sequence[float],
    *,
    allocation: float | None,
    last_quarter: int | None = None,
    profile: Sequence[float] | None = None,
) -> dict:
    """The forecast arithmetic of FORECAST_METHOD, on plain numbers.

    `quarter_spend` holds this year's spend for Q1, Q2, ... up to the last reported
    quarter (missing quarters as 0). `profile` is the last complete year's spend
    for Q1-Q4, or None when there is none.

    Method (docs/forecast.md): forecast = spent to date / expected share, where the
    expected share is the fraction of the profile year's spend made by the end of
    the same quarter, or quarters passed / 4 without a usable profile. This is the
    "profiled budget" monitoring of public-sector finance: spend is compared with
    where the year's spending pattern says it should be, not with a straight line,
    because grant spending bunches before the year end (Liebman and Mahoney, "Do
    expiring budgets lead to wasteful year-end spending?", American Economic Review
    107(11), 2017; the Home Office VRU grant must be spent by 31 March).

    Keys: spent_to_date, last_quarter, quarters_remaining, expected_share (the
    share the forecast divides by), share_basis ("actual" when the year is
    complete, "profile" or "flat"), forecast_outturn (None before any quarter is
    reported), over_allocation (bool), projected_underspend (allocation minus
    forecast: negative is a projected overspend; None without an allocation),
    burn_rate (spent / allocation), expected_burn (quarters passed / 4, the
    straight line), burn_vs_expected, year_complete."""
    spend = [0.0 if v is None or math.isnan(v) else float(v) for v in quarter_spend]
    last = last_quarter if last_quarter is not None else len(spend)
    if not 0 <= last <= 4 or len(spend) > 4:
        raise ValueError("a financial year has four quarters")
    spent = sum((spend + [0.0] * 4)[:last])
    share, basis = _expected_share(last, profile)
    forecast = None if not last else spent / share
    has_allocation = allocation is not None and not math.isnan(allocation)
    burn = spent / allocation if has_allocation and allocation else None
    return {
        "spent_to_date": round(spent, 2),
        "last_quarter": last,
        "quarters_remaining": 4 - last,
        "expected_share": share,
        "share_basis": basis,
        "forecast_outturn": None if forecast is None else round(forecast, 2),
        "over_allocation": bool(has_allocation and forecast and forecast > allocation),
        "projected_underspend": round(allocation - forecast, 2)
        if has_allocation and forecast is not None
        else None,
        "burn_rate": burn,
        "expected_burn": last / 4,
        "burn_vs_expected": None if burn is None else burn - last / 4,
        "year_complete": last == 4,
    }


def _expected_share(last: int, profile: Sequence[float] | None) -> tuple[float, str]:
    if last == 4:
        return 1.0, "actual"
    if profile is not None and len(profile) == 4:
        total = float(sum(profile))
        by_now = float(sum(profile[:last]))
        # A nil share (first year's spend started late) cannot be divided by.
        if total > 0 and by_now > 0:
            return by_now / total, "profile"
    return last / 4, "flat"


def money_forecast(
    *, scope: Scope, area_code: str, financial_year: int | None = None
) -> dict[str, Any]:
    """The grant, spend to date, burn rate and forecast outturn against 31 March for
    a force area's financial year (`default_year` when None): the one forecast the
    overview, /funding and the API show.

    Restricted. Keys: those of `forecast_outturn`, plus area_code, area_name,
    financial_year (None when the area has neither a grant nor spend), fy_label,
    last_quarter_label, profile_year (the year whose spending pattern was used, or
    None), allocation (the preferred Home Office VRU grant or None),
    allocation_as_published, allocation_precision, allocation_precision_words,
    allocation_illustrative, allocation_source, has_spend, illustrative,
    approximate (the grant is not exact), method (FORECAST_METHOD) and
    method_words (this forecast's arithmetic in one sentence)."""
    area = get_area(area_code)
    if area.level != "pfa":
        raise InvalidParameter(
            "area", "burn rate is measured for a force area's allocation"
        )
    spend = quarter_spend(scope=scope, area_code=area.code)
    year = financial_year
    if year is None:
        year = default_year(area_code=area.code)
        if year is None and not spend.empty:
            year = int(spend["financial_year"].max())
    quarters = [] if year is None else year_quarters(spend, year)
    previous = [] if year is None else year_quarters(spend, year - 1)
    grant = None if year is None else _grant(area.code, year)
    allocation = grant["amount"] if grant else None
    result = forecast_outturn(
        quarters,
        allocation=allocation,
        profile=previous if len(previous) == 4 else None,
    )
    last = result["last_quarter"]
    precision = grant["precision"] if grant else None
    this_year = spend[spend["financial_year"] == year]
    result.update(
        area_code=area.code,
        area_name=area.name,
        financial_year=year,
        fy_label=None if year is None else periods.fy_label(year),
        last_quarter_label=f"{periods.fy_label(year)} Q{last}" if last else None,
        profile_year=year - 1 if result["share_basis"] == "profile" else None,
        allocation=allocation,
        allocation_as_published=grant["as_published"] if grant else None,
        allocation_precision=precision,
        allocation_precision_words=PRECISION_WORDS.get(precision)
        if precision
        else None,
        allocation_illustrative=bool(grant and grant["illustrative"]),
        allocation_source=grant["source_title"] if grant else None,
        has_spend=bool(last),
        illustrative=bool(this_year["illustrative"].any())
        or bool(grant and grant["illustrative"]),
        approximate=precision not in (None, "exact"),
        method=FORECAST_METHOD,
        method_words=_method_words(result, year),
    )
    return result


def _method_words(result: dict, year: int | None) -> str:
    basis, last = result["share_basis"], result["last_quarter"]
    if not last:
        return ""
    if basis == "actual":
        return "All four quarters reported: the outturn is the spend."
    share = f"{result['expected_share']:.0%}"
    if basis == "profile":
        return (
            f"Spend to date divided by {share}, the share of "
            f"{periods.fy_label(year - 1)} spend made by Q{last}, because spending "
            "bunches towards the 31 March deadline."
        )
    return (
        f"Spend to date divided by {share} ({last} of 4 quarters): no earlier "
        f"complete year with spend by Q{last} shows this area's spending pattern."
    )


@memoized
def _grant(area_code: str, financial_year: int) -> dict | None:
    with session_scope() as session:
        row = session.execute(
            select(
                FundingAllocation.amount,
                FundingAllocation.amount_as_published,
                FundingAllocation.precision,
                Source.illustrative,
                Source.title,
            )
            .join(Area, Area.id == FundingAllocation.area_id)
            .join(Source, Source.id == FundingAllocation.source_id)
            .where(
                Area.code == area_code,
                FundingAllocation.financial_year == financial_year,
                vru_grant_filter(),
            )
        ).first()
    if row is None:
        return None
    return {
        "amount": float(row[0]),
        "as_published": row[1],
        "precision": row[2],
        "illustrative": bool(row[3]),
        "source_title": row[4],
    }
