"""Every published field of a rounded measure, against an attacker.

DESIGN.md "Disclosure control": no combination of the fields a user can see
(counts, rates, denominators, percentages, sums of areas) may reveal a hidden or
rounded count more precisely than the rule allows. The fields are collected from
every public endpoint that publishes a measure's figures (found in the Flask
url_map and the embed chart registry, not listed by hand: a new endpoint fails
the test until it is covered) and from the signed-in /violence tables of a role
that sees rounded figures.

The attacker, as in tests/data_access/test_disclosure.py, solves linear
programmes (scipy.optimize.linprog) over the true counts of one age band and
period: every force area's count and the benchmark that sums them, each shown
count known to within its rounding (a shown c is in [c - 2, c + 2], 0 is 0),
each hidden one at least 1. Rates, CIs and denominators must add nothing: the
attacker also tries the hypothesis that a rate is the unrounded count over the
denominator (rate x denominator / 100,000), which recovered Cumbria's 18
(published as 20) before the engine worked rates out from published counts.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from data_access import periods
from data_access.areas import list_areas
from data_access.disclosure import get_rule
from data_access.measures import get_measure, list_measures
from data_access.outcomes import area_trends, trend_views
from data_access.scope import SYSTEM, Scope
from tests.one_request import one_request

MEASURE = "hospital_admissions_knife"
CUMBRIA = "E23000002"
VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))
AGES = ("all", "under25")
# Endpoints that publish no measure figure (metadata, static files, the
# gallery, money and reach with their own rules, tested in test_embed.py).
NO_MEASURE_FIGURES = {
    "/api/v1/",  # the index: links and examples, no figures
    "/api/v1/measures",
    "/api/v1/measures/<code>",
    "/api/v1/areas",
    "/api/v1/openapi.json",
    "/api/v1/<path:rest>",
    "/embed",
    "/embed/",
    "/embed/static/<name>",
    "/embed/<chart>/<path:rest>",
}
EMBED_WITHOUT_MEASURES = {"funding", "reach"}
HIDDEN = object()  # a figure published as "*"


@pytest.fixture(autouse=True)
def _shared_cache_on():
    """The app's shared cache on, as in production: a SimpleCache of this
    module's own, emptied afterwards and the configuration restored."""
    from app import app
    from web import shared_cache

    server = app.server
    saved = dict(server.config)
    try:
        server.config["CACHE_TYPE"] = "SimpleCache"
        shared_cache.cache.init_app(server)
        with server.app_context():
            shared_cache.cache.clear()
        yield
    finally:
        try:
            with server.app_context():
                shared_cache.cache.clear()
        finally:
            server.config.clear()
            server.config.update(saved)
            shared_cache.cache.init_app(server)


@pytest.fixture
def violence(loaded_store):
    """The /violence page module (importable once the app exists)."""
    from app import app  # noqa: F401 - registers the pages
    from pages import violence as page

    return page


@pytest.fixture
def client(loaded_store, monkeypatch):
    from app import app

    monkeypatch.setenv("API_RATE_LIMIT", "100000/minute")
    app.server.config["TESTING"] = True
    return app.server.test_client()


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _number(text) -> float | None:
    """A published figure as a number: "1,835", "12.5%", "about 4,000" (an
    approximate published figure) or a number; None for none."""
    if text is None or text in ("", "*", "–", "-"):
        return None
    if isinstance(text, int | float):
        return float(text)
    return float(str(text).removeprefix("about ").replace(",", "").rstrip("%"))


def _decimals(text) -> int:
    text = str(text)
    return len(text.split(".")[1]) if "." in text else 0


# ------------------------------------------------------- 3a: Cumbria 20 -> 18


