"""The downloadable return template (CSV or XLSX) for one workstream and quarter:
one row per figure expected, with notes on every column.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from sqlalchemy import select

from data_access.db import session_scope
from data_access.models import (
    OUTPUT_TYPES,
    Area,
    Workstream,
)
from data_access.periods import (
    quarter_label,
)
from data_access.returns.permissions import (
    _require_can_upload,
    _workstream_context,
    may_read,
)
from data_access.returns.spec import (
    AGE_BANDS,
    COLUMN_NOTES,
    DATA_SHEET,
    OUTPUT_UNITS,
    RECORDS,
    SPEND_UNIT,
    TEMPLATE_COLUMNS,
    TOTAL,
    _missing,
    csv_bytes,
    neutralise,
    parse_quarter,
)
from data_access.scope import Scope

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
        rows = [
            row for row in session.execute(query) if may_read(scope, row[0]) is None
        ]
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
