"""Whole callback answers from the cache (web/view_cache.py): reused only for the same
request, the same access and the same store generation; never when the store failed;
never for callbacks that were not registered as cacheable."""

import pytest
from cachelib import SimpleCache
from sqlalchemy import select

from data_access import board_overview, db
from data_access import cache as cache_module
from data_access.errors import AccessDenied, StoreUnavailable
from tests.web_helpers import (
    AVON,
    BOARD_MEMBER,
    app_over_small_store,
    callback_request,
    post_callback,
    sign_in,
)
from web import shared_cache, view_cache

WEST_MIDLANDS = "E23000014"


@pytest.fixture
def web(store, monkeypatch):
    """The app with a per-process cache over a small store, and a call counter on
    the overview's data function."""
    accounts = {
        "board": BOARD_MEMBER,
        "admin": {"role": "admin", "role_title": "VRU Director"},
    }
    with app_over_small_store(monkeypatch, accounts, CACHE_TYPE="SimpleCache") as small:
        yield small.server, small.passwords, small.calls


def _overview(area: str) -> dict:
    return callback_request(
        "overview-content.children",
        [{"id": "overview-area", "property": "value", "value": area}],
    )


def _view_keys(server) -> set[str]:
    with server.app_context():
        return {key for key in shared_cache.cache.cache._cache if "view:" in key}


def test_a_repeated_click_is_answered_from_the_cache(web):
    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    first = post_callback(client, _overview(AVON))
    second = post_callback(client, _overview(AVON))
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert len(calls) == 1
    # Another setting is another answer.
    post_callback(client, _overview(WEST_MIDLANDS))
    assert len(calls) == 2


def test_a_cached_answer_costs_one_store_statement(web, monkeypatch):
    """Answered in front of Flask (web.warm_callbacks), a repeated click costs no
    store statement; through Flask (once the access record has expired), the
    signed-in user, their access and the store generation are read in one
    statement and the answer comes from the cache."""
    from sqlalchemy import event

    server, passwords, calls = web
    monkeypatch.setattr(cache_module, "SHARED_GENERATION_SECONDS", 600)
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    first = post_callback(client, _overview(AVON))
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.get_engine(), "before_cursor_execute", count)
    try:
        warm = post_callback(client, _overview(AVON))
        in_front = len(statements)
        _expire_access_records(server)
        second = post_callback(client, _overview(AVON))
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", count)
    assert warm.get_data() == second.get_data() == first.get_data()
    assert len(calls) == 1
    assert in_front == 0
    assert len(statements) == 1


def _expire_access_records(server) -> None:
    """What ACCESS_SECONDS of time does to web.warm_callbacks' access records."""
    with server.app_context():
        kept = shared_cache.cache.cache._cache
        for key in [k for k in kept if "warm:access:" in k]:
            del kept[key]


def test_a_disabled_account_gets_no_cached_answer(web):
    from data_access.models import User

    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    assert post_callback(client, _overview(AVON)).status_code == 200
    with db.session_scope() as session:
        session.scalar(select(User).where(User.username == "board")).active = False
    # Edited in the store, not through data_access.users: the access record
    # answering in front of Flask (web.warm_callbacks) lives out its seconds.
    _expire_access_records(server)
    assert post_callback(client, _overview(AVON)).status_code == 401
    assert len(calls) == 1


def test_a_new_generation_forgets_answers_even_from_another_process(web):
    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    post_callback(client, _overview(AVON))
    # The command line (no app context, as `flask import-return` in another
    # process) writes a new generation into the store; the cache is not cleared.
    cache_module.invalidate()
    post_callback(client, _overview(AVON))
    assert len(calls) == 2


def test_an_answer_is_never_reused_for_a_caller_with_other_access(web):
    server, passwords, calls = web
    admin, board = server.test_client(), server.test_client()
    sign_in(admin, "admin", passwords["admin"])
    sign_in(board, "board", passwords["board"])
    admins_answer = post_callback(admin, _overview(WEST_MIDLANDS)).get_data(
        as_text=True
    )
    boards_answer = post_callback(board, _overview(WEST_MIDLANDS)).get_data(
        as_text=True
    )
    assert "outside your access" not in admins_answer
    assert "outside your access" in boards_answer
    assert len(calls) == 2


