"""Load the real published figures in data/reference/ into an empty store.

What goes in (see data/reference/README.md for each file's provenance):
- sources: one row per publication (ONS editions carry `edition`);
- areas: England and Wales, England, the 43 police force areas (PFAs) and the
  local authority districts (LADs) of the ONS December 2024 lookup, with the VRU
  flag and the year VRU funding began;
- population: PFA, England and E&W mid-2002 to mid-2018 (all ages); LADs mid-2019
  and mid-2020 by age band, and PFA / England / E&W for those years as sums of LADs;
- the four police, hospital and homicide measures and their published values.

Decisions a reader of the store should know:
- LAD population for mid-2019 (LAD19 codes) and mid-2020 (LAD21 codes) is put onto
  the December 2024 LAD codes. Districts abolished in the 2020-2023 reorganisations
  are summed into their successor unitary authority (`SUCCESSOR_LAD`); every
  successor is a whole-district merger, so the sums are exact and the old codes are
  not added as areas. PFA, England and E&W figures for those years are sums of LADs.
- Several ONS editions repeat the same period. Every edition is kept; the latest
  edition that publishes a figure is current (`is_current`), so Greater Manchester
  and the E&W total for 2017/18-2018/19 come from the YE Jun 2019 edition, the last
  one before GMP's data became unavailable. "NA" is never stored as 0: no row.
- The quarterly series has no City of London, so there is no E&W quarterly total.
- Denominators are the area's population for the mid-year in which the period
  starts; when that year is not available the nearest one is used and the row's
  note says so. Multi-year totals use person-years (the sum of mid-years).
- Press and headline figures are loaded only when they are counts for a coded area
  and period that no ONS table gives; the ONS figure always wins.
- No personal names or e-mail addresses are copied into the store.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from data_access import periods
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.models import Area, Measure, MeasureValue, Population
from data_access.periods import fy_bounds, quarter_bounds
from data_access.shipped import vru_era
from data_access.shipped.common import (
    DATA_PACK_RETRIEVED,
    SUCCESSOR_LAD,
    area_ids,
    bulk_insert,
    get_or_create_source,
    has_source,
    measure_ids,
    read_reference,
    vru_start_years,
)

log = logging.getLogger(__name__)

GMP = "E23000005"
SURREY = "E23000031"
SUSSEX = "E23000033"
THAMES_VALLEY = "E23000029"
# The December 2019 edition revised the two latest rolling years for these forces.
REVISED_DEC_2019 = {"E23000007", "E23000023", "E23000026"}

# The key whose presence means this loader has already run.
MARKER_SOURCE_KEY = "ons-lookup-lad24-csp24-pfa24"

OGL = "Open Government Licence v3.0"
OPL = "Open Parliament Licence v3.0"
PRESS_LICENCE = "Figures from official statistics (OGL v3.0); article text not reused"
ONS = "Office for National Statistics"
ONS_PFA_TABLES_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/"
    "datasets/policeforceareadatatables"
)
RG_REPO = (
    "GitHub RG-1427/Data-Analytics, commit ec5f0b1144a197e18b4418dae4a7a26961128f3d"
)

POPULATION_BANDS = {
    "all": "population_all_ages",
    "under25": "age_0_24",
    "0-9": "age_0_9",
    "10-17": "age_10_17",
    "18-24": "age_18_24",
    "25+": "age_25_plus",
    "10-24": "age_10_24",
}
# Bands not stored as population but summed from stored bands for a denominator.
DERIVED_BANDS = {"0-17": ("0-9", "10-17"), "under18": ("0-9", "10-17")}

# Edition label -> source key. Editions are ordered by their reference date
# (periods.edition_reference_date), as every import of an ONS edition is.
TIMESERIES_EDITIONS = {
    "YE Jun 2019": "ons-pfa-tables-ye-jun-2019",
    "YE Sep 2019": "ons-pfa-tables-ye-sep-2019",
    "YE Dec 2019": "ons-pfa-tables-ye-dec-2019",
}
POPULATION_FILE_SOURCES = {
    "policeforceareatablesyearendingmarch2018v2.xlsx": "ons-pfa-tables-ye-mar-2018",
    "policeforceareatablesyearendingdecember2018.xlsx": "ons-pfa-tables-ye-dec-2018",
    "policeforceareatablesyearendingjune2019.xlsx": "ons-pfa-tables-ye-jun-2019",
}

_MONTHS = {
    m: i
    for i, m in enumerate(
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1
    )
}


# --------------------------------------------------------------------------- sources


def _pa_radar(area: str, paper: str) -> dict:
    return {
        "publisher": f"PA/RADAR local news story ({paper})",
        "title": (
            f"Knife crime and hospital admissions for assault with a sharp object in "
            f"{area} (PA/RADAR data story, Nov 2021, using NHS Digital HES and Home "
            f"Office police recorded crime data)"
        ),
        "licence": PRESS_LICENCE,
        "precedence": 60,
    }


SOURCES: dict[str, dict] = {
    "ons-pfa-tables-ye-mar-2018": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending March 2018 (Table P4: knife or sharp instrument offences; Table P9: "
        "mid-year population estimates 2002 to 2016)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Mar 2018",
        "precedence": 10,
        "notes": "Workbook policeforceareatablesyearendingmarch2018v2.xlsx in "
        f"{RG_REPO}. Population rounded to the nearest 100; before the post-Census "
        "2021 revision.",
    },
    "ons-pfa-tables-ye-jun-2018": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending June 2018 (Table P4: knife or sharp instrument offences)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Jun 2018",
        "precedence": 10,
        "notes": "Workbook policeforceareadatatablesyearendingjune2018corrected.xlsx "
        f"in {RG_REPO} (copy in data/reference/ons-pfa-tables/).",
    },
    "ons-pfa-tables-ye-sep-2018": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending September 2018 (Table P4: knife or sharp instrument offences)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Sep 2018",
        "precedence": 10,
        "notes": "Workbook policeforceareatablesyearendingsep18corrected.xlsx in "
        f"{RG_REPO} (copy in data/reference/ons-pfa-tables/).",
    },
    "ons-pfa-tables-ye-mar-2019": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending March 2019 (Table P4: knife or sharp instrument offences)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Mar 2019",
        "precedence": 10,
        "notes": "Workbook policeforceareatablesyeendingmarch2019.xlsx in "
        f"{RG_REPO} (copy in data/reference/ons-pfa-tables/).",
    },
    "ons-pfa-tables-ye-dec-2018": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending December 2018 (Table P4: knife or sharp instrument offences; Table "
        "P3: mid-2017 population)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Dec 2018",
        "precedence": 10,
        "notes": "Workbook policeforceareatablesyearendingdecember2018.xlsx in "
        f"{RG_REPO}. Population rounded to the nearest 100.",
    },
    "ons-pfa-tables-ye-jun-2019": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending June 2019 (Tables P4 and P5: knife or sharp instrument offences; "
        "Table P3: mid-2018 population)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Jun 2019",
        "precedence": 12,
        "notes": f"Workbook policeforceareatablesyearendingjune2019.xlsx in {RG_REPO}."
        " The last edition that includes Greater Manchester for 2017/18 onwards.",
    },
    "ons-pfa-tables-ye-sep-2019": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending September 2019 (Tables P4 and P5: knife or sharp instrument "
        "offences)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Sep 2019",
        "precedence": 11,
        "notes": f"Workbook policeforceareatablesyearendingseptember2019.xlsx in "
        f"{RG_REPO}. Greater Manchester and the E&W totals are not available for "
        "2017/18 onwards.",
    },
    "ons-pfa-tables-ye-dec-2019": {
        "publisher": ONS,
        "title": "Crime in England and Wales: Police Force Area data tables, year "
        "ending December 2019 (Tables P4 and P5: knife or sharp instrument "
        "offences)",
        "url": ONS_PFA_TABLES_URL,
        "licence": OGL,
        "edition": "YE Dec 2019",
        "precedence": 10,
        "notes": f"Workbook pfatablesdec19.xlsx in {RG_REPO} (copy in "
        "data/reference/ons-pfa-tables/). Greater Manchester and the E&W totals are "
        "not available for 2017/18 onwards.",
    },
    "ons-mye-2019-lad19": {
        "publisher": ONS,
        "title": "Population estimates for the UK, England and Wales, Scotland and "
        "Northern Ireland: mid-2019, April 2019 local authority district codes "
        "(MYE2 persons, single year of age)",
        "url": "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/"
        "populationandmigration/populationestimates/datasets/"
        "populationestimatesforukenglandandwalesscotlandandnorthernireland/"
        "mid2019april2019localauthoritydistrictcodes/ukmidyearestimates20192019ladcodes.xls",
        "licence": OGL,
        "edition": "mid-2019",
        "precedence": 10,
        "notes": "Read from GitHub humaniverse/demographr, commit d0417101 "
        "(population19_ltla19); age bands are sums of single years. Districts "
        "abolished by 2024 are summed into their successor unitary authority; PFA, "
        "England and E&W figures are sums of LADs (December 2024 LAD to PFA lookup).",
    },
    "ons-mye-2020-lad21": {
        "publisher": ONS,
        "title": "Population estimates for the UK, England and Wales, Scotland and "
        "Northern Ireland: mid-2020, 2021 local authority district codes (MYE2 "
        "persons, single year of age)",
        "url": "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/"
        "populationandmigration/populationestimates/datasets/"
        "populationestimatesforukenglandandwalesscotlandandnorthernireland/mid2020/"
        "ukpopestimatesmid2020on2021geography.xls",
        "licence": OGL,
        "edition": "mid-2020",
        "precedence": 10,
        "notes": "Read from GitHub humaniverse/demographr, commit d0417101 "
        "(population20_ltla21); age bands are sums of single years. Districts "
        "abolished by 2024 are summed into their successor unitary authority; PFA, "
        "England and E&W figures are sums of LADs. Pre-Census 2021 estimates.",
    },
    MARKER_SOURCE_KEY: {
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "title": "Local Authority District to Community Safety Partnership to Police "
        "Force Area (December 2024) lookup in England and Wales",
        "url": "https://github.com/humaniverse/geographr/blob/"
        "c026be5cc76cb576358082b53f1f13d69ab577ae/data/lookup_ltla24_csp24_pfa24.rda",
        "licence": OGL,
        "edition": "December 2024",
        "precedence": 10,
        "notes": "Source: Office for National Statistics licensed under the Open "
        "Government Licence v.3.0. Read from the humaniverse/geographr R package.",
    },
    "itv-2019-12-29-vru-funding": {
        "publisher": "ITV News",
        "title": "Police commissioners to receive extra £35m for violence reduction "
        "units (29 Dec 2019): the 18 VRU areas",
        "url": "https://www.itv.com/news/2019-12-29/"
        "police-commissioners-to-receive-extra-35m-for-violence-reduction-units/",
        "licence": "Facts from a Home Office announcement; article text not reused",
        "precedence": 60,
        "notes": "Gives the 18 police force areas funded from 2019/20.",
    },
    "written-answer-2023-06-27-vru-areas": {
        "publisher": "UK Parliament written answer (via streetguide.co.uk)",
        "title": "Written answer of 27 Jun 2023 listing the 20 VRU areas, including "
        "Cleveland and Humberside (funded from 2022/23)",
        "url": "https://streetguide.co.uk/parliament/written/1645983/4409",
        "licence": OPL,
        "precedence": 20,
    },
    "knifecrime-data-quarterly": {
        "publisher": "GitHub liam-t/knifecrime-data (Home Office police recorded "
        "crime)",
        "title": "Quarterly knife or sharp instrument offences by police force area, "
        "2008/09 Q1 to 2018/19 Q4 (42 forces, no City of London; unrevised: later "
        "ONS revisions, e.g. Surrey and Sussex, are not in it)",
        "url": "https://github.com/liam-t/knifecrime-data/blob/"
        "96d475284aa6f151245c257c6c9e441d719fec9b/data/source/knifecrime2.csv",
        "licence": "ISC (repository); underlying Home Office data OGL v3.0",
        "precedence": 40,
        "notes": "The repository states no upstream source. Quarterly sums match the "
        "ONS PFA tables exactly for all 42 forces in 2010/11-2013/14; later years "
        "differ where ONS revised (Surrey, Sussex, Thames Valley, Greater Manchester, "
        "Northumbria, Bedfordshire, Cambridgeshire), so these are unrevised figures.",
    },
    "hansard-2009-03-10-hospital-admissions": {
        "publisher": "UK Parliament (House of Commons written answer)",
        "title": "Hospitals: Admissions, written answer of 10 Mar 2009: finished "
        "admission episodes for assault by sharp object (X99), England, 1996-97 to "
        "2006-07, by age (HES)",
        "url": "https://hansard.parliament.uk/Commons/2009-03-10/debates/"
        "0903115000061/HospitalsAdmissions",
        "licence": OPL,
        "precedence": 20,
    },
    "hansard-2009-07-20-homicide": {
        "publisher": "UK Parliament (House of Commons written answer)",
        "title": "Homicide, written answer of 20 Jul 2009: homicides by sharp "
        "instrument by police force area, 1997-98 to 2007-08 (Homicide Index)",
        "url": "https://hansard.parliament.uk/Commons/2009-07-20/debates/"
        "09072117000039/Homicide",
        "licence": OPL,
        "precedence": 20,
        "notes": "Only the 14 forces whose row was complete in the stored text are "
        "loaded. '-' (nil) is loaded as 0.",
    },
    "nhs-digital-hes-apc": {
        "publisher": "NHS Digital (now NHS England)",
        "title": "Hospital Episode Statistics: Hospital Admitted Patient Care "
        "Activity (external cause X99, assault by sharp object)",
        "url": "https://digital.nhs.uk/data-and-information/publications/"
        "statistical/hospital-admitted-patient-care-activity",
        "licence": OGL,
        "precedence": 10,
        "notes": "Definition of the measure. The figures shipped with the app are "
        "quoted from this source by Parliament, the House of Commons Library, NHS "
        "England and the press.",
    },
    "ons-homicide-in-england-and-wales": {
        "publisher": ONS,
        "title": "Homicide in England and Wales (annual releases, Home Office "
        "Homicide Index)",
        "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/"
        "articles/homicideinenglandandwales/previousReleases",
        "licence": OGL,
        "precedence": 10,
        "notes": "Definition of the measure. The figures shipped with the app are "
        "quoted from these releases.",
    },
}

# Publications that back individual rows of the published-figures files, by URL.
WEB_SOURCES: dict[str, tuple[str, dict]] = {
    "https://issuu.com/erencan-iconicmediasolutions.c/docs/"
    "knife_crime_in_england_and_wales/s/12316566": (
        "hoc-library-cbp-4304-2021-09",
        {
            "publisher": "House of Commons Library",
            "title": "Knife crime in England and Wales (CBP-4304, Sep 2021), Table 14: "
            "finished consultant episodes for assault by sharp object, from NHS "
            "Digital HES (copy on issuu)",
            "licence": OPL,
            "precedence": 30,
        },
    ),
    "https://www.england.nhs.uk/2019/02/teens-admitted-to-hospital/": (
        "nhs-england-2019-02-11-teens-admitted",
        {
            "publisher": "NHS England",
            "title": "Press release of 11 Feb 2019 on teenagers admitted to hospital "
            "after assault with a sharp object",
            "licence": OGL,
            "precedence": 15,
        },
    ),
    "https://inkl.com/news/"
    "alarming-jump-in-proportion-of-knife-assault-hospital-cases-aged-under-18": (
        "pa-2025-knife-assault-admissions-under-18",
        {
            "publisher": "PA news agency (via Evening Standard / inkl)",
            "title": "PA analysis of NHS hospital admissions for assault by a sharp "
            "object, 2013/14 to 2023/24, including under-18s",
            "licence": PRESS_LICENCE,
            "precedence": 60,
        },
    ),
    "https://www.parallelparliament.co.uk/question/7137/hospitals-admissions": (
        "written-answer-2020-01-30-hospital-admissions",
        {
            "publisher": "UK Parliament written answer (via parallelparliament.co.uk)",
            "title": "Hospitals: Admissions, written answer of 30 Jan 2020: finished "
            "admission episodes by assault cause, 2018-19 (HES)",
            "licence": OPL,
            "precedence": 20,
        },
    ),
    "https://commonslibrary.parliament.uk/research-briefings/sn04304/": (
        "hoc-library-sn04304",
        {
            "publisher": "House of Commons Library",
            "title": "Knife crime statistics (SN04304), summary page",
            "licence": OPL,
            "precedence": 30,
        },
    ),
    "https://www.somersetcountygazette.co.uk/news/"
    "19715883.stabbings-behind-hundreds-somerset-hospital-admissions/": (
        "pa-radar-2021-11-avon-and-somerset",
        _pa_radar("Avon and Somerset", "Somerset County Gazette"),
    ),
    "https://www.hartlepoolmail.co.uk/news/crime/"
    "latest-knife-injury-figures-for-cleveland-police-area-revealed-3454831": (
        "pa-radar-2021-11-cleveland",
        _pa_radar("Cleveland", "Hartlepool Mail"),
    ),
    "https://www.bournemouthecho.co.uk/news/"
    "19723718.shocking-number-stabbings-behind-hospital-admissions-dorset/": (
        "pa-radar-2021-11-dorset",
        _pa_radar("Dorset", "Bournemouth Echo"),
    ),
    "https://www.northumberlandgazette.co.uk/news/crime/"
    "action-call-over-knife-injury-figures-3454827": (
        "pa-radar-2021-11-northumbria",
        _pa_radar("Northumbria", "Northumberland Gazette"),
    ),
    "https://www.lincolnshireworld.com/lincolnshire/boston/"
    "stabbings-behind-hundreds-of-lincolnshire-hospital-admissions-3454631": (
        "pa-radar-2021-11-lincolnshire",
        _pa_radar("Lincolnshire", "LincolnshireWorld"),
    ),
    "https://www.yorkshireeveningpost.co.uk/news/crime/stabbings-behind-nearly-2000-"
    "west-yorkshire-hospital-admissions-data-shows-3457036": (
        "pa-radar-2021-11-west-yorkshire",
        _pa_radar("West Yorkshire", "Yorkshire Evening Post"),
    ),
    "https://www.chad.co.uk/news/crime/"
    "stabbings-behind-hundreds-of-nottinghamshire-hospital-admissions-3456458": (
        "pa-radar-2021-11-nottinghamshire",
        _pa_radar("Nottinghamshire", "Chad"),
    ),
    "https://www.lep.co.uk/news/crime/"
    "three-knife-victims-a-day-in-lancashire-left-in-hospital-3455758": (
        "pa-radar-2021-11-lancashire",
        _pa_radar("Lancashire", "Lancashire Evening Post"),
    ),
    "http://vawnews.blogspot.com/2009/01/fatal-stabbings-at-30-year-high.html": (
        "home-office-2009-01-homicide-supplementary-volume",
        {
            "publisher": "Home Office supplementary volume (Jan 2009), as quoted on "
            "vawnews.blogspot.com",
            "title": "Homicides, firearm offences and intimate violence 2007/08: "
            "sharp-instrument homicides 2006/07 and 2007/08 (Homicide Index)",
            "licence": PRESS_LICENCE,
            "precedence": 40,
        },
    ),
    "http://top.adlesse.com/en/i/564735750734110613/"
    "knife-crime-fatal-stabbings-at-highest-level-since-records-began-in-1946": (
        "ons-2019-02-homicide-via-bbc",
        {
            "publisher": "ONS (Feb 2019), as reported by BBC News (copy on "
            "adlesse.com)",
            "title": "Knife crime: fatal stabbings at highest level since records "
            "began in 1946 (year ending March 2018, as first published)",
            "licence": PRESS_LICENCE,
            "precedence": 60,
        },
    ),
    "https://www.firstpost.com/world/why-fatal-stabbings-in-england-and-wales-"
    "are-at-the-highest-level-ever-12131512.html": (
        "ons-2023-02-homicide-via-firstpost",
        {
            "publisher": "ONS Homicide in England and Wales, year ending March 2022 "
            "(Feb 2023), as reported by Firstpost",
            "title": "Why fatal stabbings in England and Wales are at the highest "
            "level ever (knife homicides 2021/22; revised 2017/18)",
            "licence": PRESS_LICENCE,
            "precedence": 55,
        },
    ),
    "https://docslib.org/doc/4270430/"
    "homicide-in-england-and-wales-year-ending-march-2019": (
        "ons-homicide-ye-mar-2019",
        {
            "publisher": ONS,
            "title": "Homicide in England and Wales: year ending March 2019 (13 Feb "
            "2020) (copy on docslib.org)",
            "licence": OGL,
            "precedence": 10,
        },
    ),
    "https://www.cnn.com/uk/live-news/david-amess-mp-stabbed-10-15-21/"
    "h_5539578cdf2847bdef2cd144eafa1614": (
        "ons-2021-homicide-via-cnn",
        {
            "publisher": "ONS (Feb 2021 and Jul 2021 releases), as quoted by CNN",
            "title": "Knife or sharp instrument homicides, years ending March 2020 "
            "and March 2021, as quoted in CNN live news (15 Oct 2021)",
            "licence": PRESS_LICENCE,
            "precedence": 60,
        },
    ),
    "https://thebuzzinghub.com/articles/"
    "alarming-jump-in-proportion-of-knife-assault-hospital-cases-aged-under-18": (
        "pa-homicide-index-2024-via-thebuzzinghub",
        {
            "publisher": "ONS Homicide Index releases, as quoted by PA (via The "
            "Buzzing Hub)",
            "title": "Knife homicides and under-18 victims, years ending March 2023 "
            "and March 2024",
            "licence": PRESS_LICENCE,
            "precedence": 60,
        },
    ),
}


# ------------------------------------------------------------------------ measures

MEASURES: list[dict] = [
    {
        "code": "hospital_admissions_knife",
        "name": "Hospital admissions for assault by a knife or sharp object",
        "short_name": "Hospital admissions for knife assault",
        "definition": (
            "How many times people were admitted to hospital in England after being "
            "assaulted with a knife or other sharp object. It comes from NHS "
            "Hospital Episode Statistics (HES), where the cause of the injury is "
            "recorded as ICD-10 code X99, 'assault by sharp object'. Admissions are "
            "counted by where the patient lives, not where the assault happened, and "
            "shown as a count and as a rate per 100,000 residents. This is the first "
            "of the Home Office's three success measures for Violence Reduction "
            "Units, which look especially at people aged under 25."
        ),
        "unit": "admissions",
        "polarity": "lower_is_better",
        "category": "outcome",
        "rate_multiplier": 100000,
        "ci_method": "byar",
        "disclosure_rule": "hes",
        "period_type": "financial_year",
        "coverage": "England",
        "success_measure_rank": 1,
        "source": "nhs-digital-hes-apc",
        "caveats": (
            "Counted by the patient's area of residence, so an assault in one area "
            "can be counted in another. HES covers hospitals in England only, so "
            "figures are for England (or English force areas) and there is no "
            "England and Wales total. Admissions are episodes, not people: one "
            "person can be admitted more than once. Published figures use different "
            "counting units - finished consultant episodes (FCE), finished admission "
            "episodes (FAE) or 'admissions' - which are not directly comparable; "
            "each figure's note says which it uses. Most people treated for stab "
            "wounds are not admitted and are not counted. Under the HES disclosure "
            "rules small counts are suppressed and others rounded to the nearest 5; "
            "some published figures were already rounded by their source."
        ),
    },
    {
        "code": "knife_offences",
        "name": "Knife or sharp instrument offences (police recorded)",
        "short_name": "Knife offences",
        "definition": (
            "Serious offences recorded by the police in which a knife or sharp "
            "instrument was used: homicide, attempted murder, threats to kill, "
            "assault with injury and assault with intent to cause serious harm, "
            "robbery, and rape and sexual assault. This is the Home Office's second "
            "success measure for Violence Reduction Units, 'knife-enabled serious "
            "violence'. Offences are counted by the police force area where they "
            "were recorded (where the offence took place) and shown as a count and "
            "as a rate per 100,000 residents."
        ),
        "unit": "offences",
        "polarity": "lower_is_better",
        "category": "outcome",
        "rate_multiplier": 100000,
        "ci_method": "byar",
        "disclosure_rule": "none",
        "period_type": "quarter",
        "success_measure_rank": 2,
        "source": "ons-pfa-tables-ye-dec-2019",
        "caveats": (
            "Police recorded crime is not designated as National Statistics. The "
            "figures come from a special collection covering selected offences only; "
            "other offences may also involve a knife, and counts depend on how "
            "forces record. Greater Manchester Police under-counted knife offences "
            "until a review of its recording in December 2017; earlier figures were "
            "not revised and are not comparable with later ones. Following a new IT "
            "system in July 2019, Greater Manchester Police could not supply data, "
            "so ONS editions from the year ending September 2019 show Greater "
            "Manchester, and the England and Wales totals, as not available for "
            "2017/18 onwards; the year ending June 2019 edition is used for those "
            "years. Surrey includes unbroken bottle and glass offences, so it is not "
            "directly comparable. Sussex and Surrey revised their figures in 2019; "
            "Thames Valley under-counted in 2014/15 (not revised); Northumbria, "
            "Cambridgeshire and Bedfordshire revised their latest two years in the "
            "December 2019 edition. England and Wales totals include British "
            "Transport Police. The quarterly series (2008/09 to 2018/19) has no City "
            "of London and is unrevised: its annual sums match ONS exactly only for "
            "2010/11 to 2013/14, and there is no England and Wales quarterly total. "
            "After December 2019 only a few figures quoted from ONS releases are "
            "available. Financial years and rolling 12-month periods overlap: do not "
            "add them up."
        ),
    },
    {
        "code": "homicide_knife",
        "name": "Homicides involving a knife or sharp instrument",
        "short_name": "Knife homicides",
        "definition": (
            "Homicides (murder, manslaughter and infanticide) in which the apparent "
            "method of killing was a knife or sharp instrument, from the Home "
            "Office Homicide Index, by the year the offence was recorded as a "
            "homicide. The Home Office's third success measure for Violence "
            "Reduction Units counts non-domestic homicides only. Shown as a count "
            "and as a rate per 1,000,000 residents."
        ),
        "unit": "homicides",
        "polarity": "lower_is_better",
        "category": "outcome",
        "rate_multiplier": 1000000,
        "ci_method": "byar",
        "disclosure_rule": "none",
        "period_type": "financial_year",
        "success_measure_rank": 3,
        "source": "ons-homicide-in-england-and-wales",
        "caveats": (
            "The success measure is non-domestic knife homicide, but the published "
            "figures shipped with the app include domestic homicides, because that "
            "is what the sources give. Figures are revised as cases go through the "
            "courts (2017/18 was 285 when first published and 281 later): the latest "
            "figure is shown and earlier ones are kept. Force-level figures exist "
            "only for 14 forces from 1997/98 to 2007/08; national figures for "
            "2006/07, 2007/08 and 2017/18 onwards. Numbers for one force in one year "
            "are small and vary a lot by chance."
        ),
    },
    {
        "code": "knife_offences_share",
        "name": "Share of selected offences involving a knife or sharp instrument",
        "short_name": "Share of offences involving a knife",
        "definition": (
            "The percentage of the selected serious offences (homicide, attempted "
            "murder, threats to kill, assault with injury and with intent to cause "
            "serious harm, robbery, and rape and sexual assault) in which a knife or "
            "sharp instrument was used, from ONS figures. It shows whether "
            "violence is more or less likely to involve a knife, whatever the amount "
            "of violence recorded."
        ),
        "unit": "%",
        "polarity": "lower_is_better",
        "category": "outcome",
        "rate_multiplier": None,
        "ci_method": "wilson",
        "disclosure_rule": "none",
        "period_type": "rolling_year",
        "success_measure_rank": None,
        "source": "ons-pfa-tables-ye-dec-2019",
        "caveats": (
            "From the knife special collection. The number of selected offences "
            "(the denominator) comes from the single-year table (Table P4) of the "
            "edition whose own year the period is, where the count and the "
            "percentage cover the same 12 months: derived from the two, rounded to "
            "a whole number. "
            "The time-series table's percentages are not used: in the year ending "
            "June and September 2019 editions some of them divide one year's count "
            "by another year's selected offences. The percentage is the period's "
            "current count of knife offences (as revised by later editions, e.g. "
            "Sussex and Surrey in 2019) over those selected offences. The "
            "recording caveats of knife or sharp instrument offences apply."
        ),
    },
]


# ------------------------------------------------------------------------- helpers


def _fy_start(label: str) -> int:
    """'2010/11', '1996-97' and '1999-2000' -> the first calendar year."""
    match = re.fullmatch(r"(\d{4})[/-](\d{2}|\d{4})", label.strip())
    if not match:
        raise ValueError(f"not a financial year: {label!r}")
    return int(match[1])


def _year_ending(label: str) -> tuple[dt.date, dt.date]:
    """'YE Jun 2021' -> 1 Jul 2020 .. 30 Jun 2021."""
    bounds = periods.year_ending_bounds(label)
    if bounds is None:
        raise ValueError(f"not a 'YE Mon YYYY' period: {label!r}")
    return bounds


_NAME_AFTER_DATE = re.compile(r"(\d{4})\s*\((?:[A-Z][a-z'-]+\s?){2,3}\)")


def _clean_note(text: str) -> str:
    """A note from a data file, without the names of people it may quote.

    The published-figures files cite parliamentary answers as 'PQ answer <date>
    (Member Name)'; the store keeps role titles only, so such names are dropped."""
    text = _NAME_AFTER_DATE.sub(r"\1", text or "")
    # Cross-references to the layout of the CSV mean nothing in the store.
    text = text.replace("(see next row)", "")
    return text.replace("@", " at ").strip()


