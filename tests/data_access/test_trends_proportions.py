"""Proportion measures (Wilson CI) in data_access.outcomes, on SQLite and PostgreSQL.

A financial year built from four quarters and the sum-of-force-areas benchmark pool
the numerators and the denominators: the value is sum(numerator) / sum(denominator)
x 100, the denominator the summed denominators, the Wilson interval from the sums.
A percentage is never summed. Count measures keep summing their values (and a year
keeps the population of its first quarter).

The store holds three force areas with four quarters of 2022/23 each and no
published national figure. Expected figures are worked by hand below; the Wilson
limits are Newcombe's closed form with z = 1.959964 (the method the Fingertips
guide gives), to 4 decimal places.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from data_access import periods
from data_access.db import session_scope
from data_access.models import Measure, MeasureValue
from data_access.outcomes import area_trends, headlines
from data_access.scope import SYSTEM
from tests.data_access.three_forces import (
    AVON,
    EW,
    GMP,
    SURREY,
    add_three_forces,
    measure_fields,
)

SHARE = "test_share"  # a percentage with a Wilson interval
COUNT = "test_count"  # a count with a rate per 100,000
SHARE_VALUES_ONLY = "test_share_values_only"  # percentages without their counts

# (numerator, denominator) of 2022/23 Q1 to Q4 per force area.
QUARTERS = {
    AVON: [(12, 100), (15, 120), (9, 80), (24, 200)],  # 60 / 500 = 12%
    SURREY: [(5, 50), (6, 40), (4, 60), (5, 50)],  # 20 / 200 = 10%
    GMP: [(30, 150), (45, 300), (20, 100), (25, 250)],  # 120 / 800 = 15%
}
# Avon's quarterly percentages are 12, 12.5, 11.25 and 12: summed, 47.75.

# Hand-worked figures: (value %, numerator, denominator, Wilson lower %, upper %).
AVON_YEAR = (12.0, 60, 500, 9.4375, 15.1420)
SURREY_YEAR = (10.0, 20, 200, 6.5670, 14.9406)
GMP_YEAR = (15.0, 120, 800, 12.6932, 17.6413)
# England and Wales 2022/23: (60 + 20 + 120) / (500 + 200 + 800) = 200 / 1500.
NATIONAL_YEAR = (100 * 200 / 1500, 200, 1500, 11.7064, 15.1476)
# England and Wales 2022/23 Q1: (12 + 5 + 30) / (100 + 50 + 150) = 47 / 300.
NATIONAL_Q1 = (100 * 47 / 300, 47, 300, 11.9907, 20.2108)


@pytest.fixture
def share_store(store):
    with session_scope() as session:
        source, forces = add_three_forces(session)
        common = measure_fields(source, disclosure_rule="none")
        share = Measure(
            code=SHARE, name="Share", unit="%", ci_method="wilson", **common
        )
        count = Measure(
            code=COUNT,
            name="Count",
            unit="offences",
            ci_method="byar",
            rate_multiplier=100_000,
            **common,
        )
        values_only = Measure(
            code=SHARE_VALUES_ONLY,
            name="Share, values only",
            unit="%",
            ci_method="wilson",
            **common,
        )
        session.add_all([share, count, values_only])
        session.flush()
        rows = []
        for code, quarters in QUARTERS.items():
            for q, (num, den) in enumerate(quarters, start=1):
                start, end = periods.quarter_bounds(2022, q)
                where = dict(
                    area_id=forces[code].id,
                    period_start=start,
                    period_end=end,
                    source_id=source.id,
                )
                rows.append(
                    MeasureValue(
                        measure_id=share.id,
                        value=num / den * 100,
                        numerator=num,
                        denominator=den,
                        **where,
                    )
                )
                rows.append(
                    MeasureValue(
                        measure_id=count.id,
                        value=num,
                        numerator=num,
                        denominator=den,
                        **where,
                    )  # fmt: skip
                )
                if code == AVON:
                    rows.append(
                        MeasureValue(
                            measure_id=values_only.id, value=num / den * 100, **where
                        )
                    )
        session.add_all(rows)


def _check(row, expected) -> None:
    value, numerator, denominator, lower, upper = expected
    assert row["value"] == pytest.approx(value)
    assert row["numerator"] == numerator
    assert row["denominator"] == denominator
    assert row["rate"] == pytest.approx(value)
    assert row["rate_lower"] == pytest.approx(lower, abs=5e-5)
    assert row["rate_upper"] == pytest.approx(upper, abs=5e-5)


def _year(frame, role: str = "area"):
    rows = frame[(frame["role"] == role) & (frame["period"] == "2022/23")]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_year_of_quarters_pools_numerators_and_denominators(share_store):
    years = area_trends.area_series(
        scope=SYSTEM, measure_code=SHARE, area_code=AVON, length="year"
    )
    assert list(years["period"]) == ["2022/23"]
    row = years.iloc[0]
    _check(row, AVON_YEAR)  # not 47.75%, the four quarters' percentages summed
    assert "denominators" in row["note"]


def test_force_areas_years_in_the_drill_down(share_store):
    kids = area_trends.children_latest(
        scope=SYSTEM, measure_code=SHARE, parent_code=EW, length="year"
    ).set_index("area_code")
    assert kids.loc[AVON, "period"] == "2022/23"
    for code, expected in ((AVON, AVON_YEAR), (SURREY, SURREY_YEAR), (GMP, GMP_YEAR)):
        _check(kids.loc[code], expected)
    # compared with the pooled national 13.3% (11.7% to 15.1%), not with the
    # 66.7% that Q1's denominators would give
    assert kids.loc[AVON, "comparison"] == "similar"
    assert kids.loc[SURREY, "comparison"] == "similar"


def test_the_national_year_pools_the_force_areas(share_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code=SHARE, area_code=AVON, length="year"
    )
    bench = _year(frame, "benchmark")
    assert bench["area_name"] == "England and Wales (sum of 3 force areas)"
    _check(bench, NATIONAL_YEAR)
    assert "denominators" in bench["note"]
    _check(_year(frame), AVON_YEAR)
    assert _year(frame)["comparison"] == "similar"
    # the national area's own series is the same figure
    national = area_trends.area_series(
        scope=SYSTEM, measure_code=SHARE, area_code=EW, length="year"
    )
    _check(national.iloc[0], NATIONAL_YEAR)


def test_the_national_quarter_pools_the_force_areas(share_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code=SHARE, area_code=AVON, length="quarter"
    )
    bench = frame[frame["role"] == "benchmark"].set_index("period")
    assert list(bench.index) == ["2022/23 Q1", "2022/23 Q2", "2022/23 Q3", "2022/23 Q4"]
    # not 42%, the three force areas' percentages summed
    _check(bench.loc["2022/23 Q1"], NATIONAL_Q1)
    for q, period in enumerate(bench.index):
        num = sum(quarters[q][0] for quarters in QUARTERS.values())
        den = sum(quarters[q][1] for quarters in QUARTERS.values())
        assert bench.loc[period, "value"] == pytest.approx(num / den * 100)
        assert bench.loc[period, "denominator"] == den


def test_headline_and_trend_use_the_pooled_year(share_store):
    head = headlines.measure_headline(scope=SYSTEM, measure_code=SHARE, area_code=AVON)
    assert head["period"] == "2022/23"
    assert head["value"] == pytest.approx(12.0)
    assert head["rate"] == pytest.approx(12.0)
    assert head["rate_lower"] == pytest.approx(AVON_YEAR[3], abs=5e-5)
    # a percentage has no rate baseline (unchanged)
    assert not head["baseline"]["available"]
    national = headlines.measure_headline(
        scope=SYSTEM, measure_code=SHARE, area_code=EW
    )
    assert national["value"] == pytest.approx(NATIONAL_YEAR[0])


def test_percentages_without_their_counts_do_not_make_a_year(share_store):
    """Without numerators and denominators the quarters cannot be pooled; their
    sum would be a wrong figure, so the year has no value."""
    years = area_trends.area_series(
        scope=SYSTEM, measure_code=SHARE_VALUES_ONLY, area_code=AVON, length="year"
    )
    assert list(years["period"]) == ["2022/23"]
    assert math.isnan(years.iloc[0]["value"])
    quarters = area_trends.area_series(
        scope=SYSTEM, measure_code=SHARE_VALUES_ONLY, area_code=AVON
    )
    assert quarters["value"].tolist() == pytest.approx([12.0, 12.5, 11.25, 12.0])


def test_count_measures_still_sum_their_values(share_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code=COUNT, area_code=AVON, length="year"
    )
    area = _year(frame)
    assert area["value"] == area["numerator"] == 60
    assert area["denominator"] == 100  # the year's population: Q1's
    assert area["note"] == "Sum of the four quarters."
    bench = _year(frame, "benchmark")
    assert bench["value"] == bench["numerator"] == 200
    assert bench["denominator"] == 100 + 50 + 150
    quarters = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code=COUNT, area_code=AVON, length="quarter"
    )
    q1 = quarters[(quarters["role"] == "benchmark")].iloc[0]
    assert q1["period"] == "2022/23 Q1"
    assert q1["value"] == 47 and q1["denominator"] == 300
    assert q1["period_start"] == dt.date(2022, 4, 1)
