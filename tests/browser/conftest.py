"""Browser tests: headless Debian Chromium through dash_duo, signed in as a demo
user over the shipped data, with axe-core checks of WCAG 2.2 A/AA rules."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from dash.testing import wait
from dash.testing.application_runners import ThreadedRunner
from selenium.webdriver.chrome.options import Options

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_setup_options():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture
def browser_app(loaded_sqlite_store):
    """The app over the shipped data, with one account per role."""
    from app import app
    from data_access import users

    existing = {u.username: u for u in users.list_users()}
    passwords = {}
    accounts = {
        "admin": dict(role="admin", role_title="VRU Director"),
        "board": dict(
            role="viewer", role_title="Board Member", area_codes=("E23000036",)
        ),
    }
    for name, kwargs in accounts.items():
        if name in existing:
            passwords[name] = users.set_password(username=name)
        else:
            _, passwords[name] = users.create_user(username=name, **kwargs)
    return app, passwords


class StoppableServerRunner(ThreadedRunner):
    """dash_duo's server, shut down cleanly.

    dash's ThreadedRunner stops its server by raising SystemExit asynchronously in
    every thread started since (the server's and each request's), and restarts a
    server slow to answer the same way. A request thread killed while it holds the
    logging handler's lock (werkzeug logs every request) leaves that lock held for
    ever: every later log call waits, and the whole run hangs (seen twice under
    load, py-spy showing threads in Handler.acquire). This runner serves the app
    with werkzeug's threaded server and stops it with `shutdown()`, which lets
    the serving loop return; nothing is killed."""

    def start(self, app, start_timeout=60, port=None, **_ignored):
        from werkzeug.serving import make_server

        # what app.run does before serving, without debug (as dash's runner)
        app.scripts.config.serve_locally = True
        app.css.config.serve_locally = True
        app.enable_dev_tools(debug=False, dev_tools_disable_version_check=True)
        self._http = make_server("127.0.0.1", port or 0, app.server, threaded=True)
        self.port = self._http.server_port  # host: "localhost", as dash serves it
        self.thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self.thread.start()
        wait.until(lambda: self.accessible(self.url), timeout=start_timeout)
        self.started = True

    def stop(self):
        self._http.shutdown()  # returns once serve_forever has
        self._http.server_close()
        self.thread.join(self.stop_timeout)
        self.started = False


@pytest.fixture
def dash_thread_server():
    """dash_duo's server (dash.testing's fixture of this name, replaced)."""
    with StoppableServerRunner() as runner:
        yield runner


def start(dash_duo, app) -> str:
    """Start the app without waiting on "/" (which redirects to the sign-in form);
    returns the base URL."""
    # port 0: the system picks a free one (several test runs may share a machine)
    dash_duo.start_server(app, navigate=False)
    return dash_duo.server.url.rstrip("/")


def open_page(dash_duo, base: str, path: str) -> None:
    """Load a Dash page and wait until its renderer has drawn the shell."""
    dash_duo.wait_for_page(base + path)
    dash_duo.wait_for_element("#main-content h1")


def sign_in(dash_duo, base: str, username: str, password: str) -> None:
    dash_duo.driver.get(base + "/signin")
    dash_duo.wait_for_element("#username").send_keys(username)
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("button[type=submit]").click()
    # The sign-in form has its own #main-content, so wait for the redirect away
    # from it: navigating on before the POST returns would race the session cookie.
    dash_duo._wd_wait.until(
        lambda driver: "/signin" not in driver.current_url,
        message=f"still on the sign-in page after signing in as {username}",
    )
    dash_duo.wait_for_element("#main-content h1")


def axe_violations(dash_duo) -> list[dict]:
    """axe-core violations of the WCAG 2.2 A/AA rules on the current page."""
    driver = dash_duo.driver
    driver.execute_script(AXE)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e)}])));",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "help": v.get("help"),
            "nodes": [n.get("target") for n in v.get("nodes", [])][:5],
        }
        for v in json.loads(result)
    ]


def layout_shift(dash_duo) -> float:
    """The page's cumulative layout shift so far (shifts without recent input),
    as Lighthouse scores it: below 0.1 is "good"."""
    return dash_duo.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        let shift = 0;  // the buffered entries arrive at once; none if no shift
        new PerformanceObserver(list => list.getEntries()
            .filter(e => !e.hadRecentInput).forEach(e => { shift += e.value; })
        ).observe({type: "layout-shift", buffered: true});
        setTimeout(() => done(shift), 500);"""
    )


