"""Import of ONS Police Force Area data tables workbooks: the knife offences table is
found by its title and columns in both real editions and in re-laid-out copies,
footnotes become caveats, "NA" stays missing, figures become a new source edition
that supersedes the previous one's, and workbooks without such a table (or already
imported) are refused with the store unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from data_access import cache, ons_import
from data_access.db import session_scope
from data_access.errors import AccessDenied
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Population,
    Source,
    Submission,
)
from data_access.scope import Scope
from tests.data_access.test_ons_tables import import_audit
from tests.data_access.test_returns import store_checksum

WORKBOOKS = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "ons-pfa-tables"
)
DEC19 = WORKBOOKS / "pfatablesdec19.xlsx"
MAR19 = WORKBOOKS / "policeforceareatablesyeendingmarch2019.xlsx"
ADMIN = Scope(role="admin", actor="VRU Director")


@pytest.mark.parametrize(
    "path,edition,start,end,surrey,avon",
    [
        (DEC19, "YE Dec 2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31), 467, 911),
        (MAR19, "YE Mar 2019", dt.date(2018, 4, 1), dt.date(2019, 3, 31), 464, 885),
    ],
)
def test_both_real_editions_are_found(path, edition, start, end, surrey, avon):
    table = ons_import.find_knife_table(path.read_bytes())
    assert (table.edition, table.period_start, table.period_end) == (
        edition,
        start,
        end,
    )
    rows = {r.code: r for r in table.rows}
    assert rows["E23000031"].count == surrey and rows["E23000031"].name == "Surrey"
    assert rows["E23000031"].marks  # Surrey's footnote mark was split off
    assert rows["E23000036"].count == avon
    assert "unbroken bottle" in " ".join(table.footnotes.values())
    assert len([r for r in table.rows if r.code and r.code.startswith("E23")]) == 39


def test_dec19_greater_manchester_na_is_missing():
    table = ons_import.find_knife_table(DEC19.read_bytes())
    gmp = next(r for r in table.rows if r.code == "E23000005")
    assert gmp.count is None and gmp.raw_count == "NA"


def _relaid(path: Path, *, drop_codes: bool) -> bytes:
    """The knife table copied to a new workbook: another sheet name, shifted down
    and right, other sheets before it, optionally without the code column."""
    source = load_workbook(path, data_only=True)
    sheet = next(ws for ws in source.worksheets if "P4" in ws.title)
    book = Workbook()
    book.active.title = "Contents"
    book.active["A1"] = "Contents: tables about crime"
    other = book.create_sheet("Table 9")
    other["A1"] = (
        "Table 9: Police recorded crime, rate of offences, year ending June 2020"
    )
    target = book.create_sheet("Knife crime")
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        first = str(cells[0] or "")
        if drop_codes and (not first or first == "Area Code" or first[1:2].isdigit()):
            cells = cells[1:]
        target.append([None, None, *cells])
    target.insert_rows(1, amount=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("drop_codes", [False, True], ids=["codes", "names-only"])
def test_table_is_found_by_title_and_columns_not_position(drop_codes):
    table = ons_import.find_knife_table(_relaid(DEC19, drop_codes=drop_codes))
    assert table.sheet == "Knife crime" and table.edition == "YE Dec 2019"
    names = {r.name: r.count for r in table.rows}
    assert names["Avon and Somerset"] == 911 and names["Surrey"] == 467


def test_workbook_without_knife_table_is_refused():
    book = load_workbook(MAR19)
    for name in list(book.sheetnames):
        if "P4" in name:
            del book[name]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ons_import.OnsWorkbookError, match="No knife or sharp"):
        ons_import.find_knife_table(out.getvalue())
    with pytest.raises(ons_import.OnsWorkbookError, match="not an Excel"):
        ons_import.find_knife_table(b"\x00\x01\x02 binary, not text")
    # A CSV sheet is read (ONS tables are also published sheet by sheet as CSV),
    # and one without the table is refused the same way.
    with pytest.raises(ons_import.OnsWorkbookError, match="No knife or sharp"):
        ons_import.find_knife_table(b"area,count\nx,1\n")
    with pytest.raises(ons_import.OnsWorkbookError, match="empty"):
        ons_import.find_knife_table(b"")


@pytest.fixture
def knife_store(store):
    """Force areas and the knife measures, with an older edition's current figure
    for Avon and Somerset, YE Dec 2019, to be superseded."""
    with session_scope() as session:
        src = Source(key="old-edition", publisher="ONS", title="old", licence="OGL")
        session.add(src)
        session.flush()
        areas = {}
        for code, name in [
            ("K04000001", "England and Wales"),
            ("E23000036", "Avon and Somerset"),
            ("E23000031", "Surrey"),
            ("E23000005", "Greater Manchester"),
            ("E23000014", "West Midlands"),
        ]:
            area = Area(
                code=code, name=name, level="country" if code[0] == "K" else "pfa"
            )
            session.add(area)
            session.flush()
            areas[code] = area.id
            session.add(
                Population(area_id=area.id, mid_year=2018, age_band="all",
                           value=1_000_000, source_id=src.id)
            )  # fmt: skip
        common = dict(
            definition="d", polarity="lower_is_better", category="outcome",
            period_type="quarter", source_id=src.id,
        )  # fmt: skip
        knife = Measure(code="knife_offences", name="Knife offences", unit="offences",
                        rate_multiplier=100_000, **common)  # fmt: skip
        share = Measure(code="knife_offences_share", name="Share", unit="%", **common)
        session.add_all([knife, share])
        session.flush()
        session.add(
            MeasureValue(
                measure_id=knife.id, area_id=areas["E23000036"],
                period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 12, 31),
                value=900, numerator=900, denominator=1_700_000, source_id=src.id,
                is_current=True,
            )
        )  # fmt: skip
    return areas


def _current(code: str, end: dt.date) -> list[tuple]:
    with session_scope() as session:
        return session.execute(
            select(MeasureValue.value, MeasureValue.denominator, MeasureValue.note)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Area.code == code,
                Measure.code == "knife_offences",
                MeasureValue.period_end == end,
                MeasureValue.is_current.is_(True),
            )
        ).all()


def test_import_writes_a_new_edition_and_supersedes(knife_store, monkeypatch):
    cleared = []
    monkeypatch.setattr(cache, "invalidate", lambda *_: cleared.append(1))
    end = dt.date(2019, 12, 31)
    result = ons_import.import_ons_workbook(
        scope=ADMIN, content=DEC19.read_bytes(), filename=DEC19.name
    )
    assert cleared and result.superseded == 1
    assert result.written == 2 * 4  # count and share of the four coded areas with data
    assert "Greater Manchester" in result.missing
    assert "British Transport Police" in result.skipped
    # West Midlands the region must not be taken for West Midlands the force.
    assert "West Midlands" in result.skipped
    [(value, denominator, _note)] = _current("E23000036", end)
    assert value == 911 and denominator == 1_000_000  # the population, as every row
    [(surrey, surrey_den, surrey_note)] = _current("E23000031", end)
    assert surrey == 467 and surrey_den == 1_000_000  # from the population table
    assert "unbroken bottle" in surrey_note
    # "NA" writes no figure: no empty Greater Manchester row
    assert _current("E23000005", end) == []
    with session_scope() as session:
        source = session.get(Source, result.source_id)
        assert source.edition == "YE Dec 2019" and not source.illustrative
        assert "knife" in source.notes
        submission = session.get(Submission, result.submission_id)
        assert (
            submission.kind == "ons_workbook"
            and submission.content == DEC19.read_bytes()
        )
        old = session.scalar(
            select(MeasureValue.is_current)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(Source.key == "old-edition")
        )
        assert old is False  # kept, not current
        key = source.key
    assert import_audit(result.submission_id) == {
        "action": "import_ons_workbook",
        "filename": DEC19.name,
        "sha256": hashlib.sha256(DEC19.read_bytes()).hexdigest(),
        "source": key,
    }

    # The same workbook again is recognised; nothing changes.
    before = store_checksum()
    with pytest.raises(ons_import.OnsWorkbookError, match="imported already"):
        ons_import.import_ons_workbook(
            scope=ADMIN, content=DEC19.read_bytes(), filename=DEC19.name
        )
    assert store_checksum() == before

    # The other edition imports too, for its own period.
    other = ons_import.import_ons_workbook(
        scope=ADMIN, content=MAR19.read_bytes(), filename=MAR19.name
    )
    assert other.edition == "YE Mar 2019" and other.written > 0
    assert _current("E23000036", dt.date(2019, 3, 31))[0][0] == 885


def test_refused_workbooks_change_nothing(knife_store):
    before = store_checksum()
    with pytest.raises(ons_import.OnsWorkbookError):
        ons_import.import_ons_workbook(
            scope=ADMIN, content=b"PK\x03\x04xx", filename="x"
        )
    with pytest.raises(AccessDenied):
        ons_import.import_ons_workbook(
            scope=Scope(role="analyst"), content=DEC19.read_bytes(), filename="x"
        )
    assert store_checksum() == before
