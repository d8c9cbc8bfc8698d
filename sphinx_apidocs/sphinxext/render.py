"""Generated content in two steps: a skeleton at read time, the bodies at resolve time.

For large APIs. At *read* time a directive emits only what Sphinx needs from the document:
index entries, ``desc`` signatures with their targets (TOC, references, ``objects.inv``), the
author's own content, and an :class:`apidocs_body` placeholder. The bulky part — summary,
notes, tables of parameters, responses and output fields — is made on ``doctree-resolved``
(:func:`expand_placeholders`): composed once as plain content (:mod:`compose`), then written
by the builder's writer, its links resolved on the spot. Read-time transforms then have
nothing to walk through in it (smart quotes must not touch spec text anyway), and pickled
doctrees stay small: an 800-operation build runs several times faster and lighter than the
same tables written as reST.

HTML builders (``builder.format == "html"``) get each body as markup (:mod:`fasthtml`);
every other builder gets docutils nodes (:mod:`write_nodes`). **Spec text is data**: it is
never parsed as reST, so ``<script>``, ``.. raw::`` or ``.. include::`` in a note stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation
from sphinx.util.nodes import make_id

from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Resource
from sphinx_apidocs.sphinxext import compose, fasthtml, write_nodes
from sphinx_apidocs.sphinxext.compose import selection_example  # noqa: F401 - still importable from here
from sphinx_apidocs.sphinxext.content import Block
from sphinx_apidocs.sphinxext.links import Links, ObjectFinder
from sphinx_apidocs.sphinxext.state import BuildState, get_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

_ = get_translation("sphinx_apidocs")

#: HTML builders get the HTML writer's markup; ``False`` gives them the docutils nodes every
#: other builder gets. Private, for ``tests/test_content_parity.py`` only: it builds projects
#: both ways and requires byte-identical HTML and search index.
_FAST_HTML = True


class apidocs_body(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Placeholder for generated content; ``kind`` and ``name`` say what, filled on resolve."""


class ObjectRegistry(Protocol):
    """What the skeleton needs of the ``api`` domain: recording objects and what is shown."""

    def note_object(self, objtype: str, name: str, node_id: str, dispname: str, location: Any = None) -> None: ...

    def note_shown(self, docname: str, shown: dict[str, str]) -> None: ...


@dataclass
class RenderContext:
    """Read time: where the directive is, and what the document shows (for rebuilds)."""

    env: BuildEnvironment
    document: nodes.document
    state: BuildState
    domain: ObjectRegistry
    docname: str
    source: str = ""
    line: int | None = None
    no_index: bool = False
    shown: dict[str, str] = field(default_factory=dict)  # key -> fingerprint, for rebuilds

    def show(self, key: str) -> None:
        self.shown[key] = self.state.fingerprint(key)

    def located(self, node: nodes.Element) -> nodes.Element:
        node.source, node.line = self.source, self.line
        return node


# -- read time: skeletons ------------------------------------------------------------------


def placeholder(kind: str, name: str, **attributes: Any) -> apidocs_body:
    return apidocs_body("", kind=kind, name=name, **attributes)


def _desc(ctx: RenderContext, objtype: str) -> addnodes.desc:
    node = addnodes.desc(domain="api", objtype=objtype, desctype=objtype, classes=["api", objtype])
    node["no-index"] = node["noindex"] = ctx.no_index
    return node


def _signature(
    ctx: RenderContext, objtype: str, name: str, dispname: str, prefix: str,
    toc_parts: tuple[str, ...], toc_name: str, index_texts: Sequence[str],
    index: addnodes.index,
) -> addnodes.desc_signature:
    """A signature line; unless ``no_index``, also its target, domain object and index entries."""
    signode = addnodes.desc_signature("", "")
    ctx.located(signode)
    signode["_toc_parts"] = toc_parts if ctx.env.config.toc_object_entries else ()
    signode["_toc_name"] = toc_name if ctx.env.config.toc_object_entries else ""
    if not ctx.no_index:
        node_id = make_id(ctx.env, ctx.document, prefix, name)
        signode["ids"].append(node_id)
        ctx.document.note_explicit_target(signode)
        ctx.domain.note_object(objtype, name, node_id, dispname, location=signode)
        for text in index_texts:
            index["entries"].append(("single", text, node_id, "", None))
    return signode


def render_operation(ctx: RenderContext, op: Operation, extra: Sequence[nodes.Node] = ()) -> list[nodes.Node]:
    """Index entries, the signature (method and full path) and the operation's placeholder."""
    ctx.show(f"op:{op.nickname}")
    full_path = ctx.state.full_path(op)
    index = addnodes.index(entries=[])
    desc = _desc(ctx, "operation")
    signode = _signature(
        ctx, "operation", op.nickname, f"{op.method} {full_path}", "api-op",
        (op.resource_path, op.nickname), f"{op.method} {op.path}",
        [_("%s (API operation)") % op.nickname, _("%s %s (API operation)") % (op.method, full_path)],
        index,
    )
    method = op.method.upper()
    signode += addnodes.desc_annotation(method + " ", method + " ", classes=["api-method", f"api-method-{method.lower()}"])
    signode += addnodes.desc_name(full_path, full_path)
    desc += signode
    desc += addnodes.desc_content("", placeholder("operation", op.nickname), *extra)
    return [index, desc]


