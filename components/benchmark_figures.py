"""Figures against a benchmark: the funnel plot (control limits at 95% and 99.8%)
and the spine chart of one area's measures. Pure presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from components import theme
from components.axis_clip import OVERFLOW_MARK
from components.figure_layout import (
    _TOP_LEGEND,
    Figure,
    _default_formatter,
    _finish,
    _numeric,
    add_annotation,
    add_shape,
    axis,
    new_figure,
    title,
    typed_array,
    without_none,
)
from components.formatting import (
    is_missing,
)

FUNNEL_BANDS: dict[str, tuple[str, str, str]] = {
    # key: (legend label, marker symbol, colour)
    "above_998": ("Above 99.8% limit", "triangle-up", theme.DARK_BLUE),
    "above_95": ("Above 95% limit", "triangle-up-open", theme.DARK_BLUE),
    "within": ("Within 95% limits", "circle", theme.DARK_GREY),
    "below_95": ("Below 95% limit", "triangle-down-open", theme.PLUM),
    "below_998": ("Below 99.8% limit", "triangle-down", theme.PLUM),
}
FUNNEL_LIMIT_COLUMNS = ("lower_95", "upper_95", "lower_998", "upper_998")


def funnel_band_colour(key: str, polarity: str | None) -> str:
    """A band's colour from the one comparison palette (theme.SIGNIFICANCE), so a
    funnel reads as the bars and spines do: above the limits is "worse" where
    lower is better, "better" where higher is better, and "higher" (no
    judgement colour) for a measure without polarity; within is "similar"."""
    if key == "within":
        return theme.SIGNIFICANCE["similar"].colour
    above = key.startswith("above")
    if polarity == "lower_is_better":
        category = "worse" if above else "better"
    elif polarity == "higher_is_better":
        category = "better" if above else "worse"
    else:
        category = "higher" if above else "lower"
    return theme.SIGNIFICANCE[category].colour


def _funnel_band(v: float, lo95: float, hi95: float, lo998: float, hi998: float) -> str:
    if v > hi998:
        return "above_998"
    if v > hi95:
        return "above_95"
    if v < lo998:
        return "below_998"
    if v < lo95:
        return "below_95"
    return "within"


def _sorted_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """`frame` in order of `column`: itself when its values rise strictly (any
    sort leaves such rows as they are), else sort_values' order."""
    values = frame[column].to_numpy(dtype=float)
    if (np.diff(values) > 0).all():
        return frame
    return frame.sort_values(column)


