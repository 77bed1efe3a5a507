"""Spend: by quarter (the one quarterly reader, `quarter_spend`, from the
pre-aggregated spend_summary; `spend_by_quarter` is one year of it with the burn
against the allocation), by local authority, by intervention, and one
intervention's quarters.

Restricted: every function that returns spend takes `scope` and calls
`scope.require_area` (AccessDenied); the memoized inner functions take primitives.
A local authority's spend is the spend on interventions it delivers; the force
area's own ("force-wide") spend is the core unit (no intervention) plus
interventions delivered across the force area. The two add up to the force area.
Quarters 1-4 run April-June to January-March.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import aliased

from data_access import periods
from data_access.activity.intervention_activity import intervention_detail
from data_access.activity.intervention_facts import interventions_in
from data_access.activity.reach_rule import intervention_reach
from data_access.areas import get_area, list_areas
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.errors import InvalidParameter, NotFound
from data_access.models import (
    Area,
    Intervention,
    Source,
    Spend,
    SpendSummary,
)
from data_access.money import funding_allocations
from data_access.money.funded_interventions import get_intervention
from data_access.money.funding_allocations import _grant
from data_access.money.money_reads import (
    CORE_LABEL,
    CORE_TIER,
    FORCE_WIDE_LABEL,
    _check_year,
    _cost,
    _flag,
    _reach_keys,
    _spend_area,
    _spend_where,
    year_spend_rows,
)
from data_access.money.precedence import (
    FUNDER_HOME_OFFICE,
    PROGRAMME_VRU,
)
from data_access.scope import Scope

QUARTER_SPEND_COLUMNS = ["financial_year", "quarter", "amount", "illustrative"]


def quarter_spend(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Current spend per financial year and quarter of a force area (everything
    recorded against it, core unit included) or a local authority (the
    interventions it delivers), every year, oldest first; only quarters with spend.
    Restricted. Columns: QUARTER_SPEND_COLUMNS (amount in pounds)."""
    area = _spend_area(scope, area_code)
    return _quarter_spend(area.code, area.level)


@memoized
def _quarter_spend(area_code: str, level: str) -> pd.DataFrame:
    # The pre-aggregated spend_summary, kept current by every write in its own
    # transaction (activity.summaries): its size does not grow with the raw
    # spend rows. A local authority's spend is that of the interventions it
    # delivers (the core unit has no delivering area).
    by = SpendSummary.area_id if level == "pfa" else SpendSummary.delivering_area_id
    query = (
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
    )
    with read_connection() as connection:
        rows = connection.execute(query).all()
    years, quarters, amounts, flags = zip(*rows, strict=True) if rows else ([],) * 4
    # Each column made in its type at once (a missing flag, no illustrative
    # spend, as 0; a sum as float, PostgreSQL's Decimal too): a frame's four
    # astype conversions cost more than the read (issue 19: 1.2 -> 0.4 ms).
    return pd.DataFrame(
        {
            "financial_year": np.array(years, dtype=int),
            "quarter": np.array(quarters, dtype=int),
            "amount": np.array(amounts, dtype=float),
            "illustrative": np.array(
                [0 if flag is None else flag for flag in flags], dtype=bool
            ),
        },
        columns=QUARTER_SPEND_COLUMNS,
    )


def year_quarters(spend: pd.DataFrame, financial_year: int) -> list[float]:
    """Spend of Q1 up to the last quarter with spend in `financial_year`, from a
    `quarter_spend` frame; quarters with none are 0. Over the columns as plain
    lists: a frame filtered for a year of four rows cost more than the
    forecast's arithmetic (issue 19)."""
    amounts = {
        quarter: amount
        for year, quarter, amount in zip(
            spend["financial_year"].tolist(),
            spend["quarter"].tolist(),
            spend["amount"].tolist(),
            strict=True,
        )
        if year == financial_year
    }
    if not amounts:
        return []
    return [float(amounts.get(q, 0.0)) for q in range(1, int(max(amounts)) + 1)]


YEAR_MONEY_COLUMNS = [
    "financial_year",
    "period",
    "allocated",
    "precision",
    "amount_as_published",
    "allocation_source",
    "spent",
    "quarters_reported",
    "illustrative",
]


