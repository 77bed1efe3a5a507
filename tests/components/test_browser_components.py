"""The React side of components.chart in headless Chromium: StaticTable draws the
accessible table markup (and its links navigate without a reload); SvgFirstGraph
shows the server's SVG with no plotly.js, saves it as a PNG, and draws the
plotly graph (with the plotly.js *basic* bundle) only when asked, from the
keyboard too; the app's chart pages load no plotly.js and stay under the
first-load byte budget."""

from __future__ import annotations

import time
from pathlib import Path

import dash
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import Input, Output, dcc, html

from components.chart import ChartSpec, chart_card
from components.chart_tables import TableBadges, TableLink, accessible_table
from tests.browser.conftest import (  # noqa: F401 - fixtures
    INTERACTIVE_BUTTON,
    _patient_waits,
    axe_violations,
    browser_app,
    downloaded_png,
    open_interactive,
    open_page,
    plotly_loaded,
    sign_in,
    start,
    tab_to,
    wait_for_svg_chart,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FULL_BUNDLE = "package_data/plotly.min.js"
BASIC_BUNDLE = "/embed/static/plotly-basic.min.js?v="


def _component_app() -> dash.Dash:
    from app import app as vru_app
    from web import plotly_bundle
    from web.embed import init_embed

    # A new Dash app's set-up takes every callback registered with dash.callback
    # that no app has claimed yet: let the VRU app claim the pages' callbacks first.
    vru_app.server.test_client().get("/healthz")
    app = dash.Dash(
        __name__,
        assets_folder=str(ROOT / "assets"),
        meta_tags=[plotly_bundle.meta_tag()],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">')
    init_embed(app.server)  # serves the bundle at its versioned URL
    plotly_bundle.init_plotly_bundle(app)
    frame = pd.DataFrame(
        {
            "Area": [
                TableLink("Bristol", "/next?area=E06000023", "drill-link"),
                "Bath",
            ],
            "Count": [1234, "*"],
            "Rate": [12.5, np.nan],
            "Note": ["<b>as text</b>", ""],
        }
    )
    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name="Rate"))
    spec = ChartSpec(
        chart_id="t-chart",
        title="Rates rose",
        caption="Test rates",
        figure=figure,
        table=pd.DataFrame({"Year": [2019, 2020], "Rate": [1.5, 2.5]}),
    )
    app.layout = html.Main(
        [
            dcc.Location(id="url"),
            html.P(id="where"),
            accessible_table(frame, caption="Areas", table_id="t-table"),
            accessible_table(
                pd.DataFrame(
                    {
                        "Source": [
                            TableLink("ONS", "https://www.ons.gov.uk/x", external=True),
                            "Home Office",
                        ],
                        "Measures": [
                            TableBadges(
                                (("3 Green", "rag rag--green", "rag-dot rag-dot--g"),),
                                class_name="rag-counts",
                            ),
                            "",
                        ],
                    }
                ),
                caption="Extras",
                table_id="t-extras",
                row_class_names=["", "other-figure"],
            ),
            chart_card(spec),
        ]
    )

    @app.callback(Output("where", "children"), Input("url", "pathname"))
    def where(pathname):
        return f"at {pathname}"

    return app