def funnel_figure(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    limits_df: pd.DataFrame,
    benchmark: float,
    x_title: str | None = None,
    y_title: str | None = None,
    benchmark_label: str = "England and Wales",
    value_formatter: Callable[[Any], str] | None = None,
    height: int | None = 480,
    reference_limits_df: pd.DataFrame | None = None,
    reference_label: str = "Unadjusted 99.8% limits",
    limits_name: str = "control limits",
    polarity: str | None = None,
    y_top: float | None = None,
) -> Figure:
    """A funnel plot: each area's value against its size (e.g. population).
    Band colours follow the comparison palette for the measure's `polarity`
    (`funnel_band_colour`); the marker symbols and words carry it too.

    `limits_df` holds the control limits along the x axis: a column named like
    `x` (or "x") and "lower_95", "upper_95", "lower_998", "upper_998". Points are
    placed in bands by the limits at their own x (interpolated); each band has
    its own marker symbol (filled / open triangles up and down, circles) and
    points outside the 99.8% limits are labelled. The 95% limits are dashed, the
    99.8% limits dotted, the benchmark solid. `reference_limits_df` (same
    columns), when given, adds its 99.8% limits as thin light lines named
    `reference_label` (e.g. the limits before an overdispersion adjustment);
    the bands are still judged against `limits_df`, whose lines are named
    "95% <limits_name>" and "99.8% <limits_name>". `y_top`
    (components.axis_clip.robust_top) ends the value axis there: a point above
    it is drawn at the edge, labelled with its name, axis_clip.OVERFLOW_MARK and
    its value (judged, and hovered, at its true value).
    """
    lx = x if x in limits_df.columns else "x"
    missing_cols = [
        c for c in (lx, *FUNNEL_LIMIT_COLUMNS) if c not in limits_df.columns
    ]
    if missing_cols:
        raise ValueError(f"limits_df lacks columns: {missing_cols}")
    # Only read, never changed: not copied, and not sorted again when it is in
    # order already (a funnel's grid is made so, funnels.funnel_limits)
    limits = _sorted_by(limits_df, lx)
    lxs = limits[lx].to_numpy(dtype=float)

    # The points as plain lists (a few dozen areas): every band below takes its
    # points by position, not by filtering a copy of the whole frame.
    xs_all, ys_all = _numeric(df[x]), _numeric(df[y])
    labels_all = df[label].tolist()
    kept = [
        i
        for i, (px, py) in enumerate(zip(xs_all, ys_all, strict=True))
        if px is not None and py is not None
    ]
    xs = np.array([xs_all[i] for i in kept], dtype=float)
    ys = [ys_all[i] for i in kept]
    labels = [labels_all[i] for i in kept]
    fmt = value_formatter or _default_formatter(ys)

    def at(column: str) -> np.ndarray:
        return np.interp(xs, lxs, limits[column].to_numpy(dtype=float))

    bounds = {c: at(c) for c in FUNNEL_LIMIT_COLUMNS}
    bands = [
        _funnel_band(v, lo95, hi95, lo998, hi998)
        for v, lo95, hi95, lo998, hi998 in zip(
            ys,
            bounds["lower_95"],
            bounds["upper_95"],
            bounds["lower_998"],
            bounds["upper_998"],
            strict=True,
        )
    ]

    fig = new_figure()
    traces = fig["data"]
    line_x = [*lxs.tolist(), None, *lxs.tolist()]
    if reference_limits_df is not None and not reference_limits_df.empty:
        reference = _sorted_by(reference_limits_df, lx)
        rxs = reference[lx].to_numpy(dtype=float).tolist()
        traces.append(
            dict(
                type="scatter",
                x=[*rxs, None, *rxs],
                y=[
                    *reference["upper_998"].tolist(),
                    None,
                    *reference["lower_998"].tolist(),
                ],
                mode="lines",
                name=reference_label,
                line=dict(color=theme.MID_GREY, width=1, dash="dot"),
                hoverinfo="skip",
                meta={"role": "reference-limit"},
            )
        )
    for level, dash, name in (
        ("998", "dot", f"99.8% {limits_name}"),
        ("95", "dash", f"95% {limits_name}"),
    ):
        traces.append(
            dict(
                type="scatter",
                x=line_x,
                y=[
                    *limits[f"upper_{level}"].tolist(),
                    None,
                    *limits[f"lower_{level}"].tolist(),
                ],
                mode="lines",
                name=name,
                line=dict(color=theme.DARK_GREY, width=1.5, dash=dash),
                hoverinfo="skip",
                meta={"role": "limit"},
            )
        )
    traces.append(
        dict(
            type="scatter",
            x=[float(lxs.min()), float(lxs.max())] if len(lxs) else [],
            y=[benchmark, benchmark] if len(lxs) else [],
            mode="lines",
            name=f"{benchmark_label} ({fmt(benchmark)})",
            line=dict(color=theme.TEXT, width=2, dash="solid"),
            hoverinfo="skip",
            meta={"role": "benchmark"},
        )
    )
    for key, (name, symbol, _colour) in FUNNEL_BANDS.items():
        colour = funnel_band_colour(key, polarity)
        at_band = [i for i, band in enumerate(bands) if band == key]
        if not at_band:
            continue
        part_y = [ys[i] for i in at_band]
        part_labels = [labels[i] for i in at_band]
        past = [y_top is not None and v > y_top for v in part_y]
        labelled = key.endswith("998") or any(past)
        texts = [
            f"{lab} {OVERFLOW_MARK} {fmt(v)}"
            if over
            else (str(lab) if key.endswith("998") else "")
            for lab, v, over in zip(part_labels, part_y, past, strict=True)
        ]
        traces.append(
            without_none(
                dict(
                    type="scatter",
                    x=xs[at_band],  # see typed_array below
                    y=[
                        y_top if over else v
                        for v, over in zip(part_y, past, strict=True)
                    ],
                    mode="markers+text" if labelled else "markers",
                    text=texts if labelled else None,
                    textposition="top center",
                    textfont=dict(size=12, color=theme.TEXT),
                    name=name,
                    marker=dict(
                        symbol=symbol,
                        size=11,
                        color=colour,
                        line=dict(width=1.5, color=colour),
                    ),
                    hovertext=[
                        f"{lab}: {fmt(v)}<br>{name}"
                        for lab, v in zip(part_labels, part_y, strict=True)
                    ],
                    hoverinfo="text",
                    cliponaxis=False,
                    meta={"role": "band"},
                )
            )
        )
    axis(fig, "x").update(title=title(x_title or x), tickformat=",")
    axis(fig, "y")["title"] = title(y_title or y)
    if y_top is not None and ys:
        floor = min(float(min(ys)), float(limits["lower_998"].min()), benchmark)
        axis(fig, "y")["range"] = [max(0.0, floor * 0.9), y_top * 1.08]
    _finish(fig, height=height)  # sizes the margins from the numbers
    for trace in traces:
        if isinstance(trace["x"], np.ndarray):
            trace["x"] = typed_array(trace["x"])  # as plotly sent it
    return fig


