"""The package's layering, enforced from the source (every import counts: module level,
function-local and ``TYPE_CHECKING`` alike).

    cli -> {sphinxext, spec, filters, examples, diff}; sphinxext -> {spec, filters, examples, diff, versions};
    diff -> {spec, filters, errors};
    examples -> {spec, filters, errors}; spec -> {filters?, errors}; filters -> nothing of ours;
    middleware -> {filters, spec, lifecycle, errors} (pure Python: no Sphinx, no docutils);
    lifecycle, versions -> nothing of ours (standard library only);
    no circles; nobody imports another module's ``_private`` names.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

import pytest

PACKAGE = "sphinx_apidocs"
ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), PACKAGE)

# Which rooms a room may import from (the package root modules count as their own rooms).
ALLOWED: dict[str, set[str]] = {
    "cli": {"cli", "spec", "filters", "examples", "diff", "middleware", "errors", "__init__"},
    "sphinxext": {"sphinxext", "spec", "filters", "examples", "diff", "versions", "errors", "__init__"},
    "diff": {"diff", "spec", "filters", "errors"},  # pure Python: no Sphinx, no docutils
    "examples": {"examples", "spec", "filters", "errors"},  # pure Python: no Sphinx, no docutils
    "spec": {"spec", "errors"},
    "filters": {"filters", "errors"},  # errors.py is a leaf: filters stay importable alone
    "errors": set(),
    "middleware": {"middleware", "filters", "spec", "lifecycle", "errors"},  # no Sphinx, no docutils
    "lifecycle": set(),
    "versions": set(),  # standard library only
    "__init__": {"sphinxext"},  # setup() imports the extension lazily
    "__main__": {"cli"},
}


# Inside spec/: lower ranks never import higher ones; the two input formats are siblings.
SPEC_RANKS: dict[str, int] = {
    "model": 0, "detect": 0, "headers": 0, "aside": 0,
    "fetch": 1, "common": 1, "audience": 1,
    "refs": 2, "validate": 2,
    "sources": 3,
    "serve": 4, "snapshot": 4, "swagger1": 4, "openapi": 4,
    "loader": 5,
    "": 6,  # spec/__init__
}


def module_files() -> dict[str, str]:
    """Dotted module name -> file path, for every module of the package."""
    found: dict[str, str] = {}
    for folder, _dirs, files in os.walk(ROOT):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, os.path.dirname(ROOT))[: -len(".py")].split(os.sep)
            if rel[-1] == "__init__":
                rel = rel[:-1]
            found[".".join(rel)] = path
    return found


MODULES = module_files()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].endswith("__init__.py") else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports(module: str) -> Iterator[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every import in ``module``."""
    with open(MODULES[module], encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", "", node.lineno
                else:
                    yield base, alias.name, node.lineno


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def internal_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for module in MODULES:
        for target, _name, _line in imports(module):
            if target in MODULES and target != module:
                edges[module].add(target)
    return edges


def test_every_room_is_known() -> None:
    assert {room(m) for m in MODULES} <= set(ALLOWED)


def test_rooms_import_only_downward() -> None:
    wrong = []
    for module in MODULES:
        for target, _name, line in imports(module):
            if target in MODULES and room(target) not in ALLOWED[room(module)] and room(target) != room(module):
                wrong.append(f"{MODULES[module]}:{line}: {room(module)} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_private_names_across_modules() -> None:
    wrong = []
    for module in MODULES:
        for target, name, line in imports(module):
            if target.startswith(PACKAGE) and target != module:
                private = _is_private(name) or any(_is_private(part) for part in target.split("."))
                if private:
                    wrong.append(f"{MODULES[module]}:{line}: imports {target}{'.' + name if name else ''}")
    assert not wrong, "\n".join(wrong)


def _spec_part(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] != "spec":
        return None
    return parts[2] if len(parts) > 2 else ""


def test_spec_layers_import_only_downward_and_formats_are_siblings() -> None:
    wrong = []
    for module in MODULES:
        part = _spec_part(module)
        if part is None:
            continue
        assert part in SPEC_RANKS, f"{module}: give it a rank in SPEC_RANKS"
        for target, _name, line in imports(module):
            other = _spec_part(target) if target in MODULES else None
            if other is None or other == part:
                continue
            if SPEC_RANKS[other] >= SPEC_RANKS[part]:
                wrong.append(f"{MODULES[module]}:{line}: spec.{part or '__init__'} imports {target}")
    assert not wrong, "\n".join(wrong)


def _is_private(name: str) -> bool:
    """``_x`` is private; dunders (``__version__``, gettext's ``__``) are public."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_import_circles() -> None:
    edges = internal_edges()
    # A package imports its own submodules to re-export them; that is not a circle of design.
    for module in MODULES:
        if MODULES[module].endswith("__init__.py"):
            edges[module] = {t for t in edges[module] if not t.startswith(module + ".")}
    for module in MODULES:
        # the parent package is imported implicitly by everything below it: not an edge we draw
        edges[module] = {t for t in edges[module] if not module.startswith(t + ".")}
    cycles = _cycles(edges)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize(
    ("edges", "expected"),
    [({"a": {"b"}, "b": {"a"}}, [["a", "b"]]), ({"a": {"b"}, "b": set()}, []), ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]])],
)
def test_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(edges) == expected


def test_examples_import_neither_sphinx_nor_docutils() -> None:
    wrong = []
    for module in MODULES:
        if room(module) != "examples":
            continue
        for target, _name, line in imports(module):
            if target.split(".")[0] in ("sphinx", "docutils"):
                wrong.append(f"{MODULES[module]}:{line}: imports {target}")
    assert not wrong, "\n".join(wrong)
