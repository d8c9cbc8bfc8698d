"""What the WSGI and ASGI middleware share: the decision per request and the filtered body.

``Enforcer.decide(method, path, query, source)`` runs before the application is called and
gives one of:

* ``None``: no documented operation matches; pass the request through untouched;
* a ``Refusal``: answer it without calling the application (400 invalid ``fields=``, 404
  ``on_unmatched="refuse"``, 500 operation without a filter, 500 unknown audience);
* a ``Decision``: the operation's route, the filter to apply (``None`` when it is listed in
  ``allow_unfiltered``) and its extra response headers (``Deprecation``/``Sunset``).

After the application answered, ``wants_body`` says whether its body is to be filtered (a
JSON ``Content-Type``, or none at all, with a 2xx status other than 204/304; any status with
``filter_errors``) and ``render`` filters it: ``bytes``, or a ``Refusal`` when the body
cannot be filtered (502 ``unparseable_response`` for a body that is not JSON although
declared so, or compressed; 500 ``filter_failed``).

Fail closed everywhere: a body is either filtered or refused, never passed on unfiltered by
accident; no traceback and no request data but the method reaches a log line (templates and
nicknames come from the spec and are escaped to one line).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import threading
from http import HTTPStatus
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence, Union
from urllib.parse import parse_qsl

from sphinx_apidocs import filters as filters_module
from sphinx_apidocs.errors import ApidocsError, one_line
from sphinx_apidocs.filters import FieldSelectionError, load_filters
from sphinx_apidocs.middleware.routes import Route, RouteSpec, RouteTable, checked_headers

logger = logging.getLogger("sphinx_apidocs.middleware")

Filter = Callable[[Any], Any]
Headers = tuple[tuple[str, str], ...]
FiltersArg = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]], Mapping[str, Filter]]
AudienceArg = Union[None, str, Callable[[Any], Union[str, None]]]

JSON_EXTENSION = "sphinx_apidocs.json"
"""ASGI: the ``scope["extensions"]`` key the middleware sets when it will filter the response;
an application that sees it may send its JSON value unserialized (``send_json``)."""

JSON_TYPES = ("application/json", "+json")
NO_BODY_STATUSES = frozenset({204, 304})
UNMATCHED_CHOICES = ("pass", "refuse")
_MAX_UNKNOWN_AUDIENCES = 256  # names remembered as unknown when no order is known


class Refusal(NamedTuple):
    """A JSON answer given instead of the application's: status, status line, body, headers
    (``Content-Type``, ``Content-Length`` and the operation's lifecycle headers)."""

    code: int
    status: str
    body: bytes
    headers: Headers


class Decision(NamedTuple):
    """A matched operation: its route, the filter (``None``: allowed unfiltered) and extra headers."""

    route: Route
    filter: Filter | None
    headers: Headers


def refusal(code: int, body: Mapping[str, Any], extra: Headers = ()) -> Refusal:
    """A JSON refusal with its status line and ``Content-Length``."""
    data = json.dumps(body).encode("ascii")
    status = f"{code} {HTTPStatus(code).phrase}"
    headers = (("Content-Type", "application/json"), ("Content-Length", str(len(data))), *extra)
    return Refusal(code, status, data, headers)


NOT_FOUND = refusal(404, {"error": "not_found"})
UNKNOWN_AUDIENCE = refusal(500, {"error": "unknown_audience"})


def json_matcher(json_types: Iterable[str]) -> Callable[[str | None], bool]:
    """``is_json(content_type)`` for ``json_types``: exact media types (``application/json``),
    suffixes (``+json``) or ``*`` (every type). A missing ``Content-Type`` counts as JSON: a
    body that does not say what it is must not pass unfiltered (an empty one passes as is).
    """
    exact: set[str] = set()
    suffixes: list[str] = []
    every = False
    for item in json_types:
        if not isinstance(item, str):
            raise TypeError(f"json_types: expected str items, not {type(item).__name__}")
        text = item.strip().lower()
        if text == "*":
            every = True
        elif text.startswith("+"):
            suffixes.append(text)
        elif text:
            exact.add(text)
    ends = tuple(suffixes)
    cache: dict[str, bool] = {}

    def is_json(content_type: str | None) -> bool:
        if content_type is None or every:
            return True
        found = cache.get(content_type)
        if found is None:
            media = content_type.split(";", 1)[0].strip().lower()
            found = media in exact or bool(ends and media.endswith(ends))
            if len(cache) < 1024:
                cache[content_type] = found
        return found

    return is_json


def _supports_audiences() -> bool:
    """Whether ``load_filters`` takes ``audience=``/``audiences=`` (feature detection)."""
    parameters = inspect.signature(load_filters).parameters
    return "audience" in parameters and "audiences" in parameters


class Enforcer:
    """The configured middleware logic (see the module docstring and ``WSGIMiddleware``)."""

    def __init__(
        self,
        spec: Any = None,
        filters: FiltersArg | None = None,
        *,
        routes: RouteTable | Iterable[RouteSpec] | None = None,
        headers: Mapping[str, Mapping[str, str]] | None = None,
        fields_param: str | None = "fields",
        audience: AudienceArg = None,
        audiences: Sequence[str] | None = None,
        allow_unfiltered: Iterable[str] = (),
        on_unmatched: str = "pass",
        filter_errors: bool = False,
        json_types: Iterable[str] = JSON_TYPES,
    ) -> None:
        self.table = _route_table(spec, routes)
        self.match = self.table.match
        # Decisions per filters mapping (id: the mappings are held for good) and route (id:
        # the table's routes live as long as it): a request without fields= costs a lookup.
        self._decisions: dict[int, dict[int, Decision]] = {}
        if on_unmatched not in UNMATCHED_CHOICES:
            raise ValueError(f"on_unmatched must be 'pass' or 'refuse', not {on_unmatched!r}")
        if fields_param is not None and (not isinstance(fields_param, str) or not fields_param):
            raise ValueError("fields_param must be a non-empty str or None")
        if isinstance(allow_unfiltered, str):
            allow_unfiltered = (allow_unfiltered,)
        self.allow_unfiltered = frozenset(allow_unfiltered)
        self.pass_unmatched = on_unmatched == "pass"
        self.fields_param = fields_param
        self.filter_errors = bool(filter_errors)
        self.is_json = json_matcher(json_types)
        self.audiences = tuple(audiences) if audiences is not None else None
        lifecycle: dict[str, dict[str, str]] = {k: dict(v) for k, v in self.table.headers.items()}
        for nickname, values in (headers or {}).items():
            lifecycle.setdefault(str(nickname), {}).update(checked_headers(values))
        self.extra: dict[str, Headers] = {k: tuple(v.items()) for k, v in lifecycle.items() if v}
        self._lock = threading.Lock()
        self._by_audience: dict[str, Mapping[str, Filter]] = {}
        self._unknown: dict[str, None] = {}
        self._narrowest: Mapping[str, Filter] | None = None
        self._paths: Any = None
        self._audiences_supported = False
        self._order: tuple[str, ...] | None = None  # the audience order, when known
        if filters is None:
            raise ValueError("filters is required: a filter file or folder, or a mapping nickname -> filter")
        if isinstance(filters, Mapping):
            if audience is not None or audiences is not None:
                raise ValueError("audience=/audiences= need filters as a path (a folder is loaded per audience)")
            self.default: Mapping[str, Filter] = filters
        else:
            self._paths = filters
            self._audiences_supported = _supports_audiences()
            if (audience is not None or audiences is not None) and not self._audiences_supported:
                raise ValueError("audience=/audiences=: this version of load_filters has no audiences")
            self.default = self._load(audience if isinstance(audience, str) else None)
            if self._audiences_supported:
                order_of = getattr(filters_module, "audience_order", None)
                if self.audiences is not None:
                    self._order = self.audiences
                elif order_of is not None:  # audiences.yaml, read once: names outside it cost nothing
                    self._order = tuple(order_of(filters))
        self.audience: Callable[[Any], str | None] | None = None
        if audience is not None and not isinstance(audience, str):
            if not callable(audience):
                raise TypeError("audience must be None, an audience name or a callable(environ | scope)")
            self.audience = audience
        self.select: Callable[[str, Any], Filter] | None = getattr(self.default, "select", None)
        self._report_coverage()

    # --- before the application -------------------------------------------------------------

    def decide(self, method: str, path: str, query: str, source: Any) -> Decision | Refusal | None:
        """The request's fate (see the module docstring); ``source`` is the environ or scope
        (for the audience callable)."""
        route = self.match(method, path)
        if route is None:
            return None if self.pass_unmatched else NOT_FOUND
        if self.audience is None:
            filters = self.default
        else:
            chosen = self._filters_for(source)
            if isinstance(chosen, Refusal):
                return chosen
            filters = chosen
        selecting = query and self.fields_param is not None
        # the hot path: one lookup for a route without fields= (the decision never changes)
        decisions = self._decisions.get(id(filters))
        if decisions is None:
            decisions = self._decisions[id(filters)] = {}
        if not selecting:
            found = decisions.get(id(route))
            if found is not None:
                return found
        nickname = route.nickname
        extra = self.extra.get(nickname, ())
        whole = filters.get(nickname)
        if whole is None:
            if nickname in self.allow_unfiltered:
                decisions[id(route)] = Decision(route, None, extra)
                return decisions[id(route)]
            return self._without_filter(route, extra)
        if selecting:
            fields = self._fields(query)
            if fields is not None:
                return self._selected(route, filters, fields, extra)
        decisions[id(route)] = decision = Decision(route, whole, extra)
        return decision

    def _fields(self, query: str) -> list[str] | None:
        """The ``fields`` values of a query string (repeats kept), or ``None`` if absent."""
        name = self.fields_param
        assert name is not None
        if name not in query and "%" not in query:
            return None
        values = [value for key, value in parse_qsl(query, keep_blank_values=True) if key == name]
        return values or None

    def _selected(self, route: Route, filters: Mapping[str, Filter], fields: list[str], extra: Headers) -> Decision | Refusal:
        select = getattr(filters, "select", None) if filters is not self.default else self.select
        if select is None:
            return refusal(400, {
                "error": "fields_unsupported",
                "message": f"{self.fields_param}= is not available: these filters cannot select fields",
            }, extra)
        try:
            chosen = select(route.nickname, fields[0] if len(fields) == 1 else fields)
        except FieldSelectionError as exc:
            return refusal(400, exc.as_dict(), extra)
        except (TypeError, ValueError, KeyError) as exc:  # a malformed request, answered plainly
            return refusal(400, {"error": "invalid_fields", "message": one_line(str(exc))[:200], "invalid": [], "allowed": []}, extra)
        return Decision(route, chosen, extra)

    def _without_filter(self, route: Route, extra: Headers) -> Refusal:
        """A matched operation with no filter, not allowed: hidden from this audience (404), or refused."""
        narrowest = self._narrowest_filters()
        if narrowest is not None and route.nickname in narrowest:
            return NOT_FOUND  # a narrower audience's operation: it does not exist for this one
        logger.error(
            "refused %s %s: operation %s has no output filter (list it in allow_unfiltered to let it through)",
            route.method, one_line(route.template), one_line(repr(route.nickname)),
        )
        return refusal(500, {"error": "unfiltered_operation"}, extra)

    # --- audiences ----------------------------------------------------------------------------

    def _load(self, audience: str | None) -> Mapping[str, Filter]:
        if self._audiences_supported and (audience is not None or self.audiences is not None):
            kwargs: dict[str, Any] = {"audience": audience, "audiences": self.audiences}
            return load_filters(self._paths, **kwargs)
        return load_filters(self._paths)

    def _filters_for(self, source: Any) -> Mapping[str, Filter] | Refusal:
        assert self.audience is not None
        try:
            name = self.audience(source)
        except Exception as exc:  # the service's callable: no traceback, no message (secrets)
            logger.error("refused: the audience callable raised %s", type(exc).__name__)
            return UNKNOWN_AUDIENCE
        if name is None:
            return self.default
        if type(name) is not str:
            logger.error("refused: the audience callable returned a %s, not a str", type(name).__name__)
            return UNKNOWN_AUDIENCE
        found = self._by_audience.get(name)
        if found is not None:
            return found
        return self._load_audience(name)

    def _load_audience(self, name: str) -> Mapping[str, Filter] | Refusal:
        if name in self._unknown or (self._order is not None and name not in self._order):
            self._log_unknown(name, "not an audience of these filters")
            return UNKNOWN_AUDIENCE
        with self._lock:
            found = self._by_audience.get(name)
            if found is not None:
                return found
            try:
                found = self._load(name)
            except (ApidocsError, OSError, ValueError, TypeError) as exc:
                if len(self._unknown) < _MAX_UNKNOWN_AUDIENCES:
                    self._unknown[name] = None
                self._log_unknown(name, one_line(str(exc))[:300])
                return UNKNOWN_AUDIENCE
            self._by_audience[name] = found
            return found

    @staticmethod
    def _log_unknown(name: str, why: str) -> None:
        logger.error("refused: unknown audience %s: %s", one_line(repr(name[:80])), why)

    def _narrowest_filters(self) -> Mapping[str, Filter] | None:
        """The narrowest audience's filters (every operation of every audience), if the
        filters have an audience order; loaded once, on the first refusal."""
        if self._paths is None or not self._audiences_supported:
            return None
        if self._narrowest is None:
            try:
                self._narrowest = self._load(self._order[-1]) if self._order else {}
            except (ApidocsError, OSError, ValueError, TypeError):
                self._narrowest = {}
        return self._narrowest

    def _report_coverage(self) -> None:
        """One warning at start-up naming the operations that will be refused (those of a
        narrower audience only are answered 404, as absent: no warning)."""
        missing = [
            route.nickname for route in self.table.routes
            if route.nickname not in self.default and route.nickname not in self.allow_unfiltered
        ]
        if missing:
            narrowest = self._narrowest_filters() or {}
            missing = sorted({nickname for nickname in missing if nickname not in narrowest})
        if missing:
            shown = ", ".join(one_line(repr(n)) for n in missing[:20])
            if len(missing) > 20:
                shown += f", ... ({len(missing) - 20} more)"
            logger.warning("%d operation(s) have no output filter and will be refused: %s", len(missing), shown)

    # --- after the application ----------------------------------------------------------------

    def wants_body(self, decision: Decision, status: int, content_type: str | None, head: bool) -> bool:
        """Whether the response is to be collected and filtered."""
        return (
            decision.filter is not None
            and not head
            and status not in NO_BODY_STATUSES
            and (200 <= status < 300 or self.filter_errors)
            and self.is_json(content_type)
        )

    def render(self, decision: Decision, body: bytes, encoding: str | None) -> bytes | Refusal:
        """The filtered body of a collected JSON response, or a refusal (see module docstring)."""
        if not body.strip():
            return body  # nothing to leak
        if encoding is not None and encoding.strip().lower() not in ("", "identity"):
            return self.unparseable(decision, "is compressed (put compression outside this middleware)")
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
            return self.unparseable(decision, "is not valid JSON")
        return self.render_value(decision, value)

    def render_value(self, decision: Decision, value: Any) -> bytes | Refusal:
        """The filtered, serialized body of a JSON value the application handed over as is."""
        assert decision.filter is not None
        try:
            return json.dumps(decision.filter(value)).encode("ascii")
        except Exception as exc:  # a filter or value that cannot be serialized: refused, not leaked
            logger.error(
                "refused %s %s: filtering the response failed (%s)",
                decision.route.method, one_line(decision.route.template), type(exc).__name__,
            )
            return refusal(500, {"error": "filter_failed"}, decision.headers)

    def unparseable(self, decision: Decision, why: str) -> Refusal:
        """502 ``unparseable_response``, with a log line saying why."""
        logger.error("refused %s %s: the response declared JSON %s", decision.route.method, one_line(decision.route.template), why)
        return refusal(502, {"error": "unparseable_response"}, decision.headers)


def _route_table(spec: Any, routes: RouteTable | Iterable[RouteSpec] | None) -> RouteTable:
    """The route table from ``routes`` (a ``RouteTable`` or a ``ROUTES`` literal) or ``spec``
    (an ``ApiSpec`` or a source to ``load_spec``)."""
    if (spec is None) == (routes is None):
        raise ValueError("give exactly one of spec= (an ApiSpec or a source) and routes= (a ROUTES table)")
    if routes is not None:
        return routes if isinstance(routes, RouteTable) else RouteTable(routes)
    if isinstance(spec, (str, os.PathLike)):
        from sphinx_apidocs.spec import load_spec

        spec = load_spec(os.fspath(spec))
    return RouteTable.from_spec(spec)


def header_lookup(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (lower case) in a WSGI header list."""
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
