"""Quarterly returns: templates, parsing, validation and the submission workflow.

A return is one workstream's figures for one financial quarter, as CSV or XLSX, in
one long table ("Return" sheet) with these columns, in any order:

| column | what |
|---|---|
| record | `output`, `spend` or `measure` |
| period | the quarter, `2025/26 Q2` (or the quarter's first day as a date) |
| area_code | ONS code: delivering area (outputs), VRU force area (spend, measures) |
| intervention_id | the intervention (outputs, spend); `TOTAL` on the spend total row |
| code | output type (outputs) or measure code (measures); blank for spend |
| age_band | `all` or `under25` (outputs); `all` otherwise; optional column |
| value | a count (outputs), pounds (spend) or the measure's value |
| numerator, denominator | for percentage measures; optional columns |
| unit | the unit the value is in, as the template gives it |
| intervention, measure, notes | ignored: for the person filling it in |

The whole file is validated before anything is written (`validate_return`); every
problem names its sheet, row, column, the value found and what was expected. A valid
file is written as a draft submission in one transaction, its figures stored with
`is_current = False` so they never count until approved. Approval flips the previous
current figures for the same keys off and this submission's on, in one transaction,
with audit rows; restoring a superseded submission is the same flip in reverse.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.parsers import expat

import pandas as pd
from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

import settings
from data_access import cache, clock, exceptions
from data_access.audit import record
from data_access.db import session_scope
from data_access.errors import (
    AccessDenied,
    DataAccessError,
    InvalidParameter,
    NotFound,
)
from data_access.models import (
    OUTPUT_TYPES,
    Area,
    AuditLog,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    Source,
    Spend,
    Submission,
    User,
    Workstream,
    WorkstreamMeasure,
)
from data_access.periods import (
    financial_year_of,
    quarter_bounds,
    quarter_label,
    quarter_of,
)
from data_access.returns_due import due_date, is_late
from data_access.scope import Scope
from data_access.summaries import (
    refresh_activity_summaries,
    vru_areas_of_submissions,
)
from data_access.workstreams import quarters_with_every_figure

RECORDS = ("output", "spend", "measure")
AGE_BANDS = ("all", "under25")
OUTPUT_UNITS = {
    "young_people_supported": "people",
    "referrals": "referrals",
    "sessions": "sessions",
    "completions": "people",
    "staff_trained": "people",
}
SPEND_UNIT = "£"
TOTAL = "TOTAL"
DATA_SHEET = "Return"
REQUIRED_COLUMNS = ("record", "period", "area_code", "intervention_id", "code")
REQUIRED_COLUMNS += ("value", "unit")
OPTIONAL_COLUMNS = ("age_band", "numerator", "denominator")
INFO_COLUMNS = ("intervention", "measure", "notes")
TEMPLATE_COLUMNS = (
    "record",
    "period",
    "area_code",
    "intervention_id",
    "intervention",
    "code",
    "measure",
    "age_band",
    "unit",
    "value",
    "numerator",
    "denominator",
    "notes",
)
COLUMN_NOTES = {
    "record": "What the row is: output (an intervention's output), spend (money "
    "spent on an intervention in the quarter) or measure (a workstream measure).",
    "period": "The financial quarter, written like 2025/26 Q2 (Q1 is April to "
    "June). A date is read as the quarter it starts. Every row must be the "
    "quarter of this return, and it cannot be in the future.",
    "area_code": "ONS code of the area: the intervention's delivering area for "
    "outputs; the VRU's police force area for spend and measures. Pre-filled.",
    "intervention_id": "The intervention's number in the monitor (pre-filled). "
    "Blank for measures; TOTAL on the spend total row.",
    "intervention": "The intervention's name, for reference only (not read).",
    "code": "For outputs the output type (young_people_supported, referrals, "
    "sessions, completions, staff_trained); for measures the measure code; "
    "blank for spend.",
    "measure": "The measure's name, for reference only (not read).",
    "age_band": "all, or under25 for the young people aged under 25 (outputs "
    "only). Under-25s cannot be more than all ages.",
    "unit": "The unit of the value, as pre-filled: people, referrals, sessions, "
    "£ (pounds, not thousands) or the measure's unit. Do not change it.",
    "value": "The figure: a whole number of at least 0 for counts; pounds and "
    "pence for spend; for % measures the percentage (0 to 100). Thousands "
    "separators are fine. The spend TOTAL row must equal the sum of the spend "
    "rows.",
    "numerator": "For % measures: the number meeting the measure (optional if "
    "value is given). Not more than the denominator.",
    "denominator": "For % measures: the number it is out of.",
    "notes": "Anything you want to say about the row (not read).",
}
MAX_PROBLEMS = 500
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_PERIOD = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*Q\s*([0-9]+)\s*$", re.IGNORECASE)
# ASCII digits only: "²" and "①" are digits to str.isdigit but not to Decimal.
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$", re.ASCII)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# ------------------------------------------------------------------ small types


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file."""

    sheet: str
    row: int | None
    column: str
    value: str
    expected: str


@dataclass
class ValidationResult:
    problems: list[Problem]
    outputs: list[dict] = field(default_factory=list)
    spend: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.problems

    def problems_frame(self) -> pd.DataFrame:
        """Columns: sheet, row, column, value, expected."""
        return pd.DataFrame(
            [asdict(p) for p in self.problems],
            columns=["sheet", "row", "column", "value", "expected"],
        )


