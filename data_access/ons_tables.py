"""Reading ONS "Police Force Area data tables" files: workbooks and CSV sheets.

ONS changes these files' layout between editions: sheet names carry stray spaces,
table numbers move, header rows sit at different depths, note marks are glued to
names ("Sussex8,9") or written as "[note 3]", numbers carry thousands separators
and trailing spaces, and "ENGLAND AND WALES" may be in capitals. So every table is
found by what it says (its title and its header text), never by a sheet name or a
cell address, and every name is cleaned before it is matched.

This module holds what the readers share:

- `read_sheets(content, filename)`: the sheets of an .xlsx workbook, or the one
  sheet of a CSV file, each read no further than a published table reaches
  (ONS_MAX_COLUMNS x ONS_MAX_ROWS);
- the cell helpers (`text`, `split_marks`, `count`, `period_from_title`);
- the offence-group tables: Table P1 (police recorded crime by offence group and
  police force area) and Table C2 (headline offences by Community Safety
  Partnership), found by `find_offence_tables`, which also says why every other
  sheet was skipped;
- `population_for`: an area's denominator for a year and the note saying which
  estimate it is.

`data_access.ons_import` imports these tables into a running store and
`data_access.shipped.vru_era` loads the shipped year ending June 2025 edition
through the same reader, so a figure is read one way whichever road brings it in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from data_access import periods
from data_access.errors import InvalidParameter
from data_access.models import Population, Source
from data_access.returns.spec import OLE_MAGIC, XLSX_MAGIC, upload_limit

# A published force-area table is a few dozen columns wide and a few hundred rows
# long. Each sheet is read no further than this: a file whose sheet claims to reach
# column XFD (issue 21) would otherwise have every row padded to 16,384 cells.
ONS_MAX_COLUMNS = 60
ONS_MAX_ROWS = 5_000

MISSING = {"na", "..", "-", "*", "x", "[x]", ":", "n/a", "[c]", "[z]", ""}
MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january february march april may june july august september october "
            "november december"
        ).split(),
        start=1,
    )
}
NOT_COUNTS = re.compile(r"percentage change|\brates?\b", re.IGNORECASE)
# A knife offences table, by its title: one rule for the knife reader
# (ons_import), which reads such a table, and the offence-group reader, which
# leaves it, so the two never both read one table.
KNIFE_TITLE = re.compile(r"knife|sharp instrument", re.IGNORECASE)
# The year as four digits (a note mark may follow: "2019 3") or, in some 2018
# editions, two with the marks glued on ("June 181,2" is June 2018, notes 1 and 2).
_YEAR_ENDING = re.compile(
    r"year\s+ending\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d{2}|\d{2})",
    re.IGNORECASE,
)
_MARKS = re.compile(r"(?<=[A-Za-z)\s])\s*(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*$")
_NOTE = re.compile(r"\[\s*note\s*(\d{1,3})\s*\]", re.IGNORECASE)

# Offence groups loaded as measures: measure code -> the column's header text.
OFFENCE_COLUMNS = {
    "possession_of_weapons": "possession of weapons offences",
    "violence_with_injury": "violence with injury",
    "homicide": "homicide",
}


class OnsWorkbookError(InvalidParameter):
    """The file cannot be imported; the message says why."""

    def __init__(self, message: str):
        super().__init__("file", message)


@dataclass
class Sheet:
    name: str
    rows: list[list]


def read_sheets(content: bytes, filename: str = "") -> list[Sheet]:
    """The sheets of an .xlsx workbook or the one sheet of a CSV file.

    Raises OnsWorkbookError for an empty, oversized, .xls, unreadable or binary
    file."""
    if not content:
        raise OnsWorkbookError("The file is empty.")
    if len(content) > upload_limit():
        raise OnsWorkbookError(
            f"The file is larger than the {upload_limit() / 1_048_576:.0f} MB limit."
        )
    if content.startswith(OLE_MAGIC):
        raise OnsWorkbookError(
            "This is an old Excel (.xls) workbook; save it as .xlsx and try again."
        )
    if content.startswith(XLSX_MAGIC):
        return _xlsx_sheets(content)
    return [_csv_sheet(content, filename)]


def _xlsx_sheets(content: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
        raise OnsWorkbookError(
            "The file is not an Excel (.xlsx) workbook that can be read."
        ) from error
    try:
        return [
            Sheet(
                sheet.title.strip(),
                [
                    list(r)
                    for r in sheet.iter_rows(
                        values_only=True, max_col=ONS_MAX_COLUMNS, max_row=ONS_MAX_ROWS
                    )
                ],
            )
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _csv_sheet(content: bytes, filename: str) -> Sheet:
    if b"\x00" in content[:4096]:
        raise OnsWorkbookError(
            "The file is not an Excel (.xlsx) workbook or a CSV file."
        )
    try:
        text_ = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text_ = content.decode("cp1252", errors="replace")
    rows = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text_, newline=""))):
            if i >= ONS_MAX_ROWS:
                break
            rows.append(row[:ONS_MAX_COLUMNS])
    except csv.Error as error:
        raise OnsWorkbookError(f"The CSV file cannot be read: {error}.") from error
    name = re.sub(r"\.csv$", "", (filename or "CSV file").strip(), flags=re.I)
    return Sheet(name or "CSV file", rows)


# ---------------------------------------------------------------- cell helpers


def text(cell) -> str:  # noqa: ANN001
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return re.sub(r"\s+", " ", str(cell)).strip()


def split_marks(value: str) -> tuple[str, tuple[int, ...]]:
    """'Sussex8,9' -> ('Sussex', (8, 9)); 'ENGLAND [note 3]' -> ('ENGLAND', (3,))."""
    notes = tuple(int(n) for n in _NOTE.findall(value))
    value = _NOTE.sub(" ", value).strip()
    match = _MARKS.search(value)
    if not match:
        return value.strip(), notes
    marks = tuple(int(m) for m in re.findall(r"\d+", match[1]))
    return value[: match.start()].strip(), notes + marks


def header_key(cell) -> str:  # noqa: ANN001
    """A header cell as text to match: lower case, note marks and spaces gone."""
    name, _marks = split_marks(text(cell))
    return re.sub(r"\s+", " ", name.lower()).strip()


def count(cell) -> int | None:  # noqa: ANN001
    """A published count, or None for a missing mark ("..", "[x]", "*")."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return int(round(cell)) if cell >= 0 else None
    value = text(cell).replace(",", "").replace(" ", "")
    if value.lower() in MISSING or not re.fullmatch(r"\d+", value):
        return None
    return int(value)


