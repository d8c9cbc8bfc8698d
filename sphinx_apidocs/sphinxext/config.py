"""The ``apidocs_*`` settings: one typed dataclass, read and checked once per build.

:class:`ApidocsConfig` is the one table: each field is a setting (``apidocs_<field>``) and
its metadata (a :class:`Setting`) holds the conf.py default, the rebuild kind, the
description and the check. :func:`setup_config` registers the config values from it;
:func:`read_config` runs on ``config-inited``, stops the build with every problem found
(:class:`ConfigUnusable`: one ``ERROR`` line each, exit 2, no traceback), and keeps the
instance beside the application, where :func:`get_config` finds it. The extension reads
the instance, never ``app.config.apidocs_*``.

Secrets: the instance holds the real ``apidocs_spec`` (a URL may carry credentials) and
``apidocs_headers``; ``app.config``, which Sphinx pickles into the environment, is left
with redacted values (see :func:`hide_secrets`).
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sphinx_apidocs.spec.fetch import (
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_SPEC_BYTES,
    SECRET_MASK,
    is_url,
    redact_url,
    url_problem,
)
from sphinx_apidocs.spec.headers import header_problems
from sphinx_apidocs.sphinxext.warnings import BuildStopped, logger

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

PREFIX = "apidocs_"

#: ``"env"``: a change re-reads every document; ``""``: no document depends on the value.
Rebuild = Literal["", "env"]


@dataclass(frozen=True)
class Setting:
    """How one ``apidocs_*`` value is declared, checked and converted."""

    default: Any  # as written in conf.py (and documented in docs/configuration.rst)
    rebuild: Rebuild
    types: tuple[type, ...]  # for Sphinx's own (warning-only) type check
    description: str
    check: Callable[[str, Any], list[str]]  # (conf name, raw value) -> one-line problems
    convert: Callable[[Any], Any] = lambda value: value  # raw (checked) value -> field value


def setting(
    default: Any,
    rebuild: Rebuild,
    types: tuple[type, ...],
    description: str,
    check: Callable[[str, Any], list[str]],
    convert: Callable[[Any], Any] = lambda value: value,
) -> Any:
    """A dataclass field for one setting (its default is ``convert(default)``)."""
    meta = Setting(default, rebuild, types, description, check, convert)
    return field(default_factory=lambda: convert(default), metadata={"apidocs": meta})


# -- the checks: each returns the problems of one value, as one-line messages ---------------


def _expected(name: str, value: Any, what: str) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{name}: expected {what}, got {type(value).__name__} {shown}"


def _check_spec(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [_expected(name, value, "a URL or path string")]
    if value.strip() != value:
        return [f"{name}: remove the leading or trailing whitespace"]
    problem = url_problem(value) if is_url(value) else ""
    return [f"{name}: invalid URL {redact_url(value)!r}: {problem}"] if problem else []


def _check_filters(name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return []
    if isinstance(value, (list, tuple)):
        return [
            _expected(f"{name}[{index}]", item, "a non-empty path string")
            for index, item in enumerate(value)
            if not isinstance(item, str) or not item
        ]
    return [_expected(name, value, "a path string or a list of path strings")]


def _as_paths(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``apidocs_filters`` as a tuple (``""`` means none)."""
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(value)


def _check_headers(name: str, value: Any) -> list[str]:
    # Names and values checked up front (values never echoed: they are usually secrets).
    return header_problems(value, name)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_timeout(name: str, value: Any) -> list[str]:
    ok = _is_number(value) and 0 < value < math.inf
    return [] if ok else [_expected(name, value, "a number of seconds greater than 0")]


def _check_deadline(name: str, value: Any) -> list[str]:
    ok = _is_number(value) and 0 <= value < math.inf
    return [] if ok else [_expected(name, value, "a number of seconds (0: 6 x apidocs_timeout)")]


