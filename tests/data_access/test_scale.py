"""The synthetic national-scale generator (data_access.scale) on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access import db, scale
from data_access.models import (
    Area,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    Source,
    Spend,
)

ROWS = 2_000


def _count(model, **where) -> int:
    with db.session_scope() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.scalar(query)


def _fingerprint() -> list:
    """Content without surrogate ids (PostgreSQL sequences do not restart)."""
    with db.session_scope() as session:
        outputs = session.execute(
            select(
                Intervention.name,
                InterventionOutput.period_start,
                InterventionOutput.output_type,
                InterventionOutput.value,
            )
            .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
            .order_by(Intervention.name, InterventionOutput.period_start)
            .order_by(InterventionOutput.output_type)
        ).all()
        values = session.execute(
            select(
                Measure.code, Area.code, MeasureValue.period_start, MeasureValue.value
            )
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .order_by(Measure.code, Area.code, MeasureValue.period_start)
        ).all()
    return [tuple(r) for r in outputs] + [tuple(r) for r in values]


def test_counts_and_one_illustrative_source(store):
    counts = scale.generate_scale(rows=ROWS)
    assert counts["intervention_output"] == ROWS == _count(InterventionOutput)
    per_vru = scale.interventions_per_vru(ROWS)
    assert counts["intervention"] == 20 * per_vru == _count(Intervention)
    assert _count(Spend) == counts["spend"] == 20 * per_vru * scale.QUARTERS
    assert _count(Area, is_vru=True) == 20
    assert _count(MeasureValue) == counts["measure_value"] > 0
    with db.session_scope() as session:
        sources = session.execute(select(Source.key, Source.illustrative)).all()
    assert sources == [("synthetic-scale", True)]
    assert _count(InterventionOutput, is_current=True) == ROWS


def test_vrus_start_when_the_shipped_store_says(store):
    """The synthetic areas' VRU start years are the reference file's, as the
    shipped store loads them: the two VRUs funded from 2022/23 are not counted
    among those from 2019/20."""
    from data_access.shipped.common import vru_start_years

    scale.generate_scale(rows=ROWS)
    with db.session_scope() as session:
        stored = dict(
            session.execute(
                select(Area.code, Area.vru_start_year).where(Area.is_vru)
            ).all()
        )
    assert stored == vru_start_years()
    assert sorted(set(stored.values())) == [2019, 2022]


def test_deterministic(store):
    scale.generate_scale(rows=ROWS)
    first = _fingerprint()
    with db.get_engine().begin() as conn:
        for table in reversed(scale.Area.metadata.sorted_tables):
            conn.execute(table.delete())
    scale.generate_scale(rows=ROWS)
    assert _fingerprint() == first


def test_refuses_a_store_that_holds_data(store):
    scale.generate_scale(rows=500)
    with pytest.raises(scale.StoreNotEmpty):
        scale.generate_scale(rows=500)
    with pytest.raises(scale.StoreNotEmpty):
        # even with force: the synthetic source is already there
        scale.generate_scale(rows=500, force=True)


def test_refuses_the_demo_store(loaded_store):
    with pytest.raises(scale.StoreNotEmpty):
        scale.generate_scale(rows=500)
