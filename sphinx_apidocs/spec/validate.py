"""Validation of every input format, in one place: documents -> one-line problems.

Every problem is one line, ``DOCUMENT#/json/pointer: what is wrong``; all problems of all
documents are reported together, so a user fixes a spec in one round trip.

- Swagger 1.x listings and declarations: ``schemas/swagger-1.x.json``
  (:func:`validate_document`; :func:`swagger1_problems` for a set of declarations).
- Swagger 2.0 / OpenAPI 3.x root documents: ``schemas/openapi-common.json``
  (:func:`validate_openapi`; :func:`openapi_problems` adds the version and depth checks).
  Only the parts the loader reads are checked (paths, operations, parameters, request
  bodies, responses, schemas' composition keywords, tags, security); unknown keys and
  ``x-`` extensions are tolerated everywhere.
- Any document: nesting deeper than :data:`MAX_JSON_DEPTH` (:func:`depth_problem`).

**Two validators, one verdict.** Each document is first checked by the same schema compiled
to Python code by ``fastjsonschema`` (once per process; about 20 times faster than
``jsonschema`` on a large document). It only ever answers "valid": whenever it rejects a
document — or fails in any way, or is not installed — ``jsonschema`` validates that document
and makes the one-line located messages, exactly as before. So the fast check can only skip
the slow one for a document ``jsonschema`` would accept too; where the two libraries' rules
differ, the compiled schema is made the stricter one (:func:`_stricter`: an ``enum`` of
numbers refuses booleans, which Python's ``True == 1`` would let through), and
``tests/test_build_speed_paths.py`` holds them to it on generated documents.

The loader calls :func:`swagger1_problems` / :func:`openapi_problems` before reading a
document set; :mod:`.sources` calls :func:`validate_document` on a resource listing before
it fetches the declarations the listing names.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:  # jsonschema is imported when a document fails the fast check (it writes the messages)
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

_compile: Callable[..., Callable[[Any], Any]] | None
try:  # without it every document takes the jsonschema path
    from fastjsonschema import compile as _compile
except ImportError:  # pragma: no cover - a declared dependency
    _compile = None

from sphinx_apidocs.errors import json_pointer, one_line
from sphinx_apidocs.spec.detect import is_31, major, openapi_version
from sphinx_apidocs.spec.fetch import MAX_DEPTH, Document, redact_url

SWAGGER1_SCHEMA_FILE = "swagger-1.x.json"
OPENAPI_SCHEMA_FILE = "openapi-common.json"
MAX_PROBLEMS = 50  # per OpenAPI root document

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
    text = resources.files("sphinx_apidocs").joinpath("schemas").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def swagger1_schema() -> dict[str, Any]:
    return load_schema(SWAGGER1_SCHEMA_FILE)


def openapi_schema() -> dict[str, Any]:
    return load_schema(OPENAPI_SCHEMA_FILE)


# -- what the formats share --------------------------------------------------------------


def _lines(
    errors: Iterable[ValidationError],
    where: str,
    path: Callable[[ValidationError], list[Any]],
    message: Callable[[ValidationError], str],
) -> list[str]:
    """``where#/pointer: message`` for each error, sorted by place, without repeats."""
    ordered = sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return list(dict.fromkeys(f"{where}#{json_pointer(path(e))}: {message(e)}" for e in ordered))


def _type_message(error: ValidationError) -> str:
    expected = error.validator_value
    names = [str(name) for name in (expected if isinstance(expected, list) else [expected])]
    return f"expected {' or '.join(names)}, got {JSON_TYPES.get(type(error.instance), 'a value')}"


