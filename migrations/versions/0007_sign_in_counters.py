"""sign_in_counter replaces sign_in_attempt: atomic counters for the sign-in limits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 14:50:00

The sign-in limits (data_access/sign_in_limits.py) count failures per (user name, client or
known browser), per client and per user name in fixed windows. Each count is one
row changed by a single INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so a check
and its record are one atomic step (the row-per-failure table could not stop 30
concurrent guesses before they had all been checked). Counts in the old table are
at most one window old and are not carried over.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_counter',
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_counter')),
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_username'))
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_client'))
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_at'))
    op.drop_table('sign_in_attempt')


def downgrade() -> None:
    op.create_table(
        'sign_in_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt')),
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_client'), ['client'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_username'), ['username'], unique=False)
    op.drop_table('sign_in_counter')
