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
from scipy import stats

from data_access import periods, statistics
from data_access.cache import memoized
from data_access.measures import get_measure
from data_access.outcomes.year_values import (
    BASELINE_YEARS,
    FIRST_VRU_YEAR,
    LATEST_WINDOW,
    _fy_values,
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
    same areas (the rest are named in areas_left_out). Areas funded from 2022/23
    (Cleveland, Humberside) are in neither group. Descriptive, not causal."""
    _rate_measure(measure_code, scope)
    return _vru_vs_non_vru(measure_code, age_band)


def _vru_groups(frame: pd.DataFrame) -> dict | None:
    """Which areas and years `vru_vs_non_vru` compares, from a measure's
    financial-year figures (`_fy_values`): groups (name -> complete areas' rows
    in the six years), left_out (name -> names of areas left out), baseline and
    latest (lists of years). None when there are not enough years."""
    frame = frame[frame["count"].notna() & (frame["population"] > 0)]
    masks = {
        "vru": frame["is_vru"] & (frame["vru_start_year"] == FIRST_VRU_YEAR),
        "non_vru": ~frame["is_vru"],
    }
    baseline = list(range(BASELINE_YEARS[0], BASELINE_YEARS[1] + 1))
    later = sorted(
        set(frame.loc[masks["vru"], "year"]) & set(frame.loc[masks["non_vru"], "year"])
    )
    later = [y for y in later if y > BASELINE_YEARS[1]]
    if len(later) < LATEST_WINDOW or not all(y in set(frame["year"]) for y in baseline):
        return None
    latest = later[-LATEST_WINDOW:]
    years = baseline + latest
    groups, left_out = {}, {}
    for group, mask in masks.items():
        part = frame[mask & frame["year"].isin(years)]
        per_area = part.groupby("code")["year"].nunique()
        complete = per_area[per_area == len(years)].index
        all_codes = frame.loc[mask, ["code", "name"]].drop_duplicates()
        left_out[group] = sorted(
            all_codes.loc[~all_codes["code"].isin(complete), "name"]
        )
        groups[group] = part[part["code"].isin(complete)]
    return {
        "groups": groups,
        "left_out": left_out,
        "baseline": baseline,
        "latest": latest,
    }


@memoized
def _vru_vs_non_vru(measure_code: str, age_band: str) -> pd.DataFrame:
    measure = get_measure(measure_code)
    multiplier = float(measure["rate_multiplier"])
    chosen = _vru_groups(_fy_values(measure_code, "pfa", age_band))
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
            "n_areas": part["code"].nunique(),
            "areas_left_out": ", ".join(chosen["left_out"][group]),
        }
        for window, window_years in (("baseline", baseline), ("latest", latest)):
            w = part[part["year"].isin(window_years)]
            count, population = float(w["count"].sum()), float(w["population"].sum())
            rate, lower, upper = statistics.measure_rate(
                count=count,
                population=population,
                ci_method=measure["ci_method"],
                multiplier=multiplier,
            )
            row.update(
                {
                    f"{window}_label": (
                        f"{periods.fy_label(window_years[0])} to "
                        f"{periods.fy_label(window_years[-1])}"
                    ),
                    f"{window}_count": count,
                    f"{window}_population": population,
                    f"{window}_rate": rate,
                    f"{window}_lower": lower,
                    f"{window}_upper": upper,
                }
            )
        # Year by year, so the test allows for the group's overdispersion.
        by_year = part.groupby("year")[["count", "population"]].sum()
        change = statistics.change_from_baseline(
            baseline_count=by_year.loc[baseline, "count"].tolist(),
            baseline_population=by_year.loc[baseline, "population"].tolist(),
            current_count=by_year.loc[latest, "count"].tolist(),
            current_population=by_year.loc[latest, "population"].tolist(),
            multiplier=multiplier,
        )
        row.update(
            rate_ratio=change["rate_ratio"],
            ratio_lower=change["ratio_lower"],
            ratio_upper=change["ratio_upper"],
            percent_change=change["percent_change"],
            direction=change["direction"],
            illustrative=bool(part["illustrative"].any()),
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
    chosen = _vru_groups(_fy_values(measure_code, "pfa", age_band))
    if chosen is None:
        return result
    changes = {}
    for group, part in chosen["groups"].items():
        windows = {
            window: part[part["year"].isin(chosen[window])]
            .groupby("code")[["count", "population"]]
            .sum()
            for window in ("baseline", "latest")
        }
        base, late = (
            windows["baseline"],
            windows["latest"].loc[windows["baseline"].index],
        )
        empty = (base["count"] == 0) | (late["count"] == 0)
        correction = np.where(empty, 0.5, 0.0)
        changes[group] = np.log(
            (late["count"] + correction) / late["population"]
        ) - np.log((base["count"] + correction) / base["population"])
    vru, non = changes["vru"].to_numpy(), changes["non_vru"].to_numpy()
    result.update(n_vru=len(vru), n_non_vru=len(non))
    if len(vru) < 2 or len(non) < 2:
        return result
    test = stats.ttest_ind(vru, non, equal_var=False)
    difference = float(vru.mean() - non.mean())
    variance_vru, variance_non = vru.var(ddof=1) / len(vru), non.var(ddof=1) / len(non)
    se = math.sqrt(variance_vru + variance_non)
    df = (variance_vru + variance_non) ** 2 / (
        variance_vru**2 / (len(vru) - 1) + variance_non**2 / (len(non) - 1)
    )
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se
    result.update(
        ratio=math.exp(difference),
        lower=math.exp(difference - half),
        upper=math.exp(difference + half),
        p_value=float(test.pvalue),
        df=float(df),
        significant=bool(test.pvalue < 1 - confidence),
    )
    return result
