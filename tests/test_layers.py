"""The package is built in layers, and no module imports a higher layer or closes a circle.

Every import of every module is read with ``ast``, including imports inside functions:

1. foundation: ``checks``, ``metrics``, ``stats``, ``storage``, ``exceptions``, ``_version``
   and the engine ``_core``;
2. data: ``network``, ``cascade``, ``market``, ``strategy``, ``simulation``, ``comparison``,
   ``curves``, ``scenario``;
3. presentation: ``charts``, ``report``;
4. export: ``export``;
5. runner: ``runner``, ``sweeps``;
6. top: the package's ``__init__``, ``cli``, ``tour``, ``__main__``.

A module may import its own layer or lower ones. The only upward edges are the hooks in
:data:`HOOKS`: a data object's ``plot``, ``_repr_html_``, ``__str__`` or ``to_pandas``
imports the presentation or export function that renders it, lazily, inside that method.
They are one-way: the runtime import graph, hooks included, has no cycle, so charts, report
and export import the data modules they draw for types only (under ``TYPE_CHECKING``).
Imports under ``TYPE_CHECKING`` never run, so they are not layered.
"""

from __future__ import annotations

import ast
import doctest
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import buyernet

# The installed package, like every other test.
SOURCE = Path(buyernet.__file__).parent
PACKAGE = "__init__"

LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "foundation",
        frozenset({"_core", "_version", "exceptions", "checks", "metrics", "stats", "storage"}),
    ),
    (
        "data",
        frozenset(
            {
                "network",
                "cascade",
                "seeding",
                "market",
                "strategy",
                "simulation",
                "comparison",
                "curves",
                "scenario",
            }
        ),
    ),
    ("presentation", frozenset({"charts", "report"})),
    ("export", frozenset({"export"})),
    ("runner", frozenset({"runner", "sweeps"})),
    ("top", frozenset({PACKAGE, "cli", "tour", "__main__"})),
)
LEVEL = {module: level for level, (_, modules) in enumerate(LAYERS) for module in modules}

#: The allowed upward edges: (importer, imported) -> the methods that may hold the import.
HOOKS: dict[tuple[str, str], frozenset[str]] = {
    ("simulation", "charts"): frozenset({"plot"}),
    ("simulation", "report"): frozenset({"_repr_html_"}),
    ("simulation", "export"): frozenset({"to_pandas"}),
    ("comparison", "charts"): frozenset({"plot"}),
    ("comparison", "report"): frozenset({"_repr_html_", "__str__"}),
    ("curves", "charts"): frozenset({"plot"}),
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    function: str | None  # the innermost function holding the import; None: module level
    type_only: bool  # under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        where = f" in {self.function}()" if self.function else " at module level"
        return f"{self.source}.py:{self.line}: imports {self.target}{where}"


def modules() -> set[str]:
    return {p.stem for p in SOURCE.glob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def edges_of(source: str, text: str, known: set[str]) -> list[Edge]:
    """Every import of a buyernet module in ``text`` (the module ``source``)."""
    found: list[Edge] = []

    def target(name: str) -> str:
        parts = name.split(".")
        return parts[1] if len(parts) > 1 else PACKAGE

    def visit(node: ast.AST, function: str | None, type_only: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, function, True)
            for child in node.orelse:
                visit(child, function, type_only)
            return
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [target(a.name) for a in node.names if a.name.split(".")[0] == "buyernet"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y
                base = "buyernet" + (f".{base}" if base else "")
            if base == "buyernet":
                # ``from buyernet import x``: the module x, or a name of the package itself.
                targets = [a.name if a.name in known else PACKAGE for a in node.names]
            elif base.startswith("buyernet."):
                targets = [target(base)]
        for t in targets:
            found.append(Edge(source, t, getattr(node, "lineno", 0), function, type_only))
        for child in ast.iter_child_nodes(node):
            visit(child, function, type_only)

    visit(ast.parse(text), None, False)
    return found


def all_edges() -> list[Edge]:
    known = modules() | {"_core"}
    return [
        edge
        for module in sorted(modules())
        for edge in edges_of(module, (SOURCE / f"{module}.py").read_text(), known)
    ]


def violations(edges: list[Edge]) -> list[str]:
    """Runtime imports of a higher layer that are not a documented hook in its method."""
    bad = []
    for e in edges:
        if e.type_only or e.source == e.target or LEVEL[e.target] <= LEVEL[e.source]:
            continue
        if e.function is not None and e.function in HOOKS.get((e.source, e.target), ()):
            continue
        bad.append(str(e))
    return bad


def cycle(edges: list[Edge]) -> list[str] | None:
    """A circle in the runtime import graph (lazy imports included), if there is one."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        if not e.type_only and e.source != e.target:
            graph.setdefault(e.source, set()).add(e.target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_every_module_has_a_layer():
    assert modules() - set(LEVEL) == set(), "put each new module in a layer of LAYERS"
    assert set(LEVEL) - modules() - {"_core"} == set(), "LAYERS names a module that is gone"


def test_no_module_imports_a_higher_layer():
    assert violations(all_edges()) == []


def test_the_runtime_imports_have_no_cycle():
    assert cycle(all_edges()) is None


def test_every_documented_hook_exists_and_is_lazy():
    edges = all_edges()
    for (source, target), methods in HOOKS.items():
        used = {e.function for e in edges if (e.source, e.target) == (source, target)}
        assert used == set(methods), (source, target, used)


def test_the_checks_catch_upward_and_circular_imports():
    known = modules() | {"_core"}
    lazy_upward = "def f():\n    from buyernet.simulation import Results\n"
    assert violations(edges_of("metrics", lazy_upward, known)) == [
        "metrics.py:2: imports simulation in f()"
    ]
    hook_elsewhere = "def save(self):\n    from buyernet import charts\n"
    assert violations(edges_of("simulation", hook_elsewhere, known)) == [
        "simulation.py:2: imports charts in save()"
    ]
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import buyernet.cli\n"
    assert violations(edges_of("stats", typed, known)) == []
    assert violations(edges_of("stats", "import buyernet\n", known)) == [
        "stats.py:1: imports __init__ at module level"
    ]
    circle = [
        *edges_of("charts", "import buyernet.simulation\n", known),
        *edges_of("simulation", "def plot(self):\n    import buyernet.charts\n", known),
    ]
    assert cycle(circle) == ["charts", "simulation", "charts"]


# Modules whose examples tests/test_api.py does not already run.
DOCTESTED = [
    "buyernet.charts",
    "buyernet.checks",
    "buyernet.comparison",
    "buyernet.export",
    "buyernet.metrics",
    "buyernet.report",
    "buyernet.runner",
    "buyernet.scenario",
    "buyernet.stats",
    "buyernet.storage",
    "buyernet.strategy",
    "buyernet.sweeps",
]


@pytest.mark.parametrize("name", DOCTESTED)
def test_module_examples_run(name):
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
