"""measure_value.coverage: what an aggregate covers when it is less than its area

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 14:45:00

An ONS England and Wales total that leaves out a force area (Greater Manchester
from the year ending September 2019) is stored against England and Wales with
coverage "England and Wales excluding Greater Manchester" and the population of
what it covers as its denominator. NULL: the figure covers the whole area.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.drop_column('coverage')
