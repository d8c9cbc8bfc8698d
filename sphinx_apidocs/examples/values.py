"""Scalar example values: the spec's own values made JSON-clean, checked against their
schema, or synthesized from type, format and constraints.

``Facets`` gathers what a property or a parameter says about its values besides the type
(``enum``, bounds, ``nullable``, ``Constraints``), so one code path serves both.
"""

from __future__ import annotations

import datetime
import importlib
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from sphinx_apidocs.spec.model import UNSET, Constraints, Parameter, Property, TypeRef

#: Types that hold no fields (Swagger 1.0 also spelled dates as types).
PRIMITIVES = frozenset({"string", "integer", "number", "boolean", "file", "date", "date-time"})
#: Types whose value may be anything (an ``object`` without a model, ``any``, no type).
OPEN_TYPES = frozenset({"object", "any", "", None})

FORMAT_STRINGS: dict[str, str] = {
    "date-time": "2024-01-15T09:30:00Z",
    "date": "2024-01-15",
    "time": "09:30:00",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/resource",
    "url": "https://example.com/resource",
    "uri-reference": "https://example.com/resource",
    "iri": "https://example.com/resource",
    "uriref": "https://example.com/resource",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "byte": "c3RyaW5n",
    "binary": "string",
    "password": "********",
    "int64": "1234567890",
    "int32": "123",
    "decimal": "12.34",
    "double": "12.34",
    "float": "12.34",
    "snowflake": "175928847299117063",
    "object-id": "5f2b6c8e9d3a4b1c2d3e4f50",
    "regex": "^[a-z]+$",
    "json-pointer": "/a/b",
    "unix-time": "1705311000",
}

_PLAIN_STRING = "string"
_MAX_INT_DIGITS = 1000  # larger integers from a spec are dropped, not printed


@dataclass(frozen=True)
class Facets:
    """What a value may be besides its type: enumeration, bounds, nullability, constraints."""

    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    constraints: Constraints = Constraints()

    @classmethod
    def of(cls, item: Property | Parameter) -> Facets:
        return cls(item.enum, item.minimum, item.maximum, item.nullable, item.constraints)


NO_FACETS = Facets()


def jsonable(value: Any, _depth: int = 0) -> Any:
    """``value`` as exact JSON types (``str``, ``int``, finite ``float``, ``bool``, ``None``,
    ``list``, ``dict`` with ``str`` keys), or ``UNSET`` when it cannot be one. Dates (YAML
    timestamps) become ISO text; a non-finite float becomes ``None``.
    """
    if value is UNSET or _depth > 200:
        return UNSET
    if value is None or value is True or value is False:
        return value
    if isinstance(value, bool):  # a bool subclass
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        number = int(value)
        if number.bit_length() > _MAX_INT_DIGITS * 3.33:
            return UNSET
        return number
    if isinstance(value, float):
        real = float(value)
        return real if math.isfinite(real) else None
    if isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            text += "Z"
        return text
    if isinstance(value, (list, tuple)):
        items = [jsonable(item, _depth + 1) for item in value]
        return UNSET if any(item is UNSET for item in items) else items
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, member in value.items():
            clean = jsonable(member, _depth + 1)
            if clean is UNSET:
                return UNSET
            if isinstance(key, str):
                name = str.__str__(key)
            elif key is None or isinstance(key, bool):
                name = "null" if key is None else "true" if key else "false"
            elif isinstance(key, (int, float)):
                name = repr(jsonable(key))
            else:
                return UNSET
            result[name] = clean
        return result
    return UNSET


def coerce(value: Any, type_ref: TypeRef) -> Any:
    """A value given as text (``enum`` values, Swagger 1.2 defaults) as the JSON type its
    ``type`` names (``"3"`` -> ``3`` for an integer, ``"true"`` -> ``True``), else unchanged."""
    kind = type_ref.type
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "integer" and re.fullmatch(r"-?\d{1,300}", text):
        return int(text)
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return value
        if math.isfinite(number):
            return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
        return value
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return value


