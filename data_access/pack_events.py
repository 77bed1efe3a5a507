"""Annotations on a board pack's success-measure slides (issue 16 item 6: they show
"in tables, CSVs and packs"): the events `annotations.annotations_for` gives the
pack's reader for the measure and VRU over the chart's financial years, as

- marks on the chart (`Chart.marks`: the financial year each falls in, a short
  label and the full text), drawn as a dashed vertical line by the renderers;
- the table's `EVENTS_COLUMN`, the texts of each year's events;
- a sentence for the slide's points and text summary.

The reader is the pack's: a pack "for publication" reads with `scope.PUBLIC`, so
`annotations_for` gives only annotations marked public (and none tied to a
measure that is not public). Nothing else is filtered or computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_access import periods
from data_access.annotations import annotations_for
from data_access.scope import Scope

EVENTS_COLUMN = "Marked events"  # the pages' table and CSV column (annotation_marks)
SHORT = 40  # characters of a label written on the chart (annotation_marks._SHORT)


@dataclass(frozen=True)
class Events:
    marks: tuple[tuple[str, str, str], ...]
    by_category: dict[str, str]  # financial year label -> "; "-joined texts
    sentence: str  # "" when there are none

    def __bool__(self) -> bool:
        return bool(self.marks)


NONE = Events(marks=(), by_category={}, sentence="")


def year_events(
    reader: Scope, area_code: str, measure_code: str, categories: list[str]
) -> Events:
    """The events on a chart of `measure_code` in `area_code` whose categories are
    financial year labels ("2016/17"), first to last, as `reader` may see them."""
    if not categories:
        return NONE
    first = periods.fy_bounds(periods.parse_fy_label(categories[0]))[0]
    last = periods.fy_bounds(periods.parse_fy_label(categories[-1]))[1]
    found = annotations_for(reader, area_code, measure_code, first, last)
    return _events(found, categories)


def _events(found: pd.DataFrame, categories: list[str]) -> Events:
    if found.empty:
        return NONE
    marks, texts = [], {}
    for note in found.itertuples():
        year = periods.fy_label(periods.financial_year_of(note.event_date))
        if year not in categories:
            continue
        short = note.label if len(note.label) <= SHORT else note.label[:SHORT] + "…"
        marks.append((year, f"{note.kind_label}: {short}", note.text))
        texts.setdefault(year, []).append(note.text)
    if not marks:
        return NONE
    return Events(
        marks=tuple(marks),
        by_category={year: "; ".join(t) for year, t in texts.items()},
        sentence="Marked events: " + "; ".join(text for *_, text in marks) + ".",
    )


__all__ = ["EVENTS_COLUMN", "Events", "year_events"]
