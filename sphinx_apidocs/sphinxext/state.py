"""The spec and the filters, loaded once per build and shared by every document.

``builder-inited`` runs once, in the main process, before any document is read: the spec is
loaded (``spec_loading``), the filters parsed (``filter_entries``), and every global check
reported once (``report``). Directives then only look things up here; ``fingerprints``
tells ``incremental`` what each document shows.

The state lives in a module-level map keyed by the build environment, not *on* the
environment: Sphinx pickles the environment to disk and, with ``-j N``, once per chunk of
documents read in parallel; a large spec must not travel with it. Parallel readers are forked
after ``builder-inited``, so they inherit the loaded state.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sphinx_apidocs.diff import Contract, contract_of
from sphinx_apidocs.filters import FilterTree
from sphinx_apidocs.spec.aside import Aside
from sphinx_apidocs.spec.model import ApiSpec, Operation, Resource
from sphinx_apidocs.sphinxext.collector import loading
from sphinx_apidocs.sphinxext.config import ApidocsConfig, get_config
from sphinx_apidocs.sphinxext.fields import FieldRow, ModelIndex, lookup
from sphinx_apidocs.sphinxext.audiences import (
    AudienceFacts,
    BuildAudience,
    build_audience,
    claim_folders,
    misplaced_filters,
    purge_output,
    report_marks,
)
from sphinx_apidocs.sphinxext.build_cache import BuildCache
from sphinx_apidocs.sphinxext.changelog import History, current_name, load_history
from sphinx_apidocs.sphinxext.filter_entries import FilterEntries, FilterEntry, files_to_read, load_filter_entries, parse_ahead
from sphinx_apidocs.sphinxext.fingerprints import Fingerprints
from sphinx_apidocs.sphinxext.links import ModelPlacement
from sphinx_apidocs.sphinxext.report import report_coverage, report_spec
from sphinx_apidocs.sphinxext.spec_loading import load_spec
from sphinx_apidocs.sphinxext.version_set import VersionSet
from sphinx_apidocs.sphinxext.warnings import Warn, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

def operation_location(spec: ApiSpec, resource: Resource, api_index: int, op_index: int) -> str:
    """Where an operation is written, for messages: ``document#pointer`` for a Swagger 1.x
    declaration (its ``apis[i].operations[j]``: the model keeps that order), the document
    only for Swagger 2.0 and OpenAPI, whose operations the model does not locate."""
    if spec.swagger_version.startswith(("2", "3")):
        return resource.source
    return f"{resource.source}#/apis/{api_index}/operations/{op_index}"


def callbacks_by_parent(operations: Mapping[str, Operation]) -> dict[str, list[Operation]]:
    """Parent nickname -> its callbacks, in spec order."""
    found: dict[str, list[Operation]] = {}
    for op in operations.values():
        if op.kind == "callback" and op.parent in operations:
            found.setdefault(op.parent, []).append(op)
    return found


@dataclass
class BuildState:
    """Everything the directives need, built once; lookups are O(1)."""

    spec: ApiSpec | None = None
    filters: dict[str, FilterEntry] = field(default_factory=dict)
    filters_configured: bool = False
    problem: str = ""  # why there is no spec, for directive warnings
    operations: dict[str, Operation] = field(default_factory=dict)  # first nickname wins
    resources: dict[str, Resource] = field(default_factory=dict)
    op_locations: dict[str, str] = field(default_factory=dict)  # nickname -> document[#pointer]
    #: nickname -> the callbacks of that operation (webhooks and callbacks are operations too)
    callbacks: dict[str, list[Operation]] = field(default_factory=dict)
    index: ModelIndex | None = None
    filter_conflicts: frozenset[str] = frozenset()  # nicknames defined in two filter files
    _rows: dict[str, list[FieldRow]] = field(default_factory=dict)
    _fingerprints: Fingerprints | None = None
    _pages: dict[str, str] | None = None  # generated page name -> resource path
    shared_models: str = "page"  # apidocs_shared_models
    _placement: ModelPlacement | None = None
    #: The releases of ``apidocs_changelog`` and their changes (``None``: no changelog).
    history: History | None = None
    #: The build's audience (``None``: set before the spec loaded) and the generated pages
    #: this build removed (their outputs go too, see ``audiences.purge_stale_output``).
    audience: BuildAudience | None = None
    removed_pages: list[str] = field(default_factory=list)
    #: The API version this state documents (``""``: ``apidocs_spec``, unversioned) and the
    #: versions of the build (``None``: one spec only), shared by every version's state.
    version: str = ""
    versions: VersionSet | None = None

    @classmethod
    def create(
        cls, spec: ApiSpec | None, filters: dict[str, FilterEntry] | FilterEntries, filters_configured: bool,
        problem: str = "", shared_models: str = "page",
    ) -> BuildState:
        loaded = filters if isinstance(filters, FilterEntries) else FilterEntries(dict(filters))
        state = cls(
            spec=spec, filters=loaded.entries, filters_configured=filters_configured, problem=problem,
            filter_conflicts=frozenset(loaded.conflicts), shared_models=shared_models,
        )
        if spec is not None:
            state.index = ModelIndex(spec)
            for resource in spec.resources:
                state.resources.setdefault(resource.resource_path, resource)
                for i, api in enumerate(resource.apis):
                    for j, op in enumerate(api.operations):
                        if op.nickname not in state.operations:
                            state.operations[op.nickname] = op
                            state.op_locations[op.nickname] = operation_location(spec, resource, i, j)
            state.callbacks = callbacks_by_parent(state.operations)
        return state

    def callbacks_of(self, op: Operation) -> list[Operation]:
        """The callbacks of ``op`` (those rendered: the first of each nickname), in spec order."""
        return self.callbacks.get(op.nickname, [])

    def full_path(self, op: Operation) -> str:
        """The operation's path joined to its resource's ``basePath`` (``ApiSpec.full_path``)."""
        return self.spec.full_path(op) if self.spec is not None else op.path

    def field_rows(self, op: Operation) -> list[FieldRow] | None:
        """Rows of "Possible output fields", or ``None`` when the operation has no filter."""
        entry = self.filters.get(op.nickname)
        if entry is None or self.index is None:
            return None
        rows = self._rows.get(op.nickname)
        if rows is None:
            rows = self._rows[op.nickname] = [lookup(self.index, op, path) for path in entry.paths]
        return rows

    def filter_tree(self, op: Operation) -> FilterTree | None:
        """The operation's parsed whitelist (its response example follows it), if it has one."""
        entry = self.filters.get(op.nickname)
        return entry.tree if entry is not None else None

    def whitelists(self) -> dict[str, FilterTree] | None:
        """The parsed whitelists by nickname, as the diff reads them (``None``: no filters are
        configured, so every response field is exposed)."""
        if not self.filters_configured:
            return None
        return {nick: entry.tree for nick, entry in self.filters.items() if entry.tree is not None}

    def placement(self) -> ModelPlacement | None:
        """Where each model is documented (``apidocs_shared_models``); ``None`` without a spec."""
        if self._placement is None and self.spec is not None and self.index is not None:
            self._placement = ModelPlacement(self.spec, self.index, self.resources, self.shared_models)
        return self._placement

    def page_resources(self) -> dict[str, str] | None:
        """Generated page name -> resource path, as noted by ``stubs`` (``None``: not yet)."""
        return self._pages

    def note_pages(self, pages: dict[str, str]) -> None:
        """The page names the generator chose (avoiding hand-written pages of the folder)."""
        self._pages = dict(pages)
        self.fingerprints().note_pages(self._pages)

    def fingerprint(self, key: str) -> str:
        """A digest of everything a document shows for ``key`` (see ``fingerprints``); a
        document whose recorded digest differs is re-read (see ``incremental``)."""
        return self.fingerprints()[key]

    def fingerprints(self) -> Fingerprints:
        if self._fingerprints is None:
            self._fingerprints = Fingerprints(
                self.spec, self.operations, self.resources, self.filters, self.index, self.placement(), self.callbacks,
                self.history, self.versions, self.version,
            )
            self._fingerprints.note_pages(self._pages or {})
        return self._fingerprints


