"""Boundaries of police force areas, shipped with the app (no map tiles, no other host).

`pfa_boundaries()` returns the ONS December 2016 generalised (UGC) boundaries of the
43 police force areas of England and Wales as a GeoJSON FeatureCollection whose
features have `id` = the PFA code (E23000001, W15000001, ...) and properties
`code` and `name`. Coordinates (longitude, latitude, WGS84) are rounded to
`DECIMALS` places (about 100 metres at 3 places) and consecutive repeats dropped, so
the whole map is small enough to ship inside a figure's JSON.

The file is static, so the simplified geometry is kept per process: this is
read-only data derived from a file in the repository, not state shared between
requests.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from data_access.shipped.common import REFERENCE_DIR

BOUNDARIES_FILE = REFERENCE_DIR / "pfa_boundaries_dec2016_ugc.geojson"
BOUNDARIES_SOURCE = (
    "Office for National Statistics, Police Force Areas (December 2016) "
    "Generalised Clipped Boundaries in England and Wales (Open Government Licence; "
    "contains OS data © Crown copyright and database right)"
)
DECIMALS = 3


def _round_ring(ring: list, decimals: int) -> list:
    out: list[list[float]] = []
    for point in ring:
        p = [round(point[0], decimals), round(point[1], decimals)]
        if not out or out[-1] != p:
            out.append(p)
    # A ring needs at least four positions (closed triangle) to stay a polygon.
    if len(out) < 4:
        return []
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _signed_area(ring: list) -> float:
    """Shoelace area: positive when the ring runs anticlockwise."""
    return (
        sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)
        )
        / 2
    )


def _round_polygon(polygon: list, decimals: int) -> list:
    rings = [_round_ring(ring, decimals) for ring in polygon]
    if not rings or not rings[0]:
        return []
    rings = [r for r in rings if r]
    # Plotly draws geo shapes with d3-geo, which takes the exterior ring clockwise
    # (holes anticlockwise); the ONS file follows the GeoJSON right-hand rule, the
    # other way round, which d3 would read as "the whole globe except the area".
    oriented = []
    for i, ring in enumerate(rings):
        clockwise = _signed_area(ring) < 0
        want_clockwise = i == 0
        oriented.append(ring if clockwise == want_clockwise else ring[::-1])
    return oriented


def simplify_geometry(geometry: dict, decimals: int = DECIMALS) -> dict:
    """A Polygon or MultiPolygon with coordinates rounded to `decimals` places and
    consecutive duplicate points removed; rings that collapse are dropped."""
    kind = geometry["type"]
    if kind == "Polygon":
        return {
            "type": kind,
            "coordinates": _round_polygon(geometry["coordinates"], decimals),
        }
    if kind == "MultiPolygon":
        polygons = [_round_polygon(p, decimals) for p in geometry["coordinates"]]
        return {"type": kind, "coordinates": [p for p in polygons if p]}
    raise ValueError(f"unsupported geometry type {kind!r}")


@functools.lru_cache(maxsize=2)
def _load(decimals: int) -> dict[str, Any]:
    raw = json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))
    features = []
    for feature in raw["features"]:
        props = feature["properties"]
        features.append(
            {
                "type": "Feature",
                "id": props["PFA16CD"],
                "properties": {"code": props["PFA16CD"], "name": props["PFA16NM"]},
                "geometry": simplify_geometry(feature["geometry"], decimals),
            }
        )
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": features}


def pfa_boundaries(*, decimals: int = DECIMALS) -> dict[str, Any]:
    """The force area boundaries as GeoJSON, read once per process and shared by
    every caller: read it, never change it. (It used to be a deep copy per call,
    which cost /compare's map 10 ms of CPU a click; the map only reads it, and
    tests/data_access/test_comparison.py checks that drawing it changes nothing.)"""
    return _load(decimals)
