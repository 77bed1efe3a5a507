"""One measure's record (measures._measure_record, what get_measure returns)
read as one row equals its row of the whole measure table, as it was read
before (the reference below), Python types included: pandas gives a column's
missing values as NaN or None, and integers as float, depending on the other
measures, and callers test with pd.isna, `is None` or truthiness."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select, update

from data_access import db, scale
from data_access.measures import _last_updated, _measure_record, measure_metadata
from data_access.models import Measure


def _record_from_whole_table(code: str) -> dict | None:
    """The code get_measure ran before: every measure's metadata as a frame,
    filtered to the code's row, plus its last_updated."""
    table = measure_metadata.uncached(include_private=True)
    match = table[table["code"] == code]
    if match.empty:
        return None
    record = match.iloc[0].to_dict()
    record["last_updated"] = _last_updated.uncached().get(code)
    return record


def _identical(new: dict, old: dict) -> bool:
    if list(new) != list(old):
        return False
    for key, value in old.items():
        other = new[key]
        if type(other) is not type(value):
            return False
        both_nan = isinstance(value, float) and math.isnan(value) and math.isnan(other)
        if not (both_nan or other == value):
            return False
    return True


def _assert_every_measure_identical() -> int:
    codes = measure_metadata.uncached(include_private=True)["code"].tolist()
    for code in codes:
        old = _record_from_whole_table(code)
        new = _measure_record.uncached(code)
        assert _identical(new, old), (code, new, old)
    assert _measure_record.uncached("no_such_measure") is None
    return len(codes)


def test_every_shipped_measure_reads_as_in_the_whole_table(loaded_store):
    assert _assert_every_measure_identical() > 200


@pytest.mark.parametrize(
    ("on_every_measure", "on_the_first"),
    [
        ({}, {}),
        # a column with no value at all (None), one text column given its
        # first value (str, the others' NaN)
        ({"rate_multiplier": None}, {"tier": "universal"}),
        # integers everywhere (int, not float), text nowhere but once
        ({"rate_multiplier": 100_000, "caveats": None}, {"caveats": "Revised"}),
        ({"success_measure_rank": None, "source_id": None}, {}),
    ],
)
def test_every_synthetic_measure_reads_as_in_the_whole_table(
    store, on_every_measure, on_the_first
):
    scale.generate_scale(rows=200)
    with db.session_scope() as session:
        if on_every_measure:
            session.execute(update(Measure).values(**on_every_measure))
        if on_the_first:
            first = session.scalar(select(func.min(Measure.id)))
            session.execute(
                update(Measure).where(Measure.id == first).values(**on_the_first)
            )
    assert _assert_every_measure_identical() > 0


def _ranked() -> frozenset[str]:
    """The success measures' codes as the whole measure table ranks them."""
    table = measure_metadata.uncached(include_private=True)
    return frozenset(table.loc[table["success_measure_rank"].notna(), "code"])


def test_success_codes_are_the_whole_tables_ranked_measures(loaded_store):
    """raw_series reads the success measures' codes alone (issue 19): the same
    codes the whole measure table ranks (the shared store is only read here)."""
    from data_access.outcomes.raw_series import _success_codes

    shipped = _success_codes.uncached()
    assert shipped == _ranked()
    assert shipped == {"hospital_admissions_knife", "knife_offences", "homicide_knife"}


def test_success_codes_follow_the_ranks_private_measures_included(store):
    """A measure given a rank (a private one included) or losing one is read so:
    a filter on is_public, or a list kept from before, would go red. On a store
    of its own: the shared loaded store is never changed."""
    from data_access.outcomes.raw_series import _success_codes

    scale.generate_scale(rows=200)
    with db.session_scope() as session:
        codes = session.scalars(select(Measure.code).order_by(Measure.id)).all()
        assert len(codes) >= 3
        first, second, private = codes[:3]
        session.execute(update(Measure).values(success_measure_rank=None))
        session.execute(
            update(Measure)
            .where(Measure.code.in_([first, second]))
            .values(success_measure_rank=1)
        )
        session.execute(
            update(Measure)
            .where(Measure.code == private)
            .values(success_measure_rank=2, is_public=False)
        )
    assert _success_codes.uncached() == _ranked() == {first, second, private}
    with db.session_scope() as session:
        session.execute(
            update(Measure)
            .where(Measure.code == first)
            .values(success_measure_rank=None)
        )
    assert _success_codes.uncached() == _ranked() == {second, private}
