"""Callback answers to JSON in one pass with orjson, parsing to what plotly writes.

Dash writes every callback answer with plotly's `to_json_plotly`: `json.dumps` with
`PlotlyJSONEncoder`, whose `encode` parses the whole answer back and dumps it again
whenever the text holds "NaN" or "Infinity" (to turn those into `null`; any label
saying "NaN" costs the same), then `_safe` escapes `<`, `>` and `/` in the str.

`answer_json` writes the answer once with `orjson.dumps`, which writes NaN and
+/-Infinity as `null` itself. What orjson does not write natively goes to
`_default`: Dash components as `component_json` (`Component.to_plotly_json`, the same
keys in the same order, with dict look-ups instead of its `hasattr` per prop name),
float and tuple subclasses as json writes them, and everything else to plotly's own
`PlotlyJSONEncoder().default` (numpy, pandas Timestamp/NaT/NA, Decimal, objects
with `to_plotly_json`), so those come out as plotly writes them. Dates and times
go to plotly's `default` too (OPT_PASSTHROUGH_DATETIME: isoformat's text; orjson's
drops the seconds of a UTC offset). numpy is not written natively (no
OPT_SERIALIZE_NUMPY): orjson writes datetime64 as "2024-01-01T00:00:00" where plotly
writes "2024-01-01", and float32/float16 as their own shortest text (0.1) where
plotly writes the double (0.10000000149011612); through `default` an array is
`tolist()`ed as plotly does. (The app's answers hold components, str, float, int,
bool, None, dict and list only: the first-load answers of the benchmark's pages.)
Then the bytes get `_safe`'s escapes of `<`, `>` and `/`.

The result is bytes (Flask's `Response.set_data` takes them as they are). It parses
(json.loads) to exactly what `to_json_plotly(value, engine="json")` parses to; the
bytes differ only in float formatting (orjson writes 1e-7 where json writes 1e-07),
non-ASCII text (UTF-8 where json writes \\u escapes, U+2028/U+2029 too) and spacing
(none in either).

What orjson refuses but json takes (ints beyond 64 bits, dict keys that are not
str, lone surrogates, nesting deeper than 255) goes plotly's json road whole:
`plotly_json`, byte for byte `to_json_plotly`'s text, with the same errors for what
neither writes. tests/test_answer_json.py holds both roads to plotly's.
"""

from __future__ import annotations

import json

import dash._callback
import orjson
import plotly.io.json
from _plotly_utils.utils import PlotlyJSONEncoder
from dash.development.base_component import Component
from plotly.io._json import _safe, _swap_json

# Component type -> whether `Component.to_plotly_json` of its instances reads only
# their own attributes: facts about classes (a component's prop names are fixed by
# its class), the same for every answer.
_WRITTEN_FROM_ATTRIBUTES: dict[type, bool] = {}


def _written_from_attributes(component: Component) -> bool:
    """The type keeps the base `to_plotly_json`, and none of its prop names is also
    a class attribute (which `hasattr` would find but the instance dict would not)."""
    component_type = type(component)
    plain = _WRITTEN_FROM_ATTRIBUTES.get(component_type)
    if plain is None:
        plain = component_type.to_plotly_json is Component.to_plotly_json and not any(
            hasattr(component_type, name) for name in component._prop_names
        )
        _WRITTEN_FROM_ATTRIBUTES[component_type] = plain
    return plain


def component_json(component: Component) -> dict:
    """`component.to_plotly_json()`, the same dict with the keys in the same order."""
    if not _written_from_attributes(component):
        return component.to_plotly_json()
    attributes = component.__dict__
    props = {
        name: attributes[name] for name in component._prop_names if name in attributes
    }
    wildcards = tuple(component._valid_wildcard_attributes)
    if wildcards:
        props.update(
            {
                name: value
                for name, value in attributes.items()
                if name.startswith(wildcards)
            }
        )
    return {"props": props, "type": component._type, "namespace": component._namespace}


class AnswerEncoder(PlotlyJSONEncoder):
    """plotly's json road with components written by `component_json`."""

    def default(self, obj):
        if isinstance(obj, Component):
            return component_json(obj)
        return super().default(obj)


_plotly_default = PlotlyJSONEncoder().default


def _default(obj):
    """What orjson hands over, written as json with `PlotlyJSONEncoder` writes it."""
    if isinstance(obj, Component):
        return component_json(obj)
    if isinstance(obj, float):  # a subclass (numpy.float64): json writes the float
        return float(obj)
    if isinstance(obj, tuple):  # a subclass (a namedtuple): json writes a list
        return list(obj)
    return _plotly_default(obj)


_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# `_safe`'s escapes (`_swap_json`), on the UTF-8 bytes. Not U+2028/U+2029 (plotly's
# orjson engine escapes those too, for JSON put in a page's script): an answer is
# read by JSON.parse, and looking for a 3-byte sequence took 1.5 ms per MB.
_ESCAPES = tuple((unsafe.encode(), safe.encode()) for unsafe, safe in _swap_json)


def answer_json(value) -> bytes:
    """UTF-8 JSON parsing to what `plotly.io.json.to_json_plotly(value,
    engine="json")` parses to."""
    try:
        written = orjson.dumps(value, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return plotly_json(value).encode()
    for unsafe, safe in _ESCAPES:
        if unsafe in written:
            written = written.replace(unsafe, safe)
    return written


def plotly_json(value) -> str:
    """What `plotly.io.json.to_json_plotly(value, engine="json")` returns."""
    return _safe(
        json.dumps(value, cls=AnswerEncoder, separators=(",", ":")), _swap_json
    )


def use_for_callback_answers() -> None:
    """Dash's callback wrapper writes answers with the `to_json` it imported from
    dash._utils; point that name here (page layouts and the dependency list keep
    plotly's)."""
    dash._callback.to_json = answer_json
    # With orjson installed plotly's "auto" engine would take its orjson road for
    # the rest (layouts, /_dash-dependencies, the page's config): that road walks
    # every component in Python first, /_dash-layout took 0.6 ms longer. Keep json.
    plotly.io.json.config.default_engine = "json"
