"""The shared chart card and figure builders, called as plain functions.

The card is walked as a component tree: no browser needed.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.utils
import pytest
from dash import dcc, html
from dash.development.base_component import Component

from components import theme
from components.bar_figures import bar_figure, ranked_bar_figure
from components.benchmark_figures import funnel_figure, spine_figure
from components.chart import (
    DATA_STATUS_COLUMN,
    DEFAULT_EMPTY_MESSAGE,
    ILLUSTRATIVE_LABEL,
    SVG_WIDTH,
    WATERMARK_NAME,
    ChartSpec,
    SvgFirstGraph,
    chart_card,
    empty_card,
    graph_config,
    shown_table,
    watermark,
)
from components.chart_tables import (
    CSV_DATA_URI_PREFIX,
    StaticTable,
    TableLink,
    accessible_table,
    csv_href,
    table_to_csv,
)
from components.chart_text import summary_for_ranking, summary_for_series
from components.trend_figure import trend_figure
from tests.components.plotly_view import through_plotly

bar_figure = through_plotly(bar_figure)
ranked_bar_figure = through_plotly(ranked_bar_figure)
funnel_figure = through_plotly(funnel_figure)
spine_figure = through_plotly(spine_figure)
trend_figure = through_plotly(trend_figure)

# Every module of the components layer (the chart component is several modules).
COMPONENT_FILES = sorted(
    path.name
    for path in (Path(__file__).resolve().parents[2] / "components").glob("*.py")
)

SVG_NS = "{http://www.w3.org/2000/svg}"

# --------------------------------------------------------------------------- helpers


def walk(node):
    """Every component in the tree, depth first."""
    if isinstance(node, Component):
        yield node
        yield from walk(getattr(node, "children", None))
    elif isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)


def find(node, kind):
    return [c for c in walk(node) if isinstance(c, kind)]


def text_of(node) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(text_of(c) for c in node)
    return text_of(getattr(node, "children", None))


def visible_text(node) -> str:
    """Text without visually hidden helper spans."""
    if isinstance(node, list | tuple):
        return "".join(visible_text(c) for c in node)
    if isinstance(node, Component):
        if "visually-hidden" in (getattr(node, "className", None) or ""):
            return ""
        return visible_text(getattr(node, "children", None))
    return "" if node is None else str(node)


def table_cells(table: StaticTable) -> list[list[dict]]:
    """The body cells of a StaticTable as the browser draws them
    (assets/vru-components.js): tag, scope, right-aligned, visible text, the
    visually hidden word, the title and the link."""
    rows = []
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            header = i == 0 and table.rowHeaders
            cell = {
                "tag": "th" if header else "td",
                "scope": "row" if header else None,
                "right": table.columns[i]["numeric"],
                "text": value,
                "hidden": None,
                "title": None,
                "href": None,
            }
            if isinstance(value, int):
                mark = table.marks[value]
                cell.update(
                    text=mark["shown"], hidden=mark["spoken"], title=mark.get("title")
                )
            elif isinstance(value, dict):
                cell.update(text=value["text"], href=value["href"])
            cells.append(cell)
        rows.append(cells)
    return rows


def as_number(text: str) -> float:
    return float(text.replace(",", "").replace("£", ""))


def legend_traces(fig: go.Figure):
    roles = {"series", "category", "band", "limit", "benchmark"}
    return [t for t in fig.data if (t.meta or {}).get("role") in roles]


def style_key(trace):
    marker = getattr(trace, "marker", None)
    line = getattr(trace, "line", None)
    pattern = getattr(marker, "pattern", None) if marker is not None else None
    return (
        trace.type,
        getattr(marker, "symbol", None) if trace.type == "scatter" else None,
        getattr(line, "dash", None) if trace.type == "scatter" else None,
        getattr(pattern, "shape", None) if trace.type == "bar" else None,
    )


def assert_not_colour_alone(traces):
    """Each legend entry differs from every other in symbol, dash or pattern."""
    keys = [style_key(t) for t in traces]
    assert len(keys) >= 2
    assert len(set(keys)) == len(keys), keys


# --------------------------------------------------------------------------- data


@pytest.fixture
def trend_df():
    years = ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"]
    return pd.DataFrame(
        {
            "Year": years * 3,
            "Area": ["Avon and Somerset"] * 5 + ["Hampshire"] * 5 + ["Lancashire"] * 5,
            "Rate": [60.2, 61.0, 64.3, 58.1, 55.0]
            + [40.0, 42.5, 45.1, 44.0, 41.2]
            + [50.0, 51.0, 49.5, 47.0, 46.1],
            "Lower": [55.0, 56.0, 59.0, 53.0, 50.0]
            + [36.0, 38.0, 41.0, 40.0, 37.0]
            + [46.0, 47.0, 45.0, 43.0, 42.0],
            "Upper": [65.0, 66.0, 69.0, 63.0, 60.0]
            + [44.0, 47.0, 49.0, 48.0, 45.0]
            + [54.0, 55.0, 54.0, 51.0, 50.0],
        }
    )


@pytest.fixture
def ranked_df():
    return pd.DataFrame(
        {
            "Force area": ["Merseyside", "Avon and Somerset", "Dyfed-Powys", "Kent"],
            "Rate": [123.4, 60.1, 20.1, 55.2],
            "Lower": [115.0, 55.0, 15.0, 50.0],
            "Upper": [132.0, 65.0, 26.0, 60.0],
            "Compared with England and Wales": ["Worse", "similar", "better", None],
        }
    )


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "Year": ["2016/17", "2017/18", "2018/19"],
            "Offences": [1040, 1100, 1234],
            "Rate per 100,000": [61.2, 64.7, 72.6],
            "95% CI lower": [57.5, 60.9, 68.6],
            "95% CI upper": [65.1, 68.7, 76.8],
            "Source": ["ONS", "ONS", "ONS"],
        }
    )


@pytest.fixture
def spec(table):
    fig = trend_figure(table, x="Year", y="Offences", y_title="Offences")
    return ChartSpec(
        chart_id="violence-trend",
        title="Knife offences in Avon and Somerset rose by 19% since 2016/17",
        caption="Police recorded knife offences, Avon and Somerset, 2016/17 to 2018/19",
        figure=fig,
        table=table,
        summary=summary_for_series(
            table, x="Year", y="Offences", label="Knife offences"
        ),
        source="ONS, Police recorded crime",
    )


def illustrative(spec: ChartSpec, flag: bool = True) -> ChartSpec:
    from dataclasses import replace

    return replace(spec, illustrative=flag)


# --------------------------------------------------------------------------- card


def test_card_is_a_figure_with_heading_graph_summary_table_csv_and_figcaption(spec):
    card = chart_card(spec)
    assert isinstance(card, html.Figure)
    assert card.to_plotly_json()["props"]["aria-labelledby"] == "violence-trend-title"

    (heading,) = find(card, html.H2)
    assert heading.children == spec.title
    assert heading.id == "violence-trend-title"

    (graph,) = find(card, dcc.Graph)
    assert graph.id == "violence-trend-graph"
    assert len(graph.figure["data"]) == 1

    (summary,) = [
        p
        for p in find(card, html.P)
        if getattr(p, "id", None) == "violence-trend-summary"
    ]
    assert spec.summary in text_of(summary)

    (details,) = find(card, html.Details)
    (toggle,) = find(details, html.Summary)
    assert toggle.children == "View as table"
    assert find(details, StaticTable)

    (link,) = find(card, html.A)
    assert link.href.startswith(CSV_DATA_URI_PREFIX)
    assert link.download == "violence-trend.csv"
    assert visible_text(link) == "Download CSV"

    # the figcaption is the figure's last child and carries caption and source
    assert isinstance(card.children[-1], html.Figcaption)
    caption_text = text_of(card.children[-1])
    assert spec.caption in caption_text
    assert "Source: ONS, Police recorded crime" in caption_text


def test_card_serialises_to_json_for_the_browser(spec):
    card = chart_card(illustrative(spec))
    payload = json.dumps(card, cls=plotly.utils.PlotlyJSONEncoder)
    assert "violence-trend-graph" in payload


def test_heading_level_is_configurable(spec):
    card = chart_card(spec, heading_level=3)
    assert find(card, html.H3) and not find(card, html.H2)
    with pytest.raises(ValueError):
        chart_card(spec, heading_level=1)


def test_table_view_shows_the_same_numbers_as_spec_table(spec, table):
    card = chart_card(spec)
    (tbl,) = find(card, StaticTable)
    assert tbl.caption == spec.title
    assert tbl.id == "violence-trend-table"
    assert tbl.captionId == "violence-trend-table-caption"
    assert "chart-table" in tbl.className

    assert [c["name"] for c in tbl.columns] == list(table.columns)

    rows = table_cells(tbl)
    assert len(rows) == len(table)
    for cells, (_, expected) in zip(rows, table.iterrows(), strict=True):
        assert len(cells) == len(table.columns)
        # the first (text) column is a row header
        assert cells[0]["tag"] == "th" and cells[0]["scope"] == "row"
        for cell, column in zip(cells, table.columns, strict=True):
            value = expected[column]
            if isinstance(value, str):
                assert cell["text"] == value
            else:
                assert as_number(cell["text"]) == pytest.approx(value)
                assert cell["right"]  # numbers right-aligned


def test_table_region_is_labelled_by_its_caption_and_scrolls_by_keyboard(spec):
    (region,) = [
        d
        for d in find(chart_card(spec), html.Div)
        if getattr(d, "role", None) == "region"
    ]
    props = region.to_plotly_json()["props"]
    assert props["aria-labelledby"] == "violence-trend-table-caption"
    assert props["tabIndex"] == 0
    assert isinstance(region.children, StaticTable)


def test_a_chart_table_is_one_component_however_many_cells():
    """The reason for StaticTable: Dash's renderer pays per component on every
    store update, so a table must not cost one component per cell."""
    frame = pd.DataFrame(
        {"Area": [f"Area {i}" for i in range(200)], "Rate": np.arange(200) / 3}
    )
    tree = accessible_table(frame, caption="Rates", table_id="t-table")
    assert len(list(walk(tree))) <= 4
    payload = json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder)
    assert '"namespace": "vru_components"' in payload
    (tbl,) = find(tree, StaticTable)
    assert len(tbl.rows) == 200 and tbl.rows[-1][0] == "Area 199"


def test_table_links_are_cells_not_components():
    frame = pd.DataFrame(
        {
            "Area": [TableLink("Bristol", "/violence?area=E06000023", "drill-link")],
            "Count": ["1,234"],
        }
    )
    (tbl,) = find(accessible_table(frame, caption="Areas"), StaticTable)
    ((area, count),) = table_cells(tbl)
    assert area["tag"] == "th" and area["text"] == "Bristol"
    assert area["href"] == "/violence?area=E06000023"
    assert tbl.rows[0][0]["className"] == "drill-link"
    assert count["right"] and count["text"] == "1,234"
    assert tbl.className == "table table-sm chart-table"
    (other,) = find(
        accessible_table(frame, caption="Areas", class_name="drill-table"),
        StaticTable,
    )
    assert other.className == "table table-sm drill-table"


@pytest.mark.parametrize(
    "href", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_table_links_stay_within_the_app(href):
    with pytest.raises(ValueError):
        TableLink("x", href)


def _svg_of(plot: SvgFirstGraph) -> ET.Element:
    return ET.fromstring(plot.svg)


def _svg_texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{SVG_NS}text")]


def test_plot_is_the_server_svg_with_the_plotly_graph_held_for_when_asked(spec):
    """The plot is drawn on the server (an SVG named by the title and described
    by the summary, at the card's width and the figure's height) and the
    dcc.Graph of the same figure is the SvgFirstGraph's child, which the browser
    mounts only when asked. Catches: a card with no SVG (plotly.js on every
    load), an SVG of another figure or size, buttons naming no chart."""
    card = chart_card(spec)
    (plot,) = find(card, SvgFirstGraph)
    assert plot.id == "violence-trend-plot"
    assert plot.className == "chart-card__plot"
    assert plot.label == spec.title
    assert plot.filename == "violence-trend"
    (graph,) = find(plot, dcc.Graph)
    assert plot.children is graph and graph.id == "violence-trend-graph"
    assert graph.figure == spec.figure
    assert graph.config["toImageButtonOptions"]["filename"] == "violence-trend"

    svg = _svg_of(plot)
    assert svg.tag == f"{SVG_NS}svg" and svg.get("role") == "img"
    height = spec.figure["layout"]["height"]
    assert svg.get("viewBox").split() == ["0", "0", str(SVG_WIDTH), str(height)]
    assert svg.findtext(f"{SVG_NS}title") == spec.title
    assert svg.findtext(f"{SVG_NS}desc") == spec.summary
    # it holds no height of its own: the SVG is there from the start
    assert "minHeight" not in (plot.style or {})
    assert ILLUSTRATIVE_LABEL not in _svg_texts(svg)
    # the page's figure is not changed by drawing it at the card's width
    assert "width" not in spec.figure["layout"]


def test_an_illustrative_svg_carries_the_watermark_so_its_png_does(spec):
    (plot,) = find(chart_card(illustrative(spec)), SvgFirstGraph)
    assert ILLUSTRATIVE_LABEL in _svg_texts(_svg_of(plot))
    assert any(
        a.get("name") == WATERMARK_NAME
        for a in plot.children.figure["layout"]["annotations"]
    )


def test_the_svg_escapes_what_the_page_passes_in(spec):
    """The browser inserts the SVG as markup: a title or summary must never
    become an element."""
    from dataclasses import replace

    hostile = '<script>alert("x")</script> & "quotes"'
    (plot,) = find(
        chart_card(replace(spec, title=hostile, summary=hostile)), SvgFirstGraph
    )
    assert "<script" not in plot.svg
    svg = _svg_of(plot)
    assert svg.findtext(f"{SVG_NS}title") == hostile
    assert not [e for e in svg.iter() if e.tag.endswith("script")]


def test_a_map_without_its_outlines_is_left_to_plotly_holding_its_height(spec):
    """A figure whose traces get their outlines in the browser (the /compare
    map) can be drawn on the server only with the outlines passed in; without
    them the card gives no SVG (SvgFirstGraph then mounts the graph at once)
    and holds the graph's height while plotly.js loads."""
    from dataclasses import replace

    square = {"x": [0, 1, 1, 0, 0], "y": [0, 0, 1, 1, 0]}
    figure = {
        "data": [
            {
                "type": "scatter",
                "x": [],
                "y": [],
                "fill": "toself",
                "name": "Better",
                "meta": {"role": "area", "code": "E23000036"},
            }
        ],
        "layout": {"height": 620, "meta": {"outlines": "/embed/static/x.json"}},
    }
    unmapped = replace(spec, figure=figure)
    (plot,) = find(chart_card(unmapped), SvgFirstGraph)
    assert plot.svg == ""
    assert plot.style == {"minHeight": "620px"}
    mapped = replace(unmapped, outlines={"E23000036": square}, svg_width=640)
    (plot,) = find(chart_card(mapped), SvgFirstGraph)
    assert _svg_of(plot).get("viewBox").split() == ["0", "0", "640", "620"]
    assert "minHeight" not in plot.style


