"""Proportion measures (Wilson CI) in data_access.outcomes, and their disclosure
control there and in data_access.outcomes, on SQLite and PostgreSQL.

A financial year built from four quarters pools them: summed numerators over
summed denominators, never a year's numerators over Q1's denominator (which made
Avon's 12.4% a 62%). Groups of areas or years (benchmarks, VRU against non-VRU)
pool the same way. Disclosure control applies to the counts: the numerator, and the
denominator where it is small; a percentage is hidden with them but never rounded
to 5 or hidden because the percentage itself is below 8.

The store holds three force areas (Avon and Greater Manchester VRU areas from
2019/20, Surrey not) and England and Wales, with the same four quarters in each of
2016/17-2018/19 and 2020/21-2022/23. Expected figures are worked by hand below; the
Wilson limits are Newcombe's closed form with z = 1.959964, to 4 decimal places.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_access import periods
from data_access.db import session_scope
from data_access.models import Measure, MeasureValue
from data_access.outcomes import (
    area_trends,
    force_areas,
    funnels,
    headlines,
    profiles,
    vru_groups,
    year_values,
)
from data_access.scope import SYSTEM, Scope
from tests.data_access.three_forces import (
    AVON,
    EW,
    GMP,
    SURREY,
    add_three_forces,
    measure_fields,
)

VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
SHARE = "test_share"  # a percentage, "hes" rule: the area profile and trends
RANKED = "test_share_ranked"  # the same with rate_multiplier 100: /compare
TINY = "test_share_tiny"  # 2022/23 only, Surrey 0 of 6, no national figure

# (numerator, denominator) of Q1 to Q4 of each year per force area.
QUARTERS = {
    AVON: [(12, 100), (15, 120), (9, 80), (26, 200)],  # 62 / 500 = 12.4%
    SURREY: [(0, 6), (6, 40), (4, 60), (11, 94)],  # 21 / 200 = 10.5%
    GMP: [(10, 150), (15, 300), (5, 100), (12, 250)],  # 42 / 800 = 5.25%
}
# England and Wales: the sums, (22, 256), (36, 460), (18, 240), (49, 544).
NATIONAL = [(22, 256), (36, 460), (18, 240), (49, 544)]  # 125 / 1500 = 8.33%
TINY_SURREY = [(0, 1), (0, 2), (0, 1), (0, 2)]  # 0 of 6
YEARS = [2016, 2017, 2018, 2020, 2021, 2022]

# Hand-worked years: (percent, numerator, denominator, Wilson lower %, upper %).
AVON_YEAR = (12.4, 62, 500, 9.7946, 15.5787)  # Q1's denominator: 62 / 100 = 62%
SURREY_YEAR = (10.5, 21, 200, 6.9707, 15.5180)
GMP_YEAR = (5.25, 42, 800, 3.9073, 7.0204)
NATIONAL_YEAR = (100 * 125 / 1500, 125, 1500, 7.0388, 9.8407)  # not 125/256


@pytest.fixture
def share_store(store):
    with session_scope() as session:
        source, areas = add_three_forces(session, vru=True)
        common = measure_fields(
            source, disclosure_rule="hes", unit="%", ci_method="wilson"
        )
        share = Measure(code=SHARE, name="Share", **common)
        ranked = Measure(
            code=RANKED, name="Share ranked", rate_multiplier=100, **common
        )
        tiny = Measure(code=TINY, name="Share tiny", rate_multiplier=100, **common)
        session.add_all([share, ranked, tiny])
        session.flush()

        def add(measure, area, year, quarters):
            for q, (num, den) in enumerate(quarters, start=1):
                start, end = periods.quarter_bounds(year, q)
                session.add(
                    MeasureValue(
                        measure_id=measure.id,
                        area_id=areas[area].id,
                        period_start=start,
                        period_end=end,
                        value=num / den * 100,
                        numerator=num,
                        denominator=den,
                        source_id=source.id,
                    )
                )

        for year in YEARS:
            for measure in (share, ranked):
                for code, quarters in [*QUARTERS.items(), (EW, NATIONAL)]:
                    add(measure, code, year, quarters)
        add(tiny, AVON, 2022, QUARTERS[AVON])
        add(tiny, GMP, 2022, QUARTERS[GMP])
        add(tiny, SURREY, 2022, TINY_SURREY)


def _ranked(scope=SYSTEM, measure_code=RANKED, **kwargs):
    frame = force_areas.force_area_rates(
        scope=scope, measure_code=measure_code, period_start="2022-04", **kwargs
    )
    return frame.set_index("code")


# ---------------------------------------------------------------- comparison


def test_a_year_of_quarters_pools_numerators_and_denominators(share_store):
    fy = year_values._fy_values.uncached(RANKED, "pfa", "all")
    year = fy[fy["year"] == 2022].set_index("code")
    for code, expected in ((AVON, AVON_YEAR), (SURREY, SURREY_YEAR), (GMP, GMP_YEAR)):
        assert year.loc[code, "count"] == expected[1]
        assert year.loc[code, "population"] == expected[2]  # not Q1's
    national = year_values._fy_values.uncached(RANKED, "country", "all")
    row = national[national["year"] == 2022].iloc[0]
    assert (row["count"], row["population"]) == (125, 1500)
    table = year_values.available_periods(measure_code=RANKED)
    assert list(table["year"]) == YEARS
    assert table["n_areas"].eq(3).all()


def test_ranked_rates_and_national_benchmark_are_pooled(share_store):
    frame = _ranked()
    for code, expected in ((AVON, AVON_YEAR), (SURREY, SURREY_YEAR), (GMP, GMP_YEAR)):
        assert frame.loc[code, "rate"] == pytest.approx(expected[0])
        assert frame.loc[code, "population"] == expected[2]
    assert list(frame.index) == [AVON, SURREY, GMP]  # highest first
    assert frame["benchmark_label"].iloc[0] == "England and Wales"
    assert frame["benchmark_rate"].iloc[0] == pytest.approx(NATIONAL_YEAR[0])
    assert frame.loc[AVON, "comparison"] == "worse"
    assert frame.loc[GMP, "comparison"] == "better"


def test_a_share_per_100_has_wilson_limits_wherever_it_is_shown(share_store):
    """A proportion given per 100 (RANKED) is still a proportion: its limits are
    Wilson's, as the same share in per cent gets, not Poisson limits (Byar's, for
    Avon's 62 of 500: 9.51 to 15.90)."""
    frame = _ranked()
    for code, expected in ((AVON, AVON_YEAR), (SURREY, SURREY_YEAR), (GMP, GMP_YEAR)):
        assert frame.loc[code, "rate_lower"] == pytest.approx(expected[3], abs=5e-5)
        assert frame.loc[code, "rate_upper"] == pytest.approx(expected[4], abs=5e-5)
    row = _profile(SYSTEM, AVON, RANKED)
    assert row["kind"] == "percent" and row["multiplier"] == 100
    assert (row["lower"], row["upper"]) == pytest.approx(AVON_YEAR[3:], abs=5e-5)
    groups = vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code=RANKED)
    vru = groups.set_index("group").loc["vru"]
    expected = _wilson(3 * (62 + 42), 3 * (500 + 800))  # 8.0%: 7.1893 to 8.8934
    assert (vru["latest_lower"], vru["latest_upper"]) == pytest.approx(
        expected, abs=5e-5
    )


