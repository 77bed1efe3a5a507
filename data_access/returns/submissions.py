"""Reading returns back: the submissions a scope may see with their actions, the
raw file for download, a submission's audit trail and each workstream's
completeness by quarter.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from data_access import clock
from data_access.db import session_scope
from data_access.models import (
    Area,
    AuditLog,
    Submission,
    User,
    Workstream,
)
from data_access.periods import (
    quarter_label,
)
from data_access.returns.permissions import _require_can_read
from data_access.returns.spec import XLSX_MAGIC, started_quarters
from data_access.returns.templates import workstreams_for
from data_access.returns.workflow import (
    _load_submission,
    _quarter_state,
    ever_approved,
)
from data_access.returns_due import due_date, is_late
from data_access.scope import Scope
from data_access.workstreams import quarters_with_every_figure

# ------------------------------------------------------------------ reading back


# A return's workstream, its VRU area and its quarter: the columns that place it.
_RETURN_KEY = [
    "workstream_id",
    "workstream",
    "area_code",
    "area_name",
    "period_start",
    "period",
]
SUBMISSION_COLUMNS = [
    "submission_id",
    *_RETURN_KEY,
    "filename",
    "sha256",
    "status",
    "created_at",
    "submitted_by",
    "comment",
    "supersedes_id",
    "state",
    "submitter_ids",
    "download_name",
    "once_approved",
]


def list_submissions(
    *,
    scope: Scope,
    workstream_id: int | None = None,
    period_start: dt.date | None = None,
) -> pd.DataFrame:
    """Returns `scope` may see, newest first. A lead sees their workstream's returns
    (drafts included); admins and analysts see every return.

    Columns: SUBMISSION_COLUMNS (submitted_by is a role title; state is the
    quarter's token to pass back as `seen` with an action; submitter_ids the
    users who uploaded or submitted the return, for may_approve; download_name
    the name to show and offer the file under, filename the name as uploaded;
    once_approved whether it was ever approved, so could be restored)."""
    if not scope.unrestricted:
        # A lead's listing is their own workstream's unless they name another.
        if workstream_id is None:
            workstream_id = scope.workstream_id
        _require_can_read(scope, workstream_id)
    with session_scope() as session:
        query = (
            select(
                Submission.id,
                Submission.workstream_id,
                Workstream.name,
                Area.code,
                Area.name,
                Submission.period_start,
                Submission.filename,
                Submission.sha256,
                Submission.status,
                Submission.created_at,
                User.role_title,
                Submission.comment,
                Submission.supersedes_id,
            )
            .join(Workstream, Workstream.id == Submission.workstream_id)
            .join(Area, Area.id == Workstream.vru_area_id)
            .outerjoin(User, User.id == Submission.submitted_by_id)
            .where(Submission.kind == "return")
            .order_by(Submission.id.desc())
        )
        if workstream_id is not None:
            query = query.where(Submission.workstream_id == workstream_id)
        if period_start is not None:
            query = query.where(Submission.period_start == period_start)
        rows = session.execute(query).all()
        states = {
            key: _quarter_state(session, *key) for key in {(r[1], r[5]) for r in rows}
        }
        submitters: dict[int, set[int]] = {r[0]: set() for r in rows}
        if rows:
            for entity_id, user_id in session.execute(
                select(AuditLog.entity_id, AuditLog.user_id).where(
                    AuditLog.entity == "submission",
                    AuditLog.action.in_(("upload_return", "submit_return")),
                    AuditLog.user_id.is_not(None),
                    AuditLog.entity_id.in_([str(r[0]) for r in rows]),
                )
            ):
                submitters[int(entity_id)].add(user_id)
        once_approved = ever_approved(session, [r[0] for r in rows])
        uploaders: dict[int, int | None] = {}
        is_xlsx: dict[int, bool] = {}
        for id_, user_id, head in session.execute(
            select(
                Submission.id,
                Submission.submitted_by_id,
                func.substr(Submission.content, 1, len(XLSX_MAGIC)),
            ).where(Submission.id.in_([r[0] for r in rows]))
        ):
            uploaders[id_] = user_id
            is_xlsx[id_] = bytes(head or b"") == XLSX_MAGIC
    for id_, user_id in uploaders.items():
        if user_id is not None:
            submitters[id_].add(user_id)
    frame = pd.DataFrame(
        [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                quarter_label(r[5]),
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                states[(r[1], r[5])],
                frozenset(submitters[r[0]]),
                download_name(r[0], r[6], xlsx=is_xlsx[r[0]]),
                r[0] in once_approved,
            )  # fmt: skip
            for r in rows
        ],
        columns=SUBMISSION_COLUMNS,
    )
    return frame


_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
MAX_DOWNLOAD_STEM_CHARS = 60


def download_name(submission_id: int, filename: str | None, *, xlsx: bool) -> str:
    """The name a kept return file is offered and shown under: 'return-<id>-'
    then the last part of the uploaded name in letters, digits, '.', '_' and '-'
    only, with the extension of what the file is (.xlsx or .csv). A name like
    '../../etc/passwd', 'setup.exe' or one with a right-to-left override never
    reaches a browser's save dialog; the name as uploaded stays in the store only
    as data (submission.filename, the audit log)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = _UNSAFE_NAME_CHARACTERS.sub("_", ascii_stem).strip("._-")
    stem = stem[:MAX_DOWNLOAD_STEM_CHARS].rstrip("._-")
    name = f"return-{submission_id}" + (f"-{stem}" if stem else "")
    return name + (".xlsx" if xlsx else ".csv")


