"""A PostgreSQL server that a test owns: created in a temporary directory on a free
port, so the test can stop it (an outage) and start it again (recovery) without
touching the shared server other tests use."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI and these sessions run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class Cluster:
    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([_program("pg_ctl"), "-D", str(self.data_dir), "-w", *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._pg_ctl(
            "-o",
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1",
            "-l",
            str(self.data_dir / "server.log"),
            "start",
        )

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")


def _program(name: str) -> str | None:
    """A PostgreSQL program's path: on PATH, else Debian's versioned directory
    (/usr/lib/postgresql/<version>/bin, not on PATH by default), newest first."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    return str(candidates[0]) if candidates else None


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Cluster]:
    """A running cluster of its own (skips when PostgreSQL's programs are absent)."""
    if not (_program("initdb") and _program("pg_ctl")):
        why = "initdb/pg_ctl not installed: outage tests need PostgreSQL's programs"
        if os.environ.get("VRU_REQUIRE_SERVICES"):
            # CI requires the services: a quiet skip here would pass a run that
            # never tested the outage path (tests/conftest.py fails other skips).
            pytest.fail(why)
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="vru-pg-"))
    data_dir = root / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
        subprocess.run(
            _as_postgres(
                [
                    _program("initdb"),
                    "-D",
                    str(data_dir),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster = Cluster(data_dir=data_dir, port=_free_port())
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
