"""A return's workflow after upload: submit, return to the submitter, approve
(never one's own) and restore a superseded submission, each in one transaction
with audit rows; approval flips the previous current figures for the same keys
off and this submission's on, restoring is the same flip in reverse, and two
people acting on one return at once cannot both succeed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from data_access import cache, exceptions
from data_access.activity.summaries import (
    refresh_activity_summaries,
    vru_areas_of_submissions,
)
from data_access.audit import record_change
from data_access.db import session_scope
from data_access.errors import (
    AccessDenied,
    InvalidParameter,
    NotFound,
)
from data_access.models import (
    AuditLog,
    InterventionOutput,
    MeasureValue,
    Spend,
    Submission,
    Workstream,
)
from data_access.returns.permissions import _require_can_upload, may_upload
from data_access.returns.spec import MAX_COMMENT_CHARS, ReturnChanged, clean_text
from data_access.scope import Scope


def _load_submission(session: Session, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None or submission.kind != "return":
        raise NotFound(f"there is no return {submission_id}")
    return submission


def _lock_workstream_returns(session: Session, workstream_id: Any) -> None:
    """Serialise every status change of one workstream's returns: the first
    statement of the transaction takes the workstream's row lock (PostgreSQL) or
    the database write lock (SQLite, waiting through busy_timeout), held to the
    commit. A second action on the same returns waits, then reads what the first
    committed, so it can see that the return changed. A no-op UPDATE, not SELECT
    ... FOR UPDATE: SQLite has no FOR UPDATE, and a transaction that read first
    could not take the write lock after another writer committed."""
    session.execute(
        update(Workstream)
        .where(Workstream.id == workstream_id)
        .values(name=Workstream.name)
        .execution_options(synchronize_session=False)
    )


def _locked_submission(session: Session, submission_id: int) -> Submission:
    """The return, read after taking its workstream's lock (see above)."""
    _lock_workstream_returns(
        session,
        select(Submission.workstream_id)
        .where(Submission.id == submission_id)
        .scalar_subquery(),
    )
    submission = session.scalar(
        select(Submission)
        .where(Submission.id == submission_id)
        .execution_options(populate_existing=True)
    )
    if submission is None or submission.kind != "return":
        raise NotFound(f"there is no return {submission_id}")
    return submission


