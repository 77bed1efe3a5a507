"""Activity by prevention tier: outputs and spend per tier (`tier_summary`, from
the summary tables; its outputs are the reach rule's, reach_rule.tier_outputs)
and the VRU's plan by tier (`tier_plan`). Restricted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    Integer,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)

from data_access import periods
from data_access.activity.activity_filters import (
    TIER_LABELS,
    _illustrative_flag,
    _interventions_where,
    _lad,
    _money,
    _spend_summary_where,
    _summary_flag,
    _vru_area,
    bound,
    checked_where,
    output_column,
)
from data_access.activity.reach_rule import tier_outputs
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.models import (
    OUTPUT_TYPES,
    TIERS,
    FundingAllocation,
    Intervention,
    Source,
    SpendSummary,
)
from data_access.scope import Scope

TIER_SUMMARY_COLUMNS = [
    "tier",
    "tier_label",
    "interventions",
    "young_people_supported",
    "young_people_under25",
    "referrals",
    "sessions",
    "completions",
    "staff_trained",
    "spend",
    "spend_share",
    "planned",
    "planned_share",
    "illustrative",
]
PLAN_COLUMNS = [
    "tier",
    "financial_year",
    "year_label",
    "planned",
    "interventions",
    "source_title",
    "illustrative",
]


# ------------------------------------------------------------------- tier summary


def tier_summary(
    *,
    scope: Scope,
    area_code: str,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Outputs, interventions, spend and plan by prevention tier (module docstring)."""
    where = checked_where(scope, area_code, lad_code, start, end)
    return _tier_summary(*where).copy()


def _tier_summary_query(area_code, lad_code, first, last):
    """The tier summary's own reads in one statement (module docstring): rows
    of (part, tier, number, amount, illustrative), part 0 the interventions
    counted by tier, 1 the spend summed by tier (its outputs are the reach
    rule's: reach_rule.tier_outputs). The first branch's NULLs are cast:
    PostgreSQL types a UNION's columns from its branches left to right."""
    count_q = _interventions_where(
        select(
            literal_column("0"),
            Intervention.tier,
            func.count(Intervention.id),
            cast(null(), SpendSummary.amount.type),
            cast(null(), Integer),
        ),
        area_code,
        lad_code,
    ).group_by(Intervention.tier)
    spend_q = _spend_summary_where(
        select(
            literal_column("1"),
            SpendSummary.tier,
            null(),
            func.sum(SpendSummary.amount),
            _summary_flag(SpendSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
        outer=False,
    ).group_by(SpendSummary.tier)
    return union_all(count_q, spend_q)


@memoized
def _tier_summary(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> pd.DataFrame:
    statement, params = bound(_tier_summary_query, area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    counts = {tier: n for part, tier, n, _s, _i in rows if part == 0}
    spend = [(tier, s, i) for part, tier, _n, s, i in rows if part == 1]
    outputs = tier_outputs(area_code, lad_code, first, last)
    plan = _tier_plan(area_code, lad_code)
    if first is not None or last is not None:
        years = plan["financial_year"]
        keep = pd.Series(True, index=plan.index)
        if first is not None:
            keep &= years >= first // 10
        if last is not None:
            keep &= years <= last // 10
        plan = plan[keep]

    rows = {
        tier: {
            "tier": tier,
            "tier_label": TIER_LABELS[tier],
            "interventions": int(counts.get(tier, 0)),
            **{name: 0 for name in OUTPUT_TYPES},
            "young_people_under25": 0,
            "spend": 0.0,
            "illustrative": False,
        }
        for tier in TIERS
    }
    for (tier, output_type, age_band), (total, illustrative) in outputs.items():
        column = output_column(output_type, age_band)
        if column is None:
            continue
        rows[tier][column] += total
        rows[tier]["illustrative"] |= illustrative
    for tier, total, illustrative in spend:
        rows[tier]["spend"] = _money(total)
        rows[tier]["illustrative"] |= bool(illustrative)
    frame = pd.DataFrame(list(rows.values()))
    total_spend = frame["spend"].sum()
    frame["spend_share"] = frame["spend"] / total_spend if total_spend else float("nan")
    planned = plan.groupby("tier")["planned"].sum() if not plan.empty else pd.Series()
    frame["planned"] = [
        float(planned[t]) if t in planned.index else float("nan") for t in TIERS
    ]
    if not plan.empty:
        frame["planned"] = frame["planned"].fillna(0.0)
        frame["illustrative"] |= bool(plan["illustrative"].any())
    total_plan = frame["planned"].sum()
    frame["planned_share"] = (
        frame["planned"] / total_plan if total_plan else float("nan")
    )
    return frame[TIER_SUMMARY_COLUMNS]


def tier_plan(
    *, scope: Scope, area_code: str, lad_code: str | None = None
) -> pd.DataFrame:
    """The VRU's recorded plan by tier and financial year (PLAN_COLUMNS); empty when
    no allocation to interventions is recorded."""
    area = _vru_area(scope, area_code)
    return _tier_plan(area.code, _lad(area, lad_code)).copy()


def _tier_plan_query(area_code, lad_code, _first, _last):
    query = _interventions_where(
        select(
            Intervention.tier,
            FundingAllocation.financial_year,
            func.sum(FundingAllocation.amount),
            func.count(func.distinct(FundingAllocation.intervention_id)),
            func.min(Source.title),
            _illustrative_flag(),
        )
        .join(Intervention, Intervention.id == FundingAllocation.intervention_id)
        .join(Source, Source.id == FundingAllocation.source_id),
        area_code,
        lad_code,
    )
    return (
        query.where(FundingAllocation.is_preferred)
        .group_by(Intervention.tier, FundingAllocation.financial_year)
        .order_by(FundingAllocation.financial_year, Intervention.tier)
    )


@memoized
def _tier_plan(area_code: str, lad_code: str | None) -> pd.DataFrame:
    statement, params = bound(_tier_plan_query, area_code, lad_code, None, None)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    frame = pd.DataFrame(
        [
            {
                "tier": tier,
                "financial_year": int(year),
                "year_label": periods.fy_label(int(year)),
                "planned": _money(amount),
                "interventions": int(n),
                "source_title": title,
                "illustrative": bool(illustrative),
            }
            for tier, year, amount, n, title, illustrative in rows
        ],
        columns=PLAN_COLUMNS,
    )
    return frame
