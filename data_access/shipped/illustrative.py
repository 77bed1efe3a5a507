"""Illustrative figures where nothing is published, generated deterministically.

Every row added here points at ONE source, key "illustrative" (`illustrative=True`,
publisher "VRU Outcomes Monitor (generated)"), so the app can label it "Illustrative
data" wherever it is shown. Nothing here is official; the levels are plausible only
because they are anchored on the real published figures already in the store.

What `load(session)` adds (after `real.load` and `seeds.load`):

- workstreams (3-6, purpose "Illustrative: ...") for VRUs the seeds give none, and
  interventions (8-12 across the three tiers, provider "Illustrative provider",
  description "Illustrative: ...") for VRUs the seeds give none;
Every series runs up to the last complete quarter before the load date
(data_access.clock.today(), or VRU_AS_AT: see `Span`), called "the last quarter"
below; loaded on 22 November 2025 that is 2025/26 Q2. The same date gives the same
figures.

- an annual Home Office VRU allocation (precision approx) for each VRU and year from
  its start to the last quarter's year with no published figure, then the
  precedence rule again;
- spend by VRU, intervention (or the core unit: no intervention), financial year and
  quarter, 2019/20 to the last quarter: each complete year 86-99.5% of the preferred
  allocation, skewed towards Q4 (the 31 March deadline);
- intervention outputs by quarter (young people supported, all ages and under 25,
  referrals, sessions, completions, staff trained as suit the tier);
- the activity summary tables rebuilt from all current outputs and spend
  (data_access/activity/summaries.py), which the prevention and overview readers use;
- force-level success measures after the real series end: knife offences by quarter
  2019/20 Q1 - the last quarter for the 42 forces of the quarterly series (each
  force's real level and seasonality, calibrated to its published rolling years),
  hospital admissions (England's forces; all ages and under 25) and knife homicides
  by financial year 2016/17 - the last complete year (national published totals
  split across forces; assumed national totals carried forward past the last one),
  and LAD knife offences by quarter 2016/17 - the last quarter for the 20 VRU
  areas, apportioned so that the LADs add up exactly to the force;
- for every workstream 2-3 measures (`ws_<vru>_<nn>_<metric>`, not public), their
  quarterly values 2019/20 - the last quarter (some workstreams miss the last
  quarter or two) and targets per financial year.

Determinism: every random draw comes from `numpy.random.default_rng` seeded with
SEED and `zlib.crc32` of a text key naming what is drawn (area code, intervention
name, ...), never Python's `hash()`; rows are built in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import clock
from data_access.activity.summaries import refresh_activity_summaries
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.models import (
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    Population,
    Source,
    Spend,
    Target,
    Workstream,
    WorkstreamMeasure,
)
from data_access.money.precedence import (
    FUNDER_HOME_OFFICE,
    PROGRAMME_VRU,
    PROGRAMME_VRU_3YR,
    apply_precedence,
)
from data_access.periods import (
    financial_year_of,
    fy_bounds,
    fy_label,
    quarter_bounds,
    quarter_of,
)
from data_access.returns.spec import started_quarters
from data_access.shipped.common import (
    bulk_insert,
    get_or_create_source,
    has_source,
    interpolate_population,
    project_population,
    read_reference,
)
from data_access.shipped.seeds import AVON_SPOKES

log = logging.getLogger(__name__)

SEED = 20190812  # the day the 2019/20 VRU allocations were announced
SOURCE_KEY = "illustrative"
ILLUSTRATIVE_PROVIDER = "Illustrative provider"

FIRST_QUARTER = (2019, 1)
LAD_KNIFE_FIRST_YEAR = 2016
FORCE_FIRST_YEAR = 2016  # HES and homicide by force: 2016/17 to the last full year


@dataclass(frozen=True)
class Span:
    """How far the generated figures run: up to the last complete quarter before
    the date they are loaded (data_access.clock.today(), VRU_AS_AT), so a fresh
    demonstration is current. The same date always gives the same figures."""

    last_quarter: tuple[int, int]

    @classmethod
    def before(cls, day: dt.date) -> Span:
        # The quarter before the one under way: returns.spec's previous quarter.
        return cls(_quarter_of_date(started_quarters(day, 2)[1]))

    @property
    def last_full_year(self) -> int:
        """The last financial year with all four quarters."""
        year, quarter = self.last_quarter
        return year if quarter == 4 else year - 1

    @property
    def provisional_from(self) -> dt.date:
        """Figures for the latest four quarters are provisional."""
        year, quarter = self.last_quarter
        if quarter == 4:
            return quarter_bounds(year, 1)[0]
        return quarter_bounds(year - 1, quarter + 1)[0]

    @property
    def force_years(self) -> range:
        """Financial years of the by-force yearly measures."""
        return range(FORCE_FIRST_YEAR, self.last_full_year + 1)

    def status(self, period_end: dt.date) -> str:
        return "provisional" if period_end >= self.provisional_from else "final"


def _for_year(table: dict, year: int):
    """A year's entry in a per-year table, or the latest earlier one carried
    forward (the figures run as far as the load date)."""
    return table[year] if year in table else table[max(y for y in table if y <= year)]


AVON_AND_SOMERSET = "E23000036"
THAMES_VALLEY = "E23000029"

# Knife offences, E&W, relative to 2018/19 (ONS headlines: +6% in 2019/20, a fall
# in the pandemic year, then back towards the 2019/20 level).
KNIFE_YEAR_FACTOR = {
    2019: 1.06,
    2020: 1.02,
    2021: 0.94,
    2022: 0.985,
    2023: 1.01,
    2024: 0.99,
    2025: 0.965,
}
# Lockdowns: April-June 2020, November 2020, January-March 2021.
COVID_FACTOR = {(2020, 1): 0.78, (2020, 3): 0.95, (2020, 4): 0.88}

# National totals used where the store has no published figure for the year.
HES_ASSUMED = {
    2016: (4430, "assumed level between the 2014/15 low and 2017/18"),
    2021: (4171, "derived: 2022/23 (3,775) was 9.5% lower than 2021/22"),
    2024: (3850, "assumed, close to 2022/23 and 2023/24"),
}
HOMICIDE_ASSUMED = {
    2016: (215, "assumed level below 2017/18"),
    2024: (230, "assumed, below 2023/24"),
}

# Home Office VRU funding per VRU relative to 2020/21 (national VRU budget: £35m
# for 18 areas in 2019/20-2021/22, £64m for 20 in 2022/23, £55m in 2023/24;
# published 2023/24 amounts are 1.30-1.36 times the 2020/21 ones).
FUNDING_YEAR_FACTOR = {
    2019: 1.0,
    2020: 1.0,
    2021: 1.01,
    2022: 1.45,
    2023: 1.36,
    2024: 1.36,
    2025: 1.36,
}

SOURCE_NOTES = (
    "Generated by the VRU Outcomes Monitor so that the dashboard can be shown "
    "working before real returns are submitted. Not official statistics and not "
    "for publication. Levels are anchored on the real published figures in the "
    "store (force knife offences, national hospital admissions and homicides, "
    "published allocations); the random parts come from numpy default_rng seeded "
    f"with {SEED} and a CRC-32 of the area or item code, so every load gives the "
    "same figures."
)


def _rng(*parts: object) -> np.random.Generator:
    """A generator for one named draw: the same name always gives the same numbers."""
    key = "|".join(str(part) for part in parts).encode("utf-8")
    return np.random.default_rng([SEED, zlib.crc32(key)])


def _quarters(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    year, quarter = first
    while (year, quarter) <= last:
        out.append((year, quarter))
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return out


def _quarter_of_date(day: dt.date) -> tuple[int, int]:
    return financial_year_of(day), quarter_of(day)


def _slug(text: str, limit: int = 20) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")


def _largest_remainder(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to `weights` that add up exactly to `total`."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return [0] * len(weights)
    exact = total * weights / weights.sum()
    floors = np.floor(exact).astype(int)
    short = total - int(floors.sum())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return [int(v) for v in floors]


# ---------------------------------------------------------------------------
# Context read from the store
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    is_vru: bool
    start: int | None


class _Store:
    """What the generators need from the store, read once."""

    def __init__(self, session: Session, span: Span):
        self.session = session
        self.span = span
        rows = session.execute(
            select(
                Area.id,
                Area.code,
                Area.name,
                Area.level,
                Area.parent_id,
                Area.is_vru,
                Area.vru_start_year,
            ).order_by(Area.code)
        ).all()
        self.by_code = {r[1]: _Area(*r) for r in rows}
        self.by_id = {a.id: a for a in self.by_code.values()}
        self.pfas = [a for a in self.by_code.values() if a.level == "pfa"]
        self.vrus = [a for a in self.pfas if a.is_vru]
        self.lads: dict[int, list[_Area]] = defaultdict(list)
        for area in self.by_code.values():
            if area.level == "lad" and area.parent_id is not None:
                self.lads[area.parent_id].append(area)

        self.population: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
        for area_id, year, band, value in session.execute(
            select(
                Population.area_id,
                Population.mid_year,
                Population.age_band,
                Population.value,
            )
        ):
            self.population[(area_id, band)][year] = value

        self.measures = dict(session.execute(select(Measure.code, Measure.id)).all())
        self.current: dict[tuple, float] = {}
        for m, a, s, e, b, v in session.execute(
            select(
                MeasureValue.measure_id,
                MeasureValue.area_id,
                MeasureValue.period_start,
                MeasureValue.period_end,
                MeasureValue.age_band,
                MeasureValue.value,
            ).where(MeasureValue.is_current.is_(True))
        ):
            self.current[(m, a, s, e, b)] = v

    def pop(self, area_id: int, year: int, band: str = "all") -> tuple[int | None, str]:
        """Population for mid-`year`: the estimate where there is one; after the
        latest, projected (`project_population`); between two, interpolated
        (`interpolate_population`); before the earliest, the earliest. The note
        says which."""
        years = self.population.get((area_id, band), {})
        if year in years:
            return years[year], ""
        if not years:
            return None, "No population is available for a denominator."
        label = (
            "all ages" if band == "all" else f"aged {band.replace('under', 'under ')}"
        )
        if min(years) < year:
            rule = project_population if year > max(years) else interpolate_population
            value, words = rule(years, year)
            return value, f"Denominator: mid-{year} population ({label}), {words}."
        first = min(years)
        return years[first], (
            f"Denominator: mid-{first} population ({label}), the earliest "
            f"available, used for mid-{year}."
        )

    def value(self, code: str, area_id: int, start, end, band="all") -> float | None:
        return self.current.get((self.measures[code], area_id, start, end, band))


# ---------------------------------------------------------------------------
# Workstreams and interventions
# ---------------------------------------------------------------------------

# theme -> (workstream name, lead role, purpose, outcomes)
THEMES: dict[str, tuple[str, str, str, str]] = {
    "education": (
        "Education and schools",
        "VRU Education Lead",
        "work with schools, colleges and alternative provision to keep young people "
        "safe, in education and away from violence",
        "fewer exclusions; more pupils reached by violence prevention sessions; "
        "school staff confident to spot and refer risk",
    ),
    "health": (
        "Health and A&E pathways",
        "VRU Health Lead",
        "use contacts with A&E, GPs and the NHS to reach people injured by or at "
        "risk of violence at a 'teachable moment'",
        "more referrals from health settings; fewer re-attendances for violent injury",
    ),
    "communities": (
        "Communities and voluntary sector",
        "VRU Community Engagement Lead",
        "fund and support community organisations to lead local prevention work",
        "more residents and young people taking part; community-led projects sustained",
    ),
    "justice": (
        "Youth justice and diversion",
        "VRU Criminal Justice Lead",
        "divert young people from the criminal justice system and support those "
        "already in it",
        "more young people diverted; lower re-offending among those supported",
    ),
    "families": (
        "Families and early years",
        "VRU Early Intervention Lead",
        "support parents and families early, where adverse childhood experiences "
        "put children at risk",
        "more families supported; more cases closed with a positive outcome",
    ),
    "exploitation": (
        "Exploitation and county lines",
        "VRU Exploitation Lead",
        "identify and support children at risk of criminal exploitation",
        "children at risk identified earlier; fewer missing episodes",
    ),
    "data": (
        "Data, insight and evaluation",
        "VRU Head of Insight",
        "share partners' data, keep the problem profile current and evaluate what "
        "works",
        "more partner data shared; insight products that shape commissioning",
    ),
    "workforce": (
        "Trauma-informed workforce",
        "VRU Workforce Development Lead",
        "train professionals across agencies in trauma-informed practice",
        "more professionals trained; organisations with trauma-informed plans",
    ),
    "vawg": (
        "Domestic abuse and violence against women and girls",
        "VRU Domestic Abuse Lead",
        "prevent domestic abuse and violence against women and girls and support "
        "victims",
        "more victims supported; less repeat victimisation",
    ),
    "sport": (
        "Sport, youth work and positive activities",
        "VRU Youth Engagement Lead",
        "offer young people positive activities and trusted adults in their "
        "neighbourhoods",
        "more young people taking part in positive activities",
    ),
}

# (name, theme, what it is)
INTERVENTION_POOL: dict[str, list[tuple[str, str, str]]] = {
    "primary": [
        (
            "School-based mentors in violence prevention",
            "education",
            "older pupils trained to mentor younger ones",
        ),
        (
            "Healthy relationships lessons in schools",
            "education",
            "classroom sessions",
        ),
        (
            "Knife crime awareness workshops",
            "education",
            "workshops in schools and youth clubs",
        ),
        (
            "Detached youth work in hotspot areas",
            "sport",
            "youth workers on the streets where violence is concentrated",
        ),
        (
            "Community sport and physical activity sessions",
            "sport",
            "free evening and weekend sessions",
        ),
        ("Parenting support programme", "families", "group programme for parents"),
        (
            "Trauma-informed practice training for professionals",
            "workforce",
            "training across agencies",
        ),
        (
            "Community grants for violence prevention",
            "communities",
            "small grants to local groups",
        ),
        (
            "Bystander intervention training",
            "education",
            "training for young people and night-time economy staff",
        ),
        (
            "Summer holiday activity programme",
            "sport",
            "activities in the school holidays",
        ),
    ],
    "secondary": [
        (
            "Youth workers in pupil referral units",
            "education",
            "youth workers based in alternative provision",
        ),
        (
            "Mentoring for pupils at risk of exclusion",
            "education",
            "one-to-one mentoring",
        ),
        (
            "Family support for children at risk of exploitation",
            "families",
            "key workers for families",
        ),
        (
            "Domestic abuse identification and referral in GP practices",
            "vawg",
            "training and referral pathway in primary care",
        ),
        (
            "Child exploitation early help navigators",
            "exploitation",
            "navigators working with children showing signs of exploitation",
        ),
        (
            "Targeted mentoring for young people at risk",
            "communities",
            "mentoring by trained community mentors",
        ),
        (
            "Transition support into secondary school",
            "education",
            "support for children at risk moving to secondary school",
        ),
        (
            "Therapeutic support after adverse childhood experiences",
            "families",
            "therapeutic sessions for children and parents",
        ),
        (
            "Behaviour change campaign for young people",
            "communities",
            "targeted social media and peer campaign",
        ),
    ],
    "tertiary": [
        (
            "A&E youth navigators",
            "health",
            "youth workers in emergency departments",
        ),
        (
            "Custody diversion",
            "justice",
            "workers in custody suites diverting young people to support",
        ),
        (
            "Major trauma centre violence intervention",
            "health",
            "support for patients admitted with violent injuries",
        ),
        (
            "Gang exit and resettlement support",
            "exploitation",
            "intensive support for people leaving gangs",
        ),
        (
            "Focused deterrence programme",
            "justice",
            "enforcement and support offer to groups involved in violence",
        ),
        (
            "Intensive mentoring in the youth justice service",
            "justice",
            "mentoring for young people under youth justice supervision",
        ),
        (
            "Support for young victims of knife crime",
            "health",
            "caseworkers for young victims",
        ),
        (
            "Prison leavers' resettlement mentoring",
            "justice",
            "through-the-gate mentoring",
        ),
        (
            "Domestic abuse perpetrator programme",
            "vawg",
            "behaviour change programme for perpetrators",
        ),
    ],
}

# Thames Valley: the three areas its VRU brings together (seed 003), by LAD code.
THAMES_VALLEY_COUNTIES = {
    "Berkshire": (
        "E06000036",
        "E06000037",
        "E06000038",
        "E06000039",
        "E06000040",
        "E06000041",
    ),
    "Buckinghamshire": ("E06000060", "E06000042"),
    "Oxfordshire": ("E07000177", "E07000178", "E07000179", "E07000180", "E07000181"),
}

# Seeded workstreams -> the theme of their illustrative measures.
SEEDED_WORKSTREAM_THEMES = {
    "First 1000 Days": "families",
    "Awareness Raising and Prevention Programme": "communities",
    "Multi-Agency Violent Reduction and Intervention Team": "justice",
    "Accident and Emergency Navigators": "health",
    "Lancashire Divert Programme": "justice",
    "Prisons and Prisoner's Families": "prisons",
}


@dataclass
class _Intervention:
    id: int
    vru: _Area
    name: str
    tier: str
    first: tuple[int, int]
    last: tuple[int, int]


# When a VRU's illustrative workstreams do not include an intervention's theme.
THEME_FALLBACK = {
    "sport": "communities",
    "communities": "sport",
    "vawg": "families",
    "families": "vawg",
    "workforce": "education",
    "education": "workforce",
    "exploitation": "justice",
    "justice": "exploitation",
    "health": "justice",
}


def _intervention_picks(vru: _Area) -> list[tuple[str, str, str, str]]:
    """(tier, name, theme, what) of a VRU's illustrative interventions: 3-4 a tier."""
    rng = _rng("intervention-picks", vru.code)
    picks = []
    for tier in ("primary", "secondary", "tertiary"):
        pool = INTERVENTION_POOL[tier]
        n = int(rng.integers(3, 5))
        for k in sorted(rng.choice(len(pool), size=n, replace=False)):
            picks.append((tier, *pool[int(k)]))
    return picks


