"""Published funding allocations: every figure with its source and precision, the
preferred one per key (data_access.money.precedence), the national summary by
area and the Home Office VRU grant that spend is measured against.

Allocations are published figures: readable by anyone signed in (no scope).
`financial_year` is the first calendar year (2019 means 2019/20). The allocation
that spend is measured against (burn rate, forecast, underspend) is the area's
preferred annual Home Office VRU grant: the grant whose unspent part is repaid
after 31 March. Other funders and programmes are shown, not burnt. Money comes
back as float pounds; missing values are NaN (None in dicts).
"""

from __future__ import annotations

import functools

import pandas as pd
from sqlalchemy import Integer, String, and_, bindparam, func, select

from data_access import periods
from data_access.areas import NATIONAL_CODE, get_area
from data_access.cache import memoized
from data_access.db import read_connection
from data_access.models import (
    Area,
    FundingAllocation,
    Intervention,
    Source,
)
from data_access.money.money_reads import _check_year, _float
from data_access.money.precedence import (
    BREAKDOWN_PREFIX,
    FUNDER_HOME_OFFICE,
    MULTI_YEAR_MARKERS,
    PROGRAMME_VRU,
    is_annual_total,
)

#: How each stored precision of an allocation is said in words.
PRECISION_WORDS: dict[str, str] = {
    "exact": "exact",
    "rounded": "rounded",
    "approx": "approximately",
    "up_to": "up to",
    "more_than": "more than",
}


def vru_grant_filter():
    """The preferred annual Home Office VRU grant (what spend burns down)."""
    return and_(
        FundingAllocation.funder == FUNDER_HOME_OFFICE,
        FundingAllocation.programme == PROGRAMME_VRU,
        FundingAllocation.intervention_id.is_(None),
        FundingAllocation.is_preferred,
    )


def default_year(*, area_code: str | None = None) -> int | None:
    """The year money is shown for when none is asked for: the latest year with a
    preferred Home Office VRU grant for the force area (any force area for England
    and Wales, or a local authority's force area). None when there is none."""
    code = None
    if area_code is not None and area_code != NATIONAL_CODE:
        area = get_area(area_code)
        code = area.parent_code if area.level == "lad" else area.code
    return _default_year(code)


@memoized
def _default_year(area_code: str | None) -> int | None:
    parameters = {} if area_code is None else {"area_code": area_code}
    with read_connection() as connection:
        year = connection.scalar(
            _default_year_statement(area_code is not None), parameters
        )
    return None if year is None else int(year)


# The reads below cost more CPU to build (joins, the annual-programme filter's
# clauses) than the store takes to run them: each shape is built once per
# process, with these parameters in place of the values.
AREA_CODE = bindparam("area_code", type_=String)
FINANCIAL_YEAR = bindparam("financial_year", type_=Integer)


@functools.cache
def _default_year_statement(by_area: bool):
    query = (
        select(func.max(FundingAllocation.financial_year))
        .join(Area, Area.id == FundingAllocation.area_id)
        .where(vru_grant_filter(), Area.level == "pfa")
    )
    if by_area:
        query = query.where(Area.code == AREA_CODE)
    return query


def _grant(area_code: str, financial_year: int) -> dict | None:
    """The force area's preferred annual Home Office VRU grant for one year
    (amount, as_published, precision, illustrative, source_title), or None."""
    return grants(area_code).get(financial_year)


@memoized
def grants(area_code: str) -> dict[int, dict]:
    """The force area's preferred annual Home Office VRU grant of every year,
    {financial_year: {amount, as_published, precision, illustrative,
    source_title}}. Allocations are published figures: no scope."""
    with read_connection() as connection:
        rows = connection.execute(
            select(
                FundingAllocation.financial_year,
                FundingAllocation.amount,
                FundingAllocation.amount_as_published,
                FundingAllocation.precision,
                Source.illustrative,
                Source.title,
            )
            .join(Area, Area.id == FundingAllocation.area_id)
            .join(Source, Source.id == FundingAllocation.source_id)
            .where(Area.code == area_code, vru_grant_filter())
        ).all()
    return {
        int(year): {
            "amount": float(amount),
            "as_published": as_published,
            "precision": precision,
            "illustrative": bool(illustrative),
            "source_title": title,
        }
        for year, amount, as_published, precision, illustrative, title in rows
    }


