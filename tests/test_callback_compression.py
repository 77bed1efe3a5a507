"""Callback answers go out in brotli at quality 2 (web/callback_compression.py);
the algorithm stays Flask-Compress's choice and static files keep its quality."""

import gzip
import json
from pathlib import Path

import brotli
import pytest

from data_access import db, users
from tests.data_access.test_store import _minimal_rows
from tests.web_helpers import callback_request, sign_in
from web.callback_compression import CALLBACK_BROTLI_QUALITY

ROOT = Path(__file__).resolve().parents[1]
AREA_CALLBACK = callback_request(
    "overview-content.children",
    [{"id": "overview-area", "property": "value", "value": "E23000036"}],
)


@pytest.fixture
def client(store):
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
    assert sign_in(client, "board", password).status_code == 302
    return client


def _post(client, accept_encoding: str):
    return client.post(
        "/_dash-update-component",
        data=json.dumps(AREA_CALLBACK),
        content_type="application/json",
        headers={"Accept-Encoding": accept_encoding},
    )


def test_a_callback_answer_is_brotli_at_the_lighter_quality(client):
    plain = _post(client, "identity")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    raw = plain.data
    assert len(raw) > 500  # large enough to be compressed at all
    answer = _post(client, "gzip, deflate, br")
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    assert brotli.decompress(answer.data) == raw
    assert CALLBACK_BROTLI_QUALITY == 2
    assert answer.data == brotli.compress(raw, quality=CALLBACK_BROTLI_QUALITY)
    assert answer.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate", "gzip"),
        ("zstd, br, gzip", "zstd"),
        ("br;q=0.5, gzip", "gzip"),
        ("", None),
    ],
)
def test_the_algorithm_is_still_the_one_flask_compress_picks(
    client, accept_encoding, expected
):
    raw = _post(client, "identity").data
    answer = _post(client, accept_encoding)
    assert answer.status_code == 200
    assert answer.headers.get("Content-Encoding") == expected
    if expected == "gzip":
        assert gzip.decompress(answer.data) == raw
    elif expected is None:
        assert answer.data == raw


def test_static_files_keep_flask_compress_quality(client):
    raw = (ROOT / "assets" / "vru.js").read_bytes()
    answer = client.get("/assets/vru.js", headers={"Accept-Encoding": "br"})
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "br"
    assert brotli.decompress(answer.data) == raw
    assert answer.data == brotli.compress(raw, quality=4)
