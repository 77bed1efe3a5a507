"""Both caches keep each caller's answers apart (web/view_cache.py for Dash
callbacks, web/response_cache.py for public embeds), on the per-process cache and
on Redis: callers differing only in their areas, only in their role, or a caller
with no areas against an analyst never share an answer; two query strings are two
answers; a non-200 answer and an answer that sets a cookie are never kept."""

from __future__ import annotations

import uuid

import pytest
import redis
from cachelib import RedisCache, SimpleCache
from sqlalchemy import delete, select

from data_access import board_overview, db
from data_access.models import User, UserArea
from tests.conftest import service_url
from tests.web_helpers import (
    AVON,
    app_over_small_store,
    callback_request,
    post_callback,
    sign_in,
)
from web import shared_cache

WEST_MIDLANDS = "E23000014"
DENIED = "outside your access"
BACKENDS = ["SimpleCache", "RedisCache"]


def _redis_config() -> dict:
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": service_url("TEST_REDIS_URL"),
        "CACHE_KEY_PREFIX": f"vru-isolation-{uuid.uuid4().hex}:",
    }


@pytest.fixture(params=BACKENDS)
def app_with_users(request, store, monkeypatch):
    """The app over a small store with a real cache (per-process or Redis), one
    account per kind of caller, and a count of overview computations."""
    config = (
        {"CACHE_TYPE": "SimpleCache", "CACHE_KEY_PREFIX": "vru-isolation:"}
        if request.param == "SimpleCache"
        else _redis_config()
    )
    accounts = {
        "avon-viewer": dict(role="viewer", area_codes=(AVON,)),
        "west-midlands-viewer": dict(role="viewer", area_codes=(WEST_MIDLANDS,)),
        # An analyst who happens to carry Avon: differs from the Avon viewer in
        # role only.
        "avon-analyst": dict(role="analyst", area_codes=(AVON,)),
        "analyst": dict(role="analyst"),
        "no-area-viewer": dict(role="viewer", area_codes=(AVON,)),
    }
    with app_over_small_store(
        monkeypatch,
        {name: {**kw, "role_title": "Board Member"} for name, kw in accounts.items()},
        PROPAGATE_EXCEPTIONS=False,
        **config,
    ) as small:
        # A viewer whose areas were all taken away: no areas at all.
        with db.session_scope() as session:
            user_id = session.scalar(
                select(User.id).where(User.username == "no-area-viewer")
            )
            session.execute(delete(UserArea).where(UserArea.user_id == user_id))
        server = small.server
        clients = {}
        for name, password in small.passwords.items():
            clients[name] = server.test_client()
            assert sign_in(clients[name], name, password).status_code == 302
        yield server, clients, small.calls


def _overview(area: str) -> dict:
    return callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": area}],
    )


def _view_keys(server) -> list:
    with server.app_context():
        backend = shared_cache.cache.cache
        if isinstance(backend, SimpleCache):
            return [k for k in backend._cache if "view:" in k]
        return backend._read_client.keys(backend.key_prefix + "view:*")


def _answer(client, area: str) -> str:
    response = post_callback(client, _overview(area))
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "first, second",
    [
        # Same role, different areas: the key must hold the caller's area codes.
        ("west-midlands-viewer", "avon-viewer"),
        # Same areas, different role: the key must hold the role.
        ("avon-analyst", "avon-viewer"),
        # No areas against an analyst (no areas either): again only the role.
        ("analyst", "no-area-viewer"),
    ],
)
def test_the_view_cache_never_serves_one_callers_answer_to_another(
    app_with_users, first, second
):
    server, clients, calls = app_with_users
    allowed = _answer(clients[first], WEST_MIDLANDS)
    assert DENIED not in allowed and "West Midlands" in allowed
    assert len(_view_keys(server)) == 1
    refused = _answer(clients[second], WEST_MIDLANDS)
    assert DENIED in refused
    assert len(calls) == 2, "the second caller's answer was computed for them"
    assert len(_view_keys(server)) == 2
    # Each caller's own answer is still reused for them.
    assert _answer(clients[first], WEST_MIDLANDS) == allowed
    assert _answer(clients[second], WEST_MIDLANDS) == refused
    assert len(calls) == 2


def test_the_view_cache_keeps_no_failed_answer(app_with_users, monkeypatch):
    server, clients, calls = app_with_users

    def broken(**kwargs):
        raise RuntimeError("a bug in the callback")

    monkeypatch.setattr(board_overview, "overview_summary", broken)
    failed = post_callback(clients["analyst"], _overview(AVON))
    assert failed.status_code == 500
    assert _view_keys(server) == []
    monkeypatch.undo()
    # The same request, once the callback works, is computed (not the 500 again).
    assert post_callback(clients["analyst"], _overview(AVON)).status_code == 200


# ------------------------------------------------------------- response cache

EMBED = "/embed/trend?area={}"


@pytest.fixture(params=BACKENDS)
def embed_server(request, loaded_sqlite_store, monkeypatch):
    """The app with a real response cache (per-process or on Redis) and a count of
    embed view calls."""
    from app import app

    server = app.server
    server.config["TESTING"] = True
    # A worker's first request runs Dash's set-up (may set a cookie): done first.
    server.test_client().get("/embed/trend")
    if request.param == "SimpleCache":
        backend = SimpleCache()
    else:
        prefix = f"vru-isolation-{uuid.uuid4().hex}:"
        client = redis.Redis.from_url(service_url("TEST_REDIS_URL"))
        backend = RedisCache(host=client, key_prefix=prefix)
    monkeypatch.setitem(server.extensions["cache"], shared_cache.cache, backend)
    server.view_calls = []
    view = server.view_functions["embed.embed"]

    def counted(*args, **kwargs):
        server.view_calls.append(request.param)
        return view(*args, **kwargs)

    monkeypatch.setitem(server.view_functions, "embed.embed", counted)
    yield server, backend
    backend.clear()


