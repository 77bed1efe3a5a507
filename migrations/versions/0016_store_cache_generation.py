"""store_meta: every store starts with a cache generation of its own

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:40:00

A store that had never been written to through an import or an approval had no
cache generation, and read as the literal "initial": every such store was the
same generation, so a store rebuilt behind a Redis that kept entries of an older
"initial" store could meet its answers. A new store (and an existing one without
a generation) gets a random token here, as `data_access.cache.invalidate` writes.
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = sa.table("store_meta", sa.column("key"), sa.column("value"))
    kept = op.get_bind().execute(
        sa.select(meta.c.key).where(meta.c.key == "cache_generation")
    )
    if kept.first() is None:
        op.execute(
            meta.insert().values(key="cache_generation", value=uuid.uuid4().hex)
        )


def downgrade() -> None:
    # A generation is harmless to an older schema (it always could hold one).
    pass