@dataclass(frozen=True)
class UploadResult:
    """What happened to an uploaded return: saved as a draft, or refused."""

    submission_id: int | None
    problems: list[Problem]
    rows: int = 0
    duplicate_of: int | None = None
    superseded: tuple[int, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.submission_id is not None


class FileRefused(InvalidParameter):
    """The file as a whole cannot be read (empty, too large, not a spreadsheet)."""

    def __init__(self, message: str):
        super().__init__("file", message)


class ReturnChanged(DataAccessError):
    """Someone changed this return, or another return of its quarter, since the
    caller looked at it: the action was not taken (the web layer says reload)."""

    def __init__(self, submission_id: int):
        super().__init__(
            f"Return {submission_id} changed while you were looking: nothing was "
            "done. Reload the page to see it as it is now."
        )


# ------------------------------------------------------------------ exporting


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 (with BOM, for Excel) CSV with formula injection neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _missing(v) else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def problems_csv(problems: list[Problem] | list[dict]) -> bytes:
    """The problem report as CSV: sheet, row, column, value, expected."""
    rows = [p if isinstance(p, dict) else asdict(p) for p in problems]
    frame = pd.DataFrame(rows, columns=["sheet", "row", "column", "value", "expected"])
    return csv_bytes(frame)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


# ------------------------------------------------------------------ context


@dataclass
class _Context:
    workstream_id: int
    workstream_name: str
    vru_code: str
    vru_name: str
    interventions: dict[int, tuple[str, str]]  # id -> (name, delivering area code)
    foreign_interventions: set[int]
    measures: dict[str, tuple[int, str, str]]  # code -> (id, name, unit)
    other_measures: set[str]
    area_codes: set[str]
    vru_area_id: int


def _workstream_context(session: Session, workstream_id: int) -> _Context:
    workstream = session.get(Workstream, workstream_id)
    if workstream is None:
        raise NotFound(f"there is no workstream {workstream_id}")
    vru = session.get(Area, workstream.vru_area_id)
    delivering = aliased(Area)
    interventions = {
        id_: (name, code)
        for id_, name, code in session.execute(
            select(Intervention.id, Intervention.name, delivering.code)
            .join(delivering, delivering.id == Intervention.delivering_area_id)
            .where(Intervention.workstream_id == workstream_id)
            .order_by(Intervention.id)
        )
    }
    foreign = set(
        session.scalars(
            select(Intervention.id).where(
                (Intervention.workstream_id != workstream_id)
                | Intervention.workstream_id.is_(None)
            )
        )
    )
    measures = {
        code: (id_, name, unit)
        for id_, code, name, unit in session.execute(
            select(Measure.id, Measure.code, Measure.name, Measure.unit)
            .join(WorkstreamMeasure, WorkstreamMeasure.measure_id == Measure.id)
            .where(WorkstreamMeasure.workstream_id == workstream_id)
            .order_by(Measure.code)
        )
    }
    others = set(session.scalars(select(Measure.code))) - set(measures)
    return _Context(
        workstream_id=workstream.id,
        workstream_name=workstream.name,
        vru_code=vru.code,
        vru_name=vru.name,
        interventions=interventions,
        foreign_interventions=foreign,
        measures=measures,
        other_measures=others,
        area_codes=set(session.scalars(select(Area.code))),
        vru_area_id=vru.id,
    )


def _require_can_upload(scope: Scope, workstream_id: int) -> None:
    if scope.role == "lead":
        if scope.workstream_id != workstream_id:
            raise AccessDenied("you can submit returns only for your own workstream")
        return
    if scope.role not in ("admin", "analyst"):
        raise AccessDenied("your role does not allow submitting returns")


def _require_can_read(scope: Scope, workstream_id: int | None) -> None:
    if scope.unrestricted:
        return
    if scope.role == "lead" and scope.workstream_id == workstream_id:
        return
    raise AccessDenied("your access does not include this workstream's returns")


MAX_COMMENT_CHARS = 2000
MAX_FILENAME_CHARS = 255  # submission.filename


# C0 control characters but tab, line feed and carriage return; NUL among them,
# which PostgreSQL cannot store in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any, name: str, limit: int) -> str:
    """User text stripped of surrounding space. Raises InvalidParameter when it
    is longer than `limit` characters or holds a control character such as NUL."""
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise InvalidParameter(
            name, f"the {name} is {len(text):,} characters long; at most {limit:,}"
        )
    if _CONTROL.search(text):
        raise InvalidParameter(
            name, f"the {name} holds a control character (such as NUL); remove it"
        )
    return text


def upload_limit() -> int:
    """The largest file accepted, in bytes (settings.upload_max_bytes)."""
    return settings.upload_max_bytes()


# ------------------------------------------------------------------ periods


# The financial years a return, template or upload may name.
EARLIEST_FINANCIAL_YEAR = 1990
LATEST_FINANCIAL_YEAR = 2098


def _require_year_in_range(year: int, value: Any) -> None:
    if not EARLIEST_FINANCIAL_YEAR <= year <= LATEST_FINANCIAL_YEAR:
        raise InvalidParameter(
            "period",
            f"'{str(value)[:40]}' is not a quarter from "
            f"{EARLIEST_FINANCIAL_YEAR}/{(EARLIEST_FINANCIAL_YEAR + 1) % 100:02d} to "
            f"{LATEST_FINANCIAL_YEAR}/{(LATEST_FINANCIAL_YEAR + 1) % 100:02d}",
        )


def parse_quarter(value: str | dt.date) -> dt.date:
    """'2025/26 Q2', '2025-07' or a date -> the quarter's first day.

    Raises InvalidParameter for anything that is not a real quarter."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        _require_year_in_range(financial_year_of(value), value)
        start, _ = quarter_bounds(financial_year_of(value), quarter_of(value))
        if start != value:
            raise InvalidParameter(
                "period", f"{value} is not the first day of a quarter"
            )
        return start
    text = str(value).strip()
    match = _PERIOD.match(text)
    if match:
        year, following, quarter = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != following or not 1 <= quarter <= 4:
            raise InvalidParameter(
                "period", f"'{text}' is not a quarter like 2025/26 Q2"
            )
        _require_year_in_range(year, text)
        return quarter_bounds(year, quarter)[0]
    iso = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$", text)
    if iso:
        try:
            day = dt.date(int(iso[1]), int(iso[2]), int(iso[3] or 1))
        except ValueError as error:
            raise InvalidParameter("period", f"'{text}' is not a date") from error
        return parse_quarter(day)
    raise InvalidParameter("period", f"'{text[:40]}' is not a quarter like 2025/26 Q2")


def recent_quarters(*, today: dt.date | None = None, count: int = 8) -> list[dict]:
    """The last `count` quarters that have started, newest first:
    dicts with label ('2025/26 Q2') and value ('2025-07')."""
    today = today or clock.today()
    year, quarter = financial_year_of(today), quarter_of(today)
    out = []
    for _ in range(count):
        start, _end = quarter_bounds(year, quarter)
        out.append({"label": quarter_label(start), "value": start.strftime("%Y-%m")})
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return out


# ------------------------------------------------------------------ templates


def workstreams_for(*, scope: Scope) -> pd.DataFrame:
    """Workstreams whose returns `scope` may see.

    Columns: workstream_id, workstream, area_code, area_name."""
    with session_scope() as session:
        query = (
            select(Workstream.id, Workstream.name, Area.code, Area.name)
            .join(Area, Area.id == Workstream.vru_area_id)
            .order_by(Area.name, Workstream.name)
        )
        if not scope.unrestricted:
            if scope.role != "lead" or scope.workstream_id is None:
                return pd.DataFrame(
                    columns=["workstream_id", "workstream", "area_code", "area_name"]
                )
            query = query.where(Workstream.id == scope.workstream_id)
        rows = session.execute(query).all()
    return pd.DataFrame(
        rows, columns=["workstream_id", "workstream", "area_code", "area_name"]
    )


def template_rows(
    *, scope: Scope, workstream_id: int, period_start: dt.date
) -> pd.DataFrame:
    """The pre-filled rows of a return template (columns TEMPLATE_COLUMNS)."""
    _require_can_upload(scope, workstream_id)
    period_start = parse_quarter(period_start)
    label = quarter_label(period_start)
    with session_scope() as session:
        ctx = _workstream_context(session, workstream_id)
    rows = []
    for id_, (name, area_code) in ctx.interventions.items():
        for output_type in OUTPUT_TYPES:
            bands = AGE_BANDS if output_type == "young_people_supported" else ("all",)
            for band in bands:
                rows.append(
                    {
                        "record": "output",
                        "period": label,
                        "area_code": area_code,
                        "intervention_id": id_,
                        "intervention": name,
                        "code": output_type,
                        "age_band": band,
                        "unit": OUTPUT_UNITS[output_type],
                    }
                )
    for id_, (name, _area) in ctx.interventions.items():
        rows.append(
            {
                "record": "spend",
                "period": label,
                "area_code": ctx.vru_code,
                "intervention_id": id_,
                "intervention": name,
                "age_band": "all",
                "unit": SPEND_UNIT,
            }
        )
    if ctx.interventions:
        rows.append(
            {
                "record": "spend",
                "period": label,
                "area_code": ctx.vru_code,
                "intervention_id": TOTAL,
                "intervention": "Total spend (the sum of the rows above)",
                "age_band": "all",
                "unit": SPEND_UNIT,
            }
        )
    for code, (_id, name, unit) in ctx.measures.items():
        rows.append(
            {
                "record": "measure",
                "period": label,
                "area_code": ctx.vru_code,
                "code": code,
                "measure": name,
                "age_band": "all",
                "unit": unit,
            }
        )
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS))


def template_csv(*, scope: Scope, workstream_id: int, period_start: dt.date) -> bytes:
    """The return template as CSV (UTF-8 with BOM)."""
    return csv_bytes(
        template_rows(
            scope=scope, workstream_id=workstream_id, period_start=period_start
        )
    )


def template_xlsx(*, scope: Scope, workstream_id: int, period_start: dt.date) -> bytes:
    """The return template as XLSX: a Return sheet with drop-down lists, a Notes
    sheet explaining every column and a Lists sheet behind the drop-downs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    frame = template_rows(
        scope=scope, workstream_id=workstream_id, period_start=period_start
    )
    with session_scope() as session:
        ctx = _workstream_context(session, workstream_id)
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append(["" if _missing(v) else neutralise(v) for v in row])
    for cell_row in sheet.iter_rows(min_row=2):
        for cell in cell_row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "A2"
    widths = {"intervention": 40, "measure": 40, "code": 28, "notes": 30}
    for index, name in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(name, 14)

    lists = book.create_sheet("Lists")
    columns = {
        "record": list(RECORDS),
        "code": list(OUTPUT_TYPES) + list(ctx.measures),
        "age_band": list(AGE_BANDS),
        "unit": sorted(
            {*OUTPUT_UNITS.values(), SPEND_UNIT, *(m[2] for m in ctx.measures.values())}
        ),
    }
    last = max(len(frame) + 1, 2) + 200
    for index, (name, values) in enumerate(columns.items(), start=1):
        lists.cell(row=1, column=index, value=name)
        for offset, value in enumerate(values, start=2):
            lists.cell(row=offset, column=index, value=value).data_type = "s"
        letter = lists.cell(row=1, column=index).column_letter
        target = TEMPLATE_COLUMNS.index(name) + 1
        target_letter = sheet.cell(row=1, column=target).column_letter
        validation = DataValidation(
            type="list",
            formula1=f"=Lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            error=f"Choose one of the listed values for {name}.",
        )
        validation.add(f"{target_letter}2:{target_letter}{last}")
        sheet.add_data_validation(validation)
    count = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        error="Enter a number of at least 0.",
    )
    for name in ("value", "numerator", "denominator"):
        letter = sheet.cell(
            row=1, column=TEMPLATE_COLUMNS.index(name) + 1
        ).column_letter
        count.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(count)
    lists.sheet_state = "hidden"

    notes = book.create_sheet("Notes")
    notes.append(["column", "what to enter"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name in TEMPLATE_COLUMNS:
        notes.append([name, COLUMN_NOTES[name]])
    notes.append([])
    notes.append(
        [
            "about",
            neutralise(
                f"Quarterly return for {ctx.workstream_name} ({ctx.vru_name} VRU), "
                f"{quarter_label(parse_quarter(period_start))}. Fill in the value "
                "column (and numerator and denominator for % measures), keep the "
                "other columns as they are, and upload the file on the Returns page. "
                "The whole file is checked before anything is saved."
            ),
        ]
    )
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ reading files

# Bounds on what one upload may make a worker hold, whatever the file claims.
# Together they keep one upload's peak below UPLOAD_MEMORY_CEILING_MB (README).
MAX_COLUMNS = 2 * len(TEMPLATE_COLUMNS)  # A to Z: the template's 13 and spare ones
MAX_ROWS = 200_000  # twice the 100,000-row return of benchmarks/returns_benchmark.py
MAX_CELL_CHARS = 32_767  # Excel's own limit on the text of one cell
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_TEXT_CHARS = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_XML_PART_BYTES = 16 * 1024 * 1024  # workbook.xml, its relationships, styles.xml
UPLOAD_MEMORY_CEILING_MB = 512
_XML_CHUNK_BYTES = 64 * 1024


@dataclass
class _Table:
    sheet: str
    header: list[str]
    header_row: int
    # (row number in the file, cells) of the non-blank rows after the header,
    # streamed: read once, by validation.
    rows: Iterator[tuple[int, list[Any]]]


def _decode_text(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def read_table(content: bytes, filename: str) -> _Table:
    """The data table of an uploaded file. Raises FileRefused when the file as a
    whole cannot be read; cell-level problems are left to validation. The rows are
    streamed, so a FileRefused can also come while validation reads them."""
    limit = upload_limit()
    if content is None or len(content) == 0:
        raise FileRefused("The file is empty.")
    if len(content) > limit:
        raise FileRefused(
            f"The file is {len(content) / 1_048_576:.1f} MB; the largest accepted is "
            f"{limit / 1_048_576:.1f} MB."
        )
    name = (filename or "").lower()
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise FileRefused(
            "This is an old Excel (.xls) file or not a spreadsheet. Save it as "
            ".xlsx or .csv and upload it again."
        )
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRefused("The file is named .xlsx but is not an Excel workbook.")
    if b"\x00" in content[:65536]:
        raise FileRefused(
            "The file is not a spreadsheet (CSV or XLSX). Download the template and "
            "fill that in."
        )
    try:
        text = _decode_text(content)
    except UnicodeDecodeError as error:
        raise FileRefused(
            "The file is not text in UTF-8 or Windows-1252, so it is not a CSV file "
            "we can read."
        ) from error
    return _read_csv(text)


def _too_wide(sheet: str, where: str) -> FileRefused:
    last = _column_letter(MAX_COLUMNS)
    return FileRefused(
        f"The sheet '{sheet}' {where}; a return has at most {MAX_COLUMNS} columns "
        f"(A to {last}). Delete the columns after {last}, or copy the rows into the "
        "template, and upload it again."
    )


def _too_long(sheet: str) -> FileRefused:
    return FileRefused(
        f"The sheet '{sheet}' has more than {MAX_ROWS:,} rows; a return has fewer. "
        "Split it, or check that it is the right file."
    )


def _read_csv(text: str) -> _Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for n, row in enumerate(reader, start=1):
                if n > MAX_ROWS:
                    raise _too_long("CSV")
                if len(row) > MAX_COLUMNS:
                    # Trailing empty fields (a spreadsheet's export of a wider
                    # range) are harmless; figures beyond the last column are not.
                    if not _row_blank(row[MAX_COLUMNS:]):
                        raise _too_wide("CSV", f"has a value in field {len(row)}")
                    del row[MAX_COLUMNS:]
                yield n, row
        except csv.Error as error:
            raise FileRefused(
                f"The file is not a readable CSV file ({error})."
            ) from error

    return _table_from_rows("CSV", rows())


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Excel's built-in number formats that show a date or time.
_DATE_FORMATS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}


def _column_letter(number: int) -> str:
    """Excel's letters for a 1-based column number (26 -> 'Z', 27 -> 'AA')."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ('C7' -> 2); -1 when there is none."""
    index = 0
    for char in ref.upper():
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _local(name: str) -> str:
    """An XML element's name without its namespace (expat gives 'uri}name'), so
    both transitional and strict OOXML workbooks read the same."""
    return name[name.rfind("}") + 1 :]


def _parse_xml(stream, handlers: Any) -> Iterator[None]:
    """Feed an XML stream to expat in chunks, yielding after each chunk, so the
    caller can hand on what the handlers collected. Expat keeps no tree: memory
    is what the handlers keep, plus one chunk."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.text
    while chunk := stream.read(_XML_CHUNK_BYTES):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


class _SharedStrings:
    """Expat handlers collecting a workbook's shared strings, within bounds."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.phonetic = 0  # inside <rPh>: phonetic runs are not part of the text
        self.collecting = False
        self.total = 0

    def start(self, name: str, _attrs: dict) -> None:
        local = _local(name)
        if local == "si":
            self.parts = []
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and not self.phonetic:
            self.collecting = True

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise FileRefused(
                    f"The workbook has more than {MAX_SHARED_STRINGS:,} different "
                    "texts; a return has far fewer."
                )
            self.strings.append("".join(self.parts))

    def text(self, data: str) -> None:
        if not self.collecting:
            return
        self.total += len(data)
        if self.total > MAX_SHARED_TEXT_CHARS:
            raise FileRefused(
                "The workbook holds more text than a return can "
                f"({MAX_SHARED_TEXT_CHARS // 1_048_576} million characters)."
            )
        self.parts.append(data)


class _SheetCells:
    """Expat handlers turning a worksheet's XML into rows of cell values.

    Only the first MAX_COLUMNS columns are kept: a sheet whose dimension says it
    is wider, or with a value in a later column, is refused before any row is
    padded. A cell's text is capped at MAX_CELL_CHARS. Formulas give their cached
    values (as openpyxl's data_only does)."""

    def __init__(self, sheet: str, shared: list[str], date_styles: set[int]):
        self.sheet = sheet
        self.shared = shared
        self.date_styles = date_styles
        self.done: list[tuple[int, list[Any]]] = []
        self.count = 0
        self.number = 0
        self.cells: list[Any] | None = None
        self.column = -1
        self.ref = ""
        self.kind: str | None = None
        self.style = 0
        self.parts: list[str] | None = None
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "c":
            self.ref = attrs.get("r") or ""
            self.column = _column_index(self.ref) if self.ref else self.column + 1
            self.kind = attrs.get("t")
            style = attrs.get("s") or "0"
            self.style = int(style) if style.isdigit() and len(style) < 9 else 0
            self.parts = None
        elif local == "v" or (
            local == "t" and self.kind == "inlineStr" and not self.phonetic
        ):
            if self.parts is None:
                self.parts, self.length = [], 0
            self.collecting = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "row":
            self.count += 1
            if self.count > MAX_ROWS:
                raise _too_long(self.sheet)
            r = attrs.get("r") or ""
            self.number = int(r) if r.isdigit() and len(r) < 9 else self.number + 1
            self.cells = []
            self.column = -1
        elif local == "dimension":
            last = (attrs.get("ref") or "").split(":")[-1]
            if _column_index(last) >= MAX_COLUMNS:
                raise _too_wide(self.sheet, f"is used up to cell {last[:20]}")

    def text(self, data: str) -> None:
        if not self.collecting:
            return
        self.length += len(data)
        if self.length > MAX_CELL_CHARS:
            raise FileRefused(
                f"The sheet '{self.sheet}' has a cell "
                f"({self.ref[:20] or f'row {self.number}'}) with more than "
                f"{MAX_CELL_CHARS:,} characters."
            )
        self.parts.append(data)  # type: ignore[union-attr]

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            self._keep_cell()
        elif local == "row" and self.cells is not None:
            self.done.append((self.number, self.cells))
            self.cells = None

    def _keep_cell(self) -> None:
        if self.parts is None or self.cells is None or self.column < 0:
            return  # an empty (styled) cell, or one outside a row
        if self.column >= MAX_COLUMNS:
            raise _too_wide(
                self.sheet, f"has a value in cell {self.ref[:20] or self.column + 1}"
            )
        value = self._value("".join(self.parts))
        cells = self.cells
        if len(cells) <= self.column:
            cells.extend([None] * (self.column + 1 - len(cells)))
        cells[self.column] = value

    def _value(self, text: str) -> Any:
        kind = self.kind
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError) as error:
                raise FileRefused(
                    f"The sheet '{self.sheet}' refers to a text that the workbook "
                    "does not have; it is damaged. Save it again as .xlsx."
                ) from error
        if kind in ("str", "e", "inlineStr"):
            return text
        if kind == "b":
            return text == "1"
        try:
            number = float(text)
        except ValueError:
            return text
        if self.style in self.date_styles:
            try:
                return dt.datetime(1899, 12, 30) + dt.timedelta(days=number)
            except (OverflowError, ValueError):
                return number
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number

    def take(self) -> list[tuple[int, list[Any]]]:
        done, self.done = self.done, []
        return done


def _xml_part(book: zipfile.ZipFile, name: str) -> bytes:
    if book.getinfo(name).file_size > MAX_XML_PART_BYTES:
        raise FileRefused(f"The workbook's {name} is too large for a return.")
    return book.read(name)


def _fast_xlsx_sheets(content: bytes) -> list[tuple[str, Any]]:
    """(sheet title, function streaming its rows) for each sheet, parsing the XML
    with expat directly: several times faster than openpyxl on a 100,000-row file,
    with memory bounded by MAX_COLUMNS, MAX_CELL_CHARS and the shared-string
    limits whatever the file says."""
    from xml.etree import ElementTree

    book = zipfile.ZipFile(io.BytesIO(content))
    names = set(book.namelist())
    if sum(i.file_size for i in book.infolist()) > MAX_UNZIPPED_BYTES:
        raise FileRefused(
            f"The workbook unpacks to more than {MAX_UNZIPPED_BYTES // 1_048_576} "
            "MB; it is refused."
        )
    workbook = ElementTree.fromstring(_xml_part(book, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_xml_part(book, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    shared = _SharedStrings()
    if "xl/sharedStrings.xml" in names:
        with book.open("xl/sharedStrings.xml") as stream:
            for _ in _parse_xml(stream, shared):
                pass
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = ElementTree.fromstring(_xml_part(book, "xl/styles.xml"))
        custom = {
            int(f.get("numFmtId")): f.get("formatCode", "")
            for f in styles.iter(_NS + "numFmt")
        }
        xfs = styles.find(_NS + "cellXfs")
        for i, xf in enumerate([] if xfs is None else xfs.findall(_NS + "xf")):
            fmt = int(xf.get("numFmtId", 0))
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", custom.get(fmt, "").lower())
            if fmt in _DATE_FORMATS or (
                fmt in custom and re.search(r"[dy]|mm?m", code)
            ):
                date_styles.add(i)

    def reader(title: str, path: str):
        def rows() -> Iterator[tuple[int, list[Any]]]:
            cells = _SheetCells(title, shared.strings, date_styles)
            try:
                with book.open(path) as stream:
                    for _ in _parse_xml(stream, cells):
                        yield from cells.take()
            except FileRefused:
                raise
            except Exception as error:  # noqa: BLE001 - damaged sheet XML
                raise FileRefused(
                    "The file is not an Excel workbook we can read. Save it as "
                    ".xlsx or .csv."
                ) from error

        return rows

    sheets = []
    for sheet in workbook.iter(_NS + "sheet"):
        target = targets[sheet.get(_REL_ID)]
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        sheets.append((sheet.get("name"), reader(sheet.get("name"), path)))
    return sheets


def _openpyxl_sheets(content: bytes) -> list[tuple[str, Any]]:
    """The fallback for workbooks the fast reader cannot lay out: openpyxl in
    read-only mode, refusing a sheet wider than MAX_COLUMNS by its dimension and
    reading only the first MAX_COLUMNS columns of each row."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)

    def reader(ws):
        def rows():
            if (ws.max_column or 0) > MAX_COLUMNS:
                raise _too_wide(ws.title, f"is used up to column {ws.max_column}")
            for n, row in enumerate(
                ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                if n > MAX_ROWS:
                    raise _too_long(ws.title)
                yield n, list(row)

        return rows

    return [(ws.title, reader(ws)) for ws in book.worksheets]


def _read_xlsx(content: bytes) -> _Table:
    refused = FileRefused(
        "The file is not an Excel workbook we can read. Save it as .xlsx or .csv."
    )
    try:
        sheets = _fast_xlsx_sheets(content)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - an unusual but valid workbook: try openpyxl
        try:
            sheets = _openpyxl_sheets(content)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
            raise refused from error
    titles = [title for title, _rows in sheets]
    candidates = [s for s in sheets if s[0].strip().lower() == "return"]
    candidates += [
        s for s in sheets if s[0].strip().lower() not in ("return", "notes", "lists")
    ]
    if not candidates:
        raise FileRefused(
            f"The workbook has no '{DATA_SHEET}' sheet (sheets found: "
            f"{', '.join(titles)})."
        )
    for title, rows in candidates:
        try:
            table = _table_from_rows(title, rows(), required=False)
        except FileRefused:
            raise
        except Exception as error:  # noqa: BLE001 - damaged sheet XML
            raise refused from error
        if table is not None:
            return table
    raise FileRefused(
        f"No sheet has the return's header row ({', '.join(REQUIRED_COLUMNS)}). "
        f"Sheets found: {', '.join(titles)}."
    )


def _row_blank(row: list[Any]) -> bool:
    for cell in row:
        if cell is None:
            continue
        if cell.__class__ is not str or cell.strip():
            return False
    return True


def _norm_header(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").strip().lower())


HEADER_SEARCH_ROWS = 10  # the header is among the first ten non-blank rows


def _table_from_rows(
    sheet: str, raw: Iterator[tuple[int, list[Any]]], *, required: bool = True
) -> _Table | None:
    """The header and the streamed body of a sheet's rows (blank rows skipped).
    Only the first HEADER_SEARCH_ROWS non-blank rows are read here."""
    content_rows = ((n, row) for n, row in raw if not _row_blank(row))
    first = list(itertools.islice(content_rows, HEADER_SEARCH_ROWS))
    if not first:
        if required:
            raise FileRefused("The file is empty: it has no header row and no rows.")
        return None
    for position, (n, row) in enumerate(first):
        names = [_norm_header(c) for c in row]
        if "record" in names and "value" in names:
            body = itertools.chain(first[position + 1 :], content_rows)
            return _Table(
                sheet=sheet, header=names, header_row=n, rows=_body(body, required)
            )
    if required:
        first_n, first_row = first[0]
        return _Table(
            sheet=sheet,
            header=[_norm_header(c) for c in first_row],
            header_row=first_n,
            rows=_body(itertools.chain(first[1:], content_rows), required),
        )
    return None


def _body(
    rows: Iterator[tuple[int, list[Any]]], required: bool
) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header; a CSV with none is refused as a whole."""
    rows = iter(rows)
    try:
        head = next(rows)
    except StopIteration:
        if required:
            raise FileRefused(
                "The file has a header row but no rows of figures."
            ) from None
        return iter(())
    return itertools.chain([head], rows)


# ------------------------------------------------------------------ validation


def _cell_text(cell: Any) -> str:
    if cell.__class__ is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    return str(cell).strip()


def _number(cell: Any) -> Decimal | None:
    """A number from a cell: numbers as they are; text with thousands separators,
    a £ sign or spaces. None when not a number."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(cell))
    if cell.__class__ is str and cell.isascii() and cell.isdigit():
        return Decimal(cell)
    text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    text = text.replace("£", "", 1) if text.startswith(("£", "-£")) else text
    if text.startswith("-£"):
        text = "-" + text[2:]
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _period_of(cell: Any) -> dt.date:
    """Quarter start from a label, an ISO date, an Excel date or an Excel serial."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if not 20000 <= cell <= 80000:
            raise InvalidParameter("period", "not a quarter")
        return parse_quarter(_EXCEL_EPOCH + dt.timedelta(days=int(cell)))
    text = _cell_text(cell)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _period_of(float(text))
    if isinstance(cell, (dt.date, dt.datetime)):
        return parse_quarter(cell)
    return parse_quarter(text)


class _Problems:
    def __init__(self, sheet: str):
        self.sheet = sheet
        self.items: list[Problem] = []
        self.more = 0

    def add(self, row: int | None, column: str, value: Any, expected: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.more += 1
            return
        text = _cell_text(value)
        if len(text) > 80:
            text = text[:77] + "..."
        self.items.append(Problem(self.sheet, row, column, text, expected))

    def finish(self) -> list[Problem]:
        self.items.sort(key=lambda p: (p.row is None, p.row or 0))
        if self.more:
            self.items.append(
                Problem(
                    self.sheet,
                    None,
                    "",
                    "",
                    f"... and {self.more:,} more problems not listed; fix these first",
                )
            )
        return self.items


def validate_return(
    *,
    scope: Scope,
    workstream_id: int,
    period_start: dt.date | str,
    content: bytes,
    filename: str,
    today: dt.date | None = None,
) -> ValidationResult:
    """Check a whole return file; nothing is written. Raises AccessDenied when the
    user may not submit this workstream's returns, FileRefused when the file cannot
    be read at all, InvalidParameter for an unreal period or file name."""
    _require_can_upload(scope, workstream_id)
    period_start = parse_quarter(period_start)
    clean_text(filename, "file name", MAX_FILENAME_CHARS)
    today = today or clock.today()
    if period_start > today:
        raise InvalidParameter(
            "period", f"{quarter_label(period_start)} is in the future"
        )
    table = read_table(content, filename)
    with session_scope() as session:
        ctx = _workstream_context(session, workstream_id)
    return _validate_table(table, ctx, period_start, today)


# The ranges every figure must be in before it reaches the store (issue 21: a
# 400-digit value was stored as infinity and broke the pages that showed it).
MAX_COUNT = 2_000_000_000  # outputs, count measures, numerators, denominators
MAX_SPEND = Decimal("1e12")  # pounds, exclusive
MAX_PERCENT = Decimal(100)
PERCENT_TOLERANCE = Decimal("0.1")  # value against numerator / denominator * 100
TOTAL_TOLERANCE = Decimal("0.005")  # the spend TOTAL row against the sum, in £
PENCE = Decimal("0.01")
SPEND_UNITS = (SPEND_UNIT, "GBP", "gbp", "pounds")
COUNT_EXPECTED = "a whole number of at least 0"


class _Rows:
    """What the per-record validators share while one table is read: the header's
    column positions, the problems so far, what has been accepted and the keys
    seen (for duplicates)."""

    def __init__(self, table: _Table, ctx: _Context, period_start: dt.date, today):
        self.table = table
        self.ctx = ctx
        self.period_start = period_start
        self.period_label = quarter_label(period_start)
        self.today = today
        self.problems = _Problems(table.sheet)
        self.index: dict[str, int] = {}
        self.periods_seen: dict[Any, dt.date] = {}
        self.outputs: dict[tuple, dict] = {}
        self.spend: dict[int, dict] = {}
        self.measures: dict[str, dict] = {}
        self.seen: dict[tuple, int] = {}
        self.total_row: tuple[int, Decimal] | None = None

    def get(self, row: list[Any], name: str) -> Any:
        """The cell of column `name`; None when missing or blank."""
        position = self.index.get(name)
        if position is None or position >= len(row):
            return None
        cell = row[position]
        if cell is None or (cell.__class__ is str and not cell.strip()):
            return None
        return cell

    def add(self, row: int | None, column: str, value: Any, expected: str) -> None:
        self.problems.add(row, column, value, expected)

    @property
    def count(self) -> int:
        return len(self.problems.items) + self.problems.more

    def period_of(self, cell: Any) -> dt.date:
        # Every row names the same few quarters: parse each spelling once.
        key = (cell.__class__, cell)
        found = self.periods_seen.get(key)
        if found is None:
            found = self.periods_seen[key] = _period_of(cell)
        return found

    def first_row(self, key: tuple, n: int) -> int | None:
        """The row that already had `key`, or None (and `key` is now row n's)."""
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = n
        return None


def _check_header(rows: _Rows) -> bool:
    """Column positions from the header; False when a column is missing,
    unknown or repeated (then no row is read)."""
    table = rows.table
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(INFO_COLUMNS)
    for position, name in enumerate(table.header):
        if not name:
            continue
        if name in rows.index:
            rows.add(table.header_row, name, name, "each column only once")
        elif name not in known:
            rows.add(
                table.header_row,
                name,
                name,
                "a column of the template: " + ", ".join(TEMPLATE_COLUMNS),
            )
        rows.index.setdefault(name, position)
    for name in REQUIRED_COLUMNS:
        if name not in rows.index:
            rows.add(table.header_row, name, "(missing)", f"a '{name}' column")
    return not rows.problems.items


def _check_period(rows: _Rows, n: int, row: list[Any]) -> None:
    """Every row is for the return's own quarter: not another, not the future."""
    cell = rows.get(row, "period")
    try:
        if cell is None:
            raise InvalidParameter("period", "missing")
        period = rows.period_of(cell)
    except InvalidParameter:
        rows.add(n, "period", cell, f"a quarter like {rows.period_label}")
        return
    if period > rows.today:
        rows.add(n, "period", cell, "a quarter not in the future")
    elif period != rows.period_start:
        rows.add(n, "period", cell, f"{rows.period_label}, the quarter of this return")


def _count(
    rows: _Rows, n: int, column: str, cell: Any, *, required: bool
) -> Decimal | None:
    """A whole number from 0 to MAX_COUNT in `column`, or a problem (None)."""
    if cell is None:
        if required:
            rows.add(n, column, cell, COUNT_EXPECTED)
        return None
    value = _number(cell)
    if value is None or value != value.to_integral_value():
        rows.add(n, column, cell, COUNT_EXPECTED)
        return None
    if value < 0:
        rows.add(n, column, cell, "a count of at least 0")
        return None
    if value > MAX_COUNT:
        rows.add(n, column, cell, f"a count of at most {MAX_COUNT:,}")
        return None
    return value


def _intervention(rows: _Rows, n: int, cell: Any, *, total_allowed: bool) -> Any:
    """The row's intervention id (or TOTAL on a spend total row), or None after a
    problem."""
    ctx = rows.ctx
    if total_allowed and _cell_text(cell).upper() == TOTAL:
        return TOTAL
    number = _number(cell) if cell is not None else None
    if number is None or number != number.to_integral_value():
        rows.add(
            n, "intervention_id", cell, "the intervention's number from the template"
        )
        return None
    if int(number) in ctx.interventions:
        return int(number)
    if int(number) in ctx.foreign_interventions:
        expected = f"one of the interventions of {ctx.workstream_name}"
    else:
        expected = "an intervention that exists"
    rows.add(n, "intervention_id", cell, expected)
    return None


def _check_output(
    rows: _Rows, n: int, row: list[Any], area: str | None, before: int
) -> None:
    ctx = rows.ctx
    iv_cell, code_cell = rows.get(row, "intervention_id"), rows.get(row, "code")
    band_cell, unit_cell = rows.get(row, "age_band"), rows.get(row, "unit")
    value_cell = rows.get(row, "value")
    iv_id = _intervention(rows, n, iv_cell, total_allowed=False)
    code = _cell_text(code_cell)
    if code not in OUTPUT_TYPES:
        rows.add(n, "code", code_cell, "one of " + ", ".join(OUTPUT_TYPES))
        code = None
    band = _cell_text(band_cell).lower() or "all"
    if band not in AGE_BANDS:
        rows.add(n, "age_band", band_cell, "all or under25")
    elif band != "all" and code != "young_people_supported" and code:
        rows.add(n, "age_band", band_cell, "all (under25 only for young people)")
    if iv_id is not None and area and area != ctx.interventions[iv_id][1]:
        rows.add(
            n,
            "area_code",
            rows.get(row, "area_code"),
            f"{ctx.interventions[iv_id][1]}, where the intervention is delivered",
        )
    if code and _cell_text(unit_cell).lower() != OUTPUT_UNITS[code]:
        rows.add(n, "unit", unit_cell, OUTPUT_UNITS[code])
    value = _count(rows, n, "value", value_cell, required=True)
    if rows.count > before:
        return
    earlier = rows.first_row(("output", iv_id, code, band), n)
    if earlier is not None:
        rows.add(
            n,
            "code",
            code_cell,
            f"one row per intervention, output and age band (row {earlier} has "
            "the same)",
        )
        return
    rows.outputs[(iv_id, code, band)] = {
        "row": n,
        "intervention_id": iv_id,
        "output_type": code,
        "age_band": band,
        "value": int(value),
    }


def _check_spend(
    rows: _Rows, n: int, row: list[Any], area: str | None, before: int
) -> None:
    ctx = rows.ctx
    iv_cell, code_cell = rows.get(row, "intervention_id"), rows.get(row, "code")
    unit_cell, value_cell = rows.get(row, "unit"), rows.get(row, "value")
    iv_id = _intervention(rows, n, iv_cell, total_allowed=True)
    if code_cell is not None:
        rows.add(n, "code", code_cell, "blank for spend")
    if area and area != ctx.vru_code:
        rows.add(
            n,
            "area_code",
            rows.get(row, "area_code"),
            f"{ctx.vru_code} ({ctx.vru_name})",
        )
    if _cell_text(unit_cell) not in SPEND_UNITS:
        rows.add(n, "unit", unit_cell, f"{SPEND_UNIT} (pounds)")
    value = _number(value_cell) if value_cell is not None else None
    if value is None:
        rows.add(n, "value", value_cell, "an amount in pounds, like 1250.50")
    elif value < 0:
        rows.add(n, "value", value_cell, "an amount of at least £0")
    elif value >= MAX_SPEND:
        rows.add(n, "value", value_cell, "less than £1,000,000,000,000")
    elif value != value.quantize(PENCE):
        rows.add(n, "value", value_cell, "pounds and pence (2 decimals)")
    if rows.count > before:
        return
    earlier = rows.first_row(("spend", iv_id), n)
    if earlier is not None:
        rows.add(
            n,
            "intervention_id",
            iv_cell,
            f"one spend row per intervention (row {earlier} has the same)",
        )
    elif iv_id == TOTAL:
        rows.total_row = (n, value)
    else:
        rows.spend[iv_id] = {"row": n, "intervention_id": iv_id, "amount": value}


def _check_measure(
    rows: _Rows, n: int, row: list[Any], area: str | None, before: int
) -> None:
    ctx = rows.ctx
    code_cell, iv_cell = rows.get(row, "code"), rows.get(row, "intervention_id")
    band_cell, unit_cell = rows.get(row, "age_band"), rows.get(row, "unit")
    value_cell = rows.get(row, "value")
    num_cell, den_cell = rows.get(row, "numerator"), rows.get(row, "denominator")
    code = _cell_text(code_cell)
    if code not in ctx.measures:
        expected = (
            f"a measure of {ctx.workstream_name}"
            if code in ctx.other_measures
            else "a measure code that exists"
        )
        rows.add(n, "code", code_cell, expected)
        code = None
    if iv_cell is not None:
        rows.add(n, "intervention_id", iv_cell, "blank for measures")
    if (_cell_text(band_cell).lower() or "all") != "all":
        rows.add(n, "age_band", band_cell, "all")
    if area and area != ctx.vru_code:
        rows.add(
            n,
            "area_code",
            rows.get(row, "area_code"),
            f"{ctx.vru_code} ({ctx.vru_name})",
        )
    expected_unit = ctx.measures[code][2] if code else None
    if code and _cell_text(unit_cell) != expected_unit:
        rows.add(n, "unit", unit_cell, expected_unit)
    percent = expected_unit == "%"
    numerator = _count(rows, n, "numerator", num_cell, required=False)
    denominator = _count(rows, n, "denominator", den_cell, required=False)
    if (num_cell is None) != (den_cell is None):
        column = "denominator" if den_cell is None else "numerator"
        rows.add(n, column, None, "numerator and denominator together")
    if value_cell is None and num_cell is None:
        rows.add(n, "value", None, "a value (or numerator and denominator)")
    value = _number(value_cell) if value_cell is not None else None
    if value_cell is None:
        pass
    elif value is None:
        rows.add(n, "value", value_cell, "a number")
    elif value < 0:
        rows.add(n, "value", value_cell, "a value of at least 0")
        value = None
    elif percent and value > MAX_PERCENT:
        rows.add(n, "value", value_cell, "a percentage from 0 to 100")
        value = None
    elif not percent and value != value.to_integral_value():
        rows.add(n, "value", value_cell, "a whole number")
        value = None
    elif not percent and value > MAX_COUNT:
        rows.add(n, "value", value_cell, f"a count of at most {MAX_COUNT:,}")
        value = None
    if numerator is not None and denominator is not None:
        if numerator > denominator:
            rows.add(
                n,
                "numerator",
                num_cell,
                f"not more than the denominator ({_cell_text(den_cell)})",
            )
        elif denominator == 0 and numerator:
            rows.add(n, "denominator", den_cell, "more than 0")
        elif percent and denominator > 0 and value is not None:
            computed = numerator / denominator * 100
            if abs(computed - value) > PERCENT_TOLERANCE:
                rows.add(
                    n,
                    "value",
                    value_cell,
                    f"{computed:.1f}, the numerator as a % of the denominator",
                )
    if rows.count > before:
        return
    earlier = rows.first_row(("measure", code), n)
    if earlier is not None:
        rows.add(
            n, "code", code_cell, f"one row per measure (row {earlier} has the same)"
        )
        return
    if value is None and denominator:
        value = numerator / denominator * (100 if percent else 1)
    rows.measures[code] = {
        "row": n,
        "measure_code": code,
        "measure_id": ctx.measures[code][0],
        "value": None if value is None else float(value),
        "numerator": None if numerator is None else float(numerator),
        "denominator": None if denominator is None else float(denominator),
    }


_RECORD_CHECKS = {
    "output": _check_output,
    "spend": _check_spend,
    "measure": _check_measure,
}


def _check_totals(rows: _Rows) -> None:
    """Totals and parts: checked once every row has been read."""
    for (iv_id, code, band), item in rows.outputs.items():
        if band == "under25":
            whole = rows.outputs.get((iv_id, code, "all"))
            if whole is not None and item["value"] > whole["value"]:
                rows.add(
                    item["row"],
                    "value",
                    item["value"],
                    f"not more than all ages ({whole['value']:,}, row {whole['row']})",
                )
    if rows.total_row is not None:
        expected = sum((s["amount"] for s in rows.spend.values()), Decimal(0))
        if abs(expected - rows.total_row[1]) > TOTAL_TOLERANCE:
            rows.add(
                rows.total_row[0],
                "value",
                rows.total_row[1],
                f"£{expected:,.2f}, the sum of the spend rows ({len(rows.spend)})",
            )


def _validate_table(
    table: _Table, ctx: _Context, period_start: dt.date, today: dt.date
) -> ValidationResult:
    """Every row of a return checked: its quarter and area here, the rest by its
    record's validator (_check_output, _check_spend, _check_measure); then the
    totals. The figures to write are filled in only when nothing is wrong."""
    rows = _Rows(table, ctx, period_start, today)
    if not _check_header(rows):
        return ValidationResult(problems=rows.problems.finish(), rows=0)
    read = 0
    for n, row in table.rows:
        read += 1
        kind_cell = rows.get(row, "record")
        check = _RECORD_CHECKS.get(_cell_text(kind_cell).lower())
        if check is None:
            rows.add(n, "record", kind_cell, "output, spend or measure")
            continue
        # Problems from here on keep the row out, whichever check finds them.
        before = rows.count
        _check_period(rows, n, row)
        area_cell = rows.get(row, "area_code")
        area: str | None = _cell_text(area_cell).upper()
        if area not in ctx.area_codes:
            rows.add(n, "area_code", area_cell, "an ONS area code that exists")
            area = None
        check(rows, n, row, area, before)
    _check_totals(rows)
    if not read:
        rows.add(None, "", "", "at least one row of figures")
    result = ValidationResult(problems=rows.problems.finish(), rows=read)
    if result.valid:
        _fill_figures(result, rows, ctx, period_start)
    return result


def _fill_figures(
    result: ValidationResult, rows: _Rows, ctx: _Context, period_start: dt.date
) -> None:
    fy, quarter = financial_year_of(period_start), quarter_of(period_start)
    period_end = quarter_bounds(fy, quarter)[1]
    result.outputs = [
        {
            "intervention_id": o["intervention_id"],
            "period_start": period_start,
            "period_end": period_end,
            "output_type": o["output_type"],
            "age_band": o["age_band"],
            "value": o["value"],
        }
        for o in rows.outputs.values()
    ]
    result.spend = [
        {
            "area_id": ctx.vru_area_id,
            "intervention_id": s["intervention_id"],
            "financial_year": fy,
            "quarter": quarter,
            "amount": s["amount"],
        }
        for s in rows.spend.values()
    ]
    result.measures = [
        {
            "measure_id": m["measure_id"],
            "area_id": ctx.vru_area_id,
            "period_start": period_start,
            "period_end": period_end,
            "age_band": "all",
            "value": m["value"],
            "numerator": m["numerator"],
            "denominator": m["denominator"],
            "status": "provisional",
        }
        for m in rows.measures.values()
    ]


# ------------------------------------------------------------------ writing


def _returns_source(session: Session, ctx: _Context) -> int:
    key = f"returns-{ctx.vru_code}"
    found = session.scalar(select(Source.id).where(Source.key == key))
    if found is not None:
        return found
    source = Source(
        key=key,
        publisher=f"{ctx.vru_name} Violence Reduction Unit",
        title=f"Quarterly returns to {ctx.vru_name} VRU (approved)",
        url=None,
        licence="Internal: not for publication without the VRU's approval",
        retrieved=None,
        illustrative=False,
        precedence=20,
        notes="Figures submitted by workstream leads through the Returns page and "
        "approved by the VRU.",
    )
    session.add(source)
    session.flush()
    return source.id


def _chunked_insert(session: Session, model: type, rows: list[dict]) -> None:
    # Core executemany (no ORM bookkeeping, no RETURNING): the fast path on both
    # SQLite and PostgreSQL for a 100,000-row return.
    connection = session.connection()
    statement = insert(model.__table__)
    for start in range(0, len(rows), 10000):
        connection.execute(statement, rows[start : start + 10000])


def upload_return(
    *,
    scope: Scope,
    workstream_id: int,
    period_start: dt.date | str,
    content: bytes,
    filename: str,
    today: dt.date | None = None,
) -> UploadResult:
    """Validate a whole return and, when valid, keep it as a draft submission with
    its raw file, checksum and figures (not current) in one transaction.

    An invalid file, or one already uploaded (same SHA-256), changes nothing. An
    earlier draft, submitted or returned return for the same workstream and quarter
    is marked superseded. Raises AccessDenied, FileRefused or InvalidParameter."""
    period_start = parse_quarter(period_start)
    result = validate_return(
        scope=scope,
        workstream_id=workstream_id,
        period_start=period_start,
        content=content,
        filename=filename,
        today=today,
    )
    digest = hashlib.sha256(content).hexdigest()
    if not result.valid:
        return UploadResult(None, result.problems, rows=result.rows)
    with session_scope() as session:
        # A replacement upload supersedes the quarter's earlier returns: it waits
        # for, and then sees, any approval or send-back of them under way.
        _lock_workstream_returns(session, workstream_id)
        same = session.execute(
            select(Submission.id, Submission.status)
            .where(Submission.kind == "return", Submission.sha256 == digest)
            .order_by(Submission.id)
        ).first()
        if same is not None:
            return UploadResult(
                None,
                [
                    Problem(
                        "",
                        None,
                        "",
                        filename,
                        f"a new file: this exact file was uploaded already as "
                        f"submission {same.id} ({same.status})",
                    )
                ],
                duplicate_of=same.id,
            )
        ctx = _workstream_context(session, workstream_id)
        source_id = _returns_source(session, ctx)
        earlier = session.execute(
            select(Submission.id, Submission.status).where(
                Submission.kind == "return",
                Submission.workstream_id == workstream_id,
                Submission.period_start == period_start,
                Submission.status.in_(("draft", "submitted", "returned")),
            )
        ).all()
        approved = session.scalar(
            select(Submission.id)
            .where(
                Submission.kind == "return",
                Submission.workstream_id == workstream_id,
                Submission.period_start == period_start,
                Submission.status == "approved",
            )
            .order_by(Submission.id.desc())
        )
        submission = Submission(
            kind="return",
            workstream_id=workstream_id,
            period_start=period_start,
            filename=clean_text(filename, "file name", MAX_FILENAME_CHARS) or "return",
            content=content,
            sha256=digest,
            submitted_by_id=scope.user_id,
            status="draft",
            errors=None,
            supersedes_id=approved or (earlier[-1].id if earlier else None),
            source_id=source_id,
        )
        session.add(submission)
        session.flush()
        for row in earlier:
            session.execute(
                update(Submission)
                .where(Submission.id == row.id)
                .values(status="superseded")
            )
            record(
                session,
                actor=scope.actor,
                user_id=scope.user_id,
                action="supersede_return",
                entity="submission",
                entity_id=str(row.id),
                before={"status": row.status},
                after={"status": "superseded", "by": submission.id},
            )
        extra = {"source_id": source_id, "submission_id": submission.id}
        # Not current until approved, so the activity summaries (current rows
        # only) are unchanged by an upload; approval refreshes them.
        extra["is_current"] = False
        _chunked_insert(
            session, InterventionOutput, [{**r, **extra} for r in result.outputs]
        )
        _chunked_insert(session, Spend, [{**r, **extra} for r in result.spend])
        _chunked_insert(
            session, MeasureValue, [{**r, **extra} for r in result.measures]
        )
        record(
            session,
            actor=scope.actor,
            user_id=scope.user_id,
            action="upload_return",
            entity="submission",
            entity_id=str(submission.id),
            after={
                "status": "draft",
                "workstream_id": workstream_id,
                "period": quarter_label(period_start),
                "filename": submission.filename,
                "sha256": digest,
                "outputs": len(result.outputs),
                "spend": len(result.spend),
                "measures": len(result.measures),
            },
        )
        new_id = submission.id
    return UploadResult(
        new_id,
        [],
        rows=result.rows,
        superseded=tuple(row.id for row in earlier),
    )


def _load_submission(session: Session, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None or submission.kind != "return":
        raise NotFound(f"there is no return {submission_id}")
    return submission


def _lock_workstream_returns(session: Session, workstream_id: Any) -> None:
    """Serialise every status change of one workstream's returns: the first
    statement of the transaction takes the workstream's row lock (PostgreSQL) or
    the database write lock (SQLite, waiting through busy_timeout), held to the
    commit. A second action on the same returns waits, then reads what the first
    committed, so it can see that the return changed. A no-op UPDATE, not SELECT
    ... FOR UPDATE: SQLite has no FOR UPDATE, and a transaction that read first
    could not take the write lock after another writer committed."""
    session.execute(
        update(Workstream)
        .where(Workstream.id == workstream_id)
        .values(name=Workstream.name)
        .execution_options(synchronize_session=False)
    )


def _locked_submission(session: Session, submission_id: int) -> Submission:
    """The return, read after taking its workstream's lock (see above)."""
    _lock_workstream_returns(
        session,
        select(Submission.workstream_id)
        .where(Submission.id == submission_id)
        .scalar_subquery(),
    )
    submission = session.scalar(
        select(Submission)
        .where(Submission.id == submission_id)
        .execution_options(populate_existing=True)
    )
    if submission is None or submission.kind != "return":
        raise NotFound(f"there is no return {submission_id}")
    return submission


def _quarter_state(session: Session, workstream_id: int, period_start: Any) -> str:
    """A token for the statuses of every return of one workstream and quarter:
    what a page shows next to its buttons and sends back with an action."""
    rows = session.execute(
        select(Submission.id, Submission.status)
        .where(
            Submission.kind == "return",
            Submission.workstream_id == workstream_id,
            Submission.period_start == period_start,
        )
        .order_by(Submission.id)
    ).all()
    text = ";".join(f"{id_}:{status}" for id_, status in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_unchanged(
    session: Session, submission: Submission, seen: str | None
) -> None:
    """Compare-and-set: the action goes ahead only on the quarter the caller saw
    (when the caller says what it saw: the page always does)."""
    if seen is not None and seen != _quarter_state(
        session, submission.workstream_id, submission.period_start
    ):
        raise ReturnChanged(submission.id)


def _require_status(
    submission: Submission, allowed: tuple[str, ...], what: str
) -> None:
    if submission.status not in allowed:
        raise InvalidParameter(
            "status", f"only {what}; return {submission.id} is {submission.status}"
        )


def _set_status(
    session: Session,
    scope: Scope,
    submission: Submission,
    status: str,
    action: str,
    *,
    comment: str | None = None,
    extra: dict | None = None,
) -> None:
    before = {"status": submission.status, "comment": submission.comment}
    submission.status = status
    if comment is not None:
        submission.comment = comment
    record(
        session,
        actor=scope.actor,
        user_id=scope.user_id,
        action=action,
        entity="submission",
        entity_id=str(submission.id),
        before=before,
        after={"status": status, "comment": submission.comment, **(extra or {})},
    )


def submit_return(*, scope: Scope, submission_id: int, seen: str | None = None) -> None:
    """A draft return goes to the VRU for approval.

    `seen` is the quarter's state token (list_submissions' `state`) the caller saw;
    when given, the action is refused with ReturnChanged if any return of the
    quarter changed since. Every status change below works the same way."""
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _require_can_upload(scope, submission.workstream_id)
        _check_unchanged(session, submission, seen)
        _require_status(submission, ("draft",), "a draft can be submitted")
        _set_status(session, scope, submission, "submitted", "submit_return")


def return_submission(
    *, scope: Scope, submission_id: int, comment: str, seen: str | None = None
) -> None:
    """Send a submitted return back to its lead with a comment (admin, analyst)."""
    scope.require_role("admin", "analyst")
    comment = clean_text(comment, "comment", MAX_COMMENT_CHARS)
    if not comment:
        raise InvalidParameter("comment", "say why the return is being sent back")
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _check_unchanged(session, submission, seen)
        _require_status(
            submission, ("submitted",), "a submitted return can be sent back"
        )
        _set_status(
            session, scope, submission, "returned", "return_return", comment=comment
        )


_TABLES = (
    (
        InterventionOutput,
        ("intervention_id", "period_start", "output_type", "age_band"),
        "value",
    ),
    (Spend, ("area_id", "intervention_id", "financial_year", "quarter"), "amount"),
    (
        MeasureValue,
        ("measure_id", "area_id", "period_start", "period_end", "age_band"),
        "value",
    ),
)
AUDIT_DETAIL_LIMIT = 1000


def _flip(session: Session, submission_id: int) -> dict[str, Any]:
    """Make `submission_id`'s figures current, and the current figures they replace
    not current. Returns the audit detail: changed figures, before and after."""
    detail: dict[str, Any] = {}
    for model, key, value_column in _TABLES:
        new = aliased(model)
        same_key = and_(*(getattr(new, k) == getattr(model, k) for k in key))
        replaced = exists().where(new.submission_id == submission_id, same_key)
        changes = session.execute(
            select(
                *(getattr(new, k) for k in key),
                getattr(model, value_column).label("before"),
                getattr(new, value_column).label("after"),
                model.submission_id.label("before_submission"),
            )
            .join(new, same_key)
            .where(model.is_current.is_(True), new.submission_id == submission_id)
            .limit(AUDIT_DETAIL_LIMIT)
        ).all()
        count_new = session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.submission_id == submission_id)
        )
        result = session.execute(
            update(model)
            .where(model.is_current.is_(True), replaced)
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(model)
            .where(model.submission_id == submission_id)
            .values(is_current=True)
            .execution_options(synchronize_session=False)
        )
        detail[model.__tablename__] = {
            "figures": count_new,
            "replaced": result.rowcount,
            "changes": [
                dict(
                    zip(
                        (*key, "before", "after", "before_submission"),
                        (
                            *row[: len(key)],
                            row.before,
                            row.after,
                            row.before_submission,
                        ),
                        strict=True,
                    )
                )
                for row in changes
            ],
        }
    return detail


def _unflip(session: Session, submission_id: int) -> None:
    for model, _key, _value in _TABLES:
        session.execute(
            update(model)
            .where(model.submission_id == submission_id)
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )


def _refresh_summaries(session: Session, submission_ids: list[int]) -> None:
    """Rebuild the activity summaries of the VRUs whose current outputs or spend
    these submissions' flips changed, in the approval's transaction: if anything
    later in it fails, the summaries roll back with the figures."""
    refresh_activity_summaries(
        session, vru_areas_of_submissions(session, submission_ids)
    )


def _submitters(session: Session, submission: Submission) -> set[int]:
    """The users who uploaded or submitted a return (who may not approve it)."""
    ids = set(
        session.scalars(
            select(AuditLog.user_id).where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission.id),
                AuditLog.action.in_(("upload_return", "submit_return")),
            )
        )
    )
    ids.add(submission.submitted_by_id)
    ids.discard(None)
    return ids


def may_approve(scope: Scope, submitter_ids: set[int] | frozenset[int]) -> str | None:
    """Why `scope` may not approve a return uploaded or submitted by
    `submitter_ids`, or None when it may. DESIGN "Access": approval is for admins,
    and never of a return the approver uploaded or submitted (four eyes). The
    command line acts as the system account (no user id), outside the web's four
    eyes, as an operator on the server."""
    if scope.role != "admin":
        return "only a VRU admin can approve returns"
    if scope.user_id is not None and scope.user_id in submitter_ids:
        return (
            "you uploaded or submitted this return, so another admin must approve "
            "it (four eyes)"
        )
    return None


def actions_for(scope: Scope, row: Any) -> list[str]:
    """What `scope` may do with a listed return (a list_submissions row): the
    buttons a page shows. The actions check the same rules when taken."""
    actions = []
    lead_of = scope.role == "lead" and scope.workstream_id == row.workstream_id
    if row.status == "draft" and (lead_of or scope.unrestricted):
        actions.append("submit")
    if row.status == "submitted" and may_approve(scope, row.submitter_ids) is None:
        actions.append("approve")
    if row.status == "submitted" and scope.unrestricted:
        actions.append("return")
    if row.status == "superseded" and scope.role == "admin" and row.once_approved:
        actions.append("restore")
    actions.append("file")
    return actions


def approve_return(
    *, scope: Scope, submission_id: int, seen: str | None = None
) -> None:
    """Approve a submitted return: in one transaction its figures become current,
    the figures they replace stop being current, the previously approved return
    for the quarter is superseded, every step is audited and the cache generation
    moves on. Admins only, never their own return (may_approve)."""
    if scope.role != "admin":
        raise AccessDenied(may_approve(scope, frozenset()))
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        submitters = _submitters(session, submission)
        refusal = may_approve(scope, submitters)
        if refusal:
            raise AccessDenied(refusal)
        _check_unchanged(session, submission, seen)
        _require_status(
            submission, ("submitted",), "a submitted return can be approved"
        )
        previous = session.scalars(
            select(Submission).where(
                Submission.kind == "return",
                Submission.workstream_id == submission.workstream_id,
                Submission.period_start == submission.period_start,
                Submission.status == "approved",
                Submission.id != submission.id,
            )
        ).all()
        # Flip first, so the audit detail sees the figures being replaced.
        detail = _flip(session, submission.id)
        for old in previous:
            _unflip(session, old.id)
            _set_status(
                session, scope, old, "superseded", "supersede_return",
                extra={"by": submission.id},
            )  # fmt: skip
        _refresh_summaries(session, [submission.id, *(o.id for o in previous)])
        _set_status(
            session,
            scope,
            submission,
            "approved",
            "approve_return",
            extra={
                "figures": detail,
                "superseded": [o.id for o in previous],
                "four_eyes": {"submitted_by": sorted(submitters)},
            },
        )
        cache.invalidate(session)
    # After the commit, in the background: the request does not wait for the rules.
    exceptions.after_commit(f"approval of return {submission_id}")


def restore_submission(
    *, scope: Scope, submission_id: int, seen: str | None = None
) -> None:
    """Make a superseded, once-approved return the approved one again (admin)."""
    scope.require_role("admin")
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _check_unchanged(session, submission, seen)
        was_approved = session.scalar(
            select(AuditLog.id).where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission_id),
                AuditLog.action == "approve_return",
            )
        )
        if submission.status != "superseded" or was_approved is None:
            raise InvalidParameter(
                "status",
                "only a superseded return that was once approved can be restored",
            )
        current = session.scalars(
            select(Submission).where(
                Submission.kind == "return",
                Submission.workstream_id == submission.workstream_id,
                Submission.period_start == submission.period_start,
                Submission.status == "approved",
            )
        ).all()
        detail = _flip(session, submission.id)
        for old in current:
            _unflip(session, old.id)
            _set_status(
                session, scope, old, "superseded", "supersede_return",
                extra={"by": submission.id},
            )  # fmt: skip
        _refresh_summaries(session, [submission.id, *(o.id for o in current)])
        _set_status(
            session,
            scope,
            submission,
            "approved",
            "restore_return",
            extra={"figures": detail, "superseded": [o.id for o in current]},
        )
        cache.invalidate(session)


# ------------------------------------------------------------------ reading back


SUBMISSION_COLUMNS = [
    "submission_id",
    "workstream_id",
    "workstream",
    "area_code",
    "area_name",
    "period_start",
    "period",
    "filename",
    "sha256",
    "status",
    "created_at",
    "submitted_by",
    "comment",
    "supersedes_id",
    "state",
    "submitter_ids",
    "download_name",
    "once_approved",
]


def list_submissions(
    *,
    scope: Scope,
    workstream_id: int | None = None,
    period_start: dt.date | None = None,
) -> pd.DataFrame:
    """Returns `scope` may see, newest first. A lead sees their workstream's returns
    (drafts included); admins and analysts see every return.

    Columns: SUBMISSION_COLUMNS (submitted_by is a role title; state is the
    quarter's token to pass back as `seen` with an action; submitter_ids the
    users who uploaded or submitted the return, for may_approve; download_name
    the name to show and offer the file under, filename the name as uploaded;
    once_approved whether it was ever approved, so could be restored)."""
    if scope.role == "lead":
        if workstream_id not in (None, scope.workstream_id):
            raise AccessDenied("your access does not include this workstream's returns")
        workstream_id = scope.workstream_id
    elif not scope.unrestricted:
        raise AccessDenied("your role does not include returns")
    with session_scope() as session:
        query = (
            select(
                Submission.id,
                Submission.workstream_id,
                Workstream.name,
                Area.code,
                Area.name,
                Submission.period_start,
                Submission.filename,
                Submission.sha256,
                Submission.status,
                Submission.created_at,
                User.role_title,
                Submission.comment,
                Submission.supersedes_id,
            )
            .join(Workstream, Workstream.id == Submission.workstream_id)
            .join(Area, Area.id == Workstream.vru_area_id)
            .outerjoin(User, User.id == Submission.submitted_by_id)
            .where(Submission.kind == "return")
            .order_by(Submission.id.desc())
        )
        if workstream_id is not None:
            query = query.where(Submission.workstream_id == workstream_id)
        if period_start is not None:
            query = query.where(Submission.period_start == period_start)
        rows = session.execute(query).all()
        states = {
            key: _quarter_state(session, *key) for key in {(r[1], r[5]) for r in rows}
        }
        submitters: dict[int, set[int]] = {r[0]: set() for r in rows}
        if rows:
            for entity_id, user_id in session.execute(
                select(AuditLog.entity_id, AuditLog.user_id).where(
                    AuditLog.entity == "submission",
                    AuditLog.action.in_(("upload_return", "submit_return")),
                    AuditLog.user_id.is_not(None),
                    AuditLog.entity_id.in_([str(r[0]) for r in rows]),
                )
            ):
                submitters[int(entity_id)].add(user_id)
        once_approved = set(
            session.scalars(
                select(AuditLog.entity_id).where(
                    AuditLog.entity == "submission",
                    AuditLog.action == "approve_return",
                    AuditLog.entity_id.in_([str(r[0]) for r in rows]),
                )
            )
        )
        uploaders: dict[int, int | None] = {}
        is_xlsx: dict[int, bool] = {}
        for id_, user_id, head in session.execute(
            select(
                Submission.id,
                Submission.submitted_by_id,
                func.substr(Submission.content, 1, len(XLSX_MAGIC)),
            ).where(Submission.id.in_([r[0] for r in rows]))
        ):
            uploaders[id_] = user_id
            is_xlsx[id_] = bytes(head or b"") == XLSX_MAGIC
    for id_, user_id in uploaders.items():
        if user_id is not None:
            submitters[id_].add(user_id)
    frame = pd.DataFrame(
        [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                quarter_label(r[5]),
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                states[(r[1], r[5])],
                frozenset(submitters[r[0]]),
                download_name(r[0], r[6], xlsx=is_xlsx[r[0]]),
                str(r[0]) in once_approved,
            )  # fmt: skip
            for r in rows
        ],
        columns=SUBMISSION_COLUMNS,
    )
    return frame


