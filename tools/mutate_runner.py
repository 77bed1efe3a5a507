"""How tools.mutate runs pytest against a mutant, cheaply.

Most of a small pytest run is start-up: importing pytest, its plugins (hypothesis,
schemathesis), dash, SQLAlchemy and the rest takes seconds before the first test.
So each run is a `fork()` of a warm process that has already imported every
third-party module the target's tests use (learnt from the baseline run) and none
of the project's own modules: the child imports the project, mutant included,
from the scratch copy, runs pytest in the same process, and exits.

The child's pytest runs exactly the tests it is given, in the order given (the
plugin below deselects the rest and sorts), with `-x`: when the tests most likely
to kill a mutant come first, a killed mutant costs the time of one failing test.
The baseline run also records, for every test, which lines of the target module it
executed (sys.settrace, this process and its threads) and how long it took: the
tests that run a mutant's line are the only ones that can see it (a mutant on a
line that runs at import reaches every test, tools.mutate says which).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import types
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

UNPATCHABLE = 97  # the child's exit code when a mutant could not be patched in
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "--tb=line")


@dataclass
class Run:
    outcome: str  # "passed", "failed", "error", "timeout"
    seconds: float
    first_failure: str | None = None
    nodeids: list[str] = field(default_factory=list)  # collected and kept
    durations: dict[str, float] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)  # nodeid -> lines
    import_lines: list[int] = field(default_factory=list)  # run outside any test
    modules: list[str] = field(default_factory=list)  # third-party, imported
    project_modules: list[str] = field(default_factory=list)  # in import order


class _Plugin:
    """Runs `order` (node ids) in that order; records what happened to `out`."""

    def __init__(self, order, trace_file, out, scratch):
        self.order = order
        self.trace_file = trace_file
        self.out = out
        self.scratch = scratch
        self.current = ""  # node id of the test running, "" outside tests
        self.first_failure = None
        self.nodeids: list[str] = []
        self.durations: dict[str, float] = defaultdict(float)
        self.lines: dict[str, set[int]] = defaultdict(set)
        if trace_file:
            sys.settrace(self._global)
            threading.settrace(self._global)

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename == self.trace_file:
            self.lines[self.current].add(frame.f_lineno)
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines[self.current].add(frame.f_lineno)
        return self._local

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        if self.order is not None:
            rank = {nodeid: i for i, nodeid in enumerate(self.order)}
            kept = sorted(
                (i for i in items if i.nodeid in rank), key=lambda i: rank[i.nodeid]
            )
            dropped = [i for i in items if i.nodeid not in rank]
            items[:] = kept
            if dropped:
                config.hook.pytest_deselected(items=dropped)
        self.nodeids = [i.nodeid for i in items]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.current = item.nodeid
        yield
        self.current = ""

    def pytest_runtest_logreport(self, report):
        self.durations[report.nodeid] += report.duration
        if report.failed and self.first_failure is None:
            self.first_failure = report.nodeid

    def pytest_unconfigure(self, config):
        sys.settrace(None)
        threading.settrace(None)
        loaded = list(sys.modules.items())
        modules = [n for n, m in loaded if not _project(m, self.scratch)]
        project = [n for n, m in loaded if _project(m, self.scratch)]
        lines = {k: sorted(v) for k, v in self.lines.items()}
        Path(self.out).write_text(
            json.dumps(
                {
                    "first_failure": self.first_failure,
                    "nodeids": self.nodeids,
                    "durations": dict(self.durations),
                    "import_lines": lines.pop("", []),
                    "lines": lines,
                    "modules": modules,
                    "project_modules": project,
                }
            )
        )


def _project(module, scratch: str) -> bool:
    return str(getattr(module, "__file__", None) or "").startswith(scratch)


class Unpatchable(Exception):
    """The mutant cannot be given to live functions (run it in a fresh process)."""


def _compiled_functions(source: str, filename: str) -> dict[str, list]:
    found: dict[str, list] = {}
    stack = [compile(source, filename, "exec")]
    while stack:
        code = stack.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found.setdefault(const.co_qualname, []).append(const)
                stack.append(const)
    return found


def patch_functions(filename: str, source: str, *, apply: bool = True) -> int:
    """Give every live function defined in `filename` the code of the same
    function compiled from `source` (the module with a mutant in a function body).

    Replacing `__code__` in place reaches every reference: names imported with
    `from module import f`, methods, properties, closures already made (e.g. a
    Flask hook registered when the app was built). Unpatchable when a live
    function has no single counterpart or the mutant changed its closure."""
    compiled = _compiled_functions(source, filename)
    functions = [
        f
        for f in gc.get_objects()
        if isinstance(f, types.FunctionType) and f.__code__.co_filename == filename
    ]
    for function in functions:
        code = compiled.get(function.__code__.co_qualname, [])
        if len(code) != 1 or code[0].co_freevars != function.__code__.co_freevars:
            raise Unpatchable(function.__code__.co_qualname)
    if apply:
        for function in functions:
            function.__code__ = compiled[function.__code__.co_qualname][0]
    return len(functions)


def import_project(
    modules: list[str], scratch: Path, env: dict[str, str], ran: dict[str, set[int]]
) -> dict[str, set[int]]:
    """Import the project's modules a run used (in its order), from `scratch`, in
    this process: forked runs then only patch the mutated functions. Adds to `ran`
    the lines of each project file that ran here (filename -> line numbers): a
    mutant there (e.g. in a function the import calls) would come too late for a
    fork of this process."""
    os.chdir(scratch)
    here = {"", ".", str(Path(__file__).resolve().parents[1])}
    sys.path[:] = [str(scratch)] + [p for p in sys.path if p not in here]
    os.environ.update(env)
    prefix = str(scratch) + os.sep

    def tracer(frame, event, arg):
        if frame.f_code.co_filename.startswith(prefix):
            ran.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
            return local
        return None

    def local(frame, event, arg):
        if event == "line":
            ran.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
        return local

    sys.settrace(tracer)
    threading.settrace(tracer)
    try:
        for name in modules:
            if name not in sys.modules:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - the child imports it, or fails
                    pass
    finally:
        sys.settrace(None)
        threading.settrace(None)
    return ran


# Not warmed: the project's own packages (they are imported from the scratch copy,
# mutant included, in each child) and modules whose import has side effects.
_PROJECT = {"app", "settings", "data_access", "web", "pages", "components"}
_PROJECT |= {"tests", "tools", "conftest", "migrations", "benchmarks", "__main__"}


def warm_up(modules: list[str]) -> int:
    """Import the third-party modules a run used, so forked runs start warm."""
    warmed = 0
    for name in sorted(modules):
        if name.split(".")[0] in _PROJECT or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            warmed += 1
        except Exception:  # noqa: BLE001 - not warm then; the child imports it
            pass
    return warmed


def _child(spec: dict) -> int:
    """Run pytest as `spec` says, in this process (forked, or fresh)."""
    scratch = Path(spec["scratch"])
    fd = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(scratch)
    here = {"", ".", str(Path(__file__).resolve().parents[1])}
    sys.path[:] = [str(scratch)] + [p for p in sys.path if p not in here]
    os.environ.update(spec["env"])
    if spec.get("patch") is not None:
        try:
            patch_functions(str(scratch / spec["target"]), spec["patch"])
        except Unpatchable:
            return UNPATCHABLE
    plugin = _Plugin(
        spec["order"],
        str(scratch / spec["target"]) if spec.get("trace") else None,
        spec["out"],
        str(scratch) + os.sep,
    )
    return int(pytest.main([*PYTEST_ARGS, *spec["files"]], plugins=[plugin]))


def _wait(pid: int, deadline: float) -> int | None:
    """The child's exit code, or None when it ran past `deadline` (then killed)."""
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(raw)
            break
        if time.monotonic() > deadline:
            code = None
            break
        time.sleep(0.02)
    try:  # the child if it is still running, and anything it left behind
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if code is None:
        os.waitpid(pid, 0)
    return code


