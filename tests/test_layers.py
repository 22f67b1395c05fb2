"""The package's import graph: layers as folders, each importing only the layers below it.

symbolic -> engine -> derivations -> numeric -> output, with the applications (the
regression demo, the figure gallery, the command line) on top; ``errors`` is below them
all. No import cycles, and no import inside a function, except SymPy's own pattern: an
object's convenience printing method (``Derivation.to_latex`` and its siblings) importing
its printer lazily.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symsoftmax"

#: Bottom first; a module in none of these folders is an application (on top).
LAYERS = ("symbolic", "engine", "derivations", "numeric", "output")
BASE = {"symsoftmax.errors"}
TOP = len(LAYERS)

#: (importing module, imported module): the lazy printer imports that are allowed.
LAZY_PRINTERS = {("symsoftmax.engine.derivation", "symsoftmax.output.printing")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _resolve(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The symsoftmax modules an import statement names (a package's name for a package)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = module.split(".")
        if MODULES[module].name != "__init__.py":
            base.pop()
        if node.level:
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        submodules = [f"{stem}.{alias.name}" for alias in node.names]
        targets = [name for name in submodules if name in MODULES]
        if len(targets) < len(submodules):  # names defined in the module ``stem`` itself
            targets.append(stem)
    found = []
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target.startswith("symsoftmax") and target != module:
            found.append(target)
    return found


def _imports() -> list[tuple[str, str, bool]]:
    """(importer, imported, at module level) for every import of a symsoftmax module."""
    edges = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        type_only = {
            id(inner)
            for node in tree.body
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in type_only:
                for target in _resolve(module, node):
                    edges.append((module, target, id(node) in top))
    return edges


EDGES = _imports()


def layer(module: str) -> int:
    """The layer of a module: -1 for the base, 0.. for the folders, TOP for applications."""
    if module in BASE:
        return -1
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return TOP


def test_every_layer_is_a_folder() -> None:
    assert all((PACKAGE / name / "__init__.py").is_file() for name in LAYERS)


def test_no_layer_imports_a_higher_one() -> None:
    upward = [
        (a, b)
        for a, b, _ in EDGES
        if a != "symsoftmax" and layer(b) > layer(a) and (a, b) not in LAZY_PRINTERS
    ]
    assert upward == []


def test_imports_are_at_module_level_except_the_lazy_printers() -> None:
    inside = sorted({(a, b) for a, b, at_top in EDGES if not at_top} - LAZY_PRINTERS)
    assert inside == []


def _on_cycles(graph: dict[str, set[str]]) -> list[str]:
    """The nodes that no topological order reaches: those on a cycle or behind one."""
    indegree = dict.fromkeys(graph, 0)
    for targets in graph.values():
        for b in targets:
            indegree[b] += 1
    ready = [m for m, n in indegree.items() if n == 0]
    while ready:
        for b in graph[ready.pop()]:
            indegree[b] -= 1
            if indegree[b] == 0:
                ready.append(b)
    return sorted(m for m, n in indegree.items() if n > 0)


def test_there_is_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for a, b, _ in EDGES:
        if (a, b) not in LAZY_PRINTERS:  # run on demand, after both modules are loaded
            graph[a].add(b)
    assert _on_cycles(graph) == []


def test_a_cycle_is_found() -> None:
    assert _on_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c"]
    assert _on_cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("symsoftmax.engine.proof", 1),
        ("symsoftmax.output.docsite", 4),
        ("symsoftmax.cli", TOP),
        ("symsoftmax.errors", -1),
    ],
)
def test_layer_of_a_module(source: str, expected: int) -> None:
    assert layer(source) == expected


def test_the_checks_see_an_upward_import() -> None:
    # The reading of import statements finds an upward import written in any form.
    tree = ast.parse("from ..output import printing\nimport symsoftmax.numeric.codegen")
    found = [t for node in tree.body for t in _resolve("symsoftmax.engine.proof", node)]
    assert found == ["symsoftmax.output.printing", "symsoftmax.numeric.codegen"]
    assert all(layer(t) > layer("symsoftmax.engine.proof") for t in found)
