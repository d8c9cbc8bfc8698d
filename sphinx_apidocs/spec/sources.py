"""Find the documents of an API: a listing and its declarations, from a URL, file or folder.

Declarations are matched to listing entries by ``resourcePath``, not by file name: real
listings point at files that are named differently, or even swapped (see the corpus). Over
HTTP the declaration URL is the listing URL + the entry's path (``.{format}`` -> ``.json``),
or the entry itself when it is an absolute URL; those fetches run concurrently.

Swagger 2.0 / OpenAPI 3.x documents (JSON or YAML) are recognised too: the set then holds
the root document first and every document it reaches through external ``$ref`` references
(files inside the spec root, or URLs under the root document's URL base: see
:mod:`.refs`), and ``kind`` is ``"openapi"``. Everything read counts against the spec's
budget (``FetchOptions.max_documents`` and ``max_spec_bytes``). In a folder, the one document with
a top-level ``swagger``/``openapi`` key is the root (YAML files are read only when the
folder has no Swagger 1.x document).
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from sphinx_apidocs.errors import FetchError, SpecError
from sphinx_apidocs.spec.fetch import (
    YAML_EXTENSIONS,
    Document,
    Fetcher,
    FetchOptions,
    is_url,
    read_file,
    redact_url,
    scheme_of,
    url_problem,
)
from sphinx_apidocs.spec.headers import expand_headers
from sphinx_apidocs.spec.detect import is_openapi, openapi_version
from sphinx_apidocs.spec.refs import (
    Budget,
    base_of,
    collect_external,
    inside,
    iter_concurrently,
    outside_message,
    spec_root,
)
from sphinx_apidocs.spec.validate import validate_document

FORMAT_SUFFIX = ".{format}"
#: Extensions a listing entry may give its declaration's file (``/v1/user.json``).
DOCUMENT_EXTENSIONS = (".json", *YAML_EXTENSIONS)
#: A listing naming more declarations than this is refused: each is a request (bounded by
#: the deadline), and a hostile listing could otherwise keep a build busy for days.
MAX_DECLARATIONS = 1000
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Declared:
    """A declaration document together with what the listing says of it."""

    document: Document
    resource_path: str
    description: str
    snapshot_name: str  # relative file name under which a snapshot stores it


@dataclass(frozen=True)
class DocumentSet:
    """The documents of one API. ``kind`` is ``"swagger"`` (1.x: a listing and declarations)
    or ``"openapi"`` (2.0/3.x: ``declarations[0]`` is the root document, the others are the
    documents its external ``$ref`` references reach; ``listing`` is ``None``)."""

    source: str  # as shown: a path, or the URL redacted (see fetch.redact_url)
    listing: Document | None
    declarations: tuple[Declared, ...]
    kind: str = "swagger"


def document_kind(data: Any) -> str:
    """``listing``, ``declaration`` or ``openapi`` (Swagger 2.0 / OpenAPI 3.0, 3.1);
    anything else is a one-line :class:`SpecError` reason."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object at the top level")
    if is_openapi(data):
        openapi_version(data)  # an unsupported version is the reason
        return "openapi"
    apis = data.get("apis")
    if "resourcePath" in data:
        return "declaration"
    if isinstance(apis, list):
        if any(isinstance(api, dict) and "operations" in api for api in apis):
            return "declaration"
        return "listing"
    if "swaggerVersion" not in data:
        raise ValueError("not a Swagger 1.x document: no 'swaggerVersion' and no 'apis'")
    raise ValueError("not a resource listing or API declaration: no 'apis' array")


def entry_key(path: str) -> str:
    """The resource path a listing entry names: ``/auth.{format}`` -> ``/auth``."""
    if is_url(path):
        path = _url_path(path)
    return normalize_resource_path(path.replace(FORMAT_SUFFIX, ""))


def _url_path(url: str) -> str:
    """The path of a URL, malformed authority or not (never raises)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    slash = rest.find("/")
    return urllib.parse.unquote(rest[slash:]) if slash >= 0 else "/"


def normalize_resource_path(path: str) -> str:
    path = path.strip()
    path = "/" + path.lstrip("/")
    return path.rstrip("/") or "/"


def declaration_url(listing_url: str, entry_path: str) -> str:
    """Listing URL + entry path, keeping the listing's query string (it may carry a key)."""
    path = entry_path.replace(FORMAT_SUFFIX, ".json")
    if is_url(path):
        return path
    parts = urllib.parse.urlsplit(listing_url)
    joined = parts.path.rstrip("/") + "/" + path.lstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, joined, parts.query, ""))


