"""measure_value.precision: approximate published figures stay approximate

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:20:00

The funding vocabulary (exact / rounded / approx / up_to / more_than) on measure
values: "nearly 47,000" is stored as approx and shown as "about 47,000" without a
confidence interval; published exact figures stay exact. Shipped figures quoted as
approximate are marked from their notes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PRECISIONS = ('exact', 'rounded', 'approx', 'up_to', 'more_than')


def upgrade() -> None:
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'precision', sa.String(length=10), nullable=False,
                server_default='exact',
            )
        )
        batch_op.create_check_constraint(
            'precision',
            'precision IN (' + ', '.join(f"'{p}'" for p in PRECISIONS) + ')',
        )
    op.execute(
        "UPDATE measure_value SET precision = 'approx' "
        "WHERE note LIKE 'Approximate:%' OR note LIKE '%. Approximate:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table('measure_value', schema=None) as batch_op:
        batch_op.drop_constraint('precision', type_='check')
        batch_op.drop_column('precision')