def _join(*parts: str | None) -> str | None:
    """Sentences joined into one note; each ends with a full stop."""
    sentences = []
    for part in parts:
        part = (part or "").strip()
        if part:
            part = part[0].upper() + part[1:]
            sentences.append(part if part[-1] in ".!?" else part + ".")
    return " ".join(sentences) or None


@dataclass
class _Population:
    """Population values by (code, mid_year, band), for denominators, and the
    source key of each (to name the estimate from mid-2021 on)."""

    values: dict[tuple[str, int, str], int]
    sources: dict[tuple[str, int, str], str] | None = None

    def _get(self, code: str, year: int, band: str) -> int | None:
        if band in DERIVED_BANDS:
            parts = [self.values.get((code, year, b)) for b in DERIVED_BANDS[band]]
            return None if None in parts else sum(parts)
        return self.values.get((code, year, band))

    def _estimate(self, code: str, year: int, band: str) -> str:
        """' (ONS mid-2024 estimates)' for a VRU-era year, else ''."""
        first = DERIVED_BANDS.get(band, (band,))[0]
        key = (self.sources or {}).get((code, year, first))
        name = vru_era.ESTIMATE_NAMES.get(key or "")
        return f" ({name})" if name else ""

    def denominator(
        self, code: str, year: int, band: str = "all"
    ) -> tuple[int | None, str | None]:
        """The population for `year`, or the nearest year with a note saying so."""
        exact = self._get(code, year, band)
        label = _band_label(band)
        derived = (
            f" (sum of {' and '.join(DERIVED_BANDS[band])})"
            if band in DERIVED_BANDS
            else ""
        )
        if exact is not None:
            estimate = self._estimate(code, year, band)
            if derived or estimate:
                return exact, (
                    f"Denominator: mid-{year} population {label}{derived}{estimate}."
                )
            return exact, None
        years = sorted(
            {y for (c, y, _b) in self.values if c == code and self._get(c, y, band)},
            key=lambda y: (abs(y - year), y),
        )
        if not years:
            return None, f"No population {label} is available for a denominator."
        nearest = years[0]
        return self._get(code, nearest, band), (
            f"Denominator: mid-{nearest} population {label}{derived}"
            f"{self._estimate(code, nearest, band)}, the nearest available to "
            f"mid-{year}."
        )

    def person_years(self, code: str, first: int, last: int) -> int | None:
        parts = [self.values.get((code, y, "all")) for y in range(first, last + 1)]
        return None if None in parts else sum(parts)


