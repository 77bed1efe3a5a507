"""The one chart component every page uses.

A page builds a `ChartSpec` (figure, the table of exactly what is shown, a text
summary from the same data) and renders it with `chart_card(spec)`. The card gives
every chart the same accessible furniture (DESIGN.md, "Pages"):

- the title, a sentence stating the finding, as a heading;
- the plot, drawn on the server as SVG (components.figure_svg) and shown at
  once, with no JavaScript chart library; "Interactive chart" swaps in the
  plotly graph (hover details, zoom, a modebar with a PNG export), loading
  plotly.js only then, and "Download PNG" saves the SVG as a PNG at 3x
  (assets/vru-components.js SvgFirstGraph);
- an "Illustrative data" badge, and a watermark inside the plot so exported PNGs
  and prints carry it too, when the data are illustrative;
- a short text summary, visible to everyone and read by screen readers;
- "View as table" (a native <details>, so it works from the keyboard with no
  callback) holding an accessible <table> (components.chart_tables);
- "Download CSV" as a data: URI of that same table (no server round trip), with
  spreadsheet formula injection neutralised;
- a <figcaption> with measure, area, period and source.

Empty data never gives a blank plot: set `empty_message` (or pass an empty figure
or table) and the card shows the message instead.

Ids derived from `chart_id` (e.g. "violence-trend"): "<id>-title", "<id>-plot"
(the SVG's box), "<id>-graph" (the plotly graph, once asked for),
"<id>-summary", "<id>-table", "<id>-csv". Keep page callback ids clear of them.

The figure builders are components.trend_figure, bar_figures and
benchmark_figures (on components.figure_layout), which make figures as plain
data (`{"data": [...], "layout": {...}}`); the text summaries
components.chart_text. This module is pure presentation: it takes tidy DataFrames
and plain values and never queries the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dash import dcc, html

from components import theme
from components.chart_tables import (
    AppComponent,
    TableColumns,
    accessible_table,
    csv_href_of,
    table_columns,
)
from components.figure_svg import figure_svg
from components.figure_svg.symbols import OutlineSymbols

ILLUSTRATIVE_LABEL = "Illustrative data"
ILLUSTRATIVE_EXPLANATION = (
    "These figures are generated for demonstration because nothing is published "
    "for them. They are not official statistics and must not be quoted."
)
DEFAULT_EMPTY_MESSAGE = "There are no data for this selection."
DATA_STATUS_COLUMN = "Data status"
_ILLUSTRATIVE = re.compile("illustrative", re.IGNORECASE)
WATERMARK_NAME = "illustrative-watermark"

PLOTLY_DEFAULT_HEIGHT = 450  # px, plotly.js's layout.height when a figure sets none
# The width the server draws a chart's SVG at, unless its layout sets one: a
# full-width card's plot on a desktop screen (Bootstrap's container at 1200 px
# and over, less its padding), where the SVG is then shown at its own size, its
# text as large as plotly's. Narrower, it scales down with the page.
SVG_WIDTH = 1116

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
    figure: dict[str, Any] | None = None  # plain data, as the builders make it
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
    # The plot's least width in px: on a narrower screen (a phone) the plot keeps
    # it and scrolls sideways within its own box (keyboard-focusable, labelled),
    # for charts whose long labels would leave the marks no room.
    min_width: int | None = None
    # For a chart whose every figure is already in a table on the same page (the
    # /compare map beside its ranked table): a sentence linking to that table and
    # its CSV, shown instead of this card's own "View as table" and "Download
    # CSV", so the answer does not carry the same table twice. `table` is then
    # left empty.
    table_elsewhere: Any = None
    # For a map whose figure names its outlines by URL (components.area_map:
    # the browser fills them into plotly's traces): where the server's SVG finds
    # them, either the outlines themselves ({area code: {"x": [...], "y": [...]}})
    # or, as /compare passes, the long-cached symbol file that holds them
    # (figure_svg.symbols.OutlineSymbols), so the answer does not carry them.
    # Without either such a map is drawn by plotly.js as the page loads.
    outlines: Mapping[str, Mapping[str, list]] | OutlineSymbols | None = None
    # The width the SVG is drawn at: the plot's width on a desktop screen, less
    # than SVG_WIDTH for a chart in a column (the /compare map).
    svg_width: int = SVG_WIDTH

    def __post_init__(self) -> None:
        if not isinstance(self.chart_id, str) or not _CHART_ID.match(self.chart_id):
            raise ValueError(
                f"chart_id must be lower-case words joined by hyphens, "
                f"got {self.chart_id!r}"
            )
        if not self.title or not str(self.title).strip():
            raise ValueError("a chart needs a title stating its finding")
        if hasattr(self.figure, "to_plotly_json"):  # a plotly go.Figure
            object.__setattr__(self, "figure", self.figure.to_plotly_json())
        elif self.figure is not None and not isinstance(self.figure, dict):
            raise TypeError("figure must be a plain figure dict, a go.Figure or None")
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
        if self.figure is None or not self.figure.get("data"):
            return DEFAULT_EMPTY_MESSAGE
        if self.table.empty and self.table_elsewhere is None:
            return DEFAULT_EMPTY_MESSAGE
        return None


def shown_table(spec: ChartSpec) -> pd.DataFrame:
    """The table the card shows and the CSV holds: `spec.table`, plus a
    "Data status" column saying "Illustrative data" when the chart is illustrative
    and the table does not already say so, so a downloaded file never looks
    official."""
    if not _needs_status_column(spec, table_columns(spec.table)):
        return spec.table
    table = spec.table.copy()
    table[DATA_STATUS_COLUMN] = ILLUSTRATIVE_LABEL
    return table


def _shown_columns(spec: ChartSpec) -> TableColumns:
    """`shown_table(spec)` taken apart for the card's table and CSV, the status
    column added to the plain lists rather than to a copy of the frame."""
    table = table_columns(spec.table)
    if _needs_status_column(spec, table):
        table = table.with_text_column(DATA_STATUS_COLUMN, ILLUSTRATIVE_LABEL)
    return table


def _needs_status_column(spec: ChartSpec, table: TableColumns) -> bool:
    """Whether an illustrative table lacks a column or text saying so."""
    if not spec.illustrative or spec.table.empty:
        return False
    for name, dtype, values in zip(
        table.names, table.dtypes, table.listed, strict=True
    ):
        if "illustrative" in str(name).lower():
            return False
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            # the search pandas' str.contains(case=False) makes, without its
            # string-array round trip (a few ms a table): one search of the
            # cells' texts joined by line breaks, which no match can span
            if _ILLUSTRATIVE.search("\n".join(map(str, values))):
                return False
    return True


class SvgFirstGraph(AppComponent):
    """A chart card's plot: the server-drawn SVG at once, and its dcc.Graph
    child mounted in the SVG's place only when the visitor asks for the
    interactive chart (assets/vru-components.js).

    Why: evaluating plotly.js and drawing every chart with it was most of a chart
    page's main-thread blocking (Lighthouse total blocking time 240-480 ms, the
    pages without charts 0-31 ms), for charts that most visitors only look at.
    The SVG needs no script to draw, prints and exports as shown; plotly.js is
    loaded for hover details and zoom, when wanted.
    Props: `svg` (markup from components.figure_svg; empty: the graph is
    mounted at once), `children` (the dcc.Graph), `id`, `className`, `style`,
    `label` (the chart's title, naming its buttons), `filename` (of the PNG,
    without ".png").
    """

    _namespace = "vru_components"
    _type = "SvgFirstGraph"
    _children_props: list[str] = []
    _base_nodes = ["children"]
    _prop_names = ["children", "id", "className", "style", "svg", "label", "filename"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []


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


def watermark(fig: dict[str, Any], text: str = ILLUSTRATIVE_LABEL) -> dict[str, Any]:
    """Stamp a large, semi-transparent, centred "Illustrative data" on the figure,
    so an exported PNG carries the label too. Idempotent; returns `fig`."""
    annotations = fig.setdefault("layout", {}).setdefault("annotations", [])
    if not any(a.get("name") == WATERMARK_NAME for a in annotations):
        annotations.append(_watermark_annotation(text))
    return fig


def _watermarked(figure: dict[str, Any]) -> dict[str, Any]:
    """`watermark` on a copy, leaving the page's figure as it was."""
    layout = dict(figure.get("layout") or {})
    layout["annotations"] = list(layout.get("annotations") or ())
    return watermark({**figure, "layout": layout})


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
        figure = spec.figure
        if spec.illustrative:
            figure = _watermarked(figure)
        plot = _plot(spec, figure)
        if spec.min_width:
            # A scrolling box takes the keyboard (arrow keys scroll it) and says
            # what it holds (WCAG 2.1.1; axe's scrollable-region-focusable).
            plot = html.Div(
                plot,
                className="chart-card__scroll",
                tabIndex="0",
                role="region",
                **{"aria-label": f"Chart: {spec.title} (scrolls sideways)"},
            )
            children.append(
                html.P(
                    "Scroll the chart sideways to see all of it.",
                    className="chart-card__scroll-hint",
                )
            )
        children.append(plot)
        if spec.summary:
            figure_props["aria-describedby"] = summary_id
            children.append(
                html.P(
                    [html.Span("Summary: ", className="visually-hidden"), spec.summary],
                    id=summary_id,
                    className="chart-card__summary",
                )
            )
        if spec.table_elsewhere is not None:
            children.append(
                html.P(spec.table_elsewhere, className="chart-card__table-elsewhere")
            )
        else:
            children += _table_and_csv(spec)
    children.append(_figcaption(spec.caption, spec.source))
    return html.Figure(children, className="chart-card", **figure_props)


