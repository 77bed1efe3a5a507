"""Mutation testing of the access, cache, disclosure and returns-validation code.

    .venv/bin/python -m tools.mutate                 # every target, every mutant
    .venv/bin/python -m tools.mutate --target scope  # one target
    .venv/bin/python -m tools.mutate --target disclosure --sample 100  # a sample
    .venv/bin/python -m tools.mutate --target returns_validator --sample 150 \
        --minutes 40  # a sample, stopped after 40 minutes
    .venv/bin/python -m tools.mutate --list          # the mutants, not run
    .venv/bin/python -m tools.mutate --list --keys   # their EQUIVALENT keys

Each mutant is one small change a slip of the keyboard could make: a comparison
flipped or loosened (== / !=, < / <=, in / not in, is / is not), `and` for `or`,
a `not` dropped, True for False, a whole number off by one, a condition forced
true or false, a raise or a return value removed, an element dropped from a
literal list or tuple (e.g. one part of a cache key). The mutant is applied to a
scratch copy of the repository (the working tree is never touched) and only the
test files that guard that module run against it. A mutant is killed when they
fail (or run past the time limit); it survived when they pass. The report gives
the kill rate per target and every survivor with its line, so it can be killed
with a test or explained as harmless.

Fast enough to finish (tools/mutate_runner.py): the target's tests run once,
traced, to learn which tests run each line and how long each takes; then each
mutant runs first only the tests that run its line, the likeliest killers first
(those that killed most mutants so far, then the quickest), with -x, in a fork of
a process that has already imported the project (the mutant is patched into the
live functions; a mutant in code that runs at import gets a fresh interpreter).
A killed mutant costs one failing test; only a survivor then runs the rest of
the target's tests (`--no-confirm` skips that: quicker, and it can only understate
the kill rate). `--sample N` runs N mutants per target drawn at random (`--seed`)
and reports the kill rate with its Wilson 95% interval and how long all of them
would take. `--minutes M` starts no mutant after M minutes; a sample runs in the
order drawn, so a run stopped that way has still run a random sample. Mutants in
EQUIVALENT (below: each shown to change nothing observable, with the reason) are
not run and not in the kill rate; the report lists them.

Not part of CI. Set TEST_REDIS_URL (and TEST_DATABASE_URL, for a slower run) to
include the Redis (and PostgreSQL) cases.
"""

from __future__ import annotations

import argparse
import ast
import copy
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.mutate_runner import (
    Run,
    Unpatchable,
    import_project,
    patch_functions,
    run_pytest,
    warm_up,
)

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()  # only these functions (all when empty)


TARGETS = (
    Target(
        "scope",
        "data_access/scope.py",
        (
            "tests/test_web_access.py",
            "tests/data_access/test_private_reads.py",
            "tests/data_access/test_boundaries.py",
            "tests/data_access/test_store.py",
            "tests/data_access/test_returns.py",
        ),
    ),
    Target(
        "access",
        "web/access.py",
        ("tests/test_web_access.py", "tests/test_cache_isolation.py"),
    ),
    Target(
        "view_cache",
        "web/view_cache.py",
        ("tests/test_cache_isolation.py", "tests/test_view_cache.py"),
    ),
    Target(
        "response_cache",
        "web/response_cache.py",
        (
            "tests/test_cache_isolation.py",
            "tests/test_response_cache.py",
            "tests/test_warm_callbacks.py",
        ),
    ),
    Target(
        "warm_callbacks",
        "web/warm_callbacks.py",
        ("tests/test_warm_callbacks.py", "tests/test_view_cache.py"),
    ),
    Target(
        "disclosure",
        "data_access/disclosure.py",
        (
            "tests/data_access/test_disclosure.py",
            "tests/data_access/test_boundaries.py",
        ),
    ),
    Target(
        "disclosure_secondary",
        "data_access/secondary_suppression.py",
        (
            "tests/data_access/test_disclosure.py",
            "tests/data_access/test_boundaries.py",
        ),
    ),
    Target(
        "returns_validator",
        "data_access/returns/validator.py",
        ("tests/data_access/test_returns.py",),
        # The validator: the table's loop and one validator per record type.
        functions=(
            "validate_return",
            "_validate_table",
            "_check_header",
            "_check_period",
            "_count",
            "_intervention",
            "_check_output",
            "_check_spend",
            "_check_measure",
            "_check_totals",
            "_number",
        ),
    ),
)

