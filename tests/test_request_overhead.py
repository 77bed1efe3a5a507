"""Per-request work only where it is needed: requests outside the API skip
Flask-Limiter's lookup of limits (only /api/v1 has any)."""

import time

import pytest


@pytest.fixture
def server(loaded_store, monkeypatch):
    from app import app

    monkeypatch.setenv("API_RATE_LIMIT", "100000/minute")
    app.server.config["TESTING"] = True
    return app.server


def test_only_api_requests_have_their_rate_limits_looked_up(server, monkeypatch):
    from web.api import limiter

    looked_up = []
    real_resolve = limiter.limit_manager.resolve_limits

    def resolve(app, endpoint, *args, **kwargs):
        looked_up.append(endpoint)
        return real_resolve(app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", resolve)
    client = server.test_client()
    assert client.get("/signin").status_code == 200
    assert client.get("/api/v1/areas?level=country").status_code == 200
    assert looked_up == ["api.areas"]


def _session_app():
    import datetime as dt

    from flask import Flask, session

    from web.security import NoCookieOnPublicAnswers

    server = Flask("session-test")
    server.secret_key = "s" * 40
    server.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=8)
    server.session_interface = NoCookieOnPublicAnswers()

    @server.route("/set")
    def set_session():
        session["user"] = "5"
        session["notes"] = [("a", 1)]
        return "set"

    @server.route("/read")
    def read_session():
        seen = repr({key: session[key] for key in sorted(session)})
        if "notes" in session:
            session["notes"].append(("changed by this request", 2))
        return seen

    return server


class _Clock:
    """itsdangerous's clock (its module `time`), at a chosen moment."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def _verifications(monkeypatch):
    """Count the session cookies whose signature is checked."""
    from itsdangerous import URLSafeTimedSerializer

    checked = []
    real_loads = URLSafeTimedSerializer.loads

    def loads(self, value, *args, **kwargs):
        checked.append(value)
        return real_loads(self, value, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", loads)
    return checked


def test_a_session_cookie_is_verified_once_and_opens_the_same_session(monkeypatch):
    server = _session_app()
    client = server.test_client()
    client.get("/set")
    checked = _verifications(monkeypatch)
    answers = [client.get("/read").get_data(as_text=True) for _ in range(3)]
    # The same session every time, although each request changed its own copy.
    assert answers == [repr({"notes": [("a", 1)], "user": "5"})] * 3
    assert len(checked) == 1


def test_a_remembered_cookie_still_expires_and_a_changed_key_refuses_it(monkeypatch):
    import itsdangerous.timed

    server = _session_app()
    client = server.test_client()
    client.get("/set")
    assert "user" in client.get("/read").get_data(as_text=True)
    now = time.time()
    lifetime = 8 * 3600
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(now + lifetime - 5))
    assert "user" in client.get("/read").get_data(as_text=True)
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(now + lifetime + 5))
    assert client.get("/read").get_data(as_text=True) == "{}"
    # Signed in the future (a clock set back): refused, as itsdangerous refuses it.
    monkeypatch.setattr(itsdangerous.timed, "time", _Clock(now - 60))
    assert client.get("/read").get_data(as_text=True) == "{}"
    monkeypatch.undo()
    server.secret_key = "t" * 40
    assert client.get("/read").get_data(as_text=True) == "{}"


def test_a_tampered_session_cookie_opens_an_empty_session():
    server = _session_app()
    client = server.test_client()
    client.get("/set")
    cookie = client.get_cookie("session").value
    client.set_cookie("session", cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert client.get("/read").get_data(as_text=True) == "{}"


def test_without_a_secret_key_no_cookie_is_verified():
    """warm_callbacks asks `verified` directly (not through open_session, which
    checks the key first): with no secret key it answers None, not an error."""
    server = _session_app()
    client = server.test_client()
    client.get("/set")
    cookie = client.get_cookie("session").value
    server.secret_key = None
    assert server.session_interface.verified(server, cookie) is None
