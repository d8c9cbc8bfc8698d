"""The ``apidocs_*`` configuration values: declared once, checked once on ``config-inited``.

Sphinx's ``types=`` check only warns; a wrong value here would otherwise surface much later
as a confusing fetch or filter error, so :func:`validate_config` stops the build at once with
a message naming the setting, what it got and what it expects (header names and values, and
the spec URL, are checked here too). It then keeps the real ``apidocs_spec`` and
``apidocs_headers`` beside the application and leaves redacted values in the config, which
Sphinx pickles into the environment.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from sphinx_apidocs.spec.fetch import SECRET_MASK, is_url, redact_url, url_problem
from sphinx_apidocs.spec.headers import header_problems

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

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
    "apidocs_timeout": (10, "", (int, float), "seconds to wait for each read from the endpoint"),
    "apidocs_deadline": (
        0,
        "",
        (int, float),
        "seconds one spec document may take in all (retries, redirects, the body); 0: 6 x apidocs_timeout",
    ),
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


@dataclass(frozen=True)
class Secrets:
    """The real ``apidocs_spec`` and ``apidocs_headers`` of one Sphinx application."""

    spec: str
    headers: dict[str, str]


#: Kept beside the application, never in ``app.config``: Sphinx pickles the config with the
#: environment (``.doctrees/environment.pickle``, often inside the published output).
_SECRETS: weakref.WeakKeyDictionary[Any, Secrets] = weakref.WeakKeyDictionary()


def setup_config(app: Sphinx) -> None:
    """Declare the config values and check them once the config is read."""
    for name, (default, rebuild, types, description) in CONFIG_VALUES.items():
        app.add_config_value(name, default, rebuild, types=types, description=description)  # type: ignore[arg-type]
    app.connect("config-inited", validate_config)


class ConfigUnusable(SystemExit):
    """The ``apidocs_*`` settings are wrong: the build stops with one ``ERROR`` line each.

    Why ``SystemExit`` and not :class:`sphinx.errors.ConfigError`: since Sphinx 8.2 every
    exception that ends a build is printed as a crash report (versions, traceback, "please
    report this"), which is wrong for a typo in conf.py. ``sphinx-build`` exits with status
    2, without a traceback; programmatic callers catch this class (``str()`` is the message,
    ``problems`` the lines).
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__(2)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(self.problems)


def validate_config(app: Sphinx, config: Config) -> None:
    """Stop the build (:class:`ConfigUnusable`) with every problem found, one line each;
    then move the secrets out of the config (see :func:`hide_secrets`)."""
    problems = list(config_problems(config))
    if problems:
        logger = logging.getLogger(__name__)
        for problem in problems:
            logger.error("%s", problem)
        raise ConfigUnusable(problems)
    hide_secrets(app, config)


def hide_secrets(app: Sphinx, config: Config) -> None:
    """Keep the real spec URL and headers beside ``app``; leave redacted values in the config.

    The redacted values are stable (the same conf.py gives the same text), so Sphinx's
    "config changed" check for ``apidocs_spec`` (an ``env`` value) keeps working.
    """
    spec = config.apidocs_spec
    headers = dict(config.apidocs_headers)
    _SECRETS[app] = Secrets(spec=spec, headers=headers)
    if is_url(spec):
        config.apidocs_spec = redact_url(spec)
    config.apidocs_headers = {name: SECRET_MASK for name in headers}


def real_spec(app: Sphinx) -> str:
    """``apidocs_spec`` as written in conf.py (with its credentials, if any)."""
    secrets = _SECRETS.get(app)
    return secrets.spec if secrets is not None else app.config.apidocs_spec


def real_headers(app: Sphinx) -> dict[str, str]:
    """``apidocs_headers`` as written in conf.py (``${VAR}`` not yet expanded)."""
    secrets = _SECRETS.get(app)
    return dict(secrets.headers) if secrets is not None else dict(app.config.apidocs_headers)


def config_problems(config: Config | Any) -> list[str]:
    """Every problem with the ``apidocs_*`` values, as user-facing one-line messages."""
    problems: list[str] = []
    spec = config.apidocs_spec
    if not isinstance(spec, str):
        problems.append(_expected("apidocs_spec", spec, "a URL or path string"))
    elif spec.strip() != spec:
        problems.append("apidocs_spec: remove the leading or trailing whitespace")
    elif is_url(spec) and url_problem(spec):
        problems.append(f"apidocs_spec: invalid URL {redact_url(spec)!r}: {url_problem(spec)}")

    filters = config.apidocs_filters
    if isinstance(filters, str):
        pass
    elif isinstance(filters, (list, tuple)):
        for index, item in enumerate(filters):
            if not isinstance(item, str) or not item:
                problems.append(_expected(f"apidocs_filters[{index}]", item, "a non-empty path string"))
    else:
        problems.append(_expected("apidocs_filters", filters, "a path string or a list of path strings"))

    # Names and values checked up front (values never echoed: they are usually secrets).
    problems.extend(header_problems(config.apidocs_headers, "apidocs_headers"))

    timeout = config.apidocs_timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < float("inf"):
        problems.append(_expected("apidocs_timeout", timeout, "a number of seconds greater than 0"))
    deadline = getattr(config, "apidocs_deadline", 0)
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not 0 <= deadline < float("inf"):
        problems.append(_expected("apidocs_deadline", deadline, "a number of seconds (0: 6 x apidocs_timeout)"))

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
