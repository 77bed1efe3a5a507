"""The ONS import reads every supported table by its title and header: Table P1
(offence groups by force area) in every shipped workbook edition and in the year
ending June 2025 CSV, Table C2 (by Community Safety Partnership) in its CSV, and a
copy of a workbook renamed, reordered and re-marked in the test. Expected figures
are read from the files here with openpyxl or the csv module. It reports what it
found, skipped and could not place, keeps every edition, and refuses a file with
no supported table leaving the store byte-identical. HES X99 tabulations import
from CSV with '*' kept unknown."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from data_access import hes_import, ons_import, ons_tables
from data_access.db import session_scope
from data_access.models import Area, AuditLog, Measure, MeasureValue, Source
from data_access.scope import Scope
from data_access.shipped import vru_era
from tests.data_access import era_store as shared_era
from tests.data_access.test_returns import store_checksum

WORKBOOKS = sorted(
    (
        Path(__file__).resolve().parents[2] / "data" / "reference" / "ons-pfa-tables"
    ).glob("*.xlsx")
)
P1_CSV = vru_era.VRU_ERA_DIR / vru_era.P1_FILE
C2_CSV = vru_era.VRU_ERA_DIR / vru_era.C2_FILE
HES = vru_era.VRU_ERA_DIR / vru_era.HES_FILE
ADMIN = Scope(role="admin", actor="VRU Director")
POSSESSION = "Possession of weapons offences"


def _workbook_p1(path: Path) -> tuple[list[list], int]:
    """Table P1's rows and the possession column, read with openpyxl here."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next(ws for ws in book.worksheets if ws.title.strip() == "Table P1")
        rows = [list(r) for r in sheet.iter_rows(values_only=True, max_col=40)]
    finally:
        book.close()
    header = next(r for r in rows if r and r[0] == "Area Code")
    column = next(i for i, c in enumerate(header) if str(c).startswith(POSSESSION))
    return rows, column


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_table_p1_is_found_in_every_shipped_edition(path):
    report = ons_tables.TableReport()
    sheets = ons_tables.read_sheets(path.read_bytes(), path.name)
    [table] = ons_tables.find_offence_tables(sheets, report)
    assert table.kind == "pfa" and table.sheet == "Table P1"
    rows, column = _workbook_p1(path)
    published = {r[0]: r[column] for r in rows if r and isinstance(r[0], str)}
    read = {r.code: r.values["possession_of_weapons"] for r in table.rows}
    for code in ("K04000001", "E23000036", "E23000003", "E23000016"):
        assert read[code] == published[code], (path.name, code)
    # every other sheet is reported with a reason, the knife tables excepted
    assert report.found and all(": " in s for s in report.skipped)
    assert any("percentage change or rate" in s for s in report.skipped)


def _tables(content: bytes, name: str) -> list[ons_tables.OffenceTable]:
    return ons_tables.find_offence_tables(ons_tables.read_sheets(content, name))


def test_relaid_copy_reads_the_same(tmp_path):
    """Dec 2019 with Table P1 renamed, moved last, pushed down, capitals, note
    marks, trailing spaces and thousands separators as text."""
    source = next(p for p in WORKBOOKS if p.name == "pfatablesdec19.xlsx")
    rows, column = _workbook_p1(source)
    book = Workbook()
    book.active.title = "Contents"
    book.active.append(["Contents of this workbook"])
    other = book.create_sheet("Offences by force ")
    other.append([None])
    other.append([None])
    for i, row in enumerate(rows):
        row = list(row)
        if row and row[0] == "Area Code":
            row[column] = f"{POSSESSION} [note 12] "
        elif row and isinstance(row[1], str) and row[0]:
            row[1] = f"{row[1].upper()} [note 4] "
            row = [
                f"{v:,} " if isinstance(v, int) and j >= 2 else v
                for j, v in enumerate(row)
            ]
        elif i == 0:
            row[0] = str(row[0]).replace("Table P1", "Table 7")
        other.append(row)
    book.move_sheet(other, offset=-1)
    book.create_sheet("Notes").append(["1. Some note"])
    out = io.BytesIO()
    book.save(out)
    [table] = _tables(out.getvalue(), "copy.xlsx")
    [original] = _tables(source.read_bytes(), source.name)
    assert table.edition == original.edition == "YE Dec 2019"
    assert [(r.code, r.values) for r in table.rows] == [
        (r.code, r.values) for r in original.rows
    ]


