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
import re
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

#: Every construct of the CommonMark the writers are taught: emphasis, links (and hostile ones,
#: which stay text), hard breaks, lists (nested, ordered from 3, loose), code (fenced with a
#: known language, with an unknown one, and indented), headings, quotes, raw HTML (text).
MARKDOWN = (
    "Some *em*, **strong *nested* `code`**, [a link](https://example.com/a?b=1&c=2 \"title\"), "
    "<https://example.com/auto>, <mailto:a@example.com>, [rel](../x.html#y), [bad](javascript:alert(1)), "
    "![img](https://example.com/i.png), <b>raw</b>\nsoft break, hard break  \nsecond line\\\nthird\n\n"
    "- one\n- two *2*\n  - nested `x`\n  - nested [l](http://e.com)\n- three\n\n"
    "3. three\n4. four\n\n"
    "- loose\n\n  second paragraph\n- item\n\n"
    "* item with code:\n\n  ```json\n  {\"a\": [1, 2]}\n  ```\n\n"
    "```json\n{\"id\": 1, \"name\": \"<b>x</b>\"}\n```\n\n"
    "```nosuchlanguage\nplain <text> & more\n```\n\n"
    "```json\nnot json at all: {\n```\n\n"
    "    indented code\n\n"
    "# A heading\n\n> A *quote*.\n\n---\n\n<div>html block</div>\n"
)
#: The HTML of real Swagger 1.x specs, and tags that are not on the allow-list (literal text).
HTML_1X = (
    "<p>Creates a <b>customer</b> with <i>care</i>, <code>x  y</code>, <tt>tt</tt>, <em>em</em> "
    "and <strong>strong</strong>. See <a href=\"https://example.com/docs?a=1&amp;b=2\">the docs</a>, "
    "<a href=\"jav&#x09;ascript:alert(1)\">a bad link</a>, <a name=\"anchor\">no href</a>.<br>Line two<br/>"
    "Line three</p><p>Second `tick` List<Pet> <script>alert(1)</script><img src=x onerror=alert(1)></p>"
    "<ul><li>one<li>two <b>2</b><ol start=\"5\"><li>five</li><li>six</ol></li><li><p>para</p><p>two</p></li></ul>"
    "<pre>\n  preformatted\n    <b>text</b></pre><h3>Heading</h3>trailing text & more"
)
EDGES_1X: dict[str, Any] = {
    "swaggerVersion": "1.2", "basePath": "https://x.example", "resourcePath": "/things", "description": HTML_1X,
    "apis": [{"path": "/things", "operations": [{
        "method": "GET", "nickname": "listThings", "type": "Thing", "summary": "List <b>things</b>",
        "notes": HTML_1X, "parameters": [
            {"name": "q", "paramType": "query", "type": "string", "description": HTML_1X},
            {"name": "plain", "paramType": "query", "type": "string", "description": "Plain `code`\n\ntwo"},
        ],
        "responseMessages": [{"code": 404, "message": "<ul><li>not</li><li>found</li></ul>"}],
    }]}],
    "models": {"Thing": {"id": "Thing", "description": HTML_1X, "properties": {"id": {"type": "integer", "description": HTML_1X}}}},
}

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
                "description": "Notes with ``a  b`` and `x\ny`.\n\n  \n\nA <script>alert(1)</script> \"quoted\" paragraph.\n\n" + MARKDOWN,
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 10}},
                    {"name": "q", "in": "query", "schema": {"type": "string", "enum": ["two  spaces", "tab\there", "", "<script>", "a \n b"], "default": ""}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean", "default": True}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number", "default": 1.0, "minimum": 0.5}},
                    {"name": "legacy", "in": "header", "deprecated": True, "schema": {"type": ["string", "null"]}},
                    {"name": "   ", "in": "query", "schema": {"type": "string"}, "description": "A name of spaces."},
                    {"name": "formatted", "in": "query", "schema": {"type": "string"}, "description": MARKDOWN},
                    {"name": "one_list", "in": "query", "schema": {"type": "string"}, "description": "- only\n- a list"},
                    {"name": "code", "in": "query", "schema": {"type": "string"}, "description": "```python\nprint('x')\n```"},
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
        '<a class="reference external" href="https://example.com/a?b=1&amp;c=2">a link</a>',
        # cloaked, as docutils cloaks an address
        '<a class="reference external" href="mailto:a&#37;&#52;&#48;example&#46;com">mailto:a<span>&#64;</span>example<span>&#46;</span>com</a>',
        '<div class="highlight-json notranslate"><div class="highlight"><pre><span></span><span class="p">{</span>',
        '<ol class="arabic simple" start="3">', '<ul class="simple">', "<em>nested</em>",
        '<p class="rubric">A heading</p>', "&lt;b&gt;raw&lt;/b&gt;",
        '<span class="pre">two</span>&#160; <span class="pre">spaces</span>',  # a run of spaces
        '<code class="docutils literal notranslate"></code>',  # an empty default
        'title="/things:X Y (model)">X\vY</a>',  # a vertical tab: a space in the attribute
        "Ev&quot;il&lt;script&gt;",
    ):
        assert expected in page, expected
    assert "[bad](javascript:alert(1))" in page and 'href="javascript' not in page  # text, never a link
    assert _differences(fast, slow) == []


