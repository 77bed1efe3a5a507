"""Public health statistics: confidence intervals, benchmarking, funnels, trends, RAG.

Methods follow the OHID (formerly PHE) Fingertips technical guidance and the
PHEindicatormethods R package that implements it:

- crude rates: exact Poisson limits (chi-squared relation) for counts below 10,
  Byar's approximation for counts of 10 or more;
- proportions: Wilson score interval; combined (a year of quarters, a group of
  areas) by pooling numerators and denominators, never by adding them;
- benchmarking: "better / similar / worse" by whether the CI excludes the benchmark,
  "higher / lower" for measures with no polarity;
- funnel plots: control limits around the benchmark at 95% and 99.8%, for rates
  by the PHE/OHID inverted exact Poisson method, for proportions by the Wilson
  score (Spiegelhalter's binomial) limits; an overdispersion check from the
  Winsorised z-scores and, when the areas vary more than chance allows,
  Spiegelhalter's additive random-effects widening of the limits;
- change against a baseline: rate ratio with a CI on the log scale, its
  variance scaled by the quasi-Poisson dispersion of the periods compared;
- recent trend: quasi-Poisson regression on the period index with a population
  offset (the dispersion reported);
- RAG against a target, respecting polarity.

Pure functions on numpy / scipy (pandas only for the frame helpers): no dash, no
SQL, so every number a chart shows can be checked here without a browser.

Frame helper columns:
- `rate_ci_frame`: rate, rate_lower, rate_upper
- `proportion_ci_frame`: proportion, proportion_lower, proportion_upper (0-1 scale)
- `rates_for`: rate, rate_lower, rate_upper by a measure's CI method and multiplier
- `compare_to_benchmark_frame`: comparison_95 or comparison_998
- `funnel_limits_rate` / `funnel_limits_proportion`: population, benchmark,
  lower_95, upper_95, lower_998, upper_998 (one pair per level)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

# Mirrors data_access.models.POLARITIES; not imported from there so this module
# stays free of SQLAlchemy (a test checks the two agree).
POLARITIES = ("lower_is_better", "higher_is_better", "no_judgement")

COMPARISONS = ("better", "similar", "worse", "higher", "lower", "not compared")
RAG_STATUSES = ("green", "amber", "red", "no target", "no data", "no judgement")
TREND_DIRECTIONS = (
    "increasing",
    "decreasing",
    "no significant change",
    "not enough data",
)
CHANGE_DIRECTIONS = ("increase", "decrease", "no significant change", "not compared")

# Fingertips switches from exact Poisson to Byar's method at 10 events: below
# that Byar's approximation drifts from the exact limits.
BYAR_MIN_COUNT = 10
# Fingertips' recent-trend rule uses the most recent five points; fewer give a
# test with almost no power.
TREND_MIN_PERIODS = 5
TREND_SIGNIFICANCE = 0.05
BENCHMARK_LEVELS = (0.95, 0.998)
# A measure with one of these CI methods is a proportion (numerator of
# denominator): combining its figures pools them, see `proportion_scale`.
PROPORTION_CI_METHODS = ("wilson",)

_NAN3 = (math.nan, math.nan, math.nan)


# --- helpers


def _as_float(value: Any) -> float:
    """A float, with None / pd.NA / unparsable values as NaN."""
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column as float64, missing values as NaN."""
    series = pd.to_numeric(frame[name], errors="coerce")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def level_label(level: float) -> str:
    """0.95 -> '95', 0.998 -> '998': the suffix used in column names."""
    return f"{level * 100:g}".replace(".", "")


