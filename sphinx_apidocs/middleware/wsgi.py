"""``WSGIMiddleware``: a WSGI service that enforces its own docs (see ``core`` for the rules).

Unmatched requests, and responses that are not to be filtered, go through untouched (the
application's own iterable is returned, so streaming and ``wsgi.file_wrapper`` keep working).
A response to filter is collected whole (``write()`` calls and every chunk of the iterable,
whose ``close()`` is always called), filtered, and sent as one body with its new
``Content-Length``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from sphinx_apidocs.middleware.core import (
    JSON_TYPES,
    AudienceArg,
    Decision,
    Enforcer,
    FiltersArg,
    Headers,
    Refusal,
    header_lookup,
)
from sphinx_apidocs.middleware.routes import RouteSpec, RouteTable

StartResponse = Callable[..., Callable[[bytes], Any]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_HeaderList = list[tuple[str, str]]

_END = object()
_RANGE_KEYS = ("HTTP_RANGE", "HTTP_IF_RANGE")


class JSONBody:
    """A WSGI response body holding a JSON value, for an application that wants to skip
    serializing the whole value only for ``WSGIMiddleware`` to parse it again.

    Behind the middleware, the value itself is filtered and serialized once; without it,
    iterating gives the serialized value, so the application works either way. Set the
    ``Content-Type`` (``application/json``) and no ``Content-Length``.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __iter__(self) -> Iterator[bytes]:
        yield json.dumps(self.value).encode("ascii")


