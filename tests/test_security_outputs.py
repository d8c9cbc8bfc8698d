"""Spec text in the line-based and encoded outputs: man pages, text and LaTeX.

A man page is roff: a line that starts with ``.`` is a request (``.so FILE`` reads a file)
and ``\\`` starts an escape (``\\V[HOME]`` reads the environment). So no spec string may put
a line break before a ``.`` — signatures (webhook names, callback expressions, tags, paths),
paragraphs of 1.x notes — and no link target may carry a backslash. And a lone surrogate
(valid in a JSON ``\\ud800`` escape, not in UTF-8) must not fail a text, man or LaTeX build.
Real Sphinx builds; each test was seen to fail before the fix it guards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sphinx_projects.buildtools import build

INJECTION = "\n.so /etc/hostname\n"
_REQUEST = re.compile(r"^\.so ", re.MULTILINE)


def _project(root: Path, spec: dict[str, Any], full: bool = True) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (root / "spec.json").write_text(json.dumps(spec))
    (src / "conf.py").write_text(
        'extensions = ["sphinx_apidocs"]\napidocs_spec = "../spec.json"\napidocs_filters = ""\n'
        'man_pages = [("index", "api", "API", [], 1)]\n'
    )
    (src / "index.rst").write_text("API\n===\n\n.. api:spec::\n   :full:\n" if full else "API\n===\n")
    return src


def _response(description: str = "ok", example: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {"a": {"type": "string", "description": description}}}
    if example is not None:
        schema["example"] = example
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def hostile_openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "tags": [{"name": f"tag{INJECTION}x"}],
        "paths": {
            f"/p{INJECTION}": {"get": {"operationId": "op", "tags": [f"tag{INJECTION}x"], "responses": _response(f"d{INJECTION}")}},
            "/sub": {"post": {
                "operationId": "subscribe", "tags": ["s"], "responses": _response(),
                "callbacks": {"cb": {f"{{$request.body#/url}}{INJECTION}": {"post": {"responses": _response()}}}},
            }},
        },
        "webhooks": {f"hook{INJECTION}": {"post": {"responses": _response()}}},
    }


def test_no_spec_string_starts_a_roff_request(tmp_path: Path) -> None:
    result = build(_project(tmp_path, hostile_openapi()), tmp_path / "man", "man")
    assert result.statuscode == 0, result.warnings
    page = (result.outdir / "api.1").read_text()
    assert "hook" in page and "CALLBACK" in page and "/p" in page
    assert not _REQUEST.findall(page), [line for line in page.splitlines() if line.startswith(".so")]


def hostile_swagger() -> dict[str, Any]:
    return {
        "swaggerVersion": "1.2", "basePath": "https://api.example.com", "resourcePath": "/r",
        "apis": [{"path": "/r", "operations": [{
            "method": "GET", "nickname": "get-r", "type": "void",
            "notes": f"first line{INJECTION}<a href=\"https://x.example/\\V[HOME]\\h'-40'\">manual</a>",
        }]}],
    }


def test_1x_notes_and_links_cannot_escape_in_a_man_page(tmp_path: Path) -> None:
    root = tmp_path
    src = root / "src"
    src.mkdir()
    (root / "r.json").write_text(json.dumps(hostile_swagger()))
    (src / "conf.py").write_text(
        'extensions = ["sphinx_apidocs"]\napidocs_spec = "../r.json"\napidocs_filters = ""\n'
        'man_pages = [("index", "api", "API", [], 1)]\n'
    )
    (src / "index.rst").write_text("API\n===\n\n.. api:resource:: /r\n")
    result = build(src, root / "man", "man")
    assert result.statuscode == 0, result.warnings
    page = (result.outdir / "api.1").read_text()
    assert "first line" in page and "manual" in page
    assert not _REQUEST.findall(page)
    assert "\\V[" not in page and "\\h'" not in page  # the href's backslashes are percent-encoded
    assert "%5CV[HOME]%5Ch" in page


def surrogate_spec() -> dict[str, Any]:
    # json.dumps keeps the escape: the document holds "\ud800" as JSON text, as a hostile spec would.
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "description": "x\ud800y"},
        "paths": {"/p": {"get": {
            "operationId": "op", "summary": "s\udfff",
            "responses": _response("d\ud800", example={"a": "v\udfff"}),
        }}},
    }


@pytest.mark.parametrize("builder", ["text", "man", "latex"])
def test_lone_surrogates_do_not_fail_a_build(tmp_path: Path, builder: str) -> None:
    result = build(_project(tmp_path, surrogate_spec()), tmp_path / builder, builder)
    assert result.statuscode == 0, result.warnings
    written = "".join(p.read_text(encoding="utf-8") for p in result.outdir.iterdir() if p.suffix in (".txt", ".1", ".tex"))
    assert "\ufffd" in written or "y" in written


def test_a_requirement_naming_only_undeclared_schemes_is_not_shown_as_none(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
        "security": [{"k": []}],
        "paths": {"/p": {"get": {"operationId": "op", "security": [{"k": [], "typo": []}], "responses": _response()}}},
    }
    result = build(_project(tmp_path, spec), tmp_path / "text", "text")
    page = (result.outdir / "index.txt").read_text()
    facts = " ".join(page.split())
    assert 'Authentication: "k" (API key) and "typo" (not declared in the spec)' in facts
    assert "Authentication: none" not in facts
