"""Real Sphinx builds of a test project: every builder with ``-W``, ``-j 2`` vs ``-j 1``, a
text regression of rendered operations, cross-references, ``objects.inv`` and intersphinx."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sphinx.util.inventory import InventoryFile

from sphinx_projects.buildtools import HERE, build, copy_project

# html is built (with -W) by the ``html`` fixture that the html tests share.
OTHER_BUILDERS = ["dirhtml", "singlehtml", "text", "latex", "man", "epub"]
EXPECTED = HERE / "basic" / "expected"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project("basic", tmp_path_factory.mktemp("basic"))


@pytest.fixture(scope="module")
def html(project: Path) -> Path:
    result = build(project, project.parent / "out" / "html", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    return result.outdir


@pytest.mark.parametrize("builder", OTHER_BUILDERS)
def test_every_builder_succeeds_with_W(project: Path, builder: str) -> None:
    result = build(project, project.parent / "out" / builder, builder, warningiserror=True)
    assert result.warning_lines() == []
    assert result.statuscode == 0
    produced = [p for p in result.outdir.rglob("*") if p.is_file()]
    assert produced
    if builder == "latex":
        tex = next(result.outdir.glob("*.tex")).read_text()
        assert "Possible output fields" in tex and "milestones.payments.paid\\_at" in tex
    if builder == "man":
        page = next(result.outdir.rglob("*.1")).read_text()
        assert "get\\-contract" in page


def test_html_builds_with_W_and_one_page_per_resource(html: Path, project: Path) -> None:
    pages = sorted(p.name for p in (html / "api").glob("*.html"))
    assert pages == ["auth.html", "contracts.html", "index.html", "jobs.html", "messages.html", "models.html", "reports.html", "users.html"]
    assert (project / "api" / "contracts.rst").read_text().splitlines()[-1] == ".. api:resource-page:: contracts"


def test_parallel_read_produces_the_same_pages(project: Path, html: Path) -> None:
    parallel = build(project, project.parent / "out" / "html-j2", parallel=2, warningiserror=True)
    assert parallel.statuscode == 0, parallel.warnings
    serial_pages = sorted(p.relative_to(html) for p in html.rglob("*.html"))
    assert serial_pages == sorted(p.relative_to(parallel.outdir) for p in parallel.outdir.rglob("*.html"))
    for page in serial_pages:
        assert _stable(html / page) == _stable(parallel.outdir / page), page
    assert _inventory(html) == _inventory(parallel.outdir)


def test_operation_text_regression(project: Path) -> None:
    """The text rendering of two operations (with an author's note) is pinned in a file.

    Set ``APIDOCS_REGEN=1`` to rewrite the expected file after an intended change.
    """
    result = build(project, project.parent / "out" / "text", "text")
    actual = (result.outdir / "operations.txt").read_text()
    expected_file = EXPECTED / "operations.txt"
    if os.environ.get("APIDOCS_REGEN"):
        expected_file.parent.mkdir(exist_ok=True)
        expected_file.write_text(actual)
    assert actual == expected_file.read_text()


def test_doctree_of_an_operation(project: Path) -> None:
    """Read time keeps a skeleton (targets, index entries, a placeholder); the resolved doctree
    has the generated tables, with the response model linked. (Docutils tables for non-HTML
    builders; HTML builders get the same tables as markup, see the next test.)"""
    from docutils import nodes
    from sphinx import addnodes

    from sphinx_apidocs.sphinxext.render import apidocs_body

    result = build(project, project.parent / "out" / "text-doctree", "text")
    env = result.app.env
    skeleton = env.get_doctree("api/contracts")
    assert not list(skeleton.findall(nodes.table))
    assert [p["name"] for p in skeleton.findall(apidocs_body)][:3] == ["/contracts", "list-contracts", "get-contract"]
    index_entries = [e for n in skeleton.findall(addnodes.index) for e in n["entries"]]
    assert ("single", "get-contract (API operation)", "api-op-get-contract", "", None) in index_entries

    doctree = env.get_and_resolve_doctree("api/contracts", result.app.builder, tags=result.app.tags)
    assert not list(doctree.findall(apidocs_body))
    ops = [d for d in doctree.findall(addnodes.desc) if d["objtype"] == "operation"]
    assert [d[0]["ids"] for d in ops][:2] == [["api-op-list-contracts"], ["api-op-get-contract"]]
    get_contract = ops[1]
    assert get_contract[0].astext() == "GET /contracts/{contract_id}"
    rubrics = [r.astext() for r in get_contract.findall(nodes.rubric)]
    assert rubrics == ["Parameters", "Request sample", "Response messages", "Response example", "Possible output fields"]
    params, responses, fields = get_contract.findall(nodes.table)
    rows = [[e.astext() for e in row.findall(nodes.entry)] for row in fields.findall(nodes.row)]
    assert rows[0] == ["Field", "Type", "Description"]
    assert ["milestones.payments.paid_at", "string (date-time)", "When the payment was made."] in rows
    assert [[e.astext() for e in row.findall(nodes.entry)] for row in params.findall(nodes.row)][1] == [
        "contract_id", "path", "integer (int64)", "yes", "", "at least 1", "Contract id."
    ]
    links = [r["refuri"] for r in responses.findall(nodes.reference)]
    assert links == ["#api-model-Error"] * 3  # the text builder writes no page part


def test_html_doctree_has_the_tables_as_markup(project: Path) -> None:
    """HTML builders: an operation's body is one ``apidocs_html`` node, the markup the docutils
    writer would write, with its text as its child (for the search index)."""
    from docutils import nodes
    from sphinx import addnodes

    from sphinx_apidocs.sphinxext.fasthtml import apidocs_html

    result = build(project, project.parent / "out" / "html-doctree")
    doctree = result.app.env.get_and_resolve_doctree("api/contracts", result.app.builder, tags=result.app.tags)
    get_contract = [d for d in doctree.findall(addnodes.desc) if d["objtype"] == "operation"][1]
    assert not list(get_contract.findall(nodes.table))
    (body,) = get_contract.findall(apidocs_html)
    markup = body["html"]
    rubrics = ['<p class="api-rubric api-parameters rubric">Parameters</p>\n<table class="api-table api-parameters docutils align-default">',
               '<p class="api-rubric api-responses rubric">Response messages</p>\n<table class="api-table api-responses',
               '<p class="api-rubric api-output-fields rubric">Possible output fields</p>\n<table class="api-table api-output-fields']
    assert [markup.find(r) for r in rubrics] == sorted(markup.find(r) for r in rubrics) and all(r in markup for r in rubrics)
    assert '<dt class="field-odd">Nickname<span class="colon">:</span></dt>' in markup
    assert "<td><p>Contract id.</p></td>" in markup and "Contract id." in body.astext()
    assert markup.count('href="models.html#api-model-Error"') == 3
    assert "milestones.payments.paid_at string (date-time) When the payment was made." in body.astext()


def test_cross_references_resolve(html: Path) -> None:
    index = (html / "index.html").read_text()
    assert 'href="api/contracts.html#api-op-get-contract"' in index
    assert index.count('href="api/jobs.html#api-res-jobs"') == 2  # with and without the slash
    assert 'href="api/contracts.html#api-op-list-payments"' in index  # :any:
    contracts = (html / "api" / "contracts.html").read_text()
    # a model only this resource uses is rendered with it; a shared one on the models page
    assert 'href="models.html#api-model-Error"' in contracts
    assert 'id="api-model-Error"' in (html / "api" / "models.html").read_text()
    assert 'id="api-model-contracts-Contract"' in contracts


def test_objects_inv_lists_operations_resources_and_models(html: Path) -> None:
    inventory = _inventory(html)
    assert inventory["api:operation"]["get-contract"].uri == "api/contracts.html#api-op-get-contract"
    assert inventory["api:operation"]["get-contract"].display_name == "GET /contracts/{contract_id}"
    assert set(inventory["api:resource"]) == {"/auth", "/users", "/jobs", "/contracts", "/messages", "/reports"}
    assert len(inventory["api:operation"]) == 28
    assert "/contracts:Milestone" in inventory["api:model"]


def test_intersphinx_links_to_operations(html: Path, tmp_path: Path) -> None:
    """Another project links to our operations through ``objects.inv`` alone."""
    src = tmp_path / "linker"
    src.mkdir()
    (src / "conf.py").write_text(
        'extensions = ["sphinx.ext.intersphinx", "sphinx_apidocs"]\n'
        f"intersphinx_mapping = {{'market': ({str(html)!r}, None)}}\n"
    )
    (src / "index.rst").write_text(
        "Linker\n======\n\nSee :api:op:`market:get-contract` and :api:res:`/contracts`.\n"
    )
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.warning_lines() == []
    page = (result.outdir / "index.html").read_text()
    assert f'href="{html}/api/contracts.html#api-op-get-contract"' in page
    assert f'href="{html}/api/contracts.html#api-res-contracts"' in page


def test_dangling_operation_reference_warns(tmp_path: Path, project: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f'extensions = ["sphinx_apidocs"]\napidocs_spec = {str(project.parent / "specs")!r}\n')
    (src / "index.rst").write_text("Title\n=====\n\n:api:op:`no-such-operation`\n")
    result = build(src, tmp_path / "out")
    assert "undefined API operation: no-such-operation" in result.warnings


def _stable(page: Path) -> str:
    # Static asset cache-busting checksums may differ between two builds.
    return re.sub(r"\?v=[0-9a-f]+", "", page.read_text())


def _inventory(outdir: Path) -> dict:
    return InventoryFile.loads((outdir / "objects.inv").read_bytes(), uri="").data
