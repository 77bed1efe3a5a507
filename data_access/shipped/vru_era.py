"""Load the real published files for the VRU era (data/reference/vru-era/).

Runs after `real` (which loads the areas, the older population and the first
four measures) and before the seed and illustrative loaders. What goes in (see
data/reference/vru-era/README.md for each file's provenance):

- population, mid-2021 to mid-2024, for the local authority districts (LADs) of
  the shipped lookup and, as sums of LADs, their force areas, England and
  England and Wales: `population_values`, which `real` merges into its own
  population so that every figure from 2021/22 on has the right year's
  denominator instead of mid-2020's. Mid-2021 and mid-2022 are all ages only
  (MYE4 of the mid-2023 workbook); mid-2023 (MYE2, the July 2024 edition) and
  mid-2024 (MYE2 of the mid-2024 release) are by age band. The two mid-2023
  vintages are not mixed: ONS revised mid-2023 with the mid-2024 release, and
  the shipped mid-2024 file has mid-2024 only, so mid-2023 is the July 2024
  edition and each denominator's note names the estimate it comes from;
- the nine English regions (level "region", parent England), with their
  population mid-2011 to mid-2024 as ONS publishes it for regions;
- three new measures from Table P1 and Table C2 of the ONS Police Force Area data
  tables, year ending June 2025: possession of weapons offences, violence with
  injury and homicide of all methods, by force area, region and country (P1) and
  by local authority district (C2), read by the same reader as the ONS import
  (`data_access.ons_tables`, `data_access.ons_offences`);
- hospital admissions for assault by a sharp object (X99) by English region and
  for England, 2012/13 to 2021/22, from NHS Digital's tabulation for the Home
  Office (`data_access.hes_import` reads it as it reads an uploaded CSV);
- knife or sharp implement homicides by London borough and calendar year,
  2003 to 2022, from the Metropolitan Police homicide dashboard extract (one row
  per victim; 2023 is a part year and is not loaded).

Figures that repeat a key another source already gives (England's HES totals)
are kept beside it; the current one is chosen by the same rule as every edition
(`ons_import.make_latest_editions_current`).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import time
from collections import defaultdict
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.hes_import import find_hes_table, hes_values
from data_access.models import Area, Measure, MeasureValue, Population, Source
from data_access.ons_offences import OFFENCE_CAVEATS, OFFENCE_MEASURES, offence_values
from data_access.ons_tables import find_offence_tables, read_sheets
from data_access.shipped.common import (
    REFERENCE_DIR,
    area_ids,
    bulk_insert,
    measure_ids,
)

log = logging.getLogger(__name__)

VRU_ERA_DIR = REFERENCE_DIR / "vru-era"
P1_FILE = "ons_pfa_tables_ye_jun2025_table_p1.csv"
C2_FILE = "ons_pfa_tables_ye_jun2025_table_c2.csv"
HES_FILE = "nhs_hes_x99_assault_sharp_object_regions_2012_2022.xlsx"
MYE23_FILE = "ons_mid_year_estimates_2023_mye23tablesew.xlsx"
MYE24_FILE = "ons_mid_year_estimates_2024_mye2_persons.csv"
MPS_FILE = "mps_homicides_london_2003_2023.csv"

OGL = "Open Government Licence v3.0"
ONS = "Office for National Statistics"
MYE_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/"
    "estimatesofthepopulationforenglandandwalesmid2023"
)

# Population of mid-years from 2021 on, by file: the estimate each denominator's
# note names.
MYE_SOURCE = {2021: "ons-mye-2023", 2022: "ons-mye-2023", 2023: "ons-mye-2023"}
MYE_SOURCE[2024] = "ons-mye-2024"
FIRST_NEW_YEAR = 2021
# How a denominator's note names the estimate it uses.
ESTIMATE_NAMES = {
    "ons-mye-2023": "ONS mid-year estimates, mid-2023 release of July 2024",
    "ons-mye-2024": "ONS mid-year estimates, mid-2024 release",
}

SOURCES: dict[str, dict] = {
    "ons-pfa-tables-ye-jun-2025": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending June 2025 (Table P1: police recorded crime by offence group and "
        "police force area; Table C2: headline offences by Community Safety "
        "Partnership)",
        "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/"
        "datasets/policeforceareadatatables",
        "licence": OGL,
        "edition": "YE Jun 2025",
        "precedence": 10,
        "notes": "Two sheets of the workbook saved as CSV, carried by GitHub "
        "tom-draper/uk-data-atlas (P1 commit 35ab745c, C2 commit 8718b548); copies in "
        "data/reference/vru-era/.",
    },
    "ons-mye-2023": {
        "publisher": ONS,
        "title": "Population estimates for England and Wales, mid-2023 (July 2024 "
        "edition, 2023 local authority boundaries): MYE2 single year of age, MYE4 "
        "totals mid-2011 to mid-2023",
        "url": MYE_URL,
        "licence": OGL,
        "precedence": 10,
        "notes": "Workbook mye23tablesew.xlsx, carried by GitHub "
        "JuanBlanco9/German-Budget-Galaxy commit 54c09471. ONS revised mid-2023 in its "
        "mid-2024 release; this is the earlier vintage.",
    },
    "ons-mye-2024": {
        "publisher": ONS,
        "title": "Population estimates for England and Wales, mid-2024: MYE2 "
        "persons by single year of age",
        "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/"
        "populationandmigration/populationestimates/datasets/"
        "estimatesofthepopulationforenglandandwales",
        "licence": OGL,
        "precedence": 10,
        "notes": "Sheet 'MYE2 - Persons' of mye24tablesew.xlsx saved as CSV, carried "
        "by GitHub LibrariesHacked/public-libraries-activity-dataset commit 9bed4080.",
    },
    "nhs-digital-hes-x99-regions-2012-2022": {
        "publisher": "NHS Digital",
        "title": "Hospital Episode Statistics: finished admission episodes with "
        "cause X99 (assault by sharp object) by Government Office Region of "
        "residence and month, April 2012 to March 2022 (tabulation for the Home "
        "Office; 2021/22 provisional)",
        "url": "https://digital.nhs.uk/data-and-information/data-tools-and-services/"
        "data-services/hospital-episode-statistics",
        "licence": OGL,
        "precedence": 10,
        "notes": "Sheets GOR-Data-* of UK_Knife_Crime_Workbook.xlsx, carried by "
        "GitHub 112047/UK-Knife-Crime commit 11c2a5ac. Regions rounded to 5 with 1-7 "
        "suppressed by the source; England totals exact.",
    },
    "mps-homicide-dashboard-2003-2023": {
        "publisher": "Metropolitan Police Service",
        "title": "Metropolitan Police homicide dashboard: victims by method of "
        "killing and London borough, 2003 to early 2023",
        "url": "https://www.met.police.uk/sd/stats-and-data/met/homicide-dashboard/",
        "licence": OGL,
        "precedence": 20,
        "notes": "Extract homicides.csv carried by GitHub holliecalley/stCEG commit "
        "194ca915, one row per victim. 2023 is a part year and is not loaded.",
    },
}

MPS_KNIFE = "Knife or Sharp Implement"
MPS_LAST_FULL_YEAR = 2022


def _path(name: str) -> Path:
    return VRU_ERA_DIR / name


@cache
def _mye_rows() -> tuple[tuple[tuple, ...], tuple[tuple, ...], tuple[tuple, ...]]:
    """(MYE4 rows, MYE2 2023 persons rows, MYE2 2024 persons rows): code, name,
    geography, then the figures, as published."""
    from openpyxl import load_workbook

    book = load_workbook(_path(MYE23_FILE), read_only=True, data_only=True)
    try:
        mye4 = tuple(book["MYE4"].iter_rows(values_only=True, max_col=16))
        mye2 = tuple(book["MYE2 - Persons"].iter_rows(values_only=True, max_col=95))
    finally:
        book.close()
    with _path(MYE24_FILE).open(newline="", encoding="utf-8-sig") as handle:
        mye24 = tuple(tuple(r) for r in csv.reader(handle))
    return mye4, mye2, mye24


def _header_index(rows: tuple[tuple, ...]) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == "Code")


def _bands(ages: list[int]) -> dict[str, int]:
    """Age bands from single years 0..89 and 90+ (index = age)."""
    return {
        "all": sum(ages),
        "under25": sum(ages[0:25]),
        "0-9": sum(ages[0:10]),
        "10-17": sum(ages[10:18]),
        "18-24": sum(ages[18:25]),
        "25+": sum(ages[25:]),
        "10-24": sum(ages[10:25]),
    }


@cache
def published_population() -> dict[tuple[str, int, str], int]:
    """(code, mid_year, band) -> population as published, for every geography
    in the files (LADs, counties, regions, countries), mid-2011 to mid-2024.
    Mid-2011..2022 all ages only; mid-2023 and mid-2024 by band."""
    mye4, mye2, mye24 = _mye_rows()
    values: dict[tuple[str, int, str], int] = {}
    head = _header_index(mye4)
    years = [int(str(c).split("-")[1]) for c in mye4[head][3:] if c]
    for row in mye4[head + 1 :]:
        if not row or not row[0]:
            continue
        for year, value in zip(years, row[3:], strict=False):
            if value is not None:
                values[(row[0], year, "all")] = int(value)
    for rows, year in ((mye2, 2023), (mye24, 2024)):
        head = _header_index(rows)
        for row in rows[head + 1 :]:
            if not row or not row[0]:
                continue
            ages = [int(v) for v in row[4:95]]
            if len(ages) != 91 or int(row[3]) != sum(ages):
                raise ValueError(f"{row[0]} mid-{year}: ages do not add to all ages")
            for band, value in _bands(ages).items():
                values[(row[0], year, band)] = value
    return values


def population_values(
    lad_to_pfa: dict[str, str],
) -> tuple[dict[tuple[str, int, str], int], dict[tuple[str, int, str], str]]:
    """(values, source key) for mid-2021 to mid-2024: every LAD of the lookup, and
    its force area, England and England and Wales as sums of LADs (the published
    totals add up exactly: checked in the tests)."""
    published = published_population()
    sums: dict[tuple[str, int, str], int] = defaultdict(int)
    for (code, year, band), value in published.items():
        if year < FIRST_NEW_YEAR or code not in lad_to_pfa:
            continue
        country = ENGLAND_CODE if code.startswith("E") else None
        for area in (code, lad_to_pfa[code], country, NATIONAL_CODE):
            if area:
                sums[(area, year, band)] += value
    for year in range(FIRST_NEW_YEAR, 2025):
        if (NATIONAL_CODE, year, "all") not in sums:
            raise ValueError(f"no LAD population for mid-{year}")
    return dict(sums), {key: MYE_SOURCE[key[1]] for key in sums}


def is_loaded(session: Session) -> bool:
    return (
        session.scalar(
            select(Measure.id).where(Measure.code == "possession_of_weapons")
        )
        is not None
    )


def load(session: Session) -> dict[str, int]:
    """Load the VRU-era files; a no-op on a store that has them."""
    if is_loaded(session):
        return {}
    started = time.perf_counter()
    sources = {
        key: session.scalar(select(Source.id).where(Source.key == key))
        for key in SOURCES
    }
    if None in sources.values():
        raise ValueError("the VRU-era sources are created by the real loader first")
    counts = {"area": _load_regions(session, sources)}
    counts["population"] = _load_region_population(session, sources)
    counts["measure"] = _load_measures(session, sources)
    ids = measure_ids(session)
    rows: list[dict] = []
    sheets = read_sheets(_path(P1_FILE).read_bytes(), P1_FILE) + read_sheets(
        _path(C2_FILE).read_bytes(), C2_FILE
    )
    wanted = {m["code"]: ids[m["code"]] for m in OFFENCE_MEASURES}
    for table in find_offence_tables(sheets):
        placed = offence_values(
            session,
            table,
            source_id=sources["ons-pfa-tables-ye-jun-2025"],
            measure_ids=wanted,
        )
        rows += placed.rows
    hes = find_hes_table(read_sheets(_path(HES_FILE).read_bytes(), HES_FILE))
    if hes is None:
        raise ValueError(f"{HES_FILE}: the X99 totals table was not found")
    rows += hes_values(
        session,
        hes,
        source_id=sources["nhs-digital-hes-x99-regions-2012-2022"],
        measure_id=ids["hospital_admissions_knife"],
    ).rows
    rows += _mps_knife_homicides(session, sources, ids["homicide_knife"])
    counts["measure_value"] = bulk_insert(session, MeasureValue, rows)
    session.flush()
    _make_current(session, sources)
    log.info("loaded VRU-era data in %.1f s: %s", time.perf_counter() - started, counts)
    return counts


def _make_current(session: Session, sources: dict[str, int | None]) -> None:
    from data_access.ons_import import make_latest_editions_current

    ids = list(
        session.scalars(
            select(MeasureValue.id).where(
                MeasureValue.source_id.in_(
                    [sources["ons-pfa-tables-ye-jun-2025"]]
                    + [sources["nhs-digital-hes-x99-regions-2012-2022"]]
                    + [sources["mps-homicide-dashboard-2003-2023"]]
                )
            )
        )
    )
    make_latest_editions_current(session, ids)


@cache
def _p1_regions() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, name, force codes) of each English region, in Table P1's order
    (a region's row is followed by its forces' rows)."""
    sheets = read_sheets(_path(P1_FILE).read_bytes(), P1_FILE)
    (table,) = find_offence_tables(sheets)
    regions: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    for row in table.rows:
        code = row.code or ""
        if code.startswith("E12"):
            current = []
            regions.append((code, row.name, current))
        elif code.startswith("E23") and current is not None:
            current.append(code)
        else:  # a country (England, Wales) or British Transport Police
            current = None
    return tuple((c, n, tuple(f)) for c, n, f in regions if c)


