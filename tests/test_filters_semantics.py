"""Filter semantics: compiled closures and the generated module against a reference interpreter."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections import OrderedDict, defaultdict
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.filters import FilterTree, compile_filter, dotted_paths, module_source
from sphinx_apidocs.filters.tree import TreeBuilder

from filter_reference import reference

KEYS = ["a", "b", "c", "d", "a.b", "*", "x\\y"]


def run_generated(trees: dict[str, FilterTree]) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    source = module_source(trees, sources=["test.yaml"], command="sphinx-apidocs compile")
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["FILTERS"]


# A declaration: names (1-3 levels) and whether it ends in '*'; built with union semantics.
declarations = st.lists(
    st.tuples(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3), st.booleans()),
    max_size=8,
)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS + ["e"]), inner, max_size=5),
    max_leaves=12,
)


def build(decls: list[tuple[list[str], bool]]) -> FilterTree:
    builder = TreeBuilder()
    for names, star in decls:
        builder.add(names, star=star)
    return builder.build()


def allowed(decls: list[tuple[list[str], bool]], path: tuple[str, ...]) -> bool:
    """Is ``path`` (keys from the top, list levels skipped) inside the whitelist?"""
    for names, star in decls:
        names = tuple(names)
        if not star and path[: len(names)] == names:
            return True  # inside a leaf, or the leaf itself
        if star and len(path) >= len(names) + 1 and path[: len(names)] == names:
            return True
        if path == names[: len(path)]:
            return True  # a container on the way to a declaration
    return False


def output_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found.append(prefix + (key,))
            found += output_paths(item, prefix + (key,))
        return found
    if isinstance(value, list):
        return [p for item in value for p in output_paths(item, prefix)]
    return []


@given(declarations, json_like)
def test_compiled_matches_reference_and_never_mutates(decls, data):
    tree = build(decls)
    before = copy.deepcopy(data)
    result = compile_filter(tree)(data)
    assert data == before
    assert result == reference(tree, data)
    for path in output_paths(result):
        assert allowed(decls, path), path


@given(declarations, st.lists(json_like, max_size=4))
def test_generated_module_matches_closures(decls, pages):
    tree = build(decls)
    generated = run_generated({"op": tree})["op"]
    compiled = compile_filter(tree)
    for data in pages:
        assert generated(data) == compiled(data) == reference(tree, data)


@given(declarations)
def test_dotted_paths_parse_back_to_the_same_tree(decls):
    tree = build(decls)
    paths = dotted_paths(tree)
    assert len(paths) == len(set(paths))
    assert FilterTree.from_paths(paths) == tree


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(), max_size=3)))
def test_adaptive_missing_key_handling_stays_correct(objects):
    tree = FilterTree.from_paths(["a", "b", "c"])
    f = compile_filter(tree)
    for obj in objects * 20:  # enough misses to switch to `in` checks and back
        assert f(obj) == reference(tree, obj)


def test_semantics_by_example():
    f = compile_filter(FilterTree.from_paths(["info.ref", "info.loc.city", "tags.*", "n"]))
    data = {
        "info": {"ref": {"deep": 1}, "loc": {"city": "X", "zip": 1}, "secret": 2},
        "tags": [{"k": 1}, 3, None, [{"z": 2}]],
        "n": [1, 2],
        "other": 1,
    }
    assert f(data) == {
        "info": {"ref": {"deep": 1}, "loc": {"city": "X"}},
        "tags": [{"k": 1}, None, None, [{"z": 2}]],
        "n": [1, 2],
    }
    assert f({"info": 5, "tags": "x"}) == {"info": None, "tags": None}
    assert f({"info": None}) == {"info": None}
    assert f(None) is None and f(3) is None and f("abc") is None
    assert f(({"n": 1}, [{"n": 2}])) == [{"n": 1}, [{"n": 2}]]
    assert f({}) == {}


def test_output_order_is_filter_order_and_leaves_pass_whole():
    f = compile_filter(FilterTree.from_paths(["b", "a.x", "c"]))
    result = f({"c": 3, "a": {"y": 1, "x": 2}, "b": [1]})
    assert list(result) == ["b", "a", "c"]
    assert result["a"] == {"x": 2}


def test_output_never_shares_filtered_containers():
    data = {"a": {"x": 1}, "s": {"k": 1}, "l": [{"x": 1}]}
    result = compile_filter(FilterTree.from_paths(["a.x", "s.*", "l.x"]))(data)
    assert result["a"] is not data["a"] and result["s"] is not data["s"]
    assert result["l"] is not data["l"] and result["l"][0] is not data["l"][0]


def test_other_mappings_are_read_without_side_effects():
    f = compile_filter(FilterTree.from_paths(["a", "b.c"]))
    counting = defaultdict(int, a=1)
    assert f(counting) == {"a": 1}
    assert dict(counting) == {"a": 1}  # no key inserted by a lookup
    assert f(OrderedDict(b={"c": 1, "d": 2})) == {"b": {"c": 1}}
    assert compile_filter(FilterTree(star=True))(defaultdict(int, a=1)) == {"a": 1}


def test_union_semantics_in_the_tree():
    assert FilterTree.from_paths(["p.city", "p"]) == FilterTree.from_paths(["p"])
    assert FilterTree.from_paths(["p", "p.city"]) == FilterTree.from_paths(["p"])
    assert FilterTree.from_paths(["a.x", "a.*", "a.y"]) == FilterTree.from_paths(["a.*"])
    assert dotted_paths(FilterTree.from_paths(["a.x", "b", "a.y", "a"])) == ["a", "b"]
    assert dotted_paths(FilterTree.from_paths(["a.x", "b", "a.y"])) == ["a.x", "a.y", "b"]


def test_dotted_paths_escapes_names():
    tree = FilterTree((("app.version", None), ("a\\b", None), ("*", None), ("s", FilterTree(star=True))))
    assert dotted_paths(tree) == ["app\\.version", "a\\\\b", "\\*", "s.*"]
    assert FilterTree.from_paths(dotted_paths(tree)) == tree


def test_shared_subtrees_compile_once_and_work():
    shared = FilterTree.from_paths(["id"])
    f = compile_filter(FilterTree((("a", shared), ("b", shared))))
    assert f({"a": {"id": 1, "x": 2}, "b": [{"id": 3}]}) == {"a": {"id": 1}, "b": [{"id": 3}]}


@pytest.mark.parametrize("bad", [((1, None),), (("a", "leaf"),), (("a", None), ("a", None))])
def test_filter_tree_rejects_bad_fields(bad):
    with pytest.raises((TypeError, ValueError)):
        FilterTree(bad)


def test_runtime_import_loads_neither_sphinx_nor_docutils():
    code = (
        "import sys, sphinx_apidocs.filters\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_generated_code_is_registered_for_tracebacks():
    import linecache

    f = compile_filter(FilterTree.from_paths(["a", "b.c"]))
    code = f.__code__
    assert "<sphinx_apidocs.filters node" in code.co_filename
    assert "def node(d):" in linecache.getline(code.co_filename, code.co_firstlineno)


def test_switches_to_in_checks_and_back_without_changing_results():
    tree = FilterTree.from_paths(["a", "b.c"])
    f = compile_filter(tree)
    sparse, full = {"a": 1}, {"a": 1, "b": {"c": 2, "d": 3}}
    for data in [sparse] * 40 + [full] * 100 + [sparse] * 3 + [full] * 100 + [[sparse, full]] * 5:
        assert f(data) == reference(tree, data)