_JSON_TYPES: dict[str | None, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "string": (str,),
    "date": (str,),
    "date-time": (str,),
    "file": (str,),
}


def enum_values(type_ref: TypeRef, facets: Facets) -> list[Any]:
    """The enumeration as JSON values of the type; values that cannot be of the type (a
    spec's ``"1-registered"`` for an integer) are no constraint and are left out."""
    wanted = _JSON_TYPES.get(type_ref.type)
    values = [coerce(v, type_ref) for v in facets.enum]
    if wanted is None:
        return values
    return [v for v in values if isinstance(v, wanted) and (bool not in wanted) == (not isinstance(v, bool))]


# -- checks --------------------------------------------------------------------------------


def multiple_ok(value: float, step: float) -> bool:
    """``value`` is a multiple of ``step`` as JSON Schema validators check it."""
    if step <= 0:
        return True
    if isinstance(step, float):
        try:
            quotient = value / step
            return int(quotient) == quotient
        except (OverflowError, ValueError):
            return (Fraction(value) / Fraction(step)).denominator == 1
    if isinstance(value, float):
        return value % step == 0
    return value % step == 0


def number_ok(value: Any, integer: bool, facets: Facets) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if integer and not isinstance(value, int):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    c = facets.constraints
    if facets.minimum is not None and (value <= facets.minimum if c.exclusive_minimum else value < facets.minimum):
        return False
    if facets.maximum is not None and (value >= facets.maximum if c.exclusive_maximum else value > facets.maximum):
        return False
    if c.multiple_of is not None and not multiple_ok(value, c.multiple_of):
        return False
    return True


def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def string_ok(value: Any, facets: Facets) -> bool:
    if not isinstance(value, str):
        return False
    c = facets.constraints
    if c.min_length is not None and len(value) < c.min_length:
        return False
    if c.max_length is not None and len(value) > c.max_length:
        return False
    if c.pattern:
        compiled = _pattern(c.pattern)
        if compiled is not None and not compiled.search(value):
            return False
    return True


def scalar_fits(value: Any, type_ref: TypeRef, facets: Facets) -> bool:
    """Whether a JSON value fits a primitive (or open) type with its facets; arrays and
    models are checked by the caller, which knows the models."""
    if value is None:
        return facets.nullable or type_ref.type in ("any", "", None) and not type_ref.ref
    allowed = enum_values(type_ref, facets) if facets.enum else []
    if allowed:
        if not any(value == v and type(value) is type(v) for v in allowed):
            return False
    kind = type_ref.type
    if kind in ("integer", "number"):
        return number_ok(value, kind == "integer", facets)
    if kind in ("string", "date", "date-time", "file"):
        return string_ok(value, facets)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    return kind in ("any", "", None)


# -- synthesis -----------------------------------------------------------------------------


def synthesize(type_ref: TypeRef, facets: Facets) -> Any:
    """An example of a primitive type (first enum value when there is one), or ``UNSET``
    for a type that is not a primitive."""
    kind = type_ref.type
    for value in enum_values(type_ref, facets):
        if scalar_fits(value, type_ref, facets):
            return value
    if kind == "integer":
        return _number(facets, integer=True)
    if kind == "number":
        return _number(facets, integer=False)
    if kind == "boolean":
        return True
    if kind in ("string", "file"):
        return _string(type_ref.format, facets)
    if kind in ("date", "date-time"):
        return _string(kind, facets)
    return UNSET


