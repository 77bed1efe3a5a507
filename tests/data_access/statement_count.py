"""Count the SQL statements a block of code sends to the store (SQLAlchemy's
before_cursor_execute event): per-click reads must stay a fixed, small number
of round trips whatever the store's size."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from data_access import db


@contextlib.contextmanager
def counted_statements():
    """Yields the list of statements executed inside the block."""
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


@contextlib.contextmanager
def counted_in_request():
    """counted_statements inside one web request: the per-request memo on (a
    fact read twice in a click is read once), the shared cache as configured
    (off in tests, as in the benchmark's cache-off runs)."""
    from app import app

    with app.server.test_request_context(), counted_statements() as statements:
        yield statements
