"""Each embed's chart drawn on the server (web.embed_svg.phone_svg: the embed's
own figure through components.figure_svg, the app's renderer): an SVG a reader
sees with JavaScript off, whose lines never join a published figure to an
illustrative one, whose bars and hover texts are the table's figures, and
where a withheld figure is a "*", never a bar or a point."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

SVG = "{http://www.w3.org/2000/svg}"
URL = "/embed/trend?measure=knife_offences&area=E23000036"


@pytest.fixture
def client(loaded_store):
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def _svg(html: str, kind: str = "phone") -> ET.Element:
    """The plot box's drawing for a phone, or the wide one (`kind` "wide")."""
    match = re.search(
        rf'<div class="embed__drawing embed__drawing--{kind}">(<svg.*?</svg>)</div>',
        html.split('<div id="embed-plot"', 1)[-1],
        re.S,
    )
    assert match, f"no server-drawn SVG ({kind}) in the plot box"
    return ET.fromstring(match.group(1))


def _vertices(line) -> list[tuple[float, float]]:
    """The points a line path passes through ("M x,y L x,y ... M x,y ...")."""
    return [
        (float(x), float(y))
        for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", line.get("d"))
    ]


def _markers(group) -> list[tuple[float, float]]:
    return [
        tuple(
            map(
                float,
                re.match(r"translate\(([^,]+),([^)]+)\)", m.get("transform")).groups(),
            )
        )
        for g in group.iter(f"{SVG}g")
        if g.get("data-role") == "markers"
        for m in g
    ]


def _traces(root) -> dict[str, ET.Element]:
    """Each trace's group by its name (figure_svg: <g data-trace data-name>)."""
    return {
        g.get("data-name"): g
        for g in root.iter(f"{SVG}g")
        if g.get("data-trace") is not None
    }


def test_trend_svg_keeps_published_and_illustrative_apart(client):
    """Catches a line drawn across published and illustrative figures (one
    series for both) and markers lost or duplicated: every line passes only
    through its own trace's markers, the published and illustrative lines of
    the area are separate traces; the area markers are exactly the area
    figures of the embed's CSV."""
    html = client.get(URL).get_data(as_text=True)
    root = _svg(html)
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text.startswith("Knife")
    assert root.find(f"{SVG}desc").text.strip()
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/embed/trend/data.csv?measure=knife_offences&area=E23000036"
                )
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    area = rows[0]["Area"]
    lines = {
        name: g
        for name, g in _traces(root).items()
        if "95% CI" not in name and _markers(g)
    }
    assert {area, f"{area} (illustrative)"} <= set(lines), lines.keys()
    for name, group in lines.items():
        own = set(_markers(group))
        for line in group.iter(f"{SVG}path"):
            if line.get("data-role") == "line":
                assert set(_vertices(line)) <= own, name
    # Drawn nowhere but in the traces' groups: no stray line joins two of them.
    in_groups = sum(
        1
        for g in lines.values()
        for p in g.iter(f"{SVG}path")
        if p.get("data-role") == "line"
    )
    drawn = [p for p in root.iter(f"{SVG}path") if p.get("data-role") == "line"]
    assert in_groups == len(drawn)
    # As many area markers as the CSV has area figures (not hidden, not blank).
    figures = [r for r in rows if r["Area"] == area and r["Rate"] not in ("", "*")]
    markers = [
        m for name, g in lines.items() if name.startswith(area) for m in _markers(g)
    ]
    assert len(markers) == len(figures) > 0


PAGES = {
    "trend": "/embed/trend?area=E23000036",
    "funding": "/embed/funding?area=E23000036",
    "reach": "/embed/reach?area=E23000036",
    "compare": "/embed/compare?measure=knife_offences",
}
# px: the plot box of an embed on a 390 px phone (12 px padding each side), less
# a classic scroll bar's 15 px where the browser draws one
PHONE_BOX = 351
WIDE_BOX = 720  # px: embed.css shows the wide drawing in a box this wide or more


def _csv(client, url: str) -> list[dict]:
    path, _, query = url.partition("?")
    text = client.get(f"{path}/data.csv?{query}").get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _texts(root) -> list[ET.Element]:
    """The drawing's words, less the watermark (large, pale on purpose)."""
    marked = {id(t) for g in _watermarks(root) for t in g.iter(f"{SVG}text")}
    return [t for t in root.iter(f"{SVG}text") if id(t) not in marked]


