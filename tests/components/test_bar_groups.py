"""bar_figure's colour groups, found by position from the columns as lists, hold
the rows `df[df[color] == name]` holds (the pandas filter they replaced), in
its order, for names of any kind: text, numbers asked for as floats, a name no
row has, and NaN (which equals nothing)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from components.bar_figures import bar_figure
from components.formatting import money

FRAMES = {
    "text": (["b", "a", "b", "c", "a"], None),
    "ordered, with a name no row has": (["b", "a", "b"], ["a", "z", "b"]),
    "numbers asked for as floats": ([1, 2, 1, 3], [1.0, 2.0, 3.0, 4.0]),
    "gaps": (["a", math.nan, "b", math.nan], None),
}


def _expected(frame: pd.DataFrame, order) -> list[tuple[str, list, list]]:
    """(name, categories, values) of each bar trace, by the pandas filter."""
    if order is None:
        order = list(dict.fromkeys(frame["Group"].tolist()))
    out = []
    for name in order:
        part = frame[frame["Group"] == name]
        if part.empty:
            continue
        out.append((str(name), [str(c) for c in part["Year"]], part["Amount"].tolist()))
    return out


@pytest.mark.parametrize("name", list(FRAMES))
def test_each_colour_group_holds_the_rows_the_pandas_filter_held(name):
    groups, order = FRAMES[name]
    frame = pd.DataFrame(
        {
            "Year": [f"20{10 + i}" for i in range(len(groups))],
            "Group": groups,
            "Amount": [1000.0 * (i + 1) for i in range(len(groups))],
        }
    )
    fig = bar_figure(
        frame,
        x="Year",
        y="Amount",
        color="Group",
        color_order=order,
        value_formatter=money,
    )
    drawn = [
        (trace["name"], trace["x"], trace["y"])
        for trace in fig["data"]
        if trace.get("type") == "bar"
    ]
    assert drawn == _expected(frame, order)
    # every value formatted once, for its label and its hover text alike
    for trace in fig["data"]:
        if trace.get("type") == "bar":
            assert trace["text"] == [money(v) for v in trace["y"]]
