"""``compile_filter``: a ``FilterTree`` as fast closures, one function per plan node.

Each node's function inlines its children (``Plan.group``): one dict literal for the whole
object, nested literals for nested objects, list comprehensions for lists of them, guarded
so that anything but an exact ``dict``/``list`` with every key present falls back to the
general node of that level (``codegen``). The code comes from a factory generated once per
group shape, so compiling mostly calls cached factories: a node's copy of its factory's code
has the exact ``str`` names as its constants (``bind``), as hand-written code has them, and
its own globals, where the functions it calls are (``codegen.function_name``).

Code is generated where it pays: the root's code at once, every other node's on its
``HOT``-th call (until then it is an interpreted ``generic_node``; a node inlined into its
parent is only called when the parent's fast path falls back). So compiling a filter of
thousands of paths generates only its top level, and a response generates code only for the
levels it reaches. The factories live for the life of the process, in one cache:
``generated`` tells whether a shape's factory exists (the field selector budgets new ones),
``factory_cache_info`` and ``factory_cache_clear`` let benchmarks and tests observe it and
start cold.

Generated source is compiled under a unique file name registered in ``linecache``, so
tracebacks and debuggers show the generated lines.
"""

from __future__ import annotations

import builtins
import itertools
import linecache
import sys
from collections.abc import Mapping
from types import CodeType, FunctionType
from typing import Any, Callable, NamedTuple, Sequence

from sphinx_apidocs.filters.codegen import RUNTIME_SOURCE, SELF, factory_source, function_name
from sphinx_apidocs.filters.plan import STAR, Plan, Shape, plan_of
from sphinx_apidocs.filters.tree import FilterTree

Filter = Callable[[Any], Any]
Pairs = tuple[tuple[str, "Filter | None"], ...]

HOT = 8  # calls of a node before its own code is generated

_factories: dict[Shape, Callable[..., Any]] = {}
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


def _generate(shape: Shape) -> Callable[..., Any]:
    """Generate, compile and cache the factory for ``shape`` (on its first use)."""
    namespace = dict(_runtime)  # _Mapping, _pick, _deep, _mixed
    _run(factory_source(shape, "factory"), "node" if shape.kind == "group" else shape.kind, namespace)
    factory = _factories[shape] = namespace["factory"]  # two threads may both get here: harmless
    return factory


def _factory(shape: Shape) -> Callable[..., Any]:
    return _factories.get(shape) or _generate(shape)


def generated(shape: Shape) -> bool:
    """Whether the factory for ``shape`` exists already (building with it costs no codegen)."""
    return shape in _factories


def generic_node(pairs: Pairs) -> Filter:
    """One level, interpreted: ``(name, child function or None for a leaf)`` pairs, with the
    generated nodes' semantics (see ``codegen``) in a loop, including the mapping protocol for
    non-``dict`` mappings and the ``deep_apply`` fallback for deep data. All generic nodes
    share one code object.
    """

    def node(d: Any) -> Any:
        try:
            if type(d) is not dict:
                if d is None:
                    return None
                if isinstance(d, (list, tuple)):
                    return [node(x) for x in d]
                if not isinstance(d, Mapping):
                    return None
            r = {}
            for key, sub in pairs:
                if key in d:
                    try:
                        value = d[key]
                    except KeyError:
                        continue
                    r[key] = value if sub is None else sub(value)
            return r
        except RecursionError:
            return deep_apply(node, d)

    node.__dict__["spec"] = pairs  # what deep_apply reads, as on generated nodes
    return node


def _constant(value: Any, names: tuple[str, ...]) -> Any:
    """``value`` (a constant of a group factory's code) with its key placeholders replaced."""
    if type(value) is str and value[:1] == "$" and value[1:].isdigit():
        return names[int(value[1:])]
    if type(value) is tuple:
        return tuple([_constant(item, names) for item in value])
    if type(value) is CodeType:
        return bind(value, names)
    return value


def bind(code: CodeType, names: tuple[str, ...]) -> CodeType:
    """A copy of a group factory's ``code`` (and of the code nested in it) where each key
    placeholder (``codegen.placeholder``: ``'$I'``) is the exact ``str`` ``names[I]``.

    So a node's keys are constants of its code, as in hand-written code (the cheapest load
    and the constant-keys dict display), while the source only ever holds the placeholders.
    """
    for name in names:
        if type(name) is not str:
            raise TypeError(f"expected an exact str, not {type(name).__name__}")
    return code.replace(co_consts=tuple([_constant(value, names) for value in code.co_consts]))


def build(plan: Plan, index: int, made: Sequence[Filter]) -> Filter:
    """The generated function of node ``index`` (its children's functions in ``made``)."""
    node = plan.nodes[index]
    if node.star:
        return _factory(STAR)()
    group = plan.group(index)
    fallback = node.fallback
    assert fallback is not None
    spec = tuple(zip(node.names, node.children_of(made, None)))
    factory = _factory(group.shape)
    # the node's own globals: the runtime, as ``fI`` the functions its code calls, and itself
    namespace = factory.__globals__.copy()
    for i, child in enumerate(group.calls):
        namespace[function_name(i)] = made[child]
    bound = FunctionType(bind(factory.__code__, group.keys), namespace, "factory")
    node = namespace[SELF] = bound(spec, _factory(fallback))  # before its first call
    return node


def _lazy(plan: Plan, index: int, made: Sequence[Filter]) -> Filter:
    """Node ``index`` as a ``generic_node`` until its ``HOT``-th call, then its generated
    function (``made`` must be complete by then).
    """
    node = plan.nodes[index]
    pairs = tuple(zip(node.names, node.children_of(made, None)))
    generic = generic_node(pairs)
    current = [generic]
    calls = [0]

    def warm(d: Any) -> Any:
        calls[0] += 1
        if calls[0] >= HOT:
            current[0] = build(plan, index, made)  # two threads may both build: harmless
        return generic(d)

    current[0] = warm

    def node_(d: Any) -> Any:
        return current[0](d)

    node_.__dict__["spec"] = pairs
    return node_


def compile_plan(plan: Plan) -> Filter:
    """The function for ``plan``'s one tree (equal levels share one function): the root's
    code generated now, the other levels' when they get hot.
    """
    root = plan.root
    made: list[Filter] = []
    nodes = plan.nodes
    for index in range(len(nodes)):
        if index == root or nodes[index].star:
            made.append(build(plan, index, made))
        else:
            made.append(_lazy(plan, index, made))
    return made[root]


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


assert sys.version_info >= (3, 8)  # assignment expressions in the generated code
