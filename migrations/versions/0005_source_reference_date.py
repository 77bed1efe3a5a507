"""source.reference_date: editions supersede each other by date, not load order

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 14:40:00

An ONS "year ending December 2019" edition reports on the year to 31 Dec 2019;
its figures supersede those of every edition with an earlier reference date,
whatever the order the editions were imported in. Existing sources whose edition
is named "YE <Mon> <YYYY>" get their date from the name.
"""

import datetime as dt
import re

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def upgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_date', sa.Date(), nullable=True))
    bind = op.get_bind()
    source = sa.table(
        'source',
        sa.column('id', sa.Integer),
        sa.column('edition', sa.String),
        sa.column('reference_date', sa.Date),
    )
    for source_id, edition in bind.execute(
        sa.select(source.c.id, source.c.edition).where(source.c.edition.is_not(None))
    ).all():
        match = re.fullmatch(r'YE ([A-Z][a-z]{2}) (\d{4})', edition.strip())
        if match and match[1] in MONTHS:
            day = _month_end(int(match[2]), MONTHS.index(match[1]) + 1)
            bind.execute(
                source.update()
                .where(source.c.id == source_id)
                .values(reference_date=day)
            )


def downgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('reference_date')