def _band_label(band: str) -> str:
    if band == "all":
        return "(all ages)"
    if band in ("0-17", "under18"):
        return "aged 0-17"
    if band == "under25":
        return "aged under 25"
    return f"aged {band}"


# -------------------------------------------------------------------------- loader


def is_loaded(session: Session) -> bool:
    """True when the real data has been loaded (its marker source exists)."""
    return has_source(session, MARKER_SOURCE_KEY)


def load(session: Session) -> dict[str, int]:
    """Load the real published data into the store; returns rows added by table.

    A no-op (returning {}) when it has already run on this store."""
    if is_loaded(session):
        log.info("real shipped data already loaded; nothing to do")
        return {}
    started = time.perf_counter()
    sources = _load_sources(session)
    counts = {"source": len(set(sources.values()))}
    counts["area"] = _load_areas(session, sources)
    codes = area_ids(session)
    population = _population_values()
    counts["population"] = _load_population(session, sources, codes, population)
    counts["measure"] = _load_measures(session, sources)
    rows = _measure_values(
        _Population(*population), sources, codes, measure_ids(session)
    )
    _check_unique(rows)
    counts["measure_value"] = bulk_insert(session, MeasureValue, rows)
    session.flush()
    log.info(
        "loaded real shipped data in %.1f s: %s", time.perf_counter() - started, counts
    )
    return counts