def test_a_chart_with_a_least_width_scrolls_in_a_focusable_labelled_box(spec):
    """min_width: the plot keeps that width and sits in a box that scrolls
    sideways, which takes the keyboard and is named (axe's
    scrollable-region-focusable); without it, no box. Catches: a scroll box a
    keyboard user cannot reach, or one wrapped round every chart."""
    from dataclasses import replace

    assert not [
        d
        for d in find(chart_card(spec), html.Div)
        if getattr(d, "className", None) == "chart-card__scroll"
    ]
    card = chart_card(replace(spec, min_width=640))
    (box,) = [
        d
        for d in find(card, html.Div)
        if getattr(d, "className", None) == "chart-card__scroll"
    ]
    assert box.role == "region" and box.tabIndex == "0"
    assert spec.title in getattr(box, "aria-label")
    (slot,) = find(box, SvgFirstGraph)
    assert slot.style["minWidth"] == "640px"


def test_csv_href_decodes_to_exactly_the_tables_csv(spec, table):
    (link,) = find(chart_card(spec), html.A)
    decoded = unquote(link.href[len(CSV_DATA_URI_PREFIX) :])
    assert decoded == "\ufeff" + table_to_csv(table)
    back = pd.read_csv(io.StringIO(decoded.lstrip("\ufeff")))
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_csv_neutralises_formula_injection_but_keeps_negative_numbers():
    df = pd.DataFrame(
        {
            "=HYPERLINK(1)": ["=cmd", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok"],
            "Change": [-5, -2.5, 0, 3, np.nan, 1e-4, 1_234_567],
            "As text": ["-5", "+7", "-1.5", "1", "a-b", "", None],
        }
    )
    rows = list(csv.reader(io.StringIO(table_to_csv(df))))
    assert rows[0][0] == "'=HYPERLINK(1)"
    assert [r[0] for r in rows[1:]] == [
        "'=cmd",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
    ]
    assert [r[1] for r in rows[1:]] == ["-5", "-2.5", "0", "3", "", "0.0001", "1234567"]
    # plain numbers written as text cannot be formulas and stay as they are
    assert [r[2] for r in rows[1:]] == ["-5", "+7", "-1.5", "1", "a-b", "", ""]
    assert table_to_csv(df).endswith("\r\n")


def test_csv_href_is_percent_encoded():
    href = csv_href(pd.DataFrame({"a b": ["x,y"], "£": [1]}))
    assert " " not in href and "," not in href[len(CSV_DATA_URI_PREFIX) :]
    assert unquote(href[len(CSV_DATA_URI_PREFIX) :]) == '\ufeffa b,£\r\n"x,y",1\r\n'


def test_illustrative_card_has_badge_and_watermark_and_labelled_csv(spec):
    card = chart_card(illustrative(spec))
    badges = [s for s in find(card, html.Strong) if s.children == ILLUSTRATIVE_LABEL]
    assert len(badges) == 1
    assert badges[0].title  # explanation on hover
    assert "not official statistics" in text_of(card)  # and for screen readers

    (graph,) = find(card, dcc.Graph)
    shown = go.Figure(graph.figure)  # what the browser draws, checked by plotly
    marks = [a for a in shown.layout.annotations if a.name == WATERMARK_NAME]
    assert len(marks) == 1 and marks[0].text == ILLUSTRATIVE_LABEL
    assert 0 < marks[0].opacity < 1
    assert (marks[0].x, marks[0].y, marks[0].xref, marks[0].yref) == (
        0.5,
        0.5,
        "paper",
        "paper",
    )

    # the page's own figure is not changed
    notes = spec.figure["layout"].get("annotations", [])
    assert not [a for a in notes if a.get("name") == WATERMARK_NAME]

    # a downloaded file never looks official
    (link,) = find(card, html.A)
    decoded = unquote(link.href[len(CSV_DATA_URI_PREFIX) :])
    back = pd.read_csv(io.StringIO(decoded.lstrip("\ufeff")))
    assert (back[DATA_STATUS_COLUMN] == ILLUSTRATIVE_LABEL).all()
    (tbl,) = find(card, StaticTable)
    assert DATA_STATUS_COLUMN in [c["name"] for c in tbl.columns]


def test_official_card_has_no_badge_and_no_watermark(spec):
    card = chart_card(illustrative(spec, False))
    assert ILLUSTRATIVE_LABEL not in text_of(card)
    (graph,) = find(card, dcc.Graph)
    annotations = graph.figure["layout"].get("annotations", [])
    assert not [a for a in annotations if a.get("name") == WATERMARK_NAME]
    assert DATA_STATUS_COLUMN not in shown_table(spec).columns


def test_illustrative_table_already_labelled_is_not_labelled_twice(spec, table):
    labelled = table.assign(Status="Illustrative data")
    from dataclasses import replace

    out = shown_table(replace(spec, table=labelled, illustrative=True))
    assert list(out.columns) == list(labelled.columns)


def test_watermark_is_idempotent():
    fig = {"data": [{"type": "scatter", "x": [1], "y": [1]}], "layout": {}}
    watermark(watermark(fig))
    assert [a["name"] for a in fig["layout"]["annotations"]] == [WATERMARK_NAME]


def test_empty_message_replaces_the_chart(spec):
    from dataclasses import replace

    card = chart_card(
        replace(spec, empty_message="No knife offences are recorded for this area.")
    )
    assert "No knife offences are recorded for this area." in text_of(card)
    assert not find(card, dcc.Graph)
    assert not find(card, StaticTable)
    assert not find(card, html.A)
    assert find(card, html.H2)[0].children == spec.title
    assert isinstance(card.children[-1], html.Figcaption)


@pytest.mark.parametrize(
    "change",
    [
        {"figure": None},
        {"figure": go.Figure()},
        {"table": pd.DataFrame()},
    ],
    ids=["no figure", "no traces", "no rows"],
)
def test_missing_data_never_gives_a_blank_chart(spec, change):
    from dataclasses import replace

    card = chart_card(replace(spec, **change))
    assert not find(card, dcc.Graph)
    assert DEFAULT_EMPTY_MESSAGE in text_of(card)


def test_empty_card():
    card = empty_card("Spend by tier", "No returns have been approved yet.")
    assert isinstance(card, html.Figure)
    assert find(card, html.H2)[0].children == "Spend by tier"
    assert "No returns have been approved yet." in text_of(card)
    assert not find(card, dcc.Graph)


def test_modebar_offers_only_a_high_resolution_png_export(spec):
    (graph,) = find(chart_card(spec), dcc.Graph)
    config = graph.config
    assert config == graph_config("violence-trend")
    assert config["modeBarButtons"] == [["toImage"]]
    options = config["toImageButtonOptions"]
    assert options["format"] == "png"
    assert options["scale"] >= 2
    assert options["filename"] == "violence-trend"
    assert config["displaylogo"] is False
    assert config["responsive"] is True


def test_suppressed_cells_show_a_star_and_the_note(spec):
    from dataclasses import replace

    table = pd.DataFrame(
        {"Local authority": ["Bristol", "BANES"], "Admissions": [42, "*"]}
    )
    card = chart_card(
        replace(
            spec,
            table=table,
            suppression_note="Counts of 1 to 7 are suppressed to protect privacy.",
        )
    )
    (tbl,) = find(card, StaticTable)
    last = table_cells(tbl)[-1][-1]
    assert last["text"] == "*" and last["hidden"] == "suppressed"
    assert last["title"] == "Suppressed under disclosure control"
    assert last["right"]
    assert "Counts of 1 to 7 are suppressed to protect privacy." in text_of(card)
    (link,) = find(card, html.A)
    decoded = unquote(link.href[len(CSV_DATA_URI_PREFIX) :])
    assert decoded.endswith("BANES,*\r\n")


def test_table_formats_missing_values_years_and_custom_columns(spec):
    from dataclasses import replace

    from components.formatting import money

    table = pd.DataFrame(
        {"Financial year": [2019, 2020], "Allocation": [1_160_000, np.nan]}
    )
    card = chart_card(replace(spec, table=table, column_formats={"Allocation": money}))
    (tbl,) = find(card, StaticTable)
    rows = table_cells(tbl)
    assert [row[1]["text"] for row in rows] == ["£1.16m", "–"]
    assert rows[1][1]["hidden"] == "no data"  # read out, not "dash"
    # the first column is the row header; years without a thousands separator
    assert [(row[0]["tag"], row[0]["text"]) for row in rows] == [
        ("th", "2019"),
        ("th", "2020"),
    ]


def test_chart_id_must_be_a_namespaced_slug():
    with pytest.raises(ValueError):
        ChartSpec(chart_id="Violence Trend", title="t", caption="c")
    with pytest.raises(ValueError):
        ChartSpec(chart_id="violence-trend", title=" ", caption="c")
    spec = ChartSpec(
        chart_id="funding-burn", title="t", caption="c", csv_filename="burn rate"
    )
    assert spec.filename == "burn-rate.csv"


# --------------------------------------------------------------------------- figures


def test_theme_template_is_what_plotly_makes_of_it():
    """The plain template every figure carries: plotly validates every property
    of it (raising on an invalid one) and gives the same JSON back, byte for byte,
    as when the app built it with go.layout.Template."""
    template = go.layout.Template(theme.TEMPLATE_JSON)
    assert json.dumps(template.to_plotly_json()) == json.dumps(theme.TEMPLATE_JSON)
    assert template.layout.paper_bgcolor == "#FFFFFF"
    assert template.layout.font.family.startswith("system-ui")
    assert list(template.layout.colorway)[:2] == ["#12436D", "#28A197"]
    assert template.layout.yaxis.tickformat == ","
    assert template.data.bar[0].cliponaxis is False


def test_trend_series_differ_by_symbol_and_dash_not_colour_alone(trend_df):
    fig = trend_figure(
        trend_df,
        x="Year",
        y="Rate",
        lower="Lower",
        upper="Upper",
        series="Area",
        y_title="Rate per 100,000",
        vlines=[("2019/20", "VRU funding began")],
        breaks=[("2017/18", "Change in recording practice")],
    )
    series = legend_traces(fig)
    assert [t.name for t in series] == ["Avon and Somerset", "Hampshire", "Lancashire"]
    assert len({t.marker.symbol for t in series}) == 3
    assert len({t.line.dash for t in series}) == 3
    assert_not_colour_alone(series)
    # CI ribbons: a filled band per series, out of the legend
    ribbons = [t for t in fig.data if (t.meta or {}).get("role") == "ci"]
    assert len(ribbons) == 6 and all(t.showlegend is False for t in ribbons)
    assert "95% CI: 55.0 to 65.0" in series[0].hovertext[0]
    # funding start and data break as labelled vertical lines
    names = [s.name for s in fig.layout.shapes]
    assert "vline: VRU funding began" in names
    assert "break: Change in recording practice" in names
    labels = {a.text for a in fig.layout.annotations}
    assert {"VRU funding began", "Change in recording practice"} <= labels
    assert fig.layout.template.layout.font.family.startswith("system-ui")


def test_a_marker_at_a_calendar_year_is_placed_at_its_category():
    """Plotly reads a shape at "2019" as the number 2019, on an axis of 20
    categories: the funding line flew off to the right and squeezed every point
    against the left edge (the calendar-year view of /violence). It is placed by
    its position instead; a financial-year label stays as it is."""
    years = [str(y) for y in range(2003, 2023)]
    frame = pd.DataFrame({"Period": years, "Rate": [10.0] * len(years)})
    fig = trend_figure(
        frame,
        x="Period",
        y="Rate",
        y_title="Rate",
        vlines=[("2019", "VRU funding began")],
        periods=years,
    )
    (line,) = [s for s in fig.layout.shapes if s.name == "vline: VRU funding began"]
    assert line.x0 == line.x1 == years.index("2019")
    (note,) = [a for a in fig.layout.annotations if a.text == "VRU funding began"]
    assert note.x == years.index("2019")
    fy = ["2018/19", "2019/20"]
    fig = trend_figure(
        frame.head(2).assign(Period=fy),
        x="Period",
        y="Rate",
        y_title="Rate",
        vlines=[("2019/20", "VRU funding began")],
        periods=fy,
    )
    assert fig.layout.shapes[0].x0 == "2019/20"


def test_trend_with_error_bars_and_gaps(trend_df):
    df = trend_df.astype({"Rate": object})
    df.loc[2, "Rate"] = "*"
    fig = trend_figure(
        df, x="Year", y="Rate", lower="Lower", upper="Upper", y_title="R", ci="bars"
    )
    (line,) = legend_traces(fig)
    assert line.error_y.array[0] == pytest.approx(65.0 - 60.2)
    assert line.y[2] is None  # a suppressed value is a gap, not a zero


def _two_series(area: list[str], bench: list[str]) -> pd.DataFrame:
    """Rows grouped by series, each in period order (as a concatenation gives)."""
    return pd.DataFrame(
        {
            "Period": area + bench,
            "Area": ["Avon and Somerset"] * len(area)
            + ["England and Wales"] * len(bench),
            "Rate": [50.0] * (len(area) + len(bench)),
            "Lower": [45.0] * (len(area) + len(bench)),
            "Upper": [55.0] * (len(area) + len(bench)),
        }
    )


QUARTERS = ["2018/19 Q4", "2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4"]


@pytest.mark.parametrize(
    "area, bench, expected",
    [
        # the area, drawn first, lacks the benchmark's early quarters
        (QUARTERS[2:], QUARTERS, QUARTERS),
        # the area lacks a middle quarter, the benchmark the last: nothing in the
        # two series' orders says which of those two comes first
        (QUARTERS[:2] + QUARTERS[4:], QUARTERS[:4], QUARTERS),
        # labels whose text does not sort by period: the benchmark's order decides
        (
            ["Oct 2019", "Jan 2020"],
            ["Apr 2019", "Jul 2019", "Oct 2019", "Jan 2020"],
            ["Apr 2019", "Jul 2019", "Oct 2019", "Jan 2020"],
        ),
    ],
)
def test_trend_periods_stay_in_order_whichever_series_lacks_some(area, bench, expected):
    """Plotly orders categories by first appearance, trace by trace: a first
    series without the early periods must not push them to the end of the axis."""
    fig = trend_figure(
        _two_series(area, bench),
        x="Period",
        y="Rate",
        lower="Lower",
        upper="Upper",
        series="Area",
        series_order=["Avon and Somerset", "England and Wales"],
        y_title="Rate",
    )
    assert fig.layout.xaxis.type == "category"
    assert fig.layout.xaxis.categoryorder == "array"
    assert list(fig.layout.xaxis.categoryarray) == expected
    shown = {x for trace in fig.data for x in trace.x}
    assert shown == set(expected)


def test_trend_periods_in_row_order_when_the_rows_are_sorted_by_period(trend_df):
    # rows interleaved across series, sorted by period (as the /violence page does)
    df = trend_df.sort_values("Year", kind="stable")
    fig = trend_figure(df, x="Year", y="Rate", series="Area", y_title="Rate")
    assert list(fig.layout.xaxis.categoryarray) == [
        "2016/17",
        "2017/18",
        "2018/19",
        "2019/20",
        "2020/21",
    ]


def test_ranked_bars_are_sorted_with_category_patterns_and_words(ranked_df):
    fig = ranked_bar_figure(
        ranked_df,
        label="Force area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared with England and Wales",
        benchmark=58.0,
        benchmark_label="England and Wales",
        highlight="Kent",
    )
    bars = legend_traces(fig)
    assert [t.name for t in bars] == ["Better", "Similar", "Worse", "Not compared"]
    assert_not_colour_alone(bars)
    for bar in bars:
        assert all(bar.name in text for text in bar.text)
    (label_trace,) = [t for t in fig.data if t.name == "bar-labels"]
    labels = list(label_trace.text)
    assert sorted(labels) == sorted(
        ["123.4 Worse", "60.1 Similar", "20.1 Better", "55.2 Not compared"]
    )
    # highest at the top: plotly draws the category array from the bottom
    assert list(fig.layout.yaxis.categoryarray) == [
        "Dyfed-Powys",
        "Kent",
        "Avon and Somerset",
        "Merseyside",
    ]
    assert "<b>Kent</b>" in fig.layout.yaxis.ticktext
    (worse,) = [t for t in bars if t.name == "Worse"]
    assert worse.error_x.array[0] == pytest.approx(132.0 - 123.4)
    benchmark = [s for s in fig.layout.shapes if s.name == "benchmark"]
    assert benchmark and benchmark[0].x0 == 58.0
    assert any(
        a.text.replace("<br>", " ") == "England and Wales: 58.0"
        for a in fig.layout.annotations
    )


def test_ranked_bar_labels_are_one_text_trace_clear_of_each_ci(loaded_sqlite_store):
    """The 43 bar labels are one text trace (43 annotations took plotly longer to
    draw than the bars), each just right of its bar's upper CI, and the left
    margin already holds the longest name (so automargin makes no second pass)."""
    from data_access.outcomes import force_areas
    from data_access.scope import SYSTEM

    ranked = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    assert len(ranked) == 43
    fig = ranked_bar_figure(
        ranked.assign(rate=ranked["rate"].where(~ranked["suppressed"].astype(bool))),
        label="name",
        value="rate",
        lower="rate_lower",
        upper="rate_upper",
        category_col="comparison",
        benchmark=float(ranked["benchmark_rate"].iloc[0]),
        benchmark_label=ranked["benchmark_label"].iloc[0],
    )
    assert not [a for a in fig.layout.annotations if a.name == "bar-label"]
    (labels,) = [t for t in fig.data if t.name == "bar-labels"]
    shown = ranked[ranked["rate"].notna() & ~ranked["suppressed"].astype(bool)]
    assert len(labels.text) == len(shown)
    ends = dict(zip(labels.y, labels.x, strict=True))
    for row in shown.itertuples():
        assert ends[row.name] == pytest.approx(max(row.rate, row.rate_upper))
    assert "text" in labels.mode and labels.hoverinfo == "skip"
    assert not labels.showlegend
    longest = max(len(name) for name in ranked["name"])
    assert fig.layout.margin.l >= 7.8 * longest + 16


def test_margins_start_at_what_the_axis_labels_need():
    """Crowded period labels (turned upright by plotly) get a deep bottom margin,
    a few get a shallow one, and a number axis's widest figure sets the left."""
    periods = [f"{2010 + i // 4}/{11 + i // 4} Q{i % 4 + 1}" for i in range(36)]
    crowded = trend_figure(
        pd.DataFrame({"Period": periods, "Count": range(36)}),
        x="Period",
        y="Count",
        y_title="Count",
    )
    few = trend_figure(
        pd.DataFrame({"Period": periods[:4], "Count": [1, 2, 3, 120_000]}),
        x="Period",
        y="Count",
        y_title="Count",
    )
    assert crowded.layout.margin.b >= 10 * 7.8  # "2019/20 Q1" written upright
    assert few.layout.margin.b < crowded.layout.margin.b
    assert few.layout.margin.l >= len("120,000") * 7.8
    assert crowded.layout.margin.l < few.layout.margin.l


def test_ranked_bars_without_categories_or_values(ranked_df):
    df = ranked_df.assign(Rate=[123.4, np.nan, 20.1, 55.2])
    fig = ranked_bar_figure(df, label="Force area", value="Rate")
    assert [t.type for t in fig.data] == ["bar", "scatter"]  # bars, their labels
    assert "Avon and Somerset" in fig.layout.yaxis.categoryarray
    assert any(a.text == "No value shown" for a in fig.layout.annotations)


def test_a_withheld_row_reads_hidden_not_missing(ranked_df):
    """A row disclosure control withheld says so on its row ("* hidden"); a row
    with no figure says "No value shown" (the public compare embed's ranking)."""
    df = ranked_df.assign(
        Rate=[123.4, np.nan, np.nan, 55.2], Withheld=[False, True, False, False]
    )
    fig = ranked_bar_figure(df, label="Force area", value="Rate", withheld="Withheld")
    notes = {a.y: a.text for a in fig.layout.annotations if a.x == 0}
    hidden, missing = df["Force area"].iloc[1], df["Force area"].iloc[2]
    assert notes[hidden] == "* hidden"
    assert notes[missing] == "No value shown"


def test_funnel_plot_limits_bands_and_outlier_labels():
    limits = pd.DataFrame(
        {
            "Population": [1e5, 1e6, 2e6],
            "lower_95": [40.0, 45.0, 46.0],
            "upper_95": [60.0, 55.0, 54.0],
            "lower_998": [35.0, 42.0, 44.0],
            "upper_998": [65.0, 58.0, 56.0],
        }
    )
    areas = pd.DataFrame(
        {
            "Area": ["High", "Raised", "Typical", "Lowered", "Low"],
            "Population": [1e6, 1e6, 1e6, 1e6, 1e6],
            "Rate": [70.0, 56.0, 50.0, 44.0, 30.0],
        }
    )
    fig = funnel_figure(
        areas,
        x="Population",
        y="Rate",
        label="Area",
        limits_df=limits,
        benchmark=50.0,
    )
    traces = legend_traces(fig)
    assert_not_colour_alone(traces)
    bands = {t.name: t for t in traces if t.meta["role"] == "band"}
    assert set(bands) == {
        "Above 99.8% limit",
        "Above 95% limit",
        "Within 95% limits",
        "Below 95% limit",
        "Below 99.8% limit",
    }
    assert list(bands["Above 99.8% limit"].text) == ["High"]
    assert list(bands["Below 99.8% limit"].text) == ["Low"]
    assert bands["Within 95% limits"].text is None
    dashes = {t.name: t.line.dash for t in traces if t.meta["role"] != "band"}
    assert dashes["95% control limits"] != dashes["99.8% control limits"]


def test_bar_groups_have_patterns_and_value_labels():
    df = pd.DataFrame(
        {
            "Year": ["2019/20"] * 3 + ["2020/21"] * 3,
            "Tier": ["Primary", "Secondary", "Tertiary"] * 2,
            "Spend": [300_000, 520_000, 880_000, 410_000, 600_000, 1_160_000],
        }
    )
    from components.formatting import money

    fig = bar_figure(df, x="Year", y="Spend", color="Tier", value_formatter=money)
    assert_not_colour_alone(legend_traces(fig))
    assert list(fig.data[2].text) == ["£880,000", "£1.16m"]
    assert fig.layout.barmode == "stack"
    assert "£1m" in fig.layout.yaxis.ticktext  # axis in the same words

    fig = bar_figure(
        df, x="Spend", y="Tier", color="Year", orientation="h", barmode="group"
    )
    assert all(t.orientation == "h" for t in fig.data)
    assert_not_colour_alone(legend_traces(fig))


def test_spine_markers_encode_significance_by_shape():
    rows = [
        {
            "measure": "Knife crime rate",
            "value": 70,
            "benchmark": 50,
            "min": 20,
            "q25": 40,
            "q75": 60,
            "max": 90,
            "category": "worse",
            "polarity": "lower_is_better",
        },
        {
            "measure": "Hospital admissions",
            "value": 30,
            "benchmark": 40,
            "min": 10,
            "q25": 30,
            "q75": 50,
            "max": 70,
            "category": "better",
            "polarity": "lower_is_better",
        },
        {
            "measure": "Young people reached",
            "value": 45,
            "benchmark": 40,
            "min": 10,
            "q25": 30,
            "q75": 50,
            "max": 70,
            "category": "higher",
            "polarity": "no_judgement",
        },
    ]
    fig = spine_figure(rows)
    markers = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in markers] == ["Better", "Worse", "Higher"]
    assert_not_colour_alone(markers)
    worse = next(t for t in markers if t.name == "Worse")
    better = next(t for t in markers if t.name == "Better")
    # lower is better: a high value is drawn left of centre, a low one right
    assert worse.x[0] < 0.5 < better.x[0]
    assert any(s.name == "benchmark" and s.x0 == 0.5 for s in fig.layout.shapes)
    assert [t.name for t in fig.data if t.type == "bar"] == [
        "Range across areas",
        "25th to 75th percentile",
    ]


