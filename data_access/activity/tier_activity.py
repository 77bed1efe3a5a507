"""Activity by prevention tier: outputs and spend per tier (`tier_summary`, from
the summary tables; its outputs are the reach rule's, reach_rule.tier_outputs)
and the VRU's plan by tier (`tier_plan`). Restricted.
"""

from __future__ import annotations

import datetime as dt
import math

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
    return summary_frame(*checked_where(scope, area_code, lad_code, start, end))


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
def _tier_counts_and_spend(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> tuple[dict[str, int], list[tuple[str, float, bool]]]:
    """({tier: interventions}, [(tier, spend, illustrative)]) from one read.
    Plain values, not a frame: cheap for the shared cache to pickle and for
    the request memo to copy; summary_frame makes the one frame."""
    statement, params = bound(_tier_summary_query, area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    counts = {tier: int(n) for part, tier, n, _s, _i in rows if part == 0}
    spend = [(tier, _money(s), bool(i)) for part, tier, _n, s, i in rows if part == 1]
    return counts, spend


def summary_frame(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    outputs: dict | None = None,
) -> pd.DataFrame:
    """UNSCOPED: tier_summary's TIER_SUMMARY_COLUMNS for arguments already
    checked (activity_filters.checked_where); `outputs`: their tier_outputs
    when the caller has them (reach_rule.tier_totals). Summed in plain Python
    over a handful of values and made a frame once: a frame per step cost more
    than the reads."""
    rows = _summary_rows(area_code, lad_code, first, last, outputs)
    return pd.DataFrame(rows, columns=TIER_SUMMARY_COLUMNS)


def summary_columns(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    outputs: dict | None = None,
) -> dict[str, list]:
    """UNSCOPED: `summary_frame`'s columns as plain lists (name: one value
    per tier), for a caller that reads them one by one (/prevention's
    area_view): the same rows, without the frame, which cost more to make
    and take apart again than the rest of the summary."""
    rows = _summary_rows(area_code, lad_code, first, last, outputs)
    return {name: [row[name] for row in rows] for name in TIER_SUMMARY_COLUMNS}


def _summary_rows(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    outputs: dict | None,
) -> list[dict]:
    """The tier summary as one dict of TIER_SUMMARY_COLUMNS per tier, in
    TIERS order (summary_frame's and summary_columns' one computation)."""
    counts, spend = _tier_counts_and_spend(area_code, lad_code, first, last)
    if outputs is None:
        outputs = tier_outputs(area_code, lad_code, first, last)
    plan = [
        row
        for row in _tier_plan_rows(area_code, lad_code)
        if (first is None or row[1] >= first // 10)
        and (last is None or row[1] <= last // 10)
    ]
    rows = {
        tier: {
            "tier": tier,
            "tier_label": TIER_LABELS[tier],
            "interventions": counts.get(tier, 0),
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
        rows[tier]["spend"] = total
        rows[tier]["illustrative"] |= illustrative
    nan = float("nan")
    # Summed in the order pandas summed them (tiers in TIERS order), so the
    # shares are the same to the last bit.
    total_spend = sum(row["spend"] for row in rows.values())
    planned = {}
    for tier, _year, _label, amount, _n, _title, _illustrative in plan:
        planned.setdefault(tier, []).append(amount)
    plan_illustrative = any(row[6] for row in plan)
    for tier, row in rows.items():
        row["spend_share"] = row["spend"] / total_spend if total_spend else nan
        if plan:
            row["planned"] = math.fsum(planned.get(tier, [0.0]))
            row["illustrative"] |= plan_illustrative
        else:
            row["planned"] = nan
    total_plan = sum(row["planned"] for row in rows.values()) if plan else 0.0
    for row in rows.values():
        row["planned_share"] = row["planned"] / total_plan if total_plan else nan
    return list(rows.values())


def tier_plan(
    *, scope: Scope, area_code: str, lad_code: str | None = None
) -> pd.DataFrame:
    """The VRU's recorded plan by tier and financial year (PLAN_COLUMNS); empty when
    no allocation to interventions is recorded."""
    area = _vru_area(scope, area_code)
    return plan_frame(area.code, _lad(area, lad_code))


def plan_frame(area_code: str, lad_code: str | None) -> pd.DataFrame:
    """UNSCOPED: tier_plan for arguments already checked."""
    return plan_frame_of(_tier_plan_rows(area_code, lad_code))


def plan_rows(area_code: str, lad_code: str | None) -> list[tuple]:
    """UNSCOPED: `plan_frame`'s rows as PLAN_COLUMNS tuples (empty when no
    plan is recorded), for a caller that may not need the frame."""
    return _tier_plan_rows(area_code, lad_code)


def plan_frame_of(rows: list[tuple]) -> pd.DataFrame:
    """`plan_frame` of `plan_rows`' rows."""
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


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
def _tier_plan_rows(area_code: str, lad_code: str | None) -> list[tuple]:
    """The plan as PLAN_COLUMNS tuples, financial year then tier (plain
    values: see _tier_counts_and_spend)."""
    statement, params = bound(_tier_plan_query, area_code, lad_code, None, None)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    return [
        (
            tier,
            int(year),
            periods.fy_label(int(year)),
            _money(amount),
            int(n),
            title,
            bool(illustrative),
        )
        for tier, year, amount, n, title, illustrative in rows
    ]