def test_a_rounded_count_is_not_given_back_by_rate_times_denominator(client):
    """Cumbria 2019/20 (all ages): 18 admissions, published as 20. The API CSV
    published the rate of the 18 to 15 digits with the exact population, so
    rate x population / 100,000 gave 18 back. Published now: the rate of the
    published 20 over the published (rounded) population. (Since issue 17 the
    illustrative split is anchored on NHS Digital's England total, FAE 4,674
    rather than the quoted FCE 4,757, and Cumbria's figure is 17, published as
    15: the same case.)"""
    text = client.get(f"/api/v1/measures/{MEASURE}/values?format=csv").get_data(
        as_text=True
    )
    row = next(
        r for r in _csv(text) if r["area_code"] == CUMBRIA and r["period"] == "2019/20"
    )
    assert row["value"] == "15"
    recovered = float(row["rate"]) * float(row["denominator"]) / 100_000
    assert recovered == pytest.approx(15)
    assert float(row["denominator"]) % 5 == 0


def test_a_board_members_sum_of_force_areas_does_not_give_a_count_back(violence):
    """A board member's /violence?measure=hospital_admissions_knife&area=
    E23000036&view=year&age=under25 showed "England (sum of 39 force areas)"
    at 10.93 per 100,000 for 2017/18: x 16,770,184 / 100,000 = 1,833 exactly,
    the unrounded sum, when the count column read 1,835. Every rate on the
    page must now be consistent with its published count and no other."""
    series = area_trends.trend_with_benchmark(
        scope=VIEWER,
        measure_code=MEASURE,
        area_code="E23000036",
        length="year",
        age_band="under25",
    )
    table = violence.trend_table(series, get_measure(MEASURE, scope=VIEWER))
    rate_col = table.columns[3]
    for (_, row), denominator in zip(
        table.iterrows(), series["denominator"], strict=True
    ):
        if row["Count"] == "*":
            continue
        low = (row[rate_col] - 0.005) * denominator / 100_000
        high = (row[rate_col] + 0.005) * denominator / 100_000
        fits = set(range(math.ceil(low), math.floor(high) + 1))
        assert fits == {row["Count"]} or len(fits) > 1, (row.to_dict(), fits)


# ------------------------------------------------------------ collecting fields


