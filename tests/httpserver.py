"""A scripted HTTP server on 127.0.0.1 for tests: each path answers as a route says.

Real sockets, real HTTP: the loader under test talks to it exactly as to a service. The
server runs in a daemon thread and is stopped by the context manager that started it.
"""

from __future__ import annotations

import http.server
import json
import socket
import ssl
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
    redirect: str | None = None  # answer ``redirect_status`` with this Location
    redirect_status: int = 302
    stall: float = 0.0  # send headers, then stall before the body (interruptible)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    trickle: float = 0.0  # send the body one byte at a time, this many seconds apart
    trickle_headers: bool = False  # with ``trickle``: the status line and headers too

    @classmethod
    def json(cls, value: Any, **kwargs: Any) -> "Route":
        return cls(body=json.dumps(value).encode(), **kwargs)


class ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route], tls: tuple[str, str] | None = None) -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.scheme = "https" if tls else "http"
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls:  # (certificate file, key file): an https origin on loopback
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.socket = context.wrap_socket(self.socket, server_side=True)

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested.split("?", 1)[0] == path)

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_port}"


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
            self.send_response(route.redirect_status)
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
        if route.trickle:
            self._trickle(route, body)
            return
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

    def _trickle(self, route: Route, body: bytes) -> None:
        """A slow-loris server: each byte arrives well within a per-read timeout."""
        head = (
            f"HTTP/1.1 {route.status} OK\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in route.headers.items())
            + f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        slow = head + body if route.trickle_headers else body
        try:
            if not route.trickle_headers:
                self.wfile.write(head)
                self.wfile.flush()
            for index in range(len(slow)):
                if self.server.stopping.wait(route.trickle):
                    break
                self.wfile.write(slow[index:index + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released): connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def scripted_server(routes: dict[str, Route], tls: tuple[str, str] | None = None) -> Iterator[ScriptedServer]:
    server = ScriptedServer(routes, tls)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
