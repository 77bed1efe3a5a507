"""A board pack chart (data_access.board_pack.Chart) as a small SVG document, so the
PDF's charts are vectors: lines, columns and stacked bars with labelled axes.
Missing values (None) are gaps: a line is drawn only between figures in adjacent
periods of one series, and a period where no line has a figure is marked "No
figure published". Annotations (the chart's `marks`) are dashed vertical lines
in the pages' event colour with their short label. Illustrative lines (the
chart's `styles`) are dashed, lighter, with hollow markers and their own legend
entry: never joined to published ones (they are separate series). Pure text: no
store, no browser.

The public embeds draw their charts here too (web/embed_charts.py), so they show
with JavaScript off: `chart_svg(..., title=, desc=, fluid=True, bands=)` adds
role="img" with <title>/<desc>, a width of 100% of its box, and shaded 95%
interval bands; each line and its markers are one <g data-line="style">. An
embed draws on the `PHONE` canvas: narrow, larger text, so at a 390 px phone
(where the drawing is about its own width) no text is under 11 CSS px; the board
pack keeps `BOARD`. Embeds also use `stacked=` (columns stacked, the reach
embed), `hidden=` (figures withheld under disclosure control, drawn as "*"),
`colours=` (the app's palette, as the interactive figure) and `watermark=`
("Illustrative data" across the plot). Ranked bars are web/ranked_svg.py."""

from __future__ import annotations

import math
from html import escape
from typing import NamedTuple

from components.annotation_marks import EVENT_COLOUR
from components.chart import ILLUSTRATIVE_LABEL

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
# 360 units wide with text 1.3 times the board's: an embed's box on a 390 px
# phone is 351 to 366 px wide (with or without a scroll bar), so the smallest
# text (9 * 1.3 units) is 11.4 px or more.
PHONE = Canvas(width=360, height=300, left=60, right=12, top=14, bottom=74, font=1.3)
MARKER = "*"  # a figure withheld under disclosure control (data_access.disclosure)

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


def _text(
    x, y, text, *, anchor="middle", size=11, rotate=None, fill="#0b0c0c", plain=False
) -> str:
    """`plain`: font and colour left to the enclosing group (`FONT_GROUP`): the
    compare embed's forty-odd rows of text are half the bytes."""
    turn = f' transform="rotate({rotate} {x} {y})"' if rotate is not None else ""
    font = "" if plain else f' font-family="DejaVu Sans, sans-serif" fill="{fill}"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"'
        f"{font}{turn}>{escape(str(text))}</text>"
    )


# with a white halo round its text, legible where the benchmark line crosses it
FONT_GROUP = (
    '<g font-family="DejaVu Sans, sans-serif" fill="#0b0c0c" stroke="#ffffff" '
    'stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
)


