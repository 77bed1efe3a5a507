"""Overview for the board: are the Home Office success measures moving in the
chosen VRU area, is the money being spent, how many young people are reached, and
what changed since last quarter?

Large type, one control (the area), printable. Each success measure links to its
trend on /violence for the same area (the drill-down).
State in the URL: ?area=E23000036
"""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from components import filters
from components.baseline_text import baseline_sentence
from components.formatting import money as fmt_money
from components.formatting import number
from components.region_figure import rate_text, region_part
from components.shell import illustrative_badge, message
from components.workstream_text import measures_summary
from data_access import board_overview, workstreams
from data_access.areas import NATIONAL_CODE
from data_access.errors import AccessDenied, NotFound, StoreUnavailable
from data_access.periods import fy_label
from web import board_parts
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/",
    title="Overview – VRU Outcomes Monitor",
    name="Overview",
    order=0,
)

PAGE = "overview"
DEFAULT_AREA = "E23000036"  # Avon and Somerset, the first area in the seed papers
TIER_LABELS = {
    "primary": "Primary (universal)",
    "secondary": "Secondary (targeted)",
    "tertiary": "Tertiary (indicated)",
}


def layout(area: str | None = None, **_query):
    return html.Div(
        [
            html.H1("Overview for the board"),
            html.P(
                "The three Home Office success measures, the money and the reach "
                "of one Violence Reduction Unit area, against the 2016/17 to "
                "2018/19 baseline before VRU funding began.",
                className="lead",
            ),
            filters.filter_bar(
                [filters.area_picker(PAGE, value=area or _default(), label="VRU area")]
            ),
            filters.area_levels(PAGE, key=area),
            filters.url_params(PAGE, {"area": f"{PAGE}-area"}),
            filters.url_sync(PAGE),
            dcc.Loading(
                html.Div(
                    id=f"{PAGE}-content",
                    className="overview",
                    **{"aria-live": "polite"},
                ),
                type="dot",
            ),
        ]
    )


filters.link_area_options(PAGE)
filters.link_url_sync(PAGE, {"area": f"{PAGE}-area"})


def _default() -> str:
    # The signed-in user was loaded by the access gate: no store query here.
    try:
        return default_area(current_scope())
    except (AccessDenied, RuntimeError, AttributeError):
        return DEFAULT_AREA


def default_area(scope) -> str:
    """Avon and Somerset, or a scoped viewer's first area when it is not in scope."""
    if scope.unrestricted or DEFAULT_AREA in scope.area_codes or not scope.area_codes:
        return DEFAULT_AREA
    return sorted(scope.area_codes)[0]


@cached_callback(Output(f"{PAGE}-content", "children"), Input(f"{PAGE}-area", "value"))
def show_overview(area_code):
    scope = current_scope()
    code = area_code or default_area(scope)
    try:
        summary = board_overview.overview_summary(scope=scope, area_code=code)
    except NotFound:
        return message(
            f"Area: there is no area with the code '{code}'. Choose an area from "
            "the list (codes look like E23000036).",
            kind="warning",
        )
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    area = summary["area"]
    # None: no commentary here. Only the cards' measures' notes are read.
    notes = board_parts.vru_notes(scope, area.code, _card_codes(summary["measures"]))
    since = board_parts.since_last_board(scope, area.code)
    return [
        *_own_workstream_part(scope),
        html.H2(f"Success measures: {area.name}"),
        html.P(
            dcc.Link(
                f"Every measure for {area.name} against the benchmark (area profile)",
                href=f"/areas/{area.code}",
            ),
            className="profile-link",
        ),
        html.Div(
            [_measure_card(row, area, scope, notes) for row in summary["measures"]],
            className="card-grid overview-measures",
        ),
        _money_part(summary, area),
        _reach_part(summary, area),
        _changes_part(summary, area),
        *([since] if since else []),
    ]


# ------------------------------------------------------------------ pieces


