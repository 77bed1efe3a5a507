"""/violence in a real browser: drill down E&W -> force area -> local authority by
clicking, breadcrumbs and back, change measure, CSV against the store, invalid
query message."""

import time
from urllib.parse import unquote

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)

from data_access.outcomes import area_trends
from data_access.scope import SYSTEM
from tests.browser.conftest import (
    axe_violations,
    open_interactive,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)


def _settle(dash_duo, quiet=2.0, limit=60.0):
    """Wait until no callback has been pending for `quiet` seconds: the area
    picker's options arrive after the first render and may fire the content
    callback once more."""
    script = "return document.querySelector('[data-dash-is-loading=\"true\"]')"
    started = last_busy = time.time()
    while time.time() - started < limit:
        if dash_duo.driver.execute_script(script) is not None:
            last_busy = time.time()
        elif time.time() - last_busy >= quiet:
            return
        time.sleep(0.2)


def _click(dash_duo, selector):
    """Click a link, retrying while a late callback re-renders the content."""
    _settle(dash_duo)
    for attempt in range(5):
        try:
            link = dash_duo.wait_for_element(selector, timeout=30)
            # a JavaScript click: the loading overlay may cover the link for a
            # moment, and the link's own handler is what is being tested
            dash_duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
                link,
            )
            return
        except (StaleElementReferenceException, ElementClickInterceptedException):
            if attempt == 4:
                raise
            time.sleep(1)


def test_violence_drill_down_back_and_csv(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/violence?measure=knife_offences&area=K04000001")
    dash_duo.wait_for_element("#violence-drill-table", timeout=30)
    # City of London is left out of the force areas' ranking, saying so above it
    # (and the note and its link pass axe with the rest)
    dash_duo.wait_for_contains_text(
        "#violence-children-left-out", "City of London is left out", timeout=30
    )
    assert axe_violations(dash_duo) == []

    _click(dash_duo, 'a.drill-link[href*="area=E23000036"]')
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Avon and Somerset", timeout=30
    )
    assert "area=E23000036" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text("#violence-drill-table", "Bristol")
    _click(dash_duo, 'a.drill-link[href*="area=E06000023"]')
    dash_duo.wait_for_contains_text("#violence-trend-title", "Bristol", timeout=30)
    crumbs = dash_duo.find_element("#violence-breadcrumbs").text
    assert "England and Wales" in crumbs and "Avon and Somerset" in crumbs

    dash_duo.driver.back()
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Avon and Somerset", timeout=30
    )
    _click(dash_duo, '#violence-breadcrumbs a[href*="area=K04000001"]')
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "England and Wales", timeout=30
    )

    open_page(
        dash_duo, base, "/violence?measure=knife_offences&area=E23000036&view=year"
    )
    dash_duo.wait_for_element("#violence-trend-csv", timeout=30)
    href = dash_duo.find_element("#violence-trend-csv").get_attribute("href")
    csv = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    expected = area_trends.trend_with_benchmark(
        scope=SYSTEM,
        measure_code="knife_offences",
        area_code="E23000036",
        length="year",
    )
    lines = csv.strip().split("\r\n")
    assert len(lines) == len(expected) + 1
    for row in expected[expected["role"] == "area"].itertuples():
        assert f"{row.period},Avon and Somerset,{int(row.value)}," in csv
    assert dash_duo.get_logs() == []


def test_violence_measure_change_and_invalid_query(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/violence?area=E23000036&from=2019-13&age=old")
    dash_duo.wait_for_contains_text("#violence-content", "from: '2019-13'", timeout=30)
    assert "age: 'old'" in dash_duo.find_element("#violence-query-errors").text
    open_page(dash_duo, base, "/violence?area=E23000036&view=year")
    dash_duo.wait_for_element("#violence-trend-title", timeout=30)
    dash_duo.select_dcc_dropdown(
        "#violence-measure", "Hospital admissions for assault by a sharp object"
    )
    dash_duo.wait_for_contains_text(
        "#violence-trend-title", "Hospital admissions", timeout=30
    )
    assert "measure=hospital_admissions_knife" in dash_duo.driver.current_url
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


# The drawn figure, as plotly.js holds it.
FIGURE = """
var plot = document.querySelector('#violence-trend-graph .js-plotly-plot');
if (!plot || !plot.data) { return null; }
return {
  traces: plot.data.filter(function (t) { return t.meta && t.meta.role === 'series'; })
    .map(function (t) { return {name: t.name, x: t.x, y: t.y}; }),
  categories: plot.layout.xaxis.categoryarray,
  gaps: gaps(plot.layout.shapes).map(function (s) { return s.name; }),
  gapLabels: gaps(plot.layout.annotations).map(function (a) { return a.text; })
};
function gaps(items) {
  return (items || []).filter(function (i) {
    return String(i.name || '').indexOf('gap:') === 0;
  });
}
"""


def test_time_is_drawn_as_time_with_one_benchmark(dash_duo, browser_app):
    """Knife homicides in Avon and Somerset: published to 2007/08, illustrative
    from 2016/17; England and Wales published with gaps. Every period has its
    place (no jump from 2007/08 to 2016/17), a missing period is an empty point
    marked "No figure published", one benchmark named England and Wales, and no
    line joins a published figure to an illustrative one."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(
        dash_duo, base, "/violence?measure=homicide_knife&area=E23000036&view=year"
    )
    wait_for_svg_chart(dash_duo, "violence-trend")
    _settle(dash_duo)
    open_interactive(dash_duo, "violence-trend")
    got = dash_duo.driver.execute_script(FIGURE)
    categories = got["categories"]
    years = [int(c[:4]) for c in categories]
    assert years == list(range(years[0], years[-1] + 1))  # every year in its place
    assert "2010/11" in categories  # a year with no Avon or national figure
    names = [t["name"] for t in got["traces"]]
    bases = {n.removesuffix(" (illustrative)") for n in names}
    assert bases == {"Avon and Somerset", "England and Wales"}, names
    for trace in got["traces"]:
        at = [categories.index(x) for x in trace["x"]]
        # consecutive points are consecutive periods: a missing one is a null
        assert at == list(range(at[0], at[-1] + 1)), trace["name"]
        assert trace["y"][0] is not None and trace["y"][-1] is not None
    published = next(t for t in got["traces"] if t["name"] == "Avon and Somerset")
    illustrative = next(
        t for t in got["traces"] if t["name"] == "Avon and Somerset (illustrative)"
    )
    assert not set(published["x"]) & set(illustrative["x"])
    assert max(published["x"]) < min(illustrative["x"])
    assert got["gaps"] and all("No figure published" in t for t in got["gapLabels"])
    assert any("Avon and Somerset" in g for g in got["gaps"])
    caption = dash_duo.driver.execute_script(
        "return document.querySelector('#violence-trend-graph')"
        ".closest('figure').querySelector('figcaption').textContent"
    )
    assert "Benchmark: England and Wales as published" in caption
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
