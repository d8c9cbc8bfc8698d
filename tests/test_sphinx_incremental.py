"""Rebuilds without ``-E``: exactly the documents showing changed API content are re-read.

Which documents were read is recorded from ``env-before-read-docs`` in each build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_apidocs.spec.serve import serving
from sphinx_projects.buildtools import build, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("basic", tmp_path)


ALL_DOCS = [
    "api/auth", "api/contracts", "api/index", "api/jobs", "api/messages", "api/models", "api/reports", "api/users",
    "index", "operations",
]


def test_unchanged_inputs_reread_nothing(project: Path) -> None:
    out = project.parent / "out"
    assert build(project, out).read == ALL_DOCS
    again = build(project, out)
    assert again.read == []
    assert "no targets are out of date" in again.status
    generated = project / "api" / "contracts.rst"
    stamp = generated.stat().st_mtime_ns
    build(project, out)
    assert generated.stat().st_mtime_ns == stamp  # stub pages are not rewritten either


def test_editing_a_filter_rereads_exactly_the_documents_showing_that_operation(project: Path) -> None:
    out = project.parent / "out"
    build(project, out)
    filters = project.parent / "filters" / "contracts.yaml"
    text = filters.read_text()
    # get-contract's own list ends with "  - created_at" before list-contract-milestones.
    edited = text.replace("  - created_at\n\nlist-contract-milestones", "\nlist-contract-milestones")
    assert edited != text
    filters.write_text(edited)
    result = build(project, out)
    assert result.read == ["api/contracts", "operations"]
    get_contract = (out / "operations.html").read_text().split("search-jobs")[0]
    assert "milestones.payments.method" in get_contract and "created_at" not in get_contract
    # A comment-only edit changes no operation: nothing is re-read.
    filters.write_text("# a comment\n" + edited)
    assert build(project, out).read == []


def test_editing_a_filter_used_by_another_resource_leaves_this_one_alone(project: Path) -> None:
    out = project.parent / "out"
    build(project, out)
    jobs = project.parent / "filters" / "jobs.yaml"
    text = jobs.read_text()
    edited = text.replace("  - paging: &paging [offset, count, total]", "  - paging: &paging [offset, count]", 1)
    assert edited != text
    jobs.write_text(edited)
    assert build(project, out).read == ["api/jobs", "operations"]


def test_a_changed_endpoint_rereads_the_documents_showing_the_change(project: Path) -> None:
    specs = project.parent / "specs"
    out = project.parent / "out"
    with serving(str(specs)) as url:
        overrides = {"apidocs_spec": url}
        assert build(project, out, overrides=overrides).read == ALL_DOCS
        assert build(project, out, overrides=overrides).read == []

        # A summary in /messages: only its resource page shows it (the overview on
        # api/index lists resources, not operations).
        messages = specs / "messages.json"
        messages.write_text(messages.read_text().replace('"summary": "Send a message"', '"summary": "Send one message"'))
        assert build(project, out, overrides=overrides).read == ["api/messages"]

        # A model description reaches every operation whose output fields come from it.
        contracts = specs / "contracts.json"
        contracts.write_text(contracts.read_text().replace("When the payment was made.", "When the payment was made (UTC)."))
        assert build(project, out, overrides=overrides).read == ["api/contracts", "operations"]
        assert "When the payment was made (UTC)." in (out / "operations.html").read_text()

        # A new resource description changes the overview table and that page's title.
        listing = specs / "api-docs.json"
        listing.write_text(listing.read_text().replace('"Time and earnings reports"', '"Time, earnings and tax reports"'))
        assert build(project, out, overrides=overrides).read == ["api/index", "api/reports"]

        assert build(project, out, overrides=overrides).read == []


def test_a_removed_operation_rereads_the_page_that_shows_it(project: Path) -> None:
    out = project.parent / "out"
    build(project, out)
    jobs = project.parent / "specs" / "jobs.json"
    jobs.write_text(jobs.read_text().replace('"nickname": "search-jobs"', '"nickname": "find-jobs"'))
    filters = project.parent / "filters" / "jobs.yaml"
    filters.write_text(filters.read_text().replace("search-jobs:", "find-jobs:"))
    result = build(project, out)
    assert result.read == ["api/jobs", "operations"]
    assert "operation 'search-jobs' is not in the API spec" in result.warnings


def test_parallel_incremental_build(project: Path) -> None:
    out = project.parent / "out"
    build(project, out, parallel=2)
    filters = project.parent / "filters" / "users.yaml"
    filters.write_text(filters.read_text() + "\n# trailing comment\n")
    assert build(project, out, parallel=2).read == []
    messages = project.parent / "filters" / "messages.yaml"
    text = messages.read_text()
    edited = text.replace("      - unread_count\n", "", 1)  # list-threads shows one field less
    assert edited != text
    messages.write_text(edited)
    assert build(project, out, parallel=2).read == ["api/messages"]
