"""The changelog as content: a release's changes grouped by operation with their levels, and
an operation's "History" fact (added in, changed in)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sphinx_apidocs.diff import Change, Level
from sphinx_apidocs.sphinxext.changelog import Mark, Release
from sphinx_apidocs.sphinxext.content import Block, BulletList, Code, Field, Inline, Link, Paragraph, Strong, Text
from sphinx_apidocs.sphinxext.markup import plain_line

LEVEL_NAMES = {Level.BREAKING: "Breaking", Level.WARNING: "Warning", Level.INFO: "Info"}
KIND_WORDS = {"added": "added in", "changed": "changed in", "renamed": "renamed in", "moved": "moved in"}


def release_body(
    release: Release, operations: Collection[str], older: tuple[str, Collection[str]] | None = None
) -> tuple[Block, ...]:
    """One release's changes: a summary line, then each operation (linked while it exists in
    this build) with its changes, worst first within the stable order of the diff. ``older``:
    the API version compared from and its operations (an operation it alone has, removed
    since, links to its description there)."""
    if release.first:
        return (Paragraph((Text("The oldest release in this changelog."),), ("api-changelog-summary",)),)
    if not release.changes:
        return (Paragraph((Text("No change a client can see."),), ("api-changelog-summary",)),)
    counts = release.counts()
    summary = ", ".join(f"{count} {label}" for label, count in counts.items())
    total = len(release.changes)
    blocks: list[Block] = [
        Paragraph((Text(f"{total} change{'s' if total != 1 else ''}: {summary}."),), ("api-changelog-summary",))
    ]
    for (path, method, nickname), changes in release.by_operation():
        title = Code(plain_line(f"{method} {path}"))
        linked: Inline = title
        if nickname in operations:
            linked = Link("op", nickname, (title,))
        elif older is not None and nickname in older[1]:
            linked = Link("op", nickname, (title,), version=older[0])
        head: tuple[Inline, ...] = (linked, Text(" ("), Code(nickname), Text(")"))
        items = tuple(
            (Paragraph(change_runs(change), ("api-change", f"api-change-{change.level.label}")),)
            for change in sorted(changes, key=lambda c: -c.level)
        )
        blocks.append(Paragraph(head, ("api-changelog-operation",)))
        blocks.append(BulletList(items))
    return tuple(blocks)


def change_runs(change: Change) -> tuple[Inline, ...]:
    """``Breaking parameter-added-required `owner`: new required parameter ...``."""
    runs: list[Inline] = [Strong(LEVEL_NAMES[change.level]), Text(" "), Code(change.id)]
    if change.subject:
        runs += [Text(" "), Code(plain_line(change.subject))]
    message = plain_line(without_prefix(change))
    if message:
        runs.append(Text(": "))
        runs.extend(message_runs(message))
    return tuple(runs)


def message_runs(message: str) -> list[Inline]:
    """The engine quotes names in backticks: those become code, the rest stays text."""
    parts = message.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all text
        return [Text(message)]
    return [Code(part) if index % 2 else Text(part) for index, part in enumerate(parts) if part]


def without_prefix(change: Change) -> str:
    """The message without the ``METHOD PATH (nickname): `` the engine puts first (the page
    shows the operation already)."""
    prefix = f"{change.method} {change.path} ({change.operation}): "
    return change.message[len(prefix):] if change.message.startswith(prefix) else change.message


def history_field(marks: Sequence[Mark]) -> Field | None:
    """``History: added in 2026-10; changed in 2026-11 (breaking)`` for an operation page."""
    if not marks:
        return None
    runs: list[Inline] = []
    for mark in marks:
        if runs:
            runs.append(Text("; "))
        runs.append(Text(f"{KIND_WORDS[mark.kind]} "))
        runs.append(Code(mark.version))
        if mark.kind != "added" and mark.level is not Level.INFO:
            runs.append(Text(f" ({mark.level.label})"))
    first = runs[0]
    if isinstance(first, Text):
        runs[0] = Text(first.text[:1].upper() + first.text[1:])
    return Field("History", tuple(runs))
