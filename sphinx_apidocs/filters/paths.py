"""``dotted_paths``: a filter as the flat list of field paths the docs show."""

from __future__ import annotations

from sphinx_apidocs.filters.names import STAR, escape_name
from sphinx_apidocs.filters.tree import FilterTree


def dotted_paths(tree: FilterTree) -> list[str]:
    """The leaves of ``tree`` as dotted paths, e.g. ``["info.ref", "info.location.city", "tags.*"]``.

    Paths come from the union tree, depth first: a key sits where it was first declared at its
    level, so ``[a.x, b, a.y]`` lists ``a.x, a.y, b`` — the order of the keys in the filtered
    output. Containers are not listed themselves, only their leaves; a leaf that subsumes an
    earlier or later container (``a.x`` + ``a``) is listed once, as ``a``, at the container's
    first position. ``*`` appears as ``prefix.*``. Names are escaped (``app\\.version``,
    ``a\\\\b``, ``\\*``) so every path parses back to the same key. No path repeats.
    """
    paths: list[str] = []
    # An explicit stack (reversed children) keeps deep filters clear of the recursion limit.
    stack: list[tuple[str, FilterTree | None]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        if node is None:
            paths.append(prefix)
        elif node.star:
            paths.append(prefix + STAR)
        else:
            stack.extend(
                (prefix + escape_name(name) + ("." if child is not None else ""), child)
                for name, child in reversed(node.fields)
            )
    return paths
