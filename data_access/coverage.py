"""Data coverage: where the app's picture rests on published figures.

For every public measure, area level and financial year: whether the current
figures are real (published, with their sources and editions), illustrative,
both, or missing. Analysts use it to see at a glance which headline numbers are
real and which are illustrative stand-ins.

- data_coverage(*, scope) -> COVERAGE_COLUMNS, one row per measure x level x
  financial year from the measure's first to its last year with a figure:
  measure_code, measure_name, level, financial_year (2019 for 2019/20),
  fy_label, status ("real", "illustrative", "real and illustrative",
  "missing"), areas (how many areas of the level have a figure that year),
  area_total (areas of that level in the store), grains ("year", "quarter",
  "rolling year", joined), sources (titles with editions, real first).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data_access import measures, periods
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.errors import AccessDenied
from data_access.models import Area, Measure, MeasureValue, Source
from data_access.scope import Scope

COVERAGE_COLUMNS = [
    "measure_code",
    "measure_name",
    "level",
    "financial_year",
    "fy_label",
    "status",
    "areas",
    "area_total",
    "grains",
    "sources",
]
STATUSES = ("real", "illustrative", "real and illustrative", "missing")
LEVEL_ORDER = ("country", "region", "pfa", "lad")
_GRAINS = {3: "quarter", 12: "year"}


def data_coverage(*, scope: Scope) -> pd.DataFrame:
    """Coverage of every public measure (module docstring). Analysts and admins
    only: it names every source and edition behind the store."""
    if not scope.unrestricted:
        raise AccessDenied("data coverage is for analysts and admins")
    return _coverage()


@memoized
def _coverage() -> pd.DataFrame:
    keys = (
        Measure.code,
        Measure.name,
        Area.level,
        MeasureValue.period_start,
        MeasureValue.period_months,
        Source.illustrative,
        Source.title,
        Source.edition,
    )
    query = (
        measures.current_rows([*keys, func.count(func.distinct(MeasureValue.area_id))])
        .where(Measure.is_public)
        .group_by(*keys)
    )
    totals_query = select(Area.level, func.count(Area.id)).group_by(Area.level)
    with session_scope() as session:
        rows = session.execute(query).all()
        totals = dict(session.execute(totals_query).all())
    raw = pd.DataFrame(
        rows,
        columns=[
            "measure_code",
            "measure_name",
            "level",
            "period_start",
            "months",
            "illustrative",
            "title",
            "edition",
            "areas",
        ],
    )
    if raw.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    raw["financial_year"] = [periods.financial_year_of(d) for d in raw["period_start"]]
    raw["grain"] = [_GRAINS.get(int(m), "rolling year") for m in raw["months"]]
    raw["source"] = [
        f"{t} ({e})" if isinstance(e, str) and e and e not in t else t
        for t, e in zip(raw["title"], raw["edition"], strict=True)
    ]
    out = []
    for (code, name, level), part in raw.groupby(
        ["measure_code", "measure_name", "level"], sort=False
    ):
        years = range(part["financial_year"].min(), part["financial_year"].max() + 1)
        for year in years:
            these = part[part["financial_year"] == year]
            out.append(_year_row(code, name, level, year, these, totals.get(level, 0)))
    frame = pd.DataFrame(out, columns=COVERAGE_COLUMNS)
    frame["level_order"] = frame["level"].map(
        {level: i for i, level in enumerate(LEVEL_ORDER)}
    )
    frame = frame.sort_values(["measure_code", "level_order", "financial_year"])
    return frame.drop(columns="level_order").reset_index(drop=True)


def _year_row(code, name, level, year, these: pd.DataFrame, total: int) -> list:
    if these.empty:
        status, areas, grains, sources = "missing", 0, "", ""
    else:
        kinds = set(these["illustrative"].astype(bool))
        status = (
            "real and illustrative"
            if kinds == {True, False}
            else "illustrative"
            if kinds == {True}
            else "real"
        )
        # The most areas any one period of the year reaches.
        areas = int(these.groupby(["period_start", "months"])["areas"].sum().max())
        grains = ", ".join(sorted(set(these["grain"])))
        ordered = these.sort_values("illustrative")
        sources = "; ".join(dict.fromkeys(ordered["source"]))
    return [
        code,
        name,
        level,
        int(year),
        periods.fy_label(int(year)),
        status,
        areas,
        int(total),
        grains,
        sources,
    ]
