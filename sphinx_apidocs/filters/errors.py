"""Errors raised while reading filter files: each one names the file, line and column."""

from __future__ import annotations

from dataclasses import dataclass

from sphinx_apidocs.errors import ApidocsError


@dataclass(frozen=True)
class Location:
    """Where something is defined in a filter file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class FilterError(ApidocsError):
    """A filter file (or path) is invalid. ``str()`` is ``file:line:col: what is wrong``."""

    def __init__(self, message: str, location: Location | str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location is not None else message)
