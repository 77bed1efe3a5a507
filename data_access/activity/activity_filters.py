"""What the activity readers share: the tier and output labels, the scope check of
the VRU (force) area and the local authority, the quarter keys a period is snapped
to, and the WHERE clauses on outputs and spend (raw rows and the pre-aggregated
output_summary and spend_summary).

Periods: `start` and `end` are dates (a page passes the first day of its "from"
month and the last day of its "to" month). Both are snapped to whole financial
quarters, and a quarter counts when it starts within [start's quarter, end's
quarter], so outputs (by quarter) and spend (by financial year and quarter) cover
exactly the same quarters.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Integer, String, bindparam, cast, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from data_access import periods
from data_access.areas import AreaInfo, get_area
from data_access.errors import InvalidParameter
from data_access.models import (
    TIERS,
    Area,
    Intervention,
    InterventionOutput,
    OutputSummary,
    Source,
    Spend,
    SpendSummary,
)
from data_access.scope import Scope

TIER_LABELS = {
    "primary": "Primary (universal)",
    "secondary": "Secondary (targeted)",
    "tertiary": "Tertiary (indicated)",
}
AGE_BANDS = ("all", "under25")


def output_column(output_type: str, age_band: str) -> str | None:
    """The column an output total of this type and age band is shown in: the
    output type for all ages, "young_people_under25" for young people supported
    under 25; None for any other (not shown). Tier and quarter tables alike."""
    if age_band == "all":
        return output_type
    if age_band == "under25" and output_type == "young_people_supported":
        return "young_people_under25"
    return None


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


def checked_where(
    scope: Scope,
    area_code: str,
    lad_code: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[str, str | None, int | None, int | None]:
    """(force area code, local authority code or None, first and last quarter
    keys) of a restricted read: the force area after the scope check
    (_vru_area), the local authority in it (_lad) and the period
    (_period_keys), the checks every restricted reader here makes first."""
    area = _vru_area(scope, area_code)
    lad = _lad(area, lad_code)
    first, last = _period_keys(start, end)
    return area.code, lad, first, last


def _key_start(key: int | None) -> dt.date | None:
    return None if key is None else periods.quarter_bounds(key // 10, key % 10)[0]


# ------------------------------------------------------- statements built once

# The summary reads' statements cost more CPU to build (aliased areas, joins,
# columns adapted to the aliases) than PostgreSQL takes to run them, so each
# shape (with or without a local authority and either end of the period) is
# built once per process with these parameters in place of the values, and
# `bound` supplies the values at each read.
AREA = bindparam("area_code", type_=String)
LAD = bindparam("lad_code", type_=String)
FIRST = bindparam("first", type_=Integer)
LAST = bindparam("last", type_=Integer)
FIRST_DAY = bindparam("first_day", type_=Date)
LAST_DAY = bindparam("last_day", type_=Date)


@functools.cache
def _built(build: Callable, has_lad: bool, has_first: bool, has_last: bool):
    return build(
        AREA,
        LAD if has_lad else None,
        FIRST if has_first else None,
        LAST if has_last else None,
    )


def bound(
    build: Callable,
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    **extra,
) -> tuple:
    """(statement, parameters): `build(area_code, lad_code, first, last)` made
    once per shape with the parameters above (and any of its own, given as
    `extra`), and the values of this read."""
    statement = _built(build, bool(lad_code), first is not None, last is not None)
    params = {"area_code": area_code, **extra}
    if lad_code:
        params["lad_code"] = lad_code
    if first is not None:
        params.update(first=first, first_day=_key_start(first))
    if last is not None:
        params.update(last=last, last_day=_key_start(last))
    return statement, params


def _given(value) -> bool:
    """A filter value is given: a parameter of a statement built once, or a
    non-empty value."""
    return isinstance(value, BindParameter) or bool(value)


def _quarter_start(key):
    """_key_start, or the parameter of the quarter's first day in a statement
    built once."""
    if key is FIRST:
        return FIRST_DAY
    if key is LAST:
        return LAST_DAY
    return _key_start(key)


# ------------------------------------------------------------------ query helpers


def _illustrative_flag():
    return func.max(cast(Source.illustrative, Integer))


def _in_lad(query, delivering_area_id, lad_code):
    """Narrowed to the rows delivered in local authority lad_code (all if None)."""
    if not _given(lad_code):
        return query
    lad = aliased(Area)
    return query.join(lad, lad.id == delivering_area_id).where(lad.code == lad_code)


def _between(query, expr, low, high):
    """Narrowed to low <= expr <= high; a None bound is open."""
    if low is not None:
        query = query.where(expr >= low)
    if high is not None:
        query = query.where(expr <= high)
    return query


def _in_quarters(query, period_start, first, last):
    """Narrowed to rows whose period_start is in quarter keys first..last."""
    return _between(query, period_start, _quarter_start(first), _quarter_start(last))


def _interventions_where(query, area_code, lad_code):
    """Narrowed to the VRU area's interventions (those delivered in lad_code when
    given); `query` selects from or joins Intervention."""
    vru = aliased(Area)
    query = query.join(vru, vru.id == Intervention.vru_area_id).where(
        vru.code == area_code
    )
    return _in_lad(query, Intervention.delivering_area_id, lad_code)


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
    query = _in_lad(query, Intervention.delivering_area_id, lad_code)
    return _in_quarters(query, InterventionOutput.period_start, first, last)


def _spend_where(query, area_code, lad_code, first, last, *, outer=True):
    """Current spend of the area (core unit too unless lad_code) in first..last."""
    vru = aliased(Area)
    query = query.select_from(Spend)
    join = query.outerjoin if outer and not _given(lad_code) else query.join
    query = (
        join(Intervention, Intervention.id == Spend.intervention_id)
        .join(vru, vru.id == Spend.area_id)
        .join(Source, Source.id == Spend.source_id)
        .where(vru.code == area_code, Spend.is_current)
    )
    query = _in_lad(query, Intervention.delivering_area_id, lad_code)
    return _between(query, Spend.financial_year * 10 + Spend.quarter, first, last)


def _summary_flag(model):
    return func.max(cast(model.illustrative, Integer))


def _summary_value():
    # SUM of a BIGINT is NUMERIC on PostgreSQL; back to an integer, as summing the
    # raw INTEGER column gave.
    return cast(func.sum(OutputSummary.value), BigInteger)


def _output_summary_where(query, area_code, lad_code, first, last):
    """The area's summed current outputs (output_summary) in quarters first..last:
    the same rows as _outputs_where, pre-aggregated.

    The area's id is a scalar subquery, not a join on its code: PostgreSQL
    estimated the join at a few hundred rows where a force area has thousands
    (5,000 at 100k) and sorted them all by text keys to group them (10 ms of
    the reach read); on the column's own statistics it hashes them (3 ms).
    SQLite runs both alike."""
    area_id = select(Area.id).where(Area.code == area_code).scalar_subquery()
    query = query.select_from(OutputSummary).where(OutputSummary.vru_area_id == area_id)
    query = _in_lad(query, OutputSummary.delivering_area_id, lad_code)
    return _in_quarters(query, OutputSummary.period_start, first, last)


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
    if not outer or _given(lad_code):
        query = query.where(SpendSummary.tier.is_not(None))
    query = _in_lad(query, SpendSummary.delivering_area_id, lad_code)
    return _between(
        query, SpendSummary.financial_year * 10 + SpendSummary.quarter, first, last
    )


def _money(value) -> float:
    if value is None:
        return 0.0
    return float(Decimal(value))
