"""The ``apidocs_*`` configuration values: declared once, checked once on ``config-inited``.

Sphinx's ``types=`` check only warns; a wrong value here would otherwise surface much later
as a confusing fetch or filter error, so :func:`validate_config` stops the build at once with
a message naming the setting, what it got and what it expects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sphinx.errors import ConfigError

from sphinx_apidocs.spec.fetch import is_url

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

#: name -> (default, rebuild, types, description). ``env``: a change re-reads every document.
CONFIG_VALUES: dict[str, tuple[Any, str, tuple[type, ...], str]] = {
    "apidocs_spec": (
        "",
        "env",
        (str,),
        "URL or path (relative to conf.py) of the API: listing, declaration or folder",
    ),
    "apidocs_filters": (
        "",
        "env",
        (str, list, tuple),
        "output filter file(s) or folder(s), relative to conf.py; empty for none",
    ),
    "apidocs_headers": ({}, "", (dict,), "extra request headers; values expand ${VAR}"),
    "apidocs_timeout": (10, "", (int, float), "seconds to wait for each spec document"),
    "apidocs_snapshot": (
        "",
        "",
        (str,),
        "folder keeping the last good copy of the fetched spec (relative to conf.py)",
    ),
    "apidocs_resource_pages": (
        "",
        "",
        (str,),
        "folder (relative to the source dir) where one page per resource is generated",
    ),
    "apidocs_field_selection": (
        False,
        "env",
        (bool,),
        "say per operation that clients may narrow its output with fields= (field selection)",
    ),
}


def setup_config(app: Sphinx) -> None:
    """Declare the config values and check them once the config is read."""
    for name, (default, rebuild, types, description) in CONFIG_VALUES.items():
        app.add_config_value(name, default, rebuild, types=types, description=description)  # type: ignore[arg-type]
    app.connect("config-inited", validate_config)


def validate_config(app: Sphinx, config: Config) -> None:
    """Raise :class:`sphinx.errors.ConfigError` with every problem found, one per line."""
    problems = list(config_problems(config))
    if problems:
        raise ConfigError("\n".join(problems))


def config_problems(config: Config | Any) -> list[str]:
    """Every problem with the ``apidocs_*`` values, as user-facing one-line messages."""
    problems: list[str] = []
    spec = config.apidocs_spec
    if not isinstance(spec, str):
        problems.append(_expected("apidocs_spec", spec, "a URL or path string"))
    elif spec.strip() != spec:
        problems.append("apidocs_spec: remove the leading or trailing whitespace")

    filters = config.apidocs_filters
    if isinstance(filters, str):
        pass
    elif isinstance(filters, (list, tuple)):
        for index, item in enumerate(filters):
            if not isinstance(item, str) or not item:
                problems.append(_expected(f"apidocs_filters[{index}]", item, "a non-empty path string"))
    else:
        problems.append(_expected("apidocs_filters", filters, "a path string or a list of path strings"))

    headers = config.apidocs_headers
    if not isinstance(headers, Mapping):
        # Not echoed: header settings usually carry secrets.
        problems.append(f"apidocs_headers: expected a dict of header name -> value, got {type(headers).__name__}")
    else:
        for name, value in headers.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                problems.append(f"apidocs_headers: {str(name)[:40]!r} is not a valid HTTP header name")
            elif not isinstance(value, str):
                # Never echo the value: it is usually a secret.
                problems.append(f"apidocs_headers[{name!r}]: the value must be a string, got {type(value).__name__}")
            elif "\n" in value or "\r" in value:
                problems.append(f"apidocs_headers[{name!r}]: the value contains a line break")

    timeout = config.apidocs_timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        problems.append(_expected("apidocs_timeout", timeout, "a number of seconds greater than 0"))

    snapshot = config.apidocs_snapshot
    if not isinstance(snapshot, str):
        problems.append(_expected("apidocs_snapshot", snapshot, "a folder path string ('' to disable)"))
    elif snapshot and is_url(snapshot):
        problems.append("apidocs_snapshot: expected a local folder, got a URL")

    pages = config.apidocs_resource_pages
    if not isinstance(pages, str):
        problems.append(_expected("apidocs_resource_pages", pages, "a folder name string ('' to disable)"))
    elif pages:
        parts = pages.replace("\\", "/").strip("/").split("/")
        if os.path.isabs(pages) or any(p in ("", ".", "..") for p in parts):
            problems.append(
                f"apidocs_resource_pages: {pages!r} must be a plain folder inside the source "
                "directory, e.g. 'api' (no '..', no absolute path)"
            )

    selection = config.apidocs_field_selection
    if not isinstance(selection, bool):
        problems.append(_expected("apidocs_field_selection", selection, "True or False"))
    return problems


def filter_paths(config: Config | Any) -> list[str]:
    """``apidocs_filters`` as a list (``""`` means none)."""
    value = config.apidocs_filters
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


def _expected(name: str, value: Any, what: str) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{name}: expected {what}, got {type(value).__name__} {shown}"
