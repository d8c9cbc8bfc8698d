"""The project's own error types: each renders as one line naming where the problem is."""

from __future__ import annotations

import re


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


#: Characters that would break a one-line message (``str.splitlines`` splits at all of them).
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control and line-breaking characters percent-escaped (``\n`` -> ``%0A``),
    so a hostile key or file name can't split a message or forge another line."""
    return _LINE_BREAKING.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), text)


def json_pointer(parts: "list[str | int] | tuple[str | int, ...]") -> str:
    """RFC 6901 pointer for a path of keys and indexes (``""`` is the whole document), as
    shown in messages: control characters in keys are percent-escaped, as in a URI fragment."""
    return one_line("".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts))
