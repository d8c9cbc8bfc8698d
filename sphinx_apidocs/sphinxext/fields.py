"""Type and description of a whitelisted dotted path, found in the operation's response model.

A path such as ``milestones.payments.amount`` is walked from the operation's ``type`` through
model references (``$ref``/``type: Model``) and array ``items``. Models are looked up in the
operation's own declaration first (Swagger 1.2 scopes models per declaration), then anywhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sphinx_apidocs.filters import split_dotted
from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Property, TypeRef

PRIMITIVES = frozenset({"string", "integer", "number", "boolean", "file", "date", "date-time"})


class Lookup(enum.Enum):
    FOUND = "found"  # every segment is a property of a known model
    MISSING = "missing"  # a known model lacks a segment: worth an ``apidocs.field`` warning
    UNKNOWN = "unknown"  # the walk reached a type without a known model: nothing to check


@dataclass(frozen=True)
class FieldRow:
    """One row of "Possible output fields": the path, its property if found, and the outcome."""

    path: str
    lookup: Lookup
    prop: Property | None = None
    missing: str = ""  # the first segment not found, for the warning

    @property
    def type(self) -> TypeRef | None:
        return self.prop.type if self.prop is not None else None

    @property
    def description(self) -> str:
        return self.prop.description if self.prop is not None else ""


class ModelIndex:
    """Model lookup by name, resource first; built once per spec (``ApiSpec.models()`` copies)."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self._global = spec.models()
        self._by_resource = {r.resource_path: r for r in spec.resources}

    def find(self, name: str, resource_path: str = "") -> Model | None:
        resource = self._by_resource.get(resource_path)
        model = resource.find_model(name) if resource is not None else None
        return model if model is not None else self._global.get(name)

    def reachable(self, root: TypeRef | str | None, resource_path: str) -> list[Model]:
        """Every model reachable from ``root`` through properties, each once, in walk order."""
        seen: dict[str, Model] = {}
        stack = [root]
        while stack:
            item = stack.pop()
            name = item if isinstance(item, str) or item is None else item.model_name()
            if not name or name in seen:
                continue
            model = self.find(name, resource_path)
            if model is None:
                continue
            seen[name] = model
            stack.extend(reversed([p.type for p in model.properties]))
        return list(seen.values())


def is_void(type_ref: TypeRef) -> bool:
    """True when the operation returns no body (``void``, or no type at all)."""
    return type_ref.model_name() is None and type_ref.type in (None, "", "void")


def lookup(index: ModelIndex, operation: Operation, path: str) -> FieldRow:
    """Walk ``path`` (escaped dotted syntax, maybe ending in ``*``) from the response type."""
    try:
        segments, star = split_dotted(path)
    except ValueError:
        return FieldRow(path, Lookup.UNKNOWN)
    current: TypeRef | None = operation.response_type
    prop: Property | None = None
    for segment in segments:
        model, known = _model_of(index, current, operation.resource_path)
        if model is None:
            return FieldRow(path, Lookup.MISSING if known else Lookup.UNKNOWN, missing=segment if known else "")
        prop = model.property(segment)
        if prop is None:
            return FieldRow(path, Lookup.MISSING, missing=segment)
        current = prop.type
    if star:
        model, known = _model_of(index, current, operation.resource_path)
        if model is None and known:
            return FieldRow(path, Lookup.MISSING, missing="*")
        return FieldRow(path, Lookup.FOUND if model is not None else Lookup.UNKNOWN)
    return FieldRow(path, Lookup.FOUND, prop)


def _model_of(index: ModelIndex, type_ref: TypeRef | None, resource_path: str) -> tuple[Model | None, bool]:
    """The model holding the fields of a value of ``type_ref``, through arrays.

    The flag says whether the answer is certain: a primitive (or ``void``) certainly has no
    fields; an unknown model name, ``object`` or a missing type might have any.
    """
    while type_ref is not None and type_ref.type == "array" and type_ref.ref is None:
        if type_ref.items is None:
            return None, False
        type_ref = type_ref.items
    if type_ref is None:
        return None, False
    name = type_ref.ref or (type_ref.type if type_ref.type not in PRIMITIVES | {"void", "object", None, ""} else None)
    if name:
        model = index.find(name, resource_path)
        return model, model is not None
    return None, type_ref.type in PRIMITIVES or type_ref.type == "void"
