"""measure: coverage (England and Wales, or England only)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:40:00

Where a measure's figures are published for is a property of the measure: it
names the benchmark ("England" for hospital admissions, which HES publishes for
England only) and picks the force areas summed into it. It was a check of the
measure code in trends.py and pages/violence.py. Existing stores get the
shipped hospital admissions measure set to England.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'coverage',
                sa.String(length=20),
                nullable=False,
                server_default='England and Wales',
            )
        )
        batch_op.create_check_constraint(
            op.f('ck_measure_coverage'), "coverage IN ('England and Wales', 'England')"
        )
    op.execute(
        "UPDATE measure SET coverage = 'England' "
        "WHERE code = 'hospital_admissions_knife'"
    )


def downgrade() -> None:
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_measure_coverage'), type_='check')
        batch_op.drop_column('coverage')
