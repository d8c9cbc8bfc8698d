"""``ExampleBuilder``: JSON examples of responses and request bodies, from the models.

A response example holds exactly the fields the operation's whitelist lets through: the
builder walks the whitelist (``FilterTree``) and the response model side by side, so the
whitelist bounds the recursion; a leaf of the whitelist (or no whitelist at all) passes the
whole value, which is built with ``max_depth`` nested objects in full (deeper objects hold
their required fields only) and recursion cut at any model already being built (a cycle:
an optional field is left out, a required one gets the smallest stand-in). The spec's own values come first (``Property.example``,
``default``, the first ``enum`` value, then the containing model's or the response's own
example), each checked against its schema; everything else is synthesized from type,
format and constraints. The compiled filter is applied last, so a response example is a
fixed point of the filter by construction.

Values are cached per model (and whitelist level), so a build that asks for every
operation's example does the work for each model once. Returned values are fresh copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Hashable

from sphinx_apidocs.examples.values import (
    NO_FACETS,
    OPEN_TYPES,
    PRIMITIVES,
    Facets,
    coerce,
    jsonable,
    scalar_fits,
    synthesize,
)
from sphinx_apidocs.filters import Filter, FilterTree, compile_filter
from sphinx_apidocs.spec.model import UNSET, ApiSpec, Example, Model, Operation, Parameter, Property, Resource, TypeRef

RESPONSE = "response"
REQUEST = "request"

#: A value the recursion cut off (a cycle): an optional field is left out; a required one
#: cuts its object too (unless it may be null), up to the nearest optional field.
_CUT: Any = type("_Cut", (), {"__repr__": lambda self: "CUT", "__slots__": ()})()

#: A value the safety limits (``max_nodes``, ``MAX_LEVELS``) stopped: an optional field is
#: left out, a required one gets the smallest stand-in.
_STOP: Any = type("_Stop", (), {"__repr__": lambda self: "STOP", "__slots__": ()})()

#: Object levels below which nothing is built, whatever the whitelist says (a guard for the
#: interpreter's stack; real whitelists are far shallower).
MAX_LEVELS = 64

JSON_MEDIA = ("application/json", "")


def is_json_media(media_type: str) -> bool:
    media = media_type.split(";", 1)[0].strip().lower()
    return media in JSON_MEDIA or media.endswith("+json") or media == "*/*"


def first_json(examples: Sequence[Example]) -> Any:
    """The first of the spec's examples that is an inline JSON value, or ``UNSET``."""
    for example in examples:
        if example.external or not is_json_media(example.media_type):
            continue
        value = jsonable(example.value)
        if value is not UNSET:
            return value
    return UNSET


class _Ctx:
    """The state of building one example."""

    __slots__ = ("resource_path", "mode", "nodes", "stack", "truncations", "level")

    def __init__(self, resource_path: str, mode: str) -> None:
        self.resource_path = resource_path
        self.mode = mode
        self.nodes = 0
        self.stack: list[Model] = []
        self.truncations = 0
        self.level = 0


class _Components:
    """Strongly connected components of the model graph of one resource, found lazily
    (Tarjan, iterative, continued from each new start): a model's whole example depends on
    the models being built around it only if one of them shares its component."""

    def __init__(self, neighbours: Callable[[Model], list[Model]]) -> None:
        self._neighbours = neighbours
        self._index: dict[int, int] = {}
        self._low: dict[int, int] = {}
        self.component: dict[int, int] = {}
        self._counter = 0

    def of(self, model: Model) -> int:
        found = self.component.get(id(model))
        if found is None:
            self._run(model)
            found = self.component[id(model)]
        return found

    def _run(self, start: Model) -> None:
        index, low, component = self._index, self._low, self.component
        stack: list[Model] = []
        on_stack: set[int] = set()
        index[id(start)] = low[id(start)] = self._counter
        self._counter += 1
        stack.append(start)
        on_stack.add(id(start))
        work = [(start, iter(self._neighbours(start)))]
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                key = id(child)
                if key not in index:
                    index[key] = low[key] = self._counter
                    self._counter += 1
                    stack.append(child)
                    on_stack.add(key)
                    work.append((child, iter(self._neighbours(child))))
                    advanced = True
                    break
                if key in on_stack:
                    low[id(node)] = min(low[id(node)], index[key])
            if advanced:
                continue
            work.pop()
            if work:
                parent = id(work[-1][0])
                low[parent] = min(low[parent], low[id(node)])
            if low[id(node)] == index[id(node)]:
                while True:
                    item = stack.pop()
                    on_stack.discard(id(item))
                    component[id(item)] = index[id(node)]
                    if item is node:
                        break


