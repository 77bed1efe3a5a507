"""One engine per process, created lazily from DATABASE_URL; sessions per call."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

import settings
from data_access import context
from data_access.errors import StoreUnavailable

_lock = threading.Lock()
_engine: Engine | None = None
_engine_pid: int | None = None
_sessionmaker: sessionmaker[Session] | None = None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # WAL lets gunicorn workers read while one process writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_engine(
        url, pool_size=5, max_overflow=5, connect_args={"connect_timeout": 5}
    )
    _ping_idle_connections(engine)
    _without_jit(engine)
    return engine


def _without_jit(engine: Engine) -> None:
    """Turn PostgreSQL's JIT compilation off on each new connection.

    JIT pays off for long analytic queries; the store's reads are short, but
    the planner prices a statement with a subquery per measure (e.g. /compare's
    list of measures with financial years) above jit_above_cost and compiled it
    on every click: 30 ms of a 39 ms statement at 10 million output rows, and
    about half of PostgreSQL's time over the first-load clicks (issue 19,
    benchmarks/RESULTS.md). A SET, not a startup option, so a pooler that
    rejects startup options (PgBouncer) still connects; a deployment may set
    jit = off on the database role instead."""

    @event.listens_for(engine, "connect")
    def _jit_off(dbapi_conn, _record):  # noqa: ANN001
        cursor = dbapi_conn.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        # psycopg opened a transaction for the SET; end it so the pool hands
        # out the connection idle, as it received it
        dbapi_conn.commit()


# A pooled connection unused for this long is pinged before it is handed out, so
# a database restart is noticed before a request uses a dead connection.
IDLE_PING_SECONDS = 2.0


def _ping_idle_connections(engine: Engine) -> None:
    """Like SQLAlchemy's pool_pre_ping, but only for connections that sat idle.

    pool_pre_ping costs a round trip on every checkout: a third of the time of a
    cached click. A connection used in the last seconds is alive, or the database
    restarted in those seconds; then the request using it gets the "temporarily
    unavailable" answer, SQLAlchemy discards the whole pool, and the next request
    connects afresh."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _note_last_use(_dbapi_conn, record):  # noqa: ANN001
        record.info["vru_last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):  # noqa: ANN001
        last_used = record.info.get("vru_last_used", 0.0)
        if time.monotonic() - last_used < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:  # noqa: BLE001 - any failure means "reconnect"
            # The pool discards this connection and checks out a fresh one.
            raise exc.DisconnectionError("idle connection is gone") from error


def get_engine() -> Engine:
    """The process's engine; re-created after a fork so workers never share sockets."""
    global _engine, _engine_pid, _sessionmaker
    with _lock:
        if _engine is None or _engine_pid != os.getpid():
            _engine = _make_engine(settings.database_url())
            _engine_pid = os.getpid()
            _sessionmaker = sessionmaker(_engine, expire_on_commit=False)
        return _engine


def reset_engine() -> None:
    """Forget the engine (tests switch DATABASE_URL between stores)."""
    global _engine, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _sessionmaker = None


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one call: committed on success, rolled back on any error.

    Connection failures become StoreUnavailable so pages can say so plainly."""
    get_engine()
    assert _sessionmaker is not None
    session = _sessionmaker()
    try:
        yield session
        session.commit()
    except (exc.OperationalError, exc.InterfaceError) as error:
        session.rollback()
        if _is_connection_error(error):
            _mark_store_failure()
            raise StoreUnavailable("the database cannot be reached") from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextlib.contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection for read-only statements, outside any transaction.

    Every signed-in request reads its user this way: with no BEGIN and COMMIT the
    read is one round trip to the store (plus the pool's liveness ping) instead of
    four. Connection failures become StoreUnavailable, as in session_scope.

    Within a web request the reads share one connection (_RequestConnection),
    given back to the pool when the request ends (release_request_connection):
    checking a connection out, setting AUTOCOMMIT and checking it back in cost
    ~60 us of CPU per read on PostgreSQL (~15 us on SQLite), and a first-load
    click cycle reads ~64 times. Outside a request (the command line, background
    threads, tests of data_access alone) each read checks out its own.

    SQLite's driver (pysqlite) opens no transaction for a SELECT, so there the
    read is outside one as it is. Switching its connection to AUTOCOMMIT and back
    cost a `PRAGMA read_uncommitted` on every check-in, and SQLite expires every
    prepared statement of a connection when a flag pragma runs: the next read of
    any statement on it was compiled again (the signed-in user's read cost ~150
    instead of ~55 us)."""
    state = context.request_state()
    held = _RELEASED if state is None else state.get(_REQUEST_CONNECTION, _NOT_YET)
    if held is _RELEASED:
        with _store_errors(), _checkout() as connection:
            yield connection
        return
    if held is _NOT_YET:
        with _store_errors():
            held = _RequestConnection(_checkout())
        state[_REQUEST_CONNECTION] = held
    assert isinstance(held, _RequestConnection)
    held.users += 1
    try:
        with _store_errors():
            yield held.connection
    except BaseException:
        # A dead connection, or a result left half read: the rest of the
        # request reads on a fresh one.
        held.discarded = True
        if state.get(_REQUEST_CONNECTION) is held:
            del state[_REQUEST_CONNECTION]
        raise
    finally:
        held.users -= 1
        if held.discarded and held.users == 0:
            held.connection.close()


def release_request_connection() -> None:
    """Give the request's read connection back to the pool (a teardown hook of
    the web layer: it runs at the end of every request, failed ones included).
    A read after it in the same request checks out its own connection: Flask
    tears a streamed answer's request down when the view returns, and the
    stream's reads come after."""
    state = context.request_state()
    if state is None:
        return
    held = state.get(_REQUEST_CONNECTION, _NOT_YET)
    state[_REQUEST_CONNECTION] = _RELEASED
    if isinstance(held, _RequestConnection):
        held.discarded = True
        if held.users == 0:
            held.connection.close()


_REQUEST_CONNECTION = "vru_read_connection"
_NOT_YET = object()
_RELEASED = object()


class _RequestConnection:
    """The read connection a request shares, and how many read_connection blocks
    use it now: one discarded while an enclosing block still reads on it is
    closed when that block ends."""

    __slots__ = ("connection", "users", "discarded")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.users = 0
        self.discarded = False


def _checkout() -> Connection:
    engine = get_engine()
    connection = engine.connect()
    if engine.dialect.name != "sqlite":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


@contextlib.contextmanager
def _store_errors() -> Iterator[None]:
    """Connection failures as StoreUnavailable (noted on the request)."""
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as error:
        if _is_connection_error(error):
            _mark_store_failure()
            raise StoreUnavailable("the database cannot be reached") from error
        raise


def read_frame(statement, columns: list[str]) -> pd.DataFrame:  # noqa: ANN001
    """One read (read_connection) of `statement` as a DataFrame with `columns`.
    Built from plain tuples: pandas probes each Row for attributes, and a Row's
    failed attribute lookup is slow (a tenth of the workstream list's CPU)."""
    with read_connection() as connection:
        rows = [tuple(row) for row in connection.execute(statement)]
    return pd.DataFrame(rows, columns=columns)


def _mark_store_failure() -> None:
    """Note on the request that the store failed, so an answer built around the
    failure ("temporarily unavailable") is never cached (web/view_cache.py)."""
    state = context.request_state()
    if state is not None:
        state["vru_store_failed"] = True


def store_failed_in_this_request() -> bool:
    state = context.request_state()
    return state is not None and bool(state.get("vru_store_failed"))


def _is_connection_error(error: exc.DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    message = str(error.orig).lower()
    return any(
        word in message
        for word in (
            "connection",
            "could not connect",
            "server closed",
            "unable to open database",
            "terminating",
            "timeout",
            "database is locked",
        )
    )


def ping() -> bool:
    """True when the store answers a trivial query."""
    try:
        with session_scope() as session:
            session.execute(_select_one())
        return True
    except Exception:  # noqa: BLE001 - readiness must never raise
        return False


def _select_one():
    from sqlalchemy import text

    return text("SELECT 1")
