"""Annotations (data_access.annotations) on SQLite and PostgreSQL: who may add and
remove them (checked here, whatever the page offers), that a refused change writes
nothing, that every change is in the audit log, and which charts show which
annotations to whom (the public only those marked public)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from data_access import annotations
from data_access.annotation_models import Annotation
from data_access.cache import GENERATION_KEY
from data_access.db import session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import (
    Area,
    AuditLog,
    Measure,
    Source,
    StoreMeta,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import PUBLIC, Scope

NATIONAL, LANCS, BURNLEY, AVON = "K04000001", "E23000003", "E07000117", "E23000036"
ADMIN = Scope(role="admin", actor="VRU Director", user_id=None)
ANALYST = Scope(role="analyst", actor="Analyst")
LEAD = Scope(role="lead", area_codes=frozenset({LANCS}), actor="Lead")
AVON_LEAD = Scope(role="lead", area_codes=frozenset({AVON}), actor="Avon lead")
VIEWER = Scope(role="viewer", area_codes=frozenset({LANCS}), actor="Board")
AVON_VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}), actor="Board")


@pytest.fixture
def world(store):
    with session_scope() as session:
        source = Source(key="t", publisher="t", title="t", licence="OGL", url=None)
        session.add(source)
        session.flush()
        nation = Area(code=NATIONAL, name="England and Wales", level="country")
        session.add(nation)
        session.flush()
        lancs = Area(code=LANCS, name="Lancashire", level="pfa", parent_id=nation.id)
        avon = Area(
            code=AVON, name="Avon and Somerset", level="pfa", parent_id=nation.id
        )
        session.add_all([lancs, avon])
        session.flush()
        session.add(Area(code=BURNLEY, name="Burnley", level="lad", parent_id=lancs.id))
        common = dict(
            definition="d", polarity="lower_is_better", category="outcome",
            period_type="quarter", ci_method="none", source_id=source.id, unit="n",
        )  # fmt: skip
        knife = Measure(code="knife", name="Knife", is_public=True, **common)
        other = Measure(code="other", name="Other", is_public=True, **common)
        private = Measure(code="ws_private", name="Private", is_public=False, **common)
        session.add_all([knife, other, private])
        session.flush()
        ws = Workstream(
            vru_area_id=lancs.id, name="W", purpose="p", lead_role="Lead",
            source_id=source.id,
        )  # fmt: skip
        session.add(ws)
        session.flush()
        session.add(WorkstreamMeasure(workstream_id=ws.id, measure_id=private.id))


def _count(model) -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(model))


def _add(scope, area, label="Week of action", **kw):
    options = dict(event_date=dt.date(2021, 3, 14), kind="operation")
    options.update(kw)
    return annotations.add_annotation(
        scope=scope, area_code=area, label=label, **options
    )


@pytest.mark.parametrize(
    ("scope", "area", "allowed"),
    [
        (ADMIN, AVON, True),
        (ANALYST, NATIONAL, True),
        (LEAD, LANCS, True),
        (LEAD, BURNLEY, True),  # a local authority of the lead's VRU area
        (LEAD, AVON, False),
        (LEAD, NATIONAL, False),
        (VIEWER, LANCS, False),  # viewers read only
        (PUBLIC, LANCS, False),
    ],
)
def test_who_may_add(world, scope, area, allowed):
    before = (_count(Annotation), _count(AuditLog))
    if allowed:
        new_id = _add(scope, area)
        assert (_count(Annotation), _count(AuditLog)) == (before[0] + 1, before[1] + 1)
        with session_scope() as session:
            entry = session.scalars(select(AuditLog)).all()[-1]
            assert (entry.action, entry.entity_id) == ("add annotation", str(new_id))
            assert json.loads(entry.after)["area"] == area
            assert entry.actor == scope.actor
    else:
        with pytest.raises(AccessDenied):
            _add(scope, area)
        assert (_count(Annotation), _count(AuditLog)) == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"label": "   "}, InvalidParameter),
        ({"label": "x" * 121}, InvalidParameter),
        ({"label": "bell\x07"}, InvalidParameter),
        ({"kind": "party"}, InvalidParameter),
        ({"event_date": "2021-02-30"}, InvalidParameter),
        ({"event_date": dt.date(1999, 12, 31)}, InvalidParameter),
        ({"event_date": dt.date(2030, 1, 1)}, InvalidParameter),  # clock: 2025-11-22
        ({"measure_code": "nope"}, NotFound),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(world, fields, error):
    before = (_count(Annotation), _count(AuditLog))
    with pytest.raises(error):
        _add(ADMIN, LANCS, **fields)
    assert (_count(Annotation), _count(AuditLog)) == before


def test_a_lead_cannot_tie_an_annotation_to_a_measure_they_cannot_see(world):
    with pytest.raises(NotFound):
        _add(AVON_LEAD, AVON, measure_code="ws_private")
    assert _add(LEAD, LANCS, measure_code="ws_private")


def test_labels_are_kept_as_plain_text(world):
    hostile = '<img src=x onerror="alert(1)">  Op\tSceptre'
    _add(ADMIN, LANCS, label=hostile)
    found = annotations.annotations_for(ADMIN, LANCS, None, None, None)
    assert found["label"].tolist() == ['<img src=x onerror="alert(1)"> Op Sceptre']


def test_which_charts_show_which_annotations(world):
    _add(ADMIN, NATIONAL, "national", event_date=dt.date(2020, 1, 1), is_public=True)
    _add(ADMIN, LANCS, "lancs all", event_date=dt.date(2021, 1, 1))
    _add(
        ADMIN,
        LANCS,
        "lancs knife",
        event_date=dt.date(2021, 2, 1),
        measure_code="knife",
    )
    _add(
        ADMIN,
        LANCS,
        "lancs other",
        event_date=dt.date(2021, 2, 2),
        measure_code="other",
    )
    _add(ADMIN, LANCS, "lancs public", event_date=dt.date(2021, 3, 1), is_public=True)
    _add(ADMIN, LANCS, "public private-measure", event_date=dt.date(2021, 3, 2),
         is_public=True, measure_code="ws_private")  # fmt: skip
    _add(ADMIN, BURNLEY, "burnley", event_date=dt.date(2022, 1, 1))
    _add(ADMIN, AVON, "avon", event_date=dt.date(2021, 1, 1), is_public=True)

    def labels(scope, area, measure, start=None, end=None, **kw):
        found = annotations.annotations_for(scope, area, measure, start, end, **kw)
        return found["label"].tolist()

    # a local authority's chart: its own, its force area's and the nation's
    assert labels(VIEWER, BURNLEY, "knife") == [
        "national", "lancs all", "lancs knife", "lancs public", "burnley",
    ]  # fmt: skip
    # a chart of no one measure shows only those tied to none
    assert labels(VIEWER, LANCS, None) == ["national", "lancs all", "lancs public"]
    assert labels(VIEWER, LANCS, "ws_private") == [
        "national", "lancs all", "lancs public", "public private-measure",
    ]  # fmt: skip
    # the period of the chart
    assert labels(
        VIEWER, LANCS, "knife", dt.date(2021, 1, 1), dt.date(2021, 2, 28)
    ) == ["lancs all", "lancs knife"]
    # outside the reader's scope, and for the public: public ones only, never
    # one tied to a measure that is not public
    assert labels(AVON_VIEWER, BURNLEY, "knife") == ["national", "lancs public"]
    assert labels(PUBLIC, LANCS, "knife") == ["national", "lancs public"]
    assert labels(PUBLIC, LANCS, "ws_private") == ["national", "lancs public"]
    assert labels(ADMIN, LANCS, "knife", public_only=True) == [
        "national", "lancs public",
    ]  # fmt: skip
    assert labels(AVON_VIEWER, AVON, None) == ["national", "avon"]
    found = annotations.annotations_for(VIEWER, LANCS, "knife", None, None)
    assert found["text"].iloc[1] == "1 January 2021: lancs all (operation)"


def test_removing_is_checked_and_audited(world):
    first = _add(LEAD, BURNLEY, "to remove")
    with pytest.raises(NotFound):  # outside what the Avon lead reads at all
        annotations.delete_annotation(scope=AVON_LEAD, annotation_id=first)
    with pytest.raises(AccessDenied):  # read, but viewers do not edit
        annotations.delete_annotation(scope=VIEWER, annotation_id=first)
    with pytest.raises(NotFound):
        annotations.delete_annotation(scope=ADMIN, annotation_id=first + 99)
    assert _count(Annotation) == 1
    with session_scope() as session:
        generation = session.get(StoreMeta, GENERATION_KEY)
        generation = generation.value if generation else None
    annotations.delete_annotation(scope=LEAD, annotation_id=first)
    assert _count(Annotation) == 0
    with session_scope() as session:
        entry = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()[-1]
        assert entry.action == "delete annotation"
        assert json.loads(entry.before)["label"] == "to remove"
        # cached charts are made old in the same transaction
        assert session.get(StoreMeta, GENERATION_KEY).value != generation


def test_the_list_page_reads_only_the_callers_areas(world):
    _add(ADMIN, BURNLEY, "burnley")
    _add(ADMIN, AVON, "avon", is_public=True)
    assert annotations.list_annotations(scope=LEAD)["label"].tolist() == ["burnley"]
    assert annotations.list_annotations(scope=AVON_VIEWER)["can_edit"].tolist() == [
        False
    ]
    assert len(annotations.list_annotations(scope=ANALYST)) == 2
    assert annotations.list_annotations(scope=PUBLIC).empty