def run_pytest(
    scratch: Path,
    files: list[str],
    *,
    target: str,
    order: list[str] | None,
    timeout: float,
    env: dict[str, str],
    trace: bool = False,
    patch: str | None = None,
    fresh: bool = False,
) -> Run:
    """pytest `files` (only the node ids in `order`, in that order, when given)
    with `scratch` as working directory and first import path: in a fork of this
    process, its live functions of `target` given the code in `patch` when set, or
    (`fresh`) in a new interpreter that imports everything from the scratch copy."""
    spec = {
        "scratch": str(scratch),
        "files": files,
        "target": target,
        "order": order,
        "env": env,
        "trace": trace,
        "patch": patch,
        "out": str(scratch / ".mutate-run.json"),
        "log": str(scratch / ".mutate-run.log"),
    }
    out = Path(spec["out"])
    out.unlink(missing_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    if fresh:
        spec_file = scratch / ".mutate-spec.json"
        spec_file.write_text(json.dumps(spec))
        script = (
            "import json, os, sys\n"
            "from tools.mutate_runner import _child\n"
            f"os._exit(_child(json.loads(open({str(spec_file)!r}).read())))\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=Path(__file__).resolve().parents[1],
            start_new_session=True,
        )
        pid = process.pid
    else:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 3
            try:
                os.setpgid(0, 0)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = _child(spec)
            except BaseException:  # noqa: BLE001 - reported by the exit code
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
    status = _wait(pid, started + timeout)
    seconds = time.monotonic() - started
    if status is None:
        return Run("timeout", seconds)
    if status == UNPATCHABLE:
        raise Unpatchable(target)
    outcome = {0: "passed", 1: "failed", 5: "passed"}.get(status, "error")
    if not out.exists():
        return Run("error" if status else outcome, seconds)
    data = json.loads(out.read_text())
    return Run(
        outcome,
        seconds,
        first_failure=data["first_failure"],
        nodeids=data["nodeids"],
        durations=data["durations"],
        lines=data["lines"],
        import_lines=data["import_lines"],
        modules=data["modules"],
        project_modules=data["project_modules"],
    )
