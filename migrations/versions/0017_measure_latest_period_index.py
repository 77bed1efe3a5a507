"""measure_value: the latest-figure index also orders by period start

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 17:30:00

ix_measure_value_current_latest was (measure_id, period_end) over current
values: "last updated" reads each measure's latest period_end from it in one
probe. The shell's "Data as at" line names the latest period itself, and of
periods ending the same day (a year and its fourth quarter) the shortest, so it
needs period_start in the same order: without it PostgreSQL read every current
value of the latest day from the table (109 ms at 10 million output rows; the
full sort before that, 218 ms, on every page a browser loaded with the cache
off). The index keeps its name and its first two columns, so the reads that use
it now are unchanged.
"""

from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _create(columns: list[str]) -> None:
    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measure_value_current_latest",
            columns,
            unique=False,
            sqlite_where=sa.text("is_current = 1"),
            postgresql_where=sa.text("is_current"),
        )


def _drop() -> None:
    with op.batch_alter_table("measure_value", schema=None) as batch_op:
        batch_op.drop_index("ix_measure_value_current_latest")


def upgrade() -> None:
    _drop()
    _create(["measure_id", "period_end", "period_start"])


def downgrade() -> None:
    _drop()
    _create(["measure_id", "period_end"])
