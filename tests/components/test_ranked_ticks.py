"""A ranked bar chart of money writes its value axis in the labels' words
("£2m" beside "£4.49m"), not "£2,000,000"; and it starts as high on the page as
what is drawn above the bars needs (a legend row, a benchmark's label), not a
fixed 80 px."""

from __future__ import annotations

import pandas as pd

from components.bar_figures import ranked_bar_figure
from components.formatting import money

ALLOCATIONS = pd.DataFrame(
    {
        "Force area": ["Metropolitan Police", "Greater Manchester", "Humberside"],
        "Allocation": [9_240_000.0, 4_490_000.0, 993_000.0],
    }
)


def test_money_ticks_are_written_as_the_labels_are():
    fig = ranked_bar_figure(
        ALLOCATIONS,
        label="Force area",
        value="Allocation",
        value_formatter=money,
        ticks_in_words=True,
    )
    xaxis = fig["layout"]["xaxis"]
    assert xaxis["ticktext"] == ["£0", "£2m", "£4m", "£6m", "£8m"]
    assert xaxis["tickvals"] == [0, 2_000_000, 4_000_000, 6_000_000, 8_000_000]
    # every tick inside the axis's range
    assert max(xaxis["tickvals"]) <= xaxis["range"][1]
    assert "tickprefix" not in xaxis
    labels = next(t for t in fig["data"] if t.get("name") == "bar-labels")
    assert "£9.24m" in labels["text"] and "£993,000" in labels["text"]


def test_rates_keep_plotly_ticks_unless_asked():
    fig = ranked_bar_figure(
        ALLOCATIONS, label="Force area", value="Allocation", value_formatter=money
    )
    assert "ticktext" not in fig["layout"]["xaxis"]


def test_room_above_the_bars_is_what_is_drawn_there():
    plain = ranked_bar_figure(ALLOCATIONS, label="Force area", value="Allocation")
    assert plain["layout"]["margin"]["t"] == 20
    compared = ALLOCATIONS.assign(Compared=["worse", "similar", "better"])
    legend = ranked_bar_figure(
        compared, label="Force area", value="Allocation", category_col="Compared"
    )
    assert legend["layout"]["margin"]["t"] == 40
    both = ranked_bar_figure(
        compared,
        label="Force area",
        value="Allocation",
        category_col="Compared",
        benchmark=4_000_000.0,
        benchmark_label="England and Wales",
        value_formatter=money,
    )
    # the legend's row and "England and / Wales: £4m", wrapped to two lines
    assert both["layout"]["margin"]["t"] == 40 + 40 + 16
