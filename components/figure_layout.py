"""What every figure builder shares: numbers and labels for plotly, colours, the
vertical markers (funding start, breaks), margins reserved for the tick labels and
the order of categories. Pure presentation.

Figures are plain data, `{"data": [trace, ...], "layout": {...}}`, as dcc.Graph
and plotly.js take them: building them through plotly's graph objects validated
every property on every change, about half of an uncached answer's time. The
builders write only what plotly's own figure would have held (a property set to
None is left out, as plotly drops it), so the browser draws the same.
"""

from __future__ import annotations

import base64
import math
import numbers
import re
import textwrap
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from components import theme
from components.chart_tables import _is_number
from components.formatting import (
    is_missing,
    is_suppressed,
    number,
    to_decimal,
)
from data_access.periods import long_date

# ---------------------------------------------------------------- figure helpers

Figure = dict[str, Any]  # {"data": [...], "layout": {...}}


def new_figure() -> Figure:
    """An empty figure with the app's template (what go.Figure() held)."""
    return {"data": [], "layout": {"template": theme.TEMPLATE_JSON}}


def axis(fig: Figure, letter: str) -> dict[str, Any]:
    """The figure's x or y axis, made when it has none (fig.update_xaxes)."""
    return fig["layout"].setdefault(f"{letter}axis", {})


def title(text: Any) -> dict[str, Any]:
    """An axis title as plotly writes it: {} when there is none."""
    return {} if text is None else {"text": text}


def add_shape(fig: Figure, **shape: Any) -> None:
    fig["layout"].setdefault("shapes", []).append(shape)


def add_annotation(fig: Figure, **note: Any) -> None:
    fig["layout"].setdefault("annotations", []).append(note)


def typed_array(values: np.ndarray) -> Any:
    """Floats as plotly sends a numpy array, a base64 typed array (plotly.js
    reads it as the list of numbers); an empty array stays a list."""
    array = np.ascontiguousarray(values, dtype="float64")
    if not array.size:
        return []
    return {"dtype": "f8", "bdata": base64.b64encode(array).decode("ascii")}


def without_none(props: dict[str, Any]) -> dict[str, Any]:
    """The properties that are set: plotly drops one set to None."""
    return {k: v for k, v in props.items() if v is not None}


def _numeric(values: Iterable[Any]) -> list[float | None]:
    """Floats, with missing and suppressed values as None (a gap in the plot)."""
    out: list[float | None] = []
    if isinstance(values, pd.Series):
        values = values.tolist()  # Python scalars: cheaper to test than numpy's
    for v in values:
        if isinstance(v, float):  # the usual case, Python's or numpy's float
            out.append(None if v != v else float(v))  # NaN is missing
        elif _is_number(v) and not is_missing(v):
            out.append(float(v))
        elif isinstance(v, str) and not is_suppressed(v) and not is_missing(v):
            try:
                out.append(float(to_decimal(v)))
            except ValueError:
                out.append(None)
        else:
            out.append(None)
    return out


def written_once(formatter: Callable[[Any], str]) -> Callable[[Any], str]:
    """`formatter` keeping each distinct value's text, for one figure or table:
    a ranking's bars, their labels, hover texts and summary ask for each of a
    few dozen values several times over, each a Decimal rounding. Use it only
    for a formatter whose text depends on the value alone (rate, number)."""
    written: dict[tuple, str] = {}

    def text(v: Any) -> str:
        # by type too: 1, 1.0 and True are equal keys, not the same to write
        key = (type(v), v)
        try:
            return written[key]
        except KeyError:
            out = written[key] = formatter(v)
            return out
        except TypeError:  # unhashable: not kept
            return formatter(v)

    return text


def _default_formatter(values: Iterable[float | None]) -> Callable[[Any], str]:
    present = [v for v in values if v is not None]
    decimals = 0 if all(float(v).is_integer() for v in present) else 1
    return lambda v: number(v, decimals)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _x_values(values: Iterable[Any]) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, pd.Period):
            v = str(v)
        out.append(v)
    return out


def _label_text(value: Any) -> str:
    if isinstance(value, pd.Timestamp | datetime | date):
        return long_date(value)
    return str(value)


def category_position(fig: Figure, x: Any) -> Any:
    """A category that looks like a number ("2019", a calendar year) as its
    position on the figure's category axis: plotly places a shape or note at
    "2019" as the number 2019, far beyond the 20 categories drawn. Any other x
    is returned as it is."""
    categories = (fig["layout"].get("xaxis") or {}).get("categoryarray")
    if isinstance(x, str) and x.isdigit() and categories and x in categories:
        return list(categories).index(x)
    return x


MARKER_LABEL_WIDTH = 28  # characters a line of a vertical marker's label


def _vertical_marker(
    fig: Figure,
    x: Any,
    label: str,
    *,
    kind: str,
    dash: str,
    colour: str,
    label_y: float,
) -> None:
    x = category_position(fig, x)
    add_shape(
        fig,
        type="line",
        name=f"{kind}: {label}",
        xref="x",
        yref="paper",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        line=dict(color=colour, width=2, dash=dash),
        layer="above",
    )
    add_annotation(
        fig,
        name=f"{kind}: {label}",
        # Wrapped, so a long label stays inside a phone-width chart (a 67-
        # character break label ran off the right of /violence at 390 px).
        text="<br>".join(textwrap.wrap(label, MARKER_LABEL_WIDTH)) or label,
        xref="x",
        yref="paper",
        x=x,
        y=label_y,
        xanchor="left",
        yanchor="top",
        xshift=4,
        showarrow=False,
        align="left",
        bgcolor="rgba(255,255,255,0.85)",
        font=dict(size=12, color=theme.TEXT),
    )


