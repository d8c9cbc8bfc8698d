"""Response and request body examples (``sphinx_apidocs.examples``).

The guarantees: a response example built with a whitelist is a fixed point of the compiled
filter (already as built, before the filter is applied), it holds every whitelisted field
the model has, and it validates against a JSON Schema derived independently from the model
restricted to the whitelist. The sample API, every corpus spec (whole models and random
whitelists) and random models (Hypothesis) are held to it.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.examples import NO_EXAMPLE, ExampleBuilder, from_pattern, request_example, response_example
from sphinx_apidocs.filters import FilterTree, compile_filter, escape_name, load_filter_trees, split_dotted
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.model import (
    UNSET,
    ApiPath,
    ApiSpec,
    Constraints,
    Example,
    Model,
    Operation,
    Parameter,
    Property,
    Resource,
    ResponseMessage,
    TypeRef,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

# -- an independent oracle: the JSON Schema of a model restricted to a whitelist ------------

PRIMITIVE_JSON = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string",
                  "date": "string", "date-time": "string", "file": "string"}


class SchemaOf:
    """JSON Schema (2020-12) of values of a type, through a whitelist (``None``: whole)."""

    def __init__(self, builder: ExampleBuilder, scope: str, mode: str = "response") -> None:
        self.builder = builder
        self.scope = scope
        self.mode = mode
        self.defs: dict[str, Any] = {}
        self.names: dict[int, str] = {}

    def document(self, t: TypeRef, tree: FilterTree | None) -> dict[str, Any]:
        root = self.of(t, {}, tree, 0)
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root, "$defs": self.defs}

    def of(self, t: TypeRef, facets: dict[str, Any], tree: FilterTree | None, level: int) -> dict[str, Any]:
        schema = self._plain(t, facets, tree, level)
        if facets.get("nullable"):
            schema = {"anyOf": [schema, {"type": "null"}]}
        return schema

    def _plain(self, t: TypeRef, facets: dict[str, Any], tree: FilterTree | None, level: int) -> dict[str, Any]:
        if t.variants:
            return {"anyOf": [self.of(v, {**facets, "nullable": False}, tree, level) for v in t.variants]}
        if t.type == "array" and not t.ref:
            schema: dict[str, Any] = {"type": "array"}
            c = facets.get("constraints") or Constraints()
            if c.min_items is not None:
                schema["minItems"] = c.min_items
            if c.max_items is not None:
                schema["maxItems"] = c.max_items
            if t.items is not None:
                schema["items"] = self.of(t.items, {"enum": facets.get("enum", ())}, tree, level)
            return schema
        model, named = self.builder.model_of(t, self.scope)
        if named:
            if model is None:
                return {"type": "object"} if tree is not None else {}
            return self._object(model, tree, level)
        kind = t.type
        if kind in (None, "", "any", "void"):
            return {}
        if kind == "object":
            return {"type": "object"}
        schema = {"type": PRIMITIVE_JSON[kind]}
        json_type = {"integer": int, "number": (int, float), "boolean": bool}.get(kind, str)
        values = [v for v in (self._coerce(v, kind) for v in facets.get("enum", ()))
                  if isinstance(v, json_type) and (isinstance(v, bool) == (kind == "boolean"))]
        if values:  # values that cannot be of the type constrain nothing
            schema["enum"] = values
        c = facets.get("constraints") or Constraints()
        if kind in ("integer", "number"):
            for key, bound, exclusive in (("minimum", facets.get("minimum"), c.exclusive_minimum),
                                          ("maximum", facets.get("maximum"), c.exclusive_maximum)):
                if bound is not None:
                    schema[("exclusiveM" + key[1:]) if exclusive else key] = bound
            if c.multiple_of:
                schema["multipleOf"] = c.multiple_of
        else:
            if c.min_length is not None:
                schema["minLength"] = c.min_length
            if c.max_length is not None:
                schema["maxLength"] = c.max_length
            if c.pattern:
                try:
                    re.compile(c.pattern)
                    schema["pattern"] = c.pattern
                except re.error:
                    pass
        return schema

    @staticmethod
    def _coerce(value: str, kind: str) -> Any:
        if kind == "integer" and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if kind == "number":
            try:
                number = float(value)
                return int(number) if number.is_integer() and "." not in value else number
            except ValueError:
                return value
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value

    def _object(self, model: Model, tree: FilterTree | None, level: int) -> dict[str, Any]:
        if tree is None:  # the whole model: one definition, recursion through $ref
            name = self.names.get(id(model))
            if name is None:
                name = self.names[id(model)] = f"m{len(self.names)}"
                self.defs[name] = {}
                self.defs[name] = self._fields(model, [(p, None) for p in model.properties], level)
            return {"$ref": f"#/$defs/{name}"}
        if tree.star:
            return self._fields(model, [(p, None) for p in model.properties], level)
        chosen = [(model.property(n), sub) for n, sub in tree.fields if model.property(n) is not None]
        return self._fields(model, chosen, level)  # type: ignore[arg-type]

    def _fields(self, model: Model, chosen: list[tuple[Property, FilterTree | None]], level: int) -> dict[str, Any]:
        skip = "write_only" if self.mode == "response" else "read_only"
        properties = {}
        required = []
        for prop, sub in chosen:
            if getattr(prop.constraints, skip) or prop.name in properties:
                continue
            facets = {"enum": prop.enum, "minimum": prop.minimum, "maximum": prop.maximum,
                      "nullable": prop.nullable, "constraints": prop.constraints}
            properties[prop.name] = self.of(prop.type, facets, sub, level + 1)
            if prop.required or prop.name in model.required:
                required.append(prop.name)
        return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def validates(example: Any, schema: dict[str, Any]) -> None:
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(example), key=str)
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}\n{json.dumps(example)[:2000]}"


def holds_whitelist(builder: ExampleBuilder, scope: str, t: TypeRef, tree: FilterTree, value: Any) -> None:
    """Every whitelisted field the model has (and the response may carry) is present."""
    stack: list[tuple[TypeRef, FilterTree, Any]] = [(t, tree, value)]
    while stack:
        t, tree, value = stack.pop()
        if isinstance(value, list):
            element = t.items if (t.type == "array" and t.items is not None) else t
            stack.extend((element, tree, item) for item in value)
            continue
        if not isinstance(value, dict) or tree.star:
            continue
        if t.variants:  # a variant the example can be of, with all of its whitelisted fields

            def wanted(m: Model) -> list[str]:
                return [n for n, sub in tree.fields if passes(builder, scope, m.property(n), sub)]

            variants = [builder.model_of(v, scope)[0] for v in t.variants]
            fitting = [m for m in variants if m is not None and all(m.property(k) is not None for k in value)]
            model = next((m for m in fitting if all(n in value for n in wanted(m))), fitting[0] if fitting else None)
        else:
            model, _ = builder.model_of(t, scope)
        if model is None:
            continue
        for name, sub in tree.fields:
            prop = model.property(name)
            if not passes(builder, scope, prop, sub):
                continue
            assert prop is not None and name in value, f"whitelisted field {name!r} missing from {value}"
            if sub is not None:
                stack.append((prop.type, sub, value[name]))


def passes(builder: ExampleBuilder, scope: str, prop: Property | None, sub: FilterTree | None) -> bool:
    """Whether a value of ``prop`` can pass the whitelist level ``sub`` (a scalar never
    passes a container, so a whitelist naming fields of a string cannot keep it)."""
    if prop is None or prop.constraints.write_only:
        return False
    if sub is None:
        return True
    t = prop.type
    while t.type == "array" and t.items is not None and not t.ref:
        t = t.items
    options = t.variants or (t,)
    return any(builder.model_of(o, scope)[0] is not None or (o.type in (None, "", "object", "any") and not o.ref)
               for o in options)


def check_response(spec: ApiSpec, builder: ExampleBuilder, op: Operation, tree: FilterTree | None, *, complete: bool = True) -> Any:
    """The example of ``op`` through ``tree``: fixed point, complete (unless the whitelist
    is so large that ``max_nodes`` left optional fields out), valid; returns it."""
    example = builder.response(op, tree)
    if example is NO_EXAMPLE:
        return example
    json.dumps(example, allow_nan=False)  # plain JSON
    scope = builder.scope(op.resource_path)
    if tree is not None:
        keep = compile_filter(tree)
        assert keep(example) == example
        assert keep(keep(example)) == keep(example)
        assert builder.response_candidate(op, tree) == example  # a fixed point before filtering
        if complete:
            holds_whitelist(builder, scope, op.response_type, tree, example)
    validates(example, SchemaOf(builder, scope).document(op.response_type, tree))
    return example


# -- the sample API --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple[ApiSpec, dict[str, FilterTree]]:
    spec = load_spec(str(ROOT / "sample_specs"))
    trees = {nick: loaded.tree for nick, loaded in load_filter_trees(str(ROOT / "output_filters")).items()}
    return spec, trees


def test_sample_api_examples_are_what_the_filters_let_through(sample: tuple[ApiSpec, dict[str, FilterTree]]) -> None:
    spec, trees = sample
    builder = ExampleBuilder(spec)
    objects = 0
    for op in spec.operations:
        example = check_response(spec, builder, op, trees.get(op.nickname))
        if op.response_type.type == "void":
            assert example is NO_EXAMPLE
        objects += isinstance(example, dict) and len(example) > 1
    assert objects >= 20


def test_sample_api_examples_follow_the_filter_exactly(sample: tuple[ApiSpec, dict[str, FilterTree]]) -> None:
    spec, trees = sample
    contract = response_example(spec, spec.operation("get-contract"), trees["get-contract"])
    assert list(contract) == ["id", "title", "status", "client", "freelancer", "terms", "milestones", "created_at"]
    assert contract["client"] == {"uid": contract["client"]["uid"], "name": contract["client"]["name"]}
    assert set(contract["milestones"][0]["payments"][0]) == {"id", "amount", "paid_at", "method"}
    whole = response_example(spec, spec.operation("get-contract"))
    assert set(whole) >= set(contract)  # no filter: the whole model


def test_examples_are_fresh_values(sample: tuple[ApiSpec, dict[str, FilterTree]]) -> None:
    spec, trees = sample
    op = spec.operation("get-contract")
    first = response_example(spec, op, trees["get-contract"])
    first["milestones"][0]["title"] = "changed"
    first["client"].clear()
    again = response_example(spec, op, trees["get-contract"])
    assert again["milestones"][0]["title"] != "changed" and again["client"]


def test_request_bodies_of_the_sample_api(sample: tuple[ApiSpec, dict[str, FilterTree]]) -> None:
    spec, _ = sample
    builder = ExampleBuilder(spec)
    bodies = 0
    for op in spec.operations:
        body = request_example(spec, op, builder=builder)
        param = next((p for p in op.parameters if p.location == "body"), None)
        if param is None:
            assert body is NO_EXAMPLE
            continue
        bodies += 1
        if not param.examples:
            validates(body, SchemaOf(builder, builder.scope(op.resource_path), "request").document(param.type, None))
    assert bodies >= 5


# -- the corpus ------------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    sys.path.insert(0, str(ROOT / "scripts"))
    import compatibility_page

    return compatibility_page.corpus_files(CORPUS) + compatibility_page.openapi_files(CORPUS)


def model_paths(builder: ExampleBuilder, scope: str, t: TypeRef, depth: int = 3) -> list[str]:
    """Dotted paths of the response model, ``depth`` levels deep, cycles not followed."""
    paths: list[str] = []
    stack: list[tuple[TypeRef, str, int, frozenset[int]]] = [(t, "", 0, frozenset())]
    while stack:
        t, prefix, level, seen = stack.pop()
        while t.type == "array" and t.items is not None and not t.ref:
            t = t.items
        models = [builder.model_of(t, scope)[0]] + [builder.model_of(v, scope)[0] for v in t.variants]
        models = [m for m in models if m is not None and id(m) not in seen]
        if not models or level >= depth:
            if prefix:
                paths.append(prefix[:-1])
            continue
        for model in models[:1]:
            for prop in model.properties:
                stack.append((prop.type, prefix + escape_name(prop.name) + ".", level + 1, seen | {id(model)}))
    return paths


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not beside the checkout ({CORPUS})")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_examples(path: Path) -> None:
    try:
        spec = load_spec(str(path))
    except ApidocsError:
        COVERAGE[path] = (0, 0)
        pytest.skip("does not load")
    builder = ExampleBuilder(spec)
    rng = random.Random(path.name)
    objects = operations = 0
    for op in spec.operations:
        example = check_response(spec, builder, op, None)
        operations += 1
        objects += isinstance(example, dict)
        paths = model_paths(builder, builder.scope(op.resource_path), op.response_type)
        if paths and example is not NO_EXAMPLE:
            chosen = rng.sample(paths, min(len(paths), rng.randint(1, 12)))
            check_response(spec, builder, op, FilterTree.from_paths(chosen))
            if rng.random() < 0.25:
                check_response(spec, builder, op, FilterTree.from_paths(paths), complete=False)
        body = builder.request_body(op)
        param = next((p for p in op.parameters if p.location == "body"), None)
        if param is not None and not param.examples and body is not NO_EXAMPLE:
            validates(body, SchemaOf(builder, builder.scope(op.resource_path), "request").document(param.type, None))
    COVERAGE[path] = (operations, objects)


COVERAGE: dict[Path, tuple[int, int]] = {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_corpus_coverage() -> None:
    """Most corpus operations get an object example (counted by the test above, or here)."""
    for path in corpus_files():
        if path not in COVERAGE:
            try:
                spec = load_spec(str(path))
            except ApidocsError:
                continue
            builder = ExampleBuilder(spec)
            examples = [builder.response(op) for op in spec.operations]
            COVERAGE[path] = (len(examples), sum(isinstance(e, dict) for e in examples))
    operations = sum(ops for ops, _ in COVERAGE.values())
    objects = sum(found for _, found in COVERAGE.values())
    assert operations > 2000
    assert objects > 1500


# -- models made by hand ---------------------------------------------------------------------


def spec_of(models: list[Model], response: TypeRef, *, params: tuple[Parameter, ...] = (),
            messages: tuple[ResponseMessage, ...] = ()) -> tuple[ApiSpec, Operation]:
    op = Operation("GET", "/things", "get-things", parameters=params, response_type=response,
                   response_messages=messages, resource_path="/things")
    resource = Resource("/things", apis=(ApiPath("/things", operations=(op,)),), models={m.id: m for m in models})
    return ApiSpec("2.0", resources=(resource,)), op


def prop(name: str, type: str | None = None, *, ref: str | None = None, **kwargs: Any) -> Property:
    return Property(name, TypeRef(type=type, ref=ref, format=kwargs.pop("format", None)), **kwargs)


def test_spec_values_come_first_in_order() -> None:
    thing = Model("Thing", (
        prop("a", "string", example="from-example", default="from-default", enum=("x", "from-default", "from-example")),
        prop("b", "string", default="from-default", enum=("x", "from-default")),
        prop("b2", "string", example="outside", enum=("x", "y")),  # not an allowed value: ignored
        prop("c", "string", enum=("x", "y")),
        prop("d", "string"),
        prop("e", "integer", example="not a number"),  # does not fit: ignored
        prop("f", "integer", default="7"),  # a 1.2 default as text
        prop("g", "string", nullable=True, default=None),
        prop("h", "integer", example=5, minimum=10),  # out of range: ignored
    ), example={"c": "y", "d": "from-model", "e": 3})
    spec, op = spec_of([thing], TypeRef(ref="Thing"))
    example = response_example(spec, op)
    assert example == {"a": "from-example", "b": "from-default", "b2": "x", "c": "x", "d": "from-model", "e": 3, "f": 7, "g": None, "h": 10}


def test_response_example_of_the_spec_is_used_field_by_field() -> None:
    thing = Model("Thing", (prop("id", "integer"), prop("name", "string")))
    message = ResponseMessage(200, examples=(Example({"id": 42, "name": "Ada", "extra": 1}, media_type="application/json"),))
    spec, op = spec_of([thing], TypeRef(ref="Thing"), messages=(message,))
    assert response_example(spec, op) == {"id": 42, "name": "Ada"}
    assert response_example(spec, op, FilterTree.from_paths(["name"])) == {"name": "Ada"}


def test_synthesized_values_respect_types_formats_and_constraints() -> None:
    props = (
        prop("when", "string", format="date-time"), prop("day", "string", format="date"),
        prop("mail", "string", format="email"), prop("link", "string", format="uri"),
        prop("uuid", "string", format="uuid"), prop("raw", "string", format="byte"),
        prop("short", "string", constraints=Constraints(max_length=3)),
        prop("long", "string", constraints=Constraints(min_length=12)),
        prop("code", "string", constraints=Constraints(pattern=r"^[A-Z]{3}-\d{2}$")),
        prop("n", "integer", minimum=5, maximum=9, constraints=Constraints(exclusive_minimum=True, multiple_of=3)),
        prop("x", "number", minimum=0, maximum=1, constraints=Constraints(exclusive_maximum=True)),
        prop("neg", "integer", maximum=-3),
        prop("flag", "boolean"),
        Property("tags", TypeRef(type="array", items=TypeRef(type="string")), constraints=Constraints(min_items=2, unique_items=True)),
    )
    spec, op = spec_of([Model("Thing", props)], TypeRef(ref="Thing"))
    example = response_example(spec, op)
    assert example["when"] == "2024-01-15T09:30:00Z" and example["day"] == "2024-01-15"
    assert "@" in example["mail"] and example["link"].startswith("https://")
    assert re.fullmatch(r"[0-9a-f-]{36}", example["uuid"]) and example["raw"] == "c3RyaW5n"
    assert len(example["short"]) <= 3 and len(example["long"]) >= 12
    assert re.fullmatch(r"[A-Z]{3}-\d{2}", example["code"])
    assert example["n"] == 6 and 0 <= example["x"] < 1 and example["neg"] <= -3
    assert example["flag"] is True
    assert len(example["tags"]) == 2 and len(set(example["tags"])) == 2
    validates(example, SchemaOf(ExampleBuilder(spec), "").document(op.response_type, None))


def test_pattern_strings() -> None:
    for pattern in [r"^\d{3}-\d{4}$", r"^[a-z0-9._%+-]+@[a-z]+\.[a-z]{2,}$", r"^(foo|bar)+[^a]$", r"^\w+\s\S$", "x(?=y)y"]:
        text = from_pattern(pattern)
        assert text is not None and re.search(pattern, text), pattern
    assert from_pattern("(unclosed") is None


def test_write_only_never_in_responses_read_only_never_in_requests() -> None:
    user = Model("User", (
        prop("id", "integer", constraints=Constraints(read_only=True)),
        prop("password", "string", constraints=Constraints(write_only=True)),
        prop("name", "string"),
    ))
    body = Parameter("body", "body", TypeRef(ref="User"), required=True)
    spec, op = spec_of([user], TypeRef(ref="User"), params=(body,))
    assert response_example(spec, op) == {"id": 1, "name": "string"}
    assert response_example(spec, op, FilterTree.from_paths(["password", "name"])) == {"name": "string"}
    assert request_example(spec, op) == {"password": "string", "name": "string"}


def test_request_body_examples_of_the_spec_win() -> None:
    body = Parameter("body", "body", TypeRef(ref="User"), examples=(Example({"name": "Grace"}, media_type="application/json"),))
    spec, op = spec_of([Model("User", (prop("name", "string"),))], TypeRef(type="void"), params=(body,))
    assert request_example(spec, op) == {"name": "Grace"}
    assert response_example(spec, op) is NO_EXAMPLE


def test_void_and_unknown_types_give_no_example() -> None:
    for t in (TypeRef(type="void"), TypeRef(), TypeRef(ref="Nowhere"), TypeRef(type="array", items=TypeRef(ref="Nowhere"))):
        spec, op = spec_of([], t)
        assert response_example(spec, op) is NO_EXAMPLE
    spec, op = spec_of([], TypeRef(type="string"))
    assert response_example(spec, op) == "string"
    assert response_example(spec, op, FilterTree.from_paths(["a"])) is NO_EXAMPLE


def test_recursion_is_cut_without_a_filter_and_follows_the_filter_with_one() -> None:
    node = Model("Node", (prop("name", "string"), prop("parent", ref="Node"),
                          Property("children", TypeRef(type="array", items=TypeRef(ref="Node")))))
    spec, op = spec_of([node], TypeRef(ref="Node"))
    assert response_example(spec, op) == {"name": "string", "children": []}
    tree = FilterTree.from_paths(["parent.parent.parent.name", "children.children.name"])
    example = response_example(spec, op, tree)
    assert example == {"parent": {"parent": {"parent": {"name": "string"}}}, "children": [{"children": [{"name": "string"}]}]}
    deep = FilterTree.from_paths([".".join(["parent"] * 500) + ".name"])
    example = response_example(spec, op, deep)
    assert compile_filter(deep)(example) == example


def test_depth_limit_keeps_required_fields() -> None:
    models = [Model(f"M{i}", (prop("label", "string"), prop("next", ref=f"M{i + 1}", required=True))) for i in range(8)]
    models.append(Model("M8", (prop("end", "boolean", required=True),)))
    spec, op = spec_of(models, TypeRef(ref="M0"))
    example = response_example(spec, op)
    validates(example, SchemaOf(ExampleBuilder(spec), "").document(op.response_type, None))
    assert "label" in example and "label" not in example["next"]["next"]["next"]["next"]


def test_variants_and_discriminator() -> None:
    cat = Model("Cat", (prop("kind", "string", required=True), prop("meow", "boolean")))
    dog = Model("Dog", (prop("kind", "string", required=True), prop("bark", "boolean"), prop("good", "boolean")))
    pet = Model("Pet", (prop("kind", "string"), prop("meow", "boolean"), prop("bark", "boolean"), prop("good", "boolean")),
                discriminator="kind")
    union = TypeRef(ref="Pet", variants=(TypeRef(ref="Cat"), TypeRef(ref="Dog")))
    spec, op = spec_of([cat, dog, pet], union)
    assert response_example(spec, op) == {"kind": "Cat", "meow": True}
    assert response_example(spec, op, FilterTree.from_paths(["kind", "bark", "good"])) == {"kind": "Dog", "bark": True, "good": True}
    either = Model("Holder", (Property("owner", TypeRef(variants=(TypeRef(type="string"), TypeRef(ref="Dog")))),))
    spec, op = spec_of([dog, either], TypeRef(ref="Holder"))
    assert response_example(spec, op) == {"owner": "string"}
    assert response_example(spec, op, FilterTree.from_paths(["owner.bark"])) == {"owner": {"bark": True}}


def test_many_operations_share_the_work() -> None:
    """800 operations over the same models: each model level is built once."""
    leaf = Model("Leaf", tuple(prop(f"f{i}", "string") for i in range(20)))
    mid = Model("Mid", tuple(prop(f"l{i}", ref="Leaf") for i in range(10)))
    ops = tuple(Operation("GET", f"/t{i}", f"op{i}", response_type=TypeRef(ref="Mid"), resource_path="/t") for i in range(800))
    spec = ApiSpec("2.0", resources=(Resource("/t", apis=(ApiPath("/t", operations=ops),), models={"Leaf": leaf, "Mid": mid}),))
    builder = ExampleBuilder(spec)
    calls = 0
    original = builder._fields

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args)

    builder._fields = counting  # type: ignore[method-assign]
    tree = FilterTree.from_paths(["l0.f1", "l3"])
    for op in ops:
        assert builder.response(op, tree)
        assert builder.response(op)
    assert calls <= 6


# -- random models -------------------------------------------------------------------------

NAMES = st.sampled_from(["id", "name", "a", "b", "c", "app.version", "x\\y", "*", "ü"])
PATTERNS = ["^[a-z]+$", r"^\d{2,4}$", "^(ab|cd)x?$", r"[A-Z][0-9]"]


@st.composite
def primitive(draw: st.DrawFn) -> tuple[TypeRef, dict[str, Any]]:
    kind = draw(st.sampled_from(["string", "integer", "number", "boolean"]))
    facets: dict[str, Any] = {}
    constraints: dict[str, Any] = {}
    if kind == "string":
        fmt = draw(st.sampled_from([None, "date-time", "date", "email", "uri", "uuid", "byte"]))
        if draw(st.booleans()):
            facets["enum"] = tuple(draw(st.lists(st.text(max_size=5), min_size=1, max_size=3, unique=True)))
        elif draw(st.booleans()):
            constraints["pattern"] = draw(st.sampled_from(PATTERNS))
        else:
            low = draw(st.none() | st.integers(0, 30))
            high = draw(st.none() | st.integers(low or 0, 40))
            constraints.update(min_length=low, max_length=high)
        return TypeRef(type=kind, format=fmt), {**facets, "constraints": Constraints(**constraints)}
    if kind in ("integer", "number"):
        low = draw(st.none() | st.integers(-50, 50))
        high = draw(st.none() | st.integers(low if low is not None else -50, 60))
        exclusive = draw(st.booleans()) and low is not None and high is not None and high - low >= 8
        step = draw(st.none() | st.sampled_from([2, 3, 5] + ([0.5, 0.25] if kind == "number" else [])))
        if step and low is not None and high is not None and high - low < 12:
            step = None
        if draw(st.booleans()) and kind == "integer":
            facets["enum"] = tuple(str(v) for v in draw(st.lists(st.integers(-5, 5), min_size=1, max_size=3, unique=True)))
            low = high = step = None
        facets.update(minimum=low, maximum=high)
        constraints.update(exclusive_minimum=exclusive, exclusive_maximum=exclusive, multiple_of=step)
    return TypeRef(type=kind), {**facets, "constraints": Constraints(**constraints)}


@st.composite
def random_spec(draw: st.DrawFn) -> tuple[ApiSpec, Operation, list[str]]:
    count = draw(st.integers(1, 5))
    models = []
    for index in range(count):
        props = []
        for name in draw(st.lists(NAMES, min_size=1, max_size=5, unique=True)):
            choice = draw(st.sampled_from(["primitive", "ref", "array", "union", "open"]))
            facets: dict[str, Any] = {}
            required = draw(st.booleans())
            if choice == "primitive":
                t, facets = draw(primitive())
            elif choice == "open":
                t = TypeRef(type=draw(st.sampled_from(["object", "any"])))
            else:
                target = draw(st.integers(0, count - 1))
                if required and target <= index:  # required references go forward: no forced cycles
                    required = False
                ref = TypeRef(ref=f"M{target}")
                if choice == "ref":
                    t = ref
                elif choice == "array":
                    inner, _ = draw(primitive())
                    t = TypeRef(type="array", items=draw(st.sampled_from([ref, inner])))
                    facets["constraints"] = Constraints(min_items=draw(st.sampled_from([None, 0, 1, 2])),
                                                        unique_items=t.items is not ref and draw(st.booleans()))
                else:
                    inner, _ = draw(primitive())
                    t = TypeRef(variants=tuple(draw(st.permutations([ref, inner]))))
            access = draw(st.sampled_from([{}, {}, {"read_only": True}, {"write_only": True}]))
            if access:
                base = facets.get("constraints") or Constraints()
                facets["constraints"] = Constraints(**{**base.__dict__, **access})
            props.append(Property(name, t, required=required, nullable=draw(st.booleans()) and not required, **facets))
        models.append(Model(f"M{index}", tuple(props)))
    response = draw(st.sampled_from([TypeRef(ref="M0"), TypeRef(type="array", items=TypeRef(ref="M0"))]))
    spec, op = spec_of(models, response)
    builder = ExampleBuilder(spec)
    paths = model_paths(builder, "", response, depth=draw(st.integers(1, 4)))
    chosen = draw(st.lists(st.sampled_from(paths), max_size=8)) if paths else []
    if chosen and draw(st.booleans()):
        segments, _ = split_dotted(chosen[0])
        chosen[0] = ".".join([*map(escape_name, segments[:-1]), "*"])
    return spec, op, chosen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(random_spec(), st.booleans())
def test_random_models_and_whitelists(case: tuple[ApiSpec, Operation, list[str]], whole: bool) -> None:
    spec, op, paths = case
    builder = ExampleBuilder(spec, max_depth=3)
    tree = None if whole or not paths else FilterTree.from_paths(paths)
    example = check_response(spec, builder, op, tree)
    assert example is not NO_EXAMPLE
    assert check_response(spec, ExampleBuilder(spec, max_depth=3), op, tree) == example  # deterministic
