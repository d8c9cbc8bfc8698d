"""Every documented option of the ``api`` directives (``docs/sphinx.rst``), each with its
visible effect: a small project built in ``tmp_path`` with the option and, where the option
takes something away, the same directive without it on the same page. Each test fails if
its option is ignored. Also: object descriptions and the table of contents
(``toc_object_entries``), and the author's content in a directive's body.

``api:resource-page`` and ``api:spec-page`` (generated pages, ``apidocs_resource_pages``)
take no options: ``test_sphinx_build`` and ``test_security_pages`` cover them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes

from sphinx_projects.buildtools import SAMPLE_FILTERS, SAMPLE_SPECS, BuildResult, build

RESOURCES = ["/auth", "/users", "/jobs", "/contracts", "/messages", "/reports"]
CONTRACT_OPERATIONS = [
    "list-contracts", "get-contract", "list-contract-milestones", "create-milestone",
    "delete-milestone", "approve-milestone", "list-payments",
]


def build_page(tmp_path: Path, body: str, **config: Any) -> BuildResult:
    """``index.rst`` = a title and ``body``, with the sample API and its filters; ``-W``."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'extensions = ["sphinx_apidocs"]\n'
        f"apidocs_spec = {str(SAMPLE_SPECS)!r}\napidocs_filters = {str(SAMPLE_FILTERS)!r}\n"
    )
    (src / "index.rst").write_text(f"Page\n====\n\n{body}")
    result = build(src, tmp_path / "out", overrides=config, warningiserror=True)
    assert result.statuscode == 0 and result.warning_lines() == [], result.warnings
    return result


def html(result: BuildResult) -> str:
    return (result.outdir / "index.html").read_text()


def descs(result: BuildResult, objtype: str) -> list[addnodes.desc]:
    """The ``desc`` nodes of ``objtype`` on the page, as read (before bodies are expanded)."""
    doctree = result.app.env.get_doctree("index")
    return [d for d in doctree.findall(addnodes.desc) if d["objtype"] == objtype]


def ids(result: BuildResult, prefix: str) -> list[str]:
    """The ``id`` attributes starting with ``prefix`` in the page's HTML."""
    return re.findall(rf'id="({re.escape(prefix)}[^"]*)"', html(result))


def inventory(result: BuildResult) -> dict[str, set[str]]:
    domain = result.app.env.get_domain("api")
    found: dict[str, set[str]] = {}
    for name, _disp, objtype, _doc, _anchor, _prio in domain.get_objects():
        found.setdefault(objtype, set()).add(name)
    return found


def index_entries(result: BuildResult) -> list[str]:
    doctree = result.app.env.get_doctree("index")
    return [entry[1] for node in doctree.findall(addnodes.index) for entry in node["entries"]]


# -- api:operation --------------------------------------------------------------------------


def test_operation_no_index_leaves_out_target_index_entry_and_inventory(tmp_path: Path) -> None:
    """The same operation twice, the second with ``:no-index:``: no duplicate warning (the
    build runs with ``-W``), one target, one set of index entries, both rendered in full."""
    result = build_page(
        tmp_path,
        ".. api:operation:: get-contract\n\n.. api:operation:: get-contract\n   :no-index:\n",
    )
    first, second = descs(result, "operation")
    assert first[0]["ids"] == ["api-op-get-contract"] and not first["no-index"]
    assert second[0]["ids"] == [] and second["no-index"]
    assert ids(result, "api-op-") == ["api-op-get-contract"]
    assert index_entries(result).count("get-contract (API operation)") == 1
    assert inventory(result)["operation"] == {"get-contract"}
    assert html(result).count("Possible output fields") == 2


