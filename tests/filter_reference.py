"""The reference interpreter the property tests compare compiled filters with.

Obviously correct and slow: DESIGN.md "Filter semantics", read line by line, plus the mapping
rule (``sphinx_apidocs.filters.codegen``'s docstring): a mapping that is not exactly ``dict`` is
read only through its protocol. A key is *present* when ``key in value`` holds and
``value[key]`` does not raise ``KeyError`` (``in`` first, so a ``defaultdict`` never grows); a
named field passes when present; ``*`` passes every present key ``value.keys()`` lists, of any
type. Lists and tuples (and their subclasses, iterated) become lists.

Recursive on purpose (simplest to read): callers comparing deep data raise the recursion limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sphinx_apidocs.filters import FilterTree


def present(value: Mapping[Any, Any], key: Any) -> tuple[bool, Any]:
    """``(True, value[key])`` if ``key`` is present in ``value`` by the mapping rule."""
    if key not in value:
        return False, None
    try:
        return True, value[key]
    except KeyError:
        return False, None


def reference(tree: FilterTree, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [reference(tree, item) for item in value]
    if isinstance(value, Mapping):
        keys = list(value.keys()) if tree.star else [name for name, _ in tree.fields]
        subs = dict(tree.fields)
        out = {}
        for key in keys:
            found, item = present(value, key)
            if found:
                sub = None if tree.star else subs[key]
                out[key] = item if sub is None else reference(sub, item)
        return out
    return None
