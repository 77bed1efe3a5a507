"""Every app chart drawn as SVG on the server, from the same plain figure dict
that plotly.js would draw (issue 19: "server-drawn SVG first").

`figure_svg(figure, title=..., desc=..., id_prefix=...)` returns one <svg> that
shows the chart with no JavaScript, prints and exports as it looks, and works
inside an <img> or a PDF: presentation attributes only, no CSS, no script, no
external reference. plotly.js is loaded only when a user asks for interaction,
so the renderer follows what plotly.js would draw closely enough that swapping
one for the other moves nothing a reader would notice:

- the same marks at the same data positions: axis ranges are worked out as
  plotly's autorange does (each mark's extent with its pixel padding, 5% of the
  axis for padded marks, "tozero"), and explicit ranges are honoured;
- the same colours, dashes, marker symbols, bar patterns, error bars, fill bands,
  reference lines and rectangles (shapes), notes (annotations, the
  "Illustrative data" watermark among them) and legend keys;
- tick labels that stay readable: a crowded category axis labels every k-th
  category, and a label still too long for its room is cut with "…" instead of
  overlapping its neighbour (plotly turns such labels 30 degrees);
- each marker, bar and map area carries its hover text as a <title>, which the
  browser shows as a tooltip: values can be read on hover with no JavaScript.

The /compare map's figure carries no coordinates (layout.meta.outlines names
the file that has them): pass `outlines` (area code -> {"x", "y"}, as
components.area_map.outlines makes them) to draw it.

Text is measured by an estimate of the system-ui font (no font is loaded), and
all of it goes through html.escape: the chart card inserts this markup as HTML,
so a title, category or label can never inject markup. The plot area and the
axis ranges are written on the <svg> (data-plot-area, data-x-range,
data-y-range) so tests can check positions against their own linear mapping.

Plain string building, no plotly import: it runs on every uncached answer.
"""

from __future__ import annotations

import base64
import html
import math
import re
from array import array
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from components import theme

NOMINAL_WIDTH = 720  # px: the drawing's width when the figure sets none
# plotly.js's layout.height when a figure sets none (chart.PLOTLY_DEFAULT_HEIGHT;
# not imported: chart imports this module)
NOMINAL_HEIGHT = 450
MIN_FONT = 11  # px: no text smaller, at the nominal size (readability)

_TEMPLATE = theme.TEMPLATE_JSON

# ------------------------------------------------------------------ numbers, text


def _f(v: float) -> str:
    """A coordinate rounded to 0.1 px: enough for any screen, and short."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


_DTYPES = {"f8": "d", "f4": "f", "i4": "i", "i2": "h", "i1": "b", "u1": "B"}
_DTYPES.update({"u2": "H", "u4": "I"})


def _values(raw: Any) -> list:
    """A trace's array as a list: plotly's base64 typed arrays decoded, a scalar
    or None as an empty list."""
    if raw is None:
        return []
    if isinstance(raw, dict) and "bdata" in raw:
        out = array(_DTYPES.get(raw.get("dtype", "f8"), "d"))
        out.frombytes(base64.b64decode(raw["bdata"]))
        return [None if v != v else v for v in out.tolist()]
    if isinstance(raw, list | tuple):
        return list(raw)
    return [raw]


def _num(v: Any) -> float | None:
    """A value as a number for a linear axis: None for a gap, a suppressed "*",
    NaN or anything else that is not a number (plotly draws nothing there)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        try:
            out = float(v.replace(",", ""))
        except ValueError:
            return None
        return out if math.isfinite(out) else None
    try:
        out = float(v)  # numpy scalars
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


