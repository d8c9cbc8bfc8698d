"""The one-walk YAML reader (``fetch._yaml_values``) gives exactly what PyYAML's safe loader
then ``_json_like`` give — values, key order, shared aliases — or defers to that path, for
random documents full of YAML's corners (plain scalars of every type, keys that are numbers,
booleans or null and collide, anchors and aliases, merge keys, tags, timestamps)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.spec import fetch

SCALARS = [
    "plain", "'quoted'", '"dq"', "200", "0x1F", "0o17", "1_000", "1:30", "3.5", "1e3", ".inf", "-.nan",
    "true", "yes", "Off", "null", "~", "2026-02-30", "2026-09-01", "2026-09-01 10:00:00", "!!binary aGVsbG8=",
    "!!str 12", "!!int '7'", "!custom x", "''", "-", "'1'", "1", "1.0", "True", "!!float 2",
]
KEYS = ["a", "b", "200", "'200'", "1", "true", "1.0", "null", "~", "2026-09-01", "'x.y'", "yes", "0x1"]


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
