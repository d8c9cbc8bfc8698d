"""Finding filter files and loading them: trees for the docs, compiled filters for services."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, NoReturn, Union

from sphinx_apidocs.filters.compile import Filter
from sphinx_apidocs.filters.errors import FilterError, quoted
from sphinx_apidocs.filters.parse import LoadedFilter, parse_filter_bytes, parse_filter_file, read_filter_file
from sphinx_apidocs.filters.select import DEFAULT_CACHE_SIZE, FieldSelector

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


_cache: dict[tuple[tuple[str, ...], int], tuple[tuple[tuple[str, bytes], ...], CompiledFilters]] = {}


def _as_list(paths: Paths) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def filter_files(paths: Paths) -> list[tuple[Path, str]]:
    """``(file, display name)`` for each filter file: a file as given, or every
    ``*.yaml|*.yml|*.json`` below a folder, recursively, sorted by relative path. Hidden files and
    folders (a leading ``.``: editor backups, ``.git``) are skipped.
    """
    found: list[tuple[Path, str]] = []
    for given in _as_list(paths):
        path = Path(given)
        if path.is_dir():
            below: list[tuple[tuple[str, ...], Path]] = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    if not name.startswith(".") and name.lower().endswith(FILTER_SUFFIXES):
                        file = Path(folder, name)
                        below.append((file.relative_to(path).parts, file))
            found.extend((file, os.path.join(given, *parts)) for parts, file in sorted(below))
        elif path.exists() or path.is_symlink():  # a file (or a FIFO, refused when read)
            if path.suffix.lower() not in FILTER_SUFFIXES:
                raise FilterError("not a filter file (expected .yaml, .yml or .json)", given)
            found.append((path, given))
        else:
            raise FilterError("no such file or directory", given)
    return found


def load_filter_trees(paths: Paths) -> dict[str, LoadedFilter]:
    """Every nickname's ``(tree, location)`` from filter files or folders, in file order.

    The same nickname in two files is an error naming both places.
    """
    return _merge(parse_filter_file(file, display) for file, display in filter_files(paths))


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


def load_filters(paths: Paths, *, selection_cache_size: int = DEFAULT_CACHE_SIZE) -> CompiledFilters:
    """A read-only mapping nickname -> compiled filter, for a service to apply to responses.

    ``.select(nickname, fields)`` gives the compiled filter for a client's field selection
    within a whitelist (see ``select.FieldSelector``), cached in an LRU of
    ``selection_cache_size`` entries.

    Compiled once and cached per path, keyed by *content*: every call reads the files and
    compares the list of file names and a SHA-256 of each file's bytes with the cached ones.
    Modification times and sizes are not trusted (``rsync -t``, reproducible builds with a
    fixed mtime, and same-size edits keep them); the bytes hashed are the bytes parsed.
    """
    key = (tuple(os.path.abspath(p) for p in _as_list(paths)), selection_cache_size)
    contents = [(file, display, read_filter_file(file, display)) for file, display in filter_files(paths)]
    stamp = tuple((str(file), hashlib.sha256(data).digest()) for file, _, data in contents)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    loaded = _merge(
        parse_filter_bytes(data, display, json_syntax=str(file).lower().endswith(".json"))
        for file, display, data in contents
    )
    # The selector plans each whitelist once: for its compiled filter and for every request.
    selector = FieldSelector(loaded, cache_size=selection_cache_size)
    result = CompiledFilters({nickname: selector.whitelist(nickname) for nickname in loaded}, selector)
    _cache[key] = (stamp, result)
    return result
