"""The /compare page's callbacks, called as plain functions over the shipped data."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote

import pandas as pd
import plotly.graph_objects as go
import pytest

from data_access import statistics
from data_access.outcomes import force_areas, vru_groups
from data_access.scope import SYSTEM, Scope

VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


@pytest.fixture
def page(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    return compare


def _find(component, predicate):
    """Every component in a Dash tree for which predicate(component) is true."""
    found = []

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "to_plotly_json"):
            return
        if predicate(node):
            found.append(node)
        walk(getattr(node, "children", None))

    walk(component)
    return found


def _csv(content, chart_id):
    link = _find(content, lambda c: getattr(c, "id", None) == f"{chart_id}-csv")[0]
    text = unquote(link.href.split(",", 1)[1]).lstrip("\ufeff")
    import io

    return pd.read_csv(io.StringIO(text))


def test_layout_reads_the_url_and_never_touches_the_store(page, monkeypatch):
    from data_access import db

    monkeypatch.setattr(db, "session_scope", None)
    tree = page.layout(
        measure="homicide_knife", period="2019-04", benchmark="vru", level="99.8"
    )
    values = {
        c.id: c.value
        for c in _find(tree, lambda c: hasattr(c, "value") and hasattr(c, "id"))
    }
    assert values["compare-measure"] == "homicide_knife"
    assert values["compare-period"] == "2019-04"
    assert values["compare-benchmark"] == "vru"
    assert values["compare-level"] == "99.8"
    assert len(_find(tree, lambda c: type(c).__name__ == "H1")) == 1


def test_period_options_keep_a_valid_year_and_replace_an_unknown_one(page):
    options, value, note = page.period_options("knife_offences", "2018-04")
    assert value == "2018-04" and note is None
    labels = {o["value"]: o["label"] for o in options}
    assert labels["2018-04"] == "2018/19"
    assert labels["2019-04"] == "2019/20 (illustrative)"
    options, value, note = page.period_options("knife_offences", "1900-04")
    # The latest year whose force figures are all published, not the latest
    # (illustrative) one: a first view must not rest on made-up figures.
    published = [o["value"] for o in options if "(illustrative)" not in o["label"]]
    assert value == published[-1] == "2018-04" != options[-1]["value"]
    words = json.dumps(note.to_plotly_json(), default=str)
    assert (
        "no force area figures" in words and "latest published year, 2018/19" in words
    )
    _, value, note = page.period_options("knife_offences", None)
    assert value == "2018-04" and note is None
    # Where every year holds illustrative figures (hospital admissions: most
    # force areas have no published series), the latest year is shown.
    options, value, _ = page.period_options("hospital_admissions_knife", None)
    assert all("(illustrative)" in o["label"] for o in options)
    assert value == options[-1]["value"]


def test_ranking_csv_matches_a_direct_computation(page):
    """Metropolitan Police's 2018/19 knife offence rate and CI in the CSV are what
    statistics.rate_ci gives from the stored count and population."""
    content = page.show_comparison(
        "knife_offences", "2018-04", "national", "95", "include"
    )
    table = _csv(content, "compare-ranking")
    met = table[table["Code"] == "E23000001"].iloc[0]
    direct = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    row = direct[direct["code"] == "E23000001"].iloc[0]
    assert met["Count (offences)"] == row["count"] == 14842
    r, lo, hi = statistics.rate_ci(count=14842, population=row["population"])
    assert met["Rate per 100,000"] == round(r, 1)
    assert met["Lower 95% CI"] == round(lo, 1)
    assert met["Upper 95% CI"] == round(hi, 1)
    assert met["Compared with benchmark"] == "Worse"
    # ranked highest first, one row per force area with a figure
    assert len(table) == 43
    assert list(table["Rate per 100,000"]) == sorted(
        table["Rate per 100,000"], reverse=True
    )
    # By default City of London (rates per resident not comparable) is left out,
    # and a note says so and how to include it.
    default = page.show_comparison("knife_offences", "2018-04", "national", "95")
    shown = _csv(default, "compare-ranking")
    assert len(shown) == 42 and "E23000034" not in set(shown["Code"])
    text = json.dumps(default[0].to_plotly_json(), default=str)
    assert "City of London is left out" in text and "Included" in text


def test_unknown_measure_and_bad_level_give_a_message(page):
    text = json.dumps(
        page.show_comparison("no_such", "2018-04", "national", "95").to_plotly_json(),
        default=str,
    )
    assert "No measure has the code 'no_such'" in text
    text = json.dumps(
        page.show_comparison(
            "knife_offences", "2018-04", "national", "50"
        ).to_plotly_json(),
        default=str,
    )
    assert "95% or 99.8%" in text


def test_map_uses_shipped_boundaries_and_no_other_host(page):
    content = page.show_comparison("knife_offences", "2018-04", "national", "99.8")
    graph = _find(content, lambda c: getattr(c, "id", None) == "compare-map-graph")[0]
    figure = graph.figure
    text = json.dumps(figure)
    assert "geo" not in figure["layout"] and "mapbox" not in text
    assert {trace["type"] for trace in figure["data"]} == {"scatter"}
    codes = {trace["meta"]["code"] for trace in figure["data"]}
    assert len(codes) == 43
    names = {trace["name"] for trace in figure["data"]}
    assert names <= {"Better", "Similar", "Worse", "Not compared", "No figure"}
    met = next(t for t in figure["data"] if t["meta"]["code"] == "E23000001")
    assert met["name"] == "Worse" and "Metropolitan Police" in met["text"]


def test_map_points_to_the_tables_that_hold_its_figures(page):
    """The map card ships no copy of the ranking's table and CSV (the same rows:
    about 28 KB a click): it links to the ranked table beside it, which lists
    every area the map colours with its rate and comparison, and to the ranking's
    table and CSV. Both targets are in the same answer, and the table beside the
    map says what the ranking's CSV says, row for row."""
    content = page.show_comparison("knife_offences", "2018-04", "national", "95")
    ids = {c.id for c in _find(content, lambda c: getattr(c, "id", None))}
    assert "compare-map-table" not in ids and "compare-map-csv" not in ids
    links = _find(
        content,
        lambda c: (
            type(c).__name__ == "A" and str(getattr(c, "href", "")).startswith("#")
        ),
    )
    targets = {link.href[1:] for link in links}
    assert targets == {"compare-map-ranking", "compare-ranking-title"} <= ids
    beside = _find(content, lambda c: getattr(c, "id", None) == "compare-map-ranking")
    rows = beside[0].rows
    ranking = _csv(content, "compare-ranking")
    assert [r[1] for r in rows] == list(ranking["Area"])
    assert [float(r[2]) for r in rows] == list(ranking["Rate per 100,000"])
    assert [r[3] for r in rows] == list(ranking["Compared with benchmark"])


