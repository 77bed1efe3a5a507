"""The SPC chart view of a trend (data_access.trend_spc): points, mean, natural
process limits per segment, special-cause points marked by kind with the rule that
fired, step changes marked where the limits are recalculated, and the same in a
table (and CSV) and a text summary. Colours follow components.spc_icons (blue
improving, orange concerning, purple neither) and are never the only cue: each
kind has its own marker shape and legend entry, and its words in the hover, the
table and the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from components import theme
from components.annotation_marks import (
    EVENTS_COLUMN,
    add_marks,
    escaped,
    events_column,
)
from components.figure_layout import Figure, _vertical_marker, axis, new_figure, title
from components.formatting import rate as rate_text
from components.spc_icons import CONCERNING, IMPROVING, NEUTRAL

_SPECIAL = {
    # point type -> (legend name, colour, marker symbol)
    "special cause improving": ("Special cause: improving", IMPROVING, "diamond"),
    "special cause concerning": ("Special cause: concerning", CONCERNING, "square"),
    "special cause high": ("Special cause: higher", NEUTRAL, "triangle-up"),
    "special cause low": ("Special cause: lower", NEUTRAL, "triangle-down"),
}


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def spc_figure(
    points: pd.DataFrame,
    *,
    y_title: str,
    x_title: str | None,
    steps: Sequence[tuple[str, str]] = (),
    marks: Sequence[tuple[Any, str, str]] = (),
    value_formatter: Callable[[Any], str] = rate_text,
    height: int = 440,
) -> Figure:
    """The SPC chart of `points` (trend_spc's SPC_COLUMNS), x the period labels."""
    fig = new_figure()
    traces = fig["data"]
    xs = points["period"].tolist()
    values = [_num(v) for v in points["value"]]
    hover = []
    for row, value in zip(points.itertuples(), values, strict=True):
        text = f"{row.period}: {value_formatter(value) if value is not None else '*'}"
        if pd.notna(row.centre):
            text += (
                f"<br>Mean {value_formatter(row.centre)}; limits "
                f"{value_formatter(row.lower)} to {value_formatter(row.upper)}"
            )
        text += f"<br>{row.point_type}"
        if row.rules:
            text += f" ({row.rules})"
        hover.append(text)
    # One line per segment: the line never joins points across a recalculation
    # (published figures giving way to illustrative ones, funding beginning).
    for number, (segment, part) in enumerate(points.groupby("segment", sort=True)):
        where = [points.index.get_loc(i) for i in part.index]
        traces.append(
            dict(
                type="scatter",
                x=[xs[i] for i in where],
                y=[values[i] for i in where],
                name="Value",
                mode="lines+markers",
                line=dict(color=theme.DARK_BLUE, width=2),
                marker=dict(size=7, color=theme.DARK_BLUE),
                hovertext=[hover[i] for i in where],
                hoverinfo="text",
                connectgaps=False,
                legendgroup="series",
                showlegend=number == 0,
                meta={"role": "series", "segment": int(segment)},
            )
        )
    lines = (
        ("centre", "Mean", theme.DARK_GREY, "solid"),
        ("upper", "Upper process limit", theme.SECONDARY_TEXT, "dash"),
        ("lower", "Lower process limit", theme.SECONDARY_TEXT, "dash"),
    )
    for column, name, colour, dash in lines:
        named = False
        for segment, part in points.groupby("segment", sort=True):
            if part[column].isna().all():
                continue
            traces.append(
                dict(
                    type="scatter",
                    x=part["period"].tolist(),
                    y=[_num(v) for v in part[column]],
                    name=name,
                    mode="lines",
                    line=dict(color=colour, width=1.5, dash=dash),
                    hoverinfo="skip",
                    legendgroup=column,
                    showlegend=not named,
                    connectgaps=True,
                    meta={"role": f"spc-{column}", "segment": int(segment)},
                )
            )
            named = True
    for point_type, (name, colour, symbol) in _SPECIAL.items():
        flagged = points["point_type"] == point_type
        if not flagged.any():
            continue
        part = points[flagged]
        traces.append(
            dict(
                type="scatter",
                x=part["period"].tolist(),
                y=[_num(v) for v in part["value"]],
                name=name,
                mode="markers",
                marker=dict(
                    symbol=symbol,
                    size=12,
                    color=colour,
                    line=dict(width=1.5, color=theme.WHITE),
                ),
                hovertext=[hover[i] for i in part.index],
                hoverinfo="text",
                meta={"role": "spc-signal", "point_type": point_type},
            )
        )
    # The axis first: a marker at a calendar year ("2019") is placed by it.
    axis(fig, "x").update(type="category", categoryorder="array", categoryarray=xs)
    # Labels step down from one recalculation to the next: a long label (e.g.
    # "Published annual figures from here ...") runs on to the next step's line.
    for level, (period, reason) in enumerate(steps):
        _vertical_marker(
            fig,
            period,
            escaped(f"Limits recalculated: {reason}"),
            kind="step",
            dash="dot",
            colour=theme.DARK_GREY,
            label_y=1 - 0.1 * (level % 2),
        )
    add_marks(fig, marks)
    extent = [
        float(v)
        for column in ("value", "lower", "upper")
        for v in points[column]
        if v is not None and pd.notna(v)
    ]
    if extent:
        # headroom above the highest line for the step-change labels: a tenth of
        # the plot per row of labels (they step down a row, see above), so no
        # label (drawn on a white ground) hides a point
        low, high = min(extent), max(extent)
        span = (high - low) or abs(high) or 1.0
        bottom = min(0.0, low) if low >= 0 else low - 0.05 * span
        free = 0.1 * min(max(len(steps), 1), 2)
        top = max(high + 0.22 * span, high + (high - bottom) * free / (1 - free))
        axis(fig, "y")["range"] = [bottom, top]
    axis(fig, "x")["title"] = title(x_title)
    axis(fig, "y")["title"] = title(y_title)
    fig["layout"].update(
        showlegend=True,
        hovermode="closest",
        height=height,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    return fig


def spc_table(
    spc: dict[str, Any],
    *,
    value_name: str,
    annotations: pd.DataFrame | None = None,
    digits: int = 2,
) -> pd.DataFrame:
    """The SPC chart's table (and CSV): one row per period."""
    points = spc["points"]
    steps = dict(spc["steps"])

    def rounded(values):
        return [None if pd.isna(v) else round(float(v), digits) for v in values]

    table = pd.DataFrame(
        {
            "Period": points["period"].tolist(),
            value_name: [
                "*" if s else v
                for v, s in zip(
                    rounded(points["value"]), points["suppressed"], strict=True
                )
            ],
            "Mean": rounded(points["centre"]),
            "Lower process limit": rounded(points["lower"]),
            "Upper process limit": rounded(points["upper"]),
            "Variation": points["point_type"].tolist(),
            "Rule that fired": points["rules"].tolist(),
            "Limits recalculated": [steps.get(p, "") for p in points["period"]],
            "Illustrative": [
                "Illustrative data" if i else "No" for i in points["illustrative"]
            ],
        }
    )
    if annotations is not None and not annotations.empty:
        table[EVENTS_COLUMN] = events_column(annotations, points)
    return table


def spc_summary_text(spc: dict[str, Any], *, label: str, noun: str = "period") -> str:
    """Plain sentences on what the SPC chart shows, from the same data."""
    points = spc["points"]
    shown = points[points["value"].notna()]
    if shown.empty:
        return f"{label}: no figures can be shown, so there is no SPC chart."
    first, last = shown["period"].iloc[0], shown["period"].iloc[-1]
    words = spc["variation_words"]
    text = (
        f"SPC chart of {label}, {first} to {last} ({len(shown)} {noun}s shown). "
        f"Latest, {last}: {words[0].lower()}{words[1:]}."
    )
    if spc["steps"]:
        text += (
            " Limits are recalculated at "
            + "; ".join(f"{p} ({reason})" for p, reason in spc["steps"])
            + "."
        )
    short = [s for s in spc["segments"] if not s["assessed"] and s["points"]]
    if short:
        text += (
            f" No signal is given from fewer than {spc['min_points']} points: "
            + "; ".join(f"{s['first']} to {s['last']} has {s['points']}" for s in short)
            + "."
        )
    signals = spc["signals"]
    if not signals:
        if spc["assessed"]:
            text += " No point shows special-cause variation."
        return text
    latest = signals[-6:]
    text += (
        f" {len(signals)} special-cause point{'s' if len(signals) != 1 else ''}"
        + ("; the latest: " if len(signals) > len(latest) else ": ")
        + "; ".join(
            f"{p} {kind[len('special cause ') :]} ({rules})"
            for p, kind, rules in latest
        )
        + "."
    )
    return text
