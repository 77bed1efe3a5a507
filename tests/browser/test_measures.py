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


# What can change a definition's markup: which of these a measure has, and its
# kinds (unit, polarity, ...). Every combination the shipped data holds is drawn.
_KINDS = ("unit", "polarity", "category", "tier", "ci_method", "disclosure_rule")
_KINDS += ("period_type", "coverage")
_PRESENT = ("definition", "caveats", "short_name", "source_url", "source_title")
_PRESENT += ("success_measure_rank", "rate_multiplier", "last_updated")


def _every_kind_of_definition(table):
    """Measures that between them show every kind and every present-or-missing
    field of `table` (greedy cover, in table order). Drawing all 215 workstream
    definitions as Dash components took the browser over two minutes (seven
    under load); their markup varies only by these."""
    import pandas as pd

    def features(row):
        kinds = {(c, str(row[c])) for c in _KINDS}
        return kinds | {(c, bool(pd.notna(row[c]) and row[c] != "")) for c in _PRESENT}

    wanted = set().union(*(features(row) for _, row in table.iterrows()))
    chosen = []
    for index, row in table.iterrows():
        if features(row) - wanted == features(row):
            continue  # adds nothing not already covered
        chosen.append(index)
        wanted -= features(row)
        if not wanted:
            break
    return table.loc[chosen]


def test_static_definitions_are_the_markup_dash_drew(dash_duo, browser_app):
    """The definitions, as drawn by StaticHtml, are byte for byte the markup of
    the same dash.html tree drawn by Dash (every public measure of the shipped
    data, workstream measures showing every kind of definition, the index, one
    measure's view with its dcc.Link)."""
    from data_access.measures import measures_for
    from data_access.scope import SYSTEM
    from pages import measures

    table = measures_for(SYSTEM)
    public = table[table["is_public"].astype(bool)]
    private = _every_kind_of_definition(table[~table["is_public"].astype(bool)])
    assert 0 < len(private) < 60
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
