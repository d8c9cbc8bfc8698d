"""Errors raised while reading filter files: each one names the file, line and column.

Messages stay one bounded line whatever the input: user text in them goes through ``quoted``
(a ``repr``, shortened) or ``printable`` (control and invisible characters escaped).
"""

from __future__ import annotations

from dataclasses import dataclass

from sphinx_apidocs.errors import ApidocsError

SHOWN = 80  # characters of a user value quoted in a message


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
