"""/compare in a browser: loads clean, controls update the charts and the URL, and
the CSV holds the store's figures."""

from __future__ import annotations

import io
import time
from urllib.parse import unquote

import pandas as pd
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)

from data_access.comparator_groups import NOT_COMPARABLE
from data_access.outcomes import force_areas
from data_access.scope import SYSTEM
from tests.browser.conftest import (
    axe_violations,
    open_interactive,
    open_page,
    sign_in,
    start,
    wait_for_svg_chart,
)


def _choose(dash_duo, control_id: str, label: str) -> None:
    dash_duo.find_element(f"#{control_id}").click()
    option = None
    time.sleep(0.5)
    for element in dash_duo.driver.find_elements("css selector", "[role=option]"):
        if element.text.strip() == label:
            option = element
            break
    assert option is not None, f"no option {label!r}"
    option.click()


def _wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return True
        except StaleElementReferenceException:
            pass  # the element was redrawn between finding and reading it: retry
        time.sleep(0.2)
    return False


CITY = "E23000034"


def _ranking_axis(dash_duo) -> tuple[list[str], float | None]:
    """The ranking's bar labels and the top of its drawn value axis; ([], None)
    while plotly is drawing it afresh (a control's answer replaces the card, so
    for a moment there is no plot, or one not yet laid out: CI once read that
    moment and failed on `null._fullLayout`)."""
    drawn = dash_duo.driver.execute_script(
        "const gd = document.querySelector('#compare-ranking-graph .js-plotly-plot');"
        "const full = gd && gd._fullLayout;"
        "if (!full || !full.yaxis || !full.xaxis) { return null; }"
        "return [full.yaxis._categories || [], full.xaxis.range[1]];"
    )
    return drawn or ([], None)


def _map_drawn(dash_duo) -> list[int]:
    """The map's traces, those with an outline, and the filled shapes drawn."""
    return dash_duo.driver.execute_script(
        "const gd = document.querySelector('#compare-map-graph .js-plotly-plot');"
        "if (!gd || !gd.data) { return null; }"
        "return [gd.data.length, gd.data.filter(t => t.x && t.x.length > 3).length,"
        " gd.querySelectorAll('.scatterlayer path.js-fill').length];"
    )


