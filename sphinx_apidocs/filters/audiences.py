"""Audience orders: which readerships one filter folder serves, from the widest to the narrowest.

An order comes from the caller (``audiences=[...]``, ``--audiences``) or from an
``audiences.yaml`` at the top of a filter folder (a YAML list of names). Each name is also the
name of the folder that holds the fields added for that audience, so a name must be usable as
a folder name on every system a team works on: no separators, no characters Windows refuses,
no leading dot (hidden folders are never read), unique even ignoring case. ``load`` sorts the
files into layers with it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from yaml.nodes import Node, ScalarNode, SequenceNode

from sphinx_apidocs.filters.errors import FilterError, Location, quoted
from sphinx_apidocs.filters.parse import compose_checked, read_filter_file, yaml_kind

ORDER_FILE = "audiences.yaml"
MAX_NAME_BYTES = 255  # a folder name on the common file systems
_BAD_CHARACTERS = re.compile(r'[<>:"/\\|?*]')


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an audience (and its folder's name), or ``None``."""
    if name == "":
        return "empty audience name"
    if not name.isprintable():
        return f"audience name {quoted(name)} has a control or invisible character"
    if name != name.strip():
        return f"audience name {quoted(name)} starts or ends with white space"
    if name.startswith("."):
        return f"audience name {quoted(name)} starts with '.' (hidden folders are not read)"
    if name.endswith("."):
        return f"audience name {quoted(name)} ends with '.' (not a portable folder name)"
    found = _BAD_CHARACTERS.search(name)
    if found:
        return f"audience name {quoted(name)} has {found.group()!r} (not allowed in a folder name)"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"audience name {quoted(name)} is longer than {MAX_NAME_BYTES} bytes"
    return None


def check_order(names: object, where: str = "audiences") -> tuple[str, ...]:
    """``names`` (a list or tuple of audience names, widest first) as a checked tuple.

    ``where`` names the argument in messages (``audiences``, ``--audiences``,
    ``apidocs_audiences``). Every problem is a one-line ``FilterError``.
    """
    if not isinstance(names, (list, tuple)):
        raise FilterError(f"expected a list of audience names, widest first; not {type(names).__name__}", where)
    if not names:
        raise FilterError("no audience listed", where)
    order: list[str] = []
    seen: dict[str, tuple[str, str]] = {}
    for index, name in enumerate(names, 1):
        if not isinstance(name, str):
            raise FilterError(f"audience {index} must be a string, not {type(name).__name__}", where)
        name = str.__str__(name)  # an exact str: it becomes a folder name and a cache key
        _check_name(name, where, seen, f"audience {index}")
        order.append(name)
    return tuple(order)


def _check_name(name: str, where: str | Location, seen: dict[str, tuple[str, str]], place: str) -> None:
    """One name of an order: usable as a folder name and not given before, even in another
    case (two such folders are one folder on macOS and Windows). ``place`` says where the
    name is, for a later duplicate's message.
    """
    problem = name_problem(name)
    if problem is not None:
        raise FilterError(problem, where)
    folded = name.casefold()
    earlier = seen.get(folded)
    if earlier is not None:
        other, first = earlier
        if other == name:
            raise FilterError(f"duplicate audience {quoted(name)} (first as {first})", where)
        raise FilterError(
            f"audience {quoted(name)} differs only in case from {quoted(other)} ({first}): "
            "their folders are one folder on some systems",
            where,
        )
    seen[folded] = (name, place)


def read_order(path: str | os.PathLike[str], display: str) -> tuple[str, ...]:
    """The order an ``audiences.yaml`` lists; each problem a ``FilterError`` at its line."""
    data = read_filter_file(path, display)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FilterError("not valid UTF-8", display) from None
    try:
        root = compose_checked(text, display)
    except RecursionError:  # the YAML composer recurses per level; a list of names has one
        raise FilterError("nested too deeply: expected a list of audience names", Location(display, 1, 1)) from None
    if root is None:
        raise FilterError("empty: expected a list of audience names, widest first", Location(display, 1, 1))
    if not isinstance(root, SequenceNode):
        raise FilterError(
            f"expected a list of audience names, widest first; found {yaml_kind(root)}", _at(display, root)
        )
    if not root.value:
        raise FilterError("no audience listed", _at(display, root))
    order: list[str] = []
    seen: dict[str, tuple[str, str]] = {}
    for item in root.value:
        where = _at(display, item)
        if not isinstance(item, ScalarNode) or item.tag != "tag:yaml.org,2002:str":
            hint = "; quote it to use it as a name" if isinstance(item, ScalarNode) and item.style is None else ""
            raise FilterError(f"an audience name must be a string, found {yaml_kind(item)}{hint}", where)
        _check_name(item.value, where, seen, f"line {where.line}")
        order.append(item.value)
    return tuple(order)


def _at(display: str, node: Node) -> Location:
    mark = node.start_mark
    return Location(display, mark.line + 1, mark.column + 1)


def same_orders(orders: Iterable[tuple[tuple[str, ...], str]]) -> tuple[str, ...]:
    """The one order of several ``(order, display)`` (the ``audiences.yaml`` of each folder
    given); two folders that disagree are an error naming both files.
    """
    first: tuple[tuple[str, ...], str] | None = None
    for order, display in orders:
        if first is None:
            first = (order, display)
        elif order != first[0]:
            raise FilterError(f"lists another audience order than {first[1]}", display)
    return () if first is None else first[0]
