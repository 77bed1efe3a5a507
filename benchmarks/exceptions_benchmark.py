"""Benchmark: every exception rule on every measure series of a store (issue 16).

Target: evaluating every SPC rule on every measure series of the 10-million-row
scale store (about a million measure values) takes at most 5 s, and does not
slow the approval request (the rules run after the commit, in a background
thread of the same process: data_access/exceptions.after_commit).

What it measures, on the store named by --database-url:
1. `exceptions.evaluate_signals()` (the read of every current series and
   `spc.series_spc` on each, the one SPC road) `--repeat` times: wall time,
   this process's CPU time, and PostgreSQL's own time for the series query
   (EXPLAIN ANALYZE); wall time on a shared machine also holds whatever else it
   is doing, so the load average is printed beside it;
2. how long `after_commit` keeps its caller (the approval request) and how long
   the background run it starts takes (`--full`: this writes the exceptions and
   alerts of a first run into the store), then a second run (nothing new).

    DATABASE_URL is not read: pass the store, e.g.
    .venv/bin/python -m benchmarks.exceptions_benchmark \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/vru_bench_10000000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def _server_ms() -> float | None:
    from data_access import exceptions
    from data_access.db import session_scope

    with session_scope() as session:
        if session.get_bind().dialect.name != "postgresql":
            return None
        query = exceptions.series_query_postgresql()
        compiled = query.compile(
            dialect=session.get_bind().dialect,
            compile_kwargs={"literal_binds": True},
        )
        plan = (
            session.connection()
            .exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")
            .scalar()
        )
    return float(plan[0]["Execution Time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also run the rules")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("CACHE_TYPE", "NullCache")

    from data_access import db, exceptions

    db.reset_engine()
    runs = []
    for _ in range(args.repeat):
        load = _load()
        wall, cpu = time.perf_counter(), time.process_time()
        judged = exceptions.evaluate_signals()
        runs.append(
            {
                "wall_s": round(time.perf_counter() - wall, 3),
                "cpu_s": round(time.process_time() - cpu, 3),
                "load_before": load,
            }
        )
        print(json.dumps(runs[-1]))
    result = {
        "series": judged["series"],
        "assessed": judged["assessed"],
        "signals": len(judged["signals"]),
        "evaluate_wall_s_median": statistics.median(r["wall_s"] for r in runs),
        "evaluate_cpu_s_median": statistics.median(r["cpu_s"] for r in runs),
        "series_query_server_ms": _server_ms(),
        "runs": runs,
    }
    if args.full:
        os.environ["ALERT_RULES_AFTER_COMMIT"] = "thread"
        started = time.perf_counter()
        exceptions.after_commit("benchmark: approval")
        result["after_commit_returns_ms"] = round(
            (time.perf_counter() - started) * 1000, 3
        )
        exceptions.wait_for_background(timeout=3600)
        result["background_first_run_s"] = round(time.perf_counter() - started, 3)
        again = exceptions.run_rules(trigger="benchmark: second run")
        result["second_run"] = {
            "new": again["new"],
            "evaluate_s": round(again["evaluate_seconds"], 3),
            "whole_s": round(again["seconds"], 3),
        }
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