def exact_poisson_limits(
    *, counts: np.ndarray | Sequence[float] | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for observed counts via the chi-squared relation.

    lower = chi2(alpha/2, 2O) / 2, upper = chi2(1 - alpha/2, 2O + 2) / 2; the lower
    limit of a zero count is 0. Non-integer counts (expected values) are accepted,
    which is what lets funnel limits be drawn as smooth curves.
    """
    _check_confidence(confidence)
    observed = np.asarray(counts, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        # chi2 with 0 degrees of freedom is undefined; the limit is 0 by definition.
        lower = np.where(
            observed > 0,
            stats.chi2.ppf(alpha / 2, 2 * np.where(observed > 0, observed, 1)) / 2,
            0.0,
        )
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2
    lower = np.where(np.isnan(observed), np.nan, lower)
    return lower, upper


def byar_limits(
    *, counts: np.ndarray | Sequence[float] | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits for observed counts.

    lower = O (1 - 1/(9O) - z/(3 sqrt O))^3,
    upper = (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
    """
    _check_confidence(confidence)
    observed = np.asarray(counts, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
        shifted = observed + 1
        upper = shifted * (1 - 1 / (9 * shifted) + z / (3 * np.sqrt(shifted))) ** 3
    # At extreme confidence levels the cube goes negative; a count's limit cannot.
    lower = np.where(observed > 0, np.maximum(lower, 0.0), 0.0)
    lower = np.where(np.isnan(observed), np.nan, lower)
    return lower, upper


def poisson_count_limits(
    *, counts: np.ndarray | Sequence[float] | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Fingertips limits for counts: exact below 10 events, Byar's from 10 up."""
    observed = np.asarray(counts, dtype=float)
    exact_lower, exact_upper = exact_poisson_limits(
        counts=observed, confidence=confidence
    )
    byar_lower, byar_upper = byar_limits(counts=observed, confidence=confidence)
    small = observed < BYAR_MIN_COUNT
    return (
        np.where(small, exact_lower, byar_lower),
        np.where(small, exact_upper, byar_upper),
    )


# --- rates


def _rate_arrays(
    counts: np.ndarray, populations: np.ndarray, multiplier: float, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if np.any(counts < 0):
        raise ValueError("counts must not be negative")
    # A missing or non-positive denominator gives no rate rather than inf / 0.
    usable = (populations > 0) & ~np.isnan(counts)
    safe_pop = np.where(usable, populations, 1.0)
    safe_counts = np.where(usable, counts, 0.0)
    lower, upper = poisson_count_limits(counts=safe_counts, confidence=confidence)
    scale = multiplier / safe_pop
    rate = np.where(usable, safe_counts * scale, np.nan)
    return (
        rate,
        np.where(usable, lower * scale, np.nan),
        np.where(usable, upper * scale, np.nan),
    )


def rate_ci(
    *,
    count: float | None,
    population: float | None,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Crude rate per `multiplier` with its confidence interval.

    Exact Poisson limits for counts below 10, Byar's method from 10 (Fingertips).
    Returns (rate, lower, upper); NaNs when the count or population is missing or
    the population is not positive. Raises ValueError for a negative count.
    """
    _check_confidence(confidence)
    rate, lower, upper = _rate_arrays(
        np.array([_as_float(count)]),
        np.array([_as_float(population)]),
        multiplier,
        confidence,
    )
    return float(rate[0]), float(lower[0]), float(upper[0])


def rate_ci_frame(
    df: pd.DataFrame,
    *,
    count_col: str = "numerator",
    population_col: str = "denominator",
    multiplier: float,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A copy of `df` with rate, rate_lower, rate_upper added (see `rate_ci`)."""
    _check_confidence(confidence)
    out = df.copy()
    rate, lower, upper = _rate_arrays(
        _column(df, count_col), _column(df, population_col), multiplier, confidence
    )
    out["rate"] = rate
    out["rate_lower"] = lower
    out["rate_upper"] = upper
    return out


# --- proportions


def _wilson_arrays(
    successes: np.ndarray, totals: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if np.any(successes < 0):
        raise ValueError("successes must not be negative")
    if np.any(successes > totals):
        raise ValueError("successes must not exceed the total")
    usable = (totals > 0) & ~np.isnan(successes)
    n = np.where(usable, totals, 1.0)
    x = np.where(usable, successes, 0.0)
    z = _z(confidence)
    z2 = z * z
    p = x / n
    # Newcombe's closed form of the Wilson interval, as in the Fingertips guide.
    half_width = z * np.sqrt(z2 + 4 * x * (1 - p))
    lower = (2 * x + z2 - half_width) / (2 * (n + z2))
    upper = (2 * x + z2 + half_width) / (2 * (n + z2))
    # The limits are exactly 0 and 1 at the extremes; rounding would say 1 - 2e-16.
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return (
        np.where(usable, p, np.nan),
        np.where(usable, np.clip(lower, 0.0, 1.0), np.nan),
        np.where(usable, np.clip(upper, 0.0, 1.0), np.nan),
    )


def proportion_ci(
    *, successes: float | None, total: float | None, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Proportion (0-1) with its Wilson score interval.

    Returns (p, lower, upper); NaNs when either value is missing or the total is
    not positive. Raises ValueError for negative successes or successes > total.
    """
    _check_confidence(confidence)
    p, lower, upper = _wilson_arrays(
        np.array([_as_float(successes)]), np.array([_as_float(total)]), confidence
    )
    return float(p[0]), float(lower[0]), float(upper[0])


def proportion_ci_frame(
    df: pd.DataFrame,
    *,
    successes_col: str = "numerator",
    total_col: str = "denominator",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A copy of `df` with proportion, proportion_lower, proportion_upper (0-1)."""
    _check_confidence(confidence)
    out = df.copy()
    p, lower, upper = _wilson_arrays(
        _column(df, successes_col), _column(df, total_col), confidence
    )
    out["proportion"] = p
    out["proportion_lower"] = lower
    out["proportion_upper"] = upper
    return out


def proportion_scale(measure: dict) -> float | None:
    """What a proportion measure's value is numerator / denominator times (100 for
    a percentage, else its rate_multiplier); None for a count, whose values add
    up. A proportion's figures are never added: a year of quarters or a group of
    areas is `pooled` from the summed numerators and denominators."""
    if measure["ci_method"] not in PROPORTION_CI_METHODS:
        return None
    multiplier = measure["rate_multiplier"]
    return float(multiplier) if multiplier and not pd.isna(multiplier) else 100.0


def measure_rate(
    *,
    count: float | None,
    population: float | None,
    ci_method: str,
    multiplier: float,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """(rate, lower, upper) of one count by the measure's method, as `rates_for`
    does for a frame: Wilson limits for a proportion, else Byar / exact Poisson."""
    scale = proportion_scale({"ci_method": ci_method, "rate_multiplier": multiplier})
    if scale is None:
        return rate_ci(
            count=count,
            population=population,
            multiplier=multiplier,
            confidence=confidence,
        )
    p, lower, upper = proportion_ci(
        successes=count, total=population, confidence=confidence
    )
    return p * scale, lower * scale, upper * scale


def rates_for(
    df: pd.DataFrame,
    *,
    ci_method: str,
    multiplier: float | None,
    count_col: str = "numerator",
    population_col: str = "denominator",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A copy of `df` with rate, rate_lower, rate_upper by the measure's own method
    (its `ci_method` and `rate_multiplier`): a proportion as count / population x
    its scale (the multiplier, else 100) with Wilson limits, so a share given "per
    100" gets the same interval as the same share in per cent; otherwise a rate per
    `multiplier` people with Byar / exact Poisson limits. A count with no
    multiplier has no rate: the copy is returned without those columns."""
    measure = {"ci_method": ci_method, "rate_multiplier": multiplier}
    scale = proportion_scale(measure)
    if scale is not None:
        out = proportion_ci_frame(
            df,
            successes_col=count_col,
            total_col=population_col,
            confidence=confidence,
        )
        for name in ("", "_lower", "_upper"):
            out[f"rate{name}"] = out.pop(f"proportion{name}") * scale
        return out
    if multiplier is None or pd.isna(multiplier) or not multiplier:
        return df.copy()
    return rate_ci_frame(
        df,
        count_col=count_col,
        population_col=population_col,
        multiplier=multiplier,
        confidence=confidence,
    )


def pooled(numerator: pd.Series, denominator: pd.Series, scale: float) -> np.ndarray:
    """numerator / denominator x scale, NaN where there is nothing to divide by."""
    num = numerator.to_numpy(dtype=float)
    den = denominator.to_numpy(dtype=float)
    usable = den > 0
    return np.where(usable, num / np.where(usable, den, 1.0) * scale, np.nan)


# --- benchmark


def _comparison_labels(polarity: str) -> tuple[str, str]:
    """(label when the CI lies above the benchmark, label when below)."""
    _check_polarity(polarity)
    if polarity == "lower_is_better":
        return "worse", "better"
    if polarity == "higher_is_better":
        return "better", "worse"
    return "higher", "lower"


def compare_to_benchmark(
    *,
    lower: float | None,
    upper: float | None,
    benchmark: float | None,
    polarity: str,
) -> str:
    """Compare a confidence interval with a benchmark value.

    The CI wholly above or below the benchmark is "better"/"worse" by polarity, or
    "higher"/"lower" for no_judgement; a CI that includes it (touching counts) is
    "similar"; any missing value gives "not compared".
    """
    above, below = _comparison_labels(polarity)
    lo, hi, bench = _as_float(lower), _as_float(upper), _as_float(benchmark)
    if math.isnan(lo) or math.isnan(hi) or math.isnan(bench):
        return "not compared"
    if lo > bench:
        return above
    if hi < bench:
        return below
    return "similar"


def compare_to_benchmark_frame(
    df: pd.DataFrame,
    *,
    benchmark: float | str,
    polarity: str,
    level: float = 0.95,
    lower_col: str = "rate_lower",
    upper_col: str = "rate_upper",
) -> pd.DataFrame:
    """A copy of `df` with `comparison_95` or `comparison_998` added.

    `level` only names the column and must match the confidence the CI columns
    were computed at (pass confidence=0.998 to `rate_ci_frame` for 99.8%).
    `benchmark` is a number or the name of a column (e.g. a per-period benchmark).
    """
    if level not in BENCHMARK_LEVELS:
        raise ValueError(f"level must be one of {BENCHMARK_LEVELS}, not {level}")
    above, below = _comparison_labels(polarity)
    out = df.copy()
    lower = _column(df, lower_col)
    upper = _column(df, upper_col)
    if isinstance(benchmark, str):
        bench = _column(df, benchmark)
    else:
        bench = np.full(len(df), _as_float(benchmark))
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(bench)
    with np.errstate(invalid="ignore"):
        result = np.select(
            [missing, lower > bench, upper < bench],
            ["not compared", above, below],
            default="similar",
        )
    out[f"comparison_{level_label(level)}"] = result.astype(object)
    return out


# --- funnels


def _funnel_frame(
    populations: np.ndarray, benchmark: float, limits: dict[str, np.ndarray]
) -> pd.DataFrame:
    frame = pd.DataFrame({"population": populations})
    frame["benchmark"] = benchmark
    for name, values in limits.items():
        frame[name] = values
    return frame


def _invert_monotone(
    function, target: np.ndarray, low: np.ndarray, high: np.ndarray, increasing: bool
) -> np.ndarray:
    """Solve function(x) = target elementwise for x in [low, high] by bisection,
    for a `function` monotone in x (vectorised, so a funnel's hundred-odd points
    take one pass). `high` is doubled until it brackets the root."""
    sign = 1.0 if increasing else -1.0
    low, high = low.copy(), high.copy()
    for _ in range(64):
        short = sign * (function(high) - target) < 0
        if not short.any():
            break
        high = np.where(short, high * 2 + 1, high)
    for _ in range(200):
        middle = (low + high) / 2
        below = sign * (function(middle) - target) < 0
        low, high = np.where(below, middle, low), np.where(below, high, middle)
        if np.all(high - low <= 1e-12 * np.maximum(1.0, high)):
            break
    return (low + high) / 2


def inverted_poisson_funnel_counts(
    *, expected: np.ndarray | Sequence[float] | float, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """The observed counts at which an exact Poisson confidence interval just
    excludes the expected count E: the funnel's control limits as counts.

    This is the PHE/OHID method for rates (Fingertips technical guide "Calculating
    funnel plot control limits"; the Excel funnel macro's `poisson_funnel`, as in
    PHEindicatormethods / PHStatsMethods `calculate_funnel_limits(statistic=
    "rate")`): an area is outside the limits exactly when the exact Poisson CI of
    its observed count excludes the benchmark. So the lower limit is the count O
    whose upper exact limit is E, chi2(1 - alpha/2, 2O + 2) / 2 = E, i.e.
    P(X <= O | E) = alpha/2 with the Poisson CDF continued to non-integer O by the
    regularised incomplete gamma function, Q(O + 1, E) = alpha/2; the upper limit
    is the O whose lower exact limit is E, chi2(alpha/2, 2O) / 2 = E, i.e.
    P(O, E) = alpha/2. Where no count's upper limit reaches E (E < -ln(alpha/2))
    the lower limit is 0: no count, not even 0, is then significantly low.
    (Taking the exact limits of E itself, as if E had been observed, shifts both
    limits up by about one event.) Returns (lower, upper) counts; NaN where E is
    missing or negative.
    """
    _check_confidence(confidence)
    means = np.asarray(expected, dtype=float)
    usable = np.isfinite(means) & (means >= 0)
    safe = np.where(usable, means, 1.0)
    tail = (1 - confidence) / 2
    zero = np.zeros_like(safe)
    # Q(O + 1, E) grows with O; the lower limit is at most E (Q(E + 1, E) > 1/2).
    lower = _invert_monotone(
        lambda o: special.gammaincc(o + 1, safe), tail, zero, safe, increasing=True
    )
    lower = np.where(special.gammaincc(1, safe) >= tail, 0.0, lower)
    # P(O, E) falls as O grows; the upper limit is at least E (P(E, E) > 1/2).
    positive = np.maximum(safe, 1e-300)
    upper = _invert_monotone(
        lambda o: special.gammainc(np.maximum(o, 1e-300), positive),
        tail,
        np.full_like(safe, 1e-300),
        np.maximum(2 * safe, 1.0),
        increasing=False,
    )
    upper = np.where(safe == 0, 0.0, upper)
    return np.where(usable, lower, np.nan), np.where(usable, upper, np.nan)


def funnel_limits_rate(
    *,
    benchmark_rate: float,
    populations: np.ndarray | Sequence[float],
    multiplier: float,
    levels: Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """Funnel plot control limits for a crude rate around a benchmark rate, by
    the PHE/OHID method (`inverted_poisson_funnel_counts`).

    For each population n the expected count is E = benchmark_rate / multiplier * n;
    the limits are the observed counts at which the exact Poisson CI just excludes
    E, divided by n and times the multiplier, so a point is outside the limits
    exactly when its own exact CI excludes the benchmark. At 79.73 per 100,000 and
    n = 100,000 the 95% limits are 62.22 and 98.19. Columns: population,
    benchmark, then lower_<level>, upper_<level> for each level (lower_95, ...).
    Rows with a missing or non-positive population have NaN limits.
    """
    pops = np.asarray(populations, dtype=float)
    usable = pops > 0
    safe_pops = np.where(usable, pops, 1.0)
    expected = benchmark_rate / multiplier * safe_pops
    scale = multiplier / safe_pops
    limits: dict[str, np.ndarray] = {}
    for level in levels:
        lower, upper = inverted_poisson_funnel_counts(
            expected=expected, confidence=level
        )
        suffix = level_label(level)
        limits[f"lower_{suffix}"] = np.where(usable, lower * scale, np.nan)
        limits[f"upper_{suffix}"] = np.where(usable, upper * scale, np.nan)
    return _funnel_frame(pops, benchmark_rate, limits)


def funnel_limits_proportion(
    *,
    benchmark_proportion: float,
    populations: np.ndarray | Sequence[float],
    levels: Sequence[float] = (0.95, 0.998),
) -> pd.DataFrame:
    """Funnel plot control limits for a proportion (0-1) around a benchmark.

    The limits are the observed proportions whose Wilson score interval just
    touches the benchmark p: p +/- z sqrt(p (1 - p) / n), clipped to [0, 1]. This is
    what PHEindicatormethods' `sigma_adjustment` (the Fingertips funnel tool)
    computes, written in closed form. Columns as for `funnel_limits_rate`.
    """
    if not 0 <= benchmark_proportion <= 1:
        raise ValueError("benchmark_proportion must be between 0 and 1")
    pops = np.asarray(populations, dtype=float)
    usable = pops > 0
    safe_pops = np.where(usable, pops, 1.0)
    spread = np.sqrt(benchmark_proportion * (1 - benchmark_proportion) / safe_pops)
    limits: dict[str, np.ndarray] = {}
    for level in levels:
        _check_confidence(level)
        half = _z(level) * spread
        suffix = level_label(level)
        lower = np.clip(benchmark_proportion - half, 0.0, 1.0)
        upper = np.clip(benchmark_proportion + half, 0.0, 1.0)
        limits[f"lower_{suffix}"] = np.where(usable, lower, np.nan)
        limits[f"upper_{suffix}"] = np.where(usable, upper, np.nan)
    return _funnel_frame(pops, benchmark_proportion, limits)


OVERDISPERSION_METHOD = "additive random-effects adjustment (Spiegelhalter 2005)"
WINSORISE_FRACTION = 0.1


def funnel_overdispersion(
    *,
    counts: np.ndarray | Sequence[float],
    populations: np.ndarray | Sequence[float],
    benchmark: float,
    proportion: bool = False,
    significance: float = 0.05,
) -> dict[str, Any]:
    """Do the areas of a funnel plot vary more than chance allows, and by how much?

    Spiegelhalter D J (2005), "Funnel plots for comparing institutional
    performance", Statistics in Medicine 24:1185-1202: each area's z-score
    z = (y - theta0) / s, with y = count / population, theta0 the benchmark per
    head (`benchmark`, a rate per person or a proportion) and s^2 = theta0 / n
    for a rate (Poisson) or theta0 (1 - theta0) / n for a proportion; the
    z-scores Winsorised at their 10th and 90th percentiles (linear
    interpolation, R's default, as FunnelPlotR does) so outliers do not drive
    the estimate; the dispersion phi = mean(z_w^2); overdispersion when
    I phi exceeds the upper `significance` point of chi-squared on I - 1 df (the
    benchmark is estimated from the same areas). The between-area variance by
    the DerSimonian-Laird moment estimator, tau^2 = (I phi - (I - 1)) /
    (sum w - sum w^2 / sum w) with w = 1 / s^2, 0 when I phi <= I - 1.

    Keys: n_areas, phi, p_value (of I phi under chi-squared on I - 1 df),
    overdispersed (bool), tau2 (per head, squared: 0 unless overdispersed),
    method (OVERDISPERSION_METHOD). With fewer than 3 usable areas nothing is
    estimated (phi NaN, not overdispersed).
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(populations, dtype=float)
    usable = ~np.isnan(y) & (n > 0)
    y, n = y[usable], n[usable]
    result: dict[str, Any] = {
        "n_areas": int(len(y)),
        "phi": math.nan,
        "p_value": math.nan,
        "overdispersed": False,
        "tau2": 0.0,
        "method": OVERDISPERSION_METHOD,
    }
    spread = benchmark * (1 - benchmark) if proportion else benchmark
    if len(y) < 3 or not spread > 0:
        return result
    variance = spread / n
    z = (y / n - benchmark) / np.sqrt(variance)
    low, high = np.percentile(
        z, [100 * WINSORISE_FRACTION, 100 * (1 - WINSORISE_FRACTION)]
    )
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    areas = len(y)
    p_value = float(stats.chi2.sf(areas * phi, areas - 1))
    overdispersed = p_value < significance
    weights = 1 / variance
    tau2 = 0.0
    if overdispersed:
        tau2 = max(
            0.0,
            (areas * phi - (areas - 1))
            / (weights.sum() - (weights**2).sum() / weights.sum()),
        )
    result.update(
        phi=phi, p_value=p_value, overdispersed=overdispersed, tau2=float(tau2)
    )
    return result


def overdispersed_limits(
    limits: pd.DataFrame,
    *,
    tau2: float,
    proportion: bool = False,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Funnel limits (`funnel_limits_rate` / `funnel_limits_proportion` columns)
    widened by Spiegelhalter's (2005) additive random-effects adjustment.

    Spiegelhalter's limits are theta0 +/- z sqrt(s^2 + tau^2), s^2 the within-area
    variance at population n (theta0 / n, or theta0 (1 - theta0) / n); here each
    limit's distance from the benchmark is multiplied by sqrt(1 + tau^2 / s^2),
    which is that formula where the limit is theta0 +/- z s and keeps the exact
    limits' asymmetry for small areas. Limits stay within [0, scale] for a
    proportion and at or above 0 for a rate. `scale` is what the limits' figures
    are per head times (the rate multiplier, or 100 for a percentage); tau2 is
    per head. tau2 = 0 returns the limits unchanged.
    """
    out = limits.copy()
    theta0 = out["benchmark"].to_numpy(dtype=float) / scale
    n = out["population"].to_numpy(dtype=float)
    spread = theta0 * (1 - theta0) if proportion else theta0
    with np.errstate(divide="ignore", invalid="ignore"):
        widen = np.sqrt(1 + tau2 * n / spread) if tau2 > 0 else np.ones_like(n)
    bench = out["benchmark"].to_numpy(dtype=float)
    for column in [c for c in out.columns if c.startswith(("lower_", "upper_"))]:
        adjusted = bench + (out[column].to_numpy(dtype=float) - bench) * widen
        adjusted = np.maximum(adjusted, 0.0)
        if proportion:
            adjusted = np.minimum(adjusted, scale)
        out[column] = adjusted
    return out


# --- change


def _per_period(value: Any) -> np.ndarray:
    """A total or per-period figures as a float array (None / NA as NaN)."""
    if np.ndim(value) == 0:
        return np.array([_as_float(value)])
    return np.array([_as_float(v) for v in value], dtype=float)


def change_from_baseline(
    *,
    baseline_count: float | Sequence[float] | None,
    baseline_population: float | Sequence[float] | None,
    current_count: float | Sequence[float] | None,
    current_population: float | Sequence[float] | None,
    multiplier: float,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Change in a rate against a baseline (e.g. the 2016/17-2018/19 pre-funding
    period) as a rate ratio, tested allowing for overdispersion (quasi-Poisson).

    Each count and population is a total or the period-by-period figures (e.g.
    the three baseline years and the latest year). RR = (C / P_c) / (B / P_b)
    from the totals, the maximum-likelihood estimate of a Poisson log-linear
    model with one rate for the baseline periods and one for the current ones;
    its variance on the log scale is phi (1/C + 1/B), where phi is that model's
    Pearson dispersion, sum((y - mu)^2 / mu) / (n - 2) over the n periods,
    floored at 1, and the CI and test use t on n - 2 degrees of freedom
    (quasi-Poisson: McCullagh and Nelder, Generalized Linear Models, 1989, 6.2).
    Recorded crime varies from year to year far more than Poisson allows, and
    the Poisson CI exp(ln RR +/- z sqrt(1/C + 1/B)) (Rothman, Modern
    Epidemiology) would call that variation a change. With a single period on
    each side the dispersion cannot be estimated and the Poisson CI is used
    (method says so). Significant when the CI excludes 1.

    Keys: baseline_rate, current_rate, rate_ratio, ratio_lower, ratio_upper,
    percent_change, significant, direction ("increase", "decrease",
    "no significant change", or "not compared" when a count or population is
    missing or a total count is zero, where the log-scale CI does not exist),
    dispersion (NaN with one period a side), method.
    """
    _check_confidence(confidence)
    b_counts, b_pops = _per_period(baseline_count), _per_period(baseline_population)
    c_counts, c_pops = _per_period(current_count), _per_period(current_population)
    if len(b_counts) != len(b_pops) or len(c_counts) != len(c_pops):
        raise ValueError("counts and populations must be the same length")
    if np.any(b_counts < 0) or np.any(c_counts < 0):
        raise ValueError("counts must not be negative")
    b_count, b_pop = float(b_counts.sum()), float(b_pops.sum())
    c_count, c_pop = float(c_counts.sum()), float(c_pops.sum())
    n_periods = len(b_counts) + len(c_counts)
    replicated = n_periods > 2
    baseline_rate, _, _ = rate_ci(
        count=b_count, population=b_pop, multiplier=multiplier, confidence=confidence
    )
    current_rate, _, _ = rate_ci(
        count=c_count, population=c_pop, multiplier=multiplier, confidence=confidence
    )
    result: dict[str, Any] = {
        "baseline_rate": baseline_rate,
        "current_rate": current_rate,
        "rate_ratio": math.nan,
        "ratio_lower": math.nan,
        "ratio_upper": math.nan,
        "percent_change": math.nan,
        "significant": False,
        "direction": "not compared",
        "dispersion": math.nan,
        "method": ("quasi-Poisson rate ratio" if replicated else "Poisson rate ratio"),
    }
    if math.isnan(baseline_rate) or math.isnan(current_rate) or baseline_rate == 0:
        return result
    if np.any(b_pops <= 0) or np.any(c_pops <= 0):
        return result
    ratio = current_rate / baseline_rate
    result["rate_ratio"] = ratio
    result["percent_change"] = (ratio - 1) * 100
    if c_count == 0:
        return result
    variance = 1 / c_count + 1 / b_count
    if replicated:
        observed = np.concatenate([b_counts, c_counts])
        fitted = np.concatenate([b_pops * b_count / b_pop, c_pops * c_count / c_pop])
        dispersion = float(np.sum((observed - fitted) ** 2 / fitted) / (n_periods - 2))
        result["dispersion"] = dispersion
        variance *= max(1.0, dispersion)
        critical = float(stats.t.ppf(1 - (1 - confidence) / 2, n_periods - 2))
    else:
        critical = _z(confidence)
    half = critical * math.sqrt(variance)
    lower = math.exp(math.log(ratio) - half)
    upper = math.exp(math.log(ratio) + half)
    significant = lower > 1 or upper < 1
    result.update(
        ratio_lower=lower,
        ratio_upper=upper,
        significant=significant,
        direction=(
            "no significant change"
            if not significant
            else "increase"
            if ratio > 1
            else "decrease"
        ),
    )
    return result


# --- trend


def poisson_trend_fit(
    *,
    counts: np.ndarray | Sequence[float],
    populations: np.ndarray | Sequence[float],
    periods: np.ndarray | Sequence[float] | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Fit log E[count] = log(population) + a + b (period - mean period) by IRLS.

    Returns (coefficients [a, b], their covariance, converged). `periods` defaults
    to 0, 1, 2, ...; centring it keeps the intercept and slope nearly uncorrelated
    so the iteration is well conditioned.
    """
    y = np.asarray(counts, dtype=float)
    offset = np.log(np.asarray(populations, dtype=float))
    t = np.arange(len(y), dtype=float) if periods is None else np.asarray(periods)
    design = np.column_stack([np.ones_like(y), t - t.mean()])
    # Start from the observed log rates, nudged so zero counts have a logarithm.
    mu = y + 0.5
    beta = np.zeros(2)
    converged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(max_iterations):
            eta = np.log(mu)
            working = eta - offset + (y - mu) / mu
            weighted = design * mu[:, None]
            try:
                new_beta = np.linalg.solve(design.T @ weighted, weighted.T @ working)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(new_beta)):
                break
            step = np.max(np.abs(new_beta - beta))
            beta = new_beta
            mu = np.exp(design @ beta + offset)
            if step < tolerance * (1 + np.max(np.abs(beta))):
                converged = True
                break
        information = design.T @ (design * mu[:, None])
        try:
            covariance = np.linalg.inv(information)
        except np.linalg.LinAlgError:
            covariance = np.full((2, 2), np.nan)
            converged = False
    return beta, covariance, converged


TREND_METHOD = "quasi-Poisson regression"


def trend_test(
    *,
    counts: Sequence[float | None] | np.ndarray,
    populations: Sequence[float | None] | np.ndarray,
) -> dict[str, Any]:
    """Significance-tested trend in a rate over consecutive, equally spaced periods:
    the one trend test every page uses (TREND_METHOD).

    Poisson regression of counts on the period index with log(population) as the
    offset, fitted by IRLS, with quasi-Poisson inference (McCullagh and Nelder,
    Generalized Linear Models, 2nd ed., 1989, section 6.2): the slope's standard
    error is multiplied by the square root of the Pearson dispersion
    phi = sum((y - mu)^2 / mu) / (n - 2) and tested with a t test on n - 2 degrees
    of freedom at 5%. Police recorded crime varies far more than Poisson allows
    (phi of 25 on the England and Wales knife series), where a plain Poisson test
    calls chance wobbles trends. phi is floored at 1 so that a series smoother
    than Poisson is never made more significant than Poisson would make it.
    Fingertips uses a Poisson-based test for counts and rates; this is its
    log-linear form, allowing for overdispersion. Pass the window to assess
    (Fingertips uses the most recent five points).

    Periods with a missing count or a missing / non-positive population are
    dropped but keep their place in time. Keys: slope (% change per period),
    slope_lower, slope_upper (95% CI), coefficient (log rate ratio per period),
    p_value, significant, direction ("increasing", "decreasing",
    "no significant change", "not enough data" with fewer than 5 usable periods,
    no events, or a fit that does not converge), n_periods (usable periods),
    dispersion (the Pearson estimate before the floor), method (TREND_METHOD).
    """
    y = np.array([_as_float(c) for c in counts], dtype=float)
    pops = np.array([_as_float(p) for p in populations], dtype=float)
    if len(y) != len(pops):
        raise ValueError("counts and populations must be the same length")
    if np.any(y < 0):
        raise ValueError("counts must not be negative")
    usable = ~np.isnan(y) & (pops > 0)
    index = np.arange(len(y), dtype=float)[usable]
    y, pops = y[usable], pops[usable]
    result: dict[str, Any] = {
        "slope": math.nan,
        "slope_lower": math.nan,
        "slope_upper": math.nan,
        "coefficient": math.nan,
        "p_value": math.nan,
        "significant": False,
        "direction": "not enough data",
        "n_periods": int(len(y)),
        "dispersion": math.nan,
        "method": TREND_METHOD,
    }
    if len(y) < TREND_MIN_PERIODS or y.sum() == 0:
        return result
    beta, covariance, converged = poisson_trend_fit(
        counts=y, populations=pops, periods=index
    )
    if not converged or not np.isfinite(covariance[1, 1]):
        return result
    slope_coef = float(beta[1])
    mu = np.exp(beta[0] + beta[1] * (index - index.mean()) + np.log(pops))
    dispersion = float(np.sum((y - mu) ** 2 / mu) / (len(y) - 2))
    se = math.sqrt(covariance[1, 1] * max(1.0, dispersion))
    reference = stats.t(df=len(y) - 2)
    statistic = slope_coef / se
    p_value = float(2 * reference.sf(abs(statistic)))
    critical = float(reference.ppf(1 - TREND_SIGNIFICANCE / 2))
    significant = p_value < TREND_SIGNIFICANCE
    result.update(
        slope=math.expm1(slope_coef) * 100,
        slope_lower=math.expm1(slope_coef - critical * se) * 100,
        slope_upper=math.expm1(slope_coef + critical * se) * 100,
        coefficient=slope_coef,
        p_value=p_value,
        significant=significant,
        direction=(
            "no significant change"
            if not significant
            else "increasing"
            if slope_coef > 0
            else "decreasing"
        ),
        dispersion=dispersion,
    )
    return result


# --- RAG


def rag_rule_text(*, polarity: str, tolerance: float = 0.05) -> str:
    """How `rag_status` decides, in words, for a definitions page or a legend."""
    _check_polarity(polarity)
    pct = f"{tolerance * 100:g}%"
    if polarity == "lower_is_better":
        return (
            "Green: at or below the target. "
            f"Amber: above the target by no more than {pct} of it. "
            f"Red: more than {pct} above the target."
        )
    if polarity == "higher_is_better":
        return (
            "Green: at or above the target. "
            f"Amber: below the target by no more than {pct} of it. "
            f"Red: more than {pct} below the target."
        )
    return "No RAG rating: this measure has no better or worse direction."


RAG_RULE_TEXT: dict[str, str] = {p: rag_rule_text(polarity=p) for p in POLARITIES}


def rag_status(
    *,
    value: float | None,
    target: float | None,
    polarity: str,
    tolerance: float = 0.05,
) -> str:
    """Red / amber / green against a target, respecting polarity.

    lower_is_better: green at or below the target, amber up to `tolerance` (a
    fraction of the target) above it, red beyond; higher_is_better mirrors that.
    Checked in this order: no target -> "no target"; no_judgement ->
    "no judgement"; no value -> "no data". Rule text: `RAG_RULE_TEXT`.
    """
    _check_polarity(polarity)
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    goal, observed = _as_float(target), _as_float(value)
    if math.isnan(goal):
        return "no target"
    if polarity == "no_judgement":
        return "no judgement"
    if math.isnan(observed):
        return "no data"
    margin = tolerance * abs(goal)
    if polarity == "lower_is_better":
        if observed <= goal:
            return "green"
        return "amber" if observed <= goal + margin else "red"
    if observed >= goal:
        return "green"
    return "amber" if observed >= goal - margin else "red"