def _schema(error: ValidationError) -> Mapping[str, Any]:
    """The schema (object) the error is about; ``{}`` for a boolean schema."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _short_message(error: ValidationError) -> str:
    message: str = error.message
    return message if len(message) <= 200 else message[:197] + "..."


def short_value(value: Any, limit: int = 60) -> str:
    """A value as messages quote it: JSON, cut short, on one line (U+2028 and friends escaped)."""
    text = one_line(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: The deepest nesting of JSON values a document may have. Validation, normalization and
#: every consumer after them (rendering, fingerprints, pickles) recurse over values: a deeper
#: document gets a located error instead of a ``RecursionError``. Real specs stay below 25.
MAX_JSON_DEPTH = MAX_DEPTH  # the limit parsing refuses deeper documents at


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> list[str | int] | None:
    """The path to the first value nested deeper than ``limit`` levels, or ``None``.

    Iterative (an explicit stack), so a hostile document cannot exhaust the call stack here.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        current, path = stack.pop()
        if isinstance(current, dict):
            children: Any = current.items()
        elif isinstance(current, list):
            children = enumerate(current)
        else:
            continue
        if len(path) >= limit:
            return path
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, [*path, key]))
    return None


def depth_problem(value: Any, where: str) -> str | None:
    """``"where#/pointer: nested too deeply ..."`` for a document nested too deeply, else ``None``."""
    path = too_deep(value)
    if path is None:
        return None
    return f"{where}#{json_pointer(path)}: nested too deeply (more than {MAX_JSON_DEPTH} levels)"


def _depth_problem(document: Document) -> str | None:
    """:func:`depth_problem` of a document, unless parsing it checked that already."""
    if document.survey.depth_checked:  # refused when read if deeper: the same limit
        return None
    return depth_problem(document.data, redact_url(document.location))


# -- what the loader calls ---------------------------------------------------------------


def swagger1_problems(declarations: Sequence[Document]) -> list[str]:
    """Every schema problem of every Swagger 1.x declaration; when there is none, every
    declaration nested too deeply."""
    problems = [
        problem
        for document in declarations
        for problem in validate_document(document.data, "declaration", redact_url(document.location))
    ]
    if problems:
        return problems
    return [p for p in (_depth_problem(d) for d in declarations) if p]


def version_and_depth(root: Document, others: Sequence[Document]) -> tuple[str, list[str]]:
    """The OpenAPI/Swagger version of a document set, and the problems that come before any
    schema: an unsupported version, then documents nested too deeply (before anything
    recursive sees them)."""
    try:
        version = openapi_version(root.data)
    except ValueError as exc:
        return "", [f"{redact_url(root.location)}: {exc}"]
    return version, [p for p in (_depth_problem(d) for d in (root, *others)) if p]


def openapi_problems(root: Document, others: Sequence[Document]) -> list[str]:
    """The problems of a Swagger 2.0 / OpenAPI 3.x document set, in the first step that has
    some: an unsupported version, then documents nested too deeply (before anything
    recursive sees them), then the root document's schema problems."""
    version, stop = version_and_depth(root, others)
    return stop or schema_problems(root, version)


def schema_problems(root: Document, version: str) -> list[str]:
    """The root document's problems against the schema of its ``version`` (of a document set
    that :func:`version_and_depth` found nothing wrong with)."""
    where = redact_url(root.location)
    try:
        return validate_openapi(root.data, version, where)
    except RecursionError:  # the depth check comes first: this should be unreachable
        return [f"{where}: nested too deeply to validate"]


# -- the fast check: the same schema compiled to code ---------------------------------------


class _NoFastCheck(Exception):
    """A schema the fast check cannot be made as strict as ``jsonschema`` for."""


