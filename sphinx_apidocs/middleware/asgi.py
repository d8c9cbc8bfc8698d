"""``ASGIMiddleware``: an ASGI service that enforces its own docs (see ``core`` for the rules).

HTTP scopes only (``websocket`` and ``lifespan`` pass through). A response to filter is held
back from its ``http.response.start`` to its last ``http.response.body`` (``more_body``
false), filtered, and sent as one start (new ``content-length``) and one body; everything
else is forwarded as the application sends it.

An application that sees ``JSON_EXTENSION`` in ``scope["extensions"]`` may send its JSON value
unserialized (``send_json``): the middleware filters the value and serializes only what is
left, which saves a serialization and a parse of the whole response.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence

from sphinx_apidocs.middleware.core import (
    JSON_EXTENSION,
    JSON_TYPES,
    AudienceArg,
    Decision,
    Enforcer,
    FiltersArg,
    Refusal,
)
from sphinx_apidocs.middleware.routes import RouteSpec, RouteTable

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_RawHeaders = list[tuple[bytes, bytes]]

JSON_VALUE_KEY = "sphinx_apidocs.json"
"""The key of an ``http.response.body`` message that carries the JSON value (``send_json``)."""

_RANGE_HEADERS = (b"range", b"if-range")


async def send_json(
    scope: Scope, send: Send, value: Any, *, status: int = 200, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send ``value`` as a JSON response: unserialized to an ``ASGIMiddleware`` that asked for
    it (``JSON_EXTENSION``), serialized otherwise."""
    start: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json"), *headers]
    if JSON_EXTENSION in (scope.get("extensions") or {}):
        await send({"type": "http.response.start", "status": status, "headers": start})
        await send({"type": "http.response.body", "body": b"", JSON_VALUE_KEY: value})
        return
    body = json.dumps(value).encode("ascii")
    start.append((b"content-length", str(len(body)).encode("ascii")))
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


class ASGIMiddleware:
    """Wrap an ASGI application so every documented operation's JSON response is filtered
    by its whitelist. The parameters are ``WSGIMiddleware``'s; ``audience`` is called with
    the scope.
    """

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and not path.startswith(root):  # servers differ on whether path includes root_path
            path = root + path
        query: bytes = scope.get("query_string", b"")
        text = query.decode("utf-8", "replace") if query else ""  # percent-escapes stay for parse_qsl
        decision = self.core.decide(scope.get("method", "GET"), path, text, scope)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if type(decision) is Refusal:
            await _send_refusal(send, decision)
            return
        assert isinstance(decision, Decision)
        if decision.filter is None and not decision.headers:
            await self.app(scope, receive, send)
            return
        if decision.filter is not None:
            scope = dict(scope)
            scope["extensions"] = {**(scope.get("extensions") or {}), JSON_EXTENSION: {}}
            raw: _RawHeaders = scope.get("headers") or []
            if any(name.lower() in _RANGE_HEADERS for name, _ in raw):
                # a range of the unfiltered body would leak it piecemeal: ask for the whole
                scope["headers"] = [(k, v) for k, v in raw if k.lower() not in _RANGE_HEADERS]
        exchange = _Exchange(self.core, decision, send, scope.get("method") == "HEAD")
        await self.app(scope, receive, exchange.send)
        await exchange.finish()


async def _send_refusal(send: Send, refused: Refusal) -> None:
    await send({"type": "http.response.start", "status": refused.code, "headers": _raw(refused.headers)})
    await send({"type": "http.response.body", "body": refused.body})


def _raw(headers: Iterable[tuple[str, str]]) -> _RawHeaders:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def _lookup(headers: _RawHeaders, name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class _Exchange:
    """One filtered response: its ``send``, holding back what is to be filtered."""

    __slots__ = ("core", "decision", "downstream", "head", "mode", "start", "chunks", "value", "extra")

    def __init__(self, core: Enforcer, decision: Decision, downstream: Send, head: bool) -> None:
        self.core = core
        self.decision = decision
        self.downstream = downstream
        self.head = head
        self.mode = ""  # "" (nothing sent), "pass", "collect" or "done"
        self.start: Message = {}
        self.chunks: list[bytes] = []
        self.value: Any = _NO_VALUE
        self.extra = _raw(decision.headers)

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if self.mode == "done":
            return None  # the filtered response (or a refusal) is out: nothing else may follow
        if self.mode == "collect":
            if kind != "http.response.body":
                return await self._fail_closed()  # e.g. a zero-copy file send: nothing to filter
            if JSON_VALUE_KEY in message:
                self.value = message[JSON_VALUE_KEY]
            else:
                self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._flush()
            return None
        if kind == "http.response.start" and self.mode == "":
            headers: _RawHeaders = list(message.get("headers") or [])
            status: int = message["status"]
            content_type = _lookup(headers, b"content-type")
            if self.core.wants_body(self.decision, status, content_type, self.head):
                self.mode = "collect"
                self.start = message
                return None
            self.mode = "pass"
            if self.head and self.decision.filter is not None and self.core.wants_body(self.decision, status, content_type, False):
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            message = {**message, "headers": self._with_extra(headers)}
        elif kind == "http.response.body" and JSON_VALUE_KEY in message:
            # a value sent unserialized on a response that is not filtered (an error status)
            message = {"type": kind, "body": json.dumps(message[JSON_VALUE_KEY]).encode("ascii"),
                       "more_body": message.get("more_body", False)}
        return await self.downstream(message)

    def _with_extra(self, headers: _RawHeaders) -> _RawHeaders:
        if not self.extra:
            return headers
        present = {k.lower() for k, _ in headers}
        return [*headers, *((k, v) for k, v in self.extra if k not in present)]

    async def _flush(self) -> None:
        self.mode = "done"
        core, decision = self.core, self.decision
        headers: _RawHeaders = list(self.start.get("headers") or [])
        if self.value is not _NO_VALUE and not self.chunks:
            out = core.render_value(decision, self.value)
        else:
            body = b"".join(self.chunks)
            if self.value is not _NO_VALUE:  # bytes and a value: not a form we know how to filter
                out = core.unparseable(decision, "mixes bytes and a value")
            else:
                out = core.render(decision, body, _lookup(headers, b"content-encoding"))
        if type(out) is Refusal:
            await _send_refusal(self.downstream, out)
            return
        assert isinstance(out, bytes)
        headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"transfer-encoding")]
        headers.append((b"content-length", str(len(out)).encode("ascii")))
        await self.downstream({**self.start, "headers": self._with_extra(headers)})
        await self.downstream({"type": "http.response.body", "body": out})

    async def _fail_closed(self) -> None:
        self.mode = "done"
        await _send_refusal(self.downstream, self.core.unparseable(self.decision, "is not sent as a body"))

    async def finish(self) -> None:
        """After the application returned: a response still held back is sent as it stands
        (an application that never ended its body)."""
        if self.mode == "collect":
            await self._flush()


_NO_VALUE: Any = object()