def _number(facets: Facets, *, integer: bool) -> int | float:
    c = facets.constraints
    low, high = facets.minimum, facets.maximum
    step = c.multiple_of if c.multiple_of is not None and c.multiple_of > 0 else None
    candidates: list[float] = [1 if integer else 1.5]
    for bound, sign in ((low, 1), (high, -1)):
        if bound is None:
            continue
        candidates += [bound, bound + sign, bound + sign * 0.5, math.floor(bound) + sign, math.ceil(bound) + sign]
    if low is not None and high is not None:
        candidates.append((low + high) / 2)
    if step is not None:
        more: list[float] = []
        for value in candidates:
            base = math.floor(value / step) if math.isfinite(value / step) else 0
            more += [k * step for k in range(base - 1, base + 3)]
            exact = Fraction(str(step))
            more += [float(k * exact) if not integer else k * exact.numerator for k in range(base - 1, base + 3)]
        candidates = more + candidates
    for value in candidates:
        if integer:
            if not (isinstance(value, int) or float(value).is_integer()):
                continue
            value = int(value)
        if number_ok(value, integer, facets):
            return value
    return int(candidates[0]) if integer else candidates[0]


def _string(fmt: str | None, facets: Facets) -> str:
    c = facets.constraints
    candidates: list[str] = []
    if c.pattern:
        generated = from_pattern(c.pattern)
        if generated is not None:
            candidates.append(generated)
    candidates.append(FORMAT_STRINGS.get(fmt or "", _PLAIN_STRING))
    candidates.append(_PLAIN_STRING)
    for text in list(candidates):
        if c.min_length is not None and len(text) < c.min_length:
            candidates.append(text + "x" * (c.min_length - len(text)))
        if c.max_length is not None and len(text) > c.max_length:
            candidates.append(text[: c.max_length])
    for text in candidates:
        if string_ok(text, facets):
            return text
    return candidates[-1]


# -- strings matching a pattern ------------------------------------------------------------

_parser: Any = None


def _sre() -> Any:
    global _parser
    if _parser is None:
        try:
            _parser = importlib.import_module("re._parser")
        except ImportError:  # Python < 3.11
            _parser = importlib.import_module("sre_parse")
    return _parser


_CATEGORY = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
}


def from_pattern(pattern: str) -> str | None:
    """A short string that ``re.search(pattern, ...)`` matches, or ``None``."""
    compiled = _pattern(pattern)
    if compiled is None or len(pattern) > 1000:
        return None
    try:
        parsed = _sre().parse(pattern)
        text = _generate(list(parsed), {}, 0)
    except (RecursionError, ValueError, TypeError, IndexError, AttributeError, _TooLong):
        return None
    return text if compiled.search(text) else None


class _TooLong(Exception):
    pass


def _generate(items: list[Any], groups: dict[int, str], depth: int) -> str:
    if depth > 50:
        raise _TooLong
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_in(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            if low > 100:
                raise _TooLong
            part = _generate(list(sub), groups, depth + 1)
            out.append(part * low)
        elif name == "SUBPATTERN":
            group, _add, _del, sub = arg
            part = _generate(list(sub), groups, depth + 1)
            if group:
                groups[group] = part
            out.append(part)
        elif name == "ATOMIC_GROUP":
            out.append(_generate(list(arg), groups, depth + 1))
        elif name == "BRANCH":
            out.append(_generate(list(arg[1][0]), groups, depth + 1))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORY.get(str(arg), "a"))
        else:
            raise ValueError(name)
    return "".join(out)


def _in(items: list[Any]) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        for candidate in "a0A_-x ":
            if not _in_set(candidate, items):
                return candidate
        raise ValueError("negated set")
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY.get(str(arg), "a")
    raise ValueError("set")


def _in_set(char: str, items: list[Any]) -> bool:
    code = ord(char)
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and arg == code:
            return True
        if name == "RANGE" and arg[0] <= code <= arg[1]:
            return True
        if name == "CATEGORY":
            test: Callable[[str], bool] = {
                "CATEGORY_DIGIT": str.isdigit,
                "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
                "CATEGORY_SPACE": str.isspace,
                "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
                "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
                "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
            }.get(str(arg), lambda c: False)
            if test(char):
                return True
    return False
