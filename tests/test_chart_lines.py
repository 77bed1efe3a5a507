"""One rule for splitting a trend into published and illustrative lines
(data_access.chart_lines): the board pack's chart, the trend embed's server-drawn
SVG and the interactive figure draw the same lines from the same rows, with a
gap kept a gap and no line across the switch from published to illustrative."""

import re

import pandas as pd

from components.trend_figure import trend_figure
from data_access.board_pack import _split_lines
from data_access.chart_lines import line_names, split_lines
from tests.components.plotly_view import through_plotly
from web.embed_charts import _trend_svg

trend_figure = through_plotly(trend_figure)

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
    """Each SVG line group's markers read back as values on the axis, from the
    drawing's own tick labels (gridline y -> value; label x -> period)."""
    lines = split_lines(ROWS, "Area", "England")
    svg = _trend_svg(
        lines, AXIS, ("rate", True, "per 1,000 people"), [], "Title", "Summary"
    )
    ticks = [
        (float(y), float(v))
        for y, v in re.findall(
            r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"[^>]*/>'
            r"<text [^>]*>([\d.]+)</text>",
            svg,
        )
    ]
    (y0, v0), (y1, v1) = ticks[0], ticks[1]
    labelled = {
        AXIS.index(p): float(x)
        for x, p in re.findall(r'<text x="([\d.]+)"[^>]*>(\d{4}/\d\d)<', svg)
    }
    # A narrow drawing labels every other period or fewer: the periods are evenly
    # spaced, so two labels place them all.
    (i0, x0), (i1, x1) = sorted(labelled.items())[:2]
    step = (x1 - x0) / (i1 - i0)
    by_style = {}
    for style, body in re.findall(r'<g data-line="([^"]+)">(.*?)</g>', svg):
        at = {
            float(cx): v0 + (float(cy) - y0) * (v1 - v0) / (y1 - y0)
            for cx, cy in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', body)
        }
        # positions are written to 0.1 of a unit: the nearest period, and the
        # value to 2 decimals (the hand-worked ones have 1)
        on = {round((x - x0) / step) + i0: v for x, v in at.items()}
        by_style[style] = [
            None if on.get(i) is None else round(on[i], 2) for i in range(len(AXIS))
        ]
    return {line.name: by_style[line.style] for line in lines}


def test_pack_svg_and_figure_draw_the_same_lines():
    """Catches a drawing that joins the last published figure to the first
    illustrative one, fills a gap, keeps an empty published line, or orders
    its lines apart from the others: each of the three drawings, read back from
    its own output, equals the hand-worked lines."""
    assert _pack_lines() == WANT
    assert _figure_lines() == WANT
    assert _svg_lines() == WANT
