"""Output filters side by side: ``python benchmarks/filters.py`` (about a minute at most;
``--quick``: only the hot-path table for this package's implementations, a few seconds).

Every implementation filters the same inputs in one process; the table shows ns per call and
the ratio to the hand-written function. Workloads:

* ``object``: one nested object with 60 whitelisted leaves (and extra fields to drop);
* ``page``: a list of 1000 objects (the typical "list" response);
* ``sparse``: 1000 objects where about two thirds of the whitelisted keys are missing;
* ``compile``: ``compile_filter`` on 5000-path filters (factory cache cold, then warm): a
  typical API's (40 object types written out per operation) and a worst case (all random).
* ``fields=`` selection: a cached ``filters.select(nickname, fields)(data)`` (the lookup plus
  the call) against the plain whitelist filter on the same data, and the cost of a cache miss
  (parse, check, intersect and compile a new selection).

"hand-written" is what a careful developer types for one known response: a function per object
type returning a dict literal, a list comprehension per list field; for sparse data, ``in``
checks. It is generated from the same model below only to keep this file short — its text
is exactly what one would type. Competitors that cannot express a workload show ``n/a``.
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import json  # noqa: E402

from sphinx_apidocs.filters import FilterTree, compile_filter, dotted_paths, load_filters, module_source  # noqa: E402
from sphinx_apidocs.filters import FieldSelectionError, select_tree  # noqa: E402
from sphinx_apidocs.filters.compile import build, factory_cache_clear, factory_cache_info  # noqa: E402
from sphinx_apidocs.filters.plan import plan_of  # noqa: E402


# --- the data model ----------------------------------------------------------------------------


@dataclass
class Model:
    """An object type: fields are (key, kind, sub-model, whitelisted); kind: scalar/object/list."""

    name: str
    fields: list[tuple[str, str, Optional["Model"], bool]] = field(default_factory=list)


def model(name: str, kept: int, dropped: int, objects: dict[str, "Model"] = {}, lists: dict[str, "Model"] = {}) -> Model:
    m = Model(name)
    for i in range(kept + dropped):
        m.fields.append((f"{name}_{i}", "scalar", None, i < kept))
        if i == kept // 2:  # containers sit among the scalars, as in real responses
            m.fields += [(k, "object", sub, True) for k, sub in objects.items()]
            m.fields += [(k, "list", sub, True) for k, sub in lists.items()]
    return m


def tree_of(m: Model) -> FilterTree:
    return FilterTree(tuple((k, None if sub is None else tree_of(sub)) for k, _, sub, keep in m.fields if keep))


def make_data(m: Model, rng: random.Random, presence: float = 1.0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, kind, sub, keep in m.fields:
        if keep and rng.random() > presence:
            continue
        if kind == "scalar":
            out[key] = rng.choice([rng.randint(0, 10**6), f"text {rng.random()}", rng.random(), True, None])
        elif kind == "object":
            out[key] = make_data(sub, rng, presence)
        else:
            out[key] = [make_data(sub, rng, presence) for _ in range(3)]
    return out


OWNER = model("owner", 4, 1)
ITEM = model("item", 6, 2, objects={"owner": OWNER})
ADDRESS = model("address", 8, 2)
PROFILE = model("profile", 12, 4, objects={"address": ADDRESS})
STATS = model("stats", 10, 2)
BIG = model("root", 20, 8, objects={"profile": PROFILE, "stats": STATS}, lists={"items": ITEM})
USER = model("user", 8, 5, objects={"address": model("addr", 3, 2)})
SPARSE = model("sparse", 30, 5)


# --- implementations ---------------------------------------------------------------------------


def hand_written(m: Model, sparse: bool = False) -> Callable[[Any], Any]:
    """Source a developer would type for ``m`` (see the module docstring)."""
    lines: list[str] = []
    done: set[str] = set()

    def emit(m: Model) -> None:
        if m.name in done:
            return
        done.add(m.name)
        for _, _, sub, keep in m.fields:
            if sub is not None and keep:
                emit(sub)
        kept = [(k, kind, sub) for k, kind, sub, keep in m.fields if keep]
        lines.append(f"def h_{m.name}(d):")
        if sparse:
            lines.append("    r = {}")
            for k, kind, sub in kept:
                lines.append(f"    if {k!r} in d: r[{k!r}] = {value(k, kind, sub)}")
            lines.append("    return r")
        else:
            lines.append("    return {" + ", ".join(f"{k!r}: {value(k, kind, sub)}" for k, kind, sub in kept) + "}")

    def value(k: str, kind: str, sub: Model | None) -> str:
        if kind == "object":
            return f"h_{sub.name}(d[{k!r}])"
        if kind == "list":
            return f"[h_{sub.name}(x) for x in d[{k!r}]]"
        return f"d[{k!r}]"

    emit(m)
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)
    return namespace[f"h_{m.name}"]


def naive(tree: FilterTree) -> Callable[[Any], Any]:
    """A tree-walking interpreter, the obvious first implementation."""

    def walk(t: FilterTree, v: Any) -> Any:
        if isinstance(v, dict):
            if t.star:
                return dict(v)
            out = {}
            for k, sub in t.fields:
                if k in v:
                    out[k] = v[k] if sub is None else walk(sub, v[k])
            return out
        if isinstance(v, (list, tuple)):
            return [walk(t, x) for x in v]
        return None

    return lambda v: walk(tree, v)


def comprehension(tree: FilterTree) -> Callable[[Any], Any]:
    """Closures as usually written: a dict comprehension per level."""
    items = [(k, None if sub is None else comprehension(sub)) for k, sub in tree.fields]

    def f(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (v[k] if g is None else g(v[k])) for k, g in items if k in v}
        if isinstance(v, (list, tuple)):
            return [f(x) for x in v]
        return None

    return f


def generated_module(
    trees: dict[str, FilterTree], folder: Path, name: str = "bench_filters_gen"
) -> dict[str, Callable[[Any], Any]]:
    path = folder / f"{name}.py"
    path.write_text(module_source(trees, sources=["bench"], command="benchmarks/filters.py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILTERS


def glom_impl(m: Model, page: bool) -> Callable[[Any], Any] | None:
    try:
        from glom import glom
    except ImportError:
        return None

    def spec(m: Model) -> Any:
        out: dict[str, Any] = {}
        for k, kind, sub, keep in m.fields:
            if keep:
                out[k] = k if kind == "scalar" else (k, spec(sub)) if kind == "object" else (k, [spec(sub)])
        return out

    s = [spec(m)] if page else spec(m)
    return lambda v: glom(v, s)


def marshmallow_impl(m: Model, page: bool) -> Callable[[Any], Any] | None:
    try:
        from marshmallow import Schema, fields
    except ImportError:
        return None

    def schema(m: Model) -> type:
        attrs: dict[str, Any] = {}
        for k, kind, sub, _ in m.fields:  # the schema declares every field; ``only`` whitelists
            if kind == "scalar":
                attrs[k] = fields.Raw()
            elif kind == "object":
                attrs[k] = fields.Nested(schema(sub))
            else:
                attrs[k] = fields.List(fields.Nested(schema(sub)))
        return Schema.from_dict(attrs, name=m.name)

    instance = schema(m)(only=dotted_paths(tree_of(m)), many=page)
    return instance.dump


def pydantic_impl(m: Model, data: Any, page: bool, sparse: bool) -> Callable[[Any], Any] | None:
    try:
        from pydantic import create_model
    except ImportError:
        return None

    def pmodel(m: Model) -> type:
        spec: dict[str, Any] = {}
        for k, kind, sub, _ in m.fields:
            t = Any if kind == "scalar" else pmodel(sub) if kind == "object" else list[pmodel(sub)]
            spec[k] = (Optional[t], None) if sparse else (t, ...)
        return create_model(m.name, **spec)

    def include(m: Model) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, kind, sub, keep in m.fields:
            if keep:
                out[k] = True if kind == "scalar" else include(sub) if kind == "object" else {"__all__": include(sub)}
        return out

    cls, inc = pmodel(m), include(m)
    # The service already holds validated models; only the dump is timed.
    if page:
        objs = [cls.model_validate(x) for x in data]
        return lambda _: [o.model_dump(include=inc, exclude_unset=sparse) for o in objs]
    obj = cls.model_validate(data)
    return lambda _: obj.model_dump(include=inc, exclude_unset=sparse)


def msgspec_impl(m: Model, page: bool) -> Callable[[Any], Any] | None:
    try:
        import msgspec
    except ImportError:
        return None

    def struct(m: Model) -> type:
        spec: list[tuple[str, Any, Any]] = []
        for k, kind, sub, keep in m.fields:  # a Struct of the whitelisted fields only
            if keep:
                t = Any if kind == "scalar" else struct(sub) if kind == "object" else list[struct(sub)]
                spec.append((k, t, msgspec.UNSET))
        return msgspec.defstruct(m.name, spec)

    t = list[struct(m)] if page else struct(m)
    return lambda v: msgspec.to_builtins(msgspec.convert(v, t))


# --- the tightest hand-written code, one function per endpoint ----------------------------------
#
# What a Python expert types for one known response, written out by hand below (not generated):
# the whole response in one function, nested dict literals inside list comprehensions, no call per
# nested object. Honest about the semantics: a whitelist keeps only the listed keys that are
# present, so each function tries the all-keys-present literal (a ``try`` is free in 3.11) and
# falls back to ``in`` guards; for data that is usually sparse it uses the guards directly.
# Like any code written for JSON data, it assumes exact dicts and lists where the filter's data
# has them (the filters also handle mapping subclasses, tuples and ``None``; on this data both
# give identical output, asserted below: same keys in the same order, same types).

FLAT = [f"f{i}" for i in range(16)]
DEEP = {"l1": [f"a{i}" for i in range(4)], "l2": [f"b{i}" for i in range(4)], "l3": [f"c{i}" for i in range(4)],
        "l4": [f"e{i}" for i in range(4)], "l5": ["g0", "g1", "g2"]}
USER_KEYS = [f"u{i}" for i in range(8)]
ADDR = ["a0", "a1", "a2"]
SPARSE_KEYS = [f"s{i}" for i in range(30)]
CELL = ["c0", "c1", "c2"]
META_ITEM = ["id", "name", "kind"]


def _guard(d, keys):
    return {k: d[k] for k in keys if k in d}


def tight_flat(d):
    try:
        return {"f0": d["f0"], "f1": d["f1"], "f2": d["f2"], "f3": d["f3"], "f4": d["f4"], "f5": d["f5"],
                "f6": d["f6"], "f7": d["f7"], "f8": d["f8"], "f9": d["f9"], "f10": d["f10"], "f11": d["f11"],
                "f12": d["f12"], "f13": d["f13"], "f14": d["f14"], "f15": d["f15"]}
    except KeyError:
        return _guard(d, FLAT)


def _deep_slow(x):
    r = _guard(x, DEEP["l1"] + ["b"])
    if "b" in r:
        b = r["b"] = _guard(r["b"], DEEP["l2"] + ["c"])
        if "c" in b:
            c = b["c"] = _guard(b["c"], DEEP["l3"] + ["e"])
            if "e" in c:
                e = c["e"] = _guard(c["e"], DEEP["l4"] + ["g"])
                if "g" in e:
                    e["g"] = _guard(e["g"], DEEP["l5"])
    return r


def tight_deep(v):
    try:
        return [{"a0": x["a0"], "a1": x["a1"], "b": {
                    "b0": (b := x["b"])["b0"], "b1": b["b1"], "c": {
                        "c0": (c := b["c"])["c0"], "c1": c["c1"], "e": {
                            "e0": (e := c["e"])["e0"], "e1": e["e1"], "g": {
                                "g0": (g := e["g"])["g0"], "g1": g["g1"], "g2": g["g2"]},
                            "e2": e["e2"], "e3": e["e3"]},
                        "c2": c["c2"], "c3": c["c3"]},
                    "b2": b["b2"], "b3": b["b3"]},
                 "a2": x["a2"], "a3": x["a3"]} for x in v]
    except KeyError:
        return [_deep_slow(x) for x in v]


def tight_page(v):
    try:
        return [{"u0": x["u0"], "u1": x["u1"], "u2": x["u2"], "u3": x["u3"],
                 "addr": {"a0": (a := x["addr"])["a0"], "a1": a["a1"], "a2": a["a2"]},
                 "u4": x["u4"], "u5": x["u5"], "u6": x["u6"], "u7": x["u7"]} for x in v]
    except KeyError:
        out = []
        for x in v:
            r = _guard(x, USER_KEYS[:4] + ["addr"] + USER_KEYS[4:])
            if "addr" in r:
                r["addr"] = _guard(r["addr"], ADDR)
            out.append(r)
        return out


def tight_sparse(v):
    out = []
    append = out.append
    for d in v:
        r = {}
        if "s0" in d: r["s0"] = d["s0"]
        if "s1" in d: r["s1"] = d["s1"]
        if "s2" in d: r["s2"] = d["s2"]
        if "s3" in d: r["s3"] = d["s3"]
        if "s4" in d: r["s4"] = d["s4"]
        if "s5" in d: r["s5"] = d["s5"]
        if "s6" in d: r["s6"] = d["s6"]
        if "s7" in d: r["s7"] = d["s7"]
        if "s8" in d: r["s8"] = d["s8"]
        if "s9" in d: r["s9"] = d["s9"]
        if "s10" in d: r["s10"] = d["s10"]
        if "s11" in d: r["s11"] = d["s11"]
        if "s12" in d: r["s12"] = d["s12"]
        if "s13" in d: r["s13"] = d["s13"]
        if "s14" in d: r["s14"] = d["s14"]
        if "s15" in d: r["s15"] = d["s15"]
        if "s16" in d: r["s16"] = d["s16"]
        if "s17" in d: r["s17"] = d["s17"]
        if "s18" in d: r["s18"] = d["s18"]
        if "s19" in d: r["s19"] = d["s19"]
        if "s20" in d: r["s20"] = d["s20"]
        if "s21" in d: r["s21"] = d["s21"]
        if "s22" in d: r["s22"] = d["s22"]
        if "s23" in d: r["s23"] = d["s23"]
        if "s24" in d: r["s24"] = d["s24"]
        if "s25" in d: r["s25"] = d["s25"]
        if "s26" in d: r["s26"] = d["s26"]
        if "s27" in d: r["s27"] = d["s27"]
        if "s28" in d: r["s28"] = d["s28"]
        if "s29" in d: r["s29"] = d["s29"]
        append(r)
    return out


def tight_grid(d):
    try:
        return {"name": d["name"],
                "grid": [[{"c0": x["c0"], "c1": x["c1"], "c2": x["c2"]} for x in row] for row in d["grid"]]}
    except KeyError:
        r = _guard(d, ["name", "grid"])
        if "grid" in r:
            r["grid"] = [[_guard(x, CELL) for x in row] for row in r["grid"]]
        return r


def tight_star(v):
    try:
        return [{"id": x["id"], "name": x["name"], "meta": x["meta"].copy(), "kind": x["kind"]} for x in v]
    except KeyError:
        out = []
        for x in v:
            r = _guard(x, ["id", "name", "meta", "kind"])
            if "meta" in r:
                r["meta"] = r["meta"].copy()
            out.append(r)
        return out


def _scalar(rng: random.Random) -> Any:
    return rng.choice([rng.randint(0, 10**6), f"text {rng.random()}", rng.random(), True, None])


def _obj(rng: random.Random, keys: list[str], extra: int = 3, presence: float = 1.0) -> dict[str, Any]:
    out = {k: _scalar(rng) for k in keys if rng.random() < presence}
    out.update({f"x_{k}": _scalar(rng) for k in range(extra)})  # fields the filter drops
    return out


def _deep_obj(rng: random.Random) -> dict[str, Any]:
    g = _obj(rng, DEEP["l5"])
    e = {**_obj(rng, DEEP["l4"]), "g": g}
    c = {**_obj(rng, DEEP["l3"]), "e": e}
    b = {**_obj(rng, DEEP["l2"]), "c": c}
    return {**_obj(rng, DEEP["l1"]), "b": b}


def tight_shapes() -> dict[str, tuple[FilterTree, Any, Callable[[Any], Any]]]:
    """The shapes of the tight table: (filter, data as ``json.loads`` gives it, hand-written)."""
    rng = random.Random(99)

    def via_json(value: Any) -> Any:  # a service filters what it parses: fresh keys, exact types
        return json.loads(json.dumps(value))

    deep = ["a0", "a1", "b.b0", "b.b1", "b.c.c0", "b.c.c1", "b.c.e.e0", "b.c.e.e1", "b.c.e.g.g0",
            "b.c.e.g.g1", "b.c.e.g.g2", "b.c.e.e2", "b.c.e.e3", "b.c.c2", "b.c.c3", "b.b2", "b.b3", "a2", "a3"]
    return {
        "flat object": (FilterTree.from_paths(FLAT), via_json(_obj(rng, FLAT, 6)), tight_flat),
        "deep (5 levels) x300": (FilterTree.from_paths(deep), via_json([_deep_obj(rng) for _ in range(300)]), tight_deep),
        "page x1000": (
            FilterTree.from_paths(USER_KEYS[:4] + [f"addr.{k}" for k in ADDR] + USER_KEYS[4:]),
            via_json([{**_obj(rng, USER_KEYS[:4]), "addr": _obj(rng, ADDR, 2), **_obj(rng, USER_KEYS[4:])} for _ in range(1000)]),
            tight_page,
        ),
        "sparse x1000": (
            FilterTree.from_paths(SPARSE_KEYS), via_json([_obj(rng, SPARSE_KEYS, 5, 0.35) for _ in range(1000)]), tight_sparse
        ),
        "lists of lists 20x20": (
            FilterTree.from_paths(["name"] + [f"grid.{k}" for k in CELL]),
            via_json({"name": "g", "grid": [[_obj(rng, CELL, 1) for _ in range(20)] for _ in range(20)], "x": 1}),
            tight_grid,
        ),
        "'*' level x300": (
            FilterTree.from_paths(["id", "name", "meta.*", "kind"]),
            via_json([{**_obj(rng, ["id", "name"]), "meta": _obj(rng, [f"m{i}" for i in range(6)], 0), **_obj(rng, ["kind"])}
                      for _ in range(300)]),
            tight_star,
        ),
    }


def identical(a: Any, b: Any) -> bool:
    """Equal with the same types everywhere and the same key order (what ``==`` overlooks)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if type(x) is dict:
            if list(x) != list(y):
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif type(x) is list:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif x != y and not (x != x and y != y):
            return False
    return True


