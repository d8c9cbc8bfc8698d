"""Hostile specs cost bounded time and give a model or one located error; ``serve`` answers
every request path with a status and one log line.

Spec side: 1.x type names are scanned in linear time (the former whole-name patterns
backtracked cubically), types and documents nested too deeply are one ``document#/pointer``
error (never a ``RecursionError``), repeated nicknames are renamed in linear time.
Serve side: ``%00``, ``..``, over-long paths, bad percent-encoding, raw non-UTF-8 bytes,
``HEAD``, symbolic links out of the folder, hidden files and a busy port.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.cli import main
from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec.common import unique_nicknames
from sphinx_apidocs.spec.fetch import Document
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import MAX_TYPE_DEPTH, ApiPath, Operation, Resource, TypeRef
from sphinx_apidocs.spec.openapi.normalize import build_openapi_spec
from sphinx_apidocs.spec.serve import serving
from sphinx_apidocs.spec.sources import Declared, DocumentSet
from sphinx_apidocs.spec.swagger1.normalize import PRIMITIVES, DeclarationReader, TypeTooDeep, parse_type_name
from sphinx_apidocs.spec.validate import MAX_JSON_DEPTH

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_specs"

# -- the former type-name parser: the oracle of the equivalence property ---------------------

_OLD_CONTAINER = re.compile(r"^\s*(?:List|Array|Set)\s*\[\s*(.*?)\s*\]\s*$|^\s*\[\s*(.*?)\s*\]\s*$", re.I)
_OLD_MAP = re.compile(r"^\s*Map\s*\[.*\]\s*$", re.I)


def old_parse_type_name(name: str | None, fmt: str | None = None) -> TypeRef:
    """``parse_type_name`` as it was (recursive, backtracking patterns)."""
    if not name:
        return TypeRef(format=fmt or None)
    container = _OLD_CONTAINER.match(name)
    if container:
        inner = container.group(1) if container.group(1) is not None else container.group(2)
        return TypeRef(type="array", items=old_parse_type_name(inner))
    if _OLD_MAP.match(name):
        return TypeRef(type="object", format=fmt or None)
    primitive = PRIMITIVES.get(name.lower())
    if primitive:
        return TypeRef(type=primitive[0], format=fmt or primitive[1])
    return TypeRef(ref=name)


_SPACE = st.sampled_from(["", " ", "  ", "\t", "\n", "\r", "\u2028", "\x1c", "\xa0", "\u3000"])
_WORD = st.sampled_from(["List", "list", "LIST", "Array", "array", "Set", "set", "Map", "map", "ſet", "lıst"])
_LEAF = st.sampled_from(["", "int", "Integer", "string", "long", "Pet", "date-time", "x y", "k,v", "]", "[", "a\nb"])


@st.composite
def type_names(draw: st.DrawFn, depth: int = 0) -> str:
    """Names users write (``List[X]``, ``[X]``, ``Map[K,V]``, nested, spaced, any case),
    with a sprinkle of the malformed (stray brackets, line breaks, trailing text)."""
    kind = draw(st.integers(0, 5)) if depth < 6 else 0
    if kind == 0:
        return draw(_SPACE) + draw(_LEAF) + draw(_SPACE)
    inner = draw(type_names(depth + 1))
    if kind == 1:
        opening = draw(_WORD) + draw(_SPACE) + "["
    elif kind == 2:
        opening = "["
    elif kind == 3:
        opening = "Map" + draw(_SPACE) + "[" + draw(_LEAF) + ","
    else:
        opening = draw(_WORD) + "["
    closing = draw(st.sampled_from(["]", "]", "] ", "]\n", "", "]x", "]]"]))
    return draw(_SPACE) + opening + draw(_SPACE) + inner + draw(_SPACE) + closing + draw(_SPACE)


@given(type_names(), st.sampled_from([None, "int64", "date"]))
def test_type_name_scanner_agrees_with_the_former_patterns(name: str, fmt: str | None) -> None:
    assert parse_type_name(name, fmt) == old_parse_type_name(name, fmt)


@given(st.text(alphabet="[]LlIiSsTtAaRrYyMmPp ,\n\t\u2028xX", max_size=40))
def test_type_name_scanner_agrees_on_any_short_text(name: str) -> None:
    expected = old_parse_type_name(name)
    if expected.depth() > MAX_TYPE_DEPTH:
        return
    assert parse_type_name(name) == expected


_ADVERSARIAL = {
    "bracket-spaces": "[" + " " * 50_000 + "x",
    "list-spaces": "List[" + " " * 50_000 + "x",
    "list-spaces-brackets": "List[" + " ]" * 25_000 + "x",
    "map-brackets": "Map[" + "] " * 25_000 + "x",
    "open-brackets": "[" * 50_000,
    "open-lists": "List[" * 10_000,
    "spaces-then-bracket": " " * 50_000 + "]",
    "nested-unclosed": "[ " * 25_000 + "]",
    "mixed": "Array [ \t" * 5_000 + "Pet" + " ] " * 5_000 + "!",
}


@pytest.mark.parametrize("name", list(_ADVERSARIAL), ids=list(_ADVERSARIAL))
def test_adversarial_type_names_take_linear_time(name: str) -> None:
    text = _ADVERSARIAL[name]
    started = time.perf_counter()
    try:
        parse_type_name(text)
    except TypeTooDeep:
        pass
    assert time.perf_counter() - started < 1.0


def _declaration(type_name: Any = "void", **operation: Any) -> dict[str, Any]:
    return {
        "swaggerVersion": "1.2",
        "basePath": "https://x.example",
        "resourcePath": "/a",
        "apis": [{"path": "/a", "operations": [{"method": "GET", "nickname": "op", "type": type_name, "parameters": [], **operation}]}],
    }


def _write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(data))
    return folder / name


def test_a_50kb_type_name_validates_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "a.json", _declaration("List[" + " ]" * 25_000 + "x"))
    started = time.perf_counter()
    assert main(["validate", str(path)]) == 0
    assert time.perf_counter() - started < 5
    assert "1 resources, 1 operations" in capsys.readouterr().out


def _nested_items(levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    schema = leaf
    for _ in range(levels):
        schema = {"type": "array", "items": schema}
    return schema


def _openapi(schema: Any, components: dict[str, Any] | None = None, version: str = "3.0.3") -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    data: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "x", "responses": {"200": {"description": "ok", "content": content}}}}},
    }
    if components:
        data["components"] = {"schemas": components}
    return data


def _chain(count: int) -> dict[str, Any]:
    schemas = {f"S{i}": {"allOf": [{"$ref": f"#/components/schemas/S{i + 1}"}], "properties": {f"p{i}": {"type": "string"}}} for i in range(count)}
    schemas[f"S{count}"] = {"type": "object", "properties": {"z": {"type": "string"}}}
    return schemas


def _type_array_nesting(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": ["array", "null"], "items": schema}
    return schema


_POINTER_1X = "#/apis/0/operations/0"
_RESPONSE = "#/paths/~1a/get/responses/200/content/application~1json/schema"
TOO_DEEP: dict[str, tuple[str, Any, str]] = {
    # name: (file name, document, the start of the one error line after "error: FILE")
    "List[...] x1000": ("a.json", _declaration("List[" * 1000 + "X" + "]" * 1000), f"{_POINTER_1X}/type: type nested too deeply"),
    "Array[...] x1000": ("a.json", _declaration("Array[" * 1000 + "X" + "]" * 1000), f"{_POINTER_1X}/type: type nested too deeply"),
    "[[...]] x1000": ("a.json", _declaration("[" * 1000 + "X" + "]" * 1000), f"{_POINTER_1X}/type: type nested too deeply"),
    "Set[ ... ] x5000": ("a.json", _declaration("Set [ " * 5000 + "X" + " ]" * 5000), f"{_POINTER_1X}/type: type nested too deeply"),
    "parameter type": ("a.json", _declaration(parameters=[{"name": "p", "paramType": "body", "type": "[" * 60 + "X" + "]" * 60}]),
                       f"{_POINTER_1X}/parameters/0/type: type nested too deeply"),
    "model property": ("a.json", {**_declaration(), "models": {"M": {"id": "M", "properties": {"p": {"type": "List[" * 60 + "X" + "]" * 60}}}}},
                       "#/models/M/properties/p/type: type nested too deeply"),
    "1.x items x60": ("a.json", _declaration("array", items=_nested_items(59, {"type": "X"})),
                      f"{_POINTER_1X}" + "/items" * 50 + ": type nested too deeply"),
    "1.x items x900": ("a.json", _declaration("array", items=_nested_items(900, {"type": "X"})), "#/apis/0/operations/0/items"),
    "openapi items x60": ("openapi.json", _openapi(_nested_items(60, {"type": "string"})), _RESPONSE),
    "openapi items x900": ("openapi.json", _openapi(_nested_items(900, {"type": "string"})), _RESPONSE),
    "3.1 type arrays x60": ("openapi.json", _openapi(_type_array_nesting(60), version="3.1.0"), _RESPONSE),
    "allOf inline x300": ("openapi.json", _openapi(json.loads('{"allOf":[' * 300 + '{"type":"object","properties":{"a":{}}}' + "]}" * 300)), _RESPONSE),
    "allOf $ref chain x1000": ("openapi.json", _openapi({"$ref": "#/components/schemas/S0"}, _chain(1000)), "#/components/schemas/S"),
}


@pytest.mark.parametrize("case", list(TOO_DEEP), ids=list(TOO_DEEP))
def test_nesting_too_deep_is_one_located_error(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, document, expected = TOO_DEEP[case]
    path = _write(tmp_path, name, document)
    started = time.perf_counter()
    status = main(["validate", str(path)])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {path}{expected}"), lines[0]
    assert "nested" in lines[0] and "deep" in lines[0] and "Traceback" not in err
    assert elapsed < 5


def test_nesting_just_below_the_limits_gives_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deepest = "List[" * (MAX_TYPE_DEPTH - 1) + "Pet" + "]" * (MAX_TYPE_DEPTH - 1)
    path = _write(tmp_path / "one", "a.json", _declaration(deepest))
    assert main(["validate", str(path)]) == 0
    spec = build_spec(_document_set(path))
    assert next(spec.operations).response_type.depth() == MAX_TYPE_DEPTH
    assert next(spec.operations).response_type.model_name() == "Pet"
    path = _write(tmp_path / "two", "openapi.json", _openapi(_nested_items(40, {"type": "string"})))
    assert main(["validate", str(path)]) == 0
    path = _write(tmp_path / "three", "openapi.json", _openapi({"$ref": "#/components/schemas/S0"}, _chain(20)))
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()


def _document_set(path: Path) -> DocumentSet:
    raw = path.read_bytes()
    document = Document(location=str(path), raw=raw, data=json.loads(raw))
    return DocumentSet(str(path), None, (Declared(document, "/a", "", "a.json"),))


def test_a_deep_default_value_is_refused_before_anything_recurses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not only types: any value nested deeper than MAX_JSON_DEPTH (a parameter default)."""
    default: Any = 1
    for _ in range(MAX_JSON_DEPTH + 50):
        default = [default]
    path = _write(tmp_path, "a.json", _declaration(parameters=[{"name": "p", "paramType": "query", "type": "string", "defaultValue": default}]))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}#/apis/0/operations/0/parameters/0/defaultValue/0/0/")
    assert re.search(r": nested .*deep.*\n$", err) and err.count("\n") == 1
    # the same document given in memory (no file read before): the loader's own check
    data = json.loads(path.read_text())
    document = Document(location="mem.json", raw=b"{}", data=data)
    with pytest.raises(SpecError) as error:
        build_spec(DocumentSet("mem.json", None, (Declared(document, "/a", "", "a.json"),)))
    assert str(error.value).startswith("mem.json#/apis/0/operations/0/parameters/0/defaultValue/0/0/")
    assert str(error.value).endswith(f": nested too deeply (more than {MAX_JSON_DEPTH} levels)")


