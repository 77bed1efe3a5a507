"""The /prevention overview charts as they were built before issue 19 (one
pandas operation per figure), kept as the reference that
test_prevention_charts_reference compares the plain-column versions with.
Copied unchanged from components/prevention_charts.py at 1ec19a5."""

# ruff: noqa

from __future__ import annotations

import pandas as pd

from components import part_periods
from components.annotation_marks import mark_events
from components.bar_figures import bar_figure
from components.chart import ChartSpec
from components.chart_text import summary_for_series
from components.formatting import money, number, percent
from components.prevention_charts import (
    OUTPUT_LABELS,
    PAGE,
    SOURCE_NOTE,
    TIER_NAMES,
    TIER_ORDER,
)
from components.trend_figure import trend_figure


def _outputs_chart(summary, where, period, illustrative) -> ChartSpec:
    rows = []
    for r in summary.itertuples():
        for key, label in OUTPUT_LABELS.items():
            rows.append(
                {"Output": label, "Tier": TIER_NAMES[r.tier], "Count": getattr(r, key)}
            )
    table = pd.DataFrame(rows)
    top = summary.sort_values("young_people_supported", ascending=False).iloc[0]
    title = (
        f"{TIER_NAMES[top.tier]} prevention supported the most young people in "
        f"{where}: {number(top.young_people_supported)}"
        if top.young_people_supported
        else f"No outputs are recorded for {where} in this period"
    )
    return ChartSpec(
        chart_id=f"{PAGE}-outputs",
        title=title,
        caption=f"Outputs by type and prevention tier, {where}, {period}. Counts "
        "add up quarterly returns.",
        source=SOURCE_NOTE,
        figure=bar_figure(
            table,
            x="Output",
            y="Count",
            color="Tier",
            color_order=TIER_ORDER,
            barmode="group",
            y_title="Count",
            x_title="",
        ),
        table=table,
        summary="; ".join(
            f"{TIER_NAMES[r.tier]}: {number(r.young_people_supported)} young people "
            f"supported, {number(r.referrals)} referrals, {number(r.sessions)} "
            f"sessions, {number(r.completions)} completions, "
            f"{number(r.staff_trained)} staff trained"
            for r in summary.itertuples()
        )
        + ".",
        illustrative=illustrative,
        empty_message=None if summary["young_people_supported"].sum() else title,
    )


def _reach_chart(reach, where, period, age, events=None) -> ChartSpec:
    """Reach by quarter and tier (prevention_views.area_view's reach): a
    quarter still running is marked and left out of the summary's comparison."""
    who = "Young people aged under 25" if age == "under25" else "Young people"
    reach = reach.assign(
        period=part_periods.quarter_labels(reach["period"], reach["complete"])
    )
    table = pd.DataFrame(
        {
            "Quarter": reach["period"],
            "Tier": reach["tier"].map(TIER_NAMES),
            f"{who} supported": reach["value"],
        }
    )
    part = part_periods.mark_table(table, reach["complete"], "Quarter")
    column = f"{who} supported"
    if reach.empty:
        title = f"No reach is recorded for {where} in this period"
    else:
        latest = reach[reach["period_start"] == reach["period_start"].max()]
        top = latest.sort_values("value", ascending=False).iloc[0]
        title = (
            f"In {top.period}, {TIER_NAMES[top.tier].lower()} prevention reached the "
            f"most: {number(top.value)} {who.lower()} supported"
        )
    figure = trend_figure(
        table,
        x="Quarter",
        y=column,
        series="Tier",
        series_order=TIER_ORDER,
        y_title=column,
        height=380,
    )
    part_periods.mark_points(figure, part)
    whole = part_periods.complete_rows(table)
    summary = (
        summary_for_series(
            whole,
            x="Quarter",
            y=column,
            series="Tier",
            label=f"{who} supported by {{series}} prevention",
        )
        if not whole.empty
        else ""
    )
    table, summary = mark_events(
        figure,
        table,
        summary,
        events,
        table.assign(
            period_start=reach["period_start"].to_list(),
            period_end=reach["period_end"].to_list(),
        ),
        "Quarter",
    )
    return ChartSpec(
        chart_id=f"{PAGE}-reach",
        title=title,
        caption=f"{who} supported by quarter and prevention tier, {where}, {period}."
        + part_periods.note(part, drawn=part_periods.POINTS),
        source=SOURCE_NOTE,
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(reach["illustrative"].any()),
        empty_message=None if not reach.empty else title,
    )


