"""Benchmark: one VRU's full board pack (every section), PowerPoint and tagged PDF.

    .venv/bin/python benchmarks/board_pack.py --database-url sqlite:////tmp/demo/vru.sqlite3
    .venv/bin/python benchmarks/board_pack.py --database-url postgresql+psycopg://... \\
        --vru E23000036 --quarter 2026-07

Each format runs in a fresh child process (spawned: nothing imported or cached
before), which imports the app, then makes the pack twice through
web.board_pack.make_pack (build the model from the view functions, render, keep it
with its SHA-256 in the store): the first pack is cold (empty in-process cache,
WeasyPrint's fonts not yet loaded), the second warm. Reported per pack: wall time
and CPU time; per child: peak memory (VmHWM, the child's own high-water mark, read
in the child, so the parent's size does not count). Target (issue 15): ≤ 10 s and
≤ 400 MB for one VRU's full pack. The packs are recorded in the given store, as a
user's would be.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _peak_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _child(url: str, vru: str, quarter: str, fmt: str, queue) -> None:  # noqa: ANN001
    os.environ["DATABASE_URL"] = url
    started = time.perf_counter()
    from app import server
    from data_access.scope import Scope
    from web.board_pack import make_pack

    imported = time.perf_counter() - started
    runs = []
    with server.app_context():
        for _ in range(2):
            wall, cpu = time.perf_counter(), time.process_time()
            record, content = make_pack(
                scope=Scope(role="admin", actor="Benchmark"),
                vru_code=vru,
                quarter=quarter,
                fmt=fmt,
            )
            runs.append(
                {
                    "wall_s": round(time.perf_counter() - wall, 2),
                    "cpu_s": round(time.process_time() - cpu, 2),
                    "bytes": len(content),
                    "sha256": record.sha256[:12],
                }
            )
    queue.put(
        {
            "format": fmt,
            "import_s": round(imported, 2),
            "runs": runs,
            "peak_mib": round(_peak_mib(), 1),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--vru", default="E23000036")
    parser.add_argument("--quarter", default="2026-07")
    parser.add_argument("--formats", default="pptx,pdf")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    results = []
    for fmt in args.formats.split(","):
        queue = ctx.Queue()
        child = ctx.Process(
            target=_child, args=(args.database_url, args.vru, args.quarter, fmt, queue)
        )
        child.start()
        results.append(queue.get(timeout=600))
        child.join()
    print(json.dumps(results, indent=2))
    for r in results:
        cold, warm = r["runs"]
        print(
            f"{r['format']}: cold {cold['wall_s']} s wall ({cold['cpu_s']} s CPU), "
            f"warm {warm['wall_s']} s wall ({warm['cpu_s']} s CPU), "
            f"peak {r['peak_mib']} MiB, app import {r['import_s']} s, "
            f"{cold['bytes']:,} bytes"
        )


if __name__ == "__main__":
    main()
