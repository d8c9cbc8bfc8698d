"""Extra request headers: ``Name: value`` parsing, checking, and ``${VAR}`` expansion.

One set of rules (:func:`header_problem`) serves ``apidocs_headers`` (checked on
``config-inited``), ``--header`` (checked when the CLI parses its arguments) and the values
after ``${VAR}`` expansion, so a bad header is reported up front, naming the setting and the
header, instead of failing at fetch time after every retry.

Header values usually carry secrets, so nothing here ever puts a value into a message.
"""

from __future__ import annotations

import os
import re
from typing import Mapping

from sphinx_apidocs.errors import ConfigError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TOKEN_CHARS = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]*")
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: Headers that describe the message framing: set by the HTTP client, never by users (a
#: ``Content-Length`` on a GET makes the server wait for a body that never comes).
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "te", "upgrade", "trailer"})


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a usable header name, or None (RFC 9110 token, no framing header)."""
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        return "is not a valid HTTP header name"
    if name.lower() in FRAMING_HEADERS:
        return "is set by the HTTP client itself; remove it"
    return None


def value_problem(value: object) -> str | None:
    """Why ``value`` can't be sent as a header value, or None; never quotes the value."""
    if not isinstance(value, str):
        return f"the value must be a string, got {type(value).__name__}"
    if "\r" in value or "\n" in value:
        return "the value contains a line break"
    if _BAD_VALUE_CHAR.search(value):
        return "the value contains a control character"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return "the value contains a character outside Latin-1 (HTTP header values are bytes; percent-encode it)"
    return None


def header_problem(name: object, value: object, setting: str) -> str | None:
    """The first problem of one header (name, then value) as a message naming ``setting``
    and the header, or None: ``SETTING: 'Bad Name' is not a valid HTTP header name``,
    ``SETTING['X-Key']: the value contains a line break``."""
    problem = name_problem(name)
    if problem:
        return f"{setting}: {shown_bad_name(name)} {problem}"
    problem = value_problem(value)
    if problem:
        return f"{setting}[{shown_name(name)}]: {problem}"
    return None


def shown_name(name: object) -> str:
    """A header name as messages show it: ``repr`` (so a stray newline is visible), cut short."""
    text = repr(str(name))
    return text if len(text) <= 42 else text[:39] + "...'"


def shown_bad_name(name: object) -> str:
    """An invalid header name up to and including its first bad character, then ``...``:
    a name with a space in it is often a pasted ``Authorization Bearer TOKEN``, whose
    rest must not be echoed."""
    text = str(name)
    valid = _TOKEN_CHARS.match(text)
    end = valid.end() if valid else 0
    shown = repr(text[: end + 1])
    return shown if end + 1 >= len(text) else shown + "..."


def header_problems(headers: object, setting: str) -> list[str]:
    """Every problem of a header mapping, one line each, naming ``setting`` and the header."""
    if not isinstance(headers, Mapping):
        # Not echoed: header settings usually carry secrets.
        return [f"{setting}: expected a dict of header name -> value, got {type(headers).__name__}"]
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name, value in headers.items():
        problem = header_problem(name, value, setting)
        if problem:
            problems.append(problem)
            continue
        folded = str(name).lower()
        if folded in seen:
            problems.append(
                f"{setting}[{shown_name(name)}]: the same header as {shown_name(seen[folded])} "
                "(header names ignore case); keep one"
            )
        seen.setdefault(folded, str(name))
    return problems


def parse_header(text: str, option: str = "--header") -> tuple[str, str]:
    """``"Name: value"`` -> ``("Name", "value")``, checked; the value is never shown in errors."""
    name, sep, value = text.partition(":")
    if not sep:
        # Not echoed: without a colon the text may well be a pasted secret ("Bearer abc...").
        raise ConfigError(f"{option}: expected 'Name: value' (no ':' in the argument)")
    name = name.strip(" \t")  # blanks around the name are a typing slip; a line break is not
    value = value.strip(" \t")
    problem = header_problem(name, value, option)
    if problem:
        raise ConfigError(problem)
    return name, value


def expand_value(name: str, value: str, environ: Mapping[str, str] | None = None) -> str:
    """``${VAR}`` -> the variable's value; the result is checked like a written value."""
    env = os.environ if environ is None else environ
    used: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in env:
            raise ConfigError(f"header {name!r}: environment variable {var} is not set")
        used.append(var)
        return env[var]

    expanded = _VAR.sub(substitute, value)
    problem = value_problem(expanded)
    if problem:
        source = f" (from environment variable {', '.join(dict.fromkeys(used))})" if used else ""
        raise ConfigError(f"header {name!r}: {problem}{source}")
    return expanded


def expand_headers(
    headers: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The headers with ``${VAR}`` expanded; any problem is a :class:`ConfigError`."""
    problems = header_problems(headers, "headers")
    if problems:
        raise ConfigError(problems[0])
    return {name: expand_value(name, value, environ) for name, value in headers.items()}

