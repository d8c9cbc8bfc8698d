"""The exposed contract of an API release: what a client can send and see, nothing format-specific.

``contract_of(spec, filters)`` reduces a spec (plus its whitelist filters) to plain values that two
releases can be compared on (:mod:`.compare`):

- **Operations** by nickname (API-sent webhooks and callbacks are left out: their direction is the
  reverse of a request, so the request/response rules would give the wrong levels). An operation
  keeps its method, its path as declared and a *route* for matching: ``.{format}`` /
  ``.(:format)`` suffixes dropped, every ``{name}`` written ``{}``, slashes collapsed — so
  ``/users/{id}`` and ``/users/{userId}`` are one route.
- **Parameters** keyed by location and name; path parameters by their position in the template
  (their names are not part of what a client sends), header names case-insensitively. A
  ``allowMultiple`` parameter is an array of its type. An OpenAPI 3 request body of a form media
  type is the form parameters it describes, as Swagger 1.2 and 2.0 write them; any other body is
  the parameter ``body`` with the fields of its model (:attr:`Param.body`).
- **Types** are text: ``integer/int64``, ``string``, ``array[object]``, ``object`` (a model with
  fields: names never count, only the fields reached), ``object/free-form`` (``type: object``, a
  model without properties, an unknown model), ``file`` (1.2 ``File``, 2.0 ``file``, 3.x
  ``string``/``binary``), ``any``, unions ``object | string`` (sorted). Readers already map 1.x
  names (``int`` is ``integer/int32``, ``long`` ``integer/int64``...).
- **Texts** (summary, notes, descriptions) with their whitespace normalized; defaults as canonical
  JSON read by the parameter's type (1.x ``"20"`` for an integer is ``20``).
- **Response codes** as text; Swagger 1.x documents its success response by the operation's
  ``type``, not by a code, so a 1.x operation listing no 2xx code gets ``200`` (as
  swagger-converter writes it).
- **The exposed response**: a :class:`Shape` of :class:`Field` values, the whitelist of the
  operation's filter intersected with the response model (arrays are transparent, as for the
  filters), or the whole model when there is no filter. A leaf or ``*`` exposes its whole
  subtree; a path reaching no known model (free-form object, unknown type) is exposed with type
  ``any``; a path the model certainly lacks (a known model without it, a primitive) is not
  exposed, nor is a container none of whose paths is. Each exposed level also knows the model's
  other property names (``Shape.hidden``), so the comparison can tell a field that left the
  whitelist from one that left the model.
- **Lifecycle**: an operation's and a field's sunset date (the spec's ``sunset`` / ``x-sunset``,
  its first 10 characters: ``YYYY-MM-DD``; ``""`` for none), so the comparison can tell a removal
  on or after the announced date (planned) from one before it (breaking), and say when
  something is still there after its date.
- **Recursion is bounded**: a *whole* expansion never expands a model inside itself (cycle cut by
  model identity) and expands at most :data:`RECURSION_BUDGET` models of one recursive group
  (strongly connected component of the model graph) along any path — the depth cap where models
  refer to each other. A cut field keeps its type but no fields below it. Non-recursive models
  expand fully. Filter-driven levels follow the filter (a filter is finite), up to
  :data:`MAX_FILTER_DEPTH` levels.

Shapes are *interned*: equal shapes are one object (in and across contracts), so a large API
whose models are shared by hundreds of operations is a DAG, equality is identity, and the
comparison skips every unchanged subtree at once.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Union

from sphinx_apidocs.filters import FilterTree, LoadedFilter
from sphinx_apidocs.spec.model import UNSET, ApiSpec, Model, Operation, Parameter, Property, TypeRef

#: Models of one recursive group a whole expansion goes through along one path (2: a model and
#: one model it refers to in its group, e.g. ``charge.customer`` but not ``charge.customer.invoice``).
RECURSION_BUDGET = 2
#: Filter-driven levels followed below the response root (real filters nest a handful).
MAX_FILTER_DEPTH = 100

#: The type of an object whose fields no model describes (``type: object``, a model without
#: properties, an unknown model): a field becoming one is a type change.
FREE_FORM = "object/free-form"
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_PRIMITIVES = frozenset({"string", "integer", "number", "boolean", "file", "void"})
_FORMAT_SUFFIX = re.compile(r"\.\{format\}|\.\(:format\)")
_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_SCOPE_WORDS = re.compile(r"[^\s,]+")

FilterInput = Union[LoadedFilter, FilterTree]


# -- the contract ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field a client sends (request body) or sees (response). ``enum`` is sorted, ``None``
    when any value goes; ``shape`` the fields below it (``None``: a leaf, or not known);
    ``sunset`` the date (YYYY-MM-DD) the field goes away, ``""`` for none."""

    type: str
    required: bool = False
    deprecated: bool = False
    enum: tuple[str, ...] | None = None
    description: str = ""
    shape: Shape | None = None
    sunset: str = ""


