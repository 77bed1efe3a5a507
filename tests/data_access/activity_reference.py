"""The activity frames as they were read before issue 19 (a frame per memoized
read, summed with pandas), kept as the reference that
test_activity_frames_reference compares the plain-value versions with. Copied
from data_access/activity at 1ec19a5, unmemoized; the statements are the
modules' own (unchanged)."""

# ruff: noqa

from __future__ import annotations

import pandas as pd

from data_access import clock, periods
from data_access.activity.activity_filters import (
    TIER_LABELS,
    _money,
    bound,
    output_column,
)
from data_access.activity.area_activity import BREAKDOWN_COLUMNS, _area_breakdown_query
from data_access.activity.reach_rule import REACH_COLUMNS, _outputs, tier_outputs
from data_access.activity.tier_activity import (
    PLAN_COLUMNS,
    TIER_SUMMARY_COLUMNS,
    _tier_plan_query,
    _tier_summary_query,
)
from data_access.db import read_connection
from data_access.models import OUTPUT_TYPES, TIERS


def tier_summary(
    area_code: str, lad_code: str | None, first: int | None, last: int | None
) -> pd.DataFrame:
    statement, params = bound(_tier_summary_query, area_code, lad_code, first, last)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
    counts = {tier: n for part, tier, n, _s, _i in rows if part == 0}
    spend = [(tier, s, i) for part, tier, _n, s, i in rows if part == 1]
    outputs = tier_outputs(area_code, lad_code, first, last)
    plan = tier_plan(area_code, lad_code)
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
    for (tier, output_type, age_band), (total, illustrative) in outputs.items():
        column = output_column(output_type, age_band)
        if column is None:
            continue
        rows[tier][column] += total
        rows[tier]["illustrative"] |= illustrative
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


def tier_plan(area_code: str, lad_code: str | None) -> pd.DataFrame:
    statement, params = bound(_tier_plan_query, area_code, lad_code, None, None)
    with read_connection() as connection:
        rows = connection.execute(statement, params).all()
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


def area_breakdown(area_code: str, first: int | None, last: int | None):
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
    return pd.DataFrame(records, columns=BREAKDOWN_COLUMNS)


def reach(
    area_code: str,
    lad_code: str | None,
    first: int | None,
    last: int | None,
    output_type: str,
    age_band: str,
) -> pd.DataFrame:
    """REACH_COLUMNS: one output type and age band of _outputs, oldest first."""
    return pd.DataFrame(
        [
            {
                "period_start": start,
                "period": periods.quarter_label(start),
                "tier": tier,
                "tier_label": TIER_LABELS[tier],
                "value": value,
                "illustrative": flag,
            }
            for start, tier, o_type, band, value, flag in _outputs(
                area_code, lad_code, first, last
            )
            if o_type == output_type and band == age_band
        ],
        columns=REACH_COLUMNS,
    )


def with_complete(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with a quarter's period_start, with its period_end and
    `complete`: whether that quarter is over by the app's clock
    (periods.is_complete, the one rule)."""
    ends = [periods.quarter_end(d) for d in frame["period_start"]]
    today = clock.today()  # read once, not once a quarter
    return frame.assign(
        period_end=ends,
        complete=[periods.is_complete(end, as_at=today) for end in ends],
    )
