"""Models where they belong (``apidocs_shared_models``).

``"page"`` (the default): a model used by exactly one resource is documented on that
resource's page; a model used by several resources (through operation types, properties,
array items and variants), or by none, once on the models page (``api/models`` with
generated pages, the end of ``.. api:spec:: :full:``, or ``.. api:models::``). Every link
to a model goes to that one place. Swagger 1.x scopes models per declaration: a model keeps
the page of the declaration that holds it unless identical declarations are shared.
``"first"``: each resource documents its own declaration's models, as before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx_apidocs.spec.loader import load_spec
from sphinx_apidocs.sphinxext.fields import ModelIndex
from sphinx_apidocs.sphinxext.links import MODELS_PAGE, ModelPlacement
from sphinx_projects.buildtools import SAMPLE_SPECS, BuildResult, build, copy_project


def _schema(ref: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{ref}"}


def _get(tag: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"tags": [tag], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}


#: Pets and stores: ``Pet`` only for /pets; ``Owner`` (through ``Pet.owner`` and
#: ``Store.keeper``) and ``Error`` for both; ``Cat``/``Dog`` through a ``oneOf`` of /stores;
#: ``Unused`` for nobody.
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example.com/v1"}],
    "tags": [{"name": "pets"}, {"name": "stores"}],
    "paths": {
        "/pets/{id}": {"get": {"operationId": "get-pet", **_get("pets", _schema("Pet"))}},
        "/pets": {"get": {"operationId": "list-pets", **_get("pets", {"type": "array", "items": _schema("Pet")})}},
        "/stores/{id}": {"get": {"operationId": "get-store", **_get("stores", _schema("Store"))}},
        "/stores/{id}/animal": {"get": {"operationId": "get-animal", **_get("stores", {"oneOf": [_schema("Cat"), _schema("Dog")]})}},
        "/stores/{id}/error": {"get": {"operationId": "get-error", **_get("stores", _schema("Error"))}},
        "/pets/{id}/error": {"get": {"operationId": "get-pet-error", **_get("pets", _schema("Error"))}},
    },
    "components": {"schemas": {
        "Pet": {"type": "object", "properties": {"name": {"type": "string"}, "owner": _schema("Owner")}},
        "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Store": {"type": "object", "properties": {"keeper": _schema("Owner")}},
        "Cat": {"type": "object", "properties": {"purrs": {"type": "boolean"}}},
        "Dog": {"type": "object", "properties": {"barks": {"type": "boolean"}}},
        "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
        "Unused": {"type": "object", "properties": {"x": {"type": "string"}}},
    }},
}


def _project(tmp_path: Path, spec: dict[str, Any] | None = None, index: str = "", **conf: Any) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    spec_path = tmp_path / "openapi.json"
    spec_path.write_text(json.dumps(spec or OPENAPI))
    settings = {"apidocs_spec": str(spec_path), **conf}
    (src / "conf.py").write_text(
        'extensions = ["sphinx_apidocs"]\n' + "".join(f"{k} = {v!r}\n" for k, v in settings.items())
    )
    (src / "index.rst").write_text(index or "Pets\n====\n\n.. toctree::\n\n   api/index\n")
    return src


def _build(src: Path, out: Path, **kwargs: Any) -> BuildResult:
    result = build(src, out, **kwargs)
    assert result.statuscode == 0 and result.warning_lines() == [], result.warnings
    return result


STORE_UNION = "api-model-stores-get-animal.response"


def model_ids(html: str) -> list[str]:
    return re.findall(r'<dt class="sig sig-object api" id="(api-model-[^"]*)"', html)


def test_openapi_models_on_their_only_resource_and_shared_ones_on_the_models_page(tmp_path: Path) -> None:
    src = _project(tmp_path, apidocs_resource_pages="api")
    result = _build(src, tmp_path / "out", warningiserror=True)
    out = result.outdir / "api"
    pets, stores, models = ((out / f"{page}.html").read_text() for page in ("pets", "stores", "models"))
    assert model_ids(pets) == ["api-model-pets-Pet"]
    # (the oneOf has a model of its own, holding the union of the variants' properties)
    assert set(model_ids(stores)) == {STORE_UNION, "api-model-stores-Cat", "api-model-stores-Dog", "api-model-stores-Store"}
    assert model_ids(models) == ["api-model-Error", "api-model-Owner", "api-model-Unused"]  # alphabetical
    # Every link to a shared model goes to the models page, from both resources' pages.
    assert 'href="models.html#api-model-Owner"' in pets and 'href="models.html#api-model-Owner"' in stores
    assert 'href="models.html#api-model-Error"' in pets and 'href="models.html#api-model-Error"' in stores
    assert 'href="#api-model-pets-Pet"' in pets
    assert 'href="#api-model-stores-Cat"' in stores  # a oneOf variant
    # The overview's toctree lists the models page last.
    assert (src / "api" / "index.rst").read_text().splitlines()[-1].strip() == "models"
    assert (src / "api" / "models.rst").read_text().splitlines()[-1] == ".. api:models-page::"
    assert "<title>Models" in models
    inventory = {name: doc for name, _d, typ, doc, _a, _p in result.app.env.get_domain("api").get_objects() if typ == "model"}
    assert inventory == {
        "/pets:Pet": "api/pets", "/stores:get-animal.response": "api/stores", "/stores:Cat": "api/stores", "/stores:Dog": "api/stores", "/stores:Store": "api/stores",
        "Error": "api/models", "Owner": "api/models", "Unused": "api/models",
    }


def test_model_roles_find_the_one_place(tmp_path: Path) -> None:
    index = (
        "Pets\n====\n\n.. toctree::\n\n   api/index\n\n"
        ":api:model:`Owner`, :api:model:`/pets:Owner`, :api:model:`/pets:Pet`, :api:model:`Pet`.\n"
    )
    src = _project(tmp_path, index=index, apidocs_resource_pages="api")
    page = (_build(src, tmp_path / "out").outdir / "index.html").read_text()
    paragraph = page[page.index("<p>", page.index("toctree-wrapper")):]
    paragraph = paragraph[: paragraph.index("</p>")]
    assert paragraph.count('href="api/models.html#api-model-Owner"') == 2
    assert paragraph.count('href="api/pets.html#api-model-pets-Pet"') == 2


def test_first_keeps_the_models_with_the_first_resource(tmp_path: Path) -> None:
    src = _project(tmp_path, apidocs_resource_pages="api", apidocs_shared_models="first")
    out = _build(src, tmp_path / "out", warningiserror=True).outdir / "api"
    assert not (src / "api" / "models.rst").exists() and not (out / "models.html").exists()
    pets = (out / "pets.html").read_text()
    assert set(model_ids(pets)) == {"api-model-pets-Pet", "api-model-pets-Owner", "api-model-pets-Error", "api-model-pets-Unused"}
    assert 'href="pets.html#api-model-pets-Owner"' in (out / "stores.html").read_text()


def test_without_generated_pages_spec_full_ends_with_the_shared_models(tmp_path: Path) -> None:
    src = _project(tmp_path, index="Pets\n====\n\n.. api:spec::\n   :full:\n")
    page = (_build(src, tmp_path / "out", warningiserror=True).outdir / "index.html").read_text()
    ids = model_ids(page)
    assert ids[0] == "api-model-pets-Pet"
    assert set(ids[1:5]) == {STORE_UNION, "api-model-stores-Cat", "api-model-stores-Dog", "api-model-stores-Store"}
    assert ids[5:] == ["api-model-Error", "api-model-Owner", "api-model-Unused"]
    assert 'href="#api-model-Owner"' in page


def test_api_models_directive_and_no_models(tmp_path: Path) -> None:
    """Hand-written pages: ``.. api:models::`` documents the shared models where the author
    wants them; ``:no-models:`` leaves out a resource's own models (links to them are text)."""
    index = (
        "Pets\n====\n\n.. toctree::\n\n   shared\n\n"
        ".. api:resource:: /pets\n   :no-models:\n\n.. api:resource:: /stores\n"
    )
    src = _project(tmp_path, index=index)
    (src / "shared.rst").write_text("Shared\n======\n\n.. api:models::\n")
    result = _build(src, tmp_path / "out", warningiserror=True)
    index_html = (result.outdir / "index.html").read_text()
    shared = (result.outdir / "shared.html").read_text()
    assert model_ids(shared) == ["api-model-Error", "api-model-Owner", "api-model-Unused"]
    assert "api-model-pets-Pet" not in index_html  # :no-models:, and no link target anywhere
    assert 'href="shared.html#api-model-Owner"' in index_html


