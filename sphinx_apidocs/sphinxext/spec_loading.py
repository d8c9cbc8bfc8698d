"""Loading the API spec for a build: fetch, build, keep a snapshot, fall back to it.

The spec comes from ``apidocs_spec`` (a URL, or a path relative to conf.py). After a
successful fetch from a URL the documents are saved to ``apidocs_snapshot``; when the
endpoint later fails, that last good copy is used with an ``apidocs.fetch`` warning. Any
other failure stops the build with :class:`SpecUnavailable` (one ``ERROR`` line, exit 2).

A spec of many documents (a multi-file layout, a long listing) shows Sphinx's own progress
(``status_iterator``) while its documents are read; ``apidocs_spec_root``,
``apidocs_max_documents`` and ``apidocs_max_spec_bytes`` reach the loader through
:class:`~sphinx_apidocs.spec.fetch.FetchOptions`.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable, Iterable

from sphinx.util.display import status_iterator

from sphinx_apidocs.errors import ApidocsError, FetchError, SpecError
from sphinx_apidocs.spec.fetch import Document, FetchOptions, is_url, redact_url
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.model import ApiSpec
from sphinx_apidocs.spec.snapshot import has_snapshot, reading, write_snapshot
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.sphinxext.config import ApidocsConfig
from sphinx_apidocs.sphinxext.audiences import AudienceFacts, BuildAudience
from sphinx_apidocs.sphinxext.build_cache import BuildCache, documents_key
from sphinx_apidocs.sphinxext.warnings import BuildStopped, Warn, logger, warn


class SpecUnavailable(BuildStopped):
    """The API spec cannot be loaded: the build stops with the loader's one-line message."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def fail(message: str, version: str = "") -> SpecUnavailable:
    """Log ``message`` as the build's one ``ERROR`` line (naming the API ``version`` of
    ``apidocs_versions`` it is about, if any); the exception to raise."""
    logger.error("cannot load the API spec%s: %s", f" of version {version!r}" if version else "", message)
    return SpecUnavailable(message)


def spec_source(config: ApidocsConfig, confdir: str | os.PathLike[str]) -> str:
    """The real spec source: a URL as written in conf.py, or a path made absolute."""
    return config.spec if is_url(config.spec) else os.path.normpath(os.path.join(confdir, config.spec))


#: A batch of at least this many documents shows progress (fewer are read in a blink).
PROGRESS_AT = 50


def progress(verbosity: int = 0) -> Callable[[Iterable[Document], int], Iterable[Document]]:
    """The loader's progress callback for a build: Sphinx's ``status_iterator`` over each
    large batch of documents (one line rewritten on a terminal, one line each otherwise)."""

    def show(documents: Iterable[Document], count: int) -> Iterable[Document]:
        if count < PROGRESS_AT:
            return documents
        return status_iterator(
            documents, "apidocs: reading spec documents... ", "darkgreen", count, verbosity,
            stringify_func=lambda document: document.location,
        )

    return show


def fetch_options(config: ApidocsConfig, confdir: str | os.PathLike[str], verbosity: int = 0) -> FetchOptions:
    """The loader's options from the settings (paths relative to conf.py)."""
    return FetchOptions(
        timeout=config.timeout,
        headers=dict(config.headers),
        deadline=config.deadline or None,
        max_documents=config.max_documents,
        max_spec_bytes=config.max_spec_bytes,
        spec_root=os.path.normpath(os.path.join(confdir, config.spec_root)) if config.spec_root else "",
        progress=progress(verbosity),
    )


def load_spec(
    config: ApidocsConfig,
    confdir: str | os.PathLike[str],
    verbosity: int = 0,
    cache: BuildCache | None = None,
    audience: BuildAudience | None = None,
    version: str = "",
) -> tuple[ApiSpec, AudienceFacts]:
    """Fetch and build the spec — the view of the build's ``audience`` — and what the build
    may know of the rest; fall back to the snapshot (with a warning) if fetching fails. With a
    ``cache``, the view built from the same bytes last time is reused (:mod:`.build_cache`)."""
    audience = audience or BuildAudience()
    source = spec_source(config, confdir)
    options = fetch_options(config, confdir, verbosity)
    snapshot = os.path.normpath(os.path.join(confdir, config.snapshot)) if config.snapshot else ""
    logger.info("apidocs: loading the API spec from %s", redact_url(source) if is_url(source) else source)
    try:
        with reading(source) as readable:  # a snapshot folder as the source: its current copy
            documents = load_documents(readable, options)
            loaded = _built(documents, cache, audience)
    except (FetchError, SpecError) as exc:
        # The endpoint is down or serves something broken: the last good copy, if any, wins.
        if snapshot and is_url(source) and has_snapshot(snapshot):
            problems = _said(exc, audience).splitlines()
            summary = problems[0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
            warn(Warn.FETCH, f"{summary}; using the last good copy in {snapshot}")
            return _load_snapshot(snapshot, dataclasses.replace(options, spec_root=""), audience, version)
        raise fail(_said(exc, audience), version) from None
    except ApidocsError as exc:  # a header ConfigError (an unset ${VAR}): a problem of conf.py
        raise fail(str(exc), version) from None
    if snapshot and is_url(source):
        if audience.narrowest:
            _save_snapshot(documents, snapshot)
        else:  # the documents hold every audience's items: only a build that sees them all keeps them
            logger.info(
                "apidocs: the snapshot in %s is not renewed by a build of audience %r (it would hold "
                "narrower audiences' items); a build of the narrowest audience renews it", snapshot, audience.audience,
            )
    return loaded


def _said(exc: ApidocsError, audience: BuildAudience) -> str:
    """The loader's message; a spec's problems (they may be located in an item of a narrower
    audience) only as a count in a build of a wider audience."""
    if isinstance(exc, SpecError) and not audience.narrowest and audience.order is not None:
        count = len(str(exc).splitlines()) or 1
        return f"the spec has {count} problem(s); a build of audience {audience.order.names[-1]!r} lists them"
    return str(exc)


def _built(documents: DocumentSet, cache: BuildCache | None, audience: BuildAudience) -> tuple[ApiSpec, AudienceFacts]:
    """The audience's view of ``build_spec(documents)``, or the same from the cache when the
    bytes, the reading code and the audience are the same. Only the view is ever cached."""
    if cache is None:
        return audience.shaped(build_spec(documents))
    key = documents_key(documents) + audience.key
    loaded = cache.spec(key)
    if not (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], ApiSpec) and isinstance(loaded[1], AudienceFacts)):
        loaded = audience.shaped(build_spec(documents))
        cache.store_spec(key, loaded)
    return loaded


def _load_snapshot(
    snapshot: str, options: FetchOptions, audience: BuildAudience, version: str = ""
) -> tuple[ApiSpec, AudienceFacts]:
    """The last good copy: the generation current when it is opened, read under a lock (a
    build saving a newer copy meanwhile can neither hide it nor delete it under us)."""
    try:
        with reading(snapshot) as generation:
            return audience.shaped(build_spec(load_documents(generation, options)))
    except ApidocsError as exc:
        raise fail(str(exc), version) from None


def _save_snapshot(documents: DocumentSet, snapshot: str) -> None:
    """Keep this build's documents as the last good copy; a folder that is not a snapshot
    folder (conf.py's own, ``"."``...) is never written into: a warning says why."""
    try:
        write_snapshot(documents, snapshot)
    except ApidocsError as exc:
        warn(Warn.FETCH, f"cannot save the spec snapshot: {exc}")