# --------------------------------------------------------------------------- text


def test_series_summary_states_change_and_latest_period():
    df = pd.DataFrame(
        {
            "Year": ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"],
            "Offences": [1040, 1100, 1180, 1200, 1234],
        }
    )
    assert summary_for_series(
        df, x="Year", y="Offences", label="Knife offences in Avon and Somerset"
    ) == (
        "Knife offences in Avon and Somerset rose from 1,040 in 2016/17 to 1,234 in "
        "2020/21, a 19% increase; the latest is 2020/21."
    )


def test_series_summary_mentions_a_peak_skips_gaps_and_handles_series(trend_df):
    df = pd.DataFrame({"Year": ["a", "b", "c", "d"], "Count": [100, 300, "*", 90]})
    text = summary_for_series(df, x="Year", y="Count", label="Admissions")
    assert text.startswith("Admissions fell from 100 in a to 90 in d, a 10% decrease")
    assert "The highest was 300 in b." in text

    text = summary_for_series(
        trend_df,
        x="Year",
        y="Rate",
        series="Area",
        label="The rate in {series}",
        unit="per 100,000",
    )
    assert "The rate in Hampshire rose from 40.0 per 100,000 in 2016/17" in text
    assert text.count("the latest is 2020/21") == 3
    assert summary_for_series(
        df.iloc[:0], x="Year", y="Count", label="Admissions"
    ).startswith("There are no data")


