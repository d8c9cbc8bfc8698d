"""Rewrites that change no contract give no change: formats, ``$ref`` / inline / ``allOf``, model
names; real corpus specs diff with themselves to nothing; and the engine is fast on Stripe.

The sample API (``sample_specs/``, Swagger 1.2) is converted to OpenAPI 3.0 at the document
level by ``swagger12_to_openapi3`` (never through our model), then both go through
``load_spec``.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import swagger12_to_openapi3 as converter
from sphinx_apidocs.diff import compare, contract_of, diff_specs
from sphinx_apidocs.filters import FilterTree, load_filter_trees
from sphinx_apidocs.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_specs"
FILTERS = ROOT / "output_filters"
CORPUS = ROOT.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not beside the checkout ({CORPUS})")


def write(path: Path, doc: dict[str, Any]) -> str:
    if path.suffix == ".json":
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(path)


def sample_as_openapi(tmp_path: Path) -> str:
    listing, declarations = converter.read_folder(SAMPLE)
    return write(tmp_path / "openapi.yaml", converter.convert(listing, declarations))


# -- the sample API, Swagger 1.2 and OpenAPI 3.0 -----------------------------------------------------


def test_the_sample_api_as_openapi_3_has_the_same_contract(tmp_path: Path) -> None:
    old = load_spec(str(SAMPLE))
    new = load_spec(sample_as_openapi(tmp_path))
    assert (old.format_label, new.format_label) == ("Swagger 1.2", "OpenAPI 3.0.3")
    assert len(list(old.operations)) == len(list(new.operations)) == 30
    # Audience marks read the same from 1.2 ``audience`` and OpenAPI ``x-audience``.
    assert {op.nickname: op.audiences for op in old.operations} == {op.nickname: op.audiences for op in new.operations}
    marked = {(m.id, p.name, p.audiences) for r in old.resources for m in r.models.values() for p in m.properties if p.audiences}
    assert marked and marked <= {(m.id, p.name, p.audiences) for r in new.resources for m in r.models.values() for p in m.properties}
    filters = load_filter_trees(str(FILTERS))
    assert diff_specs(old, new, filters, filters) == []
    assert diff_specs(old, new) == []  # whole models too
    assert contract_of(old, filters) == contract_of(new, filters)


def test_the_converted_sample_is_compared_for_real(tmp_path: Path) -> None:
    """A control: one edit of the converted document is found, so the empty diff above means
    something (the contract is not vacuous)."""
    listing, declarations = converter.read_folder(SAMPLE)
    doc = converter.convert(listing, declarations)
    del doc["components"]["schemas"]["Money"]["properties"]["currency"]
    new = load_spec(write(tmp_path / "openapi.yaml", doc))
    changes = diff_specs(load_spec(str(SAMPLE)), new, load_filter_trees(str(FILTERS)), load_filter_trees(str(FILTERS)))
    assert changes and {change.id for change in changes} == {"response-field-removed", "request-field-removed"}
    assert all(change.subject.endswith("currency") for change in changes)
    contract = contract_of(load_spec(str(SAMPLE)), load_filter_trees(str(FILTERS)))
    exposed = sum(len(op.response.fields) for op in contract if op.response is not None)
    assert exposed > 50


def test_an_allow_multiple_enum_written_in_items(tmp_path: Path) -> None:
    """An array parameter's ``items.enum`` is its allowed values, as 1.x ``allowMultiple`` +
    ``enum`` say (``status`` of list-contract-milestones)."""
    old = load_spec(str(SAMPLE))
    new = load_spec(sample_as_openapi(tmp_path))
    assert diff_specs(old, new) == []
    status = next(p for op in new.operations if op.nickname == "list-contract-milestones" for p in op.parameters if p.name == "status")
    assert status.enum and status.enum == next(
        p for op in old.operations if op.nickname == "list-contract-milestones" for p in op.parameters if p.name == "status"
    ).enum


# -- one small API written four ways -------------------------------------------------------------------

NEW_PET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "description": "The  pet's\nname."},
        "tag": {"type": "string", "enum": ["cat", "dog"]},
    },
}
ADDRESS = {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string", "deprecated": True}}}
OWNER = {"type": "object", "properties": {"name": {"type": "string"}, "address": {"$ref": "#/components/schemas/Address"}}}
PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "integer", "format": "int64"},
        "name": {"type": "string", "description": "The pet's name."},
        "tag": {"type": "string", "enum": ["dog", "cat"]},
        "owner": {"$ref": "#/components/schemas/Owner"},
    },
}


def _json_response(schema: dict[str, Any], code: str = "200") -> dict[str, Any]:
    return {code: {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def with_refs() -> dict[str, Any]:
    """The reference form: every model a named component."""
    pet = {"$ref": "#/components/schemas/Pet"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "list-pets",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}}],
                    "responses": _json_response({"type": "array", "items": pet}),
                },
                "post": {
                    "operationId": "create-pet",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                    "responses": {**_json_response(pet, "201"), "422": {"description": "invalid"}},
                },
            },
            "/pets/{petId}": {
                "get": {
                    "operationId": "get-pet",
                    "summary": "Get a pet",
                    "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer", "format": "int64"}}],
                    "responses": {**_json_response(pet), "404": {"description": "missing"}},
                }
            },
        },
        "components": {"schemas": {"Pet": PET, "NewPet": NEW_PET, "Owner": OWNER, "Address": ADDRESS}},
    }


def inlined(doc: dict[str, Any]) -> dict[str, Any]:
    """Every ``$ref`` replaced by a copy of its target, and no components: one document-level
    rewrite (the models are acyclic)."""
    schemas = doc["components"]["schemas"]

    def expand(value: Any) -> Any:
        if isinstance(value, dict):
            if "$ref" in value:
                return expand(copy.deepcopy(schemas[value["$ref"].rsplit("/", 1)[1]]))
            return {key: expand(item) for key, item in value.items()}
        if isinstance(value, list):
            return [expand(item) for item in value]
        return value

    result = expand({key: value for key, value in doc.items() if key != "components"})
    assert "$ref" not in json.dumps(result)
    return result


def renamed(doc: dict[str, Any]) -> dict[str, Any]:
    """Every component under another name."""
    text = json.dumps(doc)
    for name in ("NewPet", "Pet", "Owner", "Address"):
        text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/Zz{name}Model"')
    result = json.loads(text)
    result["components"]["schemas"] = {f"Zz{name}Model": schema for name, schema in result["components"]["schemas"].items()}
    return result


def with_all_of() -> dict[str, Any]:
    """``Pet`` composed: ``allOf`` of ``NewPet`` (name, tag) and its own part, ``tag`` redeclared
    in the part; ``Owner`` composed of two parts, one of them inline."""
    doc = with_refs()
    schemas = doc["components"]["schemas"]
    schemas["Pet"] = {
        "allOf": [
            {"$ref": "#/components/schemas/PetBase"},
            {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer", "format": "int64"}, "owner": {"$ref": "#/components/schemas/Owner"}},
            },
        ]
    }
    schemas["PetBase"] = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": PET["properties"]["name"], "tag": PET["properties"]["tag"]},
    }
    schemas["Owner"] = {
        "allOf": [
            {"type": "object", "properties": {"name": {"type": "string"}}},
            {"type": "object", "properties": {"address": {"allOf": [{"$ref": "#/components/schemas/Address"}]}}},
        ]
    }
    return doc


def as_swagger_2() -> dict[str, Any]:
    """The same API as Swagger 2.0 (``definitions``, a ``body`` parameter, ``produces``)."""
    text = json.dumps(with_refs()).replace("#/components/schemas/", "#/definitions/")
    doc = json.loads(text)
    paths = doc["paths"]
    for item in paths.values():
        for op in item.values():
            for code, response in op["responses"].items():
                content = response.pop("content", None)
                if content:
                    response["schema"] = content["application/json"]["schema"]
            for param in op.get("parameters", []):
                param.update(param.pop("schema"))
            body = op.pop("requestBody", None)
            if body:
                schema = body["content"]["application/json"]["schema"]
                op.setdefault("parameters", []).append({"name": "pet", "in": "body", "required": True, "schema": schema})
    return {
        "swagger": "2.0",
        "info": doc["info"],
        "produces": ["application/json"],
        "consumes": ["application/json"],
        "paths": paths,
        "definitions": doc["components"]["schemas"],
    }


VARIANTS = {
    "inline.yaml": lambda: inlined(with_refs()),
    "renamed.json": lambda: renamed(with_refs()),
    "all-of.yaml": with_all_of,
    "swagger-2.json": as_swagger_2,
}
SMALL_FILTERS = {"get-pet": FilterTree.from_paths(["id", "tag", "owner.address.city", "owner.name"])}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_ref_inline_all_of_and_names_give_no_change(tmp_path: Path, variant: str) -> None:
    reference = load_spec(write(tmp_path / "refs.yaml", with_refs()))
    rewritten = load_spec(write(tmp_path / variant, VARIANTS[variant]()))
    assert diff_specs(reference, rewritten) == []
    assert diff_specs(reference, rewritten, SMALL_FILTERS, SMALL_FILTERS) == []
    assert contract_of(reference) == contract_of(rewritten)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_an_edit_below_a_rewrite_is_still_found(tmp_path: Path, variant: str) -> None:
    """A control per variant: the city of the owner's address becomes an integer."""
    reference = load_spec(write(tmp_path / "refs.yaml", with_refs()))
    edited = VARIANTS[variant]()
    text = json.dumps(edited).replace('"city": {"type": "string"}', '"city": {"type": "integer"}')
    assert text != json.dumps(edited)
    rewritten = load_spec(write(tmp_path / variant, json.loads(text)))
    rows = [(c.id, c.operation, c.subject) for c in diff_specs(reference, rewritten, SMALL_FILTERS, SMALL_FILTERS)]
    assert rows == [
        ("response-field-type-changed", "list-pets", "owner.address.city"),
        ("response-field-type-changed", "create-pet", "owner.address.city"),
        ("response-field-type-changed", "get-pet", "owner.address.city"),
    ]


