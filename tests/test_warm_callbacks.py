"""Signed-in callback answers served in front of Flask (web.warm_callbacks): the same
status, headers and bytes as Flask's answer, only for a session Flask would accept
unchanged and whose access the sign-in gate confirmed within ACCESS_SECONDS; a
sign-out, disabled account, role change or password reset ends it at once on the
process that makes it and within ACCESS_SECONDS everywhere; anything unsure and any
cache outage go to Flask."""

import datetime as dt
import gzip
import json

import brotli
import cachelib.simple
import pytest
from flask_login.utils import _create_identifier
from itsdangerous import URLSafeTimedSerializer

from data_access import cache as cache_module
from data_access import db, users
from data_access.models import User
from tests.web_helpers import (
    AVON,
    BOARD_MEMBER,
    app_over_small_store,
    callback_request,
    sign_in,
)
from web import shared_cache, warm_callbacks

HEADERS = (
    "Content-Type",
    "Content-Encoding",
    "Content-Security-Policy",
    "Cache-Control",
    "Vary",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
)


@pytest.fixture
def web(store, monkeypatch):
    """The app over a small store with a per-process cache, counting the
    requests Flask handles and the overview's data calls."""
    with app_over_small_store(
        monkeypatch, {"board": BOARD_MEMBER}, CACHE_TYPE="SimpleCache"
    ) as small:
        server = small.server
        # The front layer lives as long as the app, and with it the sessions it
        # remembers: a cookie signed in an earlier test (same key, same user id,
        # same second) would be remembered here under that test's clock.
        _front(server)._sessions.clear()
        flask_requests = []
        hooks = server.before_request_funcs.setdefault(None, [])
        monkeypatch.setitem(
            server.before_request_funcs,
            None,
            [lambda: flask_requests.append(1), *hooks],
        )
        server.flask_requests = flask_requests
        server.calls = small.calls
        yield server, small.passwords["board"]


OVERVIEW = callback_request(
    "overview-content.children",
    [{"id": "overview-area", "property": "value", "value": AVON}],
)


def _signed_in(server, password, **headers):
    client = server.test_client()
    assert sign_in(client, "board", password).status_code == 302
    return client


def _click(client, body=OVERVIEW, **headers):
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type=headers.pop("content_type", "application/json"),
        headers=headers,
    )


def _warm(server, client, **headers):
    """Two clicks: Flask answers (and keeps), then the same answer in front."""
    first = _click(client, **headers)
    before = len(server.flask_requests)
    second = _click(client, **headers)
    assert first.status_code == second.status_code == 200
    assert len(server.flask_requests) == before, "not answered in front of Flask"
    return first, second


def _same_answer(first, second):
    assert second.status_code == first.status_code
    assert second.get_data() == first.get_data()
    for header in HEADERS:
        assert second.headers.get(header) == first.headers.get(header), header
    assert "Set-Cookie" not in second.headers


@pytest.mark.parametrize("encoding", ["", "gzip", "gzip, deflate, br"])
def test_a_repeated_click_is_answered_in_front_exactly_as_flask_did(web, encoding):
    server, password = web
    client = _signed_in(server, password)
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first, second = _warm(server, client, **headers)
    _same_answer(first, second)
    assert len(server.calls) == 1
    assert second.headers["Cache-Control"] == "private, no-store"
    assert "frame-ancestors 'none'" in second.headers["Content-Security-Policy"]
    body = second.get_data()
    encoding = second.headers.get("Content-Encoding")
    if encoding:  # Flask-Compress answers "gzip, deflate, br" with brotli
        body = {"gzip": gzip.decompress, "br": brotli.decompress}[encoding](body)
    assert json.loads(body)["response"]
    # Another Accept-Encoding is another answer (Flask-Compress chooses by it).
    before = len(server.flask_requests)
    _click(client, **{"Accept-Encoding": "identity"})
    assert len(server.flask_requests) == before + 1


def _end_by_sign_out(server, client, password):
    from tests.test_sessions import _sign_out

    assert _sign_out(client).status_code == 302


def _end_by(action):
    def end(server, client, password):
        with server.app_context():
            action()

    return end


