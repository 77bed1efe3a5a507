"""A chart's table: the accessible <table> behind "View as table", and its CSV
(spreadsheet formula injection neutralised) for "Download CSV". Pure presentation.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from dash import html
from dash.development.base_component import Component

from components.formatting import (
    DASH,
    SUPPRESSED,
    is_missing,
    is_suppressed,
    number,
    to_decimal,
)

DEFAULT_SUPPRESSION_NOTE = (
    "* Value suppressed under disclosure control, so that small numbers cannot "
    "identify people."
)
CSV_DATA_URI_PREFIX = "data:text/csv;charset=utf-8,"
_BOM = "\ufeff"  # lets Excel read the CSV as UTF-8 (for "£" and "–")


# ---------------------------------------------------------------- CSV and tables

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _is_number(value: Any) -> bool:
    kind = type(value)
    if kind is float or kind is int:  # most cells: skip the slower ABC check
        return True
    if kind is str or value is None:
        return False
    return isinstance(value, numbers.Number | Decimal) and not isinstance(
        value, bool | np.bool_
    )


def _csv_text(text: str) -> str:
    """Neutralise formula injection (OWASP): a leading apostrophe on text a
    spreadsheet would run as a formula. Plain numbers written as text ("-5")
    cannot be formulas and are left alone."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_cell(value: Any) -> str:
    if isinstance(value, TableLink):
        return _csv_text(value.text)
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, numbers.Real):
        # shortest round-trip digits, never scientific notation
        return np.format_float_positional(value, trim="-")
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _csv_text(str(value))


