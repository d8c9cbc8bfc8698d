"""Validate Swagger 1.x documents against the JSON Schema shipped in the package.

Every problem becomes one line: ``DOCUMENT#/json/pointer: what is wrong``. All problems of
all documents are reported together, so a user fixes a spec in one round trip.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from sphinx_apidocs.errors import json_pointer, one_line

SCHEMA_FILE = "swagger-1.x.json"

#: Python type -> the JSON type name messages use.
JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``sphinx_apidocs/schemas/`` (read once)."""
    text = resources.files("sphinx_apidocs").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


def schema() -> dict[str, Any]:
    return load_schema(SCHEMA_FILE)


@lru_cache(maxsize=None)
def _validator(kind: str) -> Draft7Validator:
    root = schema()
    return Draft7Validator({**root, "$ref": f"#/definitions/{kind}"})


def validate_document(data: Any, kind: str, where: str) -> list[str]:
    """Problems of ``data`` as a ``listing`` or ``declaration``, one line each, sorted by place."""
    errors = sorted(
        (leaf for error in _validator(kind).iter_errors(data) for leaf in _specific(error)),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    lines = [f"{where}#{json_pointer(list(e.absolute_path))}: {describe(e)}" for e in errors]
    return list(dict.fromkeys(lines))


def _specific(error: ValidationError) -> Iterator[ValidationError]:
    """Replace an ``anyOf`` failure by the errors of the branch the value was meant for.

    Known "one of several spellings" definitions (booleans as strings...) stay whole: their
    message says what is accepted. Otherwise the branch whose type matches the value wins.
    """
    if error.validator != "anyOf" or _known_any_of(error) or not error.context:
        yield error
        return
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        errs for errs in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in errs)
    ]
    chosen = fitting[0] if fitting else min(branches.values(), key=len)
    for sub in chosen:
        yield from _specific(sub)


def _known_any_of(error: ValidationError) -> bool:
    definitions = schema()["definitions"]
    return any(error.schema == definitions[name] for name in _ANY_OF_MESSAGES) or (
        error.schema.get("anyOf") == definitions["operation"]["allOf"][1]["anyOf"]
    )


def describe(error: ValidationError) -> str:
    """A short, specific message for a schema error (jsonschema's own can be pages long)."""
    definitions = schema()["definitions"]
    instance = error.instance
    if error.validator == "anyOf":
        for name, text in _ANY_OF_MESSAGES.items():
            if error.schema == definitions[name]:
                return text.format(got=short_value(instance))
        if error.schema.get("anyOf") == definitions["operation"]["allOf"][1]["anyOf"]:
            return "operation has neither 'method' nor 'httpMethod'"
        return f"invalid value {short_value(instance)}"
    if error.validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return f"expected {' or '.join(names)}, got {JSON_TYPES.get(type(instance), 'a value')}"
    if error.validator == "pattern":
        field = error.absolute_path[-1] if error.absolute_path else ""
        if field in ("method", "httpMethod"):
            return f"unknown HTTP method {short_value(instance)}"
        if field == "paramType":
            return f"unknown paramType {short_value(instance)} (expected path, query, body, header or form)"
        return f"{short_value(instance)} does not match the expected form"
    if error.validator == "required":
        return error.message
    if error.validator == "minLength":
        return "must not be empty"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


_ANY_OF_MESSAGES = {
    "boolish": "expected true or false, got {got}",
    "numberish": "expected a number, got {got}",
    "version": "unsupported swaggerVersion {got} (expected 1.0, 1.1 or 1.2)",
    "items": "expected a type name or an object with 'type' or '$ref', got {got}",
    "mimeTypes": "expected a list of media types, got {got}",
}


def short_value(value: Any, limit: int = 60) -> str:
    """A value as messages quote it: JSON, cut short, on one line (U+2028 and friends escaped)."""
    text = one_line(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= limit else text[: limit - 3] + "..."
