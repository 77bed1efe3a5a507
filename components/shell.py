"""The page shell shared by every app page: skip link, header, navigation, sign-in
state, status region, main landmark, footer with the "data as at" line.

Pure presentation: the caller (app.py) passes in what to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html


@dataclass(frozen=True)
class NavLink:
    name: str
    path: str


def page_shell(
    *,
    nav_links: list[NavLink],
    role_title: str | None,
    csrf_token: str | None,
    data_as_at: str,
    area_options: list[dict],
    content,
) -> html.Div:
    """The whole app layout around `content` (the pages container)."""
    return html.Div(
        [
            html.A("Skip to main content", href="#main-content", className="skip-link"),
            html.Header(
                html.Div(
                    [
                        dcc.Link(
                            "VRU Outcomes Monitor",
                            href="/",
                            className="service-name",
                        ),
                        _sign_in_state(role_title, csrf_token),
                    ],
                    className="container header-bar",
                ),
                className="app-header",
            ),
            html.Nav(
                html.Ul(
                    [
                        html.Li(
                            dcc.Link(link.name, href=link.path, className="nav-link")
                        )
                        for link in nav_links
                    ],
                    className="container nav-list",
                ),
                **{"aria-label": "Main"},
                className="app-nav",
            ),
            # Shared by the pages' area pickers through a clientside callback, so
            # page layouts never query the store.
            dcc.Store(id="shell-area-options", data=area_options),
            html.Main(
                [
                    html.Div(
                        id="shell-status",
                        role="status",
                        **{"aria-live": "polite"},
                        className="shell-status",
                    ),
                    content,
                ],
                id="main-content",
                className="container app-main",
                tabIndex="-1",
            ),
            html.Footer(
                html.Div(
                    [
                        html.P(data_as_at, className="data-as-at"),
                        html.P(
                            [
                                "Figures marked ",
                                html.Strong("Illustrative data"),
                                " are generated for demonstration where nothing is "
                                "published; they are not official statistics. ",
                                dcc.Link(
                                    "Accessibility statement", href="/accessibility"
                                ),
                                " · ",
                                dcc.Link("Measure definitions", href="/measures"),
                            ]
                        ),
                    ],
                    className="container",
                ),
                className="app-footer",
            ),
        ]
    )


def _sign_in_state(role_title: str | None, csrf_token: str | None):
    if role_title is None:
        return html.Div(
            [
                # Where a signed-in user's alerts link goes; empty when signed out
                # (its callback must find it in every layout).
                html.Span(id="shell-alerts", hidden=True),
                html.A("Sign in", href="/signin", className="btn btn-light btn-sm"),
            ]
        )
    return html.Form(
        [
            # The unread count is filled in by a callback (pages/alerts.py), so the
            # shell itself never queries the store.
            dcc.Link(
                html.Span("Alerts", id="shell-alerts"),
                href="/alerts",
                className="btn btn-light btn-sm me-2",
            ),
            html.Span(["Signed in as ", html.Strong(role_title)], className="me-2"),
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token or ""),
            html.Button("Sign out", type="submit", className="btn btn-light btn-sm"),
        ],
        method="POST",
        action="/signout",
        className="sign-in-state",
    )


def illustrative_badge(text: str = "Illustrative data") -> html.Span:
    """A text label (never colour alone) for generated figures."""
    return html.Span(
        text,
        className="badge illustrative-badge",
        title="Generated for demonstration: not official statistics",
    )


def message(text: str, *, kind: str = "info") -> html.Div:
    """A plain message for empty, missing, refused or invalid input."""
    return html.Div(
        text,
        className=f"alert alert-{kind}",
        role="alert" if kind in ("danger", "warning") else None,
    )
