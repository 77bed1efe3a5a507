"""Journeys in a real browser: the main navigation carries the chosen area and
measure from page to page, and Back leaves a page in one press (a page tidying
the URL it was opened at replaces that history entry instead of adding one)."""

from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import open_page, sign_in, start

pytestmark = pytest.mark.browser

AVON = "E23000036"


def _nav(dash_duo, name: str):
    return dash_duo.driver.find_element(
        By.XPATH, f"//nav[@aria-label='Main']//a[normalize-space()='{name}']"
    )


def _wait_path(dash_duo, path: str) -> None:
    dash_duo._wd_wait.until(
        lambda driver: urlparse(driver.current_url).path == path,
        message=f"never reached {path}",
    )
    dash_duo.wait_for_element("#main-content h1")


def _query(dash_duo) -> dict:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def test_nav_carries_the_area_and_back_takes_one_press(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, f"/violence?area={AVON}&measure=knife_offences")
    dash_duo.wait_for_element("#violence-area")
    # The link itself shows where it goes (open in new tab, status bar).
    dash_duo._wd_wait.until(
        lambda _: (
            f"area={AVON}" in _nav(dash_duo, "Funding and spend").get_attribute("href")
        ),
        message="the Funding link does not carry the area",
    )
    _nav(dash_duo, "Funding and spend").click()
    _wait_path(dash_duo, "/funding")
    assert _query(dash_duo)["area"] == [AVON]
    assert _query(dash_duo)["measure"] == ["knife_offences"]

    # One press of Back returns to the trend page as it was.
    dash_duo.driver.back()
    _wait_path(dash_duo, "/violence")
    assert _query(dash_duo)["area"] == [AVON]

    # Forward, one press, to the funding page again.
    dash_duo.driver.forward()
    _wait_path(dash_duo, "/funding")


def test_opening_a_page_adds_one_history_entry(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/funding")
    before = dash_duo.driver.execute_script("return window.history.length")
    _nav(dash_duo, "Compare areas").click()
    _wait_path(dash_duo, "/compare")
    dash_duo.wait_for_element("#compare-measure")
    # Let the page tidy its URL (its controls written to the query) before counting.
    dash_duo._wd_wait.until(lambda driver: "measure=" in driver.current_url)
    after = dash_duo.driver.execute_script("return window.history.length")
    assert after == before + 1
    dash_duo.driver.back()
    _wait_path(dash_duo, "/funding")
