"""Turn validated Swagger 1.x documents into the model, smoothing over real-world quirks.

:func:`build_swagger1_spec` reads a validated :class:`~sphinx_apidocs.spec.sources.DocumentSet`
(validation: :mod:`sphinx_apidocs.spec.validate`, called by the loader).

Quirks handled here (see shared/corpus/MANIFEST.md): lower-case methods, booleans and
numbers written as strings, ``null`` formats, 1.0/1.1 ``httpMethod``/``dataType``/
``responseClass``/``errorResponses``/``allowableValues``, ``List[X]``/``[X]`` containers,
``items`` given as a bare type name, model keys that differ from their ``id``, unnamed body
parameters, and operations without a nickname (one is generated: ``get-pets-petId``, and
said in a located note, ``ApiSpec.notes``, as the OpenAPI reader does for a missing
``operationId``: generators such as swagger-docs leave nicknames out, which is no problem).

Details and security:

- Properties: ``defaultValue`` (or ``default``) -> ``Property.default``; ``minimum``/
  ``maximum``/``enum`` as always, and, where a 1.x spec carries them, ``pattern``,
  ``minLength``/``maxLength`` (numbers written as strings count), ``uniqueItems``,
  ``deprecated``, ``example``; a value of the wrong type is left out with a warning.
- ``authorizations: null`` (swagger-docs writes it) is no authorization at all.
- ``authorizations`` of the listing (and of a declaration, where a single-file spec declares
  them: entries with a ``type``) -> ``ApiSpec.security_schemes``: ``oauth2`` with its
  ``scopes`` and ``grantTypes`` (``implicit`` -> an ``implicit`` flow from ``loginEndpoint``;
  ``authorization_code`` -> ``authorizationCode`` from ``tokenRequestEndpoint`` and
  ``tokenEndpoint``; no grant types: one flow of kind ``""`` carrying the scopes),
  ``apiKey`` (``passAs``, ``keyname``), ``basicAuth`` (``http`` + ``basic``).
- Requirements: an operation's ``authorizations`` (else its declaration's) -> one
  alternative per named scheme with its scopes (as swagger-converter turns 1.2 into 2.0);
  ``{}`` is no authentication. An operation ``scope`` (this project's adaptation) is also an
  ``oauth2`` requirement when the spec declares an oauth2 scheme. A requirement naming an
  undeclared scheme is left out: with a warning (once per name and declaration), or silently
  when the spec declares no scheme at all (a declaration read without its listing: the
  scopes stay in ``Operation.scope``).
- ``ApiSpec.base_url``: the declarations' ``basePath`` when they all share one.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

from sphinx_apidocs.errors import SpecError, json_pointer
from sphinx_apidocs.spec.common import (
    WarnAt,
    api_info,
    audience_marks,
    lifecycle_date,
    flag,
    generated_nickname,
    ignored,
    limits,
    media_types,
    string,
    text,
    to_number,
    unique_nicknames,
)
from sphinx_apidocs.spec.fetch import redact_url
from sphinx_apidocs.spec.model import (
    MAX_TYPE_DEPTH,
    UNSET,
    ApiPath,
    ApiSpec,
    Example,
    Model,
    OAuthFlow,
    Operation,
    Parameter,
    Property,
    Resource,
    ResponseMessage,
    SecurityRequirement,
    SecurityScheme,
    TypeRef,
    canonical_resource_path,
)
from sphinx_apidocs.spec.sources import DocumentSet

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
# Only the *openings* of containers are matched with regular expressions: a whitespace run
# followed by literals, which cannot backtrack more than linearly. The rest of a type name
# is scanned by ``_bracketed`` (the former whole-name patterns backtracked cubically: a 5 kB
# declaration took 45 s). ``re.I`` keeps exactly the case rules of the former patterns.
_CONTAINER_OPEN = re.compile(r"\s*(?:List|Array|Set)\s*\[", re.I)
_BRACKET_OPEN = re.compile(r"\s*\[")
_MAP_OPEN = re.compile(r"\s*Map\s*\[", re.I)
_TRUE = {"true", "yes", "1"}
_SCOPE_WORDS = re.compile(r"[^\s,]+")


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


class TypeTooDeep(ValueError):
    """A type nests more than :data:`MAX_TYPE_DEPTH` levels; ``pointer`` is where, relative to
    the object whose type was parsed (``["items", "items", ...]``)."""

    def __init__(self, pointer: list[str | int]) -> None:
        super().__init__(f"type nested too deeply (more than {MAX_TYPE_DEPTH} levels)")
        self.pointer = pointer


def _bracketed(name: str, opening: re.Pattern[str], *, strip: bool) -> str | None:
    """The text between ``opening`` (ending in ``[``) and a final ``]``, or ``None``.

    A single linear scan, with the meaning the former regular expressions had: only
    whitespace may follow the ``]``; the text in between cannot hold a line feed (``.`` of
    those patterns); with ``strip`` it loses its surrounding whitespace (``\\s*(.*?)\\s*``).
    """
    match = opening.match(name)
    if match is None:
        return None
    end = len(name.rstrip())
    if end <= match.end() or name[end - 1] != "]":
        return None
    inner = name[match.end() : end - 1]
    if strip:
        inner = inner.strip()
    return None if "\n" in inner else inner


def container_item(name: str) -> str | None:
    """The element type name of ``List[X]``/``Array[X]``/``Set[X]``/``[X]`` (any case,
    whitespace around the parts), or ``None`` when ``name`` is no container."""
    inner = _bracketed(name, _CONTAINER_OPEN, strip=True)
    return inner if inner is not None else _bracketed(name, _BRACKET_OPEN, strip=True)


def is_map(name: str) -> bool:
    """``Map[K, V]`` (any case): an object whose keys are not fixed."""
    return _bracketed(name, _MAP_OPEN, strip=False) is not None


def parse_type_name(name: str | None, fmt: str | None = None) -> TypeRef:
    """A type as written in ``type``/``dataType``/``responseClass`` -> :class:`TypeRef`.

    Containers are peeled in a loop (no recursion) and at most :data:`MAX_TYPE_DEPTH` deep,
    so the work is linear in the length of the name; deeper nesting raises
    :class:`TypeTooDeep`.
    """
    depth = 0
    while name:
        inner = container_item(name)
        if inner is None:
            break
        depth += 1
        if depth >= MAX_TYPE_DEPTH:
            raise TypeTooDeep([])
        name, fmt = inner, None
    ref = _simple_type(name, fmt)
    for _ in range(depth):
        ref = TypeRef(type="array", items=ref)
    return ref


def _simple_type(name: str | None, fmt: str | None) -> TypeRef:
    if not name:
        return TypeRef(format=fmt or None)
    if is_map(name):
        return TypeRef(type="object", format=fmt or None)
    primitive = PRIMITIVES.get(name.lower())
    if primitive:
        return TypeRef(type=primitive[0], format=fmt or primitive[1])
    return TypeRef(ref=name)


def parse_type(obj: Mapping[str, Any]) -> TypeRef:
    """The data type of a parameter, property or operation object.

    ``items`` objects nest; they are followed in a loop, at most :data:`MAX_TYPE_DEPTH`
    levels (the levels of type names count too), else :class:`TypeTooDeep` says where.
    """
    wrappers = 0  # array levels given by ``items`` objects, outermost first
    pointer: list[str | int] = []
    while True:
        if isinstance(obj.get("$ref"), str):
            ref = TypeRef(ref=obj["$ref"])
            break
        key = "type" if isinstance(obj.get("type"), str) else ""
        name = obj["type"] if key else None
        if name is None or name == "any" and isinstance(obj.get("dataType"), str):
            if isinstance(obj.get("dataType"), str):
                key, name = "dataType", obj["dataType"]
        if name is None and isinstance(obj.get("responseClass"), str):
            key, name = "responseClass", obj["responseClass"]
        fmt = obj.get("format") if isinstance(obj.get("format"), str) else None
        try:
            ref = parse_type_name(name, fmt)
        except TypeTooDeep:
            raise TypeTooDeep([*pointer, key]) from None
        items = obj.get("items")
        if ref.type == "array" and ref.items is None and isinstance(items, str):
            try:
                ref = TypeRef(type="array", items=parse_type_name(items))
            except TypeTooDeep:
                raise TypeTooDeep([*pointer, "items"]) from None
        if wrappers + ref.depth() > MAX_TYPE_DEPTH:
            raise TypeTooDeep(pointer)
        if ref.type == "array" and ref.items is None and isinstance(items, dict):
            wrappers += 1
            pointer.append("items")
            obj = items
            continue
        break
    for _ in range(wrappers):
        ref = TypeRef(type="array", items=ref)
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


def build_swagger1_spec(documents: DocumentSet) -> ApiSpec:
    """The model of a validated Swagger 1.x document set (listing, if any, and declarations)."""
    warnings: list[str] = []
    notes: list[str] = []
    resources: list[Resource] = []
    schemes: dict[str, SecurityScheme] = {}
    sources = [documents.listing] if documents.listing else []
    sources += [declared.document for declared in documents.declarations]
    for document in sources:  # the listing's first: the first declaration of a name wins
        where = redact_url(document.location)

        def warn(pointer: tuple[Any, ...], message: str, where: str = where) -> None:
            warnings.append(f"{where}#{json_pointer(list(pointer))}: {message}")

        for name, scheme in read_authorizations(document.data.get("authorizations"), warn).items():
            schemes.setdefault(name, scheme)
    for declared in documents.declarations:
        reader = DeclarationReader(redact_url(declared.document.location), schemes, documents.listing is not None)
        resources.append(
            reader.resource(
                declared.document.data,
                declared.resource_path,
                declared.description,
                hashlib.sha256(declared.document.raw).hexdigest(),
            )
        )
        warnings.extend(reader.warnings)
        notes.extend(reader.notes)
    resources, renamed = unique_nicknames(resources)
    warnings.extend(renamed)
    first = documents.listing.data if documents.listing else documents.declarations[0].document.data
    bases = {text(declared.document.data.get("basePath")) for declared in documents.declarations}
    return ApiSpec(
        swagger_version=str(first.get("swaggerVersion", "")),
        info=api_info(first.get("info"), first.get("apiVersion")),
        resources=tuple(resources),
        source=redact_url(documents.source),
        warnings=tuple(warnings),
        notes=tuple(dict.fromkeys(notes)),
        security_schemes=schemes,
        base_url=bases.pop() if len(bases) == 1 else "",
    )


def read_authorizations(raw: Any, warn: WarnAt) -> dict[str, SecurityScheme]:
    """The scheme definitions of an ``authorizations`` object (listing, or a single-file
    declaration: there, entries that are lists are requirements and are skipped here)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        warn(("authorizations",), ignored("authorizations", "an object", raw))
        return {}
    schemes: dict[str, SecurityScheme] = {}
    for name, value in raw.items():
        if not isinstance(value, dict):
            continue  # a requirement (a list of scopes), not a definition
        pointer: tuple[Any, ...] = ("authorizations", name)
        scheme = _scheme(str(name), value, pointer, warn)
        if scheme is not None:
            schemes[scheme.name] = scheme
    return schemes


