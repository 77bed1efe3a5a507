"""The /funding page's spend parts: burn rate and forecast outturn, cumulative
spend by quarter against a straight line, spend by tier, by local authority and
by intervention, cost per young person, and one intervention's quarters. Pure
presentation: the figures come from data_access.money.funding_views.

A financial year still running (funding_views.year_view "part") is marked on
every chart of its spend: the bars lighter and dotted, the axis title and the
caption saying "part year: Q1-Q2", a "Period status" column in the table and
CSV; a quarter still running is marked the same way (components.part_periods)
and left out of the summary's first-to-last comparison.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from components import part_periods
from components.annotation_marks import mark_events
from components.bar_figures import RANKED_MIN_WIDTH, bar_figure, ranked_bar_figure
from components.chart import ChartSpec, chart_card
from components.chart_text import summary_for_ranking, summary_for_series
from components.figure_layout import axis
from components.formatting import is_missing, money, number, percent
from components.funding_tables import (
    ILLUSTRATIVE_SOURCE,
    PAGE,
    TIER_LABELS,
    figures_table,
    funding_url,
    link_table,
    outside_access,
    unit_cost,
)
from components.shell import illustrative_badge, message
from components.trend_figure import trend_figure

SPEND_FORMATS = {"Spend (£)": money, "Cost per young person (£)": unit_cost}


def _source(frame: pd.DataFrame) -> str:
    """Where a chart's spend comes from: the returns, or illustrative data."""
    return ILLUSTRATIVE_SOURCE if frame["illustrative"].any() else "VRU returns"


def spend_parts(area, view: dict) -> list:
    """funding_views.force_view's spend drawn (or, outside the caller's
    access, a message saying so)."""
    year = view["year"]
    fy, label = year["financial_year"], year["long_label"]
    spend = view["spend"]
    if spend is None:
        return [html.H2(f"Spend, {year['label']}"), outside_access(area)]
    burn = spend["burn"]
    out: list = [html.H2(f"{area.name}: spend, {label}")]
    if not burn["has_spend"]:
        out.append(message(f"No spend has been reported for {area.name} in {label}."))
        return out
    out.append(burn_summary(burn))
    out.append(
        quarter_card(
            area.name,
            spend["quarters"],
            year,
            chart_id=f"{PAGE}-quarters",
            events=spend["events"],
        )
    )
    out.append(tier_card(area, spend["tiers"], year))
    by_area = spend["by_area"]
    out.append(
        html.Section(
            [
                html.H3(f"Spend by local authority, {label}"),
                html.P(
                    "A local authority's spend is the spend on the interventions it "
                    "delivers; the core team and force-wide interventions are shown "
                    "separately. Together they add up to the force area's spend of "
                    f"{money(spend['by_area_total'])}."
                ),
                *([illustrative_badge()] if by_area["illustrative"].any() else []),
                link_table(
                    [
                        (
                            r.area_name,
                            funding_url(area.code, fy, r.area_code)
                            if r.level == "lad"
                            else funding_url(area.code, fy),
                            [
                                money(r.spend)
                                if not is_missing(r.spend)
                                else "No spend recorded",
                                number(r.interventions),
                            ],
                        )
                        for r in by_area.itertuples()
                    ],
                    caption=f"Spend by local authority, {area.name}, {label}",
                    headers=["Where delivered", "Spend", "Interventions"],
                    table_id=f"{PAGE}-lad-links",
                ),
            ],
            className="funding-section",
        )
    )
    out += intervention_parts(
        spend["by_intervention"], area.code, area.name, year, area_for_links=area.code
    )
    return out


