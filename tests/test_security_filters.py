"""Output filters under attack (issue 10): no leak through mapping subclasses, no stale
whitelist, no crash on what ``json`` can produce, no traceback when the reader goes away.

Every implementation is held to one rule (the reference in ``filter_reference.py``): closures
(``compile_filter``), the generated module (``module_source``), field selections (compiled and
the generic nodes past the shape budget), and the CLI.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import io
import json
import os
import subprocess
import sys
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.cli import main
from sphinx_apidocs.filters import (
    FieldSelector,
    FilterError,
    FilterTree,
    compile_filter,
    compile_plan,
    dotted_paths,
    load_filters,
    module_source,
    parse_filter_text,
    plan_of,
    select_tree,
)
from sphinx_apidocs.filters.interpret import interpret
from sphinx_apidocs.filters.tree import TreeBuilder

from filter_reference import reference

ROOT = Path(__file__).resolve().parent.parent


# --- hostile mappings ------------------------------------------------------------------------------


class Secret:
    """A value no filter may ever return: it sits only behind hidden or redacted keys."""

    def __repr__(self) -> str:
        return "Secret()"


REDACTED = "<redacted>"


class GetitemOnlyDict(dict):
    """Overrides ``__getitem__`` alone (hidden keys raise, others may be redacted): ``dict(d)``,
    ``d.copy()`` and ``{**d}`` take CPython's fast path and copy the raw storage.
    """

    def __init__(self, data: dict[Any, Any], hidden: frozenset[Any], redacted: frozenset[Any]) -> None:
        super().__init__(data)
        self.hidden = hidden
        self.redacted = redacted

    def __getitem__(self, key: Any) -> Any:
        if key in self.hidden:
            raise KeyError(key)
        value = dict.__getitem__(self, key)
        return REDACTED if key in self.redacted else value


class RedactingDict(GetitemOnlyDict):
    """A dict subclass whose protocol hides some stored keys and redacts others: its raw
    storage (what ``dict(d)``, ``d.copy()`` and ``{**d}`` read) holds ``Secret``s there.
    ``in`` is dict's own, so a hidden key is ``in`` it but ``d[key]`` raises ``KeyError``.
    """

    def keys(self) -> list[Any]:  # type: ignore[override]
        return [key for key in dict.keys(self) if key not in self.hidden]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())


class Unlisted:
    """Stored under a key ``keys()`` does not list: ``*`` must not pass it; a field that names
    the key may (``in`` and ``[]`` still answer for it: the key is present, just not listed).
    """

    def __repr__(self) -> str:
        return "Unlisted()"


class KeysOnlyDict(dict):
    """Overrides ``keys()`` alone to leave keys out (``__iter__`` and ``__getitem__`` are
    dict's, so ``dict(d)`` would copy them).
    """

    def __init__(self, data: dict[Any, Any], hidden: frozenset[Any], redacted: frozenset[Any]) -> None:
        super().__init__({k: Unlisted() if k in hidden else v for k, v in data.items() if k not in redacted})
        self.hidden = hidden

    def keys(self) -> list[Any]:  # type: ignore[override]
        return [key for key in dict.keys(self) if key not in self.hidden]


class OddMapping(Mapping):  # type: ignore[type-arg]
    """A ``Mapping`` that is no dict: ``keys()`` lists every stored key, ``__iter__`` only the
    visible ones (they disagree), and ``__getitem__`` raises ``KeyError`` for a listed key.
    """

    def __init__(self, data: dict[Any, Any], hidden: frozenset[Any], redacted: frozenset[Any]) -> None:
        self._data = dict(data)
        self.hidden = hidden
        self.redacted = redacted

    def __getitem__(self, key: Any) -> Any:
        if key in self.hidden:
            raise KeyError(key)
        value = self._data[key]
        return REDACTED if key in self.redacted else value

    def keys(self) -> list[Any]:  # type: ignore[override]
        return list(self._data)

    def __iter__(self) -> Iterator[Any]:
        return iter([key for key in self._data if key not in self.hidden])

    def __len__(self) -> int:
        return len(self._data)


def _secret_default() -> Secret:
    return Secret()


KINDS = ["dict", "redacting", "getitem-only", "keys-only", "odd", "ordered", "default", "proxy",
         "proxy-redacting", "list-sub"]
HIDING = {"redacting": RedactingDict, "getitem-only": GetitemOnlyDict, "keys-only": KeysOnlyDict, "odd": OddMapping}


class ListSub(list):  # type: ignore[type-arg]
    """A list subclass: iterated like any list."""


def make_mapping(kind: str, items: dict[Any, Any], hidden: frozenset[Any], redacted: frozenset[Any]) -> Any:
    """A mapping of ``kind``; hidden and redacted keys hold a ``Secret`` in raw storage."""
    if kind in HIDING or kind == "proxy-redacting":
        items = dict(items)
        for key in hidden | redacted:
            items[key] = Secret()
        made = HIDING.get(kind, RedactingDict)(items, hidden, redacted - hidden)
        return MappingProxyType(made) if kind == "proxy-redacting" else made
    if kind == "ordered":
        return OrderedDict(items)
    if kind == "default":
        return defaultdict(_secret_default, items)  # a lookup that inserted would leak a Secret
    if kind == "proxy":
        return MappingProxyType(dict(items))
    if kind == "list-sub":
        return ListSub(items.values())
    return dict(items)


KEYS = ["a", "b", "c", "a.b", "*"]
ODD_KEYS = [1, None, (1, "a"), 2.5, True]  # never match a named field; '*' passes them

leaves = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=2)


def exotic_over(keys: list[str]) -> st.SearchStrategy[Any]:
    """JSON-like data in every kind of container, keyed by ``keys`` (and odd keys)."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.builds(
            make_mapping,
            st.sampled_from(KINDS),
            st.dictionaries(st.sampled_from(keys + ODD_KEYS), inner, max_size=4),
            st.frozensets(st.sampled_from(keys + ODD_KEYS[:1]), max_size=2),
            st.frozensets(st.sampled_from(keys), max_size=2),
        ),
        max_leaves=10,
    )


