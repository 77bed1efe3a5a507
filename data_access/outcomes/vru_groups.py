"""VRU areas against non-VRU areas before and after funding began: pooled rates in
the baseline (2016/17 to 2018/19) and latest windows, their ratio and the relative
change (difference in differences).

Columns
- VRU_COLUMNS (`vru_vs_non_vru`): group ("vru" / "non_vru"), group_label, n_areas,
  areas_left_out, then for window in (baseline, latest): <window>_label,
  <window>_count, <window>_population (person-years), <window>_rate,
  <window>_lower, <window>_upper; then rate_ratio, ratio_lower, ratio_upper,
  percent_change, direction, illustrative.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Welch's test from scipy.special's t distribution (stdtr, stdtrit: what
# scipy.stats calls): importing scipy.stats costs each app process ~50 MB.
from scipy import special

from data_access import periods, statistics
from data_access.cache import memoized
from data_access.measures import get_measure
from data_access.outcomes.raw_series import BASELINE_YEARS
from data_access.outcomes.year_values import (
    FIRST_VRU_YEAR,
    LATEST_WINDOW,
    _fy_levels_since,
    _rate_measure,
)
from data_access.scope import Scope

# ------------------------------------------------------------ VRU vs non-VRU


def vru_vs_non_vru(
    *, scope: Scope, measure_code: str, age_band: str = "all"
) -> pd.DataFrame:
    """Pooled rates of the areas funded from 2019/20 and of the non-VRU areas, for
    the 2016/17-2018/19 baseline and the latest three financial years with figures
    for both groups (VRU_COLUMNS), with the change as a rate ratio.

    Only areas with figures in all six years are pooled, so both windows cover the
    same areas (the rest, those with a figure from 2016/17 on, are named in
    areas_left_out; an area with none since is not). Areas funded from 2022/23
    (Cleveland, Humberside) are in neither group. Descriptive, not causal."""
    _rate_measure(measure_code, scope)
    return _vru_vs_non_vru(measure_code, age_band)


def vru_comparison(
    *, scope: Scope, measure_code: str, age_band: str = "all"
) -> tuple[dict, pd.DataFrame, dict]:
    """What /compare's VRU chart shows, in one call: (measure, `vru_vs_non_vru`,
    `vru_relative_change` at 95%), the measure checked once for both (NotFound,
    InvalidParameter as they raise)."""
    measure = _rate_measure(measure_code, scope)
    frame, relative = _vru_comparison(measure_code, age_band)
    return measure, frame, relative


@memoized
def _vru_comparison(measure_code: str, age_band: str) -> tuple[pd.DataFrame, dict]:
    """`_vru_vs_non_vru` and `_vru_relative_change` at 95% from one choice of
    areas and years (`_chosen`): the figures are looked through once, not once
    for each (issue 19)."""
    chosen = _chosen(measure_code, age_band)
    return _pooled(measure_code, chosen), _relative(chosen, 0.95)


def _chosen(measure_code: str, age_band: str) -> dict | None:
    """`_vru_groups` of the measure's force area financial years from the
    baseline's first on: both windows lie there (the latest is after the
    baseline), so the years before it are not read (issue 19: knife offences'
    quarters from 2008 were read and summed into years to be dropped; 3,108
    quarters on the demo store, 1,763 from April 2016)."""
    first = min(BASELINE_YEARS)
    columns = _fy_levels_since(measure_code, ("pfa",), age_band, first)["pfa"]
    return None if columns is None else _vru_groups(columns)


def _vru_groups(frame: pd.DataFrame | dict) -> dict | None:
    """Which areas and years `vru_vs_non_vru` compares, from a measure's
    financial-year figures (`_fy_values`'s frame, `_chosen` passes those from
    the baseline on): groups (name -> the complete areas'
    rows in the six years, in the frame's order, as (code, year, count,
    population, illustrative) tuples), left_out (name -> names of areas left
    out), baseline and latest (lists of years). None when there are not enough
    years.

    Plain lists, not DataFrame filters: a measure has a few hundred force area
    years, and per-column pandas work cost more than the arithmetic. `frame`
    may be those columns unmade (`_fy_columns`: lists and arrays, whose values
    are the frame's columns' .tolist())."""

    def listed(column: str) -> list:
        values = frame[column]
        return values if isinstance(values, list) else values.tolist()

    rows = [
        r
        for r in zip(
            listed("code"),
            listed("name"),
            listed("is_vru"),
            listed("vru_start_year"),
            listed("year"),
            listed("count"),
            listed("population"),
            listed("illustrative"),
            strict=True,
        )
        # a count (not None or NaN: pd.isna of one value, without its cost)
        # and a positive population
        if r[5] is not None and r[5] == r[5] and r[6] > 0
    ]
    members = {
        "vru": [r for r in rows if r[2] and r[3] == FIRST_VRU_YEAR],
        "non_vru": [r for r in rows if not r[2]],
    }
    baseline = list(BASELINE_YEARS)
    all_years = {r[4] for r in rows}
    later = sorted({r[4] for r in members["vru"]} & {r[4] for r in members["non_vru"]})
    later = [y for y in later if y > max(BASELINE_YEARS)]
    if len(later) < LATEST_WINDOW or not all(y in all_years for y in baseline):
        return None
    latest = later[-LATEST_WINDOW:]
    years = set(baseline + latest)
    groups, left_out = {}, {}
    for group, group_rows in members.items():
        part = [r for r in group_rows if r[4] in years]
        per_area: dict[str, set] = {}
        for r in part:
            per_area.setdefault(r[0], set()).add(r[4])
        complete = {code for code, got in per_area.items() if len(got) == len(years)}
        names = dict.fromkeys((r[0], r[1]) for r in group_rows)
        left_out[group] = sorted(n for c, n in names if c not in complete)
        groups[group] = [
            (r[0], r[4], r[5], r[6], bool(r[7])) for r in part if r[0] in complete
        ]
    return {
        "groups": groups,
        "left_out": left_out,
        "baseline": baseline,
        "latest": latest,
    }


def _sums(part: list[tuple], years, key: int | None = None) -> dict:
    """Summed (count, population) of `part`'s rows in `years`, by the tuple item
    `key` (0: area code, 1: year) or in one total (None), in the rows' order."""
    counts: dict = {}
    for r in part:
        if r[1] in years:
            counts.setdefault(None if key is None else r[key], []).append(r)
    return {
        k: (
            float(np.array([r[2] for r in got], dtype=float).sum()),
            float(np.array([r[3] for r in got], dtype=float).sum()),
        )
        for k, got in counts.items()
    }


