"""Python source for filter nodes, and the stand-alone generated module.

Why generate source: CPython builds a dict fastest from a dict *literal*, and a literal needs a
fixed number of entries, so each node shape (``plan.Shape``: leaf or container per field) gets
its own factory function. Field names never appear in this source: a factory takes a level's
names as a tuple ``keys`` (unpacked into ``k0, k1, ...``) and its children as a tuple
``children`` (``f0, f1, ...``, ``None`` for a leaf), so the text depends only on the shape and
every identifier comes from a template or a counter. ``compile`` calls the factories with the
exact ``str`` names of a plan; ``module_source`` writes calls that read them from a table of
literals (``_K``).

A node function does one thing inline, the common case: for an exact ``dict`` it tries the
optimistic literal ``{k0: d[k0], k1: f1(d[k1]), ...}`` (a ``try`` costs nothing on 3.11 when
nothing is raised), and maps a list element-wise. Everything else goes to the node's
*fallback*, generated per field count: tuples map element-wise too, ``None`` stays ``None``,
non-mappings become ``None``, and objects with missing keys take unrolled ``in`` checks. After
``_MISSES`` misses a node skips the literal, and after ``_RECOVER`` complete objects in a row it
tries it again, so sparse data does not pay for an exception per object. The factories stay
small (what does not need to be unrolled is done by fixed helpers in ``RUNTIME_SOURCE``), which
keeps ``compile()`` cheap even though a filter of thousands of paths has a few hundred shapes.

Mappings other than an exact ``dict`` (subclasses, ``Mapping`` types) are read only through
their own protocol, never their raw storage (``_pick``): a key is *present* when ``key in d``
holds and ``d[key]`` does not raise ``KeyError`` (``in`` first, so a ``defaultdict`` never
grows), its value is ``d[key]``; a named field passes when present, and ``*`` passes every
present key that ``d.keys()`` lists, whatever its type (a non-``str`` key can never match a
named field, since names are exact ``str``). An exact ``dict`` is the same rule at C speed.

Depth: every node catches ``RecursionError`` (free until raised) and hands its value to
``_deep``, the same semantics with an explicit stack, reading each node's ``spec`` attribute
(``((name, child node or None), ...)``, or ``None`` for ``*``). So any depth ``json`` can
produce (and more) is filtered, not crashed on, and shallow data never pays for it.
"""

from __future__ import annotations

import ast
from typing import Mapping, Sequence

from sphinx_apidocs.filters.plan import PlanNode, Shape, plan_of
from sphinx_apidocs.filters.tree import FilterTree

_MISSES = 16  # optimistic misses before a node switches to ``in`` checks
_RECOVER = 64  # complete objects in a row before it switches back


# What every factory's code uses, fixed text: two stdlib imports; ``_pick``, which reads a
# mapping that is not an exact dict through its protocol; ``_deep``, the depth-safe interpreter
# every node falls back to. Exec'd once by ``compile`` and copied verbatim into the generated
# module, so both run the same text.
RUNTIME_SOURCE = """\
from collections.abc import Mapping as _Mapping
from itertools import compress as _compress


def _pick(d, keys):
    \"\"\"The present ``keys`` of ``d`` (a mapping, not an exact dict), read by its protocol.\"\"\"
    r = {}
    for k in keys:
        if k in d:
            try:
                r[k] = d[k]
            except KeyError:
                pass
    return r


def _deep(node, d):
    \"\"\"``node(d)`` with an explicit stack: for data nested deeper than recursion allows.\"\"\"
    top = [None]
    stack = [(node, d, top, 0)]
    while stack:
        node, d, out, slot = stack.pop()
        if type(d) is not dict:
            if isinstance(d, (list, tuple)):
                out[slot] = r = list(d)
                for i in range(len(r)):
                    stack.append((node, r[i], r, i))
                continue
            elif d is None or not isinstance(d, _Mapping):
                out[slot] = None
                continue
        spec = node.spec
        if spec is None:
            r = d.copy() if type(d) is dict else _pick(d, d.keys())
        else:
            r = {}
            for k, f in spec:
                if k in d:
                    try:
                        r[k] = x = d[k]
                    except KeyError:
                        continue
                    if f is not None:
                        stack.append((f, x, r, k))
        out[slot] = r
    return top[0]
"""