def _wilson(successes: int, total: int) -> tuple[float, float]:
    """Newcombe's closed form of the Wilson score interval, in per cent."""
    z, p = 1.959964, successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    scale = 100 / (1 + z * z / total)
    return (centre - spread) * scale, (centre + spread) * scale


@pytest.mark.parametrize(
    "benchmark, expected",
    [("vru", 100 * (62 + 42) / (500 + 800)), ("non_vru", 100 * 21 / 200)],
)
def test_group_benchmarks_pool_the_areas(share_store, benchmark, expected):
    frame = _ranked(benchmark=benchmark)
    assert frame["benchmark_rate"].iloc[0] == pytest.approx(expected)  # 8%, 10.5%


def test_funnel_is_drawn_round_the_pooled_benchmark(share_store):
    points, limits, _ = funnels.funnel(
        scope=SYSTEM, measure_code=RANKED, period_start="2022-04"
    )
    assert sorted(points["population"]) == [200, 500, 800]
    assert limits["benchmark"].tolist() == pytest.approx(
        [NATIONAL_YEAR[0]] * len(limits)
    )
    assert limits["population"].min() == pytest.approx(0.8 * 200)
    assert limits["population"].max() == pytest.approx(1.1 * 800)


def test_funnel_limits_of_a_proportion_are_binomial(share_store):
    """A share per 100 is judged against binomial limits round the benchmark,
    p +/- z sqrt(p (1 - p) / n) (the Fingertips funnel for proportions), not the
    Poisson limits of a count."""
    points, limits, _ = funnels.funnel(
        scope=SYSTEM, measure_code=RANKED, period_start="2022-04"
    )
    p = 125 / 1500
    at = limits.set_index("population")
    for n in (200, 500, 800):
        spread = math.sqrt(p * (1 - p) / n)
        assert at.loc[n, "upper_95"] == pytest.approx(100 * (p + 1.959964 * spread))
        assert at.loc[n, "lower_998"] == pytest.approx(100 * (p - 3.090232 * spread))
    # Avon's 12.4% of 500 is above the 99.8% limit (12.15%); Greater Manchester's
    # 5.25% of 800 below the 99.8% limit (5.31%); Surrey's 10.5% of 200 within.
    position = points.set_index("code")["funnel_position"]
    assert position[AVON] == "above 99.8% limit"
    assert position[GMP] == "below 99.8% limit"
    assert position[SURREY] == "within 95% limits"


