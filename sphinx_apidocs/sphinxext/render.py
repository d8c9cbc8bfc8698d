"""Docutils node builders for operations, resources, models and the spec overview.

Only standard docutils and Sphinx ``desc`` nodes, so every builder (html, latex, text, man,
epub...) renders them. **Spec text is data**: summaries, notes, descriptions and names become
``Text`` inside paragraphs (backticks become inline literals) and are never parsed as reST,
so ``<script>``, ``.. raw::`` or ``.. include::`` in a note stays inert text.

Rendering happens in two steps, for large APIs. At *read* time a directive emits only what
Sphinx needs from the document: index entries, ``desc`` signatures with their targets (TOC,
references, ``objects.inv``), the author's own content, and an :class:`apidocs_body`
placeholder. The bulky part — summary, notes, tables of parameters, responses and output
fields — is built on ``doctree-resolved`` (:func:`expand_placeholders`), with its references
resolved on the spot. Read-time transforms then have nothing to walk through in it (smart
quotes must not touch spec text anyway), and pickled doctrees stay small: an 800-operation
build runs several times faster and lighter than the same tables written as reST.

HTML builders (``builder.format == "html"``) get the tables — parameters, responses, output
fields, model properties — as one :class:`~sphinx_apidocs.sphinxext.fasthtml.apidocs_html`
node each: the escaped markup the docutils writer would have written, without the ~300 table
nodes per operation to build, write and index (see :mod:`fasthtml`). Every other builder
gets the docutils tables below; the ``*_markup`` helpers mirror their node builders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import get_translation
from sphinx.util.nodes import make_id, make_refnode

from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Parameter, Resource, TypeRef
from sphinx_apidocs.sphinxext import fasthtml
from sphinx_apidocs.sphinxext.fields import FieldRow, is_void
from sphinx_apidocs.sphinxext.state import get_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_apidocs.sphinxext.domain import ApiDomain
    from sphinx_apidocs.sphinxext.state import BuildState

_ = get_translation("sphinx_apidocs")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_BACKTICKS = re.compile(r"``(.+?)``|`([^`\n]+)`")


class apidocs_body(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Placeholder for generated content; ``kind`` and ``name`` say what, filled on resolve."""


@dataclass
class RenderContext:
    """Read time: where the directive is, and what the document shows (for rebuilds)."""

    env: BuildEnvironment
    document: nodes.document
    state: BuildState
    domain: ApiDomain
    docname: str
    source: str = ""
    line: int | None = None
    no_index: bool = False
    shown: dict[str, str] = field(default_factory=dict)  # key -> fingerprint, for rebuilds

    def show(self, key: str) -> None:
        self.shown[key] = self.state.fingerprint(key)

    def located(self, node: nodes.Node) -> nodes.Node:
        node.source, node.line = self.source, self.line
        return node


@dataclass
class ResolveContext:
    """Resolve time: builds references to the domain's objects directly."""

    state: BuildState
    domain: ApiDomain
    builder: Builder
    docname: str
    field_selection: bool = False  # ``apidocs_field_selection``
    html: bool = False  # an HTML builder: tables are written as markup (``fasthtml``)
    link_cache: dict[tuple[str, str, str], tuple[str, str] | None] = field(default_factory=dict)

    def ref(self, reftype: str, target: str, content: nodes.Node, resource: str = "") -> nodes.Node:
        """A reference to an ``api`` object, or ``content`` alone when it is not rendered."""
        objtype = {"op": "operation", "res": "resource", "model": "model"}[reftype]
        found = self.domain.find(objtype, target, resource)
        if found is None:
            return content
        name, (todoc, node_id, _disp) = found
        return make_refnode(self.builder, self.docname, todoc, node_id, content, f"{name} ({objtype})")

    def href(self, reftype: str, target: str, resource: str = "") -> tuple[str, str] | None:
        """``(href, title)`` of an ``api`` object, exactly as :meth:`ref` (``make_refnode``)
        would link it, for markup."""
        objtype = {"op": "operation", "res": "resource", "model": "model"}[reftype]
        found = self.domain.find(objtype, target, resource)
        if found is None:
            return None
        name, (todoc, node_id, _disp) = found
        title = f"{name} ({objtype})"
        if todoc == self.docname and node_id:
            return "#" + node_id, title
        uri = self.builder.get_relative_uri(self.docname, todoc)
        if node_id:
            uri += "#" + node_id
        return uri, title


# -- building nodes -------------------------------------------------------------------------


