"""Waivers: known, accepted changes that should not fail ``diff`` (until a date).

A waiver file is a YAML list of entries::

    - id: operation-removed          # a rule id (RULES)
      operation: delete-user         # the change's operation nickname
      subject: q                     # optional: without it, every subject of that rule
      reason: announced in 2026-03; partners migrated
      expires: 2026-12-31            # YYYY-MM-DD; the waiver holds through that day

Every waiver must say why and must end: one without a reason, with an unknown rule id, an
unknown key, an unreadable date or past its date is an error (``FILE:LINE: entry N: ...``, one
line per problem), so a forgotten waiver cannot hide breaking changes forever. Read with the
safe loader only: a waiver file cannot construct objects.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Sequence

import yaml

from sphinx_apidocs.diff.change import RULES, Change
from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters.errors import printable, quoted

#: The keys a waiver may have; the first ones are required.
REQUIRED_KEYS = ("id", "operation", "reason", "expires")
KEYS = ("id", "operation", "subject", "reason", "expires")
#: A waiver file larger than this is refused (real ones hold a handful of entries).
MAX_WAIVER_BYTES = 4 * 1024 * 1024
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")



class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with timestamps kept as text: ``expires: 2026-13-01`` is then a
    located "not a date" problem of its entry, not a bare ``ValueError`` of the YAML library."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


class WaiverError(ApidocsError):
    """A waiver file is unreadable or holds bad entries; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Waiver:
    """One accepted change: ``subject`` ``None`` matches every subject."""

    id: str
    operation: str
    subject: str | None
    reason: str
    expires: dt.date
    where: str = ""  # FILE:LINE, for messages

    def matches(self, change: Change) -> bool:
        return (
            change.id == self.id
            and change.operation == self.operation
            and (self.subject is None or change.subject == self.subject)
        )


def load_waivers(path: str, today: dt.date) -> list[Waiver]:
    """The waivers of the YAML file ``path``; every problem in one :class:`WaiverError`."""
    shown = printable(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_WAIVER_BYTES + 1)
    except OSError as exc:
        reason = " ".join((exc.strerror or str(exc)).split())
        raise WaiverError([f"{shown}: cannot read the waiver file: {reason}"]) from None
    if len(data) > MAX_WAIVER_BYTES:
        raise WaiverError([f"{shown}: the waiver file is larger than {MAX_WAIVER_BYTES} bytes"])
    return parse_waivers(data, path, today)


def parse_waivers(data: bytes | str, display: str, today: dt.date) -> list[Waiver]:
    """The waivers in ``data`` (YAML text); ``display`` names the file in messages."""
    shown = printable(display)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise WaiverError([f"{shown}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        node, value = _compose(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise WaiverError([f"{where}: invalid YAML: {printable(problem)}"]) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        problem = " ".join(str(exc).split()) or type(exc).__name__
        raise WaiverError([f"{shown}: invalid YAML: {printable(problem)}"]) from None
    if value is None:
        return []  # an empty file: no waivers
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        line = node.start_mark.line + 1 if node is not None else 1
        raise WaiverError([f"{shown}:{line}: a waiver file is a list of entries "
                           f"({{id, operation, subject, reason, expires}})"])
    waivers: list[Waiver] = []
    problems: list[str] = []
    for index, (entry, entry_node) in enumerate(zip(value, node.value), start=1):
        waiver, entry_problems = _entry(entry, entry_node, index, shown, today)
        problems += entry_problems
        if waiver is not None:
            waivers.append(waiver)
    if problems:
        raise WaiverError(problems)
    return waivers


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data, read by the safe loader."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _key_lines(node: yaml.Node) -> dict[Any, int]:
    """Line of each key of a mapping node (1-based)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _entry(entry: Any, node: yaml.Node, index: int, shown: str, today: dt.date) -> tuple[Waiver | None, list[str]]:
    line = node.start_mark.line + 1
    lines = _key_lines(node)
    label = f"entry {index}"

    def problem(text: str, key: str | None = None) -> str:
        return f"{shown}:{lines.get(key, line)}: {label}: {text}"

    if not isinstance(entry, dict):
        return None, [problem("a waiver is a mapping {id, operation, subject, reason, expires}")]
    if isinstance(entry.get("id"), str) and isinstance(entry.get("operation"), str):
        label += f" ({printable(entry['id'])} {printable(entry['operation'])})"
    problems = [
        problem(f"unknown key {quoted(str(key))} (expected {', '.join(KEYS)})", key)
        for key in entry
        if key not in KEYS
    ]
    problems += [problem(f"{key} is missing") for key in REQUIRED_KEYS if key not in entry]
    rule = entry.get("id")
    if "id" in entry and (not isinstance(rule, str) or rule not in RULES):
        problems.append(problem(f"unknown rule id {quoted(str(rule))}", "id"))
    operation = entry.get("operation")
    if "operation" in entry and (not isinstance(operation, str) or not operation):
        problems.append(problem("operation must be a nickname (text)", "operation"))
    subject = entry.get("subject")
    if subject is not None and not isinstance(subject, str):
        problems.append(problem("subject must be text (a parameter name or a dotted field path)", "subject"))
    reason = entry.get("reason")
    if "reason" in entry and (not isinstance(reason, str) or not reason.strip()):
        problems.append(problem("reason must say why the change is accepted (non-empty text)", "reason"))
    expires = _date(entry.get("expires")) if "expires" in entry else None
    if "expires" in entry:
        if expires is None:
            problems.append(problem(f"expires must be a date YYYY-MM-DD, not {quoted(str(entry.get('expires')))}", "expires"))
        elif expires < today:
            problems.append(problem(f"expired on {expires.isoformat()}: remove the waiver or renew it with a reason", "expires"))
    if problems or expires is None:
        return None, problems
    return Waiver(
        id=str(rule),
        operation=str(operation),
        subject=subject,
        reason=str(reason).strip(),
        expires=expires,
        where=f"{shown}:{line}",
    ), []


def _date(value: Any) -> dt.date | None:
    """``YYYY-MM-DD`` (YAML reads an unquoted one as a date; a quoted one is text)."""
    if isinstance(value, dt.datetime):
        return None  # a time of day: not the documented form
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def apply_waivers(
    changes: Sequence[Change], waivers: Sequence[Waiver]
) -> tuple[list[Change], list[tuple[Change, Waiver]]]:
    """``(kept, waived)``: the changes no waiver matches, and each waived change with the
    first waiver that matches it. Order is kept."""
    kept: list[Change] = []
    waived: list[tuple[Change, Waiver]] = []
    for change in changes:
        waiver = next((w for w in waivers if w.matches(change)), None)
        if waiver is None:
            kept.append(change)
        else:
            waived.append((change, waiver))
    return kept, waived


def unused_waivers(waivers: Sequence[Waiver], waived: Sequence[tuple[Change, Waiver]]) -> list[Waiver]:
    """The waivers that matched no change (stale ones a team may remove)."""
    used = {id(waiver) for _, waiver in waived}
    return [waiver for waiver in waivers if id(waiver) not in used]


__all__ = ["Waiver", "WaiverError", "apply_waivers", "load_waivers", "parse_waivers", "unused_waivers"]
