"""Two people acting on one return at once (issue 21, finding 2): every status
change is a compare-and-set under the workstream's lock, so of two racing actions
exactly one wins, the other is told the return changed (ReturnChanged, never a
500), and the audit log holds only what happened.

Two threads start each action together at a barrier, a few rounds per pair, on
SQLite and on PostgreSQL (TEST_DATABASE_URL). Before the fix every pair "won" on
PostgreSQL: approve + approve wrote two approvals from "submitted", approve + send
back left an approved return carrying the send-back comment, approve + restore
failed with a unique-constraint violation."""

from __future__ import annotations

import json
import threading
from functools import partial

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import users
from data_access.db import session_scope
from data_access.models import (
    AuditLog,
    InterventionOutput,
    MeasureValue,
    Spend,
    Submission,
)
from data_access.returns import spec, submissions, uploads, workflow
from tests.data_access.test_returns import PERIOD, TODAY, as_csv, filled, world  # noqa: F401

ROUNDS = 3


@pytest.fixture
def people(world):  # noqa: F811
    """Two admins and the workstream's lead, as signed-in users (with ids)."""
    made = {}
    for name, role, extra in (
        ("director", "admin", {}),
        ("deputy", "admin", {}),
        ("wslead", "lead", {"workstream_id": world["ws"]}),
    ):
        record, _ = users.create_user(
            username=name, role=role, role_title=f"{name} role", **extra
        )
        made[name] = record.scope()
    return made


def _upload(world, scope, tag: str) -> int:  # noqa: F811
    result = uploads.upload_return(
        scope=scope,
        workstream_id=world["ws"],
        period_start=PERIOD,
        content=as_csv(filled(world).assign(notes=tag)),
        filename=f"{tag}.csv",
        today=TODAY,
    )
    assert result.accepted, result.problems
    return result.submission_id


def _submitted(world, people, tag: str) -> int:  # noqa: F811
    submission_id = _upload(world, people["wslead"], tag)
    workflow.submit_return(scope=people["wslead"], submission_id=submission_id)
    return submission_id


def _seen(scope, submission_id: int) -> str:
    listing = submissions.list_submissions(scope=scope).set_index("submission_id")
    return listing.loc[submission_id, "state"]


def race(*actions) -> list[str]:
    """Run the actions in threads released together; 'won', 'changed' or
    'error: ...', per action."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            action()
            outcomes[index] = "won"
        except spec.ReturnChanged:
            outcomes[index] = "changed"
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            outcomes[index] = f"error: {error!r}"

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def assert_consistent_history() -> None:
    """Every return's audit trail is one chain (each step starts from the status
    the previous one left), the quarter has at most one approved return, and the
    current figures are exactly that return's."""
    with session_scope() as session:
        statuses = dict(session.execute(select(Submission.id, Submission.status)).all())
        for submission_id, status in statuses.items():
            trail = session.execute(
                select(AuditLog.action, AuditLog.before, AuditLog.after)
                .where(
                    AuditLog.entity == "submission",
                    AuditLog.entity_id == str(submission_id),
                )
                .order_by(AuditLog.id)
            ).all()
            assert trail[0].action == "upload_return"
            last = json.loads(trail[0].after)["status"]
            for step in trail[1:]:
                assert json.loads(step.before)["status"] == last, (submission_id, trail)
                last = json.loads(step.after)["status"]
            assert last == status, (submission_id, trail)
        approved = [i for i, s in statuses.items() if s == "approved"]
        assert len(approved) <= 1, statuses
        for model in (InterventionOutput, Spend, MeasureValue):
            current = set(
                session.scalars(
                    select(model.submission_id).where(
                        model.is_current.is_(True), model.submission_id.is_not(None)
                    )
                )
            )
            assert current <= set(approved), (model.__tablename__, current, approved)