def test_ranking_summary_names_extremes_and_counts_categories(ranked_df):
    text = summary_for_ranking(
        ranked_df,
        label="Force area",
        value="Rate",
        measure="Knife crime rate",
        category_col="Compared with England and Wales",
        unit="per 100,000",
        benchmark=58.0,
        benchmark_label="England and Wales",
        noun="force areas",
    )
    assert text == (
        "Knife crime rate: of 4 force areas, Merseyside was highest at 123.4 per "
        "100,000 and Dyfed-Powys lowest at 20.1 per 100,000. Compared with England "
        "and Wales (58.0 per 100,000): 1 better, 1 similar, 1 worse, 1 not compared."
    )


# --------------------------------------------------------------------------- layers


@pytest.mark.parametrize("name", COMPONENT_FILES)
def test_components_stay_pure_presentation(name):
    source = Path(__file__).resolve().parents[2] / "components" / name
    tree = ast.parse(source.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    # The one money-format rule is a pure module shared with data_access's own
    # sentences (.importlinter allows formatting.py that import and no other).
    if name == "formatting.py":
        imported.discard("data_access.number_format")
    # data_access.periods is date arithmetic with no store (quarter names, dates in
    # words), which .importlinter lets every component import.
    imported.discard("data_access.periods")
    # The trend figure names its lines by the one pure line-splitting rule the
    # board pack and the trend embed's SVG also use (.importlinter allows it).
    if name == "trend_figure.py":
        imported.discard("data_access.chart_lines")
    roots = {module.split(".")[0] for module in imported}
    assert not roots & {"data_access", "sqlalchemy", "flask_login"}


def test_series_summary_picks_each_series_rows_as_a_filter_would():
    """summary_for_series takes the columns apart once and picks each series'
    rows by position (issue 19). Reference: one series at a time from a frame
    filtered to it, as it was written before; interleaved rows, a series with
    only gaps, a non-default index and one with a single point must read the
    same (picking rows by label, or keeping another series' points, goes red)."""
    rows = [
        ("North", "2019/20", 10.0),
        ("South", "2019/20", 7.0),
        ("North", "2020/21", "*"),
        ("East", "2019/20", None),
        ("South", "2020/21", 9.5),
        ("North", "2021/22", 14.0),
        ("East", "2020/21", float("nan")),
        ("South", "2021/22", 8.0),
        ("West", "2021/22", 3.0),
    ]
    df = pd.DataFrame(rows, columns=["Area", "Year", "Rate"], index=range(50, 59))
    # the formatter is the whole chart's (chosen from every series' values)
    one_decimal = lambda v: f"{v:.1f}"  # noqa: E731

    def reference(label: str) -> str:
        sentences = []
        for name in dict.fromkeys(df["Area"].tolist()):
            part = df[df["Area"] == name]
            text = summary_for_series(
                part,
                x="Year",
                y="Rate",
                label=label.replace("{series}", name),
                value_formatter=one_decimal,
            )
            sentences.append(text)
        return " ".join(sentences)

    got = summary_for_series(
        df,
        x="Year",
        y="Rate",
        series="Area",
        label="The rate in {series}",
        value_formatter=one_decimal,
    )
    assert got == reference("The rate in {series}")
    # unpinned, one formatter for the chart: 9.5 makes every value one decimal
    assert "North rose from 10.0 in 2019/20" in summary_for_series(
        df, x="Year", y="Rate", series="Area", label="The rate in {series}"
    )
    assert "The rate in North rose from 10.0 in 2019/20 to 14.0 in 2021/22" in got
    assert "There are no data for the rate in East." in got
    assert "The rate in West was 3.0 in 2021/22." in got


def test_a_percentage_changes_by_percentage_points_as_written():
    """A percentage's change is stated in percentage points, from the figures
    as written, never as a percentage of a percentage (hand-worked: 45% to 60%
    is 15 points, not "a 33% increase"; 5.86 and 6.02 are written 5.9 and 6.0,
    so 0.1 points, not the 0.16 the reader cannot see)."""
    df = pd.DataFrame({"Q": ["Q1", "Q2", "Q3", "Q4"], "v": [45, 70, 50, 60]})
    text = summary_for_series(df, x="Q", y="v", label="Completion", percentage=True)
    assert text == (
        "Completion rose from 45% in Q1 to 60% in Q4, a 15 percentage point "
        "increase; the latest is Q4. The highest was 70% in Q2."
    )
    fell = summary_for_series(
        df.iloc[::-1], x="Q", y="v", label="Completion", percentage=True
    )
    assert fell.startswith(
        "Completion fell from 60% in Q4 to 45% in Q1, a 15 percentage point decrease"
    )
    share = pd.DataFrame({"Year": ["2017/18", "2018/19"], "v": [5.86, 6.02]})
    text = summary_for_series(
        share,
        x="Year",
        y="v",
        label="The percentage in England and Wales",
        value_formatter=lambda v: f"{v:.1f}",
        percentage=True,
    )
    assert text == (
        "The percentage in England and Wales rose from 5.9% in 2017/18 to 6.0% in "
        "2018/19, a 0.1 percentage point increase; the latest is 2018/19."
    )
    # not a percentage: the relative change, as before
    assert "a 33% increase" in summary_for_series(
        df.iloc[[0, 3]], x="Q", y="v", label="Completion"
    )
