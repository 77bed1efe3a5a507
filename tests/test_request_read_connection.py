"""The reads of one web request share one pooled connection
(data_access.db.read_connection), given back to the pool when the request ends,
failed requests included; outside a request each read checks out its own."""

import uuid

import pytest
from flask import Flask, stream_with_context
from sqlalchemy import event, exc, text

from data_access import db
from data_access.errors import StoreUnavailable
from tests.web_helpers import (
    AVON,
    BOARD_MEMBER,
    app_over_small_store,
    callback_request,
    post_callback,
    sign_in,
)
from web.shared_cache import cache


@pytest.fixture
def checkouts(store):
    """Each pool checkout of the store's engine, as it happens."""
    engine = db.get_engine()
    seen: list[object] = []

    def note(_dbapi_conn, record, _proxy):  # noqa: ANN001
        seen.append(record)

    event.listen(engine, "checkout", note)
    yield seen
    event.remove(engine, "checkout", note)


def _checked_out() -> int:
    return db.get_engine().pool.checkedout()


def _read_one() -> int:
    with db.read_connection() as connection:
        return connection.execute(text("SELECT 1")).scalar_one()


def _server() -> Flask:
    server = Flask(f"read-connection-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)

    @server.route("/reads")
    def reads():
        for _ in range(3):
            _read_one()
        db.read_frame(text("SELECT 1, 2"), ["a", "b"])
        return str(_checked_out())

    @server.route("/reads-then-fails")
    def reads_then_fails():
        _read_one()
        raise RuntimeError("a callback's own bug")

    @server.route("/streamed")
    def streamed():
        def rows():
            for _ in range(2):
                yield f"{_read_one()},{_checked_out()};"

        _read_one()
        # Flask tears the request down when the view returns, then pushes its
        # context again for the stream (and tears it down again after it).
        return stream_with_context(rows())

    @server.route("/streamed-without-the-request")
    def streamed_without_the_request():
        def rows():
            for _ in range(2):
                yield f"{_read_one()},{_checked_out()};"

        return rows()

    return server


def test_the_reads_of_a_request_check_out_one_connection(checkouts):
    answer = _server().test_client().get("/reads")
    assert answer.get_data(as_text=True) == "1"  # held while the request ran
    assert len(checkouts) == 1
    assert _checked_out() == 0


def test_a_click_of_the_app_reads_on_one_connection(store, monkeypatch):
    accounts = {"board": BOARD_MEMBER}
    with app_over_small_store(monkeypatch, accounts) as small:
        client = small.server.test_client()
        sign_in(client, "board", small.passwords["board"])
        checked_out = []
        real_checkout = db._checkout

        def counting_checkout():
            checked_out.append(1)
            return real_checkout()

        monkeypatch.setattr(db, "_checkout", counting_checkout)
        body = callback_request(
            "overview-content.children",
            [{"id": "overview-area", "property": "value", "value": AVON}],
        )
        assert post_callback(client, body).status_code == 200
        assert small.calls  # the overview was read from the store
        assert len(checked_out) == 1
        assert _checked_out() == 0


def test_a_stream_never_reads_on_the_connection_its_request_gave_back(checkouts):
    answer = _server().test_client().get("/streamed")
    # each read of the stream on a connection of its own, back at once
    assert answer.get_data(as_text=True) == "1,0;1,0;"
    assert len(checkouts) == 3
    assert _checked_out() == 0


def test_a_stream_outside_its_request_reads_as_outside_a_request(checkouts):
    answer = _server().test_client().get("/streamed-without-the-request")
    assert answer.get_data(as_text=True) == "1,0;1,0;"
    assert len(checkouts) == 2
    assert _checked_out() == 0


def test_a_failed_request_gives_its_connection_back(checkouts):
    server = _server()
    server.config["PROPAGATE_EXCEPTIONS"] = False
    answer = server.test_client().get("/reads-then-fails")
    assert answer.status_code == 500
    assert len(checkouts) == 1
    assert _checked_out() == 0


def test_a_dead_connection_is_not_read_on_again(checkouts):
    with _server().test_request_context():
        _read_one()
        with pytest.raises(StoreUnavailable):
            with db.read_connection():
                raise exc.OperationalError(
                    "SELECT 1", {}, Exception("server closed the connection")
                )
        assert _checked_out() == 0  # discarded at once
        assert db.store_failed_in_this_request()
        _read_one()
        assert len(checkouts) == 2
        assert _checked_out() == 1
    assert _checked_out() == 0


def test_a_connection_discarded_inside_an_enclosing_read_closes_after_it(checkouts):
    with _server().test_request_context():
        with db.read_connection() as outer:
            with pytest.raises(KeyError):
                with db.read_connection():
                    raise KeyError("a caller's own error")
            assert outer.execute(text("SELECT 1")).scalar_one() == 1
            assert _checked_out() == 1
        assert _checked_out() == 0
        _read_one()
        assert len(checkouts) == 2
    assert _checked_out() == 0


def test_a_read_after_the_request_let_go_uses_a_connection_of_its_own(checkouts):
    with _server().test_request_context():
        _read_one()
        db.release_request_connection()
        assert _checked_out() == 0
        _read_one()
        assert _checked_out() == 0
        assert len(checkouts) == 2


def test_outside_a_request_each_read_checks_out_its_own(checkouts):
    for _ in range(3):
        assert _read_one() == 1
        assert _checked_out() == 0
    assert len(checkouts) == 3