exotic = exotic_over(KEYS)
declarations = st.lists(
    st.tuples(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3), st.booleans()), max_size=6
)


def build(decls: list[tuple[list[str], bool]]) -> FilterTree:
    builder = TreeBuilder()
    for names, star in decls:
        builder.add(names, star=star)
    return builder.build()


def raw_snapshot(value: Any) -> Any:
    """Everything stored, raw storage included: equal before and after means not mutated."""
    if isinstance(value, MappingProxyType):
        return ("proxy", raw_snapshot(value.copy()))  # the underlying dict's own copy: raw storage
    if isinstance(value, OddMapping):
        return ("odd", raw_snapshot(value._data))
    if isinstance(value, dict):
        return (type(value).__name__, tuple((repr(k), raw_snapshot(v)) for k, v in dict.items(value)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(raw_snapshot(v) for v in value))
    return ("id", id(value))


def reachable(value: Any) -> Iterator[Any]:
    """Every value reachable from ``value`` through the mapping protocol (what a consumer
    reading the output can see), without recursion.
    """
    stack = [value]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (list, tuple)):
            stack.extend(current)
        elif isinstance(current, Mapping):
            for key in list(current.keys()):
                if key in current:
                    try:
                        stack.append(current[key])
                    except KeyError:
                        pass


def implementations(tree: FilterTree) -> dict[str, Callable[[Any], Any]]:
    """The same filter as closures, a generated module, and generic selection nodes."""
    namespace: dict[str, Any] = {}
    exec(compile(module_source({"op": tree}, sources=["t.yaml"], command="c"), "<generated>", "exec"), namespace)
    return {
        "closures": compile_filter(tree),
        "generated module": namespace["FILTERS"]["op"],
        "generic selection nodes": interpret(plan_of(tree), reuse_factories=False),
    }


# --- mapping protocol, by example ------------------------------------------------------------------


def hidden_and_redacted(cls: type = RedactingDict) -> dict[Any, Any]:
    return cls({"a": 1, "b": Secret(), "c": Secret(), 7: 2}, frozenset({"b"}), frozenset({"c"}))


@pytest.mark.parametrize("cls", [RedactingDict, GetitemOnlyDict])
@pytest.mark.parametrize("paths", [["*"], ["a", "b", "c"], ["x.*"], ["x.a", "x.b", "x.c"]])
def test_a_dict_subclass_is_read_through_its_protocol_never_its_storage(paths, cls):
    tree = FilterTree.from_paths(paths)
    for name, f in implementations(tree).items():
        top = hidden_and_redacted(cls)
        out = f(top) if not paths[0].startswith("x") else f({"x": top})["x"]
        expected = {"a": 1, "c": REDACTED, 7: 2} if paths == ["*"] or paths == ["x.*"] else {"a": 1, "c": REDACTED}
        assert out == expected, name
        assert not any(isinstance(v, Secret) for v in reachable(out)), name


