"""output_summary and spend_summary: their read indexes carry the summed value

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 05:35:00

The prevention page's reads of output_summary (one VRU's rows, some 3,000 at ten
million output rows) went through the primary key to the table: a VRU's rows lie
on some 740 of its 1,060 pages, 5.5-11.7 ms per read. With `value` INCLUDEd in
the primary key's index, PostgreSQL answers them from the index alone (an index
only scan, once VACUUM has set the table's visibility map: the scale generator
does that after filling, autovacuum does it in time elsewhere). The primary key
keeps its name and its columns, so uniqueness and the other reads are unchanged;
it is not a second index, so a summary refresh writes no more than before.
spend_summary's ix_spend_summary_lookup INCLUDEs the columns its readers take
(delivering area, tier, illustrative, amount) the same way.

INCLUDE is PostgreSQL's (11 and later). SQLite has no INCLUDE: its primary key
is left as it is and its lookup index is made again with the same key columns.
"""

from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


OUTPUT_KEY = (
    "vru_area_id, output_type, age_band, period_start, delivering_area_id, tier, "
    "illustrative"
)
SPEND_INCLUDE = ["delivering_area_id", "tier", "illustrative", "amount"]


def _output_primary_key(include: str) -> None:
    # One ALTER TABLE: the key is never missing, and the new index is built
    # before the old one goes, under the table's lock, in the migration's
    # transaction.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        sa.text(
            "ALTER TABLE output_summary DROP CONSTRAINT pk_output_summary, "
            f"ADD CONSTRAINT pk_output_summary PRIMARY KEY ({OUTPUT_KEY}){include}"
        )
    )


def _spend_lookup(include: list[str]) -> None:
    with op.batch_alter_table("spend_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_summary_lookup")
        batch_op.create_index(
            "ix_spend_summary_lookup",
            ["area_id", "financial_year", "quarter"],
            unique=False,
            postgresql_include=include,
        )


def upgrade() -> None:
    _output_primary_key(" INCLUDE (value)")
    _spend_lookup(SPEND_INCLUDE)


def downgrade() -> None:
    _output_primary_key("")
    _spend_lookup([])
