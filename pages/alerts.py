"""Alerts: the exceptions assigned to the signed-in user (to acknowledge with a
comment) and their inbox of alerts, newest first; the unread count in the shell
header. What each user receives is chosen on /alerts/settings (docs/alerts.md).

Every callback reads the caller's scope on the server (web.access.current_scope)
and passes it to data_access, which writes each alert's words through that scope.
Nothing here is cached: an inbox is one user's own.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components.shell import message
from data_access import alerts, exceptions
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from web.access import current_scope

dash.register_page(
    __name__,
    path="/alerts",
    title="Alerts – VRU Outcomes Monitor",
    name="Alerts",
    order=90,
    nav=False,  # reached from the header's "Alerts" link, with its unread count
)

PAGE = "alerts"
SHOWN = 100


def layout(**_query):
    return html.Div(
        [
            html.H1("Alerts"),
            html.P(
                [
                    "Statistical signals, overdue returns and forecast underspends "
                    "that are yours to look at, and the alerts you chose to "
                    "receive. ",
                    dcc.Link("Choose what you receive", href="/alerts/settings"),
                    ".",
                ],
                className="lead",
            ),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            html.Div(id=f"{PAGE}-message", **{"aria-live": "polite"}),
            html.Div(id=f"{PAGE}-content"),
            html.Button(
                "Mark all as read",
                id=f"{PAGE}-mark-read",
                className="btn btn-outline-secondary btn-sm mb-3",
                disabled=True,
            ),
            html.Div(id=f"{PAGE}-inbox"),
        ]
    )


def _owned(scope) -> list[tuple[int, str]]:  # noqa: ANN001
    frame = exceptions.read_exceptions(scope=scope, status="open")
    owned = pd.Series(
        [
            exceptions.is_owner(scope, role, ws)
            for role, ws in zip(
                frame["owner_role"], frame["workstream_id"], strict=True
            )
        ],
        index=frame.index,
        dtype=bool,
    )
    mine = frame[owned].head(SHOWN)
    texts = alerts.describe_many(scope, mine)
    return [(int(i), t) for i, t in zip(mine["exception_id"], texts, strict=True) if t]


def _exception_item(exception_id: int, text: str) -> html.Li:
    return html.Li(
        [
            html.P(text),
            # The textarea sits inside its label: a pattern-matching id cannot be
            # named by a label's "for".
            html.Label(
                [
                    "Your comment (what was done or decided)",
                    dcc.Textarea(
                        id={"type": f"{PAGE}-comment", "id": exception_id},
                        className="form-control mb-2",
                        maxLength=exceptions.COMMENT_LIMIT,
                    ),
                ],
                className="d-block",
            ),
            html.Button(
                "Acknowledge",
                id={"type": f"{PAGE}-ack", "id": exception_id},
                className="btn btn-primary btn-sm",
            ),
        ],
        className="alerts-exception mb-3",
    )


@callback(
    Output(f"{PAGE}-content", "children"),
    Output(f"{PAGE}-inbox", "children"),
    Output(f"{PAGE}-mark-read", "disabled"),
    Input(f"{PAGE}-refresh", "data"),
)
def show_alerts(_refresh):
    try:
        scope = current_scope()
        owned = _owned(scope)
        inbox = alerts.inbox(scope=scope, limit=SHOWN)
    except AccessDenied:
        return message("Sign in to see your alerts.", kind="info"), None, True
    except StoreUnavailable:
        unavailable = "Data temporarily unavailable. Please try again shortly."
        return message(unavailable, kind="warning"), None, True
    assigned = (
        html.Ol([_exception_item(i, t) for i, t in owned], className="list-unstyled")
        if owned
        else html.P("No open exceptions are assigned to you.")
    )
    unread = int((~inbox["read"]).sum()) if not inbox.empty else 0
    items = [
        html.Li(
            [
                html.Strong("New: ") if not row.read else None,
                html.Span(
                    f"{row.created_at:%d %B %Y %H:%M} · ", className="text-muted"
                ),
                row.text,
            ],
            className="alerts-item" + ("" if row.read else " alerts-unread"),
        )
        for row in inbox.itertuples()
    ]
    return (
        [
            html.H2("Assigned to you"),
            html.P(
                "Acknowledge an exception with a comment once you have looked at "
                "it. It then leaves the board pack's list of open exceptions.",
            ),
            assigned,
            html.H2(f"Inbox ({unread} unread)"),
        ],
        html.Ul(items, className="alerts-inbox")
        if items
        else html.P("No alerts yet. Choose what you receive in your alert settings."),
        not unread,
    )


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input({"type": f"{PAGE}-ack", "id": ALL}, "n_clicks"),
    State({"type": f"{PAGE}-comment", "id": ALL}, "value"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def acknowledge(clicks, comments, refresh):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(c for c in clicks or [] if c):
        return no_update, no_update
    scope = current_scope()
    exception_id = int(trigger["id"])
    ids = [s["id"]["id"] for s in ctx.states_list[0]]
    comment = comments[ids.index(exception_id)] if exception_id in ids else ""
    try:
        exceptions.acknowledge(
            scope=scope, exception_id=exception_id, comment=comment or ""
        )
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), no_update
    except StoreUnavailable:
        return message("Data temporarily unavailable.", kind="warning"), no_update
    except DataAccessError as error:
        return message(f"Not acknowledged: {error}.", kind="warning"), no_update
    return message("Acknowledged, with your comment.", kind="success"), (
        refresh or 0
    ) + 1


@callback(
    Output(f"{PAGE}-message", "children", allow_duplicate=True),
    Output(f"{PAGE}-refresh", "data", allow_duplicate=True),
    Output("shell-alerts", "children", allow_duplicate=True),
    Input(f"{PAGE}-mark-read", "n_clicks"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def mark_all_read(clicks, refresh):
    if not clicks:
        return no_update, no_update, no_update
    scope = current_scope()
    try:
        alerts.mark_read(scope=scope)
    except StoreUnavailable:
        return (
            message("Data temporarily unavailable.", kind="warning"),
            no_update,
            no_update,
        )
    return (
        message("All alerts marked as read.", kind="success"),
        (refresh or 0) + 1,
        "Alerts",
    )


@callback(
    Output("shell-alerts", "children"),
    Input("_pages_location", "pathname"),
)
def unread_badge(_path):
    """The header's link: "Alerts" and, when there are any, how many are unread;
    refreshed on every page change. Signed out (a public page): nothing."""
    try:
        count = alerts.unread_count(scope=current_scope())
    except AccessDenied:
        return ""
    except StoreUnavailable:
        return "Alerts"
    return f"Alerts ({count} unread)" if count else "Alerts"
