"""Figures from the ONS offence-group tables (Table P1 by police force area,
Table C2 by Community Safety Partnership), placed on the store's areas.

`offence_values` turns a table read by `data_access.ons_tables` into measure
value rows for one source, and says which rows it could not place. The ONS
workbook import and the shipped-data loader both call it, so a figure from the
same table is written the same way whichever road brings it in.

Placing rows (the shipped lookup, data/reference/lookup_lad24_csp24_pfa24_ons.csv,
is the authority for CSPs and local authorities):
- Table P1: a country, region or force by its ONS code; a row without a code by
  its cleaned name ("ENGLAND AND WALES [note 3]" is England and Wales). Wales as
  a country and British Transport Police are not areas in the store: reported.
- Table C2: a partnership's row goes to its local authority district (the
  table's local authority code, mapped to the December 2024 district when the
  district was since merged, or the lookup's district for the partnership code).
  Several partnerships in one district are added up, and the figure's note names
  them. A partnership covering several districts ("Combined Local Authorities")
  and the "Unassigned" rows cannot be placed on one district: reported. Force
  totals are read from Table P1, not from C2's force rows.
- A published figure that is missing (".." or "[x]") is no row, never 0.
- Where a force has no figure for a measure, the totals above it (its region,
  England, England and Wales) say so in their coverage and use the population
  of the rest as denominator, as the knife import does.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select

from data_access.areas import NATIONAL_CODE
from data_access.models import Area
from data_access.ons_tables import (
    OffenceRow,
    OffenceTable,
    population_for,
    population_table,
)
from data_access.shipped.common import REFERENCE_DIR, SUCCESSOR_LAD

OFFENCE_MEASURES: list[dict] = [
    {
        "code": "possession_of_weapons",
        "name": "Possession of weapons offences (police recorded)",
        "short_name": "Possession of weapons offences",
        "definition": (
            "Offences of possessing an article with a blade or point, an offensive "
            "weapon or a firearm, recorded by the police, from the ONS Police Force "
            "Area data tables (Table P1 by force area, Table C2 by Community Safety "
            "Partnership). Counted where the offence was recorded and shown as a "
            "count and as a rate per 100,000 residents. Evaluations of Violence "
            "Reduction Units use it alongside the three success measures."
        ),
        "unit": "offences",
        "rate_multiplier": 100000,
    },
    {
        "code": "violence_with_injury",
        "name": "Violence with injury (police recorded)",
        "short_name": "Violence with injury",
        "definition": (
            "Violence against the person offences in which the victim was injured "
            "(including homicide, attempted murder and assault with injury), "
            "recorded by the police, from the ONS Police Force Area data tables. "
            "Shown as a count and as a rate per 100,000 residents."
        ),
        "unit": "offences",
        "rate_multiplier": 100000,
    },
    {
        "code": "homicide",
        "name": "Homicide, all methods (police recorded)",
        "short_name": "Homicides",
        "definition": (
            "Homicides (murder, manslaughter, corporate manslaughter and "
            "infanticide) recorded by the police, whatever the method of killing, "
            "from the ONS Police Force Area data tables. Shown as a count and as a "
            "rate per 1,000,000 residents."
        ),
        "unit": "homicides",
        "rate_multiplier": 1000000,
    },
]
OFFENCE_CAVEATS = (
    "Police recorded crime is published as official statistics, not accredited "
    "official statistics: counts depend on how forces record crime, and changes in "
    "recording practice can move them. Figures are for rolling 12-month periods "
    "(year ending March, June, September or December); overlapping periods must not "
    "be added up. Each edition revises earlier periods: every edition is kept and "
    "the latest is current. Community Safety Partnership figures are placed on the "
    "local authority district they cover; partnerships covering several districts "
    "are left out of district figures. Police recorded homicides count the year the "
    "offence was recorded and differ from the Home Office Homicide Index."
)


@dataclass
class PlacedValues:
    rows: list[dict] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@cache
def _lookup() -> tuple[dict[str, str], dict[str, set[str]]]:
    """(district -> force, partnership -> districts) from the shipped lookup."""
    lad_pfa: dict[str, str] = {}
    csp_lads: dict[str, set[str]] = defaultdict(set)
    path = REFERENCE_DIR / "lookup_lad24_csp24_pfa24_ons.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lad_pfa[row["ltla24_code"]] = row["pfa24_code"]
            csp_lads[row["csp24_code"]].add(row["ltla24_code"])
    return lad_pfa, dict(csp_lads)


def norm_name(name: str) -> str:
    """A force or area name as the importers match it: lower case, "&" as "and",
    without "police", "constabulary" or "force" and without punctuation."""
    name = name.lower().replace("&", "and")
    name = re.sub(r"\bpolice\b|\bconstabulary\b|\bforce\b", " ", name)
    return re.sub(r"[^a-z]+", " ", name).strip()


def _district(row: OffenceRow) -> str | None:
    lad_pfa, csp_lads = _lookup()
    code = SUCCESSOR_LAD.get(row.la_code or "", row.la_code or "")
    if code in lad_pfa and (row.pfa_code is None or lad_pfa[code] == row.pfa_code):
        return code
    lads = csp_lads.get(row.csp_code or "", set())
    return next(iter(lads)) if len(lads) == 1 else None


def offence_values(
    session,  # noqa: ANN001
    table: OffenceTable,
    *,
    source_id: int,
    measure_ids: dict[str, int],
    submission_id: int | None = None,
) -> PlacedValues:
    """Measure value rows (dicts of column values, `is_current` False: the caller
    makes the latest edition current) for every placed row of `table`."""
    areas = {
        code: (id_, name, level)
        for code, id_, name, level in session.execute(
            select(Area.code, Area.id, Area.name, Area.level)
        )
    }
    by_name = {
        norm_name(name): code
        for code, (_i, name, level) in areas.items()
        if level in ("country", "region", "pfa")
    }
    population = population_table(session)
    out = PlacedValues()
    placed: dict[str, list[OffenceRow]] = defaultdict(list)
    region_of: dict[str, str] = {}
    region = None
    for row in table.rows:
        if table.kind == "pfa":
            code = row.code if row.code in areas else None
            if row.code is None:
                code = by_name.get(norm_name(row.name))
            if code is None:
                out.unplaced.append(
                    f"{row.name} (row {row.row}): no area in the store has "
                    + (f"the code {row.code}" if row.code else "this name")
                )
                continue
            level = areas[code][2]
            region = (
                code if level == "region" else (None if level == "country" else region)
            )
            if level == "pfa" and region:
                region_of[code] = region
            if placed.get(code):
                out.unplaced.append(
                    f"{row.name} (row {row.row}): a second row for {code}"
                )
                continue
            placed[code].append(row)
        elif row.force_total:
            continue  # force figures come from Table P1
        else:
            lad = _district(row)
            if lad is None or lad not in areas:
                why = (
                    "not a Community Safety Partnership"
                    if row.name.lower().startswith("unassigned")
                    else "covers several local authority districts"
                    if (row.la_code or "").lower().startswith("combined")
                    else "no local authority district in the lookup"
                )
                out.unplaced.append(f"{row.name} (row {row.row}): {why}")
                continue
            placed[lad].append(row)

    year = table.period_start.year
    for measure, measure_id in measure_ids.items():
        if measure not in table.columns:
            continue
        unavailable = {
            code
            for code, rows in placed.items()
            if areas[code][2] == "pfa" and any(r.values[measure] is None for r in rows)
        }
        for code, rows in placed.items():
            values = [r.values[measure] for r in rows]
            if None in values:
                out.missing.append(f"{rows[0].name} ({measure.replace('_', ' ')})")
                continue
            value = sum(values)
            area_id, name, level = areas[code]
            denominator, pop_note = population_for(population, area_id, year)
            notes = []
            coverage = None
            left_out = sorted(
                u
                for u in unavailable
                if (level == "country" and (code == NATIONAL_CODE or u[0] == code[0]))
                or (level == "region" and region_of.get(u) == code)
            )
            if left_out:
                names = [areas[u][1] for u in left_out]
                coverage = f"{name} excluding {' and '.join(names)}"
                parts = [
                    population_for(population, areas[u][0], year)[0] for u in left_out
                ]
                denominator = (
                    None
                    if denominator is None or None in parts
                    else denominator - sum(parts)
                )
                notes.append(
                    f"{coverage}: this edition has no figure for the areas left out, "
                    "so the denominator is the population of the rest."
                )
            if len(rows) > 1:
                notes.append(
                    "Sum of the Community Safety Partnerships "
                    + " and ".join(r.name for r in rows)
                    + f" ({table.sheet})."
                )
            notes.append(pop_note)
            out.rows.append(
                {
                    "measure_id": measure_id,
                    "area_id": area_id,
                    "period_start": table.period_start,
                    "period_end": table.period_end,
                    "age_band": "all",
                    "value": value,
                    "numerator": value,
                    "denominator": denominator,
                    "status": "final",
                    "source_id": source_id,
                    "submission_id": submission_id,
                    "is_current": False,
                    "note": " ".join(n for n in notes if n) or None,
                    "coverage": coverage,
                    "precision": "exact",
                }
            )
    return out