# -- repeated nicknames: linear renaming -----------------------------------------------------


def _repeated(count: int) -> list[Resource]:
    ops = tuple(Operation(method="GET", path=f"/p{i}", nickname="same") for i in range(count))
    return [Resource(resource_path="/r", apis=tuple(ApiPath(path=op.path, operations=(op,)) for op in ops), source="r.json")]


def _cpu_seconds(count: int) -> float:
    """CPU seconds (of this process: other load on the machine does not count) to rename
    ``count`` repeated nicknames, best of three."""
    resources = _repeated(count)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        unique_nicknames(resources)
        best = min(best, time.process_time() - started)
    return best


def test_fifty_thousand_repeated_nicknames_are_renamed_in_linear_time() -> None:
    # Ten times the names must cost about ten times as much (quadratic: a hundred times).
    small, large = _cpu_seconds(5_000), _cpu_seconds(50_000)
    assert large < 30 * max(small, 1e-3), (small, large)
    resources = _repeated(50_000)
    renamed, warnings = unique_nicknames(resources)
    nicknames = [op.nickname for op in renamed[0].operations]
    assert nicknames[:3] == ["same", "same-2", "same-3"] and nicknames[-1] == "same-50000"
    assert len(set(nicknames)) == 50_000 and len(warnings) == 49_999
    assert warnings[1] == "r.json (GET /p2): nickname 'same' is also used by r.json (GET /p0); this operation is documented as 'same-3'"


