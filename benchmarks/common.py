"""Shared benchmark plumbing: stores, a gunicorn server, sign-in, latency stats.

All traffic goes to 127.0.0.1 only. Every loop is bounded by a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
FLASK = str(ROOT / ".venv" / "bin" / "flask")
BENCH_USER = "bench-admin"
BENCH_PASSWORD = "bench-password-not-secret-0001"
SECRET = "benchmark-secret-key-not-for-production-0123456789"


async def read_answer(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked); return its status.
    The load generators speak HTTP/1.1 over asyncio streams rather than using
    requests: on a 2-core machine shared with the server, a heavier client takes
    CPU from the server and inflates the latencies it measures."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(
    database_url: str, instance_dir: str, redis_url: str | None, cache_type: str = ""
) -> dict:
    """The server's environment: Redis when `redis_url`, else `cache_type` (the
    app's own default for one host, SimpleCache, when "default"), else no cache."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        INSTANCE_DIR=instance_dir,
        SECRET_KEY=SECRET,
        VRU_DEMO="0",
        GUNICORN_ACCESSLOG="",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    env.pop("CACHE_TYPE", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    elif cache_type != "default":
        env["CACHE_TYPE"] = cache_type or "NullCache"
    return env


def ensure_user(env: dict) -> None:
    """Create the benchmark admin in the store (ignored if it exists)."""
    code = (
        "from data_access import users\n"
        "try:\n"
        f"    users.create_user(username={BENCH_USER!r}, role='admin',"
        f" role_title='Benchmark Administrator', password={BENCH_PASSWORD!r})\n"
        "except Exception as e:\n"
        "    import sys; print('user:', type(e).__name__, e, file=sys.stderr)\n"
    )
    subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True)


def sqlite_demo_store() -> tuple[str, str]:
    """Build the shipped demo store in a temp INSTANCE_DIR; (url, instance dir)."""
    instance = tempfile.mkdtemp(prefix="vru_bench_demo_")
    url = f"sqlite:///{instance}/vru.sqlite3"
    env = base_env(url, instance, None)
    env["VRU_DEMO"] = "1"
    subprocess.run(
        [FLASK, "--app", "app", "setup-demo"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url, instance


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    env: dict

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
        ).stdout
        return [int(p) for p in out.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_mb(pid: int) -> dict[str, float]:
    """A process's resident memory in MB: RSS (every page it maps, shared ones in
    full), PSS (shared pages split between the processes sharing them) and USS
    (pages only it holds, what stopping it would free). Workers share the Python
    interpreter's and libraries' pages, so RSS over-counts what each one costs."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    return {
        "rss": round(fields["Rss"] / 1024, 1),
        "pss": round(fields["Pss"] / 1024, 1),
        "uss": round((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024, 1),
    }


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far (gone ones count 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def pids_named(name: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


class CpuMeter:
    """CPU used by each process group (app workers, PostgreSQL, Redis, this load
    generator) from creation to `per_answer`. Queueing on 2 shared cores follows
    from it, and unlike latency it does not depend on what else the machine does."""

    def __init__(self, workers: list[int]):
        self.groups = {
            "gunicorn workers": lambda: workers,
            "postgresql": lambda: pids_named("postgres"),
            "redis": lambda: pids_named("redis-server"),
            "load generator": lambda: [os.getpid()],
        }
        self.before = {name: cpu_seconds(pids()) for name, pids in self.groups.items()}

    def per_answer(self, answers: int) -> dict[str, float]:
        """Milliseconds of CPU per answer, by group, since creation."""
        return {
            name: round(
                (cpu_seconds(pids()) - self.before[name]) * 1000 / max(answers, 1), 3
            )
            for name, pids in self.groups.items()
        }


@contextlib.contextmanager
def gunicorn(env: dict, workers: int | None = None) -> Iterator[Server]:
    port = free_port()
    env = dict(env)
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = open(tempfile.mktemp(prefix="vru_bench_gunicorn_", suffix=".log"), "w")
    process = subprocess.Popen(
        [
            GUNICORN,
            "app:server",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log.name}")
            try:
                if requests.get(base + "/signin", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"gunicorn did not answer; see {log.name}")
        yield Server(base, process, env)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def signed_in_session(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/signin", timeout=30).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if not match:
        raise RuntimeError("no CSRF token on /signin")
    answer = session.post(
        base + "/signin",
        data={
            "username": BENCH_USER,
            "password": BENCH_PASSWORD,
            "csrf_token": match.group(1),
            "next": "/",
        },
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"sign-in failed: HTTP {answer.status_code}")
    return session


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, seconds: float, ok: bool) -> None:
        self.latencies.append(seconds)
        if not ok:
            self.errors += 1

    def summary(self, duration: float) -> dict:
        lat = sorted(self.latencies)
        if not lat:
            return {"n": 0, "errors": self.errors}

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000

        return {
            "n": len(lat),
            "errors": self.errors,
            "rps": len(lat) / duration,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "mean_ms": statistics.fmean(lat) * 1000,
        }


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "uname": subprocess.run(
            ["uname", "-a"], capture_output=True, text=True
        ).stdout.strip(),
        "python": sys.version.split()[0],
    }