def test_an_answer_built_while_the_store_was_down_is_not_kept(web, monkeypatch):
    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "admin", passwords["admin"])
    working = board_overview.overview_summary

    def store_down(**kwargs):
        # What data_access.db.session_scope does when the database cannot be reached.
        db._mark_store_failure()
        raise StoreUnavailable("the database cannot be reached")

    monkeypatch.setattr(board_overview, "overview_summary", store_down)
    down = post_callback(client, _overview(AVON))
    assert down.status_code == 200
    assert "temporarily unavailable" in down.get_data(as_text=True)
    assert _view_keys(server) == set()
    monkeypatch.setattr(board_overview, "overview_summary", working)
    up = post_callback(client, _overview(AVON)).get_data(as_text=True)
    assert "temporarily unavailable" not in up
    assert len(calls) == 1 and len(_view_keys(server)) == 1


def test_a_dead_store_gives_a_plain_answer_and_the_cache_survives(
    web, store, monkeypatch
):
    server, passwords, _ = web
    client = server.test_client()
    sign_in(client, "admin", passwords["admin"])
    with server.app_context():
        generation = cache_module.generation()
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    db.reset_engine()
    down = post_callback(client, _overview(AVON))
    assert "Traceback" not in down.get_data(as_text=True)
    monkeypatch.setenv("DATABASE_URL", store)
    db.reset_engine()
    with server.app_context():
        assert cache_module.generation() == generation


def test_callbacks_that_write_are_not_cached():
    from app import app  # noqa: F401 - registers every page's callbacks
    from web import view_cache

    assert "overview-content.children" in view_cache._CACHED_OUTPUTS
    assert "violence-content.children" in view_cache._CACHED_OUTPUTS
    assert not any(
        key.startswith("..returns") or key.startswith("returns")
        for key in view_cache._CACHED_OUTPUTS
    )