def table_to_csv(df: pd.DataFrame) -> str:
    """The table as RFC 4180 CSV (CRLF line ends, header row, no index).

    Numbers are written as numbers (negative ones stay numbers); text that a
    spreadsheet would treat as a formula (=, +, -, @, tab, CR) is prefixed with an
    apostrophe; missing values are empty; "*" stays "*".
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def csv_href(df: pd.DataFrame) -> str:
    """A data: URI downloading `table_to_csv(df)` (with a UTF-8 byte order mark)."""
    return CSV_DATA_URI_PREFIX + quote(_BOM + table_to_csv(df), safe="")


_FORMATTED_NUMBER = re.compile(r"^[-+\u2212]?£?\d[\d,]*(?:\.\d+)?\s*(?:m|k|bn|%)?$")


def _is_numeric_column(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [v for v in values.tolist() if not is_missing(v)]
    if not present:
        return False
    return all(
        _is_number(v)
        or is_suppressed(v)
        or (isinstance(v, str) and _FORMATTED_NUMBER.match(v.strip()) is not None)
        for v in present
    )


def _decimals_needed(values: pd.Series, cap: int = 3) -> int:
    needed = 0
    for v in values.tolist():
        if not _is_number(v) or is_missing(v) or isinstance(v, numbers.Integral):
            continue
        if not math.isfinite(float(v)):
            continue
        exponent = to_decimal(v).normalize().as_tuple().exponent
        needed = max(needed, min(cap, -exponent if isinstance(exponent, int) else 0))
    return needed


def _is_year_column(name: Any, values: pd.Series) -> bool:
    if "year" not in str(name).lower():
        return False
    present = [v for v in values.tolist() if _is_number(v) and not is_missing(v)]
    return bool(present) and all(
        float(v).is_integer() and 1800 <= v <= 2200 for v in present
    )


def _cell_text(value: Any, *, decimals: int, year: bool) -> str:
    if _is_number(value):
        if year:
            return str(int(value))
        return number(value, decimals)
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


class StaticTable(Component):
    """A read-only HTML <table> drawn by one React component
    (assets/vru-components.js).

    Why not html.Table/Tr/Th/Td: each of those is a Dash component, and Dash's
    renderer re-checks every component of the page on every store update while the
    page loads. The chart tables made /violence and /compare hold 1,400 such
    components, which cost seconds of main-thread work (Lighthouse total blocking
    time 4 to 11 s); as one component each table costs next to nothing and the
    browser draws the same markup (see `accessible_table`).

    Props: `columns` [{"name", "numeric"}], `rows` (lists of cells: text, an
    index into `marks` for a missing or suppressed value, {"text", "href",
    "className", "external"?} for a `TableLink`, or {"badges": [{"text",
    "className", "dotClassName"}], "className"} for `TableBadges`),
    `rowClassNames` (optional, one per row), `rowHeaders` (first
    column as <th scope="row">), `marks` [{"shown", "spoken", "title"?}],
    `caption`, `captionId`, `id`, `className`.
    """

    _namespace = "vru_components"
    _type = "StaticTable"
    _children_props: list[str] = []
    _base_nodes: list[str] = []
    _prop_names = [
        "id",
        "className",
        "caption",
        "captionId",
        "columns",
        "rows",
        "rowHeaders",
        "rowClassNames",
        "marks",
    ]
    _valid_wildcard_attributes: list[str] = []
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []


@dataclass(frozen=True)
class TableLink:
    """A table cell linking to another view of the app, e.g. a drill-down. Put it
    in a DataFrame given to `accessible_table`; it navigates like dcc.Link (no page
    reload) but costs no Dash component of its own."""

    text: str
    href: str  # within the app: starts with a single "/"; https:// when external
    class_name: str = ""
    external: bool = False  # another site (a source): an ordinary link

    def __post_init__(self) -> None:
        if self.external:
            if not self.href.startswith(("https://", "http://")):
                raise ValueError(f"an external link is http(s), got {self.href!r}")
        elif not self.href.startswith("/") or self.href.startswith("//"):
            raise ValueError(f"a table link stays within the app, got {self.href!r}")


@dataclass(frozen=True)
class TableBadges:
    """A table cell of badges in words, each with a coloured dot that is hidden
    from screen readers and never the only cue (e.g. RAG counts: "3 Green"). Put
    it in a DataFrame given to `accessible_table`; it costs no Dash component.
    `badges`: (text, class name, dot class name) each."""

    badges: tuple[tuple[str, str, str], ...]
    class_name: str = ""


# Cell codes in StaticTable rows (indexes into its `marks`).
MISSING_CELL = 0
SUPPRESSED_CELL = 1
_MARKS = [
    {"shown": DASH, "spoken": "no data"},
    {
        "shown": SUPPRESSED,
        "spoken": "suppressed",
        "title": "Suppressed under disclosure control",
    },
]


def accessible_table(
    df: pd.DataFrame,
    *,
    caption: str,
    table_id: str | None = None,
    column_formats: Mapping[str, Callable[[Any], str]] | None = None,
    suppression_note: str | None = None,
    row_headers: bool = True,
    class_name: str = "chart-table",
    row_class_names: Sequence[str] | None = None,
) -> html.Div:
    """An accessible HTML table of `df`, in a keyboard-scrollable region.

    <caption>, <th scope="col"> headers, the first (text) column as
    <th scope="row"> when `row_headers`, numeric columns right-aligned with
    tabular figures, missing values as an en dash (read as "no data"), suppressed
    values as "*" (read as "suppressed") followed by the suppression note,
    `TableLink` values as links, `TableBadges` as badges; `row_class_names`, one
    per row, style rows. The table itself is a `StaticTable`.
    """
    column_formats = dict(column_formats or {})
    columns = list(df.columns)
    years = {c: _is_year_column(c, df[c]) for c in columns}
    # years are labels: left-aligned, no thousands separator, may head a row
    numeric = {c: _is_numeric_column(df[c]) and not years[c] for c in columns}
    decimals = {c: _decimals_needed(df[c]) for c in columns}
    any_suppressed = False

    def cell(column: Any, value: Any) -> str | int | dict:
        nonlocal any_suppressed
        if isinstance(value, TableLink):
            link = {"text": value.text, "href": value.href}
            if value.external:
                link["external"] = True
            return {**link, "className": value.class_name}
        if isinstance(value, TableBadges):
            badges = [
                {"text": text, "className": name, "dotClassName": dot}
                for text, name, dot in value.badges
            ]
            return {"badges": badges, "className": value.class_name}
        if is_suppressed(value):
            any_suppressed = True
            return SUPPRESSED_CELL
        if is_missing(value):
            return MISSING_CELL
        if column in column_formats:
            return str(column_formats[column](value))
        return _cell_text(value, decimals=decimals[column], year=years[column])

    first_is_header = row_headers and bool(columns) and not numeric[columns[0]]
    rows = [
        [cell(c, v) for c, v in zip(columns, row, strict=True)]
        for row in df.itertuples(index=False, name=None)
    ]
    caption_id = f"{table_id}-caption" if table_id else None
    table_props: dict[str, Any] = {"id": table_id} if table_id else {}
    if caption_id:
        table_props["captionId"] = caption_id
    if row_class_names is not None:
        table_props["rowClassNames"] = [str(name) for name in row_class_names]
    table = StaticTable(
        caption=caption,
        columns=[{"name": str(c), "numeric": bool(numeric[c])} for c in columns],
        rows=rows,
        rowHeaders=first_is_header,
        marks=_MARKS,
        className=f"table table-sm {class_name}",
        **table_props,
    )
    region_props: dict[str, Any] = {"role": "region", "tabIndex": 0}
    if caption_id:
        region_props["aria-labelledby"] = caption_id
    else:
        region_props["aria-label"] = caption
    children: list[Any] = [
        html.Div(table, className="table-responsive", **region_props)
    ]
    if any_suppressed or suppression_note:
        note = suppression_note or DEFAULT_SUPPRESSION_NOTE
        if not note.lstrip().startswith(SUPPRESSED):
            note = f"{SUPPRESSED} {note}"
        children.append(html.P(note, className="small chart-table__note"))
    return html.Div(children, className="chart-table-wrapper")
