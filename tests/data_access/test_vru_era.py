"""The VRU-era files (data/reference/vru-era/) in the loaded store: every figure
checked here is read from the file itself in the test, with the csv module or
openpyxl, never typed in and never through the loader's own reader."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.db import session_scope
from data_access.models import Area, Measure, MeasureValue, Population, Source
from data_access.shipped.vru_era import VRU_ERA_DIR

P1 = VRU_ERA_DIR / "ons_pfa_tables_ye_jun2025_table_p1.csv"
C2 = VRU_ERA_DIR / "ons_pfa_tables_ye_jun2025_table_c2.csv"
HES = VRU_ERA_DIR / "nhs_hes_x99_assault_sharp_object_regions_2012_2022.xlsx"
MYE23 = VRU_ERA_DIR / "ons_mid_year_estimates_2023_mye23tablesew.xlsx"
MYE24 = VRU_ERA_DIR / "ons_mid_year_estimates_2024_mye2_persons.csv"
MPS = VRU_ERA_DIR / "mps_homicides_london_2003_2023.csv"
YE_JUN_2025 = (dt.date(2024, 7, 1), dt.date(2025, 6, 30))


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def _csv_rows(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def _current(measure: str, code: str, start: dt.date, end: dt.date):
    with session_scope() as session:
        return session.execute(
            select(
                MeasureValue.value,
                MeasureValue.denominator,
                MeasureValue.note,
                MeasureValue.precision,
                MeasureValue.status,
                Source.key,
            )
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Measure.code == measure,
                Area.code == code,
                MeasureValue.period_start == start,
                MeasureValue.period_end == end,
                MeasureValue.age_band == "all",
                MeasureValue.is_current.is_(True),
            )
        ).one()


def _population(code: str, year: int, band: str = "all") -> int:
    with session_scope() as session:
        return session.scalar(
            select(Population.value)
            .join(Area, Area.id == Population.area_id)
            .where(
                Area.code == code,
                Population.mid_year == year,
                Population.age_band == band,
            )
        )


def test_table_p1_possession_of_weapons(loaded_store):
    rows = _csv_rows(P1)
    header = next(r for r in rows if r and r[0] == "Area Code")
    column = header.index("Possession of weapons offences")
    by_code = {r[0]: r for r in rows if r and r[0].startswith(("K04", "E23", "E12"))}
    # England and Wales and three forces, as published in the file.
    for code in ("K04000001", "E23000036", "E23000003", "E23000016"):
        value, denominator, note, *_ = _current(
            "possession_of_weapons", code, *YE_JUN_2025
        )
        assert value == _number(by_code[code][column]), code
        # The year ending June 2025 starts in July 2024: mid-2024 population.
        assert denominator == _population(code, 2024) and "mid-2024" in note
    london = _current("violence_with_injury", "E12000007", *YE_JUN_2025)[0]
    assert london == _number(by_code["E12000007"][header.index("Violence with injury")])


def test_table_c2_a_district_is_its_partnership(loaded_store):
    rows = _csv_rows(C2)
    header = next(r for r in rows if r and r[0].startswith("Police Force"))
    la, column = header.index("Local Authority code"), header.index("Homicide")
    bristol = next(r for r in rows if len(r) > la and r[la].strip() == "E06000023")
    value, *_ = _current("homicide", "E06000023", *YE_JUN_2025)
    assert value == _number(bristol[column])


def _hes_england_total(label: str) -> int:
    book = load_workbook(HES, read_only=True, data_only=True)
    try:
        rows = list(book["GOR-Data-Totals"].iter_rows(values_only=True))
    finally:
        book.close()
    names = next(r for r in rows if r and "England" in r)
    column = list(names).index("England")  # the FAE column under the name
    return next(r[column] for r in rows if r and r[0] == label)


@pytest.mark.parametrize(
    "year,label", [(2012, "2012-13 Total"), (2018, "2018-19 Total")]
)
def test_hes_england_totals(loaded_store, year, label):
    published = _hes_england_total(label)
    assert published in (3849, 5069)  # the published England totals (README)
    value, _d, note, precision, status, source = _current(
        "hospital_admissions_knife",
        "E92000001",
        dt.date(year, 4, 1),
        dt.date(year + 1, 3, 31),
    )
    assert (value, precision, status) == (published, "exact", "final")
    assert source == "nhs-digital-hes-x99-regions-2012-2022" and "FAE" in note


def test_hes_regions_are_rounded_and_say_so(loaded_store):
    value, denominator, note, precision, _s, _k = _current(
        "hospital_admissions_knife",
        "E12000007",  # London
        dt.date(2021, 4, 1),
        dt.date(2022, 3, 31),
    )
    assert precision == "rounded" and value % 5 == 0
    assert "coarser geography" in note and "follows the 2021-22 months" in note
    assert denominator == _population("E12000007", 2021)


def test_london_borough_knife_homicides_2019(loaded_store):
    with MPS.open(newline="", encoding="utf-8") as handle:
        victims = [
            r
            for r in csv.DictReader(handle)
            if r["Borough"] == "Lambeth"
            and r["Year"] == "2019"
            and r["Method_of_Killing"] == "Knife or Sharp Implement"
        ]
    value, denominator, note, *_ = _current(
        "homicide_knife", "E09000022", dt.date(2019, 1, 1), dt.date(2019, 12, 31)
    )
    assert value == len(victims) and denominator == _population("E09000022", 2019)
    assert "Knife or Sharp Implement" in note
    # Before the store's first LAD population (mid-2019) the rate uses the
    # mid-2023 workbook's MYE4 back series, read here from the workbook.
    book = load_workbook(MYE23, read_only=True, data_only=True)
    try:
        mye4 = list(book["MYE4"].iter_rows(values_only=True, max_col=16))
    finally:
        book.close()
    header = next(r for r in mye4 if r and r[0] == "Code")
    row = next(r for r in mye4 if r and r[0] == "E09000022")
    _v, denominator, note, *_ = _current(
        "homicide_knife", "E09000022", dt.date(2015, 1, 1), dt.date(2015, 12, 31)
    )
    assert denominator == row[list(header).index("Mid-2015")]
    assert "MYE4 back series" in note


def test_population_mid_2021_to_mid_2024(loaded_store):
    rows = _csv_rows(MYE24)
    lads = [r for r in rows[1:] if r and r[2] not in ("Country", "Region", "County")]
    lads = [r for r in lads if "Metropolitan County" not in r[2]]
    total = sum(int(r[3]) for r in lads)
    ew = next(int(r[3]) for r in rows if r and r[0] == "K04000001")
    assert total == ew == _population("K04000001", 2024)
    book = load_workbook(MYE23, read_only=True, data_only=True)
    try:
        mye4 = list(book["MYE4"].iter_rows(values_only=True, max_col=8))
    finally:
        book.close()
    header = next(r for r in mye4 if r and r[0] == "Code")
    england = next(r for r in mye4 if r and r[0] == "E92000001")
    for year in (2021, 2022, 2023):
        published = england[list(header).index(f"Mid-{year}")]
        assert _population("E92000001", year) == published
    # Under-25 bands exist for mid-2023 and mid-2024 only.
    assert _population("E92000001", 2024, "under25") is not None
    assert _population("E92000001", 2022, "under25") is None


def test_figures_from_2021_name_their_estimate(loaded_store):
    """The 2022/23 England admissions (published figure) used mid-2020 before;
    now its own year, and its note says which release."""
    _v, denominator, note, *_ = _current(
        "hospital_admissions_knife",
        "E92000001",
        dt.date(2022, 4, 1),
        dt.date(2023, 3, 31),
    )
    assert denominator == _population("E92000001", 2022)
    assert "mid-2023 release of July 2024" in note


def test_headline_is_the_latest_published_figure(loaded_store):
    """The overview's cards (headlines.measure_headline): Avon and Somerset's
    latest real admissions year, found here straight from the store, not the
    later illustrative years."""
    from data_access.outcomes import headlines
    from data_access.periods import fy_label
    from data_access.scope import SYSTEM

    with session_scope() as session:
        starts = session.scalars(
            select(MeasureValue.period_start)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Measure.code == "hospital_admissions_knife",
                Area.code == "E23000036",
                MeasureValue.is_current.is_(True),
                MeasureValue.age_band == "all",
                MeasureValue.period_months == 12,
                Source.illustrative.is_(False),
            )
        ).all()
    latest = max(s for s in starts if s.month == 4)
    head = headlines.measure_headline(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code="E23000036"
    )
    assert head["period"] == fy_label(latest.year) and not head["illustrative"]
    assert head["illustrative_to"] > head["period"]


def test_table_p1_shows_on_the_trend_page(loaded_store):
    """Published only for the year ending June 2025, Table P1's measures are an
    area's years on /violence (area and England and Wales benchmark); calendar
    years (borough homicides) are not drawn among financial years."""
    from data_access.outcomes import area_trends
    from data_access.scope import SYSTEM

    rows = _csv_rows(P1)
    header = next(r for r in rows if r and r[0] == "Area Code")
    column = header.index("Possession of weapons offences")
    by_code = {r[0]: r[column] for r in rows if r and r[0]}
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM,
        measure_code="possession_of_weapons",
        area_code="E23000036",
        length="year",
    )
    shown = frame.set_index("role")
    assert list(frame["period"]) == ["year ending Jun 2025"] * 2
    assert shown.loc["area", "value"] == _number(by_code["E23000036"])
    assert shown.loc["benchmark", "value"] == _number(by_code["K04000001"])
    lambeth = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="homicide_knife", area_code="E09000022"
    )
    assert not lambeth["period"].str.startswith("year ending Dec").any()


def _hes_latest_region_admissions(region: str) -> int:
    """The region's admissions (FAEs) in the workbook's last total row: 2021/22,
    though labelled '2020-21 Total' (README)."""
    book = load_workbook(HES, read_only=True, data_only=True)
    try:
        rows = list(book["GOR-Data-Totals"].iter_rows(values_only=True))
    finally:
        book.close()
    names = next(r for r in rows if r and region in r)
    totals = [r for r in rows if r and str(r[0]).endswith("Total")]
    return totals[-1][list(names).index(region)]


def test_force_area_without_recent_admissions_shows_its_region(loaded_store):
    """The overview card (board_overview) and the profile (region_headline) of a
    force area with no published admissions figure (the Metropolitan Police) or
    only an older one (Avon and Somerset, 2020/21) carry its English region's
    latest published figure, from the workbook's last total row; a local
    authority gets its force area's region; a measure the force publishes as
    recently as its region (Table P1) gets none."""
    from data_access import board_overview
    from data_access.outcomes import headlines
    from data_access.scope import PUBLIC

    summary = board_overview.overview_summary(scope=PUBLIC, area_code="E23000001")
    row = next(
        r
        for r in summary["measures"]
        if r["all"]["code"] == "hospital_admissions_knife"
    )
    assert row["all"]["illustrative"]  # the force's own figure stays, labelled
    london = row["region"]
    assert (london["region_name"], london["period"]) == ("London", "2021/22")
    assert london["value"] == _hes_latest_region_admissions("London")
    assert not london["illustrative"] and london["own_period"] is None
    assert london["coarser_than"] == "force area"
    knife = next(r for r in summary["measures"] if r["all"]["code"] == "knife_offences")
    assert knife["region"] is None  # no region figures for knife offences

    def region(measure: str, area: str):
        return headlines.region_headline(
            scope=PUBLIC, measure_code=measure, area_code=area
        )

    avon = region("hospital_admissions_knife", "E23000036")
    own = headlines.measure_headline(
        scope=PUBLIC, measure_code="hospital_admissions_knife", area_code="E23000036"
    )
    assert avon["own_period"] == own["period"] < avon["period"] == "2021/22"
    assert avon["value"] == _hes_latest_region_admissions("South West")
    lambeth = region("hospital_admissions_knife", "E09000022")
    assert lambeth["region_name"] == "London"
    assert lambeth["coarser_than"] == "local authority"
    # South West publishes possession of weapons, for the same year as the force.
    assert region("possession_of_weapons", "E12000009") is None  # not a force area
    south_west, force = (
        headlines.measure_headline(
            scope=PUBLIC, measure_code="possession_of_weapons", area_code=code
        )
        for code in ("E12000009", "E23000036")
    )
    assert not south_west["illustrative"]
    assert south_west["period"] == force["period"]
    assert region("possession_of_weapons", "E23000036") is None


def test_illustrative_denominators_use_the_estimates_then_a_stated_projection(
    loaded_store,
):
    """Issue 17: an illustrative figure's denominator is the real estimate of its
    mid-year where there is one (mid-2021..mid-2024), projected after mid-2024
    at the mid-2021 to mid-2024 average growth (worked here from the stored
    estimates, which test_population_mid_2021_to_mid_2024 checks against the
    files), never the latest repeated; the note states the rule. Before, a flat
    denominator left the illustrative rates moving with their counts alone."""

    def figure(measure: str, start: dt.date, end: dt.date, band: str = "all"):
        with session_scope() as session:
            return session.execute(
                select(MeasureValue.denominator, MeasureValue.note)
                .join(Measure, Measure.id == MeasureValue.measure_id)
                .join(Area, Area.id == MeasureValue.area_id)
                .join(Source, Source.id == MeasureValue.source_id)
                .where(
                    Measure.code == measure,
                    Area.code == "E23000036",
                    MeasureValue.period_start == start,
                    MeasureValue.period_end == end,
                    MeasureValue.age_band == band,
                    Source.illustrative.is_(True),
                )
            ).one()

    p21, p24 = _population("E23000036", 2021), _population("E23000036", 2024)
    # 2024/25 Q1 (April-June 2024): the mid-2024 estimate itself.
    q1_2024 = figure("knife_offences", dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert q1_2024[0] == p24
    # 2025/26 Q1: one year on from mid-2024 at the three years' compound growth.
    denominator, note = figure(
        "knife_offences", dt.date(2025, 4, 1), dt.date(2025, 6, 30)
    )
    assert denominator == round(p24 * (p24 / p21) ** (1 / 3))
    assert denominator != p24
    assert "projected from the mid-2024 estimate" in note
    assert "mid-2021 to mid-2024" in note and "not an ONS projection" in note
    # Under 25: no estimate for mid-2021, so 2021/22 lies on the line from
    # mid-2020 to mid-2023.
    u20, u23 = (_population("E23000036", y, "under25") for y in (2020, 2023))
    denominator, note = figure(
        "hospital_admissions_knife",
        dt.date(2021, 4, 1),
        dt.date(2022, 3, 31),
        "under25",
    )
    assert denominator == round(u20 + (u23 - u20) / 3)
    assert "interpolated on a straight line between the mid-2020" in note


def test_population_rules_by_hand():
    from data_access.shipped.common import interpolate_population, project_population

    # 1,000 growing to 1,331 over three years is 10% a year: 1,464 a year on.
    value, words = project_population({2021: 1000, 2024: 1331}, 2025)
    assert value == 1464 and "+10.00% a year" in words
    # One earlier estimate within three years: its growth, over its own span.
    assert project_population({2023: 100, 2024: 110}, 2026)[0] == 133
    # None within three years: the latest, carried forward, and said so.
    assert project_population({2018: 90, 2024: 100}, 2025) == (
        100,
        "the mid-2024 estimate, carried forward",
    )
    assert interpolate_population({2020: 300, 2023: 600}, 2022)[0] == 500
