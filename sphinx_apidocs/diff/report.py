"""The outputs of ``sphinx-apidocs diff``: plain text, JSON, a Markdown changelog and JUnit XML.

Every renderer takes the changes that count (``changes``) and the waived ones (``waived``:
``(change, waiver)`` pairs, see :mod:`.waivers`), sorts them the one stable way
(:func:`~.change.sorted_changes`) and returns the whole document as text ending in a newline.
The same inputs give byte-identical output.

Text from a spec (names, paths, descriptions quoted in messages) and from a waiver file is
data: in text it is shown with control characters escaped, so it cannot split a line or
drive a terminal; in Markdown every metacharacter is escaped (or the text is a code span), so
it cannot make a link, raw HTML, a heading or a mention; in XML, characters XML 1.0 forbids
are replaced; JSON strings hold the exact text (lone surrogates as ``\\uXXXX`` escapes, so the
output is always valid UTF-8).
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable, Sequence

from sphinx_apidocs.diff.change import RULES, Change, Level, sorted_changes, summary
from sphinx_apidocs.diff.waivers import Waiver
from sphinx_apidocs.filters.errors import printable

Waived = Sequence[tuple[Change, Waiver]]

#: Section titles of the Markdown changelog, most severe first.
SECTION_TITLES = {Level.BREAKING: "Breaking", Level.WARNING: "Warnings", Level.INFO: "Info"}
#: The most characters of an ``old``/``new`` value shown in text and Markdown (JSON has all).
VALUE_SHOWN = 120
#: The ``$id`` of the published JSON Schema of :func:`as_json`'s output.
SCHEMA_ID = "https://sphinx-apidocs.invalid/schemas/diff-output.schema.json"


def _sorted_waived(waived: Waived) -> list[tuple[Change, Waiver]]:
    """Waived pairs in the changes' stable order (one waiver per change: the first given)."""
    by_key: dict[tuple[str, ...], tuple[Change, Waiver]] = {}
    for change, waiver in waived:
        by_key.setdefault(change.sort_key(), (change, waiver))
    return [by_key[key] for key in sorted(by_key)]


def failing(changes: Iterable[Change], fail_on: Level | None) -> list[Change]:
    """The changes that reach ``fail_on`` (none when it is ``None``: ``--fail-on never``)."""
    if fail_on is None:
        return []
    return [change for change in changes if change.level >= fail_on]


# --- JSON ----------------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _jsonable(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data: tuples as lists, non-finite floats as their names
    (``NaN`` is no JSON), other objects as text. Deeper than any spec value: as text."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if depth > 200:
        return "..."
    if isinstance(value, dict):
        return {str(key): _jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, depth + 1) for item in value]
    return str(value)


def _change_json(change: Change) -> dict[str, Any]:
    data = change.as_json()
    data["old"] = _jsonable(data["old"])
    data["new"] = _jsonable(data["new"])
    return data


def json_document(changes: Sequence[Change], waived: Waived = ()) -> dict[str, Any]:
    """The JSON output as data: ``changes``, ``summary`` (of the changes that count) and
    ``waived`` (each waived change with the waiver's ``reason`` and ``expires``)."""
    kept = sorted_changes(list(changes))
    return {
        "changes": [_change_json(change) for change in kept],
        "summary": summary(kept),
        "waived": [
            {**_change_json(change), "reason": waiver.reason, "expires": waiver.expires.isoformat()}
            for change, waiver in _sorted_waived(waived)
        ],
    }


