"""Embeds drawn on the server (web/embed_svg.py, components.figure_svg; no script
on the page): at a 360 px phone the phone's drawing is shown and at 1200 px the
wide one, never both; every label lies inside the drawing, no word of the wide
one under 11 px (the watermark aside; the phone's at 390 px:
tests/browser/test_embed.py), the drawing's box is its own size as the page
lays out (no layout shift: its viewBox gives it its height) and the watermark
is there exactly when the data are illustrative."""

import pytest

from tests.browser.conftest import start

pytestmark = pytest.mark.browser

PAGES = [
    "/embed/trend?area=E23000036",
    "/embed/funding?area=E23000036",
    "/embed/reach?area=E23000036",
    "/embed/compare",
    "/embed/compare?measure=knife_offences",
]

# Boxes of the svg's texts (relative to the svg) and the plot box's heights.
MEASURE = """
var plot = document.getElementById('embed-plot');
var shown = Array.prototype.filter.call(
  plot.querySelectorAll('.embed__drawing'),
  function (d) { return getComputedStyle(d).display !== 'none'; });
var svg = shown[0].querySelector('svg');
var box = svg.getBoundingClientRect();
function rect(el) {
  var r = el.getBoundingClientRect();
  return {left: r.left - box.left, right: r.right - box.left,
          top: r.top - box.top, bottom: r.bottom - box.top,
          text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize),
          watermark: !!el.closest('[data-note="illustrative-watermark"]')};
}
return {
  width: box.width, height: box.height,
  shown: shown.map(function (d) { return d.className; }),
  scale: box.width / svg.viewBox.baseVal.width,
  aspect: svg.viewBox.baseVal.height / svg.viewBox.baseVal.width,
  texts: Array.prototype.map.call(svg.querySelectorAll('text'), rect),
  watermark: svg.querySelectorAll('[data-note="illustrative-watermark"]').length,
  illustrative: document.querySelectorAll('.embed__badge').length
};
"""


@pytest.fixture
def public_app(loaded_sqlite_store):
    from app import app

    return app


def test_labels_fit_inside_the_chart_on_a_phone_and_desktop(dash_duo, public_app):
    base = start(dash_duo, public_app)
    driver = dash_duo.driver
    for width, kind in ((360, "phone"), (1200, "wide")):
        driver.set_window_size(width, 900)
        for path in PAGES:
            driver.get(base + path)
            dash_duo.wait_for_element("#embed-plot svg", timeout=10)
            got = driver.execute_script(MEASURE)
            where = f"{path} at {width}px"
            assert got["shown"] == [f"embed__drawing embed__drawing--{kind}"], where
            assert abs(got["height"] - got["width"] * got["aspect"]) < 1, where
            # The watermark is drawn where the data are illustrative (and only there).
            assert got["watermark"] == got["illustrative"], where
            texts = [t for t in got["texts"] if t["text"].strip()]
            assert texts, where
            for t in texts:
                if t["watermark"]:
                    continue  # rotated across the middle on purpose
                if kind == "wide":  # the phone's: at 390 px, test_embed.py
                    assert t["size"] * got["scale"] >= 11 - 0.01, (where, t)
                assert t["left"] >= -0.5 and t["right"] <= got["width"] + 0.5, (
                    where,
                    t,
                )
                assert t["top"] >= -0.5 and t["bottom"] <= got["height"] + 0.5, (
                    where,
                    t,
                )
    assert dash_duo.get_logs() == []
