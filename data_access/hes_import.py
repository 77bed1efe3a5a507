"""Hospital admissions for assault by a sharp object (HES, ICD-10 X99) from an NHS
Digital tabulation: the shipped regional workbook and CSV files of the same shape.

NHS Digital answers a request for X99 admissions with sheets like "GOR-Data-Totals"
of the shipped workbook (data/reference/vru-era/): a row of area names (regions,
police force areas or local authorities of residence), under it a header row
"Year, Month, FAEs, FCEs, FAEs, FCEs, ...", then a row per month with the financial
year written on its first month, and a "<year> Total" row after each year's months.
`read_hes_table` reads that shape from any sheet or CSV, whatever its position:

- the counting unit is finished admission episodes (FAE), the unit of the
  published England totals; the FCE columns are not read;
- the year of a total row is the year of the months above it, not its label (the
  shipped file's last total row is labelled "2020-21 Total" but follows the
  2021-22 months; the figure's note says so);
- a source "*" (a count from 1 to 7, suppressed by NHS Digital) stays unknown: the
  figure is kept with no value and a note, never 0; an empty cell is no figure;
- sub-national counts are rounded to 5 by the source (precision "rounded"); the
  England column is exact;
- the year named "(Provisional ...)" in the title is stored as provisional.

Only the annual totals are written (the measure is by financial year); the
months are read to find the years. Areas are matched by ONS code or by name
(regions, force areas, local authorities, England); columns that are not areas
("England - Not Otherwise Specified", "Foreign", "Unknown") are reported.

`import_hes_csv` brings such a file into a running store (admins): a new source
and submission, the latest source current for each figure, one transaction, the
raw file kept, and a file with no such table refused with nothing changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from data_access import exceptions
from data_access.areas import ENGLAND_CODE
from data_access.db import session_scope
from data_access.errors import NotFound
from data_access.import_records import audit_import, file_digest, record_import
from data_access.models import Area, MeasureValue
from data_access.ons_offences import norm_name
from data_access.ons_tables import (
    OnsWorkbookError,
    Sheet,
    population_for,
    population_table,
    read_sheets,
    text,
    title_of,
)
from data_access.periods import fy_bounds, fy_label
from data_access.scope import Scope
from data_access.shipped.common import measure_ids

MEASURE = "hospital_admissions_knife"
SUPPRESSED_NOTE = (
    "Suppressed by NHS Digital ('*' in the source): a count from 1 to 7, or one "
    "from which such a count could be worked out. Unknown, not zero."
)
_FY = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})")
_CODE = re.compile(r"^[EKW]\d{8}$")


@dataclass
class HesTotal:
    year: int  # financial year by its first calendar year
    label: str  # as written in the source
    values: dict[int, int | None]  # column -> FAEs (None: '*')
    row: int


@dataclass
class HesTable:
    sheet: str
    title: str
    areas: dict[int, str]  # FAE column -> area name or code as published
    totals: list[HesTotal] = field(default_factory=list)
    provisional_year: int | None = None


def read_hes_table(sheet: Sheet) -> HesTable | None:
    """The X99 admissions table in a sheet, or None when the sheet has none."""
    found = title_of(sheet.rows)
    title = found[1] if found else ""
    if not re.search(r"X99|sharp object", title, re.IGNORECASE):
        return None
    rows = [[text(c) for c in row] for row in sheet.rows]
    header = next(
        (
            i
            for i, row in enumerate(rows[:30])
            if len(row) > 2
            and row[0].lower() == "year"
            and row[1].lower() == "month"
            and "faes" in (c.lower() for c in row)
        ),
        None,
    )
    if header is None:
        return None
    names_row = next(
        (rows[i] for i in range(header - 1, max(header - 4, -1), -1) if any(rows[i])),
        [],
    )
    areas = {
        j: names_row[j]
        for j, cell in enumerate(rows[header])
        if cell.lower() == "faes" and j < len(names_row) and names_row[j]
    }
    if not areas:
        return None
    table = HesTable(sheet=sheet.name, title=title, areas=areas)
    provisional = re.search(r"(\d{4})-(\d{2})\s*\(provisional", title, re.IGNORECASE)
    if provisional:
        table.provisional_year = int(provisional[1])
    year = None
    for i in range(header + 1, len(rows)):
        row = rows[i]
        first = row[0] if row else ""
        match = _FY.match(first)
        if match and "total" not in first.lower():
            year = int(match[1])
        elif "total" in first.lower() and year is not None:
            values = {}
            for j in areas:
                cell = sheet.rows[i][j] if j < len(sheet.rows[i]) else None
                values[j] = _hes_count(cell)
            table.totals.append(HesTotal(year, first, values, i + 1))
    return table if table.totals else None


_BLANK = object()


def _hes_count(cell):  # noqa: ANN001, ANN202
    """An int, None for '*' (suppressed), or _BLANK for an empty cell."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return int(cell)
    value = text(cell).replace(",", "")
    if value == "*":
        return None
    if re.fullmatch(r"\d+", value):
        return int(value)
    return _BLANK


def find_hes_table(sheets: list[Sheet]) -> HesTable | None:
    for sheet in sheets:
        table = read_hes_table(sheet)
        if table is not None:
            return table
    return None


@dataclass
class HesValues:
    rows: list[dict] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    suppressed: int = 0


