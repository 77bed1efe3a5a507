"""Run the benchmark suite and write benchmarks/results.json.

    .venv/bin/python -m benchmarks.run [--quick] [--sizes 100000,1000000] \
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432]
        [--redis redis://127.0.0.1:6379/14] [--lighthouse /tmp/lh]

1. The shipped SQLite demo (built with `flask --app app setup-demo` in a temp
   INSTANCE_DIR): clicks (NullCache, then its default SimpleCache warm), page
   weight (+ Lighthouse when --lighthouse).
2. For each size N: database `vru_bench_<N>` on the PostgreSQL server (created and
   filled with `flask --app app generate-scale --rows N` when missing; an existing
   one is reused after `flask --app app migrate`, nothing else is touched):
   clicks with NullCache, clicks with Redis warm (a warm-up pass first; Redis db
   flushed before, only that db), worker RSS.
3. Embed spike against the largest size with Redis.

--quick: 20 clients x 30 s (embed: 20 clients x 20 s, then 300 requests/s open loop
for 20 s); default 20 x 120 s (embed 30 s each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import tempfile

import psycopg

from benchmarks import clicks, common, embed_spike, page_weight

RESULTS = common.ROOT / "benchmarks" / "results.json"


def _pg_store(server: str, rows: int) -> str:
    name = f"vru_bench_{rows}"
    admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    env = common.base_env(url, tempfile.mkdtemp(prefix="vru_bench_"), None)
    # generate-scale migrates a new store; a reused one is brought up to the
    # current schema (new summary tables are filled from its rows).
    command = ["generate-scale", "--rows", str(rows)] if not exists else ["migrate"]
    subprocess.run(
        [common.FLASK, "--app", "app", *command], env=env, cwd=common.ROOT, check=True
    )
    return url


def _commit() -> str | None:
    answer = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return answer.stdout.strip() or None


def stamped(entry: dict) -> dict:
    """A phase's result marked with when, and at which commit, it was measured.
    results.json keeps the entries of phases a run skips (--phases), so each
    entry says its own age and benchmarks.report can tell an older run's figures
    from this one's (a stale Lighthouse block was once reported as new)."""
    entry["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    entry["commit"] = _commit()
    return entry


def _flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # only the benchmark's own db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--lighthouse")
    parser.add_argument(
        "--lighthouse-repeat",
        type=int,
        default=3,
        help="Lighthouse runs per page; the median-score run is reported",
    )
    parser.add_argument(
        "--phases",
        default="demo-clicks,demo-weight,pg,embed",
        help="comma-separated subset of demo-clicks,demo-weight,pg,embed",
    )
    args = parser.parse_args()
    clients, duration = 20, 30.0 if args.quick else 120.0
    embed_clients, embed_duration = 20, 20.0 if args.quick else 30.0
    results: dict = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = common.machine()
    results["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["commit"] = _commit()
    results["settings"] = {
        "clients": clients,
        "duration_s": duration,
        "embed_clients": embed_clients,
        "embed_duration_s": embed_duration,
    }

    def save() -> None:
        RESULTS.write_text(json.dumps(results, indent=2))

    phases = set(args.phases.split(","))
    if phases & {"demo-clicks", "demo-weight"}:
        url, instance = common.sqlite_demo_store()
    if "demo-clicks" in phases:
        print("demo: clicks", flush=True)
        results["demo_clicks_nullcache"] = stamped(
            clicks.benchmark(url, instance, None, clients, duration)
        )
        save()
        print("demo: clicks, default cache (SimpleCache per worker)", flush=True)
        results["demo_clicks_default_cache"] = stamped(clicks.benchmark(
            url, instance, None, clients, duration, warmup=duration / 2,
            cache_type="default",
        ))  # fmt: skip
        save()
    if "demo-weight" in phases:
        print("demo: page weight", flush=True)
        results["demo_page_weight"] = stamped(
            page_weight.benchmark(
                url, instance, None, args.lighthouse, args.lighthouse_repeat
            )
        )
        save()
    largest = None
    sizes_all = [int(s) for s in args.sizes.split(",") if s]
    sizes = [int(s) for s in args.sizes.split(",") if s] if "pg" in phases else []
    for rows in sizes:
        url = _pg_store(args.postgres, rows)
        instance = tempfile.mkdtemp(prefix="vru_bench_")
        largest = (url, instance)
        print(f"{rows}: clicks NullCache", flush=True)
        results[f"pg_{rows}_clicks_nullcache"] = stamped(
            clicks.benchmark(url, instance, None, clients, duration)
        )
        save()
        print(f"{rows}: clicks Redis warm", flush=True)
        _flush(args.redis)
        results[f"pg_{rows}_clicks_redis"] = stamped(
            clicks.benchmark(
                url, instance, args.redis, clients, duration, warmup=duration / 2
            )
        )
        save()
    if "embed" in phases and not largest:
        largest = (_pg_store(args.postgres, max(sizes_all)), tempfile.mkdtemp())
    if "embed" in phases:
        print("embed spike", flush=True)
        _flush(args.redis)
        results["embed_spike_redis"] = stamped(
            embed_spike.benchmark(*largest, args.redis, embed_clients, embed_duration)
        )
        save()
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
