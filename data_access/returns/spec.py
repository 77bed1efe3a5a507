"""A quarterly return's format: its records, columns, units and periods, the
problems and results the validator and the upload report, CSV export with formula
injection neutralised, and the limits on free text. The package docstring
(data_access/returns/__init__.py) describes the return's columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

import settings
from data_access import clock
from data_access.errors import (
    DataAccessError,
    InvalidParameter,
)

# parse_quarter is the one parser of a quarter (data_access.periods); the
# returns' modules and their callers name it from here.
from data_access.periods import parse_quarter as parse_quarter
from data_access.periods import quarter_label, quarter_start

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


def started_quarters(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` quarters that have started by `today`,
    newest first (the quarter under way first)."""
    starts: list[dt.date] = []
    start = quarter_start(today)
    while len(starts) < count:
        starts.append(start)
        start = quarter_start(start - dt.timedelta(days=1))
    return starts


def recent_quarters(*, today: dt.date | None = None, count: int = 8) -> list[dict]:
    """The last `count` quarters that have started, newest first:
    dicts with label ('2025/26 Q2') and value ('2025-07')."""
    return [
        {"label": quarter_label(start), "value": start.strftime("%Y-%m")}
        for start in started_quarters(today or clock.today(), count)
    ]
