"""The one forecast outturn that the overview, /funding, the API and the board pack
all show, with the burn rate against the Home Office VRU grant. The method and why
it was chosen: docs/forecast.md.

Access: spend is restricted; `money_forecast` takes `scope` and calls
`scope.require_area` before reading. `forecast_outturn` is pure arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from data_access import periods
from data_access.areas import get_area
from data_access.errors import InvalidParameter
from data_access.money.funding_allocations import PRECISION_WORDS, _grant, default_year
from data_access.money.spending import quarter_spend, year_quarters
from data_access.scope import Scope

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
    if result["year_complete"] and not periods.is_complete(periods.fy_bounds(year)[1]):
        # Four quarters reported before 31 March (a Q4 return made early) is not
        # a finished year: by the one completeness rule (periods.is_complete) it
        # is still a forecast, never "Outturn (year complete)".
        result["year_complete"] = False
    precision = grant["precision"] if grant else None
    # over plain lists: a frame filtered for one flag costs more than the forecast
    spend_illustrative = any(
        flag
        for fy, flag in zip(
            spend["financial_year"].tolist(),
            spend["illustrative"].tolist(),
            strict=True,
        )
        if fy == year
    )
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
        illustrative=spend_illustrative or bool(grant and grant["illustrative"]),
        approximate=precision not in (None, "exact"),
        method=FORECAST_METHOD,
        method_words=_method_words(result, year),
    )
    return result


def _method_words(result: dict, year: int | None) -> str:
    basis, last = result["share_basis"], result["last_quarter"]
    if not last:
        return ""
    if basis == "actual" and not result["year_complete"]:
        return (
            "All four quarters reported before the year ends on 31 March: the "
            "forecast is the spend so far."
        )
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
