"""Annotations: dated local events marked on every time chart that covers them.

An annotation is a date, a kind (campaign, operation, recording change, other), a
short plain-text label, an area and optionally one measure, and whether it may be
shown in public. Charts read them through `annotations_for`, the one road for
pages, embeds and board packs.

Rules (stated on the /annotations page):
- **Who may add or remove**: admins and analysts, on any area; a workstream lead
  on their workstream's VRU area and its local authorities. Viewers and the
  public read only. Checked here, on the server, for every change.
- **Who reads**: a signed-in user reads the annotations of the areas in their
  scope (admins and analysts: all); on any other area, and on the public embeds,
  only annotations marked public (and none tied to a measure that is not public).
- **Which charts**: a chart of an area shows the annotations of that area and of
  the areas containing it (a force area's on its local authorities' charts,
  England and Wales's on every chart); a chart of one measure shows those tied to
  that measure and those tied to no measure; a chart of no one measure (money,
  outputs) only those tied to no measure. Only dates within the chart's period.
- **Plain text**: labels are stored as typed (control characters refused, spaces
  collapsed, at most `LABEL_MAX` characters); everything that draws them escapes
  them (components.annotation_marks).
- Every change is in the audit log, in the change's own transaction, and makes
  cached answers old (data_access.cache.invalidate), so charts show it at once.

`annotations_for` returns a DataFrame with `ANNOTATION_COLUMNS`:
    id, event_date (date), kind, kind_label, label, area_code, area_name,
    measure_code (None: every measure of the area), is_public (bool), text
    ("14 March 2021: Operation Sceptre week of action (operation)").
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pandas as pd
from sqlalchemy import Date, String, bindparam, or_, select
from sqlalchemy.orm import aliased

from data_access import audit, clock
from data_access.annotation_models import ANNOTATION_KINDS, LABEL_MAX, Annotation
from data_access.areas import AreaInfo, area_id_of, get_area
from data_access.db import read_connection, session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.measures import get_measure, measures_for
from data_access.models import Area, Measure
from data_access.periods import long_date
from data_access.scope import Scope

KIND_LABELS = {
    "campaign": "Campaign",
    "operation": "Operation",
    "recording_change": "Recording change",
    "other": "Other event",
}
EDIT_ROLES = ("admin", "analyst", "lead")
EARLIEST = dt.date(2000, 1, 1)
ANNOTATION_COLUMNS = [
    "id",
    "event_date",
    "kind",
    "kind_label",
    "label",
    "area_code",
    "area_name",
    "measure_code",
    "is_public",
    "text",
]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

assert set(KIND_LABELS) == set(ANNOTATION_KINDS)


def can_edit(scope: Scope, area: AreaInfo) -> bool:
    """Whether `scope` may add or remove annotations on `area` (see the rules)."""
    if scope.role not in EDIT_ROLES:
        return False
    return scope.can_read_area(area.code, area.parent_code)


def _require_edit(scope: Scope, area: AreaInfo) -> None:
    if scope.role not in EDIT_ROLES:
        raise AccessDenied("your role does not allow adding or removing annotations")
    if not scope.can_read_area(area.code, area.parent_code):
        raise AccessDenied(f"your access does not include area {area.code}")


def clean_label(label: object) -> str:
    """The label as stored: plain text, spaces collapsed; InvalidParameter when
    empty, too long or holding control characters."""
    if not isinstance(label, str):
        raise InvalidParameter("label", "Write a short label for the event.")
    if _CONTROL.search(label.replace("\n", " ").replace("\t", " ")):
        raise InvalidParameter("label", "The label may not hold control characters.")
    text = " ".join(label.split())
    if not text:
        raise InvalidParameter("label", "Write a short label for the event.")
    if len(text) > LABEL_MAX:
        raise InvalidParameter(
            "label", f"The label is {len(text)} characters; at most {LABEL_MAX}."
        )
    return text


def _check_date(value: object) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidParameter(
                "date", f"'{value}' is not a date. Use the form YYYY-MM-DD."
            ) from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidParameter("date", "Give the date of the event (YYYY-MM-DD).")
    latest = clock.today() + dt.timedelta(days=366)
    if not EARLIEST <= value <= latest:
        raise InvalidParameter(
            "date",
            f"The date must lie between {EARLIEST:%d %B %Y} and {latest:%d %B %Y}.",
        )
    return value


def add_annotation(
    *,
    scope: Scope,
    area_code: str,
    event_date: dt.date | str,
    label: str,
    kind: str,
    measure_code: str | None = None,
    is_public: bool = False,
) -> int:
    """Store one annotation and its audit entry; returns its id.

    AccessDenied outside the caller's edit rights, NotFound for an unknown area
    or a measure the caller cannot see, InvalidParameter for a bad date, kind or
    label. Nothing is written unless all of it is valid."""
    area = get_area(area_code)
    _require_edit(scope, area)
    if kind not in ANNOTATION_KINDS:
        raise InvalidParameter(
            "kind",
            f"'{kind}' is not a kind of event. Use one of: "
            + ", ".join(ANNOTATION_KINDS)
            + ".",
        )
    date = _check_date(event_date)
    text = clean_label(label)
    if measure_code:
        get_measure(measure_code, scope=scope)
        if measure_code not in set(measures_for(scope)["code"]):
            raise NotFound(f"no measure has the code '{measure_code}'")
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        measure_id = (
            session.scalar(select(Measure.id).where(Measure.code == measure_code))
            if measure_code
            else None
        )
        row = Annotation(
            area_id=area_id,
            measure_id=measure_id,
            event_date=date,
            kind=kind,
            label=text,
            is_public=bool(is_public),
            created_by=scope.user_id,
        )
        return audit.record_new(
            session,
            scope,
            row,
            action="add annotation",
            after=_audit_fields(row, area.code, measure_code),
        )


def delete_annotation(*, scope: Scope, annotation_id: int) -> None:
    """Remove one annotation (audit entry keeps what it said). NotFound when it
    does not exist or lies outside what the caller reads; AccessDenied when the
    caller reads it but may not edit its area."""
    with session_scope() as session:
        found = session.execute(
            select(Annotation, Area.code, Measure.code)
            .join(Area, Area.id == Annotation.area_id)
            .outerjoin(Measure, Measure.id == Annotation.measure_id)
            .where(Annotation.id == annotation_id)
        ).first()
        if found is None:
            raise NotFound(f"no annotation has the id {annotation_id}")
        row, area_code, measure_code = found
        area = get_area(area_code)
        if not scope.can_read_area(area.code, area.parent_code):
            raise NotFound(f"no annotation has the id {annotation_id}")
        _require_edit(scope, area)
        before = _audit_fields(row, area_code, measure_code)
        session.delete(row)
        audit.record_change(
            session,
            scope,
            action="delete annotation",
            entity="annotation",
            entity_id=str(annotation_id),
            before=before,
        )


def _audit_fields(row: Annotation, area_code: str, measure_code: str | None) -> dict:
    return {
        "area": area_code,
        "measure": measure_code,
        "date": row.event_date.isoformat(),
        "kind": row.kind,
        "label": row.label,
        "public": bool(row.is_public),
    }


# The areas whose annotations a chart of an area shows: the area and the areas
# containing it, at most this many in all (a local authority, its force area,
# England and Wales, and room to spare).
CHAIN_LENGTH = 5


def annotations_for(
    scope: Scope,
    area_code: str,
    measure_code: str | None,
    start: dt.date | None,
    end: dt.date | None,
    public_only: bool = False,
) -> pd.DataFrame:
    """The annotations a chart of `area_code` (and `measure_code`, or None for a
    chart of no one measure) from `start` to `end` shows to `scope`, oldest first
    (ANNOTATION_COLUMNS). The public scope always gets public ones only.

    One read: the areas containing the chart's area are found in the same
    statement (each annotation comes with its area's parent, which the scope
    check needs), not read one by one beforehand."""
    public_only = public_only or scope.is_public
    get_area(area_code)  # NotFound for an unknown area
    parameters: dict = {"area_code": area_code}
    if measure_code:
        parameters["measure_code"] = measure_code
    if start is not None:
        parameters["start"] = start
    if end is not None:
        parameters["end"] = end
    statement = _annotations_for_statement(
        bool(measure_code), start is not None, end is not None
    )
    with read_connection() as connection:
        rows = connection.execute(statement, parameters).all()
    # An annotation of an area the caller may not read privately is shown only
    # if it is public and not tied to a measure that is not public.
    kept = [
        row
        for row in rows
        if (not public_only and scope.can_read_area(row.area_code, row.parent_code))
        or (row.is_public and row.measure_is_public is not False)
    ]
    return _frame(kept)


@functools.cache
def _annotations_for_statement(by_measure: bool, from_start: bool, to_end: bool):
    """`annotations_for`'s read, built once per shape (it costs more CPU to
    build than to run), with its values as parameters."""
    levels = [aliased(Area) for _ in range(CHAIN_LENGTH)]
    chain = select(*(level.id for level in levels)).where(
        levels[0].code == bindparam("area_code", type_=String)
    )
    for child, level in zip(levels, levels[1:], strict=False):
        chain = chain.outerjoin(level, level.id == child.parent_id)
    chain = chain.subquery()
    parent = aliased(Area)
    query = (
        _annotations_query(
            Measure.is_public.label("measure_is_public"),
            parent.code.label("parent_code"),
        )
        .outerjoin(parent, parent.id == Area.parent_id)
        .join(chain, or_(*(Annotation.area_id == column for column in chain.c)))
        .order_by(Annotation.event_date, Annotation.id)
    )
    if by_measure:
        query = query.where(
            Annotation.measure_id.is_(None)
            | (Measure.code == bindparam("measure_code", type_=String))
        )
    else:
        query = query.where(Annotation.measure_id.is_(None))
    if from_start:
        query = query.where(Annotation.event_date >= bindparam("start", type_=Date))
    if to_end:
        query = query.where(Annotation.event_date <= bindparam("end", type_=Date))
    return query


def _annotations_query(*extra):
    """Every annotation with its area and measure (the columns _frame reads)."""
    return (
        select(
            Annotation.id,
            Annotation.event_date,
            Annotation.kind,
            Annotation.label,
            Area.code.label("area_code"),
            Area.name.label("area_name"),
            Measure.code.label("measure_code"),
            Annotation.is_public,
            *extra,
        )
        .join(Area, Area.id == Annotation.area_id)
        .outerjoin(Measure, Measure.id == Annotation.measure_id)
    )


def list_annotations(*, scope: Scope) -> pd.DataFrame:
    """Every annotation on the areas `scope` reads, newest first
    (ANNOTATION_COLUMNS plus can_edit), for the /annotations page. The public
    scope reads none here."""
    if scope.is_public:
        return _frame([]).assign(can_edit=pd.Series(dtype=bool))
    parent = aliased(Area)
    query = (
        _annotations_query(parent.code.label("parent_code"))
        .outerjoin(parent, parent.id == Area.parent_id)
        .order_by(Annotation.event_date.desc(), Annotation.id.desc())
    )
    with session_scope() as session:
        rows = [
            row
            for row in session.execute(query).all()
            if scope.can_read_area(row.area_code, row.parent_code)
        ]
    frame = _frame(rows)
    # every row read here lies in the caller's scope
    frame["can_edit"] = [scope.role in EDIT_ROLES] * len(frame)
    return frame


def _frame(rows: list) -> pd.DataFrame:
    records = [
        {
            "id": row.id,
            "event_date": row.event_date,
            "kind": row.kind,
            "kind_label": KIND_LABELS[row.kind],
            "label": row.label,
            "area_code": row.area_code,
            "area_name": row.area_name,
            "measure_code": row.measure_code,
            "is_public": bool(row.is_public),
            "text": f"{long_date(row.event_date)}: {row.label} "
            f"({KIND_LABELS[row.kind].lower()})",
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=ANNOTATION_COLUMNS)
