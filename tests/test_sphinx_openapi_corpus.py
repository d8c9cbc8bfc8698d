"""Every Swagger 2.0 / OpenAPI 3.x file of the shared corpus renders with ``sphinx-build -W``,
html and text — Stripe (417 operations), Discord (3.1), Slack (2.0) included — or fails with
the one-line message the compatibility page gives for it. Never a traceback.

Each file gets a tiny project: ``apidocs_spec`` = the file, one generated page per resource
(``apidocs_resource_pages = "api"``), no filters. html is built first; text then reuses its
doctrees (as ``sphinx-build -b html`` then ``-b text`` with the same ``-d`` do), so a big spec
is read once and written twice. Then a made-up OpenAPI 3.1 spec checks what an operation page
shows for the OpenAPI-only features (cookie parameters, ``2XX``/``default``, request body
media types, unions, output fields from the success response).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sphinx_apidocs.spec import load_spec
from sphinx_projects.buildtools import REPO, BuildResult, build

CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})", allow_module_level=True)

sys.path.insert(0, str(REPO / "scripts"))
import compatibility_page  # noqa: E402

FILES = compatibility_page.openapi_files(CORPUS)
BIG = {"openapi-3.0/stripe/spec3.json", "openapi-3.0/stripe/spec3.yaml", "openapi-3.1/discord/openapi.json", "swagger-2.0/slack/slack_web_openapi_v2.json"}

#: Files that cannot pass ``-W``, with the one warning they fail with (none since webhooks
#: and callbacks are documented: see ``WITH_WEBHOOKS_OR_CALLBACKS``).
EXPECTED_FAILURES: dict[str, str] = {}

#: Files with webhooks or callbacks, and the nicknames they are documented under.
WITH_WEBHOOKS_OR_CALLBACKS = {
    "openapi-3.1/oai-examples/webhook-example.yaml": {"post-webhooks-newPet": "webhook"},
    "openapi-3.0/oai-examples/callback-example.yaml": {"post-post-streams-callbacks-onData": "callback"},
}


def _name(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def _project(root: Path, spec: Path, extra: str = "") -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        'project = "corpus"\nextensions = ["sphinx_apidocs"]\n'
        f"apidocs_spec = {str(spec)!r}\napidocs_resource_pages = \"api\"\n" + extra
    )
    (src / "index.rst").write_text("Corpus\n======\n\n.. toctree::\n\n   api/index\n")
    return src


def _html_and_text(root: Path, spec: Path) -> tuple[BuildResult, BuildResult]:
    src = _project(root, spec)
    doctrees = root / "doctrees"
    html = build(src, root / "html", "html", doctreedir=doctrees, warningiserror=True)
    text = build(src, root / "text", "text", doctreedir=doctrees, warningiserror=True)
    return html, text


def test_the_files_are_all_there() -> None:
    assert len(FILES) == 22
    assert BIG <= {_name(p) for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_renders_with_W_in_html_and_text(path: Path, tmp_path: Path) -> None:
    html, text = _html_and_text(tmp_path, path)
    for result in (html, text):
        assert "Traceback" not in result.status + result.warnings
    expected = EXPECTED_FAILURES.get(_name(path))
    if expected is not None:
        for result in (html, text):
            assert result.statuscode == 1
            assert len(result.warning_lines()) == 1 and result.warning_lines()[0].endswith(expected), result.warnings
        return
    assert (html.statuscode, html.warning_lines()) == (0, []), html.warnings
    assert (text.statuscode, text.warning_lines()) == (0, []), text.warnings
    assert text.read == [], "text reuses the doctrees html wrote"

    spec = load_spec(str(path))
    state_ops = {op.nickname for op in spec.operations}
    domain = html.app.env.get_domain("api")
    documented = {name for (objtype, name) in domain.objects if objtype == "operation"}
    assert documented == state_ops  # every operation is on a page, linkable
    resources = {r.resource_path for r in spec.resources}
    # one page per resource, the index, and the models page when some model is shared
    shared = any(objtype == "model" and not name.startswith("/") for (objtype, name) in domain.objects)
    assert (html.outdir / "api" / "models.html").exists() == shared
    assert len(list((html.outdir / "api").glob("*.html"))) == len(resources) + 1 + shared
    overview = " ".join((text.outdir / "api" / "index.txt").read_text(encoding="utf-8").split())
    assert f"Specification: {spec.format_label}" in overview
    if _name(path) in BIG:
        assert len(state_ops) in (417, 242, 174)
    sent_by_api = {op.nickname: op.kind for op in spec.operations if op.kind != "operation"}
    assert sent_by_api == WITH_WEBHOOKS_OR_CALLBACKS.get(_name(path), {})
    for nickname, kind in sent_by_api.items():  # documented, with its kind badge
        page = (html.outdir / domain.objects[("operation", nickname)][0]).with_suffix(".html").read_text(encoding="utf-8")
        assert f'<span class="api-kind api-kind-{kind} property">' in page


# -- what an OpenAPI operation page shows ----------------------------------------------------

PETS = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "2.1"},
    "servers": [{"url": "https://pets.example.com/v2"}],
    "paths": {
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "tags": ["pets"],
                "summary": "One pet",
                "parameters": [
                    {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int64"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}, "description": "Session cookie."},
                    {"name": "legacy", "in": "query", "deprecated": True, "schema": {"type": ["string", "null"]}, "description": "Old switch."},
                ],
                "responses": {
                    "2XX": {"description": "The pet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "default": {"description": "Something went wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                },
            },
            "put": {
                "operationId": "putPet",
                "tags": ["pets"],
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {
                    "required": True,
                    "description": "The new pet.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
                        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Pet"}},
                    },
                },
                "responses": {"204": {"description": "Replaced"}},
            },
        },
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "description": "The pet's id."},
                    "animal": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}], "description": "What it is."},
                },
            },
            "Cat": {"type": "object", "properties": {"purrs": {"type": "boolean", "description": "Whether it purrs."}}},
            "Dog": {"type": "object", "properties": {"barks": {"type": "boolean", "description": "Whether it barks."}}},
            "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
        },
    },
}


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, str]:
    root = tmp_path_factory.mktemp("pets")
    spec = root / "pets.json"
    spec.write_text(json.dumps(PETS))
    (root / "filters.yaml").write_text("getPet: [id, animal.purrs, animal.barks]\n")
    src = _project(root, spec, f"apidocs_filters = {str(root / 'filters.yaml')!r}\napidocs_field_selection = True\n")
    html = build(src, root / "html", "html", doctreedir=root / "doctrees", warningiserror=True)
    assert (html.statuscode, html.warning_lines()) == (0, []), html.warnings
    text = build(src, root / "text", "text", doctreedir=root / "doctrees", warningiserror=True)
    assert (text.statuscode, text.warning_lines()) == (0, []), text.warnings
    page = (text.outdir / "api" / "pets.txt").read_text(encoding="utf-8")
    return html, page


def _row(page: str, first_cell: str) -> list[str]:
    """The cells of the first table row whose first cell is ``first_cell`` (wrapped cell text
    joined with spaces), cut at the column borders of the grid table."""
    lines = page.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("|") or stripped[1:].split("|")[0].strip() != first_cell:
            continue
        border = next(lines[i] for i in range(index - 1, -1, -1) if lines[i].strip().startswith("+"))
        edges = [i for i, ch in enumerate(border) if ch == "+"]
        end = next(i for i in range(index, len(lines)) if lines[i].strip().startswith("+"))
        return [
            " ".join(" ".join(row[a + 1 : b] for row in lines[index:end]).split())
            for a, b in zip(edges, edges[1:])
        ]
    raise AssertionError(f"no row {first_cell!r}")


def test_openapi_response_codes_and_types(pets: tuple[BuildResult, str]) -> None:
    _, page = pets
    assert _row(page, "2XX")[1:] == ["The pet", "Pet"]
    assert _row(page, "default")[1:] == ["Something went wrong", "Error"]
    assert _row(page, "204")[1:] == ["Replaced", ""]


def test_openapi_parameters_cookie_nullable_deprecated_and_body(pets: tuple[BuildResult, str]) -> None:
    _, page = pets
    assert _row(page, '"session"')[1:3] == ["cookie", "string"]
    legacy = _row(page, '"legacy"')
    assert legacy[1:3] == ["query", "string | null"] and legacy[-1] == "**Deprecated.** Old switch."
    assert _row(page, '"body"')[1:4] == ["body", "Pet", "yes"]
    flat = " ".join(page.split())
    assert 'Consumes: "application/json", "application/x-www-form-urlencoded"' in flat


def test_unions_show_their_alternatives_each_linked(pets: tuple[BuildResult, str]) -> None:
    html, page = pets
    assert _row(page, '"animal"')[1] == "Cat | Dog"
    source = (html.outdir / "api" / "pets.html").read_text(encoding="utf-8")
    assert '>Cat</a> | <a class="reference internal" href="#api-model-pets-Dog"' in source


def test_output_fields_come_from_the_success_response(pets: tuple[BuildResult, str]) -> None:
    _, page = pets
    flat = " ".join(page.split())
    assert "Possible output fields" in flat
    assert _row(page, '"id"')[1:] == ["integer (int64)", "The pet's id."]
    assert _row(page, '"animal.purrs"')[1:] == ["boolean", "Whether it purrs."]
    assert _row(page, '"animal.barks"')[1:] == ["boolean", "Whether it barks."]
    assert 'e.g. "?fields=id,animal.purrs".' in flat
    assert "Specification: OpenAPI 3.1.0" in " ".join((Path(pets[0].outdir).parent / "text" / "api" / "index.txt").read_text().split())
