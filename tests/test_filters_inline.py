"""The inlined fast paths: closures, the generated module and the reference agree exactly.

A node's code inlines its children (``Plan.group``) and guards every inlined level: only an
exact ``dict`` with every key present (or an exact ``list`` of them) takes the literal; anything
else falls back to the general node of that level. These properties drive random whitelists
over random data built to hit every guard: mapping subclasses, missing keys, wrong types,
tuples, lists of lists, and nesting deep enough to pass the inline bounds; ``type()`` of every
value is compared, not only ``==``.
"""

from __future__ import annotations

import sys
from collections import OrderedDict, defaultdict
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sphinx_apidocs.filters import FilterTree, compile_filter, module_source
from sphinx_apidocs.filters.codegen import _SHORT
from sphinx_apidocs.filters.compile import HOT
from sphinx_apidocs.filters.tree import TreeBuilder

from filter_reference import reference

KEYS = ["a", "b", "c", "d", "e"]


class Sub(dict):  # type: ignore[type-arg]
    """A dict subclass that redacts 'a': must be read through its protocol."""

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        return "<redacted>" if key == "a" else value


def identical(x: Any, y: Any) -> bool:
    """Same value, same type at every level, same key order."""
    stack = [(x, y)]
    while stack:
        p, q = stack.pop()
        if type(p) is not type(q):
            return False
        if type(p) is dict:
            if list(p) != list(q):
                return False
            stack.extend((p[k], q[k]) for k in p)
        elif type(p) is list:
            if len(p) != len(q):
                return False
            stack.extend(zip(p, q))
        elif p != q:
            return False
    return True


def wrap(kind: str, items: dict[str, Any]) -> Any:
    if kind == "sub":
        return Sub(items)
    if kind == "ordered":
        return OrderedDict(items)
    if kind == "default":
        return defaultdict(list, items)
    if kind == "proxy":
        return MappingProxyType(items)
    return items


scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=2) | st.floats(allow_nan=False)
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple)
    | st.builds(
        wrap,
        st.sampled_from(["dict", "dict", "dict", "sub", "ordered", "default", "proxy"]),
        st.dictionaries(st.sampled_from(KEYS + ["z"]), inner, max_size=6),
    ),
    max_leaves=30,
)
declarations = st.lists(
    st.tuples(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5), st.booleans()), max_size=10
)


def build(decls: list[tuple[list[str], bool]]) -> FilterTree:
    builder = TreeBuilder()
    for names, star in decls:
        builder.add(names, star=star)
    return builder.build()


def module_filter(tree: FilterTree) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(module_source({"op": tree}, sources=["t"], command="c"), "<generated>", "exec"), namespace)
    return namespace["FILTERS"]["op"]


def full(tree: FilterTree, depth: int = 0) -> Any:
    """Data with every whitelisted key present (the literal's path), nested lists included."""
    if tree.star:
        return {"s": 1, 2: "two"}
    out: dict[str, Any] = {"z": 0}
    for name, child in tree.fields:
        out[name] = depth if child is None else ([full(child, depth + 1), [full(child, depth + 1)]] if depth % 2 else full(child, depth + 1))
    return out


@settings(max_examples=150, deadline=None)
@given(declarations, st.lists(data, min_size=1, max_size=4))
def test_closures_module_and_reference_agree_exactly(decls, values):
    tree = build(decls)
    closures, generated = compile_filter(tree), module_filter(tree)
    for _ in range(HOT + 2):  # before and after the lazily generated nodes take over
        for value in values + [full(tree), [full(tree), None, (full(tree),)]]:
            expected = reference(tree, value)
            assert identical(closures(value), expected)
            assert identical(generated(value), expected)


