"""The web surface: sign-in, the gate in front of pages and callbacks, scope on the
server, security headers, health checks and plain failure answers."""

import pytest

from data_access import db, users
from tests.data_access.test_store import _minimal_rows
from tests.web_helpers import callback_request, csrf_token, post_callback, sign_in


@pytest.fixture
def web(store):
    """The app over a small store with one viewer scoped to Avon and Somerset."""
    from app import app

    with db.session_scope() as session:
        _minimal_rows(session)
    _, password = users.create_user(
        username="board",
        role="viewer",
        role_title="Board Member",
        area_codes=("E23000036",),
    )
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    return client, password


def test_pages_redirect_to_sign_in_when_signed_out(web):
    client, _ = web
    for path in ("/", "/violence?area=E23000036", "/measures"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/signin?next=")


def test_public_pages_and_health_answer_without_sign_in(web):
    client, _ = web
    assert client.get("/signin").status_code == 200
    assert client.get("/accessibility").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_anonymous_callbacks_get_401(web):
    client, _ = web
    body = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "E23000036"}],
    )
    response = post_callback(client, body)
    assert response.status_code == 401
    assert "E23000036" not in response.get_data(as_text=True)


def test_sign_in_needs_the_csrf_token(web):
    client, password = web
    response = client.post("/signin", data={"username": "board", "password": password})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_sign_in_wrong_password_then_right_one(web):
    client, password = web
    assert sign_in(client, "board", "nope").status_code == 401
    response = sign_in(client, "board", password)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_is_rate_limited_with_a_clear_message(web, monkeypatch):
    client, password = web
    monkeypatch.setenv("SIGNIN_MAX_ATTEMPTS", "3")
    for _ in range(3):
        sign_in(client, "board", "nope")
    response = sign_in(client, "board", password)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_sign_in_never_redirects_to_another_site(web):
    client, password = web
    token = csrf_token(client)
    response = client.post(
        "/signin",
        data={
            "username": "board",
            "password": password,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


def test_viewer_cannot_read_another_areas_money_through_a_callback(web):
    """Posting straight to the callback endpoint for a force area outside the
    viewer's scope gets a refusal, not the data."""
    client, password = web
    sign_in(client, "board", password)
    from data_access.money import outturn
    from data_access.scope import Scope

    with pytest.raises(Exception) as refused:
        outturn.money_forecast(
            scope=Scope(role="viewer", area_codes=frozenset({"E23000036"})),
            area_code="E23000014",
        )
    assert type(refused.value).__name__ == "AccessDenied"
    body = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "E23000014"}],
    )
    text = post_callback(client, body).get_data(as_text=True)
    assert "outside your access" in text
    assert "Allocated" not in text and "spent" not in text


def test_security_headers_and_framing(web):
    client, _ = web
    response = client.get("/signin")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers


def test_session_cookie_is_httponly_and_lax(web):
    client, password = web
    response = sign_in(client, "board", password)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unreachable_store_gives_503_and_a_plain_message(web, store, monkeypatch):
    client, password = web
    store_url = store
    sign_in(client, "board", password)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    db.reset_engine()
    assert client.get("/readyz").status_code == 503
    body = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "E23000036"}],
    )
    response = post_callback(client, body)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    # Signed in, the store down: "temporarily unavailable", never "sign in".
    assert response.status_code == 503
    page = client.get("/accessibility")
    assert page.status_code == 200
    # When the store is back the same process answers again, without a restart.
    monkeypatch.setenv("DATABASE_URL", store_url)
    db.reset_engine()
    assert client.get("/readyz").status_code == 200
    assert "temporarily unavailable" not in post_callback(client, body).get_data(
        as_text=True
    )


# ------------------------------------------------------------------ plotly.js


def _vendored_basic_bundle() -> bytes:
    import gzip

    from web import embed, plotly_bundle

    path, _ = embed.STATIC_FILES[plotly_bundle.BUNDLE]
    return gzip.decompress((embed.STATIC_DIR / path).read_bytes())


