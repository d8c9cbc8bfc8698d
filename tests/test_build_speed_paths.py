"""The fast paths of a build give exactly what the slow ones give.

* Validation: the compiled schema (fastjsonschema) may only *skip* jsonschema for a document
  jsonschema accepts too; the problems reported are jsonschema's, located, one line each.
* Filter files: libyaml's events composed in Python give the pure composer's node graph
  (tags, styles, marks), and every error is the pure parser's, at the same place.
* Highlighting: a cached block is the markup Pygments makes for it.
* Response examples: equal whitelists share one compiled filter, with the same output.

No timing here: speed is measured by ``benchmarks/build.py``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_apidocs.filters import FilterError, compile_filter
from sphinx_apidocs.filters import parse as filter_parse
from sphinx_apidocs.spec import validate

# -- validation ------------------------------------------------------------------------------

DECLARATION: dict[str, Any] = {
    "swaggerVersion": "1.2",
    "apiVersion": "1.0",
    "basePath": "https://example.com/v1",
    "resourcePath": "/pets",
    "apis": [{
        "path": "/pets/{id}",
        "operations": [{
            "method": "GET", "nickname": "getPet", "type": "Pet", "summary": "One pet",
            "parameters": [
                {"name": "id", "paramType": "path", "type": "integer", "format": "int64", "required": True},
                {"name": "order", "paramType": "query", "type": "string", "enum": ["asc", "desc"]},
                {"name": "limit", "paramType": "query", "type": "integer", "minimum": "1", "maximum": "100"},
            ],
            "responseMessages": [{"code": 404, "message": "No such pet", "responseModel": "Error"}],
        }],
    }],
    "models": {
        "Pet": {"id": "Pet", "required": ["id"], "properties": {
            "id": {"type": "integer", "format": "int64"},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        }},
        "Error": {"id": "Error", "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}},
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getPet",
                "parameters": [{"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}}],
                "responses": {
                    "200": {"description": "A pet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "4XX": {"description": "An error"},
                },
            },
        },
    },
    "components": {"schemas": {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}, "tags": {
        "type": "array", "items": {"type": "string"}}}}}},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 1.2, 2.5, -1.5])
    | st.sampled_from(["", "1.2", "GET", "get", "query", "path", "body", "true", "/x", "x-y", "200", "2XX", "int64", "Pet"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["type", "name", "in", "$ref", "items", "enum", "required", "paramType", "x-a", "code", "schema"]),
        inner, max_size=3),
    max_leaves=6,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (the root included)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_places(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_places(child, (*path, index)))
    return found


def _mutate(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """``document`` with a few values replaced, keys removed or keys added."""
    result = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        places = _places(result)[1:]
        path = data.draw(st.sampled_from(places))
        parent: Any = result
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(json_values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["type", "enum", "items", "method", "in", "x-z", "required"]))] = data.draw(json_values)
    return result


def _declaration_lines(document: Any) -> tuple[list[str], list[str], bool]:
    slow = validate.validate_document(document, "declaration", "decl.json", fast=False)
    fast = validate.validate_document(document, "declaration", "decl.json")
    return slow, fast, validate.fast_valid(validate.SWAGGER1_SCHEMA_FILE, "declaration", document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_swagger1_fast_check_never_accepts_what_jsonschema_refuses(data: st.DataObject) -> None:
    document = _mutate(DECLARATION, data)
    slow, fast, accepted = _declaration_lines(document)
    assert fast == slow
    if accepted:
        assert slow == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["3.0.3", "3.1.0", "2.0"]))
def test_openapi_fast_check_never_accepts_what_jsonschema_refuses(data: st.DataObject, version: str) -> None:
    base = copy.deepcopy(OPENAPI)
    if version == "2.0":
        del base["openapi"], base["components"]
        base["swagger"] = "2.0"
        operation = base["paths"]["/pets/{id}"]["get"]
        operation["parameters"][0] = {"name": "order", "in": "query", "type": "string", "enum": ["asc", "desc"]}
        operation["responses"] = {"200": {"description": "A pet", "schema": {"type": "object"}}}
        base["paths"]["/pets/{id}"]["parameters"][0] = {"name": "id", "in": "path", "required": True, "type": "integer"}
    else:
        base["openapi"] = version
    document = _mutate(base, data)
    definition = validate.definition_for(version)
    slow = validate.validate_openapi(document, version, "api.yaml", fast=False)
    assert validate.validate_openapi(document, version, "api.yaml") == slow
    if validate.fast_valid(validate.OPENAPI_SCHEMA_FILE, definition, document):
        assert slow == []


def test_the_unmutated_documents_take_the_fast_path() -> None:
    assert validate.fast_valid(validate.SWAGGER1_SCHEMA_FILE, "declaration", DECLARATION)
    assert validate.fast_valid(validate.OPENAPI_SCHEMA_FILE, "openapi30", OPENAPI)


@pytest.mark.parametrize("value", [True, False, 1.5, None, "2.0"])
def test_boolean_where_an_enum_of_numbers_is_expected_is_refused(value: Any) -> None:
    # Python's True == 1: the compiled schema is made to refuse booleans, as jsonschema does.
    document = {**DECLARATION, "swaggerVersion": value}
    slow, fast, accepted = _declaration_lines(document)
    assert not accepted
    assert fast == slow and slow


def test_stricter_guards_enums_of_numbers() -> None:
    schema = validate._stricter({"properties": {"v": {"enum": [1, 1.2]}, "enum": {"type": "array"}}})
    assert schema["properties"]["v"]["allOf"] == [{"not": {"type": "boolean"}}]
    assert schema["properties"]["enum"] == {"type": "array"}  # a property named enum: untouched


def test_deep_documents_get_the_same_answer() -> None:
    deep: Any = "x"
    for _ in range(validate.MAX_JSON_DEPTH + 20):
        deep = {"type": "object", "properties": {"a": deep}}
    document = copy.deepcopy(DECLARATION)
    document["models"]["Pet"]["properties"]["deep"] = deep
    slow, fast, _ = _declaration_lines(document)
    assert fast == slow


# -- filter files: libyaml events vs the pure composer ----------------------------------------


def _graph(node: yaml.Node | None) -> Any:
    """A node graph as the filter parser reads it: every start mark, a scalar's end mark (JSON
    strings are cut out of the text by index); not a collection's end mark (never read)."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.start_mark.index)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks, node.end_mark.index)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, node.flow_style, marks, [_graph(item) for item in node.value])
    return ("map", node.tag, node.flow_style, marks, [(_graph(k), _graph(v)) for k, v in node.value])


