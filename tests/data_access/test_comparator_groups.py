"""Comparator groups (data_access.comparator_groups) on SQLite and PostgreSQL: the
published groups hold the areas their sources say (regions checked against the
ONS lookup and hand-listed memberships), a saved group is its owner's alone, bad
input writes nothing, and saving and deleting are audited."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, func, select

from data_access import cache, db
from data_access import comparator_groups as groups
from data_access.comparator_models import ComparatorGroup
from data_access.db import session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import Area, AuditLog, User
from data_access.scope import PUBLIC, Scope

NATIONAL = "K04000001"
AVON, DEVON, LANCS, CITY, MET, GWENT = (
    "E23000036",
    "E23000035",
    "E23000003",
    "E23000034",
    "E23000001",
    "W15000002",
)
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture
def world(store):
    with session_scope() as session:
        nation = Area(code=NATIONAL, name="England and Wales", level="country")
        session.add(nation)
        session.flush()
        for code, name, vru in (
            (AVON, "Avon and Somerset", True),
            (DEVON, "Devon and Cornwall", False),
            (LANCS, "Lancashire", True),
            (CITY, "City of London", False),
            (MET, "Metropolitan Police", True),
            (GWENT, "Gwent", False),
        ):
            session.add(
                Area(code=code, name=name, level="pfa", parent_id=nation.id, is_vru=vru)
            )
        users = [
            User(username=n, role_title=n, role=r, password_hash="x")
            for n, r in (("ann", "analyst"), ("bob", "viewer"))
        ]
        session.add_all(users)
        session.flush()
        ids = [u.id for u in users]
    return (
        Scope(role="analyst", user_id=ids[0], actor="Analyst"),
        Scope(
            role="viewer", user_id=ids[1], area_codes=frozenset({AVON}), actor="Board"
        ),
    )


def test_published_groups_hold_what_their_sources_say(world):
    analyst, _ = world
    table = groups.comparator_groups(scope=analyst).set_index("key")
    assert list(table.index[:3]) == ["national", "vru", "non_vru"]
    assert table.loc["national", "label"] == "England and Wales"
    assert set(table.loc["vru", "area_codes"]) == {AVON, LANCS, MET}
    assert set(table.loc["non_vru", "area_codes"]) == {DEVON, CITY, GWENT}
    # Regions: only areas in the store, named as groups.
    assert table.loc["region:E12000009", "label"] == "South West region"
    assert set(table.loc["region:E12000009", "area_codes"]) == {AVON, DEVON}
    assert set(table.loc["region:E12000007", "area_codes"]) == {CITY, MET}
    assert table.loc["region:W92000004", "label"] == "Wales"
    assert groups.group_area_codes("region:E12000002", scope=analyst) == {LANCS}
    with pytest.raises(InvalidParameter):
        groups.group_area_codes("region:E12000099", scope=analyst)


def test_region_file_places_every_force_area_once():
    """Against the ONS lookup (a different file) and memberships listed by hand."""
    with (REFERENCE / "pfa_regions_ons.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    with (REFERENCE / "lookup_lad24_csp24_pfa24_ons.csv").open() as handle:
        forces = {r["pfa24_code"] for r in csv.DictReader(handle)}
    assert len(rows) == 43 and {r["pfa_code"] for r in rows} == forces
    by_region: dict[str, set[str]] = {}
    for r in rows:
        by_region.setdefault(r["region_name"], set()).add(r["pfa_name"])
    assert by_region["London"] == {"City of London", "Metropolitan Police"}
    assert by_region["South West"] == {
        "Avon and Somerset",
        "Devon and Cornwall",
        "Dorset",
        "Gloucestershire",
        "Wiltshire",
    }
    assert by_region["Wales"] == {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"}
    assert by_region["East of England"] == {
        "Bedfordshire",
        "Cambridgeshire",
        "Essex",
        "Hertfordshire",
        "Norfolk",
        "Suffolk",
    }
    assert len(by_region) == 10  # nine English regions and Wales


def test_a_saved_group_is_its_owners_alone_and_audited(world):
    analyst, viewer = world
    with session_scope() as session:
        generation_before = session.scalar(cache.generation_select())
    key = groups.save_group(
        scope=viewer, name="  My   peers ", area_codes=[DEVON, LANCS, DEVON]
    )
    mine = groups.get_group(key, scope=viewer)
    assert mine["label"] == "My peers" and mine["kind"] == "saved"
    assert set(mine["area_codes"]) == {DEVON, LANCS}
    # Nobody else sees it or can delete it; the public sees no saved groups.
    assert key not in set(groups.comparator_groups(scope=analyst)["key"])
    assert key not in set(groups.comparator_groups(scope=PUBLIC)["key"])
    with pytest.raises(InvalidParameter):
        groups.get_group(key, scope=analyst)
    with pytest.raises(NotFound):
        groups.delete_group(scope=analyst, key=key)
    groups.delete_group(scope=viewer, key=key)
    assert key not in set(groups.comparator_groups(scope=viewer)["key"])
    with session_scope() as session:
        rows = [
            (a.action, a.actor, a.user_id, a.entity_id, a.before, a.after)
            for a in session.scalars(
                select(AuditLog)
                .where(AuditLog.entity == "comparator_group")
                .order_by(AuditLog.id)
            )
        ]
        generation = session.scalar(cache.generation_select())
    group_id = key.removeprefix("saved:")
    assert rows == [
        (
            "save",
            "Board",
            viewer.user_id,
            group_id,
            None,
            json.dumps({"name": "My peers", "areas": sorted({DEVON, LANCS})}),
        ),
        ("delete", "Board", viewer.user_id, group_id, '{"name": "My peers"}', None),
    ]
    # An answer on a saved group is never cached, so neither change makes every
    # cached answer old.
    assert generation == generation_before


@pytest.mark.parametrize(
    "name, codes, parameter",
    [
        ("", [AVON, DEVON], "name"),
        ("bad\x07name", [AVON, DEVON], "name"),
        ("x" * 81, [AVON, DEVON], "name"),
        ("One", [AVON, AVON], "areas"),
        ("Lad", [AVON, "E07000117"], "areas"),
        ("Taken", [AVON, DEVON], "name"),
    ],
)
def test_bad_groups_are_refused_and_write_nothing(world, name, codes, parameter):
    analyst, _ = world
    if name == "Taken":
        groups.save_group(scope=analyst, name="Taken", area_codes=[AVON, LANCS])
    with session_scope() as session:
        before = session.scalar(select(func.count()).select_from(ComparatorGroup))
    with pytest.raises(InvalidParameter) as refused:
        groups.save_group(scope=analyst, name=name, area_codes=codes)
    assert refused.value.parameter == parameter
    with session_scope() as session:
        after = session.scalar(select(func.count()).select_from(ComparatorGroup))
    assert after == before


def test_the_public_cannot_save(world):
    with pytest.raises(AccessDenied):
        groups.save_group(scope=PUBLIC, name="x", area_codes=[AVON, DEVON])


def test_a_users_saved_groups_alone_are_the_saved_rows_of_every_group(world):
    """saved_groups (the /compare group list's read) is comparator_groups'
    saved rows, for a user with groups, one without, and the public."""
    analyst, viewer = world
    groups.save_group(scope=viewer, name="Peers", area_codes=[DEVON, LANCS])
    groups.save_group(scope=viewer, name="Another", area_codes=[AVON, GWENT, MET])
    groups.save_group(scope=analyst, name="Theirs", area_codes=[CITY, MET])
    for scope in (viewer, analyst, PUBLIC):
        every = groups.comparator_groups(scope=scope)
        expected = every[every["kind"] == "saved"].reset_index(drop=True)
        got = groups.saved_groups(scope=scope)
        assert len(got) == (2 if scope is viewer else 1 if scope is analyst else 0)
        # (no rows: no values to type the columns by, as the list needs none)
        pd.testing.assert_frame_equal(
            got, expected, check_index_type=False, check_dtype=not expected.empty
        )


def test_a_users_saved_groups_are_one_read_outside_a_transaction(world):
    """The /compare group list (read on every load) is one statement with no
    BEGIN and COMMIT around it: no transaction is committed (issue 19)."""
    _analyst, viewer = world
    groups.save_group(scope=viewer, name="Peers", area_codes=[DEVON, LANCS])
    engine = db.get_engine()
    statements, commits = [], []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def committed(_conn):
        commits.append(True)

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", committed)
    try:
        got = groups.saved_groups(scope=viewer)
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", committed)
    assert got["label"].tolist() == ["Peers"]
    assert got["area_codes"].tolist() == [tuple(sorted([DEVON, LANCS]))]
    assert len(statements) == 1
    assert commits == []
