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
from itertools import repeat
from typing import Any

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
from data_access.periods import long_date

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
        return _float_text(float(value))
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _csv_text(str(value))


def _float_text(value: float) -> str:
    """Shortest round-trip digits, never scientific notation. Python's repr gives
    the same digits as numpy's positional formatting at a fraction of its cost
    (tests/components/test_chart_tables_equivalence.py); numpy writes the
    exponent forms out in full."""
    text = repr(value)
    if "e" in text or "n" in text:  # 1e+16, 1e-05, inf, nan
        return np.format_float_positional(value, trim="-")
    return text[:-2] if text.endswith(".0") else text


def _csv_column(values: list[Any]) -> list[str]:
    """One column's CSV cells; plain floats, ints and text (most cells) skip the
    chain of type checks `_csv_cell` makes."""
    out = []
    for value in values:
        kind = type(value)
        if kind is float:
            out.append("" if value != value else _float_text(value))
        elif kind is int:
            out.append(str(value))
        elif kind is str:
            out.append(_csv_text(value) if value.strip() else "")
        else:
            out.append(_csv_cell(value))
    return out


@dataclass(frozen=True)
class TableColumns:
    """A table taken apart once (`table_columns`), for both its HTML table and
    its CSV: the column names, each column's dtype, its cells (as
    DataFrame.itertuples yields them) and `Series.tolist()` (what the column tests
    look at)."""

    names: list[Any]
    dtypes: list[Any]
    cells: list[list[Any]]
    listed: list[list[Any]]
    length: int

    def with_text_column(self, name: str, text: str) -> TableColumns:
        """The table with one more column holding `text` in every row, as
        `df[name] = text` on a copy of the frame would, without the copy."""
        cells = [text] * self.length
        return TableColumns(
            [*self.names, name],
            [*self.dtypes, np.dtype(object)],
            [*self.cells, cells],
            [*self.listed, cells],
            self.length,
        )


def _column_arrays(df: pd.DataFrame) -> list[Any]:
    """Each column's values as the frame holds them (a numpy array or an
    extension array), by position: what `df.items()`' Series hold as
    `_values`, and what their dtype, `tolist()` and iteration read, without
    a Series made per column (most of a small table's cost)."""
    arrays = getattr(df, "_iter_column_arrays", None)
    if arrays is None:  # a pandas without it: the Series' own arrays
        return [column._values for _, column in df.items()]
    return list(arrays())


def table_columns(df: pd.DataFrame) -> TableColumns:
    names = list(df.columns)
    arrays = _column_arrays(df)
    cells: list[list[Any]] = []
    listed: list[list[Any]] = []
    for array in arrays:
        dtype = array.dtype
        values = array.tolist()  # Series.tolist()
        listed.append(values)
        # A numpy array's tolist() is what iterating it gives (ndarray.item per
        # cell), as is a Python-backed text column's; other extension and
        # datetime arrays may iterate as other scalars (iterating the Series
        # iterates its extension array).
        if (isinstance(dtype, np.dtype) and dtype.kind not in "mM") or (
            isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
        ):
            cells.append(values)
        else:
            cells.append(list(array))
    return TableColumns(names, [a.dtype for a in arrays], cells, listed, len(df))


def _inferred_dtype(values: list[Any]) -> np.dtype:
    """The dtype pandas gives a column of `values` built from a list, for the
    cases a table needs told apart (whole numbers, numbers, anything else)."""
    kinds = {type(v) for v in values}
    if kinds and kinds <= {int}:
        return np.dtype("int64")
    if kinds <= {int, float}:  # none at all too: pandas makes that float64
        return np.dtype("float64")
    return np.dtype(object)


def columns_table(columns: Mapping[str, list[Any]]) -> TableColumns:
    """A table of plain lists, one per column (name: cells), as `table_columns`
    takes a DataFrame of them apart, without the DataFrame: for a page that
    makes its table's rows itself. Ints and floats are as pandas would hold
    them (a column of ints only is whole numbers, with floats numbers, an
    empty one numbers too), so a column is numeric just as when it came
    through a DataFrame. Give a gap among numbers as NaN: pandas would turn
    None there into NaN and the numbers into floats, which this does not."""
    names = list(columns)
    cells = []
    for values in columns.values():
        dtype = _inferred_dtype(values)
        cells.append([float(v) for v in values] if dtype.kind == "f" else values)
    lengths = {len(c) for c in cells}
    if len(lengths) > 1:
        raise ValueError("every column of a table has one cell per row")
    return TableColumns(
        names,
        [_inferred_dtype(c) for c in cells],
        cells,
        cells,
        lengths.pop() if lengths else 0,
    )