ENDINGS = {
    "sign-out": _end_by_sign_out,
    "disabled": _end_by(lambda: users.set_active(username="board", active=False)),
    "role": _end_by(lambda: users.set_role(username="board", role="analyst")),
    "password": _end_by(lambda: users.set_password(username="board")),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_an_ended_session_gets_nothing_in_front_at_once(web, ending):
    """On the process that ends the sessions (a request, or a `flask` command
    with the app's cache), a copied cookie is refused by the very next click."""
    server, password = web
    client = _signed_in(server, password)
    copy = server.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    _warm(server, copy)
    ENDINGS[ending](server, client, password)
    assert _click(copy).status_code == 401


def test_a_change_the_hook_misses_holds_for_access_seconds_at_most(web, monkeypatch):
    """Disabled straight in the store (another process, a script without the app's
    cache): served in front until the access record expires, then refused."""
    server, password = web
    now = cachelib.simple.time()
    monkeypatch.setattr(cachelib.simple, "time", lambda: now)
    client = _signed_in(server, password)
    _warm(server, client)
    with db.session_scope() as session:
        user = session.query(User).filter_by(username="board").one()
        user.active = False
        user.session_version += 1
    assert _click(client).status_code == 200  # within ACCESS_SECONDS
    later = now + warm_callbacks.ACCESS_SECONDS + 1
    monkeypatch.setattr(cachelib.simple, "time", lambda: later)
    assert _click(client).status_code == 401


def test_a_cookie_that_is_not_signed_by_the_app_goes_to_flask(web):
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    value = client.get_cookie("session").value
    payload = json.dumps({"_user_id": "1:0"})
    forged = URLSafeTimedSerializer("not the key", salt="cookie-session").dumps(
        json.loads(payload)
    )
    for cookie in (value[:-2] + ("AA" if not value.endswith("AA") else "BB"), forged):
        stranger = server.test_client()
        stranger.set_cookie("session", cookie)
        before = len(server.flask_requests)
        assert _click(stranger).status_code == 401
        assert len(server.flask_requests) == before + 1


def test_an_expired_session_goes_to_flask(web, monkeypatch):
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    monkeypatch.setattr(server, "permanent_session_lifetime", dt.timedelta(seconds=-1))
    before = len(server.flask_requests)
    assert _click(client).status_code == 401
    assert len(server.flask_requests) == before + 1


def test_a_session_from_another_client_goes_to_flask(web):
    """Flask-Login's session protection: another address or user agent changes
    the session (marked not fresh), so Flask answers, with its cookie."""
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    before = len(server.flask_requests)
    other = _click(client, **{"User-Agent": "another browser"})
    assert other.status_code == 200
    assert len(server.flask_requests) == before + 1


def test_the_client_identifier_is_flask_logins(web):
    server, _ = web
    for headers, address in (
        ({"User-Agent": "Mozilla/5.0"}, "10.0.0.7"),
        ({}, "10.0.0.7"),
        ({"X-Forwarded-For": "192.0.2.1, 10.0.0.1", "User-Agent": "é"}, "10.0.0.7"),
    ):
        with server.test_request_context(
            "/", headers=headers, environ_base={"REMOTE_ADDR": address}
        ) as context:
            assert (
                warm_callbacks.client_identifier(context.request.environ)
                == _create_identifier()
            )


def test_an_answer_for_other_access_is_not_served(web):
    """The access record says what the gate found; an answer kept for another
    access (areas changed without a new session version) goes to Flask."""
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    with server.app_context():
        backend = server.extensions["cache"][shared_cache.cache]
        for key in [k for k in backend._cache if warm_callbacks.ACCESS_PREFIX in k]:
            version, _access = backend.get(key)
            backend.set(key, (version, "admin||None"), 60)
    before = len(server.flask_requests)
    assert _click(client).status_code == 200
    assert len(server.flask_requests) == before + 1


def test_a_body_that_is_not_json_goes_to_flask(web):
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    before = len(server.flask_requests)
    answer = _click(client, content_type="text/plain")
    assert answer.status_code != 200
    assert len(server.flask_requests) == before + 1


def test_a_cache_outage_means_flask_answers(web, monkeypatch):
    server, password = web
    client = _signed_in(server, password)
    first, _ = _warm(server, client)
    with server.app_context():
        backend = server.extensions["cache"][shared_cache.cache]

    def down(*_keys):
        raise ConnectionError("cache down")

    monkeypatch.setattr(backend, "get_many", down)
    monkeypatch.setattr(backend, "get", lambda _key: down())
    before = len(server.flask_requests)
    answer = _click(client)
    assert len(server.flask_requests) == before + 1
    assert answer.status_code == 200
    assert answer.get_data() == first.get_data()


def test_an_answer_not_kept_by_the_view_cache_is_not_kept_in_front(web):
    """A saved comparator group's answer is per person and per moment
    (web.view_cache keeps none): nor is it kept here."""
    server, password = web
    client = _signed_in(server, password)
    body = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "saved:1"}],
    )
    _click(client, body=body)
    with server.app_context():
        backend = server.extensions["cache"][shared_cache.cache]
        assert not [k for k in backend._cache if warm_callbacks.ANSWER_PREFIX in k]
    before = len(server.flask_requests)
    _click(client, body=body)
    assert len(server.flask_requests) == before + 1


