"""A signed-in user's own comparator groups on a page that benchmarks force areas:
pick force areas, name and save them as a group, choose it in the page's
"Compare with" list, delete it.

Every read and write goes through data_access.comparator_groups under the
caller's scope, so only a group's owner sees it, uses it or deletes it (another
user's group id is "no such group", whichever callback names it). The list of
the user's groups is kept per person (web.view_cache's `per_user`: by user and
their stamp, which saving or deleting a group renews); an answer that names a
saved group is never kept (web.view_cache).
"""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components.shell import message
from data_access import comparator_groups
from data_access.comparator_models import NAME_MAX
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from web.access import current_scope
from web.view_cache import cached_callback, forget_user_answers

SAVED_KEY = re.compile(r"saved:\d+")


def saved_option(value: str | None) -> list[dict]:
    """The option that keeps a saved group chosen in the URL while the page's
    layout (which never reads the store) waits for the user's groups."""
    if value and SAVED_KEY.fullmatch(value):
        return [{"label": "Your saved group", "value": value}]
    return []


def saved_groups_panel(page: str) -> html.Details:
    """Pick areas, name, save; the list of the user's groups with Delete."""
    return html.Details(
        [
            html.Summary("Your comparator groups"),
            html.P(
                "Save two or more force areas as a group to compare with. Only you "
                "see your groups; a saved group appears in “Compare with”.",
                className="small",
            ),
            html.Div(
                [
                    html.Fieldset(
                        [
                            html.Legend(
                                "Force areas in the group", className="form-label"
                            ),
                            # Native checkboxes, each with its own label (a
                            # multi-select's visible text is not its name, and
                            # dcc.Checklist draws an unnamed ARIA listbox).
                            dbc.Checklist(
                                id=f"{page}-group-areas",
                                options=[],
                                value=[],
                                className="group-areas-list",
                            ),
                        ],
                        className="filter group-areas",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Group name",
                                htmlFor=f"{page}-group-name",
                                className="form-label",
                            ),
                            dcc.Input(
                                id=f"{page}-group-name",
                                type="text",
                                maxLength=NAME_MAX,
                                className="form-control",
                            ),
                        ],
                        className="filter",
                    ),
                    html.Button(
                        "Save group",
                        id=f"{page}-group-save",
                        n_clicks=0,
                        className="btn btn-primary align-self-end",
                    ),
                ],
                className="filter-bar",
                role="group",
                **{"aria-label": "New comparator group"},
            ),
            html.Div(id=f"{page}-group-status", **{"aria-live": "polite"}),
            html.Div(id=f"{page}-group-list"),
            dcc.Store(id=f"{page}-group-version", data=0),
        ],
        className="saved-groups",
    )


def _group_list(page: str, saved: list[tuple[str, str, list[str]]]) -> html.Div:
    """The user's groups, each (key, label, its areas' names), with Delete."""
    if not saved:
        return html.P("You have no saved groups yet.", className="small")
    items = []
    for key, label, area_names in saved:
        items.append(
            html.Li(
                [
                    html.Strong(label),
                    f": {', '.join(area_names)} ",
                    html.Button(
                        "Delete",
                        id={"type": f"{page}-group-delete", "key": key},
                        n_clicks=0,
                        className="btn btn-sm btn-outline-danger",
                        **{"aria-label": f"Delete the group {label}"},
                    ),
                ]
            )
        )
    return html.Div(
        [html.H3("Your saved groups", className="h6"), html.Ul(items)],
        id=f"{page}-group-table",
    )


def register_saved_groups(page: str, published_options) -> None:
    """The callbacks of `saved_groups_panel(page)`: `{page}-benchmark` offers
    `published_options()` then the user's saved groups."""

    @cached_callback(
        Output(f"{page}-benchmark", "options"),
        Output(f"{page}-group-list", "children"),
        Output(f"{page}-group-areas", "options"),
        Input(f"{page}-group-version", "data"),
        State(f"{page}-benchmark", "value"),
        per_user=True,
    )
    def group_choices(_version, current):
        options = list(published_options())
        try:
            scope = current_scope()
            rows = comparator_groups.saved_group_rows(scope=scope)
            areas = comparator_groups.force_area_names()
        except StoreUnavailable:
            return options + saved_option(current), no_update, no_update
        # (key, label, its areas' names) of each group: plain rows, no frame
        saved = [
            (key, label, sorted(areas.get(c, c) for c in codes))
            for key, label, _kind, codes, _source in rows
        ]
        options += [
            {"label": f"{label} (your group)", "value": key}
            for key, label, _names in saved
        ]
        if current and current not in {o["value"] for o in options}:
            options.append({"label": "No such group of yours", "value": current})
        area_options = [
            {"label": name, "value": code}
            for code, name in sorted(areas.items(), key=lambda kv: kv[1])
        ]
        return options, _group_list(page, saved), area_options

    @callback(
        Output(f"{page}-group-status", "children"),
        Output(f"{page}-group-version", "data"),
        Output(f"{page}-benchmark", "value"),
        Output(f"{page}-group-name", "value"),
        Input(f"{page}-group-save", "n_clicks"),
        Input({"type": f"{page}-group-delete", "key": ALL}, "n_clicks"),
        State(f"{page}-group-name", "value"),
        State(f"{page}-group-areas", "value"),
        State(f"{page}-benchmark", "value"),
        State(f"{page}-group-version", "data"),
        prevent_initial_call=True,
    )
    def change_groups(_save, _deletes, name, areas, current, version):
        trigger = ctx.triggered_id
        unchanged = (no_update,) * 4
        if not (ctx.triggered and ctx.triggered[0].get("value")):
            return unchanged
        try:
            scope = current_scope()
            if isinstance(trigger, dict):
                key = str(trigger.get("key"))
                comparator_groups.delete_group(scope=scope, key=key)
                benchmark = "national" if current == key else no_update
                text = "Group deleted."
                name = no_update
            elif trigger == f"{page}-group-save":
                benchmark = comparator_groups.save_group(
                    scope=scope, name=name or "", area_codes=list(areas or [])
                )
                text = (
                    f"Saved “{' '.join(str(name).split())}”: it is now the benchmark."
                )
                name = ""
            else:
                return unchanged
            # After the commit: this user's kept list of groups is not served again.
            forget_user_answers(scope.user_id)
        except AccessDenied as error:
            return message(f"Not allowed: {error}.", kind="warning"), *unchanged[1:]
        except StoreUnavailable:
            return (
                message(
                    "Data temporarily unavailable. Please try again shortly.",
                    kind="warning",
                ),
                *unchanged[1:],
            )
        except DataAccessError as error:
            return message(f"{error}.", kind="warning"), *unchanged[1:]
        return message(text, kind="success"), (version or 0) + 1, benchmark, name


__all__ = ["register_saved_groups", "saved_groups_panel", "saved_option"]
