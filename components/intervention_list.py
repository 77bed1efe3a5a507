"""The /prevention page's list of interventions: paging (a page of
ROWS_PER_PAGE rows, the window of page links), interventions ranked by young
people supported and their table rows. Pure presentation.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd

from data_access.periods import quarter_label

ROWS_PER_PAGE = 25  # interventions table rows per page


# ------------------------------------------------------------------------ paging


class Paging(NamedTuple):
    page: int  # from 1
    pages: int
    first: int  # index of the page's first row in the ranked list
    last: int  # index just after its last row


def requested_page(raw) -> int:
    """The page the URL asks for: a whole number from 1; anything else is 1 (a
    hand-edited URL gets the first page, never an error)."""
    try:
        return max(1, int(str(raw).strip()))
    except ValueError:  # also a number too long to parse
        return 1


def paginate(total: int, page: int, size: int = ROWS_PER_PAGE) -> Paging:
    """The rows of `page`, clamped to the last page (the list may have shrunk
    since the link was made, e.g. after a filter change)."""
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    first = (page - 1) * size
    return Paging(page, pages, first, min(first + size, total))


def page_window(page: int, pages: int) -> list[int | None]:
    """The page numbers to link, None for a run left out: the first, the last,
    and the current one with its neighbours (GOV.UK's pagination), so that the
    list stays short with hundreds of pages. A run of one page is linked instead."""
    wanted = sorted({1, page - 1, page, page + 1, pages} & set(range(1, pages + 1)))
    window: list[int | None] = []
    previous = 0
    for number_ in wanted:
        if number_ - previous == 2:
            window.append(previous + 1)
        elif number_ - previous > 2:
            window.append(None)
        window.append(number_)
        previous = number_
    return window


def ranked_interventions(items: pd.DataFrame) -> pd.DataFrame:
    """Most young people supported first, then by name (then id, as names may
    repeat): one stable order for the table's pages and the chart's top 15."""
    return items.sort_values(
        ["young_people_supported", "name", "intervention_id"],
        ascending=[False, True, True],
        key=lambda column: column.str.casefold() if column.name == "name" else column,
        na_position="last",
        ignore_index=True,
    )


# The interventions table's columns; True where the column holds numbers.
_LIST_COLUMNS = {
    "Intervention": False,
    "Delivered by": False,
    "Evidence rating": False,
    "Young people supported": True,
    "Aged under 25": True,
    "Spend": True,
}


def intervention_rows(ranked: pd.DataFrame, area) -> pd.DataFrame:
    """The interventions table as data (_LIST_COLUMNS), one row per intervention
    in `ranked`'s order: the page's table shows these rows a page at a time and
    the full-list CSV holds all of them, so the two cannot drift apart. The
    figures are the store's, unsuppressed, as everywhere on this signed-in page
    (disclosure control is for public outputs); a rule added for the table
    belongs here, so that the CSV gets it too."""
    ranked = ranked.reset_index(drop=True)  # a page's slice keeps its labels
    return pd.DataFrame(
        {
            "Intervention": ranked["name"],
            "Delivered by": [_delivered_by(r, area) for r in ranked.itertuples()],
            "Evidence rating": [
                r if isinstance(r, str) and r else "Not rated"
                for r in ranked["evidence_rating"]
            ],
            "Young people supported": ranked["young_people_supported"],
            "Aged under 25": ranked["young_people_under25"],
            "Spend": ranked["spend"].round(2),
        },
        columns=list(_LIST_COLUMNS),
    )


def _delivered_by(row, area) -> str:
    if row.delivering_level == "lad":
        return row.delivering_name
    return f"{area.name} (force-wide)"


def _delivered_by_detail(detail: dict) -> str:
    if detail["delivering_level"] == "lad":
        return f"{detail['delivering_name']} (local authority)"
    return f"{detail['vru_name']} (force-wide)"


def _runs(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return "Dates not recorded"
    text = f"From {quarter_label(start)}"
    return text + (f" to {quarter_label(end)}" if end else ", ongoing")
