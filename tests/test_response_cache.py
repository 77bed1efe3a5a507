"""Whole embed answers kept and served in front of Flask (web.response_cache):
the same bytes and headers as Flask's answer, only for canonical URLs, never for
errors or conditional requests, dropped by invalidate(), and a cache outage
falls back to Flask."""

import gzip
import os
import uuid

import pytest
import redis
from cachelib import RedisCache, SimpleCache

from data_access.cache import invalidate
from web.shared_cache import cache

PAGE = "/embed/trend?area=E23000036"


@pytest.fixture
def server(loaded_store, monkeypatch):
    """The app with a real (in-process) cache and a count of embed view calls."""
    from app import app

    server = app.server
    server.config["TESTING"] = True
    # A worker's first request runs Dash's own set-up, which can start a session
    # (a Set-Cookie answer, never kept): done here, before anything is counted.
    server.test_client().get("/embed/trend")
    monkeypatch.setitem(server.extensions["cache"], cache, SimpleCache())
    server.view_calls = []
    for endpoint in ("embed.embed", "embed.embed_csv"):
        view = server.view_functions[endpoint]

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            server.view_calls.append(_endpoint)
            return _view(*args, **kwargs)

        monkeypatch.setitem(server.view_functions, endpoint, counted)
    return server


def _get(server, path, **headers):
    return server.test_client().get(path, headers=headers)


def _same_answer(first, second):
    assert second.status_code == first.status_code == 200
    assert second.data == first.data
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "Cache-Control",
        "ETag",
        "Vary",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert second.headers.get(header) == first.headers.get(header), header
    assert second.headers.get("Content-Encoding") == first.headers.get(
        "Content-Encoding"
    )
    assert int(second.headers["Content-Length"]) == len(second.data)
    assert "Set-Cookie" not in second.headers


def test_a_kept_answer_is_served_without_flask_and_is_identical(server):
    plain = _get(server, PAGE)
    zipped = _get(server, PAGE, **{"Accept-Encoding": "gzip"})
    assert server.view_calls == ["embed.embed", "embed.embed"]
    # Each encoding is kept on its own; both now come from the kept copy.
    _same_answer(plain, _get(server, PAGE))
    _same_answer(zipped, _get(server, PAGE, **{"Accept-Encoding": "gzip, br"}))
    assert server.view_calls == ["embed.embed", "embed.embed"]
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    head = server.test_client().head(PAGE)
    assert head.status_code == 200 and head.data == b""
    assert server.view_calls == ["embed.embed", "embed.embed"]


def test_the_csv_is_kept_too(server):
    first = _get(server, "/embed/trend/data.csv?area=E23000036")
    _same_answer(first, _get(server, "/embed/trend/data.csv?area=E23000036"))
    assert server.view_calls == ["embed.embed_csv"]


@pytest.mark.parametrize(
    "path",
    [
        "/embed/trend?area=E23000036&made_up=1",  # a parameter the chart ignores
        "/embed/trend?area=E23000036&area=E23000036",  # a duplicate
        "/embed/trend?area=%20E23000036",  # a value the view trims
        "/embed/trend?area=E99999999",  # an error answer
        "/embed/no-such-chart",
    ],
)
def test_only_canonical_successful_answers_are_kept(server, path):
    first = _get(server, path)
    second = _get(server, path)
    assert second.status_code == first.status_code
    assert len(server.view_calls) == 2, "the second answer should come from Flask"
    assert not [k for k in server.extensions["cache"][cache]._cache if "response:" in k]


def test_conditional_requests_get_304_from_flask(server):
    etag = _get(server, PAGE).headers["ETag"]
    again = _get(server, PAGE, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert server.view_calls == ["embed.embed", "embed.embed"]


def test_invalidate_drops_kept_answers(server):
    _get(server, PAGE)
    _get(server, PAGE)
    assert server.view_calls == ["embed.embed"]
    with server.app_context():
        invalidate()
    assert _get(server, PAGE).status_code == 200
    assert server.view_calls == ["embed.embed", "embed.embed"]


class _DeadCache(SimpleCache):
    def get(self, key):
        raise ConnectionError("cache down")

    def set(self, key, value, timeout=None):
        raise ConnectionError("cache down")


def test_a_cache_outage_falls_back_to_flask(server, monkeypatch):
    monkeypatch.setitem(server.extensions["cache"], cache, _DeadCache())
    for _ in range(2):
        response = _get(server, PAGE)
        assert response.status_code == 200 and b'id="embed-plot"' in response.data
    assert server.view_calls == ["embed.embed", "embed.embed"]


def test_app_pages_are_never_kept(server):
    _get(server, "/embed/static/embed.css")
    _get(server, "/embed")
    _get(server, "/signin")
    assert not [k for k in server.extensions["cache"][cache]._cache if "response:" in k]


def test_kept_answers_are_shared_through_redis(server, monkeypatch):
    """Another worker (a second backend object on the same Redis) answers from the
    copy the first one kept."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set: Redis tests run in CI")
    prefix = f"vru-test-{uuid.uuid4().hex}:"

    def worker():
        return RedisCache(host=redis.Redis.from_url(url), key_prefix=prefix)

    monkeypatch.setitem(server.extensions["cache"], cache, worker())
    first = _get(server, PAGE, **{"Accept-Encoding": "gzip"})
    monkeypatch.setitem(server.extensions["cache"], cache, worker())
    _same_answer(first, _get(server, PAGE, **{"Accept-Encoding": "gzip"}))
    assert server.view_calls == ["embed.embed"]
    client = redis.Redis.from_url(url)
    client.delete(*client.keys(prefix + "*"))