def chart_svg(
    chart,
    *,
    title: str | None = None,
    desc: str | None = None,
    fluid: bool = False,
    bands: list | None = None,
    canvas: Canvas = BOARD,
    stacked: bool = False,
    hidden: list | None = None,
    colours: list[str] | None = None,
    watermark: bool = False,
) -> str:
    """The chart as an SVG document. `bands` (lines only): per series, None or
    (lower values, upper values) aligned with the categories, shaded behind it.
    `hidden` (bars): per series, True where the figure is withheld (drawn "*")."""
    c = canvas
    if chart.kind == "stacked_bar":
        return _stacked(
            chart, {"title": title, "desc": desc, "fluid": fluid, "canvas": c}
        )
    values = [v for _, vs in chart.series for v in vs if v is not None]
    values += [v for band in bands or [] if band for v in band[1] if v is not None]
    if stacked:
        values = [
            sum(vs[i] or 0 for _, vs in chart.series)
            for i in range(len(chart.categories))
        ]
    top = _nice_top(max(values, default=0.0))
    if c is not BOARD:
        # the value axis's margin as wide as its longest tick label and its title
        longest_tick = max(len(_tick_text(top * k / 4)) for k in range(5))
        c = c._replace(left=c.size(22) + c.size(6.2) * longest_tick + 6)
    frame = {"title": title, "desc": desc, "fluid": fluid, "canvas": c}
    plot_w, plot_h = c.width - c.left - c.right, c.height - c.top - c.bottom
    n = max(len(chart.categories), 1)
    step = plot_w / n
    parts = [_axes(top, plot_w, plot_h, chart.value_title, c)]
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
        for i, (band, style) in enumerate(zip(bands or [], styles, strict=False)):
            if band:
                parts += _band(*band, style[0], step, y_of, names[i], c)
        for series_values, style, name in zip(
            (values for _name, values in chart.series), styles, names, strict=True
        ):
            parts.append(f'<g data-line="{escape(name)}">')
            parts += _line(series_values, style, step, y_of, c)
            parts.append("</g>")
        parts += _event_marks(chart, step, plot_h, c)
        legend, extra = _line_legend(chart.series, styles, c)
        parts.append(legend)
        if watermark:
            parts.append(_watermark(c))
        return _document(parts, **frame, extra=extra)
    palette = colours or COLOURS
    series_colours = [palette[i % len(palette)] for i in range(len(chart.series))]
    if stacked:
        parts += _stacked_columns(chart, step, y_of, series_colours, hidden, c)
    else:
        parts += _columns(chart, step, y_of, series_colours, hidden, c)
    legend, extra = _legend(chart.series, series_colours, c)
    parts.append(legend)
    if watermark:
        parts.append(_watermark(c))
    return _document(parts, **frame, extra=extra)


def _is_hidden(hidden, s: int, i: int) -> bool:
    return bool(hidden and hidden[s] and hidden[s][i])


def _columns(chart, step, y_of, colours, hidden, c: Canvas) -> list[str]:
    """Side-by-side columns, each with its value above it where that fits (the
    table has every figure); a withheld figure is a "*" on the axis."""
    parts = []
    count = len(chart.series)
    width = step * 0.7 / max(count, 1)
    labels = [_tick_text(v) for _, vs in chart.series for v in vs if v is not None]
    # about 0.62 of the text size a character; a label wider than its column
    # (and the gap beside it) would run into its neighbour's
    fits = max((len(t) for t in labels), default=0) * c.size(6.2) <= width + step * 0.3
    base = y_of(0)
    for s, (_name, series) in enumerate(chart.series):
        colour = colours[s]
        for i, v in enumerate(series):
            x = c.left + step * i + step * 0.15 + width * s
            if _is_hidden(hidden, s, i):
                parts.append(_text(x + width / 2, base - 4, MARKER, size=c.size(12)))
                continue
            if v is None:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{width:.1f}" '
                f'height="{base - y_of(v):.1f}" fill="{colour}"/>'
            )
            if fits:
                parts.append(
                    _text(x + width / 2, y_of(v) - 4, _tick_text(v), size=c.size(10))
                )
    return parts


def _stacked_columns(chart, step, y_of, colours, hidden, c: Canvas) -> list[str]:
    """One column per category, its series stacked in order, with the total above
    it where that fits; a column with a withheld part has "*" above it instead
    (its total would give the withheld figure away)."""
    parts = []
    width = step * 0.7
    base = y_of(0)
    totals = []
    for i in range(len(chart.categories)):
        x, low = c.left + step * i + step * 0.15, 0.0
        for s, (_name, series) in enumerate(chart.series):
            v = series[i]
            if v is None or _is_hidden(hidden, s, i):
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y_of(low + v):.1f}" width="{width:.1f}" '
                f'height="{y_of(low) - y_of(low + v):.1f}" fill="{colours[s]}" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
            low += v
        withheld = any(_is_hidden(hidden, s, i) for s in range(len(chart.series)))
        totals.append((x + width / 2, y_of(low) if low else base, withheld, low))
    labels = [_tick_text(t) for *_, t in totals]
    fits = max((len(t) for t in labels), default=0) * c.size(6.2) <= step * 0.95
    for x, y, withheld, total in totals:
        if withheld:
            parts.append(_text(x, y - 4, MARKER, size=c.size(12)))
        elif fits and total:
            parts.append(_text(x, y - 4, _tick_text(total), size=c.size(10)))
    return parts


