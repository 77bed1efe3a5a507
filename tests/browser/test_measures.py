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


def test_an_admin_opens_a_workstream_measure_from_the_table(dash_duo, browser_app):
    """The workstream measures (not public) are one table: it draws at once (written
    out in full they kept the browser busy for minutes) and each name opens that
    measure's definition without a page reload."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/measures")
    dash_duo.wait_for_element("#measures-workstream-table tbody tr", timeout=20)
    assert axe_violations(dash_duo) == []
    link = dash_duo.find_element("#measures-workstream-table tbody th a")
    name = link.text
    dash_duo.driver.execute_script("window.notReloaded = true;")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link
    )
    dash_duo.wait_for_text_to_equal("#measures-content h2", name)
    assert "measure=" in dash_duo.driver.current_url
    assert dash_duo.driver.execute_script("return window.notReloaded") is True
    assert "Definition" in dash_duo.find_element("#measures-content").text
    assert dash_duo.get_logs() == []
