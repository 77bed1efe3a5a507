"""The one reach rule: young people supported (or another output) by quarter and
tier, from the pre-aggregated output_summary (`reach_over_time`). Output totals
add up quarterly returns: a young person supported in two quarters is counted
twice ("young people supported, summed over quarterly returns"). Restricted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data_access import periods
from data_access.activity.activity_filters import (
    AGE_BANDS,
    TIER_LABELS,
    _lad,
    _output_summary_where,
    _period_keys,
    _summary_flag,
    _summary_value,
    _vru_area,
)
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import InvalidParameter
from data_access.models import (
    OUTPUT_TYPES,
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
