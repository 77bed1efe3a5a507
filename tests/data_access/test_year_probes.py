"""year_values._has_years (issue 19: index probes that stop at the first year
found) says of every measure what the test it replaced said: the old SQL is
kept below as the reference (a stored April-March value, or any area's
quarters grouped by area and financial year with `_four_quarters`' HAVING),
built with EXTRACT rather than year_values' own date parts. Both are run over
hand-made measures whose answers are worked out by hand: three quarters only,
four with a numerator or a proportion's denominator missing, quarters split
across two financial years or making a calendar year, a year of quarters that
start in another month, five quarters or a month twice, quarters of another
level, age band or area, annual values not starting in April, rows no longer
current; at every level and age band, for `_codes_statement` (financial years)
and `_rate_measures_statement` (or rolling years). And `_four_quarters`'
test that a year's quarters start in four different months (a sum of octal
digits, issue 19) keeps the rows COUNT(DISTINCT month) kept, in every
statement of the years' figures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import and_, case, extract, func, or_, select

from data_access import db, periods, statistics
from data_access.models import Area, Measure, MeasureValue, Source
from data_access.outcomes import year_values
from tests.data_access.test_compare_reads import _plan
from tests.data_access.three_forces import (
    AVON,
    EW,
    GMP,
    SURREY,
    add_three_forces,
    measure_fields,
)

# ------------------------------------------------------- the old tests (copy)


def _old_measure_values(level: str, age_band: str, months: int):
    return (
        select(MeasureValue.area_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            MeasureValue.measure_id == Measure.id,
            Area.level == level,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
            MeasureValue.period_months == months,
        )
    )


def _old_has_years(level: str, age_band: str):
    start_y = extract("year", MeasureValue.period_start)
    start_m = extract("month", MeasureValue.period_start)
    fy = case((start_m >= 4, start_y), else_=start_y - 1)
    annual = _old_measure_values(level, age_band, 12).where(start_m == 4).offset(0)
    quarters = (
        _old_measure_values(level, age_band, 3)
        .group_by(MeasureValue.area_id, fy)
        .having(
            and_(
                func.count() == 4,
                func.count(MeasureValue.numerator) == 4,
                func.count(func.distinct(start_m)) == 4,
                or_(
                    ~Measure.ci_method.in_(statistics.PROPORTION_CI_METHODS),
                    func.count(MeasureValue.denominator) == 4,
                ),
            )
        )
    )
    return or_(annual.exists(), quarters.exists())


def _old_four_quarters(start_m, values=MeasureValue):  # noqa: ANN001
    return and_(
        func.count() == 4,
        func.count(values.numerator) == 4,
        func.count(func.distinct(start_m)) == 4,
        or_(
            ~Measure.ci_method.in_(statistics.PROPORTION_CI_METHODS),
            func.count(values.denominator) == 4,
        ),
    )


def _old_has_rolling_years(level: str, age_band: str):
    start_m = extract("month", MeasureValue.period_start)
    return _old_measure_values(level, age_band, 12).where(start_m != 4).exists()


# ------------------------------------------------------------ the measures

Q = "quarters"
Y = "year"


def _quarter(year: int, month: int, day: int = 1) -> tuple:
    start = dt.date(year, month, day)
    end = periods.parse_month(
        f"{year + (month + 2 > 12):04d}-{(month + 1) % 12 + 1:02d}",
        parameter="end",
        end=True,
    )
    if day > 1:  # three calendar months, from mid-month to mid-month
        end = end.replace(day=day - 1)
    return start, end


def _year(year: int, month: int) -> tuple:
    end = periods.parse_month(
        f"{year + (month > 1):04d}-{(month - 2) % 12 + 1:02d}",
        parameter="end",
        end=True,
    )
    return dt.date(year, month, 1), end


def _quarters(*starts) -> list[dict]:
    return [{"span": _quarter(*s)} for s in starts]


A_YEAR = _quarters((2018, 4), (2018, 7), (2018, 10), (2019, 1))

# code -> (proportion, rows of Avon unless said, has a financial year for
# force areas of all ages, has a rolling year)
MEASURES = {
    "april_year": (False, A_YEAR, True, False),
    "april_year_proportion": (True, A_YEAR, True, False),
    "three_quarters": (False, A_YEAR[:3], False, False),
    "no_numerator": (
        False,
        [*A_YEAR[:3], {**A_YEAR[3], "numerator": None}],
        False,
        False,
    ),
    # a count's year keeps Q1's population: a missing one is no matter
    "count_no_denominator": (
        False,
        [*A_YEAR[:3], {**A_YEAR[3], "denominator": None}],
        True,
        False,
    ),
    "proportion_no_denominator": (
        True,
        [*A_YEAR[:3], {**A_YEAR[3], "denominator": None}],
        False,
        False,
    ),
    "split_years": (
        False,
        _quarters((2018, 7), (2018, 10), (2019, 1), (2019, 4)),
        False,
        False,
    ),
    "calendar_year": (
        False,
        _quarters((2018, 1), (2018, 4), (2018, 7), (2018, 10)),
        False,
        False,
    ),
    # four quarters of one financial year, none from April: a year as the
    # grouping finds it
    "may_year": (
        False,
        _quarters((2018, 5), (2018, 8), (2018, 11), (2019, 2)),
        True,
        False,
    ),
    # starting mid-month, the last on 15 March: still that financial year
    "mid_month_year": (
        False,
        _quarters((2018, 6, 15), (2018, 9, 15), (2018, 12, 15), (2019, 3, 15)),
        True,
        False,
    ),
    # ... and one starting on 1 April is the next year's
    "mid_month_split": (
        False,
        _quarters((2018, 6, 15), (2018, 9, 15), (2018, 12, 15), (2019, 4)),
        False,
        False,
    ),
    "five_quarters": (False, [*A_YEAR, *_quarters((2018, 5))], False, False),
    "a_month_twice": (
        False,
        _quarters((2018, 4), (2018, 4, 2), (2018, 7), (2018, 10)),
        False,
        False,
    ),
    "two_areas": (
        False,
        [*A_YEAR[:2], *({**r, "area": SURREY} for r in A_YEAR[2:])],
        False,
        False,
    ),
    "country_only": (False, [{**r, "area": EW} for r in A_YEAR], False, False),
    "under25_only": (
        False,
        [{**r, "age_band": "under25"} for r in A_YEAR],
        False,
        False,
    ),
    "not_current": (
        False,
        [*A_YEAR[:3], {**A_YEAR[3], "is_current": False}],
        False,
        False,
    ),
    # a superseded edition beside the current quarter: four current rows
    "superseded_beside": (
        False,
        [*A_YEAR, {**A_YEAR[0], "is_current": False, "edition": 2}],
        True,
        False,
    ),
    # the second area's year, the first's incomplete
    "second_area": (
        False,
        [*A_YEAR[:2], *({**r, "area": GMP} for r in A_YEAR)],
        True,
        False,
    ),
    "annual_april": (False, [{"span": _year(2018, 4)}], True, False),
    "annual_july": (False, [{"span": _year(2018, 7)}], False, True),
    "annual_january": (False, [{"span": _year(2019, 1)}], False, True),
    "annual_both": (
        False,
        [{"span": _year(2018, 4)}, {"span": _year(2018, 7)}],
        True,
        True,
    ),
    "annual_not_current": (
        False,
        [{"span": _year(2018, 4), "is_current": False}],
        False,
        False,
    ),
    "annual_country_only": (
        False,
        [{"span": _year(2018, 4), "area": EW}],
        False,
        False,
    ),
    "nothing": (False, [], False, False),
}


def _add_measures(session) -> None:
    source, areas = add_three_forces(session)
    other = Source(key="other", publisher="Test", title="Other", licence="OGL")
    session.add(other)
    session.flush()
    for code, (proportion, rows, _, _) in MEASURES.items():
        measure = Measure(
            code=code,
            name=code,
            rate_multiplier=100 if proportion else 100000,
            **measure_fields(
                source,
                disclosure_rule="none",
                unit="%" if proportion else "offences",
                ci_method="wilson" if proportion else "byar",
            ),
        )
        session.add(measure)
        session.flush()
        for row in rows:
            start, end = row["span"]
            session.add(
                MeasureValue(
                    measure_id=measure.id,
                    area_id=areas[row.get("area", AVON)].id,
                    period_start=start,
                    period_end=end,
                    age_band=row.get("age_band", "all"),
                    value=1.0,
                    numerator=row.get("numerator", 12.0),
                    denominator=row.get("denominator", 1000.0),
                    # a superseded edition: its own source (the edition key)
                    source_id=(other if row.get("edition") else source).id,
                    is_current=row.get("is_current", True),
                )
            )
    session.flush()


def _codes(statement) -> list[str]:
    with db.read_connection() as connection:
        return [row[0] for row in connection.execute(statement)]


LEVELS = ["pfa", "country", "lad"]
AGE_BANDS = ["all", "under25"]


def test_the_probes_find_the_years_the_grouping_found(store):
    with db.session_scope() as session:
        _add_measures(session)
    # the hand-worked answers, for force areas of all ages
    years = sorted(code for code, m in MEASURES.items() if m[2])
    either = sorted(code for code, m in MEASURES.items() if m[2] or m[3])
    checked = 0
    for level in LEVELS:
        for age_band in AGE_BANDS:
            where = f"{level} {age_band}"
            old = _codes(
                select(Measure.code)
                .where(_old_has_years(level, age_band))
                .order_by(Measure.code)
            )
            new = _codes(year_values._codes_statement.__wrapped__(level, age_band))
            assert new == old, where
            old_rate = _codes(
                select(Measure.code)
                .where(
                    or_(
                        _old_has_years(level, age_band),
                        _old_has_rolling_years(level, age_band),
                    )
                )
                .order_by(Measure.code)
            )
            rate = year_values._rate_measures_statement.__wrapped__(level, age_band)
            # (in the order of rate measures: sorted here, as the reference)
            new_rate = sorted(_codes(rate))
            assert new_rate == old_rate, where
            if (level, age_band) == ("pfa", "all"):
                assert old == years
                assert old_rate == either
            checked += len(old) + len(old_rate)
    # the country's and the under-25s' measures are found at their own level
    assert checked > len(years) + len(either) + 2


def _fy_rows(codes: list[str]) -> dict[tuple, list]:
    """Every `_fy_statement`'s rows for every measure, built afresh."""
    answers = {}
    kinds = {
        "values": ({}, {}),
        "years_only": ({"years_only": True}, {}),
        "one_year": (
            {"one_year": True},
            {"year_start": dt.date(2018, 4, 1), "year_end": dt.date(2019, 4, 1)},
        ),
        "since": ({"since": True}, {"year_start": dt.date(2018, 4, 1)}),
    }
    with db.read_connection() as connection:
        for levels in [("country", "pfa"), ("pfa",), ("lad",)]:
            for age_band in AGE_BANDS:
                for kind, (flags, bound) in kinds.items():
                    statement = year_values._fy_statement.__wrapped__(
                        levels, age_band, **flags
                    )
                    for code in codes:
                        rows = connection.execute(
                            statement, {"measure_code": code, **bound}
                        ).all()
                        answers[levels, age_band, kind, code] = sorted(
                            (tuple(r) for r in rows), key=repr
                        )
    return answers


