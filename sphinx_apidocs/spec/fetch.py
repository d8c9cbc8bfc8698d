"""Read JSON (and YAML) documents from URLs and files, with the limits a CI build needs.

Uses only the standard library (``urllib``): specs are small, a docs build makes a few dozen
requests, and a dependency-free fetcher keeps the package easy to install. Every failure is
a :class:`FetchError` whose message is one line naming the (redacted) URL or file.

Trust rules, all enforced here so every caller gets them:

- **Credentials stay on their origin.** Configured headers (``apidocs_headers``,
  ``--header``) go only to the origin (scheme, host, port) of the spec source; a URL's own
  ``user:password`` only to that URL's origin. A redirect to another origin, an absolute
  listing entry or ``$ref`` on another origin is fetched without them (those documents are
  public URLs; a 401 there says the credentials were withheld).
- **Redirects** are followed by hand: only to ``http``/``https``, never from ``https`` to
  ``http``, at most ``max_redirects`` times; anything else is a one-line error naming it.
- **A whole-request deadline** (default: :data:`DEADLINE_FACTOR` x the per-read timeout)
  bounds every fetch, retries, redirects and a trickling body included.
- **Secrets never reach a message or a stored location:** :func:`redact_url` removes
  ``user:password@`` and the values of secret-looking query keys; ``Document.location`` is
  the redacted URL (``Document.url`` keeps the real one, for requests only).
- **Bodies** are asked for uncompressed (``Accept-Encoding: identity``); gzip/deflate
  bodies are still decoded, with the size cap applied after decompression.

YAML (OpenAPI documents are often YAML) is read from ``.yaml``/``.yml`` files and from URLs
whose path or ``Content-Type`` says YAML, with PyYAML's safe loader (the C one when
available). The result is made JSON-like: keys become strings (``200:`` -> ``"200"``),
dates become ISO text; recursive aliases and alias "bombs" are refused. JSON and YAML
documents nested deeper than :data:`MAX_DEPTH`, or holding integers longer than Python
converts (``sys.get_int_max_str_digits()``), are one-line errors with their place.
"""

from __future__ import annotations

import base64
import datetime
import http.client
import io
import ipaddress
import json
import os
import re
import socket
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from sphinx_apidocs.errors import ConfigError, FetchError, json_pointer, one_line
from sphinx_apidocs.spec.headers import expand_headers

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_EXTENSIONS = (".yaml", ".yml")
YAML_MEDIA_TYPES = ("yaml", "yml")  # application/yaml, application/x-yaml, text/yaml, ...
#: An alias-heavy YAML document may expand to at most this many nodes beyond 10x its own.
MAX_YAML_EXPANSION = 200_000
#: Documents nested deeper than this are refused: real specs stay below 30 levels, and the
#: validator and normalizer recurse per level (far deeper input would exhaust the stack).
MAX_DEPTH = 100

