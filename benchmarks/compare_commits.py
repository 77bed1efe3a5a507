"""The click benchmark for an older commit and the working tree, back to back.

Figures from different days are only comparable on the same machine: this runs
both versions of the app on the same stores within minutes, with the same load
generator (this tree's clicks.py and common.py are copied into the old one).

    .venv/bin/python -m benchmarks.compare_commits --old d3aad89 [--duration 40]

Needs the stores `benchmarks.run` builds (the shipped demo is built in a temp
dir; vru_bench_10000000 must exist) and Redis db 14 (flushed before each run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks import common

PG_10M = "postgresql+psycopg://postgres@127.0.0.1:5432/vru_bench_10000000"
REDIS = "redis://127.0.0.1:6379/14"


def _old_tree(rev: str) -> Path:
    tree = Path(tempfile.mkdtemp(prefix="vru_old_")) / "app"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), rev], cwd=common.ROOT,
        check=True, capture_output=True,
    )  # fmt: skip
    (tree / ".venv").symlink_to(common.ROOT / ".venv")
    for name in ("clicks.py", "common.py"):
        shutil.copy(common.ROOT / "benchmarks" / name, tree / "benchmarks" / name)
    return tree


def _run(tree: Path, url: str, redis: str | None, duration: float, warmup: float):
    if redis:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    code = (
        "import json, sys; from benchmarks import clicks; "
        f"r = clicks.benchmark({url!r}, sys.argv[1], {redis!r}, 20, {duration}, "
        f"{warmup}); print(json.dumps([r['total'], r['cpu_ms_per_request']]))"
    )
    out = subprocess.run(
        [str(common.PYTHON), "-c", code, tempfile.mkdtemp(prefix="vru_bench_")],
        cwd=tree, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", required=True, help="commit to compare against")
    parser.add_argument("--duration", type=float, default=40)
    args = parser.parse_args()
    demo, _ = common.sqlite_demo_store()
    old = _old_tree(args.old)
    runs = [
        ("demo, cache off", demo, None, 0),
        ("10M rows, cache off", PG_10M, None, 0),
        ("10M rows, Redis warm", PG_10M, REDIS, args.duration / 2),
    ]
    print("| run | code | answers/s | p50 ms | p95 ms | errors | CPU ms per answer |")
    print("|---|---|---|---|---|---|---|")
    try:
        for label, url, redis, warmup in runs:
            for name, tree in ((args.old, old), ("working tree", common.ROOT)):
                total, cpu = _run(tree, url, redis, args.duration, warmup)
                cpu_text = ", ".join(f"{k} {v:.1f}" for k, v in cpu.items() if v)
                print(
                    f"| {label} | {name} | {total['rps']:.1f} | {total['p50_ms']:.0f} "
                    f"| {total['p95_ms']:.0f} | {total['errors']} | {cpu_text} |",
                    flush=True,
                )
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(old)], cwd=common.ROOT
        )


if __name__ == "__main__":
    main()
