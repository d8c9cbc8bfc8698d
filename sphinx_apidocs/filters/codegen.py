"""Python source for filter nodes, and the stand-alone generated module.

Why generate source: CPython builds a dict fastest from a dict *literal* with constant keys,
and a literal needs a fixed number of entries, so each node shape (``plan.Shape``: the inline
structure of a level) gets its own factory function. Field names never appear in the text
the closures compile: a group factory's keys are placeholder constants (``'$0'``, ``'$1'``...,
``placeholder``) that ``compile.bind`` replaces, in each node's copy of the code objects, with
the exact ``str`` names, so the keys are constants as in hand-written code, the text depends
only on the shape, and every identifier comes from a template or a counter (``tN``, ``uN``,
``vN``, ``wN`` for inlined values, ``xN``, ``yN`` for list elements; ``fN`` the functions it
calls or falls back to, globals of each node's copy of the code, ``function_name``).
``module_source`` writes each level's code with its names as ``str_literal`` constants (and
the table ``_K`` of them for the rest), and calls its children by their variables, ``_nK``.
The functions being globals, a comprehension that binds no temporary is a plain function,
not a closure: the rows of a list of lists cost no closure each.

A node function writes its whole response in one expression, as an expert writes one endpoint
by hand: its own dict literal with its children's literals inlined (``Plan.group``: a child is
its literal for an exact ``dict``; a child of the node's own level is also a list comprehension
of literals for an exact ``list``, with a nested one for the rows of a list of lists on the
``dict`` path; anything else goes to the child's general node; a ``*`` child is ``.copy()`` of
an exact ``dict``), so a nested object costs a type check, not a call.

An exact list of objects is one comprehension of literals, written for the usual case where
every element is an exact ``dict``: the element's check is a filter that raises ``_Mixed``
otherwise (``T(x) is D or _mixed()``, with ``type`` and ``dict`` as the comprehension's own
locals), and the element's inlined children are bound by ``for uN in [x[key]]`` clauses
(a plain assignment in CPython; ``:=`` would bind a cell of the node). A list holding
anything else (``None``, rows of a list of lists, subclasses...) takes the *mixed* form,
where each element is its literal if an exact ``dict`` and goes through the node otherwise,
and keeps it for the next ``_RECOVER`` lists before trying the first form again. A short
list (``_SHORT``) takes the mixed form at once: the first form's set-up would cost it more
than its cheaper checks save. Both forms are closures only when an inlined level deeper
than the element's children binds a temporary: everything else they use is a global or
their own local, so a list costs no closure or cell per call.

A ``try`` costs nothing on 3.11 when nothing is raised: a ``KeyError`` anywhere (a
missing key at any inlined level) sends the level to its *fallback*, generated per field count
(``other`` for one value, ``many`` for a list): ``None`` stays ``None``, tuples map element-wise,
non-mappings become ``None``, and objects with missing keys take unrolled ``in`` checks, their
children through their general nodes. After ``_MISSES`` misses a node skips the literal, and
after ``_RECOVER`` complete objects it tries it again, so sparse data does not pay for an
exception per object.

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
from typing import Callable, Mapping, NamedTuple, Sequence

from sphinx_apidocs.filters.plan import STAR, PlanNode, Shape, plan_of
from sphinx_apidocs.filters.tree import FilterTree

_MISSES = 16  # optimistic misses before a node switches to ``in`` checks
_RECOVER = 64  # complete objects in a row before it switches back (and lists, the mixed form)
_SHORT = 8  # lists up to this long take the mixed form (its first form costs more per call)


# What every factory's code uses, fixed text: one stdlib import; ``_mixed``, which a list's
# first form calls on an element that is not an exact dict; ``_pick``, which reads a
# mapping that is not an exact dict through its protocol; ``_deep``, the depth-safe interpreter
# every node falls back to. Exec'd once by ``compile`` and copied verbatim into the generated
# module, so both run the same text.
RUNTIME_SOURCE = """\
from collections.abc import Mapping as _Mapping


