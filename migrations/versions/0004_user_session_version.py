"""app_user.session_version: sessions that sign-out, disable and reset can end

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 14:30:00

A session remembers the version its user had when it signed in; every request
compares it with the stored one (in the user read it already makes). Signing out,
disabling an account, changing its role and resetting its password add one, so
every session of that user, copied cookies included, ends at once.
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "session_version", sa.Integer(), nullable=False, server_default="0"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
