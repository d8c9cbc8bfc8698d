"""A Swagger 2.0 / OpenAPI 3.0 / 3.1 document (plus its external documents) -> :class:`ApiSpec`.

How the model is filled:

- **Resources are tags.** An operation is listed under its first tag; an operation without
  tags goes to a resource named after the first (non-template) segment of its path
  (``/pets/{id}`` -> ``pets``; ``/`` -> ``default``). ``Resource.resource_path`` is that
  name with a leading slash, like Swagger 1.x resource paths (tag ``pets`` -> ``/pets``;
  ``Operation.resource_path`` too); ``description`` is the tag's description. Resources come in the order of the top-level
  ``tags`` list, then in order of first use. A leading ``api`` or version segment is
  skipped when more follows (``/v1/customers/{id}`` -> ``customers``, ``/api/v2/users`` ->
  ``users``): one resource per API version would hold every operation.
- **Nicknames** are ``operationId`` values. An operation without one gets the stable generated
  nickname of Swagger 1.x (``GET /pets/{petId}`` -> ``get-pets-petId``) and a located
  warning; repeats get ``-2``... (see :func:`sphinx_apidocs.spec.common.unique_nicknames`).
- **Scope**: the scopes of the operation's ``security`` requirements (the top-level
  ``security`` when the operation has none), de-duplicated, joined with ``", "``.
- **Parameters**: path-level parameters merged with the operation's (the operation wins on
  the same name and location). ``formData`` -> ``form``; ``cookie`` stays ``cookie``. An
  OpenAPI 3 ``requestBody`` is the parameter ``body`` (location ``body``) whose
  ``media_types`` are the content types; its type comes from ``application/json`` (or a
  ``*json`` type, else the first one).
- **Responses**: one :class:`ResponseMessage` per code (``int``, or ``"default"``/``"2XX"``),
  with the schema's type. ``Operation.response_type`` is the type of the first 2xx response
  with a schema (numeric codes in order, then ``2XX``), or ``void``.
- **Models**: see :mod:`.schemas` for names. A resource holds the models its operations reach
  and no earlier resource reached; models no operation reaches go to the first resource.
- ``base_path`` (and ``ApiSpec.base_url``): 2.0 ``scheme://host`` + ``basePath`` (``basePath``
  alone without a host); 3.x the first server URL with its variables' defaults (a relative
  URL as given).
- **Webhooks and callbacks** (3.x) are operations of their own ``kind``: each method of a
  3.1 ``webhooks`` path item is a ``webhook`` whose ``path`` is the webhook's name; each
  method of an operation's ``callbacks`` (``{name: {expression: PathItem}}``; the callback,
  and each path item, may be a ``$ref``) is a ``callback`` whose ``path`` is the runtime
  expression, ``name`` the callback's name and ``parent`` the operation's nickname. A webhook
  is listed under its first tag, else under the resource ``/webhooks`` (it has no path to
  group it by); a callback with its parent operation, right after it. Their nicknames are
  their ``operationId`` values, else generated (``post-webhooks-newPet``,
  ``post-createStream-callbacks-onData``), never clashing with another nickname of the spec,
  with a located note. Request body, responses, examples are read as for any operation; their
  ``security`` is their own only (the top-level default is how clients call the API, not how
  the API calls them).
- **Security**: ``components.securitySchemes`` / 2.0 ``securityDefinitions`` ->
  ``ApiSpec.security_schemes`` (2.0 ``basic`` is ``http`` + ``basic``; 2.0 oauth2 flows
  ``application``/``accessCode`` are ``clientCredentials``/``authorizationCode``). A
  requirement list -> alternatives (``Operation.security``): the operation's own
  ``security`` when it has one (``[]``: no authentication), else the top-level one; ``{}`` in
  the list is the empty requirement (authentication optional). A requirement naming an
  undeclared scheme is left out with a warning, so every name resolves.
- **Examples**: a parameter's ``example``/``examples`` (3.x; 2.0 ``x-example``), else its
  schema's ``example``; a request body's per media type (else its schema's); a response's per
  media type (2.0 ``examples: {mime: value}``). ``examples`` entries may be ``$ref`` objects;
  ``externalValue`` -> ``Example.external``. Values stay as loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

from sphinx_apidocs.errors import SpecError, json_pointer
from sphinx_apidocs.spec.common import (
    UniqueNames,
    api_info,
    audience_marks,
    lifecycle_date,
    generated_nickname,
    WarnAt,
    ignored,
    json_type,
    media_types,
    string,
    text,
    unique_nicknames,
)
from sphinx_apidocs.spec.detect import major, openapi_version
from sphinx_apidocs.spec.fetch import Document, redact_url
from sphinx_apidocs.spec.model import (
    UNSET,
    ApiPath,
    ApiSpec,
    Example,
    Model,
    OAuthFlow,
    Operation,
    Parameter,
    Resource,
    ResponseMessage,
    SecurityRequirement,
    SecurityScheme,
    TypeRef,
    canonical_resource_path,
)
from sphinx_apidocs.spec.openapi.schemas import SchemaConverter, SchemaTooDeep, Typed, items_enum
from sphinx_apidocs.spec.refs import RefError, Resolver

METHODS_2 = ("get", "put", "post", "delete", "options", "head", "patch")
METHODS_3 = (*METHODS_2, "trace")
DEFAULT_RESOURCE = "default"
WEBHOOKS_RESOURCE = "/webhooks"  # untagged webhooks: they have no path to be grouped by
_RANGE_CODE = re.compile(r"^[1-5]xx$", re.I)
_LOCATIONS = {"formdata": "form", "form": "form", "path": "path", "query": "query", "header": "header", "cookie": "cookie", "body": "body"}
_VARIABLE = re.compile(r"\{([^{}]*)\}")
_PREFIX = re.compile(r"^(api|rest|v?\d+(\.\d+)*([a-z]+\d*)?)$", re.I)
_SCHEME_TYPES = ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS")
_KEY_LOCATIONS = ("header", "query", "cookie")
_FLOWS_3 = ("implicit", "password", "clientCredentials", "authorizationCode")
_FLOWS_2 = {"implicit": "implicit", "password": "password", "application": "clientCredentials", "accessCode": "authorizationCode"}


def build_openapi_spec(root: Document, others: Sequence[Document], source: str) -> ApiSpec:
    """Normalize a validated document set (see :func:`~sphinx_apidocs.spec.validate.openapi_problems`,
    which the loader calls first); raises :class:`SpecError` with every problem the schema
    can't express (dangling or circular ``$ref``, schemas nested too deeply)."""
    where = redact_url(root.location)
    try:
        version = openapi_version(root.data)
    except ValueError as exc:  # validation refuses these first; here for direct callers
        raise SpecError([f"{where}: {exc}"]) from None
    reader = OpenApiReader(root, others, version)
    try:
        spec = reader.spec(source)
    except SchemaTooDeep as exc:
        raise SpecError([f"{reader.at(exc.location, exc.pointer)}: {exc}"]) from None
    except RecursionError:  # a last resort: every walk over schemas is bounded or iterative
        raise SpecError([f"{where}: schemas nested too deeply to document"]) from None
    if reader.problems:
        raise SpecError(list(dict.fromkeys(reader.problems)))
    # Repeated operationIds get ``-2``... here, in linear time.
    resources, renamed = unique_nicknames(list(spec.resources))
    if renamed:
        resources = _relink_callbacks(list(spec.resources), resources, reader.callback_parents)
    return replace(spec, resources=tuple(resources), warnings=(*spec.warnings, *renamed))


