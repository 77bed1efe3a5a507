"""/measures in a browser: every definition, accessible."""

from __future__ import annotations

from tests.browser.conftest import (
    axe_violations,
    markup_app,
    open_page,
    sign_in,
    start,
)


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


def test_static_definitions_are_the_markup_dash_drew(dash_duo, browser_app):
    """The definitions, as drawn by StaticHtml, are byte for byte the markup of
    the same dash.html tree drawn by Dash (every public and workstream measure of
    the shipped data, the index, one measure's view with its dcc.Link)."""
    from data_access.measures import measures_for
    from data_access.scope import SYSTEM
    from pages import measures

    table = measures_for(SYSTEM)
    public = table[table["is_public"].astype(bool)]
    private = table[~table["is_public"].astype(bool)]
    trees = {
        "public": lambda: measures._definitions(public),
        "private": lambda: measures._definitions(private),
        "one": lambda: measures._one_definition(private.iloc[0]),
    }
    dash_duo.start_server(markup_app(trees), start_timeout=60)
    dash_duo.wait_for_element("#one-as-static h2")
    for name in trees:
        as_dash, as_static = dash_duo.driver.execute_script(
            "return [document.getElementById(arguments[0] + '-as-dash').innerHTML,"
            " document.getElementById(arguments[0] + '-as-static').innerHTML]",
            name,
        )
        assert as_static == as_dash, name
        assert "<dl" in as_static
    assert dash_duo.get_logs() == []


def test_back_to_all_definitions_without_a_reload(dash_duo, browser_app):
    """One measure's "All measure definitions" link (a dcc.Link drawn by
    StaticHtml) opens every definition without reloading the page, by keyboard."""
    from selenium.webdriver.common.keys import Keys

    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/measures?measure=homicide_knife")
    dash_duo.wait_for_element("#measure-homicide_knife")
    dash_duo.driver.execute_script("window.notReloaded = true;")
    link = dash_duo.find_element("#measures-content p a")
    assert link.text == "All measure definitions"
    link.send_keys(Keys.ENTER)
    dash_duo.wait_for_element("#measure-knife_offences")
    assert dash_duo.driver.current_url == base + "/measures"
    assert dash_duo.driver.execute_script("return window.notReloaded") is True
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
