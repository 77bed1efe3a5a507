"""measure: short_name, the few words titles and sentences call a measure

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:20:00

What a chart title calls a measure ("Knife homicides") is a property of the
measure, like its coverage: it was a dict keyed by measure code in
pages/violence.py, and "Knife offences" was written again in the overview's
sentences. Existing stores get the words the page used for the shipped
measures (the same words the shipped loaders now set for new stores).

Cached measure records were read without the column, so the store's cache
generation is renewed: no process keeps using them after the upgrade.
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Frozen here (a migration must not change when the loaders' words do later).
SHORT_NAMES = {
    "knife_offences": "Knife offences",
    "hospital_admissions_knife": "Hospital admissions for knife assault",
    "homicide_knife": "Knife homicides",
    "knife_offences_share": "Share of offences involving a knife",
    "possession_of_weapons": "Possession of weapons offences",
    "violence_with_injury": "Violence with injury",
    "homicide": "Homicides",
}


def upgrade() -> None:
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("short_name", sa.String(length=80), nullable=True)
        )
    measure = sa.table("measure", sa.column("code"), sa.column("short_name"))
    for code, words in SHORT_NAMES.items():
        op.execute(
            measure.update().where(measure.c.code == code).values(short_name=words)
        )
    meta = sa.table("store_meta", sa.column("key"), sa.column("value"))
    op.execute(
        meta.update()
        .where(meta.c.key == "cache_generation")
        .values(value=uuid.uuid4().hex)
    )


def downgrade() -> None:
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_column("short_name")