def test_basic_bundle_is_the_plotly_js_version_the_python_package_writes_for():
    """Figures are built by the plotly package for its own plotly.js version; the
    served basic bundle must be that version (see web/static/vendor/VENDOR.md)."""
    from plotly.offline import get_plotlyjs_version

    head = _vendored_basic_bundle()[:200].decode()
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head


def test_pages_name_the_versioned_basic_plotly_bundle(web):
    """Every Dash page tells dcc.Graph (through assets/vru.js) to load the basic
    bundle from its versioned URL; no page lists the full bundle as a script."""
    import re

    client, password = web
    sign_in(client, "board", password)
    for path in ("/", "/violence", "/compare", "/accessibility"):
        html = client.get(path).get_data(as_text=True)
        (url,) = re.findall(r'<meta name="vru-plotly-js" content="([^"]+)"', html)
        assert url.startswith("/embed/static/plotly-basic.min.js?v=")
        assert "plotly.min.js" not in html
        assert "/assets/vru.js" in html and "/assets/vru-components.js" in html


def test_plotly_urls_serve_the_basic_bundle_gzipped_with_cache_headers(web):
    import gzip
    import pkgutil
    import re

    client, _ = web
    basic = _vendored_basic_bundle()
    full = pkgutil.get_data("plotly", "package_data/plotly.min.js")
    assert len(basic) < len(full) / 3  # the point: a quarter of the bytes

    html = client.get("/accessibility").get_data(as_text=True)
    (versioned,) = re.findall(r'<meta name="vru-plotly-js" content="([^"]+)"', html)
    # Dash's own unversioned URL, which its renderer names, and the one pages use.
    dash_url = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    for url, cache in (
        (versioned, "public, max-age=31536000, immutable"),
        (dash_url, "public, max-age=86400"),
    ):
        response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200, url
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert response.headers["Cache-Control"] == cache
        assert len(response.data) < 450 * 1024
        assert gzip.decompress(response.data) == basic
        # served by the app itself: the CSP's script-src 'self' covers it
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        again = client.get(
            url,
            headers={
                "Accept-Encoding": "gzip",
                "If-None-Match": response.headers["ETag"],
            },
        )
        assert again.status_code == 304
    # without gzip the same bundle, uncompressed
    plain = client.get(dash_url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == basic


# ------------------------------------------------------------------ Dash set-up


def _first_requests(fixed: bool) -> list[int]:
    """Statuses of script requests that reach a fresh Dash process while its first
    request is still setting Dash up (a slow layout widens that window)."""
    import threading
    import time

    import dash
    from dash import html

    from app import app as vru_app
    from app import serialize_dash_setup

    # A new Dash app's set-up takes every callback registered with dash.callback
    # that no app has claimed yet: let the VRU app claim the pages' callbacks first.
    vru_app.server.test_client().get("/healthz")
    app = dash.Dash(__name__)

    def slow_layout():
        time.sleep(0.5)
        return html.Div("ready")

    app.layout = slow_layout
    if fixed:
        serialize_dash_setup(app)
    script = "/_dash-component-suites/dash/" + dash.html._js_dist[0][
        "relative_package_path"
    ].replace(".min.js", ".v1_0_0m1.min.js")
    statuses: list[int] = []

    def get(path):
        statuses.append(app.server.test_client().get(path).status_code)

    first = threading.Thread(target=get, args=("/",))
    first.start()
    time.sleep(0.15)
    others = [threading.Thread(target=get, args=(script,)) for _ in range(4)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    return statuses


def test_first_requests_of_a_process_wait_for_dash_setup():
    """plotly/dash#3971: without app.serialize_dash_setup the page's scripts get
    HTTP 500 from a freshly started worker; with it they wait and get 200."""
    assert 500 in _first_requests(fixed=False)  # the bug the hook works around
    assert _first_requests(fixed=True) == [200] * 5
