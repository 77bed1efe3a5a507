"""Shown for any path that is not a page: a plain message and a way back."""

import dash
from dash import dcc, html

dash.register_page(
    __name__,
    path="/404",
    title="Page not found – VRU Outcomes Monitor",
    nav=False,
    public=True,
)


def layout(**_query):
    return html.Div(
        [
            html.H1("Page not found"),
            html.P("If you typed the web address, check it is correct."),
            dcc.Link("Go to the overview", href="/"),
        ]
    )
