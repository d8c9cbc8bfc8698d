"""Rebuilds without ``-E``: re-read exactly the documents whose API content changed, and write
again the documents whose links now point elsewhere.

**Re-reading.** Every directive records, per document, a fingerprint of what it rendered (the
operation's normalized data, the models its output fields come from, its filter paths...).
The spec and filters of *this* build are loaded before Sphinx decides what to read, so
comparing those fingerprints tells which documents show a changed operation, resource or
overview — whether the change came from an edited filter file or from the live endpoint.
Unchanged inputs re-read nothing.

**Writing again.** Links are resolved when a page is written, against the objects described
anywhere in the project; Sphinx writes the documents it re-read, not the documents that link
to what those documents describe. So when a description appears, disappears or moves (a
``:no-index:`` added to one of two descriptions, a directive moved to another page, a model
moving to the models page), a page linking to it would keep a dead or stale link, and its
"undefined API operation" warning, until a build with ``-E``. Each document therefore
records the references its links make (``doctree-read``: the ``api`` roles and ``:any:``,
and the links its generated bodies will make); after reading (``env-get-updated``) every
document whose references now resolve differently from when it was last written is written
again. With the link targets chosen independently of the reading order (``ApiDomain.objects``)
and duplicates reported from the domain data once per build (``ApiDomain.check_consistency``),
an incremental build gives the pages and the warnings of a fresh one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from docutils import nodes
from sphinx import addnodes

from sphinx_apidocs.spec.model import Operation, TypeRef
from sphinx_apidocs.sphinxext.domain import ApiDomain
from sphinx_apidocs.sphinxext.render import apidocs_body
from sphinx_apidocs.sphinxext.links import qualify
from sphinx_apidocs.sphinxext.state import BuildState, get_state, get_states
from sphinx_apidocs.sphinxext.warnings import logger

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

Ref = tuple[str, str, str]  # (objtype or "any", target, referring resource)


def outdated_documents(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: documents whose recorded fingerprints differ from this build's."""
    states = get_states(env)
    domain = cast(ApiDomain, env.get_domain("api"))
    stale: list[str] = []
    for docname, shown in sorted(domain.shown.items()):
        if docname in removed or docname in changed:
            continue
        if any(states.fingerprint(key) != fingerprint for key, fingerprint in shown.items()):
            stale.append(docname)
    if stale:
        logger.info("apidocs: %d document(s) show changed API content: %s", len(stale), ", ".join(stale))
    return stale


def model_names(types: Iterable[TypeRef | None]) -> Iterator[str]:
    """The models ``types`` link to (through array items and variants), as ``compose`` does."""
    stack = [t for t in types if t is not None]
    while stack:
        type_ref = stack.pop()
        if type_ref.ref:
            yield type_ref.ref
        if type_ref.items is not None:
            stack.append(type_ref.items)
        stack.extend(type_ref.variants)


def operation_refs(op: Operation, callbacks: Iterable[Operation] = ()) -> set[Ref]:
    """The models an operation's body links to, its parent (a callback) and its callbacks."""
    types = [op.response_type, *(p.type for p in op.parameters), *(m.type for m in op.response_messages)]
    names = set(model_names(types)) | {m.model for m in op.response_messages if m.type is None and m.model}
    refs: set[Ref] = {("model", name, op.resource_path) for name in names}
    if op.kind == "callback" and op.parent:
        refs.add(("operation", op.parent, ""))
    refs |= {("operation", callback.nickname, "") for callback in callbacks}
    return refs


def body_refs(state: BuildState, node: apidocs_body) -> set[Ref]:
    """The references the generated body of ``node`` will make when it is written (``state``:
    the one of its API version; targets are qualified with their version, ``links.qualify``)."""
    return {
        (objtype, qualify(state.version if version is None else version, target), resource)
        for objtype, target, resource, version in _body_refs(state, node)
    }


def _body_refs(state: BuildState, node: apidocs_body) -> set[tuple[str, str, str, str | None]]:
    """``(objtype, target, resource, version)``: ``version`` ``None`` is the body's own, as in
    ``content.Link``."""
    kind, name = node["kind"], node["name"]
    versions = state.versions if state.version else None  # pickers and changes between versions
    if kind == "operation":
        op = state.operations.get(name)
        if op is None:
            return set()
        others = versions.having(name) if versions is not None else ()
        return own(operation_refs(op, state.callbacks_of(op))) | {
            ("operation", name, "", other) for other in others if other != state.version  # the picker
        }
    if kind == "model":
        resource = state.resources.get(node["resource"])
        model = resource.find_model(name) if resource is not None else None
        if model is None:
            return set()
        return own({("model", ref, node["resource"]) for ref in model_names(p.type for p in model.properties)})
    if kind == "changes" and node.get("versions"):
        since = node["since"]
        between = versions.between(since, node["until"]) if versions is not None else None
        if versions is None or between is None:
            return set()
        older = versions.operations.get(since, frozenset())
        changed = {change.operation for change in between.changes}
        # As ``changelog_content.release_body`` links: to this version, else (removed since) the older one.
        return {("operation", nick, "", None if nick in state.operations else since) for nick in changed if nick in state.operations or nick in older}
    if kind in ("changelog", "changes") and state.history is not None:
        release = state.history.release(name) if kind == "changelog" else state.history.between(node["since"], node["until"])
        changed = {change.operation for change in release.changes} if release is not None else set()
        return own({("operation", nickname, "") for nickname in changed if nickname in state.operations})
    if kind == "overview" and state.spec is not None:
        refs = {("resource", r.resource_path, "") for r in state.spec.resources}
        if node.get("operations"):
            refs |= {("operation", nickname, "") for nickname in state.operations}
        return own(refs)
    return set()


def own(refs: set[Ref]) -> set[tuple[str, str, str, str | None]]:
    """``refs`` in the body's own version."""
    return {(objtype, target, resource, None) for objtype, target, resource in refs}


def note_references(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: record the references the document's links make."""
    env = app.env
    domain = cast(ApiDomain, env.get_domain("api"))
    refs: set[Ref] = set()
    for xref in doctree.findall(addnodes.pending_xref):
        target = xref.get("reftarget", "")
        if xref.get("refdomain") == "api":
            for objtype in domain.objtypes_for_role(xref.get("reftype", "")) or ():
                refs.add((objtype, target, xref.get("api:resource", "")))
        elif xref.get("reftype") == "any":
            refs.add(("any", target, xref.get("api:resource", "")))
    for node in doctree.findall(apidocs_body):
        refs |= body_refs(get_state(env, node.get("version")), node)
    domain.note_refs(env.docname, refs)


def relinked_documents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: documents whose links now point elsewhere (to be written again)."""
    domain = cast(ApiDomain, env.get_domain("api"))
    relinked: list[str] = []
    for docname, refs in sorted(domain.refs.items()):
        digest = domain.reference_digest(refs)
        if domain.resolved.get(docname) != digest:
            domain.resolved[docname] = digest
            relinked.append(docname)
    return relinked


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-get-outdated", outdated_documents)
    app.connect("doctree-read", note_references)
    app.connect("env-get-updated", relinked_documents)
