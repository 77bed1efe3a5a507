"""measures.success_measure_codes (the measures with a success_measure_rank,
read alone, issue 19) are the codes raw_series._success_codes took from the
whole measure table (the reference below), private measures included: over the
shipped demo, the synthetic scale set and the demo with ranks moved, removed
and given to private measures."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from data_access import db, scale
from data_access.measures import measure_metadata, success_measure_codes
from data_access.models import Measure


def _codes_from_whole_table() -> frozenset[str]:
    """The code raw_series._success_codes ran before: every measure's metadata
    as a frame, its rows with a success rank."""
    table = measure_metadata.uncached(include_private=True)
    return frozenset(table.loc[table["success_measure_rank"].notna(), "code"])


def test_shipped_success_codes_are_those_of_the_whole_table(loaded_store):
    codes = success_measure_codes.uncached()
    assert codes == _codes_from_whole_table()
    assert len(codes) == 3


@pytest.mark.parametrize("rows", [300])
def test_synthetic_success_codes_are_those_of_the_whole_table(store, rows):
    scale.generate_scale(rows=rows)
    assert success_measure_codes.uncached() == _codes_from_whole_table()


def test_success_codes_follow_the_ranks_public_or_not(store):
    """On a store of its own (the shipped one must not change)."""
    scale.generate_scale(rows=300)
    with db.session_scope() as session:
        codes = session.scalars(select(Measure.code).order_by(Measure.code)).all()
        ranked, private = codes[-1], codes[-2]
        session.execute(update(Measure).values(success_measure_rank=None))
        session.execute(
            update(Measure).where(Measure.code == ranked).values(success_measure_rank=1)
        )
        session.execute(
            update(Measure)
            .where(Measure.code == private)
            .values(success_measure_rank=2, is_public=False)
        )
    assert success_measure_codes.uncached() == {ranked, private}
    assert success_measure_codes.uncached() == _codes_from_whole_table()