class _Mixed(Exception):
    pass  # a list met an element that is not an exact dict: its node takes the mixed form


def _mixed():
    raise _Mixed


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

_GROUP_TEMPLATE = """\
def {name}(spec, fallback):
    state = [0, 0]

    def node(d):
        try:
            if type(d) is dict:
                if state[0] < {misses}:
                    try:
                        return {{{literal}}}
                    except KeyError:
                        pass
                return other(d)
            elif type(d) is list:
                if state[0] < {misses}:
                    try:
                        mixed = state[1]
                        if mixed:
                            state[1] = mixed - 1
                        elif len(d) > {short}:
                            try:
                                return [{{{element}}} for e in [d] for T in [type] for D in [dict] for x in e if T(x) is D or _mixed(){clauses}]
                            except _Mixed:
                                state[1] = {recover}
                        return {mixed}
                    except KeyError:
                        pass
                return many(d)
            return other(d)
        except RecursionError:
            return _deep(node, d)

    node.spec = spec
    other, many = fallback(node, state, spec)
    return node
"""

_FALLBACK_TEMPLATE = """\
def {name}(node, state, spec):
    keys = tuple([k for k, f in spec])
    containers = tuple([c for c in spec if c[1] is not None])
{unpack}
    def other(d):
        if type(d) is dict:
            {checks_d}
        elif d is None:
            return None
        elif isinstance(d, (list, tuple)):
            return [node(x) for x in d]
        elif isinstance(d, _Mapping):
            r = _pick(d, keys)
        else:
            return None
        if containers:
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

    def many(d):
        out = []
        part = 0
        for x in d:
            if type(x) is dict:
                {checks_x}
                if containers:
                    for c, g in containers:
                        if c in r:
                            r[c] = g(r[c])
                if len(r) != {count}:
                    part += 1
                out.append(r)
            else:
                out.append(node(x))
        mode = state[0]
        if mode < {misses}:  # a list gets here in fast mode only after a miss
            state[0] = mode + 1 if mode < {last_miss} else {slow}
        elif part:
            state[0] = {slow}
        else:
            state[0] = mode - len(out) if mode - len(out) > {misses} else 0
        return out

    return other, many
"""


def _unpack(names: list[str], source: str) -> str:
    """``    k0, k1 = keys`` (a line of the factory's body), or nothing for no names."""
    if not names:
        return ""
    return f"    {', '.join(names)}{',' if len(names) == 1 else ''} = {source}\n"


class _Entry(NamedTuple):
    """One field of a parsed group pattern: ``kind`` (``L``, ``C``, ``S`` or ``{``), its key's
    number, its function's number (-1 for a leaf) and, for ``{``, the inlined level.
    """

    kind: str
    key: int
    fn: int
    level: list[_Entry]


def _parse(pattern: str) -> tuple[list[_Entry], int, int]:
    """A group pattern (``Plan.group``) as nested entries, numbered in pre-order; with the
    number of keys and of functions. Iterative; raises ``ValueError`` on a malformed one.
    """
    if not pattern.startswith("{") or not pattern.endswith("}"):
        raise ValueError(f"bad group pattern {pattern!r}")
    top: list[_Entry] = []
    stack = [top]
    keys = fns = 0
    for char in pattern[1:]:
        if not stack:
            raise ValueError(f"bad group pattern {pattern!r}")
        if char == "}":
            stack.pop()
        elif char == "L":
            stack[-1].append(_Entry("L", keys, -1, []))
            keys += 1
        elif char in "CS{":
            entry = _Entry(char, keys, fns, [])
            stack[-1].append(entry)
            keys += 1
            fns += 1
            if char == "{":
                stack.append(entry.level)
        else:
            raise ValueError(f"bad group pattern {pattern!r}")
    if stack:
        raise ValueError(f"bad group pattern {pattern!r}")
    return top, keys, fns


