"""Shared fixtures.

- `store`: an empty, migrated store, once on an SQLite *file* and, when
  TEST_DATABASE_URL is set, once on PostgreSQL (the same test runs on both).
- `loaded_store`: the same with the shipped data loaded, built once per session per
  engine because loading takes seconds.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

ENGINES = ["sqlite", "postgresql"]

# `make test` runs the suite in two pytest-xdist workers (gw0, gw1); "" outside
# xdist. Each worker gets its own instance folder (the demo secret key is written
# there on first use) and Redis database (below); PostgreSQL databases are per
# process already (_postgres_database), and browser tests take a free port.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

# Tests switch stores under one app object, so cached answers would leak between
# them; caching is tested on purpose where it matters.
os.environ.setdefault("CACHE_TYPE", "NullCache")
os.environ.setdefault(
    "INSTANCE_DIR", str(Path(__file__).resolve().parent / ".instance")
)
if XDIST_WORKER:  # a folder of its own inside the one the controller chose
    os.environ["INSTANCE_DIR"] = str(Path(os.environ["INSTANCE_DIR"]) / XDIST_WORKER)


def _worker_redis_url(url: str, worker: str) -> str:
    """Worker gwN uses database (n - N) mod 16 of TEST_REDIS_URL's server (n: the
    URL's database), so two workers never clear each other's sign-in counts."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))


if XDIST_WORKER and os.environ.get("TEST_REDIS_URL"):
    os.environ["TEST_REDIS_URL"] = _worker_redis_url(
        os.environ["TEST_REDIS_URL"], XDIST_WORKER
    )
# The app's clock (data_access.clock): which returns are due and late, and how far
# the shipped illustrative data runs, depend on it. The suite runs at one fixed
# date, so its figures do not change with the calendar; tests of the clock set
# their own.
os.environ.setdefault("VRU_AS_AT", "2025-11-22")
# Approvals and imports run the exception rules in a background thread after they
# commit (data_access/exceptions.py); a thread outliving its test would write to
# the next test's store. The tests of that hook switch it on.
os.environ.setdefault("ALERT_RULES_AFTER_COMMIT", "off")

# Imported only now: importing the data layer imports settings, which reads
# INSTANCE_DIR once.
from data_access import db, migrate  # noqa: E402

# The services the suite runs against besides SQLite, by the variable naming each.
SERVICE_VARIABLES = ("TEST_DATABASE_URL", "TEST_REDIS_URL")
# Every skip for a missing service names its variable, so CI can refuse it.
_MISSING_SERVICE = re.compile("|".join(SERVICE_VARIABLES))


def services_required() -> bool:
    """CI sets VRU_REQUIRE_SERVICES: a run that skipped PostgreSQL or Redis fails."""
    return bool(os.environ.get("VRU_REQUIRE_SERVICES"))


def service_url(variable: str) -> str:
    """The URL in `variable`, or skip (a failure under VRU_REQUIRE_SERVICES)."""
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} not set: this test needs the service (set in CI)")
    return url


def pytest_configure(config):
    if services_required():
        missing = [v for v in SERVICE_VARIABLES if not os.environ.get(v)]
        if missing:
            raise pytest.UsageError(
                f"VRU_REQUIRE_SERVICES is set but {', '.join(missing)} is not"
            )


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser drives Chromium: `-m browser` selects it and
    `-m "not browser"` leaves it out, without each file having to say so."""
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        if browser_dir in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs `-n 2 --dist loadfile`: each test module is one unit of
    work (its module-scoped fixtures are built once), and so is the whole of
    tests/browser: one Chromium at a time, on one worker, while the other worker
    runs the rest (two at once on a 2-core machine make pages slow enough to
    time out). xdist's own `loadgroup` cannot do this under pytest 9 (it renames
    items through an attribute pytest no longer reads)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneBrowserScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/browser" if path.startswith("tests/browser/") else path

    return OneBrowserScheduling(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under VRU_REQUIRE_SERVICES a test skipped for want of PostgreSQL or Redis
    fails the run instead of passing it quietly."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and services_required()):
        return
    reason = (
        report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
    )
    if _MISSING_SERVICE.search(str(reason)):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped for a missing service while VRU_REQUIRE_SERVICES is set: {reason}"
        )


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _postgres_database(url: str, suffix: str) -> str:
    """A sibling database (created if missing) so fixtures never clobber each other."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    # One database per test process, so parallel runs never clobber each other.
    name = f"{base.database}_{suffix}_{os.getpid()}"
    _CREATED_DATABASES.add((base.render_as_string(hide_password=False), name))
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


