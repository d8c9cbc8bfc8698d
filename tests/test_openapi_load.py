"""Swagger 2.0 / OpenAPI 3.x sources: detection, YAML, operations, errors, external refs (files and HTTP)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from httpserver import Route, scripted_server
from sphinx_apidocs.cli import main
from sphinx_apidocs.errors import ApidocsError, FetchError, SpecError
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import TypeRef
from sphinx_apidocs.spec.snapshot import write_snapshot
from sphinx_apidocs.spec.sources import document_kind, load_documents

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def petstore(**extra: object) -> dict:
    """A small OpenAPI 3.0 document exercising parameters, bodies, tags and security."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0", "description": "A pet store."},
        "servers": [{"url": "https://{region}.example.com/v1", "variables": {"region": {"default": "eu"}}}],
        "security": [{"oauth": ["pets:read"]}],
        "tags": [{"name": "store", "description": "Orders."}, {"name": "pets", "description": "Pets."}],
        "paths": {
            "/pets/{petId}": {
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}, "description": "Session id."},
                ],
                "get": {
                    "operationId": "getPet",
                    "tags": ["pets", "store"],
                    "summary": "One pet",
                    "description": "Returns a pet.",
                    "parameters": [
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        {"name": "fields", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    ],
                    "responses": {
                        "200": {"description": "The pet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                        "4XX": {"description": "Client error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "default": {"$ref": "#/components/responses/Oops"},
                    },
                },
                "put": {
                    "operationId": "updatePet",
                    "tags": ["pets"],
                    "security": [{"oauth": ["pets:write", "pets:read"]}, {"apiKey": []}],
                    "requestBody": {"$ref": "#/components/requestBodies/PetBody"},
                    "responses": {"204": {"description": "Updated"}},
                },
            },
            "/store/orders": {
                "post": {
                    "tags": ["store"],
                    "security": [],
                    "requestBody": {"content": {
                        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
                        "application/json": {"schema": {"type": "object", "properties": {"quantity": {"type": "integer"}}}},
                    }},
                    "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"id": {"type": "string"}}}}}}},
                }
            },
            "/v1/users/{id}": {"get": {"operationId": "getUser", "responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "schemas": {
                "Pet": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            },
            "responses": {"Oops": {"description": "Unexpected", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "requestBodies": {"PetBody": {"required": True, "description": "The new pet.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
                "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}},
            }}},
        },
        **extra,
    }
    return document


def write(tmp_path: Path, document: object, name: str = "openapi.json") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith((".yaml", ".yml")):
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    else:
        path.write_text(json.dumps(document))
    return path


def problems(excinfo: pytest.ExceptionInfo) -> list[str]:
    exc = excinfo.value
    lines = exc.problems if isinstance(exc, SpecError) else [str(exc)]
    assert lines and all(line and "\n" not in line for line in lines)
    return lines


# -- detection -------------------------------------------------------------------------

@pytest.mark.parametrize("data, kind", [
    ({"swagger": "2.0", "paths": {}}, "openapi"),
    ({"openapi": "3.0.3", "paths": {}}, "openapi"),
    ({"openapi": "3.1.0", "paths": {}}, "openapi"),
    ({"openapi": 3.0, "paths": {}}, "openapi"),  # a YAML number: the meaning is clear
    ({"swaggerVersion": "1.2", "apis": []}, "listing"),
    ({"swaggerVersion": "1.2", "resourcePath": "/x", "apis": []}, "declaration"),
])
def test_document_kind(data, kind):
    assert document_kind(data) == kind


@pytest.mark.parametrize("data, message", [
    ({"openapi": "4.0.0"}, "unsupported OpenAPI version '4.0.0' (expected 3.0.x or 3.1.x)"),
    ({"openapi": "3.2.0"}, "unsupported OpenAPI version '3.2.0'"),
    ({"swagger": "1.5"}, "unsupported Swagger version '1.5'"),
    ({"openapi": None}, "unsupported OpenAPI version None"),
])
def test_unsupported_versions_are_one_line_errors(tmp_path, data, message):
    path = write(tmp_path, {**data, "paths": {}})
    with pytest.raises(SpecError) as excinfo:
        load_spec(str(path))
    assert problems(excinfo)[0].startswith(f"{path}: {message}")


# -- the model ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["openapi.json", "openapi.yaml", "openapi.yml"])
def test_petstore_in_json_and_yaml(tmp_path, name):
    spec = load_spec(str(write(tmp_path, petstore(), name)))
    assert spec.swagger_version == "3.0.3"
    assert (spec.info.title, spec.info.version, spec.info.description) == ("Pets", "1.0", "A pet store.")
    # Tags are resources, in the order of the top-level tags; untagged operations go to the
    # first path segment (a version prefix is skipped).
    assert [r.resource_path for r in spec.resources] == ["/store", "/pets", "/users"]
    assert [r.description for r in spec.resources] == ["Orders.", "Pets.", ""]
    # Several tags: the first one.
    assert [op.nickname for op in spec.resource("/pets").operations] == ["getPet", "updatePet"]
    assert [op.nickname for op in spec.resource("/store").operations] == ["post-store-orders"]
    assert any("#/paths/~1store~1orders/post: operation has no operationId; using 'post-store-orders'" in n for n in spec.notes)

    get = spec.operation("getPet")
    assert (get.method, get.path, get.summary, get.notes, get.resource_path) == ("GET", "/pets/{petId}", "One pet", "Returns a pet.", "/pets")
    assert spec.full_path(get) == "https://eu.example.com/v1/pets/{petId}"
    assert [(p.name, p.location, p.type.display(), p.required) for p in get.parameters] == [
        ("petId", "path", "integer", True),
        ("session", "cookie", "string", False),
        ("X-Trace", "header", "string", False),
        ("fields", "query", "array[string]", False),
    ]
    assert get.parameters[1].description == "Session id."
    assert get.parameters[3].allow_multiple
    assert get.response_type == TypeRef(ref="Pet")
    assert [(m.code, m.message, m.model) for m in get.response_messages] == [
        (200, "The pet", "Pet"), ("4XX", "Client error", "Error"), ("default", "Unexpected", "Error"),
    ]
    assert get.produces == ("application/json",)
    assert get.scope == "pets:read"  # top-level security

    put = spec.operation("updatePet")
    assert put.scope == "pets:write, pets:read"  # operation security, scopes de-duplicated
    body = next(p for p in put.parameters if p.location == "body")
    assert (body.name, body.type, body.required, body.description) == ("body", TypeRef(ref="Pet"), True, "The new pet.")
    assert body.media_types == ("application/json", "application/xml")
    assert put.consumes == ("application/json", "application/xml")
    assert put.response_type == TypeRef(type="void")  # 204 without content

    post = spec.operation("post-store-orders")
    assert post.scope == ""  # `security: []` switches the top-level requirement off
    order_body = post.parameters[0]
    assert order_body.media_types == ("application/x-www-form-urlencoded", "application/json")
    assert order_body.type == TypeRef(ref="post-store-orders.body")  # described from application/json
    models = spec.models()
    assert [p.name for p in models["post-store-orders.body"].properties] == ["quantity"]
    assert post.response_type == TypeRef(ref="post-store-orders.response")
    assert [p.name for p in models["post-store-orders.response"].properties] == ["id"]


def test_models_belong_to_the_first_resource_that_reaches_them(tmp_path):
    spec = load_spec(str(write(tmp_path, petstore())))
    owned = {r.resource_path: sorted(r.models) for r in spec.resources}
    assert owned["/store"] == ["post-store-orders.body", "post-store-orders.response"]
    assert owned["/pets"] == ["Error", "Pet"]
    assert owned["/users"] == []


def test_swagger_20_parameters_and_scopes(tmp_path):
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "basePath": "/api",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"oauth": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://x", "scopes": {"a": "", "b": ""}}},
        "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
        "paths": {"/items": {"post": {
            "operationId": "addItem",
            "security": [{"oauth": ["a", "b"]}],
            "consumes": ["multipart/form-data"],
            "parameters": [
                {"$ref": "#/parameters/limit"},
                {"name": "file", "in": "formData", "type": "file", "required": True},
                {"name": "ids", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                {"name": "item", "in": "body", "schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
            ],
            "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Item"}}, "default": {"description": "error"}},
        }}},
        "definitions": {"Item": {"properties": {"name": {"type": "string"}}}},
    }
    spec = load_spec(str(write(tmp_path, document, "swagger.yaml")))
    op = spec.operation("addItem")
    assert op.scope == "a, b"
    assert op.consumes == ("multipart/form-data",) and op.produces == ("application/json",)
    assert [(p.name, p.location, p.type.display()) for p in op.parameters] == [
        ("limit", "query", "integer"), ("file", "form", "file"), ("ids", "query", "array[string]"), ("item", "body", "addItem.body"),
    ]
    limit = op.parameters[0]
    assert (limit.minimum, limit.maximum, limit.default) == (1, 100, 20)
    assert op.parameters[2].allow_multiple and op.parameters[3].media_types == ("multipart/form-data",)
    assert op.response_type == TypeRef(ref="Item")
    assert [(m.code, m.model) for m in op.response_messages] == [(200, "Item"), ("default", None)]
    assert spec.full_path(op) == "/api/items"


