"""The normalized API model every consumer reads (CLI, Sphinx extension, benchmarks).

Loaders turn documents of any supported flavour into these frozen dataclasses, so the rest
of the package never looks at raw JSON or its quirks. Nothing here imports Sphinx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

PARAM_LOCATIONS = ("path", "query", "body", "header", "form", "cookie")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class TypeRef:
    """A data type as Swagger spells it: a primitive, a model reference or an array.

    ``type`` is a primitive (``string``, ``integer``, ...), ``array``, ``void``, or ``None``
    when ``ref`` names a model. ``items`` is the element type of an array.

    ``variants`` lists the alternatives of an OpenAPI ``oneOf``/``anyOf`` (or a 3.1 type
    list); it is displayed as ``Cat | Dog``. ``ref`` then names the model that holds the
    union of the variants' properties (when there is one), so field lookups still work.
    """

    type: str | None = None
    format: str | None = None
    ref: str | None = None
    items: TypeRef | None = None
    variants: tuple[TypeRef, ...] = ()

    def display(self) -> str:
        """Human-readable form: ``array[Milestone]``, ``integer (int64)``, ``Contract``, ``Cat | Dog``."""
        if self.variants:
            return " | ".join(v.display() or "any" for v in self.variants)
        if self.ref:
            return self.ref
        if self.type == "array":
            inner = self.items.display() if self.items else ""
            return f"array[{inner}]"
        text = self.type or ""
        if self.format:
            text = f"{text} ({self.format})" if text else self.format
        return text

    def model_name(self) -> str | None:
        """The model this type designates, through ``items`` of arrays, if any."""
        if self.ref:
            return self.ref
        if self.items is not None:
            return self.items.model_name()
        return None


@dataclass(frozen=True)
class Property:
    name: str
    type: TypeRef
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False  # OpenAPI ``nullable: true`` / 3.1 ``type: [..., "null"]``


@dataclass(frozen=True)
class Model:
    id: str
    properties: tuple[Property, ...] = ()
    description: str = ""
    required: tuple[str, ...] = ()
    discriminator: str = ""  # OpenAPI/Swagger 2.0 discriminator property name, if any

    def property(self, name: str) -> Property | None:
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # one of PARAM_LOCATIONS
    type: TypeRef
    description: str = ""
    required: bool = False
    default: Any = None
    enum: tuple[str, ...] = ()
    allow_multiple: bool = False
    minimum: float | None = None
    maximum: float | None = None
    media_types: tuple[str, ...] = ()  # an OpenAPI 3 requestBody's content types
    nullable: bool = False
    deprecated: bool = False


@dataclass(frozen=True)
class ResponseMessage:
    """One documented response. ``code`` is an int (``200``), or a string for the OpenAPI
    forms ``"default"`` and ``"2XX"``; ``type`` is the full response schema (OpenAPI)."""

    code: int | str
    message: str = ""
    model: str | None = None
    type: TypeRef | None = None
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the API path as declared, e.g. /contracts/{contract_id}
    nickname: str
    summary: str = ""
    notes: str = ""
    scope: str = ""
    parameters: tuple[Parameter, ...] = ()
    response_messages: tuple[ResponseMessage, ...] = ()
    response_type: TypeRef = field(default_factory=TypeRef)
    produces: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    deprecated: bool = False
    resource_path: str = ""  # the owning resource, for back references


@dataclass(frozen=True)
class ApiPath:
    path: str
    description: str = ""
    operations: tuple[Operation, ...] = ()


@dataclass(frozen=True)
class Resource:
    """One API declaration: a resource path with its API paths and models."""

    resource_path: str
    base_path: str = ""
    description: str = ""
    apis: tuple[ApiPath, ...] = ()
    models: Mapping[str, Model] = field(default_factory=dict)
    source: str = ""  # the URL or file it came from
    digest: str = ""  # sha256 of the declaration's bytes, to tell what changed between builds

    @property
    def operations(self) -> Iterator[Operation]:
        for api in self.apis:
            yield from api.operations

    def find_model(self, name: str) -> Model | None:
        """A model by its key, or by its ``id`` where the two differ (Swagger 1.0 files)."""
        model = self.models.get(name)
        if model is None:
            model = next((m for m in self.models.values() if m.id == name), None)
        return model


@dataclass(frozen=True)
class ApiInfo:
    title: str = ""
    description: str = ""
    version: str = ""


@dataclass(frozen=True)
class ApiSpec:
    """A whole API: the listing's info plus every resource, in listing order."""

    swagger_version: str
    info: ApiInfo = field(default_factory=ApiInfo)
    resources: tuple[Resource, ...] = ()
    source: str = ""
    warnings: tuple[str, ...] = ()  # located, non-fatal problems (dangling refs, duplicates)
    notes: tuple[str, ...] = ()  # located facts that are no problem (generated nicknames)

    @property
    def format_label(self) -> str:
        """``Swagger 1.2``, ``Swagger 2.0`` or ``OpenAPI 3.1.0``: what the input was."""
        family = "Swagger" if self.swagger_version.startswith(("1", "2")) else "OpenAPI"
        return f"{family} {self.swagger_version}".strip()

    @property
    def operations(self) -> Iterator[Operation]:
        for resource in self.resources:
            yield from resource.operations

    def operation(self, nickname: str) -> Operation | None:
        return self.operations_by_nickname().get(nickname)

    def operations_by_nickname(self) -> dict[str, Operation]:
        return {op.nickname: op for op in self.operations}

    def resource(self, resource_path: str) -> Resource | None:
        for resource in self.resources:
            if resource.resource_path == resource_path:
                return resource
        return None

    def models(self) -> dict[str, Model]:
        """All models of all resources by key and by id; the first declaration of a name wins."""
        merged: dict[str, Model] = {}
        for resource in self.resources:
            for name, model in resource.models.items():
                merged.setdefault(name, model)
        for resource in self.resources:
            for model in resource.models.values():
                merged.setdefault(model.id, model)
        return merged

    def full_path(self, operation: Operation) -> str:
        """The operation's path joined to its resource's ``basePath``."""
        resource = self.resource(operation.resource_path)
        base = resource.base_path.rstrip("/") if resource else ""
        return base + operation.path if operation.path.startswith("/") else f"{base}/{operation.path}"
