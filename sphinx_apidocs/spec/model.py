"""The normalized API model every consumer reads (CLI, Sphinx extension, benchmarks).

Loaders turn documents of any supported flavour into these frozen dataclasses, so the rest
of the package never looks at raw JSON or its quirks. Nothing here imports Sphinx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

PARAM_LOCATIONS = ("path", "query", "body", "header", "form", "cookie")

#: The deepest nesting of types (``array[array[...]]``, unions of arrays...) a spec may have.
#: Everything downstream (display, rendering, fingerprints, pickling) walks types
#: recursively, so the loaders refuse deeper types with a located error instead of letting a
#: hostile spec end in a ``RecursionError``. Real specs nest two or three levels.
MAX_TYPE_DEPTH = 50


def canonical_resource_path(path: str) -> str:
    """``/name`` with no whitespace or slash around ``name``: the form every lookup uses.

    ``.. api:resource:: ARG`` (and generated pages) find a resource by ``"/" +
    ARG.strip().strip("/")``; a path kept in exactly that form always round-trips, whatever
    Unicode whitespace (``U+2028``, ``\x1c``...) the spec put at its ends.
    """
    core = path
    while True:
        stripped = core.strip().strip("/")
        if stripped == core:
            break
        core = stripped
    return "/" + core


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
        current: TypeRef | None = self
        while current is not None:  # a loop, not recursion: depth costs no stack
            if current.ref:
                return current.ref
            current = current.items
        return None

    def depth(self) -> int:
        """How deeply this type nests (``string`` 1, ``array[string]`` 2), without recursion."""
        deepest = 0
        stack: list[tuple[TypeRef, int]] = [(self, 1)]
        while stack:
            ref, level = stack.pop()
            deepest = max(deepest, level)
            if ref.items is not None:
                stack.append((ref.items, level + 1))
            stack.extend((variant, level + 1) for variant in ref.variants)
        return deepest


#: "No value given" for ``default`` and ``example`` (``None`` is JSON ``null``, a real value).
class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # pickles (the Sphinx environment) keep the one instance

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Constraints:
    """JSON Schema validation keywords besides ``enum``/``minimum``/``maximum`` (which the
    parameter and property keep themselves): what a model table lists as constraints."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    exclusive_minimum: bool = False  # ``minimum`` itself is excluded
    exclusive_maximum: bool = False
    multiple_of: float | None = None
    read_only: bool = False
    write_only: bool = False

    def __bool__(self) -> bool:
        return self != _NO_CONSTRAINTS


_NO_CONSTRAINTS = Constraints()


@dataclass(frozen=True)
class Example:
    """An example the spec gives: a named one (OpenAPI ``examples``) or the single ``example``.

    ``media_type`` is the content type it is for (``""`` when the spec does not say);
    ``value`` is the JSON value (``external`` holds an ``externalValue`` URL instead).
    """

    value: Any = None
    name: str = ""
    summary: str = ""
    media_type: str = ""
    external: str = ""


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
    deprecated: bool = False
    default: Any = UNSET
    example: Any = UNSET
    constraints: Constraints = _NO_CONSTRAINTS
    #: Audience marks (1.x ``audience``, OpenAPI ``x-audience`` on the property or the schema it
    #: references): who may see it; the narrowest wins (see ``spec.audience``).
    audiences: tuple[str, ...] = ()
    #: Lifecycle dates as written (``YYYY-MM-DD`` or an ISO datetime; ``""``: none): since when
    #: it is deprecated (1.x ``deprecatedAt``, OpenAPI ``x-deprecated-at``) and when it goes
    #: away (1.x ``sunset``, OpenAPI ``x-sunset``). See ``sphinx_apidocs.lifecycle``.
    deprecated_at: str = ""
    sunset: str = ""


@dataclass(frozen=True)
class Model:
    id: str
    properties: tuple[Property, ...] = ()
    description: str = ""
    required: tuple[str, ...] = ()
    discriminator: str = ""  # OpenAPI/Swagger 2.0 discriminator property name, if any
    example: Any = UNSET  # the schema's own ``example`` (a whole object)
    audiences: tuple[str, ...] = ()  # the schema's own ``x-audience`` marks (see ``spec.audience``)

    def property(self, name: str) -> Property | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Property]:
        """Built once: a lookup per whitelisted path must not scan every property."""
        found: dict[str, Property] = {}
        for prop in self.properties:
            found.setdefault(prop.name, prop)  # the first of a name, as the scan found it
        return found


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
    examples: tuple[Example, ...] = ()  # the parameter's / request body's own examples
    constraints: Constraints = _NO_CONSTRAINTS


