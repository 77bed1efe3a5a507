"""/violence in a real browser: drill down E&W -> force area -> local authority by
clicking, breadcrumbs and back, change measure, CSV against the store, invalid
query message."""

import time
from urllib.parse import unquote

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)

from data_access.outcomes import area_trends
from data_access.scope import SYSTEM
from tests.browser.conftest import axe_violations, open_page, sign_in, start


def _settle(dash_duo, quiet=2.0, limit=60.0):
    """Wait until no callback has been pending for `quiet` seconds: the area
    picker's options arrive after the first render and may fire the content
    callback once more."""
    script = "return document.querySelector('[data-dash-is-loading=\"true\"]')"
    started = last_busy = time.time()
    while time.time() - started < limit:
        if dash_duo.driver.execute_script(script) is not None:
            last_busy = time.time()
        elif time.time() - last_busy >= quiet:
            return
        time.sleep(0.2)


def _click(dash_duo, selector):
    """Click a link, retrying while a late callback re-renders the content."""
    _settle(dash_duo)
    for attempt in range(5):
        try:
            link = dash_duo.wait_for_element(selector, timeout=30)
            # a JavaScript click: the loading overlay may cover the link for a
            # moment, and the link's own handler is what is being tested
            dash_duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
                link,
            )
            return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            if attempt == 4:
                raise
            time.sleep(1)


def test_violence_drill_down_back_and_csv(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/violence?measure=knife_offences&area=K04000001")
    dash_duo.wait_for_element("#violence-drill-table", timeout=30)
    assert axe_violations(dash_duo) == []

    _click(dash_duo, 'a.drill-link[href*="area=E23000036"]')
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Avon and Somerset", timeout=30
    )
    assert "area=E23000036" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text("#violence-drill-table", "Bristol")
    _click(dash_duo, 'a.drill-link[href*="area=E06000023"]')
    dash_duo.wait_for_contains_text("#violence-trend-title", "Bristol", timeout=30)
    crumbs = dash_duo.find_element("#violence-breadcrumbs").text
    assert "England and Wales" in crumbs and "Avon and Somerset" in crumbs

    dash_duo.driver.back()
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Avon and Somerset", timeout=30
    )
    _click(dash_duo, '#violence-breadcrumbs a[href*="area=K04000001"]')
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "England and Wales", timeout=30
    )

    open_page(
        dash_duo, base, "/violence?measure=knife_offences&area=E23000036&view=year"
    )
    dash_duo.wait_for_element("#violence-trend-csv", timeout=30)
    href = dash_duo.find_element("#violence-trend-csv").get_attribute("href")
    csv = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    expected = area_trends.trend_with_benchmark(
        scope=SYSTEM,
        measure_code="knife_offences",
        area_code="E23000036",
        length="year",
    )
    lines = csv.strip().split("\r\n")
    assert len(lines) == len(expected) + 1
    for row in expected[expected["role"] == "area"].itertuples():
        assert f"{row.period},Avon and Somerset,{int(row.value)}," in csv
    assert dash_duo.get_logs() == []


def test_violence_measure_change_and_invalid_query(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/violence?area=E23000036&from=2019-13&age=old")
    dash_duo.wait_for_contains_text("#violence-content", "from: '2019-13'", timeout=30)
    assert "age: 'old'" in dash_duo.find_element("#violence-query-errors").text
    open_page(dash_duo, base, "/violence?area=E23000036&view=year")
    dash_duo.wait_for_element("#violence-trend-title", timeout=30)
    dash_duo.select_dcc_dropdown(
        "#violence-measure", "Hospital admissions for assault by a sharp object"
    )
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Hospital admissions", timeout=30
    )
    assert "measure=hospital_admissions_knife" in dash_duo.driver.current_url
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