def test_missing_operation_ids_and_repeated_ones_get_unique_nicknames(tmp_path):
    ok = {"200": {"description": "ok"}}
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {
        "/pets/{petId}": {"get": {"responses": ok}, "delete": {"operationId": "same", "responses": ok}},
        "/pets": {"get": {"operationId": "same", "responses": ok}, "post": {"operationId": "get-pets-petId", "responses": ok}},
    }}
    spec = load_spec(str(write(tmp_path, document)))
    nicknames = [op.nickname for op in spec.operations]
    assert nicknames == ["get-pets-petId", "same", "same-2", "get-pets-petId-2"]
    assert any("nickname 'same' is also used by" in w and "documented as 'same-2'" in w for w in spec.warnings)
    assert any("operation has no operationId; using 'get-pets-petId'" in n for n in spec.notes)


def test_extensions_and_unknown_keys_are_tolerated(tmp_path):
    document = petstore(**{"x-logo": {"url": "x"}, "unknownTopLevel": 1})
    document["paths"]["x-internal"] = {"anything": True}
    document["paths"]["/pets/{petId}"]["get"]["x-rate-limit"] = 10
    document["paths"]["/pets/{petId}"]["get"]["responses"]["x-note"] = "hi"
    spec = load_spec(str(write(tmp_path, document)))
    assert len(list(spec.operations)) == 4


