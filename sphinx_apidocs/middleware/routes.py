"""The route table: which documented operation a request (method + path) is.

Compiled once, from the spec (``RouteTable.from_spec``) or from a generated module's
``ROUTES`` literal (``RouteTable(ROUTES)``). A route is ``(method, segments, nickname)``:
``segments`` is the path template split at ``/``, the base path included
(``("v2", "users", "{uid}")``).

Matching is dictionary lookups, no regular expression per request: routes are grouped by
method and number of segments, then by *mask* (which positions are parameters); each mask
has a dict from the tuple of its literal segments to the route. Masks are tried from the
most literal segments to the fewest, so ``/users/me`` wins over ``/users/{uid}`` whatever
the declaration order (a tie: the leftmost literal wins). A segment mixing text and
parameters (``{year}-{month}``, ``file.{format}`` inside a path) is a wildcard in the mask
and checked afterwards, by a pattern compiled once.

Leniency is on the side of matching (a matched operation is filtered, an unmatched one
passes): empty segments (``//``) and a trailing ``/`` are ignored, ``HEAD`` falls back to
``GET``, and a last segment ``name.ext`` matches a template ``name`` (or ``name.{format}``)
when nothing matches it as it is.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence
from urllib.parse import urlsplit

from sphinx_apidocs.lifecycle import headers as lifecycle_headers

FORMAT_SUFFIX = ".{format}"

RouteSpec = tuple[str, Sequence[str], str]
"""``(method, path template segments, nickname)``: one entry of a ``ROUTES`` literal."""


class Route(NamedTuple):
    """One operation's route: upper-case method, template segments, nickname."""

    method: str
    segments: tuple[str, ...]
    nickname: str

    @property
    def template(self) -> str:
        """The path template as written: ``/v2/users/{uid}``."""
        return "/" + "/".join(self.segments)


class _Candidate(NamedTuple):
    """A route in a mask's dict, with the checks of its mixed segments (position, pattern)."""

    route: Route
    checks: tuple[tuple[int, "re.Pattern[str]"], ...]


_Mask = tuple[Callable[[Sequence[str]], Any], dict[Any, list[_Candidate]]]


def split_template(path: str) -> tuple[str, ...]:
    """A path template's segments: no empty ones, no query string (``/a/{b}?x`` -> ``a``, ``{b}``)."""
    return tuple(segment for segment in path.split("?", 1)[0].split("/") if segment)


def _kind(segment: str) -> str:
    """``literal``, ``param`` (the whole segment is one ``{name}``) or ``mixed``."""
    if "{" not in segment and "}" not in segment:
        return "literal"
    if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1 and segment.count("}") == 1:
        return "param"
    return "mixed"


