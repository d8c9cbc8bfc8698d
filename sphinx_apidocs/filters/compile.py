"""``compile_filter``: a ``FilterTree`` as a fast closure (one node function per plan node).

Each node's function comes from a factory generated once per node shape (``codegen``), so
compiling a large filter mostly calls cached factories with the exact ``str`` names. The
factories live for the life of the process, in one cache: ``generated`` tells whether a
shape's factory exists (the field selector budgets new ones), ``factory_cache_info`` and
``factory_cache_clear`` let benchmarks and tests observe it and start cold.

Generated source is compiled under a unique file name registered in ``linecache``, so
tracebacks and debuggers show the generated lines.
"""

from __future__ import annotations

import builtins
import itertools
import linecache
from typing import Any, Callable, NamedTuple, Sequence

from sphinx_apidocs.filters.codegen import RUNTIME_SOURCE, factory_source
from sphinx_apidocs.filters.plan import Plan, PlanNode, Shape, plan_of
from sphinx_apidocs.filters.tree import FilterTree

Filter = Callable[[Any], Any]

_factories: dict[Shape, Callable[..., Filter]] = {}
_counter = itertools.count()


def _run(source: str, label: str, namespace: dict[str, Any]) -> None:
    """Execute generated ``source`` under a unique, registered file name."""
    filename = f"<sphinx_apidocs.filters {label} {next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


_runtime: dict[str, Any] = {"__builtins__": builtins}
_run(RUNTIME_SOURCE, "runtime", _runtime)

deep_apply: Callable[[Filter, Any], Any] = _runtime["_deep"]
"""``deep_apply(node, value)``: ``node(value)`` without recursion, for any node function made
here (or by ``interpret``) that has a ``spec`` attribute. Nodes call it themselves when the
data is nested deeper than the recursion limit allows; it is public for such hand-made nodes.
"""


def _generate(shape: Shape) -> Callable[..., Filter]:
    """Generate, compile and cache the factory for ``shape`` (on its first use)."""
    namespace = dict(_runtime)  # _Mapping, _compress, _pick, _deep
    _run(factory_source(shape, "factory"), shape.kind, namespace)
    factory = _factories[shape] = namespace["factory"]  # two threads may both get here: harmless
    return factory


def generated(shape: Shape) -> bool:
    """Whether the factory for ``shape`` exists already (building with it costs no codegen)."""
    return shape in _factories


def build_node(node: PlanNode, made: Sequence[Filter]) -> Filter:
    """The function for one plan node, its children taken from ``made`` (``Plan.build``)."""
    factory = _factories.get(node.shape) or _generate(node.shape)
    if node.fallback is None:
        return factory()
    fallback = _factories.get(node.fallback) or _generate(node.fallback)
    return factory(node.names, node.children_of(made, None), fallback)


def compile_plan(plan: Plan) -> Filter:
    """The function for ``plan``'s one tree (equal levels share one function)."""
    return plan.build(build_node)[plan.root]


def compile_filter(tree: FilterTree) -> Filter:
    """A function applying ``tree`` to a response (see "Filter semantics" in DESIGN.md).

    Equal subtrees in ``tree`` (YAML aliases, repeated object types) share one compiled
    function; a tree of any depth compiles (the plan is built without recursion).
    """
    return compile_plan(plan_of(tree))


class FactoryCacheInfo(NamedTuple):
    """``shapes``: node factories generated so far in this process (each compiled once)."""

    shapes: int


def factory_cache_info() -> FactoryCacheInfo:
    """How many factories exist (for benchmarks, tests and the selector's budget reports)."""
    return FactoryCacheInfo(len(_factories))


def factory_cache_clear() -> None:
    """Forget every generated factory (compiled filters keep working): the next compile
    starts cold. For benchmarks and tests; a service has no reason to call it.
    """
    _factories.clear()