def test_vru_and_non_vru_groups_pool_years_and_areas(share_store):
    frame = vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code=RANKED)
    groups = frame.set_index("group")
    vru, non = groups.loc["vru"], groups.loc["non_vru"]
    assert vru["n_areas"] == 2 and non["n_areas"] == 1
    assert vru["latest_label"] == "2020/21 to 2022/23"
    for window in ("baseline", "latest"):
        # three years of (62 + 42) over three of (500 + 800): 8%, not 41.6%
        assert vru[f"{window}_count"] == 3 * (62 + 42)
        assert vru[f"{window}_population"] == 3 * (500 + 800)
        assert vru[f"{window}_rate"] == pytest.approx(8.0)
        assert non[f"{window}_population"] == 3 * 200
        assert non[f"{window}_rate"] == pytest.approx(10.5)
    assert vru["rate_ratio"] == pytest.approx(1.0)


def _profile(scope, area, measure_code=SHARE):
    frame = profiles.area_profile(scope=scope, area_code=area)
    return frame.set_index("measure_code").loc[measure_code]


def test_profile_percentage_is_pooled_with_its_wilson_interval(share_store):
    row = _profile(SYSTEM, AVON)
    value, numerator, denominator, lower, upper = AVON_YEAR
    assert row["kind"] == "percent" and row["period"] == "2022/23"
    assert (row["count"], row["population"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(value)
    assert row["lower"] == pytest.approx(lower, abs=5e-5)
    assert row["upper"] == pytest.approx(upper, abs=5e-5)
    assert row["national"] == pytest.approx(NATIONAL_YEAR[0])
    assert row["benchmark"] == pytest.approx(NATIONAL_YEAR[0])
    assert row["benchmark_label"] == "England and Wales"
    assert row["comparison"] == "worse"
    # spread over 5.25%, 10.5% and 12.4%
    assert row["n_areas"] == 3
    assert (row["min"], row["max"]) == pytest.approx((5.25, 12.4))
    assert row["q25"] == pytest.approx(5.25 + (10.5 - 5.25) / 2)
    assert row["q75"] == pytest.approx(10.5 + (12.4 - 10.5) / 2)


def test_profile_disclosure_rounds_the_count_not_the_percentage(share_store):
    row = _profile(VIEWER, AVON)
    assert not row["suppressed"]
    assert row["count"] == 60  # 62 to the nearest 5
    assert row["population"] == 500
    # the published 60 of 500, not 12.4 (x 500 would give the 62 back), and
    # never rounded to 5 as if a count
    assert row["value"] == pytest.approx(12.0)
    gmp = _profile(VIEWER, GMP)
    assert not gmp["suppressed"] and gmp["value"] == pytest.approx(5.0)  # 40/800


def test_ranked_disclosure_rounds_counts_and_keeps_rates(share_store):
    frame = _ranked(VIEWER)
    assert not frame["suppressed"].any()
    assert frame["count"].tolist() == [60, 20, 40]  # 62, 21, 42 rounded
    # rates of the published counts: 60/500, 20/200, 40/800
    assert frame["rate"].tolist() == pytest.approx([12.0, 10.0, 5.0])
    assert frame["population"].tolist() == [500, 200, 800]


def test_a_small_denominator_is_hidden_in_ranking_and_profile(share_store):
    """Surrey's 0 of 6: the 0 identifies nobody, the 6 is a small count."""
    full = _ranked(SYSTEM, TINY)
    assert full.loc[SURREY, "population"] == 6  # not Q1's 1
    assert full.loc[SURREY, "rate"] == 0
    assert (
        full["benchmark_label"].iloc[0]
        == "England and Wales (the 3 force areas pooled)"
    )
    assert full["benchmark_rate"].iloc[0] == pytest.approx(100 * 104 / 1306)
    shown = _ranked(VIEWER, TINY)
    surrey = shown.loc[SURREY]
    assert surrey["suppressed"]
    assert all(pd.isna(surrey[c]) for c in ("count", "population", "rate"))
    assert not shown.loc[AVON, "suppressed"]
    assert shown.loc[AVON, "population"] == 500
    # pooled over the areas shown, it would give Surrey's denominator away
    assert math.isnan(shown["benchmark_rate"].iloc[0])
    assert shown.loc[AVON, "comparison"] == "not compared"

    profile = _profile(VIEWER, SURREY, TINY)
    assert profile["suppressed"]
    assert all(pd.isna(profile[c]) for c in ("count", "population", "value"))
    # Avon's spread leaves Surrey out, as it would a small count
    avon = _profile(SYSTEM, AVON, TINY)
    assert avon["n_areas"] == 2
    assert (avon["min"], avon["max"]) == pytest.approx((5.25, 12.4))


# -------------------------------------------------------- trends disclosure


def _wilson_lower(successes: float, total: float, z: float = 1.959964) -> float:
    """Wilson score lower limit (Newcombe 1998, method 3), written out here."""
    p = successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


def test_trend_percentages_are_not_rounded_as_counts(share_store):
    frame = area_trends.trend_with_benchmark(
        scope=VIEWER, measure_code=SHARE, area_code=AVON, length="year"
    )
    latest = frame[frame["period"] == "2022/23"].set_index("role")
    area, bench = latest.loc["area"], latest.loc["benchmark"]
    assert not area["suppressed"]
    # 60 of 500 published: 12%, not 12.4% (which gives the 62 back), nor 10
    # (12.4 rounded to 5 as if a count)
    assert area["value"] == pytest.approx(12.0)
    assert area["numerator"] == 60 and area["denominator"] == 500
    assert area["rate_lower"] == pytest.approx(100 * _wilson_lower(60, 500), abs=5e-5)
    assert bench["numerator"] == 125 and bench["denominator"] == 1500
    assert bench["value"] == pytest.approx(NATIONAL_YEAR[0])  # not 10


def test_a_small_percentage_of_a_large_count_is_shown(share_store):
    kids = area_trends.children_latest(
        scope=VIEWER, measure_code=SHARE, parent_code=EW, length="year"
    ).set_index("area_code")
    gmp = kids.loc[GMP]
    assert not gmp["suppressed"]  # 5.25%, but of 42 offences in 800
    assert gmp["value"] == pytest.approx(5.0) and gmp["numerator"] == 40
    assert gmp["comparison"] == "better"
    head = headlines.measure_headline(scope=VIEWER, measure_code=SHARE, area_code=GMP)
    assert not head["suppressed"] and head["value"] == pytest.approx(5.0)


def test_trend_quarters_hide_small_numerators_and_denominators(share_store):
    frame = area_trends.trend_with_benchmark(
        scope=VIEWER,
        measure_code=SHARE,
        area_code=SURREY,
        start=periods.fy_bounds(2022)[0],
    )
    quarters = frame[frame["role"] == "area"].set_index("period")
    q1, q2, q3, q4 = (quarters.loc[f"2022/23 Q{q}"] for q in range(1, 5))
    # 0 of 6: the denominator is the small count, hidden with the 0%
    assert q1["suppressed"]
    assert all(pd.isna(q1[c]) for c in ("numerator", "denominator", "value"))
    # 6 of 40 and 4 of 60: small numerators; their denominators stay
    assert q2["suppressed"] and pd.isna(q2["value"]) and q2["denominator"] == 40
    assert q3["suppressed"] and q3["denominator"] == 60
    # 11 of 94 published as 10 of 95: the percentage is theirs, not rounded
    assert not q4["suppressed"]
    assert q4["numerator"] == 10 and q4["denominator"] == 95
    assert q4["value"] == pytest.approx(100 * 10 / 95)
    # the unrestricted scope sees everything
    full = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code=SHARE, area_code=SURREY
    )
    assert not full["suppressed"].any()