_CREATED_DATABASES: set[tuple[str, str]] = set()


def pytest_sessionfinish(session, exitstatus):
    """Drop the per-process PostgreSQL databases this run created."""
    from data_access import db as store_db

    store_db.reset_engine()
    for path in _SQLITE_TEMPLATE:
        shutil.rmtree(path.parent, ignore_errors=True)
    for base, name in _CREATED_DATABASES:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception:  # noqa: BLE001 - best effort clean-up
            pass
        finally:
            engine.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# An empty SQLite store migrated once per process: every fresh SQLite store is a
# copy of its file (about 600 tests start from an empty store; running the
# migrations, with a disk sync at each, cost each of them far more than a copy).
_SQLITE_TEMPLATE: list[Path] = []


def _migrated_sqlite_template() -> Path:
    if not _SQLITE_TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="vru-test-template-")) / "empty.sqlite3"
        mp = pytest.MonkeyPatch()
        try:
            mp.setenv("DATABASE_URL", f"sqlite:///{path}")
            db.reset_engine()
            migrate.upgrade()
        finally:
            mp.undo()
            db.reset_engine()
        # Everything in the main file (WAL mode), so that a copy of it is whole.
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _SQLITE_TEMPLATE.append(path)
    return _SQLITE_TEMPLATE[0]


def _fresh_store(kind: str, tmp_dir: Path, monkeypatch_env, suffix: str) -> str:  # noqa: ANN001
    """An empty store at the migrations' head: on SQLite a copy of the migrated
    template file, on PostgreSQL the per-process database emptied in place
    (`_emptied_in_place`) or, when that cannot be trusted, its schema dropped and
    migrated."""
    if kind == "sqlite":
        path = tmp_dir / "store.sqlite3"
        shutil.copyfile(_migrated_sqlite_template(), path)
        url = f"sqlite:///{path}"
        monkeypatch_env("DATABASE_URL", url)
        db.reset_engine()
        _own_generation()
        return url
    base = _postgres_url()
    if not base:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests run in CI")
    url = _postgres_database(base, suffix)
    db.reset_engine()  # the previous test's pooled connections to the database
    if _emptied_in_place(url):
        monkeypatch_env("DATABASE_URL", url)
        db.reset_engine()
        _own_generation()
        return url
    _reset_postgres(url)
    monkeypatch_env("DATABASE_URL", url)
    db.reset_engine()
    migrate.upgrade()  # migration 0016 gives the new store its own generation
    _remember_migrated_schema(url)
    return url


# A PostgreSQL database this process has migrated, by URL: its schema's
# fingerprint and its relations' sizes in pg_class as the migrations left them.
# The next test's empty store is the same database emptied in place (TRUNCATE
# ... RESTART IDENTITY, then the sizes the planner reads and the activity
# counters autovacuum reads put back as they were: about 0.1 s) rather than its
# schema dropped and migrated again (about 0.3 s, for each of some 400 tests),
# but only while the schema is exactly the migrated one and no table has
# planner statistics: then the emptied store is what the migrations would make
# (tests/test_fresh_stores.py compares the two), and a test that changed the
# schema or whose tables were analysed leaves the next test the full reset.
_MIGRATED_SCHEMA: dict[str, tuple[str, list]] = {}
_NOT_IN_PLACE: set[str] = set()

_SIZES = text(
    "SELECT relname, relpages, reltuples, relallvisible FROM pg_class "
    "WHERE relnamespace = 'public'::regnamespace ORDER BY relname"
)

_SCHEMA_FINGERPRINT = text(
    r"""
    SELECT md5(string_agg(part, '|' ORDER BY part)) FROM (
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
            || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS part
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes
        WHERE schemaname = 'public'
        UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname
            || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT 'relation ' || relkind::text || ' ' || relname FROM pg_class
        WHERE relnamespace = 'public'::regnamespace
        UNION ALL SELECT 'function ' || oid::regprocedure::text FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
        UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname
        FROM pg_trigger WHERE NOT tgisinternal
        UNION ALL SELECT 'type ' || typname FROM pg_type
        WHERE typnamespace = 'public'::regnamespace AND typtype IN ('d', 'e', 'r')
        UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
        UNION ALL SELECT 'extension ' || extname FROM pg_extension
        UNION ALL SELECT 'version ' || version_num FROM alembic_version
    ) parts
    """
)