def _el_checked(cls: type[nodes.Element], *children: nodes.Node, **attributes: Any) -> Any:
    node = cls("", **attributes)
    for child in children:
        child.parent = node
    node.children.extend(children)
    return node


def _el_fast(cls: type[nodes.Element], *children: nodes.Node, **attributes: Any) -> Any:
    node = cls.__new__(cls)
    node.rawsource = ""
    node.children = list(children)
    node.attributes = {name: [] for name in cls.list_attributes}
    node.attributes.update(attributes)  # callers pass lower-case names and fresh lists
    if node.tagname is None:
        node.tagname = cls.__name__
    for child in children:
        child.parent = node
    return node


def _same_shape() -> bool:
    """Does ``_el_fast`` make the same instance state as the constructor?"""
    checked, fast = (f(nodes.entry, nodes.Text("x"), classes=["c"]) for f in (_el_checked, _el_fast))
    state = lambda node: {k: v for k, v in vars(node).items() if k != "children"}  # noqa: E731
    return state(checked) == state(fast) and checked.astext() == fast.astext()


#: ``cls(*children, **attributes)``, built the cheap way. Generated content is built detached
#: and inserted whole, so the per-child bookkeeping of ``Element.append`` (a document lookup
#: to copy source and line) and the generic constructor are skipped: descendants find their
#: document through their parents. Building the ~300 000 table nodes of an 800-operation API
#: takes a fraction of the time. If a docutils version initializes nodes differently, the
#: plain constructor is used.
el = _el_fast if _same_shape() else _el_checked


def text_paragraph(text: str, classes: Sequence[str] = ()) -> nodes.paragraph:
    return el(nodes.paragraph, nodes.Text(text), classes=list(classes)) if classes else el(nodes.paragraph, nodes.Text(text))


def literal(text: str) -> nodes.literal:
    return el(nodes.literal, nodes.Text(text))


# -- spec text ------------------------------------------------------------------------------


def inline_text(text: str) -> list[nodes.Node]:
    """Plain text, with ``backtick`` spans as inline literals; nothing else is interpreted."""
    if "`" not in text:
        return [nodes.Text(text)] if text else []
    result: list[nodes.Node] = []
    position = 0
    for match in _BACKTICKS.finditer(text):
        if match.start() > position:
            result.append(nodes.Text(text[position : match.start()]))
        result.append(literal(match.group(1) if match.group(1) is not None else match.group(2)))
        position = match.end()
    if position < len(text):
        result.append(nodes.Text(text[position:]))
    return result


def spec_paragraphs(text: str, classes: Sequence[str] = ()) -> list[nodes.paragraph]:
    """Spec text as paragraphs, split on blank lines."""
    text = text.strip()
    if "`" not in text and "\n" not in text:  # the common case, without the regexes
        return [text_paragraph(text, classes)] if text else []
    paragraphs = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        if chunk.strip():
            paragraphs.append(el(nodes.paragraph, *inline_text(chunk.strip()), classes=list(classes)))
    return paragraphs


# -- references -----------------------------------------------------------------------------


def type_nodes(ctx: ResolveContext, type_ref: TypeRef | None, resource: str) -> list[nodes.Node]:
    """``array[Milestone]`` / ``integer (int64)``, with model names linked to their model."""
    if type_ref is None:
        return []
    if type_ref.variants:  # ``Cat | Dog``: each alternative, not the model of their union
        result: list[nodes.Node] = []
        for variant in type_ref.variants:
            if result:
                result.append(nodes.Text(" | "))
            result.extend(type_nodes(ctx, variant, resource) or [nodes.Text("any")])
        return result
    if type_ref.ref:
        return [ctx.ref("model", type_ref.ref, nodes.Text(type_ref.ref), resource)]
    if type_ref.type == "array":
        inner = type_nodes(ctx, type_ref.items, resource) if type_ref.items else []
        return [nodes.Text("array["), *inner, nodes.Text("]")]
    text = type_ref.display()
    return [nodes.Text(text)] if text else []


def nullable_type_nodes(ctx: ResolveContext, type_ref: TypeRef | None, nullable: bool, resource: str) -> list[nodes.Node]:
    """The type, with `` | null`` when the value may be ``null`` (OpenAPI ``nullable``)."""
    result = type_nodes(ctx, type_ref, resource)
    if nullable:
        result.append(nodes.Text(" | null" if result else "null"))
    return result


