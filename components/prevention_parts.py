"""The /prevention page's parts that are not charts: a tier's card, the plan
note, and the paged list of a tier's interventions (its rows and page links).
Pure presentation: the figures come from data_access.activity through the page;
`href` is the page's link maker (tier, intervention, page).
"""

from __future__ import annotations

import functools
from collections import namedtuple

import pandas as pd
from dash import dcc, html

from components.formatting import money, number, percent
from components.intervention_list import Paging, page_window
from components.prevention_charts import PAGE, TIER_NAMES


def tier_rows(summary: dict[str, list]) -> list[tuple]:
    """The tier summary's columns (tier_activity.summary_columns) as one
    named tuple per tier, the rows `tier_card` draws (as a frame's
    itertuples gave them, without the frame)."""
    row = _row_type(tuple(summary))
    return [row(*values) for values in zip(*summary.values(), strict=True)]


@functools.lru_cache(maxsize=4)
def _row_type(fields: tuple[str, ...]) -> type:
    """The named tuple of these fields, made once (making one costs more than
    a tier card)."""
    return namedtuple("TierRow", fields)  # noqa: PYI024 - fields by column


@functools.cache
def _term(label: str) -> html.Dt:
    """A tier card's fact name (one of a fixed few), made once per process and
    shared by every card: a constant component, never changed once made."""
    return html.Dt(label)


def tier_card(row, href) -> html.Section:
    """One tier's card: its figures and a link to its interventions
    (`href(tier=...)` makes the link); `row` one of `tier_rows`."""
    name = TIER_NAMES[row.tier]
    under25 = (
        f" ({percent(row.young_people_under25 / row.young_people_supported, 0, fraction=True)} aged under 25)"  # noqa: E501
        if row.young_people_supported
        else ""
    )
    facts = [
        ("Interventions", number(row.interventions)),
        (
            "Young people supported",
            number(row.young_people_supported) + under25,
        ),
        ("Referrals", number(row.referrals)),
        ("Sessions", number(row.sessions)),
        ("Completions", number(row.completions)),
        ("Staff trained", number(row.staff_trained)),
        ("Spend", money(row.spend)),
        ("Share of spend", percent(row.spend_share, 0, fraction=True)),
    ]
    if not pd.isna(row.planned_share):
        facts.append(("Share of plan", percent(row.planned_share, 0, fraction=True)))
    link_text = (
        f"See the {number(row.interventions)} {row.tier} interventions"
        if row.interventions != 1
        else f"See the {row.tier} intervention"
    )
    return html.Section(
        [
            html.H3(row.tier_label),
            html.Dl(
                [
                    part
                    for label, value in facts
                    for part in (_term(label), html.Dd(value))
                ],
                className="prevention-facts",
            ),
            dcc.Link(
                link_text,
                href=href(tier=row.tier),
                id={"type": f"{PAGE}-tier-link", "tier": row.tier},
                className="prevention-drill-link",
            )
            if row.interventions
            else html.P(f"No {name.lower()} interventions recorded."),
        ],
        className=f"prevention-tier prevention-tier--{row.tier}",
    )


def plan_note(plan: dict | None, where: str):
    """The VRU's spending plan by tier (prevention_views.plan_summary) in
    words, or that none is recorded."""
    if plan is None:
        return html.P(
            f"No spending plan by tier is recorded for {where}, so spend "
            "cannot be compared with a plan.",
            className="prevention-plan-note",
            id=f"{PAGE}-plan-note",
        )
    years, total = ", ".join(plan["years"]), plan["total"]
    sources = "; ".join(plan["sources"])
    shares = "; ".join(
        f"{TIER_NAMES[r.tier]} {money(r.planned)} "
        f"({percent(r.share, 0, fraction=True)})"
        for r in plan["by_tier"].itertuples()
    )
    return html.P(
        [
            html.Strong("Plan recorded: "),
            f"{money(total)} allocated to interventions for {years}: {shares}. "
            "The share of plan in the tier cards covers the plan's years within "
            "the chosen period; spend covers the whole period. ",
            html.Span(f"Source: {sources}.", className="chart-source"),
        ],
        className="prevention-plan-note",
        id=f"{PAGE}-plan-note",
    )


def list_row(href, tier: str, page: int, intervention_id, row: tuple) -> html.Tr:
    """One row of `intervention_rows` as table cells, its name a link."""
    name, delivered_by, rating, people, under25, spend = row
    return html.Tr(
        [
            html.Th(
                dcc.Link(
                    name,
                    # The page goes along so that the breadcrumb leads back.
                    href=href(tier=tier, intervention=str(intervention_id), page=page),
                    id={
                        "type": f"{PAGE}-intervention-link",
                        "id": int(intervention_id),
                    },
                ),
                scope="row",
            ),
            html.Td(delivered_by),
            html.Td(rating),
            html.Td(number(people), className="text-end"),
            html.Td(number(under25), className="text-end"),
            html.Td(money(spend), className="text-end"),
        ]
    )


def pagination(href, tier: str, paging: Paging, name: str) -> html.Nav:
    """Previous / page numbers / Next as links (GOV.UK's pattern with
    Bootstrap's classes): every one a URL, so keyboard, back/forward and
    bookmarks all work."""

    def item(page: int, label: list, *, current: bool = False) -> html.Li:
        # aria-current on the item, as in the breadcrumbs and Bootstrap's
        # example (dcc.Link takes no aria attributes).
        return html.Li(
            dcc.Link(label, href=href(tier=tier, page=page), className="page-link"),
            className="page-item" + (" active" if current else ""),
            **({"aria-current": "page"} if current else {}),
        )

    def hidden(text: str) -> html.Span:
        return html.Span(text, className="visually-hidden")

    items = []
    if paging.page > 1:
        items.append(item(paging.page - 1, ["Previous", hidden(" page")]))
    for page in page_window(paging.page, paging.pages):
        if page is None:  # a run of pages left out
            items.append(
                html.Li(
                    html.Span("…", className="page-link"),
                    className="page-item disabled",
                )
            )
        else:
            label = [hidden("Page "), str(page)]
            items.append(item(page, label, current=page == paging.page))
    if paging.page < paging.pages:
        items.append(item(paging.page + 1, ["Next", hidden(" page")]))
    return html.Nav(
        html.Ul(items, className="pagination flex-wrap"),
        id=f"{PAGE}-interventions-pages",
        **{"aria-label": f"Pages of {name.lower()} interventions"},
    )