def _relink_callbacks(before: list[Resource], after: list[Resource], parents: Mapping[int, Operation]) -> list[Resource]:
    """Callbacks name their parent by nickname: follow a parent that ``unique_nicknames``
    renamed. ``before`` and ``after`` hold the same operations in the same order;
    ``parents``: id(callback) -> its parent operation, as read."""
    old_ops = [op for resource in before for op in resource.operations]
    new_ops = [op for resource in after for op in resource.operations]
    final = {id(old): new.nickname for old, new in zip(old_ops, new_ops)}
    relinked: dict[int, str] = {}  # id(callback, as renamed) -> its parent's final nickname
    for old, new in zip(old_ops, new_ops):
        parent = parents.get(id(old))
        if parent is not None and final.get(id(parent), new.parent) != new.parent:
            relinked[id(new)] = final[id(parent)]
    if not relinked:
        return after
    result = []
    for resource in after:
        apis = tuple(
            replace(api, operations=tuple(
                replace(op, parent=relinked[id(op)]) if id(op) in relinked else op for op in api.operations
            ))
            for api in resource.apis
        )
        result.append(replace(resource, apis=apis))
    return result


class OpenApiReader:
    def __init__(self, root: Document, others: Sequence[Document], version: str) -> None:
        self.root = root
        self.others = others
        self.data: dict[str, Any] = root.data
        self.version = version
        self.v2 = major(version) == 2
        self.resolver = Resolver(root, others)
        self.warnings: list[str] = []
        self.notes: list[str] = []  # facts worth telling, not problems (generated nicknames)
        self.problems: list[str] = []
        self.schemas = SchemaConverter(self.resolver, self._warn_at)
        self.security_schemes: dict[str, SecurityScheme] = {}
        self.default_security: tuple[SecurityRequirement, ...] = ()
        self._tag_marks: dict[str, tuple[str, ...]] | None = None  # tag name -> its x-audience marks
        #: id(callback operation) -> the operation it is a callback of (see ``_relink_callbacks``).
        self.callback_parents: dict[int, Operation] = {}

    # -- messages ------------------------------------------------------------------------

    def at(self, location: str, pointer: Iterable[Any]) -> str:
        return f"{redact_url(location)}#{json_pointer(list(pointer))}"

    def _warn_at(self, location: str, pointer: Iterable[Any], message: str) -> None:
        self.warnings.append(f"{self.at(location, pointer)}: {message}")

    def _problem(self, location: str, pointer: Iterable[Any], message: str) -> None:
        self.problems.append(f"{self.at(location, pointer)}: {message}")

    def follow(
        self, value: Any, location: str, pointer: tuple[Any, ...], *, soft: bool = False
    ) -> tuple[Any, str, tuple[Any, ...]] | None:
        """``value`` with ``$ref`` chains followed: (object, its document, its pointer), or None.

        A ``$ref`` that leads nowhere is a problem (the spec fails), or with ``soft`` (things
        the reference can do without: examples, security schemes) a warning."""
        report = self._warn_at if soft else self._problem
        seen: set[tuple[str, tuple[Any, ...]]] = set()
        while isinstance(value, dict) and "$ref" in value:
            try:
                location, parts, value = self.resolver.resolve(value["$ref"], location)
            except RefError as exc:
                report(location, (*pointer, "$ref"), str(exc))
                return None
            if (location, parts) in seen:
                report(location, parts, "circular $ref")
                return None
            seen.add((location, parts))
            pointer = parts
        return value, location, pointer

    # -- the whole spec ------------------------------------------------------------------

    def spec(self, source: str) -> ApiSpec:
        read: list[tuple[str, Operation, dict[str, Any], str, tuple[Any, ...]]] = []
        paths = self.data.get("paths") or {}
        root = self.root.location
        self.security_schemes = self.read_security_schemes()
        self.default_security = self.requirements(self.data.get("security"), root, ("security",))
        for path, item in paths.items():
            if path.startswith("x-"):
                continue
            followed = self.follow(item, root, ("paths", path))
            if followed is None:
                continue
            item, location, pointer = followed
            if not isinstance(item, dict):
                self._problem(location, pointer, "expected a path item object")
                continue
            read.extend(self.path_operations(path, item, location, pointer))
        operations = self.sent_by_api(read)
        self.named_schemas()

        resources = self.resources(operations)
        info = self.data.get("info")
        return ApiSpec(
            swagger_version=self.version,
            info=api_info(info, info.get("version") if isinstance(info, dict) else None),
            resources=tuple(resources),
            source=redact_url(source),
            warnings=tuple(dict.fromkeys(self.warnings)),
            notes=tuple(dict.fromkeys(self.notes)),
            security_schemes=self.security_schemes,
            security=self.default_security,
            base_url=self.base_path(),
        )

    def named_schemas(self) -> None:
        """Every component / definition schema is a model (or alias) even if nothing uses it."""
        root = self.root.location
        section = ("definitions",) if self.v2 else ("components", "schemas")
        value: Any = self.data
        for part in section:
            value = value.get(part) if isinstance(value, dict) else None
        for key in value if isinstance(value, dict) else {}:
            ref = "#" + json_pointer([*section, key])
            self.schemas.convert({"$ref": ref}, key, root, section)

    def resources(self, operations: list[tuple[str, Operation]]) -> list[Resource]:
        tag_text: dict[str, str] = {}
        order: list[str] = []
        for tag in self.data.get("tags") or []:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                name = resource_path(tag["name"])
                tag_text.setdefault(name, text(tag.get("description")))
                order.append(name)
        # By kind and path: a webhook named like a path is no operation of that path.
        grouped: dict[str, dict[tuple[str, str], list[Operation]]] = {}
        for tag, op in operations:
            grouped.setdefault(tag, {}).setdefault((op.kind, op.path), []).append(op)
        listed = dict.fromkeys(order)  # a dict, not the list: ``in`` must not scan every tag
        names = [t for t in listed if t in grouped] + [t for t in grouped if t not in listed]

        models = self.schemas.models()
        owners = self._model_owners(names, grouped, models)
        digest = hashlib.sha256(b"".join(d.raw for d in (self.root, *self.others))).hexdigest()
        base_path = self.base_path()
        resources = []
        for name in names:
            apis = tuple(
                ApiPath(path=path, description=self._path_description(path) if kind == "operation" else "", operations=tuple(ops))
                for (kind, path), ops in grouped[name].items()
            )
            resources.append(Resource(
                resource_path=name,
                base_path=base_path,
                description=tag_text.get(name, ""),
                apis=apis,
                models={key: models[key] for key in models if owners.get(key) == name},
                source=redact_url(self.root.location),
                digest=digest,
            ))
        return resources

    def _model_owners(self, names: list[str], grouped: dict[str, dict[tuple[str, str], list[Operation]]], models: Mapping[str, Model]) -> dict[str, str]:
        owners: dict[str, str] = {}
        for name in names:
            stack: list[TypeRef | None] = []
            for ops in grouped[name].values():
                for op in ops:
                    stack.append(op.response_type)
                    stack.extend(p.type for p in op.parameters)
                    stack.extend(m.type for m in op.response_messages)
            while stack:
                ref = stack.pop()
                if ref is None:
                    continue
                stack.extend(ref.variants)
                if ref.items is not None:
                    stack.append(ref.items)
                if ref.ref and ref.ref in models and ref.ref not in owners:
                    owners[ref.ref] = name
                    stack.extend(p.type for p in models[ref.ref].properties)
        if names:
            for key in models:
                owners.setdefault(key, names[0])
        return owners

    def _path_description(self, path: str) -> str:
        item = (self.data.get("paths") or {}).get(path)
        if isinstance(item, dict):
            return text(item.get("summary")) or text(item.get("description"))
        return ""

    def base_path(self) -> str:
        if self.v2:
            base = text(self.data.get("basePath"))
            host = text(self.data.get("host"))
            if not host:
                return base
            schemes = [s for s in self.data.get("schemes") or [] if isinstance(s, str)]
            scheme = "https" if "https" in schemes or not schemes else schemes[0]
            return f"{scheme}://{host}{base}"
        servers = self.data.get("servers")
        if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
            return ""
        server = servers[0]
        variables = found if isinstance(found := server.get("variables"), dict) else {}

        def substitute(match: re.Match[str]) -> str:
            variable = variables.get(match.group(1))
            default = variable.get("default") if isinstance(variable, dict) else None
            return str(default) if default is not None else match.group(0)

        return _VARIABLE.sub(substitute, text(server.get("url")))

    # -- operations ----------------------------------------------------------------------

    def path_operations(
        self, path: str, item: dict[str, Any], location: str, pointer: tuple[Any, ...]
    ) -> Iterable[tuple[str, Operation, dict[str, Any], str, tuple[Any, ...]]]:
        """Each operation of a path item: (resource, operation, raw object, document, pointer)."""
        shared = found if isinstance(found := item.get("parameters"), list) else []
        methods = METHODS_2 if self.v2 else METHODS_3
        marks = audience_marks(item.get("x-audience"))
        for key, op in item.items():
            if key not in methods or not isinstance(op, dict):
                continue
            resource, operation = self.operation(path, key, op, shared, location, (*pointer, key), marks=marks)
            yield resource, operation, op, location, (*pointer, key)

    # -- webhooks and callbacks ----------------------------------------------------------

    def sent_by_api(
        self, read: list[tuple[str, Operation, dict[str, Any], str, tuple[Any, ...]]]
    ) -> list[tuple[str, Operation]]:
        """The path operations, each followed by its callbacks, then the webhooks (3.x).

        Every source is located first, so that a generated nickname avoids every nickname of
        the spec, the ``operationId`` values of later webhooks and callbacks included."""
        if self.v2:
            return [(resource, op) for resource, op, _, _, _ in read]
        sources: list[_SentByApi] = []
        for resource, op, raw, location, pointer in read:
            if "callbacks" in raw:
                sources.extend(self.callback_sources(resource, op, raw["callbacks"], location, (*pointer, "callbacks")))
        sources.extend(self.webhook_sources())
        names = UniqueNames([op.nickname for _, op, _, _, _ in read])
        for source in sources:
            given = source.raw.get("operationId")
            if isinstance(given, str) and given.strip():
                names.taken.add(given.strip())
        callbacks: dict[int, list[tuple[str, Operation]]] = {}
        webhooks: list[tuple[str, Operation]] = []
        for source in sources:
            made = self.operation(
                source.path, source.method, source.raw, source.shared, source.location, source.pointer,
                kind=source.kind, name=source.name, parent=source.parent, home=source.home, names=names,
            )
            if source.parent_op is not None:
                self.callback_parents[id(made[1])] = source.parent_op
                callbacks.setdefault(id(source.parent_op), []).append(made)
            else:
                webhooks.append(made)
        result: list[tuple[str, Operation]] = []
        for resource, op, _, _, _ in read:
            result.append((resource, op))
            result.extend(callbacks.get(id(op), ()))
        return result + webhooks

    def methods_of(
        self, item: Any, location: str, pointer: tuple[Any, ...], what: str
    ) -> Iterable[tuple[str, dict[str, Any], list[Any], str, tuple[Any, ...]]]:
        """Each operation of a path item that may be a ``$ref``: (method, raw, shared
        parameters, document, pointer)."""
        followed = self.follow(item, location, pointer)
        if followed is None:
            return
        item, location, pointer = followed
        if not isinstance(item, dict):
            self._problem(location, pointer, f"expected a path item object ({what})")
            return
        shared = found if isinstance(found := item.get("parameters"), list) else []
        marks = audience_marks(item.get("x-audience"))
        for key, op in item.items():
            if key in METHODS_3 and isinstance(op, dict):
                if marks:  # the path item's mark joins the operation's own
                    op = {**op, "x-audience": [*marks, *audience_marks(op.get("x-audience"))]}
                yield key, op, shared, location, (*pointer, key)

    def webhook_sources(self) -> list[_SentByApi]:
        root = self.root.location
        webhooks = self.data.get("webhooks")
        if webhooks is None:
            return []
        if not isinstance(webhooks, dict):
            self._warn_at(root, ("webhooks",), ignored("webhooks", "an object", webhooks))
            return []
        found = []
        for name, item in webhooks.items():
            if str(name).startswith("x-"):
                continue
            for method, raw, shared, location, pointer in self.methods_of(item, root, ("webhooks", name), "a webhook"):
                found.append(_SentByApi("webhook", str(name), str(name), method, raw, shared, location, pointer))
        return found

    def callback_sources(
        self, resource: str, parent: Operation, callbacks: Any, location: str, pointer: tuple[Any, ...]
    ) -> list[_SentByApi]:
        if not isinstance(callbacks, dict):
            self._warn_at(location, pointer, ignored("callbacks", "an object", callbacks))
            return []
        found = []
        for name, value in callbacks.items():
            if str(name).startswith("x-"):
                continue
            followed = self.follow(value, location, (*pointer, name))
            if followed is None:
                continue
            callback, where, at = followed
            if not isinstance(callback, dict):
                self._warn_at(where, at, ignored("callback", "an object", callback))
                continue
            for expression, item in callback.items():
                if str(expression).startswith("x-"):
                    continue
                for method, raw, shared, item_location, item_pointer in self.methods_of(item, where, (*at, expression), "a callback"):
                    found.append(_SentByApi(
                        "callback", str(expression), str(name), method, raw, shared, item_location, item_pointer,
                        parent.nickname, parent, resource,
                    ))
        return found

    def operation(
        self, path: str, method: str, op: dict[str, Any], shared: list[Any], location: str, pointer: tuple[Any, ...],
        *, kind: str = "operation", name: str = "", parent: str = "", home: str = "", names: UniqueNames | None = None,
        marks: tuple[str, ...] = (),
    ) -> tuple[str, Operation]:
        """One operation; for a ``webhook`` or ``callback`` (``name``, ``parent``: see
        :class:`Operation`; ``home``: a callback's resource, its parent's) a missing
        operationId is generated from ``names`` (the taken ones)."""
        nickname = found.strip() if isinstance(found := op.get("operationId"), str) else ""
        tags = [t for t in op.get("tags") or [] if isinstance(t, str) and t.strip().strip("/")]
        if kind == "operation":
            if not nickname:
                nickname = generated_nickname(method, path)
                # ``operationId`` is optional in 2.0/3.x: a valid spec without it is no problem.
                self.notes.append(f"{self.at(location, pointer)}: operation has no operationId; using {nickname!r}")
            resource = resource_path(tags[0] if tags else _resource_of(path))
        else:
            if not nickname:
                base = f"webhooks/{name}" if kind == "webhook" else f"{parent}/callbacks/{name}"
                nickname = generated_nickname(method, base)
                nickname = names.add(nickname) if names is not None else nickname
                self.notes.append(f"{self.at(location, pointer)}: {kind} has no operationId; using {nickname!r}")
            if kind == "callback":
                resource = home
            else:
                resource = resource_path(tags[0]) if tags else WEBHOOKS_RESOURCE

        parameters = self.parameters(nickname, shared, op.get("parameters") or [], location, pointer)
        consumes: tuple[str, ...] = ()
        if self.v2:
            consumes = media_types(op.get("consumes")) or media_types(self.data.get("consumes"))
        if not self.v2 and "requestBody" in op:
            body = self.request_body(nickname, op["requestBody"], location, (*pointer, "requestBody"))
            if body is not None:
                parameters.append(body)
                consumes = body.media_types
        elif self.v2:
            parameters = [
                p if p.location != "body" else _with_media_types(p, consumes) for p in parameters
            ]
        messages, response_type, produces = self.responses(nickname, op, location, pointer)
        own_only = kind != "operation"  # the API-wide default is how clients call the API
        return resource, Operation(
            method=method.upper(),
            path=path,
            nickname=nickname,
            summary=text(op.get("summary")),
            notes=text(op.get("description")),
            scope=self.scope(op) if not own_only or "security" in op else "",
            parameters=tuple(parameters),
            response_messages=tuple(messages),
            response_type=response_type,
            produces=produces,
            consumes=consumes,
            deprecated=op.get("deprecated") is True,
            resource_path=resource,
            security=(
                self.requirements(op["security"], location, (*pointer, "security"))
                if "security" in op
                else () if own_only else self.default_security
            ),
            kind=kind,
            name=name,
            parent=parent,
            audiences=(*self.tag_marks(tags), *marks, *audience_marks(op.get("x-audience"))),
            deprecated_at=lifecycle_date(op.get("x-deprecated-at")),
            sunset=lifecycle_date(op.get("x-sunset")),
        )

    def tag_marks(self, tags: list[str]) -> tuple[str, ...]:
        """The ``x-audience`` marks of the tags ``tags`` (from the root's ``tags`` list)."""
        if self._tag_marks is None:
            self._tag_marks = {}
            for tag in self.data.get("tags") or []:
                if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                    self._tag_marks[tag["name"]] = audience_marks(tag.get("x-audience"))
        return tuple(mark for tag in tags for mark in self._tag_marks.get(tag, ()))

    # -- security ------------------------------------------------------------------------

    def read_security_schemes(self) -> dict[str, SecurityScheme]:
        """``components.securitySchemes`` (3.x) or ``securityDefinitions`` (2.0), in order."""
        root = self.root.location
        section: tuple[str, ...] = ("securityDefinitions",) if self.v2 else ("components", "securitySchemes")
        raw: Any = self.data
        for part in section:
            raw = raw.get(part) if isinstance(raw, dict) else None
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self._warn_at(root, section, ignored(section[-1], "an object", raw))
            return {}
        schemes: dict[str, SecurityScheme] = {}
        for name, value in raw.items():
            if str(name).startswith("x-") and not self.v2:
                continue
            followed = self.follow(value, root, (*section, name), soft=True)
            if followed is None:
                continue
            obj, location, pointer = followed
            scheme = self.security_scheme(str(name), obj, location, pointer)
            if scheme is not None:
                schemes[scheme.name] = scheme
        return schemes

    def security_scheme(self, name: str, obj: Any, location: str, pointer: tuple[Any, ...]) -> SecurityScheme | None:
        def warn(at: tuple[Any, ...], message: str) -> None:
            self._warn_at(location, at, message)

        if not isinstance(obj, dict):
            warn(pointer, f"security scheme {name!r} ignored: expected an object, got {json_type(obj)}")
            return None
        kind = obj.get("type")
        if not isinstance(kind, str) or not kind:
            warn((*pointer, "type"), f"security scheme {name!r} ignored: it has no type")
            return None
        description = string(obj, "description", pointer, warn)
        if self.v2 and kind == "basic":
            return SecurityScheme(name=name, type="http", description=description, scheme="basic")
        if kind not in _SCHEME_TYPES:
            warn((*pointer, "type"), f"unknown security scheme type {kind!r}")
            return SecurityScheme(name=name, type=kind, description=description)
        if kind == "apiKey":
            place = string(obj, "in", pointer, warn)
            if place and place.lower() not in _KEY_LOCATIONS:
                warn((*pointer, "in"), f"unknown API key location {place!r}")
            return SecurityScheme(
                name=name,
                type=kind,
                description=description,
                location=place.lower() if place.lower() in _KEY_LOCATIONS else "",
                param_name=string(obj, "name", pointer, warn),
            )
        if kind == "http":
            return SecurityScheme(
                name=name,
                type=kind,
                description=description,
                scheme=string(obj, "scheme", pointer, warn).lower(),
                bearer_format=string(obj, "bearerFormat", pointer, warn),
            )
        if kind == "oauth2":
            return SecurityScheme(name=name, type=kind, description=description, flows=self.oauth_flows(obj, pointer, warn))
        if kind == "openIdConnect":
            url = string(obj, "openIdConnectUrl", pointer, warn)
            return SecurityScheme(name=name, type=kind, description=description, open_id_connect_url=url)
        return SecurityScheme(name=name, type=kind, description=description)  # mutualTLS

    def oauth_flows(self, obj: dict[str, Any], pointer: tuple[Any, ...], warn: WarnAt) -> tuple[OAuthFlow, ...]:
        if self.v2:  # one flow, its fields beside ``type``
            raw_flow = string(obj, "flow", pointer, warn)
            kind = _FLOWS_2.get(raw_flow, raw_flow)
            if raw_flow and raw_flow not in _FLOWS_2:
                warn((*pointer, "flow"), f"unknown OAuth2 flow {raw_flow!r}")
            return (self.oauth_flow(kind, obj, pointer, warn),)
        flows = obj.get("flows")
        if flows is None:
            return ()
        if not isinstance(flows, dict):
            warn((*pointer, "flows"), ignored("flows", "an object", flows))
            return ()
        found: list[OAuthFlow] = []
        for kind, flow in flows.items():
            kind = str(kind)
            if kind.startswith("x-"):
                continue
            if not isinstance(flow, dict):
                warn((*pointer, "flows", kind), ignored(kind, "an object", flow))
                continue
            if kind not in _FLOWS_3:
                warn((*pointer, "flows", kind), f"unknown OAuth2 flow {kind!r}")
            found.append(self.oauth_flow(kind, flow, (*pointer, "flows", kind), warn))
        return tuple(found)

    @staticmethod
    def oauth_flow(kind: str, flow: dict[str, Any], pointer: tuple[Any, ...], warn: WarnAt) -> OAuthFlow:
        scopes = flow.get("scopes")
        pairs: list[tuple[str, str]] = []
        if isinstance(scopes, dict):
            for scope, description in scopes.items():
                if description is not None and not isinstance(description, str):
                    warn((*pointer, "scopes", scope), ignored("scope description", "a string", description))
                pairs.append((str(scope), text(description)))
        elif scopes is not None:
            warn((*pointer, "scopes"), ignored("scopes", "an object", scopes))
        return OAuthFlow(
            kind=kind,
            authorization_url=string(flow, "authorizationUrl", pointer, warn),
            token_url=string(flow, "tokenUrl", pointer, warn),
            refresh_url=string(flow, "refreshUrl", pointer, warn),
            scopes=tuple(pairs),
        )

    def requirements(self, raw: Any, location: str, pointer: tuple[Any, ...]) -> tuple[SecurityRequirement, ...]:
        """A ``security`` list -> alternatives: ``[]`` none needed, ``{}`` an empty requirement
        (authentication optional). Requirements naming undeclared schemes are left out."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self._warn_at(location, pointer, ignored("security", "an array", raw))
            return ()
        found: list[SecurityRequirement] = []
        undeclared: list[SecurityRequirement] = []  # kept only if nothing else is left
        for i, requirement in enumerate(raw):
            if not isinstance(requirement, dict):
                self._warn_at(location, (*pointer, i), ignored("security requirement", "an object", requirement))
                continue
            schemes: list[tuple[str, tuple[str, ...]]] = []
            declared = True
            for name, scopes in requirement.items():
                if name not in self.security_schemes:
                    self._warn_at(
                        location, (*pointer, i, name),
                        f"security requirement ignored: scheme {name!r} is not declared",
                    )
                    declared = False
                if not isinstance(scopes, list):
                    if scopes is not None:
                        self._warn_at(location, (*pointer, i, name), ignored("scopes", "an array", scopes))
                    scopes = []
                schemes.append((str(name), tuple(s for s in scopes if isinstance(s, str))))
            (found if declared else undeclared).append(SecurityRequirement(tuple(schemes)))
        # Every alternative names an undeclared scheme: the operation still needs *something*;
        # saying "none" would be wrong, so the requirements stay (the page marks the names).
        return tuple(found or undeclared)

    # -- examples ------------------------------------------------------------------------

    def examples(self, obj: dict[str, Any], location: str, pointer: tuple[Any, ...], media_type: str = "") -> list[Example]:
        """An object's ``example`` and named ``examples`` (Example Objects, maybe ``$ref`` objects)."""
        found: list[Example] = []
        if "example" in obj:
            found.append(Example(value=obj["example"], media_type=media_type))
        raw = obj.get("examples")
        if raw is None:
            return found
        if not isinstance(raw, dict):
            self._warn_at(location, (*pointer, "examples"), ignored("examples", "an object", raw))
            return found
        for name, value in raw.items():
            followed = self.follow(value, location, (*pointer, "examples", name), soft=True)
            if followed is None:
                continue
            example, where, at = followed
            if not isinstance(example, dict):
                self._warn_at(where, at, ignored("example", "an Example object", example))
                continue

            def warn(bad: tuple[Any, ...], message: str, where: str = where) -> None:
                self._warn_at(where, bad, message)

            found.append(Example(
                value=example.get("value"),
                name=str(name),
                summary=string(example, "summary", at, warn),
                media_type=media_type,
                external=string(example, "externalValue", at, warn),
            ))
        return found

    def scope(self, op: dict[str, Any]) -> str:
        requirements = op.get("security") if "security" in op else self.data.get("security")
        scopes: list[str] = []
        for requirement in requirements if isinstance(requirements, list) else []:
            if not isinstance(requirement, dict):
                continue
            for values in requirement.values():
                scopes += [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        return ", ".join(dict.fromkeys(scopes))

    def parameters(
        self, nickname: str, shared: list[Any], own: list[Any], location: str, pointer: tuple[Any, ...]
    ) -> list[Parameter]:
        found: dict[tuple[str, str], Parameter] = {}
        sources = [(p, (*pointer[:-1], "parameters", i)) for i, p in enumerate(shared)]
        sources += [(p, (*pointer, "parameters", i)) for i, p in enumerate(own if isinstance(own, list) else [])]
        for raw, where in sources:
            followed = self.follow(raw, location, where)
            if followed is None:
                continue
            param, param_location, param_pointer = followed
            parameter = self.parameter(nickname, param, param_location, param_pointer)
            if parameter is not None:
                found[(parameter.name, parameter.location)] = parameter  # the operation's own wins
        return list(found.values())

    def parameter(self, nickname: str, p: Any, location: str, pointer: tuple[Any, ...]) -> Parameter | None:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not isinstance(p.get("in"), str):
            self._problem(location, pointer, "expected a parameter object with 'name' and 'in'")
            return None
        place = _LOCATIONS.get(p["in"].lower())
        if place is None:
            self._problem(location, (*pointer, "in"), f"unknown parameter location {p['in']!r}")
            return None
        name = p["name"]
        hint = f"{nickname}.{'body' if place == 'body' else name}"
        chosen_types: tuple[str, ...] = ()
        if self.v2 and place != "body":
            typed = self.schemas.convert(p, hint, location, pointer)  # 2.0: type/format/items inline
        elif "schema" in p:
            typed = self.schemas.convert(p["schema"], hint, location, (*pointer, "schema"))
        elif isinstance(p.get("content"), dict) and p["content"]:
            media, entry = _preferred(p["content"])
            chosen_types = tuple(p["content"])
            schema = entry.get("schema") if isinstance(entry, dict) else None
            typed = self.schemas.convert(schema, hint, location, (*pointer, "content", media, "schema"))
        else:
            typed = Typed(TypeRef())
        description = text(p.get("description")) or typed.description
        default = p.get("default") if "default" in p else typed.default
        if default is UNSET:
            default = None  # ``Parameter.default``: None when the spec gives none
        if self.v2:
            examples = self._examples_2(p, place, typed, location, pointer)
        else:
            examples = self.examples(p, location, pointer)
            for media in chosen_types:
                entry = p["content"][media]
                if isinstance(entry, dict):
                    examples += self.examples(entry, location, (*pointer, "content", media), media)
            if not examples and typed.example is not UNSET:
                examples.append(Example(value=typed.example))
        return Parameter(
            name=name,
            location=place,
            type=typed.type,
            description=description,
            required=p.get("required") is True or place == "path",
            default=default,
            enum=typed.enum or (items_enum(p if self.v2 and "schema" not in p else p.get("schema")) if typed.type.type == "array" else ()),
            allow_multiple=typed.type.type == "array" or p.get("collectionFormat") == "multi",
            minimum=typed.minimum,
            maximum=typed.maximum,
            media_types=chosen_types,
            nullable=typed.nullable,
            deprecated=p.get("deprecated") is True,
            examples=tuple(examples),
            constraints=typed.constraints,
        )

    def _examples_2(self, p: dict[str, Any], place: str, typed: Typed, location: str, pointer: tuple[Any, ...]) -> list[Example]:
        """A 2.0 parameter's examples: ``x-example``; a body's ``x-examples: {mime: value}``;
        else the (body) schema's ``example``."""
        examples: list[Example] = []
        if "x-example" in p:
            examples.append(Example(value=p["x-example"]))
        raw = p.get("x-examples")
        if isinstance(raw, dict):
            examples += [Example(value=value, media_type=str(media)) for media, value in raw.items()]
        elif raw is not None:
            self._warn_at(location, (*pointer, "x-examples"), ignored("x-examples", "an object", raw))
        if not examples and typed.example is not UNSET:
            examples.append(Example(value=typed.example))
        return examples

    def request_body(self, nickname: str, raw: Any, location: str, pointer: tuple[Any, ...]) -> Parameter | None:
        followed = self.follow(raw, location, pointer)
        if followed is None:
            return None
        body, location, pointer = followed
        if not isinstance(body, dict):
            self._problem(location, pointer, "expected a request body object")
            return None
        content = found if isinstance(found := body.get("content"), dict) else {}
        typed = Typed(TypeRef())
        examples: list[Example] = []
        media = ""
        if content:
            media, entry = _preferred(content)
            schema = entry.get("schema") if isinstance(entry, dict) else None
            if schema is not None:
                typed = self.schemas.convert(schema, f"{nickname}.body", location, (*pointer, "content", media, "schema"))
            for key, value in content.items():
                if isinstance(value, dict):
                    examples += self.examples(value, location, (*pointer, "content", key), str(key))
        if not examples and typed.example is not UNSET:
            examples.append(Example(value=typed.example, media_type=media))
        return Parameter(
            name="body",
            location="body",
            type=typed.type,
            description=text(body.get("description")) or typed.description,
            required=body.get("required") is True,
            media_types=tuple(content),
            nullable=typed.nullable,
            examples=tuple(examples),
            constraints=typed.constraints,
        )

    def responses(
        self, nickname: str, op: dict[str, Any], location: str, pointer: tuple[Any, ...]
    ) -> tuple[list[ResponseMessage], TypeRef, tuple[str, ...]]:
        raw = found if isinstance(found := op.get("responses"), dict) else {}
        entries: list[tuple[int | str, Any, str, tuple[Any, ...], Any, tuple[str, ...], tuple[Any, ...]]] = []
        examples: list[tuple[Example, ...]] = []  # beside ``entries``, one per response
        produces: list[str] = []
        for code, value in raw.items():
            if str(code).startswith("x-"):
                continue
            followed = self.follow(value, location, (*pointer, "responses", code))
            if followed is None:
                continue
            response, where, response_pointer = followed
            if not isinstance(response, dict):
                self._problem(where, response_pointer, "expected a response object")
                continue
            schema, schema_pointer = None, response_pointer
            types: tuple[str, ...] = ()
            if self.v2:
                schema, schema_pointer = response.get("schema"), (*response_pointer, "schema")
                types = media_types(op.get("produces")) or media_types(self.data.get("produces"))
            elif isinstance(response.get("content"), dict) and response["content"]:
                media, entry = _preferred(response["content"])
                types = tuple(response["content"])
                schema = entry.get("schema") if isinstance(entry, dict) else None
                schema_pointer = (*response_pointer, "content", media, "schema")
            produces += types
            entries.append((_code(code), response, where, response_pointer, schema, types, schema_pointer))
            examples.append(self.response_examples(response, where, response_pointer))

        success = _success_code([(code, schema) for code, _, _, _, schema, _, _ in entries])
        messages: list[ResponseMessage] = []
        response_type = TypeRef(type="void")
        for (code, response, where, _, schema, types, schema_pointer), own_examples in zip(entries, examples):
            typed: Typed | None = None
            if schema is not None:
                hint = f"{nickname}.response" if code == success else f"{nickname}.response.{code}"
                typed = self.schemas.convert(schema, hint, where, schema_pointer)
                if code == success:
                    response_type = typed.type
            type_ref = typed.type if typed is not None else None
            messages.append(ResponseMessage(
                code=code,
                message=text(response.get("description")),
                model=type_ref.model_name() if type_ref is not None else None,
                type=type_ref,
                media_types=types,
                examples=own_examples,
            ))
        if self.v2:
            produces = list(media_types(op.get("produces")) or media_types(self.data.get("produces")))
        return messages, response_type, tuple(dict.fromkeys(produces))

    def response_examples(self, response: dict[str, Any], location: str, pointer: tuple[Any, ...]) -> tuple[Example, ...]:
        """2.0: ``examples: {mime: value}``; 3.x: each media type's ``example``/``examples``."""
        if self.v2:
            raw = response.get("examples")
            if raw is None:
                return ()
            if not isinstance(raw, dict):
                self._warn_at(location, (*pointer, "examples"), ignored("examples", "an object", raw))
                return ()
            return tuple(Example(value=value, media_type=str(media)) for media, value in raw.items())
        content = response.get("content")
        found: list[Example] = []
        for media, entry in content.items() if isinstance(content, dict) else ():
            if isinstance(entry, dict):
                found += self.examples(entry, location, (*pointer, "content", media), str(media))
        return tuple(found)


def resource_path(tag: str) -> str:
    """A tag as a resource path, spelled like Swagger 1.x ones: ``pets`` -> ``/pets``.

    Canonical (no whitespace or slash around the name), so a directive argument naming it
    always finds it again.
    """
    path = canonical_resource_path(tag)
    return path if path != "/" else "/" + DEFAULT_RESOURCE


def _resource_of(path: str) -> str:
    """The resource of an untagged operation: the first path segment that is not a template,
    skipping a leading ``api`` and version segments (``/v1/customers`` -> ``customers``)
    when something follows them."""
    segments = [s for s in path.split("/") if s and not s.startswith("{")]
    first = 0  # an index, not ``pop(0)``: a path of many version segments stays linear
    while len(segments) - first > 1 and _PREFIX.match(segments[first]):
        first += 1
    return segments[first] if segments else DEFAULT_RESOURCE


def _code(code: Any) -> int | str:
    """``200`` as an int; ``2XX`` (also written ``2xx``) and ``default`` as strings."""
    value = str(code).strip()
    if _RANGE_CODE.match(value):
        return value.upper()
    return int(value) if value.isdigit() else value


@dataclass(frozen=True)
class _SentByApi:
    """A webhook's or callback's operation, located, before it is read."""

    kind: str  # "webhook" or "callback"
    path: str  # the webhook's name, the callback's runtime expression
    name: str  # the webhook's or callback's name
    method: str
    raw: dict[str, Any]
    shared: list[Any]  # the path item's parameters
    location: str
    pointer: tuple[Any, ...]
    parent: str = ""  # a callback's operation: its nickname ...
    parent_op: Operation | None = None  # ... and itself
    home: str = ""  # ... and its resource


def _success_code(entries: list[tuple[int | str, Any]]) -> int | str | None:
    numeric = sorted(c for c, s in entries if isinstance(c, int) and 200 <= c < 300 and s is not None)
    if numeric:
        return numeric[0]
    ranged = [c for c, s in entries if isinstance(c, str) and c.upper() == "2XX" and s is not None]
    return ranged[0] if ranged else None


def _preferred(content: Mapping[str, Any]) -> tuple[str, Any]:
    """The media type to describe: ``application/json``, else a ``*json`` one, else the first."""
    keys = list(content)
    for key in keys:
        if key.split(";")[0].strip().lower() == "application/json":
            return key, content[key]
    for key in keys:
        if "json" in key.lower():
            return key, content[key]
    return keys[0], content[keys[0]]


def _with_media_types(parameter: Parameter, types: tuple[str, ...]) -> Parameter:
    return replace(parameter, media_types=types)