def test_swagger12_identical_declarations_are_shared_different_ones_stay(tmp_path: Path) -> None:
    """The sample API (Swagger 1.2) repeats ``Error``, ``Money``... identically in several
    declarations: documented once, on the models page; a model of one declaration only
    stays on its resource's page."""
    spec = load_spec(str(SAMPLE_SPECS))
    resources = {r.resource_path: r for r in spec.resources}
    placement = ModelPlacement(spec, ModelIndex(spec), resources)
    shared = {p.model.id for p in placement.on(MODELS_PAGE)}
    assert {"Error", "FieldError", "Money", "Paging", "UserRef", "Location", "Portrait", "Attachment", "PaymentTotals"} <= shared
    assert "Milestone" not in shared
    assert {p.name for p in placement.on("/contracts")} >= {"/contracts:Milestone", "/contracts:Contract"}
    # Links from any resource resolve to the same place.
    assert placement.resolve("Error", "/jobs") is placement.resolve("Error", "/contracts") is placement.resolve("/auth:Error")
    assert placement.resolve("Milestone", "/contracts").where == "/contracts"  # type: ignore[union-attr]


def test_swagger12_same_name_different_models(tmp_path: Path) -> None:
    """Two declarations define ``Item`` differently: each keeps its own, on its own page."""
    specs = tmp_path / "specs"
    specs.mkdir()

    def declaration(path: str, description: str) -> dict[str, Any]:
        return {
            "swaggerVersion": "1.2", "basePath": "https://x.example.com", "resourcePath": path,
            "apis": [{"path": f"{path}/item", "operations": [
                {"method": "GET", "nickname": f"get{path.replace('/', '-')}", "type": "Item", "parameters": []},
            ]}],
            "models": {"Item": {"id": "Item", "description": description, "properties": {"a": {"type": "string"}}}},
        }

    (specs / "one.json").write_text(json.dumps(declaration("/one", "first kind")))
    (specs / "two.json").write_text(json.dumps(declaration("/two", "second kind")))
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f'extensions = ["sphinx_apidocs"]\napidocs_spec = {str(specs)!r}\napidocs_resource_pages = "api"\n')
    (src / "index.rst").write_text("X\n=\n\n.. toctree::\n\n   api/index\n")
    out = _build(src, tmp_path / "out", warningiserror=True).outdir / "api"
    assert not (out / "models.html").exists()
    one, two = (out / "one.html").read_text(), (out / "two.html").read_text()
    assert model_ids(one) == ["api-model-one-Item"] and "first kind" in one
    assert model_ids(two) == ["api-model-two-Item"] and "second kind" in two
    assert 'href="#api-model-two-Item"' in two


