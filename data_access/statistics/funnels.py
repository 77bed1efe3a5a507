"""Funnel plots: control limits around the benchmark at 95% and 99.8%, for rates by
the PHE/OHID inverted exact Poisson method, for proportions by the Wilson score
(Spiegelhalter's binomial) limits; an overdispersion check from the Winsorised
z-scores and, when the areas vary more than chance allows, Spiegelhalter's (2005)
additive random-effects widening of the limits.

Frame helper columns: `funnel_limits_rate` / `funnel_limits_proportion`:
population, benchmark, lower_95, upper_95, lower_998, upper_998.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# chi2's survival function from scipy.special (chdtrc, what scipy.stats.chi2.sf
# calls): importing scipy.stats costs each app process ~50 MB (issue 19).
from scipy import special

from data_access.statistics.intervals import _check_confidence, _z, level_label

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
    # The limits depend only on these figures, and the same funnel is drawn again
    # on every click of /compare (issue 19): worked out once per process for each
    # (benchmark, multiplier, grid, levels), keyed on the figures' exact bits.
    limits = _rate_limits(
        np.asarray([benchmark_rate, multiplier], dtype=float).tobytes(),
        pops.tobytes(),
        pops.shape,
        tuple(float(level) for level in levels),
    )
    # The frame's columns are pandas' copies of the memo's (read-only) arrays.
    return _funnel_frame(pops, benchmark_rate, dict(limits))


@functools.lru_cache(maxsize=128)
def _rate_limits(
    figures: bytes, population_bytes: bytes, shape: tuple[int, ...], levels: tuple
) -> tuple[tuple[str, np.ndarray], ...]:
    """`funnel_limits_rate`'s limit columns, (name, values) in column order, for
    the float64 bytes of (benchmark_rate, multiplier) and of the populations."""
    benchmark_rate, multiplier = np.frombuffer(figures, dtype=float).tolist()
    pops = np.frombuffer(population_bytes, dtype=float).reshape(shape)
    usable = pops > 0
    safe_pops = np.where(usable, pops, 1.0)
    expected = benchmark_rate / multiplier * safe_pops
    scale = multiplier / safe_pops
    limits: list[tuple[str, np.ndarray]] = []
    for level in levels:
        lower, upper = inverted_poisson_funnel_counts(
            expected=expected, confidence=level
        )
        suffix = level_label(level)
        limits.append((f"lower_{suffix}", np.where(usable, lower * scale, np.nan)))
        limits.append((f"upper_{suffix}", np.where(usable, upper * scale, np.nan)))
    for _, values in limits:
        values.setflags(write=False)
    return tuple(limits)


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
    p_value = float(special.chdtrc(areas - 1, areas * phi))
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