def test_the_two_csv_tables():
    [p1] = _tables(P1_CSV.read_bytes(), P1_CSV.name)
    [c2] = _tables(C2_CSV.read_bytes(), C2_CSV.name)
    assert (p1.kind, c2.kind) == ("pfa", "csp")
    assert p1.edition == c2.edition == "YE Jun 2025"
    with P1_CSV.open(newline="", encoding="utf-8-sig") as handle:
        raw = list(csv.reader(handle))
    header = next(r for r in raw if r and r[0] == "Area Code")
    ew = next(r for r in raw if r and r[0] == "K04000001")
    first = next(r for r in p1.rows if r.code == "K04000001")
    assert first.name == "ENGLAND AND WALES"  # "[note 3]" removed
    assert first.values["possession_of_weapons"] == int(
        ew[header.index(POSSESSION)].replace(",", "")
    )


@pytest.fixture
def era_store(engine_kind, filled_store, monkeypatch):
    """Real and VRU-era data (no seeds or illustrative figures): an import
    writes to it, so each test has a copy of its own
    (tests/data_access/era_store.py)."""
    monkeypatch.setattr(ons_import, "read_sheets", _cached_sheets)
    return filled_store(engine_kind, shared_era.NAME, shared_era.fill, copy=True)


_cached_sheets = functools.cache(ons_tables.read_sheets)


def import_audit(submission_id: int) -> dict:
    """The audit record of an import: its action and the file it names."""
    import json

    with session_scope() as session:
        action, after = session.execute(
            select(AuditLog.action, AuditLog.after).where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission_id),
            )
        ).one()
    named = json.loads(after)
    return {"action": action} | {k: named[k] for k in ("filename", "sha256", "source")}


def _current_value(measure: str, code: str, end: dt.date) -> tuple:
    with session_scope() as session:
        return session.execute(
            select(MeasureValue.value, Source.edition, Source.key)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Measure.code == measure,
                Area.code == code,
                MeasureValue.period_end == end,
                MeasureValue.is_current.is_(True),
            )
        ).one()


def test_import_reports_and_keeps_editions(era_store):
    dec19 = next(p for p in WORKBOOKS if p.name == "pfatablesdec19.xlsx")
    result = ons_import.import_ons_workbook(
        scope=ADMIN, content=dec19.read_bytes(), filename=dec19.name
    )
    assert any("Table P1" in t for t in result.tables)
    assert any("knife" in t for t in result.tables)
    assert any(s.startswith("Table P2") for s in result.skipped_tables)
    assert any("British Transport Police" in u for u in result.unplaced)
    assert "Greater Manchester (possession of weapons)" in result.missing
    rows, column = _workbook_p1(dec19)
    ew = next(r for r in rows if r and r[0] == "K04000001")
    value, edition, _key = _current_value(
        "possession_of_weapons", "K04000001", dt.date(2019, 12, 31)
    )
    assert (value, edition) == (ew[column], "YE Dec 2019")
    with session_scope() as session:
        coverage = session.scalar(
            select(MeasureValue.coverage)
            .join(Area, Area.id == MeasureValue.area_id)
            .where(
                Area.code == "K04000001",
                MeasureValue.period_end == dt.date(2019, 12, 31),
                MeasureValue.source_id == result.source_id,
                MeasureValue.is_current.is_(True),
            )
            .limit(1)
        )
    assert coverage == "England and Wales excluding Greater Manchester"

    # The C2 CSV: a partnership-level edition whose rows land on districts,
    # and the ones that cannot are reported with their row.
    c2 = ons_import.import_ons_workbook(
        scope=ADMIN, content=C2_CSV.read_bytes(), filename=C2_CSV.name
    )
    assert any("Unassigned" in u and "row" in u for u in c2.unplaced)
    assert any("several local authority districts" in u for u in c2.unplaced)
    # Same edition as the shipped copy: both kept, one current.
    with session_scope() as session:
        figures = session.execute(
            select(MeasureValue.is_current)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Area.code == "E06000023",
                Measure.code == "homicide",
                MeasureValue.period_end == dt.date(2025, 6, 30),
            )
        ).all()
    assert sorted(f[0] for f in figures) == [False, True]


def test_no_supported_table_is_refused_and_nothing_changes(era_store):
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Crime in England and Wales - PFA tables"])
    book.create_sheet("Table P2").append(
        ["Table P2: Police recorded crime by offence group, percentage change"]
    )
    out = io.BytesIO()
    book.save(out)
    before = store_checksum()
    with pytest.raises(ons_import.OnsWorkbookError, match="No supported table") as e:
        ons_import.import_ons_workbook(
            scope=ADMIN, content=out.getvalue(), filename="notes.xlsx"
        )
    assert "Table P2: a percentage change" in str(e.value)
    with pytest.raises(ons_import.OnsWorkbookError, match="No supported table"):
        ons_import.import_ons_workbook(
            scope=ADMIN, content=b"a,b\n1,2\n", filename="x.csv"
        )
    with pytest.raises(hes_import.OnsWorkbookError, match="No hospital admissions"):
        hes_import.import_hes_csv(scope=ADMIN, content=b"a,b\n1,2\n", filename="x.csv")
    assert store_checksum() == before


