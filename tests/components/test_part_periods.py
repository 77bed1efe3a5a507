"""Part periods (issue 14 item 3): the one rule for "is this period complete"
(data_access.periods.is_complete) on hand-worked dates, and a quarter still
running drawn as such on the /prevention reach chart: marked in its label, its
table (and so CSV) column and its points, and left out of the summary's
first-to-last comparison."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from components import part_periods, theme
from components.prevention_charts import _reach_chart
from data_access import periods

D = dt.date


def test_a_period_is_complete_only_after_its_last_day():
    # 2025/26 Q2 ends on 30 September 2025.
    assert periods.is_complete(D(2025, 9, 30), as_at=D(2025, 10, 1))
    assert not periods.is_complete(D(2025, 9, 30), as_at=D(2025, 9, 30))


def test_part_year_words_name_the_quarters_that_are_over():
    # 22 November 2025: 2025/26 Q1 (to 30 June) and Q2 (to 30 September) are
    # over, Q3 (to 31 December) is running.
    assert periods.part_year_words(2025, as_at=D(2025, 11, 22)) == (
        "part year: Q1\u2013Q2"
    )
    assert periods.part_year_words(2025, as_at=D(2025, 7, 1)) == "part year: Q1"
    assert periods.part_year_words(2025, as_at=D(2025, 4, 2)) == (
        "part year: no quarter complete yet"
    )
    # 2024/25 ended on 31 March 2025: a whole year.
    assert periods.part_year_words(2024, as_at=D(2025, 11, 22)) is None
    assert periods.part_year_words(2024, as_at=D(2025, 3, 31)) == (
        "part year: Q1\u2013Q3"
    )


def _reach() -> dict[str, list]:
    """area_view's reach: columns of plain lists."""
    rows = [
        (D(2025, 4, 1), "2025/26 Q1", 100, True),
        (D(2025, 7, 1), "2025/26 Q2", 200, True),
        (D(2025, 10, 1), "2025/26 Q3", 20, False),  # still running
    ]
    return {
        "period_start": [start for start, _label, _value, _done in rows],
        "period_end": [periods.quarter_end(start) for start, *_rest in rows],
        "period": [label for _start, label, _value, _done in rows],
        "tier": ["primary"] * len(rows),
        "tier_label": ["Primary (universal)"] * len(rows),
        "value": [value for _start, _label, value, _done in rows],
        "illustrative": [False] * len(rows),
        "complete": [done for *_rest, done in rows],
    }


def test_reach_chart_marks_the_running_quarter_and_does_not_compare_it():
    spec = _reach_chart(_reach(), "Avon and Somerset", "2025/26", "all")
    table = spec.table
    assert table["Quarter"].tolist() == [
        "2025/26 Q1",
        "2025/26 Q2",
        "2025/26 Q3 (part quarter)",
    ]
    assert table[part_periods.PERIOD_COLUMN].tolist() == [
        part_periods.COMPLETE,
        part_periods.COMPLETE,
        part_periods.PART,
    ]
    # Compared 100 -> 200 (a 100% increase), not 100 -> 20 (an 80% fall).
    assert "100%" in spec.summary and "rose" in spec.summary
    assert "80%" not in spec.summary and "20 in" not in spec.summary
    assert "2025/26 Q3 (part quarter) is still running" in spec.caption
    assert "left out of the comparison" in spec.caption
    (trace,) = go.Figure(spec.figure).data
    assert list(trace.marker.symbol)[-1].endswith("-open")
    assert not list(trace.marker.symbol)[0].endswith("-open")
    assert "part quarter" in spec.title  # the latest quarter named as such


def test_bars_of_a_part_period_are_lighter_and_dotted():
    from components.bar_figures import bar_figure

    frame = pd.DataFrame({"Quarter": ["Q1", "Q2 (part quarter)"], "Spend": [5, 1]})
    fig = bar_figure(frame, x="Quarter", y="Spend")
    part_periods.mark_bars(fig, ["Q2 (part quarter)"])
    (trace,) = go.Figure(fig).data
    assert list(trace.marker.opacity) == [1.0, part_periods.PART_OPACITY]
    assert list(trace.marker.pattern.shape)[1] == part_periods.PART_PATTERN
    assert list(trace.marker.pattern.shape)[0] != part_periods.PART_PATTERN
    # Dark labels on the lighter bar, as white on it would fail contrast.
    assert list(trace.textfont.color) == [theme.WHITE, theme.TEXT]
