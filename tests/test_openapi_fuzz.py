"""Mutated OpenAPI / Swagger 2.0 documents: every outcome is a model or a one-line error, never a traceback."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.errors import ApidocsError, SpecError
from sphinx_apidocs.spec.fetch import Document
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.sources import Declared, DocumentSet
from test_openapi_load import petstore

REFS = [
    "#/components/schemas/Pet", "#/components/schemas/Nope", "#/", "#", "#/paths", "#/components",
    "#/components/requestBodies/PetBody", "#/components/responses/Oops", "#/definitions/Pet", "other.json#/x", "#bad",
    "#/paths/~1pets~1{petId}/get/parameters/0", "#/components/schemas/Pet/properties/id",
]
KEYS = ["$ref", "type", "items", "properties", "allOf", "oneOf", "anyOf", "nullable", "required", "enum",
        "schema", "content", "in", "name", "responses", "parameters", "discriminator", "additionalProperties"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 300) | st.sampled_from(["string", "object", "array", "null", "x", ""] + REFS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
    max_leaves=8,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


BASE = petstore()
BASE["components"]["schemas"]["Pet"]["properties"]["self"] = {"$ref": "#/components/schemas/Pet"}
BASE["components"]["schemas"]["Both"] = {"allOf": [{"$ref": "#/components/schemas/Pet"}], "oneOf": [
    {"$ref": "#/components/schemas/Error"}, {"type": "object", "properties": {"z": {"type": "string"}}}]}
PATHS = paths_of(BASE)[1:]


def swagger2(document: dict) -> dict:
    copied = copy.deepcopy(document)
    copied.pop("openapi")
    copied["swagger"] = "2.0"
    copied["definitions"] = copied.pop("components")["schemas"]
    return copied


def load(document: Any):
    raw = json.dumps(document).encode()
    documents = DocumentSet("mem.json", None, (Declared(Document("mem.json", raw, document), "", "", "mem.json"),), kind="openapi")
    return build_spec(documents)


def mutate(document: dict, path: tuple[Any, ...], value: Any) -> dict:
    copied = copy.deepcopy(document)
    target = copied
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copied


@given(st.sampled_from(PATHS), json_values, st.booleans(), st.sampled_from(["3.0.3", "3.1.0", "2.0"]))
def test_mutated_documents_never_raise_anything_else(path, value, as_swagger2, version):
    document = mutate(BASE, path, value)
    if version == "2.0" or as_swagger2:
        if not isinstance(document.get("components"), dict) or not isinstance(document["components"].get("schemas"), dict):
            return
        document = swagger2(document)
    else:
        document["openapi"] = version
    try:
        spec = load(document)
    except ApidocsError as exc:
        lines = exc.problems if isinstance(exc, SpecError) else [str(exc)]
        assert lines and all(line and "\n" not in line for line in lines)
        return
    models = spec.models()
    for op in spec.operations:
        assert op.nickname
        op.response_type.display()
    for model in models.values():
        for prop in model.properties:
            prop.type.display()