def _hes_csv(names: list[str], suppress: str) -> tuple[bytes, int]:
    """The shipped GOR-Data-Totals sheet as CSV, its first area names replaced by
    `names` (force areas or districts) and the second area's `suppress` total
    written '*' as NHS Digital writes a suppressed count; also the first area's
    2012-13 total as published."""
    book = load_workbook(HES, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in book["GOR-Data-Totals"].iter_rows(values_only=True)]
    finally:
        book.close()
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Year")
    columns = [j for j, c in enumerate(rows[head]) if c == "FAEs"]
    for j, name in zip(columns, names, strict=False):
        rows[head - 1][j] = name
    next(r for r in rows if r[0] == suppress)[columns[1]] = "*"
    first = next(r for r in rows if r[0] == "2012-13 Total")[columns[0]]
    out = io.StringIO()
    csv.writer(out).writerows([["" if c is None else c for c in r] for r in rows])
    return out.getvalue().encode(), first


def test_hes_csv_at_force_level_keeps_suppression(era_store):
    names = ["Lancashire", "E23000036", "Nowhere Constabulary"]
    content, first = _hes_csv(names, "2014-15 Total")
    result = hes_import.import_hes_csv(scope=ADMIN, content=content, filename="f.csv")
    assert result.unplaced[0].startswith("Nowhere Constabulary")
    assert result.suppressed == 1
    value, _edition, key = _current_value(
        "hospital_admissions_knife", "E23000003", dt.date(2013, 3, 31)
    )
    assert value == first and key.startswith("nhs-digital-hes-x99-import")
    with session_scope() as session:
        [(value, note, precision)] = session.execute(
            select(MeasureValue.value, MeasureValue.note, MeasureValue.precision)
            .join(Area, Area.id == MeasureValue.area_id)
            .where(
                MeasureValue.source_id == result.source_id,
                Area.code == "E23000036",
                MeasureValue.period_end == dt.date(2015, 3, 31),
            )
        ).all()
    assert value is None and "Unknown, not zero" in note  # never 0
    # The audit record names the file, its digest and the source it became.
    assert import_audit(result.submission_id) == {
        "action": "import_hes_admissions",
        "filename": "f.csv",
        "sha256": hashlib.sha256(content).hexdigest(),
        "source": key,
    }
    # The same file again changes nothing.
    before = store_checksum()
    with pytest.raises(hes_import.OnsWorkbookError, match="imported already"):
        hes_import.import_hes_csv(scope=ADMIN, content=content, filename="f.csv")
    assert store_checksum() == before


def test_command_line_reports_tables_and_refuses_cleanly(era_store, tmp_path):
    from app import server

    runner = server.test_cli_runner()
    result = runner.invoke(args=["import-ons", str(P1_CSV)])
    assert result.exit_code == 0, result.output
    assert "Tables found: Table P1" in result.output
    assert "British Transport Police (row" in result.output  # not placed, said so
    assert "WALES (row" in result.output
    notes = tmp_path / "notes.csv"
    notes.write_text("Notes\n1. Something\n")
    before = store_checksum()
    refused = runner.invoke(args=["import-ons", str(notes)])
    assert refused.exit_code == 1 and "No supported table" in refused.output
    assert "Traceback" not in refused.output
    assert store_checksum() == before


@pytest.mark.parametrize(
    "title",
    [
        "Table P4: Offences involving the use of a knife or sharp instrument, "
        "year ending March 2020",
        "TABLE P4: SHARP INSTRUMENT OFFENCES, YEAR ENDING MARCH 2020",
    ],
)
def test_a_knife_table_is_read_by_the_knife_reader_and_left_by_the_other(title):
    """One title rule for both readers: the knife reader takes the table (its
    title found below a blank row and after a blank cell, as the offence-group
    reader finds titles) and the offence-group reader leaves it to it."""
    sheet = ons_tables.Sheet(
        "P4",
        [
            [],
            [None, title],
            [],
            ["Area code", "Area name", "Number of offences involving a knife"],
            ["E23000013", "Cleveland", 512],
        ],
    )
    table = ons_import.knife_table_in([sheet])
    assert table is not None and table.title.startswith(title[:20])
    assert [(r.code, r.count) for r in table.rows] == [("E23000013", 512)]
    assert ons_tables.offence_table(sheet) == (
        None,
        "a knife offences table (read by the knife reader)",
    )