# -- real specs -------------------------------------------------------------------------------------

SELF_DIFFS = (
    "swagger-1.2/kubernetes-1.2",
    "swagger-1.2/swagger-tools-petstore",
    "swagger-1.x-legacy/wordnik-word/word.json",
    "swagger-2.0/slack/slack_web_openapi_v2.json",
    "openapi-3.0/oai-examples/petstore-expanded.yaml",
    "openapi-3.0/oai-examples/link-example.yaml",
    "openapi-3.1/discord/openapi.json",
)


@needs_corpus
@pytest.mark.parametrize("name", SELF_DIFFS)
def test_a_corpus_spec_diffed_with_itself_gives_nothing(name: str) -> None:
    first, second = load_spec(str(CORPUS / name)), load_spec(str(CORPUS / name))  # two loads: no shared objects
    contract = contract_of(first)
    assert contract.operations
    assert diff_specs(first, second) == []
    assert contract == contract_of(second)


@needs_corpus
def test_the_same_real_api_in_swagger_2_and_openapi_3() -> None:
    """The OAI's petstore-expanded, written in both formats: the one real difference is the
    longer description of ``findPets`` in the 3.0 file."""
    old = load_spec(str(CORPUS / "swagger-2.0/oai-examples/yaml/petstore-expanded.yaml"))
    new = load_spec(str(CORPUS / "openapi-3.0/oai-examples/petstore-expanded.yaml"))
    rows = [(c.id, c.level.label, c.operation, c.subject) for c in diff_specs(old, new)]
    assert rows == [("description-changed", "info", "findPets", "")]


