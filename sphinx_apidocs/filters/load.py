"""Finding filter files and loading them: trees for the docs, compiled filters for services.

With an audience order (``audiences.yaml`` or an argument), a folder's files form layers, one
per audience, widest first; an audience's whitelists are the union of its layer and every
wider one (``audience_layers``, ``union_trees``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, NoReturn, Sequence, Union

from sphinx_apidocs.filters.audiences import ORDER_FILE, check_order, read_order, same_orders
from sphinx_apidocs.filters.compile import Filter
from sphinx_apidocs.filters.errors import FilterError, quoted
from sphinx_apidocs.filters.parse import LoadedFilter, parse_filter_bytes, parse_filter_file, read_filter_file
from sphinx_apidocs.filters.select import DEFAULT_CACHE_SIZE, FieldSelector
from sphinx_apidocs.filters.tree import union_trees

FILTER_SUFFIXES = (".yaml", ".yml", ".json")

PathArg = Union[str, "os.PathLike[str]"]
Paths = Union[PathArg, Iterable[PathArg]]


class CompiledFilters(dict[str, Filter]):
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

    def __setitem__(self, key: str, value: Filter) -> NoReturn:
        _read_only()

    def __delitem__(self, key: str) -> NoReturn:
        _read_only()

    # mypy wants an in-place operator to take what ``dict.__or__`` takes, and an override to
    # take what ``dict.__ior__`` takes; no signature can do both, and this one only raises.
    def __ior__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        _read_only()

    def clear(self) -> NoReturn:
        _read_only()

    def pop(self, *args: Any) -> NoReturn:
        _read_only()

    def popitem(self) -> NoReturn:
        _read_only()

    def setdefault(self, *args: Any) -> NoReturn:
        _read_only()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _read_only()

    def __repr__(self) -> str:
        return f"CompiledFilters({dict.__repr__(self)})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("compiled filters cannot be pickled")


def _read_only() -> NoReturn:
    raise TypeError("compiled filters are read-only")


_cache: dict[
    tuple[tuple[str, ...], int, str, tuple[str, ...]],
    tuple[tuple[tuple[str, str, bytes], ...], CompiledFilters],
] = {}

Layers = list[tuple[str, list[tuple[Path, str]]]]
"""``audience_layers``: ``(audience, [(file, display name)])`` per layer, widest first."""


def _as_list(paths: Paths) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _found(given: str) -> list[tuple[tuple[str, ...], Path, str]]:
    """``(parts, file, display name)`` of the filter files of one path: a file as given (no
    parts), or every ``*.yaml|*.yml|*.json`` below a folder, recursively, sorted by relative
    path (``parts``). Hidden files and folders (a leading ``.``: editor backups, ``.git``)
    are skipped, and so is the folder's own ``audiences.yaml`` (an order, not filters).
    """
    path = Path(given)
    if path.is_dir():
        below: list[tuple[tuple[str, ...], Path]] = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if not name.startswith(".") and name.lower().endswith(FILTER_SUFFIXES):
                    file = Path(folder, name)
                    parts = file.relative_to(path).parts
                    if parts != (ORDER_FILE,):
                        below.append((parts, file))
        return [(parts, file, os.path.join(given, *parts)) for parts, file in sorted(below)]
    if path.exists() or path.is_symlink():  # a file (or a FIFO, refused when read)
        if path.suffix.lower() not in FILTER_SUFFIXES:
            raise FilterError("not a filter file (expected .yaml, .yml or .json)", given)
        return [((), path, given)]
    raise FilterError("no such file or directory", given)


def filter_files(paths: Paths) -> list[tuple[Path, str]]:
    """``(file, display name)`` for each filter file: a file as given, or every
    ``*.yaml|*.yml|*.json`` below a folder, recursively, sorted by relative path. Hidden files and
    folders (a leading ``.``: editor backups, ``.git``) are skipped, and so is a folder's
    ``audiences.yaml``. Every audience's files: ``audience_layers`` sorts them into layers.
    """
    return [(file, display) for given in _as_list(paths) for _, file, display in _found(given)]


def _order(given: list[str], audiences: object) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """The audience order, where it comes from (for messages) and the audiences the
    ``audiences.yaml`` files list that the order leaves out.

    The order is ``audiences`` when given, else the ``audiences.yaml`` at the top of the
    folders given (every one there must list the same order), else ``()``. The files are read
    either way: a malformed one is an error, and an audience they list that ``audiences``
    leaves out must have no folder (``_layer_of``), or its files would reach every audience.
    """
    found = []
    for folder in given:
        candidate = Path(folder, ORDER_FILE)
        if Path(folder).is_dir() and (candidate.exists() or candidate.is_symlink()):
            display = os.path.join(folder, ORDER_FILE)
            found.append((read_order(candidate, display), display))
    if audiences is None:
        return same_orders(found), found[0][1] if found else None, ()
    order = check_order(audiences)
    left_out = {name: None for listed, _ in found for name in listed if name not in order}
    return order, "audiences", tuple(left_out)


def audience_order(paths: Paths, audiences: Sequence[str] | None = None) -> tuple[str, ...]:
    """The audiences of the filters at ``paths``, widest first: ``audiences`` (checked) when
    given, else the ``audiences.yaml`` at the top of the filter folder, else ``()`` (no order
    known: one audience, every file). A bad order is a one-line ``FilterError``.
    """
    return _order(_as_list(paths), audiences)[0]


def _layers(
    given: list[str], audience: str | None, audiences: Sequence[str] | None
) -> tuple[tuple[str, ...], Layers]:
    """The order and the layers ``audience`` sees (see ``audience_layers``)."""
    order, source, left_out = _order(given, audiences)
    if audience is not None and not isinstance(audience, str):
        raise FilterError(f"an audience must be a string, not {type(audience).__name__}", "audience")
    if not order:
        if audience is not None:
            raise FilterError(
                f"audience {quoted(audience)} asked for, but no audience order is known: give the order "
                f"(audiences, --audiences) or list it in {ORDER_FILE} at the top of the filter folder",
                given[0] if given else None,
            )
        return order, [("", filter_files(given))]
    if audience is None:
        audience = order[0]  # the widest: the safe default, nothing narrower leaks
    elif audience not in order:
        raise FilterError(f"unknown audience {quoted(audience)} (the audiences: {', '.join(order)})", source)
    layers: dict[str, list[tuple[Path, str]]] = {name: [] for name in order[: order.index(audience) + 1]}
    folded: dict[str, str | None] = {name.casefold(): None for name in left_out}
    folded.update((name.casefold(), name) for name in order)
    for folder in given:
        for parts, file, display in _found(folder):
            layer = layers.get(_layer_of(parts, folder, order[0], folded))
            if layer is not None:
                layer.append((file, display))
    return order, list(layers.items())


def _layer_of(parts: tuple[str, ...], folder: str, widest: str, folded: dict[str, str | None]) -> str:
    """The audience of the file at ``parts`` below ``folder``: the audience whose folder it is
    in (``folder/<audience>/...``), else the widest. ``folded``: casefolded name -> audience
    (``None``: an audience of ``audiences.yaml`` the order given leaves out). A folder named
    like an audience anywhere else, in another case, or after a left-out audience is an
    error: its files would silently reach a wider audience.
    """
    layer = widest
    for depth, name in enumerate(parts[:-1]):
        key = name.casefold()
        if key not in folded:
            continue
        audience = folded[key]
        where = os.path.join(folder, *parts[: depth + 1])
        if audience is None:
            raise FilterError(
                f"{quoted(name)} is an audience in {ORDER_FILE} but not in the audience order given: "
                "its files would reach every audience",
                where,
            )
        if depth:
            raise FilterError(
                f"an audience folder must be at the top of the filter folder: write "
                f"{os.path.join(folder, audience)}{os.sep}... for the audience {quoted(audience)}",
                where,
            )
        if name != audience:
            raise FilterError(
                f"folder {quoted(name)} is not the audience {quoted(audience)}: name it exactly as the audience",
                where,
            )
        layer = audience
    return layer


def audience_layers(
    paths: Paths, audience: str | None = None, audiences: Sequence[str] | None = None
) -> Layers:
    """The filter files ``audience`` sees, layer by layer, widest first: ``[(audience,
    [(file, display name)])]``, one entry per audience from the widest to ``audience`` (empty
    ones too).

    The widest layer holds the files directly in the folder and in its folders not named
    after an audience; ``<folder>/<audience>/...`` hold the fields added for that audience.
    The order: ``audiences``, else ``audiences.yaml`` (``audience_order``). ``audience=None``
    is the widest. No order known: one layer ``("", every file)`` (an audience asked for is
    then an error, as is an audience not in the order).
    """
    return _layers(_as_list(paths), audience, audiences)[1]


def load_filter_trees(
    paths: Paths, *, audience: str | None = None, audiences: Sequence[str] | None = None
) -> dict[str, LoadedFilter]:
    """Every nickname's ``(tree, location)`` that ``audience`` sees (``audience_layers``), in
    file order.

    The same nickname in two files of one layer is an error naming both places; in two
    layers, the narrower adds its fields (``union_trees``), and the location is the widest
    layer's.
    """
    layers = audience_layers(paths, audience, audiences)
    return _union(_merge(parse_filter_file(file, display) for file, display in files) for _, files in layers)


def _union(layers: Iterable[dict[str, LoadedFilter]]) -> dict[str, LoadedFilter]:
    """The layers' filters merged, widest first: a nickname's trees are united, and it keeps
    the widest layer's location (and place in the order).
    """
    result: dict[str, LoadedFilter] = {}
    for layer in layers:
        for nickname, loaded in layer.items():
            wider = result.get(nickname)
            result[nickname] = loaded if wider is None else LoadedFilter(union_trees(wider.tree, loaded.tree), wider.location)
    return result


def _merge(files: Iterable[dict[str, LoadedFilter]]) -> dict[str, LoadedFilter]:
    """One mapping of the nicknames of every file, in order; a nickname in two files is an
    error naming both places.
    """
    result: dict[str, LoadedFilter] = {}
    for filters in files:
        for nickname, loaded in filters.items():
            if nickname in result:
                raise duplicate_nickname(nickname, result[nickname], loaded)
            result[nickname] = loaded
    return result


def duplicate_nickname(nickname: str, first: LoadedFilter, again: LoadedFilter) -> FilterError:
    """The error for a nickname defined in two files, located at the second; the one wording
    the runtime raises and the Sphinx extension warns with."""
    return FilterError(f"duplicate nickname {quoted(nickname)} (also defined at {first.location})", again.location)


def load_filters(
    paths: Paths,
    *,
    audience: str | None = None,
    audiences: Sequence[str] | None = None,
    selection_cache_size: int = DEFAULT_CACHE_SIZE,
) -> CompiledFilters:
    """A read-only mapping nickname -> compiled filter, for a service to apply to responses:
    the whitelists ``audience`` sees (``load_filter_trees``; ``None``: the widest).

    ``.select(nickname, fields)`` gives the compiled filter for a client's field selection
    within a whitelist (see ``select.FieldSelector``), cached in an LRU of
    ``selection_cache_size`` entries. A path only a narrower audience may see fails exactly as
    a path that exists nowhere: the whitelist is all there is.

    Compiled once and cached per path, audience and order, keyed by *content*: every call
    reads the files and compares the list of file names and a SHA-256 of each file's bytes
    with the cached ones. Modification times and sizes are not trusted (``rsync -t``,
    reproducible builds with a fixed mtime, and same-size edits keep them); the bytes hashed
    are the bytes parsed.
    """
    given = _as_list(paths)
    order, layers = _layers(given, audience, audiences)
    key = (tuple(os.path.abspath(p) for p in given), selection_cache_size, layers[-1][0], order)
    contents = [
        (layer, file, display, read_filter_file(file, display)) for layer, files in layers for file, display in files
    ]
    stamp = tuple((layer, str(file), hashlib.sha256(data).digest()) for layer, file, _, data in contents)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    parsed: dict[str, list[dict[str, LoadedFilter]]] = {name: [] for name, _ in layers}
    for layer, file, display, data in contents:
        parsed[layer].append(parse_filter_bytes(data, display, json_syntax=str(file).lower().endswith(".json")))
    loaded = _union(_merge(files) for files in parsed.values())
    # The selector plans each whitelist once: for its compiled filter and for every request.
    selector = FieldSelector(loaded, cache_size=selection_cache_size)
    result = CompiledFilters({nickname: selector.whitelist(nickname) for nickname in loaded}, selector)
    _cache[key] = (stamp, result)
    return result