def described(description: str, deprecated: bool = False) -> list[nodes.Node]:
    """A description cell; a deprecated item says so first."""
    result: list[nodes.Node] = list(spec_paragraphs(description))
    if deprecated:
        result.insert(0, el(nodes.paragraph, nodes.strong(_("Deprecated."), _("Deprecated.")), classes=["api-deprecated"]))
    return result


def model_nodes(ctx: ResolveContext, name: str | None, resource: str) -> list[nodes.Node]:
    return [ctx.ref("model", name, nodes.Text(name), resource)] if name else []


# -- tables ---------------------------------------------------------------------------------

def _entry(cell: Any) -> nodes.entry:
    if type(cell) is str:  # the common case first
        return el(nodes.entry, text_paragraph(cell)) if cell else el(nodes.entry)
    if cell is None or (isinstance(cell, (list, tuple)) and not cell):
        return el(nodes.entry)
    if not isinstance(cell, (nodes.Node, list, tuple)):  # a lazy translation
        return el(nodes.entry, text_paragraph(str(cell)))
    if isinstance(cell, nodes.Node):
        return el(nodes.entry, cell if _is_block(cell) else el(nodes.paragraph, cell))
    if all(_is_block(c) for c in cell):
        return el(nodes.entry, *cell)
    return el(nodes.entry, el(nodes.paragraph, *cell))


def _is_block(node: nodes.Node) -> bool:
    # ``reference`` is ``General`` (a ``Body``) *and* ``Inline``: it needs a paragraph.
    return isinstance(node, nodes.Body) and not isinstance(node, (nodes.Inline, nodes.Text))


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int], classes: Sequence[str]) -> nodes.table:
    """A plain docutils table (every builder renders it; HTML gets ``classes`` for styling)."""
    head = el(nodes.thead, el(nodes.row, *(_entry(str(h)) for h in header)))
    body = el(nodes.tbody, *(el(nodes.row, *(_entry(c) for c in row)) for row in rows))
    colspecs = [el(nodes.colspec, colwidth=width) for width in widths]
    group = el(nodes.tgroup, *colspecs, head, body, cols=len(header))
    return el(nodes.table, group, classes=["api-table", *classes])


def rubric(text: str, cls: str) -> nodes.rubric:
    return nodes.rubric(text, text, classes=["api-rubric", cls])


def field_list(items: Iterable[tuple[str, Sequence[nodes.Node]]]) -> nodes.field_list:
    return el(nodes.field_list, *(
        el(nodes.field, el(nodes.field_name, nodes.Text(name)), el(nodes.field_body, el(nodes.paragraph, *body)))
        for name, body in items
    ), classes=["api-fields"])


def literals(values: Iterable[Any]) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for value in values:
        if result:
            result.append(nodes.Text(", "))
        result.append(literal(_value_text(value)))
    return result


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def allowed_values(item: Parameter | Any) -> list[nodes.Node]:
    """Enum values and range limits of a parameter or property."""
    result: list[nodes.Node] = literals(item.enum)
    for limit in _limits(item):
        result.append(nodes.Text(("; " if result else "") + limit))
    return result


def _limits(item: Parameter | Any) -> list[str]:
    """The range and multiplicity of a parameter or property, as translated phrases."""
    low, high = item.minimum, item.maximum
    limits: list[str] = []
    if low is not None and high is not None:
        limits.append(_("from %s to %s") % (_value_text(low), _value_text(high)))
    elif low is not None:
        limits.append(_("at least %s") % _value_text(low))
    elif high is not None:
        limits.append(_("at most %s") % _value_text(high))
    if getattr(item, "allow_multiple", False):
        limits.append(_("several values allowed"))
    return limits


def allowed_values_markup(item: Parameter | Any) -> str:
    """:func:`allowed_values` as escaped HTML (``fasthtml``)."""
    result = fasthtml.value_codes(item.enum)
    for limit in _limits(item):
        result += ("; " if result else "") + fasthtml.esc(limit)
    return result


def described_markup(description: str, deprecated: bool = False) -> str:
    """:func:`described` as escaped HTML (``fasthtml``)."""
    result = fasthtml.paragraphs(description)
    if deprecated:
        result.insert(0, f'<p class="api-deprecated"><strong>{fasthtml.esc(_("Deprecated."))}</strong></p>')
    return fasthtml.blocks(result)


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
        content += rubric(_("Models"), "api-models")
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


