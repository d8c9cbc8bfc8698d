"""Filter files: what parses to what, and every malformed file's exact ``file:line:col: message``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import (
    FilterError,
    FilterTree,
    dotted_paths,
    load_filter_trees,
    load_filters,
    parse_filter_file,
)


def parse(tmp_path: Path, text: str, name: str = "f.yaml") -> dict[str, FilterTree]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {nick: loaded.tree for nick, loaded in parse_filter_file(path, name).items()}


def paths(tmp_path: Path, text: str, name: str = "f.yaml") -> dict[str, list[str]]:
    return {nick: dotted_paths(tree) for nick, tree in parse(tmp_path, text, name).items()}


def test_design_example(tmp_path):
    text = """\
get-auth-user-info:
  - info:                 # a mapping item: a container with its own field list
      - ref
      - location: [city, country]
      - portrait.url
  - auth_user: &user [uid, mail]
list-users:
  - users: *user
"""
    assert paths(tmp_path, text) == {
        "get-auth-user-info": [
            "info.ref", "info.location.city", "info.location.country", "info.portrait.url",
            "auth_user.uid", "auth_user.mail",
        ],
        "list-users": ["users.uid", "users.mail"],
    }


def test_mapping_form_star_escapes_union_and_splices(tmp_path):
    text = r"""
op:
  info: {ref: [a], loc: ["*", city]}
  tags: ["*"]
  plain:
    - app\.version
    - a\\b
    - \*
    - p.city
    - p
    - [spliced, also]
  <<: {merged: [x]}
