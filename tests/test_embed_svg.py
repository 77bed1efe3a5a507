"""The trend embed's chart drawn on the server (web.pack_svg via
web/embed_charts._trend_svg): an SVG a reader sees with JavaScript off, whose
lines never join a published figure to an illustrative one."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"
URL = "/embed/trend?measure=knife_offences&area=E23000036"


@pytest.fixture
def client(loaded_store):
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def _svg(html: str) -> ET.Element:
    match = re.search(r'<div id="embed-plot"[^>]*>(<svg.*?</svg>)</div>', html, re.S)
    assert match, "no server-drawn SVG in the plot box"
    return ET.fromstring(match.group(1))


def _points(element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in element.get("points").split()]


def test_trend_svg_keeps_published_and_illustrative_apart(client):
    """Catches a line drawn across published and illustrative figures (one
    series for both) and markers lost or duplicated: every polyline is inside
    one line's group and passes only through that group's own markers; the area
    markers are exactly the area figures of the embed's CSV."""
    html = client.get(URL).get_data(as_text=True)
    root = _svg(html)
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text.startswith("Knife")
    assert root.find(f"{SVG}desc").text.strip()
    groups = {g.get("data-line"): g for g in root.iter(f"{SVG}g")}
    assert {"area", "area illustrative"} <= set(groups), groups.keys()
    owner = {}  # marker position -> the line it belongs to
    for name, group in groups.items():
        for c in group.iter(f"{SVG}circle"):
            owner[(float(c.get("cx")), float(c.get("cy")))] = name
    for name, group in groups.items():
        for line in group.iter(f"{SVG}polyline"):
            on = {owner.get(point) for point in _points(line)}
            assert on == {name}, (name, on)
    # Drawn nowhere but in the groups: no stray polyline joins two of them.
    grouped = sum(len(list(g.iter(f"{SVG}polyline"))) for g in groups.values())
    assert grouped == len(list(root.iter(f"{SVG}polyline")))
    # As many area markers as the CSV has area figures (not hidden, not blank).
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
    figures = [r for r in rows if r["Area"] == area and r["Rate"] not in ("", "*")]
    markers = [
        c
        for name, g in groups.items()
        if name.startswith("area")
        for c in g.iter(f"{SVG}circle")
    ]
    assert len(markers) == len(figures) > 0
