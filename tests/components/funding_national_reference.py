"""/funding's national ranking as it was drawn before issue 19 (a frame
operation per column, the top row by iloc and the links row by row through
itertuples), kept as the reference that test_funding_national_reference compares
the list-based version with. Copied unchanged from components/funding_tables.py
at 1ec19a5."""

# ruff: noqa

from __future__ import annotations

import pandas as pd
from dash import html

from components.bar_figures import ranked_bar_figure
from components.chart import ChartSpec, chart_card
from components.chart_text import summary_for_ranking
from components.figure_layout import axis
from components.formatting import money
from components.funding_tables import (
    PAGE,
    RANKED_MIN_WIDTH,
    data_status,
    figures_table,
    funding_url,
    link_table,
    precedence_note,
)
from components.shell import message


def source_text(frame: pd.DataFrame, column: str = "source_title") -> str:
    """components.funding_tables.source_text at 1ec19a5 (frames only)."""
    from components.funding_tables import ILLUSTRATIVE_SOURCE

    titles = [t for t in dict.fromkeys(frame[column].dropna().tolist())]
    real = [t for t in titles if "Illustrative" not in t]
    parts = real[:3]
    if len(real) > 3:
        parts.append(f"and {len(real) - 3} other published sources")
    if len(real) < len(titles):
        parts.append(ILLUSTRATIVE_SOURCE)
    return "; ".join(parts) or ILLUSTRATIVE_SOURCE


def national_parts(view: dict) -> list:
    """funding_views.national_view drawn: allocations are whole-year grants, so
    a year still running is not marked as a part year here."""
    fy, label = view["year"]["financial_year"], view["year"]["label"]
    summary = view["summary"]
    out: list = []
    if summary.empty:
        out.append(
            message(f"No force area allocations have been published for {label}.")
        )
    else:
        top = summary.iloc[0]
        table = pd.DataFrame(
            {
                "Force area": summary["area_name"],
                "Financial year": summary["fy_label"],
                "Home Office VRU allocation (£)": summary["vru_allocation"],
                "Precision": summary["precision_words"],
                "As published": summary["amount_as_published"].fillna("–"),
                "Figures published": summary["figures_published"],
                "All funders and programmes (£)": summary["all_funders_total"],
                "Source": summary["source_title"],
                "Data status": summary["illustrative"].map(data_status),
            }
        )
        fig = ranked_bar_figure(
            table,
            label="Force area",
            value="Home Office VRU allocation (£)",
            value_title="Home Office VRU allocation",
            value_formatter=money,
            # the value axis in the labels' words ("£2m"), as /funding now draws it
            ticks_in_words=True,
        )
        illustrative = bool(summary["illustrative"].any())
        out.append(
            chart_card(
                ChartSpec(
                    chart_id=f"{PAGE}-national",
                    title=(
                        f"In {label} {top['area_name']} had the largest Home Office "
                        f"VRU allocation: {money(top['vru_allocation'])} "
                        f"({top['precision_words']})"
                    ),
                    caption=(
                        f"Home Office VRU grant by force area, {label}: the figure "
                        "chosen by the precedence rule where sources disagree; its "
                        "precision in words. Choose a force area to drill down."
                    ),
                    figure=fig,
                    table=table,
                    summary=summary_for_ranking(
                        table,
                        label="Force area",
                        value="Home Office VRU allocation (£)",
                        measure=f"Home Office VRU allocation {label}",
                        value_formatter=money,
                        noun="force areas",
                    ),
                    illustrative=illustrative,
                    source=source_text(summary),
                    column_formats={
                        "Home Office VRU allocation (£)": money,
                        "All funders and programmes (£)": money,
                    },
                    csv_filename=f"funding-allocations-{fy}.csv",
                    min_width=RANKED_MIN_WIDTH,
                )
            )
        )
        out.append(
            html.Section(
                [
                    html.H2("Drill down to a force area"),
                    link_table(
                        [
                            (
                                r.area_name,
                                funding_url(r.area_code, fy),
                                [
                                    money(r.vru_allocation),
                                    r.precision_words,
                                    data_status(r.illustrative),
                                ],
                            )
                            for r in summary.itertuples()
                        ],
                        caption=f"Force areas with a Home Office VRU grant, {label}",
                        headers=["Force area", "Allocation", "Precision", "Status"],
                        table_id=f"{PAGE}-force-links",
                    ),
                ],
                className="funding-section",
            )
        )
    national = view["national"]
    if not national.empty:
        out.append(
            html.Section(
                [
                    html.H2(f"National totals published for {label}"),
                    figures_table(national, f"National totals published, {label}"),
                ],
                className="funding-section",
            )
        )
    every = view["every"]
    out.append(
        html.Section(
            [
                html.H2(f"Every figure for force areas, {label}"),
                html.P(
                    f"{len(every)} figures, including those not chosen where sources "
                    "disagree; illustrative figures stand in only where nothing is "
                    "published."
                ),
                html.Details(
                    [
                        html.Summary("Show every figure"),
                        figures_table(every, f"Every published figure, {label}"),
                    ]
                ),
                precedence_note(view["year"]["precedence_rule"]),
            ],
            className="funding-section",
        )
    )
    return out
