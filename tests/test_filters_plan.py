"""The plan: one description of a filter, computed once, read by every consumer."""

from __future__ import annotations

import re
import sys

import pytest

from sphinx_apidocs.filters import (
    FieldSelector,
    FilterTree,
    compile_filter,
    compile_plan,
    load_filters,
    module_source,
    plan_of,
)
from sphinx_apidocs.filters import select as select_module
from sphinx_apidocs.filters.compile import factory_cache_clear, factory_cache_info
from sphinx_apidocs.filters.interpret import interpret
from sphinx_apidocs.filters.plan import MAX_INLINE, MAX_UNROLLED, STAR, Group, Plan, Shape

from filter_reference import reference


def test_a_plan_is_a_post_order_table_of_distinct_levels():
    user = FilterTree.from_paths(["id", "name"])
    same_user = FilterTree.from_paths(["id", "name"])  # equal, not the same object
    tree = FilterTree((("owner", user), ("author", same_user), ("tags", FilterTree(star=True)), ("n", None)))
    plan = plan_of(tree)
    assert len(plan.nodes) == 3 and plan.roots == (2,) and plan.root == 2
    leaf_level, star_level, top = plan.nodes
    assert leaf_level.names == ("id", "name") and leaf_level.children == (None, None)
    assert leaf_level.fallback == Shape("fallback", "LL") and not leaf_level.star
    assert star_level.star and star_level.fallback is None and star_level.names == ()
    assert top.names == ("owner", "author", "tags", "n") and top.children == (0, 0, 1, None)
    assert top.fallback == Shape("fallback", "LLLL")
    # the top's code inlines both objects and the '*' copy; 'owner' and 'author' share a node
    assert plan.group(2) == Group(Shape("group", "{{LL}{LL}SL}"), ("owner", "id", "name", "author", "id", "name", "tags", "n"), (0, 0, 1))
    assert plan.group(0) == Group(Shape("group", "{LL}"), ("id", "name"), ())
    # every factory shape once, in order of first use (a node's fallback before its group)
    assert plan.shapes == (
        Shape("fallback", "LL"), Shape("group", "{LL}"), STAR, Shape("fallback", "LLLL"), Shape("group", "{{LL}{LL}SL}")
    )
    assert plan_of(tree) == plan  # deterministic and comparable
    assert plan.lookups == ({"id": None, "name": None}, None, {"owner": 0, "author": 0, "tags": 1, "n": None})
    with pytest.raises(ValueError):
        plan_of(tree, tree).root  # two trees: no single root


def test_equal_levels_share_one_function_and_aliases_are_visited_once():
    level = FilterTree.from_paths(["id"])
    for _ in range(60):  # 2**60 paths if expanded: the plan must follow each object once
        level = FilterTree((("a", level), ("b", level)))
    plan = plan_of(level)
    assert len(plan.nodes) == 61
    f = compile_filter(FilterTree((("x", FilterTree.from_paths(["id"])), ("y", FilterTree.from_paths(["id"])))))
    assert f.spec[0][1] is f.spec[1][1]  # type: ignore[attr-defined]
    assert f({"x": {"id": 1, "s": 2}, "y": [{"id": 3}]}) == {"x": {"id": 1}, "y": [{"id": 3}]}


def test_plans_of_any_depth_are_made_without_recursion():
    tree = FilterTree.from_paths([".".join(["a"] * (sys.getrecursionlimit() * 3))])
    plan = plan_of(tree)
    assert len(plan.nodes) == sys.getrecursionlimit() * 3
    assert compile_plan(plan)({"a": {"a": None}}) == {"a": {"a": None}}


def test_the_generated_module_is_the_plan_written_out():
    trees = {"one": FilterTree.from_paths(["a.b", "c.*", "d"]), "two": FilterTree.from_paths(["a.b", "e"])}
    plan = plan_of(*trees.values())
    source = module_source(trees, sources=["s.yaml"], command="c")
    assert len(re.findall(r"^_n\d+ = ", source, re.M)) == len(plan.nodes)  # a statement per node
    shared = [shape for shape in plan.shapes if shape.kind != "group"]
    assert len(re.findall(r"^def _s\d+\(", source, re.M)) == len(shared)  # a factory per shared shape
    groups = [index for index, node in enumerate(plan.nodes) if not node.star]
    assert re.findall(r"^def (_g\d+)\(", source, re.M) == [f"_g{index}" for index in groups]  # a level's own code
    assert "    _K[0]: _n%d," % plan.roots[0] in source and "    _K[1]: _n%d," % plan.roots[1] in source
    assert module_source(trees, sources=["s.yaml"], command="c") == source  # deterministic


