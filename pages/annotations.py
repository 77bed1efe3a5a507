"""Annotations: mark a dated local event (a campaign, an operation, a recording
change) on an area, and optionally one measure, so every time chart covering the
date shows it (data_access.annotations states who may add them and who sees them).

Every signed-in user sees the annotations of the areas they read; admins,
analysts and workstream leads (on their VRU area and its local authorities) add
and remove them. The rights are checked on the server for every change, whatever
this page offers; each change is in the audit log.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components import filters
from components.shell import message
from data_access import annotations
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from data_access.measures import measures_for
from data_access.periods import long_date
from web.access import current_scope

dash.register_page(
    __name__,
    path="/annotations",
    title="Annotations – VRU Outcomes Monitor",
    name="Annotations",
    order=90,
)

PAGE = "annotations"
KIND_OPTIONS = [
    {"label": label, "value": value} for value, label in annotations.KIND_LABELS.items()
]
ALL_MEASURES = "__all__"


def _field(label: str, control, name: str) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=f"{PAGE}-{name}", className="form-label"), control],
        className="filter",
    )


def layout(**query):
    area = query.get("area") or None
    return html.Div(
        [
            html.H1("Annotations"),
            html.P(
                "Mark a local event (a campaign, an operation, a change in how "
                "figures are recorded) so that every time chart covering its date "
                "shows it, with its label in the chart's table and CSV.",
                className="lead",
            ),
            html.Details(
                [
                    html.Summary("Who adds annotations and who sees them"),
                    html.Ul(
                        [
                            html.Li(
                                "Admins and analysts add and remove annotations on "
                                "any area; a workstream lead on their VRU's force "
                                "area and its local authorities. Board members "
                                "read them."
                            ),
                            html.Li(
                                "A chart of an area shows that area's annotations "
                                "and those of the areas containing it; a chart of "
                                "one measure shows those tied to it and those tied "
                                "to no measure."
                            ),
                            html.Li(
                                "Signed-in readers see the annotations of the areas "
                                "they have access to. The public embeds, and readers "
                                "outside the area, see only annotations marked "
                                "public."
                            ),
                            html.Li(
                                "Labels are plain text of at most "
                                f"{annotations.LABEL_MAX} characters. Every addition "
                                "and removal is kept in the audit log."
                            ),
                        ]
                    ),
                ],
                className="mb-3",
            ),
            html.H2("Add an annotation"),
            html.Div(
                [
                    filters.area_picker(PAGE, value=area),
                    _field(
                        "Date of the event",
                        dcc.Input(
                            id=f"{PAGE}-date",
                            type="date",
                            className="form-control",
                        ),
                        "date",
                    ),
                    _field(
                        "Kind of event",
                        dcc.Dropdown(
                            id=f"{PAGE}-kind",
                            options=KIND_OPTIONS,
                            value="campaign",
                            clearable=False,
                        ),
                        "kind",
                    ),
                    _field(
                        "Measure",
                        dcc.Dropdown(
                            id=f"{PAGE}-measure",
                            options=[{"label": "Every measure", "value": ALL_MEASURES}],
                            value=ALL_MEASURES,
                            clearable=False,
                        ),
                        "measure",
                    ),
                ],
                className="filter-bar",
                role="group",
                **{"aria-label": "Where and when"},
            ),
            _field(
                f"Label (plain text, at most {annotations.LABEL_MAX} characters, "
                "e.g. 'Operation Sceptre week of action')",
                dcc.Input(
                    id=f"{PAGE}-label",
                    type="text",
                    maxLength=annotations.LABEL_MAX,
                    className="form-control",
                ),
                "label",
            ),
            _field(
                "Who sees it",
                dcc.Dropdown(
                    id=f"{PAGE}-public",
                    options=[
                        {"label": "Signed-in readers of the area", "value": "private"},
                        {"label": "Public: the public embeds too", "value": "public"},
                    ],
                    value="private",
                    clearable=False,
                ),
                "public",
            ),
            html.Button(
                "Add annotation",
                id=f"{PAGE}-add",
                n_clicks=0,
                className="btn btn-primary",
            ),
            html.Div(id=f"{PAGE}-message", **{"aria-live": "polite"}),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            filters.area_levels(PAGE, ("country", "pfa", "lad")),
            html.H2("Annotations you can see"),
            html.Div(id=f"{PAGE}-list", **{"aria-live": "polite"}),
        ]
    )


filters.link_area_options(PAGE)


@callback(
    Output(f"{PAGE}-list", "children"),
    Output(f"{PAGE}-measure", "options"),
    Input(f"{PAGE}-refresh", "data"),
)
def show_list(_refresh):
    scope = current_scope()
    options = [{"label": "Every measure", "value": ALL_MEASURES}]
    try:
        frame = annotations.list_annotations(scope=scope)
        measures = measures_for(scope)
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        ), options
    options += [{"label": row.name, "value": row.code} for row in measures.itertuples()]
    names = dict(zip(measures["code"], measures["name"], strict=True))
    if frame.empty:
        return message(
            "There are no annotations on the areas you can see yet."
        ), options
    return _list_table(frame, names), options


def _list_table(frame: pd.DataFrame, names: dict) -> html.Div:
    head = ["Date", "Area", "Measure", "Kind", "Label", "Shown to", "Remove"]
    rows = []
    for row in frame.itertuples():
        action = (
            html.Button(
                "Remove",
                id={"type": f"{PAGE}-delete", "id": int(row.id)},
                n_clicks=0,
                className="btn btn-sm btn-outline-danger",
                **{"aria-label": f"Remove '{row.label}' ({row.event_date:%d %B %Y})"},
            )
            if row.can_edit
            else ""
        )
        rows.append(
            html.Tr(
                [
                    html.Th(long_date(row.event_date), scope="row"),
                    html.Td(row.area_name),
                    html.Td(
                        names.get(row.measure_code, row.measure_code)
                        if isinstance(row.measure_code, str)
                        else "Every measure"
                    ),
                    html.Td(row.kind_label),
                    html.Td(row.label),
                    html.Td(
                        "Public" if row.is_public else "Signed-in readers of the area"
                    ),
                    html.Td(action),
                ]
            )
        )
    return html.Div(
        html.Table(
            [
                html.Caption("Annotations, newest first", className="caption-top"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                html.Tbody(rows),
            ],
            className="table table-sm",
            id=f"{PAGE}-table",
        ),
        className="table-responsive",
        role="region",
        tabIndex=0,
        **{"aria-label": "Annotations"},
    )


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-add", "n_clicks"),
    Input({"type": f"{PAGE}-delete", "id": ALL}, "n_clicks"),
    State(f"{PAGE}-area", "value"),
    State(f"{PAGE}-measure", "value"),
    State(f"{PAGE}-date", "value"),
    State(f"{PAGE}-kind", "value"),
    State(f"{PAGE}-label", "value"),
    State(f"{PAGE}-public", "value"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def change(add, removes, area, measure, date, kind, label, public, refresh):
    trigger = ctx.triggered_id
    if not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    scope = current_scope()
    try:
        if isinstance(trigger, dict) and trigger.get("type") == f"{PAGE}-delete":
            annotations.delete_annotation(scope=scope, annotation_id=int(trigger["id"]))
            text = "Annotation removed."
        elif trigger == f"{PAGE}-add" and add:
            if not area:
                return message("Choose an area.", kind="warning"), no_update
            annotations.add_annotation(
                scope=scope,
                area_code=area,
                event_date=date or "",
                label=label or "",
                kind=kind or "",
                measure_code=None if measure in (None, ALL_MEASURES) else measure,
                is_public=public == "public",
            )
            text = "Annotation added: the charts covering its date now show it."
        else:
            return no_update, no_update
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), no_update
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        ), no_update
    except DataAccessError as error:
        return message(str(error), kind="warning"), no_update
    return message(text, kind="success"), (refresh or 0) + 1
