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

from sphinx_apidocs.filters.codegen import STAR, Shape, factory_source
from sphinx_apidocs.filters.tree import FilterTree

Filter = Callable[[Any], Any]

_factories: dict[Shape, Callable[..., Any]] = {}
_counter = itertools.count()


def _factory(shape: Shape) -> Callable[..., Any]:
    """The node factory for ``shape``, generated and compiled on first use."""
    factory = _factories.get(shape)
    if factory is None:  # two threads may both compile a shape: harmless, same result
        source = factory_source(shape, "factory")
        # A unique, registered file name: tracebacks show the generated lines.
        filename = f"<sphinx_apidocs.filters {shape.kind} {next(_counter)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict[str, Any] = {"__builtins__": builtins, "_Mapping": Mapping}
        exec(compile(source, filename, "exec"), namespace)
        factory = _factories[shape] = namespace["factory"]
    return factory


def compile_filter(tree: FilterTree) -> Filter:
    """A function applying ``tree`` to a response (see "Filter semantics" in DESIGN.md).

    Subtrees shared in ``tree`` (YAML aliases) share one compiled function.
    """
    compiled: dict[int, Filter] = {}

    def build(node: FilterTree) -> Filter:
        built = compiled.get(id(node))
        if built is None:
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
                        args.append(build(sub))
                args.append(_factory(Shape("fallback", "L" * len(pattern))))
                built = _factory(Shape("node", "".join(pattern)))(*args)
            compiled[id(node)] = built
        return built

    return build(tree)