def _quarter_state(session: Session, workstream_id: int, period_start: Any) -> str:
    """A token for the statuses of every return of one workstream and quarter:
    what a page shows next to its buttons and sends back with an action."""
    rows = session.execute(
        select(Submission.id, Submission.status)
        .where(
            Submission.kind == "return",
            Submission.workstream_id == workstream_id,
            Submission.period_start == period_start,
        )
        .order_by(Submission.id)
    ).all()
    text = ";".join(f"{id_}:{status}" for id_, status in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_unchanged(
    session: Session, submission: Submission, seen: str | None
) -> None:
    """Compare-and-set: the action goes ahead only on the quarter the caller saw
    (when the caller says what it saw: the page always does)."""
    if seen is not None and seen != _quarter_state(
        session, submission.workstream_id, submission.period_start
    ):
        raise ReturnChanged(submission.id)


def _require_status(
    submission: Submission, allowed: tuple[str, ...], what: str
) -> None:
    if submission.status not in allowed:
        raise InvalidParameter(
            "status", f"only {what}; return {submission.id} is {submission.status}"
        )


def _set_status(
    session: Session,
    scope: Scope,
    submission: Submission,
    status: str,
    action: str,
    *,
    comment: str | None = None,
    extra: dict | None = None,
) -> None:
    before = {"status": submission.status, "comment": submission.comment}
    submission.status = status
    if comment is not None:
        submission.comment = comment
    record_change(
        session,
        scope,
        action=action,
        entity="submission",
        entity_id=str(submission.id),
        before=before,
        after={"status": status, "comment": submission.comment, **(extra or {})},
        invalidate=False,
    )


def submit_return(*, scope: Scope, submission_id: int, seen: str | None = None) -> None:
    """A draft return goes to the VRU for approval.

    `seen` is the quarter's state token (list_submissions' `state`) the caller saw;
    when given, the action is refused with ReturnChanged if any return of the
    quarter changed since. Every status change below works the same way."""
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _require_can_upload(scope, submission.workstream_id)
        _check_unchanged(session, submission, seen)
        _require_status(submission, ("draft",), "a draft can be submitted")
        _set_status(session, scope, submission, "submitted", "submit_return")


def return_submission(
    *, scope: Scope, submission_id: int, comment: str, seen: str | None = None
) -> None:
    """Send a submitted return back to its lead with a comment (admin, analyst)."""
    scope.require_role("admin", "analyst")
    comment = clean_text(comment, "comment", MAX_COMMENT_CHARS)
    if not comment:
        raise InvalidParameter("comment", "say why the return is being sent back")
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _check_unchanged(session, submission, seen)
        _require_status(
            submission, ("submitted",), "a submitted return can be sent back"
        )
        _set_status(
            session, scope, submission, "returned", "return_return", comment=comment
        )


_TABLES = (
    (
        InterventionOutput,
        ("intervention_id", "period_start", "output_type", "age_band"),
        "value",
    ),
    (Spend, ("area_id", "intervention_id", "financial_year", "quarter"), "amount"),
    (
        MeasureValue,
        ("measure_id", "area_id", "period_start", "period_end", "age_band"),
        "value",
    ),
)
AUDIT_DETAIL_LIMIT = 1000


def _flip(session: Session, submission_id: int) -> dict[str, Any]:
    """Make `submission_id`'s figures current, and the current figures they replace
    not current. Returns the audit detail: changed figures, before and after."""
    detail: dict[str, Any] = {}
    for model, key, value_column in _TABLES:
        new = aliased(model)
        same_key = and_(*(getattr(new, k) == getattr(model, k) for k in key))
        replaced = exists().where(new.submission_id == submission_id, same_key)
        changes = session.execute(
            select(
                *(getattr(new, k) for k in key),
                getattr(model, value_column).label("before"),
                getattr(new, value_column).label("after"),
                model.submission_id.label("before_submission"),
            )
            .join(new, same_key)
            .where(model.is_current.is_(True), new.submission_id == submission_id)
            .limit(AUDIT_DETAIL_LIMIT)
        ).all()
        count_new = session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.submission_id == submission_id)
        )
        result = session.execute(
            update(model)
            .where(model.is_current.is_(True), replaced)
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(model)
            .where(model.submission_id == submission_id)
            .values(is_current=True)
            .execution_options(synchronize_session=False)
        )
        detail[model.__tablename__] = {
            "figures": count_new,
            "replaced": result.rowcount,
            "changes": [
                dict(
                    zip(
                        (*key, "before", "after", "before_submission"),
                        (
                            *row[: len(key)],
                            row.before,
                            row.after,
                            row.before_submission,
                        ),
                        strict=True,
                    )
                )
                for row in changes
            ],
        }
    return detail


def _unflip(session: Session, submission_id: int) -> None:
    for model, _key, _value in _TABLES:
        session.execute(
            update(model)
            .where(model.submission_id == submission_id)
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )


def _refresh_summaries(session: Session, submission_ids: list[int]) -> None:
    """Rebuild the activity summaries of the VRUs whose current outputs or spend
    these submissions' flips changed, in the approval's transaction: if anything
    later in it fails, the summaries roll back with the figures."""
    refresh_activity_summaries(
        session, vru_areas_of_submissions(session, submission_ids)
    )


def _submitters(session: Session, submission: Submission) -> set[int]:
    """The users who uploaded or submitted a return (who may not approve it)."""
    ids = set(
        session.scalars(
            select(AuditLog.user_id).where(
                AuditLog.entity == "submission",
                AuditLog.entity_id == str(submission.id),
                AuditLog.action.in_(("upload_return", "submit_return")),
            )
        )
    )
    ids.add(submission.submitted_by_id)
    ids.discard(None)
    return ids


def may_approve(scope: Scope, submitter_ids: set[int] | frozenset[int]) -> str | None:
    """Why `scope` may not approve a return uploaded or submitted by
    `submitter_ids`, or None when it may. DESIGN "Access": approval is for admins,
    and never of a return the approver uploaded or submitted (four eyes). The
    command line acts as the system account (no user id), outside the web's four
    eyes, as an operator on the server."""
    if scope.role != "admin":
        return "only a VRU admin can approve returns"
    if scope.user_id is not None and scope.user_id in submitter_ids:
        return (
            "you uploaded or submitted this return, so another admin must approve "
            "it (four eyes)"
        )
    return None


