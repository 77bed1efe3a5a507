"""Confidence intervals (OHID Fingertips technical guidance; PHEindicatormethods):
crude rates with exact Poisson limits for counts below 10 and Byar's approximation
for 10 or more; proportions with the Wilson score interval, combined by pooling
numerators and denominators, never by adding them. Also the shared vocabulary
(polarities, comparisons, RAG statuses, trend directions) and checks.

Frame helper columns:
- `rate_ci_frame`: rate, rate_lower, rate_upper
- `proportion_ci_frame`: proportion, proportion_lower, proportion_upper (0-1 scale)
- `rates_for`: rate, rate_lower, rate_upper by a measure's CI method and multiplier
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# scipy.special, not scipy.stats: the functions scipy.stats' norm and chi2 call
# (ndtri, gammaincinv), so the same values, and importing scipy.stats costs each
# app process ~50 MB (issue 19, target 5).
from scipy import special

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
    series = frame[name]
    if series.dtype == np.float64:  # already numbers: to_numeric would copy it
        return series.to_numpy()
    series = pd.to_numeric(series, errors="coerce")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    return float(special.ndtri(1 - (1 - confidence) / 2))


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
        # chi2.ppf(q, k) / 2 is gammaincinv(k / 2, q), as scipy.stats computes it.
        lower = np.where(
            observed > 0,
            special.gammaincinv(np.where(observed > 0, observed, 1), alpha / 2),
            0.0,
        )
        upper = special.gammaincinv(observed + 1, 1 - alpha / 2)
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
    """Fingertips limits for counts: exact below 10 events, Byar's from 10 up.

    Where every count is on one side of 10 (a series of one area, mostly) only
    that side's limits are worked out: the exact ones cost several times
    Byar's (an inverse incomplete gamma per count; issue 19). The same arrays
    either way (as arrays, a single count's too)."""
    observed = np.asarray(counts, dtype=float)
    small = observed < BYAR_MIN_COUNT
    if not small.any():
        lower, upper = byar_limits(counts=observed, confidence=confidence)
        return np.asarray(lower), np.asarray(upper)
    exact_lower, exact_upper = exact_poisson_limits(
        counts=observed, confidence=confidence
    )
    if small.all():
        return np.asarray(exact_lower), np.asarray(exact_upper)
    byar_lower, byar_upper = byar_limits(counts=observed, confidence=confidence)
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
    rate, lower, upper = _rate_arrays(
        _column(df, count_col), _column(df, population_col), multiplier, confidence
    )
    # assign: a copy that shares the unchanged columns (pandas copies on write)
    return df.assign(rate=rate, rate_lower=lower, rate_upper=upper)


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
    p, lower, upper = _wilson_arrays(
        _column(df, successes_col), _column(df, total_col), confidence
    )
    # assign: a copy that shares the unchanged columns (pandas copies on write)
    return df.assign(proportion=p, proportion_lower=lower, proportion_upper=upper)


def proportion_scale(measure: dict) -> float | None:
    """What a proportion measure's value is numerator / denominator times (100 for
    a percentage, else its rate_multiplier); None for a count, whose values add
    up. A proportion's figures are never added: a year of quarters or a group of
    areas is `pooled` from the summed numerators and denominators."""
    if measure["ci_method"] not in PROPORTION_CI_METHODS:
        return None
    multiplier = measure["rate_multiplier"]
    return float(multiplier) if multiplier and not pd.isna(multiplier) else 100.0


def rate_scale(measure: dict) -> float | None:
    """What a measure's rate is numerator / denominator times, as `rates_for`
    works it out: a proportion's `proportion_scale`, else its rate_multiplier
    (per 100,000 people, say); None for a count with no multiplier, which has
    no rate."""
    scale = proportion_scale(measure)
    if scale is not None:
        return scale
    multiplier = measure["rate_multiplier"]
    if multiplier is None or pd.isna(multiplier) or not multiplier:
        return None
    return float(multiplier)


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
    if rate_scale(measure) is None:
        return df.copy()
    if scale is not None:
        _check_confidence(confidence)
        p, lower, upper = _wilson_arrays(
            _column(df, count_col), _column(df, population_col), confidence
        )
        # One assign of the scaled limits: adding the proportion columns and
        # moving each to its rate name copied the frame's blocks six times
        # (issue 19).
        return df.assign(
            rate=p * scale, rate_lower=lower * scale, rate_upper=upper * scale
        )
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