def _load_sources(session: Session) -> dict[str, int]:
    """Create every source; returns key -> id (also by URL for web sources)."""
    ids: dict[str, int] = {}
    for key, spec in (SOURCES | vru_era.SOURCES).items():
        source = get_or_create_source(
            session, key=key, retrieved=DATA_PACK_RETRIEVED, **_source_args(spec)
        )
        ids[key] = source.id
    for url, (key, spec) in WEB_SOURCES.items():
        args = _source_args(spec) | {"url": url}
        source = get_or_create_source(
            session, key=key, retrieved=DATA_PACK_RETRIEVED, **args
        )
        ids[key] = source.id
        ids[url] = source.id
    return ids


def _source_args(spec: dict) -> dict:
    return {
        "publisher": spec["publisher"],
        "title": spec["title"],
        "url": spec.get("url"),
        "licence": spec["licence"],
        "edition": spec.get("edition"),
        "notes": spec.get("notes"),
        "precedence": spec.get("precedence", 50),
    }


def _source_for(sources: dict[str, int], url: str) -> int:
    if url not in sources:
        raise ValueError(
            f"no source is defined for {url}: add it to WEB_SOURCES in "
            "data_access/shipped/real.py"
        )
    return sources[url]


def _load_areas(session: Session, sources: dict[str, int]) -> int:
    lookup_source = sources[MARKER_SOURCE_KEY]
    lookup = read_reference("lookup_lad24_csp24_pfa24_ons.csv")
    # The ONS PFA tables spell the forces in normal case ("City of London").
    pfa_names = {
        r["area_code"]: r["area_name"]
        for r in read_reference("pfa_population_mye_2002_2018_ons.csv")
        if r["geo_level"] == "pfa"
    }
    vru_start = vru_start_years()
    countries = [
        Area(
            code=NATIONAL_CODE,
            name="England and Wales",
            level="country",
            source_id=lookup_source,
        ),
        Area(
            code=ENGLAND_CODE, name="England", level="country", source_id=lookup_source
        ),
    ]
    session.add_all(countries)
    session.flush()
    ew_id = countries[0].id

    pfas: dict[str, str] = {}
    lads: dict[str, tuple[str, str]] = {}
    for row in lookup:
        pfas[row["pfa24_code"]] = pfa_names.get(row["pfa24_code"], row["pfa24_name"])
        lads.setdefault(row["ltla24_code"], (row["ltla24_name"], row["pfa24_code"]))
    if len(pfas) != 43 or set(vru_start) - set(pfas):
        raise ValueError("the LAD/PFA lookup does not give the 43 force areas")
    bulk_insert(
        session,
        Area,
        [
            {
                "code": code,
                "name": pfas[code],
                "level": "pfa",
                "parent_id": ew_id,
                "is_vru": code in vru_start,
                "vru_start_year": vru_start.get(code),
                "source_id": lookup_source,
            }
            for code in sorted(pfas)
        ],
    )
    ids = area_ids(session)
    bulk_insert(
        session,
        Area,
        [
            {
                "code": code,
                "name": lads[code][0],
                "level": "lad",
                "parent_id": ids[lads[code][1]],
                "is_vru": False,
                "vru_start_year": None,
                "source_id": lookup_source,
            }
            for code in sorted(lads)
        ],
    )
    return len(countries) + len(pfas) + len(lads)