# Mutants that change nothing any caller can observe, reviewed one by one. Keyed by
# Mutant.key: target, enclosing function, the source line the node starts on, kind
# and the node's text as `--list` prints it (not by line number: lines move), each
# with the reason. They are not run: the report lists
# them and gives the kill rate of the other mutants (and the raw one). An entry
# that matches no mutant any more is reported as stale, so a change to the code
# re-opens the question.
_KEEP = "cache.set(key, gzip.compress(response.get_data(), 6, mtime=0))"
_ZIP = "_key_tuples({0}, group_cols), {0}[TOTAL_OVER], strict=True"
EQUIVALENT: dict[tuple[str, str, str, str, str], str] = {
    **{
        ("warm_callbacks", "", "MAX_BODY_BYTES = 256 * 1024", "constant + 1", n): (
            "a larger bound for the bodies read in front (257 x 1024 or 256 x 1025 "
            "bytes): the tests follow the constant, as they should; Dash callback "
            "bodies are a few KB, and a larger one is only read, then Flask answers"
        )
        for n in ("256", "1024")
    },
    ("view_cache", "init_view_cache._keep_answer", _KEEP, "constant + 1", "6"): (
        "gzip level 7 for 6: other compressed bytes, the same answer once "
        "decompressed (clients and the cache's own hits get identical JSON)"
    ),
    ("view_cache", "init_view_cache._keep_answer", _KEEP, "constant + 1", "0"): (
        "gzip header mtime 1 for 0: any fixed value keeps stored answers "
        "byte-identical across processes; the header's mtime is ignored on reading"
    ),
    (
        "disclosure",
        "_with_totals",
        _ZIP.format("expected"),
        "negate constant",
        "True",
    ): (
        "zip(strict=False): both sequences come from the same frame, one row key "
        "per row (_key_tuples), so their lengths are always equal"
    ),
    (
        "disclosure",
        "_with_totals",
        _ZIP.format("supplied"),
        "negate constant",
        "True",
    ): (
        "zip(strict=False): both sequences come from the same frame, one row key "
        "per row (_key_tuples), so their lengths are always equal"
    ),
    (
        "returns_validator",
        "_number",
        "if isinstance(cell, int):",
        "condition false",
        "if isinstance(cell, int): return Decimal(cell)",
    ): (
        "a fast path: without it an int goes on to str(cell), which always matches "
        "_NUMBER (^[+-]?\\d+), and Decimal(str(n)) == Decimal(n) for every int"
    ),
    (
        "response_cache",
        "_key",
        'variant = "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") '
        'else "id"',
        "flip comparison",
        '"gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")',
    ): (
        "the two variants' labels swap ('id' for clients that accept gzip): still "
        "one key per variant, each only ever holding its own variant's answer"
    ),
}

_FLIPS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    target: Target
    index: int  # position of the node in the walk order
    kind: str
    line: int
    text: str  # the original source of the node, one line
    lines: tuple[int, int] = (0, 0)  # first and last line the mutation changes
    at_import: bool = False  # runs when the module is imported (not in a function)
    function: str = ""  # the innermost function (or class) holding it, dotted
    source_line: str = ""  # the node's first line, whitespace collapsed

    def describe(self) -> str:
        return f"{self.target.path}:{self.line} {self.kind}: {self.text}"

    def equivalence(self) -> str | None:
        """Why this mutant changes nothing a caller can observe, if it is listed
        in EQUIVALENT."""
        return EQUIVALENT.get(self.key)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """How EQUIVALENT names this mutant: stable when lines move, changed (so
        the entry goes stale) when the line it is on changes."""
        return (self.target.name, self.function, self.source_line, self.kind, self.text)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _scopes(tree: ast.Module, functions: tuple[str, ...]) -> list[ast.AST]:
    if not functions:
        return [tree]
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name in functions
    ]


def _annotations(tree: ast.AST) -> set[int]:
    """Nodes inside type annotations: changing them changes nothing at run time."""
    found = set()
    for node in ast.walk(tree):
        for field in ("annotation", "returns"):
            annotation = getattr(node, field, None)
            if isinstance(annotation, ast.AST):
                found |= {id(n) for n in ast.walk(annotation)}
    return found


