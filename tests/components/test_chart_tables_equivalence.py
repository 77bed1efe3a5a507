"""The chart table's cells and CSV, built column by column from plain lists
(components.chart_tables), are exactly what the per-cell pandas implementation
they replaced made. That implementation is kept here, in the test only, as the
reference, and both are run on varied tables: suppressed "*", missing values of
every kind, part periods, negative and tiny and huge numbers, dates, links,
badges, years, formatted text numbers, column formats, duplicate names.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest

from components import chart_tables as ct
from components.formatting import is_missing, is_suppressed, money, number, to_decimal

# ----------------------------------------------------------- the old implementation


def _old_csv_cell(value: Any) -> str:
    if isinstance(value, ct.TableLink):
        return ct._csv_text(value.text)
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, numbers.Real):
        return np.format_float_positional(value, trim="-")
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ct._csv_text(str(value))


def old_table_to_csv(df: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_old_csv_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_old_csv_cell(v) for v in row])
    return buffer.getvalue()


def old_csv_href(df: pd.DataFrame) -> str:
    return ct.CSV_DATA_URI_PREFIX + quote(ct._BOM + old_table_to_csv(df), safe="")


def _old_is_numeric_column(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [v for v in values.tolist() if not is_missing(v)]
    if not present:
        return False
    return all(
        ct._is_number(v)
        or is_suppressed(v)
        or (isinstance(v, str) and ct._FORMATTED_NUMBER.match(v.strip()) is not None)
        for v in present
    )


def _old_decimals_needed(values: pd.Series, cap: int = 3) -> int:
    needed = 0
    for v in values.tolist():
        if not ct._is_number(v) or is_missing(v) or isinstance(v, numbers.Integral):
            continue
        if not math.isfinite(float(v)):
            continue
        exponent = to_decimal(v).normalize().as_tuple().exponent
        needed = max(needed, min(cap, -exponent if isinstance(exponent, int) else 0))
    return needed


def _old_is_year_column(name: Any, values: pd.Series) -> bool:
    if "year" not in str(name).lower():
        return False
    present = [v for v in values.tolist() if ct._is_number(v) and not is_missing(v)]
    return bool(present) and all(
        float(v).is_integer() and 1800 <= v <= 2200 for v in present
    )


def _old_cell_text(value: Any, *, decimals: int, year: bool) -> str:
    if ct._is_number(value):
        if year:
            return str(int(value))
        return number(value, decimals)
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def old_table_props(df, *, column_formats=None, row_headers=True):
    """The StaticTable props (columns, rows, rowHeaders) and whether the
    suppression note shows, as the old accessible_table made them."""
    column_formats = dict(column_formats or {})
    columns = list(df.columns)
    years = {c: _old_is_year_column(c, df[c]) for c in columns}
    numeric = {c: _old_is_numeric_column(df[c]) and not years[c] for c in columns}
    decimals = {c: _old_decimals_needed(df[c]) for c in columns}
    any_suppressed = False

    def cell(column, value):
        nonlocal any_suppressed
        if isinstance(value, ct.TableLink):
            link = {"text": value.text, "href": value.href}
            if value.external:
                link["external"] = True
            return {**link, "className": value.class_name}
        if isinstance(value, ct.TableBadges):
            badges = [
                {"text": text, "className": name, "dotClassName": dot}
                for text, name, dot in value.badges
            ]
            return {"badges": badges, "className": value.class_name}
        if is_suppressed(value):
            any_suppressed = True
            return ct.SUPPRESSED_CELL
        if is_missing(value):
            return ct.MISSING_CELL
        if column in column_formats:
            return str(column_formats[column](value))
        return _old_cell_text(value, decimals=decimals[column], year=years[column])

    first_is_header = row_headers and bool(columns) and not numeric[columns[0]]
    rows = [
        [cell(c, v) for c, v in zip(columns, row, strict=True)]
        for row in df.itertuples(index=False, name=None)
    ]
    return {
        "columns": [{"name": str(c), "numeric": bool(numeric[c])} for c in columns],
        "rows": rows,
        "rowHeaders": first_is_header,
        "note": any_suppressed,
    }


# ------------------------------------------------------------------- the new one


def new_table_props(df, *, column_formats=None, row_headers=True):
    wrapper = ct.accessible_table(
        df,
        caption="A caption",
        table_id="t",
        column_formats=column_formats,
        row_headers=row_headers,
    )
    table = wrapper.children[0].children
    return {
        "columns": table.columns,
        "rows": table.rows,
        "rowHeaders": table.rowHeaders,
        "note": len(wrapper.children) == 2,
    }


# ------------------------------------------------------------------------ tables

_RNG = np.random.default_rng(19)


def _random_floats(n: int) -> list[float]:
    values = (_RNG.standard_normal(n) * 10.0 ** _RNG.integers(-7, 18, n)).tolist()
    places = _RNG.integers(0, 6, n).tolist()
    return [round(v, k) if k < 4 else v for v, k in zip(values, places, strict=True)]


TABLES = {
    "quarters, rates, suppressed and missing": pd.DataFrame(
        {
            "Period": ["2023/24 Q1", "2023/24 Q2", "2023/24 Q3 (part)", "2023/24 Q4"],
            "Rate per 100,000": [52.06, 0.25, np.nan, 1234567.891],
            "Count": ["12", "*", " * ", ""],
            "Lower limit": [-1.5, -0.04, None, 2.25],
            "Financial year": [2021, 2022, 2023, 2024],
        }
    ),
    "ints, negatives, dates and timestamps": pd.DataFrame(
        {
            "Area": ["=cmd", "+1", "-5", "@x"],
            "Change": [-5, 0, 17, -1200000],
            "Date": [date(2024, 3, 31), date(2023, 1, 1), None, date(1999, 12, 5)],
            "When": pd.to_datetime(
                ["2024-01-01 00:00", "2024-01-01 13:45", None, "2020-02-29 00:00"]
            ),
            "Flag": [True, False, True, False],
        }
    ),
    "object column of mixed cells": pd.DataFrame(
        {
            "Label": ["a", "b", "c", "d", "e", " padded "],
            "Mixed": [1.5, "*", None, np.float64(2.125), Decimal("3.10"), pd.NA],
            "Formatted": ["£1.2m", "-1,234", "12%", "*", "\u22125", None],
            "Years": [2019.0, 2020.0, np.nan, 2021.0, 2022.0, 2023.0],
            "Year label": ["2019", "2020", "2021", "2022", "2023", "2024"],
        }
    ),
    "links and badges": pd.DataFrame(
        {
            "Area": [
                ct.TableLink("Kent", "/violence?area=E1", "x"),
                ct.TableLink("Source", "https://example.org", external=True),
            ],
            "RAG": [
                ct.TableBadges((("3 Green", "g", "dot-g"),), "rag"),
                ct.TableBadges(()),
            ],
            "Value": [1.0, 2.0],
        }
    ),
    "nullable and float dtypes": pd.DataFrame(
        {
            "Name": ["x", "y", "z"],
            "Int": pd.array([1, None, -3], dtype="Int64"),
            "Float": pd.array([0.1, None, 2.675], dtype="Float64"),
            "f32": np.array([0.1, 1.5, -2.25], dtype="float32"),
            "inf": [np.inf, -np.inf, 1.0],
        }
    ),
    "duplicate names": pd.DataFrame(
        [["a", 1.25, "x"], ["b", 2.5, "*"]], columns=["Name", "Value", "Value"]
    ),
    "random floats": pd.DataFrame(
        {"Area": [f"Area {i}" for i in range(400)], "Value": _random_floats(400)}
    ),
    "text dtypes": pd.DataFrame(
        {
            "Area": pd.array(["a", None, "*", " "], dtype="string"),
            "Value": pd.array(["1", "*", None, "-2.5"], dtype="str"),
            "Year": pd.array([2020, 2021, None, 2023], dtype="Int64"),
        }
    ),
    "labelled illustrative": pd.DataFrame(
        {"Area": ["a", "b"], "Status": ["illustrative data", None], "V": [1.0, 2.0]}
    ),
    "empty": pd.DataFrame({"A": [], "B": []}),
    "no columns": pd.DataFrame(index=range(3)),
    "numbers first": pd.DataFrame({"Value": [1.0, 2.0], "Name": ["a", "b"]}),
}


_CSV_TEXTS = [
    "",
    " ",
    "a",
    "a,b",
    'say "hi"',
    '"',
    "line\nbreak",
    "cr\ronly",
    "crlf\r\nend",
    "tab\tin",
    "=SUM(A1)",
    "-5",
    "£1.2m – 3%",
    "é😀",
    "*",
    "100%",
    "a+b c/d?e#f&g",
]


def _random_text_table(rng, columns: int) -> pd.DataFrame:
    rows = int(rng.integers(0, 6))
    out = {}
    for k in range(columns):
        kind = int(rng.integers(0, 6))
        if kind == 0:  # texts, repeated and hostile
            cells = [_CSV_TEXTS[int(i)] for i in rng.integers(0, len(_CSV_TEXTS), rows)]
        elif kind == 1:  # floats, with gaps, infinities and exponents
            pool = _random_floats(8) + [np.nan, np.inf, -np.inf, -0.0, 1e16, 10.0]
            cells = [pool[int(i)] for i in rng.integers(0, len(pool), rows)]
        elif kind == 2:  # plain floats
            cells = [float(round(v, 2)) for v in rng.normal(0, 1000, rows)]
        elif kind == 3:  # ints
            cells = [int(v) for v in rng.integers(-(10**12), 10**12, rows)]
        elif kind == 4:  # texts with gaps
            pool = [*_CSV_TEXTS, None, np.nan]
            cells = [pool[int(i)] for i in rng.integers(0, len(pool), rows)]
        else:
            cells = np.array(rng.integers(0, 100, rows), dtype="uint16")
        name = _CSV_TEXTS[int(rng.integers(0, len(_CSV_TEXTS)))] + str(k % 2)
        out[name if name not in out else f"{name}{k}"] = cells
    return pd.DataFrame(out)


@pytest.mark.parametrize("columns", [1, 2, 5])
def test_csv_of_hostile_and_random_cells_is_what_the_old_code_wrote(columns):
    """The href's cells escaped one by one and joined (csv_href_of) are the
    csv module's file escaped whole: quotes, commas and line breaks quoted as
    it quotes them, a row's only empty cell as "", floats' digits."""
    rng = np.random.default_rng(columns)
    for _ in range(150):
        df = _random_text_table(rng, columns)
        assert ct.csv_href(df) == old_csv_href(df), df.to_dict("list")


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame({"": ["", "a", ""]}),
        pd.DataFrame({"Only": ["", "", ""]}),
        pd.DataFrame({"Only": [np.nan, 1.5, np.nan]}),
        pd.DataFrame({"a,b": ['x"y', "1\r\n2"], "c": [1.0, 2.0]}),
        pd.DataFrame({"f32": np.array([0.1, np.nan, 3.0], dtype="float32")}),
    ],
)
def test_csv_of_edge_tables_is_what_the_old_code_wrote(df):
    assert ct.csv_href(df) == old_csv_href(df)


def _old_table_columns(df: pd.DataFrame) -> ct.TableColumns:
    """table_columns as it read the frame: a Series per column."""
    series = [column for _, column in df.items()]
    cells, listed = [], []
    for column in series:
        dtype = column.dtype
        values = column.tolist()
        listed.append(values)
        if (isinstance(dtype, np.dtype) and dtype.kind not in "mM") or (
            isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
        ):
            cells.append(values)
        else:
            cells.append(list(column))
    return ct.TableColumns(
        list(df.columns), [c.dtype for c in series], cells, listed, len(df)
    )


def _typed(table: ct.TableColumns) -> tuple:
    """Everything a TableColumns holds, each cell with its type (NaN == NaN)."""
    return (
        [repr(n) for n in table.names],
        [str(d) for d in table.dtypes],
        [[(type(v), repr(v)) for v in c] for c in table.cells],
        [[(type(v), repr(v)) for v in c] for c in table.listed],
        table.length,
    )


@pytest.mark.parametrize("name", list(TABLES))
def test_columns_read_from_the_arrays_are_the_series_cells(name):
    df = TABLES[name]
    assert _typed(ct.table_columns(df)) == _typed(_old_table_columns(df))
    mixed = pd.concat([df, df.iloc[::-1].reset_index(drop=True)], axis=1)
    assert _typed(ct.table_columns(mixed)) == _typed(_old_table_columns(mixed))


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_is_what_the_old_code_wrote(name):
    df = TABLES[name]
    assert ct.table_to_csv(df) == old_table_to_csv(df)
    assert ct.csv_href(df) == old_csv_href(df)


# The old table failed on duplicate column names (df[name] is then a frame).
@pytest.mark.parametrize("name", [n for n in TABLES if n != "duplicate names"])
@pytest.mark.parametrize("row_headers", [True, False])
def test_table_is_what_the_old_code_drew(name, row_headers):
    df = TABLES[name]
    if "inf" in df.columns:
        df = df.drop(columns="inf")  # number() cannot round infinity, old or new
    assert new_table_props(df, row_headers=row_headers) == old_table_props(
        df, row_headers=row_headers
    )


def test_duplicate_names_each_keep_their_own_column():
    props = new_table_props(TABLES["duplicate names"])
    assert props["rows"] == [["a", "1.25", "x"], ["b", "2.50", ct.SUPPRESSED_CELL]]
    assert [c["numeric"] for c in props["columns"]] == [False, True, False]


def test_column_formats_are_applied_as_before():
    df = TABLES["quarters, rates, suppressed and missing"]
    formats = {"Rate per 100,000": money, "Count": lambda v: f"<{v}>"}
    assert new_table_props(df, column_formats=formats) == old_table_props(
        df, column_formats=formats
    )


def test_random_floats_csv_digits_match_numpy():
    values = _random_floats(20000) + [-0.0, 1e16, 1e-5, 5e-324, 0.0001, 1e15]
    for value in values:
        assert ct._float_text(value) == np.format_float_positional(value, trim="-")


def test_decimals_needed_matches_decimal_normalize():
    values = _random_floats(5000) + [100.0, 2.50, 1e-5, 1e16, 0.0, -0.0]
    for value in values:
        assert ct._decimals_needed([value]) == _old_decimals_needed(pd.Series([value]))


def test_quoting_matches_urllib():
    text = "\ufeffA,B\r\n£1,–2 ~_.-!*'();:@&=+$/?#[]%\t\"é😀\r\n"
    assert ct._quoted(text) == quote(text, safe="")


@pytest.mark.parametrize(
    "name",
    ["quarters, rates, suppressed and missing", "labelled illustrative", "empty"],
)
def test_card_adds_the_status_column_as_shown_table_does(name):
    """chart_card appends "Data status" to the plain lists; shown_table to a copy
    of the frame. Both must give the same table and CSV."""
    from dash import html

    from components.chart import ChartSpec, chart_card, shown_table

    spec = ChartSpec(
        chart_id="eq-card",
        title="A finding",
        caption="A caption",
        figure={"data": [{"type": "bar", "x": [1], "y": [1]}], "layout": {}},
        table=TABLES[name],
        illustrative=True,
    )
    card = chart_card(spec)

    def walk(node):
        yield node
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str):
                yield from walk(child)

    nodes = list(walk(card))
    tables = [n for n in nodes if isinstance(n, ct.StaticTable)]
    links = [n for n in nodes if isinstance(n, html.A) and n.id == "eq-card-csv"]
    if TABLES[name].empty:
        assert not tables and not links
        return
    expected = (
        ct.accessible_table(
            shown_table(spec), caption=spec.title, table_id="eq-card-table"
        )
        .children[0]
        .children
    )
    assert tables[0].to_plotly_json() == expected.to_plotly_json()
    assert links[0].href == old_csv_href(shown_table(spec))
    added = "Data status" in [c["name"] for c in tables[0].columns]
    assert added == (name != "labelled illustrative")


# Plain lists, as a page that makes its own rows has them: the same table
# whether given as lists (columns_table) or through a DataFrame of them.
LISTS = {
    "ints, floats and text": {
        "Workstream": [ct.TableLink("A", "/workstreams/1"), ct.TableLink("B", "/w/2")],
        "Late returns": [0, 12],
        "Share": [0.5, 1],
        "Rate": [float("nan"), 2.25],
        "Returns received": ["3 of 4 (75%)", "None expected yet"],
        "Next return due": ["31 October 2025", "–"],
    },
    "badges, dates, flags and gaps": {
        "RAG": [
            ct.TableBadges((("3 Green", "g", "dot-g"),), "rag"),
            ct.TableBadges(()),
        ],
        "Day": [date(2024, 3, 31), None],
        "Flag": [True, False],
        "Count": ["*", "12"],
        "Nothing": [float("nan"), float("nan")],
    },
    "no rows": {"A": [], "B": []},
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_table_of_lists_is_the_table_of_their_frame(name):
    lists = LISTS[name]
    assert new_table_props(ct.columns_table(lists)) == new_table_props(
        pd.DataFrame(lists)
    )


def test_a_table_of_lists_wants_every_column_as_long():
    with pytest.raises(ValueError, match="one cell per row"):
        ct.columns_table({"A": [1, 2], "B": [1]})


def _number_column_cases(rng) -> list[list]:
    """Columns of floats as tables hold them: rounded to a few places, ties
    in repr's digits (2.25, 0.0005), near ties, values that round to -0,
    gaps, huge and tiny ones; and ints."""
    ties = [2.25, 0.125, 1.0005, -2.5, 0.5, 1.5, 2.675, 1.005, -0.0005, 0.0045]
    near = [2.2500000001, 2.2499999999, 0.12500001, -0.0004, -0.04, -0.4, 0.0]
    odd = [-0.0, np.nan, 999999999999.5, 123456789012.345, 1e12, 5e-324, 1e-5]
    cases = []
    for _ in range(1500):
        n = int(rng.integers(1, 25))
        kind = int(rng.integers(0, 4))
        if kind == 0:
            scale = 10.0 ** int(rng.integers(-3, 12))
            places = int(rng.integers(0, 7))
            column = [round(float(v), places) for v in rng.normal(0, scale, n)]
        elif kind == 1:
            pool = ties + near + odd
            column = [pool[int(i)] for i in rng.integers(0, len(pool), n)]
        elif kind == 2:
            column = [float(v) / 1000 for v in rng.integers(-100000, 100000, n)]
        else:
            column = _random_floats(n)
        if rng.random() < 0.3:
            column[int(rng.integers(0, n))] = np.nan
        cases.append(column)
    return cases


def test_number_columns_written_at_once_are_each_cell_written():
    rng = np.random.default_rng(19)
    float64, taken = np.dtype("float64"), 0
    for column in _number_column_cases(rng):
        cells = [float(v) for v in pd.Series(column, dtype="float64").tolist()]
        expected = ct._table_column(
            cells,
            formatter=None,
            decimals=lambda cells=cells: ct._decimals_needed(cells),
            year=False,
        )
        got = ct._number_column(cells, float64)
        if got is not None:
            taken += 1
            assert got == expected, cells
    assert taken > 600  # most columns go the one road
    for ints in ([0, -1, 12, -1234567, 10**15, -(10**17)], [7]):
        expected = ct._table_column(
            ints, formatter=None, decimals=lambda: 0, year=False
        )
        assert ct._number_column(ints, np.dtype("int64")) == expected