_STAR_TEMPLATE = """\
def {name}():
    def node(d):
        try:
            if type(d) is dict:
                return d.copy()
            elif type(d) is list:
                return [node(x) for x in d]
            elif d is None:
                return None
            elif isinstance(d, (list, tuple)):
                return [node(x) for x in d]
            elif isinstance(d, _Mapping):
                return _pick(d, d.keys())
            return None
        except RecursionError:
            return _deep(node, d)

    node.spec = None
    return node
"""

_NODE_TEMPLATE = """\
def {name}(keys, children, fallback):
{unpack}    state = [0]

    def node(d):
        try:
            if type(d) is dict and state[0] < {misses}:
                try:
                    return {{{literal}}}
                except KeyError:
                    pass
            elif type(d) is list:
                return [node(x) for x in d]
            return other(d)
        except RecursionError:
            return _deep(node, d)

    node.spec = spec = tuple(zip(keys, children))
    other = fallback(node, state, keys, tuple(_compress(spec, children)))
    return node
"""

_FALLBACK_TEMPLATE = """\
def {name}(node, state, keys, containers):
{unpack}
    def other(d):
        if type(d) is dict:
            r = {{}}{checks}
        elif d is None:
            return None
        elif isinstance(d, (list, tuple)):
            return [node(x) for x in d]
        elif isinstance(d, _Mapping):
            r = _pick(d, keys)
        else:
            return None
        for c, g in containers:
            if c in r:
                r[c] = g(r[c])
        mode = state[0]
        if mode < {misses}:
            if type(d) is dict:  # an exact dict gets here in fast mode only after a miss
                state[0] = mode + 1 if mode < {last_miss} else {slow}
        elif len(r) == {count}:
            state[0] = mode - 1 if mode > {first_slow} else 0
        else:
            state[0] = {slow}
        return r

    return other
"""


def _unpack(names: list[str], source: str) -> str:
    """``    k0, k1 = keys`` (a line of the factory's body), or nothing for no names."""
    if not names:
        return ""
    return f"    {', '.join(names)}{',' if len(names) == 1 else ''} = {source}\n"


def factory_source(shape: Shape, name: str) -> str:
    """Source of the factory ``name`` for ``shape`` (see the module docstring)."""
    keys = [f"k{i}" for i in range(len(shape.pattern))]
    if shape.kind == "star":
        return _STAR_TEMPLATE.format(name=name)
    if shape.kind == "fallback":
        return _FALLBACK_TEMPLATE.format(
            name=name,
            unpack=_unpack(keys, "keys"),
            checks="".join(f"\n            if {k} in d:\n                r[{k}] = d[{k}]" for k in keys),
            count=len(keys),
            misses=_MISSES,
            last_miss=_MISSES - 1,
            first_slow=_MISSES + 1,
            slow=_MISSES + _RECOVER,
        )
    if shape.kind != "node" or set(shape.pattern) - {"L", "C"}:
        raise ValueError(f"bad shape {shape!r}")
    values = [
        f"k{i}: f{i}(d[k{i}])" if kind == "C" else f"k{i}: d[k{i}]" for i, kind in enumerate(shape.pattern)
    ]
    return _NODE_TEMPLATE.format(
        name=name,
        unpack=_unpack(keys, "keys") + _unpack([f"f{i}" for i in range(len(keys))], "children"),
        misses=_MISSES,
        literal=", ".join(values),
    )


