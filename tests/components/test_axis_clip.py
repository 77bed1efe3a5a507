"""No single area squashes an axis (components.axis_clip): the fence worked by hand,
and the ranked bars and the funnel drawing a figure past it at the edge, marked."""

from __future__ import annotations

import pandas as pd
import pytest

from components.axis_clip import OVERFLOW_MARK, furthest, robust_top
from components.bar_figures import ranked_bar_figure
from components.benchmark_figures import funnel_figure
from components.trend_figure import trend_figure
from tests.components.plotly_view import through_plotly

ranked_bar_figure = through_plotly(ranked_bar_figure)
funnel_figure = through_plotly(funnel_figure)
trend_figure = through_plotly(trend_figure)

# 10, 12, 14, 16, 18, x (x the largest): linear-interpolation quartiles sit at
# positions 1.25 and 3.75 of the six sorted values: Q1 = 12 + 0.25 x 2 = 12.5 and
# Q3 = 16 + 0.75 x 2 = 17.5 whatever x is; IQR 5, fence 17.5 + 3 x 5 = 32.5.
WITH_OUTLIER = [10.0, 12.0, 14.0, 16.0, 18.0, 100.0]
ORDINARY = [10.0, 12.0, 14.0, 16.0, 18.0, 20.0]


def test_the_fence_is_the_upper_quartile_plus_three_interquartile_ranges():
    assert robust_top(WITH_OUTLIER) == pytest.approx(32.5)
    assert robust_top(ORDINARY) is None  # nothing past 32.5: the axis is as drawn
    # an area's interval end is its furthest figure: past the fence, it is clipped
    ends = furthest(ORDINARY, [11.0, 13.0, 15.0, 17.0, 19.0, 40.0])
    assert ends == [11.0, 13.0, 15.0, 17.0, 19.0, 40.0]
    # quartiles 13 + 0.25 x 2 = 13.5 and 17 + 0.75 x 2 = 18.5: fence 18.5 + 15
    assert robust_top(ends) == pytest.approx(33.5)
    # never below the benchmark: the line is always on the chart
    assert robust_top([*ORDINARY[:-1], 60.0], benchmark=50.0) == 50.0
    assert robust_top([*ORDINARY[:-1], 45.0], benchmark=50.0) is None
    assert robust_top([1.0, 2.0, 300.0]) is None  # too few areas for quartiles
    # Six areas at 10: quartiles 10 and 10, fence 10. A seventh at 14 is past the
    # fence but stretches the axis only 1.4 times: nothing is squashed, nothing
    # clipped; at 16 (1.6 times) the axis stops at 10.
    assert robust_top([10.0] * 6 + [14.0]) is None
    assert robust_top([10.0] * 6 + [16.0]) == 10.0


def _areas(rates):
    return pd.DataFrame(
        {
            "Area": [f"Area {i}" for i in range(len(rates))],
            "Rate": rates,
            "Lower": [r - 2 for r in rates],
            "Upper": [r + 2 for r in rates],
            "Compared": ["worse" if r > 50 else "similar" for r in rates],
        }
    )


def test_a_bar_past_the_fence_ends_at_the_edge_marked_with_its_value():
    frame = _areas(WITH_OUTLIER)
    top = robust_top(furthest(frame["Rate"], frame["Upper"]), 15.0)
    fig = ranked_bar_figure(
        frame,
        label="Area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        benchmark=15.0,
        axis_top=top,
        value_formatter=lambda v: f"{v:.1f}",
    )
    bars = [t for t in fig.data if t.type == "bar"]
    drawn = {y: x for t in bars for y, x in zip(t.y, t.x, strict=True)}
    # ends 12, 14, 16, 18, 20, 102: quartiles 14.5 and 19.5, fence 19.5 + 15
    assert drawn["Area 5"] == pytest.approx(34.5)  # not 100
    assert drawn["Area 4"] == 18.0
    (worse,) = [t for t in bars if t.name == "Worse"]
    assert worse.error_x.array[0] == 0  # its interval (to 102) is past the edge too
    assert worse.error_x.arrayminus[0] == 0
    (labels,) = [t for t in fig.data if t.name == "bar-labels"]
    text = dict(zip(labels.y, labels.text, strict=True))
    assert text["Area 5"] == f"{OVERFLOW_MARK} 100.0 Worse"
    assert not text["Area 4"].startswith(OVERFLOW_MARK)
    assert max(labels.x) == pytest.approx(34.5)
    assert fig.layout.xaxis.range[1] < 50  # the other bars are not a sliver
    # without a top, the same figure runs to the outlier's interval
    plain = ranked_bar_figure(frame, label="Area", value="Rate", upper="Upper")
    assert plain.layout.xaxis.range[1] > 102


