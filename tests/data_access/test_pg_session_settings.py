"""Settings each PostgreSQL connection of the app's engine starts with
(data_access.db._without_jit)."""

from __future__ import annotations

import pytest

from data_access import db


def test_jit_is_off_on_every_pooled_connection(store):
    """JIT compiled short reads on every click (30 ms of a 39 ms statement at 10
    million output rows): off on each connection the pool opens, and the
    connection comes back to the pool idle (no transaction left open by the
    SET), in autocommit reads and in transactions alike."""
    if not store.startswith("postgresql"):
        pytest.skip("a PostgreSQL setting")
    from psycopg.pq import TransactionStatus

    engine = db.get_engine()
    engine.dispose()
    with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            status = connection.connection.dbapi_connection.info.transaction_status
            assert status == TransactionStatus.IDLE
        for connection in (first, second):
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    with db.read_connection() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
    with db.session_scope() as session:
        assert session.connection().exec_driver_sql("SHOW jit").scalar() == "off"