def test_the_answer_key_holds_session_generation_encoding_and_body():
    environ = {"HTTP_ACCEPT_ENCODING": "gzip"}
    key = warm_callbacks.answer_key(1, 2, "g", environ, b"{}")
    assert key.startswith(warm_callbacks.ANSWER_PREFIX)
    assert (
        len(
            {
                key,
                warm_callbacks.answer_key(3, 2, "g", environ, b"{}"),
                warm_callbacks.answer_key(1, 3, "g", environ, b"{}"),
                warm_callbacks.answer_key(1, 2, "h", environ, b"{}"),
                warm_callbacks.answer_key(1, 2, "g", {}, b"{}"),
                warm_callbacks.answer_key(1, 2, "g", environ, b"{ }"),
            }
        )
        == 6
    )
    assert len(key) == len(warm_callbacks.ANSWER_PREFIX) + 64


def test_a_new_generation_is_not_answered_in_front(web):
    server, password = web
    client = _signed_in(server, password)
    _warm(server, client)
    cache_module.invalidate()
    before = len(server.flask_requests)
    _click(client)
    assert len(server.flask_requests) == before + 1


def test_on_redis_the_access_record_expires_within_access_seconds(web, monkeypatch):
    """On Redis (shared by every process) the record carries its own expiry, so
    a change the hook misses holds ACCESS_SECONDS at most on every process; the
    hook's deletion reaches every process at once."""
    import uuid

    import redis

    from tests.conftest import service_url

    server, password = web
    prefix = f"vru-warm-{uuid.uuid4().hex}:"
    for name, value in {
        "CACHE_TYPE": "web.signed_cache.SignedRedisCache",
        "CACHE_REDIS_URL": service_url("TEST_REDIS_URL"),
        "CACHE_KEY_PREFIX": prefix,
    }.items():
        server.config[name] = value
    shared_cache.cache.init_app(server)
    client = _signed_in(server, password)
    first, second = _warm(server, client)
    _same_answer(first, second)
    connection = redis.Redis.from_url(service_url("TEST_REDIS_URL"))
    try:
        (key,) = connection.keys(prefix + warm_callbacks.ACCESS_PREFIX + "*")
        assert 0 < connection.pttl(key) <= warm_callbacks.ACCESS_SECONDS * 1000
        with server.app_context():
            users.set_active(username="board", active=False)
        assert connection.exists(key) == 0
        assert _click(client).status_code == 401
    finally:
        for stale in connection.scan_iter(prefix + "*"):
            connection.delete(stale)


def test_with_caching_off_nothing_is_read_in_front(web, monkeypatch):
    """NullCache keeps nothing: the body and cookie are left to Flask alone (no
    cost on every click of a cache-off deployment)."""
    server, password = web
    server.config["CACHE_TYPE"] = "NullCache"
    shared_cache.cache.init_app(server)
    client = _signed_in(server, password)

    reads = []
    original = warm_callbacks._json_body

    def read(environ):
        reads.append(1)
        return original(environ)

    monkeypatch.setattr(warm_callbacks, "_json_body", read)
    assert _click(client).status_code == 200
    assert reads == []


def test_only_a_stated_modest_json_body_is_read_in_front():
    """Up to MAX_BODY_BYTES, read whole and handed on to Flask; a larger,
    chunked or unstated one is left unread for Flask (and its size limit)."""
    import io

    def environ(length, **extra):
        return {
            "CONTENT_TYPE": "application/json; charset=utf-8",
            "CONTENT_LENGTH": str(length),
            "wsgi.input": io.BytesIO(b"x" * length),
            **extra,
        }

    most = warm_callbacks.MAX_BODY_BYTES
    kept = environ(most)
    assert warm_callbacks._json_body(kept) == b"x" * most
    assert kept["wsgi.input"].read() == b"x" * most  # Flask reads it again
    for refused in (
        environ(most + 1),
        environ(10, HTTP_TRANSFER_ENCODING="chunked"),
        environ(10, CONTENT_TYPE="text/plain"),
        {**environ(10), "CONTENT_LENGTH": ""},
    ):
        stream = refused["wsgi.input"]
        assert warm_callbacks._json_body(refused) is None
        assert refused["wsgi.input"] is stream and stream.tell() == 0


