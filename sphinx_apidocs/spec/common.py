"""Helpers both input formats share (Swagger 1.x in :mod:`.swagger1`, 2.0/3.x in :mod:`.openapi`).

Loose values -> model values (:func:`text`, :func:`to_number`, :func:`media_types`), the
generated nickname of an operation without one, the API's :class:`~.model.ApiInfo`, the
nickname de-duplication every spec ends with (:func:`unique_nicknames`), and the validation
keywords and examples of a schema or parameter (:func:`limits`, :func:`schema_example`):
a value of the wrong JSON type is left out with a located warning, never an exception.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from sphinx_apidocs.spec.model import UNSET, ApiInfo, Constraints, Operation, Resource

#: ``warn(pointer, message)``: report a located, non-fatal problem; ``pointer`` is the JSON
#: pointer (as parts) of the offending value in the document being read.
WarnAt = Callable[[tuple[Any, ...], str], None]


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def to_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond float
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


# -- validation keywords and examples ---------------------------------------------------------

_COUNTS = (("minLength", "min_length"), ("maxLength", "max_length"), ("minItems", "min_items"), ("maxItems", "max_items"))
_FLAGS = (("uniqueItems", "unique_items"), ("readOnly", "read_only"), ("writeOnly", "write_only"))
_TRUE_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}


def json_type(value: Any) -> str:
    """The JSON name of a loaded value's type, for messages (never the value: it may be long
    or hold line breaks, and a message is one line)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def ignored(key: str, expected: str, value: Any) -> str:
    """The message for a keyword left out because its value has the wrong type."""
    return f"{key} ignored: expected {expected}, got {json_type(value)}"


def _count(value: Any, loose: bool) -> int | None:
    """A non-negative integer (``5``, ``5.0``; with ``loose`` also ``"5"``), else None."""
    if isinstance(value, str) and loose:
        value = to_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return value if value >= 0 else None


def flag(obj: Mapping[str, Any], key: str, pointer: tuple[Any, ...], warn: WarnAt, *, loose: bool = False) -> bool:
    """A boolean keyword: ``True``/``False`` (with ``loose`` also ``"true"``...); absent or
    ``null`` is ``False``; any other value is ``False`` with a warning."""
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value is True
    if loose and isinstance(value, str) and value.strip().lower() in _TRUE_WORDS:
        return _TRUE_WORDS[value.strip().lower()]
    warn((*pointer, key), ignored(key, "a boolean", value))
    return False


def string(obj: Mapping[str, Any], key: str, pointer: tuple[Any, ...], warn: WarnAt) -> str:
    """A text keyword; absent or ``null`` is ``""``; any other non-string is ``""`` with a warning."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    warn((*pointer, key), ignored(key, "a string", value))
    return ""


def limits(
    obj: Mapping[str, Any],
    minimum: float | None,
    maximum: float | None,
    pointer: tuple[Any, ...],
    warn: WarnAt,
    *,
    loose: bool = False,
) -> tuple[float | None, float | None, Constraints]:
    """The validation keywords of ``obj`` (a schema, a 2.0 parameter, a 1.x property...).

    ``minimum``/``maximum`` are the bounds already read; an ``exclusiveMinimum`` /
    ``exclusiveMaximum`` that is a number (JSON Schema 2019+, OpenAPI 3.1) becomes the bound,
    flagged exclusive (unless ``minimum`` is the tighter bound); a boolean (2.0 / 3.0) just
    flags the bound. ``loose`` (Swagger 1.x) also takes numbers and booleans written as
    strings. ``null`` means "not given"; other wrong types are left out with a warning.
    """
    found: dict[str, Any] = {}
    for key, attr in _COUNTS:
        value = obj.get(key)
        if value is None:
            continue
        count = _count(value, loose)
        if count is None:
            warn((*pointer, key), ignored(key, "a non-negative integer", value))
        else:
            found[attr] = count
    pattern = obj.get("pattern")
    if isinstance(pattern, str):
        if pattern:
            found["pattern"] = pattern
    elif pattern is not None:
        warn((*pointer, "pattern"), ignored("pattern", "a string", pattern))
    for key, attr in _FLAGS:
        if flag(obj, key, pointer, warn, loose=loose):
            found[attr] = True
    multiple = obj.get("multipleOf")
    if multiple is not None:
        number = None if isinstance(multiple, str) and not loose else to_number(multiple)
        if number is None or number <= 0:
            warn((*pointer, "multipleOf"), ignored("multipleOf", "a number above 0", multiple))
        else:
            found["multiple_of"] = number
    for key, attr, lower in (("exclusiveMinimum", "exclusive_minimum", True), ("exclusiveMaximum", "exclusive_maximum", False)):
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, str) and loose and value.strip().lower() in _TRUE_WORDS:
            value = _TRUE_WORDS[value.strip().lower()]
        if isinstance(value, bool):
            if value:
                found[attr] = True
            continue
        number = to_number(value) if isinstance(value, (int, float)) else None
        if number is None:
            warn((*pointer, key), ignored(key, "a number or a boolean", value))
            continue
        if lower:
            if minimum is None or number >= minimum:
                minimum = number
                found[attr] = True
        elif maximum is None or number <= maximum:
            maximum = number
            found[attr] = True
    return minimum, maximum, Constraints(**found) if found else _NO_CONSTRAINTS


_NO_CONSTRAINTS = Constraints()


def schema_example(obj: Mapping[str, Any], pointer: tuple[Any, ...], warn: WarnAt) -> Any:
    """A schema's ``example`` (kept as loaded: any JSON value, ``null`` included), else the
    first of its JSON Schema ``examples`` array (OpenAPI 3.1), else :data:`UNSET`."""
    if "example" in obj:
        return obj["example"]
    examples = obj.get("examples")
    if isinstance(examples, list):
        return examples[0] if examples else UNSET
    if examples is not None:
        warn((*pointer, "examples"), ignored("examples", "an array", examples))
    return UNSET


def merge_constraints(outer: Constraints, inner: Constraints) -> Constraints:
    """``outer``'s keywords over ``inner``'s, keyword by keyword (a wrapper schema over its
    member, a ``$ref``'s siblings over its target)."""
    if not outer:
        return inner
    if not inner:
        return outer
    merged = {
        name: getattr(outer, name) if getattr(outer, name) != getattr(_NO_CONSTRAINTS, name) else getattr(inner, name)
        for name in _CONSTRAINT_FIELDS
    }
    return Constraints(**merged)


_CONSTRAINT_FIELDS = tuple(Constraints.__dataclass_fields__)


def audience_marks(value: Any) -> tuple[str, ...]:
    """An ``audience`` / ``x-audience`` value as marks: a name, or a list of names (the
    narrowest of them counts); anything else marks nothing (the validator says why)."""
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())
    return ()


def lifecycle_date(value: Any) -> str:
    """A ``deprecatedAt``/``sunset`` (``x-deprecated-at``/``x-sunset``) value: an ISO date or
    datetime as text (YAML gives dates as ``date`` objects); anything else is no date."""
    import datetime

    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip()
    try:
        if len(text) == 10:
            datetime.date.fromisoformat(text)
        else:
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return text
