"""The /violence callback as a plain function: trend card, drill-down links,
breadcrumbs, CSV content and invalid-parameter messages."""

import json
from urllib.parse import unquote

import pytest

from data_access.outcomes import area_trends
from data_access.scope import SYSTEM
from tests.pages.test_overview import signed_in  # noqa: F401 - fixture

AVON = "E23000036"
EW = "K04000001"


def _text(component) -> str:
    return json.dumps(component, default=lambda o: o.to_plotly_json())


def test_force_area_view_has_trend_breadcrumbs_and_lad_links(signed_in):  # noqa: F811
    from pages import violence

    text = signed_in(
        "board",
        violence.show_trend,
        "knife_offences",
        AVON,
        "quarter",
        "all",
        "2016-04",
        "2025-09",
    )
    assert "Knife offences in Avon and Somerset" in text
    assert "VRU funding began" in text
    assert "Recent trend" in text
    # breadcrumbs: England and Wales as a link up, Avon as the current page
    assert "/violence?measure=knife_offences&area=K04000001" in text
    assert '"aria-current": "page"' in text
    # drill-down links to the local authorities keep the other settings
    assert (
        "/violence?measure=knife_offences&area=E06000023&view=quarter&age=all"
        "&from=2016-04&to=2025-09"
    ) in text
    assert "Illustrative data" in text
    # The local authorities' ranked bars keep their least width and scroll
    # sideways on a phone (at 390 px the bars were squeezed to a sliver).
    assert '"chart-card__scroll"' in text and '"minWidth": "640px"' in text


def test_csv_is_exactly_the_charts_table(signed_in):  # noqa: F811
    from pages import violence

    text = signed_in(
        "admin", violence.show_trend, "knife_offences", AVON, "year", "all", "", ""
    )
    start = text.index("data:text/csv;charset=utf-8,")
    href = text[start : text.index('"', start)]
    csv = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    lines = csv.strip().split("\r\n")
    assert lines[0].startswith('Period,Area,Count,"Rate per 100,000 residents"')
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="year"
    )
    assert len(lines) == len(frame) + 1
    assert "2018/19,Avon and Somerset,878," in csv


def test_hospital_caption_says_the_benchmark_is_england(signed_in):  # noqa: F811
    from pages import violence

    text = signed_in(
        "board",
        violence.show_trend,
        "hospital_admissions_knife",
        AVON,
        "year",
        "under25",
        "",
        "",
    )
    assert "benchmark is England, not England and Wales" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("knife_offences", AVON, "quarter", "all", "2019-13", ""), "from: '2019-13'"),
        (("nope", AVON, "quarter", "all", "", ""), "measure: 'nope'"),
        (("knife_offences", "XX1", "quarter", "all", "", ""), "area: there is no"),
        (("knife_offences", AVON, "quarter", "old", "", ""), "age: 'old'"),
        (("knife_offences", AVON, "month", "all", "", ""), "view: 'month'"),
    ],
)
def test_invalid_values_get_a_message_naming_the_parameter(
    signed_in,  # noqa: F811
    args,
    expected,
):
    from pages import violence

    text = signed_in("admin", violence.show_trend, *args)
    assert expected in text
    assert "YYYY-MM" in text or "Use" in text


def test_annual_only_measures_offer_the_year_view(signed_in):  # noqa: F811
    from pages import violence

    text = signed_in(
        "admin", violence.show_trend, "homicide_knife", AVON, "quarter", "all", "", ""
    )
    assert "published by financial year" in text
    assert "view=year" in text


def test_national_view_lists_force_areas(signed_in):  # noqa: F811
    from pages import violence

    text = signed_in(
        "admin", violence.show_trend, "knife_offences", EW, "year", "all", "", ""
    )
    assert "Areas within England and Wales" in text
    assert "area=E23000036" in text