def test_the_selector_plans_each_whitelist_once(tmp_path, monkeypatch):
    planned: list[FilterTree] = []

    def counting(*trees: FilterTree) -> Plan:
        planned.extend(trees)
        return plan_of(*trees)

    monkeypatch.setattr(select_module, "plan_of", counting)
    (tmp_path / "f.json").write_text('{"op": ["a.b", "a.c", "d", "e.*"], "other": ["x"]}')
    filters = load_filters(tmp_path / "f.json")
    whitelist = filters.selector.tree("op")
    for fields in ("a.b", "d, a", "e.z", "a.c, e", "d"):
        filters.select("op", fields)
    assert planned.count(whitelist) == 1  # its plan compiled it and checked every request
    assert filters["op"] is filters.selector.whitelist("op")
    data = {"a": {"b": 1, "c": 2, "z": 3}, "d": 4, "e": {"q": 5}, "y": 6}
    assert filters.select("op", "a.c, e")(data) == {"a": {"c": 2}, "e": {"q": 5}}


def test_factory_cache_is_observable_and_can_start_cold():
    tree = FilterTree.from_paths(["p.q", "p.r", "s"])
    factory_cache_clear()
    assert factory_cache_info().shapes == 0
    compile_filter(tree)
    compile_filter(tree)
    assert factory_cache_info().shapes == 2  # the root's group and fallback; 'p' is inlined, lazy
    f = compile_filter(tree)
    for _ in range(20):
        f({"p": None, "s": 1})  # 'p' gets hot through the fallback: its own code is generated
    assert factory_cache_info().shapes == len(plan_of(tree).shapes) == 3  # both levels: fallback LL
    compile_filter(tree)
    assert factory_cache_info().shapes == 3  # warm: nothing new


def test_generic_nodes_and_compiled_nodes_agree():
    tree = FilterTree.from_paths(["a.b", "a.c.*", "d", "e.f.g"])
    data = [{"a": {"b": 1, "c": {"x": 1}, "z": 0}, "d": (1, 2), "e": {"f": [{"g": 1, "h": 2}, 3]}}, None, 5]
    plan = plan_of(tree)
    expected = reference(tree, data)
    assert compile_plan(plan)(data) == interpret(plan, reuse_factories=False)(data) == expected
    assert FieldSelector({"op": tree}).select("op")(data) == expected


def test_inlining_is_bounded_and_wide_levels_loop():
    wide = FilterTree(tuple((f"w{i}", None) for i in range(MAX_UNROLLED + 1)))
    assert plan_of(wide).nodes[0].fallback == Shape("loop")
    data = {f"w{i}": i for i in range(0, MAX_UNROLLED + 1, 2)}
    f = compile_filter(wide)
    for _ in range(40):  # misses, then the looping fallback
        assert f(data) == reference(wide, data) and f([data, None]) == reference(wide, [data, None])
    chain = FilterTree.from_paths([".".join(["a"] * 40) + ".b"])
    plan = plan_of(chain)
    pattern = plan.group(plan.root).shape.pattern
    assert pattern.count("{") <= 7 and "C" in pattern  # depth-bounded, the rest is called
    big = FilterTree(tuple((f"o{i}", FilterTree(tuple((f"k{j}", None) for j in range(20)))) for i in range(30)))
    plan = plan_of(big)
    pattern = plan.group(plan.root).shape.pattern
    assert "C" in pattern and 2 * 20 * pattern.count("{", 1) <= MAX_INLINE
    value = {f"o{i}": {f"k{j}": j for j in range(20)} for i in range(30)}
    assert compile_filter(big)(value) == reference(big, value)