def test_map_outlines_are_served_once_from_the_app_as_the_map_embedded_them(page):
    """The map's answer names the URL of its outlines instead of carrying them
    (issue 19: about 140 KB a click); the app serves that URL, from itself (the
    CSP's connect-src 'self'), publicly cacheable for a year under its hash, and
    it holds for every area exactly the coordinates the figure embedded before:
    each ring of the shipped boundaries, in order, rings separated by None."""
    from app import app
    from data_access.geography import pfa_boundaries

    content = page.show_comparison("knife_offences", "2018-04", "national", "95")
    graph = _find(content, lambda c: getattr(c, "id", None) == "compare-map-graph")[0]
    figure = graph.figure
    assert not any("x" in t or "y" in t for t in figure["data"])
    url = figure["layout"]["meta"]["outlines"]
    assert url.startswith("/embed/static/pfa-outlines.json?v=")

    client = app.server.test_client()  # signed out: the outlines are public
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    served = response.get_json()

    def embedded(geometry):  # what area_map_figure put in each trace before
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [ring for polygon in polygons for ring in polygon]
        return (
            [p[0] for ring in rings for p in [*ring, (None, None)]],
            [p[1] for ring in rings for p in [*ring, (None, None)]],
        )

    features = pfa_boundaries()["features"]
    assert set(served) == {t["meta"]["code"] for t in figure["data"]}
    assert len(served) == len(features) == 43
    for feature in features:
        xs, ys = embedded(feature["geometry"])
        assert served[feature["id"]] == {"x": xs, "y": ys}, feature["id"]
    # A changed file gets a new URL (its hash), so the year's cache never goes stale.
    assert url.endswith(hashlib.sha256(response.get_data()).hexdigest()[:12])


