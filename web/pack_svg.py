"""A board pack chart (data_access.board_pack.Chart) as a small SVG document, so the
PDF's charts are vectors: lines, columns and stacked bars with labelled axes.
Missing values (None) are gaps: a line is drawn only between figures in adjacent
periods of one series, and a period where no line has a figure is marked "No
figure published". Annotations (the chart's `marks`) are dashed vertical lines
in the pages' event colour with their short label. Illustrative lines (the
chart's `styles`) are dashed, lighter, with hollow markers and their own legend
entry: never joined to published ones (they are separate series). Pure text: no
store, no browser.

The public trend embed draws its chart here too (web/embed_charts.py), so it shows
with JavaScript off: `chart_svg(..., title=, desc=, fluid=True, bands=)` adds
role="img" with <title>/<desc>, a width of 100% of its box, and shaded 95%
interval bands; each line and its markers are one <g data-line="style">."""

from __future__ import annotations

import math
from html import escape

from components.annotation_marks import EVENT_COLOUR

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 64
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


def _text(x, y, text, *, anchor="middle", size=11, rotate=None, fill="#0b0c0c") -> str:
    turn = f' transform="rotate({rotate} {x} {y})"' if rotate is not None else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="DejaVu Sans, sans-serif" fill="{fill}"{turn}>'
        f"{escape(str(text))}</text>"
    )


def chart_svg(
    chart,
    *,
    title: str | None = None,
    desc: str | None = None,
    fluid: bool = False,
    bands: list | None = None,
) -> str:
    """The chart as an SVG document. `bands` (lines only): per series, None or
    (lower values, upper values) aligned with the categories, shaded behind it."""
    frame = {"title": title, "desc": desc, "fluid": fluid}
    if chart.kind == "stacked_bar":
        return _stacked(chart, frame)
    values = [v for _, vs in chart.series for v in vs if v is not None]
    values += [v for band in bands or [] if band for v in band[1] if v is not None]
    top = _nice_top(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.categories), 1)
    step = plot_w / n
    parts = [_axes(top, plot_w, plot_h, chart.value_title)]
    # At most 10 labels, and never more than fit side by side (about 6.2 units a
    # character at size 10): 70 quarters' "2008/09 Q1" would otherwise overlap.
    longest = max((len(str(label)) for label in chart.categories), default=1)
    every = max(1, math.ceil(n / 10), math.ceil(6.2 * longest / step))
    for i, label in enumerate(chart.categories):
        if i % every == 0:
            parts.append(
                _text(LEFT + step * (i + 0.5), HEIGHT - BOTTOM + 16, label, size=10)
            )

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    if chart.kind == "line":
        styles = _line_styles(chart)
        parts += _gap_marks(chart, step, plot_h)
        names = chart.styles or [f"series {i}" for i in range(len(styles))]
        for i, (band, style) in enumerate(zip(bands or [], styles, strict=False)):
            if band:
                parts += _band(*band, style[0], step, y_of, names[i])
        for series_values, style, name in zip(
            (values for _name, values in chart.series), styles, names, strict=True
        ):
            parts.append(f'<g data-line="{escape(name)}">')
            parts += _line(series_values, style, step, y_of)
            parts.append("</g>")
        parts += _event_marks(chart, step, plot_h)
        parts.append(_line_legend(chart.series, styles))
        return _document(parts, **frame)
    count = len(chart.series)
    width = step * 0.7 / max(count, 1)
    for s, (_name, series) in enumerate(chart.series):
        colour = COLOURS[s % len(COLOURS)]
        for i, v in enumerate(series):
            if v is None:
                continue
            x = LEFT + step * i + step * 0.15 + width * s
            parts.append(
                f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{width:.1f}" '
                f'height="{TOP + plot_h - y_of(v):.1f}" fill="{colour}"/>'
            )
            parts.append(_text(x + width / 2, y_of(v) - 4, _tick_text(v), size=10))
    parts.append(
        _legend(chart.series, [COLOURS[i % 2] for i in range(len(chart.series))])
    )
    return _document(parts, **frame)


def _line_styles(chart) -> list[tuple]:
    if chart.styles:
        return [LINE_STYLES[style] for style in chart.styles]
    return [
        (COLOURS[i % len(COLOURS)], 3 if i == 0 else 2, "", False)
        for i in range(len(chart.series))
    ]


