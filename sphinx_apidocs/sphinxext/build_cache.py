"""What the last build read, reused while its inputs are byte for byte the same: a no-change
rebuild still fetches the spec (the endpoint is the truth) and reads the filter files, but
skips validating and building the spec and parsing the filters again — most of its work.

Each cache is one pickle beside Sphinx's own ``environment.pickle`` (the doctree folder),
keyed by SHA-256 digests of the inputs and of the reading code (the package version and its
modules' sizes and times), so a new reader never sees an old result. They hold what
``environment.pickle`` holds of the same spec anyway: the model and the parsed whitelists;
headers and real (unredacted) URLs never reach them. A cache that cannot be read is a miss;
one that cannot be written costs the next build its speed, nothing else. Where a second
core is free (:mod:`sphinx_apidocs.spec.aside`), a forked child pickles and writes a cache
while the build goes on; :meth:`BuildCache.close` waits for those writes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from sphinx_apidocs import __version__
from sphinx_apidocs.filters import LoadedFilter
from sphinx_apidocs.spec.aside import Aside
from sphinx_apidocs.spec.sources import DocumentSet

SPEC_CACHE = "apidocs-spec.pickle"
FILTERS_CACHE = "apidocs-filters.pickle"
FORMAT = 2  # 2: the spec cache holds one entry per key (several versions)


@functools.lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Version, cache format and the reading code (the modules of ``spec/`` and ``filters/``,
    by size and mtime): a changed reader misses."""
    root = Path(__file__).resolve().parent.parent
    parts = [__version__, str(FORMAT)]
    for path in sorted([*root.glob("spec/**/*.py"), *root.glob("filters/**/*.py")]):
        stat = path.stat()
        parts.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def documents_key(documents: DocumentSet) -> str:
    """SHA-256 of what the spec is built from: the reading code, the kind, each document."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(f"\0{documents.kind}\0{documents.source}\0".encode())
    if documents.listing is not None:
        digest.update(f"listing\0{documents.listing.location}\0".encode())
        digest.update(hashlib.sha256(documents.listing.raw).digest())
    for declared in documents.declarations:
        digest.update(f"declared\0{declared.document.location}\0{declared.resource_path}\0".encode())
        digest.update(f"{declared.description}\0{declared.snapshot_name}\0".encode())
        digest.update(hashlib.sha256(declared.document.raw).digest())
    return digest.hexdigest()


def _load(folder: str, name: str) -> Any:
    try:
        with open(os.path.join(folder, name), "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, like environment.pickle
    except Exception:  # noqa: BLE001 - any broken cache is just a miss
        return None


def _store(folder: str, name: str, value: Any) -> None:
    """Replace a cache atomically (a crash leaves the old one or none, never half of one)."""
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{name}-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, os.path.join(folder, name))
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return


class BuildCache:
    """The caches of one build in ``folder`` (``""``: none); ``reuse=False`` (``-E``) only
    writes them. A build of several API versions (``apidocs_versions``) keeps one spec entry
    per version and one filter-file cache for all of them: no version evicts another's."""

    def __init__(self, folder: str, reuse: bool = True) -> None:
        self.folder = folder
        self.reuse = reuse and bool(folder)
        self._stored: dict[str, Any] | None = None  # the last build's entries, read once
        self._kept: dict[str, Any] = {}  # this build's entries (hits and new ones)
        self._files: FilterFileCache | None = None
        self._writes: dict[str, Aside[None]] = {}  # cache files being written aside, by name

    def _entries(self) -> dict[str, Any]:
        if self._stored is None:
            stored = _load(self.folder, SPEC_CACHE) if self.reuse else None
            self._stored = stored if isinstance(stored, dict) else {}
        return self._stored

    def spec(self, key: str) -> Any:
        """What was stored under ``key`` (the built spec and what goes with it), or ``None``
        (no cache, another key, unreadable); the caller checks its type."""
        found = self._entries().get(key)
        if found is not None:
            self._kept[key] = found
        return found

    def store_spec(self, key: str, built: Any) -> None:
        """Keep ``built`` (written with this build's other entries: a version loaded later
        in the same build is added by its own call, one loaded earlier is already kept)."""
        if self.folder:
            self._kept[key] = built
            self._write(SPEC_CACHE, dict(self._kept))

    def _write(self, name: str, value: Any) -> None:
        """Store a cache file, aside where a core is free (after an earlier write of it)."""
        earlier = self._writes.pop(name, None)
        if earlier is not None:
            earlier.result()
        self._writes[name] = Aside(_store, self.folder, name, value)

    def close(self) -> None:
        """The end of loading: wait for the cache files still being written, and end a filter
        parse ahead whose results were not all taken (a load that failed)."""
        for write in self._writes.values():
            write.result()
        self._writes.clear()
        if self._files is not None and self._files.ahead is not None:
            self._files.ahead.close()
            self._files.ahead = None

    def filter_files(self) -> FilterFileCache:
        """The one filter-file cache of this build (shared by every version's filters)."""
        if self._files is None:
            self._files = FilterFileCache(self.folder, self.reuse, self._write)
        return self._files


FileKey = tuple[str, str]  # (display name, SHA-256 of the code and the file's bytes)


class FilterFileCache:
    """Parsed filter files by name and content; :meth:`save` keeps only this build's files."""

    def __init__(self, folder: str, reuse: bool = True, write: Callable[[str, Any], None] | None = None) -> None:
        self.folder = folder
        self._store = write or functools.partial(_store, folder)
        stored = _load(folder, FILTERS_CACHE) if folder and reuse else None
        self._old: dict[FileKey, dict[str, LoadedFilter]] = stored if isinstance(stored, dict) else {}
        self._new: dict[FileKey, dict[str, LoadedFilter]] = {}
        self._left_out: set[str] = set()
        self._saved: set[FileKey] = set(self._old.keys())
        #: Files being parsed ahead by a helper (``filter_entries.parse_ahead``): each is
        #: taken once, and kept only as :meth:`put` keeps a file this build parsed itself.
        self.ahead: Aside[dict[FileKey, dict[str, LoadedFilter]]] | None = None
        self._taken: dict[FileKey, dict[str, LoadedFilter]] | None = None

    @staticmethod
    def key(display: str, data: bytes) -> FileKey:
        return display, hashlib.sha256(code_fingerprint().encode() + b"\0" + data).hexdigest()

    def parsed_ahead(self, key: FileKey) -> dict[str, LoadedFilter] | None:
        """The file of ``key`` as the helper parsed it (waiting for it), or ``None``."""
        if self._taken is None:
            self._taken = self.ahead.result() if self.ahead is not None else {}
            self.ahead = None
        return self._taken.pop(key, None)

    @property
    def reused(self) -> bool:
        """Does this build have the last build's parsed files to look in?"""
        return bool(self._old)

    def get(self, key: FileKey) -> dict[str, LoadedFilter] | None:
        parsed = self._old.get(key)
        if parsed is not None:
            self._new[key] = parsed
        return parsed

    def put(self, key: FileKey, parsed: dict[str, LoadedFilter]) -> None:
        self._new[key] = parsed

    def save(self, leave_out: Collection[str] = ()) -> None:
        """Store this build's files (not those displayed as in ``leave_out``, nor those left
        out by an earlier call: each version's filters save through the same cache)."""
        self._left_out |= set(leave_out)
        new = {key: value for key, value in self._new.items() if key[0] not in self._left_out}
        if self.folder and new.keys() != self._saved:
            self._store(FILTERS_CACHE, new)
            self._saved = set(new.keys())
