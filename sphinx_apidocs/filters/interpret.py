"""``interpret``: a plan built without generating code, for selections past the budget.

Every compiled node shape is a function kept for the life of the process, and clients choose
selections, so the selector caps how many new shapes they may generate (``budget``). Past the
cap a selection is still served, with the same semantics: nodes whose factories exist are
built from them, the others are ``generic_node``s, one interpreted loop per level (slower, no
new code).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Sequence

from sphinx_apidocs.filters.compile import Filter, build_node, deep_apply, generated
from sphinx_apidocs.filters.plan import Plan, PlanNode

Pairs = tuple[tuple[str, Filter | None], ...]


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


def interpret_node(node: PlanNode, made: Sequence[Filter]) -> Filter:
    """``compile.build_node`` where the node's factories exist, else ``generic_level``;
    ``made`` as in ``Plan.build``.
    """
    if all(generated(shape) for shape in node.factory_shapes()):
        return build_node(node, made)
    return generic_level(node, made)


def generic_level(node: PlanNode, made: Sequence[Filter]) -> Filter:
    """A ``generic_node`` for a plan node (``*`` too: ``build_node``'s star is fixed code)."""
    if node.fallback is None:
        return build_node(node, made)
    children = (None if child is None else made[child] for child in node.children)
    return generic_node(tuple(zip(node.names, children)))


def interpret(plan: Plan, *, reuse_factories: bool = True) -> Filter:
    """The function for ``plan``'s one tree, generating no code (but the fixed ``*`` node):
    existing factories are used unless ``reuse_factories`` is false (then every other level
    is a ``generic_node``, as tests want).
    """
    return plan.build(interpret_node if reuse_factories else generic_level)[plan.root]
