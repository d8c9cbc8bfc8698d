"""The sample API's version 1 (``sample_versions/v1``) is what its script makes from the current
sample (version 2), it validates, and ``diff`` v1 -> v2 shows the changes the script describes:
path versioning, an operation removed after its sunset date, one new in v2, a response field
removed after its sunset date, and a whitelist that grew."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from cli_helpers import run_cli
from sphinx_apidocs.diff import Change, compare, contract_of
from sphinx_apidocs.filters import load_filter_trees
from sphinx_apidocs.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
V1 = REPO / "sample_versions" / "v1"
V1_SPECS, V1_FILTERS = V1 / "sample_specs", V1 / "output_filters"
V2_SPECS, V2_FILTERS = REPO / "sample_specs", REPO / "output_filters"
#: The sunset date of the legacy operation and field is 2026-11-30.
AFTER_SUNSET = dt.date(2026, 12, 2)
BEFORE_SUNSET = dt.date(2026, 11, 29)

Row = tuple[str, str, str]
#: What version 2 changed, as (rule id, operation, subject) once the sunset date has passed.
DESIGNED: set[Row] = {
    ("operation-removed-after-sunset", "get-user-legacy-rating", ""),
    ("operation-added", "list-user-portfolio", ""),
    ("response-field-removed-after-sunset", "get-user", "legacy_rating"),
    ("response-field-removed-after-sunset", "list-users", "users.legacy_rating"),
    ("response-field-exposed", "list-users", "paging.total"),
}
#: What version 1 still serves after the sunset date (it says so compared with itself).
DESIGNED_PAST: set[Row] = {
    ("operation-past-sunset", "get-user-legacy-rating", ""),
    ("response-field-past-sunset", "get-user", "legacy_rating"),
    ("response-field-past-sunset", "list-users", "users.legacy_rating"),
}


def make_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_v1", REPO / "sample_versions" / "make_v1.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(changes: list[Change]) -> set[Row]:
    return {(change.id, change.operation, change.subject) for change in changes}


def designed(row: Row) -> bool:
    """A change v1 -> v2 that the script made: one of :data:`DESIGNED`, or ``legacy_rating``
    leaving an operation that sees the whole ``User`` (one without a filter of its own in the
    widest audience, e.g. the partner canary when no audience is chosen)."""
    return row in DESIGNED or (row[0] == "response-field-removed-after-sunset" and row[2].split(".")[-1] == "legacy_rating")


# -- the generated files -------------------------------------------------------------------------


def test_version_1_is_up_to_date(tmp_path: Path) -> None:
    make_module().main(["--out", str(tmp_path / "v1")])
    assert files_of(tmp_path / "v1") == files_of(V1), "run: python sample_versions/make_v1.py"


def test_the_script_is_deterministic(tmp_path: Path) -> None:
    module = make_module()
    module.write(tmp_path / "a")
    module.write(tmp_path / "b")
    module.write(tmp_path / "b")  # over an earlier run
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert set(files_of(tmp_path / "a")) == {f"sample_specs/{p.name}" for p in V2_SPECS.glob("*.json")} | {
        f"output_filters/{p.relative_to(V2_FILTERS).as_posix()}" for p in V2_FILTERS.rglob("*") if p.is_file()
    }


def test_version_1_validates(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err, _ = run_cli(["validate", str(V1_SPECS)], capsys)
    assert (status, err) == (0, "")
    assert "valid Swagger 1.2" in out


def test_version_1_is_path_versioned_and_keeps_the_audience_layers() -> None:
    for path in V1_SPECS.glob("*.json"):
        declaration = json.loads(path.read_text(encoding="utf-8"))
        if path.name != "api-docs.json":
            assert declaration["basePath"] == "https://api.example.com/v1", path.name
    spec = load_spec(str(V1_SPECS))
    legacy = next(op for op in spec.operations if op.nickname == "get-user-legacy-rating")
    assert (legacy.deprecated, legacy.deprecated_at, legacy.sunset) == (True, "2026-06-01", "2026-11-30")
    field = spec.models()["User"].property("legacy_rating")
    assert field is not None and (field.deprecated, field.deprecated_at, field.sunset) == (True, "2026-06-01", "2026-11-30")
    for layer in ("audiences.yaml", "partner/users.yaml", "internal/users.yaml"):
        assert (V1_FILTERS / layer).read_bytes() == (V2_FILTERS / layer).read_bytes(), layer
    text = (V1_SPECS / "users.json").read_text(encoding="utf-8")
    assert "CANARYPARTNER4412" in text and "CANARYINTERNAL7731" in text


# -- diff v1 -> v2 --------------------------------------------------------------------------------


def contracts(**audience: Any) -> tuple[Any, Any]:
    old = contract_of(load_spec(str(V1_SPECS)), load_filter_trees(str(V1_FILTERS), **audience))
    new = contract_of(load_spec(str(V2_SPECS)), load_filter_trees(str(V2_FILTERS), **audience))
    return old, new


def test_the_diff_shows_what_the_script_changed() -> None:
    old, new = contracts()
    changes = compare(old, new, today=AFTER_SUNSET)
    assert DESIGNED <= rows(changes)
    assert [row for row in rows(changes) if not designed(row)] == []
    assert {change.level.label for change in changes} == {"info"}  # planned removals break nobody
    # The path version is no change: operations match by nickname and path, not the base path.
    assert not [change for change in changes if change.id in ("operation-moved", "operation-removed")]
    (gone,) = [change for change in changes if change.id == "operation-removed-after-sunset"]
    assert (gone.method, gone.path, gone.old) == ("GET", "/users/{uid}/legacy-rating", "2026-11-30")
    (field,) = [change for change in changes if change.operation == "get-user"]
    assert (field.old, field.new) == ("2026-11-30", None)


def test_before_the_sunset_date_the_same_removals_break_clients() -> None:
    old, new = contracts()
    found = rows(compare(old, new, today=BEFORE_SUNSET))
    assert {
        ("operation-removed", "get-user-legacy-rating", ""),
        ("response-field-removed", "get-user", "legacy_rating"),
        ("response-field-removed", "list-users", "users.legacy_rating"),
    } <= found
    assert not [row for row in found if "sunset" in row[0]]


def test_version_1_warns_about_what_is_past_its_sunset() -> None:
    """Compared with itself after 2026-11-30, v1 says what it still serves past the date."""
    old, _ = contracts()
    assert compare(old, old, today=BEFORE_SUNSET) == []
    assert DESIGNED_PAST <= rows(compare(old, old, today=AFTER_SUNSET))


class _Day(dt.date):
    """``date.today()`` fixed on a day after the sunset date (the CLI has no option for it)."""

    @classmethod
    def today(cls) -> _Day:
        return cls(AFTER_SUNSET.year, AFTER_SUNSET.month, AFTER_SUNSET.day)


@pytest.fixture
def after_sunset(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = importlib.import_module("sphinx_apidocs.diff.compare")  # the attribute ``compare`` is the function
    monkeypatch.setattr(engine, "dt", SimpleNamespace(date=_Day))


ARGS = [str(V1_SPECS), str(V2_SPECS), "--old-filters", str(V1_FILTERS), "--new-filters", str(V2_FILTERS)]


def test_the_diff_as_users_run_it(capsys: pytest.CaptureFixture[str], after_sunset: None) -> None:
    status, out, err, _ = run_cli(["diff", *ARGS, "--format", "json"], capsys)
    assert (status, err) == (0, "")
    data = json.loads(out)
    found = {(c["id"], c["operation"], c["subject"]) for c in data["changes"]}
    assert DESIGNED <= found
    assert [row for row in found if not designed(row)] == []
    assert data["summary"]["breaking"] == 0 and data["summary"]["warning"] == 0


def test_the_diff_for_one_audience_is_exactly_the_designed_changes(capsys: pytest.CaptureFixture[str], after_sunset: None) -> None:
    """Each audience's whitelist of the canaries hides ``legacy_rating``: just the five changes."""
    for audience in ("public", "partner", "internal"):
        status, out, err, _ = run_cli(["diff", *ARGS, "--audience", audience, "--format", "json"], capsys)
        assert (status, err) == (0, "")
        found = {(c["id"], c["operation"], c["subject"]) for c in json.loads(out)["changes"]}
        assert found == DESIGNED, audience


def test_the_text_report_names_the_changes(capsys: pytest.CaptureFixture[str], after_sunset: None) -> None:
    status, out, err, _ = run_cli(["diff", *ARGS, "--audience", "public"], capsys)
    assert (status, err) == (0, "")
    assert "removed after its sunset date 2026-11-30" in out
    assert "get-user-legacy-rating" in out and "list-user-portfolio" in out and "paging.total" in out