def _watermark(c: Canvas) -> str:
    """ "Illustrative data" across the plot, as the interactive figure's watermark."""
    x = c.left + (c.width - c.left - c.right) / 2
    y = c.top + (c.height - c.top - c.bottom) / 2
    return (
        '<g class="illustrative-watermark" opacity="0.2">'
        + _text(x, y, ILLUSTRATIVE_LABEL, size=c.size(30), rotate=-20, fill="#3d3d3d")
        + "</g>"
    )


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


def _band(lower, upper, colour: str, step: float, y_of, name: str, c) -> list[str]:
    """A pale polygon from lower to upper limit over each run of periods where
    both are numbers (a None ends the run: a gap stays a gap)."""
    parts: list[str] = []
    run: list[int] = []
    for i, (lo, hi) in enumerate([*zip(lower, upper, strict=True), (None, None)]):
        if lo is not None and hi is not None:
            run.append(i)
            continue
        if len(run) > 1:
            xs = [f"{c.left + step * (k + 0.5):.1f}" for k in run]
            top = [f"{xs[j]},{y_of(upper[k]):.1f}" for j, k in enumerate(run)]
            bottom = [f"{xs[j]},{y_of(lower[k]):.1f}" for j, k in enumerate(run)]
            parts.append(
                f'<polygon data-band="{escape(name)}" fill="{colour}" '
                f'fill-opacity="0.15" points="{" ".join(top + bottom[::-1])}"/>'
            )
        run = []
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
    # a narrow canvas's rows start at the left edge: the axis margin is room too
    start = c.left if c is BOARD else 4
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


def _axes(top: float, plot_w: float, plot_h: float, title: str, c: Canvas) -> str:
    parts = []
    for k in range(5):
        value = top * k / 4
        y = c.top + plot_h * (1 - k / 4)
        parts.append(
            f'<line x1="{c.left}" x2="{c.left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        parts.append(
            _text(c.left - 6, y + 4, _tick_text(value), anchor="end", size=c.size(10))
        )
    parts.append(
        _text(c.size(14), c.top + plot_h / 2, title, size=c.size(10), rotate=-90)
    )
    return "".join(parts)


def _legend(series, colours, c: Canvas = BOARD) -> tuple[str, float]:
    """A swatch and name per series, wrapping onto further rows on a narrow
    canvas; returns the legend and the height it needs below the canvas."""
    start = c.left if c is BOARD else 4
    parts, x, y = [], start, c.height - 22
    for (name, _values), colour in zip(series, colours, strict=True):
        wide = 24 + c.size(6.2) * len(name)
        if c is not BOARD and x > start and x + wide > c.width:
            x, y = start, y + c.size(18)
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, y + 10, name, anchor="start", size=c.size(10)))
        x += wide
    return "".join(parts), max(0.0, y + 18 - c.height)


def _stacked(chart, frame: dict) -> str:
    c = frame["canvas"]
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
    return _document(parts, **frame)


def _document(
    parts: list[str],
    title=None,
    desc=None,
    fluid: bool = False,
    canvas: Canvas = BOARD,
    extra: float = 0.0,
) -> str:
    """`extra`: height added below the canvas (legend rows that wrapped)."""
    width, height = canvas.width, canvas.height + extra
    # fluid: as wide as its box, the whole chart kept in view (top-aligned)
    size = (
        'width="100%" height="100%" preserveAspectRatio="xMidYMin meet"'
        if fluid
        else f'width="{width:g}" height="{height:g}"'
    )
    label = ""
    if title is not None:
        label = f"<title>{escape(title)}</title>" + (
            f"<desc>{escape(desc)}</desc>" if desc else ""
        )
        size += ' role="img"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
        f'viewBox="0 0 {width:g} {height:g}">' + label + "".join(parts) + "</svg>"
    )


__all__ = ["BOARD", "PHONE", "Canvas", "chart_svg"]
