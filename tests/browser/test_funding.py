"""/funding in a real browser: loads accessibly without console errors, drills
from England and Wales to a force area to an intervention through its links, the
year filter writes the URL, and the CSV download matches the store."""

from __future__ import annotations

import csv
import io
import time
from urllib.parse import unquote

import pytest

from tests.browser.conftest import (
    axe_violations,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)

pytestmark = pytest.mark.browser


def _wait(predicate, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def _options_text(dash_duo, selector="#funding-year") -> str:
    """A dropdown's option labels (opening and closing it)."""
    dash_duo.find_element(selector).click()
    try:
        return dash_duo.find_element(".dash-dropdown-options").text
    finally:
        dash_duo.find_element("h1").click()


def test_funding_page_loads_accessibly(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/funding?area=E23000014&year=2019")
    dash_duo.wait_for_contains_text(
        "#funding-by-funder-title", "£4.03m in 2019/20 from 3 funders"
    )
    wait_for_svg_chart(dash_duo, "funding-quarters")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_drill_from_england_and_wales_to_an_intervention(dash_duo, browser_app):
    """England and Wales -> Hampshire (a link in the drill table) -> one of its
    interventions (the filter); each level writes the URL and the breadcrumbs."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/funding?year=2019")
    dash_duo.wait_for_element("#funding-force-links")
    link = dash_duo.find_element("#funding-force-links a[href*='E23000030']")
    # The table is below the fold; the click is the user's, delivered by script.
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link
    )
    dash_duo.wait_for_element("#funding-intervention-allocations")
    _wait(lambda: "area=E23000030" in dash_duo.driver.current_url)
    name = dash_duo.find_element("#funding-intervention-allocations tbody th a").text
    _wait(lambda: name in _options_text(dash_duo, "#funding-intervention"))
    dash_duo.select_dcc_dropdown("#funding-intervention", value=f"{name} (secondary)")
    dash_duo.wait_for_contains_text("#funding-intervention-quarters-title", name)
    _wait(lambda: "intervention=" in dash_duo.driver.current_url)
    crumbs = dash_duo.find_element(".funding-breadcrumbs").text
    assert "England and Wales" in crumbs and "Hampshire" in crumbs and name in crumbs
    assert dash_duo.get_logs() == []


def test_year_filter_updates_the_url(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/funding?area=E23000036&year=2023")
    dash_duo.wait_for_contains_text("#funding-quarters-title", "2023/24")
    # Wait for the store's years to replace the URL's one before choosing.
    _wait(lambda: "2022/23" in _options_text(dash_duo))
    dash_duo.select_dcc_dropdown("#funding-year", value="2022/23")
    dash_duo.wait_for_contains_text("#funding-quarters-title", "2022/23")
    _wait(lambda: "year=2022" in dash_duo.driver.current_url)
    assert dash_duo.get_logs() == []


def test_csv_download_matches_the_store(dash_duo, browser_app):
    from data_access.money import spending
    from data_access.scope import SYSTEM

    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/funding?area=E23000036&year=2023")
    dash_duo.wait_for_element("#funding-quarters-csv")
    href = dash_duo.find_element("#funding-quarters-csv").get_attribute("href")
    prefix = "data:text/csv;charset=utf-8,"
    assert href.startswith(prefix)
    rows = list(
        csv.DictReader(io.StringIO(unquote(href[len(prefix) :]).lstrip("\ufeff")))
    )
    expected = spending.spend_by_quarter(
        scope=SYSTEM, area_code="E23000036", financial_year=2023
    )
    assert [r["Quarter"] for r in rows] == expected["period_label"].tolist()
    assert [float(r["Spend in quarter (£)"]) for r in rows] == pytest.approx(
        expected["spend"].tolist()
    )
    assert [float(r["Cumulative spend (£)"]) for r in rows] == pytest.approx(
        expected["cumulative_spend"].tolist()
    )
    assert {r["Data status"] for r in rows} == {"Illustrative data"}
    assert dash_duo.get_logs() == []