# The legend in the top strip of the figure, clear of labels drawn just above the
# plot area (benchmark lines).
_TOP_LEGEND = dict(
    yref="container", y=0.99, yanchor="top", x=0, xanchor="left", traceorder="normal"
)


def _finish(fig: Figure, *, height: int | None) -> Figure:
    if height:
        fig["layout"]["height"] = height
    _reserve_margins(fig)
    return fig


# Estimates at the template's fonts (13 px ticks, 14 px titles), in pixels.
_CHAR = 7.8  # an average character of a tick label
_TICK_SPACE = 18  # tick length, padding and the label's line height
_TITLE_SPACE = 26  # an axis title and its standoff
_TYPICAL_PLOT_WIDTH = 950  # a chart card on a desktop screen
_TEMPLATE_MARGIN = theme.TEMPLATE_JSON["layout"]["margin"]


_PLAIN_NUMBERS = (float, int)


def _tick_texts(
    layout: dict, traces: list[dict], letter: str
) -> tuple[list[str], bool]:
    """The labels plotly will write on an axis, near enough to size a margin, and
    whether they are categories (else numbers)."""
    axis = layout.get(f"{letter}axis") or {}
    if axis.get("ticktext"):
        # markup other than line breaks takes no room
        return [re.sub(r"<(?!br>)[^>]+>", "", str(t)) for t in axis["ticktext"]], True
    values = [
        v
        for trace in traces
        if trace.get("type", "scatter") in ("bar", "scatter")
        and trace.get(letter) is not None
        for v in trace[letter]
        if v is not None
    ]
    if axis.get("type") == "category" or any(isinstance(v, str) for v in values):
        return [str(v) for v in dict.fromkeys(values)], True
    # float and int (numpy's floats among them) first: isinstance against the
    # numbers.Number ABC costs a registry lookup per value, and a funnel's limit
    # lines have hundreds
    figures = [
        float(v)
        for v in values
        if isinstance(v, _PLAIN_NUMBERS) or isinstance(v, numbers.Number)
    ]
    figures += [float(v) for v in axis.get("range") or () if v is not None]
    figures = [v for v in figures if math.isfinite(v)]
    if not figures:
        return [], False
    # auto ticks are round numbers within the data's range, written with commas
    top = max(map(abs, figures))
    text = f"{top:,.0f}" if top >= 10 else f"{top:.1f}"
    return [("-" if min(figures) < 0 else "") + text], False


def _title_text(axis: dict) -> str | None:
    title = axis.get("title")
    return title.get("text") if isinstance(title, dict) else title


def _reserve_margins(fig: Figure) -> None:
    """Start the left and bottom margins at what the axis labels need.

    With automargin plotly lays a figure out, measures its labels and, when they
    need more room than the margins give, lays it all out again: in the browser
    that second pass was half of drawing each chart. Margins set here to (a
    little more than) what the labels need leave automargin nothing to add; it
    stays on, so a label wider than estimated still fits, at the old cost."""
    layout, traces = fig["layout"], fig["data"]
    x_axis, y_axis = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    if x_axis.get("visible") is False or y_axis.get("visible") is False:
        return
    y_texts, _ = _tick_texts(layout, traces, "y")
    # a wrapped label (lines joined by <br>) needs the room of its longest line
    left = (
        max((len(line) for t in y_texts for line in t.split("<br>")), default=0) * _CHAR
        + _TICK_SPACE
    )
    left += _TITLE_SPACE if _title_text(y_axis) else 0
    x_texts, x_categories = _tick_texts(layout, traces, "x")
    x_lines = [t.split("<br>") for t in x_texts]
    longest = max((len(part) for lines in x_lines for part in lines), default=0) * _CHAR
    rows = max((len(lines) for lines in x_lines), default=1)
    slot = _TYPICAL_PLOT_WIDTH / max(len(x_texts), 1)
    if x_categories:
        # plotly turns crowded category labels 30 or 90 degrees
        if longest + 8 <= slot:
            label_height = 16.0 * rows
        elif 30 <= slot:
            label_height = longest * 0.5 + 12
        else:
            label_height = longest
    else:
        label_height = 16.0
    bottom = label_height + _TICK_SPACE
    bottom += _TITLE_SPACE if _title_text(x_axis) else 0
    # a number axis's last label is centred on the plot's right edge
    right = 0 if x_categories else longest / 2 + 6
    own = layout.setdefault("margin", {})
    margin = {**_TEMPLATE_MARGIN, **own}
    own.update(
        l=max(margin["l"], math.ceil(left)),
        b=max(margin["b"], math.ceil(bottom)),
        r=max(margin["r"], math.ceil(right)),
    )


def _label_key(label: str) -> tuple:
    """Sort key reading the numbers in a label as numbers ("Q10" after "Q9")."""
    parts = re.split(r"(\d+)", label)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _ordered_categories(sequences: list[list], values) -> list:
    """Every value once, in an order that keeps each sequence's own order (each
    series lists its periods in order); where they leave a choice, the numbers in
    the labels decide ("2019/20 Q4" before "2020/21 Q1"). If the sequences
    disagree (a cycle), the first value left comes next."""
    pending = sorted(dict.fromkeys(values), key=_label_key)
    before: dict[Any, set] = {value: set() for value in pending}
    for sequence in sequences:
        for earlier, later in zip(sequence[:-1], sequence[1:], strict=True):
            before[later].add(earlier)
    ordered: list = []
    placed: set = set()
    while pending:
        pick = next((c for c in pending if before[c] <= placed), pending[0])
        pending.remove(pick)
        ordered.append(pick)
        placed.add(pick)
    return ordered
