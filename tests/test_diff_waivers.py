"""Waiver files: what a valid one holds, every way one is refused (one located line each),
and how waivers match changes."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from sphinx_apidocs.diff import Change
from sphinx_apidocs.diff.waivers import Waiver, WaiverError, apply_waivers, load_waivers, parse_waivers, unused_waivers

TODAY = dt.date(2026, 6, 1)
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diff_cli_fixtures", "waivers.yaml")

REMOVED = Change("operation-removed", "delete-pet", "DELETE", "/pets/{petId}", message="gone")
OWNER = Change("parameter-added-required", "list-pets", "GET", "/pets", "owner", message="owner required")
PAGE = Change("parameter-added-required", "list-pets", "GET", "/pets", "page", message="page required")
OTHER = Change("parameter-added-required", "get-pet", "GET", "/pets/{petId}", "owner", message="owner required")


def write(tmp_path, text: str, name: str = "waivers.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def problems(tmp_path, text: str, today: dt.date = TODAY) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(WaiverError) as caught:
        load_waivers(path, today)
    lines = str(caught.value).splitlines()
    assert lines == caught.value.problems
    assert all(line.startswith(f"{path}:") for line in lines), lines
    return [line[len(path) + 1:] for line in lines]


VALID = """\
- id: operation-removed
  operation: delete-pet
  reason: moved to the admin API
  expires: 2026-12-31
- id: parameter-added-required
  operation: list-pets
  subject: owner
  reason: "  every partner sends it  "
  expires: "2026-06-01"