def test_a_funnel_point_past_the_fence_sits_at_the_edge_named_with_its_value():
    limits = pd.DataFrame(
        {
            "Population": [1e5, 1e6],
            "lower_95": [5.0, 10.0],
            "upper_95": [25.0, 20.0],
            "lower_998": [2.0, 8.0],
            "upper_998": [28.0, 22.0],
        }
    )
    frame = _areas(WITH_OUTLIER).assign(Population=1e6)
    fig = funnel_figure(
        frame,
        x="Population",
        y="Rate",
        label="Area",
        limits_df=limits,
        benchmark=15.0,
        y_top=robust_top(frame["Rate"], benchmark=15.0),
        value_formatter=lambda v: f"{v:.1f}",
    )
    points = {
        name: (y, text)
        for t in fig.data
        if t.meta["role"] == "band"
        for name, y, text in zip(
            t.hovertext, t.y, t.text or [None] * len(t.y), strict=True
        )
    }
    high = next(v for k, v in points.items() if k.startswith("Area 5:"))
    assert high == (pytest.approx(32.5), f"Area 5 {OVERFLOW_MARK} 100.0")
    assert fig.layout.yaxis.range[1] == pytest.approx(32.5 * 1.08)


def test_an_interval_past_the_fence_is_marked_after_its_label():
    frame = _areas(ORDINARY).assign(
        Upper=[11.0, 13.0, 15.0, 17.0, 19.0, 40.0], Lower=ORDINARY
    )
    top = robust_top(furthest(frame["Rate"], frame["Upper"]))
    fig = ranked_bar_figure(
        frame,
        label="Area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        axis_top=top,
        value_formatter=lambda v: f"{v:.1f}",
    )
    (labels,) = [t for t in fig.data if t.name == "bar-labels"]
    text = dict(zip(labels.y, labels.text, strict=True))
    assert text["Area 5"] == f"20.0 Similar {OVERFLOW_MARK}"  # the bar is whole


def test_labels_never_need_more_room_than_a_phone_gives_them():
    """At 390 px the bars' value labels and the benchmark's name were cut off at
    the right, and /violence's 67-character break label ran off the chart: the
    labels sit in a right margin as wide as the longest, long names wrap."""

    frame = _areas(ORDINARY)
    fig = ranked_bar_figure(
        frame,
        label="Area",
        value="Rate",
        upper="Upper",
        category_col="Compared",
        benchmark=15.0,
        benchmark_label="Coastal peers (your saved group, pooled)",
        value_formatter=lambda v: f"{v:.1f}",
    )
    (labels,) = [t for t in fig.data if t.name == "bar-labels"]
    assert fig.layout.margin.r >= 7 * max(len(t) for t in labels.text)
    (bench,) = [a for a in fig.layout.annotations if a.name == "benchmark"]
    assert max(len(line) for line in bench.text.split("<br>")) <= 14
    label = "Published annual figures from here (years before: sums of quarters)"
    trend = trend_figure(
        pd.DataFrame({"Period": ["2009/10", "2010/11"], "Rate": [1.0, 2.0]}),
        x="Period",
        y="Rate",
        y_title="Rate",
        breaks=[("2010/11", label), ("2009/10", "Illustrative data from here")],
    )
    marks = [a for a in trend.layout.annotations if (a.name or "").startswith("break")]
    assert all(len(line) <= 28 for a in marks for line in a.text.split("<br>"))
    assert len({a.y for a in marks}) == 2  # stepped, not on top of each other
