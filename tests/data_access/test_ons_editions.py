"""ONS editions supersede each other by reference date, not by import order, and
totals that leave an area out say so and use the matching population.

Every shipped ONS Police Force Area workbook (data/reference/ons-pfa-tables/, eight
editions from YE Mar 2018 to YE Dec 2019) is imported over the shipped real data
in several orders, and the current figures must come out identical. The figures
the tests expect are read from the workbooks' cells with openpyxl, never typed in.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from data_access import ons_import
from data_access.db import session_scope
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Population,
    Source,
    Submission,
)
from data_access.outcomes import benchmarking, raw_series
from data_access.scope import Scope
from tests.data_access import era_store

WORKBOOKS = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "ons-pfa-tables"
)
EDITIONS = sorted(WORKBOOKS.glob("*.xlsx"))
DEC18 = WORKBOOKS / "policeforceareatablesyearendingdecember2018.xlsx"
JUN18 = WORKBOOKS / "policeforceareadatatablesyearendingjune2018corrected.xlsx"
JUN19 = WORKBOOKS / "policeforceareatablesyearendingjune2019.xlsx"
DEC19 = WORKBOOKS / "pfatablesdec19.xlsx"
SEP19 = WORKBOOKS / "policeforceareatablesyearendingseptember2019.xlsx"
ADMIN = Scope(role="admin", actor="VRU Director")
SUSSEX, SURREY, NORTHUMBRIA, EW = "E23000033", "E23000031", "E23000007", "K04000001"
GMP, ENGLAND = "E23000005", "E92000001"

_find_knife_table = functools.cache(ons_import.find_knife_table)
_read_sheets = functools.cache(ons_import.read_sheets)


def workbook_cell(
    path: Path, sheet_prefix: str, code: str, column: str, *, share: bool = False
) -> float:
    """The count under the period heading `column` ("Jan '18 to Dec '18"), or under
    the first count heading when `column` is "", in the row of area `code`; with
    `share`, the "% involving a knife" beside it."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next(ws for ws in book.worksheets if ws.title.startswith(sheet_prefix))
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if column:
        index = next(r.index(column) for r in rows if column in r)
    else:
        header = next(r for r in rows if r[0] in ("Area Code", "Area Codes"))
        index = next(i for i, c in enumerate(header) if str(c).startswith("Number"))
    return next(r[index + share] for r in rows if r[0] == code)


@pytest.fixture
def real_store(engine_kind, filled_store, monkeypatch):
    """A copy of the shipped real and VRU-era data of the test's own
    (tests/data_access/era_store.py); workbooks are read once per test session."""
    monkeypatch.setattr(ons_import, "find_knife_table", _find_knife_table)
    monkeypatch.setattr(ons_import, "read_sheets", _read_sheets)
    return filled_store(engine_kind, era_store.NAME, era_store.fill, copy=True)


def _import(path: Path) -> ons_import.OnsImportResult:
    return ons_import.import_ons_workbook(
        scope=ADMIN, content=path.read_bytes(), filename=path.name
    )


def _current_figures() -> set[tuple]:
    with session_scope() as session:
        return set(
            session.execute(
                select(
                    Measure.code,
                    Area.code,
                    MeasureValue.period_start,
                    MeasureValue.period_end,
                    MeasureValue.age_band,
                    MeasureValue.value,
                    MeasureValue.numerator,
                    MeasureValue.denominator,
                    Source.edition,
                )
                .join(Measure, Measure.id == MeasureValue.measure_id)
                .join(Area, Area.id == MeasureValue.area_id)
                .join(Source, Source.id == MeasureValue.source_id)
                .where(MeasureValue.is_current.is_(True))
            ).all()
        )


def _current_value(code: str, start: dt.date, end: dt.date) -> float:
    with session_scope() as session:
        return session.scalar(
            select(MeasureValue.value)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Measure.code == "knife_offences",
                Area.code == code,
                MeasureValue.period_start == start,
                MeasureValue.period_end == end,
                MeasureValue.age_band == "all",
                MeasureValue.is_current.is_(True),
            )
        )