def _scheme(name: str, value: dict[str, Any], pointer: tuple[Any, ...], warn: WarnAt) -> SecurityScheme | None:
    kind = value.get("type")
    if not isinstance(kind, str) or not kind:
        warn((*pointer, "type"), f"authorization {name!r} ignored: it has no type")
        return None
    description = string(value, "description", pointer, warn)
    if kind == "basicAuth":
        return SecurityScheme(name=name, type="http", description=description, scheme="basic")
    if kind == "apiKey":
        place = string(value, "passAs", pointer, warn).lower()
        if place and place not in ("header", "query"):
            warn((*pointer, "passAs"), f"unknown API key location {place!r}")
            place = ""
        return SecurityScheme(
            name=name, type=kind, description=description, location=place,
            param_name=string(value, "keyname", pointer, warn),
        )
    if kind == "oauth2":
        return SecurityScheme(name=name, type=kind, description=description, flows=_flows(value, pointer, warn))
    warn((*pointer, "type"), f"unknown authorization type {kind!r}")
    return SecurityScheme(name=name, type=kind, description=description)


def _flows(value: dict[str, Any], pointer: tuple[Any, ...], warn: WarnAt) -> tuple[OAuthFlow, ...]:
    scopes: list[tuple[str, str]] = []
    raw_scopes = value.get("scopes")
    if isinstance(raw_scopes, list):
        for i, entry in enumerate(raw_scopes):
            if isinstance(entry, str):
                scopes.append((entry, ""))
            elif isinstance(entry, dict) and isinstance(entry.get("scope"), str):
                scopes.append((entry["scope"], string(entry, "description", (*pointer, "scopes", i), warn)))
            else:
                warn((*pointer, "scopes", i), ignored("scope", "a scope object", entry))
    elif raw_scopes is not None:
        warn((*pointer, "scopes"), ignored("scopes", "an array", raw_scopes))
    grants = value.get("grantTypes")
    if grants is not None and not isinstance(grants, dict):
        warn((*pointer, "grantTypes"), ignored("grantTypes", "an object", grants))
        grants = None
    flows: list[OAuthFlow] = []
    for grant, body in (grants or {}).items():
        at = (*pointer, "grantTypes", grant)
        if not isinstance(body, dict):
            warn(at, ignored(str(grant), "an object", body))
            continue
        if grant == "implicit":
            flows.append(OAuthFlow(
                kind="implicit", authorization_url=_endpoint(body, "loginEndpoint", at, warn), scopes=tuple(scopes)
            ))
        elif grant == "authorization_code":
            flows.append(OAuthFlow(
                kind="authorizationCode",
                authorization_url=_endpoint(body, "tokenRequestEndpoint", at, warn),
                token_url=_endpoint(body, "tokenEndpoint", at, warn),
                scopes=tuple(scopes),
            ))
        else:
            warn(at, f"unknown grant type {grant!r}")
    if not flows and scopes:
        flows.append(OAuthFlow(kind="", scopes=tuple(scopes)))  # no grant type stated: the scopes
    return tuple(flows)


