"""/measures in a browser: every definition, accessible."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, open_page, sign_in, start


def test_measures_page_is_accessible(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/measures")
    dash_duo.wait_for_element("#measure-knife_offences", timeout=20)
    assert "Byar's method" in dash_duo.find_element("#measures-content").text
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