@memoized
def _vru_vs_non_vru(measure_code: str, age_band: str) -> pd.DataFrame:
    return _pooled(measure_code, _chosen(measure_code, age_band))


def _pooled(measure_code: str, chosen: dict | None) -> pd.DataFrame:
    """`vru_vs_non_vru`'s frame from the areas and years `chosen`."""
    measure = get_measure(measure_code)
    multiplier = float(measure["rate_multiplier"])
    if chosen is None:
        return pd.DataFrame()
    baseline, latest = chosen["baseline"], chosen["latest"]
    rows = []
    for group, part in chosen["groups"].items():
        row = {
            "group": group,
            "group_label": (
                "VRU areas funded from 2019/20" if group == "vru" else "Non-VRU areas"
            ),
            "n_areas": len({r[0] for r in part}),
            "areas_left_out": ", ".join(chosen["left_out"][group]),
        }
        for window, window_years in (("baseline", baseline), ("latest", latest)):
            count, population = _sums(part, set(window_years)).get(None, (0.0, 0.0))
            rate, lower, upper = statistics.measure_rate(
                count=count,
                population=population,
                ci_method=measure["ci_method"],
                multiplier=multiplier,
            )
            row.update(
                {
                    f"{window}_label": periods.fy_range_label(
                        window_years[0], window_years[-1]
                    ),
                    f"{window}_count": count,
                    f"{window}_population": population,
                    f"{window}_rate": rate,
                    f"{window}_lower": lower,
                    f"{window}_upper": upper,
                }
            )
        # Year by year, so the test allows for the group's overdispersion.
        by_year = _sums(part, set(baseline + latest), key=1)
        change = statistics.change_from_baseline(
            baseline_count=[by_year[y][0] for y in baseline],
            baseline_population=[by_year[y][1] for y in baseline],
            current_count=[by_year[y][0] for y in latest],
            current_population=[by_year[y][1] for y in latest],
            multiplier=multiplier,
        )
        row.update(
            rate_ratio=change["rate_ratio"],
            ratio_lower=change["ratio_lower"],
            ratio_upper=change["ratio_upper"],
            percent_change=change["percent_change"],
            direction=change["direction"],
            illustrative=any(r[4] for r in part),
        )
        rows.append(row)
    return pd.DataFrame(rows)


