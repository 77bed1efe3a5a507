"""The returns journey in a browser: a workstream lead uploads a return with an
error, sees the problem table, uploads the fixed file and submits it; an admin
approves it; the new figure then shows on the prevention page."""

from __future__ import annotations

import shutil
import time

import pytest
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By

from data_access import db, users
from data_access.returns import spec, templates
from data_access.scope import Scope
from tests.browser.conftest import (
    axe_violations,
    layout_shift,
    open_page,
    sign_in,
    start,
)

LANCASHIRE = "E23000003"
PERIOD = "2025-07"  # 2025/26 Q2, a quarter the shipped (illustrative) data covers
NEW_FIGURE = 4321


@pytest.fixture
def own_store(browser_app, tmp_path, monkeypatch, loaded_sqlite_store):
    """A private copy of the loaded store: this test writes to it."""
    db.reset_engine()
    path = loaded_sqlite_store.split("///", 1)[1]
    copy = tmp_path / "returns.sqlite3"
    shutil.copy(path, copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    return browser_app


def _wait_for(driver, predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    raise AssertionError("timed out waiting")


def _click(dash_duo, selector: str) -> None:
    """Click once the region has settled (a loading overlay may cover it)."""
    last = ""
    for _ in range(40):
        try:
            element = dash_duo.wait_for_element(selector)
            dash_duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center'});", element
            )
            element.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException) as e:
            last = str(e).splitlines()[0]
            time.sleep(0.25)
    raise AssertionError(f"could not click {selector}: {last}")


def _upload(dash_duo, path, upload="returns-upload"):
    field = dash_duo.driver.find_element(By.CSS_SELECTOR, f"#{upload} input")
    field.send_keys(str(path))


def test_lead_uploads_fixes_submits_and_admin_approves(dash_duo, own_store, tmp_path):
    app, passwords = own_store
    admin = Scope(role="admin", actor="test")
    frame = templates.workstreams_for(scope=admin)
    workstream_id = int(frame[frame.area_code == LANCASHIRE].iloc[0].workstream_id)
    _, lead_password = users.create_user(
        username="wslead",
        role="lead",
        role_title="Workstream Lead",
        workstream_id=workstream_id,
    )
    lead = Scope(role="lead", workstream_id=workstream_id, actor="Lead")
    template = templates.template_rows(
        scope=lead,
        workstream_id=workstream_id,
        period_start=spec.parse_quarter(PERIOD),
    ).astype(object)
    template["value"] = [
        {"output": 3, "spend": "100.00", "measure": 5}[r] for r in template["record"]
    ]
    spend_rows = (template.record == "spend") & (template.intervention_id != "TOTAL")
    template.loc[template.intervention_id == "TOTAL", "value"] = (
        f"{100 * spend_rows.sum():.2f}"
    )
    pct = template.unit == "%"
    template.loc[pct, ["numerator", "denominator", "value"]] = [1, 2, 50]
    first = template[template.record == "output"].iloc[0]
    target = (template.record == "output") & (
        template.intervention_id == first.intervention_id
    )
    target &= (template.code == "young_people_supported") & (template.age_band == "all")
    template.loc[target, "value"] = NEW_FIGURE
    bad = template.copy()
    bad.loc[bad.index[1], "value"] = "lots"
    bad_path, good_path = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.to_csv(bad_path, index=False)
    template.to_csv(good_path, index=False)

    base = start(dash_duo, app)
    sign_in(dash_duo, base, "wslead", lead_password)
    open_page(dash_duo, base, f"/returns?workstream={workstream_id}&period={PERIOD}")
    dash_duo.wait_for_contains_text("#returns-completeness", "returns received")
    # "Returns due" holds its usual height while it loads: the form below it
    # does not move when it arrives (the shift was 0.11)
    assert layout_shift(dash_duo) < 0.05
    assert axe_violations(dash_duo) == []

    _upload(dash_duo, bad_path)
    dash_duo.wait_for_element("#returns-problems-table")
    table = dash_duo.find_element("#returns-problems-table").text
    assert "lots" in table and "a whole number of at least 0" in table
    assert dash_duo.find_element("#returns-problems-button").is_displayed()

    _upload(dash_duo, good_path)
    dash_duo.wait_for_contains_text("#returns-upload-result", "saved as draft return")
    _click(dash_duo, "#returns-submissions button[aria-label^=Submit]")
    dash_duo.wait_for_contains_text("#returns-action-message", "submitted for approval")
    assert axe_violations(dash_duo) == []

    dash_duo.driver.delete_all_cookies()
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, f"/returns?workstream={workstream_id}&period={PERIOD}")
    dash_duo.wait_for_contains_text("#returns-completeness", "returns received")
    assert layout_shift(dash_duo) < 0.05
    _click(dash_duo, "#returns-submissions button[aria-label^=Approve]")
    dash_duo.wait_for_contains_text("#returns-action-message", "approved")

    tier = str(first.get("tier") or "")
    query = f"area={LANCASHIRE}&intervention={first.intervention_id}"
    query += f"&from={PERIOD}&to=2025-09" + (f"&tier={tier}" if tier else "")
    open_page(dash_duo, base, f"/prevention?{query}")
    _wait_for(dash_duo.driver, lambda: f"{NEW_FIGURE:,}" in dash_duo.driver.page_source)
    assert dash_duo.get_logs() == []


def test_a_file_over_the_limit_is_refused_on_the_page(
    dash_duo, own_store, tmp_path, monkeypatch
):
    """Issue 21, finding 8: a file over the limit got an HTTP 413 that the page
    never showed. It is now refused in the browser, before it is sent."""
    app, passwords = own_store
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "100000")
    big = tmp_path / "big.csv"
    big.write_bytes(b"record,period\r\n" + b"output,2025/26 Q2\r\n" * 12000)
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, f"/returns?period={PERIOD}")
    dash_duo.wait_for_contains_text("#returns-completeness", "returns received")
    _upload(dash_duo, big)
    dash_duo.wait_for_contains_text("#returns-size-refusal", "not saved")
    text = dash_duo.find_element("#returns-size-refusal").text
    assert "big.csv" in text and "largest file accepted is 0.1 MB" in text
    assert dash_duo.find_element("#returns-size-refusal").is_displayed()
    assert dash_duo.find_element("#returns-upload-result").text == ""
    assert axe_violations(dash_duo) == []
    dash_duo.driver.execute_script(
        "document.getElementById('returns-size-refusal')"
        ".scrollIntoView({block: 'center'});"
    )
    dash_duo.driver.save_screenshot(str(tmp_path / "size-refusal.png"))

    # The ONS workbook upload (admins) is refused the same way.
    workbook = tmp_path / "big.xlsx"
    workbook.write_bytes(b"PK" + b"0" * 150_000)
    _upload(dash_duo, workbook, upload="returns-ons-upload")
    dash_duo.wait_for_contains_text("#returns-ons-size-refusal", "not saved")
    text = dash_duo.find_element("#returns-ons-size-refusal").text
    assert "big.xlsx" in text and "largest file accepted is 0.1 MB" in text
    assert dash_duo.find_element("#returns-ons-result").text == ""
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
