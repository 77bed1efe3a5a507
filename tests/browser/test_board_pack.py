"""Board packs in a real browser: a board member makes a pack on /board-pack (the
progress line, then the kept pack listed to download again), and walks meeting
mode (/present) from the keyboard at 1280x720, to a measure's live page and back;
axe-core finds nothing on either page."""

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import (
    axe_violations,
    markup_app,
    open_page,
    sign_in,
    start,
)

pytestmark = pytest.mark.browser


def test_board_member_makes_a_pack(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/board-pack")
    dash_duo.wait_for_text_to_equal(
        "#board-pack-history", "No packs made for this VRU yet."
    )
    assert axe_violations(dash_duo) == []
    dash_duo.find_element("#board-pack-make").send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#board-pack-result", "Pack made", timeout=60)
    dash_duo.wait_for_element("#board-pack-history table tbody tr a")
    link = dash_duo.find_element("#board-pack-history table tbody tr a")
    assert "/board-pack/packs/" in link.get_attribute("href")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_meeting_mode_by_keyboard(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    driver = dash_duo.driver
    driver.set_window_size(1280, 720)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/present?vru=E23000036&meeting=2025-12-10")
    dash_duo.wait_for_contains_text("#present-counter", "Slide 1 of", timeout=60)
    total = int(dash_duo.find_element("#present-counter").text.split(" of ")[1])
    # Title, three success measures, money, reach, workstream RAG, workstream
    # measures' SPC icons, exceptions, since the last board, commentary,
    # decisions and actions.
    assert total == 12
    assert axe_violations(dash_duo) == []
    body = driver.find_element("css selector", "body")
    body.send_keys(Keys.ARROW_RIGHT)
    dash_duo.wait_for_text_to_equal("#present-counter", f"Slide 2 of {total}")
    assert driver.current_url.endswith("#slide-2")
    heading = driver.switch_to.active_element
    assert heading.tag_name == "h2" and "Hospital admissions" in heading.text
    visible = [
        s
        for s in driver.find_elements("css selector", ".present-slide")
        if s.is_displayed()
    ]
    assert len(visible) == 1
    heading.send_keys(Keys.END)
    dash_duo.wait_for_text_to_equal("#present-counter", f"Slide {total} of {total}")
    driver.switch_to.active_element.send_keys(Keys.HOME)
    dash_duo.wait_for_text_to_equal("#present-counter", f"Slide 1 of {total}")
    dash_duo.find_element("#present-next").click()
    dash_duo.wait_for_text_to_equal("#present-counter", f"Slide 2 of {total}")
    assert axe_violations(dash_duo) == []
    # Jump to the measure's live page, then back to the same slide.
    live = dash_duo.find_element("#present-slide-2 .present-live a")
    assert "/violence?measure=hospital_admissions_knife" in live.get_attribute("href")
    live.send_keys(Keys.ENTER)
    dash_duo._wd_wait.until(lambda d: "/violence" in d.current_url)
    dash_duo.wait_for_element("#main-content h1")
    driver.back()
    dash_duo.wait_for_text_to_equal("#present-counter", f"Slide 2 of {total}")
    assert dash_duo.find_element("#present-slide-2").is_displayed()
    # The success measure's variation icon beside its words, and the workstream
    # measures' variation and assurance icons (slide 8), pass axe too.
    assert dash_duo.find_elements("#present-slide-2 .spc-summary .spc-icon")
    for number in range(3, 9):
        dash_duo.find_element("#present-next").click()
        dash_duo.wait_for_text_to_equal(
            "#present-counter", f"Slide {number} of {total}"
        )
    signals = dash_duo.find_element("#present-slide-8")
    assert "signal or noise" in signals.find_element("css selector", "h2").text
    assert len(signals.find_elements("css selector", ".spc-icon")) >= 8
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_slides_are_the_markup_dash_drew(dash_duo, browser_app):
    """Meeting mode's slides drawn by StaticHtml (titles, points, SPC icons, chart
    images, hidden slides, stamps) are byte for byte the markup of the same
    dash.html trees drawn by Dash."""
    import datetime as dt

    from data_access import board_pack
    from data_access.scope import SYSTEM
    from pages import present

    pack = board_pack.build_pack(
        scope=SYSTEM,
        vru_code="E23000036",
        quarter_start=present.last_complete_quarter(dt.date(2025, 12, 10)),
        meeting_date=dt.date(2025, 12, 10),
    )

    def slides():
        return [present._title_slide(pack)] + [
            present._slide(pack, slide, i) for i, slide in enumerate(pack.slides, 2)
        ]

    dash_duo.start_server(markup_app({"slides": slides}), start_timeout=60)
    dash_duo.wait_for_element("#slides-as-static section")
    as_dash, as_static = dash_duo.driver.execute_script(
        "return [document.getElementById('slides-as-dash').innerHTML,"
        " document.getElementById('slides-as-static').innerHTML]"
    )
    assert as_static == as_dash
    assert "<img" in as_static and " hidden=" in as_static
    assert dash_duo.get_logs() == []
