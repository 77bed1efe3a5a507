"""Callback answers are written by web.answer_json with orjson in one pass: they
parse to exactly what plotly's `to_json_plotly` (the json engine) parses to, with
plotly's `<`, `>`, `/` escapes; what orjson refuses goes plotly's road, byte for
byte."""

import collections
import datetime as dt
import decimal
import json

import dash._callback
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io.json
import pytest
from dash import dcc, html, no_update
from plotly.io.json import to_json_plotly

from components.chart import SvgFirstGraph
from components.chart_tables import StaticTable
from tests.test_callback_compression import client  # noqa: F401 - fixture
from tests.web_helpers import callback_request
from web import answer_json as answer_json_module
from web.answer_json import AnswerEncoder, answer_json, component_json, plotly_json


def _plotly(value) -> str:
    return to_json_plotly(value, engine="json")


def _same_as_plotly(value) -> bytes:
    """Our bytes, after checking they parse to what plotly's text parses to."""
    ours = answer_json(value)
    assert isinstance(ours, bytes)
    assert json.loads(ours) == json.loads(_plotly(value))
    return ours


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


Point = collections.namedtuple("Point", "x y")

HAND_MADE = {
    "nan and infinities in lists": [1.5, float("nan"), float("inf"), -float("inf")],
    "nested lists and dicts": {"a": [[float("nan")], {"b": (float("inf"), 2)}]},
    "float array with nan": np.array([0.1, np.nan, np.inf, -np.inf]),
    "int array": np.array([1, -2, 2**40], dtype=np.int64),
    "small int arrays": [np.array([1, 2], dtype=np.int8), np.arange(3, dtype="u2")],
    "bool array": np.array([True, False]),
    "2-d array": np.array([[1.0, np.nan], [3.0, 4.0]]),
    "float32 array": np.array([0.1, np.nan], dtype=np.float32),
    "datetime64 array": np.array(["2024-01-01", "2025-03-31"], dtype="datetime64[D]"),
    "datetime64 ns array": np.array(["2024-01-01T12:30:00.5"], dtype="datetime64[ns]"),
    "datetime64 with NaT": np.array(["2024-01-01", "NaT"], dtype="datetime64[s]"),
    "str and object arrays": [np.array(["a", "b"]), np.array([1, None], dtype=object)],
    "numpy scalars": [
        np.float64(0.1),
        np.float64("nan"),
        np.float32(0.1),
        np.float16(0.1),
        np.int64(7),
        np.uint8(255),
        np.bool_(True),
        np.datetime64("2024-01-01"),
        np.datetime64("2024-01-01T01:02:03"),
    ],
    "pandas": [
        pd.Timestamp("2024-01-01 12:00"),
        pd.Timestamp("2024-01-01 12:00:00.123456789"),
        pd.Timestamp("2024-01-01", tz="Europe/London"),
        pd.NaT,
        pd.NA,
        pd.Series([1.5, np.nan]),
    ],
    "dates and times": [
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31, 12, 0, 5, 4500),
        dt.datetime(2026, 3, 31, tzinfo=dt.UTC),
        dt.time(1, 2, 3, 5),
        dt.time(1, 2, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, tzinfo=dt.timezone(dt.timedelta(seconds=3601))),
    ],
    "decimals": [decimal.Decimal("1.10"), decimal.Decimal("NaN")],
    "floats": [0.1 + 0.2, 1e16, 1e-7, -0.0, 5e-324, 1.7976931348623157e308],
    "ints and bools": [0, -1, 2**63 - 1, True, False, None],
    "subclasses": [Point(1, 2), collections.OrderedDict(a=1), collections.Counter()],
    "nested components": html.Div(
        html.Section(
            [html.Ul([html.Li(html.A("x", href="/a/b"))]), dcc.Store(id="s", data={})]
        )
    ),
    "plotly figure": dcc.Graph(figure=go.Figure(go.Bar(x=["a"], y=[1]))),
    "script and text constants": [
        "</script><script>alert(1)</script>",
        "NaN",
        "Infinity",
        "-Infinity",
        {"NaN": "Infinity"},
        'a "quoted" \\ back\\slash\n\ttab \x00 \x1f',
    ],
    "non-ascii": ["é ü ß £ · – — “”", "日本語", "😀", "\u2028\u2029", "\ufeff"],
    "a string 'NaN' beside a nan": {"label": "NaN", "value": float("nan")},
}