@dataclass
class BuildStates:
    """The states of one build: ``""`` for ``apidocs_spec``, one per ``apidocs_versions``
    name; names without a version (directives without ``:version:``, roles without a
    ``VERSION:`` prefix) mean ``default``: the unversioned spec if set, else the newest version."""

    states: dict[str, BuildState] = field(default_factory=dict)
    default: str = ""
    #: The fingerprints being computed aside while documents are read (:func:`fingerprints_ahead`).
    ahead: Aside[dict[str, str]] | None = None

    def get(self, version: str | None = None) -> BuildState | None:
        """The state of ``version`` (``None``: the default one); ``None`` for an unknown name."""
        return self.states.get(self.default if version is None else version)

    @property
    def versions(self) -> list[str]:
        """The names of ``apidocs_versions``, oldest first."""
        return [name for name in self.states if name]

    def split(self, target: str) -> tuple[str, str]:
        """``(version, name)`` of a link target: ``v1:list-users`` names ``list-users`` of
        version ``v1`` when the build has that version; anything else is in the default one."""
        head, colon, rest = target.partition(":")
        if colon and head and head in self.states:
            return head, rest
        return self.default, target

    def fingerprint(self, key: str) -> str | None:
        """The fingerprint of a key recorded by a document (:func:`shown_key`); ``None`` when
        its version is no longer built (the document is then read again). :data:`DEFAULT_KEY`:
        the default version, which a directive without ``:version:`` showed."""
        if key == DEFAULT_KEY:
            return self.default
        version, bare = split_key(key)
        state = self.states.get(version)
        return state.fingerprint(bare) if state is not None else None


