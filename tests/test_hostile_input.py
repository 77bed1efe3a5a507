"""Hostile input gets a clear 4xx before any view, query or cache sees it: a NUL
in the sign-in name, a query string or a callback input (PostgreSQL would answer
with a DataError and a 500), an overlong address, a malformed callback body, and
unknown component files."""

import json

import pytest

from data_access import db, users
from tests.data_access.test_store import _minimal_rows
from tests.test_sessions import _router_body
from tests.web_helpers import callback_request, post_callback, sign_in


@pytest.fixture
def web(store):
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
    client = app.server.test_client()
    return client, password


def _refused(response, status=400, words="not allowed (NUL)"):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert words in text
    assert "Traceback" not in text


def test_a_nul_in_the_sign_in_name_is_refused_and_counts_nothing(web):
    client, password = web
    _refused(sign_in(client, "bo\x00ard", "x"))
    assert sign_in(client, "board", password).status_code == 302


def test_a_nul_in_a_query_string_is_refused_signed_in_or_not(web):
    client, password = web
    for path in (
        "/embed/trend?area=E230%0000036",
        "/api/v1/areas?level=p%00fa",
        "/violence?area=E230%0000036",
    ):
        _refused(client.get(path))
    sign_in(client, "board", password)
    _refused(client.get("/violence?area=E230%0000036"))
    _refused(client.get("/violence?area=" + "E" * 5000), 414, "too long")


def test_a_nul_in_a_callback_input_is_refused(web):
    client, password = web
    sign_in(client, "board", password)
    body = callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": "E23\x0000036"}],
    )
    _refused(post_callback(client, body))
    body["inputs"][0]["value"] = "E23000036"
    assert post_callback(client, body).status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_malformed_callback_bodies_get_400(web, signed_in):
    client, password = web
    if signed_in:
        sign_in(client, "board", password)
    missing_property = _router_body("/measures")
    missing_property["inputs"] = [{"id": "_pages_location"}]
    router_output = missing_property["output"]
    for body in (
        "{",
        "[]",
        '{"output": 1}',
        json.dumps({"output": router_output, "outputs": {}, "inputs": "x"}),
    ):
        response = client.post(
            "/_dash-update-component", data=body, content_type="application/json"
        )
        if signed_in or router_output in body:
            _refused(response, 400, "not a well-formed callback")
        else:  # signed out, not the page router: "sign in" and nothing more
            assert response.status_code == 401
    _refused(post_callback(client, missing_property), 400, "not a well-formed callback")


def test_unknown_component_files_are_404(web):
    client, _ = web
    for path in (
        "/_dash-component-suites/no_such_library/x.js",
        "/_dash-component-suites/dash/no-such-file.js",
    ):
        _refused(client.get(path), 404, "no such file")


_NUL_BODIES = {
    "escaped in a value": ('{"value": "E23\\u000036"}', "utf-8"),
    "escaped in a key": ('{"E23\\u0000": 1}', "utf-8"),
    "escaped in a UTF-16 body": ('{"value": "E23\\u0000"}', "utf-16"),
    "escaped in a UTF-32 body": ('{"value": "E23\\u0000"}', "utf-32"),
}
# A raw NUL in a string is not JSON at all: refused as not well-formed.
_RAW_NUL_BODIES = {
    "raw in a UTF-8 body": ('{"value": "E23\x00"}', "utf-8"),
    "raw in a UTF-16 body": ('{"value": "E23\x00"}', "utf-16"),
}
_CLEAN_BODIES = {
    "plain": ('{"value": "E23000036"}', "utf-8"),
    "an escaped backslash before u0000": ('{"value": "E23\\\\u0000"}', "utf-8"),
    "UTF-16 without a NUL": ('{"value": "E23000036"}', "utf-16"),
}


def _callback_bytes(state: str, encoding: str) -> bytes:
    text = (
        '{"output": "overview-content.children", "outputs": {"id": "overview-content",'
        ' "property": "children"}, "inputs": [], "state": [{"id": "s", "property":'
        f' "value", "value": {state}}}]}}'
    )
    return text.encode(encoding)


@pytest.mark.parametrize(
    "case", sorted(_NUL_BODIES) + sorted(_RAW_NUL_BODIES) + sorted(_CLEAN_BODIES)
)
def test_a_nul_anywhere_in_a_callback_body_is_refused_in_any_encoding(case):
    """The body's bytes are searched first (web.security._may_hold_nul) and only a
    body that may hold a NUL is walked: a NUL written as an escape, in a key, or
    in a UTF-16 or UTF-32 body is still refused; text that only looks like the
    escape is not."""
    from flask import Flask

    from web.security import refuse_malformed_callback

    state, encoding = {**_NUL_BODIES, **_RAW_NUL_BODIES, **_CLEAN_BODIES}[case]
    server = Flask(__name__)
    body = _callback_bytes(state, encoding)
    with server.test_request_context(
        "/_dash-update-component",
        method="POST",
        data=body,
        content_type="application/json",
    ):
        refusal = refuse_malformed_callback()
    if case in _CLEAN_BODIES:
        assert refusal is None
    else:
        answer, status = refusal
        assert status == 400
        words = "not allowed (NUL)" if case in _NUL_BODIES else "not a well-formed"
        assert words in answer.get_data(as_text=True)
