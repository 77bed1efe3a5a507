"""Part periods in a real browser (issue 14 item 3). With the app clock at 15
August 2025, 2025/26 Q2 (July to September) is still running although the store
holds figures for it: /prevention's reach chart and /funding's quarterly spend
mark it and their summaries do not compare it with a whole quarter; /funding's
spend by tier for 2025/26 is a part year (Q1 only), its bars lighter and dotted
and its axis saying so."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import (
    axe_violations,
    open_interactive,
    open_page,
    sign_in,
    start,
)

pytestmark = pytest.mark.browser

PART = "2025/26 Q2 (part quarter)"

# The drawn traces of a graph (plotly keeps them on its graph div).
TRACES = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
return gd ? gd.data.map(t => ({
  x: t.x, y: t.y, name: t.name, type: t.type,
  opacity: t.marker && t.marker.opacity,
  symbol: t.marker && t.marker.symbol})) : null;
"""


def _traces(dash_duo, graph_id):
    found = []

    def ready():
        found[:] = dash_duo.driver.execute_script(TRACES, f"#{graph_id}") or []
        return bool(found)

    end = time.time() + 20
    while not ready():
        assert time.time() < end, f"{graph_id} was not drawn"
        time.sleep(0.2)
    return found


def test_part_periods_are_marked_and_not_compared(dash_duo, browser_app, monkeypatch):
    monkeypatch.setenv("VRU_AS_AT", "2025-08-15")
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])

    open_page(dash_duo, base, "/prevention?area=E23000036&from=2024-04")
    dash_duo.wait_for_contains_text("#prevention-reach-title", PART)
    open_interactive(dash_duo, "prevention-reach")
    for trace in _traces(dash_duo, "prevention-reach-graph"):
        assert trace["x"][-1] == PART
        assert trace["symbol"][-1].endswith("-open")
        assert not trace["symbol"][0].endswith("-open")
    summary = dash_duo.find_element("#prevention-reach-summary").text
    assert "2025/26 Q2" not in summary and "the latest is 2025/26 Q1" in summary
    caption = dash_duo.find_element("#prevention-content").text
    assert f"{PART} is still running" in caption
    assert f"to {PART}" in caption  # the period the tier totals cover
    assert axe_violations(dash_duo) == []

    open_page(dash_duo, base, "/funding?area=E23000036&year=2025")
    dash_duo.wait_for_contains_text("#funding-tiers-title", "part year: Q1")
    open_interactive(dash_duo, "funding-tiers")
    (bars,) = _traces(dash_duo, "funding-tiers-graph")
    assert set(bars["opacity"]) == {0.45}
    axis = dash_duo.find_element("#funding-tiers-graph .g-xtitle").text
    assert "2025/26 (part year: Q1)" in axis
    quarters = dash_duo.find_element("#funding-quarters-summary").text
    assert "2025/26 Q2" not in quarters
    assert PART in dash_duo.find_element("#funding-quarters-table").get_attribute(
        "textContent"
    )
    assert dash_duo.get_logs() == []