def _nodes(tree: ast.Module, functions: tuple[str, ...]) -> list[ast.AST]:
    """Every node of the mutated region but annotations, in a stable order."""
    seen, ordered = _annotations(tree), []
    for scope in _scopes(tree, functions):
        for node in ast.walk(scope):
            if id(node) not in seen:
                seen.add(id(node))
                ordered.append(node)
    return ordered


def _kinds(node: ast.AST, docstrings: set[int]) -> list[str]:
    """The mutations that apply to `node`."""
    kinds = []
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _FLIPS:
        kinds.append("flip comparison")
    if isinstance(node, ast.BoolOp):
        kinds.append("swap and/or")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        kinds.append("drop not")
    if isinstance(node, ast.Constant) and id(node) not in docstrings:
        if isinstance(node.value, bool):
            kinds.append("negate constant")
        elif isinstance(node.value, int):
            kinds.append("constant + 1")
    if isinstance(node, ast.If | ast.While | ast.IfExp):
        kinds += ["condition true", "condition false"]
    if isinstance(node, ast.Raise):
        kinds.append("drop raise")
    if isinstance(node, ast.Return) and not (
        node.value is None
        or (isinstance(node.value, ast.Constant) and node.value.value is None)
    ):
        kinds.append("return None")
    if isinstance(node, ast.List | ast.Tuple) and len(node.elts) >= 2:
        if isinstance(node.ctx, ast.Load):
            kinds += [f"drop element {i}" for i in range(len(node.elts))]
    return kinds


def _in_functions(tree: ast.AST) -> set[int]:
    """Nodes in a function's body: they run when it is called, not at import
    (decorators and default values run at import)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                found |= {id(n) for n in ast.walk(statement)}
    return found


def _holders(tree: ast.AST) -> dict[int, str]:
    """Each node's innermost enclosing function or class, dotted ("" at module
    level). A decorator or a default value belongs to the scope around the
    definition, only the body to the definition itself."""
    found: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        found[id(node)] = name
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = f"{name}.{node.name}" if name else node.name
            for child in ast.iter_child_nodes(node):
                in_body = any(child is statement for statement in node.body)
                visit(child, inner if in_body else name)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, name)

    visit(tree, "")
    return found


def mutants(target: Target, base: Path = ROOT) -> list[Mutant]:
    source = (base / target.path).read_text()
    tree = ast.parse(source)
    docstrings, in_functions = _docstrings(tree), _in_functions(tree)
    holders, source_lines = _holders(tree), source.splitlines()
    found = []
    for index, node in enumerate(_nodes(tree, target.functions)):
        for kind in _kinds(node, docstrings):
            text = ast.get_source_segment(source, node) or ""
            changed = node.test if kind.startswith("condition") else node
            found.append(
                Mutant(
                    target,
                    index,
                    kind,
                    node.lineno,
                    " ".join(text.split())[:90],
                    (changed.lineno, changed.end_lineno or changed.lineno),
                    id(node) not in in_functions,
                    holders.get(id(node), ""),
                    " ".join(source_lines[node.lineno - 1].split()),
                )
            )
    return found


def stale_equivalences(found: dict[str, list[Mutant]]) -> list[tuple]:
    """EQUIVALENT entries of the given targets that match none of their mutants."""
    keys = {m.key for listed in found.values() for m in listed}
    return sorted(k for k in EQUIVALENT if k[0] in found and k not in keys)


class _Replace(ast.NodeTransformer):
    def __init__(self, old: ast.AST, new: ast.AST | None):
        self.old, self.new = old, new

    def generic_visit(self, node):
        if node is self.old:
            return self.new
        return super().generic_visit(node)

    def visit(self, node):
        if node is self.old:
            return self.new
        return super().visit(node)


def mutated_source(mutant: Mutant, base: Path = ROOT) -> str:
    """The module with `mutant` applied, from the copy in `base` (the one the
    mutants were listed from: the working tree may change during a run)."""
    tree = ast.parse((base / mutant.target.path).read_text())
    node = _nodes(tree, mutant.target.functions)[mutant.index]
    kind = mutant.kind
    new: ast.AST | None = copy.copy(node)
    if kind == "flip comparison":
        new.ops = [_FLIPS[type(node.ops[0])](), *node.ops[1:]]
    elif kind == "swap and/or":
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "drop not":
        new = node.operand
    elif kind == "negate constant":
        new.value = not node.value
    elif kind == "constant + 1":
        new.value = node.value + 1
    elif kind in ("condition true", "condition false"):
        new.test = ast.Constant(kind == "condition true")
    elif kind == "drop raise":
        new = ast.Pass()
    elif kind == "return None":
        new.value = ast.Constant(None)
    elif kind.startswith("drop element"):
        drop = int(kind.rsplit(" ", 1)[1])
        new.elts = [e for i, e in enumerate(node.elts) if i != drop]
    tree = _Replace(node, new).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


def _scratch_copy() -> Path:
    """The tracked files of the repository (and the venv link) in a scratch dir."""
    scratch = Path(tempfile.mkdtemp(prefix="vru-mutate-"))
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            destination = scratch / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return scratch


def _load_shipped_once(scratch: Path) -> Path:
    """The shipped data in an SQLite file, loaded once for every run (tests that
    use the loaded store copy it: tests/conftest.py, VRU_TEST_LOADED_SQLITE)."""
    path = scratch / "loaded.sqlite3"
    script = (
        "from data_access import db, migrate\n"
        "from data_access.shipped import load_shipped_data\n"
        "migrate.upgrade()\n"
        "with db.session_scope() as session:\n"
        "    load_shipped_data(session)\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=scratch,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
        capture_output=True,
    )
    return path


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion (Wilson 1927; Newcombe 1998,
    Stat Med 17:857, method 3): killed of n sampled mutants -> the kill rate of
    all of them lies in (low, high) with 95% confidence."""
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


