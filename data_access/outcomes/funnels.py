"""Funnel plots: control limits at 95% and 99.8% around the national rate (PHE/OHID
method, with the Spiegelhalter 2005 overdispersion check) and each force area's
position.

Columns
- FUNNEL_COLUMNS (`funnel_limits`): population, benchmark, lower_95, upper_95,
  lower_998, upper_998.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data_access import statistics
from data_access.measures import get_measure
from data_access.outcomes.force_areas import force_area_rates
from data_access.scope import Scope

FUNNEL_COLUMNS = [
    "population",
    "benchmark",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
]


# --------------------------------------------------------------------- funnel


def funnel_limits(
    *,
    benchmark_rate: float,
    populations: list[float] | np.ndarray,
    multiplier: float,
    points: int = 120,
    ci_method: str = "byar",
) -> pd.DataFrame:
    """95% and 99.8% control limits (FUNNEL_COLUMNS) around `benchmark_rate` on a
    smooth, log-spaced grid spanning the populations shown."""
    pops = np.asarray([p for p in populations if p and p > 0], dtype=float)
    if not len(pops) or not math.isfinite(benchmark_rate):
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    grid = np.geomspace(pops.min() * 0.8, pops.max() * 1.1, points)
    grid = np.unique(np.concatenate([grid, pops]))
    return _limits_at(benchmark_rate, grid, multiplier, ci_method)[FUNNEL_COLUMNS]


def _limits_at(
    benchmark_rate: float, populations: np.ndarray, multiplier: float, ci_method: str
) -> pd.DataFrame:
    """Control limits at `populations` by the measure's method: binomial ones
    (statistics.funnel_limits_proportion) for a proportion, whatever its scale,
    the PHE/OHID inverted exact Poisson ones (statistics.funnel_limits_rate) for a
    rate."""
    scale = statistics.proportion_scale(
        {"ci_method": ci_method, "rate_multiplier": multiplier}
    )
    if scale is None:
        return statistics.funnel_limits_rate(
            benchmark_rate=benchmark_rate,
            populations=populations,
            multiplier=multiplier,
        )
    limits = statistics.funnel_limits_proportion(
        benchmark_proportion=benchmark_rate / scale, populations=populations
    )
    figures = [c for c in limits.columns if c != "population"]
    limits[figures] = limits[figures] * scale
    return limits


FUNNEL_POSITIONS = (
    "above 99.8% limit",
    "above 95% limit",
    "within 95% limits",
    "below 95% limit",
    "below 99.8% limit",
    "not shown",
)


def funnel(
    *,
    scope: Scope,
    measure_code: str,
    period_start: str,
    age_band: str = "all",
    benchmark: str = "national",
    level: str = "pfa",
    leave_out: frozenset[str] | set[str] = frozenset(),
    rates: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(points, limits, overdispersion) for a funnel plot of rate against
    population.

    `leave_out`: area codes not drawn (City of London, whose resident-population
    rates are not comparable): they are dropped before anything is worked out,
    so they neither stretch the limits' population range nor weigh in the
    overdispersion estimate (the benchmark stays as published or chosen).

    points: FORCE_AREA_COLUMNS (95% CIs) plus funnel_position and
    funnel_position_adjusted, each one of FUNNEL_POSITIONS, judged against the
    control limits at the area's own population: the PHE/OHID limits, and those
    limits widened for overdispersion. limits: FUNNEL_COLUMNS from
    `funnel_limits` (unadjusted). overdispersion: statistics.funnel_overdispersion
    keys (from the areas shown, against the benchmark) plus tau (the
    between-area standard deviation in the measure's units) and limits (the
    adjusted FUNNEL_COLUMNS, statistics.overdispersed_limits; the same as the
    unadjusted ones when the areas are not overdispersed).

    `rates`: `force_area_rates` for these same arguments at 95%, when the caller
    (a page that shows the ranking too) has it already: the funnel's points are
    those rows, so they are not worked out again."""
    points = rates
    if points is None:
        points = force_area_rates(
            scope=scope,
            measure_code=measure_code,
            period_start=period_start,
            age_band=age_band,
            confidence=0.95,
            benchmark=benchmark,
            level=level,
        )
    if leave_out:
        # the rows kept, by position from the codes' list: a boolean Series
        # (isin, its inverse, its alignment) cost more than the 43 tests
        kept = [i for i, c in enumerate(points["code"].tolist()) if c not in leave_out]
        points = (points.iloc[kept] if len(kept) < len(points) else points).reset_index(
            drop=True
        )
    if points.empty:
        # the columns promised above, with no rows (funnel_spec reads them)
        points = points.assign(
            funnel_position=pd.Series(dtype=object),
            funnel_position_adjusted=pd.Series(dtype=object),
        )
        empty = pd.DataFrame(columns=FUNNEL_COLUMNS)
        overdispersion = statistics.funnel_overdispersion(
            counts=[], populations=[], benchmark=math.nan
        )
        return points, empty, {**overdispersion, "tau": math.nan, "limits": empty}
    measure = get_measure(measure_code, scope=scope)
    bench = float(points["benchmark_rate"].iloc[0])
    # per so many people, or a share's 100: the figure's scale either way
    # (statistics.rate_scale); a share's "population" is its denominator
    multiplier = scale = statistics.rate_scale(measure)
    proportion = statistics.proportion_scale(measure) is not None
    rate = pd.to_numeric(points["rate"], errors="coerce").to_numpy(dtype=float)
    population = points["population"].to_numpy(dtype=float)
    # Rates come from unrounded counts, so count = rate / scale x population is
    # the count itself; a hidden area has no rate and is left out.
    overdispersion = statistics.funnel_overdispersion(
        counts=rate / scale * population,
        populations=population,
        benchmark=bench / scale,
        proportion=proportion,
    )
    tau2 = overdispersion["tau2"]
    overdispersion["tau"] = math.sqrt(tau2) * scale

    limits = funnel_limits(
        benchmark_rate=bench,
        populations=points["population"].dropna().tolist(),
        multiplier=multiplier,
        ci_method=measure["ci_method"],
    )
    widened = statistics.overdispersed_limits(
        limits, tau2=tau2, proportion=proportion, scale=scale
    )[FUNNEL_COLUMNS]
    overdispersion["limits"] = widened
    # The widening is row by row, so the widened grid's rows at the areas'
    # populations are the areas' widened limits: not widened a second time.
    # assign: a new frame (the caller's rows untouched) without a deep copy.
    points = points.assign(
        funnel_position=_positions(rate, _rows_at(limits, population)),
        funnel_position_adjusted=_positions(rate, _rows_at(widened, population)),
    )
    return points, limits, overdispersion


