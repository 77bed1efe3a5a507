"""Public embeds (/embed, /embed/<chart>): render without sign-in, published
figures only, disclosure control, watermark, cache headers and framing rules."""

import gzip
import re
from html import unescape

import pytest

from data_access import periods, public
from tests.web_helpers import count_calls

CHARTS = ["trend", "funding", "reach", "compare"]


@pytest.fixture
def client(loaded_store):
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def _figure(url: str) -> dict:
    """The embed's figure at `url`: the one both its drawings are made from
    (web.embed_svg; the page carries the drawings, not the figure)."""
    from urllib.parse import parse_qsl

    from app import app
    from web.embed_charts import CHARTS

    path, _, query = url.partition("?")
    with app.server.test_request_context(url):
        return CHARTS[path.rsplit("/", 1)[1]].build(dict(parse_qsl(query))).figure


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_renders_for_the_public(client, chart):
    response = client.get(f"/embed/{chart}?area=E23000036")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert '<table id="embed-table">' in html and 'scope="col"' in html
    assert "<figcaption>" in html and "Source:" in html
    assert "Data as at: loaded" in html
    # The store's latest period (of any measure) is not this chart's: not claimed.
    assert "latest period" not in html.split("Data as at:")[1].split("</p>")[0]
    assert f"/embed/{chart}/data.csv" in html
    figure = _figure(f"/embed/{chart}?area=E23000036")
    assert figure["data"], "the figure has traces"
    # Illustrative figures carry the watermark inside the plot itself: in both
    # drawings (a phone's and the wide one).
    drawings = re.findall(r"<svg .*?</svg>", html.split('id="embed-plot"')[1], re.S)
    assert len(drawings) >= 2
    for svg in drawings[:2]:
        assert 'data-note="illustrative-watermark"' in svg
        # sized by its own viewBox as the page lays out: no layout shift
        assert re.match(r'<svg [^>]*viewBox="0 0 [\d.]+ [\d.]+"', svg)
    assert "Illustrative data" in html
    # No app shell, no script at all: the chart is drawn on the server (no
    # plotly.js on the page: its start-up and draw were long tasks on a phone).
    assert "_dash-" not in html and "dash_renderer" not in html
    assert "<script" not in html