def burn_summary(burn: dict):
    label = burn["fy_label"]
    items = []

    def item(term, *detail):
        items.extend([html.Dt(term), html.Dd(list(detail))])

    if burn["allocation"] is not None:
        item(
            "Allocation (Home Office VRU grant)",
            html.Strong(money(burn["allocation"])),
            f" ({burn['allocation_precision_words']}"
            + (
                f", published as {burn['allocation_as_published']}"
                if burn["allocation_as_published"]
                else ""
            )
            + f"; source: {burn['allocation_source']})",
        )
    else:
        item("Allocation", "No Home Office VRU allocation recorded for this year.")
    item(
        f"Spent to the end of {burn['last_quarter_label']}",
        html.Strong(money(burn["spent_to_date"])),
    )
    if burn["burn_rate"] is not None:
        gap = burn["burn_vs_expected"] * 100
        words = (
            "on the straight line"
            if abs(gap) < 0.5
            else f"{number(abs(gap))} percentage points "
            + ("ahead of" if gap > 0 else "behind")
            + " the straight line"
        )
        item(
            "Burn rate",
            html.Strong(percent(burn["burn_rate"], 0, fraction=True)),
            " of the allocation spent, against "
            f"{percent(burn['expected_burn'], 0, fraction=True)} "
            f"expected on a straight line by {burn['last_quarter_label']} ({words})"
            + (
                " – approximate, as the allocation is not exact"
                if burn["approximate"]
                else ""
            )
            + ".",
        )
    if burn["year_complete"]:
        item("Outturn (year complete)", html.Strong(money(burn["forecast_outturn"])))
    else:
        item(
            "Forecast outturn at 31 March",
            html.Strong(money(burn["forecast_outturn"])),
            f" ({burn['method_words']})",
        )
    left = burn["projected_underspend"]
    if left is not None:
        done = burn["year_complete"]
        what = "underspend to repay" if left >= 0 else "overspend of the grant"
        term = what.capitalize() if done else f"Projected {what}"
        item(term, html.Strong(money(abs(left))))
    return html.Section(
        [
            html.H3(f"Burn rate and forecast outturn, {label}"),
            *([illustrative_badge()] if burn["illustrative"] else []),
            html.Dl(items, className="funding-burn", id=f"{PAGE}-burn"),
            html.Details(
                [html.Summary("How the forecast is made"), html.P(burn["method"])]
            ),
        ],
        className="funding-section funding-burn-card",
    )


def quarter_card(
    name: str, quarters: pd.DataFrame, year: dict, *, chart_id: str, events=None
):
    """Cumulative spend by quarter (spend_by_quarter, with funding_views'
    `complete` flag per quarter) against a straight line to the allocation."""
    fy, label = year["financial_year"], year["long_label"]
    has_allocation = bool(quarters["allocation"].notna().any())
    quarters = quarters.assign(
        period_label=part_periods.quarter_labels(
            quarters["period_label"], quarters["complete"]
        )
    )
    table = pd.DataFrame(
        {
            "Quarter": quarters["period_label"],
            "Spend in quarter (£)": quarters["spend"],
            "Cumulative spend (£)": quarters["cumulative_spend"],
        }
    )
    if has_allocation:
        table["Allocation (£)"] = quarters["allocation"]
        table["Straight-line expectation (£)"] = quarters["expected_spend"]
        table["Burn rate (% of allocation)"] = (
            quarters["cumulative_share"] * 100
        ).round(1)
        table["Straight-line (% of allocation)"] = (
            quarters["expected_share"] * 100
        ).round(1)
    part = part_periods.mark_table(table, quarters["complete"], "Quarter")
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "Quarter": quarters["period_label"],
                    "Series": "Cumulative spend",
                    "Amount": quarters["cumulative_spend"],
                }
            )
        ]
        + (
            [
                pd.DataFrame(
                    {
                        "Quarter": quarters["period_label"],
                        "Series": "Straight-line expectation",
                        "Amount": quarters["expected_spend"],
                    }
                )
            ]
            if has_allocation
            else []
        )
    )
    fig = trend_figure(
        long,
        x="Quarter",
        y="Amount",
        series="Series",
        y_title="Cumulative spend",
        value_formatter=money,
        height=360,
    )
    axis(fig, "y").update(tickprefix="£", tickformat=",")
    part_periods.mark_points(fig, part)
    table, summary = mark_events(
        fig,
        table,
        summary_for_series(
            long[~long["Quarter"].isin(part)],
            x="Quarter",
            y="Amount",
            series="Series",
            label="{series}",
            value_formatter=money,
        ),
        events,
        quarters,
        "period_label",
    )
    last = quarters.iloc[-1]
    if has_allocation:
        title = (
            f"By {last['period_label']} {name} had spent "
            f"{percent(last['cumulative_share'], 0, fraction=True)} of its "
            f"{year['label']} allocation, against "
            f"{percent(last['expected_share'], 0, fraction=True)} on a straight line"
        )
    else:
        title = (
            f"{name} had spent {money(last['cumulative_spend'])} "
            f"by {last['period_label']}"
        )
    return chart_card(
        ChartSpec(
            chart_id=chart_id,
            title=title,
            caption=(
                f"Cumulative spend by quarter, {name}, {label}"
                + (
                    ", against a straight line to the allocation by 31 March"
                    if has_allocation
                    else ""
                )
                + "."
                + part_periods.note(part, drawn=part_periods.POINTS)
            ),
            figure=fig,
            table=table,
            summary=summary,
            illustrative=bool(quarters["illustrative"].any()),
            source=_source(quarters),
            column_formats={c: money for c in table.columns if "(£)" in c},
            csv_filename=f"{chart_id}-{fy}.csv",
        ),
        heading_level=3,
    )


def _mark_part_year(fig, table: pd.DataFrame, column: str, year: dict) -> None:
    """Every bar of a chart of one part year lighter and dotted, and a Period
    status column in its table (and so its CSV)."""
    if year["part"]:
        part_periods.mark_bars(fig, table[column].astype(str))
        table[part_periods.PERIOD_COLUMN] = year["status"]


