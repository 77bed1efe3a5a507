"""Validating a return as a whole before anything is written: structure, types,
codes, periods, ranges, duplicates and totals, with one validator per record type
(`_check_output`, `_check_spend`, `_check_measure`); every problem names its
sheet, row, column, the value found and what was expected. The magic limits are
named constants (MAX_COUNT, MAX_SPEND, MAX_PERCENT, the tolerances).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from data_access import clock
from data_access.db import session_scope
from data_access.errors import (
    InvalidParameter,
)
from data_access.models import (
    OUTPUT_TYPES,
)
from data_access.periods import (
    financial_year_of,
    quarter_bounds,
    quarter_label,
    quarter_of,
)
from data_access.returns.permissions import (
    _Context,
    _require_can_upload,
    _workstream_context,
)
from data_access.returns.readers import _Table, read_table
from data_access.returns.spec import (
    _EXCEL_EPOCH,
    _NUMBER,
    AGE_BANDS,
    INFO_COLUMNS,
    MAX_FILENAME_CHARS,
    MAX_PROBLEMS,
    OPTIONAL_COLUMNS,
    OUTPUT_UNITS,
    REQUIRED_COLUMNS,
    SPEND_UNIT,
    TEMPLATE_COLUMNS,
    TOTAL,
    Problem,
    ValidationResult,
    clean_text,
    parse_quarter,
)
from data_access.scope import Scope

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
    # One pound sign, before the number or after its minus sign ("£5", "-£5"):
    # never two ("-££5" is not a number).
    if text.startswith("£"):
        text = text[1:]
    elif text.startswith("-£"):
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

    def repeated(self, key: tuple, n: int, column: str, cell: Any, rule: str) -> bool:
        """Whether an earlier row had `key`: then row n is refused under `rule`,
        naming that row (the first row with a key is the one kept). Otherwise
        `key` is now row n's."""
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = n
            return False
        self.add(n, column, cell, f"{rule} (row {earlier} has the same)")
        return True


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


def _check_area(
    rows: _Rows, n: int, row: list[Any], area: str | None, code: str, expected: str
) -> None:
    """A row's area_code, when given, must be `code` (`expected` says so)."""
    if area and area != code:
        rows.add(n, "area_code", rows.get(row, "area_code"), expected)


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
    if iv_id is not None:
        delivered = ctx.interventions[iv_id][1]
        _check_area(
            rows,
            n,
            row,
            area,
            delivered,
            f"{delivered}, where the intervention is delivered",
        )
    if code and _cell_text(unit_cell).lower() != OUTPUT_UNITS[code]:
        rows.add(n, "unit", unit_cell, OUTPUT_UNITS[code])
    value = _count(rows, n, "value", value_cell, required=True)
    if rows.count > before or rows.repeated(
        ("output", iv_id, code, band),
        n,
        "code",
        code_cell,
        "one row per intervention, output and age band",
    ):
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
    _check_area(rows, n, row, area, ctx.vru_code, f"{ctx.vru_code} ({ctx.vru_name})")
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
    if rows.count > before or rows.repeated(
        ("spend", iv_id),
        n,
        "intervention_id",
        iv_cell,
        "one spend row per intervention",
    ):
        return
    if iv_id == TOTAL:
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
    _check_area(rows, n, row, area, ctx.vru_code, f"{ctx.vru_code} ({ctx.vru_name})")
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
    if rows.count > before or rows.repeated(
        ("measure", code), n, "code", code_cell, "one row per measure"
    ):
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
