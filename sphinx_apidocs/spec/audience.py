"""Audiences: one spec, one view per readership, with nothing narrower left in it.

An :class:`AudienceOrder` lists the audiences from the widest readership to the narrowest
(``public``, ``partner``, ``internal``); an audience sees its own items and those of every
wider one; unmarked items belong to the default audience (the widest unless configured).
Marks come from the readers (``Operation.audiences``: the operation's own and those of its
resource, tags and path item; ``Property.audiences``: its own and those of the schema it
references); the narrowest mark counts, and a mark naming no known audience hides the item
from everyone (fail closed).

:func:`audience_view` is the spec an audience may read: its operations only; every model
without the properties it may not see; only the models its operations reach; examples without
the hidden properties' keys; warnings and notes that name a hidden item dropped. Everything
downstream — pages, search index, inventories, pickles, caches, the changelog — is made from
the view, so nothing narrower can reach it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sphinx_apidocs.errors import ConfigError
from sphinx_apidocs.spec.model import UNSET, ApiSpec, Example, Model, Operation, Parameter, Property, ResponseMessage, TypeRef


@dataclass(frozen=True)
class AudienceOrder:
    """The audiences, widest first, and the audience of unmarked items."""

    names: tuple[str, ...]
    default: str = ""

    def __post_init__(self) -> None:
        if not self.names:
            raise ConfigError("an audience order needs at least one audience")
        if len(set(self.names)) != len(self.names):
            raise ConfigError(f"audiences listed twice in {list(self.names)!r}")
        if self.default and self.default not in self.names:
            raise ConfigError(f"the default audience {self.default!r} is not one of {list(self.names)!r}")

    @property
    def widest(self) -> str:
        return self.names[0]

    def rank(self, audience: str) -> int:
        """0 for the widest; a name outside the order is a :class:`ConfigError`."""
        try:
            return self.names.index(audience)
        except ValueError:
            raise ConfigError(f"unknown audience {audience!r} (known: {', '.join(self.names)})") from None

    def rank_of(self, marks: Iterable[str]) -> int | None:
        """The narrowest rank of ``marks`` (the default audience's when unmarked); ``None``
        when a mark names no audience of the order."""
        ranks = [self.names.index(mark) if mark in self.names else None for mark in marks]
        if not ranks:
            return self.names.index(self.default or self.widest)
        if any(rank is None for rank in ranks):
            return None
        return max(rank for rank in ranks if rank is not None)

    def sees(self, audience: str, marks: Iterable[str]) -> bool:
        """May ``audience`` see an item with ``marks``?"""
        rank = self.rank_of(marks)
        return rank is not None and rank <= self.rank(audience)

    def unknown(self, marks: Iterable[str]) -> list[str]:
        return [mark for mark in marks if mark not in self.names]


def audience_view(spec: ApiSpec, audience: str, order: AudienceOrder) -> ApiSpec:
    """The part of ``spec`` that ``audience`` may read (see the module)."""
    order.rank(audience)  # an unknown audience is a ConfigError, not an empty view
    # A model marked for a narrower audience is hidden, and so is everything whose type names
    # it, however (a $ref chain, allOf wrapper, array of arrays, oneOf variant...).
    hidden_models = {
        name
        for resource in spec.resources
        for key, model in resource.models.items()
        if not order.sees(audience, model.audiences)
        for name in (key, model.id)
    }

    def names_hidden(type_ref: TypeRef | str | None) -> bool:
        return bool(hidden_models) and any(name in hidden_models for name in _type_names(type_ref))

    hidden_ops = {
        op.nickname
        for op in spec.operations
        if not order.sees(audience, op.audiences)
        or names_hidden(op.response_type)
        or any(names_hidden(p.type) for p in op.parameters)
    }
    # A callback whose operation is hidden is hidden with it.
    hidden_ops |= {op.nickname for op in spec.operations if op.kind == "callback" and op.parent in hidden_ops}
    hidden_props = {
        prop.name
        for resource in spec.resources
        for model in resource.models.values()
        for prop in model.properties
        if not order.sees(audience, prop.audiences) or names_hidden(prop.type)
    }
    resources = []
    for resource in spec.resources:
        apis = []
        for api in resource.apis:
            ops = tuple(
                _scrubbed_operation(op, hidden_props, hidden_models) for op in api.operations if op.nickname not in hidden_ops
            )
            if ops or not api.operations:
                apis.append(dataclasses.replace(api, operations=ops))
        had_ops = any(api.operations for api in resource.apis)
        if (had_ops and not any(api.operations for api in apis)) or not order.sees(audience, resource.audiences):
            continue
        models = {
            key: _visible_model(model, lambda p: order.sees(audience, p.audiences) and not names_hidden(p.type), hidden_props)
            for key, model in resource.models.items()
            if key not in hidden_models and model.id not in hidden_models
        }
        resources.append(dataclasses.replace(resource, apis=tuple(apis), models=models))
    view = dataclasses.replace(spec, resources=tuple(resources))
    reached = _reached_models(view)
    resources = [
        dataclasses.replace(resource, models={key: m for key, m in resource.models.items() if m.id in reached or key in reached})
        for resource in view.resources
    ]
    view = dataclasses.replace(view, resources=tuple(resources))
    names = _hidden_names(spec, hidden_ops, hidden_props, reached) | hidden_models
    warnings = tuple(w for w in spec.warnings if not _names_any(w, names))
    notes = tuple(n for n in spec.notes if not _names_any(n, names))
    if audience != order.names[-1] and (warnings or notes):
        # A reader's message may name a narrower item in ways no name test catches (an index
        # pointer, an escaped path): a wider audience gets the count, the narrowest the text.
        warnings = (f"the spec has {len(warnings)} warning(s); a build of audience {order.names[-1]!r} lists them",) if warnings else ()
        notes = ()
    return dataclasses.replace(
        view,
        warnings=warnings,
        notes=notes,
        security_schemes=_used_schemes(view, spec),
    )


def _type_names(type_ref: TypeRef | str | None) -> Iterator[str]:
    """Every model name ``type_ref`` mentions, through array items and variants."""
    stack: list[TypeRef | str | None] = [type_ref]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, str):
            yield item
            continue
        for name in (item.ref, item.model_name()):
            if name:
                yield name
        stack.extend(v for v in (item.items, *item.variants) if v is not None)


def _used_schemes(view: ApiSpec, spec: ApiSpec) -> dict[str, Any]:
    """The security schemes the view's operations (or the API-wide default) use, each with
    only the OAuth scopes they or the default name: a scheme or scope only hidden operations
    use names nothing this audience may see."""
    used: dict[str, set[str]] = {}
    requirements = [*spec.security, *(r for op in view.operations for r in op.security)]
    for requirement in requirements:
        for name, scopes in requirement.schemes:
            used.setdefault(name, set()).update(scopes)
    words = {word for op in view.operations for word in op.scope.replace(",", " ").split()}
    kept = {}
    for name, scheme in spec.security_schemes.items():
        if name not in used:
            continue
        allowed = used[name] | words
        flows = tuple(dataclasses.replace(f, scopes=tuple(s for s in f.scopes if s[0] in allowed)) for f in scheme.flows)
        kept[name] = dataclasses.replace(scheme, flows=flows)
    return kept


def _visible_model(model: Model, visible: Callable[[Property], bool], hidden: set[str]) -> Model:
    kept = tuple(p for p in model.properties if visible(p))
    if len(kept) == len(model.properties) and not hidden:
        return model
    names = {p.name for p in kept}
    return dataclasses.replace(
        model,
        properties=tuple(
            dataclasses.replace(p, example=scrub(p.example, hidden), default=scrub(p.default, hidden)) for p in kept
        ),
        required=tuple(r for r in model.required if r in names),
        discriminator=model.discriminator if model.discriminator in names else "",
        example=scrub(model.example, hidden),
    )


def _scrubbed_operation(op: Operation, hidden: set[str], hidden_models: set[str]) -> Operation:
    if not hidden and not hidden_models:
        return op
    return dataclasses.replace(
        op,
        parameters=tuple(_scrubbed_parameter(p, hidden) for p in op.parameters),
        response_messages=tuple(_scrubbed_message(m, hidden, hidden_models) for m in op.response_messages),
    )


def _scrubbed_parameter(param: Parameter, hidden: set[str]) -> Parameter:
    return dataclasses.replace(param, examples=_scrubbed_examples(param.examples, hidden), default=scrub(param.default, hidden))


def _scrubbed_message(message: ResponseMessage, hidden: set[str], hidden_models: set[str]) -> ResponseMessage:
    """Without examples' hidden keys; a response naming a hidden model keeps its code and text
    only."""
    names = set(_type_names(message.type)) | ({message.model} if message.model else set())
    if names & hidden_models:
        message = dataclasses.replace(message, model=None, type=None, examples=())
    return dataclasses.replace(message, examples=_scrubbed_examples(message.examples, hidden))


def _scrubbed_examples(examples: tuple[Example, ...], hidden: set[str]) -> tuple[Example, ...]:
    return tuple(dataclasses.replace(e, value=scrub(e.value, hidden)) for e in examples)


def scrub(value: Any, hidden: set[str]) -> Any:
    """``value`` without any object key in ``hidden``, at any depth (examples written in the
    spec may show a hidden property anywhere; a same-named visible one goes too: safe side)."""
    if value is UNSET or not hidden:
        return value
    if isinstance(value, dict):
        return {k: scrub(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [scrub(v, hidden) for v in value]
    return value


def _types(op: Operation) -> Iterator[TypeRef | str | None]:
    yield op.response_type
    for param in op.parameters:
        yield param.type
    for message in op.response_messages:
        yield message.type
        yield message.model


def _reached_models(spec: ApiSpec) -> set[str]:
    """Model names reachable from the view's operations through its (visible) properties."""
    models: dict[str, list[Model]] = {}
    for resource in spec.resources:
        for key, model in resource.models.items():
            models.setdefault(model.id, []).append(model)
            if key != model.id:
                models.setdefault(key, []).append(model)
    seen: set[str] = set()
    stack: list[TypeRef | str | None] = [t for op in spec.operations for t in _types(op)]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, str):
            names = [item]
        else:
            names = [n for n in (item.ref, item.model_name()) if n]
            stack.extend(v for v in (item.items, *item.variants) if v is not None)
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            for model in models.get(name, ()):
                stack.extend(p.type for p in model.properties)
    return seen