def test_operation_alone_with_no_index_is_not_in_the_inventory(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:operation:: get-contract\n   :no-index:\n")
    assert ids(result, "api-op-") == []
    assert index_entries(result) == []
    assert "operation" not in inventory(result)
    assert "GET" in html(result) and "/contracts/{contract_id}" in html(result)


def test_operation_body_is_the_authors_content_after_the_generated_one(tmp_path: Path) -> None:
    result = build_page(
        tmp_path, ".. api:operation:: get-contract\n\n   A note by the author, with *markup*.\n"
    )
    (desc,) = descs(result, "operation")
    content = desc[1]
    assert isinstance(content, addnodes.desc_content)
    assert content[0].tagname == "apidocs_body"  # the generated body comes first
    note = content[1]
    assert isinstance(note, nodes.paragraph) and note.astext() == "A note by the author, with markup."
    assert list(note.findall(nodes.emphasis))
    page = html(result)
    assert page.index("Possible output fields") < page.index("A note by the author, with <em>markup</em>.")


# -- api:resource ---------------------------------------------------------------------------


def test_resource_no_models_leaves_out_the_models(tmp_path: Path) -> None:
    result = build_page(
        tmp_path,
        ".. api:resource:: /contracts\n   :no-models:\n\n.. api:resource:: /jobs\n",
    )
    without, control = descs(result, "resource")
    rubrics = lambda desc: [r.astext() for r in desc.findall(nodes.rubric)]  # noqa: E731
    assert "Models" not in rubrics(without) and "Models" in rubrics(control)
    models = descs(result, "model")
    assert models and all(m[0]["ids"][0].startswith("api-model-jobs-") for m in models)
    assert not ids(result, "api-model-contracts-")
    # the operations are still there, in full
    assert [op[0]["ids"][0] for op in descs(result, "operation")][:7] == [f"api-op-{n}" for n in CONTRACT_OPERATIONS]
    assert {name.partition(":")[0] for name in inventory(result)["model"]} == {"/jobs"}


def test_resource_no_index_applies_to_its_operations_and_models(tmp_path: Path) -> None:
    """The same resource twice, the second with ``:no-index:``: ``-W`` passes (no duplicate
    resource, operation or model), and only the first one's objects have targets."""
    result = build_page(tmp_path, ".. api:resource:: /contracts\n\n.. api:resource:: contracts\n   :no-index:\n")
    first, second = descs(result, "resource")
    assert first[0]["ids"] == ["api-res-contracts"] and second[0]["ids"] == []
    nested = [d for d in second.findall(addnodes.desc) if d is not second]
    assert nested and all(d["no-index"] and d[0]["ids"] == [] for d in nested)
    assert {d["objtype"] for d in nested} == {"operation", "model"}
    page_ids = ids(result, "api-")
    assert len(page_ids) == len(set(page_ids)) and "api-op-get-contract" in page_ids
    assert inventory(result)["resource"] == {"/contracts"}


def test_resource_body_follows_its_description_before_the_operations(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:resource:: /contracts\n\n   Written by the author.\n")
    (desc,) = descs(result, "resource")
    content = desc[1]
    assert content[0].tagname == "apidocs_body"
    assert content[1].astext() == "Written by the author."
    assert isinstance(content[2], addnodes.index) and isinstance(content[3], addnodes.desc)  # the first operation
    page = html(result)
    assert page.index("Written by the author.") < page.index('id="api-op-list-contracts"')


# -- api:spec -------------------------------------------------------------------------------


def test_spec_operations_adds_the_table_of_operations(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:spec::\n   :operations:\n\n.. api:resource:: /contracts\n")
    page = html(result)
    assert page.count('<table class="api-table api-resources') == 1
    assert page.count('<table class="api-table api-operations') == 1
    table = page[page.index('<table class="api-table api-operations'):]
    table = table[: table.index("</table>")]
    assert table.count("<tr") == 1 + 28  # the header and every operation of the sample API
    assert 'href="#api-op-get-contract"' in table  # linked where the operation is rendered


def test_spec_without_operations_has_no_table_of_operations(tmp_path: Path) -> None:
    page = html(build_page(tmp_path, ".. api:spec::\n"))
    assert '<table class="api-table api-resources' in page
    assert "api-operations" not in page


def test_spec_full_describes_every_resource_on_the_page(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:spec::\n   :full:\n")
    assert [d[0]["ids"] for d in descs(result, "resource")] == [[f"api-res-{r[1:]}"] for r in RESOURCES]
    assert len(descs(result, "operation")) == 28
    assert inventory(result)["resource"] == set(RESOURCES)
    assert 'href="#api-res-contracts"' in html(result)  # the overview links to them, on this page


def test_spec_without_full_describes_no_resource(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:spec::\n")
    assert descs(result, "resource") == [] and descs(result, "operation") == []


def test_spec_full_with_no_index_has_no_targets(tmp_path: Path) -> None:
    """Beside a ``:full:`` overview with targets, a second one with ``:no-index:`` builds
    with ``-W`` (no duplicates) and adds no target."""
    result = build_page(tmp_path, ".. api:spec::\n   :full:\n\n.. api:spec::\n   :full:\n   :no-index:\n")
    resources = descs(result, "resource")
    assert len(resources) == 12
    assert [bool(d[0]["ids"]) for d in resources] == [True] * 6 + [False] * 6
    page_ids = ids(result, "api-")
    assert len(page_ids) == len(set(page_ids))


# -- object descriptions and the table of contents -------------------------------------------


def _toc(result: BuildResult) -> list[tuple[int, str, str]]:
    """(depth, text, anchor) of every entry of the page's table of contents."""
    entries = []
    for reference in result.app.env.tocs["index"].findall(nodes.reference):
        depth, node = 0, reference.parent
        while node is not None:
            depth += isinstance(node, nodes.bullet_list)
            node = node.parent
        entries.append((depth, reference.astext(), reference["anchorname"]))
    return entries


def test_objects_are_toc_entries_nested_under_their_resource(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:resource:: /contracts\n\n.. api:operation:: search-jobs\n")
    toc = _toc(result)
    assert toc[0] == (1, "Page", "")
    assert toc[1] == (2, "/contracts", "#api-res-contracts")
    assert toc[2] == (3, "GET /contracts", "#api-op-list-contracts")
    assert (3, "Contract", "#api-model-contracts-Contract") in toc
    assert toc[-1] == (2, "GET /jobs", "#api-op-search-jobs")  # not in a resource here
    # its 7 operations and the 9 models only /contracts uses (the 6 it shares with other
    # resources are documented once, on the models page: apidocs_shared_models)
    assert len(toc) == 1 + 1 + 7 + 9 + 1


def test_toc_object_entries_false_leaves_them_out(tmp_path: Path) -> None:
    result = build_page(tmp_path, ".. api:resource:: /contracts\n", toc_object_entries=False)
    assert _toc(result) == [(1, "Page", "")]
    assert ids(result, "api-res-") == ["api-res-contracts"]  # the targets stay
