"""No import cycles among the modules of gtvviz and gtvviz_app (the app), and the layering rules of the architecture.

The import graph is built from the source with ``ast`` (every ``import`` and ``from ... import`` at any depth,
including those inside functions), so a cycle hidden behind a lazy import fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gtvviz", "gtvviz_app")


def _is_library(module: str) -> bool:
    """Whether ``module`` belongs to the library :mod:`gtvviz` (not to the app, :mod:`gtvviz_app`)."""
    return module == "gtvviz" or module.startswith("gtvviz.")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def import_graph() -> dict[str, set[str]]:
    """``{module: modules of gtvviz and gtvviz_app it imports}``; ``from package import name`` counts as importing the
    submodule ``package.name`` when there is one, else the package."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules (first = last), or ``[]`` when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_the_imports() -> None:
    graph = import_graph()
    assert "gtvviz.train" in graph["gtvviz.methods"] and "gtvviz.nn.losses" in graph["gtvviz.objective"]
    assert "gtvviz_app.player" in graph["gtvviz_app.pages.explore"]


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_layers() -> None:
    graph = import_graph()
    nn = {m for m in graph if m.startswith("gtvviz.nn")}
    for module in nn:
        assert not graph[module] & {"gtvviz.collapse", "gtvviz.config"}, module
    assert not {m for m in _reachable(graph, "gtvviz.config") if m.startswith("gtvviz.nn")}
    assert not {m for m in _reachable(graph, "gtvviz.registry")} - {"gtvviz"}  # names only: imports nothing
    library = {m for m in graph if _is_library(m)}
    assert not {m for lib in library for m in graph[lib] if not _is_library(m)}  # never the app


def test_the_app_imports_only_public_names() -> None:
    """Every name the app (``gtvviz_app`` and ``app.py``) imports from gtvviz is public: no leading underscore, listed in
    the module's ``__all__`` where it has one; and the pages import subpackages only through their front."""
    modules = _modules()
    sources = [p for name, p in modules.items() if not _is_library(name)] + [ROOT / "app.py"]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or not _is_library(node.module or ""):
                continue
            target = modules[node.module]
            exported = _all_of(target)
            for alias in node.names:
                assert not alias.name.startswith("_"), f"{path.name} imports private {node.module}.{alias.name}"
                assert exported is None or alias.name in exported, \
                    f"{path.name} imports {node.module}.{alias.name}, which is not in its __all__"
            if path.parent.name == "pages":
                parts = node.module.split(".")
                assert not (len(parts) > 2 and (ROOT / parts[0] / parts[1]).is_dir()), \
                    f"{path.name} imports {node.module}: import from the subpackage {'.'.join(parts[:2])}"


def _all_of(path: Path) -> set[str] | None:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return {ast.literal_eval(element) for element in node.value.elts}  # type: ignore[attr-defined]
    return None