def _workstream_themes(vru: _Area, rng: np.random.Generator, picks: list) -> list:
    """3-6 themes: those of the VRU's illustrative interventions (most used first),
    then data and insight; random ones when its interventions are seeded."""
    if not picks:
        count = int(rng.integers(3, 7))
        return [str(t) for t in rng.choice(sorted(THEMES), size=count, replace=False)]
    used: dict[str, int] = defaultdict(int)
    for _tier, _name, theme, _what in picks:
        used[theme] += 1
    ranked = sorted(used, key=lambda t: (-used[t], t))
    # The most used theme of each tier first, so every tier has a home.
    chosen: list[str] = []
    for tier in ("primary", "secondary", "tertiary"):
        themes = [theme for t, _n, theme, _w in picks if t == tier]
        best = min(themes, key=lambda t: (-themes.count(t), -used[t], t))
        if best not in chosen:
            chosen.append(best)
    size = max(len(chosen), int(rng.integers(3, 6)))
    chosen += [t for t in ranked if t not in chosen][: size - len(chosen)]
    return chosen + ["data"]


def _illustrative_workstreams(
    session: Session,
    store: _Store,
    source_id: int,
    seeded: set[int],
    seeded_interventions: set[int],
) -> None:
    rows = []
    for vru in store.vrus:
        if vru.id in seeded:
            continue
        rng = _rng("workstreams", vru.code)
        if vru.code == THAMES_VALLEY:
            for county, lads in THAMES_VALLEY_COUNTIES.items():
                names = ", ".join(
                    store.by_code[c].name for c in lads if c in store.by_code
                )
                rows.append(
                    {
                        "vru_area_id": vru.id,
                        "name": f"{county} partnership",
                        "purpose": (
                            "Illustrative: the Thames Valley VRU's work with partners "
                            f"in {county} ({names}), one of the three areas the OPCC "
                            "brings together (Thames Valley OPCC, 'VRUs in focus')."
                        ),
                        "lead_role": f"VRU Partnership Lead ({county})",
                        "outcomes": "Illustrative: local initiatives commissioned and "
                        "young people engaged across the area.",
                        "source_id": source_id,
                    }
                )
            themes = ["data"]
        else:
            picks = [] if vru.id in seeded_interventions else _intervention_picks(vru)
            themes = _workstream_themes(vru, rng, picks)
        for theme in themes:
            name, lead, purpose, outcomes = THEMES[theme]
            rows.append(
                {
                    "vru_area_id": vru.id,
                    "name": name,
                    "purpose": f"Illustrative: {purpose}.",
                    "lead_role": lead,
                    "outcomes": f"Illustrative: {outcomes}.",
                    "source_id": source_id,
                }
            )
    session.add_all([Workstream(**row) for row in rows])
    session.flush()