def tier_card(area, tiers: pd.DataFrame, year: dict):
    """Spend by tier in one year (funding_views.force_view's tiers)."""
    fy, label = year["financial_year"], year["long_label"]
    table = pd.DataFrame(
        {
            "Tier": tiers["tier"].map(TIER_LABELS),
            "Interventions": tiers["interventions"],
            "Spend (£)": tiers["spend"],
            "Young people supported": tiers["young_people"].astype("float"),
            "Cost per young person (£)": tiers["cost_per_young_person"].round(2),
        }
    ).reset_index(drop=True)
    fig = bar_figure(
        table,
        x="Tier",
        y="Spend (£)",
        x_title=f"Prevention tier, {label}",
        y_title="Spend",
        value_formatter=money,
        height=340,
    )
    _mark_part_year(fig, table, "Tier", year)
    top = table.loc[table["Spend (£)"].idxmax()] if not table.empty else None
    title = (
        f"{top['Tier']} prevention took the most spend in {label}: "
        f"{money(top['Spend (£)'])}"
        if top is not None
        else f"No spend by tier in {label}"
    )
    return chart_card(
        ChartSpec(
            chart_id=f"{PAGE}-tiers",
            title=title,
            caption=(
                f"Spend by prevention tier, {area.name}, {label}, with young people "
                f"supported and cost per young person. {year['reach_caveat']}"
            ),
            figure=fig,
            table=table,
            summary="; ".join(
                f"{r['Tier']}: {money(r['Spend (£)'])}"
                + (
                    f", {unit_cost(r['Cost per young person (£)'])} per young person"
                    if not is_missing(r["Cost per young person (£)"])
                    else ""
                )
                for _, r in table.iterrows()
            ),
            illustrative=bool(tiers["illustrative"].any()),
            source=_source(tiers),
            column_formats=SPEND_FORMATS,
            csv_filename=f"funding-{area.code}-{fy}-by-tier.csv",
        ),
        heading_level=3,
    )


def intervention_parts(frame, code, name, year, *, area_for_links, lad_code=None):
    """Spend by intervention (spend_by_intervention) with links, and cost per
    young person ranked."""
    fy, label = year["financial_year"], year["long_label"]
    if frame.empty:
        return [message(f"No spend on interventions in {name} in {label}.")]
    out = [
        html.Section(
            [
                html.H3(f"Spend by intervention, {label}"),
                *([illustrative_badge()] if frame["illustrative"].any() else []),
                html.P(
                    "Allocations are shown where published; spend where recorded. "
                    + year["reach_caveat"]
                ),
                link_table(
                    [
                        (
                            r.intervention,
                            funding_url(
                                area_for_links, fy, lad_code, int(r.intervention_id)
                            )
                            if not is_missing(r.intervention_id)
                            else None,
                            [
                                TIER_LABELS.get(r.tier, r.tier),
                                r.delivering_area_name,
                                money(r.allocation),
                                money(r.spend),
                                number(r.young_people),
                                money(r.cost_per_young_person, pence=True),
                            ],
                        )
                        for r in frame.itertuples()
                    ],
                    caption=f"Spend by intervention, {name}, {label}",
                    headers=[
                        "Intervention",
                        "Tier",
                        "Delivered in",
                        "Published allocation",
                        "Spend",
                        "Young people supported",
                        "Cost per young person",
                    ],
                    table_id=f"{PAGE}-intervention-links",
                ),
            ],
            className="funding-section",
        )
    ]
    cost = frame[frame["cost_per_young_person"].notna()]
    if not cost.empty:
        table = pd.DataFrame(
            {
                "Intervention": cost["intervention"],
                "Tier": cost["tier"].map(TIER_LABELS),
                "Spend (£)": cost["spend"],
                "Young people supported": cost["young_people"].astype("float"),
                "Cost per young person (£)": cost["cost_per_young_person"].round(2),
            }
        ).reset_index(drop=True)
        top = table.loc[table["Cost per young person (£)"].idxmax()]
        figure = ranked_bar_figure(
            table,
            label="Intervention",
            value="Cost per young person (£)",
            value_title=f"Cost per young person, {label}",
            value_formatter=unit_cost,
        )
        _mark_part_year(figure, table, "Intervention", year)
        out.append(
            chart_card(
                ChartSpec(
                    chart_id=f"{PAGE}-cost",
                    title=(
                        f"{top['Intervention']} cost the most per young person in "
                        f"{label}: {unit_cost(top['Cost per young person (£)'])}"
                    ),
                    caption=(
                        f"Spend per young person supported, by intervention, {name}, "
                        f"{label}. {year['reach_caveat']}"
                    ),
                    figure=figure,
                    table=table,
                    summary=summary_for_ranking(
                        table,
                        label="Intervention",
                        value="Cost per young person (£)",
                        measure=f"Cost per young person, {label}",
                        value_formatter=unit_cost,
                        noun="interventions",
                    ),
                    illustrative=bool(cost["illustrative"].any()),
                    source=_source(cost),
                    column_formats=SPEND_FORMATS,
                    csv_filename=f"funding-{code}-{fy}-cost-per-young-person.csv",
                    min_width=RANKED_MIN_WIDTH,
                ),
                heading_level=3,
            )
        )
    return out