def _compose(text: str, fast: bool) -> Any:
    try:
        return "ok", _graph(filter_parse.compose_text(text, fast=fast))
    except yaml.YAMLError as exc:
        return "error", type(exc).__name__, str(exc)
    except RecursionError:
        return "recursion"


yaml_text = st.lists(
    st.sampled_from(list("ab1.-:[]{},'\"*&!#|>?%@`\\ \n\t\r") + ["é", "\u2028", "\x85", "\ufeff", "\x00", "ü", "  ", "- ", ": ", "\n  "]),
    max_size=30,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(yaml_text, st.booleans())
def test_fast_composer_matches_the_pure_one(text: str, newline: bool) -> None:
    text += "\n" if newline else ""  # the fast path only takes text ending in a line break
    assert _compose(text, fast=True) == _compose(text, fast=False)


filter_like = st.lists(
    st.tuples(
        st.sampled_from(["op", "get-pet", '"quoted"', "'single'", "é", "a.b", "x"]),
        st.sampled_from(["[a, b.c, d]", "[]", "null", "\n  - a\n  - b.*\n", "{a: [b]}", "[a, a]", "3", "[a, [b]]", "&x [a]", "*x"]),
    ),
    max_size=5,
)


def _parse(text: str, json_syntax: bool = False) -> Any:
    try:
        parsed = filter_parse.parse_filter_text(text, "f.yaml", json_syntax=json_syntax)
    except FilterError as exc:
        return "error", str(exc)
    return {name: (loaded.tree, str(loaded.location)) for name, loaded in parsed.items()}


def _parse_both(text: str, monkeypatch: pytest.MonkeyPatch, json_syntax: bool = False) -> tuple[Any, Any]:
    fast = _parse(text, json_syntax)
    with monkeypatch.context() as patch:
        patch.setattr(filter_parse, "_CParser", None)
        pure = _parse(text, json_syntax)
    return fast, pure


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter_like)
def test_filter_files_parse_alike(monkeypatch: pytest.MonkeyPatch, entries: list[tuple[str, str]]) -> None:
    text = "".join(f"{name}: {value}\n" for name, value in entries)
    fast, pure = _parse_both(text, monkeypatch)
    assert fast == pure