def test_renaming_skips_names_already_taken() -> None:
    ops = [Operation(method="GET", path=f"/p{i}", nickname=n) for i, n in enumerate(["a", "a-2", "a", "a", "a-3-2", "a-3"])]
    resources = [Resource(resource_path="/r", apis=(ApiPath(path="/p", operations=tuple(ops)),), source="r.json")]
    renamed, _ = unique_nicknames(resources)
    assert [op.nickname for op in renamed[0].operations] == ["a", "a-2", "a-4", "a-5", "a-3-2", "a-3"]


def old_unique_nicknames(resources: list[Resource]) -> tuple[list[Resource], list[str]]:
    """The former renaming (quadratic: each repeat rescanned every suffix): the oracle."""
    seen: dict[str, str] = {}
    taken = {op.nickname for resource in resources for op in resource.operations}
    warnings: list[str] = []
    result: list[Resource] = []
    for resource in resources:
        apis = []
        for api in resource.apis:
            operations = []
            for op in api.operations:
                where = f"{resource.source} ({op.method} {op.path})"
                if op.nickname in seen:
                    counter = 2
                    while f"{op.nickname}-{counter}" in taken:
                        counter += 1
                    new = f"{op.nickname}-{counter}"
                    taken.add(new)
                    warnings.append(
                        f"{where}: nickname {op.nickname!r} is also used by {seen[op.nickname]}; "
                        f"this operation is documented as {new!r}"
                    )
                    op = dataclasses.replace(op, nickname=new)
                seen[op.nickname] = where
                operations.append(op)
            apis.append(dataclasses.replace(api, operations=tuple(operations)))
        result.append(dataclasses.replace(resource, apis=tuple(apis)))
    return result, warnings