def operation_body(ctx: ResolveContext, op: Operation) -> list[nodes.Node]:
    """Summary, notes, facts, then the parameters, responses and output fields tables."""
    resource = op.resource_path
    content: list[nodes.Node] = []
    if op.deprecated:
        content.append(nodes.paragraph("", "", nodes.strong(_("Deprecated."), _("Deprecated.")), classes=["api-deprecated"]))
    if op.summary:
        content.extend(spec_paragraphs(op.summary, ["api-summary"]))
    if op.notes:
        content.extend(spec_paragraphs(op.notes, ["api-notes"]))
    facts: list[tuple[str, Sequence[nodes.Node]]] = [(_("Nickname"), [literal(op.nickname)])]
    if op.scope:
        facts.append((_("Required scope"), [literal(op.scope)]))
    returns = type_nodes(ctx, op.response_type, resource) if not is_void(op.response_type) else [nodes.Text(_("nothing"))]
    facts.append((_("Returns"), returns))
    if op.consumes:
        facts.append((_("Consumes"), literals(op.consumes)))
    if op.produces:
        facts.append((_("Produces"), literals(op.produces)))
    content.append(field_list(facts))

    if op.parameters:
        content.append(rubric(_("Parameters"), "api-parameters"))
        content.append(table(
            [_("Name"), _("Located in"), _("Type"), _("Required"), _("Default"), _("Allowed values"), _("Description")],
            (
                [
                    literal(p.name),
                    p.location,
                    nullable_type_nodes(ctx, p.type, p.nullable, resource),
                    _("yes") if p.required else _("no"),
                    [] if p.default is None else literals([p.default]),
                    allowed_values(p),
                    described(p.description, p.deprecated),
                ]
                for p in op.parameters
            ),
            [14, 8, 12, 7, 8, 16, 35],
            ["api-parameters"],
        ))
    if op.response_messages:
        content.append(rubric(_("Response messages"), "api-responses"))
        content.append(table(
            [_("Code"), _("Message"), _("Model")],
            (
                [
                    str(m.code),
                    inline_text(m.message),
                    type_nodes(ctx, m.type, resource) if m.type is not None else model_nodes(ctx, m.model, resource),
                ]
                for m in op.response_messages
            ),
            [8, 60, 32],
            ["api-responses"],
        ))
    rows = ctx.state.field_rows(op)
    if rows is not None:
        content.append(rubric(_("Possible output fields"), "api-output-fields"))
        if rows and ctx.field_selection:
            content.append(field_selection_note(rows))
        if rows:
            content.append(output_fields_table(ctx, rows, resource))
        else:
            text = _("None: the output filter passes no field.")
            content.append(text_paragraph(text))
    return content


def operation_body_markup(ctx: ResolveContext, op: Operation) -> list[nodes.Node]:
    """:func:`operation_body` for HTML builders: the same content as one markup node."""
    resource = op.resource_path
    parts: list[str] = []
    if op.deprecated:
        parts.append(f'<p class="api-deprecated"><strong>{fasthtml.esc(_("Deprecated."))}</strong></p>\n')
    if op.summary:
        parts.append(fasthtml.classed_paragraphs(op.summary, "api-summary"))
    if op.notes:
        parts.append(fasthtml.classed_paragraphs(op.notes, "api-notes"))
    facts: list[tuple[str, str]] = [(_("Nickname"), fasthtml.code(op.nickname))]
    if op.scope:
        facts.append((_("Required scope"), fasthtml.code(op.scope)))
    returns = fasthtml.type_markup(ctx, op.response_type, resource) if not is_void(op.response_type) else fasthtml.esc(_("nothing"))
    facts.append((_("Returns"), returns))
    if op.consumes:
        facts.append((_("Consumes"), fasthtml.value_codes(op.consumes)))
    if op.produces:
        facts.append((_("Produces"), fasthtml.value_codes(op.produces)))
    parts.append(fasthtml.field_list(facts))

    if op.parameters:
        parts.append(fasthtml.rubric(_("Parameters"), "api-parameters"))
        parts.append(fasthtml.table_markup(
            [_("Name"), _("Located in"), _("Type"), _("Required"), _("Default"), _("Allowed values"), _("Description")],
            (
                [
                    fasthtml.para(fasthtml.code(p.name)),
                    fasthtml.para(fasthtml.esc(p.location)),
                    fasthtml.para(fasthtml.nullable_type(ctx, p.type, p.nullable, resource)),
                    fasthtml.para(fasthtml.esc(_("yes") if p.required else _("no"))),
                    "" if p.default is None else fasthtml.para(fasthtml.value_codes([p.default])),
                    fasthtml.para(allowed_values_markup(p)),
                    described_markup(p.description, p.deprecated),
                ]
                for p in op.parameters
            ),
            ["api-parameters"],
        ))
    if op.response_messages:
        parts.append(fasthtml.rubric(_("Response messages"), "api-responses"))
        parts.append(fasthtml.table_markup(
            [_("Code"), _("Message"), _("Model")],
            (
                [
                    fasthtml.para(fasthtml.esc(m.code)),
                    fasthtml.para(fasthtml.inline(m.message)),
                    fasthtml.para(
                        fasthtml.type_markup(ctx, m.type, resource) if m.type is not None
                        else fasthtml.link(ctx, "model", m.model, fasthtml.esc(m.model), resource) if m.model else ""
                    ),
                ]
                for m in op.response_messages
            ),
            ["api-responses"],
        ))
    rows = ctx.state.field_rows(op)
    if rows is not None:
        parts.append(fasthtml.rubric(_("Possible output fields"), "api-output-fields"))
        if rows and ctx.field_selection:
            parts.append(f'<p class="api-field-selection">{field_selection_markup(rows)}</p>\n')
        if rows:
            parts.append(output_fields_markup(ctx, rows, resource))
        else:
            parts.append(f'<p>{fasthtml.esc(_("None: the output filter passes no field."))}</p>\n')
    return [fasthtml.block("".join(parts))]


