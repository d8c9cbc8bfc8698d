"""Python source for filter nodes and for the stand-alone generated module.

Why generate source: CPython builds a dict fastest from a dict *literal*, and a literal needs a
fixed number of entries, so each node shape (``Shape``) gets its own factory function. Field
names never appear in this source: factories take them as arguments ``k0, k1, ...`` (containers
as ``c0, g0, ...``: name and child filter), so the text depends only on the shape's counts and
every identifier comes from a counter.

A node function does one thing inline, the common case: for an exact ``dict`` it tries the
optimistic literal ``{k0: d[k0], k1: f1(d[k1]), ...}`` (a ``try`` costs nothing on 3.11 when
nothing is raised), and maps a list element-wise. Everything else goes to the node's
*fallback*, generated per field count: tuples map element-wise too, ``None`` stays ``None``,
non-mappings become ``None``, and
objects with missing keys take unrolled ``in`` checks. After ``_MISSES`` misses a node skips
the literal, and after ``_RECOVER`` complete objects in a row it tries it again, so sparse data
does not pay for an exception per object. Keeping the node small keeps ``compile()`` cheap
even though a filter of thousands of paths has a few hundred node shapes.

Mappings other than an exact ``dict`` (subclasses, ``Mapping`` types) are read only through
their own protocol, never their raw storage: a key is *present* when ``key in d`` holds and
``d[key]`` does not raise ``KeyError`` (``in`` first, so a ``defaultdict`` never grows), its
value is ``d[key]``; a named field passes when present, and ``*`` passes every present key
that ``d.keys()`` lists, whatever its type (a non-``str`` key can never match a named field,
since names are exact ``str``). An exact ``dict`` is the same rule at C speed.

Depth: every node catches ``RecursionError`` (free until raised) and hands its value to
``_deep``, the same semantics with an explicit stack, reading each node's ``spec`` attribute
(``((name, child node or None), ...)``, or ``None`` for ``*``). So any depth ``json`` can
produce (and more) is filtered, not crashed on, and shallow data never pays for it.
"""

from __future__ import annotations

import ast
from typing import Callable, Mapping, NamedTuple, Sequence, TypeVar

from sphinx_apidocs.filters.tree import FilterTree

T = TypeVar("T")

_MISSES = 16  # optimistic misses before a node switches to ``in`` checks
_RECOVER = 64  # complete objects in a row before it switches back


class Shape(NamedTuple):
    """What a factory's source depends on: ``kind`` is ``node``, ``fallback`` or ``star``;
    ``pattern`` has one letter per field, ``L`` leaf or ``C`` container (only the length
    matters to a fallback).
    """

    kind: str
    pattern: str = ""


STAR = Shape("star")

# The depth-safe interpreter every node falls back to (``_deep(node, d)``); exec'd by
# ``compile`` and copied verbatim into the generated module, so both run the same text.
DEEP_SOURCE = """\
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
        r = {}
        if spec is None:
            if type(d) is dict:
                r = d.copy()
            else:
                for k in d.keys():
                    if k in d:
                        try:
                            r[k] = d[k]
                        except KeyError:
                            pass
        else:
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
                r = {{}}
                for k in d.keys():
                    if k in d:
                        try:
                            r[k] = d[k]
                        except KeyError:
                            pass
                return r
            return None
        except RecursionError:
            return _deep(node, d)

    node.spec = None
    return node
"""

_NODE_TEMPLATE = """\
def {name}({params}fallback):
    state = [0]

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

    other = fallback(node, state, ({pairs}){keys})
    node.spec = ({spec})
    return node
"""