def _by_id(tree, wanted: str):
    """The component (as JSON) with id `wanted` in a component tree, or None."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == wanted:
            return tree
        tree = list(tree.values())
    if isinstance(tree, list):
        for value in tree:
            found = _by_id(value, wanted)
            if found is not None:
                return found
    return None


def test_force_area_ranking_leaves_out_city_of_london(signed_in):  # noqa: F811
    """City of London (rate per resident about 690 per 100,000, population
    8,700) squashed every other force area's bar. It is left out of the chart
    and of everything describing it (table, CSV, summary, caption), as on
    /compare, with the note above the chart and a link to /compare with it
    included for the same year; the drill table still leads to its trend.
    Catches: City of London drawn again, or left out of the chart but still in
    its table, CSV or summary, or left out with no word why."""
    from pages import violence

    text = signed_in(
        "admin", violence.show_trend, "knife_offences", EW, "year", "all", "", ""
    )
    tree = json.loads(text)
    card = _by_id(tree, "violence-children-plot")
    assert card is not None
    href = _by_id(tree, "violence-children-csv")["props"]["href"]
    csv = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    rows = csv.strip().split("\r\n")[1:]
    assert len(rows) == 42 and not any("City of London" in r for r in rows)
    assert "Metropolitan Police" in csv
    (figure,) = _figures(_by_id(tree, "violence-children-graph"))
    drawn = {y for trace in figure["data"] for y in trace.get("y") or []}
    assert "Metropolitan Police" in drawn and "City of London" not in drawn
    summary = json.dumps(_by_id(tree, "violence-children-summary"))
    assert "of 42 force areas" in summary and "City of London" not in summary
    table = json.dumps(_by_id(tree, "violence-children-table"))
    assert "Metropolitan Police" in table and "City of London" not in table
    assert "City of London is left out (see the note above the chart)" in text
    # the note (NOT_COMPARABLE's words) and the link, above the chart
    note = _by_id(tree, "violence-children-left-out")
    words = json.dumps(note)
    assert "its rates per resident are not comparable" in words
    assert "/compare?measure=knife_offences&period=2018-04&outliers=include" in words
    assert text.index("violence-children-left-out") < text.index(
        "violence-children-plot"
    )
    # still a row of the drill table, leading to its own trend
    assert "area=E23000034" in json.dumps(_by_id(tree, "violence-drill-table"))


def test_city_of_london_stays_where_its_figure_compares(signed_in):  # noqa: F811
    """Only force areas' rates per resident leave City of London out: a share of
    offences (its denominator is not residents) ranks it with the others, and a
    force area's local authorities are ranked as before, with no note."""
    from pages import violence

    share = signed_in(
        "admin",
        violence.show_trend,
        "knife_offences_share",
        EW,
        "year",
        "all",
        "",
        "",
    )
    href = _by_id(json.loads(share), "violence-children-csv")["props"]["href"]
    assert "City of London" in unquote(href)
    assert "City of London is left out" not in share
    avon = signed_in(
        "admin", violence.show_trend, "knife_offences", AVON, "year", "all", "", ""
    )
    assert "City of London is left out" not in avon
    assert "violence-children-left-out" not in avon


def test_approximate_counts_are_said_as_about(real_only_store):
    """England's 2020/21 admissions as quoted ("4,000"), in a store without
    NHS Digital's exact total (the VRU-era files), which replaces the quote."""
    from app import app  # noqa: F401 - pages register on the app first
    from pages import violence
    from tests.pages.test_overview import signed_in_caller

    text = signed_in_caller()(
        "admin",
        violence.show_trend,
        "hospital_admissions_knife",
        "E92000001",
        "year",
        "all",
        "",
        "",
    )
    assert "about 4,000" in text  # 2020/21, quoted as "4,000 hospital admissions"
    assert "about 3,942" not in text  # 1996/97 was published exactly


def test_london_borough_knife_homicides_by_calendar_year(signed_in):  # noqa: F811
    """Issue 17: a London borough's knife homicides (Metropolitan Police, by
    calendar year) are a real series in a view of their own: every period on
    the time axis is a calendar year, never a financial year, the caption says
    so, and the financial-year view points there. The latest figure is counted
    here from the shipped CSV (one row per victim)."""
    import csv

    from data_access.shipped.vru_era import MPS_FILE, VRU_ERA_DIR
    from pages import violence

    with (VRU_ERA_DIR / MPS_FILE).open(newline="", encoding="utf-8") as handle:
        victims = [
            r
            for r in csv.DictReader(handle)
            if r["Borough"] == "Lambeth"
            and r["Method_of_Killing"] == "Knife or Sharp Implement"
        ]
    last = max(int(r["Year"]) for r in victims if r["Year"] != "2023")
    count = sum(1 for r in victims if r["Year"] == str(last))
    lambeth = "E09000022"
    text = signed_in(
        "admin",
        violence.show_trend,
        "homicide_knife",
        lambeth,
        "calendar",
        "all",
        "",
        "",
    )
    assert f"Knife homicides in Lambeth: {count} in {last}" in text
    assert "Calendar years run January to December" in text
    assert "have a count but no population estimate" in text  # before mid-2011
    (figure,) = _figures(json.loads(text))
    axis = {x for trace in figure["data"] for x in trace.get("x") or []}
    assert axis and all(str(x).isdigit() and len(str(x)) == 4 for x in axis), axis
    assert str(last) in axis and "2019/20" not in axis
    year_view = signed_in(
        "admin", violence.show_trend, "homicide_knife", lambeth, "year", "all", "", ""
    )
    assert "published by calendar year" in year_view
    assert "view=calendar" in year_view


def _figures(tree) -> list[dict]:
    """Every plotly figure (a dict with data and layout) in a component tree."""
    if isinstance(tree, dict):
        if "data" in tree and "layout" in tree:
            return [tree]
        return [f for value in tree.values() for f in _figures(value)]
    if isinstance(tree, list):
        return [f for value in tree for f in _figures(value)]
    return []