ALLOCATION_COLUMNS = [
    "allocation_id",
    "area_code",
    "area_name",
    "area_level",
    "financial_year",
    "fy_label",
    "funder",
    "programme",
    "intervention_id",
    "intervention",
    "amount",
    "amount_as_published",
    "precision",
    "precision_words",
    "is_preferred",
    "is_annual_total",
    "source_title",
    "source_publisher",
    "source_url",
    "illustrative",
    "note",
]
NATIONAL_COLUMNS = [
    "area_code",
    "area_name",
    "financial_year",
    "fy_label",
    "vru_allocation",
    "amount_as_published",
    "precision",
    "precision_words",
    "source_title",
    "illustrative",
    "figures_published",
    "all_funders_total",
]


def _annual_programme_filter():
    """SQL twin of funding.is_annual_total: an area's whole annual amount."""
    return and_(
        FundingAllocation.intervention_id.is_(None),
        ~FundingAllocation.programme.startswith(BREAKDOWN_PREFIX),
        *[~FundingAllocation.programme.contains(m) for m in MULTI_YEAR_MARKERS],
    )


# ------------------------------------------------------------------ allocations


def allocations(
    *, area_code: str | None = None, financial_year: int | None = None
) -> pd.DataFrame:
    """Every published (and illustrative) allocation figure, preferred or not.

    Filtered to one area (its own rows only; NotFound for an unknown code) and/or
    one financial year. Ordered by area, year, funder, programme, intervention,
    then the preferred figure first. Columns: ALLOCATION_COLUMNS (`amount` in
    pounds; `precision_words` as the page says it; `is_annual_total` False for a
    share allocated to an intervention, a published breakdown or a multi-year
    total, so sums never double count)."""
    if area_code is not None:
        get_area(area_code)
    if financial_year is not None:
        _check_year(financial_year)
    return _allocations(area_code, financial_year)


def allocation_columns_of(*, area_code: str, financial_year: int) -> dict[str, list]:
    """`allocations(area_code=..., financial_year=...)`'s ALLOCATION_COLUMNS as
    the plain lists its frame is made of (a missing value None), taken from the
    year's rows that `allocations(financial_year=...)` read (the same rows, in
    the same order): no read of its own when both are asked for in a request,
    and no frame for a page that only reads the columns (/funding's national
    totals)."""
    get_area(area_code)
    rows = _allocation_rows(None, _check_year(financial_year))
    return _allocation_columns([row for row in rows if row[1] == area_code])


def force_area_allocations(*, financial_year: int) -> pd.DataFrame:
    """`allocations(financial_year=...)` of the force areas only (area_level
    "pfa"), made from those rows alone rather than filtered from the frame of
    every level (numbered from 0)."""
    rows = _allocation_rows(None, _check_year(financial_year))
    return _allocation_frame([row for row in rows if row[3] == "pfa"])


def force_area_allocation_columns(*, financial_year: int) -> dict[str, list]:
    """`force_area_allocations`' ALLOCATION_COLUMNS as the plain lists its
    frame is made of (a missing value None), for a page that reads them
    column by column (/funding's every figure of the year)."""
    rows = _allocation_rows(None, _check_year(financial_year))
    return _allocation_columns([row for row in rows if row[3] == "pfa"])


def _allocations(area_code: str | None, financial_year: int | None) -> pd.DataFrame:
    return _allocation_frame(_allocation_rows(area_code, financial_year))


@memoized
def _allocation_rows(area_code: str | None, financial_year: int | None) -> list:
    """The allocations' rows as tuples: cheap to keep in the request memo, and
    a frame of any area's rows of a year can be made from the year's."""
    parameters: dict = {}
    if area_code is not None:
        parameters["area_code"] = area_code
    if financial_year is not None:
        parameters["financial_year"] = financial_year
    statement = _allocations_statement(
        area_code is not None, financial_year is not None
    )
    with read_connection() as connection:
        return [tuple(row) for row in connection.execute(statement, parameters)]


