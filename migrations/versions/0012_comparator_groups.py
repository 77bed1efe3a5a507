"""comparator_group: comparator groups a user saves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:25:00

A signed-in user names a set of force areas to benchmark against on /compare
(data_access/comparator_groups.py); only its owner sees it.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('comparator_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_comparator_group_owner_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparator_group')),
    sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_comparator_group_owner_id'))
    )
    with op.batch_alter_table('comparator_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comparator_group_owner_id'), ['owner_id'], unique=False)

    op.create_table('comparator_group_area',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_comparator_group_area_area_id_area')),
    sa.ForeignKeyConstraint(['group_id'], ['comparator_group.id'], name=op.f('fk_comparator_group_area_group_id_comparator_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'area_id', name=op.f('pk_comparator_group_area'))
    )


def downgrade() -> None:
    op.drop_table('comparator_group_area')
    with op.batch_alter_table('comparator_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comparator_group_owner_id'))

    op.drop_table('comparator_group')
