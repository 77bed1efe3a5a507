"""Prevention activity: interventions, their quarterly outputs and spend, by tier.

Everything here is restricted (DESIGN.md "Access"): every public function takes the
caller's `scope`, checks `scope.require_area` for the VRU (force) area before any
figure is read, and raises AccessDenied otherwise. The memoized inner functions take
only primitives (codes, ISO dates) and run one aggregating query each (GROUP BY in
SQL); nothing loads a whole table into pandas.

Where the figures are read: the VRU-wide aggregates (tier_summary, reach_over_time,
area_breakdown, area_totals) read the pre-aggregated `output_summary` and
`spend_summary` tables (data_access/summaries.py, kept current by every import and
approval), so their cost does not grow with the raw row count. The per-intervention
figures (interventions, intervention_detail) need one row per intervention and
read the raw, current `intervention_output` and `spend` rows through their
intervention indexes.

Periods: `start` and `end` are dates (a page passes the first day of its "from"
month and the last day of its "to" month). Both are snapped to whole financial
quarters, and a quarter counts when it starts within [start's quarter, end's
quarter], so outputs (by quarter) and spend (by financial year and quarter) cover
exactly the same quarters.

Where the money and the people are counted
- Spend rows belong to the VRU (force) area; a row with an intervention is that
  intervention's spend, a row without one is the core unit (staff, analysts, the
  hub). Tier figures cover interventions only; `area_breakdown` and `area_totals`
  add the core unit, so that the force total reconciles.
- An intervention is delivered by a local authority ("spoke") or by the force area
  itself (force-wide). With `lad_code`, only interventions delivered by that local
  authority count, and the core unit is left out.
- Output totals add up quarterly returns: a young person supported in two quarters
  is counted twice ("young people supported, summed over quarterly returns").

Public functions and their columns
- tier_summary(*, scope, area_code, lad_code=None, start=None, end=None) ->
  TIER_SUMMARY_COLUMNS: one row per tier (primary, secondary, tertiary, always all
  three): tier, tier_label, interventions, young_people_supported,
  young_people_under25, referrals, sessions, completions, staff_trained, spend,
  spend_share (0-1 of spend on interventions), planned, planned_share (NaN where no
  plan is recorded), illustrative.
- tier_plan(*, scope, area_code, lad_code=None) -> PLAN_COLUMNS: the VRU's plan by
  tier: preferred published allocations made to interventions (e.g. Hampshire's
  £233,000 of interventions, 2019/20): tier, financial_year, year_label, planned,
  interventions, source_title, illustrative. Empty when no plan is recorded.
- reach_over_time(*, scope, area_code, lad_code=None, start=None, end=None,
  output_type="young_people_supported", age_band="all") -> REACH_COLUMNS:
  period_start, period ("2019/20 Q3"), tier, tier_label, value, illustrative.
- interventions(*, scope, area_code, tier=None, lad_code=None, start=None,
  end=None) -> INTERVENTION_COLUMNS: intervention_id, name, tier, tier_label,
  delivering_code, delivering_name, delivering_level ("lad" or "pfa"),
  workstream_id, workstream_name, provider, evidence_rating, start_date, end_date,
  young_people_supported, young_people_under25, spend, source_title, illustrative.
- intervention_detail(*, scope, intervention_id, start=None, end=None) -> dict with
  the intervention's facts (INTERVENTION_FACTS) and "quarters", a DataFrame of
  QUARTER_COLUMNS: period_start, period, young_people_supported,
  young_people_under25, referrals, sessions, completions, staff_trained, spend,
  illustrative.
- area_breakdown(*, scope, area_code, start=None, end=None) -> BREAKDOWN_COLUMNS:
  one row per local authority delivering anything, one for force-wide
  interventions and one for the core unit: code, name, kind ("lad", "force",
  "core"), interventions, young_people_supported, spend, illustrative.
- area_totals(*, scope, area_code, lad_code=None, start=None, end=None) -> dict:
  interventions, young_people_supported, young_people_under25, spend (all spend,
  core unit included unless lad_code), spend_interventions, spend_core,
  illustrative. Summed by its own queries (over the summary tables), independently
  of the tier and area breakdowns, so the pages and tests can check that they
  reconcile.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from sqlalchemy import BigInteger, Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import aliased

from data_access import periods
from data_access.areas import AreaInfo, get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import InvalidParameter, NotFound
from data_access.models import (
    OUTPUT_TYPES,
    TIERS,
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    OutputSummary,
    Source,
    Spend,
    SpendSummary,
    Workstream,
)
from data_access.scope import Scope

TIER_LABELS = {
    "primary": "Primary (universal)",
    "secondary": "Secondary (targeted)",
    "tertiary": "Tertiary (indicated)",
}
OUTPUT_LABELS = {
    "young_people_supported": "Young people supported",
    "referrals": "Referrals",
    "sessions": "Sessions",
    "completions": "Completions",
    "staff_trained": "Staff trained",
}
AGE_BANDS = ("all", "under25")

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
REACH_COLUMNS = [
    "period_start",
    "period",
    "tier",
    "tier_label",
    "value",
    "illustrative",
]
INTERVENTION_COLUMNS = [
    "intervention_id",
    "name",
    "tier",
    "tier_label",
    "delivering_code",
    "delivering_name",
    "delivering_level",
    "workstream_id",
    "workstream_name",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "young_people_supported",
    "young_people_under25",
    "spend",
    "source_title",
    "illustrative",
]
INTERVENTION_FACTS = [
    "intervention_id",
    "name",
    "tier",
    "tier_label",
    "description",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "vru_code",
    "vru_name",
    "delivering_code",
    "delivering_name",
    "delivering_level",
    "workstream_id",
    "workstream_name",
    "source_title",
    "illustrative",
]
QUARTER_COLUMNS = [
    "period_start",
    "period",
    *[f for f in OUTPUT_TYPES if f == "young_people_supported"],
    "young_people_under25",
    *[f for f in OUTPUT_TYPES if f != "young_people_supported"],
    "spend",
    "illustrative",
]
BREAKDOWN_COLUMNS = [
    "code",
    "name",
    "kind",
    "interventions",
    "young_people_supported",
    "spend",
    "illustrative",
]


# --------------------------------------------------------------------------- checks


def _vru_area(scope: Scope, area_code: str) -> AreaInfo:
    """The force area, after the scope check; InvalidParameter for other levels."""
    area = get_area(area_code)
    if area.level != "pfa":
        raise InvalidParameter(
            "area", f"{area.name} is not a police force area (a VRU area)"
        )
    scope.require_area(area.code, area.parent_code)
    return area


def _lad(area: AreaInfo, lad_code: str | None) -> str | None:
    if not lad_code:
        return None
    lad = get_area(lad_code)
    if lad.level != "lad" or lad.parent_code != area.code:
        raise InvalidParameter(
            "lad", f"{lad.name} is not a local authority in {area.name}"
        )
    return lad.code


def _tier(tier: str | None) -> str | None:
    if tier in (None, ""):
        return None
    if tier not in TIERS:
        raise InvalidParameter("tier", f"tier must be one of {', '.join(TIERS)}")
    return tier


def _quarter_key(day: dt.date | None) -> int | None:
    """A financial quarter as one sortable integer: 2019/20 Q3 -> 20193."""
    if day is None:
        return None
    return periods.financial_year_of(day) * 10 + periods.quarter_of(day)


def _period_keys(start: dt.date | None, end: dt.date | None) -> tuple:
    first, last = _quarter_key(start), _quarter_key(end)
    if first is not None and last is not None and first > last:
        raise InvalidParameter("period", "the period must start before it ends")
    return first, last


def _key_start(key: int | None) -> dt.date | None:
    return None if key is None else periods.quarter_bounds(key // 10, key % 10)[0]


# ------------------------------------------------------------------ query helpers


def _illustrative_flag():
    return func.max(cast(Source.illustrative, Integer))


def _outputs_where(query, area_code, lad_code, first, last):
    """Current outputs of the area's interventions in quarters first..last."""
    vru = aliased(Area)
    query = (
        query.select_from(InterventionOutput)
        .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(Source, Source.id == InterventionOutput.source_id)
        .where(vru.code == area_code, InterventionOutput.is_current)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    if first is not None:
        query = query.where(InterventionOutput.period_start >= _key_start(first))
    if last is not None:
        query = query.where(InterventionOutput.period_start <= _key_start(last))
    return query


def _spend_where(query, area_code, lad_code, first, last, *, outer=True):
    """Current spend of the area (core unit too unless lad_code) in first..last."""
    vru = aliased(Area)
    query = query.select_from(Spend)
    join = query.outerjoin if outer and not lad_code else query.join
    query = (
        join(Intervention, Intervention.id == Spend.intervention_id)
        .join(vru, vru.id == Spend.area_id)
        .join(Source, Source.id == Spend.source_id)
        .where(vru.code == area_code, Spend.is_current)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    key = Spend.financial_year * 10 + Spend.quarter
    if first is not None:
        query = query.where(key >= first)
    if last is not None:
        query = query.where(key <= last)
    return query


def _summary_flag(model):
    return func.max(cast(model.illustrative, Integer))


def _summary_value():
    # SUM of a BIGINT is NUMERIC on PostgreSQL; back to an integer, as summing the
    # raw INTEGER column gave.
    return cast(func.sum(OutputSummary.value), BigInteger)


def _output_summary_where(query, area_code, lad_code, first, last):
    """The area's summed current outputs (output_summary) in quarters first..last:
    the same rows as _outputs_where, pre-aggregated."""
    vru = aliased(Area)
    query = (
        query.select_from(OutputSummary)
        .join(vru, vru.id == OutputSummary.vru_area_id)
        .where(vru.code == area_code)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == OutputSummary.delivering_area_id).where(
            lad.code == lad_code
        )
    if first is not None:
        query = query.where(OutputSummary.period_start >= _key_start(first))
    if last is not None:
        query = query.where(OutputSummary.period_start <= _key_start(last))
    return query


def _spend_summary_where(query, area_code, lad_code, first, last, *, outer=True):
    """The area's summed current spend (spend_summary) in first..last: the same
    rows as _spend_where. The core unit's rows have no tier; `outer=False` (or a
    lad_code) leaves them out, as the inner join to Intervention did."""
    vru = aliased(Area)
    query = (
        query.select_from(SpendSummary)
        .join(vru, vru.id == SpendSummary.area_id)
        .where(vru.code == area_code)
    )
    if not outer or lad_code:
        query = query.where(SpendSummary.tier.is_not(None))
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == SpendSummary.delivering_area_id).where(
            lad.code == lad_code
        )
    key = SpendSummary.financial_year * 10 + SpendSummary.quarter
    if first is not None:
        query = query.where(key >= first)
    if last is not None:
        query = query.where(key <= last)
    return query


def _money(value) -> float:
    if value is None:
        return 0.0
    return float(Decimal(value))


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
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    first, last = _period_keys(start, end)
    return _tier_summary(area.code, lad, first, last).copy()


@memoized
def _tier_summary(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> pd.DataFrame:
    vru = aliased(Area)
    count_q = (
        select(Intervention.tier, func.count(Intervention.id))
        .join(vru, vru.id == Intervention.vru_area_id)
        .where(vru.code == area_code)
        .group_by(Intervention.tier)
    )
    if lad_code:
        lad = aliased(Area)
        count_q = count_q.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    outputs_q = _output_summary_where(
        select(
            OutputSummary.tier,
            OutputSummary.output_type,
            OutputSummary.age_band,
            _summary_value(),
            _summary_flag(OutputSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
    ).group_by(OutputSummary.tier, OutputSummary.output_type, OutputSummary.age_band)
    spend_q = _spend_summary_where(
        select(
            SpendSummary.tier,
            func.sum(SpendSummary.amount),
            _summary_flag(SpendSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
        outer=False,
    ).group_by(SpendSummary.tier)
    with session_scope() as session:
        counts = dict(session.execute(count_q).all())
        outputs = session.execute(outputs_q).all()
        spend = session.execute(spend_q).all()
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
    for tier, output_type, age_band, total, illustrative in outputs:
        column = output_type
        if age_band == "under25":
            if output_type != "young_people_supported":
                continue
            column = "young_people_under25"
        elif age_band != "all":
            continue
        rows[tier][column] += int(total or 0)
        rows[tier]["illustrative"] |= bool(illustrative)
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


@memoized
def _tier_plan(area_code: str, lad_code: str | None) -> pd.DataFrame:
    vru = aliased(Area)
    query = (
        select(
            Intervention.tier,
            FundingAllocation.financial_year,
            func.sum(FundingAllocation.amount),
            func.count(func.distinct(FundingAllocation.intervention_id)),
            func.min(Source.title),
            _illustrative_flag(),
        )
        .join(Intervention, Intervention.id == FundingAllocation.intervention_id)
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(Source, Source.id == FundingAllocation.source_id)
        .where(vru.code == area_code, FundingAllocation.is_preferred)
        .group_by(Intervention.tier, FundingAllocation.financial_year)
        .order_by(FundingAllocation.financial_year, Intervention.tier)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    with session_scope() as session:
        rows = session.execute(query).all()
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


# ------------------------------------------------------------------ reach over time


def reach_over_time(
    *,
    scope: Scope,
    area_code: str,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    output_type: str = "young_people_supported",
    age_band: str = "all",
) -> pd.DataFrame:
    """One output summed by quarter and tier (REACH_COLUMNS), oldest first."""
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    if output_type not in OUTPUT_TYPES:
        raise InvalidParameter(
            "output", f"output must be one of {', '.join(OUTPUT_TYPES)}"
        )
    if age_band not in AGE_BANDS:
        raise InvalidParameter("age", "age must be 'all' or 'under25'")
    first, last = _period_keys(start, end)
    return _reach(area.code, lad, first, last, output_type, age_band).copy()


@memoized
def _reach(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    output_type: str,
    age_band: str,
) -> pd.DataFrame:
    query = (
        _output_summary_where(
            select(
                OutputSummary.period_start,
                OutputSummary.tier,
                _summary_value(),
                _summary_flag(OutputSummary),
            ),
            area_code,
            lad_code,
            first,
            last,
        )
        .where(
            OutputSummary.output_type == output_type,
            OutputSummary.age_band == age_band,
        )
        .group_by(OutputSummary.period_start, OutputSummary.tier)
        .order_by(OutputSummary.period_start, OutputSummary.tier)
    )
    with session_scope() as session:
        rows = session.execute(query).all()
    return pd.DataFrame(
        [
            {
                "period_start": start,
                "period": periods.quarter_label(start),
                "tier": tier,
                "tier_label": TIER_LABELS[tier],
                "value": int(value or 0),
                "illustrative": bool(illustrative),
            }
            for start, tier, value, illustrative in rows
        ],
        columns=REACH_COLUMNS,
    )


# ------------------------------------------------------------------- interventions


def interventions(
    *,
    scope: Scope,
    area_code: str,
    tier: str | None = None,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The area's interventions with their outputs and spend in the period
    (INTERVENTION_COLUMNS), by tier then name."""
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    first, last = _period_keys(start, end)
    return _interventions(area.code, _tier(tier), lad, first, last).copy()


def _per_intervention_outputs(area_code, lad_code, first, last):
    supported = InterventionOutput.output_type == "young_people_supported"
    return (
        _outputs_where(
            select(
                InterventionOutput.intervention_id.label("intervention_id"),
                func.sum(
                    case(
                        (
                            and_(supported, InterventionOutput.age_band == "all"),
                            InterventionOutput.value,
                        ),
                        else_=0,
                    )
                ).label("supported"),
                func.sum(
                    case(
                        (
                            and_(supported, InterventionOutput.age_band == "under25"),
                            InterventionOutput.value,
                        ),
                        else_=0,
                    )
                ).label("under25"),
                _illustrative_flag().label("illustrative"),
            ),
            area_code,
            lad_code,
            first,
            last,
        )
        .group_by(InterventionOutput.intervention_id)
        .subquery()
    )


def _per_intervention_spend(area_code, lad_code, first, last):
    return (
        _spend_where(
            select(
                Spend.intervention_id.label("intervention_id"),
                func.sum(Spend.amount).label("spend"),
                _illustrative_flag().label("illustrative"),
            ),
            area_code,
            lad_code,
            first,
            last,
            outer=False,
        )
        .group_by(Spend.intervention_id)
        .subquery()
    )


@memoized
def _interventions(
    area_code: str,
    tier: str | None,
    lad_code: str | None,
    first: int | None,
    last: int | None,
) -> pd.DataFrame:
    vru = aliased(Area)
    delivering = aliased(Area)
    outputs = _per_intervention_outputs(area_code, lad_code, first, last)
    spend = _per_intervention_spend(area_code, lad_code, first, last)
    query = (
        select(
            Intervention.id,
            Intervention.name,
            Intervention.tier,
            delivering.code,
            delivering.name,
            delivering.level,
            Intervention.workstream_id,
            Workstream.name,
            Intervention.provider,
            Intervention.evidence_rating,
            Intervention.start_date,
            Intervention.end_date,
            func.coalesce(outputs.c.supported, 0),
            func.coalesce(outputs.c.under25, 0),
            spend.c.spend,
            Source.title,
            Source.illustrative,
            func.coalesce(outputs.c.illustrative, literal(0)),
            func.coalesce(spend.c.illustrative, literal(0)),
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .join(Source, Source.id == Intervention.source_id)
        .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
        .outerjoin(outputs, outputs.c.intervention_id == Intervention.id)
        .outerjoin(spend, spend.c.intervention_id == Intervention.id)
        .where(vru.code == area_code)
        .order_by(
            case(*((Intervention.tier == t, i) for i, t in enumerate(TIERS))),
            Intervention.name,
        )
    )
    if tier:
        query = query.where(Intervention.tier == tier)
    if lad_code:
        query = query.where(delivering.code == lad_code)
    with session_scope() as session:
        rows = session.execute(query).all()
    records = []
    for row in rows:
        (iid, name, tier_, d_code, d_name, d_level, ws_id, ws_name, provider) = row[:9]
        (rating, start, end, supported, under25, spend_total, title) = row[9:16]
        src_ill, out_ill, spend_ill = row[16:]
        records.append(
            {
                "intervention_id": int(iid),
                "name": name,
                "tier": tier_,
                "tier_label": TIER_LABELS[tier_],
                "delivering_code": d_code,
                "delivering_name": d_name,
                "delivering_level": d_level,
                "workstream_id": ws_id,
                "workstream_name": ws_name,
                "provider": provider,
                "evidence_rating": rating,
                "start_date": start,
                "end_date": end,
                "young_people_supported": int(supported or 0),
                "young_people_under25": int(under25 or 0),
                "spend": _money(spend_total),
                "source_title": title,
                "illustrative": bool(src_ill) or bool(out_ill) or bool(spend_ill),
            }
        )
    return pd.DataFrame(records, columns=INTERVENTION_COLUMNS)


def intervention_detail(
    *,
    scope: Scope,
    intervention_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """One intervention's facts and quarterly outputs and spend (module docstring).

    NotFound for an unknown id; AccessDenied when its VRU area is out of scope."""
    try:
        intervention_id = int(intervention_id)
    except (TypeError, ValueError):
        raise NotFound(f"no intervention has the id '{intervention_id}'") from None
    vru_code = _intervention_area(intervention_id)
    if vru_code is None:
        raise NotFound(f"no intervention has the id '{intervention_id}'")
    area = get_area(vru_code)
    scope.require_area(area.code, area.parent_code)
    first, last = _period_keys(start, end)
    facts, quarters = _intervention_detail(intervention_id, first, last)
    return {**facts, "quarters": quarters.copy()}


@memoized
def _intervention_area(intervention_id: int) -> str | None:
    with session_scope() as session:
        return session.scalar(
            select(Area.code)
            .join(Intervention, Intervention.vru_area_id == Area.id)
            .where(Intervention.id == intervention_id)
        )


@memoized
def _intervention_detail(
    intervention_id: int, first: int | None, last: int | None
) -> tuple[dict, pd.DataFrame]:
    vru = aliased(Area)
    delivering = aliased(Area)
    with session_scope() as session:
        row = session.execute(
            select(
                Intervention,
                vru.code,
                vru.name,
                delivering.code,
                delivering.name,
                delivering.level,
                Workstream.name,
                Source.title,
                Source.illustrative,
            )
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .join(Source, Source.id == Intervention.source_id)
            .outerjoin(Workstream, Workstream.id == Intervention.workstream_id)
            .where(Intervention.id == intervention_id)
        ).one()
        item, vru_code, vru_name, d_code, d_name, d_level, ws_name, title, ill = row
        facts = {
            "intervention_id": item.id,
            "name": item.name,
            "tier": item.tier,
            "tier_label": TIER_LABELS[item.tier],
            "description": item.description,
            "provider": item.provider,
            "evidence_rating": item.evidence_rating,
            "start_date": item.start_date,
            "end_date": item.end_date,
            "vru_code": vru_code,
            "vru_name": vru_name,
            "delivering_code": d_code,
            "delivering_name": d_name,
            "delivering_level": d_level,
            "workstream_id": item.workstream_id,
            "workstream_name": ws_name,
            "source_title": title,
            "illustrative": bool(ill),
        }
        outputs_q = select(
            InterventionOutput.period_start,
            InterventionOutput.output_type,
            InterventionOutput.age_band,
            func.sum(InterventionOutput.value),
            _illustrative_flag(),
        ).join(Source, Source.id == InterventionOutput.source_id)
        outputs_q = outputs_q.where(
            InterventionOutput.intervention_id == intervention_id,
            InterventionOutput.is_current,
        )
        if first is not None:
            outputs_q = outputs_q.where(
                InterventionOutput.period_start >= _key_start(first)
            )
        if last is not None:
            outputs_q = outputs_q.where(
                InterventionOutput.period_start <= _key_start(last)
            )
        outputs = session.execute(
            outputs_q.group_by(
                InterventionOutput.period_start,
                InterventionOutput.output_type,
                InterventionOutput.age_band,
            )
        ).all()
        key = Spend.financial_year * 10 + Spend.quarter
        spend_q = (
            select(
                Spend.financial_year,
                Spend.quarter,
                func.sum(Spend.amount),
                _illustrative_flag(),
            )
            .join(Source, Source.id == Spend.source_id)
            .where(Spend.intervention_id == intervention_id, Spend.is_current)
            .group_by(Spend.financial_year, Spend.quarter)
        )
        if first is not None:
            spend_q = spend_q.where(key >= first)
        if last is not None:
            spend_q = spend_q.where(key <= last)
        spend = session.execute(spend_q).all()

    quarters: dict[dt.date, dict] = {}

    def quarter(start: dt.date) -> dict:
        if start not in quarters:
            quarters[start] = {
                "period_start": start,
                "period": periods.quarter_label(start),
                **{name: pd.NA for name in OUTPUT_TYPES},
                "young_people_under25": pd.NA,
                "spend": float("nan"),
                "illustrative": False,
            }
        return quarters[start]

    for start, output_type, age_band, total, illustrative in outputs:
        column = output_type
        if age_band == "under25":
            if output_type != "young_people_supported":
                continue
            column = "young_people_under25"
        elif age_band != "all":
            continue
        row_ = quarter(start)
        row_[column] = int(total or 0)
        row_["illustrative"] |= bool(illustrative)
    for year, q, total, illustrative in spend:
        row_ = quarter(periods.quarter_bounds(int(year), int(q))[0])
        row_["spend"] = _money(total)
        row_["illustrative"] |= bool(illustrative)
    frame = pd.DataFrame(
        [quarters[k] for k in sorted(quarters)], columns=QUARTER_COLUMNS
    )
    for name in [*OUTPUT_TYPES, "young_people_under25"]:
        frame[name] = frame[name].astype("Int64")
    return facts, frame


# ------------------------------------------------------------ area reconciliation


def area_breakdown(
    *,
    scope: Scope,
    area_code: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Interventions, young people supported and spend by delivering local
    authority, force-wide interventions and the core unit (BREAKDOWN_COLUMNS)."""
    area = _vru_area(scope, area_code)
    first, last = _period_keys(start, end)
    return _area_breakdown(area.code, first, last).copy()


@memoized
def _area_breakdown(area_code: str, first: int | None, last: int | None):
    delivering = aliased(Area)
    vru = aliased(Area)
    count_q = (
        select(delivering.code, func.count(Intervention.id))
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .where(vru.code == area_code)
        .group_by(delivering.code)
    )
    d_out = aliased(Area)
    outputs_q = (
        _output_summary_where(
            select(d_out.code, _summary_value(), _summary_flag(OutputSummary)),
            area_code,
            None,
            first,
            last,
        )
        .join(d_out, d_out.id == OutputSummary.delivering_area_id)
        .where(
            OutputSummary.output_type == "young_people_supported",
            OutputSummary.age_band == "all",
        )
        .group_by(d_out.code)
    )
    d_spend = aliased(Area)
    spend_q = (
        _spend_summary_where(
            select(
                d_spend.code,
                func.sum(SpendSummary.amount),
                _summary_flag(SpendSummary),
            ),
            area_code,
            None,
            first,
            last,
        )
        .outerjoin(d_spend, d_spend.id == SpendSummary.delivering_area_id)
        .group_by(d_spend.code)
    )
    with session_scope() as session:
        counts = dict(session.execute(count_q).all())
        outputs = {c: (v, i) for c, v, i in session.execute(outputs_q).all()}
        spend = {c: (v, i) for c, v, i in session.execute(spend_q).all()}
        codes = sorted((set(counts) | set(outputs) | set(spend)) - {None})
        names = dict(
            session.execute(
                select(Area.code, Area.name).where(Area.code.in_(codes or [""]))
            ).all()
        )
    records = []
    for code in codes:
        kind = "force" if code == area_code else "lad"
        name = names[code] if kind == "lad" else "Force-wide interventions"
        out_v, out_i = outputs.get(code, (0, 0))
        sp_v, sp_i = spend.get(code, (None, 0))
        records.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "interventions": int(counts.get(code, 0)),
                "young_people_supported": int(out_v or 0),
                "spend": _money(sp_v),
                "illustrative": bool(out_i) or bool(sp_i),
            }
        )
    records.sort(key=lambda r: (r["kind"] != "lad", r["name"]))
    if None in spend:
        sp_v, sp_i = spend[None]
        records.append(
            {
                "code": None,
                "name": "Core unit (not assigned to an intervention)",
                "kind": "core",
                "interventions": 0,
                "young_people_supported": 0,
                "spend": _money(sp_v),
                "illustrative": bool(sp_i),
            }
        )
    return pd.DataFrame(records, columns=BREAKDOWN_COLUMNS)


def area_totals(
    *,
    scope: Scope,
    area_code: str,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """Headline totals summed by their own queries (module docstring)."""
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    first, last = _period_keys(start, end)
    return dict(_area_totals(area.code, lad, first, last))


@memoized
def _area_totals(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict:
    vru = aliased(Area)
    count_q = (
        select(func.count(Intervention.id))
        .join(vru, vru.id == Intervention.vru_area_id)
        .where(vru.code == area_code)
    )
    if lad_code:
        lad = aliased(Area)
        count_q = count_q.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    outputs_q = _output_summary_where(
        select(
            OutputSummary.age_band,
            _summary_value(),
            _summary_flag(OutputSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
    ).where(OutputSummary.output_type == "young_people_supported")
    outputs_q = outputs_q.group_by(OutputSummary.age_band)
    # The core unit's summary rows are those without a tier (no intervention).
    core = SpendSummary.tier.is_(None)
    spend_q = _spend_summary_where(
        select(
            func.sum(case((core, SpendSummary.amount), else_=0)),
            func.sum(case((~core, SpendSummary.amount), else_=0)),
            _summary_flag(SpendSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
    )
    with session_scope() as session:
        n = session.scalar(count_q)
        outputs = {band: (v, i) for band, v, i in session.execute(outputs_q).all()}
        core, on_interventions, spend_ill = session.execute(spend_q).one()
    core = _money(core)
    on_interventions = _money(on_interventions)
    return {
        "interventions": int(n or 0),
        "young_people_supported": int(outputs.get("all", (0, 0))[0] or 0),
        "young_people_under25": int(outputs.get("under25", (0, 0))[0] or 0),
        "spend": core + on_interventions,
        "spend_interventions": on_interventions,
        "spend_core": core,
        "illustrative": bool(spend_ill) or any(bool(i) for _v, i in outputs.values()),
    }
