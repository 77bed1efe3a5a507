"""tools/mutate.py: the statistics it reports and the way it applies a mutant to a
process that has already imported the module."""

from __future__ import annotations

import types

import pytest

from tools.mutate import EQUIVALENT, TARGETS, mutants, stale_equivalences, wilson
from tools.mutate_runner import Unpatchable, patch_functions


@pytest.mark.parametrize(
    ("killed", "n", "low", "high"),
    # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611)],
)
def test_the_interval_is_wilsons_as_newcombe_tabulates_it(killed, n, low, high):
    got = wilson(killed, n)
    assert got == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


def test_a_patched_function_changes_for_every_holder_of_it(tmp_path):
    """A mutant patched into a live function reaches names imported with `from`
    and closures made before the patch; a changed closure is refused."""
    path = str(tmp_path / "module.py")
    source = (
        "def limit():\n    return 7\n\n"
        "def maker():\n    n = 1\n"
        "    def inner():\n        return n\n    return inner\n"
    )
    module = types.ModuleType("module")
    exec(compile(source, path, "exec"), module.__dict__)
    held, inner = module.limit, module.maker()
    assert patch_functions(path, source.replace("return 7", "return 8")) >= 2
    assert held() == 8 and module.limit() == 8 and inner() == 1
    changed = source.replace("return n", "return 2")  # inner no longer a closure
    with pytest.raises(Unpatchable):
        patch_functions(path, changed, apply=False)


def test_every_equivalent_mutant_listed_is_still_a_mutant_of_its_target():
    """An EQUIVALENT entry names a mutant by target, enclosing function, kind and
    text; once the code changes so that it matches nothing, the entry must be
    reviewed again, not silently keep a mutant out of the kill rate."""
    listed = {t.name: mutants(t) for t in TARGETS if t.name in _equivalent_targets()}
    assert stale_equivalences(listed) == []
    for name, found in listed.items():
        matched = [m for m in found if m.equivalence()]
        keys = {k for k in EQUIVALENT if k[0] == name}
        assert len(matched) == len(keys), name  # one mutant per entry


def test_a_mutant_is_named_by_the_function_that_holds_it():
    """The function in an EQUIVALENT key: a nested function is dotted, a node at
    module level has none (a line number would move with every edit)."""
    view_cache = next(t for t in TARGETS if t.name == "view_cache")
    found = {(m.function, m.kind, m.text) for m in mutants(view_cache)}
    assert ("init_view_cache._keep_answer", "constant + 1", "6") in found
    assert ("_key", "negate constant", "True") in found
    assert ("_key", "drop element 0", "(AccessDenied, StoreUnavailable)") in found
    scope = next(t for t in TARGETS if t.name == "scope")
    # @dataclass(frozen=True) runs at module level, not in the class it makes.
    assert ("", "negate constant", "True") in {
        (m.function, m.kind, m.text) for m in mutants(scope)
    }


def _equivalent_targets() -> set[str]:
    return {k[0] for k in EQUIVALENT}
