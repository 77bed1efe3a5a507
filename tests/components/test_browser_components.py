"""The React side of components.chart in headless Chromium: StaticTable draws the
accessible table markup (and its links navigate without a reload), DeferredGraph
draws its chart with the plotly.js *basic* bundle; and the app's chart pages load
only that bundle and stay under the first-load byte budget."""

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
    _patient_waits,
    axe_violations,
    browser_app,
    open_page,
    sign_in,
    start,
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


def test_static_table_markup_links_and_deferred_graph(dash_duo):
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

    # The chart draws, inside a box that held its height, with the basic bundle.
    dash_duo.wait_for_element("#t-chart-graph .main-svg", timeout=30)
    box = driver.execute_script(
        "return document.getElementById('t-chart-graph').parentElement.style.minHeight"
    )
    assert box == "450px"  # plotly.js's default height: the figure sets none
    plotly = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('plotly'))"
    )
    assert len(plotly) == 1 and BASIC_BUNDLE in plotly[0], plotly
    assert driver.execute_script("return typeof window.Plotly.newPlot") == "function"

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


def _settled(driver, graphs: int, limit: float = 60.0) -> None:
    """Wait until the page shows `graphs` drawn charts and no callback is pending."""
    script = (
        "return [document.querySelectorAll('.js-plotly-plot').length,"
        " document.querySelector('[data-dash-is-loading=\"true\"]') === null]"
    )
    started = time.time()
    while time.time() - started < limit:
        drawn, idle = driver.execute_script(script)
        if drawn >= graphs and idle:
            return
        time.sleep(0.25)
    raise AssertionError(f"fewer than {graphs} charts drawn in {limit} s")


def test_chart_pages_load_only_the_basic_bundle_within_budget(dash_duo, browser_app):  # noqa: F811
    """Issue 7, target 3: a first (cold cache) load of an app page transfers at
    most 1.5 MB; plotly.js comes as the basic bundle, never the full one."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    driver = dash_duo.driver
    for path, graphs in (
        ("/violence?measure=knife_offences&area=K04000001", 2),
        ("/compare?measure=knife_offences&period=2018-04", 4),
    ):
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        open_page(dash_duo, base, path)
        _settled(driver, graphs)
        names, transferred = driver.execute_script(
            "const entries = performance.getEntriesByType('navigation')"
            ".concat(performance.getEntriesByType('resource'));"
            "return [entries.map(e => e.name),"
            " entries.reduce((sum, e) => sum + e.transferSize, 0)];"
        )
        plotly = [n for n in names if "plotly" in n]
        assert len(plotly) == 1 and BASIC_BUNDLE in plotly[0], (path, plotly)
        assert not [n for n in names if FULL_BUNDLE in n]
        assert 300 * 1024 < transferred <= 1.5 * 1024 * 1024, (path, transferred)
    assert dash_duo.get_logs() == []