def str_literal(value: str) -> str:
    """A pure-ASCII Python literal for an exact ``str``, proven to read back as the same value.

    ``ascii()`` of an exact ``str`` is ``str.__repr__`` with every non-ASCII character (lone
    surrogates included) written as an escape, so the generated file is ASCII whatever the
    names, and no source encoding can change how a literal reads. The ``ast.literal_eval``
    check makes the round trip a fact at generation time rather than an assumption.
    """
    if type(value) is not str:
        raise TypeError(f"expected an exact str, not {type(value).__name__}")
    literal = ascii(value)
    if not literal.isascii() or ast.literal_eval(literal) != value:  # pragma: no cover - a CPython bug
        raise ValueError("ascii() did not round-trip")
    return literal


def comment_text(text: str) -> str:
    """``text`` as it may appear after ``#`` in generated code: printable ASCII, one line.

    Printable ASCII without a backslash stays as it is (readable paths and commands);
    anything else is written as ``ascii(text)`` (quoted, with ``\\n``, ``\\x00``,
    ``\\u2028``, ``\\udcff``... escapes), so no comment can end its line, hide a
    character, or carry bytes a decoder could read differently.
    """
    text = str.__str__(text)
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return ascii(text)


HEADER = (
    "# -*- coding: utf-8 -*-",
    "# Generated by sphinx-apidocs: do not edit.",
)


def module_source(
    filters: Mapping[str, FilterTree], *, sources: Sequence[str], command: str
) -> str:
    """The generated module: ``FILTERS: dict[str, Callable]``, standard library only.

    Deterministic for a given input, and pure ASCII. Safety: apart from fixed templates and
    counter-made identifiers (``_K``, ``_s3``, ``_n12``), the only variable text is (a) names
    and nicknames as ``str_literal`` entries of the ``_K`` table, read back by index, and
    (b) comments from line 3 on, each made by ``comment_text``. Lines 1-2 are fixed
    (``HEADER``): Python reads an encoding declaration only there (PEP 263), and line 1 pins
    UTF-8, so nothing a user controls can change how the file is decoded.
    """
    plan = plan_of(*filters.values())
    keys: dict[str, int] = {}
    factories = {shape: f"_s{index}" for index, shape in enumerate(plan.shapes)}
    statements: list[str] = []

    def key(value: str) -> str:
        if value not in keys:
            str_literal(value)  # fail early on a non-str
            keys[value] = len(keys)
        return f"_K[{keys[value]}]"

    def emit(node: PlanNode, made: Sequence[str]) -> str:
        variable = f"_n{len(made)}"
        if node.fallback is None:
            args = ""
        else:
            names = "".join(f"{key(name)}, " for name in node.names)
            children = "".join(f"{child}, " for child in node.children_of(made, "None"))
            args = f"({names}), ({children}), {factories[node.fallback]}"
        statements.append(f"{variable} = {factories[node.shape]}({args})")
        return variable

    # A nickname may be a str subclass: ``str.__str__`` gives its exact-str value.
    nicknames = [key(str.__str__(nickname)) for nickname in filters]
    made = plan.build(emit)
    entries = [f"    {nickname}: {made[root]}," for nickname, root in zip(nicknames, plan.roots)]
    lines = [*HEADER, "# Sources:"]
    lines += [f"#   {comment_text(source)}" for source in sources]
    lines += ["# Regenerate with:", f"#   {comment_text(command)}"]
    lines += [
        '"""Whitelist output filters: ``FILTERS[nickname](response)`` returns the filtered response.',
        "",
        "Standard library only. Field names appear solely as string literals in ``_K``.",
        '"""',
        "",
        RUNTIME_SOURCE,
        "",
        "_K = (",
    ]
    lines += [f"    {str_literal(value)}," for value in keys]
    lines += [")", ""]
    for shape, name in factories.items():
        lines += ["", factory_source(shape, name)]
    lines += [""] + statements + ["", "FILTERS = {"] + entries + ["}", ""]
    source = "\n".join(lines)
    if not source.isascii():  # pragma: no cover - every variable part is escaped above
        raise ValueError("generated module is not pure ASCII")
    return source

