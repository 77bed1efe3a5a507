"""The shared cache: Redis serves every process, an outage degrades to uncached
answers (never errors), and invalidation forgets cached queries."""

import os
import uuid

import pytest
from flask import Flask
from sqlalchemy import event

from data_access import areas, db
from data_access.cache import invalidate
from web.shared_cache import cache


def _app(**config) -> Flask:
    server = Flask(f"cache-test-{uuid.uuid4().hex}")
    server.config.update(CACHE_KEY_PREFIX=f"vru-test-{uuid.uuid4().hex}:", **config)
    cache.init_app(server)
    return server


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set: Redis tests run in CI")
    return url


def test_a_dead_redis_degrades_to_uncached_answers(loaded_sqlite_store):
    server = _app(
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL="redis://127.0.0.1:1/0",
        CACHE_OPTIONS={"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    )
    with server.app_context():
        assert areas.get_area("E23000036").name == "Avon and Somerset"
        assert areas.get_area("E23000036").name == "Avon and Somerset"


def test_redis_cache_is_shared_and_invalidated(
    loaded_sqlite_store, redis_url, monkeypatch
):
    prefix_config = dict(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    first = _app(**prefix_config)
    # A second app (as another worker would be) with the same key prefix.
    second = Flask("second-worker")
    second.config.update(
        CACHE_KEY_PREFIX=first.config["CACHE_KEY_PREFIX"], **prefix_config
    )
    cache.init_app(second)
    with first.app_context():
        frame = areas.list_areas(level="pfa")
        keys = cache.cache._write_client.keys(first.config["CACHE_KEY_PREFIX"] + "*")
        assert keys, "nothing was written to Redis"
    # The second worker answers from Redis even with the store unreachable.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    db.reset_engine()
    with second.app_context():
        assert areas.list_areas(level="pfa").equals(frame)
    # An import or approval (which invalidates) only happens with the store up.
    monkeypatch.setenv("DATABASE_URL", loaded_sqlite_store)
    db.reset_engine()
    with first.app_context():
        invalidate()
        # Nothing is flushed (other readers keep their hits) ...
        assert cache.cache._write_client.keys(first.config["CACHE_KEY_PREFIX"] + "*")
    reads = []

    def note(_conn, _cursor, statement, *_args):
        reads.append(statement)

    event.listen(db.get_engine(), "before_cursor_execute", note)
    try:
        with second.app_context():
            # ... but the next read is under the new generation, from the store.
            assert areas.list_areas(level="pfa").equals(frame)
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", note)
    assert any("FROM area" in statement for statement in reads)


def test_a_request_reads_a_memoized_query_once_even_with_the_cache_off(store):
    """data_access keeps its per-request memo in the state the web layer binds
    (data_access.context -> flask.g, web/shared_cache.py): within one request a
    memoized query runs once, each caller gets its own copy, and outside a request
    every call goes to the store."""
    from data_access.cache import memoized

    calls = []

    @memoized
    def counted(x):
        calls.append(x)
        return [x]

    server = Flask(f"memo-test-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)
    with server.test_request_context():
        first = counted(1)
        first.append("changed by a caller")
        assert counted(1) == [1]
    assert calls == [1]
    counted(1)
    assert calls == [1, 1]