def vru_money_by_year(area_code: str) -> pd.DataFrame:
    """UNSCOPED: a force area's preferred annual Home Office VRU grant and its
    spend (everything recorded against it, the `quarter_spend` read) by financial
    year, every year with either, oldest first (YEAR_MONEY_COLUMNS;
    quarters_reported counts the quarters with spend). The one road for the
    area profile's money table (which checks the scope) and the public funding
    chart (money totals are published in full)."""
    grants = funding_allocations.grants(area_code)
    spend = _quarter_spend(area_code, "pfa")
    spent = spend.groupby("financial_year").agg(
        spent=("amount", "sum"),
        quarters=("quarter", "nunique"),
        illustrative=("illustrative", "any"),
    )
    rows = []
    for year in sorted(set(grants) | {int(y) for y in spent.index}):
        grant = grants.get(year, {})
        has_spend = year in spent.index
        rows.append(
            {
                "financial_year": year,
                "period": periods.fy_label(year),
                "allocated": grant.get("amount"),
                "precision": grant.get("precision"),
                "amount_as_published": grant.get("as_published"),
                "allocation_source": grant.get("source_title"),
                # pounds and pence, as the SQL sum of the raw rows gave
                "spent": round(float(spent.at[year, "spent"]), 2)
                if has_spend
                else None,
                "quarters_reported": int(spent.at[year, "quarters"])
                if has_spend
                else 0,
                "illustrative": bool(
                    grant.get("illustrative")
                    or (has_spend and spent.at[year, "illustrative"])
                ),
            }
        )
    return pd.DataFrame(rows, columns=YEAR_MONEY_COLUMNS)


QUARTER_COLUMNS = [
    "financial_year",
    "quarter",
    "period_label",
    "spend",
    "cumulative_spend",
    "allocation",
    "cumulative_share",
    "expected_share",
    "expected_spend",
    "illustrative",
]
AREA_SPEND_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "spend",
    "interventions",
    "illustrative",
]
INTERVENTION_SPEND_COLUMNS = [
    "intervention_id",
    "intervention",
    "tier",
    "delivering_area_code",
    "delivering_area_name",
    "allocation",
    "allocation_as_published",
    "allocation_precision",
    "spend",
    "young_people",
    "cost_per_young_person",
    "illustrative",
]


# ------------------------------------------------------------------------ spend


def spend_by_quarter(
    *,
    scope: Scope,
    area_code: str,
    financial_year: int,
    intervention_id: int | None = None,
) -> pd.DataFrame:
    """Spend per quarter of one financial year for a force area or local authority
    (or one of its interventions), with the burn against the allocation.

    Restricted. One row per quarter up to the last quarter with spend reported
    (earlier quarters with none are 0). `allocation` is the preferred Home Office
    VRU grant (NaN for a local authority or an intervention: none is published
    for them); `cumulative_share` = cumulative spend / allocation; the straight
    line expects `expected_share` = quarter / 4 of it by the end of each quarter
    (`expected_spend` in pounds). Columns: QUARTER_COLUMNS."""
    area = _spend_area(scope, area_code)
    year = _check_year(financial_year)
    if intervention_id is not None:
        info = get_intervention(scope=scope, intervention_id=intervention_id)
        if info["vru_area_code"] != (
            area.code if area.level == "pfa" else area.parent_code
        ):
            raise NotFound(
                f"intervention {intervention_id} is not one of {area.name}'s"
            )
        intervention_id = int(intervention_id)
    return _spend_by_quarter(area.code, area.level, year, intervention_id)


@memoized
def _spend_by_quarter(
    area_code: str, level: str, financial_year: int, intervention_id: int | None
) -> pd.DataFrame:
    allocation = math.nan
    if intervention_id is None:
        # The area's spend: the one quarterly reader (quarter_spend).
        spend = _quarter_spend(area_code, level)
        spend = spend[spend["financial_year"] == financial_year]
        rows = list(spend[["quarter", "amount", "illustrative"]].itertuples(False))
        grant = _grant(area_code, financial_year) if level == "pfa" else None
        if grant:
            allocation = grant["amount"]
    else:
        # One intervention's spend: the summary table does not keep interventions.
        area = get_area(area_code)
        with read_connection() as connection:
            rows = connection.execute(
                select(
                    Spend.quarter, func.sum(Spend.amount), _flag(Source.illustrative)
                )
                .join(Source, Source.id == Spend.source_id)
                .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
                .where(
                    Spend.financial_year == financial_year,
                    Spend.intervention_id == intervention_id,
                    *_spend_where(area, connection),
                )
                .group_by(Spend.quarter)
                .order_by(Spend.quarter)
            ).all()
    by_quarter = {int(q): (float(amount), bool(flag)) for q, amount, flag in rows}
    if not by_quarter:
        return pd.DataFrame(columns=QUARTER_COLUMNS)
    last = max(by_quarter)
    illustrative = any(flag for _, flag in by_quarter.values())
    records = []
    cumulative = 0.0
    for quarter in range(1, last + 1):
        spend = by_quarter.get(quarter, (0.0, False))[0]
        cumulative += spend
        start, _end = periods.quarter_bounds(financial_year, quarter)
        expected = quarter / 4
        records.append(
            {
                "financial_year": financial_year,
                "quarter": quarter,
                "period_label": periods.quarter_label(start),
                "spend": round(spend, 2),
                "cumulative_spend": round(cumulative, 2),
                "allocation": allocation,
                "cumulative_share": cumulative / allocation
                if allocation and not math.isnan(allocation)
                else math.nan,
                "expected_share": expected,
                "expected_spend": allocation * expected,
                "illustrative": illustrative,
            }
        )
    return pd.DataFrame(records, columns=QUARTER_COLUMNS)


