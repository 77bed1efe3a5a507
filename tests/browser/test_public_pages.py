"""Public pages in a real browser: sign-in and the accessibility statement load
without console errors or axe-core WCAG 2.2 A/AA violations."""

import pytest

from tests.browser.conftest import axe_violations, open_page, start

pytestmark = pytest.mark.browser


@pytest.fixture
def app_over_empty_store(loaded_sqlite_store):
    from app import app

    return app


def test_sign_in_page_is_accessible(dash_duo, app_over_empty_store):
    base = start(dash_duo, app_over_empty_store)
    dash_duo.driver.get(base + "/signin")
    dash_duo.wait_for_element("#username")
    assert axe_violations(dash_duo) == []
    html = dash_duo.driver.find_element("css selector", "html")
    assert html.get_attribute("lang") == "en"
    assert dash_duo.get_logs() == []


def test_accessibility_statement_is_public_and_accessible(
    dash_duo, app_over_empty_store
):
    base = start(dash_duo, app_over_empty_store)
    open_page(dash_duo, base, "/accessibility")
    dash_duo.wait_for_text_to_equal("h1", "Accessibility statement")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_protected_page_redirects_to_sign_in(dash_duo, app_over_empty_store):
    base = start(dash_duo, app_over_empty_store)
    dash_duo.driver.get(base + "/violence?area=E23000036")
    dash_duo.wait_for_element("#username")
    assert "/signin?next=" in dash_duo.driver.current_url
