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

    # On a phone the links keep to one line that scrolls sideways (they wrapped
    # to six lines), and the last one comes into view when it takes the focus.
    driver = dash_duo.driver
    size = driver.get_window_size()
    driver.set_window_size(390, 900)
    try:
        nav = dash_duo.find_element(".nav-list")
        links = nav.find_elements("css selector", "a")
        assert len({round(link.location["y"]) for link in links}) == 1
        assert driver.execute_script(
            "return arguments[0].scrollWidth > arguments[0].clientWidth", nav
        )
        links[-1].send_keys("")  # focus it, as Tab would
        seen = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return r.left >= 0 && r.right <= window.innerWidth;",
            links[-1],
        )
        assert seen
        assert axe_violations(dash_duo) == []
    finally:
        driver.set_window_size(size["width"], size["height"])

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
