"""The /prevention page's charts as ChartSpecs (components.chart): the tier
headline, outputs, reach by quarter, spend, the breakdown by local authority, the
interventions ranked and one intervention's outputs and spend. Pure presentation:
the frames come from data_access.activity through the page's callbacks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import (
    html,
)

from components import part_periods
from components.annotation_marks import mark_events
from components.bar_figures import bar_figure
from components.chart import ChartSpec
from components.chart_text import summary_for_series
from components.formatting import money, number, percent
from components.intervention_list import ROWS_PER_PAGE
from components.shell import illustrative_badge
from components.trend_figure import trend_figure

# The output types as the charts name them.
OUTPUT_LABELS = {
    "young_people_supported": "Young people supported",
    "referrals": "Referrals",
    "sessions": "Sessions",
    "completions": "Completions",
    "staff_trained": "Staff trained",
}
PAGE = "prevention"
TIER_NAMES = {"primary": "Primary", "secondary": "Secondary", "tertiary": "Tertiary"}
# Every tier chart lists the tiers in this order, so each tier keeps one colour
# (the palette's first three, as the tier cards' borders) whichever are present.
TIER_ORDER = list(TIER_NAMES.values())
SOURCE_NOTE = "VRU quarterly returns of outputs and spend"
CHART_TOP = 15  # bars in the interventions chart: beyond ~15 it stops being read


# ------------------------------------------------------------------------ charts


def _headline(where: str, totals: dict, period: str, illustrative: bool):
    people = totals["young_people_supported"]
    under25 = totals["young_people_under25"]
    parts = [
        html.P(
            [
                html.Span(number(people), className="big-number"),
                " young people supported (summed over quarterly returns) by ",
                f"{totals['interventions']} interventions in {where}, {period}",
                f"; {number(under25)} of them aged under 25." if people else ".",
            ]
        ),
        html.P(
            f"Spend {money(totals['spend'])}: {money(totals['spend_interventions'])} "
            f"on interventions and {money(totals['spend_core'])} on the core unit "
            "(staff, analysis, coordination)."
            if totals["spend_core"]
            else f"Spend on these interventions {money(totals['spend'])}."
        ),
    ]
    return html.Section(
        [*([illustrative_badge()] if illustrative else []), *parts],
        className="prevention-headline",
        **{"aria-label": "Headline figures"},
    )


def _first_largest(values: list) -> int:
    """The position of the largest value, the first of equal ones: the row a
    stable descending sort puts first (pandas sorts a tier frame's three rows
    by insertion, which is stable), found without sorting a frame."""
    return max(range(len(values)), key=values.__getitem__)


def _outputs_chart(summary, where, period, illustrative) -> ChartSpec:
    """Outputs by type and tier (tier_summary's columns as lists: area_view's
    summary): its three rows do not need a frame operation per figure."""
    tiers = summary["tier"]
    outputs = {key: summary[key] for key in OUTPUT_LABELS}
    people = outputs["young_people_supported"]
    table = pd.DataFrame(
        {
            "Output": [label for _ in tiers for label in OUTPUT_LABELS.values()],
            "Tier": [TIER_NAMES[tier] for tier in tiers for _ in OUTPUT_LABELS],
            "Count": [
                outputs[key][row] for row in range(len(tiers)) for key in OUTPUT_LABELS
            ],
        }
    )
    top = _first_largest(people)
    title = (
        f"{TIER_NAMES[tiers[top]]} prevention supported the most young people in "
        f"{where}: {number(people[top])}"
        if people[top]
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
            f"{TIER_NAMES[tier]}: {number(people[row])} young people "
            f"supported, {number(outputs['referrals'][row])} referrals, "
            f"{number(outputs['sessions'][row])} sessions, "
            f"{number(outputs['completions'][row])} completions, "
            f"{number(outputs['staff_trained'][row])} staff trained"
            for row, tier in enumerate(tiers)
        )
        + ".",
        illustrative=illustrative,
        empty_message=None if sum(people) else title,
    )


def _reach_chart(reach, where, period, age, events=None) -> ChartSpec:
    """Reach by quarter and tier (prevention_views.area_view's reach, columns
    as lists): a quarter still running is marked and left out of the
    summary's comparison."""
    who = "Young people aged under 25" if age == "under25" else "Young people"
    column = f"{who} supported"
    complete = np.array(reach["complete"], dtype=bool)
    labels = part_periods.quarter_labels(reach["period"], complete)
    tiers = reach["tier"]
    values = reach["value"]
    empty = not tiers
    table = pd.DataFrame(
        {
            "Quarter": labels,
            "Tier": [TIER_NAMES[tier] for tier in tiers]
            if tiers
            # typed as mapping a frame's empty column typed it before
            else pd.Series([], dtype=object).map(TIER_NAMES),
            column: values if tiers else pd.Series([], dtype=object),
        }
    )
    part = part_periods.mark_table(table, complete, "Quarter")
    if empty:
        title = f"No reach is recorded for {where} in this period"
    else:
        starts = reach["period_start"]
        latest_start = max(starts)
        latest = [row for row, start in enumerate(starts) if start == latest_start]
        top = latest[_first_largest([values[row] for row in latest])]
        title = (
            f"In {labels[top]}, {TIER_NAMES[tiers[top]].lower()} prevention reached "
            f"the most: {number(values[top])} {who.lower()} supported"
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
    if events is not None and not events.empty:  # mark_events needs the dates
        table, summary = mark_events(
            figure,
            table,
            summary,
            events,
            table.assign(
                period_start=reach["period_start"], period_end=reach["period_end"]
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
        illustrative=any(reach["illustrative"]),
        empty_message=None if not empty else title,
    )


def _spend_chart(summary, where, period, illustrative) -> ChartSpec:
    """Spend by tier (tier_summary's columns as lists), against the plan's
    shares when a plan is recorded. Rounded with numpy, as pandas rounds, on
    the three values."""
    tiers = summary["tier"]
    names = [TIER_NAMES[tier] for tier in tiers]
    spend = np.array(summary["spend"], dtype=float)
    spend_list = spend.tolist()
    spend_share = np.array(summary["spend_share"], dtype=float)
    spend_pct = (spend_share * 100).round(1)
    planned = np.array(summary["planned"], dtype=float)
    plan_pct = (np.array(summary["planned_share"], dtype=float) * 100).round(1)
    has_plan = bool((~np.isnan(planned)).any())
    columns = {"Tier": names, "Spend": spend.round(2), "Share of spend (%)": spend_pct}
    if has_plan:
        columns.update({"Planned": planned, "Share of plan (%)": plan_pct})
    table = pd.DataFrame(columns)
    total = spend.sum()
    if total:
        top = _first_largest(spend_list)
        title = (
            f"{names[top]} prevention took the largest share of spend on "
            f"interventions in {where}: "
            f"{percent(spend_share[top], 0, fraction=True)}"
        )
    else:
        title = f"No spend on interventions is recorded for {where} in this period"
    if has_plan:
        # Against a plan, compare shares: the plan may cover fewer years.
        shares = pd.DataFrame(
            {
                "Tier": names + names,
                "Of": ["Share of spend"] * len(names) + ["Share of plan"] * len(names),
                "Share": [*spend_pct.tolist(), *plan_pct.tolist()],
            }
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
            f"{names[row]} {money(spend_list[row])} "
            f"({percent(share, 0, fraction=True)})"
            for row, share in enumerate(spend_share.tolist())
        )
        + ".",
        illustrative=illustrative,
        empty_message=None if total else title,
        column_formats={"Spend": money, "Planned": money},
    )


def _breakdown_chart(breakdown, totals, area, period, reconciles) -> ChartSpec:
    """Spend by where delivered (area_breakdown's columns as lists: area_view's
    breakdown); `reconciles`: whether it adds up to the force total
    (prevention_views.area_view)."""
    names = breakdown["name"]
    spend = np.array(breakdown["spend"], dtype=float)
    people = breakdown["young_people_supported"]
    if names:
        table = pd.DataFrame(
            {
                "Delivered by": names,
                "Interventions": breakdown["interventions"],
                "Young people supported": people,
                "Spend": spend.round(2),  # as pandas rounds a column
            }
        )
    else:  # typed as the empty frame's columns typed it before
        empty = pd.Series([], dtype=object)
        table = pd.DataFrame(
            {
                "Delivered by": empty,
                "Interventions": empty,
                "Young people supported": empty,
                "Spend": empty.round(2),
            }
        )
    if not names:
        title = f"No activity is recorded for {area.name} in this period"
    else:
        # The order pandas' sort gives (unstable past 16 rows), so that equal
        # spends name the same area as before.
        top = int(pd.Series(spend).sort_values(ascending=False).index[0])
        title = f"{names[top]} accounted for the most spend: {money(spend[top])}"
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
            f"{name}: {money(amount)}, {number(count)} young people supported"
            for name, amount, count in zip(names, spend.tolist(), people, strict=True)
        )
        + ".",
        illustrative=any(breakdown["illustrative"]),
        empty_message=None if names else title,
        column_formats={"Spend": money},
    )


