"""One rule for splitting a trend into published and illustrative lines
(data_access.chart_lines): the board pack's chart, the interactive figure and
the trend embed's server-drawn SVG of that figure draw the same lines from the
same rows, with a gap kept a gap and no line across the switch from published
to illustrative."""

import re
import xml.etree.ElementTree as ET

import pandas as pd

from components.trend_figure import trend_figure
from data_access.board_pack import _split_lines
from data_access.chart_lines import line_names
from tests.components.plotly_view import through_plotly
from web.embed_svg import phone_svg

plain_trend_figure = trend_figure
trend_figure = through_plotly(trend_figure)
SVG = "{http://www.w3.org/2000/svg}"

AXIS = ["2014/15", "2015/16", "2016/17", "2017/18", "2018/19", "2019/20"]
NAN = float("nan")
# The area: published 2014/15 to 2017/18 but no row for 2016/17 (a gap), then
# illustrative from 2018/19 (the switch); the benchmark published throughout but
# for a row with no figure shown in 2015/16 (a hidden figure is a gap too).
ROWS = pd.DataFrame(
    [
        ("area", "2014/15", 1.0, False),
        ("area", "2015/16", 2.0, False),
        ("area", "2017/18", 3.0, False),
        ("area", "2018/19", 4.0, True),
        ("area", "2019/20", 5.0, True),
        ("benchmark", "2014/15", 2.0, False),
        ("benchmark", "2015/16", NAN, False),
        ("benchmark", "2016/17", 2.5, False),
        ("benchmark", "2017/18", 2.6, False),
        ("benchmark", "2018/19", 2.7, False),
        ("benchmark", "2019/20", 2.8, False),
    ],
    columns=["role", "period", "rate", "illustrative"],
).assign(rate_lower=lambda f: f["rate"] - 0.5, rate_upper=lambda f: f["rate"] + 0.5)
# Worked by hand: each line None wherever the other kind has its figure.
WANT = {
    "Area": [1.0, 2.0, None, 3.0, None, None],
    "Area (illustrative)": [None, None, None, None, 4.0, 5.0],
    "England": [2.0, None, 2.5, 2.6, 2.7, 2.8],
}
STYLES = {
    "Area": "area",
    "Area (illustrative)": "area illustrative",
    "England": "benchmark",
}


def _pack_lines() -> dict:
    got = _split_lines(AXIS, ROWS, "Area", "England", ", rate per 1,000")
    assert got["styles"] == tuple(STYLES.values())
    return {name.removesuffix(", rate per 1,000"): v for name, v in got["series"]}


def _figure_lines() -> dict:
    names, order = line_names(ROWS, "Area", "England")
    fig = trend_figure(
        ROWS.assign(series=names),
        x="period",
        y="rate",
        lower="rate_lower",
        upper="rate_upper",
        series="series",
        series_order=order,
        y_title="Rate",
        periods=AXIS,
    )
    out = {}
    for trace in fig.data:
        if "markers" in (trace.mode or ""):  # the lines, not their CI edges
            # A gap is drawn as a blank point inside the span, never skipped
            # (plotly would join the figures either side of a skipped period).
            first, last = AXIS.index(trace.x[0]), AXIS.index(trace.x[-1])
            assert list(trace.x) == AXIS[first : last + 1], trace.name
            assert not trace.connectgaps
            at = dict(zip(trace.x, trace.y, strict=True))
            out[trace.name] = [at.get(p) for p in AXIS]
    return out


def _svg_lines() -> dict:
    """Each line's markers in the embed's server drawing (web.embed_svg:
    the figure through components.figure_svg) read back as values on the axis,
    from the drawing's own plot area and axis ranges (its data- attributes)."""
    names, order = line_names(ROWS, "Area", "England")
    figure = plain_trend_figure(
        ROWS.assign(series=names),
        x="period",
        y="rate",
        lower="rate_lower",
        upper="rate_upper",
        series="series",
        series_order=order,
        y_title="Rate",
        periods=AXIS,
    )
    root = ET.fromstring(phone_svg(figure, "Title", "Summary", illustrative=True))
    left, top, width, height = map(float, root.get("data-plot-area").split())
    x0, x1 = map(float, root.get("data-x-range").split())
    y0, y1 = map(float, root.get("data-y-range").split())
    out = {}
    for group in root.iter(f"{SVG}g"):
        markers = [
            tuple(map(float, re.findall(r"-?[\d.]+", m.get("transform"))))
            for g in group.iter(f"{SVG}g")
            if g.get("data-role") == "markers"
            for m in g
        ]
        if group.get("data-trace") is None or not markers:
            continue
        # positions are written to 0.1 of a unit: the nearest period, and the
        # value to 2 decimals (the hand-worked ones have 1)
        at = {
            round(x0 + (px - left) / width * (x1 - x0)): round(
                y0 + (top + height - py) / height * (y1 - y0), 2
            )
            for px, py in markers
        }
        out[group.get("data-name")] = [at.get(i) for i in range(len(AXIS))]
    return out


def test_pack_figure_and_embed_svg_draw_the_same_lines():
    """Catches a drawing that joins the last published figure to the first
    illustrative one, fills a gap, keeps an empty published line, or orders
    its lines apart from the others: each of the three drawings, read back from
    its own output, equals the hand-worked lines."""
    assert _pack_lines() == WANT
    assert _figure_lines() == WANT
    assert _svg_lines() == WANT