def _empty_allocations() -> pd.DataFrame:
    frame = pd.DataFrame([], columns=ALLOCATION_COLUMNS)
    frame["intervention_id"] = frame["intervention_id"].astype("Int64")
    return frame


# Copied for each empty answer (most years publish no national totals): a
# copy costs a fraction of making the frame and its column types again.
_NO_ALLOCATIONS = _empty_allocations()


def _allocation_frame(rows: list) -> pd.DataFrame:
    """ALLOCATION_COLUMNS of `_allocation_rows`' rows."""
    if not rows:
        return _NO_ALLOCATIONS.copy()
    # Column by column: the same frame as one dict per row gave, in less time.
    frame = pd.DataFrame(_allocation_columns(rows), columns=ALLOCATION_COLUMNS)
    frame["intervention_id"] = frame["intervention_id"].astype("Int64")
    return frame


def _allocation_columns(rows: list) -> dict[str, list]:
    """ALLOCATION_COLUMNS of `_allocation_rows`' rows as plain lists."""
    if not rows:
        return {name: [] for name in ALLOCATION_COLUMNS}
    (ids, codes, names, levels, years, funders, programmes, intervention_ids) = (
        list(column) for column in zip(*(r[:8] for r in rows), strict=True)
    )
    years = [int(y) for y in years]
    precisions = [r[11] for r in rows]
    columns = {
        "allocation_id": ids,
        "area_code": codes,
        "area_name": names,
        "area_level": levels,
        "financial_year": years,
        "fy_label": [_fy_label(y) for y in years],
        "funder": funders,
        "programme": programmes,
        "intervention_id": intervention_ids,
        "intervention": [r[8] for r in rows],
        "amount": [_float(r[9]) for r in rows],
        "amount_as_published": [r[10] for r in rows],
        "precision": precisions,
        "precision_words": [PRECISION_WORDS.get(p, p) for p in precisions],
        "is_preferred": [bool(r[12]) for r in rows],
        "is_annual_total": [
            is_annual_total(programme, iid)
            for programme, iid in zip(programmes, intervention_ids, strict=True)
        ],
        "source_title": [r[13] for r in rows],
        "source_publisher": [r[14] for r in rows],
        "source_url": [r[15] for r in rows],
        "illustrative": [bool(r[16]) for r in rows],
        "note": [r[17] for r in rows],
    }
    return columns


@functools.lru_cache(maxsize=64)
def _fy_label(financial_year: int) -> str:
    return periods.fy_label(financial_year)


@functools.cache
def _allocations_statement(by_area: bool, by_year: bool):
    query = (
        select(
            FundingAllocation.id,
            Area.code,
            Area.name,
            Area.level,
            FundingAllocation.financial_year,
            FundingAllocation.funder,
            FundingAllocation.programme,
            FundingAllocation.intervention_id,
            Intervention.name,
            FundingAllocation.amount,
            FundingAllocation.amount_as_published,
            FundingAllocation.precision,
            FundingAllocation.is_preferred,
            Source.title,
            Source.publisher,
            Source.url,
            Source.illustrative,
            FundingAllocation.note,
        )
        .join(Area, Area.id == FundingAllocation.area_id)
        .join(Source, Source.id == FundingAllocation.source_id)
        .outerjoin(Intervention, Intervention.id == FundingAllocation.intervention_id)
        .order_by(
            Area.name,
            FundingAllocation.financial_year,
            FundingAllocation.funder,
            FundingAllocation.programme,
            func.coalesce(Intervention.name, ""),
            FundingAllocation.is_preferred.desc(),
            Source.precedence,
            FundingAllocation.id,
        )
    )
    if by_area:
        query = query.where(Area.code == AREA_CODE)
    if by_year:
        query = query.where(FundingAllocation.financial_year == FINANCIAL_YEAR)
    return query