class WSGIMiddleware:
    """Wrap a WSGI application so every documented operation's JSON response is filtered by
    its whitelist (see ``docs/service.rst``).

    ``spec``: an ``ApiSpec`` or a source to load (file, folder, URL); or ``routes``: a
    ``RouteTable`` or a generated module's ``ROUTES`` (with its ``HEADERS`` as ``headers``).
    ``filters``: a filter file or folder (loaded once; per audience on demand), or a mapping
    nickname -> filter (a generated module's ``FILTERS``; ``fields=`` then needs a ``select``
    attribute, else it is answered 400 ``fields_unsupported``). ``fields_param``: the query
    parameter of a client's field selection (``None``: no selection). ``audience``: ``None``
    (the widest), a name, or a callable(environ) -> name (``None``: the widest).
    ``allow_unfiltered``: nicknames whose responses may pass unfiltered. ``on_unmatched``:
    ``"pass"`` (undocumented paths go through) or ``"refuse"`` (404). ``filter_errors``:
    filter non-2xx JSON bodies too. ``json_types``: media types to filter (``+json``:
    a suffix; ``*``: all).
    """

    def __init__(
        self,
        app: WSGIApp,
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
        self.app = app
        self.core = Enforcer(
            spec,
            filters,
            routes=routes,
            headers=headers,
            fields_param=fields_param,
            audience=audience,
            audiences=audiences,
            allow_unfiltered=allow_unfiltered,
            on_unmatched=on_unmatched,
            filter_errors=filter_errors,
            json_types=json_types,
        )
        self.routes = self.core.table

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if not path.isascii():  # WSGI strings are bytes as latin-1: the UTF-8 path back
            try:
                path = path.encode("latin-1").decode("utf-8", "replace")
            except UnicodeEncodeError:
                pass
        query: str = environ.get("QUERY_STRING", "")
        if not query.isascii():
            query = query.encode("latin-1", "replace").decode("utf-8", "replace")
        decision = self.core.decide(environ.get("REQUEST_METHOD", "GET"), path, query, environ)
        if decision is None:
            return self.app(environ, start_response)
        if type(decision) is Refusal:
            start_response(decision.status, list(decision.headers))
            return [decision.body]
        assert isinstance(decision, Decision)
        if decision.filter is None and not decision.headers:
            return self.app(environ, start_response)
        if decision.filter is not None and ("HTTP_RANGE" in environ or "HTTP_IF_RANGE" in environ):
            # a range of the unfiltered body would leak it piecemeal: ask for the whole
            environ = {key: value for key, value in environ.items() if key not in _RANGE_KEYS}
        return _Exchange(self.app, self.core, decision, environ, start_response).run()


class _Exchange:
    """One filtered request: captures ``start_response``, collects or passes the body."""

    __slots__ = ("app", "core", "decision", "environ", "start_response", "head", "mode", "captured", "chunks", "again")

    def __init__(
        self, app: WSGIApp, core: Enforcer, decision: Decision, environ: dict[str, Any], start_response: StartResponse
    ) -> None:
        self.app = app
        self.core = core
        self.decision = decision
        self.environ = environ
        self.start_response = start_response
        self.head = environ.get("REQUEST_METHOD") == "HEAD"
        self.mode = ""  # "" (not started), "pass" or "collect"
        self.captured: tuple[str, _HeaderList, Any] = ("", [], None)
        self.chunks: list[bytes] = []
        self.again = False  # start_response called again while collecting: judge the last call

    def capture(self, status: str, headers: _HeaderList, exc_info: Any = None) -> Callable[[bytes], Any]:
        if self.mode == "pass":
            return self.start_response(status, self.passed(status, headers), exc_info)
        if self.mode == "":
            if not self.core.wants_body(self.decision, _code(status), header_lookup(headers, "content-type"), self.head):
                self.mode = "pass"
                return self.start_response(status, self.passed(status, headers), exc_info)
            self.mode = "collect"  # headers go out after the body is filtered
        else:
            self.again = True
        self.captured = (status, headers, exc_info)
        return self.chunks.append

    def passed(self, status: str, headers: _HeaderList) -> _HeaderList:
        """The application's headers plus the lifecycle ones it did not set; for a ``HEAD``
        whose ``GET`` would be filtered, without the unfiltered body's ``Content-Length``."""
        result = _with_extra(headers, self.decision.headers)
        if self.head and self.decision.filter is not None and self.core.wants_body(
            self.decision, _code(status), header_lookup(headers, "content-type"), False
        ):
            result = [(k, v) for k, v in result if k.lower() != "content-length"]
        return result

    def run(self) -> Iterable[bytes]:
        result = self.app(self.environ, self.capture)
        mode = self.mode
        if mode == "pass":
            return result
        if mode == "collect" and type(result) is JSONBody and not self.chunks:
            return self.finish(None, result.value)
        try:
            iterator = iter(result)
            if mode == "":
                first = next(iterator, _END)  # a lazy application calls start_response now
                if self.mode == "":
                    raise RuntimeError("the WSGI application did not call start_response")
                if self.mode == "pass":
                    return _Chained(first, iterator, result)
                if first is not _END:
                    self.chunks.append(first)  # type: ignore[arg-type]
            for chunk in iterator:
                self.chunks.append(chunk)
        except BaseException:
            _close(result)
            raise
        _close(result)
        return self.finish(b"".join(self.chunks), None)

    def finish(self, body: bytes | None, value: Any) -> list[bytes]:
        status, headers, exc_info = self.captured
        core, decision = self.core, self.decision
        if not self.again or core.wants_body(decision, _code(status), header_lookup(headers, "content-type"), self.head):
            if body is None:
                out = core.render_value(decision, value)
            else:
                out = core.render(decision, body, header_lookup(headers, "content-encoding"))
            if type(out) is Refusal:
                self.start_response(out.status, list(out.headers), exc_info)
                return [out.body]
            assert isinstance(out, bytes)
            headers = [item for item in headers if item[0].lower() != "content-length"]
            headers.append(("Content-Length", str(len(out))))
            body = out
        elif body is None:  # a JSONBody whose final status is not filtered (an error...)
            body = json.dumps(value).encode("ascii")
        extra = decision.headers
        self.start_response(status, _with_extra(headers, extra) if extra else headers, exc_info)
        return [body]


class _Chained:
    """The application's iterable after its first item was taken; ``close()`` reaches it."""

    __slots__ = ("first", "rest", "result")

    def __init__(self, first: object, rest: Iterator[bytes], result: Iterable[bytes]) -> None:
        self.first = first
        self.rest = rest
        self.result = result

    def __iter__(self) -> Iterator[bytes]:
        if self.first is not _END:
            first, self.first = self.first, _END
            yield first  # type: ignore[misc]
        yield from self.rest

    def close(self) -> None:
        _close(self.result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _code(status: str) -> int:
    try:
        return int(status[:3])
    except ValueError:
        return 0  # not 2xx: never filtered, passed on for the server to judge


def _with_extra(headers: _HeaderList, extra: Headers) -> _HeaderList:
    """``headers`` plus each of ``extra`` the application did not set itself."""
    if not extra:
        return list(headers)
    present = {k.lower() for k, _ in headers}
    return [*headers, *((k, v) for k, v in extra if k.lower() not in present)]
