"""The click and embed-spike benchmarks for an older commit and the working tree,
back to back.

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
    for name in ("clicks.py", "embed_spike.py", "common.py"):
        shutil.copy(common.ROOT / "benchmarks" / name, tree / "benchmarks" / name)
    return tree


def _code(kind: str, url: str, redis: str | None, duration: float, warmup: float):
    """A Python one-liner printing [[summary, cpu by process], ...] for one run."""
    if kind == "embed":
        return (
            "import json, sys; from benchmarks import embed_spike; "
            f"r = embed_spike.benchmark({url!r}, sys.argv[1], {redis!r}, 20, "
            f"{duration}); print(json.dumps([[v, v['cpu_ms_per_request']] "
            "for v in r.values()]))"
        )
    return (
        "import json, sys; from benchmarks import clicks; "
        f"r = clicks.benchmark({url!r}, sys.argv[1], {redis!r}, 20, {duration}, "
        f"{warmup}); print(json.dumps([[r['total'], r['cpu_ms_per_request']]]))"
    )


def _run(tree: Path, kind: str, url: str, redis: str | None, duration, warmup):
    if redis:
        import redis as redis_client

        redis_client.Redis.from_url(redis).flushdb()
    code = _code(kind, url, redis, duration, warmup)
    out = subprocess.run(
        [str(common.PYTHON), "-c", code, tempfile.mkdtemp(prefix="vru_bench_")],
        cwd=tree, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", required=True, help="commit to compare against")
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--only", choices=("clicks", "embed"))
    args = parser.parse_args()
    demo, _ = common.sqlite_demo_store()
    old = _old_tree(args.old)
    runs = [
        ("clicks", "demo, cache off", demo, None, 0),
        ("clicks", "10M rows, cache off", PG_10M, None, 0),
        ("clicks", "10M rows, Redis warm", PG_10M, REDIS, args.duration / 2),
        ("embed", "cached embed, Redis", demo, REDIS, 0),
    ]
    runs = [r for r in runs if args.only in (None, r[0])]
    print("| run | code | answers/s | p50 ms | p95 ms | errors | CPU ms per answer |")
    print("|---|---|---|---|---|---|---|")
    try:
        for kind, label, url, redis, warmup in runs:
            for name, tree in ((args.old, old), ("working tree", common.ROOT)):
                for total, cpu in _run(tree, kind, url, redis, args.duration, warmup):
                    cpu_text = ", ".join(f"{k} {v:.1f}" for k, v in cpu.items() if v)
                    loop = {"closed": ", 20 clients", "open loop": ", 300/s"}
                    row = label + loop.get(total.get("mode"), "")
                    print(
                        f"| {row} | {name} | {total['rps']:.1f} "
                        f"| {total['p50_ms']:.0f} | {total['p95_ms']:.0f} "
                        f"| {total['errors']} | {cpu_text} |",
                        flush=True,
                    )
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(old)], cwd=common.ROOT
        )


if __name__ == "__main__":
    main()
