"""activity summaries: output_summary and spend_summary, filled from existing rows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:00:00

The pre-aggregated tables the prevention and overview readers use (models.py,
data_access/summaries.py). Existing stores, including 10-million-row benchmark
stores, are filled in place with one INSERT ... SELECT ... GROUP BY per table. The
SQL is written out here rather than taken from data_access.summaries, so that this
revision keeps meaning the same thing when the models change later.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# Only current rows count, as in the readers. `WHERE o.is_current` is a boolean on
# PostgreSQL and 0/1 on SQLite; both read it as a condition.
FILL_OUTPUTS = """
INSERT INTO output_summary (vru_area_id, output_type, age_band, period_start,
                            delivering_area_id, tier, illustrative, value)
SELECT i.vru_area_id, o.output_type, o.age_band, o.period_start,
       i.delivering_area_id, i.tier, s.illustrative, SUM(o.value)
FROM intervention_output o
JOIN intervention i ON i.id = o.intervention_id
JOIN source s ON s.id = o.source_id
WHERE o.is_current
GROUP BY i.vru_area_id, o.output_type, o.age_band, o.period_start,
         i.delivering_area_id, i.tier, s.illustrative
"""

# Spend of the core unit has no intervention: LEFT JOIN keeps it, with NULL tier.
FILL_SPEND = """
INSERT INTO spend_summary (area_id, delivering_area_id, tier, financial_year,
                           quarter, illustrative, amount)
SELECT sp.area_id, i.delivering_area_id, i.tier, sp.financial_year, sp.quarter,
       s.illustrative, SUM(sp.amount)
FROM spend sp
LEFT JOIN intervention i ON i.id = sp.intervention_id
JOIN source s ON s.id = sp.source_id
WHERE sp.is_current
GROUP BY sp.area_id, i.delivering_area_id, i.tier, sp.financial_year, sp.quarter,
         s.illustrative
"""


def upgrade() -> None:
    op.create_table('output_summary',
    sa.Column('vru_area_id', sa.Integer(), nullable=False),
    sa.Column('output_type', sa.String(length=30), nullable=False),
    sa.Column('age_band', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('delivering_area_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['delivering_area_id'], ['area.id'], name=op.f('fk_output_summary_delivering_area_id_area')),
    sa.ForeignKeyConstraint(['vru_area_id'], ['area.id'], name=op.f('fk_output_summary_vru_area_id_area')),
    sa.PrimaryKeyConstraint('vru_area_id', 'output_type', 'age_band', 'period_start', 'delivering_area_id', 'tier', 'illustrative', name=op.f('pk_output_summary'))
    )
    op.create_table('spend_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('delivering_area_id', sa.Integer(), nullable=True),
    sa.Column('tier', sa.String(length=10), nullable=True),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_spend_summary_area_id_area')),
    sa.ForeignKeyConstraint(['delivering_area_id'], ['area.id'], name=op.f('fk_spend_summary_delivering_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_summary'))
    )
    with op.batch_alter_table('spend_summary', schema=None) as batch_op:
        batch_op.create_index('ix_spend_summary_lookup', ['area_id', 'financial_year', 'quarter'], unique=False)

    op.execute(sa.text(FILL_OUTPUTS))
    op.execute(sa.text(FILL_SPEND))
    if op.get_bind().dialect.name == 'postgresql':
        # Planner statistics now, not at the next autovacuum: the readers' first
        # queries after the upgrade should already use the primary key and index.
        op.execute(sa.text('ANALYZE output_summary'))
        op.execute(sa.text('ANALYZE spend_summary'))


def downgrade() -> None:
    with op.batch_alter_table('spend_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_summary_lookup')

    op.drop_table('spend_summary')
    op.drop_table('output_summary')
