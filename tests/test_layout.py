"""The package layout: imports run one way (no cycle among kg's modules), modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parent.parent / "kg"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The kg modules `path` imports anywhere in it (lazy imports inside functions included,
    `if TYPE_CHECKING:` blocks left out: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    this = module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{this}: kg imports by absolute name"
            base = node.module or ""
            # `from kg import graph` imports the module kg.graph; `from kg.cli import app`
            # imports a name of kg.cli's __init__, which is an import of kg.cli itself.
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known and name != this}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(KG.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, known) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first = last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_module_of_kg_imports_one_that_imports_it():
    graph = import_graph()
    assert "kg.cli.build" in graph["kg.cli"], "the import walk sees the CLI's command modules"
    # A package's __init__ importing its own modules is how a package is made; a module
    # importing its package's __init__ back is the circle this test is about.
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


@pytest.mark.parametrize("path", sorted(KG.rglob("*.py")), ids=lambda p: module_name(p))
def test_modules_and_classes_stay_small(path: Path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 440, f"{module_name(path)} has {lines} lines: split it by what it does"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno
            assert size <= 220, f"{module_name(path)}.{node.name} has {size} lines"


def test_every_package_says_what_enters_and_what_leaves():
    for init in sorted(KG.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.split()) >= 20, f"{module_name(init)} needs a docstring saying what it does"
