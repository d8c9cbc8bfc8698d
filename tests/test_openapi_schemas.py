"""OpenAPI / Swagger 2.0 schemas -> models: composition, recursion, $ref chains, nullability."""

from __future__ import annotations

import json

import pytest

from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.model import TypeRef


def openapi(schemas: dict, response: dict, version: str = "3.0.3", **extra: object) -> dict:
    return {
        "openapi": version,
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "getThing",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response}}}},
                }
            }
        },
        "components": {"schemas": schemas},
        **extra,
    }


def load(tmp_path, document: dict, name: str = "openapi.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return load_spec(str(path))


def names(model) -> list[str]:
    return [p.name for p in model.properties]


def test_named_component_is_a_model_and_the_response_refers_to_it(tmp_path):
    spec = load(tmp_path, openapi(
        {"Pet": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer", "format": "int64", "description": "The id."},
            "tag": {"type": "string", "enum": ["a", "b"]},
        }}},
        {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
    ))
    op = spec.operation("getThing")
    assert op.response_type == TypeRef(type="array", items=TypeRef(ref="Pet"))
    assert op.response_type.display() == "array[Pet]"
    pet = spec.models()["Pet"]
    assert names(pet) == ["id", "tag"]
    assert pet.property("id").required and pet.property("id").description == "The id."
    assert pet.property("id").type.display() == "integer (int64)"
    assert pet.property("tag").enum == ("a", "b") and not pet.property("tag").required
    assert op.response_messages[0].code == 200 and op.response_messages[0].model == "Pet"


def test_inline_objects_get_deterministic_generated_names(tmp_path):
    document = openapi({}, {"type": "object", "properties": {
        "owner": {"type": "object", "properties": {"name": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}}},
        "meta": {"type": "object", "additionalProperties": {"type": "string"}},
    }})
    spec = load(tmp_path, document)
    op = spec.operation("getThing")
    assert op.response_type == TypeRef(ref="getThing.response")
    models = spec.models()
    response = models["getThing.response"]
    assert response.property("owner").type == TypeRef(ref="getThing.response.owner")
    assert response.property("tags").type.display() == "array[getThing.response.tags]"
    assert response.property("meta").type == TypeRef(type="object")  # a free-form map
    assert names(models["getThing.response.owner"]) == ["name"]
    assert names(models["getThing.response.tags"]) == ["label"]
    assert load(tmp_path, document, "again.json").models().keys() == models.keys()


def test_all_of_merges_properties_and_required(tmp_path):
    spec = load(tmp_path, openapi(
        {
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}},
            "Cat": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "required": ["kind"], "properties": {"meows": {"type": "boolean"}, "id": {"type": "integer"}}},
            ]},
        },
        {"$ref": "#/components/schemas/Cat"},
    ))
    cat = spec.models()["Cat"]
    assert names(cat) == ["id", "kind", "meows"]
    assert cat.property("id").type.display() == "string"  # the first declaration wins
    assert set(cat.required) == {"id", "kind"}
    assert cat.property("kind").required and not cat.property("meows").required


def test_one_of_is_a_union_model_and_displays_its_variants(tmp_path):
    spec = load(tmp_path, openapi(
        {
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}}},
            "Dog": {"type": "object", "properties": {"kind": {"type": "integer"}, "barks": {"type": "boolean"}}},
        },
        {"type": "object", "properties": {
            "pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {"propertyName": "kind"}},
            "id_or_cat": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Cat"}]},
            "scalar": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        }},
    ))
    models = spec.models()
    pet = models["getThing.response"].property("pet")
    assert pet.type.display() == "Cat | Dog"
    assert pet.type.ref == "getThing.response.pet"
    union = models["getThing.response.pet"]
    assert names(union) == ["kind", "meows", "barks"]
    assert union.property("kind").type.display() == "string"  # first wins
    assert union.discriminator == "kind"
    id_or_cat = models["getThing.response"].property("id_or_cat").type
    assert id_or_cat.display() == "string | Cat" and id_or_cat.ref == "Cat"  # one object variant: itself
    scalar = models["getThing.response"].property("scalar").type
    assert scalar.display() == "string | integer" and scalar.model_name() is None