class Published:
    """Every published figure of one measure, by (age, period start): counts
    of areas and of the benchmark, as the attacker sees them."""

    def __init__(self, measure: dict):
        self.measure = measure
        self.rule = get_rule(measure["disclosure_rule"])
        self.multiplier = float(measure["rate_multiplier"])
        areas = list_areas()
        self.level = dict(zip(areas["code"], areas["level"], strict=True))
        # names as the charts show them: force areas and the benchmark (a
        # local authority may share a force area's name, e.g. Dorset)
        areas = areas[areas["level"] != "lad"]
        self.codes = dict(zip(areas["name"], areas["code"], strict=True))
        # (age, period_start) -> area code ("bench" for the benchmark) -> set of
        # published counts (None: hidden)
        self.counts: dict[tuple, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        # (age, start, area) -> list of (rate, half width, denominator)
        self.rates: dict[tuple, list] = defaultdict(list)
        self.sources: set[str] = set()

    def area_key(self, code_or_name: str) -> str:
        code = self.codes.get(code_or_name, code_or_name)
        return "bench" if self.level.get(code, "country") == "country" else code

    def add(self, source, age, start, area, count, rate=None, denominator=None):
        """`count`: the published count, HIDDEN, or None for no figure."""
        self.sources.add(source)
        if count is None:
            return
        if count is HIDDEN:
            count = None
        key = self.area_key(area)
        self.counts[(age, start)][key].add(count)
        if rate is not None and denominator:
            self.rates[(age, start, key)].append((rate[0], rate[1], denominator))


def _start(label: str) -> object:
    fy = periods.parse_fy_label(label[:7])
    return periods.fy_bounds(fy)[0]


def _collect_api(client, seen: Published, denominators: dict) -> None:
    for age in AGES:
        for fmt in ("json", "csv"):
            url = f"/api/v1/measures/{MEASURE}/values?age={age}&format={fmt}"
            response = client.get(url)
            assert response.status_code == 200
            rows = (
                response.get_json()["data"]
                if fmt == "json"
                else _csv(response.get_data(as_text=True))
            )
            for r in rows:
                start = _start(r["period"])
                hidden = r["suppressed"] in (True, "TRUE")
                count = HIDDEN if hidden else _number(r["value"])
                den = _number(r["denominator"])
                if den:
                    denominators[(age, start, seen.area_key(r["area_code"]))] = den
                rate = _number(r["rate"])
                seen.add(
                    f"api-{fmt}",
                    age,
                    start,
                    r["area_code"],
                    count,
                    None if rate is None else (rate, 0.0),
                    den,
                )


def _table_rows(html: str) -> list[list[str]]:
    match = re.search(r'<table id="embed-table">(.*?)</table>', html, re.S)
    if not match:
        return []
    head, body = match.group(1).split("<tbody>", 1)
    header = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [header] + [[re.sub(r"<[^>]+>", "", c).strip() for c in r] for r in cells]


def _add_table(seen, source, age, header, rows, denominators, area_col, period_col):
    index = {name: i for i, name in enumerate(header)}
    for cells in rows:
        if len(cells) < len(header):
            continue
        area, label = cells[index[area_col]], cells[index[period_col]]
        start = _start(label)
        count_text = cells[index["Count"]]
        count = HIDDEN if count_text.startswith("*") else _number(count_text)
        rate_text = cells[index["Rate"]]
        rate = _number(rate_text) if not rate_text.startswith("*") else None
        key = (age, start, seen.area_key(area))
        seen.add(
            source,
            age,
            start,
            area,
            count,
            None if rate is None else (rate, 0.5 * 10 ** -_decimals(rate_text)),
            denominators.get(key),
        )


def _collect_embeds(client, seen, denominators, charts, *, full=True) -> None:
    """Each chart's HTML table and CSV, for a fixed sample (every area's
    figures are in the API's): trends of every eighth English force area, of
    Cumbria and of England and Wales; the comparison of three years.

    Not `full` (the PostgreSQL run): Cumbria's and England and Wales's trends
    and the comparison of 2019/20 only. The embeds' code is the engine's
    alike; what PostgreSQL can change is the figures the SQL reads, and the
    sample keeps the rounded small count (Cumbria 2019/20) and the benchmark
    (a sum over every area), while the API's figures of every area are
    collected on both engines."""
    forces = sorted(list_areas(level="pfa")["code"])
    sample = sorted({*[c for c in forces if c.startswith("E")][::8], CUMBRIA})
    years = (2016, 2019, 2024)
    if not full:
        sample, years = [CUMBRIA], (2019,)
    for age in AGES:
        for chart in charts:
            if chart == "trend":
                queries = [
                    f"measure={MEASURE}&area={code}&age={age}"
                    for code in [*sample, "K04000001"]
                ]
            else:
                queries = [
                    f"measure={MEASURE}&age={age}&period={periods.fy_label(y)}"
                    for y in years
                ]
            for query in queries:
                html = client.get(f"/embed/{chart}?{query}").get_data(as_text=True)
                table = _table_rows(html)
                area_col = "Area" if chart == "trend" else "Force area"
                period_col = "Period" if chart == "trend" else "Year"
                if table:
                    _add_table(
                        seen,
                        f"embed-{chart}-html",
                        age,
                        table[0],
                        table[1:],
                        denominators,
                        area_col,
                        period_col,
                    )
                text = client.get(f"/embed/{chart}/data.csv?{query}").get_data(
                    as_text=True
                )
                lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
                if lines and "Count" in lines[0]:
                    _add_table(
                        seen,
                        f"embed-{chart}-csv",
                        age,
                        lines[0],
                        lines[1:],
                        denominators,
                        area_col,
                        period_col,
                    )


def _collect_signed_in(seen, denominators, violence) -> None:
    """The /violence trend table and its force-area table, as a board member
    (a viewer) gets them: the page's own table builder over its data."""
    measure = seen.measure
    for age in AGES:
        view = trend_views.trend_view(
            scope=VIEWER,
            measure_code=MEASURE,
            area_code="K04000001",
            length="year",
            age_band=age,
        )
        for code in ["E23000036", CUMBRIA]:
            series = area_trends.trend_with_benchmark(
                scope=VIEWER,
                measure_code=MEASURE,
                area_code=code,
                length="year",
                age_band=age,
            )
            table = violence.trend_table(series, measure)
            header = ["Area", "Period", "Count", "Rate"]
            rows = [
                [
                    r["Area"],
                    r["Period"],
                    str(r["Count"]),
                    f"{r[table.columns[3]]:.2f}" if r["Count"] != "*" else "*",
                ]
                for _, r in table.iterrows()
            ]
            _add_table(
                seen,
                "violence-viewer",
                age,
                header,
                rows,
                denominators,
                "Area",
                "Period",
            )
        kids = area_trends.children_latest(
            scope=VIEWER,
            measure_code=MEASURE,
            parent_code="K04000001",
            length="year",
            age_band=age,
        )
        for r in kids.itertuples():
            if pd.isna(r.value) and not r.suppressed:
                continue
            seen.add(
                "violence-viewer-children",
                age,
                r.period_start,
                r.area_code,
                HIDDEN if r.suppressed else float(r.value),
                None if r.suppressed else (round(float(r.rate), 2), 0.005),
                denominators.get((age, r.period_start, r.area_code)),
            )
        assert view["disclosure_note"].startswith("Disclosure control applies")


# ------------------------------------------------------------------- attacker


def _intervals(published: set, base: int) -> tuple[float, float]:
    """What a set of published views of one count says about it."""
    shown = {c for c in published if c is not None}
    assert len(shown) <= 1, f"one count published as {sorted(shown)}"
    if not shown:
        assert None in published
        return 1.0, np.inf
    (c,) = shown
    if c == 0:
        return 0.0, 0.0
    half = base // 2 if base else 0
    return max(1.0, c - half), c + half


# _attack's answers by its arguments: the attacker is a pure function of what is
# published, so when the PostgreSQL run publishes exactly what the SQLite run
# did, its linear programmes (about 1,400 per run) are not solved twice.
_ATTACKS: dict[tuple, dict[str, tuple[float, float]]] = {}


def _attack(cells: dict[str, set], base: int) -> dict[str, tuple[float, float]]:
    key = (
        base,
        tuple(sorted((a, tuple(sorted(v, key=repr))) for a, v in cells.items())),
    )
    if key not in _ATTACKS:
        _ATTACKS[key] = _solve_attack(cells, base)
    return dict(_ATTACKS[key])


def _solve_attack(cells: dict[str, set], base: int) -> dict[str, tuple[float, float]]:
    """(smallest, largest) whole count each hidden or rounded figure can be,
    given every shown figure and that the benchmark is the sum of the force
    areas, and also of the English regions (a coarser geography, issue 17), each
    plus a part no area reports (>= 0)."""
    areas = [a for a in cells if a != "bench"]
    partitions = [
        [i for i, a in enumerate(areas) if not a.startswith("E12")],
        [i for i, a in enumerate(areas) if a.startswith("E12")],
    ]
    partitions = [p for p in partitions if p]
    names = [*areas, *(f"rest{j}" for j in range(len(partitions)))]
    bounds = [_intervals(cells[a], base) for a in areas] + [(0.0, np.inf)] * len(
        partitions
    )
    a_ub, b_ub = [], []
    if "bench" in cells:
        low, high = _intervals(cells["bench"], base)
        for j, members in enumerate(partitions):
            row = np.zeros(len(names))
            row[members] = 1
            row[len(areas) + j] = 1
            a_ub += [row, -row]
            b_ub += [high, -low]
    ranges = {}
    for i, name in enumerate(areas):
        ends = []
        for sense in (1, -1):
            c = np.zeros(len(names))
            c[i] = sense
            res = linprog(
                c,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
                bounds=bounds,
                method="highs",
            )
            assert res.status in (0, 3), (name, res.message)
            ends.append(sense * res.fun if res.status == 0 else np.inf)
        ranges[name] = (math.ceil(ends[0] - 1e-9), math.floor(ends[1] + 1e-9))
    return ranges


def _public_routes(app) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.server.url_map.iter_rules()
            if rule.rule.startswith(("/api/v1", "/embed"))
        }
    )