def _undo_imports(shipped_current: set[int]) -> None:
    """Remove every imported edition and restore the shipped current flags."""
    with session_scope() as session:
        imported = select(Submission.id).where(Submission.kind == "ons_workbook")
        session.execute(
            delete(MeasureValue).where(MeasureValue.submission_id.in_(imported))
        )
        session.execute(delete(Submission).where(Submission.kind == "ons_workbook"))
        session.execute(delete(Source).where(Source.key.like("ons-pfa-import-%")))
        session.execute(
            update(MeasureValue)
            .where(MeasureValue.id.not_in(shipped_current))
            .values(is_current=False)
        )
        session.execute(
            update(MeasureValue)
            .where(MeasureValue.id.in_(shipped_current))
            .values(is_current=True)
        )


def test_every_import_order_gives_the_same_current_figures(real_store):
    assert len(EDITIONS) == 8
    with session_scope() as session:
        shipped_current = set(
            session.scalars(
                select(MeasureValue.id).where(MeasureValue.is_current.is_(True))
            )
        )
    by_date = sorted(
        EDITIONS, key=lambda p: _find_knife_table(p.read_bytes()).period_end
    )
    orders = [by_date, by_date[::-1]]
    for seed in (1, 2, 3):
        shuffled = list(by_date)
        random.Random(seed).shuffle(shuffled)
        orders.append(shuffled)
    results = []
    for order in orders:
        for path in order:
            _import(path)
        results.append(_current_figures())
        _undo_imports(shipped_current)
    assert all(r == results[0] for r in results[1:])
    # and the undo really restored the shipped store, so each order started alike
    assert _current_figures() != results[0]


def test_an_older_edition_imported_last_does_not_replace_revised_figures(real_store):
    ye_dec_2018 = (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    ye_jun_2018 = (dt.date(2017, 7, 1), dt.date(2018, 6, 30))
    for path in (DEC19, JUN19, DEC18, JUN18):  # newest first, the oldest last
        _import(path)
    # Revised figures of the later editions' time series (Table P5) stay current...
    for code in (SUSSEX, SURREY):
        revised = workbook_cell(DEC19, "Table P5", code, "Jan '18 to Dec '18")
        first = workbook_cell(DEC18, "Table P4", code, "")
        assert revised != first  # Sussex 981 against 301, Surrey 443 against 60
        assert _current_value(code, *ye_dec_2018) == revised
    for code in (NORTHUMBRIA, EW):
        revised = workbook_cell(JUN19, "Table P5", code, "Jul '17 to Jun '18")
        first = workbook_cell(JUN18, "Table P4", code, "")
        assert revised != first  # Northumbria 823 against 288; E&W 43,711 / 41,884
        assert _current_value(code, *ye_jun_2018) == revised
    # ... and the older editions' figures are kept as history, not current.
    with session_scope() as session:
        kept = session.scalar(
            select(MeasureValue.is_current)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Area.code == SUSSEX,
                Source.edition == "YE Dec 2018",
                MeasureValue.period_start == ye_dec_2018[0],
                MeasureValue.value == workbook_cell(DEC18, "Table P4", SUSSEX, ""),
            )
        )
    assert kept is False


def _population(code: str, year: int) -> int:
    with session_scope() as session:
        return session.scalar(
            select(Population.value)
            .join(Area, Area.id == Population.area_id)
            .where(
                Area.code == code,
                Population.mid_year == year,
                Population.age_band == "all",
            )
        )


