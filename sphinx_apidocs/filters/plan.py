"""``plan_of``: a ``FilterTree`` described once for everything that turns it into code.

Three things turn a filter into code: the closure compiler (``compile``), the module
generator (``codegen``) and the field selector's generic nodes (``interpret``); the selector
also walks the whitelist to check a client's paths (``narrow``). They all read the same
``Plan`` instead of each walking the tree its own way, so they cannot disagree about what a
level is, which levels are the same, or which generated code a level needs.

A plan is a table of ``PlanNode``s in post-order: every child comes before its parent, so a
consumer builds a whole filter in one forward loop (``Plan.build``), at any depth, without
recursion. Each node is one *distinct* level: equal subtrees (YAML aliases, and also the same
object type written out in a hundred operations) become one node, built once. A node
refers to its children by their index in the table.

**Inline groups.** The code for a node writes its whole response in one expression: the
node's own dict literal with its children's literals *inlined* (``Plan.group``), the way an
expert writes one endpoint by hand, so a nested object costs no call. How far a node inlines
is bounded (``MAX_INLINE`` emitted entries, ``MAX_INLINE_DEPTH`` levels); a child past the
bound is *cut*: called. The group's ``Shape`` (kind ``group``, ``pattern`` its structure,
e.g. ``{LL{LC}S}``) is what the generated source depends on; the names never are.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple, Sequence, TypeVar

from sphinx_apidocs.filters.tree import FilterTree, bottom_up

T = TypeVar("T")
Leaf = TypeVar("Leaf")

MAX_INLINE = 115  # entries a node's code may emit for its inlined children (all its copies)
MAX_INLINE_DEPTH = 6  # levels of children inlined below a node (nested brackets stay few)
MAX_UNROLLED = 32  # fields of a level whose ``in`` checks are unrolled; wider ones loop


class Shape(NamedTuple):
    """What a generated factory's source depends on, and its key in the factory caches:
    ``kind`` is ``group`` (``pattern``: the inline structure, see ``Plan.group``),
    ``fallback`` (``pattern``: one ``L`` per field, unrolled ``in`` checks), ``loop`` (the
    fallback of a wide level) or ``star``.
    """

    kind: str
    pattern: str = ""


STAR = Shape("star")
LOOP = Shape("loop")


class PlanNode(NamedTuple):
    """One distinct level of a filter.

    ``names`` are the level's field names (exact ``str``, in filter order) and ``children``
    their children, in step: the index of the child's node in ``Plan.nodes``, or ``None`` for
    a leaf. ``star``: a ``*`` level (no names).
    """

    names: tuple[str, ...]
    children: tuple[int | None, ...]
    star: bool = False

    def children_of(self, made: Sequence[T], leaf: Leaf) -> list[T | Leaf]:
        """Per field, in order, what was built for its child (``made[index]``), or ``leaf``
        for a leaf.
        """
        return [leaf if child is None else made[child] for child in self.children]

    @property
    def fallback(self) -> Shape | None:
        """The shape of the node's fallback (``None`` for ``*``)."""
        if self.star:
            return None
        count = len(self.names)
        return _shape("fallback", "L" * count) if count <= MAX_UNROLLED else LOOP


STAR_NODE = PlanNode((), (), True)


