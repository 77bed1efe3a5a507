"""The /compare map drawn from the outlines file (components.figure_svg.symbols,
issue 19): each area a <use> of its outline in one long-cached SVG file instead
of the outline inline in every answer. Checked against the inline road (the
renderer given the outlines themselves, as before), over the test map and the
43 real force areas: the same drawing apart from where each outline is
written, every outline's points within 0.1 px of the inline path's."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from components.area_map import (
    MAP_SCALE_RATIO,
    area_map_figure,
    outline_symbols,
    outline_symbols_file,
    outlines,
)
from components.figure_svg import figure_svg
from data_access.geography import pfa_boundaries
from tests.components.figure_cases import CASES, _map_geojson
from tests.components.test_figure_svg import _outline_points as _rings

NS = "{http://www.w3.org/2000/svg}"
HREF = "/embed/static/pfa-outlines.svg?v=test"


def _matrix(transform: str) -> tuple[float, ...]:
    (inside,) = re.fullmatch(r"matrix\(([^)]*)\)", transform).groups()
    return tuple(float(n) for n in inside.split())


def _both(figure: dict, geojson: dict) -> tuple[ET.Element, ET.Element, dict]:
    """The figure drawn with its outlines inline and from the file, and the
    file's paths by id."""
    kwargs = dict(title="t", desc="d", id_prefix="compare-map")
    inline = ET.fromstring(figure_svg(figure, outlines=outlines(geojson), **kwargs))
    used = ET.fromstring(
        figure_svg(figure, outlines=outline_symbols(geojson, HREF), **kwargs)
    )
    symbols = ET.fromstring(outline_symbols_file(geojson))
    paths = {p.get("id"): p.get("d") for p in symbols.iter(f"{NS}path")}
    return inline, used, paths


def _check_same_drawing(figure: dict, geojson: dict) -> int:
    inline, used, paths = _both(figure, geojson)
    # the same plot area and axis ranges: the areas' extents set them as their
    # outlines did
    for attribute in ("data-plot-area", "data-x-range", "data-y-range", "viewBox"):
        assert used.get(attribute) == inline.get(attribute), attribute
    drawn = [p for p in inline.iter(f"{NS}path") if p.get("data-trace") is not None]
    uses = list(used.iter(f"{NS}use"))
    placing = {use: group for group in used.iter(f"{NS}g") for use in group}
    assert len(uses) == len(drawn) == len(figure["data"])
    for path, use, trace in zip(drawn, uses, figure["data"], strict=True):
        code = trace["meta"]["code"]
        assert use.get("href") == f"{HREF}#{code}"
        for attribute in ("data-trace", "data-name", "fill", "stroke"):
            assert use.get(attribute) == path.get(attribute), attribute
        assert use.find(f"{NS}title").text == path.find(f"{NS}title").text
        # the areas are placed together, by their group
        a, b, c, d, e, f = _matrix(placing[use].get("transform"))
        assert b == c == 0 and a == pytest.approx(d, rel=1e-6)  # an even scale
        # the outline's line as wide in pixels as the inline path's
        assert float(use.get("stroke-width")) * a == pytest.approx(
            float(path.get("stroke-width")), abs=0.001
        )
        want, got = _rings(path.get("d")), _rings(paths[code])
        assert len(got) == len(want)
        for ring, expected in zip(got, want, strict=True):
            placed = [(a * x + e, d * y + f) for x, y in ring]
            # the inline path left out steps that rounded to nothing at 0.1 px
            # (the file, finer, keeps more of them): every inline point is on
            # the placed ring, within the two roundings
            for ex, ey in expected:
                assert min(abs(x - ex) + abs(y - ey) for x, y in placed) <= 0.15
    # nothing else differs: the drawing with each area's path or <use> taken
    # out, and the group that placed the <use>s
    for root in (inline, used):
        for group in list(root.iter(f"{NS}g")):
            for mark in [m for m in group if m.tag in (f"{NS}path", f"{NS}use")]:
                if mark.get("data-trace") is not None:
                    group.remove(mark)
        for group in list(root.iter(f"{NS}g")):
            for placed in [g for g in group if g.get("transform") and not len(g)]:
                group.remove(placed)
    assert ET.tostring(used) == ET.tostring(inline)
    return len(uses)


def test_the_test_map_from_the_file_is_the_map_drawn_inline():
    assert _check_same_drawing(CASES["area_map"](), _map_geojson()) == 4


def test_the_force_area_map_from_the_file_is_the_map_drawn_inline():
    """The 43 real force areas, as /compare draws them (its figure's width)."""
    import pandas as pd

    geojson = pfa_boundaries()
    frame = pd.DataFrame(
        [
            {
                "code": feature["id"],
                "name": feature["properties"]["name"],
                "rate": 10.0 + i,
                "rate_lower": 8.0 + i,
                "rate_upper": 12.0 + i,
                "comparison": ("better", "similar", "worse")[i % 3],
                "suppressed": i == 5,
            }
            for i, feature in enumerate(geojson["features"])
            if i != 7  # an area with no figure is drawn too
        ]
    )
    figure = area_map_figure(
        geojson, frame, per="per 100,000", level_text="95%", outlines_url="/o.json"
    )
    figure["layout"]["width"] = 641  # pages.compare.MAP_SVG_WIDTH
    assert _check_same_drawing(figure, geojson) == 43


def test_the_outlines_file_is_the_outlines_in_the_maps_frame():
    """Every area's path in the file, written in the frame the map's y:x ratio
    gives, shows nothing by itself (inside <defs>) and carries no paint (each
    <use> gives it its own)."""
    geojson = pfa_boundaries()
    root = ET.fromstring(outline_symbols_file(geojson))
    (defs,) = list(root)
    assert defs.tag == f"{NS}defs"
    paths = list(defs)
    assert [p.get("id") for p in paths] == [f["id"] for f in geojson["features"]]
    assert all(set(p.attrib) == {"id", "d"} for p in paths)
    feature = geojson["features"][0]
    ring = feature["geometry"]["coordinates"][0]
    if feature["geometry"]["type"] == "MultiPolygon":
        ring = ring[0]
    x, y = _rings(paths[0].get("d"))[0][0]
    assert x == pytest.approx(ring[0][0] * 100, abs=0.05)
    assert y == pytest.approx(-ring[0][1] * 100 * MAP_SCALE_RATIO, abs=0.05)