def _remember_migrated_schema(url: str) -> None:
    """Keep the fingerprint of the just-migrated database at `url`, if the
    migrations wrote no row but the version and the cache generation (else an
    emptied store would lack what they wrote, and it is always migrated)."""
    from sqlalchemy import inspect

    if url in _NOT_IN_PLACE:
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            filled = {
                table
                for table in tables
                if conn.execute(
                    text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
                ).scalar()
            }
            keys = conn.execute(text("SELECT key FROM store_meta")).scalars().all()
            if filled == {"alembic_version", "store_meta"} and keys == [
                "cache_generation"
            ]:
                _MIGRATED_SCHEMA[url] = (
                    conn.execute(_SCHEMA_FINGERPRINT).scalar(),
                    [tuple(row) for row in conn.execute(_SIZES)],
                )
    finally:
        engine.dispose()


def _emptied_in_place(url: str) -> bool:
    """Empty the database at `url` in place if its schema is still the one this
    process migrated and no table has planner statistics (see _MIGRATED_SCHEMA);
    False, with nothing changed, otherwise."""
    migrated = _MIGRATED_SCHEMA.pop(url, None)
    if migrated is None:
        return False
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            # a connection a test left open must not hang the suite
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            fingerprint, sizes = migrated
            if conn.execute(_SCHEMA_FINGERPRINT).scalar() != fingerprint:
                return False
            analysed = conn.execute(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = 'public')"
                )
            ).scalar()
            if analysed:
                return False
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{table}"' for table in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            # TRUNCATE leaves an index's pg_class size as unknown where CREATE
            # INDEX left it as one empty page (the planner reads it for a
            # partial index), and keeps the tables' activity counters
            # (autovacuum's trigger): both put back as a new store has them.
            conn.execute(
                text(
                    "UPDATE pg_class SET relpages = :pages, reltuples = :tuples, "
                    "relallvisible = :visible WHERE relname = :name "
                    "AND relnamespace = 'public'::regnamespace"
                ),
                [
                    {"name": n, "pages": p, "tuples": t, "visible": v}
                    for n, p, t, v in sizes
                ],
            )
            conn.execute(
                text(
                    "SELECT pg_stat_reset_single_table_counters(oid) FROM pg_class "
                    "WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind IN ('r', 'i')"
                )
            )
    except Exception:  # noqa: BLE001 - e.g. a lock not granted, or no right to
        # write pg_class (not a superuser): this database is migrated afresh from
        # now on
        _NOT_IN_PLACE.add(url)
        return False
    finally:
        engine.dispose()
    _MIGRATED_SCHEMA[url] = migrated
    return True


def _own_generation() -> None:
    """Give a copy of the template its own cache generation. Every copy would
    otherwise read as the template's generation, so an answer or memo that one
    test left in a shared cache (Redis, or an app's SimpleCache) would be a valid
    hit for the next test's different store: the same user id, session version
    and generation key the warm callback answers and memos."""
    from data_access import cache as query_cache

    query_cache.invalidate()


