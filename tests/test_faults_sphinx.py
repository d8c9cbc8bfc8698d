"""The fault matrix for ``sphinx-build``: each fault of the endpoint gives one bounded, located line.

Each case runs ``python -m sphinx build`` against a fault-injecting server on 127.0.0.1 and
asserts the exit status, the one-line message naming the URL, a time bound, that there is no
traceback or crash report, and that no page was written. Then the snapshot behaviour:
written only after success, used with an ``apidocs.fetch`` warning, ``-W`` failing on it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "sphinx_projects"))

from buildtools import sphinx_build  # noqa: E402
from httpserver import Route, scripted_server, unused_port  # noqa: E402
from test_faults_cli import CASES, LISTING, PETS, routes  # noqa: E402

TOKEN = "tok-9f8e7d6c5b4a-secret"

CONF = """\
extensions = ["sphinx_apidocs"]
project = "faults"
apidocs_spec = {spec!r}
apidocs_filters = ""
apidocs_timeout = {timeout}
apidocs_snapshot = "_apidocs_snapshot"
apidocs_headers = {{"Authorization": "Bearer ${{FAULTS_TOKEN}}"}}
"""


def make_project(tmp_path: Path, url: str, timeout: float = 3) -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(CONF.format(spec=url, timeout=timeout))
    (src / "index.rst").write_text("Pets\n====\n\n.. api:resource:: /pets\n")
    return src


def build(src: Path, *extra: str, timeout: float = 120):
    started = time.monotonic()
    result = sphinx_build(["-q", "-b", "html", *extra, str(src), str(src.parent / "out")],
                          env={"FAULTS_TOKEN": TOKEN}, timeout=timeout)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "Exception occurred" not in output and "Versions" not in output
    return result, elapsed


def assert_failed_cleanly(result, src: Path, expected: str) -> None:
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"ERROR: cannot load the API spec: {expected}"), errors[0]
    assert not (src.parent / "out" / "index.html").exists()  # no partial pages


@pytest.mark.parametrize("case", CASES)
def test_fault(case, tmp_path):
    server_routes, expected = CASES[case]
    for route in server_routes.values():
        route.require_header = None
    with scripted_server(server_routes) as server:
        src = make_project(tmp_path, server.base + "/api-docs")
        result, elapsed = build(src)
    assert_failed_cleanly(result, src, expected.format(base=server.base))
    assert elapsed < 30
    assert not (src / "_apidocs_snapshot").exists()


def test_declaration_503_is_retried_then_reported(tmp_path):
    with scripted_server(routes(pets=Route(status=503, body=b"busy"))) as server:
        src = make_project(tmp_path, server.base + "/api-docs")
        result, _ = build(src)
        hits = server.hits("/api-docs/pets.json")
    assert_failed_cleanly(result, src, f"{server.base}/api-docs/pets.json: HTTP 503 Service Unavailable (after 3 attempts)")
    assert hits == 3


def test_stalled_server_fails_within_the_timeout(tmp_path):
    with scripted_server(routes(pets=Route.json(PETS, stall=60))) as server:
        src = make_project(tmp_path, server.base + "/api-docs", timeout=1)
        result, elapsed = build(src)
    assert_failed_cleanly(result, src, f"{server.base}/api-docs/pets.json: timed out after 1 s while reading")
    assert elapsed < 20


def test_huge_body_stops_at_the_cap(tmp_path):
    big = Route(body=b'{"swaggerVersion": "1.2", "apis": [], "x": "', stream_bytes=300 * 1024 * 1024,
                headers={}, send_length=False)
    with scripted_server(routes(listing=big)) as server:
        src = make_project(tmp_path, server.base + "/api-docs")
        result, elapsed = build(src)
    assert_failed_cleanly(result, src, f"{server.base}/api-docs: response exceeds the 52428800-byte cap")
    assert elapsed < 60


def test_401_without_the_token_and_success_with_it(tmp_path):
    server_routes = routes()
    for route in server_routes.values():
        route.require_header = ("Authorization", "Bearer " + TOKEN)
    with scripted_server(server_routes) as server:
        src = make_project(tmp_path, server.base + "/api-docs")
        conf = src / "conf.py"
        conf.write_text(conf.read_text().replace("${FAULTS_TOKEN}", "${FAULTS_WRONG_TOKEN}"))
        result, _ = build(src)
        assert_failed_cleanly(result, src, "header 'Authorization': environment variable FAULTS_WRONG_TOKEN is not set")
        conf.write_text(conf.read_text().replace("${FAULTS_WRONG_TOKEN}", "wrong"))
        result, _ = build(src)
        assert_failed_cleanly(
            result, src,
            f"{server.base}/api-docs: HTTP 401 Unauthorized (missing or wrong credentials? see apidocs_headers / --header)",
        )
        conf.write_text(conf.read_text().replace('Bearer wrong', "Bearer ${FAULTS_TOKEN}"))
        result, _ = build(src, "-W")
    assert result.returncode == 0, result.stderr
    html = (src.parent / "out" / "index.html").read_text()
    assert "list-pets" in html
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and not any(TOKEN.encode() in p.read_bytes() for p in written)


def test_connection_refused(tmp_path):
    port = unused_port()
    src = make_project(tmp_path, f"http://127.0.0.1:{port}/api-docs")
    result, elapsed = build(src)
    assert_failed_cleanly(result, src, f"http://127.0.0.1:{port}/api-docs: connection refused (after 3 attempts)")
    assert elapsed < 30


def test_snapshot_only_after_success_then_fallback_with_warning(tmp_path):
    healthy = routes()
    with scripted_server(healthy) as server:
        src = make_project(tmp_path, server.base + "/api-docs")
        result, _ = build(src, "-W")
        assert result.returncode == 0, result.stderr
        snapshot = src / "_apidocs_snapshot"
        assert sorted(p.name for p in snapshot.iterdir() if not p.name.startswith(".")) == ["api-docs.json", "pets.json"]
        assert json.loads((snapshot / "api-docs.json").read_text()) == LISTING

        # The endpoint now serves a broken declaration: the snapshot is kept as it was.
        healthy["/api-docs/pets.json"] = Route(body=b'{"swaggerVersion": "1.2", "resourcePath": "/pets", "apis": [{"pa')
        before = {p.name: p.read_bytes() for p in snapshot.iterdir() if not p.name.startswith(".")}
        result, _ = build(src, "-E")
        assert result.returncode == 0, result.stderr
        warning = [line for line in result.stderr.splitlines() if "WARNING" in line]
        assert len(warning) == 1 and warning[0].endswith("[apidocs.fetch]")
        assert f"{server.base}/api-docs/pets.json: invalid JSON" in warning[0]
        assert f"using the last good copy in {snapshot}" in warning[0]
        assert {p.name: p.read_bytes() for p in snapshot.iterdir() if not p.name.startswith(".")} == before
        assert "list-pets" in (src.parent / "out" / "index.html").read_text()

        # -W turns the fallback into a failure, so CI notices the endpoint is broken.
        result, _ = build(src, "-E", "-W")
        assert result.returncode != 0
        assert "apidocs.fetch" in result.stderr

    # And with the endpoint gone entirely, the snapshot still builds the docs.
    result, _ = build(src, "-E")
    assert result.returncode == 0 and "connection refused" in result.stderr


def test_no_endpoint_and_no_snapshot_writes_nothing(tmp_path):
    port = unused_port()
    src = make_project(tmp_path, f"http://127.0.0.1:{port}/api-docs")
    result, _ = build(src)
    assert result.returncode == 2
    out = src.parent / "out"
    assert not out.exists() or not any(p.suffix == ".html" for p in out.rglob("*"))
    assert not (src / "_apidocs_snapshot").exists()
