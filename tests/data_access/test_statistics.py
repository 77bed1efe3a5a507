"""Statistics checked against independent implementations and hand-worked examples.

References used: scipy.stats.gamma / scipy.stats.poisson (exact Poisson limits, by
a different route from the module's chi-squared relation), Byar's formula evaluated
with the standard library's NormalDist, scipy.stats.binomtest(...).proportion_ci
(Wilson), reference outputs of the PHE funnel macro (as ported by DHSC), the
PHE/OHID inverted rate funnel limits by scipy's brentq on chi-squared quantiles,
hand-worked rate ratios, and scipy.optimize.minimize of the Poisson
log-likelihood for the trend fit.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps
from scipy.stats import mstats

from data_access import statistics as s

SIG4 = 5e-5  # relative tolerance that pins at least 4 significant figures


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


# --- rates


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("count", range(0, 10))
def test_small_counts_use_exact_poisson_limits_matching_gamma_quantiles(
    count, confidence
):
    alpha = 1 - confidence
    population, multiplier = 54_321, 100_000
    lower_count = 0.0 if count == 0 else sps.gamma.ppf(alpha / 2, count)
    upper_count = sps.gamma.ppf(1 - alpha / 2, count + 1)
    rate, lower, upper = s.rate_ci(
        count=count,
        population=population,
        multiplier=multiplier,
        confidence=confidence,
    )
    assert rate == pytest.approx(count / population * multiplier, rel=1e-12)
    assert lower == pytest.approx(lower_count / population * multiplier, rel=SIG4)
    assert upper == pytest.approx(upper_count / population * multiplier, rel=SIG4)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("count", [1, 3, 9])
def test_exact_limits_are_the_poisson_means_with_tail_probability_alpha_over_2(
    count, confidence
):
    """Definition of the exact interval, solved by root finding on poisson.cdf."""
    alpha = 1 - confidence
    lam_lower = optimize.brentq(
        lambda m: sps.poisson.sf(count - 1, m) - alpha / 2, 1e-9, 100, xtol=1e-12
    )
    lam_upper = optimize.brentq(
        lambda m: sps.poisson.cdf(count, m) - alpha / 2, 1e-9, 100, xtol=1e-12
    )
    lower, upper = s.exact_poisson_limits(counts=count, confidence=confidence)
    assert float(lower) == pytest.approx(lam_lower, rel=SIG4)
    assert float(upper) == pytest.approx(lam_upper, rel=SIG4)


def test_exact_limits_match_phe_funnel_macro_reference_values():
    """PHE's Excel funnel macro (bisection on Poisson sums), as ported by DHSC:
    poisson_funnel(200, 0.025, 'low') = 173.24086...;
    poisson_funnel(500, 0.001, 'high') = 573.02747...
    """
    lower_200, _ = s.exact_poisson_limits(counts=200, confidence=0.95)
    _, upper_500 = s.exact_poisson_limits(counts=500, confidence=0.998)
    assert float(lower_200) == pytest.approx(173.24086241121654, rel=1e-6)
    assert float(upper_500) == pytest.approx(573.0274767209943, rel=1e-6)


def _byar_by_hand(count: float, confidence: float) -> tuple[float, float]:
    z = _z(confidence)
    lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    o1 = count + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return lower, upper


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("count", [10, 11, 27, 100, 389, 1_000, 12_345])
def test_counts_of_ten_or_more_use_byars_method(count, confidence):
    population, multiplier = 1_234_567, 100_000
    byar_lower, byar_upper = _byar_by_hand(count, confidence)
    rate, lower, upper = s.rate_ci(
        count=count,
        population=population,
        multiplier=multiplier,
        confidence=confidence,
    )
    assert lower == pytest.approx(byar_lower / population * multiplier, rel=1e-9)
    assert upper == pytest.approx(byar_upper / population * multiplier, rel=1e-9)


def test_byar_is_within_fingertips_stated_accuracy_of_exact_limits():
    """Fingertips: Byar within 0.2% of exact for 95% CIs from 10 events; at 99.8%
    it is within 0.5% from 20 events (1.5% at 10)."""
    counts = np.arange(10, 5_001, dtype=float)
    for confidence, start, tol in [(0.95, 10, 0.002), (0.998, 20, 0.005)]:
        alpha = 1 - confidence
        chosen = counts[counts >= start]
        byar_lower, byar_upper = s.byar_limits(counts=chosen, confidence=confidence)
        exact_lower = sps.gamma.ppf(alpha / 2, chosen)
        exact_upper = sps.gamma.ppf(1 - alpha / 2, chosen + 1)
        assert np.max(np.abs(byar_lower / exact_lower - 1)) < tol
        assert np.max(np.abs(byar_upper / exact_upper - 1)) < tol
    byar_lower, _ = s.byar_limits(counts=10, confidence=0.998)
    assert float(byar_lower) / sps.gamma.ppf(0.001, 10) == pytest.approx(1, abs=0.015)


def test_rate_ci_count_zero_has_zero_lower_limit_and_exact_upper():
    rate, lower, upper = s.rate_ci(count=0, population=100_000, multiplier=100_000)
    assert rate == 0 and lower == 0
    assert upper == pytest.approx(-math.log(0.025), rel=SIG4)  # 3.6889 events


@pytest.mark.parametrize(
    "count, population",
    [(5, 0), (5, None), (5, math.nan), (None, 1000), (math.nan, 1000), (5, -10)],
)
def test_rate_ci_is_nan_without_a_usable_count_or_population(count, population):
    result = s.rate_ci(count=count, population=population, multiplier=100_000)
    assert all(math.isnan(v) for v in result)


def test_rate_ci_rejects_negative_counts_and_bad_confidence():
    with pytest.raises(ValueError):
        s.rate_ci(count=-1, population=100)
    with pytest.raises(ValueError):
        s.rate_ci(count=1, population=100, confidence=95)


def test_rate_ci_frame_adds_columns_matching_the_scalar_function():
    frame = pd.DataFrame(
        {
            "area": list("ABCDEF"),
            "numerator": pd.array([0, 7, 10, 523, None, 12], dtype="Int64"),
            "denominator": [1e5, 2.5e4, 3e5, 1.1e6, 1e5, 0],
        }
    )
    out = s.rate_ci_frame(frame, multiplier=100_000)
    assert list(out.columns) == [*frame.columns, "rate", "rate_lower", "rate_upper"]
    assert "rate" not in frame.columns  # the input is left alone
    for row in out.itertuples():
        expected = s.rate_ci(
            count=row.numerator, population=row.denominator, multiplier=100_000
        )
        got = (row.rate, row.rate_lower, row.rate_upper)
        np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)
    assert out.loc[4, ["rate", "rate_lower", "rate_upper"]].isna().all()
    assert out.loc[5, ["rate", "rate_lower", "rate_upper"]].isna().all()


def test_rate_ci_frame_handles_empty_and_object_columns():
    empty = pd.DataFrame({"numerator": [], "denominator": []}, dtype=object)
    assert s.rate_ci_frame(empty, multiplier=100_000)["rate"].empty
    mixed = pd.DataFrame({"n": [3, None], "pop": ["1000", None]}, dtype=object)
    out = s.rate_ci_frame(mixed, count_col="n", population_col="pop", multiplier=1000)
    assert out["rate"].iloc[0] == pytest.approx(3.0)
    assert math.isnan(out["rate"].iloc[1])


@given(
    count=st.integers(min_value=0, max_value=50_000),
    population=st.floats(min_value=1, max_value=1e8),
)
def test_rate_interval_contains_the_rate_and_widens_at_99_8(count, population):
    rate, lo95, hi95 = s.rate_ci(count=count, population=population)
    _, lo998, hi998 = s.rate_ci(count=count, population=population, confidence=0.998)
    assert 0 <= lo998 <= lo95 <= rate <= hi95 <= hi998
    assert lo95 < hi95


# --- proportions


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize(
    "k, n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 57), (412, 1000)]
)
def test_wilson_interval_matches_scipy_binomtest(k, n, confidence):
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    p, lower, upper = s.proportion_ci(successes=k, total=n, confidence=confidence)
    assert p == pytest.approx(k / n)
    assert lower == pytest.approx(ci.low, rel=SIG4, abs=1e-12)
    assert upper == pytest.approx(ci.high, rel=SIG4, abs=1e-12)


def test_proportion_edge_cases():
    assert all(math.isnan(v) for v in s.proportion_ci(successes=0, total=0))
    assert all(math.isnan(v) for v in s.proportion_ci(successes=None, total=10))
    assert all(math.isnan(v) for v in s.proportion_ci(successes=2, total=math.nan))
    with pytest.raises(ValueError):
        s.proportion_ci(successes=11, total=10)
    with pytest.raises(ValueError):
        s.proportion_ci(successes=-1, total=10)


def test_proportion_ci_frame_matches_scalar_function():
    frame = pd.DataFrame({"numerator": [0, 5, 40, None], "denominator": [8, 9, 40, 3]})
    out = s.proportion_ci_frame(frame, confidence=0.998)
    assert {"proportion", "proportion_lower", "proportion_upper"} <= set(out.columns)
    for row in out.itertuples():
        expected = s.proportion_ci(
            successes=row.numerator, total=row.denominator, confidence=0.998
        )
        got = (row.proportion, row.proportion_lower, row.proportion_upper)
        np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True)


@given(
    data=st.integers(min_value=1, max_value=100_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_interval_is_inside_0_1_contains_p_and_widens(data):
    k, n = data
    p, lo95, hi95 = s.proportion_ci(successes=k, total=n)
    _, lo998, hi998 = s.proportion_ci(successes=k, total=n, confidence=0.998)
    assert 0 <= lo998 <= lo95 <= p <= hi95 <= hi998 <= 1


# --- benchmark


@pytest.mark.parametrize(
    "polarity, above, below",
    [
        ("lower_is_better", "worse", "better"),
        ("higher_is_better", "better", "worse"),
        ("no_judgement", "higher", "lower"),
    ],
)
def test_benchmark_comparison_for_each_polarity(polarity, above, below):
    def compare(lo, hi, bench=10.0):
        return s.compare_to_benchmark(
            lower=lo, upper=hi, benchmark=bench, polarity=polarity
        )

    assert compare(11, 14) == above
    assert compare(6, 9) == below
    assert compare(8, 12) == "similar"
    assert compare(10, 12) == "similar"  # touching the benchmark is not excluding it
    assert compare(8, 10) == "similar"
    assert compare(math.nan, 12) == "not compared"
    assert compare(8, None) == "not compared"
    assert compare(8, 12, bench=math.nan) == "not compared"


def test_benchmark_comparison_rejects_unknown_polarity():
    with pytest.raises(ValueError):
        s.compare_to_benchmark(lower=1, upper=2, benchmark=3, polarity="up")


@pytest.mark.parametrize(
    "level, column", [(0.95, "comparison_95"), (0.998, "comparison_998")]
)
def test_benchmark_frame_helper_at_95_and_99_8(level, column):
    frame = pd.DataFrame(
        {
            "numerator": [40, 100, 160, None],
            "denominator": [1e6, 1e6, 1e6, 1e6],
            "national": [10.0, 10.0, 10.0, 10.0],
        }
    )
    cis = s.rate_ci_frame(frame, multiplier=100_000, confidence=level)
    out = s.compare_to_benchmark_frame(
        cis, benchmark="national", polarity="lower_is_better", level=level
    )
    assert list(out[column]) == ["better", "similar", "worse", "not compared"]
    scalar = [
        s.compare_to_benchmark(
            lower=r.rate_lower,
            upper=r.rate_upper,
            benchmark=10.0,
            polarity="lower_is_better",
        )
        for r in cis.itertuples()
    ]
    assert list(out[column]) == scalar


def test_benchmark_frame_result_depends_on_level():
    """A count that is 'worse' at 95% can be 'similar' at 99.8%."""
    frame = pd.DataFrame({"numerator": [125], "denominator": [1e6]})
    at_95 = s.compare_to_benchmark_frame(
        s.rate_ci_frame(frame, multiplier=100_000),
        benchmark=10.0,
        polarity="no_judgement",
        level=0.95,
    )
    at_998 = s.compare_to_benchmark_frame(
        s.rate_ci_frame(frame, multiplier=100_000, confidence=0.998),
        benchmark=10.0,
        polarity="no_judgement",
        level=0.998,
    )
    assert at_95["comparison_95"].iloc[0] == "higher"
    assert at_998["comparison_998"].iloc[0] == "similar"
    with pytest.raises(ValueError):
        s.compare_to_benchmark_frame(frame, benchmark=1, polarity="x", level=0.99)


def test_polarities_match_the_store():
    from data_access.models import POLARITIES

    assert s.POLARITIES == POLARITIES


# --- funnels


def _phe_funnel_counts(expected: float, confidence: float) -> tuple[float, float]:
    """Independent PHE/OHID inverted limits: brentq on scipy's chi-squared exact
    Poisson limits (the module bisects the incomplete gamma function instead).
    Lower: the count O whose upper exact limit chi2(1-a/2, 2O+2)/2 equals E (0
    when even O = 0 has an upper limit above E); upper: the O whose lower exact
    limit chi2(a/2, 2O)/2 equals E."""
    tail = (1 - confidence) / 2

    def upper_limit_minus_e(o):
        return sps.chi2.ppf(1 - tail, 2 * o + 2) / 2 - expected

    def lower_limit_minus_e(o):
        return sps.chi2.ppf(tail, 2 * o) / 2 - expected

    ceiling = expected * 4 + 100
    low = (
        0.0
        if upper_limit_minus_e(0) >= 0
        else optimize.brentq(upper_limit_minus_e, 0, ceiling, xtol=1e-12)
    )
    high = optimize.brentq(lower_limit_minus_e, 1e-9, ceiling, xtol=1e-12)
    return low, high


def test_rate_funnel_reproduces_the_phe_worked_figures():
    """Issue 18's worked figures, by the PHE/OHID method. The exact limits of the
    expected count taken as if observed gave 63.20-99.27 and 1.64-15.11."""
    knife = s.funnel_limits_rate(
        benchmark_rate=79.73, populations=[100_000], multiplier=100_000
    ).iloc[0]
    assert round(knife["lower_95"], 2) == 62.22
    assert round(knife["upper_95"], 2) == 98.19
    homicide = s.funnel_limits_rate(
        benchmark_rate=6, populations=[1_500_000], multiplier=1_000_000
    ).iloc[0]
    assert round(homicide["lower_998"], 2) == 0.59
    assert round(homicide["upper_998"], 2) == 13.38


def test_spiegelhalter_quantile_limits_differ_from_phe_only_by_interpolation():
    """Spiegelhalter (2005) interpolated Poisson quantiles, (r - alpha) with
    alpha = (F(r) - p) / (F(r) - F(r - 1)), give the issue's 62.20-97.20 at 79.73
    per 100,000 x 100,000: the same lower limit as PHE's to 0.05%, an upper
    limit one event lower (PHE's asks for the CI of the count to exclude E)."""
    expected = 79.73

    def quantile_limit(p):
        r = sps.poisson.ppf(p, expected)
        f_r, f_r1 = sps.poisson.cdf(r, expected), sps.poisson.cdf(r - 1, expected)
        return r - (f_r - p) / (f_r - f_r1)

    assert round(quantile_limit(0.025), 2) == 62.20
    assert round(quantile_limit(0.975), 2) == 97.20
    phe = s.funnel_limits_rate(
        benchmark_rate=expected, populations=[100_000], multiplier=100_000
    ).iloc[0]
    assert phe["lower_95"] == pytest.approx(quantile_limit(0.025), rel=5e-4)
    assert phe["upper_95"] - quantile_limit(0.975) == pytest.approx(1.0, abs=0.05)


def test_rate_funnel_limits_match_an_independent_inversion():
    populations = np.array([5_000, 50_000, 250_000, 1_000_000, 3_000_000, 9e6])
    benchmark, multiplier = 42.5, 100_000
    out = s.funnel_limits_rate(
        benchmark_rate=benchmark, populations=populations, multiplier=multiplier
    )
    assert list(out.columns) == [
        "population",
        "benchmark",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
    ]
    for level, suffix in [(0.95, "95"), (0.998, "998")]:
        for i, n in enumerate(populations):
            low, high = _phe_funnel_counts(benchmark / multiplier * n, level)
            assert out[f"lower_{suffix}"].iloc[i] * n / multiplier == pytest.approx(
                low, rel=1e-7, abs=1e-9
            )
            assert out[f"upper_{suffix}"].iloc[i] * n / multiplier == pytest.approx(
                high, rel=1e-7
            )


def _funnel_limits_rate_before_the_memo(
    *, benchmark_rate, populations, multiplier, levels=(0.95, 0.998)
):
    """s.funnel_limits_rate as it was before its limits were kept per process
    (issue 19): the reference the memoised one must match bit for bit."""
    pops = np.asarray(populations, dtype=float)
    usable = pops > 0
    safe_pops = np.where(usable, pops, 1.0)
    expected = benchmark_rate / multiplier * safe_pops
    scale = multiplier / safe_pops
    frame = pd.DataFrame({"population": pops})
    frame["benchmark"] = benchmark_rate
    for level in levels:
        lower, upper = s.inverted_poisson_funnel_counts(
            expected=expected, confidence=level
        )
        suffix = s.level_label(level)
        frame[f"lower_{suffix}"] = np.where(usable, lower * scale, np.nan)
        frame[f"upper_{suffix}"] = np.where(usable, upper * scale, np.nan)
    return frame


def _same_bits(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert new.index.equals(old.index)
    for column in old.columns:
        # Bits, not ==: -0.0 against 0.0 or a NaN against a number would differ.
        assert (
            new[column].to_numpy(dtype=float).tobytes()
            == old[column].to_numpy(dtype=float).tobytes()
        ), column


def test_rate_funnel_limits_kept_per_process_are_the_same_bits_as_worked_out():
    """The memoised limits (issue 19) against the implementation before it, on
    random benchmarks, multipliers, levels and grids with missing, zero and
    negative populations; each asked for twice (worked out, then remembered), and
    a caller changing its frame does not change what the next caller gets."""
    rng = np.random.default_rng(19)
    for case in range(150):
        size = int(rng.integers(1, 160))
        pops = np.exp(rng.uniform(np.log(50), np.log(1e7), size))
        pops[rng.random(size) < 0.05] = np.nan
        pops[rng.random(size) < 0.03] = 0.0
        pops[rng.random(size) < 0.03] = -1_000.0
        args = dict(
            benchmark_rate=float(np.exp(rng.uniform(np.log(0.01), np.log(5e3)))),
            populations=pops if case % 2 else pops.tolist(),
            multiplier=float(rng.choice([1_000, 10_000, 100_000, 1_000_000])),
            levels=[(0.95, 0.998), (0.998,), (0.9, 0.95, 0.99)][case % 3],
        )
        old = _funnel_limits_rate_before_the_memo(**args)
        first = s.funnel_limits_rate(**args)
        _same_bits(first, old)
        first.iloc[:, 2:] = -1.0
        _same_bits(s.funnel_limits_rate(**args), old)
    for benchmark in (0.0, -0.0, math.nan):
        args = dict(benchmark_rate=benchmark, populations=[10, 1e5], multiplier=1e5)
        _same_bits(
            s.funnel_limits_rate(**args), _funnel_limits_rate_before_the_memo(**args)
        )


@pytest.mark.parametrize("expected", [0.5, 3.0, 6.9, 6.95, 12.0, 80.0])
def test_a_point_is_outside_the_rate_funnel_exactly_when_its_exact_ci_excludes_e(
    expected,
):
    """The defining property: every whole count below the lower limit has an exact
    upper limit below E, every one above the upper limit a lower limit above E,
    and every count between has a CI containing E. A zero count is significantly
    low only when P(X = 0 | E) < alpha/2, i.e. E > -ln(alpha/2) (6.91 at 99.8%)."""
    n, multiplier = 1_000_000, 1_000_000
    out = s.funnel_limits_rate(
        benchmark_rate=expected, populations=[n], multiplier=multiplier
    ).iloc[0]
    for level, suffix in [(0.95, "95"), (0.998, "998")]:
        tail = (1 - level) / 2
        low, high = out[f"lower_{suffix}"], out[f"upper_{suffix}"]
        for count in range(0, int(expected * 3) + 20):
            ci_low = sps.gamma.ppf(tail, count) if count else 0.0
            ci_high = sps.gamma.ppf(1 - tail, count + 1)
            excluded_low, excluded_high = ci_high < expected, ci_low > expected
            assert (count < low) == excluded_low, (level, count)
            assert (count > high) == excluded_high, (level, count)
        zero_is_low = 0 < low
        assert zero_is_low == (math.exp(-expected) < tail)


def test_rate_funnel_handles_missing_population_and_zero_benchmark():
    out = s.funnel_limits_rate(
        benchmark_rate=0.0, populations=[0, np.nan, 1000], multiplier=1000
    )
    assert out.loc[[0, 1], ["lower_95", "upper_95"]].isna().all().all()
    # Against a benchmark of 0 any event at all is significantly high.
    assert out.loc[2, "lower_95"] == 0
    assert out.loc[2, "upper_95"] == 0


def test_proportion_funnel_matches_phe_sigma_adjustment_reference_values():
    """PHEindicatormethods sigma_adjustment, as ported and tested by DHSC:
    (0.975, 100000, 0.9, low, x100) = 89.814061...;
    (0.999, 300000, 0.85, high, x1000) = 852.014584..."""
    out = s.funnel_limits_proportion(
        benchmark_proportion=0.9, populations=[100_000], levels=[0.95]
    )
    assert out["lower_95"].iloc[0] * 100 == pytest.approx(89.81406149030842, rel=1e-9)
    out = s.funnel_limits_proportion(
        benchmark_proportion=0.85, populations=[300_000], levels=[0.998]
    )
    assert out["upper_998"].iloc[0] * 1000 == pytest.approx(852.0145849882799, rel=1e-9)


@pytest.mark.parametrize("n", [5, 40, 1_000])
def test_proportion_funnel_limits_are_where_wilson_interval_touches_benchmark(n):
    """An observed proportion on the lower limit has a Wilson upper limit equal to
    the benchmark (checked with scipy's Wilson interval at non-integer counts)."""
    benchmark = 0.3
    out = s.funnel_limits_proportion(benchmark_proportion=benchmark, populations=[n])
    for level, suffix in [(0.95, "95"), (0.998, "998")]:
        z = _z(level)
        lower = out[f"lower_{suffix}"].iloc[0]
        upper = out[f"upper_{suffix}"].iloc[0]
        if lower > 0:
            _, _, hi = s.proportion_ci(successes=lower * n, total=n, confidence=level)
            assert hi == pytest.approx(benchmark, rel=1e-9)
        _, lo, _ = s.proportion_ci(successes=upper * n, total=n, confidence=level)
        assert lo == pytest.approx(benchmark, rel=1e-9)
        assert upper == pytest.approx(
            benchmark + z * math.sqrt(benchmark * 0.7 / n), rel=1e-9
        )


@given(
    benchmark=st.floats(min_value=0.1, max_value=500),
    population=st.floats(min_value=100, max_value=1e7),
)
def test_funnel_limits_nest_around_benchmark_and_narrow_with_population(
    benchmark, population
):
    out = s.funnel_limits_rate(
        benchmark_rate=benchmark,
        populations=[population, population * 4],
        multiplier=100_000,
    )
    small, large = out.iloc[0], out.iloc[1]
    for row in (small, large):
        assert row.lower_998 <= row.lower_95 <= benchmark <= row.upper_95
        assert row.upper_95 <= row.upper_998
    assert large.upper_95 < small.upper_95
    assert large.lower_95 >= small.lower_95


def _reference_overdispersion(counts, populations, benchmark, proportion=False):
    """Spiegelhalter (2005) written out independently: naive z-scores, Winsorised
    at the 10th / 90th percentiles by scipy's mquantiles (R type 7, alphap =
    betap = 1, as FunnelPlotR's quantile()), phi = mean z^2, chi-squared on
    I - 1 df, DerSimonian-Laird tau^2."""
    y = np.asarray(counts, float) / np.asarray(populations, float)
    spread = benchmark * (1 - benchmark) if proportion else benchmark
    s2 = spread / np.asarray(populations, float)
    z = (y - benchmark) / np.sqrt(s2)
    low, high = mstats.mquantiles(z, prob=[0.1, 0.9], alphap=1, betap=1)
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    i = len(z)
    w = 1 / s2
    tau2 = max(0.0, (i * phi - (i - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return phi, float(sps.chi2.sf(i * phi, i - 1)), tau2


def test_overdispersion_hand_worked():
    """Five areas of 100,000 against 100 per 100,000 (E = 100, s = 10 events):
    counts 60, 95, 100, 110, 140 give z = -4, -0.5, 0, 1, 4. Percentiles (linear)
    10th = -4 + 0.4 x 3.5 = -2.6, 90th = 1 + 0.6 x 3 = 2.8; Winsorised squares
    6.76 + 0.25 + 0 + 1 + 7.84 = 15.85, phi = 3.17; I phi = 15.85 on chi-squared
    4 df, p = 0.0032: overdispersed. Equal weights w = 1 / s^2 = 1e8: tau^2 =
    (15.85 - 4) / (5e8 - 1e8) = 2.9625e-8 per head^2 (tau = 17.21 per 100,000).
    Counts 80, 95, 100, 110, 130 give phi = 1.61, p = 0.090: not overdispersed."""
    result = s.funnel_overdispersion(
        counts=[60, 95, 100, 110, 140], populations=[1e5] * 5, benchmark=0.001
    )
    assert result["phi"] == pytest.approx(3.17, rel=1e-9)
    assert result["p_value"] == pytest.approx(0.0032, abs=5e-5)
    assert result["overdispersed"] is True
    assert result["tau2"] == pytest.approx(2.9625e-8, rel=1e-9)
    assert math.sqrt(result["tau2"]) * 1e5 == pytest.approx(17.21, abs=0.005)
    calm = s.funnel_overdispersion(
        counts=[80, 95, 100, 110, 130], populations=[1e5] * 5, benchmark=0.001
    )
    assert calm["phi"] == pytest.approx(1.61, rel=1e-9)
    assert calm["p_value"] == pytest.approx(0.090, abs=5e-4)
    assert calm["overdispersed"] is False and calm["tau2"] == 0


@pytest.mark.parametrize("proportion", [False, True])
def test_overdispersion_matches_an_independent_implementation(proportion):
    rng = np.random.default_rng(18)
    populations = rng.integers(200_000, 9_000_000, size=43).astype(float)
    truth = 0.0008 * np.exp(rng.normal(0, 0.3, size=43))
    counts = rng.poisson(truth * populations).astype(float)
    benchmark = counts.sum() / populations.sum()
    result = s.funnel_overdispersion(
        counts=counts,
        populations=populations,
        benchmark=benchmark,
        proportion=proportion,
    )
    phi, p_value, tau2 = _reference_overdispersion(
        counts, populations, benchmark, proportion
    )
    assert result["phi"] == pytest.approx(phi, rel=1e-9)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-6, abs=1e-300)
    assert result["overdispersed"] is True
    assert result["tau2"] == pytest.approx(tau2, rel=1e-9)


def test_overdispersed_limits_are_spiegelhalters_additive_random_effects():
    """For a large expected count the PHE limits are theta0 +/- z s, and the
    widened ones Spiegelhalter's theta0 +/- z sqrt(s^2 + tau^2); for any size,
    each limit's distance from the benchmark grows by sqrt(1 + tau^2 / s^2)."""
    tau2, multiplier = 2.9625e-8, 100_000
    populations = np.array([1e5, 1e6, 1e8])
    limits = s.funnel_limits_rate(
        benchmark_rate=100, populations=populations, multiplier=multiplier
    )
    adjusted = s.overdispersed_limits(limits, tau2=tau2, scale=multiplier)
    s2 = 0.001 / populations
    widen = np.sqrt(1 + tau2 / s2)
    for column in ("lower_95", "upper_95", "lower_998", "upper_998"):
        np.testing.assert_allclose(
            adjusted[column] - 100, (limits[column] - 100) * widen, rtol=1e-12
        )
    big = adjusted.iloc[-1]
    paper = 1.959964 * math.sqrt(s2[-1] + tau2) * multiplier
    assert big["upper_95"] - 100 == pytest.approx(paper, rel=5e-3)
    assert 100 - big["lower_95"] == pytest.approx(paper, rel=5e-3)
    unchanged = s.overdispersed_limits(limits, tau2=0.0, scale=multiplier)
    pd.testing.assert_frame_equal(unchanged, limits)


# --- change


def test_rate_ratio_hand_worked_significant_increase():
    """Baseline 100 events in 1,000,000 person-years (10 per 100,000); current 150
    in 1,000,000 (15). RR = 1.5; SE(ln RR) = sqrt(1/150 + 1/100) = 0.129099;
    ln 1.5 = 0.405465; +/- 1.959964 x 0.129099 = 0.253030;
    CI = exp(0.152435) to exp(0.658495) = 1.1647 to 1.9319."""
    result = s.change_from_baseline(
        baseline_count=100,
        baseline_population=1_000_000,
        current_count=150,
        current_population=1_000_000,
        multiplier=100_000,
    )
    assert result["baseline_rate"] == pytest.approx(10.0)
    assert result["current_rate"] == pytest.approx(15.0)
    assert result["rate_ratio"] == pytest.approx(1.5)
    assert result["ratio_lower"] == pytest.approx(1.1647, abs=5e-5)
    assert result["ratio_upper"] == pytest.approx(1.9319, abs=5e-5)
    assert result["percent_change"] == pytest.approx(50.0)
    assert result["significant"] is True
    assert result["direction"] == "increase"


def test_rate_ratio_hand_worked_not_significant_with_unequal_periods():
    """Baseline 2016/17-2018/19: 360 events over 3 x 1,200,000 person-years (10.0);
    current year 130 over 1,250,000 (10.4). RR = 1.04; SE = sqrt(1/130 + 1/360)
    = 0.102323; ln 1.04 = 0.039221 +/- 0.200550 -> CI 0.85101 to 1.2710."""
    result = s.change_from_baseline(
        baseline_count=360,
        baseline_population=3_600_000,
        current_count=130,
        current_population=1_250_000,
        multiplier=100_000,
    )
    assert result["rate_ratio"] == pytest.approx(1.04)
    assert result["ratio_lower"] == pytest.approx(0.85101, abs=5e-6)
    assert result["ratio_upper"] == pytest.approx(1.2710, abs=5e-5)
    assert result["percent_change"] == pytest.approx(4.0)
    assert result["significant"] is False
    assert result["direction"] == "no significant change"


def test_rate_ratio_significant_decrease_and_confidence_level():
    kwargs = dict(
        baseline_count=300,
        baseline_population=1e6,
        current_count=240,
        current_population=1e6,
        multiplier=100_000,
    )
    at_95 = s.change_from_baseline(**kwargs)
    at_998 = s.change_from_baseline(**kwargs, confidence=0.998)
    assert at_95["direction"] == "decrease"
    assert at_95["percent_change"] == pytest.approx(-20.0)
    assert at_998["direction"] == "no significant change"
    assert at_998["ratio_lower"] < at_95["ratio_lower"]


@pytest.mark.parametrize(
    "baseline_count, current_count, baseline_population",
    [(0, 5, 1e6), (5, 0, 1e6), (None, 5, 1e6), (5, 5, 0), (5, 5, None)],
)
def test_rate_ratio_not_compared_without_a_log_scale_interval(
    baseline_count, current_count, baseline_population
):
    result = s.change_from_baseline(
        baseline_count=baseline_count,
        baseline_population=baseline_population,
        current_count=current_count,
        current_population=1e6,
        multiplier=100_000,
    )
    assert result["direction"] == "not compared"
    assert result["significant"] is False
    assert math.isnan(result["ratio_lower"]) and math.isnan(result["ratio_upper"])
    if current_count == 0:
        assert result["percent_change"] == pytest.approx(-100.0)


def test_baseline_change_hand_worked_quasi_poisson():
    """Baseline years 100, 130, 90 and a current year of 150, each in 1,000,000
    people. RR = 150 / (320 / 3) = 1.40625. Fitted baseline counts 106.67 each,
    the current one fitted exactly: Pearson X2 = (6.667^2 + 23.333^2 + 16.667^2)
    / 106.667 = 8.125 on 4 - 2 = 2 df, dispersion 4.0625. Var(ln RR) = 4.0625 x
    (1/150 + 1/320) = 0.039779; t(0.975, 2) = 4.3027; CI exp(0.34093 +/- 0.85816)
    = 0.5962 to 3.3169: no significant change, where the Poisson CI (1.16 to
    1.71) would call it an increase."""
    result = s.change_from_baseline(
        baseline_count=[100, 130, 90],
        baseline_population=[1e6] * 3,
        current_count=[150],
        current_population=[1e6],
        multiplier=100_000,
    )
    assert result["rate_ratio"] == pytest.approx(1.40625, rel=1e-9)
    assert result["dispersion"] == pytest.approx(4.0625, rel=1e-9)
    assert result["ratio_lower"] == pytest.approx(0.5962, abs=5e-4)
    assert result["ratio_upper"] == pytest.approx(3.3169, abs=5e-4)
    assert result["direction"] == "no significant change"
    assert result["method"] == "quasi-Poisson rate ratio"
    poisson = s.change_from_baseline(
        baseline_count=320,
        baseline_population=3e6,
        current_count=150,
        current_population=1e6,
        multiplier=100_000,
    )
    assert poisson["direction"] == "increase"
    assert poisson["ratio_lower"] == pytest.approx(1.16, abs=0.005)


def test_baseline_change_matches_an_independent_quasi_poisson_fit():
    """Maximum likelihood by scipy.optimize of log mu = log pop + a + b [current]
    over uneven populations, then the Pearson dispersion and a t interval."""
    base_counts, base_pops = np.array([812, 905, 1010]), np.array([1.70, 1.71, 1.73])
    cur_counts, cur_pops = np.array([1180, 1244]), np.array([1.75, 1.76])
    y = np.concatenate([base_counts, cur_counts]).astype(float)
    pops = np.concatenate([base_pops, cur_pops]) * 1e6
    current = np.array([0, 0, 0, 1, 1], dtype=float)

    def neg_log_likelihood(beta):
        eta = np.log(pops) + beta[0] + beta[1] * current
        return float(np.sum(np.exp(eta) - y * eta))

    fit = optimize.minimize(
        neg_log_likelihood,
        x0=[math.log(y.sum() / pops.sum()), 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20_000},
    )
    mu = np.exp(np.log(pops) + fit.x[0] + fit.x[1] * current)
    dispersion = float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2))
    information = np.array(
        [[mu.sum(), (mu * current).sum()], [(mu * current).sum(), (mu * current).sum()]]
    )
    se = math.sqrt(np.linalg.inv(information)[1, 1] * max(1.0, dispersion))
    half = sps.t.ppf(0.975, len(y) - 2) * se
    result = s.change_from_baseline(
        baseline_count=base_counts,
        baseline_population=base_pops * 1e6,
        current_count=cur_counts,
        current_population=cur_pops * 1e6,
        multiplier=100_000,
    )
    assert result["rate_ratio"] == pytest.approx(math.exp(fit.x[1]), rel=1e-6)
    assert result["dispersion"] == pytest.approx(dispersion, rel=1e-5)
    assert result["ratio_lower"] == pytest.approx(math.exp(fit.x[1] - half), rel=1e-5)
    assert result["ratio_upper"] == pytest.approx(math.exp(fit.x[1] + half), rel=1e-5)


def test_baseline_change_smoother_than_poisson_keeps_the_poisson_variance():
    """Dispersion 0 is floored at 1: the interval is Poisson's, with t on 2 df."""
    result = s.change_from_baseline(
        baseline_count=[100, 100, 100],
        baseline_population=[1e6] * 3,
        current_count=[150],
        current_population=[1e6],
        multiplier=100_000,
    )
    assert result["dispersion"] == 0
    half = sps.t.ppf(0.975, 2) * math.sqrt(1 / 150 + 1 / 300)
    assert result["ratio_lower"] == pytest.approx(1.5 * math.exp(-half), rel=1e-9)


# --- trend


def _neg_log_likelihood(beta, y, offset, t):
    eta = offset + beta[0] + beta[1] * t
    return float(np.sum(np.exp(eta) - y * eta))


def _reference_fit(y, pops):
    """Maximise the Poisson log-likelihood directly with scipy.optimize."""
    y = np.asarray(y, dtype=float)
    offset = np.log(np.asarray(pops, dtype=float))
    t = np.arange(len(y), dtype=float)
    t = t - t.mean()
    start = np.array([math.log(y.sum() / np.sum(pops)), 0.0])
    fit = optimize.minimize(
        _neg_log_likelihood,
        start,
        args=(y, offset, t),
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20_000},
    )
    return fit.x, offset, t


def test_trend_fit_matches_direct_likelihood_maximisation():
    counts = [512, 561, 598, 677, 731, 804, 868]
    pops = [1.00e6, 1.01e6, 1.02e6, 1.04e6, 1.05e6, 1.07e6, 1.08e6]
    beta, covariance, converged = s.poisson_trend_fit(counts=counts, populations=pops)
    reference, offset, t = _reference_fit(counts, pops)
    assert converged
    assert beta[0] == pytest.approx(reference[0], rel=SIG4)
    assert beta[1] == pytest.approx(reference[1], rel=SIG4)
    # standard error against a finite-difference Hessian of the log-likelihood
    h = 1e-4
    e = np.eye(2) * h
    y = np.asarray(counts, dtype=float)
    hess = np.array(
        [
            [
                (
                    _neg_log_likelihood(beta + e[i] + e[j], y, offset, t)
                    - _neg_log_likelihood(beta + e[i] - e[j], y, offset, t)
                    - _neg_log_likelihood(beta - e[i] + e[j], y, offset, t)
                    + _neg_log_likelihood(beta - e[i] - e[j], y, offset, t)
                )
                / (4 * h * h)
                for j in range(2)
            ]
            for i in range(2)
        ]
    )
    np.testing.assert_allclose(covariance, np.linalg.inv(hess), rtol=1e-3)


def test_strong_increasing_trend_is_significant_with_the_right_slope():
    pops = np.full(8, 1_000_000.0)
    counts = np.round(500 * 1.10 ** np.arange(8))  # 10% a period
    result = s.trend_test(counts=counts, populations=pops)
    reference, _, _ = _reference_fit(counts, pops)
    assert result["direction"] == "increasing"
    assert result["significant"] is True
    assert result["p_value"] < 1e-5  # a t test on 6 df
    assert result["n_periods"] == 8
    assert result["coefficient"] == pytest.approx(reference[1], rel=SIG4)
    assert result["slope"] == pytest.approx(math.expm1(reference[1]) * 100, rel=SIG4)
    assert result["slope"] == pytest.approx(10.0, abs=0.05)
    assert result["slope_lower"] < result["slope"] < result["slope_upper"]


def test_decreasing_trend_and_rising_population():
    """Counts flat while the population grows 8% a period: the rate falls."""
    pops = 1e6 * 1.08 ** np.arange(6)
    result = s.trend_test(counts=[400] * 6, populations=pops)
    assert result["direction"] == "decreasing"
    assert result["slope"] == pytest.approx((1 / 1.08 - 1) * 100, rel=1e-6)


def test_flat_series_is_not_significant():
    result = s.trend_test(counts=[500, 512, 493, 507, 498, 505], populations=[1e6] * 6)
    assert result["direction"] == "no significant change"
    assert result["significant"] is False
    assert result["p_value"] > 0.5


def _reference_quasi_poisson_p(counts, pops) -> tuple[float, float]:
    """(p value, Pearson dispersion) of the slope by quasi-Poisson inference,
    computed independently: the maximum-likelihood fit by Nelder-Mead, the
    covariance from a finite-difference Hessian of the log-likelihood, scaled by
    max(1, Pearson chi-squared / (n - 2)), and a t test on n - 2 df."""
    y = np.asarray(counts, dtype=float)
    beta, offset, t = _reference_fit(counts, pops)
    h = 1e-4
    e = np.eye(2) * h
    hess = np.array(
        [
            [
                (
                    _neg_log_likelihood(beta + e[i] + e[j], y, offset, t)
                    - _neg_log_likelihood(beta + e[i] - e[j], y, offset, t)
                    - _neg_log_likelihood(beta - e[i] + e[j], y, offset, t)
                    + _neg_log_likelihood(beta - e[i] - e[j], y, offset, t)
                )
                / (4 * h * h)
                for j in range(2)
            ]
            for i in range(2)
        ]
    )
    mu = np.exp(beta[0] + beta[1] * t + offset)
    dispersion = float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2))
    se = math.sqrt(np.linalg.inv(hess)[1, 1] * max(1.0, dispersion))
    return float(2 * sps.t.sf(abs(beta[1] / se), len(y) - 2)), dispersion


