"""The spec and the filters, loaded once per build and shared by every document.

``builder-inited`` runs once, in the main process, before any document is read: the spec is
fetched, validated and normalized there, the filters parsed, and every global check (coverage,
unknown fields, spec warnings) reported once. Directives then only look things up.

The state lives in a module-level map keyed by the build environment, not *on* the
environment: Sphinx pickles the environment to disk and, with ``-j N``, once per chunk of
documents read in parallel; a large spec must not travel with it. Parallel readers are forked
after ``builder-inited``, so they inherit the loaded state.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sphinx_apidocs.errors import ApidocsError, FetchError, SpecError
from sphinx_apidocs.filters import FilterError, dotted_paths, filter_files, parse_filter_file
from sphinx_apidocs.spec.fetch import FetchOptions, display_url, is_url
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Resource
from sphinx_apidocs.spec.snapshot import has_snapshot, reading, write_snapshot
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.sphinxext.collector import loading
from sphinx_apidocs.sphinxext.config import filter_paths, real_headers, real_spec
from sphinx_apidocs.sphinxext.fields import FieldRow, Lookup, ModelIndex, is_void, lookup
from sphinx_apidocs.sphinxext.warnings import __, logger, warn, warn_located

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


class SpecUnavailable(SystemExit):
    """The API spec cannot be loaded: the build stops with the loader's one-line message.

    Why ``SystemExit`` and not a ``SphinxError``: since Sphinx 8.2 every exception that ends
    a build is printed as a crash report (versions, traceback, "please report this to the
    Sphinx developers"), which is wrong for an endpoint that is down or a spec with errors.
    The message is logged as an ``ERROR`` line, then ``sphinx-build`` exits with status 2 —
    its own status for a failed build — without a traceback. Programmatic callers can catch
    this class; ``str()`` is the message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def fail(message: str) -> SpecUnavailable:
    logger.error(__("cannot load the API spec: %s"), message)
    return SpecUnavailable(message)


@dataclass(frozen=True)
class FilterEntry:
    """One operation's whitelist as the docs show it, and where it is defined."""

    paths: tuple[str, ...]
    location: str  # file:line:col of the nickname


@dataclass
class BuildState:
    """Everything the directives need, built once; lookups are O(1)."""

    spec: ApiSpec | None = None
    filters: dict[str, FilterEntry] = field(default_factory=dict)
    filters_configured: bool = False
    problem: str = ""  # why there is no spec, for directive warnings
    operations: dict[str, Operation] = field(default_factory=dict)  # first nickname wins
    resources: dict[str, Resource] = field(default_factory=dict)
    op_locations: dict[str, str] = field(default_factory=dict)  # nickname -> doc#/pointer
    index: ModelIndex | None = None
    _rows: dict[str, list[FieldRow]] = field(default_factory=dict)
    _fingerprints: dict[str, str] = field(default_factory=dict)
    _model_digests: dict[int, tuple[Model, str]] = field(default_factory=dict)
    _pages: dict[str, str] | None = None  # generated page name -> resource path

    @classmethod
    def create(cls, spec: ApiSpec | None, filters: dict[str, FilterEntry], filters_configured: bool, problem: str = "") -> BuildState:
        state = cls(spec=spec, filters=filters, filters_configured=filters_configured, problem=problem)
        if spec is not None:
            state.index = ModelIndex(spec)
            for resource in spec.resources:
                state.resources.setdefault(resource.resource_path, resource)
                for i, api in enumerate(resource.apis):
                    for j, op in enumerate(api.operations):
                        if op.nickname not in state.operations:
                            state.operations[op.nickname] = op
                            state.op_locations[op.nickname] = f"{resource.source}#/apis/{i}/operations/{j}"
        return state

    def full_path(self, op: Operation) -> str:
        resource = self.resources.get(op.resource_path)
        base = resource.base_path.rstrip("/") if resource else ""
        return base + op.path if op.path.startswith("/") else f"{base}/{op.path}"

    def field_rows(self, op: Operation) -> list[FieldRow] | None:
        """Rows of "Possible output fields", or ``None`` when the operation has no filter."""
        entry = self.filters.get(op.nickname)
        if entry is None or self.index is None:
            return None
        rows = self._rows.get(op.nickname)
        if rows is None:
            rows = self._rows[op.nickname] = [lookup(self.index, op, path) for path in entry.paths]
        return rows

    def page_resources(self) -> dict[str, str] | None:
        """Generated page name -> resource path, as noted by ``stubs`` (``None``: not yet)."""
        return self._pages

    def note_pages(self, pages: dict[str, str]) -> None:
        """The page names the generator chose (avoiding hand-written pages of the folder)."""
        self._pages = dict(pages)
        self._fingerprints = {k: v for k, v in self._fingerprints.items() if not k.startswith("page:")}

    def fingerprint(self, key: str) -> str:
        """A digest of everything a document shows for ``key`` (``op:NICK``, ``res:PATH``,
        ``spec``, ``spec-ops``, ``page:NAME``); a document whose recorded digest differs is
        re-read (see ``incremental``)."""
        value = self._fingerprints.get(key)
        if value is None:
            value = self._fingerprints[key] = hashlib.sha256(self._content(key).encode()).hexdigest()
        return value

    def _model_digest(self, model: Model) -> tuple[str, str]:
        """``(id, sha256 of the model)``, computed once per model object."""
        found = self._model_digests.get(id(model))
        if found is None or found[0] is not model:
            found = self._model_digests[id(model)] = (model, hashlib.sha256(repr(model).encode()).hexdigest())
        return model.id, found[1]

    def _content(self, key: str) -> str:
        kind, _, name = key.partition(":")
        if self.spec is None:
            return "no spec"
        if kind == "op":
            op = self.operations.get(name)
            if op is None:
                return "absent"
            models = self.index.reachable(op.response_type, op.resource_path) if self.index else []
            entry = self.filters.get(name)
            return repr((op, self.full_path(op), [self._model_digest(m) for m in models], entry.paths if entry else None))
        if kind == "res":
            resource = self.resources.get(name)
            if resource is None:
                return "absent"
            # The resource's own data, its operations in full, its models by digest (large
            # APIs share big models between many resources and operations: each is hashed once).
            stable = dataclasses.replace(resource, source="", digest="", apis=(), models={})
            apis = [(api.path, api.description, api.operations) for api in resource.apis]
            models = [(key, self._model_digest(model)) for key, model in resource.models.items()]
            paths = [self.filters[op.nickname].paths if op.nickname in self.filters else None for op in resource.operations]
            return repr((stable, apis, models, paths))
        if kind == "page":  # which resource a generated page shows
            return repr((self._pages or {}).get(name))
        if kind == "spec-ops":
            return repr([(o.nickname, o.method, o.path, o.summary) for o in self.operations.values()])
        resources = [(r.resource_path, r.description, sum(1 for _ in r.operations)) for r in self.spec.resources]
        return repr((self.spec.info, self.spec.swagger_version, resources))


_STATES: weakref.WeakKeyDictionary[BuildEnvironment, BuildState] = weakref.WeakKeyDictionary()


def get_state(env: BuildEnvironment) -> BuildState:
    """The state loaded for this build (an empty one if ``builder-inited`` did not run)."""
    state = _STATES.get(env)
    if state is None:
        state = _STATES[env] = BuildState(problem="the API spec was not loaded for this build")
    return state


def setup_state(app: Sphinx) -> None:
    # Before the stub generator (priority 500), which needs the loaded spec.
    app.connect("builder-inited", load_state, priority=400)


def load_state(app: Sphinx) -> None:
    """Load spec and filters, report global problems, and keep the result for this build."""
    config = app.config
    spec: ApiSpec | None = None
    problem = ""
    with loading():  # loading makes live objects only: no garbage collection meanwhile
        if config.apidocs_spec:
            spec = _load_spec(app)
        else:
            problem = "apidocs_spec is not set in conf.py"
        given = filter_paths(config)
        filters = load_filter_entries(os.path.normpath(os.path.join(app.confdir, p)) for p in given)
        state = BuildState.create(spec, filters, bool(given), problem)
    _STATES[app.env] = state
    report(state)


def spec_source(app: Sphinx) -> str:
    """The real spec source: a URL as written in conf.py (kept out of ``app.config``, which
    Sphinx pickles, see :func:`~sphinx_apidocs.sphinxext.config.hide_secrets`), or a path."""
    source = real_spec(app)
    return source if is_url(source) else os.path.normpath(os.path.join(app.confdir, source))


def _load_spec(app: Sphinx) -> ApiSpec:
    """Fetch and build the spec; fall back to the snapshot (with a warning) if fetching fails."""
    config = app.config
    source = spec_source(app)
    options = FetchOptions(
        timeout=float(config.apidocs_timeout),
        headers=real_headers(app),
        deadline=float(getattr(config, "apidocs_deadline", 0) or 0) or None,
    )
    snapshot = os.path.normpath(os.path.join(app.confdir, config.apidocs_snapshot)) if config.apidocs_snapshot else ""
    logger.info(__("apidocs: loading the API spec from %s"), display_url(source) if is_url(source) else source)
    try:
        with reading(source) as readable:  # a snapshot folder as the source: its current copy
            documents = load_documents(readable, options)
            spec = build_spec(documents)
    except (FetchError, SpecError) as exc:
        # The endpoint is down or serves something broken: the last good copy, if any, wins.
        if snapshot and is_url(source) and has_snapshot(snapshot):
            problems = str(exc).splitlines()
            summary = problems[0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
            warn("fetch", __("%s; using the last good copy in %s") % (summary, snapshot))
            return _load_snapshot(snapshot, options)
        raise fail(str(exc)) from None
    except ApidocsError as exc:  # a header ConfigError: a problem of conf.py, not of the endpoint
        raise fail(str(exc)) from None
    if snapshot and is_url(source):
        _save_snapshot(documents, snapshot)
    return spec


def _load_snapshot(snapshot: str, options: FetchOptions) -> ApiSpec:
    """The last good copy: the generation current when it is opened, read under a lock (a
    build saving a newer copy meanwhile can neither hide it nor delete it under us)."""
    try:
        with reading(snapshot) as generation:
            return build_spec(load_documents(generation, options))
    except ApidocsError as exc:
        raise fail(str(exc)) from None


def _save_snapshot(documents: DocumentSet, snapshot: str) -> None:
    """Keep this build's documents as the last good copy; a folder that is not a snapshot
    folder (conf.py's own, ``"."``...) is never written into: a warning says why."""
    try:
        write_snapshot(documents, snapshot)
    except ApidocsError as exc:
        warn("fetch", __("cannot save the spec snapshot: %s") % exc)


def load_filter_entries(paths: Iterable[str]) -> dict[str, FilterEntry]:
    """Parse each filter file on its own, so one bad file costs only its own operations.

    Problems become ``apidocs.filter`` warnings at the file, line and column.
    """
    entries: dict[str, FilterEntry] = {}
    for given in paths:
        try:
            files = filter_files([given])
        except FilterError as exc:
            warn("filter", exc.message, location=str(exc.location or given))
            continue
        for file, _ in files:
            display = os.path.abspath(file)
            try:
                parsed = parse_filter_file(file, display)
            except FilterError as exc:
                warn("filter", exc.message, location=str(exc.location or display))
                continue
            for nickname, loaded in parsed.items():
                where = str(loaded.location)
                if nickname in entries:
                    warn(
                        "filter",
                        __("duplicate nickname %r (also defined at %s); the first one is used")
                        % (nickname, entries[nickname].location),
                        location=where,
                    )
                    continue
                entries[nickname] = FilterEntry(tuple(dotted_paths(loaded.tree)), where)
    return entries


def report(state: BuildState) -> None:
    """Report once per build what is wrong between the spec and the filters."""
    spec = state.spec
    if spec is None:
        return
    for message in spec.warnings:
        warn_located("spec", message)
    # Notes are facts, not problems (e.g. nicknames generated for operations without the
    # optional operationId, shown on each operation's page): a -W build must pass.
    for message in spec.notes:
        logger.verbose(message)
    if spec.notes:
        logger.info(__("apidocs: %d note(s) about the spec (run with -v to list them)"), len(spec.notes))
    if not state.filters_configured:
        return
    for nickname, op in state.operations.items():
        if nickname not in state.filters:
            if not is_void(op.response_type):
                warn(
                    "coverage",
                    __("operation %r (%s %s) has no output filter, so its output fields are not documented")
                    % (nickname, op.method, op.path),
                    location=state.op_locations[nickname],
                )
            continue
        for row in state.field_rows(op) or ():
            if row.lookup is Lookup.MISSING:
                model = op.response_type.display() or "?"
                warn(
                    "field",
                    __("%s: %r is not in the response model %s (no field %r)")
                    % (nickname, row.path, model, row.missing),
                    location=state.filters[nickname].location,
                )
    for nickname, entry in state.filters.items():
        if nickname not in state.operations:
            warn(
                "coverage",
                __("filter for %r, which is not an operation of the API") % nickname,
                location=entry.location,
            )
