"""Hostile field names never execute, in closures or in the generated module (cf. fastjsonschema)."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import io
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
        "__import__('builtins').__setattr__('PWNED', 1)",
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
    "containers", "mode", "_s0", "_n0", "_g0", "type", "dict", "list", "isinstance", "x" * 5000,
    "$0", "$1", "'$0'", "y0", "w0",
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
    identifiers come from the templates and counters; the only imports are the stdlib's
    ``Mapping``; string constants other than docstrings sit in the ``_K``
    table, which is a tuple of plain literals, or are constant keys in the code of a level
    (``_gN``), each one written exactly as ``str_literal`` writes a name of that table;
    ``_K`` is only ever subscripted with integer constants.
    """
    tree = ast.parse(source)
    vocabulary = re.compile(
        r"^(_K|_Mapping|_deep|_pick|_mixed|_Mixed|FILTERS|_s\d+|_g\d+|_n\d+|k\d+|t\d+|u\d+|v\d+|w\d+|x\d+|y\d+|"
        r"d|e|x|r|c|g|k|f|i|T|D|node|other|many|part|mixed|"
        r"state|fallback|keys|children|containers|mode|top|stack|out|slot|spec|type|dict|list|tuple|"
        r"isinstance|len|range|zip|"
        r"Exception|KeyError|RecursionError)$"
    )
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [(n.module, [a.name for a in n.names]) for n in imports] == [
        ("collections.abc", ["Mapping"]),
    ]
    table = next(
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "_K"
    )
    assert isinstance(table.value, ast.Tuple)
    assert all(isinstance(e, ast.Constant) and type(e.value) is str for e in table.value.elts)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
    in_table = {id(e) for e in table.value.elts}
    names = {e.value for e in table.value.elts}
    level_keys = set()  # the str constants inside the code of a level, ``_gN``
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and re.fullmatch(r"_g\d+", function.name):
            for node in ast.walk(function):
                if isinstance(node, ast.Constant) and type(node.value) is str:
                    assert node.value in names, node.value
                    assert ast.get_source_segment(source, node) == str_literal(node.value)
                    level_keys.add(id(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert vocabulary.match(node.id), node.id
        elif isinstance(node, ast.arg):
            assert vocabulary.match(node.arg), node.arg
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert id(node) in in_table or id(node) in level_keys or id(node) in docstrings, node.value
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "_K":
            assert isinstance(node.slice, ast.Constant) and type(node.slice.value) is int
        elif isinstance(node, ast.Attribute):
            # d.copy() and d.keys() in '*' nodes, node.spec, the deep walker's stack
            assert node.attr in {"copy", "keys", "spec", "append", "pop"}, node.attr


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


# --- encodings: nothing a user controls may change how the generated file is read ------------------

# Text that would change the decoding of the file if it reached lines 1-2 (PEP 263), end a
# comment, or hide in one: cookies, line breaks of every kind, BOMs, NUL, lone surrogates.
HOSTILE_TEXT = [
    "# -*- coding: latin-1 -*-",
    "coding: latin-1",
    "coding=utf-7",
    "vim: set fileencoding=cp1252 :",
    "x\n# -*- coding: latin-1 -*-",
    "x\r# coding=utf-7",
    "x\r\n_K = ()",
    "\ufeff# coding: latin-1",
    "\x0c# coding: latin-1",
    "\x00",
    "\x0b\x1c\x1d\x1e\x85",
    "\u2028\u2029",
    "\udcff\udcfe",
    "é中",
    "a\\nb",
]

# Names whose UTF-8 bytes would read as something else under a hostile encoding: under
# latin-1 'é' becomes 'Ã©'; under UTF-7 '+ACI-' is a double quote (a literal could end).
TRICKY_NAMES = ["é", "中文", "+ACI-", "+ACc-", "\u2028", "\udcff", "\ufeff", "a'b\"c", "\x00", "\r"]


def detected_encoding(source: bytes) -> str:
    import tokenize

    return tokenize.detect_encoding(io.BytesIO(source).readline)[0]


def comment_lines_are_inert(source: str) -> None:
    """Pure ASCII; lines 1-2 fixed; every comment printable ASCII on its own line."""
    import tokenize

    from sphinx_apidocs.filters.codegen import HEADER

    assert source.isascii()
    assert source.split("\n")[:2] == list(HEADER)
    assert detected_encoding(source.encode("ascii")) == "utf-8"
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            assert token.string.isprintable() and token.string.isascii(), token.string


def test_comments_cannot_change_the_encoding_or_leave_their_line():
    tree = hostile_tree(TRICKY_NAMES)
    for text in HOSTILE_TEXT:
        for sources in ([text], [text, text], ["ok.yaml", text]):
            source = module_source({text: tree}, sources=sources, command=f"sphinx-apidocs compile {text}")
            comment_lines_are_inert(source)
            generated_module_facts(source)
            namespace: dict[str, Any] = {}
            exec(compile(source.encode("ascii"), "<generated>", "exec"), namespace)
            assert namespace["FILTERS"][text](hostile_data(TRICKY_NAMES)) == expected(TRICKY_NAMES)


def hostile_folder(root: Path) -> list[str]:
    """Filter files under hostile folder and file names (the first sorted ones lead the
    header); returns the nicknames.
    """
    import os

    nicknames = []
    for index, text in enumerate(HOSTILE_TEXT):
        safe = text.replace("/", "_").replace("\x00", "NUL")
        folder = root / f"{index:02d} {safe}"[:200]
        try:
            folder.mkdir()
            file = folder / f"{safe}.json"
            file.write_bytes(b"")
        except (OSError, UnicodeEncodeError, ValueError):  # not every name exists on every OS
            continue
        nickname = f"op{index}"
        escaped = [n.replace("\\", "\\\\").replace(".", "\\.") for n in TRICKY_NAMES]
        file.write_text(json.dumps({nickname: escaped, f"nest{index}": [{"x": escaped}]}), encoding="utf-8")
        nicknames.append(nickname)
    raw = os.fsencode(root) + b"/\xff\xfe coding: latin-1"  # not UTF-8: a surrogate-escaped str
    try:
        os.mkdir(raw)
    except OSError:  # a file system that insists on UTF-8 names
        return nicknames
    with open(raw + b"/f.json", "w", encoding="utf-8") as handle:
        json.dump({"surrogate": ["a"]}, handle)
    return nicknames + ["surrogate"]


def test_hostile_file_and_folder_names_through_compile_and_import(tmp_path, no_side_effects, capsys):
    from sphinx_apidocs.filters import load_filters

    root = tmp_path / "coding: latin-1"
    root.mkdir()
    nicknames = hostile_folder(root)
    assert len(nicknames) > 10
    out = tmp_path / "gen_hostile.py"
    assert main(["compile", str(root), "-o", str(out)]) == 0
    assert capsys.readouterr() == ("", "")
    data = out.read_bytes()
    assert data.isascii() and detected_encoding(data) == "utf-8"
    source = data.decode("ascii")
    comment_lines_are_inert(source)
    generated_module_facts(source)
    spec = importlib.util.spec_from_file_location("gen_hostile", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the real import path: bytes, cookie detection, decoding
    closures = load_filters(root)
    inner = {name: [name, 1] for name in TRICKY_NAMES}
    response: dict[str, Any] = {**inner, "drop": 2, "a": 1, "x": [{**inner, "drop": 3}, None]}
    assert set(module.FILTERS) == set(closures)
    for nickname, function in closures.items():
        assert module.FILTERS[nickname](response) == function(response), nickname
    assert module.FILTERS["op0"](response) == inner
    assert module.FILTERS["nest0"](response) == {"x": [inner, None]}
    if "surrogate" in closures:
        assert module.FILTERS["surrogate"](response) == {"a": 1}
    assert main(["compile", str(root), "-o", str(out), "--check"]) == 0  # deterministic


def test_old_header_layout_would_have_been_read_as_latin_1():
    """The attack the fixed header stops: a cookie on line 2 really changes the decoding."""
    attack = "# Generated from:\n# coding: latin-1\nNAME = 'é'\n".encode("utf-8")
    assert detected_encoding(attack) == "iso-8859-1"
    namespace: dict[str, Any] = {}
    exec(compile(attack, "<attack>", "exec"), namespace)
    assert namespace["NAME"] == "Ã©"