# -- validation --------------------------------------------------------------------------

def test_structural_problems_are_one_line_each_with_document_and_pointer(tmp_path):
    document = petstore()
    get = document["paths"]["/pets/{petId}"]["get"]
    get["responses"]["abc"] = {"description": "?"}
    get["parameters"].append({"name": "q", "in": "body"})
    get["parameters"].append({"in": "query"})
    get["tags"] = "pets"
    document["paths"]["/pets/{petId}"]["put"]["requestBody"] = {"$ref": 5}
    document["paths"]["pets"] = {}
    del document["paths"]["/v1/users/{id}"]["get"]["responses"]
    path = write(tmp_path, document)
    with pytest.raises(SpecError) as excinfo:
        load_spec(str(path))
    lines = problems(excinfo)
    where = f"{path}#/paths"
    assert lines == [
        f"{where}/pets: path \"pets\" must start with '/'",
        f"{where}/~1pets~1{{petId}}/get/parameters/2/in: invalid value \"body\" (expected one of: path, query, header, cookie)",
        f"{where}/~1pets~1{{petId}}/get/parameters/3: 'name' is a required property",
        f"{where}/~1pets~1{{petId}}/get/responses/abc: unknown response code \"abc\" (expected 100-599, 1XX-5XX, default or x-...)",
        f"{where}/~1pets~1{{petId}}/get/tags: expected array, got a string",
        f"{where}/~1pets~1{{petId}}/put/requestBody/$ref: expected string, got a number",
        f"{where}/~1v1~1users~1{{id}}/get: 'responses' is a required property",
    ]


