"""Data coverage over the shipped data, on SQLite and PostgreSQL: each measure,
level and financial year says real, illustrative, both or missing exactly as the
current figures' sources do (worked out here from plain rows, not by the code
under test), and only analysts and admins may read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access import coverage, db, periods
from data_access.errors import AccessDenied
from data_access.models import Area, Measure, MeasureValue, Source
from data_access.scope import SYSTEM, Scope


def _expected() -> dict[tuple[str, str, int], str]:
    with db.session_scope() as session:
        rows = session.execute(
            select(
                Measure.code, Area.level, MeasureValue.period_start, Source.illustrative
            )
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(MeasureValue.is_current, Measure.is_public)
        ).all()
    flags: dict[tuple[str, str, int], set[bool]] = {}
    for code, level, start, illustrative in rows:
        key = (code, level, periods.financial_year_of(start))
        flags.setdefault(key, set()).add(bool(illustrative))
    words = {
        frozenset({False}): "real",
        frozenset({True}): "illustrative",
        frozenset({True, False}): "real and illustrative",
    }
    return {key: words[frozenset(v)] for key, v in flags.items()}


def test_each_year_says_what_its_figures_rest_on(loaded_store):
    frame = coverage.data_coverage(scope=SYSTEM)
    expected = _expected()
    got = {
        (r.measure_code, r.level, r.financial_year): r.status
        for r in frame.itertuples()
        if r.status != "missing"
    }
    assert got == expected
    # Every year between a level's first and last figure is listed; the gaps say so.
    for (code, level), part in frame.groupby(["measure_code", "level"]):
        years = list(part["financial_year"])
        assert years == list(range(years[0], years[-1] + 1))
        missing = part[part["status"] == "missing"]
        assert not any((code, level, y) in expected for y in missing["financial_year"])
    knife = frame[
        (frame["measure_code"] == "knife_offences")
        & (frame["level"] == "pfa")
        & (frame["fy_label"] == "2018/19")
    ].iloc[0]
    assert knife["status"] == "real"
    assert knife["areas"] >= 42 and knife["area_total"] >= knife["areas"]
    assert "Crime in England and Wales" in knife["sources"]


def test_only_analysts_and_admins_read_it(loaded_store):
    with pytest.raises(AccessDenied):
        coverage.data_coverage(
            scope=Scope(role="viewer", area_codes=frozenset({"E23000036"}))
        )
    with pytest.raises(AccessDenied):
        coverage.data_coverage(scope=Scope(role="public"))
    assert not coverage.data_coverage(
        scope=Scope(role="analyst", area_codes=frozenset())
    ).empty
