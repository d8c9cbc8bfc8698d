"""``FilterTree``: the parsed, union-merged form of one operation's field list.

A tree level is an ordered tuple of ``(name, child)`` pairs, where ``child`` is ``None`` for a
leaf (the whole value passes) or a nested ``FilterTree``; ``star=True`` means every key at the
level passes whole (and then ``fields`` is empty, since ``*`` subsumes its siblings).
Trees are immutable and may share subtrees (YAML aliases), so one alias used in a thousand
places costs one subtree, not a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Iterator, Sequence, TypeVar, Union

from sphinx_apidocs.filters.names import split_dotted

N = TypeVar("N")


def bottom_up(
    roots: Iterable[N], children: Callable[[N], Iterable[N]], key: Callable[[N], Hashable] = id
) -> Iterator[N]:
    """Every node reachable from ``roots``, once per ``key`` (by default: once per object), each
    after all of its ``children``: the one walk over trees in this package. An explicit stack,
    so a tree of any depth is walked; a shared subtree is walked once, so a tree that would be
    huge if its aliases were expanded costs no more than its distinct objects. Children are
    visited in the order ``children`` lists them. The nodes must outlive the walk (``id``).
    """
    done: set[Hashable] = set()
    for root in roots:
        if key(root) in done:
            continue
        stack: list[tuple[N, Iterator[N]]] = [(root, iter(children(root)))]
        while stack:
            node, below = stack[-1]
            for child in below:  # the next child not walked yet goes on the stack
                if key(child) not in done:
                    stack.append((child, iter(children(child))))
                    break
            else:  # all its children are done (trees have no cycles, so none is on the stack)
                stack.pop()
                done.add(key(node))
                yield node


@dataclass(frozen=True)
class FilterTree:
    """One level of a whitelist; see the module docstring."""

    fields: tuple[tuple[str, FilterTree | None], ...] = ()
    star: bool = False

    def __post_init__(self) -> None:
        for name, child in self.fields:
            if not isinstance(name, str):
                raise TypeError(f"field names must be str, not {type(name).__name__}")
            if child is not None and not isinstance(child, FilterTree):
                raise TypeError(f"a child must be a FilterTree or None, not {type(child).__name__}")
        # Keys must be exact ``str``: a subclass could override ``__eq__``/``__hash__`` or
        # ``__repr__`` (which the code generator relies on). ``str.__str__`` returns an exact copy.
        fields = tuple(
            (name if type(name) is str else str.__str__(name), child) for name, child in self.fields
        )
        if len({name for name, _ in fields}) != len(fields):
            raise ValueError("duplicate field names at one level")
        if self.star and fields:
            raise ValueError("a '*' level has no other fields ('*' subsumes its siblings)")
        object.__setattr__(self, "fields", fields)

    @classmethod
    def from_paths(cls, paths: Iterable[str]) -> FilterTree:
        """The union of dotted paths (``dotted_paths`` syntax), e.g. ``["a.b", "c.*"]``."""
        builder = TreeBuilder()
        for path in paths:
            segments, star = split_dotted(path)
            builder.add(segments, star=star)
        return builder.build()

    def is_empty(self) -> bool:
        """True when nothing passes (``[]``): not even one leaf or ``*``."""
        return not self.fields and not self.star

    def subtrees(self) -> list[FilterTree]:
        """The containers' subtrees, in field order (``bottom_up``'s ``children``)."""
        return [child for _, child in self.fields if child is not None]

    def size(self) -> int:
        """Leaves plus ``*`` levels as if every shared subtree were expanded (cheap on a DAG)."""
        memo: dict[int, int] = {}
        for tree in bottom_up([self], FilterTree.subtrees):
            memo[id(tree)] = int(tree.star) + sum(
                1 if child is None else memo[id(child)] for _, child in tree.fields
            )
        return memo[id(self)]

    def depth(self) -> int:
        """Levels of objects the tree reaches: 1 for ``[a, b]``, 2 for ``[a.b]``; 0 if empty."""
        memo: dict[int, int] = {}
        for tree in bottom_up([self], FilterTree.subtrees):
            below = [0 if child is None else memo[id(child)] for _, child in tree.fields]
            memo[id(tree)] = 0 if tree.is_empty() else 1 + max(below, default=0)
        return memo[id(self)]


_Child = Union["TreeBuilder", FilterTree, None]


def _name(field: tuple[str, FilterTree | None]) -> str:
    return field[0]


class TreeBuilder:
    """Accumulates declarations with union semantics, then ``build()`` freezes them.

    A leaf subsumes whatever is (or later gets) declared below it; ``*`` subsumes its level.
    A key keeps the position of its first declaration, whatever it later becomes.
    """

    __slots__ = ("_fields", "_star")

    def __init__(self) -> None:
        self._fields: dict[str, _Child] = {}
        self._star = False

    @classmethod
    def of(cls, tree: FilterTree) -> TreeBuilder:
        """A builder holding ``tree``'s top level; subtrees stay shared until written to."""
        builder = cls()
        builder._fields = dict(tree.fields)
        builder._star = tree.star
        return builder

    def add(self, segments: Sequence[str], *, star: bool = False, tree: FilterTree | None = None) -> None:
        """Declare a leaf at ``segments``, or ``*`` / a whole subtree under ``segments``."""
        node = self
        last = len(segments) - 1
        for index, name in enumerate(segments):
            if node._star:
                return
            fields = node._fields
            present = name in fields
            child = fields.get(name)
            if present and child is None:
                return  # an existing leaf subsumes the new declaration
            if index == last and not star:
                if tree is None:
                    fields[name] = None
                    return
                if not present:
                    fields[name] = tree
                    return
                if child is tree:
                    return
            if not present:
                child = fields[name] = TreeBuilder()
            elif isinstance(child, FilterTree):
                child = fields[name] = TreeBuilder.of(child)
            assert isinstance(child, TreeBuilder)
            node = child
        if node._star:
            return
        if star or (tree is not None and tree.star):
            node._star = True
            node._fields.clear()
        elif tree is not None:
            for name, sub in tree.fields:
                node.add((name,), tree=sub)

    def build(self, *, sort: bool = False) -> FilterTree:
        """Freeze into a ``FilterTree`` (shared subtrees are reused, not copied); bottom-up, so
        a path of any length builds. ``sort``: every level declared here comes sorted by key
        (a canonical form: the same declarations in any order give equal trees).
        """
        built: dict[int, FilterTree] = {}
        for builder in bottom_up([self], TreeBuilder._builders):
            fields = [
                (name, built[id(child)] if isinstance(child, TreeBuilder) else child)
                for name, child in builder._fields.items()
            ]
            if sort:
                fields.sort(key=_name)
            built[id(builder)] = FilterTree(tuple(fields), builder._star)
        return built[id(self)]

    def _builders(self) -> list[TreeBuilder]:
        return [child for child in self._fields.values() if isinstance(child, TreeBuilder)]


def union_trees(a: FilterTree, b: FilterTree) -> FilterTree:
    """What passes ``a`` or ``b``, with the union semantics of one field list (a leaf subsumes
    anything below it, ``*`` its siblings): how an audience's layer adds fields to the wider
    layers' whitelist. ``a``'s keys keep their places; ``b``'s new keys follow. Unchanged
    subtrees stay shared, so ``union_trees(a, a)`` and a union with ``[]`` cost nothing.
    """
    if b is a or b.is_empty():
        return a
    if a.is_empty():
        return b
    builder = TreeBuilder.of(a)
    builder.add((), tree=b)
    return builder.build()