DID_METHOD = (
    "difference-in-differences with the force area as the unit: Welch's t test on "
    "each area's log rate ratio"
)


def vru_relative_change(
    *, scope: Scope, measure_code: str, age_band: str = "all", confidence: float = 0.95
) -> dict:
    """Did the VRU areas' rates change by a different amount from the non-VRU
    areas'? A difference-in-differences with the force area as the unit
    (DID_METHOD; Bertrand, Duflo and Mullainathan, "How much should we trust
    differences-in-differences estimates?", QJE 2004, recommend collapsing to
    each unit's before and after): each area's own change, the log of its rate
    ratio (latest window over baseline, the areas and years of `vru_vs_non_vru`),
    compared between the groups by Welch's unequal-variances t test (Welch,
    Biometrika 1947), so the areas' real variation in change, not Poisson noise
    in pooled counts, is the yardstick. An area with no events in a window has
    0.5 added to both its counts (the usual continuity correction of a log
    ratio). Descriptive, not causal.

    Keys: ratio (exp of the difference in mean log rate ratios: the VRU areas'
    geometric-mean rate ratio over the non-VRU areas'), lower, upper (its CI),
    p_value, df (Welch-Satterthwaite), n_vru, n_non_vru, significant, method.
    NaNs (and not significant) with fewer than two areas in a group."""
    _rate_measure(measure_code, scope)
    return _vru_relative_change(measure_code, age_band, confidence)


@memoized
def _vru_relative_change(measure_code: str, age_band: str, confidence: float) -> dict:
    return _relative(_chosen(measure_code, age_band), confidence)


def _relative(chosen: dict | None, confidence: float) -> dict:
    """`vru_relative_change`'s answer from the areas and years `chosen`."""
    result = {
        "ratio": math.nan,
        "lower": math.nan,
        "upper": math.nan,
        "p_value": math.nan,
        "df": math.nan,
        "n_vru": 0,
        "n_non_vru": 0,
        "significant": False,
        "method": DID_METHOD,
    }
    if chosen is None:
        return result
    changes = {}
    for group, part in chosen["groups"].items():
        base = _sums(part, set(chosen["baseline"]), key=0)
        late = _sums(part, set(chosen["latest"]), key=0)
        codes = sorted(base)
        base_counts = np.array([base[c][0] for c in codes], dtype=float)
        base_pops = np.array([base[c][1] for c in codes], dtype=float)
        late_counts = np.array([late[c][0] for c in codes], dtype=float)
        late_pops = np.array([late[c][1] for c in codes], dtype=float)
        empty = (base_counts == 0) | (late_counts == 0)
        correction = np.where(empty, 0.5, 0.0)
        changes[group] = np.log((late_counts + correction) / late_pops) - np.log(
            (base_counts + correction) / base_pops
        )
    vru, non = changes["vru"], changes["non_vru"]
    result.update(n_vru=len(vru), n_non_vru=len(non))
    if len(vru) < 2 or len(non) < 2:
        return result
    difference = float(vru.mean() - non.mean())
    variance_vru, variance_non = vru.var(ddof=1) / len(vru), non.var(ddof=1) / len(non)
    se = math.sqrt(variance_vru + variance_non)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (variance_vru + variance_non) ** 2 / (
            variance_vru**2 / (len(vru) - 1) + variance_non**2 / (len(non) - 1)
        )
        # Welch's two-sided test (scipy.stats.ttest_ind, equal_var=False). With no
        # spread in either group df is 0/0; as scipy, any df then does (t is
        # infinite or undefined), so 1.
        statistic = np.float64(difference) / np.float64(se)
    p_value = float(2 * special.stdtr(1.0 if np.isnan(df) else df, -abs(statistic)))
    half = float(special.stdtrit(df, 1 - (1 - confidence) / 2)) * se
    result.update(
        ratio=math.exp(difference),
        lower=math.exp(difference - half),
        upper=math.exp(difference + half),
        p_value=p_value,
        df=float(df),
        significant=bool(p_value < 1 - confidence),
    )
    return result