@pytest.mark.parametrize("chart", PAGES)
def test_every_embed_draws_its_chart_on_the_server(client, chart):
    """Catches an embed whose chart exists only for embed.js (an empty box with
    JavaScript off), a drawing without an accessible name and text summary, a
    watermark missing on illustrative data (or drawn on published data), and
    text too small to read on a phone: at a 390 px phone the drawing is scaled
    to its box (351 px with a scroll bar), and no word in it may come out under
    11 px."""
    html = client.get(PAGES[chart]).get_data(as_text=True)
    root = _svg(html)
    assert root.get("role") == "img" and root.get("width") == "100%"
    heading = re.search(r'<h1 id="embed-title">(.*?)</h1>', html, re.S)[1]
    assert root.find(f"{SVG}title").text == unescape(heading)
    summary = re.search(r'<p class="embed__summary"[^>]*>(.*?)</p>', html, re.S)[1]
    assert root.find(f"{SVG}desc").text == unescape(summary).strip() != ""
    watermarks = _watermarks(root)
    assert len(watermarks) == ('class="embed__badge"' in html)
    assert "Illustrative data" in "".join(watermarks[0].itertext()) if watermarks else 1
    width = float(root.get("viewBox").split()[2])
    smallest = min(_font_size(root, t) for t in _texts(root))
    assert smallest * PHONE_BOX / width >= 11, (chart, smallest, width)
    # The wide drawing: the same chart, named and described the same, shown
    # only in a box at least as wide as it is (embed.css), so never shrunk.
    wide = _svg(html, "wide")
    assert wide.find(f"{SVG}title").text == root.find(f"{SVG}title").text
    assert wide.find(f"{SVG}desc").text == root.find(f"{SVG}desc").text
    assert len(_watermarks(wide)) == len(watermarks)
    assert float(wide.get("viewBox").split()[2]) == WIDE_BOX
    assert min(_font_size(wide, t) for t in _texts(wide)) >= 11


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.mark.parametrize("chart", PAGES)
def test_hover_texts_give_only_the_tables_figures(client, chart):
    """Catches a hover text (an SVG <title>, shown as a tooltip with JavaScript
    off) that gives away more than the table: an unrounded or withheld count,
    a figure the table does not show. Every number in the marks' titles is a
    number of the embed's table (its cells as shown, "*" for the hidden)."""
    html = client.get(PAGES[chart]).get_data(as_text=True)
    titles = [
        t.text or ""
        for root in (_svg(html), _svg(html, "wide"))
        for t in root.iter(f"{SVG}title")
        if t is not root.find(f"{SVG}title")
    ]
    assert titles, chart
    table = re.search(r'<table id="embed-table">(.*?)</table>', html, re.S)[1]
    cells = set(NUMBER.findall(unescape(re.sub(r"<[^>]+>", " ", table))))
    told = {n for t in titles for n in NUMBER.findall(t)}
    assert told <= cells, (chart, sorted(told - cells)[:10])


def _watermarks(root) -> list[ET.Element]:
    return [
        g
        for g in root.iter(f"{SVG}g")
        if g.get("data-note") == "illustrative-watermark"
    ]


def _font_size(root, element) -> float:
    """The text's size: its own, or the nearest enclosing group's."""
    parent = {child: node for node in root.iter() for child in node}
    while element.get("font-size") is None:
        element = parent[element]
    return float(element.get("font-size"))


def _bars(root) -> list[ET.Element]:
    """The bars: the rects of the bar traces' groups (figure_svg draws a trace
    in <g data-trace>), not their pattern overlays, legend keys, pattern tiles,
    the background or the patches under haloed labels."""
    return [
        r
        for g in root.iter(f"{SVG}g")
        if g.get("data-trace") is not None
        for r in g.iter(f"{SVG}rect")
        if not r.get("fill", "").startswith("url(")
        and r.get("data-role") != "label-ground"
    ]


def test_funding_and_reach_bars_are_the_tables_figures(client):
    """Catches bars that are not the embed's own figures: one bar per shown
    figure of the CSV (funding: allocated and spent of each year; reach: each
    tier of each year, not the totals), none for a hidden one."""
    for chart, columns, keep in (
        ("funding", ("Allocated", "Spent"), lambda r: True),
        (
            "reach",
            ("Young people supported",),
            lambda r: r["Prevention tier"] != "All tiers",
        ),
    ):
        rows = [r for r in _csv(client, PAGES[chart]) if keep(r)]
        shown = [r[c] for r in rows for c in columns if r[c] not in ("", "*")]
        root = _svg(client.get(PAGES[chart]).get_data(as_text=True))
        assert len(_bars(root)) == len(shown) > 0, chart