class ExampleBuilder:
    """Examples for the operations of one ``ApiSpec``; keep one per spec (see ``builder_for``).

    ``max_depth``: nested objects shown in full below a whole value (no whitelist, or a
    whitelist leaf; deeper ones hold their required fields only); ``max_nodes``: past this
    many values in one example, optional fields are left out, and past ten times as many
    nothing more is built (a safety net for whitelists that alias one level thousands of
    times: their expansion is exponential).
    """

    def __init__(self, spec: ApiSpec, *, max_depth: int = 4, max_nodes: int = 2000) -> None:
        self.spec = spec
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self._global: dict[str, Model] | None = None
        self._resources: dict[str, Resource] = {}
        for resource in spec.resources:
            self._resources.setdefault(resource.resource_path, resource)
        self._cache: dict[Hashable, tuple[Any, int, Any]] = {}
        self._compiled: dict[int, tuple[FilterTree, Filter]] = {}
        self._compiled_equal: dict[FilterTree, Filter] = {}
        self._components: dict[str, _Components] = {}
        self._neighbours: dict[tuple[str, int], list[Model]] = {}
        self._model_examples: dict[int, Any] = {}
        self._scopes: dict[str, str] = {}
        self._lookups: dict[tuple[str, str], Model | None] = {}

    # -- public --------------------------------------------------------------------------

    def response(self, op: Operation, tree: FilterTree | None = None) -> Any:
        """The example response of ``op`` through its whitelist ``tree`` (``None``: the whole
        response model), or ``UNSET`` when it returns nothing or nothing can be known."""
        value = self.response_candidate(op, tree)
        if value is UNSET:
            return UNSET
        if tree is not None:
            value = self.compiled(tree)(value)
        return _copy(value)

    def response_candidate(self, op: Operation, tree: FilterTree | None = None) -> Any:
        """The example as built, before the filter is applied (a fixed point of the filter
        already; the tests hold it to that). Shared with the cache: do not mutate."""
        t = op.response_type
        ctx = _Ctx(self.scope(op.resource_path), RESPONSE)
        given = self._response_examples(op)
        if not self._knowable(t, ctx):
            if given is UNSET or tree is not None:
                return UNSET
            return given
        value = self._slot(t, NO_FACETS, [given], tree, self.max_depth, ctx)
        return UNSET if value is _CUT or value is _STOP else value

    def request_body(self, op: Operation) -> Any:
        """The example JSON body of ``op``: its body parameter's own example when the spec
        gives one, else one built from the body model (no read-only fields); ``UNSET`` when
        the operation takes no body."""
        param = next((p for p in op.parameters if p.location == "body"), None)
        if param is None:
            return UNSET
        value = first_json(param.examples)
        return value if value is not UNSET else _copy(self.parameter(op, param, depth=self.max_depth))

    def parameter(self, op: Operation, param: Parameter, *, depth: int = 2) -> Any:
        """An example value of one parameter (its example, default, first enum value, or one
        made from its type); never ``UNSET`` for a parameter outside the body."""
        ctx = _Ctx(self.scope(op.resource_path), REQUEST)
        given: list[Any] = [next((jsonable(e.value) for e in param.examples if not e.external), UNSET)]
        given.append(UNSET if param.default is None else param.default)
        value = self._slot(param.type, Facets.of(param), given, None, depth, ctx)
        if value is UNSET or value is _CUT or value is _STOP:
            if param.location == "body" and not self._knowable(param.type, ctx):
                return UNSET
            return {} if self.model_of(param.type, ctx.resource_path)[0] is not None else "string"
        return value

    def compiled(self, tree: FilterTree) -> Filter:
        """The compiled filter of ``tree``, cached per tree object and shared by equal trees
        (the operations of a resource often have the same whitelist; a compiled filter
        depends on nothing but its tree, and equal trees are the same whitelist)."""
        found = self._compiled.get(id(tree))
        if found is None or found[0] is not tree:
            if len(self._compiled) > 4096:
                self._compiled.clear()
                self._compiled_equal.clear()
            try:  # a tree's hash and equality recurse: a very deep one is not shared
                compiled = self._compiled_equal.get(tree)
            except RecursionError:
                compiled = None
            if compiled is None:
                compiled = compile_filter(tree)
                try:
                    self._compiled_equal[tree] = compiled
                except RecursionError:
                    pass
            found = self._compiled[id(tree)] = (tree, compiled)
        return found[1]

    # -- models --------------------------------------------------------------------------

    def scope(self, resource_path: str) -> str:
        """Where names are looked up for operations of ``resource_path``: the resource
        itself when one of its models differs from the spec-wide model of that name
        (Swagger 1.2 scopes models per declaration), else ``""`` (the spec-wide models):
        then every cache serves the operations of all such resources alike."""
        found = self._scopes.get(resource_path)
        if found is None:
            resource = self._resources.get(resource_path)
            found = ""
            if resource is not None:
                everywhere = self._models()
                if any(everywhere.get(name) is not model for name, model in resource.models.items()):
                    found = resource_path
            self._scopes[resource_path] = found
        return found

    def _models(self) -> dict[str, Model]:
        if self._global is None:
            self._global = self.spec.models()
        return self._global

    def find_model(self, name: str, resource_path: str = "") -> Model | None:
        """A model by name: the resource's own first (Swagger 1.2 scopes models per
        declaration), then any resource's."""
        resource = self._resources.get(resource_path) if resource_path else None
        model = resource.find_model(name) if resource is not None else None
        if model is None:
            model = self._models().get(name)
        return model

    def model_of(self, t: TypeRef, resource_path: str) -> tuple[Model | None, bool]:
        """The model ``t`` designates (not through arrays), and whether ``t`` names one."""
        name = t.ref
        if name is None and t.type not in PRIMITIVES and t.type not in OPEN_TYPES and t.type not in ("array", "void"):
            name = t.type
        if not name:
            return None, False
        key = (resource_path, name)
        try:
            return self._lookups[key], True
        except KeyError:
            model = self._lookups[key] = self.find_model(name, resource_path)
            return model, True

    def _knowable(self, t: TypeRef, ctx: _Ctx) -> bool:
        """Whether an example of ``t`` can be built from the spec (not void, not unknown)."""
        current: TypeRef | None = t
        while current is not None:
            if current.variants:
                return True
            model, named = self.model_of(current, ctx.resource_path)
            if named:
                return model is not None
            if current.type == "array":
                current = current.items
                if current is None:
                    return True
                continue
            return current.type in PRIMITIVES and current.type != "file"
        return False

    def _neighbours_of(self, resource_path: str) -> Callable[[Model], list[Model]]:
        def neighbours(model: Model) -> list[Model]:
            key = (resource_path, id(model))
            found = self._neighbours.get(key)
            if found is None:
                found = []
                for prop in model.properties:
                    stack = [prop.type]
                    while stack:
                        t = stack.pop()
                        target, _ = self.model_of(t, resource_path)
                        if target is not None:
                            found.append(target)
                        if t.items is not None:
                            stack.append(t.items)
                        stack.extend(t.variants)
                self._neighbours[key] = found
            return found

        return neighbours

    def _component(self, model: Model, resource_path: str) -> int:
        components = self._components.get(resource_path)
        if components is None:
            components = self._components[resource_path] = _Components(self._neighbours_of(resource_path))
        return components.of(model)

    def _model_example(self, model: Model) -> Any:
        found = self._model_examples.get(id(model), _CUT)
        if found is _CUT:
            found = self._model_examples[id(model)] = jsonable(model.example)
        return found

    # -- building ------------------------------------------------------------------------

    def _fits(self, value: Any, t: TypeRef, facets: Facets, ctx: _Ctx, depth: int = 0) -> bool:
        """Whether a given value may stand as it is for ``t`` (models never do: they are
        built field by field, with the given value as the source of field values)."""
        if depth > 20:
            return False
        if t.variants:
            return any(self._fits(value, v, facets, ctx, depth + 1) for v in t.variants)
        if value is None:
            return facets.nullable
        model, named = self.model_of(t, ctx.resource_path)
        if named:
            return False
        if t.type == "array":
            if not isinstance(value, list):
                return False
            c = facets.constraints
            if c.min_items is not None and len(value) < c.min_items:
                return False
            if c.max_items is not None and len(value) > c.max_items:
                return False
            if c.unique_items and len({repr(v) for v in value}) != len(value):
                return False
            if t.items is None:
                return True
            inner = Facets(enum=facets.enum)
            return all(self._fits(item, t.items, inner, ctx, depth + 1) for item in value)
        return scalar_fits(value, t, facets)

    def _slot(self, t: TypeRef, facets: Facets, given: list[Any], tree: FilterTree | None, depth: int, ctx: _Ctx, hint: str = "") -> Any:
        """The value of one field (or a whole response/body/parameter): the first given
        value that fits as it is, else one built with the first structured given value as
        the source of its fields. ``given``: example, default, then the enclosing example's
        value; the first enum value goes before the enclosing example's value.
        """
        base: Any = UNSET
        for position, candidate in enumerate(given):
            if position == 2 and facets.enum:
                enum_value = synthesize(t, facets) if t.type in PRIMITIVES else UNSET
                if enum_value is not UNSET and tree is None and scalar_fits(enum_value, t, facets):
                    return enum_value
            value = jsonable(candidate)
            if value is UNSET:
                continue
            if position == 1:
                value = coerce(value, t)
            if tree is None and self._fits(value, t, facets, ctx):
                return value
            if base is UNSET and isinstance(value, (dict, list)):
                base = value
        return self._value(t, facets, tree, depth, base, ctx, hint)

    def _value(self, t: TypeRef, facets: Facets, tree: FilterTree | None, depth: int, base: Any, ctx: _Ctx, hint: str = "") -> Any:
        """A value of type ``t`` through ``tree`` (``None``: whole); ``UNSET`` when none can
        pass the filter, ``_CUT`` when recursion stops here."""
        if t.variants:
            return self._union(t, facets, tree, depth, base, ctx)
        if t.type == "array" and not t.ref:
            return self._array(t, facets, tree, depth, base, ctx)
        model, named = self.model_of(t, ctx.resource_path)
        if model is not None:
            return self._object(model, tree, depth, base, ctx, hint)
        ctx.nodes += 1
        if named or t.type in OPEN_TYPES:  # an unknown model, ``object``, ``any``
            if tree is not None and not tree.star:
                return {} if not named else UNSET
            return base if tree is None and isinstance(base, dict) else {}
        if t.type == "void" or tree is not None:  # a scalar never passes a container
            return UNSET
        return synthesize(t, facets)

    def _array(self, t: TypeRef, facets: Facets, tree: FilterTree | None, depth: int, base: Any, ctx: _Ctx) -> Any:
        c = facets.constraints
        count = max(1, c.min_items or 0)
        if c.max_items is not None:
            count = min(count, c.max_items)
        ctx.nodes += 1
        if count <= 0 or t.items is None:
            return []
        item_base = base[0] if isinstance(base, list) and base else UNSET
        inner = Facets(enum=facets.enum) if facets.enum else NO_FACETS
        item = self._slot(t.items, inner, [item_base], tree, depth, ctx)
        if item is UNSET:
            return UNSET if tree is not None else []
        if item is _CUT or item is _STOP:
            return [] if not c.min_items else item
        count = min(count, 100)
        items = [item]
        for k in range(1, count):
            items.append(_vary(item, k) if c.unique_items else item)
        return items

    def _union(self, t: TypeRef, facets: Facets, tree: FilterTree | None, depth: int, base: Any, ctx: _Ctx) -> Any:
        union_model = self.find_model(t.ref, ctx.resource_path) if t.ref else None
        hint = union_model.discriminator if union_model is not None else ""
        if tree is not None:  # the variant that holds most of the whitelisted fields
            best: TypeRef | None = None
            best_score = -1
            for variant in t.variants:
                target = _element(variant)
                model, _ = self.model_of(target, ctx.resource_path)
                if model is None:
                    if target.variants:
                        score = 0
                    else:
                        continue
                elif tree.star:
                    score = len(model.properties)
                else:
                    score = sum(1 for name, _ in tree.fields if model.property(name) is not None)
                if score > best_score:
                    best, best_score = variant, score
            if best is None:
                return UNSET
            return self._value(best, facets, tree, depth, base, ctx, hint)
        stopped: Any = UNSET
        for variant in t.variants:
            if isinstance(base, dict) and _element(variant).type in PRIMITIVES:
                continue
            value = self._value(variant, facets, None, depth, base, ctx, hint)
            if value is _CUT or value is _STOP:
                stopped = value if stopped is not _STOP else stopped
            elif value is not UNSET:
                return value
        if isinstance(base, dict):
            return self._union(t, facets, tree, depth, UNSET, ctx)
        return stopped

    def _object(self, model: Model, tree: FilterTree | None, depth: int, base: Any, ctx: _Ctx, hint: str) -> Any:
        whole = tree is None
        if ctx.level >= MAX_LEVELS or ctx.nodes >= 10 * self.max_nodes:
            ctx.truncations += 1
            return _STOP
        if whole and any(m is model for m in ctx.stack):
            return _CUT
        depth = max(depth, 0)
        key: Hashable = None
        if base is UNSET:
            if whole:
                component = self._component(model, ctx.resource_path)
                if not any(self._component(m, ctx.resource_path) == component for m in ctx.stack):
                    key = ("whole", ctx.resource_path, id(model), depth, ctx.mode, hint)
            else:
                key = ("tree", ctx.resource_path, id(model), id(tree), ctx.mode, hint)
            if key is not None:
                hit = self._cache.get(key)
                if hit is not None and (whole or hit[2] is tree):
                    ctx.nodes += hit[1]
                    return hit[0]
        started, truncations = ctx.nodes, ctx.truncations
        ctx.nodes += 1
        ctx.level += 1
        if whole:
            ctx.stack.append(model)
        try:
            value = self._fields(model, tree, depth, base, ctx, hint)
        finally:
            ctx.level -= 1
            if whole:
                ctx.stack.pop()
        if key is not None and ctx.truncations == truncations:
            self._cache[key] = (value, ctx.nodes - started, tree)
        return value

    def _fields(self, model: Model, tree: FilterTree | None, depth: int, base: Any, ctx: _Ctx, hint: str) -> Any:
        source = base if isinstance(base, dict) else self._model_example(model)
        if not isinstance(source, dict):
            source = {}
        entries: list[tuple[Property, FilterTree | None]]
        if tree is None or tree.star:
            entries = [(prop, None) for prop in model.properties if model.property(prop.name) is prop]
            child_depth = depth - 1 if tree is None else self.max_depth
        else:
            entries = []
            for name, sub in tree.fields:
                prop = model.property(name)
                if prop is not None:
                    entries.append((prop, sub))
            child_depth = self.max_depth
        discriminator = model.discriminator or hint
        result: dict[str, Any] = {}
        for prop, sub in entries:
            c = prop.constraints
            if (c.write_only and ctx.mode == RESPONSE) or (c.read_only and ctx.mode == REQUEST):
                continue
            required = prop.required or prop.name in model.required
            if tree is None and depth <= 0 and not required:
                continue  # below ``max_depth``: only what a valid object needs
            if ctx.nodes >= self.max_nodes and not required:
                ctx.truncations += 1
                continue
            facets = Facets.of(prop)
            value: Any = UNSET
            if prop.name == discriminator and sub is None and scalar_fits(model.id, prop.type, facets):
                value = model.id
                ctx.nodes += 1
            if value is UNSET:
                value = self._slot(prop.type, facets, [prop.example, prop.default, source.get(prop.name, UNSET)], sub, child_depth, ctx)
            if value is _CUT or value is _STOP:
                if not required:
                    continue
                if value is _CUT and not facets.nullable:
                    return _CUT  # this object cannot be completed here either
                value = _stand_in(prop.type, facets)
            if value is UNSET:
                continue
            result[prop.name] = value
        return result

    def _response_examples(self, op: Operation) -> Any:
        """The success response's own JSON example, if the spec gives one."""
        for message in op.response_messages:
            if not (isinstance(message.code, int) and 200 <= message.code < 300 or str(message.code).upper() == "2XX"):
                continue
            value = first_json(message.examples)
            if value is not UNSET:
                return value
        return UNSET


def _element(t: TypeRef) -> TypeRef:
    """The innermost element type of nested arrays."""
    while t.type == "array" and t.items is not None and not t.ref:
        t = t.items
    return t


def _stand_in(t: TypeRef, facets: Facets) -> Any:
    """The smallest value a required field cut off by recursion may hold."""
    if facets.nullable:
        return None
    if t.type == "array" and not t.ref:
        return []
    return {}


def _vary(value: Any, k: int) -> Any:
    """A value unlike ``value`` (``uniqueItems`` arrays of more than one item)."""
    if isinstance(value, bool):
        return not value if k == 1 else value
    if isinstance(value, int):
        return value + k
    if isinstance(value, float):
        return value + k
    if isinstance(value, str):
        return f"{value}{k}"
    return value


def _copy(value: Any) -> Any:
    """A fresh copy of a JSON value (cached values are shared)."""
    if isinstance(value, dict):
        return {key: _copy(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_copy(member) for member in value]
    return value
