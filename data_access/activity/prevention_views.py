"""What the /prevention page's tier overview shows, in one call per page state
(`area_view`), and the part-period flag its quarterly charts need
(`with_complete`). Reads each input once from its one road (`tier_activity`,
`reach_rule`, `area_activity`, `annotations`); the scope checks are theirs.
Returns plain data and DataFrames; components/prevention_charts draws them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    today = clock.today()  # read once, not once a quarter
    ends: dict[dt.date, tuple[dt.date, bool]] = {}  # once a quarter, not a row
    for start in frame["period_start"]:
        if start not in ends:
            end = periods.quarter_end(start)
            ends[start] = (end, periods.is_complete(end, as_at=today))
    rows = [ends[start] for start in frame["period_start"]]
    return frame.assign(
        period_end=[end for end, _complete in rows],
        complete=[complete for _end, complete in rows],
    )


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
    """summary (tier_summary), reach (reach_over_time of young people
    supported in `age_band`, with `complete` per quarter), totals
    (area_totals), plan (tier_plan), breakdown (area_breakdown; None with a
    local authority, where the core unit does not count), reconciles (whether
    the breakdown adds up to the totals' spend, to the penny; None without a
    breakdown), plan_summary (`plan_summary` of the plan), events (annotations
    over the reach chart's quarters; None without reach)."""
    # One scope check for the whole view; the parts are then read unscoped
    # (each public reader would check, and look the areas up, again).
    where = checked_where(scope, area_code, lad_code, start, end)
    code, lad, first, last = where
    if age_band not in AGE_BANDS:
        raise InvalidParameter("age", "age must be 'all' or 'under25'")
    # Reach by quarter and the tier totals from one ask of their one read.
    outputs = reach_rule.output_rows(*where)
    reach = with_complete(
        reach_rule.reach_frame(outputs, "young_people_supported", age_band)
    )
    plan = tier_activity.plan_frame(code, lad)
    view = {
        "summary": tier_activity.summary_frame(
            *where, outputs=reach_rule.tier_totals(outputs)
        ),
        "reach": reach,
        "totals": area_activity.area_totals_of(*where),
        "plan": plan,
        "plan_summary": plan_summary(plan),
        "breakdown": None,
        "reconciles": None,
        "events": None,
    }
    if not reach.empty:
        view["events"] = annotations_for(
            scope,
            lad_code or area_code,
            None,
            reach["period_start"].min(),
            reach["period_end"].max(),
        )
    if not lad_code:
        view["breakdown"] = breakdown = area_activity.breakdown_frame(code, first, last)
        gap = breakdown["spend"].sum() - view["totals"]["spend"]
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
