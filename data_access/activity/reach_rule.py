"""The one reach rule: young people supported (or another output) by quarter and
tier, from the pre-aggregated output_summary (`reach_over_time`), summed per tier
(`tier_reach`; every output type and age band: `tier_outputs`, the tier table of
/prevention), all from one read (`_outputs`), and per intervention, from the raw
current outputs (`intervention_reach`). Output totals add up quarterly returns: a
young person supported in two quarters is counted twice ("young people
supported, summed over quarterly returns").

`reach_over_time` is restricted (scope check). The unscoped readers below it
(`tier_reach`, `tier_outputs`, `quarter_tier_reach`, `intervention_reach`,
`intervention_reach_subquery`) take codes and quarter keys and are for callers that
have already checked the caller's scope (money's cost per young person) or publish
only through disclosure (public.reach_by_tier): /prevention, the cost per young
person and the public reach figures all count the same rows this way.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, case, func, select

from data_access import periods
from data_access.activity.activity_filters import (
    AGE_BANDS,
    TIER_LABELS,
    _illustrative_flag,
    _output_summary_where,
    _outputs_where,
    _summary_flag,
    _summary_value,
    bound,
    checked_where,
)
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.errors import InvalidParameter
from data_access.models import (
    OUTPUT_TYPES,
    InterventionOutput,
    OutputSummary,
)
from data_access.scope import Scope

REACH_COLUMNS = [
    "period_start",
    "period",
    "tier",
    "tier_label",
    "value",
    "illustrative",
]


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
    where = checked_where(scope, area_code, lad_code, start, end)
    if output_type not in OUTPUT_TYPES:
        raise InvalidParameter(
            "output", f"output must be one of {', '.join(OUTPUT_TYPES)}"
        )
    if age_band not in AGE_BANDS:
        raise InvalidParameter("age", "age must be 'all' or 'under25'")
    return quarter_tier_reach(*where, output_type, age_band)


def year_keys(financial_year: int) -> tuple[int, int]:
    """The quarter keys (see activity_filters._quarter_key) of a financial year's
    first and last quarters: 2019 -> (20191, 20194)."""
    return financial_year * 10 + 1, financial_year * 10 + 4


def quarter_tier_reach(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    output_type: str = "young_people_supported",
    age_band: str = "all",
) -> pd.DataFrame:
    """UNSCOPED (see the module docstring): REACH_COLUMNS for a VRU (force) area,
    or one of its local authorities' interventions, in quarters first..last."""
    return _reach(area_code, lad_code, first, last, output_type, age_band)


def tier_reach(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict[str, tuple[int, bool]]:
    """UNSCOPED: young people supported (all ages) per tier over quarters
    first..last, {tier: (people, illustrative)}; a tier with no outputs is absent.
    The tier figures of /prevention (tier_summary) for the same period."""
    frame = _reach(area_code, lad_code, first, last, "young_people_supported", "all")
    return {
        tier: (int(group["value"].sum()), bool(group["illustrative"].any()))
        for tier, group in frame.groupby("tier", sort=False)
    }


def intervention_reach_subquery(area_code, lad_code, first, last):
    """UNSCOPED: a subquery of the area's interventions with outputs in quarters
    first..last (raw current rows): intervention_id, supported (young people
    supported, all ages), under25 and illustrative (any of its output rows)."""
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


def intervention_reach(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict[int, tuple[int, bool]]:
    """UNSCOPED: young people supported (all ages) per intervention with outputs in
    quarters first..last, {intervention_id: (people, illustrative)}: the figure the
    /prevention intervention list shows (activity.interventions)."""
    outputs = intervention_outputs(area_code, lad_code, first, last)
    return {iid: (all_, flag) for iid, (all_, _under25, flag) in outputs.items()}


@memoized
def intervention_outputs(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict[int, tuple[int, int, bool]]:
    """UNSCOPED: {intervention_id: (young people supported all ages, under 25,
    illustrative)} for the interventions with outputs in quarters first..last."""
    reach = intervention_reach_subquery(area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(select(*reach.c)).all()
    return {
        int(iid): (int(people or 0), int(under25 or 0), bool(flag))
        for iid, people, under25, flag in rows
    }


def tier_outputs(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> dict[tuple[str, str, str], tuple[int, bool]]:
    """UNSCOPED: every output summed per tier, output type and age band over
    quarters first..last, {(tier, output_type, age_band): (total, illustrative)};
    a combination with no outputs is absent. The tier table of /prevention
    (tier_activity.tier_summary), from the same read as reach_over_time."""
    return tier_totals(_outputs(area_code, lad_code, first, last))


def output_rows(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> list[tuple]:
    """UNSCOPED: the one read behind reach by quarter and the tier totals
    (`_outputs`), for a caller that wants both (/prevention's area_view): each
    later ask of the memoized read costs a copy of every row."""
    return _outputs(area_code, lad_code, first, last)


def tier_totals(rows: list[tuple]) -> dict[tuple[str, str, str], tuple[int, bool]]:
    """`tier_outputs` of `output_rows`' rows."""
    totals: dict[tuple[str, str, str], tuple[int, bool]] = {}
    for _start, tier, output_type, age_band, value, flag in rows:
        total, any_flag = totals.get((tier, output_type, age_band), (0, False))
        totals[(tier, output_type, age_band)] = (total + value, any_flag or flag)
    return totals


def _outputs_query(area_code, lad_code, first, last):
    return (
        _output_summary_where(
            select(
                OutputSummary.period_start,
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
        )
        .group_by(
            OutputSummary.period_start,
            OutputSummary.tier,
            OutputSummary.output_type,
            OutputSummary.age_band,
        )
        .order_by(OutputSummary.period_start, OutputSummary.tier)
    )


@memoized
def _outputs(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> list[tuple]:
    """Every output type and age band summed by quarter and tier, as (quarter
    start, tier, output type, age band, total, illustrative) oldest first: one
    read (of the small output_summary) that reach by quarter, reach by tier
    and the tier table all take their figures from, so they count the same
    rows. Plain tuples: cheap to cache and to sum."""
    statement, params = bound(_outputs_query, area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    return [
        (start, tier, output_type, age_band, int(value or 0), bool(flag))
        for start, tier, output_type, age_band, value, flag in rows
    ]


def _reach(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    output_type: str,
    age_band: str,
) -> pd.DataFrame:
    """REACH_COLUMNS: one output type and age band of _outputs, oldest first."""
    return reach_frame(
        _outputs(area_code, lad_code, first, last), output_type, age_band
    )


def reach_frame(rows: list[tuple], output_type: str, age_band: str) -> pd.DataFrame:
    """`quarter_tier_reach` of `output_rows`' rows."""
    return pd.DataFrame(reach_rows(rows, output_type, age_band), columns=REACH_COLUMNS)


def reach_rows(rows: list[tuple], output_type: str, age_band: str) -> list[tuple]:
    """`reach_frame`'s rows as tuples of REACH_COLUMNS, for a caller that
    wants them without the frame (/prevention's area_view)."""
    labels: dict[dt.date, str] = {}  # each quarter named once, not once a tier
    reach = []
    for start, tier, o_type, band, value, flag in rows:
        if o_type != output_type or band != age_band:
            continue
        label = labels.get(start)
        if label is None:
            label = labels[start] = periods.quarter_label(start)
        reach.append((start, label, tier, TIER_LABELS[tier], value, flag))
    return reach