def test_no_published_field_gives_a_count_away(client, violence, loaded_store):
    """3b: API JSON and CSV, every embed chart's HTML table and CSV, and a
    board member's /violence tables, for every force area, age band and year
    of the one public measure with a rounding rule (the embeds for a sample of
    areas and years, a smaller one on PostgreSQL: _collect_embeds)."""
    from app import app
    from web.embed_charts import CHARTS

    covered = {
        "/api/v1/measures/<code>/values",
        "/embed/<chart>",
        "/embed/<chart>/data.csv",
    }
    assert set(_public_routes(app)) == covered | NO_MEASURE_FIGURES, (
        "a new public endpoint: add its fields to this test"
    )
    table = list_measures()
    rounded = table[
        [get_rule(r).rounding_base is not None for r in table["disclosure_rule"]]
    ]
    assert rounded["code"].tolist() == [MEASURE]
    measure = rounded.iloc[0].to_dict()
    charts = [name for name in CHARTS if name not in EMBED_WITHOUT_MEASURES]
    assert set(CHARTS) - set(charts) == EMBED_WITHOUT_MEASURES
    seen = Published(measure)
    denominators: dict = {}
    _collect_api(client, seen, denominators)
    _collect_embeds(
        client, seen, denominators, charts, full=loaded_store.startswith("sqlite")
    )
    _collect_signed_in(seen, denominators, violence)
    assert seen.sources >= {
        "api-json",
        "api-csv",
        "embed-trend-html",
        "embed-trend-csv",
        "embed-compare-html",
        "embed-compare-csv",
        "violence-viewer",
        "violence-viewer-children",
    }
    base = seen.rule.rounding_base
    checked = 0
    for (age, start), cells in seen.counts.items():
        ranges = _attack(cells, base)
        for area, (low, high) in ranges.items():
            shown = {c for c in cells[area] if c is not None}
            if shown == {0}:
                continue
            # hidden: never pinned; rounded: never narrower than its rounding
            assert high > low, (age, start, area, cells[area], low, high)
            if shown:
                assert high - low >= base - 1, (age, start, area, low, high)
            checked += 1
            # the rates add nothing: each fits the published count, and the
            # hypothesis "rate of the unrounded count" singles out no other
            for rate, half, den in seen.rates[(age, start, area)]:
                top = (rate + half) * den / seen.multiplier
                bottom = (rate - half) * den / seen.multiplier
                fits = set(range(math.ceil(bottom - 1e-6), math.floor(top + 1e-6) + 1))
                assert fits != set() and (fits == shown or len(fits) > 1), (
                    age,
                    start,
                    area,
                    rate,
                    den,
                    shown,
                    fits,
                )
    assert checked > 500