def test_four_different_months_are_tested_as_count_distinct_did(store, monkeypatch):
    with db.session_scope() as session:
        _add_measures(session)
    codes = sorted(MEASURES)
    new = _fy_rows(codes)
    new_years = _codes(year_values._codes_statement.__wrapped__("pfa", "all"))
    with monkeypatch.context() as patch:
        patch.setattr(year_values, "_four_quarters", _old_four_quarters)
        old = _fy_rows(codes)
        old_years = _codes(year_values._codes_statement.__wrapped__("pfa", "all"))
    assert new == old
    assert new_years == old_years
    # the years of quarters: a_month_twice's is not one, april_year's is
    found = {key[3] for key, rows in old.items() if any(r[-1] == 1 for r in rows)}
    assert "april_year" in found
    assert "a_month_twice" not in found
    assert sum(len(rows) for rows in old.values()) > 50


def test_a_year_of_quarters_is_probed_not_grouped(loaded_store):
    """On PostgreSQL the measure list's test reads a quarter's financial year
    as a range of an index (period_start from that April), never a sort or
    grouping of a measure's quarters by financial year (the old test grouped
    all ~14,500 of a measure's quarters at 100k output rows to find one)."""
    if not loaded_store.startswith("postgresql"):
        pytest.skip("the plan checked is PostgreSQL's")
    plan = _plan(lambda: year_values._codes_with_years.uncached("pfa", "all"))
    assert "Seq Scan on measure_value" not in plan, plan
    assert re.search(r"Index Cond: .*\(period_start >= make_date\(", plan), plan
    # the one group is the probed quarters of one area's year
    for key in re.findall(r"(?:Group|Sort) Key: (.*)", plan):
        assert "period_start" not in key, plan
