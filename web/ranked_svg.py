"""Ranked horizontal bars with 95% confidence intervals and a benchmark line, as an
SVG document: the compare embed's chart drawn on the server (web/embed_charts.py),
so it shows with JavaScript off. The same picture as components.bar_figures.
ranked_bar_figure (the interactive figure): highest at the top, each bar in its
comparison category's colour with the category's word beside its figure (colour
is never the only cue), bars or intervals past `axis_top` drawn to the edge and
marked with axis_clip.OVERFLOW_MARK, a figure withheld under disclosure control
drawn as "*" and never as a bar. Each area's name is on its own line above its
bar, so on a phone's narrow canvas (web.pack_svg.PHONE) names are not cut and
the text keeps its size. Text, axes and the document come from web.pack_svg."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape

from components import theme
from components.axis_clip import OVERFLOW_MARK
from web.pack_svg import (
    FONT_GROUP,
    MARKER,
    PHONE,
    Canvas,
    _document,
    _nice_top,
    _text,
    _tick_text,
    _watermark,
)

text = partial(_text, plain=True)  # inside FONT_GROUP


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    category: str | None = None  # a theme.SIGNIFICANCE key, or None
    hidden: bool = False  # withheld under disclosure control


def ranked_svg(
    bars: list[Bar],
    *,
    title: str,
    desc: str,
    value_title: str,
    formatter: Callable[[float], str],
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    axis_top: float | None = None,
    watermark: bool = False,
    canvas: Canvas = PHONE,
) -> str:
    c = canvas
    shown = sorted(
        (b for b in bars if b.value is not None and not b.hidden),
        key=lambda b: -b.value,
    )
    rest = [b for b in bars if b.value is None or b.hidden]
    highs = [v for b in shown for v in (b.value, b.upper) if v is not None]
    end = axis_top if axis_top is not None else _nice_top(max(highs, default=0.0))
    if axis_top is None and benchmark is not None:
        end = max(end, _nice_top(benchmark))
    texts = [_value_text(b, formatter, axis_top) for b in shown]
    size = c.size(9)
    # room right of the longest bar for its figure and word (about 0.62 of the
    # text size a character)
    room = max((len(t) for t in texts), default=4) * size * 0.62 + 8
    x0, x1 = 4.0, c.width - c.right - room
    name_h, bar_h, gap = c.size(12), 12.0, 8.0
    row_h = name_h + bar_h + gap
    head = c.size(14) + 6 if benchmark is not None else 4.0

    def x_of(v: float) -> float:
        return x0 + (x1 - x0) * min(max(v, 0.0), end) / end

    bottom = head + row_h * len(bars) + 2
    # Bars, intervals (one path), the benchmark line over them, then the words
    # over all three. Attributes shared by a group are set on it once: forty-odd
    # rows would otherwise repeat them in every element.
    bars_drawn: list[str] = []
    whiskers: list[str] = []
    names: list[str] = []
    figures: list[str] = []
    for i, bar in enumerate([*shown, *rest]):
        y = head + row_h * i
        names.append(_word(x0, y + name_h - 2, bar.label))
        mid = y + name_h + bar_h / 2
        if bar.hidden or bar.value is None:
            words = f"{MARKER} hidden" if bar.hidden else "No value shown"
            figures.append(_word(x0, mid + 4, words))
            continue
        style = theme.SIGNIFICANCE[theme.significance_key(bar.category)]
        colour = style.colour if bar.category is not None else theme.DARK_BLUE
        bars_drawn.append(
            f'<rect x="{x0:.1f}" y="{y + name_h:.1f}" '
            f'width="{x_of(bar.value) - x0:.1f}" height="{bar_h:.1f}" '
            f'fill="{colour}"/>'
        )
        right = x_of(bar.value)
        if bar.lower is not None and bar.upper is not None:
            lo, hi = x_of(bar.lower), x_of(bar.upper)
            whiskers.append(
                f"M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 4:.1f}"
                f"V{mid + 4:.1f}M{hi:.1f} {mid - 4:.1f}V{mid + 4:.1f}"
            )
            right = max(right, hi)
        figures.append(_word(right + 5, mid + 4, texts[i]))
    shapes = [
        f'<g stroke="{theme.DARK_GREY}" stroke-width="1">',
        *bars_drawn,
        "</g>",
    ]
    if whiskers:
        shapes.append(
            f'<path d="{"".join(whiskers)}" stroke="{theme.TEXT}" '
            'stroke-width="1.5" fill="none"/>'
        )
    labels = [
        f'<g font-size="{c.size(10):g}" text-anchor="start">',
        *names,
        f'</g><g font-size="{size:g}" text-anchor="start">',
        *figures,
        "</g>",
    ]
    if benchmark is not None:
        bx = x_of(benchmark)
        shapes.append(
            f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="{head - 2:.1f}" '
            f'y2="{bottom:.1f}" stroke="{theme.TEXT}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
        label = f"{benchmark_label or 'Benchmark'}: {formatter(benchmark)}"
        width = len(label) * c.size(10) * 0.62
        at = min(max(bx - width / 2, 2.0), c.width - 2 - width)
        labels.append(text(at, c.size(12), label, anchor="start", size=c.size(10)))
    parts = [FONT_GROUP]
    if watermark:
        plot = Canvas(c.width, bottom, x0, c.width - x1, head, 0.0, c.font)
        parts.append(_watermark(plot))
    parts += shapes + labels
    parts.append(_axis(x_of, end, bottom, x0, x1, value_title, c))
    legend, height = _legend(shown, bottom + c.size(52), c)
    parts.append(legend)
    parts.append("</g>")
    frame = Canvas(c.width, height, c.left, c.right, c.top, c.bottom, c.font)
    return _document(parts, title=title, desc=desc, fluid=True, canvas=frame)


def _word(x: float, y: float, words: str) -> str:
    """A text in a group that sets its size and anchor (and FONT_GROUP the rest)."""
    return f'<text x="{x:.1f}" y="{y:.1f}">{escape(words)}</text>'


def _value_text(bar: Bar, formatter, axis_top: float | None) -> str:
    """ "52.1 Worse"; "» 123.4 Worse" for a bar past the axis's end, "0.0 Similar
    »" where only its interval is."""
    word = (
        theme.SIGNIFICANCE[theme.significance_key(bar.category)].label
        if bar.category is not None
        else ""
    )
    past = axis_top is not None and bar.value > axis_top
    ci_past = axis_top is not None and bar.upper is not None and bar.upper > axis_top
    return (
        (f"{OVERFLOW_MARK} " if past else "")
        + f"{formatter(bar.value)} {word}".strip()
        + (f" {OVERFLOW_MARK}" if ci_past and not past else "")
    )