def test_a_total_without_greater_manchester_says_so_and_uses_its_population(
    real_store,
):
    for path in (SEP19, DEC19):
        _import(path)
    assert workbook_cell(DEC19, "Table P4", GMP, "") == "NA"
    count = workbook_cell(DEC19, "Table P4", EW, "")
    covered = _population(EW, 2019) - _population(GMP, 2019)
    expected = count / covered * 100_000
    assert round(expected, 2) == 80.61  # the figure; 76.76 on all of E&W
    # rolling years are not on the charts (financial years and quarters are), so
    # the store's figures are read as the trend queries read them
    values = raw_series._raw("knife_offences", EW, None, "all")
    [row] = values[values["period_end"] == dt.date(2019, 12, 31)].itertuples()
    assert row.area_name == "England and Wales excluding Greater Manchester"
    assert row.denominator == covered
    assert row.value / row.denominator * 100_000 == pytest.approx(expected)
    england = raw_series._raw("knife_offences", ENGLAND, None, "all")
    [row] = england[england["period_end"] == dt.date(2019, 12, 31)].itertuples()
    assert row.area_name == "England excluding Greater Manchester"
    assert row.denominator == _population(ENGLAND, 2019) - _population(GMP, 2019)
    # "NA" leaves no empty Greater Manchester figure behind
    gmp = raw_series._raw("knife_offences", GMP, None, "all")
    assert gmp["period_end"].max() < dt.date(2019, 9, 30)


def test_a_sum_of_force_areas_names_the_areas_it_leaves_out(real_store):
    bench = benchmarking._national("knife_offences", "quarter", "all")
    # the quarterly series has no City of London
    assert set(bench["area_name"]) == {
        "England and Wales (sum of 42 force areas, excluding City of London)"
    }


MAR18 = WORKBOOKS / "policeforceareatablesyearendingmarch2018v2.xlsx"
LINCOLNSHIRE = "E23000020"


def _current_shares() -> dict[tuple, tuple]:
    return {
        (area, start, end): (value, numerator, denominator)
        for measure, area, start, end, _band, value, numerator, denominator, _e in (
            _current_figures()
        )
        if measure == "knife_offences_share"
    }


def _selected(path: Path, code: str) -> int:
    """Selected offences of an edition's own year, from its Table P4 row."""
    count = workbook_cell(path, "Table P4", code, "")
    return round(count / workbook_cell(path, "Table P4", code, "", share=True) * 100)


def test_shares_are_counts_over_selected_offences_of_the_same_period(real_store):
    shares = _current_shares()
    # E&W 2017/18: the current (revised) count over 2017/18's selected offences,
    # not the YE Jun 2019 time series' 6.648% (42,169 over 2016/17's)
    fy_2017 = (EW, dt.date(2017, 4, 1), dt.date(2018, 3, 31))
    count = workbook_cell(JUN19, "Table P5", EW, "Apr '17 to Mar '18")
    base = _selected(MAR18, EW)
    assert shares[fy_2017] == (pytest.approx(count / base * 100), count, base)
    misbased = workbook_cell(JUN19, "Table P5", EW, "Apr '17 to Mar '18", share=True)
    assert round(misbased, 3) == 6.648 and round(count / base * 100, 3) != 6.648
    # Sussex YE Dec 2018: the revised 981 over that year's selected offences
    ye_dec_2018 = (SUSSEX, dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    revised = workbook_cell(DEC19, "Table P5", SUSSEX, "Jan '18 to Dec '18")
    assert shares[ye_dec_2018][1:] == (revised, _selected(DEC18, SUSSEX))
    # Importing an edition that is already shipped revises no share (before: 41
    # of 44 changed as the import switched from the time series to Table P4)
    _import(JUN19)
    after = _current_shares()
    changed = [
        k
        for k, (value, numerator, base) in shares.items()
        if after[k][1:] != (numerator, base) or abs(after[k][0] - value) > 1e-9
    ]
    assert changed == []
    ye_jun_2019 = (LINCOLNSHIRE, dt.date(2018, 7, 1), dt.date(2019, 6, 30))
    assert after[ye_jun_2019][2] == _selected(JUN19, LINCOLNSHIRE)