def _interventions_chart(ranked, name, where, illustrative) -> ChartSpec:
    """The top CHART_TOP of `ranked` (ranked_interventions); its table, CSV and
    summary hold exactly those, as the chart shows."""
    shown = ranked.head(CHART_TOP)
    table = pd.DataFrame(
        {
            "Intervention": shown["name"],
            "Delivered by": shown["delivering_name"],
            "Young people supported": shown["young_people_supported"],
            "Aged under 25": shown["young_people_under25"],
            "Spend": shown["spend"].round(2),
        }
    )
    top = shown.iloc[0]
    partial = len(ranked) > len(shown)
    if partial:
        of = f"top {len(shown)} of {number(len(ranked))} {name.lower()} interventions"
        title = (
            f"The {of} by young people supported: "
            f"{top['name']} supported the most, {number(top.young_people_supported)}"
        )
        caption = (
            f"Young people supported by the {of} (most first), {where}, summed "
            "over quarterly returns in the period. The table above lists every "
            f"one, {ROWS_PER_PAGE} to a page."
        )
    else:
        title = (
            f"{top['name']} supported the most young people of the "
            f"{name.lower()} interventions: {number(top.young_people_supported)}"
        )
        caption = (
            f"Young people supported by each {name.lower()} intervention, "
            f"{where}, summed over quarterly returns in the period."
        )
    return ChartSpec(
        chart_id=f"{PAGE}-interventions",
        title=title,
        caption=caption,
        source=SOURCE_NOTE,
        # In the tier's own colour (TIER_ORDER), as on the page's other charts.
        figure=bar_figure(
            table.assign(Tier=name),
            x="Young people supported",
            y="Intervention",
            color="Tier",
            color_order=TIER_ORDER,
            orientation="h",
            x_title="Young people supported",
            y_title="",
            height=120 + 40 * len(table),
        ),
        table=table,
        summary=(f"The {of}: " if partial else "")
        + "; ".join(
            f"{r.name}: {number(r.young_people_supported)}" for r in shown.itertuples()
        )
        + ".",
        illustrative=illustrative,
        column_formats={"Spend": money},
    )


