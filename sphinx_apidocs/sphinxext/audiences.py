"""The audience of a build (``apidocs_audiences``, ``apidocs_default_audience``,
``apidocs_audience``): which view of the spec and which filter folders it reads.

The order comes from ``apidocs_audiences``, else from the ``audiences.yaml`` of the first
filter folder. With neither, unmarked items are shown and marked ones are not (fail closed: a
mark nobody configured must not leak); the build says how many it left out. With an order, the build's audience (the widest
unless ``apidocs_audience`` says otherwise) reads :func:`~sphinx_apidocs.spec.audience.audience_view`
of the spec — before anything is cached, rendered or pickled — and the filter folders that
audience sees. Messages that would name an item of a narrower audience are not written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from dataclasses import dataclass, field

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import audience_order
from sphinx_apidocs.spec.audience import AudienceOrder, audience_view, operation_audiences, unknown_marks
from sphinx_apidocs.spec.model import ApiSpec
from sphinx_apidocs.sphinxext.config import ApidocsConfig
from sphinx_apidocs.sphinxext.warnings import BuildStopped, Warn, logger, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx


#: The one audience of a build without an order: every mark is unknown to it.
_UNMARKED = "\0unmarked"


@dataclass(frozen=True)
class AudienceFacts:
    """What a build may know of the whole spec: problems with its marks (only for a build
    that sees every audience), the audience of each operation it sees, and (without an order)
    how many operations its marks left out)."""

    marks: tuple[str, ...] = ()
    audiences: Mapping[str, str] = field(default_factory=dict)
    marked: tuple[str, ...] = ()


class AudienceUnusable(BuildStopped):
    """The audience settings cannot be used: one ``ERROR`` line, the build stops."""


@dataclass(frozen=True)
class BuildAudience:
    """The build's audience and order (``order`` ``None``: no audiences)."""

    order: AudienceOrder | None = None
    audience: str = ""

    @property
    def key(self) -> str:
        """For caches: a view of another audience or order is another spec."""
        if self.order is None:
            return ""
        return repr((self.audience, self.order.names, self.order.default))

    @property
    def narrowest(self) -> bool:
        """Does this build see every audience (so that it may name any item)?"""
        return self.order is None or self.audience == self.order.names[-1]

    def shaped(self, full: ApiSpec) -> tuple[ApiSpec, AudienceFacts]:
        """The view this build reads, and what it may know of the whole spec (nothing that
        names an item it cannot see: this is cached beside the doctrees)."""
        if self.order is None:
            marked = sorted({mark for op in full.operations for mark in op.audiences})
            marked_props = any(p.audiences for r in full.resources for m in r.models.values() for p in m.properties)
            if not marked and not marked_props:
                return full, AudienceFacts()
            view = audience_view(full, _UNMARKED, AudienceOrder((_UNMARKED,)))
            hidden = sum(1 for _ in full.operations) - sum(1 for _ in view.operations)
            return view, AudienceFacts(marked=(str(hidden),))
        view = audience_view(full, self.audience, self.order)
        visible = {op.nickname for op in view.operations}
        audiences = {nick: aud for nick, aud in operation_audiences(full, self.order).items() if nick in visible}
        marks = tuple(unknown_marks(full, self.order)) if self.narrowest else ()
        return view, AudienceFacts(marks, audiences)

    def filter_args(self) -> dict[str, object]:
        """Keyword arguments of ``load_filter_trees``/``audience_layers`` for this build."""
        if self.order is None:
            return {}
        return {"audience": self.audience, "audiences": list(self.order.names)}


def build_audience(config: ApidocsConfig, confdir: str | os.PathLike[str]) -> BuildAudience:
    """The audience of the build from the settings (and the filter folder's ``audiences.yaml``)."""
    names: Sequence[str] = config.audiences
    folders = [os.path.normpath(os.path.join(confdir, path)) for path in config.filters]
    try:
        if not names and folders:
            names = audience_order(folders)
        if not names:
            if config.audience or config.default_audience:
                raise ApidocsError("apidocs_audience and apidocs_default_audience need apidocs_audiences (or an audiences.yaml in the filter folder)")
            return BuildAudience()
        order = AudienceOrder(tuple(names), config.default_audience)
        audience = config.audience or order.widest
        order.rank(audience)
    except ApidocsError as exc:
        message = f"audiences: {exc}"
        logger.error("%s", message)
        raise AudienceUnusable([message]) from None
    return BuildAudience(order, audience)