#: Recorded by a directive without ``:version:`` in a build of versions: the version it meant
#: (the newest), so that a new newest version re-reads it.
DEFAULT_KEY = "@default"


def shown_key(version: str, key: str) -> str:
    """A fingerprint key as a document records it: ``v1/op:list-users`` in version ``v1``.
    Unversioned keys (``op:NICK``, ``res:/PATH``, ``spec``...) never have a ``/`` before
    their first ``:``, and version names hold neither character."""
    return f"{version}/{key}" if version else key


def split_key(key: str) -> tuple[str, str]:
    head, slash, rest = key.partition("/")
    if slash and ":" not in head and head:
        return head, rest
    return "", key


_STATES: weakref.WeakKeyDictionary[BuildEnvironment, BuildStates] = weakref.WeakKeyDictionary()


def get_states(env: BuildEnvironment) -> BuildStates:
    """The states loaded for this build (one empty state if ``builder-inited`` did not run)."""
    states = _STATES.get(env)
    if states is None:
        states = _STATES[env] = BuildStates({"": BuildState(problem="the API spec was not loaded for this build")})
    return states


def get_state(env: BuildEnvironment, version: str | None = None) -> BuildState:
    """The state of ``version`` (``None``: the default one) — an empty state saying why when
    the build has no such version."""
    states = get_states(env)
    state = states.get(version)
    if state is None:
        known = ", ".join(states.versions) or "none: apidocs_versions is not set"
        state = BuildState(problem=f"no API version {version!r} in apidocs_versions (known: {known})", version=version or "")
    return state


#: Recorded by a document while it is read, in place of a fingerprint: the fingerprints are
#: put in once reading is over (:func:`fill_fingerprints`).
PENDING = "pending"
#: Fewer operations than this: the fingerprints are not worth a helper process.
AHEAD_MIN_OPERATIONS = 100


