"""Helpers both input formats share (Swagger 1.x in :mod:`.swagger1`, 2.0/3.x in :mod:`.openapi`).

Loose values -> model values (:func:`text`, :func:`to_number`, :func:`media_types`), the
generated nickname of an operation without one, the API's :class:`~.model.ApiInfo`, and the
nickname de-duplication every spec ends with (:func:`unique_nicknames`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from sphinx_apidocs.spec.model import ApiInfo, Operation, Resource


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def to_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isinf(number) or math.isnan(number):
        return None
    return int(number) if number.is_integer() else number


def media_types(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def generated_nickname(method: str, path: str) -> str:
    """A stable nickname for operations that have none: ``GET /pets/{petId}`` -> ``get-pets-petId``."""
    words = re.findall(r"[A-Za-z0-9_]+", path)
    return "-".join([method.lower(), *words]) if words else method.lower()


def api_info(info: Any, version: Any) -> ApiInfo:
    """The API's title and description (from the ``info`` object, if it is one) and version."""
    found: Mapping[str, Any] = info if isinstance(info, dict) else {}
    return ApiInfo(
        title=text(found.get("title")),
        description=text(found.get("description")),
        version="" if version is None else str(version),
    )


class UniqueNames:
    """Hands out names no one has yet: ``name``, else the first free ``name-2``, ``name-3``...

    Linear over many uses of one name: the search for a base name resumes where its last one
    stopped (names are only ever taken, so nothing below that point can have become free).
    Nicknames, OpenAPI model names, generated page names and snapshot file names all use it.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)
        self._next_suffix: dict[str, int] = {}

    def add(self, name: str, *, keep_extension: bool = False) -> str:
        """``name`` if it is free, else :meth:`suffixed`; either way taken from now on."""
        if name not in self.taken:
            self.taken.add(name)
            return name
        return self.suffixed(name, keep_extension=keep_extension)

    def suffixed(self, name: str, *, keep_extension: bool = False) -> str:
        """The first free ``name-N`` (``stem-N.ext`` with ``keep_extension``), now taken."""
        stem, ext = os.path.splitext(name) if keep_extension else (name, "")
        counter = self._next_suffix.get(name, 2)
        while f"{stem}-{counter}{ext}" in self.taken:
            counter += 1
        self._next_suffix[name] = counter + 1
        new = f"{stem}-{counter}{ext}"
        self.taken.add(new)
        return new


def unique_nicknames(resources: list[Resource]) -> tuple[list[Resource], list[str]]:
    """Rename repeated nicknames (``watchJob`` -> ``watchJob-2``) so every operation has an id.

    Real specs repeat nicknames (Kubernetes does for path variants). Documentation needs one
    target per operation, so later repeats get the first free numbered suffix, with a located
    warning. Linear: a counter per base name continues where the last search for that name
    stopped (names only ever get taken, so nothing below it can have become free).
    """
    seen: dict[str, tuple[str, Operation]] = {}  # nickname -> (source, operation) of its first use
    names = UniqueNames(op.nickname for resource in resources for op in resource.operations)
    warnings: list[str] = []
    result: list[Resource] = []
    for resource in resources:
        apis = []
        changed = False
        for api in resource.apis:
            operations = []
            for op in api.operations:
                first = seen.get(op.nickname)
                if first is not None:
                    new = names.suffixed(op.nickname)
                    warnings.append(
                        f"{resource.source} ({op.method} {op.path}): nickname {op.nickname!r} is also used by "
                        f"{first[0]} ({first[1].method} {first[1].path}); this operation is documented as {new!r}"
                    )
                    op = replace(op, nickname=new)
                    changed = True
                seen.setdefault(op.nickname, (resource.source, op))
                operations.append(op)
            apis.append(replace(api, operations=tuple(operations)) if changed else api)
        result.append(replace(resource, apis=tuple(apis)) if changed else resource)
    return result, warnings
