"""Answers say who may keep them: everything signed in is `private, no-store`; an
answer marked `public` never carries a cookie (a shared cache would hand it to the
next visitor); the page router sends signed-out visitors to sign in and back to the
very address they asked for."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_sessions import _router_body
from tests.web_helpers import callback_request, post_callback, sign_in

ROOT = Path(__file__).resolve().parents[1]
AREA_CALLBACK = callback_request(
    "overview-content.children",
    [{"id": "overview-area", "property": "value", "value": "E23000036"}],
)


@pytest.fixture
def web(loaded_store):
    from app import app
    from data_access import users

    existing = {u.username for u in users.list_users()}
    if "headers-admin" in existing:
        password = users.set_password(username="headers-admin")
    else:
        _, password = users.create_user(
            username="headers-admin", role="admin", role_title="VRU Director"
        )
    app.server.config["TESTING"] = True
    return app.server, password


def test_signed_in_pages_callbacks_and_layouts_are_private_no_store(web):
    server, password = web
    client = server.test_client()
    assert sign_in(client, "headers-admin", password).status_code == 302
    answers = {
        "page": client.get("/violence?area=E23000036"),
        "layout": client.get("/_dash-layout"),
        "callback": post_callback(client, AREA_CALLBACK),
        "router": post_callback(client, _router_body("/measures")),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, name
        assert answer.headers["Cache-Control"] == "private, no-store", name
    # Files that are the same for everyone keep their own caching.
    script = client.get("/assets/" + "00-bootstrap-5.3.9.min.css")
    assert "no-store" not in script.headers.get("Cache-Control", "")


FIRST_ANSWERS = """
import json, sys
from app import app
client = app.server.test_client()
answers = {}
for path in sys.argv[1:]:
    answer = app.server.test_client().get(path)
    answers[path] = [answer.status_code, answer.headers.get("Cache-Control", ""),
                     answer.headers.get("Set-Cookie", "")]
print(json.dumps(answers))
"""


def test_a_public_answer_never_sets_a_cookie(web, loaded_store, tmp_path):
    """In a fresh process, as a worker just started: its first answer runs Dash's
    set-up, which starts a session; that answer is an embed marked public.
    SQLite only: whether an answer carries a cookie is Flask's and Dash's doing,
    the same whatever engine the embed's figures come from, and the fresh process
    costs seconds (the other tests here run on both engines)."""
    if not loaded_store.startswith("sqlite"):
        pytest.skip("the engine is not what this checks: run on SQLite")
    paths = ["/embed/trend?area=E23000036", "/api/v1/areas", "/signin"]
    run = subprocess.run(
        [sys.executable, "-c", FIRST_ANSWERS, *paths],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": loaded_store, "INSTANCE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout.strip().splitlines()[-1])
    embed_status, embed_cache, embed_cookie = answers[paths[0]]
    assert embed_status == 200 and embed_cache.startswith("public")
    assert embed_cookie == ""
    for path in paths[:2]:
        status, cache_control, cookie = answers[path]
        if "public" in cache_control:
            assert cookie == "", path
    # A private answer still starts the session (the sign-in form's CSRF token).
    assert "session=" in answers["/signin"][2]


def test_the_router_sends_signed_out_visitors_back_to_the_address_they_asked_for(web):
    server, _ = web
    client = server.test_client()
    body = _router_body("/workstreams/3")
    body["inputs"][1]["value"] = "?period=2025-Q1"
    answer = post_callback(client, body)
    assert answer.status_code == 200
    text = json.dumps(answer.get_json())  # Dash writes "/" as \\u002f
    assert "Sign in to see this page" in text
    assert '"href": "/signin?next=/workstreams/3?period%3D2025-Q1"' in text
    assert "none" not in text