# ------------------------------------------------------- local authority


def lad_parts(area, lad, view: dict) -> list:
    """funding_views.lad_view drawn."""
    year = view["year"]
    label = year["long_label"]
    out: list = [html.H2(f"{lad.name}: spend, {label}")]
    quarters = view["quarters"]
    if quarters is None:
        out.append(outside_access(area))
        return out
    out.append(
        html.P(
            f"{lad.name} is a local authority in {area.name}. No allocation is "
            "published for a local authority on its own, so this shows the spend "
            "on the interventions it delivers."
        )
    )
    if quarters.empty:
        out.append(message(f"No spend on interventions in {lad.name} in {label}."))
        return out
    out.append(
        quarter_card(
            lad.name,
            quarters,
            year,
            chart_id=f"{PAGE}-lad-quarters",
            events=view["events"],
        )
    )
    out += intervention_parts(
        view["by_intervention"],
        lad.code,
        lad.name,
        year,
        area_for_links=area.code,
        lad_code=lad.code,
    )
    return out


# ------------------------------------------------------------ intervention


def intervention_level(info: dict, view: dict) -> list:
    """One intervention's facts and funding_views.intervention_view drawn."""
    year = view["year"]
    fy, label = year["financial_year"], year["long_label"]
    details = [
        ("Force area", info["vru_area_name"]),
        ("Delivered in", info["delivering_area_name"]),
        ("Prevention tier", TIER_LABELS.get(info["tier"], info["tier"])),
        ("Workstream", info["workstream"] or "–"),
        ("Provider", info["provider"] or "–"),
        ("Description", info["description"] or "–"),
        ("Source", info["source_title"]),
    ]
    out: list = [
        html.H2(info["name"]),
        *([illustrative_badge()] if info["illustrative"] else []),
        html.Dl(
            [
                part
                for term, value in details
                for part in (html.Dt(term), html.Dd(value))
            ],
            className="funding-details",
        ),
    ]
    figures = view["figures"]
    if not figures.empty:
        out += [
            html.H3(f"Published allocation, {year['label']}"),
            figures_table(
                figures, f"Published allocation for {info['name']}, {year['label']}"
            ),
        ]
    quarters = view["quarters"]
    if quarters.empty:
        out.append(
            message(f"No spend or reach recorded for {info['name']} in {label}.")
        )
        return out
    table = pd.DataFrame(
        {
            "Quarter": part_periods.quarter_labels(
                quarters["period_label"], quarters["complete"]
            ),
            "Spend (£)": quarters["spend"],
            "Young people supported": quarters["young_people"].astype("float"),
            "Cost per young person (£)": quarters["cost_per_young_person"].round(2),
        }
    )
    part = part_periods.mark_table(table, quarters["complete"], "Quarter")
    spent, people = view["spent"], view["people"]
    fig = bar_figure(
        table,
        x="Quarter",
        y="Spend (£)",
        x_title="Quarter",
        y_title="Spend",
        value_formatter=money,
        height=340,
    )
    part_periods.mark_bars(fig, part)
    title = f"{info['name']} spent {money(spent)} in {label}"
    if people:
        title += (
            f" and supported {number(people)} young people: "
            f"{money(view['cost'], pence=True)} per young person"
        )
    out.append(
        chart_card(
            ChartSpec(
                chart_id=f"{PAGE}-intervention-quarters",
                title=title,
                caption=(
                    f"Spend and young people supported by quarter, {info['name']}, "
                    f"{label}. {year['reach_caveat']}"
                    + part_periods.note(part, drawn=part_periods.BARS, compared=False)
                ),
                figure=fig,
                table=table,
                summary="; ".join(
                    f"{r['Quarter']}: {money(r['Spend (£)'])} spent, "
                    + (
                        f"{number(r['Young people supported'])} young people"
                        if not is_missing(r["Young people supported"])
                        else "no young people reported"
                    )
                    for _, r in table.iterrows()
                ),
                illustrative=bool(quarters["illustrative"].any()),
                source=_source(quarters),
                column_formats=SPEND_FORMATS,
                csv_filename=f"funding-intervention-{info['intervention_id']}-{fy}.csv",
            ),
            heading_level=3,
        )
    )
    return out
