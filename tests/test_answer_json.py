"""Callback answers are written by web.answer_json, byte for byte as plotly's
`to_json_plotly` writes them (the json engine), only cheaper."""

import datetime as dt
import json

import dash._callback
import numpy as np
import pytest
from dash import dcc, html, no_update
from plotly.io.json import to_json_plotly

from components.chart import SvgFirstGraph
from components.chart_tables import StaticTable
from tests.test_callback_compression import client  # noqa: F401 - fixture
from tests.web_helpers import callback_request
from web.answer_json import AnswerEncoder, answer_json, component_json


def _plotly(value) -> str:
    return to_json_plotly(value, engine="json")


class _PropOnTheClass(html.Span):
    """A component whose prop name is also a class attribute: `hasattr` finds it
    on the class although the instance never set it."""

    title = "from the class"


def _tree():
    return {
        "multi": True,
        "response": {
            "content": {
                "children": html.Div(
                    [
                        html.H2("Killed or seriously injured", id="t"),
                        html.P(
                            ["Rate ", html.Strong("12.5"), " </script> & <b>"],
                            className="x",
                            **{"aria-label": "a", "data-code": "E1"},
                        ),
                        dcc.Graph(figure={"data": [{"y": [1.5, float("nan")]}]}),
                        SvgFirstGraph(svg="<svg/>", label="l", filename="f"),
                        StaticTable(
                            columns=[{"name": "Year", "numeric": False}],
                            rows=[["2024/25"], [0]],
                            marks=[{"shown": "[c]", "spoken": "suppressed"}],
                        ),
                        _PropOnTheClass("x"),
                        dcc.Dropdown(options=[{"label": "NaN text", "value": 1}]),
                        html.Span(np.float64(0.1) + 0.2),
                        html.Span([np.int64(3), np.array([1.0, 2.5])]),
                        html.Time(dt.date(2026, 3, 31).isoformat()),
                        "Infinity and beyond \u2028 é",
                    ]
                ),
                "value": no_update,
            },
            "store": {"data": {"nested": [html.I(), (1, 2), None, True]}},
        },
    }


def test_the_same_bytes_as_plotly():
    assert answer_json(_tree()) == _plotly(_tree())


@pytest.mark.parametrize("special", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_become_null_as_with_plotly(special):
    value = {"children": html.Div([special, "NaN"], title="x")}
    assert answer_json(value) == _plotly(value)
    assert json.loads(answer_json(value))["children"]["props"]["children"][0] is None


def test_a_component_is_written_as_its_to_plotly_json():
    div = html.Div(["a"], id="i", style={"b": 1}, **{"data-x": "1"})
    written = component_json(div)
    assert written == div.to_plotly_json()
    assert list(written["props"]) == list(div.to_plotly_json()["props"])
    # a prop resolved on the class: the component's own method
    assert component_json(_PropOnTheClass("x")) == _PropOnTheClass("x").to_plotly_json()
    assert issubclass(AnswerEncoder, json.JSONEncoder)


def test_the_app_writes_callback_answers_with_it(client, monkeypatch):  # noqa: F811
    assert dash._callback.to_json is answer_json
    written = []

    def both(value):
        written.append((answer_json(value), _plotly(value)))
        return written[-1][0]

    monkeypatch.setattr(dash._callback, "to_json", both)
    request = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "E23000036"}],
    )
    answer = client.post(
        "/_dash-update-component",
        data=json.dumps(request),
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert len(written) == 1
    ours, plotlys = written[0]
    assert ours == plotlys and answer.get_data(as_text=True) == ours
