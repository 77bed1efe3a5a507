"""An area's store id is looked up by its ONS code in one place
(areas.area_id_of, issue 13): on the caller's read connection or write Session,
NotFound for a code the store lacks, and a write given an unknown area writes
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access import users
from data_access.areas import area_id_of
from data_access.db import read_connection, session_scope
from data_access.errors import NotFound
from data_access.models import Area, User, UserArea

NATIONAL, AVON = "K04000001", "E23000036"


@pytest.fixture
def two_areas(store) -> dict[str, int]:
    with session_scope() as session:
        nation = Area(code=NATIONAL, name="England and Wales", level="country")
        session.add(nation)
        session.flush()
        avon = Area(code=AVON, name="Avon", level="pfa", parent_id=nation.id)
        session.add(avon)
        session.flush()
        return {NATIONAL: nation.id, AVON: avon.id}


def test_the_id_is_the_areas_own_on_a_read_and_in_a_write(two_areas):
    with read_connection() as connection:
        assert {c: area_id_of(connection, c) for c in two_areas} == two_areas
    with session_scope() as session:
        assert area_id_of(session, AVON) == two_areas[AVON]


def test_an_unknown_code_is_not_found(two_areas):
    with read_connection() as connection, pytest.raises(NotFound, match="E99"):
        area_id_of(connection, "E99999999")


def test_a_user_given_an_unknown_area_is_not_created(two_areas):
    with pytest.raises(NotFound, match="E99999999"):
        users.create_user(
            username="v",
            role="viewer",
            role_title="Viewer",
            area_codes=(AVON, "E99999999"),
        )
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(UserArea)) == 0
    record, _ = users.create_user(
        username="v", role="viewer", role_title="Viewer", area_codes=(AVON,)
    )
    assert record.username == "v"
