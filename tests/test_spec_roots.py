"""Multi-file specs: relative ``$ref``\\ s anywhere inside the spec root, a budget instead of a
fixed cap, missing files reported as missing, vendor extensions opaque, progress.

The security intent of the former "same folder" rule stays: outside the root, ``file:``,
URL -> disk and symbolic links out of the root are refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

import pytest

from cli_helpers import one_error, run_cli
from httpserver import Route, scripted_server
from sphinx_apidocs.errors import ConfigError, FetchError, SpecError
from sphinx_apidocs.spec.fetch import Document, FetchOptions
from sphinx_apidocs.spec.loader import build_spec, load_spec
from sphinx_apidocs.spec.refs import find_spec_root, iter_refs
from sphinx_apidocs.spec.snapshot import reading, write_snapshot
from sphinx_apidocs.spec.sources import load_documents
from sphinx_projects.buildtools import build, sphinx_build


def _root(paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "Multi", "version": "1"}, "paths": paths}


def _op(ref: str, **extra: Any) -> dict[str, Any]:
    return {"get": {"operationId": "get-thing", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}}, **extra}}


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def _separate_layout(project: Path, marker: str | None = ".git") -> Path:
    """petstore-separate style: spec/v1/openapi.json -> ../common/Error.json."""
    if marker:
        (project / marker).mkdir(parents=True) if marker.startswith(".") else _write(project / marker, {})
    _write(project / "spec" / "common" / "Error.json", {"Error": {"type": "object", "properties": {"code": {"type": "integer"}}}})
    return _write(project / "spec" / "v1" / "openapi.json", _root({"/things": _op("../common/Error.json#/Error")}))


@pytest.mark.parametrize("marker", [".git", ".hg", "pyproject.toml", "setup.cfg"])
def test_parent_folder_refs_load_inside_a_project_root(tmp_path: Path, marker: str) -> None:
    spec_file = _separate_layout(tmp_path / "project", marker)
    assert find_spec_root(str(spec_file)) == os.path.realpath(tmp_path / "project")
    spec = load_spec(str(spec_file))
    assert [op.nickname for op in spec.operations] == ["get-thing"]


def test_without_a_project_root_the_spec_folder_is_the_root(tmp_path: Path) -> None:
    spec_file = _separate_layout(tmp_path / "loose", marker=None)
    with pytest.raises(SpecError) as caught:
        load_spec(str(spec_file))
    assert str(caught.value) == (
        f"{spec_file}#/paths/~1things/get/responses/200/content/application~1json/schema/$ref: "
        f"reference '../common/Error.json#/Error' leaves the spec's folder {spec_file.parent}; refused"
    )


def test_an_explicit_root_opens_and_closes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = _separate_layout(tmp_path / "loose", marker=None)
    assert load_spec(str(spec_file), options=FetchOptions(spec_root=str(tmp_path / "loose")))
    code, out, err, _ = run_cli(["validate", str(spec_file), "--root", str(tmp_path / "loose")], capsys)
    assert code == 0 and "valid OpenAPI" in out, err
    code, _, err, _ = run_cli(["validate", str(spec_file), "--root", str(tmp_path / "loose" / "spec" / "common")], capsys)
    assert code == 1 and one_error(err) == f"spec root {tmp_path / 'loose' / 'spec' / 'common'}: does not hold the spec {spec_file}"
    code, _, err, _ = run_cli(["validate", str(spec_file), "--root", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and one_error(err) == f"spec root {tmp_path / 'nowhere'}: no such folder"


def test_outside_the_root_file_scheme_and_symlink_escapes_stay_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    _write(tmp_path / "secret.json", {"Leak": {"type": "string"}})
    (project / "spec").mkdir()
    (project / "spec" / "link.json").symlink_to(tmp_path / "secret.json")
    refs = {
        "/a": _op("../../secret.json#/Leak"),
        "/b": _op("file:///etc/passwd"),
        "/c": _op("/etc/passwd"),
        "/d": _op("link.json#/Leak"),
    }
    for index, (path, item) in enumerate(refs.items()):
        item["get"]["operationId"] = f"op{index}"
    spec_file = _write(project / "spec" / "openapi.json", _root(refs))
    with pytest.raises(SpecError) as caught:
        load_spec(str(spec_file))
    lines = caught.value.problems
    assert len(lines) == 4
    assert sum("leaves the spec's folder " + os.path.realpath(project) in line for line in lines) == 3
    assert any("unsupported reference scheme in 'file:///etc/passwd'" in line for line in lines)


def test_a_url_spec_never_reaches_the_disk_and_stays_on_its_base(tmp_path: Path) -> None:
    root = _root({"/a": _op("/etc/passwd"), "/b": {"get": {**_op("../other/x.json")["get"], "operationId": "b"}}})
    with scripted_server({"/specs/v1/openapi.json": Route.json(root)}) as server:
        with pytest.raises(SpecError) as caught:
            load_spec(f"{server.base}/specs/v1/openapi.json")
    assert len(caught.value.problems) == 2
    assert all(f"leaves the spec's URL base {server.base}/specs/v1/; refused" in line for line in caught.value.problems)


def test_url_specs_follow_relative_refs_on_their_base(tmp_path: Path) -> None:
    root = _root({"/a": _op("common/Error.json#/Error")})
    routes = {
        "/specs/openapi.json": Route.json(root),
        "/specs/common/Error.json": Route.json({"Error": {"type": "string"}}),
    }
    with scripted_server(routes) as server:
        spec = load_spec(f"{server.base}/specs/openapi.json")
        assert server.hits("/specs/common/Error.json") == 1
    assert [op.nickname for op in spec.operations] == ["get-thing"]


def _many(project: Path, count: int, size: int = 0) -> Path:
    """A root whose schema refers to ``count`` files in sibling folders (a large official layout)."""
    (project / ".git").mkdir(parents=True, exist_ok=True)
    properties = {}
    for i in range(count):
        _write(project / "models" / f"group{i % 25}" / f"M{i}.json", {"type": "string", "description": "x" * size})
        properties[f"p{i}"] = {"$ref": f"../models/group{i % 25}/M{i}.json"}
    schema = {"type": "object", "properties": properties}
    _write(project / "spec" / "All.json", schema)
    return _write(project / "spec" / "openapi.json", _root({"/all": _op("All.json")}))


def test_a_2500_file_layout_loads_within_the_default_budget(tmp_path: Path) -> None:
    seen: list[int] = []

    def progress(documents: Iterable[Document], count: int) -> Iterable[Document]:
        seen.append(count)
        return documents

    spec_file = _many(tmp_path / "big", 2500)
    documents = load_documents(str(spec_file), FetchOptions(progress=progress))
    assert len(documents.declarations) == 2502  # root, All.json, 2,500 models
    assert seen == [1, 2500]  # one batch per wave of references
    spec = build_spec(documents)
    assert [op.nickname for op in spec.operations] == ["get-thing"]


def test_over_the_budget_is_one_line_naming_the_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = _many(tmp_path / "big", 300, size=1000)
    with pytest.raises(FetchError) as caught:
        load_spec(str(spec_file), options=FetchOptions(max_documents=100))
    assert str(caught.value) == (
        f"{spec_file}: the spec has more than 100 documents (2 read, 300 more referenced); "
        "raise apidocs_max_documents / --max-documents"
    )
    code, _, err, _ = run_cli(["validate", str(spec_file), "--max-spec-bytes", "100000"], capsys)
    assert code == 1
    assert one_error(err).startswith(f"{spec_file}: the spec's documents exceed 100000 bytes in all (at ")
    assert one_error(err).endswith("raise apidocs_max_spec_bytes / --max-spec-bytes")
    code, out, _, _ = run_cli(["validate", str(spec_file), "--max-documents", "302"], capsys)
    assert code == 0 and "valid OpenAPI" in out


def test_missing_files_are_reported_as_missing_not_as_a_cap(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    properties = {f"p{i}": {"$ref": f"../models/M{i}.json"} for i in range(300)}
    _write(project / "spec" / "All.json", {"type": "object", "properties": properties})
    spec_file = _write(project / "spec" / "openapi.json", _root({"/all": _op("All.json")}))
    with pytest.raises(FetchError) as caught:
        load_spec(str(spec_file), options=FetchOptions(max_documents=200))
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"{project / 'spec' / 'All.json'}#/properties/p0/$ref: {project / 'models' / 'M0.json'}: "
        "cannot read: no such file (the $ref names a missing file)"
    )
    assert len(lines) == 51 and lines[-1] == "... and 250 more"


def test_refs_inside_vendor_extensions_are_never_followed(tmp_path: Path) -> None:
    op = _op("#/components/schemas/Thing", **{"x-ms-examples": {"ex": {"$ref": "./examples/missing.json"}}})
    op["get"]["x-code-samples"] = [{"$ref": "../../../etc/passwd"}]
    op["get"]["parameters"] = [{"name": "q", "in": "query", "schema": {"type": "string"},
                                "x-ms-parameter-grouping": {"$ref": "file:///etc/passwd"}}]
    root = _root({"/things": op, "x-paths-extension": {"$ref": "nowhere.json"}})
    root["components"] = {"schemas": {"Thing": {"type": "object", "properties": {
        # a *property* named x-rate is no extension: its $ref is followed
        "x-rate": {"$ref": "rate.json"}}}}, "x-vendor": {"$ref": "nowhere.json"}}
    _write(tmp_path / "rate.json", {"type": "integer"})
    spec_file = _write(tmp_path / "openapi.json", root)
    documents = load_documents(str(spec_file))
    assert [Path(d.document.location).name for d in documents.declarations] == ["openapi.json", "rate.json"]
    spec = build_spec(documents)
    assert [op.nickname for op in spec.operations] == ["get-thing"]
    assert [where for where, _ in iter_refs({"headers": {"x-request-id": {"$ref": "h.json"}}})] == [("headers", "x-request-id")]


def test_a_snapshot_keeps_the_layout_so_relative_refs_still_work(tmp_path: Path) -> None:
    spec_file = _separate_layout(tmp_path / "project")
    documents = load_documents(str(spec_file))
    names = write_snapshot(documents, str(tmp_path / "snap"))
    assert sorted(names) == ["common/Error.json", "v1/openapi.json"]
    with reading(str(tmp_path / "snap")) as folder:
        spec = build_spec(load_documents(folder))
    assert [op.nickname for op in spec.operations] == ["get-thing"]


def test_cli_progress_is_quiet_when_stderr_is_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = _many(tmp_path / "big", 120)
    code, out, err, _ = run_cli(["validate", str(spec_file)], capsys)
    assert code == 0 and err == "" and out.endswith("1 operations\n")


def test_cli_progress_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from sphinx_apidocs.cli import streams

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(streams.sys, "stderr", terminal)
    assert list(streams.progress_line(iter(range(60)), 60)) == list(range(60))
    assert "\rreading 60/60 spec documents" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[2K")


def test_sphinx_shows_progress_and_takes_the_budget_settings(tmp_path: Path) -> None:
    spec_file = _many(tmp_path / "project", 60)
    src = tmp_path / "project" / "docs"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['sphinx_apidocs']\n"
        f"apidocs_spec = {str(spec_file)!r}\n"
        "exclude_patterns = ['_build']\n"
    )
    (src / "index.rst").write_text("API\n===\n\n.. api:operation:: get-thing\n")
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    assert "apidocs: reading spec documents... [100%]" in result.status
    failed = sphinx_build(["-q", "-b", "html", "-D", "apidocs_max_documents=10", str(src), str(tmp_path / "out2")])
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert [line for line in failed.stderr.splitlines() if line.strip()] == [
        f"ERROR: cannot load the API spec: {spec_file}: the spec has more than 10 documents "
        "(2 read, 60 more referenced); raise apidocs_max_documents / --max-documents"
    ]
