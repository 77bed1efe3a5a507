"""The published surface: what the public may see, through embeds and the open API.

Everything here is readable without signing in, so every function returns only
what the product owner intends to publish:

- public measures only (``measure.is_public``); a private measure is "not found";
- approved figures only: current values that came from the shipped data or from
  an approved return (never a draft or a return waiting for approval);
- disclosure control applied by ``data_access.disclosure`` (the one engine) with
  the measure's rule, exactly as for a signed-in user with a restricted scope;
- money and reach, which are restricted at record level, only as yearly
  aggregates for a VRU area (allocated vs spent; young people reached by tier),
  the reach counts through the "small_numbers" rule.

Every frame has a bool ``suppressed`` column (True where figures are hidden; they
are NA) and an ``illustrative`` column. Rates and CIs are worked out from the
unrounded counts before disclosure, as HES does, and hidden with their count.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import func, or_, select

from data_access import periods, trends
from data_access.areas import NATIONAL_CODE, get_area
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.disclosure import SUPPRESSED, apply_disclosure, get_rule
from data_access.errors import InvalidParameter, NotFound
from data_access.funding import FUNDER_HOME_OFFICE, is_annual_total
from data_access.measures import (
    PERIOD_LENGTHS,
    add_rates,
    disclosure_columns,
    get_measure,
    list_measures,
)
from data_access.models import (
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    Source,
    Spend,
    Submission,
    covered_area_name,
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
    "value",
    "numerator",
    "denominator",
    "rate",
    "rate_lower",
    "rate_upper",
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
REACH_OUTPUT_TYPE = "young_people_supported"
REACH_RULE = "small_numbers"
AGE_BANDS = ("all", "under25")


def _approved():
    """Current figures from the shipped data or an approved return."""
    return or_(MeasureValue.submission_id.is_(None), Submission.status == "approved")


def public_measures() -> pd.DataFrame:
    """Public measures' metadata (PUBLIC_MEASURE_COLUMNS), success measures first.

    ``disclosure_text`` is the rule as users read it; ``licence`` the licence of
    the measure's source."""
    table = list_measures().copy()
    licences = _source_licences()
    table["licence"] = table["source_title"].map(licences)
    table["disclosure_text"] = [
        get_rule(rule).description for rule in table["disclosure_rule"]
    ]
    return table[PUBLIC_MEASURE_COLUMNS].reset_index(drop=True)