_FALLBACK_TEMPLATE = """\
def {name}(node, state, containers{keys}):
    def other(d):
        if type(d) is dict:
            r = {{}}{checks}
        elif d is None:
            return None
        elif isinstance(d, (list, tuple)):
            return [node(x) for x in d]
        elif isinstance(d, _Mapping):
            r = {{}}{protocol_checks}
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


def shape_of(tree: FilterTree) -> Shape:
    """The node shape of one tree level."""
    if tree.star:
        return STAR
    return Shape("node", "".join("L" if child is None else "C" for _, child in tree.fields))


def factory_args(
    tree: FilterTree, key: Callable[[str], T], child: Callable[[FilterTree], T]
) -> list[T]:
    """Arguments for the node factory of ``tree`` before its fallback factory: each name,
    followed by its child filter for a container, as produced by ``key`` and ``child``.
    """
    args: list[T] = []
    for name, sub in tree.fields:
        args.append(key(name))
        if sub is not None:
            args.append(child(sub))
    return args


def fallback_shape(shape: Shape) -> Shape:
    """The fallback a node shape uses: it depends on the number of fields only."""
    return Shape("fallback", "L" * len(shape.pattern))


def factory_source(shape: Shape, name: str) -> str:
    """Source of the factory ``name`` for ``shape`` (see the module docstring)."""
    keys = [f"k{i}" for i in range(len(shape.pattern))]
    if shape.kind == "star":
        return _STAR_TEMPLATE.format(name=name)
    if shape.kind == "fallback":
        return _FALLBACK_TEMPLATE.format(
            name=name,
            keys="".join(f", {k}" for k in keys),
            checks="".join(f"\n            if {k} in d:\n                r[{k}] = d[{k}]" for k in keys),
            protocol_checks="".join(
                f"\n            if {k} in d:\n"
                f"                try:\n"
                f"                    r[{k}] = d[{k}]\n"
                f"                except KeyError:\n"
                f"                    pass"
                for k in keys
            ),
            count=len(keys),
            misses=_MISSES,
            last_miss=_MISSES - 1,
            first_slow=_MISSES + 1,
            slow=_MISSES + _RECOVER,
        )
    if shape.kind != "node" or set(shape.pattern) - {"L", "C"}:
        raise ValueError(f"bad shape {shape!r}")
    params: list[str] = []
    values: list[str] = []
    pairs: list[str] = []
    spec: list[str] = []
    for i, kind in enumerate(shape.pattern):
        params.append(f"k{i}")
        if kind == "C":
            params.append(f"f{i}")
            pairs.append(f"(k{i}, f{i}), ")
            values.append(f"k{i}: f{i}(d[k{i}])")
            spec.append(f"(k{i}, f{i}), ")
        else:
            values.append(f"k{i}: d[k{i}]")
            spec.append(f"(k{i}, None), ")
    return _NODE_TEMPLATE.format(
        name=name,
        params="".join(f"{p}, " for p in params),
        misses=_MISSES,
        literal=", ".join(values),
        pairs="".join(pairs),
        keys="".join(f", {k}" for k in keys),
        spec="".join(spec),
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
    keys: dict[str, int] = {}
    shapes: dict[Shape, str] = {}
    nodes: dict[int, str] = {}
    factories: list[str] = []
    statements: list[str] = []

    def key(value: str) -> str:
        if value not in keys:
            str_literal(value)  # fail early on a non-str
            keys[value] = len(keys)
        return f"_K[{keys[value]}]"

    def factory(shape: Shape) -> str:
        if shape not in shapes:
            shapes[shape] = f"_s{len(shapes)}"
            factories.append(factory_source(shape, shapes[shape]))
        return shapes[shape]

    def emit(tree: FilterTree) -> str:
        # Post-order, iteratively, so children are defined before their parents.
        stack: list[tuple[FilterTree, bool]] = [(tree, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in nodes:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((sub, False) for _, sub in reversed(node.fields) if sub is not None)
                continue
            shape = shape_of(node)
            args = [] if shape == STAR else factory_args(node, key, lambda sub: nodes[id(sub)])
            if shape != STAR:
                args.append(factory(fallback_shape(shape)))
            var = nodes[id(node)] = f"_n{len(nodes)}"
            statements.append(f"{var} = {factory(shape)}({', '.join(args)})")
        return nodes[id(tree)]

    # A nickname may be a str subclass: ``str.__str__`` gives its exact-str value.
    entries = [f"    {key(str.__str__(nick))}: {emit(tree)}," for nick, tree in filters.items()]
    lines = [*HEADER, "# Sources:"]
    lines += [f"#   {comment_text(source)}" for source in sources]
    lines += ["# Regenerate with:", f"#   {comment_text(command)}"]
    lines += [
        '"""Whitelist output filters: ``FILTERS[nickname](response)`` returns the filtered response.',
        "",
        "Standard library only. Field names appear solely as string literals in ``_K``.",
        '"""',
        "",
        "from collections.abc import Mapping as _Mapping",
        "",
        "",
        DEEP_SOURCE,
        "",
        "_K = (",
    ]
    lines += [f"    {str_literal(value)}," for value in keys]
    lines += [")", ""]
    for source in factories:
        lines += ["", source]
    lines += [""] + statements + ["", "FILTERS = {"] + entries + ["}", ""]
    source = "\n".join(lines)
    if not source.isascii():  # pragma: no cover - every variable part is escaped above
        raise ValueError("generated module is not pure ASCII")
    return source