def render_model(ctx: RenderContext, resource: Resource, model: Model) -> list[nodes.Node]:
    index = addnodes.index(entries=[])
    desc = _desc(ctx, "model")
    qualified = f"{resource.resource_path}:{model.id}"
    signode = _signature(
        ctx, "model", qualified, model.id, "api-model", (resource.resource_path, model.id), model.id,
        [_("%s (API model)") % model.id], index,
    )
    signode += addnodes.desc_annotation(_("model") + " ", _("model") + " ")
    signode += addnodes.desc_name(model.id, model.id)
    desc += signode
    desc += addnodes.desc_content("", placeholder("model", model.id, resource=resource.resource_path))
    return [index, desc]


def render_resource(ctx: RenderContext, resource: Resource, *, models: bool = True, extra: Sequence[nodes.Node] = ()) -> list[nodes.Node]:
    """A resource: its description, every operation, then its models (link targets)."""
    ctx.show(f"res:{resource.resource_path}")
    index = addnodes.index(entries=[])
    desc = _desc(ctx, "resource")
    path = resource.resource_path
    signode = _signature(ctx, "resource", path, path, "api-res", (path,), path, [_("%s (API resource)") % path], index)
    signode += addnodes.desc_annotation(_("resource") + " ", _("resource") + " ")
    signode += addnodes.desc_name(path, path)
    desc += signode
    content = addnodes.desc_content("", placeholder("resource", path), *extra)
    seen: set[str] = set()
    for op in resource.operations:
        if op.nickname in seen or ctx.state.operations.get(op.nickname) is not op:
            continue  # a duplicate nickname: the spec warning names it; show the first only
        seen.add(op.nickname)
        content.extend(render_operation(ctx, op))
    if models and resource.models:
        label = _("Models")
        content += nodes.rubric(label, label, classes=["api-rubric", "api-models"])
        for model in resource.models.values():
            content.extend(render_model(ctx, resource, model))
    desc += content
    return [index, desc]


def render_overview(ctx: RenderContext, spec: ApiSpec, *, operations: bool = False) -> list[nodes.Node]:
    """The API's description and version, a table of resources (and of operations), linked."""
    ctx.show("spec")
    if operations:
        ctx.show("spec-ops")
    return [placeholder("overview", "", operations=operations)]


# -- resolve time: bodies -------------------------------------------------------------------


def body_content(state: BuildState, node: apidocs_body, field_selection: bool) -> tuple[Block, ...]:
    """The content of one placeholder (nothing if its object left the spec)."""
    kind, name = node["kind"], node["name"]
    if kind == "operation":
        op = state.operations.get(name)
        return compose.operation_body(op, state.field_rows(op), field_selection) if op is not None else ()
    if kind == "resource":
        resource = state.resources.get(name)
        return compose.resource_body(resource) if resource is not None else ()
    if kind == "model":
        resource = state.resources.get(node["resource"])
        model = resource.models.get(name) if resource is not None else None
        if model is None and resource is not None:
            model = resource.find_model(name)
        return compose.model_body(model, node["resource"]) if model is not None else ()
    if kind == "overview" and state.spec is not None:
        return compose.overview_body(state.spec, state.operations.values() if node.get("operations") else None)
    return ()


def expand_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: replace every placeholder with its generated content."""
    placeholders = list(doctree.findall(apidocs_body))
    if not placeholders:
        return
    state = get_state(app.env)
    links = Links(cast(ObjectFinder, app.env.get_domain("api")), app.builder, docname)
    write = fasthtml.write if _FAST_HTML and getattr(app.builder, "format", "") == "html" else write_nodes.write
    field_selection = app.config.apidocs_field_selection is True
    for node in placeholders:
        node.replace_self(write(body_content(state, node, field_selection), links))


def _skip(translator: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup_render(app: Sphinx) -> None:
    # Placeholders never reach a writer; should one (a builder without ``doctree-resolved``)
    # see it, it is skipped rather than failing the build.
    skip = (_skip, None)
    app.add_node(apidocs_body, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    # Markup, made for HTML builders only (see ``fasthtml``); any other writer skips it.
    app.add_node(
        fasthtml.apidocs_html, html=(fasthtml.visit_apidocs_html, None),
        latex=skip, text=skip, man=skip, texinfo=skip,
    )
    app.connect("doctree-resolved", expand_placeholders)