def _card_codes(rows: list[dict]) -> list[str]:
    """The codes of the measures whose cards show a note (`_measure_card`: a
    card with the area's own figures)."""
    return [
        (row["all"] or row["under25"])["code"]
        for row in rows
        if row["all"] is not None or row["under25"] is not None
    ]


def _own_workstream_part(scope) -> list:
    """A workstream lead lands on their own work: what is due, the RAG counts and
    where to submit, before the VRU-wide picture."""
    if scope.role != "lead" or scope.workstream_id is None:
        return []
    try:
        detail = workstreams.workstream_detail(
            scope=scope, workstream_id=scope.workstream_id
        )
    except (AccessDenied, NotFound):
        return []
    return [
        html.Section(
            [
                html.H2(f"Your workstream: {detail['name']}"),
                html.P(measures_summary(detail["measures"])),
                html.P(
                    [
                        dcc.Link(
                            "Open your workstream",
                            href=f"/workstreams/{detail['workstream_id']}",
                        ),
                        " · ",
                        dcc.Link("Submit a quarterly return", href="/returns"),
                    ]
                ),
            ],
            className="own-workstream",
            id=f"{PAGE}-own-workstream",
        )
    ]


def _real_or_not(head: dict, area) -> str:
    """In words, whether the headline is a published figure: the latest real one
    is shown, an illustrative one only where no real one exists."""
    if head["illustrative"]:
        return (
            f"Illustrative figure: no published figure exists for {area.name} "
            "for this measure, so this one is generated for the demonstration "
            "and is not official."
        )
    later = head.get("illustrative_to")
    if later:
        return (
            f"Latest published figure ({head['period']}). Illustrative figures "
            f"for later periods, to {later}, are on the trend page, labelled."
        )
    return f"Latest published figure ({head['period']})."


def _headline_block(head: dict, *, label: str, big: bool, area=None) -> list:
    value = "*" if head["suppressed"] else number(head["value"])
    arrow, words = baseline_sentence(head["baseline"], head["polarity"])
    status = (
        [html.P(_real_or_not(head, area), className="real-or-illustrative")]
        if area is not None
        else []
    )
    return [
        html.P(
            [
                html.Span(value, className="big-number" if big else "mid-number"),
                html.Span(f" {head['unit']}, {label}, {head['period']}"),
            ],
            className="headline",
        ),
        html.P(rate_text(head), className="rate-line"),
        html.P(
            [
                html.Span(arrow, className="change-arrow", **{"aria-hidden": "true"}),
                " " if arrow else "",
                words,
            ],
            className="change-line",
        ),
        *status,
    ]


def _measure_card(row: dict, area, scope=None, notes=None) -> html.Section:
    head = row["all"]
    under25 = row["under25"]
    region = row.get("region")
    if head is None and under25 is None:
        if region is not None:  # a local authority, with its region's figure
            return html.Section(
                [
                    html.H3(region["name"]),
                    html.P(f"No figures for {area.name} itself."),
                    region_part(region, area.name),
                ],
                className="measure-card",
            )
        return html.Section(
            [html.H3("No figures"), html.P(f"No figures for {area.name} yet.")],
            className="measure-card",
        )
    first = head or under25
    body: list = [html.H3(first["name"])]
    # The badge sits on the figure it labels: a published all-ages headline
    # above an illustrative under-25 one must not read as illustrative.
    if head:
        if head["illustrative"]:
            body.append(illustrative_badge())
        body += _headline_block(head, label="all ages", big=True, area=area)
    if under25:
        body.append(html.H4("Aged under 25", className="under25-heading"))
        if under25["illustrative"]:
            body.append(illustrative_badge())
        body += _headline_block(
            under25, label="aged under 25", big=head is None, area=area
        )
    body.append(html.P(f"Source: {first['source_title']}", className="source"))
    if region is not None:
        body.append(region_part(region, area.name))
    body.append(
        dcc.Link(
            [
                "See the trend",
                html.Span(f" of {first['name']}", className="visually-hidden"),
            ],
            href=f"/violence?measure={first['code']}&area={area.code}&view=year",
        )
    )
    if notes is not None:
        code, name = first["code"], first["name"]
        body += board_parts.note_for(scope, notes, area.code, code, name)
    return html.Section(body, className="measure-card")