class _Tests:
    """A target's tests: which run each line, how long each takes, which kill."""

    def __init__(self, target: Target, baseline: Run, ran_here: set[int] | None):
        self.target = target
        self.nodeids = baseline.nodeids
        self.durations = baseline.durations
        self.by_line: dict[int, set[str]] = {}
        for nodeid, lines in baseline.lines.items():
            for line in lines:
                self.by_line.setdefault(line, set()).add(nodeid)
        # Lines that ran outside any test, or in this process (importing the
        # project): a mutant there is only seen by a fresh interpreter.
        self.import_lines = set(baseline.import_lines) | (ran_here or set())
        self.kills: dict[str, int] = {}
        self.hot = False  # the project is imported here, mutants can be patched in

    def covering(self, mutant: Mutant) -> list[str]:
        """The tests that run the mutant's lines, likeliest killers first (those
        that killed most mutants so far, then the quickest)."""
        if self.at_import(mutant):
            return self._ordered(set(self.nodeids))
        first, last = mutant.lines
        found = set().union(*(self.by_line.get(n, ()) for n in range(first, last + 1)))
        return self._ordered(found)

    def at_import(self, mutant: Mutant) -> bool:
        """Whether the mutant's lines run while the tests are imported (module
        level, or a function the import calls, e.g. a decorator): then every test
        can see it, and only a fresh interpreter can."""
        first, last = mutant.lines
        return mutant.at_import or any(first <= n <= last for n in self.import_lines)

    def rest(self, ran: list[str]) -> list[str]:
        return self._ordered(set(self.nodeids) - set(ran))

    def _ordered(self, nodeids: set[str]) -> list[str]:
        return sorted(
            nodeids,
            key=lambda n: (-self.kills.get(n, 0), self.durations.get(n, 0.0), n),
        )

    def run(self, scratch: Path, nodeids: list[str], env: dict, patch) -> Run:
        files = list(dict.fromkeys(n.split("::")[0] for n in nodeids))
        expected = sum(self.durations.get(n, 0.0) for n in nodeids)
        run = run_pytest(
            scratch,
            files,
            target=self.target.path,
            order=nodeids,
            timeout=60 + 3 * expected,
            env=env,
            patch=patch,
            fresh=patch is None,
        )
        if run.first_failure:
            self.kills[run.first_failure] = self.kills.get(run.first_failure, 0) + 1
        return run