def test_the_maps_svg_draws_its_areas_from_the_served_outlines_file(page):
    """The server-drawn map carries no outlines either (issue 19: about 67 KB
    of every answer): each area is a <use> of its path in one SVG file that the
    app serves from itself, publicly cacheable for a year under its hash, with
    a path for every force area."""
    import re

    from app import app

    content = page.show_comparison("knife_offences", "2018-04", "national", "95")
    (plot,) = _find(content, lambda c: getattr(c, "id", None) == "compare-map-plot")
    svg = plot.svg
    assert " d=" not in svg  # no path data: the legend's keys are rects
    hrefs = re.findall(r'<use [^>]*href="([^"#]+)#([A-Z]\d+)"', svg)
    assert len(hrefs) == 43
    (url,) = {h[0] for h in hrefs}
    assert url.startswith("/embed/static/pfa-outlines.svg?v=")
    response = app.server.test_client().get(url)  # signed out: public
    assert response.status_code == 200
    assert response.content_type == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    ids = re.findall(r'<path id="([A-Z]\d+)"', response.get_data(as_text=True))
    assert sorted(ids) == sorted(h[1] for h in hrefs)
    assert url.endswith(hashlib.sha256(response.get_data()).hexdigest()[:12])


def test_funnel_claims_only_what_its_method_supports(page):
    """Knife offences 2010/11: 41 of 43 forces outside the PHE 99.8% limits, the
    areas overdispersed, so the limits are widened (Spiegelhalter's additive
    random effects), the caption says so and never 'more than chance would
    explain'; both positions are in the table. Knife homicides 2018/19 are not
    overdispersed: the PHE limits stand and the caption may say it."""
    content = page.show_comparison(
        "knife_offences", "2010-04", "national", "95", "include"
    )
    text = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert "additive random-effects adjustment (Spiegelhalter 2005)" in text
    assert "more than chance would explain" not in text
    assert "adjusted for overdispersion" in text
    table = _csv(content, "compare-funnel")
    adjusted = table["Position, limits adjusted for overdispersion"]
    unadjusted = table["Position, unadjusted limits (PHE/OHID)"]
    assert unadjusted.str.contains("99.8").sum() == 41
    assert adjusted.str.contains("99.8").sum() < 5
    graph = _find(content, lambda c: getattr(c, "id", None) == "compare-funnel-graph")
    roles = [t["meta"]["role"] for t in graph[0].figure["data"]]
    assert "reference-limit" in roles

    content = page.show_comparison("homicide_knife", "2018-04", "national", "95")
    text = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert "No overdispersion" in text
    assert "more than chance would explain" in text
    table = _csv(content, "compare-funnel")
    assert "Position in the funnel" in table.columns


def test_vru_section_is_descriptive_and_csv_holds_pooled_rates(page):
    section = page.show_vru_comparison("knife_offences")
    text = json.dumps(section.to_plotly_json(), default=str)
    assert "not evidence of what VRUs caused" in text
    # Issue 18: pooled counts' Poisson variance called the groups' changes
    # significantly different; area by area (Welch, p = 0.21 with the mid-2021
    # to mid-2024 denominators of issue 17; 0.20 before) they are not.
    assert "difference-in-differences with the force area as the unit" in text
    assert "p = 0.21" in text
    assert "no significant difference between the groups' changes" in text
    assert "significantly different amounts" not in text
    table = _csv(section, "compare-vru-chart")
    frame = vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code="knife_offences")
    vru = frame[frame["group"] == "vru"].iloc[0]
    row = table[table["Group"] == "VRU areas funded from 2019/20"].iloc[0]
    assert row["Areas pooled"] == 18
    assert row["Baseline rate per 100,000"] == round(vru["baseline_rate"], 1)


def test_viewer_sees_hospital_admissions_rounded_to_five(page, monkeypatch):
    monkeypatch.setattr(page, "current_scope", lambda: VIEWER)
    content = page.show_comparison(
        "hospital_admissions_knife", "2019-04", "national", "95"
    )
    table = _csv(content, "compare-ranking")
    counts = pd.to_numeric(table["Count (admissions)"], errors="coerce").dropna()
    assert len(counts) and (counts % 5 == 0).all()