def _population_values() -> tuple[dict[tuple[str, int, str], int], dict[tuple, str]]:
    """(values, source key) by (code, mid_year, band) for every population row."""
    values: dict[tuple[str, int, str], int] = {}
    source_of: dict[tuple[str, int, str], str] = {}
    lad_to_pfa = {
        r["ltla24_code"]: r["pfa24_code"]
        for r in read_reference("lookup_lad24_csp24_pfa24_ons.csv")
    }
    for row in read_reference("pfa_population_mye_2002_2018_ons.csv"):
        if row["geo_level"] == "pfa" or row["area_code"] in (
            NATIONAL_CODE,
            ENGLAND_CODE,
        ):
            key = (row["area_code"], int(row["mid_year"]), "all")
            values[key] = int(row["population"])
            source_of[key] = POPULATION_FILE_SOURCES[row["source_file"]]
    lad_sources = {2019: "ons-mye-2019-lad19", 2020: "ons-mye-2020-lad21"}
    sums: dict[tuple[str, int, str], int] = defaultdict(int)
    for row in read_reference("lad_population_mid2019_mid2020_ons.csv"):
        year = int(row["mid_year"])
        lad = SUCCESSOR_LAD.get(row["lad_code"], row["lad_code"])
        if lad not in lad_to_pfa:
            raise ValueError(f"LAD {row['lad_code']} ({row['lad_name']}) has no PFA")
        country = ENGLAND_CODE if lad.startswith("E") else None
        for band, column in POPULATION_BANDS.items():
            value = int(row[column])
            for code in (lad, lad_to_pfa[lad], country, NATIONAL_CODE):
                if code:
                    sums[(code, year, band)] += value
    for key in sorted(sums):
        values[key] = sums[key]
        source_of[key] = lad_sources[key[1]]
    # Mid-2021 to mid-2024 from the VRU-era files (same LAD codes as the lookup).
    recent, recent_sources = vru_era.population_values(lad_to_pfa)
    values.update(recent)
    source_of.update(recent_sources)
    return values, source_of