def test_an_unresolved_parameter_ref_is_an_error(tmp_path):
    document = petstore()
    document["paths"]["/pets/{petId}"]["get"]["parameters"].append({"$ref": "#/components/parameters/Nope"})
    path = write(tmp_path, document)
    with pytest.raises(SpecError) as excinfo:
        load_spec(str(path))
    assert problems(excinfo) == [
        f"{path}#/paths/~1pets~1{{petId}}/get/parameters/2/$ref: unresolved reference '#/components/parameters/Nope'"
    ]


def test_bad_yaml_is_a_one_line_error_with_line_and_column(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_text("openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n")
    with pytest.raises(FetchError) as excinfo:
        load_spec(str(path))
    message = str(excinfo.value)
    assert message == f"{path}: invalid YAML at line 4 column 6: did not find expected ',' or ']'"


@pytest.mark.parametrize("text, reason", [
    ("a: &a [*a]\n", "recursive document"),
    ("".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)).replace("*l0", "x"), "YAML aliases expand to"),
    ("", "empty document"),
    ("<html>nope</html>", "got HTML or XML instead of YAML"),
])
def test_hostile_or_empty_yaml_is_refused(tmp_path, text, reason):
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    with pytest.raises(FetchError, match=reason):
        load_spec(str(path))


def test_yaml_keys_and_dates_become_json_values(tmp_path):
    text = (
        "openapi: 3.0.0\ninfo: {title: T, version: 2020-01-01}\npaths:\n"
        "  /x:\n    get:\n      operationId: x\n      responses:\n        200: {description: ok}\n"
    )
    (tmp_path / "openapi.yaml").write_text(text)
    spec = load_spec(str(tmp_path / "openapi.yaml"))
    assert spec.info.version == "2020-01-01"
    assert spec.operation("x").response_messages[0].code == 200


# -- external references: files ----------------------------------------------------------

def split_spec(folder: Path) -> Path:
    """A root document whose schemas, parameters and paths live in other files of the folder."""
    write(folder, {
        "Pet": {"type": "object", "properties": {
            "id": {"type": "integer"},
            "owner": {"$ref": "owner.json"},
            "friends": {"type": "array", "items": {"$ref": "#/Pet"}},
            "error": {"$ref": "../common/errors.yaml#/Error"},
        }},
    }, "schemas/pets.yaml")
    write(folder, {"type": "object", "properties": {"name": {"type": "string"}}}, "schemas/owner.json")
    write(folder, {"Error": {"type": "object", "properties": {"code": {"type": "integer"}}}}, "common/errors.yaml")
    write(folder, {"name": "limit", "in": "query", "schema": {"type": "integer"}}, "common/limit.json")
    write(folder, {"get": {
        "operationId": "listPets",
        "parameters": [{"$ref": "../common/limit.json"}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "array", "items": {"$ref": "../schemas/pets.yaml#/Pet"}}}}}},
    }}, "paths/pets.yaml")
    return write(folder, {
        "openapi": "3.0.0",
        "info": {"title": "Split", "version": "1"},
        "paths": {"/pets": {"$ref": "paths/pets.yaml"}},
        "components": {"schemas": {"Pet": {"$ref": "schemas/pets.yaml#/Pet"}}},
    }, "openapi.yaml")


def check_split(spec) -> None:
    op = spec.operation("listPets")
    assert op.response_type.display() == "array[Pet]"
    assert [(p.name, p.location, p.type.display()) for p in op.parameters] == [("limit", "query", "integer")]
    models = spec.models()
    pet = models["Pet"]
    assert [p.name for p in pet.properties] == ["id", "owner", "friends", "error"]
    assert pet.property("owner").type == TypeRef(ref="owner")  # a whole-file schema: named after the file
    assert pet.property("friends").type.display() == "array[Pet]"
    assert pet.property("error").type == TypeRef(ref="Error")
    assert [p.name for p in models["owner"].properties] == ["name"]
    assert [p.name for p in models["Error"].properties] == ["code"]


def test_external_refs_across_files_of_a_folder(tmp_path):
    root = split_spec(tmp_path / "api")
    check_split(load_spec(str(root)))
    check_split(load_spec(str(tmp_path / "api")))  # the folder: its one OpenAPI document is the root


