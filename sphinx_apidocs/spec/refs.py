"""``$ref`` resolution for Swagger 2.0 / OpenAPI 3 documents, local and external.

A reference is ``[location]#/json/pointer``. The location part, if any, names another
document relative to the referring one: a file of the same folder, or a URL under the same
base as the root document. References that would leave that folder or URL base are refused,
so a spec can't make the loader read arbitrary files or hosts. External documents are
collected once, before normalization (:func:`collect_external`), with the same
:class:`~sphinx_apidocs.spec.fetch.Fetcher` and options as the root; they are kept in the
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
from typing import Any, Callable, Iterator, Sequence

from sphinx_apidocs.errors import FetchError, SpecError, json_pointer
from sphinx_apidocs.spec.fetch import Document, is_url, origin_of, redact_url, url_problem

MAX_DOCUMENTS = 200  # external documents per spec, a guard against generated ref mazes


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


def iter_refs(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every ``$ref`` value in ``data`` with the path of the object holding it (iterative)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, path)]
    seen: set[int] = set()
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if "$ref" in value:
                yield where, value["$ref"]
            for key, item in value.items():
                if isinstance(item, (dict, list)):
                    stack.append((item, (*where, key)))
        elif isinstance(value, list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            for index, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    stack.append((item, (*where, index)))


def collect_external(
    root: Document,
    fetch_all: Callable[[Sequence[str]], list[Document]],
    base: str,
) -> list[Document]:
    """Every document the root reaches through external ``$ref`` references, fetched wave by wave.

    Raises :class:`SpecError` for references that leave ``base`` (all of them at once), and
    lets :class:`FetchError` through for documents that can't be read.
    """
    # Keys are the real locations (a URL may carry credentials or a key: see fetch.redact_url).
    known: dict[str, Document] = {canonical(root.fetched_from): root}
    wave = [root]
    found: list[Document] = []
    while wave:
        wanted: dict[str, None] = {}
        problems: list[str] = []
        for document in wave:
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
                elif target not in known:
                    wanted[target] = None
        if problems:
            raise SpecError(problems)
        if len(known) + len(wanted) > MAX_DOCUMENTS:
            raise FetchError(f"{redact_url(root.location)}: references more than {MAX_DOCUMENTS} documents")
        wave = fetch_all(list(wanted))
        for document in wave:
            known[canonical(document.fetched_from)] = document
            found.append(document)
    return found


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
