"""The store comes back by itself after PostgreSQL drops every connection (a
restart, a failover): no worker restart, at most one "temporarily unavailable"
answer per process."""

import pytest
from sqlalchemy import text

from data_access import db, meta
from data_access.errors import StoreUnavailable


def _drop_every_app_connection() -> None:
    """What a PostgreSQL restart does to the pool: every backend is gone."""
    with (
        db.get_engine()
        .connect()
        .execution_options(isolation_level="AUTOCOMMIT") as connection
    ):
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


@pytest.fixture
def postgres_store(store):
    if not store.startswith("postgresql"):
        pytest.skip("connection drops are a PostgreSQL matter")
    # Fill the pool with a few connections, all of them used a moment ago.
    engine = db.get_engine()
    held = [engine.connect() for _ in range(3)]
    for connection in held:
        connection.execute(text("SELECT 1"))
        connection.close()
    return store


def test_an_idle_pool_is_checked_before_use(postgres_store, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    _drop_every_app_connection()
    # Every pooled connection is dead, but each is pinged before use and replaced.
    for _ in range(4):
        assert meta.store_has_data() in (True, False)


def test_a_recently_used_pool_fails_once_then_recovers(postgres_store, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)
    _drop_every_app_connection()
    failures = 0
    for _ in range(4):
        try:
            meta.store_has_data()
        except StoreUnavailable:
            failures += 1
    # The first use finds its connection dead; SQLAlchemy then discards the whole
    # pool, so every later call connects afresh.
    assert failures <= 1
    meta.store_has_data()