_SHAPES: weakref.WeakValueDictionary[tuple[Any, ...], Shape] = weakref.WeakValueDictionary()
_SHAPES_LOCK = threading.Lock()


class Shape:
    """One object level: its fields sorted by name, and ``hidden``, the names the model has
    besides them (``None``: not known — a free-form object may hold any key). ``sunsets``: does
    any field at or below this level have a sunset date (the comparison skips those that don't)?

    Interned, so equal shapes are the same object and ``==`` is ``is``: comparing two contracts
    of a large API costs what changed, not the size of its (shared) models expanded.
    """

    __slots__ = ("fields", "hidden", "sunsets", "_by_name", "__weakref__")
    fields: tuple[tuple[str, Field], ...]
    hidden: frozenset[str] | None
    sunsets: bool
    _by_name: dict[str, Field]

    def __new__(cls, fields: Iterable[tuple[str, Field]] = (), hidden: frozenset[str] | None = frozenset()) -> Shape:
        ordered = tuple(sorted(fields, key=_first))
        key = (ordered, hidden)
        with _SHAPES_LOCK:
            found = _SHAPES.get(key)
            if found is None:
                found = super().__new__(cls)
                object.__setattr__(found, "fields", ordered)
                object.__setattr__(found, "hidden", hidden)
                object.__setattr__(found, "sunsets", any(_sunsets(field) for _, field in ordered))
                object.__setattr__(found, "_by_name", dict(ordered))
                _SHAPES[key] = found
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Shape is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Shape, (self.fields, self.hidden))  # unpickled shapes are interned again

    def __repr__(self) -> str:
        # Sorted: a repr is part of digests (the changelog page's fingerprint) and must not
        # depend on the hash seed of the process.
        hidden = None if self.hidden is None else sorted(self.hidden)
        return f"Shape({[name for name, _ in self.fields]!r}, hidden={hidden!r})"

    def get(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def has(self, name: str) -> bool | None:
        """Does the model have ``name`` at this level? ``None`` when it can't be known."""
        if name in self._by_name:
            return True
        return None if self.hidden is None else name in self.hidden


def _first(pair: tuple[str, Field]) -> str:
    return pair[0]


def _sunsets(field: Field) -> bool:
    return bool(field.sunset) or (field.shape is not None and field.shape.sunsets)


@dataclass(frozen=True)
class Param:
    """A parameter as a client sends it. ``default`` is canonical JSON text (``None``: none);
    ``body`` the fields of a body parameter's model."""

    name: str
    location: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    default: str | None = None
    description: str = ""
    deprecated: bool = False
    body: Shape | None = None


@dataclass(frozen=True)
class OperationContract:
    """What a client of one operation relies on. ``audience`` is the hook for audiences (a
    later issue): ``None`` here, the widest."""

    nickname: str
    method: str
    path: str
    route: str
    summary: str = ""
    notes: str = ""
    deprecated: bool = False
    scopes: tuple[str, ...] = ()
    parameters: tuple[tuple[str, Param], ...] = ()
    codes: tuple[str, ...] = ()
    response_type: str = "void"
    response: Shape | None = None
    audience: str | None = None
    sunset: str = ""  # the date (YYYY-MM-DD) the operation goes away, "" for none

    def parameter(self, key: str) -> Param | None:
        for found, param in self.parameters:
            if found == key:
                return param
        return None


@dataclass(frozen=True)
class Contract:
    """Every operation's contract, sorted by nickname."""

    operations: tuple[OperationContract, ...] = ()

    def operation(self, nickname: str) -> OperationContract | None:
        for op in self.operations:
            if op.nickname == nickname:
                return op
        return None

    def __iter__(self) -> Iterator[OperationContract]:
        return iter(self.operations)


# -- small normalizations ------------------------------------------------------------------------


def route_of(path: str) -> str:
    """The path as matching sees it: no format suffix, ``{}`` for every template, clean slashes."""
    bare = _TEMPLATE.sub("{}", _FORMAT_SUFFIX.sub("", path))
    return "/" + "/".join(segment for segment in bare.split("/") if segment)


def path_names(path: str) -> list[str]:
    """The template names of ``path`` in order (``/a/{x}/b/{y}`` -> ``[x, y]``)."""
    return _TEMPLATE.findall(_FORMAT_SUFFIX.sub("", path))


def clean_text(value: str) -> str:
    """Descriptions are compared with their whitespace normalized."""
    return " ".join(value.split())


def type_text(ref: TypeRef | None, described: Callable[[str], bool] | None = None) -> str:
    """A type as the contract compares it; model names never appear (see the module docstring).

    ``described(name)`` tells a model with fields (``object``) from a free-form one (no
    properties, or unknown: ``object/free-form``, as ``type: object`` is); without it every
    model counts as described.
    """
    if ref is None:
        return "any"
    if ref.variants:
        return " | ".join(sorted({type_text(variant, described) for variant in ref.variants}))
    if ref.ref:
        return "object" if described is None or described(ref.ref) else FREE_FORM
    kind = (ref.type or "").lower()
    fmt = (ref.format or "").lower()
    if kind == "array":
        return f"array[{type_text(ref.items, described)}]"
    if kind == "file" or (kind == "string" and fmt == "binary"):
        return "file"
    if kind == "object":
        return FREE_FORM
    if kind in ("", "any"):
        return f"any/{fmt}" if fmt else "any"
    return f"{kind}/{fmt}" if fmt else kind


def enum_of(values: tuple[str, ...]) -> tuple[str, ...] | None:
    return tuple(sorted(set(values))) if values else None


def default_text(value: Any, kind: str) -> str | None:
    """A default as canonical JSON, read by the parameter's type (1.x writes ``"20"``, ``"true"``)."""
    if value is None or value is UNSET:
        return None
    base = kind[len("array[") : -1] if kind.startswith("array[") else kind
    base = base.split("/", 1)[0]
    if isinstance(value, str) and base == "boolean" and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    elif isinstance(value, str) and base in ("integer", "number"):
        value = _number(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


# -- the model graph -----------------------------------------------------------------------------


_Child = tuple[Property, "Model | None", bool]  # property, its model (if known), certainly fieldless


class ModelGraph:
    """Models of one spec as a graph: lookups (the operation's resource first, then anywhere, as
    Swagger 1.2 scopes models per declaration), recursive groups, and interned expansions."""

    def __init__(self, spec: ApiSpec) -> None:
        self.everywhere = spec.models()
        self.by_resource = {resource.resource_path: resource for resource in spec.resources}
        self.scoped = self._names_differ(spec)
        self._children: dict[tuple[int, str], list[_Child]] = {}
        self._group: dict[tuple[int, str], int] = {}
        self._groups = 0
        self._whole: dict[tuple[int, str, frozenset[int] | None], Shape] = {}
        self._filtered: dict[tuple[int, str, int, frozenset[int] | None], Shape | None] = {}
        self._keep: list[FilterTree] = []  # trees whose id() keys a memo stay alive meanwhile

    @staticmethod
    def _names_differ(spec: ApiSpec) -> bool:
        """Does any model name mean different models in different resources (1.2 declarations)?"""
        seen: dict[str, Model] = {}
        for resource in spec.resources:
            for name, model in resource.models.items():
                for key in (name, model.id):
                    if seen.setdefault(key, model) is not model:
                        return True
        return False

    def context(self, resource_path: str) -> str:
        return resource_path if self.scoped else ""

    def find(self, name: str, context: str) -> Model | None:
        resource = self.by_resource.get(context) if context else None
        model = resource.find_model(name) if resource is not None else None
        return model if model is not None else self.everywhere.get(name)

    def resolve(self, ref: TypeRef | None, context: str) -> tuple[Model | None, bool]:
        """The model holding the fields of a value of ``ref`` (arrays are transparent), and
        whether "no fields" is certain (a primitive) rather than unknown (free-form, unknown)."""
        while ref is not None and ref.ref is None and not ref.variants and (ref.type or "").lower() == "array":
            ref = ref.items
        if ref is None:
            return None, False
        if ref.ref:
            return self.find(ref.ref, context), False
        if ref.variants:  # without ``ref``: no variant is a model
            return None, all(self.resolve(variant, context)[1] for variant in ref.variants)
        return None, type_text(ref).split("/", 1)[0] in _PRIMITIVES

    def type_text(self, ref: TypeRef | None, context: str) -> str:
        """:func:`type_text` with this spec's models: a model without fields is free-form."""

        def described(name: str) -> bool:
            model = self.find(name, context)
            return model is not None and bool(model.properties)

        return type_text(ref, described)

    def children(self, model: Model, context: str) -> list[_Child]:
        key = (id(model), context)
        found = self._children.get(key)
        if found is None:
            found = []
            for prop in model.properties:
                child, certain = self.resolve(prop.type, context)
                found.append((prop, child, certain))
            self._children[key] = found
        return found

    # recursive groups: Tarjan's strongly connected components, iterative, computed on demand

    def group(self, model: Model, context: str) -> int:
        key = (id(model), context)
        if key not in self._group:
            self._tarjan(model, context)
        return self._group[key]

    def _tarjan(self, root: Model, context: str) -> None:
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        stack: list[Model] = []
        on_stack: set[int] = set()
        work: list[tuple[Model, Iterator[Model]]] = []

        def enter(model: Model) -> None:
            index[id(model)] = low[id(model)] = len(index)
            stack.append(model)
            on_stack.add(id(model))
            targets = (child for _, child, _ in self.children(model, context) if child is not None)
            work.append((model, targets))

        enter(root)
        while work:
            model, targets = work[-1]
            advanced = False
            for target in targets:
                if (id(target), context) in self._group:
                    continue  # finished earlier: another group
                if id(target) not in index:
                    enter(target)
                    advanced = True
                    break
                if id(target) in on_stack:
                    low[id(model)] = min(low[id(model)], index[id(target)])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[id(model)])
            if low[id(model)] == index[id(model)]:
                self._close_group(model, stack, on_stack, context)

    def _close_group(self, head: Model, stack: list[Model], on_stack: set[int], context: str) -> None:
        """Every model above ``head`` on the stack is one group with it (a model alone is a
        group too; one that refers to itself is recursive all the same: ``step`` cuts it)."""
        group = self._groups
        self._groups += 1
        while True:
            member = stack.pop()
            on_stack.discard(id(member))
            self._group[(id(member), context)] = group
            if member is head:
                break

    def step(self, parent: Model, above: frozenset[int], child: Model, context: str) -> frozenset[int] | None:
        """The group state of ``child`` entered from ``parent`` (whose state is ``above``): the
        models of its group already expanded on the path, or ``None`` when the cut applies."""
        group = self.group(child, context)
        if group != self.group(parent, context):
            return frozenset()  # a later group never contains a model above (it would be one group)
        path = above | {id(parent)}
        if id(child) in path or len(path) >= RECURSION_BUDGET:
            return None
        return path

    # whole expansions

    def whole(self, model: Model, above: frozenset[int], context: str) -> Shape:
        """Every field of ``model`` and below, within the recursion budget (an explicit stack:
        a chain of any length of models costs no recursion)."""
        pending: list[tuple[Model, frozenset[int]]] = [(model, above)]
        while pending:
            current, state = pending[-1]
            key = self._whole_key(current, state, context)
            if key in self._whole:
                pending.pop()
                continue
            missing = [
                (child, below)
                for child, below in self._expansions(current, state, context)
                if self._whole_key(child, below, context) not in self._whole
            ]
            if missing:
                pending.extend(missing)
                continue
            self._whole[key] = Shape(
                (prop.name, self._field(prop, self._whole_below(current, state, child, context), context))
                for prop, child, _ in self.children(current, context)
            )
            pending.pop()
        return self._whole[self._whole_key(model, above, context)]

    def _whole_key(self, model: Model, above: frozenset[int], context: str) -> tuple[int, str, frozenset[int] | None]:
        return (id(model), context, _state(model, above))

    def _expansions(self, model: Model, above: frozenset[int], context: str) -> Iterator[tuple[Model, frozenset[int]]]:
        for _, child, _ in self.children(model, context):
            if child is not None:
                below = self.step(model, above, child, context)
                if below is not None:
                    yield child, below

    def _whole_below(self, parent: Model, above: frozenset[int], child: Model | None, context: str) -> Shape | None:
        if child is None:
            return None
        below = self.step(parent, above, child, context)
        return None if below is None else self.whole(child, below, context)

    def _field(self, prop: Property, shape: Shape | None, context: str) -> Field:
        return Field(
            type=self.type_text(prop.type, context),
            required=prop.required,
            deprecated=prop.deprecated,
            enum=enum_of(prop.enum),
            description=clean_text(prop.description),
            shape=shape,
            sunset=prop.sunset[:10],
        )

    # filter-driven expansions

    def exposed(self, ref: TypeRef, tree: FilterTree | None, context: str) -> Shape | None:
        """The response a client sees: ``tree`` (``None``: no filter) over a value of ``ref``.

        ``None`` when it can't be told (no body, or a free-form body without a filter); an empty
        shape when the filter exposes nothing of it.
        """
        model, certain = self.resolve(ref, context)
        if tree is None or tree.star:
            return self.whole(model, frozenset(), context) if model is not None else None
        if model is not None:
            shape = self._narrowed(model, frozenset(), tree, context, 1)
            return shape if shape is not None else Shape((), frozenset(p.name for p in model.properties))
        if certain:
            return Shape()
        return _unknown(tree, 1)

    def _narrowed(
        self, model: Model, above: frozenset[int], tree: FilterTree, context: str, depth: int
    ) -> Shape | None:
        """The fields of ``model`` the (non-star) ``tree`` names; ``None`` when it names none."""
        key = (id(model), context, id(tree), _state(model, above))
        if key in self._filtered:
            return self._filtered[key]
        self._keep.append(tree)
        fields: list[tuple[str, Field]] = []
        for name, sub in tree.fields:
            prop = model.property(name)
            if prop is None:
                continue  # the model certainly lacks it: not exposed
            shape, present = self._below(model, above, prop, sub, context, depth)
            if present:
                fields.append((name, self._field(prop, shape, context)))
        exposed = {name for name, _ in fields}
        result = Shape(fields, frozenset(p.name for p in model.properties if p.name not in exposed)) if fields else None
        self._filtered[key] = result
        return result

    def _below(
        self, parent: Model, above: frozenset[int], prop: Property, sub: FilterTree | None, context: str, depth: int
    ) -> tuple[Shape | None, bool]:
        """The shape exposed below ``prop`` by ``sub`` and whether ``prop`` is exposed at all."""
        child, certain = self.resolve(prop.type, context)
        if sub is None or sub.star:  # a leaf (or '*'): the whole value
            return self._whole_below(parent, above, child, context) if child is not None else None, True
        if child is None:
            return (None, False) if certain else (_unknown(sub, depth + 1), True)
        if depth >= MAX_FILTER_DEPTH:
            return None, True
        below = self.step(parent, above, child, context)
        state = below if below is not None else above | {id(parent)}  # the filter goes on regardless
        shape = self._narrowed(child, state, sub, context, depth + 1)
        return shape, shape is not None


def _state(model: Model, above: frozenset[int]) -> frozenset[int] | None:
    """What an expansion of ``model`` depends on: the models of its group on the path, itself
    included; ``None`` at the budget, where every model of the group below is cut anyway."""
    path = above | {id(model)}
    return path if len(path) < RECURSION_BUDGET else None


def _unknown(tree: FilterTree, depth: int) -> Shape | None:
    """What a filter exposes of a value whose model is not known: its paths, of type ``any``."""
    if tree.star or depth > MAX_FILTER_DEPTH:
        return None
    fields = ((name, Field(type="any", shape=None if sub is None else _unknown(sub, depth + 1))) for name, sub in tree.fields)
    return Shape(fields, None)


# -- operations ----------------------------------------------------------------------------------


def contract_of(spec: ApiSpec, filters: Mapping[str, FilterInput] | None = None) -> Contract:
    """The exposed contract of ``spec``: see the module docstring. ``filters`` maps nicknames to
    whitelists (``load_filter_trees`` output or bare trees); an operation without one (or
    ``filters=None``) exposes its whole response model."""
    graph = ModelGraph(spec)
    legacy = spec.swagger_version.startswith("1")
    operations = [
        _operation(graph, op, _tree(filters, op.nickname), legacy)
        for op in spec.operations
        if not op.sent_by_api
    ]
    return Contract(tuple(sorted(operations, key=lambda op: op.nickname)))


def _tree(filters: Mapping[str, FilterInput] | None, nickname: str) -> FilterTree | None:
    found = filters.get(nickname) if filters is not None else None
    if found is None or isinstance(found, FilterTree):
        return found
    return found.tree


def _operation(graph: ModelGraph, op: Operation, tree: FilterTree | None, legacy: bool) -> OperationContract:
    context = graph.context(op.resource_path)
    response_type = graph.type_text(op.response_type, context)
    return OperationContract(
        nickname=op.nickname,
        method=op.method.upper(),
        path=op.path,
        route=route_of(op.path),
        summary=clean_text(op.summary),
        notes=clean_text(op.notes),
        deprecated=op.deprecated,
        scopes=tuple(sorted(set(_SCOPE_WORDS.findall(op.scope)))),
        parameters=tuple(sorted(_parameters(graph, op, context).items(), key=_first_key)),
        codes=_codes(op, legacy),
        response_type=response_type,
        response=None if response_type == "void" else graph.exposed(op.response_type, tree, context),
        sunset=op.sunset[:10],
    )


def _first_key(pair: tuple[str, Param]) -> str:
    return pair[0]


def _codes(op: Operation, legacy: bool) -> tuple[str, ...]:
    codes = {str(message.code) for message in op.response_messages}
    if legacy and not any(code.isdigit() and code.startswith("2") or code == "2XX" for code in codes):
        codes.add("200")  # 1.x: the success response is the operation's ``type``
    return tuple(sorted(codes))


def _parameters(graph: ModelGraph, op: Operation, context: str) -> dict[str, Param]:
    names = path_names(op.path)
    found: dict[str, Param] = {}
    for parameter in op.parameters:
        for key, param in _params_of(graph, parameter, names, context):
            found.setdefault(key, param)
    return found


def _params_of(graph: ModelGraph, parameter: Parameter, names: list[str], context: str) -> Iterator[tuple[str, Param]]:
    location = parameter.location
    if location == "body":
        model, _ = graph.resolve(parameter.type, context)
        if model is not None and parameter.media_types and all(_media(m) in _FORM_TYPES for m in parameter.media_types):
            yield from _form_fields(graph, model, parameter, context)  # OpenAPI 3 forms are Swagger's form parameters
            return
        body = graph.whole(model, frozenset(), context) if model is not None else None
        yield "body:", _param(parameter, "body", graph.type_text(parameter.type, context), body)
        return
    kind = graph.type_text(parameter.type, context)
    if parameter.allow_multiple and not kind.startswith("array["):
        kind = f"array[{kind}]"
    if location == "path" and parameter.name in names:
        key = f"path:{{{names.index(parameter.name)}}}"
    elif location == "header":
        key = f"header:{parameter.name.lower()}"
    else:
        key = f"{location}:{parameter.name}"
    yield key, _param(parameter, parameter.name, kind, None)


def _media(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _param(parameter: Parameter, name: str, kind: str, body: Shape | None) -> Param:
    return Param(
        name=name,
        location=parameter.location,
        type=kind,
        required=parameter.required,
        enum=enum_of(parameter.enum),
        default=default_text(parameter.default, kind),
        description=clean_text(parameter.description),
        deprecated=parameter.deprecated,
        body=body,
    )


def _form_fields(graph: ModelGraph, model: Model, body: Parameter, context: str) -> Iterator[tuple[str, Param]]:
    for prop in model.properties:
        kind = graph.type_text(prop.type, context)
        yield f"form:{prop.name}", Param(
            name=prop.name,
            location="form",
            type=kind,
            required=prop.required,
            enum=enum_of(prop.enum),
            default=default_text(prop.default, kind),
            description=clean_text(prop.description),
            deprecated=prop.deprecated or body.deprecated,
        )