DEFAULT_TIMEOUT = 10.0
#: Without an explicit deadline a fetch (retries and redirects included) gets this many
#: times the per-read timeout: 60 s with the default 10 s timeout.
DEADLINE_FACTOR = 6.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: The budget of one spec (all its documents together): a 2,850-file, 30 MB official layout
#: fits comfortably; a generated ``$ref`` maze or a runaway endpoint still ends, with memory
#: bounded (see :class:`~sphinx_apidocs.spec.refs.Budget`).
DEFAULT_MAX_DOCUMENTS = 10_000
DEFAULT_MAX_SPEC_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_RETRIES = 2
DEFAULT_CONCURRENCY = 8
RETRY_STATUSES = frozenset({502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "application/json, application/yaml;q=0.9, text/yaml;q=0.8, */*;q=0.1"
DEFAULT_PORTS = {"http": 80, "https": 443}

T = TypeVar("T")


@dataclass(frozen=True)
class Survey:
    """What parsing a document found out on the way, so that later steps need not walk the
    whole document again to learn it. The default knows nothing: every step walks.

    ``depth_checked``: nested at most :data:`MAX_DEPTH` levels (deeper is refused when read).
    ``foreign_refs``: may hold a ``$ref`` whose value is not a ``#...`` text (``False``: no
    such ``$ref`` anywhere). ``range_keys``: may hold a key such as ``2xx`` that is not in
    upper case (``False``: none anywhere).
    """

    depth_checked: bool = False
    foreign_refs: bool = True
    range_keys: bool = True


#: Parsed and depth-checked, nothing else known.
DEPTH_CHECKED = Survey(depth_checked=True)


@dataclass(frozen=True)
class Document:
    """One fetched JSON document: where it came from, its bytes and its parsed value.

    ``location`` is what users see and what identifies the document (a file path, or the
    URL with credentials and secret query values redacted); ``url`` is the URL really
    requested, kept apart so that a secret in it never reaches a message or a stored place.
    ``survey``: what parsing found out about ``data`` (:class:`Survey`).
    """

    location: str
    raw: bytes
    data: Any
    url: str = field(default="", repr=False, compare=False)
    survey: Survey = field(default=Survey(), repr=False, compare=False)

    @property
    def fetched_from(self) -> str:
        """The real URL (or the file path): the base for relative references."""
        return self.url or self.location


@dataclass
class FetchOptions:
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    retries: int = DEFAULT_RETRIES
    backoff: float = 0.25
    concurrency: int = DEFAULT_CONCURRENCY
    #: Seconds one document may take in all (connects, retries, redirects, the body);
    #: ``None`` or ``0``: :data:`DEADLINE_FACTOR` x ``timeout``.
    deadline: float | None = None
    #: The budget of the whole spec: how many documents, and how many bytes in all.
    max_documents: int = DEFAULT_MAX_DOCUMENTS
    max_spec_bytes: int = DEFAULT_MAX_SPEC_BYTES
    #: The folder relative file ``$ref``\ s must stay inside; ``""``: found from the spec
    #: (:func:`~sphinx_apidocs.spec.refs.find_spec_root`). Never used for URL specs.
    spec_root: str = ""
    #: Wraps each batch of documents as it is read, to show progress (see
    #: :data:`~sphinx_apidocs.spec.refs.Progress`); ``None``: quiet.
    progress: Callable[[Iterable[Document], int], Iterable[Document]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def effective_deadline(self) -> float:
        """The whole-request deadline in seconds (see :attr:`deadline`)."""
        return float(self.deadline) if self.deadline else DEADLINE_FACTOR * float(self.timeout)

    def check(self) -> None:
        """Raise :class:`ConfigError` for a limit that would make fetching misbehave
        (``nan``, infinite, zero or negative): better one clear line than odd socket errors."""
        if not _positive(self.timeout):
            raise ConfigError(f"timeout: expected a number of seconds greater than 0, got {self.timeout!r}")
        if self.deadline is not None and self.deadline != 0 and not _positive(self.deadline):
            raise ConfigError(f"deadline: expected a number of seconds greater than 0 (or 0 for {DEADLINE_FACTOR:g} x the timeout), got {self.deadline!r}")
        for name, what in (("max_bytes", "bytes"), ("max_documents", "documents"), ("max_spec_bytes", "bytes")):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{name}: expected a number of {what} greater than 0, got {value!r}")


def _positive(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 < value < float("inf")


# -- URLs: recognising, checking and redacting -----------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
#: ``scheme:`` and its slashes, however many (``http:/user:pw@host`` is a typo to redact too).
_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(/*)")
_AUTHORITY = re.compile(r"(\[[^\]]*\]|[^:\[\]]*)(?::([0-9]*))?")
_BAD_HOST_CHAR = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}%]")
SECRET_MASK = "***"
#: Query keys whose values are redacted: a key is secret when one of its words (split at
#: punctuation and camelCase) is in ``_SECRET_WORDS`` or its letters contain a ``_SECRET_PARTS``.
_SECRET_WORDS = frozenset({"key", "keys", "sig", "sign", "pwd", "pw", "pass", "otp", "code", "sid", "pin", "jwt"})
_SECRET_PARTS = (
    "token", "secret", "passw", "passphrase", "apikey", "accesskey", "privatekey", "signature",
    "credential", "auth", "session", "cookie", "bearer", "hmac",
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def scheme_of(text: str) -> str:
    """The lower-case scheme of a URL-like text (``""`` for a path); never raises."""
    match = _SCHEME.match(str(text))
    return match.group(1).lower() if match else ""


def is_url(source: str) -> bool:
    """An ``http``/``https`` URL (malformed or not: :func:`url_problem` says what is wrong)."""
    return scheme_of(source) in ("http", "https")


def is_secret_key(key: str) -> bool:
    """True for query keys that usually carry a secret (``api_key``, ``X-Amz-Signature``...)."""
    name = urllib.parse.unquote_plus(key)
    words = {word.lower() for word in _WORD.findall(name)}
    compact = re.sub(r"[^a-z0-9]", "", name.lower())
    return bool(words & _SECRET_WORDS) or any(part in compact for part in _SECRET_PARTS)


def _redact_pairs(text: str) -> str:
    pieces = re.split(r"([&;])", text)
    for index, piece in enumerate(pieces):
        key, equals, value = piece.partition("=")
        if equals and value and is_secret_key(key):
            pieces[index] = f"{key}={SECRET_MASK}"
    return "".join(pieces)


def redact_url(url: str) -> str:
    """The URL as it may be shown or stored: no ``user:password@``, no secret query values.

    The one redaction used for every message, document location and stored value. Works on
    malformed URLs too (it never parses strictly, never raises), is idempotent, and leaves
    anything that is not ``scheme://...`` (a file path) unchanged.
    """
    text = str(url)
    start = _SCHEME_SLASHES.match(text)
    if start is None or not (start.group(2) or "@" in text):
        return text  # a file path (or no URL at all)
    scheme, slashes, rest = start.group(1), start.group(2), text[start.end():]
    hier_end = min((i for i in (rest.find(c) for c in "?#") if i >= 0), default=len(rest))
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:authority_end]
    if "@" in rest[:hier_end]:
        # ``user:pw@host``; also ``user:pa/ss@host`` (a raw '/' in a password): everything
        # up to the last '@' before the query goes (a path's own '@' too, to be safe).
        rest = rest[rest.rfind("@", 0, hier_end) + 1:]
    elif "@" in rest[authority_end:] and (
        _AUTHORITY.fullmatch(authority) is None or (authority_end == hier_end and ":" in authority)
    ):
        # ``user:pa?ss@host`` or ``user:12#ss@host``: a raw '?' or '#' in a password ends the
        # authority early; which part is the password cannot be told, so everything up to
        # the last '@' goes (``url_problem`` refuses such URLs).
        rest = rest[rest.rfind("@") + 1:]
    before_fragment, hash_sign, fragment = rest.partition("#")
    hier, question, query = before_fragment.partition("?")
    if query:
        query = _redact_pairs(query)
    if "=" in fragment:
        fragment = _redact_pairs(fragment)
    return one_line(f"{scheme}:{slashes}{hier}{question}{query}{hash_sign}{fragment}")


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as an http/https URL (bad port, bad IPv6 host...), or None."""
    text = str(url)
    scheme = scheme_of(text)
    if scheme not in ("http", "https"):
        return f"unsupported scheme {scheme!r} (only http and https)" if scheme else "not an http or https URL"
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "malformed"
        return f"bad host ({reason[0].lower() + reason[1:]})"
    if not text[len(scheme) + 1:].startswith("//"):
        return "expected scheme://host/..."
    rest = text[len(scheme) + 3:]
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    if "@" in rest[authority_end:] and rest[authority_end:authority_end + 1] in ("?", "#") and ":" in rest[:authority_end]:
        return "ambiguous user info: percent-encode '?', '#' and '@' in a user name or password"
    host_port = parts.netloc.rpartition("@")[2]
    match = _AUTHORITY.fullmatch(host_port)
    if match is None:
        after_host = host_port[host_port.find("]") + 1:] if host_port.startswith("[") else host_port
        return f"port {after_host.partition(':')[2]!r} is not a number"
    if match.group(2):
        port_number = int(match.group(2))
        if not 0 < port_number < 65536:
            return f"port {port_number} is out of range (1-65535)"
    host = parts.hostname or ""
    if not host:
        return "no host name"
    if host_port.startswith("["):
        try:
            ipaddress.ip_address(host.partition("%")[0])
        except ValueError:
            return f"bad host ({host!r} is not an IP address)"
    else:
        if _BAD_HOST_CHAR.search(host):
            return "bad host name (a space, control or reserved character)"
        try:
            host.encode("idna")
        except UnicodeError:
            return "bad host name (empty or too long label)"
    return None


def origin_of(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a valid URL, the unit that credentials are bound to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0)


def strip_userinfo(url: str) -> str:
    """``https://user:pw@host/x`` -> ``https://host/x`` (query and fragment untouched)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def _basic_auth(url: str) -> dict[str, str]:
    """The ``Authorization: Basic`` header for a URL's ``user:password@``, if it has one."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return {}
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _request_url(url: str) -> str:
    """The URL as sent: spaces, control and non-ASCII characters of path and query escaped."""
    parts = urllib.parse.urlsplit(strip_userinfo(url))
    path = urllib.parse.quote(parts.path, safe="/:@!$&'()*+,;=-._~%")
    query = urllib.parse.quote(parts.query, safe="/?:@!$&'()*+,;=-._~%")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path or "/", query, ""))


# -- text, JSON and YAML ---------------------------------------------------------------------


def decode_text(raw: bytes, where: str, syntax: str) -> str:
    """The document as text; an empty body, an HTML page or compressed bytes say so."""
    if not raw.strip():
        raise FetchError(f"{where}: empty document, expected {syntax}")
    if raw[:2] == b"\x1f\x8b":
        raise FetchError(f"{where}: gzip-compressed data that no Content-Encoding announces, expected {syntax} text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith("<"):
        raise FetchError(
            f"{where}: got HTML or XML instead of {syntax} (a login page, proxy error or wrong URL?)"
        )
    return text


class _LongInteger:
    """Stands in for a JSON integer too long to convert, so the error can name its place."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _int_limit() -> int:
    getter = getattr(sys, "get_int_max_str_digits", None)
    return int(getter()) if getter else 0


def _too_long(digits: int) -> str:
    return f"integer of {digits} digits is too large (the limit is {_int_limit()} digits)"


def parse_json(raw: bytes, where: str) -> Any:
    """Decode a JSON document, or raise a one-line error with line and column (or pointer)."""
    text = decode_text(raw, where, "JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise FetchError(f"{where}: nested more than {MAX_DEPTH} levels deep; refusing") from None
    except ValueError as exc:
        # An integer longer than Python converts (sys.get_int_max_str_digits): parse again,
        # keeping such numbers as markers, to name the place of the first one.
        _locate_long_integer(text, where)
        raise FetchError(f"{where}: invalid JSON: {_reason_text(exc)}") from None
    check_depth(data, where)
    return data


def _locate_long_integer(text: str, where: str) -> None:
    def parse_int(digits: str) -> Any:
        try:
            return int(digits)
        except ValueError:
            return _LongInteger(len(digits.lstrip("+-")))

    data = json.loads(text, parse_int=parse_int)
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _LongInteger):
            raise FetchError(f"{where}#{json_pointer(list(path))}: {_too_long(value.digits)}")
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((item, (*path, key)) for key, item in reversed(list(items)))


def check_depth(data: Any, where: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH`, naming the first place."""
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise FetchError(f"{where}#{json_pointer(_deep_path(data))}: nested more than {MAX_DEPTH} levels deep; refusing")
        following: list[Any] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            following.extend(child for child in children if isinstance(child, (dict, list)))
        level = following


def _deep_path(data: Any) -> list[Any]:
    """The path of the first container at depth ``MAX_DEPTH + 1`` (depth first, document order)."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            return path
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        for key, item in reversed(items):
            if isinstance(item, (dict, list)):
                stack.append((item, [*path, key]))
    return []


def is_yaml_name(name: str) -> bool:
    """True for a file name or URL path ending in ``.yaml``/``.yml``."""
    path = urllib.parse.urlsplit(name).path if is_url(name) else name
    return path.lower().endswith(YAML_EXTENSIONS)


def parse_document(raw: bytes, where: str, yaml_text: bool = False) -> Any:
    """JSON, or YAML when ``yaml_text`` says so (file extension, URL path or Content-Type)."""
    return surveyed(raw, where, yaml_text)[0]


def surveyed(raw: bytes, where: str, yaml_text: bool = False) -> tuple[Any, Survey]:
    """:func:`parse_document`, and what parsing found out about the value (:class:`Survey`)."""
    if not yaml_text:
        return parse_json(raw, where), DEPTH_CHECKED
    survey: list[Survey] = []
    return _parse_yaml(raw, where, survey), survey[0]


class _SpecYamlLoader(_YAML_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, with every value that can't be constructed a located YAML error."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError) as exc:
            raise ConstructorError(None, None, _value_problem(node, exc), node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """Integers must stay printable: ``0x``/base-60 forms can build numbers whose decimal
        text exceeds ``sys.get_int_max_str_digits()`` (and ``str()`` would fail later)."""
        value: int = SafeConstructor.construct_yaml_int(self, node)
        limit = _int_limit()
        if limit and value.bit_length() > 3.32 * limit:
            raise ConstructorError(None, None, _too_long(int(value.bit_length() * 0.30103) + 1), node.start_mark)
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date-like text that is no real date (``2023-02-30``) stays text: its meaning is clear."""
        try:
            return SafeConstructor.construct_yaml_timestamp(self, node)
        except (ValueError, AttributeError, OverflowError):
            return str(node.value)


_SpecYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _SpecYamlLoader.construct_yaml_timestamp)
_SpecYamlLoader.add_constructor("tag:yaml.org,2002:int", _SpecYamlLoader.construct_yaml_int)


def _value_problem(node: yaml.Node, exc: BaseException) -> str:
    value = node.value if isinstance(node.value, str) else ""
    tag = str(node.tag).rpartition(":")[2] or str(node.tag)
    digits = len(re.sub(r"[^0-9]", "", value))
    if tag == "int" and _int_limit() and digits > _int_limit():
        return _too_long(digits)
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"cannot read {shown!r} as {tag}"


def parse_yaml(raw: bytes, where: str) -> Any:
    """Decode a YAML document, or raise a one-line error with line and column (YAML mark)."""
    return _parse_yaml(raw, where, [])


def _parse_yaml(raw: bytes, where: str, survey: list[Survey]) -> Any:
    text = decode_text(raw, where, "YAML")
    try:
        fast = _yaml_values(text, where, survey)
        if fast is not _SLOW:
            return fast
        data = yaml.load(text, Loader=_SpecYamlLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        place = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise FetchError(f"{where}: invalid YAML{place}: {problem}") from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchError(f"{where}: invalid YAML: {message}") from None
    except RecursionError:
        raise FetchError(f"{where}: nested more than {MAX_DEPTH} levels deep; refusing") from None
    result = _json_like(data, where)
    check_depth(result, where)
    survey[:] = [DEPTH_CHECKED]
    return result


_SLOW = object()  # _yaml_values: "take the general path" (merge keys, tags, odd keys, errors)
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


def _yaml_values(text: str, where: str, survey: list[Survey] | None = None) -> Any:
    """The document's JSON values straight from libyaml's event stream, in one pass: what
    ``_json_like(yaml.load(text))`` gives (same values, key order, shared aliases, refusals),
    without PyYAML building a node per value and a Python object per node first.

    Strings, maps and sequences are made here; a plain scalar gets the tag PyYAML's resolver
    gives it (asked once per distinct text) and, if that is not ``str``, the loader's own
    constructor. Merge keys (``<<``), explicit tags, non-scalar keys, undefined or repeated
    anchors, several documents and any error return ``_SLOW``: the general path then gives
    its exact result or its located message. What the pass saw goes to ``survey``."""
    loader = _SpecYamlLoader(text)
    try:
        return _values_of_events(loader, where, survey if survey is not None else [])
    except _TooDeep as exc:
        raise FetchError(f"{where}#{json_pointer(exc.path)}: nested more than {MAX_DEPTH} levels deep; refusing") from None
    except (_Slow, yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
        return _SLOW
    finally:
        loader.dispose()


_SCALAR_EVENT, _ALIAS_EVENT = yaml.ScalarEvent, yaml.AliasEvent
_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def _values_of_events(loader: Any, where: str, survey: list[Survey]) -> Any:
    get = loader.get_event
    if get().__class__ is not yaml.StreamStartEvent:
        raise _Slow()
    if get().__class__ is not yaml.DocumentStartEvent:
        return None  # an empty stream
    resolve, scalar_node, str_tag = loader.resolve, yaml.ScalarNode, _STR
    resolvers = loader.yaml_implicit_resolvers  # by first character; "" for the empty text
    tags: dict[str, str] = {}  # plain text -> its resolved tag
    constants: dict[tuple[str, str], Any] = {}  # (tag, text) -> its value (numbers, booleans...: immutable)
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded size)
    open_anchors: set[str] = set()
    # One frame per open collection: [container, is_map, raw keys, key or _NO_KEY, anchor,
    # size, holds a "$ref" key]
    stack: list[list[Any]] = []
    frame: list[Any] | None = None
    containers = 0
    foreign_refs = range_keys = False
    scalar_class, alias_class, map_start, map_end = _SCALAR_EVENT, _ALIAS_EVENT, _MAP_START, _MAP_END
    seq_start, seq_end = _SEQ_START, _SEQ_END
    while True:
        event = get()
        kind = event.__class__
        if kind is scalar_class:
            value = event.value
            size = 1
            tag = event.tag
            if tag is None or tag == "!":  # as the composer: the resolver decides
                tag = str_tag
                if event.implicit[0] and value[:1] in resolvers:
                    tag = tags.get(value)
                    if tag is None:
                        tag = tags[value] = resolve(scalar_node, value, event.implicit)
            if tag != str_tag:
                scalar = tag, value
                if scalar in constants:
                    value = constants[scalar]
                else:
                    constructed = loader.construct_object(scalar_node(tag, value, event.start_mark, event.end_mark))
                    if isinstance(constructed, (dict, list, set, tuple)):
                        raise _Slow()
                    value = constants[scalar] = _json_scalar(constructed)
            if event.anchor is not None:
                if event.anchor in anchors or event.anchor in open_anchors:
                    raise _Slow()
                anchors[event.anchor] = (value, 1)
        elif kind is map_start or kind is seq_start:
            if event.tag not in (None, "!", _MAP if kind is map_start else _SEQ):
                raise _Slow()
            if event.anchor is not None:
                if event.anchor in anchors or event.anchor in open_anchors:
                    raise _Slow()
                open_anchors.add(event.anchor)
            if frame is not None:
                stack.append(frame)
            if len(stack) >= MAX_DEPTH:
                raise _TooDeep(_frames_path(stack))
            containers += 1
            frame = [{} if kind is map_start else [], kind is map_start, False, _NO_KEY, event.anchor, 1, False]
            continue
        elif kind is map_end or kind is seq_end:
            assert frame is not None
            value, size = frame[0], frame[5]
            if frame[6] and not foreign_refs:
                ref = value["$ref"]
                foreign_refs = ref.__class__ is not str or not ref.startswith("#")
            if frame[2]:  # keys that are not text: as PyYAML builds them, then as names
                value = {(key if key.__class__ is str else _json_key(key)): item for key, item in value.items()}
            if frame[4] is not None:
                open_anchors.discard(frame[4])
                anchors[frame[4]] = (value, size)
            frame = stack.pop() if stack else None
        elif kind is alias_class:
            if event.anchor in open_anchors:
                raise FetchError(f"{where}: a YAML alias refers to a node that contains it (recursive document)")
            if event.anchor not in anchors:
                raise _Slow()
            value, size = anchors[event.anchor]
        else:
            raise _Slow()
        if frame is None:  # the document's root is complete
            result, expanded = value, size
            break
        frame[5] += size
        if not frame[1]:
            frame[0].append(value)
        elif frame[3] is _NO_KEY:
            if kind is not scalar_class or value.__class__ is not str and not _plain_key(value):
                raise _Slow()
            frame[3] = value
            if value.__class__ is not str:
                frame[2] = True
            elif value in _NOTED_KEYS:
                if value == "$ref":
                    frame[6] = True
                else:
                    range_keys = True
        else:
            frame[0][frame[3]] = value
            frame[3] = _NO_KEY
    if get().__class__ is not yaml.DocumentEndEvent or get().__class__ is not yaml.StreamEndEvent:
        raise _Slow()  # several documents: the general path names the problem
    if expanded > 10 * containers + MAX_YAML_EXPANSION:
        raise FetchError(f"{where}: YAML aliases expand to {expanded} nodes from {containers} containers; refusing")
    if anchors and isinstance(result, (dict, list)):
        check_depth(result, where)  # an alias may nest a shallow node deeper
    survey[:] = [Survey(depth_checked=True, foreign_refs=foreign_refs, range_keys=range_keys)]
    return result


_NO_KEY = object()
#: Keys the event pass notes (:class:`Survey`): ``$ref``, and response ranges not in upper case.
_NOTED_KEYS = frozenset({"$ref"} | {f"{digit}{x}{y}" for digit in "12345" for x in "xX" for y in "xX"} - {f"{d}XX" for d in "12345"})


def _plain_key(value: Any) -> bool:
    """A key PyYAML's safe loader builds from a scalar: a number, ``true``/``false`` or null."""
    return value is None or isinstance(value, (bool, int, float))


def _frames_path(stack: list[list[Any]]) -> list[Any]:
    """The JSON pointer parts of the innermost open collection's next item."""
    path: list[Any] = []
    for frame in stack:
        if frame[1]:
            key = frame[3]
            if key is _NO_KEY:  # inside a key that is a collection
                raise _Slow()
            path.append(key if key.__class__ is str else _json_key(key))
        else:
            path.append(len(frame[0]))
    return path


class _Slow(Exception):
    """Something :func:`_yaml_values` leaves to the general path."""


class _TooDeep(Exception):
    """Raised MAX_DEPTH levels down; each level adds its key on the way up."""

    def __init__(self, path: list[Any] | None = None) -> None:
        super().__init__()
        self.path: list[Any] = path or []


def _json_like(data: Any, where: str) -> Any:
    """YAML values -> JSON values, keeping shared (aliased) nodes shared.

    Refuses recursive aliases (a node that contains itself), documents nested deeper than
    :data:`MAX_DEPTH` and documents whose aliases expand to far more nodes than they spell
    out (the "billion laughs" attack), because everything downstream walks the expanded tree.
    """
    converted: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def convert(value: Any, depth: int) -> tuple[Any, int]:
        if isinstance(value, (dict, list)):
            key = id(value)
            if key in converted:
                return converted[key], sizes[key]
            if key in active:
                raise FetchError(f"{where}: a YAML alias refers to a node that contains it (recursive document)")
            if depth > MAX_DEPTH:
                raise _TooDeep()
            active.add(key)
            size = 1
            if isinstance(value, dict):
                result: Any = {}
                for k, v in value.items():
                    name = _json_key(k)
                    try:
                        item, n = convert(v, depth + 1)
                    except _TooDeep as exc:
                        exc.path.insert(0, name)
                        raise
                    result[name] = item
                    size += n
            else:
                result = []
                for index, v in enumerate(value):
                    try:
                        item, n = convert(v, depth + 1)
                    except _TooDeep as exc:
                        exc.path.insert(0, index)
                        raise
                    result.append(item)
                    size += n
            active.discard(key)
            converted[key], sizes[key] = result, size
            return result, size
        if isinstance(value, (set, tuple)):
            return convert(list(value), depth)
        return _json_scalar(value), 1

    try:
        result, expanded = convert(data, 1)
    except _TooDeep as exc:
        raise FetchError(f"{where}#{json_pointer(exc.path)}: nested more than {MAX_DEPTH} levels deep; refusing") from None
    except RecursionError:
        raise FetchError(f"{where}: nested more than {MAX_DEPTH} levels deep; refusing") from None
    if expanded > 10 * len(converted) + MAX_YAML_EXPANSION:
        raise FetchError(
            f"{where}: YAML aliases expand to {expanded} nodes from {len(converted)} containers; refusing"
        )
    return result


def _json_scalar(value: Any) -> Any:
    """A YAML scalar as JSON has it: dates as ISO text, binary as base64, the rest as is."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


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


# -- files ----------------------------------------------------------------------------------


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """A regular file, read up to the cap (a FIFO, device or socket is refused, not read)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise FetchError(f"{path}: not a regular file")
        if info.st_size > max_bytes:
            raise FetchError(f"{path}: file is {info.st_size} bytes, larger than the {max_bytes}-byte cap")
        with open(path, "rb") as handle:
            # read(n) allocates n bytes up front: ask for the size the file has, not the cap.
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:  # it grew meanwhile: read on, up to the cap
                raw += handle.read(max_bytes + 1 - len(raw))
        if len(raw) > max_bytes:
            raise FetchError(f"{path}: file is larger than the {max_bytes}-byte cap")
    except OSError as exc:
        raise FetchError(f"{path}: cannot read: {exc.strerror or exc}") from None
    data, survey = surveyed(raw, path, _yaml_file(path, raw))
    return Document(location=path, raw=raw, data=data, survey=survey)


def _yaml_file(path: str, raw: bytes) -> bool:
    """``.yaml``/``.yml``; or an extension-less file that does not look like JSON (or HTML)."""
    if is_yaml_name(path):
        return True
    if os.path.splitext(os.path.basename(path))[1]:
        return False
    start = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return bool(start) and start not in b"{[<"


# -- HTTP -----------------------------------------------------------------------------------


class _DeadlineExceeded(Exception):
    """The whole-request deadline passed while waiting for the server."""


class _DeadlineReader(io.RawIOBase):
    """The socket's reader, with each receive bounded by the per-read timeout *and* the deadline.

    A per-read timeout alone is defeated by a server that sends one byte just before each
    timeout; this reader checks the deadline around every receive (status line, headers,
    body) and gives the socket only the time left.
    """

    def __init__(self, raw: Any, sock: Any, deadline: float, timeout: float) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        self._timeout = timeout

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def readinto(self, buffer: Any) -> int | None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlineExceeded()
        self._sock.settimeout(min(self._timeout, remaining))
        try:
            return self._raw.readinto(buffer)
        except (TimeoutError, socket.timeout):
            if time.monotonic() >= self._deadline - 0.05:
                raise _DeadlineExceeded() from None
            raise

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: Any, debuglevel: int = 0, method: str | None = None, url: str | None = None,
                 *, deadline: float, timeout: float) -> None:
        super().__init__(sock, debuglevel, method=method, url=url)
        self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline, timeout))


def _connection(cls: type[http.client.HTTPConnection], request: urllib.request.Request) -> Callable[..., Any]:
    """A connection factory whose responses honour the request's deadline."""
    deadline: float | None = getattr(request, "apidocs_deadline", None)
    timeout = float(getattr(request, "apidocs_read_timeout", None) or request.timeout or DEFAULT_TIMEOUT)

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = cls(host, **kwargs)
        if deadline is not None:
            connection.response_class = partial(_DeadlineResponse, deadline=deadline, timeout=timeout)  # type: ignore[assignment]
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection(http.client.HTTPConnection, req), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        kwargs: dict[str, Any] = {"context": getattr(self, "_context", None)}
        if getattr(self, "_check_hostname", None) is not None:  # Python < 3.12
            kwargs["check_hostname"] = self._check_hostname  # type: ignore[attr-defined]
        return self.do_open(_connection(http.client.HTTPSConnection, req), req, **kwargs)


def _opener() -> urllib.request.OpenerDirector:
    """http/https only (no file:, ftp:, data: handlers) and no automatic redirects:
    :meth:`Fetcher._fetch_once` follows them itself, deciding what may be sent where."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(),
        _HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class _Inflater:
    """Incremental gzip/deflate decoding that never produces more than the cap (gzip bombs)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._gzip = coding in ("gzip", "x-gzip")
        self._decoder: Any = zlib.decompressobj(wbits=31) if self._gzip else None

    def feed(self, data: bytes, out: bytearray, cap: int) -> None:
        if self._decoder is None:
            # "deflate" is the zlib format by the RFC, raw deflate in some servers.
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
            self._decoder = zlib.decompressobj(wbits=15 if zlib_header else -15)
        while data:
            if self._decoder.eof:
                if not self._gzip or not self._decoder.unused_data.strip(b"\0"):
                    return  # trailing bytes after the stream
                data = self._decoder.unused_data
                self._decoder = zlib.decompressobj(wbits=31)  # the next gzip member
            out += self._decoder.decompress(data, cap + 1 - len(out))
            if len(out) > cap:
                raise _OverCap()
            data = self._decoder.unconsumed_tail

    def finish(self, out: bytearray, cap: int) -> None:
        if self._decoder is None:
            return
        while not self._decoder.eof:
            part = self._decoder.decompress(b"", cap + 1 - len(out))
            if not part:
                break
            out += part
            if len(out) > cap:
                raise _OverCap()
        if not self._decoder.eof:
            raise zlib.error("the compressed data ends early")


class _OverCap(Exception):
    """The decoded body grew past the size cap."""


class Fetcher:
    """Fetches JSON over HTTP with a timeout, deadline, size cap, redirect limit and bounded
    retries; credentials go only to the origin they are configured for (see the module doc).

    ``origin`` is the URL whose origin the configured headers belong to (the spec source);
    without it, each URL passed to :meth:`fetch` vouches for its own origin.
    """

    def __init__(self, options: FetchOptions | None = None, origin: str | None = None) -> None:
        self.options = options or FetchOptions()
        self.options.check()
        self._headers = expand_headers(self.options.headers)
        self._origin = origin_of(origin) if origin and is_url(origin) and url_problem(origin) is None else None
        self._opener = _opener()

    def fetch(self, url: str) -> Document:
        shown = redact_url(url)
        problem = url_problem(url)
        if problem:
            raise FetchError(f"{shown}: invalid URL: {problem}")
        deadline = time.monotonic() + self.options.effective_deadline
        attempt = 0
        while True:
            try:
                raw, content_type = self._fetch_once(url, shown, deadline)
                yaml_text = is_yaml_name(url) or any(t in content_type for t in YAML_MEDIA_TYPES)
                data, survey = surveyed(raw, shown, yaml_text)
                return Document(location=shown, raw=raw, data=data, url=url, survey=survey)
            except _Retryable as exc:
                attempts = attempt + 1
                if attempt >= self.options.retries:
                    raise FetchError(f"{shown}: {exc} (after {attempts} attempts)") from None
                pause = self.options.backoff * (2**attempt)
                if time.monotonic() + pause >= deadline:
                    raise FetchError(
                        f"{shown}: {exc} (after {attempts} attempts; the deadline of {self._deadline_text()} "
                        "for the whole request leaves no time for another)"
                    ) from None
                time.sleep(pause)
                attempt += 1

    def fetch_all(self, urls: Sequence[str]) -> list[Document]:
        """Fetch several URLs concurrently; results keep the order of ``urls``."""
        return run_concurrently(self.fetch, urls, self.options.concurrency)

    def _deadline_text(self) -> str:
        return f"{self.options.effective_deadline:g} s"

    def _deadline_error(self, shown: str, context: str = "") -> FetchError:
        return FetchError(f"{shown}: deadline of {self._deadline_text()} for the whole request exceeded{context}")

    def _fetch_once(self, url: str, shown: str, deadline: float) -> tuple[bytes, str]:
        own_origin = origin_of(url)
        trusted = self._origin or own_origin
        basic = _basic_auth(url)
        current = strip_userinfo(url)
        for _hop in range(self.options.max_redirects + 1):
            target = origin_of(current)
            headers = {"Accept": ACCEPT, "Accept-Encoding": "identity"}
            withheld = False
            if basic:
                if target == own_origin:
                    headers.update(basic)
                else:
                    withheld = True
            if self._headers:
                if target == trusted:
                    headers.update(self._headers)
                else:
                    withheld = True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._deadline_error(shown)
            request = urllib.request.Request(_request_url(current), headers=headers)
            request.apidocs_deadline = deadline  # type: ignore[attr-defined]
            request.apidocs_read_timeout = self.options.timeout  # type: ignore[attr-defined]
            try:
                response = self._opener.open(request, timeout=min(self.options.timeout, remaining))
            except urllib.error.HTTPError as exc:
                location = exc.headers.get("Location") if exc.headers is not None else None
                exc.close()
                if exc.code in REDIRECT_STATUSES:
                    current = self._redirect(current, location, shown, exc.code)
                    continue
                if exc.code in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {exc.code} {exc.reason}") from None
                hint = ""
                if exc.code in (401, 403):
                    hint = (
                        f" (credentials are not sent to {_origin_text(target)}, another origin than the one they are configured for)"
                        if withheld
                        else " (missing or wrong credentials? see apidocs_headers / --header)"
                    )
                raise FetchError(f"{shown}: HTTP {exc.code} {exc.reason}{hint}") from None
            except _DeadlineExceeded:
                raise self._deadline_error(shown, " while waiting for the response") from None
            except urllib.error.URLError as exc:
                if time.monotonic() >= deadline - 0.05:
                    raise self._deadline_error(shown, " while connecting") from None
                raise _Retryable(_reason_text(exc.reason)) from None
            except (TimeoutError, socket.timeout):
                if time.monotonic() >= deadline - 0.05:
                    raise self._deadline_error(shown, " while waiting for the response") from None
                raise FetchError(f"{shown}: timed out after {self.options.timeout:g} s") from None
            except (OSError, ValueError, http.client.HTTPException) as exc:
                raise _Retryable(_reason_text(exc)) from None
            with response:
                content_type = (response.headers.get("Content-Type") or "").lower()
                return self._read_capped(response, shown), content_type
        raise FetchError(f"{shown}: too many redirects (limit {self.options.max_redirects})")

    def _redirect(self, current: str, location: str | None, shown: str, code: int) -> str:
        """Where a redirect may lead: an http(s) URL, not from https down to http."""
        if not location or not location.strip():
            raise FetchError(f"{shown}: HTTP {code} redirect without a Location header")
        location = location.strip()
        try:
            target = urllib.parse.urljoin(current, location)
        except ValueError:
            target = location
        scheme = scheme_of(target)
        if scheme not in ("http", "https"):
            kind = f"a {scheme!r} URL" if scheme else "a non-http URL"
            raise FetchError(
                f"{shown}: refusing the redirect to {kind} ({redact_url(target)}): only http and https are followed"
            )
        problem = url_problem(target)
        if problem:
            raise FetchError(f"{shown}: redirect to an invalid URL {redact_url(target)!r}: {problem}")
        if scheme_of(current) == "https" and scheme == "http":
            raise FetchError(
                f"{shown}: refusing the redirect from https to http ({redact_url(target)}): it would drop encryption"
            )
        return strip_userinfo(target)

    def _read_capped(self, response: Any, shown: str) -> bytes:
        cap = self.options.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{shown}: response of {int(declared)} bytes exceeds the {cap}-byte cap")
        encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
        codings = [c.strip() for c in encoding.split(",") if c.strip() and c.strip() != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(
                f"{shown}: the response is compressed ({'Content-Encoding: ' + encoding}), which cannot be "
                "decoded; the server should honour 'Accept-Encoding: identity' (gzip and deflate are decoded)"
            )
        inflater = _Inflater(codings[0]) if codings else None
        buffer = bytearray()  # grows in place: reading to the cap never holds two copies
        received = 0
        try:
            while True:
                chunk = response.read(1 << 16 if inflater else min(1 << 16, cap + 1 - len(buffer)))
                if not chunk:
                    break
                received += len(chunk)
                if inflater is not None:
                    if received > cap:
                        raise _OverCap()
                    inflater.feed(chunk, buffer, cap)
                else:
                    buffer += chunk
                    if len(buffer) > cap:
                        raise _OverCap()
            if inflater is not None:
                inflater.finish(buffer, cap)
        except _OverCap:
            after = f" after {inflater.coding} decompression" if inflater is not None else ""
            raise FetchError(f"{shown}: response exceeds the {cap}-byte cap{after}") from None
        except zlib.error as exc:
            coding = inflater.coding if inflater is not None else "compressed"
            raise FetchError(f"{shown}: cannot decompress the {coding} response: {_reason_text(exc)}") from None
        except _DeadlineExceeded:
            raise self._deadline_error(shown, f" while reading the response ({received} bytes received)") from None
        except (TimeoutError, socket.timeout):
            raise FetchError(f"{shown}: timed out after {self.options.timeout:g} s while reading") from None
        except Exception as exc:  # http.client.IncompleteRead and friends
            raise FetchError(f"{shown}: connection broken while reading: {_reason_text(exc)}") from None
        if declared and declared.isdigit() and received < int(declared):
            raise FetchError(
                f"{shown}: connection closed after {received} of {int(declared)} bytes (truncated response)"
            )
        return bytes(buffer)


def _origin_text(origin: tuple[str, str, int]) -> str:
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS.get(scheme) == port else f":{port}")


class _Retryable(Exception):
    """A failure worth another try: connection problems and 502/503/504."""


#: Characters of a library's reason shown in a message (the rest is the server's noise).
MAX_REASON = 200


def _reason_text(reason: object) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    text = str(reason) or type(reason).__name__
    text = text.splitlines()[0] if text.strip() else type(reason).__name__
    if len(text) > MAX_REASON:  # a server chooses e.g. a bad status line: up to 64 kB
        text = text[:MAX_REASON] + f"... ({len(text)} characters)"
    # Library messages may quote the URL: show it redacted, like every other URL.
    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+", lambda m: redact_url(m.group()), one_line(text))


def run_concurrently(func: Callable[[str], T], items: Iterable[str], workers: int) -> list[T]:
    """Apply ``func`` to every item on a bounded thread pool; the first error propagates."""
    items = list(items)
    if len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        return list(pool.map(func, items))
