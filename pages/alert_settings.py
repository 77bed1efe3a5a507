"""Alert settings: each signed-in user chooses which exceptions reach them (SPC
signals, overdue returns, forecast underspends; only those assigned to them or
everything in their areas) and how (the in-app inbox always; e-mail; a webhook;
an Atom feed with a revocable address). docs/alerts.md.

Every callback acts on the caller's own preferences only (the scope's user id,
read on the server); nothing is cached.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

import settings
from components.shell import message
from data_access import alert_delivery, alerts
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from web.access import current_scope

dash.register_page(
    __name__,
    path="/alerts/settings",
    title="Alert settings – VRU Outcomes Monitor",
    name="Alert settings",
    order=91,
    nav=False,
)

PAGE = "alert-settings"
KINDS = [
    {"label": "SPC signals (a change beyond normal variation)", "value": "signals"},
    {"label": "Overdue quarterly returns", "value": "overdue_returns"},
    {"label": "Forecast underspends", "value": "underspends"},
]
WHICH = [
    {"label": "Only exceptions assigned to me", "value": "assigned"},
    {"label": "Every exception in the areas I can see", "value": "all"},
]


def _fieldset(legend: str, *children) -> html.Fieldset:  # noqa: ANN002
    return html.Fieldset(
        [html.Legend(legend, className="h5"), *children], className="mb-4"
    )


def layout(**_query):
    return html.Div(
        [
            html.H1("Alert settings"),
            html.P(
                [
                    "Choose which exceptions reach you and how. Every alert also "
                    "appears in your ",
                    dcc.Link("inbox", href="/alerts"),
                    ". Alerts only ever show figures you can see in the app.",
                ],
                className="lead",
            ),
            dcc.Store(id=f"{PAGE}-ready", data=True),
            _fieldset(
                "What to receive",
                # Native checkboxes and radios, each with its own label
                # (dcc.Checklist draws an unnamed ARIA listbox).
                dbc.Checklist(id=f"{PAGE}-kinds", options=KINDS, value=[]),
                dbc.RadioItems(
                    id=f"{PAGE}-which",
                    options=WHICH,
                    value="assigned",
                    className="mt-2",
                ),
            ),
            _fieldset(
                "E-mail",
                dbc.Checklist(
                    id=f"{PAGE}-email",
                    options=[
                        {"label": "Also send each alert by e-mail", "value": "on"}
                    ],
                    value=[],
                ),
                html.P(id=f"{PAGE}-email-note", className="form-text"),
            ),
            _fieldset(
                "Webhook (Teams, Slack or another receiver)",
                html.Label("Webhook address", htmlFor=f"{PAGE}-webhook"),
                dcc.Input(
                    id=f"{PAGE}-webhook",
                    type="url",
                    className="form-control",
                    maxLength=500,
                    debounce=True,
                ),
                html.P(id=f"{PAGE}-webhook-note", className="form-text"),
            ),
            html.Button(
                "Save settings", id=f"{PAGE}-save", className="btn btn-primary mb-4"
            ),
            _fieldset(
                "Atom feed",
                html.P(
                    "A private feed address for a feed reader. Anyone with the "
                    "address can read your alerts: revoke it if it is shared by "
                    "mistake.",
                ),
                html.P(id=f"{PAGE}-feed-state"),
                html.Button(
                    "Create a new feed address",
                    id=f"{PAGE}-feed-new",
                    className="btn btn-outline-primary btn-sm me-2",
                ),
                html.Button(
                    "Revoke the feed address",
                    id=f"{PAGE}-feed-revoke",
                    className="btn btn-outline-danger btn-sm",
                ),
            ),
            html.Div(id=f"{PAGE}-message", **{"aria-live": "polite"}),
        ]
    )


def _unavailable():
    return message(
        "Data temporarily unavailable. Please try again shortly.", kind="warning"
    )


@callback(
    Output(f"{PAGE}-kinds", "value"),
    Output(f"{PAGE}-which", "value"),
    Output(f"{PAGE}-email", "value"),
    Output(f"{PAGE}-webhook", "value"),
    Output(f"{PAGE}-email-note", "children"),
    Output(f"{PAGE}-webhook-note", "children"),
    Output(f"{PAGE}-feed-state", "children"),
    Input(f"{PAGE}-ready", "data"),
)
def load(_ready):
    try:
        scope = current_scope()
        prefs = alerts.preferences(scope.user_id)
    except (AccessDenied, StoreUnavailable):
        return [], "assigned", [], "", "", "", ""
    email_note = (
        "E-mail goes to the address of your user name on this service."
        if alert_delivery.email_available()
        else "E-mail is not set up on this service: alerts stay in the inbox."
    )
    hosts = sorted(settings.alert_webhook_hosts())
    webhook_note = (
        "A JSON POST signed with HMAC-SHA256 (header X-VRU-Signature). Allowed "
        f"hosts: {', '.join(hosts)}. Leave empty for none."
        if hosts
        else "Webhooks are not enabled on this service."
    )
    return (
        [k["value"] for k in KINDS if prefs[k["value"]]],
        "assigned" if prefs["assigned_only"] else "all",
        ["on"] if prefs["email"] else [],
        prefs["webhook_url"] or "",
        email_note,
        webhook_note,
        "You have a feed address (shown once when it was made)."
        if prefs["has_feed"]
        else "You have no feed address.",
    )


@callback(
    Output(f"{PAGE}-message", "children"),
    Input(f"{PAGE}-save", "n_clicks"),
    State(f"{PAGE}-kinds", "value"),
    State(f"{PAGE}-which", "value"),
    State(f"{PAGE}-email", "value"),
    State(f"{PAGE}-webhook", "value"),
    prevent_initial_call=True,
)
def save(clicks, kinds, which, email, webhook):
    if not clicks:
        return no_update
    kinds = set(kinds or [])
    choices = {k["value"]: k["value"] in kinds for k in KINDS}
    choices |= {
        "assigned_only": which != "all",
        "email": "on" in (email or []),
        "webhook_url": (webhook or "").strip() or None,
    }
    try:
        scope = current_scope()
        saved = alerts.save_preferences(scope=scope, choices=choices)
    except StoreUnavailable:
        return _unavailable()
    except DataAccessError as error:
        return message(f"Not saved: {error}.", kind="warning")
    parts = ["Settings saved."]
    if saved["webhook_url"]:
        parts += [
            " Sign-check webhook calls with this secret: ",
            html.Code(alerts.webhook_secret_for(scope)),
        ]
    return message(parts, kind="success")


@callback(
    Output(f"{PAGE}-message", "children", allow_duplicate=True),
    Output(f"{PAGE}-feed-state", "children", allow_duplicate=True),
    Input(f"{PAGE}-feed-new", "n_clicks"),
    prevent_initial_call=True,
)
def new_feed(clicks):
    if not clicks:
        return no_update, no_update
    try:
        token = alerts.new_feed_token(scope=current_scope())
    except StoreUnavailable:
        return _unavailable(), no_update
    address = f"{settings.app_base_url()}/feeds/alerts/{token}.atom"
    return (
        message(
            [
                "Your new feed address (shown only now; any earlier one has "
                "stopped working): ",
                html.Code(address),
            ],
            kind="success",
        ),
        "You have a feed address.",
    )


@callback(
    Output(f"{PAGE}-message", "children", allow_duplicate=True),
    Output(f"{PAGE}-feed-state", "children", allow_duplicate=True),
    Input(f"{PAGE}-feed-revoke", "n_clicks"),
    prevent_initial_call=True,
)
def revoke_feed(clicks):
    if not clicks:
        return no_update, no_update
    try:
        alerts.revoke_feed_token(scope=current_scope())
    except StoreUnavailable:
        return _unavailable(), no_update
    return (
        message("Feed address revoked: it no longer works.", kind="success"),
        "You have no feed address.",
    )
