"""The guard on the stores a test session shares (tests/conftest.py
`_SharedStoreGuard`): a test that writes to `loaded_store` or a shared
`filled_store` fails, naming the tables it changed; a test that only reads, or
writes and puts back exactly what was there, passes."""

from __future__ import annotations

import contextlib
import sqlite3

from tests.conftest import _SharedStoreGuard


def _shared(tmp_path) -> tuple[str, str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "shared.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE measure (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE area (code TEXT PRIMARY KEY)")
        conn.execute(
            "INSERT INTO measure VALUES (1, 'knife offences'), (2, 'hospital')"
        )
        conn.execute("INSERT INTO area VALUES ('E23000001')")
        conn.commit()
    return f"sqlite:///{path}", str(path)


def _write(path: str, *statements: str) -> None:
    """Another connection's committed writes, as a test's app would make."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def test_reads_leave_the_guard_quiet(tmp_path):
    url, path = _shared(tmp_path)
    guard = _SharedStoreGuard(url)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM measure").fetchone() == (2,)
    assert guard.changed_tables() == []


def test_an_insert_an_update_and_a_delete_are_each_named(tmp_path):
    url, path = _shared(tmp_path)
    guard = _SharedStoreGuard(url)
    _write(path, "INSERT INTO area VALUES ('E23000002')")
    assert guard.changed_tables() == ["area"]

    url, path = _shared(tmp_path / "update")
    guard = _SharedStoreGuard(url)
    # same row count, one value changed: a count alone would miss it
    _write(path, "UPDATE measure SET name = 'knife crime' WHERE id = 1")
    assert guard.changed_tables() == ["measure"]

    url, path = _shared(tmp_path / "delete")
    guard = _SharedStoreGuard(url)
    _write(path, "DELETE FROM measure WHERE id = 2", "DELETE FROM area")
    assert guard.changed_tables() == ["area", "measure"]


def test_a_write_put_back_exactly_is_not_a_change(tmp_path):
    url, path = _shared(tmp_path)
    guard = _SharedStoreGuard(url)
    _write(
        path,
        "UPDATE measure SET name = 'x' WHERE id = 1",
        "UPDATE measure SET name = 'knife offences' WHERE id = 1",
    )
    assert guard.changed_tables() == []


def test_a_new_table_is_a_change(tmp_path):
    url, path = _shared(tmp_path)
    guard = _SharedStoreGuard(url)
    _write(path, "CREATE TABLE scratch (id INTEGER)")
    assert guard.changed_tables() == ["scratch"]


def test_signing_in_users_of_its_own_is_allowed(tmp_path):
    """Tests sign in users they create on the shared store (accounts, audit
    log, sign-in counters, cache generation): those tables are not guarded."""
    url, path = _shared(tmp_path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE app_user (id INTEGER PRIMARY KEY, username TEXT)")
        conn.commit()
    guard = _SharedStoreGuard(url)
    _write(path, "INSERT INTO app_user VALUES (1, 'viewer-one')")
    assert guard.changed_tables() == []
    _write(path, "INSERT INTO app_user VALUES (2, 'viewer-two')", "DELETE FROM area")
    assert guard.changed_tables() == ["area"]