def _theme_of_workstream(name: str) -> str:
    for theme, (ws_name, *_rest) in THEMES.items():
        if name == ws_name:
            return theme
    if name in SEEDED_WORKSTREAM_THEMES:
        return SEEDED_WORKSTREAM_THEMES[name]
    if name.startswith("Hub:"):
        return "hub"
    if name.startswith("Spoke:") or name.endswith(" partnership"):
        return "spoke"
    return "communities"


def _illustrative_interventions(
    session: Session, store: _Store, source_id: int, seeded: set[int]
) -> None:
    workstreams: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for ws_id, area_id, name in session.execute(
        select(Workstream.id, Workstream.vru_area_id, Workstream.name).order_by(
            Workstream.id
        )
    ):
        workstreams[area_id].append((ws_id, name))

    rows = []
    for vru in store.vrus:
        if vru.id in seeded:
            continue
        rng = _rng("interventions", vru.code)
        vru_ws = workstreams.get(vru.id, [])
        by_theme = {_theme_of_workstream(n): i for i, n in vru_ws}
        by_name = {n: i for i, n in vru_ws}
        lads = store.lads.get(vru.id, [])
        picks = _intervention_picks(vru)
        start_year = max(vru.start or 2019, 2019)
        for index, (tier, name, theme, what) in enumerate(picks):
            # Where it is delivered and which workstream it belongs to.
            if vru.code == AVON_AND_SOMERSET:
                code, label = AVON_SPOKES[index % len(AVON_SPOKES)]
                delivering = store.by_code[code].id
                ws_id = by_name.get(f"Spoke: {label} VRU")
            elif vru.code == THAMES_VALLEY:
                county = sorted(THAMES_VALLEY_COUNTIES)[index % 3]
                codes = THAMES_VALLEY_COUNTIES[county]
                code = codes[int(rng.integers(0, len(codes)))]
                delivering = store.by_code[code].id
                ws_id = by_name.get(f"{county} partnership")
            else:
                if lads and rng.random() < 0.6:
                    delivering = lads[int(rng.integers(0, len(lads)))].id
                else:
                    delivering = vru.id
                ws_id = by_theme.get(theme, by_theme.get(THEME_FALLBACK.get(theme)))
            # When it ran.
            draw = rng.random()
            if start_year == 2019:
                first = (
                    (2019, 3)
                    if draw < 0.5
                    else (2020, 1)
                    if draw < 0.8
                    else (2020 + int(rng.integers(0, 3)), int(rng.integers(1, 5)))
                )
            else:
                first = (start_year, 1) if draw < 0.6 else (start_year, 3)
            end = None
            if rng.random() < 0.15 and first[0] + 2 <= 2023:
                end = fy_bounds(int(rng.integers(first[0] + 2, 2024)))[1]
            where = store.by_id[delivering].name
            rows.append(
                {
                    "vru_area_id": vru.id,
                    "name": name,
                    "tier": tier,
                    "workstream_id": ws_id,
                    "delivering_area_id": delivering,
                    "provider": ILLUSTRATIVE_PROVIDER,
                    "description": (
                        f"Illustrative: a generic {tier} prevention programme type "
                        f"({what}) delivered in {where}; not a real intervention of "
                        f"the {vru.name} VRU."
                    ),
                    "start_date": quarter_bounds(*first)[0],
                    "end_date": end,
                    "evidence_rating": None,
                    "source_id": source_id,
                }
            )
    session.add_all([Intervention(**row) for row in rows])
    session.flush()