# Average advance widths of the system-ui sans fonts, in ems: text is measured
# without a font (the server has none to ask), closely enough to fit labels.
_WIDTHS: dict[str, float] = {}
for _chars, _em in (
    (" .,:;'|!il", 0.28),
    ("fjtrI()[]/-\u2013", 0.36),
    ("abcdeghknopqsuvxyz", 0.53),
    ("0123456789£$%*+<=>?#&", 0.57),
    ("ABCDEFGHJKLNOPQRSTUVXYZ", 0.66),
    ("mwMW@\u2014", 0.86),
):
    for _c in _chars:
        _WIDTHS[_c] = _em


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The estimated width in px of `text` at `size` px."""
    em = sum(_WIDTHS.get(c, 0.6) for c in text)
    # 1.06: the estimate errs wide, so a label cut to fit does fit
    return em * size * (1.13 if bold else 1.06)


_TAG = re.compile(r"(<[^>]*>)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)

Run = tuple[str, bool, bool]  # text, bold, italic


def _rich_lines(text: Any) -> list[list[Run]]:
    """plotly's pseudo-HTML (line breaks, <b>, <i>, entities the builders
    escaped) as lines of plain runs. Other tags are dropped, as plotly drops
    what it does not know; the runs are plain text, escaped again on output."""
    lines = []
    bold = italic = False
    for line in _BR.split(str(text)):
        runs: list[Run] = []
        for part in _TAG.split(line):
            if not part:
                continue
            if part.startswith("<") and part.endswith(">"):
                tag = part[1:-1].strip().lower()
                if tag in ("b", "/b"):
                    bold = tag == "b"
                elif tag in ("i", "em", "/i", "/em"):
                    italic = not tag.startswith("/")
                continue
            runs.append((html.unescape(part), bold, italic))
        lines.append(runs)
    return lines


def _lines_width(lines: list[list[Run]], size: float) -> float:
    return max(
        (sum(text_width(t, size, b) for t, b, _ in runs) for runs in lines),
        default=0.0,
    )


def _truncate(runs: list[Run], size: float, room: float) -> list[Run]:
    """The runs cut with "…" to fit `room` px (at least one character shown)."""
    if sum(text_width(t, size, b) for t, b, _ in runs) <= room:
        return runs
    out: list[Run] = []
    used = text_width("\u2026", size)
    for t, b, i in runs:
        kept = ""
        for c in t:
            w = text_width(c, size, b)
            if used + w > room and (out or kept):
                out.append((kept.rstrip() + "\u2026", b, i))
                return out
            kept += c
            used += w
        out.append((kept, b, i))
    return out


def _font_size(font: dict | None, default: float) -> float:
    size = (font or {}).get("size") or default
    return max(float(size), MIN_FONT)


def _text(
    lines: list[list[Run]],
    x: float,
    y: float,
    *,
    size: float,
    colour: str,
    anchor: str = "start",
    valign: str = "middle",
    extra: str = "",
) -> str:
    """A <text> of one or more lines at (x, y): `anchor` start/middle/end,
    `valign` top/middle/bottom of the block of lines."""
    step = size * 1.3
    n = len(lines)
    if valign == "top":
        first = y + size * 0.8
    elif valign == "bottom":
        first = y - (n - 1) * step - size * 0.25
    else:
        first = y - (n - 1) * step / 2 + size * 0.35
    out = [
        f'<text x="{_f(x)}" y="{_f(first)}" font-size="{_f(size)}" '
        f'fill="{_esc(colour)}"'
        + (f' text-anchor="{anchor}"' if anchor != "start" else "")
        + extra
        + ">"
    ]
    for k, runs in enumerate(lines):
        if n > 1:
            out.append(
                f'<tspan x="{_f(x)}" y="{_f(first + k * step)}">' if k else "<tspan>"
            )
        for t, b, i in runs:
            body = _esc(t)
            if b or i:
                attrs = (' font-weight="bold"' if b else "") + (
                    ' font-style="italic"' if i else ""
                )
                body = f"<tspan{attrs}>{body}</tspan>"
            out.append(body)
        if n > 1:
            out.append("</tspan>")
    out.append("</text>")
    return "".join(out)


# ------------------------------------------------------------------ colours, dashes


def _paint(colour: Any) -> tuple[str, float]:
    """A colour as an SVG paint and its opacity: rgba() is split, as an SVG 1.1
    renderer (a PDF converter) may not read rgba."""
    if not colour:
        return "none", 0.0
    text = str(colour).strip()
    if text.startswith("rgba("):
        parts = [p.strip() for p in text[5:-1].split(",")]
        if len(parts) == 4:
            r, g, b = (int(float(p)) for p in parts[:3])
            return f"#{r:02X}{g:02X}{b:02X}", float(parts[3])
    return text, 1.0


def _fill_attrs(colour: Any, opacity: float = 1.0) -> str:
    paint, alpha = _paint(colour)
    alpha *= opacity
    out = f'fill="{_esc(paint)}"'
    if paint != "none" and alpha < 1:
        out += f' fill-opacity="{alpha:.3g}"'
    return out


def _stroke_attrs(colour: Any, width: float, dash: str | None = None) -> str:
    paint, alpha = _paint(colour)
    out = f'stroke="{_esc(paint)}" stroke-width="{_f(width)}"'
    if paint != "none" and alpha < 1:
        out += f' stroke-opacity="{alpha:.3g}"'
    pattern = _dasharray(dash, width)
    if pattern:
        out += f' stroke-dasharray="{pattern}"'
    return out


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


# ------------------------------------------------------------------ marker symbols


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
    plain = "\n".join("".join(t for t, _, _ in runs) for runs in _rich_lines(text))
    return f"<title>{_esc(plain)}</title>"


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
    mark = f'<path transform="translate({_f(x)},{_f(y)})" d="{path}" {paint}'
    return f"{mark}>{tip}</path>" if tip else mark + "/>"


# ------------------------------------------------------------------ merging


def _merged(base: Any, over: Any) -> Any:
    """`over` on top of `base`, dicts merged key by key (plotly's template)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merged(base.get(k), v) if k in base else v
        return out
    return over if over is not None else base


def _title_of(spec: Any) -> str:
    if isinstance(spec, dict):
        return str(spec.get("text") or "")
    return "" if spec is None else str(spec)


# ------------------------------------------------------------------ axes

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_EPOCH = datetime(1970, 1, 1)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _date_ms(v: Any) -> float | None:
    if isinstance(v, datetime):
        return (v.replace(tzinfo=None) - _EPOCH).total_seconds() * 1000
    if isinstance(v, date):
        return (datetime(v.year, v.month, v.day) - _EPOCH).total_seconds() * 1000
    if isinstance(v, str) and _DATE.match(v):
        try:
            parsed = datetime.fromisoformat(v.strip().replace("T", " ")[:19])
        except ValueError:
            return None
        return (parsed - _EPOCH).total_seconds() * 1000
    return _num(v)


class _Axis:
    """One axis: its type, categories, range and pixel mapping."""

    def __init__(self, letter: str, spec: dict, traces: list[dict]) -> None:
        self.letter = letter
        self.spec = spec
        self.visible = spec.get("visible", True) is not False
        self.values = self._trace_values(traces)
        self.type = self._type()
        self.categories: dict[Any, int] = {}
        if self.type == "category":
            order = list(spec.get("categoryarray") or [])
            if spec.get("categoryorder") not in (None, "trace", "array"):
                order = []
            for v in order + [v for v in self.values if v is not None]:
                if v not in self.categories:
                    self.categories[v] = len(self.categories)
        self.mins: list[tuple[float, float, bool]] = []  # value, pad px, padded
        self.maxs: list[tuple[float, float, bool]] = []
        self.start = 0.0  # pixel of the range's first end
        self.length = 1.0
        self.range = (0.0, 1.0)

    def _trace_values(self, traces: list[dict]) -> list:
        out: list = []
        for t in traces:
            out.extend(_values(t.get(self.letter)))
        return out

    def _type(self) -> str:
        declared = self.spec.get("type")
        if declared in ("category", "linear", "date", "log"):
            return declared
        for v in self.values:
            if v is None:
                continue
            if isinstance(v, datetime | date):
                return "date"
            if isinstance(v, str):
                if _DATE.match(v):
                    return "date"
                return "linear" if _num(v) is not None else "category"
            return "linear"
        return "linear"

    def value(self, v: Any) -> float | None:
        """A data value on this axis as a number (a category's index)."""
        if type(v) is float and self.type in ("linear", "log"):  # the usual case
            if v != v or math.isinf(v):
                return None
            if self.type == "linear":
                return v
            return math.log10(v) if v > 0 else None
        if self.type == "category":
            # a category by its name; a number that names none is a position
            # (plotly's reading: shapes and notes between categories use it)
            try:
                index = self.categories.get(v)
            except TypeError:  # unhashable
                return None
            if index is not None or isinstance(v, str):
                return index
            return _num(v)
        if self.type == "date":
            return _date_ms(v)
        n = _num(v)
        if self.type == "log":
            return math.log10(n) if n is not None and n > 0 else None
        return n

    def expand(self, v: float, pad: float = 0.0, padded: bool = False) -> None:
        self.mins.append((v, pad, padded))
        self.maxs.append((v, pad, padded))

    def expand_span(self, lo: float, hi: float, pad: float, padded: bool) -> None:
        self.mins.append((lo, pad, padded))
        self.maxs.append((hi, pad, padded))

    def set_range(self, start: float, length: float) -> None:
        """Fix the pixel extent and the range: an explicit range as given,
        else plotly's autorange of the marks' extents."""
        self.start, self.length = start, length
        given = self.spec.get("range")
        auto = self.spec.get("autorange")
        if (
            isinstance(given, list | tuple)
            and len(given) == 2
            and None not in given
            and auto in (None, False)
        ):
            lo, hi = self.value(given[0]), self.value(given[1])
            if self.type == "log":  # plotly takes a log axis's range in log10
                lo, hi = _num(given[0]), _num(given[1])
            if lo is not None and hi is not None:
                self.range = (lo, hi)
                return
        lo, hi = self._autorange()
        self.range = (hi, lo) if auto == "reversed" else (lo, hi)

    def _autorange(self) -> tuple[float, float]:
        if not self.mins:
            if self.type == "date":
                return (946684800000.0, 978307200000.0)  # 2000 to 2001, as plotly
            # plotly's ranges for an axis with nothing on it
            low, high = (-1.0, 6.0) if self.letter == "x" else (-1.0, 4.0)
            if self.spec.get("rangemode") == "tozero":
                low = 0.0
            return (low, high)
        extra = self.length * 0.05

        def pad(pt: tuple[float, float, bool]) -> float:
            return pt[1] + (extra if pt[2] else 0.0)

        # at each padding only the lowest (highest) value can decide
        lows: dict[float, float] = {}
        for v, p, padded in self.mins:
            key = p + (extra if padded else 0.0)
            lows[key] = min(v, lows.get(key, v))
        highs: dict[float, float] = {}
        for v, p, padded in self.maxs:
            key = p + (extra if padded else 0.0)
            highs[key] = max(v, highs.get(key, v))
        mins = [(v, p, False) for p, v in lows.items()]
        maxs = [(v, p, False) for p, v in highs.items()]
        low = min(v for v, _, _ in mins)
        high = max(v for v, _, _ in maxs)
        tozero = self.spec.get("rangemode") == "tozero" and self.type == "linear"
        if low == high:
            if tozero:
                if low == 0:
                    return (0.0, 1.0)
                return (0.0, low * 1.05) if low > 0 else (low * 1.05, 0.0)
            return (low - 1, high + 1)
        # the pair of extremes that needs the most value per pixel decides
        best, lo_pt, hi_pt = 0.0, mins[0], maxs[0]
        for a in mins:
            for b in maxs:
                dv = b[0] - a[0]
                if dv <= 0:
                    continue
                dp = self.length - pad(a) - pad(b)
                ratio = dv / dp if dp > self.length / 20 else dv / self.length
                if ratio > best:
                    best, lo_pt, hi_pt = ratio, a, b
                    if dp <= self.length / 20:
                        lo_pt, hi_pt = (a[0], 0.0, False), (b[0], 0.0, False)
        if tozero:
            if lo_pt[0] >= 0:
                lo_pt = (0.0, 0.0, False)
            if hi_pt[0] <= 0:
                hi_pt = (0.0, 0.0, False)
        scale = (hi_pt[0] - lo_pt[0]) / max(self.length - pad(lo_pt) - pad(hi_pt), 1)
        return (lo_pt[0] - scale * pad(lo_pt), hi_pt[0] + scale * pad(hi_pt))

    def pixel(self, v: float) -> float:
        """A number on this axis (a value or a category index) as a pixel."""
        r0, r1 = self.range
        span = (r1 - r0) or 1.0
        if self.letter == "x":
            return self.start + (v - r0) / span * self.length
        return self.start - (v - r0) / span * self.length  # y grows upwards

    def at(self, v: Any) -> float | None:
        """A data value as a pixel, or None if it is not on the axis."""
        n = self.value(v)
        return None if n is None else self.pixel(n)

    # -------------------------------------------------------------- ticks

    def ticks(self) -> list[tuple[float, str]]:
        """(number, label) for every tick, in the range."""
        spec = self.spec
        lo, hi = sorted(self.range)
        if spec.get("tickmode") == "array" or spec.get("tickvals") is not None:
            vals = _values(spec.get("tickvals"))
            texts = _values(spec.get("ticktext"))
            out = []
            for k, v in enumerate(vals):
                n = self.value(v)
                if n is None or not lo - 1e-9 <= n <= hi + 1e-9:
                    continue
                label = texts[k] if k < len(texts) else self._label(n, 0)
                out.append((n, str(label)))
            return out
        if self.type == "category":
            names = list(self.categories)
            step = 1
            most = self.length / 15  # plotly: a category tick per 15 px at most
            if most and len(names) > most:
                step = math.ceil(len(names) / most)
            return [
                (float(k), str(names[k]))
                for k in range(0, len(names), step)
                if lo - 1e-9 <= k <= hi + 1e-9
            ]
        if self.type == "date":
            return self._date_ticks(lo, hi)
        if self.type == "log":
            return self._log_ticks(lo, hi)
        return self._linear_ticks(lo, hi)

    def _log_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        """plotly's log ticks: powers of ten when decades are many, 1, 2 and 5
        of each decade when few, even steps within less than a decade."""
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        rough = (hi - lo) / count
        values: list[float] = []
        given = self.spec.get("dtick")
        if given in ("D1", "D2"):
            digits = range(1, 10) if given == "D1" else (1, 2, 5)
            for d in range(math.floor(lo), math.ceil(hi) + 1):
                values += [m * 10.0**d for m in digits]
        elif rough > 0.7:
            step = math.ceil(rough)
            values = [10.0**d for d in range(math.ceil(lo), math.floor(hi) + 1, step)]
        elif hi - lo < 1:
            a, b = 10**lo, 10**hi
            dtick = _round_dtick((b - a) / (1.5 * (hi - lo) / rough))
            k = math.ceil(a / dtick)
            while k * dtick <= b:
                values.append(k * dtick)
                k += 1
        else:
            for d in range(math.floor(lo), math.ceil(hi) + 1):
                values += [m * 10.0**d for m in (1, 2, 5)]
        out = []
        for v in values:
            n = math.log10(v)
            if lo - 1e-9 <= n <= hi + 1e-9:
                out.append((n, self._label(v, 1.0 if v >= 1 else v)))
        return out

    def _linear_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        dtick = _round_dtick((hi - lo) / count)
        first = math.ceil(lo / dtick - 1e-9)
        out = []
        k = first
        while k * dtick <= hi + dtick * 1e-9:
            v = k * dtick
            out.append((v, self._label(v, dtick)))
            k += 1
        return out

    def _label(self, v: float, dtick: float) -> str:
        spec = self.spec
        decimals = max(0, -math.floor(math.log10(dtick) + 1e-9)) if dtick else 2
        v = round(v, decimals + 6)
        if v == 0:
            v = 0.0  # no "-0"
        fmt = spec.get("tickformat")
        if fmt == ",":
            text = f"{v:,.{decimals}f}"
        elif fmt:
            text = _d3_format(fmt, v, decimals)
        elif abs(v) >= 10000 and not decimals:
            text = _si(v)
        else:
            text = f"{v:.{decimals}f}"
        if "." in text and not (fmt and fmt not in (",",)):
            text = text.rstrip("0").rstrip(".")
        prefix, suffix = spec.get("tickprefix") or "", spec.get("ticksuffix") or ""
        if prefix and text.startswith("-"):
            return "-" + prefix + text[1:] + suffix
        return prefix + text + suffix

    def _date_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        days = (hi - lo) / 86400000
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        months = next(
            (m for m in (1, 2, 3, 6, 12, 24, 60, 120) if days / 30.4 / m <= count),
            240,
        )
        if days / count < 20:  # days rather than months
            step = next((d for d in (1, 2, 7, 14) if days / d <= count), 14)
            start = _EPOCH + timedelta(milliseconds=lo)
            day = datetime(start.year, start.month, start.day)
            out = []
            while (ms := (day - _EPOCH).total_seconds() * 1000) <= hi:
                if ms >= lo:
                    out.append((ms, f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"))
                day = day + timedelta(days=step)
            return out
        start = _EPOCH + timedelta(milliseconds=lo)
        year, month = start.year, 1
        out = []
        while True:
            ms = (datetime(year, month, 1) - _EPOCH).total_seconds() * 1000
            if ms > hi:
                return out
            if ms >= lo:
                label = str(year) if months >= 12 else f"{_MONTHS[month - 1]} {year}"
                out.append((ms, label))
            month += months
            year += (month - 1) // 12
            month = (month - 1) % 12 + 1


def _round_dtick(rough: float) -> float:
    """plotly's tick step: 2, 5 or 10 times a power of ten, the first not
    below the rough step."""
    if rough <= 0 or not math.isfinite(rough):
        return 1.0
    base = 10 ** math.floor(math.log10(rough))
    for m in (1, 2, 5, 10):
        if rough / base <= m + 1e-9:
            return m * base
    return 10 * base


def _si(v: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            text = f"{v / limit:.3g}"
            return text + suffix
    return f"{v:g}"


def _d3_format(fmt: str, v: float, decimals: int) -> str:
    """The d3 formats the builders use: ",", ",.0f", ".1f", ".0%", "$,"."""
    m = re.fullmatch(r"(\$)?(,)?(?:\.(\d+))?([f%s]?)", fmt)
    if not m:
        return f"{v:g}"
    money, comma, digits, kind = m.groups()
    places = int(digits) if digits is not None else decimals
    if kind == "%":
        v, suffix = v * 100, "%"
    else:
        suffix = ""
    text = f"{v:{',' if comma else ''}.{places}f}" + suffix
    return ("$" if money else "") + text


# ------------------------------------------------------------------ the renderer


class _Renderer:
    def __init__(
        self,
        figure: dict,
        title: str,
        desc: str,
        id_prefix: str,
        outlines: dict | None,
    ) -> None:
        layout = figure.get("layout") or {}
        template = layout.get("template") or _TEMPLATE
        self.layout = _merged(template.get("layout") or {}, layout)
        self.layout.pop("template", None)
        defaults = template.get("data") or {}
        self.traces = []
        for trace in figure.get("data") or []:
            kind = trace.get("type") or "scatter"
            if trace.get("visible", True) in (False, "legendonly"):
                continue
            base = (defaults.get(kind) or [{}])[0]
            self.traces.append(_merged(base, trace))
        self.title, self.desc = title, desc
        self.pid = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "chart"
        self.outlines = outlines
        self.font = self.layout.get("font") or {}
        self.text_colour = self.font.get("color") or theme.TEXT
        self.width = float(self.layout.get("width") or NOMINAL_WIDTH)
        self.height = float(self.layout.get("height") or NOMINAL_HEIGHT)
        self.defs: list[str] = []
        self.patterns: dict[tuple, str] = {}
        if self.outlines is not None:
            self._fill_outlines()
        self.x = _Axis("x", self.layout.get("xaxis") or {}, self._on_axis("x"))
        self.y = _Axis("y", self.layout.get("yaxis") or {}, self._on_axis("y"))

    def _on_axis(self, letter: str) -> list[dict]:
        return [
            t for t in self.traces if t.get("type", "scatter") in ("scatter", "bar")
        ]

    def _fill_outlines(self) -> None:
        """The map's areas get their coordinates from the outlines file, as the
        browser fills them (assets/vru.js mapOutlines)."""
        for trace in self.traces:
            code = (trace.get("meta") or {}).get("code")
            shape = self.outlines.get(code) if code is not None else None
            if shape and trace.get("x") is None:
                trace["x"], trace["y"] = shape.get("x") or [], shape.get("y") or []

    # -------------------------------------------------------------- layout

    def render(self) -> str:
        margin = self.layout.get("margin") or {}
        self.ml = float(margin.get("l", 80))
        self.mr = float(margin.get("r", 80))
        self.mt = float(margin.get("t", 100))
        self.mb = float(margin.get("b", 80))
        legend = self._legend_items()
        legend_svg = self._legend(legend)
        self._fit_bottom()
        self.ph = max(self.height - self.mt - self.mb, 10)
        self._expand_axes()
        self.y.set_range(self.mt + self.ph, self.ph)
        self._fit_left()
        self.pw = max(self.width - self.ml - self.mr, 10)
        self.x.set_range(self.ml, self.pw)
        if self.y.spec.get("scaleanchor") == "x":
            self._keep_ratio(float(self.y.spec.get("scaleratio") or 1))
        body: list[str] = []
        grid, axes = self._axes()
        body.append(grid)
        body.append(self._shapes("below"))
        body.append(self._bars())
        body.append(self._scatters())
        body.append(axes)
        body.append(self._shapes("above"))
        body.append(self._annotations())
        body.append(self._figure_title())
        body.append(legend_svg())
        return self._document("".join(body))

    def _document(self, body: str) -> str:
        pid = self.pid
        family = _esc(self.font.get("family") or theme.FONT_FAMILY)
        defs = "".join(self.defs)
        clip = (
            f'<clipPath id="{pid}-svg-clip"><rect x="{_f(self.ml)}" y="{_f(self.mt)}" '
            f'width="{_f(self.pw)}" height="{_f(self.ph)}"/></clipPath>'
        )
        x0, x1 = self.x.range
        y0, y1 = self.y.range
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {_f(self.width)} {_f(self.height)}" width="100%" '
            f'role="img" aria-labelledby="{pid}-svg-title {pid}-svg-desc" '
            f'class="chart-svg" id="{pid}-svg" font-family="{family}" '
            f'data-plot-area="{_f(self.ml)} {_f(self.mt)} {_f(self.pw)} '
            f'{_f(self.ph)}" data-x-range="{x0!r} {x1!r}" '
            f'data-y-range="{y0!r} {y1!r}">'
            f'<title id="{pid}-svg-title">{_esc(self.title)}</title>'
            f'<desc id="{pid}-svg-desc">{_esc(self.desc)}</desc>'
            f"<defs>{clip}{defs}</defs>"
            f'<rect width="{_f(self.width)}" height="{_f(self.height)}" '
            f"{_fill_attrs(self.layout.get('paper_bgcolor') or '#FFFFFF')}/>"
            f"{body}</svg>"
        )

    def _fit_bottom(self) -> None:
        """Grow the bottom margin to hold the x tick labels (as many lines as
        the longest) and the axis title: plotly's automargin."""
        ax = self.x
        if not ax.visible:
            return
        size = _font_size(ax.spec.get("tickfont"), 12)
        rows = 1
        if ax.type == "category":
            texts = ax.spec.get("ticktext") or list(ax.categories)
            rows = max((len(_BR.split(str(t))) for t in texts), default=1)
        need = float(ax.spec.get("ticklen", 5)) + 3 + rows * size * 1.3 + 4
        title = ax.spec.get("title")
        if _title_of(title):
            tsize = _font_size((title or {}).get("font"), 14)
            need += float((title or {}).get("standoff") or 8) + tsize * 1.3
        self.mb = max(self.mb, need)

    def _fit_left(self) -> None:
        """Grow the left margin when the y tick labels and title need more room
        than it gives (plotly's automargin; the builders reserve most of it).
        Category labels are cut to the margin instead."""
        ax = self.y
        if not ax.visible or ax.type == "category":
            return
        size = _font_size(ax.spec.get("tickfont"), 12)
        ticklen = float(ax.spec.get("ticklen", 5)) if ax.spec.get("ticks") else 0.0
        widest = max(
            (_lines_width(_rich_lines(label), size) for _, label in ax.ticks()),
            default=0.0,
        )
        need = ticklen + 3 + widest + 4
        title = ax.spec.get("title")
        if _title_of(title):
            tsize = _font_size((title or {}).get("font"), 14)
            need += float((title or {}).get("standoff") or 8) + tsize * 1.3
        self.ml = max(self.ml, need)

    # -------------------------------------------------------------- marks' extents

    def _expand_axes(self) -> None:
        x, y = self.x, self.y
        bars = [t for t in self.traces if t.get("type") == "bar"]
        self.bar_geometry = self._bar_geometry(bars)
        for geo in self.bar_geometry:
            pos_axis, size_axis = (y, x) if geo["horizontal"] else (x, y)
            for p, lo, hi, _, _ in geo["bars"]:
                # a bar's slot, gap and all, is in the range (plotly)
                pos_axis.expand(p - geo["slot"] / 2)
                pos_axis.expand(p + geo["slot"] / 2)
                for v in (lo, hi):
                    size_axis.expand(v, 0.0, v != 0 or lo != 0)
            for _p, lo, hi in geo["errors"]:
                size_axis.expand(lo, 0.0, True)
                size_axis.expand(hi, 0.0, True)
        for ax in (x, y):
            # every category has its place, those with no mark too (plotly);
            # bars take their whole slot, so the outer ones half a slot more
            if ax.type == "category" and ax.categories:
                half = 0.5 if any(self._bar_positions(ax)) else 0.0
                ax.expand(-half)
                ax.expand(len(ax.categories) - 1.0 + half)
        for trace in self.traces:
            if trace.get("type", "scatter") != "scatter":
                continue
            mode = trace.get("mode") or "lines+markers"
            has_markers = "markers" in mode
            has_text = "text" in mode
            marker = trace.get("marker") or {}
            sizes = marker.get("size", 6)
            ppad = 0.0
            if has_markers:
                biggest = max(
                    (s for s in _values(sizes) if isinstance(s, int | float)),
                    default=6,
                )
                ppad = max(biggest / 1.6, 3)
            fill = trace.get("fill") or "none"
            x_padded = True
            error_y = trace.get("error_y") or {}
            if not error_y and (
                fill in ("tonexty", "tozeroy") or not (has_markers or has_text)
            ):
                x_padded = False
            xs, ys = _values(trace.get("x")), _values(trace.get("y"))
            # a trace's points share their padding: only its extremes count
            x_values, y_values = [], []
            fast = x.type == "linear" and y.type == "linear"
            for xv, yv in zip(xs, ys, strict=False):
                if not (fast and type(xv) is float and type(yv) is float):
                    xv, yv = x.value(xv), y.value(yv)
                    if xv is None or yv is None:
                        continue
                elif xv != xv or yv != yv:  # NaN
                    continue
                x_values.append(xv)
                y_values.append(yv)
            if x_values:
                x.expand_span(min(x_values), max(x_values), ppad, x_padded)
                y.expand_span(min(y_values), max(y_values), ppad, fill != "tozeroy")
            if fill == "tozeroy" and ys:
                y.expand(0.0)
            errors = self._errors(trace, "y", xs, ys)
            if errors:
                y.expand_span(
                    min(e[0] for e in errors), max(e[1] for e in errors), 0.0, True
                )

    def _bar_positions(self, ax: _Axis):
        """Whether each bar trace has its positions on `ax`."""
        for geo in self.bar_geometry:
            yield (ax is self.y) == geo["horizontal"]

    def _errors(self, trace: dict, letter: str, xs: list, ys: list):
        """(low, high) of each point's error bar on `letter`, in axis numbers."""
        spec = trace.get(f"error_{letter}") or {}
        if not spec or spec.get("visible") is False:
            return []
        axis = self.y if letter == "y" else self.x
        values = ys if letter == "y" else xs
        plus = _values(spec.get("array"))
        minus = plus if spec.get("symmetric", True) else _values(spec.get("arrayminus"))
        out = []
        for i, v in enumerate(values):
            centre = axis.value(v)
            up, down = _num(_at(plus, i)), _num(_at(minus, i))
            if centre is None or (up is None and down is None):
                out.append(None)
                continue
            out.append((centre - (down or 0.0), centre + (up or 0.0)))
        return [e for e in out if e is not None] if letter == "y" else out

    def _bar_geometry(self, bars: list[dict]) -> list[dict]:
        """Each bar trace's bars: (position, start, end, index, value), its
        width in category units and its error bars, after grouping/stacking."""
        if not bars:
            return []
        mode = self.layout.get("barmode") or "group"
        gap = self.layout.get("bargap")
        gap = 0.2 if gap is None else float(gap)
        group_gap = float(self.layout.get("bargroupgap") or 0)
        grouped = mode == "group"
        # traces sharing positions side by side (group) or one on another
        n = len(bars) if grouped else 1
        slot = (1 - gap) / n
        stacks_pos: dict[float, float] = {}
        stacks_neg: dict[float, float] = {}
        out = []
        for k, trace in enumerate(bars):
            horizontal = trace.get("orientation") == "h"
            pos_axis, size_axis = (self.y, self.x) if horizontal else (self.x, self.y)
            positions = _values(trace.get("y" if horizontal else "x"))
            sizes = _values(trace.get("x" if horizontal else "y"))
            if not positions:
                positions = list(range(len(sizes)))
            bases = _values(trace.get("base"))
            width = trace.get("width")
            bar_width = float(width) if isinstance(width, int | float) else None
            offset = 0.0
            if grouped:
                offset = -(1 - gap) / 2 + slot * (k + 0.5)
            spacing = 1.0
            if pos_axis.type != "category":
                numbers = sorted(
                    {n for n in (pos_axis.value(v) for v in positions) if n is not None}
                )
                steps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
                spacing = min(steps, default=1.0) or 1.0
            drawn_width = bar_width or slot * (1 - group_gap) * spacing
            offset *= spacing
            items, errors = [], []
            err = trace.get("error_x" if horizontal else "error_y") or {}
            plus = _values(err.get("array"))
            minus = (
                plus if err.get("symmetric", True) else _values(err.get("arrayminus"))
            )
            for i, pos in enumerate(positions):
                p = pos_axis.value(pos)
                v = _num(_at(sizes, i)) if i < len(sizes) else None
                if p is None or v is None:
                    errors.append(None)
                    continue
                p += offset
                base = _num(_at(bases, i)) if bases else None
                if base is None:
                    base = 0.0
                    if mode in ("stack", "relative"):
                        stack = (
                            stacks_neg if mode == "relative" and v < 0 else stacks_pos
                        )
                        base = stack.get(p, 0.0)
                        stack[p] = base + v
                items.append((p, base, base + v, i, v))
                up, down = _num(_at(plus, i)), _num(_at(minus, i))
                if err and (up is not None or down is not None):
                    end = base + v
                    errors.append((p, end - (down or 0.0), end + (up or 0.0)))
                else:
                    errors.append(None)
            out.append(
                dict(
                    trace=trace,
                    horizontal=horizontal,
                    width=drawn_width,
                    slot=spacing,
                    bars=items,
                    errors=[e for e in errors if e is not None],
                    stacked=mode in ("stack", "relative"),
                )
            )
        return out

    def _keep_ratio(self, ratio: float) -> None:
        """y units `ratio` times as long as x units (the map), widening the
        range of whichever axis has room to spare, about its middle."""
        (x0, x1), (y0, y1) = self.x.range, self.y.range
        px_x = self.pw / ((x1 - x0) or 1)
        px_y = self.ph / ((y1 - y0) or 1)
        if px_y > px_x * ratio:  # y too stretched: widen y's range
            span = self.ph / (px_x * ratio)
            mid = (y0 + y1) / 2
            self.y.range = (mid - span / 2, mid + span / 2)
        else:
            span = self.pw / (px_y / ratio)
            mid = (x0 + x1) / 2
            self.x.range = (mid - span / 2, mid + span / 2)

    # -------------------------------------------------------------- axes

    def _axes(self) -> tuple[str, str]:
        grid: list[str] = []
        lines: list[str] = []
        left, top = self.ml, self.mt
        right, bottom = left + self.pw, top + self.ph
        for ax in (self.x, self.y):
            if not ax.visible:
                continue
            spec = ax.spec
            ticks = ax.ticks()
            tick_colour = spec.get("tickcolor") or theme.AXIS_LINE
            ticklen = float(spec.get("ticklen", 5)) if spec.get("ticks") else 0.0
            size = _font_size(spec.get("tickfont"), 12)
            font_colour = (spec.get("tickfont") or {}).get("color") or self.text_colour
            pixels = [(ax.pixel(n), label) for n, label in ticks]
            if spec.get("showgrid", ax.type != "category"):
                colour = spec.get("gridcolor") or theme.GRID
                width = float(spec.get("gridwidth") or 1)
                d = "".join(
                    f"M{_f(p)},{_f(top)}V{_f(bottom)}"
                    if ax.letter == "x"
                    else f"M{_f(left)},{_f(p)}H{_f(right)}"
                    for p, _ in pixels
                )
                if d:
                    grid.append(f'<path d="{d}" {_stroke_attrs(colour, width)}/>')
            if spec.get("zeroline") and ax.type == "linear":
                lo, hi = sorted(ax.range)
                if lo < 0 < hi:
                    p = ax.pixel(0.0)
                    d = (
                        f"M{_f(p)},{_f(top)}V{_f(bottom)}"
                        if ax.letter == "x"
                        else f"M{_f(left)},{_f(p)}H{_f(right)}"
                    )
                    zc = spec.get("zerolinecolor") or "#444444"
                    grid.append(f'<path d="{d}" {_stroke_attrs(zc, 1)}/>')
            if spec.get("showline"):
                colour = spec.get("linecolor") or theme.AXIS_LINE
                d = (
                    f"M{_f(left)},{_f(bottom)}H{_f(right)}"
                    if ax.letter == "x"
                    else f"M{_f(left)},{_f(top)}V{_f(bottom)}"
                )
                lines.append(f'<path d="{d}" {_stroke_attrs(colour, 1)}/>')
            if ticklen and pixels:
                d = "".join(
                    f"M{_f(p)},{_f(bottom)}v{_f(ticklen)}"
                    if ax.letter == "x"
                    else f"M{_f(left)},{_f(p)}h{_f(-ticklen)}"
                    for p, _ in pixels
                )
                lines.append(f'<path d="{d}" {_stroke_attrs(tick_colour, 1)}/>')
            labelled = pixels if spec.get("showticklabels", True) is not False else []
            if ax.letter == "x":
                lines.append(self._x_labels(ax, labelled, ticklen, size, font_colour))
            else:
                lines.append(self._y_labels(ax, labelled, ticklen, size, font_colour))
        return "".join(grid), "".join(lines)

    def _x_labels(self, ax: _Axis, pixels, ticklen, size, colour) -> str:
        bottom = self.mt + self.ph
        labels = [(p, _rich_lines(label)) for p, label in pixels]
        if not labels:
            rows = 1
        else:
            rows = max(len(lines) for _, lines in labels)
        # crowded labels: every k-th labelled (all keep their tick), the
        # smallest k at which neighbours clear each other; a label still too
        # long for the room between its neighbours is cut
        step = 1
        widths = [_lines_width(lines, size) for _, lines in labels]
        if len(labels) > 1:
            gapx = abs(labels[1][0] - labels[0][0])
            most = max(len(labels) // 2, 1)
            while step < most and any(
                (widths[k] + widths[k + step]) / 2 + 4 > gapx * step
                for k in range(0, len(labels) - step, step)
            ):
                step += 1
        shown = list(range(0, len(labels), step))
        out = []
        y = bottom + ticklen + 3
        for n, k in enumerate(shown):
            p, lines = labels[k]
            # its room: twice the distance to what is beside it, a neighbour's
            # half-width or the drawing's edge
            room = 2 * min(p, self.width - p) if ax.type == "category" else self.pw
            if n:
                before = labels[shown[n - 1]][0]
                room = min(room, 2 * (abs(p - before) - widths[shown[n - 1]] / 2 - 4))
            if n + 1 < len(shown):
                after = labels[shown[n + 1]][0]
                room = min(room, 2 * (abs(after - p) - widths[shown[n + 1]] / 2 - 4))
            lines = [_truncate(runs, size, room) for runs in lines]
            anchor = "middle"
            x = p
            if ax.type != "category":  # a number's label kept on the drawing
                w = _lines_width(lines, size)
                x = min(max(p, w / 2 + 1), self.width - w / 2 - 1)
            out.append(
                _text(
                    lines, x, y, size=size, colour=colour, anchor=anchor, valign="top"
                )
            )
        title = _title_of(ax.spec.get("title"))
        if title:
            tfont = (ax.spec.get("title") or {}).get("font") or {}
            tsize = _font_size(tfont, 14)
            ty = (
                y
                + rows * size * 1.3
                + float((ax.spec.get("title") or {}).get("standoff") or 8)
            )
            ty = min(ty, self.height - 2 - tsize)
            out.append(
                _text(
                    _rich_lines(title),
                    self.ml + self.pw / 2,
                    ty,
                    size=tsize,
                    colour=tfont.get("color") or self.text_colour,
                    anchor="middle",
                    valign="top",
                )
            )
        return "".join(out)

    def _y_labels(self, ax: _Axis, pixels, ticklen, size, colour) -> str:
        title = _title_of(ax.spec.get("title"))
        tfont = (ax.spec.get("title") or {}).get("font") or {}
        tsize = _font_size(tfont, 14)
        title_room = tsize * 1.3 + 4 if title else 0
        room = self.ml - ticklen - 4 - title_room
        x = self.ml - ticklen - 3
        out = []
        widest = 0.0
        for p, label in pixels:
            lines = [_truncate(runs, size, room) for runs in _rich_lines(label)]
            widest = max(widest, _lines_width(lines, size))
            out.append(_text(lines, x, p, size=size, colour=colour, anchor="end"))
        if title:
            standoff = float((ax.spec.get("title") or {}).get("standoff") or 8)
            tx = max(x - widest - standoff - tsize * 0.3, tsize * 0.9)
            cy = self.mt + self.ph / 2
            out.append(
                _text(
                    _rich_lines(title),
                    tx,
                    cy,
                    size=tsize,
                    colour=tfont.get("color") or self.text_colour,
                    anchor="middle",
                    valign="bottom",
                    extra=f' transform="rotate(-90 {_f(tx)} {_f(cy)})"',
                )
            )
        return "".join(out)

    # -------------------------------------------------------------- bars

    def _pattern(self, pattern: dict, background: str) -> str | None:
        """The id of a <pattern> for plotly's marker.pattern (colour is never
        the only cue: each category has its own pattern)."""
        shape = pattern.get("shape") or ""
        if not shape:
            return None
        fg = pattern.get("fgcolor") or self.text_colour
        opacity = float(pattern.get("fgopacity", 1))
        size = float(pattern.get("size") or 8)
        solidity = float(pattern.get("solidity") or 0.3)
        key = (shape, fg, opacity, size, solidity)
        if key in self.patterns:
            return self.patterns[key]
        pid = f"{self.pid}-svg-pattern{len(self.patterns)}"
        self.patterns[key] = pid
        s = size
        stroke = _stroke_attrs(fg, max(s * solidity * 0.8, 1))
        paths = {
            "/": f"M0,{_f(s)}L{_f(s)},0M{_f(-s / 4)},{_f(s / 4)}L{_f(s / 4)},"
            f"{_f(-s / 4)}M{_f(s * 0.75)},{_f(s * 1.25)}L{_f(s * 1.25)},{_f(s * 0.75)}",
            "\\": f"M0,0L{_f(s)},{_f(s)}M{_f(-s / 4)},{_f(s * 0.75)}L{_f(s / 4)},"
            f"{_f(s * 1.25)}M{_f(s * 0.75)},{_f(-s / 4)}L{_f(s * 1.25)},{_f(s / 4)}",
            "x": f"M0,{_f(s)}L{_f(s)},0M0,0L{_f(s)},{_f(s)}",
            "-": f"M0,{_f(s / 2)}H{_f(s)}",
            "|": f"M{_f(s / 2)},0V{_f(s)}",
            "+": f"M0,{_f(s / 2)}H{_f(s)}M{_f(s / 2)},0V{_f(s)}",
        }
        if shape == ".":
            r = math.sqrt(solidity * s * s / math.pi)
            mark = (
                f'<circle cx="{_f(s / 2)}" cy="{_f(s / 2)}" r="{_f(r)}" '
                f"{_fill_attrs(fg)}/>"
            )
        else:
            mark = f'<path d="{paths.get(shape, paths["/"])}" {stroke}/>'
        self.defs.append(
            f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{_f(s)}" '
            f'height="{_f(s)}"><g opacity="{opacity:.3g}">{mark}</g></pattern>'
        )
        return pid

    def _bars(self) -> str:
        out = []
        for k, geo in enumerate(self.bar_geometry):
            trace = geo["trace"]
            marker = trace.get("marker") or {}
            line = marker.get("line") or {}
            line_width = float(line.get("width") or 0)
            colours = marker.get("color")
            opacities = marker.get("opacity")
            pattern = marker.get("pattern") or {}
            horizontal = geo["horizontal"]
            pos_axis, size_axis = (self.y, self.x) if horizontal else (self.x, self.y)
            half = geo["width"] / 2
            group = [
                f'<g data-trace="{k}" data-name="{_esc(str(trace.get("name", "")))}">'
            ]
            texts = []
            for p, start, end, i, _v in geo["bars"]:
                a, b = pos_axis.pixel(p - half), pos_axis.pixel(p + half)
                c, d = size_axis.pixel(start), size_axis.pixel(end)
                if horizontal:
                    x, w = min(c, d), abs(d - c)
                    y, h = min(a, b), abs(b - a)
                else:
                    x, w = min(a, b), abs(b - a)
                    y, h = min(c, d), abs(d - c)
                colour = _at(colours, i, theme.PALETTE[k % len(theme.PALETTE)])
                opacity = _num(_at(opacities, i, 1.0))
                opacity = 1.0 if opacity is None else opacity
                rect = f'x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"'
                stroke = ""
                if line_width and line.get("color"):
                    stroke = " " + _stroke_attrs(_at(line["color"], i), line_width)
                attrs = _fill_attrs(colour, opacity) + stroke
                tip = _tooltip(trace, i)
                group.append(
                    f"<rect {rect} {attrs}>{tip}</rect>"
                    if tip
                    else f"<rect {rect} {attrs}/>"
                )
                shape = _at(pattern.get("shape"), i, "")
                if shape:
                    pid = self._pattern({**pattern, "shape": shape}, colour)
                    group.append(
                        # hover passes through to the bar and its tooltip
                        f'<rect {rect} fill="url(#{pid})" pointer-events="none"'
                        + (f' opacity="{opacity:.3g}"' if opacity < 1 else "")
                        + "/>"
                    )
                texts.append(self._bar_text(trace, i, geo, x, y, w, h, end < start))
            group.append(self._bar_errors(trace, geo))
            group.extend(t for t in texts if t)
            group.append("</g>")
            out.append("".join(group))
        return "".join(out)

    def _bar_errors(self, trace: dict, geo: dict) -> str:
        spec = trace.get("error_x" if geo["horizontal"] else "error_y") or {}
        if not geo["errors"]:
            return ""
        colour = spec.get("color") or self.text_colour
        thickness = float(spec.get("thickness", 2))
        cap = float(spec.get("width", 4))
        pos_axis, size_axis = (
            (self.y, self.x) if geo["horizontal"] else (self.x, self.y)
        )
        d = []
        for p, lo, hi in geo["errors"]:
            c = pos_axis.pixel(p)
            a, b = size_axis.pixel(lo), size_axis.pixel(hi)
            if geo["horizontal"]:
                d.append(
                    f"M{_f(a)},{_f(c)}H{_f(b)}M{_f(a)},{_f(c - cap)}v{_f(2 * cap)}"
                    f"M{_f(b)},{_f(c - cap)}v{_f(2 * cap)}"
                )
            else:
                d.append(
                    f"M{_f(c)},{_f(a)}V{_f(b)}M{_f(c - cap)},{_f(a)}h{_f(2 * cap)}"
                    f"M{_f(c - cap)},{_f(b)}h{_f(2 * cap)}"
                )
        return (
            f'<path data-role="error-bars" d="{"".join(d)}" fill="none" '
            f"{_stroke_attrs(colour, thickness)}/>"
        )

    def _bar_text(self, trace, i, geo, x, y, w, h, negative) -> str:
        """A bar's label where plotly puts it: inside the bar's end when it
        fits (turned along a column that is too narrow for it flat), else
        beyond the end; where neither fits (or beside a bar inside a stack)
        not at all, as uniformtext "hide" does."""
        position = trace.get("textposition") or "auto"
        label = _at(trace.get("text"), i)
        if position == "none" or label in (None, ""):
            return ""
        font = trace.get("textfont") or {}
        size = _font_size({"size": _at(font.get("size"), i)}, self.font.get("size", 14))
        lines = _rich_lines(label)
        tw = _lines_width(lines, size)
        th = len(lines) * size * 1.3
        pad = 3
        horizontal = geo["horizontal"]
        inside_colour = _at(font.get("color"), i) or self.text_colour
        outside_colour = (
            (trace.get("outsidetextfont") or {}).get("color")
            or _at(font.get("color"), i)
            or self.text_colour
        )
        if position in ("auto", "inside"):
            # plotly fits a label inside flat or turned, whichever lets it be
            # larger, shrunk if need be (here never below MIN_FONT)
            flat = min((w - 2 * pad) / tw, (h - 2 * pad) / th) if tw else 1.0
            turned = 0.0
            if not horizontal and tw:
                turned = min((h - 2 * pad) / tw, (w - 2 * pad) / th)
            if flat >= 1:  # flat at full size when it fits: plotly's first choice
                choice, scale = "flat", 1.0
            elif turned >= 1:
                choice, scale = "turned", 1.0
            else:
                choice = "flat" if flat >= turned else "turned"
                scale = max(flat, turned)
                if size * scale < MIN_FONT:
                    choice = ""
                else:
                    size, tw, th = size * scale, tw * scale, th * scale
            if choice == "flat":
                if horizontal:
                    ex = x + pad if negative else x + w - pad
                    anchor = "start" if negative else "end"
                    return _text(
                        lines,
                        ex,
                        y + h / 2,
                        size=size,
                        colour=inside_colour,
                        anchor=anchor,
                    )
                ey, valign = (y + h - pad, "bottom") if negative else (y + pad, "top")
                return _text(
                    lines,
                    x + w / 2,
                    ey,
                    size=size,
                    colour=inside_colour,
                    anchor="middle",
                    valign=valign,
                )
            if choice == "turned":
                # turned to read down the column from its end, as plotly does
                ex, ey = x + w / 2, (y + h - pad if negative else y + pad)
                return _text(
                    lines,
                    ex,
                    ey,
                    size=size,
                    colour=inside_colour,
                    anchor="end" if negative else "start",
                    extra=f' transform="rotate(90 {_f(ex)} {_f(ey)})"',
                )
        if position not in ("auto", "outside") or (
            geo["stacked"] and position == "auto"
        ):
            return ""
        if (w if horizontal else h) == 0:
            return ""  # no bar to label (plotly writes none for a zero)
        if horizontal:
            if th > h + 4:
                return ""
            ex = x - pad if negative else x + w + pad
            return _text(
                lines,
                ex,
                y + h / 2,
                size=size,
                colour=outside_colour,
                anchor="end" if negative else "start",
            )
        if tw > w + 4:
            return ""  # wider than its column: it would cover the next one
        ey, valign = (y + h + pad, "top") if negative else (y - pad, "bottom")
        return _text(
            lines,
            x + w / 2,
            ey,
            size=size,
            colour=outside_colour,
            anchor="middle",
            valign=valign,
        )

    # -------------------------------------------------------------- scatter

    def _points(self, trace: dict) -> list[tuple[float, float] | None]:
        """Each point's pixel, None where the value is missing or withheld."""
        xs, ys = _values(trace.get("x")), _values(trace.get("y"))
        out: list[tuple[float, float] | None] = []
        if self.x.type == "linear" and self.y.type == "linear":
            # the usual case made cheap (a map's outlines have thousands):
            # floats straight through the two linear mappings
            (x0, x1), (y0, y1) = self.x.range, self.y.range
            xa, xb = self.x.start, self.x.length / ((x1 - x0) or 1.0)
            ya, yb = self.y.start, self.y.length / ((y1 - y0) or 1.0)
            for x, y in zip(xs, ys, strict=False):
                if type(x) is not float or type(y) is not float:
                    x, y = _num(x), _num(y)
                    if x is None or y is None:
                        out.append(None)
                        continue
                elif x != x or y != y:  # NaN
                    out.append(None)
                    continue
                out.append((xa + (x - x0) * xb, ya - (y - y0) * yb))
            return out
        for i in range(min(len(xs), len(ys))):
            px, py = self.x.at(xs[i]), self.y.at(ys[i])
            out.append(None if px is None or py is None else (px, py))
        return out

    def _scatters(self) -> str:
        scatters = [
            (k, t)
            for k, t in enumerate(self.traces)
            if t.get("type", "scatter") == "scatter"
        ]
        if not scatters:
            return ""
        fills, marks = [], []
        previous: list | None = None
        for k, trace in scatters:
            points = self._points(trace)
            fill = trace.get("fill") or "none"
            if fill != "none":
                fills.append(self._fill(trace, points, previous, k))
            previous = points
            marks.append(self._scatter_marks(trace, points, k))
        clip = f' clip-path="url(#{self.pid}-svg-clip)"'
        return f"<g{clip}>{''.join(fills)}</g>{''.join(marks)}"

    def _fill(self, trace, points, previous, k) -> str:
        colour, opacity = trace.get("fillcolor"), 1.0
        if not colour:  # plotly's default: the line's colour, half transparent
            line_colour = (trace.get("line") or {}).get("color")
            colour = line_colour or theme.PALETTE[k % len(theme.PALETTE)]
            opacity = 0.5
        fill = trace.get("fill")
        own = [p for p in points if p is not None]
        if not own:
            return ""
        if fill == "toself":
            runs, run = [], []
            for p in points:
                if p is None:
                    if run:
                        runs.append(run)
                    run = []
                else:
                    run.append(p)
            if run:
                runs.append(run)
            d = "".join(_outline(r) for r in runs)
            line = trace.get("line") or {}
            stroke = ""
            if (line.get("width") or 0) > 0:
                stroke = " " + _stroke_attrs(line.get("color"), float(line["width"]))
            return (
                f'<path data-trace="{k}" data-name="{_esc(str(trace.get("name", "")))}"'
                f' d="{d}" {_fill_attrs(colour, opacity)}{stroke}>'
                f"{_tooltip(trace, None)}</path>"
            )
        if fill == "tozeroy":
            zero = self.y.pixel(0.0)
            poly = own + [(own[-1][0], zero), (own[0][0], zero)]
        elif fill == "tonexty" and previous:
            other = [p for p in previous if p is not None]
            poly = own + other[::-1]
        else:
            return ""
        d = "M" + "L".join(f"{_f(x)},{_f(y)}" for x, y in poly) + "Z"
        return f'<path data-role="band" d="{d}" {_fill_attrs(colour, opacity)}/>'

    def _scatter_marks(self, trace, points, k) -> str:
        mode = trace.get("mode") or ("lines+markers" if len(points) < 20 else "lines")
        line = trace.get("line") or {}
        name = _esc(str(trace.get("name", "")))
        colour = line.get("color") or theme.PALETTE[k % len(theme.PALETTE)]
        out = [f'<g data-trace="{k}" data-name="{name}">']
        clip = (
            f' clip-path="url(#{self.pid}-svg-clip)"'
            if trace.get("cliponaxis", True) is not False
            else ""
        )
        out.append(self._scatter_errors(trace, points))
        width = float(line.get("width", 2))
        if "lines" in mode and width > 0 and trace.get("fill") != "toself":
            runs, run = [], []
            connect = trace.get("connectgaps") is True
            for p in points:
                if p is None:
                    if run and not connect:
                        runs.append(run)
                        run = []
                    continue
                run.append(p)
            if run:
                runs.append(run)
            d = "".join(
                "M" + "L".join(f"{_f(x)},{_f(y)}" for x, y in r) for r in runs if r
            )
            if d:
                out.append(
                    f'<path data-role="line" d="{d}" fill="none" '
                    f"{_stroke_attrs(colour, width, line.get('dash'))} "
                    f'stroke-linejoin="round"{clip}/>'
                )
        marker = trace.get("marker") or {}
        if "markers" in mode:
            symbols, sizes = marker.get("symbol", "circle"), marker.get("size", 6)
            mcolours = marker.get("color") or colour
            mline = marker.get("line") or {}
            drawn = []
            for i, p in enumerate(points):
                if p is None:
                    continue
                mcolour = _at(mcolours, i, colour)
                if _paint(mcolour)[1] == 0:
                    continue  # transparent: a hover target only
                drawn.append(
                    _marker(
                        p[0],
                        p[1],
                        str(_at(symbols, i, "circle")),
                        float(_at(sizes, i, 6)),
                        mcolour,
                        mline,
                        _tooltip(trace, i),
                    )
                )
            if drawn:
                out.append(f'<g data-role="markers"{clip}>{"".join(drawn)}</g>')
        if "text" in mode:
            out.append(self._scatter_text(trace, points, marker, clip))
        out.append("</g>")
        return "".join(out)

    def _scatter_errors(self, trace, points) -> str:
        spec = trace.get("error_y") or {}
        if not spec or spec.get("visible") is False:
            return ""
        ys = _values(trace.get("y"))
        plus = _values(spec.get("array"))
        minus = plus if spec.get("symmetric", True) else _values(spec.get("arrayminus"))
        cap = float(spec.get("width", 4))
        d = []
        for i, p in enumerate(points):
            centre = self.y.value(ys[i]) if i < len(ys) else None
            up, down = _num(_at(plus, i)), _num(_at(minus, i))
            if p is None or centre is None or (up is None and down is None):
                continue
            a = self.y.pixel(centre - (down or 0.0))
            b = self.y.pixel(centre + (up or 0.0))
            x = p[0]
            d.append(
                f"M{_f(x)},{_f(a)}V{_f(b)}M{_f(x - cap)},{_f(a)}h{_f(2 * cap)}"
                f"M{_f(x - cap)},{_f(b)}h{_f(2 * cap)}"
            )
        if not d:
            return ""
        colour = spec.get("color") or (trace.get("line") or {}).get("color")
        thickness = float(spec.get("thickness", 2))
        return (
            f'<path data-role="error-bars" d="{"".join(d)}" fill="none" '
            f"{_stroke_attrs(colour or self.text_colour, thickness)}/>"
        )

    def _scatter_text(self, trace, points, marker, clip) -> str:
        texts = trace.get("text")
        position = trace.get("textposition") or "middle center"
        font = trace.get("textfont") or {}
        size = _font_size(font, self.font.get("size", 14))
        colour = font.get("color") or self.text_colour
        halo = ""
        if font.get("shadow"):  # plotly's text shadow: a white halo reads the same
            halo = (
                ' stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" '
                'paint-order="stroke"'
            )
        out = []
        for i, p in enumerate(points):
            label = _at(texts, i)
            if p is None or label in (None, ""):
                continue
            r = float(_at(marker.get("size", 6), i, 6)) / 2 + 2
            vertical, _, horizontal = position.partition(" ")
            x, y = p
            anchor, valign = "middle", "middle"
            if horizontal == "right":
                x, anchor = x + r, "start"
            elif horizontal == "left":
                x, anchor = x - r, "end"
            if vertical == "top":
                y, valign = y - r, "bottom"
            elif vertical == "bottom":
                y, valign = y + r, "top"
            out.append(
                _text(
                    _rich_lines(label),
                    x,
                    y,
                    size=size,
                    colour=colour,
                    anchor=anchor,
                    valign=valign,
                    extra=halo,
                )
            )
        return f'<g data-role="text"{clip}>{"".join(out)}</g>' if out else ""

    # -------------------------------------------------------------- shapes, notes

    def _px(
        self, ref: str | None, v: Any, letter: str, note: bool = False
    ) -> float | None:
        """A shape's or note's coordinate as a pixel: on the axis or as a
        fraction of the plot area ("paper"). A note on a log axis is placed
        by the value's logarithm (plotly's rule), a shape by the value."""
        if ref == "paper":
            n = _num(v)
            if n is None:
                return None
            if letter == "x":
                return self.ml + n * self.pw
            return self.mt + (1 - n) * self.ph
        if ref == "container":
            n = _num(v)
            if n is None:
                return None
            return n * self.width if letter == "x" else (1 - n) * self.height
        axis = self.x if letter == "x" else self.y
        if note and axis.type == "log":
            n = _num(v)
            return None if n is None else axis.pixel(n)
        return axis.at(v)

    def _figure_title(self) -> str:
        """layout.title, if a figure has one (the builders leave it to the
        card's heading): in the top margin, as plotly places it."""
        spec = self.layout.get("title")
        text = _title_of(spec)
        if not text:
            return ""
        spec = spec if isinstance(spec, dict) else {}
        font = spec.get("font") or {}
        x = float(spec.get("x", 0.5))
        anchor = {"left": "start", "right": "end"}.get(spec.get("xanchor"), "middle")
        if spec.get("xref") == "paper":
            px = self.ml + x * self.pw
        else:
            px = x * self.width + (4 if anchor == "start" else 0)
        return _text(
            _rich_lines(text),
            px,
            self.mt / 2,
            size=_font_size(font, 17),
            colour=font.get("color") or self.text_colour,
            anchor=anchor,
        )

    def _shapes(self, layer: str) -> str:
        out = []
        for shape in self.layout.get("shapes") or []:
            if (shape.get("layer") or "above") != layer:
                continue
            x0 = self._px(shape.get("xref", "x"), shape.get("x0"), "x")
            x1 = self._px(shape.get("xref", "x"), shape.get("x1"), "x")
            y0 = self._px(shape.get("yref", "y"), shape.get("y0"), "y")
            y1 = self._px(shape.get("yref", "y"), shape.get("y1"), "y")
            if None in (x0, x1, y0, y1):
                continue
            line = shape.get("line") or {}
            width = float(line.get("width", 2))
            stroke = (
                _stroke_attrs(line.get("color") or "#444444", width, line.get("dash"))
                if width > 0
                else 'stroke="none"'
            )
            kind = shape.get("type", "rect" if "fillcolor" in shape else "line")
            opacity = shape.get("opacity")
            extra = f' opacity="{float(opacity):.3g}"' if opacity is not None else ""
            name = _esc(str(shape.get("name", "")))
            if kind == "line":
                out.append(
                    f'<path data-shape="{name}" '
                    f'd="M{_f(x0)},{_f(y0)}L{_f(x1)},{_f(y1)}" '
                    f"{stroke}{extra}/>"
                )
            elif kind == "rect":
                fill = _fill_attrs(shape.get("fillcolor") or "none")
                out.append(
                    f'<rect data-shape="{name}" x="{_f(min(x0, x1))}" '
                    f'y="{_f(min(y0, y1))}" width="{_f(abs(x1 - x0))}" '
                    f'height="{_f(abs(y1 - y0))}" {fill} {stroke}{extra}/>'
                )
        return "".join(out)

    def _annotations(self) -> str:
        out = []
        for note in self.layout.get("annotations") or []:
            x = self._px(note.get("xref", "x"), note.get("x", 0.5), "x", note=True)
            y = self._px(note.get("yref", "y"), note.get("y", 0.5), "y", note=True)
            if x is None or y is None or note.get("visible") is False:
                continue
            x += float(note.get("xshift") or 0)
            y -= float(note.get("yshift") or 0)
            font = note.get("font") or {}
            size = _font_size(font, self.font.get("size", 14))
            colour = font.get("color") or self.text_colour
            lines = _rich_lines(note.get("text", ""))
            w = _lines_width(lines, size) + 2
            h = len(lines) * size * 1.3 + 2
            angle = float(note.get("textangle") or 0)
            rad = math.radians(angle)
            bw = abs(w * math.cos(rad)) + abs(h * math.sin(rad))
            bh = abs(w * math.sin(rad)) + abs(h * math.cos(rad))
            xanchor = note.get("xanchor") or "auto"
            yanchor = note.get("yanchor") or "auto"
            cx = {"left": x + bw / 2, "right": x - bw / 2}.get(xanchor, x)
            # kept on the drawing: past its edge a note would be cut off
            cx = min(max(cx, bw / 2), self.width - bw / 2)
            cy = {"top": y + bh / 2, "bottom": y - bh / 2}.get(yanchor, y)
            align = note.get("align") or "center"
            tx = {"left": cx - w / 2 + 1, "right": cx + w / 2 - 1}.get(align, cx)
            anchor = {"left": "start", "right": "end"}.get(align, "middle")
            parts = []
            if note.get("bgcolor"):
                parts.append(
                    f'<rect x="{_f(cx - w / 2)}" y="{_f(cy - h / 2)}" width="{_f(w)}" '
                    f'height="{_f(h)}" {_fill_attrs(note["bgcolor"])}/>'
                )
            parts.append(_text(lines, tx, cy, size=size, colour=colour, anchor=anchor))
            attrs = ""
            if angle:
                attrs += f' transform="rotate({_f(angle)} {_f(cx)} {_f(cy)})"'
            if note.get("opacity") is not None:
                attrs += f' opacity="{float(note["opacity"]):.3g}"'
            name = note.get("name")
            if name:
                attrs += f' data-note="{_esc(str(name))}"'
            out.append(f"<g{attrs}>{''.join(parts)}</g>")
        return "".join(out)

    # -------------------------------------------------------------- legend

    def _shows_legend(self, entries: list[dict]) -> bool:
        shown = self.layout.get("showlegend")
        if shown is not None:
            return bool(shown)
        return len(entries) > 1 or any(t.get("showlegend") is True for t in entries)

    def _legend_items(self) -> list[dict]:
        entries = [t for t in self.traces if t.get("showlegend", True) is not False]
        if not self._shows_legend(entries):
            return []
        order = (self.layout.get("legend") or {}).get("traceorder")
        stacked = self.layout.get("barmode") in ("stack", "relative")
        if order is None and stacked and any(t.get("type") == "bar" for t in entries):
            return entries[::-1]  # plotly lists stacked bars top first
        if order is None and any(t.get("legendgroup") for t in entries):
            groups: dict[Any, list[dict]] = {}
            for t in entries:
                groups.setdefault(t.get("legendgroup"), []).append(t)
            entries = [t for group in groups.values() for t in group]
        return entries

    def _legend(self, entries: list[dict]) -> Callable[[], str]:
        """Lay the legend out now (it may push the plot down, as plotly's
        automargin does) and return the function that draws it once the
        plot area is fixed."""
        if not entries:
            return lambda: ""
        spec = self.layout.get("legend") or {}
        font = spec.get("font") or {}
        size = _font_size(font, 13)
        colour = font.get("color") or self.text_colour
        horizontal = spec.get("orientation", "v") == "h"
        row_h = 20.0 if horizontal else 30.0
        items = []
        for t in entries:
            lines = _rich_lines(t.get("name", ""))
            items.append((t, lines, 40 + _lines_width(lines, size) + 12))
        available = self.width - self.ml - self.mr
        widest = max(item[2] for item in items)
        grouped = "grouped" in (spec.get("traceorder") or "") or (
            spec.get("traceorder") is None
            and any(t.get("legendgroup") for t in entries)
        )
        if horizontal and not grouped and sum(i[2] for i in items) > available:
            # wrapped, every entry takes the widest one's room: columns line
            # up (plotly's layout; grouped entries flow instead)
            items = [(t, lines, widest) for t, lines, _ in items]
        rows: list[list] = [[]]
        used = 0.0
        for item in items:
            if rows[-1] and (not horizontal or used + item[2] > available):
                rows.append([])
                used = 0.0
            rows[-1].append(item)
            used += item[2]
        height = len(rows) * row_h + 12  # and plotly's padding
        yref = spec.get("yref", "paper")
        y = float(spec.get("y", 1 if not horizontal else 1.02))
        yanchor = spec.get("yanchor") or ("bottom" if y > 1 else "top")
        if yref == "paper" and y >= 1 and yanchor == "bottom":
            # above the plot: the top margin grows to hold every row
            need = height + (y - 1) * max(self.height - self.mt - self.mb, 10) + 2
            self.mt = max(self.mt, need)

        def draw() -> str:
            if yref == "container":
                top = (1 - y) * self.height
            else:
                top = self.mt + (1 - y) * self.ph
            if yanchor == "bottom":
                top -= height
            elif yanchor == "middle":
                top -= height / 2
            left = self.ml + float(spec.get("x", 0)) * self.pw
            out = ['<g data-role="legend">']
            for r, row in enumerate(rows):
                cx = left
                cy = top + 6 + r * row_h + row_h / 2
                for trace, lines, width in row:
                    out.append(self._legend_key(trace, cx, cy))
                    out.append(_text(lines, cx + 40, cy, size=size, colour=colour))
                    cx += width
            out.append("</g>")
            return "".join(out)

        return draw

    def _legend_key(self, trace: dict, x: float, y: float) -> str:
        kind = trace.get("type", "scatter")
        marker = trace.get("marker") or {}
        if kind == "bar":
            colour = _at(marker.get("color"), 0, theme.PALETTE[0])
            line = marker.get("line") or {}
            rect = f'x="{_f(x + 14)}" y="{_f(y - 6)}" width="12" height="12"'
            stroke = ""
            if (line.get("width") or 0) and line.get("color"):
                stroke = " " + _stroke_attrs(
                    _at(line["color"], 0), float(line["width"])
                )
            out = f"<rect {rect} {_fill_attrs(colour)}{stroke}/>"
            shape = _at((marker.get("pattern") or {}).get("shape"), 0, "")
            if shape:
                pid = self._pattern({**marker["pattern"], "shape": shape}, colour)
                out += f'<rect {rect} fill="url(#{pid})"/>'
            return out
        out = []
        mode = trace.get("mode") or "lines+markers"
        line = trace.get("line") or {}
        if trace.get("fill") in ("toself", "tonexty", "tozeroy"):
            edge = ""
            if trace.get("fill") == "toself" and (line.get("width") or 0) > 0:
                edge = " " + _stroke_attrs(line.get("color"), float(line["width"]))
            out.append(
                f'<rect x="{_f(x + 5)}" y="{_f(y - 6)}" width="30" height="12" '
                f"{_fill_attrs(trace.get('fillcolor') or line.get('color'))}{edge}/>"
            )
        width = float(line.get("width", 2))
        if "lines" in mode and width > 0 and trace.get("fill") != "toself":
            out.append(
                f'<path d="M{_f(x + 5)},{_f(y)}H{_f(x + 35)}" '
                f"{_stroke_attrs(line.get('color'), min(width, 5), line.get('dash'))}/>"
            )
        if "markers" in mode:
            colour = _at(marker.get("color"), 0, line.get("color"))
            if _paint(colour)[1] > 0:
                out.append(
                    _marker(
                        x + 20,
                        y,
                        str(_at(marker.get("symbol", "circle"), 0, "circle")),
                        min(float(_at(marker.get("size", 6), 0, 6)), 16),
                        colour,
                        marker.get("line") or {},
                    )
                )
        return "".join(out)


def figure_svg(
    figure: dict,
    *,
    title: str,
    desc: str = "",
    id_prefix: str,
    outlines: dict | None = None,
) -> str:
    """The figure drawn as one accessible <svg> (see the module's docstring).

    `title` and `desc` become the svg's <title> and <desc> (its accessible
    name and description); `id_prefix` (the chart's id) starts every id inside
    it, so two charts on a page never clash; `outlines` (area code -> {"x",
    "y"}) gives the map's areas their coordinates, which its figure leaves out.
    """
    return _Renderer(figure, title, desc, id_prefix, outlines).render()


__all__ = ["NOMINAL_HEIGHT", "NOMINAL_WIDTH", "figure_svg", "text_width"]
