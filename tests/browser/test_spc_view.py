"""The SPC chart view on /violence in a real browser: the Chart control switches
to it, the URL says so (a bookmark opens it), Back returns to the confidence
interval view in one press, and the page passes axe (as does /annotations)."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import (
    axe_violations,
    open_interactive,
    open_page,
    sign_in,
    start,
)

pytestmark = pytest.mark.browser


def _chart_param(dash_duo):
    return parse_qs(urlparse(dash_duo.driver.current_url).query).get("chart")


def test_spc_toggle_bookmark_and_back(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(
        dash_duo, base, "/violence?measure=knife_offences&area=E23000036&view=quarter"
    )
    dash_duo.wait_for_element("#violence-trend-title", timeout=30)
    dash_duo._wd_wait.until(lambda driver: "chart=ci" in driver.current_url)

    dash_duo.select_dcc_dropdown("#violence-chart", "SPC: signal or noise")
    dash_duo.wait_for_element("#violence-spc-title", timeout=30)
    dash_duo._wd_wait.until(lambda _: _chart_param(dash_duo) == ["spc"])
    text = dash_duo.find_element("#violence-content").text
    assert "Limits are recalculated at 2019/20 Q1 (VRU funding began" in text
    assert (
        "No signal is given from fewer than 12 points" in text
        or "special-cause" in text
    )
    # the SPC figure marks signals and the step change
    open_interactive(dash_duo, "violence-spc")
    names = dash_duo.driver.execute_script(
        "const g = document.querySelector('#violence-spc-graph .js-plotly-plot');"
        "return g ? g.data.map(t => t.name) : [];"
    )
    assert "Mean" in names and "Upper process limit" in names
    assert axe_violations(dash_duo) == []

    dash_duo.driver.back()
    dash_duo.wait_for_element("#violence-trend-title", timeout=30)
    assert _chart_param(dash_duo) != ["spc"]

    # a bookmark opens the SPC view directly
    open_page(
        dash_duo,
        base,
        "/violence?measure=knife_offences&area=E23000036&view=quarter&chart=spc",
    )
    dash_duo.wait_for_element("#violence-spc-title", timeout=30)

    # the annotations page (a board member reads; the server refuses their add)
    open_page(dash_duo, base, "/annotations?area=E23000036")
    dash_duo.wait_for_element("#annotations-list .alert, #annotations-table")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
