"""Commentary on a VRU's measures, quarter by quarter: read every version, write a
new one (a lead for their own workstream's measures, an analyst or an admin), and
sign it off (an admin who did not write it: four eyes, as for returns).

The rules are applied on the server by data_access.commentary in every callback;
this page only decides what to offer. Nothing here is cached (who may sign off
depends on who wrote the version).
State in the URL: ?area=E23000036&measure=knife_offences&quarter=2025-07
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import filters
from components.commentary import commentary_note, long_date, plain_text
from components.shell import message
from data_access import commentary
from data_access.errors import (
    AccessDenied,
    DataAccessError,
    NotFound,
    StoreUnavailable,
)
from data_access.returns.spec import recent_quarters
from web import board_parts
from web.access import current_scope

dash.register_page(
    __name__,
    path="/commentary",
    title="Commentary – VRU Outcomes Monitor",
    name="Commentary",
    order=72,
)

PAGE = "commentary"
PARAMS = {
    "area": f"{PAGE}-area",
    "measure": f"{PAGE}-measure",
    "quarter": f"{PAGE}-quarter",
}
QUARTERS_OFFERED = 12


def _dropdown(name: str, label: str, options: list, value) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=f"{PAGE}-{name}", className="form-label"),
            dcc.Dropdown(
                id=f"{PAGE}-{name}",
                options=options,
                value=value,
                clearable=False,
                searchable=True,
            ),
        ],
        className="filter",
    )


def layout(area=None, measure=None, quarter=None, **_query):
    quarters = recent_quarters(count=QUARTERS_OFFERED)
    values = [q["value"] for q in quarters]
    if quarter and quarter not in values:
        quarters.append({"label": quarter, "value": quarter})
    chosen = [{"label": v, "value": v} for v in (area,) if v]
    measures = [{"label": v, "value": v} for v in (measure,) if v]
    return html.Div(
        [
            html.H1("Commentary"),
            html.P(
                "What happened, why, and what next, for each measure of a VRU and "
                "each quarter. Workstream leads write on their own workstream's "
                "measures, analysts and admins on any; an admin who did not write "
                "a version signs it off. Every version is kept. Plain text only.",
                className="lead",
            ),
            filters.filter_bar(
                [
                    _dropdown("area", "VRU area", chosen, area),
                    _dropdown("measure", "Measure", measures, measure),
                    _dropdown(
                        "quarter",
                        "Quarter",
                        quarters,
                        quarter or (values[1] if len(values) > 1 else None),
                    ),
                ]
            ),
            filters.url_params(PAGE, PARAMS),
            filters.url_sync(PAGE),
            dcc.Store(id=f"{PAGE}-seen", data=0),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            html.Div(id=f"{PAGE}-message", **{"aria-live": "polite"}),
            html.Div(id=f"{PAGE}-current", **{"aria-live": "polite"}),
            html.Button(
                "Sign off this version",
                id=f"{PAGE}-sign-off",
                className="btn btn-primary mb-3",
                hidden=True,
            ),
            html.Section(
                [
                    html.H2("Write a new version"),
                    html.Label(
                        "Commentary: what happened, why, and what next (plain "
                        f"text, at most {commentary.MAX_CHARS:,} characters)",
                        htmlFor=f"{PAGE}-text",
                        className="form-label",
                    ),
                    dcc.Textarea(
                        id=f"{PAGE}-text",
                        className="form-control mb-2",
                        maxLength=commentary.MAX_CHARS,
                        style={"height": "10rem"},
                    ),
                    html.Button(
                        "Save as a new version",
                        id=f"{PAGE}-save",
                        className="btn btn-primary",
                    ),
                ],
                id=f"{PAGE}-form",
                hidden=True,
                className="mb-4",
            ),
            html.Section(id=f"{PAGE}-versions"),
        ]
    )


filters.link_url_sync(PAGE, PARAMS)


board_parts.register_vru_area_picker(PAGE)


@callback(
    Output(f"{PAGE}-measure", "options"),
    Output(f"{PAGE}-measure", "value"),
    Input(f"{PAGE}-area", "value"),
    State(f"{PAGE}-measure", "value"),
)
def measure_options(area_code, chosen):
    scope = current_scope()
    if not area_code:
        return [], None
    try:
        frame = commentary.vru_measures(scope=scope, vru_code=area_code)
    except (DataAccessError, StoreUnavailable):
        return [], None
    options = [
        {
            "label": commentary.measure_label(r),
            "value": r.measure_code,
        }
        for r in frame.itertuples()
    ]
    codes = list(frame["measure_code"])
    writable = list(frame.loc[frame["can_write"], "measure_code"])
    value = chosen if chosen in codes else (writable or codes or [None])[0]
    return options, value


@callback(
    Output(f"{PAGE}-current", "children"),
    Output(f"{PAGE}-versions", "children"),
    Output(f"{PAGE}-text", "value"),
    Output(f"{PAGE}-seen", "data"),
    Output(f"{PAGE}-form", "hidden"),
    Output(f"{PAGE}-sign-off", "hidden"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-measure", "value"),
    Input(f"{PAGE}-quarter", "value"),
    Input(f"{PAGE}-refresh", "data"),
)
def show(area_code, measure_code, quarter, _refresh):
    scope = current_scope()
    hide_all = (no_update, [], "", 0, True, True)
    if not (area_code and measure_code and quarter):
        return message("Choose a VRU area, a measure and a quarter."), *hide_all[1:]
    try:
        measures = commentary.vru_measures(scope=scope, vru_code=area_code)
        latest = commentary.commentary_for(
            scope=scope,
            vru_code=area_code,
            quarter_start=quarter,
            measure_codes=[measure_code],
        )
        versions = commentary.commentary_versions(
            scope=scope,
            vru_code=area_code,
            measure_code=measure_code,
            quarter_start=quarter,
        )
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), *hide_all[1:]
    except NotFound as error:
        return message(str(error), kind="warning"), *hide_all[1:]
    except StoreUnavailable:
        return (
            message("Data temporarily unavailable. Please try again.", kind="warning"),
            *hide_all[1:],
        )
    except DataAccessError as error:
        return message(str(error), kind="warning"), *hide_all[1:]
    match = measures[measures["measure_code"] == measure_code]
    can_write = bool(match["can_write"].any())
    if latest.empty:
        current = message(
            "No commentary for this measure and quarter yet."
            + ("" if can_write else " You cannot write it: " + _why_not(scope)),
        )
        return current, [], "", 0, not can_write, True
    row = latest.iloc[0].to_dict()
    current = [commentary_note(row, heading_level=2)]
    if row["status"] == "draft" and not row["can_sign_off"]:
        current.append(html.P(_why_no_sign_off(scope, row), className="small"))
    return (
        current,
        _versions(versions),
        row["text"],
        int(row["version"]),
        not can_write,
        not row["can_sign_off"],
    )


def _why_not(scope) -> str:
    if scope.role == "lead":
        return "leads write on their own workstream's measures only."
    return "board members read commentary; leads, analysts and admins write it."


def _why_no_sign_off(scope, row) -> str:
    if scope.role != "admin":
        return "An admin signs commentary off."
    if row["yours"]:
        return "You wrote this version, so another admin must sign it off (four eyes)."
    return ""


def _versions(versions) -> list:
    if versions.empty:
        return []
    items = []
    for v in versions.itertuples():
        state = (
            f"signed off by {v.signed_off_by_role} on {long_date(v.signed_off_at)}"
            if v.status == "signed_off"
            else "draft"
        )
        items.append(
            html.Li(
                [
                    html.P(
                        html.Strong(
                            f"Version {v.version}: {v.author_role}, "
                            f"{long_date(v.written_at)} ({state})"
                        )
                    ),
                    *plain_text(v.text),
                ]
            )
        )
    return [html.H2("Every version, newest first"), html.Ol(items, reversed=True)]


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-save", "n_clicks"),
    Input(f"{PAGE}-sign-off", "n_clicks"),
    State(f"{PAGE}-area", "value"),
    State(f"{PAGE}-measure", "value"),
    State(f"{PAGE}-quarter", "value"),
    State(f"{PAGE}-text", "value"),
    State(f"{PAGE}-seen", "data"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def act(save, sign, area_code, measure_code, quarter, text, seen, refresh):
    scope = current_scope()
    if not (save or sign):
        return no_update, no_update
    where = dict(vru_code=area_code, measure_code=measure_code, quarter_start=quarter)
    try:
        if ctx.triggered_id == f"{PAGE}-sign-off":
            commentary.sign_off(scope=scope, version=int(seen or 0), **where)
            done = "Signed off."
        else:
            version = commentary.write_commentary(
                scope=scope, text=text or "", seen_version=int(seen or 0), **where
            )
            done = f"Saved as version {version}, a draft until an admin signs it off."
    except commentary.CommentaryChanged as error:
        return message(str(error), kind="warning"), (refresh or 0) + 1
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), no_update
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again.", kind="warning"
        ), no_update
    except (DataAccessError, ValueError, TypeError) as error:
        return message(str(error), kind="warning"), no_update
    return message(done, kind="success"), (refresh or 0) + 1