def _load_population(
    session: Session,
    sources: dict[str, int],
    codes: dict[str, int],
    population: tuple[dict, dict],
) -> int:
    values, source_of = population
    band_order = {band: i for i, band in enumerate(POPULATION_BANDS)}
    keys = sorted(values, key=lambda k: (k[0], k[1], band_order[k[2]]))
    return bulk_insert(
        session,
        Population,
        [
            {
                "area_id": codes[code],
                "mid_year": year,
                "age_band": band,
                "value": values[(code, year, band)],
                "source_id": sources[source_of[(code, year, band)]],
            }
            for code, year, band in keys
        ],
    )


def _load_measures(session: Session, sources: dict[str, int]) -> int:
    for spec in MEASURES:
        fields = {k: v for k, v in spec.items() if k != "source"}
        session.add(
            Measure(
                **fields, tier=None, is_public=True, source_id=sources[spec["source"]]
            )
        )
    session.flush()
    return len(MEASURES)


# ------------------------------------------------------------------ measure values


class _Values:
    """Collects measure_value rows and remembers which keys are already current."""

    def __init__(self, codes: dict[str, int], measures: dict[str, int]):
        self.codes = codes
        self.measures = measures
        self.rows: list[dict] = []
        self.current: set[tuple] = set()
        # (measure, area, start, end, band) -> value of the current figure
        self.current_values: dict[tuple, float] = {}

    def has_current(
        self, measure: str, area: str, start: dt.date, end: dt.date, band: str
    ) -> bool:
        return (measure, area, start, end, band) in self.current

    def add(
        self,
        *,
        measure: str,
        area: str,
        start: dt.date,
        end: dt.date,
        value: float,
        source_id: int,
        band: str = "all",
        numerator: float | None = None,
        denominator: float | None = None,
        status: str = "final",
        is_current: bool = True,
        note: str | None = None,
        coverage: str | None = None,
        precision: str = "exact",
    ) -> None:
        if is_current:
            self.current.add((measure, area, start, end, band))
            self.current_values[(measure, area, start, end, band)] = value
        self.rows.append(
            {
                "measure_id": self.measures[measure],
                "area_id": self.codes[area],
                "period_start": start,
                "period_end": end,
                "age_band": band,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "status": status,
                "source_id": source_id,
                "submission_id": None,
                "is_current": is_current,
                "note": note,
                "coverage": coverage,
                "precision": precision,
            }
        )

    def add_count(
        self,
        population: _Population | None,
        *,
        measure: str,
        area: str,
        start: dt.date,
        end: dt.date,
        count: int,
        notes: tuple[str | None, ...] = (),
        band: str = "all",
        **rest: Any,
    ) -> None:
        """A published count: the value and numerator are `count`; the denominator
        is the area's population of `band` in the period's first year (none when
        `population` is None), and how it was estimated ends the note."""
        denominator, pop_note = (
            population.denominator(area, start.year, band)
            if population is not None
            else (None, None)
        )
        self.add(
            measure=measure,
            area=area,
            start=start,
            end=end,
            band=band,
            value=count,
            numerator=count,
            denominator=denominator,
            note=_join(*notes, pop_note),
            **rest,
        )


def _measure_values(
    population: _Population,
    sources: dict[str, int],
    codes: dict[str, int],
    measures: dict[str, int],
) -> list[dict]:
    out = _Values(codes, measures)
    _knife_ons_annual(out, population, sources)
    _knife_share(out, sources)
    _knife_quarterly(out, population, sources)
    _knife_press(out, population, sources)
    _hes_england(out, population, sources)
    _hes_pfa(out, population, sources)
    _homicide_england_and_wales(out, population, sources)
    _homicide_pfa(out, population, sources)
    return out.rows


def _knife_notes(area: str, start: dt.date, end: dt.date) -> list[str]:
    """Recording caveats from the ONS footnotes that apply to one force and period."""
    notes = []
    if area == GMP and start < dt.date(2018, 1, 1):
        notes.append(
            "Greater Manchester Police under-counted knife offences until a review "
            "of its recording in December 2017; figures before January 2018 were not "
            "revised and are not comparable with later ones."
        )
    if area == SURREY:
        notes.append(
            "Surrey Police include unbroken bottle and glass offences, so Surrey is "
            "not directly comparable with other forces."
        )
    if (
        area == THAMES_VALLEY
        and start >= dt.date(2014, 4, 1)
        and end <= dt.date(2015, 3, 31)
    ):
        notes.append(
            "Thames Valley Police under-counted knife offences in 2014/15 after "
            "introducing a new recording system; this year was not revised."
        )
    return notes


