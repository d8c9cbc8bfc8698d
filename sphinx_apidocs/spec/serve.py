"""A live endpoint over spec files, for demos, docs builds and tests.

The resource listing (or the one Swagger 2.0/OpenAPI document) is served at ``/api-docs``;
every other file of the folder below it (``/api-docs/auth.json``,
``/api-docs/listings/greetings``) and, so that relative ``$ref``s of an OpenAPI root work,
at the server's root too. A request without an extension also finds ``NAME.json``.

Only regular files inside the folder are ever served (symbolic links are resolved first, so
one pointing out of the folder is not followed), and no hidden file (``.env``, ``.git/``). A request path that cannot name such a file
— NUL or other control characters, percent-encoding that is not UTF-8, over-long — gets a
``400``/``404`` answer and one log line, never a traceback; ``GET`` and ``HEAD`` are
answered, other methods get ``501``. Binding a busy or invalid address is a one-line
:class:`~sphinx_apidocs.errors.ApidocsError` naming ``host:port``.
"""

from __future__ import annotations

import http.server
import os
import socket
import sys
import threading
import urllib.parse
from contextlib import contextmanager
from typing import Iterator

from sphinx_apidocs.errors import ApidocsError, SpecError
from sphinx_apidocs.spec.fetch import FetchOptions, is_yaml_name
from sphinx_apidocs.spec.detect import is_openapi
from sphinx_apidocs.spec.refs import inside
from sphinx_apidocs.spec.sources import kind_or_none, scan_folder, scan_yaml

LISTING_PATH = "/api-docs"
MAX_PATH = 4096  # bytes of a decoded request path; longer cannot name a file here anyway


def find_listing(folder: str) -> str:
    """The one resource listing (or OpenAPI root) in ``folder``; prefers ``api-docs*``.

    Only a document that really lies inside ``folder`` qualifies (not one reached through a
    symbolic link pointing out of it).
    """
    root = os.path.realpath(folder)
    documents = [d for d in scan_folder(folder, FetchOptions()) if inside(d.location, root)]
    listings = [d.location for d in documents if kind_or_none(d) == "listing"]
    if not listings:
        documents += [d for d in scan_yaml(folder, FetchOptions()) if inside(d.location, root)]
        listings = [d.location for d in documents if is_openapi(d.data)]
    if not listings:
        raise SpecError([f"{folder}: no resource listing or OpenAPI document to serve at {LISTING_PATH}"])
    preferred = [p for p in listings if os.path.basename(p).startswith("api-docs")]
    if len(listings) > 1 and len(preferred) != 1:
        raise SpecError([f"{folder}: several API documents could be served ({', '.join(sorted(listings))}); keep one per folder"])
    return (preferred or listings)[0]


class BadRequestPath(ValueError):
    """A request path that cannot name a file: answered with ``status``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def decode_path(raw: str) -> str:
    """The file path a request target names: the path part, percent-decoded as strict UTF-8.

    Raises :class:`BadRequestPath` (400) for what no file name can hold: NUL and other
    control characters, invalid percent-encoding results, and paths over ``MAX_PATH``.
    """
    path = urllib.parse.urlsplit(raw).path
    if len(path) > 3 * MAX_PATH:
        raise BadRequestPath(414, "request path too long")
    try:
        # http.server read the request line as Latin-1: back to bytes, then UTF-8, strictly.
        decoded = urllib.parse.unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise BadRequestPath(400, "request path is not UTF-8") from None
    if len(decoded.encode("utf-8")) > MAX_PATH:
        raise BadRequestPath(414, "request path too long")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in decoded):
        raise BadRequestPath(400, "control character in request path")
    return decoded


class SpecRequestHandler(http.server.BaseHTTPRequestHandler):
    server_version = "sphinx-apidocs"
    timeout = 60  # seconds a client may take to send its request (a stalled one frees its thread)
    root: str = "."
    listing: str = ""
    quiet: bool = False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        try:
            path = self.resolve(decode_path(self.path))
        except BadRequestPath as exc:
            self._refuse(exc.status, str(exc))
            return
        if path is None:
            self._refuse(404, "Not Found")
            return
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError:  # removed or unreadable since it was found
            self._refuse(404, "Not Found")
            return
        self.send_response(200)
        kind = "application/yaml" if is_yaml_name(path) else "application/json"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def _refuse(self, status: int, reason: str) -> None:
        """An error answer with a short plain-text body; logged as one line (the request's)."""
        content = f"{status} {reason}\n".encode()
        self.send_response(status, reason)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD":
            self.wfile.write(content)

    def resolve(self, url_path: str) -> str | None:
        """The real path of the regular file inside the folder that ``url_path`` names."""
        if url_path.rstrip("/") in (LISTING_PATH, LISTING_PATH + ".json"):
            return self.listing
        if url_path.startswith(LISTING_PATH + "/"):
            relative = url_path[len(LISTING_PATH) + 1 :]
        else:
            relative = url_path.lstrip("/")
        if any(segment.startswith(".") for segment in relative.split("/")):
            return None  # ``..``, and hidden files (``.env``, ``.git/``) are never served
        root = os.path.realpath(self.root)
        for candidate in (relative, relative + ".json"):
            try:
                full = os.path.realpath(os.path.join(root, candidate))
                if full != root and inside(full, root) and os.path.isfile(full):
                    return full
            except (OSError, ValueError):
                continue
        return None

    def log_error(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: every answer is logged once, by ``log_request``, with its status."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)


class SpecServer(http.server.ThreadingHTTPServer):
    """The threading server; an unexpected error in a request is one log line, not a traceback."""

    daemon_threads = True
    quiet = False

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if not self.quiet and not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"{client_address}: request failed: {type(error).__name__}: {error}", file=sys.stderr)


class SpecServer6(SpecServer):
    address_family = socket.AF_INET6


def make_server(folder: str, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> SpecServer:
    """A threading HTTP server for ``folder``; port 0 picks a free one (``server.server_port``)."""
    if not 0 <= port <= 65535:
        raise ApidocsError(f"{host}:{port}: invalid port (expected 0 to 65535)")
    if not os.path.isdir(folder):
        raise ApidocsError(f"{folder}: no such folder")
    listing = find_listing(folder)
    handler = type(
        "BoundSpecRequestHandler",
        (SpecRequestHandler,),
        {"root": folder, "listing": os.path.realpath(listing), "quiet": quiet},
    )
    server_class = SpecServer6 if ":" in host else SpecServer
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        raise ApidocsError(f"{shown}: cannot listen: {reason}") from None
    server.quiet = quiet
    return server


def server_url(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}{LISTING_PATH}"


@contextmanager
def serving(folder: str, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``folder`` in a background thread for the duration of the block; yields the URL."""
    server = make_server(folder, host, port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, name="apidocs-serve", daemon=True)
    thread.start()
    try:
        yield server_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