@pytest.mark.parametrize(
    "make",
    [
        lambda: OddMapping({"a": 1, "b": Secret()}, frozenset({"b"}), frozenset()),  # keys() lists b, [b] raises
        lambda: MappingProxyType(hidden_and_redacted()),
        lambda: MappingProxyType(hidden_and_redacted(GetitemOnlyDict)),
        lambda: KeysOnlyDict({"a": 1, "b": 2}, frozenset({"b"}), frozenset()),
        lambda: OrderedDict(a=1, z=3),
        lambda: MappingProxyType({"a": 1, "z": 3}),
    ],
    ids=["keys-and-iter-disagree", "proxy-of-redacting", "proxy-of-getitem-only", "keys-only", "ordered", "proxy"],
)
def test_other_mappings_follow_the_same_rule(make):
    for paths in (["*"], ["a", "b"]):
        tree = FilterTree.from_paths(paths)
        for name, f in implementations(tree).items():
            value = make()
            assert f(value) == reference(tree, value), (name, paths)
            assert f([value, (value,)]) == [reference(tree, value), [reference(tree, value)]], name
            assert not any(isinstance(v, Secret) for v in reachable(f(value))), name


def test_star_passes_only_listed_keys_and_names_reach_present_ones():
    value = KeysOnlyDict({"a": 1, "b": 2}, frozenset({"b"}), frozenset())
    for name, f in implementations(FilterTree(star=True)).items():
        assert f(value) == {"a": 1} and f([value]) == [{"a": 1}], name
    for name, f in implementations(FilterTree.from_paths(["b"])).items():
        assert f(value) == {"b": value["b"]}, name


def test_defaultdict_never_grows_and_never_answers_a_missing_key():
    for paths in (["*"], ["a", "missing"], ["n.missing"], ["n.*"]):
        tree = FilterTree.from_paths(paths)
        for name, f in implementations(tree).items():
            value = defaultdict(_secret_default, a=1, n=defaultdict(_secret_default, k=2))
            out = f(value)
            assert dict(value) == {"a": 1, "n": value["n"]} and dict(value["n"]) == {"k": 2}, name
            assert not any(isinstance(v, Secret) for v in reachable(out)), name


def test_non_str_keys_pass_star_and_never_match_a_name():
    value = {1: "one", None: "none", (1, "a"): "t", "1": "str", 2.5: "float"}
    for name, f in implementations(FilterTree.from_paths(["1", "None", "True"])).items():
        assert f(value) == {"1": "str"}, name
    for name, f in implementations(FilterTree(star=True)).items():
        assert f(value) == value and f(value) is not value, name
        assert f(MappingProxyType(value)) == value, name


def test_a_mapping_whose_getitem_fails_otherwise_reports_that_failure():
    class Broken(dict):
        def __getitem__(self, key: Any) -> Any:
            raise ValueError("backend down")

    for name, f in implementations(FilterTree.from_paths(["a"])).items():
        with pytest.raises(ValueError, match="backend down"):
            f(Broken(a=1))


# --- mapping protocol, as properties ---------------------------------------------------------------


@given(declarations, exotic)
def test_every_implementation_agrees_with_the_reference_and_leaks_nothing(decls, data):
    tree = build(decls)
    before = raw_snapshot(data)
    expected = reference(tree, data)
    for name, f in implementations(tree).items():
        out = f(data)
        assert out == expected, name
        assert raw_snapshot(data) == before, f"{name} mutated its input"
        leaked = [v for v in reachable(out) if isinstance(v, Secret)]
        assert not leaked, f"{name} leaked {leaked}"


@given(declarations, exotic)
def test_selections_agree_with_the_reference_on_exotic_data(decls, data):
    whitelist = build(decls)
    paths = dotted_paths(whitelist)
    fields = [p for i, p in enumerate(paths) if i % 2 == 0] if paths else None
    tree = select_tree(whitelist, fields)
    expected = reference(tree, data)
    assert compile_filter(tree)(data) == expected
    assert interpret(plan_of(tree))(data) == expected
    assert interpret(plan_of(tree), reuse_factories=False)(data) == expected
    assert not any(isinstance(v, Secret) for v in reachable(expected))


