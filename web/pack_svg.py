"""A board pack chart (data_access.board_pack.Chart) as a small SVG document, so the
PDF's charts are vectors: lines, columns and stacked bars with labelled axes.
Missing values (None) are gaps: a line is drawn only between figures in adjacent
periods of one series, and a period where no line has a figure is marked "No
figure published". Annotations (the chart's `marks`) are dashed vertical lines
in the pages' event colour with their short label. Illustrative lines (the
chart's `styles`) are dashed, lighter, with hollow markers and their own legend
entry: never joined to published ones (they are separate series); each line and
its markers are one <g data-line="style">. Pure text: no store, no browser.

Only the board pack draws here (the PDF and meeting mode): the public embeds
draw their charts with components.figure_svg, as the app does (web/embed_svg.py)."""

from __future__ import annotations

import math
from html import escape
from typing import NamedTuple

from components.annotation_marks import EVENT_COLOUR
from web.pack_text import cell_text

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 64


class Canvas(NamedTuple):
    """The drawing's size and margins (user units) and a text size factor."""

    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = RIGHT
    top: float = TOP
    bottom: float = BOTTOM
    font: float = 1.0

    def size(self, points: float) -> float:
        # whole numbers stay ints: the board pack's drawing is unchanged
        scaled = points * self.font
        return int(scaled) if scaled == int(scaled) else round(scaled, 2)


BOARD = Canvas()

COLOURS = ["#1d70b8", "#505a5f"]
# Line styles by Chart.styles: (colour, width, dash, hollow markers). Colours have
# at least 3:1 contrast on white (WCAG 1.4.11); dash and hollow markers tell the
# illustrative lines apart without colour.
LINE_STYLES = {
    "area": ("#1d70b8", 3, "", False),
    "area illustrative": ("#5694ca", 2.5, "7 4", True),
    "benchmark": ("#505a5f", 2, "", False),
    "benchmark illustrative": ("#6f777b", 2, "7 4", True),
}
GAP_LABEL = "No figure published"
RAG = {
    "Green (on target)": "#00703c",
    "Amber": "#b55a00",
    "Red (off target)": "#a81f16",
    "No rating": "#8c969b",
}


def _nice_top(high: float) -> float:
    if high <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(high))
    for factor in (1, 2, 2.5, 5, 10):
        if high <= factor * step:
            return factor * step
    return 10 * step


def _tick_text(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}m"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    # 1.25 and 3.75 (a quarter of a top of 5) in full, never rounded to 1.2 / 3.8
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _axis_text(value: float, kind: str) -> str:
    """A value axis tick: short ("500k"), with the pound sign for money."""
    return ("£" if kind == "money" else "") + _tick_text(value)


def _text(x, y, text, *, anchor="middle", size=11, rotate=None, fill="#0b0c0c") -> str:
    turn = f' transform="rotate({rotate} {x} {y})"' if rotate is not None else ""
    font = f' font-family="DejaVu Sans, sans-serif" fill="{fill}"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"'
        f"{font}{turn}>{escape(str(text))}</text>"
    )


def chart_svg(chart) -> str:
    """The chart as an SVG document on the board pack's canvas (`BOARD`)."""
    c = BOARD
    if chart.kind == "stacked_bar":
        return _stacked(chart)
    values = [v for _, vs in chart.series for v in vs if v is not None]
    top = _nice_top(max(values, default=0.0))
    plot_w, plot_h = c.width - c.left - c.right, c.height - c.top - c.bottom
    n = max(len(chart.categories), 1)
    step = plot_w / n
    parts = [_axes(top, plot_w, plot_h, chart.value_title, c, chart.value_kind)]
    # At most 10 labels, and never more than fit side by side (about 6.2 units a
    # character at size 10): 70 quarters' "2008/09 Q1" would otherwise overlap.
    longest = max((len(str(label)) for label in chart.categories), default=1)
    every = max(1, math.ceil(n / 10), math.ceil(c.size(6.2) * longest / step))
    for i, label in enumerate(chart.categories):
        if i % every == 0:
            parts.append(
                _text(
                    c.left + step * (i + 0.5),
                    c.height - c.bottom + c.size(16),
                    label,
                    size=c.size(10),
                )
            )

    def y_of(v: float) -> float:
        return c.top + plot_h * (1 - v / top)

    if chart.kind == "line":
        styles = _line_styles(chart)
        parts += _gap_marks(chart, step, plot_h, c)
        names = chart.styles or [f"series {i}" for i in range(len(styles))]
        for series_values, style, name in zip(
            (values for _name, values in chart.series), styles, names, strict=True
        ):
            parts.append(f'<g data-line="{escape(name)}">')
            parts += _line(series_values, style, step, y_of, c)
            parts.append("</g>")
        parts += _event_marks(chart, step, plot_h, c)
        legend, extra = _line_legend(chart.series, styles, c)
        parts.append(legend)
        return _document(parts, extra=extra)
    series_colours = [COLOURS[i % len(COLOURS)] for i in range(len(chart.series))]
    parts += _columns(chart, step, y_of, series_colours, c)
    legend, extra = _legend(chart.series, series_colours, c)
    parts.append(legend)
    return _document(parts, extra=extra)