def test_funnel_title_counts_in_words_and_log_axis_ticks_do_not_crowd(page):
    """Knife offences 2018/19 (shipped data): one force area above the adjusted
    99.8% limits (the funnel table lists it), so the title says 'force area was',
    not 'force areas were'. The log population axis ticks at 1, 2 and 5 of a
    decade (plotly's default labels every digit over a decade, and they overlap)."""
    content = page.show_comparison(
        "knife_offences", "2018-04", "national", "95", "include"
    )
    table = _csv(content, "compare-funnel")
    position = table["Position, limits adjusted for overdispersion"]
    assert position.str.lower().str.startswith("above 99.8").sum() == 1
    text = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert "1 force area was above and 0 below the 99.8%" in text
    graph = _find(content, lambda c: getattr(c, "id", None) == "compare-funnel-graph")
    xaxis = graph[0].figure["layout"]["xaxis"]
    assert xaxis["type"] == "log" and xaxis["dtick"] == "D2"


def test_ranking_title_names_the_benchmark_once_then_counts_from_the_table(page):
    """The ranked bars' title reads '...; against England and Wales at 95%: N worse,
    N similar, N better' (it said '30 similar than England and Wales'), and the
    counts are those of the chart's own CSV column."""
    content = page.show_comparison("knife_offences", "2018-04", "national", "95")
    table = _csv(content, "compare-ranking")
    counts = table["Compared with benchmark"].str.lower().value_counts()
    expected = ", ".join(
        f"{counts[k]} {k}" for k in ("worse", "similar", "better") if counts.get(k)
    )
    text = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert f"against England and Wales at 95%: {expected}" in text
    assert "similar than" not in text


def _figure(content, chart_id):
    graph = _find(content, lambda c: getattr(c, "id", None) == f"{chart_id}-graph")[0]
    return go.Figure(graph.figure)


def test_no_single_area_squashes_the_ranking_or_the_funnel(page):
    """Knife homicides 2022/23 with City of London included: its rate is far past
    the other areas' (Tukey's far-out fence, worked here from the CSV's own rates),
    so both charts stop at the fence and name it past the edge; the figures stay
    whole in the table. Left out, nothing is clipped and the caption says nothing."""
    content = page.show_comparison(
        "homicide_knife", "2022-04", "vru", "99.8", "include"
    )
    table = _csv(content, "compare-ranking")
    ends = table[["Rate per 1,000,000", "Upper 99.8% CI"]].astype(float).max(axis=1)
    q1, q3 = ends.quantile(0.25), ends.quantile(0.75)
    fence = q3 + 3 * (q3 - q1)
    city = table.loc[table["Code"] == "E23000034"].iloc[0]
    assert float(city["Upper 99.8% CI"]) > fence
    assert (ends > fence).sum() == 1  # City of London alone
    text = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert "Past the edge: " in text and "City of London (" in text
    ranking = _figure(content, "compare-ranking")
    assert ranking.layout.xaxis.range[1] < float(city["Upper 99.8% CI"])
    funnel = _figure(content, "compare-funnel")
    if float(city["Rate per 1,000,000"]) > fence:
        assert funnel.layout.yaxis.range[1] < float(city["Rate per 1,000,000"])
    default = page.show_comparison("homicide_knife", "2022-04", "vru", "99.8")
    assert "Past the edge" not in json.dumps(
        [c.to_plotly_json() for c in default if c], default=str
    )


