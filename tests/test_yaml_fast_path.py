"""The one-walk YAML reader (``fetch._yaml_values``) gives exactly what PyYAML's safe loader
then ``_json_like`` give — values, key order, shared aliases — or defers to that path, for
random documents full of YAML's corners (plain scalars of every type, keys that are numbers,
booleans or null and collide, anchors and aliases, merge keys, tags, timestamps)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.spec import fetch

SCALARS = [
    "plain", "'quoted'", '"dq"', "200", "0x1F", "0o17", "1_000", "1:30", "3.5", "1e3", ".inf", "-.nan",
    "true", "yes", "Off", "null", "~", "2026-02-30", "2026-09-01", "2026-09-01 10:00:00", "!!binary aGVsbG8=",
    "!!str 12", "!!int '7'", "!custom x", "''", "-", "'1'", "1", "1.0", "True", "!!float 2",
    "! 12", "! x", "!!bool yes", "!!null ''", "=", "<<", "'#/a/b'", "other.yaml#/c", "'#'",
]
KEYS = ["a", "b", "200", "'200'", "1", "true", "1.0", "null", "~", "2026-09-01", "'x.y'", "yes", "0x1", "$ref", "'$ref'", "2xx", "4Xx", "5XX", "x-ext"]


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML block mapping (flow collections inside), with anchors and aliases."""
    anchors: list[str] = []

    def node(level: int) -> str:
        kind = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "alias", "anchor"] if level < 4 else ["scalar"]))
        if kind == "alias" and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if kind == "anchor":
            name = f"a{len(anchors)}"
            value = node(level + 1)
            if value.startswith(("*", "&")):
                return value
            anchors.append(name)
            return f"&{name} {value}"
        if kind == "map":
            items = draw(st.lists(st.tuples(st.sampled_from([*KEYS, "<<"]), st.just(None)), max_size=4))
            parts = []
            for key, _ in items:
                value = node(level + 1)
                parts.append(f"{key}: {value}")
            tag = draw(st.sampled_from(["", "", "", "!!map ", "!!set "]))
            return tag + "{" + ", ".join(parts) + "}"
        if kind == "seq":
            tag = draw(st.sampled_from(["", "", "!!seq ", "!!omap "]))
            return tag + "[" + ", ".join(node(level + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        return draw(st.sampled_from(SCALARS))

    lines = [f"{draw(st.sampled_from(KEYS))}: {node(0)}" for _ in range(draw(st.integers(1, 5)))]
    return "\n".join(lines) + "\n"


def outcome(read: Any) -> Any:
    try:
        return ("ok", read())
    except (ApidocsError, yaml.YAMLError) as exc:
        return ("error", type(exc).__name__, str(exc))


def general(text: str) -> Any:
    return fetch._json_like(yaml.load(text, Loader=fetch._SpecYamlLoader), "doc.yaml")  # noqa: S506


@settings(max_examples=500, deadline=None)
@given(documents())
def test_the_fast_path_agrees_with_the_general_path(text: str) -> None:
    fast = outcome(lambda: fetch._yaml_values(text, "doc.yaml"))
    if fast[0] == "ok" and fast[1] is fetch._SLOW:
        return  # deferred: parse_yaml takes the general path
    slow = outcome(lambda: general(text))
    assert fast == slow, text
    if fast[0] == "ok":  # shared aliases stay shared
        assert _sharing(fast[1]) == _sharing(slow[1])


def _sharing(value: Any) -> list[int]:
    """For each container in walk order, the index of its first occurrence."""
    seen: dict[int, int] = {}
    order: list[int] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            order.append(seen.setdefault(id(item), len(seen)))
            if len(order) > 2000:
                break
            stack.extend(item.values() if isinstance(item, dict) else item)
    return order


@pytest.mark.parametrize(
    "text",
    [
        "responses:\n  200: {description: ok}\n  '200': {description: again}\n",
        "a: &x {k: 1}\nb: *x\nc: [*x, *x]\n",
        "true: 1\n1: 2\n",
        "base: &b {x: 1}\nchild: {<<: *b, y: 2}\n",
        "when: 2026-09-01\nbad: 2026-02-30\nbig: 0x" + "f" * 40 + "\n",
    ],
)
def test_known_corners(text: str) -> None:
    fast = fetch._yaml_values(text, "doc.yaml")
    if "<<" not in text:  # everything but merge keys is read on the fast path
        assert fast is not fetch._SLOW and fast == general(text)
    assert fetch.parse_yaml(text.encode(), "doc.yaml") == general(text)


def test_merge_keys_take_the_general_path() -> None:
    assert fetch._yaml_values("base: &b {x: 1}\nchild: {<<: *b}\n", "doc.yaml") is fetch._SLOW


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: &x 2\nc: *x\n",  # an anchor defined twice
        "a: *nowhere\n",  # an alias to no anchor
        "a: 1\n---\nb: 2\n",  # two documents
        "? [a, b]\n: c\n",  # a key that is a collection
        "*x : 1\n",  # an alias as a key (and an undefined one)
        "a: !!set {x, y}\n",
        "a: !custom x\n",
        "a: =\n",  # the value key: no constructor
    ],
)
def test_what_the_fast_path_leaves_to_the_general_one(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fetch._yaml_values(text, "doc.yaml") is fetch._SLOW
    read = outcome(lambda: fetch.parse_yaml(text.encode(), "doc.yaml"))
    monkeypatch.setattr(fetch, "_yaml_values", lambda *args: fetch._SLOW)
    assert read == outcome(lambda: fetch.parse_yaml(text.encode(), "doc.yaml"))


@pytest.mark.parametrize(
    "text",
    ["a: ! 12\nb: !!str 7\nc: !!map {d: 1}\ne: !!seq [1]\nf: !!binary aGVsbG8=\ng: !!float 2\n", "", "---\n", "# nothing\n", "plain\n", "[1, 2]\n"],
)
def test_tags_and_roots_on_the_fast_path(text: str) -> None:
    fast = fetch._yaml_values(text, "doc.yaml")
    assert fast is not fetch._SLOW and fast == general(text)


def test_a_recursive_alias_and_an_alias_bomb_are_refused() -> None:
    with pytest.raises(ApidocsError, match="recursive document"):
        fetch._yaml_values("a: &x [1, *x]\n", "doc.yaml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(5)
    )
    with pytest.raises(ApidocsError, match="YAML aliases expand"):
        fetch.parse_yaml(bomb.encode(), "doc.yaml")


def test_too_deep_names_the_place_on_both_paths() -> None:
    deep = "root:\n  items:\n    - " + "[" * (fetch.MAX_DEPTH + 5) + "]" * (fetch.MAX_DEPTH + 5) + "\n"
    with pytest.raises(ApidocsError) as fast:
        fetch._yaml_values(deep, "doc.yaml")
    with pytest.raises(ApidocsError) as slow:
        general(deep)
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith("doc.yaml#/root/items/0/0/0/")
    # a shallow anchor nested deep by its aliases: refused after the walk
    chain = "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, fetch.MAX_DEPTH + 2))
    with pytest.raises(ApidocsError, match="nested more than"):
        fetch.parse_yaml(chain.encode(), "doc.yaml")


@settings(max_examples=500, deadline=None)
@given(documents())
def test_the_survey_never_misses_what_a_walk_finds(text: str) -> None:
    """A survey that says "none" is right: no walk finds a foreign ``$ref`` or a lower-case
    response range where it says there is none."""
    from sphinx_apidocs.spec.refs import iter_refs
    from sphinx_apidocs.spec.validate import too_deep, uppercase_status_codes

    try:
        data, survey = fetch.surveyed(text.encode(), "doc.yaml", yaml_text=True)
    except ApidocsError:
        return
    assert survey.depth_checked and too_deep(data) is None
    if not survey.foreign_refs:
        assert all(isinstance(ref, str) and ref.startswith("#") for _, ref in iter_refs(data))
    if not survey.range_keys:
        wrapped = {"paths": {"/p": {"get": {"responses": data}}}} if isinstance(data, dict) else data
        assert uppercase_status_codes(wrapped, "doc.yaml") == []
        assert not any(isinstance(k, str) and len(k) == 3 and k[0] in "12345" and k[1:].upper() == "XX" and k != k.upper() for k in _keys(data))


def test_the_survey_of_a_spec() -> None:
    text = "paths:\n  /a:\n    get:\n      responses:\n        2xx: {description: ok}\n        default: {$ref: '#/x'}\n"
    assert fetch.surveyed(text.encode(), "doc.yaml", yaml_text=True)[1] == fetch.Survey(True, False, True)
    text = "a: {$ref: 'other.yaml#/b'}\nb: {'200': {$ref: '#/c'}}\n"
    assert fetch.surveyed(text.encode(), "doc.yaml", yaml_text=True)[1] == fetch.Survey(True, True, False)
    assert fetch.surveyed(b'{"$ref": "x.json"}', "doc.json")[1] == fetch.DEPTH_CHECKED  # JSON: unknown
    assert fetch.MAX_DEPTH == __import__("sphinx_apidocs.spec.validate", fromlist=["x"]).MAX_JSON_DEPTH


def _keys(value: Any) -> list[Any]:
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found += list(item)
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return found
