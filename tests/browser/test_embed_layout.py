"""Embeds drawn by embed.js (no plotly.js): at a 360 px phone and at 1200 px every
label lies inside the chart (the margins are measured, not guessed), axis labels
do not overlap, the plot's box keeps the height it was given before drawing (no
layout shift) and the watermark is there exactly when the data are illustrative."""

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
var svg = plot.querySelector('svg.embed__svg');
var box = svg.getBoundingClientRect();
function rect(el) {
  var r = el.getBoundingClientRect();
  return {left: r.left - box.left, right: r.right - box.left,
          top: r.top - box.top, bottom: r.bottom - box.top,
          text: el.textContent, group: el.parentNode.getAttribute('class') || ''};
}
return {
  width: box.width, height: box.height,
  styled: parseFloat(plot.style.height), drawn: plot.getBoundingClientRect().height,
  texts: Array.prototype.map.call(svg.querySelectorAll('text'), rect),
  watermark: svg.querySelectorAll('.annotation--illustrative-watermark').length,
  illustrative: document.querySelectorAll('.embed__badge').length
};
"""


@pytest.fixture
def public_app(loaded_sqlite_store):
    from app import app

    return app


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


def test_labels_fit_inside_the_chart_on_a_phone_and_desktop(dash_duo, public_app):
    base = start(dash_duo, public_app)
    driver = dash_duo.driver
    for width in (360, 1200):
        driver.set_window_size(width, 900)
        for path in PAGES:
            driver.get(base + path)
            dash_duo.wait_for_element("#embed-plot svg.embed__svg", timeout=10)
            got = driver.execute_script(MEASURE)
            where = f"{path} at {width}px"
            assert got["drawn"] == got["styled"] == got["height"], where
            # The watermark is drawn where the data are illustrative (and only there).
            assert got["watermark"] == got["illustrative"], where
            texts = [t for t in got["texts"] if t["text"].strip()]
            assert texts, where
            for t in texts:
                if "illustrative-watermark" in t["group"]:
                    continue  # rotated across the middle on purpose
                assert t["left"] >= -0.5 and t["right"] <= got["width"] + 0.5, (
                    where,
                    t,
                )
                assert t["top"] >= -0.5 and t["bottom"] <= got["height"] + 0.5, (
                    where,
                    t,
                )
            ticks = [t for t in texts if t["group"] == "axes"]
            for i, a in enumerate(ticks):
                for b in ticks[i + 1 :]:
                    assert not _overlap(a, b), (where, a["text"], b["text"])
    assert dash_duo.get_logs() == []