def spend_by_area(*, scope: Scope, area_code: str, financial_year: int) -> pd.DataFrame:
    """A force area's spend split by where it is delivered: one row per local
    authority (all of them, NaN spend where none is recorded), then one
    force-wide row (level "pfa": the core team and force-wide interventions).
    The spend column adds up to the force area's total. Restricted.
    Columns: AREA_SPEND_COLUMNS (`interventions` counts those with spend)."""
    area = _spend_area(scope, area_code)
    if area.level != "pfa":
        raise InvalidParameter("area", "choose a force area to split by authority")
    return _spend_by_area(area.code, _check_year(financial_year))


@memoized
def _spend_by_area(area_code: str, financial_year: int) -> pd.DataFrame:
    force = aliased(Area)
    delivering = aliased(Area)
    where_code = func.coalesce(delivering.code, force.code)
    with read_connection() as connection:
        rows = connection.execute(
            select(
                where_code,
                func.sum(Spend.amount),
                func.count(func.distinct(Spend.intervention_id)),
                _flag(Source.illustrative),
            )
            .join(force, force.id == Spend.area_id)
            .join(Source, Source.id == Spend.source_id)
            .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
            .outerjoin(delivering, delivering.id == Intervention.delivering_area_id)
            .where(
                force.code == area_code,
                Spend.financial_year == financial_year,
                Spend.is_current,
            )
            .group_by(where_code)
        ).all()
    # The force area's local authorities, by name: the one area list.
    lads = list_areas(level="lad", parent_code=area_code)
    lads = list(zip(lads["code"], lads["name"], strict=True))
    spent = {code: (float(total), int(n), bool(flag)) for code, total, n, flag in rows}
    records = []
    for code, name in [*lads, (area_code, FORCE_WIDE_LABEL)]:
        total, n, flag = spent.get(code, (math.nan, 0, False))
        records.append(
            {
                "area_code": code,
                "area_name": name if code != area_code else FORCE_WIDE_LABEL,
                "level": "pfa" if code == area_code else "lad",
                "spend": total,
                "interventions": n,
                "illustrative": flag,
            }
        )
    return pd.DataFrame(records, columns=AREA_SPEND_COLUMNS)


def spend_by_intervention(
    *, scope: Scope, area_code: str, financial_year: int
) -> pd.DataFrame:
    """Spend, published allocation and reach per intervention in one year, for a
    force area (with a first row for the core team, intervention_id NA) or a local
    authority. Interventions with an allocation, spend or reach that year appear.
    Restricted. Columns: INTERVENTION_SPEND_COLUMNS (`young_people`: young people
    supported, all ages, summed over the quarters; `cost_per_young_person` = spend
    / young_people, NaN where either is missing or zero; see REACH_CAVEAT)."""
    area = _spend_area(scope, area_code)
    return _spend_by_intervention(area.code, area.level, _check_year(financial_year))


