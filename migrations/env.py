"""Alembic environment: the URL and engine come from data_access.db."""

from alembic import context

from data_access.db import get_engine
from data_access.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations on SQLite copy a table and drop the old one, which
            # a table referenced by foreign keys refuses while they are enforced.
            # The pragma only takes effect outside a transaction, so it is set
            # before the migration's own and restored (and checked) after it.
            _foreign_keys(connection, "OFF")
        try:
            _run(connection)
            connection.commit()
        finally:
            if sqlite:
                _foreign_keys(connection, "ON")
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.rollback()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken}")


def _foreign_keys(connection, state: str) -> None:  # noqa: ANN001
    connection.rollback()
    connection.exec_driver_sql(f"PRAGMA foreign_keys={state}")
    connection.commit()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