def _router(path: str) -> dict:
    body = callback_request(
        "_pages_content.children..._pages_store.data",
        [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
    )
    body["output"] = "..{}..".format(body["output"])
    return body


def test_page_layouts_are_cached_except_the_returns_page(web):
    server, passwords, _ = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    first = post_callback(client, _router("/violence"))
    assert first.status_code == 200 and "Success-measure trends" in first.get_data(
        as_text=True
    )
    kept = _view_keys(server)
    assert len(kept) == 1
    assert post_callback(client, _router("/violence")).get_data() == first.get_data()
    returns_page = post_callback(client, _router("/returns"))
    assert returns_page.status_code == 200
    assert _view_keys(server) == kept


def test_a_cached_answer_is_sent_gzipped_to_clients_that_accept_it(web):
    import gzip
    import json

    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    plain = post_callback(client, _overview(AVON)).get_data()
    hit = client.post(
        "/_dash-update-component",
        data=json.dumps(_overview(AVON)),
        content_type="application/json",
        headers={"Accept-Encoding": "gzip, deflate, br"},
    )
    assert hit.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit.headers["Vary"]
    assert gzip.decompress(hit.get_data()) == plain
    assert len(calls) == 1


def _key_for(monkeypatch, body: dict | str, scope=None, generation="7"):
    """web.view_cache._key for `body` (a str: posted as it is, as JSON) posted by
    a caller with `scope`, at store generation `generation` (a StoreUnavailable
    instance: the store is down)."""
    from app import app
    from data_access.scope import Scope
    from web import view_cache

    def current_scope():
        if isinstance(scope, Exception):
            raise scope
        return scope or Scope(role="viewer", area_codes=frozenset({AVON}))

    def store_generation():
        if isinstance(generation, Exception):
            raise generation
        return generation

    monkeypatch.setattr(view_cache, "current_scope", current_scope)
    monkeypatch.setattr(view_cache, "generation", store_generation)
    sent = (
        {"data": body, "content_type": "application/json"}
        if isinstance(body, str)
        else {"json": body}
    )
    with app.server.test_request_context(
        "/_dash-update-component", method="POST", **sent
    ):
        return view_cache._key()


@pytest.mark.parametrize(
    "other",
    [
        # Another workstream of the same role and area: two leads of one VRU.
        dict(role="lead", area_codes=frozenset({AVON}), workstream_id=2),
        dict(role="viewer", area_codes=frozenset({AVON}), workstream_id=1),  # role
        dict(role="lead", area_codes=frozenset({WEST_MIDLANDS}), workstream_id=1),
        dict(role="lead", area_codes=frozenset({AVON, WEST_MIDLANDS}), workstream_id=1),
    ],
)
def test_the_key_holds_each_part_of_the_callers_access(monkeypatch, other):
    """Callers who differ in one part of their access only (role, areas or
    workstream) never share an answer; the same access and request do."""
    from data_access.scope import Scope

    lead = Scope(role="lead", area_codes=frozenset({AVON}), workstream_id=1)
    body = _overview(AVON)
    mine = _key_for(monkeypatch, body, lead)
    assert mine is not None and mine.startswith("view:gz:")
    assert _key_for(monkeypatch, body, Scope(**dict(vars(lead)))) == mine
    assert _key_for(monkeypatch, body, Scope(**other)) != mine
    # ... and another store generation is another answer.
    assert _key_for(monkeypatch, body, lead, generation="8") != mine


def test_no_store_generation_means_no_cached_answer(monkeypatch):
    """When the generation cannot be read (the store is down) the request is
    neither looked up nor kept: no key, and no error from the cache."""
    down = StoreUnavailable("the database cannot be reached")
    assert _key_for(monkeypatch, _overview(AVON), generation=down) is None
    # Nor for a caller who is not signed in (the sign-in gate answers them first).
    signed_out = AccessDenied("sign in to see this")
    assert _key_for(monkeypatch, _overview(AVON), signed_out) is None


@pytest.mark.parametrize("data", ["not json", "[1, 2]", "null", '"text"'])
def test_a_body_that_is_not_a_json_object_gets_no_key(monkeypatch, data):
    """The cache itself passes over a body that is not a JSON object (no key, no
    error): today the sign-in gate (web/security.py) refuses such bodies before
    the cache's hook runs, and the cache must not depend on that order."""
    assert _key_for(monkeypatch, data) is None


def test_the_output_field_is_matched_as_dash_sends_it():
    """Dash's renderer sends one output as "id.prop" (or "..id.prop.."), several
    as "..a.prop...b.prop.." with dots in an id escaped: only those strings mark a
    request as one of a cached callback's, never one part of several outputs."""
    from dash import Output

    from web.view_cache import _output_keys

    assert _output_keys([Output("overview-content", "children")]) == {
        "overview-content.children",
        "..overview-content.children..",
    }
    assert _output_keys(
        [Output("trend-chart", "figure"), Output("trend.table", "data")]
    ) == {"..trend-chart.figure...trend\\.table.data.."}


def test_the_returns_page_layout_is_never_keyed_whatever_the_input_order(
    monkeypatch,
):
    """The page router's path is its `pathname` input, wherever it comes in the
    body: /returns (per-person work in progress) is never cached, other pages are."""
    for path, cached in (
        ("/returns", False),
        ("/returns/", False),
        ("/violence", True),
    ):
        body = _router(path)
        assert (_key_for(monkeypatch, body) is not None) is cached
        body["inputs"] = list(reversed(body["inputs"]))  # search first
        assert (_key_for(monkeypatch, body) is not None) is cached
        # A pattern-matching input arrives as a list, not a dict.
        body["inputs"] = [[], *body["inputs"]]
        assert (_key_for(monkeypatch, body) is not None) is cached


def test_only_the_callback_route_is_answered_from_the_cache(web):
    """A kept callback answer is sent for a POST to Dash's callback route only: the
    same body posted anywhere else, or fetched with GET, gets that route's own
    answer."""
    import json

    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    body = json.dumps(_overview(AVON))
    kept = post_callback(client, _overview(AVON)).get_data()
    for method, path in (("POST", "/signin"), ("GET", "/_dash-update-component")):
        other = client.open(
            path, method=method, data=body, content_type="application/json"
        )
        assert other.get_data() != kept, (method, path)
    assert len(calls) == 1


def test_an_answer_naming_a_saved_group_is_never_kept(monkeypatch):
    """A saved comparator group is one user's and may be deleted: an answer built
    on it (/compare with benchmark saved:<id>) is neither looked up nor kept, so
    another user with the same access never receives it and a deleted group is
    never shown again; the same request with a published group is cached."""
    from app import app  # noqa: F401 - registers the pages' cached callbacks

    def body(benchmark: str) -> dict:
        return callback_request(
            "compare-content.children",
            [
                {"id": f"compare-{p}", "property": "value", "value": v}
                for p, v in (
                    ("measure", "knife_offences"),
                    ("period", "2018-04"),
                    ("benchmark", benchmark),
                    ("level", "95"),
                    ("outliers", "exclude"),
                )
            ],
        )

    assert _key_for(monkeypatch, body("vru")) is not None
    assert _key_for(monkeypatch, body("saved:3")) is None


def test_a_request_that_is_not_cached_is_never_looked_up(web, monkeypatch):
    """No lookup when there is no key (the returns page's layout) or no cache on
    the app at all: the callback simply runs. (A lookup with no key would
    reach the backend under a key such as "None".)"""
    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    looked_up, get = [], shared_cache.cache.get

    def spy(key, *args, **kwargs):
        looked_up.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(shared_cache.cache, "get", spy)
    assert post_callback(client, _router("/returns")).status_code == 200
    # Not monkeypatch.delitem: undone after the fixture's teardown, it would
    # put this test's cache back on the app for later tests.
    del server.extensions["cache"]  # the fixture binds the app's cache again
    assert post_callback(client, _overview(AVON)).status_code == 200
    assert len(calls) == 1
    assert [k for k in looked_up if k is None or str(k).startswith("view:")] == []


def test_a_cache_that_cannot_keep_an_answer_fails_nothing_and_says_why(
    web, monkeypatch, caplog
):
    """A failed write to the cache still answers 200, and the debug log carries
    the failure with its traceback (the one place an operator can see it)."""
    import logging

    server, passwords, calls = web
    client = server.test_client()
    sign_in(client, "board", passwords["board"])

    def broken(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(shared_cache.cache, "set", broken)
    with caplog.at_level(logging.DEBUG, logger="web.view_cache"):
        assert post_callback(client, _overview(AVON)).status_code == 200
    failures = [r for r in caplog.records if r.name == "web.view_cache"]
    assert failures and failures[0].exc_info[0] is ConnectionError


def test_with_caching_off_a_click_is_neither_keyed_nor_gzipped(web, monkeypatch):
    """NullCache keeps nothing: the view cache must then cost nothing per click
    (no body hash, no access read, no gzip of an answer that is thrown away;
    gzipping /compare's 247 KB answer was measurable in the cache-off benchmark)."""
    server, passwords, calls = web
    server.config["CACHE_TYPE"] = "NullCache"
    shared_cache.cache.init_app(server)
    keyed, gzipped = [], []
    monkeypatch.setattr(view_cache, "_key", lambda: keyed.append(1))
    real_gzip = view_cache.gzip

    class CountingGzip:
        @staticmethod
        def compress(*args, **kwargs):
            gzipped.append(1)
            return real_gzip.compress(*args, **kwargs)

    monkeypatch.setattr(view_cache, "gzip", CountingGzip)
    client = server.test_client()
    sign_in(client, "board", passwords["board"])
    first = post_callback(client, _overview(AVON))
    second = post_callback(client, _overview(AVON))
    assert first.status_code == second.status_code == 200
    assert len(calls) == 2  # both ran: nothing was kept
    assert keyed == [] and gzipped == []


def test_a_test_app_gives_back_the_whole_configuration(store, monkeypatch):
    """app_over_small_store leaves the app as it found it, whatever a test set
    directly and even when the test fails: a CACHE_TYPE left behind reached every
    later test module of the process (the cause of 14 CI failures of b472cd4)."""
    from app import app

    server = app.server
    before = dict(server.config)
    backend = type(server.extensions["cache"][shared_cache.cache])
    assert not issubclass(backend, SimpleCache)  # so that one left bound would show
    with pytest.raises(RuntimeError, match="the test failed"):
        with app_over_small_store(monkeypatch, {}, CACHE_TYPE="SimpleCache") as small:
            bound = small.server.extensions["cache"][shared_cache.cache]
            assert isinstance(bound, SimpleCache)
            small.server.config["CACHE_DEFAULT_TIMEOUT"] = 1
            small.server.config["VRU_SET_BY_A_TEST"] = True
            raise RuntimeError("the test failed")
    assert dict(server.config) == before
    assert type(server.extensions["cache"][shared_cache.cache]) is backend
