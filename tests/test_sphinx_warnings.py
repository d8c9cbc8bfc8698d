"""Warnings: ``type="apidocs"`` with a subtype and a location each, and ``suppress_warnings``
silences exactly the suppressed subtype. Every subtype of :class:`Warn` is triggered here,
documented in ``docs/sphinx.rst``, and no other is emitted. A spec that cannot be loaded
stops the build with a one-line message (no traceback); a fetch failure with a snapshot falls
back with a warning."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from httpserver import Route, scripted_server, unused_port

from sphinx_apidocs.spec.serve import serving
from sphinx_apidocs.sphinxext.config import ApidocsConfig
from sphinx_apidocs.sphinxext.warnings import Warn
from sphinx_projects.buildtools import DOCS, SAMPLE_SPECS, build, copy_project, sphinx_build


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project("problems", tmp_path_factory.mktemp("problems"))


@pytest.fixture(scope="module")
def warnings(problems: Path) -> list[str]:
    return build(problems, problems.parent / "out-all").warning_lines()


@pytest.fixture(scope="module")
def offline(problems: Path) -> dict[str, Any]:
    """Config overrides reading the problems project from an endpoint that is down, with the
    last good copy (saved by a first build while it was up) in a snapshot: ``apidocs.fetch``
    on top of the rest."""
    declaration = (problems.parent / "specs" / "widgets.json").read_bytes()
    snapshot = {"apidocs_snapshot": "../snapshot"}
    with scripted_server({"/widgets.json": Route(body=declaration)}) as server:
        up = build(problems, problems.parent / "out-up", overrides={"apidocs_spec": f"{server.base}/widgets.json", **snapshot})
    assert not _with(up.warning_lines(), "fetch")
    return {"apidocs_spec": f"http://127.0.0.1:{unused_port()}/widgets.json", **snapshot}


@pytest.fixture(scope="module")
def every_warning(problems: Path, offline: dict[str, Any]) -> list[str]:
    return build(problems, problems.parent / "out-offline", overrides=offline).warning_lines()


def _with(lines: list[str], subtype: str) -> list[str]:
    return [line for line in lines if line.endswith(f"[apidocs.{subtype}]")]


def test_every_problem_is_reported_once_with_location(warnings: list[str], problems: Path) -> None:
    root = problems.parent
    filters = root / "filters"
    assert _with(warnings, "field") == [
        f"{filters}/widgets.yaml:4:1: WARNING: list-widgets: 'widgets.colour' is not in the response model "
        "WidgetList (no field 'colour') [apidocs.field]"
    ]
    coverage = _with(warnings, "coverage")
    assert coverage == [
        f"WARNING: {root}/specs/widgets.json#/apis/0/operations/1: operation 'create-widget' (POST /widgets) "
        "has no output filter, so its output fields are not documented [apidocs.coverage]",
        f"{filters}/widgets.yaml:7:1: WARNING: filter for 'retired-operation', which is not an operation of the API [apidocs.coverage]",
    ]
    assert _with(warnings, "filter") == [
        f"{filters}/broken.yaml:4:1: WARNING: invalid YAML: expected ',' or ']', but got '<stream end>' [apidocs.filter]"
    ]
    spec = _with(warnings, "spec")
    assert len(spec) == 2
    assert f"{root}/specs/widgets.json#/apis/1/operations/1/type: unknown model 'Gadget'" in spec[0]
    assert spec[1].startswith(f"{problems}/index.rst:6: WARNING: operation 'no-such-operation' is not in the API spec")
    assert _with(warnings, "duplicate") == [
        f"{problems}/index.rst:8: WARNING: duplicate description of API operation list-widgets, other instance in "
        "index; use :no-index: on one of them [apidocs.duplicate]"
    ]
    assert _with(warnings, "audience") == [
        "WARNING: operation 'delete-widget': 'partnr' is no audience of ['public', 'partner']: the item is shown to no one [apidocs.audience]"
    ]
    changelog = _with(warnings, "changelog")
    assert len(changelog) == 1
    assert changelog[0].startswith("WARNING: release '0.9' of apidocs_changelog cannot be loaded, left out: ")
    assert f"{root}/no-such-release" in changelog[0]
    # void delete-widget needs no filter; get-gadget's model is unknown, so 'size' is not checked
    assert not any(("delete-widget" in w and "[apidocs.audience]" not in w) or "'size'" in w for w in warnings)
    assert len(warnings) == 9


def test_every_subtype_is_declared_triggered_and_documented(every_warning: list[str]) -> None:
    """The offline build triggers each :class:`Warn` subtype and nothing else; the docs'
    table of subtypes lists exactly them."""
    declared = {kind.value for kind in Warn}
    emitted = [re.search(r"\[apidocs\.(\w+)\]$", line) for line in every_warning]
    assert all(emitted), [line for line, match in zip(every_warning, emitted) if not match]
    assert {match.group(1) for match in emitted if match} == declared
    table = (DOCS / "sphinx.rst").read_text().split("Warnings\n--------", 1)[1]
    assert set(re.findall(r"^   \* - ``apidocs\.(\w+)``$", table, re.MULTILINE)) == declared


def test_an_undeclared_subtype_is_refused() -> None:
    from sphinx_apidocs.sphinxext.warnings import warn

    with pytest.raises(ValueError, match="'gadget' is not a valid Warn"):
        warn("gadget", "never emitted")  # type: ignore[arg-type]  # what this test is about


@pytest.mark.parametrize("kind", list(Warn), ids=lambda kind: kind.value)
def test_suppress_warnings_silences_exactly_one_subtype(
    problems: Path, offline: dict[str, Any], every_warning: list[str], kind: Warn
) -> None:
    subtype = kind.value
    assert _with(every_warning, subtype), f"nothing to silence: apidocs.{subtype} is not triggered"
    result = build(problems, problems.parent / f"out-{subtype}", overrides={**offline, "suppress_warnings": [f"apidocs.{subtype}"]})
    assert result.warning_lines() == [w for w in every_warning if not w.endswith(f"[apidocs.{subtype}]")]


def test_suppress_all_apidocs_warnings(problems: Path, offline: dict[str, Any]) -> None:
    overrides = {**offline, "suppress_warnings": ["apidocs"]}
    result = build(problems, problems.parent / "out-none", overrides=overrides, warningiserror=True)
    assert result.warning_lines() == []
    assert result.statuscode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url_project(tmp_path: Path, url_expr: str, extra: str = "") -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(
        f'import os\nextensions = ["sphinx_apidocs"]\napidocs_spec = {url_expr}\napidocs_timeout = 5\n{extra}'
    )
    (src / "index.rst").write_text("Title\n=====\n\n.. api:operation:: get-contract\n")
    return src


def test_fetch_failure_falls_back_to_the_snapshot_with_a_warning(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, specs)
    src = _url_project(tmp_path, 'os.environ["APIDOCS_TEST_URL"]', 'apidocs_snapshot = "_snapshot"\n')
    import os

    with serving(str(specs)) as url:
        os.environ["APIDOCS_TEST_URL"] = url
        try:
            first = build(src, tmp_path / "out", warningiserror=True)
        finally:
            del os.environ["APIDOCS_TEST_URL"]
    assert first.warning_lines() == []
    assert sorted(p.name for p in (src / "_snapshot").iterdir() if not p.name.startswith("."))[:2] == ["api-docs.json", "auth.json"]

    os.environ["APIDOCS_TEST_URL"] = f"http://127.0.0.1:{_free_port()}/api-docs"
    try:
        down = build(src, tmp_path / "out", fresh=True)
        quiet = build(src, tmp_path / "out2", fresh=True, overrides={"suppress_warnings": ["apidocs.fetch"]}, warningiserror=True)
    finally:
        del os.environ["APIDOCS_TEST_URL"]
    (line,) = down.warning_lines()
    assert "connection refused" in line and "using the last good copy in" in line and line.endswith("[apidocs.fetch]")
    assert 'id="api-op-get-contract"' in (down.outdir / "index.html").read_text()
    assert quiet.warning_lines() == [] and quiet.statuscode == 0


def test_unreachable_spec_stops_the_build_with_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/api-docs"
    src = _url_project(tmp_path, repr(url))
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors == [f"ERROR: cannot load the API spec: {url}: connection refused (after 3 attempts)"]
    assert "Traceback" not in done.stdout + done.stderr and "Exception occurred" not in done.stderr


def test_invalid_spec_stops_the_build_with_located_problems(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, specs)
    jobs = specs / "jobs.json"
    jobs.write_text(jobs.read_text().replace('"method": "GET"', '"method": 42', 1))
    src = _url_project(tmp_path, repr(str(specs)))
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors[0].startswith(f"ERROR: cannot load the API spec: {specs}/jobs.json#/apis/0/operations/0/method: ")
    assert "Traceback" not in done.stderr


def test_http_error_names_the_url(tmp_path: Path) -> None:
    with serving(str(SAMPLE_SPECS)) as url:
        src = _url_project(tmp_path, repr(url + "/nothing-here"))
        done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    assert f"ERROR: cannot load the API spec: {url}/nothing-here: HTTP 404" in done.stderr


class _Config:
    def __init__(self, **values: object) -> None:
        defaults = dict(
            apidocs_spec="", apidocs_filters="", apidocs_headers={}, apidocs_timeout=10,
            apidocs_snapshot="", apidocs_resource_pages="", apidocs_field_selection=False,
        )
        self.__dict__.update({**defaults, **values})


def test_config_values_are_validated_with_clear_messages() -> None:
    assert ApidocsConfig.problems(_Config()) == []
    problems = ApidocsConfig.problems(_Config(
        apidocs_spec=3, apidocs_filters=["ok", 5], apidocs_headers={"Bad Name": "x", "X-Key": 12},
        apidocs_timeout=0, apidocs_snapshot="https://x", apidocs_resource_pages="../api",
        apidocs_field_selection="yes",
    ))
    assert problems == [
        "apidocs_spec: expected a URL or path string, got int 3",
        "apidocs_filters[1]: expected a non-empty path string, got int 5",
        "apidocs_headers: 'Bad '... is not a valid HTTP header name",
        "apidocs_headers['X-Key']: the value must be a string, got int",
        "apidocs_timeout: expected a number of seconds greater than 0, got int 0",
        "apidocs_snapshot: expected a local folder, got a URL",
        "apidocs_resource_pages: '../api' must be a plain folder inside the source directory, e.g. 'api' (no '..', no absolute path)",
        "apidocs_field_selection: expected True or False, got str 'yes'",
    ]
    assert "secret" not in " ".join(ApidocsConfig.problems(_Config(apidocs_headers=["Authorization: secret"])))


def test_bad_config_stops_the_build(tmp_path: Path) -> None:
    src = _url_project(tmp_path, '"specs"', "apidocs_timeout = -1\n")
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    assert "apidocs_timeout: expected a number of seconds greater than 0, got int -1" in done.stderr
