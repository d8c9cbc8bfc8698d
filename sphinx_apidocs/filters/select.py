"""``FieldSelector``: a client's ``fields=`` within an operation's whitelist, compiled and cached.

A client may ask for less than an operation's whitelist (``fields=info.ref,auth_user``), never
for more. ``FieldSelector.select(nickname, fields)`` returns the compiled filter for exactly
the requested paths *within* the whitelist, cached (bounded LRU, thread-safe), so a hot
selection costs one dictionary lookup. ``load_filters`` returns a mapping whose ``select`` is
this one.

The parts, each in its module: the request syntax and limits (``request``), checking and
intersecting with the whitelist (``narrow``), compiling within the code budget (``budget``,
``interpret``). This module holds the caches and the public API.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Callable, NamedTuple, Protocol

from sphinx_apidocs.filters.budget import compile_selection
from sphinx_apidocs.filters.compile import Filter, compile_plan
from sphinx_apidocs.filters.errors import FieldSelectionError, UnknownOperationError
from sphinx_apidocs.filters.narrow import check, intersect, select_tree
from sphinx_apidocs.filters.parse import LoadedFilter
from sphinx_apidocs.filters.paths import dotted_paths
from sphinx_apidocs.filters.plan import Plan, plan_of
from sphinx_apidocs.filters.request import Fields, split_request
from sphinx_apidocs.filters.tree import FilterTree

DEFAULT_CACHE_SIZE = 256


class Select(Protocol):
    """The type of ``FieldSelector.select`` (and of ``CompiledFilters.select``)."""

    def __call__(self, nickname: str, fields: Fields = None) -> Filter: ...


class SelectionCacheInfo(NamedTuple):
    """``hits``: requests served from a cache; ``misses``: selections intersected and compiled
    (or rejected); ``currsize``/``maxsize``: compiled selections held / allowed.
    """

    hits: int
    misses: int
    maxsize: int
    currsize: int


class _Inexact(TypeError):
    """``fields`` of a type that must not be a cache key as it is (see ``_request_miss``)."""


class FieldSelector:
    """Compiled, cached field selections for a set of whitelists.

    ``trees`` maps nicknames to ``FilterTree``s (or ``LoadedFilter``s, as ``load_filter_trees``
    returns); ``compiled`` optionally supplies their already compiled whitelist filters.
    Two bounded LRU caches of ``cache_size`` entries each: one keyed by the request exactly as
    received (the hot path: one lookup), one by ``(nickname, canonical selection)`` so
    ``"b, a"`` and ``"a,b"`` share one compiled filter. ``cache_size=0`` disables caching.
    Each whitelist is planned once (``plan``): its compiled filter and the checks of every
    request walk that plan. Thread-safe; concurrent first requests for one selection may
    compile it twice (harmless).
    """

    select: Select  # a per-instance closure: see ``_fast_select``

    def __init__(
        self,
        trees: Mapping[str, FilterTree | LoadedFilter],
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
        compiled: Mapping[str, Filter] | None = None,
    ) -> None:
        if not isinstance(cache_size, int) or isinstance(cache_size, bool) or cache_size < 0:
            raise ValueError(f"cache_size must be an int >= 0, not {cache_size!r}")
        self._trees: dict[str, FilterTree] = {
            nickname: tree.tree if isinstance(tree, LoadedFilter) else tree for nickname, tree in trees.items()
        }
        for nickname, tree in self._trees.items():
            if not isinstance(tree, FilterTree):
                raise TypeError(f"{nickname!r}: expected a FilterTree, not {type(tree).__name__}")
        self._plans: dict[str, Plan] = {}
        self._whole: dict[str, Filter] = dict(compiled or {})
        self._allowed: dict[str, list[str]] = {}
        self.cache_size = cache_size
        self._by_request = functools.lru_cache(maxsize=cache_size)(self._request_miss)
        self._by_selection = functools.lru_cache(maxsize=cache_size)(self._selection_miss)
        self.select = _fast_select(self._by_request, self._select_converted)

    def __contains__(self, nickname: object) -> bool:
        return nickname in self._trees

    def tree(self, nickname: str) -> FilterTree:
        """The whitelist of ``nickname``; ``UnknownOperationError`` if there is none."""
        try:
            return self._trees[nickname]
        except KeyError:
            raise UnknownOperationError(nickname) from None

    def plan(self, nickname: str) -> Plan:
        """The plan of ``nickname``'s whitelist, made once (``plan_of``)."""
        plan = self._plans.get(nickname)
        if plan is None:
            plan = self._plans[nickname] = plan_of(self.tree(nickname))
        return plan

    def whitelist(self, nickname: str) -> Filter:
        """The compiled whitelist of ``nickname`` (what an empty selection returns)."""
        whole = self._whole.get(nickname)
        if whole is None:
            whole = self._whole[nickname] = compile_plan(self.plan(nickname))
        return whole

    def select_tree(self, nickname: str, fields: Fields = None) -> FilterTree:
        """The selected ``FilterTree`` (uncached), e.g. for ``dotted_paths``."""
        try:
            return select_tree(self.tree(nickname), fields, plan=self.plan(nickname))
        except FieldSelectionError as exc:
            exc.nickname = nickname
            raise

    def allowed(self, nickname: str) -> list[str]:
        """The whitelist's ``dotted_paths`` (what a client may ask for, leaf by leaf)."""
        paths = self._allowed.get(nickname)
        if paths is None:
            paths = self._allowed[nickname] = dotted_paths(self.tree(nickname))
        return list(paths)

    def cache_info(self) -> SelectionCacheInfo:
        """Hits, misses and sizes of the selection caches (see ``SelectionCacheInfo``)."""
        requests, selections = self._by_request.cache_info(), self._by_selection.cache_info()
        return SelectionCacheInfo(
            hits=requests.hits + selections.hits,
            misses=selections.misses,
            maxsize=self.cache_size,
            currsize=selections.currsize,
        )

    def cache_clear(self) -> None:
        """Empty both selection caches (the compiled whitelists stay)."""
        self._by_request.cache_clear()
        self._by_selection.cache_clear()

    def _select_converted(self, nickname: str, fields: Fields) -> Filter:
        """``select`` for ``fields`` that cannot be a cache key as they are: cache keys must
        compare by value, so they become exact ``str``s, in a tuple.
        """
        if fields is None or isinstance(fields, str):
            return self._by_request(nickname, fields if fields is None else str.__str__(fields))
        try:
            items = tuple(fields)
        except TypeError:
            raise TypeError(f"fields must be str, a list of str or None, not {type(fields).__name__}") from None
        for item in items:
            if not isinstance(item, str):
                raise TypeError(f"fields must be str, not {type(item).__name__}")
        return self._by_request(nickname, tuple(str.__str__(item) for item in items))

    def _request_miss(self, nickname: str, fields: Any) -> Filter:
        """A request seen for the first time: checked, then looked up by its canonical form.
        Only ``None``, an exact ``str`` or a tuple of them may be a key (they compare by value).
        """
        if fields is not None and type(fields) is not str and (
            type(fields) is not tuple or not all(type(item) is str for item in fields)
        ):
            raise _Inexact  # a generator, a str subclass...: never a cache key (not cached)
        items = split_request(fields)
        if not items:
            return self.whitelist(nickname)
        requested, problems = check(self.plan(nickname), items)
        if problems:
            raise FieldSelectionError(problems, self.allowed(nickname), nickname)
        return self._by_selection(nickname, requested)

    def _selection_miss(self, nickname: str, requested: FilterTree) -> Filter:
        whitelist = self.tree(nickname)
        tree = intersect(whitelist, requested)
        if tree is whitelist:
            return self.whitelist(nickname)
        return compile_selection(plan_of(tree))


def _fast_select(
    by_request: Callable[[str, Any], Filter], converted: Callable[[str, Fields], Filter]
) -> Select:
    """``FieldSelector.select`` for one instance: a closure over its request cache, so the
    hot path is one C-level LRU lookup and no attribute lookups.
    """

    def select(nickname: str, fields: Fields = None) -> Filter:
        """The compiled filter for the ``fields`` a client requested from ``nickname``.

        ``fields``: ``"a.b, c"``, a list of such strings, or ``None``/``""`` for the whole
        whitelist. Raises ``FieldSelectionError`` (a path outside the whitelist, bad syntax)
        or ``UnknownOperationError``.
        """
        try:  # the hot path (a ``try`` is free in 3.11+)
            return by_request(nickname, fields)
        except TypeError:  # unhashable (a list, as parse_qs gives) or not exact (_Inexact)
            if fields is None or type(fields) is str:
                raise
        return converted(nickname, fields)

    select.__qualname__ = "FieldSelector.select"
    return select
