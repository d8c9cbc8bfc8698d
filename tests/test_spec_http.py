"""Loading specs over real HTTP from servers on 127.0.0.1 (ephemeral ports)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from httpserver import Route, scripted_server
from sphinx_apidocs.errors import ConfigError, FetchError, SpecError
from sphinx_apidocs.spec import FetchOptions, load_spec
from sphinx_apidocs.spec.serve import serving

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_specs"
CORPUS = ROOT.parent / "shared" / "corpus"
PETSTORE = CORPUS / "swagger-1.2" / "swagger-parser-petstore"


def declaration(resource_path: str, nickname: str, **extra: object) -> dict:
    return {
        "swaggerVersion": "1.2",
        "basePath": "https://api.example.com",
        "resourcePath": resource_path,
        "apis": [
            {
                "path": resource_path + "/{id}",
                "operations": [{"method": "GET", "nickname": nickname, "type": "void", "parameters": []}],
            }
        ],
        **extra,
    }


def test_sample_api_listing_then_declarations():
    with serving(str(SAMPLE)) as url:
        spec = load_spec(url)
    listing = json.loads((SAMPLE / "api-docs.json").read_text())
    expected = [api["path"].replace(".{format}", "") for api in listing["apis"]]
    assert [r.resource_path for r in spec.resources] == expected
    assert [r.description for r in spec.resources] == [api["description"] for api in listing["apis"]]
    # `.{format}` in listing paths became `.json` in the declaration URLs.
    assert all(r.source == f"{url}{r.resource_path}.json" for r in spec.resources)
    operations = list(spec.operations)
    assert len(operations) >= 20
    assert {p.location for op in operations for p in op.parameters} == {"path", "query", "body", "header", "form"}
    assert all(op.scope for op in operations)
    info = spec.operation("get-auth-user-info")
    assert info is not None and info.response_type.ref == "UserInfo"
    assert spec.full_path(info) == "https://api.example.com/v2/auth/user/info"


def test_absolute_urls_in_listing_paths(tmp_path):
    (tmp_path / "decls").mkdir()
    (tmp_path / "decls" / "one.json").write_text(json.dumps(declaration("/one", "get-one")))
    (tmp_path / "decls" / "two.json").write_text(json.dumps(declaration("/two", "get-two")))
    (tmp_path / "api-docs.json").write_text(json.dumps({"swaggerVersion": "1.2", "apis": []}))
    with serving(str(tmp_path)) as url:
        # The port is known only now; the server reads files per request.
        listing = {
            "swaggerVersion": "1.2",
            "apis": [
                {"path": f"{url}/decls/one.{{format}}", "description": "first"},
                {"path": f"{url}/decls/two.json", "description": "second"},
            ],
        }
        (tmp_path / "api-docs.json").write_text(json.dumps(listing))
        spec = load_spec(url)
    assert [(r.resource_path, r.description) for r in spec.resources] == [("/one", "first"), ("/two", "second")]
    assert [r.source for r in spec.resources] == [f"{url}/decls/one.json", f"{url}/decls/two.json"]


def test_swapped_declaration_files_are_matched_by_resource_path(tmp_path):
    # The file served at /api-docs/a declares /b and the other way round.
    (tmp_path / "a").write_text(json.dumps(declaration("/b", "get-b")))
    (tmp_path / "b").write_text(json.dumps(declaration("/a", "get-a")))
    listing = {"swaggerVersion": "1.2", "apis": [{"path": "/a", "description": "A"}, {"path": "/b", "description": "B"}]}
    (tmp_path / "api-docs.json").write_text(json.dumps(listing))
    with serving(str(tmp_path)) as url:
        spec = load_spec(url)
    assert [(r.resource_path, r.description, r.source) for r in spec.resources] == [
        ("/a", "A", f"{url}/b"),
        ("/b", "B", f"{url}/a"),
    ]
    assert [op.nickname for op in spec.resource("/a").operations] == ["get-a"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
def test_declarations_are_matched_by_resource_path_not_file_name():
    # In this corpus folder the files `store` and `user` are swapped.
    with serving(str(PETSTORE)) as url:
        spec = load_spec(url)
    by_path = {r.resource_path: r for r in spec.resources}
    assert by_path["/user"].source == f"{url}/store"
    assert by_path["/store"].source == f"{url}/user"
    assert by_path["/user"].description == "Operations about user"
    assert by_path["/store"].description == "Operations about store"
    assert "createUser" in {op.nickname for op in by_path["/user"].operations}
    assert "placeOrder" in {op.nickname for op in by_path["/store"].operations}


def test_a_single_declaration_url():
    with scripted_server({"/decl": Route.json(declaration("/things", "get-thing"))}) as server:
        spec = load_spec(server.base + "/decl")
    assert [r.resource_path for r in spec.resources] == ["/things"]
    assert spec.operation("get-thing").method == "GET"


def test_headers_expand_from_environment(monkeypatch):
    monkeypatch.setenv("APIDOCS_TEST_TOKEN", "s3cret-value")
    routes = {"/api-docs": Route.json(declaration("/a", "get-a"), require_header=("Authorization", "Bearer s3cret-value"))}
    with scripted_server(routes) as server:
        with pytest.raises(FetchError) as denied:
            load_spec(server.base + "/api-docs")
        spec = load_spec(server.base + "/api-docs", headers={"Authorization": "Bearer ${APIDOCS_TEST_TOKEN}"})
    assert "HTTP 401" in str(denied.value) and server.base in str(denied.value)
    assert spec.operation("get-a") is not None


def test_missing_environment_variable_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("APIDOCS_NOT_SET", raising=False)
    with pytest.raises(ConfigError, match="environment variable APIDOCS_NOT_SET is not set"):
        load_spec(str(SAMPLE), headers={"Authorization": "Bearer ${APIDOCS_NOT_SET}"})


def test_response_size_cap():
    big = json.dumps(declaration("/a", "get-a", description="x" * 200_000)).encode()
    with scripted_server({"/api-docs": Route(body=big)}) as server:
        with pytest.raises(FetchError, match="exceeds the 100000-byte cap"):
            load_spec(server.base + "/api-docs", options=FetchOptions(max_bytes=100_000))


def test_timeout_is_bounded():
    with scripted_server({"/api-docs": Route.json(declaration("/a", "a"), delay=3)}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out") as error:
            load_spec(server.base + "/api-docs", timeout=0.5)
        assert time.monotonic() - started < 2.5
    assert str(error.value).startswith(server.base + "/api-docs: ")


def test_html_instead_of_json_says_so():
    page = Route(body=b"<!doctype html><title>Sign in</title>", headers={"Content-Type": "text/html"})
    with scripted_server({"/api-docs": page}) as server:
        with pytest.raises(FetchError, match="got HTML or XML instead of JSON"):
            load_spec(server.base + "/api-docs")


def test_missing_declaration_names_the_url():
    listing = {"swaggerVersion": "1.2", "apis": [{"path": "/gone.{format}"}]}
    with scripted_server({"/api-docs": Route.json(listing)}) as server:
        with pytest.raises(FetchError) as error:
            load_spec(server.base + "/api-docs")
    assert str(error.value) == f"{server.base}/api-docs/gone.json: HTTP 404 Not Found"


def test_every_schema_error_of_every_declaration_is_reported():
    bad_a = declaration("/a", "a")
    bad_a["apis"][0]["operations"][0]["method"] = "FETCH"
    bad_a["apis"][0]["operations"][0]["parameters"] = [{"name": "q", "paramType": "cookie"}]
    bad_b = declaration("/b", "b")
    bad_b["apis"][0]["path"] = 42
    bad_b["models"] = {"M": {"id": "M", "properties": {"x": {"type": "string", "required": "maybe"}}}}
    listing = {"swaggerVersion": "1.2", "apis": [{"path": "/a"}, {"path": "/b"}]}
    routes = {"/api-docs": Route.json(listing), "/api-docs/a": Route.json(bad_a), "/api-docs/b": Route.json(bad_b)}
    with scripted_server(routes) as server:
        with pytest.raises(SpecError) as error:
            load_spec(server.base + "/api-docs")
    base = server.base + "/api-docs"
    assert error.value.problems == [
        f"{base}/a#/apis/0/operations/0/method: unknown HTTP method \"FETCH\"",
        f"{base}/a#/apis/0/operations/0/parameters/0/paramType: unknown paramType \"cookie\" (expected path, query, body, header or form)",
        f"{base}/b#/apis/0/path: expected string, got a number",
        f"{base}/b#/models/M/properties/x/required: expected true or false, got \"maybe\"",
    ]


def test_declarations_are_fetched_concurrently():
    count, delay = 10, 0.3
    listing = {"swaggerVersion": "1.2", "apis": [{"path": f"/r{i}"} for i in range(count)]}
    routes = {"/api-docs": Route.json(listing)}
    routes.update({f"/api-docs/r{i}": Route.json(declaration(f"/r{i}", f"op{i}"), delay=delay) for i in range(count)})
    with scripted_server(routes) as server:
        started = time.monotonic()
        spec = load_spec(server.base + "/api-docs")
        elapsed = time.monotonic() - started
    assert len(spec.resources) == count
    assert elapsed < count * delay / 2, elapsed


def test_snapshot_round_trip(tmp_path):
    from sphinx_apidocs.spec.loader import build_spec
    from sphinx_apidocs.spec.snapshot import write_snapshot
    from sphinx_apidocs.spec.sources import load_documents

    with serving(str(SAMPLE)) as url:
        documents = load_documents(url, FetchOptions())
    names = write_snapshot(documents, str(tmp_path / "snap"))
    assert names[0] == "api-docs.json" and len(names) == len(documents.declarations) + 1
    live = build_spec(documents)
    offline = load_spec(str(tmp_path / "snap"))
    assert [r.resource_path for r in offline.resources] == [r.resource_path for r in live.resources]
    assert [r.digest for r in offline.resources] == [r.digest for r in live.resources]
    assert offline.operations_by_nickname() == live.operations_by_nickname()


def test_folder_and_listing_file_give_the_same_spec(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "specs")
    from_folder = load_spec(str(tmp_path / "specs"))
    from_listing = load_spec(str(tmp_path / "specs" / "api-docs.json"))
    assert from_folder.operations_by_nickname() == from_listing.operations_by_nickname()
    assert [r.resource_path for r in from_folder.resources] == [r.resource_path for r in from_listing.resources]