def _entry_problem(entry_path: str) -> str | None:
    """Why a listing entry can't name a declaration URL (malformed, or not http/https), or None."""
    scheme = scheme_of(entry_path)
    if scheme and scheme not in ("http", "https") and "://" in entry_path:
        return f"unsupported scheme {scheme!r} (only http and https)"
    if is_url(entry_path):
        return url_problem(entry_path)
    return None


def snapshot_name(key: str) -> str:
    """A safe relative file name for a resource path: ``/apis/batch/v1`` -> ``apis/batch/v1.json``."""
    segments = [s for s in key.split("/") if s]
    if not segments or not all(_SAFE_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_") or "root"
        segments = [slug]
    name = "/".join(segments)
    return name if name.endswith(".json") else name + ".json"


def load_documents(source: str, options: FetchOptions | None = None) -> DocumentSet:
    """Fetch or read every document of the API at ``source`` (URL, file or folder)."""
    options = options or FetchOptions()
    options.check()
    expand_headers(options.headers)  # a missing ${VAR} is an error even for local sources
    if is_url(source):
        return _from_url(source, options)
    if "\0" in source:
        raise FetchError(f"{source!r}: not a valid path (contains a NUL character)")
    if os.path.isdir(source):
        return _from_folder(source, options)
    if os.path.exists(source):
        return _from_file(source, options)
    raise FetchError(f"{source}: no such file or folder (and not an http/https URL)")


def _kind(document: Document, shown: str) -> str:
    try:
        return document_kind(document.data)
    except ValueError as exc:
        raise SpecError([f"{shown}: {exc}"]) from None


def _check_listing(document: Document, shown: str) -> None:
    problems = validate_document(document.data, "listing", shown)
    if problems:
        raise SpecError(problems)


def _listing_entries(listing: Document) -> list[tuple[str, str]]:
    return [
        (api["path"], api.get("description") or "")
        for api in listing.data["apis"]
    ]


def _from_url(url: str, options: FetchOptions) -> DocumentSet:
    # The configured headers belong to the source's origin: declarations and $ref targets
    # on other origins are fetched without them (see fetch.Fetcher).
    fetcher = Fetcher(options, origin=url)
    budget = _budget(url, options)
    first = fetcher.fetch(url)
    budget.charge(first)
    shown = redact_url(url)
    kind = _kind(first, shown)
    if kind == "openapi":
        return _openapi_set(shown, first, fetcher.fetch, base_of(url), options, budget)
    if kind == "declaration":
        key = _declared_key(first.data) or entry_key(_url_path(url))
        return DocumentSet(shown, None, (Declared(first, key, "", snapshot_name(key)),))
    _check_listing(first, shown)
    entries = _listing_entries(first)
    if len(entries) > MAX_DECLARATIONS:
        raise SpecError([f"{shown}#/apis: lists {len(entries)} API declarations, more than the {MAX_DECLARATIONS} fetched at most"])
    problems = [
        f"{shown}#/apis/{index}/path: invalid URL {redact_url(path)!r}: {problem}"
        for index, (path, _) in enumerate(entries)
        for problem in [_entry_problem(path)]
        if problem
    ]
    if problems:
        raise SpecError(problems)
    urls = [declaration_url(url, path) for path, _ in entries]
    budget.reserve(len(urls))
    documents = _read_all(fetcher.fetch, urls, options, budget)
    fetched = [(entry_key(path), description, doc) for (path, description), doc in zip(entries, documents)]
    return DocumentSet(shown, first, tuple(_pair(fetched, entries)))


def _budget(source: str, options: FetchOptions) -> Budget:
    return Budget(options.max_documents, options.max_spec_bytes, source)


def _read_all(
    read: Callable[[str], Document], locations: list[str], options: FetchOptions, budget: Budget
) -> list[Document]:
    """``read`` every location (concurrently), in order, with progress, within the budget."""
    documents: Iterable[Document] = iter_concurrently(read, locations, options.concurrency)
    if options.progress is not None:
        documents = options.progress(documents, len(locations))
    result = []
    for document in documents:
        budget.charge(document)
        result.append(document)
    return result


def _pair(
    fetched: list[tuple[str, str, Document]], entries: list[tuple[str, str]]
) -> Iterator[Declared]:
    """Give each declaration its listing entry by ``resourcePath``, else by where it came from."""
    descriptions = {entry_key(path): description for path, description in entries}
    used: set[int] = set()
    by_path: dict[str, Document] = {}
    for _, _, doc in fetched:
        declared = _declared_key(doc.data)
        if declared:
            by_path.setdefault(declared, doc)
    for key, description, doc in fetched:
        match = by_path.get(key, doc)
        if id(match) in used:
            continue
        used.add(id(match))
        resource_path = _declared_key(match.data) or key
        yield Declared(match, resource_path, descriptions.get(resource_path, description), snapshot_name(key))


def _declared_key(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("resourcePath"), str) and data["resourcePath"].strip():
        return normalize_resource_path(data["resourcePath"])
    return None


def _from_file(path: str, options: FetchOptions) -> DocumentSet:
    document = read_file(path, options.max_bytes)
    kind = _kind(document, path)
    if kind == "openapi":
        root = spec_root(path, options.spec_root)
        budget = _budget(path, options)
        budget.charge(document)
        return _openapi_set(path, document, _file_reader(options), root, options, budget)
    if kind == "declaration":
        stem = os.path.splitext(os.path.basename(path))[0]
        key = _declared_key(document.data) or normalize_resource_path(stem)
        return DocumentSet(path, None, (Declared(document, key, "", snapshot_name(key)),))
    _check_listing(document, path)
    folder = os.path.dirname(path) or "."
    candidates = [d for d in scan_folder(folder, options) if os.path.abspath(d.location) != os.path.abspath(path)]
    candidates += _yaml_declarations(document, folder, options)
    return _resolve_locally(document, candidates, folder)


def _yaml_declarations(listing: Document, folder: str, options: FetchOptions) -> list[Document]:
    """The YAML files of the folder, when a listing entry names one (``/v1/orders.yaml``)."""
    if not any(path.lower().endswith(YAML_EXTENSIONS) for path, _ in _listing_entries(listing)):
        return []
    return [d for d in scan_yaml(folder, options) if kind_or_none(d) == "declaration"]


def _from_folder(folder: str, options: FetchOptions) -> DocumentSet:
    documents = list(scan_folder(folder, options))
    listings = [d for d in documents if kind_or_none(d) == "listing"]
    declarations = [d for d in documents if kind_or_none(d) == "declaration"]
    if not listings and not declarations:
        documents += scan_yaml(folder, options)
    roots = [d for d in documents if is_openapi(d.data)]
    if roots:
        if listings or declarations:
            raise SpecError([f"{folder}: holds both Swagger 1.x and Swagger 2.0/OpenAPI documents; pass one as the source"])
        if len(roots) > 1:
            names = ", ".join(sorted(d.location for d in roots))
            raise SpecError([f"{folder}: several Swagger 2.0/OpenAPI documents ({names}); pass one of them as the source"])
        _kind(roots[0], roots[0].location)
        budget = _budget(folder, options)
        budget.charge(roots[0])
        root = spec_root(folder, options.spec_root)
        return _openapi_set(folder, roots[0], _file_reader(options), root, options, budget)
    if len(listings) > 1:
        names = ", ".join(sorted(d.location for d in listings))
        raise SpecError([f"{folder}: several resource listings ({names}); pass one of them as the source"])
    if listings:
        _check_listing(listings[0], listings[0].location)
        others = [d for d in documents if d is not listings[0]]
        others += _yaml_declarations(listings[0], folder, options)
        return _resolve_locally(listings[0], others, folder)
    declarations = [d for d in documents if kind_or_none(d) == "declaration"]
    if not declarations:
        raise SpecError([f"{folder}: no Swagger 1.x resource listing or API declaration found"])
    result = []
    for doc in declarations:
        stem = os.path.splitext(os.path.relpath(doc.location, folder))[0]
        key = _declared_key(doc.data) or normalize_resource_path(stem)
        result.append(Declared(doc, key, "", snapshot_name(key)))
    return DocumentSet(folder, None, tuple(result))


def kind_or_none(document: Document) -> str | None:
    try:
        return document_kind(document.data)
    except ValueError:
        return None


def _openapi_set(
    source: str,
    root: Document,
    read: Callable[[str], Document],
    base: str,
    options: FetchOptions,
    budget: Budget,
) -> DocumentSet:
    """The root document and the documents its external ``$ref`` references reach."""
    others = collect_external(
        root, read, base, budget=budget, workers=options.concurrency, progress=options.progress
    )
    # Files: named below the folder that holds them all, so relative refs work in a snapshot.
    top = base if is_url(base) else _common_folder([root.location, *(d.location for d in others)])
    declared = [Declared(root, "", "", _openapi_snapshot_name(root, root.location, top, root=True))]
    declared += [Declared(d, "", "", _openapi_snapshot_name(d, d.location, top)) for d in others]
    return DocumentSet(source, None, tuple(declared), kind="openapi")


def _common_folder(locations: list[str]) -> str:
    return os.path.commonpath([os.path.dirname(os.path.realpath(location)) for location in locations])


def _file_reader(options: FetchOptions) -> Callable[[str], Document]:
    def read(location: str) -> Document:
        return read_file(location, options.max_bytes)

    return read


def _openapi_snapshot_name(document: Document, location: str, base: str, root: bool = False) -> str:
    """Where a snapshot keeps a document: its path below the base, so relative refs still work."""
    if is_url(location):
        path = urllib.parse.unquote(urllib.parse.urlsplit(location).path)
        base_path = urllib.parse.urlsplit(base).path
        relative = path[len(base_path):] if path.startswith(base_path) else posixpath.basename(path)
        if root:
            relative = posixpath.basename(relative)
    else:
        relative = os.path.relpath(os.path.realpath(location), base).replace(os.sep, "/")
    segments = [s for s in relative.split("/") if s]
    if not segments or not all(_SAFE_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        segments = [re.sub(r"[^A-Za-z0-9_.-]+", "_", relative).strip("_.") or "openapi"]
    name = "/".join(segments)
    if root and not name.lower().endswith((".json", *YAML_EXTENSIONS)):
        # Other documents keep their names (refs name them); the root needs an extension
        # that a folder scan reads.
        name += ".json" if document.raw.lstrip()[:1] in (b"{", b"[") else ".yaml"
    return name


def scan_yaml(folder: str, options: FetchOptions) -> list[Document]:
    """``*.yaml``/``*.yml`` documents below ``folder`` (a bad one is a one-line error)."""
    return [
        read_file(path, options.max_bytes)
        for path in _files_below(folder)
        if path.lower().endswith(YAML_EXTENSIONS)
    ]


def scan_folder(folder: str, options: FetchOptions) -> Iterator[Document]:
    """JSON documents below ``folder``: ``*.json`` must parse; extension-less files may."""
    for path in _files_below(folder):
        extension = os.path.splitext(path)[1].lower()
        if extension == ".json":
            yield read_file(path, options.max_bytes)
        elif not extension:
            try:
                yield read_file(path, options.max_bytes)
            except FetchError:
                continue


def _files_below(folder: str) -> Iterator[str]:
    """The regular files below ``folder`` (sorted; no dot files, no ``_build``).

    The same confinement rule as ``$ref`` targets (:func:`~.refs.inside`): a
    symbolic link that resolves outside the folder is refused with one clear message, so a
    spec folder can't make the loader (or ``serve``) read ``/etc/passwd`` or a private key.
    FIFOs, sockets and devices are skipped: reading one could block forever.
    """
    base = os.path.realpath(folder)
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_build")))
        for name in dirs:  # os.walk does not descend into linked folders; say so if outside
            path = os.path.join(root, name)
            if os.path.islink(path) and not inside(path, base):
                raise FetchError(outside_message(path, folder))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if not inside(path, base):
                raise FetchError(outside_message(path, folder))
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):
                    continue
            except OSError:
                continue  # a dangling link: nothing to read
            yield path


def _resolve_locally(listing: Document, candidates: list[Document], folder: str) -> DocumentSet:
    """Match listing entries to local declaration files: by resourcePath, then by file path."""
    declarations = [d for d in candidates if kind_or_none(d) == "declaration"]
    by_path: dict[str, Document] = {}
    for doc in declarations:
        key = _declared_key(doc.data)
        if key:
            by_path.setdefault(key, doc)
    by_file = {os.path.normpath(os.path.relpath(d.location, folder)): d for d in declarations}
    by_stem: dict[str, Document] = {}
    for doc in declarations:
        by_stem.setdefault(os.path.splitext(os.path.basename(doc.location))[0], doc)

    result: list[Declared] = []
    problems: list[str] = []
    used: set[int] = set()
    for index, (path, description) in enumerate(_listing_entries(listing)):
        key = entry_key(path)
        relative = key.lstrip("/")
        name = posixpath.basename(relative)
        stem, extension = posixpath.splitext(name)
        match = (
            by_path.get(key)
            or by_file.get(os.path.normpath(relative or "."))
            or by_file.get(os.path.normpath(relative + ".json"))
            or by_stem.get(name)
            # ``/api/v1/user.json`` names the file ``user.json`` as ``/api/v1/user`` does
            or (by_stem.get(stem) if extension.lower() in DOCUMENT_EXTENSIONS else None)
        )
        if match is None:
            problems.append(
                f"{listing.location}#/apis/{index}/path: no API declaration for {path!r} in {folder} "
                f"(looked for resourcePath {key!r} and a file named like it)"
            )
            continue
        if id(match) in used:
            continue
        used.add(id(match))
        resource_path = _declared_key(match.data) or key
        result.append(Declared(match, resource_path, description, snapshot_name(key)))
    if problems:
        raise SpecError(problems)
    return DocumentSet(listing.location, listing, tuple(result))
