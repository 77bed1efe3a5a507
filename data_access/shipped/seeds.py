"""Real figures from the five seed papers and the published VRU funding and outputs.

`load(session)` adds, each pointing at its own Source:

- the Lancashire VRU's six workstreams (lead *role titles* only) and its £1.16M grant
  (briefing, October 2019);
- Avon and Somerset's hub and five local authority spokes, its £1.16m for 2019/20 and
  the £5.08m three-year settlement announced in 2022;
- the West Midlands 2019/20 budget by funder (Home Office £3.37m, PCC £524,000,
  local partners £140,000; total £4,034,000) and its seven initiatives by prevention
  tier (Strategic Policing and Crime Board, 19 November 2019), and the same paper's
  table of 2019/20 Home Office amounts for all 18 areas, which conflicts with the
  areas' own papers and the Home Office announcements (kept as its own source);
- Hampshire's "in the region of £880,000" for 2019/20, Hampshire County Council's
  £65,000 set-up and £233,000 intervention shares, and the seven interventions with
  their amounts (which add up to £231,172, not £233,000: both are kept as published);
- the Thames Valley note (Berkshire, Buckinghamshire and Oxfordshire; £35m a year,
  £70m over two years nationally);
- every row of vru_funding_allocations_published.csv, and the people-count rows of
  vru_programme_outputs_published.csv as values of `vru_young_people_reached` and
  `vru_high_risk_young_people_reached`.

Then `data_access.money.precedence.apply_precedence` marks the preferred figures.

People appear only as role titles; the seeds' personal names and e-mail addresses
are never copied. Deterministic: no clock, no randomness, fixed order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.areas import NATIONAL_CODE
from data_access.models import (
    FundingAllocation,
    Intervention,
    Measure,
    MeasureValue,
    Workstream,
)
from data_access.money.precedence import (
    FUNDER_HOME_OFFICE,
    FUNDER_LOCAL,
    FUNDER_PCC,
    PROGRAMME_SV_FUND,
    PROGRAMME_VRU,
    PROGRAMME_VRU_2YR,
    PROGRAMME_VRU_3YR,
    apply_precedence,
)
from data_access.shipped.common import (
    DATA_PACK_RETRIEVED,
    area_ids,
    bulk_insert,
    get_or_create_source,
    has_source,
    read_reference,
)

FUNDING_CSV = "vru_funding_allocations_published.csv"
OUTPUTS_CSV = "vru_programme_outputs_published.csv"

PSI = "Public sector information, quoted for accountability"
OGL = "Open Government Licence v3.0"
FACTS = "Facts quoted from a public announcement"

LANCASHIRE = "E23000003"
AVON_AND_SOMERSET = "E23000036"
WEST_MIDLANDS = "E23000014"
HAMPSHIRE = "E23000030"
THAMES_VALLEY = "E23000029"

PRECISION_MAP = {
    "exact": "exact",
    "rounded": "rounded",
    "approx": "approx",
    "upper_bound": "up_to",
    "lower_bound": "more_than",
}

# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

SEED_SOURCES: dict[str, dict] = {
    "seed_lancashire_briefing_2019": {
        "publisher": "Lancashire Office of the Police and Crime Commissioner",
        "title": "Lancashire Violence Reduction Unit: briefing, October 2019",
        "url": None,
        "licence": PSI,
        "precedence": 30,
        "notes": "Seed document 000. Written by the VRU Programme Manager (OPCC "
        "Victims and Vulnerable People Lead); names and e-mail addresses of the "
        "workstream leads are not stored, only their role titles.",
    },
    "seed_avon_somerset_vru_background": {
        "publisher": "Avon and Somerset Office of the Police and Crime Commissioner",
        "title": "Violence Reduction Unit (VRU) background",
        "url": None,
        "licence": PSI,
        "precedence": 30,
        "notes": "Seed document 001. Hub (OPCC) and five local authority spokes; "
        "£1.16million in June 2019; £5.08million three-year funding announced 2022.",
    },
    "seed_west_midlands_spcb_2019": {
        "publisher": "West Midlands Strategic Policing and Crime Board",
        "title": "Violence Reduction Unit: report to the Strategic Policing and "
        "Crime Board, 19 November 2019",
        "url": None,
        "licence": PSI,
        "precedence": 30,
        "notes": "Seed document 002, paragraphs 2.6, 3.3-3.7 and 5.2 (the West "
        "Midlands VRU's own budget and initiatives).",
    },
    "seed_west_midlands_spcb_2019_table": {
        "publisher": "West Midlands Strategic Policing and Crime Board",
        "title": "Violence Reduction Unit: report to the Strategic Policing and "
        "Crime Board, 19 November 2019 - paragraph 9.2 table of 2019/20 Home "
        "Office funding by area",
        "url": None,
        "licence": PSI,
        "precedence": 35,
        "notes": "Seed document 002, paragraph 9.2. A second-hand table of all 18 "
        "areas: its amounts (tiers of £7m, £3.37m, £2m, £1.5m and £1m; West "
        "Midlands printed as '£3.370,000') add up to £37.98m against the £35m "
        "announced, and differ from Lancashire's, Avon and Somerset's, Kent's, "
        "Nottinghamshire's and Hampshire's own figures. Kept, not preferred.",
    },
    "seed_thames_valley_in_focus": {
        "publisher": "Thames Valley Office of the Police and Crime Commissioner",
        "title": "Violence Reduction Units in focus",
        "url": None,
        "licence": PSI,
        "precedence": 30,
        "notes": "Seed document 003: news item introducing the APCC's 'VRUs In "
        "Focus' publication; quotes the Deputy PCC and the Minister for Crime and "
        "Policing (named in the original; role titles only here). The Thames "
        "Valley VRU is run by the OPCC and brings together agencies across "
        "Berkshire, Buckinghamshire and Oxfordshire (the local authorities under "
        "force area E23000029). Nationally: £35 million in 2019/20, a further £35 "
        "million for 2020/21, '£70m over two years' into the 18 areas.",
    },
    "seed_hampshire_cfap_2020": {
        "publisher": "Hampshire County Council",
        "title": "Violence Reduction Unit: report to the Children and Families "
        "Advisory Panel (2019/20 progress and spending)",
        "url": None,
        "licence": PSI,
        "precedence": 30,
        "notes": "Seed document 004, paragraphs 5, 10-12 and 24. Written after the "
        "Problem Profile of 31 December 2019.",
    },
}

# Published figures, one source per web page (see data/reference/*.md).
URL_SOURCES: dict[str, dict] = {
    "https://www.gov.uk/government/publications/serious-violence-funding-allocations/"
    "serious-violence-funding-allocations": {
        "key": "pub_homeoffice_sv_funding_allocations_2023",
        "publisher": "Home Office",
        "title": "Serious violence: funding allocations (transparency data, "
        "29 August 2023)",
        "licence": OGL,
        "precedence": 10,
        "notes": "The stored copy of the 2023/24 table stops after Thames Valley: "
        "the VRU amounts for Lancashire and 11 other areas are missing.",
    },
    "https://www.itv.com/news/2019-12-29/police-commissioners-to-receive-extra-35m-"
    "for-violence-reduction-units/": {
        "key": "pub_itv_vru_funding_2019_12_29",
        "publisher": "ITV News, reporting a Home Office announcement",
        "title": "Police commissioners to receive extra £35m for violence reduction "
        "units (29 December 2019)",
        "licence": FACTS,
        "precedence": 20,
    },
    "https://www.professionalsecurity.co.uk/news/government/more-money-for-violence-"
    "reduction/": {
        "key": "pub_professional_security_more_money",
        "publisher": "Professional Security Magazine, reporting a Home Office "
        "announcement",
        "title": "More money for violence reduction",
        "licence": FACTS,
        "precedence": 20,
    },
    "https://www.miltonkeynes.co.uk/news/crime/police-given-extra-cash-to-tackle-"
    "violent-crime-in-milton-keynes-1-9186985": {
        "key": "pub_mk_citizen_extra_cash",
        "publisher": "Milton Keynes Citizen",
        "title": "Police given extra cash to tackle violent crime in Milton Keynes",
        "licence": FACTS,
        "precedence": 40,
    },
    "https://sussex999.co.uk/breaking/news-229622/a-further-4-08-million-will-be-"
    "available-next-financial-year-to-help-violence-reduction-units-in-the-south-"
    "east-of-england-via-police-and-crime-commissioners-the-government-has-"
    "announced/": {
        "key": "pub_sussex999_south_east_vru_2021",
        "publisher": "Sussex999",
        "title": "A further £4.08 million will be available next financial year to "
        "help Violence Reduction Units in the South East",
        "licence": FACTS,
        "precedence": 40,
    },
    # The address of this page contains a person's name, so it is not stored; the
    # reference CSV in data/reference keeps it for anyone checking provenance.
    "https://matthewbarber-admin.conservativewebsites.org.uk/node/5994": {
        "key": "pub_thames_valley_deputy_pcc_statement_2021",
        "publisher": "Thames Valley Deputy Police and Crime Commissioner",
        "title": "Statement on Violence Reduction Unit funding for 2021/22",
        "licence": FACTS,
        "precedence": 30,
        "url": None,
        "notes": "Published on the Deputy PCC's own website; its address is "
        "withheld here because it contains a personal name. See "
        "data/reference/vru_funding_allocations_published.csv.",
    },
    "http://www.government-world.com/author/hm-government/page/13156/"
    "?print=print-search": {
        "key": "pub_hmg_press_release_vru_2019_08",
        "publisher": "HM Government press release (via government-world.com)",
        "title": "£35 million for Violence Reduction Units (announced 12 August 2019)",
        "licence": FACTS,
        "precedence": 20,
    },
    "https://www.kent-pcc.gov.uk/what-we-do/commissioning/violence-reduction-unit-"
    "vru/": {
        "key": "pub_kent_pcc_vru_page",
        "publisher": "Kent Police and Crime Commissioner",
        "title": "Violence Reduction Unit (VRU)",
        "licence": PSI,
        "precedence": 30,
    },
    "https://www.nottsvrp.co.uk/post/pcc-welcomes-880k-funding-grant-to-launch-"
    "violence-reduction-unit": {
        "key": "pub_notts_vrp_880k",
        "publisher": "Nottinghamshire Violence Reduction Partnership",
        "title": "PCC welcomes £880k funding grant to launch Violence Reduction Unit",
        "licence": PSI,
        "precedence": 30,
    },
    "https://touch.policeoracle.com/news/article.cfm?id=103752": {
        "key": "pub_police_oracle_103752",
        "publisher": "Police Oracle, reporting a Home Office announcement",
        "title": "Violence Reduction Unit funding for 2020/21",
        "licence": FACTS,
        "precedence": 20,
    },
    "https://www.essex.pfcc.police.uk/documents/home-office-funding-violence-"
    "reduction-unit-and-seriousviolence-duty-2024-25/": {
        "key": "pub_essex_pfcc_decision_031_24",
        "publisher": "Essex Police, Fire and Crime Commissioner",
        "title": "Home Office funding: Violence Reduction Unit and Serious Violence "
        "Duty 2024/25 (decision report 031-24)",
        "licence": PSI,
        "precedence": 30,
    },
    "https://www.governmentbusiness.co.uk/news/01042022/further-%C2%A3130-million-"
    "bolster-efforts-tackle-violence": {
        "key": "pub_homeoffice_press_130m_2022",
        "publisher": "Home Office press release (via Government Business)",
        "title": "Further £130 million to bolster efforts to tackle violence "
        "(1 April 2022)",
        "licence": OGL,
        "precedence": 20,
    },
    "https://www.cleveland.pcc.police.uk/working-for-you/decisions/decision-notices/"
    "decision-22-23-0037-curv-equipment-funding/": {
        "key": "pub_cleveland_pcc_decision_22_23_0037",
        "publisher": "Cleveland Police and Crime Commissioner",
        "title": "Decision 22/23-0037: CURV equipment funding",
        "licence": PSI,
        "precedence": 30,
    },
    "https://www.parliamenttoday.com/free/viewnews.html?id=125128": {
        "key": "pub_homeoffice_press_vru_2021_22_funding",
        "publisher": "Home Office press release (via Parliament Today)",
        "title": "2021/22 Violence Reduction Unit funding announcement",
        "licence": OGL,
        "precedence": 20,
    },
}


def _url_source(session: Session, url: str):
    spec = URL_SOURCES.get(url)
    if spec is None:
        raise ValueError(f"no source description for {url}")
    return get_or_create_source(
        session,
        key=spec["key"],
        publisher=spec["publisher"],
        title=spec["title"],
        url=spec.get("url", url),
        licence=spec["licence"],
        retrieved=DATA_PACK_RETRIEVED,
        precedence=spec["precedence"],
        notes=spec.get("notes"),
    )


def _seed_sources(session: Session) -> dict[str, int]:
    ids = {}
    for key, spec in SEED_SOURCES.items():
        source = get_or_create_source(
            session, key=key, retrieved=DATA_PACK_RETRIEVED, **spec
        )
        ids[key] = source.id
    return ids


# ---------------------------------------------------------------------------
# Workstreams and interventions
# ---------------------------------------------------------------------------

_LANCS_WS_PURPOSE = (
    "Named in the Lancashire VRU briefing (October 2019) as one of six workstreams, "
    "each with a lead assigned. Theme: {theme} Each workstream was to write its own "
    "purpose or mission statement; the briefing does not quote them."
)
_LANCS_WS_OUTCOMES = (
    "As required of every workstream: defined outcomes with measures, using "
    "partner agencies' existing data where possible, feeding the Problem Profile "
    "and the Strategy and Action Plan (draft strategy due December 2019, agreed by "
    "March 2020); links with the other workstreams; weekly updates to the VRU team. "
    "The unit works trauma-informed and takes account of Adverse Childhood "
    "Experiences (ACEs)."
)

# (name, theme, lead role title, intervention tier, reading of the tier)
LANCASHIRE_WORKSTREAMS = [
    (
        "First 1000 Days",
        "the first 1000 days of life - early years, before violence can start.",
        "Head of Safeguarding, Blackpool Teaching Hospitals NHS Foundation Trust",
        "primary",
        "primary (universal early-years prevention from conception onwards)",
    ),
    (
        "Awareness Raising and Prevention Programme",
        "raising awareness and preventing violence across Lancashire communities.",
        "Superintendent, Lancashire Constabulary (National Police and Health "
        "Consensus Lead)",
        "primary",
        "primary (awareness raising aimed at the whole population)",
    ),
    (
        "Multi-Agency Violent Reduction and Intervention Team",
        "a multi-agency team intervening with people involved in violence.",
        "Detective Superintendent, Head of Public Protection, Lancashire Constabulary",
        "tertiary",
        "tertiary (intervention with people already involved in violence)",
    ),
    (
        "Accident and Emergency Navigators",
        "navigators in A&E departments working with people injured by violence.",
        "Head of Safeguarding, Blackpool Teaching Hospitals NHS Foundation Trust",
        "tertiary",
        "tertiary (people presenting at A&E after violence, as the West Midlands "
        "paper classifies A&E interventions)",
    ),
    (
        "Lancashire Divert Programme",
        "diverting people from violence and offending at the point of arrest.",
        "Inspector, Lancashire Constabulary",
        "tertiary",
        "tertiary (people already in contact with the police, diverted from "
        "further offending)",
    ),
    (
        "Prisons and Prisoner's Families",
        "prisoners and their families, including the impact of imprisonment on "
        "children.",
        "Chief Superintendent, Violence Reduction, ACE and Trauma Informed Lead, "
        "Lancashire Constabulary",
        "tertiary",
        "tertiary (people in prison); support to their families is secondary",
    ),
]

AVON_SPOKES = [
    ("E06000022", "Bath and North East Somerset (BANES)"),
    ("E06000023", "Bristol"),
    ("E06000024", "North Somerset"),
    ("E06000066", "Somerset"),
    ("E06000025", "South Gloucestershire"),
]

# (name, tier, description, provider)
WEST_MIDLANDS_INTERVENTIONS = [
    (
        "Mentors in Violence Prevention",
        "primary",
        "Mentoring programme in schools whereby children mentor other children to "
        "prevent violence.",
        None,
    ),
    (
        "School Engagement Officers",
        "primary",
        "Officers who help schools tackle violence by linking them up to support "
        "for those identified as at risk: sport, integrated mentoring and "
        "character-building education.",
        None,
    ),
    (
        "Specialist mentoring",
        "primary",
        "Targeted mentoring for young people (aged 10-18) at risk of violence and "
        "living in high-crime areas. The board paper lists it under primary "
        "prevention although it is targeted.",
        None,
    ),
    (
        "IRIS",
        "secondary",
        "Helps GP practices identify patients affected by domestic abuse and "
        "provides the victims with support.",
        None,
    ),
    (
        "Behavioural Change Campaign",
        "secondary",
        "Using behavioural science and networks to influence behaviour and develop "
        "a counter-narrative of hope and aspiration, particularly for young people.",
        None,
    ),
    (
        "A&E Interventions",
        "tertiary",
        "Intervening in the lives of young people who present at A&E units for "
        "treatment after an injury through violence; mentoring and support to help "
        "them escape the cycle of violence.",
        None,
    ),
    (
        "Intensive support for people leaving gangs",
        "tertiary",
        "A package of intensive support for young people and adult gang members "
        "resettling from custody or recently released.",
        None,
    ),
]

# (name, tier, amount, amount as published, description, provider)
HAMPSHIRE_INTERVENTIONS = [
    (
        "Youth Crime Prevention workers in Pupil Referral Units",
        "secondary",
        Decimal("58000"),
        "£58,000",
        "Extension of Youth Crime Prevention to provide workers to Hampshire Pupil "
        "Referral Units, to prevent children becoming involved in serious violence "
        "and criminal exploitation; linked with Children's Services' Willow Team. "
        "Tier is our reading: children at risk (secondary). Each young person "
        "completes a distance-travelled tool.",
        "Hampshire County Council Youth Crime Prevention",
    ),
    (
        "Targeted Family Support: additional Intensive Family Support places",
        "secondary",
        Decimal("80000"),
        "£80,000",
        "Extension of Targeted Family Support commissioned by the Supporting "
        "Families Programme: 33 additional Intensive Family Support places, "
        "delivered by the current providers and reported under the Supporting "
        "Families contract. Tier is our reading: families at risk (secondary).",
        None,
    ),
    (
        "Mentoring for criminally exploited young people (Willow Team)",
        "tertiary",
        Decimal("25000"),
        "£25,000",
        "Money to the Willow Team to spot-purchase mentoring for young people who "
        "are already being criminally exploited. Tier is our reading: already "
        "affected (tertiary).",
        "St Giles Trust",
    ),
    (
        "Programme for 18 to 25-year-olds at risk",
        "secondary",
        Decimal("12000"),
        "£12,000",
        "A programme developed by the Community Rehabilitation Company to target "
        "18 to 25-year-olds who are at risk. Tier is our reading: at risk "
        "(secondary).",
        "Hampshire and Isle of Wight Community Rehabilitation Company",
    ),
    (
        "Education packages on violence and criminal exploitation",
        "primary",
        Decimal("10000"),
        "£10,000",
        "Education packages for both children and parents on the risks around "
        "violence and criminal exploitation. Tier is our reading: universal "
        "education (primary).",
        None,
    ),
    (
        "ACEs intervention training and Stop Domestic Abuse train-the-trainer",
        "secondary",
        Decimal("21172"),
        "£21,172",
        "An additional training course so Children's Services staff can deliver an "
        "intervention on Adverse Childhood Experiences to children and their "
        "parents, and a 'train the trainer' course for Stop Domestic Abuse. Tier is "
        "our reading: children and parents affected by ACEs (secondary).",
        "Hampshire County Council Children's Services; Stop Domestic Abuse",
    ),
    (
        "Small grants through Community Safety Partnerships",
        "primary",
        Decimal("25000"),
        "£25,000",
        "A series of small grants to organisations supported by Community Safety "
        "Partnerships. Tier is our reading: community-based prevention (primary); "
        "the report does not classify it.",
        None,
    ),
]

HAMPSHIRE_INTERVENTIONS_ENVELOPE = Decimal("233000")


def _add_workstreams(session: Session, rows: list[dict]) -> list[Workstream]:
    objs = [Workstream(**row) for row in rows]
    session.add_all(objs)
    session.flush()
    return objs


def _add_interventions(session: Session, rows: list[dict]) -> list[Intervention]:
    objs = [Intervention(**row) for row in rows]
    session.add_all(objs)
    session.flush()
    return objs


def _add_listed_interventions(
    session: Session, vru: int, src: int, listed: list[tuple[str, str, str, str]]
) -> list[Intervention]:
    """Interventions a paper only lists, as (name, tier, provider, description):
    delivered across the force area, in no workstream, with no dates and no
    evidence rating."""
    return _add_interventions(
        session,
        [
            {
                "vru_area_id": vru,
                "name": name,
                "tier": tier,
                "workstream_id": None,
                "delivering_area_id": vru,
                "provider": provider,
                "description": description,
                "start_date": None,
                "end_date": None,
                "evidence_rating": None,
                "source_id": src,
            }
            for name, tier, provider, description in listed
        ],
    )


def _lancashire(session: Session, areas: dict[str, int], src: int) -> list[dict]:
    vru = areas[LANCASHIRE]
    workstreams = _add_workstreams(
        session,
        [
            {
                "vru_area_id": vru,
                "name": name,
                "purpose": _LANCS_WS_PURPOSE.format(theme=theme[0].upper() + theme[1:]),
                "lead_role": lead,
                "outcomes": _LANCS_WS_OUTCOMES,
                "source_id": src,
            }
            for name, theme, lead, _tier, _reading in LANCASHIRE_WORKSTREAMS
        ],
    )
    _add_interventions(
        session,
        [
            {
                "vru_area_id": vru,
                "name": name,
                "tier": tier,
                "workstream_id": ws.id,
                "delivering_area_id": vru,
                "provider": None,
                "description": (
                    f"The delivery strand of the '{name}' workstream named in the "
                    "Lancashire VRU briefing (October 2019). The briefing gives no "
                    f"tier; our reading: {reading}."
                ),
                "start_date": None,
                "end_date": None,
                "evidence_rating": None,
                "source_id": src,
            }
            for (name, _theme, _lead, tier, reading), ws in zip(
                LANCASHIRE_WORKSTREAMS, workstreams, strict=True
            )
        ],
    )
    return [
        _allocation(
            areas[LANCASHIRE],
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("1160000"),
            "£1.16M",
            "rounded",
            src,
            "Grant to the Lancashire PCC to establish the VRU; not confirmed (Oct "
            "2019) whether it would recur for a second year.",
        )
    ]


def _avon_and_somerset(session: Session, areas: dict[str, int], src: int) -> list[dict]:
    vru = areas[AVON_AND_SOMERSET]
    hub = {
        "vru_area_id": vru,
        "name": "Hub: Office of the Police and Crime Commissioner",
        "purpose": (
            "Central coordination of the hub-and-spoke VRU model: oversees the five "
            "local authority spokes, coordinates the Home Office grant allocation "
            "and makes sure Avon and Somerset meets the objectives of the public "
            "health approach to serious violence."
        ),
        "lead_role": "Office of the Police and Crime Commissioner (hub)",
        "outcomes": (
            "Positive system change across agencies: better sharing of data and "
            "information to identify risk at the earliest stage, reducing the use "
            "of school exclusions, and embedding trauma-informed approaches across "
            "all key agencies."
        ),
        "source_id": src,
    }
    spokes = [
        {
            "vru_area_id": vru,
            "name": f"Spoke: {label} VRU",
            "purpose": (
                f"{label} local authority VRU (one of five spokes): works with key "
                "partners as a multi-agency partnership that continually identifies "
                "the drivers of local serious violence and develops local "
                "initiatives, from early prevention to working with and diverting "
                "people at high risk of being a victim or perpetrator of serious "
                "violence."
            ),
            "lead_role": f"{label} local authority VRU spoke lead",
            "outcomes": (
                "Local initiatives that address the local drivers of serious "
                "violence; contribution to the strategic outcomes of the hub."
            ),
            "source_id": src,
        }
        for _code, label in AVON_SPOKES
    ]
    _add_workstreams(session, [hub, *spokes])
    return [
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("1160000"),
            "£1.16million",
            "rounded",
            src,
            "Awarded to the Avon and Somerset OPCC in June 2019 to set up the VRU.",
        ),
        _allocation(
            vru,
            2022,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU_3YR,
            Decimal("5080000"),
            "£5.08million",
            "rounded",
            src,
            "Three-year funding announced by the Home Office in 2022; a total for "
            "2022/23 to 2024/25, not an annual amount.",
        ),
        _allocation(
            areas[NATIONAL_CODE],
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("35000000"),
            "£35 million",
            "rounded",
            src,
            "Of the £100million Serious Violence Fund announced in March 2019, for "
            "the 18 worst-affected force areas.",
        ),
        _allocation(
            areas[NATIONAL_CODE],
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_SV_FUND,
            Decimal("100000000"),
            "£100million",
            "rounded",
            src,
            "Serious Violence Fund announced in March 2019, of which £35 million "
            "for VRUs.",
        ),
    ]


def _west_midlands(
    session: Session, areas: dict[str, int], src: int, table_src: int
) -> list[dict]:
    vru = areas[WEST_MIDLANDS]
    paper = (
        "Listed by the Strategic Policing and Crime Board paper (19 Nov 2019) under "
        "{tier} prevention, among initiatives funded between November 2019 and "
        "April 2020; no amount given."
    )
    _add_listed_interventions(
        session,
        vru,
        src,
        [
            (name, tier, provider, f"{text} {paper.format(tier=tier)}")
            for name, tier, text, provider in WEST_MIDLANDS_INTERVENTIONS
        ],
    )
    budget_note = (
        "Part of the WM-VRU budget of £4,034,000 for 2019/20 (paragraph 3.3): "
        "£3.37 million Home Office, £524,000 PCC, £140,000 local partners."
    )
    rows = [
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("3370000"),
            "£3.37 million",
            "rounded",
            src,
            "Confirmed to the OPCC on 12 August 2019 (paragraph 2.6). " + budget_note,
        ),
        _allocation(
            vru,
            2019,
            FUNDER_PCC,
            PROGRAMME_VRU,
            Decimal("524000"),
            "£524,000",
            "exact",
            src,
            "Grant from the PCC, formerly the Violence Prevention Alliance budget. "
            + budget_note,
        ),
        _allocation(
            vru,
            2019,
            FUNDER_LOCAL,
            PROGRAMME_VRU,
            Decimal("140000"),
            "£140,000",
            "exact",
            src,
            "Contribution from local authorities and West Midlands Police: the "
            "legacy of the Preventing Violence Against Vulnerable People programme. "
            + budget_note,
        ),
        _allocation(
            areas[NATIONAL_CODE],
            2020,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("35000000"),
            "£35m",
            "rounded",
            src,
            "Indication from the Home Office to the 18 PCCs of continued funding "
            "in 2020-21 (paragraph 5.2).",
        ),
        _allocation(
            areas[NATIONAL_CODE],
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_SV_FUND,
            Decimal("100000000"),
            "£100m",
            "rounded",
            src,
            "Announced in the Spring Statement to tackle serious youth violence, "
            "including the VRUs (paragraph 2.2).",
        ),
        _allocation(
            areas[NATIONAL_CODE],
            2020,
            FUNDER_HOME_OFFICE,
            PROGRAMME_SV_FUND,
            Decimal("100000000"),
            "£100 million",
            "rounded",
            src,
            "Spending round: a further £100 million for violence reduction activity "
            "in 2020/21 (paragraph 5.1).",
        ),
    ]
    rows += [
        _allocation(
            areas[code],
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal(amount),
            published,
            "rounded",
            table_src,
            f"Board paper table (paragraph 9.2), row '{label}'. The table's tiers "
            "add up to £37.98m against the £35m announced; treated as rounded.",
        )
        for label, code, amount, published in WEST_MIDLANDS_TABLE
    ]
    return rows


# Paragraph 9.2 of the West Midlands paper: "Area" and "Amount of funding from the
# Home Office", printed as two separate columns in the same order.
WEST_MIDLANDS_TABLE = [
    ("Met", "E23000001", "7000000", "£7,000,000"),
    ("West Midlands", "E23000014", "3370000", "£3.370,000"),
    ("Greater Manchester", "E23000005", "3370000", "£3.370,000"),
    ("Merseyside", "E23000004", "3370000", "£3.370,000"),
    ("West Yorkshire", "E23000010", "3370000", "£3.370,000"),
    ("South Yorkshire", "E23000011", "2000000", "£2,000,000"),
    ("Northumbria", "E23000007", "2000000", "£2,000,000"),
    ("Thames valley", "E23000029", "1500000", "£1,500,000"),
    ("Lancashire", "E23000003", "1500000", "£1,500,000"),
    ("Essex", "E23000028", "1500000", "£1,500,000"),
    ("Avon and Somerset", "E23000036", "1500000", "£1,500,000"),
    ("Kent", "E23000032", "1500000", "£1,500,000"),
    ("Nottinghamshire", "E23000019", "1000000", "£1,000,000"),
    ("Leicestershire", "E23000021", "1000000", "£1,000,000"),
    ("Bedfordshire", "E23000026", "1000000", "£1,000,000"),
    ("Sussex", "E23000033", "1000000", "£1,000,000"),
    ("Hampshire", "E23000030", "1000000", "£1,000,000"),
    ("South Wales", "W15000003", "1000000", "£1,000,000"),
]


def _hampshire(session: Session, areas: dict[str, int], src: int) -> list[dict]:
    vru = areas[HAMPSHIRE]
    # Hampshire County Council's area is 11 districts, not one LAD, so the force
    # area stands for it.
    county = (
        "Hampshire County Council area; funded from the County Council's £233,000 "
        "share of the 2019/20 VRU grant, to be spent by 31 March 2020."
    )
    interventions = _add_listed_interventions(
        session,
        vru,
        src,
        [
            (name, tier, provider, f"{text} {county}")
            for name, tier, _amount, _pub, text, provider in HAMPSHIRE_INTERVENTIONS
        ],
    )
    seven = sum(amount for _n, _t, amount, *_ in HAMPSHIRE_INTERVENTIONS)
    rows = [
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("880000"),
            "in the region of £880,000",
            "approx",
            src,
            "Announced 12 August 2019 (paragraph 5); paragraph 10 states the OPCC "
            "share as £880,000. Divided between the OPCC and four local authorities "
            "(Hampshire, Southampton, Portsmouth, Isle of Wight); must be spent by "
            "March 2020 (covering the last five months of 2019/20).",
        ),
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            "VRU: Hampshire County Council share (unit set-up)",
            Decimal("65000"),
            "£65,000",
            "exact",
            src,
            "To set up the County Council's unit: coordinator, analyst and "
            "administrator (paragraph 10). Part of the £880,000.",
        ),
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            "VRU: Hampshire County Council share (interventions)",
            HAMPSHIRE_INTERVENTIONS_ENVELOPE,
            "£233,000",
            "exact",
            src,
            "Distributed between the four authorities by violent crime over the "
            "previous three years (paragraph 11). The seven interventions listed in "
            f"paragraph 12 add up to £{seven:,.0f}, £"
            f"{HAMPSHIRE_INTERVENTIONS_ENVELOPE - seven:,.0f} less.",
        ),
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            "VRU: Hampshire County Council share (total)",
            Decimal("300000"),
            "£300,00",
            "rounded",
            src,
            "Conclusions (paragraph 24), printed '£300,00' (sic). £65,000 + "
            "£233,000 = £298,000.",
        ),
    ]
    rows += [
        _allocation(
            vru,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            amount,
            published,
            "exact",
            src,
            "Money allocated from Hampshire County Council's £233,000 for "
            "interventions (paragraph 12).",
            intervention_id=intervention.id,
        )
        for (_n, _t, amount, published, _d, _p), intervention in zip(
            HAMPSHIRE_INTERVENTIONS, interventions, strict=True
        )
    ]
    return rows


def _thames_valley(areas: dict[str, int], src: int) -> list[dict]:
    ew = areas[NATIONAL_CODE]
    return [
        _allocation(
            ew,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("35000000"),
            "£35 million",
            "rounded",
            src,
            "Shared by 18 PCCs in the areas worst affected by violent crime.",
        ),
        _allocation(
            ew,
            2020,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU,
            Decimal("35000000"),
            "a further £35 million",
            "rounded",
            src,
            "Provided for 2020/21.",
        ),
        _allocation(
            ew,
            2019,
            FUNDER_HOME_OFFICE,
            PROGRAMME_VRU_2YR,
            Decimal("70000000"),
            "£70m over two years",
            "rounded",
            src,
            "Minister for Crime and Policing: invested over two years into the 18 "
            "areas worst affected by serious violence. A two-year total.",
        ),
    ]


def _allocation(
    area_id: int,
    financial_year: int,
    funder: str,
    programme: str,
    amount: Decimal,
    as_published: str,
    precision: str,
    source_id: int,
    note: str | None,
    *,
    intervention_id: int | None = None,
) -> dict:
    return {
        "area_id": area_id,
        "financial_year": financial_year,
        "funder": funder,
        "programme": programme,
        "intervention_id": intervention_id,
        "amount": Decimal(amount).quantize(Decimal("0.01")),
        "amount_as_published": as_published[:80],
        "precision": precision,
        "is_preferred": False,
        "note": note,
        "source_id": source_id,
    }


# ---------------------------------------------------------------------------
# Published CSVs
# ---------------------------------------------------------------------------


def _financial_year(label: str) -> tuple[int, str | None]:
    """'2019/20' -> (2019, None); '2022/23 to 2024/25' -> (2022, the span)."""
    label = label.strip()
    first = int(label[:4])
    return first, (label if " to " in label else None)


def _published_allocations(session: Session, areas: dict[str, int]) -> list[dict]:
    rows = []
    for rec in read_reference(FUNDING_CSV):
        year, span = _financial_year(rec["financial_year"])
        code = rec["pfa_code"].strip() or NATIONAL_CODE
        programme = rec["programme"].strip()
        if span:
            programme = f"{programme} (three-year settlement {span})"
        note = rec["note"].strip() or None
        if code == NATIONAL_CODE:
            note = f"{rec['area']}: " + (note or "national total")
        source = _url_source(session, rec["source_url"].strip())
        rows.append(
            _allocation(
                areas[code],
                year,
                FUNDER_HOME_OFFICE,
                programme,
                Decimal(rec["amount_gbp"]),
                rec["amount_as_published"],
                PRECISION_MAP[rec["precision"].strip()],
                source.id,
                note,
            )
        )
    return rows


# Programme outputs: only counts of people reached are stored as values.
OUTPUT_MEASURES = {
    "vru_young_people_reached": {
        "name": "Young people reached by VRU-funded initiatives",
        "definition": (
            "Number of young people supported by initiatives funded by Violence "
            "Reduction Units in the financial year, as published by the Home Office "
            "(programme total) or by a VRU (its own area). Published figures are "
            "bounds or approximations; the value's note gives the wording."
        ),
    },
    "vru_high_risk_young_people_reached": {
        "name": "High-risk young people reached by VRU-funded initiatives",
        "definition": (
            "Of the young people reached by VRU-funded initiatives, those identified "
            "as at high risk of involvement in criminal or violent activity, as "
            "published by the Home Office."
        ),
    },
}

OUTPUTS_CAVEATS = (
    "Programme-level figures published by the Home Office, not a full series per "
    "VRU: per-VRU counts of young people reached are not published as a table. "
    "Other published programme headlines are not stored as values because they are "
    "money or modelled estimates, not counts of people: combined VRU and Surge/Grip "
    "investment (£174m to 2020/21, £254m to 2021/22, £315m to 2022/23); 136,000 "
    "violence-without-injury offences prevented 2019/20-2021/22 (243 per 100,000); "
    "49,000 violent offences prevented by VRUs and hotspot policing; £4.10 of "
    "savings to society per £1 invested (2021/22); year ending March 2024 impact "
    "estimates of -0.98 homicides per million, -1.6 sharp-object admissions per "
    "100,000 (p=0.06) and -10.39 violent-injury admissions per 100,000 (p=0.08), "
    "not significant at 5%. The count of 290 stakeholders interviewed in the "
    "2020/21 process evaluation is a research sample, not an output. Sources: Home "
    "Office VRU evaluation reports on gov.uk (years ending March 2021-2024)."
)

_PEOPLE_ROWS = {
    "young people supported by VRU-funded initiatives (first year)": (
        "vru_young_people_reached",
        None,
    ),
    "of whom identified as high-risk of involvement in criminal/violent activity": (
        "vru_high_risk_young_people_reached",
        None,
    ),
    "Kent VRU: local projects funded / people engaged": (
        "vru_young_people_reached",
        "E23000032",
    ),
}


def _outputs(session: Session, areas: dict[str, int]) -> int:
    home_office = _url_source(
        session, "https://www.parliamenttoday.com/free/viewnews.html?id=125128"
    )
    measures = {}
    for code, spec in OUTPUT_MEASURES.items():
        measure = session.scalar(select(Measure).where(Measure.code == code))
        if measure is None:
            measure = Measure(
                code=code,
                unit="people",
                polarity="higher_is_better",
                category="output",
                tier=None,
                rate_multiplier=None,
                ci_method="none",
                disclosure_rule="none",
                period_type="financial_year",
                caveats=OUTPUTS_CAVEATS,
                is_public=True,
                source_id=home_office.id,
                **spec,
            )
            session.add(measure)
            session.flush()
        measures[code] = measure.id

    values = []
    for rec in read_reference(OUTPUTS_CSV):
        target = _PEOPLE_ROWS.get(rec["indicator"].strip())
        if target is None:
            continue  # money, modelled estimates or a research sample: see caveats
        code, area_code = target
        year = int(rec["period"][:4])
        precision = PRECISION_MAP[rec["precision"].strip()]
        wording = rec["value_as_published"].strip()
        scope = (
            "Programme total across the 18 VRU areas, shown at England and Wales."
            if area_code is None
            else "This VRU only; the page says people engaged, not only young people."
        )
        values.append(
            {
                "measure_id": measures[code],
                "area_id": areas[area_code or NATIONAL_CODE],
                "period_start": dt.date(year, 4, 1),
                "period_end": dt.date(year + 1, 3, 31),
                "age_band": "all",
                "value": float(rec["value"]),
                "numerator": None,
                "denominator": None,
                "status": "final",
                "source_id": _url_source(session, rec["source_url"].strip()).id,
                "submission_id": None,
                "is_current": True,
                "note": f"Published as {wording} ({precision.replace('_', ' ')}). "
                f"{scope} {rec['note'].strip()}".strip(),
            }
        )
    return bulk_insert(session, MeasureValue, values)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


MARKER_SOURCE_KEY = "seed_lancashire_briefing_2019"


def is_loaded(session: Session) -> bool:
    """True when this loader has already run on the store."""
    return has_source(session, MARKER_SOURCE_KEY)


def load(session: Session) -> dict[str, int]:
    """Load the seed papers' and the published funding/output figures.

    Needs the areas from `real.load`. Returns counts by kind; a no-op (returning
    {}) when it has already run on this store."""
    if is_loaded(session):
        return {}
    areas = area_ids(session)
    missing = [
        code
        for code in (
            NATIONAL_CODE,
            LANCASHIRE,
            AVON_AND_SOMERSET,
            WEST_MIDLANDS,
            HAMPSHIRE,
            THAMES_VALLEY,
            *(code for code, _ in AVON_SPOKES),
        )
        if code not in areas
    ]
    if missing:
        raise RuntimeError(f"areas missing (load real data first): {missing}")
    src = _seed_sources(session)

    allocations: list[dict] = []
    allocations += _lancashire(session, areas, src["seed_lancashire_briefing_2019"])
    allocations += _avon_and_somerset(
        session, areas, src["seed_avon_somerset_vru_background"]
    )
    allocations += _west_midlands(
        session,
        areas,
        src["seed_west_midlands_spcb_2019"],
        src["seed_west_midlands_spcb_2019_table"],
    )
    allocations += _hampshire(session, areas, src["seed_hampshire_cfap_2020"])
    allocations += _thames_valley(areas, src["seed_thames_valley_in_focus"])
    allocations += _published_allocations(session, areas)

    bulk_insert(session, FundingAllocation, allocations)
    outputs = _outputs(session, areas)
    keys = apply_precedence(session)
    session.flush()
    return {
        "funding_allocation": len(allocations),
        "allocation_keys": keys,
        "measure_value": outputs,
        "workstream": session.scalar(select(func.count()).select_from(Workstream)),
        "intervention": session.scalar(select(func.count()).select_from(Intervention)),
    }
