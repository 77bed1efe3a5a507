"""What each level of the /funding page shows, one call per page state: the
national ranking (`national_view`), a force area (`force_view`), a local
authority (`lad_view`) and an intervention (`intervention_view`). Each reads
its inputs once, from the one road for each fact (`funding_allocations`,
`outturn`, `spending`, `tier_costs`, `annotations`), checks access with the
caller's scope as those do, and returns plain data and DataFrames; the page and
components/funding_charts only draw them.

Every view carries `year`, the financial year's `year_view`: its label and, for
a year the clock says is still running (periods.part_year_words), the words
that mark it as a part year on every chart, table and CSV.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_access import clock, periods
from data_access.annotations import annotations_for
from data_access.areas import NATIONAL_CODE, AreaInfo
from data_access.errors import AccessDenied
from data_access.money import funding_allocations, outturn, spending, tier_costs
from data_access.money.precedence import PRECEDENCE_RULE
from data_access.scope import Scope


def year_view(financial_year: int) -> dict[str, Any]:
    """label ("2025/26"), part (None, or "part year: Q1–Q2"), long_label
    ("2025/26 (part year: Q1–Q2)", or the label for a complete year), status
    (for a table's Period status column), and the sentences every chart of the
    year carries: reach_caveat (tier_costs) and precedence_rule."""
    label = periods.fy_label(financial_year)
    part = periods.part_year_words(financial_year)
    return {
        "financial_year": financial_year,
        "label": label,
        "part": part,
        "long_label": f"{label} ({part})" if part else label,
        "status": f"Part year ({part.removeprefix('part year: ')})"
        if part
        else "Full year",
        "reach_caveat": tier_costs.REACH_CAVEAT,
        "precedence_rule": PRECEDENCE_RULE,
    }


def with_complete(quarters: pd.DataFrame) -> pd.DataFrame:
    """A frame of financial_year and quarter with period_start, period_end and
    `complete`: whether each quarter is over by the app's clock
    (periods.is_complete, the one rule)."""
    bounds = [
        periods.quarter_bounds(int(y), int(q))
        for y, q in zip(quarters["financial_year"], quarters["quarter"], strict=True)
    ]
    today = clock.today()  # read once, not once a quarter
    return quarters.assign(
        period_start=[b[0] for b in bounds],
        period_end=[b[1] for b in bounds],
        complete=[periods.is_complete(b[1], as_at=today) for b in bounds],
    )


def national_view(*, financial_year: int) -> dict[str, Any]:
    """summary (national_summary's columns as lists: one value per force area,
    largest first), national (the national totals published: allocations'
    columns as lists, allocation_columns_of), every (every
    figure for a force area, chosen or not: force_area_allocations' columns
    as lists)."""
    return {
        "year": year_view(financial_year),
        "summary": funding_allocations.national_summary_columns(
            financial_year=financial_year
        ),
        # the year's national figures are among every figure of the year
        "national": funding_allocations.allocation_columns_of(
            area_code=NATIONAL_CODE, financial_year=financial_year
        ),
        "every": funding_allocations.force_area_allocation_columns(
            financial_year=financial_year
        ),
    }


def allocation_view(figures: pd.DataFrame) -> dict[str, Any]:
    """The published figures of one area and year, sorted for showing: chosen
    (the preferred annual totals), chosen_total (their sum), funders (how many
    funders they come from), by_intervention (figures for an intervention),
    intervention_total (their preferred sum), envelope (the preferred published
    envelope for interventions, or None), disputed (how many funder / programme
    / intervention keys have more than one figure) and others (breakdowns and
    multi-year totals, not added to the annual total)."""
    by_intervention = figures[figures["intervention_id"].notna()]
    envelope = figures[
        figures["programme"].str.contains("interventions", case=False)
        & figures["intervention_id"].isna()
        & figures["is_preferred"]
    ]
    keys = ["funder", "programme", "intervention_id"]
    sizes = (
        figures.assign(intervention_id=figures["intervention_id"].fillna(-1))
        .groupby(keys, dropna=False)
        .size()
    )
    chosen = figures[figures["is_preferred"] & figures["is_annual_total"]]
    return {
        "figures": figures,
        "chosen": chosen,
        "chosen_total": float(chosen["amount"].sum()),
        "funders": int(chosen["funder"].nunique()),
        "by_intervention": by_intervention,
        "intervention_total": float(
            by_intervention.loc[by_intervention["is_preferred"], "amount"].sum()
        ),
        "envelope": None if envelope.empty else float(envelope["amount"].iloc[0]),
        "disputed": int((sizes > 1).sum()),
        "others": int(
            (~figures["is_annual_total"] & figures["intervention_id"].isna()).sum()
        ),
    }


def force_view(*, scope: Scope, area: AreaInfo, financial_year: int) -> dict:
    """allocations (`allocation_view`, published: everyone signed in) and spend:
    None when the area's spend is outside the caller's access, else a dict of
    burn (outturn.money_forecast), and when it has spend: quarters
    (spend_by_quarter), events (annotations in the year), tiers (spend_by_tier,
    tiers with spend), by_area (spend_by_area) and by_area_total (its sum, the
    force area's spend), by_intervention
    (spend_by_intervention)."""
    figures = funding_allocations.allocations(
        area_code=area.code, financial_year=financial_year
    )
    view = {
        "year": year_view(financial_year),
        "allocations": allocation_view(figures),
        "spend": None,
    }
    try:
        view["spend"] = _force_spend(scope, area, financial_year)
    except AccessDenied:
        pass
    return view


def _force_spend(scope: Scope, area: AreaInfo, financial_year: int) -> dict:
    burn = outturn.money_forecast(
        scope=scope, area_code=area.code, financial_year=financial_year
    )
    spend: dict[str, Any] = {"burn": burn}
    if not burn["has_spend"]:
        return spend
    start, end = periods.fy_bounds(financial_year)
    by_area = spending.spend_by_area(
        scope=scope, area_code=area.code, financial_year=financial_year
    )
    tiers = tier_costs.spend_by_tier(
        scope=scope, area_code=area.code, financial_year=financial_year
    )
    spend.update(
        quarters=with_complete(
            spending.spend_by_quarter(
                scope=scope, area_code=area.code, financial_year=financial_year
            )
        ),
        events=annotations_for(scope, area.code, None, start, end),
        tiers=tiers[tiers["spend"].notna()],
        by_area=by_area,
        by_area_total=float(by_area["spend"].sum()),
        by_intervention=spending.spend_by_intervention(
            scope=scope, area_code=area.code, financial_year=financial_year
        ),
    )
    return spend


def lad_view(*, scope: Scope, lad: AreaInfo, financial_year: int) -> dict:
    """quarters (spend_by_quarter of the local authority; None when outside the
    caller's access), events and by_intervention (spend_by_intervention), the
    last two only when there is spend."""
    view: dict[str, Any] = {"year": year_view(financial_year), "quarters": None}
    try:
        quarters = spending.spend_by_quarter(
            scope=scope, area_code=lad.code, financial_year=financial_year
        )
    except AccessDenied:
        return view
    view["quarters"] = quarters = with_complete(quarters)
    if not quarters.empty:
        start, end = periods.fy_bounds(financial_year)
        view["events"] = annotations_for(scope, lad.code, None, start, end)
        view["by_intervention"] = spending.spend_by_intervention(
            scope=scope, area_code=lad.code, financial_year=financial_year
        )
    return view


def intervention_view(
    *, scope: Scope, area: AreaInfo, info: dict, financial_year: int
) -> dict:
    """figures (the published allocations to the intervention in the year) and
    quarters (intervention_quarters: its spend and reach by quarter), with
    spent and people (their totals) and cost (spend per young person, None
    without any)."""
    figures = funding_allocations.allocations(
        area_code=area.code, financial_year=financial_year
    )
    quarters = with_complete(
        spending.intervention_quarters(
            scope=scope,
            intervention_id=info["intervention_id"],
            financial_year=financial_year,
        )
    )
    spent = float(quarters["spend"].sum())
    people = int(quarters["young_people"].fillna(0).sum())
    return {
        "year": year_view(financial_year),
        "figures": figures[figures["intervention_id"] == info["intervention_id"]],
        "quarters": quarters,
        "spent": spent,
        "people": people,
        "cost": spent / people if people else None,
    }