class _SharedStoreGuard:
    """Fails the test that changed a store the session shares (`loaded_store`,
    `filled_store` without copy, `real_only_store`): "Tests must not change it"
    was a comment only, and a test that wrote to a shared store would make the
    tests after it pass or fail by their order.

    SQLite only (each test runs on both engines, so one guard finds the writer).
    Any commit changes the store's file or its write-ahead log, so the guard
    keeps their sizes and modification times; only when those have moved are
    the tables read again and compared, row by row, with what they held when
    the store was built. It holds no connection open between looks: an open
    connection would keep SQLite from folding the log into the file when the
    app's engine closes, and a test that copies the file (tests/browser/
    test_returns.py `own_store`) would copy a store without its last writes.
    (A commit within one tick of the file system's clock of the last look, with
    no change of size, could pass unseen: a guard, not a proof.)"""

    # What tests may write to a shared store: signing in users of their own
    # (accounts, their areas, the audit log, the sign-in counters), invalidating
    # the cache (the store's cache generation) and making a board pack, which
    # the store records as it is made (tests/browser/test_board_pack.py). The
    # figures, and everything else, are guarded.
    MAY_CHANGE = frozenset(
        {
            "app_user",
            "user_area",
            "audit_log",
            "sign_in_counter",
            "store_meta",
            "board_pack",
        }
    )

    def __init__(self, url: str) -> None:
        self._path = url.removeprefix("sqlite:///")
        self._tables = self._contents()
        self._stamp = self._files()

    def _files(self) -> tuple:
        """(modification time, size) of the store's file and its log."""
        stamps = []
        for suffix in ("", "-wal"):
            try:
                stat = os.stat(self._path + suffix)
            except FileNotFoundError:
                stamps.append(None)
            else:
                stamps.append((stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def _contents(self) -> dict[str, list[tuple]]:
        with contextlib.closing(sqlite3.connect(self._path)) as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
                if row[0] not in self.MAY_CHANGE
            ]
            # in rowid order: the same rows read the same, without sorting them
            return {
                name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
                for name in names
            }

    def changed_tables(self) -> list[str]:
        """The tables whose rows differ from the store as built (empty when the
        store's files have not moved since the last look)."""
        if self._files() == self._stamp:
            return []
        now = self._contents()
        # after the read: closing the last connection may fold the log in
        self._stamp = self._files()
        return sorted(
            name
            for name in set(now) | set(self._tables)
            if now.get(name) != self._tables.get(name)
        )


_GUARDS: dict[str, _SharedStoreGuard] = {}


def _guard_shared_store(url: str):
    """A context for one test's use of the shared store at `url` that fails the
    test, naming the tables, if the store's rows changed during it."""
    if not url.startswith("sqlite:///"):
        return contextlib.nullcontext()
    guard = _GUARDS.get(url)
    if guard is None:
        guard = _GUARDS[url] = _SharedStoreGuard(url)

    @contextlib.contextmanager
    def watching():
        yield
        changed = guard.changed_tables()
        if changed:
            # the rows stay changed for the tests after this one: build afresh
            # the guard's picture so that only this test is blamed
            _GUARDS[url] = _SharedStoreGuard(url)
            pytest.fail(
                "this test changed a store the whole session shares "
                f"(tables {', '.join(changed)}): use the `store` fixture, or "
                "filled_store(..., copy=True), to write",
                pytrace=False,
            )

    return watching()


@pytest.fixture(params=ENGINES)
def store(request, tmp_path, monkeypatch):
    """An empty migrated store; yields its URL."""
    url = _fresh_store(request.param, tmp_path, monkeypatch.setenv, "empty")
    yield url
    db.reset_engine()


@pytest.fixture(scope="session")
def _loaded_urls(tmp_path_factory):
    """Load the shipped data once per engine per test session."""
    from data_access.shipped import load_shipped_data

    built: dict[str, str] = {}
    saved = os.environ.get("DATABASE_URL")

    def build(kind: str) -> str:
        prebuilt = os.environ.get("VRU_TEST_LOADED_SQLITE")
        if kind == "sqlite" and prebuilt and kind not in built:
            # tools/mutate.py loads the shipped data once for hundreds of runs;
            # each run works on its own copy.
            copy = tmp_path_factory.mktemp(kind) / "store.sqlite3"
            shutil.copyfile(prebuilt, copy)
            built[kind] = f"sqlite:///{copy}"
        if kind not in built:
            mp = pytest.MonkeyPatch()
            try:
                url = _fresh_store(
                    kind, tmp_path_factory.mktemp(kind), mp.setenv, "loaded"
                )
                with db.session_scope() as session:
                    load_shipped_data(session)
                built[kind] = url
            finally:
                mp.undo()
                db.reset_engine()
        return built[kind]

    yield build
    if saved is not None:
        os.environ["DATABASE_URL"] = saved


@pytest.fixture(params=ENGINES)
def engine_kind(request) -> str:
    """The engine of a test that builds its store with `filled_store`: "sqlite",
    and "postgresql" when TEST_DATABASE_URL is set."""
    if request.param == "postgresql" and not _postgres_url():
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests run in CI")
    return request.param


@pytest.fixture(scope="session")
def _filled_urls(tmp_path_factory):
    """Stores filled once per engine per test session (per process):
    `build(kind, name, fill)` is the URL of an empty store of engine `kind` into
    which `fill()` wrote (called with the store as DATABASE_URL), built at the
    first asking of `name` on that engine."""
    built: dict[tuple[str, str], str] = {}

    def build(kind: str, name: str, fill) -> str:  # noqa: ANN001 - a callable
        if (kind, name) not in built:
            mp = pytest.MonkeyPatch()
            try:
                url = _fresh_store(
                    kind, tmp_path_factory.mktemp(f"{kind}-{name}"), mp.setenv, name
                )
                fill()
            finally:
                mp.undo()
                # no connection may stay open to a PostgreSQL template
                db.reset_engine()
            if kind == "sqlite":
                # everything in the main file (WAL mode), so that a copy is whole
                path = url.removeprefix("sqlite:///")
                with contextlib.closing(sqlite3.connect(path)) as conn:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            built[(kind, name)] = url
        return built[(kind, name)]

    return build


def _copy_of_store(kind: str, url: str, tmp_dir: Path, suffix: str) -> str:
    """A copy of the store at `url` with a cache generation of its own: on SQLite
    a copy of its file, on PostgreSQL a database made with it as the template
    (a tenth of the time loading the data again takes)."""
    from sqlalchemy.engine import make_url

    db.reset_engine()  # no connection may be open to a template while it is copied
    if kind == "sqlite":
        path = tmp_dir / f"{suffix}.sqlite3"
        shutil.copyfile(url.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    base = _postgres_url()
    copy = _postgres_database(base, f"{suffix}_copy")
    name, template = make_url(copy).database, make_url(url).database
    engine = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
    return copy


@pytest.fixture
def filled_store(_filled_urls, tmp_path, monkeypatch):
    """`filled_store(kind, name, fill)`: makes the store `fill` fills (see
    `_filled_urls`) the test's DATABASE_URL and returns its URL. Loading data
    takes seconds; tests that ask for the same name share one store, built once
    per engine, and must not change it. With `copy=True` the test gets a copy of
    its own to write to."""

    guards = contextlib.ExitStack()

    def use(kind: str, name: str, fill, *, copy: bool = False) -> str:  # noqa: ANN001
        url = _filled_urls(kind, name, fill)
        if copy:
            url = _copy_of_store(kind, url, tmp_path, name)
        else:
            guards.enter_context(_guard_shared_store(url))
        monkeypatch.setenv("DATABASE_URL", url)
        db.reset_engine()
        if copy:
            _own_generation()
        return url

    with guards:
        yield use
        db.reset_engine()


@pytest.fixture(scope="session")
def _real_only_url(tmp_path_factory):
    """SQLite with the real published figures of data/reference/ only (no
    VRU-era files, seeds or illustrative figures), built once per session."""
    from data_access.shipped import real

    mp = pytest.MonkeyPatch()
    try:
        url = _fresh_store("sqlite", tmp_path_factory.mktemp("real"), mp.setenv, "real")
        with db.session_scope() as session:
            real.load(session)
    finally:
        mp.undo()
        db.reset_engine()
    return url


@pytest.fixture
def real_only_store(_real_only_url, monkeypatch):
    """The real figures without the VRU-era files: where England's 2020/21
    hospital admissions are still the approximate quote (the VRU-era NHS
    Digital total replaces it). Tests must not change it."""
    monkeypatch.setenv("DATABASE_URL", _real_only_url)
    db.reset_engine()
    with _guard_shared_store(_real_only_url):
        yield _real_only_url
        db.reset_engine()


@pytest.fixture
def loaded_sqlite_store(_loaded_urls, monkeypatch):
    """The shipped data on SQLite only (browser tests: the engine is not what they
    test, and loading twice would double their time)."""
    url = _loaded_urls("sqlite")
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    with _guard_shared_store(url):
        yield url
        db.reset_engine()


@pytest.fixture(params=ENGINES)
def loaded_store(request, _loaded_urls, monkeypatch):
    """A store holding the shipped data. Tests must not change it."""
    if request.param == "postgresql" and not _postgres_url():
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests run in CI")
    url = _loaded_urls(request.param)
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    with _guard_shared_store(url):
        yield url
        db.reset_engine()
