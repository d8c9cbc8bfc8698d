"""The fault matrix for the CLI: each fault of a live endpoint gives one bounded, located line.

Every case asserts the exit status, the exact one-line message naming the URL, a time
bound, and that no traceback is printed. The faults come from a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from cli_helpers import LISTING, PETS, run_cli
from httpserver import Route, scripted_server, unused_port



def run_cli_traced(args, capsys):
    """``run_cli`` with the peak of Python allocations while it ran."""
    tracemalloc.start()
    try:
        status, out, err, elapsed = run_cli(args, capsys)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return status, err, elapsed, peak


def routes(listing: Route | None = None, pets: Route | None = None) -> dict[str, Route]:
    return {"/api-docs": listing or Route.json(LISTING), "/api-docs/pets.json": pets or Route.json(PETS)}


CASES = {
    "listing-html-200": (
        routes(listing=Route(body=b"<html><body>Please sign in</body></html>", headers={"Content-Type": "text/html"})),
        "{base}/api-docs: got HTML or XML instead of JSON (a login page, proxy error or wrong URL?)",
    ),
    "listing-500": (routes(listing=Route(status=500, body=b"oops")), "{base}/api-docs: HTTP 500 Internal Server Error"),
    "declaration-404": (routes(pets=Route(status=404, body=b"")), "{base}/api-docs/pets.json: HTTP 404 Not Found"),
    "truncated-json": (
        routes(pets=Route(body=json.dumps(PETS).encode()[:40])),
        "{base}/api-docs/pets.json: invalid JSON at line 1 column 39: Unterminated string starting at",
    ),
    "connection-cut-mid-body": (
        routes(pets=Route(body=json.dumps(PETS).encode(), truncate=True)),
        "{base}/api-docs/pets.json: connection closed after %d of %d bytes (truncated response)"
        % (len(json.dumps(PETS)), len(json.dumps(PETS)) + 1000),
    ),
    "empty-body": (routes(pets=Route(body=b"")), "{base}/api-docs/pets.json: empty document, expected JSON"),
    "schema-invalid-declaration": (
        routes(pets=Route.json({**PETS, "apis": [{"path": "/pets", "operations": [{"method": "GRAB"}]}]})),
        '{base}/api-docs/pets.json#/apis/0/operations/0/method: unknown HTTP method "GRAB"',
    ),
    "redirect-loop": (
        {**routes(), "/api-docs": Route(redirect="/loop"), "/loop": Route(redirect="/api-docs")},
        "{base}/api-docs: too many redirects (limit 5)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_fault(case, capsys):
    server_routes, expected = CASES[case]
    with scripted_server(server_routes) as server:
        status, out, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--timeout", "3"], capsys)
    assert status == 1 and out == ""
    line = expected.format(base=server.base)
    assert err.startswith("error: " + line) and err.count("\n") == 1, err
    assert elapsed < 5


def test_declaration_503_is_retried_then_reported(capsys):
    with scripted_server(routes(pets=Route(status=503, body=b"busy"))) as server:
        status, _, err, elapsed = run_cli(["validate", server.base + "/api-docs"], capsys)
        hits = server.hits("/api-docs/pets.json")
    assert status == 1
    assert err == f"error: {server.base}/api-docs/pets.json: HTTP 503 Service Unavailable (after 3 attempts)\n"
    assert hits == 3 and elapsed < 5


def test_stalled_server_fails_within_the_timeout(capsys):
    with scripted_server(routes(pets=Route.json(PETS, stall=60))) as server:
        status, _, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--timeout", "1"], capsys)
    assert status == 1
    assert err == f"error: {server.base}/api-docs/pets.json: timed out after 1 s while reading\n"
    assert elapsed < 4


def test_huge_body_stops_at_the_cap_with_bounded_memory(capsys):
    big = Route(body=b'{"swaggerVersion": "1.2", "apis": [], "x": "', stream_bytes=300 * 1024 * 1024, headers={})
    with scripted_server(routes(listing=big)) as server:
        status, err, elapsed, peak = run_cli_traced(["validate", server.base + "/api-docs", "--max-bytes", "20000000"], capsys)
    assert status == 1
    assert err == f"error: {server.base}/api-docs: response of 314572844 bytes exceeds the 20000000-byte cap\n"
    assert peak < 30 * 1024 * 1024 and elapsed < 10


def test_huge_body_without_content_length_is_also_capped(capsys):
    endless = Route(body=b"[", stream_bytes=300 * 1024 * 1024, headers={}, send_length=False)
    with scripted_server(routes(listing=endless)) as server:
        # Without Content-Length the reader counts what really arrives and stops at the cap.
        status, err, _, peak = run_cli_traced(["validate", server.base + "/api-docs", "--max-bytes", "1000000"], capsys)
    assert status == 1 and "exceeds the 1000000-byte cap" in err
    assert peak < 10 * 1024 * 1024


def test_401_without_the_token_then_success_with_it(capsys, monkeypatch):
    monkeypatch.setenv("PETS_TOKEN", "hunter2-token")
    server_routes = routes()
    for route in server_routes.values():
        route.require_header = ("Authorization", "Bearer hunter2-token")
    with scripted_server(server_routes) as server:
        status, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
        assert status == 1
        assert err == (
            f"error: {server.base}/api-docs: HTTP 401 Unauthorized "
            "(missing or wrong credentials? see apidocs_headers / --header)\n"
        )
        status, out, err, _ = run_cli(
            ["validate", server.base + "/api-docs", "--header", "Authorization: Bearer ${PETS_TOKEN}"], capsys
        )
    assert status == 0, err
    assert out == f"{server.base}/api-docs: valid Swagger 1.2: 1 resources, 1 operations\n"
    assert "hunter2" not in out + err


def test_connection_refused(capsys):
    port = unused_port()
    status, _, err, elapsed = run_cli(["validate", f"http://127.0.0.1:{port}/api-docs"], capsys)
    assert status == 1
    assert err == f"error: http://127.0.0.1:{port}/api-docs: connection refused (after 3 attempts)\n"
    assert elapsed < 5


def test_credentials_in_the_url_are_not_shown(capsys):
    with scripted_server(routes(listing=Route(status=500, body=b""))) as server:
        url = server.base.replace("http://", "http://user:pa55word@") + "/api-docs"
        status, _, err, _ = run_cli(["validate", url], capsys)
    assert status == 1 and "pa55word" not in err and "user" not in err
    assert err == f"error: {server.base}/api-docs: HTTP 500 Internal Server Error\n"