def _stricter(node: Any) -> Any:
    """The schema with every ``enum``/``const`` of numbers also refusing booleans (and of
    booleans, numbers): ``jsonschema`` tells ``true`` from ``1``, compiled code compares with
    Python's ``==``, which does not. Raises :class:`_NoFastCheck` for an ``enum`` that mixes
    both or holds arrays or objects (no shipped schema has one)."""
    if isinstance(node, list):
        return [_stricter(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _stricter(value) for key, value in node.items()}
    values: list[Any] | None = None
    if isinstance(node.get("enum"), list):
        values = node["enum"]
    elif "const" in node and not isinstance(node["const"], dict):
        values = [node["const"]]
    if values is not None:
        if any(isinstance(value, (dict, list)) for value in values):
            raise _NoFastCheck()
        booleans = any(isinstance(value, bool) for value in values)
        numbers = any(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)
        if booleans and numbers:
            raise _NoFastCheck()
        guard = {"not": {"type": "boolean"}} if numbers else {"not": {"type": "number"}} if booleans else None
        if guard is not None:
            result["allOf"] = [*result.get("allOf", []), guard]
    return result


@lru_cache(maxsize=None)
def _fast_check(schema_file: str, definition: str) -> Callable[[Any], Any] | None:
    """``definition`` of ``schema_file`` compiled by ``fastjsonschema`` (no defaults filled
    in, no ``format`` checks: ``jsonschema`` checks none either), or ``None``."""
    if _compile is None:  # pragma: no cover - a declared dependency
        return None
    try:
        schema = _stricter({**load_schema(schema_file), "$ref": f"#/definitions/{definition}"})
        check = _compile(schema, handlers={}, use_default=False, use_formats=False)
    except Exception:  # pragma: no cover - the slow path still validates
        return None
    return check


def fast_valid(schema_file: str, definition: str, data: Any) -> bool:
    """Does the compiled schema accept ``data``? ``False`` on any doubt (a rejection, an
    error of the compiled code, no compiler): ``jsonschema`` then decides."""
    check = _fast_check(schema_file, definition)
    if check is None:
        return False
    try:
        check(data)
    except Exception:  # JsonSchemaValueException, RecursionError...: the full validator decides
        return False
    return True


# -- Swagger 1.x ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _validator(kind: str) -> Draft7Validator:
    from jsonschema import Draft7Validator

    root = swagger1_schema()
    return Draft7Validator({**root, "$ref": f"#/definitions/{kind}"})


def validate_document(data: Any, kind: str, where: str, *, fast: bool = True) -> list[str]:
    """Problems of ``data`` as a Swagger 1.x ``listing`` or ``declaration``, one line each,
    sorted by place (``fast``: skip ``jsonschema`` for a document the compiled check accepts)."""
    if fast and fast_valid(SWAGGER1_SCHEMA_FILE, kind, data):
        return []
    errors = (leaf for error in _validator(kind).iter_errors(data) for leaf in _specific(error))
    return _lines(errors, where, lambda e: list(e.absolute_path), describe)


def _specific(error: ValidationError) -> Iterator[ValidationError]:
    """Replace an ``anyOf`` failure by the errors of the branch the value was meant for.

    Known "one of several spellings" definitions (booleans as strings...) stay whole: their
    message says what is accepted. Otherwise the branch whose type matches the value wins.
    """
    if error.validator != "anyOf" or _known_any_of(error) or not error.context:
        yield error
        return
    branches: dict[str | int, list[ValidationError]] = {}
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
    definitions = swagger1_schema()["definitions"]
    return any(error.schema == definitions[name] for name in _ANY_OF_MESSAGES) or _is_method_any_of(error)


def _is_method_any_of(error: ValidationError) -> bool:
    """The operation's "``method`` or ``httpMethod``" alternative."""
    return bool(_schema(error).get("anyOf") == swagger1_schema()["definitions"]["operation"]["allOf"][1]["anyOf"])


def describe(error: ValidationError) -> str:
    """A short, specific message for a schema error (jsonschema's own can be pages long)."""
    definitions = swagger1_schema()["definitions"]
    instance = error.instance
    if error.validator == "anyOf":
        for name, text in _ANY_OF_MESSAGES.items():
            if error.schema == definitions[name]:
                return text.format(got=short_value(instance))
        if _is_method_any_of(error):
            return "operation has neither 'method' nor 'httpMethod'"
        return f"invalid value {short_value(instance)}"
    if error.validator == "type":
        return _type_message(error)
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
    return _short_message(error)


_ANY_OF_MESSAGES = {
    "boolish": "expected true or false, got {got}",
    "numberish": "expected a number, got {got}",
    "version": "unsupported swaggerVersion {got} (expected 1.0, 1.1 or 1.2)",
    "items": "expected a type name or an object with 'type' or '$ref', got {got}",
    "mimeTypes": "expected a list of media types, got {got}",
}


# -- Swagger 2.0 / OpenAPI 3.x -------------------------------------------------------------


@lru_cache(maxsize=None)
def _openapi_validator(definition: str) -> Draft7Validator:
    from jsonschema import Draft7Validator

    return Draft7Validator({**_inlined(openapi_schema()), "$ref": f"#/definitions/{definition}"})


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


def validate_openapi(data: Any, version: str, where: str, *, fast: bool = True) -> list[str]:
    """Problems of the root document, one line each, sorted by place (at most ``MAX_PROBLEMS``;
    ``fast``: skip ``jsonschema`` for a document the compiled check accepts)."""
    if fast and fast_valid(OPENAPI_SCHEMA_FILE, definition_for(version), data):
        return []
    lines = _lines(_openapi_validator(definition_for(version)).iter_errors(data), where, _path, describe_openapi)
    if len(lines) > MAX_PROBLEMS:
        lines = lines[:MAX_PROBLEMS] + [f"{where}: ... and {len(lines) - MAX_PROBLEMS} more problems"]
    return lines


def _path(error: ValidationError) -> list[Any]:
    path: list[Any] = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = _unexpected(error)
        if extra is not None:
            path.append(extra)
    if error.validator in ("pattern", "propertyNames") and error.absolute_schema_path and "propertyNames" in error.absolute_schema_path:
        path.append(error.instance)
    return path


def _unexpected(error: ValidationError) -> str | None:
    schema = _schema(error)
    patterns = schema.get("patternProperties", {})
    instance: Any = error.instance
    for key in instance:
        if key not in schema.get("properties", {}) and not any(re.search(p, key) for p in patterns):
            return key
    return None


def describe_openapi(error: ValidationError) -> str:
    instance: Any = error.instance
    schema_path = list(error.absolute_schema_path)
    if "propertyNames" in schema_path:
        return f"unknown response code {short_value(instance)} (expected 100-599, 1XX-5XX, default or x-...)"
    if error.validator == "additionalProperties":
        key = _unexpected(error)
        return f"path {short_value(key)} must start with '/'"
    if error.validator == "type":
        return _type_message(error)
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in _list(error.validator_value))
        return f"invalid value {short_value(instance)} (expected one of: {allowed})"
    if error.validator == "required":
        return error.message
    if error.validator == "minProperties":
        return "must not be empty"
    if error.validator == "anyOf" and schema_path[-1:] == ["anyOf"] and isinstance(instance, dict) and "openapi" in instance:
        return "an OpenAPI 3.1 document needs at least one of 'paths', 'components' or 'webhooks'"
    if error.validator == "anyOf":
        return f"invalid value {short_value(instance)}"
    return _short_message(error)


