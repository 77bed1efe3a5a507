"""Board pack: choose the VRU, the meeting date, the quarter "as at", the sections
and the audience, and make the pack as PowerPoint (native, editable charts) or an
accessible tagged PDF (web/board_pack.make_pack). Every pack made is kept with its
SHA-256 and listed below, to download again.

State in the URL: ?area=E23000036 (the VRU). Access: the maker must be able to read
the VRU; a kept pack is offered only to those who may read its VRU (checked again by
the download route).
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html

from components import filters
from components.shell import message
from data_access import board_pack, clock, pack_records, periods
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from data_access.returns.spec import recent_quarters
from web.access import current_scope
from web.board_pack import make_pack

dash.register_page(
    __name__,
    path="/board-pack",
    title="Board pack – VRU Outcomes Monitor",
    name="Board pack",
    order=80,
)

PAGE = "board-pack"
DEFAULT_AREA = "E23000036"
QUARTERS_OFFERED = 12


def quarter_options(today: dt.date) -> list[dict]:
    """The last complete quarter first, then the eleven before it (a pack reports
    a quarter whose figures are in, so the quarter under way is not offered)."""
    return recent_quarters(today=today, count=QUARTERS_OFFERED + 1)[1:]


def _default_area() -> str:
    try:
        scope = current_scope()
    except (AccessDenied, RuntimeError, AttributeError):
        return DEFAULT_AREA
    if scope.unrestricted or DEFAULT_AREA in scope.area_codes or not scope.area_codes:
        return DEFAULT_AREA
    return sorted(scope.area_codes)[0]


def _choices(name: str, legend: str, kind, options: dict, value) -> html.Fieldset:
    """A set of checkboxes or radio buttons under a legend (assets/vru-present.js
    takes off the listbox roles Dash 4 draws around the native inputs)."""
    return html.Fieldset(
        [
            html.Legend(legend, className="form-label"),
            kind(
                id=f"{PAGE}-{name}",
                options=[
                    {"label": text, "value": key} for key, text in options.items()
                ],
                value=value,
                labelClassName="choice",
            ),
        ],
        className="choices",
    )


def layout(area: str | None = None, **_query):
    quarters = quarter_options(clock.today())
    return html.Div(
        [
            html.H1("Board pack"),
            html.P(
                "Make a VRU's pack for a board meeting from the figures the pages "
                "show: PowerPoint with editable charts, or an accessible PDF. Every "
                "slide is stamped with the VRU, the quarter, the date made, the "
                "choices below and the sources.",
                className="lead",
            ),
            filters.filter_bar(
                [
                    filters.area_picker(
                        PAGE, value=area or _default_area(), label="VRU"
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Quarter as at",
                                htmlFor=f"{PAGE}-quarter",
                                className="form-label",
                            ),
                            dcc.Dropdown(
                                id=f"{PAGE}-quarter",
                                options=quarters,
                                value=quarters[0]["value"],
                                clearable=False,
                            ),
                        ],
                        className="filter",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Meeting date (optional)",
                                htmlFor=f"{PAGE}-meeting",
                                className="form-label",
                            ),
                            dcc.Input(
                                id=f"{PAGE}-meeting",
                                type="date",
                                className="form-control",
                            ),
                        ],
                        className="filter",
                    ),
                ]
            ),
            filters.area_levels(PAGE, ("pfa",), key=area),
            filters.url_params(PAGE, {"area": f"{PAGE}-area"}),
            filters.url_sync(PAGE),
            html.Div(
                [
                    _choices(
                        "sections",
                        "Sections",
                        dcc.Checklist,
                        board_pack.SECTIONS,
                        list(board_pack.SECTIONS),
                    ),
                    _choices(
                        "audience",
                        "Audience",
                        dcc.RadioItems,
                        board_pack.AUDIENCES,
                        "internal",
                    ),
                    _choices(
                        "format",
                        "Format",
                        dcc.RadioItems,
                        {"pptx": "PowerPoint (.pptx)", "pdf": "Accessible PDF"},
                        "pptx",
                    ),
                ],
                className="pack-choices",
            ),
            html.Button(
                "Make the pack",
                id=f"{PAGE}-make",
                className="btn btn-primary",
                n_clicks=0,
            ),
            html.P(id=f"{PAGE}-progress", role="status", className="pack-progress"),
            dcc.Loading(
                html.Div(id=f"{PAGE}-result", **{"aria-live": "polite"}), type="dot"
            ),
            dcc.Download(id=f"{PAGE}-download"),
            html.H2("Packs made"),
            html.Div(id=f"{PAGE}-history"),
        ]
    )


filters.link_area_options(PAGE, levels=("pfa",))
filters.link_url_sync(PAGE, {"area": f"{PAGE}-area"})


@dash.callback(
    Output(f"{PAGE}-result", "children"),
    Output(f"{PAGE}-download", "data"),
    Input(f"{PAGE}-make", "n_clicks"),
    State(f"{PAGE}-area", "value"),
    State(f"{PAGE}-quarter", "value"),
    State(f"{PAGE}-meeting", "value"),
    State(f"{PAGE}-sections", "value"),
    State(f"{PAGE}-audience", "value"),
    State(f"{PAGE}-format", "value"),
    running=[
        (Output(f"{PAGE}-make", "disabled"), True, False),
        (
            Output(f"{PAGE}-progress", "children"),
            "Making the pack: reading the figures, drawing the charts and keeping "
            "a copy. This takes a few seconds.",
            "",
        ),
    ],
    prevent_initial_call=True,
)
def make(clicks, area, quarter, meeting, sections, audience, fmt):
    if not clicks:
        return dash.no_update, dash.no_update
    try:
        scope = current_scope()
        meeting_date = dt.date.fromisoformat(meeting) if meeting else None
        if not sections:
            return message("Choose at least one section.", kind="warning"), None
        record, content = make_pack(
            scope=scope,
            vru_code=area or "",
            quarter=quarter or "",
            fmt=fmt if fmt in ("pptx", "pdf") else "pptx",
            audience=audience or "internal",
            sections=sections,
            meeting_date=meeting_date,
        )
    except ValueError:
        return message(
            "Meeting date: give a date like 2026-12-10.", kind="warning"
        ), None
    except AccessDenied:
        return message(
            "You can make packs only for the VRUs your access includes.", kind="warning"
        ), None
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        ), None
    except DataAccessError as error:
        return message(str(error), kind="warning"), None
    done = html.Div(
        [
            html.P(
                f"Pack made: {record.filename} ({record.size:,} bytes). "
                f"SHA-256 {record.sha256}."
            ),
            html.A("Download it again", href=f"/board-pack/packs/{record.id}"),
        ],
        className="pack-made",
        role="status",
    )
    return done, dcc.send_bytes(content, record.filename)


@dash.callback(
    Output(f"{PAGE}-history", "children"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-result", "children"),
)
def history(area, _made):
    try:
        packs = pack_records.list_packs(scope=current_scope(), vru_code=area or None)
    except AccessDenied:
        return message("Packs of this VRU are outside your access.", kind="info")
    except DataAccessError:
        return message("No packs to list.", kind="info")
    if not packs:
        return html.P("No packs made for this VRU yet.")
    head = [
        "Made (UTC)",
        "By",
        "Quarter",
        "Meeting",
        "Audience",
        "Format",
        "SHA-256",
        "",
    ]
    table = html.Table(
        [
            html.Caption("Packs made for this VRU, newest first"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(
                                f"{periods.short_date(p.made_at)} {p.made_at:%H:%M}"
                            ),
                            html.Td(p.made_by),
                            html.Td(periods.quarter_label(p.quarter_start)),
                            html.Td(
                                periods.short_date(p.meeting_date)
                                if p.meeting_date
                                else "–"
                            ),
                            html.Td(p.audience),
                            html.Td(p.format.upper()),
                            html.Td(html.Code(p.sha256[:12] + "…"), title=p.sha256),
                            html.Td(
                                html.A(
                                    [
                                        "Download",
                                        html.Span(
                                            f" {p.filename}",
                                            className="visually-hidden",
                                        ),
                                    ],
                                    href=f"/board-pack/packs/{p.id}",
                                )
                            ),
                        ]
                    )
                    for p in packs
                ]
            ),
        ],
        className="table",
    )
    # Nine columns: the table scrolls sideways in its own box on a phone, not the
    # whole page (a region with a name, reachable by keyboard); positioned, so the
    # visually hidden file names (absolutely placed) stay inside it.
    return html.Div(
        table,
        className="table-responsive position-relative",
        role="region",
        tabIndex=0,
        **{"aria-label": "Packs made for this VRU"},
    )


__all__ = ["layout", "quarter_options"]