def _pattern(segment: str) -> "re.Pattern[str]":
    """A mixed segment as an anchored pattern: text literally, each ``{name}`` one or more
    characters (compiled once, at table build; the text is escaped, never a pattern)."""
    parts: list[str] = []
    rest = segment
    while rest:
        start = rest.find("{")
        end = rest.find("}", start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            parts.append(re.escape(rest))
            break
        parts.append(re.escape(rest[:start]))
        parts.append(".+?")
        rest = rest[end + 1:]
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _normal(segments: tuple[str, ...]) -> tuple[str, ...]:
    """The segments as matching sees them: a last ``name.{format}`` is ``name`` (the
    suffix is optional, and any ``.ext`` is accepted for it at match time)."""
    if segments and segments[-1].endswith(FORMAT_SUFFIX) and len(segments[-1]) > len(FORMAT_SUFFIX):
        return (*segments[:-1], segments[-1][: -len(FORMAT_SUFFIX)])
    return segments


class RouteTable:
    """Routes compiled for matching; ``match(method, path)`` gives the ``Route`` or ``None``.

    ``routes``: ``(method, segments, nickname)`` entries (a ``ROUTES`` literal; ``segments``
    may also be a path string). ``headers``: ``{nickname: {name: value}}`` extra response
    headers per operation (a generated module's ``HEADERS``: ``Deprecation``/``Sunset``).
    Two routes with the same method and template (parameter names aside): the first wins,
    the others are listed in ``conflicts``.
    """

    def __init__(self, routes: Iterable[RouteSpec], headers: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.routes: tuple[Route, ...] = tuple(_route(entry) for entry in routes)
        self.headers: dict[str, dict[str, str]] = {
            _exact_str(nickname, "nickname"): checked_headers(values) for nickname, values in (headers or {}).items()
        }
        self.conflicts: list[tuple[Route, Route]] = []
        self._buckets: dict[str, dict[int, list[_Mask]]] = {}
        self._build()

    @classmethod
    def from_spec(cls, spec: Any, *, base_path: str | None = None) -> "RouteTable":
        """The routes of every operation of an ``ApiSpec`` (webhooks and callbacks are sent
        by the API, so they have none).

        Each template is the path of its resource's ``basePath`` (``https://api.example.com/v2``
        -> ``/v2``) joined with the operation's path; ``base_path`` replaces every resource's
        (``""`` for a service behind a proxy that strips the prefix). ``headers`` comes from
        each operation's ``deprecated_at``/``sunset`` attributes where the model has them.
        """
        entries: list[RouteSpec] = []
        extra: dict[str, dict[str, str]] = {}
        for resource in spec.resources:
            prefix = base_prefix(resource.base_path) if base_path is None else base_prefix(base_path)
            for op in resource.operations:
                if getattr(op, "kind", "operation") != "operation":
                    continue
                entries.append((op.method, prefix + split_template(op.path), op.nickname))
                found = lifecycle_headers(getattr(op, "deprecated_at", None), getattr(op, "sunset", None))
                if found:
                    extra[op.nickname] = found
        return cls(entries, extra)

    def _build(self) -> None:
        seen: dict[tuple[str, tuple[str, ...]], Route] = {}
        grouped: dict[tuple[str, int, tuple[int, ...]], list[tuple[Route, tuple[str, ...]]]] = {}
        for route in self.routes:
            segments = _normal(route.segments)
            shape = tuple("{}" if _kind(s) == "param" else s for s in segments)
            first = seen.setdefault((route.method, shape), route)
            if first is not route:
                self.conflicts.append((first, route))
                continue
            literal = tuple(i for i, s in enumerate(segments) if _kind(s) == "literal")
            grouped.setdefault((route.method, len(segments), literal), []).append((route, segments))
        ranked: dict[str, dict[int, list[tuple[tuple[int, tuple[int, ...]], _Mask]]]] = {}
        for (method, count, literal), members in grouped.items():
            getter = _getter(literal)
            table: dict[Any, list[_Candidate]] = {}
            for route, segments in members:
                checks = tuple((i, _pattern(s)) for i, s in enumerate(segments) if _kind(s) == "mixed")
                table.setdefault(getter(segments), []).append(_Candidate(route, checks))
            for candidates in table.values():  # more mixed (partly literal) segments first
                candidates.sort(key=lambda c: -len(c.checks))
            # most literal segments first; a tie: the leftmost literal first
            rank = (-len(literal), literal)
            ranked.setdefault(method, {}).setdefault(count, []).append((rank, (getter, table)))
        self._buckets = {
            method: {count: [mask for _, mask in sorted(masks, key=lambda m: m[0])] for count, masks in by_count.items()}
            for method, by_count in ranked.items()
        }

    def match(self, method: str, path: str) -> Route | None:
        """The route of ``method`` + ``path`` (a decoded path, query string excluded)."""
        by_count = self._buckets.get(method)
        if by_count is not None:
            found = _lookup(by_count, path)
            if found is not None or method != "HEAD":
                return found
        elif method != method.upper():
            return self.match(method.upper(), path)
        if method == "HEAD":  # a HEAD is the GET without its body
            by_get = self._buckets.get("GET")
            return _lookup(by_get, path) if by_get is not None else None
        return None

    def __len__(self) -> int:
        return len(self.routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def __repr__(self) -> str:
        return f"RouteTable({len(self.routes)} routes)"


def _getter(literal: tuple[int, ...]) -> Callable[[Sequence[str]], Any]:
    """The key of a path for a mask: its literal positions' segments (``itemgetter``, C speed;
    one position gives the segment itself, not a tuple, for paths and templates alike)."""
    if not literal:
        return _no_literal
    return itemgetter(*literal)


def _no_literal(segments: Sequence[str]) -> tuple[()]:
    """The key of an all-parameter mask."""
    return ()


def _lookup(by_count: dict[int, list[_Mask]], path: str) -> Route | None:
    """Split ``path`` and find its route; a last ``name.ext`` is tried as ``name`` too."""
    stripped = path.strip("/")
    segments = stripped.split("/") if stripped else []
    if "//" in stripped:
        segments = [s for s in segments if s]
    found = _find(by_count, segments)
    if found is None and segments and "." in segments[-1]:
        stem = segments[-1].rpartition(".")[0]
        if stem:
            segments[-1] = stem
            found = _find(by_count, segments)
    return found


def _find(by_count: dict[int, list[_Mask]], segments: list[str]) -> Route | None:
    masks = by_count.get(len(segments))
    if masks is None:
        return None
    for getter, table in masks:
        candidates = table.get(getter(segments))
        if candidates is not None:
            for candidate in candidates:
                if not candidate.checks or all(p.match(segments[i]) for i, p in candidate.checks):
                    return candidate.route
    return None


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")


def checked_headers(values: Mapping[str, str]) -> dict[str, str]:
    """Extra response headers, checked once: a name is an HTTP token, a value is Latin-1
    without control characters (no header can be split or smuggled into another)."""
    result: dict[str, str] = {}
    for name, value in values.items():
        name, value = _exact_str(name, "header name"), _exact_str(value, "header value")
        if not _TOKEN.match(name):
            raise ValueError(f"not a header name: {name!r:.80}")
        if any(ord(c) > 255 or (ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value):
            raise ValueError(f"header {name}: a value must be Latin-1 without control characters")
        result[name] = value
    return result


def _exact_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a route's {what} must be a str, not {type(value).__name__}")
    return str.__str__(value)


def _route(entry: Any) -> Route:
    """A ``Route`` from a ``(method, segments or path, nickname)`` entry, checked."""
    try:
        method, segments, nickname = entry
    except (TypeError, ValueError):
        raise TypeError(f"a route is (method, segments, nickname), not {entry!r:.80}") from None
    parts = split_template(segments) if isinstance(segments, str) else tuple(segments)
    return Route(
        _exact_str(method, "method").upper(),
        tuple(_exact_str(part, "segment") for part in parts if part),
        _exact_str(nickname, "nickname"),
    )


def base_prefix(base_path: str) -> tuple[str, ...]:
    """The path segments of a ``basePath``: ``https://api.example.com/v2`` -> ``("v2",)``;
    a relative one (``/api``) as it is."""
    text = (base_path or "").strip()
    if "://" in text or text.startswith("//"):
        text = urlsplit(text).path
    return split_template(text)