def _knife_ons_annual(out: _Values, population: _Population, sources) -> None:
    """ONS Table P5: financial years and rolling years, three editions."""
    groups: dict[tuple[str, dt.date, dt.date], list[dict]] = defaultdict(list)
    for row in read_reference("knife_offences_pfa_timeseries_ons.csv"):
        if row["geo_level"] != "pfa" and row["area_code"] != NATIONAL_CODE:
            continue  # regions, England, Wales and the uncoded "excluding GMP" rows
        start = periods.parse_month(row["period_start"], parameter="period_start")
        end = periods.parse_month(row["period_end"], parameter="period_end", end=True)
        groups[(row["area_code"], start, end)].append(row)

    for (area, start, end), rows in sorted(groups.items()):
        rows.sort(key=lambda r: periods.edition_reference_date(r["edition"]))
        published = [r for r in rows if r["knife_offences_selected"].strip()]
        if not published:
            continue
        latest = published[-1]
        missing_later = [
            r["edition"]
            for r in rows
            if not r["knife_offences_selected"].strip()
            and periods.edition_reference_date(r["edition"])
            > periods.edition_reference_date(latest["edition"])
        ]
        for row in published:
            source_key = TIMESERIES_EDITIONS[row["edition"]]
            count = int(row["knife_offences_selected"])
            is_current = row is latest
            notes = _knife_notes(area, start, end)
            if area in (SURREY, SUSSEX):
                notes.append(
                    "Sussex and Surrey revised their figures in 2019 to include knife "
                    "offences not identified as such before, so these differ from "
                    "figures published before the year ending March 2019."
                )
            if (
                area in REVISED_DEC_2019
                and row["edition"] == "YE Dec 2019"
                and start.year >= 2018
                and start.month == 1
            ):
                notes.append(
                    "Revised by the force in the December 2019 edition (an increase); "
                    "earlier years were not revised, so they are not directly "
                    "comparable."
                )
            if area == NATIONAL_CODE:
                notes.append(
                    "England and Wales totals include British Transport Police."
                )
            if is_current and missing_later:
                who = (
                    "the England and Wales total"
                    if area == NATIONAL_CODE
                    else "Greater Manchester"
                    if area == GMP
                    else "this force"
                )
                editions = " and ".join(missing_later)
                plural = "editions show" if len(missing_later) > 1 else "edition shows"
                notes.append(
                    f"The {editions} {plural} {who} as not "
                    "available (Greater Manchester Police could not supply data after "
                    f"a new IT system in July 2019); this is the {row['edition']} "
                    "edition figure."
                )
            out.add_count(
                population,
                measure="knife_offences",
                area=area,
                start=start,
                end=end,
                count=count,
                source_id=sources[source_key],
                is_current=is_current,
                notes=tuple(notes),
            )


def _knife_share(out: _Values, sources) -> None:
    """The share of selected offences involving a knife: the period's current
    knife offences over its selected serious offences, which come from Table P4
    of the edition whose own year the period is (count and percentage in one row,
    for the same 12 months). The time-series table's percentages are not used: in
    the YE Jun and Sep 2019 editions some of its columns divide a year's count by
    another year's selected offences (E&W 2017/18: 6.648% = 42,169 over the
    2016/17 selected offences). The ONS workbook import works the same way."""
    rows = [
        r
        for r in read_reference("knife_offences_pfa_by_offence_type_ons.csv")
        if r["offence"] == "Total of selected serious offences"
    ]
    # A force area an edition has no figure for (Greater Manchester from YE Sep
    # 2019: not in the file at all) is left out of that edition's E&W total.
    forces = {r["area_code"]: r["area_name"] for r in rows if r["geo_level"] == "pfa"}
    reported: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["knife_offences"].strip():
            reported[row["edition"]].add(row["area_code"])
    unavailable = {
        edition: sorted(forces[c] for c in forces if c not in codes)
        for edition, codes in reported.items()
    }
    for row in rows:
        area = row["area_code"]
        pct_text = row["pct_of_offences_involving_knife"].strip()
        if area not in out.codes or (
            row["geo_level"] != "pfa" and area != NATIONAL_CODE
        ):
            continue  # regions and England, as for the counts
        if not row["knife_offences"].strip() or not pct_text or float(pct_text) <= 0:
            continue  # "NA", or "-" (fewer than 50 offences): no figure
        start, end = _year_ending(row["edition"])
        published, pct = int(row["knife_offences"]), float(pct_text)
        selected = round(published / pct * 100)
        # the period's current count: a later edition may have revised it
        count = out.current_values.get(("knife_offences", area, start, end, "all"))
        count = published if count is None else count
        left_out = unavailable[row["edition"]] if area == NATIONAL_CODE else []
        coverage = (
            "England and Wales excluding " + " and ".join(left_out)
            if left_out
            else None
        )
        out.add(
            measure="knife_offences_share",
            area=area,
            start=start,
            end=end,
            value=count / selected * 100,
            numerator=count,
            denominator=selected,
            source_id=sources[_edition_source_key(row["edition"])],
            coverage=coverage,
            note=_join(
                "The period's knife offences over its selected serious offences, "
                f"derived from the count and percentage in Table P4 of the "
                f"{row['edition']} edition (both for the same 12 months), rounded "
                "to a whole number.",
                None
                if count == published
                else f"The count is as revised by a later edition ({count:,.0f}; "
                f"{published:,} when first published).",
                *([f"{coverage}: not available in this edition."] if coverage else []),
                *_knife_notes(area, start, end),
            ),
        )


def _edition_source_key(edition: str) -> str:
    """'YE Mar 2018' -> 'ons-pfa-tables-ye-mar-2018'."""
    return "ons-pfa-tables-" + edition.lower().replace(" ", "-")


def _knife_quarterly(out: _Values, population: _Population, sources) -> None:
    """Quarterly series, 42 forces; no E&W total because City of London is absent."""
    source_id = sources["knifecrime-data-quarterly"]
    rows = read_reference("knife_offences_pfa_quarterly_2008_2019.csv")
    for row in sorted(rows, key=lambda r: (r["pfa_code"], int(r["quarter_index"]))):
        year = _fy_start(row["financial_year"])
        start, end = quarter_bounds(year, int(row["fin_quarter"].lstrip("Q")))
        out.add_count(
            population,
            measure="knife_offences",
            area=row["pfa_code"],
            start=start,
            end=end,
            count=int(row["knife_offences_total"]),
            source_id=source_id,
            notes=tuple(_knife_notes(row["pfa_code"], start, end)),
        )


def _knife_press(out: _Values, population: _Population, sources) -> None:
    """Post-2019 counts quoted from ONS by the press, for coded areas only."""
    candidates: list[tuple[str, str, int, str, str | None]] = []
    for row in read_reference("knife_offences_pfa_ye_jun2021_press.csv"):
        approx = "approximate" if row["area_code"] == NATIONAL_CODE else None
        candidates.append(
            (row["area_code"], "YE Jun 2021", int(row["knife_offences_selected"]),
             row["source_url"], approx)
        )  # fmt: skip
    for row in read_reference("knife_offences_published_headlines_2019_2023.csv"):
        if not row["area_code"] or row["unit"] != "offences":
            continue  # uncoded bases (e.g. excluding GMP) and rates are not counts
        if not row["measure"].startswith("knife offences (selected"):
            continue
        approx = "approximate" if "approximate" in row["context"] else None
        candidates.append(
            (row["area_code"], row["period"], int(row["value"]), row["source_url"],
             approx)
        )  # fmt: skip
    for area, period, count, url, approx in candidates:
        if area not in out.codes:
            continue  # regions are not areas in the store
        start, end = _year_ending(period)
        if out.has_current("knife_offences", area, start, end, "all"):
            continue  # the ONS table (or the same press figure) is already there
        quoted = f"Approximate: quoted as 'nearly {count:,}'." if approx else None
        out.add_count(
            population,
            measure="knife_offences",
            area=area,
            start=start,
            end=end,
            count=count,
            source_id=_source_for(sources, url),
            precision="approx" if approx else "exact",
            notes=(
                "Home Office / ONS police recorded figure as quoted in the press, not "
                "taken from the ONS table.",
                quoted,
                *_knife_notes(area, start, end),
            ),
        )


HES_AGE_BANDS = {
    "all ages": "all",
    "under 16": "under16",
    "16-18": "16-18",
    "19+": "19+",
    "10-19": "10-19",
    "0-17": "0-17",
}
# Bands whose population can be derived for a denominator.
HES_DENOMINATOR_BANDS = {"all", "0-17"}