def _columns(chart, step, y_of, colours, c: Canvas) -> list[str]:
    """Side-by-side columns, each with its value above it where that fits (the
    table has every figure)."""
    parts = []
    count = len(chart.series)
    width = step * 0.7 / max(count, 1)
    # each value as the chart's table and the PowerPoint write it ("£381,060")
    labels = [
        [None if v is None else cell_text(v, chart.value_kind) for v in vs]
        for _, vs in chart.series
    ]
    # about 0.62 of the text size a character; a label wider than its column
    # (and the gap beside it) would run into its neighbour's
    longest = max((len(t) for ts in labels for t in ts if t is not None), default=0)
    fits = longest * c.size(6.2) <= width + step * 0.3
    base = y_of(0)
    for s, (_name, series) in enumerate(chart.series):
        colour = colours[s]
        for i, v in enumerate(series):
            x = c.left + step * i + step * 0.15 + width * s
            if v is None:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{width:.1f}" '
                f'height="{base - y_of(v):.1f}" fill="{colour}"/>'
            )
            if fits:
                parts.append(
                    _text(x + width / 2, y_of(v) - 4, labels[s][i], size=c.size(10))
                )
    return parts


def _line_styles(chart) -> list[tuple]:
    if chart.styles:
        return [LINE_STYLES[style] for style in chart.styles]
    return [
        (COLOURS[i % len(COLOURS)], 3 if i == 0 else 2, "", False)
        for i in range(len(chart.series))
    ]


def _line(values, style, step: float, y_of, c: Canvas) -> list[str]:
    """One series: a polyline per run of figures in adjacent periods (a None ends
    the run, so a gap stays a gap) and a marker at every figure."""
    colour, width, dash, hollow = style
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    fill = "#ffffff" if hollow else colour
    parts: list[str] = []
    run: list[str] = []
    for i, v in enumerate([*values, None]):
        if v is None:
            if len(run) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="{width}"'
                    f'{dashes} points="{" ".join(run)}"/>'
                )
            run = []
            continue
        x, y = c.left + step * (i + 0.5), y_of(v)
        run.append(f"{x:.1f},{y:.1f}")
    for i, v in enumerate(values):
        if v is not None:
            parts.append(
                f'<circle cx="{c.left + step * (i + 0.5):.1f}" cy="{y_of(v):.1f}" '
                f'r="3.5" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            )
    return parts


def _gap_marks(chart, step: float, plot_h: float, c: Canvas) -> list[str]:
    """A pale band and the words "No figure published" over each period, inside
    the span of the figures, where no series has a figure."""
    has = [
        any(values[i] is not None for _name, values in chart.series)
        for i in range(len(chart.categories))
    ]
    if True not in has:
        return []
    first, last = has.index(True), len(has) - 1 - has[::-1].index(True)
    parts = []
    run: list[int] = []
    for i in range(first, last + 2):
        if i <= last and not has[i]:
            run.append(i)
            continue
        if not run:
            continue
        # one band and one label over adjacent periods with no figure: a label
        # each would overprint its neighbours where periods are narrow
        x, wide = c.left + step * run[0], step * len(run)
        run = []
        parts.append(
            f'<rect x="{x:.1f}" y="{c.top}" width="{wide:.1f}" height="{plot_h:.1f}" '
            'fill="#f3f2f1"/>'
        )
        middle = x + wide / 2 + c.size(4)
        parts.append(
            _text(
                middle,
                c.top + plot_h - 6,
                GAP_LABEL,
                anchor="start",
                size=c.size(9),
                rotate=-90,
            )
        )
    return parts


def _event_marks(chart, step: float, plot_h: float, c: Canvas) -> list[str]:
    """Each annotation (Chart.marks) as a dashed vertical line at the middle of its
    period with its short label; labels step down from one mark to the next so
    neighbours do not overwrite each other, and sit left of a line in the right
    half of the chart. The full text is in the chart's alternative text and table."""
    parts = []
    for level, (category, label, text) in enumerate(chart.marks):
        if category not in chart.categories:
            continue
        x = c.left + step * (chart.categories.index(category) + 0.5)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{c.top}" y2="{c.top + plot_h:.1f}" '
            f'stroke="{EVENT_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3">'
            f"<title>{escape(text)}</title></line>"
        )
        right = x > c.left + (c.width - c.left - c.right) / 2
        parts.append(
            _text(
                x - 4 if right else x + 4,
                c.top + c.size(10) + c.size(12) * (level % 3),
                label,
                anchor="end" if right else "start",
                size=c.size(9),
                fill=EVENT_COLOUR,
            )
        )
    return parts


