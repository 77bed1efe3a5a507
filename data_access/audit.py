"""The audit log: every change to the store, with who, when, before and after."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from data_access import cache
from data_access.models import AuditLog

if TYPE_CHECKING:
    from data_access.scope import Scope


def record_change(
    session: Session,
    scope: Scope,
    *,
    action: str,
    entity: str,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
    invalidate: bool = True,
) -> None:
    """A signed-in user's change: its audit row (actor and user id from `scope`)
    and, unless `invalidate` is False (a step whose caller invalidates once at
    the end), every cached answer made stale (cache.invalidate), both in the
    caller's transaction, so they commit or roll back with the change they
    describe."""
    session.add(
        AuditLog(
            actor=scope.actor,
            user_id=scope.user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None if before is None else json.dumps(before, default=str),
            after=None if after is None else json.dumps(after, default=str),
        )
    )
    if invalidate:
        cache.invalidate(session)


def record_new(
    session: Session,
    scope: Scope,
    row: Any,
    *,
    action: str,
    after: Any,
    invalidate: bool = True,
) -> int:
    """Add a new row (a model instance) and audit its creation under its table's
    name and new id (record_change); returns the id."""
    session.add(row)
    session.flush()
    record_change(
        session,
        scope,
        action=action,
        entity=type(row).__tablename__,
        entity_id=str(row.id),
        after=after,
        invalidate=invalidate,
    )
    return row.id
