"""Details the readers carry into the model: constraints, defaults, examples, deprecation,
security schemes and requirements, the base URL (Swagger 1.2/1.x, 2.0, OpenAPI 3.0/3.1).

Specs are loaded through the public loader (files, a loopback HTTP server, or in memory
through ``build_spec`` like the fuzz tests); every assertion is on exact values.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from httpserver import Route, scripted_server
from sphinx_apidocs.errors import ApidocsError, SpecError
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.fetch import Document, FetchOptions
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import (
    UNSET,
    ApiSpec,
    Constraints,
    Example,
    OAuthFlow,
    SecurityRequirement,
    SecurityScheme,
)
from sphinx_apidocs.spec.sources import Declared, DocumentSet, load_documents

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def write(tmp_path: Path, document: Any, name: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith((".yaml", ".yml")):
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    else:
        path.write_text(json.dumps(document))
    return path


def in_memory(document: dict[str, Any]) -> ApiSpec:
    """An OpenAPI / Swagger 2.0 document through validation and the reader, without files."""
    raw = json.dumps(document).encode()
    documents = DocumentSet("mem.json", None, (Declared(Document("mem.json", raw, document), "", "", "mem.json"),), kind="openapi")
    return build_spec(documents)


def swagger1_in_memory(listing: dict[str, Any] | None, *declarations: dict[str, Any]) -> ApiSpec:
    """A Swagger 1.x listing (possibly one the file loader would refuse) and declarations."""
    declared = tuple(
        Declared(Document(f"mem{i}.json", json.dumps(d).encode(), d), d["resourcePath"], "", f"mem{i}.json")
        for i, d in enumerate(declarations)
    )
    listing_doc = Document("listing.json", json.dumps(listing).encode(), listing) if listing is not None else None
    return build_spec(DocumentSet("listing.json", listing_doc, declared))


def prop(spec: ApiSpec, model: str, name: str):
    found = spec.models()[model].property(name)
    assert found is not None, (model, name)
    return found


def param(spec: ApiSpec, nickname: str, name: str):
    op = spec.operation(nickname)
    assert op is not None, nickname
    return next(p for p in op.parameters if p.name == name)


def response(spec: ApiSpec, nickname: str, code: int | str):
    op = spec.operation(nickname)
    assert op is not None, nickname
    return next(r for r in op.response_messages if r.code == code)


def req(*schemes: tuple[str, tuple[str, ...]]) -> SecurityRequirement:
    return SecurityRequirement(tuple(schemes))


def as_json(value: Any) -> str:
    """Exact comparison of JSON values: ``1``, ``1.0`` and ``True`` are all different."""
    return json.dumps(value)


# -- OpenAPI 3.0 ---------------------------------------------------------------------------------

SCOPES = {"read": "Read things", "write": "Change things"}


def openapi30() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Details", "version": "1"},
        "servers": [
            {"url": "https://{region}.api.example.com/{version}/x", "variables": {
                "region": {"default": "eu", "enum": ["eu", "us"]}, "version": {"default": "v2"}}},
            {"url": "https://other.example.com"},
        ],
        "security": [{"oauth": ["read"]}],
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {"name": "petId", "in": "path", "required": True,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 1, "example": 3}},
                        {"name": "q", "in": "query", "example": "plain",
                         "schema": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[a-z]+$"},
                         "examples": {
                             "one": {"summary": "The first", "value": {"n": 1}},
                             "far": {"summary": "Elsewhere", "externalValue": "https://example.com/far.json"},
                             "shared": {"$ref": "#/components/examples/Shared"},
                         }},
                        {"name": "filter", "in": "query", "content": {"application/json": {
                            "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
                            "example": {"a": "x"}}}},
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}, "example": {"name": "rex"}},
                            "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"},
                                                "examples": {"x1": {"summary": "As XML", "value": "<pet/>"}}},
                        }},
                        "404": {"description": "none"},
                    },
                },
                "delete": {
                    "operationId": "deletePet",
                    "security": [{}, {"key": [], "bearer": []}],
                    "responses": {"204": {"description": "gone"}},
                },
                "put": {
                    "operationId": "putPet",
                    "security": [{"oauth": ["write", "read"]}, {"ghost": []}, {"basic": []}],
                    "requestBody": {"content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"},
                                             "examples": {"small": {"summary": "Small", "value": {"name": "a"}}}},
                        "text/plain": {"schema": {"type": "string"}, "example": "rex"},
                    }},
                    "responses": {"204": {"description": "done"}},
                },
            },
            "/pets": {
                "post": {
                    "operationId": "addPet",
                    "security": [],
                    "requestBody": {"content": {"application/json": {"schema": {
                        "type": "object", "properties": {"n": {"type": "integer"}}, "example": {"n": 1}}}}},
                    "responses": {"201": {"description": "made"}},
                },
            },
        },
        "components": {
            "examples": {"Shared": {"summary": "Shared one", "value": [1, 2]}},
            "schemas": {
                "Currency": {"type": "string", "maxLength": 3, "example": "usd"},
                "Pet": {
                    "type": "object",
                    "example": {"name": "rex", "tags": ["a"]},
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[a-z]+$",
                                 "example": "rex", "default": "rex", "deprecated": True},
                        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5, "uniqueItems": True},
                        "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 100,
                                   "exclusiveMaximum": True, "multipleOf": 0.5},
                        "id": {"type": "integer", "readOnly": True, "example": 7},
                        "secret": {"type": "string", "writeOnly": True},
                        "nothing": {"type": "string", "nullable": True, "default": None, "example": None},
                        "bad": {"type": "string", "maxLength": "ten", "pattern": ["a"], "minItems": -1,
                                "multipleOf": 0, "deprecated": "yes", "readOnly": 1},
                        "price": {"$ref": "#/components/schemas/Currency"},
                        "old": {"$ref": "#/components/schemas/Currency", "deprecated": True, "example": "eur"},
                        "plain": {"type": "string"},
                    },
                },
            },
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key", "description": "A key."},
                "qkey": {"type": "apiKey", "in": "query", "name": "key"},
                "ckey": {"type": "apiKey", "in": "cookie", "name": "sid"},
                "basic": {"type": "http", "scheme": "basic"},
                "bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
                "oauth": {"type": "oauth2", "flows": {
                    "implicit": {"authorizationUrl": "https://auth.example.com/authorize", "scopes": SCOPES},
                    "authorizationCode": {"authorizationUrl": "https://auth.example.com/authorize",
                                          "tokenUrl": "https://auth.example.com/token",
                                          "refreshUrl": "https://auth.example.com/refresh", "scopes": SCOPES},
                    "clientCredentials": {"tokenUrl": "https://auth.example.com/token", "scopes": {}},
                    "password": {"tokenUrl": "https://auth.example.com/token", "scopes": {"read": "Read things"}},
                }},
                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://auth.example.com/.well-known/openid-configuration"},
                "mtls": {"type": "mutualTLS", "description": "Client certificates."},
            },
        },
    }


@pytest.fixture(scope="module")
def spec30(tmp_path_factory: pytest.TempPathFactory) -> tuple[ApiSpec, Path]:
    path = write(tmp_path_factory.mktemp("oas30"), openapi30(), "openapi.json")
    return load_spec(str(path)), path


def test_openapi30_property_details(spec30):
    spec, _ = spec30
    name = prop(spec, "Pet", "name")
    assert (name.deprecated, name.default, name.example) == (True, "rex", "rex")
    assert name.constraints == Constraints(min_length=1, max_length=40, pattern="^[a-z]+$")
    assert prop(spec, "Pet", "tags").constraints == Constraints(min_items=1, max_items=5, unique_items=True)
    weight = prop(spec, "Pet", "weight")
    assert (weight.minimum, weight.maximum) == (0, 100)
    assert weight.constraints == Constraints(exclusive_minimum=True, exclusive_maximum=True, multiple_of=0.5)
    assert prop(spec, "Pet", "id").constraints == Constraints(read_only=True)
    assert prop(spec, "Pet", "id").example == 7
    assert prop(spec, "Pet", "secret").constraints == Constraints(write_only=True)
    nothing = prop(spec, "Pet", "nothing")
    assert nothing.default is None and nothing.example is None  # JSON null is a value, not UNSET
    plain = prop(spec, "Pet", "plain")
    assert plain.default is UNSET and plain.example is UNSET and not plain.constraints and not plain.deprecated
    # A named string schema: its keywords reach the property; a $ref's siblings win.
    price = prop(spec, "Pet", "price")
    assert (price.constraints, price.example, price.deprecated) == (Constraints(max_length=3), "usd", False)
    old = prop(spec, "Pet", "old")
    assert (old.constraints, old.example, old.deprecated) == (Constraints(max_length=3), "eur", True)
    assert spec.models()["Pet"].example == {"name": "rex", "tags": ["a"]}


def test_openapi30_wrong_types_are_located_warnings(spec30):
    spec, path = spec30
    bad = prop(spec, "Pet", "bad")
    assert bad.constraints == Constraints() and bad.deprecated is False
    at = f"{path}#/components/schemas/Pet/properties/bad"
    expected = [
        f"{at}/maxLength: maxLength ignored: expected a non-negative integer, got string",
        f"{at}/minItems: minItems ignored: expected a non-negative integer, got number",
        f"{at}/pattern: pattern ignored: expected a string, got array",
        f"{at}/readOnly: readOnly ignored: expected a boolean, got number",
        f"{at}/multipleOf: multipleOf ignored: expected a number above 0, got number",
        f"{at}/deprecated: deprecated ignored: expected a boolean, got string",
    ]
    for line in expected:
        assert line in spec.warnings
    assert all("\n" not in w for w in spec.warnings)


def test_openapi30_parameter_examples_and_constraints(spec30):
    spec, _ = spec30
    pet_id = param(spec, "getPet", "petId")
    assert (pet_id.minimum, pet_id.maximum, pet_id.default) == (1, 10, None)  # no default: None, as always
    assert pet_id.constraints == Constraints(multiple_of=1)
    assert pet_id.examples == (Example(value=3),)  # the schema's example: the parameter has none
    q = param(spec, "getPet", "q")
    assert q.constraints == Constraints(min_length=2, max_length=8, pattern="^[a-z]+$")
    assert q.examples == (
        Example(value="plain"),
        Example(value={"n": 1}, name="one", summary="The first"),
        Example(value=None, name="far", summary="Elsewhere", external="https://example.com/far.json"),
        Example(value=[1, 2], name="shared", summary="Shared one"),
    )
    assert param(spec, "getPet", "filter").examples == (Example(value={"a": "x"}, media_type="application/json"),)


def test_openapi30_request_body_and_response_examples(spec30):
    spec, _ = spec30
    body = param(spec, "putPet", "body")
    assert body.examples == (
        Example(value={"name": "a"}, name="small", summary="Small", media_type="application/json"),
        Example(value="rex", media_type="text/plain"),
    )
    # No media-type example: the body schema's own example, for the described media type.
    assert param(spec, "addPet", "body").examples == (Example(value={"n": 1}, media_type="application/json"),)
    assert response(spec, "getPet", 200).examples == (
        Example(value={"name": "rex"}, media_type="application/json"),
        Example(value="<pet/>", name="x1", summary="As XML", media_type="application/xml"),
    )
    assert response(spec, "getPet", 404).examples == ()


def test_openapi30_security_schemes(spec30):
    spec, _ = spec30
    schemes = spec.security_schemes
    assert list(schemes) == ["key", "qkey", "ckey", "basic", "bearer", "oauth", "oidc", "mtls"]
    assert schemes["key"] == SecurityScheme(name="key", type="apiKey", description="A key.", location="header", param_name="X-Key")
    assert (schemes["qkey"].location, schemes["qkey"].param_name) == ("query", "key")
    assert (schemes["ckey"].location, schemes["ckey"].param_name) == ("cookie", "sid")
    assert schemes["basic"] == SecurityScheme(name="basic", type="http", scheme="basic")
    assert schemes["bearer"] == SecurityScheme(name="bearer", type="http", scheme="bearer", bearer_format="JWT")
    scopes = (("read", "Read things"), ("write", "Change things"))
    assert schemes["oauth"].flows == (
        OAuthFlow(kind="implicit", authorization_url="https://auth.example.com/authorize", scopes=scopes),
        OAuthFlow(kind="authorizationCode", authorization_url="https://auth.example.com/authorize",
                  token_url="https://auth.example.com/token", refresh_url="https://auth.example.com/refresh", scopes=scopes),
        OAuthFlow(kind="clientCredentials", token_url="https://auth.example.com/token"),
        OAuthFlow(kind="password", token_url="https://auth.example.com/token", scopes=(("read", "Read things"),)),
    )
    assert schemes["oidc"] == SecurityScheme(
        name="oidc", type="openIdConnect", open_id_connect_url="https://auth.example.com/.well-known/openid-configuration")
    assert schemes["mtls"] == SecurityScheme(name="mtls", type="mutualTLS", description="Client certificates.")


def test_openapi30_security_requirements(spec30):
    spec, path = spec30
    assert spec.security == (req(("oauth", ("read",))),)
    assert spec.operation("getPet").security == (req(("oauth", ("read",))),)  # the API default applies
    assert spec.operation("addPet").security == ()  # ``security: []``: no authentication
    # ``{}``: an empty requirement (authentication optional), then key AND bearer.
    assert spec.operation("deletePet").security == (req(), req(("key", ()), ("bearer", ())))
    # An undeclared scheme: that alternative is left out, with a located warning.
    assert spec.operation("putPet").security == (req(("oauth", ("write", "read"))), req(("basic", ())))
    assert (f"{path}#/paths/~1pets~1{{petId}}/put/security/1/ghost: security requirement ignored: "
            "scheme 'ghost' is not declared") in spec.warnings
    assert spec.operation("getPet").scope == "read"  # the scope text is kept as before


def test_openapi30_base_url_substitutes_server_variables(spec30):
    spec, _ = spec30
    assert spec.base_url == "https://eu.api.example.com/v2/x"


def test_openapi30_spec_pickles(spec30):
    spec, _ = spec30
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec
    assert prop(again, "Pet", "plain").default is UNSET  # the one UNSET survives pickling


# -- OpenAPI 3.1 ---------------------------------------------------------------------------------

def openapi31() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "31", "version": "1"},
        "servers": [{"url": "/v1"}],
        "paths": {"/things": {"get": {
            "operationId": "listThings",
            "security": [{"mtls": []}, {}],
            "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "exclusiveMinimum": 0, "examples": [5, 6]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}}},
        }}},
        "components": {
            "schemas": {"Thing": {
                "type": "object",
                "examples": [{"size": 1}],
                "properties": {
                    "size": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
                    "tight": {"type": "integer", "minimum": 5, "exclusiveMinimum": 3, "maximum": 9, "exclusiveMaximum": 9},
                    "label": {"type": ["string", "null"], "examples": ["a", "b"], "default": "a"},
                    "none": {"type": "string", "examples": []},
                    "bad": {"type": "string", "exclusiveMinimum": "1", "examples": {"a": 1}},
                },
            }},
            "securitySchemes": {"mtls": {"type": "mutualTLS"}},
        },
    }


def test_openapi31_numeric_exclusive_bounds_and_examples(tmp_path):
    spec = load_spec(str(write(tmp_path, openapi31(), "openapi.yaml")))
    size = prop(spec, "Thing", "size")
    assert (size.minimum, size.maximum) == (0, 10)
    assert size.constraints == Constraints(exclusive_minimum=True, exclusive_maximum=True)
    tight = prop(spec, "Thing", "tight")  # minimum 5 is tighter than > 3; < 9 is tighter than <= 9
    assert (tight.minimum, tight.maximum) == (5, 9)
    assert tight.constraints == Constraints(exclusive_maximum=True)
    label = prop(spec, "Thing", "label")
    assert (label.example, label.default, label.nullable) == ("a", "a", True)
    assert prop(spec, "Thing", "none").example is UNSET
    assert spec.models()["Thing"].example == {"size": 1}
    bad = prop(spec, "Thing", "bad")
    assert (bad.minimum, bad.constraints, bad.example) == (None, Constraints(), UNSET)
    at = f"{tmp_path / 'openapi.yaml'}#/components/schemas/Thing/properties/bad"
    assert f"{at}/exclusiveMinimum: exclusiveMinimum ignored: expected a number or a boolean, got string" in spec.warnings
    assert f"{at}/examples: examples ignored: expected an array, got object" in spec.warnings
    n = param(spec, "listThings", "n")
    assert (n.minimum, n.constraints, n.examples) == (0, Constraints(exclusive_minimum=True), (Example(value=5),))
    assert spec.operation("listThings").security == (req(("mtls", ())), req())
    assert spec.security_schemes == {"mtls": SecurityScheme(name="mtls", type="mutualTLS")}
    assert spec.base_url == "/v1"  # a relative server URL is kept as given


def test_openapi_without_servers_or_security(tmp_path):
    document = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}}}
    spec = load_spec(str(write(tmp_path, document, "openapi.json")))
    assert (spec.base_url, spec.security_schemes, spec.security, spec.operation("a").security) == ("", {}, (), ())


def test_odd_security_schemes_are_warnings_not_crashes(tmp_path):
    document = openapi31()
    document["components"]["securitySchemes"] = {
        "notype": {"in": "header"},
        "odd": {"type": "magic"},
        "list": ["x"],
        "key": {"type": "apiKey", "in": "body", "name": 5},
        "oauth": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": ["x"], "scopes": ["read"]}, "weird": {}}},
        "refd": {"$ref": "#/components/securitySchemes/nowhere"},
    }
    document["paths"]["/things"]["get"]["security"] = [{"odd": []}, {"notype": []}]
    spec = load_spec(str(write(tmp_path, document, "openapi.json")))
    assert list(spec.security_schemes) == ["odd", "key", "oauth"]
    assert spec.security_schemes["odd"] == SecurityScheme(name="odd", type="magic")
    assert spec.security_schemes["key"] == SecurityScheme(name="key", type="apiKey")
    assert spec.security_schemes["oauth"].flows == (OAuthFlow(kind="implicit"), OAuthFlow(kind="weird"))
    assert spec.operation("listThings").security == (req(("odd", ())),)
    at = f"{tmp_path / 'openapi.json'}#/components/securitySchemes"
    for line in [
        f"{at}/notype/type: security scheme 'notype' ignored: it has no type",
        f"{at}/odd/type: unknown security scheme type 'magic'",
        f"{at}/list: security scheme 'list' ignored: expected an object, got array",
        f"{at}/key/in: unknown API key location 'body'",
        f"{at}/key/name: name ignored: expected a string, got number",
        f"{at}/oauth/flows/implicit/authorizationUrl: authorizationUrl ignored: expected a string, got array",
        f"{at}/oauth/flows/implicit/scopes: scopes ignored: expected an object, got array",
        f"{at}/oauth/flows/weird: unknown OAuth2 flow 'weird'",
    ]:
        assert line in spec.warnings
    assert any(w.startswith(f"{at}/refd/$ref: ") for w in spec.warnings)


# -- Swagger 2.0 ---------------------------------------------------------------------------------

def swagger20(**extra: Any) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Two", "version": "1"},
        "host": "api.example.com",
        "basePath": "/v1",
        "schemes": ["http"],
        "produces": ["application/json"],
        "securityDefinitions": {
            "basic": {"type": "basic", "description": "Basic."},
            "key": {"type": "apiKey", "in": "query", "name": "api_key"},
            "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a.example.com/auth",
                         "scopes": {"read": "Read"}},
            "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a.example.com/token", "scopes": {}},
            "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a.example.com/token",
                    "scopes": {"write": "Write"}},
            "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a.example.com/auth",
                     "tokenUrl": "https://a.example.com/token", "scopes": {"read": "Read", "write": "Write"}},
        },
        "security": [{"basic": []}],
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "parameters": [
                        {"name": "limit", "in": "query", "type": "integer", "maximum": 100, "exclusiveMaximum": True,
                         "default": 20, "x-example": 25},
                        {"name": "name", "in": "query", "type": "string", "pattern": "^[a-z]+$", "maxLength": 9},
                        {"name": "tag", "in": "query", "type": "string", "minLength": "3"},
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                                          "examples": {"application/json": [{"name": "rex"}], "text/plain": "rex"}}},
                },
                "post": {
                    "operationId": "addPet",
                    "security": [{"code": ["write"]}, {"key": []}],
                    "parameters": [{"name": "pet", "in": "body", "schema": {
                        "type": "object", "properties": {"name": {"type": "string"}}, "example": {"name": "new"}}}],
                    "responses": {"201": {"description": "made"}},
                },
                "delete": {"operationId": "dropPets", "security": [], "responses": {"204": {"description": "gone"}}},
            },
        },
        "definitions": {"Pet": {
            "type": "object",
            "example": {"name": "rex"},
            "properties": {
                "name": {"type": "string", "minLength": 1, "example": "rex", "default": "x"},
                "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "readOnly": True},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": "5"},
            },
        }},
        **extra,
    }


def test_swagger20_details(tmp_path):
    path = write(tmp_path, swagger20(), "swagger.yaml")
    spec = load_spec(str(path))
    assert spec.base_url == "http://api.example.com/v1"
    name = prop(spec, "Pet", "name")
    assert (name.constraints, name.example, name.default) == (Constraints(min_length=1), "rex", "x")
    age = prop(spec, "Pet", "age")
    assert (age.minimum, age.constraints) == (0, Constraints(exclusive_minimum=True, read_only=True))
    assert prop(spec, "Pet", "tags").constraints == Constraints(unique_items=True)
    assert (f"{path}#/definitions/Pet/properties/tags/maxItems: maxItems ignored: "
            "expected a non-negative integer, got string") in spec.warnings
    assert spec.models()["Pet"].example == {"name": "rex"}
    limit = param(spec, "listPets", "limit")
    assert (limit.default, limit.maximum, limit.constraints) == (20, 100, Constraints(exclusive_maximum=True))
    assert limit.examples == (Example(value=25),)
    assert param(spec, "listPets", "name").constraints == Constraints(pattern="^[a-z]+$", max_length=9)
    assert param(spec, "listPets", "tag").constraints == Constraints()
    assert param(spec, "listPets", "tag").default is None and param(spec, "addPet", "pet").default is None
    assert (f"{path}#/paths/~1pets/get/parameters/2/minLength: minLength ignored: "
            "expected a non-negative integer, got string") in spec.warnings
    assert param(spec, "addPet", "pet").examples == (Example(value={"name": "new"}),)
    assert response(spec, "listPets", 200).examples == (
        Example(value=[{"name": "rex"}], media_type="application/json"),
        Example(value="rex", media_type="text/plain"),
    )


def test_swagger20_security(tmp_path):
    spec = load_spec(str(write(tmp_path, swagger20(), "swagger.json")))
    schemes = spec.security_schemes
    assert schemes["basic"] == SecurityScheme(name="basic", type="http", description="Basic.", scheme="basic")
    assert schemes["key"] == SecurityScheme(name="key", type="apiKey", location="query", param_name="api_key")
    assert schemes["implicit"].flows == (OAuthFlow(kind="implicit", authorization_url="https://a.example.com/auth",
                                                   scopes=(("read", "Read"),)),)
    assert schemes["password"].flows == (OAuthFlow(kind="password", token_url="https://a.example.com/token"),)
    assert schemes["app"].flows == (OAuthFlow(kind="clientCredentials", token_url="https://a.example.com/token",
                                              scopes=(("write", "Write"),)),)
    assert schemes["code"].flows == (OAuthFlow(
        kind="authorizationCode", authorization_url="https://a.example.com/auth", token_url="https://a.example.com/token",
        scopes=(("read", "Read"), ("write", "Write"))),)
    assert spec.security == (req(("basic", ())),)
    assert spec.operation("listPets").security == (req(("basic", ())),)
    assert spec.operation("addPet").security == (req(("code", ("write",))), req(("key", ())))
    assert spec.operation("dropPets").security == ()


def test_swagger20_without_host_keeps_the_base_path(tmp_path):
    document = swagger20()
    del document["host"]
    assert load_spec(str(write(tmp_path, document, "swagger.json"))).base_url == "/v1"


# -- Swagger 1.2 ---------------------------------------------------------------------------------

LISTING = {
    "swaggerVersion": "1.2",
    "apiVersion": "1",
    "apis": [{"path": "/pets.{format}"}, {"path": "/store.{format}"}],
    "authorizations": {
        "oauth2": {
            "type": "oauth2",
            "scopes": [{"scope": "read:pets", "description": "Read pets"}, {"scope": "write:pets", "description": "Change pets"}],
            "grantTypes": {
                "implicit": {"loginEndpoint": {"url": "https://x.example/oauth/dialog"}, "tokenName": "access_token"},
                "authorization_code": {
                    "tokenRequestEndpoint": {"url": "https://x.example/oauth/requestToken", "clientIdName": "client_id"},
                    "tokenEndpoint": {"url": "https://x.example/oauth/token", "tokenName": "code"},
                },
            },
        },
        "apiKey": {"type": "apiKey", "passAs": "header", "keyname": "api_key"},
        "basic": {"type": "basicAuth"},
    },
}


def pets_declaration(base: str = "https://x.example/api") -> dict[str, Any]:
    return {
        "swaggerVersion": "1.2",
        "basePath": base,
        "resourcePath": "/pets",
        "authorizations": {"apiKey": []},
        "apis": [{"path": "/pets/{id}", "operations": [
            {"method": "GET", "nickname": "getPet", "type": "Pet",
             "parameters": [{"name": "id", "paramType": "path", "type": "integer", "minimum": "1",
                             "defaultValue": 5, "pattern": "^[0-9]+$", "maxLength": "6"}]},
            {"method": "POST", "nickname": "addPet", "type": "void",
             "authorizations": {"oauth2": [{"scope": "write:pets", "description": "Change pets"}], "apiKey": []}},
            {"method": "PUT", "nickname": "updatePet", "type": "void", "scope": "write:pets admin",
             "authorizations": {"oauth2": [{"scope": "write:pets"}]}},
            {"method": "DELETE", "nickname": "deletePet", "type": "void", "authorizations": {}},
            {"method": "PATCH", "nickname": "patchPet", "type": "void", "scope": "read:pets", "authorizations": {}},
            {"method": "HEAD", "nickname": "headPet", "type": "void", "authorizations": {"nobody": []}},
        ]}],
        "models": {"Pet": {"id": "Pet", "example": {"name": "rex"}, "properties": {
            "name": {"type": "string", "defaultValue": "rex", "pattern": "^[a-z]+$", "maxLength": 20, "minLength": "x",
                     "deprecated": "true", "example": "rex"},
            "age": {"type": "integer", "minimum": "0", "maximum": 30, "enum": [1, 2]},
            "kind": {"type": "string", "default": None},
            "plain": {"type": "string"},
        }}},
    }


def store_declaration(base: str = "https://x.example/api") -> dict[str, Any]:
    return {"swaggerVersion": "1.2", "basePath": base, "resourcePath": "/store",
            "apis": [{"path": "/orders", "operations": [{"method": "GET", "nickname": "orders", "type": "void"}]}]}


def test_swagger12_over_http():
    routes = {
        "/api-docs": Route.json(LISTING),
        "/api-docs/pets.json": Route.json(pets_declaration()),
        "/api-docs/store.json": Route.json(store_declaration()),
    }
    with scripted_server(routes) as server:
        spec = load_spec(f"{server.base}/api-docs")
    scopes = (("read:pets", "Read pets"), ("write:pets", "Change pets"))
    assert spec.security_schemes == {
        "oauth2": SecurityScheme(name="oauth2", type="oauth2", flows=(
            OAuthFlow(kind="implicit", authorization_url="https://x.example/oauth/dialog", scopes=scopes),
            OAuthFlow(kind="authorizationCode", authorization_url="https://x.example/oauth/requestToken",
                      token_url="https://x.example/oauth/token", scopes=scopes),
        )),
        "apiKey": SecurityScheme(name="apiKey", type="apiKey", location="header", param_name="api_key"),
        "basic": SecurityScheme(name="basic", type="http", scheme="basic"),
    }
    assert spec.base_url == "https://x.example/api"
    assert spec.operation("getPet").security == (req(("apiKey", ())),)  # the declaration's default
    assert spec.operation("addPet").security == (req(("oauth2", ("write:pets",))), req(("apiKey", ())))
    # ``scope`` joins the oauth2 requirement; ``{}`` is no authentication, unless a scope says so.
    assert spec.operation("updatePet").security == (req(("oauth2", ("write:pets", "admin"))),)
    assert spec.operation("updatePet").scope == "write:pets admin"
    assert spec.operation("deletePet").security == ()
    assert spec.operation("patchPet").security == (req(("oauth2", ("read:pets",))),)
    assert spec.operation("headPet").security == ()
    assert any(w.endswith("/authorizations/nobody: authorization 'nobody' is not declared; left out of the operations' security")
               for w in spec.warnings)
    assert spec.operation("orders").security == ()
    name = prop(spec, "Pet", "name")
    assert (name.default, name.example, name.deprecated) == ("rex", "rex", True)
    assert name.constraints == Constraints(pattern="^[a-z]+$", max_length=20)
    assert any(w.endswith("#/models/Pet/properties/name/minLength: minLength ignored: expected a non-negative integer, got string")
               for w in spec.warnings)
    age = prop(spec, "Pet", "age")
    assert (age.minimum, age.maximum, age.enum, age.default) == (0, 30, ("1", "2"), UNSET)
    assert prop(spec, "Pet", "kind").default is None
    assert prop(spec, "Pet", "plain").default is UNSET and prop(spec, "Pet", "plain").example is UNSET
    assert spec.models()["Pet"].example == {"name": "rex"}
    pet_id = param(spec, "getPet", "id")
    assert (pet_id.default, pet_id.minimum, pet_id.constraints) == (5, 1, Constraints(pattern="^[0-9]+$", max_length=6))


def test_swagger12_base_url_only_when_shared(tmp_path):
    declarations = (pets_declaration("https://a.example/api"), store_declaration("https://b.example/api"))
    assert swagger1_in_memory(LISTING, *declarations).base_url == ""
    assert swagger1_in_memory(LISTING, pets_declaration(), store_declaration()).base_url == "https://x.example/api"


@pytest.mark.parametrize("authorizations", [None, "absent", {}, {"broken": "x", "odd": {"type": 3}}])
def test_swagger12_listing_without_usable_authorizations(authorizations):
    listing = dict(LISTING)
    if authorizations == "absent":
        del listing["authorizations"]
    else:
        listing["authorizations"] = authorizations
    spec = swagger1_in_memory(listing, pets_declaration())
    assert spec.security_schemes == {}
    assert spec.operation("getPet").security == ()
    assert spec.operation("updatePet").security == ()  # no oauth2 scheme: the scope stays text only
    assert spec.operation("updatePet").scope == "write:pets admin"
    # With a listing, undeclared names are the spec's problem: a warning (once per name).
    assert sum("authorization 'apiKey' is not declared" in w for w in spec.warnings) == 1


def test_swagger12_null_listing_authorizations_through_the_file_loader(tmp_path):
    """The reader tolerates ``authorizations: null``; the file loader validates the listing
    first, which (as the shipped schema stands) refuses it with one located line."""
    listing = {**LISTING, "authorizations": None}
    write(tmp_path, listing, "api-docs.json")
    write(tmp_path, pets_declaration(), "pets.json")
    write(tmp_path, store_declaration(), "store.json")
    try:
        spec = load_spec(str(tmp_path / "api-docs.json"))
    except SpecError as exc:
        assert exc.problems == [f"{tmp_path / 'api-docs.json'}#/authorizations: expected object, got null"]
    else:
        assert spec.security_schemes == {} and spec.operation("getPet").security == ()


def test_swagger1_single_file_with_definitions_and_declaration_alone(tmp_path):
    single = pets_declaration()
    single["authorizations"] = {**LISTING["authorizations"], "apiKey": []}  # definitions and a requirement side by side
    spec = load_spec(str(write(tmp_path, single, "single.json")))
    assert list(spec.security_schemes) == ["oauth2", "basic"]  # ``apiKey`` is a requirement here
    assert spec.operation("addPet").security == (req(("oauth2", ("write:pets",))),)
    # A declaration read without its listing: undeclared names are no warning (the listing
    # that declares them is just not there); the scopes stay in ``scope``.
    alone = load_spec(str(write(tmp_path, pets_declaration(), "alone.json")))
    assert alone.security_schemes == {} and alone.operation("addPet").security == ()
    assert alone.operation("updatePet").scope == "write:pets admin"
    assert not any("is not declared" in w for w in alone.warnings) and alone.notes == ()


def test_swagger12_oauth2_without_grant_types_keeps_its_scopes():
    listing = {**LISTING, "authorizations": {"oauth2": {"type": "oauth2", "scopes": [
        {"scope": "a", "description": "A"}, "b", 7]}}}
    spec = swagger1_in_memory(listing, pets_declaration())
    assert spec.security_schemes["oauth2"].flows == (OAuthFlow(kind="", scopes=(("a", "A"), ("b", ""))),)
    assert any(w.endswith("#/authorizations/oauth2/scopes/2: scope ignored: expected a scope object, got number") for w in spec.warnings)


def test_project_sample_scopes_become_oauth2_requirements():
    spec = load_spec(str(ROOT / "sample_specs" / "api-docs.json"))
    assert list(spec.security_schemes) == ["oauth2"]
    assert spec.base_url == "https://api.example.com/v2"
    post_job = spec.operation("post-job")
    assert (post_job.scope, post_job.security) == ("jobs:write", (req(("oauth2", ("jobs:write",))),))
    for op in spec.operations:
        if op.scope:
            assert op.security == (req(("oauth2", (op.scope,))),), op.nickname
    assert not spec.warnings


def test_legacy_swagger_1x_tolerates_the_new_keywords():
    declaration = {
        "swaggerVersion": "1.1", "basePath": "http://x/api", "resourcePath": "/w",
        "apis": [{"path": "/w", "operations": [{"httpMethod": "GET", "nickname": "w", "responseClass": "W",
                                                 "parameters": [{"name": "q", "paramType": "query", "dataType": "string",
                                                                 "defaultValue": "a", "example": "b", "minLength": 1}]}]}],
        "models": {"W": {"id": "W", "properties": {"n": {"type": "int", "defaultValue": "3", "maxLength": 2.5,
                                                           "uniqueItems": "true", "deprecated": "maybe"}}}},
    }
    spec = swagger1_in_memory(None, declaration)
    q = param(spec, "w", "q")
    assert (q.default, q.examples, q.constraints) == ("a", (Example(value="b"),), Constraints(min_length=1))
    n = prop(spec, "W", "n")
    assert (n.default, n.constraints, n.deprecated) == ("3", Constraints(unique_items=True), False)
    assert "mem0.json#/models/W/properties/n/maxLength: maxLength ignored: expected a non-negative integer, got number" in spec.warnings
    assert "mem0.json#/models/W/properties/n/deprecated: deprecated ignored: expected a boolean, got string" in spec.warnings
    assert spec.base_url == "http://x/api"


# -- properties over all inputs ------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


def _value_document(value: Any, version: str) -> dict[str, Any]:
    if version == "2.0":
        return {"swagger": "2.0", "info": {"title": "v", "version": "1"},
                "paths": {"/v": {"get": {"operationId": "v", "parameters": [
                    {"name": "p", "in": "query", "type": "string", "x-example": value}],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/V"},
                                          "examples": {"application/json": value}}}}}},
                "definitions": {"V": {"type": "object", "example": value,
                                      "properties": {"a": {"type": "string", "example": value, "default": value}}}}}
    return {"openapi": version, "info": {"title": "v", "version": "1"},
            "paths": {"/v": {"get": {"operationId": "v", "parameters": [
                {"name": "p", "in": "query", "schema": {"type": "string"}, "example": value}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/V"}, "examples": {"e": {"value": value}}}}}}}}},
            "components": {"schemas": {"V": {"type": "object", "example": value,
                                             "properties": {"a": {"type": "string", "example": value, "default": value}}}}}}


@given(json_values, st.sampled_from(["2.0", "3.0.3", "3.1.0"]))
def test_any_json_example_or_default_round_trips_and_pickles(value, version):
    spec = in_memory(_value_document(value, version))
    again = pickle.loads(pickle.dumps(spec))
    for loaded in (spec, again):
        a = prop(loaded, "V", "a")
        assert as_json(a.example) == as_json(value) and as_json(a.default) == as_json(value)
        assert as_json(loaded.models()["V"].example) == as_json(value)
        (p_example,) = param(loaded, "v", "p").examples
        assert as_json(p_example.value) == as_json(value)
        (r_example,) = response(loaded, "v", 200).examples
        assert as_json(r_example.value) == as_json(value)
    repr(spec)  # what fingerprints hash: always computable


@given(json_values)
def test_any_json_default_of_a_swagger1_property_round_trips(value):
    declaration = {"swaggerVersion": "1.2", "resourcePath": "/v", "apis": [],
                   "models": {"V": {"id": "V", "properties": {"a": {"type": "string", "defaultValue": value, "example": value}}}}}
    spec = swagger1_in_memory(None, declaration)
    a = prop(pickle.loads(pickle.dumps(spec)), "V", "a")
    assert as_json(a.default) == as_json(value) and as_json(a.example) == as_json(value)


KEYWORDS = ["minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "readOnly",
            "writeOnly", "exclusiveMinimum", "exclusiveMaximum", "deprecated", "examples", "minimum", "maximum"]
COUNT_FIELDS = {"minLength": "min_length", "maxLength": "max_length", "minItems": "min_items", "maxItems": "max_items"}


@given(st.sampled_from(KEYWORDS), json_values, st.sampled_from(["1.2", "2.0", "3.0.3", "3.1.0"]))
def test_wrong_typed_keywords_never_raise(keyword, value, version):
    schema = {"type": "string", keyword: value}
    try:
        if version == "1.2":
            spec = swagger1_in_memory(None, {"swaggerVersion": "1.2", "resourcePath": "/v", "apis": [],
                                             "models": {"V": {"id": "V", "properties": {"a": schema}}}})
        else:
            spec = in_memory(_value_document(None, version) | (
                {"definitions": {"V": {"type": "object", "properties": {"a": schema}}}} if version == "2.0" else
                {"components": {"schemas": {"V": {"type": "object", "properties": {"a": schema}}}}}))
    except SpecError as exc:  # e.g. 1.x ``uniqueItems`` is validated: a located line each
        assert exc.problems and all("\n" not in line for line in exc.problems)
        return
    a = prop(spec, "V", "a")
    c = a.constraints
    for field in ("min_length", "max_length", "min_items", "max_items"):
        assert getattr(c, field) is None or (type(getattr(c, field)) is int and getattr(c, field) >= 0)
    assert type(c.pattern) is str
    assert all(type(getattr(c, f)) is bool for f in ("unique_items", "exclusive_minimum", "exclusive_maximum", "read_only", "write_only"))
    assert c.multiple_of is None or (type(c.multiple_of) in (int, float) and c.multiple_of > 0)
    assert type(a.deprecated) is bool
    assert all(m is None or type(m) in (int, float) for m in (a.minimum, a.maximum))
    if keyword in COUNT_FIELDS and getattr(c, COUNT_FIELDS[keyword]) is None and value is not None:
        assert any(w.endswith(f"/properties/a/{keyword}: {keyword} ignored: expected a non-negative integer, got "
                              + ("string" if isinstance(value, str) else "array" if isinstance(value, list) else
                                 "object" if isinstance(value, dict) else "boolean" if isinstance(value, bool) else "number"))
                   for w in spec.warnings)
    assert all("\n" not in w for w in spec.warnings)
    assert pickle.loads(pickle.dumps(spec)) == spec


# -- the shared corpus ---------------------------------------------------------------------------

def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    sys.path.insert(0, str(ROOT / "scripts"))
    import compatibility_page

    return [*compatibility_page.corpus_files(CORPUS), *compatibility_page.openapi_files(CORPUS)]


def _declares_schemes(path: Path) -> bool:
    documents = load_documents(str(path), FetchOptions())
    if documents.kind == "openapi":
        data = documents.declarations[0].document.data
        found = data.get("securityDefinitions") or (data.get("components") or {}).get("securitySchemes")
        return bool(found)
    sources = [documents.listing, *(d.document for d in documents.declarations)]
    return any(
        isinstance(doc.data.get("authorizations"), dict)
        and any(isinstance(v, dict) and isinstance(v.get("type"), str) for v in doc.data["authorizations"].values())
        for doc in sources if doc is not None
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not beside the checkout ({CORPUS})")
@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_security_is_consistent(path):
    try:
        spec = load_spec(str(path))
    except ApidocsError:
        return  # test_corpus checks how those fail
    assert bool(spec.security_schemes) == _declares_schemes(path)
    declared = set(spec.security_schemes)
    for requirement in spec.security:
        assert {name for name, _ in requirement.schemes} <= declared
    for op in spec.operations:
        for requirement in op.security:
            assert {name for name, _ in requirement.schemes} <= declared, op.nickname
    for scheme in spec.security_schemes.values():
        assert scheme.type in ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"), scheme
    assert isinstance(spec.base_url, str) and "{" not in spec.base_url.split("//", 1)[-1].split("/", 1)[0]
