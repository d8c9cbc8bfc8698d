"""The output filters as the docs show them: each operation's whitelisted paths and where
its filter is defined.

Each filter file is parsed on its own, so one bad file costs only its own operations; its
problems become ``apidocs.filter`` warnings at the file, line and column. Duplicates follow
the runtime's policy (``filters.load_filters``): the same nickname in two files is an error
naming both places. The runtime then loads no filter at all; the docs, which must not show
a whitelist the service would not run with, show neither definition of that nickname.

A build that cannot reuse the parsed files of the last one has them parsed ahead, by a
helper process (:func:`parse_ahead`), while it loads the spec; the files are then only looked
up here, and any the helper could not parse are parsed (and their problems said) as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any
from dataclasses import dataclass, field

from sphinx_apidocs.filters import (
    FilterError,
    FilterTree,
    LoadedFilter,
    audience_layers,
    dotted_paths,
    duplicate_nickname,
    filter_files,
    parse_filter_bytes,
    union_trees,
)
from sphinx_apidocs.filters.parse import read_filter_file
from sphinx_apidocs.sphinxext.build_cache import BuildCache, FileKey, FilterFileCache
from sphinx_apidocs.sphinxext.warnings import Warn, warn


@dataclass(frozen=True)
class FilterEntry:
    """One operation's whitelist as the docs show it, and where it is defined."""

    paths: tuple[str, ...]
    location: str  # file:line:col of the nickname
    #: The parsed whitelist, for the response example (:mod:`sphinx_apidocs.examples`); not
    #: part of equality: ``paths`` says the same.
    tree: FilterTree | None = field(default=None, compare=False, repr=False)
    #: The audience folder the whitelist first comes from (``""``: no audiences).
    layer: str = field(default="", compare=False)


@dataclass
class FilterEntries:
    """Every usable entry by nickname, and the nicknames defined in more than one file."""

    entries: dict[str, FilterEntry] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)
    #: The parsed files of this build, saved by :meth:`save_cache` once the build knows which
    #: of them it may keep (a wider audience's build keeps none that names a narrower item).
    cache: FilterFileCache | None = field(default=None, repr=False)

    def save_cache(self, leave_out: Collection[str] = ()) -> None:
        """Keep the parsed files for the next build, but those of the entries ``leave_out``."""
        if self.cache is not None:
            files = {str(self.entries[n].location).rsplit(":", 2)[0] for n in leave_out if n in self.entries}
            self.cache.save(files)


def load_filter_entries(
    paths: Iterable[str],
    cache: BuildCache | None = None,
    audience: Mapping[str, Any] | None = None,
    visible: Collection[str] | None = None,
) -> FilterEntries:
    """Parse the filter files or folders ``paths``; warn about each problem (see the module).
    With a ``cache``, a file whose bytes are unchanged since the last build is not parsed
    again (:mod:`.build_cache`). With ``audience`` (``audience=``, ``audiences=`` of
    ``filters.audience_layers``), only the folders of that audience and every wider one are
    read, and a nickname in several of them gets the union of its whitelists, as at runtime.
    With ``visible`` (the operations a wider audience sees), problems of other nicknames are
    not said: the message would name an item of a narrower audience."""
    loaded: dict[str, LoadedFilter] = {}
    layer_of: dict[str, str] = {}
    conflicts: set[str] = set()
    files = (cache or BuildCache("")).filter_files()
    for layer, layer_files in _layers(list(paths), audience):
        in_layer: dict[str, LoadedFilter] = {}
        for file, display in layer_files:
            try:
                parsed = _parsed(file, display, files, visible)
            except FilterError as exc:
                warn(Warn.FILTER, exc.message, location=str(exc.location or display))
                continue
            for nickname, entry in parsed.items():
                if nickname in in_layer:
                    # The error ``filters.load_filters`` raises for the same files.
                    error = duplicate_nickname(nickname, in_layer[nickname], entry)
                    if visible is None or nickname in visible:
                        warn(Warn.FILTER, error.message, location=str(error.location))
                    conflicts.add(nickname)
                    continue
                in_layer[nickname] = entry
                if nickname in loaded:  # a narrower folder adds fields
                    loaded[nickname] = LoadedFilter(union_trees(loaded[nickname].tree, entry.tree), loaded[nickname].location)
                else:
                    loaded[nickname], layer_of[nickname] = entry, layer
    entries = {
        nickname: FilterEntry(tuple(dotted_paths(entry.tree)), str(entry.location), entry.tree, layer_of[nickname])
        for nickname, entry in loaded.items()
        if nickname not in conflicts
    }
    return FilterEntries(entries, conflicts, files)


def _parsed(file: str, display: str, cache: FilterFileCache, visible: Collection[str] | None) -> dict[str, LoadedFilter]:
    """``parse_filter_file(file, display)``, through the cache of unchanged files. A build of
    a wider audience (``visible``) caches only files naming operations it sees: the cache
    lives beside its doctrees."""
    data = read_filter_file(file, display)
    key = cache.key(display, data)
    parsed = cache.get(key)
    if parsed is None:
        parsed = cache.parsed_ahead(key) or parse_filter_bytes(data, display, json_syntax=file.lower().endswith(".json"))
        if visible is None or all(nickname in visible for nickname in parsed):
            cache.put(key, parsed)
    return parsed


def files_to_read(paths: Iterable[str], audience: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The ``(file, display name)`` pairs :func:`load_filter_entries` will read, listed as it
    lists them but quietly: that function says what is wrong with a path."""
    return [pair for _layer, files in _layers(list(paths), audience, say=_quiet) for pair in files]


def _quiet(kind: Warn, message: str, location: str | None = None) -> None:
    """A ``warn`` that says nothing (:func:`files_to_read`)."""


def parse_ahead(files: list[tuple[str, str]]) -> dict[FileKey, dict[str, LoadedFilter]]:
    """Each readable, valid file of ``files`` parsed, by cache key (the rest is left out: the
    build parses it again and says why it fails)."""
    parsed: dict[FileKey, dict[str, LoadedFilter]] = {}
    for file, display in files:
        try:
            data = read_filter_file(file, display)
            parsed[FilterFileCache.key(display, data)] = parse_filter_bytes(data, display, json_syntax=file.lower().endswith(".json"))
        except FilterError:
            continue
    return parsed


def _layers(
    paths: list[str], audience: Mapping[str, Any] | None, say: Callable[..., None] = warn
) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(layer, [(file, display name)])`` widest first: one layer ``""`` without audiences
    (every file below ``paths``; a missing or wrong path is warned about with ``say`` and skipped)."""
    if not audience:
        return [("", list(_files(paths, say)))]
    try:
        layers = audience_layers(paths, **audience)
    except FilterError as exc:
        say(Warn.FILTER, exc.message, location=str(exc.location or paths[0] if paths else ""))
        return []
    return [(layer, [(str(file), os.path.abspath(file)) for file, _ in files]) for layer, files in layers]


def _files(paths: Iterable[str], say: Callable[..., None] = warn) -> Iterable[tuple[str, str]]:
    for given in paths:
        try:
            files = filter_files([given])
        except FilterError as exc:
            say(Warn.FILTER, exc.message, location=str(exc.location or given))
            continue
        for file, _ in files:
            yield str(file), os.path.abspath(file)
