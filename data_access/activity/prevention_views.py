"""What the /prevention page's tier overview shows, in one call per page state
(`area_view`), and the part-period flag its quarterly charts need
(`with_complete`). Reads each input once from its one road (`tier_activity`,
`reach_rule`, `area_activity`, `annotations`); the scope checks are theirs.
Returns plain data and DataFrames; components/prevention_charts draws them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from data_access import clock, periods
from data_access.activity import (
    area_activity,
    intervention_activity,
    reach_rule,
    tier_activity,
)
from data_access.activity.activity_filters import AGE_BANDS, checked_where
from data_access.annotations import annotations_for
from data_access.errors import InvalidParameter
from data_access.scope import Scope


def with_complete(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with a quarter's period_start, with its period_end and
    `complete`: whether that quarter is over by the app's clock
    (periods.is_complete, the one rule)."""
    ends, complete = _ends_and_complete(frame["period_start"])
    return frame.assign(period_end=ends, complete=complete)


def _ends_and_complete(starts) -> tuple[list[dt.date], list[bool]]:
    """Each quarter start's period_end and whether that quarter is over by
    the app's clock (`with_complete`'s columns, as lists)."""
    today = clock.today()  # read once, not once a quarter
    ends: dict[dt.date, tuple[dt.date, bool]] = {}  # once a quarter, not a row
    for start in starts:
        if start not in ends:
            end = periods.quarter_end(start)
            ends[start] = (end, periods.is_complete(end, as_at=today))
    rows = [ends[start] for start in starts]
    return [end for end, _complete in rows], [complete for _end, complete in rows]


REACH_VIEW_COLUMNS = [*reach_rule.REACH_COLUMNS, "period_end", "complete"]


def reach_columns(rows: list[tuple], age_band: str) -> dict[str, list]:
    """`with_complete` of the reach of young people supported in `age_band`
    (reach_rule.reach_frame of `output_rows`' rows), as plain lists:
    REACH_VIEW_COLUMNS, one value per quarter and tier."""
    reach = reach_rule.reach_rows(rows, "young_people_supported", age_band)
    columns = {
        name: [row[i] for row in reach]
        for i, name in enumerate(reach_rule.REACH_COLUMNS)
    }
    columns["period_end"], columns["complete"] = _ends_and_complete(
        columns["period_start"]
    )
    return columns


def intervention_view(
    *,
    scope: Scope,
    intervention_id,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """intervention_detail, its quarters `with_complete`."""
    detail = intervention_activity.intervention_detail(
        scope=scope, intervention_id=intervention_id, start=start, end=end
    )
    return detail | {"quarters": with_complete(detail["quarters"])}


def area_view(
    *,
    scope: Scope,
    area_code: str,
    lad_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    age_band: str = "all",
) -> dict[str, Any]:
    """summary (tier_summary's columns as lists: tier_activity.summary_columns),
    reach (reach_over_time of young people supported in `age_band`, with
    period_end and `complete` per quarter: `reach_columns`, lists), totals
    (area_totals), breakdown (area_breakdown's columns as lists:
    area_activity.breakdown_columns; None with a local authority, where the
    core unit does not count), reconciles (whether the breakdown
    adds up to the totals' spend, to the penny; None without a breakdown),
    plan_summary (`plan_summary` of tier_plan), events (annotations over the
    reach chart's quarters; None without reach). Plain lists where the page
    reads column by column: frames made only to be taken apart cost a page
    view more than the reads."""
    # One scope check for the whole view; the parts are then read unscoped
    # (each public reader would check, and look the areas up, again).
    where = checked_where(scope, area_code, lad_code, start, end)
    code, lad, first, last = where
    if age_band not in AGE_BANDS:
        raise InvalidParameter("age", "age must be 'all' or 'under25'")
    # Reach by quarter and the tier totals from one ask of their one read.
    outputs = reach_rule.output_rows(*where)
    reach = reach_columns(outputs, age_band)
    plan = tier_activity.plan_rows(code, lad)
    view = {
        "summary": tier_activity.summary_columns(
            *where, outputs=reach_rule.tier_totals(outputs)
        ),
        "reach": reach,
        "totals": area_activity.area_totals_of(*where),
        # Most areas record no plan: no frame to find that out.
        "plan_summary": plan_summary(tier_activity.plan_frame_of(plan))
        if plan
        else None,
        "breakdown": None,
        "reconciles": None,
        "events": None,
    }
    if reach["period_start"]:
        view["events"] = annotations_for(
            scope,
            lad_code or area_code,
            None,
            min(reach["period_start"]),
            max(reach["period_end"]),
        )
    if not lad_code:
        view["breakdown"] = breakdown = area_activity.breakdown_columns(
            code, first, last
        )
        # summed as pandas sums a column (numpy's pairwise sum, NaN as 0)
        spent = np.nansum(np.array(breakdown["spend"], dtype=float))
        gap = spent - view["totals"]["spend"]
        view["reconciles"] = bool(abs(gap) < 0.005)
    return view


def plan_summary(plan: pd.DataFrame) -> dict[str, Any] | None:
    """A tier_plan in figures: years (labels, in order), total (planned),
    sources (titles, in order) and by_tier (tier, planned, share of the total,
    tiers in order); None without a plan."""
    if plan.empty:
        return None
    total = float(plan["planned"].sum())
    by_tier = plan.groupby("tier", as_index=False)["planned"].sum()
    return {
        "years": list(dict.fromkeys(plan["year_label"])),
        "total": total,
        "sources": list(dict.fromkeys(plan["source_title"])),
        "by_tier": by_tier.assign(share=by_tier["planned"] / total),
    }