def _all_interventions(session: Session, store: _Store) -> list[_Intervention]:
    out = []
    for iid, area_id, name, tier, start, end in session.execute(
        select(
            Intervention.id,
            Intervention.vru_area_id,
            Intervention.name,
            Intervention.tier,
            Intervention.start_date,
            Intervention.end_date,
        ).order_by(Intervention.id)
    ):
        vru = store.by_id[area_id]
        # Seeded interventions have no dates: from the first VRU autumn.
        first = _quarter_of_date(start) if start else (max(vru.start or 2019, 2019), 3)
        if vru.start and vru.start > 2019 and not start:
            first = (vru.start, 1)
        last_quarter = store.span.last_quarter
        last = min(_quarter_of_date(end), last_quarter) if end else last_quarter
        out.append(_Intervention(iid, vru, name, tier, max(first, FIRST_QUARTER), last))
    return out


# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------


def _annual_allocations(session: Session, *, illustrative: bool | None = None) -> dict:
    """(area_id, year) -> amount of the preferred (or all real) annual VRU grants."""
    query = (
        select(
            FundingAllocation.area_id,
            FundingAllocation.financial_year,
            FundingAllocation.amount,
        )
        .join(Source, Source.id == FundingAllocation.source_id)
        .where(
            FundingAllocation.funder == FUNDER_HOME_OFFICE,
            FundingAllocation.programme == PROGRAMME_VRU,
            FundingAllocation.intervention_id.is_(None),
        )
    )
    if illustrative is None:
        query = query.where(FundingAllocation.is_preferred.is_(True))
    else:
        query = query.where(Source.illustrative.is_(illustrative))
    out: dict[tuple[int, int], Decimal] = {}
    for area_id, year, amount in session.execute(query):
        out.setdefault((area_id, year), Decimal(amount))
    return out


def _illustrative_allocations(
    session: Session, store: _Store, source_id: int
) -> list[dict]:
    real = _annual_allocations(session, illustrative=False)
    settlements = {
        area_id: (year, Decimal(amount))
        for area_id, year, amount in session.execute(
            select(
                FundingAllocation.area_id,
                FundingAllocation.financial_year,
                FundingAllocation.amount,
            )
            .where(
                FundingAllocation.programme == PROGRAMME_VRU_3YR,
                FundingAllocation.funder == FUNDER_HOME_OFFICE,
                FundingAllocation.is_preferred.is_(True),
            )
            .order_by(FundingAllocation.id)
        )
    }
    rows = []
    for vru in store.vrus:
        rng = _rng("allocation", vru.code)
        known = {y: a for (area_id, y), a in real.items() if area_id == vru.id}
        generated: dict[int, Decimal] = {}
        first_year = max(vru.start or 2019, 2019)
        for year in range(first_year, store.span.last_quarter[0] + 1):
            if year in known:
                continue
            # Later years follow on from the figures generated for earlier ones.
            anchors = {**generated, **known}
            settlement = settlements.get(vru.id)
            if settlement and settlement[0] <= year <= settlement[0] + 2:
                amount = float(settlement[1]) / 3
                basis = (
                    f"one third of the published three-year settlement of "
                    f"£{settlement[1]:,.0f} for {fy_label(settlement[0])} to "
                    f"{fy_label(settlement[0] + 2)}"
                )
            elif anchors:
                anchor = min(anchors, key=lambda y, year=year: (abs(y - year), -y))
                amount = (
                    float(anchors[anchor])
                    * _for_year(FUNDING_YEAR_FACTOR, year)
                    / _for_year(FUNDING_YEAR_FACTOR, anchor)
                    * rng.uniform(0.97, 1.03)
                )
                kind = "published" if anchor in known else "illustrative"
                basis = (
                    f"the {kind} {fy_label(anchor)} figure (£{anchors[anchor]:,.0f}) "
                    "scaled by the change in the national VRU budget"
                )
            else:
                amount = 1_150_000 * rng.uniform(0.95, 1.05)
                amount *= (
                    _for_year(FUNDING_YEAR_FACTOR, year) / FUNDING_YEAR_FACTOR[2022]
                )
                basis = "the level of the other VRUs funded from 2022/23"
            amount = round(amount / 1000) * 1000
            generated[year] = Decimal(amount)
            rows.append(
                {
                    "area_id": vru.id,
                    "financial_year": year,
                    "funder": FUNDER_HOME_OFFICE,
                    "programme": PROGRAMME_VRU,
                    "intervention_id": None,
                    "amount": Decimal(amount).quantize(Decimal("0.01")),
                    "amount_as_published": None,
                    "precision": "approx",
                    "is_preferred": False,
                    "note": "Illustrative: no published figure. Generated from "
                    f"{basis}.",
                    "source_id": source_id,
                }
            )
    return rows


def _quarter_shares(
    rng: np.random.Generator, year: int, first_year: int
) -> list[float]:
    if year == first_year == 2019:
        base = [0.0, 0.05, 0.30, 0.65]  # funding confirmed in August 2019
    elif year == first_year:
        base = [0.10, 0.20, 0.28, 0.42]
    else:
        base = [0.19, 0.23, 0.25, 0.33]
    shares = [b * rng.uniform(0.9, 1.1) for b in base]
    if shares[3] < max(shares[:3]):  # the 31 March deadline: Q4 is the largest
        i = int(np.argmax(shares[:3]))
        shares[i], shares[3] = shares[3], shares[i]
    total = sum(shares)
    return [s / total for s in shares]


