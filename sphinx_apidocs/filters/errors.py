"""The filters' errors: ``FilterError`` for a filter file (it names the file, line and
column), ``FieldSelectionError`` and ``UnknownOperationError`` for a client's request.

Messages stay one bounded line whatever the input: user text in them goes through ``quoted``
(a ``repr``, shortened) or ``printable`` (control and invisible characters escaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sphinx_apidocs.errors import ApidocsError

SHOWN = 80  # characters of a user value quoted in a message
ALLOWED_SHOWN = 20  # allowed paths named in a FieldSelectionError's message (``.allowed`` has all)


def quoted(text: str, limit: int = SHOWN) -> str:
    """``repr(text)`` for a message, shortened past ``limit`` characters (a field name or a
    scalar can be megabytes long; a message must stay readable).
    """
    text = str.__str__(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def printable(text: str) -> str:
    """``text`` with every character that is not printable (newlines, ``\\r``, NUL, line
    separators, lone surrogates...) written as its ``\\x``/``\\u`` escape, so a file name or a
    command cannot break a one-line message or hide what it is.
    """
    text = str.__str__(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Location:
    """Where something is defined in a filter file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}:{self.column}"


class FilterError(ApidocsError):
    """A filter file (or path) is invalid. ``str()`` is ``file:line:col: what is wrong``."""

    def __init__(self, message: str, location: Location | str | None = None) -> None:
        self.message = message
        self.location = location
        where = printable(location) if isinstance(location, str) else location
        super().__init__(f"{where}: {printable(message)}" if location is not None else printable(message))


class FieldSelectionError(ApidocsError, ValueError):
    """A client's field selection asks for something the whitelist does not allow.

    Not a ``FilterError``: the filter files are fine, the request is not (answer 400).
    ``invalid`` lists the offending paths as written, ``problems`` pairs each with its reason
    (the path is ``""`` for a problem of the whole request, such as too many paths),
    ``allowed`` is the whitelist's ``dotted_paths``; ``as_dict()`` is a ready JSON body.
    """

    def __init__(self, problems: list[tuple[str, str]], allowed: list[str], nickname: str | None = None) -> None:
        self.problems = list(problems)
        self.invalid = [path for path, _ in self.problems if path]  # '' for the whole request
        self.allowed = list(allowed)
        self.nickname = nickname
        parts = []
        # The message is one line whatever the request holds (``printable``); ``invalid`` and
        # ``allowed`` keep the exact paths.
        outside = [printable(path) for path, reason in self.problems if reason == "not allowed"]
        if outside:
            parts.append("not allowed: " + ", ".join(outside))
        parts += [printable(reason) for _, reason in self.problems if reason != "not allowed"]
        shown = ", ".join(printable(path) for path in self.allowed[:ALLOWED_SHOWN]) or "nothing"
        if len(self.allowed) > ALLOWED_SHOWN:
            shown += f", ... ({len(self.allowed) - ALLOWED_SHOWN} more)"
        self.message = f"fields: {'; '.join(parts)} (allowed: {shown})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """``{"error", "message", "invalid", "allowed"}``: a body for a 400 response."""
        return {
            "error": "invalid_fields",
            "message": self.message,
            "invalid": list(self.invalid),
            "allowed": list(self.allowed),
        }


class UnknownOperationError(ApidocsError, KeyError):
    """No filter for this nickname (a ``KeyError`` with a readable ``str()``)."""

    def __init__(self, nickname: str) -> None:
        self.nickname = nickname
        self.message = f"no filter for operation {nickname!r}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
