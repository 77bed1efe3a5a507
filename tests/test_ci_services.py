"""CI refuses a run that skipped PostgreSQL or Redis (tests/conftest.py): with
VRU_REQUIRE_SERVICES set, a missing TEST_DATABASE_URL or TEST_REDIS_URL stops the
run, and a test skipped for want of either service fails it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import pytest

def test_needs_redis():
    pytest.skip("TEST_REDIS_URL not set: Redis tests run in CI")

def test_needs_postgres():
    pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests run in CI")

def test_not_for_this_engine():
    pytest.skip("row locks: SQLite has a single writer")
"""


def _run(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VRU_REQUIRE_SERVICES", "TEST_DATABASE_URL", "TEST_REDIS_URL")
    }
    env.update(env_vars)
    # Only tests.conftest is under test: the project's addopts and the heavy
    # plugins (Dash's, schemathesis, anyio, hypothesis, xdist) are left out of
    # the child, which otherwise spends most of its time importing them.
    plugins = ("dash", "schemathesis", "anyio", "hypothesispytest", "xdist")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-o", "addopts="]
        + [arg for name in plugins for arg in ("-p", f"no:{name}")]
        + ["-p", "tests.conftest", "-p", "no:cacheprovider", str(probe)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_redis_url_stops_a_run_that_requires_services(tmp_path):
    run = _run(
        tmp_path,
        VRU_REQUIRE_SERVICES="1",
        TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    assert run.returncode != 0
    assert "TEST_REDIS_URL is not" in run.stdout + run.stderr


def test_a_missing_database_url_stops_a_run_that_requires_services(tmp_path):
    run = _run(
        tmp_path, VRU_REQUIRE_SERVICES="1", TEST_REDIS_URL="redis://127.0.0.1:6379/7"
    )
    assert run.returncode != 0
    assert "TEST_DATABASE_URL is not" in run.stdout + run.stderr


def test_a_skip_for_a_missing_service_fails_a_run_that_requires_services(tmp_path):
    run = _run(
        tmp_path,
        VRU_REQUIRE_SERVICES="1",
        TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        TEST_REDIS_URL="redis://127.0.0.1:6379/7",
    )
    assert run.returncode == 1, run.stdout
    assert "FAILED" in run.stdout and "test_needs_redis" in run.stdout
    assert "2 failed, 1 skipped" in run.stdout
    # Other skips (a test that does not apply to an engine) stay skips.
    assert "SKIPPED" in run.stdout and "single writer" in run.stdout


def test_without_the_requirement_a_missing_service_is_a_skip(tmp_path):
    run = _run(tmp_path)
    assert run.returncode == 0, run.stdout
    assert "3 skipped" in run.stdout