def _kept(backend) -> list:
    if isinstance(backend, SimpleCache):
        return [k for k in backend._cache if "response:" in k]
    return backend._read_client.keys(backend.key_prefix + "response:*")


def test_two_query_strings_are_two_kept_answers(embed_server):
    server, backend = embed_server
    client = server.test_client()
    avon = client.get(EMBED.format(AVON))
    west_midlands = client.get(EMBED.format(WEST_MIDLANDS))
    assert avon.status_code == west_midlands.status_code == 200
    assert b"Avon and Somerset" in avon.data
    assert b"West Midlands" in west_midlands.data
    assert b"Avon and Somerset" not in west_midlands.data
    assert len(server.view_calls) == 2
    assert len(_kept(backend)) == 2
    # And each is then served from its own kept copy.
    assert client.get(EMBED.format(WEST_MIDLANDS)).data == west_midlands.data
    assert client.get(EMBED.format(AVON)).data == avon.data
    assert len(server.view_calls) == 2


def test_an_answer_that_sets_a_cookie_is_never_kept(embed_server, monkeypatch):
    server, backend = embed_server
    view = server.view_functions["embed.embed"]

    def with_cookie(*args, **kwargs):
        response = server.make_response(view(*args, **kwargs))
        response.set_cookie("visitor", "someone")
        return response

    monkeypatch.setitem(server.view_functions, "embed.embed", with_cookie)
    first = server.test_client().get(EMBED.format(AVON))
    assert first.status_code == 200 and "visitor=" in first.headers["Set-Cookie"]
    assert _kept(backend) == []
    second = server.test_client().get(EMBED.format(AVON))
    assert "visitor=" in second.headers["Set-Cookie"]
    assert len(server.view_calls) == 2


def test_an_error_answer_is_never_kept(embed_server, monkeypatch):
    server, backend = embed_server
    for _ in range(2):
        assert server.test_client().get(EMBED.format("E99999999")).status_code == 404
    assert _kept(backend) == []
    # Even when the view has opted in (a canonical URL) and then answers otherwise.
    view = server.view_functions["embed.embed"]

    def unavailable(*args, **kwargs):
        response = server.make_response(view(*args, **kwargs))
        response.status_code = 503
        return response

    monkeypatch.setitem(server.view_functions, "embed.embed", unavailable)
    for _ in range(2):
        assert server.test_client().get(EMBED.format(AVON)).status_code == 503
    assert _kept(backend) == []
    assert len(server.view_calls) == 4


def test_a_body_that_is_not_a_callback_request_is_not_looked_up(app_with_users):
    """A body that is not JSON is Dash's to refuse (400): the cache neither fails
    on it nor keeps anything for it."""
    server, clients, _ = app_with_users
    response = clients["analyst"].post(
        "/_dash-update-component", data="not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert _view_keys(server) == []


def test_a_cached_callback_must_have_an_output():
    from dash import Input

    from web.view_cache import cached_callback

    with pytest.raises(ValueError, match="at least one Output"):
        cached_callback(Input("overview-area", "value"))


def test_a_callback_not_registered_as_cacheable_is_never_kept(app_with_users):
    """The returns page's callbacks (per-person work in progress) run every time."""
    server, clients, _ = app_with_users
    body = callback_request(
        "returns-submissions.children",
        [
            {"id": "returns-refresh-upload", "property": "data", "value": 0},
            {"id": "returns-refresh-action", "property": "data", "value": 0},
            {"id": "returns-workstream", "property": "value", "value": None},
        ],
    )
    for _ in range(2):
        assert post_callback(clients["analyst"], body).status_code == 200
    assert _view_keys(server) == []


def test_with_caching_off_the_response_cache_passes_every_answer_through():
    from web.response_cache import ResponseCache

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from the app"]

    middleware = ResponseCache(
        app, applies=lambda path: True, backend=lambda: None, timeout=lambda: 60
    )
    started = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/embed/trend"}
    answer = middleware(environ, lambda status, headers: started.append(status))
    assert list(answer) == [b"from the app"] and started == ["200 OK"]


def test_a_kept_answer_closes_the_apps_iterable(store):
    """WSGI: whoever consumes an app's answer closes it (files, database cursors)."""
    from web.response_cache import CACHEABLE, ResponseCache

    closed = []

    class Answer(list):
        def close(self):
            closed.append(True)

    def app(environ, start_response):
        environ[CACHEABLE] = True
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Answer([b"kept"])

    middleware = ResponseCache(
        app, applies=lambda path: True, backend=SimpleCache, timeout=lambda: 60
    )
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/embed/trend"}
    assert list(middleware(environ, lambda *args: None)) == [b"kept"]
    assert closed == [True]


def test_with_no_store_generation_the_app_answers_and_nothing_is_kept(monkeypatch):
    """No generation to key by (the store is down): every request goes to the app,
    nothing is read from or written to the cache."""
    from data_access.errors import StoreUnavailable
    from web import response_cache

    def down():
        raise StoreUnavailable("the database cannot be reached")

    monkeypatch.setattr(response_cache, "shared_generation", down)
    calls, backend = [], SimpleCache()

    def app(environ, start_response):
        environ[response_cache.CACHEABLE] = True
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from the app"]

    middleware = response_cache.ResponseCache(
        app, applies=lambda path: True, backend=lambda: backend, timeout=lambda: 60
    )
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/embed/trend"}
    for _ in range(2):
        answer = middleware(dict(environ), lambda *args: None)
        assert list(answer) == [b"from the app"]
    assert calls == ["/embed/trend", "/embed/trend"]
    assert backend._cache == {}