@dataclass(frozen=True)
class ResponseMessage:
    """One documented response. ``code`` is an int (``200``), or a string for the OpenAPI
    forms ``"default"`` and ``"2XX"``; ``type`` is the full response schema (OpenAPI)."""

    code: int | str
    message: str = ""
    model: str | None = None
    type: TypeRef | None = None
    media_types: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()  # the response's own examples, per media type


@dataclass(frozen=True)
class OAuthFlow:
    """One OAuth2 flow (``implicit``, ``password``, ``clientCredentials``,
    ``authorizationCode``; Swagger 1.2 grant types map onto these). ``kind`` is ``""`` when
    the spec names no flow (a Swagger 1.2 ``oauth2`` without ``grantTypes``): the flow then
    only carries the scheme's scopes."""

    kind: str
    authorization_url: str = ""
    token_url: str = ""
    refresh_url: str = ""
    scopes: tuple[tuple[str, str], ...] = ()  # (scope, description)


@dataclass(frozen=True)
class SecurityScheme:
    """A way to authenticate, as the spec declares it (OpenAPI ``securitySchemes``, Swagger
    2.0 ``securityDefinitions``, Swagger 1.2 ``authorizations``), normalized:

    ``type`` is ``apiKey``, ``http`` (``scheme`` ``basic``, ``bearer``, ...), ``oauth2``,
    ``openIdConnect`` or ``mutualTLS``; an apiKey goes ``location`` (``header``, ``query``,
    ``cookie``) under ``param_name``.
    """

    name: str
    type: str
    description: str = ""
    location: str = ""
    param_name: str = ""
    scheme: str = ""
    bearer_format: str = ""
    flows: tuple[OAuthFlow, ...] = ()
    open_id_connect_url: str = ""


@dataclass(frozen=True)
class SecurityRequirement:
    """Schemes that must *all* be satisfied, each with the scopes it needs; an empty
    requirement means "no authentication" (OpenAPI ``{}``)."""

    schemes: tuple[tuple[str, tuple[str, ...]], ...] = ()


#: What an :class:`Operation` is: a request a client sends to the API (``operation``), or a
#: request the API sends to the client's endpoint — an OpenAPI 3.1 ``webhook`` or a 3.x
#: ``callback`` of an operation.
OPERATION_KINDS = ("operation", "webhook", "callback")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    #: The API path as declared, e.g. /contracts/{contract_id}; for a webhook its name, for a
    #: callback its runtime expression (``{$request.body#/callbackUrl}``).
    path: str
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
    #: Alternatives (any one will do), the API's default already applied: ``()`` when the
    #: operation needs no authentication or the spec declares none.
    security: tuple[SecurityRequirement, ...] = ()
    #: One of :data:`OPERATION_KINDS`. Webhooks and callbacks are sent *by* the API: their
    #: ``parameters``/request body describe what the client's endpoint receives, their
    #: ``response_messages`` what it should answer.
    deprecated_at: str = ""  # lifecycle dates, as on :class:`Property`
    sunset: str = ""
    #: Audience marks of the operation, its resource, tags and path item (see ``spec.audience``).
    audiences: tuple[str, ...] = ()
    kind: str = "operation"
    #: A webhook's name (the key under ``webhooks``); a callback's name (the key under the
    #: operation's ``callbacks``, e.g. ``onData``); ``""`` for an operation.
    name: str = ""
    #: A callback's operation: the nickname of the operation that registers it.
    parent: str = ""

    @property
    def sent_by_api(self) -> bool:
        """A webhook or callback: a request the API sends to the client's endpoint."""
        return self.kind != "operation"


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
    audiences: tuple[str, ...] = ()  # the resource's own audience marks (1.x ``audience``)
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
            model = self._by_id.get(name)
        return model

    @cached_property
    def _by_id(self) -> dict[str, Model]:
        """Built once: looking up a missing name must not scan every model each time."""
        found: dict[str, Model] = {}
        for model in self.models.values():
            found.setdefault(model.id, model)
        return found


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
    security_schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    security: tuple[SecurityRequirement, ...] = ()  # the API-wide default
    base_url: str = ""  # where the API is served (first server / host+basePath), once

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
        return self._by_nickname.get(nickname)

    def operations_by_nickname(self) -> dict[str, Operation]:
        return dict(self._by_nickname)

    def resource(self, resource_path: str) -> Resource | None:
        return self._by_resource_path.get(resource_path)

    # Built once per spec: a lookup per operation must not scan every resource (quadratic on
    # large APIs). ``cached_property`` stores in the instance dict, so frozen is no obstacle.
    @cached_property
    def _by_nickname(self) -> dict[str, Operation]:
        return {op.nickname: op for op in self.operations}  # the last one wins, as before

    @cached_property
    def _by_resource_path(self) -> dict[str, Resource]:
        found: dict[str, Resource] = {}
        for resource in self.resources:
            found.setdefault(resource.resource_path, resource)
        return found

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
