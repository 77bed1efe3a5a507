"""Area and period pickers, placed by each page, whose values live in the URL.

Each picker's id is namespaced by page (`{page}-area`). Options for area pickers
come from the shell's store through a clientside callback (assets/vru.js), and the
chosen values are written back to the URL by `vru.syncUrl`: a control the visitor
changed adds a history entry (pushState), the page tidying the URL it was opened at
replaces the current one, so a view can be bookmarked, Back leaves a page in one
press and back/forward restore each view.
"""

from __future__ import annotations

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    clientside_callback,
    dcc,
    html,
)

AGE_OPTIONS = [
    {"label": "All ages", "value": "all"},
    {"label": "Aged under 25", "value": "under25"},
]


def area_picker(page: str, *, value: str | None, label: str = "Area") -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=f"{page}-area", className="form-label"),
            dcc.Dropdown(
                id=f"{page}-area",
                # A re-render (a link to this page, back/forward) keeps React's
                # dropdown but resets its options; without the current value among
                # them Dash 4 clears the value. The full list arrives clientside.
                options=[{"label": value, "value": value}] if value else [],
                value=value,
                clearable=False,
                searchable=True,
                placeholder="Choose an area",
            ),
        ],
        className="filter",
    )


def month_picker(page: str, name: str, *, label: str, value: str | None) -> html.Div:
    """A month as YYYY-MM (the URL form), typed or chosen with the native control."""
    return html.Div(
        [
            html.Label(label, htmlFor=f"{page}-{name}", className="form-label"),
            dcc.Input(
                id=f"{page}-{name}",
                type="month",
                value=value,
                debounce=True,
                className="form-control",
            ),
        ],
        className="filter",
    )


def select(page: str, name: str, *, label: str, options: list[dict], value) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=f"{page}-{name}", className="form-label"),
            dcc.Dropdown(
                id=f"{page}-{name}", options=options, value=value, clearable=False
            ),
        ],
        className="filter",
    )


def url_sync(page: str) -> dcc.Store:
    """Target of the clientside callback that writes the page's state to the URL."""
    return dcc.Store(id=f"{page}-url-sync")


def filter_bar(children: list) -> html.Div:
    return html.Div(
        children, className="filter-bar", role="group", **{"aria-label": "Filters"}
    )


def link_area_options(
    page: str, *, levels: tuple[str, ...] = ("country", "pfa")
) -> None:
    """Fill `{page}-area` options from the shell's store (clientside, no round trip)."""
    clientside_callback(
        ClientsideFunction("vru", "areaOptions"),
        Output(f"{page}-area", "options"),
        Input("shell-area-options", "data"),
        Input(f"{page}-area", "id"),
        Input(f"{page}-area-levels", "data"),
    )


def area_levels(
    page: str, levels: tuple[str, ...] = ("country", "pfa"), *, key: str | None = None
) -> dcc.Store:
    """Which area levels the page's picker offers. `key` (e.g. the URL's query)
    changes the store's data on every re-render so the options are filled again."""
    return dcc.Store(
        id=f"{page}-area-levels",
        data=[*levels, *([f"render:{key}"] if key else [])],
    )


def link_url_sync(page: str, params: dict[str, str]) -> None:
    """Write the page's controls to the URL query whenever they change (a new
    history entry only when the visitor changed a control).

    `params` maps URL parameter names to component ids (their `value` is used)."""
    clientside_callback(
        ClientsideFunction("vru", "syncUrl"),
        Output(f"{page}-url-sync", "data"),
        [Input(component_id, "value") for component_id in params.values()],
        State(f"{page}-url-sync", "id"),
        State(f"{page}-url-params", "data"),
    )


def url_params(page: str, params: dict[str, str]) -> dcc.Store:
    return dcc.Store(id=f"{page}-url-params", data=list(params))
