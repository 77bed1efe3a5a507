"""The commentary journey in a browser, by keyboard: an analyst writes commentary
(hostile markup in it), an admin who did not write it signs it off, and the board
member sees it, signed off and as plain text, beside the measure on the overview;
axe finds no WCAG 2.2 A/AA violation on any of the pages."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from data_access import db, users
from tests.browser.conftest import axe_violations, open_page, sign_in, start

AVON = "E23000036"
PAGE = f"/commentary?area={AVON}&measure=knife_offences&quarter=2025-04"
TEXT = 'Fell again. <script>window.pwned=1</script> <a href="javascript:1">x</a>'


@pytest.fixture
def own_store(browser_app, tmp_path, monkeypatch, loaded_sqlite_store):
    """A private copy of the loaded store: this test writes to it."""
    db.reset_engine()
    path = loaded_sqlite_store.split("///", 1)[1]
    copy = tmp_path / "board.sqlite3"
    shutil.copy(path, copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    return browser_app


def _as(dash_duo, base, username, password, path):
    dash_duo.driver.delete_all_cookies()
    sign_in(dash_duo, base, username, password)
    open_page(dash_duo, base, path)


def _press(dash_duo, selector: str) -> None:
    """Focus a button and press Enter (keyboard, not the mouse)."""
    button = dash_duo.wait_for_element(selector)
    dash_duo.driver.execute_script("arguments[0].focus();", button)
    button.send_keys(Keys.ENTER)


def test_write_sign_off_and_see_it_on_the_overview(dash_duo, own_store):
    app, passwords = own_store
    _, analyst_password = users.create_user(
        username="journey-analyst", role="analyst", role_title="Journey Analyst"
    )
    base = start(dash_duo, app)

    _as(dash_duo, base, "journey-analyst", analyst_password, PAGE)
    dash_duo.wait_for_text_to_equal(
        "#commentary-current .alert",
        "No commentary for this measure and quarter yet.",
    )
    box = dash_duo.wait_for_element("#commentary-text")
    box.send_keys(TEXT)
    _press(dash_duo, "#commentary-save")
    dash_duo.wait_for_contains_text("#commentary-message", "Saved as version 1")
    dash_duo.wait_for_contains_text("#commentary-current", "Draft, not yet signed off")
    assert dash_duo.find_element("#commentary-sign-off").get_attribute("hidden")
    assert axe_violations(dash_duo) == []

    _as(dash_duo, base, "admin", passwords["admin"], PAGE)
    dash_duo.wait_for_contains_text("#commentary-current", "Draft, not yet signed off")
    _press(dash_duo, "#commentary-sign-off")
    dash_duo.wait_for_contains_text("#commentary-message", "Signed off.")
    dash_duo.wait_for_contains_text("#commentary-current", "signed off by VRU Director")
    assert axe_violations(dash_duo) == []

    _as(dash_duo, base, "board", passwords["board"], f"/?area={AVON}")
    note = dash_duo.wait_for_element(".overview-measures .commentary-note")
    dash_duo.wait_for_contains_text(".overview-measures .commentary-note", "Fell again")
    assert "Signed off" in note.text
    # The markup is shown as the text it is: nothing ran, no link was made.
    assert TEXT in note.text
    assert dash_duo.driver.execute_script("return window.pwned") is None
    assert not note.find_elements(By.CSS_SELECTOR, "script, a[href^='javascript']")
    dash_duo.wait_for_element(".since-last-board")
    assert axe_violations(dash_duo) == []
