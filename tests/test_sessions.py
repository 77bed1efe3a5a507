"""Sessions end when they should and only then: sign-out, disabling, a role change
and a password reset end every session of the user at once (a copied cookie
included); a store outage ends none of them (503 "temporarily unavailable", then
the same session works again)."""

import json
import re

import pytest
from sqlalchemy import select

from data_access import cache, db, migrate, users
from data_access.models import AuditLog, User
from tests.data_access.test_store import _minimal_rows
from tests.pg_cluster import throwaway_postgres
from tests.web_helpers import callback_request, post_callback, sign_in

AREA_CALLBACK = callback_request(
    "overview-content.children",
    [{"id": "overview-area", "property": "value", "value": "E23000036"}],
)
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def _router_body(path: str) -> dict:
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


def _app_with_viewer():
    from app import app

    with db.session_scope() as session:
        _minimal_rows(session)
    _, password = users.create_user(
        username="board",
        role="viewer",
        role_title="Board Member",
        area_codes=("E23000036",),
    )
    app.server.config["TESTING"] = True
    return app, password


@pytest.fixture
def web(store):
    app, password = _app_with_viewer()
    return app, password


def _signed_in_client(app, password):
    client = app.server.test_client()
    assert sign_in(client, "board", password).status_code == 302
    return client


def _copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    copy = app.server.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    return copy


def _csrf_in(node):
    """The sign-out form's CSRF token from the page shell's layout JSON."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("name") == "csrf_token":
            return props["value"]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            token = _csrf_in(child)
            if token:
                return token
    return None


def _sign_out(client):
    token = _csrf_in(json.loads(client.get("/_dash-layout").get_data(as_text=True)))
    assert token, "no sign-out form in the page shell"
    return client.post("/signout", data={"csrf_token": token})


def test_sign_out_ends_a_copied_session(web):
    app, password = web
    client = _signed_in_client(app, password)
    copy = _copy_of(app, client)
    assert post_callback(copy, AREA_CALLBACK).status_code == 200
    assert _sign_out(client).status_code == 302
    assert post_callback(copy, AREA_CALLBACK).status_code == 401
    assert copy.get("/").status_code == 302
    # Signing in again gives a new, working session.
    assert (
        post_callback(_signed_in_client(app, password), AREA_CALLBACK).status_code
        == 200
    )


def test_disable_user_ends_every_session_at_once(web):
    app, password = web
    client = _signed_in_client(app, password)
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["disable-user", "board"])
    assert result.exit_code == 0, result.output
    assert post_callback(client, AREA_CALLBACK).status_code == 401
    assert sign_in(app.server.test_client(), "board", password).status_code == 401
    assert runner.invoke(args=["enable-user", "board"]).exit_code == 0
    # Enabling does not bring the old session back; signing in does.
    assert post_callback(client, AREA_CALLBACK).status_code == 401
    assert (
        post_callback(_signed_in_client(app, password), AREA_CALLBACK).status_code
        == 200
    )


def test_reset_password_prints_a_new_one_once_and_ends_sessions(web):
    app, old_password = web
    client = _signed_in_client(app, old_password)
    result = app.server.test_cli_runner().invoke(args=["reset-password", "board"])
    assert result.exit_code == 0, result.output
    new_password = re.search(r"New password for board: (\S+)", result.output).group(1)
    assert post_callback(client, AREA_CALLBACK).status_code == 401
    fresh = app.server.test_client()
    assert sign_in(fresh, "board", old_password).status_code == 401
    assert sign_in(fresh, "board", new_password).status_code == 302


def test_a_role_change_ends_sessions(web):
    app, password = web
    client = _signed_in_client(app, password)
    with db.session_scope() as session:
        generation = session.scalar(cache.generation_select())
    users.set_role(username="board", role="analyst")
    assert post_callback(client, AREA_CALLBACK).status_code == 401
    # Audited as the system (no user id), before and after, once, under the
    # user's id; no figure changed, so cached answers stay current.
    with db.session_scope() as session:
        rows = [
            (a.actor, a.user_id, a.entity, a.entity_id, a.before, a.after)
            for a in session.scalars(
                select(AuditLog).where(AuditLog.action == "set_role")
            )
        ]
        user_id = session.scalar(select(User.id).where(User.username == "board"))
        assert session.scalar(cache.generation_select()) == generation
    assert [(*r[:4], json.loads(r[4]), json.loads(r[5])) for r in rows] == [
        (
            "system",
            None,
            "app_user",
            str(user_id),
            {"role": "viewer"},
            {"role": "analyst"},
        )
    ]


def test_user_commands_refuse_an_unknown_user(web):
    app, _ = web
    result = app.server.test_cli_runner().invoke(args=["disable-user", "nobody"])
    assert result.exit_code != 0
    assert "no user 'nobody'" in result.output


def test_a_postgresql_outage_keeps_users_signed_in(monkeypatch):
    """Stop a PostgreSQL server the test owns: signed-in callbacks, pages, the page
    router and the API answer 503 "temporarily unavailable", never a sign-in
    prompt; the session cookie is kept and works again once the server is back."""
    with throwaway_postgres() as cluster:
        monkeypatch.setenv("DATABASE_URL", cluster.url)
        db.reset_engine()
        migrate.upgrade()
        app, password = _app_with_viewer()
        client = _signed_in_client(app, password)
        assert post_callback(client, AREA_CALLBACK).status_code == 200
        cluster.stop()
        try:
            callback = post_callback(client, AREA_CALLBACK)
            assert callback.status_code == 503
            assert "temporarily unavailable" in callback.get_json()["error"]
            page = client.get("/violence?area=E23000036")
            assert page.status_code == 503
            assert "temporarily unavailable" in page.get_data(as_text=True)
            assert "/signin" not in page.headers.get("Location", "")
            router = post_callback(client, _router_body("/violence"))
            assert router.status_code == 503
            assert "Sign in" not in router.get_data(as_text=True)
            assert client.get("/signin").status_code == 503
            api = client.get("/api/v1/areas")
            assert api.status_code == 503
            for answer in (callback, page, router, api):
                assert "Set-Cookie" not in answer.headers
        finally:
            cluster.start()
        db.reset_engine()
        assert post_callback(client, AREA_CALLBACK).status_code == 200
        assert client.get("/").status_code == 200
        db.reset_engine()
