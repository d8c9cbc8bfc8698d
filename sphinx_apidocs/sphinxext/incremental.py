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
    the one of its API version; the targets are qualified with it, see ``links.qualify``)."""
    version = state.version
    return {(objtype, qualify(version, target), resource) for objtype, target, resource in _body_refs(state, node)} | (
        picker_refs(state, node) | removed_refs(state, node) if version else set()
    )


def removed_refs(state: BuildState, node: apidocs_body) -> set[Ref]:
    """``api:changes`` between versions links an operation removed since to the older version."""
    versions = state.versions
    if node["kind"] != "changes" or not node.get("versions") or versions is None or versions.history is None:
        return set()
    between = versions.history.between(node["since"], node["until"])
    older = versions.operations.get(node["since"], frozenset())
    removed = {change.operation for change in between.changes} - set(state.operations) if between is not None else set()
    return {("operation", qualify(node["since"], nickname), "") for nickname in removed if nickname in older}


def picker_refs(state: BuildState, node: apidocs_body) -> set[Ref]:
    """An operation's version picker links to the same operation in the other versions."""
    if node["kind"] != "operation" or state.versions is None:
        return set()
    return {("operation", qualify(other, node["name"]), "") for other in state.versions.having(node["name"]) if other != state.version}


def _body_refs(state: BuildState, node: apidocs_body) -> set[Ref]:
    kind, name = node["kind"], node["name"]
    if kind == "operation":
        op = state.operations.get(name)
        return operation_refs(op, state.callbacks_of(op)) if op is not None else set()
    if kind == "model":
        resource = state.resources.get(node["resource"])
        model = resource.find_model(name) if resource is not None else None
        if model is None:
            return set()
        return {("model", ref, node["resource"]) for ref in model_names(p.type for p in model.properties)}
    if kind == "changes" and node.get("versions"):
        versions = state.versions
        between = versions.history.between(node["since"], node["until"]) if versions and versions.history else None
        if between is None or versions is None:
            return set()
        changed = {change.operation for change in between.changes}
        return {("operation", nickname, "") for nickname in changed if nickname in state.operations}
    if kind in ("changelog", "changes") and state.history is not None:
        release = state.history.release(name) if kind == "changelog" else state.history.between(node["since"], node["until"])
        changed = {change.operation for change in release.changes} if release is not None else set()
        return {("operation", nickname, "") for nickname in changed if nickname in state.operations}
    if kind == "overview" and state.spec is not None:
        refs = {("resource", r.resource_path, "") for r in state.spec.resources}
        if node.get("operations"):
            refs |= {("operation", nickname, "") for nickname in state.operations}
        return refs
    return set()


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