_NICKNAMES = st.sampled_from(["a", "a-2", "a-3", "a-2-2", "b", "b-2", "a-4"])


@given(st.lists(st.lists(_NICKNAMES, max_size=8), min_size=1, max_size=4))
def test_linear_renaming_agrees_with_the_former_one(groups: list[list[str]]) -> None:
    resources = [
        Resource(resource_path=f"/r{r}", source=f"r{r}.json",
                 apis=tuple(ApiPath(path=f"/p{i}", operations=(Operation(method="GET", path=f"/p{i}", nickname=n),)) for i, n in enumerate(names)))
        for r, names in enumerate(groups)
    ]
    assert unique_nicknames(resources) == old_unique_nicknames(resources)


def test_repeated_operation_ids_of_a_large_openapi_spec_load_in_linear_time() -> None:
    count = 20_000
    paths = {f"/p{i}": {"get": {"operationId": "same", "responses": {"200": {"description": "ok"}}}} for i in range(count)}
    data = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    document = Document(location="big.json", raw=b"{}", data=data)
    started = time.perf_counter()
    spec = build_openapi_spec(document, [], "big.json")
    assert time.perf_counter() - started < 30  # schema validation dominates; quadratic renaming took minutes
    assert [op.nickname for op in spec.operations][-1] == f"same-{count}"
    assert len([w for w in spec.warnings if "is also used by" in w]) == count - 1


