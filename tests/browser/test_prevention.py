"""/prevention in a real browser: loads without console errors or axe-core
violations, drills tier -> intervention through the links (each level a URL),
writes a filter change to the URL, its CSV holds the store's figures, and a tier
of more than a page pages through from the keyboard, focus moving to the new rows
and a status message saying which; a filter change goes back to the first page
(back and forward still work), and the whole tier downloads as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import unquote

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import (
    axe_violations,
    open_interactive,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)

pytestmark = pytest.mark.browser


def _click(dash_duo, element) -> None:
    """Scroll the element to the middle of the window, then click it (from
    script: a sticky or overlapping element must not swallow the click)."""
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
        element,
    )


def _csv_rows(dash_duo, link_id: str) -> list[dict]:
    href = dash_duo.find_element(f"#{link_id}").get_attribute("href")
    text = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_prevention_loads_and_drills_from_tier_to_intervention(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/prevention?area=E23000036")
    dash_duo.wait_for_element(".prevention-tier--secondary .prevention-drill-link")
    wait_for_svg_chart(dash_duo, "prevention-reach")
    assert axe_violations(dash_duo) == []

    _click(
        dash_duo,
        dash_duo.find_element(".prevention-tier--secondary .prevention-drill-link"),
    )
    dash_duo.wait_for_element("#prevention-interventions-list")
    assert "tier=secondary" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal(".breadcrumb-item.active", "Secondary prevention")

    link = dash_duo.find_element("#prevention-interventions-list tbody a")
    name = link.text
    _click(dash_duo, link)
    dash_duo.wait_for_text_to_equal("#prevention-intervention-name", name)
    assert "intervention=" in dash_duo.driver.current_url
    wait_for_svg_chart(dash_duo, "prevention-intervention-spend")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_area_change_updates_the_url_and_the_csv_matches_the_store(
    dash_duo, browser_app
):
    from data_access.activity import tier_activity
    from data_access.scope import SYSTEM

    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/prevention?area=E23000036")
    dash_duo.wait_for_element("#prevention-spend-csv")
    dash_duo.select_dcc_dropdown("#prevention-area", "Hampshire (VRU)")
    dash_duo.wait_for_contains_text("#prevention-plan-note", "Plan recorded")
    assert "area=E23000030" in dash_duo.driver.current_url

    rows = _csv_rows(dash_duo, "prevention-spend-csv")
    summary = tier_activity.tier_summary(scope=SYSTEM, area_code="E23000030")
    assert [r["Tier"] for r in rows] == ["Primary", "Secondary", "Tertiary"]
    for row, expected in zip(rows, summary.itertuples(), strict=True):
        assert float(row["Spend"]) == pytest.approx(expected.spend, abs=0.005)
        assert float(row["Planned"]) == pytest.approx(expected.planned)
        assert row["Data status"] == "Illustrative data"
    assert dash_duo.get_logs() == []


@pytest.fixture
def big_tiers_app(tmp_path, monkeypatch):
    """The app over a SQLite store whose tiers hold more than a page of
    interventions (tests/pages/test_prevention.py builds it), with an admin."""
    from data_access import db, migrate, users
    from tests.pages.test_prevention import build_store_with_big_tiers

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'big.sqlite3'}")
    db.reset_engine()
    migrate.upgrade()
    area = build_store_with_big_tiers(monkeypatch)
    from app import app  # after the store: importing it draws the shell from it

    _, password = users.create_user(
        username="admin", role="admin", role_title="VRU Director"
    )
    yield app, password, area
    db.reset_engine()


def _keyboard(dash_duo, *keys) -> None:
    ActionChains(dash_duo.driver).send_keys(*keys).perform()


def _focused_text(dash_duo) -> str:
    return dash_duo.driver.execute_script("return document.activeElement.textContent;")


def _focused_id(dash_duo) -> str:
    return dash_duo.driver.execute_script("return document.activeElement.id;")


def _status(dash_duo) -> str:
    """The polite status message (visually hidden, so textContent)."""
    return dash_duo.driver.execute_script(
        "var s = document.getElementById('prevention-list-status');"
        "return s ? s.textContent : null;"
    )


def _wait_until(dash_duo, check, message: str) -> None:
    dash_duo._wd_wait.until(lambda _driver: check(), message=message)


CAPTION = "prevention-interventions-caption"


def test_a_big_tier_pages_through_from_the_keyboard(dash_duo, big_tiers_app):
    from tests.pages.test_prevention import PER_TIER

    app, password, area = big_tiers_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", password)
    open_page(dash_duo, base, f"/prevention?area={area}&tier=secondary")
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 1–25 of {PER_TIER}"
    )
    wait_for_svg_chart(dash_duo, "prevention-interventions")
    assert len(dash_duo.find_elements("#prevention-interventions-list tbody tr")) == 25
    open_interactive(dash_duo, "prevention-interventions")
    # 15 bars, not one per intervention.
    assert (
        len(dash_duo.find_elements("#prevention-interventions-graph .bars path")) == 15
    )
    assert axe_violations(dash_duo) == []

    # From the current page's link, Tab reaches "Page 2"; Enter follows it.
    current = dash_duo.find_element(
        "#prevention-interventions-pages [aria-current=page] a"
    )
    dash_duo.driver.execute_script("arguments[0].focus();", current)
    assert _focused_text(dash_duo) == "Page 1"
    _keyboard(dash_duo, Keys.TAB)
    assert _focused_text(dash_duo) == "Page 2"
    # A first visit neither moves focus nor announces anything.
    assert _status(dash_duo) == ""
    _keyboard(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 26–{PER_TIER} of {PER_TIER}"
    )
    assert "page=2" in dash_duo.driver.current_url
    # Focus is at the start of the new rows, not lost with the link that was
    # chosen, and the new range is announced.
    _wait_until(
        dash_duo,
        lambda: _focused_id(dash_duo) == CAPTION,
        "focus did not move to the list's caption",
    )
    assert "(page 2 of 2)" in _focused_text(dash_duo)
    _wait_until(
        dash_duo,
        lambda: (
            _status(dash_duo) == f"Showing interventions 26 to {PER_TIER} of {PER_TIER}"
        ),
        "the new range was not announced",
    )
    first_row = dash_duo.find_element("#prevention-interventions-list tbody a").text
    _keyboard(dash_duo, Keys.TAB)  # Tab goes on from the first new row
    assert _focused_text(dash_duo) == first_row
    current = "#prevention-interventions-pages [aria-current=page]"
    dash_duo._wd_wait.until(  # textContent: "Page " is visually hidden
        lambda driver: (
            driver.find_element(By.CSS_SELECTOR, current).get_attribute("textContent")
            == "Page 2"
        ),
        message="page 2 is not marked as the current page",
    )
    rows = dash_duo.find_elements("#prevention-interventions-list tbody tr")
    assert len(rows) == PER_TIER - 25
    assert axe_violations(dash_duo) == []

    # "Previous page" leads back to the first page, and the URL drops the page.
    previous = dash_duo.find_element("#prevention-interventions-pages li:first-child a")
    dash_duo.driver.execute_script("arguments[0].focus();", previous)
    assert _focused_text(dash_duo) == "Previous page"
    _keyboard(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text("#prevention-interventions-range", "Showing 1–25")
    assert "page=" not in dash_duo.driver.current_url
    _wait_until(
        dash_duo,
        lambda: (
            _focused_id(dash_duo) == CAPTION
            and _status(dash_duo) == f"Showing interventions 1 to 25 of {PER_TIER}"
        ),
        "focus and announcement after Previous",
    )

    # Another area goes back to its tiers, and the URL drops the tier and page.
    dash_duo.find_element("#prevention-area").send_keys(Keys.ENTER)
    dash_duo.wait_for_element(".dash-dropdown-search").send_keys("Hampshire")
    _keyboard(dash_duo, Keys.ENTER)
    dash_duo.wait_for_element(".prevention-tier--secondary .prevention-drill-link")
    assert "area=E23000030" in dash_duo.driver.current_url
    assert "tier=" not in dash_duo.driver.current_url
    assert "page=" not in dash_duo.driver.current_url

    # A page past the end is clamped to the last page, not an error.
    open_page(dash_duo, base, f"/prevention?area={area}&tier=secondary&page=99")
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 26–{PER_TIER} of {PER_TIER}"
    )
    assert dash_duo.get_logs() == []


def _type_month(dash_duo, input_id: str, month: str, year: str) -> None:
    """Type a month into the native month control from the keyboard (Tab moves
    from its month to its year); Enter commits it (the control is debounced)."""
    element = dash_duo.find_element(f"#{input_id}")
    dash_duo.driver.execute_script("arguments[0].focus();", element)
    _keyboard(dash_duo, month, Keys.TAB, year, Keys.ENTER)


def test_a_filter_change_goes_back_to_the_first_page_and_history_still_works(
    dash_duo, big_tiers_app, tmp_path
):
    from components.intervention_list import ranked_interventions
    from data_access.activity import intervention_activity
    from data_access.scope import SYSTEM
    from tests.pages.test_prevention import PER_TIER

    app, password, area = big_tiers_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", password)
    open_page(dash_duo, base, f"/prevention?area={area}&tier=secondary&page=2")
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 26–{PER_TIER} of {PER_TIER}"
    )
    entries = dash_duo.driver.execute_script("return window.history.length;")

    # Another period is another list: its first page, not page 2 kept.
    _type_month(dash_duo, "prevention-from", "04", "2019")
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 1–25 of {PER_TIER}"
    )
    _wait_until(
        dash_duo,
        lambda: (
            "from=2019-04" in dash_duo.driver.current_url
            and "page=" not in dash_duo.driver.current_url
        ),
        f"the URL did not drop the page: {dash_duo.driver.current_url}",
    )
    # One history entry for the change (not one for the filter and another for
    # the page), the change announced, and focus left on the control in use.
    assert dash_duo.driver.execute_script("return window.history.length;") == (
        entries + 1
    )
    _wait_until(
        dash_duo,
        lambda: _status(dash_duo) == f"Showing interventions 1 to 25 of {PER_TIER}",
        "the filtered list was not announced",
    )
    assert _focused_id(dash_duo) == "prevention-from"
    assert axe_violations(dash_duo) == []
    # Typing into a month control makes Dash 4.4's dcc.Input log one error per
    # key (it calls setSelectionRange, which month inputs do not support; the
    # value still arrives). That and nothing else; every later step is clean.
    assert all(
        "does not support selection" in entry["message"]
        for entry in dash_duo.get_logs()
    )

    # Paging keeps the filter.
    next_link = dash_duo.find_element("#prevention-interventions-pages li:last-child a")
    _click(dash_duo, next_link)
    _wait_until(
        dash_duo,
        lambda: (
            "page=2" in dash_duo.driver.current_url
            and "from=2019-04" in dash_duo.driver.current_url
        ),
        "the next page lost the filter",
    )
    dash_duo.wait_for_contains_text("#prevention-interventions-range", "Showing 26–")
    assert dash_duo.find_element("#prevention-from").get_attribute("value") == (
        "2019-04"
    )

    # Back and forward walk the URLs: page 1 of the filtered list, then the
    # unfiltered page 2 the visit began with.
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text("#prevention-interventions-range", "Showing 1–25")
    assert "from=2019-04" in dash_duo.driver.current_url
    _wait_until(  # back to another page of the same list: focus on it again
        dash_duo,
        lambda: _focused_id(dash_duo) == CAPTION,
        "focus did not move to the list after Back",
    )
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text("#prevention-interventions-range", "Showing 26–")
    assert "page=2" in dash_duo.driver.current_url
    assert "from=" not in dash_duo.driver.current_url
    assert dash_duo.find_element("#prevention-from").get_attribute("value") == ""
    dash_duo.driver.forward()
    dash_duo.wait_for_contains_text("#prevention-interventions-range", "Showing 1–25")
    assert "from=2019-04" in dash_duo.driver.current_url

    # The whole tier, in the filters, downloads from the server.
    dash_duo.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(tmp_path)},
    )
    button = dash_duo.find_element(".prevention-download-all button")
    assert button.text == f"Download all {PER_TIER} secondary interventions (CSV)"
    _click(dash_duo, button)
    name = f"prevention-{area}-secondary-interventions-2019-04-to-latest.csv"
    _wait_until(
        dash_duo, lambda: (tmp_path / name).exists(), f"{name} was not downloaded"
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / name).read_text("utf-8-sig"))))
    ranked = ranked_interventions(
        intervention_activity.interventions(
            scope=SYSTEM,
            area_code=area,
            tier="secondary",
            start=dt.date(2019, 4, 1),
        )
    )
    assert [r["Intervention"] for r in rows] == list(ranked["name"])
    assert dash_duo.get_logs() == []
