"""web.access.current_scope: the signed-in user's own Scope, and never any scope
(not even the public one) for a caller who is not signed in. The page tests that
go through HTTP (tests/test_access_matrix.py) use it for real as well."""

from __future__ import annotations

import pytest

from data_access import db, users
from data_access.errors import AccessDenied
from tests.data_access.test_store import _minimal_rows

AVON = "E23000036"


@pytest.fixture
def server():
    from app import app

    return app.server


def test_a_signed_out_caller_has_no_scope_at_all(server):
    from web.access import current_scope

    with server.test_request_context("/"):
        with pytest.raises(AccessDenied):
            current_scope()


def test_a_signed_in_caller_gets_their_own_scope(server, store):
    from flask_login import login_user

    from web.access import current_scope
    from web.auth import SignedInUser

    with db.session_scope() as session:
        _minimal_rows(session)
    record, _ = users.create_user(
        username="board", role="viewer", role_title="Board Member", area_codes=(AVON,)
    )
    with server.test_request_context("/"):
        login_user(SignedInUser(record))
        scope = current_scope()
    assert (scope.role, scope.area_codes) == ("viewer", frozenset({AVON}))
    assert (scope.actor, scope.user_id) == ("Board Member", record.id)


def test_outside_a_request_there_is_no_scope_either(server):
    """Layout code also runs without a request (Dash builds page layouts at start);
    there is no caller then, so no scope."""
    from web.access import current_scope

    with server.app_context():
        with pytest.raises(AccessDenied):
            current_scope()