def _axis(x_of, end, y, x0, x1, title, c: Canvas) -> str:
    step = _nice_top(end) / 4
    parts = [
        f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
        'stroke="#b1b4b6" stroke-width="1"/>'
    ]
    k = 0
    while step * k <= end + 1e-9:
        x = x_of(step * k)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{y + 4:.1f}" '
            'stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(text(x, y + c.size(14), _tick_text(step * k), size=c.size(10)))
        k += 1
    parts.append(text((x0 + x1) / 2, y + c.size(30), title, size=c.size(10)))
    return "".join(parts)


def _legend(shown: list[Bar], y: float, c: Canvas) -> tuple[str, float]:
    """The comparison categories drawn, a swatch and word each, wrapping; returns
    the legend and the drawing's whole height."""
    keys = list(
        dict.fromkeys(
            theme.significance_key(b.category) for b in shown if b.category is not None
        )
    )
    parts, x = [], 4.0
    for key in theme.SIGNIFICANCE_ORDER:
        if key not in keys:
            continue
        style = theme.SIGNIFICANCE[key]
        wide = 24 + len(style.label) * c.size(10) * 0.62
        if x > 4 and x + wide > c.width:
            x, y = 4.0, y + c.size(18)
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" '
            f'fill="{style.colour}" stroke="{theme.DARK_GREY}" stroke-width="1"/>'
        )
        parts.append(text(x + 16, y, style.label, anchor="start", size=c.size(10)))
        x += wide
    return "".join(parts), y + (c.size(10) if keys else 0)


__all__ = ["Bar", "ranked_svg"]