def test_external_refs_may_not_leave_the_folder(tmp_path):
    (tmp_path / "secret.json").write_text(json.dumps({"type": "string"}))
    document = petstore()
    document["components"]["schemas"]["Pet"]["properties"]["leak"] = {"$ref": "../secret.json"}
    document["components"]["schemas"]["Pet"]["properties"]["abs"] = {"$ref": "/etc/passwd"}
    document["components"]["schemas"]["Pet"]["properties"]["scheme"] = {"$ref": "file:///etc/passwd"}
    path = write(tmp_path / "api", document)
    with pytest.raises(SpecError) as excinfo:
        load_spec(str(path))
    lines = problems(excinfo)
    assert len(lines) == 3
    pointer = f"{path}#/components/schemas/Pet/properties"
    assert f"{pointer}/leak/$ref: reference '../secret.json' leaves the spec's folder {tmp_path / 'api'}; refused" in lines
    assert any(line.startswith(f"{pointer}/abs/$ref: reference '/etc/passwd' leaves") for line in lines)
    assert any(line.startswith(f"{pointer}/scheme/$ref: unsupported reference scheme") for line in lines)


def test_missing_external_file_is_a_fetch_error(tmp_path):
    document = petstore()
    document["components"]["schemas"]["Pet"] = {"$ref": "missing.yaml#/Pet"}
    path = write(tmp_path, document)
    with pytest.raises(FetchError, match=r"missing.yaml: cannot read"):
        load_spec(str(path))


def test_folder_with_several_roots_or_mixed_formats(tmp_path):
    write(tmp_path / "two", petstore(), "a.json")
    write(tmp_path / "two", petstore(), "b.yaml")
    with pytest.raises(SpecError, match="several Swagger 2.0/OpenAPI documents"):
        load_spec(str(tmp_path / "two"))
    write(tmp_path / "mixed", petstore(), "a.json")
    write(tmp_path / "mixed", {"swaggerVersion": "1.2", "resourcePath": "/x", "apis": []}, "x.json")
    with pytest.raises(SpecError, match="holds both Swagger 1.x and Swagger 2.0/OpenAPI documents"):
        load_spec(str(tmp_path / "mixed"))


def test_snapshot_keeps_external_documents_and_reloads(tmp_path):
    root = split_spec(tmp_path / "api")
    documents = load_documents(str(root))
    names = write_snapshot(documents, str(tmp_path / "snap"))
    assert sorted(names) == ["common/errors.yaml", "common/limit.json", "openapi.yaml", "paths/pets.yaml",
                             "schemas/owner.json", "schemas/pets.yaml"]
    check_split(build_spec(load_documents(str(tmp_path / "snap"))))


# -- external references: HTTP -----------------------------------------------------------

def yaml_route(value: object) -> Route:
    return Route(body=yaml.safe_dump(value).encode(), headers={"Content-Type": "application/yaml"})


def test_external_refs_over_http(tmp_path):
    pets = {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}, "owner": {"$ref": "../common/owner.json"}}}}
    owner = {"type": "object", "properties": {"name": {"type": "string"}}}
    root = {
        "openapi": "3.1.0",
        "info": {"title": "Remote", "version": "1"},
        "paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "schemas/pets#/Pet"}}}}}}}}},
    }
    routes = {
        "/specs/openapi": yaml_route(root),  # YAML by Content-Type
        "/specs/schemas/pets": yaml_route(pets),
        "/specs/common/owner.json": Route.json(owner),
    }
    with scripted_server(routes) as server:
        documents = load_documents(f"{server.base}/specs/openapi?key=abc")
        spec = build_spec(documents)
        assert server.hits("/specs/schemas/pets") == 1 and server.hits("/specs/common/owner.json") == 1
        # The root's query string (an API key, say) goes along to the other documents.
        assert all(path.endswith("?key=abc") for path, _ in server.requests)
    write_snapshot(documents, str(tmp_path / "snap"))
    for loaded in (spec, build_spec(load_documents(str(tmp_path / "snap")))):
        op = loaded.operation("listPets")
        assert op.response_type.display() == "array[Pet]"
        assert loaded.models()["Pet"].property("owner").type == TypeRef(ref="owner")
        assert [p.name for p in loaded.models()["owner"].properties] == ["name"]
    # The snapshot keeps the documents' relative places (and names), so its refs still work.
    assert sorted(p.relative_to(tmp_path / "snap").as_posix() for p in (tmp_path / "snap").rglob("*")
                  if p.is_file() and not p.relative_to(tmp_path / "snap").as_posix().startswith(".")) == [
        "common/owner.json", "openapi.yaml", "schemas/pets",
    ]


