"""The real published data loaded by data_access.shipped.real.

The reference files are loaded into an empty store (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set) once per engine, and each test checks a fact a reader
of the dashboard relies on (the one that loads again does so into a copy).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import aliased

from data_access import db, migrate
from data_access.models import (
    Area,
    Base,
    Measure,
    MeasureValue,
    Population,
    Source,
)
from data_access.shipped import real

MET = "E23000001"
GMP = "E23000005"


def _load_real() -> None:
    with db.session_scope() as session:
        real.load(session)


@pytest.fixture
def loaded(engine_kind, filled_store):
    """The reference files loaded into an empty store, once per engine for
    every test here (each only reads it: tests/conftest.py `filled_store`)."""
    return filled_store(engine_kind, "real", _load_real)


@pytest.fixture
def loaded_copy(engine_kind, filled_store):
    """A copy of `loaded` of the test's own, to load into again."""
    return filled_store(engine_kind, "real", _load_real, copy=True)


def _knife(session, code: str, start: dt.date, end: dt.date, *, current=True):
    query = (
        select(MeasureValue.value, Source.key)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            Measure.code == "knife_offences",
            Area.code == code,
            MeasureValue.period_start == start,
            MeasureValue.period_end == end,
            MeasureValue.age_band == "all",
        )
    )
    if current is not None:
        query = query.where(MeasureValue.is_current.is_(current))
    return session.execute(query.order_by(Source.key)).all()


def test_areas_are_the_43_force_areas_with_their_lads_and_20_vrus(loaded):
    with db.session_scope() as session:
        pfas = session.scalars(select(Area).where(Area.level == "pfa")).all()
        assert len(pfas) == 43
        names = {a.code: a.name for a in pfas}
        assert names["E23000034"] == "City of London"
        assert names[MET] == "Metropolitan Police"
        assert names["E23000036"] == "Avon and Somerset"

        ew = session.scalar(select(Area).where(Area.code == "K04000001"))
        assert (ew.name, ew.level, ew.parent_id) == (
            "England and Wales",
            "country",
            None,
        )
        england = session.scalar(select(Area).where(Area.code == "E92000001"))
        assert (england.level, england.parent_id) == ("country", None)
        assert {a.parent_id for a in pfas} == {ew.id}

        lad = aliased(Area)
        lads_per_pfa = dict(
            session.execute(
                select(Area.code, func.count(lad.id))
                .join(
                    lad, (lad.parent_id == Area.id) & (lad.level == "lad"), isouter=True
                )
                .where(Area.level == "pfa")
                .group_by(Area.code)
            ).all()
        )
        assert len(lads_per_pfa) == 43
        assert min(lads_per_pfa.values()) >= 1

        vrus = {a.code: a.vru_start_year for a in pfas if a.is_vru}
        assert len(vrus) == 20
        assert vrus["E23000013"] == 2022  # Cleveland
        assert vrus["E23000012"] == 2022  # Humberside
        assert sorted(vrus.values()).count(2019) == 18
        assert all(a.vru_start_year is None for a in pfas if not a.is_vru)


def test_population_matches_the_published_totals(loaded):
    with db.session_scope() as session:

        def population(code: str, year: int, band: str = "all") -> int | None:
            return session.scalar(
                select(Population.value)
                .join(Area, Area.id == Population.area_id)
                .where(
                    Area.code == code,
                    Population.mid_year == year,
                    Population.age_band == band,
                )
            )

        assert population("K04000001", 2018) == 59_115_800
        assert population(MET, 2018) == 8_899_400
        # mid-2019 and mid-2020 are sums of LADs, with abolished districts mapped up.
        assert population("K04000001", 2019) == 59_439_840
        assert population("K04000001", 2020) == 59_719_724
        pfa_total_2019 = session.scalar(
            select(func.sum(Population.value))
            .join(Area, Area.id == Population.area_id)
            .where(
                Area.level == "pfa",
                Population.mid_year == 2019,
                Population.age_band == "all",
            )
        )
        assert pfa_total_2019 == 59_439_840
        assert population("E06000066", 2019) is not None  # Somerset (2023 unitary)
        assert population("K04000001", 2020, "under25") < population("K04000001", 2020)
        bands = set(session.scalars(select(Population.age_band).distinct()))
        assert bands == {"all", "under25", "0-9", "10-17", "18-24", "25+", "10-24"}


def test_met_knife_offences_2018_19_is_the_current_ons_figure(loaded):
    start, end = dt.date(2018, 4, 1), dt.date(2019, 3, 31)
    with db.session_scope() as session:
        assert _knife(session, MET, start, end) == [
            (14_842, "ons-pfa-tables-ye-dec-2019")
        ]
        earlier = _knife(session, MET, start, end, current=False)
        assert [key for _v, key in earlier] == [
            "ons-pfa-tables-ye-jun-2019",
            "ons-pfa-tables-ye-sep-2019",
        ]


