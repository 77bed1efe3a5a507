"""The trend figure: a measure's series over time with its interval, benchmark,
funding start and breaks. Pure presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components import theme
from components.figure_layout import (
    _default_formatter,
    _finish,
    _label_text,
    _numeric,
    _ordered_categories,
    _rgba,
    _vertical_marker,
    _x_values,
)


def trend_figure(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    lower: str | None = None,
    upper: str | None = None,
    series: str | None = None,
    y_title: str,
    x_title: str | None = None,
    markers: bool = True,
    vlines: Sequence[tuple[Any, str]] = (),
    breaks: Sequence[tuple[Any, str]] = (),
    ci: str = "ribbon",
    ci_label: str = "95% CI",
    value_formatter: Callable[[Any], str] | None = None,
    series_order: Sequence[Any] | None = None,
    height: int | None = 420,
) -> go.Figure:
    """Lines over time, one per `series`, with confidence intervals.

    Each series has its own colour, marker symbol and dash style. `lower`/`upper`
    draw a shaded ribbon (ci="ribbon") or error bars (ci="bars"). `vlines` are
    labelled solid vertical lines (e.g. [("2019/20", "VRU funding began")]);
    `breaks` are labelled dotted lines for breaks in the series. Missing or
    suppressed ("*") values leave a gap. Hover text is formatted in Python with
    `value_formatter` (default: whole numbers, or one decimal place). Text x
    values (period labels) are categories in the order the series list them
    (the numbers in the labels settle what they leave open), whichever series
    starts first.
    """
    if ci not in {"ribbon", "bars"}:
        raise ValueError('ci must be "ribbon" or "bars"')
    fig = go.Figure()
    all_y = _numeric(df[y]) if y in df else []
    fmt = value_formatter or _default_formatter(all_y)
    if series is None:
        groups: list[tuple[Any, pd.DataFrame]] = [(y_title, df)]
    else:
        order = list(series_order) if series_order is not None else None
        if order is None:
            order = list(dict.fromkeys(df[series].tolist()))
        groups = [(name, df[df[series] == name]) for name in order]

    for i, (name, part) in enumerate(groups):
        if part.empty and series is not None:
            continue  # keeps its place in the order, so the others keep their style
        style = theme.series_style(i)
        xs = _x_values(part[x])
        ys = _numeric(part[y])
        los = _numeric(part[lower]) if lower else [None] * len(ys)
        his = _numeric(part[upper]) if upper else [None] * len(ys)
        hover = []
        for xv, yv, lo, hi in zip(xs, ys, los, his, strict=True):
            text = f"{name}<br>{_label_text(xv)}: {fmt(yv)}"
            if lower and upper:
                text += f"<br>{ci_label}: {fmt(lo)} to {fmt(hi)}"
            hover.append(text)
        group = f"series-{i}"
        error_y = None
        if lower and upper and ci == "ribbon":
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=his,
                    mode="lines",
                    line=dict(width=0, color=style.colour),
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=group,
                    name=f"{name} upper {ci_label}",
                    meta={"role": "ci"},
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=los,
                    mode="lines",
                    line=dict(width=0, color=style.colour),
                    fill="tonexty",
                    fillcolor=_rgba(style.colour, 0.15),
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=group,
                    name=f"{name} lower {ci_label}",
                    meta={"role": "ci"},
                )
            )
        elif lower and upper:
            error_y = dict(
                type="data",
                symmetric=False,
                array=[
                    None if (h is None or v is None) else h - v
                    for h, v in zip(his, ys, strict=True)
                ],
                arrayminus=[
                    None if (lo is None or v is None) else v - lo
                    for lo, v in zip(los, ys, strict=True)
                ],
                color=style.colour,
                thickness=1.5,
                width=4,
            )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                name=str(name),
                mode="lines+markers" if markers else "lines",
                line=dict(color=style.colour, dash=style.dash, width=2.5),
                marker=dict(
                    symbol=style.symbol,
                    size=9,
                    color=style.colour,
                    line=dict(width=1, color=theme.WHITE),
                ),
                error_y=error_y,
                hovertext=hover,
                hoverinfo="text",
                legendgroup=group,
                connectgaps=False,
                meta={"role": "series"},
            )
        )

    for vx, label in vlines:
        _vertical_marker(
            fig,
            vx,
            label,
            kind="vline",
            dash="solid",
            colour=theme.DARK_GREY,
            label_y=1,
        )
    for bx, label in breaks:
        _vertical_marker(
            fig,
            bx,
            label,
            kind="break",
            dash="dot",
            colour=theme.MID_GREY,
            label_y=0.9,
        )

    xs_all = df[x].tolist() if x in df else []
    if xs_all and all(isinstance(v, str) for v in xs_all):
        # Plotly orders categories by first appearance, trace by trace, so the
        # periods a later series has and the first lacks (a benchmark reaching
        # further back than the area) would be drawn after the rest.
        plotted = df if series is None else df[df[series].isin([n for n, _ in groups])]
        categories = _ordered_categories(
            [list(dict.fromkeys(_x_values(part[x]))) for _, part in groups],
            _x_values(plotted[x]),
        )
        fig.update_xaxes(
            type="category", categoryorder="array", categoryarray=categories
        )
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        yaxis_rangemode="tozero",
        showlegend=series is not None,
        hovermode="closest",
    )
    return _finish(fig, height=height)
