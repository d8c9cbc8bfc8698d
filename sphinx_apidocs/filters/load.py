"""Finding filter files and loading them: trees for the docs, compiled filters for services."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Union

from sphinx_apidocs.filters.compile import compile_filter
from sphinx_apidocs.filters.errors import FilterError
from sphinx_apidocs.filters.parse import LoadedFilter, parse_filter_file
from sphinx_apidocs.filters.select import DEFAULT_CACHE_SIZE, CompiledFilters, FieldSelector

FILTER_SUFFIXES = (".yaml", ".yml", ".json")

PathArg = Union[str, "os.PathLike[str]"]
Paths = Union[PathArg, Iterable[PathArg]]

_cache: dict[tuple[tuple[str, ...], int], tuple[tuple[tuple[str, int, int], ...], CompiledFilters]] = {}


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
        if path.is_file():
            if path.suffix.lower() not in FILTER_SUFFIXES:
                raise FilterError("not a filter file (expected .yaml, .yml or .json)", given)
            found.append((path, given))
        elif path.is_dir():
            below: list[tuple[tuple[str, ...], Path]] = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    if not name.startswith(".") and name.lower().endswith(FILTER_SUFFIXES):
                        file = Path(folder, name)
                        below.append((file.relative_to(path).parts, file))
            found.extend((file, os.path.join(given, *parts)) for parts, file in sorted(below))
        else:
            raise FilterError("no such file or directory", given)
    return found


def load_filter_trees(paths: Paths) -> dict[str, LoadedFilter]:
    """Every nickname's ``(tree, location)`` from filter files or folders, in file order.

    The same nickname in two files is an error naming both places.
    """
    result: dict[str, LoadedFilter] = {}
    for file, display in filter_files(paths):
        for nickname, loaded in parse_filter_file(file, display).items():
            if nickname in result:
                raise FilterError(
                    f"duplicate nickname {nickname!r} (also defined at {result[nickname].location})",
                    loaded.location,
                )
            result[nickname] = loaded
    return result


def load_filters(paths: Paths, *, selection_cache_size: int = DEFAULT_CACHE_SIZE) -> CompiledFilters:
    """A read-only mapping nickname -> compiled filter, for a service to apply to responses.

    ``.select(nickname, fields)`` gives the compiled filter for a client's field selection
    within a whitelist (see ``select.FieldSelector``), cached in an LRU of
    ``selection_cache_size`` entries.

    Compiled once and cached per path; files are re-read only when the set of files or one of
    their modification times or sizes changes.
    """
    key = (tuple(os.path.abspath(p) for p in _as_list(paths)), selection_cache_size)
    files = filter_files(paths)
    stamp = tuple((str(f), st.st_mtime_ns, st.st_size) for f, _ in files for st in [f.stat()])
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    trees = {nickname: loaded.tree for nickname, loaded in load_filter_trees(paths).items()}
    compiled = {nickname: compile_filter(tree) for nickname, tree in trees.items()}
    selector = FieldSelector(trees, cache_size=selection_cache_size, compiled=compiled)
    result = CompiledFilters(compiled, selector)
    _cache[key] = (stamp, result)
    return result
