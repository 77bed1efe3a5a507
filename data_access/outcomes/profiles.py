"""One area's profile (/areas/<code>): every measure against the benchmark
(spine-chart style), its interventions and its money.

Columns
- PROFILE_COLUMNS (`area_profile`): measure_code, measure_name, unit, kind ("rate",
  "percent" or "value"), multiplier, polarity, disclosure_rule, period, count,
  population, value (the rate, percentage or value compared), lower, upper,
  benchmark, benchmark_label, national (England and Wales, or England), comparison,
  min, q25, q75, max (across areas of the comparator level that year), n_areas,
  trend (headlines.recent_trend over its financial years, the verdict every page
  shows), trend_dispersion (that test's dispersion), illustrative, source_title,
  suppressed.
- INTERVENTION_COLUMNS (`area_interventions`): name, tier, delivering_area, provider,
  evidence_rating, start_date, end_date, illustrative, source_title.
- MONEY_COLUMNS (`area_money`): financial_year, period, allocated, precision,
  amount_as_published, allocation_source, spent, quarters_reported, illustrative.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data_access import disclosure, statistics
from data_access.activity.intervention_facts import interventions_in
from data_access.areas import get_area
from data_access.cache import memoized
from data_access.measures import list_measures, measure_metadata
from data_access.money.spending import YEAR_MONEY_COLUMNS, vru_money_by_year
from data_access.outcomes import headlines
from data_access.outcomes.force_areas import _published_rates
from data_access.outcomes.year_values import (
    _fy_values,
    _national_at,
    _rolling_values,
    _values_at,
    pooled_national_label,
    year_label,
)
from data_access.scope import PUBLIC, Scope

PROFILE_COLUMNS = [
    "measure_code",
    "measure_name",
    "unit",
    "kind",
    "multiplier",
    "polarity",
    "disclosure_rule",
    "period",
    "count",
    "population",
    "value",
    "lower",
    "upper",
    "benchmark",
    "benchmark_label",
    "national",
    "comparison",
    "min",
    "q25",
    "q75",
    "max",
    "n_areas",
    "trend",
    "trend_dispersion",
    "illustrative",
    "source_title",
    "suppressed",
]
INTERVENTION_COLUMNS = [
    "name",
    "tier",
    "delivering_area",
    "provider",
    "evidence_rating",
    "start_date",
    "end_date",
    "illustrative",
    "source_title",
]
MONEY_COLUMNS = YEAR_MONEY_COLUMNS  # money.spending.vru_money_by_year


# ---------------------------------------------------------------- area profile


def area_profile(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Every public measure for one area in its latest financial year with a
    figure (a measure with none: its latest stored rolling year), against the
    national benchmark, with the spread across areas of the same level and the
    recent trend (PROFILE_COLUMNS). NotFound for an unknown area. Disclosure
    control applies for scopes that need it."""
    area = get_area(area_code)
    frame = _area_profile(area.code, area.level)
    if frame.empty or not scope.needs_disclosure_control:
        return frame
    metadata = measure_metadata().set_index("code")
    out = []
    for row in frame.to_dict("records"):
        rule = row["disclosure_rule"]
        if rule != "none" and not pd.isna(row["count"]):
            one = pd.DataFrame([row]).drop(columns="suppressed")
            measure = metadata.loc[row["measure_code"]].to_dict()
            proportion = statistics.proportion_scale(measure) is not None
            one = disclosure.apply_disclosure(
                one,
                rule=rule,
                count_cols=["count"],
                # a proportion's population is its denominator, a count too
                # (checked, not rounded)
                check_cols=["population"] if proportion else [],
                group_cols=["measure_code"],
                keep_cols=[
                    "population",
                    "benchmark",
                    "national",
                    "min",
                    "q25",
                    "q75",
                    "max",
                    "n_areas",
                    "multiplier",
                ],
                derived_cols=["comparison", "trend", "trend_dispersion"],
                rates=_published_rates(
                    measure,
                    names={"rate": "value", "rate_lower": "lower"}
                    | {"rate_upper": "upper"},
                ),
            ).frame
            row = one.iloc[0].to_dict()
        out.append(row)
    return pd.DataFrame(out)[PROFILE_COLUMNS]


def _spread_level(level: str) -> str:
    return "lad" if level == "lad" else "pfa"


@memoized
def _area_profile(area_code: str, level: str) -> pd.DataFrame:
    table = list_measures()
    rows = []
    for m in table.to_dict("records"):
        row = _profile_row(m, area_code, level)
        if row is not None:
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    return pd.DataFrame(rows)[PROFILE_COLUMNS]