_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_DOWNLOAD_STEM_CHARS = 60


def download_name(submission_id: int, filename: str | None, *, xlsx: bool) -> str:
    """The name a kept return file is offered and shown under: 'return-<id>-'
    then the last part of the uploaded name in letters, digits, '.', '_' and '-'
    only, with the extension of what the file is (.xlsx or .csv). A name like
    '../../etc/passwd', 'setup.exe' or one with a right-to-left override never
    reaches a browser's save dialog; the name as uploaded stays in the store only
    as data (submission.filename, the audit log)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = _UNSAFE_NAME_CHARACTERS.sub("_", ascii_stem).strip("._-")
    stem = stem[:MAX_DOWNLOAD_STEM_CHARS].rstrip("._-")
    name = f"return-{submission_id}" + (f"-{stem}" if stem else "")
    return name + (".xlsx" if xlsx else ".csv")


def submission_file(*, scope: Scope, submission_id: int) -> tuple[str, bytes]:
    """The raw uploaded file of a return: (safe download name, bytes),
    scope-checked. See download_name."""
    with session_scope() as session:
        submission = _load_submission(session, submission_id)
        _require_can_read(scope, submission.workstream_id)
        content = bytes(submission.content)
        name = download_name(
            submission.id, submission.filename, xlsx=content.startswith(XLSX_MAGIC)
        )
        return name, content


def submission_audit(*, scope: Scope, submission_id: int) -> pd.DataFrame:
    """The audit trail of one return. Columns: at, actor, action, before, after."""
    with session_scope() as session:
        submission = _load_submission(session, submission_id)
        _require_can_read(scope, submission.workstream_id)
        rows = session.execute(
            select(
                AuditLog.at,
                AuditLog.actor,
                AuditLog.action,
                AuditLog.before,
                AuditLog.after,
            )
            .where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission_id),
            )
            .order_by(AuditLog.id)
        ).all()
    return pd.DataFrame(rows, columns=["at", "actor", "action", "before", "after"])


COMPLETENESS_COLUMNS = [
    "workstream_id",
    "workstream",
    "area_code",
    "area_name",
    "period_start",
    "period",
    "due_date",
    "status",
    "received",
    "late",
    "submission_id",
]


def completeness(
    *, scope: Scope, quarters: int = 4, today: dt.date | None = None
) -> pd.DataFrame:
    """Which returns are due, received and late, per workstream and quarter, for the
    last `quarters` quarters that have ended.

    Columns: COMPLETENESS_COLUMNS. status is one of approved, submitted, draft,
    returned, loaded (no return file, but every figure of the workstream for the
    quarter is in the store: received), due (not yet received, up to and on the
    due date), late (not received after the due date). Due dates and lateness are
    data_access.returns_due; `today` defaults to data_access.clock.today(). `late`
    is also True for a return received after its due date."""
    today = today or clock.today()
    workstreams = workstreams_for(scope=scope)
    periods = []
    year, quarter = financial_year_of(today), quarter_of(today)
    while len(periods) < quarters:
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        periods.append(quarter_bounds(year, quarter)[0])
    if workstreams.empty:
        return pd.DataFrame(columns=COMPLETENESS_COLUMNS)
    ids = [int(i) for i in workstreams["workstream_id"]]
    with session_scope() as session:
        subs = session.execute(
            select(
                Submission.id,
                Submission.workstream_id,
                Submission.period_start,
                Submission.status,
                Submission.created_at,
            )
            .where(
                Submission.kind == "return",
                Submission.workstream_id.in_(ids),
                Submission.period_start.in_(periods),
                Submission.status != "superseded",
            )
            .order_by(Submission.id)
        ).all()
    loaded = quarters_with_every_figure(ids, periods)
    latest = {(s.workstream_id, s.period_start): s for s in subs}
    rank = {"approved": 0, "submitted": 1, "returned": 2, "draft": 3}
    best: dict[tuple, Any] = {}
    for s in subs:
        key = (s.workstream_id, s.period_start)
        if key not in best or rank[s.status] <= rank[best[key].status]:
            best[key] = s
    rows = []
    for ws in workstreams.itertuples():
        for start in periods:
            due = due_date(start)
            sub = best.get((ws.workstream_id, start)) or latest.get(
                (ws.workstream_id, start)
            )
            if sub is None and (ws.workstream_id, start) in loaded:
                # The figures are in the store without a return file (loaded with
                # the shipped or imported data): received, as /workstreams counts.
                status, received, late = "loaded", True, False
            elif sub is None:
                late = is_late(start, as_at=today)
                status, received = ("late" if late else "due"), False
            else:
                status = sub.status
                received = sub.status in ("submitted", "approved")
                created = sub.created_at.date() if sub.created_at else today
                late = is_late(
                    start, as_at=today, received_on=created if received else None
                )
            rows.append(
                (
                    ws.workstream_id,
                    ws.workstream,
                    ws.area_code,
                    ws.area_name,
                    start,
                    quarter_label(start),
                    due,
                    status,
                    received,
                    late,
                    None if sub is None else sub.id,
                )  # fmt: skip
            )
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)