def test_http_refs_may_not_leave_the_url_base():
    root = petstore()
    root["components"]["schemas"]["Pet"] = {"$ref": "../other/pet.json"}
    root["components"]["schemas"]["Error"] = {"$ref": "http://elsewhere.invalid/specs/error.json"}
    with scripted_server({"/specs/openapi.json": Route.json(root), "/other/pet.json": Route.json({})}) as server:
        with pytest.raises(SpecError) as excinfo:
            load_spec(f"{server.base}/specs/openapi.json")
        assert server.hits("/other/pet.json") == 0
    lines = problems(excinfo)
    assert len(lines) == 2 and all("leaves the spec's URL base" in line and line.endswith("; refused") for line in lines)


def test_yaml_by_url_path_over_http():
    with scripted_server({"/api/openapi.yml": Route(body=yaml.safe_dump(petstore()).encode(), headers={"Content-Type": "text/plain"})}) as server:
        spec = load_spec(f"{server.base}/api/openapi.yml")
    assert spec.operation("getPet") is not None


def test_bad_yaml_over_http_names_the_url():
    with scripted_server({"/openapi.yaml": Route(body=b"openapi: 3.0.0\n  bad: indent\n", headers={"Content-Type": "application/yaml"})}) as server:
        with pytest.raises(FetchError) as excinfo:
            load_spec(f"{server.base}/openapi.yaml")
    assert str(excinfo.value).startswith(f"{server.base}/openapi.yaml: invalid YAML at line 2 column")


# -- CLI ---------------------------------------------------------------------------------

def test_cli_validate_an_openapi_file(tmp_path, capsys):
    path = write(tmp_path, petstore(), "openapi.yaml")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}: valid ") and "3 resources, 4 operations" in out
    assert "Traceback" not in out + err


def test_cli_validate_reports_openapi_problems_in_one_line(tmp_path, capsys):
    document = petstore()
    document["paths"]["/pets/{petId}"]["get"]["responses"] = {}
    path = write(tmp_path, document)
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert f"{path}#/paths/~1pets~1{{petId}}/get/responses/200" not in err
    assert "Traceback" not in out + err


# -- performance -------------------------------------------------------------------------

@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("name", ["spec3.json", "spec3.yaml"])
def test_stripe_loads_in_a_few_seconds(name):
    started = time.perf_counter()
    spec = load_spec(str(CORPUS / "openapi-3.0" / "stripe" / name))
    elapsed = time.perf_counter() - started
    assert sum(1 for _ in spec.operations) == 417
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"
    customer = spec.operation("GetCustomersCustomer")
    assert customer.response_type.display() == "customer | deleted_customer"
    assert spec.models()[customer.response_type.ref].property("email").type.display() == "string"


def test_every_error_is_an_apidocs_error(tmp_path):
    """A grab bag of broken documents: each fails with our error types, never a traceback."""
    broken = [
        {"openapi": "3.0.0", "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/nowhere"}}}}}},
        {"openapi": "3.0.0", "paths": {"/x": {"$ref": "#/paths/~1x"}}},
        {"openapi": "3.0.0", "paths": {"/x": {"get": {"parameters": [{"$ref": "#/paths/~1x/get/parameters/0"}], "responses": {}}}}},
        {"openapi": "3.0.0", "paths": []},
        {"openapi": "3.0.0", "paths": {"/x": {"get": []}}},
        {"swagger": "2.0", "paths": {"/x": {"get": {"responses": {"200": {"schema": []}}}}}},
        {"swagger": "2.0", "paths": {"/x": {"get": {"parameters": [{"name": "b", "in": "body"}], "responses": {"200": {}}}}}},
        [1, 2],
    ]
    for index, document in enumerate(broken):
        path = write(tmp_path, document, f"doc{index}.json")
        with pytest.raises(ApidocsError) as excinfo:
            load_spec(str(path))
        problems(excinfo)
