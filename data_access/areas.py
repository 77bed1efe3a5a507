"""Areas: England and Wales, police force areas (the VRU level) and local authorities.

Area names and the hierarchy are public; nothing here needs a scope.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import aliased

from data_access.cache import memoized
from data_access.db import read_connection
from data_access.errors import NotFound
from data_access.models import Area

NATIONAL_CODE = "K04000001"  # England and Wales: the default benchmark
ENGLAND_CODE = "E92000001"  # England: the benchmark for England-only measures

AREA_COLUMNS = ["code", "name", "level", "parent_code", "is_vru", "vru_start_year"]


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str
    level: str
    parent_code: str | None
    parent_name: str | None
    is_vru: bool
    vru_start_year: int | None


def get_area(code: str) -> AreaInfo:
    """One area by ONS code; raises NotFound for an unknown code."""
    found = _area(code)
    if found is None:
        raise NotFound(f"no area has the code '{code}'")
    return found


def area_id_of(connection, code: str) -> int:  # noqa: ANN001
    """The store id of the area with ONS code `code`, read on the caller's
    `connection`: a write's Session (so the id is read in the transaction that
    uses it) or a db.read_connection. NotFound for an unknown code, as get_area."""
    found = connection.scalar(select(Area.id).where(Area.code == code))
    if found is None:
        raise NotFound(f"no area has the code '{code}'")
    return found


@memoized
def _area(code: str) -> AreaInfo | None:
    """get_area, None for an unknown code: memoized either way, so a page that
    asks for an area the store lacks (a region, on a store without regions)
    reads the store once, not at every ask."""
    with read_connection() as connection:
        row = connection.execute(_area_statement(), {"code": code}).first()
    return None if row is None else AreaInfo(*row)


@functools.cache
def _area_statement():
    """`_area`'s read, built once (building it costs more CPU than running it).
    Plain columns, not the ORM entity: no identity map or instance to build."""
    parent = aliased(Area)
    return (
        select(
            Area.code,
            Area.name,
            Area.level,
            parent.code,
            parent.name,
            Area.is_vru,
            Area.vru_start_year,
        )
        .outerjoin(parent, Area.parent_id == parent.id)
        .where(Area.code == bindparam("code", type_=String))
    )


@memoized
def list_areas(
    level: str | None = None, parent_code: str | None = None
) -> pd.DataFrame:
    """Areas as a DataFrame with AREA_COLUMNS, ordered by name.

    The statement is built once per kind of filter (`_areas_statement`), its
    values bound, and the frame built from plain tuples (as db.read_frame: pandas
    probes each Row for attributes): building the select and the frame from Rows
    cost about three times the read (issue 19: /compare's group list)."""
    statement = _areas_statement(level is not None, parent_code is not None)
    values = {"level": level, "parent_code": parent_code}
    with read_connection() as connection:
        rows = [
            tuple(row)
            for row in connection.execute(
                statement, {k: v for k, v in values.items() if v is not None}
            )
        ]
    return pd.DataFrame(rows, columns=AREA_COLUMNS)


@functools.cache
def _areas_statement(by_level: bool, by_parent: bool):
    """`list_areas`' statement, the level and the parent's code bound
    ("level", "parent_code") where it filters by them: built once per process."""
    parent = aliased(Area)
    query = (
        select(
            Area.code,
            Area.name,
            Area.level,
            parent.code.label("parent_code"),
            Area.is_vru,
            Area.vru_start_year,
        )
        .outerjoin(parent, Area.parent_id == parent.id)
        .order_by(Area.name)
    )
    if by_level:
        query = query.where(Area.level == bindparam("level", type_=String))
    if by_parent:
        query = query.where(parent.code == bindparam("parent_code", type_=String))
    return query


NATIONAL_FUNDING_YEAR = 2019  # the first VRUs were funded from 2019/20


@memoized
def funding_starts() -> dict[str, dt.date]:
    """Area code -> the day VRU funding began for it (1 April of the first funded
    financial year): its own VRU's start year, else its parent force area's;
    England and Wales from 2019/20. Areas no VRU covers are left out. The one
    rule for the funding start (the trend pages' marker, and the SPC step change
    of data_access.spc.series_spc): `_funding_day`, as `funding_start_of`."""
    frame = list_areas()
    codes = frame["code"].tolist()
    own = dict(zip(codes, frame["vru_start_year"].tolist(), strict=True))
    years = {}
    for code, parent in zip(codes, frame["parent_code"].tolist(), strict=True):
        day = _funding_day(code, own.get(code), lambda parent=parent: own.get(parent))
        if day is not None:
            years[code] = day
    return years


def funding_start_of(area: AreaInfo) -> dt.date | None:
    """`funding_starts().get(area.code)` for one area already looked up: its
    own start year, else its parent's (one memoized area read, and only when
    the area has no year of its own), not a read of every area (issue 19)."""

    def parent_year() -> int | None:
        parent = _area(area.parent_code) if area.parent_code is not None else None
        return None if parent is None else parent.vru_start_year

    return _funding_day(area.code, area.vru_start_year, parent_year)


def _funding_day(
    code: str, own_year: int | None, parent_year: Callable[[], int | None]
) -> dt.date | None:
    """The funding start rule for one area: its own VRU's start year, else its
    parent's (`parent_year`, asked only when needed), else 2019/20 for England
    and Wales; None when no VRU covers it."""
    year = own_year
    if _missing(year):
        year = parent_year()
    if _missing(year) and code == NATIONAL_CODE:
        year = NATIONAL_FUNDING_YEAR
    return None if _missing(year) else dt.date(int(year), 4, 1)


def _missing(year) -> bool:  # noqa: ANN001
    return year is None or pd.isna(year)