def _money_part(summary: dict, area):
    if area.code == NATIONAL_CODE or area.level != "pfa":
        return html.Div()
    if summary["money_denied"]:
        return message(
            f"Money for {area.name} is outside your access. You can see the public "
            "success measures above.",
            kind="info",
        )
    money = summary["money"]
    if not money or not money["has_spend"]:
        when = f" for {money['fy_label']}" if money and money["fy_label"] else ""
        return html.Section([html.H2("Money"), html.P(f"No spend reported yet{when}.")])
    allocation = money["allocation"]
    tiles = [
        (
            "Allocated",
            fmt_money(allocation) if allocation else "not published",
            "Home Office VRU grant for the year",
        ),
        (
            "Spent to date",
            fmt_money(money["spent_to_date"]),
            f"in {money['last_quarter']} of 4 quarters reported",
        ),
        ("Forecast outturn", fmt_money(money["forecast_outturn"]), "by 31 March"),
    ]
    note = money["method_words"]
    left = money["projected_underspend"]
    if left is not None:
        state = "left unspent and repaid" if left >= 0 else "overspent"
        note += (
            f" {fmt_money(abs(left))} of the allocation was {state}."
            if money["year_complete"]
            else f" On this forecast {fmt_money(abs(left))} of the allocation "
            f"would be {state}."
        )
    return html.Section(
        [
            html.H2(f"Money, {fy_label(money['financial_year'])}"),
            *([illustrative_badge()] if money["illustrative"] else []),
            html.Div(
                [
                    html.Div(
                        [
                            html.P(name, className="tile-label"),
                            html.P(value, className="big-number"),
                            html.P(hint, className="tile-hint"),
                        ],
                        className="tile",
                    )
                    for name, value, hint in tiles
                ],
                className="tile-grid",
            ),
            html.P(note, className="method-note"),
        ],
        className="money-summary",
    )


def _reach_part(summary: dict, area):
    reach = summary["reach"]
    if reach is None or area.level != "pfa":
        return html.Div()
    if reach["financial_year"] is None:
        return html.Section(
            [html.H2("Young people reached"), html.P("No outputs reported yet.")]
        )
    year = fy_label(reach["financial_year"])
    so_far = "" if reach["quarters"] >= 4 else f" (first {reach['quarters']} quarters)"
    tiers = reach["tiers"]  # its two columns as lists: itertuples builds rows
    tiles = [
        html.Div(
            [
                html.P(TIER_LABELS.get(tier, tier), className="tile-label"),
                html.P(number(people), className="big-number"),
                html.P("young people supported", className="tile-hint"),
            ],
            className="tile",
        )
        for tier, people in zip(
            tiers["tier"].tolist(), tiers["young_people"].tolist(), strict=True
        )
    ]
    return html.Section(
        [
            html.H2(f"Young people reached by prevention tier, {year}{so_far}"),
            *([illustrative_badge()] if reach["illustrative"] else []),
            html.Div(tiles, className="tile-grid"),
            html.P(
                f"{number(reach['total'])} young people supported in all, counted "
                "once per intervention (someone in two interventions counts twice).",
                className="method-note",
            ),
        ],
        className="reach-summary",
    )


def _changes_part(summary: dict, area):
    changes = summary["changes"]
    return html.Section(
        [
            html.H2("What changed since last quarter"),
            html.Ul([html.Li(text) for text in changes], className="changes-list")
            if changes
            else html.P(f"No quarterly figures for {area.name} to compare."),
        ],
        className="changes",
    )


__all__ = ["baseline_sentence", "default_area", "layout", "show_overview"]