STRIPE = CORPUS / "openapi-3.0/stripe/spec3.json"


@pytest.fixture(scope="module")
def stripe() -> Any:
    if not STRIPE.is_file():
        pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})")
    return load_spec(str(STRIPE))


def test_stripe_json_and_yaml_are_one_contract(stripe: Any) -> None:
    assert diff_specs(stripe, load_spec(str(STRIPE.with_suffix(".yaml")))) == []


def stripe_edited(tmp_path: Path) -> str:
    """The next "release": an operation gone, a field gone, a type changed, a new required parameter."""
    doc = json.loads(STRIPE.read_text(encoding="utf-8"))
    del doc["paths"]["/v1/charges/{charge}/capture"]["post"]
    schemas = doc["components"]["schemas"]
    del schemas["customer"]["properties"]["email"]
    schemas["charge"]["properties"]["amount"] = {"type": "string", "description": "Now text."}
    doc["paths"]["/v1/customers"]["get"]["parameters"].append(
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    return write(tmp_path / "spec3.json", doc)


def test_stripe_two_releases_compare_within_two_seconds(stripe: Any, tmp_path: Path) -> None:
    new_spec = load_spec(stripe_edited(tmp_path))  # loading is not timed
    started = time.perf_counter()
    changes = compare(contract_of(stripe), contract_of(new_spec))
    elapsed = time.perf_counter() - started
    print(f"\nStripe: contract_of x2 + compare = {elapsed:.3f} s, {len(changes)} changes")
    assert elapsed <= 2.0
    found = {(c.id, c.operation, c.subject) for c in changes}
    assert ("operation-removed", "PostChargesChargeCapture", "") in found
    assert ("response-field-removed", "GetCustomersCustomer", "email") in found
    assert ("response-field-type-changed", "GetChargesCharge", "amount") in found
    assert ("response-field-type-changed", "GetCharges", "data.amount") in found
    assert ("parameter-added-required", "GetCustomers", "tenant") in found
    assert {c.id for c in changes} == {
        "operation-removed", "response-field-removed", "response-field-type-changed", "parameter-added-required",
        "description-changed",  # charge.amount got a new description along with its type
    }