def region_forces() -> dict[str, tuple[str, ...]]:
    """Region code -> the force areas in it (Table P1's grouping)."""
    return {code: forces for code, _name, forces in _p1_regions()}


def _load_regions(session: Session, sources: dict[str, int | None]) -> int:
    england = session.scalar(select(Area.id).where(Area.code == ENGLAND_CODE))
    regions = _p1_regions()
    if len(regions) != 9:
        raise ValueError("Table P1 does not list the nine English regions")
    bulk_insert(
        session,
        Area,
        [
            {
                "code": code,
                "name": name,
                "level": "region",
                "parent_id": england,
                "is_vru": False,
                "vru_start_year": None,
                "source_id": sources["ons-pfa-tables-ye-jun-2025"],
            }
            for code, name, _forces in regions
        ],
    )
    return len(regions)


def _load_region_population(session: Session, sources: dict[str, int | None]) -> int:
    codes = area_ids(session)
    regions = [code for code, _n, _f in _p1_regions()]
    rows = [
        {
            "area_id": codes[code],
            "mid_year": year,
            "age_band": band,
            "value": value,
            "source_id": sources["ons-mye-2024" if year == 2024 else "ons-mye-2023"],
        }
        for (code, year, band), value in sorted(published_population().items())
        if code in regions
    ]
    return bulk_insert(session, Population, rows)