def period_from_title(title: str) -> tuple[dt.date, dt.date, str] | None:
    """'..., year ending June 2025' -> (1 Jul 2024, 30 Jun 2025, 'YE Jun 2025')."""
    matches = list(_YEAR_ENDING.finditer(title))
    if not matches:
        return None
    match = matches[-1]
    year = int(match[2])
    year += 2000 if year < 100 else 0
    label = f"YE {match[1][:3].title()} {year}"
    start, end = periods.year_ending_bounds(label)
    return start, end, label


def title_of(rows: list[list]) -> tuple[int, str] | None:
    """(row index, text) of a sheet's title: its first non-empty cell in the
    first six rows."""
    for i, row in enumerate(rows[:6]):
        for cell in row:
            if text(cell):
                return i, text(cell)
    return None


# ------------------------------------------------------------ offence tables


@dataclass
class OffenceRow:
    """One row of an offence-group table. `level` is "area" for a row of Table
    P1 (a country, region or force) and "csp" for a Community Safety
    Partnership row of Table C2; `force_total` marks C2's force rows."""

    code: str | None
    name: str
    marks: tuple[int, ...]
    values: dict[str, int | None]
    raw: dict[str, str]
    row: int
    pfa_code: str | None = None
    csp_code: str | None = None
    la_code: str | None = None
    force_total: bool = False


@dataclass
class OffenceTable:
    sheet: str
    title: str
    kind: str  # "pfa" (Table P1 shape) or "csp" (Table C2 shape)
    period_start: dt.date
    period_end: dt.date
    edition: str
    columns: dict[str, int]
    rows: list[OffenceRow] = field(default_factory=list)


@dataclass
class TableReport:
    """What a reader found in a file: the tables it will read, and every other
    sheet with the reason it was skipped."""

    found: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _header(rows: list[list], after: int) -> tuple[int, dict[str, int]] | None:
    """(row index, {role: column}) of an offence table's header row: an area
    (or force) code and name column and at least one offence column."""
    for i in range(after + 1, min(len(rows), after + 20)):
        keys = [header_key(c) for c in rows[i]]
        roles: dict[str, int] = {}
        for j, key in enumerate(keys):
            if re.fullmatch(r"(area|police force area|force) code", key):
                roles.setdefault("area_code", j)
            elif re.fullmatch(r"(area|police force area|force) name", key):
                roles.setdefault("area_name", j)
            elif re.fullmatch(r"community safety partnership (area )?code", key):
                roles.setdefault("csp_code", j)
            elif re.fullmatch(r"community safety partnership (area )?name", key):
                roles.setdefault("csp_name", j)
            elif re.fullmatch(r"local authority code", key):
                roles.setdefault("la_code", j)
            for measure, wanted in OFFENCE_COLUMNS.items():
                if key == wanted:
                    roles.setdefault(measure, j)
        if "area_name" in roles and any(m in roles for m in OFFENCE_COLUMNS):
            return i, roles
    return None


