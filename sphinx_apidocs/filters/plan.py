"""``plan_of``: a ``FilterTree`` described once for everything that turns it into code.

Three things turn a filter into code: the closure compiler (``compile``), the module
generator (``codegen``) and the field selector's generic nodes (``interpret``); the selector
also walks the whitelist to check a client's paths (``narrow``). They all read the same
``Plan`` instead of each walking the tree its own way, so they cannot disagree about what a
level is, which levels are the same, or which generated factory a level needs.

A plan is a table of ``PlanNode``s in post-order: every child comes before its parent, so a
consumer builds a whole filter in one forward loop (``Plan.build``), at any depth, without
recursion. Each node is one *distinct* level: equal subtrees (YAML aliases, and also the same
object type written out in a hundred operations) become one node, built once. A node
refers to its children by their index in the table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple, Sequence, TypeVar

from sphinx_apidocs.filters.tree import FilterTree, bottom_up

T = TypeVar("T")
Leaf = TypeVar("Leaf")


class Shape(NamedTuple):
    """What a generated factory's source depends on, and its key in the factory caches:
    ``kind`` is ``node``, ``fallback`` or ``star``; ``pattern`` has one letter per field,
    ``L`` leaf or ``C`` container (a fallback only depends on the count: all ``L``).
    """

    kind: str
    pattern: str = ""


STAR = Shape("star")


class PlanNode(NamedTuple):
    """One distinct level of a filter.

    ``names`` are the level's field names (exact ``str``, in filter order) and ``children``
    their children, in step: the index of the child's node in ``Plan.nodes``, or ``None`` for
    a leaf. ``shape`` is ``STAR`` for a ``*`` level (no names); otherwise the node shape, and
    ``fallback`` the shape of the fallback factory it uses (``None`` for ``*``).
    """

    names: tuple[str, ...]
    children: tuple[int | None, ...]
    shape: Shape
    fallback: Shape | None

    def children_of(self, made: Sequence[T], leaf: Leaf) -> list[T | Leaf]:
        """Per field, in order, what was built for its child (``made[index]``), or ``leaf``
        for a leaf: what a node factory takes after the names.
        """
        return [leaf if child is None else made[child] for child in self.children]

    def factory_shapes(self) -> tuple[Shape, ...]:
        """The factories this node is built from: its fallback's first, then its own."""
        return (self.shape,) if self.fallback is None else (self.fallback, self.shape)


STAR_NODE = PlanNode((), (), STAR, None)


@dataclass(frozen=True)
class Plan:
    """A filter (or several, for a generated module) as a post-order table of distinct levels.

    ``nodes``: the levels, children first; ``roots``: the node of each planned tree, in the
    order given (``root`` when there is one). ``shapes``: every factory shape the nodes use,
    each once, in order of first use. Immutable; equal trees give equal plans.
    """

    nodes: tuple[PlanNode, ...]
    roots: tuple[int, ...]
    shapes: tuple[Shape, ...]

    @property
    def root(self) -> int:
        """The node of the one planned tree."""
        if len(self.roots) != 1:
            raise ValueError(f"a plan of {len(self.roots)} trees has no single root")
        return self.roots[0]

    def build(self, make: Callable[[PlanNode, Sequence[T]], T]) -> list[T]:
        """``make(node, made)`` for every node in order, where ``made`` holds what was made for
        the nodes before it (so for all its children); returns ``made``, one item per node.
        The one walk every consumer of a plan uses.
        """
        made: list[T] = []
        for node in self.nodes:
            made.append(make(node, made))
        return made

    @functools.cached_property
    def lookups(self) -> tuple[Mapping[str, int | None] | None, ...]:
        """Per node, ``{name: child}`` (read-only), or ``None`` for a ``*`` node: for walking
        the plan by name. Made on first use (a memo: the plan itself never changes).
        """
        return tuple(None if node.shape is STAR else dict(zip(node.names, node.children)) for node in self.nodes)


@functools.lru_cache(maxsize=1024)  # bounded: clients' selections make new patterns too
def _shape(kind: str, pattern: str) -> Shape:
    """One ``Shape`` object per common shape, rather than one per node."""
    return Shape(kind, pattern)


def _node(names: tuple[str, ...], children: tuple[int | None, ...]) -> PlanNode:
    pattern = "".join(["L" if child is None else "C" for child in children])
    return PlanNode(names, children, _shape("node", pattern), _shape("fallback", "L" * len(names)))


def plan_of(*trees: FilterTree) -> Plan:
    """The plan of ``trees`` (one for a filter; a module's filters share one plan).

    Each distinct tree object is visited once (``bottom_up``: a subtree aliased a thousand
    times costs one visit, and any depth is fine), and equal levels become one node.
    """
    nodes: list[PlanNode] = []
    by_id: dict[int, int] = {}  # id(subtree) -> node index, for the trees being walked
    # a level's content (names, child nodes, star) -> its node: equal levels are one node
    by_key: dict[tuple[tuple[str, ...], tuple[int | None, ...], bool], int] = {}
    shapes: dict[Shape, None] = {}
    for tree in trees:
        if not isinstance(tree, FilterTree):
            raise TypeError(f"expected a FilterTree, not {type(tree).__name__}")
    for level in bottom_up(trees, FilterTree.subtrees):
        fields = level.fields
        names = tuple([name for name, _ in fields])
        children = tuple([None if sub is None else by_id[id(sub)] for _, sub in fields])
        key = (names, children, level.star)
        index = by_key.get(key)
        if index is None:
            node = STAR_NODE if level.star else _node(names, children)
            index = by_key[key] = len(nodes)
            nodes.append(node)
            if node.fallback is not None:
                shapes[node.fallback] = None
            shapes[node.shape] = None
        by_id[id(level)] = index
    return Plan(tuple(nodes), tuple(by_id[id(tree)] for tree in trees), tuple(shapes))
