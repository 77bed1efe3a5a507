"""The one chart component every page uses, and the figure builders behind it.

A page builds a `ChartSpec` (figure, the table of exactly what is shown, a text
summary from the same data) and renders it with `chart_card(spec)`. The card gives
every chart the same accessible furniture (DESIGN.md, "Pages"):

- the title, a sentence stating the finding, as a heading;
- the plot, with a modebar offering only a high-resolution PNG export;
- an "Illustrative data" badge, and a watermark inside the plot so exported PNGs
  carry it too, when the data are illustrative;
- a short text summary, visible to everyone and read by screen readers;
- "View as table" (a native <details>, so it works from the keyboard with no
  callback) holding an accessible <table>;
- "Download CSV" as a data: URI of that same table (no server round trip), with
  spreadsheet formula injection neutralised;
- a <figcaption> with measure, area, period and source.

Empty data never gives a blank plot: set `empty_message` (or pass an empty figure
or table) and the card shows the message instead.

Ids derived from `chart_id` (e.g. "violence-trend"): "<id>-title", "<id>-graph",
"<id>-summary", "<id>-table", "<id>-csv". Keep page callback ids clear of them.

This module is pure presentation: it takes tidy DataFrames and plain values and
never queries the store.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from dash import dcc, html
from dash.development.base_component import Component

from components import theme
from components.formatting import (
    DASH,
    SUPPRESSED,
    is_missing,
    is_suppressed,
    number,
    percent,
    to_decimal,
)

__all__ = [
    "CSV_DATA_URI_PREFIX",
    "DATA_STATUS_COLUMN",
    "DEFAULT_EMPTY_MESSAGE",
    "DEFAULT_SUPPRESSION_NOTE",
    "ILLUSTRATIVE_EXPLANATION",
    "ILLUSTRATIVE_LABEL",
    "WATERMARK_NAME",
    "ChartSpec",
    "DeferredGraph",
    "StaticTable",
    "TableLink",
    "accessible_table",
    "bar_figure",
    "chart_card",
    "csv_href",
    "empty_card",
    "funnel_figure",
    "graph_config",
    "ranked_bar_figure",
    "shown_table",
    "spine_figure",
    "summary_for_ranking",
    "summary_for_series",
    "table_to_csv",
    "trend_figure",
    "watermark",
]

ILLUSTRATIVE_LABEL = "Illustrative data"
ILLUSTRATIVE_EXPLANATION = (
    "These figures are generated for demonstration because nothing is published "
    "for them. They are not official statistics and must not be quoted."
)
DEFAULT_EMPTY_MESSAGE = "There are no data for this selection."
DEFAULT_SUPPRESSION_NOTE = (
    "* Value suppressed under disclosure control, so that small numbers cannot "
    "identify people."
)
DATA_STATUS_COLUMN = "Data status"
WATERMARK_NAME = "illustrative-watermark"
CSV_DATA_URI_PREFIX = "data:text/csv;charset=utf-8,"
_BOM = "\ufeff"  # lets Excel read the CSV as UTF-8 (for "£" and "–")

PLOTLY_DEFAULT_HEIGHT = 450  # px, plotly.js's layout.height when a figure sets none

_CHART_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- spec


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """Everything one chart card shows.

    Put in `table` exactly what the chart shows, already rounded and already
    through disclosure control (suppressed cells as "*"), with human column names,
    including confidence limits, significance and source columns where they apply.
    The HTML table and the CSV are both made from it.
    """

    chart_id: str  # page-namespaced, lower-case and hyphens: "violence-trend"
    title: str  # a sentence stating the finding
    caption: str  # measure, area, period and source
    figure: go.Figure | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: str = ""  # plain-text summary generated from the same data
    illustrative: bool = False
    empty_message: str | None = None  # when set: this message instead of a chart
    suppression_note: str | None = None  # why some values are shown as "*"
    csv_filename: str | None = None  # default "<chart_id>.csv"
    source: str | None = None  # shown as "Source: ..." after the caption
    # Per-column cell formatters for the HTML table (the CSV keeps raw values),
    # e.g. {"Allocation": components.formatting.money}.
    column_formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.chart_id, str) or not _CHART_ID.match(self.chart_id):
            raise ValueError(
                f"chart_id must be lower-case words joined by hyphens, "
                f"got {self.chart_id!r}"
            )
        if not self.title or not str(self.title).strip():
            raise ValueError("a chart needs a title stating its finding")
        if isinstance(self.figure, dict):
            object.__setattr__(self, "figure", go.Figure(self.figure))
        elif self.figure is not None and not isinstance(self.figure, go.Figure):
            raise TypeError("figure must be a plotly go.Figure, a dict or None")
        if self.table is None:
            object.__setattr__(self, "table", pd.DataFrame())
        elif not isinstance(self.table, pd.DataFrame):
            raise TypeError("table must be a pandas DataFrame")

    @property
    def filename(self) -> str:
        """The CSV file name: `csv_filename`, or "<chart_id>.csv"."""
        name = self.csv_filename or f"{self.chart_id}.csv"
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or self.chart_id
        return name if name.lower().endswith(".csv") else f"{name}.csv"

    @property
    def message_if_empty(self) -> str | None:
        """The message to show instead of a chart, or None when there is a chart."""
        if self.empty_message:
            return self.empty_message
        if self.figure is None or len(self.figure.data) == 0 or self.table.empty:
            return DEFAULT_EMPTY_MESSAGE
        return None


# ---------------------------------------------------------------- CSV and tables

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number | Decimal) and not isinstance(
        value, bool | np.bool_
    )


def _csv_text(text: str) -> str:
    """Neutralise formula injection (OWASP): a leading apostrophe on text a
    spreadsheet would run as a formula. Plain numbers written as text ("-5")
    cannot be formulas and are left alone."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_cell(value: Any) -> str:
    if isinstance(value, TableLink):
        return _csv_text(value.text)
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, numbers.Real):
        # shortest round-trip digits, never scientific notation
        return np.format_float_positional(value, trim="-")
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _csv_text(str(value))