def tight_report(folder: Path) -> None:
    """Closures and the generated module against the tightest hand-written code, per shape."""
    shapes = tight_shapes()
    module = generated_module({name: tree for name, (tree, _, _) in shapes.items()}, folder, "bench_tight_gen")
    print("\nagainst the tightest hand-written code (one function per endpoint, everything inlined);\n"
          "data as json.loads gives it; ns/op, min of 15 x 5 repeats, taken in turns\n")
    header = f"{'shape':24}{'hand-written':>14}{'closures':>20}{'generated module':>22}"
    print(header)
    print("-" * len(header))
    for name, (tree, data, tight) in shapes.items():
        closures = compile_filter(tree)
        gen = module[name]
        expected = tight(data)
        for impl in (closures, gen):
            for _ in range(3):  # the first calls warm up the nodes that are only called lazily
                out = impl(data)
            if not identical(out, expected):
                raise SystemExit(f"different output on {name}")
        ns_t, ns_c, ns_m = interleaved([tight, closures, gen], data, rounds=15, budget=0.04)
        print(f"{name:24}{fmt(ns_t):>14}{fmt(ns_c) + f' ({ns_c / ns_t:.2f}x)':>20}{fmt(ns_m) + f' ({ns_m / ns_t:.2f}x)':>22}")