def _hes_england(out: _Values, population: _Population, sources) -> None:
    """National (England) HES X99 figures: Hansard 1996-97..2006-07 and later quotes."""
    hansard = sources["hansard-2009-03-10-hospital-admissions"]
    for row in read_reference("hes_assault_sharp_object_england_1996_2007_by_age.csv"):
        start, end = fy_bounds(_fy_start(row["financial_year"]))
        basis = "Counting basis: finished admission episodes (FAE)."
        bands = [
            ("all", row["total"]),
            ("0-15", row["age_15_and_under"]),
            ("16-17", row["age_16_17"]),
            ("18+", row["age_18_and_over"]),
        ]
        for band, text in bands:
            unknown = (
                f"Includes {int(row['age_other_unknown'])} with age other or unknown."
                if band == "all"
                else None
            )
            out.add_count(
                population if band == "all" else None,
                measure="hospital_admissions_knife",
                area=ENGLAND_CODE,
                start=start,
                end=end,
                band=band,
                count=int(text),
                source_id=hansard,
                notes=(basis, unknown),
            )

    rows = read_reference("hes_assault_sharp_object_england_published_figures.csv")
    shares: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if "(share)" in row["age_group"]:
            who = row["age_group"].replace("(share)", "").strip()
            approx = "about " if row["precision"] == "approx" else ""
            shares[row["period"]].append(
                f"{approx}{row['value']}% of these were patients aged {who} "
                "(published percentage; no count derived)."
            )
    for row in rows:
        band = HES_AGE_BANDS.get(row["age_group"])
        if band is None or row["precision"] not in ("exact", "approx"):
            continue  # shares (see notes), lower bounds
        if not re.fullmatch(r"\d{4}/\d{2}", row["period"]):
            continue  # calendar years and multi-year totals (E&W basis, approximate)
        start, end = fy_bounds(_fy_start(row["period"]))
        approx = (
            "Approximate: rounded as published ('around')."
            if row["precision"] == "approx"
            else None
        )
        out.add_count(
            population if band in HES_DENOMINATOR_BANDS else None,
            measure="hospital_admissions_knife",
            area=ENGLAND_CODE,
            start=start,
            end=end,
            band=band,
            count=int(float(row["value"])),
            source_id=_source_for(sources, row["source_url"]),
            precision=row["precision"],
            notes=(
                f"Counting basis: {row['measure']}.",
                approx,
                _clean_note(row["note"]),
                *(shares.get(row["period"], []) if band == "all" else []),
            ),
        )


def _hes_pfa(out: _Values, population: _Population, sources) -> None:
    """HES X99 by PFA of residence (8 forces): a 9-year total and 2020/21."""
    nine_years = (dt.date(2012, 4, 1), dt.date(2021, 3, 31))
    for row in read_reference(
        "hes_assault_sharp_object_pfa_residence_2012_2021_press.csv"
    ):
        area, source_id = row["pfa_code"], _source_for(sources, row["source_url"])
        rounding = "Rounded to the nearest 5 by the source."
        basis = (
            "By police force area of the patient's residence (the assault may have "
            "happened elsewhere); English NHS hospitals only."
        )
        total = int(row["admissions_apr2012_mar2021_approx"])
        out.add(
            measure="hospital_admissions_knife",
            area=area,
            start=nine_years[0],
            end=nine_years[1],
            value=total,
            numerator=total,
            denominator=population.person_years(area, 2012, 2020),
            source_id=source_id,
            precision="rounded",
            note=_join(
                "Total for April 2012 to March 2021 (nine financial years).",
                rounding,
                f"About {row['pct_aged_under25_approx']}% of these admissions were of "
                "patients aged under 25 (published percentage, rounded; no count "
                "derived).",
                basis,
                "Denominator: person-years (sum of the mid-2012 to mid-2020 "
                "populations), so a rate from it is an average annual rate.",
            ),
        )
        start, end = fy_bounds(2020)
        out.add_count(
            population,
            measure="hospital_admissions_knife",
            area=area,
            start=start,
            end=end,
            count=int(row["admissions_2020_21_approx"]),
            source_id=source_id,
            precision="rounded",
            notes=(rounding, basis),
        )


def _publication_date(publisher: str) -> tuple[int, int]:
    """'ONS (Feb 2019), via BBC' -> (2019, 2); undated -> (9999, 0) (treated latest)."""
    match = re.search(r"\((?:\d{1,2} )?([A-Z][a-z]{2})[a-z]* (\d{4})", publisher)
    if not match or match[1] not in _MONTHS:
        return 9999, 0
    return int(match[2]), _MONTHS[match[1]]


def _homicide_england_and_wales(out: _Values, population: _Population, sources) -> None:
    rows = read_reference("homicide_sharp_instrument_ew_published_figures.csv")
    by_year: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_year[row["year_ending_march"]].append(row)
    for label in sorted(by_year):
        start, end = fy_bounds(_fy_start(label))
        editions = sorted(
            by_year[label], key=lambda r: _publication_date(r["publisher"])
        )
        latest = editions[-1]
        for row in editions:
            is_current = row is latest
            provisional = "provisional" in row["note"]
            revised = None
            if len(editions) > 1:
                revised = (
                    "Later-published revision of this year's figure."
                    if is_current
                    else "As first published; superseded by a later ONS revision."
                )
            out.add_count(
                population,
                measure="homicide_knife",
                area=NATIONAL_CODE,
                start=start,
                end=end,
                count=int(row["homicides_sharp_instrument"]),
                status="provisional" if provisional else "final",
                source_id=_source_for(sources, row["source_url"]),
                is_current=is_current,
                notes=(
                    "Includes domestic homicides.",
                    revised,
                    _clean_note(row["note"]),
                ),
            )
            if row["of_which_victims_under18"].strip():
                out.add_count(
                    population,
                    measure="homicide_knife",
                    area=NATIONAL_CODE,
                    start=start,
                    end=end,
                    band="under18",
                    count=int(row["of_which_victims_under18"]),
                    source_id=_source_for(sources, row["source_url"]),
                    is_current=is_current,
                    notes=("Victims aged under 18.",),
                )


def _homicide_pfa(out: _Values, population: _Population, sources) -> None:
    source_id = sources["hansard-2009-07-20-homicide"]
    rows = read_reference("homicide_sharp_instrument_pfa_1997_2008_hansard_partial.csv")
    for row in sorted(
        rows,
        key=lambda r: (r["pfa_code"], _fy_start(r["year_offence_initially_recorded"])),
    ):
        start, end = fy_bounds(_fy_start(row["year_offence_initially_recorded"]))
        out.add_count(
            population,
            measure="homicide_knife",
            area=row["pfa_code"],
            start=start,
            end=end,
            count=int(row["homicides_sharp_instrument"]),
            source_id=source_id,
            notes=(
                "By the year the offence was initially recorded as homicide, as "
                "recorded in July 2009; includes domestic homicides.",
            ),
        )


def _check_unique(rows: list[dict]) -> None:
    """Refuse to load two current figures (or two editions) for one key."""
    current: set[tuple] = set()
    editions: set[tuple] = set()
    for row in rows:
        key = (
            row["measure_id"],
            row["area_id"],
            row["period_start"],
            row["period_end"],
            row["age_band"],
        )
        if row["is_current"]:
            if key in current:
                raise ValueError(f"two current measure values for {key}")
            current.add(key)
        edition = (*key, row["source_id"])
        if edition in editions:
            raise ValueError(f"two measure values for {key} from one source")
        editions.add(edition)
