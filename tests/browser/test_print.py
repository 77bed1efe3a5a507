"""Printing in a real browser: Chromium's print-to-PDF of /, /violence and /compare
gives A4 landscape pages; every chart prints as the server drew it (its SVG)
scaled to the page width (none runs off its right edge, where the latest years
are), as does a chart the reader made interactive (plotly's, scaled when
printing starts); controls are hidden and no printed table is cut by a scroll
box. Printable width of A4 landscape with 10 mm margins: 277 mm, 1047 CSS
pixels."""

import base64
import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import (
    open_interactive,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)

pytestmark = pytest.mark.browser

PRINT_WIDTH = 1047  # (297 - 2 x 10) mm at 96 px per inch
A4_LANDSCAPE_POINTS = (842, 595)


def _print_pdf(driver) -> bytes:
    answer = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return base64.b64decode(answer["data"])


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox size in points (the pages' own boxes, not the tree's)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def _overflow_after_beforeprint(driver) -> dict:
    """Dispatch beforeprint, lay the page out at the printed width under print
    media, and measure: the widest chart layer's right edge, the last tick
    label's, visible controls, and tables clipped by a scroll box."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    return driver.execute_script(
        """
        window.dispatchEvent(new Event("beforeprint"));
        document.documentElement.style.width = arguments[0] + "px";
        document.body.style.width = arguments[0] + "px";
        const svgs = [...document.querySelectorAll(
            "#main-content svg.main-svg, #main-content .chart-card__svg > svg")];
        const right = Math.max(0, ...svgs.map(s => s.getBoundingClientRect().right));
        const texts = [...document.querySelectorAll(
            "#main-content .xtick text, #main-content .chart-card__svg text")];
        const tickRight = Math.max(
            0, ...texts.map(t => t.getBoundingClientRect().right));
        const server = document.querySelectorAll(
            "#main-content .chart-card__svg > svg").length;
        const shown = e => e.getClientRects().length > 0;
        const controls = [...document.querySelectorAll(
            ".filter-bar, .app-nav, .modebar, .chart-card__downloads, button"
        )].filter(shown).length;
        const clipped = [...document.querySelectorAll("#main-content table")]
            .filter(shown)
            .filter(t => t.parentElement.scrollHeight >
                         t.parentElement.clientHeight + 1)
            .length;
        return {charts: svgs.length, server, right, tickRight, controls, clipped};
        """,
        PRINT_WIDTH,
    )


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "#overview-content .measure-card"),
        (
            "/violence?area=E23000036&measure=knife_offences&view=year",
            "#violence-trend-plot .chart-card__svg svg",
        ),
        (
            "/compare?measure=knife_offences",
            "#compare-ranking-plot .chart-card__svg svg",
        ),
    ],
)
def test_pages_print_to_a4_landscape_without_clipped_charts(
    dash_duo, browser_app, path, ready
):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, path)
    dash_duo.wait_for_element(ready, timeout=30)
    driver = dash_duo.driver

    pdf = _print_pdf(driver)
    pages = _pages(pdf)
    assert pdf.startswith(b"%PDF")
    # Measured: / 4, /violence 3, /compare 10 (its 43-row map table whole).
    assert 1 <= len(pages) <= 12, f"{path} printed on {len(pages)} pages"
    if os.environ.get("VRU_PRINT_DIR"):  # keep the PDFs to look at
        name = re.sub(r"\W+", "-", path).strip("-") or "overview"
        Path(os.environ["VRU_PRINT_DIR"], f"{name}.pdf").write_bytes(pdf)
    for width, height in pages:
        assert (round(width), round(height)) == A4_LANDSCAPE_POINTS

    measured = _overflow_after_beforeprint(driver)
    assert measured["controls"] == 0, measured
    assert measured["clipped"] == 0, measured
    if path != "/":
        assert measured["server"] > 0, measured
        assert measured["right"] <= PRINT_WIDTH + 1, measured
        assert measured["tickRight"] <= PRINT_WIDTH + 1, measured


def test_an_interactive_chart_prints_scaled_to_the_page(dash_duo, browser_app):
    """A chart the reader turned into plotly's before printing is scaled to the
    printed width by assets/vru.js, beside the server-drawn ones."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/compare?measure=knife_offences")
    wait_for_svg_chart(dash_duo, "compare-ranking", timeout=45)
    open_interactive(dash_duo, "compare-ranking")
    measured = _overflow_after_beforeprint(dash_duo.driver)
    assert measured["charts"] > measured["server"] > 0, measured
    assert measured["right"] <= PRINT_WIDTH + 1, measured
    assert measured["tickRight"] <= PRINT_WIDTH + 1, measured
    assert measured["controls"] == 0, measured