def table_to_csv(df: pd.DataFrame) -> str:
    """The table as RFC 4180 CSV (CRLF line ends, header row, no index).

    Numbers are written as numbers (negative ones stay numbers); text that a
    spreadsheet would treat as a formula (=, +, -, @, tab, CR) is prefixed with an
    apostrophe; missing values are empty; "*" stays "*".
    """
    return _csv_of(table_columns(df))


def _csv_of(table: TableColumns) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(str(c)) for c in table.names])
    if table.names:
        writer.writerows(zip(*(_csv_column(v) for v in table.cells), strict=True))
    else:
        writer.writerows([] for _ in range(table.length))
    return buffer.getvalue()


# urllib.parse.quote(text, safe="") on the UTF-8 bytes (read as Latin-1): the
# same %XX escapes, not a Python call per byte. A table's CSV has a dozen or so
# distinct bytes to escape (",", ".", " ", CR, LF, a quote, "£"'s two ...):
# each is replaced all at once, a pass in C, about 40% cheaper than a
# str.translate that looks every character up.
_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
)
_UNRESERVED_BYTES = bytes(sorted(_UNRESERVED))
_PERCENT_ESCAPES = [chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256)]
_PERCENT = ord("%")


def _quoted(text: str) -> str:
    data = text.encode("utf-8")
    escaped = set(data.translate(None, _UNRESERVED_BYTES))  # the bytes to escape
    text = data.decode("latin-1")
    if _PERCENT in escaped:  # first: the escapes after it bring their own "%"
        text = text.replace("%", "%25")
        escaped.discard(_PERCENT)
    for byte in escaped:
        text = text.replace(chr(byte), _PERCENT_ESCAPES[byte])
    return text


def csv_href(df: pd.DataFrame) -> str:
    """A data: URI downloading `table_to_csv(df)` (with a UTF-8 byte order mark)."""
    return csv_href_of(table_columns(df))


def csv_href_of(table: TableColumns) -> str:
    """`CSV_DATA_URI_PREFIX + _quoted(_BOM + _csv_of(table))`, each distinct
    cell quoted once and the rows joined already quoted.

    Percent-escaping goes byte by byte, so the escapes of a text are the
    escapes of its pieces joined: a cell's text is written and escaped once
    (the source named in every row of a ranking, its "Worse" and "Better"),
    numbers need no escape at all, and the file is put together from the
    escaped cells with "%2C" between them and "%0D%0A" after each row,
    instead of escaping the whole file, byte run by byte run, a dozen times
    over (issue 19). The cells are quoted as the csv module quotes them
    (tests/components/test_chart_tables_equivalence.py)."""
    if not table.names:  # rows of no cells: as the csv module writes them
        return CSV_DATA_URI_PREFIX + _quoted(_BOM + _csv_of(table))
    escaped: dict[str, str] = {}
    header = [_escaped_field(_csv_cell(str(c)), escaped) for c in table.names]
    columns = [
        _escaped_column(values, dtype, escaped)
        for values, dtype in zip(table.cells, table.dtypes, strict=True)
    ]
    if len(columns) == 1:
        # the csv module quotes a row's only cell when it is empty
        header, columns = (
            [h or _EMPTY_ROW for h in header],
            [[cell or _EMPTY_ROW for cell in columns[0]]],
        )
    rows = [_ESCAPED_COMMA.join(header)]
    rows += map(_ESCAPED_COMMA.join, zip(*columns, strict=True))
    rows.append("")
    return CSV_DATA_URI_PREFIX + _ESCAPED_BOM + _ESCAPED_CRLF.join(rows)


