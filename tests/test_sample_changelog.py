"""The sample API's previous release (``sample_releases/2026-09``) is what its script makes from
the current sample, and the diff between the two shows the changes the script describes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx_apidocs.diff import diff_specs
from sphinx_apidocs.filters import load_filter_trees
from sphinx_apidocs.spec import load_spec

REPO = Path(__file__).resolve().parents[1]


def make_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_2026_09", REPO / "sample_releases" / "make_2026_09.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_previous_release_is_up_to_date() -> None:
    expected = make_module().expected()
    folder = REPO / "sample_releases" / "2026-09"
    written = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}
    assert written == expected, "run: python sample_releases/make_2026_09.py"


def test_the_release_differs_by_what_the_script_says() -> None:
    old = REPO / "sample_releases" / "2026-09"
    changes = diff_specs(
        load_spec(str(old / "sample_specs")), load_spec(str(REPO / "sample_specs")),
        load_filter_trees(str(old / "output_filters")), load_filter_trees(str(REPO / "output_filters")),
    )
    found = {(c.id, c.operation, c.subject) for c in changes}
    assert ("operation-added", "list-payments", "") in found
    assert ("parameter-enum-value-added", "search-jobs", "job_type") in found
    assert ("parameter-default-changed", "list-threads", "count") in found
    assert ("response-field-exposed", "get-job", "proposals_count") in found
    assert ("description-changed", "get-user", "") in found
    assert not [c for c in changes if c.level.label == "breaking"]


def test_the_docs_list_every_rule_with_its_level() -> None:
    from sphinx_apidocs.diff import RULES

    text = (REPO / "docs" / "changelog.rst").read_text(encoding="utf-8")
    for rule_id, rule in RULES.items():
        assert f"   * - ``{rule_id}``\n     - {rule.level.label}\n" in text, rule_id
