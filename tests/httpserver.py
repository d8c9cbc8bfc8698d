"""A scripted HTTP server on 127.0.0.1 for tests: each path answers as a route says.

Real sockets, real HTTP: the loader under test talks to it exactly as to a service. The
server runs in a daemon thread and is stopped by the context manager that started it.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
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

    @classmethod
    def json(cls, value: Any, **kwargs: Any) -> "Route":
        return cls(body=json.dumps(value).encode(), **kwargs)


class ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

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
            time.sleep(route.delay)
        if route.require_header:
            name, value = route.require_header
            if self.headers.get(name) != value:
                self.send_error(401, "Unauthorized")
                return
        body = route.body() if callable(route.body) else route.body
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def scripted_server(routes: dict[str, Route]) -> Iterator[ScriptedServer]:
    server = ScriptedServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