# -------------------------------------------------------- 3c: one road, agreed


def _trend_embed(client, measure: str, area: str, age: str, names: set) -> dict:
    """The trend embed CSV's figures of the area's own rows (`names`: what
    they are called, e.g. "England" for England and Wales's hospital figures),
    by period."""
    text = client.get(
        f"/embed/trend/data.csv?measure={measure}&area={area}&age={age}"
    ).get_data(as_text=True)
    rows = _csv(text)
    if not rows:
        return {}
    value_col = list(rows[0])[2]
    return {
        r["Period"]: (r[value_col], r.get("Rate")) for r in rows if r["Area"] in names
    }


def _sample_areas(step: int = 5) -> list[str]:
    """Every fifth force area by code, England and Wales, and Cumbria: a fixed
    sample, so a failure names the same areas on every run.

    On PostgreSQL every fifteenth (step=15): the four roads compared are the
    same Python on both engines, and every one of them is checked area by area
    on SQLite; what the engine can change is what the SQL reads, which the
    benchmark (England and Wales, a sum), Cumbria's small rounded counts and
    three force areas show as well as nine."""
    forces = sorted(list_areas(level="pfa")["code"])
    return sorted({*forces[::step], CUMBRIA, "K04000001"})


@pytest.mark.parametrize("age", AGES)
def test_embed_csv_html_api_and_violence_page_agree(
    client, violence, age, loaded_store
):
    """3c: for every public measure with a trend, every sampled area and every
    period, the trend embed's CSV and table, the API (JSON and CSV) and the
    /violence page's table (signed in as a board member, whose figures are
    disclosed as the public's) show the same count and rate."""
    measures = list_measures()
    measures = measures[measures["success_measure_rank"].notna()]
    sqlite = loaded_store.startswith("sqlite")
    # the page's own reads in one request (tests/one_request.py), as the
    # embed's and the API's are each in theirs
    with one_request():
        compared = _compare_roads(client, violence, age, measures, sqlite)
    # (1,007 and 87 on SQLite, 466 and 42 on PostgreSQL)
    assert compared > ((200, 50) if sqlite else (100, 20))[age != "all"]


