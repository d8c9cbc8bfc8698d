"""The middleware's cost, side by side in one run: ``python benchmarks/middleware.py``
(about 40 s; ``--quick``: about 15 s).

(a) In-process, per request, on a 400-route table (WSGI, a one-object response): route
    matching alone, and the middleware over an application against a *hand-wired*
    application that calls the filter itself. Minimum of repeats, ns per request.

    * ``hand-wired``: ``json.dumps(FILTER(value))``, what a service without the middleware does;
    * ``middleware, JSONBody``: the application returns ``JSONBody(value)``, the middleware
      matches, filters and serializes: the difference is the middleware's own overhead;
    * ``middleware, bytes``: the application serializes the whole value, the middleware parses,
      filters and serializes again (any framework's response, unchanged).

(b) Throughput under uvicorn (a separate process, one worker) for a 1,000-object page, with a
    small concurrent client (threads, ``http.client`` keep-alive) for a few seconds per
    configuration, configurations interleaved, best of the rounds:

    * ``no middleware``: the whole page, unfiltered (what the service sends today);
    * ``hand-wired``: the application filters the page itself;
    * ``middleware, bytes``: ``ASGIMiddleware`` over the unfiltered application;
    * ``middleware, send_json``: ``ASGIMiddleware`` over an application that hands it the value.

The goals: (a) overhead <= 5 us + the filter; (b) middleware >= 0.9x hand-wired.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sphinx_apidocs.examples import response_example  # noqa: E402
from sphinx_apidocs.filters import load_filters  # noqa: E402
from sphinx_apidocs.middleware import ASGIMiddleware, JSONBody, RouteTable, WSGIMiddleware, send_json  # noqa: E402
from sphinx_apidocs.spec import load_spec  # noqa: E402

SPECS = ROOT / "sample_specs"
FILTERS = ROOT / "output_filters"
PAGE_SIZE = 1000


# --- a 400-route API ---------------------------------------------------------------------------


def big_routes(count: int = 400, seed: int = 11) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """``count`` routes shaped like a large API: versions, resources, ids, sub-resources,
    actions and literal neighbours of parameters (``/users/me`` next to ``/users/{id}``),
    and one concrete request path per route."""
    rng = random.Random(seed)
    resources = [f"res{i}" for i in range(30)]
    subs = ["items", "notes", "owners", "events", "files"]
    actions = ["approve", "cancel", "archive"]
    routes: list[tuple[str, str, str]] = []
    paths: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(method: str, template: str, concrete: str) -> None:
        if (method, template) not in seen and len(routes) < count:
            seen.add((method, template))
            routes.append((method, template, f"op{len(routes)}"))
            paths.append((method, concrete))

    while len(routes) < count:
        version = rng.choice(["v1", "v2", "v3"])
        res = rng.choice(resources)
        base = f"/api/{version}/{res}"
        n = rng.randint(1, 10**6)
        shape = rng.randrange(6)
        if shape == 0:
            add(rng.choice(["GET", "POST"]), base, base)
        elif shape == 1:
            add(rng.choice(["GET", "PUT", "PATCH", "DELETE"]), base + "/{id}", f"{base}/{n}")
        elif shape == 2:
            add("GET", base + "/me", base + "/me")
        elif shape == 3:
            sub = rng.choice(subs)
            add(rng.choice(["GET", "POST"]), f"{base}/{{id}}/{sub}", f"{base}/{n}/{sub}")
        elif shape == 4:
            sub = rng.choice(subs)
            add(rng.choice(["GET", "DELETE"]), f"{base}/{{id}}/{sub}/{{sub_id}}", f"{base}/{n}/{sub}/{n + 1}")
        else:
            add("POST", f"{base}/{{id}}/{rng.choice(actions)}", f"{base}/{n}/{rng.choice(actions)}")
    return routes, paths


def time_per_call(fn: Callable[[], Any], number: int, repeat: int) -> float:
    """Seconds per call: the minimum over ``repeat`` runs of ``number`` calls."""
    return side_by_side({"": fn}, number, repeat)[""]


def side_by_side(fns: dict[str, Callable[[], Any]], number: int, repeat: int) -> dict[str, float]:
    """Seconds per call of each function: runs interleaved (a busy machine slows them all
    alike), the minimum of ``repeat`` runs of ``number`` calls each."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def in_process(quick: bool) -> None:
    spec = load_spec(str(SPECS))
    compiled = load_filters(str(FILTERS))
    op = spec.operation("get-user")
    assert op is not None
    value = response_example(spec, op, None)  # the whole model: more than the whitelist
    whitelist = compiled["get-user"]

    routes, paths = big_routes()
    # the benchmarked operation is one of 400; every route gets the same whitelist
    routes[200] = (routes[200][0], routes[200][1], "get-user")
    method, path = paths[200]
    table = RouteTable(routes)
    assert table.match(method, path) is not None and table.match(method, path).nickname == "get-user"  # type: ignore[union-attr]

    with tempfile.TemporaryDirectory() as folder:
        names = {nickname for _, _, nickname in routes}
        text = "".join(f"{name}: &w{i}\n  - uid\n  - name\n  - location: [city, country]\n" for i, name in enumerate(sorted(names - {"get-user"})))
        Path(folder, "many.yaml").write_text(text, encoding="utf-8")
        Path(folder, "user.yaml").write_text((FILTERS / "users.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        filters = load_filters(folder)

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
        return _ignore

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": ""}
    json_headers = [("Content-Type", "application/json")]

    def hand_wired(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = json.dumps(whitelist(value)).encode()
        start_response("200 OK", [*json_headers, ("Content-Length", str(len(body)))])
        return [body]

    def value_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", list(json_headers))
        return JSONBody(value)

    def bytes_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = json.dumps(value).encode()
        start_response("200 OK", [*json_headers, ("Content-Length", str(len(body)))])
        return [body]

    with_value = WSGIMiddleware(value_app, routes=table, filters=filters)
    with_bytes = WSGIMiddleware(bytes_app, routes=table, filters=filters)
    assert b"".join(with_value(dict(environ), start_response)) == b"".join(hand_wired(environ, start_response))
    assert b"".join(with_bytes(dict(environ), start_response)) == b"".join(hand_wired(environ, start_response))

    number, repeat = (2000, 5) if quick else (10000, 7)
    rows: list[tuple[str, float]] = []
    match_all = time_per_call(lambda: [table.match(m, p) for m, p in paths], number // 20, repeat) / len(paths)
    rows.append(("route match (mean of the 400 routes' requests)", match_all))
    rows.append(("route match (the benchmarked route)", time_per_call(lambda: table.match(method, path), number, repeat)))
    rows.append(("filter alone: FILTER(value)", time_per_call(lambda: whitelist(value), number, repeat)))
    timed = side_by_side({
        "hand": lambda: list(hand_wired(environ, start_response)),
        "value": lambda: list(with_value(environ, start_response)),
        "bytes": lambda: list(with_bytes(environ, start_response)),
    }, number, repeat * 2)
    hand, via_value, via_bytes = timed["hand"], timed["value"], timed["bytes"]
    rows.append(("hand-wired: json.dumps(FILTER(value))", hand))
    rows.append(("middleware, JSONBody", via_value))
    rows.append(("middleware, bytes (app serializes the whole value)", via_bytes))

    print(f"(a) in-process, WSGI, {len(table)} routes, one get-user object ({len(json.dumps(value))} bytes unfiltered)")
    for label, seconds in rows:
        print(f"    {label:<55} {seconds * 1e9:>10,.0f} ns")
    print(f"    overhead of the middleware (JSONBody - hand-wired)      {(via_value - hand) * 1e6:>10.2f} us   (goal <= 5 us)")
    print(f"    overhead with a parse (bytes - hand-wired)              {(via_bytes - hand) * 1e6:>10.2f} us")


def _ignore(data: bytes) -> None:
    pass


# --- under uvicorn ------------------------------------------------------------------------------


MODES = ("no middleware", "hand-wired", "middleware, bytes", "middleware, send_json")


def page_app(mode: str) -> Any:
    """The ASGI application of one configuration: ``GET /v2/users`` answers a 1,000-user page."""
    spec = load_spec(str(SPECS))
    op = spec.operation("get-user")
    assert op is not None
    user = response_example(spec, op, None)
    page = {"users": [dict(user, uid=f"u{i}") for i in range(PAGE_SIZE)], "paging": {"offset": 0, "count": PAGE_SIZE, "total": 10 * PAGE_SIZE}}
    whitelist = load_filters(str(FILTERS))["list-users"]
    json_headers = [(b"content-type", b"application/json")]

    async def plain(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = json.dumps(page).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [*json_headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def hand_wired(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = json.dumps(whitelist(page)).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [*json_headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def by_value(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send_json(scope, send, page)

    if mode == "no middleware":
        return plain
    if mode == "hand-wired":
        return hand_wired
    if mode == "middleware, bytes":
        return ASGIMiddleware(plain, spec, str(FILTERS))
    return ASGIMiddleware(by_value, spec, str(FILTERS))


def serve(mode: str, port: int) -> None:
    """Child process: one configuration under uvicorn until killed."""
    import uvicorn

    logging.getLogger("sphinx_apidocs.middleware").setLevel(logging.ERROR)  # the sample's start-up warning
    uvicorn.run(page_app(mode), host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="off", interface="asgi3")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(mode: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, "--serve", mode, str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return child, port
        except OSError:
            time.sleep(0.05)
    child.kill()
    raise RuntimeError(f"uvicorn did not start for {mode!r}")


def load(port: int, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second of ``clients`` keep-alive threads for ``seconds``; and the body size."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    sizes = [0] * clients

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            connection.request("GET", "/v2/users")
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, response.status
            sizes[index] = len(body)
            counts[index] += 1
        connection.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start), max(sizes)


def under_uvicorn(quick: bool, clients: int) -> None:
    seconds, rounds = (1.5, 2) if quick else (3.0, 3)
    servers = {mode: start_server(mode) for mode in MODES}
    try:
        for mode, (_, port) in servers.items():
            load(port, 0.3, clients)  # warm-up: first requests compile the filters' selections
        best: dict[str, float] = dict.fromkeys(MODES, 0.0)
        size: dict[str, int] = {}
        for _ in range(rounds):
            for mode, (_, port) in servers.items():
                rate, size[mode] = load(port, seconds, clients)
                best[mode] = max(best[mode], rate)
    finally:
        for child, _ in servers.values():
            child.terminate()
        for child, _ in servers.values():
            child.wait(timeout=10)
    print(f"(b) uvicorn, 1 worker, {PAGE_SIZE}-object page, {clients} keep-alive clients, {seconds:g} s x {rounds} rounds (best)")
    for mode in MODES:
        print(f"    {mode:<24} {best[mode]:>8.1f} req/s   body {size[mode]:>8,} bytes   {best[mode] / best['hand-wired']:.2f}x hand-wired")
    print(f"    goal: middleware >= 0.90x hand-wired  (bytes {best['middleware, bytes'] / best['hand-wired']:.2f}x, "
          f"send_json {best['middleware, send_json'] / best['hand-wired']:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--only", choices=("a", "b"))
    parser.add_argument("--serve", nargs=2, metavar=("MODE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if args.only != "b":
        in_process(args.quick)
    if args.only != "a":
        under_uvicorn(args.quick, args.clients)


if __name__ == "__main__":
    main()