def test_approve_and_approve(world, people):  # noqa: F811
    for round_ in range(ROUNDS):
        x = _submitted(world, people, f"aa{round_}")
        seen = _seen(people["director"], x)
        outcomes = race(
            partial(
                workflow.approve_return,
                scope=people["director"],
                submission_id=x,
                seen=seen,
            ),
            partial(
                workflow.approve_return,
                scope=people["deputy"],
                submission_id=x,
                seen=seen,
            ),
        )
        assert sorted(outcomes) == ["changed", "won"], outcomes
        audit = submissions.submission_audit(scope=people["director"], submission_id=x)
        assert list(audit["action"]).count("approve_return") == 1
        assert_consistent_history()


def test_approve_and_send_back(world, people):  # noqa: F811
    for round_ in range(ROUNDS):
        x = _submitted(world, people, f"as{round_}")
        seen = _seen(people["director"], x)
        outcomes = race(
            partial(
                workflow.approve_return,
                scope=people["director"],
                submission_id=x,
                seen=seen,
            ),
            partial(
                workflow.return_submission,
                scope=people["deputy"],
                submission_id=x,
                comment="check",
                seen=seen,
            ),
        )
        assert sorted(outcomes) == ["changed", "won"], outcomes
        listing = submissions.list_submissions(scope=people["director"])
        row = listing.set_index("submission_id").loc[x]
        # The winner's outcome, whole: never approved with the send-back comment.
        if outcomes[0] == "won":
            assert row.status == "approved" and pd.isna(row.comment)
        else:
            assert row.status == "returned" and row.comment == "check"
        assert_consistent_history()


def test_approve_and_restore(world, people):  # noqa: F811
    director, deputy = people["director"], people["deputy"]
    for round_ in range(ROUNDS):
        old = _submitted(world, people, f"ar-old{round_}")
        workflow.approve_return(scope=deputy, submission_id=old)
        newer = _submitted(world, people, f"ar-new{round_}")
        workflow.approve_return(scope=deputy, submission_id=newer)
        x = _submitted(world, people, f"ar-x{round_}")
        seen = _seen(director, x)
        outcomes = race(
            partial(
                workflow.approve_return, scope=director, submission_id=x, seen=seen
            ),
            partial(
                workflow.restore_submission, scope=deputy, submission_id=old, seen=seen
            ),
        )
        assert sorted(outcomes) == ["changed", "won"], outcomes
        assert_consistent_history()


def test_approve_and_replacement_upload(world, people):  # noqa: F811
    """The upload carries no token (a new file is always welcome): the two are
    serialised. Either the upload lands first, supersedes the submitted return and
    the approval is refused; or the approval lands first and the upload is a new
    draft that will replace the approved return when it is approved."""
    for round_ in range(ROUNDS):
        x = _submitted(world, people, f"au{round_}")
        seen = _seen(people["director"], x)
        uploaded: list[int] = []

        def replace(tag, into):
            into.append(_upload(world, people["wslead"], tag))

        outcomes = race(
            partial(
                workflow.approve_return,
                scope=people["director"],
                submission_id=x,
                seen=seen,
            ),
            partial(replace, f"au-r{round_}", uploaded),
        )
        assert outcomes[1] == "won", outcomes
        listing = submissions.list_submissions(scope=people["director"])
        rows = listing.set_index("submission_id")
        if outcomes[0] == "changed":
            assert rows.loc[x, "status"] == "superseded"
        else:
            assert outcomes[0] == "won", outcomes
            assert rows.loc[x, "status"] == "approved"
            assert rows.loc[uploaded[0], "supersedes_id"] == x
        assert rows.loc[uploaded[0], "status"] == "draft"
        assert_consistent_history()


def test_a_stale_page_gets_changed_not_an_error(world, people):  # noqa: F811
    """Sequential, no race: an action from a page drawn before another user's
    change is refused as changed, and changes nothing."""
    x = _submitted(world, people, "stale")
    seen = _seen(people["director"], x)
    workflow.return_submission(
        scope=people["deputy"], submission_id=x, comment="fix", seen=seen
    )
    with pytest.raises(spec.ReturnChanged, match="changed while you were looking"):
        workflow.approve_return(scope=people["director"], submission_id=x, seen=seen)
    assert_consistent_history()
