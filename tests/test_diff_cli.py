"""``sphinx-apidocs diff`` end to end: exit codes, formats, ``--fail-on``, waivers, ``-o``,
option orders, a URL side served over real loopback HTTP, and one run as users run it (a
separate process). JSON output validates against the shipped schema and is byte-identical
across runs.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from markdown_it import MarkdownIt

from cli_helpers import one_error, run_cli
from httpserver import Route, scripted_server
from sphinx_apidocs.cli import build_parser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "diff_cli_fixtures")
V1 = os.path.join(FIXTURES, "pets-v1.json")
V1_OPENAPI = os.path.join(FIXTURES, "pets-v1.openapi.yaml")
INFO = os.path.join(FIXTURES, "pets-v2-info.json")
WARNING = os.path.join(FIXTURES, "pets-v2-warning.json")
BREAKING = os.path.join(FIXTURES, "pets-v2-breaking.json")
FILTERS_V1 = os.path.join(FIXTURES, "filters-v1.yaml")
FILTERS_V2 = os.path.join(FIXTURES, "filters-v2.yaml")
WAIVERS = os.path.join(FIXTURES, "waivers.yaml")
SCHEMA_FILE = os.path.join(ROOT, "sphinx_apidocs", "schemas", "diff-output.schema.json")


def diff_json(capsys, *argv: str) -> tuple[int, dict, str]:
    status, out, err, _ = run_cli(["diff", *argv, "--format", "json"], capsys)
    return status, json.loads(out), err


def ids(data: dict) -> set[tuple[str, str, str]]:
    return {(change["id"], change["operation"], change["subject"]) for change in data["changes"]}


# --- exit codes ----------------------------------------------------------------------------------


def test_no_change_exits_0(capsys):
    status, out, err, _ = run_cli(["diff", V1, V1], capsys)
    assert (status, out, err) == (0, "no changes\n", "")


def test_the_same_api_as_swagger_1_2_and_openapi_3_0_gives_no_change(capsys):
    status, data, err = diff_json(capsys, V1, V1_OPENAPI)
    assert data["changes"] == [], data
    assert status == 0


def test_info_changes_exit_0(capsys):
    status, data, _ = diff_json(capsys, V1, INFO)
    assert status == 0
    assert ("operation-added", "create-pet", "") in ids(data)
    assert data["summary"]["breaking"] == data["summary"]["warning"] == 0


def test_warnings_exit_0_unless_fail_on_warning(capsys):
    status, data, _ = diff_json(capsys, INFO, WARNING)
    assert status == 0 and ids(data) == {("parameter-removed", "list-pets", "limit")}
    assert run_cli(["diff", INFO, WARNING, "--fail-on", "warning"], capsys)[0] == 1
    assert run_cli(["diff", INFO, WARNING, "--fail-on", "breaking"], capsys)[0] == 0


def test_breaking_changes_exit_1_unless_fail_on_never(capsys):
    status, data, _ = diff_json(capsys, V1, BREAKING)
    assert status == 1
    assert {("operation-removed", "delete-pet", ""), ("parameter-added-required", "list-pets", "owner"),
            ("operation-added", "create-pet", "")} <= ids(data)
    assert run_cli(["diff", V1, BREAKING, "--fail-on", "never"], capsys)[0] == 0
    assert run_cli(["diff", V1, BREAKING, "--fail-on", "warning"], capsys)[0] == 1


def test_filters_change_the_exposed_contract(capsys):
    status, data, _ = diff_json(capsys, V1, V1, "--old-filters", FILTERS_V1, "--new-filters", FILTERS_V2)
    assert status == 1 and ids(data) == {("response-field-unexposed", "get-pet", "tag")}
    status, data, _ = diff_json(capsys, V1, V1, "--filters", FILTERS_V1)
    assert status == 0 and data["changes"] == []
    status, data, _ = diff_json(capsys, V1, V1, "--filters", FILTERS_V2, "--old-filters", FILTERS_V1)
    assert ids(data) == {("response-field-unexposed", "get-pet", "tag")}  # --old-filters overrides one side


# --- load errors: exit 2, one line ---------------------------------------------------------------


@pytest.mark.parametrize("argv, expected", [
    (["nope.json", V1], "nope.json"),
    ([V1, "nope.json"], "nope.json"),
    ([V1, V1, "--old-filters", "nofilters"], "nofilters: no such file or directory"),
    ([V1, V1, "--new-filters", WAIVERS], "waivers.yaml"),
    ([V1, V1, "--waivers", "nowaivers.yaml"], "nowaivers.yaml: cannot read the waiver file"),
    ([V1, V1, "--header", "no colon"], "header"),
    ([V1, "git:HEAD", ], "git:HEAD: expected git:REV:PATH"),
])
def test_a_side_that_cannot_be_loaded_exits_2(capsys, tmp_path, monkeypatch, argv, expected):
    monkeypatch.chdir(tmp_path)
    status, out, err, _ = run_cli(["diff", *argv], capsys)
    assert status == 2 and out == ""
    assert expected in one_error(err)


def test_an_invalid_spec_exits_2_with_its_problems(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"swaggerVersion": "1.2", "resourcePath": "/x", "apis": [{"path": 3}]}')
    status, out, err, _ = run_cli(["diff", str(bad), V1], capsys)
    assert status == 2 and out == ""
    assert err.startswith(f"error: {bad}") and all(line.startswith("error: ") for line in err.splitlines())


def test_audience_without_an_order_exits_2(capsys):
    status, out, err, _ = run_cli(["diff", V1, BREAKING, "--audience", "partner"], capsys)
    assert status == 2 and out == ""
    assert "needs --audiences A,B,C or an audiences.yaml" in one_error(err)
    status, out, err, _ = run_cli(["diff", V1, BREAKING, "--audience", "partner", "--audiences", "public,internal"], capsys)
    assert status == 2 and "unknown audience 'partner'" in one_error(err)


@pytest.mark.parametrize("argv", [
    [V1],
    [V1, V1, "--format", "yaml"],
    [V1, V1, "--fail-on", "info"],
    [V1, V1, "--format", "json", "--format", "text"],
    [V1, V1, V1],
])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        run_cli(["diff", *argv], capsys)
    assert caught.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# --- formats -------------------------------------------------------------------------------------


def test_text_format(capsys):
    status, out, err, _ = run_cli(["diff", V1, BREAKING], capsys)
    assert status == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("breaking  ")
    assert any(line.startswith("breaking  operation-removed  DELETE /pets/{petId} (delete-pet): ") for line in lines)
    assert lines[-1].endswith("at or above --fail-on breaking")


def test_markdown_format(capsys):
    status, out, _, _ = run_cli(["diff", V1, BREAKING, "--format", "markdown"], capsys)
    assert status == 1
    assert out.startswith("## API changes\n\n")
    assert "### Breaking" in out and "### Info" in out
    assert "- `DELETE /pets/{petId}` (`delete-pet`)\n  - **operation-removed**" in out


def test_junit_format(capsys):
    status, out, _, _ = run_cli(["diff", V1, BREAKING, "--format", "junit"], capsys)
    assert status == 1
    root = ET.fromstring(out)
    failed = [case.get("name") for case in root.iter("testcase") if case.find("failure") is not None]
    assert "operation-removed (delete-pet)" in failed
    assert all(case.find("failure") is None for case in root.iter("testcase") if "operation-added" in case.get("name"))
    never = ET.fromstring(run_cli(["diff", V1, BREAKING, "--format", "junit", "--fail-on", "never"], capsys)[1])
    assert never.get("failures") == "0"
    empty = ET.fromstring(run_cli(["diff", V1, V1, "--format", "junit"], capsys)[1])
    assert [case.get("name") for case in empty.iter("testcase")] == ["no changes"]


def test_json_output_validates_against_the_schema_and_is_byte_identical(capsys):
    validator = jsonschema.Draft202012Validator(json.loads(open(SCHEMA_FILE, encoding="utf-8").read()))
    runs = [
        [V1, V1],
        [V1, INFO],
        [INFO, WARNING],
        [V1, BREAKING],
        [V1, BREAKING, "--waivers", WAIVERS],
        [V1, V1, "--old-filters", FILTERS_V1, "--new-filters", FILTERS_V2],
        [BREAKING, V1],
    ]
    for argv in runs:
        first = run_cli(["diff", *argv, "--format", "json"], capsys)[1]
        second = run_cli(["diff", "--format", "json", *argv], capsys)[1]
        assert first == second, argv
        validator.validate(json.loads(first))


# --- waivers -------------------------------------------------------------------------------------


def test_waivers_let_accepted_breaking_changes_pass(capsys):
    status, data, err = diff_json(capsys, V1, BREAKING, "--waivers", WAIVERS)
    assert {(w["id"], w["operation"], w["reason"], w["expires"]) for w in data["waived"]} == {
        ("operation-removed", "delete-pet", "deletion moved to the admin API; announced 2026-01", "2999-12-31"),
        ("parameter-added-required", "list-pets", "every partner sends owner since 2026-02", "2999-12-31"),
    }
    remaining = [change for change in data["changes"] if change["level"] == "breaking"]
    assert status == (1 if remaining else 0), remaining
    assert data["summary"]["breaking"] == len(remaining)
    assert err == ""
    text = run_cli(["diff", V1, BREAKING, "--waivers", WAIVERS], capsys)[1]
    assert "waived    operation-removed  DELETE /pets/{petId} (delete-pet)" in text


def test_an_expired_or_reasonless_waiver_exits_2(capsys, tmp_path):
    expired = tmp_path / "expired.yaml"
    expired.write_text("- id: operation-removed\n  operation: delete-pet\n  reason: old\n  expires: 2001-01-01\n")
    status, out, err, _ = run_cli(["diff", V1, BREAKING, "--waivers", str(expired)], capsys)
    assert status == 2 and out == ""
    assert one_error(err) == (f"{expired}:4: entry 1 (operation-removed delete-pet): expired on 2001-01-01: "
                              "remove the waiver or renew it with a reason")
    reasonless = tmp_path / "reasonless.yaml"
    reasonless.write_text("- id: operation-removed\n  operation: delete-pet\n  expires: 2999-01-01\n")
    status, out, err, _ = run_cli(["diff", V1, BREAKING, "--waivers", str(reasonless)], capsys)
    assert status == 2 and "reason is missing" in one_error(err)


def test_a_waiver_that_matches_nothing_is_noted(capsys, tmp_path):
    stale = tmp_path / "stale.yaml"
    stale.write_text("- id: scope-added\n  operation: get-pet\n  reason: r\n  expires: 2999-01-01\n")
    status, out, err, _ = run_cli(["diff", V1, V1, "--waivers", str(stale)], capsys)
    assert status == 0 and out == "no changes\n"
    assert err == f"note: {stale}:1: waiver of scope-added for get-pet matches no change\n"


# --- -o FILE -------------------------------------------------------------------------------------


def test_output_file_is_written_atomically(capsys, tmp_path):
    target = tmp_path / "report.md"
    status, out, err, _ = run_cli(["diff", V1, BREAKING, "--format", "markdown", "-o", str(target)], capsys)
    assert (status, out, err) == (1, "", "")
    assert target.read_text(encoding="utf-8").startswith("## API changes")
    assert os.listdir(tmp_path) == ["report.md"]  # no temporary file left behind
    assert (os.stat(target).st_mode & 0o777) == 0o644


def test_a_failed_run_leaves_the_output_file_alone(capsys, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("previous\n")
    status, _, _, _ = run_cli(["diff", "nope.json", V1, "-o", str(target)], capsys)
    assert status == 2
    assert target.read_text() == "previous\n" and os.listdir(tmp_path) == ["report.json"]
    missing = tmp_path / "new.json"
    assert run_cli(["diff", V1, "nope.json", "--output", str(missing)], capsys)[0] == 2
    assert not missing.exists()


def test_an_output_file_that_cannot_be_written_exits_2(capsys, tmp_path):
    status, out, err, _ = run_cli(["diff", V1, V1, "-o", str(tmp_path)], capsys)
    assert status == 2 and out == ""
    assert one_error(err) == f"{tmp_path}: is a directory"
    status, out, err, _ = run_cli(["diff", V1, V1, "-o", str(tmp_path / "no" / "such" / "r.txt")], capsys)
    assert status == 2 and "cannot write" in one_error(err)


# --- option orders -------------------------------------------------------------------------------


def test_every_order_of_the_arguments_parses_the_same():
    groups = [["OLD"], ["NEW"], ["--format", "json"], ["--fail-on", "warning"], ["--old-filters", "F"],
              ["--waivers", "W"], ["-o", "out.json"]]
    parser = build_parser()
    parsed = set()
    count = 0
    for order in itertools.permutations(groups):
        if order.index(groups[0]) > order.index(groups[1]):
            continue  # the operands keep their order
        values = vars(parser.parse_args(["diff", *[arg for group in order for arg in group]]))
        values.pop("handler")
        parsed.add(json.dumps(values, sort_keys=True))
        count += 1
    assert count == 2520 and len(parsed) == 1


def test_orders_give_the_same_report(capsys):
    groups = [[V1], [BREAKING], ["--format", "json"], ["--new-filters", FILTERS_V2], ["--fail-on", "never"]]
    outputs = set()
    for order in itertools.permutations(groups):
        if order.index(groups[0]) > order.index(groups[1]):
            continue
        status, out, err, _ = run_cli(["diff", *[arg for group in order for arg in group]], capsys)
        assert (status, err) == (0, ""), order
        outputs.add(out)
    assert len(outputs) == 1


def test_equals_form_and_double_dash(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-new.json").write_text(open(BREAKING).read())
    plain = run_cli(["diff", V1, BREAKING, "--format", "json"], capsys)
    assert run_cli(["diff", "--format=json", V1, "--", "-new.json"], capsys)[1] == plain[1]
    assert run_cli(["diff", V1, "--fail-on=never", "--format=json", "--", "-new.json"], capsys)[:2] == (0, plain[1])


# --- as users run it -----------------------------------------------------------------------------


def test_as_a_separate_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", "diff", V1, BREAKING, "--format", "markdown"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == "" and result.stdout.startswith("## API changes")
    broken = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", "diff", "nope.json", BREAKING],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert broken.returncode == 2 and broken.stdout == ""
    assert broken.stderr.startswith("error: ") and broken.stderr.count("\n") == 1 and "Traceback" not in broken.stderr


def test_json_to_a_stdout_that_is_not_utf8(tmp_path):
    spec = json.loads(open(INFO).read())
    spec["apis"][0]["operations"].append({"method": "PUT", "nickname": "café-☕", "type": "void", "parameters": []})
    new = tmp_path / "new.json"
    new.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", "diff", V1, str(new), "--format", "json"],
        capture_output=True, cwd=tmp_path, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii()
    assert ("operation-added", "café-☕", "") in ids(json.loads(result.stdout))


def test_old_side_from_a_url(capsys):
    routes = {"/pets.json": Route.json(json.loads(open(V1).read())), "/down.json": Route(status=503, body=b"busy")}
    with scripted_server(routes) as server:
        status, data, err = diff_json(capsys, f"{server.base}/pets.json", BREAKING, "--header", "X-Token: t")
        assert status == 1 and ("operation-removed", "delete-pet", "") in ids(data)
        assert server.requests and server.requests[0][1].get("X-Token") == "t"
        status, out, err, _ = run_cli(["diff", f"{server.base}/down.json", BREAKING, "--timeout", "5"], capsys)
    assert status == 2 and out == ""
    assert "503" in one_error(err)


def test_hostile_text_from_a_spec_breaks_no_format(capsys, tmp_path):
    hostile = "x\n## Owned\r\x1b[2J<script>alert(1)</script> [a](javascript:alert(1)) | `q` \u2028\x00\ud800"
    spec = json.loads(open(V1).read())
    spec["apis"][0]["operations"].append({
        "method": "GET", "nickname": "evil" + hostile, "summary": hostile, "type": "void",
        "parameters": [{"name": "p" + hostile, "paramType": "query", "type": "string", "required": True}],
    })
    new = tmp_path / "new.json"
    new.write_text(json.dumps(spec), encoding="utf-8")
    changed = json.loads(open(V1).read())
    changed["apis"][1]["operations"][0]["summary"] = hostile
    changed_file = tmp_path / "changed.json"
    changed_file.write_text(json.dumps(changed), encoding="utf-8")
    for old, new_side in [(V1, str(new)), (V1, str(changed_file)), (str(new), V1)]:
        out = {fmt: run_cli(["diff", old, new_side, "--format", fmt], capsys)[1] for fmt in ("text", "json", "markdown", "junit")}
        data = json.loads(out["json"])
        assert data["changes"], (old, new_side)
        jsonschema.Draft202012Validator(json.loads(open(SCHEMA_FILE, encoding="utf-8").read())).validate(data)
        text_lines = out["text"].splitlines()
        assert len(text_lines) == len(data["changes"]) + 2 + (1 if data["summary"]["breaking"] else 0)
        assert "\x1b" not in out["text"] + out["markdown"] + out["junit"]
        ET.fromstring(out["junit"].encode("utf-8"))
        rendered = MarkdownIt("commonmark").render(out["markdown"])
        assert "<script" not in rendered and "href" not in rendered and "Owned</h2>" not in rendered
        for text in out.values():
            text.encode("utf-8")


def test_json_is_byte_identical_across_processes_and_hash_seeds(tmp_path):
    outputs = set()
    for seed in ("1", "2", "12345"):
        result = subprocess.run(
            [sys.executable, "-m", "sphinx_apidocs", "diff", V1, BREAKING, "--format", "json", "--waivers", WAIVERS,
             "--old-filters", FILTERS_V1, "--new-filters", FILTERS_V2, "-o", str(tmp_path / f"{seed}.json")],
            capture_output=True, cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 1 and result.stdout == b"" and result.stderr == b"", result.stderr
        outputs.add((tmp_path / f"{seed}.json").read_bytes())
    assert len(outputs) == 1
