"""Boundaries of the trend and statistics read paths, on SQLite and PostgreSQL.

- A count of exactly 7 is hidden from scoped users on every read path, and 8 is
  shown; every path asks the disclosure engine (a rule hiding up to 8 hides 8
  everywhere, the baseline change included).
- The sum-of-force-areas benchmark keeps a period only when at least 90% of the
  force areas report it: 9 of 10 is kept, 8 of 10 and half are not.
- A financial year is built only from four quarters: three make no year row.
- `start` and `end` are inclusive: a period ending exactly on `end` is kept.
- The quasi-Poisson trend test never shrinks the Poisson standard error for an
  underdispersed series (the dispersion is floored at 1).
- A confidence interval exactly touching the benchmark is "similar" for every
  function that labels comparisons.

The store: England and Wales and ten force areas (Avon and Somerset and nine
others), one count measure with a rate per 100,000 and the "small_numbers" rule.
Every force area reports 100 a quarter over a population of 1,000,000 from
2016/17 Q1 to 2019/20 Q4, except as set out below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as scipy_stats

from data_access import disclosure, measures, periods, statistics
from data_access.db import session_scope
from data_access.models import Area, Measure, MeasureValue, Source
from data_access.outcomes import area_trends, headlines
from data_access.scope import Scope

EW, AVON = "K04000001", "E23000036"
OTHERS = [f"E230000{n:02d}" for n in range(1, 10)]
MEASURE = "test_offences"
POPULATION = 1_000_000
AVON_VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
ANALYST = Scope(role="analyst")
# Avon's 2019/20: three quarters of 0 and a last quarter holding the whole year's
# count, so the year's count and the latest quarter's are the same small number.
LATEST_QUARTER = dt.date(2020, 1, 1)
# 2020/21: Avon reports Q1 to Q3 only (an incomplete year); with Avon, 10 of 10
# force areas report Q1, 9 of 10 Q2, 8 of 10 Q3 and 5 of 10 Q4 (half).
REPORTING_2020 = {1: 9, 2: 8, 3: 7, 4: 5}  # other force areas reporting each quarter


def _quarters(fy: int):
    return [periods.quarter_bounds(fy, q) for q in (1, 2, 3, 4)]


def _build(latest_count: int) -> None:
    with session_scope() as session:
        source = Source(key="test", publisher="Test", title="Test", licence="OGL")
        ew = Area(code=EW, name="England and Wales", level="country")
        session.add_all([source, ew])
        session.flush()
        names = {AVON: "Avon and Somerset"} | {
            code: f"Force area {i}" for i, code in enumerate(OTHERS, 1)
        }
        areas = {
            code: Area(code=code, name=name, level="pfa", parent_id=ew.id)
            for code, name in names.items()
        }
        measure = Measure(
            code=MEASURE,
            name="Test offences",
            unit="offences",
            definition="d",
            polarity="lower_is_better",
            category="outcome",
            period_type="quarter",
            ci_method="byar",
            rate_multiplier=100_000,
            disclosure_rule="small_numbers",
            source_id=source.id,
        )
        session.add_all([*areas.values(), measure])
        session.flush()

        def value(area: str, bounds, count: float) -> MeasureValue:
            return MeasureValue(
                measure_id=measure.id,
                area_id=areas[area].id,
                period_start=bounds[0],
                period_end=bounds[1],
                age_band="all",
                value=count,
                numerator=count,
                denominator=POPULATION,
                source_id=source.id,
            )

        rows = []
        for code in names:
            for fy in (2016, 2017, 2018, 2019):
                for bounds in _quarters(fy):
                    count = 100
                    if code == AVON and fy == 2019:
                        count = latest_count if bounds[0] == LATEST_QUARTER else 0
                    rows.append(value(code, bounds, count))
        for quarter, reporting in REPORTING_2020.items():
            bounds = periods.quarter_bounds(2020, quarter)
            for code in OTHERS[:reporting]:
                rows.append(value(code, bounds, 100))
            if quarter < 4:
                rows.append(value(AVON, bounds, 100))
        session.add_all(rows)


@pytest.fixture
def ten_forces(store):
    _build(latest_count=7)
    return store


# ------------------------------------------------------------ a count of 7


def _reads(scope: Scope) -> dict[str, tuple[bool, float]]:
    """(hidden, count shown) of Avon's latest small count, on every read path."""
    quarters = area_trends.trend_with_benchmark(
        scope=scope, measure_code=MEASURE, area_code=AVON
    )
    quarter = quarters[
        (quarters["role"] == "area") & (quarters["period_start"] == LATEST_QUARTER)
    ].iloc[0]
    years = area_trends.trend_with_benchmark(
        scope=scope, measure_code=MEASURE, area_code=AVON, length="year"
    )
    year = years[(years["role"] == "area") & (years["period"] == "2019/20")].iloc[0]
    children = area_trends.children_latest(
        scope=scope, measure_code=MEASURE, parent_code=EW, length="year"
    ).set_index("area_code")
    assert children.loc[AVON, "period"] == "2019/20"
    headline = headlines.measure_headline(
        scope=scope, measure_code=MEASURE, area_code=AVON
    )
    assert headline["period"] == "2019/20"
    baseline = headlines.baseline_change(
        scope=scope, measure_code=MEASURE, area_code=AVON
    )
    series = measures.measure_series(
        scope=scope, measure_code=MEASURE, area_code=AVON
    ).set_index("period_start")
    return {
        "trend_with_benchmark quarter": (quarter["suppressed"], quarter["value"]),
        "trend_with_benchmark year": (year["suppressed"], year["value"]),
        "children_latest": (
            children.loc[AVON, "suppressed"],
            children.loc[AVON, "value"],
        ),
        "measure_headline": (headline["suppressed"], headline["value"]),
        "baseline_change": (
            not baseline["available"],
            baseline["current_count"],
        ),
        "headline baseline": (
            not headline["baseline"]["available"],
            headline["baseline"]["current_count"],
        ),
        "measure_series": (
            # no `suppressed` column where nothing is controlled (an analyst)
            bool(series.get("suppressed", pd.Series(False)).get(LATEST_QUARTER)),
            series.loc[LATEST_QUARTER, "value"],
        ),
    }