def as_json(changes: Sequence[Change], waived: Waived = (), *, ascii_only: bool = False) -> str:
    """``{"changes": [...], "summary": {level: count}, "waived": [...]}``, indented, keys in
    a fixed order, exact (non-ASCII) text, a trailing newline. ``ascii_only``: every
    non-ASCII character as a ``\\u`` escape (the same JSON, for a stream that is not UTF-8)."""
    text = json.dumps(json_document(changes, waived), indent=2, sort_keys=False, ensure_ascii=ascii_only)
    # A lone surrogate (legal in a JSON spec's strings) can only sit inside a string here:
    # written as its escape it round-trips and the output stays encodable.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def output_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`as_json`'s output; the file
    ``sphinx_apidocs/schemas/diff-output.schema.json`` is this, as ``json.dumps(indent=2)``."""
    levels = [level.label for level in sorted(Level, reverse=True)]
    change_properties: dict[str, Any] = {
        "id": {"enum": sorted(RULES)},
        "level": {"enum": levels},
        "operation": {"type": "string"},
        "method": {"type": "string"},
        "path": {"type": "string"},
        "subject": {"type": "string"},
        "old": {"description": "the old value (any JSON value; null when there is none)"},
        "new": {"description": "the new value (any JSON value; null when there is none)"},
        "message": {"type": "string", "pattern": "^[^\\n\\r]*$"},
    }
    waived_properties = {
        **change_properties,
        "reason": {"type": "string", "minLength": 1},
        "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sphinx-apidocs diff --format json",
        "description": "The changes between two releases of an API, as its clients see them.",
        "type": "object",
        "required": ["changes", "summary", "waived"],
        "additionalProperties": False,
        "properties": {
            "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}},
            "summary": {
                "description": "how many changes (not counting waived ones) each level has",
                "type": "object",
                "required": levels,
                "additionalProperties": False,
                "properties": {level: {"type": "integer", "minimum": 0} for level in levels},
            },
            "waived": {"type": "array", "items": {"$ref": "#/$defs/waived"}},
        },
        "$defs": {
            "change": {
                "type": "object",
                "required": list(change_properties),
                "additionalProperties": False,
                "properties": change_properties,
            },
            "waived": {
                "type": "object",
                "required": list(waived_properties),
                "additionalProperties": False,
                "properties": waived_properties,
            },
        },
    }


def schema_text() -> str:
    """The text of the shipped schema file (what a test compares it with)."""
    return json.dumps(output_schema(), indent=2, ensure_ascii=False) + "\n"


# --- text ----------------------------------------------------------------------------------------


def _value(value: Any) -> str:
    """A value for a person: compact JSON, shortened, on one line."""
    text = json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(text) > VALUE_SHOWN:
        text = text[:VALUE_SHOWN] + "..."
    return text


def _what(change: Change) -> str:
    """The message without the ``METHOD PATH (operation): `` it may start with (the reports
    show the operation already), or (without a message) the rule's own words and the values."""
    if change.message:
        prefix = f"{change.method} {change.path} ({change.operation}): "
        message = change.message[len(prefix):] if change.message.startswith(prefix) else change.message
        return message or change.message
    text = RULES[change.id].doc
    if change.old is not None or change.new is not None:
        text += f" ({_value(change.old)} -> {_value(change.new)})"
    return text


def _counts(changes: list[Change], waived: int) -> str:
    counts = summary(changes)
    parts = ", ".join(f"{count} {label}" for label, count in counts.items())
    total = len(changes)
    text = f"{total} change{'' if total == 1 else 's'}: {parts}"
    return text + (f"; {waived} waived" if waived else "")


def _text_line(label: str, change: Change) -> str:
    subject = f" {printable(change.subject)}" if change.subject else ""
    return (
        f"{label:<8}  {change.id}{subject}  {printable(change.method)} {printable(change.path)} "
        f"({printable(change.operation)}): {printable(_what(change))}"
    )


def as_text(changes: Sequence[Change], waived: Waived = (), fail_on: Level | None = None) -> str:
    """One line per change (``LEVEL  RULE [SUBJECT]  METHOD PATH (OPERATION): message``), the
    most severe first, the waived ones after them, then a summary line (and, with ``fail_on``, what fails)."""
    kept = sorted_changes(list(changes))
    pairs = _sorted_waived(waived)
    by_level = sorted(kept, key=lambda change: -change.level)  # stable: most severe first
    lines = [_text_line(change.level.label, change) for change in by_level]
    for change, waiver in pairs:
        lines.append(
            _text_line("waived", change)
            + f" [{change.level.label}; until {waiver.expires.isoformat()}: {printable(waiver.reason)}]"
        )
    if lines:
        lines.append("")
    lines.append(_counts(kept, len(pairs)) if kept or pairs else "no changes")
    if fail_on is not None:
        count = len(failing(kept, fail_on))
        if count:
            lines.append(f"{count} change{'' if count == 1 else 's'} at or above --fail-on {fail_on.label}")
    return "\n".join(lines) + "\n"