"""
    assert paths(tmp_path, text)["op"] == [
        "info.ref.a", "info.loc.*", "tags.*", "plain.app\\.version", "plain.a\\\\b", "plain.\\*",
        "plain.p", "plain.spliced", "plain.also", "merged.x",
    ]


def test_json_file_and_empty_files(tmp_path):
    text = '{\n\t"op": ["a\\\\.b", {"c": ["*"]}, "\\u00e9"],\n\t"none": []\n}'
    assert paths(tmp_path, text, "f.json") == {"op": ["a\\.b", "c.*", "é"], "none": []}
    assert parse(tmp_path, "", "e.yaml") == {}
    assert parse(tmp_path, "# only a comment\n", "c.yaml") == {}
    assert parse(tmp_path, "  \n", "e.json") == {}


def test_alias_reuse_is_shared_and_bombs_are_refused(tmp_path):
    trees = parse(tmp_path, "a: &x [id]\nb: [{u: *x}, {v: *x}]\n")
    assert trees["b"].fields[0][1] is trees["b"].fields[1][1]
    bomb = ["l0: &l0 [f]"] + [f"l{i}: &l{i} [{{a: *l{i-1}}}, {{b: *l{i-1}}}]" for i in range(1, 20)]
    with pytest.raises(FilterError, match=r"f.yaml:18:1: operation 'l17' expands to more than 100000 fields"):
        parse(tmp_path, "\n".join(bomb) + "\n")


MALFORMED = [
    ("- a\n", "f.yaml:1:1: the top level must be a mapping of operation nickname -> field list, found a list"),
    ("op:\n  - a..b\n", "f.yaml:2:5: empty segment in 'a..b'"),
    ("op:\n  - a.\n", "f.yaml:2:5: empty segment in 'a.'"),
    ("op:\n  - a.*.b\n", "f.yaml:2:5: '*' must be the last segment in 'a.*.b'"),
    ("op:\n  - a*\n", "f.yaml:2:5: '*' must stand alone as a segment in 'a*' (write '\\*' for a literal star)"),
    ("op:\n  - 'a\\x'\n", "f.yaml:2:5: bad escape '\\x' in 'a\\\\x' (only '\\.', '\\\\' and '\\*' are allowed)"),
    ("op:\n  - 'a\\'\n", "f.yaml:2:5: dangling backslash at the end of 'a\\\\'"),
    ("op:\n  - ''\n", "f.yaml:2:5: empty field name"),
    ("op:\n  - 3\n", "f.yaml:2:5: a field name must be a string, found an integer (3); quote it to use it as a name"),
    ("op:\n  - yes\n", "f.yaml:2:5: a field name must be a string, found a boolean (yes); quote it to use it as a name"),
    ("op:\n  - ~\n", "f.yaml:2:5: null item in the field list of operation 'op'"),
    ("op:\n", "f.yaml:1:4: operation 'op' has a null field list (write [] for no fields)"),
    ("op:\n  - info:\n", "f.yaml:2:10: 'info' has a null field list; to pass its whole value list it as an item: - info"),
    ("op:\n  - info: city\n", "f.yaml:2:11: expected a field list (a list or a mapping) for 'info', found a string 'city'"),
    ("op:\n  - info: []\n", "f.yaml:2:11: empty field list for 'info'"),
    ("op:\n  - a.*: [x]\n", "f.yaml:2:5: 'a.*' cannot have a field list: '*' already passes every key"),
    ("op:\n  info: [a]\n  info: [b]\n", "f.yaml:3:3: duplicate key 'info' (first at line 2, column 3)"),
    ("op: [a]\nop: [b]\n", "f.yaml:2:1: duplicate nickname 'op' (first defined at line 1)"),
    ("3: [a]\n", "f.yaml:1:1: an operation nickname must be a string, found an integer (3); quote it to use it as a name"),
    ("'': [a]\n", "f.yaml:1:1: empty operation nickname"),
    ("op: [[a, [b]], {? [x] : [y]}]\n", "f.yaml:1:19: a field name must be a string, found a list"),
    ("op: &a [x, *a]\n", "f.yaml:1:5: recursive alias: this field list contains itself"),
    ("op: [a\n", "f.yaml:2:1: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("op: [*nope]\n", "f.yaml:1:6: invalid YAML: found undefined alias 'nope'"),
    ("op: [a]\n---\nx: [b]\n", "f.yaml:2:1: invalid YAML: expected a single document in the stream, but found another document"),
    ("op: [!custom a]\n", "f.yaml:1:6: a field name must be a string, found a value tagged '!custom' (a)"),
    ("op: [2024-01-01]\n", "f.yaml:1:6: a field name must be a string, found a date (2024-01-01); quote it to use it as a name"),
]


@pytest.mark.parametrize("text, message", MALFORMED)
def test_malformed_yaml(tmp_path, text, message):
    with pytest.raises(FilterError) as info:
        parse(tmp_path, text)
    assert str(info.value) == message
    assert isinstance(info.value, ApidocsError)


MALFORMED_JSON = [
    ('{"op": ["a",]}', "f.json:1:13: invalid JSON: Expecting value"),
    ('{"op": [1]}', "f.json:1:9: a field name must be a string, found an integer (1)"),
    ('{"op": [true]}', "f.json:1:9: a field name must be a string, found a boolean (true)"),
    ('{"op": [null]}', "f.json:1:9: null item in the field list of operation 'op'"),
    ('{"op": {"a": null}}', "f.json:1:14: 'a' has a null field list; to pass its whole value list it as an item: - a"),
    ('{\n  "op": ["a"],\n  "op": ["b"]\n}', "f.json:3:3: duplicate nickname 'op' (first defined at line 2)"),
    ('["op"]', "f.json:1:1: the top level must be a mapping of operation nickname -> field list, found a list"),
    ('{"op": ["a\\\\x"]}', "f.json:1:9: bad escape '\\x' in 'a\\\\x' (only '\\.', '\\\\' and '\\*' are allowed)"),
]


@pytest.mark.parametrize("text, message", MALFORMED_JSON)
def test_malformed_json(tmp_path, text, message):
    with pytest.raises(FilterError) as info:
        parse(tmp_path, text, "f.json")
    assert str(info.value) == message


def test_bad_encoding_and_missing_paths(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"op:\n  - caf\xe9\n")
    with pytest.raises(FilterError, match=r"bad.yaml:2:8: not valid UTF-8$"):
        parse_filter_file(tmp_path / "bad.yaml", "bad.yaml")
    with pytest.raises(FilterError, match="nope: no such file or directory"):
        load_filter_trees(str(tmp_path / "nope"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FilterError, match=r"notes.txt: not a filter file \(expected .yaml, .yml or .json\)"):
        load_filter_trees(tmp_path / "notes.txt")


def write_folder(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b.yml").write_text("op-b: [b]\n")
    (root / "a.yaml").write_text("op-a: [a]\n")
    (root / "sub" / "c.json").write_text('{"op-c": ["c"]}')
    (root / "sub" / "notes.txt").write_text("ignored")
    (root / ".hidden" / "x.yaml").write_text("ignored: [x]\n")
    (root / ".#a.yaml").write_text("not: yaml: at: all")


def test_folder_loads_recursively_in_sorted_order(tmp_path):
    write_folder(tmp_path / "filters")
    folder = str(tmp_path / "filters")
    loaded = load_filter_trees(folder)
    assert list(loaded) == ["op-a", "op-b", "op-c"]
    assert str(loaded["op-c"].location) == f"{folder}/sub/c.json:1:2"
    assert load_filters(folder)["op-b"]({"b": 1, "z": 2}) == {"b": 1}


def test_same_nickname_in_two_files_names_both(tmp_path):
    (tmp_path / "a.yaml").write_text("one: [a]\nshared: [a]\n")
    (tmp_path / "b.yaml").write_text("\n\nshared: [b]\n")
    with pytest.raises(FilterError) as info:
        load_filter_trees(str(tmp_path))
    assert str(info.value) == (
        f"{tmp_path}/b.yaml:3:1: duplicate nickname 'shared' (also defined at {tmp_path}/a.yaml:2:1)"
    )


def test_load_filters_caches_until_a_file_changes(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("op: [a]\n")
    first = load_filters(path)
    assert load_filters(path) is first
    path.write_text("op: [a, bb]\n")  # a different size, so the change shows even on coarse mtimes
    second = load_filters(path)
    assert second is not first
    assert second["op"]({"a": 1, "bb": 2}) == {"a": 1, "bb": 2}
    with pytest.raises(TypeError):
        second["new"] = len  # read-only mapping


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sphinx_apidocs.filters import escape_name, parse_filter_text  # noqa: E402
from sphinx_apidocs.filters.tree import TreeBuilder  # noqa: E402

NAMES = ["a", "b", "a.b", "*", "x\\y", "é", "on", "3", "with space"]


@st.composite
def trees(draw) -> FilterTree:
    builder = TreeBuilder()
    for names, star in draw(
        st.lists(st.tuples(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3), st.booleans()), max_size=6)
    ):
        builder.add(names, star=star)
    return builder.build()


def nested(tree: FilterTree) -> list:
    """The tree written as nested field lists (mapping items for containers)."""
    if tree.star:
        return ["*"]
    return [escape_name(n) if sub is None else {escape_name(n): nested(sub)} for n, sub in tree.fields]


@given(trees(), st.booleans())
def test_written_filters_parse_back(tree, as_json):
    import json as _json

    import yaml

    document = {"flat": dotted_paths(tree), "nested": nested(tree)}
    text = _json.dumps(document, indent="\t") if as_json else yaml.safe_dump(document, allow_unicode=True)
    parsed = parse_filter_text(text, "t.json" if as_json else "t.yaml", json_syntax=as_json)
    assert parsed["flat"].tree == tree
    assert parsed["nested"].tree == tree


@given(st.text(alphabet="ab.*\\\\é", max_size=12))
def test_split_dotted_fast_path_agrees_with_the_full_parser(text: str) -> None:
    """The plain-name shortcut gives exactly what the escape-aware parser gives (or both fail)."""
    from sphinx_apidocs.filters import names

    def outcome(split):  # type: ignore[no-untyped-def]
        try:
            return split(text)
        except ValueError as exc:
            return str(exc)

    assert outcome(names.split_dotted) == outcome(names._split_escaped)
