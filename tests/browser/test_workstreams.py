"""/workstreams and /workstreams/<id> in a real browser: list and detail load
without console errors or axe-core violations, and a workstream lead sees their
own workstream first."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    axe_violations,
    markup_app,
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


def test_static_parts_are_the_markup_dash_drew(dash_duo, browser_app):
    """/workstreams/<id>'s read-only parts drawn by StaticHtml (the facts and
    explainers, each measure's words with its SPC icons, the commentary beside
    it, the returns-due tables) are byte for byte the markup of the same dash.html
    trees drawn by Dash: every measure of every workstream of two VRUs of the
    shipped data, the head and returns of the one with the most returns (their
    ids may appear once in a Dash layout), a commentary note."""
    import datetime as dt

    from components.commentary import commentary_note
    from data_access import workstreams
    from data_access.scope import SYSTEM, Scope
    from pages import workstream as page
    from web import board_parts

    trees = {}
    longest = None
    for area in ("E23000003", "E23000036"):
        writer = Scope(role="admin", area_codes=frozenset({area}))
        table = workstreams.workstream_list(scope=SYSTEM, area_code=area)
        for ws_id in table["workstream_id"]:
            detail = workstreams.workstream_detail(scope=SYSTEM, workstream_id=ws_id)
            returns = workstreams.completeness(scope=SYSTEM, workstream_id=ws_id)
            verdicts = workstreams.measure_spc(scope=SYSTEM, workstream_id=ws_id)
            if longest is None or len(returns) > len(longest[1]):
                longest = (detail, returns)
            for row in detail["measures"].itertuples():
                key = f"{ws_id}-{row.measure_code}"
                verdict = verdicts.get(row.measure_code)
                trees[f"words-{key}"] = lambda r=row, v=verdict: page._measure_words(
                    r, v
                )
                # no commentary in the shipped data: an admin's "Write commentary"
                trees[f"write-{key}"] = lambda r=row, w=writer, a=area: (
                    board_parts.note_for(w, {}, a, r.measure_code, r.name)
                )
    trees["head"] = lambda: page._head(longest[0])
    trees["returns"] = lambda: page._returns(*longest)
    note = {
        "quarter": "2026-27 Q2",
        "status": "signed_off",
        "revised_note": "the figures were revised",
        "text": "First paragraph,\nwith a break.\n\nSecond <paragraph>.",
        "measure_name": "Knife crime",
        "author_role": "Analyst",
        "written_at": dt.datetime(2026, 11, 3, 9, 30),
        "signed_off_by_role": "VRU Director",
        "signed_off_at": dt.date(2026, 11, 5),
    }
    trees["note"] = lambda: commentary_note(note, heading_level=4, edit_href="/c?x=1")
    assert len(longest[1]) > page.RECENT_RETURNS  # both tables, one in <details>
    dash_duo.start_server(markup_app(trees), start_timeout=60)
    dash_duo.wait_for_element("#note-as-static aside")
    kinds = set()
    for name in trees:
        as_dash, as_static = dash_duo.driver.execute_script(
            "return [document.getElementById(arguments[0] + '-as-dash').innerHTML,"
            " document.getElementById(arguments[0] + '-as-static').innerHTML]",
            name,
        )
        assert as_static == as_dash, name
        kinds |= {t for t in ("<table", "<img", "<aside", "<details") if t in as_static}
    assert kinds == {"<table", "<img", "<aside", "<details"}
    assert dash_duo.get_logs() == []