# Names that would run or break code if a consumer ever wrote them into source, and names that
# collide with the identifiers of the generated code.
HOSTILE_KEYS = [
    "a", "b", "*", "'] or __import__('builtins').__setattr__('PWNED', 1) or d['", "\\", "\n", "\x00",
    "\ud800", "{0}", "_K", "k0", "f0", "keys", "children", "spec", "_pick", "node",
]


@given(
    st.lists(st.tuples(st.lists(st.sampled_from(HOSTILE_KEYS), min_size=1, max_size=3), st.booleans()), max_size=5),
    exotic_over(HOSTILE_KEYS),
)
def test_one_plan_serves_every_consumer_alike(decls, data):
    """The closures, the generated module, the generic nodes and the selector all read one
    plan of the whitelist, and agree with the reference on hostile names and exotic data.
    """
    tree = build(decls)
    plan = plan_of(tree)
    selector = FieldSelector({"op": tree}, cache_size=0)
    assert selector.plan("op") == plan and selector.plan("op") is selector.plan("op")
    source = module_source({"op": tree}, sources=["t.yaml"], command="c")
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    # Request paths whose names survive a request's whitespace stripping (``" a"`` cannot).
    fields = [p.replace(",", "\\,") for p in dotted_paths(tree) if p == p.strip()][::2]
    selected = select_tree(tree, fields)
    consumers = {
        "closures": (compile_plan(plan), tree),
        "generated module": (namespace["FILTERS"]["op"], tree),
        "generic nodes": (interpret(plan, reuse_factories=False), tree),
        "whitelist": (selector.select("op", None), tree),
        "selection": (selector.select("op", fields), selected),
    }
    before = raw_snapshot(data)
    for name, (f, expected_tree) in consumers.items():
        out = f(data)
        assert out == reference(expected_tree, data), name
        assert raw_snapshot(data) == before, f"{name} mutated its input"
        assert not any(isinstance(v, Secret) for v in reachable(out)), name
    assert not hasattr(builtins, "PWNED")


# --- deep data -------------------------------------------------------------------------------------