def test_trend_test_is_quasi_poisson_matching_an_independent_fit():
    """Large, noisy counts: the dispersion (about 14) widens the interval so that
    what a plain Poisson z test would call a trend (p < 0.001) is not one."""
    counts = [5000, 5400, 4900, 5600, 5300, 5750]
    result = s.trend_test(counts=counts, populations=[1e6] * 6)
    p_value, dispersion = _reference_quasi_poisson_p(counts, [1e6] * 6)
    assert result["method"] == "quasi-Poisson regression"
    assert result["dispersion"] == pytest.approx(dispersion, rel=1e-4)
    assert result["dispersion"] > 10
    assert result["p_value"] == pytest.approx(p_value, rel=1e-3)
    assert result["direction"] == "no significant change"
    beta, covariance, _ = s.poisson_trend_fit(counts=counts, populations=[1e6] * 6)
    plain_p = 2 * sps.norm.sf(abs(beta[1]) / math.sqrt(covariance[1, 1]))
    assert plain_p < 0.001


def test_a_series_smoother_than_poisson_is_judged_as_poisson_would():
    """100, 102, 104, 106, 108: dispersion far below 1, floored at 1, so the test
    is no more confident than Poisson's (p = 0.58, no significant change)."""
    counts, pops = [100, 102, 104, 106, 108], [1.0] * 5
    result = s.trend_test(counts=counts, populations=pops)
    p_value, dispersion = _reference_quasi_poisson_p(counts, pops)
    assert dispersion < 0.01
    assert result["p_value"] == pytest.approx(p_value, rel=1e-3)
    assert result["p_value"] == pytest.approx(0.58, abs=0.005)
    assert result["direction"] == "no significant change"


