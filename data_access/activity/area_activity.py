"""A force area's activity split by where it is delivered (`area_breakdown`: each
local authority, force-wide interventions and the core unit) and its totals
(`area_totals`, summed by their own queries over the summary tables so that pages
and tests can check that the breakdowns reconcile). Restricted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Integer,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from data_access.activity.activity_filters import (
    _interventions_where,
    _money,
    _output_summary_where,
    _period_keys,
    _spend_summary_where,
    _summary_flag,
    _summary_value,
    _vru_area,
    bound,
    checked_where,
)
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.models import (
    Area,
    Intervention,
    OutputSummary,
    SpendSummary,
)
from data_access.scope import Scope

BREAKDOWN_COLUMNS = [
    "code",
    "name",
    "kind",
    "interventions",
    "young_people_supported",
    "spend",
    "illustrative",
]


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
    return breakdown_frame(area.code, first, last)


def breakdown_frame(area_code: str, first: int | None, last: int | None):
    """UNSCOPED: area_breakdown for arguments already checked."""
    return pd.DataFrame(
        _area_breakdown(area_code, first, last), columns=BREAKDOWN_COLUMNS
    )


def breakdown_columns(
    area_code: str, first: int | None, last: int | None
) -> dict[str, list]:
    """UNSCOPED: `breakdown_frame`'s BREAKDOWN_COLUMNS as plain lists (the
    records its frame is made of; the core unit's code None), for a page that
    reads them column by column (/prevention's area_view)."""
    records = _area_breakdown(area_code, first, last)
    return {name: [record[name] for record in records] for name in BREAKDOWN_COLUMNS}


def _area_breakdown_query(area_code, _lad_code, first, last):
    """The breakdown's reads in one statement: rows of (part, code, name, number,
    amount, illustrative) by delivering area, part 0 the interventions counted,
    1 the young people supported summed, 2 the spend summed (the core unit's
    with no code). The first branch's NULLs are cast: PostgreSQL types a
    UNION's columns from its branches left to right."""
    delivering = aliased(Area)
    vru = aliased(Area)
    count_q = (
        select(
            literal_column("0"),
            delivering.code,
            func.min(delivering.name),
            cast(func.count(Intervention.id), BigInteger),
            cast(null(), SpendSummary.amount.type),
            cast(null(), Integer),
        )
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(delivering, delivering.id == Intervention.delivering_area_id)
        .where(vru.code == area_code)
        .group_by(delivering.code)
    )
    d_out = aliased(Area)
    outputs_q = (
        _output_summary_where(
            select(
                literal_column("1"),
                d_out.code,
                func.min(d_out.name),
                _summary_value(),
                null(),
                _summary_flag(OutputSummary),
            ),
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
                literal_column("2"),
                d_spend.code,
                func.min(d_spend.name),
                null(),
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
    return union_all(count_q, outputs_q, spend_q)


@memoized
def _area_breakdown(area_code: str, first: int | None, last: int | None) -> list:
    """The breakdown's records (dicts of BREAKDOWN_COLUMNS): plain values, which
    the shared cache pickles far faster than a frame; the caller makes the
    frame once (breakdown_frame)."""
    statement, params = bound(_area_breakdown_query, area_code, None, first, last)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    parts: list[dict] = [{}, {}, {}]
    names = {}
    for part, code, name, number, amount, illustrative in rows:
        parts[part][code] = (number, amount, illustrative)
        names[code] = name
    counts = {c: n for c, (n, _a, _i) in parts[0].items()}
    outputs = {c: (n, i) for c, (n, _a, i) in parts[1].items()}
    spend = {c: (a, i) for c, (_n, a, i) in parts[2].items()}
    codes = sorted((set(counts) | set(outputs) | set(spend)) - {None})
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
    return records


def area_totals(
    *,
    scope: Scope,
    area_code: str,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """Headline totals summed by their own queries (module docstring)."""
    return area_totals_of(*checked_where(scope, area_code, lad_code, start, end))


def area_totals_of(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict:
    """UNSCOPED: area_totals for arguments already checked."""
    return dict(_area_totals(area_code, lad_code, first, last))


def _area_totals_query(area_code, lad_code, first, last):
    count_q = _interventions_where(
        select(func.count(Intervention.id)), area_code, lad_code
    )
    band = OutputSummary.age_band
    outputs_q = _output_summary_where(
        select(
            cast(func.sum(case((band == "all", OutputSummary.value))), BigInteger),
            cast(func.sum(case((band == "under25", OutputSummary.value))), BigInteger),
            _summary_flag(OutputSummary),
        ),
        area_code,
        lad_code,
        first,
        last,
    ).where(OutputSummary.output_type == "young_people_supported")
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
    # One statement: the count, the young people's and the spend's one-row
    # aggregates side by side (three round trips before).
    outputs, spend = outputs_q.subquery(), spend_q.subquery()
    return (
        select(count_q.scalar_subquery(), *outputs.c, *spend.c)
        .select_from(outputs)
        .join(spend, true())
    )


@memoized
def _area_totals(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict:
    statement, params = bound(_area_totals_query, area_code, lad_code, first, last)
    with read_connection() as connection:
        n, people, under25, people_ill, core, on_interventions, spend_ill = (
            connection.execute(statement, params).one()
        )
    core = _money(core)
    on_interventions = _money(on_interventions)
    return {
        "interventions": int(n or 0),
        "young_people_supported": int(people or 0),
        "young_people_under25": int(under25 or 0),
        "spend": core + on_interventions,
        "spend_interventions": on_interventions,
        "spend_core": core,
        "illustrative": bool(spend_ill) or bool(people_ill),
    }
