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
    from data_access import money
    from data_access.scope import Scope

    with pytest.raises(Exception) as refused:
        money.money_summary(
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
    assert response.status_code in (200, 401, 503)
    page = client.get("/accessibility")
    assert page.status_code == 200
    # When the store is back the same process answers again, without a restart.
    monkeypatch.setenv("DATABASE_URL", store_url)
    db.reset_engine()
    assert client.get("/readyz").status_code == 200
    assert "temporarily unavailable" not in post_callback(client, body).get_data(
        as_text=True
    )
