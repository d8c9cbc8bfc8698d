"""A scripted HTTP server on 127.0.0.1 for tests: each path answers as a route says.

Real sockets, real HTTP: the loader under test talks to it exactly as to a service. The
server runs in a daemon thread and is stopped by the context manager that started it.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator


@dataclass
class Route:
    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0
    require_header: tuple[str, str] | None = None  # (name, value) or 401
    stream_bytes: int = 0  # send this many filler bytes after ``body`` (large responses)
    truncate: bool = False  # promise more bytes than are sent, then close
    redirect: str | None = None  # answer 302 to this location
    stall: float = 0.0  # send headers, then stall before the body (interruptible)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes

    @classmethod
    def json(cls, value: Any, **kwargs: Any) -> "Route":
        return cls(body=json.dumps(value).encode(), **kwargs)


class ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested.split("?", 1)[0] == path)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = self.server.routes.get(path)
        if route is None:
            self.send_error(404)
            return
        if route.delay:
            self.server.stopping.wait(route.delay)
        if route.redirect is not None:
            self.send_response(302)
            self.send_header("Location", route.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.require_header:
            name, value = route.require_header
            if self.headers.get(name) != value:
                self.send_error(401, "Unauthorized")
                return
        body = route.body() if callable(route.body) else route.body
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        length = len(body) + route.stream_bytes + (1000 if route.truncate else 0)
        if route.send_length:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            if route.stall:
                self.wfile.flush()
                self.server.stopping.wait(route.stall)
            self.wfile.write(body)
            filler = b" " * 65536
            left = route.stream_bytes
            while left > 0 and not self.server.stopping.is_set():
                self.wfile.write(filler[: min(left, len(filler))])
                left -= len(filler)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if route.truncate:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released): connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def scripted_server(routes: dict[str, Route]) -> Iterator[ScriptedServer]:
    server = ScriptedServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
