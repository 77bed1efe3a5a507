"""board_pack: every board pack made, with its parameters, SHA-256 and file

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:50:00

A pack (PowerPoint or tagged PDF, data_access/board_pack.py) is kept as it was
made, with who made it, when, the VRU, the as-at quarter, the meeting date, the
audience, the sections and its SHA-256, so it can be downloaded again.
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("made_by", sa.String(length=120), nullable=False),
        sa.Column("vru_code", sa.String(length=12), nullable=False),
        sa.Column("quarter_start", sa.Date(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "audience IN ('internal', 'publication')",
            name=op.f("ck_board_pack_audience"),
        ),
        sa.CheckConstraint(
            "format IN ('pptx', 'pdf')", name=op.f("ck_board_pack_format")
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"],
            ["app_user.id"],
            name=op.f("fk_board_pack_made_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_pack")),
    )
    with op.batch_alter_table("board_pack", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_board_pack_vru_code"), ["vru_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("board_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_pack_vru_code"))
    op.drop_table("board_pack")
