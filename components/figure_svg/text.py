"""Numbers written as the SVG writes them and read from a trace's values
(plain lists or plotly's typed arrays), text measured, cut, escaped and placed,
and the figure's specs merged over the template's."""

from __future__ import annotations

import base64
import functools
import html
import itertools
import math
import re
from array import array
from itertools import chain
from typing import Any

MIN_FONT = 11  # px: no text smaller, at the nominal size (readability)

# ------------------------------------------------------------------ numbers, text


def _f(v: float) -> str:
    """A coordinate rounded to 0.1 px: enough for any screen, and short."""
    # "%" formats a number as f"{v:.1f}" does, at half the cost (a drawing
    # writes thousands); its text ends in "0" only as "<whole>.0"
    text = "%.1f" % v  # noqa: UP031 - the fastest way to write it
    return text[:-2] if text[-1] == "0" else text


def _coords(points: list[tuple[float, float]]) -> str:
    """Each point's "x,y", its numbers as `_f` writes them, joined by "L" (a
    line's path): every number written "%.1f" has one decimal, so each ".0"
    in the text is a number's ".0" for `_f` to drop, and one replace drops
    them all. A long line (a funnel's limits: hundreds of points) is written
    by one format of all its numbers, not one per point."""
    if len(points) < _ONE_FORMAT:
        return "L".join(["%.1f,%.1f" % p for p in points]).replace(".0", "")  # noqa: UP031
    numbers = tuple(chain.from_iterable(points))
    return (("L%.1f,%.1f" * len(points)) % numbers)[1:].replace(".0", "")


_ONE_FORMAT = 8  # points from which a line is written in one format


def _written(template: str, *numbers: float) -> str:
    """`template` with its "%.1f"s filled by `numbers`, each written as `_f`
    writes it (as `_coords`: one replace drops every ".0"), for markup whose
    every other character is not a "." (tags, attribute names, path letters)."""
    return (template % numbers).replace(".0", "")


def _written_each(template: str, rows: list[tuple[float, ...]]) -> list[str]:
    """`_written(template, *row)` for each of `rows`, written in one go (the
    template holds no newline, and no number is written with one)."""
    if not rows:
        return []
    numbers = [v for row in rows for v in row]
    text = "\n".join([template] * len(rows)) % tuple(numbers)
    return text.replace(".0", "").split("\n")


def _esc(text: str) -> str:
    # most text (names, colours, numbers) has nothing to escape: five
    # substring tests cost half of html.escape's five replaces
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text, quote=True)
    return text


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


def _nums(values: list) -> list[float | None]:
    """`_num` of each of `values` (a finite float, most of them, is itself)."""
    return [
        (v if -_INF < v < _INF else None) if type(v) is float else _num(v)
        for v in values
    ]


_INF = math.inf

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


