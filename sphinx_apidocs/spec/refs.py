"""``$ref`` resolution for Swagger 2.0 / OpenAPI 3 documents, local and external.

A reference is ``[location]#/json/pointer``. The location part, if any, names another
document relative to the referring one. Where it may lead:

- **Files**: anywhere inside the **spec root** (real paths, symbolic links resolved), so a
  ``../common/Error.json`` layout works. The spec root is the one configured
  (``apidocs_spec_root``, ``--root``), else the nearest folder, from the spec's own folder
  up, that holds one of :data:`PROJECT_MARKERS` (the project's repository), else the
  spec's own folder (or the folder named as the source). The walk never picks the file
  system root or the user's home folder. ``file:`` and other schemes are refused.
- **URLs**: same origin and under the root document's URL base (its folder); a URL spec
  never reaches the disk, a file spec never reaches the network.

``x-*`` keys (vendor extensions, at any level) are opaque: a ``$ref`` inside one is never
followed (``x-ms-examples`` points at files that are no part of the API). Maps whose keys
are names (``properties``, ``headers``, ``components/schemas``...) are not extensions, so a
header named ``x-request-id`` is still read.

External documents are collected once, before normalization (:func:`collect_external`),
within a :class:`Budget` (documents and bytes in all); a referenced file that does not
exist is reported as missing, with the ``$ref`` that names it. They are kept in the
:class:`~sphinx_apidocs.spec.sources.DocumentSet` (so snapshots hold them too).

A lower layer, below both input formats: :mod:`.sources` uses the confinement rule
(:func:`inside`) and :func:`collect_external`; the OpenAPI reader uses :class:`Resolver`.
:class:`Resolver` only looks documents up; cycles are the caller's business (the schema
converter keeps track of what it is converting, see :mod:`.openapi.schemas`).
"""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Sequence

from sphinx_apidocs.errors import ConfigError, FetchError, SpecError, json_pointer, one_line
from sphinx_apidocs.spec.fetch import (
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_SPEC_BYTES,
    Document,
    is_url,
    origin_of,
    redact_url,
    url_problem,
)

#: What marks a project's root folder (the default spec root): a repository or a Python
#: project. ``conf.py`` is not one: a spec kept in ``docs/api/`` often refers to files
#: beside ``docs/``.
PROJECT_MARKERS = (".git", ".hg", ".svn", "pyproject.toml", "setup.cfg")
#: Problems listed at most in one error (missing files, refused references...).
MAX_LISTED = 50

#: Wraps each batch of documents as it is read: ``progress(documents, count)`` yields them
#: again, showing progress (Sphinx's ``status_iterator``, the CLI's terminal line).
Progress = Callable[[Iterable[Document], int], Iterable[Document]]


class RefError(Exception):
    """A reference that can't be followed; ``str()`` is the reason, without location."""


def split_ref(ref: str) -> tuple[str, str]:
    """``other.yaml#/a/b`` -> (``other.yaml``, ``/a/b``)."""
    location, _, fragment = ref.partition("#")
    return location, fragment


def pointer_parts(fragment: str) -> list[str]:
    """``/components/schemas/a~1b`` -> ``["components", "schemas", "a/b"]`` (RFC 6901 + URL escapes)."""
    fragment = urllib.parse.unquote(fragment)
    if not fragment:
        return []
    if not fragment.startswith("/"):
        raise RefError(f"fragment {fragment!r} is not a JSON pointer (must start with '/')")
    return [p.replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/")]


def target_location(location_part: str, referrer: str, root: str) -> str:
    """The document a ref's location part names, relative to the referring document.

    Raises :class:`RefError` for a malformed URL (bad port, bad IPv6 host...), a scheme
    other than http/https, or a NUL character in a path.
    """
    if is_url(referrer) or is_url(location_part):
        try:
            target = urllib.parse.urljoin(referrer, location_part)
            parts = urllib.parse.urlsplit(target)
        except ValueError:
            raise RefError(f"invalid URL {redact_url(location_part)!r}: {url_problem(location_part) or 'malformed'}") from None
        if not is_url(target):
            return target  # another scheme: refused by the caller (it is not inside the base)
        problem = url_problem(target)
        if problem:
            raise RefError(f"invalid URL {redact_url(target)!r}: {problem}")
        query = parts.query or urllib.parse.urlsplit(root).query  # keep the root's key, if any
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", location_part) and not re.match(r"^[A-Za-z]:[\\/]", location_part):
        raise RefError(f"unsupported reference scheme in {redact_url(location_part)!r} (only files and http/https URLs)")
    path = urllib.parse.unquote(location_part)
    if "\0" in path:
        raise RefError("the reference's file name contains a NUL character")
    return os.path.normpath(os.path.join(os.path.dirname(referrer), path))


def canonical(location: str) -> str:
    """One spelling per document: URLs as they are, file paths normalized."""
    return location if is_url(location) else os.path.normpath(location)


def base_of(root: str, folder: str | None = None) -> str:
    """What external references must stay within: a folder (real path) or a URL prefix."""
    if is_url(root):
        parts = urllib.parse.urlsplit(root)
        directory = parts.path[: parts.path.rfind("/") + 1] or "/"
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, directory, "", ""))
    return os.path.realpath(folder or os.path.dirname(root) or ".")