@pytest.fixture(autouse=True)
def _patient_waits(request):
    """Wait up to 30 s (not dash_duo's 10 s) for elements: a 2-core CI machine under
    load can be slow to draw a page, and a timeout there is not a product failure."""
    if "dash_duo" in request.fixturenames:
        from selenium.webdriver.support.ui import WebDriverWait

        duo = request.getfixturevalue("dash_duo")
        duo._wait_timeout = 30
        duo._wd_wait = WebDriverWait(duo.driver, 30)
    yield


# ------------------------------------------------ charts (components.chart cards)
# A chart card's plot is the server's SVG, and the plotly graph is mounted only
# when the visitor asks (assets/vru-components.js SvgFirstGraph).

INTERACTIVE_BUTTON = ".chart-card__interactive-button"
PNG_BUTTON = ".chart-card__png"


def wait_for_svg_chart(dash_duo, chart_id: str, timeout: float = 30) -> None:
    """Wait until the card `chart_id` shows its server-drawn SVG."""
    dash_duo.wait_for_element(f"#{chart_id}-plot .chart-card__svg svg", timeout=timeout)


def plotly_loaded(driver) -> dict:
    """What of plotly.js the page has: the resources it requested whose URL
    names plotly, and whether plotly.js has run (window.Plotly)."""
    return driver.execute_script(
        "return {requests: performance.getEntriesByType('resource')"
        ".map(e => e.name).filter(n => n.includes('plotly')),"
        " running: window.Plotly !== undefined};"
    )


def open_interactive(dash_duo, chart_id: str, timeout: float = 45) -> None:
    """Press the card's "Interactive chart" (scrolled into view first, at once,
    then a scripted click: the page may still be scrolling) and wait for plotly
    to have drawn it."""
    button = dash_duo.wait_for_element(f"#{chart_id}-plot {INTERACTIVE_BUTTON}")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});"
        " arguments[0].click();",
        button,
    )
    dash_duo.wait_for_element(f"#{chart_id}-graph .main-svg", timeout=timeout)


def tab_to(driver, selector: str, limit: int = 80) -> None:
    """Press Tab, as a keyboard user does, until the element matching
    `selector` has the focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(limit):
        if driver.execute_script(
            "return document.activeElement.matches(arguments[0])", selector
        ):
            return
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def downloaded_png(dash_duo, chart_id: str) -> dict:
    """Press the card's "Download PNG" and return what the browser would save:
    the file name, the PNG signature's presence and the image's size (read from
    its IHDR chunk). The download link's click is intercepted, so nothing is
    written to disk."""
    driver = dash_duo.driver
    driver.execute_script(
        """
        window.vruDownloads = [];
        if (!window.vruClickIntercepted) {
          const click = HTMLAnchorElement.prototype.click;
          HTMLAnchorElement.prototype.click = function () {
            if (this.download) {
              window.vruDownloads.push({name: this.download, href: this.href});
              return;
            }
            return click.call(this);
          };
          window.vruClickIntercepted = true;
        }
        """
    )
    button = dash_duo.find_element(f"#{chart_id}-plot {PNG_BUTTON}")
    driver.execute_script("arguments[0].click()", button)
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const started = Date.now();
        (function look() {
          const saved = window.vruDownloads[0];
          if (!saved) {
            if (Date.now() - started > 20000) { done(null); return; }
            setTimeout(look, 50);
            return;
          }
          fetch(saved.href).then(r => r.arrayBuffer()).then(buffer => {
            const bytes = new Uint8Array(buffer);
            const view = new DataView(buffer);
            done({
              name: saved.name,
              png: [137, 80, 78, 71, 13, 10, 26, 10].every((b, i) => bytes[i] === b),
              width: view.getUint32(16),
              height: view.getUint32(20),
              size: bytes.length,
            });
          });
        })();
        """
    )


def markup_app(trees: dict[str, list]):
    """A bare Dash app drawing each tree twice: as Dash's own html components
    (the page before StaticHtml) and through static_html."""
    import dash
    from dash import html

    from app import app as vru_app
    from components.static_html import static_html

    # A new Dash app takes every dash.callback no app has claimed yet: let the VRU
    # app claim the pages' callbacks first (as tests/components do).
    vru_app.server.test_client().get("/healthz")
    app = dash.Dash(
        __name__, assets_folder=str(Path(__file__).resolve().parents[2] / "assets")
    )
    app.layout = html.Main(
        [
            html.Div(
                [
                    html.Div(build(), id=f"{name}-as-dash"),
                    html.Div(static_html(build()), id=f"{name}-as-static"),
                ]
            )
            for name, build in trees.items()
        ]
    )
    return app
