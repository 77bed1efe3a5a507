"""Colours and dashes as paint attributes, outlines as compact
path data (lines, fill bands and the map's areas), marker symbols and each
mark's hover text (its <title>)."""

from __future__ import annotations

import functools
import math
from typing import Any

from components.figure_svg.text import _BR, _TAG, _coords, _esc, _f, _rich_lines

# ------------------------------------------------------------------ colours, dashes


def _paint(colour: Any) -> tuple[str, float]:
    """A colour as an SVG paint and its opacity: rgba() is split, as an SVG 1.1
    renderer (a PDF converter) may not read rgba."""
    if not colour:
        return "none", 0.0
    return _paint_of(str(colour))


# A drawing paints hundreds of marks in a few colours, and a colour's paint
# (like a marker's shape at a size, and a mark's fill and stroke attributes)
# depends on it alone: each is worked out once and kept.
@functools.lru_cache(maxsize=1024)
def _paint_of(colour: str) -> tuple[str, float]:
    text = colour.strip()
    if text.startswith("rgba("):
        parts = [p.strip() for p in text[5:-1].split(",")]
        if len(parts) == 4:
            r, g, b = (int(float(p)) for p in parts[:3])
            return f"#{r:02X}{g:02X}{b:02X}", float(parts[3])
    return text, 1.0


def _fill_attrs(colour: Any, opacity: float = 1.0) -> str:
    # kept for text and a number other than zero, whose -0.0 would be written
    # apart from 0.0 but is the same key (1 and 1.0 are, and are written alike)
    if type(colour) is str and type(opacity) in _NUMBERS and opacity:
        return _fill_attrs_kept(colour, opacity)
    return _fill_attrs_of(colour, opacity)


_NUMBERS = (float, int)


def _fill_attrs_of(colour: Any, opacity: float) -> str:
    paint, alpha = _paint(colour)
    alpha *= opacity
    out = f'fill="{_esc(paint)}"'
    if paint != "none" and alpha < 1:
        out += f' fill-opacity="{alpha:.3g}"'
    return out


_fill_attrs_kept = functools.lru_cache(maxsize=1024)(_fill_attrs_of)


def _stroke_attrs(colour: Any, width: float, dash: str | None = None) -> str:
    if (
        type(colour) is str
        and type(width) in _NUMBERS
        and width
        and (dash is None or type(dash) is str)
    ):
        return _stroke_attrs_kept(colour, width, dash)
    return _stroke_attrs_of(colour, width, dash)


def _stroke_attrs_of(colour: Any, width: float, dash: str | None) -> str:
    paint, alpha = _paint(colour)
    out = f'stroke="{_esc(paint)}" stroke-width="{_f(width)}"'
    if paint != "none" and alpha < 1:
        out += f' stroke-opacity="{alpha:.3g}"'
    pattern = _dasharray(dash, width)
    if pattern:
        out += f' stroke-dasharray="{pattern}"'
    return out


_stroke_attrs_kept = functools.lru_cache(maxsize=1024)(_stroke_attrs_of)


def _dasharray(dash: str | None, width: float) -> str:
    """plotly's dash names as it draws them: lengths in multiples of the line
    width (at least 3 px)."""
    if not dash or dash == "solid":
        return ""
    w = max(width, 3)
    steps = {
        "dot": (1, 1),
        "dash": (3, 3),
        "longdash": (5, 5),
        "dashdot": (3, 1, 1, 1),
        "longdashdot": (5, 2, 1, 2),
    }.get(dash)
    if steps is None:  # a list of lengths already, "5px,10px"
        return _esc(dash.replace("px", ""))
    return ",".join(_f(s * w) for s in steps)