_ESCAPED_BOM = _quoted(_BOM)
_ESCAPED_COMMA = _quoted(",")
_ESCAPED_CRLF = _quoted("\r\n")
_EMPTY_ROW = _quoted('""')
_CSV_QUOTED = frozenset(',"\r\n')  # what makes the csv module quote a cell


def _escaped_field(text: str, escaped: dict[str, str]) -> str:
    """A cell's text as the csv module writes it (quoted when it holds a comma,
    a quote or a line break, its quotes doubled), percent-escaped; each
    distinct text worked out once per table."""
    out = escaped.get(text)
    if out is None:
        field = text
        if not _CSV_QUOTED.isdisjoint(text):
            field = '"' + text.replace('"', '""') + '"'
        out = escaped[text] = _quoted(field)
    return out


def _escaped_column(
    values: list[Any], dtype: Any, escaped: dict[str, str]
) -> list[str]:
    """`_csv_column(values)`, each cell as `_escaped_field` makes it. A column of
    floats (a float dtype: every cell a Python float) is written in one go:
    repr's digits, less a ".0" ending, as `_float_text` writes them; digits, a
    point and a minus need neither quotes nor escapes. The same for ints."""
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f" and values:
            text = "\n".join(map(repr, values))
            if "e" not in text and "n" not in text:  # no exponent, nan or inf
                return (text + "\n").replace(".0\n", "\n")[:-1].split("\n")
        elif dtype.kind in "iu":
            return list(map(str, values))
    # as `_csv_column`, a text cell's own text looked up first (a column of
    # texts repeats a few: "Worse", a source, a year)
    by_text: dict[str, str] = {}
    out = []
    for value in values:
        kind = type(value)
        if kind is str:
            cell = by_text.get(value)
            if cell is None:
                text = _csv_text(value) if value.strip() else ""
                cell = by_text[value] = _escaped_field(text, escaped)
            out.append(cell)
            continue
        if kind is float:
            text = "" if value != value else _float_text(value)
        elif kind is int:
            text = str(value)
        else:
            text = _csv_cell(value)
        out.append(_escaped_field(text, escaped))
    return out


_FORMATTED_NUMBER = re.compile(r"^[-+\u2212]?£?\d[\d,]*(?:\.\d+)?\s*(?:m|k|bn|%)?$")


def _is_numeric_column(dtype: Any, values: list[Any]) -> bool:
    if isinstance(dtype, np.dtype):  # pandas' dtype tests, read off its kind
        if dtype.kind != "O":  # numbers, not booleans, dates or durations
            return dtype.kind in "iufc"
    elif isinstance(dtype, pd.StringDtype):
        pass  # text: neither booleans nor numbers, its cells decide
    elif pd.api.types.is_bool_dtype(dtype):
        return False
    elif pd.api.types.is_numeric_dtype(dtype):
        return True
    # every present value a number, "*" or a formatted number, and at least
    # one present: stops at a text column's first word
    present = False
    for v in values:
        if is_missing(v):
            continue
        present = True
        if not (
            _is_number(v)
            or is_suppressed(v)
            or (isinstance(v, str) and _FORMATTED_NUMBER.match(v.strip()) is not None)
        ):
            return False
    return present


def _float_places(value: float) -> int:
    """Decimal places `value` was written with (2.50 -> 1, 100.0 -> 0, 1e-05 ->
    5): what Decimal(repr(value)).normalize() says, read off repr's digits."""
    text = repr(value)
    if "e" in text:
        exponent = to_decimal(value).normalize().as_tuple().exponent
        return -exponent if isinstance(exponent, int) else 0
    return len(text.partition(".")[2].rstrip("0"))


def _decimals_needed(values: list[Any], cap: int = 3) -> int:
    needed = 0
    for v in values:
        if type(v) is float:  # most cells: _float_places without the call
            if v - v == 0:  # finite
                text = repr(v)
                if "e" in text:
                    places = _float_places(v)
                else:
                    places = len(text.partition(".")[2].rstrip("0"))
                if places > needed:
                    needed = min(cap, places)
                    if needed == cap:
                        break
            continue
        if not _is_number(v) or is_missing(v) or isinstance(v, numbers.Integral):
            continue
        if not math.isfinite(float(v)):
            continue
        exponent = to_decimal(v).normalize().as_tuple().exponent
        needed = max(needed, min(cap, -exponent if isinstance(exponent, int) else 0))
    return needed


