"""/prevention in a real browser: loads without console errors or axe-core
violations, drills tier -> intervention through the links (each level a URL),
writes a filter change to the URL, its CSV holds the store's figures, and a tier
of more than a page pages through from the keyboard."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import axe_violations, open_page, sign_in, start

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
    dash_duo.wait_for_element("#prevention-reach-graph .main-svg")
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
    dash_duo.wait_for_element("#prevention-intervention-spend-graph .main-svg")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_area_change_updates_the_url_and_the_csv_matches_the_store(
    dash_duo, browser_app
):
    from data_access import activity
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
    summary = activity.tier_summary(scope=SYSTEM, area_code="E23000030")
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


def test_a_big_tier_pages_through_from_the_keyboard(dash_duo, big_tiers_app):
    from tests.pages.test_prevention import PER_TIER

    app, password, area = big_tiers_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", password)
    open_page(dash_duo, base, f"/prevention?area={area}&tier=secondary")
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 1–25 of {PER_TIER}"
    )
    dash_duo.wait_for_element("#prevention-interventions-graph .main-svg")
    assert len(dash_duo.find_elements("#prevention-interventions-list tbody tr")) == 25
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
    _keyboard(dash_duo, Keys.ENTER)
    dash_duo.wait_for_contains_text(
        "#prevention-interventions-range", f"Showing 26–{PER_TIER} of {PER_TIER}"
    )
    assert "page=2" in dash_duo.driver.current_url
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