def test_static_table_markup_links_and_svg_chart(dash_duo):
    app = _component_app()
    dash_duo.start_server(app, start_timeout=60)  # see tests/browser/conftest.start
    driver = dash_duo.driver
    dash_duo.wait_for_element("#t-table caption")
    table = driver.execute_script(
        """
        const t = document.getElementById('t-table');
        const cell = c => [c.tagName, c.getAttribute('scope'), c.className,
                           c.style.textAlign, c.textContent, c.title || null];
        return {
          caption: [t.caption.id, t.caption.className, t.caption.textContent],
          head: Array.from(t.tHead.rows[0].cells).map(cell),
          body: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(cell)),
          hidden: Array.from(t.querySelectorAll('span[aria-hidden="true"]'))
            .map(s => [s.textContent, s.nextSibling.className,
                       s.nextSibling.textContent]),
          region: t.parentElement.getAttribute('aria-labelledby'),
        };
        """
    )
    assert table["caption"] == ["t-table-caption", "caption-top", "Areas"]
    assert table["region"] == "t-table-caption"
    assert table["head"] == [
        ["TH", "col", "", "", "Area", None],
        ["TH", "col", "text-end", "right", "Count", None],
        ["TH", "col", "text-end", "right", "Rate", None],
        ["TH", "col", "", "", "Note", None],
    ]
    bristol, bath = table["body"]
    assert bristol == [
        ["TH", "row", "", "", "Bristol", None],
        ["TD", None, "text-end", "right", "1,234", None],
        ["TD", None, "text-end", "right", "12.5", None],
        ["TD", None, "", "", "<b>as text</b>", None],  # text, never markup
    ]
    assert not driver.find_elements("css selector", "#t-table b")
    assert bath[0] == ["TH", "row", "", "", "Bath", None]
    assert bath[1] == [
        "TD",
        None,
        "text-end",
        "right",
        "*suppressed",
        "Suppressed under disclosure control",
    ]
    assert bath[2][4] == "–no data"
    assert table["hidden"] == [
        ["*", "visually-hidden", "suppressed"],
        ["–", "visually-hidden", "no data"],
        ["–", "visually-hidden", "no data"],
    ]

    # The chart is the server's SVG, with no plotly.js requested or run.
    wait_for_svg_chart(dash_duo, "t-chart")
    assert plotly_loaded(driver) == {"requests": [], "running": False}
    assert driver.find_elements("css selector", "#t-chart-plot svg[role=img]")
    assert not driver.find_elements("css selector", "#t-chart-graph")
    # An external link is an ordinary link; badges are words after a dot that
    # screen readers skip; rows take their classes.
    extras = driver.execute_script(
        """
        const t = document.getElementById('t-extras');
        const badge = t.querySelector('.rag-counts .rag--green');
        return {
          rows: Array.from(t.tBodies[0].rows).map(r => r.className),
          link: [t.querySelector('a').getAttribute('href'), t.querySelector('a').text],
          badge: [badge.textContent, badge.firstChild.className,
                  badge.firstChild.getAttribute('aria-hidden')],
        };
        """
    )
    assert extras == {
        "rows": ["", "other-figure"],
        "link": ["https://www.ons.gov.uk/x", "ONS"],
        "badge": ["3 Green", "rag-dot rag-dot--g", "true"],
    }

    # A chart card's table (in a closed "View as table") draws its caption and
    # header at once and its rows only when first opened: half a chart page's DOM.
    rows = "return document.querySelectorAll('#t-chart-table tbody tr').length"
    caption = dash_duo.find_element("#t-chart-table caption")
    assert caption.get_attribute("textContent") == "Rates rose"
    assert driver.execute_script(rows) == 0
    summary = dash_duo.find_element(".chart-card__table summary")
    # The user's click, delivered by script: the page scrolls smoothly, so a
    # pointer click can land before the summary is under it.
    click = "arguments[0].click()"
    driver.execute_script(click, summary)
    dash_duo.wait_for_text_to_equal("#t-chart-table tbody tr th", "2019")
    assert driver.execute_script(rows) == 2
    driver.execute_script(click, summary)  # closed again
    assert not driver.execute_script("return arguments[0].parentElement.open", summary)
    assert driver.execute_script(rows) == 2

    # A table link navigates like dcc.Link: the URL changes, the page is not reloaded.
    driver.execute_script("window.notReloaded = true;")
    dash_duo.find_element("#t-table a.drill-link").click()
    dash_duo.wait_for_text_to_equal("#where", "at /next")
    assert driver.current_url.endswith("/next?area=E06000023")
    assert driver.execute_script("return window.notReloaded") is True
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_svg_chart_saves_a_png_and_turns_interactive_from_the_keyboard(dash_duo):
    """The SvgFirstGraph's buttons: "Download PNG" saves the SVG drawn at 3x as
    "<chart id>.png" without plotly.js; "Interactive chart", reached with Tab and
    pressed with Enter, loads the basic bundle, draws the plotly graph with its
    modebar in the SVG's place (no taller than the SVG was) and takes the
    focus to it. axe-clean before and after."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    app = _component_app()
    dash_duo.start_server(app, start_timeout=60)
    driver = dash_duo.driver
    wait_for_svg_chart(dash_duo, "t-chart")
    assert axe_violations(dash_duo) == []

    viewbox = driver.execute_script(
        "return document.querySelector('#t-chart-plot svg')"
        ".getAttribute('viewBox').split(' ').map(Number)"
    )
    png = downloaded_png(dash_duo, "t-chart")
    assert png is not None, "no PNG was offered for download"
    assert png["name"] == "t-chart.png" and png["png"]
    assert (png["width"], png["height"]) == (viewbox[2] * 3, viewbox[3] * 3)
    assert plotly_loaded(driver) == {"requests": [], "running": False}

    svg_height = driver.execute_script(
        "return document.getElementById('t-chart-plot').offsetHeight"
    )
    tab_to(driver, f"#t-chart-plot {INTERACTIVE_BUTTON}")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    dash_duo.wait_for_element("#t-chart-graph .main-svg", timeout=45)
    dash_duo.wait_for_element("#t-chart-graph .modebar")
    loaded = plotly_loaded(driver)
    assert loaded["running"], loaded
    assert len(loaded["requests"]) == 1, loaded
    assert BASIC_BUNDLE in loaded["requests"][0], loaded
    assert not [n for n in loaded["requests"] if FULL_BUNDLE in n]
    # in the SVG's place, the focus on the graph (its modebar the next stop)
    state = driver.execute_script(
        """
        const plot = document.getElementById('t-chart-plot');
        const active = document.activeElement;
        return {
          svgs: plot.querySelectorAll('.chart-card__svg').length,
          buttons: plot.querySelectorAll(arguments[0]).length,
          focus: [active.getAttribute('role'), active.getAttribute('aria-label'),
                  active.contains(document.getElementById('t-chart-graph'))],
          height: plot.offsetHeight,
        };
        """,
        INTERACTIVE_BUTTON,
    )
    assert state["svgs"] == 0 and state["buttons"] == 0, state
    assert state["focus"] == ["group", "Interactive chart: Rates rose", True], state
    assert svg_height > 300 and abs(state["height"] - svg_height) <= 40, (
        svg_height,
        state,
    )
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_on_a_phone_the_chart_is_interactive_without_asking(dash_duo):
    """Below Bootstrap's "md" width the server's drawing (made for a desktop
    card) would shrink until its text is a few pixels high, so SvgFirstGraph
    mounts the plotly graph at once there, laid out at the phone's width, with
    no press and without taking the focus. Catches the phone rule dropped (the
    SVG left at ~4 px text) or applied on a desktop (plotly loaded for every
    visitor: the desktop tests above)."""
    driver = dash_duo.driver
    driver.set_window_size(390, 900)
    try:
        dash_duo.start_server(_component_app(), start_timeout=60)
        dash_duo.wait_for_element("#t-chart-graph .main-svg", timeout=45)
        loaded = plotly_loaded(driver)
        assert loaded["running"] and BASIC_BUNDLE in loaded["requests"][0], loaded
        state = driver.execute_script(
            "const gd = document.querySelector('#t-chart-graph .js-plotly-plot');"
            "return [gd.getBoundingClientRect().width, window.innerWidth,"
            " document.activeElement === document.body];"
        )
        assert state[0] <= state[1], state  # laid out at the phone's width
        assert state[2], state  # the focus stayed where it was
        assert axe_violations(dash_duo) == []
    finally:
        driver.set_window_size(1280, 1000)


def _settled(driver, charts: int, limit: float = 60.0) -> None:
    """Wait until the page shows `charts` server-drawn charts and no callback is
    pending."""
    script = (
        "return [document.querySelectorAll('.chart-card__svg svg').length,"
        " document.querySelector('[data-dash-is-loading=\"true\"]') === null]"
    )
    started = time.time()
    while time.time() - started < limit:
        drawn, idle = driver.execute_script(script)
        if drawn >= charts and idle:
            return
        time.sleep(0.25)
    raise AssertionError(f"fewer than {charts} charts drawn in {limit} s")


def test_chart_pages_load_no_plotly_until_asked_within_budget(dash_duo, browser_app):  # noqa: F811
    """Issue 7, target 3: a first (cold cache) load of an app page transfers at
    most 1.5 MB. Issue 19: its charts are the server's SVG, and plotly.js is
    neither requested nor run (it was ~200 ms of blocking on load) until a
    visitor asks for an interactive chart; then it comes as the basic bundle,
    never the full one. Catches: a graph mounted as the page loads."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    driver = dash_duo.driver
    for path, charts, asked in (
        ("/violence?measure=knife_offences&area=K04000001", 2, "violence-trend"),
        ("/compare?measure=knife_offences&period=2018-04", 4, "compare-ranking"),
    ):
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        open_page(dash_duo, base, path)
        _settled(driver, charts)
        time.sleep(1)  # anything that would start plotly.js late has started
        names, transferred = driver.execute_script(
            "const entries = performance.getEntriesByType('navigation')"
            ".concat(performance.getEntriesByType('resource'));"
            "return [entries.map(e => e.name),"
            " entries.reduce((sum, e) => sum + e.transferSize, 0)];"
        )
        assert plotly_loaded(driver) == {"requests": [], "running": False}, path
        assert 100 * 1024 < transferred <= 1.5 * 1024 * 1024, (path, transferred)

        open_interactive(dash_duo, asked)
        plotly = plotly_loaded(driver)["requests"]
        assert len(plotly) == 1 and BASIC_BUNDLE in plotly[0], (path, plotly)
        assert not [n for n in plotly if FULL_BUNDLE in n]
        # the other charts stay SVG
        assert len(driver.find_elements("css selector", ".js-plotly-plot")) == 1
    assert dash_duo.get_logs() == []
