"""The published surface: what the public may see, through embeds and the open API.

Everything here is readable without signing in, so every function returns only
what the product owner intends to publish:

- public measures only (``measure.is_public``); a private measure is "not found";
- approved figures only: current values that came from the shipped data or from
  an approved return (never a draft or a return waiting for approval);
- a measure's values on the signed-in pages' road (data_access.outcomes with the
  public scope): the same periods, benchmark and disclosure as /violence, so an
  embed, the API and the page agree; disclosure control by
  ``data_access.disclosure`` (the one engine) with the measure's rule, the force
  areas and the benchmark that sums them protected together;
- money and reach, which are restricted at record level, only as yearly
  aggregates for a VRU area (allocated vs spent; young people reached by tier),
  the reach counts through the "small_numbers" rule.

Every frame has a bool ``suppressed`` column (True where figures are hidden; they
are NA) and an ``illustrative`` column. Under a rounding rule, rates and CIs are
worked out from the published (rounded) count and denominator, so no published
field gives the unrounded count back; they are hidden with their count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data_access import measures, periods
from data_access.activity.reach_rule import quarter_tier_reach
from data_access.areas import get_area, list_areas
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.disclosure import SUPPRESSED, apply_disclosure, get_rule
from data_access.errors import InvalidParameter, NotFound
from data_access.measures import (
    PERIOD_LENGTHS,
    get_measure,
    list_measures,
)
from data_access.models import (
    Source,
)
from data_access.money.spending import vru_money_by_year
from data_access.outcomes import area_trends, trend_views, year_values
from data_access.outcomes.raw_series import (
    FIGURE_COLUMNS,
    SUM_OF_FORCES_PREFIX,
    check_age_band,
)
from data_access.scope import PUBLIC

VALUE_COLUMNS = [
    "measure_code",
    "area_code",
    "area_name",
    "area_level",
    "period_start",
    "period_end",
    "period",
    "age_band",
    *FIGURE_COLUMNS,
    "status",
    "source_title",
    "source_url",
    "licence",
    "illustrative",
    "suppressed",
]
PUBLIC_MEASURE_COLUMNS = [
    "code",
    "name",
    "definition",
    "unit",
    "polarity",
    "category",
    "rate_multiplier",
    "ci_method",
    "disclosure_rule",
    "disclosure_text",
    "period_type",
    "caveats",
    "success_measure_rank",
    "source_title",
    "source_url",
    "licence",
    "last_updated",
]
FUNDING_COLUMNS = [
    "financial_year",
    "period",
    "allocated",
    "spent",
    "quarters_reported",
    "illustrative",
    "suppressed",
]
REACH_COLUMNS = ["financial_year", "period", "tier", "young_people", "illustrative"]
REACH_RULE = "small_numbers"
AGE_BANDS = tuple(measures.AGE_BANDS)  # as the API lists them
LEVELS = ("pfa", "lad", "country")


def public_measures() -> pd.DataFrame:
    """Public measures' metadata (PUBLIC_MEASURE_COLUMNS), success measures first.

    ``disclosure_text`` is the rule as users read it; ``licence`` the licence of
    the measure's source."""
    table = list_measures().copy()
    licences = {title: licence for title, (_, licence) in _sources().items()}
    table["licence"] = table["source_title"].map(licences)
    table["disclosure_text"] = [
        get_rule(rule).description for rule in table["disclosure_rule"]
    ]
    return table[PUBLIC_MEASURE_COLUMNS].reset_index(drop=True)


@memoized
def _sources() -> dict[str, tuple[str | None, str | None]]:
    """Every source's (URL, licence) by title."""
    with session_scope() as session:
        rows = session.execute(select(Source.title, Source.url, Source.licence)).all()
    return {title: (url, licence) for title, url, licence in rows}


def public_measure(code: str) -> dict:
    """One public measure's metadata; NotFound for unknown or private codes."""
    return get_measure(code, scope=PUBLIC)


