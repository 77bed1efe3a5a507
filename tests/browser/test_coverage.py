"""/coverage in a real browser: an admin reads each measure's coverage, opens a
year-by-year table from the keyboard, and axe-core finds nothing."""

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import axe_violations, open_page, sign_in, start

pytestmark = pytest.mark.browser


def test_coverage_page_reads_and_passes_axe(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/coverage")
    dash_duo.wait_for_contains_text("#coverage-content", "Force areas:", timeout=30)
    summary = dash_duo.find_element("#coverage-content details summary")
    summary.send_keys(Keys.ENTER)
    dash_duo.wait_for_element("#coverage-table-0 tbody tr")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
