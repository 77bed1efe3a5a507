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

The public API is this package's names (below); the methods live in `intervals`,
`benchmarking`, `funnels`, `change` and `rag`, each citing its reference.
"""

from data_access.statistics.benchmarking import (
    compare_to_benchmark,
    compare_to_benchmark_frame,
)
from data_access.statistics.change import (
    TREND_METHOD,
    change_from_baseline,
    poisson_trend_fit,
    trend_test,
)
from data_access.statistics.funnels import (
    OVERDISPERSION_METHOD,
    WINSORISE_FRACTION,
    funnel_limits_proportion,
    funnel_limits_rate,
    funnel_overdispersion,
    inverted_poisson_funnel_counts,
    overdispersed_limits,
)
from data_access.statistics.intervals import (
    BENCHMARK_LEVELS,
    BYAR_MIN_COUNT,
    CHANGE_DIRECTIONS,
    COMPARISONS,
    POLARITIES,
    PROPORTION_CI_METHODS,
    RAG_STATUSES,
    TREND_DIRECTIONS,
    TREND_MIN_PERIODS,
    TREND_SIGNIFICANCE,
    byar_limits,
    exact_poisson_limits,
    level_label,
    measure_rate,
    poisson_count_limits,
    pooled,
    proportion_ci,
    proportion_ci_frame,
    proportion_scale,
    rate_ci,
    rate_ci_frame,
    rate_scale,
    rates_for,
)
from data_access.statistics.rag import (
    RAG_RULE_TEXT,
    rag_rule_text,
    rag_status,
)

__all__ = [
    "BENCHMARK_LEVELS",
    "BYAR_MIN_COUNT",
    "CHANGE_DIRECTIONS",
    "COMPARISONS",
    "OVERDISPERSION_METHOD",
    "POLARITIES",
    "PROPORTION_CI_METHODS",
    "RAG_RULE_TEXT",
    "RAG_STATUSES",
    "TREND_DIRECTIONS",
    "TREND_METHOD",
    "TREND_MIN_PERIODS",
    "TREND_SIGNIFICANCE",
    "WINSORISE_FRACTION",
    "byar_limits",
    "change_from_baseline",
    "compare_to_benchmark",
    "compare_to_benchmark_frame",
    "exact_poisson_limits",
    "funnel_limits_proportion",
    "funnel_limits_rate",
    "funnel_overdispersion",
    "inverted_poisson_funnel_counts",
    "level_label",
    "measure_rate",
    "overdispersed_limits",
    "poisson_count_limits",
    "poisson_trend_fit",
    "pooled",
    "proportion_ci",
    "proportion_ci_frame",
    "proportion_scale",
    "rag_rule_text",
    "rag_status",
    "rate_ci",
    "rate_ci_frame",
    "rate_scale",
    "rates_for",
    "trend_test",
]
