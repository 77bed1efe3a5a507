"""Callback answers to JSON, the same bytes as plotly's encoder writes, cheaper.

Dash writes every callback answer with plotly's `to_json_plotly` (the json engine
here: orjson is not installed): `json.dumps` with `PlotlyJSONEncoder`, whose
`default()` the C encoder calls for every Dash component in the answer. That
`default()` builds a tuple of nine encoding methods and tries the first, which
calls the component's `to_plotly_json()`; that one asks `hasattr` of each of the
component's 20-60 prop names and runs a generator per attribute for the data-*/
aria-* wildcards. Answers hold hundreds to thousands of components, so this was
most of the cost of writing an answer.

`AnswerEncoder.default` writes a component as `Component.to_plotly_json` does (the
same keys in the same order) with dict look-ups instead; everything else (numpy,
pandas, dates, components with their own `to_plotly_json`, and the NaN/Infinity
clean-up in `PlotlyJSONEncoder.encode`) goes the plotly road unchanged, and the
same `<`, `>`, `/` escapes are applied after. tests/test_answer_json.py holds the
output byte-identical to `to_json_plotly` on the app's answers.
"""

from __future__ import annotations

import json

import dash._callback
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
    def default(self, obj):
        if isinstance(obj, Component):
            return component_json(obj)
        return super().default(obj)


def answer_json(value) -> str:
    """What `plotly.io.json.to_json_plotly(value, engine="json")` returns."""
    return _safe(
        json.dumps(value, cls=AnswerEncoder, separators=(",", ":")), _swap_json
    )


def use_for_callback_answers() -> None:
    """Dash's callback wrapper writes answers with the `to_json` it imported from
    dash._utils; point that name here (page layouts and the dependency list keep
    plotly's)."""
    dash._callback.to_json = answer_json