def ever_approved(session: Session, submission_ids: list[int]) -> set[int]:
    """Those of the submissions that were ever approved (by their audit rows):
    only those can be restored, so the listing offers and restore allows by it."""
    return {
        int(entity_id)
        for entity_id in session.scalars(
            select(AuditLog.entity_id).where(
                AuditLog.entity == "submission",
                AuditLog.action == "approve_return",
                AuditLog.entity_id.in_([str(i) for i in submission_ids]),
            )
        )
    }


def actions_for(scope: Scope, row: Any) -> list[str]:
    """What `scope` may do with a listed return (a list_submissions row): the
    buttons a page shows. The actions check the same rules when taken."""
    actions = []
    if row.status == "draft" and may_upload(scope, row.workstream_id) is None:
        actions.append("submit")
    if row.status == "submitted" and may_approve(scope, row.submitter_ids) is None:
        actions.append("approve")
    if row.status == "submitted" and scope.unrestricted:
        actions.append("return")
    if row.status == "superseded" and scope.role == "admin" and row.once_approved:
        actions.append("restore")
    actions.append("file")
    return actions


def _make_approved(
    session: Session,
    scope: Scope,
    submission: Submission,
    action: str,
    **extra: Any,
) -> None:
    """Make `submission` the approved return of its workstream and quarter: its
    figures become current, those of the quarter's approved return(s) stop being
    current and those returns are superseded (audited), the activity summaries
    are refreshed, the status change is audited as `action` (with the figures,
    the superseded ids and `extra`) and every cached answer goes stale. Approval
    and restore both take a quarter over this way."""
    previous = session.scalars(
        select(Submission).where(
            Submission.kind == "return",
            Submission.workstream_id == submission.workstream_id,
            Submission.period_start == submission.period_start,
            Submission.status == "approved",
            Submission.id != submission.id,
        )
    ).all()
    # Flip first, so the audit detail sees the figures being replaced.
    detail = _flip(session, submission.id)
    for old in previous:
        _unflip(session, old.id)
        _set_status(
            session, scope, old, "superseded", "supersede_return",
            extra={"by": submission.id},
        )  # fmt: skip
    _refresh_summaries(session, [submission.id, *(o.id for o in previous)])
    _set_status(
        session,
        scope,
        submission,
        "approved",
        action,
        extra={"figures": detail, "superseded": [o.id for o in previous], **extra},
    )
    cache.invalidate(session)


def approve_return(
    *, scope: Scope, submission_id: int, seen: str | None = None
) -> None:
    """Approve a submitted return: in one transaction its figures become current,
    the figures they replace stop being current, the previously approved return
    for the quarter is superseded, every step is audited and the cache generation
    moves on. Admins only, never their own return (may_approve)."""
    if scope.role != "admin":
        raise AccessDenied(may_approve(scope, frozenset()))
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        submitters = _submitters(session, submission)
        refusal = may_approve(scope, submitters)
        if refusal:
            raise AccessDenied(refusal)
        _check_unchanged(session, submission, seen)
        _require_status(
            submission, ("submitted",), "a submitted return can be approved"
        )
        _make_approved(
            session,
            scope,
            submission,
            "approve_return",
            four_eyes={"submitted_by": sorted(submitters)},
        )
    # After the commit, in the background: the request does not wait for the rules.
    exceptions.after_commit(f"approval of return {submission_id}")


def restore_submission(
    *, scope: Scope, submission_id: int, seen: str | None = None
) -> None:
    """Make a superseded, once-approved return the approved one again (admin)."""
    scope.require_role("admin")
    with session_scope() as session:
        submission = _locked_submission(session, submission_id)
        _check_unchanged(session, submission, seen)
        if submission.status != "superseded" or not ever_approved(
            session, [submission_id]
        ):
            raise InvalidParameter(
                "status",
                "only a superseded return that was once approved can be restored",
            )
        _make_approved(session, scope, submission, "restore_return")