def _intervention_outputs_chart(detail, period) -> ChartSpec:
    quarters = detail["quarters"]
    quarters = quarters.assign(
        period=part_periods.quarter_labels(quarters["period"], quarters["complete"])
    )
    table = pd.DataFrame({"Quarter": quarters["period"]})
    for key, label in OUTPUT_LABELS.items():
        if quarters[key].notna().any():
            table[label] = quarters[key]
            if key == "young_people_supported":
                table["Young people aged under 25"] = quarters["young_people_under25"]
    long = table.melt(id_vars="Quarter", var_name="Output", value_name="Count")
    long = long[
        long["Output"].isin(["Young people supported", "Young people aged under 25"])
    ]
    part = part_periods.mark_table(table, quarters["complete"], "Quarter")
    whole = long[~long["Quarter"].isin(part)]
    figure = trend_figure(
        long, x="Quarter", y="Count", series="Output", y_title="Young people"
    )
    part_periods.mark_points(figure, part)
    latest = quarters.dropna(subset=["young_people_supported"])
    title = (
        f"{detail['name']} supported {number(latest.iloc[-1].young_people_supported)}"
        f" young people in {latest.iloc[-1].period}"
        if not latest.empty
        else f"No outputs are recorded for {detail['name']} in this period"
    )
    return ChartSpec(
        chart_id=f"{PAGE}-intervention-outputs",
        title=title,
        caption=f"Quarterly outputs of {detail['name']}, {period}; the table has "
        "every output type recorded."
        + part_periods.note(part, drawn=part_periods.POINTS),
        source=SOURCE_NOTE,
        figure=figure,
        table=table,
        summary=summary_for_series(
            whole, x="Quarter", y="Count", series="Output", label="{series}"
        )
        if not whole.empty
        else "",
        illustrative=bool(quarters["illustrative"].any()) or detail["illustrative"],
        empty_message=None if not latest.empty else title,
    )


def _intervention_spend_chart(detail, period) -> ChartSpec:
    quarters = detail["quarters"].dropna(subset=["spend"])
    quarters = quarters.assign(
        period=part_periods.quarter_labels(quarters["period"], quarters["complete"])
    )
    table = pd.DataFrame(
        {"Quarter": quarters["period"], "Spend": quarters["spend"].round(2)}
    )
    part = part_periods.mark_table(table, quarters["complete"], "Quarter")
    title = (
        f"{money(quarters['spend'].sum())} was spent on {detail['name']} in {period}"
        if not quarters.empty
        else f"No spend is recorded for {detail['name']} in this period"
    )
    figure = bar_figure(
        table,
        x="Quarter",
        y="Spend",
        y_title="Spend",
        x_title="",
        value_formatter=money,
        height=340,
    )
    part_periods.mark_bars(figure, part)
    whole = part_periods.complete_rows(table)
    return ChartSpec(
        chart_id=f"{PAGE}-intervention-spend",
        title=title,
        caption=f"Spend on {detail['name']} by quarter, {period}."
        + part_periods.note(part, drawn=part_periods.BARS),
        source=SOURCE_NOTE,
        figure=figure,
        table=table,
        summary=summary_for_series(
            whole,
            x="Quarter",
            y="Spend",
            label=f"Spend on {detail['name']}",
            value_formatter=money,
        )
        if not whole.empty
        else "",
        illustrative=bool(quarters["illustrative"].any()) or detail["illustrative"],
        empty_message=None if not quarters.empty else title,
        column_formats={"Spend": money},
    )