# -- status codes in any case ---------------------------------------------------------------

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_RANGE_CODE = re.compile(r"^[1-5][xX][xX]$")


def uppercase_status_codes(data: Any, where: str) -> list[str]:
    """Rename lower-case response ranges (``2xx``) of every operation in ``data`` — paths,
    webhooks, callbacks, path items of components — to the standard ``2XX``, in place;
    one located note per renamed code. A range already present in upper case is left alone
    (the lower-case one stays, and is read as written). Vendor extensions are not entered."""
    notes: list[str] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value) if isinstance(item, (dict, list)))
            continue
        if not isinstance(value, dict):
            continue
        responses = value.get("responses") if len(path) >= 1 and path[-1] in _HTTP_METHODS else None
        if isinstance(responses, dict) and any(isinstance(k, str) and _RANGE_CODE.match(k) and k != k.upper() for k in responses):
            renamed: dict[str, Any] = {}
            for key, item in responses.items():
                upper = key.upper() if isinstance(key, str) and _RANGE_CODE.match(key) else key
                if upper != key and upper not in responses and upper not in renamed:
                    notes.append(f"{where}#{json_pointer([*path, 'responses', key])}: response code {key!r} read as {upper!r}")
                    renamed[upper] = item
                else:
                    renamed[key] = item
            responses.clear()
            responses.update(renamed)
        for key, item in value.items():
            if isinstance(item, (dict, list)) and not (isinstance(key, str) and key[:2].lower() == "x-"):
                stack.append((item, (*path, key)))
    return notes