def _literal(
    level: list[_Entry],
    value: str,
    temp: str,
    key: Callable[[int], str],
    fn: Callable[[int], str],
    lists: int = 0,
    *,
    bound: bool = False,
    is_dict: str = "type({}) is dict",
) -> str:
    """The entries of the dict literal for ``level`` read from the exact dict ``value``.

    ``key(i)`` is the text of key number ``i`` (a ``str_literal`` in the module, a placeholder
    constant in the closures' template, see ``placeholder``), ``fn(i)`` the name of function
    number ``i`` (a global of the node's code: ``fI`` in the closures, the child's ``_nK`` in
    the module), so a comprehension that binds no temporary needs no closure. A called child
    is ``fN(value[key])``; an inlined child binds its value to a counter-named temporary
    (``tN`` in the node's body, ``vN`` inside comprehensions; with ``bound``, the direct
    children of a list path's element are already bound, ``uN``, see ``_clauses``) and is its
    own literal if that is an exact ``dict`` (``is_dict``, a format of the value's text) and
    its function ``fN`` (the general node: ``None``, tuples, other mappings...) otherwise. With
    ``lists`` (the node's own level only) its children also take an exact ``list`` inline: a
    comprehension of their literal (``xN`` per element), and with ``lists == 2`` (the node's
    ``dict`` path) that comprehension's exact-``list`` elements (rows of a list of lists) too,
    as a nested one (``yN``). Deeper inlined levels call their function for a list, so each
    inlined level's text is written a bounded number of times (``Plan.group`` counts them).
    A ``*`` child is a copy of an exact ``dict`` or its function's result.
    """
    parts = []
    for entry in level:
        k = key(entry.key)
        if entry.kind == "L":
            parts.append(f"{k}: {value}[{k}]")
            continue
        f = fn(entry.fn)
        if entry.kind == "C":
            parts.append(f"{k}: {f}({value}[{k}])")
            continue
        if bound:
            t = f"u{entry.fn}"
            test = is_dict.format(t)
        else:
            t = f"{temp}{entry.fn}"
            test = is_dict.format(f"{t} := {value}[{k}]")
        if entry.kind == "S":
            parts.append(f"{k}: ({t}.copy() if {test} else {f}({t}))")
            continue
        inner = _literal(entry.level, t, temp, key, fn, is_dict=is_dict)
        if not lists:
            parts.append(f"{k}: ({{{inner}}} if {test} else {f}({t}))")
            continue
        # Nested comprehensions use the builtins (a name of the enclosing one would need a cell).
        x, y = f"x{entry.fn}", f"y{entry.fn}"
        each = _literal(entry.level, x, "v", key, fn)
        rows = ""
        if lists > 1:
            row = _literal(entry.level, y, "w", key, fn)
            rows = f"[{{{row}}} if type({y}) is dict else {f}({y}) for {y} in {x}] if type({x}) is list else "
        parts.append(
            f"{k}: ({{{inner}}} if {test} else "
            f"[{{{each}}} if type({x}) is dict else {rows}{f}({x}) for {x} in {t}] "
            f"if type({t}) is list else {f}({t}))"
        )
    return ", ".join(parts)


def _clauses(level: list[_Entry], value: str, key: Callable[[int], str]) -> str:
    """The ``for uN in [value[key]]`` clauses binding the inlined children of a list path's
    element (``_literal``'s ``bound``): a comprehension's own local, where ``:=`` would bind a
    cell of the node (and CPython runs ``for v in [e]`` as a plain assignment).
    """
    return "".join(f" for u{e.fn} in [{value}[{key(e.key)}]]" for e in level if e.kind in "S{")


def _mixed_form(level: list[_Entry], key: Callable[[int], str], fn: Callable[[int], str], this: str) -> str:
    """The list path's comprehension for any list (``d``): each element is its literal if an
    exact ``dict`` and goes through the node, ``this``, otherwise. Closure-free where it can
    be (short lists pay no closure or cell per call): the node is a global, and the element's
    inlined children are bound by ``for uN in [...]`` clauses, the first of which is the
    element itself when that is not an exact ``dict`` (so ``u0 is not x`` tells; for a dict
    holding itself under that key, the node gives the same result).
    """
    literal = _literal(level, "x", "v", key, fn, bound=True)
    bound = [e for e in level if e.kind in "S{"]
    if not bound:
        return f"[{{{literal}}} if type(x) is dict else {this}(x) for x in d]"
    first = f"u{bound[0].fn}"
    clauses = f" for {first} in [x[{key(bound[0].key)}] if type(x) is dict else x]"
    clauses += "".join(f" for u{e.fn} in [x[{key(e.key)}] if {first} is not x else x]" for e in bound[1:])
    return f"[{{{literal}}} if {first} is not x else {this}(x) for x in d{clauses}]"


