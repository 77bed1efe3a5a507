"""The audit log: every change to the store, with who, when, before and after."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from data_access.models import AuditLog


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    user_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add an audit row in the caller's transaction, so it commits or rolls back
    with the change it describes."""
    session.add(
        AuditLog(
            actor=actor,
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None if before is None else json.dumps(before, default=str),
            after=None if after is None else json.dumps(after, default=str),
        )
    )