def submission_file(*, scope: Scope, submission_id: int) -> tuple[str, bytes]:
    """The raw uploaded file of a return: (safe download name, bytes),
    scope-checked. See download_name."""
    with session_scope() as session:
        submission = _load_submission(session, submission_id)
        _require_can_read(scope, submission.workstream_id)
        content = bytes(submission.content)
        name = download_name(
            submission.id, submission.filename, xlsx=content.startswith(XLSX_MAGIC)
        )
        return name, content


def submission_audit(*, scope: Scope, submission_id: int) -> pd.DataFrame:
    """The audit trail of one return. Columns: at, actor, action, before, after."""
    with session_scope() as session:
        submission = _load_submission(session, submission_id)
        _require_can_read(scope, submission.workstream_id)
        rows = session.execute(
            select(
                AuditLog.at,
                AuditLog.actor,
                AuditLog.action,
                AuditLog.before,
                AuditLog.after,
            )
            .where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission_id),
            )
            .order_by(AuditLog.id)
        ).all()
    return pd.DataFrame(rows, columns=["at", "actor", "action", "before", "after"])


COMPLETENESS_COLUMNS = [
    *_RETURN_KEY,
    "due_date",
    "status",
    "received",
    "late",
    "submission_id",
]


def completeness(
    *, scope: Scope, quarters: int = 4, today: dt.date | None = None
) -> pd.DataFrame:
    """Which returns are due, received and late, per workstream and quarter, for the
    last `quarters` quarters that have ended.

    Columns: COMPLETENESS_COLUMNS. status is one of approved, submitted, draft,
    returned, loaded (no return file, but every figure of the workstream for the
    quarter is in the store: received), due (not yet received, up to and on the
    due date), late (not received after the due date). Due dates and lateness are
    data_access.returns_due; `today` defaults to data_access.clock.today(). `late`
    is also True for a return received after its due date."""
    today = today or clock.today()
    workstreams = workstreams_for(scope=scope)
    # The quarters that have ended: the one under way is not due yet.
    periods = started_quarters(today, quarters + 1)[1:]
    if workstreams.empty:
        return pd.DataFrame(columns=COMPLETENESS_COLUMNS)
    ids = [int(i) for i in workstreams["workstream_id"]]
    with session_scope() as session:
        subs = session.execute(
            select(
                Submission.id,
                Submission.workstream_id,
                Submission.period_start,
                Submission.status,
                Submission.created_at,
            )
            .where(
                Submission.kind == "return",
                Submission.workstream_id.in_(ids),
                Submission.period_start.in_(periods),
                Submission.status != "superseded",
            )
            .order_by(Submission.id)
        ).all()
    loaded = quarters_with_every_figure(ids, periods)
    latest = {(s.workstream_id, s.period_start): s for s in subs}
    rank = {"approved": 0, "submitted": 1, "returned": 2, "draft": 3}
    best: dict[tuple, Any] = {}
    for s in subs:
        key = (s.workstream_id, s.period_start)
        if key not in best or rank[s.status] <= rank[best[key].status]:
            best[key] = s
    rows = []
    for ws in workstreams.itertuples():
        for start in periods:
            due = due_date(start)
            sub = best.get((ws.workstream_id, start)) or latest.get(
                (ws.workstream_id, start)
            )
            if sub is None and (ws.workstream_id, start) in loaded:
                # The figures are in the store without a return file (loaded with
                # the shipped or imported data): received, as /workstreams counts.
                status, received, late = "loaded", True, False
            elif sub is None:
                late = is_late(start, as_at=today)
                status, received = ("late" if late else "due"), False
            else:
                status = sub.status
                received = sub.status in ("submitted", "approved")
                created = sub.created_at.date() if sub.created_at else today
                late = is_late(
                    start, as_at=today, received_on=created if received else None
                )
            rows.append(
                (
                    ws.workstream_id,
                    ws.workstream,
                    ws.area_code,
                    ws.area_name,
                    start,
                    quarter_label(start),
                    due,
                    status,
                    received,
                    late,
                    None if sub is None else sub.id,
                )  # fmt: skip
            )
    return pd.DataFrame(rows, columns=COMPLETENESS_COLUMNS)