@memoized
def _source_licences() -> dict:
    with session_scope() as session:
        rows = session.execute(select(Source.title, Source.licence)).all()
    return {title: licence for title, licence in rows}


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
    (and England and Wales). `length` "quarter" or "year" (any 12-month period,
    financial or rolling). Oldest first, then by area name. Raises NotFound for an
    unknown or private measure or an unknown area, InvalidParameter for a bad
    length or age band.
    """
    measure = public_measure(measure_code)
    if area_code is not None:
        get_area(area_code)
    if length not in PERIOD_LENGTHS:
        raise InvalidParameter(
            "length", f"length must be one of {', '.join(PERIOD_LENGTHS)}"
        )
    if age_band not in AGE_BANDS:
        raise InvalidParameter("age", f"age must be one of {', '.join(AGE_BANDS)}")
    if level not in ("pfa", "lad", "country"):
        raise InvalidParameter("level", "level must be one of pfa, lad, country")
    return _measure_values(
        measure_code,
        area_code,
        level,
        age_band,
        PERIOD_LENGTHS[length],
        start.isoformat() if start else None,
        end.isoformat() if end else None,
        measure["rate_multiplier"],
        measure["ci_method"],
        measure["disclosure_rule"],
        *disclosure_columns(measure),
    ).copy()


@memoized
def _measure_values(
    measure_code: str,
    area_code: str | None,
    level: str,
    age_band: str,
    months: int,
    start: str | None,
    end: str | None,
    multiplier: float | None,
    ci_method: str,
    rule: str,
    count_cols: tuple[str, ...],
    check_cols: tuple[str, ...],
) -> pd.DataFrame:
    """`count_cols`, `check_cols`: measures.disclosure_columns of the measure."""
    query = (
        select(
            Area.code,
            covered_area_name(),
            Area.level,
            MeasureValue.period_start,
            MeasureValue.period_end,
            MeasureValue.age_band,
            MeasureValue.value,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.status,
            Source.title,
            Source.url,
            Source.licence,
            Source.illustrative,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .outerjoin(Submission, Submission.id == MeasureValue.submission_id)
        .where(
            Measure.code == measure_code,
            Measure.is_public,
            MeasureValue.is_current,
            MeasureValue.age_band == age_band,
            _approved(),
        )
        .order_by(MeasureValue.period_start, Area.name)
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    else:
        query = query.where(or_(Area.level == level, Area.code == NATIONAL_CODE))
    if start:
        query = query.where(MeasureValue.period_start >= dt.date.fromisoformat(start))
    if end:
        query = query.where(MeasureValue.period_end <= dt.date.fromisoformat(end))
    # Period length in months, computed in SQL so only matching rows come back.
    span = (
        (func.extract("year", MeasureValue.period_end) * 12)
        + func.extract("month", MeasureValue.period_end)
        - (func.extract("year", MeasureValue.period_start) * 12)
        - func.extract("month", MeasureValue.period_start)
        + 1
    )
    query = query.where(span == months)
    with session_scope() as session:
        rows = session.execute(query).all()
    raw = [c for c in VALUE_COLUMNS if c not in {"measure_code", "period"}]
    raw = [c for c in raw if c not in {"rate", "rate_lower", "rate_upper", SUPPRESSED}]
    frame = pd.DataFrame(rows, columns=raw)
    frame.insert(0, "measure_code", measure_code)
    frame.insert(
        6,
        "period",
        [
            periods.period_label(s, e)
            for s, e in zip(frame.period_start, frame.period_end, strict=True)
        ],
    )
    frame["illustrative"] = frame["illustrative"].astype(bool)
    for col in ("value", "numerator", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    if multiplier and not pd.isna(multiplier) and not frame.empty:
        frame = add_rates(frame, ci_method=ci_method, multiplier=multiplier)
    for col in ("rate", "rate_lower", "rate_upper"):
        if col not in frame:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    disclosed = _disclose(
        frame, rule=rule, count_cols=count_cols, check_cols=check_cols
    )
    return disclosed[VALUE_COLUMNS].reset_index(drop=True)


def _disclose(
    frame: pd.DataFrame,
    *,
    rule: str,
    count_cols: tuple[str, ...],
    check_cols: tuple[str, ...],
) -> pd.DataFrame:
    """The measure's rule through the one engine, as for a signed-in user with a
    restricted scope (measures.disclosure_columns says which figures are counts):
    a count measure's value is hidden and rounded with its numerator; a
    proportion's row is hidden when its numerator or its denominator is small,
    that denominator with it, and its percentage is never rounded."""
    if frame.empty:
        out = frame.copy()
        out[SUPPRESSED] = pd.Series(dtype=bool)
        return out
    return apply_disclosure(
        frame,
        rule=rule,
        count_cols=count_cols,
        check_cols=check_cols,
        group_cols=["area_code", "period_start", "period_end", "age_band"],
        keep_cols=("denominator",),
    ).frame


def benchmark_values(
    *, measure_code: str, area_code: str, age_band: str = "all", length: str = "year"
) -> pd.DataFrame:
    """A public measure for `area_code` and England and Wales, stacked (VALUE_COLUMNS).

    Only periods that the area has are kept for the benchmark, so the two lines
    cover the same time."""
    area = measure_values(
        measure_code=measure_code, area_code=area_code, age_band=age_band, length=length
    )
    if area_code == NATIONAL_CODE:
        return area
    national = measure_values(
        measure_code=measure_code,
        area_code=NATIONAL_CODE,
        age_band=age_band,
        length=length,
    )
    if not area.empty:
        first = area["period_start"].min()
        national = national[national["period_start"] >= first]
    return pd.concat([area, national], ignore_index=True)


def recent_trend(
    *,
    measure_code: str,
    area_code: str,
    age_band: str = "all",
    length: str = "year",
    end: dt.date | None = None,
) -> dict:
    """trends.recent_trend, the one recent-trend verdict every page shows, for the
    public. It is worked out from unrounded counts, so where any count in its
    window is hidden under disclosure control the verdict and its figures are
    withheld (direction "not enough data", text says why), as a rate from a
    hidden count is. Keys as trends.recent_trend, plus withheld (bool)."""
    public_measure(measure_code)
    result = trends.recent_trend(
        scope=PUBLIC,
        measure_code=measure_code,
        area_code=area_code,
        length=length,
        age_band=age_band,
        end=end,
    )
    shown = measure_values(
        measure_code=measure_code,
        area_code=area_code,
        age_band=age_band,
        length=length,
        end=end,
    )
    hidden = set(shown.loc[shown["suppressed"].astype(bool), "period"])
    result["withheld"] = bool(hidden & set(result["periods"]))
    if result["withheld"]:
        for key in ("slope", "slope_lower", "slope_upper", "coefficient"):
            result[key] = math.nan
        result.update(
            p_value=math.nan,
            dispersion=math.nan,
            significant=False,
            direction="not enough data",
            text=(
                "Recent trend: not shown, as some figures in it are hidden under "
                "disclosure control."
            ),
        )
    return result


def latest_financial_year(measure_code: str, *, level: str = "pfa") -> int | None:
    """The latest financial year with published values of a measure for `level`."""
    frame = measure_values(measure_code=measure_code, level=level, length="year")
    fys = frame[frame["period_start"].map(lambda d: d.month == 4)]
    fys = fys[fys["area_level"] == level]
    if fys.empty:
        return None
    return int(max(d.year for d in fys["period_start"]))


def force_area_comparison(
    *, measure_code: str, financial_year: int | None = None, age_band: str = "all"
) -> pd.DataFrame:
    """A public measure for every force area in one financial year (VALUE_COLUMNS).

    The England and Wales row, when published, is included (area_level
    "country"); the latest year with force-area figures by default."""
    year = financial_year or latest_financial_year(measure_code)
    if year is None:
        return measure_values(
            measure_code=measure_code, level="pfa", start=dt.date(2200, 1, 1)
        )
    start, end = periods.fy_bounds(year)
    return measure_values(
        measure_code=measure_code,
        level="pfa",
        age_band=age_band,
        length="year",
        start=start,
        end=end,
    )


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
    with session_scope() as session:
        area_id = session.scalar(select(Area.id).where(Area.code == area_code))
        alloc_rows = session.execute(
            select(
                FundingAllocation.financial_year,
                FundingAllocation.programme,
                FundingAllocation.intervention_id,
                FundingAllocation.amount,
                Source.illustrative,
            )
            .join(Source, Source.id == FundingAllocation.source_id)
            .where(
                FundingAllocation.area_id == area_id,
                FundingAllocation.is_preferred,
                FundingAllocation.intervention_id.is_(None),
                FundingAllocation.funder == FUNDER_HOME_OFFICE,
            )
        ).all()
        spend_rows = session.execute(
            select(
                Spend.financial_year,
                func.sum(Spend.amount),
                func.count(func.distinct(Spend.quarter)),
                func.max(func.cast(Source.illustrative, _integer())),
            )
            .join(Source, Source.id == Spend.source_id)
            .outerjoin(Submission, Submission.id == Spend.submission_id)
            .where(
                Spend.area_id == area_id,
                Spend.is_current,
                or_(Spend.submission_id.is_(None), Submission.status == "approved"),
            )
            .group_by(Spend.financial_year)
        ).all()
    allocated: dict[int, float] = {}
    illustrative: dict[int, bool] = {}
    for year, programme, intervention_id, amount, illus in alloc_rows:
        if not is_annual_total(programme, intervention_id):
            continue
        allocated[year] = allocated.get(year, 0.0) + float(amount)
        illustrative[year] = illustrative.get(year, False) or bool(illus)
    spent = {year: (float(total), int(q), bool(i)) for year, total, q, i in spend_rows}
    years = sorted(set(allocated) | set(spent))
    frame = pd.DataFrame(
        {
            "financial_year": years,
            "period": [periods.fy_label(y) for y in years],
            "allocated": [allocated.get(y) for y in years],
            "spent": [spent[y][0] if y in spent else None for y in years],
            "quarters_reported": [spent[y][1] if y in spent else 0 for y in years],
            "illustrative": [
                illustrative.get(y, False) or (y in spent and spent[y][2])
                for y in years
            ],
        },
        columns=FUNDING_COLUMNS[:-1],
    )
    frame["allocated"] = frame["allocated"].astype("Float64")
    frame["spent"] = frame["spent"].astype("Float64")
    frame[SUPPRESSED] = False  # money totals are published in full
    return frame[FUNDING_COLUMNS]


def _integer():
    from sqlalchemy import Integer

    return Integer()


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
    year = _fy_expression(InterventionOutput.period_start)
    with session_scope() as session:
        rows = session.execute(
            select(
                year.label("financial_year"),
                Intervention.tier,
                func.sum(InterventionOutput.value),
                func.max(func.cast(Source.illustrative, _integer())),
            )
            .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
            .join(Area, Area.id == Intervention.vru_area_id)
            .join(Source, Source.id == InterventionOutput.source_id)
            .outerjoin(Submission, Submission.id == InterventionOutput.submission_id)
            .where(
                Area.code == area_code,
                InterventionOutput.is_current,
                InterventionOutput.output_type == REACH_OUTPUT_TYPE,
                InterventionOutput.age_band == "all",
                or_(
                    InterventionOutput.submission_id.is_(None),
                    Submission.status == "approved",
                ),
            )
            .group_by(year, Intervention.tier)
            .order_by(year, Intervention.tier)
        ).all()
    frame = pd.DataFrame(
        rows, columns=["financial_year", "tier", "young_people", "illustrative"]
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


def _fy_expression(column):
    """The financial year (2019 for 2019/20) of a date column, in SQL."""
    from sqlalchemy import case

    y = func.extract("year", column)
    return case((func.extract("month", column) >= 4, y), else_=y - 1)


def reach_rule_text() -> str:
    """The disclosure rule applied to reach, for the page."""
    return get_rule(REACH_RULE).text
