"""Benchmark: a 100,000-row quarterly return validated and committed.

    .venv/bin/python benchmarks/returns_benchmark.py                 # SQLite
    .venv/bin/python benchmarks/returns_benchmark.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

For PostgreSQL a throwaway database (<name>_returns_bench_<pid>) is created next to
the one in the URL and dropped afterwards; for SQLite a temporary file is used.
The store gets one VRU with a workstream of enough interventions (6 output rows and
1 spend row each) and measures for the file to have exactly --rows rows. The timed
part runs in a child process, so its peak memory (ru_maxrss) is that of the
validation and commit alone: upload_return (read, validate the whole file, write a
draft with its raw file) then submit and approve (flip is_current, audit, cache).
Target: under 20 s and under 1 GiB peak.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PERIOD = dt.date(2025, 7, 1)
LABEL = "2025/26 Q2"
OUTPUTS = (
    ("young_people_supported", "all", "people"),
    ("young_people_supported", "under25", "people"),
    ("referrals", "all", "referrals"),
    ("sessions", "all", "sessions"),
    ("completions", "all", "people"),
    ("staff_trained", "all", "people"),
)


def seed(rows: int) -> tuple[int, bytes, bytes]:
    """Seed the store; returns (workstream id, CSV bytes, XLSX bytes)."""
    from openpyxl import Workbook
    from sqlalchemy import insert

    from data_access.db import session_scope
    from data_access.models import (
        Area,
        Intervention,
        Measure,
        Source,
        Workstream,
        WorkstreamMeasure,
    )

    per_intervention = len(OUTPUTS) + 1
    interventions = (rows - 1) // per_intervention
    measures = rows - 1 - interventions * per_intervention
    with session_scope() as session:
        source = Source(key="bench", publisher="bench", title="bench", licence="-")
        session.add(source)
        session.flush()
        area = Area(code="E23000003", name="Lancashire", level="pfa", is_vru=True)
        session.add(area)
        session.flush()
        ws = Workstream(
            vru_area_id=area.id,
            name="Benchmark",
            purpose="-",
            lead_role="-",
            source_id=source.id,
        )
        session.add(ws)
        session.flush()
        session.execute(
            insert(Intervention),
            [
                {
                    "vru_area_id": area.id,
                    "name": f"Intervention {i}",
                    "tier": "secondary",
                    "workstream_id": ws.id,
                    "delivering_area_id": area.id,
                    "source_id": source.id,
                }
                for i in range(interventions)
            ],
        )
        for m in range(measures):
            measure = Measure(
                code=f"bench_{m}",
                name=f"Bench {m}",
                definition="-",
                unit="people",
                polarity="no_judgement",
                category="output",
                period_type="quarter",
                ci_method="none",
                source_id=source.id,
            )
            session.add(measure)
            session.flush()
            session.add(WorkstreamMeasure(workstream_id=ws.id, measure_id=measure.id))
        ws_id = ws.id
        first = session.query(Intervention.id).order_by(Intervention.id).first()[0]
    header = ["record", "period", "area_code", "intervention_id", "code"]
    header += ["age_band", "unit", "value"]
    lines = [header]
    for i in range(first, first + interventions):
        for code, band, unit in OUTPUTS:
            lines.append(["output", LABEL, "E23000003", i, code, band, unit, 3])
    for i in range(first, first + interventions):
        lines.append(["spend", LABEL, "E23000003", i, "", "all", "£", "1,000.50"])
    lines.append(
        [
            "spend",
            LABEL,
            "E23000003",
            "TOTAL",
            "",
            "all",
            "£",
            f"{1000.5 * interventions:.2f}",
        ]
    )
    for m in range(measures):
        lines.append(
            ["measure", LABEL, "E23000003", "", f"bench_{m}", "all", "people", 5]
        )
    assert len(lines) - 1 == rows
    csv_text = "\r\n".join(
        ",".join(f'"{c}"' if "," in str(c) else str(c) for c in line) for line in lines
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Return")
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return ws_id, csv_text.encode("utf-8"), out.getvalue()


def _timed(url: str, ws_id: int, content: bytes, name: str, queue) -> None:  # noqa: ANN001
    os.environ["DATABASE_URL"] = url
    from data_access.db import reset_engine
    from data_access.returns import uploads, workflow
    from data_access.scope import Scope

    reset_engine()
    scope = Scope(role="admin", actor="benchmark")
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = uploads.upload_return(
        scope=scope,
        workstream_id=ws_id,
        period_start=PERIOD,
        content=content,
        filename=name,
        today=dt.date(2026, 1, 1),
    )
    validated = time.perf_counter()
    assert result.accepted, result.problems[:5]
    workflow.submit_return(scope=scope, submission_id=result.submission_id)
    workflow.approve_return(scope=scope, submission_id=result.submission_id)
    done = time.perf_counter()
    cpu = time.process_time() - cpu_started
    queue.put((result.rows, validated - started, done - validated, done - started, cpu))


def run(url: str, rows: int, formats: list[str]) -> list[dict]:
    from data_access import migrate
    from data_access.db import reset_engine

    os.environ["DATABASE_URL"] = url
    reset_engine()
    migrate.upgrade()
    ws_id, csv_bytes, xlsx_bytes = seed(rows)
    reset_engine()
    results = []
    for fmt in formats:
        content = csv_bytes if fmt == "csv" else xlsx_bytes
        os.environ["UPLOAD_MAX_BYTES"] = str(max(len(content) + 1, 10 * 1024 * 1024))
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(
            target=_timed, args=(url, ws_id, content, f"bench.{fmt}", queue)
        )
        child.start()
        measured = queue.get()
        child.join()
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results.append(
            {
                "format": fmt,
                "bytes": len(content),
                "rows": measured[0],
                "upload_s": measured[1],
                "approve_s": measured[2],
                "total_s": measured[3],
                "cpu_s": measured[4],
                "peak_mib": peak_kib / 1024,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    formats = args.formats.split(",")
    os.environ.setdefault("CACHE_TYPE", "NullCache")
    cleanup = None
    if args.database_url and args.database_url.startswith("postgres"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        base = make_url(
            args.database_url.replace("postgresql://", "postgresql+psycopg://")
        )
        name = f"{base.database}_returns_bench_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)

        def cleanup():
            from data_access.db import reset_engine

            reset_engine()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        engine_name = "PostgreSQL"
    else:
        tmp = tempfile.mkdtemp(prefix="returns-bench-")
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        engine_name = "SQLite"
    try:
        results = run(url, args.rows, formats)
    finally:
        if cleanup:
            cleanup()
    load = os.getloadavg()[0]
    print(
        f"{engine_name}: {args.rows:,}-row return, validated and committed "
        f"({os.cpu_count()} CPUs, load average {load:.1f})"
    )
    for r in results:
        verdict = "OK" if r["total_s"] < 20 and r["peak_mib"] < 1024 else "OVER TARGET"
        print(
            f"  {r['format']:<5} {r['bytes'] / 1_048_576:5.1f} MB  rows {r['rows']:,}  "
            f"upload+validate {r['upload_s']:.1f} s  submit+approve "
            f"{r['approve_s']:.1f} s  total {r['total_s']:.1f} s "
            f"(CPU {r['cpu_s']:.1f} s)  "
            f"peak {r['peak_mib']:.0f} MiB  {verdict}"
        )


if __name__ == "__main__":
    main()
