"""Uploading a return: read, validate and, only if all of it is valid, write it as a
draft submission in one transaction (its figures stored with `is_current = False`
so they never count until approved), with the raw file and its checksum kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data_access.audit import record_change
from data_access.db import session_scope
from data_access.models import (
    InterventionOutput,
    MeasureValue,
    Spend,
    Submission,
)
from data_access.periods import (
    quarter_label,
)
from data_access.returns.permissions import _Context, _workstream_context
from data_access.returns.spec import (
    MAX_FILENAME_CHARS,
    Problem,
    UploadResult,
    clean_text,
    parse_quarter,
)
from data_access.returns.validator import validate_return
from data_access.returns.workflow import _lock_workstream_returns
from data_access.scope import Scope
from data_access.shipped.common import get_or_create_source

# ------------------------------------------------------------------ writing


def _returns_source(session: Session, ctx: _Context) -> int:
    """The source every approved return of this VRU is filed under (one per VRU,
    made on its first upload)."""
    return get_or_create_source(
        session,
        key=f"returns-{ctx.vru_code}",
        publisher=f"{ctx.vru_name} Violence Reduction Unit",
        title=f"Quarterly returns to {ctx.vru_name} VRU (approved)",
        url=None,
        licence="Internal: not for publication without the VRU's approval",
        retrieved=None,
        precedence=20,
        notes="Figures submitted by workstream leads through the Returns page and "
        "approved by the VRU.",
    ).id


def _chunked_insert(session: Session, model: type, rows: list[dict]) -> None:
    # Core executemany (no ORM bookkeeping, no RETURNING): the fast path on both
    # SQLite and PostgreSQL for a 100,000-row return.
    connection = session.connection()
    statement = insert(model.__table__)
    for start in range(0, len(rows), 10000):
        connection.execute(statement, rows[start : start + 10000])


def upload_return(
    *,
    scope: Scope,
    workstream_id: int,
    period_start: dt.date | str,
    content: bytes,
    filename: str,
    today: dt.date | None = None,
) -> UploadResult:
    """Validate a whole return and, when valid, keep it as a draft submission with
    its raw file, checksum and figures (not current) in one transaction.

    An invalid file, or one already uploaded (same SHA-256), changes nothing. An
    earlier draft, submitted or returned return for the same workstream and quarter
    is marked superseded. Raises AccessDenied, FileRefused or InvalidParameter."""
    period_start = parse_quarter(period_start)
    result = validate_return(
        scope=scope,
        workstream_id=workstream_id,
        period_start=period_start,
        content=content,
        filename=filename,
        today=today,
    )
    digest = hashlib.sha256(content).hexdigest()
    if not result.valid:
        return UploadResult(None, result.problems, rows=result.rows)
    with session_scope() as session:
        # A replacement upload supersedes the quarter's earlier returns: it waits
        # for, and then sees, any approval or send-back of them under way.
        _lock_workstream_returns(session, workstream_id)
        same = session.execute(
            select(Submission.id, Submission.status)
            .where(Submission.kind == "return", Submission.sha256 == digest)
            .order_by(Submission.id)
        ).first()
        if same is not None:
            return UploadResult(
                None,
                [
                    Problem(
                        "",
                        None,
                        "",
                        filename,
                        f"a new file: this exact file was uploaded already as "
                        f"submission {same.id} ({same.status})",
                    )
                ],
                duplicate_of=same.id,
            )
        ctx = _workstream_context(session, workstream_id)
        source_id = _returns_source(session, ctx)
        earlier = session.execute(
            select(Submission.id, Submission.status).where(
                Submission.kind == "return",
                Submission.workstream_id == workstream_id,
                Submission.period_start == period_start,
                Submission.status.in_(("draft", "submitted", "returned")),
            )
        ).all()
        approved = session.scalar(
            select(Submission.id)
            .where(
                Submission.kind == "return",
                Submission.workstream_id == workstream_id,
                Submission.period_start == period_start,
                Submission.status == "approved",
            )
            .order_by(Submission.id.desc())
        )
        submission = Submission(
            kind="return",
            workstream_id=workstream_id,
            period_start=period_start,
            filename=clean_text(filename, "file name", MAX_FILENAME_CHARS) or "return",
            content=content,
            sha256=digest,
            submitted_by_id=scope.user_id,
            status="draft",
            errors=None,
            supersedes_id=approved or (earlier[-1].id if earlier else None),
            source_id=source_id,
        )
        session.add(submission)
        session.flush()
        for row in earlier:
            session.execute(
                update(Submission)
                .where(Submission.id == row.id)
                .values(status="superseded")
            )
            record_change(
                session,
                scope,
                action="supersede_return",
                entity="submission",
                entity_id=str(row.id),
                before={"status": row.status},
                after={"status": "superseded", "by": submission.id},
                invalidate=False,
            )
        extra = {"source_id": source_id, "submission_id": submission.id}
        # Not current until approved, so the activity summaries (current rows
        # only) are unchanged by an upload; approval refreshes them.
        extra["is_current"] = False
        _chunked_insert(
            session, InterventionOutput, [{**r, **extra} for r in result.outputs]
        )
        _chunked_insert(session, Spend, [{**r, **extra} for r in result.spend])
        _chunked_insert(
            session, MeasureValue, [{**r, **extra} for r in result.measures]
        )
        record_change(
            session,
            scope,
            action="upload_return",
            entity="submission",
            entity_id=str(submission.id),
            after={
                "status": "draft",
                "workstream_id": workstream_id,
                "period": quarter_label(period_start),
                "filename": submission.filename,
                "sha256": digest,
                "outputs": len(result.outputs),
                "spend": len(result.spend),
                "measures": len(result.measures),
            },
            invalidate=False,
        )
        new_id = submission.id
    return UploadResult(
        new_id,
        [],
        rows=result.rows,
        superseded=tuple(row.id for row in earlier),
    )
