"""What the last build read, reused while its inputs are byte for byte the same: a no-change
rebuild still fetches the spec (the endpoint is the truth) and reads the filter files, but
skips validating and building the spec and parsing the filters again — most of its work.

Each cache is one pickle beside Sphinx's own ``environment.pickle`` (the doctree folder),
keyed by SHA-256 digests of the inputs and of the reading code (the package version and its
modules' sizes and times), so a new reader never sees an old result. They hold what
``environment.pickle`` holds of the same spec anyway: the model and the parsed whitelists;
headers and real (unredacted) URLs never reach them. A cache that cannot be read is a miss;
one that cannot be written costs the next build its speed, nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from sphinx_apidocs import __version__
from sphinx_apidocs.filters import LoadedFilter
from sphinx_apidocs.spec.sources import DocumentSet

SPEC_CACHE = "apidocs-spec.pickle"
FILTERS_CACHE = "apidocs-filters.pickle"
FORMAT = 1


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
    writes them."""

    def __init__(self, folder: str, reuse: bool = True) -> None:
        self.folder = folder
        self.reuse = reuse and bool(folder)

    def spec(self, key: str) -> Any:
        """What was stored under ``key`` (the built spec and what goes with it), or ``None``
        (no cache, another key, unreadable); the caller checks its type."""
        stored = _load(self.folder, SPEC_CACHE) if self.reuse else None
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            return stored[1]
        return None

    def store_spec(self, key: str, built: Any) -> None:
        if self.folder:
            _store(self.folder, SPEC_CACHE, (key, built))

    def filter_files(self) -> FilterFileCache:
        return FilterFileCache(self.folder, self.reuse)


FileKey = tuple[str, str]  # (display name, SHA-256 of the code and the file's bytes)


class FilterFileCache:
    """Parsed filter files by name and content; :meth:`save` keeps only this build's files."""

    def __init__(self, folder: str, reuse: bool = True) -> None:
        self.folder = folder
        stored = _load(folder, FILTERS_CACHE) if folder and reuse else None
        self._old: dict[FileKey, dict[str, LoadedFilter]] = stored if isinstance(stored, dict) else {}
        self._new: dict[FileKey, dict[str, LoadedFilter]] = {}

    @staticmethod
    def key(display: str, data: bytes) -> FileKey:
        return display, hashlib.sha256(code_fingerprint().encode() + b"\0" + data).hexdigest()

    def get(self, key: FileKey) -> dict[str, LoadedFilter] | None:
        parsed = self._old.get(key)
        if parsed is not None:
            self._new[key] = parsed
        return parsed

    def put(self, key: FileKey, parsed: dict[str, LoadedFilter]) -> None:
        self._new[key] = parsed

    def save(self, leave_out: Collection[str] = ()) -> None:
        """Store this build's files (not those displayed as in ``leave_out``)."""
        new = {key: value for key, value in self._new.items() if key[0] not in leave_out}
        if self.folder and new.keys() != self._old.keys():
            _store(self.folder, FILTERS_CACHE, new)
