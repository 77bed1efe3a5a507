"""Money for the funding page: published allocations, spend and cost per young
person reached. The burn rate and forecast outturn are money.money_forecast.

Access
- Allocations are published figures: readable by anyone signed in (no scope).
- Spend, interventions, outputs and cost per person are restricted: every function
  that returns them takes `scope` and calls `scope.require_area` (AccessDenied).
  Scope checks sit outside the memoized inner functions, whose arguments are
  primitives (codes, years, ids) so they can be cached.

Conventions
- `financial_year` is the first calendar year (2019 means 2019/20); quarters 1-4
  run April-June to January-March.
- The allocation that spend is measured against (burn rate, forecast, underspend)
  is the area's preferred annual Home Office VRU grant: the grant whose unspent
  part is repaid after 31 March. Other funders and programmes are shown, not burnt.
- A local authority's spend is the spend on interventions it delivers; the force
  area's own ("force-wide") spend is the core unit (no intervention) plus
  interventions delivered across the force area. The two add up to the force area.
- Money comes back as float pounds; missing values are NaN (None in dicts).

Public names
- PRECISION_WORDS, REACH_CAVEAT, CORE_LABEL, FORCE_WIDE_LABEL
- allocations(*, area_code=None, financial_year=None) -> ALLOCATION_COLUMNS
- national_summary(*, financial_year) -> NATIONAL_COLUMNS
- financial_years(*, area_code=None) -> list[int]
- interventions(*, scope, area_code) -> INTERVENTION_COLUMNS
- get_intervention(*, scope, intervention_id) -> dict
- spend_by_quarter(*, scope, area_code, financial_year, intervention_id=None)
  -> QUARTER_COLUMNS
- spend_by_area(*, scope, area_code, financial_year) -> AREA_SPEND_COLUMNS
- spend_by_intervention(*, scope, area_code, financial_year)
  -> INTERVENTION_SPEND_COLUMNS
- spend_by_tier(*, scope, area_code, financial_year) -> TIER_COLUMNS
- cost_per_young_person(*, scope, area_code, financial_year, by="intervention")
  -> COST_COLUMNS
- intervention_quarters(*, scope, intervention_id, financial_year) -> frame

This module never imports dash.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from data_access import periods
from data_access.areas import AreaInfo, get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import InvalidParameter, NotFound
from data_access.funding import (
    BREAKDOWN_PREFIX,
    FUNDER_HOME_OFFICE,
    MULTI_YEAR_MARKERS,
    PROGRAMME_VRU,
    is_annual_total,
)
from data_access.models import (
    TIERS,
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    Source,
    Spend,
    Workstream,
)
from data_access.money import (
    PRECISION_WORDS,
    _grant,
    _quarter_spend,
    vru_grant_filter,
)
from data_access.scope import Scope

REACH_CAVEAT = (
    "Young people supported are counts reported by each intervention each quarter. "
    "The same young person may be counted by several interventions or in several "
    "quarters, so these are not counts of unique individuals, and cost per young "
    "person is a cost per contact-episode, not per individual."
)

CORE_LABEL = "Core VRU team (not an intervention)"
FORCE_WIDE_LABEL = "Force-wide: core team and force-wide interventions"
CORE_TIER = "core"

ALLOCATION_COLUMNS = [
    "allocation_id",
    "area_code",
    "area_name",
    "area_level",
    "financial_year",
    "fy_label",
    "funder",
    "programme",
    "intervention_id",
    "intervention",
    "amount",
    "amount_as_published",
    "precision",
    "precision_words",
    "is_preferred",
    "is_annual_total",
    "source_title",
    "source_publisher",
    "source_url",
    "illustrative",
    "note",
]
NATIONAL_COLUMNS = [
    "area_code",
    "area_name",
    "financial_year",
    "fy_label",
    "vru_allocation",
    "amount_as_published",
    "precision",
    "precision_words",
    "source_title",
    "illustrative",
    "figures_published",
    "all_funders_total",
]
INTERVENTION_COLUMNS = [
    "intervention_id",
    "intervention",
    "tier",
    "delivering_area_code",
    "delivering_area_name",
    "illustrative",
]
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


def _annual_programme_filter():
    """SQL twin of funding.is_annual_total: an area's whole annual amount."""
    return and_(
        FundingAllocation.intervention_id.is_(None),
        ~FundingAllocation.programme.startswith(BREAKDOWN_PREFIX),
        *[~FundingAllocation.programme.contains(m) for m in MULTI_YEAR_MARKERS],
    )