def placeholder(index: int) -> str:
    """The constant standing for key ``index`` in a closure factory's template: ``'$3'``.

    The closures' factories are compiled with these constants, and each node's copy of the
    code gets its exact ``str`` names put in their place in the code objects' constants
    (``compile.bind``), so the names are constants as in hand-written code, and never text.
    """
    return f"'${index}'"


SELF = "fs"  # the global name of a node in its own code, in the closure factories' templates


def function_name(index: int) -> str:
    """The global name of function ``index`` in a closure factory's template: ``f3``.

    ``compile.build`` runs each node's copy of the code with its own globals, where ``fI`` is
    the function of the node's ``I``-th non-leaf entry (``Plan.group``'s ``calls``).
    """
    return f"f{index}"


def factory_source(
    shape: Shape,
    name: str,
    *,
    keys: Sequence[str] | None = None,
    fns: Sequence[str] | None = None,
    this: str | None = None,
) -> str:
    """Source of the factory ``name`` for ``shape`` (see the module docstring).

    For a group, ``keys`` is the text of each key (``str_literal`` of its name, for the
    generated module); without it the keys are ``placeholder`` constants, which ``compile``
    replaces in each node's copy of the code. ``fns`` names the functions the group calls
    (the module's ``_nK``) and ``this`` the node itself (its ``_nK``); without them they are
    ``function_name``'s and ``SELF``, globals that ``compile`` gives each node.
    """
    if shape.kind == "star":
        return _STAR_TEMPLATE.format(name=name)
    if shape.kind in ("fallback", "loop"):
        if shape.kind == "loop":
            unpack, count = "", "len(keys)"
            checks_d, checks_x = "r = _pick(d, keys)", "r = _pick(x, keys)"
        else:
            if set(shape.pattern) - {"L"}:
                raise ValueError(f"bad shape {shape!r}")
            names = [f"k{i}" for i in range(len(shape.pattern))]
            unpack, count = _unpack(names, "keys"), str(len(names))
            checks_d = "r = {}" + "".join(f"\n            if {k} in d:\n                r[{k}] = d[{k}]" for k in names)
            checks_x = "r = {}" + "".join(
                f"\n                if {k} in x:\n                    r[{k}] = x[{k}]" for k in names
            )
        return _FALLBACK_TEMPLATE.format(
            name=name,
            unpack=unpack,
            checks_d=checks_d,
            checks_x=checks_x,
            count=count,
            misses=_MISSES,
            last_miss=_MISSES - 1,
            first_slow=_MISSES + 1,
            slow=_MISSES + _RECOVER,
        )
    if shape.kind != "group":
        raise ValueError(f"bad shape {shape!r}")
    level, keys_count, fns_count = _parse(shape.pattern)
    if keys is not None and len(keys) != keys_count:
        raise ValueError(f"{shape!r} has {keys_count} keys, not {len(keys)}")
    if fns is not None and len(fns) != fns_count:
        raise ValueError(f"{shape!r} calls {fns_count} functions, not {len(fns)}")
    key: Callable[[int], str] = placeholder if keys is None else keys.__getitem__
    fn: Callable[[int], str] = function_name if fns is None else fns.__getitem__
    return _GROUP_TEMPLATE.format(
        name=name,
        misses=_MISSES,
        recover=_RECOVER,
        literal=_literal(level, "d", "t", key, fn, 2),
        element=_literal(level, "x", "v", key, fn, 1, bound=True, is_dict="T({}) is D"),
        clauses=_clauses(level, "x", key),
        short=_SHORT,
        mixed=_mixed_form(level, key, fn, SELF if this is None else this),
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
    filters: Mapping[str, FilterTree], *, sources: Sequence[str], command: str, audience: str | None = None
) -> str:
    """The generated module: ``FILTERS: dict[str, Callable]``, standard library only.

    ``audience``: the audience whose whitelists ``filters`` are (``load_filter_trees(...,
    audience=)``), named in a comment and as ``AUDIENCE``, so a service can check that it
    imported the module it meant to; ``None`` (no audience order) adds neither.

    Deterministic for a given input, and pure ASCII. Safety: apart from fixed templates and
    counter-made identifiers (``_K``, ``_s3``, ``_g7``, ``_n12``), the only variable text is
    (a) names and nicknames as ``str_literal`` entries of the ``_K`` table, read back by
    index, (b) the same ``str_literal`` text of each name as a constant key in the code of
    its level (``_gN``: a dict display and subscripts, as hand-written code has them),
    (c) comments from line 3 on, each made by ``comment_text``, and (d) the audience as the
    ``str_literal`` value of ``AUDIENCE``. Lines 1-2 are fixed
    (``HEADER``): Python reads an encoding declaration only there (PEP 263), and line 1 pins
    UTF-8, so nothing a user controls can change how the file is decoded.
    """
    plan = plan_of(*filters.values())
    keys: dict[str, int] = {}
    # the factories shared by shape: fallbacks and ``*``; a node's group is its own (``_gN``)
    shared = [shape for shape in plan.shapes if shape.kind != "group"]
    factories = {shape: f"_s{index}" for index, shape in enumerate(shared)}
    groups: list[str] = []
    statements: list[str] = []

    def key(value: str) -> str:
        if value not in keys:
            str_literal(value)  # fail early on a non-str
            keys[value] = len(keys)
        return f"_K[{keys[value]}]"

    def emit(node: PlanNode, made: Sequence[str]) -> str:
        index = len(made)
        variable = f"_n{index}"
        if node.star:
            statements.append(f"{variable} = {factories[STAR]}()")
            return variable
        group = plan.group(index)
        for name in group.keys:
            key(name)  # every name is in the table too
        literals = [str_literal(name) for name in group.keys]
        # the functions it calls are the children's variables (globals, assigned before any call)
        groups.append(
            factory_source(group.shape, f"_g{index}", keys=literals, fns=[made[c] for c in group.calls], this=variable)
        )
        spec = "".join(
            f"({key(name)}, {child}), " for name, child in zip(node.names, node.children_of(made, "None"))
        )
        fallback = node.fallback
        assert fallback is not None
        statements.append(f"{variable} = _g{index}(({spec}), {factories[fallback]})")
        return variable

    # A nickname may be a str subclass: ``str.__str__`` gives its exact-str value.
    nicknames = [key(str.__str__(nickname)) for nickname in filters]
    made = plan.build(emit)
    entries = [f"    {nickname}: {made[root]}," for nickname, root in zip(nicknames, plan.roots)]
    lines = [*HEADER, "# Sources:"]
    lines += [f"#   {comment_text(source)}" for source in sources]
    if audience is not None:
        lines.append(f"# Audience: {comment_text(audience)}")
    lines += ["# Regenerate with:", f"#   {comment_text(command)}"]
    lines += [
        '"""Whitelist output filters: ``FILTERS[nickname](response)`` returns the filtered response.',
        "",
        "Standard library only. Field names appear solely as ascii() string literals: in the",
        "table ``_K`` and, as constant keys, in each level's own code (``_gN``).",
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
    for source in groups:
        lines += ["", source]
    lines += [""] + statements
    if audience is not None:
        lines += ["", f"AUDIENCE = {str_literal(str.__str__(audience))}"]
    lines += ["", "FILTERS = {"] + entries + ["}", ""]
    source = "\n".join(lines)
    if not source.isascii():  # pragma: no cover - every variable part is escaped above
        raise ValueError("generated module is not pure ASCII")
    return source

