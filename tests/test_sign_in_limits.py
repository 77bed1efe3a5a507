"""Sign-in limits lock out attackers, not users (data_access/sign_in_limits.py):
made-up names cannot spend a real user's budget, strangers locking `admin` do not
stop the admin's own browser, the client address is the one the trusted proxy saw
(and X-Forwarded-For is ignored without one), concurrent guesses get no more
password checks than the limit, and unlock-user clears a lock."""

import threading
import uuid

import pytest
from werkzeug import security as werkzeug_security

from data_access import db, users
from tests.conftest import service_url
from tests.data_access.test_store import _minimal_rows
from tests.web_helpers import csrf_token, sign_in

LIMIT = 3


@pytest.fixture
def web(store, monkeypatch):
    from app import app

    monkeypatch.setenv("SIGNIN_MAX_ATTEMPTS", str(LIMIT))
    with db.session_scope() as session:
        _minimal_rows(session)
    passwords = {}
    for username, role in (("board", "viewer"), ("admin", "admin")):
        _, passwords[username] = users.create_user(
            username=username,
            role=role,
            role_title="Board Member" if role == "viewer" else "VRU Director",
            area_codes=("E23000036",) if role == "viewer" else (),
        )
    app.server.config["TESTING"] = True
    return app, passwords


def _client(app, address: str, forwarded_for: str | None = None):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded_for:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def test_made_up_names_cannot_lock_out_a_real_user(web):
    app, passwords = web
    office = "198.51.100.7"
    attacker = _client(app, office)
    answers = [
        sign_in(attacker, f"made-up-{n}", "guess").status_code
        for n in range(LIMIT * 4 + 5)
    ]
    # Past the limit every wrong attempt from this client is "too many", whether
    # the name exists or not (so the answer does not tell which names exist) ...
    assert answers[: LIMIT * 4] == [401] * (LIMIT * 4)
    assert set(answers[LIMIT * 4 :]) == {429}
    assert sign_in(attacker, "board", "wrong").status_code == 429
    # ... but the real user behind the same address signs in with the right one.
    colleague = _client(app, office)
    assert sign_in(colleague, "board", passwords["board"]).status_code == 302


def test_one_client_guessing_real_accounts_is_stopped(web):
    app, passwords = web
    guesser = _client(app, "198.51.100.8")
    for _ in range(LIMIT):
        assert sign_in(guesser, "board", "wrong").status_code == 401
    # (board, this client) is spent: even the right password waits the window.
    assert sign_in(guesser, "board", passwords["board"]).status_code == 429
    # Another client is not affected.
    other = _client(app, "198.51.100.9")
    assert sign_in(other, "board", passwords["board"]).status_code == 302


def test_strangers_locking_admin_do_not_stop_the_admins_own_browser(web):
    app, passwords = web
    admins_browser = _client(app, "198.51.100.10")
    assert sign_in(admins_browser, "admin", passwords["admin"]).status_code == 302
    for n in range(5):
        stranger = _client(app, f"203.0.113.{n + 1}")
        for _ in range(LIMIT):
            sign_in(stranger, "admin", "guess")
    # Four times the limit from all strangers: new browsers are refused for admin ...
    new_browser = _client(app, "198.51.100.11")
    assert sign_in(new_browser, "admin", passwords["admin"]).status_code == 429
    # ... the admin's own browser is not (strangers cannot spend its budget) ...
    fresh = _client(app, "198.51.100.10")
    fresh.set_cookie(
        "vru_known_browser",
        admins_browser.get_cookie("vru_known_browser", path="/signin").value,
        path="/signin",
    )
    assert sign_in(fresh, "admin", passwords["admin"]).status_code == 302
    # ... and unlock-user clears the lock for everyone else.
    result = app.server.test_cli_runner().invoke(args=["unlock-user", "admin"])
    assert result.exit_code == 0, result.output
    assert sign_in(new_browser, "admin", passwords["admin"]).status_code == 302


def test_a_forged_known_browser_token_counts_for_nothing(web):
    app, passwords = web
    client = _client(app, "198.51.100.12")
    client.set_cookie("vru_known_browser", "forged.token", path="/signin")
    for _ in range(LIMIT):
        sign_in(client, "board", "wrong")
    assert sign_in(client, "board", passwords["board"]).status_code == 429


def test_limits_count_the_client_the_trusted_proxy_saw(web, monkeypatch):
    app, passwords = web
    balancer = "10.0.0.2"
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    guesser = _client(app, balancer, forwarded_for="198.51.100.20")
    for _ in range(LIMIT):
        sign_in(guesser, "board", "wrong")
    assert sign_in(guesser, "board", passwords["board"]).status_code == 429
    # Behind the same balancer, another client is another client.
    colleague = _client(app, balancer, forwarded_for="198.51.100.21")
    assert sign_in(colleague, "board", passwords["board"]).status_code == 302
    # Without a trusted proxy the header is ignored: forging it does not reset a
    # client's count.
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    direct = "198.51.100.22"
    for n in range(LIMIT):
        sign_in(_client(app, direct, forwarded_for=f"192.0.2.{n}"), "board", "wrong")
    forged = _client(app, direct, forwarded_for="192.0.2.99")
    assert sign_in(forged, "board", passwords["board"]).status_code == 429


@pytest.mark.parametrize("counted_in", ["store", "redis"])
def test_thirty_concurrent_guesses_get_at_most_the_limit_of_password_checks(
    web, monkeypatch, counted_in
):
    app, _ = web
    if counted_in == "redis":
        monkeypatch.setenv("REDIS_URL", service_url("TEST_REDIS_URL"))
        import redis

        client = redis.Redis.from_url(service_url("TEST_REDIS_URL"))
        for key in client.scan_iter(match="vru:signin:*"):
            client.delete(key)
    checks = []
    real_check = werkzeug_security.check_password_hash

    def counted(hashed, password):
        checks.append(password)
        return real_check(hashed, password)

    monkeypatch.setattr(users, "check_password_hash", counted)
    statuses = []
    start = threading.Barrier(30)

    def guess(n):
        client = _client(app, "198.51.100.30")
        token = csrf_token(client)
        start.wait()
        response = client.post(
            "/signin",
            data={"username": "board", "password": f"guess-{n}", "csrf_token": token},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 30
    # Each attempt reserves its counts before any check, so the burst can spend
    # the wider per-name and per-client budgets too: under load it can happen that
    # none of the first few reaches its check (all 429). What must never happen is
    # more checks than the limit, or a check that is not answered 401.
    assert set(statuses) <= {401, 429}
    assert len(checks) <= LIMIT
    assert statuses.count(401) == len(checks)
    assert statuses.count(429) >= 30 - LIMIT


def test_the_api_limit_counts_the_client_the_trusted_proxy_saw(web, monkeypatch):
    app, _ = web
    monkeypatch.setenv("API_RATE_LIMIT", "3/minute")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    # The limiter's memory outlives a test: addresses of this run only.
    first, second = (f"2001:db8::{uuid.uuid4().hex[:4]}" for _ in range(2))
    one = _client(app, "10.0.0.2", forwarded_for=first)
    answers = [one.get("/api/v1/openapi.json").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = _client(app, "10.0.0.2", forwarded_for=second)
    assert other.get("/api/v1/openapi.json").status_code == 200
