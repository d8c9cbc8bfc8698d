"""Helpers of the middleware tests (no tests here): the sample API's fake service as a WSGI
and an ASGI application, real servers on loopback (``wsgiref``, uvicorn), an HTTP client.

The fake service answers every operation of ``sample_specs/`` with the *whole* response model
(``response_example`` without a whitelist), as a service that forgot its docs would. Its own
router is a few regular expressions, independent of the route table under test. A request
header steers it: ``X-Fake: stream`` (body in chunks), ``text`` (a text/plain body),
``garbage`` (invalid JSON declared JSON), ``gzip``, ``value`` (``JSONBody``/``send_json``),
``lazy`` (WSGI: start_response called on first iteration), ``write`` (WSGI ``write()``),
``bare`` (no Content-Type); ``X-Fake-Status: 404`` answers that status with a JSON body.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import http.client
import json
import os
import re
import socket
import threading
import time
import wsgiref.simple_server
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from sphinx_apidocs.examples import NO_EXAMPLE, response_example
from sphinx_apidocs.middleware import ASGIMiddleware, JSONBody, WSGIMiddleware, send_json
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.model import ApiSpec, Operation

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_SPECS = os.path.join(ROOT, "sample_specs")
SAMPLE_FILTERS = os.path.join(ROOT, "output_filters")

SPEC = load_spec(SAMPLE_SPECS)


def request_path(spec: ApiSpec, op: Operation) -> str:
    """A concrete path for ``op``: its base path and template, parameters filled in."""
    base = re.sub(r"^[a-z]+://[^/]+", "", spec.resource(op.resource_path).base_path).rstrip("/")  # type: ignore[union-attr]
    return base + re.sub(r"\{[^}]*\}", lambda m: f"p{len(m.group())}", op.path)


class FakeService:
    """The sample API without its filters: every operation answers its whole model."""

    def __init__(self, spec: ApiSpec = SPEC) -> None:
        self.spec = spec
        self.routes: list[tuple[str, re.Pattern[str], Operation]] = []
        for op in spec.operations:
            base = re.sub(r"^[a-z]+://[^/]+", "", spec.resource(op.resource_path).base_path).rstrip("/")  # type: ignore[union-attr]
            pattern = re.escape(base) + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(op.path))
            self.routes.append((op.method, re.compile(pattern + r"\Z"), op))
        self.bodies: dict[str, Any] = {op.nickname: response_example(spec, op, None) for op in spec.operations}
        self.calls: list[tuple[str, str, dict[str, str]]] = []  # (method, path, some headers)
        self.closed = 0  # WSGI iterables closed

    def find(self, method: str, path: str) -> Operation | None:
        method = "GET" if method == "HEAD" else method
        for verb, pattern, op in self.routes:
            if verb == method and pattern.match(path):
                return op
        return None

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], Any, str]:
        """(status, headers, JSON value or bytes, mode) for a request."""
        self.calls.append((method, path, {k: v for k, v in headers.items() if k in ("range", "x-fake")}))
        mode = headers.get("x-fake", "")
        op = self.find(method, path)
        if op is None:
            return 404, [("Content-Type", "text/plain")], b"no such path here", mode
        if "x-fake-status" in headers:
            error = {"error": "something", "detail": "internal detail", "secret": "s3cr3t"}
            return int(headers["x-fake-status"]), [("Content-Type", "application/json")], error, mode
        body = self.bodies[op.nickname]
        if body is NO_EXAMPLE:
            return 204, [], b"", mode
        if mode == "text":
            return 200, [("Content-Type", "text/plain; charset=utf-8")], json.dumps(body).encode(), mode
        if mode == "garbage":
            return 200, [("Content-Type", "application/json")], b'{"uid": "x", oops', mode
        if mode == "gzip":
            return 200, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], gzip.compress(json.dumps(body).encode()), mode
        if mode == "bare":
            return 200, [], json.dumps(body).encode(), mode
        return 200, [("Content-Type", "application/json; charset=utf-8")], body, mode

    # --- WSGI ---------------------------------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        status, out, body, mode = self.answer(environ["REQUEST_METHOD"], environ["PATH_INFO"], headers)
        line = f"{status} {http.client.responses.get(status, 'Status')}"
        if mode == "value" and not isinstance(body, bytes):
            start_response(line, out)
            return JSONBody(body)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if mode == "stream":
            start_response(line, out)
            return _Closing(self, [data[i:i + 97] for i in range(0, len(data), 97)])
        if mode == "lazy":
            return self._lazy(start_response, line, out, data)
        if mode == "write":
            write = start_response(line, out)
            write(data[:50])
            return _Closing(self, [data[50:]])
        start_response(line, [*out, ("Content-Length", str(len(data)))])
        return [data]

    def _lazy(self, start_response: Callable[..., Any], line: str, out: list[tuple[str, str]], data: bytes) -> Iterator[bytes]:
        start_response(line, out)
        yield data[:10]
        yield data[10:]

    # --- ASGI ---------------------------------------------------------------------------------

    async def asgi(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        assert scope["type"] == "http"
        while True:  # read the request body, as a real application does
            message = await receive()
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status, out, body, mode = self.answer(scope["method"], scope["path"], headers)
        raw = [(k.lower().encode(), v.encode()) for k, v in out]
        if mode == "value" and not isinstance(body, bytes):
            await send_json(scope, send, body, status=status)
            return
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if mode == "stream":
            await send({"type": "http.response.start", "status": status, "headers": raw})
            pieces = [data[i:i + 97] for i in range(0, len(data), 97)]
            for piece in pieces[:-1]:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": pieces[-1] if pieces else b"", "more_body": False})
            return
        raw.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": data})


class _Closing:
    """A WSGI body whose ``close()`` the service counts."""

    def __init__(self, service: FakeService, chunks: list[bytes]) -> None:
        self.service = service
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.service.closed += 1


# --- servers -----------------------------------------------------------------------------------


class _Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class Switch:
    """A server's application, swappable between tests (the server runs once per module)."""

    def __init__(self) -> None:
        self.app: Any = None

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)

    async def asgi(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        await self.app(scope, receive, send)


@contextmanager
def wsgi_server(app: Callable[..., Any]) -> Iterator[str]:
    """``app`` under ``wsgiref.simple_server`` on 127.0.0.1 (an ephemeral port), in a thread."""
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def uvicorn_server(app: Callable[..., Any], **options: Any) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1 (an ephemeral port, bound here), in a thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options.setdefault("interface", "asgi3")
    config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# --- the client ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(found) <= 1, f"header {name} sent {len(found)} times"
        return found[0] if found else None

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(base: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> Reply:
    """One request over a fresh connection; checks that ``Content-Length`` is the body's length."""
    host = base.split("://", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        reply = Reply(response.status, response.getheaders(), data)
    finally:
        connection.close()
    length = reply.header("Content-Length")
    if length is not None and method != "HEAD":
        assert int(length) == len(data), (length, len(data))
    return reply


class Stage:
    """A running server (WSGI or ASGI) whose application each test mounts."""

    def __init__(self, kind: str, base: str, switch: Switch) -> None:
        self.kind = kind
        self.base = base
        self.switch = switch
        self.service = FakeService()

    def mount(self, service: FakeService | None = None, **options: Any) -> Any:
        """The fake service (a new one by default) behind the middleware built with ``options``
        (``spec``/``filters`` default to the samples)."""
        self.service = service or FakeService()
        if "routes" not in options:
            options.setdefault("spec", self.service.spec)
        options.setdefault("filters", SAMPLE_FILTERS)
        if self.kind == "wsgi":
            middleware: Any = WSGIMiddleware(self.service.wsgi, **options)
        else:
            middleware = ASGIMiddleware(self.service.asgi, **options)
        self.switch.app = middleware
        return middleware

    def fetch(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None) -> Reply:
        return fetch(self.base, method, path, headers, body)


@contextmanager
def stage(kind: str) -> Iterator[Stage]:
    switch = Switch()
    server = wsgi_server(switch.wsgi) if kind == "wsgi" else uvicorn_server(switch.asgi)
    with server as base:
        yield Stage(kind, base, switch)