def _spend(
    session: Session,
    store: _Store,
    interventions: list[_Intervention],
    source_id: int,
) -> list[dict]:
    preferred = _annual_allocations(session)
    per_intervention: dict[tuple[int, int], Decimal] = {}
    for iid, year, amount in session.execute(
        select(
            FundingAllocation.intervention_id,
            FundingAllocation.financial_year,
            FundingAllocation.amount,
        ).where(
            FundingAllocation.intervention_id.is_not(None),
            FundingAllocation.is_preferred.is_(True),
            FundingAllocation.programme == PROGRAMME_VRU,
        )
    ):
        per_intervention[(iid, year)] = Decimal(amount)

    by_vru: dict[int, list[_Intervention]] = defaultdict(list)
    for item in interventions:
        by_vru[item.vru.id].append(item)

    rows = []
    tier_cost = {"primary": 0.8, "secondary": 1.0, "tertiary": 1.3}
    for vru in store.vrus:
        first_year = max(vru.start or 2019, 2019)
        items = by_vru.get(vru.id, [])
        weight_rng = _rng("spend-weights", vru.code)
        weights = {
            i.id: float(weight_rng.lognormal(0, 0.5)) * tier_cost[i.tier] for i in items
        }
        core_share = float(weight_rng.uniform(0.12, 0.25))
        for year in range(first_year, store.span.last_quarter[0] + 1):
            allocation = preferred.get((vru.id, year))
            if allocation is None:
                continue
            rng = _rng("spend", vru.code, year)
            total = int(round(float(allocation) * rng.uniform(0.86, 0.995) * 100))
            shares = _quarter_shares(rng, year, first_year)
            quarter_totals = _largest_remainder(total, np.array(shares))
            fixed = {
                i.id: int(
                    round(
                        float(per_intervention[(i.id, year)])
                        * rng.uniform(0.85, 1.0)
                        * 100
                    )
                )
                for i in items
                if (i.id, year) in per_intervention
            }
            fixed_by_quarter = {
                iid: _largest_remainder(amount, np.array(shares))
                for iid, amount in fixed.items()
            }
            last_year, last_q = store.span.last_quarter
            quarters = 4 if year < last_year else last_q
            for q in range(1, quarters + 1):
                q_total = quarter_totals[q - 1]
                if q_total <= 0:
                    continue
                amounts: dict[int | None, int] = {
                    iid: parts[q - 1] for iid, parts in fixed_by_quarter.items()
                }
                rest = q_total - sum(amounts.values())
                active = [
                    i
                    for i in items
                    if i.first <= (year, q) <= i.last and i.id not in fixed
                ]
                keys: list[int | None] = [None] + [i.id for i in active]
                w = np.array(
                    [core_share if active else 1.0]
                    + [
                        (1 - core_share)
                        * weights[i.id]
                        / sum(weights[a.id] for a in active)
                        * rng.uniform(0.85, 1.15)
                        for i in active
                    ]
                )
                for key, part in zip(keys, _largest_remainder(rest, w), strict=True):
                    amounts[key] = amounts.get(key, 0) + part
                for key in [None, *sorted(k for k in amounts if k is not None)]:
                    pence = amounts.get(key, 0)
                    if pence <= 0:
                        continue
                    rows.append(
                        {
                            "area_id": vru.id,
                            "intervention_id": key,
                            "financial_year": year,
                            "quarter": q,
                            "amount": Decimal(pence).scaleb(-2),
                            "source_id": source_id,
                            "submission_id": None,
                            "is_current": True,
                        }
                    )
    return rows


# ---------------------------------------------------------------------------
# Intervention outputs
# ---------------------------------------------------------------------------

# per quarter at full strength, for a VRU of ~1.5 million people
OUTPUT_LEVELS = {
    "primary": {"young_people_supported": (150, 700), "sessions": (0.08, 0.2)},
    "secondary": {"young_people_supported": (20, 110), "sessions": (2.0, 5.0)},
    "tertiary": {"young_people_supported": (10, 50), "sessions": (3.0, 8.0)},
}
UNDER25_SHARE = {
    "primary": (0.93, 1.0),
    "secondary": (0.8, 0.97),
    "tertiary": (0.6, 0.9),
}


def _vru_scale(store: _Store, vru: _Area) -> float:
    population, _ = store.pop(vru.id, 2020)
    return float(np.clip(np.sqrt((population or 1_500_000) / 1_500_000), 0.6, 2.5))


def _outputs(
    store: _Store, interventions: list[_Intervention], source_id: int
) -> list[dict]:
    rows = []
    for item in interventions:
        rng = _rng("outputs", item.vru.code, item.name)
        scale = _vru_scale(store, item.vru)
        lo, hi = OUTPUT_LEVELS[item.tier]["young_people_supported"]
        level = rng.uniform(lo, hi) * scale
        s_lo, s_hi = OUTPUT_LEVELS[item.tier]["sessions"]
        per_session = rng.uniform(s_lo, s_hi)
        u_lo, u_hi = UNDER25_SHARE[item.tier]
        under25 = rng.uniform(u_lo, u_hi)
        growth = rng.uniform(-0.02, 0.06)
        trains_staff = item.tier == "primary" or rng.random() < 0.3
        quarters = _quarters(item.first, item.last)
        for k, (year, q) in enumerate(quarters):
            start, end = quarter_bounds(year, q)
            ramp = (0.4, 0.75)[k] if k < 2 else 1.0
            season = 0.55 if (item.tier == "primary" and q == 2) else 1.0
            covid = 0.6 if (year, q) == (2020, 1) else 1.0
            trend = (1 + growth) ** (year - 2019 + q / 4)
            mu = level * ramp * season * covid * trend
            supported = int(rng.poisson(mu))
            young = int(rng.binomial(supported, under25))
            values = [("young_people_supported", "all", supported)]
            values.append(("young_people_supported", "under25", young))
            if item.tier == "primary":
                sessions = int(rng.poisson(max(mu * per_session, 1)))
            else:
                sessions = int(rng.poisson(mu * per_session))
                referrals = int(rng.poisson(mu * rng.uniform(1.2, 1.6)))
                completions = int(rng.binomial(supported, rng.uniform(0.35, 0.7)))
                values.insert(0, ("referrals", "all", referrals))
                values.append(("completions", "all", completions))
            values.append(("sessions", "all", sessions))
            if trains_staff:
                values.append(
                    ("staff_trained", "all", int(rng.poisson(8 * scale * ramp * covid)))
                )
            for output_type, band, value in values:
                rows.append(
                    {
                        "intervention_id": item.id,
                        "period_start": start,
                        "period_end": end,
                        "output_type": output_type,
                        "age_band": band,
                        "value": value,
                        "source_id": source_id,
                        "submission_id": None,
                        "is_current": True,
                    }
                )
    return rows


# ---------------------------------------------------------------------------
# Force-level success measures
# ---------------------------------------------------------------------------


def _mv(
    store: _Store,
    measure: str,
    area_id: int,
    start: dt.date,
    end: dt.date,
    value: float,
    source_id: int,
    *,
    band: str = "all",
    denominator: int | None = None,
    note: str,
) -> dict:
    return {
        "measure_id": store.measures[measure],
        "area_id": area_id,
        "period_start": start,
        "period_end": end,
        "age_band": band,
        "value": float(value),
        "numerator": float(value),
        "denominator": None if denominator is None else float(denominator),
        "status": store.span.status(end),
        "source_id": source_id,
        "submission_id": None,
        "is_current": True,
        "note": note,
    }


def _real_knife_quarters(store: _Store) -> dict[str, dict[tuple[int, int], int]]:
    """Real quarterly knife offences by force code and (year, quarter)."""
    measure = store.measures["knife_offences"]
    out: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for (m, area_id, start, end, band), value in store.current.items():
        if m != measure or band != "all" or (end - start).days > 95:
            continue
        area = store.by_id[area_id]
        if area.level == "pfa":
            out[area.code][_quarter_of_date(start)] = int(value)
    return out


def _knife_anchors(store: _Store, real_q: dict) -> dict[str, list[tuple]]:
    """Published 12-month counts overlapping the generated quarters, by force:
    (quarters generated, published count minus the real quarters in the window)."""
    measure = store.measures["knife_offences"]
    candidates: dict[str, list[tuple[dt.date, dt.date, float]]] = defaultdict(list)
    for (m, area_id, start, end, band), value in store.current.items():
        area = store.by_id[area_id]
        if m != measure or band != "all" or area.level != "pfa":
            continue
        if 360 <= (end - start).days <= 370 and end >= dt.date(2019, 6, 30):
            candidates[area.code].append((start, end, value))
    # Rates quoted by ONS for later years (counts are not published by force).
    for row in read_reference("knife_offences_published_headlines_2019_2023.csv"):
        code = row["area_code"].strip()
        if (
            row["measure"].strip() != "knife offence rate"
            or code not in store.by_code
            or store.by_code[code].level != "pfa"
            or not row["period"].startswith("YE Mar 20")
        ):
            continue
        year = int(row["period"][-4:]) - 1
        if year < 2020:
            continue
        start, end = fy_bounds(year)
        population, _ = store.pop(store.by_code[code].id, year)
        if population:
            rate = float(row["value"])
            candidates[code].append((start, end, rate * population / 100_000))
    anchors: dict[str, list[tuple]] = {}
    for code, items in candidates.items():
        items.sort(key=lambda t: t[1])
        kept = []
        for i, (start, end, value) in enumerate(items):
            # Of overlapping windows keep the latest (it covers the most quarters).
            if i + 1 < len(items) and items[i + 1][0] <= end:
                continue
            window = _quarters(_quarter_of_date(start), _quarter_of_date(end))
            generated = [q for q in window if q >= FIRST_QUARTER]
            real_part = sum(
                real_q.get(code, {}).get(q, 0) for q in window if q < FIRST_QUARTER
            )
            if generated:
                kept.append((generated, value - real_part))
        anchors[code] = kept
    return anchors