def test_repeated_nicknames_of_a_large_1x_declaration_load_in_linear_time() -> None:
    """Needs the loader's pass to be ``normalize.unique_nicknames`` (was quadratic: minutes)."""
    count = 20_000
    data = {
        "swaggerVersion": "1.2",
        "basePath": "https://x.example",
        "resourcePath": "/a",
        "apis": [{"path": f"/a{i}", "operations": [{"method": "GET", "nickname": "same", "type": "void", "parameters": []}]} for i in range(count)],
    }
    document = Document(location="a.json", raw=b"{}", data=data)
    started = time.perf_counter()
    spec = build_spec(DocumentSet("a.json", None, (Declared(document, "/a", "", "a.json"),)))
    assert time.perf_counter() - started < 30
    assert [op.nickname for op in spec.operations][-1] == f"same-{count}"


def test_many_tags_and_version_segments_stay_linear() -> None:
    count = 20_000
    tags = [{"name": f"t{i}"} for i in range(count)]
    paths = {f"/p{i}": {"get": {"operationId": f"o{i}", "tags": [f"t{i}"], "responses": {"200": {"description": "ok"}}}} for i in range(count)}
    paths["/" + "v1/" * 50_000 + "x"] = {"get": {"operationId": "deep", "responses": {"200": {"description": "ok"}}}}
    data = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "tags": tags, "paths": paths}
    started = time.perf_counter()
    spec = build_openapi_spec(Document(location="t.json", raw=b"{}", data=data), [], "t.json")
    assert time.perf_counter() - started < 30
    assert spec.operation("deep").resource_path == "/x"
    assert len(spec.resources) == count + 1


def test_a_model_with_a_long_required_list_stays_linear() -> None:
    count = 20_000
    body = {"id": "M", "required": [f"p{i}" for i in range(count)], "properties": {f"p{i}": {"type": "string"} for i in range(count)}}
    started = time.perf_counter()
    models = DeclarationReader("m.json").models({"M": body})
    assert time.perf_counter() - started < 2
    assert all(p.required for p in models["M"].properties)
    schema = {"type": "object", "required": [f"p{i}" for i in range(count)], "properties": {f"p{i}": {"type": "string"} for i in range(count)}}
    data = _openapi({"allOf": [schema, {"required": ["p0"]}]})
    started = time.perf_counter()
    spec = build_openapi_spec(Document(location="r.json", raw=b"{}", data=data), [], "r.json")
    assert time.perf_counter() - started < 10
    assert len(spec.models()["x.response"].required) == count


# -- serve: every request gets an answer and one log line ------------------------------------


def _spec_folder(root: Path) -> Path:
    folder = root / "specs"
    folder.mkdir()
    (folder / "api-docs.json").write_text('{"swaggerVersion": "1.2", "apis": []}')
    (folder / "pets.json").write_text('{"ok": true}')
    (folder / ".env").write_text("TOKEN=secret")
    (root / "secret.json").write_text('{"secret": true}')
    return folder


def _link_out(folder: Path) -> None:
    """Links out of the folder, made once the server runs (a folder scan refuses them)."""
    (folder / "link.json").symlink_to(folder.parent / "secret.json")
    (folder / "linked").symlink_to(folder.parent)