def hes_values(
    session,  # noqa: ANN001
    table: HesTable,
    *,
    source_id: int,
    measure_id: int,
    submission_id: int | None = None,
) -> HesValues:
    """Measure value rows (not current: the caller ranks editions) for every
    annual total of every placed area column."""
    areas = {
        code: (id_, level)
        for code, id_, level in session.execute(select(Area.code, Area.id, Area.level))
    }
    by_name = {
        norm_name(name): code
        for code, name in session.execute(select(Area.code, Area.name))
    }
    population = population_table(session)
    out = HesValues()
    placed: dict[int, str] = {}
    for column, name in table.areas.items():
        code = (
            name.upper() if _CODE.match(name.upper()) else by_name.get(norm_name(name))
        )
        if code is None or code not in areas:
            out.unplaced.append(f"{name}: not an area in the store")
            continue
        placed[column] = code
    for total in table.totals:
        start, end = fy_bounds(total.year)
        label = f"{total.year}-{(total.year + 1) % 100:02d} Total"
        relabelled = (
            None
            if total.label.replace(" ", "") == label.replace(" ", "")
            else f"Labelled '{total.label}' in the source but it follows the "
            f"{total.year}-{(total.year + 1) % 100:02d} months."
        )
        for column, code in placed.items():
            value = total.values[column]
            if value is _BLANK:
                continue
            area_id, level = areas[code]
            exact = code == ENGLAND_CODE
            notes = [
                "Counting basis: finished admission episodes (FAE), by the "
                "patient's area of residence.",
                None if exact else "Rounded to the nearest 5 by the source.",
                relabelled,
            ]
            if level == "region":
                notes.append(
                    "An English region (Government Office Region): a coarser "
                    "geography than police force areas, which HES gives only on "
                    "request."
                )
            denominator = None
            if value is None:
                out.suppressed += 1
                notes.append(SUPPRESSED_NOTE)
            else:
                denominator, pop_note = population_for(population, area_id, total.year)
                notes.append(pop_note)
            out.rows.append(
                {
                    "measure_id": measure_id,
                    "area_id": area_id,
                    "period_start": start,
                    "period_end": end,
                    "age_band": "all",
                    "value": value,
                    "numerator": value,
                    "denominator": denominator,
                    "status": "provisional"
                    if total.year == table.provisional_year
                    else "final",
                    "source_id": source_id,
                    "submission_id": submission_id,
                    "is_current": False,
                    "note": " ".join(n for n in notes if n),
                    "coverage": None,
                    "precision": "exact" if exact or value is None else "rounded",
                }
            )
    return out


@dataclass
class HesImportResult:
    submission_id: int
    source_id: int
    sheet: str
    written: int
    superseded: int
    suppressed: int
    years: list[str]
    unplaced: list[str]


def import_hes_csv(*, scope: Scope, content: bytes, filename: str) -> HesImportResult:
    """Import an NHS Digital X99 tabulation (CSV or .xlsx) as a new source.

    Admins only. Raises OnsWorkbookError (a 400) when the file holds no such
    table, holds no area the store knows, or was imported before; the store is
    then unchanged."""
    from data_access.ons_import import add_editions

    scope.require_role("admin")
    table = find_hes_table(read_sheets(content, filename))
    if table is None:
        raise OnsWorkbookError(
            "No hospital admissions (X99) table was found: looked for a title "
            "naming X99 or 'sharp object', a row of area names and a 'Year, Month, "
            "FAEs, FCEs' header row with '<year> Total' rows."
        )
    digest = file_digest(content)
    with session_scope() as session:
        measure_id = measure_ids(session).get(MEASURE)
        if measure_id is None:
            raise NotFound("the store has no hospital admissions measure")
        source, submission = record_import(
            session,
            scope=scope,
            kind="hes_admissions",
            content=content,
            digest=digest,
            filename=filename,
            default_filename="hes.csv",
            period_start=fy_bounds(table.totals[0].year)[0],
            source={
                "key": f"nhs-digital-hes-x99-import-{digest[:12]}",
                "publisher": "NHS Digital",
                "title": "Hospital Episode Statistics: admissions with cause X99 "
                f"(assault by sharp object), {table.sheet}"[:400],
                "url": "https://digital.nhs.uk/data-and-information/"
                "data-tools-and-services/data-services/hospital-episode-statistics",
            },
        )
        values = hes_values(
            session,
            table,
            source_id=source.id,
            measure_id=measure_id,
            submission_id=submission.id,
        )
        if not values.rows:
            raise OnsWorkbookError(
                "None of the file's areas is in the store: "
                + "; ".join(values.unplaced)
            )
        objects = [MeasureValue(**row) for row in values.rows]
        changes = add_editions(session, objects)
        result = HesImportResult(
            submission_id=submission.id,
            source_id=source.id,
            sheet=table.sheet,
            written=len(objects),
            superseded=sum(1 for c in changes if c["before"] is not None),
            suppressed=values.suppressed,
            years=sorted({fy_label(t.year) for t in table.totals}),
            unplaced=values.unplaced,
        )
        audit_import(
            session,
            scope=scope,
            action="import_hes_admissions",
            source=source,
            submission=submission,
            after={
                "written": result.written,
                "suppressed": result.suppressed,
                "unplaced": result.unplaced,
            },
        )
    exceptions.after_commit(f"HES import {result.submission_id}")
    return result