# --- timing ------------------------------------------------------------------------------------


def ns_per_call(fn: Callable[[Any], Any], arg: Any, budget: float = 0.25) -> float:
    """Min over repeats of the mean ns per call; each repeat runs about ``budget / 5`` s."""
    number, elapsed = 1, 0.0
    while True:
        start = time.perf_counter_ns()
        for _ in range(number):
            fn(arg)
        elapsed = (time.perf_counter_ns() - start) / 1e9
        if elapsed >= budget / 5 or number >= 1 << 20:
            break
        number *= 2 if elapsed == 0 else max(2, min(10, int(budget / 5 / elapsed) + 1))
    runs = []
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(number):
            fn(arg)
        runs.append((time.perf_counter_ns() - start) / number)
    return min(runs)


def fmt(ns: float) -> str:
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.1f} us" if ns >= 1e3 else f"{ns:.0f} ns"


def main(quick: bool = False) -> None:
    """Print the tables; ``quick`` keeps hand-written, closures and the generated module only."""
    rng = random.Random(1234)
    workloads = {
        "object": (BIG, make_data(BIG, rng), False, False),
        "page": (USER, [make_data(USER, rng) for _ in range(1000)], True, False),
        "sparse": (SPARSE, [make_data(SPARSE, rng, presence=0.35) for _ in range(1000)], True, True),
    }
    trees = {name: tree_of(m) for name, (m, *_) in workloads.items()}
    assert len(dotted_paths(trees["object"])) == 60
    with tempfile.TemporaryDirectory() as folder:
        module = generated_module(trees, Path(folder))
        table: dict[str, dict[str, float | None]] = {}
        for name, (m, data, page, sparse) in workloads.items():
            tree = trees[name]
            expected = compile_filter(tree)(data)
            hand = hand_written(m, sparse)
            impls: dict[str, Callable[[Any], Any] | None] = {
                "hand-written": (lambda h: lambda v: [h(x) for x in v])(hand) if page else hand,
                "compile_filter (closures)": compile_filter(tree),
                "generated module": module[name],
                "dict-comprehension closures": comprehension(tree),
                "naive interpreter": naive(tree),
                "glom": None if sparse else glom_impl(m, page),
                "marshmallow only=": marshmallow_impl(m, page),
                "pydantic model_dump(include=)": pydantic_impl(m, data, page, sparse),
                "msgspec convert+to_builtins": msgspec_impl(m, page),
            }
            if quick:
                impls = {k: v for k, v in impls.items() if k in QUICK}
            for impl, fn in impls.items():
                if fn is None:
                    table.setdefault(impl, {})[name] = None
                    continue
                if fn(data) != expected:
                    raise SystemExit(f"{impl} gives a different result on {name}")
                table.setdefault(impl, {})[name] = ns_per_call(fn, data)
    print(f"Python {sys.version.split()[0]}; ns/op (ratio to hand-written), min of 5 repeats\n")
    header = f"{'implementation':32}" + "".join(f"{w:>22}" for w in workloads)
    print(header)
    print("-" * len(header))
    base = table["hand-written"]
    for impl, row in table.items():
        cells = []
        for w in workloads:
            ns = row.get(w)
            cells.append(f"{'n/a':>22}" if ns is None else f"{fmt(ns) + f' ({ns / base[w]:.2f}x)':>22}")
        print(f"{impl:32}" + "".join(cells))
    deep_report(Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory() as folder:
        tight_report(Path(folder))
    compile_report()
    if quick:
        return
    selection_report(workloads, trees)


QUICK = ("hand-written", "compile_filter (closures)", "generated module")


def deep_report(folder: Path) -> None:
    """Data nested as deep as ``json.loads`` goes (lists in lists under a container): the
    nodes run out of stack and hand over to the explicit-stack walker; the cost per level.
    """
    depth = 900
    data = json.loads('{"a": ' + "[" * depth + '{"b": 1, "c": 2}' + "]" * depth + "}")
    tree = FilterTree.from_paths(["a.b"])
    with tempfile.TemporaryDirectory(dir=folder) as where:
        impls = {"compile_filter (closures)": compile_filter(tree), "generated module": generated_module({"deep": tree}, Path(where))["deep"]}
        print(f"\n{depth} levels of nested lists (the depth-safe fallback):")
        for impl, fn in impls.items():
            ns = ns_per_call(fn, data)
            print(f"  {impl:30} {fmt(ns):>10} ({ns / depth:.0f} ns per level)")


def random_filter(rng: random.Random, leaves: int) -> FilterTree:
    """Worst case: every level a fresh random mix of 4-14 fields, 1 in 5 nested, depth <= 4."""
    counter = iter(range(10**9))
    remaining = [leaves]

    def level(depth: int) -> FilterTree:
        fields: list[tuple[str, FilterTree | None]] = []
        for _ in range(rng.randint(4, 14)):
            if remaining[0] <= 0:
                break
            if depth < 4 and rng.random() < 0.2:
                sub = level(depth + 1)
                if sub.fields:
                    fields.append((f"obj_{next(counter)}", sub))
            else:
                remaining[0] -= 1
                fields.append((f"field_{next(counter)}", None))
        return FilterTree(tuple(fields))

    top: list[tuple[str, FilterTree | None]] = []
    while remaining[0] > 0:
        top.append((f"group_{next(counter)}", level(1)))
    return FilterTree(tuple(top))


def api_filter(rng: random.Random, leaves: int) -> FilterTree:
    """Typical: many operations' responses built from 40 object types (User, Address...),
    each written out in full where it appears (no aliases, so nothing is shared).
    """
    kinds: list[list[tuple[str, int | None]]] = []
    for index in range(40):
        fields: list[tuple[str, int | None]] = []
        for i in range(rng.randint(3, 14)):
            nested = index < 39 and rng.random() < 0.15
            fields.append((f"t{index}_f{i}", rng.randint(index + 1, 39) if nested else None))
        kinds.append(fields)

    def build(index: int, depth: int) -> FilterTree:
        return FilterTree(
            tuple(
                (name, None if sub is None or depth == 3 else build(sub, depth + 1))
                for name, sub in kinds[index]
            )
        )

    top: list[tuple[str, FilterTree | None]] = []
    total = 0
    while total < leaves:
        tree = build(rng.randrange(40), 0)
        total += len(dotted_paths(tree))
        top.append((f"op_{len(top)}", tree))
    return FilterTree(tuple(top))


def compile_report() -> None:
    print()
    for label, tree in [
        ("typical API", api_filter(random.Random(7), 5000)),
        ("worst case, all random", random_filter(random.Random(7), 5000)),
    ]:
        paths = len(dotted_paths(tree))
        cold, warm = [], []
        for _ in range(7):
            factory_cache_clear()
            start = time.perf_counter_ns()
            compile_filter(tree)
            cold.append(time.perf_counter_ns() - start)
            start = time.perf_counter_ns()
            compile_filter(tree)
            warm.append(time.perf_counter_ns() - start)
        shapes = factory_cache_info().shapes
        print(
            f"compile_filter, {paths}-path filter, {label} ({shapes} shapes): "
            f"cold {fmt(min(cold))} (median {fmt(statistics.median(cold))}), "
            f"warm {fmt(min(warm))} (median {fmt(statistics.median(warm))})"
        )
        # Other levels generate their code when they get hot; the cost if every one of them does:
        factory_cache_clear()
        plan = plan_of(tree)
        start = time.perf_counter_ns()
        made: list[Any] = []
        for index in range(len(plan.nodes)):
            made.append(build(plan, index, made))
        every = time.perf_counter_ns() - start
        print(f"  (if every level got hot: all {len(plan.nodes)} levels' code {fmt(every)}, {factory_cache_info().shapes} shapes)")


# --- fields= selection -------------------------------------------------------------------------


def interleaved(fns: list[Callable[[Any], Any]], arg: Any, rounds: int = 9, budget: float = 0.1) -> list[float]:
    """ns per call of each of ``fns``, measured in turns so drift hits all alike (min)."""
    runs: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, times in zip(fns, runs):
            times.append(ns_per_call(fn, arg, budget=budget))
    return [min(times) for times in runs]


def miss_ns(selector: Any, nickname: str, fields: str, repeat: int = 200) -> tuple[float, float]:
    """(min, median) ns of ``select`` on an empty cache: parse, check, intersect, compile."""
    times = []
    for _ in range(repeat):
        selector.cache_clear()
        start = time.perf_counter_ns()
        try:
            selector.select(nickname, fields)
        except FieldSelectionError:
            pass
        times.append(time.perf_counter_ns() - start)
    return min(times), statistics.median(times)


def selection_report(workloads: dict[str, Any], trees: dict[str, FilterTree]) -> None:
    print(
        "\nfields= selection: filters.select(nickname, fields)(data), cached, against the same compiled\n"
        "filter called plainly (table[nickname](data)) and the whole whitelist (filters[nickname](data));\n"
        "ns/op, min of 9 repeats taken in turns\n"
    )
    api = api_filter(random.Random(7), 5000)
    everything = {**trees, "api": api}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "bench.json")
        path.write_text(json.dumps({name: dotted_paths(tree) for name, tree in everything.items()}))
        filters = load_filters(path)
    whole_object = ", ".join(name for name, _ in trees["object"].fields)  # every top-level key
    cases = [
        # (label, nickname, fields, compare with: "whitelist" or "direct")
        ("object, fields = every top-level key", "object", whole_object, "whitelist"),
        ("object, fields = 5 paths", "object",
         "stats, profile.address, items.owner.owner_0, root_1, root_5", "direct"),
        ("page, fields = every top-level key", "page", ", ".join(n for n, _ in trees["page"].fields), "whitelist"),
        ("page, fields = user_0, address.addr_1", "page", "user_0, address.addr_1", "direct"),
        ("sparse, fields = 4 paths", "sparse", "sparse_3, sparse_7, sparse_11, sparse_20", "direct"),
    ]
    header = f"{'case':40}{'selection call':>16}{'same filter, plain':>22}{'overhead':>10}{'vs filters[nickname]':>22}"
    print(header)
    print("-" * len(header))
    for label, nickname, fields, baseline in cases:
        data = workloads[nickname][1]
        selected = filters.select(nickname, fields)
        whole = filters[nickname]
        if baseline == "whitelist":
            assert selected is whole
            direct = lambda v, n=nickname: filters[n](v)  # noqa: E731 - the plain lookup + call
            assert direct(data) == selected(data)
        else:
            compiled = {nickname: compile_filter(select_tree(filters.selector.tree(nickname), fields))}
            direct = lambda v, n=nickname, table=compiled: table[n](v)  # noqa: E731 - lookup + call
            assert direct(data) == selected(data)
        call = lambda v, n=nickname, f=fields: filters.select(n, f)(v)  # noqa: E731
        plain = lambda v, n=nickname: filters[n](v)  # noqa: E731
        ns_select, ns_direct, ns_whole = interleaved([call, direct, plain], data)
        print(
            f"{label:40}{fmt(ns_select):>16}{fmt(ns_direct):>22}"
            f"{(ns_select / ns_direct - 1) * 100:>9.1f}%{ns_select / ns_whole:>21.2f}x"
        )
    lookup = ns_per_call(lambda f: filters.select("object", f), "stats, root_1")
    print(f"\nthe cached lookup alone (filters.select(nickname, fields)): {fmt(lookup)}")

    print("\ncache miss: parse + check + intersect + compile a new selection (factories warm)")
    api_paths = dotted_paths(api)
    misses = [
        ("object (60-path whitelist), 5 paths", "object", cases[1][2]),
        ("object, all 60 leaves (= whitelist, no compile)", "object", ", ".join(dotted_paths(trees["object"]))),
        ("api (5000-path whitelist), 3 operations", "api", "op_1, op_20, op_40"),
        ("api (5000-path whitelist), 50 leaves", "api", ", ".join(api_paths[::100])),
        ("api, rejected (1 path outside)", "api", "op_1, op_1.nope"),
    ]
    for label, nickname, fields in misses:
        low, median = miss_ns(filters.selector, nickname, fields)
        print(f"  {label:48} min {fmt(low):>9}, median {fmt(median):>9}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
