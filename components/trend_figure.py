"""The trend figure: a measure's series over time with its interval, benchmark,
funding start and breaks. Pure presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from components import theme
from components.figure_layout import (
    Figure,
    _default_formatter,
    _finish,
    _label_text,
    _numeric,
    _ordered_categories,
    _rgba,
    _vertical_marker,
    _x_values,
    add_annotation,
    add_shape,
    axis,
    new_figure,
    title,
    without_none,
)
from data_access.chart_lines import ILLUSTRATIVE_SUFFIX


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
    periods: Sequence[str] | None = None,
) -> Figure:
    """Lines over time, one per `series`, with confidence intervals.

    `periods` (every period label from the first to the last, in order, all of
    one length: data_access.periods.every_period) makes the axis a time scale:
    each period has its place whether or not a series has a figure for it, a
    series' missing period inside its span is a gap in its line (never a line
    across it) and each run of such gaps is marked "No figure published" with
    the series it concerns (`gap_runs`).

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
    fig = new_figure()
    traces = fig["data"]
    all_y = _numeric(df[y]) if y in df else []
    fmt = value_formatter or _default_formatter(all_y)
    # The rows as plain tuples (x, y, lower, upper, series): a chart has a few
    # dozen, where pandas' filtering and sorting cost more than the drawing.
    rows = _rows(df, x, y, lower, upper, series)
    if series is None:
        groups: list[tuple[Any, list[_Row]]] = [(y_title, rows)]
    else:
        order = list(series_order) if series_order is not None else None
        if order is None:
            order = list(dict.fromkeys(r[4] for r in rows))
        groups = [(name, [r for r in rows if r[4] == name]) for name in order]

    gaps: list[tuple[int, int, str]] = []
    if periods is not None:
        groups = [(name, _fill_span(part, periods)) for name, part in groups]
        present: dict[str, set[str]] = {}
        for name, part in groups:  # an area's published and illustrative lines
            base = str(name).removesuffix(ILLUSTRATIVE_SUFFIX)  # are one series
            present.setdefault(base, set()).update(_present(part))
        gaps = gap_runs(periods, present)
    for i, (name, part) in enumerate(groups):
        if not part and series is not None:
            continue  # keeps its place in the order, so the others keep their style
        style = theme.series_style(i)
        xs = _x_values(r[0] for r in part)
        ys = _numeric(r[1] for r in part)
        los = _numeric(r[2] for r in part) if lower else [None] * len(ys)
        his = _numeric(r[3] for r in part) if upper else [None] * len(ys)
        hover = []
        for xv, yv, lo, hi in zip(xs, ys, los, his, strict=True):
            text = f"{name}<br>{_label_text(xv)}: {fmt(yv)}"
            if lower and upper:
                text += f"<br>{ci_label}: {fmt(lo)} to {fmt(hi)}"
            hover.append(text)
        group = f"series-{i}"
        error_y = None
        if lower and upper and ci == "ribbon":
            # One band per run of periods with both limits: a band never
            # stretches across a gap (plotly fills "tonexty" straight across).
            for run in _runs(his, los):
                traces.append(
                    dict(
                        type="scatter",
                        x=[xs[k] for k in run],
                        y=[his[k] for k in run],
                        mode="lines",
                        line=dict(width=0, color=style.colour),
                        hoverinfo="skip",
                        showlegend=False,
                        legendgroup=group,
                        name=f"{name} upper {ci_label}",
                        meta={"role": "ci"},
                    )
                )
                traces.append(
                    dict(
                        type="scatter",
                        x=[xs[k] for k in run],
                        y=[los[k] for k in run],
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
        traces.append(
            without_none(
                dict(
                    type="scatter",
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
        )

    # The axis first: a marker at a calendar year ("2019") is placed by it.
    xs_all = [r[0] for r in rows]
    if periods is not None:
        axis(fig, "x").update(
            type="category", categoryorder="array", categoryarray=list(periods)
        )
    elif xs_all and all(isinstance(v, str) for v in xs_all):
        # Plotly orders categories by first appearance, trace by trace, so the
        # periods a later series has and the first lacks (a benchmark reaching
        # further back than the area) would be drawn after the rest.
        names = [n for n, _ in groups]
        plotted = rows if series is None else [r for r in rows if r[4] in names]
        categories = _ordered_categories(
            [list(dict.fromkeys(_x_values(r[0] for r in part))) for _, part in groups],
            _x_values(r[0] for r in plotted),
        )
        axis(fig, "x").update(
            type="category", categoryorder="array", categoryarray=categories
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
    for i, (bx, label) in enumerate(breaks):
        # Stepped down, so two breaks' wrapped labels never sit on each other.
        _vertical_marker(
            fig,
            bx,
            label,
            kind="break",
            dash="dot",
            colour=theme.MID_GREY,
            label_y=0.9 - 0.25 * (i % 3),
        )

    for first, last, names in gaps:
        _mark_gap(fig, first, last, names)

    axis(fig, "x")["title"] = title(x_title)
    axis(fig, "y").update(title=title(y_title), rangemode="tozero")
    fig["layout"].update(showlegend=series is not None, hovermode="closest")
    return _finish(fig, height=height)


GAP_LABEL = "No figure published"


_Row = tuple[Any, Any, Any, Any, Any]  # x, y, lower, upper, series


def _rows(
    df: pd.DataFrame,
    x: str,
    y: str,
    lower: str | None,
    upper: str | None,
    series: str | None,
) -> list[_Row]:
    def column(name: str | None) -> list:
        return df[name].tolist() if name else [None] * len(df)

    return list(
        zip(
            column(x),
            column(y),
            column(lower),
            column(upper),
            column(series),
            strict=True,
        )
    )


def _present(part: list[_Row]) -> set[str]:
    """The periods where a series has a row with a figure or a hidden ("*") one:
    a hidden figure is published as hidden, not missing."""
    return {str(r[0]) for r in part if pd.notna(r[1])}


def _fill_span(part: list[_Row], periods: Sequence[str]) -> list[_Row]:
    """The series' rows in time order with an empty row for each period inside
    its span that it lacks, so its line breaks there."""
    if not part:
        return part
    place = {p: i for i, p in enumerate(periods)}
    at = [place.get(str(r[0])) for r in part]
    known = [i for i in at if i is not None]
    if not known:
        return part
    have = set(known)
    missing = [periods[i] for i in range(min(known), max(known) + 1) if i not in have]
    out = part + [(p, None, None, None, None) for p in missing]
    order = [place.get(str(r[0]), -1) for r in out]
    return [out[k] for k in sorted(range(len(out)), key=order.__getitem__)]


def gap_runs(
    periods: Sequence[str], present: dict[str, set[str]]
) -> list[tuple[int, int, str]]:
    """(first index, last index, series names) for each run of consecutive
    periods where one or more series lack a figure inside their own span (from
    their first to their last period with a figure)."""
    place = {p: i for i, p in enumerate(periods)}
    missing_at: dict[int, list[str]] = {}
    for name, have in present.items():
        spots = sorted(place[p] for p in have if p in place)
        if not spots:
            continue
        for i in range(spots[0], spots[-1] + 1):
            if periods[i] not in have:
                missing_at.setdefault(i, []).append(name)
    runs: list[tuple[int, int, str]] = []
    for i in sorted(missing_at):
        names = ", ".join(missing_at[i])
        if runs and runs[-1][1] == i - 1 and runs[-1][2] == names:
            runs[-1] = (runs[-1][0], i, names)
        else:
            runs.append((i, i, names))
    return runs


def _mark_gap(fig: Figure, first: int, last: int, names: str) -> None:
    """A pale band over the periods with no figure, labelled in words."""
    add_shape(
        fig,
        type="rect",
        name=f"gap: {names}",
        xref="x",
        yref="paper",
        x0=first - 0.5,
        x1=last + 0.5,
        y0=0,
        y1=1,
        line=dict(width=0),
        fillcolor=_rgba(theme.MID_GREY, 0.12),
        layer="below",
    )
    add_annotation(
        fig,
        name=f"gap: {names}",
        text=f"{GAP_LABEL}<br>({names})",
        xref="x",
        yref="paper",
        x=(first + last) / 2,
        y=0.02,
        yanchor="bottom",
        textangle=-90,
        showarrow=False,
        font=dict(size=10, color=theme.SECONDARY_TEXT),
    )


def _runs(his: list, los: list) -> list[list[int]]:
    """Index runs where both limits are numbers (a None ends a run)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for k, (hi, lo) in enumerate(zip(his, los, strict=True)):
        if hi is None or lo is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(k)
    if current:
        runs.append(current)
    return runs