@contextlib.contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """For the recursive reference and ``==`` on deep data only; filters run at the default."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


WRAPPERS = ["list", "tuple", "dict", "redacting", "getitem-only", "odd", "proxy", "list-sub"]


def wrap(kind: str, inner: Any) -> Any:
    """One level around ``inner``; mapping levels keep it under ``"a"`` beside hidden secrets."""
    if kind == "list":
        return [inner, None]
    if kind == "tuple":
        return (inner,)
    if kind == "list-sub":
        return ListSub([inner])
    return make_mapping(kind, {"a": inner, "z": 1}, frozenset({"h"}), frozenset({"r"}))


def deep_value(pattern: list[str], depth: int, core: Any) -> Any:
    value = core
    for index in range(depth):
        value = wrap(pattern[index % len(pattern)], value)
    return value


@functools.lru_cache(maxsize=None)
def implementations_of_path(path: str) -> tuple[FilterTree, dict[str, Callable[[Any], Any]]]:
    """Compiled once per path: hypothesis repeats paths, and compiling is not what is tested."""
    tree = FilterTree.from_paths([path])
    return tree, implementations(tree)


def check_deep(tree: FilterTree, data: Any, compiled: dict[str, Callable[[Any], Any]] | None = None) -> None:
    outputs = {name: f(data) for name, f in (compiled or implementations(tree)).items()}
    with recursion_limit(20_000):
        expected = reference(tree, data)
        for name, out in outputs.items():
            assert out == expected, name
            assert not any(isinstance(v, Secret) for v in reachable(out)), name


@given(
    st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=6),
    st.integers(0, 1500),
    st.integers(1, 200),
    st.sampled_from(["leaf", "star", "container"]),
)
def test_deep_data_is_filtered_by_every_implementation(pattern, depth, filter_depth, end):
    """Up to 1500 levels: lists take two frames a level, so list-heavy patterns pass the
    recursion limit long before the filter's 200 object levels run out.
    """
    path = ".".join(["a"] * filter_depth) + {"leaf": "", "star": ".*", "container": ".z"}[end]
    tree, compiled = implementations_of_path(path)
    check_deep(tree, deep_value(pattern, depth, {"a": {"z": 1, "s": 2}, "z": 3}), compiled)


@pytest.mark.parametrize("pattern", [[kind] for kind in WRAPPERS] + [WRAPPERS])
@pytest.mark.parametrize("end", [".z", ".*", ""])
def test_objects_nested_past_the_recursion_limit(pattern, end):
    """A filter 1500 objects deep on data as deep: one frame per object level, so the
    compiled nodes themselves run out of stack and hand over to the explicit-stack walker.
    """
    tree = FilterTree.from_paths([".".join(["a"] * 1500) + end])
    check_deep(tree, deep_value(pattern, 1600, {"a": {"z": 1, "s": 2}, "z": 3}))


def test_the_deepest_json_is_filtered_and_selected():
    """As deep as ``json.loads`` goes from here: arrays, then objects, then both mixed."""
    def deepest(open_: str, close: str) -> Any:
        low, high = 1, 5000
        while low < high:  # the deepest nesting json accepts at this stack depth
            mid = (low + high + 1) // 2
            try:
                json.loads(open_ * mid + "1" + close * mid)
                low = mid
            except RecursionError:
                high = mid - 1
        return json.loads(open_ * low + "1" + close * low), low

    for open_, close in (("[", "]"), ('{"a":', "}"), ('[{"a":[', "]}]")):
        data, levels = deepest(open_, close)
        assert levels > 300
        tree = FilterTree.from_paths([".".join(["a"] * min(levels, 1500))])
        selector = FieldSelector({"op": tree}, cache_size=0)
        for name, f in {**implementations(tree), "selection": selector.select("op", "a"),
                        "whitelist": selector.whitelist("op")}.items():
            started = time.perf_counter()
            out = f(data)
            assert time.perf_counter() - started < 5, name
            with recursion_limit(20_000):
                assert out == reference(select_tree(tree, "a") if name == "selection" else tree, data), name


# --- stale whitelists ------------------------------------------------------------------------------


@pytest.mark.parametrize("mtime_ns", [None, 0, 315_532_800 * 10**9])  # kept, epoch 0, 1980-01-01
def test_a_same_size_edit_with_a_kept_mtime_is_seen(tmp_path, mtime_ns):
    path = tmp_path / "f.yaml"
    path.write_text("op: [id, secret]\n")
    stamp = mtime_ns if mtime_ns is not None else path.stat().st_mtime_ns
    os.utime(path, ns=(stamp, stamp))
    assert load_filters(path)["op"]({"id": 1, "secret": 2, "public": 3}) == {"id": 1, "secret": 2}
    path.write_text("op: [id, public]\n")  # same size, the removed field must stop passing
    os.utime(path, ns=(stamp, stamp))
    assert path.stat().st_size == len("op: [id, secret]\n")
    assert load_filters(path)["op"]({"id": 1, "secret": 2, "public": 3}) == {"id": 1, "public": 3}


def test_a_renamed_file_with_the_same_bytes_and_times_is_seen(tmp_path):
    folder = tmp_path / "filters"
    folder.mkdir()
    (folder / "a.yaml").write_text("op: [a]\n")
    (folder / "b.yaml").write_text("other: [b]\n")
    first = load_filters(folder)
    assert set(first) == {"op", "other"}
    (folder / "b.yaml").rename(folder / "c.yml")
    os.utime(folder / "c.yml", ns=(0, 0))
    assert load_filters(folder) is not first
    assert load_filters(folder) is load_filters(folder)  # unchanged content: cached


# --- crashes become one-line errors ----------------------------------------------------------------

BIG = "9" * 5000


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err, time.perf_counter() - started


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("f.json", '{"op": [' + BIG + "]}", "f.json:1:9: a field name must be a string, found an integer ("
         + "9" * 80 + "... (5000 characters))"),
        ("f.json", '{"op": ["a"],\n "x": -' + BIG + "}", "f.json:2:7: expected a field list (a list or a mapping) "
         "for operation 'x', found an integer (-" + "9" * 79 + "... (5001 characters))"),
        ("f.json", '{"op": [' + BIG + ".5e" + BIG + "]}", "f.json:1:9: a field name must be a string, found a number ("
         + "9" * 80 + "... (10003 characters))"),
        ("f.yaml", "op: [" + BIG + "]\n", "f.yaml:1:6: a field name must be a string, found an integer ("
         + "9" * 80 + "... (5000 characters)); quote it to use it as a name"),
        ("f.json", '{"op": ' + "[" * 5000 + "]" * 5000 + "}", "f.json:1:207: nested more than 200 levels deep"),
        ("f.yaml", "op: " + "[" * 1000 + "a" + "]" * 1000, "f.yaml:1:204: nested more than 200 levels deep"),
        ("f.yaml", "op: [" + ".".join(["a"] * 5000) + "]", "f.yaml:1:6: fields nested more than 100 levels deep"),
        ("f.yaml", "op: " + "{a: " * 101 + "[b]" + "}" * 101, "f.yaml:1:10: fields nested more than 100 levels deep"),
        ("f.yaml", 'op:\n  "a\\nb\\u2028c":\n', "f.yaml:2:17: 'a\\nb\\u2028c' has a null field list; "
         "to pass its whole value list it as an item: - a\\nb\\u2028c"),
        ("f.yaml", "op: [" + "x" * 10_000 + "..]\n", "f.yaml:1:6: empty segment in '" + "x" * 80 + "'... (10002 characters)"),
    ],
    ids=["json-bigint-field", "json-bigint-list", "json-bigfloat", "yaml-bigint", "json-deep", "yaml-deep",
         "long-path", "deep-mappings", "newline-name", "long-name"],
)
def test_hostile_filter_files_give_one_located_line(tmp_path, capsys, monkeypatch, name, text, message):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    with pytest.raises(FilterError) as info:
        parse_filter_text(text, name, json_syntax=name.endswith(".json"))
    assert str(info.value) == message
    for command in (["fields", name], ["compile", name, "-o", "gen.py"], ["apply", name, "--operation", "op", "in.json"]):
        code, out, err, seconds = run_cli(capsys, *command)
        assert (code, out, err) == (1, "", f"error: {message}\n"), command
        assert seconds < 10
    assert sorted(os.listdir(tmp_path)) == [name]  # nothing written, no temporary file left


def test_a_path_at_the_depth_limit_still_works(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("op: [" + ".".join(["a"] * 100) + "]\n")
    data: Any = 1
    for _ in range(100):
        data = {"a": data, "b": 2}
    out = load_filters(path)["op"](data)
    for _ in range(100):
        assert set(out) == {"a"}
        out = out["a"]
    assert out == 1


def test_apply_passes_huge_and_exact_numbers_through(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text("op: [a, b.c, s.*]\n")
    Path("in.json").write_text(
        '{"a": ' + BIG + ', "b": {"c": -' + BIG + '.25e-1, "d": 1}, "s": {"x": 1e999, "y": 0.10000000000000000001,'
        ' "z": "\\ud800", "w": -0.0, "n": [' + BIG + "]}, \"drop\": " + BIG + "}"
    )
    code, out, err, seconds = run_cli(capsys, "apply", "f.yaml", "--operation", "op", "in.json")
    assert (code, err) == (0, "") and seconds < 5
    assert out == (
        '{\n  "a": ' + BIG + ',\n  "b": {\n    "c": -' + BIG + '.25e-1\n  },\n  "s": {\n    "x": 1e999,\n'
        '    "y": 0.10000000000000000001,\n    "z": "\\ud800",\n    "w": -0.0,\n    "n": [\n      ' + BIG
        + "\n    ]\n  }\n}\n"
    )
    assert json.loads(out, parse_int=str, parse_float=str)["a"] == BIG


@pytest.mark.parametrize("depth", [50, 600])
def test_apply_writes_deep_output_like_json_dumps(tmp_path, capsys, monkeypatch, depth):
    """Lists in lists under a container: the filter walks every level (once two frames each)."""
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text("op: [a.b]\n")
    document = '{"a": ' + "[" * depth + '{"b": 1, "c": 2}' + "]" * depth + ', "x": 2}'
    Path("in.json").write_text(document)
    code, out, err, seconds = run_cli(capsys, "apply", "f.yaml", "--operation", "op", "in.json")
    assert (code, err) == (0, "") and seconds < 5
    with recursion_limit(20_000):
        expected = json.loads(document.replace(', "c": 2', ""))
        del expected["x"]
        assert out == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_apply_input_nested_past_what_json_reads_is_a_located_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text("op: [a]\n")
    Path("in.json").write_text('{"a":\n ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, out, err, seconds = run_cli(capsys, "apply", "f.yaml", "--operation", "op", "in.json")
    assert (code, out, err) == (1, "", "error: in.json:2:100001: invalid JSON: nested too deeply (100001 levels)\n")
    assert seconds < 10
    Path("bad.json").write_bytes(b'{"a":\n "caf\xe9"}')
    code, out, err, _ = run_cli(capsys, "apply", "f.yaml", "--operation", "op", "bad.json")
    assert (code, out, err) == (1, "", "error: bad.json:2:6: not valid UTF-8\n")


def test_fields_output_cannot_break_lines_or_the_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.json").write_text(json.dumps({"op\n2": ["a\nb", "\x1b[2J", "\ud800", "é"]}))
    code, out, err, _ = run_cli(capsys, "fields", "f.json")
    assert (code, out, err) == (0, "op\\n2\n  a\\nb\n  \\x1b[2J\n  \\ud800\n  é\n", "")
    code, out, err, _ = run_cli(capsys, "fields", "f.json", "--json")
    assert (code, err) == (0, "")
    assert out == '{\n  "op\\n2": [\n    "a\\nb",\n    "\\u001b[2J",\n    "\\ud800",\n    "é"\n  ]\n}\n'
    assert json.loads(out) == {"op\n2": ["a\nb", "\x1b[2J", "\ud800", "é"]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=10,
)


@given(json_values)
def test_apply_output_is_json_dumps_output(value):
    from sphinx_apidocs.cli.filter_commands import json_text

    text = json_text(value)
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    try:
        expected.encode("utf-8")
        assert text == expected
    except UnicodeEncodeError:  # a lone surrogate: that string is written as an escape instead
        text.encode("utf-8")
    assert json.loads(text) == value
    assert json_text(value, ascii_only=True) == json.dumps(value, indent=2, ensure_ascii=True)


# --- a reader that goes away -----------------------------------------------------------------------


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_stdout_ends_every_command_quietly_in_process(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text("op: [a]\n")
    Path("in.json").write_text('{"a": 1}')
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    for argv in (["fields", "f.yaml"], ["fields", "f.yaml", "--json"], ["apply", "f.yaml", "--operation", "op", "in.json"]):
        assert main(argv) == 141
    monkeypatch.undo()
    assert capsys.readouterr() == ("", "")


COMMANDS = [["fields", "many.yaml"], ["fields", "many.yaml", "--json"], ["apply", "many.yaml", "--operation", "op0", "in.json"]]


@pytest.mark.parametrize(
    "argv, unbuffered",
    [(argv, unbuffered) for argv in COMMANDS for unbuffered in (False, True)]
    # argparse's own output: with PYTHONUNBUFFERED argparse swallows the write error itself
    + [(argv, False) for argv in (["--help"], ["--version"], ["fields", "--help"])],
)
def test_a_closed_pipe_exits_141_without_a_traceback(tmp_path, argv, unbuffered):
    (tmp_path / "many.yaml").write_text(
        "\n".join(f"op{i}: [{', '.join(f'field_{j}' for j in range(200))}]" for i in range(50)) + "\n"
    )
    (tmp_path / "in.json").write_text(json.dumps({f"field_{j}": j for j in range(200)}))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: EPIPE on the first write
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sphinx_apidocs", *argv], stdout=write_end, stderr=subprocess.PIPE,
            cwd=tmp_path, env=env, timeout=60,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, b"")


# --- the generated module under hostile encodings is covered in test_filters_security.py -----------


def test_hostile_names_in_every_message_stay_on_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = Path("evil\nerror: forged")
    folder.mkdir()
    (folder / "f\r.yaml").write_text("op: [a..b]\n")
    code, out, err, _ = run_cli(capsys, "fields", str(folder))
    assert (code, out) == (1, "")
    assert err == "error: evil\\nerror: forged/f\\r.yaml:1:6: empty segment in 'a..b'\n"
    code, out, err, _ = run_cli(capsys, "compile", "f.yaml", "-o", "x\ny.py", "--check")
    assert (code, out, err) == (1, "", "error: f.yaml: no such file or directory\n")
    Path("ok.yaml").write_text("op: [a]\n")
    code, out, err, _ = run_cli(capsys, "compile", "ok.yaml", "-o", "x\ny.py", "--check")
    assert (code, out) == (1, "")
    assert err == "error: x\\ny.py is missing; run: sphinx-apidocs compile ok.yaml -o 'x\\ny.py'\n"
    code, out, err, _ = run_cli(capsys, "apply", "ok.yaml", "--operation", "no\npe", "in.json")
    assert (code, out, err) == (1, "", "error: no filter for operation 'no\\npe'\n")


# --- files that never end, files of someone else's ------------------------------------------------


def run_process(cwd: Path, *argv: str, timeout: float = 20) -> tuple[int, str, str]:
    """The CLI as a process, killed at ``timeout``: a hang fails the test instead of hanging it."""
    done = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", *argv], capture_output=True, text=True, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_and_oversized_filter_files_are_refused_without_reading(tmp_path):
    from sphinx_apidocs.filters.parse import MAX_FILE_BYTES

    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "folder" / "pipe.yaml")  # opened for reading, a FIFO waits for a writer
    os.mkfifo(tmp_path / "pipe.json")
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    (tmp_path / "f.yaml").write_text("op: [a]\n")
    too_big = f"file is {MAX_FILE_BYTES + 1} bytes, larger than the {MAX_FILE_BYTES}-byte limit"
    for argv, message in [
        (["fields", "folder"], "error: folder/pipe.yaml: not a regular file\n"),
        (["fields", "pipe.json"], "error: pipe.json: not a regular file\n"),
        (["fields", "huge.yaml"], f"error: huge.yaml: {too_big}\n"),
        (["compile", "huge.yaml", "-o", "out.py"], f"error: huge.yaml: {too_big}\n"),
        (["compile", "f.yaml", "-o", "pipe.json", "--check"], "error: pipe.json: not a regular file\n"),
    ]:
        assert run_process(tmp_path, *argv) == (1, "", message), argv
    assert not (tmp_path / "out.py").exists()


def test_compile_never_overwrites_a_filter_file_or_a_hand_written_module(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("filters").mkdir()
    Path("filters/f.yaml").write_text("op: [a]\n")
    Path("mine.py").write_text("print('hand-written')\n")
    Path("filters/f.yaml").chmod(0o644)
    for target, message in [
        ("filters/f.yaml", "error: filters/f.yaml: is one of the filter files; not overwriting it\n"),
        ("mine.py", "error: mine.py: exists and was not generated by sphinx-apidocs; not overwriting it\n"),
        ("filters", "error: filters: is a directory\n"),
    ]:
        assert run_cli(capsys, "compile", "filters", "-o", target)[:3] == (1, "", message)
    assert Path("filters/f.yaml").read_text() == "op: [a]\n"
    assert Path("mine.py").read_text() == "print('hand-written')\n"
    assert sorted(os.listdir(".")) == ["filters", "mine.py"] and os.listdir("filters") == ["f.yaml"]
    Path("empty.py").write_text("")
    assert run_cli(capsys, "compile", "filters", "-o", "empty.py")[:3] == (0, "", "")
    assert run_cli(capsys, "compile", "filters", "-o", "empty.py")[:3] == (0, "", "")  # its own output
    Path("old.py").write_text("# Generated by sphinx-apidocs from:\n#   filters\n")  # the earlier header
    assert run_cli(capsys, "compile", "filters", "-o", "old.py")[:3] == (0, "", "")


def test_a_hostile_fields_request_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("f.yaml").write_text("op: [a, b]\n")
    Path("in.json").write_text('{"a": 1}')
    code, out, err, _ = run_cli(capsys, "apply", "f.yaml", "--operation", "op", "in.json", "--fields", "a\nb,c\x1b[2J")
    assert (code, out) == (1, "")
    assert err == "error: fields: not allowed: a\\nb, c\\x1b[2J (allowed: a, b)\n"


@pytest.mark.parametrize("name", ["gen.json", "gen.YAML", "out.yml"])
def test_compile_refuses_a_module_named_like_a_filter_file(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Written into the filter folder, such a module would break the next ``load_filters``."""
    from sphinx_apidocs.cli import main

    folder = tmp_path / "filters"
    folder.mkdir()
    (folder / "a.yaml").write_text("op: [a]\n")
    assert main(["compile", str(folder), "-o", str(folder / name)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "write the module to a .py file" in err
    assert sorted(p.name for p in folder.iterdir()) == ["a.yaml"]
