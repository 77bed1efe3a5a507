"""Embeds in a real browser: at 320 px and 1200 px the chart shows (the server's svg),
no horizontal scroll, the table alternative is there, no console errors (so no
CSP violations) and no axe-core WCAG 2.2 A/AA violations; the gallery and the
API index (/api/v1/) too, both without sideways scroll at 360 px."""

import pytest

from tests.browser.conftest import axe_violations, start

pytestmark = pytest.mark.browser


@pytest.fixture
def public_app(loaded_sqlite_store):
    from app import app

    return app


def _check_embed(dash_duo, url: str, width: int) -> None:
    driver = dash_duo.driver
    driver.set_window_size(width, 900)
    driver.get(url)
    dash_duo.wait_for_element("#embed-plot svg[role=img]", timeout=10)
    dash_duo.wait_for_element("#embed-table caption")
    scroll, client = driver.execute_script(
        "return [document.documentElement.scrollWidth,"
        " document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"horizontal scroll at {width}px: {scroll} > {client}"
    # The watermark is drawn inside the plot.
    svg_text = driver.execute_script(
        "return document.querySelector('#embed-plot').textContent"
    )
    assert "Illustrative data" in svg_text
    dash_duo.find_element("#embed-table-details summary").click()
    rows = driver.find_elements("css selector", "#embed-table tbody tr")
    assert rows
    assert axe_violations(dash_duo) == []


def test_trend_embed_at_320_and_1200_px(dash_duo, public_app):
    base = start(dash_duo, public_app)
    for width in (320, 1200):
        _check_embed(dash_duo, base + "/embed/trend?area=E23000036", width)
    assert dash_duo.get_logs() == []


def test_reach_and_compare_embeds_at_320_px(dash_duo, public_app):
    base = start(dash_duo, public_app)
    _check_embed(dash_duo, base + "/embed/reach?area=E23000036", 320)
    _check_embed(dash_duo, base + "/embed/compare", 320)
    assert dash_duo.get_logs() == []


def test_gallery_is_accessible_and_previews_charts(dash_duo, public_app):
    base = start(dash_duo, public_app)
    dash_duo.driver.set_window_size(1200, 900)
    dash_duo.driver.get(base + "/embed")
    dash_duo.wait_for_element("#chart-trend iframe")
    assert len(dash_duo.driver.find_elements("css selector", "iframe")) == 4
    assert axe_violations(dash_duo) == []
    dash_duo.find_element("#trend-area").send_keys("West Midlands")
    dash_duo.find_element("#chart-trend button[type=submit]").click()
    # The form reloads the whole gallery: wait for the new page, not the old one's
    # elements (which go stale as it unloads).
    dash_duo._wd_wait.until(
        lambda driver: "area=E23000014" in driver.current_url,
        message="the gallery did not reload with the chosen area",
    )
    dash_duo.wait_for_element("#chart-trend iframe")
    snippet = dash_duo.find_element("#trend-snippet").get_attribute("value")
    assert "area=E23000014" in snippet and 'loading="lazy"' in snippet
    # On a 360 px phone the gallery and the API index fit the width (a long
    # measure name in a select pushed the gallery to 446 px) and stay accessible.
    dash_duo.driver.set_window_size(360, 900)
    for path, ready in (("/embed", "#chart-trend iframe"), ("/api/v1/", "h2 code")):
        dash_duo.driver.get(base + path)
        dash_duo.wait_for_element(ready)
        scroll, client = dash_duo.driver.execute_script(
            "return [document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{path} scrolls sideways at 360px: {scroll}"
        assert axe_violations(dash_duo) == [], path
    assert dash_duo.get_logs() == []


def test_trend_embed_draws_its_chart_with_javascript_off(dash_duo, public_app):
    """With JavaScript disabled the trend embed still shows its chart: the server's
    SVG (web.embed_svg: components.figure_svg), role="img", with one area
    marker per area figure of the embed's CSV, within the width at 390 px.
    Catches the chart left to embed.js alone (an empty box without JavaScript)
    and markers that do not match the figures. With JavaScript on the page is
    the same (it loads no script), axe-clean."""
    import csv
    import io
    import urllib.request

    from selenium import webdriver

    from tests.browser.conftest import pytest_setup_options

    base = start(dash_duo, public_app)
    path = "/embed/trend?measure=knife_offences&area=E23000036"
    with urllib.request.urlopen(base + path.replace("trend?", "trend/data.csv?")) as r:
        rows = list(csv.DictReader(io.StringIO(r.read().decode("utf-8-sig"))))
    area = rows[0]["Area"]
    figures = [r for r in rows if r["Area"] == area and r["Rate"] not in ("", "*")]
    options = pytest_setup_options()
    options.add_experimental_option(
        "prefs", {"profile.managed_default_content_settings.javascript": 2}
    )
    driver = webdriver.Chrome(options=options)
    try:
        for width, kind in ((390, "phone"), (1366, "wide")):
            driver.set_window_size(width, 1000)
            driver.get(base + path)
            drawing = f"#embed-plot .embed__drawing--{kind}"
            svg = driver.find_element("css selector", f"{drawing} > svg[role=img]")
            markers = driver.find_elements(
                "css selector",
                f'{drawing} g[data-name^="{area}"]:not([data-name*="95% CI"]) '
                'g[data-role="markers"] > path',
            )
            assert len(markers) == len(figures) > 0
            box = svg.rect
            assert box["width"] > 0 and box["x"] + box["width"] <= width
            driver.save_screenshot(f"/tmp/embed-trend-nojs-{width}.png")
    finally:
        driver.quit()
    dash_duo.driver.set_window_size(390, 900)
    dash_duo.driver.get(base + path)
    dash_duo.wait_for_element("#embed-plot svg[role=img]", timeout=10)
    assert dash_duo.driver.execute_script("return document.scripts.length") == 0
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


NO_JS_PAGES = [
    "/embed/trend?area=E23000036",
    "/embed/funding?area=E23000036",
    "/embed/reach?area=E23000036",
    "/embed/compare?measure=knife_offences",
]
# Each text of the server's drawing: its rendered font size in CSS px (the
# drawing is scaled to its box), less the watermark.
TEXT_SIZES = """
var svg = Array.prototype.filter.call(
  document.querySelectorAll('#embed-plot .embed__drawing'),
  function (d) { return getComputedStyle(d).display !== 'none'; }
)[0].querySelector('svg[role=img]');
var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
return Array.prototype.filter.call(svg.querySelectorAll('text'), function (t) {
  return !t.closest('[data-note="illustrative-watermark"]');
}).map(function (t) {
  // its own size or its group's, in the drawing's units
  return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale];
});
"""


def test_every_embed_reads_with_javascript_off(dash_duo, public_app):
    """With JavaScript disabled, each of the four embeds shows the server's chart
    (the SVG for the screen's width, shown, with role="img" and the page's
    heading as its <title>), its table alternative opens (a native <details>), no
    error text, no sideways scroll, and axe-core finds no WCAG 2.2 A/AA
    violation in that page; on a 390 x 844 phone no word of the chart renders
    under 11 px (it was 5.5 px: a 640-unit drawing shrunk into a 366 px box).
    Scripts are off through DevTools (Emulation.setScriptExecutionDisabled)
    while the page loads, and on again for axe alone. Screenshots:
    /tmp/embed-nojs-<chart>-390.png."""
    base = start(dash_duo, public_app)
    driver = dash_duo.driver

    def scripts(off: bool) -> None:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": off})

    try:
        for width in (390, 1366):
            driver.set_window_size(width, 844)
            for path in NO_JS_PAGES:
                where = f"{path} at {width}px"
                scripts(True)
                driver.get(base + path)
                kind = "phone" if width < 760 else "wide"
                svg = driver.find_element(
                    "css selector", f"#embed-plot .embed__drawing--{kind} > svg"
                )
                assert svg.is_displayed(), where
                heading = driver.find_element("css selector", "h1").text
                title = svg.find_element("css selector", "title")
                assert title.get_attribute("textContent") == heading, where
                box = svg.rect
                assert box["width"] > 0 and box["height"] > 100, where
                assert box["x"] + box["width"] <= width, where
                body = driver.find_element("css selector", "body").text
                for error in ("unavailable", "There is no", "Traceback", "Error"):
                    assert error not in body, (where, error)
                if width == 390:
                    name = path.split("?")[0].rsplit("/", 1)[1]
                    driver.save_screenshot(f"/tmp/embed-nojs-{name}-{width}.png")
                driver.find_element(
                    "css selector", "#embed-table-details summary"
                ).click()
                rows = driver.find_elements("css selector", "#embed-table tbody tr")
                assert rows and rows[0].is_displayed(), where
                scroll, client = driver.execute_script(
                    "return [document.documentElement.scrollWidth,"
                    " document.documentElement.clientWidth]"
                )
                assert scroll <= client, (where, scroll, client)
                if width == 390:
                    small = [
                        (text, size)
                        for text, size in driver.execute_script(TEXT_SIZES)
                        if size < 11
                    ]
                    assert not small, (where, small[:5])
                scripts(False)  # axe runs in the page: the page as it loaded
                assert axe_violations(dash_duo) == [], where
    finally:
        scripts(False)
    assert dash_duo.get_logs() == []
