"""One change between two contracts, the rule ids and their levels (DESIGN.md "Contract evolution").

Everything else in :mod:`sphinx_apidocs.diff` speaks this type: the comparison produces a list
of :class:`Change`, the reports print it, waivers match it, the Sphinx changelog renders it.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any


class Level(enum.IntEnum):
    """How much a change matters to a client; ordered so ``--fail-on`` is a comparison."""

    INFO = 0
    WARNING = 1
    BREAKING = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown level {text!r} (breaking, warning or info)") from None


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    doc: str  # one line: when the rule fires


def _rules(level: Level, *pairs: tuple[str, str]) -> dict[str, Rule]:
    return {rule_id: Rule(rule_id, level, doc) for rule_id, doc in pairs}


RULES: dict[str, Rule] = {
    **_rules(
        Level.BREAKING,
        ("operation-removed", "an operation (method + path) is gone"),
        ("parameter-added-required", "a new parameter every request must now send"),
        ("parameter-became-required", "an optional parameter became required"),
        ("parameter-type-changed", "a parameter's type or format changed"),
        ("parameter-location-changed", "a parameter moved (query, path, header, body, form...)"),
        ("parameter-enum-value-removed", "a value a client may send is no longer allowed"),
        ("request-field-became-required", "a field of the request body became required"),
        ("request-field-type-changed", "a field of the request body changed type"),
        ("request-field-added-required", "a new field the request body must now carry"),
        ("request-field-enum-value-removed", "a value a client may send in a request body field is no longer allowed"),
        ("scope-added", "the operation now needs an OAuth scope it did not need"),
        ("response-field-removed", "an exposed response field is gone from the model"),
        ("response-field-unexposed", "a response field left the whitelist while the model keeps it"),
        ("response-field-type-changed", "an exposed response field changed type"),
        ("response-type-changed", "the success response changed type (e.g. an object became a list)"),
        ("operation-audience-narrowed", "the operation moved to a narrower audience"),
        ("operation-moved", "same nickname and method, new path: clients calling the old path fail"),
    ),
    **_rules(
        Level.WARNING,
        ("parameter-removed", "a parameter is no longer read (clients still sending it are ignored)"),
        ("parameter-default-changed", "a parameter's default changed"),
        ("response-field-enum-value-added", "an exposed response field may carry a new value"),
        ("response-code-removed", "a documented response code is gone"),
        ("operation-deprecated", "the operation became deprecated"),
        ("operation-sunset-announced", "the operation got a sunset date (or a new one): it goes away then"),
        ("operation-past-sunset", "the operation is still there after its sunset date"),
        ("response-field-deprecated", "an exposed response field became deprecated"),
        ("response-field-sunset-announced", "an exposed response field got a sunset date (or a new one): it goes away then"),
        ("response-field-past-sunset", "an exposed response field is still there after its sunset date"),
        ("response-field-became-optional", "an exposed response field that was always present may now be missing"),
        ("request-field-removed", "a request body field is no longer read (clients still sending it are ignored)"),
    ),
    **_rules(
        Level.INFO,
        ("operation-added", "a new operation"),
        ("operation-renamed", "same method and path, new nickname"),
        ("operation-removed-after-sunset", "an operation was removed on or after its announced sunset date"),
        ("response-field-removed-after-sunset", "an exposed response field was removed (or unexposed) on or after its announced sunset date"),
        ("parameter-added-optional", "a new optional parameter"),
        ("parameter-became-optional", "a required parameter became optional"),
        ("parameter-enum-value-added", "a parameter accepts a new value"),
        ("response-field-added", "a new field in the exposed response"),
        ("response-field-exposed", "a model field joined the whitelist"),
        ("description-changed", "a summary or description changed"),
        ("scope-removed", "the operation no longer needs an OAuth scope"),
        ("response-code-added", "a newly documented response code"),
        ("response-field-enum-value-removed", "an exposed response field carries fewer values (no client breaks)"),
        ("request-field-added-optional", "a new optional request body field"),
        ("request-field-became-optional", "a required request body field became optional"),
        ("request-field-enum-value-added", "a request body field accepts a new value"),
    ),
}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, eq=True)
class Change:
    """One difference a client of ``operation`` can notice. ``old``/``new`` are JSON values."""

    id: str
    operation: str  # the nickname (new one for renames)
    method: str  # upper case
    path: str
    subject: str = ""  # a parameter name or a (escaped) dotted field path; "" for the operation
    old: Any = None
    new: Any = None
    message: str = ""  # one line

    def __post_init__(self) -> None:
        if self.id not in RULES:
            raise ValueError(f"unknown rule id {self.id!r}")
        if "\n" in self.message or "\r" in self.message:
            raise ValueError("a change message is one line")

    @property
    def level(self) -> Level:
        return RULES[self.id].level

    def sort_key(self) -> tuple[str, ...]:
        """Stable order: by path, method, operation, subject, rule, then the values."""
        return (self.path, self.method, self.operation, self.subject, self.id, _canonical(self.old), _canonical(self.new))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level.label,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "message": self.message,
        }


def sorted_changes(changes: list[Change] | tuple[Change, ...]) -> list[Change]:
    """Deduplicated and in the stable order every output uses."""
    unique = {change.sort_key(): change for change in changes}  # old/new may be lists: no set()
    return [unique[key] for key in sorted(unique)]


def summary(changes: list[Change] | tuple[Change, ...]) -> dict[str, int]:
    """``{level: count}`` for every level, breaking first."""
    counts = {level.label: 0 for level in sorted(Level, reverse=True)}
    for change in changes:
        counts[change.level.label] += 1
    return counts