def _line_legend(series, styles, c: Canvas) -> tuple[str, float]:
    """A short stroke with its marker per line, drawn as the line is; entries
    wrap onto further rows. Returns the legend and the height it needs below
    the canvas."""
    start = c.left
    parts, x, y = [], start, c.height - 30
    row = c.size(16)
    for (name, _values), (colour, width, dash, hollow) in zip(
        series, styles, strict=True
    ):
        wide = 36 + c.size(5.2) * len(name)
        if x > start and x + wide > c.width:
            x, y = start, y + row
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 22}" y1="{y}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{width}"{dashes}/>'
            f'<circle cx="{x + 11}" cy="{y}" r="3.5" '
            f'fill="{"#ffffff" if hollow else colour}" stroke="{colour}" '
            'stroke-width="1.5"/>'
        )
        parts.append(_text(x + 27, y + 4, name, anchor="start", size=c.size(9)))
        x += wide
    return "".join(parts), max(0.0, y + row - c.height)


def _axes(
    top: float, plot_w: float, plot_h: float, title: str, c: Canvas, kind: str
) -> str:
    parts = []
    for k in range(5):
        value = top * k / 4
        y = c.top + plot_h * (1 - k / 4)
        parts.append(
            f'<line x1="{c.left}" x2="{c.left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        parts.append(
            _text(
                c.left - 6,
                y + 4,
                _axis_text(value, kind),
                anchor="end",
                size=c.size(10),
            )
        )
    parts.append(
        _text(c.size(14), c.top + plot_h / 2, title, size=c.size(10), rotate=-90)
    )
    return "".join(parts)


def _legend(series, colours, c: Canvas = BOARD) -> tuple[str, float]:
    """A swatch and name per series in one row; returns the legend and the
    height it needs below the canvas."""
    parts, x, y = [], c.left, c.height - 22
    for (name, _values), colour in zip(series, colours, strict=True):
        wide = 24 + c.size(6.2) * len(name)
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, y + 10, name, anchor="start", size=c.size(10)))
        x += wide
    return "".join(parts), max(0.0, y + 18 - c.height)


def _stacked(chart) -> str:
    c = BOARD
    label_w = 230
    plot_w = c.width - label_w - c.right
    n = max(len(chart.categories), 1)
    row_h = (c.height - c.top - c.bottom) / n
    totals = [
        sum(series[i] or 0 for _, series in chart.series)
        for i in range(len(chart.categories))
    ]
    top = _nice_top(max(totals, default=0.0))
    parts = []
    colours = [RAG.get(name, COLOURS[0]) for name, _ in chart.series]
    for i, label in enumerate(chart.categories):
        y = c.top + row_h * i
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            _text(label_w - 6, y + row_h / 2 + 4, short, anchor="end", size=10)
        )
        x = label_w
        for (_name, series), colour in zip(chart.series, colours, strict=True):
            v = series[i] or 0
            w = plot_w * v / top
            if w:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + row_h * 0.15:.1f}" width="{w:.1f}" '
                    f'height="{row_h * 0.7:.1f}" fill="{colour}"/>'
                )
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + row_h / 2 + 4:.1f}" '
                    'font-size="10" '
                    'text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
                    f'fill="#ffffff">{_tick_text(v)}</text>'
                )
            x += w
    parts.append(_legend(chart.series, colours, c)[0])
    return _document(parts)


def _document(parts: list[str], extra: float = 0.0) -> str:
    """`extra`: height added below the canvas (legend rows that wrapped)."""
    width, height = BOARD.width, BOARD.height + extra
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" '
        f'height="{height:g}" viewBox="0 0 {width:g} {height:g}">'
        + "".join(parts)
        + "</svg>"
    )


__all__ = ["BOARD", "Canvas", "chart_svg"]