def _plot(spec: ChartSpec, figure: dict[str, Any]) -> SvgFirstGraph:
    """The card's plot: the SVG of `figure`, and the plotly graph of the same
    figure for when the visitor asks for it."""
    cid = spec.chart_id
    svg = _svg(spec, figure)
    style: dict[str, str] = {}
    if not svg:
        # dcc.Graph is an empty div until plotly.js has loaded and drawn;
        # holding the plot's height meanwhile stops the summary, table and
        # everything below from jumping down when it draws (a layout shift).
        height = figure["layout"].get("height") or PLOTLY_DEFAULT_HEIGHT
        style["minHeight"] = f"{height}px"
    if spec.min_width:
        style["minWidth"] = f"{spec.min_width}px"
    return SvgFirstGraph(
        svg=svg,
        children=dcc.Graph(
            id=f"{cid}-graph",
            figure=figure,
            config=graph_config(cid),
            className="chart-card__graph",
        ),
        id=f"{cid}-plot",
        className="chart-card__plot",
        style=style,
        label=spec.title,
        filename=cid,
    )


def _svg(spec: ChartSpec, figure: dict[str, Any]) -> str:
    """The figure as SVG markup drawn at the card's width, or "" for a map
    whose outlines the page did not pass (plotly.js draws it, as before)."""
    outlines_url = (figure["layout"].get("meta") or {}).get("outlines")
    if outlines_url and spec.outlines is None:
        return ""
    if not figure["layout"].get("width"):
        figure = {**figure, "layout": {**figure["layout"], "width": spec.svg_width}}
    return figure_svg(
        figure,
        title=spec.title,
        desc=spec.summary,
        id_prefix=spec.chart_id,
        outlines=spec.outlines,
    )


def _table_and_csv(spec: ChartSpec) -> list[Any]:
    """The card's "View as table" and "Download CSV"."""
    cid = spec.chart_id
    # taken apart once, for both the table and the CSV
    table = _shown_columns(spec)
    return [
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
        ),
        html.P(
            html.A(
                [
                    "Download CSV",
                    html.Span(f" of: {spec.title}", className="visually-hidden"),
                ],
                id=f"{cid}-csv",
                href=csv_href_of(table),
                download=spec.filename,
                className="btn btn-outline-secondary btn-sm chart-card__csv",
            ),
            className="chart-card__downloads",
        ),
    ]


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
