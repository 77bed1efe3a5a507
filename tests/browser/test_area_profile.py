"""/areas/<code> in a browser: a spine chart and table, and a clear unknown-code
message."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, open_page, sign_in, start


def test_area_profile_and_unknown_code(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/areas/E23000036")
    dash_duo.wait_for_element("#area-spine-graph", timeout=20)
    dash_duo.wait_for_element("#area-spine-table")
    dash_duo.wait_for_text_to_equal("#main-content h1", "Avon and Somerset")
    assert dash_duo.find_element("#area-interventions")
    # The header's placeholder lines hold its place: the profile is not pushed
    # down when the area arrives (the shift was 0.39; "good" is below 0.1).
    shift = dash_duo.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        let shift = 0;  // the buffered entries arrive at once; none if no shift
        new PerformanceObserver(list => list.getEntries()
            .filter(e => !e.hadRecentInput).forEach(e => { shift += e.value; })
        ).observe({type: "layout-shift", buffered: true});
        setTimeout(() => done(shift), 500);"""
    )
    assert shift < 0.05, shift
    assert axe_violations(dash_duo) == []

    open_page(dash_duo, base, "/areas/NOPE1")
    dash_duo.wait_for_contains_text("#area-content", "No area has the code NOPE1")
    assert dash_duo.get_logs() == []