@settings(max_examples=60, deadline=None)
@given(declarations, st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
def test_a_missing_key_at_any_inlined_level_falls_back(decls, drop):
    tree = build(decls)
    closures, generated = compile_filter(tree), module_filter(tree)
    value = full(tree)
    stack = [value]
    while stack:  # drop the keys at every level
        item = stack.pop()
        if isinstance(item, dict):
            for key in drop:
                item.pop(key, None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    for _ in range(40):  # through the miss counting, the slow mode and back
        for v in (value, full(tree), [value, full(tree)]):
            assert identical(closures(v), reference(tree, v))
            assert identical(generated(v), reference(tree, v))


def test_inlined_levels_guard_their_types():
    tree = FilterTree.from_paths(["a", "p.a", "p.q.a", "l.b", "s.*"])
    f, g = compile_filter(tree), module_filter(tree)
    values = [
        {"a": 1, "p": {"a": 2, "q": {"a": 3}}, "l": [{"b": 1}, ({"b": 2},), None, [{"b": 3}]], "s": {"k": 1}},
        {"a": 1, "p": Sub(a=2, q=Sub(a=3)), "l": ({"b": 1},), "s": Sub(a=1, b=2)},
        {"a": 1, "p": {"a": 2, "q": "text"}, "l": "x", "s": [{"k": 1}, None]},
        {"a": 1, "p": [{"a": 1, "q": [{"a": 2}]}], "l": [[{"b": 4, "c": 5}]], "s": None},
        {"a": 1, "p": defaultdict(list, a=1), "l": [MappingProxyType({"b": 1})], "s": MappingProxyType({"k": 2})},
    ]
    for _ in range(HOT + 2):
        for value in values + [values]:
            expected = reference(tree, value)
            assert identical(f(value), expected) and identical(g(value), expected)
    assert "q" not in values[4]["p"]  # a defaultdict never grows


def test_deep_data_through_inlined_levels():
    tree = FilterTree.from_paths([".".join(["a"] * 30) + ".b"])
    value: Any = {"b": 1, "c": 2}
    for _ in range(3000):
        value = {"a": value, "x": 0}
    f, g = compile_filter(tree), module_filter(tree)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)
    try:
        expected = reference(tree, value)
    finally:
        sys.setrecursionlimit(old)
    for _ in range(HOT + 2):
        out_f, out_g = f(value), g(value)
    sys.setrecursionlimit(20000)
    try:
        assert out_f == expected and out_g == expected
    finally:
        sys.setrecursionlimit(old)


def _constants(code: Any) -> list[Any]:
    found, stack = [], [code]
    while stack:
        for value in stack.pop().co_consts:
            if isinstance(value, type(code)):
                stack.append(value)
            elif isinstance(value, tuple):
                found.extend(value)
            else:
                found.append(value)
    return found


def test_keys_are_the_names_as_constants_and_no_placeholder_is_left():
    # names that look like the placeholders, in an order that would show a wrong mapping
    names = ["$1", "$0", "'$2'", "$3", "b"]
    tree = FilterTree(
        tuple((name, None) for name in names[:3]) + (("$3", FilterTree((("$0", None), ("b", None)))),)
    )
    value = {"$0": 0, "$1": 1, "'$2'": 2, "$3": {"$0": 3, "b": 4, "$1": 5}, "$2": 6}
    f = compile_filter(tree)
    assert identical(f(value), reference(tree, value))
    assert identical(f([value, value]), reference(tree, [value, value]))
    assert identical(module_filter(tree)(value), reference(tree, value))
    strings = {c for c in _constants(f.__code__) if type(c) is str}
    assert strings <= set(names)  # only the names themselves: every placeholder replaced


def test_lists_of_lists_inline_and_keep_their_guards():
    tree = FilterTree.from_paths(["name", "grid.a", "grid.b"])
    f, g = compile_filter(tree), module_filter(tree)
    rows = [[{"a": 1, "b": 2, "c": 3}, Sub(a=1, b=2), None, ({"a": 1, "b": 2},), [{"a": 5, "b": 6}]], (), None, 7]
    values = [
        {"name": "n", "grid": [[{"a": i, "b": i, "c": 0} for i in range(3)] for _ in range(3)]},
        {"name": "n", "grid": rows},
        {"name": "n", "grid": [[{"a": 1}]]},  # a missing key inside a row
        {"name": "n", "grid": [[defaultdict(list, a=1, b=2)]]},
    ]
    for _ in range(HOT + 40):
        for value in values + [values]:
            expected = reference(tree, value)
            assert identical(f(value), expected) and identical(g(value), expected)
    assert "c" not in values[3]["grid"][0][0]


# --- the list path: its first form (every element an exact dict) and its mixed form -------------

ELEMENTS = [
    "full", "full", "full", "dropped", "sub", "ordered", "default", "default dropped", "hidden", "proxy",
    "none", "scalar", "tuple", "row", "random",
]


class Hidden(dict):  # type: ignore[type-arg]
    """A dict subclass whose protocol hides 'b' (``in`` says no): its storage must never leak."""

    def __contains__(self, key: object) -> bool:
        return key != "b" and dict.__contains__(self, key)


def dropped(tree: FilterTree, drop: list[str]) -> Any:
    """``full(tree)`` without the keys ``drop`` at every level (missing keys, deep and shallow)."""
    value = full(tree)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in drop:
                item.pop(key, None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def element(tree: FilterTree, kind: str, drop: list[str], other: Any) -> Any:
    if kind == "full":
        return full(tree)
    if kind == "dropped":
        return dropped(tree, drop)
    if kind in ("sub", "ordered", "default", "proxy"):
        return wrap(kind, full(tree))
    if kind == "default dropped":  # missing keys: a subscript without ``in`` would grow it
        return wrap("default", dropped(tree, drop))
    if kind == "hidden":
        return Hidden(full(tree))
    if kind == "tuple":
        return (full(tree), dropped(tree, drop))
    if kind == "row":  # a list of lists: the rows go through the node
        return [full(tree), None, full(tree)]
    return {"none": None, "scalar": 3, "random": other}[kind]


@settings(max_examples=80, deadline=None)
@given(
    declarations,
    st.lists(st.lists(st.sampled_from(ELEMENTS), max_size=5), min_size=1, max_size=4),
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=2),
    data,
)
def test_list_paths_in_both_forms_agree_with_the_reference(decls, kinds, drop, other):
    """Lists of exact dicts (the first form), and lists holding anything else: the switch to the
    mixed form, its ``_RECOVER`` lists and the way back, misses and the slow mode, in any order.
    """
    tree = build(decls)
    closures, generated = compile_filter(tree), module_filter(tree)
    lists = [[element(tree, kind, drop, other) for kind in row] for row in kinds]
    # short lists take the mixed form at once; longer ones try the first form, with the odd
    # elements anywhere: first, last, in the middle
    lists += [[full(tree) for _ in range(_SHORT)] + row for row in lists]
    lists += [row[::-1] for row in lists[len(kinds):]]
    lists.append([full(tree) for _ in range(_SHORT + 1)])  # a plain list between the mixed ones
    grown = [(item, set(item)) for row in lists for item in row if isinstance(item, defaultdict)]
    for _ in range(40):  # more lists than _RECOVER: the mixed form ends and the first one retries
        for value in lists:
            expected = reference(tree, value)
            assert identical(closures(value), expected)
            assert identical(generated(value), expected)
    for item, keys in grown:
        assert set(item) == keys  # a defaultdict element never grows


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="comprehensions are inlined (PEP 709)")
def test_list_comprehensions_bind_their_values_as_locals():
    """What the speed of lists rests on, checked on the code: the rows of a list of lists are a
    comprehension with no free variable (no closure made per row), and the first form of a
    list path binds ``type``, ``dict`` and the element's inlined children as its own locals.
    """
    tree = FilterTree.from_paths(["name", "grid.c0", "grid.c1", "meta.*"])
    f = compile_filter(tree)
    codes, stack = [], [f.__code__]
    while stack:
        code = stack.pop()
        codes.append(code)
        stack.extend(c for c in code.co_consts if isinstance(c, type(code)))
    rows = [c for c in codes if c.co_name == "<listcomp>" and "y0" in c.co_varnames]
    assert rows and all(c.co_freevars == () for c in rows)
    first = [c for c in codes if c.co_name == "<listcomp>" and "T" in c.co_varnames]
    assert len(first) == 1
    assert {"e", "T", "D", "x", "u0", "u1"} <= set(first[0].co_varnames)
    assert not {"T", "D", "u0", "u1"} & set(first[0].co_freevars + first[0].co_cellvars)
    # the mixed form (short lists, lists holding anything): no closure per call either
    mixed = [c for c in codes if c.co_name == "<listcomp>" and "u0" in c.co_varnames and "T" not in c.co_varnames]
    assert len(mixed) == 1 and mixed[0].co_freevars == ()


def test_mixed_form_tells_a_dict_holding_itself_from_another_element():
    """The mixed form marks a non-dict element by binding it as its first child's value
    (``u0 is not x``): a dict whose child is itself takes the node instead, same result.
    """
    tree = FilterTree.from_paths(["a", "s.a", "m.*"])
    selfish: dict[str, Any] = {"a": 1, "z": 0, "m": {"k": 2}}
    selfish["s"] = selfish  # the first inlined child: what the mixed form binds first
    f, g = compile_filter(tree), module_filter(tree)
    for value in ([selfish], [selfish, None, {"a": 2, "s": None, "m": {"k": 1}}], [selfish] * (_SHORT + 2)):
        for _ in range(HOT + 2):
            expected = reference(tree, value)
            assert identical(f(value), expected) and identical(g(value), expected)
