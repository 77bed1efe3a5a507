"""Mutation testing of the access, cache, disclosure and returns-validation code.

    .venv/bin/python -m tools.mutate                 # every target, every mutant
    .venv/bin/python -m tools.mutate --target scope  # one target
    .venv/bin/python -m tools.mutate --list          # the mutants, not run

Each mutant is one small change a slip of the keyboard could make: a comparison
flipped or loosened (== / !=, < / <=, in / not in, is / is not), `and` for `or`,
a `not` dropped, True for False, a whole number off by one, a condition forced
true or false, a raise or a return value removed, an element dropped from a
literal list or tuple (e.g. one part of a cache key). The mutant is written into a
scratch copy of the repository (the working tree is never touched) and only the
test files that guard that module run against it, stopping at the first failure.
A mutant is killed when they fail (or run past the time limit); it survived when
they pass. The report gives the kill rate per target and every survivor with its
line, so it can be killed with a test or explained as harmless.

Not part of CI: a full run takes tens of minutes. Set TEST_REDIS_URL (and
TEST_DATABASE_URL, for a slower run) to include the Redis (and PostgreSQL) cases.
"""

from __future__ import annotations

import argparse
import ast
import copy
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
        ("tests/test_cache_isolation.py", "tests/test_response_cache.py"),
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
        "returns_validator",
        "data_access/returns.py",
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

    def describe(self) -> str:
        return f"{self.target.path}:{self.line} {self.kind}: {self.text}"


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


def mutants(target: Target, base: Path = ROOT) -> list[Mutant]:
    source = (base / target.path).read_text()
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for index, node in enumerate(_nodes(tree, target.functions)):
        for kind in _kinds(node, docstrings):
            text = ast.get_source_segment(source, node) or ""
            found.append(
                Mutant(
                    target,
                    index,
                    kind,
                    node.lineno,
                    " ".join(text.split())[:90],
                )
            )
    return found


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


def _run_tests(scratch: Path, tests: tuple[str, ...], timeout: float) -> str:
    present = [t for t in tests if (scratch / t).exists()]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    try:
        run = subprocess.run(
            [*command, *present],
            cwd=scratch,
            env={
                **os.environ,
                "VRU_TEST_LOADED_SQLITE": str(scratch / "loaded.sqlite3"),
            },
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    if run.returncode == 0:
        return "survived"
    if run.returncode == 1:
        return "killed"
    # 2-4: pytest could not even collect: the mutant broke the import.
    return "killed (error)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", choices=[t.name for t in TARGETS])
    parser.add_argument("--list", action="store_true", help="list mutants only")
    parser.add_argument(
        "--sample",
        type=int,
        help="run only this many mutants per target, drawn at random (--seed)",
    )
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    # A stopped run still removes its scratch copy (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = _scratch_copy()
    if not args.list:
        _load_shipped_once(scratch)
    totals: dict[str, list[int]] = {}
    survivors: list[str] = []
    try:
        for target in targets:
            found = mutants(target, scratch)
            if args.sample and len(found) > args.sample:
                found = sorted(
                    random.Random(args.seed).sample(found, args.sample),
                    key=lambda m: (m.line, m.index, m.kind),
                )
            if args.list:
                for m in found:
                    print(m.describe())
                continue
            started = time.monotonic()
            baseline = _run_tests(scratch, target.tests, timeout=1800)
            took = time.monotonic() - started
            if baseline != "survived":
                print(
                    f"{target.name}: its tests fail on the unchanged code", flush=True
                )
                return 2
            original = (scratch / target.path).read_text()
            killed = 0
            for number, mutant in enumerate(found, 1):
                (scratch / target.path).write_text(mutated_source(mutant, scratch))
                try:
                    outcome = _run_tests(
                        scratch, target.tests, timeout=max(60.0, 3 * took)
                    )
                finally:
                    (scratch / target.path).write_text(original)
                killed += outcome != "survived"
                if outcome == "survived":
                    survivors.append(mutant.describe())
                print(
                    f"[{target.name} {number}/{len(found)}] {outcome}: "
                    f"{mutant.describe()}",
                    flush=True,
                )
            totals[target.name] = [killed, len(found)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.list:
        return 0
    print("\nKill rate per target:")
    all_killed = sum(k for k, _ in totals.values())
    all_found = sum(n for _, n in totals.values())
    for name, (killed, found) in totals.items():
        print(f"  {name:18} {killed:4}/{found:<4} {100 * killed / max(found, 1):5.1f}%")
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