def _compare_roads(client, violence, age, measures, sqlite) -> int:
    compared = 0
    for measure in measures.to_dict("records"):
        length = "quarter" if measure["period_type"] == "quarter" else "year"
        for area in _sample_areas(5 if sqlite else 15):
            series = area_trends.trend_with_benchmark(
                scope=VIEWER,
                measure_code=measure["code"],
                area_code=area,
                length=length,
                age_band=age,
            )
            own = series[series["role"] == "area"]
            names = set(own["area_name"])
            embed = _trend_embed(client, measure["code"], area, age, names)
            api = {}
            for fmt in ("json", "csv"):
                response = client.get(
                    f"/api/v1/measures/{measure['code']}/values?area={area}"
                    f"&length={length}&age={age}&format={fmt}"
                )
                rows = (
                    response.get_json()["data"]
                    if fmt == "json"
                    else _csv(response.get_data(as_text=True))
                )
                api[fmt] = {r["period"]: r for r in rows}
            page = violence.trend_table(own, measure).set_index("Period")
            assert set(embed) == set(api["json"]) == set(api["csv"]) == set(page.index)
            for label, (count, rate_text) in embed.items():
                json_row, csv_row = api["json"][label], api["csv"][label]
                if count == "*":
                    assert json_row["suppressed"] and csv_row["value"] == "*"
                    assert page.loc[label, "Count"] == "*"
                    continue
                if count == "":
                    assert json_row["value"] is None
                    continue
                assert float(count) == pytest.approx(json_row["value"])
                assert float(count) == pytest.approx(float(csv_row["value"]))
                page_count = page.loc[label, "Count"]
                if measure["unit"] != "%":
                    assert round(float(count)) == _number(page_count)
                if rate_text:
                    assert float(rate_text) == pytest.approx(json_row["rate"])
                    assert round(float(rate_text), 2) == pytest.approx(
                        page.loc[label, page.columns[2]]
                    )
                compared += 1
    return compared


def test_unrestricted_roles_are_told_their_figures_are_unrounded(loaded_store):
    """An admin sees 98 where a board member sees 100: each is told which."""
    admin = trend_views.trend_view(
        scope=SYSTEM, measure_code=MEASURE, area_code=CUMBRIA, length="year"
    )
    board = trend_views.trend_view(
        scope=VIEWER, measure_code=MEASURE, area_code=CUMBRIA, length="year"
    )
    assert "before disclosure control" in admin["disclosure_note"]
    assert "rounded to the nearest 5" in board["disclosure_note"]
    raw = admin["series"].set_index(["role", "period"])
    shown = board["series"].set_index(["role", "period"])
    assert raw.loc[("area", "2019/20"), "value"] == 17  # 18 before issue 17
    assert shown.loc[("area", "2019/20"), "value"] == 15
    knife = trend_views.trend_view(
        scope=VIEWER, measure_code="knife_offences", area_code=CUMBRIA, length="year"
    )
    assert knife["disclosure_note"] == ""  # rule "none": the same for every role