def _check_spec_root(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [_expected(name, value, "a folder path string ('' to find it from the spec)")]
    if value and is_url(value):
        return [f"{name}: expected a local folder, got a URL"]
    return []


def _check_count(name: str, value: Any) -> list[str]:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return [] if ok else [_expected(name, value, "a whole number greater than 0")]


def _check_snapshot(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [_expected(name, value, "a folder path string ('' to disable)")]
    if value and is_url(value):
        return [f"{name}: expected a local folder, got a URL"]
    return []


def folder_name(value: str) -> str:
    """A folder of the source directory as one spelling: ``api/v1`` for ``api\\v1\\`` or
    ``/api/v1/`` (generated page names are ``<folder>/<page>``; folders are compared so)."""
    return value.replace("\\", "/").strip("/")


def _check_resource_pages(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [_expected(name, value, "a folder name string ('' to disable)")]
    parts = folder_name(value).split("/")
    if value and (os.path.isabs(value) or any(p in ("", ".", "..") for p in parts)):
        return [
            f"{name}: {value!r} must be a plain folder inside the source "
            "directory, e.g. 'api' (no '..', no absolute path)"
        ]
    return []


def _check_bool(name: str, value: Any) -> list[str]:
    return [] if isinstance(value, bool) else [_expected(name, value, "True or False")]


#: ``apidocs_shared_models``: where a model used by several resources is documented.
SHARED_MODELS = ("page", "first")


def _check_shared_models(name: str, value: Any) -> list[str]:
    if value in SHARED_MODELS and isinstance(value, str):
        return []
    return [_expected(name, value, " or ".join(repr(choice) for choice in SHARED_MODELS))]


def _check_name(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [_expected(name, value, "an audience name")]
    return [f"{name}: remove the leading or trailing whitespace"] if value.strip() != value else []


def _check_audiences(name: str, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)):
        return [_expected(name, value, "a list of audience names, widest first")]
    problems = [
        _expected(f"{name}[{index}]", item, "a non-empty audience name")
        for index, item in enumerate(value)
        if not isinstance(item, str) or not item.strip() or item.strip() != item
    ]
    names = [item for item in value if isinstance(item, str)]
    twice = sorted({item for item in names if names.count(item) > 1})
    if twice:
        problems.append(f"{name}: {', '.join(map(repr, twice))} listed twice")
    return problems


@dataclass(frozen=True)
class ReleaseSource:
    """One earlier release of ``apidocs_changelog``: its name, date, spec and filters."""

    version: str
    spec: str
    date: str = ""
    filters: tuple[str, ...] = ()


_RELEASE_KEYS = ("version", "date", "spec", "filters")


def _unknown_keys(where: str, entry: dict[Any, Any], known: tuple[str, ...]) -> list[str]:
    unknown = sorted(str(key) for key in entry if key not in known)
    return [f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (expected {', '.join(known)})"] if unknown else []


def _check_date(name: str, value: Any) -> list[str]:
    import datetime

    if not isinstance(value, str):
        return [_expected(name, value, "a date string YYYY-MM-DD")]
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return [f"{name}: expected a date YYYY-MM-DD, got {value!r}"]
    return [] if len(value) == 10 else [f"{name}: expected a date YYYY-MM-DD, got {value!r}"]


def _check_changelog(name: str, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)):
        return [_expected(name, value, "a list of releases ({'version', 'spec', 'date', 'filters'}), oldest first")]
    problems: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(entry, dict):
            problems.append(_expected(where, entry, "a dict with 'version' and 'spec'"))
            continue
        problems.extend(_unknown_keys(where, entry, _RELEASE_KEYS))
        version = entry.get("version")
        if not isinstance(version, str) or not version.strip():
            problems.append(_expected(f"{where}['version']", version, "a release name"))
        elif version in seen:
            problems.append(f"{where}['version']: {version!r} is listed twice")
        else:
            seen.add(version)
        spec = entry.get("spec")
        if not isinstance(spec, str) or not spec:
            problems.append(_expected(f"{where}['spec']", spec, "a URL, path or git:REV:PATH string"))
        if "date" in entry:
            problems.extend(_check_date(f"{where}['date']", entry["date"]))
        if "filters" in entry:
            problems.extend(_check_filters(f"{where}['filters']", entry["filters"]))
    return problems


def _as_releases(value: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> tuple[ReleaseSource, ...]:
    return tuple(
        ReleaseSource(entry["version"], entry["spec"], entry.get("date", ""), _as_paths(entry.get("filters", "")))
        for entry in value
    )


@dataclass(frozen=True)
class VersionSource:
    """One API version of ``apidocs_versions``: its name, spec, filters and generated pages."""

    name: str
    spec: str
    filters: tuple[str, ...] = ()
    pages: str = ""  # folder (relative to the source dir) of its generated pages; "" for none


_VERSION_KEYS = ("spec", "filters", "pages")
#: A version name: it becomes part of object names (``v2:list-users``), node ids, fingerprint
#: keys and the ``:version:`` option of generated pages, so only these characters.
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _check_versions(name: str, value: Any) -> list[str]:
    if not isinstance(value, dict):
        return [_expected(name, value, "a dict {version name: {'spec', 'filters', 'pages'}}")]
    problems: list[str] = []
    folders: dict[str, str] = {}
    for version, entry in value.items():
        where = f"{name}[{version!r}]"
        if not isinstance(version, str) or not VERSION_NAME.fullmatch(version):
            problems.append(
                f"{name}: version name {version!r} must be 1-40 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
            continue
        if not isinstance(entry, dict):
            problems.append(_expected(where, entry, "a dict with 'spec' (and 'filters', 'pages')"))
            continue
        problems.extend(_unknown_keys(where, entry, _VERSION_KEYS))
        spec = entry.get("spec")
        if not isinstance(spec, str) or not spec:
            problems.append(_expected(f"{where}['spec']", spec, "a URL or path string"))
        else:
            problems.extend(_check_spec(f"{where}['spec']", spec))
        if "filters" in entry:
            problems.extend(_check_filters(f"{where}['filters']", entry["filters"]))
        pages = entry.get("pages", "")
        problems.extend(_check_resource_pages(f"{where}['pages']", pages))
        if isinstance(pages, str) and pages:
            folder = folder_name(pages)
            if folder in folders:
                problems.append(f"{where}['pages']: {pages!r} is also the folder of version {folders[folder]!r}")
            folders[folder] = version
    return problems


def _folders_shared(config: Config | Any) -> list[str]:
    """``apidocs_resource_pages`` and a version's ``pages`` must be different folders: both
    generators would write the same pages."""
    pages = getattr(config, "apidocs_resource_pages", "") or ""
    versions = getattr(config, "apidocs_versions", {}) or {}
    folder = folder_name(pages)
    return [
        f"apidocs_versions[{name!r}]['pages']: {entry['pages']!r} is also apidocs_resource_pages"
        for name, entry in versions.items()
        if folder and isinstance(entry, dict) and folder_name(str(entry.get("pages", ""))) == folder
    ]


def _as_versions(value: dict[str, dict[str, Any]]) -> tuple[VersionSource, ...]:
    """The versions in natural order (``v2 < v10``, ``202201.01 < 202202``): pickers list
    them so, and the newest is the one unqualified names mean without ``apidocs_spec``."""
    from sphinx_apidocs.versions import sorted_versions

    return tuple(
        VersionSource(
            version, value[version]["spec"], _as_paths(value[version].get("filters", "")),
            folder_name(value[version].get("pages", "")),
        )
        for version in sorted_versions(list(value))
    )


@dataclass(frozen=True)
class ApidocsConfig:
    """Every ``apidocs_*`` setting, checked and typed: ``apidocs_<field name>`` in conf.py."""

    spec: str = setting(
        "", "env", (str,),
        "URL or path (relative to conf.py) of the API: listing, declaration or folder",
        _check_spec,
    )
    filters: tuple[str, ...] = setting(
        "", "env", (str, list, tuple),
        "output filter file(s) or folder(s), relative to conf.py; empty for none",
        _check_filters, _as_paths,
    )
    headers: Mapping[str, str] = setting(
        {}, "", (dict,), "extra request headers; values expand ${VAR}", _check_headers, dict,
    )
    timeout: float = setting(
        10, "", (int, float), "seconds to wait for each read from the endpoint", _check_timeout, float,
    )
    deadline: float = setting(
        0, "", (int, float),
        "seconds one spec document may take in all (retries, redirects, the body); 0: 6 x apidocs_timeout",
        _check_deadline, float,
    )
    spec_root: str = setting(
        "", "env", (str,),
        "folder that relative $refs of a spec file may reach (relative to conf.py); empty: "
        "the spec's project root (the nearest folder up with .git, .hg, .svn, pyproject.toml "
        "or setup.cfg), else the spec's own folder",
        _check_spec_root,
    )
    max_documents: int = setting(
        DEFAULT_MAX_DOCUMENTS, "", (int,),
        "the most documents one spec may have (the root and every document its $refs reach)",
        _check_count,
    )
    max_spec_bytes: int = setting(
        DEFAULT_MAX_SPEC_BYTES, "", (int,),
        "the most bytes the documents of one spec may have in all",
        _check_count,
    )
    snapshot: str = setting(
        "", "", (str,),
        "folder keeping the last good copy of the fetched spec (relative to conf.py)",
        _check_snapshot,
    )
    resource_pages: str = setting(
        "", "", (str,),
        "folder (relative to the source dir) where one page per resource is generated",
        _check_resource_pages, folder_name,
    )
    field_selection: bool = setting(
        False, "env", (bool,),
        "say per operation that clients may narrow its output with fields= (field selection)",
        _check_bool,
    )
    shared_models: Literal["page", "first"] = setting(
        "page", "env", (str,),
        "where models used by several resources are documented: 'page' (a models page of "
        "their own) or 'first' (with the first resource that declares them)",
        _check_shared_models,
    )

    audiences: tuple[str, ...] = setting(
        [], "env", (list, tuple),
        "the audiences, widest readership first (e.g. ['public', 'partner', 'internal']); empty: "
        "the audiences.yaml of the filter folder, if any, else no audiences",
        _check_audiences, tuple,
    )
    default_audience: str = setting(
        "", "env", (str,), "the audience of unmarked items; empty: the widest", _check_name,
    )
    audience: str = setting(
        "", "env", (str,),
        "the audience whose docs this build writes; empty: the widest (nothing narrower reaches any output)",
        _check_name,
    )
    changelog: tuple[ReleaseSource, ...] = setting(
        [], "env", (list, tuple),
        "earlier releases, oldest first: [{'version', 'date', 'spec', 'filters'}] (spec and "
        "filters: URL, path relative to conf.py, or git:REV:PATH); the current build is the newest",
        _check_changelog, _as_releases,
    )
    changelog_current: str = setting(
        "", "env", (str,),
        "the name of the current build's release in the changelog; empty: the project's "
        "release (or version), else 'current'",
        lambda name, value: [] if isinstance(value, str) else [_expected(name, value, "a string")],
    )

    versions: tuple[VersionSource, ...] = setting(
        {}, "", (dict,),
        "API versions documented side by side: {name: {'spec', 'filters', 'pages'}} (spec and "
        "filters as apidocs_spec and apidocs_filters; pages: a folder for its generated pages)",
        _check_versions, _as_versions,
    )

    @classmethod
    def settings(cls) -> dict[str, Setting]:
        """Conf name (``apidocs_spec``...) -> its :class:`Setting`, in declaration order."""
        return {PREFIX + f.name: f.metadata["apidocs"] for f in dataclasses.fields(cls)}

    @classmethod
    def problems(cls, config: Config | Any) -> list[str]:
        """Every problem with the values of ``config`` (a missing value counts as its default)."""
        found: list[str] = []
        for name, meta in cls.settings().items():
            found.extend(meta.check(name, getattr(config, name, meta.default)))
        if not found:
            found.extend(_folders_shared(config))
        return found

    @classmethod
    def from_config(cls, config: Config | Any) -> ApidocsConfig:
        """The checked values of ``config``; :class:`ConfigUnusable` names every problem."""
        problems = cls.problems(config)
        if problems:
            raise ConfigUnusable(problems)
        values = {}
        for f in dataclasses.fields(cls):
            meta: Setting = f.metadata["apidocs"]
            values[f.name] = meta.convert(getattr(config, PREFIX + f.name, meta.default))
        return cls(**values)


class ConfigUnusable(BuildStopped):
    """The ``apidocs_*`` settings are wrong: the build stops with one ``ERROR`` line each."""


#: Kept beside the application, never in ``app.config``: Sphinx pickles the config with the
#: environment (``.doctrees/environment.pickle``, often inside the published output), and
#: the instance holds the real spec URL and headers.
_CONFIGS: weakref.WeakKeyDictionary[Any, ApidocsConfig] = weakref.WeakKeyDictionary()


def setup_config(app: Sphinx) -> None:
    """Declare the config values (from :class:`ApidocsConfig`); read them once they are set."""
    for name, meta in ApidocsConfig.settings().items():
        app.add_config_value(name, meta.default, meta.rebuild, types=meta.types, description=meta.description)
    app.connect("config-inited", read_config)


def read_config(app: Sphinx, config: Config) -> None:
    """Read and check every setting (stop the build on a problem, one ``ERROR`` line each),
    keep the instance for :func:`get_config`, and redact the secrets left in ``config``."""
    try:
        _CONFIGS[app] = ApidocsConfig.from_config(config)
    except ConfigUnusable as exc:
        for problem in exc.problems:
            logger.error("%s", problem)
        raise
    hide_secrets(config)


def get_config(app: Sphinx) -> ApidocsConfig:
    """The settings of this build, as read on ``config-inited``."""
    found = _CONFIGS.get(app)
    if found is None:  # config-inited did not run (a hand-made application): read them now
        found = _CONFIGS[app] = ApidocsConfig.from_config(app.config)
        hide_secrets(app.config)
    return found


def hide_secrets(config: Config) -> None:
    """Leave redacted ``apidocs_spec`` and ``apidocs_headers`` in the pickled config.

    The redacted values are stable (the same conf.py gives the same text), so Sphinx's
    "config changed" check for ``apidocs_spec`` (an ``env`` value) keeps working.
    """
    spec = config.apidocs_spec
    if is_url(spec):
        config.apidocs_spec = redact_url(spec)
    config.apidocs_headers = {name: SECRET_MASK for name in config.apidocs_headers}
    versions = getattr(config, "apidocs_versions", None)
    if isinstance(versions, dict):
        config.apidocs_versions = {
            name: {**entry, "spec": redact_url(entry["spec"])} if isinstance(entry, dict) and is_url(entry.get("spec", "")) else entry
            for name, entry in versions.items()
        }
