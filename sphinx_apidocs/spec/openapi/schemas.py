"""Schema objects (Swagger 2.0 / OpenAPI 3.x) -> :class:`TypeRef` and :class:`Model`.

Naming, so that walking ``ref``/``items`` through the models works as for Swagger 1.2:

- A named schema (``#/components/schemas/Pet``, ``#/definitions/Pet``, the last pointer
  segment of a schema in another document (``pets.yaml#/Pet``), or the file name of a
  whole-file schema (``owner.json`` -> ``owner``)) that describes an object becomes a
  model of that name; references to it are ``TypeRef(ref="Pet")``. Each is converted once, however
  many times it is referenced.
- An inline object schema becomes a model with a generated, deterministic name from its
  context: ``<operationId>.response`` (success response), ``<operationId>.response.<code>``,
  ``<operationId>.body`` (request body), ``<operationId>.<parameter>``, and
  ``<Parent>.<property>`` below a model (also for an array property's item object).
  A name that is already taken gets ``-2``, ``-3``... appended.
- ``allOf`` merges the parts' properties (first declaration of a name wins; ``required`` is
  the union). ``oneOf``/``anyOf`` give a model holding the union of the variants'
  properties (first wins, none required) and a ``TypeRef`` whose ``variants`` display as
  ``Cat | Dog``; when exactly one variant is a named model, the ``TypeRef`` points at it
  directly (Stripe's "id or object" fields: ``string | customer``). With several inline
  object variants, each also becomes ``<name>.variant<N>``.
- A single-member wrapper (``allOf: [$ref]``, ``anyOf: [$ref]``, ``oneOf: [X, {type: null}]``)
  is that member, with the wrapper's ``description``/``nullable``.
- Nullability: 3.0 ``nullable: true``, 2.0 ``x-nullable``, 3.1 ``type: [T, "null"]``, a
  ``{type: "null"}`` variant, or ``null`` in ``enum``.
- Recursion terminates: a schema that is being converted is referred to by its name (a
  model that contains itself is a ref to itself).
- Details: ``deprecated``, ``default``, ``example`` (3.1: the first of ``examples``) and the
  validation keywords (:func:`~sphinx_apidocs.spec.common.limits`; a 3.1 numeric
  ``exclusiveMinimum`` is the bound, flagged exclusive) go to the property or parameter; a
  model keeps its schema's own ``example``. A ``$ref``'s siblings and a wrapper's keywords
  win over the target's, keyword by keyword. Values of the wrong type are left out with a
  located warning.
- Depth is bounded: a schema nested (through ``items``, properties, ``allOf`` or ``$ref``
  chains) more than :data:`MAX_SCHEMA_DEPTH` levels raises :class:`SchemaTooDeep`, which
  names the document and JSON pointer; the walks that need no order (``objectish``, model
  completion) are iterative, so a chain of thousands of ``$ref`` costs no stack.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from sphinx_apidocs.spec.common import UniqueNames, audience_marks, flag, lifecycle_date, limits, merge_constraints, schema_example, text, to_number
from sphinx_apidocs.spec.model import MAX_TYPE_DEPTH, UNSET, Constraints, Model, Property, TypeRef
from sphinx_apidocs.spec.refs import RefError, Resolver

NAMED_SECTIONS = ("schemas", "definitions")
_ANONYMOUS = frozenset({"schema", "items", "additionalProperties", "not"})
_IN_PROGRESS = object()

#: How many schema levels one conversion may descend (each ``items``, property, ``allOf``
#: member or ``$ref`` hop is a level). It bounds the converter's recursion and the nesting of
#: the types it makes (``MAX_TYPE_DEPTH`` applies to them too); real specs use about ten.
MAX_SCHEMA_DEPTH = 100


class SchemaTooDeep(Exception):
    """A schema nests more than :data:`MAX_SCHEMA_DEPTH` levels, or a type more than
    :data:`MAX_TYPE_DEPTH`; ``location`` and ``pointer`` say where it went too deep."""

    def __init__(self, location: str, pointer: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.location = location
        self.pointer = pointer


@dataclass(frozen=True)
class Typed:
    """A converted schema: its type plus what a property or parameter shows of it."""

    type: TypeRef
    nullable: bool = False
    description: str = ""
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = UNSET  # UNSET: none given (``None`` is a ``null`` default)
    example: Any = UNSET
    deprecated: bool = False
    constraints: Constraints = Constraints()


def _with_type(typed: Typed, type_ref: TypeRef, nullable: bool | None = None) -> Typed:
    """``replace(typed, type=type_ref)`` (and ``nullable``), without ``replace``'s field lookups:
    the converter makes one per schema."""
    return Typed(
        type_ref, typed.nullable if nullable is None else nullable, typed.description, typed.enum, typed.minimum,
        typed.maximum, typed.default, typed.example, typed.deprecated, typed.constraints,
    )


@dataclass
class _Draft:
    name: str
    description: str = ""
    entries: list[tuple[str, Any]] = field(default_factory=list)  # ("prop", Property) | ("all"/"any", name)
    required: list[str] = field(default_factory=list)
    discriminator: str = ""
    example: Any = UNSET
    audiences: tuple[str, ...] = ()


Warn = Callable[[str, "tuple[Any, ...] | list[Any]", str], None]


class SchemaConverter:
    """Converts schemas of one spec; ``models()`` gives every model after the conversions."""

    def __init__(self, resolver: Resolver, warn: Warn) -> None:
        self.resolver = resolver
        self.warn = warn
        self.drafts: dict[str, _Draft] = {}
        self.names = UniqueNames()
        self.by_target: dict[tuple[str, tuple[str, ...]], Any] = {}
        self.target_names: dict[tuple[str, tuple[str, ...]], str] = {}
        self._objectish: dict[tuple[str, tuple[str, ...]], bool] = {}
        self._depth = 0
        self._reserve_named_sections()

    def _descend(self, location: str, pointer: tuple[Any, ...]) -> None:
        """One level deeper into the schemas (the caller comes back up in a ``finally``; a
        context manager costs more on this path); too deep is a located :class:`SchemaTooDeep`."""
        if self._depth >= MAX_SCHEMA_DEPTH:
            raise SchemaTooDeep(location, pointer, f"schema nested too deeply (more than {MAX_SCHEMA_DEPTH} levels)")
        self._depth += 1

    # -- names ---------------------------------------------------------------------------

    def _reserve_named_sections(self) -> None:
        """Component / definition keys of the root document keep their names."""
        root = self.resolver.documents[self.resolver.root]
        if not isinstance(root, dict):
            return
        sections = [("definitions",), ("components", "schemas")]
        for parts in sections:
            section: Any = root
            for part in parts:
                section = section.get(part) if isinstance(section, dict) else None
            if isinstance(section, dict):
                for key in section:
                    self.target_names[(self.resolver.root, (*parts, key))] = key
                    self.names.taken.add(key)
                for key, value in section.items():
                    # ``Pet: {$ref: pets.yaml#/Pet}``: the schema in the other file is ``Pet``.
                    if isinstance(value, dict) and isinstance(value.get("$ref"), str) and not value["$ref"].startswith("#"):
                        try:
                            location, target_parts, _ = self.resolver.resolve(value["$ref"], self.resolver.root)
                        except RefError:
                            continue
                        self.target_names.setdefault((location, target_parts), key)

    def unique(self, name: str) -> str:
        """``name``, else the first free ``name-N``."""
        return self.names.add(name or "model")

    def _target_name(self, key: tuple[str, tuple[str, ...]], hint: str) -> str:
        name = self.target_names.get(key)
        if name is None:
            location, parts = key
            if len(parts) >= 2 and parts[-2] in NAMED_SECTIONS:
                base = parts[-1]  # components/schemas/Pet, definitions/Pet (another document's too)
            elif not parts:
                stem = urllib.parse.urlsplit(location).path if "://" in location else location
                base = os.path.splitext(os.path.basename(stem))[0]  # a whole-file schema: pet.yaml -> pet
            elif location != self.resolver.root and parts[-1] not in _ANONYMOUS and "/" not in parts[-1]:
                base = parts[-1]  # schemas.yaml#/Pet -> Pet
            else:
                base = hint  # a schema inside a path, response...: named after its first use
            name = self.unique(base)
            self.target_names[key] = name
        return name

    # -- entry point ---------------------------------------------------------------------

    def convert(self, schema: Any, hint: str, location: str, pointer: tuple[Any, ...]) -> Typed:
        """The type of ``schema`` (found at ``location#pointer``); inline objects are named ``hint``."""
        self._descend(location, pointer)
        try:
            typed = self._convert(schema, hint, location, pointer)
        finally:
            self._depth -= 1
        if typed.type.items is not None or typed.type.variants:
            if typed.type.depth() > MAX_TYPE_DEPTH:
                raise SchemaTooDeep(location, pointer, f"type nested too deeply (more than {MAX_TYPE_DEPTH} levels)")
        return typed

    def _convert(self, schema: Any, hint: str, location: str, pointer: tuple[Any, ...]) -> Typed:
        if not isinstance(schema, dict):
            return Typed(TypeRef())  # true / {} / anything: any value
        if "$ref" in schema:
            return self._convert_ref(schema, hint, location, pointer)
        base = self._details(schema, location, pointer)
        wrapped = self._single_member(schema)
        if wrapped is not None:
            member, key = wrapped
            inner = self.convert(member, hint, location, (*pointer, *key))
            return _merge(inner, base)
        union = self._variants(schema)
        if _types(schema) - {"null", "object"}:
            union = []  # ``type: integer`` + ``oneOf`` of ``const`` values: an enumeration of integers
        if union and not schema.get("properties") and "allOf" not in schema:
            return self._convert_union(schema, union, hint, location, pointer, base)
        if self.objectish(schema, location):
            name = self.unique(hint)
            self.build_model(schema, name, location, pointer)
            return _with_type(base, TypeRef(ref=name))
        return _with_type(base, self._plain_type(schema, hint, location, pointer))

    def audience_marks(self, schema: Any, location: str) -> tuple[str, ...]:
        """A property's ``x-audience`` marks: its own, and those of the schema its ``$ref`` (or
        its array ``items``' ``$ref``) names — a model marked internal is internal wherever used."""
        if not isinstance(schema, dict):
            return ()
        marks = audience_marks(schema.get("x-audience"))
        for holder in (schema, schema.get("items")):
            if isinstance(holder, dict) and isinstance(holder.get("$ref"), str):
                try:
                    _where, _parts, target = self.resolver.resolve(holder["$ref"], location)
                except RefError:
                    continue
                if isinstance(target, dict):
                    marks += audience_marks(target.get("x-audience"))
        return marks

    def _convert_ref(self, schema: dict[str, Any], hint: str, location: str, pointer: tuple[Any, ...]) -> Typed:
        self._descend(location, pointer)
        try:
            return self._convert_ref_here(schema, hint, location, pointer)
        finally:
            self._depth -= 1

    def _details(self, schema: dict[str, Any], location: str, pointer: tuple[Any, ...], *, siblings: bool = False) -> Typed:
        """What ``schema`` itself says besides its type (for a ``$ref``, its siblings)."""

        def warn(at: tuple[Any, ...], message: str) -> None:
            self.warn(location, at, message)

        minimum, maximum, constraints = limits(
            schema, to_number(schema.get("minimum")), to_number(schema.get("maximum")), pointer, warn
        )
        return Typed(
            TypeRef(),
            nullable=_nullable(schema),
            description=text(schema.get("description")),
            enum=() if siblings else _enum(schema),
            minimum=minimum,
            maximum=maximum,
            default=schema.get("default", UNSET),
            example=schema_example(schema, pointer, warn),
            deprecated=flag(schema, "deprecated", pointer, warn),
            constraints=constraints,
        )

    def _convert_ref_here(self, schema: dict[str, Any], hint: str, location: str, pointer: tuple[Any, ...]) -> Typed:
        ref = schema["$ref"]
        siblings = self._details(schema, location, pointer, siblings=True) if len(schema) > 1 else Typed(TypeRef())
        try:
            target_location, parts, target = self.resolver.resolve(ref, location)
        except RefError as exc:
            self.warn(location, (*pointer, "$ref"), str(exc))
            name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "unknown"
            return _with_type(siblings, TypeRef(ref=name))
        key = (target_location, parts)
        done = self.by_target.get(key)
        if done is _IN_PROGRESS:
            return _with_type(siblings, TypeRef(ref=self._target_name(key, hint)))
        if done is None:
            name = self._target_name(key, hint)
            if self._named_objectish(target, target_location, key):
                done = Typed(TypeRef(ref=name), description=text(target.get("description")) if isinstance(target, dict) else "")
                self.by_target[key] = done  # before building: a self-reference is a ref to the name
                self.build_model(target, name, target_location, parts)
            else:
                self.by_target[key] = _IN_PROGRESS
                try:
                    done = self.convert(target, name, target_location, parts)
                finally:
                    self.by_target.pop(key, None)
                self.by_target[key] = done
        if done.type.ref and self.drafts.get(done.type.ref) is not None:
            # A model: the referring property describes itself; the model's text is the model's.
            return _with_type(siblings, done.type, siblings.nullable or done.nullable)
        return _merge(done, siblings)

    # -- shapes --------------------------------------------------------------------------

    def _single_member(self, schema: dict[str, Any]) -> tuple[Any, tuple[Any, ...]] | None:
        """The one member of a wrapper schema (``allOf: [X]``, ``anyOf: [X, null]``...)."""
        if schema.get("properties") or _types(schema) - {"null", "object"}:
            return None
        members: list[tuple[Any, tuple[Any, ...]]] = []
        for keyword in ("allOf", "oneOf", "anyOf"):
            value = schema.get(keyword)
            if isinstance(value, list):
                members += [(m, (keyword, i)) for i, m in enumerate(value) if not _is_null_schema(m)]
            elif value is not None:
                return None
        return members[0] if len(members) == 1 else None

    def _variants(self, schema: dict[str, Any]) -> list[tuple[Any, tuple[Any, ...]]]:
        found: list[tuple[Any, tuple[Any, ...]]] = []
        for keyword in ("oneOf", "anyOf"):
            value = schema.get(keyword)
            if isinstance(value, list):
                found += [(m, (keyword, i)) for i, m in enumerate(value) if not _is_null_schema(m)]
        return found

    def objectish(self, schema: Any, location: str) -> bool:
        """Does ``schema`` describe an object with properties (directly or through composition)?

        A reachability search over ``allOf``/``oneOf``/``anyOf`` members and ``$ref`` targets
        with an explicit stack: chains of any length, cycles included, cost no recursion.
        Every ``$ref`` target the search exhausts without success is cached as ``False``.
        """
        stack: list[tuple[Any, str]] = [(schema, location)]
        visited_refs: list[tuple[str, tuple[str, ...]]] = []
        seen: set[Any] = set()
        start_key: tuple[str, tuple[str, ...]] | None = None
        found = False
        while stack and not found:
            current, where = stack.pop()
            if not isinstance(current, dict):
                continue
            if "$ref" in current:
                try:
                    target_location, parts, target = self.resolver.resolve(current["$ref"], where)
                except RefError:
                    continue
                key = (target_location, parts)
                if start_key is None and current is schema:
                    start_key = key
                if key in self._objectish:
                    found = self._objectish[key]
                    continue
                if key in seen:
                    continue
                seen.add(key)
                visited_refs.append(key)
                stack.append((target, target_location))
                continue
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current.get("properties"), dict) or current.get("discriminator"):
                found = True
                break
            for keyword in ("anyOf", "oneOf", "allOf"):  # popped in allOf, oneOf, anyOf order
                members = current.get(keyword)
                if isinstance(members, list):
                    stack.extend((m, where) for m in reversed(members))
        if not found:
            for key in visited_refs:
                self._objectish[key] = False
        elif start_key is not None:
            self._objectish[start_key] = True
        return found

    def _named_objectish(self, schema: Any, location: str, key: tuple[str, tuple[str, ...]]) -> bool:
        """A named schema is a model when it is objectish, or a plain ``type: object``."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return False
        if self._single_member(schema) is not None and not schema.get("discriminator"):
            return False  # a wrapper: it is its member
        if self._variants(schema) and not schema.get("properties") and "allOf" not in schema:
            return self.objectish(schema, location)
        return self.objectish(schema, location) or "object" in _types(schema)

    def _plain_type(self, schema: dict[str, Any], hint: str, location: str, pointer: tuple[Any, ...]) -> TypeRef:
        types = [t for t in _type_list(schema) if t != "null"]
        fmt = schema.get("format") if isinstance(schema.get("format"), str) else None
        if len(types) > 1:
            return TypeRef(variants=tuple(self._one_type(t, fmt, schema, hint, location, pointer) for t in types))
        if types:
            return self._one_type(types[0], fmt, schema, hint, location, pointer)
        if "items" in schema:
            return self._one_type("array", fmt, schema, hint, location, pointer)
        if isinstance(schema.get("additionalProperties"), (dict, bool)) and schema.get("additionalProperties") is not False:
            return TypeRef(type="object")
        if isinstance(schema.get("enum"), list) and schema["enum"] and all(isinstance(v, str) for v in schema["enum"]):
            return TypeRef(type="string", format=fmt)
        return TypeRef(format=fmt)

    def _one_type(self, name: str, fmt: str | None, schema: dict[str, Any], hint: str, location: str, pointer: tuple[Any, ...]) -> TypeRef:
        if name == "array":
            items = schema.get("items")
            if isinstance(items, list):  # 2.0/3.0 tuple form: describe the first element
                items = items[0] if items else None
                item_pointer: tuple[Any, ...] = (*pointer, "items", 0)
            else:
                item_pointer = (*pointer, "items")
            if items is None:
                return TypeRef(type="array")
            return TypeRef(type="array", items=self.convert(items, hint, location, item_pointer).type)
        return TypeRef(type=name, format=fmt)

    def _convert_union(
        self,
        schema: dict[str, Any],
        union: list[tuple[Any, tuple[Any, ...]]],
        hint: str,
        location: str,
        pointer: tuple[Any, ...],
        base: Typed,
    ) -> Typed:
        inline_objects = [m for m, _ in union if isinstance(m, dict) and "$ref" not in m and self.objectish(m, location)]
        variants: list[TypeRef] = []
        object_refs: list[str] = []
        counter = 0
        for member, key in union:
            if isinstance(member, dict) and "$ref" not in member and self.objectish(member, location):
                counter += 1
                member_hint = hint if len(inline_objects) == 1 else f"{hint}.variant{counter}"
                typed = self.convert(member, member_hint, location, (*pointer, *key))
            else:
                typed = self.convert(member, f"{hint}.variant{len(variants) + 1}", location, (*pointer, *key))
            variants.append(typed.type)
            if typed.type.ref and typed.type.ref in self.drafts:
                object_refs.append(typed.type.ref)
        if len(object_refs) == 1:
            ref: str | None = object_refs[0]
        elif object_refs:
            ref = self.unique(hint)
            self.drafts[ref] = _Draft(
                ref,
                description=text(schema.get("description")),
                entries=[("any", name) for name in dict.fromkeys(object_refs)],
                discriminator=_discriminator(schema),
                example=base.example,
            )
        else:
            ref = None
        return _with_type(base, TypeRef(ref=ref, variants=tuple(variants)))

    # -- models --------------------------------------------------------------------------

    def build_model(self, schema: dict[str, Any], name: str, location: str, pointer: tuple[Any, ...]) -> None:
        draft = _Draft(
            name,
            description=text(schema.get("description")),
            discriminator=_discriminator(schema),
            example=schema_example(schema, pointer, lambda at, message: self.warn(location, at, message)),
            audiences=audience_marks(schema.get("x-audience")),
        )
        self.drafts[name] = draft
        self._collect(schema, draft, location, pointer, "all")

    def _collect(self, schema: Any, draft: _Draft, location: str, pointer: tuple[Any, ...], mode: str) -> None:
        """Add ``schema``'s properties (and those it composes) to ``draft``."""
        if not isinstance(schema, dict):
            return
        self._descend(location, pointer)
        try:
            self._collect_here(schema, draft, location, pointer, mode)
        finally:
            self._depth -= 1

    def _collect_here(self, schema: dict[str, Any], draft: _Draft, location: str, pointer: tuple[Any, ...], mode: str) -> None:
        if "$ref" in schema:
            typed = self._convert_ref(schema, draft.name, location, pointer)
            if typed.type.ref and typed.type.ref in self.drafts:
                draft.entries.append((mode, typed.type.ref))
            return
        if not draft.discriminator:
            draft.discriminator = _discriminator(schema)
        properties = schema.get("properties")
        required = found if isinstance(found := schema.get("required"), list) else []
        if mode == "all":
            # dict.fromkeys: in order, without duplicates, without a quadratic ``in list``
            draft.required = list(dict.fromkeys([*draft.required, *(r for r in required if isinstance(r, str))]))
        if isinstance(properties, dict):
            for prop_name, prop_schema in properties.items():
                prop_name = str(prop_name)
                typed = self.convert(prop_schema, f"{draft.name}.{prop_name}", location, (*pointer, "properties", prop_name))
                own_required = isinstance(prop_schema, dict) and prop_schema.get("required") is True  # 2.0 habit
                draft.entries.append(("prop", Property(
                    name=prop_name,
                    type=typed.type,
                    description=typed.description,
                    required=mode == "all" and (prop_name in required or own_required),
                    enum=typed.enum,
                    minimum=typed.minimum,
                    maximum=typed.maximum,
                    nullable=typed.nullable,
                    deprecated=typed.deprecated,
                    default=typed.default,
                    example=typed.example,
                    constraints=typed.constraints,
                    audiences=self.audience_marks(prop_schema, location),
                    deprecated_at=lifecycle_date(prop_schema.get("x-deprecated-at")) if isinstance(prop_schema, dict) else "",
                    sunset=lifecycle_date(prop_schema.get("x-sunset")) if isinstance(prop_schema, dict) else "",
                )))
        members = schema.get("allOf")
        if isinstance(members, list):
            for i, member in enumerate(members):
                self._collect(member, draft, location, (*pointer, "allOf", i), mode)
        union = self._variants(schema)
        if union:
            inline = [m for m, _ in union if isinstance(m, dict) and "$ref" not in m and self.objectish(m, location)]
            counter = 0
            for member, key in union:
                if isinstance(member, dict) and "$ref" not in member and self.objectish(member, location) and len(inline) > 1:
                    counter += 1
                    typed = self.convert(member, f"{draft.name}.variant{counter}", location, (*pointer, *key))
                    if typed.type.ref:
                        draft.entries.append(("any", typed.type.ref))
                else:
                    self._collect(member, draft, location, (*pointer, *key), "any")

    def models(self) -> dict[str, Model]:
        """Every model, in the order they were first met."""
        done: dict[str, Model] = {}
        for name in self.drafts:
            self._finish(name, done)
        return {name: done[name] for name in self.drafts}

    def _finish(self, root: str, done: dict[str, Model]) -> Model:
        """The model of draft ``root``: its own properties, then those of the drafts it
        composes (``allOf`` ones keep ``required``), first declaration of a name winning.

        Depth-first with an explicit stack of frames (a chain of thousands of ``allOf``
        references costs no recursion); a draft already on the stack (a cycle) adds nothing
        more, and every draft is finished once.
        """
        if root in done:
            return done[root]
        frames: list[_Frame] = [_Frame(root, self.drafts[root].required)]
        on_stack = {root}
        while frames:
            frame = frames[-1]
            entries = self.drafts[frame.name].entries
            if frame.index < len(entries):
                kind, value = entries[frame.index]
                if kind == "prop":
                    frame.props.setdefault(value.name, value)
                elif value not in on_stack and value in self.drafts:
                    included = done.get(value)
                    if included is None:
                        frames.append(_Frame(value, self.drafts[value].required))
                        on_stack.add(value)
                        continue  # come back to this entry once ``value`` is finished
                    for prop in included.properties:
                        frame.props.setdefault(prop.name, prop if kind == "all" else replace(prop, required=False))
                    if kind == "all":
                        frame.required.update(dict.fromkeys(included.required))
                frame.index += 1
                continue
            draft = self.drafts[frame.name]
            wanted = set(frame.required)
            properties = tuple(
                replace(p, required=True) if p.name in wanted and not p.required else p for p in frame.props.values()
            )
            done[frame.name] = Model(
                id=frame.name,
                properties=properties,
                description=draft.description,
                required=tuple(frame.required),
                discriminator=draft.discriminator,
                example=draft.example,
                audiences=draft.audiences,
            )
            frames.pop()
            on_stack.discard(frame.name)
        return done[root]


