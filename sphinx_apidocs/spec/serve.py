"""A live endpoint over spec files, for demos, docs builds and tests.

The resource listing (or the one Swagger 2.0/OpenAPI document) is served at ``/api-docs``;
every other file of the folder below it (``/api-docs/auth.json``,
``/api-docs/listings/greetings``) and, so that relative ``$ref``s of an OpenAPI root work,
at the server's root too. A request without an extension also finds ``NAME.json``. Only
files inside the folder are ever served.
"""

from __future__ import annotations

import http.server
import os
import threading
import urllib.parse
from contextlib import contextmanager
from typing import Iterator

from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec.fetch import FetchOptions, is_yaml_name
from sphinx_apidocs.spec.openapi.detect import is_openapi
from sphinx_apidocs.spec.sources import kind_or_none, scan_folder, scan_yaml

LISTING_PATH = "/api-docs"


def find_listing(folder: str) -> str:
    """The one resource listing (or OpenAPI root) in ``folder``; prefers ``api-docs*``."""
    documents = list(scan_folder(folder, FetchOptions()))
    listings = [d.location for d in documents if kind_or_none(d) == "listing"]
    if not listings:
        documents += scan_yaml(folder, FetchOptions())
        listings = [d.location for d in documents if is_openapi(d.data)]
    if not listings:
        raise SpecError([f"{folder}: no resource listing or OpenAPI document to serve at {LISTING_PATH}"])
    preferred = [p for p in listings if os.path.basename(p).startswith("api-docs")]
    if len(listings) > 1 and len(preferred) != 1:
        raise SpecError([f"{folder}: several API documents could be served ({', '.join(sorted(listings))}); keep one per folder"])
    return (preferred or listings)[0]


class SpecRequestHandler(http.server.BaseHTTPRequestHandler):
    server_version = "sphinx-apidocs"
    root: str = "."
    listing: str = ""
    quiet: bool = False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.resolve(urllib.parse.urlsplit(self.path).path)
        if path is None:
            self.send_error(404, "Not Found")
            return
        with open(path, "rb") as handle:
            body = handle.read()
        self.send_response(200)
        kind = "application/yaml" if is_yaml_name(path) else "application/json"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def resolve(self, url_path: str) -> str | None:
        url_path = urllib.parse.unquote(url_path)
        if url_path.rstrip("/") in (LISTING_PATH, LISTING_PATH + ".json"):
            return self.listing
        if url_path.startswith(LISTING_PATH + "/"):
            relative = url_path[len(LISTING_PATH) + 1 :]
        else:
            relative = url_path.lstrip("/")
        root = os.path.realpath(self.root)
        for candidate in (relative, relative + ".json"):
            full = os.path.realpath(os.path.join(root, candidate))
            if full.startswith(root + os.sep) and os.path.isfile(full):
                return full
        return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)


def make_server(folder: str, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """A threading HTTP server for ``folder``; port 0 picks a free one (``server.server_port``)."""
    listing = find_listing(folder)
    handler = type(
        "BoundSpecRequestHandler",
        (SpecRequestHandler,),
        {"root": folder, "listing": os.path.realpath(listing), "quiet": quiet},
    )
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def server_url(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{LISTING_PATH}"


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