def _vru_effect(vru: _Area, year: int, quarter: int, per_year: float) -> float:
    if not vru.is_vru or not vru.start:
        return 1.0
    since = year + (quarter - 1) / 4 - vru.start
    return 1.0 - per_year * max(0.0, since + 0.25) if since >= 0 else 1.0


def _knife_forces(
    store: _Store, real_q: dict, source_id: int
) -> tuple[list[dict], dict[str, dict[tuple[int, int], int]]]:
    anchors = _knife_anchors(store, real_q)
    quarters = _quarters(FIRST_QUARTER, store.span.last_quarter)
    rows, generated = [], {}
    for code in sorted(real_q):
        area = store.by_code[code]
        series = real_q[code]
        rng = _rng("knife", code)
        index = np.zeros(4)
        years = sorted(
            {y for y, _ in series if all((y, q) in series for q in range(1, 5))}
        )
        for y in years:
            values = np.array([series[(y, q)] for q in range(1, 5)], dtype=float)
            if values.mean() > 0:
                index += values / values.mean()
        index = index / max(len(years), 1)
        index = 1 + 0.6 * (index - 1)
        index = index / index.mean()
        base = np.mean([series[(2018, q)] for q in range(1, 5)])
        drift = rng.normal(0, 0.012)
        mu = np.array(
            [
                base
                * _for_year(KNIFE_YEAR_FACTOR, y)
                * COVID_FACTOR.get((y, q), 1.0)
                * index[q - 1]
                * (1 + drift) ** (y - 2019 + (q - 1) / 4)
                * _vru_effect(area, y, q, 0.012)
                for y, q in quarters
            ]
        )
        position = {q: i for i, q in enumerate(quarters)}
        previous_end = 0
        for window, target in anchors.get(code, []):
            idx = [position[q] for q in window if q in position]
            model = mu[idx].sum()
            if not idx or model <= 0 or target <= 0:
                continue
            ratio = target / model
            if not 0.6 <= ratio <= 1.7:
                continue  # revisions or a different basis: do not follow
            first = idx[0]
            ramp = np.ones(len(mu))
            ramp[:first] = 0.0
            span = first - previous_end
            for k in range(previous_end, first):
                ramp[k] = (k - previous_end + 1) / (span + 1)
            mu = mu * ratio**ramp
            previous_end = idx[-1] + 1
        counts = rng.poisson(np.maximum(mu, 0))
        generated[code] = {q: int(c) for q, c in zip(quarters, counts, strict=True)}
        for (y, q), count in generated[code].items():
            start, end = quarter_bounds(y, q)
            population, pop_note = store.pop(area.id, start.year)
            rows.append(
                _mv(
                    store,
                    "knife_offences",
                    area.id,
                    start,
                    end,
                    count,
                    source_id,
                    denominator=population,
                    note=(
                        "Illustrative: continues the force's real 2018/19 level and "
                        "2008-2019 seasonality with a modest trend, calibrated to its "
                        "published 12-month totals where they exist; not official "
                        "statistics. " + pop_note
                    ).strip(),
                )
            )
    return rows, generated


def _knife_lads(
    store: _Store, real_q: dict, generated: dict, source_id: int
) -> list[dict]:
    rows = []
    quarters = _quarters((LAD_KNIFE_FIRST_YEAR, 1), store.span.last_quarter)
    for vru in store.vrus:
        lads = store.lads.get(vru.id, [])
        force = {**real_q.get(vru.code, {}), **generated.get(vru.code, {})}
        if not lads or not force:
            continue
        risk = np.array(
            [float(_rng("lad-risk", lad.code).lognormal(0, 0.35)) for lad in lads]
        )
        rng = _rng("lad-knife", vru.code)
        for y, q in quarters:
            if (y, q) not in force:
                continue
            start, end = quarter_bounds(y, q)
            pops = [store.pop(lad.id, start.year) for lad in lads]
            weights = (
                np.array([(p or 0) for p, _ in pops], dtype=float)
                * risk
                * np.exp(rng.normal(0, 0.06, len(lads)))
            )
            parts = _largest_remainder(force[(y, q)], weights)
            basis = "real" if (y, q) < FIRST_QUARTER else "illustrative"
            for lad, count, (population, pop_note) in zip(
                lads, parts, pops, strict=True
            ):
                rows.append(
                    _mv(
                        store,
                        "knife_offences",
                        lad.id,
                        start,
                        end,
                        count,
                        source_id,
                        denominator=population,
                        note=(
                            f"Illustrative: the force's {basis} quarterly count "
                            "apportioned to its local authorities by population and "
                            "an illustrative local factor (largest-remainder "
                            "rounding, so they add up to the force); not official "
                            "statistics. " + pop_note
                        ).strip(),
                    )
                )
    return rows


def _force_weights(store: _Store, real_q: dict, areas: list[_Area], power: float):
    """Population x (force knife offence rate relative to the average) ** power."""
    rates = {}
    for area in areas:
        series = real_q.get(area.code)
        population, _ = store.pop(area.id, 2018)
        if series and population:
            rates[area.code] = (
                sum(series.get((2018, q), 0) for q in range(1, 5)) / population
            )
    mean_rate = float(np.mean(list(rates.values())))
    weights = {}
    for area in areas:
        population, _ = store.pop(area.id, 2018)
        relative = rates.get(area.code, mean_rate) / mean_rate
        noise = float(_rng("force-weight", area.code, power).lognormal(0, 0.1))
        weights[area.code] = (population or 0) * relative**power * noise
    return weights


def _national(store: _Store, measure: str, code: str, year: int, assumed: dict):
    start, end = fy_bounds(year)
    value = store.value(measure, store.by_code[code].id, start, end)
    if value is not None:
        return int(value), "the published national figure"
    figure, why = _for_year(assumed, year)
    if year not in assumed:
        why += f", carried forward to {fy_label(year)}"
    return figure, f"a national figure assumed here ({why})"


