"""``routes_source``: ``ROUTES``/``HEADERS`` of the generated module, literals only, and a
generated module driving the middleware with nothing but the standard library."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from sphinx_apidocs.filters import load_filter_trees, module_source
from sphinx_apidocs.middleware import RouteTable, WSGIMiddleware, routes_source
from sphinx_apidocs.spec.model import ApiPath, ApiSpec, Operation, Resource

from test_middleware import DatedOperation, call_wsgi, dated_spec, expected, path_of
from test_middleware_support import SAMPLE_FILTERS, SAMPLE_SPECS, SPEC, FakeService, fetch, wsgi_server

HOSTILE = [
    '"); import os #',
    "'); __import__('os').system('echo pwned') #",
    'a\\"b\\\\c',
    "line\nbreak\r\n# comment",
    "\u00e9t\u00e9 \u2028 \u0000 \udcff",
    "{x}'''\"\"\"",
    "\\N{BULLET}",
]


def hostile_spec() -> ApiSpec:
    ops = []
    for index, text in enumerate(HOSTILE):
        ops.append(Operation(method="GET", path=f"/h{index}/{text.replace('/', '')}/{{id}}", nickname=text))
    ops.append(DatedOperation(method=HOSTILE[0], path="/dated", nickname=HOSTILE[3], deprecated_at="2026-05-01", sunset="2026-11-01"))
    resource = Resource(resource_path="/h", base_path="https://api.example.com/'\"v2", apis=(ApiPath(path="/h", operations=tuple(ops)),))
    return ApiSpec(swagger_version="1.2", resources=(resource,))


def literal_module(source: str) -> dict[str, Any]:
    """The assignments of ``source``, each proven a pure literal (``ast.literal_eval``)."""
    tree = ast.parse(source)
    values: dict[str, Any] = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)[:200]
        target = node.targets[0]
        assert isinstance(target, ast.Name)
        values[target.id] = ast.literal_eval(node.value)
    return values


def test_hostile_names_are_only_literals() -> None:
    spec = hostile_spec()
    source = routes_source(spec)
    assert source.isascii()
    for text in HOSTILE:
        for line in source.splitlines():
            if line.startswith("#"):
                assert text not in line
    values = literal_module(source)
    assert set(values) == {"ROUTES", "HEADERS"}
    table = RouteTable.from_spec(spec)
    assert values["ROUTES"] == tuple((r.method, r.segments, r.nickname) for r in table.routes)
    assert [r[2] for r in values["ROUTES"]] == [*HOSTILE, HOSTILE[3]]
    assert values["HEADERS"] == {HOSTILE[3]: {"Deprecation": "@1777593600", "Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}}
    namespace: dict[str, Any] = {}
    exec(compile(source, "<routes>", "exec"), namespace)  # noqa: S102 - the point of the test
    assert namespace["ROUTES"] == values["ROUTES"]
    # the literal table drives a RouteTable to the same routes
    rebuilt = RouteTable(namespace["ROUTES"], namespace["HEADERS"])
    assert rebuilt.routes == table.routes and rebuilt.headers == table.headers
    assert rebuilt.match("GET", f"/'\"v2/h0/{HOSTILE[0]}/7")
    assert rebuilt.match("GET", "/'\"v2/h0/x/7") is None


def test_exact_str_only() -> None:
    class Sneaky(str):
        def __repr__(self) -> str:
            return "__import__('os')"

    op = Operation(method="GET", path="/a", nickname=Sneaky("nick"))
    spec = ApiSpec(swagger_version="1.2", resources=(Resource(resource_path="/a", apis=(ApiPath(path="/a", operations=(op,)),)),))
    source = routes_source(spec)
    assert "__import__" not in source
    assert literal_module(source)["ROUTES"] == (("GET", ("a",), "nick"),)


def test_the_sample_routes_and_deterministic_text() -> None:
    source = routes_source(SPEC)
    assert source == routes_source(SPEC)
    values = literal_module(source)
    assert ("GET", ("v2", "users", "{uid}"), "get-user") in values["ROUTES"]
    assert values["HEADERS"] == {}
    dated = literal_module(routes_source(dated_spec(SPEC, {"get-user": ("2026-05-01", None)})))
    assert dated["HEADERS"] == {"get-user": {"Deprecation": "@1777593600"}}


def generated(spec: ApiSpec = SPEC) -> str:
    trees = {nickname: loaded.tree for nickname, loaded in load_filter_trees(SAMPLE_FILTERS).items()}
    return module_source(trees, sources=[SAMPLE_FILTERS], command="sphinx-apidocs compile output_filters --spec sample_specs") + routes_source(spec)


def test_a_generated_module_needs_only_the_standard_library(tmp_path: Any) -> None:
    path = tmp_path / "response_filters.py"
    path.write_text(generated(), encoding="ascii")
    code = (
        "import runpy, sys\n"
        f"ns = runpy.run_path({str(path)!r})\n"
        "ours = sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx_apidocs', 'yaml', 'sphinx', 'docutils'))\n"
        "print(len(ns['ROUTES']), len(ns['FILTERS']), ours)\n"
    )
    # -I -S: no site-packages at all, so only the standard library can be imported
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    routes, filters, ours = out.stdout.split(" ", 2)
    assert int(routes) == len(RouteTable.from_spec(SPEC)) and int(filters) > 20 and ours.strip() == "[]"


def test_a_generated_module_drives_the_middleware_over_http() -> None:
    spec = dated_spec(SPEC, {"get-user": ("2026-05-01", "2026-11-01")})
    module: dict[str, Any] = {}
    exec(compile(generated(spec), "response_filters.py", "exec"), module)  # noqa: S102
    service = FakeService(spec)
    app = WSGIMiddleware(service.wsgi, routes=module["ROUTES"], headers=module["HEADERS"], filters=module["FILTERS"])
    with wsgi_server(app) as base:
        for nickname in ("get-user", "list-contracts", "list-user-portfolio"):
            reply = fetch(base, "GET", path_of(nickname))
            assert reply.status == 200 and reply.json() == expected(service, nickname)
        reply = fetch(base, "GET", path_of("get-user"))
        assert (reply.header("Deprecation"), reply.header("Sunset")) == ("@1777593600", "Sun, 01 Nov 2026 00:00:00 GMT")
        # FILTERS is a plain dict: no field selection (documented), said plainly
        refused = fetch(base, "GET", path_of("get-user") + "?fields=uid")
        assert (refused.status, refused.json()["error"]) == (400, "fields_unsupported")
        assert fetch(base, "DELETE", path_of("close-job")).json() == {"error": "unfiltered_operation"}


def test_a_generated_module_with_a_select_gets_field_selection() -> None:
    """A mapping with a ``select(nickname, fields)`` attribute (as ``CompiledFilters``) is used."""
    from sphinx_apidocs.filters import load_filters

    compiled = load_filters(SAMPLE_FILTERS)
    module: dict[str, Any] = {}
    exec(compile(generated(), "response_filters.py", "exec"), module)  # noqa: S102

    class WithSelect(dict[str, Any]):
        select = staticmethod(compiled.select)

    service = FakeService()
    app = WSGIMiddleware(service.wsgi, routes=module["ROUTES"], filters=WithSelect(module["FILTERS"]))
    status, _, body = call_wsgi(app, "GET", path_of("get-user"), "fields=uid")
    assert status == "200 OK" and json.loads(body) == {"uid": expected(service, "get-user")["uid"]}


def test_compile_with_a_spec_writes_a_module_the_middleware_runs_with_alone(tmp_path, capsys):
    """``compile FILTERS --spec SOURCE``: FILTERS, ROUTES and HEADERS in one stdlib-only module;
    ``--check`` knows it is up to date; the dates of a deprecated operation become its headers."""
    import importlib.util
    import json
    import shutil

    from sphinx_apidocs.cli import main

    specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, specs)
    users = specs / "users.json"
    data = json.loads(users.read_text())
    for api in data["apis"]:
        for op in api["operations"]:
            if op["nickname"] == "list-user-portfolio":
                op.update(deprecated="true", deprecatedAt="2026-10-01", sunset="2027-04-01")
    users.write_text(json.dumps(data))
    module = tmp_path / "service_filters.py"
    argv = ["compile", str(SAMPLE_FILTERS), "-o", str(module), "--spec", str(specs)]
    assert main(argv) == 0
    assert main([*argv, "--check"]) == 0
    capsys.readouterr()
    spec = importlib.util.spec_from_file_location("service_filters", module)
    assert spec is not None and spec.loader is not None
    generated = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generated)
    assert generated.HEADERS["list-user-portfolio"] == {"Deprecation": "@1790812800", "Sunset": "Thu, 01 Apr 2027 00:00:00 GMT"}
    assert any(nickname == "get-user" for _method, _segments, nickname in generated.ROUTES)
    assert "import sphinx_apidocs" not in module.read_text()