def offence_table(sheet: Sheet) -> tuple[OffenceTable | None, str]:
    """The offence-group table in a sheet, or (None, why it is not one)."""
    found = title_of(sheet.rows)
    if found is None:
        return None, "empty"
    title_index, title = found
    lowered = title.lower()
    if KNIFE_TITLE.search(title):
        return None, "a knife offences table (read by the knife reader)"
    if NOT_COUNTS.search(title):
        return None, "a percentage change or rate table, not counts"
    if not re.search(r"offence group|headline offences", lowered):
        return None, f"its title does not name a supported table ({title[:80]!r})"
    period = period_from_title(title)
    if period is None:
        return None, "its title does not say which year it covers"
    header = _header(sheet.rows, title_index)
    if header is None:
        return None, (
            "no header row with an area name and a possession of weapons, violence "
            "with injury or homicide column"
        )
    header_index, roles = header
    kind = "csp" if "csp_name" in roles else "pfa"
    columns = {m: roles[m] for m in OFFENCE_COLUMNS if m in roles}
    table = OffenceTable(
        sheet=sheet.name,
        title=split_marks(title)[0],
        kind=kind,
        period_start=period[0],
        period_end=period[1],
        edition=period[2],
        columns=columns,
    )

    def cell(row: list, role: str) -> str:
        j = roles.get(role)
        return text(row[j]) if j is not None and j < len(row) else ""

    for i in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[i]
        name_raw = cell(row, "csp_name" if kind == "csp" else "area_name")
        force_total = False
        if kind == "csp" and not name_raw and not cell(row, "csp_code"):
            name_raw, force_total = cell(row, "area_name"), True
        if not name_raw or not any(
            j < len(row) and text(row[j]) for j in columns.values()
        ):
            continue
        name, marks = split_marks(name_raw)
        values = {
            m: count(row[j]) if j < len(row) else None for m, j in columns.items()
        }
        raw = {m: text(row[j]) if j < len(row) else "" for m, j in columns.items()}
        code = cell(row, "csp_code" if kind == "csp" else "area_code").upper()
        table.rows.append(
            OffenceRow(
                code=code or None,
                name=name,
                marks=marks,
                values=values,
                raw=raw,
                row=i + 1,
                pfa_code=(cell(row, "area_code").upper() or None),
                csp_code=(cell(row, "csp_code").upper() or None),
                la_code=(cell(row, "la_code").upper() or None),
                force_total=force_total,
            )
        )
    if not table.rows:
        return None, "the header was found but no rows of figures under it"
    return table, ""


def find_offence_tables(
    sheets: list[Sheet], report: TableReport | None = None
) -> list[OffenceTable]:
    """Every offence-group table in the sheets. When `report` is given, the
    tables found and the sheets skipped (with why) are added to it; a sheet
    another reader takes (the knife table) is the caller's to report."""
    tables = []
    for sheet in sheets:
        table, why = offence_table(sheet)
        if table is not None:
            tables.append(table)
            if report is not None:
                named = table.title.lower().startswith(sheet.name.lower())
                report.found.append(
                    f"{table.title[:120]} ({table.edition}, {len(table.rows)} rows; "
                    f"{', '.join(OFFENCE_COLUMNS[m] for m in table.columns)}"
                    f"{'' if named else '; sheet ' + repr(sheet.name)})"
                )
        elif report is not None and not why.startswith("a knife"):
            report.skipped.append(f"{sheet.name}: {why}")
    return tables


# --------------------------------------------------------------- denominators


def population_table(session) -> dict[int, list[tuple[int, float, str]]]:  # noqa: ANN001
    """Area id -> [(mid_year, population, estimate title)] for all ages: read
    once per import, then `population_for` picks from it."""
    table: dict[int, list[tuple[int, float, str]]] = {}
    for area_id, year, value, title in session.execute(
        select(Population.area_id, Population.mid_year, Population.value, Source.title)
        .join(Source, Source.id == Population.source_id)
        .where(Population.age_band == "all")
    ):
        table.setdefault(area_id, []).append((year, float(value), title))
    return table


def population_for(
    table: dict[int, list[tuple[int, float, str]]], area_id: int, year: int
) -> tuple[float | None, str | None]:
    """(population, note) for an area in mid-`year` (all ages): the nearest
    mid-year in `table` (population_table), and a note naming the estimate."""
    rows = table.get(area_id)
    if not rows:
        return None, "No population is available for a denominator."
    nearest = min(rows, key=lambda r: (abs(r[0] - year), r[0]))
    which = f"mid-{nearest[0]} population ({nearest[2]})"
    if nearest[0] != year:
        which += f", the nearest available to mid-{year}"
    return nearest[1], f"Denominator: {which}."