_OTHER_WIDTH = itertools.repeat(0.6)  # a character not in _WIDTHS


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The estimated width in px of `text` at `size` px."""
    # _WIDTHS.get(c, 0.6) for each character, summed in order, in C
    em = sum(map(_WIDTHS.get, text, _OTHER_WIDTH))
    # 1.06: the estimate errs wide, so a label cut to fit does fit
    return em * size * (1.13 if bold else 1.06)


# Advance widths, in ems, of the widest of the sans fonts a reader's machine
# may draw the SVG's text in (FONT_FAMILY's system-ui falls back to DejaVu Sans
# on most Linux desktops, ~6% wider than _WIDTHS; Liberation Sans is Arial's
# metrics): per character the larger of DejaVu Sans and Liberation Sans,
# rounded up to 0.01 em. Written by tests/components/test_legend_fit.py
# (`write_wide_widths`, PIL's ImageFont on their .ttf files), which checks
# this table against the fonts. For placing text beside another mark (a
# legend's next entry), where an overrun overlaps: cutting to fit keeps the
# plain estimate.
_WIDE: dict[str, float] = {}
for _chars, _em in (
    ("'ijl", 0.28),
    ("I", 0.3),
    (" ,.\xb7\u2019\u2018", 0.32),
    ("/:;\\|", 0.34),
    ("f", 0.36),
    ("-", 0.37),
    ("()[]t", 0.4),
    ("!\xb2\xb3", 0.41),
    ("r", 0.42),
    ('"', 0.46),
    ("*J`\xb0", 0.5),
    ("\u201c\u201d", 0.52),
    ("sz", 0.53),
    ("c", 0.55),
    ("?L_\u2013", 0.56),
    ("k", 0.58),
    ("vxy", 0.6),
    ("FTaeo\xe9", 0.62),
    ("$0123456789bdghnpqu{}\xa3\u20ac", 0.64),
    ("EKPSY", 0.67),
    ("ABVXZ", 0.69),
    ("CR", 0.73),
    ("U", 0.74),
    ("N", 0.75),
    ("H", 0.76),
    ("&DG", 0.78),
    ("OQ", 0.79),
    ("w", 0.82),
    ("#+<=>^~\xb1\u2264\u2265\xd7\xf7", 0.84),
    ("M", 0.87),
    ("%", 0.96),
    ("m", 0.98),
    ("W", 0.99),
    ("\u2014\u2026", 1.0),
    ("@", 1.02),
):
    for _c in _chars:
        _WIDE[_c] = _em
_WIDE_BOLD: dict[str, float] = {}
for _chars, _em in (
    ("'", 0.31),
    (" ijl", 0.35),
    ("/\\|", 0.37),
    (",.I\xb7\u2019\u2018", 0.38),
    (":;", 0.4),
    ("-", 0.42),
    ("f\xb2\xb3", 0.44),
    ("!()[]", 0.46),
    ("t", 0.48),
    ("`r\xb0", 0.5),
    ('"*', 0.53),
    ("J_\u2013", 0.56),
    ("z", 0.59),
    ("cs", 0.6),
    ("?", 0.62),
    ("L", 0.64),
    ("x", 0.65),
    ("vy\u201c\u201d", 0.66),
    ("k", 0.67),
    ("ae\xe9", 0.68),
    ("EFTo", 0.69),
    ("$0123456789\xa3\u20ac", 0.7),
    ("bdghnpqu{}", 0.72),
    ("SYZ", 0.73),
    ("CP", 0.74),
    ("B", 0.77),
    ("AKRVX", 0.78),
    ("U", 0.82),
    ("G", 0.83),
    ("#+<=>DHN^~\xb1\u2264\u2265\xd7\xf7", 0.84),
    ("OQ", 0.86),
    ("&", 0.88),
    ("w", 0.93),
    ("@M\u2014\u2026", 1.0),
    ("%", 1.01),
    ("m", 1.05),
    ("W", 1.11),
):
    for _c in _chars:
        _WIDE_BOLD[_c] = _em
_WIDE_OTHER = itertools.repeat(1.11)  # a character not in the tables: the widest


@functools.lru_cache(maxsize=1024)
def wide_width(text: str, size: float, bold: bool = False) -> float:
    """The width in px of `text` at `size` px in the widest of the sans fonts
    it may be drawn in (kerning, which only narrows, aside)."""
    return sum(map((_WIDE_BOLD if bold else _WIDE).get, text, _WIDE_OTHER)) * size


_TAG = re.compile(r"(<[^>]*>)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)

Run = tuple[str, bool, bool]  # text, bold, italic


def _rich_lines(text: Any) -> list[list[Run]]:
    """plotly's pseudo-HTML (line breaks, <b>, <i>, entities the builders
    escaped) as lines of plain runs. Other tags are dropped, as plotly drops
    what it does not know; the runs are plain text, escaped again on output."""
    text = str(text)
    if "<" not in text and "&" not in text:  # plain text (most): one run
        return [[(text, False, False)]] if text else [[]]
    lines = []
    bold = italic = False
    for line in _BR.split(text):
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
    if len(lines) == 1 and len(lines[0]) == 1:  # one run (most labels)
        t, b, _ = lines[0][0]
        return text_width(t, size, b)
    return max(
        (sum(text_width(t, size, b) for t, b, _ in runs) for runs in lines),
        default=0.0,
    )


def _lines_wide_width(lines: list[list[Run]], size: float) -> float:
    """`_lines_width`, by `wide_width`: the widest line in the widest font."""
    return max(
        (sum(wide_width(t, size, b) for t, b, _ in runs) for runs in lines),
        default=0.0,
    )


def _truncate(runs: list[Run], size: float, room: float) -> list[Run]:
    """The runs cut with "…" to fit `room` px (at least one character shown)."""
    if len(runs) == 1 and text_width(runs[0][0], size, runs[0][1]) <= room:
        return runs  # one run that fits (most labels)
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
    n = len(lines)
    if n == 1:  # one line (most labels): no <tspan> per line
        if valign == "top":
            first = y + size * 0.8
        elif valign == "bottom":
            first = y - size * 0.25
        else:
            first = y + size * 0.35
        # `_written` of the numbers, inline (the commonest markup)
        head = '<text x="%.1f" y="%.1f" font-size="%.1f" ' % (x, first, size)  # noqa: UP031
        head = head.replace(".0", "")
        tail = f' text-anchor="{anchor}"{extra}>' if anchor != "start" else f"{extra}>"
        runs = lines[0]
        if len(runs) == 1 and not (runs[0][1] or runs[0][2]):
            return f'{head}fill="{_esc(colour)}"{tail}{_esc(runs[0][0])}</text>'
        return f'{head}fill="{_esc(colour)}"{tail}{_runs(runs)}</text>'
    step = size * 1.3
    if valign == "top":
        first = y + size * 0.8
    elif valign == "bottom":
        first = y - (n - 1) * step - size * 0.25
    else:
        first = y - (n - 1) * step / 2 + size * 0.35
    out = [
        _written('<text x="%.1f" y="%.1f" font-size="%.1f" ', x, first, size)
        + f'fill="{_esc(colour)}"'
        + (f' text-anchor="{anchor}"' if anchor != "start" else "")
        + extra
        + ">"
    ]
    for k, runs in enumerate(lines):
        if n > 1:
            out.append(
                f'<tspan x="{_f(x)}" y="{_f(first + k * step)}">' if k else "<tspan>"
            )
        out.append(_runs(runs))
        if n > 1:
            out.append("</tspan>")
    out.append("</text>")
    return "".join(out)


def _texts(
    labels: list[tuple[list[list[Run]], float, float]],
    *,
    size: float,
    colour: str,
    anchor: str = "start",
    valign: str = "middle",
    extra: str = "",
) -> list[str]:
    """`_text(lines, x, y, ...)` of each (lines, x, y) of `labels`, the
    numbers of those of one line (most) written at once."""
    if valign == "top":
        rise = size * 0.8
    elif valign == "bottom":
        rise = -(size * 0.25)  # (y + -a is y - a, exactly)
    else:
        rise = size * 0.35
    single = [(x, y + rise, size) for lines, x, y in labels if len(lines) == 1]
    heads = iter(_written_each('<text x="%.1f" y="%.1f" font-size="%.1f" ', single))
    tail = f' text-anchor="{anchor}"{extra}>' if anchor != "start" else f"{extra}>"
    paint = f'fill="{_esc(colour)}"'
    out = []
    for lines, x, y in labels:
        if len(lines) != 1:
            out.append(
                _text(
                    lines,
                    x,
                    y,
                    size=size,
                    colour=colour,
                    anchor=anchor,
                    valign=valign,
                    extra=extra,
                )
            )
            continue
        runs = lines[0]
        if len(runs) == 1 and not (runs[0][1] or runs[0][2]):
            body = _esc(runs[0][0])
        else:
            body = _runs(runs)
        out.append(f"{next(heads)}{paint}{tail}{body}</text>")
    return out


def _runs(runs: list[Run]) -> str:
    """A line's runs as markup, each bold or italic one in its <tspan>."""
    out = []
    for t, b, i in runs:
        body = _esc(t)
        if b or i:
            attrs = (' font-weight="bold"' if b else "") + (
                ' font-style="italic"' if i else ""
            )
            body = f"<tspan{attrs}>{body}</tspan>"
        out.append(body)
    return "".join(out)


# ------------------------------------------------------------------ merging


def _merged(base: Any, over: Any) -> Any:
    """`over` on top of `base`, dicts merged key by key (plotly's template)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if k not in base:
                out[k] = v
            elif type(v) is dict:  # (what the figures hold; a subclass below)
                out[k] = _merged(base[k], v)
            elif v is not None:
                out[k] = v if not isinstance(v, dict) else _merged(base[k], v)
            # None over the base's value: the base's, which out holds
        return out
    return over if over is not None else base


def _title_of(spec: Any) -> str:
    if isinstance(spec, dict):
        return str(spec.get("text") or "")
    return "" if spec is None else str(spec)
