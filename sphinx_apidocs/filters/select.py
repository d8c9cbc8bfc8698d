"""Runtime field selection: a client's ``fields=`` request, intersected with the whitelist.

A client may ask for less than an operation's whitelist (``fields=info.ref,auth_user``), never
for more. ``FieldSelector.select(nickname, fields)`` returns the compiled filter for exactly
the requested paths *within* the whitelist, cached (bounded LRU, thread-safe), so a hot
selection costs a dictionary lookup. ``load_filters`` returns a ``CompiledFilters`` mapping
whose ``select`` does the same for the loaded files.

Request syntax: comma-separated dotted paths (the filter-file syntax: ``\\.``, ``\\\\`` and
``\\*`` escapes; ``\\,`` for a literal comma in a name); whitespace around a path is ignored,
and so are empty items. No paths at all means the whole whitelist.

Semantics (``select_tree``): each requested path must lie within the whitelist:

* a whitelisted **container** (``info``) selects its whole whitelisted subtree;
* ``*`` selects every whitelisted key at its level (``info.*`` is the same as ``info``; a ``*``
  at the top is the whole whitelist);
* a path **below a whitelisted leaf or ``*``** (whitelist ``profile``, request ``profile.city``)
  is allowed and narrows it: the leaf passed the value whole, so any part of it may be asked
  for, and the part is filtered by the usual semantics (a non-object value there becomes
  ``None``, as for any container);
* anything else (a key the whitelist does not name, a path through a name the whitelist keeps
  only partly) raises ``FieldSelectionError`` listing every offending path and the allowed
  ones (``dotted_paths`` of the whitelist). A request is never silently widened or trimmed.

The result is the tree intersection (``intersect``): filtering with it equals filtering with
the whitelist and then with the request. Keys come in the whitelist's order; keys below a
whitelisted leaf or ``*`` come sorted (so the output does not depend on the request's order).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from typing import Any, Callable, Iterable, NamedTuple, Union

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import compile as _compile
from sphinx_apidocs.filters.codegen import STAR as STAR_SHAPE
from sphinx_apidocs.filters.codegen import fallback_shape, shape_of
from sphinx_apidocs.filters.compile import Filter, compile_filter, deep_apply
from sphinx_apidocs.filters.errors import printable, quoted
from sphinx_apidocs.filters.names import split_dotted
from sphinx_apidocs.filters.parse import LoadedFilter
from sphinx_apidocs.filters.paths import dotted_paths
from sphinx_apidocs.filters.tree import FilterTree, TreeBuilder

Fields = Union[str, Iterable[str], None]

DEFAULT_CACHE_SIZE = 256
MAX_PATHS = 1000  # distinct items in one request
MAX_DEPTH_BELOW = 32  # levels a path may reach below a whitelisted leaf or '*'
MAX_SELECTION_SHAPES = 512  # node factories selections may add to the process (see _compile_selection)
_MESSAGE_ALLOWED = 20  # allowed paths named in ``str()``; ``.allowed`` has all of them


class FieldSelectionError(ApidocsError, ValueError):
    """A client's field selection asks for something the whitelist does not allow.

    Not a ``FilterError``: the filter files are fine, the request is not (answer 400).
    ``invalid`` lists the offending paths as written, ``problems`` pairs each with its reason
    (the path is ``""`` for a problem of the whole request, such as too many paths),
    ``allowed`` is the whitelist's ``dotted_paths``; ``as_dict()`` is a ready JSON body.
    """

    def __init__(self, problems: list[tuple[str, str]], allowed: list[str], nickname: str | None = None) -> None:
        self.problems = list(problems)
        self.invalid = [path for path, _ in self.problems if path]  # '' for the whole request
        self.allowed = list(allowed)
        self.nickname = nickname
        parts = []
        # The message is one line whatever the request holds (``printable``); ``invalid`` and
        # ``allowed`` keep the exact paths.
        outside = [printable(path) for path, reason in self.problems if reason == "not allowed"]
        if outside:
            parts.append("not allowed: " + ", ".join(outside))
        parts += [printable(reason) for _, reason in self.problems if reason != "not allowed"]
        shown = ", ".join(printable(path) for path in self.allowed[:_MESSAGE_ALLOWED]) or "nothing"
        if len(self.allowed) > _MESSAGE_ALLOWED:
            shown += f", ... ({len(self.allowed) - _MESSAGE_ALLOWED} more)"
        self.message = f"fields: {'; '.join(parts)} (allowed: {shown})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """``{"error", "message", "invalid", "allowed"}``: a body for a 400 response."""
        return {
            "error": "invalid_fields",
            "message": self.message,
            "invalid": list(self.invalid),
            "allowed": list(self.allowed),
        }


class UnknownOperationError(ApidocsError, KeyError):
    """No filter for this nickname (a ``KeyError`` with a readable ``str()``)."""

    def __init__(self, nickname: str) -> None:
        self.nickname = nickname
        self.message = f"no filter for operation {nickname!r}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


# --- parsing a request ---------------------------------------------------------------------------


def split_fields(fields: Fields) -> list[str]:
    """The paths of a request: comma-separated, stripped, empty ones dropped, duplicates too.

    ``fields`` is a string or an iterable of strings (``parse_qs`` gives a list when
    ``fields=`` repeats); ``None`` is no request. ``\\,`` is a literal comma; other escapes are
    kept for ``split_dotted``.
    """
    return list(_split(fields).values())


def _split(fields: Fields) -> dict[str, str]:
    """``{path as written (stripped): path with '\\,' unescaped}``, in request order."""
    if fields is None:
        return {}
    if isinstance(fields, str):
        fields = (fields,)
    items: dict[str, str] = {}
    seen: set[str] = set()
    for text in fields:
        if not isinstance(text, str):
            raise TypeError(f"fields must be str, not {type(text).__name__}")
        if "\\," not in text:
            pieces = [(piece, piece) for piece in text.split(",")]
        else:
            pieces, start, current, i = [], 0, [], 0
            while i < len(text):
                ch = text[i]
                if ch == "\\" and i + 1 < len(text):
                    nxt = text[i + 1]
                    current.append("," if nxt == "," else ch + nxt)
                    i += 2
                    continue
                if ch == ",":
                    pieces.append((text[start:i], "".join(current)))
                    start, current = i + 1, []
                else:
                    current.append(ch)
                i += 1
            pieces.append((text[start:], "".join(current)))
        for raw, path in pieces:
            path = path.strip()
            if path and path not in seen:
                seen.add(path)
                items[raw.strip()] = path
    return items


# --- tree operations -----------------------------------------------------------------------------


def intersect(whitelist: FilterTree, requested: FilterTree) -> FilterTree:
    """What passes both trees: applying the result equals applying ``whitelist``, then
    ``requested``. Keys keep the whitelist's order; below a whitelist leaf or ``*`` the
    requested subtree is used as it is. Unchanged whitelist subtrees are returned as they are
    (shared), so the whole whitelist comes back as the same object.
    """
    memo: dict[tuple[int, int], FilterTree] = {}

    def meet(allowed: FilterTree, asked: FilterTree) -> FilterTree:
        key = (id(allowed), id(asked))
        done = memo.get(key)
        if done is not None:
            return done
        if asked.star:
            result = allowed
        elif allowed.star:
            result = asked
        else:
            wanted = dict(asked.fields)
            fields: list[tuple[str, FilterTree | None]] = []
            same = True
            for name, child in allowed.fields:
                if name not in wanted:
                    same = False
                    continue
                sub = wanted[name]
                if sub is None:
                    kept = child
                elif child is None:
                    kept, same = sub, False
                else:
                    kept = meet(child, sub)
                    same = same and kept is child
                fields.append((name, kept))
            result = allowed if same else FilterTree(tuple(fields))
        memo[key] = result
        return result

    return meet(whitelist, requested)


def _canonical(tree: FilterTree) -> FilterTree:
    """``tree`` with every level sorted by key: equal requests give equal (hashable) trees."""
    return FilterTree(
        tuple(sorted(((name, None if sub is None else _canonical(sub)) for name, sub in tree.fields),
                     key=lambda field: field[0])),
        tree.star,
    )


def _split_path(path: str) -> tuple[tuple[str, ...], bool]:
    """``split_dotted``, with a fast path for the common case: no escapes, no inner ``*``."""
    if "\\" not in path:
        segments = path.split(".")
        star = segments[-1] == "*"
        if star:
            del segments[-1]
        if all(segments) and not any("*" in segment for segment in segments):
            return tuple(segments), star
    return split_dotted(path)  # an escape, or an error to report in its words


def _check(whitelist: FilterTree, items: dict[str, str]) -> tuple[FilterTree, list[tuple[str, str]]]:
    """The canonical requested tree and the problems (``(as written, reason)``) of ``items``."""
    problems: list[tuple[str, str]] = []
    if len(items) > MAX_PATHS:
        return FilterTree(), [("", f"too many paths: {len(items)} (at most {MAX_PATHS})")]
    levels: dict[int, dict[str, FilterTree | None]] = {}
    builder = TreeBuilder()
    for item, path in items.items():
        try:
            segments, star = _split_path(path)
        except ValueError as exc:
            problems.append((item, str(exc)))
            continue
        node: FilterTree | None = whitelist
        below = -1  # levels the path reaches below a whitelisted leaf or '*'
        for index, name in enumerate(segments):
            if node is None or node.star:
                below = len(segments) - index + star
                break
            names = levels.get(id(node))
            if names is None:
                names = levels[id(node)] = dict(node.fields)
            if name not in names:
                break
            node = names[name]
        else:
            below = int(star and (node is None or node.star))
        if below < 0:
            problems.append((item, "not allowed"))
            continue
        if below > MAX_DEPTH_BELOW:
            problems.append((item, f"{quoted(item)} is nested too deeply below a whitelisted field"))
            continue
        builder.add(segments, star=star)
    return _canonical(builder.build()), problems


def select_tree(whitelist: FilterTree, fields: Fields) -> FilterTree:
    """The tree a request selects from ``whitelist`` (no cache); see the module docstring.

    Raises ``FieldSelectionError`` naming every path outside the whitelist or malformed.
    """
    items = _split(fields)
    if not items:
        return whitelist
    requested, problems = _check(whitelist, items)
    if problems:
        raise FieldSelectionError(problems, dotted_paths(whitelist))
    return intersect(whitelist, requested)


# --- compiling a selection -----------------------------------------------------------------------

_budget_lock = threading.Lock()
_selection_shapes = 0


def _compile_selection(tree: FilterTree) -> Filter:
    """``compile_filter(tree)``, unless that would generate node code for more new shapes
    than the process-wide budget allows: clients choose selections, and each new node shape
    is a compiled function kept for the life of the process. Past the budget, nodes whose
    shape was never generated use one generic (slower, same semantics) closure instead.
    """
    global _selection_shapes
    known = _compile._factories
    new: set[Any] = set()
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        shape = shape_of(node)
        for needed in (shape,) if node.star else (shape, fallback_shape(shape)):
            if needed not in known:
                new.add(needed)
        stack.extend(sub for _, sub in node.fields if sub is not None)
    with _budget_lock:
        fits = _selection_shapes + len(new) <= MAX_SELECTION_SHAPES
        if fits:
            _selection_shapes += len(new)
    if fits:
        return compile_filter(tree)
    return _compile_generic(tree)


def _compile_generic(tree: FilterTree) -> Filter:
    """Like ``compile_filter``, with a generic node wherever the shape's code does not exist
    (bottom-up with an explicit stack, like ``compile_filter``).
    """
    known = _compile._factories
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
        shape = shape_of(node)
        if node.star:
            built = _compile._factory(STAR_SHAPE)()
        elif shape in known and fallback_shape(shape) in known:
            args: list[Any] = []
            for name, sub in node.fields:
                args.append(name)
                if sub is not None:
                    args.append(compiled[id(sub)])
            args.append(known[fallback_shape(shape)])
            built = known[shape](*args)
        else:
            built = _generic_node(
                tuple((name, None if sub is None else compiled[id(sub)]) for name, sub in node.fields)
            )
        compiled[id(node)] = built
    return compiled[id(tree)]


def _generic_node(pairs: tuple[tuple[str, Filter | None], ...]) -> Filter:
    """One level, interpreted: the generated node's semantics (see ``codegen``) in a loop,
    including the mapping protocol for non-``dict`` mappings and the ``deep_apply`` fallback.
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

    node.spec = pairs  # type: ignore[attr-defined]
    return node