# -- strict validation: the official schemas, through openapi-spec-validator -----------------

#: Problems a strict validation reports at most (it stops looking after that many).
MAX_STRICT_PROBLEMS = 50


def strict_problems(root: Document, others: Sequence[Document] = ()) -> list[str]:
    """What makes a Swagger 2.0 / OpenAPI 3.0 / 3.1 document set invalid per its standard,
    one line each (``DOCUMENT#/pointer: message``), checked with ``openapi-spec-validator``
    (imported here, only for this). References are looked up among the loaded documents
    only: the validator reads no file and makes no request. Never raises."""
    where = redact_url(root.location)
    version, stop = version_and_depth(root, others)
    if stop:
        return stop
    try:
        import openapi_spec_validator as osv
    except ImportError:  # pragma: no cover - a declared dependency
        return [f"{where}: strict validation needs the openapi-spec-validator package"]
    classes = {"swagger2": osv.OpenAPIV2SpecValidator, "openapi30": osv.OpenAPIV30SpecValidator, "openapi31": osv.OpenAPIV31SpecValidator}
    by_uri = {_uri(d.fetched_from): d for d in (root, *others)}

    def lookup(uri: str) -> Any:
        document = by_uri.get(uri.partition("#")[0])
        if document is None:
            raise LookupError(f"reference to {redact_url(uri)}, a document that was not loaded")
        return document.data

    class Validator(classes[definition_for(version)]):  # type: ignore[misc]
        resolver_handlers = {"<all_urls>": lookup, "file": lookup, "http": lookup, "https": lookup}

    errors: list[Any] = []
    try:
        for error in Validator(root.data, base_uri=_uri(root.fetched_from)).iter_errors():
            errors.append(error)
            if len(errors) >= MAX_STRICT_PROBLEMS:
                break
    except RecursionError:
        return [f"{where}: nested too deeply to validate strictly"]
    except Exception as exc:  # the validator's own failures (an unresolvable $ref...)
        lines = [_strict_line(e, root, others) for e in errors]
        return [*lines, f"{where}: strict validation stopped: {one_line(str(exc) or type(exc).__name__)[:200]}"]
    return list(dict.fromkeys(_strict_line(e, root, others) for e in errors))


def _uri(location: str) -> str:
    if "://" in location:
        return location.partition("#")[0]
    import pathlib

    return pathlib.Path(location).resolve().as_uri()


def _strict_line(error: Any, root: Document, others: Sequence[Document]) -> str:
    path = list(getattr(error, "absolute_path", []) or [])
    message = one_line(str(getattr(error, "message", error)))
    if len(message) > 200:
        message = message[:197] + "..."
    document, found = _locate(path, getattr(error, "instance", None), root, others)
    return f"{redact_url(document.location)}#{json_pointer(found)}: {message}"


_MISSING = object()


def _at(data: Any, path: Sequence[Any]) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _locate(path: list[Any], instance: Any, root: Document, others: Sequence[Document]) -> tuple[Document, list[Any]]:
    """Where an error's value is: its path from the root document when it leads there;
    else (errors of the validator's keyword checks carry a path relative to a part of the
    document) the first place, in the root document then the others, that ends with that
    path and holds that value (with no path: the first value equal to it)."""
    if _at(root.data, path) == instance:
        return root, path
    for document in (root, *others):
        stack: list[tuple[Any, list[Any]]] = [(document.data, [])]
        while stack:
            value, where = stack.pop()
            if (_at(value, path) == instance) if path else (value is instance or value == instance):
                return document, [*where, *path]
            items: Iterable[tuple[Any, Any]] = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
            stack.extend((child, [*where, key]) for key, child in reversed(list(items)) if isinstance(child, (dict, list)))
    return root, path
