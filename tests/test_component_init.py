"""Dash components built by web.component_init's checks: the same attributes in
the same order as Dash's own `Component.__init__`, and Dash's own errors."""

import warnings

import pytest
from dash import dcc, html
from dash.development.base_component import Component

from web import component_init


def _built():
    return [
        html.Div(["a", html.Span("b")], id="i", className="c", **{"aria-label": "x"}),
        html.P("t", **{"data-code": "E1"}, style={"a": 1}),
        dcc.Dropdown(options=[{"label": "a", "value": 1}], value=1, id={"k": "v"}),
        dcc.Graph(figure={"data": []}, config={"displayModeBar": False}),
        html.Span(),
    ]


def _attributes(components):
    """Each component's attributes in order, a child component by its repr."""
    return [[(k, repr(v)) for k, v in c.__dict__.items()] for c in components]


def test_the_same_attributes_in_the_same_order(monkeypatch):
    monkeypatch.setattr(Component, "__init__", component_init._DASH_INIT)
    dash_built = _attributes(_built())
    monkeypatch.setattr(Component, "__init__", component_init.checked_component_init)
    assert _attributes(_built()) == dash_built


REFUSED = [
    lambda: html.Div(not_a_prop=1),
    lambda: html.Div(title=html.Span("x")),
    lambda: html.Div(id=3),
    lambda: html.Div(id={1: "a"}),
    lambda: html.Div(id={"a": [1]}),
]


@pytest.mark.parametrize("build", REFUSED)
def test_dash_s_own_errors(build, monkeypatch):
    monkeypatch.setattr(Component, "__init__", component_init._DASH_INIT)
    with pytest.raises(TypeError) as dash_error:
        build()
    monkeypatch.setattr(Component, "__init__", component_init.checked_component_init)
    with pytest.raises(TypeError) as checked_error:
        build()
    assert str(checked_error.value) == str(dash_error.value)


def test_a_deprecated_component_still_warns_once(monkeypatch):
    monkeypatch.setattr(Component, "__init__", component_init.checked_component_init)
    monkeypatch.setitem(
        __import__(
            "dash.development.base_component", fromlist=["_deprecated_components"]
        )._deprecated_components,
        "dash_html_components",
        {"Marquee": "Marquee is deprecated"},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html.Marquee("x")
    assert [str(w.message) for w in caught] == ["Marquee is deprecated"]


def test_the_app_builds_components_with_it():
    import app  # noqa: F401

    assert Component.__init__ is component_init.checked_component_init