def test_quarters_sum_to_the_ons_annual_figure_for_2013_14(loaded):
    """The README says the quarterly series matches ONS exactly for 2010/11-2013/14."""
    with db.session_scope() as session:
        quarters = session.scalar(
            select(func.sum(MeasureValue.value))
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Measure.code == "knife_offences",
                Area.code == MET,
                Source.key == "knifecrime-data-quarterly",
                MeasureValue.period_start >= dt.date(2013, 4, 1),
                MeasureValue.period_end <= dt.date(2014, 3, 31),
            )
        )
        annual = _knife(session, MET, dt.date(2013, 4, 1), dt.date(2014, 3, 31))
        assert quarters == annual[0][0] == 10_064


def test_missing_figures_are_absent_not_zero(loaded):
    """GMP has no data after July 2019 and the quarterly series has no City of
    London, so there is no GMP row for 2019 and no E&W quarterly total."""
    with db.session_scope() as session:
        assert _knife(session, GMP, dt.date(2019, 1, 1), dt.date(2019, 12, 31)) == []
        # 2018/19 for GMP comes from the last edition that published it.
        assert _knife(session, GMP, dt.date(2018, 4, 1), dt.date(2019, 3, 31)) == [
            (3_619, "ons-pfa-tables-ye-jun-2019")
        ]
        assert (
            _knife(session, "K04000001", dt.date(2018, 4, 1), dt.date(2018, 6, 30))
            == []
        )
        zeros = session.scalar(
            select(func.count())
            .select_from(MeasureValue)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(Measure.code == "knife_offences", MeasureValue.value == 0)
        )
        assert zeros == 0


def test_measures_carry_the_contract_codes(loaded):
    with db.session_scope() as session:
        measures = {m.code: m for m in session.scalars(select(Measure))}
        assert set(measures) == {
            "hospital_admissions_knife",
            "knife_offences",
            "homicide_knife",
            "knife_offences_share",
        }
        ranks = {c: m.success_measure_rank for c, m in measures.items()}
        assert ranks["hospital_admissions_knife"] == 1
        assert ranks["knife_offences"] == 2
        assert ranks["homicide_knife"] == 3
        assert measures["homicide_knife"].rate_multiplier == 1_000_000
        assert measures["knife_offences_share"].ci_method == "wilson"
        assert measures["hospital_admissions_knife"].disclosure_rule == "hes"


def test_every_figure_has_a_source_and_homicide_revisions_are_kept(loaded):
    with db.session_scope() as session:
        for model in (MeasureValue, Population):
            total = session.scalar(select(func.count()).select_from(model))
            sourced = session.scalar(
                select(func.count())
                .select_from(model)
                .join(Source, Source.id == model.source_id)
                .where(Source.illustrative.is_(False))
            )
            assert total > 0
            assert sourced == total
        homicides_2017 = session.execute(
            select(MeasureValue.value, MeasureValue.is_current)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Measure.code == "homicide_knife",
                MeasureValue.period_start == dt.date(2017, 4, 1),
                MeasureValue.age_band == "all",
            )
            .order_by(MeasureValue.value)
        ).all()
        assert homicides_2017 == [(281, True), (285, False)]


def test_loading_twice_is_a_no_op(loaded_copy):
    with db.session_scope() as session:
        before = session.scalar(select(func.count()).select_from(MeasureValue))
        assert real.load(session) == {}
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(MeasureValue)) == before


def test_no_row_contains_an_email_address(loaded):
    with db.session_scope() as session:
        for table in Base.metadata.sorted_tables:
            for column in table.c:
                if isinstance(column.type, String | Text):
                    hits = session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(column.contains("@"))
                    )
                    assert hits == 0, f"{table.name}.{column.name} contains '@'"


def _dump(url: str, monkeypatch) -> dict[str, list[tuple]]:
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    migrate.upgrade()
    with db.session_scope() as session:
        real.load(session)
    dump = {}
    with db.session_scope() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "store_meta":
                # A random cache generation per store (migration 0016): two
                # loads differ there by design, never in the data.
                continue
            rows = session.execute(
                select(table).order_by(*table.primary_key.columns)
            ).all()
            dump[table.name] = [tuple(row) for row in rows]
    db.reset_engine()
    return dump


def test_loading_is_deterministic(tmp_path, monkeypatch):
    """Two fresh stores loaded from the same files are identical, row for row."""
    first = _dump(f"sqlite:///{tmp_path / 'one.sqlite3'}", monkeypatch)
    second = _dump(f"sqlite:///{tmp_path / 'two.sqlite3'}", monkeypatch)
    assert first["measure_value"]
    assert first == second
