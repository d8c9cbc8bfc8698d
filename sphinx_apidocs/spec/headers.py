"""Extra request headers: ``Name: value`` parsing and ``${VAR}`` expansion from the environment.

Header values usually carry secrets, so nothing here ever puts a value into a message.
"""

from __future__ import annotations

import os
import re
from typing import Mapping

from sphinx_apidocs.errors import ConfigError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def parse_header(text: str) -> tuple[str, str]:
    """``"Name: value"`` -> ``("Name", "value")``; the value is not shown in errors."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _TOKEN.match(name):
        raise ConfigError(f"bad header {name[:40]!r}: expected 'Name: value'")
    return name, value.strip()


def expand_value(name: str, value: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        var = match.group(1)
        if var not in env:
            raise ConfigError(f"header {name!r}: environment variable {var} is not set")
        return env[var]

    expanded = _VAR.sub(substitute, value)
    if "\r" in expanded or "\n" in expanded:
        raise ConfigError(f"header {name!r}: value contains a line break")
    return expanded


def expand_headers(
    headers: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigError(f"bad header name {str(name)[:40]!r}")
        if not isinstance(value, str):
            raise ConfigError(f"header {name!r}: value must be a string")
        result[name] = expand_value(name, value, environ)
    return result