def _profile_row(m: dict, area_code: str, level: str) -> dict | None:
    own = _fy_values(m["code"], level, "all")
    own = own[(own["code"] == area_code) & own["count"].notna()]
    if own.empty:
        own = _rolling_values(m["code"], level, "all")
        own = own[(own["code"] == area_code) & own["count"].notna()]
        if own.empty:
            return None
        key = str(own.iloc[-1]["start"])
    else:
        key = f"{int(own.iloc[-1]['year']):04d}-04"
    multiplier = m["rate_multiplier"]
    proportion_scale = statistics.proportion_scale(m)
    # A proportion first: one "per 100" still has Wilson limits, not Poisson ones.
    if proportion_scale is not None:
        kind, scale = "percent", proportion_scale
    elif multiplier and not pd.isna(multiplier):
        kind, scale = "rate", float(multiplier)
    else:
        kind, scale = "value", None
    latest = own.iloc[-1]

    def figures(count: float, pop: float) -> tuple[float, float, float]:
        if kind == "rate":
            return statistics.rate_ci(count=count, population=pop, multiplier=scale)
        if kind == "percent":
            if not pop or pd.isna(pop) or count > pop:
                return math.nan, math.nan, math.nan
            p, lo, hi = statistics.proportion_ci(successes=count, total=pop)
            return p * scale, lo * scale, hi * scale
        return count, math.nan, math.nan

    value, lower, upper = figures(latest["count"], latest["population"])
    national = _national_at(m["code"], key, "all")
    national_value = figures(national[0], national[1])[0] if national else math.nan
    peers = _values_at(m["code"], _spread_level(level), "all", key)
    peers = peers[peers["count"].notna()]
    if national:
        bench_value, bench_label = national_value, national[2]
    else:
        forces = _values_at(m["code"], "pfa", "all", key)
        forces = forces[forces["count"].notna()]
        bench_value = figures(forces["count"].sum(), forces["population"].sum())[0]
        bench_label = pooled_national_label(m, len(forces))
    # Areas whose count would be hidden are left out of the spread, so a minimum
    # or maximum never gives away a suppressed figure; for a proportion, also
    # those whose denominator would be.
    if m["disclosure_rule"] != "none":
        hidden = disclosure.small_counts(peers["count"], m["disclosure_rule"])
        if proportion_scale is not None:
            hidden |= disclosure.small_counts(peers["population"], m["disclosure_rule"])
        peers = peers[~hidden]
    peer_values = np.array(
        [
            figures(c, p)[0]
            for c, p in zip(peers["count"], peers["population"], strict=True)
        ],
        dtype=float,
    )
    peer_values = peer_values[~np.isnan(peer_values)]
    spread = (
        np.percentile(peer_values, [0, 25, 75, 100])
        if len(peer_values)
        else [math.nan] * 4
    )
    comparison = (
        statistics.compare_to_benchmark(
            lower=lower, upper=upper, benchmark=bench_value, polarity=m["polarity"]
        )
        if kind != "value"
        else "not compared"
    )
    # The one recent-trend verdict every page shows for this series.
    trend = headlines.recent_trend(
        scope=PUBLIC, measure_code=m["code"], area_code=area_code, length="year"
    )
    return {
        "measure_code": m["code"],
        "measure_name": m["name"],
        "unit": m["unit"],
        "kind": kind,
        "multiplier": scale,
        "polarity": m["polarity"],
        "disclosure_rule": m["disclosure_rule"],
        "period": year_label(key),
        "count": float(latest["count"]),
        "population": float(latest["population"]),
        "value": value,
        "lower": lower,
        "upper": upper,
        "benchmark": bench_value,
        "benchmark_label": bench_label,
        "national": national_value,
        "comparison": comparison,
        "min": spread[0],
        "q25": spread[1],
        "q75": spread[2],
        "max": spread[3],
        "n_areas": int(len(peer_values)),
        "trend": trend["direction"],
        "trend_dispersion": trend["dispersion"],
        "illustrative": bool(latest["illustrative"]),
        "source_title": latest["source_title"],
        "suppressed": False,
    }


# ------------------------------------------------- interventions and money


def area_interventions(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """Interventions of a VRU area, or delivered in a local authority
    (INTERVENTION_COLUMNS). Restricted: AccessDenied outside the scope."""
    area = get_area(area_code)
    scope.require_area(area.code, area.parent_code)
    # The one intervention read (activity.intervention_facts), as /prevention
    # and /funding list them.
    facts = interventions_in(area.code)
    return facts.rename(columns={"delivering_name": "delivering_area"})[
        INTERVENTION_COLUMNS
    ].reset_index(drop=True)


def area_money(*, scope: Scope, area_code: str) -> pd.DataFrame:
    """The Home Office VRU allocation (preferred published figure, with its
    precision) and spend by financial year for a force area (MONEY_COLUMNS).
    Restricted: AccessDenied outside the scope."""
    area = get_area(area_code)
    scope.require_area(area.code, area.parent_code)
    return vru_money_by_year(area.code)
