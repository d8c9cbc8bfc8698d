"""The renderers of ``diff`` (text, JSON, Markdown, JUnit) and the published JSON Schema.

Changes are built by hand here: no spec is loaded and no comparison runs. Hostile text (as
a spec or a waiver file could hold) must never break a format: no extra line in text, no
link/HTML/heading in Markdown, well-formed XML, valid UTF-8 JSON.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from markdown_it import MarkdownIt

from sphinx_apidocs.diff import RULES, Change, Level
from sphinx_apidocs.diff.report import (
    as_json,
    as_junit,
    as_markdown,
    as_text,
    failing,
    md_code,
    md_message,
    md_text,
    output_schema,
    schema_text,
    xml_text,
)
from sphinx_apidocs.diff.waivers import Waiver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_FILE = os.path.join(ROOT, "sphinx_apidocs", "schemas", "diff-output.schema.json")

HOSTILE = (
    "line\nbreak\r\x1b[31mred\x00 <script>alert(1)</script> [click](javascript:alert(1)) "
    "![img](http://x/i.png) <http://evil.example> &lt;b&gt; | table | `tick` **bold** # head "
    "\u2028sep\u202eevil @someone #12 \ud800 \ufffe end"
)

REMOVED = Change("operation-removed", "delete-pet", "DELETE", "/pets/{petId}", message="the operation is gone")
REQUIRED = Change("parameter-added-required", "list-pets", "GET", "/pets", "owner", None, "string",
                  "new required query parameter owner")
DROPPED = Change("parameter-removed", "list-pets", "GET", "/pets", "limit", "integer", None, "limit is no longer read")
ADDED = Change("operation-added", "create-pet", "POST", "/pets", message="new operation")
DESCRIBED = Change("description-changed", "get-pet", "GET", "/pets/{petId}", "", "Get a pet", "Fetch a pet",
                   "summary changed")
ALL = [ADDED, DESCRIBED, DROPPED, REMOVED, REQUIRED]

WAIVER = Waiver("operation-removed", "delete-pet", None, "moved to the admin API", dt.date(2999, 12, 31), "w.yaml:1")


def hostile_change(rule: str = "description-changed") -> Change:
    return Change(rule, "op" + HOSTILE, "GET", "/pets/" + HOSTILE, "sub" + HOSTILE, HOSTILE, {"k" + HOSTILE: [HOSTILE]},
                  HOSTILE.replace("\n", " ").replace("\r", " "))


# --- shared behaviour ----------------------------------------------------------------------------


@pytest.mark.parametrize("render", [as_text, as_json, as_markdown, as_junit])
def test_every_renderer_is_stable_whatever_the_input_order(render):
    forward = render(ALL, [(REMOVED, WAIVER)])
    backward = render(list(reversed(ALL)) + [ALL[0]], [(REMOVED, WAIVER)])  # a duplicate too
    assert forward == backward
    assert forward.endswith("\n")


@pytest.mark.parametrize("render", [as_text, as_json, as_markdown, as_junit])
def test_every_renderer_survives_hostile_text(render):
    text = render([hostile_change(), hostile_change("operation-removed")], [(hostile_change("scope-added"), WAIVER)])
    text.encode("utf-8")  # no lone surrogate left: always writable as UTF-8


def test_failing_compares_levels():
    assert failing(ALL, Level.BREAKING) == [REMOVED, REQUIRED]
    assert set(failing(ALL, Level.WARNING)) == {REMOVED, REQUIRED, DROPPED}
    assert failing(ALL, None) == []


# --- text ----------------------------------------------------------------------------------------


def test_text_lists_one_line_per_change_most_severe_first():
    text = as_text(ALL, [], Level.BREAKING)
    lines = text.splitlines()
    assert lines[:5] == [
        "breaking  parameter-added-required owner  GET /pets (list-pets): new required query parameter owner",
        "breaking  operation-removed  DELETE /pets/{petId} (delete-pet): the operation is gone",
        "warning   parameter-removed limit  GET /pets (list-pets): limit is no longer read",
        "info      operation-added  POST /pets (create-pet): new operation",
        "info      description-changed  GET /pets/{petId} (get-pet): summary changed",
    ]
    assert lines[5:] == ["", "5 changes: 2 breaking, 1 warning, 2 info", "2 changes at or above --fail-on breaking"]


def test_text_shows_waived_changes_with_reason_and_date():
    text = as_text([ADDED], [(REMOVED, WAIVER)], Level.BREAKING)
    assert ("waived    operation-removed  DELETE /pets/{petId} (delete-pet): the operation is gone "
            "[breaking; until 2999-12-31: moved to the admin API]") in text
    assert text.endswith("1 change: 0 breaking, 0 warning, 1 info; 1 waived\n")  # nothing fails


def test_text_without_changes():
    assert as_text([]) == "no changes\n"


def test_text_keeps_hostile_text_on_its_line():
    text = as_text([hostile_change()])
    lines = text.splitlines()
    assert len(lines) == 3 and lines[1] == ""
    assert "\x1b" not in text and "\x00" not in text and "\u2028" not in text and "\u202e" not in text
    assert "\\x1b[31mred" in lines[0] and "\\u202eevil" in lines[0]


def test_text_falls_back_to_the_rule_and_values_without_a_message():
    text = as_text([Change("parameter-type-changed", "get-pet", "GET", "/pets/{petId}", "petId", "integer", "string")])
    assert f'{RULES["parameter-type-changed"].doc} ("integer" -> "string")' in text


# --- JSON ----------------------------------------------------------------------------------------


def test_json_is_changes_summary_and_waived_in_that_order():
    kept = [change for change in ALL if change is not REMOVED]
    data = json.loads(as_json(kept, [(REMOVED, WAIVER)]))
    assert list(data) == ["changes", "summary", "waived"]
    assert data["summary"] == {"breaking": 1, "warning": 1, "info": 2}  # the waived change does not count
    assert [change["id"] for change in data["changes"]] == [
        "parameter-removed", "parameter-added-required", "operation-added", "description-changed",
    ]  # the stable order: path, method, operation, subject, rule
    assert list(data["changes"][0]) == ["id", "level", "operation", "method", "path", "subject", "old", "new", "message"]
    assert data["waived"] == [{**REMOVED.as_json(), "reason": "moved to the admin API", "expires": "2999-12-31"}]


def test_json_layout_is_indented_exact_text_with_a_trailing_newline():
    change = Change("description-changed", "get-pet", "GET", "/pets/{petId}", "", "Café", "Café ☕", "summary changed")
    text = as_json([change])
    assert text == json.dumps({"changes": [change.as_json()], "summary": {"breaking": 0, "warning": 0, "info": 1},
                               "waived": []}, indent=2, ensure_ascii=False) + "\n"
    assert "Café ☕" in text
    assert json.loads(as_json([change], ascii_only=True)) == json.loads(text)
    assert as_json([change], ascii_only=True).isascii()


def test_json_escapes_lone_surrogates_and_non_finite_numbers():
    change = Change("parameter-default-changed", "op\ud800", "GET", "/x", "n", float("nan"), (1, float("inf")), "m")
    text = as_json([change])
    text.encode("utf-8")
    data = json.loads(text)
    assert data["changes"][0]["operation"] == "op\ud800"  # the exact text, round-tripped
    assert data["changes"][0]["old"] == "nan" and data["changes"][0]["new"] == [1, "inf"]


def test_json_output_validates_against_the_shipped_schema():
    schema = json.loads(open(SCHEMA_FILE, encoding="utf-8").read())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for changes, waived in [([], []), (ALL, [(REMOVED, WAIVER)]), ([hostile_change()], [(hostile_change("scope-added"), WAIVER)])]:
        validator.validate(json.loads(as_json(changes, waived)))
    bad = json.loads(as_json(ALL))
    bad["changes"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
    bad = json.loads(as_json(ALL))
    bad["changes"][0]["id"] = "no-such-rule"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)


def test_the_schema_enum_is_every_rule_and_the_file_is_up_to_date():
    schema = json.loads(open(SCHEMA_FILE, encoding="utf-8").read())
    assert schema["$defs"]["change"]["properties"]["id"]["enum"] == sorted(RULES)
    assert schema["$defs"]["change"]["properties"]["level"]["enum"] == ["breaking", "warning", "info"]
    assert schema["additionalProperties"] is False
    assert open(SCHEMA_FILE, encoding="utf-8").read() == schema_text(), (
        "regenerate: python -c \"from sphinx_apidocs.diff.report import schema_text; "
        "open('sphinx_apidocs/schemas/diff-output.schema.json', 'w').write(schema_text())\""
    )
    assert output_schema() == schema


def test_the_schema_ships_in_the_package():
    shipped = importlib.resources.files("sphinx_apidocs").joinpath("schemas", "diff-output.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8"))["title"] == "sphinx-apidocs diff --format json"
    with open(os.path.join(ROOT, "setup.cfg"), encoding="utf-8") as handle:
        assert "schemas/*.json" in handle.read()


# --- Markdown ------------------------------------------------------------------------------------


def _tokens(text: str) -> list:
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    flat = []
    for token in parser.parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def test_markdown_has_a_summary_then_sections_grouped_by_operation():
    text = as_markdown([change for change in ALL if change is not REQUIRED], [(REQUIRED, WAIVER)])
    assert text.startswith("## API changes\n\n4 changes: **1 breaking**, 1 warning, 2 info; 1 waived\n")
    sections = [line for line in text.splitlines() if line.startswith("### ")]
    assert sections == ["### Breaking", "### Warnings", "### Info", "### Waived"]
    info = text.split("### Info")[1].split("### Waived")[0]
    assert "- `POST /pets` (`create-pet`)\n  - **operation-added**: new operation" in info
    assert "- `GET /pets/{petId}` (`get-pet`)\n  - **description-changed**: summary changed" in info
    assert "(`\"Get a pet\"` → `\"Fetch a pet\"`)" in info
    waived = text.split("### Waived")[1]
    assert "until 2999-12-31: moved to the admin API" in waived


def test_markdown_groups_several_changes_of_one_operation():
    other = Change("parameter-type-changed", "list-pets", "GET", "/pets", "limit", "integer", "string", "limit: integer -> string")
    text = as_markdown([REQUIRED, other])
    assert text.count("- `GET /pets` (`list-pets`)") == 1
    assert "  - **parameter-added-required** `owner`" in text and "  - **parameter-type-changed** `limit`" in text


def test_markdown_without_changes():
    assert as_markdown([]) == "## API changes\n\nNo changes.\n"


def test_markdown_hostile_text_forms_no_link_html_heading_or_table():
    text = as_markdown([hostile_change(), hostile_change("operation-removed")], [(hostile_change("scope-added"), WAIVER)])
    tokens = _tokens(text)
    kinds = {token.type for token in tokens}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "table_open", "em_open", "s_open", "code_block", "fence"}
    headings = [token for token in tokens if token.type == "heading_open"]
    assert [token.tag for token in headings] == ["h2", "h3", "h3", "h3"]  # title, Breaking, Info, Waived: none from the spec
    assert "\x1b" not in text and "\u2028" not in text and "\u202e" not in text
    html = MarkdownIt("commonmark").render(text)
    assert "<script" not in html and "href" not in html and "<img" not in html
    assert "&lt;script&gt;" in html  # shown, as text


def test_md_helpers():
    assert md_text("[a](b) <i> *x* _y_ #1 @me") == r"\[a\]\(b\) \<i\> \*x\* \_y\_ \#1 \@me"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`a") == "`` `a ``"
    assert md_code("x\ny") == "`x\\ny`"
    html = MarkdownIt("commonmark").render(md_code("<b>x</b> [l](http://e)"))
    assert "&lt;b&gt;" in html and "href" not in html


# --- JUnit ---------------------------------------------------------------------------------------


def test_junit_has_a_testcase_per_change_and_failures_at_the_fail_on_level():
    root = ET.fromstring(as_junit(ALL, [(REMOVED, WAIVER)], Level.BREAKING))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 6 and suite.get("tests") == "6" and root.get("tests") == "6"
    failed = [case for case in cases if case.find("failure") is not None]
    assert [case.get("name") for case in failed] == ["parameter-added-required owner (list-pets)", "operation-removed (delete-pet)"]
    assert suite.get("failures") == "2" and suite.get("skipped") == "1"
    skipped = [case for case in cases if case.find("skipped") is not None]
    assert skipped[0].find("skipped").get("message") == "waived until 2999-12-31: moved to the admin API"
    failure = failed[0].find("failure")
    assert failure.get("type") == "breaking" and json.loads(failure.text)["subject"] == "owner"
    assert failed[0].get("classname") == "GET /pets"


def test_junit_fail_on_warning_and_never():
    warning = ET.fromstring(as_junit(ALL, fail_on=Level.WARNING))
    assert warning.get("failures") == "3"
    never = ET.fromstring(as_junit(ALL, fail_on=None))
    assert never.get("failures") == "0"
    assert list(never.iter("failure")) == []


def test_junit_without_changes_is_one_passing_testcase():
    root = ET.fromstring(as_junit([]))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and cases[0].get("name") == "no changes" and list(cases[0]) == []
    assert root.get("failures") == "0"


def test_junit_is_well_formed_with_characters_xml_forbids():
    text = as_junit([hostile_change("operation-removed"), hostile_change()], [(hostile_change("scope-added"), WAIVER)])
    root = ET.fromstring(text.encode("utf-8"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert all("\n" not in name and "\x00" not in name for name in names)
    assert "\\x00" in text and "\\ud800" in text and "\\ufffe" in text
    assert xml_text("a\x00b\tc\nd\ud800\ufffe\U0001f600") == "a\\x00b\tc\nd\\ud800\\ufffe\U0001f600"


def test_human_reports_drop_the_operation_prefix_of_a_message():
    change = Change("parameter-added-required", "list-pets", "GET", "/pets", "owner", None, "string",
                    "GET /pets (list-pets): new required parameter `owner` (string)")
    assert as_text([change]).splitlines()[0] == (
        "breaking  parameter-added-required owner  GET /pets (list-pets): new required parameter `owner` (string)")
    assert "**parameter-added-required** `owner`: new required parameter `owner` \\(string\\)" in as_markdown([change])
    assert json.loads(as_json([change]))["changes"][0]["message"] == change.message  # JSON keeps it whole
    bare = Change("operation-added", "x", "GET", "/x", message="GET /x (x): ")
    assert "GET /x (x): GET /x (x): " in as_text([bare])  # nothing left: the message as it is


def test_md_message_turns_quoted_names_into_code_spans_and_escapes_the_rest():
    assert md_message("field `a.b` of <b>x</b>") == r"field `a.b` of \<b\>x\<\/b\>"
    assert md_message("odd `a`b` [x](y)") == r"odd `a`b\` \[x\]\(y\)"
    html = MarkdownIt("commonmark").render(md_message("`<img src=x onerror=alert(1)>` and `[l](javascript:x)`"))
    assert "<img" not in html and "href" not in html