def _spend_chart(summary, where, period, illustrative) -> ChartSpec:
    table = pd.DataFrame(
        {
            "Tier": summary["tier"].map(TIER_NAMES),
            "Spend": summary["spend"].round(2),
            "Share of spend (%)": (summary["spend_share"] * 100).round(1),
            "Planned": summary["planned"],
            "Share of plan (%)": (summary["planned_share"] * 100).round(1),
        }
    )
    has_plan = summary["planned"].notna().any()
    if not has_plan:
        table = table.drop(columns=["Planned", "Share of plan (%)"])
    total = summary["spend"].sum()
    if total:
        top = summary.sort_values("spend", ascending=False).iloc[0]
        title = (
            f"{TIER_NAMES[top.tier]} prevention took the largest share of spend on "
            f"interventions in {where}: {percent(top.spend_share, 0, fraction=True)}"
        )
    else:
        title = f"No spend on interventions is recorded for {where} in this period"
    if has_plan:
        # Against a plan, compare shares: the plan may cover fewer years.
        shares = pd.concat(
            [
                pd.DataFrame(
                    {
                        "Tier": table["Tier"],
                        "Of": "Share of spend",
                        "Share": table["Share of spend (%)"],
                    }
                ),
                pd.DataFrame(
                    {
                        "Tier": table["Tier"],
                        "Of": "Share of plan",
                        "Share": table["Share of plan (%)"],
                    }
                ),
            ],
            ignore_index=True,
        )
        # Coloured by tier (TIER_ORDER), as on every chart of the page.
        figure = bar_figure(
            shares,
            x="Of",
            y="Share",
            color="Tier",
            color_order=TIER_ORDER,
            barmode="group",
            y_title="Share (%)",
            x_title="",
            value_formatter=lambda v: percent(v, 0),
            height=340,
        )
    else:
        figure = bar_figure(
            table,
            x="Tier",
            y="Spend",
            color="Tier",
            color_order=TIER_ORDER,
            y_title="Spend",
            x_title="",
            value_formatter=money,
            height=340,
        )
        figure["layout"]["showlegend"] = False  # the axis names each tier
    return ChartSpec(
        chart_id=f"{PAGE}-spend",
        title=title,
        caption=f"Spend on interventions by prevention tier, {where}, {period}"
        + (
            "; shares of spend against shares of the recorded plan"
            if has_plan
            else "; no plan by tier is recorded"
        )
        + ".",
        source=SOURCE_NOTE,
        figure=figure,
        table=table,
        summary=f"Spend on interventions totalled {money(total)}: "
        + "; ".join(
            f"{TIER_NAMES[r.tier]} {money(r.spend)} "
            f"({percent(r.spend_share, 0, fraction=True)})"
            for r in summary.itertuples()
        )
        + ".",
        illustrative=illustrative,
        empty_message=None if total else title,
        column_formats={"Spend": money, "Planned": money},
    )


def _breakdown_chart(breakdown, totals, area, period, reconciles) -> ChartSpec:
    """Spend by where delivered (area_breakdown); `reconciles`: whether it adds
    up to the force total (prevention_views.area_view)."""
    table = pd.DataFrame(
        {
            "Delivered by": breakdown["name"],
            "Interventions": breakdown["interventions"],
            "Young people supported": breakdown["young_people_supported"],
            "Spend": breakdown["spend"].round(2),
        }
    )
    if breakdown.empty:
        title = f"No activity is recorded for {area.name} in this period"
    else:
        top = breakdown.sort_values("spend", ascending=False).iloc[0]
        title = f"{top['name']} accounted for the most spend: {money(top.spend)}"
    return ChartSpec(
        chart_id=f"{PAGE}-by-area",
        title=title,
        caption=f"Spend and young people supported by delivering local authority, "
        f"force-wide interventions and the core unit, {area.name}, {period}. "
        + (
            f"These add up to the force total of {money(totals['spend'])}."
            if reconciles
            else "These do not add up to the force total: please report this."
        ),
        source=SOURCE_NOTE,
        figure=bar_figure(
            table,
            x="Spend",
            y="Delivered by",
            orientation="h",
            x_title="Spend",
            y_title="",
            value_formatter=money,
            height=120 + 40 * max(len(table), 1),
        ),
        table=table,
        summary="; ".join(
            f"{r.name}: {money(r.spend)}, {number(r.young_people_supported)} young "
            "people supported"
            for r in breakdown.itertuples()
        )
        + ".",
        illustrative=bool(breakdown["illustrative"].any()),
        empty_message=None if not breakdown.empty else title,
        column_formats={"Spend": money},
    )