def test_named_one_of_with_discriminator_is_a_model_of_the_union(tmp_path):
    spec = load(tmp_path, openapi(
        {
            "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {"propertyName": "petType"}},
            "Cat": {"type": "object", "properties": {"petType": {"type": "string"}, "meows": {"type": "boolean"}}},
            "Dog": {"type": "object", "properties": {"petType": {"type": "string"}, "barks": {"type": "boolean"}}},
        },
        {"$ref": "#/components/schemas/Pet"},
    ))
    pet = spec.models()["Pet"]
    assert spec.operation("getThing").response_type == TypeRef(ref="Pet")
    assert names(pet) == ["petType", "meows", "barks"] and pet.discriminator == "petType"


def test_inline_one_of_objects_become_variant_models(tmp_path):
    spec = load(tmp_path, openapi({}, {"anyOf": [
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": {"b": {"type": "string"}}},
    ]}))
    op = spec.operation("getThing")
    assert op.response_type.display() == "getThing.response.variant1 | getThing.response.variant2"
    assert names(spec.models()[op.response_type.ref]) == ["a", "b"]


def test_recursive_schemas_terminate(tmp_path):
    spec = load(tmp_path, openapi(
        {
            "Node": {"type": "object", "properties": {
                "value": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"$ref": "#/components/schemas/Node"},
            }},
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "properties": {"x": {"type": "string"}}}]},
        },
        {"type": "object", "properties": {"root": {"$ref": "#/components/schemas/Node"}, "a": {"$ref": "#/components/schemas/A"}}},
    ))
    models = spec.models()
    node = models["Node"]
    assert node.property("parent").type == TypeRef(ref="Node")  # a model that contains itself: a ref to itself
    assert node.property("children").type.display() == "array[Node]"
    assert names(models["B"]) == ["b", "x"]
    assert models["A"].property("b").type == TypeRef(ref="B")


def test_ref_chains_and_aliases_resolve_to_the_final_type(tmp_path):
    spec = load(tmp_path, openapi(
        {
            "Id": {"$ref": "#/components/schemas/Uuid"},
            "Uuid": {"type": "string", "format": "uuid", "description": "A UUID."},
            "PetRef": {"$ref": "#/components/schemas/Pet"},
            "Pet": {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}}},
            "Loop1": {"$ref": "#/components/schemas/Loop2"},
            "Loop2": {"$ref": "#/components/schemas/Loop1"},
        },
        {"type": "object", "properties": {
            "pet": {"$ref": "#/components/schemas/PetRef"},
            "loop": {"$ref": "#/components/schemas/Loop1"},
        }},
    ))
    response = spec.models()["getThing.response"]
    assert response.property("pet").type == TypeRef(ref="Pet")
    pet_id = spec.models()["Pet"].property("id")
    assert pet_id.type.display() == "string (uuid)" and pet_id.description == "A UUID."
    assert response.property("loop").type.ref in ("Loop1", "Loop2")  # a pure $ref loop terminates


def test_openapi_31_type_arrays_and_null_variants(tmp_path):
    spec = load(tmp_path, openapi(
        {"Owner": {"type": "object", "properties": {"name": {"type": "string"}}}},
        {"type": "object", "properties": {
            "nickname": {"type": ["string", "null"]},
            "count": {"type": ["integer", "string"]},
            "owner": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Owner"}]},
            "plain": {"type": "string"},
            "code": {"type": "integer", "oneOf": [{"const": 1, "title": "ONE"}, {"const": 2, "title": "TWO"}]},
        }},
        version="3.1.0",
    ))
    response = spec.models()["getThing.response"]
    nickname = response.property("nickname")
    assert nickname.type == TypeRef(type="string") and nickname.nullable
    assert response.property("count").type.display() == "integer | string"
    owner = response.property("owner")
    assert owner.type == TypeRef(ref="Owner") and owner.nullable
    assert not response.property("plain").nullable
    assert response.property("code").type.display() == "integer" and response.property("code").enum == ("1", "2")


