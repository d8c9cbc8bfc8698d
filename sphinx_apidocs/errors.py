"""The project's own error types: each renders as one line naming where the problem is."""

from __future__ import annotations


class ApidocsError(Exception):
    """Base class; ``str()`` is the one-line message shown to users."""


class SpecError(ApidocsError):
    """A spec document is invalid. ``problems`` holds every located problem, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class FetchError(ApidocsError):
    """A document could not be fetched or read (network, HTTP status, size, not JSON)."""


class ConfigError(ApidocsError):
    """Bad user configuration: an unknown environment variable, a malformed header."""


def json_pointer(parts: "list[str | int] | tuple[str | int, ...]") -> str:
    """RFC 6901 pointer for a path of keys and indexes (``""`` is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
