"""Run Alembic migrations from code (the CLI, `make run` and the tests use this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

import settings


def alembic_config() -> Config:
    return Config(str(settings.PROJECT_ROOT / "alembic.ini"))


def upgrade(revision: str = "head") -> None:
    """Bring the store at DATABASE_URL up to `revision`."""
    command.upgrade(alembic_config(), revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)
