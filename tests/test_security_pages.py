"""Generated resource pages hold no spec text: hostile tag names, resource paths and titles
(every ``str.splitlines`` separator followed by directives, roles, substitutions...) stay
literal text in every output, wide titles build ``-W`` clean, and rebuilds stay incremental.

Real Sphinx builds (html and text) of real projects; the spec is a file beside the project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.sphinxext.markup import plain_line as plain_title
from sphinx_apidocs.sphinxext.stubs import MARKER, resource_title, slug
from sphinx_projects.buildtools import build

#: Every separator ``str.splitlines`` (and so docutils) breaks lines on.
SEPARATORS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
PAYLOADS = [
    ".. raw:: html\n\n   <script>alert(1)</script>",
    ".. include:: /etc/passwd",
    ".. |x| replace:: <script>alert(2)</script>",
    "|x| :raw-html:`<script>alert(3)</script>` `y <javascript:alert(4)>`_",
    "``code`` `title`_ **b** [#]_ \\",
    "Title\n=====\n\n.. raw:: html\n\n   <script>alert(5)</script>",
]
SCRIPT = re.compile(r"<script>alert\(\d\)</script>")
_NAME = r"[a-z0-9]+(-[a-z0-9]+)*"
_GENERATED = re.compile(r"\A" + re.escape(MARKER) + rf"\n\n\.\. api:resource-page:: {_NAME}\n\Z")
_INDEX = re.compile(
    r"\A" + re.escape(MARKER) + rf"\n\n\.\. api:spec-page::\n\n   \.\. toctree::\n      :maxdepth: 2\n\n(      {_NAME}\n)+\Z"
)


def hostile_names() -> list[str]:
    names = [f"tag{i}{sep}{payload}" for i, (sep, payload) in enumerate((s, p) for s in SEPARATORS for p in PAYLOADS[:2])]
    names += [f"edge{i} {payload}" for i, payload in enumerate(PAYLOADS)]
    names += ["trailing backslash \\", "`backticks`_", "|subst|", "*emphasis", "_target", "   ", "\u2028"]
    return names


def _project(root: Path, spec: dict[str, Any], name: str = "spec.json") -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (root / name).write_text(json.dumps(spec))
    (src / "conf.py").write_text(
        f'extensions = ["sphinx_apidocs"]\napidocs_spec = "../{name}"\napidocs_filters = ""\napidocs_resource_pages = "api"\n'
    )
    (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   api/index\n")
    return src


def hostile_openapi(titles: bool = False) -> dict[str, Any]:
    """One operation per hostile tag; with ``titles`` the tags' descriptions are hostile too
    (a description of at most 80 characters is the page title)."""
    tags = []
    paths: dict[str, Any] = {}
    for i, name in enumerate(hostile_names()):
        description = f"{SEPARATORS[i % len(SEPARATORS)]}{PAYLOADS[i % len(PAYLOADS)]}"[:80] if titles else ""
        tags.append({"name": name, "description": description})
        paths[f"/p{i}"] = {"get": {"operationId": f"op{i}", "tags": [name], "responses": {"200": {"description": "ok"}}}}
    title = "API\u2028.. raw:: html\n\n   <script>alert(6)</script>\n.. include:: /etc/passwd"
    return {"openapi": "3.0.3", "info": {"title": title, "version": "1"}, "tags": tags, "paths": paths}


def _outputs(outdir: Path) -> dict[Path, str]:
    # searchindex.js is data (JSON strings for the search page), not markup: titles are in it
    # as the text they are, which the search page inserts as text.
    return {
        p: p.read_text(encoding="utf-8", errors="replace")
        for p in outdir.rglob("*")
        if p.is_file() and p.suffix in (".html", ".txt", ".js") and p.name != "searchindex.js"
    }


@pytest.mark.parametrize("titles", [False, True], ids=["tag-names", "tag-descriptions"])
def test_hostile_tags_are_literal_text_in_html_and_text(tmp_path: Path, titles: bool) -> None:
    src = _project(tmp_path, hostile_openapi(titles))
    html = build(src, tmp_path / "html", "html", warningiserror=True)
    text = build(src, tmp_path / "text", "text", warningiserror=True)
    assert html.warning_lines() == [] and text.warning_lines() == []
    assert html.statuscode == 0 and text.statuscode == 0

    spec = hostile_openapi(titles)
    model = load_spec(str(tmp_path / "spec.json"))
    generated = sorted((src / "api").glob("*.rst"))
    assert len(generated) == len(model.resources) + 1
    for page in generated:  # fixed text and safe page names only
        assert (_INDEX if page.name == "index.rst" else _GENERATED).match(page.read_text()), page.name

    for path, content in _outputs(html.outdir).items():
        assert not SCRIPT.search(content), path
        assert "root:x:0:0" not in content
    for path, content in _outputs(text.outdir).items():
        assert "root:x:0:0" not in content, path

    pages = {p.stem: p.read_text() for p in (text.outdir / "api").glob("*.txt")}
    shown = sorted(text.splitlines()[0] for name, text in pages.items() if name != "index")
    assert shown == sorted(resource_title(r) for r in model.resources)
    for i, tag in enumerate(spec["tags"][:4]):  # literally, whitespace (line separators) collapsed
        expected = plain_title(tag["description"]) if titles else "/" + plain_title(tag["name"])
        assert expected in shown and "<script>alert(1)</script>" in expected + PAYLOADS[0]
    assert pages["index"].splitlines()[0] == plain_title(spec["info"]["title"])
    assert "<script>alert(6)</script>" in pages["index"].splitlines()[0]  # literally, as text
    index_html = (html.outdir / "api" / "index.html").read_text()
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in index_html
    assert re.search(r"<title>API \.\. raw:: html &lt;script&gt;alert\(6\)&lt;/script&gt; \.\. include:: /etc/passwd", index_html)


def hostile_swagger(root: Path) -> Path:
    """A Swagger 1.2 listing whose entry descriptions (the page titles) and resource paths
    are hostile; declarations are matched by their ``resourcePath``."""
    specs = root / "specs"
    specs.mkdir()
    apis = []
    for i, sep in enumerate(SEPARATORS):
        resource = f"/res{i}{sep}{PAYLOADS[0]}"
        apis.append({"path": f"/r{i}.json", "description": f"{PAYLOADS[1]}{sep}{PAYLOADS[0]}"[:80]})
        declaration = {
            "swaggerVersion": "1.2", "basePath": "https://x.example", "resourcePath": resource,
            "apis": [{"path": f"/r{i}", "operations": [{"method": "GET", "nickname": f"get{i}", "type": "void", "parameters": []}]}],
        }
        (specs / f"r{i}.json").write_text(json.dumps(declaration))
    listing = {"swaggerVersion": "1.2", "info": {"title": f"1.x{SEPARATORS[-1]}{PAYLOADS[0]}"}, "apis": apis}
    (specs / "api-docs.json").write_text(json.dumps(listing))
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["sphinx_apidocs"]\napidocs_spec = "../specs"\napidocs_filters = ""\napidocs_resource_pages = "api"\n')
    (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   api/index\n")
    return src


@pytest.mark.parametrize("builder", ["html", "text"])
def test_hostile_swagger_resource_paths_and_titles(tmp_path: Path, builder: str) -> None:
    src = hostile_swagger(tmp_path)
    result = build(src, tmp_path / builder, builder, warningiserror=True)
    assert result.warning_lines() == [] and result.statuscode == 0
    outputs = _outputs(result.outdir)
    assert len([p for p in outputs if p.parent == result.outdir / "api"]) == len(SEPARATORS) + 1
    for path, content in outputs.items():
        if builder == "html":
            assert not SCRIPT.search(content), path
        assert "root:x:0:0" not in content
    if builder == "text":
        titles = sorted((result.outdir / "api" / f"{name}.txt").read_text().splitlines()[0] for name in ("index",))
        assert titles == [plain_title(f"1.x\u2029{PAYLOADS[0]}")]


def test_wide_titles_build_with_W(tmp_path: Path) -> None:
    """CJK and emoji titles: no reST underline to be "too short"; the title is the page title."""
    tags = [
        {"name": "ペット", "description": "猫と犬のペットショップ 🐈‍⬛🐕"},
        {"name": "👨‍👩‍👧 family", "description": ""},
        {"name": "中文标签", "description": "全角文字のタイトル"},
    ]
    paths = {f"/p{i}": {"get": {"operationId": f"op{i}", "tags": [t["name"]], "responses": {"200": {"description": "ok"}}}} for i, t in enumerate(tags)}
    spec = {"openapi": "3.0.3", "info": {"title": "日本語の API 🚀", "version": "1"}, "tags": tags, "paths": paths}
    src = _project(tmp_path, spec)
    result = build(src, tmp_path / "html", "html", warningiserror=True)
    assert result.warning_lines() == [] and result.statuscode == 0
    assert sorted(p.stem for p in (src / "api").glob("*.rst")) == ["family", "index", "root", "root-2"]
    titles = {re.search(r"<title>(.*?) &#8212;", p.read_text()).group(1) for p in (result.outdir / "api").glob("*.html")}
    assert titles == {"日本語の API 🚀", "猫と犬のペットショップ 🐈‍⬛🐕", "/👨‍👩‍👧 family", "全角文字のタイトル"}
    toc = (result.outdir / "index.html").read_text()
    assert "猫と犬のペットショップ 🐈‍⬛🐕" in toc and "日本語の API 🚀" in toc  # toctree entries
    search = (result.outdir / "searchindex.js").read_text()
    assert json.dumps("全角文字のタイトル") in search  # search titles


def _tags_spec(tags: list[dict[str, str]], title: str = "API") -> dict[str, Any]:
    paths = {f"/p{i}": {"get": {"operationId": f"op{i}", "tags": [t["name"]], "responses": {"200": {"description": "ok"}}}} for i, t in enumerate(tags)}
    return {"openapi": "3.0.3", "info": {"title": title, "version": "1"}, "tags": tags, "paths": paths}


def test_rebuilds_stay_incremental(tmp_path: Path) -> None:
    tags = [{"name": "a_b", "description": "First"}, {"name": "a-b", "description": "Second"}, {"name": "c", "description": "Third"}]
    src = _project(tmp_path, _tags_spec(tags))
    spec_file = tmp_path / "spec.json"
    out = tmp_path / "out"
    first = build(src, out)
    assert first.statuscode == 0
    assert sorted(p.name for p in (src / "api").glob("*.rst")) == ["a-b-2.rst", "a-b.rst", "c.rst", "index.rst"]
    stamps = {p: p.stat().st_mtime_ns for p in (src / "api").glob("*.rst")}

    again = build(src, out)
    assert again.read == []  # unchanged spec: nothing re-read
    assert {p: p.stat().st_mtime_ns for p in (src / "api").glob("*.rst")} == stamps  # nor rewritten

    tags[2]["description"] = "Third <script>alert(1)</script>"
    spec_file.write_text(json.dumps(_tags_spec(tags)))
    changed = build(src, out)
    assert changed.read == ["api/c", "api/index"]  # a new title: its page and the overview's table
    assert {p: p.stat().st_mtime_ns for p in (src / "api").glob("*.rst")} == stamps
    assert "<title>Third &lt;script&gt;alert(1)&lt;/script&gt; &#8212;" in (out / "api" / "c.html").read_text()

    tags[0], tags[1] = tags[1], tags[0]  # the same page names now show the other resource
    spec_file.write_text(json.dumps(_tags_spec(tags)))
    swapped = build(src, out)
    assert swapped.read == ["api/a-b", "api/a-b-2", "api/index"]
    assert "<title>First &#8212;" in (out / "api" / "a-b-2.html").read_text()
    assert "<title>Second &#8212;" in (out / "api" / "a-b.html").read_text()


def test_page_names_are_safe_short_and_unique() -> None:
    assert slug("/Pets & Owners/{id}") == "pets-owners-id"
    assert slug("/ペット") == "root"
    assert slug("/" + "x" * 500) == "x" * 60
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug("/a\u2028.. raw:: html\n\n<script>"))


def test_many_resources_with_the_same_page_name_stay_linear() -> None:
    import time

    from sphinx_apidocs.spec.model import ApiSpec, Resource
    from sphinx_apidocs.sphinxext.stubs import page_names, render_pages

    # Non-Latin paths all slug to "root": root, root-2, ... root-30000.
    spec = ApiSpec(swagger_version="3.0.3", resources=tuple(Resource(resource_path="/" + chr(0x4E00 + i)) for i in range(30_000)))
    started = time.perf_counter()
    names = page_names(spec)
    pages = render_pages(spec)
    assert time.perf_counter() - started < 2
    assert len(set(names.values())) == 30_000 and len(pages) == 30_001
    assert names["/" + chr(0x4E00 + 29_999)] == "root-30000"


def test_hand_written_pages_are_never_overwritten(tmp_path: Path) -> None:
    """A resource whose page name is a hand-written file's gets another name; a hand-written
    index is left alone (with a warning) — no file without the marker is ever written."""
    src = _project(tmp_path, _tags_spec([{"name": "notes", "description": "Notes API"}, {"name": "other", "description": ""}]))
    (src / "api").mkdir()
    notes = src / "api" / "notes.rst"
    notes.write_text("Notes\n=====\n\nWritten by hand.\n")
    (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   api/index\n   api/notes\n")
    result = build(src, tmp_path / "html", "html")
    assert result.statuscode == 0 and result.warning_lines() == []
    assert notes.read_text() == "Notes\n=====\n\nWritten by hand.\n"
    assert (src / "api" / "notes-2.rst").read_text() == f"{MARKER}\n\n.. api:resource-page:: notes-2\n"
    assert "<title>Notes API &#8212;" in (result.outdir / "api" / "notes-2.html").read_text()
    assert "<title>Notes &#8212;" in (result.outdir / "api" / "notes.html").read_text()

    index = src / "api" / "index.rst"
    index.write_text("Mine\n====\n\n.. toctree::\n\n   notes\n   notes-2\n   other\n")
    result = build(src, tmp_path / "html", "html")
    assert index.read_text() == "Mine\n====\n\n.. toctree::\n\n   notes\n   notes-2\n   other\n"
    (warning,) = result.warning_lines()
    assert "api/index.rst was not generated by sphinx_apidocs; the API overview page is not written there" in warning


# -- formatted descriptions: Markdown (OpenAPI) and the HTML subset (Swagger 1.x) --------------

MARKDOWN_PAYLOADS = [
    *PAYLOADS,
    "[x](javascript:alert(10))", "<javascript:alert(11)>", "[ref][r]\n\n[r]: javascript:alert(12)",
    "![img](javascript:alert(13))", "[x](JaVaScRiPt:alert(14))", "[x](jav&#x09;ascript:alert(15))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNik8L3NjcmlwdD4=)", "[x](vbscript:msgbox(17))",
    "<script>alert(1)</script> *and* <img src=x onerror=alert(18)>",
    "```html\n<script>alert(2)</script>\n```", "- item <script>alert(3)</script>\n- [x](javascript:alert(19))",
]
HTML_PAYLOADS = [
    *PAYLOADS,
    '<p>Click <a href="javascript:alert(20)">here</a></p>', "<a href='JAVASCRIPT:alert(21)'>x</a>",
    '<a href="jav&#x09;ascript:alert(22)">x</a>', '<a href="&#106;avascript:alert(23)">x</a>',
    '<a href=" javascript:alert(24)">x</a>', '<a href="data:text/html,<script>alert(4)</script>">x</a>',
    "<img src=x onerror=alert(25)>", "<p><script>alert(1)</script></p><ul><li><b>.. raw:: html</b></li></ul>",
    '<pre><script>alert(5)</script></pre><code onclick="alert(26)">x</code>', "<style>body{display:none}</style>",
]


def active_markup(page: str) -> list[str]:
    """What in a page's content could run or load something: script, style, img, iframe,
    object or embed elements, event handler attributes, links to non-web schemes."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Audit(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style", "img", "iframe", "object", "embed", "svg", "math", "form"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", value or ""))
                if name.startswith("on") or (name in ("href", "src", "action") and scheme and scheme.group(1).lower() not in ("http", "https", "mailto")):
                    found.append(f"{tag} {name}={value!r}")

    start = page.index('role="main"')  # the page's content: the theme's own scripts and search form are around it
    Audit().feed(page[start : page.index('<div class="sphinxsidebar"', start)])
    return found