def _load_measures(session: Session, sources: dict[str, int | None]) -> int:
    for spec in OFFENCE_MEASURES:
        session.add(
            Measure(
                **spec,
                polarity="lower_is_better",
                category="outcome",
                ci_method="byar",
                disclosure_rule="none",
                period_type="rolling_year",
                coverage="England and Wales",
                success_measure_rank=None,
                caveats=OFFENCE_CAVEATS,
                tier=None,
                is_public=True,
                source_id=sources["ons-pfa-tables-ye-jun-2025"],
            )
        )
    session.flush()
    return len(OFFENCE_MEASURES)


@cache
def _mps_counts() -> tuple[dict[tuple[str, int], int], tuple[str, ...]]:
    """(borough, year) -> knife or sharp implement victims, and every borough."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    boroughs: set[str] = set()
    with _path(MPS_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            boroughs.add(row["Borough"])
            if row["Method_of_Killing"] == MPS_KNIFE:
                counts[(row["Borough"], int(row["Year"]))] += 1
    return dict(counts), tuple(sorted(boroughs))


def _mps_knife_homicides(
    session: Session, sources: dict[str, int | None], measure_id: int
) -> list[dict]:
    from data_access.ons_offences import norm_name

    london = {
        norm_name(name): (id_, code)
        for id_, code, name in session.execute(
            select(Area.id, Area.code, Area.name).where(
                Area.level == "lad", Area.code.like("E09%")
            )
        )
    }
    population = {
        (area_id, year): (value, title)
        for area_id, year, value, title in session.execute(
            select(
                Population.area_id, Population.mid_year, Population.value, Source.title
            )
            .join(Source, Source.id == Population.source_id)
            .where(Population.age_band == "all")
        )
    }
    counts, boroughs = _mps_counts()
    # Before mid-2019 (the store's first LAD population) a borough's rate uses
    # the mid-2023 workbook's MYE4 back series, mid-2011 on; earlier years have
    # no rate. Only these rows use it: the store's population is not changed.
    back_series = published_population()
    back_title = SOURCES["ons-mye-2023"]["title"] + ", MYE4 back series"
    rows = []
    for borough in boroughs:
        key = norm_name(borough)
        if key not in london:
            raise ValueError(f"{MPS_FILE}: borough {borough!r} is not a London LAD")
        area_id, code = london[key]
        for year in range(2003, MPS_LAST_FULL_YEAR + 1):
            value = counts.get((borough, year), 0)
            denominator, title = population.get((area_id, year), (None, None))
            if denominator is None and (code, year, "all") in back_series:
                denominator, title = back_series[(code, year, "all")], back_title
            pop_note = (
                f"Denominator: mid-{year} population ({title})."
                if denominator is not None
                else f"No mid-{year} population for this borough is in the store, so "
                "no rate is shown."
            )
            rows.append(
                {
                    "measure_id": measure_id,
                    "area_id": area_id,
                    "period_start": dt.date(year, 1, 1),
                    "period_end": dt.date(year, 12, 31),
                    "age_band": "all",
                    "value": value,
                    "numerator": value,
                    "denominator": denominator,
                    "status": "final",
                    "source_id": sources["mps-homicide-dashboard-2003-2023"],
                    "submission_id": None,
                    "is_current": False,
                    "note": (
                        "Victims of homicide in the borough whose method of killing "
                        "was 'Knife or Sharp Implement', by calendar year, as the "
                        "Metropolitan Police homicide dashboard records them "
                        "(including domestic homicides). " + pop_note
                    ),
                    "coverage": None,
                    "precision": "exact",
                }
            )
    return rows