def selection_example(paths: Sequence[str]) -> str:
    """``?fields=a.b,c`` from the first one or two paths, written as a request writes them:
    as in filter files (``app\\.version``), with ``\\,`` for a literal comma in a name."""
    return "?fields=" + ",".join(path.replace(",", "\\,") for path in paths[:2])


def _selection_parts(rows: Sequence[FieldRow]) -> list[tuple[bool, str]]:
    """The note on field selection, one translatable sentence: ``(is_literal, text)`` parts."""
    message = _("Supports field selection: add %(parameter)s with a comma-separated list of the paths below, e.g. %(example)s.")
    values = {"parameter": "fields=", "example": selection_example([r.path for r in rows])}
    parts: list[tuple[bool, str]] = []
    # One translatable sentence; its placeholders become inline literals wherever a
    # translation puts them.
    for index, part in enumerate(re.split(r"%\((parameter|example)\)s", str(message))):
        if index % 2:
            parts.append((True, values[part]))
        elif part:
            parts.append((False, part.replace("%%", "%")))
    return parts


def field_selection_note(rows: Sequence[FieldRow]) -> nodes.paragraph:
    """The note on field selection, with inline literals."""
    children = [literal(text) if is_literal else nodes.Text(text) for is_literal, text in _selection_parts(rows)]
    return el(nodes.paragraph, *children, classes=["api-field-selection"])


def field_selection_markup(rows: Sequence[FieldRow]) -> str:
    return "".join(fasthtml.code(text) if is_literal else fasthtml.esc(text) for is_literal, text in _selection_parts(rows))


def output_fields_markup(ctx: ResolveContext, rows: Sequence[FieldRow], resource: str) -> str:
    return fasthtml.table_markup(
        [_("Field"), _("Type"), _("Description")],
        (
            [
                fasthtml.para(fasthtml.code(r.path)),
                fasthtml.para(fasthtml.type_markup(ctx, r.type, resource)),
                fasthtml.blocks(fasthtml.paragraphs(r.description)),
            ]
            for r in rows
        ),
        ["api-output-fields"],
    )


def output_fields_table(ctx: ResolveContext, rows: Sequence[FieldRow], resource: str) -> nodes.table:
    return table(
        [_("Field"), _("Type"), _("Description")],
        ([literal(r.path), type_nodes(ctx, r.type, resource), spec_paragraphs(r.description)] for r in rows),
        [30, 20, 50],
        ["api-output-fields"],
    )