@pytest.mark.parametrize(
    "counts, pops",
    [
        ([5, 6, 7, 8], [1e5] * 4),  # four points
        ([5, None, 7, 8, 9], [1e5] * 5),  # a missing count leaves four
        ([5, 6, 7, 8, 9], [1e5, 1e5, 0, 1e5, 1e5]),  # a zero population too
        ([0, 0, 0, 0, 0], [1e5] * 5),  # no events at all
        ([0, 0, 0, 0, 5], [1e5] * 5),  # all events in one period: no finite fit
    ],
)
def test_trend_needs_five_usable_periods_with_events(counts, pops):
    result = s.trend_test(counts=counts, populations=pops)
    assert result["direction"] == "not enough data"
    assert result["significant"] is False
    assert math.isnan(result["p_value"])


def test_trend_keeps_gaps_in_time():
    """A missing period is dropped but the others keep their positions."""
    counts = [100, 110, None, 133, 146, 161]
    result = s.trend_test(counts=counts, populations=[1e5] * 6)
    assert result["n_periods"] == 5
    assert result["slope"] == pytest.approx(10.0, abs=0.5)


# --- RAG


@pytest.mark.parametrize(
    "value, expected",
    [(90, "green"), (100, "green"), (104, "amber"), (105, "amber"), (106, "red")],
)
def test_rag_lower_is_better(value, expected):
    assert s.rag_status(value=value, target=100, polarity="lower_is_better") == expected