@pytest.mark.parametrize("text", [
    "a: [x]\na: [y]\n",  # duplicate nickname, located at the second
    "a: [x\n",  # unclosed flow sequence
    "é: [ü, b]\nc: {d: null}\n",  # non-ASCII names; a null field list
    "a: [x]\n  b: [y]\n",  # bad indentation
    "a: [x, 3]\n",  # a number as a field name
    "a:\n\t- x\n",  # a tab (the pure path only)
    "a: [x]\r\nb: [y]\r\n",  # CR LF (the pure path only)
    "a: !!python/object:os.system [x]\n",
    "a: &r [*r]\n",
    "a: [\"\\u00e9\", x]\n",
    "[" * 300 + "]" * 300,  # deeper than MAX_NESTING
])
def test_filter_errors_and_locations_alike(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    fast, pure = _parse_both(text, monkeypatch)
    assert fast == pure


@pytest.mark.parametrize("text", ['{"a": ["x", "y\\u00e9"], "b": ["c.d"]}', '{"a": ["x"], "a": ["y"]}', '{"a": [1]}', '{"a": null}'])
def test_json_filter_files_alike(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    fast, pure = _parse_both(text, monkeypatch, json_syntax=True)
    assert fast == pure


# -- highlighting and compiled filters -----------------------------------------------------


def test_cached_highlight_is_pygments_markup() -> None:
    from sphinx.highlighting import PygmentsBridge

    from sphinx_apidocs.sphinxext import fasthtml

    bridge = PygmentsBridge("html")
    text = json.dumps({"a": [1, "<b>"], "c": None}, indent=2)
    expected = bridge.highlight_block(text, "json", opts={}, linenos=False, force=True)
    assert fasthtml.highlight(bridge, text, "json", {}) == expected
    assert fasthtml.highlight(bridge, text, "json", {}) == expected  # from the cache
    assert fasthtml.highlight(bridge, "x = 1\n", "python", {}) == bridge.highlight_block("x = 1\n", "python", opts={}, linenos=False, force=True)
    other = PygmentsBridge("html", "monokai")  # a new highlighter: nothing of the old one is reused
    assert fasthtml.highlight(other, text, "json", {}) == other.highlight_block(text, "json", opts={}, linenos=False, force=True)


def test_equal_whitelists_share_one_compiled_filter() -> None:
    from sphinx_apidocs.examples import ExampleBuilder
    from sphinx_apidocs.filters import FilterTree
    from sphinx_apidocs.spec.model import ApiSpec

    builder = ExampleBuilder(ApiSpec(swagger_version="1.2"))
    first, second = FilterTree.from_paths(["a", "b.c"]), FilterTree.from_paths(["a", "b.c"])
    assert first is not second and first == second
    assert builder.compiled(first) is builder.compiled(second)
    value = {"a": 1, "b": {"c": 2, "d": 3}, "e": 4}
    assert builder.compiled(second)(value) == compile_filter(second)(value) == {"a": 1, "b": {"c": 2}}
    assert builder.compiled(FilterTree.from_paths(["e"]))(value) == {"e": 4}
