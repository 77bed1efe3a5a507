"""The record every published-file import leaves (the ONS Police Force Area
tables, `data_access.ons_import`, and NHS Digital's X99 admissions,
`data_access.hes_import`): the file is refused when the same bytes were imported
before, else it becomes a new real source (its provenance: publisher, title,
where it came from, the file's SHA-256) and an approved submission holding the
file itself, so every figure it writes can be traced back to the bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.audit import record_change
from data_access.models import Source, Submission
from data_access.ons_tables import OnsWorkbookError
from data_access.scope import Scope

OGL = "Open Government Licence v3.0"


def file_digest(content: bytes) -> str:
    """The SHA-256 of an imported file: the same bytes are imported once."""
    return hashlib.sha256(content).hexdigest()


def record_import(  # noqa: PLR0913
    session: Session,
    *,
    scope: Scope,
    kind: str,
    content: bytes,
    digest: str,
    filename: str,
    default_filename: str,
    period_start: dt.date,
    source: dict,
    notes: str = "",
) -> tuple[Source, Submission]:
    """(source, submission) for a file about to be imported, both flushed.

    Raises OnsWorkbookError, before anything is written, when a submission of
    this `kind` already holds the same bytes. `source` gives the Source's own
    fields (key, publisher, title, url and optionally edition and
    reference_date); every import is real, under the Open Government Licence,
    retrieved today, with the file's name and digest in its notes (then
    `notes`)."""
    same = session.scalar(
        select(Submission.id).where(
            Submission.kind == kind, Submission.sha256 == digest
        )
    )
    if same is not None:
        raise OnsWorkbookError(
            f"This file was imported already (submission {same}); nothing was changed."
        )
    row = Source(
        **source,
        licence=OGL,
        retrieved=dt.date.today(),
        illustrative=False,
        precedence=10,
        notes=f"Imported from '{filename}' (SHA-256 {digest}).{notes}",
    )
    session.add(row)
    session.flush()
    submission = Submission(
        kind=kind,
        workstream_id=None,
        period_start=period_start,
        filename=(filename or default_filename)[:255],
        content=content,
        sha256=digest,
        submitted_by_id=scope.user_id,
        status="approved",
        source_id=row.id,
    )
    session.add(submission)
    session.flush()
    return row, submission


def audit_import(  # noqa: PLR0913
    session: Session,
    *,
    scope: Scope,
    action: str,
    source: Source,
    submission: Submission,
    after: dict,
) -> None:
    """The audit record of an import (the file, its digest and source, then
    `after`: what it wrote), and the cached answers it made stale dropped."""
    record_change(
        session,
        scope,
        action=action,
        entity="submission",
        entity_id=str(submission.id),
        after={
            "filename": submission.filename,
            "sha256": submission.sha256,
            "source": source.key,
            **after,
        },
    )
