"""Small helpers shared by the shipped-data loaders (real, seeds, illustrative).

The loaders must be deterministic: the same files give the same store, row for row
and id for id. So nothing here reads the clock, and every helper keeps the order it
is given.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from data_access import periods
from data_access.models import Area, Measure, Source

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"

# The sidecars in data/reference/ do not record when each file was fetched; this is
# the date the data pack was assembled and copied into the project. A refresh should
# pass the real retrieval date for the sources it touches (see data/reference/README).
DATA_PACK_RETRIEVED = dt.date(2026, 11, 22)

_CHUNK = 2000


def read_reference(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file in data/reference/, in file order."""
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def vru_start_years() -> dict[str, int]:
    """Force area code -> the financial year its VRU was first funded (2019 for
    2019/20), from data/reference/vru_areas.csv: 18 areas from 2019/20, two from
    2022/23."""
    return {
        r["pfa_code"]: int(r["vru_funded_from_financial_year_starting"])
        for r in read_reference("vru_areas.csv")
    }


# Districts abolished in the 2020-2023 reorganisations -> their successor unitary
# authority (December 2024 code). Each successor is a merger of whole districts.
SUCCESSOR_LAD = {
    # Buckinghamshire, April 2020
    "E07000004": "E06000060",
    "E07000005": "E06000060",
    "E07000006": "E06000060",
    "E07000007": "E06000060",
    # North Northamptonshire and West Northamptonshire, April 2021
    "E07000150": "E06000061",
    "E07000152": "E06000061",
    "E07000153": "E06000061",
    "E07000156": "E06000061",
    "E07000151": "E06000062",
    "E07000154": "E06000062",
    "E07000155": "E06000062",
    # Cumberland and Westmorland and Furness, April 2023
    "E07000026": "E06000063",
    "E07000028": "E06000063",
    "E07000029": "E06000063",
    "E07000027": "E06000064",
    "E07000030": "E06000064",
    "E07000031": "E06000064",
    # North Yorkshire, April 2023
    "E07000163": "E06000065",
    "E07000164": "E06000065",
    "E07000165": "E06000065",
    "E07000166": "E06000065",
    "E07000167": "E06000065",
    "E07000168": "E06000065",
    "E07000169": "E06000065",
    # Somerset, April 2023
    "E07000187": "E06000066",
    "E07000188": "E06000066",
    "E07000189": "E06000066",
    "E07000246": "E06000066",
}


def has_source(session: Session, key: str) -> bool:
    """Whether a source with this key is stored: a loader that made its marker
    source has run on this store already."""
    return session.scalar(select(Source.id).where(Source.key == key)) is not None


def get_or_create_source(
    session: Session,
    *,
    key: str,
    publisher: str,
    title: str,
    url: str | None,
    licence: str,
    retrieved: dt.date | None,
    illustrative: bool = False,
    precedence: int = 50,
    edition: str | None = None,
    notes: str | None = None,
) -> Source:
    """The Source with this `key`, created (and flushed, so it has an id) if missing.

    An existing source is returned unchanged: keys are stable identifiers, and a
    loader that runs twice must not rewrite provenance."""
    source = session.scalar(select(Source).where(Source.key == key))
    if source is not None:
        return source
    source = Source(
        key=key,
        publisher=publisher,
        title=title,
        url=url,
        licence=licence,
        retrieved=retrieved,
        illustrative=illustrative,
        precedence=precedence,
        edition=edition,
        reference_date=periods.edition_reference_date(edition),
        notes=notes,
    )
    session.add(source)
    session.flush()
    return source


def area_ids(session: Session) -> dict[str, int]:
    """ONS code -> area id for every area in the store."""
    return {code: id_ for code, id_ in session.execute(select(Area.code, Area.id))}


def measure_ids(session: Session) -> dict[str, int]:
    """Measure code -> measure id."""
    return {
        code: id_ for code, id_ in session.execute(select(Measure.code, Measure.id))
    }


def bulk_insert(session: Session, model: type, rows: list[dict[str, Any]]) -> int:
    """Insert `rows` (dicts of column values) in order, in chunks; returns the count.

    Uses ORM bulk INSERT, which batches into multi-row statements on both SQLite and
    PostgreSQL. Every dict should carry the same keys so the batches stay whole."""
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(model), rows[start : start + _CHUNK])
    return len(rows)


# Populations after the latest estimate (mid-2024) are projected, never the
# latest repeated: a flat denominator made the illustrative years' rates move
# with their counts alone (the England benchmark sat at 3,850 on mid-2020's
# 56.55m from 2020/21 on, before the mid-2021..mid-2024 estimates were loaded).
PROJECTION_YEARS = 3  # the growth of the latest three years of estimates


def project_population(years: dict[int, int], year: int) -> tuple[int, str]:
    """(population for mid-`year`, the rule in words) after the latest estimate:
    the latest estimate grown at its average (compound) annual growth since the
    earliest estimate of the PROJECTION_YEARS years before it; the latest
    estimate, carried forward, when there is none. An illustrative rule, not an
    ONS projection."""
    last = max(years)
    earlier = [y for y in years if last - PROJECTION_YEARS <= y < last]
    first = min(earlier) if earlier else None
    if first is None or years[first] <= 0:
        return years[last], f"the mid-{last} estimate, carried forward"
    growth = (years[last] / years[first]) ** (1 / (last - first)) - 1
    value = round(years[last] * (1 + growth) ** (year - last))
    return value, (
        f"projected from the mid-{last} estimate at its average growth from "
        f"mid-{first} to mid-{last} ({growth:+.2%} a year); not an ONS projection"
    )


def interpolate_population(years: dict[int, int], year: int) -> tuple[int, str]:
    """(population for mid-`year`, the rule in words) between two estimates
    (mid-2021 and mid-2022 by age band are not in the shipped files): a straight
    line between the nearest estimates either side."""
    before = max(y for y in years if y < year)
    after = min(y for y in years if y > year)
    share = (year - before) / (after - before)
    value = round(years[before] + share * (years[after] - years[before]))
    return value, (
        f"interpolated on a straight line between the mid-{before} and "
        f"mid-{after} estimates"
    )
