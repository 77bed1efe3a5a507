"""Part periods drawn as such: a quarter or financial year still running by the
app's clock (data_access.periods.is_complete, the one rule) is not drawn like a
whole one beside whole ones, where reach or spend would seem to have collapsed.

- its label says so ("2025/26 Q3 (part quarter)"), on the axis, in the table and
  in the CSV, and the table has a PERIOD_COLUMN saying "Part period" or
  "Complete";
- its bars are lighter and dotted (`mark_bars`), its line points hollow
  (`mark_points`), and the caption says so (`note`);
- period-on-period comparisons in the summaries leave it out (`complete_rows`),
  and `note` says so.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from components import theme
from components.figure_layout import Figure

PERIOD_COLUMN = "Period status"
PART = "Part period (still running)"
COMPLETE = "Complete"
PART_QUARTER = "part quarter"
PART_OPACITY = 0.45
PART_PATTERN = "."


def quarter_label(label: str, complete: bool) -> str:
    """'2025/26 Q3' -> '2025/26 Q3 (part quarter)' for a quarter still running."""
    return label if complete else f"{label} ({PART_QUARTER})"


def quarter_labels(labels: Iterable[str], complete: Iterable[bool]) -> list[str]:
    """`quarter_label` of each quarter."""
    return [
        quarter_label(label, done)
        for label, done in zip(list(labels), list(complete), strict=True)
    ]


def mark_table(table: pd.DataFrame, complete: pd.Series, column: str) -> list[str]:
    """Add a PERIOD_COLUMN to `table` (in place) when any of its periods is
    still running (`complete` per row); return those periods' `column` labels."""
    if not complete.all():
        table[PERIOD_COLUMN] = status(complete)
    return part_labels(table, column)


def status(complete: Iterable[bool]) -> list[str]:
    """The PERIOD_COLUMN values for rows with these `complete` flags."""
    return [COMPLETE if done else PART for done in complete]


def complete_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table with a PERIOD_COLUMN that are complete periods: what
    a period-on-period comparison may use."""
    if PERIOD_COLUMN not in table.columns:
        return table
    return table[table[PERIOD_COLUMN] != PART]


def part_labels(table: pd.DataFrame, column: str) -> list[str]:
    """The `column` values (period labels) of the part-period rows."""
    if PERIOD_COLUMN not in table.columns:
        return []
    return list(dict.fromkeys(table.loc[table[PERIOD_COLUMN] == PART, column]))


BARS = "its bar is drawn lighter and dotted"
POINTS = "its points are drawn hollow"


def note(labels: list[str], *, drawn: str, compared: bool = True) -> str:
    """A caption sentence naming the part periods drawn (`drawn`: BARS or
    POINTS, how the chart marks them), or "" for none."""
    if not labels:
        return ""
    names = ", ".join(str(label) for label in labels)
    words = f" {names} is still running, not a whole period: {drawn}"
    if compared:
        words += ", and it is left out of the comparison in the summary"
    return words + "."


def _category(trace: dict) -> list | None:
    return trace.get("y" if trace.get("orientation") == "h" else "x")


def mark_bars(fig: Figure, labels: Iterable[str]) -> Figure:
    """Bars at the `labels` categories lighter and dotted, every trace."""
    wanted = {str(label) for label in labels}
    if not wanted:
        return fig
    for trace in fig["data"]:
        cats = _category(trace)
        if trace.get("type") != "bar" or cats is None:
            continue
        part = [str(c) in wanted for c in cats]
        if not any(part):
            continue
        marker = trace.setdefault("marker", {})
        pattern = marker.setdefault("pattern", {})
        shape = pattern.get("shape") or ""
        marker["opacity"] = [PART_OPACITY if p else 1.0 for p in part]
        pattern["shape"] = [PART_PATTERN if p else shape for p in part]
        # Dark labels on the lighter bars (white on them would fail contrast).
        textfont = trace.setdefault("textfont", {})
        colour = textfont.get("color") or theme.WHITE
        textfont["color"] = [theme.TEXT if p else colour for p in part]
    return fig


def mark_points(fig: Figure, labels: Iterable[str]) -> Figure:
    """Line points at the `labels` categories drawn open (hollow), every trace."""
    wanted = {str(label) for label in labels}
    if not wanted:
        return fig
    for trace in fig["data"]:
        if trace.get("type") != "scatter" or trace.get("x") is None:
            continue
        part = [str(c) in wanted for c in trace["x"]]
        if not any(part):
            continue
        marker = trace.setdefault("marker", {})
        symbol = marker.get("symbol") or "circle"
        trace["mode"] = "lines+markers"
        marker["symbol"] = [f"{symbol}-open" if p else symbol for p in part]
        marker["size"] = [11 if p else (marker.get("size") or 7) for p in part]
    return fig