def _try(mutant: Mutant, tests: _Tests, scratch: Path, env: dict, confirm: bool):
    """(outcome, seconds, what decided it) for one mutant.

    A mutant in a function body is patched into the live functions of a fork of
    this process (which has imported the project); one that runs at import (or
    cannot be patched) is written into the scratch copy for a fresh interpreter."""
    source = mutated_source(mutant, scratch)
    patch = None
    if tests.hot and not tests.at_import(mutant):
        try:
            patch_functions(str(scratch / mutant.target.path), source, apply=False)
            patch = source
        except Unpatchable:
            pass
    original = (scratch / mutant.target.path).read_text()
    if patch is None:
        (scratch / mutant.target.path).write_text(source)
        _drop_bytecode(scratch, mutant.target)
    try:
        return _run_mutant(mutant, tests, scratch, env, confirm, patch)
    finally:
        if patch is None:
            (scratch / mutant.target.path).write_text(original)
            _drop_bytecode(scratch, mutant.target)


def _run_mutant(mutant, tests, scratch, env, confirm, patch):
    covering = tests.covering(mutant)
    seconds, runs = 0.0, []
    if covering:
        runs.append(covering)
    if confirm:
        rest = tests.rest(covering)
        if rest:
            runs.append(rest)
    if not runs:
        return "survived", 0.0, "no test runs this line"
    for nodeids in runs:
        run = tests.run(scratch, nodeids, env, patch)
        seconds += run.seconds
        if run.outcome == "timeout":
            return "killed (timeout)", seconds, f"{len(nodeids)} tests"
        if run.outcome == "error":
            return "killed (error)", seconds, run.first_failure or "collection"
        if run.outcome == "failed":
            return "killed", seconds, run.first_failure or "?"
    ran = sum(len(r) for r in runs)
    return "survived", seconds, f"{len(covering)} tests run the line, {ran} run"


def _hot_baseline(tests: _Tests, scratch: Path, env: dict) -> bool:
    """Whether the tests pass with the unchanged module patched into a fork of
    this process (which has imported the project): then mutants can be too."""
    source = ast.unparse(ast.parse((scratch / tests.target.path).read_text()))
    try:
        patch_functions(str(scratch / tests.target.path), source, apply=False)
        return tests.run(scratch, tests.nodeids, env, source).outcome == "passed"
    except Unpatchable:
        return False