def _is_year_column(name: Any, values: list[Any]) -> bool:
    if "year" not in str(name).lower():
        return False
    present = [v for v in values if _is_number(v) and not is_missing(v)]
    return bool(present) and all(
        float(v).is_integer() and 1800 <= v <= 2200 for v in present
    )


def _cell_text(value: Any, *, decimals: int, year: bool) -> str:
    if _is_number(value):
        if year:
            return str(int(value))
        return number(value, decimals)
    if isinstance(value, pd.Timestamp | datetime | date):
        return long_date(value)
    return str(value)


class AppComponent(Component):
    """Base of the app's own React components (assets/vru-components.js).

    Why its own __init__: Dash's Component.__init__ runs
    `__import__(self._namespace)` for every prop, only to word a possible error
    message; "vru_components" is no Python package, so each call searched
    sys.path in vain: ~0.25 ms a prop, ~2 ms per chart table and ~1 ms per
    deferred plot, every click. The same checks, without that search.
    """

    _namespace = "vru_components"
    _type = "AppComponent"
    _children_props: list[str] = []  # registered with Dash: a list, not null
    _prop_names: list[str] = []
    _valid_wildcard_attributes: list[str] = []

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            if key not in self._prop_names:
                raise TypeError(
                    f"The `{self._type}` component received an unexpected keyword "
                    f"argument: `{key}`\nAllowed arguments: "
                    + ", ".join(sorted(self._prop_names))
                )
            if key not in self._base_nodes and isinstance(value, Component):
                raise TypeError(
                    f"The `{self._type}` component detected a Component for a "
                    f"prop other than `children`: {key}"
                )
            if key == "id" and not isinstance(value, str):
                raise TypeError(f"`id` prop must be a string, not {value!r}")
            setattr(self, key, value)


class StaticTable(AppComponent):
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


def _special_cell(value: Any) -> str | int | dict | None:
    """A link, badges, suppressed or missing value's cell; None for any other."""
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
        return SUPPRESSED_CELL
    if is_missing(value):
        return MISSING_CELL
    return None


def _table_column(
    values: list[Any],
    *,
    formatter: Callable[[Any], str] | None,
    decimals: Callable[[], int],
    year: bool,
) -> list[str | int | dict]:
    """One column's StaticTable cells, each formatted once. Plain floats, ints and
    text (most cells) take a short road to what `_special_cell` and `_cell_text`
    would make of them."""
    out: list[str | int | dict] = []
    places: int | None = None
    for value in values:
        kind = type(value)
        if kind is str:
            stripped = value.strip()
            if stripped == SUPPRESSED:
                out.append(SUPPRESSED_CELL)
            elif not stripped:
                out.append(MISSING_CELL)
            else:
                out.append(value if formatter is None else str(formatter(value)))
            continue
        if kind is float or kind is int:
            if value != value:  # NaN
                out.append(MISSING_CELL)
            elif formatter is not None:
                out.append(str(formatter(value)))
            elif year:
                out.append(str(int(value)))
            else:
                if places is None:
                    places = decimals()
                out.append(number(value, places))
            continue
        special = _special_cell(value)
        if special is not None:
            out.append(special)
        elif formatter is not None:
            out.append(str(formatter(value)))
        else:
            if places is None:
                places = decimals()
            out.append(_cell_text(value, decimals=places, year=year))
    return out


# What number(v, places) of a float column needs worked out cell by cell: an
# exponent or infinity, 13 or more whole digits (below 1e12 a float is within
# 0.0001 of the decimal repr writes, which format() then rounds to it)
_UNUSUAL_FLOATS = re.compile(r"e|inf|^-?\d{13}", re.MULTILINE)
_FRACTION = re.compile(r"\.(\d+)")