@pytest.mark.parametrize(
    "value, expected",
    [(110, "green"), (100, "green"), (96, "amber"), (95, "amber"), (94, "red")],
)
def test_rag_higher_is_better(value, expected):
    assert (
        s.rag_status(value=value, target=100, polarity="higher_is_better") == expected
    )


def test_rag_no_judgement_missing_values_and_tolerance():
    assert s.rag_status(value=1, target=2, polarity="no_judgement") == "no judgement"
    assert s.rag_status(value=1, target=None, polarity="no_judgement") == "no target"
    assert s.rag_status(value=None, target=2, polarity="lower_is_better") == "no data"
    assert (
        s.rag_status(value=math.nan, target=2, polarity="higher_is_better") == "no data"
    )
    assert (
        s.rag_status(value=5, target=math.nan, polarity="higher_is_better")
        == "no target"
    )
    assert (
        s.rag_status(value=109, target=100, polarity="lower_is_better", tolerance=0.1)
        == "amber"
    )
    with pytest.raises(ValueError):
        s.rag_status(value=1, target=1, polarity="sideways")


def test_rag_rule_text_for_each_polarity():
    assert set(s.RAG_RULE_TEXT) == set(s.POLARITIES)
    assert "at or below the target" in s.RAG_RULE_TEXT["lower_is_better"]
    assert "at or above the target" in s.RAG_RULE_TEXT["higher_is_better"]
    assert "5%" in s.RAG_RULE_TEXT["lower_is_better"]
    assert "10%" in s.rag_rule_text(polarity="higher_is_better", tolerance=0.1)
    assert "No RAG" in s.RAG_RULE_TEXT["no_judgement"]


def test_statistics_module_stays_free_of_dash_and_flask():
    import ast
    from pathlib import Path

    imported = set()
    # Every module of the statistics package; it may import its own modules only.
    for path in Path(s.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                if not node.module.startswith("data_access.statistics"):
                    imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "math", "collections", "functools", "typing"} | {
        "numpy",
        "pandas",
        "scipy",
    }
