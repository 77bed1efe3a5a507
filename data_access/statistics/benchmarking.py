"""Comparison with a benchmark: "better / similar / worse" by whether the CI
excludes the benchmark, "higher / lower" for measures with no polarity, at 95% and
99.8%.

Frame helper columns: `compare_to_benchmark_frame`: comparison_95 or comparison_998.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data_access.statistics.intervals import (
    BENCHMARK_LEVELS,
    _as_float,
    _check_polarity,
    _column,
    level_label,
)

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
