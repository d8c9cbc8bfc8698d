"""Real-world quirks normalize into the model; any mutation of a spec loads or fails cleanly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.errors import ApidocsError, SpecError
from sphinx_apidocs.spec.fetch import Document
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import ApiSpec
from sphinx_apidocs.spec.sources import Declared, DocumentSet, document_kind, normalize_resource_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DECLARATIONS = sorted(p for p in (ROOT / "sample_specs").glob("*.json") if p.name != "api-docs.json")


def load_data(data: Any, where: str = "mem.json") -> ApiSpec:
    """Run the loader's validation and normalization on in-memory data."""
    document = Document(location=where, raw=json.dumps(data).encode(), data=data)
    if document_kind(data) != "declaration":
        raise AssertionError("test helper takes declarations")
    key = normalize_resource_path(data.get("resourcePath") or "/mem")
    return build_spec(DocumentSet(where, None, (Declared(document, key, "", "mem.json"),)))


QUIRKY = {
    "swaggerVersion": 1.1,
    "apiVersion": 2,
    "basePath": "https://x.example/api/",
    "resourcePath": "things",
    "produces": "application/json",
    "apis": [
        {
            "path": "/things/{id}",
            "operations": [
                {
                    "method": "get",
                    "nickname": "getThing",
                    "type": "array",
                    "items": "string",
                    "deprecated": "true",
                    "parameters": [
                        {"name": "id", "paramType": "PATH", "type": "integer", "format": None, "minimum": "0.0"},
                        {"paramType": "body", "dataType": "Thing", "required": "False"},
                        {"name": "q", "paramType": "query", "type": "string", "required": "", "allowMultiple": "true",
                         "enum": ["a", 1, True]},
                    ],
                    "responseMessages": [{"code": "404", "message": "nope", "responseModel": "Err"}],
                    "authorizations": {"oauth2": [{"scope": "things:read", "description": "read"}]},
                },
                {"httpMethod": "PATCH", "responseClass": "List[Thing]", "errorResponses": [{"code": 400, "reason": "bad"}]},
            ],
        }
    ],
    "models": {
        "Thing": {
            "id": "Thing",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "description": "its name"},
                "tags": {"type": "array", "items": {"$ref": "Tag"}},
                "size": {"type": "long"},
            },
        },
        "TagKey": {"id": "Tag", "properties": {"label": {"type": "string", "required": "true"}}},
        "Err": {"id": "Err", "properties": None},
    },
}


def test_quirks_become_a_clean_model():
    spec = load_data(QUIRKY)
    resource = spec.resources[0]
    assert resource.resource_path == "/things"  # missing leading slash added
    get, patch = resource.apis[0].operations
    assert (get.method, get.deprecated, get.scope, get.produces) == ("GET", True, "things:read", ("application/json",))
    assert get.response_type.display() == "array[string]"
    id_param, body, q = get.parameters
    assert (id_param.location, id_param.minimum, id_param.required, id_param.type.format) == ("path", 0, True, None)
    assert (body.name, body.location, body.required, body.type.ref) == ("body", "body", False, "Thing")
    assert (q.required, q.allow_multiple, q.enum) == (False, True, ("a", "1", "true"))
    assert get.response_messages[0].code == 404 and get.response_messages[0].model == "Err"
    assert patch.nickname == "patch-things-id"
    assert patch.response_type.display() == "array[Thing]"
    assert patch.response_messages[0].message == "bad"
    thing = resource.find_model("Thing")
    assert [p.name for p in thing.properties] == ["name", "tags", "size"]
    assert thing.property("name").required and thing.property("size").type.display() == "integer (int64)"
    assert resource.find_model("Tag") is resource.models["TagKey"]  # found by id
    assert resource.find_model("Tag").property("label").required
    assert spec.full_path(get) == "https://x.example/api/things/{id}"
    # a generated nickname is a note (as for OpenAPI's missing operationId), not a warning
    assert any("no nickname" in n for n in spec.notes) and not any("no nickname" in w for w in spec.warnings)
    assert not any("unknown model" in w for w in spec.warnings)


def test_dangling_references_are_warnings_with_a_pointer():
    data = copy.deepcopy(QUIRKY)
    data["models"]["Thing"]["properties"]["owner"] = {"$ref": "Owner"}
    spec = load_data(data)
    assert "mem.json#/models/Thing/properties/owner: unknown model 'Owner'" in spec.warnings


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


@st.composite
def mutated_declarations(draw: st.DrawFn) -> Any:
    path = draw(st.sampled_from(SAMPLE_DECLARATIONS))
    data = json.loads(path.read_text())
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(_paths(data)))
        if not target:
            data = draw(JSON)
            continue
        parent = data
        for part in target[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["drop", "replace", "wrong-type"]))
        if action == "drop":
            del parent[target[-1]]
        elif action == "replace":
            parent[target[-1]] = draw(JSON)
        else:
            old = parent[target[-1]]
            parent[target[-1]] = [old] if not isinstance(old, list) else {"x": old}
        if not isinstance(data, (dict, list)):
            break
    return data


@given(mutated_declarations())
def test_mutated_declarations_load_or_raise_the_projects_error(data):
    document = Document(location="fuzz.json", raw=b"{}", data=data)
    try:
        kind = document_kind(data)
    except ValueError:
        return  # the loader turns this into a one-line SpecError
    try:
        if kind == "declaration":
            key = data.get("resourcePath") if isinstance(data.get("resourcePath"), str) else "/fuzz"
            spec = build_spec(DocumentSet("fuzz.json", None, (Declared(document, key or "/fuzz", "", "f.json"),)))
            assert isinstance(spec, ApiSpec)
            for op in spec.operations:
                assert isinstance(op.nickname, str) and op.method.isupper()
    except SpecError as exc:
        assert exc.problems and all("\n" not in p and p.startswith("fuzz.json#") for p in exc.problems)
    except ApidocsError:
        pass