class Group(NamedTuple):
    """What the code of one node inlines: ``shape`` (its structure), ``keys`` (every inlined
    level's names, in the pre-order the pattern lists them) and ``calls`` (the plan node of
    every non-leaf entry, in the same order: the functions the code falls back to or calls).
    """

    shape: Shape
    keys: tuple[str, ...]
    calls: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """A filter (or several, for a generated module) as a post-order table of distinct levels.

    ``nodes``: the levels, children first; ``roots``: the node of each planned tree, in the
    order given (``root`` when there is one). Immutable; equal trees give equal plans.
    """

    nodes: tuple[PlanNode, ...]
    roots: tuple[int, ...]

    @property
    def root(self) -> int:
        """The node of the one planned tree."""
        if len(self.roots) != 1:
            raise ValueError(f"a plan of {len(self.roots)} trees has no single root")
        return self.roots[0]

    def build(self, make: Callable[[PlanNode, Sequence[T]], T]) -> list[T]:
        """``make(node, made)`` for every node in order, where ``made`` holds what was made for
        the nodes before it (so for all its children); returns ``made``, one item per node.
        """
        made: list[T] = []
        for node in self.nodes:
            made.append(make(node, made))
        return made

    @functools.cached_property
    def lookups(self) -> tuple[Mapping[str, int | None] | None, ...]:
        """Per node, ``{name: child}``, or ``None`` for a ``*`` node: for walking the plan by
        name. Made on first use (a memo: the plan itself never changes).
        """
        return tuple(None if node.star else dict(zip(node.names, node.children)) for node in self.nodes)

    @functools.cached_property
    def _groups(self) -> dict[int, Group]:
        return {}

    def group(self, index: int) -> Group:
        """The inline group of node ``index`` (memoized; see the module docstring).

        The pattern is ``{`` entries ``}``, an entry per field: ``L`` a leaf, ``C`` a child
        called, ``S`` a ``*`` child copied inline, or a nested ``{...}`` for a child inlined.
        The node's own literal is written three times (its ``dict`` path and each element of
        its ``list`` path, in both forms: see ``codegen``); a child of its own level six times
        (on the ``dict`` path for a ``dict`` value, the elements of a ``list`` and the rows of a
        list of lists; in the list path's first form for a ``dict`` value and the elements of
        a ``list``; in its mixed form for a ``dict`` value), and deeper levels in each copy of
        their parent (a list there is called). An inlined
        level's entries count that many times against ``MAX_INLINE``; children are inlined
        first come, first served.
        """
        memo = self._groups
        found = memo.get(index)
        if found is not None:
            return found
        nodes = self.nodes
        parts: list[str] = []
        keys: list[str] = []
        calls: list[int] = []
        budget = MAX_INLINE
        # an explicit stack of (node, weight, depth, next field); depth is bounded anyway
        stack: list[tuple[PlanNode, int, int, int]] = [(nodes[index], 2, 0, 0)]
        parts.append("{")
        while stack:
            node, weight, depth, at = stack.pop()
            names, children = node.names, node.children
            while at < len(names):
                keys.append(names[at])
                child = children[at]
                at += 1
                if child is None:
                    parts.append("L")
                    continue
                calls.append(child)
                sub = nodes[child]
                if sub.star:
                    parts.append("S")
                    continue
                sub_weight = 6 if depth == 0 else weight
                cost = sub_weight * len(sub.names)
                if depth < MAX_INLINE_DEPTH and cost <= budget:
                    budget -= cost
                    parts.append("{")
                    stack.append((node, weight, depth, at))
                    stack.append((sub, sub_weight, depth + 1, 0))
                    break
                parts.append("C")
            else:
                parts.append("}")
        found = memo[index] = Group(_shape("group", "".join(parts)), tuple(keys), tuple(calls))
        return found

    def node_shapes(self, index: int) -> tuple[Shape, ...]:
        """The factories node ``index``'s code is built from: its fallback's, then its own."""
        node = self.nodes[index]
        if node.star:
            return (STAR,)
        fallback = node.fallback
        assert fallback is not None
        return (fallback, self.group(index).shape)

    @functools.cached_property
    def shapes(self) -> tuple[Shape, ...]:
        """Every factory shape the nodes may use, each once, in order of first use (a node's
        fallback before its group). Made on first use.
        """
        shapes: dict[Shape, None] = {}
        for index in range(len(self.nodes)):
            for shape in self.node_shapes(index):
                shapes[shape] = None
        return tuple(shapes)


@functools.lru_cache(maxsize=1024)  # bounded: clients' selections make new patterns too
def _shape(kind: str, pattern: str) -> Shape:
    """One ``Shape`` object per common shape, rather than one per node."""
    return Shape(kind, pattern)


def plan_of(*trees: FilterTree) -> Plan:
    """The plan of ``trees`` (one for a filter; a module's filters share one plan).

    Each distinct tree object is visited once (``bottom_up``: a subtree aliased a thousand
    times costs one visit, and any depth is fine), and equal levels become one node.
    """
    nodes: list[PlanNode] = []
    by_id: dict[int, int] = {}  # id(subtree) -> node index, for the trees being walked
    # a level's content (names, child nodes) -> its node: equal levels are one node
    by_key: dict[tuple[tuple[str, ...], tuple[int | None, ...]], int] = {}
    star_index = -1
    for tree in trees:
        if not isinstance(tree, FilterTree):
            raise TypeError(f"expected a FilterTree, not {type(tree).__name__}")
    for level in bottom_up(trees, FilterTree.subtrees):
        if level.star:
            if star_index < 0:
                star_index = len(nodes)
                nodes.append(STAR_NODE)
            by_id[id(level)] = star_index
            continue
        fields = level.fields
        names = tuple([name for name, _ in fields])
        children = tuple([None if sub is None else by_id[id(sub)] for _, sub in fields])
        key = (names, children)
        index = by_key.get(key)
        if index is None:
            index = by_key[key] = len(nodes)
            nodes.append(PlanNode(names, children))
        by_id[id(level)] = index
    return Plan(tuple(nodes), tuple([by_id[id(tree)] for tree in trees]))
