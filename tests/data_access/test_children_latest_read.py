"""`_children_latest` (/violence's "Areas within" read) picks the rows it reads
by the measure's and the parent's ids (scalar and IN subqueries) with no join
to measure or source for the periods (issue 19: PostgreSQL's planning and the
join were most of the statement). Checked against every stored row read
plainly and filtered in Python: only current values of the measure and age
band, of the parent's children (not the parent, not a grandchild), whatever
their source, and the picked period's rows whole."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_access import periods
from data_access.db import session_scope
from data_access.models import Area, Measure, MeasureValue, Source
from data_access.outcomes import raw_series
from tests.data_access.three_forces import (
    AVON,
    EW,
    GMP,
    SURREY,
    add_three_forces,
    measure_fields,
)

LA = "E06000022"  # under Avon: a grandchild of England and Wales


@pytest.fixture
def mixed_store(store):
    """Two measures, two sources, both age bands, superseded figures, the
    parent's own figures and a grandchild's: of these, only the current
    figures of one measure and age band of England and Wales' forces count."""
    with session_scope() as session:
        source, areas = add_three_forces(session)
        other = Source(key="other", publisher="Other", title="Other", licence="OGL")
        session.add(other)
        la = Area(code=LA, name="Bath", level="lad", parent_id=areas[AVON].id)
        session.add(la)
        session.flush()
        areas[LA] = la
        common = measure_fields(source, disclosure_rule="none")
        measures = [
            Measure(code=f"m{i}", name=f"M{i}", unit="offences", **common)
            for i in range(2)
        ]
        session.add_all(measures)
        session.flush()
        rows = []
        n = 0
        for measure in measures:
            for code in (EW, AVON, SURREY, GMP, LA):
                for age in ("all", "under25"):
                    for year in (2021, 2022, 2023):
                        spans = [periods.quarter_bounds(year, q) for q in (1, 2, 3, 4)]
                        if code != SURREY or year != 2023:
                            spans.append(periods.fy_bounds(year))
                        if code == GMP:
                            # a year ending June (another 12-month period)
                            spans.append(
                                (dt.date(year, 7, 1), dt.date(year + 1, 6, 30))
                            )
                        for start, end in spans:
                            n += 1
                            if code == SURREY and (year, start.month) == (2023, 10):
                                continue  # a gap: Surrey's last quarter
                            row = {
                                "measure_id": measure.id,
                                "area_id": areas[code].id,
                                "period_start": start,
                                "period_end": end,
                                "age_band": age,
                                "value": float(n),
                                "numerator": float(n),
                                "denominator": 1000.0 + n,
                                "status": "final" if n % 3 else "provisional",
                                "source_id": (other if n % 2 else source).id,
                                "note": None if n % 4 else f"note {n}",
                            }
                            rows.append(MeasureValue(**row))
                            if n % 5 == 0:  # an earlier edition, superseded
                                rows.append(
                                    MeasureValue(
                                        **{
                                            **row,
                                            "value": -1.0,
                                            "numerator": -1.0,
                                            "note": "superseded",
                                            "source_id": (
                                                source if n % 2 else other
                                            ).id,
                                            "is_current": False,
                                        }
                                    )
                                )
            # a current figure only the superseded flag keeps out: a later
            # quarter for Avon
            start, end = periods.quarter_bounds(2024, 1)
            rows.append(
                MeasureValue(
                    measure_id=measure.id,
                    area_id=areas[AVON].id,
                    period_start=start,
                    period_end=end,
                    value=-2.0,
                    source_id=source.id,
                    is_current=False,
                )
            )
        session.add_all(rows)
    return store


def _expected(measure_code: str, age_band: str) -> dict[tuple, tuple]:
    """Every current row of the measure and age band of EW's children, read
    plainly: (code, start, end) -> `_raw` row."""
    with session_scope() as session:
        stored = session.execute(
            select(MeasureValue, Measure.code, Area, Source)
            .join_from(MeasureValue, Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
        ).all()
        parents = dict(session.execute(select(Area.id, Area.code)).all())
        out = {}
        for value, code, area, source in stored:
            if (
                value.is_current
                and code == measure_code
                and value.age_band == age_band
                and parents.get(area.parent_id) == EW
            ):
                out[(area.code, value.period_start, value.period_end)] = (
                    area.code,
                    area.name,
                    value.period_start,
                    value.period_end,
                    value.value,
                    value.numerator,
                    value.denominator,
                    value.status,
                    source.title,
                    source.illustrative,
                    value.note,
                    value.precision,
                )
    return out


@pytest.mark.parametrize("length", ["year", "quarter", "calendar"])
@pytest.mark.parametrize("age_band", ["all", "under25"])
@pytest.mark.parametrize("measure_code", ["m0", "m1"])
def test_the_children_read_takes_the_current_rows_of_the_children(
    mixed_store, measure_code, age_band, length
):
    expected = _expected(measure_code, age_band)
    assert {key[0] for key in expected} == {AVON, SURREY, GMP}
    by_period, rows = raw_series._children_latest(measure_code, EW, age_band, length)
    # the periods: every current period of the children, with its areas
    wanted: dict[tuple, set] = {}
    for code, start, end in expected:
        wanted.setdefault((start, end), set()).add(code)
    got = {(start, end): set(codes) for start, end, codes in by_period}
    assert len(got) == len(by_period)  # one entry per period
    assert got == wanted
    # the rows: those of the guessed starts, whole and all of them
    assert rows, "a guess is made"
    first, last = min(row[2] for row in rows), max(row[2] for row in rows)
    assert list(rows) == sorted(
        (row for key, row in expected.items() if first <= key[1] <= last),
        key=lambda row: (row[0], row[2], row[3]),
    )


def test_an_unknown_parent_or_measure_reads_nothing(mixed_store):
    assert raw_series._children_latest("m0", "E99999999", "all", "year") == ((), ())
    assert raw_series._children_latest("nope", EW, "all", "year") == ((), ())
