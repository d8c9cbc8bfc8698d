"""Swagger 1.2 documents -> one OpenAPI 3.0 document, at the document level (never through our
model), the way swagger-converter and a careful human write it. The diff tests load both
through ``load_spec`` and expect the same contract.

Covers what the sample API and the diff fixtures use: declarations (with or without their
listing), primitive / array / model types, ``allowMultiple``, enums, defaults (typed, as
``"20"`` means 20 for an integer), bounds, path / query / header / body / form parameters,
``responseMessages``, ``scope`` and the listing's OAuth2 authorization. Anything else raises,
so a fixture can't silently lose information on the way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

PRIMITIVES = {"integer", "number", "string", "boolean", "object"}  # 1.2 readers accept "object"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
Rename = Callable[[str], str]


def read_folder(folder: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(listing or None, declarations) of a folder of 1.2 JSON files."""
    listing = None
    declarations = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "resourcePath" in data:
            declarations.append(data)
        else:
            listing = data
    return listing, declarations


def convert(listing: dict[str, Any] | None, declarations: list[dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of a 1.2 listing (optional) and its declarations."""
    first = listing or declarations[0]
    info = first.get("info") or {}
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": info.get("title", "API"), "version": str(first.get("apiVersion", "1"))},
        "servers": [{"url": declarations[0]["basePath"]}],
        "tags": [],
        "paths": {},
        "components": {"schemas": {}},
    }
    if info.get("description"):
        doc["info"]["description"] = info["description"]
    listed = {_resource(api["path"]): api.get("description", "") for api in (listing or {}).get("apis", [])}
    sources: dict[str, Any] = {}  # schema name -> the 1.2 model it came from
    for declaration in declarations:
        _declaration(doc, declaration, listed, sources)
    schemes = _security_schemes((listing or {}).get("authorizations") or {}, _scopes(doc))
    if schemes:
        doc["components"]["securitySchemes"] = schemes
    return doc


def _scopes(doc: dict[str, Any]) -> list[str]:
    found: dict[str, None] = {}
    for item in doc["paths"].values():
        for op in item.values():
            for requirement in op.get("security", []):
                found.update(dict.fromkeys(requirement["oauth2"]))
    return list(found)


def _resource(listing_path: str) -> str:
    return listing_path.replace(".{format}", "").strip("/")


def _declaration(doc: dict[str, Any], declaration: dict[str, Any], listed: dict[str, str], sources: dict[str, Any]) -> None:
    tag = declaration["resourcePath"].strip("/")
    tag_entry: dict[str, Any] = {"name": tag}
    if listed.get(tag):
        tag_entry["description"] = listed[tag]
    doc["tags"].append(tag_entry)
    rename = _models(doc["components"]["schemas"], sources, declaration.get("models") or {}, tag)
    for api in declaration["apis"]:
        item = doc["paths"].setdefault(api["path"], {})
        for op in api["operations"]:
            item[op["method"].lower()] = _operation(op, declaration, tag, rename)


def _models(schemas: dict[str, Any], sources: dict[str, Any], models: dict[str, Any], tag: str) -> Rename:
    """Add a declaration's models; a name already taken by a *different* model is renamed
    (``Money`` -> ``contracts_Money``) and every reference of this declaration follows."""
    names: dict[str, str] = {}
    for name, model in models.items():
        names[name] = name if sources.setdefault(name, model) == model else f"{tag}_{name}"

    def rename(name: str) -> str:
        return names.get(name, name)

    for name, model in models.items():
        schema: dict[str, Any] = {"type": "object"}
        if model.get("description"):
            schema["description"] = model["description"]
        if model.get("required"):
            schema["required"] = list(model["required"])
        schema["properties"] = {key: _schema(prop, rename, described=True) for key, prop in model["properties"].items()}
        schemas.setdefault(names[name], schema)
    return rename


def _operation(op: dict[str, Any], declaration: dict[str, Any], tag: str, rename: Rename) -> dict[str, Any]:
    known = {"method", "nickname", "summary", "notes", "scope", "type", "items", "format", "parameters",
             "responseMessages", "consumes", "produces", "authorizations", "deprecated", "audience"}
    unknown = set(op) - known
    if unknown:
        raise NotImplementedError(f"{op['nickname']}: {sorted(unknown)}")
    result: dict[str, Any] = {"operationId": op["nickname"], "tags": [tag]}
    for source, target in (("summary", "summary"), ("notes", "description")):
        if op.get(source):
            result[target] = op[source]
    if str(op.get("deprecated", "")).lower() == "true":
        result["deprecated"] = True
    consumes = op.get("consumes") or declaration.get("consumes") or ["application/json"]
    params = op.get("parameters") or []
    plain = [p for p in params if p["paramType"] not in ("body", "form")]
    if plain:
        result["parameters"] = [_parameter(p, rename) for p in plain]
    body = _request_body(params, consumes, rename)
    if body:
        result["requestBody"] = body
    result["responses"] = _responses(op, rename)
    if op.get("scope"):
        words = op["scope"].replace(",", " ").split()
        result["security"] = [{"oauth2": words}]
    if op.get("audience"):
        result["x-audience"] = op["audience"]
    return result


def _parameter(p: dict[str, Any], rename: Rename) -> dict[str, Any]:
    result: dict[str, Any] = {"name": p["name"], "in": p["paramType"]}
    if p.get("description"):
        result["description"] = p["description"]
    if _true(p.get("required")) or p["paramType"] == "path":
        result["required"] = True
    schema = _schema(p, rename, described=False)
    if _true(p.get("allowMultiple")):
        # The element's enum belongs on ``items`` (OpenAPI's meaning; the reader keeps it as
        # the parameter's allowed values); the default stays on the parameter's schema.
        items = {key: value for key, value in schema.items() if key not in ("default",)}
        schema = {"type": "array", "items": items}
        if "default" in p or "defaultValue" in p:
            schema["default"] = _typed(p.get("defaultValue", p.get("default")), items.get("type"))
        result["explode"] = True
    result["schema"] = schema
    return result


def _request_body(params: list[dict[str, Any]], consumes: list[str], rename: Rename) -> dict[str, Any] | None:
    bodies = [p for p in params if p["paramType"] == "body"]
    forms = [p for p in params if p["paramType"] == "form"]
    if bodies:
        p = bodies[0]
        body: dict[str, Any] = {"content": {consumes[0]: {"schema": _schema(p, rename, described=False)}}}
        if p.get("description"):
            body["description"] = p["description"]
        if _true(p.get("required")):
            body["required"] = True
        return body
    if forms:
        media = next((c for c in consumes if c in FORM_TYPES), FORM_TYPES[0])
        schema: dict[str, Any] = {"type": "object", "properties": {p["name"]: _schema(p, rename, described=True) for p in forms}}
        required = [p["name"] for p in forms if _true(p.get("required"))]
        if required:
            schema["required"] = required
        return {"content": {media: {"schema": schema}}, **({"required": True} if required else {})}
    return None


def _responses(op: dict[str, Any], rename: Rename) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    messages = op.get("responseMessages") or []
    if not any(200 <= int(m["code"]) < 300 for m in messages):
        success: dict[str, Any] = {"description": "Success"}
        schema = _schema(op, rename, described=False)
        if schema:
            success["content"] = {"application/json": {"schema": schema}}
        responses["200"] = success
    for message in messages:
        response: dict[str, Any] = {"description": message.get("message") or "Response"}
        model = message.get("responseModel")
        if model:
            response["content"] = {"application/json": {"schema": {"$ref": _ref(rename(model))}}}
        responses[str(message["code"])] = response
    return responses


def _schema(obj: dict[str, Any], rename: Rename, *, described: bool) -> dict[str, Any]:
    """The schema of a property, parameter or operation (its ``type``/``$ref``/``items``...)."""
    schema: dict[str, Any]
    kind = obj.get("type")
    if "$ref" in obj:
        schema = {"$ref": _ref(rename(obj["$ref"]))}
    elif kind == "array":
        schema = {"type": "array", "items": _schema(obj["items"], rename, described=False)}
    elif kind == "File":
        schema = {"type": "string", "format": "binary"}
    elif kind == "void" or kind is None:
        return {}
    elif kind in PRIMITIVES:
        schema = {"type": kind}
        if obj.get("format"):
            schema["format"] = obj["format"]
    else:
        schema = {"$ref": _ref(rename(kind))}
    extras: dict[str, Any] = {}
    if obj.get("enum"):
        extras["enum"] = list(obj["enum"])
    for key in ("defaultValue", "default"):
        if key in obj:
            extras["default"] = _typed(obj[key], kind)
    for key in ("minimum", "maximum"):
        if key in obj:
            extras[key] = _typed(obj[key], "number")
    if described and obj.get("description"):
        extras["description"] = obj["description"]
    if str(obj.get("deprecated", "")).lower() == "true":
        extras["deprecated"] = True
    if obj.get("audience"):
        extras["x-audience"] = obj["audience"]
    if not extras:
        return schema
    if "$ref" in schema:  # a $ref's siblings are ignored in 3.0: wrap it, the 3.0 idiom
        return {"allOf": [schema], **extras}
    return {**schema, **extras}


def _typed(value: Any, kind: str | None) -> Any:
    """1.2 writes defaults and bounds as strings: ``"20"`` is 20 for a number, ``"true"`` true."""
    if not isinstance(value, str):
        return value
    if kind == "boolean":
        return value.strip().lower() == "true"
    if kind in ("integer", "number"):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _security_schemes(authorizations: dict[str, Any], used: list[str]) -> dict[str, Any]:
    """The listing's authorizations; without a listing, an OAuth2 scheme with the scopes used."""
    if not authorizations and used:
        authorizations = {"oauth2": {"type": "oauth2", "scopes": [{"scope": scope} for scope in used]}}
    schemes: dict[str, Any] = {}
    for name, scheme in authorizations.items():
        if scheme.get("type") != "oauth2":
            raise NotImplementedError(f"authorization {name}: {scheme.get('type')}")
        scopes = {entry["scope"]: entry.get("description", "") for entry in scheme.get("scopes", [])}
        grant = (scheme.get("grantTypes") or {}).get("authorization_code") or {}
        flow = {
            "authorizationUrl": grant.get("tokenRequestEndpoint", {}).get("url", "https://example.com/authorize"),
            "tokenUrl": grant.get("tokenEndpoint", {}).get("url", "https://example.com/token"),
            "scopes": scopes,
        }
        schemes[name] = {"type": "oauth2", "flows": {"authorizationCode": flow}}
    return schemes
