"""Read JSON (and YAML) documents from URLs and files, with the limits a CI build needs.

Uses only the standard library (``urllib``): specs are small, a docs build makes a few dozen
requests, and a dependency-free fetcher keeps the package easy to install. Every failure is
a :class:`FetchError` whose message is one line naming the (redacted) URL or file.

YAML (OpenAPI documents are often YAML) is read from ``.yaml``/``.yml`` files and from URLs
whose path or ``Content-Type`` says YAML, with PyYAML's safe loader (the C one when
available). The result is made JSON-like: keys become strings (``200:`` -> ``"200"``),
dates become ISO text; recursive aliases and alias "bombs" are refused.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import yaml

from sphinx_apidocs.errors import FetchError
from sphinx_apidocs.spec.headers import expand_headers

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_EXTENSIONS = (".yaml", ".yml")
YAML_MEDIA_TYPES = ("yaml", "yml")  # application/yaml, application/x-yaml, text/yaml, ...
#: An alias-heavy YAML document may expand to at most this many nodes beyond 10x its own.
MAX_YAML_EXPANSION = 200_000

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_RETRIES = 2
DEFAULT_CONCURRENCY = 8
RETRY_STATUSES = frozenset({502, 503, 504})
ACCEPT = "application/json, application/yaml;q=0.9, text/yaml;q=0.8, */*;q=0.1"

T = TypeVar("T")


@dataclass(frozen=True)
class Document:
    """One fetched JSON document: where it came from, its bytes and its parsed value."""

    location: str
    raw: bytes
    data: Any


@dataclass
class FetchOptions:
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retries: int = DEFAULT_RETRIES
    backoff: float = 0.25
    concurrency: int = DEFAULT_CONCURRENCY


def is_url(source: str) -> bool:
    return urllib.parse.urlsplit(str(source)).scheme in ("http", "https")


def display_url(url: str) -> str:
    """The URL as it may be shown to users: credentials in the authority are removed."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def decode_text(raw: bytes, where: str, syntax: str) -> str:
    """The document as text; an empty body or an HTML page (a login page...) says so."""
    if not raw.strip():
        raise FetchError(f"{where}: empty document, expected {syntax}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith("<"):
        raise FetchError(
            f"{where}: got HTML or XML instead of {syntax} (a login page, proxy error or wrong URL?)"
        )
    return text


def parse_json(raw: bytes, where: str) -> Any:
    """Decode a JSON document, or raise a one-line error with line and column."""
    text = decode_text(raw, where, "JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise FetchError(f"{where}: JSON nested too deeply") from None


def is_yaml_name(name: str) -> bool:
    """True for a file name or URL path ending in ``.yaml``/``.yml``."""
    path = urllib.parse.urlsplit(name).path if is_url(name) else name
    return path.lower().endswith(YAML_EXTENSIONS)


def parse_document(raw: bytes, where: str, yaml_text: bool = False) -> Any:
    """JSON, or YAML when ``yaml_text`` says so (file extension, URL path or Content-Type)."""
    return parse_yaml(raw, where) if yaml_text else parse_json(raw, where)


def parse_yaml(raw: bytes, where: str) -> Any:
    """Decode a YAML document, or raise a one-line error with line and column (YAML mark)."""
    text = decode_text(raw, where, "YAML")
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        place = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise FetchError(f"{where}: invalid YAML{place}: {problem}") from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchError(f"{where}: invalid YAML: {message}") from None
    except RecursionError:
        raise FetchError(f"{where}: YAML nested too deeply") from None
    return _json_like(data, where)


def _json_like(data: Any, where: str) -> Any:
    """YAML values -> JSON values, keeping shared (aliased) nodes shared.

    Refuses recursive aliases (a node that contains itself) and documents whose aliases
    expand to far more nodes than they spell out (the "billion laughs" attack), because
    everything downstream walks the expanded tree.
    """
    converted: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def convert(value: Any) -> tuple[Any, int]:
        if isinstance(value, (dict, list)):
            key = id(value)
            if key in converted:
                return converted[key], sizes[key]
            if key in active:
                raise FetchError(f"{where}: a YAML alias refers to a node that contains it (recursive document)")
            active.add(key)
            size = 1
            if isinstance(value, dict):
                result: Any = {}
                for k, v in value.items():
                    item, n = convert(v)
                    result[_json_key(k)] = item
                    size += n
            else:
                result = []
                for v in value:
                    item, n = convert(v)
                    result.append(item)
                    size += n
            active.discard(key)
            converted[key], sizes[key] = result, size
            return result, size
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat(), 1
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii"), 1
        if isinstance(value, (set, tuple)):
            return convert(list(value))
        return value, 1

    try:
        result, expanded = convert(data)
    except RecursionError:
        raise FetchError(f"{where}: YAML nested too deeply") from None
    if expanded > 10 * len(converted) + MAX_YAML_EXPANSION:
        raise FetchError(
            f"{where}: YAML aliases expand to {expanded} nodes from {len(converted)} containers; refusing"
        )
    return result


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (datetime.date, datetime.datetime)):
        return key.isoformat()
    return str(key)


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise FetchError(f"{path}: file is {size} bytes, larger than the {max_bytes}-byte cap")
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise FetchError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return Document(location=path, raw=raw, data=parse_document(raw, path, _yaml_file(path, raw)))


def _yaml_file(path: str, raw: bytes) -> bool:
    """``.yaml``/``.yml``; or an extension-less file that does not look like JSON (or HTML)."""
    if is_yaml_name(path):
        return True
    if os.path.splitext(os.path.basename(path))[1]:
        return False
    start = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return bool(start) and start not in b"{[<"


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.max_redirections = limit
        self.max_repeats = min(self.max_repeats, limit)


class Fetcher:
    """Fetches JSON over HTTP with a timeout, size cap, redirect limit and bounded retries."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self._headers = expand_headers(self.options.headers)
        self._opener = urllib.request.build_opener(_LimitedRedirects(self.options.max_redirects))

    def fetch(self, url: str) -> Document:
        shown = display_url(url)
        attempt = 0
        while True:
            try:
                raw, content_type = self._fetch_once(url, shown)
                yaml_text = is_yaml_name(url) or any(t in content_type for t in YAML_MEDIA_TYPES)
                return Document(location=url, raw=raw, data=parse_document(raw, shown, yaml_text))
            except _Retryable as exc:
                if attempt >= self.options.retries:
                    raise FetchError(f"{shown}: {exc} (after {attempt + 1} attempts)") from None
                time.sleep(self.options.backoff * (2**attempt))
                attempt += 1

    def fetch_all(self, urls: Sequence[str]) -> list[Document]:
        """Fetch several URLs concurrently; results keep the order of ``urls``."""
        return run_concurrently(self.fetch, urls, self.options.concurrency)

    def _fetch_once(self, url: str, shown: str) -> tuple[bytes, str]:
        url, credentials = _split_credentials(url)
        headers = {"Accept": ACCEPT, **credentials, **self._headers}
        request = urllib.request.Request(url, headers=headers)
        try:
            response = self._opener.open(request, timeout=self.options.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in RETRY_STATUSES:
                raise _Retryable(f"HTTP {exc.code} {exc.reason}") from None
            if exc.code in (301, 302, 303, 307, 308):
                raise FetchError(
                    f"{shown}: too many redirects (limit {self.options.max_redirects})"
                ) from None
            hint = " (missing or wrong credentials? see apidocs_headers / --header)" if exc.code in (401, 403) else ""
            raise FetchError(f"{shown}: HTTP {exc.code} {exc.reason}{hint}") from None
        except urllib.error.URLError as exc:
            raise _Retryable(_reason_text(exc.reason)) from None
        except (TimeoutError, socket.timeout):
            raise FetchError(f"{shown}: timed out after {self.options.timeout:g} s") from None
        except (OSError, ValueError) as exc:
            raise _Retryable(_reason_text(exc)) from None
        with response:
            content_type = (response.headers.get("Content-Type") or "").lower()
            return self._read_capped(response, shown), content_type

    def _read_capped(self, response: Any, shown: str) -> bytes:
        cap = self.options.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{shown}: response of {int(declared)} bytes exceeds the {cap}-byte cap")
        buffer = bytearray()  # grows in place: reading to the cap never holds two copies
        try:
            while True:
                chunk = response.read(min(1 << 16, cap + 1 - len(buffer)))
                if not chunk:
                    break
                buffer += chunk
                if len(buffer) > cap:
                    raise FetchError(f"{shown}: response exceeds the {cap}-byte cap")
        except (TimeoutError, socket.timeout):
            raise FetchError(f"{shown}: timed out after {self.options.timeout:g} s while reading") from None
        except FetchError:
            raise
        except Exception as exc:  # http.client.IncompleteRead and friends
            raise FetchError(f"{shown}: connection broken while reading: {_reason_text(exc)}") from None
        if declared and declared.isdigit() and len(buffer) < int(declared):
            raise FetchError(
                f"{shown}: connection closed after {len(buffer)} of {int(declared)} bytes (truncated response)"
            )
        return bytes(buffer)


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """``https://user:pw@host/x`` -> (``https://host/x``, Basic ``Authorization`` header)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, {}
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return display_url(url), {"Authorization": f"Basic {token}"}


class _Retryable(Exception):
    """A failure worth another try: connection problems and 502/503/504."""


def _reason_text(reason: object) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    text = str(reason) or type(reason).__name__
    return text.splitlines()[0] if text else type(reason).__name__


def run_concurrently(func: Callable[[str], T], items: Iterable[str], workers: int) -> list[T]:
    """Apply ``func`` to every item on a bounded thread pool; the first error propagates."""
    items = list(items)
    if len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        return list(pool.map(func, items))