def _status(url: str, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _raw_request(port: int, target: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.0\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_serve_answers_hostile_paths_without_tracebacks(tmp_path: Path) -> None:
    folder = _spec_folder(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "sphinx_apidocs", "serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:(\d+))/api-docs", line)
        assert match, line
        base, port = match.group(1), int(match.group(2))
        _link_out(folder)
        cases = {
            "/api-docs/%00": 400,
            "/api-docs/pets.json%00.txt": 400,
            "/api-docs/%0a": 400,
            "/api-docs/../secret.json": 404,
            "/api-docs/%2e%2e/secret": 404,
            "/..%2fsecret.json": 404,
            "/api-docs/%ff%fe": 400,
            "/api-docs/%c3%28": 400,
            "/api-docs/%zz": 404,
            "/api-docs/%": 404,
            "/api-docs/" + "a" * 5000: 414,
            "/api-docs/" + "%41" * 5000: 414,
            "/api-docs/" + "%41" * 3000: 404,
            "/api-docs/link.json": 404,
            "/api-docs/linked/secret.json": 404,
            "/linked/secret": 404,
            "/api-docs/.env": 404,
            "/.env": 404,
            "/api-docs/pets": 200,
            "/pets.json?x=%00": 200,
        }
        for path, expected in cases.items():
            assert _status(base + path)[0] == expected, path[:80]
        status, body = _status(base + "/api-docs", "HEAD")
        assert (status, body) == (200, b"")
        assert _status(base + "/api-docs/%00", "HEAD") == (400, b"")
        assert _status(base + "/api-docs", "POST")[0] == 501
        assert _raw_request(port, b"/api-docs/\xff\xfe").startswith(b"HTTP/1.0 400 ")
        assert _raw_request(port, b"/api-docs/caf\xc3\xa9").startswith(b"HTTP/1.0 404 ")
        assert _status(base + "/api-docs")[0] == 200  # still serving
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "Traceback" not in err
    requests = len(cases) + 6
    log = [line for line in err.splitlines() if line.strip()]
    assert len(log) == requests, err  # one line per request, errors included
    assert all(re.search(r'" (200|400|404|414|501) -$', line) for line in log), err


def test_serve_on_a_busy_port_is_one_line_naming_host_and_port(tmp_path: Path) -> None:
    folder = _spec_folder(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "sphinx_apidocs", "serve", str(folder), "--port", str(port)],
            capture_output=True, text=True, timeout=30, cwd=ROOT,
        )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"error: 127.0.0.1:{port}: cannot listen: Address already in use\n"
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["--port", "70000"], 2, "argument --port: invalid port '70000': expected a number from 0 to 65535"),
        (["--port", "x"], 2, "argument --port: invalid port 'x': expected a number from 0 to 65535"),
        (["--host", "no.such.host.invalid", "--port", "0"], 1, "error: no.such.host.invalid:0: cannot listen: "),
    ],
)
def test_serve_bad_addresses(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str) -> None:
    folder = _spec_folder(tmp_path)
    with pytest.raises(SystemExit) if status == 2 else contextlib.nullcontext():
        assert main(["serve", str(folder), *argv]) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_serve_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "nowhere"), "--port", "0"]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nowhere'}: no such folder\n"


def test_serving_still_finds_files_and_listing(tmp_path: Path) -> None:
    folder = _spec_folder(tmp_path)
    with serving(str(folder)) as url:
        _link_out(folder)
        assert json.loads(_status(url)[1]) == {"swaggerVersion": "1.2", "apis": []}
        assert json.loads(_status(url + "/pets")[1]) == {"ok": True}
        assert _status(url + "/link.json")[0] == 404


def test_serve_does_not_pick_a_listing_outside_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "outside.json").write_text('{"swaggerVersion": "1.2", "apis": []}')
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "api-docs.json").symlink_to(tmp_path / "outside.json")
    assert main(["serve", str(folder), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {folder}") and err.count("\n") == 1 and "Traceback" not in err


def test_no_recursion_error_anywhere_for_a_deep_union(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(80):
        schema = {"oneOf": [schema, {"type": "integer"}]}
    path = _write(tmp_path, "openapi.json", _openapi(schema))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}{_RESPONSE}") and re.search("nested .*deep", err) and err.count("\n") == 1