def test_cache_headers_etag_and_304(client):
    first = client.get("/embed/trend?area=E23000036")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    etag = first.headers["ETag"]
    again = client.get("/embed/trend?area=E23000036", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_framing_allowed_only_for_embeds(client):
    embed = client.get("/embed/trend")
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in embed.headers["Content-Security-Policy"]
    for path in ("/embed", "/signin", "/api/v1/measures"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_gallery_lists_every_chart_with_preview_form_and_snippet(client):
    response = client.get("/embed?chart=trend&measure=knife_offences&area=E23000014")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for chart in CHARTS:
        assert f'id="chart-{chart}"' in html
        assert f'<iframe src="/embed/{chart}?' in html
        assert f'id="{chart}-snippet"' in html
    snippets = re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert len(snippets) == len(CHARTS)
    for snippet in snippets:
        assert (
            "loading=&#34;lazy&#34;" in snippet or "loading=&quot;lazy&quot;" in snippet
        )
        assert "title=" in snippet
    assert "measure=knife_offences&amp;area=E23000014" in html


def test_bad_parameters_answer_with_a_message_not_a_traceback(client):
    cases = {
        "/embed/trend?area=NOPE": (404, "no area with the code"),
        "/embed/trend?measure=nope": (404, "no public measure"),
        "/embed/trend?from=2019-13": (400, "not a month"),
        "/embed/compare?period=20x9": (400, "not a financial year"),
        "/embed/funding?area=K04000001": (404, "not a VRU area"),
        "/embed/nothing": (404, "no embeddable chart"),
        "/embed/trend/nothing/else": (404, "no such chart"),
    }
    for path, (status, text) in cases.items():
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == status, path
        assert text in body, path
        assert "Traceback" not in body


def test_private_measures_are_not_published(client):
    private = "ws_merseyside_02_sessions"
    response = client.get(f"/embed/trend?measure={private}")
    assert response.status_code == 404


def test_embed_table_and_csv_are_disclosure_controlled(client):
    # Hospital admissions follow the HES rule: counts rounded to 5.
    response = client.get(
        "/embed/trend?measure=hospital_admissions_knife&area=E23000036"
    )
    html = response.get_data(as_text=True)
    expected = public.measure_values(
        measure_code="hospital_admissions_knife", area_code="E23000036", length="year"
    )
    shown = expected[expected["period_start"].map(lambda d: d.month == 4)]
    for count in shown["value"].dropna():
        assert int(count) % 5 == 0
    csv = client.get(
        "/embed/trend/data.csv?measure=hospital_admissions_knife&area=E23000036"
    ).get_data(as_text=True)
    assert csv.startswith("\ufeffArea,Period,Count,Rate")
    row = next(line for line in csv.splitlines() if "Avon and Somerset,2016/17" in line)
    first = shown.iloc[0]
    assert row.split(",")[2] == str(int(first["value"]))
    assert "Illustrative data" in csv or not shown["illustrative"].any()
    assert "2016/17" in html


def test_suppressed_counts_show_star_and_why_hidden(client):
    # Cleveland (E23000013)? Find a force area with a hidden under-25 count.
    values = public.measure_values(
        measure_code="hospital_admissions_knife", age_band="under25", length="year"
    )
    hidden = values[values["suppressed"]]
    assert not hidden.empty, "the shipped data has small under-25 counts"
    row = hidden.iloc[0]
    assert row[["value", "numerator", "rate", "rate_lower", "rate_upper"]].isna().all()
    response = client.get(
        f"/embed/trend?measure=hospital_admissions_knife&area={row['area_code']}"
        "&age=under25"
    )
    html = response.get_data(as_text=True)
    assert 'id="embed-why-hidden"' in html and "Why is this hidden?" in html
    assert '<span class="visually-hidden">hidden</span>' in html


def test_reach_and_funding_publish_only_yearly_aggregates(loaded_store):
    reach = public.reach_by_tier(area_code="E23000036")
    assert set(reach.columns) >= {"financial_year", "tier", "young_people"}
    assert "intervention" not in " ".join(reach.columns)
    totals = reach[reach["tier"].isna()]
    cells = reach[reach["tier"].notna()]
    for year, part in cells.groupby("financial_year"):
        total = totals[totals["financial_year"] == year]["young_people"].iloc[0]
        if not part["suppressed"].any():
            assert int(part["young_people"].sum()) == int(total)
    funding = public.funding_allocated_vs_spent(area_code="E23000036")
    assert list(funding.columns) == public.FUNDING_COLUMNS
    assert funding["financial_year"].is_unique


def test_static_bundle_is_small_gzipped_and_cached_for_long(client):
    html = client.get("/embed/trend").get_data(as_text=True)
    total = len(gzip.compress(html.encode()))
    for src in re.findall(r'(?:src|href)="(/embed/static/[^"]+)"', html):
        response = client.get(src, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        if src.endswith((".js", ".js?")) or ".js?" in src:
            assert response.headers["Content-Encoding"] == "gzip"
        total += len(response.data)
    assert total <= 600 * 1024, total
    assert client.get("/embed/static/../auth.py").status_code == 404


def test_embeds_are_served_from_the_cache(client, monkeypatch):
    from app import app
    from data_access.cache import invalidate
    from web.shared_cache import cache

    calls = count_calls(monkeypatch, public, "funding_allocated_vs_spent")
    server = app.server
    saved = server.config["CACHE_TYPE"]
    monkeypatch.setitem(server.config, "CACHE_TYPE", "SimpleCache")
    cache.init_app(server)
    try:
        cache.clear()
        assert client.get("/embed/funding?area=E23000036").status_code == 200
        assert client.get("/embed/funding?area=E23000036").status_code == 200
        assert len(calls) == 1
        with server.app_context():
            invalidate()  # what an import or an approval does
        client.get("/embed/funding?area=E23000036")
        assert len(calls) == 2
    finally:
        server.config["CACHE_TYPE"] = saved
        cache.init_app(server)


def test_reach_years_are_in_order(client):
    # A tier without figures in the first years must not push those years last.
    figure = _figure("/embed/reach?area=E23000036")
    years = figure["layout"]["xaxis"]["categoryarray"]
    assert years == sorted(years)
    shown = {x for trace in figure["data"] for x in trace["x"]}
    assert shown <= set(years)


def test_hidden_values_are_not_in_the_figure(client):
    values = public.measure_values(
        measure_code="hospital_admissions_knife", age_band="under25", length="year"
    )
    row = values[values["suppressed"]].iloc[0]
    figure = _figure(
        f"/embed/trend?measure=hospital_admissions_knife&area={row['area_code']}"
        "&age=under25"
    )
    # published and illustrative figures are separate lines of the area
    own = next(
        t
        for t in figure["data"]
        if t.get("name") in (row["area_name"], f"{row['area_name']} (illustrative)")
        and row["period"] in t["x"]
    )
    at = own["x"].index(row["period"])
    assert own["y"][at] is None
    # Its hover text names the period but gives no figure.
    shown = own["hovertext"][at].split(row["period"] + ":", 1)[1].replace("95% CI", "")
    assert not re.search(r"\d", shown), shown


def test_trend_embed_title_is_the_one_trend_verdict(client):
    """The title states the recent-trend test's verdict (as /violence and the
    area profile do), never a first-versus-last comparison of the points shown,
    which ran across the switch to illustrative figures and recording breaks."""
    from data_access.outcomes import headlines
    from data_access.scope import PUBLIC

    url = "/embed/trend?measure=knife_offences&area=E23000036"
    html = client.get(url).get_data(as_text=True)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    trend = headlines.recent_trend(
        scope=PUBLIC,
        measure_code="knife_offences",
        area_code="E23000036",
        length="quarter",
    )
    assert trend["direction"] != "not enough data"
    assert (
        f"{trend['direction']} over {trend['first_period']} to "
        f"{trend['last_period']} (quasi-Poisson regression)"
    ) in title
    assert " than in " not in title
    assert trend["text"] in html


@pytest.mark.parametrize(
    "url",
    [
        "/embed/compare?measure=hospital_admissions_knife",
        "/embed/compare?measure=knife_offences&period=2018/19",
        "/embed/compare?measure=knife_offences&period=2016/17",  # clipped axis
        "/embed/trend?measure=hospital_admissions_knife&area=E23000036",
        "/embed/trend?measure=homicide_knife&area=E23000036",
    ],
)
def test_captions_claim_only_what_is_drawn(client, url):
    """Each claim a caption makes about the picture is checked against the
    figure's traces and shapes: "the dashed line is X" needs a dashed benchmark
    line; "Benchmark: X" a line named exactly X (and no other benchmark name);
    illustrative figures "drawn as their own series" need such a series and no
    line holding both kinds; a left-out area is not drawn."""
    html = client.get(url).get_data(as_text=True)
    figure = _figure(url)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    caption = unescape(caption)
    names = [
        t.get("name") or ""
        for t in figure["data"]
        if (t.get("meta") or {}).get("role") == "series"
    ]
    shapes = figure["layout"].get("shapes", [])
    dashed = re.search(r"the dashed line is ([^.;]+)", caption)
    benchmark_lines = [s for s in shapes if s.get("name") == "benchmark"]
    if dashed:
        assert benchmark_lines and benchmark_lines[0]["line"]["dash"] == "dash"
        label = [
            a["text"]
            for a in figure["layout"]["annotations"]
            if a.get("name") == "benchmark"
        ]
        # A long name wraps on a phone ("England and<br>Wales"): same words.
        assert label and label[0].replace("<br>", " ").startswith(dashed.group(1))
    elif "/embed/compare" in url:
        assert not benchmark_lines and "no benchmark line is drawn" in caption
    named = re.search(r"Benchmark: (England and Wales|England)\b", caption)
    if named:
        bench = named.group(1)
        drawn = {n.removesuffix(" (illustrative)") for n in names} - {""}
        others = {n for n in drawn if n.startswith("England")}
        assert others == {bench}, others  # one benchmark, named exactly
    if "drawn as their own series" in caption:
        assert any(n.endswith(" (illustrative)") for n in names)
    if "City of London is left out" in caption:
        bars = [t for t in figure["data"] if t.get("type") == "bar"]
        assert not any("City of London" in str(y) for t in bars for y in t["y"])


def test_no_single_area_squashes_the_public_compare_axis(client):
    """Knife offences 2016/17: the Metropolitan Police's rate interval runs far past
    the other force areas' (Tukey's far-out fence, worked here from the CSV's own
    figures), so the embed's axis stops at the fence, as /compare's does, and the
    caption names the area past the edge; the CSV keeps every figure whole. In
    2018/19 nothing is that far out: no clip, and the caption says nothing.
    Catches: an embed drawn without /compare's axis clip, or a caption that does
    not say what runs past the edge."""
    import io

    import pandas as pd

    url = "/embed/compare?measure=knife_offences&period=2016/17"
    table = pd.read_csv(
        io.StringIO(client.get(url.replace("compare?", "compare/data.csv?")).text)
    )
    ends = table[["Rate", "95% CI upper"]].astype(float).max(axis=1)
    q1, q3 = ends.quantile(0.25), ends.quantile(0.75)
    fence = q3 + 3 * (q3 - q1)
    past = table.loc[ends > fence, "Force area"].tolist()
    assert past == ["Metropolitan Police"]
    met = float(ends[ends > fence].iloc[0])
    html = client.get(url).get_data(as_text=True)
    caption = unescape(re.search(r"<figcaption>(.*?)</figcaption>", html, re.S)[1])
    assert "Past the edge: Metropolitan Police (" in caption
    axis_end = _figure(url)["layout"]["xaxis"]["range"][1]
    assert axis_end < met and axis_end == pytest.approx(fence, rel=0.1)
    plain = client.get("/embed/compare?measure=knife_offences&period=2018/19")
    assert "Past the edge" not in plain.get_data(as_text=True)


def test_default_year_is_the_latest_all_published_one():
    """The rule by hand: the latest year with no illustrative force figure,
    else the latest year."""
    from data_access.outcomes.year_values import default_year_position

    assert default_year_position([False, False, True, True]) == 1
    assert default_year_position([False, True, False, True]) == 2
    assert default_year_position([True, True]) == 1
    assert default_year_position([False]) == 0


@pytest.mark.parametrize("code", ["knife_offences", "hospital_admissions_knife"])
def test_the_compare_embed_opens_on_the_year_compare_opens_on(client, code):
    """One rule for the year a comparison opens on: the public embed and the
    signed-in /compare page agree (knife offences: the published 2018/19, not
    the illustrative latest year)."""
    from pages import compare

    _, value, _ = compare.period_options(code, None)
    label = periods.fy_label(int(value[:4]))
    html = unescape(client.get(f"/embed/compare?measure={code}").get_data(as_text=True))
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert label in title, (label, title)
    if code == "knife_offences":
        assert label == "2018/19"