def test_no_session_cookie_is_no_session():
    from app import app
    from web.auth import login_manager

    front = warm_callbacks.WarmCallbacks(
        None,
        server=app.server,
        login_manager=login_manager,
        path="/_dash-update-component",
        backend=lambda: None,
        timeout=lambda: 1,
    )
    assert front.session_user({}) is None
    assert front.session_user({"HTTP_COOKIE": "session="}) is None
    assert front.session_user({"HTTP_COOKIE": "other=1"}) is None


def _front(server) -> warm_callbacks.WarmCallbacks:
    layer = server.wsgi_app
    while not isinstance(layer, warm_callbacks.WarmCallbacks):
        layer = layer.app
    return layer


class _Clock:
    """warm_callbacks' `time`: the real clocks, moved on by hand (`ahead`)."""

    def __init__(self):
        import time

        self._time = time
        self.wall_ahead = self.mono_ahead = 0.0

    def time(self):
        return self._time.time() + self.wall_ahead

    def monotonic(self):
        return self._time.monotonic() + self.mono_ahead


@pytest.fixture
def verifications(web, monkeypatch):
    """The sessions the front verified in full (signature and contents), as
    opposed to the ones it remembered; and a clock to move on."""
    server, _ = web
    front = _front(server)
    seen = []
    verify = front._verified_session

    def counted(environ, cookies, rules):
        seen.append(cookies)
        return verify(environ, cookies, rules)

    monkeypatch.setattr(front, "_verified_session", counted)
    clock = _Clock()
    monkeypatch.setattr(warm_callbacks, "time", clock)
    return seen, clock


def test_a_verified_session_is_remembered_for_session_memo_seconds(web, verifications):
    server, password = web
    seen, clock = verifications
    client = _signed_in(server, password)
    _warm(server, client)
    before = len(seen)
    _warm(server, client)
    assert len(seen) == before, "verified again within SESSION_MEMO_SECONDS"
    clock.mono_ahead += warm_callbacks.SESSION_MEMO_SECONDS - 5
    _warm(server, client)
    assert len(seen) == before
    clock.mono_ahead += 6
    _warm(server, client)
    assert len(seen) == before + 1, "still remembered after SESSION_MEMO_SECONDS"


def test_a_remembered_session_past_its_max_age_goes_to_flask(
    web, verifications, monkeypatch
):
    """The memo never outlives the cookie: its age is checked on every click."""
    import itsdangerous.timed

    server, password = web
    seen, clock = verifications
    client = _signed_in(server, password)
    _warm(server, client)
    _warm(server, client)
    remembered = len(seen)
    monkeypatch.setattr(itsdangerous.timed, "time", clock)  # Flask's clock too
    clock.wall_ahead += server.permanent_session_lifetime.total_seconds() + 5
    before = len(server.flask_requests)
    answer = _click(client)
    assert answer.status_code == 401
    assert len(server.flask_requests) == before + 1
    assert len(seen) == remembered + 1, "not verified again"


def test_a_new_secret_key_forgets_every_remembered_session(web, verifications):
    server, password = web
    seen, _clock = verifications
    client = _signed_in(server, password)
    _warm(server, client)
    before = len(seen)
    server.secret_key = "another secret key, the old one leaked"
    flask_before = len(server.flask_requests)
    assert _click(client).status_code == 401
    assert len(server.flask_requests) == flask_before + 1
    assert len(seen) == before + 1


def test_a_remembered_session_still_needs_a_live_access_record(web, verifications):
    """Remembering the cookie changes nothing about ending sessions: a disabled
    user's very next click is refused, remembered cookie or not."""
    server, password = web
    seen, _clock = verifications
    client = _signed_in(server, password)
    _warm(server, client)
    _warm(server, client)
    with server.app_context():
        users.set_active(username="board", active=False)
    assert _click(client).status_code == 401