def table_to_csv(df: pd.DataFrame) -> str:
    """The table as RFC 4180 CSV (CRLF line ends, header row, no index).

    Numbers are written as numbers (negative ones stay numbers); text that a
    spreadsheet would treat as a formula (=, +, -, @, tab, CR) is prefixed with an
    apostrophe; missing values are empty; "*" stays "*".
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def csv_href(df: pd.DataFrame) -> str:
    """A data: URI downloading `table_to_csv(df)` (with a UTF-8 byte order mark)."""
    return CSV_DATA_URI_PREFIX + quote(_BOM + table_to_csv(df), safe="")


def shown_table(spec: ChartSpec) -> pd.DataFrame:
    """The table the card shows and the CSV holds: `spec.table`, plus a
    "Data status" column saying "Illustrative data" when the chart is illustrative
    and the table does not already say so, so a downloaded file never looks
    official."""
    table = spec.table
    if not spec.illustrative or table.empty:
        return table
    for column in table.columns:
        if "illustrative" in str(column).lower():
            return table
        values = table[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            if values.astype(str).str.contains("illustrative", case=False).any():
                return table
    table = table.copy()
    table[DATA_STATUS_COLUMN] = ILLUSTRATIVE_LABEL
    return table


_FORMATTED_NUMBER = re.compile(r"^[-+\u2212]?£?\d[\d,]*(?:\.\d+)?\s*(?:m|k|bn|%)?$")


def _is_numeric_column(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [v for v in values if not is_missing(v)]
    if not present:
        return False
    return all(
        _is_number(v)
        or is_suppressed(v)
        or (isinstance(v, str) and _FORMATTED_NUMBER.match(v.strip()) is not None)
        for v in present
    )


def _decimals_needed(values: pd.Series, cap: int = 3) -> int:
    needed = 0
    for v in values:
        if not _is_number(v) or is_missing(v) or isinstance(v, numbers.Integral):
            continue
        if not math.isfinite(float(v)):
            continue
        exponent = to_decimal(v).normalize().as_tuple().exponent
        needed = max(needed, min(cap, -exponent if isinstance(exponent, int) else 0))
    return needed


def _is_year_column(name: Any, values: pd.Series) -> bool:
    if "year" not in str(name).lower():
        return False
    present = [v for v in values if _is_number(v) and not is_missing(v)]
    return bool(present) and all(
        float(v).is_integer() and 1800 <= v <= 2200 for v in present
    )


def _cell_text(value: Any, *, decimals: int, year: bool) -> str:
    if _is_number(value):
        if year:
            return str(int(value))
        return number(value, decimals)
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


class StaticTable(Component):
    """A read-only HTML <table> drawn by one React component
    (assets/vru-components.js).

    Why not html.Table/Tr/Th/Td: each of those is a Dash component, and Dash's
    renderer re-checks every component of the page on every store update while the
    page loads. The chart tables made /violence and /compare hold 1,400 such
    components, which cost seconds of main-thread work (Lighthouse total blocking
    time 4 to 11 s); as one component each table costs next to nothing and the
    browser draws the same markup (see `accessible_table`).

    Props: `columns` [{"name", "numeric"}], `rows` (lists of cells: text, an
    index into `marks` for a missing or suppressed value, {"text", "href",
    "className", "external"?} for a `TableLink`, or {"badges": [{"text",
    "className", "dotClassName"}], "className"} for `TableBadges`),
    `rowClassNames` (optional, one per row), `rowHeaders` (first
    column as <th scope="row">), `marks` [{"shown", "spoken", "title"?}],
    `caption`, `captionId`, `id`, `className`.
    """

    _namespace = "vru_components"
    _type = "StaticTable"
    _children_props: list[str] = []
    _base_nodes: list[str] = []
    _prop_names = [
        "id",
        "className",
        "caption",
        "captionId",
        "columns",
        "rows",
        "rowHeaders",
        "rowClassNames",
        "marks",
    ]
    _valid_wildcard_attributes: list[str] = []
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []


class DeferredGraph(Component):
    """A <div> holding one dcc.Graph, which it mounts only once the text around it
    is painted, plotly.js has loaded and the graph before it has drawn
    (assets/vru-components.js).

    Why: a page's content arrives in one callback answer, and the browser drew it
    and every plotly chart in it (or plotly.js's own start-up and the first
    charts) in a single main-thread task: 200-250 ms on /compare, counted in
    Lighthouse's total blocking time, with nothing painted meanwhile. Wrapped,
    each chart draws in a task of its own after the page's text is on screen.
    Props: `children` (the dcc.Graph), `id`, `className`, `style`.
    """

    _namespace = "vru_components"
    _type = "DeferredGraph"
    _children_props: list[str] = []
    _base_nodes = ["children"]
    _prop_names = ["children", "id", "className", "style"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []


@dataclass(frozen=True)
class TableLink:
    """A table cell linking to another view of the app, e.g. a drill-down. Put it
    in a DataFrame given to `accessible_table`; it navigates like dcc.Link (no page
    reload) but costs no Dash component of its own."""

    text: str
    href: str  # within the app: starts with a single "/"; https:// when external
    class_name: str = ""
    external: bool = False  # another site (a source): an ordinary link

    def __post_init__(self) -> None:
        if self.external:
            if not self.href.startswith(("https://", "http://")):
                raise ValueError(f"an external link is http(s), got {self.href!r}")
        elif not self.href.startswith("/") or self.href.startswith("//"):
            raise ValueError(f"a table link stays within the app, got {self.href!r}")


@dataclass(frozen=True)
class TableBadges:
    """A table cell of badges in words, each with a coloured dot that is hidden
    from screen readers and never the only cue (e.g. RAG counts: "3 Green"). Put
    it in a DataFrame given to `accessible_table`; it costs no Dash component.
    `badges`: (text, class name, dot class name) each."""

    badges: tuple[tuple[str, str, str], ...]
    class_name: str = ""


# Cell codes in StaticTable rows (indexes into its `marks`).
MISSING_CELL = 0
SUPPRESSED_CELL = 1
_MARKS = [
    {"shown": DASH, "spoken": "no data"},
    {
        "shown": SUPPRESSED,
        "spoken": "suppressed",
        "title": "Suppressed under disclosure control",
    },
]


def accessible_table(
    df: pd.DataFrame,
    *,
    caption: str,
    table_id: str | None = None,
    column_formats: Mapping[str, Callable[[Any], str]] | None = None,
    suppression_note: str | None = None,
    row_headers: bool = True,
    class_name: str = "chart-table",
    row_class_names: Sequence[str] | None = None,
) -> html.Div:
    """An accessible HTML table of `df`, in a keyboard-scrollable region.

    <caption>, <th scope="col"> headers, the first (text) column as
    <th scope="row"> when `row_headers`, numeric columns right-aligned with
    tabular figures, missing values as an en dash (read as "no data"), suppressed
    values as "*" (read as "suppressed") followed by the suppression note,
    `TableLink` values as links, `TableBadges` as badges; `row_class_names`, one
    per row, style rows. The table itself is a `StaticTable`.
    """
    column_formats = dict(column_formats or {})
    columns = list(df.columns)
    years = {c: _is_year_column(c, df[c]) for c in columns}
    # years are labels: left-aligned, no thousands separator, may head a row
    numeric = {c: _is_numeric_column(df[c]) and not years[c] for c in columns}
    decimals = {c: _decimals_needed(df[c]) for c in columns}
    any_suppressed = False

    def cell(column: Any, value: Any) -> str | int | dict:
        nonlocal any_suppressed
        if isinstance(value, TableLink):
            link = {"text": value.text, "href": value.href}
            if value.external:
                link["external"] = True
            return {**link, "className": value.class_name}
        if isinstance(value, TableBadges):
            badges = [
                {"text": text, "className": name, "dotClassName": dot}
                for text, name, dot in value.badges
            ]
            return {"badges": badges, "className": value.class_name}
        if is_suppressed(value):
            any_suppressed = True
            return SUPPRESSED_CELL
        if is_missing(value):
            return MISSING_CELL
        if column in column_formats:
            return str(column_formats[column](value))
        return _cell_text(value, decimals=decimals[column], year=years[column])

    first_is_header = row_headers and bool(columns) and not numeric[columns[0]]
    rows = [
        [cell(c, v) for c, v in zip(columns, row, strict=True)]
        for row in df.itertuples(index=False, name=None)
    ]
    caption_id = f"{table_id}-caption" if table_id else None
    table_props: dict[str, Any] = {"id": table_id} if table_id else {}
    if caption_id:
        table_props["captionId"] = caption_id
    if row_class_names is not None:
        table_props["rowClassNames"] = [str(name) for name in row_class_names]
    table = StaticTable(
        caption=caption,
        columns=[{"name": str(c), "numeric": bool(numeric[c])} for c in columns],
        rows=rows,
        rowHeaders=first_is_header,
        marks=_MARKS,
        className=f"table table-sm {class_name}",
        **table_props,
    )
    region_props: dict[str, Any] = {"role": "region", "tabIndex": 0}
    if caption_id:
        region_props["aria-labelledby"] = caption_id
    else:
        region_props["aria-label"] = caption
    children: list[Any] = [
        html.Div(table, className="table-responsive", **region_props)
    ]
    if any_suppressed or suppression_note:
        note = suppression_note or DEFAULT_SUPPRESSION_NOTE
        if not note.lstrip().startswith(SUPPRESSED):
            note = f"{SUPPRESSED} {note}"
        children.append(html.P(note, className="small chart-table__note"))
    return html.Div(children, className="chart-table-wrapper")


# ---------------------------------------------------------------- card


def graph_config(chart_id: str) -> dict[str, Any]:
    """dcc.Graph config: a modebar with only the PNG export (3x scale), no logo."""
    return {
        "displaylogo": False,
        "displayModeBar": True,  # always shown, so keyboard users can reach it
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": chart_id},
        "responsive": True,
        "scrollZoom": False,
        "showTips": False,
    }


def _watermark_annotation(text: str) -> dict[str, Any]:
    return dict(
        name=WATERMARK_NAME,
        text=text,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        xanchor="center",
        yanchor="middle",
        showarrow=False,
        textangle=-20,
        opacity=0.2,
        font=dict(size=44, color=theme.DARK_GREY),
    )


def watermark(fig: go.Figure, text: str = ILLUSTRATIVE_LABEL) -> go.Figure:
    """Stamp a large, semi-transparent, centred "Illustrative data" on the figure,
    so an exported PNG carries the label too. Idempotent; returns `fig`."""
    for annotation in fig.layout.annotations or ():
        if annotation.name == WATERMARK_NAME:
            return fig
    fig.add_annotation(**_watermark_annotation(text))
    return fig


def _watermarked_json(figure: dict[str, Any]) -> dict[str, Any]:
    """`watermark` for a figure already turned into JSON (see chart_card)."""
    annotations = figure.setdefault("layout", {}).setdefault("annotations", [])
    if not any(a.get("name") == WATERMARK_NAME for a in annotations):
        annotations.append(_watermark_annotation(ILLUSTRATIVE_LABEL))
    return figure


def _heading(level: int, children: Any, **props: Any) -> Any:
    tags = {2: html.H2, 3: html.H3, 4: html.H4, 5: html.H5, 6: html.H6}
    if level not in tags:
        raise ValueError("heading_level must be 2 to 6 (a page has one h1)")
    return tags[level](children, **props)


def _illustrative_badge() -> html.P:
    return html.P(
        [
            html.Strong(
                ILLUSTRATIVE_LABEL,
                className="badge text-bg-warning chart-card__badge",
                title=ILLUSTRATIVE_EXPLANATION,
            ),
            html.Span(" " + ILLUSTRATIVE_EXPLANATION, className="visually-hidden"),
        ],
        className="chart-card__illustrative mb-2",
    )


def _figcaption(caption: str, source: str | None) -> html.Figcaption:
    caption = caption.strip()
    if source and caption and caption[-1] not in ".!?":
        caption += "."
    children: list[Any] = [caption]
    if source:
        children += [" ", html.Span(f"Source: {source}", className="chart-source")]
    return html.Figcaption(children, className="chart-card__caption small")


def _empty_message(message: str) -> html.P:
    return html.P(message, className="chart-card__empty alert alert-secondary")


def chart_card(spec: ChartSpec, *, heading_level: int = 2) -> html.Figure:
    """Render a ChartSpec as an accessible <figure> (see the module docstring)."""
    cid = spec.chart_id
    title_id = f"{cid}-title"
    summary_id = f"{cid}-summary"
    children: list[Any] = [
        _heading(heading_level, spec.title, id=title_id, className="chart-card__title")
    ]
    if spec.illustrative:
        children.append(_illustrative_badge())

    message = spec.message_if_empty
    figure_props: dict[str, Any] = {"aria-labelledby": title_id}
    if message is not None:
        children.append(_empty_message(message))
    else:
        # The figure as plain JSON: a copy (the page's figure is not changed) that
        # costs a tenth of go.Figure(spec.figure), which validates it all again.
        figure = spec.figure.to_plotly_json()
        if spec.illustrative:
            _watermarked_json(figure)
        # dcc.Graph is an empty div until its code and plotly.js have loaded and
        # drawn; holding the plot's height meanwhile stops the summary, table and
        # everything below from jumping down when it draws (a layout shift).
        height = figure["layout"].get("height") or PLOTLY_DEFAULT_HEIGHT
        children.append(
            DeferredGraph(
                children=dcc.Graph(
                    id=f"{cid}-graph",
                    figure=figure,
                    config=graph_config(cid),
                    className="chart-card__graph",
                ),
                className="chart-card__plot",
                style={"minHeight": f"{height}px"},
            )
        )
        if spec.summary:
            figure_props["aria-describedby"] = summary_id
            children.append(
                html.P(
                    [html.Span("Summary: ", className="visually-hidden"), spec.summary],
                    id=summary_id,
                    className="chart-card__summary",
                )
            )
        table = shown_table(spec)
        children.append(
            html.Details(
                [
                    html.Summary("View as table"),
                    accessible_table(
                        table,
                        caption=spec.title,
                        table_id=f"{cid}-table",
                        column_formats=spec.column_formats,
                        suppression_note=spec.suppression_note,
                    ),
                ],
                className="chart-card__table",
            )
        )
        children.append(
            html.P(
                html.A(
                    [
                        "Download CSV",
                        html.Span(f" of: {spec.title}", className="visually-hidden"),
                    ],
                    id=f"{cid}-csv",
                    href=csv_href(table),
                    download=spec.filename,
                    className="btn btn-outline-secondary btn-sm chart-card__csv",
                ),
                className="chart-card__downloads",
            )
        )
    children.append(_figcaption(spec.caption, spec.source))
    return html.Figure(children, className="chart-card", **figure_props)


def empty_card(
    title: str,
    message: str = DEFAULT_EMPTY_MESSAGE,
    *,
    caption: str | None = None,
    heading_level: int = 2,
    chart_id: str | None = None,
) -> html.Figure:
    """A card with a title and a clear message in place of a chart."""
    title_id = f"{chart_id}-title" if chart_id else None
    heading_props: dict[str, Any] = {"className": "chart-card__title"}
    if title_id:
        heading_props["id"] = title_id
    children: list[Any] = [
        _heading(heading_level, title, **heading_props),
        _empty_message(message),
    ]
    if caption:
        children.append(_figcaption(caption, None))
    props = {"aria-labelledby": title_id} if title_id else {}
    return html.Figure(children, className="chart-card chart-card--empty", **props)


# ---------------------------------------------------------------- figure helpers


def _numeric(values: Iterable[Any]) -> list[float | None]:
    """Floats, with missing and suppressed values as None (a gap in the plot)."""
    out: list[float | None] = []
    for v in values:
        if _is_number(v) and not is_missing(v):
            out.append(float(v))
        elif isinstance(v, str) and not is_suppressed(v) and not is_missing(v):
            try:
                out.append(float(to_decimal(v)))
            except ValueError:
                out.append(None)
        else:
            out.append(None)
    return out


def _default_formatter(values: Iterable[float | None]) -> Callable[[Any], str]:
    present = [v for v in values if v is not None]
    decimals = 0 if all(float(v).is_integer() for v in present) else 1
    return lambda v: number(v, decimals)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _x_values(values: pd.Series) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, pd.Period):
            v = str(v)
        out.append(v)
    return out


def _label_text(value: Any) -> str:
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _vertical_marker(
    fig: go.Figure,
    x: Any,
    label: str,
    *,
    kind: str,
    dash: str,
    colour: str,
    label_y: float,
) -> None:
    fig.add_shape(
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
    fig.add_annotation(
        name=f"{kind}: {label}",
        text=label,
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


def _finish(fig: go.Figure, *, height: int | None) -> go.Figure:
    # Every new figure already has the app's template (components.theme makes it
    # plotly's default); setting it again re-validates it all, about 6 ms a figure.
    if pio.templates.default != theme.TEMPLATE_NAME:
        fig.update_layout(template=theme.TEMPLATE_NAME)
    if height:
        fig.update_layout(height=height)
    _reserve_margins(fig)
    return fig


# Estimates at the template's fonts (13 px ticks, 14 px titles), in pixels.
_CHAR = 7.8  # an average character of a tick label
_TICK_SPACE = 18  # tick length, padding and the label's line height
_TITLE_SPACE = 26  # an axis title and its standoff
_TYPICAL_PLOT_WIDTH = 950  # a chart card on a desktop screen
_TEMPLATE_MARGIN = pio.templates[theme.TEMPLATE_NAME].layout.margin.to_plotly_json()


def _tick_texts(
    layout: dict, traces: list[dict], letter: str
) -> tuple[list[str], bool]:
    """The labels plotly will write on an axis, near enough to size a margin, and
    whether they are categories (else numbers)."""
    axis = layout.get(f"{letter}axis") or {}
    if axis.get("ticktext"):
        return [re.sub(r"<[^>]+>", "", str(t)) for t in axis["ticktext"]], True
    values = [
        v
        for trace in traces
        if trace.get("type", "scatter") in ("bar", "scatter")
        and trace.get(letter) is not None
        for v in trace[letter]
        if v is not None
    ]
    texts = [v for v in values if isinstance(v, str)]
    if texts or axis.get("type") == "category":
        return [str(v) for v in dict.fromkeys(values)], True
    figures = [float(v) for v in values if isinstance(v, numbers.Number)]
    figures += [float(v) for v in axis.get("range") or () if v is not None]
    figures = [v for v in figures if math.isfinite(v)]
    if not figures:
        return [], False
    # auto ticks are round numbers within the data's range, written with commas
    top = max(abs(v) for v in figures)
    text = f"{top:,.0f}" if top >= 10 else f"{top:.1f}"
    return [("-" if min(figures) < 0 else "") + text], False


def _title_text(axis: dict) -> str | None:
    title = axis.get("title")
    return title.get("text") if isinstance(title, dict) else title


def _reserve_margins(fig: go.Figure) -> None:
    """Start the left and bottom margins at what the axis labels need.

    With automargin plotly lays a figure out, measures its labels and, when they
    need more room than the margins give, lays it all out again: in the browser
    that second pass was half of drawing each chart. Margins set here to (a
    little more than) what the labels need leave automargin nothing to add; it
    stays on, so a label wider than estimated still fits, at the old cost."""
    # Read from the figure's own plain data, not through plotly's property
    # objects: those made this 3.6 ms a figure on the uncached path (now ~0.3).
    layout, traces = fig._layout, fig._data  # noqa: SLF001 - read only
    x_axis, y_axis = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    if x_axis.get("visible") is False or y_axis.get("visible") is False:
        return
    y_texts, _ = _tick_texts(layout, traces, "y")
    left = max((len(t) for t in y_texts), default=0) * _CHAR + _TICK_SPACE
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
    margin = {**_TEMPLATE_MARGIN, **(layout.get("margin") or {})}
    fig.layout.margin.update(
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
) -> go.Figure:
    """Horizontal bars ranked highest at the top, with confidence intervals.

    With `category_col`, each significance category (better / similar / worse /
    higher / lower / not compared; see theme.SIGNIFICANCE) gets its own colour,
    fill pattern and legend entry, and every bar's text label carries the
    category word ("52.1 Worse"), so colour is never the only cue. `benchmark`
    draws a labelled dashed vertical line. `highlight` shows one label in bold.
    Rows with no value stay on the axis, marked "No value shown".
    """
    data = df.copy()
    data["_value"] = _numeric(data[value])
    data["_lower"] = _numeric(data[lower]) if lower else None
    data["_upper"] = _numeric(data[upper]) if upper else None
    fmt = value_formatter or _default_formatter(data["_value"].dropna())
    if category_col:
        data["_category"] = [theme.significance_key(c) for c in data[category_col]]
    present = data[data["_value"].notna()].sort_values("_value", kind="stable")
    missing = data[data["_value"].isna()]
    # plotly draws the first category at the bottom: missing rows, then ascending
    category_array = [str(v) for v in missing[label]] + [str(v) for v in present[label]]

    def add_bars(
        part: pd.DataFrame,
        name: str,
        colour: str,
        pattern: str,
        word: str,
        text_colour: str,
        showlegend: bool,
    ) -> None:
        vals = part["_value"].tolist()
        texts = [f"{fmt(v)} {word}".strip() for v in vals]
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
                    None if pd.isna(h) else h - v
                    for h, v in zip(part["_upper"], vals, strict=True)
                ],
                arrayminus=[
                    None if pd.isna(lo) else v - lo
                    for lo, v in zip(part["_lower"], vals, strict=True)
                ],
                color=theme.TEXT,
                thickness=1.5,
                width=5,
            )
        fig.add_trace(
            go.Bar(
                orientation="h",
                x=vals,
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
        his = part["_upper"].tolist()
        for lab, v, hi, text in zip(part[label], vals, his, texts, strict=True):
            bar_labels.append((v if is_missing(hi) else max(v, hi), str(lab), text))

    fig = go.Figure()
    # Collected and set once: each fig.add_annotation re-validates every annotation
    # already there, which made 43 labels cost half a second per figure.
    annotations: list[dict] = []
    # (x, bar, text): each bar's "52.1 Worse" label, just right of its CI
    bar_labels: list[tuple[float, str, str]] = []
    if category_col:
        for key in theme.SIGNIFICANCE_ORDER:
            part = present[present["_category"] == key]
            if part.empty:
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
        fig.add_trace(
            go.Scatter(
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
    for lab in missing[label]:
        annotations.append(
            dict(
                x=0,
                y=str(lab),
                xref="x",
                yref="y",
                text="No value shown",
                xanchor="left",
                showarrow=False,
                font=dict(size=12, color=theme.SECONDARY_TEXT),
            )
        )
    fig.update_layout(annotations=annotations)

    if benchmark is not None and not is_missing(benchmark):
        text = f"{benchmark_label or 'Benchmark'}: {fmt(benchmark)}"
        fig.add_shape(
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
        fig.add_annotation(
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
    fig.update_yaxes(
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
        for v in present[column].tolist()
        if not is_missing(v)
    ]
    if benchmark is not None and not is_missing(benchmark):
        extents.append(float(benchmark))
    if extents:
        lo, hi = min(0.0, *extents), max(0.0, *extents)
        span = (hi - lo) or 1.0
        # room on the right for the "52.1 Worse" labels
        fig.update_xaxes(range=[lo - (0.02 * span if lo < 0 else 0), hi + 0.22 * span])
    fig.update_layout(
        barmode="overlay",
        xaxis_title=value_title or value,
        xaxis_tickformat=",",
        showlegend=bool(category_col),
        legend=_TOP_LEGEND,
        margin=dict(t=80),
    )
    n = len(category_array)
    return _finish(fig, height=height or max(280, 28 * n + 140))


FUNNEL_BANDS: dict[str, tuple[str, str, str]] = {
    # key: (legend label, marker symbol, colour)
    "above_998": ("Above 99.8% limit", "triangle-up", theme.DARK_BLUE),
    "above_95": ("Above 95% limit", "triangle-up-open", theme.DARK_BLUE),
    "within": ("Within 95% limits", "circle", theme.DARK_GREY),
    "below_95": ("Below 95% limit", "triangle-down-open", theme.PLUM),
    "below_998": ("Below 99.8% limit", "triangle-down", theme.PLUM),
}
FUNNEL_LIMIT_COLUMNS = ("lower_95", "upper_95", "lower_998", "upper_998")


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
) -> go.Figure:
    """A funnel plot: each area's value against its size (e.g. population).

    `limits_df` holds the control limits along the x axis: a column named like
    `x` (or "x") and "lower_95", "upper_95", "lower_998", "upper_998". Points are
    placed in bands by the limits at their own x (interpolated); each band has
    its own marker symbol (filled / open triangles up and down, circles) and
    points outside the 99.8% limits are labelled. The 95% limits are dashed, the
    99.8% limits dotted, the benchmark solid. `reference_limits_df` (same
    columns), when given, adds its 99.8% limits as thin light lines named
    `reference_label` (e.g. the limits before an overdispersion adjustment);
    the bands are still judged against `limits_df`, whose lines are named
    "95% <limits_name>" and "99.8% <limits_name>".
    """
    limits = limits_df.copy()
    lx = x if x in limits.columns else "x"
    missing_cols = [c for c in (lx, *FUNNEL_LIMIT_COLUMNS) if c not in limits.columns]
    if missing_cols:
        raise ValueError(f"limits_df lacks columns: {missing_cols}")
    limits = limits.sort_values(lx)
    lxs = limits[lx].astype(float).to_numpy()

    data = df.copy()
    data["_x"] = _numeric(data[x])
    data["_y"] = _numeric(data[y])
    data = data[data["_x"].notna() & data["_y"].notna()]
    fmt = value_formatter or _default_formatter(data["_y"])

    def at(column: str, xs: pd.Series) -> np.ndarray:
        return np.interp(xs.astype(float), lxs, limits[column].astype(float))

    bounds = {c: at(c, data["_x"]) for c in FUNNEL_LIMIT_COLUMNS}
    data["_band"] = [
        _funnel_band(v, lo95, hi95, lo998, hi998)
        for v, lo95, hi95, lo998, hi998 in zip(
            data["_y"],
            bounds["lower_95"],
            bounds["upper_95"],
            bounds["lower_998"],
            bounds["upper_998"],
            strict=True,
        )
    ]

    fig = go.Figure()
    line_x = [*lxs.tolist(), None, *lxs.tolist()]
    if reference_limits_df is not None and not reference_limits_df.empty:
        reference = reference_limits_df.sort_values(lx)
        rxs = reference[lx].astype(float).tolist()
        fig.add_trace(
            go.Scatter(
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
        fig.add_trace(
            go.Scatter(
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
    fig.add_trace(
        go.Scatter(
            x=[lxs.min(), lxs.max()] if len(lxs) else [],
            y=[benchmark, benchmark] if len(lxs) else [],
            mode="lines",
            name=f"{benchmark_label} ({fmt(benchmark)})",
            line=dict(color=theme.TEXT, width=2, dash="solid"),
            hoverinfo="skip",
            meta={"role": "benchmark"},
        )
    )
    for key, (name, symbol, colour) in FUNNEL_BANDS.items():
        part = data[data["_band"] == key]
        if part.empty:
            continue
        labelled = key.endswith("998")
        fig.add_trace(
            go.Scatter(
                x=part["_x"],
                y=part["_y"],
                mode="markers+text" if labelled else "markers",
                text=[str(v) for v in part[label]] if labelled else None,
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
                    for lab, v in zip(part[label], part["_y"], strict=True)
                ],
                hoverinfo="text",
                cliponaxis=False,
                meta={"role": "band"},
            )
        )
    fig.update_layout(
        xaxis_title=x_title or x, yaxis_title=y_title or y, xaxis_tickformat=","
    )
    return _finish(fig, height=height)


def _bar_extent(
    df: pd.DataFrame, value_col: str, cat_col: str, *, stacked: bool
) -> tuple[float, float]:
    values = pd.Series(_numeric(df[value_col]), index=df.index, dtype=float)
    if values.dropna().empty:
        return 0.0, 0.0
    if stacked:
        keys = df[cat_col].astype(str)
        high = values.clip(lower=0).groupby(keys).sum().max()
        low = values.clip(upper=0).groupby(keys).sum().min()
    else:
        high, low = values.max(), values.min()
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
) -> go.Figure:
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
    values_all = _numeric(df[value_col])
    fmt = value_formatter or _default_formatter(values_all)
    if color is None:
        groups: list[tuple[Any, pd.DataFrame]] = [(value_col, df)]
    else:
        order = list(color_order) if color_order is not None else None
        if order is None:
            order = list(dict.fromkeys(df[color].tolist()))
        groups = [(name, df[df[color] == name]) for name in order]

    fig = go.Figure()
    for i, (name, part) in enumerate(groups):
        if part.empty and color is not None:
            continue  # keeps its place in the order, so the others keep their style
        style = theme.series_style(i)
        values = _numeric(part[value_col])
        cats = [_label_text(c) for c in part[cat_col]]
        text_colour = (
            theme.TEXT if style.colour in {theme.ORANGE, theme.PLUM} else theme.WHITE
        )
        fig.add_trace(
            go.Bar(
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
                text=[fmt(v) if v is not None else "" for v in values],
                textposition="auto",
                textfont=dict(color=text_colour),
                outsidetextfont=dict(color=theme.TEXT),
                hovertext=[
                    f"{name}<br>{c}: {fmt(v)}" if color else f"{c}: {fmt(v)}"
                    for c, v in zip(cats, values, strict=True)
                ],
                hoverinfo="text",
                meta={"role": "series"},
            )
        )
    cat_axis = dict(type="category")
    if category_order is not None:
        cat_axis.update(
            categoryorder="array", categoryarray=[str(c) for c in category_order]
        )
    if orientation == "v":
        fig.update_xaxes(**cat_axis, showgrid=False)
    else:
        fig.update_yaxes(**cat_axis, showgrid=False, autorange="reversed")
        fig.update_xaxes(tickformat=",")
    if value_formatter is not None:
        # Value-axis ticks in the same words as the labels ("£1.5m", not "1.5M").
        lo, hi = _bar_extent(df, value_col, cat_col, stacked=barmode != "group")
        ticks = _nice_ticks(lo, hi)
        if ticks:
            axis = fig.update_yaxes if orientation == "v" else fig.update_xaxes
            axis(
                tickmode="array",
                tickvals=ticks,
                ticktext=[value_formatter(t) for t in ticks],
            )
    fig.update_layout(
        barmode=barmode,
        xaxis_title=x_title if x_title is not None else x,
        yaxis_title=y_title if y_title is not None else y,
        showlegend=color is not None,
        uniformtext=dict(minsize=10, mode="hide"),
    )
    return _finish(fig, height=height)


SPINE_KEYS = ("measure", "value", "benchmark", "min", "q25", "q75", "max")


def spine_figure(
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    benchmark_label: str = "England and Wales",
    value_formatter: Callable[[Any], str] | None = None,
    height: int | None = None,
) -> go.Figure:
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

    fig = go.Figure()
    for bars, name, colour in (
        (range_bars, "Range across areas", theme.LIGHT_GREY),
        (iqr_bars, "25th to 75th percentile", theme.MID_GREY),
    ):
        if not bars:
            continue
        fig.add_trace(
            go.Bar(
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
        fig.add_trace(
            go.Scatter(
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
        fig.add_annotation(
            x=0.5,
            y=measure,
            xref="x",
            yref="y",
            text="No value",
            showarrow=False,
            bgcolor=theme.WHITE,
            font=dict(size=12, color=theme.SECONDARY_TEXT),
        )
    fig.add_shape(
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
    fig.add_annotation(
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
    fig.update_xaxes(
        range=[-0.03, 1.03],
        tickmode="array",
        tickvals=[0, 1],
        ticktext=["Worst or lowest", "Best or highest"],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=measures,
        autorange="reversed",
        showgrid=False,
        fixedrange=True,
    )
    fig.update_layout(barmode="overlay", margin=dict(t=80), legend=_TOP_LEGEND)
    return _finish(fig, height=height or max(260, 40 * len(measures) + 150))


# ---------------------------------------------------------------- text summaries


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _series_sentence(
    xs: Sequence[Any],
    ys: Sequence[float | None],
    label: str,
    unit: str,
    fmt: Callable[[Any], str],
) -> str:
    points = [(xv, yv) for xv, yv in zip(xs, ys, strict=True) if yv is not None]

    def val(v: float) -> str:
        return f"{fmt(v)} {unit}".strip()

    if not points:
        return f"There are no data for {_lower_first(label)}."
    (p0, v0), (p1, v1) = points[0], points[-1]
    p0, p1 = _label_text(p0), _label_text(p1)
    if len(points) == 1:
        return f"{label} was {val(v0)} in {p0}."
    if fmt(v0) == fmt(v1):
        sentence = f"{label} was {val(v1)} in both {p0} and {p1}"
    else:
        verb = "rose" if v1 > v0 else "fell"
        sentence = f"{label} {verb} from {val(v0)} in {p0} to {val(v1)} in {p1}"
        if v0 > 0:
            change = (v1 - v0) / v0 * 100
            word = "increase" if change > 0 else "decrease"
            pct = percent(abs(change), 0)
            if pct == "0%":
                sentence += f", an {word} of less than 1%"
            else:
                sentence += f", a {pct} {word}"
    sentence += f"; the latest is {p1}."
    if len(points) >= 3:
        values = [v for _, v in points]
        i_max = max(range(len(values)), key=values.__getitem__)
        i_min = min(range(len(values)), key=values.__getitem__)
        extra = []
        if 0 < i_max < len(values) - 1:
            extra.append(
                f"the highest was {val(values[i_max])} in "
                f"{_label_text(points[i_max][0])}"
            )
        if 0 < i_min < len(values) - 1:
            extra.append(
                f"the lowest was {val(values[i_min])} in "
                f"{_label_text(points[i_min][0])}"
            )
        if extra:
            text = " and ".join(extra)
            sentence += f" {text[0].upper()}{text[1:]}."
    return sentence


def summary_for_series(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    unit: str = "",
    series: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
) -> str:
    """A plain-English summary of one or more time series, from the chart's data.

    >>> summary_for_series(df, x="Year", y="Offences",
    ...     label="Knife offences in Avon and Somerset")
    'Knife offences in Avon and Somerset rose from 1,040 in 2016/17 to 1,234 in
    2020/21, a 19% increase; the latest is 2020/21.'

    Rows must be in time order. Missing and suppressed values are skipped. With
    `series`, one sentence per series; put "{series}" in `label` to name it
    ("Knife offences in {series}"), otherwise the series name prefixes `label`.
    `unit` follows each value ("per 100,000 population").
    """
    all_y = _numeric(df[y]) if not df.empty else []
    fmt = value_formatter or _default_formatter(all_y)
    if series is None:
        return _series_sentence(_x_values(df[x]), _numeric(df[y]), label, unit, fmt)
    sentences = []
    for name in dict.fromkeys(df[series].tolist()):
        part = df[df[series] == name]
        text = (
            label.replace("{series}", str(name))
            if "{series}" in label
            else (f"{name}: {_lower_first(label)}")
        )
        sentences.append(
            _series_sentence(_x_values(part[x]), _numeric(part[y]), text, unit, fmt)
        )
    if not sentences:
        return "There are no data to summarise."
    return " ".join(sentences)


def summary_for_ranking(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    measure: str,
    category_col: str | None = None,
    unit: str = "",
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
    noun: str = "areas",
) -> str:
    """A plain-English summary of a ranked comparison, from the chart's data.

    e.g. "Knife crime rate: of 43 areas, Merseyside was highest at 123.4 per
    100,000 and Dyfed-Powys lowest at 20.1 per 100,000. Compared with England
    and Wales (55.0 per 100,000): 8 better, 30 similar, 5 worse."
    """
    values = _numeric(df[value]) if not df.empty else []
    fmt = value_formatter or _default_formatter(values)

    def val(v: Any) -> str:
        return f"{fmt(v)} {unit}".strip()

    labels = [str(v) for v in df[label]] if not df.empty else []
    present = [(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None]
    if not present:
        return f"{measure}: there are no values to compare."
    top = max(present, key=lambda p: p[1])
    bottom = min(present, key=lambda p: p[1])
    n = len(present)
    if n == 1:
        text = f"{measure}: {top[0]} was {val(top[1])}."
    else:
        text = (
            f"{measure}: of {n} {noun}, {top[0]} was highest at {val(top[1])} "
            f"and {bottom[0]} lowest at {val(bottom[1])}."
        )
    if benchmark is not None and not is_missing(benchmark):
        against = (
            f"Compared with {benchmark_label or 'the benchmark'} ({val(benchmark)})"
        )
        if category_col:
            keys = [
                theme.significance_key(c)
                for c, v in zip(df[category_col], values, strict=True)
                if v is not None
            ]
            counts = [
                f"{keys.count(k)} {theme.SIGNIFICANCE[k].label.lower()}"
                for k in theme.SIGNIFICANCE_ORDER
                if keys.count(k)
            ]
            text += f" {against}: {', '.join(counts)}."
        else:
            higher = sum(1 for _, v in present if v > benchmark)
            text += f" {against}, {higher} of {n} {noun} were higher."
    gaps = len(labels) - n
    if gaps:
        text += f" {gaps} {noun if gaps != 1 else noun.rstrip('s')} had no value shown."
    return text