def test_sample_pages_hold_only_their_own_models(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    out = _build(src, tmp_path / "out").outdir / "api"
    contracts = (out / "contracts.html").read_text()
    assert "api-model-contracts-Error" not in contracts
    assert 'href="models.html#api-model-Error"' in contracts
    assert 'id="api-model-contracts-Milestone"' in contracts
    assert 'id="api-model-Error"' in (out / "models.html").read_text()


def test_a_model_moving_to_the_models_page_rereads_both_pages(tmp_path: Path) -> None:
    """``Pet`` becomes shared when /stores starts using it: its page and the models page are
    re-read; a page only linking to it is written again with the new link."""
    src = _project(tmp_path, apidocs_resource_pages="api")
    out = tmp_path / "out"
    _build(src, out)
    spec = json.loads(json.dumps(OPENAPI))
    spec["components"]["schemas"]["Store"]["properties"]["pet"] = _schema("Pet")
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    result = _build(src, out)
    assert result.read == ["api/models", "api/pets", "api/stores"]
    assert 'href="models.html#api-model-Pet"' in (out / "api" / "pets.html").read_text()
    fresh = _build(src, tmp_path / "fresh", fresh=True)
    for page in ("pets", "stores", "models", "index"):
        assert (out / "api" / f"{page}.html").read_text() == (fresh.outdir / "api" / f"{page}.html").read_text()
