"""Bar figures: force areas ranked with their confidence intervals against a
benchmark, and plain (grouped or stacked) bars. Pure presentation.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from components import theme
from components.axis_clip import OVERFLOW_MARK
from components.figure_layout import (
    _TOP_LEGEND,
    Figure,
    _default_formatter,
    _finish,
    _label_text,
    _numeric,
    add_annotation,
    add_shape,
    axis,
    new_figure,
    title,
    without_none,
)
from components.formatting import (
    SUPPRESSED,
    is_missing,
)

# The least width of a ranked bar chart, in px: long area or intervention names
# (~190) beside the bars (~330) and their value labels (~120). On a narrower
# screen the chart keeps it and scrolls sideways in its own box
# (ChartSpec.min_width): at 390 px the bars were otherwise squeezed to a sliver.
RANKED_MIN_WIDTH = 640


def ranked_bar_figure(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    lower: str | None = None,
    upper: str | None = None,
    category_col: str | None = None,
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    value_title: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
    highlight: str | None = None,
    height: int | None = None,
    axis_top: float | None = None,
    withheld: str | None = None,
    ticks_in_words: bool = False,
) -> Figure:
    """Horizontal bars ranked highest at the top, with confidence intervals.

    With `category_col`, each significance category (better / similar / worse /
    higher / lower / not compared; see theme.SIGNIFICANCE) gets its own colour,
    fill pattern and legend entry, and every bar's text label carries the
    category word ("52.1 Worse"), so colour is never the only cue. `benchmark`
    draws a labelled dashed vertical line. `highlight` shows one label in bold.
    Rows with no value stay on the axis, marked "No value shown", or "* hidden"
    where the boolean column `withheld` says disclosure control withheld it. `axis_top`
    (components.axis_clip.robust_top) ends the value axis there: a bar or interval
    that runs past it is drawn to the edge, its label starting with
    axis_clip.OVERFLOW_MARK (a bar) or ending with it (only its interval); hover
    gives the full figures. `ticks_in_words`: the value axis's ticks are written
    by `value_formatter`, in the labels' words ("£2m" beside "£4.49m", not
    "£2,000,000"), as `bar_figure`'s are.
    """
    # The columns as plain lists (a few dozen areas: pandas' copying, filtering
    # and sorting cost more than the drawing).
    n = len(df)
    data: dict[str, list] = {
        label: df[label].tolist(),
        "_value": _numeric(df[value]),
        "_lower": _numeric(df[lower]) if lower else [None] * n,
        "_upper": _numeric(df[upper]) if upper else [None] * n,
        "_category": [theme.significance_key(c) for c in df[category_col]]
        if category_col
        else [None] * n,
        "_withheld": [bool(w) for w in df[withheld]] if withheld else [False] * n,
    }
    fmt = value_formatter or _default_formatter(
        [v for v in data["_value"] if v is not None]
    )
    shown = [k for k in range(n) if data["_value"][k] is not None]
    present = _take(data, sorted(shown, key=data["_value"].__getitem__))
    missing = _take(data, [k for k in range(n) if data["_value"][k] is None])
    # plotly draws the first category at the bottom: missing rows, then ascending
    category_array = [str(v) for v in missing[label]] + [str(v) for v in present[label]]

    def add_bars(
        part: dict[str, list],
        name: str,
        colour: str,
        pattern: str,
        word: str,
        text_colour: str,
        showlegend: bool,
    ) -> None:
        vals = part["_value"]
        his = part["_upper"] if upper else [None] * len(vals)
        los = part["_lower"] if lower else [None] * len(vals)
        # A bar past the edge: "» 123.4 Worse"; only its interval: "0.0 Similar »".
        bar_past = [axis_top is not None and v > axis_top for v in vals]
        ci_past = [
            axis_top is not None and not is_missing(h) and h > axis_top for h in his
        ]
        texts = [
            (f"{OVERFLOW_MARK} " if bar else "")
            + f"{fmt(v)} {word}".strip()
            + (f" {OVERFLOW_MARK}" if ci and not bar else "")
            for v, bar, ci in zip(vals, bar_past, ci_past, strict=True)
        ]

        def edge(x):
            return x if axis_top is None or is_missing(x) else min(x, axis_top)

        drawn = [edge(v) for v in vals]
        hover = []
        for lab, v, lo, hi in zip(
            part[label], vals, part["_lower"], part["_upper"], strict=True
        ):
            line = f"{lab}: {fmt(v)}"
            if lower and upper:
                line += f"<br>95% CI: {fmt(lo)} to {fmt(hi)}"
            if word:
                line += f"<br>{word}"
            hover.append(line)
        error_x = None
        if lower and upper:
            error_x = dict(
                type="data",
                symmetric=False,
                array=[
                    None if pd.isna(h) else edge(h) - v
                    for h, v in zip(his, drawn, strict=True)
                ],
                arrayminus=[
                    None if pd.isna(lo) else v - edge(lo)
                    for lo, v in zip(los, drawn, strict=True)
                ],
                color=theme.TEXT,
                thickness=1.5,
                width=5,
            )
        fig["data"].append(
            without_none(
                dict(
                    type="bar",
                    orientation="h",
                    x=drawn,
                    y=[str(v) for v in part[label]],
                    name=name,
                    marker=dict(
                        color=colour,
                        line=dict(color=theme.DARK_GREY, width=1),
                        pattern=dict(
                            shape=pattern,
                            fillmode="overlay",
                            fgcolor=text_colour,
                            fgopacity=0.4,
                            size=8,
                            solidity=0.25,
                        ),
                    ),
                    text=texts,
                    textposition="none",  # drawn as annotations, clear of the CI
                    error_x=error_x,
                    hovertext=hover,
                    hoverinfo="text",
                    showlegend=showlegend,
                    meta={"role": "category"},
                )
            )
        )
        for lab, v, hi, text in zip(part[label], vals, his, texts, strict=True):
            bar_labels.append(
                (edge(v if is_missing(hi) else max(v, hi)), str(lab), text)
            )

    fig = new_figure()
    annotations: list[dict] = []
    # (x, bar, text): each bar's "52.1 Worse" label, just right of its CI
    bar_labels: list[tuple[float, str, str]] = []
    if category_col:
        for key in theme.SIGNIFICANCE_ORDER:
            part = _take(
                present,
                [k for k, c in enumerate(present["_category"]) if c == key],
            )
            if not part["_value"]:
                continue
            style = theme.SIGNIFICANCE[key]
            add_bars(
                part,
                style.label,
                style.colour,
                style.pattern,
                style.label,
                style.text_colour,
                True,
            )
    else:
        add_bars(
            present, value_title or value, theme.DARK_BLUE, "", "", theme.WHITE, False
        )

    if bar_labels:
        # One text trace, not an annotation per bar: in the browser 43 annotations
        # took longer to draw than the bars themselves.
        xs, ys, texts = zip(*bar_labels, strict=True)
        fig["data"].append(
            dict(
                type="scatter",
                x=list(xs),
                y=list(ys),
                text=list(texts),
                # The transparent marker keeps the text clear of the CI's cap;
                # the white halo keeps it legible across the benchmark line.
                mode="markers+text",
                marker=dict(size=12, color="rgba(0,0,0,0)"),
                textposition="middle right",
                textfont=dict(
                    size=12, color=theme.TEXT, shadow=f"0 0 3px {theme.WHITE}"
                ),
                cliponaxis=False,
                hoverinfo="skip",
                showlegend=False,
                name="bar-labels",
                meta={"role": "bar-labels"},
            )
        )
    for lab, hidden in zip(missing[label], missing["_withheld"], strict=True):
        annotations.append(
            dict(
                x=0,
                y=str(lab),
                xref="x",
                yref="y",
                text=f"{SUPPRESSED} hidden" if hidden else "No value shown",
                xanchor="left",
                showarrow=False,
                font=dict(size=12, color=theme.SECONDARY_TEXT),
            )
        )
    if annotations:  # plotly left an empty list out
        fig["layout"]["annotations"] = annotations

    bench_lines = 1
    if benchmark is not None and not is_missing(benchmark):
        # Wrapped, so that it stays inside a phone-width chart.
        lines = textwrap.wrap(f"{benchmark_label or 'Benchmark'}: {fmt(benchmark)}", 14)
        bench_lines = len(lines)
        text = "<br>".join(lines)
        add_shape(
            fig,
            type="line",
            name="benchmark",
            xref="x",
            yref="paper",
            x0=benchmark,
            x1=benchmark,
            y0=0,
            y1=1,
            line=dict(color=theme.TEXT, width=2, dash="dash"),
            layer="above",
        )
        add_annotation(
            fig,
            name="benchmark",
            text=text,
            xref="x",
            yref="paper",
            x=benchmark,
            y=1,
            yanchor="bottom",
            xanchor="left",
            xshift=4,
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
            font=dict(size=12, color=theme.TEXT),
        )

    ticktext = [
        f"<b>{c}</b>" if highlight and c == highlight else c for c in category_array
    ]
    axis(fig, "y").update(
        type="category",
        categoryorder="array",
        categoryarray=category_array,
        tickmode="array",
        tickvals=category_array,
        ticktext=ticktext,
        showgrid=False,
    )
    extents = [
        v
        for column in ("_value", "_lower", "_upper")
        for v in present[column]
        if not is_missing(v)
    ]
    if benchmark is not None and not is_missing(benchmark):
        extents.append(float(benchmark))
    if axis_top is not None:
        extents = [min(v, axis_top) for v in extents]
    if extents:
        lo, hi = min(0.0, *extents), max(0.0, *extents)
        span = (hi - lo) or 1.0
        axis(fig, "x")["range"] = [
            lo - (0.02 * span if lo < 0 else 0),
            hi + 0.03 * span,
        ]
        if ticks_in_words:
            ticks = [t for t in _nice_ticks(lo, hi) if t <= hi + 0.03 * span]
            axis(fig, "x").update(
                tickmode="array", tickvals=ticks, ticktext=[fmt(t) for t in ticks]
            )
    # The "52.1 Worse" labels run into a right margin as wide as the longest, so
    # they are never cut off, however narrow the screen (a share of the axis was
    # too little at 390 px).
    longest = max((len(t) for _x, _y, t in bar_labels), default=0)
    axis(fig, "x").update(title=title(value_title or value), tickformat=",")
    # Room above the bars for what is drawn there, and no more: the legend's row
    # and the benchmark's label (a chart with neither started 80 px down).
    bench_drawn = benchmark is not None and not is_missing(benchmark)
    top = (40 if category_col else 20) + (
        40 + 16 * (bench_lines - 1) if bench_drawn else 0
    )
    fig["layout"].update(
        barmode="overlay",
        showlegend=bool(category_col),
        legend=dict(_TOP_LEGEND),
        margin=dict(t=top, r=int(longest * 7.2) + 20),
    )
    n = len(category_array)
    return _finish(fig, height=height or max(280, 28 * n + 140))


def _take(columns: dict[str, list], rows: list[int]) -> dict[str, list]:
    """The `rows` (positions) of each column, in that order."""
    return {name: [values[k] for k in rows] for name, values in columns.items()}


def _bar_extent(
    df: pd.DataFrame, value_col: str, cat_col: str, *, stacked: bool
) -> tuple[float, float]:
    # Plain sums over a few dozen rows: a pandas groupby cost ~5 ms a chart.
    values = _numeric(df[value_col])
    if all(v is None for v in values):
        return 0.0, 0.0
    if stacked:
        ups: dict[str, list[float]] = {}
        downs: dict[str, list[float]] = {}
        for key, v in zip(df[cat_col].tolist(), values, strict=True):
            ups.setdefault(str(key), [])
            downs.setdefault(str(key), [])
            if v is not None:
                (ups if v > 0 else downs)[str(key)].append(v)
        high = max(math.fsum(part) for part in ups.values())
        low = min(math.fsum(part) for part in downs.values())
    else:
        present = [v for v in values if v is not None]
        high, low = max(present), min(present)
    return min(0.0, float(low)), max(0.0, float(high))


def _nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering lo..hi."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return []
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _positions_of(positions: dict[Any, list[int]], name: Any) -> list[int]:
    """The rows of colour group `name`, as `df[df[color] == name]` finds them:
    by equality, so a name asked for as 1.0 finds rows of 1 (and none for a
    name no row has)."""
    if name != name:  # NaN equals nothing, itself included
        return []
    if name in positions:
        return positions[name]
    return sorted(i for key, rows in positions.items() if key == name for i in rows)


def bar_figure(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    color: str | None = None,
    orientation: str = "v",
    barmode: str = "stack",
    x_title: str | None = None,
    y_title: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
    color_order: Sequence[Any] | None = None,
    category_order: Sequence[Any] | None = None,
    height: int | None = 420,
) -> Figure:
    """Stacked or grouped bars with value labels.

    `x` and `y` name the columns on the x and y axes, as in plotly: with
    orientation="v" `y` holds the values, with "h" `x` does. Each `color` group
    gets its own colour and fill pattern. Labels are formatted in Python with
    `value_formatter` (e.g. components.formatting.money).
    """
    if orientation not in {"v", "h"}:
        raise ValueError('orientation must be "v" or "h"')
    if barmode not in {"stack", "group", "relative", "overlay"}:
        raise ValueError("barmode must be stack, group, relative or overlay")
    value_col, cat_col = (y, x) if orientation == "v" else (x, y)
    # Each column taken once as a list and each value formatted once (for its
    # label and its hover text), the colour groups by position: a frame
    # filtered per group and every value formatted twice cost a /prevention
    # answer several milliseconds over its four bar charts.
    values_all = _numeric(df[value_col])
    fmt = value_formatter or _default_formatter(values_all)
    cats_all = [_label_text(c) for c in df[cat_col]]
    texts_all = [fmt(v) for v in values_all]
    if color is None:
        groups: list[tuple[Any, list[int]]] = [(value_col, list(range(len(df))))]
    else:
        colours = df[color].tolist()
        order = list(color_order) if color_order is not None else None
        if order is None:
            order = list(dict.fromkeys(colours))
        positions: dict[Any, list[int]] = {}
        for i, name in enumerate(colours):
            positions.setdefault(name, []).append(i)
        groups = [(name, _positions_of(positions, name)) for name in order]

    fig = new_figure()
    for i, (name, rows) in enumerate(groups):
        if not rows and color is not None:
            continue  # keeps its place in the order, so the others keep their style
        style = theme.series_style(i)
        values = [values_all[r] for r in rows]
        cats = [cats_all[r] for r in rows]
        texts = [texts_all[r] for r in rows]
        text_colour = (
            theme.TEXT if style.colour in {theme.ORANGE, theme.PLUM} else theme.WHITE
        )
        fig["data"].append(
            dict(
                type="bar",
                x=values if orientation == "h" else cats,
                y=cats if orientation == "h" else values,
                orientation=orientation,
                name=str(name),
                marker=dict(
                    color=style.colour,
                    line=dict(color=theme.DARK_GREY, width=1),
                    pattern=dict(
                        shape=style.pattern,
                        fillmode="overlay",
                        fgcolor=text_colour,
                        fgopacity=0.35,
                        size=8,
                        solidity=0.25,
                    ),
                ),
                text=[
                    text if v is not None else ""
                    for text, v in zip(texts, values, strict=True)
                ],
                textposition="auto",
                textfont=dict(color=text_colour),
                outsidetextfont=dict(color=theme.TEXT),
                hovertext=[
                    f"{name}<br>{c}: {text}" if color else f"{c}: {text}"
                    for c, text in zip(cats, texts, strict=True)
                ],
                hoverinfo="text",
                meta={"role": "series"},
            )
        )
    cat_axis: dict[str, Any] = dict(type="category")
    if category_order is not None:
        cat_axis.update(
            categoryorder="array", categoryarray=[str(c) for c in category_order]
        )
    if orientation == "v":
        axis(fig, "x").update(**cat_axis, showgrid=False)
    else:
        axis(fig, "y").update(**cat_axis, showgrid=False, autorange="reversed")
        axis(fig, "x").update(tickformat=",")
    if value_formatter is not None:
        # Value-axis ticks in the same words as the labels ("£1.5m", not "1.5M").
        lo, hi = _bar_extent(df, value_col, cat_col, stacked=barmode != "group")
        ticks = _nice_ticks(lo, hi)
        if ticks:
            axis(fig, "y" if orientation == "v" else "x").update(
                tickmode="array",
                tickvals=ticks,
                ticktext=[value_formatter(t) for t in ticks],
            )
    axis(fig, "x")["title"] = title(x_title if x_title is not None else x)
    axis(fig, "y")["title"] = title(y_title if y_title is not None else y)
    fig["layout"].update(
        barmode=barmode,
        showlegend=color is not None,
        uniformtext=dict(minsize=10, mode="hide"),
    )
    return _finish(fig, height=height)