MARKER = ".apidocs-audience"


def claim_folders(build: BuildAudience, folders: Sequence[str]) -> None:
    """A folder written by a build of one audience is never reused by another: the pages,
    sources, doctrees and search terms of the earlier build would stay beside the new ones.
    The doctree folder (Sphinx's own record of what the output holds) keeps the audience key
    of its builds in a dotfile; another key stops the build with one line (nothing is
    deleted)."""
    if build.order is None and not any(os.path.exists(os.path.join(f, MARKER)) for f in folders):
        return
    key = build.key or "(no audiences)"
    for folder in folders:
        marker = os.path.join(folder, MARKER)
        try:
            with open(marker, encoding="utf-8") as handle:
                found = handle.read()
        except FileNotFoundError:
            found = None
        except OSError:
            continue
        if found is not None and found != key:
            message = (
                f"audiences: {folder} holds a build of another audience or order; build audience "
                f"{build.audience or '(none)'!r} into folders of its own (or delete that one)"
            )
            logger.error("%s", message)
            raise AudienceUnusable([message])
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, MARKER), "w", encoding="utf-8") as handle:
                handle.write(key)
        except OSError:
            continue


def report_marks(facts: AudienceFacts, build: BuildAudience) -> None:
    """Marks the order does not know (such items are hidden from everyone; named only by a
    build that sees every audience), or marks without an order."""
    if build.order is None:
        if facts.marked:
            logger.info(
                "apidocs: items marked for an audience are not shown (%s operation(s)): set "
                "apidocs_audiences (or write an audiences.yaml in the filter folder) to document them",
                facts.marked[0],
            )
        return
    for problem in facts.marks:
        warn(Warn.AUDIENCE, f"{problem} is no audience of {list(build.order.names)!r}: the item is shown to no one")


def misplaced_filters(facts: AudienceFacts, build: BuildAudience, layers: Mapping[str, str]) -> list[str]:
    """``layers``: nickname -> the audience layer its filter (first) comes from. A filter in a
    layer wider than its operation's audience whitelists fields for readers who cannot see the
    operation; named only when this build sees the operation."""
    if build.order is None:
        return []
    audiences = facts.audiences
    found = []
    for nickname, layer in layers.items():
        audience = audiences.get(nickname)
        if not audience or not layer or layer not in build.order.names:
            continue
        if build.order.rank(layer) < build.order.rank(audience) <= build.order.rank(build.audience):
            found.append(
                f"the filter of {nickname!r} is in the folder of {layer!r}, an audience that cannot see "
                f"the operation ({audience!r}): move it to the {audience!r} folder"
            )
    return found


def purge_output(app: Sphinx, removed_pages: Sequence[str]) -> None:
    """In a build with audiences, what an earlier build left that this one no longer shows is
    removed — the output, source copy and doctree of the generated pages removed in this
    build, and the search terms no page uses any more (Sphinx keeps a term whose pages are
    gone, with an empty list: the words of an item that moved to a narrower audience would
    stay in ``searchindex.js``)."""
    builder = app.builder
    for docname in removed_pages:
        places = [os.path.join(str(app.doctreedir), f"{docname}.doctree")]
        outfile = getattr(builder, "get_outfilename", None)
        if outfile is not None:
            places.append(str(outfile(docname)))
            suffix = str(getattr(app.config, "html_sourcelink_suffix", ".txt"))
            places.append(os.path.join(str(app.outdir), "_sources", f"{docname}.rst{suffix}"))
        for place in places:
            try:
                os.remove(place)
            except FileNotFoundError:
                pass
    index = os.path.join(str(app.outdir), str(getattr(builder, "searchindex_filename", "")))
    if getattr(builder, "searchindex_filename", "") and os.path.isfile(index):
        _prune_search_index(index)


def _prune_search_index(path: str) -> None:
    import json

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, tail = "Search.setIndex(", ")"
    if not (text.startswith(head) and text.rstrip().endswith(tail)):
        return
    data = json.loads(text[len(head):text.rstrip().rindex(tail)])
    changed = False
    for section in ("terms", "titleterms"):
        terms = data.get(section)
        if isinstance(terms, dict):
            empty = [term for term, postings in terms.items() if postings in ([], {})]
            for term in empty:
                del terms[term]
            changed = changed or bool(empty)
    if changed:
        temporary = path + ".apidocs.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(head + json.dumps(data, separators=(",", ":"), sort_keys=True) + tail)
        os.replace(temporary, path)