def _number_column(values: list[Any], dtype: Any) -> list[str | int] | None:
    """`_table_column(values, formatter=None, decimals=..., year=False)` of a
    column of floats or ints (a numpy float or int dtype: every cell a Python
    float, or int), written in one go; None when a cell needs `number`'s own
    road (an exponent, an infinity, a huge number or a tie, below).

    Each float's digits are repr's (`number` rounds the decimal the float was
    written as, half up), here in one join; `_decimals_needed`'s places are
    the longest of their fractions; format(v, ",.{places}f") then writes what
    `number` writes, rounding the float itself, except at a tie in repr's
    digits (a fraction of places + 1 digits ending in 5: half up goes up,
    the float may lie below), left to `number`, and "-0.0", which `number`
    writes "0.0". A digit past the tie ("2.251") or before it decides for
    both: the shortest repr lies on the same side of the half as the float
    (tests/components/test_chart_tables_equivalence.py)."""
    if not isinstance(dtype, np.dtype) or not values:
        return None
    if dtype.kind in "iu":  # ints: none has places to write, "-" as number's
        return list(map(format, values, repeat(",")))
    if dtype.kind != "f":
        return None
    text = "\n".join(map(repr, values)) + "\n"  # "nan" for a gap
    if _UNUSUAL_FLOATS.search(text):
        return None
    longest = max(map(len, _FRACTION.findall(text.replace(".0\n", "\n"))), default=0)
    places = min(3, longest)
    if longest > places and re.search(rf"\.\d{{{places}}}5\n", text):
        return None
    negative_zero = "-0." + "0" * places if places else "-0"
    fixes = {"nan": MISSING_CELL, negative_zero: negative_zero[1:]}
    return [fixes.get(t, t) for t in map(format, values, repeat(f",.{places}f"))]


def accessible_table(
    table: pd.DataFrame | TableColumns,
    *,
    caption: str,
    table_id: str | None = None,
    column_formats: Mapping[str, Callable[[Any], str]] | None = None,
    suppression_note: str | None = None,
    row_headers: bool = True,
    class_name: str = "chart-table",
    row_class_names: Sequence[str] | None = None,
) -> html.Div:
    """An accessible HTML table of `table` (a DataFrame, or one already taken
    apart by `table_columns` when its CSV is made from it too), in a
    keyboard-scrollable region.

    <caption>, <th scope="col"> headers, the first (text) column as
    <th scope="row"> when `row_headers`, numeric columns right-aligned with
    tabular figures, missing values as an en dash (read as "no data"), suppressed
    values as "*" (read as "suppressed") followed by the suppression note,
    `TableLink` values as links, `TableBadges` as badges; `row_class_names`, one
    per row, style rows. The table itself is a `StaticTable`.
    """
    if isinstance(table, pd.DataFrame):
        table = table_columns(table)
    column_formats = dict(column_formats or {})
    columns = table.names
    years = [_is_year_column(c, v) for c, v in zip(columns, table.listed, strict=True)]
    # years are labels: left-aligned, no thousands separator, may head a row
    numeric = [
        not year and _is_numeric_column(dtype, values)
        for year, dtype, values in zip(years, table.dtypes, table.listed, strict=True)
    ]
    cell_columns = [
        (
            None
            if years[i] or c in column_formats
            else _number_column(table.cells[i], table.dtypes[i])
        )
        or _table_column(
            table.cells[i],
            formatter=column_formats.get(c) if c in column_formats else None,
            # only worked out for a column with numbers to write
            decimals=lambda i=i: _decimals_needed(table.listed[i]),
            year=years[i],
        )
        for i, c in enumerate(columns)
    ]
    any_suppressed = any(SUPPRESSED_CELL in cells for cells in cell_columns)

    first_is_header = row_headers and bool(columns) and not numeric[0]
    if cell_columns:
        rows = [list(row) for row in zip(*cell_columns, strict=True)]
    else:
        rows = [[] for _ in range(table.length)]
    caption_id = f"{table_id}-caption" if table_id else None
    table_props: dict[str, Any] = {"id": table_id} if table_id else {}
    if caption_id:
        table_props["captionId"] = caption_id
    if row_class_names is not None:
        table_props["rowClassNames"] = [str(name) for name in row_class_names]
    table = StaticTable(
        caption=caption,
        columns=[
            {"name": str(c), "numeric": bool(n)}
            for c, n in zip(columns, numeric, strict=True)
        ],
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
