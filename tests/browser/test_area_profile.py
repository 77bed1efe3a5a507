"""/areas/<code> in a browser: a spine chart and table, and a clear unknown-code
message."""

from __future__ import annotations

from tests.browser.conftest import (
    axe_violations,
    layout_shift,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)


def test_area_profile_and_unknown_code(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/areas/E23000036")
    wait_for_svg_chart(dash_duo, "area-spine")
    dash_duo.wait_for_element("#area-spine-table")
    dash_duo.wait_for_text_to_equal("#main-content h1", "Avon and Somerset")
    assert dash_duo.find_element("#area-interventions")
    # The header's placeholder lines hold its place: the profile is not pushed
    # down when the area arrives (the shift was 0.39; "good" is below 0.1).
    shift = layout_shift(dash_duo)
    assert shift < 0.05, shift
    assert axe_violations(dash_duo) == []

    open_page(dash_duo, base, "/areas/NOPE1")
    dash_duo.wait_for_contains_text("#area-content", "No area has the code NOPE1")
    assert dash_duo.get_logs() == []