def _spend_where(area: AreaInfo, session) -> list:
    """WHERE clauses on Spend (joined to Intervention) for a force area or LAD."""
    area_id = session.scalar(select(Area.id).where(Area.code == area.code))
    if area.level == "pfa":
        return [Spend.area_id == area_id, Spend.is_current]
    return [Intervention.delivering_area_id == area_id, Spend.is_current]


# ------------------------------------------------------------------ allocations


def allocations(
    *, area_code: str | None = None, financial_year: int | None = None
) -> pd.DataFrame:
    """Every published (and illustrative) allocation figure, preferred or not.

    Filtered to one area (its own rows only; NotFound for an unknown code) and/or
    one financial year. Ordered by area, year, funder, programme, intervention,
    then the preferred figure first. Columns: ALLOCATION_COLUMNS (`amount` in
    pounds; `precision_words` as the page says it; `is_annual_total` False for a
    share allocated to an intervention, a published breakdown or a multi-year
    total, so sums never double count)."""
    if area_code is not None:
        get_area(area_code)
    if financial_year is not None:
        _check_year(financial_year)
    return _allocations(area_code, financial_year)


@memoized
def _allocations(area_code: str | None, financial_year: int | None) -> pd.DataFrame:
    query = (
        select(
            FundingAllocation.id,
            Area.code,
            Area.name,
            Area.level,
            FundingAllocation.financial_year,
            FundingAllocation.funder,
            FundingAllocation.programme,
            FundingAllocation.intervention_id,
            Intervention.name,
            FundingAllocation.amount,
            FundingAllocation.amount_as_published,
            FundingAllocation.precision,
            FundingAllocation.is_preferred,
            Source.title,
            Source.publisher,
            Source.url,
            Source.illustrative,
            FundingAllocation.note,
        )
        .join(Area, Area.id == FundingAllocation.area_id)
        .join(Source, Source.id == FundingAllocation.source_id)
        .outerjoin(Intervention, Intervention.id == FundingAllocation.intervention_id)
        .order_by(
            Area.name,
            FundingAllocation.financial_year,
            FundingAllocation.funder,
            FundingAllocation.programme,
            func.coalesce(Intervention.name, ""),
            FundingAllocation.is_preferred.desc(),
            Source.precedence,
            FundingAllocation.id,
        )
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    if financial_year is not None:
        query = query.where(FundingAllocation.financial_year == financial_year)
    with session_scope() as session:
        rows = session.execute(query).all()
    records = []
    for r in rows:
        records.append(
            {
                "allocation_id": r[0],
                "area_code": r[1],
                "area_name": r[2],
                "area_level": r[3],
                "financial_year": int(r[4]),
                "fy_label": periods.fy_label(int(r[4])),
                "funder": r[5],
                "programme": r[6],
                "intervention_id": r[7],
                "intervention": r[8],
                "amount": _float(r[9]),
                "amount_as_published": r[10],
                "precision": r[11],
                "precision_words": PRECISION_WORDS.get(r[11], r[11]),
                "is_preferred": bool(r[12]),
                "is_annual_total": is_annual_total(r[6], r[7]),
                "source_title": r[13],
                "source_publisher": r[14],
                "source_url": r[15],
                "illustrative": bool(r[16]),
                "note": r[17],
            }
        )
    frame = pd.DataFrame(records, columns=ALLOCATION_COLUMNS)
    frame["intervention_id"] = frame["intervention_id"].astype("Int64")
    return frame


def national_summary(*, financial_year: int) -> pd.DataFrame:
    """The England and Wales level: one row per force area with a preferred annual
    Home Office VRU grant in `financial_year`, largest first.

    Columns: NATIONAL_COLUMNS. `vru_allocation` is the preferred figure;
    `figures_published` counts every figure stored for that grant (all sources);
    `all_funders_total` adds the preferred annual totals of every funder and
    programme (Grip, Serious Violence Duty, PCC and local contributions)."""
    return _national_summary(_check_year(financial_year))


@memoized
def _national_summary(financial_year: int) -> pd.DataFrame:
    figures = (
        select(
            FundingAllocation.area_id.label("area_id"),
            func.count().label("n"),
        )
        .where(
            FundingAllocation.financial_year == financial_year,
            FundingAllocation.funder == FUNDER_HOME_OFFICE,
            FundingAllocation.programme == PROGRAMME_VRU,
            FundingAllocation.intervention_id.is_(None),
        )
        .group_by(FundingAllocation.area_id)
        .subquery()
    )
    totals = (
        select(
            FundingAllocation.area_id.label("area_id"),
            func.sum(FundingAllocation.amount).label("total"),
        )
        .where(
            FundingAllocation.financial_year == financial_year,
            FundingAllocation.is_preferred,
            _annual_programme_filter(),
        )
        .group_by(FundingAllocation.area_id)
        .subquery()
    )
    query = (
        select(
            Area.code,
            Area.name,
            FundingAllocation.amount,
            FundingAllocation.amount_as_published,
            FundingAllocation.precision,
            Source.title,
            Source.illustrative,
            figures.c.n,
            totals.c.total,
        )
        .join(Area, Area.id == FundingAllocation.area_id)
        .join(Source, Source.id == FundingAllocation.source_id)
        .join(figures, figures.c.area_id == FundingAllocation.area_id)
        .join(totals, totals.c.area_id == FundingAllocation.area_id)
        .where(
            FundingAllocation.financial_year == financial_year,
            Area.level == "pfa",
            vru_grant_filter(),
        )
        .order_by(FundingAllocation.amount.desc(), Area.name)
    )
    with session_scope() as session:
        rows = session.execute(query).all()
    records = [
        {
            "area_code": r[0],
            "area_name": r[1],
            "financial_year": financial_year,
            "fy_label": periods.fy_label(financial_year),
            "vru_allocation": _float(r[2]),
            "amount_as_published": r[3],
            "precision": r[4],
            "precision_words": PRECISION_WORDS.get(r[4], r[4]),
            "source_title": r[5],
            "illustrative": bool(r[6]),
            "figures_published": int(r[7]),
            "all_funders_total": _float(r[8]),
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=NATIONAL_COLUMNS)


def financial_years(*, area_code: str | None = None) -> list[int]:
    """Financial years with any allocation (for the area, or anywhere), ascending."""
    if area_code is not None:
        get_area(area_code)
    return _financial_years(area_code)


@memoized
def _financial_years(area_code: str | None) -> list[int]:
    query = select(FundingAllocation.financial_year).distinct()
    if area_code is not None:
        query = query.join(Area, Area.id == FundingAllocation.area_id).where(
            Area.code == area_code
        )
    with session_scope() as session:
        return sorted(int(y) for y in session.scalars(query))


# --------------------------------------------------------------- interventions


def interventions(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Interventions of a force area (or delivered in a local authority), by tier
    then name. Restricted. Columns: INTERVENTION_COLUMNS."""
    area = _spend_area(scope, area_code)
    return _interventions(area.code, area.level)


@memoized
def _interventions(area_code: str, level: str) -> pd.DataFrame:
    vru = aliased(Area)
    delivering = aliased(Area)
    tier_rank = case(*[(Intervention.tier == t, i) for i, t in enumerate(TIERS)])
    query = (
        select(
            Intervention.id,
            Intervention.name,
            Intervention.tier,
            delivering.code,
            delivering.name,
            Source.illustrative,
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .order_by(tier_rank, Intervention.name)
    )
    if level == "pfa":
        query = query.where(vru.code == area_code)
    else:
        query = query.where(delivering.code == area_code)
    with session_scope() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=INTERVENTION_COLUMNS)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


def get_intervention(*, scope: Scope, intervention_id: int) -> dict:
    """One intervention (restricted). NotFound for an unknown id; AccessDenied when
    its force area is outside the scope.

    Keys: intervention_id, name, tier, vru_area_code, vru_area_name,
    delivering_area_code, delivering_area_name, delivering_level, provider,
    description, start_date, end_date, evidence_rating, workstream, source_title,
    illustrative."""
    info = _intervention(int(intervention_id))
    if info is None:
        raise NotFound(f"no intervention has the id {intervention_id}")
    scope.require_area(info["vru_area_code"])
    return info


@memoized
def _intervention(intervention_id: int) -> dict | None:
    vru = aliased(Area)
    delivering = aliased(Area)
    with session_scope() as session:
        row = session.execute(
            select(
                Intervention.id,
                Intervention.name,
                Intervention.tier,
                vru.code,
                vru.name,
                delivering.code,
                delivering.name,
                delivering.level,
                Intervention.provider,
                Intervention.description,
                Intervention.start_date,
                Intervention.end_date,
                Intervention.evidence_rating,
                Workstream.name,
                Source.title,
                Source.illustrative,
            )
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == Intervention.source_id)
            .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
            .where(Intervention.id == intervention_id)
        ).first()
    if row is None:
        return None
    keys = [
        "intervention_id",
        "name",
        "tier",
        "vru_area_code",
        "vru_area_name",
        "delivering_area_code",
        "delivering_area_name",
        "delivering_level",
        "provider",
        "description",
        "start_date",
        "end_date",
        "evidence_rating",
        "workstream",
        "source_title",
        "illustrative",
    ]
    info = dict(zip(keys, row, strict=True))
    info["illustrative"] = bool(info["illustrative"])
    return info


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
        # The area's spend: the one quarterly reader (money.quarter_spend).
        spend = _quarter_spend(area_code, level)
        spend = spend[spend["financial_year"] == financial_year]
        rows = list(spend[["quarter", "amount", "illustrative"]].itertuples(False))
        grant = _grant(area_code, financial_year) if level == "pfa" else None
        if grant:
            allocation = grant["amount"]
    else:
        # One intervention's spend: the summary table does not keep interventions.
        area = get_area(area_code)
        with session_scope() as session:
            rows = session.execute(
                select(
                    Spend.quarter, func.sum(Spend.amount), _flag(Source.illustrative)
                )
                .join(Source, Source.id == Spend.source_id)
                .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
                .where(
                    Spend.financial_year == financial_year,
                    Spend.intervention_id == intervention_id,
                    *_spend_where(area, session),
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
    with session_scope() as session:
        rows = session.execute(
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
        lads = session.execute(
            select(Area.code, Area.name)
            .join(force, force.id == Area.parent_id)
            .where(force.code == area_code, Area.level == "lad")
            .order_by(Area.name)
        ).all()
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
    start, end = periods.fy_bounds(financial_year)
    vru = aliased(Area)
    delivering = aliased(Area)
    where_area = (
        vru.code == area_code if level == "pfa" else delivering.code == area_code
    )
    with session_scope() as session:
        spend_rows = session.execute(
            select(
                Spend.intervention_id,
                func.sum(Spend.amount),
                _flag(Source.illustrative),
            )
            .join(Source, Source.id == Spend.source_id)
            .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
            .where(Spend.financial_year == financial_year, *_spend_where(area, session))
            .group_by(Spend.intervention_id)
        ).all()
        reach_rows = session.execute(
            select(
                InterventionOutput.intervention_id,
                func.sum(InterventionOutput.value),
                _flag(Source.illustrative),
            )
            .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == InterventionOutput.source_id)
            .where(
                where_area,
                InterventionOutput.is_current,
                InterventionOutput.output_type == "young_people_supported",
                InterventionOutput.age_band == "all",
                InterventionOutput.period_start >= start,
                InterventionOutput.period_start <= end,
            )
            .group_by(InterventionOutput.intervention_id)
        ).all()
        alloc_rows = session.execute(
            select(
                FundingAllocation.intervention_id,
                FundingAllocation.amount,
                FundingAllocation.amount_as_published,
                FundingAllocation.precision,
            )
            .join(Intervention, Intervention.id == FundingAllocation.intervention_id)
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .where(
                where_area,
                FundingAllocation.financial_year == financial_year,
                FundingAllocation.is_preferred,
                FundingAllocation.funder == FUNDER_HOME_OFFICE,
                FundingAllocation.programme == PROGRAMME_VRU,
            )
        ).all()
        ids = {r[0] for r in spend_rows if r[0] is not None}
        ids |= {r[0] for r in reach_rows} | {r[0] for r in alloc_rows}
        meta = {}
        if ids:
            tier_rank = case(
                *[(Intervention.tier == t, i) for i, t in enumerate(TIERS)]
            )
            for row in session.execute(
                select(
                    Intervention.id,
                    Intervention.name,
                    Intervention.tier,
                    delivering.code,
                    delivering.name,
                    Source.illustrative,
                )
                .join(delivering, delivering.id == Intervention.delivering_area_id)
                .join(Source, Source.id == Intervention.source_id)
                .where(Intervention.id.in_(sorted(ids)))
                .order_by(tier_rank, Intervention.name)
            ):
                meta[row[0]] = row
    spend = {r[0]: (float(r[1]), bool(r[2])) for r in spend_rows}
    reach = {r[0]: (int(r[1]), bool(r[2])) for r in reach_rows}
    alloc = {r[0]: (float(r[1]), r[2], r[3]) for r in alloc_rows}
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
    for iid, (_id, name, tier, d_code, d_name, i_flag) in meta.items():
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


def _cost(spend: float | None, people: int | None) -> float:
    if spend is None or people is None or people <= 0 or math.isnan(spend):
        return math.nan
    return spend / people


def spend_by_tier(*, scope: Scope, area_code: str, financial_year: int) -> pd.DataFrame:
    """Spend and reach per prevention tier (primary, secondary, tertiary, then
    "core" for the core team) in one year. Restricted. Columns: TIER_COLUMNS
    (`cost_per_young_person` = tier spend / tier young people; REACH_CAVEAT)."""
    area = _spend_area(scope, area_code)
    return _spend_by_tier(area.code, area.level, _check_year(financial_year))


@memoized
def _spend_by_tier(area_code: str, level: str, financial_year: int) -> pd.DataFrame:
    area = get_area(area_code)
    start, end = periods.fy_bounds(financial_year)
    vru = aliased(Area)
    delivering = aliased(Area)
    tier = func.coalesce(Intervention.tier, CORE_TIER)
    where_area = (
        vru.code == area_code if level == "pfa" else delivering.code == area_code
    )
    with session_scope() as session:
        spend_rows = session.execute(
            select(
                tier,
                func.sum(Spend.amount),
                func.count(func.distinct(Spend.intervention_id)),
                _flag(Source.illustrative),
            )
            .join(Source, Source.id == Spend.source_id)
            .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
            .where(Spend.financial_year == financial_year, *_spend_where(area, session))
            .group_by(tier)
        ).all()
        reach_rows = session.execute(
            select(
                Intervention.tier,
                func.sum(InterventionOutput.value),
                _flag(Source.illustrative),
            )
            .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == InterventionOutput.source_id)
            .where(
                where_area,
                InterventionOutput.is_current,
                InterventionOutput.output_type == "young_people_supported",
                InterventionOutput.age_band == "all",
                InterventionOutput.period_start >= start,
                InterventionOutput.period_start <= end,
            )
            .group_by(Intervention.tier)
        ).all()
    spend = {r[0]: (float(r[1]), int(r[2]), bool(r[3])) for r in spend_rows}
    reach = {r[0]: (int(r[1]), bool(r[2])) for r in reach_rows}
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


def intervention_quarters(
    *, scope: Scope, intervention_id: int, financial_year: int
) -> pd.DataFrame:
    """One intervention's spend and young people supported per quarter of a year.

    Restricted. Columns: financial_year, quarter, period_label, spend,
    young_people, cost_per_young_person, illustrative."""
    info = get_intervention(scope=scope, intervention_id=intervention_id)
    return _intervention_quarters(
        int(info["intervention_id"]), _check_year(financial_year)
    )


@memoized
def _intervention_quarters(intervention_id: int, financial_year: int) -> pd.DataFrame:
    start, end = periods.fy_bounds(financial_year)
    with session_scope() as session:
        spend_rows = session.execute(
            select(Spend.quarter, func.sum(Spend.amount), _flag(Source.illustrative))
            .join(Source, Source.id == Spend.source_id)
            .where(
                Spend.intervention_id == intervention_id,
                Spend.financial_year == financial_year,
                Spend.is_current,
            )
            .group_by(Spend.quarter)
        ).all()
        reach_rows = session.execute(
            select(
                InterventionOutput.period_start,
                func.sum(InterventionOutput.value),
                _flag(Source.illustrative),
            )
            .join(Source, Source.id == InterventionOutput.source_id)
            .where(
                InterventionOutput.intervention_id == intervention_id,
                InterventionOutput.is_current,
                InterventionOutput.output_type == "young_people_supported",
                InterventionOutput.age_band == "all",
                InterventionOutput.period_start.between(start, end),
            )
            .group_by(InterventionOutput.period_start)
        ).all()
    spend = {int(q): (float(a), bool(f)) for q, a, f in spend_rows}
    reach = {periods.quarter_of(d): (int(v), bool(f)) for d, v, f in reach_rows}
    records = []
    for quarter in sorted(set(spend) | set(reach)):
        amount, s_flag = spend.get(quarter, (math.nan, False))
        people, r_flag = reach.get(quarter, (None, False))
        q_start, _ = periods.quarter_bounds(financial_year, quarter)
        records.append(
            {
                "financial_year": financial_year,
                "quarter": quarter,
                "period_label": periods.quarter_label(q_start),
                "spend": amount,
                "young_people": pd.NA if people is None else people,
                "cost_per_young_person": _cost(amount, people),
                "illustrative": bool(s_flag or r_flag),
            }
        )
    frame = pd.DataFrame(
        records,
        columns=[
            "financial_year",
            "quarter",
            "period_label",
            "spend",
            "young_people",
            "cost_per_young_person",
            "illustrative",
        ],
    )
    frame["young_people"] = frame["young_people"].astype("Int64")
    return frame