@dataclass
class _Frame:
    """One draft being finished: the next entry to look at and what is collected so far."""

    name: str
    initial_required: list[str]
    index: int = 0
    props: dict[str, Property] = field(default_factory=dict)
    required: dict[str, None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.required = dict.fromkeys(self.initial_required)


def _types(schema: dict[str, Any]) -> set[str]:
    return set(_type_list(schema))


def _type_list(schema: dict[str, Any]) -> list[str]:
    value = schema.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and _type_list(schema) == ["null"] and len(schema.keys() - {"type", "description", "title"}) == 0


def _nullable(schema: dict[str, Any]) -> bool:
    if schema.get("nullable") is True or schema.get("x-nullable") is True:
        return True
    if "null" in _type_list(schema):
        return True
    if isinstance(schema.get("enum"), list) and None in schema["enum"]:
        return True
    for keyword in ("oneOf", "anyOf"):
        members = schema.get(keyword)
        if isinstance(members, list) and any(_is_null_schema(m) for m in members):
            return True
    return False


def items_enum(schema: Any) -> tuple[str, ...]:
    """The allowed values of an array's items written inline (``items: {enum: [...]}``): what a
    Swagger 1.x ``allowMultiple`` parameter's ``enum`` says, kept on the parameter."""
    items = schema.get("items") if isinstance(schema, dict) else None
    return _enum(items) if isinstance(items, dict) else ()


def _enum(schema: dict[str, Any]) -> tuple[str, ...]:
    """``enum`` values, or the ``const`` values of ``oneOf``/``anyOf`` members (3.1 style), as text."""
    values = schema.get("enum")
    if not isinstance(values, list):
        values = [schema["const"]] if "const" in schema else []
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            if isinstance(members, list) and members and all(isinstance(m, dict) and "const" in m for m in members):
                values += [m["const"] for m in members]
    return tuple(_plain(v) for v in values if v is not None)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _discriminator(schema: dict[str, Any]) -> str:
    value = schema.get("discriminator")
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("propertyName"), str):
        return value["propertyName"]
    return ""


def _merge(inner: Typed, outer: Typed) -> Typed:
    """A wrapper's own text and flags over its member's."""
    return Typed(
        type=inner.type,
        nullable=inner.nullable or outer.nullable,
        description=outer.description or inner.description,
        enum=outer.enum or inner.enum,
        minimum=outer.minimum if outer.minimum is not None else inner.minimum,
        maximum=outer.maximum if outer.maximum is not None else inner.maximum,
        default=outer.default if outer.default is not UNSET else inner.default,
        example=outer.example if outer.example is not UNSET else inner.example,
        deprecated=outer.deprecated or inner.deprecated,
        constraints=merge_constraints(outer.constraints, inner.constraints),
    )