def _hidden(reads: dict) -> dict:
    for path, (hidden, count) in reads.items():
        # A hidden count is not given at all; a shown one is given exactly.
        assert hidden == (count is None or pd.isna(count)), path
    return {path: bool(hidden) for path, (hidden, _) in reads.items()}


def _set_latest(count: int) -> None:
    with session_scope() as session:
        row = (
            session.query(MeasureValue)
            .join(Area, Area.id == MeasureValue.area_id)
            .filter(Area.code == AVON, MeasureValue.period_start == LATEST_QUARTER)
            .one()
        )
        row.value = row.numerator = count


def test_a_count_of_7_is_hidden_from_scoped_users_on_every_read_path(ten_forces):
    assert _hidden(_reads(AVON_VIEWER)) == dict.fromkeys(_reads(ANALYST), True)
    everything = _reads(ANALYST)
    assert not any(_hidden(everything).values())
    assert {count for _, count in everything.values()} == {7}


def test_a_count_of_8_is_shown_to_scoped_users_on_every_read_path(ten_forces):
    _set_latest(8)
    reads = _reads(AVON_VIEWER)
    assert not any(_hidden(reads).values()), reads
    assert {count for _, count in reads.values()} == {8}


def test_every_read_path_asks_the_disclosure_engine(ten_forces, monkeypatch):
    """A rule that hid up to 8 would hide 8 on every path: none decides locally."""
    wider = dataclasses.replace(disclosure.RULES["small_numbers"], high=8)
    monkeypatch.setattr(
        disclosure, "RULES", {**disclosure.RULES, "small_numbers": wider}
    )
    _set_latest(8)
    reads = _reads(AVON_VIEWER)
    assert all(_hidden(reads).values()), reads


# --------------------------------------------- benchmark, years and dates


def test_the_benchmark_keeps_a_period_only_when_90_percent_report(ten_forces):
    bench = area_trends.trend_with_benchmark(
        scope=ANALYST, measure_code=MEASURE, area_code=AVON
    )
    bench = bench[bench["role"] == "benchmark"].set_index("period")
    # 2020/21 Q1: all ten report; Q2: nine of ten (90%, kept); Q3: eight of ten;
    # Q4: five of ten (half).
    assert bench.loc["2020/21 Q1", "value"] == 10 * 100
    assert bench.loc["2020/21 Q2", "value"] == 9 * 100
    assert "2020/21 Q3" not in bench.index
    assert "2020/21 Q4" not in bench.index
    # Every earlier quarter is complete: 10 x 100, Avon's 2019/20 aside.
    assert bench.loc["2018/19 Q4", "value"] == 1000
    assert bench.loc["2019/20 Q4", "value"] == 9 * 100 + 7


def test_a_year_is_built_only_from_four_quarters(ten_forces):
    years = area_trends.trend_with_benchmark(
        scope=ANALYST, measure_code=MEASURE, area_code=AVON, length="year"
    )
    avon = years[years["role"] == "area"].set_index("period")
    # Avon has three quarters of 2020/21: no year row for it.
    assert list(avon.index) == ["2016/17", "2017/18", "2018/19", "2019/20"]
    assert avon.loc["2018/19", "value"] == 400
    assert avon.loc["2019/20", "value"] == 7


def test_start_and_end_exactly_on_a_period_boundary_are_inclusive(ten_forces):
    start, end = periods.quarter_bounds(2018, 2)[0], periods.quarter_bounds(2019, 1)[1]
    window = area_trends.trend_with_benchmark(
        scope=ANALYST, measure_code=MEASURE, area_code=AVON, start=start, end=end
    )
    avon = window[window["role"] == "area"]
    assert list(avon["period"]) == [
        "2018/19 Q2",
        "2018/19 Q3",
        "2018/19 Q4",
        "2019/20 Q1",
    ]
    years = area_trends.trend_with_benchmark(
        scope=ANALYST,
        measure_code=MEASURE,
        area_code=AVON,
        length="year",
        end=dt.date(2019, 3, 31),
    )
    assert years[years["role"] == "area"]["period"].iloc[-1] == "2018/19"
    trend = headlines.recent_trend(
        scope=ANALYST, measure_code=MEASURE, area_code=AVON, end=end
    )
    assert trend["last_period"] == "2019/20 Q1"