@memoized
def _spend_by_intervention(
    area_code: str, level: str, financial_year: int
) -> pd.DataFrame:
    area = get_area(area_code)
    reach = intervention_reach(*_reach_keys(area, financial_year))
    spend_rows = year_spend_rows(area, financial_year, Spend.intervention_id)
    # Names, tiers and where delivered: the one intervention read
    # (activity.intervention_facts), in its order (tier, then name).
    facts = interventions_in(area_code)
    # Each of those interventions' published allocation that year: the
    # preferred Home Office VRU figure of the force area's allocations table
    # on /funding (the same read when the page shows both).
    vru_code = area_code if level == "pfa" else area.parent_code
    figures = funding_allocations.allocations(
        area_code=vru_code, financial_year=financial_year
    )
    figures = figures[
        figures["is_preferred"]
        & (figures["funder"] == FUNDER_HOME_OFFICE)
        & (figures["programme"] == PROGRAMME_VRU)
        & figures["intervention_id"].isin(facts["intervention_id"])
    ]
    alloc = {
        int(f.intervention_id): (float(f.amount), f.amount_as_published, f.precision)
        for f in figures.itertuples()
    }
    ids = {r[0] for r in spend_rows if r[0] is not None} | set(reach) | set(alloc)
    facts = facts[facts["intervention_id"].isin(ids)]
    meta = {
        int(f.intervention_id): (
            f.name,
            f.tier,
            f.delivering_code,
            f.delivering_name,
            bool(f.illustrative),
        )
        for f in facts.itertuples()
    }
    spend = {r[0]: (float(r[1]), bool(r[2])) for r in spend_rows}
    records = []
    if None in spend:
        amount, flag = spend[None]
        records.append(
            {
                "intervention_id": pd.NA,
                "intervention": CORE_LABEL,
                "tier": CORE_TIER,
                "delivering_area_code": area_code,
                "delivering_area_name": area.name,
                "allocation": math.nan,
                "allocation_as_published": None,
                "allocation_precision": None,
                "spend": amount,
                "young_people": pd.NA,
                "cost_per_young_person": math.nan,
                "illustrative": flag,
            }
        )
    for iid, (name, tier, d_code, d_name, i_flag) in meta.items():
        amount, s_flag = spend.get(iid, (math.nan, False))
        people, r_flag = reach.get(iid, (None, False))
        allocation, as_published, precision = alloc.get(iid, (math.nan, None, None))
        records.append(
            {
                "intervention_id": iid,
                "intervention": name,
                "tier": tier,
                "delivering_area_code": d_code,
                "delivering_area_name": d_name,
                "allocation": allocation,
                "allocation_as_published": as_published,
                "allocation_precision": precision,
                "spend": amount,
                "young_people": pd.NA if people is None else people,
                "cost_per_young_person": _cost(amount, people),
                "illustrative": bool(s_flag or r_flag or i_flag),
            }
        )
    frame = pd.DataFrame(records, columns=INTERVENTION_SPEND_COLUMNS)
    frame["intervention_id"] = frame["intervention_id"].astype("Int64")
    frame["young_people"] = frame["young_people"].astype("Int64")
    return frame


def intervention_quarters(
    *, scope: Scope, intervention_id: int, financial_year: int
) -> pd.DataFrame:
    """One intervention's spend and young people supported per quarter of a year
    (quarters with either), from /prevention's reading of the intervention
    (activity.intervention_detail: the same quarters, spend and reach).

    Restricted. Columns: financial_year, quarter, period_label, spend,
    young_people, cost_per_young_person, illustrative."""
    info = get_intervention(scope=scope, intervention_id=intervention_id)
    year = _check_year(financial_year)
    start, end = periods.fy_bounds(year)
    quarters = intervention_detail(
        scope=scope, intervention_id=int(info["intervention_id"]), start=start, end=end
    )["quarters"]
    quarters = quarters[
        quarters["spend"].notna() | quarters["young_people_supported"].notna()
    ]
    frame = pd.DataFrame(
        {
            "financial_year": year,
            "quarter": [periods.quarter_of(d) for d in quarters["period_start"]],
            "period_label": quarters["period"].tolist(),
            "spend": quarters["spend"].astype(float).tolist(),
            "young_people": quarters["young_people_supported"].tolist(),
            "cost_per_young_person": [
                _cost(amount, None if pd.isna(people) else int(people))
                for amount, people in zip(
                    quarters["spend"], quarters["young_people_supported"], strict=True
                )
            ],
            "illustrative": quarters["illustrative"].astype(bool).tolist(),
        },
        columns=INTERVENTION_QUARTER_COLUMNS,
    )
    frame["young_people"] = frame["young_people"].astype("Int64")
    return frame.reset_index(drop=True)


INTERVENTION_QUARTER_COLUMNS = [
    "financial_year",
    "quarter",
    "period_label",
    "spend",
    "young_people",
    "cost_per_young_person",
    "illustrative",
]