"""


def test_a_valid_file(tmp_path):
    path = write(tmp_path, VALID)
    first, second = load_waivers(path, TODAY)
    assert first == Waiver("operation-removed", "delete-pet", None, "moved to the admin API", dt.date(2026, 12, 31), f"{path}:1")
    assert second.subject == "owner" and second.reason == "every partner sends it" and second.where == f"{path}:5"
    assert second.expires == TODAY  # a waiver holds through its last day


def test_the_fixture_loads():
    assert len(load_waivers(FIXTURE, TODAY)) == 2


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "~\n"])
def test_an_empty_file_holds_no_waivers(tmp_path, text):
    assert load_waivers(write(tmp_path, text), TODAY) == []


def test_a_waiver_without_a_reason(tmp_path):
    assert problems(tmp_path, "- id: operation-removed\n  operation: delete-pet\n  expires: 2026-12-31\n") == [
        "1: entry 1 (operation-removed delete-pet): reason is missing"
    ]
    assert problems(tmp_path, "- id: operation-removed\n  operation: delete-pet\n  expires: 2026-12-31\n  reason: '  '\n") == [
        "4: entry 1 (operation-removed delete-pet): reason must say why the change is accepted (non-empty text)"
    ]


def test_an_unknown_rule_id(tmp_path):
    text = "- id: operation-vanished\n  operation: delete-pet\n  reason: x\n  expires: 2026-12-31\n"
    assert problems(tmp_path, text) == ["1: entry 1 (operation-vanished delete-pet): unknown rule id 'operation-vanished'"]


@pytest.mark.parametrize("expires", ["2026-13-01", "tomorrow", "2026-12-31 10:00:00", "31/12/2026", "20261231", "[2026]"])
def test_an_unreadable_date(tmp_path, expires):
    text = f"- id: operation-removed\n  operation: delete-pet\n  reason: x\n  expires: {expires}\n"
    (line,) = problems(tmp_path, text)
    assert line.startswith("4: entry 1 (operation-removed delete-pet): expires must be a date YYYY-MM-DD"), line


def test_an_expired_waiver(tmp_path):
    text = "- id: operation-removed\n  operation: delete-pet\n  reason: x\n  expires: 2026-05-31\n"
    assert problems(tmp_path, text) == [
        "4: entry 1 (operation-removed delete-pet): expired on 2026-05-31: remove the waiver or renew it with a reason"
    ]
    assert load_waivers(write(tmp_path, text), dt.date(2026, 5, 31))  # still valid on its last day


def test_every_problem_is_listed_with_its_entry_and_line(tmp_path):
    text = VALID + "- id: nope\n  operation: x\n  reason: ''\n  expires: never\n  owner: me\n- just text\n"
    assert problems(tmp_path, text) == [
        "14: entry 3 (nope x): unknown key 'owner' (expected id, operation, subject, reason, expires)",
        "10: entry 3 (nope x): unknown rule id 'nope'",
        "12: entry 3 (nope x): reason must say why the change is accepted (non-empty text)",
        "13: entry 3 (nope x): expires must be a date YYYY-MM-DD, not 'never'",
        "15: entry 4: a waiver is a mapping {id, operation, subject, reason, expires}",
    ]


def test_missing_keys_and_wrong_types(tmp_path):
    text = "- operation: [a]\n  subject: 3\n  reason: x\n"
    assert problems(tmp_path, text) == [
        "1: entry 1: id is missing",
        "1: entry 1: expires is missing",
        "1: entry 1: operation must be a nickname (text)",
        "2: entry 1: subject must be text (a parameter name or a dotted field path)",
    ]


@pytest.mark.parametrize("text, expected", [
    ("id: operation-removed\n", "1: a waiver file is a list of entries ({id, operation, subject, reason, expires})"),
    ("- id: [\n", "2:1: invalid YAML: "),
    ("- a\n b: c\n", "2:3: invalid YAML: "),
])
def test_not_a_list_or_not_yaml(tmp_path, text, expected):
    (line,) = problems(tmp_path, text)
    assert line.startswith(expected), line


def test_only_the_safe_loader_reads_a_waiver_file(tmp_path):
    text = "- !!python/object/apply:os.system ['echo pwned > pwned.txt']\n"
    (line,) = problems(tmp_path, text)
    assert "invalid YAML" in line and "python/object" in line
    assert not os.path.exists("pwned.txt")


def test_a_missing_or_binary_file(tmp_path):
    with pytest.raises(WaiverError, match=r"nope\.yaml: cannot read the waiver file: No such file"):
        load_waivers(str(tmp_path / "nope.yaml"), TODAY)
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(WaiverError, match=r"bin\.yaml: not UTF-8 text"):
        load_waivers(str(path), TODAY)


def test_hostile_text_stays_on_one_line(tmp_path):
    text = '- id: "operation-removed\\nerror: forged"\n  operation: "x\\u001b[31m"\n  reason: y\n  expires: 2026-12-31\n'
    (line,) = problems(tmp_path, text)
    assert "\n" not in line and "\x1b" not in line and "\\n" in line


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path):
    path = write(tmp_path, "- x\n", name="a\nb.yaml")
    with pytest.raises(WaiverError) as caught:
        load_waivers(path, TODAY)
    assert len(str(caught.value).splitlines()) == 1


def test_parse_waivers_takes_text():
    (waiver,) = parse_waivers("- {id: scope-added, operation: a, reason: r, expires: 2030-01-01}", "inline", TODAY)
    assert waiver.where == "inline:1"


# --- matching ------------------------------------------------------------------------------------


def test_apply_waivers_matches_rule_operation_and_subject():
    by_subject = Waiver("parameter-added-required", "list-pets", "owner", "r", TODAY)
    every_subject = Waiver("operation-removed", "delete-pet", None, "r", TODAY)
    kept, waived = apply_waivers([REMOVED, OWNER, PAGE, OTHER], [by_subject, every_subject])
    assert kept == [PAGE, OTHER]
    assert waived == [(REMOVED, every_subject), (OWNER, by_subject)]


def test_a_waiver_without_subject_covers_every_subject():
    waiver = Waiver("parameter-added-required", "list-pets", None, "r", TODAY)
    kept, waived = apply_waivers([OWNER, PAGE, OTHER], [waiver])
    assert kept == [OTHER] and [change for change, _ in waived] == [OWNER, PAGE]


def test_an_empty_subject_matches_the_operation_level_change_only():
    waiver = Waiver("parameter-added-required", "list-pets", "", "r", TODAY)
    assert apply_waivers([OWNER], [waiver]) == ([OWNER], [])


def test_the_first_matching_waiver_wins_and_unused_ones_are_found():
    first = Waiver("operation-removed", "delete-pet", None, "first", TODAY)
    second = Waiver("operation-removed", "delete-pet", None, "second", TODAY)
    stale = Waiver("scope-added", "get-pet", None, "stale", TODAY)
    kept, waived = apply_waivers([REMOVED], [first, second, stale])
    assert waived == [(REMOVED, first)]
    assert unused_waivers([first, second, stale], waived) == [second, stale]
