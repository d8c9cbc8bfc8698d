"""Hostile field names never execute, in closures or in the generated module (cf. fastjsonschema)."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sphinx_apidocs.cli import main
from sphinx_apidocs.filters import FilterTree, compile_filter, load_filter_trees, module_source
from sphinx_apidocs.filters.codegen import str_literal


def payloads(marker: Path) -> list[str]:
    """Names that would run code (create ``marker`` / set ``builtins.PWNED``) if ever evaluated."""
    touch = f"open({str(marker)!r}, 'w').close()"
    return [
        f"'] or {touch} or d['",
        f"\"] or {touch} or d[\"",
        f"'''\n{touch}\n'''",
        f'"""\n{touch}\n"""',
        f"__import__('builtins').__setattr__('PWNED', 1)",
        f"\\'); {touch}; ('",
        f"x\n{touch}\n",
        f"#\n{touch}",
        f"{{{touch}}}",
        f"{touch}\\",
        f"\r{touch}",
        f"\u2028{touch}",
    ]


PLAIN_HOSTILE = [
    "'", '"', "\\", "\n", "\r\n", "\x00", "\ud800", "\u2028", "{0}", "%s", "#", "", " ",
    "class", "def", "None", "lambda", "return", "__builtins__", "__import__", "_K", "_Mapping",
    "FILTERS", "d", "x", "r", "c", "g", "k0", "k1", "f1", "node", "other", "state", "fallback",
    "containers", "mode", "_s0", "_n0", "type", "dict", "list", "isinstance", "x" * 5000,
]


class EvilStr(str):
    def __repr__(self) -> str:
        return "__import__('builtins').__setattr__('PWNED', 2)"

    __str__ = __repr__


def hostile_tree(names: list[str]) -> FilterTree:
    inner = FilterTree(tuple((name, None) for name in names))
    return FilterTree(
        tuple((name, None) for name in names[: len(names) // 2])
        + tuple((f"nest{name}", inner) for name in names[len(names) // 2 :])
    )


def hostile_data(names: list[str]) -> dict[str, Any]:
    inner = {name: [name, 1] for name in names}
    inner["not whitelisted"] = 0
    data: dict[str, Any] = {name: {"v": name} for name in names[: len(names) // 2]}
    data.update({f"nest{name}": [inner, inner] for name in names[len(names) // 2 :]})
    data["drop"] = 1
    return data


def expected(names: list[str]) -> dict[str, Any]:
    inner = {name: [name, 1] for name in names}
    out: dict[str, Any] = {name: {"v": name} for name in names[: len(names) // 2]}
    out.update({f"nest{name}": [inner, inner] for name in names[len(names) // 2 :]})
    return out


@pytest.fixture
def no_side_effects(tmp_path):
    marker = tmp_path / "pwned"
    yield marker
    assert not marker.exists()
    assert not hasattr(builtins, "PWNED")


def all_names(marker: Path) -> list[str]:
    return payloads(marker) + PLAIN_HOSTILE + [EvilStr("evil")]


def test_closures_filter_hostile_names_without_running_them(no_side_effects):
    names = all_names(no_side_effects)
    f = compile_filter(hostile_tree(names))
    assert f(hostile_data(names)) == expected(names)


def test_generated_module_is_inert_and_correct(no_side_effects):
    names = all_names(no_side_effects)
    trees = {name: hostile_tree(names) for name in names[:5] + [EvilStr("nick")]}
    source = module_source(trees, sources=["a.yaml"], command="sphinx-apidocs compile a.yaml -o m.py")
    tree = ast.parse(source)
    namespace: dict[str, Any] = {}
    exec(compile(tree, "<generated>", "exec"), namespace)
    for nickname in trees:
        assert namespace["FILTERS"][str.__str__(nickname)](hostile_data(names)) == expected(names)
    assert "evil" not in source.replace("'evil'", "")  # only the exact-str literal of the value


def generated_module_facts(source: str) -> None:
    """What makes the generated module safe, checked on its syntax tree rather than assumed:
    identifiers come from the templates and counters; the only import is the stdlib Mapping;
    string constants other than docstrings sit in the ``_K`` table, which is a tuple of
    plain literals; ``_K`` is only ever subscripted with integer constants.
    """
    tree = ast.parse(source)
    vocabulary = re.compile(
        r"^(_K|_Mapping|FILTERS|_s\d+|_n\d+|k\d+|f\d+|d|x|r|c|g|node|other|state|fallback|"
        r"containers|mode|type|dict|list|tuple|isinstance|len|KeyError)$"
    )
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [(n.module, [a.name for a in n.names]) for n in imports] == [("collections.abc", ["Mapping"])]
    table = next(
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_K"
    )
    assert isinstance(table.value, ast.Tuple)
    assert all(isinstance(e, ast.Constant) and type(e.value) is str for e in table.value.elts)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
    in_table = {id(e) for e in table.value.elts}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert vocabulary.match(node.id), node.id
        elif isinstance(node, ast.arg):
            assert vocabulary.match(node.arg), node.arg
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert id(node) in in_table or id(node) in docstrings, node.value
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "_K":
            assert isinstance(node.slice, ast.Constant) and type(node.slice.value) is int
        elif isinstance(node, ast.Attribute):
            assert node.attr == "copy", node.attr  # d.copy() in the '*' node


def test_generated_module_only_carries_names_as_table_literals(no_side_effects):
    names = all_names(no_side_effects)
    trees = {"op": hostile_tree(names), "star": FilterTree(star=True), "empty": FilterTree()}
    hostile_header = [f"evil\nimport os\nos.system('touch {no_side_effects}')", "\x00nul", "\u2028sep"]
    source = module_source(trees, sources=hostile_header, command=hostile_header[0])
    generated_module_facts(source)


def test_str_literal_refuses_subclasses_and_round_trips():
    with pytest.raises(TypeError):
        str_literal(EvilStr("x"))
    for name in PLAIN_HOSTILE:
        assert ast.literal_eval(str_literal(name)) == name


def test_filter_tree_stores_exact_str_for_subclasses():
    tree = FilterTree(((EvilStr("a"), None),))
    assert type(tree.fields[0][0]) is str and tree.fields[0][0] == "a"


def test_hostile_names_from_a_file_through_the_cli(tmp_path, no_side_effects, capsys):
    names = payloads(no_side_effects) + PLAIN_HOSTILE
    escaped = [n.replace("\\", "\\\\").replace(".", "\\.").replace("*", "\\*") for n in names if n]
    (tmp_path / "evil.json").write_text(json.dumps({"op": escaped, "'] or x or d['": ["a"]}))
    assert [n for n, _ in load_filter_trees(tmp_path / "evil.json")["op"].tree.fields] == [n for n in names if n]
    out = tmp_path / "gen_evil.py"
    assert main(["compile", str(tmp_path / "evil.json"), "-o", str(out)]) == 0
    generated_module_facts(out.read_text(encoding="utf-8"))
    spec = importlib.util.spec_from_file_location("gen_evil", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = {n: 1 for n in names}
    assert module.FILTERS["op"](data) == {n: 1 for n in names if n}
