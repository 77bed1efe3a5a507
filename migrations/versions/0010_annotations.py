"""annotation: dated local events marked on an area's time charts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:30:00

Users with edit rights (admin, analyst, a lead within their workstream's VRU area)
mark a campaign, an operation or a recording change on an area and optionally one
measure; every time chart covering the date shows it, public embeds only those
marked public (data_access/annotations.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

KINDS = ('campaign', 'operation', 'recording_change', 'other')


def upgrade() -> None:
    op.create_table(
        'annotation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=True),
        sa.Column('event_date', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('is_public', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column(
            'created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
            nullable=False,
        ),
        sa.CheckConstraint(
            'kind IN (' + ', '.join(f"'{k}'" for k in KINDS) + ')',
            name=op.f('ck_annotation_kind'),
        ),
        sa.ForeignKeyConstraint(
            ['area_id'], ['area.id'], name=op.f('fk_annotation_area_id_area')
        ),
        sa.ForeignKeyConstraint(
            ['created_by'], ['app_user.id'],
            name=op.f('fk_annotation_created_by_app_user'),
        ),
        sa.ForeignKeyConstraint(
            ['measure_id'], ['measure.id'],
            name=op.f('fk_annotation_measure_id_measure'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annotation')),
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_annotation_area_id'), ['area_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_area_id'))
    op.drop_table('annotation')