def model_body(ctx: ResolveContext, resource_path: str, model: Model) -> list[nodes.Node]:
    content: list[nodes.Node] = list(spec_paragraphs(model.description))
    if model.properties and ctx.html:
        required = set(model.required)
        markup_rows = []
        for prop in model.properties:
            cell = fasthtml.paragraphs(prop.description)
            allowed = allowed_values_markup(prop)
            if allowed:
                cell.append(f"<p>{fasthtml.esc(_('Allowed values: '))}{allowed}</p>")
            markup_rows.append([
                fasthtml.para(fasthtml.code(prop.name)),
                fasthtml.para(fasthtml.nullable_type(ctx, prop.type, prop.nullable, resource_path)),
                fasthtml.para(fasthtml.esc(_("yes") if prop.required or prop.name in required else _("no"))),
                fasthtml.blocks(cell),
            ])
        content.append(fasthtml.table([_("Field"), _("Type"), _("Required"), _("Description")], markup_rows, ["api-model"]))
    elif model.properties:
        required = set(model.required)
        rows = []
        for prop in model.properties:
            description: list[nodes.Node] = list(spec_paragraphs(prop.description))
            allowed = allowed_values(prop)
            if allowed:
                description.append(el(nodes.paragraph, nodes.Text(_("Allowed values: ")), *allowed))
            rows.append([
                literal(prop.name),
                nullable_type_nodes(ctx, prop.type, prop.nullable, resource_path),
                _("yes") if prop.required or prop.name in required else _("no"),
                description,
            ])
        content.append(table([_("Field"), _("Type"), _("Required"), _("Description")], rows, [20, 20, 10, 50], ["api-model"]))
    return content


def resource_body(ctx: ResolveContext, resource: Resource) -> list[nodes.Node]:
    content: list[nodes.Node] = list(spec_paragraphs(resource.description))
    if resource.base_path:
        content.append(field_list([(_("Base path"), [nodes.literal(resource.base_path, resource.base_path)])]))
    return content


def overview_body(ctx: ResolveContext, spec: ApiSpec, operations: bool) -> list[nodes.Node]:
    result: list[nodes.Node] = list(spec_paragraphs(spec.info.description, ["api-description"]))
    facts = []
    if spec.info.version:
        facts.append((_("API version"), [nodes.literal(spec.info.version, spec.info.version)]))
    if spec.swagger_version:
        facts.append((_("Specification"), [nodes.Text(spec.format_label)]))
    if facts:
        result.append(field_list(facts))
    rows = []
    for resource in spec.resources:
        path = resource.resource_path
        link = ctx.ref("res", path, nodes.literal(path, path))
        rows.append([link, spec_paragraphs(resource.description), str(sum(1 for _op in resource.operations))])
    result.append(table([_("Resource"), _("Description"), _("Operations")], rows, [25, 60, 15], ["api-resources"]))
    if operations:
        op_rows = []
        for op in ctx.state.operations.values():
            link = ctx.ref("op", op.nickname, nodes.literal(op.nickname, op.nickname))
            op_rows.append([link, f"{op.method} {op.path}", inline_text(op.summary)])
        result.append(rubric(_("Operations"), "api-operations"))
        result.append(table([_("Operation"), _("Method and path"), _("Summary")], op_rows, [25, 35, 40], ["api-operations"]))
    return result


def body_for(ctx: ResolveContext, node: apidocs_body) -> list[nodes.Node]:
    """The generated nodes for one placeholder (nothing if its object left the spec)."""
    state = ctx.state
    kind, name = node["kind"], node["name"]
    if kind == "operation":
        op = state.operations.get(name)
        if op is None:
            return []
        return operation_body_markup(ctx, op) if ctx.html else operation_body(ctx, op)
    if kind == "resource":
        resource = state.resources.get(name)
        return resource_body(ctx, resource) if resource is not None else []
    if kind == "model":
        resource = state.resources.get(node["resource"])
        model = resource.models.get(name) if resource is not None else None
        if model is None and resource is not None:
            model = resource.find_model(name)
        return model_body(ctx, node["resource"], model) if model is not None else []
    if kind == "overview" and state.spec is not None:
        return overview_body(ctx, state.spec, bool(node.get("operations")))
    return []


def expand_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: replace every placeholder with its generated content."""
    placeholders = list(doctree.findall(apidocs_body))
    if not placeholders:
        return
    ctx = ResolveContext(
        get_state(app.env), app.env.get_domain("api"), app.builder, docname,  # type: ignore[arg-type]
        field_selection=app.config.apidocs_field_selection is True,
        html=getattr(app.builder, "format", "") == "html",
    )
    for node in placeholders:
        node.replace_self(body_for(ctx, node))


def _skip(translator: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup_render(app: Sphinx) -> None:
    # Placeholders never reach a writer; should one (a builder without ``doctree-resolved``)
    # see it, it is skipped rather than failing the build.
    skip = (_skip, None)
    app.add_node(apidocs_body, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    # Table markup, made for HTML builders only (see ``fasthtml``); any other writer skips it.
    app.add_node(
        fasthtml.apidocs_html, html=(fasthtml.visit_apidocs_html, None),
        latex=skip, text=skip, man=skip, texinfo=skip,
    )
    app.connect("doctree-resolved", expand_placeholders)
