"""One fixture pair per rule id, loaded through the real loaders, with the exact changes expected.

Fixtures: ``tests/diff_fixtures/<case>/old.*`` and ``new.*`` (Swagger 1.2 declarations, OpenAPI
3.0 YAML or JSON, some pairs mixing the two), plus ``old-filters.yaml`` / ``new-filters.yaml``
where the case is about the whitelist (see ``diff_fixtures/make_fixtures.py``). The expected
lists below are written by hand: (rule id, level, operation, subject), and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from sphinx_apidocs.diff import RULES, Change, compare, contract_of, diff_specs
from sphinx_apidocs.filters import FilterTree, load_filter_trees
from sphinx_apidocs.spec import load_spec

FIXTURES = Path(__file__).resolve().parent / "diff_fixtures"
Row = tuple[str, str, str, str]

#: case folder -> the exact changes, as (id, level, operation, subject).
EXPECTED: dict[str, list[Row]] = {
    "operation-removed": [("operation-removed", "breaking", "list-pets", "")],
    "operation-added": [("operation-added", "info", "create-pet", "")],
    "operation-renamed": [("operation-renamed", "info", "fetch-pet", "")],
    "operation-moved": [("operation-moved", "breaking", "get-pet", "")],
    "operation-deprecated": [("operation-deprecated", "warning", "get-pet", "")],
    "operation-removed-after-sunset": [("operation-removed-after-sunset", "info", "get-pet", "")],
    "operation-sunset-announced": [("operation-sunset-announced", "warning", "get-pet", "")],
    "operation-past-sunset": [("operation-past-sunset", "warning", "get-pet", "")],
    "parameter-added-required": [("parameter-added-required", "breaking", "get-pet", "X-Tenant")],
    "parameter-added-optional": [("parameter-added-optional", "info", "list-pets", "sort")],
    "parameter-removed": [("parameter-removed", "warning", "list-pets", "limit")],
    "parameter-became-required": [("parameter-became-required", "breaking", "list-pets", "status")],
    "parameter-became-optional": [("parameter-became-optional", "info", "list-pets", "status")],
    "parameter-type-changed": [("parameter-type-changed", "breaking", "get-pet", "petId")],
    "parameter-location-changed": [("parameter-location-changed", "breaking", "list-pets", "limit")],
    "parameter-enum-value-removed": [("parameter-enum-value-removed", "breaking", "list-pets", "status")],
    "parameter-enum-value-added": [("parameter-enum-value-added", "info", "list-pets", "status")],
    "parameter-default-changed": [("parameter-default-changed", "warning", "list-pets", "limit")],
    "request-field-became-required": [("request-field-became-required", "breaking", "create-pet", "age")],
    "request-field-type-changed": [("request-field-type-changed", "breaking", "create-pet", "age")],
    "request-field-added-required": [("request-field-added-required", "breaking", "create-pet", "species")],
    "request-field-added-optional": [("request-field-added-optional", "info", "create-pet", "color")],
    "request-field-removed": [("request-field-removed", "warning", "create-pet", "tag")],
    "request-field-became-optional": [("request-field-became-optional", "info", "create-pet", "name")],
    "request-field-enum-value-removed": [("request-field-enum-value-removed", "breaking", "create-pet", "kind")],
    "request-field-enum-value-added": [("request-field-enum-value-added", "info", "create-pet", "kind")],
    "scope-added": [("scope-added", "breaking", "get-pet", "pets:admin")],
    "scope-removed": [("scope-removed", "info", "get-pet", "pets:admin")],
    "response-field-removed": [("response-field-removed", "breaking", "get-pet", "nickname")],
    "response-field-unexposed": [("response-field-unexposed", "breaking", "get-pet", "name")],
    "response-field-type-changed": [("response-field-type-changed", "breaking", "list-pets", "items.id")],
    "response-type-changed": [("response-type-changed", "breaking", "get-pet", "")],
    "response-field-added": [("response-field-added", "info", "get-pet", "app\\.version")],
    "response-field-exposed": [("response-field-exposed", "info", "get-pet", "status")],
    "response-field-enum-value-added": [("response-field-enum-value-added", "warning", "get-pet", "status")],
    "response-field-enum-value-removed": [("response-field-enum-value-removed", "info", "get-pet", "status")],
    "response-code-removed": [("response-code-removed", "warning", "get-pet", "404")],
    "response-code-added": [("response-code-added", "info", "get-pet", "410")],
    "response-field-deprecated": [("response-field-deprecated", "warning", "get-pet", "name")],
    "response-field-became-optional": [("response-field-became-optional", "warning", "get-pet", "name")],
    "response-field-removed-after-sunset": [("response-field-removed-after-sunset", "info", "get-pet", "nickname")],
    "response-field-sunset-announced": [("response-field-sunset-announced", "warning", "get-pet", "nickname")],
    "response-field-past-sunset": [("response-field-past-sunset", "warning", "get-pet", "nickname")],  # 1.2 -> OpenAPI 3
    "description-changed": [
        ("description-changed", "info", "get-pet", ""),  # the summary; the notes differ in whitespace only
        ("description-changed", "info", "get-pet", "petId"),
    ],
    # Behaviours rather than rules:
    "hidden-field-removed": [],  # no filter exposes it: no change at all
    "nested-field-removed": [("response-field-removed", "breaking", "get-pet", "owner")],  # not owner.name, owner.email
    "path-parameter-renamed": [],  # /pets/{petId} -> /pets/{id}
    "format-suffix": [],  # /pets.{format}/{petId} (Swagger 1.2) -> /pets/{petId}
    "same-api-two-formats": [],  # Swagger 1.2 -> OpenAPI 3.0
    "whitelist-paths-not-in-model": [],  # ghost, owner.ghost, name.first: the model certainly lacks them
    "response-field-removed-before-sunset": [("response-field-removed", "breaking", "get-pet", "nickname")],
    "response-field-unexposed-after-sunset": [("response-field-removed-after-sunset", "info", "get-pet", "nickname")],
    "filter-through-free-form-object": [
        ("response-field-exposed", "info", "get-pet", "owner.extra.origin"),
        ("response-field-unexposed", "breaking", "get-pet", "owner.extra.source"),
    ],
}

#: The values of one-change cases: (old, new) as JSON values.
VALUES: dict[str, tuple[Any, Any]] = {
    "operation-renamed": ("get-pet", "fetch-pet"),
    "operation-moved": ("/pets/{petId}", "/animals/{petId}"),
    "parameter-type-changed": ("integer/int64", "string"),
    "parameter-location-changed": ("query", "header"),
    "parameter-default-changed": (20, 50),  # "20" in Swagger 1.2, 50 in OpenAPI: both numbers
    "parameter-enum-value-removed": ("sold", None),
    "parameter-enum-value-added": (None, "pending"),
    "parameter-became-required": (False, True),
    "request-field-type-changed": ("integer/int32", "string"),
    "request-field-enum-value-removed": ("dog", None),
    "scope-added": (None, "pets:admin"),
    "response-code-removed": ("404", None),
    "response-field-type-changed": ("integer/int64", "string"),
    "response-type-changed": ("object", "array[object]"),
    "response-field-enum-value-added": (None, "pending"),
    "response-field-removed": ("string", None),
    "response-field-removed-after-sunset": ("2001-01-01", None),
    "response-field-sunset-announced": (None, "2999-01-01"),
    "response-field-past-sunset": (None, "2001-01-01"),
    "response-field-removed-before-sunset": ("string", None),
    "response-field-unexposed-after-sunset": ("2001-01-01", None),
}


def load_case(name: str) -> tuple[Any, Any, Any, Any]:
    """(old spec, new spec, old filters, new filters) of one fixture case, via the real loaders."""
    folder = FIXTURES / name
    (old,) = folder.glob("old.*")
    (new,) = folder.glob("new.*")
    filters = [folder / f"{side}-filters.yaml" for side in ("old", "new")]
    old_filters, new_filters = (load_filter_trees(str(path)) if path.exists() else None for path in filters)
    return load_spec(str(old)), load_spec(str(new)), old_filters, new_filters


def changes_of(name: str) -> list[Change]:
    return diff_specs(*load_case(name))


def rows(changes: list[Change]) -> list[Row]:
    return [(change.id, change.level.label, change.operation, change.subject) for change in changes]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exactly_the_expected_changes(name: str) -> None:
    assert rows(changes_of(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(VALUES))
def test_old_and_new_values(name: str) -> None:
    (change,) = changes_of(name)
    assert (change.old, change.new) == VALUES[name]


def test_every_rule_has_its_fixture() -> None:
    """Adding a rule without a fixture pair (and an expected row naming it) fails here."""
    wanted = set(RULES) - {"operation-audience-narrowed"}  # audiences: a later issue
    assert wanted - set(EXPECTED) == set()
    for rule in wanted:
        assert rule in {row[0] for row in EXPECTED[rule]}, rule
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert set(EXPECTED) == folders


def test_fixtures_mix_formats() -> None:
    suffixes = {path.suffix for path in FIXTURES.glob("*/old.*")} | {path.suffix for path in FIXTURES.glob("*/new.*")}
    kinds = set()
    for path in FIXTURES.glob("*/*.*"):
        if "filters" not in path.name and path.suffix in (".json", ".yaml"):
            kinds.add(load_spec(str(path)).format_label.split()[0])
    assert suffixes == {".json", ".yaml"} and kinds == {"Swagger", "OpenAPI"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messages_are_one_line_and_name_the_operation_and_subject(name: str) -> None:
    for change in changes_of(name):
        assert "\n" not in change.message and change.message
        assert f"({change.operation})" in change.message
        assert change.subject in change.message
        json.dumps(change.as_json())  # old/new are JSON values


def test_the_same_fixture_reversed_gives_the_mirror_rule() -> None:
    old, new, old_filters, new_filters = load_case("response-field-exposed")
    assert rows(diff_specs(new, old, new_filters, old_filters)) == [
        ("response-field-unexposed", "breaking", "get-pet", "status")
    ]
    old, new, _, _ = load_case("operation-added")
    assert rows(diff_specs(new, old)) == [("operation-removed", "breaking", "create-pet", "")]


# -- the whitelist makes the difference ------------------------------------------------------------


def test_removing_a_schema_optional_but_whitelisted_field_is_breaking() -> None:
    old, new, old_filters, new_filters = load_case("response-field-removed")
    prop = old.models()["Pet"].property("nickname")
    assert prop is not None and not prop.required  # the schema says optional ...
    (change,) = diff_specs(old, new, old_filters, new_filters)
    assert (change.id, change.level.label) == ("response-field-removed", "breaking")  # ... the whitelist says sent


def test_removing_a_field_no_filter_exposes_is_no_change() -> None:
    old, new, old_filters, new_filters = load_case("hidden-field-removed")
    assert diff_specs(old, new, old_filters, new_filters) == []
    # Without the whitelist the same edit is a removal: the filter is what makes it harmless.
    assert rows(diff_specs(old, new)) == [("response-field-removed", "breaking", "get-pet", "nickname")]


def test_a_path_dropped_from_the_whitelist_is_unexposed_and_says_fields_requests_fail() -> None:
    old, new, old_filters, new_filters = load_case("response-field-unexposed")
    assert old.models() == new.models()
    (change,) = diff_specs(old, new, old_filters, new_filters)
    assert change.id == "response-field-unexposed"
    assert "fields=" in change.message and "400" in change.message


def test_a_filtered_operation_and_an_unfiltered_one_see_the_same_model_differently() -> None:
    """Filters are per operation: an operation without a filter exposes its whole model."""
    old, new, _, _ = load_case("response-field-removed")
    only_other = {"list-pets": load_filter_trees(str(FIXTURES / "response-field-removed" / "old-filters.yaml"))["get-pet"]}
    assert rows(diff_specs(old, new, only_other, only_other)) == [
        ("response-field-removed", "breaking", "get-pet", "nickname")
    ]


PAST_SUNSET = {"operation-past-sunset", "response-field-past-sunset"}


def test_compare_of_a_contract_with_itself_is_empty_for_every_fixture() -> None:
    """Empty, except for what a contract says about itself: an operation or a response field
    still there after its sunset date is a warning in any comparison (``*-past-sunset``);
    before the date, nothing at all."""
    for name in EXPECTED:
        old, new, old_filters, new_filters = load_case(name)
        for spec, filters in ((old, old_filters), (new, new_filters)):
            contract = contract_of(spec, filters)
            assert [c for c in compare(contract, contract) if c.id not in PAST_SUNSET] == []
            assert compare(contract, contract, today=dt.date(2000, 1, 1)) == []
            assert contract == contract_of(spec, filters)
            assert pickle.loads(pickle.dumps(contract)) == contract  # e.g. kept in a Sphinx environment


# -- recursion and depth -----------------------------------------------------------------------------


def _declaration(models: dict[str, Any], response: str) -> dict[str, Any]:
    return {
        "swaggerVersion": "1.2",
        "basePath": "https://api.example.com",
        "resourcePath": "/things",
        "apis": [{"path": "/things", "operations": [{"method": "GET", "nickname": "get-thing", "type": response}]}],
        "models": models,
    }


def _category(name_type: str) -> dict[str, Any]:
    return {
        "Category": {
            "id": "Category",
            "properties": {
                "name": {"type": name_type},
                "parent": {"$ref": "Category"},
                "children": {"type": "array", "items": {"$ref": "Category"}},
            },
        }
    }


def _load(path: Path, doc: dict[str, Any]) -> Any:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_spec(str(path))


def load_filter_trees_from(folder: Path, paths: list[str]) -> Any:
    (folder / "filters.yaml").write_text(json.dumps({"get-thing": paths}), encoding="utf-8")
    return load_filter_trees(str(folder / "filters.yaml"))["get-thing"]


def test_a_recursive_model_is_cut_where_it_recurs_but_a_filter_goes_deeper(tmp_path: Path) -> None:
    old = _load(tmp_path / "old.json", _declaration(_category("string"), "Category"))
    new = _load(tmp_path / "new.json", _declaration(_category("integer"), "Category"))
    # Whole model: the category is not expanded inside itself (parent.name would repeat name).
    assert rows(diff_specs(old, new)) == [("response-field-type-changed", "breaking", "get-thing", "name")]
    whitelist = {"get-thing": load_filter_trees_from(tmp_path, ["name", "parent.parent.name", "children.name"])}
    assert rows(diff_specs(old, new, whitelist, whitelist)) == [
        ("response-field-type-changed", "breaking", "get-thing", "children.name"),
        ("response-field-type-changed", "breaking", "get-thing", "name"),
        ("response-field-type-changed", "breaking", "get-thing", "parent.parent.name"),
    ]


def test_a_chain_of_two_thousand_models_neither_loops_nor_exhausts_the_stack(tmp_path: Path) -> None:
    def chain(leaf: str) -> dict[str, Any]:
        models = {f"M{i}": {"id": f"M{i}", "properties": {"next": {"$ref": f"M{i + 1}"}}} for i in range(2000)}
        models["M2000"] = {"id": "M2000", "properties": {"leaf": {"type": leaf}}}
        return _declaration(models, "M0")

    old = _load(tmp_path / "old.json", chain("string"))
    new = _load(tmp_path / "new.json", chain("integer"))
    assert diff_specs(old, old) == []
    assert diff_specs(old, new) == []  # deeper than the fields compared (MAX_FIELD_DEPTH)
    shallow_old = _load(tmp_path / "a.json", _declaration({"M0": {"id": "M0", "properties": {"leaf": {"type": "string"}}}}, "M0"))
    shallow_new = _load(tmp_path / "b.json", _declaration({"M0": {"id": "M0", "properties": {"leaf": {"type": "integer"}}}}, "M0"))
    assert rows(diff_specs(shallow_old, shallow_new)) == [("response-field-type-changed", "breaking", "get-thing", "leaf")]


def test_a_hostile_field_name_keeps_the_message_on_one_line(tmp_path: Path) -> None:
    models = {"M": {"id": "M", "properties": {"evil\nname\u2028x": {"type": "string"}, "id": {"type": "string"}}}}
    old = _load(tmp_path / "old.json", _declaration(models, "M"))
    new = _load(tmp_path / "new.json", _declaration({"M": {"id": "M", "properties": {"id": {"type": "string"}}}}, "M"))
    (change,) = diff_specs(old, new)
    assert change.subject == "evil\nname\u2028x"
    assert "\n" not in change.message and "\u2028" not in change.message


# -- lifecycle of response fields --------------------------------------------------------------------


def test_a_field_removal_is_planned_from_its_sunset_date_on() -> None:
    """``today`` decides: before the date the removal breaks clients, on the date and after it is
    the planned removal the old release announced."""
    old, new, old_filters, new_filters = load_case("response-field-removed-after-sunset")
    before, after = contract_of(old, old_filters), contract_of(new, new_filters)
    for today, expected in (
        (dt.date(2000, 12, 31), ("response-field-removed", "breaking", "string")),
        (dt.date(2001, 1, 1), ("response-field-removed-after-sunset", "info", "2001-01-01")),
        (dt.date(2026, 12, 2), ("response-field-removed-after-sunset", "info", "2001-01-01")),
    ):
        (change,) = compare(before, after, today=today)
        assert (change.id, change.level.label, change.old) == expected, today
        assert change.subject == "nickname" and change.new is None


def test_a_field_is_past_its_sunset_the_day_after() -> None:
    old, _, old_filters, _ = load_case("response-field-past-sunset")
    contract = contract_of(old, old_filters)
    assert compare(contract, contract, today=dt.date(2001, 1, 1)) == []
    (change,) = compare(contract, contract, today=dt.date(2001, 1, 2))
    assert (change.id, change.subject, change.old, change.new) == ("response-field-past-sunset", "nickname", None, "2001-01-01")
    assert "2001-01-01" in change.message


def test_both_formats_give_a_field_its_sunset_date() -> None:
    """1.2 ``sunset`` on a model property and OpenAPI ``x-sunset`` on a schema property (a
    datetime counts by its day) are one contract."""
    old, new, old_filters, new_filters = load_case("response-field-past-sunset")
    assert contract_of(old, old_filters) == contract_of(new, new_filters)
    field = contract_of(new, new_filters).operation("get-pet").response.get("nickname")  # type: ignore[union-attr]
    assert field is not None and field.sunset == "2001-01-01"


def test_a_sunset_date_on_a_field_no_whitelist_exposes_is_no_change() -> None:
    old, new, _, _ = load_case("response-field-past-sunset")
    hidden = {"get-pet": FilterTree.from_paths(["id", "name"])}
    assert compare(contract_of(old, hidden), contract_of(new, hidden)) == []


def test_a_past_sunset_field_below_an_array_is_named_by_its_dotted_path(tmp_path: Path) -> None:
    models = {
        "List": {"id": "List", "properties": {"items": {"type": "array", "items": {"$ref": "Item"}}}},
        "Item": {"id": "Item", "properties": {"id": {"type": "string"}, "old": {"type": "string", "sunset": "2001-01-01T00:00:00Z"}}},
    }
    spec = _load(tmp_path / "a.json", _declaration(models, "List"))
    (change,) = compare(contract_of(spec), contract_of(spec))
    assert (change.id, change.subject, change.new) == ("response-field-past-sunset", "items.old", "2001-01-01")