def _hidden_names(spec: ApiSpec, hidden_ops: set[str], hidden_props: set[str], reached: set[str]) -> set[str]:
    """Names a warning of the view must not mention: hidden operations (and their paths),
    properties and models."""
    names = set(hidden_ops) | set(hidden_props)
    names |= {op.path for op in spec.operations if op.nickname in hidden_ops}
    names |= {m.id for r in spec.resources for m in r.models.values() if m.id not in reached}
    return {name for name in names if name}


def _names_any(message: str, names: set[str]) -> bool:
    return any(name in message for name in names)


def operation_audiences(spec: ApiSpec, order: AudienceOrder) -> dict[str, str]:
    """Nickname -> the audience of each operation (the narrowest mark); unknown marks: ``""``."""
    found: dict[str, str] = {}
    for op in spec.operations:
        rank = order.rank_of(op.audiences)
        found[op.nickname] = order.names[rank] if rank is not None else ""
    return found


def unknown_marks(spec: ApiSpec, order: AudienceOrder) -> list[str]:
    """``"nickname: 'name'"`` for each mark outside the order (such items are hidden from all)."""
    found = [f"operation {op.nickname!r}: {mark!r}" for op in spec.operations for mark in order.unknown(op.audiences)]
    found += [
        f"property {model.id}.{prop.name}: {mark!r}"
        for resource in spec.resources
        for model in resource.models.values()
        for prop in model.properties
        for mark in order.unknown(prop.audiences)
    ]
    return list(dict.fromkeys(found))


__all__ = ["AudienceOrder", "audience_view", "operation_audiences", "scrub", "unknown_marks"]