SPINE_KEYS = ("measure", "value", "benchmark", "min", "q25", "q75", "max")


def spine_figure(
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    benchmark_label: str = "England and Wales",
    value_formatter: Callable[[Any], str] | None = None,
    height: int | None = None,
) -> Figure:
    """A spine chart: one row per measure, benchmark at the centre.

    `rows` (DataFrame or list of dicts) need "measure", "value", "benchmark",
    "min", "q25", "q75", "max" (the spread across comparator areas) and may have
    "category" (significance, default "not compared"), "polarity"
    ("lower_is_better" flips the row so better is always on the right), "unit".
    Each row is scaled so the benchmark sits at the centre and the farther
    extreme touches the edge: a light bar spans min to max, a darker bar the
    25th to 75th percentile, and the area's value is a marker whose symbol and
    colour encode its significance category.
    """
    frame = pd.DataFrame(list(rows)) if not isinstance(rows, pd.DataFrame) else rows
    missing_keys = [k for k in SPINE_KEYS if k not in frame.columns]
    if missing_keys and not frame.empty:
        raise ValueError(f"spine rows lack: {missing_keys}")

    measures: list[str] = []
    range_bars: list[tuple[str, float, float, str]] = []
    iqr_bars: list[tuple[str, float, float, str]] = []
    points: dict[str, list[tuple[str, float, str]]] = {}
    no_value: list[str] = []
    for row in frame.to_dict("records"):
        measure = str(row["measure"])
        measures.append(measure)
        bench, value = _numeric([row["benchmark"], row["value"]])
        lo, q25, q75, hi = _numeric([row["min"], row["q25"], row["q75"], row["max"]])
        unit = "" if is_missing(row.get("unit")) else str(row["unit"])
        fmt = value_formatter or _default_formatter([value, bench, lo, hi])
        if bench is None:
            no_value.append(measure)
            continue
        spread = [abs(v - bench) for v in (lo, hi, value) if v is not None]
        scale = max(spread) if spread and max(spread) > 0 else 1.0
        flip = row.get("polarity") == "lower_is_better"

        def pos(
            v: float, *, bench: float = bench, scale: float = scale, flip: bool = flip
        ) -> float:
            p = (v - bench) / (2 * scale)
            return 0.5 - p if flip else 0.5 + p

        def with_unit(
            v: Any, *, fmt: Callable[[Any], str] = fmt, unit: str = unit
        ) -> str:
            return f"{fmt(v)} {unit}".strip()

        if lo is not None and hi is not None:
            a, b = sorted((pos(lo), pos(hi)))
            range_bars.append(
                (
                    measure,
                    a,
                    b,
                    f"{measure}<br>Range: {with_unit(lo)} to {with_unit(hi)}",
                )
            )
        if q25 is not None and q75 is not None:
            a, b = sorted((pos(q25), pos(q75)))
            iqr_bars.append(
                (
                    measure,
                    a,
                    b,
                    f"{measure}<br>25th to 75th percentile: "
                    f"{with_unit(q25)} to {with_unit(q75)}",
                )
            )
        if value is None:
            no_value.append(measure)
            continue
        key = theme.significance_key(row.get("category"))
        hover = (
            f"{measure}<br>Value: {with_unit(value)}<br>{benchmark_label}: "
            f"{with_unit(bench)}<br>{theme.SIGNIFICANCE[key].label}"
        )
        points.setdefault(key, []).append((measure, pos(value), hover))

    fig = new_figure()
    for bars, name, colour in (
        (range_bars, "Range across areas", theme.LIGHT_GREY),
        (iqr_bars, "25th to 75th percentile", theme.MID_GREY),
    ):
        if not bars:
            continue
        fig["data"].append(
            dict(
                type="bar",
                orientation="h",
                y=[b[0] for b in bars],
                base=[b[1] for b in bars],
                x=[b[2] - b[1] for b in bars],
                name=name,
                marker=dict(color=colour, line=dict(width=0)),
                width=0.55,
                hovertext=[b[3] for b in bars],
                hoverinfo="text",
                meta={"role": "spread"},
            )
        )
    for key in theme.SIGNIFICANCE_ORDER:
        if key not in points:
            continue
        style = theme.SIGNIFICANCE[key]
        pts = points[key]
        fig["data"].append(
            dict(
                type="scatter",
                x=[p[1] for p in pts],
                y=[p[0] for p in pts],
                mode="markers",
                name=style.label,
                marker=dict(
                    symbol=style.symbol,
                    size=15,
                    color=style.colour,
                    line=dict(width=1.5, color=theme.TEXT),
                ),
                hovertext=[p[2] for p in pts],
                hoverinfo="text",
                meta={"role": "category"},
            )
        )
    for measure in no_value:
        add_annotation(
            fig,
            x=0.5,
            y=measure,
            xref="x",
            yref="y",
            text="No value",
            showarrow=False,
            bgcolor=theme.WHITE,
            font=dict(size=12, color=theme.SECONDARY_TEXT),
        )
    add_shape(
        fig,
        type="line",
        name="benchmark",
        xref="x",
        yref="paper",
        x0=0.5,
        x1=0.5,
        y0=0,
        y1=1,
        line=dict(color=theme.TEXT, width=2),
        layer="above",
    )
    add_annotation(
        fig,
        name="benchmark",
        text=benchmark_label,
        xref="x",
        yref="paper",
        x=0.5,
        y=1,
        yanchor="bottom",
        showarrow=False,
        font=dict(size=12, color=theme.TEXT),
    )
    axis(fig, "x").update(
        range=[-0.03, 1.03],
        tickmode="array",
        tickvals=[0, 1],
        ticktext=["Worst or lowest", "Best or highest"],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    axis(fig, "y").update(
        type="category",
        categoryorder="array",
        categoryarray=measures,
        autorange="reversed",
        showgrid=False,
        fixedrange=True,
    )
    fig["layout"].update(barmode="overlay", margin=dict(t=80), legend=dict(_TOP_LEGEND))
    # Each row as tall as its (possibly wrapped) label: 16 px a line.
    lines = sum(max(2, m.count("<br>") + 1) for m in measures)
    return _finish(fig, height=height or max(260, 20 * lines + 150))
