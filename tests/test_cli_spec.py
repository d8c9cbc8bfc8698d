"""The spec commands run as users run them: in-process through ``main`` and as a process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from httpserver import Route, scripted_server
from sphinx_apidocs.cli import main
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.serve import serving

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_specs"


def test_validate_sample_over_http(capsys):
    with serving(str(SAMPLE)) as url:
        status = main(["validate", url, "--timeout", "5"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out == f"{url}: valid Swagger 1.2: 6 resources, 30 operations\n"
    assert err == ""


def test_validate_reports_every_error_and_exits_1(tmp_path, capsys):
    bad = {
        "swaggerVersion": "1.2",
        "resourcePath": "/x",
        "apis": [
            {"path": "/x", "operations": [{"method": "GET", "nickname": "x", "parameters": [{"paramType": "query"}]}]},
            {"path": "/y", "operations": [{"nickname": "y", "deprecated": "sometimes"}]},
        ],
        "models": {"X": {"id": "X", "properties": {"n": {"type": "integer", "minimum": "low"}}}},
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.splitlines() == [
        f"error: {path}#/apis/0/operations/0/parameters/0: 'name' is a required property",
        f"error: {path}#/apis/1/operations/0: operation has neither 'method' nor 'httpMethod'",
        f"error: {path}#/apis/1/operations/0/deprecated: expected true or false, got \"sometimes\"",
        f"error: {path}#/models/X/properties/n/minimum: expected a number, got \"low\"",
    ]


def test_header_values_never_reach_output(capsys, monkeypatch):
    monkeypatch.setenv("APIDOCS_TEST_SECRET", "tok-123-secret")
    with scripted_server({"/api-docs": Route(status=500, body=b"boom")}) as server:
        status = main(["validate", server.base + "/api-docs", "--header", "Authorization: Bearer ${APIDOCS_TEST_SECRET}"])
    out, err = capsys.readouterr()
    assert status == 1
    assert err == f"error: {server.base}/api-docs: HTTP 500 Internal Server Error\n"
    assert "tok-123-secret" not in out + err
    assert server.requests[0][1]["Authorization"] == "Bearer tok-123-secret"


def test_bad_header_argument(capsys):
    assert main(["validate", str(SAMPLE), "--header", "no colon here"]) == 1
    assert capsys.readouterr().err == "error: --header: expected 'Name: value' (no ':' in the argument)\n"


def test_snapshot_writes_only_after_success(tmp_path, capsys):
    target = tmp_path / "snap"
    with serving(str(SAMPLE)) as url:
        assert main(["snapshot", url, "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"{target}: wrote 7 documents\n"
    # The documents read as a plain folder (the snapshot's own entries are hidden ones).
    assert sorted(p.name for p in target.iterdir() if not p.name.startswith(".")) == sorted(p.name for p in SAMPLE.iterdir())
    for name in os.listdir(target):
        if not name.startswith("."):
            assert (target / name).read_bytes() == (SAMPLE / name).read_bytes()

    # A failing source leaves the previous snapshot untouched and no staging folders behind.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "api-docs.json").write_text('{"swaggerVersion": "1.2", "apis": [{"path": "/missing"}]}')
    with serving(str(broken)) as url:
        assert main(["snapshot", url, "-o", str(target)]) == 1
    assert "missing: HTTP 404" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "snap"]
    assert load_spec(str(target)).operation("get-auth-user-info") is not None


def test_serve_as_a_process_then_validate_against_it():
    process = subprocess.Popen(
        [sys.executable, "-m", "sphinx_apidocs", "serve", str(SAMPLE), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/api-docs)", line)
        assert match, line
        result = subprocess.run(
            [sys.executable, "-m", "sphinx_apidocs", "validate", match.group(1)],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert "6 resources, 30 operations" in result.stdout
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0


def test_serve_refuses_paths_outside_the_folder(tmp_path):
    import urllib.error
    import urllib.request

    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "api-docs.json").write_text('{"swaggerVersion": "1.2", "apis": []}')
    (tmp_path / "secret.json").write_text('{"secret": true}')
    with serving(str(tmp_path / "specs")) as url:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url + "/../secret.json", timeout=5)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "/%2e%2e/secret", timeout=5)
        assert json.load(urllib.request.urlopen(url, timeout=5)) == {"swaggerVersion": "1.2", "apis": []}
    assert error.value.code == 404


def test_python_dash_m_version():
    result = subprocess.run([sys.executable, "-m", "sphinx_apidocs", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("sphinx-apidocs ")


def test_serve_an_openapi_folder_with_relative_refs(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.0.3\n"
        "info: {title: Pets, version: '1'}\n"
        "paths:\n"
        "  /pets:\n"
        "    get:\n"
        "      operationId: list-pets\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema: {$ref: 'schemas/pet.yaml#/Pet'}\n"
    )
    (tmp_path / "schemas" / "pet.yaml").write_text(
        "Pet:\n  type: object\n  properties:\n    name: {type: string, description: the name}\n"
    )
    with serving(str(tmp_path)) as url:
        spec = load_spec(url)
    op = spec.operation("list-pets")
    assert spec.format_label == "OpenAPI 3.0.3"
    assert op.response_type.ref == "Pet"
    assert spec.models()["Pet"].property("name").description == "the name"