def _hospital_admissions(store: _Store, real_q: dict, source_id: int) -> list[dict]:
    english = [a for a in store.pfas if a.code.startswith("E23")]
    weights = _force_weights(store, real_q, english, 0.7)
    # Forces with a published 2020/21 count keep that share (PA/RADAR, Nov 2021).
    published_u25 = {}
    for row in read_reference(
        "hes_assault_sharp_object_pfa_residence_2012_2021_press.csv"
    ):
        published_u25[row["pfa_code"]] = float(row["pct_aged_under25_approx"]) / 100
    n2020, _ = _national(
        store, "hospital_admissions_knife", ENGLAND_CODE, 2020, HES_ASSUMED
    )
    s2020, e2020 = fy_bounds(2020)
    fixed_share = {}
    for area in english:
        value = store.value("hospital_admissions_knife", area.id, s2020, e2020)
        if value is not None:
            fixed_share[area.code] = value / n2020
    free = [a.code for a in english if a.code not in fixed_share]
    free_total = sum(weights[c] for c in free)
    share = {c: (1 - sum(fixed_share.values())) * weights[c] / free_total for c in free}
    share.update(fixed_share)

    rows = []
    for year in store.span.force_years:
        start, end = fy_bounds(year)
        national, basis = _national(
            store, "hospital_admissions_knife", ENGLAND_CODE, year, HES_ASSUMED
        )
        rng = _rng("hes", year)
        known = {}
        for area in english:
            value = store.value("hospital_admissions_knife", area.id, start, end)
            if value is not None:
                known[area.code] = int(value)
        others = [a for a in english if a.code not in known]
        p = np.array([share[a.code] * _vru_effect(a, year, 3, 0.015) for a in others])
        counts = rng.multinomial(max(national - sum(known.values()), 0), p / p.sum())
        alls = {a.code: int(c) for a, c in zip(others, counts, strict=True)}
        for area in english:
            population, pop_note = store.pop(area.id, year)
            young_pop, young_note = store.pop(area.id, year, "under25")
            count = known.get(area.code, alls.get(area.code))
            note = (
                f"Illustrative: {basis} for England in {fy_label(year)} ({national:,}) "
                "split across force areas by population and knife crime rate; not "
                "official statistics."
            )
            if area.code not in known:
                rows.append(
                    _mv(
                        store,
                        "hospital_admissions_knife",
                        area.id,
                        start,
                        end,
                        count,
                        source_id,
                        denominator=population,
                        note=f"{note} {pop_note}".strip(),
                    )
                )
            base_share = published_u25.get(area.code)
            if base_share is None:
                base_share = float(
                    np.clip(_rng("hes-u25", area.code).normal(0.36, 0.05), 0.22, 0.48)
                )
            pct = float(np.clip(base_share + rng.normal(0, 0.02), 0.1, 0.6))
            young = int(rng.binomial(count, pct))
            rows.append(
                _mv(
                    store,
                    "hospital_admissions_knife",
                    area.id,
                    start,
                    end,
                    young,
                    source_id,
                    band="under25",
                    denominator=young_pop,
                    note=(
                        f"Illustrative: patients aged under 25, about {pct:.0%} of "
                        f"the force's {count:,} admissions"
                        + (" (published)" if area.code in known else "")
                        + "; not official statistics. "
                        + young_note
                    ).strip(),
                )
            )
    return rows


def _homicides(store: _Store, real_q: dict, source_id: int) -> list[dict]:
    weights = _force_weights(store, real_q, store.pfas, 0.8)
    rows = []
    for year in store.span.force_years:
        start, end = fy_bounds(year)
        national, basis = _national(
            store, "homicide_knife", NATIONAL_CODE, year, HOMICIDE_ASSUMED
        )
        p = np.array(
            [weights[a.code] * _vru_effect(a, year, 3, 0.015) for a in store.pfas]
        )
        counts = _rng("homicide", year).multinomial(national, p / p.sum())
        for area, count in zip(store.pfas, counts, strict=True):
            population, pop_note = store.pop(area.id, year)
            rows.append(
                _mv(
                    store,
                    "homicide_knife",
                    area.id,
                    start,
                    end,
                    int(count),
                    source_id,
                    denominator=population,
                    note=(
                        f"Illustrative: {basis} for England and Wales in "
                        f"{fy_label(year)} ({national:,}) split across force areas "
                        "by population and knife crime rate; small numbers vary by "
                        "chance; not official statistics. " + pop_note
                    ).strip(),
                )
            )
    return rows


# ---------------------------------------------------------------------------
# Workstream measures
# ---------------------------------------------------------------------------

# theme -> [(key, label, unit, polarity, low, high, kind)]
UP, DOWN = "higher_is_better", "lower_is_better"
WS_MEASURES: dict[str, list[tuple]] = {
    "education": [
        (
            "pupils_reached",
            "Pupils reached by school sessions",
            "pupils",
            UP,
            250,
            1500,
            "count",
        ),
        (
            "exclusions",
            "Permanent exclusions among pupils supported",
            "exclusions",
            DOWN,
            2,
            12,
            "count",
        ),
        ("staff_trained", "School staff trained", "staff", UP, 10, 60, "count"),
    ],
    "health": [
        (
            "ae_referrals",
            "Young people referred by A&E navigators",
            "people",
            UP,
            20,
            120,
            "count",
        ),
        (
            "engaged_pct",
            "Referred young people who engage with support",
            "%",
            UP,
            50,
            80,
            "pct",
        ),
        (
            "reattendances",
            "Re-attendances for violent injury among those supported",
            "attendances",
            DOWN,
            2,
            12,
            "count",
        ),
    ],
    "communities": [
        (
            "participants",
            "Participants in community activities",
            "people",
            UP,
            150,
            900,
            "count",
        ),
        ("sessions", "Community sessions delivered", "sessions", UP, 20, 180, "count"),
    ],
    "justice": [
        (
            "diverted",
            "Young people diverted from the criminal justice system",
            "people",
            UP,
            10,
            80,
            "count",
        ),
        (
            "reoffending_pct",
            "Proven re-offending within 12 months among those diverted",
            "%",
            DOWN,
            15,
            35,
            "pct",
        ),
    ],
    "families": [
        ("families", "Families supported", "families", UP, 10, 80, "count"),
        (
            "positive_pct",
            "Cases closed with a positive outcome",
            "%",
            UP,
            55,
            80,
            "pct",
        ),
    ],
    "exploitation": [
        (
            "children",
            "Children at risk of exploitation supported",
            "children",
            UP,
            15,
            90,
            "count",
        ),
        (
            "missing",
            "Missing episodes among children supported",
            "episodes",
            DOWN,
            5,
            40,
            "count",
        ),
    ],
    "data": [
        (
            "datasets",
            "Partner datasets shared with the VRU",
            "datasets",
            UP,
            3,
            15,
            "count",
        ),
        ("products", "Insight products published", "products", UP, 1, 6, "count"),
    ],
    "workforce": [
        (
            "trained",
            "Professionals trained in trauma-informed practice",
            "people",
            UP,
            20,
            200,
            "count",
        ),
        (
            "organisations",
            "Organisations with a trauma-informed action plan",
            "organisations",
            UP,
            2,
            15,
            "count",
        ),
    ],
    "vawg": [
        (
            "victims",
            "Victims of domestic abuse supported",
            "people",
            UP,
            20,
            150,
            "count",
        ),
        (
            "repeat_pct",
            "Repeat victimisation within 12 months among those supported",
            "%",
            DOWN,
            15,
            30,
            "pct",
        ),
    ],
    "sport": [
        (
            "participants",
            "Young people taking part in positive activities",
            "people",
            UP,
            100,
            700,
            "count",
        ),
        ("sessions", "Activity sessions delivered", "sessions", UP, 30, 250, "count"),
    ],
    "prisons": [
        (
            "leavers",
            "Prison leavers supported on release",
            "people",
            UP,
            10,
            60,
            "count",
        ),
        ("families", "Prisoners' families supported", "families", UP, 5, 40, "count"),
    ],
    "hub": [
        (
            "exclusions",
            "Permanent school exclusions in the force area",
            "exclusions",
            DOWN,
            40,
            160,
            "count",
        ),
        (
            "datasets",
            "Partner datasets shared with the VRU",
            "datasets",
            UP,
            3,
            15,
            "count",
        ),
        (
            "trained",
            "Professionals trained in trauma-informed practice",
            "people",
            UP,
            30,
            250,
            "count",
        ),
    ],
    "spoke": [
        (
            "engaged",
            "Young people engaged by local initiatives",
            "people",
            UP,
            40,
            300,
            "count",
        ),
        (
            "referrals",
            "Referrals into local initiatives",
            "referrals",
            UP,
            20,
            150,
            "count",
        ),
        ("staff_trained", "Local professionals trained", "people", UP, 10, 80, "count"),
    ],
}

WS_CAVEATS = (
    "Illustrative data generated by the VRU Outcomes Monitor to show how "
    "workstream returns, targets and RAG ratings work; not official statistics and "
    "not a real return. Targets are illustrative too. Quarterly values; a target "
    "applies to each quarter of its financial year."
)