def all_fingerprints(states: BuildStates) -> dict[str, str]:
    """The fingerprint of every operation and resource of every version, by recorded key."""
    found: dict[str, str] = {}
    for version, state in states.states.items():
        if state.spec is not None:
            for key in [*(f"op:{nick}" for nick in state.operations), *(f"res:{path}" for path in state.resources)]:
                found[shown_key(version, key)] = state.fingerprint(key)
    return found


def fingerprints_ahead(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: while this process reads the documents, a helper process
    (:mod:`sphinx_apidocs.spec.aside`) computes the fingerprints they will show — hashing every
    operation and model is a good part of reading a large API."""
    states = get_states(env)
    if docnames and sum(len(state.operations) for state in states.states.values()) >= AHEAD_MIN_OPERATIONS:
        states.ahead = Aside(all_fingerprints, states)


def fill_fingerprints(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated`` (first): every fingerprint recorded as :data:`PENDING`, from the helper's
    results or computed here."""
    states = get_states(env)
    ahead, states.ahead = states.ahead, None
    known = ahead.result() if ahead is not None else {}
    shown: dict[str, dict[str, str]] = getattr(env.get_domain("api"), "shown", {})
    for keys in shown.values():
        for key, value in keys.items():
            if value == PENDING:
                keys[key] = known.get(key) or states.fingerprint(key) or PENDING


def end_ahead(app: Sphinx, exception: BaseException | None = None) -> None:
    """``build-finished``: a helper whose results were never asked for (a failed read) ends."""
    states = get_states(app.env)
    if states.ahead is not None:
        states.ahead.close()
        states.ahead = None


def setup_state(app: Sphinx) -> None:
    # Before the stub generator (priority 500), which needs the loaded spec.
    app.connect("builder-inited", load_state, priority=400)
    app.connect("env-before-read-docs", fingerprints_ahead)
    app.connect("env-updated", fill_fingerprints, priority=100)
    app.connect("build-finished", purge_stale_output)
    app.connect("build-finished", end_ahead)


def purge_stale_output(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``: see :func:`.audiences.purge_output` (in builds with audiences)."""
    states = get_states(app.env)
    removed = [page for state in states.states.values() for page in state.removed_pages]
    audience = next((state.audience for state in states.states.values() if state.audience is not None), None)
    if exception is None and audience is not None and audience.order is not None:
        purge_output(app, removed)


def load_state(app: Sphinx) -> None:
    """Load the spec and filters of ``apidocs_spec`` and of each of ``apidocs_versions``,
    report global problems, and keep the result for this build."""
    config = get_config(app)
    # -E (a fresh environment) means "read everything again": the caches are rewritten, not read.
    cache = BuildCache(str(app.doctreedir), reuse=getattr(app, "fresh_env_used", None) is False)
    # The audience order: apidocs_audiences, else the audiences.yaml of the first filter folder
    # (of apidocs_filters, else of the versions').
    folders = config.filters or tuple(path for source in config.versions for path in source.filters)
    audience = build_audience(dataclasses.replace(config, filters=folders), app.confdir)
    claim_folders(audience, [str(app.doctreedir)])  # not the output: an EPUB packs every file of it
    states = BuildStates()
    _parse_filters_ahead(app, config, cache, audience)
    with loading(), contextlib.closing(cache):  # loading makes live objects only: no garbage collection meanwhile
        if config.spec or not config.versions:
            states.states[""] = _load_one(app, config, cache, audience, "")
        for source in config.versions:
            snapshot = f"{config.snapshot.rstrip('/')}-{source.name}" if config.snapshot else ""
            one = dataclasses.replace(config, spec=source.spec, filters=source.filters, snapshot=snapshot)
            states.states[source.name] = _load_one(app, one, cache, audience, source.name)
        states.default = "" if "" in states.states else config.versions[-1].name
        default = states.states[states.default]
        if config.versions:
            versions = version_set(states)
            for state in states.states.values():
                state.versions = versions
            report_ambiguous_names(states)
        name = current_name(config.changelog_current, app.config.release, app.config.version)
        default.history = load_history(config.changelog, str(app.confdir), (name, default.spec, default.whitelists()), audience)
        for state in states.states.values():
            state.placement()  # before parallel readers fork: computed once
    _STATES[app.env] = states


#: Fewer filter files than this to parse: not worth a helper process.
AHEAD_MIN_FILES = 8


def _parse_filters_ahead(app: Sphinx, config: ApidocsConfig, cache: BuildCache, audience: BuildAudience) -> None:
    """Without the last build's parsed filter files, a helper process parses them while this
    one loads the spec (:func:`.filter_entries.parse_ahead`)."""
    files_cache = cache.filter_files()
    if files_cache.reused:
        return
    folders = [*config.filters, *(path for source in config.versions for path in source.filters)]
    files = files_to_read([os.path.normpath(os.path.join(app.confdir, path)) for path in dict.fromkeys(folders)], audience.filter_args())
    if len(files) >= AHEAD_MIN_FILES:
        files_cache.ahead = Aside(parse_ahead, files)


def report_ambiguous_names(states: BuildStates) -> None:
    """An operation or resource of ``apidocs_spec`` whose name reads as a version's object
    (``v1:list`` when ``v1`` is a version): links and ``objects.inv`` cannot tell the two
    apart, so the build says so (``apidocs.spec``) instead of resolving one of them silently."""
    unversioned = states.states.get("")
    if unversioned is None:
        return
    names = [("operation", name) for name in unversioned.operations] + [("resource", name) for name in unversioned.resources]
    for kind, name in names:
        version, rest = states.split(name)
        if version:
            warn(
                Warn.SPEC,
                f"{kind} {name!r} of apidocs_spec reads as {rest!r} of version {version!r} (apidocs_versions): "
                "links and objects.inv cannot tell them apart; rename the version",
            )


def version_set(states: BuildStates) -> VersionSet:
    """The versions of the build (not the unversioned spec), their operations and contracts."""
    operations: dict[str, frozenset[str]] = {}
    contracts: dict[str, Contract] = {}
    for name in states.versions:
        state = states.states[name]
        operations[name] = frozenset(state.operations)
        if state.spec is not None:
            contracts[name] = contract_of(state.spec, state.whitelists())
    return VersionSet.of(operations, contracts)


def _load_one(app: Sphinx, config: ApidocsConfig, cache: BuildCache, audience: BuildAudience, version: str) -> BuildState:
    """The state of one spec (``config.spec`` and ``config.filters``), its problems reported."""
    spec: ApiSpec | None = None
    problem = ""
    facts = AudienceFacts()
    if config.spec:
        spec, facts = load_spec(config, app.confdir, app.verbosity, cache=cache, audience=audience, version=version)
    else:
        problem = "apidocs_spec is not set in conf.py"
    visible = {op.nickname for op in spec.operations} if spec is not None and not audience.narrowest else None
    filters = load_filter_entries(
        (os.path.normpath(os.path.join(app.confdir, p)) for p in config.filters),
        cache=cache,
        audience=audience.filter_args(),
        visible=visible,
    )
    if visible is not None:
        # A filter naming an operation this audience does not see: not a word about it.
        filters.entries = {nick: entry for nick, entry in filters.entries.items() if nick in visible}
    state = BuildState.create(spec, filters, bool(config.filters), problem, config.shared_models)
    state.version = version
    filters.save_cache()
    state.audience = audience
    report_marks(facts, audience)
    for nickname, entry in state.filters.items():
        for message in misplaced_filters(facts, audience, {nickname: entry.layer}):
            warn(Warn.AUDIENCE, message, location=entry.location)
    report(state)
    return state


def report(state: BuildState) -> None:
    """Report once per build what is wrong between the spec and the filters."""
    if state.spec is None:
        return
    report_spec(state.spec)
    if state.filters_configured:
        report_coverage(state)
