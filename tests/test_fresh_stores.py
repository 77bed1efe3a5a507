"""The suite's fresh PostgreSQL stores (tests/conftest.py `_fresh_store`): the
per-process database emptied in place is the store the migrations make, and a
database whose schema a test changed, or whose tables a test analysed, is
migrated afresh instead."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from data_access import db, migrate
from data_access.shipped import real
from tests import conftest
from tests.conftest import service_url


def _state(url: str) -> dict:
    """What a test could tell apart between two empty stores: the schema, every
    table's rows (but the cache generation's value, random in every store), each
    sequence's next value and the sizes the planner reads."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = {}
            for table in sorted(inspect(conn).get_table_names()):
                column = "key" if table == "store_meta" else "*"
                rows[table] = sorted(
                    map(tuple, conn.execute(text(f'SELECT {column} FROM "{table}"')))
                )
            return {
                "schema": conn.execute(conftest._SCHEMA_FINGERPRINT).scalar(),
                "rows": rows,
                "sequences": sorted(
                    conn.execute(
                        text(
                            "SELECT sequencename, last_value, start_value "
                            "FROM pg_sequences WHERE schemaname = 'public'"
                        )
                    ).all()
                ),
                "sizes": sorted(
                    conn.execute(
                        text(
                            "SELECT relname, relpages, reltuples FROM pg_class "
                            "WHERE relnamespace = 'public'::regnamespace"
                        )
                    ).all()
                ),
                "statistics": conn.execute(
                    text("SELECT count(*) FROM pg_stats WHERE schemaname = 'public'")
                ).scalar(),
            }
    finally:
        engine.dispose()


def _fresh(tmp_path, monkeypatch) -> tuple[str, int]:
    """A fresh store of this test's own database, and how many times the
    migrations ran to make it."""
    runs = []
    upgrade = migrate.upgrade
    with monkeypatch.context() as patch:
        patch.setattr(migrate, "upgrade", lambda *a: runs.append(a) or upgrade(*a))
        url = conftest._fresh_store("postgresql", tmp_path, monkeypatch.setenv, "fresh")
    db.reset_engine()
    return url, len(runs)


def _migrated_reference() -> dict:
    base = conftest._postgres_url()
    url = conftest._postgres_database(base, "fresh_reference")
    conftest._reset_postgres(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        db.reset_engine()
        migrate.upgrade()
        db.reset_engine()
    return _state(url)


def _fill(url: str, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    db.reset_engine()
    with db.session_scope() as session:
        real.load(session)
    db.reset_engine()


def test_an_emptied_store_is_the_migrated_store(tmp_path, monkeypatch):
    service_url("TEST_DATABASE_URL")
    url, runs = _fresh(tmp_path, monkeypatch)
    assert runs == 1  # the first store of a database is migrated
    reference = _migrated_reference()
    assert _state(url) == reference
    _fill(url, monkeypatch)
    assert _state(url)["rows"] != reference["rows"]
    again, runs = _fresh(tmp_path, monkeypatch)
    assert (again, runs) == (url, 0)  # emptied in place
    assert _state(again) == reference


def test_a_changed_schema_or_analysed_tables_are_migrated_afresh(tmp_path, monkeypatch):
    service_url("TEST_DATABASE_URL")
    url, _ = _fresh(tmp_path, monkeypatch)
    reference = _migrated_reference()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE area ADD COLUMN left_behind integer"))
    engine.dispose()
    url, runs = _fresh(tmp_path, monkeypatch)
    assert runs == 1
    assert _state(url) == reference
    _fill(url, monkeypatch)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE area"))
    engine.dispose()
    url, runs = _fresh(tmp_path, monkeypatch)
    assert runs == 1
    assert _state(url) == reference
    # and a migration down and up again leaves the schema the migrated one
    with monkeypatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        db.reset_engine()
        migrate.downgrade("-1")
        migrate.upgrade()
        db.reset_engine()
    url, runs = _fresh(tmp_path, monkeypatch)
    assert runs == 0
    assert _state(url) == reference