def test_formatted_swagger_1x_html(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "things.json").write_text(json.dumps(EDGES_1X))
    (src / "conf.py").write_text('project = "x"\nextensions = ["sphinx_apidocs"]\napidocs_spec = "../things.json"\napidocs_filters = ""\n')
    (src / "index.rst").write_text("X\n=\n\n.. api:resource:: /things\n")
    fast, slow = build_both(monkeypatch, src, tmp_path / "out")
    page = (fast / "index.html").read_text(encoding="utf-8")
    for expected in (
        '<a class="reference external" href="https://example.com/docs?a=1&amp;b=2">the docs</a>',
        "<strong>customer</strong>", "<em>care</em>", '<ol class="arabic simple" start="5">',
        '<div class="line-block">', '<div class="highlight-text notranslate">',
        "List&lt;Pet&gt; ", "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
        '<p class="rubric">Heading</p>',
    ):
        assert expected in page, expected
    assert "a bad link</a>" not in page and "ascript:alert" not in page  # its text only
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
def translator_builder(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The HTML builder of a real html build."""
    root = tmp_path_factory.mktemp("translator")
    return build(_edges_project(root), root / "html").app.builder


@pytest.fixture(scope="module")
def translate(translator_builder: Any) -> Callable[[nodes.Element], str]:
    """What Sphinx's HTML writer (of a real html build) writes for one node."""
    builder = translator_builder

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
    samples: dict[type, content.Inline] = {
        content.Text: content.Text("x"), content.Code: content.Code("x"), content.Strong: content.Strong("x"),
        content.Emphasis: content.Emphasis((content.Text("x"),)),
        content.ExternalLink: content.ExternalLink("https://example.com/", (content.Text("x"),)),
    }
    assert set(samples) == {t for t in get_args(content.Inline) if t is not content.Link}
    assert len(made.runs(list(samples.values()))) >= 1


# -- formatted text, any of it, written by both writers ---------------------------------------

_MARKUP_ALPHABET = st.sampled_from(list("ab .`*_[]()<>&!#-+1\n\\:/@") + ["http://e.com", "<b>", "</b>", "<br>", "<li>", "<ul>", "</ul>", "<ol start=2>", "<pre>", "<a href='https://e.com/x'>", "</a>", "<code>", "```json\n", "    ", "mailto:a@b.c", "\n- ", "\n1. "])


@pytest.mark.parametrize("flavour", ["markdown", "html"])
@given(parts=st.lists(_MARKUP_ALPHABET, max_size=40))
def test_formatted_text_is_written_as_sphinx_writes_it(
    translate: Callable[[nodes.Element], str], translator_builder: Any, flavour: str, parts: list[str]
) -> None:
    """Blocks of any formatted text, alone and in a table cell: the HTML writer writes what
    Sphinx's translator writes for the docutils writer's nodes."""
    from sphinx_apidocs.sphinxext import content, markup, write_nodes
    from sphinx_apidocs.sphinxext.links import Links

    blocks = markup.description("".join(parts), flavour)  # type: ignore[arg-type]
    table = content.Table(("A", "B"), ((blocks, blocks[:1]),), (1, 1), ("api-table",))
    links = Links(finder=None, builder=translator_builder, docname="index")  # type: ignore[arg-type]
    for items in (blocks, (table,)):
        made = write_nodes.NodeWriter(links).blocks(items)
        expected = "".join(translate(node) for node in made if isinstance(node, nodes.Element))
        assert fasthtml.HtmlWriter(links).blocks(items) == expected


def test_a_theme_translator_gets_the_nodes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """pydata-sphinx-theme registers its own HTML translator (tables get its ``table``
    class): the bodies are then docutils nodes, written by that translator."""
    calls: list[int] = []
    write = fasthtml.write
    monkeypatch.setattr(fasthtml, "write", lambda blocks, links: calls.append(1) or write(blocks, links))
    src = _edges_project(tmp_path)
    with (src / "conf.py").open("a") as conf:
        conf.write('html_theme = "pydata_sphinx_theme"\n')
    result = build(src, tmp_path / "out", "html", fresh=True)
    assert result.statuscode == 0 and calls == []
    page = (result.outdir / "api" / "things.html").read_text(encoding="utf-8")
    assert re.search(r'<table class="[^"]*\bapi-table\b[^"]*\bapi-parameters\b[^"]*\btable\b', page)
    assert '<div class="highlight-json notranslate">' in page
