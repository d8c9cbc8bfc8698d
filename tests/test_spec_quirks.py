"""Real-world quirks of generated specs: swagger-docs style 1.2 listings (``authorizations:
null``, ``.json`` listing paths, operations without nicknames) and lower-case ``2xx``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import run_cli
from httpserver import Route, scripted_server
from sphinx_apidocs.spec.loader import load_spec
from sphinx_projects.buildtools import build

LISTING = {
    "apiVersion": "1.0",
    "swaggerVersion": "1.2",
    "basePath": "http://localhost:3000",
    "authorizations": None,
    "apis": [
        {"path": "/api/v1/user.json", "description": "Users"},
        {"path": "/api/v1/pets", "description": "Pets"},
        {"path": "/api/v1/orders.yaml", "description": "Orders"},
    ],
}


def _declaration(resource: str, path: str, nickname: str | None) -> dict[str, Any]:
    operation: dict[str, Any] = {"method": "get", "summary": f"List {resource}", "type": "void", "parameters": []}
    if nickname:
        operation["nickname"] = nickname
    return {
        "apiVersion": "1.0", "swaggerVersion": "1.2", "basePath": "http://localhost:3000",
        "resourcePath": resource, "authorizations": None,
        "apis": [{"path": path, "operations": [operation]}],
    }


USER = _declaration("users", "/api/v1/users.json", None)  # resourcePath unlike the file name
PETS = _declaration("pets", "/api/v1/pets.json", "list-pets")
ORDERS = _declaration("orders", "/api/v1/orders.json", None)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "api-docs.json").write_text(json.dumps(LISTING))
    (folder / "user.json").write_text(json.dumps(USER))
    (folder / "pets.json").write_text(json.dumps(PETS))
    (folder / "orders.yaml").write_text(json.dumps(ORDERS))  # JSON is YAML too
    return folder


def test_swagger_docs_listing_in_a_folder(tmp_path: Path) -> None:
    spec = load_spec(str(_folder(tmp_path)))
    assert sorted(op.nickname for op in spec.operations) == ["get-api-v1-orders-json", "get-api-v1-users-json", "list-pets"]
    assert spec.warnings == ()
    assert len(spec.notes) == 2
    assert all("operation has no nickname; using 'get-api-v1-" in note for note in spec.notes)
    assert spec.notes[0].startswith(str(tmp_path / "api" / "user.json") + "#/apis/0/operations/0: ")


def test_swagger_docs_listing_over_http() -> None:
    routes = {
        "/docs/api-docs": Route.json(LISTING),
        "/docs/api-docs/api/v1/user.json": Route.json(USER),
        "/docs/api-docs/api/v1/pets": Route.json(PETS),
        "/docs/api-docs/api/v1/orders.yaml": Route.json(ORDERS),
    }
    with scripted_server(routes) as server:
        spec = load_spec(f"{server.base}/docs/api-docs")
    assert sorted(r.resource_path for r in spec.resources) == ["/orders", "/pets", "/users"]
    assert spec.warnings == () and len(spec.notes) == 2


def test_cli_shows_notes_not_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err, _ = run_cli(["validate", str(_folder(tmp_path))], capsys)
    assert code == 0 and "3 operations" in out
    assert "warning:" not in err and err.count("note: ") == 2


def test_sphinx_build_of_a_swagger_docs_spec_is_clean_with_w(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    src = tmp_path / "docs"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = ['sphinx_apidocs']\napidocs_spec = {str(folder)!r}\n")
    (src / "index.rst").write_text("API\n===\n\n.. api:spec::\n")
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0 and result.warning_lines() == [], result.warnings


def _openapi_with_ranges() -> dict[str, Any]:
    responses = {"2xx": {"description": "fine"}, "4xx": {"description": "bad"}, "500": {"description": "boom"}}
    return {
        "openapi": "3.1.0", "info": {"title": "Hooks", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "get-a", "responses": dict(responses)}}},
        "webhooks": {"newPet": {"post": {"operationId": "new-pet", "responses": dict(responses)}}},
    }


def test_lowercase_status_ranges_are_accepted_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(_openapi_with_ranges()))
    spec = load_spec(str(path))
    op = next(o for o in spec.operations if o.nickname == "get-a")
    assert [m.code for m in op.response_messages] == ["2XX", "4XX", 500]
    assert f"{path}#/paths/~1a/get/responses/2xx: response code '2xx' read as '2XX'" in spec.notes
    assert f"{path}#/webhooks/newPet/post/responses/4xx: response code '4xx' read as '4XX'" in spec.notes


def test_swagger2_lowercase_ranges_validate(tmp_path: Path) -> None:
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"},
           "paths": {"/a": {"get": {"operationId": "a", "responses": {"5xx": {"description": "x"}}}}}}
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(doc))
    spec = load_spec(str(path))
    assert [m.code for m in next(spec.operations).response_messages] == ["5XX"]
