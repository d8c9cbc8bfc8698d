"""The docutils writer: content (:mod:`content`) as standard docutils nodes, for every builder.

Only plain docutils nodes (paragraphs, literals, field lists, rubrics, tables) and Sphinx's
``reference`` nodes, so html, latex, text, man, texinfo and epub all render them. Spec text
goes into ``Text`` nodes as it is: nothing is parsed.

Generated content is built detached and inserted whole, so nodes are made the cheap way
(:data:`el`): an 800-operation API has some 300 000 of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util.nodes import make_refnode

from sphinx_apidocs.sphinxext import content

if TYPE_CHECKING:
    from sphinx_apidocs.sphinxext.links import Links


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

    def state(node: nodes.Element) -> dict[str, Any]:
        return {k: v for k, v in vars(node).items() if k != "children"}

    return state(checked) == state(fast) and checked.astext() == fast.astext()


#: ``cls(*children, **attributes)``, built the cheap way: the per-child bookkeeping of
#: ``Element.append`` (a document lookup to copy source and line) and the generic constructor
#: are skipped; descendants find their document through their parents. If a docutils version
#: initializes nodes differently, the plain constructor is used.
el: Callable[..., Any] = _el_fast if _same_shape() else _el_checked


class NodeWriter:
    """Writes the content of one document; links resolved for ``links.docname``."""

    def __init__(self, links: Links) -> None:
        self.links = links
        self._blocks: dict[type, Callable[[Any], nodes.Node]] = {
            content.Paragraph: self.paragraph,
            content.Rubric: self.rubric,
            content.FieldList: self.field_list,
            content.Table: self.table,
        }

    def blocks(self, items: Sequence[content.Block]) -> list[nodes.Node]:
        return [self._blocks[type(block)](block) for block in items]

    # -- inline runs

    def runs(self, items: Sequence[content.Inline]) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for run in items:
            if type(run) is content.Text:
                result.append(nodes.Text(run.text))
            elif type(run) is content.Code:
                result.append(el(nodes.literal, nodes.Text(run.text)))
            elif type(run) is content.Link:
                result.extend(self.link(run))
            elif type(run) is content.Strong:
                result.append(el(nodes.strong, nodes.Text(run.text)))
            else:  # a new run type must be written by both writers, never dropped
                raise TypeError(f"no docutils writer for {type(run).__name__}")
        return result

    def link(self, item: content.Link) -> list[nodes.Node]:
        """A ``reference`` as the domain's own roles make it; the runs alone if unresolved."""
        linked = self.runs(item.runs)
        target = self.links.target(item)
        if target is None:
            return linked
        return [make_refnode(self.links.builder, self.links.docname, target.docname, target.node_id, linked, target.title)]

    # -- blocks

    def paragraph(self, item: content.Paragraph) -> nodes.paragraph:
        if item.classes:
            return el(nodes.paragraph, *self.runs(item.runs), classes=list(item.classes))
        return el(nodes.paragraph, *self.runs(item.runs))

    def rubric(self, item: content.Rubric) -> nodes.rubric:
        return nodes.rubric(item.text, item.text, classes=list(item.classes))

    def field_list(self, item: content.FieldList) -> nodes.field_list:
        return el(nodes.field_list, *(
            el(nodes.field, el(nodes.field_name, nodes.Text(field.label)), el(nodes.field_body, el(nodes.paragraph, *self.runs(field.runs))))
            for field in item.fields
        ), classes=list(item.classes))

    def cell(self, cell: content.Cell) -> nodes.entry:
        return el(nodes.entry, *(self.paragraph(p) for p in cell))

    def table(self, item: content.Table) -> nodes.table:
        """A plain docutils table: every builder renders it; HTML gets the classes for styling."""
        head = el(nodes.row, *(el(nodes.entry, *([el(nodes.paragraph, nodes.Text(h))] if h else [])) for h in item.header))
        body = el(nodes.tbody, *(el(nodes.row, *(self.cell(c) for c in row)) for row in item.rows))
        colspecs = [el(nodes.colspec, colwidth=width) for width in item.widths]
        group = el(nodes.tgroup, *colspecs, el(nodes.thead, head), body, cols=len(item.header))
        return el(nodes.table, group, classes=list(item.classes))


def write(blocks: Sequence[content.Block], links: Links) -> list[nodes.Node]:
    """The nodes of ``blocks``, links resolved for ``links.docname``."""
    return NodeWriter(links).blocks(blocks)