def _rows_at(limits: pd.DataFrame, population: np.ndarray) -> pd.DataFrame:
    """The limits at each area's own population, taken from the grid's rows
    (`funnel_limits` puts every population shown on its grid, so the inverted
    Poisson limits are worked out once a click, not again for the areas); NaN
    where a population is missing or not positive, as `_limits_at` gives."""
    row_of = {p: i for i, p in enumerate(limits["population"].tolist())}
    rows = [row_of.get(p) for p in population.tolist()]
    if limits.empty or None in rows:
        out = pd.DataFrame(
            {c: np.nan for c in FUNNEL_COLUMNS}, index=range(len(population))
        )
        out["population"] = population
        if not limits.empty:
            out["benchmark"] = limits["benchmark"].iloc[0]
            found = [i for i, r in enumerate(rows) if r is not None]
            figures = [
                c for c in FUNNEL_COLUMNS if c not in ("population", "benchmark")
            ]
            out.loc[found, figures] = limits.iloc[[rows[i] for i in found]][
                figures
            ].to_numpy()
        return out
    return limits.iloc[rows].reset_index(drop=True)


def _positions(rate: np.ndarray, limits: pd.DataFrame) -> list[str]:
    """Each rate's FUNNEL_POSITIONS entry against the limits in the same row (a
    rate or limit that is missing compares as neither above nor below)."""
    rate = np.asarray(rate, dtype=float)
    lower_95, upper_95, lower_998, upper_998 = (
        limits[c].to_numpy(dtype=float)
        for c in ("lower_95", "upper_95", "lower_998", "upper_998")
    )
    # np.select takes the first that holds, in the order the checks were written.
    return np.select(
        [
            np.isnan(rate) | np.isnan(upper_95),
            rate > upper_998,
            rate > upper_95,
            rate < lower_998,
            rate < lower_95,
        ],
        [
            "not shown",
            "above 99.8% limit",
            "above 95% limit",
            "below 99.8% limit",
            "below 95% limit",
        ],
        default="within 95% limits",
    ).tolist()
