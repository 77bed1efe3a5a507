"""The map's area outlines kept out of its SVG: one static SVG file holds every
area's outline as a <path id="<area code>">, served once and long-cached by the
app (web/embed.py, "pfa-outlines.svg"), and the map draws each area as
<use href="<file URL>#<code>"> with its colour and hover text (issue 19: the
outlines were about 67 KB of every /compare answer).

The file's paths are in a fixed frame, not in the map's pixels, so one file
serves a map drawn at any size: FRAME_UNITS file units per axis unit along x,
and FRAME_UNITS times the map's y:x scale ratio per axis unit along y (negated:
SVG's y grows downwards), written to 0.1 unit (0.001 of a degree of longitude,
finer than the 0.1 px the inline paths were written to). With the ratio kept
(the map's yaxis.scaleanchor) the map's pixels are the frame scaled evenly
and moved, one `transform` per area, and the 0.5 px outline is a stroke width
divided by that scale.

The file's paths carry no paint, so each <use>'s fill and stroke reach them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from components.figure_svg.paint import _outline

FRAME_UNITS = 100.0


@dataclass(frozen=True)
class OutlineSymbols:
    """What the renderer needs to draw a map's areas from the outlines file:
    the file's URL, each area's extent in axis units (x min, x max, y min,
    y max: the axes' ranges are worked out from them, as from the outlines)
    and the y:x scale ratio the file's frame was written with."""

    href: str
    bounds: Mapping[str, tuple[float, float, float, float]]
    y_ratio: float


def _rings(shape: Mapping[str, list]) -> list[list[tuple[float, float]]]:
    """An outline's rings ({"x", "y"} with None between rings) as points."""
    rings: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(shape.get("x") or [], shape.get("y") or [], strict=False):
        if x is None or y is None:
            if rings[-1]:
                rings.append([])
            continue
        rings[-1].append((float(x), float(y)))
    return [r for r in rings if r]


def outline_bounds(
    outlines: Mapping[str, Mapping[str, list]],
) -> dict[str, tuple[float, float, float, float]]:
    """Each area's extent (x min, x max, y min, y max) from its outline."""
    bounds = {}
    for code, shape in outlines.items():
        points = [p for ring in _rings(shape) for p in ring]
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            bounds[code] = (min(xs), max(xs), min(ys), max(ys))
    return bounds


def outline_file(outlines: Mapping[str, Mapping[str, list]], y_ratio: float) -> str:
    """The outlines file: every area's outline as <path id="<code>"> in the
    frame (module docstring), inside <defs>, so the file shows nothing itself."""
    k = FRAME_UNITS * y_ratio
    paths = []
    for code, shape in outlines.items():
        d = "".join(
            _outline([(x * FRAME_UNITS, -y * k) for x, y in ring])
            for ring in _rings(shape)
        )
        if d:
            paths.append(f'<path id="{code}" d="{d}"/>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs>'
        + "".join(paths)
        + "</defs></svg>"
    )


def frame_transform(x_axis, y_axis, y_ratio: float) -> tuple[str, float]:
    """The transform from the file's frame to the map's pixels (from the axes'
    ranges and pixel extents, as the renderer places points) and the frame's
    scale, by which a stroke's pixel width is divided."""
    (x0, x1), (y0, y1) = x_axis.range, y_axis.range
    xb = x_axis.length / ((x1 - x0) or 1.0)
    yb = y_axis.length / ((y1 - y0) or 1.0)
    sx, sy = xb / FRAME_UNITS, yb / (FRAME_UNITS * y_ratio)
    ex, ey = x_axis.start - x0 * xb, y_axis.start + y0 * yb
    numbers = " ".join(f"{v:.7g}" for v in (sx, 0, 0, sy, ex, ey))
    return f"matrix({numbers})", math.sqrt(sx * sy)
