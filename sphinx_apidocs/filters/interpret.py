"""``interpret``: a plan built without generating code, for selections past the budget.

Every compiled node shape is a function kept for the life of the process, and clients choose
selections, so the selector caps how many new shapes they may generate (``budget``). Past the
cap a selection is still served, with the same semantics: nodes whose factories exist are
built from them, the others are ``generic_node``s, one interpreted loop per level (slower, no
new code, never any later).
"""

from __future__ import annotations

from sphinx_apidocs.filters.compile import Filter, build, generated, generic_node
from sphinx_apidocs.filters.plan import Plan

__all__ = ["generic_node", "interpret"]


def interpret(plan: Plan, *, reuse_factories: bool = True) -> Filter:
    """The function for ``plan``'s one tree, generating no code (but the fixed ``*`` node):
    existing factories are used unless ``reuse_factories`` is false (then every other level
    is a ``generic_node``, as tests want).
    """
    made: list[Filter] = []
    nodes = plan.nodes
    for index in range(len(nodes)):
        node = nodes[index]
        if node.star or (reuse_factories and all(generated(shape) for shape in plan.node_shapes(index))):
            made.append(build(plan, index, made))
        else:
            made.append(generic_node(tuple(zip(node.names, node.children_of(made, None)))))
    return made[plan.root]
