"""Structural validation of Swagger 2.0 / OpenAPI 3.x documents (``schemas/openapi-common.json``).

Only the parts the loader reads are checked (paths, operations, parameters, request bodies,
responses, schemas' composition keywords, tags, security); unknown keys and ``x-``
extensions are tolerated everywhere. Each problem is one line, ``DOC#/pointer: message``,
like the Swagger 1.x validator's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from sphinx_apidocs.errors import json_pointer
from sphinx_apidocs.spec.openapi.detect import is_31, major
from sphinx_apidocs.spec.validate import JSON_TYPES, load_schema, short_value

SCHEMA_FILE = "openapi-common.json"
MAX_PROBLEMS = 50


def schema() -> dict[str, Any]:
    return load_schema(SCHEMA_FILE)


@lru_cache(maxsize=None)
def _validator(definition: str) -> Draft7Validator:
    return Draft7Validator({**_inlined(schema()), "$ref": f"#/definitions/{definition}"})


def _inlined(whole: dict[str, Any]) -> dict[str, Any]:
    """The schema with every ``{"$ref": "#/definitions/X"}`` replaced by ``X`` itself, unless
    ``X`` refers back to itself (``schema``). Same checks and errors, but the validator does
    not resolve a reference at each of the tens of thousands of places of a large document
    (about a third of its time). A ``$ref`` with siblings is kept: draft 7 ignores them."""
    definitions: dict[str, Any] = whole.get("definitions", {})
    prefix = "#/definitions/"

    def target(node: Any) -> str | None:
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("$ref"), str) and node["$ref"].startswith(prefix):
            name = node["$ref"][len(prefix):]
            return name if name in definitions else None
        return None

    def references(node: Any, found: set[str]) -> set[str]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                found.add(ref[len(prefix):])
            for value in node.values():
                references(value, found)
        elif isinstance(node, list):
            for value in node:
                references(value, found)
        return found

    direct = {name: references(definition, set()) for name, definition in definitions.items()}

    def reachable(name: str) -> set[str]:
        seen: set[str] = set()
        stack = list(direct.get(name, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(direct.get(current, ()))
        return seen

    recursive = {name for name in definitions if name in reachable(name)}

    def inline(node: Any) -> Any:
        name = target(node)
        if name is not None and name not in recursive:
            return inline(definitions[name])
        if isinstance(node, dict):
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {**whole, "definitions": {name: inline(definition) for name, definition in definitions.items()}}


def definition_for(version: str) -> str:
    if major(version) == 2:
        return "swagger2"
    return "openapi31" if is_31(version) else "openapi30"


def validate_openapi(data: Any, version: str, where: str) -> list[str]:
    """Problems of the root document, one line each, sorted by place (at most ``MAX_PROBLEMS``)."""
    errors = sorted(
        _validator(definition_for(version)).iter_errors(data),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    lines = [f"{where}#{json_pointer(_path(e))}: {describe(e)}" for e in errors]
    lines = list(dict.fromkeys(lines))
    if len(lines) > MAX_PROBLEMS:
        lines = lines[:MAX_PROBLEMS] + [f"{where}: ... and {len(lines) - MAX_PROBLEMS} more problems"]
    return lines


def _path(error: ValidationError) -> list[Any]:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = _unexpected(error)
        if extra is not None:
            path.append(extra)
    if error.validator in ("pattern", "propertyNames") and error.absolute_schema_path and "propertyNames" in error.absolute_schema_path:
        path.append(error.instance)
    return path


def _unexpected(error: ValidationError) -> str | None:
    patterns = error.schema.get("patternProperties", {})
    for key in error.instance:
        if key not in error.schema.get("properties", {}) and not any(re.search(p, key) for p in patterns):
            return key
    return None


def describe(error: ValidationError) -> str:
    instance = error.instance
    schema_path = list(error.absolute_schema_path)
    if "propertyNames" in schema_path:
        return f"unknown response code {short_value(instance)} (expected 100-599, 1XX-5XX, default or x-...)"
    if error.validator == "additionalProperties":
        key = _unexpected(error)
        return f"path {short_value(key)} must start with '/'"
    if error.validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(names)}, got {JSON_TYPES.get(type(instance), 'a value')}"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"invalid value {short_value(instance)} (expected one of: {allowed})"
    if error.validator == "required":
        return error.message
    if error.validator == "minProperties":
        return "must not be empty"
    if error.validator == "anyOf" and schema_path[-1:] == ["anyOf"] and isinstance(instance, dict) and "openapi" in instance:
        return "an OpenAPI 3.1 document needs at least one of 'paths', 'components' or 'webhooks'"
    if error.validator == "anyOf":
        return f"invalid value {short_value(instance)}"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."
