"""Spec text is data (hostile notes stay inert with ``-W``), and generated resource pages."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sphinx_apidocs.sphinxext.stubs import MARKER
from sphinx_projects.buildtools import REPO, build, copy_project


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project("hostile", tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("builder", ["html", "text"])
def test_hostile_spec_text_is_inert_and_builds_with_W(hostile: Path, builder: str) -> None:
    result = build(hostile, hostile.parent / builder, builder, warningiserror=True)
    assert result.warning_lines() == [] and result.statuscode == 0
    outputs = "\n".join(p.read_text() for p in result.outdir.rglob(f"*.{'html' if builder == 'html' else 'txt'}"))
    assert "root:x:0:0" not in outputs  # nothing was included
    if builder == "html":
        for hostile_markup in ("<script>alert(", "<img src=x", '<a href="javascript:', "<b>scope</b>", "<b>`x`_"):
            assert hostile_markup not in outputs
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs
        assert "&lt;img src=x onerror=alert(2)&gt;" in outputs
        assert "javascript:alert(3)" not in outputs.replace("&lt;javascript:alert(3)&gt;", "")
    else:
        page = (result.outdir / "index.txt").read_text()
        for text in ("<script>alert(1)</script>", ".. raw:: html", ".. include:: /etc/passwd", "|subst| :ref:", "**bold**"):
            assert text in page
        title = (result.outdir / "api" / "index.txt").read_text().splitlines()[0]
        assert title == ".. include:: /etc/passwd <script>alert(5)</script>"


def _bench_module():
    spec = importlib.util.spec_from_file_location("apidocs_bench", REPO / "benchmarks" / "build.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_a_large_api_gets_one_page_per_resource(tmp_path: Path) -> None:
    """Generated pages: one per resource plus an overview; the overview holds no operation."""
    bench = _bench_module()
    bench.generate_spec(tmp_path, resources=12, paths=2)
    src = bench.extension_project(tmp_path)
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.warning_lines() == []
    out = result.outdir / "api"
    pages = sorted(p.stem for p in out.glob("*.html"))
    assert pages == ["index"] + [f"res{i:02d}" for i in range(12)]
    assert 'id="api-op-' not in (out / "index.html").read_text()
    for i in range(12):
        assert (out / f"res{i:02d}.html").read_text().count('class="api operation') == 4
    index_rst = (src / "api" / "index.rst").read_text()
    assert index_rst.startswith(MARKER) and "      res11\n" in index_rst


def test_generated_pages_follow_the_spec_and_spare_hand_written_files(tmp_path: Path) -> None:
    bench = _bench_module()
    bench.generate_spec(tmp_path, resources=3, paths=1)
    src = bench.extension_project(tmp_path)
    (src / "api").mkdir()
    own = src / "api" / "notes.rst"
    own.write_text("Notes\n=====\n\nWritten by hand.\n")
    (src / "index.rst").write_text((src / "index.rst").read_text() + "   api/notes\n")
    build(src, tmp_path / "out")
    assert sorted(p.name for p in (src / "api").iterdir()) == ["index.rst", "notes.rst", "res00.rst", "res01.rst", "res02.rst"]

    listing_file = tmp_path / "specs" / "api-docs.json"
    listing = json.loads(listing_file.read_text())
    listing["apis"] = listing["apis"][:2]
    listing_file.write_text(json.dumps(listing))
    result = build(src, tmp_path / "out")
    assert sorted(p.name for p in (src / "api").iterdir()) == ["index.rst", "notes.rst", "res00.rst", "res01.rst"]
    assert result.read == ["api/index"]  # res02 is gone, the overview changed, the rest did not
    assert own.read_text() == "Notes\n=====\n\nWritten by hand.\n"


_EVIL = "<script>alert(9)</script>"
_EVIL_MODEL = 'Ev"il<script>'


def _hostile_openapi(root: Path) -> Path:
    """An OpenAPI 3.0 spec whose table text (summary, descriptions, enum, default, model
    name, response message) is markup, and a page rendering its resource."""
    model_ref = {"$ref": f"#/components/schemas/{_EVIL_MODEL}"}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/evil": {
                "get": {
                    "operationId": "getEvil",
                    "tags": ["evil"],
                    "summary": f"summary {_EVIL}",
                    "description": f"description {_EVIL} `code {_EVIL}`",
                    "parameters": [{
                        "name": f"p{_EVIL}", "in": "query", "description": f"param {_EVIL}",
                        "schema": {"type": "string", "enum": [_EVIL, "ok"], "default": f"<b>{_EVIL}"},
                    }],
                    "responses": {
                        "200": {"description": f"message {_EVIL}", "content": {"application/json": {"schema": model_ref}}},
                        "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "array", "items": model_ref}}}},
                    },
                }
            }
        },
        "components": {"schemas": {_EVIL_MODEL: {
            "type": "object", "description": f"model {_EVIL}",
            "properties": {"kind": {"type": "string", "enum": [_EVIL], "description": f"prop {_EVIL}"}},
        }}},
    }
    src = root / "src"
    src.mkdir(parents=True)
    (root / "spec.json").write_text(json.dumps(spec))
    (src / "conf.py").write_text('extensions = ["sphinx_apidocs"]\napidocs_spec = "../spec.json"\napidocs_filters = ""\n')
    (src / "index.rst").write_text("Evil\n====\n\n.. api:resource:: evil\n")
    return src


@pytest.mark.parametrize("builder", ["html", "singlehtml", "epub"])
def test_hostile_text_in_html_tables_is_escaped(tmp_path: Path, builder: str) -> None:
    """HTML builders get the tables as markup written directly (``fasthtml``): every piece of
    spec text in them is escaped, links included, and the text stays searchable."""
    src = _hostile_openapi(tmp_path)
    result = build(src, tmp_path / builder, builder)
    assert result.statuscode == 0, result.warnings
    pages = [p for p in result.outdir.rglob("*.*html") if p.name not in ("search.html", "genindex.html")]
    page = "\n".join(p.read_text() for p in pages)
    assert '<table class="api-table api-parameters' in page and '<table class="api-table api-model' in page
    for raw in (_EVIL, "<script>alert", "<b><script>", 'Ev"il', "il<script>"):  # the theme has scripts of its own
        assert raw not in page, raw
    escaped = "&lt;script&gt;alert(9)&lt;/script&gt;"
    for cell in (
        f'<span class="pre">p{escaped}</span>',  # parameter name
        f"<p>param {escaped}</p>",  # description
        f'<span class="pre">{escaped}</span></code>, <code',  # enum values
        '<span class="pre">&lt;b&gt;&lt;script&gt;alert(9)&lt;/script&gt;</span>',  # default
        f"<p>message {escaped}</p>",  # response message
        f'<p class="api-summary">summary {escaped}</p>',  # summary
        f'<p class="api-notes">description {escaped} <code',  # notes
        f"<p>prop {escaped}</p>",  # model property
        'Ev&quot;il&lt;script&gt; (model)">Ev&quot;il&lt;script&gt;</a>',  # model name, linked (title and text)
        'array[<a class="reference internal" href="',
    ):
        assert cell in page, cell
    if builder == "html":
        index = (result.outdir / "searchindex.js").read_text()
        assert '"param"' in index and '"prop"' in index  # table text is indexed


def test_hostile_text_in_tables_stays_text_elsewhere(tmp_path: Path) -> None:
    """Non-HTML builders keep docutils tables: the same text, verbatim."""
    src = _hostile_openapi(tmp_path)
    result = build(src, tmp_path / "text", "text")
    assert result.statuscode == 0, result.warnings
    page = (result.outdir / "index.txt").read_text()
    cells = _text_table_cells(page)
    for text in (f"param {_EVIL}", f"message {_EVIL}", f"prop {_EVIL}", f"array[{_EVIL_MODEL}]"):
        assert any(text in cell for cell in cells), text


def _text_table_cells(page: str) -> list[str]:
    """The text of every cell of the text builder's grid tables, its wrapped lines joined
    with a space (columns are found from the ``+---+`` border above the row)."""
    cells: list[str] = []
    border: list[int] = []
    rows: list[str] = []

    def flush() -> None:
        for left, right in zip(border, border[1:]):
            cells.append(" ".join(" ".join(row[left + 1 : right] for row in rows).split()))
        rows.clear()

    for line in page.splitlines():
        stripped = line.strip()
        if stripped.startswith("+") and stripped.endswith("+") and set(stripped) <= set("+-="):
            flush()
            border = [i for i, char in enumerate(line) if char == "+"]
        elif stripped.startswith("|") and border and set(stripped) <= set("|="):
            flush()  # the line under the header row
        elif stripped.startswith("|") and border:
            rows.append(line)
        else:
            flush()
            border = []
    return cells


def test_spec_names_cannot_shape_the_index(tmp_path: Path) -> None:
    """``;`` (sub-entry) and a leading ``!`` (main entry) in spec names stay text in genindex."""
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {
            "operationId": "!op; sub", "tags": ["x"],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/N;evil"}}}}},
        }}},
        "components": {"schemas": {"N;evil": {"type": "object", "properties": {"a": {"type": "string"}}}}},
    }
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    (src / "conf.py").write_text('extensions = ["sphinx_apidocs"]\napidocs_spec = "../spec.json"\napidocs_filters = ""\n')
    (src / "index.rst").write_text("X\n=\n\n.. api:resource:: x\n")
    result = build(src, tmp_path / "out", "html")
    assert result.statuscode == 0, result.warnings
    genindex = (result.outdir / "genindex.html").read_text()
    # each name is one entry, shown whole (with look-alikes of ``;`` and ``!``), never a
    # parent "op"/"N" with a sub-entry, and no "!" made it a main entry
    assert '">\u01c3op\u037e sub (API operation)</a>' in genindex
    assert '">N\u037eevil (API model)</a>' in genindex
    assert '">sub (API operation)</a>' not in genindex and '">evil (API model)</a>' not in genindex
