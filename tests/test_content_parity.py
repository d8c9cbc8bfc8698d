"""The two writers agree: HTML written from the content model by the HTML writer
(``fasthtml``) is byte for byte what Sphinx's HTML writer makes of the docutils writer's nodes
(``write_nodes``), search index included.

Every project is built twice with the same HTML builder: as every build runs (HTML builders
get ``fasthtml``'s markup), then with the switch ``render.FAST_HTML = False``, which
only this test sets, so the HTML builder gets the docutils nodes every other builder gets.
Projects: the test projects (the sample API with its filters; hostile spec text; broken
specs and filters), this project's docs against the sample API served on a loopback endpoint
(field selection on), a made-up spec with the corner cases of inline literals, links, empty
cells and models (html, dirhtml, singlehtml and epub), and three corpus specs (skipped when
the corpus is not beside the checkout).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from docutils.utils import new_document
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.spec.serve import serving
from sphinx_apidocs.sphinxext import fasthtml, render
from sphinx_projects.buildtools import REPO, SAMPLE_SPECS, build, copy_docs, copy_project

CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_SPECS = (
    "swagger-1.2/bitdango/bitdango-exchanges.json",  # HTML in messages, null formats
    "swagger-1.x-legacy/wordnik-word/word.json",  # enums, ranges, allowMultiple, legacy quirks
    "openapi-3.0/oai-examples/petstore-expanded.yaml",  # allOf, a default response
)

#: Inline literals with runs of spaces, tabs, line breaks or nothing at all; a link title with
#: a vertical tab; a NUL; every kind of cell empty and full; models with a description only,
#: and with nothing. (Sphinx writes ``a  b`` in a literal as ``a&#160; b``, attributes with
#: ``\v`` as a space, and text without its NULs.)
EDGES: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Edges", "version": "1.0  beta", "description": "First `<b>` & @.\n\nSecond ``two  spaces``."},
    "servers": [{"url": "https://edges.example.com/v1"}],
    "tags": [{"name": "things", "description": "Things & <stuff>"}, {"name": "Most  Popular"}],
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "get  thing",
                "tags": ["things"],
                "deprecated": True,
                "summary": "One `thing\twith tab`",
                "description": "Notes with ``a  b`` and `x\ny`.\n\n  \n\nA <script>alert(1)</script> \"quoted\" paragraph.",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 10}},
                    {"name": "q", "in": "query", "schema": {"type": "string", "enum": ["two  spaces", "tab\there", "", "<script>", "a \n b"], "default": ""}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean", "default": True}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number", "default": 1.0, "minimum": 0.5}},
                    {"name": "legacy", "in": "header", "deprecated": True, "schema": {"type": ["string", "null"]}},
                    {"name": "   ", "in": "query", "schema": {"type": "string"}, "description": "A name of spaces."},
                ],
                "responses": {
                    "200": {"description": "It", "content": {"application/json": {"schema": {
                        "oneOf": [{"$ref": "#/components/schemas/Thing"}, {"$ref": "#/components/schemas/Ev\"il<script>"}],
                    }}}},
                    "404": {"description": "", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/X\u000bY"}}}}},
                    "default": {"description": "Other `x`"},
                },
            },
        },
        "/things": {
            "post": {
                "operationId": "createThing",
                "tags": ["things"],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
            },
        },
        "/popular": {
            "get": {
                "operationId": "popular",
                "tags": ["Most  Popular"],
                "responses": {"200": {"description": "List", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}},
            },
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "description": "A thing.\n\nWith two paragraphs.",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "minimum": 0},
                    "name": {"type": "string", "enum": ["a  b", "c"], "description": "Its `name`."},
                    "owner": {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags.\u0000 NUL is docutils' escape mark."},
                    "weird": {"$ref": "#/components/schemas/X\u000bY"},
                },
            },
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Ev\"il<script>": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["<script>"]}}},
            "X\u000bY": {"type": "object", "description": "Only a description."},
            "Nothing": {"type": "object"},
        },
    },
}
EDGE_FILTERS = '"get  thing": [id, name, owner.name, owner.nothere, weird]\ncreateThing: []\n'


def _pages(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*")):
        if path.suffix in (".html", ".xhtml") or path.name == "searchindex.js":
            yield path.relative_to(root).as_posix()


def _differences(fast: Path, slow: Path) -> list[str]:
    """Each page (and search index) that differs, with its first differing lines."""
    names = list(_pages(fast))
    assert names and names == list(_pages(slow))
    found = []
    for name in names:
        a, b = (fast / name).read_text(encoding="utf-8"), (slow / name).read_text(encoding="utf-8")
        if a != b:
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "fasthtml", "write_nodes", n=0, lineterm="")
            found.append(f"{name}:\n" + "\n".join(list(diff)[:12]))
    return found


def build_both(monkeypatch: pytest.MonkeyPatch, src: Path, out: Path, builder: str = "html", **options: Any) -> tuple[Path, Path]:
    """Build ``src`` with the HTML writer, then with the docutils writer; the two outdirs."""
    calls: list[int] = []
    write = fasthtml.write
    monkeypatch.setattr(fasthtml, "write", lambda blocks, links: calls.append(1) or write(blocks, links))
    fast = build(src, out / "fast", builder, fresh=True, **options)
    written = len(calls)
    with monkeypatch.context() as patched:
        patched.setattr(render, "FAST_HTML", False)
        slow = build(src, out / "nodes", builder, fresh=True, **options)
    assert written > 0 and len(calls) == written, "the first build uses the HTML writer, the second does not"
    assert fast.statuscode == slow.statuscode == 0, fast.warnings
    assert fast.warnings == slow.warnings.replace(str(out / "nodes"), str(out / "fast"))
    return fast.outdir, slow.outdir


@pytest.mark.parametrize("name", ["basic", "hostile", "problems"])
def test_test_projects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    src = copy_project(name, tmp_path / name)
    assert _differences(*build_both(monkeypatch, src, tmp_path / "out")) == []


def test_docs_against_the_sample_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    src = copy_docs(tmp_path)
    with serving(str(SAMPLE_SPECS)) as url:
        fast, slow = build_both(monkeypatch, src, tmp_path / "out", overrides={"apidocs_spec": url})
    assert "Supports field selection" in (fast / "reference" / "contracts.html").read_text(encoding="utf-8")
    assert _differences(fast, slow) == []


def _edges_project(root: Path) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (root / "spec.json").write_text(json.dumps(EDGES))
    (root / "filters.yaml").write_text(EDGE_FILTERS)
    (src / "conf.py").write_text(
        'project = "edges"\nextensions = ["sphinx_apidocs"]\napidocs_spec = "../spec.json"\n'
        'apidocs_filters = "../filters.yaml"\napidocs_field_selection = True\napidocs_resource_pages = "api"\n'
    )
    (src / "index.rst").write_text(
        "Edges\n=====\n\n.. toctree::\n\n   api/index\n\n.. api:spec::\n   :operations:\n\n"
        "- .. api:operation:: get  thing\n     :no-index:\n"
    )
    return src


@pytest.mark.parametrize("builder", ["html", "dirhtml", "singlehtml", "epub"])
def test_corner_cases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, builder: str) -> None:
    fast, slow = build_both(monkeypatch, _edges_project(tmp_path), tmp_path / "out", builder)
    page = "".join((fast / name).read_text(encoding="utf-8") for name in _pages(fast))
    for expected in (
        '<span class="pre">two</span>&#160; <span class="pre">spaces</span>',  # a run of spaces
        '<code class="docutils literal notranslate"></code>',  # an empty default
        'title="/things:X Y (model)">X\vY</a>',  # a vertical tab: a space in the attribute
        "Ev&quot;il&lt;script&gt;",
    ):
        assert expected in page, expected
    assert _differences(fast, slow) == []


def test_a_difference_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The comparison can fail: a writer that drops one class is caught, page by page."""
    monkeypatch.setattr(fasthtml.HtmlWriter, "rubric", lambda self, item: f"<p>{fasthtml.esc(item.text)}</p>\n")
    fast, slow = build_both(monkeypatch, _edges_project(tmp_path), tmp_path / "out")
    assert any(found.startswith("api/things.html:") for found in _differences(fast, slow))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not beside the checkout ({CORPUS})")
