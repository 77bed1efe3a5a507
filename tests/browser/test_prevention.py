"""/prevention in a real browser: loads without console errors or axe-core
violations, drills tier -> intervention through the links (each level a URL),
writes a filter change to the URL, and its CSV holds the store's figures."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest

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
    dash_duo.wait_for_element("#prevention-interventions-table")
    assert "tier=secondary" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal(".breadcrumb-item.active", "Secondary prevention")

    link = dash_duo.find_element("#prevention-interventions-table tbody a")
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
