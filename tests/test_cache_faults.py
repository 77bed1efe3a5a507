"""Cache faults: a write that dies right after its commit still invalidates (the
new cache generation is part of the write's transaction); invalidation does not
flush other entries; a hung Redis costs a request milliseconds, not seconds."""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from data_access import cache, db, users
from data_access.returns import submissions, workflow
from tests.data_access.test_returns import as_csv, filled, upload, world  # noqa: F401
from tests.data_access.test_store import _minimal_rows

ROOT = Path(__file__).resolve().parents[1]


def _stored_generation() -> str | None:
    with db.session_scope() as session:
        return session.scalar(cache.generation_select())


def test_an_approval_that_dies_after_its_commit_still_invalidates(world):  # noqa: F811
    lead, admin = world["lead"], world["admin"]
    draft = upload(world, as_csv(filled(world)))
    workflow.submit_return(scope=lead, submission_id=draft.submission_id)
    before = _stored_generation()

    died = []

    def die_after_commit(_session):
        died.append(True)
        raise SystemExit("the worker was killed right after the commit")

    event.listen(Session, "after_commit", die_after_commit, once=True)
    try:
        workflow.approve_return(scope=admin, submission_id=draft.submission_id)
    except BaseException:  # noqa: BLE001, S110 - the death this test stages
        pass
    finally:
        if event.contains(Session, "after_commit", die_after_commit):
            event.remove(Session, "after_commit", die_after_commit)
    assert died, "the approval never committed"
    status = submissions.list_submissions(scope=admin)
    approved = status[status.submission_id == draft.submission_id].iloc[0]
    assert approved.status == "approved"
    assert _stored_generation() != before


class _HungRedis:
    """A TCP server that accepts connections and never answers (a hung Redis)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


TIMED_REQUESTS = """
import json, re, sys, time
from app import app
from tests.web_helpers import callback_request, post_callback, sign_in
client = app.server.test_client()
assert sign_in(client, "board", sys.argv[1]).status_code == 302
body = callback_request(
    "overview-content.children",
    [{"id": "overview-area", "property": "value", "value": "E23000036"}],
)
timings = []
for _ in range(3):
    for name, call in (
        ("callback", lambda: post_callback(client, body)),
        ("api", lambda: client.get("/api/v1/areas")),
        ("page", lambda: client.get("/")),
    ):
        started = time.perf_counter()
        status = call().status_code
        timings.append([name, status, time.perf_counter() - started])
print(json.dumps(timings))
"""


def test_a_hung_redis_costs_milliseconds_and_answers_still_come(store, tmp_path):
    if not store.startswith("sqlite"):
        pytest.skip("the store is not what this measures")
    with db.session_scope() as session:
        _minimal_rows(session)
    _, password = users.create_user(
        username="board",
        role="viewer",
        role_title="Board Member",
        area_codes=("E23000036",),
    )
    hung = _HungRedis()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": store,
            "REDIS_URL": f"redis://127.0.0.1:{hung.port}/0",
            "INSTANCE_DIR": str(tmp_path),
        }
        env.pop("CACHE_TYPE", None)  # RedisCache, as in production
        run = subprocess.run(
            [sys.executable, "-c", TIMED_REQUESTS, password],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        hung.close()
    assert run.returncode == 0, run.stderr[-3000:]
    timings = json.loads(run.stdout.strip().splitlines()[-1])
    for name, status, seconds in timings:
        assert status == 200, name
        assert seconds < 1.0, (name, seconds)
    # Redis was asked: the listener held the app's connections.
    assert hung.held
