"""board meeting cycle: commentary, board meetings, decisions and actions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:16:03

Three new tables (data_access/board_models.py): versioned commentary per VRU,
measure and quarter with its sign-off; the dates a VRU's board meets; and the
board's decisions and actions with owner role, due date and status. Nothing
existing changes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('board_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vru_area_id', sa.Integer(), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('created_by_role', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vru_area_id'], ['area.id'], name=op.f('fk_board_meeting_vru_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_meeting')),
    sa.UniqueConstraint('vru_area_id', 'meeting_date', name='uq_board_meeting')
    )
    op.create_table('board_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vru_area_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('quarter_start', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_role', sa.String(length=160), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_role', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_role', sa.String(length=160), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('decision', 'action')", name=op.f('ck_board_action_kind')),
    sa.CheckConstraint("status IN ('open', 'done', 'dropped')", name=op.f('ck_board_action_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_board_action_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_board_action_measure_id_measure')),
    sa.ForeignKeyConstraint(['meeting_id'], ['board_meeting.id'], name=op.f('fk_board_action_meeting_id_board_meeting')),
    sa.ForeignKeyConstraint(['vru_area_id'], ['area.id'], name=op.f('fk_board_action_vru_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_action'))
    )
    with op.batch_alter_table('board_action', schema=None) as batch_op:
        batch_op.create_index('ix_board_action_vru', ['vru_area_id', 'status'], unique=False)

    op.create_table('commentary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vru_area_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('quarter_start', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sa.String(length=160), nullable=False),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_by_role', sa.String(length=160), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'signed_off')", name=op.f('ck_commentary_status')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_commentary_author_id_app_user')),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_commentary_measure_id_measure')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['app_user.id'], name=op.f('fk_commentary_signed_off_by_id_app_user')),
    sa.ForeignKeyConstraint(['vru_area_id'], ['area.id'], name=op.f('fk_commentary_vru_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commentary')),
    sa.UniqueConstraint('vru_area_id', 'measure_id', 'quarter_start', 'version', name='uq_commentary_version')
    )
    with op.batch_alter_table('commentary', schema=None) as batch_op:
        batch_op.create_index('ix_commentary_vru_quarter', ['vru_area_id', 'quarter_start'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('commentary', schema=None) as batch_op:
        batch_op.drop_index('ix_commentary_vru_quarter')

    op.drop_table('commentary')
    with op.batch_alter_table('board_action', schema=None) as batch_op:
        batch_op.drop_index('ix_board_action_vru')

    op.drop_table('board_action')
    op.drop_table('board_meeting')
