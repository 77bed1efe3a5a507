"""Annotations (dated local events, data_access.annotations) on time charts: a
labelled vertical marker in the figure, a column in the chart's table (and so its
CSV), and a sentence for the text summary.

Labels are plain text typed by users: plotly reads a subset of HTML in annotation
and hover text, so every label is escaped before it reaches a figure (plotly turns
the entities back into the characters; the embeds' SVG renderer does the same).
Figures are built with a point per period; an event is marked at the period whose
first and last days contain its date.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from components import theme
from components.figure_layout import Figure, _vertical_marker

EVENT_COLOUR = theme.DARK_PINK
EVENTS_COLUMN = "Marked events"
_SHORT = 40  # characters of a label written on the chart; the table has it all


def escaped(text: str) -> str:
    """`text` safe to hand to plotly as annotation or hover text."""
    return html.escape(str(text), quote=True)


def _covering(periods: pd.DataFrame, date) -> int | None:
    """Position of the row of `periods` whose period contains `date`."""
    for i, (start, end) in enumerate(
        zip(periods["period_start"], periods["period_end"], strict=True)
    ):
        if start <= date <= end:
            return i
    return None


def chart_marks(
    annotations: pd.DataFrame, periods: pd.DataFrame, x: str
) -> list[tuple[Any, str, str]]:
    """(x value, short label, full text) for each annotation that a period of
    `periods` (period_start, period_end and the figure's x column `x`, one row
    per period drawn) contains; others are left to the summary sentence."""
    if annotations.empty or periods.empty:
        return []
    rows = periods.drop_duplicates(subset=[x]).reset_index(drop=True)
    marks = []
    for note in annotations.itertuples():
        at = _covering(rows, note.event_date)
        if at is None:
            continue
        short = note.label if len(note.label) <= _SHORT else note.label[:_SHORT] + "…"
        marks.append((rows[x].iloc[at], f"{note.kind_label}: {short}", note.text))
    return marks


def add_marks(fig: Figure, marks: Sequence[tuple[Any, str, str]]) -> Figure:
    """Draw each mark as a dashed vertical line with its label; labels step down
    from one mark to the next so neighbours do not overwrite each other."""
    for level, (x, label, _text) in enumerate(marks):
        _vertical_marker(
            fig,
            x,
            escaped(label),
            kind="event",
            dash="dash",
            colour=EVENT_COLOUR,
            label_y=0.78 - 0.1 * (level % 3),
        )
    return fig


def events_column(annotations: pd.DataFrame, periods: pd.DataFrame) -> list[str]:
    """For each row of `periods` (period_start, period_end) the texts of the
    annotations in it, joined by "; " ("" for none): the table's and CSV's
    column `EVENTS_COLUMN`."""
    out = []
    for start, end in zip(periods["period_start"], periods["period_end"], strict=True):
        texts = [
            note.text
            for note in annotations.itertuples()
            if start <= note.event_date <= end
        ]
        out.append("; ".join(texts))
    return out


def events_sentence(annotations: pd.DataFrame) -> str:
    """ "Marked events: ..." for captions and text summaries ("" for none)."""
    if annotations.empty:
        return ""
    return "Marked events: " + "; ".join(annotations["text"]) + "."


def mark_events(
    figure: Figure,
    table: pd.DataFrame,
    summary: str,
    events: pd.DataFrame | None,
    periods: pd.DataFrame,
    x: str,
) -> tuple[pd.DataFrame, str]:
    """Everything a chart card does with its events in one call: markers in
    `figure`, the `EVENTS_COLUMN` in `table` (one row per row of `periods`), and
    the sentence after `summary`. Returns the table and summary to use."""
    if events is None or events.empty:
        return table, summary
    add_marks(figure, chart_marks(events, periods, x))
    table = table.assign(**{EVENTS_COLUMN: events_column(events, periods)})
    return table, f"{summary} {events_sentence(events)}".strip()