def test_a_shares_trend_changes_by_percentage_points(signed_in):  # noqa: F811
    """The share of offences involving a knife is a percentage: its summary
    writes each figure with "%" and its change in percentage points, worked
    out here from the trend's own first and last figures as written (5.9% to
    6.0% is 0.1 points, not "a 3% increase")."""
    import re
    from decimal import ROUND_HALF_UP, Decimal

    from data_access.outcomes.trend_views import trend_view
    from pages import violence

    text = signed_in(
        "admin",
        violence.show_trend,
        "knife_offences_share",
        EW,
        "year",
        "all",
        "",
        "",
    )
    series = trend_view(
        scope=SYSTEM,
        measure_code="knife_offences_share",
        area_code=EW,
        length="year",
        age_band="all",
    )["series"]
    own = series[series["role"] == "area"].dropna(subset=["rate"])
    # written to one decimal, half up (as published tables round)
    first, last = (
        float(Decimal(repr(float(v))).quantize(Decimal("0.1"), ROUND_HALF_UP))
        for v in own["rate"].iloc[[0, -1]]
    )
    assert first != last
    points = f"{abs(last - first):.1f}"
    word = "increase" if last > first else "decrease"
    said = (
        f"from {first:.1f}% in {own['period'].iloc[0]} to {last:.1f}% in "
        f"{own['period'].iloc[-1]}, a {points} percentage point {word}"
    )
    assert said in text
    assert not re.search(r"from [\d.]+ in \S+ to [\d.]+ in \S+, an? \d+% ", text)


def test_a_shares_count_is_its_numerator_not_the_percentage_rounded(
    signed_in,  # noqa: F811
):
    """A share's tables head "Count" the count it is a percentage of (knife
    offences, its numerator), never the percentage rounded to a whole number
    (England and Wales' 6.0% shown as a count of "6", Avon's 4.8% as "5"): in
    the trend table's CSV, the ranking's CSV and the drill table. Counts read
    here from the trend and children views themselves."""
    import csv
    import io

    from components.formatting import number
    from data_access.outcomes.trend_views import trend_view
    from pages import violence

    text = signed_in(
        "admin", violence.show_trend, "knife_offences_share", EW, "year", "all", "", ""
    )
    tree = json.loads(text)

    def csv_rows(element_id: str) -> list[dict]:
        href = _by_id(tree, element_id)["props"]["href"]
        body = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
        return list(csv.DictReader(io.StringIO(body)))

    series = trend_view(
        scope=SYSTEM,
        measure_code="knife_offences_share",
        area_code=EW,
        length="year",
        age_band="all",
    )["series"]
    own = series[series["role"] == "area"]
    trend_rows = [
        r
        for r in csv_rows("violence-trend-csv")
        if r["Area"] == own["area_name"].iloc[0]
    ]
    assert [float(r["Count"]) for r in trend_rows] == own["numerator"].round().tolist()
    assert all(float(r["Count"]) > 1000 for r in trend_rows)

    kids = area_trends.children_latest(
        scope=SYSTEM,
        measure_code="knife_offences_share",
        parent_code=EW,
        length="year",
    ).set_index("area_name")
    ranked = csv_rows("violence-children-csv")
    assert len(ranked) > 40
    for row in ranked:
        assert float(row["Count"]) == round(kids.loc[row["Area"], "numerator"])
    avon = kids.loc["Avon and Somerset"]
    drill = json.dumps(_by_id(tree, "violence-drill-table"))
    assert number(avon["numerator"]) in drill


def test_a_shares_hover_and_bar_labels_say_percent(signed_in):  # noqa: F811
    """A share's figures are written with "%" wherever the page writes them: its
    title and table did, its trend's hover text and its ranking's bar labels
    and summary said "5.8" for 5.8%. A rate's stay bare numbers."""
    import re

    from pages import violence

    def figure_texts(measure_code: str) -> list[str]:
        answer = signed_in(
            "admin", violence.show_trend, measure_code, EW, "year", "all", "", ""
        )
        texts = []
        for figure in _figures(json.loads(answer)):
            for trace in figure["data"]:
                for key in ("hovertext", "text"):
                    value = trace.get(key)
                    values = value if isinstance(value, list) else [value]
                    texts += [v for v in values if isinstance(v, str) and v]
        return texts

    number = re.compile(r"\d[\d,]*\.\d\b(?!%)")
    share = figure_texts("knife_offences_share")
    with_figures = [t for t in share if re.search(r"\d\.\d", t)]
    assert len(with_figures) > 40  # the trend's points and the 42 forces' bars
    assert all("%" in t for t in with_figures)
    assert not [t for t in with_figures if number.search(t)]
    rates = figure_texts("knife_offences")
    assert rates and not [t for t in rates if re.search(r"\d%", t.replace("95%", ""))]