def national_summary(*, financial_year: int) -> pd.DataFrame:
    """The England and Wales level: one row per force area with a preferred annual
    Home Office VRU grant in `financial_year`, largest first.

    Columns: NATIONAL_COLUMNS. `vru_allocation` is the preferred figure;
    `figures_published` counts every figure stored for that grant (all sources);
    `all_funders_total` adds the preferred annual totals of every funder and
    programme (Grip, Serious Violence Duty, PCC and local contributions)."""
    columns = national_summary_columns(financial_year=financial_year)
    if not columns["area_code"]:  # typed as the empty list of records typed it
        return pd.DataFrame([], columns=NATIONAL_COLUMNS)
    # Column by column, as _allocation_frame: the same frame as one dict per row.
    return pd.DataFrame(columns, columns=NATIONAL_COLUMNS)


def national_summary_columns(*, financial_year: int) -> dict[str, list]:
    """`national_summary`'s NATIONAL_COLUMNS as plain lists (the lists its
    frame is made of: a missing value is None), for a page that reads them
    one by one (/funding's national ranking)."""
    financial_year = _check_year(financial_year)
    label = periods.fy_label(financial_year)
    rows = _national_summary_rows(financial_year)
    return {
        "area_code": [r[0] for r in rows],
        "area_name": [r[1] for r in rows],
        "financial_year": [financial_year] * len(rows),
        "fy_label": [label] * len(rows),
        "vru_allocation": [_float(r[2]) for r in rows],
        "amount_as_published": [r[3] for r in rows],
        "precision": [r[4] for r in rows],
        "precision_words": [PRECISION_WORDS.get(r[4], r[4]) for r in rows],
        "source_title": [r[5] for r in rows],
        "illustrative": [bool(r[6]) for r in rows],
        "figures_published": [int(r[7]) for r in rows],
        "all_funders_total": [_float(r[8]) for r in rows],
    }


@memoized
def _national_summary_rows(financial_year: int) -> list[tuple]:
    """The national summary's rows as tuples: cheap for the shared cache to
    pickle and the request memo to copy; national_summary makes the frame."""
    with read_connection() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                _national_summary_statement(), {"financial_year": financial_year}
            )
        ]


@functools.cache
def _national_summary_statement():
    figures = (
        select(
            FundingAllocation.area_id.label("area_id"),
            func.count().label("n"),
        )
        .where(
            FundingAllocation.financial_year == FINANCIAL_YEAR,
            FundingAllocation.funder == FUNDER_HOME_OFFICE,
            FundingAllocation.programme == PROGRAMME_VRU,
            FundingAllocation.intervention_id.is_(None),
        )
        .group_by(FundingAllocation.area_id)
        .subquery()
    )
    totals = (
        select(
            FundingAllocation.area_id.label("area_id"),
            func.sum(FundingAllocation.amount).label("total"),
        )
        .where(
            FundingAllocation.financial_year == FINANCIAL_YEAR,
            FundingAllocation.is_preferred,
            _annual_programme_filter(),
        )
        .group_by(FundingAllocation.area_id)
        .subquery()
    )
    return (
        select(
            Area.code,
            Area.name,
            FundingAllocation.amount,
            FundingAllocation.amount_as_published,
            FundingAllocation.precision,
            Source.title,
            Source.illustrative,
            figures.c.n,
            totals.c.total,
        )
        .join(Area, Area.id == FundingAllocation.area_id)
        .join(Source, Source.id == FundingAllocation.source_id)
        .join(figures, figures.c.area_id == FundingAllocation.area_id)
        .join(totals, totals.c.area_id == FundingAllocation.area_id)
        .where(
            FundingAllocation.financial_year == FINANCIAL_YEAR,
            Area.level == "pfa",
            vru_grant_filter(),
        )
        .order_by(FundingAllocation.amount.desc(), Area.name)
    )


def financial_years(*, area_code: str | None = None) -> list[int]:
    """Financial years with any allocation (for the area, or anywhere), ascending."""
    if area_code is not None:
        get_area(area_code)
    return _financial_years(area_code)


@memoized
def _financial_years(area_code: str | None) -> list[int]:
    query = select(FundingAllocation.financial_year).distinct()
    if area_code is not None:
        query = query.join(Area, Area.id == FundingAllocation.area_id).where(
            Area.code == area_code
        )
    with read_connection() as connection:
        return sorted(int(y) for y in connection.scalars(query))