def _drop_bytecode(scratch: Path, target: Target) -> None:
    """A mutant and the next can share a size and a second of mtime: never let
    Python reuse the last one's compiled file."""
    module = scratch / target.path
    for cached in (module.parent / "__pycache__").glob(module.stem + ".*.pyc"):
        cached.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", choices=[t.name for t in TARGETS])
    parser.add_argument("--list", action="store_true", help="list mutants only")
    parser.add_argument(
        "--keys",
        action="store_true",
        help="with --list: each mutant's key, as an EQUIVALENT entry names it",
    )
    parser.add_argument(
        "--sample",
        type=int,
        help="run only this many mutants per target, drawn at random (--seed)",
    )
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument(
        "--only",
        help="run only the (sampled) mutants on these lines, e.g. 87,113: "
        "re-run a previous run's survivors after adding tests",
    )
    parser.add_argument(
        "--no-confirm",
        action="store_true",
        help="a mutant that the tests running its line do not kill is a survivor "
        "without running the rest of the target's tests (quicker; can only "
        "understate the kill rate)",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        help="start no mutant after this many minutes (per run) and report those "
        "run; with --sample they ran in the order drawn, so they are still a "
        "random sample",
    )
    args = parser.parse_args(argv)
    deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    # A stopped run still removes its scratch copy (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = _scratch_copy()
    if not args.list:
        _load_shipped_once(scratch)
    env = {"VRU_TEST_LOADED_SQLITE": str(scratch / "loaded.sqlite3")}
    totals: dict[str, tuple[int, int, int, float]] = {}
    ran_here: dict[str, set[int]] = {}  # project lines run in this process
    survivors: list[str] = []
    listed: dict[str, list[Mutant]] = {}
    equivalent: list[Mutant] = []
    in_line_order: set[str] = set()  # stopped by --minutes before a full run
    try:
        for target in targets:
            listed[target.name] = mutants(target, scratch)
            # Equivalent mutants are never run: the kill rate (and a sample) is
            # of the others.
            everyone = [m for m in listed[target.name] if not m.equivalence()]
            found = everyone
            if args.sample and len(found) > args.sample:
                # In the order drawn: a run stopped by --minutes has still run a
                # random sample.
                found = random.Random(args.seed).sample(found, args.sample)
            lines = {int(n) for n in args.only.split(",")} if args.only else None
            if lines is not None:
                found = [m for m in found if m.line in lines]
            equivalent += [
                m
                for m in listed[target.name]
                if m.equivalence() and (lines is None or m.line in lines)
            ]
            if args.list:
                for m in found:
                    print(repr(m.key) if args.keys else m.describe())
                continue
            baseline = run_pytest(
                scratch,
                list(target.tests),
                target=target.path,
                order=None,
                timeout=3600,
                env=env,
                trace=True,
                fresh=True,  # sees the module's import, whatever ran before
            )
            if baseline.outcome != "passed":
                print(
                    f"{target.name}: its tests fail on the unchanged code "
                    f"({baseline.outcome}, {baseline.first_failure}; see "
                    f"{scratch / '.mutate-run.log'})",
                    flush=True,
                )
                return 2
            warm_up(baseline.modules)
            import_project(baseline.project_modules, scratch, env, ran_here)
            tests = _Tests(target, baseline, ran_here.get(str(scratch / target.path)))
            tests.hot = _hot_baseline(tests, scratch, env)
            print(
                f"{target.name}: {len(baseline.nodeids)} tests, baseline "
                f"{baseline.seconds:.0f} s traced; {len(found)} of "
                f"{len(everyone)} mutants; patched into a warm process: "
                f"{'yes' if tests.hot else 'no'}",
                flush=True,
            )
            killed, started, done = 0, time.monotonic(), 0
            for number, mutant in enumerate(found, 1):
                if deadline is not None and time.monotonic() > deadline:
                    print(f"[{target.name}] --minutes reached", flush=True)
                    break
                done = number
                outcome, seconds, why = _try(
                    mutant, tests, scratch, env, not args.no_confirm
                )
                killed += outcome != "survived"
                if outcome == "survived":
                    survivors.append(f"{mutant.describe()}  [{why}]")
                print(
                    f"[{target.name} {number}/{len(found)}] {outcome} "
                    f"({seconds:.1f} s; {why}): {mutant.describe()}",
                    flush=True,
                )
            took = time.monotonic() - started
            if done < len(found) and not args.sample:
                in_line_order.add(target.name)  # not a random sample
            totals[target.name] = (killed, done, len(everyone), took)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if equivalent:
        print("\nEquivalent (listed in tools/mutate.py EQUIVALENT, not run):")
        for m in equivalent:
            print(f"  {m.describe()}  [{m.equivalence()}]")
    for key in stale_equivalences(listed):
        print(f"\nStale EQUIVALENT entry (matches no mutant; review it): {key}")
    if args.list:
        return 0
    print("\nKill rate per target:")
    for name, (killed, n, population, took) in totals.items():
        line = f"  {name:18} {killed:4}/{n:<4} {100 * killed / max(n, 1):5.1f}%"
        if args.only:
            line += f"  (only the mutants on lines {args.only}: not a kill rate)"
        elif name in in_line_order:
            line += (
                f"  (stopped by --minutes after {n} of {population} mutants in line "
                "order: not the target's kill rate)"
            )
        elif n < population:
            low, high = wilson(killed, n)
            line += (
                f"  (random sample of {n} of {population} mutants, seed "
                f"{args.seed}; Wilson 95% interval {100 * low:.1f}-{100 * high:.1f}%)"
            )
        skipped = sum(1 for m in equivalent if m.target.name == name)
        if skipped and not args.only:
            line += (
                f"  (+{skipped} equivalent, not run; counting them as survivors: "
                f"{100 * killed / max(n + skipped, 1):.1f}%)"
                if n == population
                else f"  (+{skipped} equivalent, not run)"
            )
        per = took / max(n, 1)
        line += f"  {took / 60:.1f} min, {per:.1f} s a mutant"
        if n < population and not args.only:
            line += f"; all {population}: about {per * population / 60:.0f} min"
        print(line)
    if len(totals) > 1 and not args.sample:
        all_killed = sum(t[0] for t in totals.values())
        all_found = sum(t[1] for t in totals.values())
        print(
            f"  {'all':18} {all_killed:4}/{all_found:<4} "
            f"{100 * all_killed / max(all_found, 1):5.1f}%"
        )
    print("\nSurvivors:" if survivors else "\nNo survivors.")
    for line in survivors:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