@pytest.mark.parametrize("spec", CORPUS_SPECS)
def test_corpus_specs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, spec: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f'project = "corpus"\nextensions = ["sphinx_apidocs"]\napidocs_spec = {str(CORPUS / spec)!r}\napidocs_resource_pages = "api"\n'
    )
    (src / "index.rst").write_text("Corpus\n======\n\n.. toctree::\n\n   api/index\n")
    assert _differences(*build_both(monkeypatch, src, tmp_path / "out")) == []


# -- the escape rules, for any text -----------------------------------------------------------


@pytest.fixture(scope="module")
def translate(tmp_path_factory: pytest.TempPathFactory) -> Callable[[nodes.Element], str]:
    """What Sphinx's HTML writer (of a real html build) writes for one node."""
    root = tmp_path_factory.mktemp("translator")
    builder = build(_edges_project(root), root / "html").app.builder

    def write(node: nodes.Element) -> str:
        document = new_document("<parity>", builder.docsettings)
        document += node
        translator = builder.create_translator(document, builder)
        node.walkabout(translator)
        return "".join(translator.body)

    return write


@given(text=st.text())
def test_text_and_literals_are_written_as_sphinx_writes_them(translate: Callable[[nodes.Element], str], text: str) -> None:
    paragraph = nodes.paragraph("", "", nodes.Text(text), nodes.literal(text, text))
    assert translate(paragraph) == f"<p>{fasthtml.esc(text)}{fasthtml.code(text)}</p>\n"


@given(title=st.text())
def test_link_titles_are_written_as_sphinx_writes_them(translate: Callable[[nodes.Element], str], title: str) -> None:
    reference = nodes.reference("", "", nodes.Text("x"), internal=True, refuri="b.html#id", reftitle=title)
    expected = f'<p><a class="reference internal" href="b.html#id" title="{fasthtml.attr(title)}">x</a></p>\n'
    assert translate(nodes.paragraph("", "", reference)) == expected


@pytest.mark.parametrize("writer", ["nodes", "html"])
def test_a_run_type_no_writer_knows_is_an_error_not_dropped(writer: str) -> None:
    """Parity cannot see what both writers drop, so an unknown run must fail loudly."""
    from typing import get_args

    from sphinx_apidocs.sphinxext import content, fasthtml, write_nodes
    from sphinx_apidocs.sphinxext.links import Links

    links = Links(finder=None, builder=None, docname="index")  # type: ignore[arg-type]
    made = write_nodes.NodeWriter(links) if writer == "nodes" else fasthtml.HtmlWriter(links)

    class Underline(content.Text):
        pass

    with pytest.raises(TypeError, match="Underline"):
        made.runs([content.Text("a"), Underline("b")])
    # every declared run type but links (which need a domain) is written
    plain = [t for t in get_args(content.Inline) if t is not content.Link]
    assert len(made.runs([t("x") for t in plain])) >= 1