def test_a_left_out_area_does_not_shape_the_funnel(page):
    """City of London left out (the default) is out of the funnel altogether:
    its tiny population no longer stretches the control limits' range (which
    squashed the 42 comparable areas into the right third of a log axis) and
    its z-score no longer weighs in the overdispersion estimate."""
    from data_access.outcomes import funnels

    city = "E23000034"
    content = page.show_comparison("knife_offences", "2018-04", "national", "95")
    graph = _find(content, lambda c: getattr(c, "id", None) == "compare-funnel-graph")
    limit_x = [
        x
        for t in graph[0].figure["data"]
        if (t.get("meta") or {}).get("role") != "series" and t.get("x") is not None
        for x in t["x"]
        if isinstance(x, (int, float))
    ]
    points, _, spread = funnels.funnel(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    drawn = points[points["code"] != city]
    assert city in set(points["code"])  # it has a figure, and is left out
    assert min(limit_x) >= 0.8 * drawn["population"].min() * 0.999
    table = _csv(content, "compare-funnel")
    assert "City of London" not in set(table.iloc[:, 0])
    without, _, spread_without = funnels.funnel(
        scope=SYSTEM,
        measure_code="knife_offences",
        period_start="2018-04",
        leave_out={city},
    )
    assert city not in set(without["code"])
    assert spread_without["tau"] != spread["tau"]
    assert f"{spread_without['tau']:.1f}" in json.dumps(
        [c.to_plotly_json() for c in content if c], default=str
    )


def _p1_column(column: str) -> dict[str, int]:
    """Area code -> figure in one column of the shipped ONS Table P1 CSV (year
    ending June 2025), read here as published: thousands separators, note marks."""
    import csv

    from data_access.shipped.common import REFERENCE_DIR

    path = REFERENCE_DIR / "vru-era" / "ons_pfa_tables_ye_jun2025_table_p1.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Area Code")
    at = next(i for i, h in enumerate(rows[head]) if h.strip() == column)
    return {
        r[0].strip(): int(r[at].replace(",", ""))
        for r in rows[head + 1 :]
        if r and r[0].strip() and r[at].replace(",", "").strip().isdigit()
    }


def test_possession_of_weapons_ranks_its_rolling_year_from_table_p1(page):
    """Table P1 gives possession of weapons for the year ending June 2025 only:
    /compare offers that year and ranks it from the published counts over the
    mid-2024 estimates (local authorities summed to force areas through the
    shipped lookup), against England and Wales as published. Catches a measure
    with no financial years being left out, read from the wrong rows, over the
    wrong population or against a pooled benchmark."""
    import csv

    from data_access.shipped.common import REFERENCE_DIR

    options, value, note = page.period_options("possession_of_weapons", None)
    assert options == [{"label": "year ending Jun 2025", "value": "2024-07"}]
    assert value == "2024-07" and note is None
    counts = _p1_column("Possession of weapons offences")
    mye = REFERENCE_DIR / "vru-era" / "ons_mid_year_estimates_2024_mye2_persons.csv"
    people = {
        r["Code"]: int(r["All ages"].replace(",", ""))
        for r in csv.DictReader(mye.open(encoding="utf-8-sig"))
    }
    lookup = REFERENCE_DIR / "lookup_lad24_csp24_pfa24_ons.csv"
    # one row per partnership: a district split between partnerships repeats
    places = {
        (r["ltla24_code"], r["pfa24_code"])
        for r in csv.DictReader(lookup.open(encoding="utf-8-sig"))
    }
    pfa_people: dict[str, int] = {}
    for lad, pfa in places:
        pfa_people[pfa] = pfa_people.get(pfa, 0) + people[lad]

    content = page.show_comparison(
        "possession_of_weapons", "2024-07", "national", "95", "include"
    )
    table = _csv(content, "compare-ranking")
    assert len(table) == 43
    assert set(table["Year"]) == {"year ending Jun 2025"}
    for row in table.to_dict("records"):
        count, population = counts[row["Code"]], pfa_people[row["Code"]]
        assert row["Count (offences)"] == count
        assert row["Population"] == population
        assert row["Rate per 100,000"] == round(count / population * 1e5, 1)
    assert list(table["Rate per 100,000"]) == sorted(
        table["Rate per 100,000"], reverse=True
    )
    national = counts["K04000001"] / people["K04000001"] * 1e5
    assert table["Benchmark: England and Wales"].tolist() == [round(national, 1)] * 43
    text = json.dumps(content[1].to_plotly_json(), default=str)
    assert "year ending Jun 2025 (a rolling 12-month year" in text
    assert "The benchmark is England and Wales." in text
    # a month that is neither April nor a stored rolling year's start
    bad = page.show_comparison("possession_of_weapons", "2024-08", "national", "95")
    assert "rolling year" in json.dumps(bad.to_plotly_json(), default=str)
