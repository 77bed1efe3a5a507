"""Two app processes (gunicorn, different ports) over one PostgreSQL store and one
Redis: a session signed in on one is valid on the other, and a result cached by one
is served to the other. Nothing lives in process memory."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from data_access import users

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app process exited with {process.returncode}")
        try:
            if requests.get(base + "/readyz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{base} did not become ready")


@pytest.fixture
def two_apps(_loaded_urls, tmp_path):
    if not os.environ.get("TEST_DATABASE_URL") or not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("needs TEST_DATABASE_URL and TEST_REDIS_URL (set in CI)")
    database_url = _loaded_urls("postgresql")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "SECRET_KEY": "two-process-test-secret",
        "VRU_DEMO": "0",
        "INSTANCE_DIR": str(tmp_path),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
    }
    env.pop("CACHE_TYPE", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [
                    gunicorn,
                    "app:server",
                    "-c",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process in zip(bases, processes, strict=True):
            _wait_ready(base, process)
        os.environ["DATABASE_URL"] = database_url
        from data_access import db

        db.reset_engine()
        existing = {u.username for u in users.list_users()}
        if "two-process" in existing:
            password = users.set_password(username="two-process")
        else:
            _, password = users.create_user(
                username="two-process", role="analyst", role_title="National Analyst"
            )
        yield bases, password
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()


def _sign_in(session: requests.Session, base: str, password: str) -> None:
    form = session.get(base + "/signin", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = session.post(
        base + "/signin",
        data={"username": "two-process", "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text


def test_session_and_cache_are_shared_by_two_processes(two_apps):
    (first, second), password = two_apps
    session = requests.Session()
    _sign_in(session, first, password)
    # The cookie signed by the first process opens the app on the second.
    assert (
        session.get(second + "/", allow_redirects=False, timeout=10).status_code == 200
    )
    body = {
        "output": "overview-content.children",
        "outputs": {"id": "overview-content", "property": "children"},
        "inputs": [{"id": "overview-area", "property": "value", "value": "E23000036"}],
        "changedPropIds": ["overview-area.value"],
        "state": [],
    }
    answers = [
        session.post(base + "/_dash-update-component", json=body, timeout=30)
        for base in (first, second)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    import redis

    client = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    assert client.keys("vru:*"), "the first process cached nothing in Redis"


def test_gunicorn_names_no_server_and_signed_in_answers_are_not_stored(two_apps):
    (first, _), password = two_apps
    session = requests.Session()
    anonymous = session.get(first + "/signin", timeout=10)
    assert "Server" not in anonymous.headers
    _sign_in(session, first, password)
    page = session.get(first + "/", allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert "Server" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"
