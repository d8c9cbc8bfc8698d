"""The reference interpreter the property tests compare compiled filters with.

Obviously correct and slow: DESIGN.md "Filter semantics", read line by line.
"""

from __future__ import annotations

from typing import Any

from sphinx_apidocs.filters import FilterTree


def reference(tree: FilterTree, value: Any) -> Any:
    if isinstance(value, dict):
        if tree.star:
            return dict(value)
        return {
            name: value[name] if sub is None else reference(sub, value[name])
            for name, sub in tree.fields
            if name in value
        }
    if isinstance(value, (list, tuple)):
        return [reference(tree, item) for item in value]
    return None
