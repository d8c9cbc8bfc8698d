"""Concurrent declaration fetches: a listing of 20 declarations, each answered after 200 ms.

    python benchmarks/fetch.py [--count 20] [--delay 0.2] [--repeat 3]

Runs the same load sequentially (concurrency 1) and with the default bounded pool, side by
side in one process against one loopback server, and prints wall times and the ratio.
"""

from __future__ import annotations

import argparse
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sphinx_apidocs.spec import FetchOptions, load_spec  # noqa: E402
from sphinx_apidocs.spec.fetch import DEFAULT_CONCURRENCY  # noqa: E402


def make_handler(count: int, delay: float) -> type[http.server.BaseHTTPRequestHandler]:
    listing = {"swaggerVersion": "1.2", "apis": [{"path": f"/r{i}.{{format}}"} for i in range(count)]}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/api-docs":
                body = listing
            else:
                time.sleep(delay)
                name = self.path.rsplit("/", 1)[-1].removesuffix(".json")
                body = {
                    "swaggerVersion": "1.2",
                    "basePath": "https://api.example.com",
                    "resourcePath": f"/{name}",
                    "apis": [{"path": f"/{name}", "operations": [{"method": "GET", "nickname": f"get-{name}"}]}],
                }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.count, args.delay))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api-docs"
    results: dict[str, list[float]] = {"sequential (concurrency 1)": [], f"concurrent (pool of {DEFAULT_CONCURRENCY})": []}
    try:
        for _ in range(args.repeat):
            for label, workers in zip(results, (1, DEFAULT_CONCURRENCY)):
                started = time.perf_counter()
                spec = load_spec(url, options=FetchOptions(concurrency=workers))
                results[label].append(time.perf_counter() - started)
                assert len(spec.resources) == args.count
    finally:
        server.shutdown()
        server.server_close()

    serial_floor = args.count * args.delay
    print(f"{args.count} declarations, {args.delay * 1000:.0f} ms each; 20 x delay = {serial_floor:.2f} s")
    print(f"{'run':32} {'median s':>9} {'min s':>7} {'vs 20 x delay':>14}")
    medians = {}
    for label, times in results.items():
        medians[label] = statistics.median(times)
        print(f"{label:32} {medians[label]:9.3f} {min(times):7.3f} {medians[label] / serial_floor:13.2f}x")
    sequential, concurrent = medians.values()
    print(f"speed-up of concurrent over sequential: {sequential / concurrent:.1f}x")


if __name__ == "__main__":
    main()
