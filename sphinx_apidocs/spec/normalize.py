"""Turn validated Swagger 1.x JSON into the model, smoothing over real-world quirks.

Quirks handled here (see shared/corpus/MANIFEST.md): lower-case methods, booleans and
numbers written as strings, ``null`` formats, 1.0/1.1 ``httpMethod``/``dataType``/
``responseClass``/``errorResponses``/``allowableValues``, ``List[X]``/``[X]`` containers,
``items`` given as a bare type name, model keys that differ from their ``id``, unnamed body
parameters, and operations without a nickname (one is generated: ``get-pets-petId``).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

from sphinx_apidocs.errors import json_pointer
from sphinx_apidocs.spec.model import (
    ApiPath,
    Model,
    Operation,
    Parameter,
    Property,
    Resource,
    ResponseMessage,
    TypeRef,
)

# Legacy and loose primitive names -> (Swagger 1.2 type, format).
PRIMITIVES: dict[str, tuple[str, str | None]] = {
    "integer": ("integer", None),
    "int": ("integer", "int32"),
    "int32": ("integer", "int32"),
    "long": ("integer", "int64"),
    "int64": ("integer", "int64"),
    "number": ("number", None),
    "float": ("number", "float"),
    "double": ("number", "double"),
    "bigdecimal": ("number", None),
    "string": ("string", None),
    "text": ("string", None),
    "byte": ("string", "byte"),
    "date": ("string", "date"),
    "datetime": ("string", "date-time"),
    "date-time": ("string", "date-time"),
    "time": ("string", "time"),
    "anyuri": ("string", "uri"),
    "boolean": ("boolean", None),
    "bool": ("boolean", None),
    "void": ("void", None),
    "any": ("any", None),
    "object": ("object", None),
    "hash": ("object", None),
    "file": ("File", None),
    "array": ("array", None),
}
_CONTAINER = re.compile(r"^\s*(?:List|Array|Set)\s*\[\s*(.*?)\s*\]\s*$|^\s*\[\s*(.*?)\s*\]\s*$", re.I)
_MAP = re.compile(r"^\s*Map\s*\[.*\]\s*$", re.I)
_TRUE = {"true", "yes", "1"}


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def to_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isinf(number) or math.isnan(number):
        return None
    return int(number) if number.is_integer() else number


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def media_types(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def parse_type_name(name: str | None, fmt: str | None = None) -> TypeRef:
    """A type as written in ``type``/``dataType``/``responseClass`` -> :class:`TypeRef`."""
    if not name:
        return TypeRef(format=fmt or None)
    container = _CONTAINER.match(name)
    if container:
        inner = container.group(1) if container.group(1) is not None else container.group(2)
        return TypeRef(type="array", items=parse_type_name(inner))
    if _MAP.match(name):
        return TypeRef(type="object", format=fmt or None)
    primitive = PRIMITIVES.get(name.lower())
    if primitive:
        return TypeRef(type=primitive[0], format=fmt or primitive[1])
    return TypeRef(ref=name)


def parse_type(obj: Mapping[str, Any]) -> TypeRef:
    """The data type of a parameter, property or operation object."""
    if isinstance(obj.get("$ref"), str):
        return TypeRef(ref=obj["$ref"])
    name = obj.get("type") if isinstance(obj.get("type"), str) else None
    if name is None or name == "any" and isinstance(obj.get("dataType"), str):
        name = obj.get("dataType") if isinstance(obj.get("dataType"), str) else name
    if name is None and isinstance(obj.get("responseClass"), str):
        name = obj["responseClass"]
    fmt = obj.get("format") if isinstance(obj.get("format"), str) else None
    ref = parse_type_name(name, fmt)
    if ref.type == "array" and ref.items is None:
        items = obj.get("items")
        if isinstance(items, str):
            ref = TypeRef(type="array", items=parse_type_name(items))
        elif isinstance(items, dict):
            ref = TypeRef(type="array", items=parse_type(items))
    return ref


def enum_values(obj: Mapping[str, Any]) -> tuple[str, ...]:
    values = obj.get("enum")
    allowable = obj.get("allowableValues")
    if values is None and isinstance(allowable, dict) and str(allowable.get("valueType", "")).upper() == "LIST":
        values = allowable.get("values")
    if not isinstance(values, list):
        return ()
    return tuple(v if isinstance(v, str) else _plain(v) for v in values)


def bounds(obj: Mapping[str, Any]) -> tuple[float | None, float | None]:
    allowable = obj.get("allowableValues")
    low, high = obj.get("minimum"), obj.get("maximum")
    if isinstance(allowable, dict) and str(allowable.get("valueType", "")).upper() == "RANGE":
        low = allowable.get("min", low)
        high = allowable.get("max", high)
    return to_number(low), to_number(high)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def generated_nickname(method: str, path: str) -> str:
    """A stable nickname for operations that have none: ``GET /pets/{petId}`` -> ``get-pets-petId``."""
    words = re.findall(r"[A-Za-z0-9_]+", path)
    return "-".join([method.lower(), *words]) if words else method.lower()


class DeclarationReader:
    """Reads one API declaration; collects non-fatal problems in ``warnings``."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.warnings: list[str] = []

    def warn(self, pointer: list[str | int], message: str) -> None:
        self.warnings.append(f"{self.where}#{json_pointer(pointer)}: {message}")

    def resource(self, data: Mapping[str, Any], resource_path: str, description: str, digest: str) -> Resource:
        produces = media_types(data.get("produces"))
        consumes = media_types(data.get("consumes"))
        apis: list[ApiPath] = []
        for i, api in enumerate(data.get("apis") or []):
            operations = tuple(
                self.operation(op, api["path"], resource_path, produces, consumes, ["apis", i, "operations", j])
                for j, op in enumerate(api.get("operations") or [])
            )
            apis.append(ApiPath(path=api["path"], description=text(api.get("description")), operations=operations))
        models = self.models(data.get("models") or {})
        resource = Resource(
            resource_path=resource_path,
            base_path=text(data.get("basePath")),
            description=description or text(data.get("description")),
            apis=tuple(apis),
            models=models,
            source=self.where,
            digest=digest,
        )
        self.check_refs(resource)
        return resource

    def operation(
        self,
        op: Mapping[str, Any],
        path: str,
        resource_path: str,
        produces: tuple[str, ...],
        consumes: tuple[str, ...],
        pointer: list[str | int],
    ) -> Operation:
        method = str(op.get("method") or op.get("httpMethod")).upper()
        nickname = op.get("nickname")
        if not nickname:
            nickname = generated_nickname(method, path)
            self.warn(pointer, f"operation has no nickname; using {nickname!r}")
        messages = op.get("responseMessages")
        if messages is None:
            messages = op.get("errorResponses") or []
        return Operation(
            method=method,
            path=path,
            nickname=nickname,
            summary=text(op.get("summary")),
            notes=text(op.get("notes")),
            scope=self.scope(op),
            parameters=tuple(self.parameter(p) for p in op.get("parameters") or []),
            response_messages=tuple(
                ResponseMessage(
                    code=int(str(m["code"]).strip()),
                    message=text(m.get("message")) or text(m.get("reason")),
                    model=m.get("responseModel") or None,
                )
                for m in messages
            ),
            response_type=parse_type(op),
            produces=media_types(op.get("produces")) or produces,
            consumes=media_types(op.get("consumes")) or consumes,
            deprecated=to_bool(op.get("deprecated")),
            resource_path=resource_path,
        )

    @staticmethod
    def scope(op: Mapping[str, Any]) -> str:
        if isinstance(op.get("scope"), str):
            return op["scope"]
        scopes: list[str] = []
        authorizations = op.get("authorizations")
        if isinstance(authorizations, dict):
            for entries in authorizations.values():
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict) and isinstance(entry.get("scope"), str):
                        scopes.append(entry["scope"])
        return ", ".join(scopes)

    @staticmethod
    def parameter(p: Mapping[str, Any]) -> Parameter:
        location = str(p["paramType"]).lower()
        minimum, maximum = bounds(p)
        default = p.get("defaultValue")
        return Parameter(
            name=p.get("name") or location,
            location=location,
            type=parse_type(p),
            description=text(p.get("description")),
            required=to_bool(p.get("required")) or location == "path",
            default=default,
            enum=enum_values(p),
            allow_multiple=to_bool(p.get("allowMultiple")),
            minimum=minimum,
            maximum=maximum,
        )

    def models(self, raw: Mapping[str, Any]) -> dict[str, Model]:
        models: dict[str, Model] = {}
        for key, body in raw.items():
            model_id = body.get("id") if isinstance(body.get("id"), str) else key
            required_list = body.get("required") if isinstance(body.get("required"), list) else []
            props = []
            for name, prop in (body.get("properties") or {}).items():
                minimum, maximum = bounds(prop)
                props.append(
                    Property(
                        name=name,
                        type=parse_type(prop),
                        description=text(prop.get("description")),
                        required=name in required_list or to_bool(prop.get("required")),
                        enum=enum_values(prop),
                        minimum=minimum,
                        maximum=maximum,
                    )
                )
            model = Model(
                id=model_id,
                properties=tuple(props),
                description=text(body.get("description")),
                required=tuple(required_list),
            )
            models[key] = model
        return models

    def check_refs(self, resource: Resource) -> None:
        # Wordnik 1.0 keys models by one name and refers to them by their id: both count.
        known = set(resource.models) | {m.id for m in resource.models.values()}

        def missing(ref: TypeRef) -> str | None:
            name = ref.model_name()
            return name if name and name not in known and name.lower() not in PRIMITIVES else None

        for a, api in enumerate(resource.apis):
            for o, op in enumerate(api.operations):
                name = missing(op.response_type)
                if name:
                    self.warn(["apis", a, "operations", o, "type"], f"unknown model {name!r}")
        for key, model in resource.models.items():
            for prop in model.properties:
                name = missing(prop.type)
                if name:
                    self.warn(["models", key, "properties", prop.name], f"unknown model {name!r}")
