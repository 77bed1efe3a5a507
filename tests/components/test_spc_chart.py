"""The SPC figure's step labels: two recalculations must not print on one line."""

from __future__ import annotations

import pandas as pd

from components.spc_chart import spc_figure
from data_access.trend_spc import SPC_COLUMNS
from tests.components.plotly_view import through_plotly

spc_figure = through_plotly(spc_figure)


def test_neighbouring_step_labels_are_on_different_lines():
    """Avon and Somerset knife offences have steps at 2010/11 (published annual
    figures) and 2019/20 (VRU funding); the first label is long enough to reach
    the second line, so the two labels must not share a height."""
    periods = [f"{y}/{(y + 1) % 100:02d}" for y in range(2008, 2014)]
    points = pd.DataFrame(
        {c: [None] * len(periods) for c in SPC_COLUMNS}, columns=SPC_COLUMNS
    )
    points["period"] = periods
    points["value"] = [60.0, 50.0, 35.0, 74.0, 75.0, 74.0]
    points["segment"] = [0, 0, 1, 1, 2, 2]
    points["point_type"] = "common"
    points["rules"] = ""
    steps = [
        ("2010/11", "Published annual figures from here (years before: sums)"),
        ("2012/13", "VRU funding began"),
    ]
    fig = spc_figure(points, y_title="Rate", x_title=None, steps=steps)
    labels = [a for a in fig.layout.annotations if a.name.startswith("step:")]
    assert [a.x for a in labels] == ["2010/11", "2012/13"]
    assert labels[0].y != labels[1].y
    # Each label (on a white ground, about 6% of the plot high) sits above every
    # point, so it hides none: the series here is high and flat at the end.
    low, high = fig.layout.yaxis.range
    for label in labels:
        assert low + (label.y - 0.06) * (high - low) > max(points["value"])


def test_the_line_never_joins_points_across_a_recalculation():
    """Published figures to 2018/19 and illustrative ones from 2019/20 are two
    segments: each is its own line, so nothing joins 2018/19 to 2019/20 (one
    'Value' entry in the legend all the same)."""
    periods = ["2017/18", "2018/19", "2019/20", "2020/21"]
    points = pd.DataFrame(
        {c: [None] * len(periods) for c in SPC_COLUMNS}, columns=SPC_COLUMNS
    )
    points["period"] = periods
    points["value"] = [50.0, 52.0, 70.0, 71.0]
    points["segment"] = [0, 0, 1, 1]
    points["point_type"] = "common"
    points["rules"] = ""
    fig = spc_figure(points, y_title="Rate", x_title=None)
    lines = [t for t in fig.data if (t.meta or {}).get("role") == "series"]
    assert [list(t.x) for t in lines] == [periods[:2], periods[2:]]
    assert [t.showlegend for t in lines] == [True, False]