def test_compare_bars_are_ranked_with_the_tables_figures(client):
    """Catches a ranking that is not the table's: the names top to bottom are the
    force areas by rate, highest first, then those without a rate shown; one bar
    and one interval per shown rate; each figure's text is the table's rate and
    its comparison word; the benchmark line is drawn (England and Wales is in
    the caption); a bar past the axis's end is marked »."""
    url = "/embed/compare?measure=knife_offences&period=2016/17"
    rows = _csv(client, url)
    bench_column = next(c for c in rows[0] if c.startswith("Compared with"))
    ranked = sorted(
        (r for r in rows if r["Rate"] not in ("", "*")), key=lambda r: -float(r["Rate"])
    )
    rest = [r for r in rows if r["Rate"] in ("", "*")]
    html = client.get(url).get_data(as_text=True)
    root = _svg(html)
    names = {r["Force area"] for r in rows}
    by_height = sorted(_texts(root), key=lambda t: float(t.get("y")))
    drawn = [t.text for t in by_height if t.text in names]
    assert drawn == [r["Force area"] for r in ranked + rest]
    intervals = [
        p for p in root.iter(f"{SVG}path") if p.get("data-role") == "error-bars"
    ]
    strokes = sum(p.get("d").count("M") for p in intervals)
    assert len(_bars(root)) == len(ranked) == strokes / 3
    figures = [
        t.text for t in by_height if re.match(r"^(» )?\d[\d.]* [A-Z]", t.text or "")
    ]
    want = [f"{float(r['Rate']):.1f} {r[bench_column]}" for r in ranked]
    # the word as the interactive figure writes it ("Worse"; the table: "worse")
    assert [f.replace("» ", "").replace(" »", "").lower() for f in figures] == want
    assert figures[0].startswith("» ")  # the Metropolitan Police, past the edge
    (benchmark,) = [
        p for p in root.iter(f"{SVG}path") if p.get("data-shape") == "benchmark"
    ]
    assert benchmark.get("stroke-dasharray")


def test_withheld_figures_are_stars_never_bars(client, monkeypatch):
    """Disclosure control in the drawing, whatever the figure beside the flag:
    a row marked suppressed is drawn as "*" (reach, funding) or "* hidden"
    (compare) and its figure appears nowhere in the drawing, hover texts
    included (its <title>s, less the drawing's own <desc>). The rows are faked
    with a figure still present, so a drawing that read the figure instead of
    the flag would show it."""
    from data_access import public

    reach = public.reach_by_tier(area_code="E23000036")
    cell = reach.index[reach["tier"].notna()][-1]
    reach.loc[cell, ["young_people", "suppressed"]] = [987654, True]
    monkeypatch.setattr(public, "reach_by_tier", lambda **_: reach.copy())
    funding = public.funding_allocated_vs_spent(area_code="E23000036")
    funding.loc[funding.index[0], ["allocated", "suppressed"]] = [97_531_000.0, True]
    monkeypatch.setattr(
        public, "funding_allocated_vs_spent", lambda **_: funding.copy()
    )
    compare = public.force_area_comparison(
        measure_code="knife_offences", financial_year=None, age_band="all"
    )
    at = compare.index[compare["area_level"] == "pfa"][0]
    compare.loc[at, ["rate", "suppressed"]] = [987.6, True]
    monkeypatch.setattr(public, "force_area_comparison", lambda **_: compare.copy())
    for chart, figures, star in (
        ("reach", ("987654", "987,654", "987.7k", "988k"), "*"),
        ("funding", ("97.531m", "97.53m", "97531000", "97,531,000"), "*"),
        ("compare", ("987.6",), "* hidden"),
    ):
        html = client.get(PAGES[chart]).get_data(as_text=True)
        for root in (_svg(html), _svg(html, "wide")):
            words = [t.text for t in _texts(root)]
            assert star in words, chart
            drawn = ET.tostring(root, encoding="unicode")
            drawn = re.sub(r"<ns0:desc[^>]*>.*?</ns0:desc>", "", drawn, flags=re.S)
            for figure in figures:
                assert figure not in drawn, (chart, figure)
