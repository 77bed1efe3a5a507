"""Change over time: against a baseline (rate ratio with a CI on the log scale,
its variance scaled by the quasi-Poisson dispersion of the periods compared) and
the recent trend (quasi-Poisson regression on the period index with a population
offset, the dispersion reported).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

# scipy.special, not scipy.stats: the functions scipy.stats' t distribution calls
# (stdtrit, stdtr), same values; importing scipy.stats costs each app process
# ~50 MB (issue 19, target 5).
from scipy import special

from data_access.statistics.intervals import (
    TREND_MIN_PERIODS,
    TREND_SIGNIFICANCE,
    _as_float,
    _check_confidence,
    _z,
    rate_ci,
)

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
        critical = float(special.stdtrit(n_periods - 2, 1 - (1 - confidence) / 2))
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
    df = len(y) - 2
    statistic = slope_coef / se
    p_value = float(2 * special.stdtr(df, -abs(statistic)))  # t's survival function
    critical = float(special.stdtrit(df, 1 - TREND_SIGNIFICANCE / 2))
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