def measure_values(
    *,
    measure_code: str,
    area_code: str | None = None,
    level: str = "pfa",
    age_band: str = "all",
    length: str = "year",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Published values of a public measure (VALUE_COLUMNS), disclosure-controlled.

    For one area (`area_code`) or, when it is None, for every area of `level`
    and the benchmark (England and Wales, or England for a measure that covers
    England only). The figures are the signed-in /violence page's, read on the
    same road (area_trends.trend_with_benchmark, trend_views.level_series) with the
    public scope: `length` "quarter" or "year" (a financial year: annual
    figures, else the four quarters), the same benchmark, disclosed together
    with the force areas it sums. Oldest first, then by area name. Raises
    NotFound for an unknown or private measure or an unknown area,
    InvalidParameter for a bad length, age band or level.
    """
    public_measure(measure_code)
    if length not in PERIOD_LENGTHS:
        raise InvalidParameter(
            "length", f"length must be one of {', '.join(PERIOD_LENGTHS)}"
        )
    check_age_band(age_band)
    if level not in LEVELS:
        raise InvalidParameter("level", f"level must be one of {', '.join(LEVELS)}")
    window = {"length": length, "age_band": age_band, "start": start, "end": end}
    if area_code is not None:
        frame = area_trends.trend_with_benchmark(
            scope=PUBLIC, measure_code=measure_code, area_code=area_code, **window
        )
        frame = frame[frame["role"] == "area"]
    else:
        frame = trend_views.level_series(
            scope=PUBLIC, measure_code=measure_code, level=level, **window
        )
    return _published(frame, measure_code, age_band)


def _published(
    frame: pd.DataFrame, measure_code: str, age_band: str, extra: tuple = ()
):
    """A trend frame (raw_series.TREND_COLUMNS) as VALUE_COLUMNS (and `extra`
    columns of it): with the measure, the area's level, the age band and each
    source's URL and licence."""
    out = frame.copy()
    areas = list_areas()
    levels = dict(zip(areas["code"], areas["level"], strict=True))
    sources = _sources()
    parts = [_source_parts(title) for title in out["source_title"]]
    out["measure_code"] = measure_code
    out["area_level"] = [levels.get(code, "country") for code in out["area_code"]]
    out["age_band"] = age_band
    out["source_url"] = [
        sources[p[0]][0] if len(p) == 1 and p[0] in sources else None for p in parts
    ]
    out["licence"] = [
        "; ".join(dict.fromkeys(sources[t][1] for t in p if t in sources)) or None
        for p in parts
    ]
    for col in ("value", "numerator", "denominator", "rate"):
        out[col] = pd.to_numeric(out[col]).astype("Float64")
    for col in ("rate_lower", "rate_upper"):
        out[col] = pd.to_numeric(out[col]).astype("Float64")
    out["illustrative"] = out["illustrative"].astype(bool)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out[[*VALUE_COLUMNS, *extra]].reset_index(drop=True)


def _source_parts(title: str) -> list[str]:
    """The stored source titles a series row names (a sum of force areas, or a
    year of quarters, joins several)."""
    text = str(title or "").removeprefix(SUM_OF_FORCES_PREFIX)
    return [part for part in text.split("; ") if part]


def force_area_comparison(
    *, measure_code: str, financial_year: int | None = None, age_band: str = "all"
) -> pd.DataFrame:
    """A public measure for every force area in one financial year (VALUE_COLUMNS
    plus comparison: each area against the benchmark, after disclosure) with
    the benchmark (area_level "country"), as measure_values gives them; the
    latest year with force-area figures by default."""
    public_measure(measure_code)
    frame = _published(
        trend_views.level_series(
            scope=PUBLIC,
            measure_code=measure_code,
            level="pfa",
            length="year",
            age_band=age_band,
        ),
        measure_code,
        age_band,
        extra=("comparison",),
    )
    forces = frame[(frame["area_level"] == "pfa") & frame["value"].notna()]
    if financial_year is None and not forces.empty:
        # The year /compare opens on, by the same rule (year_values).
        by_year = forces.groupby("period_start")["illustrative"].any().sort_index()
        opened = by_year.index[year_values.default_year_position(by_year.tolist())]
        financial_year = periods.financial_year_of(opened)
    if financial_year is None:
        return frame.iloc[0:0]
    first, _ = periods.fy_bounds(financial_year)
    return frame[frame["period_start"] == first].reset_index(drop=True)


def _vru_area(area_code: str):
    area = get_area(area_code)
    if area.level != "pfa" or not area.is_vru:
        raise NotFound(f"{area.name} is not a VRU area")
    return area


def funding_allocated_vs_spent(*, area_code: str) -> pd.DataFrame:
    """PUBLISHED SURFACE: one VRU area's Home Office VRU allocation and total spend
    per financial year (FUNDING_COLUMNS), nothing finer (no intervention, no
    quarter). Allocated: the preferred published annual figure; spent: the sum of
    current spend returns. NotFound for an area that is not a VRU."""
    _vru_area(area_code)
    return _funding(area_code).copy()


@memoized
def _funding(area_code: str) -> pd.DataFrame:
    # The one road (money.spending.vru_money_by_year), as the area profile shows it.
    frame = vru_money_by_year(area_code)[FUNDING_COLUMNS[:-1]]
    frame["allocated"] = frame["allocated"].astype("Float64")
    frame["spent"] = frame["spent"].astype("Float64")
    frame[SUPPRESSED] = False  # money totals are published in full
    return frame[FUNDING_COLUMNS]


def reach_by_tier(*, area_code: str) -> pd.DataFrame:
    """PUBLISHED SURFACE: young people reached by a VRU area's interventions, per
    financial year and prevention tier (REACH_COLUMNS plus ``suppressed`` and
    ``total_over``: a row per year with tier NA is that year's total), all ages,
    through the "small_numbers" disclosure rule with the yearly totals protected
    by secondary suppression. Nothing finer (no intervention, no quarter).
    NotFound for an area that is not a VRU."""
    _vru_area(area_code)
    return _reach(area_code).copy()


@memoized
def _reach(area_code: str) -> pd.DataFrame:
    # The one reach rule (activity.reach_rule), quarters summed into years. Only
    # approved returns' figures are current (returns.workflow flips them at
    # approval), so the current rows are the published ones.
    quarters = quarter_tier_reach(area_code, None, None, None)
    quarters["financial_year"] = [
        periods.financial_year_of(d) for d in quarters["period_start"]
    ]
    frame = (
        quarters.groupby(["financial_year", "tier"], as_index=False)
        .agg(young_people=("value", "sum"), illustrative=("illustrative", "any"))
        .sort_values(["financial_year", "tier"], kind="stable")
        .reset_index(drop=True)
    )
    frame["financial_year"] = frame["financial_year"].astype(int)
    frame["young_people"] = frame["young_people"].astype("Int64")
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(bool)
    if frame.empty:
        frame[SUPPRESSED] = pd.Series(dtype=bool)
        frame["total_over"] = pd.Series(dtype=str)
        frame.insert(1, "period", pd.Series(dtype=str))
        return frame
    disclosed = apply_disclosure(
        frame,
        rule=REACH_RULE,
        count_cols=["young_people"],
        group_cols=["financial_year", "tier"],
        totals_over=["tier"],
        keep_cols=(),
    ).frame
    disclosed["financial_year"] = disclosed["financial_year"].astype(int)
    illus = frame.groupby("financial_year")["illustrative"].any()
    totals = disclosed["tier"].isna()
    disclosed.loc[totals, "illustrative"] = (
        disclosed.loc[totals, "financial_year"].map(illus).to_numpy()
    )
    disclosed["illustrative"] = disclosed["illustrative"].astype(bool)
    disclosed.insert(
        1, "period", [periods.fy_label(y) for y in disclosed["financial_year"]]
    )
    order = {"primary": 0, "secondary": 1, "tertiary": 2}
    disclosed["_order"] = disclosed["tier"].map(order).fillna(9)
    disclosed = disclosed.sort_values(["financial_year", "_order"], kind="stable")
    return disclosed.drop(columns="_order").reset_index(drop=True)