def _line(values, style, step: float, y_of) -> list[str]:
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
        x, y = LEFT + step * (i + 0.5), y_of(v)
        run.append(f"{x:.1f},{y:.1f}")
    for i, v in enumerate(values):
        if v is not None:
            parts.append(
                f'<circle cx="{LEFT + step * (i + 0.5):.1f}" cy="{y_of(v):.1f}" '
                f'r="3.5" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            )
    return parts


def _band(lower, upper, colour: str, step: float, y_of, name: str) -> list[str]:
    """A pale polygon from lower to upper limit over each run of periods where
    both are numbers (a None ends the run: a gap stays a gap)."""
    parts: list[str] = []
    run: list[int] = []
    for i, (lo, hi) in enumerate([*zip(lower, upper, strict=True), (None, None)]):
        if lo is not None and hi is not None:
            run.append(i)
            continue
        if len(run) > 1:
            xs = [f"{LEFT + step * (k + 0.5):.1f}" for k in run]
            top = [f"{xs[j]},{y_of(upper[k]):.1f}" for j, k in enumerate(run)]
            bottom = [f"{xs[j]},{y_of(lower[k]):.1f}" for j, k in enumerate(run)]
            parts.append(
                f'<polygon data-band="{escape(name)}" fill="{colour}" '
                f'fill-opacity="0.15" points="{" ".join(top + bottom[::-1])}"/>'
            )
        run = []
    return parts


def _gap_marks(chart, step: float, plot_h: float) -> list[str]:
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
    for i in range(first, last + 1):
        if has[i]:
            continue
        x = LEFT + step * i
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h:.1f}" '
            'fill="#f3f2f1"/>'
        )
        middle = x + step / 2 + 4
        parts.append(
            _text(
                middle, TOP + plot_h - 6, GAP_LABEL, anchor="start", size=9, rotate=-90
            )
        )
    return parts


def _event_marks(chart, step: float, plot_h: float) -> list[str]:
    """Each annotation (Chart.marks) as a dashed vertical line at the middle of its
    period with its short label; labels step down from one mark to the next so
    neighbours do not overwrite each other, and sit left of a line in the right
    half of the chart. The full text is in the chart's alternative text and table."""
    parts = []
    for level, (category, label, text) in enumerate(chart.marks):
        if category not in chart.categories:
            continue
        x = LEFT + step * (chart.categories.index(category) + 0.5)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h:.1f}" '
            f'stroke="{EVENT_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3">'
            f"<title>{escape(text)}</title></line>"
        )
        right = x > LEFT + (WIDTH - LEFT - RIGHT) / 2
        parts.append(
            _text(
                x - 4 if right else x + 4,
                TOP + 10 + 12 * (level % 3),
                label,
                anchor="end" if right else "start",
                size=9,
                fill=EVENT_COLOUR,
            )
        )
    return parts


def _line_legend(series, styles) -> str:
    """A short stroke with its marker per line, drawn as the line is; entries
    wrap onto a second row."""
    parts, x, y = [], LEFT, HEIGHT - 30
    for (name, _values), (colour, width, dash, hollow) in zip(
        series, styles, strict=True
    ):
        if x > LEFT and x + 36 + 5.2 * len(name) > WIDTH:
            x, y = LEFT, y + 16
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 22}" y1="{y}" y2="{y}" stroke="{colour}" '
            f'stroke-width="{width}"{dashes}/>'
            f'<circle cx="{x + 11}" cy="{y}" r="3.5" '
            f'fill="{"#ffffff" if hollow else colour}" stroke="{colour}" '
            'stroke-width="1.5"/>'
        )
        parts.append(_text(x + 27, y + 4, name, anchor="start", size=9))
        x += 36 + 5.2 * len(name)
    return "".join(parts)


def _axes(top: float, plot_w: float, plot_h: float, title: str) -> str:
    parts = []
    for k in range(5):
        value = top * k / 4
        y = TOP + plot_h * (1 - k / 4)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, _tick_text(value), anchor="end", size=10))
    parts.append(_text(14, TOP + plot_h / 2, title, size=10, rotate=-90))
    return "".join(parts)


def _legend(series, colours) -> str:
    parts, x = [], LEFT
    for (name, _values), colour in zip(series, colours, strict=True):
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 22}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(_text(x + 16, HEIGHT - 12, name, anchor="start", size=10))
        x += 24 + 6.2 * len(name)
    return "".join(parts)


def _stacked(chart, frame: dict) -> str:
    label_w = 230
    plot_w = WIDTH - label_w - RIGHT
    n = max(len(chart.categories), 1)
    row_h = (HEIGHT - TOP - BOTTOM) / n
    totals = [
        sum(series[i] or 0 for _, series in chart.series)
        for i in range(len(chart.categories))
    ]
    top = _nice_top(max(totals, default=0.0))
    parts = []
    colours = [RAG.get(name, COLOURS[0]) for name, _ in chart.series]
    for i, label in enumerate(chart.categories):
        y = TOP + row_h * i
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
    parts.append(_legend(chart.series, colours))
    return _document(parts, **frame)


def _document(parts: list[str], title=None, desc=None, fluid: bool = False) -> str:
    # fluid: as wide as its box, the whole chart kept in view (top-aligned)
    size = (
        'width="100%" height="100%" preserveAspectRatio="xMidYMin meet"'
        if fluid
        else f'width="{WIDTH}" height="{HEIGHT}"'
    )
    label = ""
    if title is not None:
        label = f"<title>{escape(title)}</title>" + (
            f"<desc>{escape(desc)}</desc>" if desc else ""
        )
        size += ' role="img"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">' + label + "".join(parts) + "</svg>"
    )


__all__ = ["chart_svg"]