def test_compare_page_controls_url_and_csv(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(
        dash_duo,
        base,
        "/compare?measure=knife_offences&period=2018-04&benchmark=national&level=95",
    )
    for chart in ("compare-ranking", "compare-map", "compare-funnel"):
        wait_for_svg_chart(dash_duo, chart, timeout=45)
    wait_for_svg_chart(dash_duo, "compare-vru-chart")
    assert axe_violations(dash_duo) == []
    # The interactive map's outlines arrive from their own long-cached URL, not
    # in the answer (assets/vru.js mapOutlines): every force area is drawn with
    # its shape.
    for chart in ("compare-map", "compare-ranking", "compare-vru-chart"):
        open_interactive(dash_duo, chart)
    assert _wait_for(lambda: _map_drawn(dash_duo) == [43, 43, 43])
    assert axe_violations(dash_duo) == []
    # back to the controls at once (the page scrolls smoothly, and a click
    # during the scroll lands where the control was)
    dash_duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    # The figures' own margins already hold their axis labels, so automargin had
    # nothing to add and plotly drew each chart once (components.chart
    # _reserve_margins): the drawn left and bottom margins are the figure's.
    for graph in ("compare-ranking-graph", "compare-vru-chart-graph"):
        set_margin, drawn = dash_duo.driver.execute_script(
            "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
            "return [gd.layout.margin, gd._fullLayout._size];",
            f"#{graph}",
        )
        assert drawn["l"] <= set_margin["l"] and drawn["b"] <= set_margin["b"], graph

    href = dash_duo.find_element("#compare-ranking-csv").get_attribute("href")
    table = pd.read_csv(io.StringIO(unquote(href.split(",", 1)[1]).lstrip("\ufeff")))
    direct = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    # City of London is left out by default (rates per resident not comparable)
    shown = direct[~direct["code"].isin(NOT_COMPARABLE)]
    assert len(shown) == len(direct) - 1
    assert list(table["Code"]) == list(shown["code"])
    assert list(table["Rate per 100,000"]) == list(shown["rate"].round(1))
    city_upper = float(direct.loc[direct["code"] == CITY, "rate_upper"].iloc[0])
    assert _wait_for(lambda: _ranking_axis(dash_duo)[1] is not None)
    labels, top = _ranking_axis(dash_duo)
    assert not any(label.startswith("City of London") for label in labels)
    assert top < city_upper  # its interval no longer sets the scale
    assert (
        "City of London is left out" in dash_duo.find_element("#compare-content").text
    )
    _choose(dash_duo, "compare-outliers", "Included")
    assert _wait_for(lambda: "outliers=include" in dash_duo.driver.current_url)
    assert _wait_for(
        lambda: any(
            label.startswith("City of London") for label in _ranking_axis(dash_duo)[0]
        )
    )
    # Included, its interval still does not set the scale: it runs past the edge,
    # marked (components.axis_clip), and the caption says so.
    assert _wait_for(lambda: _ranking_axis(dash_duo)[1] is not None)
    labels, top = _ranking_axis(dash_duo)
    assert any(label.startswith("City of London") for label in labels)
    assert top < city_upper
    assert (
        "Past the edge: City of London"
        in dash_duo.find_element("#compare-content").text
    )
    assert axe_violations(dash_duo) == []

    _choose(dash_duo, "compare-level", "99.8%")
    assert _wait_for(lambda: "level=99.8" in dash_duo.driver.current_url)
    assert _wait_for(
        lambda: "99.8%" in dash_duo.find_element("#compare-ranking-title").text
    )
    # a later answer's map is drawn with its outlines too (fetched once)
    assert _wait_for(lambda: _map_drawn(dash_duo) == [43, 43, 43])
    _choose(
        dash_duo, "compare-measure", "Homicides involving a knife or sharp instrument"
    )
    assert _wait_for(lambda: "measure=homicide_knife" in dash_duo.driver.current_url)
    assert _wait_for(
        lambda: "Homicides" in dash_duo.find_element("#compare-ranking-title").text
    )
    assert dash_duo.get_logs() == []


def test_the_ranking_is_readable_on_a_phone(dash_duo, browser_app):
    """At 390 px the ranked bars keep room between the area names and the value
    labels: the chart keeps its least width and scrolls sideways in its own
    focusable box, the page itself does not overflow, and axe finds nothing.
    Catches: bars squeezed to a sliver (~30 px before), or a page that scrolls
    sideways as a whole."""
    from components.bar_figures import RANKED_MIN_WIDTH

    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    dash_duo.driver.set_window_size(390, 900)
    try:
        open_page(dash_duo, base, "/compare?measure=knife_offences&period=2018-04")
        # On a phone the chart is plotly's from the start (the server's drawing,
        # made for a desktop card, would shrink to unreadable text): no press.
        dash_duo.wait_for_element("#compare-ranking-graph .main-svg", timeout=45)
        plot_width, box, page = dash_duo.driver.execute_script(
            "const gd = document.querySelector("
            "'#compare-ranking-graph .js-plotly-plot');"
            "const box = gd.closest('.chart-card__scroll');"
            "return [gd._fullLayout._size.w,"
            " box && [box.scrollWidth, box.clientWidth, box.tabIndex],"
            " [document.documentElement.scrollWidth, window.innerWidth]];"
        )
        assert box is not None and box[2] == 0
        assert box[0] >= RANKED_MIN_WIDTH > box[1]  # it scrolls within its box
        assert page[0] <= page[1]  # the page does not
        assert plot_width >= 250  # the bars' own width, names and labels aside
        assert axe_violations(dash_duo) == []
    finally:
        dash_duo.driver.set_window_size(1280, 1000)


def _click(dash_duo, element) -> None:
    """Click an element after scrolling it to the middle of the window (clear of
    the sticky header), again while the charts redrawing below move it."""
    for _attempt in range(20):
        dash_duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'});", element
        )
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            time.sleep(0.5)
    element.click()


def test_a_user_saves_a_comparator_group_uses_it_and_deletes_it(dash_duo, browser_app):
    """Signed in, a board member picks two force areas, names and saves them:
    the group becomes the benchmark (URL, titles name it exactly), the page
    stays accessible, and Delete takes it away and goes back to England and
    Wales."""
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/compare?measure=knife_offences&period=2018-04")
    wait_for_svg_chart(dash_duo, "compare-ranking", timeout=45)
    dash_duo.find_element(".saved-groups summary").click()
    assert _wait_for(
        lambda: "no saved groups" in dash_duo.find_element("#compare-group-list").text
    )
    for area in ("Devon and Cornwall", "Dorset"):
        _click(
            dash_duo,
            dash_duo.driver.find_element(
                "xpath",
                f"//*[@id='compare-group-areas']//label[normalize-space()='{area}']",
            ),
        )
    dash_duo.find_element("#compare-group-name").send_keys("Coastal peers")
    _click(dash_duo, dash_duo.find_element("#compare-group-save"))
    assert _wait_for(lambda: "benchmark=saved" in dash_duo.driver.current_url)
    label = "Coastal peers (your saved group, pooled)"
    assert _wait_for(
        lambda: label in dash_duo.find_element("#compare-ranking-title").text
    )
    assert label in dash_duo.find_element("#compare-funnel-title").text
    assert "Coastal peers" in dash_duo.find_element("#compare-group-list").text
    assert axe_violations(dash_duo) == []
    _click(
        dash_duo, dash_duo.find_element("[aria-label='Delete the group Coastal peers']")
    )
    assert _wait_for(lambda: "benchmark=national" in dash_duo.driver.current_url)
    assert _wait_for(
        lambda: (
            "England and Wales" in dash_duo.find_element("#compare-ranking-title").text
        )
    )
    assert "Coastal peers" not in dash_duo.find_element("#compare-group-list").text
    assert dash_duo.get_logs() == []
