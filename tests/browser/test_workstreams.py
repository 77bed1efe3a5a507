"""/workstreams and /workstreams/<id> in a real browser: list and detail load
without console errors or axe-core violations, and a workstream lead sees their
own workstream first."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    axe_violations,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)

pytestmark = pytest.mark.browser


def test_workstream_list_and_detail_are_accessible(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/workstreams?area=E23000003")
    dash_duo.wait_for_element("#workstreams-table")
    assert axe_violations(dash_duo) == []
    # RAG counts in words, each after a colour dot that screen readers skip
    badge = dash_duo.find_element("#workstreams-table tbody .rag-counts .rag--green")
    assert badge.text.endswith("Green")
    dot = badge.find_element("css selector", ".rag-dot.rag-dot--green")
    assert dot.get_attribute("aria-hidden") == "true"
    caption = dash_duo.find_element("#workstreams-table caption")
    assert caption.get_attribute("textContent") == "Workstreams in Lancashire"

    link = dash_duo.find_element("#workstreams-table tbody a")
    name = link.text
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", link
    )
    dash_duo.wait_for_text_to_equal("#workstream-title", name)
    dash_duo.wait_for_element("#workstream-returns")
    wait_for_svg_chart(dash_duo, "workstream-trend-0")
    assert "Green" in dash_duo.find_element("#workstream-summary").text.title()
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_a_lead_sees_their_own_workstream_first(dash_duo, browser_app):
    from data_access import users, workstreams
    from data_access.scope import SYSTEM

    app, _ = browser_app
    table = workstreams.workstream_list(scope=SYSTEM, area_code="E23000003")
    own = table[table["name"] == "Lancashire Divert Programme"].iloc[0]
    existing = {u.username for u in users.list_users()}
    if "divert-lead" in existing:
        password = users.set_password(username="divert-lead")
    else:
        _, password = users.create_user(
            username="divert-lead",
            role="lead",
            role_title="Divert Programme Lead",
            workstream_id=int(own.workstream_id),
        )
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "divert-lead", password)
    open_page(dash_duo, base, "/workstreams")
    dash_duo.wait_for_text_to_equal(
        "#workstreams-own tbody a", "Lancashire Divert Programme"
    )
    first_heading = dash_duo.find_element("#workstreams-content h2").text
    assert first_heading == "Your workstream"
    assert dash_duo.get_logs() == []