# --- the cached selector -------------------------------------------------------------------------


class _Inexact(TypeError):
    """``fields`` of a type that must not be a cache key as it is (see ``select``)."""


class SelectionCacheInfo(NamedTuple):
    """``hits``: requests served from a cache; ``misses``: selections intersected and compiled
    (or rejected); ``currsize``/``maxsize``: compiled selections held / allowed.
    """

    hits: int
    misses: int
    maxsize: int
    currsize: int


class FieldSelector:
    """Compiled, cached field selections for a set of whitelists.

    ``trees`` maps nicknames to ``FilterTree``s (or ``LoadedFilter``s, as ``load_filter_trees``
    returns); ``compiled`` optionally supplies their already compiled whitelist filters.
    Two bounded LRU caches of ``cache_size`` entries each: one keyed by the request exactly as
    received (the hot path: one lookup), one by ``(nickname, normalized selection)`` so
    ``"b, a"`` and ``"a,b"`` share one compiled filter. ``cache_size=0`` disables caching.
    Thread-safe; concurrent first requests for one selection may compile it twice (harmless).
    """

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
        self._whole: dict[str, Filter] = dict(compiled or {})
        self._allowed: dict[str, list[str]] = {}
        self.cache_size = cache_size
        self._by_request = functools.lru_cache(maxsize=cache_size)(self._request_miss)
        self._by_selection = functools.lru_cache(maxsize=cache_size)(self._selection_miss)
        self.select = self._fast_select()  # type: ignore[method-assign]

    def __contains__(self, nickname: object) -> bool:
        return nickname in self._trees

    def tree(self, nickname: str) -> FilterTree:
        """The whitelist of ``nickname``; ``UnknownOperationError`` if there is none."""
        try:
            return self._trees[nickname]
        except KeyError:
            raise UnknownOperationError(nickname) from None

    def whitelist(self, nickname: str) -> Filter:
        """The compiled whitelist of ``nickname`` (what an empty selection returns)."""
        whole = self._whole.get(nickname)
        if whole is None:
            whole = self._whole[nickname] = compile_filter(self.tree(nickname))
        return whole

    def select(self, nickname: str, fields: Fields = None) -> Filter:
        """The compiled filter for the ``fields`` a client requested from ``nickname``.

        ``fields``: ``"a.b, c"``, a list of such strings, or ``None``/``""`` for the whole
        whitelist. Raises ``FieldSelectionError`` (a path outside the whitelist, bad syntax)
        or ``UnknownOperationError``.
        """
        # Replaced per instance by the closure ``_fast_select`` makes (same behaviour, fewer
        # attribute lookups on the hot path); kept here for ``help()`` and subclasses.
        try:
            return self._by_request(nickname, fields)
        except TypeError:
            if fields is None or type(fields) is str:
                raise
        return self._select_converted(nickname, fields)

    def _fast_select(self) -> Callable[..., Filter]:
        by_request, converted = self._by_request, self._select_converted

        def select(nickname: str, fields: Fields = None) -> Filter:
            try:  # the hot path: one C-level LRU lookup (a ``try`` is free in 3.11+)
                return by_request(nickname, fields)
            except TypeError:  # unhashable (a list, as parse_qs gives) or not exact (_Inexact)
                if fields is None or type(fields) is str:
                    raise
            return converted(nickname, fields)

        select.__doc__ = FieldSelector.select.__doc__
        select.__qualname__ = "FieldSelector.select"
        return select

    def _select_converted(self, nickname: str, fields: Fields) -> Filter:
        """``select`` for ``fields`` that cannot be a cache key as they are: cache keys must
        compare by value, so they become exact ``str``s, in a tuple.
        """
        if isinstance(fields, str):
            fields = str.__str__(fields)
        else:
            try:
                items = tuple(fields)  # type: ignore[arg-type]
            except TypeError:
                raise TypeError(f"fields must be str, a list of str or None, not {type(fields).__name__}") from None
            for item in items:
                if not isinstance(item, str):
                    raise TypeError(f"fields must be str, not {type(item).__name__}")
            fields = tuple(str.__str__(item) for item in items)
        return self._by_request(nickname, fields)

    def select_tree(self, nickname: str, fields: Fields = None) -> FilterTree:
        """The selected ``FilterTree`` (uncached), e.g. for ``dotted_paths``."""
        try:
            return select_tree(self.tree(nickname), fields)
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
        requests, selections = self._by_request.cache_info(), self._by_selection.cache_info()
        return SelectionCacheInfo(
            hits=requests.hits + selections.hits,
            misses=selections.misses,
            maxsize=self.cache_size,
            currsize=selections.currsize,
        )

    def cache_clear(self) -> None:
        self._by_request.cache_clear()
        self._by_selection.cache_clear()

    def _request_miss(self, nickname: str, fields: str | tuple[str, ...] | None) -> Filter:
        if fields is not None and type(fields) is not str and (
            type(fields) is not tuple or not all(type(item) is str for item in fields)
        ):
            raise _Inexact  # a generator, a str subclass...: never a cache key (not cached)
        whitelist = self.tree(nickname)
        items = _split(fields)
        if not items:
            return self.whitelist(nickname)
        requested, problems = _check(whitelist, items)
        if problems:
            raise FieldSelectionError(problems, self.allowed(nickname), nickname)
        return self._by_selection(nickname, requested)

    def _selection_miss(self, nickname: str, requested: FilterTree) -> Filter:
        whitelist = self.tree(nickname)
        tree = intersect(whitelist, requested)
        if tree is whitelist:
            return self.whitelist(nickname)
        return _compile_selection(tree)


class CompiledFilters(dict):  # type: ignore[type-arg]
    """What ``load_filters`` returns: a read-only ``{nickname: compiled filter}`` mapping with
    ``select(nickname, fields)`` (``FieldSelector.select``) and ``selector``.

    A ``dict`` subclass so ``filters[nickname]`` stays a C-speed lookup; every mutating method
    raises ``TypeError``.
    """

    __slots__ = ("selector", "select")

    def __init__(self, compiled: Mapping[str, Filter], selector: FieldSelector) -> None:
        dict.__init__(self, compiled)
        self.selector = selector
        self.select = selector.select

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("compiled filters are read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CompiledFilters({dict.__repr__(self)})"

    def __reduce__(self) -> Any:
        raise TypeError("compiled filters cannot be pickled")
