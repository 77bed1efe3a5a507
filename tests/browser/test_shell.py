"""The shell in a real browser: signing in shows the navigation built from the page
registry, the "data as at" line and the signed-in role; signing out ends access."""

import pytest

from tests.browser.conftest import axe_violations, sign_in, start

pytestmark = pytest.mark.browser


def test_sign_in_shows_shell_and_sign_out_ends_access(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    dash_duo.wait_for_element("#main-content h1")
    nav = dash_duo.find_element("nav[aria-label=Main]").text
    assert "Overview" in nav
    assert "Board Member" in dash_duo.find_element(".sign-in-state").text
    assert dash_duo.find_element(".data-as-at").text.startswith("Data as at ")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []

    dash_duo.find_element(".sign-in-state button[type=submit]").click()
    dash_duo.wait_for_element("#username")
    dash_duo.driver.get(base + "/")
    dash_duo.wait_for_element("#username")
    assert "/signin" in dash_duo.driver.current_url


def test_wrong_password_shows_a_message_not_the_app(dash_duo, browser_app):
    app, _ = browser_app
    base = start(dash_duo, app)
    dash_duo.driver.get(base + "/signin")
    dash_duo.wait_for_element("#username").send_keys("board")
    dash_duo.find_element("#password").send_keys("not-the-password")
    dash_duo.find_element("button[type=submit]").click()
    message = dash_duo.wait_for_element("#signin-error")
    assert "not right" in message.text
    assert axe_violations(dash_duo) == []