def _endpoint(body: dict[str, Any], key: str, pointer: tuple[Any, ...], warn: WarnAt) -> str:
    endpoint = body.get(key)
    if endpoint is None:
        return ""
    if not isinstance(endpoint, dict):
        warn((*pointer, key), ignored(key, "an object", endpoint))
        return ""
    return string(endpoint, "url", (*pointer, key), warn)


class DeclarationReader:
    """Reads one API declaration; collects non-fatal problems in ``warnings``.

    Fatal problems the schema cannot express (types nested too deeply) are collected in
    ``problems`` and raised together, as one :class:`SpecError`, by :meth:`resource`.
    """

    def __init__(self, where: str, schemes: Mapping[str, SecurityScheme] | None = None, listed: bool = False) -> None:
        self.where = where
        self.warnings: list[str] = []
        self.notes: list[str] = []  # facts worth telling, not problems (generated nicknames)
        self.problems: list[str] = []
        self.schemes: Mapping[str, SecurityScheme] = schemes or {}
        #: Undeclared scheme names are a problem of the spec when it has a listing or declares
        #: schemes; a declaration read alone just lacks the listing that declares them.
        self.strict_names = listed or bool(self.schemes)
        self.oauth2 = next((name for name, scheme in self.schemes.items() if scheme.type == "oauth2"), "")
        self.default_security: tuple[SecurityRequirement, ...] = ()
        self._reported: set[str] = set()

    def warn(self, pointer: list[str | int], message: str) -> None:
        self.warnings.append(f"{self.where}#{json_pointer(pointer)}: {message}")

    def warn_at(self, pointer: tuple[Any, ...], message: str) -> None:
        self.warn(list(pointer), message)

    def type_of(self, obj: Mapping[str, Any], pointer: list[str | int]) -> TypeRef:
        """:func:`parse_type`, with a type nested too deeply recorded as a located problem."""
        try:
            return parse_type(obj)
        except TypeTooDeep as exc:
            self.problems.append(f"{self.where}#{json_pointer([*pointer, *exc.pointer])}: {exc}")
            return TypeRef()

    def resource(self, data: Mapping[str, Any], resource_path: str, description: str, digest: str) -> Resource:
        resource_path = canonical_resource_path(resource_path)
        produces = media_types(data.get("produces"))
        consumes = media_types(data.get("consumes"))
        own = data.get("authorizations")
        self.default_security = self.requirements(own, ["authorizations"]) if isinstance(own, dict) else ()
        apis: list[ApiPath] = []
        marks = audience_marks(data.get("audience"))
        for i, api in enumerate(data.get("apis") or []):
            operations = tuple(
                self.operation(op, api["path"], resource_path, produces, consumes, ["apis", i, "operations", j], marks)
                for j, op in enumerate(api.get("operations") or [])
            )
            apis.append(ApiPath(path=api["path"], description=text(api.get("description")), operations=operations))
        models = self.models(data.get("models") or {})
        if self.problems:
            raise SpecError(list(dict.fromkeys(self.problems)))
        resource = Resource(
            resource_path=resource_path,
            base_path=text(data.get("basePath")),
            description=description or text(data.get("description")),
            apis=tuple(apis),
            models=models,
            source=self.where,
            digest=digest,
            audiences=marks,
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
        marks: tuple[str, ...] = (),
    ) -> Operation:
        method = str(op.get("method") or op.get("httpMethod")).upper()
        nickname = op.get("nickname")
        if not nickname:
            nickname = generated_nickname(method, path)
            self.notes.append(f"{self.where}#{json_pointer(pointer)}: operation has no nickname; using {nickname!r}")
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
            parameters=tuple(
                self.parameter(p, [*pointer, "parameters", k]) for k, p in enumerate(op.get("parameters") or [])
            ),
            response_messages=tuple(
                ResponseMessage(
                    code=int(str(m["code"]).strip()),
                    message=text(m.get("message")) or text(m.get("reason")),
                    model=m.get("responseModel") or None,
                )
                for m in messages
            ),
            response_type=self.type_of(op, pointer),
            produces=media_types(op.get("produces")) or produces,
            consumes=media_types(op.get("consumes")) or consumes,
            deprecated=to_bool(op.get("deprecated")),
            resource_path=resource_path,
            security=self.security(op, pointer),
            audiences=(*marks, *audience_marks(op.get("audience"))),
            deprecated_at=lifecycle_date(op.get("deprecatedAt")),
            sunset=lifecycle_date(op.get("sunset")),
        )

    def security(self, op: Mapping[str, Any], pointer: list[str | int]) -> tuple[SecurityRequirement, ...]:
        """The operation's ``authorizations`` (else the declaration's), plus its ``scope``."""
        own = op.get("authorizations")
        if isinstance(own, dict):
            found = list(self.requirements(own, [*pointer, "authorizations"]))
        elif isinstance(own, list):  # a list of scheme names, no scopes
            found = list(self.requirements({name: [] for name in own if isinstance(name, str)}, [*pointer, "authorizations"]))
        else:
            found = list(self.default_security)
        scope = op.get("scope")
        if isinstance(scope, str) and self.oauth2:
            words = tuple(_SCOPE_WORDS.findall(scope))
            merged = False
            for i, requirement in enumerate(found):
                if any(name == self.oauth2 for name, _ in requirement.schemes):
                    found[i] = SecurityRequirement(tuple(
                        (name, (*scopes, *(w for w in words if w not in scopes)) if name == self.oauth2 else scopes)
                        for name, scopes in requirement.schemes
                    ))
                    merged = True
            if not merged and words:
                found.append(SecurityRequirement(((self.oauth2, words),)))
        return tuple(found)

    def requirements(self, raw: Mapping[str, Any], pointer: list[str | int]) -> tuple[SecurityRequirement, ...]:
        """1.x ``authorizations: {name: [{scope}]}`` -> one alternative per declared name."""
        found: list[SecurityRequirement] = []
        for name, entries in raw.items():
            if isinstance(entries, dict):
                continue  # a scheme definition (single-file specs), read by ``read_authorizations``
            if name not in self.schemes:
                if self.strict_names and name not in self._reported:
                    self._reported.add(name)
                    self.warn([*pointer, name], f"authorization {name!r} is not declared; left out of the operations' security")
                continue
            scopes: list[str] = []
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, str):
                        scopes.append(entry)
                    elif isinstance(entry, dict) and isinstance(entry.get("scope"), str):
                        scopes.append(entry["scope"])
            elif entries is not None:
                self.warn([*pointer, name], ignored("scopes", "an array", entries))
            found.append(SecurityRequirement(((name, tuple(dict.fromkeys(scopes))),)))
        return tuple(found)

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

    def parameter(self, p: Mapping[str, Any], pointer: list[str | int]) -> Parameter:
        location = str(p["paramType"]).lower()
        minimum, maximum = bounds(p)
        minimum, maximum, constraints = limits(p, minimum, maximum, tuple(pointer), self.warn_at, loose=True)
        default = p.get("defaultValue")
        return Parameter(
            name=p.get("name") or location,
            location=location,
            type=self.type_of(p, pointer),
            description=text(p.get("description")),
            required=to_bool(p.get("required")) or location == "path",
            default=default,
            enum=enum_values(p),
            allow_multiple=to_bool(p.get("allowMultiple")),
            minimum=minimum,
            maximum=maximum,
            deprecated=flag(p, "deprecated", tuple(pointer), self.warn_at, loose=True),
            examples=(Example(value=p["example"]),) if "example" in p else (),
            constraints=constraints,
        )

    def models(self, raw: Mapping[str, Any]) -> dict[str, Model]:
        models: dict[str, Model] = {}
        for key, body in raw.items():
            model_id = body.get("id") if isinstance(body.get("id"), str) else key
            required_list = body.get("required") if isinstance(body.get("required"), list) else []
            required_set = {name for name in required_list if isinstance(name, str)}  # O(1) lookups
            props = []
            for name, prop in (body.get("properties") or {}).items():
                where: tuple[Any, ...] = ("models", key, "properties", name)
                minimum, maximum = bounds(prop)
                minimum, maximum, constraints = limits(prop, minimum, maximum, where, self.warn_at, loose=True)
                default = prop["defaultValue"] if "defaultValue" in prop else prop.get("default", UNSET)
                props.append(
                    Property(
                        name=name,
                        type=self.type_of(prop, list(where)),
                        description=text(prop.get("description")),
                        required=name in required_set or to_bool(prop.get("required")),
                        enum=enum_values(prop),
                        minimum=minimum,
                        maximum=maximum,
                        deprecated=flag(prop, "deprecated", where, self.warn_at, loose=True),
                        default=default,
                        example=prop.get("example", UNSET),
                        constraints=constraints,
                        audiences=audience_marks(prop.get("audience")),
                        deprecated_at=lifecycle_date(prop.get("deprecatedAt")),
                        sunset=lifecycle_date(prop.get("sunset")),
                    )
                )
            model = Model(
                id=model_id,
                properties=tuple(props),
                description=text(body.get("description")),
                required=tuple(required_list),
                example=body.get("example", UNSET),
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
