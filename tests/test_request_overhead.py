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


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "private, no-store",
        "public",
        "Public",
        "public, max-age=300",
        "max-age=60, PUBLIC",
        "no-cache",
        'public="x"',
        "s-maxage=60,public",
        "x-public-thing=1",
    ],
)
def test_public_answer_is_werkzeugs_reading_of_cache_control(value):
    from flask import Response

    from web.security import public_answer

    response = Response("x")
    if value is not None:
        response.headers["Cache-Control"] = value
    assert public_answer(response) is bool(response.cache_control.public)


def test_saving_a_session_is_flasks_save_with_no_cookie_on_public_answers():
    """The shortcut for a session neither empty nor to be sent again sets what
    Flask's own save_session sets (Vary, cookies), in every case."""
    import itertools

    from flask import Response
    from flask.sessions import SecureCookieSessionInterface

    from web.security import NoCookieOnPublicAnswers

    server = _session_app()
    ours, flasks = NoCookieOnPublicAnswers(), SecureCookieSessionInterface()
    cases = itertools.product(
        [{}, {"_user_id": "5:1", "_fresh": True}],  # contents
        [False, True],  # modified
        [False, True],  # accessed
        [False, True],  # permanent
        [None, "private, no-store", "public, max-age=60"],  # Cache-Control
    )
    with server.test_request_context("/"):
        for contents, modified, accessed, permanent, cache_control in cases:
            answers = []
            for interface in (ours, flasks):
                session = interface.session_class(dict(contents))
                session.permanent = permanent
                session.modified, session.accessed = modified, accessed
                response = Response("x")
                if cache_control:
                    response.headers["Cache-Control"] = cache_control
                interface.save_session(server, session, response)
                answers.append(response.headers.getlist("Set-Cookie"))
                answers.append(response.headers.get("Vary"))
            case = (contents, modified, accessed, permanent, cache_control)
            if cache_control and "public" in cache_control:
                assert answers[0] == [] and answers[1] is None, case
            else:
                assert answers[:2] == answers[2:], case


def test_each_request_gets_its_own_copy_of_a_session_of_text():
    """A session of text and numbers (what this app writes) is copied with
    dict.copy: a request changing its session changes neither the remembered
    cookie's data nor the next request's session."""
    from flask import request

    server = _session_app()
    interface = server.session_interface
    client = server.test_client()
    client.get("/set")
    with_a_list = client.get_cookie("session").value
    # A session of text only, as sign-in writes it.
    with server.test_request_context("/"):
        value = interface.get_signing_serializer(server).dumps(
            {"_user_id": "5:1", "_fresh": True, "n": 3}
        )
    for cookie in (with_a_list, value):
        with server.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            first = interface.open_session(server, request)
            kept = dict(interface.verified(server, cookie)[0])
            first["_user_id"] = "changed"
            first["added"] = 1
            second = interface.open_session(server, request)
            assert dict(second) == kept
            assert interface.verified(server, cookie)[0] == kept