def test_openapi_30_nullable(tmp_path):
    spec = load(tmp_path, openapi(
        {"Owner": {"type": "object", "properties": {"name": {"type": "string"}}}},
        {"type": "object", "properties": {
            "a": {"type": "string", "nullable": True},
            "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True, "description": "Who."},
        }},
    ))
    response = spec.models()["getThing.response"]
    assert response.property("a").nullable
    owner = response.property("owner")
    assert owner.type == TypeRef(ref="Owner") and owner.nullable and owner.description == "Who."


def test_swagger_20_definitions_and_discriminator(tmp_path):
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "host": "api.example.com",
        "basePath": "/v2",
        "schemes": ["https"],
        "paths": {"/pets": {"get": {
            "operationId": "listPets",
            "responses": {"200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}},
        }}},
        "definitions": {
            "Pet": {"type": "object", "discriminator": "petType", "required": ["petType"],
                    "properties": {"petType": {"type": "string"}, "name": {"type": "string", "x-nullable": True}}},
            "Cat": {"allOf": [{"$ref": "#/definitions/Pet"}, {"properties": {"meows": {"type": "boolean"}}}]},
        },
    }
    spec = load(tmp_path, document)
    assert spec.swagger_version == "2.0"
    op = spec.operation("listPets")
    assert op.response_type.display() == "array[Pet]"
    assert spec.full_path(op) == "https://api.example.com/v2/pets"
    models = spec.models()
    assert models["Pet"].discriminator == "petType" and models["Pet"].property("name").nullable
    assert names(models["Cat"]) == ["petType", "name", "meows"] and models["Cat"].required == ("petType",)


@pytest.mark.parametrize("schema", [
    {"$ref": "#/components/schemas/Missing"},
    {"allOf": [{"$ref": "#/components/schemas/Missing"}]},
    {"oneOf": "not a list"},
    {"type": 7},
])
def test_odd_schemas_never_raise(tmp_path, schema):
    try:
        spec = load(tmp_path, openapi({}, {"type": "object", "properties": {"x": schema}}))
    except Exception as exc:  # validation may refuse it, but only with a one-line SpecError
        from sphinx_apidocs.errors import SpecError

        assert isinstance(exc, SpecError) and all("\n" not in line for line in exc.problems)
        return
    assert spec.operation("getThing") is not None


def test_dangling_schema_ref_is_a_located_warning(tmp_path):
    spec = load(tmp_path, openapi({}, {"$ref": "#/components/schemas/Missing"}))
    assert spec.operation("getThing").response_type == TypeRef(ref="Missing")
    assert any("#/paths/~1things/get/responses/200/content/application~1json/schema/$ref: unresolved reference" in w
               for w in spec.warnings)


def test_with_type_keeps_every_field_of_typed() -> None:
    """``_with_type`` spells Typed's fields out (it is on the converter's hot path): a field
    added to Typed and not to it would be lost silently."""
    import dataclasses

    from sphinx_apidocs.spec.model import Constraints, TypeRef
    from sphinx_apidocs.spec.openapi.schemas import Typed, _with_type

    values = {
        "type": TypeRef(ref="Old"), "nullable": True, "description": "d", "enum": ("a",), "minimum": 1.0,
        "maximum": 2.0, "default": 3, "example": 4, "deprecated": True, "constraints": Constraints(pattern="x"),
    }
    assert set(values) == {f.name for f in dataclasses.fields(Typed)}, "a new field of Typed: give it a value here"
    typed = Typed(**values)
    new = TypeRef(ref="New")
    assert _with_type(typed, new) == dataclasses.replace(typed, type=new)
    assert _with_type(typed, new, False) == dataclasses.replace(typed, type=new, nullable=False)
