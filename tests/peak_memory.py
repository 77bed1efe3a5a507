"""The peak memory of a child interpreter, for tests that hold a reader to a
memory ceiling.

The peak is read inside the child from /proc/self/status (VmHWM, the high-water
mark of the child's own address space), not from getrusage: Linux carries
ru_maxrss across exec, so a child started by a pytest process that has grown to
700 MB reports 700 MB whatever it did itself (this made the ceiling tests fail in
the full suite only)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PEAK_MIB_SOURCE = (
    "peak = next(int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')) / 1024\n"
)


def read_in_child(*, setup: str, body: str, refusal: str) -> dict:
    """Run `setup` then `body` (indented under a try) in a fresh interpreter in
    the project folder; returns {'refused': the text of a `refusal` exception or
    None, 'peak_mib': the child's peak resident memory in MiB}."""
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    script = (
        f"import json\n{setup}\nrefused = None\ntry:\n{indented}"
        f"except {refusal} as error:\n    refused = str(error)\n"
        + PEAK_MIB_SOURCE
        + "print(json.dumps({'refused': refused, 'peak_mib': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