def _operation(i: int, text: str) -> dict[str, Any]:
    return {
        "operationId": f"op{i}", "tags": ["t"], "summary": text, "description": text,
        "parameters": [{"name": f"p{i}", "in": "query", "schema": {"type": "string"}, "description": text}],
        "responses": {"200": {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/M"}}}}},
    }


def hostile_markdown() -> dict[str, Any]:
    text = "\n\n".join(MARKDOWN_PAYLOADS)
    return {
        "openapi": "3.0.3", "info": {"title": "API", "version": "1", "description": text},
        "tags": [{"name": "t", "description": text}],
        "paths": {f"/p{i}": {"get": _operation(i, payload)} for i, payload in enumerate([*MARKDOWN_PAYLOADS, text])},
        "components": {"schemas": {"M": {"type": "object", "description": text, "properties": {"a": {"type": "string", "description": text}}}}},
    }


def hostile_html(root: Path) -> Path:
    text = "\n\n".join(HTML_PAYLOADS)
    operations = [
        {"method": "GET", "nickname": f"get{i}", "type": "M", "summary": payload, "notes": payload,
         "parameters": [{"name": "q", "paramType": "query", "type": "string", "description": payload}],
         "responseMessages": [{"code": 400, "message": payload}]}
        for i, payload in enumerate([*HTML_PAYLOADS, text])
    ]
    declaration = {
        "swaggerVersion": "1.2", "basePath": "https://x.example", "resourcePath": "/r", "description": text,
        "apis": [{"path": f"/r{i}", "operations": [op]} for i, op in enumerate(operations)],
        "models": {"M": {"id": "M", "description": text, "properties": {"a": {"type": "string", "description": text}}}},
    }
    (root / "spec.json").write_text(json.dumps(declaration))
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["sphinx_apidocs"]\napidocs_spec = "../spec.json"\napidocs_filters = ""\n')
    (src / "index.rst").write_text("Home\n====\n\n.. api:resource:: /r\n")
    return src


@pytest.mark.parametrize("builder", ["html", "text"])
@pytest.mark.parametrize("flavour", ["markdown", "html"])
def test_hostile_formatted_descriptions(tmp_path: Path, flavour: str, builder: str) -> None:
    """With formatting on, nothing from a description runs: no script element, no event
    handler, no ``javascript:``/``data:`` link, no directive; the text stays, as text."""
    if flavour == "markdown":
        src = _project(tmp_path, hostile_markdown())
        (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   api/index\n\n.. api:spec::\n   :operations:\n")
    else:
        src = hostile_html(tmp_path)
    result = build(src, tmp_path / builder, builder, warningiserror=True)
    assert result.warning_lines() == [] and result.statuscode == 0
    outputs = _outputs(result.outdir)
    assert outputs
    shown = "\n".join(outputs.values())
    for path, text in outputs.items():
        assert "root:x:0:0" not in text, path
        if path.suffix == ".html" and path.name not in ("search.html", "genindex.html"):
            assert active_markup(text) == [], path
            assert not SCRIPT.search(text), path
    if builder == "html":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # visible, as text
        assert ".. raw:: html" in shown and ".. include:: /etc/passwd" in shown
        assert 'class="reference external"' not in shown  # no payload made a link
    else:
        assert "<script>alert(1)</script>" in shown and ".. raw:: html" in shown
        # a Markdown link's source stays as text; an HTML link keeps its text only
        assert ("[x](javascript:alert(10))" if flavour == "markdown" else "Click here") in shown