@pytest.mark.parametrize("value", HAND_MADE.values(), ids=HAND_MADE.keys())
def test_hand_made_values_parse_as_plotly_writes_them(value, monkeypatch):
    # in one pass: none of these needs plotly's road
    monkeypatch.setattr(answer_json_module, "plotly_json", _not_plotlys_road)
    _same_as_plotly(value)


def _not_plotlys_road(value):
    raise AssertionError("orjson refused the value")


def test_the_answer_tree_parses_as_plotly_writes_it(monkeypatch):
    monkeypatch.setattr(answer_json_module, "plotly_json", _not_plotlys_road)
    _same_as_plotly(_tree())


def test_text_saying_nan_stays_text():
    value = {"children": html.Div([float("nan"), "NaN", "Infinity"], title="-Infinity")}
    written = json.loads(_same_as_plotly(value))["children"]["props"]
    assert written["children"] == [None, "NaN", "Infinity"]
    assert written["title"] == "-Infinity"


@pytest.mark.parametrize("special", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_become_null(special):
    for value in (
        [special],
        {"y": np.array([1.0, special])},
        html.Div(np.float64(special)),
    ):
        ours = _same_as_plotly(value)
        assert b"NaN" not in ours and b"Infinity" not in ours
        assert b"null" in ours


def test_the_escapes_are_applied():
    value = {"html": "</script><b>x</b>", "path": "/a/b", "<key/>": ">"}
    ours = _same_as_plotly(html.Div(value["html"], title=value["path"], id=value))
    for unsafe in (b"<", b">", b"/"):
        assert unsafe not in ours
    assert b"\\u003c\\u002fscript\\u003e" in ours


def test_what_orjson_refuses_goes_plotlys_road_byte_for_byte():
    for value in (
        {"big": 2**70},
        {1: "int key", 2.5: "float key", None: "none key"},
        ["lone surrogate \ud800"],
        _nested_lists(300),
    ):
        assert answer_json(value) == _plotly(value).encode()


def _nested_lists(depth: int) -> list:
    value = outer = []
    for _ in range(depth):
        value.append([])
        value = value[0]
    return outer


def test_what_neither_writes_fails_as_plotly_does():
    for value in ({"a": {1, 2}}, [object()]):
        with pytest.raises(TypeError):
            _plotly(value)
        with pytest.raises(TypeError):
            answer_json(value)


def test_plotlys_road_is_byte_for_byte_to_json_plotly():
    assert plotly_json(_tree()) == _plotly(_tree())
    assert issubclass(AnswerEncoder, json.JSONEncoder)


def test_a_component_is_written_as_its_to_plotly_json():
    div = html.Div(["a"], id="i", style={"b": 1}, **{"data-x": "1"})
    written = component_json(div)
    assert written == div.to_plotly_json()
    assert list(written["props"]) == list(div.to_plotly_json()["props"])
    # a prop resolved on the class: the component's own method
    assert component_json(_PropOnTheClass("x")) == _PropOnTheClass("x").to_plotly_json()


def test_the_app_writes_callback_answers_with_it(client, monkeypatch):  # noqa: F811
    assert dash._callback.to_json is answer_json
    # everything else (layouts, dependencies) stays on plotly's json road
    assert plotly.io.json.config.default_engine == "json"
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
    assert answer.content_type == "application/json"
    assert len(written) == 1
    ours, plotlys = written[0]
    assert json.loads(ours) == json.loads(plotlys) and answer.get_data() == ours
