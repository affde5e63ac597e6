"""The package layout is the architecture: no import cycles, and dependencies point down the data flow.

Every module of ``src/zhiku`` is parsed (not imported) and each ``import`` / ``from … import``
statement becomes an edge, wherever it sits: a function-level import is a dependency too, it
only runs later.  Imports under ``if TYPE_CHECKING:`` never run, so the runtime graph leaves them
out; a second check counts them too, because a type-only loop is still two modules that must be
read together (break it with a protocol owned by the lower module).  An import of a package does not add edges to its
parents' ``__init__`` modules (Python runs those first, whoever imports), so a module reached
through its package is not a cycle by itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "zhiku"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, *, typing_too: bool = False) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except (unless ``typing_too``) type-checker-only ones."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if not typing_too and isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The project modules one statement imports (``from pkg import sub`` names the submodule)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = module.split(".") if is_package else module.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    out = set()
    for name in names:
        while name and name not in known:  # "import zhiku.a.b.attr" style: the longest module prefix
            name = name.rpartition(".")[0]
        if name.startswith(PACKAGE) and name != module:
            out.add(name)
    return out


def import_graph(*, typing_too: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in _import_nodes(tree, typing_too=typing_too):
            edges |= _targets(name, path.name == "__init__.py", node, known)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, set(c)) for c in components]


def _cycle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A concrete path a → … → a inside one strongly connected component (breadth-first, shortest)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & component):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return sorted(component)


def _imports_from(graph: dict[str, set[str]], source: str, target: str) -> list[str]:
    """Edges from modules under ``source`` to modules under ``target``."""

    def under(name: str, prefix: str) -> bool:
        return name == prefix or name.startswith(prefix + ".")

    return sorted(
        f"{a} → {b}" for a, deps in graph.items() if under(a, source) for b in deps if under(b, target)
    )


def test_the_walker_sees_function_level_imports_and_skips_type_checking_ones() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from zhiku.kb import KnowledgeBase\n"
        "def f():\n    from zhiku.wiring import open_kb\n"
    )
    found = set()
    for node in _import_nodes(tree):
        found |= _targets("zhiku.demo", False, node, {"zhiku.kb", "zhiku.wiring"})
    assert found == {"zhiku.wiring"}


def test_a_cycle_is_found_and_printed() -> None:
    graph = {"zhiku.a": {"zhiku.b"}, "zhiku.b": {"zhiku.c"}, "zhiku.c": {"zhiku.a"}, "zhiku.d": {"zhiku.a"}}
    assert find_cycles(graph) == [["zhiku.a", "zhiku.b", "zhiku.c", "zhiku.a"]]
    assert find_cycles({"zhiku.a": {"zhiku.b"}, "zhiku.b": set()}) == []


def test_src_has_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_src_has_no_type_only_import_cycles() -> None:
    cycles = find_cycles(import_graph(typing_too=True))
    assert not cycles, "import cycles through TYPE_CHECKING imports:\n" + "\n".join(
        " → ".join(c) for c in cycles
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("zhiku.retrieve", "zhiku.answer"),
        ("zhiku.kb", "zhiku.wiring"),
        ("zhiku.kb", "zhiku.bi"),
        ("zhiku.kb", "zhiku.graph"),
        ("zhiku.understand", "zhiku.answer"),
        ("zhiku.understand", "zhiku.retrieve"),
        ("zhiku.types", "zhiku.understand"),
    ],
)
def test_dependencies_point_down_the_data_flow(source: str, target: str) -> None:
    edges = _imports_from(import_graph(), source, target)
    assert not edges, f"{source} must not import {target}:\n" + "\n".join(edges)