# --- Markdown ------------------------------------------------------------------------------------

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def md_text(text: str) -> str:
    """``text`` as inert Markdown: control characters escaped (no line breaks, so no new
    block), every ASCII punctuation character backslash-escaped (CommonMark allows that for
    all of them), so no link, image, HTML, entity, emphasis, table cell or mention forms."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", printable(text))


def md_code(text: str) -> str:
    """``text`` as a code span (literal: no HTML, link or emphasis inside), on one line;
    the fence is longer than any run of backticks in it."""
    text = printable(text)
    if not text.strip():
        return md_text(repr(text))  # a code span cannot hold nothing or only spaces
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_QUOTED = re.compile(r"`([^`]+)`")


def md_message(text: str) -> str:
    """A message as Markdown: what it quotes in backticks (names) as code spans, the rest
    escaped. A name holding a backtick may pair up differently; every piece is still either
    escaped text or a code span, so nothing can take effect."""
    pieces: list[str] = []
    position = 0
    for match in _QUOTED.finditer(text):
        pieces += [md_text(text[position:match.start()]), md_code(match.group(1))]
        position = match.end()
    pieces.append(md_text(text[position:]))
    return "".join(pieces)


def _md_change(change: Change) -> str:
    subject = f" {md_code(change.subject)}" if change.subject else ""
    text = f"**{change.id}**{subject}: {md_message(_what(change))}"  # ids are [a-z-]: RULES
    if change.message and (change.old is not None or change.new is not None):
        text += f" ({md_code(_value(change.old))} → {md_code(_value(change.new))})"
    return text


def _md_operation(change: Change) -> str:
    return f"{md_code(f'{change.method} {change.path}')} ({md_code(change.operation)})"


def _md_groups(changes: Sequence[Change]) -> list[tuple[Change, list[Change]]]:
    """Changes grouped by operation (method, path, nickname), in the stable order."""
    groups: dict[tuple[str, str, str], tuple[Change, list[Change]]] = {}
    for change in changes:
        key = (change.path, change.method, change.operation)
        groups.setdefault(key, (change, []))[1].append(change)
    return list(groups.values())


def as_markdown(changes: Sequence[Change], waived: Waived = (), title: str = "API changes") -> str:
    """A changelog for a pull request: a title, a summary line, then "Breaking", "Warnings"
    and "Info" sections, each grouped by operation; waived changes last, with their reasons."""
    kept = sorted_changes(list(changes))
    pairs = _sorted_waived(waived)
    lines = [f"## {md_text(title)}", ""]
    if not kept and not pairs:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    counts = summary(kept)
    parts = [
        f"**{count} {label}**" if count and Level.parse(label) == Level.BREAKING else f"{count} {label}"
        for label, count in counts.items()
    ]
    line = f"{len(kept)} change{'' if len(kept) == 1 else 's'}: " + ", ".join(parts)
    lines.append(line + (f"; {len(pairs)} waived" if pairs else ""))
    for level in sorted(Level, reverse=True):
        selected = [change for change in kept if change.level == level]
        if not selected:
            continue
        lines += ["", f"### {SECTION_TITLES[level]}", ""]
        for first, group in _md_groups(selected):
            lines.append(f"- {_md_operation(first)}")
            lines += [f"  - {_md_change(change)}" for change in group]
    if pairs:
        lines += ["", "### Waived", ""]
        for change, waiver in pairs:
            lines.append(
                f"- {_md_operation(change)} {_md_change(change)} "
                f"({change.level.label}; until {waiver.expires.isoformat()}: {md_text(waiver.reason)})"
            )
    return "\n".join(lines) + "\n"


# --- JUnit XML -----------------------------------------------------------------------------------

#: Characters XML 1.0 does not allow at all (not even as character references).
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUITE_NAME = "sphinx-apidocs diff"


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids written as its escape (``\\x00``)."""
    return _XML_FORBIDDEN.sub(lambda m: ascii(m.group())[1:-1], text)


def _testcase(parent: ET.Element, change: Change) -> ET.Element:
    subject = f" {change.subject}" if change.subject else ""
    return ET.SubElement(
        parent,
        "testcase",
        classname=printable(f"{change.method} {change.path}"),
        name=printable(f"{change.id}{subject} ({change.operation})"),
    )


def _details(change: Change) -> str:
    return xml_text(json.dumps(_change_json(change), indent=2, ensure_ascii=False))


def as_junit(changes: Sequence[Change], waived: Waived = (), fail_on: Level | None = Level.BREAKING) -> str:
    """A JUnit XML report: one testcase per change, failed (``<failure>``) when it reaches
    ``fail_on``; waived changes are skipped testcases; no change at all is one passing case."""
    kept = sorted_changes(list(changes))
    pairs = _sorted_waived(waived)
    failures = failing(kept, fail_on)
    tests = max(1, len(kept) + len(pairs))
    counts = {"tests": str(tests), "failures": str(len(failures)), "errors": "0", "skipped": str(len(pairs))}
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts})
    fails = {change.sort_key() for change in failures}
    for change in kept:
        case = _testcase(suite, change)
        if change.sort_key() in fails:
            failure = ET.SubElement(case, "failure", type=change.level.label, message=printable(_what(change)))
            failure.text = _details(change)
        else:
            ET.SubElement(case, "system-out").text = f"{change.level.label}: {xml_text(_what(change))}"
    for change, waiver in pairs:
        case = _testcase(suite, change)
        message = f"waived until {waiver.expires.isoformat()}: {waiver.reason}"
        ET.SubElement(case, "skipped", message=printable(message)).text = _details(change)
    if not kept and not pairs:
        ET.SubElement(suite, "testcase", classname=SUITE_NAME, name="no changes")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
