"""The API's history in the docs (``apidocs_changelog``): what changed from one release to the
next, as clients see it — the :mod:`sphinx_apidocs.diff` of their exposed contracts.

The releases listed in conf.py (oldest first) are loaded once per build, with the spec and
filters of the build itself as the newest; a release that cannot be loaded is an
``apidocs.changelog`` warning and is left out (the changes are then counted from the release
before it). Each step's changes feed ``.. api:changelog::`` (one section per release, grouped
by operation, levels shown) and each operation's "History" (added in, changed in).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Literal

from sphinx_apidocs.diff import Change, Contract, Level, compare, contract_of
from sphinx_apidocs.diff.sources import is_git_source, resolve
from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import FilterTree, load_filter_trees
from sphinx_apidocs.spec.fetch import is_url
from sphinx_apidocs.spec.loader import load_spec
from sphinx_apidocs.spec.model import ApiSpec
from sphinx_apidocs.spec.snapshot import reading
from sphinx_apidocs.sphinxext.audiences import BuildAudience
from sphinx_apidocs.sphinxext.config import ReleaseSource
from sphinx_apidocs.sphinxext.warnings import Warn, warn


@dataclass(frozen=True)
class Release:
    """One release and the changes that made it from the release before (none for the oldest)."""

    version: str
    date: str = ""
    changes: tuple[Change, ...] = ()
    first: bool = False  # the oldest release shown: nothing to compare it with

    def by_operation(self) -> list[tuple[tuple[str, str, str], list[Change]]]:
        """``((path, method, operation), changes)`` in the changes' stable order."""
        groups: dict[tuple[str, str, str], list[Change]] = {}
        for change in self.changes:
            groups.setdefault((change.path, change.method, change.operation), []).append(change)
        return list(groups.items())

    def counts(self) -> dict[str, int]:
        counts = {level.label: 0 for level in sorted(Level, reverse=True)}
        for change in self.changes:
            counts[change.level.label] += 1
        return counts


Kind = Literal["added", "changed", "renamed", "moved"]


@dataclass(frozen=True)
class Mark:
    """What one release did to one operation (``versionadded``/``versionchanged``-like)."""

    version: str
    kind: Kind
    level: Level


@dataclass
class History:
    """The releases, oldest first, the last being this build's."""

    releases: tuple[Release, ...] = ()
    #: Each release's exposed contract, for the changes between any two (``api:changes``).
    contracts: dict[str, Contract] = field(default_factory=dict, repr=False)
    _marks: dict[str, list[Mark]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for release in self.releases:
            for (_path, _method, nickname), changes in release.by_operation():
                ids = {change.id for change in changes}
                kind: Kind = (
                    "added" if "operation-added" in ids
                    else "renamed" if "operation-renamed" in ids
                    else "moved" if "operation-moved" in ids
                    else "changed"
                )
                level = max(change.level for change in changes)
                self._marks.setdefault(nickname, []).append(Mark(release.version, kind, level))

    def marks(self, nickname: str) -> list[Mark]:
        """The releases that added or changed the operation ``nickname``, oldest first."""
        return list(self._marks.get(nickname, ()))

    def release(self, version: str) -> Release | None:
        return next((release for release in self.releases if release.version == version), None)

    def between(self, since: str, until: str) -> Release | None:
        """The changes from release ``since`` to release ``until`` in one step (what a client
        on ``since`` must know to move to ``until``); ``None`` if either is unknown."""
        if since not in self.contracts or until not in self.contracts:
            return None
        return Release(f"{since} \u2192 {until}", "", tuple(compare(self.contracts[since], self.contracts[until])))

    def digest(self) -> str:
        """Of everything the changelog shows (the changelog page's fingerprint)."""
        shown = [(r.version, r.date, r.first, [c.as_json() for c in r.changes]) for r in self.releases]
        return hashlib.sha256(repr((shown, sorted(self.contracts.items(), key=lambda item: item[0]))).encode()).hexdigest()


def current_name(configured: str, release: str, version: str) -> str:
    """The current build's release name: ``apidocs_changelog_current``, the project's release
    or version, else ``current``."""
    return configured or release or version or "current"


def load_history(
    sources: Sequence[ReleaseSource],
    confdir: str,
    current: tuple[str, ApiSpec | None, Mapping[str, FilterTree] | None],
    audience: BuildAudience | None = None,
) -> History | None:
    """The history of the releases ``sources`` (oldest first) up to ``current`` (its name,
    spec and filters: already the audience's view); ``None`` when conf.py lists no release.
    Each earlier release is read as the build's ``audience`` sees it: a change only a narrower
    audience can see never reaches its changelog."""
    if not sources:
        return None
    audience = audience or BuildAudience()
    loaded: list[tuple[ReleaseSource, Contract]] = []
    for source in sources:
        contract = _contract(source, confdir, audience)
        if contract is not None:
            loaded.append((source, contract))
    name, spec, filters = current
    if spec is not None:
        loaded.append((ReleaseSource(name, "", ""), contract_of(spec, filters)))
    return history_of([(source.version, source.date, contract) for source, contract in loaded])


def history_of(contracts: Sequence[tuple[str, str, Contract]]) -> History:
    """The history of ``(name, date, contract)`` releases (or API versions), oldest first:
    each one's changes from the one before."""
    releases: list[Release] = []
    for index, (name, date, contract) in enumerate(contracts):
        if index == 0:
            releases.append(Release(name, date, (), first=True))
            continue
        releases.append(Release(name, date, tuple(compare(contracts[index - 1][2], contract))))
    return History(tuple(releases), {name: contract for name, _date, contract in contracts})


def _where(source: str, confdir: str) -> str:
    """A path relative to conf.py made absolute; URLs and ``git:`` sources as written."""
    if is_url(source) or is_git_source(source):
        return source
    return os.path.normpath(os.path.join(confdir, source))


def _contract(release: ReleaseSource, confdir: str, audience: BuildAudience) -> Contract | None:
    """The exposed contract of one earlier release as ``audience`` sees it, or ``None`` (with a
    warning; it names the release and the source only)."""
    try:
        with ExitStack() as stack:
            spec_source = stack.enter_context(resolve(_where(release.spec, confdir), cwd=confdir))
            with reading(spec_source.path) as path:
                spec, _facts = audience.shaped(load_spec(path))
            trees: dict[str, FilterTree] | None = None
            if release.filters:
                trees = {}
                for given in release.filters:
                    filters = stack.enter_context(resolve(_where(given, confdir), cwd=confdir))
                    found = load_filter_trees(filters.path, **audience.filter_args())  # type: ignore[arg-type]
                    trees.update((nick, loaded.tree) for nick, loaded in found.items())
            return contract_of(spec, trees)
    except (ApidocsError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not audience.narrowest:  # the reason may name an item of a narrower audience
            message = f"a build of audience {audience.order.names[-1]!r} says why" if audience.order else message
        warn(Warn.CHANGELOG, f"release {release.version!r} of apidocs_changelog cannot be loaded, left out: {message}")
        return None
