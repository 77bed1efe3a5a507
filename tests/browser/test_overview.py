"""Overview in a real browser: loads for admin and board, axe clean, area change
updates the URL."""

from selenium.webdriver.common.by import By

from tests.browser.conftest import axe_violations, open_page, sign_in, start


def test_overview_admin_and_board(dash_duo, browser_app):
    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "board", passwords["board"])
    open_page(dash_duo, base, "/")
    dash_duo.wait_for_contains_text("#overview-content", "Forecast outturn", timeout=30)
    dash_duo.wait_for_contains_text("#overview-content", "What changed since last")
    assert axe_violations(dash_duo) == []

    dash_duo.driver.get(base + "/signout")  # GET shows nothing harmful either way
    dash_duo.driver.delete_all_cookies()
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/?area=E23000036")
    dash_duo.wait_for_contains_text(
        "#overview-content", "Avon and Somerset", timeout=30
    )
    # change the area: the content and the URL follow
    dash_duo.select_dcc_dropdown("#overview-area", "West Midlands (VRU)")
    dash_duo.wait_for_contains_text("#overview-content", "West Midlands", timeout=30)
    assert "area=E23000014" in dash_duo.driver.current_url
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "h1")
    assert axe_violations(dash_duo) == []
    assert dash_duo.get_logs() == []
