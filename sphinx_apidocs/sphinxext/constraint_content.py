"""What a value may be, as content: the validation keywords of a parameter or property.

Range (``minimum``/``maximum``, exclusive or not, ``multipleOf``), length (``minLength``,
``maxLength``), ``pattern``, item counts (``minItems``, ``maxItems``, ``uniqueItems``),
read-only / write-only, the default and the example — each as a short phrase with its values
as literals, so a model table says what Redoc says about a field.
"""

from __future__ import annotations

import json
from typing import Any

from sphinx_apidocs.spec.model import UNSET, Constraints, Parameter, Property
from sphinx_apidocs.sphinxext.content import Code, Inline, Paragraph, Text


def value_text(value: Any) -> str:
    """A value as JSON writes it (``true``, ``20``, ``0.5``, ``"a"`` inside lists and objects)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return str(value)


def _number(value: float) -> str:
    return value_text(value)


def range_phrases(item: Parameter | Property, constraints: Constraints) -> list[tuple[Inline, ...]]:
    """``from 1 to 100``, ``greater than 0``, ``a multiple of 5``."""
    low, high = item.minimum, item.maximum
    low_word = "greater than" if constraints.exclusive_minimum else "at least"
    high_word = "less than" if constraints.exclusive_maximum else "at most"
    phrases: list[tuple[Inline, ...]] = []
    if low is not None and high is not None and not (constraints.exclusive_minimum or constraints.exclusive_maximum):
        phrases.append((Text("from "), Code(_number(low)), Text(" to "), Code(_number(high))))
    else:
        if low is not None:
            phrases.append((Text(low_word + " "), Code(_number(low))))
        if high is not None:
            phrases.append((Text(high_word + " "), Code(_number(high))))
    if constraints.multiple_of is not None:
        phrases.append((Text("a multiple of "), Code(_number(constraints.multiple_of))))
    return phrases


def _count(low: int | None, high: int | None, unit: str) -> tuple[Inline, ...] | None:
    if low is not None and high is not None:
        if low == high:
            return (Text(f"exactly {low} {unit}"),)
        return (Text(f"{low} to {high} {unit}"),)
    if low is not None:
        return (Text(f"at least {low} {unit}"),)
    if high is not None:
        return (Text(f"at most {high} {unit}"),)
    return None


def constraint_phrases(item: Parameter | Property) -> list[tuple[Inline, ...]]:
    """Every validation keyword of ``item`` but ``enum`` (listed as allowed values), as phrases."""
    constraints = item.constraints
    phrases = range_phrases(item, constraints)
    length = _count(constraints.min_length, constraints.max_length, "characters")
    if length:
        phrases.append(length)
    if constraints.pattern:
        phrases.append((Text("matches "), Code(constraints.pattern)))
    items = _count(constraints.min_items, constraints.max_items, "items")
    if items:
        phrases.append(items)
    if constraints.unique_items:
        phrases.append((Text("unique items"),))
    if getattr(item, "allow_multiple", False):
        phrases.append((Text("several values allowed"),))
    if constraints.read_only:
        phrases.append((Text("read-only: only in responses"),))
    if constraints.write_only:
        phrases.append((Text("write-only: only in requests"),))
    return phrases


def joined(label: str, phrases: list[tuple[Inline, ...]]) -> Paragraph | None:
    """``Constraints: a; b; c.`` as one paragraph, or nothing."""
    if not phrases:
        return None
    runs: list[Inline] = [Text(label)]
    for index, phrase in enumerate(phrases):
        if index:
            runs.append(Text("; "))
        runs.extend(phrase)
    return Paragraph(tuple(runs), ("api-constraints",))


def value_paragraph(label: str, value: Any) -> Paragraph | None:
    """``Default: `20``` / ``Example: `"acme"``` — nothing for a value the spec did not give."""
    if value is UNSET:
        return None
    return Paragraph((Text(label), Code(value_text(value))), ("api-value",))
