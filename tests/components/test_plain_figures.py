"""The figure builders return plain data that the browser draws exactly as it drew
the go.Figure the builders made before (issue 19, "figures as plain data").

For each representative case (figure_cases.py) the plain figure, as JSON:
- equals what the go.Figure builders produced for the same case (figure_golden.json,
  made from main at b3f069e), floats to 1e-9, with the app's template;
- is what plotly itself makes of it: go.Figure(plain) validates every property (an
  unknown or ill-typed one raises) and adds nothing, drops nothing.

The map case names the URL of its outlines instead of carrying them (issue 19:
they are served once, cached, and put in by the browser): it is compared after
filling its traces from area_map.outlines of the case's boundaries as
assets/vru.js `mapOutlines` does, so the golden file still holds the coordinates
the map embedded before, and the URL is the only new field.

To change a builder's drawing on purpose, regenerate the golden file from the
changed builders and review its diff:
    python -c "import tests.components.test_plain_figures as t; t.write_golden()"
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from components import theme
from components.area_map import outlines
from tests.components.figure_cases import CASES, MAP_OUTLINES_URL, _map_geojson

GOLDEN = Path(__file__).with_name("figure_golden.json")


def _as_json(figure) -> dict:
    return json.loads(to_json_plotly(figure))


def _set(value):
    """`value` without empty objects: plotly leaves out a property set to {}."""
    if isinstance(value, dict):
        kept = {k: _set(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_set(v) for v in value]
    return value


def _differences(a, b, path: str = "") -> list[str]:
    if isinstance(a, float | int) and isinstance(b, float | int):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return [f"{path}: {a!r} -> {b!r}"]
        return []
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} -> {type(b).__name__}"]
    if isinstance(a, dict):
        out = [f"{path}.{k}: only on one side" for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            out += _differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items -> {len(b)}"]
        return [
            d
            for i, (p, q) in enumerate(zip(a, b, strict=True))
            for d in _differences(p, q, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def _drawn(figure: dict) -> dict:
    """The figure as the browser draws it: a map's traces filled from the outlines
    its layout.meta.outlines URL serves (the same steps as assets/vru.js)."""
    url = (figure["layout"].get("meta") or {}).get("outlines")
    if url is None:
        return figure
    assert url == MAP_OUTLINES_URL
    shapes = outlines(_map_geojson())
    data = [
        {**trace, **shapes[trace["meta"]["code"]]} if "meta" in trace else trace
        for trace in figure["data"]
    ]
    return {**figure, "data": data}


def write_golden() -> None:
    out = {}
    for name, build in CASES.items():
        figure = _as_json(_drawn(build()))
        figure["layout"].pop("template")
        out[name] = figure
    GOLDEN.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_plain_figure_draws_what_the_go_figure_drew(name):
    plain = CASES[name]()
    assert isinstance(plain, dict) and set(plain) == {"data", "layout"}
    shown = _as_json(_drawn(plain))
    assert shown["layout"].pop("template") == _as_json(theme.TEMPLATE_JSON)
    golden = json.loads(GOLDEN.read_text())[name]
    assert _differences(golden, shown) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_plotly_takes_the_plain_figure_as_it_is(name):
    plain = CASES[name]()
    checked = go.Figure(plain).to_plotly_json()  # raises on an invalid property
    assert _differences(_as_json(checked), _set(_as_json(plain))) == []


def test_the_map_answer_carries_no_coordinates_only_their_url():
    """What /compare sends: every area's trace without x and y (about 140 KB a
    click on the real boundaries), the outlines' URL in layout.meta."""
    plain = CASES["area_map"]()
    assert plain["layout"]["meta"] == {"outlines": MAP_OUTLINES_URL}
    assert len(plain["data"]) == len(_map_geojson()["features"])
    assert not any("x" in trace or "y" in trace for trace in plain["data"])
