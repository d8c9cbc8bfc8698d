"""Siblings of the audience canary (``test_audiences.py``): classes of leak a hostile or
careless spec author could trigger in a build of a wide audience.

Each project is built for real in ``tmp_path`` with unique marker strings (``zq`` + a class
code) in the items of a narrower audience; every byte written under the output folder, the
doctree folder and the source folder (generated pages), plain and zlib-inflated, and the
build's warning and status text are searched for them.

Each test is a class of leak found by an audit (and fixed) or checked and found safe; most
carry a positive control (the same marker *is* in the build of the narrowest audience), so
they cannot pass just because the marker never got rendered.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sphinx_apidocs.filters import dotted_paths, load_filter_trees
from sphinx_projects.buildtools import BuildResult, build, copy_project, every_byte, sphinx_build

ORDER = ["public", "partner", "internal"]
AUDIENCES_YAML = "- public\n- partner\n- internal\n"


# -- helpers ------------------------------------------------------------------------------


def write_project(
    root: Path,
    spec: dict[str, Any] | None = None,
    *,
    spec_files: dict[str, Any] | None = None,
    filters: dict[str, str] | None = None,
    audience: str = "public",
    conf: str = "",
    index: str = "",
) -> Path:
    """``root/src`` (conf.py, index.rst), ``root/spec.json`` (or ``root/specs/*`` from
    ``spec_files``) and ``root/filters``; returns the source folder."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    if spec_files is not None:
        (root / "specs").mkdir(exist_ok=True)
        for name, data in spec_files.items():
            (root / "specs" / name).write_text(json.dumps(data))
        spec_path = "../specs"
    else:
        (root / "spec.json").write_text(json.dumps(spec))
        spec_path = "../spec.json"
    (root / "filters").mkdir(exist_ok=True)
    for relative, text in (filters or {}).items():
        path = root / "filters" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (src / "conf.py").write_text(
        'project = "leaks"\n'
        'extensions = ["sphinx_apidocs"]\n'
        f'apidocs_spec = "{spec_path}"\n'
        'apidocs_filters = "../filters"\n'
        f"apidocs_audiences = {ORDER!r}\n"
        f'apidocs_audience = "{audience}"\n'
        'apidocs_resource_pages = "api"\n'
        'exclude_patterns = ["_build"]\n'
        'version = release = "1.0"\n'
        f"{conf}\n"
    )
    (src / "index.rst").write_text(
        "Leaks\n=====\n\n.. api:spec::\n   :operations:\n\n.. toctree::\n\n   api/index\n\n" + index + "\n"
    )
    return src


def run(root: Path, **overrides: Any) -> BuildResult:
    result = build(root / "src", root / "out", doctreedir=root / "dt", overrides=overrides)
    assert result.statuscode == 0, result.warnings
    return result


def where(root: Path, result: BuildResult | None, marker: str, *, extra: str = "") -> list[str]:
    """Every place ``marker`` is found: files under out/, dt/, src/ (plain or inflated), the
    warning stream, the status stream, and ``extra`` text."""
    needle = marker.encode()
    written = [*every_byte(root / "out"), *every_byte(root / "dt"), *every_byte(root / "src")]
    found = sorted({str(path.relative_to(root)) for path, data in written if needle in data})
    if result is not None and marker in result.warnings:
        found.append("<warnings>")
    if result is not None and marker in result.status:
        found.append("<status>")
    if marker in extra:
        found.append("<extra>")
    return found


def assert_absent(root: Path, result: BuildResult | None, markers: list[str], **kw: Any) -> None:
    leaks = {marker: places for marker in markers if (places := where(root, result, marker, **kw))}
    assert not leaks, f"narrower-audience markers in the public build: {leaks}"


def assert_present(root: Path, result: BuildResult | None, markers: list[str], **kw: Any) -> None:
    """Positive control: the markers are rendered (or said) by the narrowest build."""
    missing = [marker for marker in markers if not where(root, result, marker, **kw)]
    assert not missing, f"control: not in the internal build at all: {missing}"


def ok(description: str = "ok") -> dict[str, Any]:
    return {"description": description}


def json_body(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema, **extra}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def internal_object(description: str = "") -> dict[str, Any]:
    return {"type": "object", "x-audience": "internal", "description": description, "properties": {"a": {"type": "string"}}}


# -- one OpenAPI 3.1 spec with many items of the internal audience ------------------------

#: Classes found safe: marker -> what it stands for. ``None`` in CONTROL_EXEMPT: not even
#: the internal build shows it (by design), so no positive control.
SAFE = {
    "zqs01": "an internal tag's description",
    "zqs02": "an internal operation's nickname and summary (and its coverage warning)",
    "zqs03": "an internal operation's path",
    "zqs04": "an internal operation's spec-written response example value",
    "zqs05": "an internal operation's request body examples",
    "zqs06": "a callback of an internal operation",
    "zqs07": "a callback marked internal (operation-level x-audience) under a public operation",
    "zqs08": "a webhook marked internal (operation-level x-audience)",
    "zqs09": "a path item with x-audience: its path, summary and operations",
    "zqs10": "an internal property: name, enum values, example",
    "zqs11": "a model's own example: the value under an internal property's key",
    "zqs12": "a public response example: an internal key nested under another key",
    "zqs13": "a public request body example with an internal key",
    "zqs14": "a property whose $ref names a marked schema: that schema's name and description",
    "zqs15": "a model used only by an internal operation",
    "zqs16": "an internal property that comes from an allOf member",
    "zqs17": "a mark naming no audience (fail closed; named only by the narrowest build)",
    "zqs18": "an inline object model reached only through an internal property",
    "zqs19": "an unused internal tag's description",
    "zqs20": "an internal operation's parameter enum values",
}
CONTROL_EXEMPT = {"zqs19"}  # an unused tag is shown by no build

LEAKS = {
    "scheme": ["zql01"],
    "scope": ["zql02"],
    "alias": ["zql03"],
    "allof_wrapper": ["zql04"],
    "nullable": ["zql05"],
    "nested_array": ["zql06"],
    "variant": ["zql07"],
    "response_body": ["zql08"],
    "webhook_item": ["zql09"],
    "callback_item": ["zql10"],
    "default": ["zql11"],
    "reader_warning": ["zql12"],
}


def openapi_spec() -> dict[str, Any]:
    internal_op = {
        "operationId": "auditzqs02",
        "tags": ["audit"],
        "summary": "Audit zqs02",
        "parameters": [{"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["pzqs20", "qzqs20"]}}],
        "security": [{"oauth": ["audit:zql02"]}, {"internalKeyzql01": []}],
        "requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"q": {"type": "string"}}},
            "examples": {"reqex": {"summary": "zqs05 example", "value": {"q": "zqs05"}}},
        }}},
        "responses": {"200": json_body(ref("AuditOnlyzqs15"), example={"f": "zqs04"})},
        "callbacks": {"onzqs06": {"{$request.body#/cb}": {"post": {"operationId": "cbzqs06", "responses": {"200": ok()}}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Leaks", "version": "1"},
        "tags": [
            {"name": "users", "description": "Public users."},
            {"name": "audit", "x-audience": "internal", "description": "Trust team zqs01"},
            {"name": "unused", "x-audience": "internal", "description": "Unused zqs19"},
        ],
        "components": {
            "securitySchemes": {
                "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                    "tokenUrl": "https://auth.example.com/token",
                    "scopes": {"users:read": "Read users", "audit:zql02": "Audit scope zql02"},
                }}},
                "internalKeyzql01": {"type": "apiKey", "in": "header", "name": "X-Audit-zql01", "description": "zql01 key"},
            },
            "schemas": {
                "User": {
                    "type": "object",
                    "allOf": [ref("Base")],
                    "properties": {
                        "uid": {"type": "string"},
                        "riskzqs10": {"type": "string", "x-audience": "internal", "enum": ["ezqs10"], "example": "xzqs10"},
                        "secretmarkzqs17": {"type": "string", "x-audience": "secret"},
                        "nestzqs18": {"type": "object", "x-audience": "internal", "properties": {"deepzqs18": {"type": "string"}}},
                        "viaref": ref("Secretzqs14"),
                        "viaalias": ref("Alias"),
                        "viaallof": {"allOf": [ref("Wrappedzql04")], "description": "a wrapped reference"},
                        "vianull": {"oneOf": [ref("Nullablezql05"), {"type": "null"}]},
                        "vianest": {"type": "array", "items": {"type": "array", "items": ref("Nestedzql06")}},
                        "pet": {
                            "oneOf": [ref("Cat"), ref("Dogzql07")],
                            "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dogzql07"}},
                        },
                        "prefs": {**ref("Prefs"), "default": {"p": "x", "hidzql11": "defzql11"}},
                    },
                    "example": {"uid": "u1", "riskzqs10": "objzqs11"},
                },
                "Base": {"type": "object", "properties": {"b": {"type": "string"}, "basezqs16": {"type": "integer", "x-audience": "internal"}}},
                "Prefs": {"type": "object", "properties": {"p": {"type": "string"}, "hidzql11": {"type": "string", "x-audience": "internal"}}},
                "Secretzqs14": internal_object("Secret model zqs14"),
                "Alias": ref("Aliasedzql03"),
                "Aliasedzql03": internal_object("zql03"),
                "Wrappedzql04": internal_object("zql04"),
                "Nullablezql05": internal_object("zql05"),
                "Nestedzql06": internal_object("zql06"),
                "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
                "Dogzql07": {"type": "object", "x-audience": "internal", "properties": {"kind": {"type": "string"}, "bark": {"type": "string"}}},
                "Directzql08": internal_object("zql08"),
                "AuditOnlyzqs15": {"type": "object", "properties": {"f": {"type": "string"}}},
            },
        },
        "paths": {
            "/users/{id}": {"get": {
                "operationId": "getUser", "tags": ["users"], "security": [{"oauth": ["users:read"]}],
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": json_body(ref("User"), examples={
                    "one": {"summary": "A user", "value": {"uid": "u1", "nested": {"riskzqs10": "respzqs12"}}},
                })},
            }},
            "/users": {"post": {
                "operationId": "createUser", "tags": ["users"],
                "requestBody": {"content": {"application/json": {"schema": ref("User"), "example": {"uid": "u2", "riskzqs10": "reqzqs13"}}}},
                "responses": {"201": json_body(ref("User"))},
                "callbacks": {
                    "onzqs07": {"{$request.body#/cb}": {"post": {"x-audience": "internal", "operationId": "cbzqs07", "responses": {"200": ok()}}}},
                    "onthingzql10": {"{$request.body#/hook}": {"x-audience": "internal", "post": {"operationId": "markedcbzql10", "responses": {"200": ok()}}}},
                },
            }},
            "/direct": {"get": {"operationId": "getDirect", "tags": ["users"], "responses": {"200": json_body(ref("Directzql08"))}}},
            "/auditzqs03": {"get": internal_op},
            "/pathzqs09": {"x-audience": "internal", "summary": "Path zqs09", "get": {"operationId": "pathopzqs09", "tags": ["users"], "responses": {"204": ok()}}},
            "/brokenzql12/items": {"get": {
                "operationId": "brokenop", "x-audience": "internal", "tags": ["audit"],
                "responses": {"200": json_body(ref("Ghostzql12"))},
            }},
        },
        "webhooks": {
            "hookzqs08": {"post": {"x-audience": "internal", "operationId": "hookopzqs08", "responses": {"200": ok()}}},
            "hookitemzql09": {"x-audience": "internal", "post": {"operationId": "hookitemopzql09", "responses": {"200": ok()}}},
        },
    }


@pytest.fixture(scope="module")
def openapi_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, BuildResult]]:
    """The same spec built for the public and for the internal audience (separate projects:
    generated pages are written into the source folder)."""
    found = {}
    for audience in ("public", "internal"):
        root = tmp_path_factory.mktemp(f"openapi-{audience}")
        write_project(root, openapi_spec(), filters={"audiences.yaml": AUDIENCES_YAML}, audience=audience)
        found[audience] = (root, run(root))
    return found


@pytest.mark.parametrize("marker", sorted(SAFE))
def test_openapi_item_of_a_narrower_audience_reaches_no_file(openapi_builds: dict[str, tuple[Path, BuildResult]], marker: str) -> None:
    assert_absent(*openapi_builds["public"], [marker])
    if marker not in CONTROL_EXEMPT:
        assert_present(*openapi_builds["internal"], [marker])


def check_openapi_leak(openapi_builds: dict[str, tuple[Path, BuildResult]], case: str) -> None:
    assert_present(*openapi_builds["internal"], LEAKS[case])
    assert_absent(*openapi_builds["public"], LEAKS[case])


def test_security_scheme_used_only_by_internal_operations(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "scheme")


def test_oauth_scope_used_only_by_internal_operations(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "scope")


def test_ref_chain_to_a_marked_schema(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "alias")


def test_allof_wrapped_ref_to_a_marked_schema(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "allof_wrapper")


def test_nullable_ref_to_a_marked_schema(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "nullable")


def test_nested_array_of_a_marked_schema(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "nested_array")


def test_oneof_variant_marked_schema(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "variant")


def test_marked_schema_as_a_public_response_body(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "response_body")


def test_webhook_path_item_mark(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "webhook_item")


def test_callback_path_item_mark(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "callback_item")


def test_default_value_with_an_internal_key(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "default")


def test_reader_warning_located_in_an_internal_operation(openapi_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    check_openapi_leak(openapi_builds, "reader_warning")


# -- Swagger 1.2 ----------------------------------------------------------------------------


def swagger1_files() -> dict[str, Any]:
    listing = {
        "swaggerVersion": "1.2",
        "apiVersion": "1",
        "info": {"title": "Leaks 1.2"},
        "authorizations": {"oauth2": {"type": "oauth2", "scopes": [
            {"scope": "users:read", "description": "Read users"},
            {"scope": "audit:zqw02", "description": "Audit zqw02"},
        ], "grantTypes": {"implicit": {"loginEndpoint": {"url": "https://auth.example.com/login"}}}}},
        "apis": [
            {"path": "/users.{format}", "description": "Users"},
            {"path": "/audit.{format}", "description": "Audit listing zqv01"},
        ],
    }
    users = {
        "swaggerVersion": "1.2", "apiVersion": "1", "basePath": "https://api.example.com", "resourcePath": "/users",
        "apis": [
            {"path": "/users/{uid}", "description": "A user", "operations": [
                {"method": "GET", "nickname": "get-user", "type": "User", "scope": "users:read",
                 "parameters": [{"name": "uid", "paramType": "path", "type": "string", "required": True}]},
            ]},
            {"path": "/users/{uid}/zqv09", "description": "Api description zqv09", "operations": [
                {"method": "GET", "nickname": "opzqv06", "audience": "internal", "summary": "zqv06", "type": "User",
                 "scope": "audit:zqw02", "parameters": []},
                {"method": "POST", "nickname": "ghostopzqv06", "audience": "internal", "type": "Ghostzqw03", "parameters": []},
            ]},
        ],
        "models": {
            "User": {"id": "User", "properties": {
                "uid": {"type": "string"},
                "riskzqv07": {"type": "string", "audience": "internal", "enum": ["ezqv07"]},
                "subzqv08": {"$ref": "Subzqv08", "audience": "partner"},
            }},
            "Subzqv08": {"id": "Subzqv08", "description": "zqv08", "properties": {"q": {"type": "string"}}},
        },
    }
    audit = {
        "swaggerVersion": "1.2", "apiVersion": "1", "basePath": "https://api.example.com", "resourcePath": "/audit",
        "audience": "internal", "description": "Audit declaration zqv01",
        "apis": [{"path": "/audit", "operations": [
            {"method": "GET", "nickname": "auditzqv04", "type": "AuditModelzqv05", "parameters": []},
        ]}],
        "models": {"AuditModelzqv05": {"id": "AuditModelzqv05", "properties": {"f": {"type": "string"}}}},
    }
    return {"api-docs.json": listing, "users.json": users, "audit.json": audit}


SAFE_1X = {
    "zqv01": "an internal declaration: its listing entry and description",
    "zqv04": "an internal declaration's operation",
    "zqv05": "an internal declaration's model",
    "zqv06": "internal operations of a public declaration",
    "zqv07": "an internal property and its enum values",
    "zqv08": "a model used only by a partner property",
    "zqv09": "an API path (and its description) whose operations are all internal",
}


@pytest.fixture(scope="module")
def swagger1_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, BuildResult]]:
    found = {}
    for audience in ("public", "internal"):
        root = tmp_path_factory.mktemp(f"swagger1-{audience}")
        write_project(root, spec_files=swagger1_files(), filters={"audiences.yaml": AUDIENCES_YAML}, audience=audience)
        found[audience] = (root, run(root))
    return found


@pytest.mark.parametrize("marker", sorted(SAFE_1X))
def test_swagger1_item_of_a_narrower_audience_reaches_no_file(swagger1_builds: dict[str, tuple[Path, BuildResult]], marker: str) -> None:
    assert_absent(*swagger1_builds["public"], [marker])
    assert_present(*swagger1_builds["internal"], [marker])


def test_swagger1_unknown_model_warning_of_an_internal_operation(swagger1_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    assert_present(*swagger1_builds["internal"], ["zqw03"])
    assert_absent(*swagger1_builds["public"], ["zqw03"])


def test_swagger1_scope_used_only_by_internal_operations(swagger1_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    assert_present(*swagger1_builds["internal"], ["zqw02"])
    assert_absent(*swagger1_builds["public"], ["zqw02"])


# -- filters --------------------------------------------------------------------------------


def filters_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Filters", "version": "1"},
        "components": {"schemas": {
            "User": {"type": "object", "properties": {"uid": {"type": "string"}, "riskzqf01": {"type": "string", "x-audience": "internal"}}},
            "Audit": {"type": "object", "properties": {"f": {"type": "string"}}},
        }},
        "paths": {
            "/users": {"get": {"operationId": "getUser", "responses": {"200": json_body(ref("User"))}}},
            "/audit": {"get": {"operationId": "auditzqf02", "x-audience": "internal", "responses": {"200": json_body(ref("Audit"))}}},
            "/dup": {"get": {"operationId": "dupzqf03", "x-audience": "internal", "responses": {"200": json_body(ref("Audit"))}}},
            "/fine": {"get": {"operationId": "finezqf04", "x-audience": "internal", "responses": {"200": json_body(ref("Audit"))}}},
        },
    }


FILTER_FILES = {
    "audiences.yaml": AUDIENCES_YAML,
    "users.yaml": "getUser:\n  - uid\n  - riskzqf01\n",  # an internal field in the public folder
    "audit.yaml": "auditzqf02:\n  - f\n",  # an internal operation's filter in the public folder
    "dup1.yaml": "dupzqf03:\n  - f\n",  # ... twice
    "dup2.yaml": "dupzqf03:\n  - f\n",
    "internal/audit.yaml": "finezqf04:\n  - f\n",  # in its place
}


@pytest.fixture(scope="module")
def filters_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = tmp_path_factory.mktemp("filters-public")
    write_project(root, filters_spec(), filters=FILTER_FILES)
    return root, run(root)


def test_an_internal_operations_filter_in_its_own_folder_is_not_read(filters_build: tuple[Path, BuildResult]) -> None:
    assert_absent(*filters_build, ["zqf04"])
    assert "getUser" in (filters_build[0] / "out" / "api" / "users.html").read_text()  # control: a real build


def test_an_internal_field_in_the_public_filter_folder_is_documented_as_the_runtime_returns_it(
    filters_build: tuple[Path, BuildResult],
) -> None:
    """Not hidden on purpose: the public whitelist names the field, so the public service
    returns it; the public docs say what the public runtime does (docs and service agree).
    The fix is in the filter folders, and the page shows where to make it."""
    root, _result = filters_build
    page = (root / "out" / "api" / "users.html").read_text()
    assert "riskzqf01" in page
    assert "riskzqf01" in dotted_paths(load_filter_trees(str(root / "filters" / "users.yaml"))["getUser"].tree)  # the public file


def test_an_internal_operations_filter_in_the_public_folder(filters_build: tuple[Path, BuildResult]) -> None:
    assert_absent(*filters_build, ["zqf02"])


def test_a_duplicate_internal_filter_in_the_public_folder_warns(filters_build: tuple[Path, BuildResult]) -> None:
    root, result = filters_build
    assert "zqf03" not in result.warnings, result.warnings


# -- the same folders reused for another audience -----------------------------------------


def stale_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stale", "version": "1"},
        "tags": [{"name": "users"}, {"name": "auditzqt01", "x-audience": "internal", "description": "Tag zqt03"}],
        "paths": {
            "/users": {"get": {"operationId": "getUser", "tags": ["users"], "responses": {"204": ok()}}},
            "/audit": {"get": {"operationId": "auditopzqt02", "tags": ["auditzqt01"], "summary": "zqt02", "responses": {"204": ok()}}},
        },
    }


def test_a_wider_audience_is_refused_the_folders_of_a_narrower_build(tmp_path: Path) -> None:
    """A public build in the output and doctree folders of an internal build would keep that
    build's pages, sources, doctrees and search terms beside its own: it stops with one line
    instead, and deletes nothing."""
    write_project(tmp_path, stale_spec(), filters={"audiences.yaml": AUDIENCES_YAML}, audience="internal")
    internal = run(tmp_path)
    assert where(tmp_path, internal, "zqt02"), "control: the internal build shows its operation"
    before = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*"))
    with pytest.raises(SystemExit) as stopped:
        build(tmp_path / "src", tmp_path / "out", doctreedir=tmp_path / "dt", overrides={"apidocs_audience": "public"})
    assert "holds a build of another audience or order" in str(getattr(stopped.value, "message", ""))
    assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*")) == before
    fresh = build(tmp_path / "src", tmp_path / "out-public", doctreedir=tmp_path / "dt-public", overrides={"apidocs_audience": "public"})
    assert fresh.statuscode == 0
    leaks = [p for p in where(tmp_path, fresh, "zqt02") if p.startswith(("out-public/", "dt-public/", "<"))]
    assert not leaks, leaks


def narrowed_spec(marked: bool) -> dict[str, Any]:
    audit: dict[str, Any] = {"name": "auditzqr01", "description": "Tag zqr02"}
    moved: dict[str, Any] = {"operationId": "movedzqr03", "summary": "Moved zqr04", "tags": ["users"], "responses": {"204": ok()}}
    if marked:
        audit["x-audience"] = moved["x-audience"] = "internal"
    return {
        "openapi": "3.1.0",
        "info": {"title": "Narrowed", "version": "1"},
        "tags": [{"name": "users"}, audit],
        "paths": {
            "/users": {"get": {"operationId": "getUser", "tags": ["users"], "responses": {"204": ok()}}, "post": moved},
            "/audit": {"get": {"operationId": "auditopzqr05", "tags": ["auditzqr01"], "responses": {"204": ok()}}},
        },
    }


def test_incremental_rebuild_after_an_item_is_narrowed(tmp_path: Path) -> None:
    write_project(tmp_path, narrowed_spec(False), filters={"audiences.yaml": AUDIENCES_YAML})
    first = run(tmp_path)
    assert where(tmp_path, first, "zqr04") and where(tmp_path, first, "zqr05")  # control: public at first
    (tmp_path / "spec.json").write_text(json.dumps(narrowed_spec(True)))
    second = run(tmp_path)
    assert "api/users" in second.read  # the page of the moved operation was read again
    assert_absent(tmp_path, second, ["zqr01", "zqr02", "zqr03", "zqr04", "zqr05"])


# -- changelog ----------------------------------------------------------------------------


def release_spec(risk_type: str, internal_op: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "History", "version": "1"},
        "components": {"schemas": {"User": {"type": "object", "properties": {
            "uid": {"type": "string"},
            "riskzqc01": {"type": risk_type, "x-audience": "internal", "description": "Risk zqc02"},
        }}}},
        "paths": {
            "/users": {"get": {"operationId": "getUser", "responses": {"200": json_body(ref("User"))}}},
            f"/{internal_op}": {"get": {
                "operationId": internal_op, "x-audience": "internal", "summary": f"S {internal_op}",
                "responses": {"200": json_body({"type": "object", "properties": {"f": {"type": "string"}}})},
            }},
        },
    }
    spec["paths"].update(extra or {})
    return spec


CHANGELOG_FILTERS = {
    "audiences.yaml": AUDIENCES_YAML,
    "users.yaml": "getUser:\n  - uid\n",
    "internal/users.yaml": "getUser:\n  - riskzqc01\noldopzqc03:\n  - f\nnewopzqc07:\n  - f\n",
}
CHANGELOG_CONF = (
    'apidocs_changelog = [{"version": "r0", "spec": "../broken.json"},'
    ' {"version": "r1", "spec": "../old.json", "filters": "../filters"}]\n'
    'apidocs_changelog_current = "r2"\n'
)


@pytest.fixture(scope="module")
def changelog_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, BuildResult]]:
    """Releases: r0 (cannot be loaded: a dangling response $ref in an internal operation), r1
    (internal operation oldopzqc03, internal field a string), r2 = the build (oldopzqc03 removed,
    newopzqc07 added, the internal field an integer)."""
    found = {}
    for audience in ("public", "internal"):
        root = tmp_path_factory.mktemp(f"changelog-{audience}")
        broken = release_spec("string", "oldopzqc03", {"/brokenzqc05": {"get": {
            "operationId": "brokenzqc05", "x-audience": "internal",
            "responses": {"200": {"$ref": "#/components/responses/Ghostzqc06"}},
        }}})
        (root / "broken.json").write_text(json.dumps(broken))
        (root / "old.json").write_text(json.dumps(release_spec("string", "oldopzqc03")))
        write_project(
            root, release_spec("integer", "newopzqc07"), filters=CHANGELOG_FILTERS, audience=audience,
            conf=CHANGELOG_CONF, index=".. api:changelog::\n",
        )
        found[audience] = (root, run(root))
    return found


def test_changelog_of_a_public_build_holds_no_internal_change(changelog_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    """An internal operation added and one removed, an internal field's type changed."""
    assert_present(*changelog_builds["internal"], ["zqc01", "zqc03", "zqc07"])
    internal_index = (changelog_builds["internal"][0] / "out" / "index.html").read_text()
    assert "oldopzqc03" in internal_index and "newopzqc07" in internal_index  # the changelog shows them
    assert_absent(*changelog_builds["public"], ["zqc01", "zqc02", "zqc03", "zqc07"])


def test_changelog_warning_for_a_release_broken_by_an_internal_operation(changelog_builds: dict[str, tuple[Path, BuildResult]]) -> None:
    root, result = changelog_builds["public"]
    assert "[apidocs.changelog]" in result.warnings  # the release is left out, with a warning
    assert_absent(root, result, ["zqc05", "zqc06"])


# -- a spec that cannot be loaded because of an internal item -----------------------------


def test_load_error_in_an_internal_operation(tmp_path: Path) -> None:
    spec = release_spec("string", "plain", {"/auditzqe01": {"get": {
        "operationId": "auditzqe01", "x-audience": "internal",
        "responses": {"200": {"$ref": "#/components/responses/Ghostzqe02"}},
    }}})
    src = write_project(tmp_path, spec, filters={"audiences.yaml": AUDIENCES_YAML})
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out"), "-d", str(tmp_path / "dt")])
    assert done.returncode == 2 and "cannot load the API spec" in done.stderr, done.stderr  # control
    assert_absent(tmp_path, None, ["zqe01", "zqe02"], extra=done.stdout + done.stderr)


# -- diff --audience ------------------------------------------------------------------------


def test_diff_audience_public_shows_no_internal_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sphinx_apidocs.cli import main

    (tmp_path / "old.json").write_text(json.dumps(release_spec("string", "oldopzqc03")))
    (tmp_path / "new.json").write_text(json.dumps(release_spec("integer", "newopzqc07")))
    filters = tmp_path / "filters"
    for relative, text in CHANGELOG_FILTERS.items():
        (filters / relative).parent.mkdir(parents=True, exist_ok=True)
        (filters / relative).write_text(text)
    argv = ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--filters", str(filters), "--fail-on", "never"]
    outputs = {}
    for audience in ("public", "internal"):
        for fmt in ("text", "json"):
            assert main([*argv, "--audience", audience, "--format", fmt]) == 0
            captured = capsys.readouterr()
            outputs[audience, fmt] = captured.out + captured.err
    assert all(m in outputs["internal", "json"] for m in ("riskzqc01", "oldopzqc03", "newopzqc07"))  # control
    for fmt in ("text", "json"):
        for marker in ("zqc01", "zqc02", "zqc03", "zqc07"):
            assert marker not in outputs["public", fmt], (fmt, marker, outputs["public", fmt])


def test_diff_audience_public_warnings_name_internal_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sphinx_apidocs.cli import main

    spec = release_spec("string", "auditzqd02")
    spec["paths"]["/auditzqd02"]["get"]["responses"]["200"] = json_body(ref("AuditOnlyzqd01"))
    spec["components"]["schemas"]["AuditOnlyzqd01"] = {"type": "object", "properties": {"n": {"type": "integer", "deprecated": "yes"}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    argv = ["diff", str(tmp_path / "spec.json"), str(tmp_path / "spec.json"), "--audiences", ",".join(ORDER), "--fail-on", "never"]
    assert main([*argv, "--audience", "internal"]) == 0
    assert "AuditOnlyzqd01" in capsys.readouterr().err  # control: the warning exists
    assert main([*argv, "--audience", "public"]) == 0
    captured = capsys.readouterr()
    assert "zqd01" not in captured.out + captured.err, captured.err


# -- the snapshot of a live endpoint --------------------------------------------------------


def test_a_public_build_from_a_snapshot_written_by_an_internal_build(tmp_path: Path) -> None:
    """The endpoint is down: the public build falls back to the snapshot, which holds every
    audience's items (written by the internal build); only the public view is rendered."""
    from sphinx_apidocs.spec.serve import serving

    from sphinx_projects.buildtools import SAMPLE_SPECS

    specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, specs)
    src = copy_project("basic", tmp_path / "p", specs=None)
    snapshot = tmp_path / "snap"
    with serving(str(specs)) as url:
        overrides = {"apidocs_spec": url, "apidocs_snapshot": str(snapshot)}
        internal = build(src, tmp_path / "out-internal", doctreedir=tmp_path / "dt-internal", overrides={**overrides, "apidocs_audience": "internal"})
        assert internal.statuscode == 0 and any(snapshot.rglob("*.json"))
    shutil.rmtree(src / "api")  # the internal build's generated pages: a clean source folder
    public = build(src, tmp_path / "out", doctreedir=tmp_path / "dt", overrides={**overrides, "apidocs_audience": "public"})
    assert public.statuscode == 0 and "[apidocs.fetch]" in public.warnings  # the snapshot was used
    assert any(b"CANARYINTERNAL7731" in data for _, data in every_byte(snapshot))  # control
    written = [*every_byte(tmp_path / "out"), *every_byte(tmp_path / "dt"), *every_byte(src)]
    for marker in (b"CANARYINTERNAL7731", b"i7731", b"CANARYPARTNER4412", b"p4412"):
        assert not [str(p) for p, data in written if marker in data], marker
        assert marker.decode() not in public.warnings
