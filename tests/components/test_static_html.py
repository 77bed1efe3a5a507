"""components.static_html: a dash.html tree as the plain data StaticHtml draws
(its markup in a browser: tests/browser/test_measures.py)."""

from __future__ import annotations

import pytest
from dash import dcc, html

from components.chart_tables import StaticTable
from components.static_html import StaticHtml, static_html


def test_elements_props_text_and_links_become_plain_data():
    tree = [
        html.Section(
            [
                html.H2("Knife <crime>", id="measure-k"),
                html.Dl([html.Dt("Rate"), html.Dd(["Per ", 100000, None])]),
                html.A("Source", href="https://example.org/x", title="Source"),
                dcc.Link("All", href="/measures", className="back"),
            ],
            className="measure-section",
            **{"aria-labelledby": "measure-k", "data-code": "k"},
        ),
        "after",
    ]
    drawn = static_html(tree)
    assert isinstance(drawn, StaticHtml)
    assert drawn.to_plotly_json()["props"]["content"] == [
        {
            "tag": "section",
            "props": {
                "className": "measure-section",
                "aria-labelledby": "measure-k",
                "data-code": "k",
            },
            "children": [
                # text stays text: React escapes it when drawing
                {
                    "tag": "h2",
                    "props": {"id": "measure-k"},
                    "children": ["Knife <crime>"],
                },
                {
                    "tag": "dl",
                    "props": {},
                    "children": [
                        {"tag": "dt", "props": {}, "children": ["Rate"]},
                        {"tag": "dd", "props": {}, "children": ["Per ", "100000"]},
                    ],
                },
                {
                    "tag": "a",
                    "props": {"href": "https://example.org/x", "title": "Source"},
                    "children": ["Source"],
                },
                {
                    "tag": "a",
                    "props": {"href": "/measures", "className": "back"},
                    "appLink": True,
                    "children": ["All"],
                },
            ],
        },
        "after",
    ]


@pytest.mark.parametrize(
    "tree, refusal",
    [
        # a callback may read n_clicks: such an element must stay a Dash component
        (html.Div(html.Button("Go", n_clicks=0)), "<button>"),
        (html.P("x", n_clicks=0), "n_clicks"),
        (html.P("x", style={"color": "red"}), "style"),
        (html.Iframe(src="/x.html"), "<iframe>"),
        (dcc.Link("x", href="/m", refresh=True), "refresh"),
        (dcc.Link("x", href="https://example.org"), "within the app"),
        (dcc.Input(id="q"), "dash.html elements"),
        (StaticTable(caption="t", columns=[], rows=[]), "dash.html elements"),
        (html.P(True), "boolean"),
        (html.P(object()), "cannot draw"),
    ],
)
def test_what_static_markup_cannot_carry_is_refused(tree, refusal):
    with pytest.raises((TypeError, ValueError), match=refusal):
        static_html(tree)