def _workstream_measures(
    session: Session, store: _Store, source_id: int
) -> tuple[int, list[dict], list[dict], list[dict]]:
    workstreams = session.execute(
        select(Workstream.id, Workstream.vru_area_id, Workstream.name).order_by(
            Workstream.vru_area_id, Workstream.id
        )
    ).all()
    counters: dict[int, int] = defaultdict(int)
    measure_rows, plans = [], []
    for ws_id, area_id, name in workstreams:
        vru = store.by_id[area_id]
        counters[area_id] += 1
        number = counters[area_id]
        rng = _rng("ws-measures", vru.code, name)
        templates = WS_MEASURES[_theme_of_workstream(name)]
        count = len(templates) if len(templates) == 2 else int(rng.integers(2, 4))
        for key, label, unit, polarity, lo, hi, kind in templates[:count]:
            code = f"ws_{_slug(vru.name)}_{number:02d}_{key}"[:60]
            measure_rows.append(
                {
                    "code": code,
                    "name": label,
                    "definition": (
                        f"Illustrative measure of the '{name}' workstream of the "
                        f"{vru.name} VRU: {label[0].lower() + label[1:]} in the "
                        "quarter, as the workstream lead would report it in the "
                        "quarterly return."
                    ),
                    "unit": unit,
                    "polarity": polarity,
                    "category": "output",
                    "tier": None,
                    "rate_multiplier": None,
                    "ci_method": "none",
                    "disclosure_rule": "small_numbers",
                    "period_type": "quarter",
                    "caveats": WS_CAVEATS,
                    "success_measure_rank": None,
                    "is_public": False,
                    "source_id": source_id,
                }
            )
            plans.append((ws_id, vru, name, code, polarity, lo, hi, kind))
    bulk_insert(session, Measure, measure_rows)
    ids = dict(
        session.execute(
            select(Measure.code, Measure.id).where(Measure.source_id == source_id)
        ).all()
    )

    links, values, targets = [], [], []
    missing: dict[int, int] = {}
    for ws_id, vru, name, code, polarity, lo, hi, kind in plans:
        if ws_id not in missing:
            draw = _rng("ws-missing", vru.code, name).random()
            missing[ws_id] = 2 if draw < 0.12 else 1 if draw < 0.3 else 0
        links.append({"workstream_id": ws_id, "measure_id": ids[code]})
        rng = _rng("ws-values", code)
        first_year = max(vru.start or 2019, 2019)
        quarters = _quarters((first_year, 1), store.span.last_quarter)
        reported = quarters[: len(quarters) - missing[ws_id]]
        scale = _vru_scale(store, vru) if kind == "count" else 1.0
        level = rng.uniform(lo, hi) * scale
        better = 1 if polarity == "higher_is_better" else -1
        for k, (y, q) in enumerate(reported):
            start, end = quarter_bounds(y, q)
            t = y - first_year + (q - 1) / 4
            if kind == "count":
                ramp = (0.45, 0.75, 0.9)[k] if k < 3 else 1.0
                trend = (1 + 0.05 * better) ** t
                covid = 0.65 if (y, q) == (2020, 1) else 1.0
                value = float(rng.poisson(max(level * ramp * trend * covid, 0.5)))
            else:
                value = float(
                    np.clip(level + better * 1.2 * t + rng.normal(0, 3), 1, 99).round(1)
                )
            values.append(
                {
                    "measure_id": ids[code],
                    "area_id": vru.id,
                    "period_start": start,
                    "period_end": end,
                    "age_band": "all",
                    "value": value,
                    "numerator": None,
                    "denominator": None,
                    "status": store.span.status(end),
                    "source_id": source_id,
                    "submission_id": None,
                    "is_current": True,
                    "note": "Illustrative: generated workstream return; not a real "
                    "return.",
                }
            )
        for year in range(first_year, store.span.last_quarter[0] + 1):
            start, end = fy_bounds(year)
            t = year - first_year + 0.5
            if kind == "count":
                expected = level * (1 + 0.05 * better) ** t
                aim = expected * (1.1 if better > 0 else 0.88)
                target = float(max(1, round(aim)))
            else:
                target = round(float(level + better * (1.2 * t + 3)), 1)
            targets.append(
                {
                    "measure_id": ids[code],
                    "area_id": vru.id,
                    "workstream_id": ws_id,
                    "period_start": start,
                    "period_end": end,
                    "value": target,
                    "source_id": source_id,
                }
            )
    return len(measure_rows), links, values, targets


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def is_loaded(session: Session) -> bool:
    return has_source(session, SOURCE_KEY)


def illustrative_source(session: Session) -> Source:
    return get_or_create_source(
        session,
        key=SOURCE_KEY,
        publisher="VRU Outcomes Monitor (generated)",
        title="Illustrative data — not official statistics",
        url=None,
        licence="Illustrative only; not for publication",
        retrieved=None,
        illustrative=True,
        precedence=90,
        notes=SOURCE_NOTES,
    )


def load(session: Session, *, as_at: dt.date | None = None) -> dict[str, int]:
    """Generate the illustrative figures up to the last complete quarter before
    `as_at` (data_access.clock.today() when None); returns rows added by table.

    Needs `real.load` and `seeds.load` first. A no-op (returning {}) when it has
    already run on this store."""
    if is_loaded(session):
        return {}
    started = time.perf_counter()
    span = Span.before(as_at or clock.today())
    source_id = illustrative_source(session).id
    store = _Store(session, span)
    if not store.vrus or "knife_offences" not in store.measures:
        raise RuntimeError("load the real data (areas, measures) before illustrative")

    seeded_ws = set(session.scalars(select(Workstream.vru_area_id).distinct()))
    seeded_iv = set(session.scalars(select(Intervention.vru_area_id).distinct()))
    _illustrative_workstreams(session, store, source_id, seeded_ws, seeded_iv)
    _illustrative_interventions(session, store, source_id, seeded_iv)
    interventions = _all_interventions(session, store)

    counts: dict[str, int] = {}
    counts["funding_allocation"] = bulk_insert(
        session, FundingAllocation, _illustrative_allocations(session, store, source_id)
    )
    apply_precedence(session)
    counts["spend"] = bulk_insert(
        session, Spend, _spend(session, store, interventions, source_id)
    )
    counts["intervention_output"] = bulk_insert(
        session, InterventionOutput, _outputs(store, interventions, source_id)
    )
    # Rebuild the pre-aggregated activity tables from every current output and
    # spend row (seeded ones too), in this load's transaction.
    refresh_activity_summaries(session)

    real_q = _real_knife_quarters(store)
    force_rows, generated = _knife_forces(store, real_q, source_id)
    values = force_rows
    values += _knife_lads(store, real_q, generated, source_id)
    values += _hospital_admissions(store, real_q, source_id)
    values += _homicides(store, real_q, source_id)
    n_measures, links, ws_values, targets = _workstream_measures(
        session, store, source_id
    )
    values += ws_values
    # Never shadow a real current figure.
    values = [
        v
        for v in values
        if (
            v["measure_id"],
            v["area_id"],
            v["period_start"],
            v["period_end"],
            v["age_band"],
        )
        not in store.current
    ]
    counts["measure"] = n_measures
    counts["measure_value"] = bulk_insert(session, MeasureValue, values)
    counts["workstream_measure"] = bulk_insert(session, WorkstreamMeasure, links)
    counts["target"] = bulk_insert(session, Target, targets)
    counts["workstream"] = session.scalar(
        select(func.count())
        .select_from(Workstream)
        .where(Workstream.source_id == source_id)
    )
    counts["intervention"] = session.scalar(
        select(func.count())
        .select_from(Intervention)
        .where(Intervention.source_id == source_id)
    )
    session.flush()
    log.info(
        "generated illustrative data to %s in %.1f s: %s",
        fy_label(span.last_quarter[0]) + f" Q{span.last_quarter[1]}",
        time.perf_counter() - started,
        counts,
    )
    return counts