# ----------------------------------------------------- underdispersion


def _poisson_log_linear(counts, populations) -> tuple[float, float, float]:
    """Slope, Poisson standard error and Pearson dispersion of a log-linear Poisson
    fit, by direct maximum likelihood (scipy), independent of statistics.py."""
    y = np.asarray(counts, float)
    offset = np.log(np.asarray(populations, float))
    t = np.arange(len(y), dtype=float)
    t -= t.mean()

    def negative_log_likelihood(beta):
        eta = beta[0] + beta[1] * t + offset
        return float(np.sum(np.exp(eta) - y * eta))

    start = [math.log(y.sum() / np.sum(populations)), 0.0]
    beta = optimize.minimize(negative_log_likelihood, start, tol=1e-12).x
    mu = np.exp(beta[0] + beta[1] * t + offset)
    information = np.array(
        [[mu.sum(), (mu * t).sum()], [(mu * t).sum(), (mu * t * t).sum()]]
    )
    se = math.sqrt(np.linalg.inv(information)[1, 1])
    dispersion = float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2))
    return float(beta[1]), se, dispersion


def test_an_underdispersed_series_keeps_the_poisson_standard_error():
    """100, 102, 104, 106, 108 over a steady population fits a straight line far
    better than Poisson noise allows (dispersion ~0.001). Quasi-Poisson (McCullagh
    and Nelder 1989, 6.2; floored at 1) only ever widens the Poisson standard error:
    the p value is that of t = slope / Poisson SE on 3 degrees of freedom, ~0.58,
    not the ~1e-6 a shrunken error would give."""
    counts, populations = [100, 102, 104, 106, 108], [POPULATION] * 5
    slope, se, dispersion = _poisson_log_linear(counts, populations)
    assert dispersion < 0.01
    expected_p = 2 * scipy_stats.t(df=3).sf(abs(slope / se))
    assert expected_p == pytest.approx(0.58, abs=0.01)
    result = statistics.trend_test(counts=counts, populations=populations)
    assert result["dispersion"] == pytest.approx(dispersion, rel=1e-3)
    assert result["p_value"] == pytest.approx(expected_p, rel=1e-4)
    assert result["direction"] == "no significant change"


# ---------------------------------------- an interval touching the benchmark


@pytest.mark.parametrize("touching", ["lower", "upper"])
def test_an_interval_touching_the_benchmark_is_similar_everywhere(touching):
    lower, upper = (50.0, 60.0) if touching == "lower" else (40.0, 50.0)
    benchmark = 50.0
    labels = {
        "compare_to_benchmark": statistics.compare_to_benchmark(
            lower=lower, upper=upper, benchmark=benchmark, polarity="lower_is_better"
        )
    }
    frame = pd.DataFrame(
        {"rate_lower": [lower], "rate_upper": [upper], "bench": [benchmark]}
    )
    for level in statistics.BENCHMARK_LEVELS:
        compared = statistics.compare_to_benchmark_frame(
            frame, benchmark="bench", polarity="lower_is_better", level=level
        )
        column = f"comparison_{statistics.level_label(level)}"
        labels[f"compare_to_benchmark_frame {level}"] = compared[column].iloc[0]
    area = pd.DataFrame(
        {
            "period_start": [dt.date(2019, 4, 1)],
            "rate_lower": [lower],
            "rate_upper": [upper],
            # both published: _compare never judges illustrative against published
            "illustrative": [False],
            "suppressed": [False],  # as _disclose leaves every row it publishes
        }
    )
    bench = pd.DataFrame(
        {
            "period_start": [dt.date(2019, 4, 1)],
            "rate": [benchmark],
            "precision": ["exact"],
            "illustrative": [False],
        }
    )
    labels["area_trends._compare"] = area_trends._compare(
        area, bench, "lower_is_better"
    )["comparison"].iloc[0]
    assert set(labels.values()) == {"similar"}, labels


def test_a_hidden_figure_is_never_compared_with_its_benchmark():
    """A suppressed row is "not compared" whatever figures it still carries:
    judged, it would say on which side of the benchmark the hidden count lies.
    The rule lives in _compare, so no caller has to repeat it."""
    area = pd.DataFrame(
        {
            "period_start": [dt.date(2019, 4, 1)] * 2,
            "rate_lower": [80.0, 80.0],
            "rate_upper": [90.0, 90.0],
            "illustrative": [False, False],
            "suppressed": [False, True],
        }
    )
    bench = pd.DataFrame(
        {
            "period_start": [dt.date(2019, 4, 1)],
            "rate": [50.0],
            "precision": ["exact"],
            "illustrative": [False],
        }
    )
    compared = area_trends._compare(area, bench, "lower_is_better")
    assert compared["comparison"].tolist() == ["worse", "not compared"]
