"""``sphinx-apidocs validate --strict``: the standard's own schema (openapi-spec-validator),
one line per problem with its JSON pointer; what a normal load accepts does not change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import LISTING, PETS, run_cli


def _valid() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {"/pets": {"get": {
            "operationId": "list-pets",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "pattern": "^[a-z]+$"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "models/Pet.json"}}}}},
        }}},
    }


def _write(folder: Path, data: dict[str, Any]) -> Path:
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "models" / "Pet.json").write_text(json.dumps({"type": "object", "properties": {
        "name": {"type": "string", "pattern": "^[A-Z]"}}}))
    path = folder / "openapi.json"
    path.write_text(json.dumps(data))
    return path


def test_a_valid_spec_passes_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _valid())
    code, out, err, _ = run_cli(["validate", "--strict", str(path)], capsys)
    assert (code, err) == (0, "") and out == f"{path}: valid OpenAPI 3.0.3: 1 resources, 1 operations\n"


def test_invalid_per_the_standard_is_one_line_each_with_a_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _valid()
    del data["info"]["title"]
    data["paths"]["/pets"]["get"]["parameters"][0]["schema"]["pattern"] = "[a-"
    path = _write(tmp_path, data)
    (tmp_path / "models" / "Pet.json").write_text(json.dumps({"type": "object", "properties": {
        "name": {"type": "string", "pattern": "(("}}}))
    code, out, _, _ = run_cli(["validate", str(path)], capsys)
    assert code == 0, "a normal load accepts it, as before"
    code, out, err, elapsed = run_cli(["validate", "--strict", str(path)], capsys)
    assert code == 1 and out == ""
    assert sorted(err.splitlines()) == sorted([
        f"error: {path}#/info: 'title' is a required property",
        f"error: {path}#/paths/~1pets/get/parameters/0/schema/pattern: '[a-' is not a 'regex'",
        f"error: {tmp_path / 'models' / 'Pet.json'}#/properties/name/pattern: '((' is not a 'regex'",
    ])
    assert elapsed < 30


def test_swagger2_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps({"swagger": "2.0", "info": {"version": "1"},
                                "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "x"}}}}}}))
    code, _, err, _ = run_cli(["validate", "--strict", str(path)], capsys)
    assert code == 1 and err == f"error: {path}#/info: 'title' is a required property\n"


def test_openapi31_strict_and_lowercase_ranges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "webhooks": {"hook": {"post": {"responses": {"2xx": {"description": "x"}}}}}}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(data))
    code, _, err, _ = run_cli(["validate", str(path)], capsys)
    assert code == 0, "lower-case ranges load (with a note)"
    code, _, err, _ = run_cli(["validate", "--strict", str(path)], capsys)
    assert code == 1 and err.startswith(f"error: {path}#/webhooks/hook/post/responses: ") and "'2xx'" in err


def test_swagger1_says_strict_is_not_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "api-docs.json").write_text(json.dumps(LISTING))
    (tmp_path / "pets.json").write_text(json.dumps(PETS))
    code, out, err, _ = run_cli(["validate", "--strict", str(tmp_path)], capsys)
    assert code == 0 and "valid Swagger" in out
    assert err.startswith("note: strict validation is not available for Swagger 1.x")


@pytest.mark.parametrize("data", [
    {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"$ref": "#/nowhere"}}},
    {"openapi": "3.0.0", "info": 5, "paths": []},
    {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}},
    {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, "x-deep": [[[[[[[[[[[]]]]]]]]]]]},
])
def test_odd_input_gives_lines_never_a_traceback(tmp_path: Path, data: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(data))
    code, _, err, elapsed = run_cli(["validate", "--strict", str(path)], capsys)
    assert code in (0, 1) and elapsed < 30
    assert all(line.startswith(("error: ", "note: ", "warning: ")) for line in err.splitlines())


def test_strict_validator_is_imported_only_for_strict(tmp_path: Path) -> None:
    path = _write(tmp_path, _valid())
    code = (
        "import sys\nfrom sphinx_apidocs.cli import main\n"
        f"assert main(['validate', {str(path)!r}]) == 0\n"
        "assert 'openapi_spec_validator' not in sys.modules\n"
        f"assert main(['validate', '--strict', {str(path)!r}]) == 0\n"
        "assert 'openapi_spec_validator' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
