"""``compile_filter``: a ``FilterTree`` as a fast closure (one node function per tree level).

Each level's function comes from a factory generated once per node shape (see ``codegen``),
so compiling a large filter mostly calls cached factories with the exact ``str`` names. This
must build the same arguments as ``codegen.factory_args`` (tests compare the two outputs).
"""

from __future__ import annotations

import builtins
import itertools
import linecache
from collections.abc import Mapping
from typing import Any, Callable

from sphinx_apidocs.filters.codegen import DEEP_SOURCE, STAR, Shape, factory_source
from sphinx_apidocs.filters.tree import FilterTree

Filter = Callable[[Any], Any]

_factories: dict[Shape, Callable[..., Any]] = {}
_counter = itertools.count()


def _run(source: str, label: str, namespace: dict[str, Any]) -> None:
    """Execute generated ``source`` under a unique, registered file name, so tracebacks
    show the generated lines.
    """
    filename = f"<sphinx_apidocs.filters {label} {next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


_deep_namespace: dict[str, Any] = {"__builtins__": builtins, "_Mapping": Mapping}
_run(DEEP_SOURCE, "deep", _deep_namespace)

deep_apply: Callable[[Filter, Any], Any] = _deep_namespace["_deep"]
"""``deep_apply(node, value)``: ``node(value)`` without recursion, for any node function made
here (or by ``select``) that has a ``spec`` attribute. Nodes call it themselves when the data is
nested deeper than the recursion limit allows; it is public for such hand-made nodes.
"""


def _factory(shape: Shape) -> Callable[..., Any]:
    """The node factory for ``shape``, generated and compiled on first use."""
    factory = _factories.get(shape)
    if factory is None:  # two threads may both compile a shape: harmless, same result
        namespace: dict[str, Any] = {"__builtins__": builtins, "_Mapping": Mapping, "_deep": deep_apply}
        _run(factory_source(shape, "factory"), shape.kind, namespace)
        factory = _factories[shape] = namespace["factory"]
    return factory


def compile_filter(tree: FilterTree) -> Filter:
    """A function applying ``tree`` to a response (see "Filter semantics" in DESIGN.md).

    Subtrees shared in ``tree`` (YAML aliases) share one compiled function. Built bottom-up
    with an explicit stack, so a tree of any depth compiles.
    """
    compiled: dict[int, Filter] = {}
    stack: list[tuple[FilterTree, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in compiled:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((sub, False) for _, sub in reversed(node.fields) if sub is not None)
            continue
        if node.star:
            built = _factory(STAR)()
        else:
            args: list[Any] = []
            pattern: list[str] = []
            for name, sub in node.fields:
                args.append(name)
                if sub is None:
                    pattern.append("L")
                else:
                    pattern.append("C")
                    args.append(compiled[id(sub)])
            args.append(_factory(Shape("fallback", "L" * len(pattern))))
            built = _factory(Shape("node", "".join(pattern)))(*args)
        compiled[id(node)] = built
    return compiled[id(tree)]
