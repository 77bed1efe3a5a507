"""A workstream's own measures (not public) are read only within the caller's
scope, through every read path: one area's series (area_trends.area_series,
measures.measure_series) and the children list (area_trends.children_latest). Shipped
data: every VRU's workstreams report illustrative private measures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data_access import db, measures
from data_access.areas import get_area
from data_access.errors import AccessDenied, NotFound
from data_access.models import Measure
from data_access.outcomes import area_trends
from data_access.scope import PUBLIC, Scope

AVON, BEDFORDSHIRE, NATIONAL = "E23000036", "E23000026", "K04000001"
AVON_VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
BEDFORDSHIRE_VIEWER = Scope(role="viewer", area_codes=frozenset({BEDFORDSHIRE}))
ANALYST = Scope(role="analyst")


@pytest.fixture
def bedfordshire_measure(loaded_store) -> str:
    """A private measure of one of Bedfordshire's workstreams."""
    assert get_area(BEDFORDSHIRE).name == "Bedfordshire"
    with db.session_scope() as session:
        code = session.scalar(
            select(Measure.code)
            .where(Measure.code.like("ws_bedfordshire_%"), ~Measure.is_public)
            .order_by(Measure.code)
        )
    assert code, "the shipped data gives Bedfordshire's workstreams measures"
    return code


@pytest.mark.parametrize("read", ["trends", "measures"])
def test_a_viewer_reads_a_private_measure_only_in_their_own_area(
    bedfordshire_measure, read
):
    def series(scope):
        if read == "trends":
            return area_trends.area_series(
                scope=scope, measure_code=bedfordshire_measure, area_code=BEDFORDSHIRE
            )
        return measures.measure_series(
            scope=scope, measure_code=bedfordshire_measure, area_code=BEDFORDSHIRE
        )

    own = series(BEDFORDSHIRE_VIEWER)
    assert len(own) > 10
    assert len(series(ANALYST)) == len(own)
    with pytest.raises(AccessDenied):
        series(AVON_VIEWER)
    with pytest.raises(NotFound):
        series(PUBLIC)


def test_the_children_list_of_a_private_measure_holds_only_the_callers_areas(
    bedfordshire_measure,
):
    """A viewer gets at most their own area's row; since the benchmark (the parent,
    England and Wales) is read under the caller's scope too, a viewer may instead
    be refused the whole list: never shown another area's row."""

    def children(scope):
        return area_trends.children_latest(
            scope=scope, measure_code=bedfordshire_measure, parent_code=NATIONAL
        )

    def visible(scope) -> list[str]:
        try:
            return list(children(scope)["area_code"])
        except AccessDenied:
            return []

    everyone = children(ANALYST)
    assert len(everyone) >= 43
    assert everyone.set_index("area_code").loc[BEDFORDSHIRE, "value"] > 0
    assert set(visible(AVON_VIEWER)) <= {AVON}
    assert set(visible(BEDFORDSHIRE_VIEWER)) <= {BEDFORDSHIRE}


def test_the_public_scope_reads_no_restricted_area_even_if_given_one():
    """Public means public: area codes on a public scope (never built on purpose)
    grant nothing."""
    confused = Scope(role="public", area_codes=frozenset({AVON}))
    assert confused.can_read_area(AVON) is False
    assert PUBLIC.can_read_area(AVON) is False
    with pytest.raises(AccessDenied):
        confused.require_area(AVON)


def test_a_scope_cannot_be_widened_after_it_is_built():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        AVON_VIEWER.role = "admin"