def test_the_session_memo_is_bounded(web, verifications, monkeypatch):
    server, password = web
    monkeypatch.setattr(warm_callbacks, "SESSION_MEMO_ENTRIES", 3)
    client = _signed_in(server, password)
    _warm(server, client)
    for n in range(6):  # another Cookie header each time, the same session
        client.set_cookie("unrelated", str(n))
        _click(client)
    assert 0 < len(_front(server)._sessions) <= 3


# A user's own saved comparator groups: /compare's list of them is kept per user
# (web.view_cache's per_user), on Redis only, and renewed when they change.


@pytest.fixture
def two_of_a_kind(store, monkeypatch):
    """Two users with the same access, on a Redis cache of the test's own."""
    import uuid

    import redis

    from tests.conftest import service_url

    url = service_url("TEST_REDIS_URL")
    prefix = f"vru-warm-{uuid.uuid4().hex}:"
    with app_over_small_store(
        monkeypatch,
        {"board": BOARD_MEMBER, "other": BOARD_MEMBER},
        CACHE_TYPE="web.signed_cache.SignedRedisCache",
        CACHE_REDIS_URL=url,
        CACHE_KEY_PREFIX=prefix,
    ) as small:
        server = small.server
        flask_requests = []
        hooks = server.before_request_funcs.setdefault(None, [])
        monkeypatch.setitem(
            server.before_request_funcs,
            None,
            [lambda: flask_requests.append(1), *hooks],
        )
        server.flask_requests = flask_requests
        connection = redis.Redis.from_url(url)
        try:
            yield server, small.passwords
        finally:
            for stale in connection.scan_iter(prefix + "*"):
                connection.delete(stale)


WEST_MIDLANDS = "E23000014"  # the small store's other force area


def _group_list_request(server) -> dict:
    output = next(o for o in server_callbacks() if "compare-group-list" in o)
    return callback_request(
        output,
        [{"id": "compare-group-version", "property": "data", "value": 0}],
        [{"id": "compare-benchmark", "property": "value", "value": "national"}],
    )


def server_callbacks():
    from app import app

    return app.callback_map


def _save_group_request(name: str, areas: list[str]) -> dict:
    output = next(o for o in server_callbacks() if "compare-group-status" in o)
    body = callback_request(
        output,
        [
            {"id": "compare-group-save", "property": "n_clicks", "value": 1},
            [],
        ],
        [
            {"id": "compare-group-name", "property": "value", "value": name},
            {"id": "compare-group-areas", "property": "value", "value": areas},
            {"id": "compare-benchmark", "property": "value", "value": "national"},
            {"id": "compare-group-version", "property": "data", "value": 0},
        ],
    )
    body["changedPropIds"] = ["compare-group-save.n_clicks"]
    return body


def _signed_in_as(server, username, password):
    client = server.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def test_a_users_own_groups_are_kept_for_them_alone_and_renewed_on_change(
    two_of_a_kind,
):
    server, passwords = two_of_a_kind
    board = _signed_in_as(server, "board", passwords["board"])
    other = _signed_in_as(server, "other", passwords["other"])
    listing = _group_list_request(server)
    first = _click(board, body=listing)
    before = len(server.flask_requests)
    again = _click(board, body=listing)
    assert len(server.flask_requests) == before, "not answered in front"
    _same_answer(first, again)
    # Saved through the page's own callback: the next listing is built afresh,
    # in front of Flask and in Flask's cache alike.
    saved = _click(board, body=_save_group_request("Mine", [AVON, WEST_MIDLANDS]))
    assert "it is now the benchmark" in saved.get_data(as_text=True)
    before = len(server.flask_requests)
    fresh = _click(board, body=listing)
    assert len(server.flask_requests) == before + 1
    assert "Mine" in fresh.get_data(as_text=True)
    # The other user, with the same access, never gets the first one's list.
    theirs = _click(other, body=listing)
    assert "Mine" not in theirs.get_data(as_text=True)


def test_a_users_own_groups_are_not_kept_on_a_cache_of_one_process(web):
    """SimpleCache is per process: a new stamp would not reach the others, so
    nothing per user is kept there (nor in front of Flask)."""
    server, password = web
    client = _signed_in(server, password)
    listing = _group_list_request(server)
    before = len(server.flask_requests)
    assert _click(client, body=listing).status_code == 200
    assert _click(client, body=listing).status_code == 200
    assert len(server.flask_requests) == before + 2
    with server.app_context():
        backend = server.extensions["cache"][shared_cache.cache]
        assert not [k for k in backend._cache if warm_callbacks.ANSWER_PREFIX in k]