def _tenths(n: int) -> str:
    """A whole number of tenths as the shortest SVG number: 12 -> "1.2",
    -4 -> "-.4", 30 -> "3"."""
    if n % 10 == 0:
        return str(n // 10)
    sign, n = ("-", -n) if n < 0 else ("", n)
    whole, tenth = divmod(n, 10)
    return f"{sign}{whole or ''}.{tenth}"


# the steps along an outline are mostly short: written once, looked up after
_STEPS = {n: _tenths(n) for n in range(-2000, 2001)}


def _outline(points: list[tuple[float, float]]) -> str:
    """A closed outline as an SVG path: its first point, then each step from
    the one before ("l", relative), all at 0.1 px, a step that rounds to
    nothing left out. Steps are short numbers: a map's outlines (thousands of
    points) take far fewer bytes than absolute coordinates."""
    parts: list[str] = []
    px = py = 0
    for x, y in points:
        ix, iy = round(x * 10), round(y * 10)
        if not parts:
            parts.append(f"M{_tenths(ix)},{_tenths(iy)}l")
        elif ix != px or iy != py:
            dx, dy = ix - px, iy - py
            step = f"{_STEPS.get(dx) or _tenths(dx)},{_STEPS.get(dy) or _tenths(dy)}"
            # a minus sign separates two numbers by itself
            if parts[-1][-1] != "l" and step[0] != "-":
                parts.append(" ")
            parts.append(step)
        px, py = ix, iy
    if not parts:
        return ""
    if parts[-1][-1] == "l":  # a lone point
        parts[-1] = parts[-1][:-1]
    return "".join(parts) + "Z"


def _at(values: Any, i: int, default: Any = None) -> Any:
    """Element i of a per-point property, or the property itself if scalar."""
    if isinstance(values, list | tuple):
        return values[i] if i < len(values) else default
    return default if values is None else values


def _each(values: Any, n: int, default: Any = None) -> list:
    """`_at(values, i, default)` for each i below n, looked at once."""
    if isinstance(values, list | tuple):
        return [*values[:n], *[default] * (n - len(values))]
    return [default if values is None else values] * n


# ------------------------------------------------------------------ marker symbols


@functools.lru_cache(maxsize=256)
def _symbol_path(symbol: str, size: float) -> str:
    """plotly's marker symbol of diameter `size`, centred on 0,0."""
    r = size / 2
    if symbol == "square":
        return f"M{_f(r)},{_f(r)}H{_f(-r)}V{_f(-r)}H{_f(r)}Z"
    if symbol == "diamond":
        d = r * 1.3
        return f"M{_f(d)},0L0,{_f(d)}L{_f(-d)},0L0,{_f(-d)}Z"
    if symbol in ("triangle-up", "triangle-down"):
        t, h = r * 2 / math.sqrt(3), r / 2
        s = 1 if symbol == "triangle-up" else -1
        return f"M{_f(-t)},{_f(s * h)}H{_f(t)}L0,{_f(-s * r)}Z"
    if symbol == "cross":
        a, b = r * 0.4, r * 1.2
        return (
            f"M{_f(b)},{_f(a)}H{_f(a)}V{_f(b)}H{_f(-a)}V{_f(a)}H{_f(-b)}"
            f"V{_f(-a)}H{_f(-a)}V{_f(-b)}H{_f(a)}V{_f(-a)}H{_f(b)}Z"
        )
    if symbol == "x":
        k = r * 0.8 / math.sqrt(2)
        ne, se, sw, nw = (
            f"l{_f(k)},{_f(k)}",
            f"l{_f(k)},{_f(-k)}",
            f"l{_f(-k)},{_f(-k)}",
            f"l{_f(-k)},{_f(k)}",
        )
        return f"M0,{_f(k)}{ne}{se}{sw}{se}{sw}{nw}{sw}{nw}{ne}{nw}{ne}Z"
    if symbol == "star":
        outer, inner = r * 1.2, r * 1.2 * 0.382
        points = []
        for k in range(10):
            rad = outer if k % 2 == 0 else inner
            angle = math.pi * k / 5 - math.pi / 2
            points.append(f"{_f(rad * math.cos(angle))},{_f(rad * math.sin(angle))}")
        return "M" + "L".join(points) + "Z"
    # circle, and any symbol not drawn here
    a = f"A{_f(r)},{_f(r)} 0 "
    return f"M{_f(r)},0{a}1,1 0,{_f(-r)}{a}0,1 {_f(r)},0Z"


def _tooltip(trace: dict, i: int | None) -> str:
    """The point's hover text as a <title>: the browser shows it as a tooltip
    on the mark, so values can be read with no JavaScript. Point i's, or the
    trace's single text (a map's area) when i is None."""
    if trace.get("hoverinfo") in ("skip", "none"):
        return ""
    text = trace.get("hovertext")
    if text is None and trace.get("hoverinfo") == "text":
        text = trace.get("text")
    if isinstance(text, list | tuple):
        text = text[i] if i is not None and i < len(text) else None
    if text in (None, ""):
        return ""
    return f"<title>{_esc(_plain_text(text))}</title>"


def _tooltips(trace: dict, n: int) -> list[str]:
    """`_tooltip(trace, i)` for each i below n, the trace read once."""
    if trace.get("hoverinfo") in ("skip", "none"):
        return [""] * n
    text = trace.get("hovertext")
    if text is None and trace.get("hoverinfo") == "text":
        text = trace.get("text")
    if not isinstance(text, list | tuple):
        return [_tooltip(trace, 0)] * n
    return [
        "" if t in (None, "") else f"<title>{_esc(_plain_text(t))}</title>"
        for t in text[:n]
    ] + [""] * (n - len(text))


def _plain_text(text: Any) -> str:
    """The text of `_rich_lines(text)`, its lines joined by newlines."""
    text = str(text)
    if "&" not in text:  # no entity to read: the lines without their tags
        if "<" not in text:
            return text
        lines = text.replace("<br>", "\n")  # the usual tag, the only one?
        if "<" not in lines:
            return lines
        return "\n".join(_TAG.sub("", line) for line in _BR.split(text))
    return "\n".join("".join(t for t, _, _ in runs) for runs in _rich_lines(text))


def _marker(
    x: float,
    y: float,
    symbol: str,
    size: float,
    colour: Any,
    line: dict,
    tip: str = "",
) -> str:
    """One marker at (x, y). "-open" symbols are hollow: an outline in the
    marker's colour, as plotly draws them."""
    hollow = symbol.endswith("-open")
    shape = symbol[:-5] if hollow else symbol
    path = _symbol_path(shape, size)
    if hollow:
        paint = f'fill="none" {_stroke_attrs(colour, line.get("width") or 2)}'
    else:
        paint = _fill_attrs(colour)
        width = line.get("width") or 0
        if width and line.get("color"):
            paint += " " + _stroke_attrs(line["color"], width)
    mark = f'<path transform="translate({_coords(((x, y),))})" d="{path}" {paint}'
    return f"{mark}>{tip}</path>" if tip else mark + "/>"
