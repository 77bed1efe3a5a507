"""The alerts inbox in a real browser: after a run of the exception rules a lead
sees the unread count in the header, opens the inbox from it, acknowledges their
exception with a comment from the keyboard, marks everything read (the header
count goes), and axe-core finds nothing on the inbox or the settings page.

The rules write to the store, so this test works on its own copy of the shipped
store (the shared one must not change)."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import axe_violations, open_page, sign_in, start

pytestmark = pytest.mark.browser


@pytest.fixture
def alerts_app(_loaded_urls, tmp_path, monkeypatch):
    from app import app
    from data_access import alerts, db, exceptions, users
    from data_access.scope import SYSTEM

    copy = tmp_path / "store.sqlite3"
    shutil.copyfile(_loaded_urls("sqlite").removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    exceptions.run_rules(trigger="browser test")
    # A lead of a workstream with an open exception assigned to them.
    frame = exceptions.read_exceptions(scope=SYSTEM, status="open")
    ws_id = int(frame[frame["owner_role"] == "lead"]["workstream_id"].iloc[0])
    _, password = users.create_user(
        username="alerts-lead", role="lead", role_title="Lead", workstream_id=ws_id
    )
    # Alerts go to the owners an exception had when it was raised: hand the new
    # lead theirs as a run raising them now would.
    alerts.dispatch(frame[frame["workstream_id"] == ws_id]["exception_id"].tolist())
    yield app, password
    db.reset_engine()


def test_inbox_count_acknowledge_and_mark_read_pass_axe(dash_duo, alerts_app):
    app, password = alerts_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "alerts-lead", password)
    dash_duo.wait_for_contains_text("#shell-alerts", "unread", timeout=30)
    dash_duo.find_element("#shell-alerts").click()
    dash_duo.wait_for_contains_text("#alerts-content", "Assigned to you", timeout=30)
    dash_duo.wait_for_contains_text("#alerts-inbox", "New:", timeout=30)
    assert axe_violations(dash_duo) == []

    comment = dash_duo.find_element("#alerts-content textarea")
    comment.send_keys("Looked at it with the provider")
    comment.send_keys(Keys.TAB)
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#alerts-message", "Acknowledged", timeout=30)

    dash_duo.find_element("#alerts-mark-read").click()
    dash_duo.wait_for_contains_text("#alerts-message", "marked as read", timeout=30)
    dash_duo.wait_for_text_to_equal("#shell-alerts", "Alerts", timeout=30)
    dash_duo._wd_wait.until(
        lambda _d: "New:" not in dash_duo.find_element("#alerts-inbox").text,
        message="the inbox still shows unread alerts after marking all read",
    )

    open_page(dash_duo, base, "/alerts/settings")
    dash_duo.wait_for_contains_text("#alert-settings-feed-state", "feed", timeout=30)
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
