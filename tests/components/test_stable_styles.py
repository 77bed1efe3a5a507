"""A group missing from a chart keeps its place in the order it is given, so each
group (e.g. each prevention tier) has one colour on every chart of a page."""

from __future__ import annotations

import pandas as pd

from components import theme
from components.bar_figures import bar_figure
from components.trend_figure import trend_figure

TIERS = ["Primary", "Secondary", "Tertiary"]


def _colours(fig) -> dict[str, str]:
    found = {}
    for trace in fig["data"]:
        colour = (trace.get("marker") or {}).get("color") or (
            trace.get("line") or {}
        ).get("color")
        if trace.get("name") in TIERS and isinstance(colour, str):
            found[trace["name"]] = colour
    return found


def test_a_missing_tier_does_not_shift_the_others_colours():
    only_two = pd.DataFrame(
        {
            "Quarter": ["2024/25 Q1", "2024/25 Q2"] * 2,
            "Tier": ["Secondary", "Secondary", "Tertiary", "Tertiary"],
            "Count": [5, 6, 7, 8],
        }
    )
    expected = {t: theme.series_style(i).colour for i, t in enumerate(TIERS)}
    lines = trend_figure(
        only_two,
        x="Quarter",
        y="Count",
        series="Tier",
        y_title="Count",
        series_order=TIERS,
    )
    bars = bar_figure(
        only_two,
        x="Quarter",
        y="Count",
        color="Tier",
        color_order=TIERS,
        y_title="Count",
    )
    for fig in (lines, bars):
        colours = _colours(fig)
        assert set(colours) == {"Secondary", "Tertiary"}  # no empty Primary trace
        assert colours == {t: expected[t] for t in colours}