def find_spec_root(source: str) -> str:
    """The default spec root of a file or folder ``source`` (real path): the nearest folder,
    from the source's own folder up, holding one of :data:`PROJECT_MARKERS`; the file system
    root and the user's home folder are never picked (a home folder under version control
    would open every file in it). Without one: the source's own folder."""
    start = os.path.realpath(source)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    stops = {os.path.realpath(os.path.expanduser("~")), os.path.realpath(os.sep)}
    folder = start
    while folder not in stops:
        if any(os.path.lexists(os.path.join(folder, marker)) for marker in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return start


def spec_root(source: str, configured: str = "") -> str:
    """The spec root of a file or folder ``source``: ``configured`` (which must be a folder
    holding the source) or :func:`find_spec_root`. A :class:`ConfigError` names a bad one."""
    if not configured:
        return find_spec_root(source)
    if "\0" in configured or not os.path.isdir(configured):
        raise ConfigError(f"spec root {configured}: no such folder")
    root = os.path.realpath(configured)
    if not inside(source, root):
        raise ConfigError(f"spec root {configured}: does not hold the spec {source}")
    return root


def inside(target: str, base: str) -> bool:
    """The one confinement rule for everything the loader reads on its own: ``$ref``
    targets and the files of a scanned folder. A URL must have the base's origin (scheme,
    host, port) and path prefix; a file's *real* path (symbolic links resolved) must be
    inside the base folder's real path."""
    if is_url(base):
        if not is_url(target) or url_problem(target):
            return False
        t, b = urllib.parse.urlsplit(target), urllib.parse.urlsplit(base)
        path = posixpath.normpath(urllib.parse.unquote(t.path))
        base_path = urllib.parse.unquote(b.path)
        return origin_of(target) == origin_of(base) and (path + "/").startswith(base_path)
    if is_url(target) or "\0" in target:
        return False
    real = os.path.realpath(target)
    base = os.path.realpath(base)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def outside_message(path: str, folder: str) -> str:
    """The message for a scanned file that resolves outside the spec folder; worded like
    the ``$ref`` one (``... leaves the spec's folder FOLDER; refused``)."""
    return f"{path}: links to {os.path.realpath(path)}, which leaves the spec's folder {os.path.realpath(folder)}; refused"


#: Keys whose value is a map of *names* (a property called ``x-rate`` is no extension).
#: ``paths`` and an operation's ``responses`` are not: their ``x-`` keys are extensions.
NAME_MAPS = frozenset({
    "properties", "patternProperties", "definitions", "parameters",
    "securityDefinitions", "schemas", "requestBodies", "headers", "securitySchemes", "links",
    "callbacks", "pathItems", "examples", "encoding", "content", "webhooks", "$defs",
    "dependentSchemas", "scopes", "mapping", "variables",
})


def is_extension(key: Any) -> bool:
    """A vendor extension key (``x-...``): opaque, never followed."""
    return isinstance(key, str) and key[:2].lower() == "x-"


def iter_refs(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every ``$ref`` value in ``data`` with the path of the object holding it (iterative).

    Vendor extensions (``x-*`` keys of an object that is not a map of names) are skipped,
    whatever they hold.
    """
    stack: list[tuple[Any, tuple[Any, ...], bool]] = [(data, path, False)]
    seen: set[int] = set()
    while stack:
        value, where, names = stack.pop()
        if isinstance(value, dict):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if "$ref" in value and not names:
                yield where, value["$ref"]
            for key, item in reversed(value.items()):  # reversed: yielded in document order
                if not isinstance(item, (dict, list)) or (not names and is_extension(key)):
                    continue
                stack.append((item, (*where, key), not names and key in NAME_MAPS))
        elif isinstance(value, list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            for index in range(len(value) - 1, -1, -1):
                if isinstance(value[index], (dict, list)):
                    stack.append((value[index], (*where, index), False))


class Budget:
    """How many documents, and how many bytes in all, one spec may read (memory stays bounded
    whatever a listing or a ``$ref`` maze names). ``setting`` names the knobs in messages."""

    def __init__(
        self,
        max_documents: int = DEFAULT_MAX_DOCUMENTS,
        max_bytes: int = DEFAULT_MAX_SPEC_BYTES,
        source: str = "",
    ) -> None:
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self.source = source
        self.documents = 0
        self.bytes = 0

    def reserve(self, count: int) -> None:
        """Before reading ``count`` more documents: a :class:`FetchError` if they don't fit."""
        if self.documents + count > self.max_documents:
            raise FetchError(
                f"{redact_url(self.source)}: the spec has more than {self.max_documents} documents "
                f"({self.documents} read, {count} more referenced); raise apidocs_max_documents / --max-documents"
            )

    def charge(self, document: Document) -> None:
        """After reading a document: count it; a :class:`FetchError` past the byte budget."""
        self.documents += 1
        self.bytes += len(document.raw)
        if self.bytes > self.max_bytes:
            raise FetchError(
                f"{redact_url(self.source)}: the spec's documents exceed {self.max_bytes} bytes in all "
                f"(at {document.location}); raise apidocs_max_spec_bytes / --max-spec-bytes"
            )


def _listed(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED:
        return problems
    return problems[:MAX_LISTED] + [f"... and {len(problems) - MAX_LISTED} more"]


def iter_concurrently(func: Callable[[str], Document], items: Sequence[str], workers: int) -> Iterator[Document]:
    """``func`` over ``items`` on a bounded thread pool, yielded in order as they come."""
    if len(items) <= 1 or workers <= 1:
        yield from map(func, items)
        return
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        yield from pool.map(func, items)


def collect_external(
    root: Document,
    read: Callable[[str], Document],
    base: str,
    *,
    budget: Budget | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[Document]:
    """Every document the root reaches through external ``$ref`` references, read wave by
    wave with ``read`` (``workers`` at a time), within ``budget``.

    Raises :class:`SpecError` for references that leave ``base`` (all of them at once), and
    :class:`FetchError` for referenced files that do not exist (all of them, one line each
    with the ``$ref`` naming it), a document that can't be read (named with the first
    ``$ref`` to it) or a spec over its budget.
    """
    budget = budget or Budget(source=root.location)
    # Keys are the real locations (a URL may carry credentials or a key: see fetch.redact_url).
    known: dict[str, Document] = {canonical(root.fetched_from): root}
    wave = [root]
    found: list[Document] = []
    while wave:
        wanted: dict[str, str] = {}  # target -> the first "document#/pointer" naming it
        problems: list[str] = []
        missing: list[str] = []
        for document in wave:
            if not document.survey.foreign_refs:  # parsing saw no $ref leading out of it
                continue
            shown = redact_url(document.location)
            for where, ref in iter_refs(document.data):
                if not isinstance(ref, str) or ref.startswith("#") or not split_ref(ref)[0]:
                    continue
                pointer = f"{shown}#{json_pointer([*where, '$ref'])}"
                try:
                    target = target_location(split_ref(ref)[0], document.fetched_from, root.fetched_from)
                except RefError as exc:
                    problems.append(f"{pointer}: {exc}")
                    continue
                if not inside(target, base):
                    problems.append(
                        f"{pointer}: reference {redact_url(ref)!r} leaves the spec's "
                        f"{'URL base' if is_url(base) else 'folder'} {redact_url(base)}; refused"
                    )
                elif target not in known and target not in wanted:
                    if not is_url(target) and not os.path.lexists(target):
                        missing.append(f"{pointer}: {one_line(target)}: cannot read: no such file (the $ref names a missing file)")
                        known[target] = root  # reported once
                        continue
                    wanted[target] = pointer
        if problems:
            raise SpecError(_listed(problems))
        if missing:
            raise FetchError("\n".join(_listed(missing)))
        if not wanted:
            break
        budget.reserve(len(wanted))
        wave = []
        targets = list(wanted)
        documents = iter_concurrently(_naming(read, wanted), targets, workers)
        for document in progress(documents, len(targets)) if progress else documents:
            budget.charge(document)
            wave.append(document)
        for target, document in zip(targets, wave):
            known[canonical(target)] = document
            found.append(document)
    return found


def _naming(read: Callable[[str], Document], referrers: dict[str, str]) -> Callable[[str], Document]:
    """``read``, with a failure's message led by the ``$ref`` that asked for the document."""

    def read_one(target: str) -> Document:
        try:
            return read(target)
        except FetchError as exc:
            raise FetchError(f"{referrers[target]}: {exc}") from None

    return read_one


class Resolver:
    """Looks up ``$ref`` targets among the root document and its external documents."""

    def __init__(self, root: Document, others: Sequence[Document] = ()) -> None:
        self.root = canonical(root.location)
        self.documents: dict[str, Any] = {self.root: root.data}
        for document in others:
            self.documents.setdefault(canonical(document.location), document.data)

    def resolve(self, ref: Any, referrer: str) -> tuple[str, tuple[str, ...], Any]:
        """(document, pointer parts, value) of ``ref`` as written in document ``referrer``."""
        if not isinstance(ref, str):
            raise RefError(f"$ref must be a string, got {type(ref).__name__}")
        location_part, fragment = split_ref(ref)
        # Documents are known by their redacted locations; redacting the computed target
        # the same way finds them (redact_url is idempotent).
        location = canonical(redact_url(target_location(location_part, referrer, self.root))) if location_part else canonical(referrer)
        if location not in self.documents:
            raise RefError(f"unresolved reference {redact_url(ref)!r}: document {redact_url(location)} was not loaded")
        value = self.documents[location]
        parts = pointer_parts(fragment)
        for part in parts:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise RefError(f"unresolved reference {redact_url(ref)!r}")
        return location, tuple(parts), value
