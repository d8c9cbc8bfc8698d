"""Properties of the diff engine on random small APIs and random edits of them.

An API is drawn as a plain description (models, operations, filters), edited at random
(operations, parameters, body and model fields, whitelist paths, types, required flags, enums,
defaults, scopes, codes...), and built into the model of :mod:`sphinx_apidocs.spec.model`
directly, so an example costs microseconds: CI runs 2,000 per property.

- ``compare(A, A) == []`` (on a day before every sunset date; on a later day, only the fields
  still exposed after their sunset date: ``response-field-past-sunset``);
- every change from A to C is explained by the steps A -> B -> C (see :func:`explained`);
- the output is deterministic, and neither model names nor the order of operations,
  parameters and properties in the documents change it;
- recursive models never loop.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from typing import Any, Callable

from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.diff import Change, compare, contract_of
from sphinx_apidocs.filters import FilterTree
from sphinx_apidocs.spec.model import ApiPath, ApiSpec, Model, Operation, Parameter, Property, Resource, ResponseMessage, TypeRef

MODELS = ("M0", "M1", "M2")
NICKS = ("op0", "op1", "op2")
# Each nickname keeps its method and its two possible paths: no two nicknames ever share a route,
# so no removal + addition can look like a rename. Rename detection is a heuristic on the
# *pair* of releases it looks at (one removed and one added on a route), so a rename seen from
# A to C may be a removal from A to B and an addition from B to C: it can't be explained step
# by step, and is tested on fixtures instead. Same for a nickname changing method.
METHODS = {"op0": "GET", "op1": "POST", "op2": "PUT"}
FIELD_NAMES = ("a", "b", "c", "d")
PARAM_NAMES = ("p", "q", "r")
PRIMITIVE_CODES = ("integer", "int64", "string", "boolean", "obj", "[string]")
TEXTS = ("", "one", "two")
#: The day every comparison runs on, and response fields' sunset dates around it: none, past,
#: that very day (a removal is planned, the field is not yet past it) and future.
TODAY = dt.date(2026, 12, 2)
BEFORE_EVERY_SUNSET = dt.date(2000, 1, 1)
SUNSETS = ("", "2001-01-01", TODAY.isoformat(), "2999-01-01")

Description = dict[str, Any]


# -- strategies ----------------------------------------------------------------------------------------


def type_codes(index: int, cycles: bool) -> tuple[str, ...]:
    """Types a field of model ``index`` may have. Without ``cycles`` a model refers only to
    later models: the recursion budget cuts subtrees depending on the whole model graph, so an
    edit that closes a cycle somewhere would cut a subtree in the middle release only, and the
    changes below it could not be explained step by step (cycles get their own property)."""
    targets = MODELS if cycles else MODELS[index + 1 :]
    return PRIMITIVE_CODES + tuple(targets) + tuple(f"[{m}]" for m in targets)


ENUMS = (None, ("x",), ("y",), ("x", "y"), ("x", "y", "z"))


def props(index: int, cycles: bool) -> st.SearchStrategy[tuple[Any, ...]]:
    """A field: (type code, required, enum, deprecated, description, sunset), drawn as one
    choice among all combinations: one draw instead of six keeps 2,000 examples cheap."""
    return st.sampled_from(_PROPS[(index, cycles)])


def _prop_choices(index: int, cycles: bool) -> list[tuple[Any, ...]]:
    codes = type_codes(index, cycles)
    return list(itertools.product(codes, (False, True), ENUMS, (False, True), TEXTS, SUNSETS))


_PROPS = {(index, cycles): _prop_choices(index, cycles) for index in range(len(MODELS)) for cycles in (False, True)}


def models(cycles: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {name: st.dictionaries(st.sampled_from(FIELD_NAMES), props(i, cycles), max_size=3) for i, name in enumerate(MODELS)}
    )


#: A parameter: (location, type code, required, enum, default, description), one draw.
params = st.sampled_from(list(itertools.product(
    ("query", "header"), PRIMITIVE_CODES, (False, True), ENUMS, (None, 1, 2, "x"), TEXTS
)))

OP_PARTS: dict[str, st.SearchStrategy[Any]] = {
    "variant": st.integers(0, 1),
    "params": st.dictionaries(st.sampled_from(PARAM_NAMES), params, max_size=2),
    "body": st.none() | st.sampled_from(MODELS),
    "response": st.sampled_from(("void", "string", "obj") + MODELS + tuple(f"[{m}]" for m in MODELS)),
    "codes": st.sets(st.sampled_from((200, 201, 400, 404)), max_size=3).map(lambda s: tuple(sorted(s))),
    "scopes": st.sets(st.sampled_from(("s1", "s2")), max_size=2).map(lambda s: tuple(sorted(s))),
    "deprecated": st.booleans(),
    "summary": st.sampled_from(TEXTS),
}
ops = st.fixed_dictionaries(OP_PARTS)

filter_paths = st.sampled_from(("a", "b", "c", "a.b", "a.c", "b.a", "a.b.c", "c.*", "*", "d.a"))
filters = st.none() | st.sets(filter_paths, max_size=4).map(lambda s: tuple(sorted(s)))


def apis(cycles: bool = False) -> st.SearchStrategy[Description]:
    return st.fixed_dictionaries(
        {
            "models": models(cycles),
            "ops": st.dictionaries(st.sampled_from(NICKS), ops, max_size=3),
            "filters": st.dictionaries(st.sampled_from(NICKS), filters, max_size=3),
        }
    )


# -- edits -----------------------------------------------------------------------------------------------


def edited(data: st.DataObject, api: Description, cycles: bool = False) -> Description:
    """``api`` after 0 to 3 random edits."""
    api = copy.deepcopy(api)
    for _ in range(data.draw(st.integers(0, 3))):
        EDITS[data.draw(st.sampled_from(sorted(EDITS)))](data, api, cycles)
    return api


def _set_or_drop(data: st.DataObject, where: dict[Any, Any], key: Any, fresh: st.SearchStrategy[Any]) -> None:
    if key in where and data.draw(st.booleans()):
        del where[key]
    else:
        where[key] = data.draw(fresh)


def edit_operation(data: st.DataObject, api: Description, cycles: bool) -> None:
    _set_or_drop(data, api["ops"], data.draw(st.sampled_from(NICKS)), ops)


def edit_parameter(data: st.DataObject, api: Description, cycles: bool) -> None:
    if api["ops"]:
        op = api["ops"][data.draw(st.sampled_from(sorted(api["ops"])))]
        _set_or_drop(data, op["params"], data.draw(st.sampled_from(PARAM_NAMES)), params)


def edit_operation_detail(data: st.DataObject, api: Description, cycles: bool) -> None:
    if api["ops"]:
        op = api["ops"][data.draw(st.sampled_from(sorted(api["ops"])))]
        key = data.draw(st.sampled_from(sorted(set(OP_PARTS) - {"params"})))
        op[key] = data.draw(OP_PARTS[key])


def edit_field(data: st.DataObject, api: Description, cycles: bool) -> None:
    index = data.draw(st.integers(0, len(MODELS) - 1))
    model = api["models"][MODELS[index]]
    name = data.draw(st.sampled_from(FIELD_NAMES))
    if name in model and data.draw(st.booleans()):  # change one aspect, or the whole field
        aspect = data.draw(st.integers(0, 5))
        field = list(model[name])
        field[aspect] = data.draw(props(index, cycles))[aspect]
        model[name] = tuple(field)
    else:
        _set_or_drop(data, model, name, props(index, cycles))


def edit_filter(data: st.DataObject, api: Description, cycles: bool) -> None:
    nick = data.draw(st.sampled_from(NICKS))
    current = api["filters"].get(nick)
    if current is None or data.draw(st.booleans()):
        _set_or_drop(data, api["filters"], nick, filters)
    else:
        path = data.draw(filter_paths)
        api["filters"][nick] = tuple(sorted(set(current) ^ {path}))  # add or remove one path


EDITS: dict[str, Callable[[st.DataObject, Description, bool], None]] = {
    "operation": edit_operation,
    "operation-detail": edit_operation_detail,
    "parameter": edit_parameter,
    "field": edit_field,
    "filter": edit_filter,
}


# -- building the model --------------------------------------------------------------------------------


def type_ref(code: str, name: Callable[[str], str]) -> TypeRef:
    if code.startswith("["):
        return TypeRef(type="array", items=type_ref(code[1:-1], name))
    if code in MODELS:
        return TypeRef(ref=name(code))
    return {
        "integer": TypeRef(type="integer"),
        "int64": TypeRef(type="integer", format="int64"),
        "string": TypeRef(type="string"),
        "boolean": TypeRef(type="boolean"),
        "obj": TypeRef(type="object"),
        "void": TypeRef(type="void"),
    }[code]


def build(api: Description, *, rename: str = "", reverse: bool = False) -> tuple[ApiSpec, dict[str, FilterTree]]:
    """The spec and filters of a description; ``rename`` prefixes every model name and
    ``reverse`` lists operations, parameters and properties backwards: neither may matter."""

    def name(model: str) -> str:
        return rename + model

    def order(items: list[Any]) -> list[Any]:
        return items[::-1] if reverse else items

    built_models = {}
    for model_name, fields in api["models"].items():
        properties = [
            Property(
                name=field, type=type_ref(code, name), required=required, enum=enum or (), deprecated=deprecated,
                description=text, sunset=sunset,
            )
            for field, (code, required, enum, deprecated, text, sunset) in fields.items()
        ]
        built_models[name(model_name)] = Model(id=name(model_name), properties=tuple(order(properties)))
    apis_ = [ApiPath(path=_path(nick, op), operations=(_operation(nick, op, name, order),)) for nick, op in sorted(api["ops"].items())]
    resource = Resource(resource_path="/r", apis=tuple(order(apis_)), models=built_models)
    trees = {nick: FilterTree.from_paths(paths) for nick, paths in api["filters"].items() if paths is not None}
    return ApiSpec(swagger_version="3.0.0", resources=(resource,)), trees


def _path(nick: str, op: Description) -> str:
    return f"/{nick}" if op["variant"] == 0 else f"/{nick}/{{id}}"


def _operation(nick: str, op: Description, name: Callable[[str], str], order: Callable[[list[Any]], list[Any]]) -> Operation:
    parameters = [
        Parameter(name=pname, location=loc, type=type_ref(code, name), required=required, enum=enum or (), default=default, description=text)
        for pname, (loc, code, required, enum, default, text) in sorted(op["params"].items())
    ]
    if op["variant"] == 1:
        parameters.append(Parameter(name="id", location="path", type=TypeRef(type="integer"), required=True))
    if op["body"] is not None:
        parameters.append(Parameter(name="body", location="body", type=TypeRef(ref=name(op["body"])), required=True))
    return Operation(
        method=METHODS[nick],
        path=_path(nick, op),
        nickname=nick,
        summary=op["summary"],
        scope=", ".join(op["scopes"]),
        parameters=tuple(order(parameters)),
        response_messages=tuple(order([ResponseMessage(code=code) for code in op["codes"]])),
        response_type=type_ref(op["response"], name),
        deprecated=op["deprecated"],
        resource_path="/r",
    )


def changes(old: Description, new: Description) -> list[Change]:
    old_spec, old_filters = build(old)
    new_spec, new_filters = build(new)
    return compare(contract_of(old_spec, old_filters), contract_of(new_spec, new_filters), today=TODAY)


# -- explaining a change ---------------------------------------------------------------------------

#: Two ids for one event of a client's view: a field it saw is gone / a field it did not see is
#: there. Whether the model or the whitelist did it depends on the release compared with, and
#: whether it was planned on the sunset date the release compared with announced.
FAMILY = {
    "response-field-unexposed": "response-field-removed",
    "response-field-removed-after-sunset": "response-field-removed",
    "response-field-exposed": "response-field-added",
}
#: Changes that stand for everything at and below their subject: the engine reports a field
#: that appears, disappears or changes type once, at its top, and compares no further below
#: where one side has nothing to compare.
FIELD_EVENTS = {
    "response-field-added", "response-field-removed", "response-field-exposed", "response-field-unexposed",
    "response-field-removed-after-sunset",
    "response-field-type-changed", "request-field-added-required", "request-field-added-optional",
    "request-field-removed", "request-field-type-changed",
}
PARAMETER_EVENTS = {"parameter-added-required", "parameter-added-optional", "parameter-removed", "parameter-type-changed", "parameter-location-changed"}


def _key(change: Change) -> tuple[str, str, str]:
    return (FAMILY.get(change.id, change.id), change.operation, change.subject)


def _below(subject: str, top: str) -> bool:
    return subject == top or subject.startswith(top + ".")  # an escaped dot is preceded by "\"


def covers(step: Change, change: Change) -> bool:
    """Does ``step`` (of the same operation) stand for a subtree that holds ``change``?"""
    if step.id in ("operation-added", "operation-removed"):
        return True
    request = change.id.startswith("request-field-") or change.id == "description-changed"
    response = change.id.startswith("response-field-") or change.id == "description-changed"
    if step.id == "response-type-changed":
        return response
    if step.id in FIELD_EVENTS:
        return (request or response) and _below(change.subject, step.subject)
    if step.id in PARAMETER_EVENTS:
        return change.subject == step.subject or (step.subject == "body" and request)
    return False


def explained(change: Change, steps: list[Change]) -> bool:
    """A change from A to C is explained by a step (A -> B or B -> C) with the same
    (id, operation, subject) — ids of one :data:`FAMILY` counting as one — or by a step of the
    same operation that stands for a subtree holding it (:func:`covers`)."""
    key = _key(change)
    return any(_key(step) == key or (step.operation == change.operation and covers(step, change)) for step in steps)


# -- properties ----------------------------------------------------------------------------------------


@given(apis())
def test_an_api_compared_with_itself_has_no_change(api: Description) -> None:
    spec, trees = build(api)
    contract = contract_of(spec, trees)
    assert compare(contract, contract, today=BEFORE_EVERY_SUNSET) == []
    again, again_trees = build(api)
    assert contract_of(again, again_trees) == contract  # built twice: equal contracts
    assert compare(contract, contract_of(again, again_trees), today=BEFORE_EVERY_SUNSET) == []
    # Later, what a contract says about itself: the fields still there after their date.
    for change in compare(contract, contract, today=TODAY):
        assert change.id == "response-field-past-sunset" and change.new < TODAY.isoformat(), change


@given(apis(), st.data())
def test_every_change_from_a_to_c_is_explained_by_a_step(a: Description, data: st.DataObject) -> None:
    b = edited(data, a)
    c = edited(data, b)
    steps = changes(a, b) + changes(b, c)
    unexplained = [change for change in changes(a, c) if not explained(change, steps)]
    assert unexplained == []


@given(apis(), st.data())
def test_output_is_deterministic_and_ignores_names_and_order(a: Description, data: st.DataObject) -> None:
    b = edited(data, a)
    first = changes(a, b)
    assert changes(a, b) == first  # same inputs, built anew: equal lists, equal order
    old_spec, old_filters = build(a, rename="Renamed", reverse=True)
    new_spec, new_filters = build(b, rename="Other", reverse=True)
    assert compare(contract_of(old_spec, old_filters), contract_of(new_spec, new_filters)) == first


@given(apis(cycles=True), st.data())
def test_recursive_models_never_loop(a: Description, data: st.DataObject) -> None:
    b = edited(data, a, cycles=True)
    spec, trees = build(a)
    contract = contract_of(spec, trees)
    assert compare(contract, contract, today=BEFORE_EVERY_SUNSET) == []
    first = changes(a, b)
    assert changes(a, b) == first
    for change in first:
        assert change.subject.count(".") < 12  # the recursion budget bounds every path
