"""The docutils writer: content (:mod:`content`) as standard docutils nodes, for every builder.

Only plain docutils nodes (paragraphs, literals, emphasis, external and internal ``reference``
nodes, lists, line blocks, literal blocks, field lists, rubrics, tables), so html, latex,
text, man, texinfo and epub all render them. Spec text goes into ``Text`` nodes (and literal
blocks) as it is: nothing is parsed here.

Tables get column widths from their content (:func:`column_widths`): the text builder takes
them as character widths, so a column is at least as wide as its longest word; LaTeX gets
them as given widths (``colwidths-given``: ``p`` columns that wrap long names) instead of
tabulary's guesses.

Generated content is built detached and inserted whole, so nodes are made the cheap way
(:data:`el`): an 800-operation API has some 300 000 of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util.nodes import make_refnode
from sphinx.writers.text import MAXWIDTH, column_width

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


#: Every character ``str.splitlines`` breaks on, made a space outside code blocks (for
#: builders that are not HTML): a line break inside a paragraph is just a space there, and in
#: a man page a line that starts with ``.`` is a request (``\n.so FILE``).
_LINE_BREAKS = str.maketrans(dict.fromkeys("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "))


def writable(text: str) -> str:
    """``text`` as every output encoding can write it: a lone surrogate (valid in a JSON
    string escape, not in UTF-8) becomes U+FFFD instead of failing the build."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _html_text(text: str) -> nodes.Text:
    return nodes.Text(text)


def _line_text(text: str) -> nodes.Text:
    return nodes.Text(writable(text).translate(_LINE_BREAKS))


class NodeWriter:
    """Writes the content of one document; links resolved for ``links.docname``."""

    def __init__(self, links: Links) -> None:
        self.links = links
        # HTML writers escape and encode everything themselves (and the parity test holds
        # these nodes to the HTML writer's bytes); other builders get one-line, encodable text.
        self.html = getattr(links.builder, "format", "") == "html"
        self.text = _html_text if self.html else _line_text
        self._blocks: dict[type, Callable[[Any], nodes.Node]] = {
            content.Paragraph: self.paragraph,
            content.Rubric: self.rubric,
            content.FieldList: self.field_list,
            content.Table: self.table,
            content.LineBlock: self.line_block,
            content.BulletList: self.bullet_list,
            content.CodeBlock: self.code_block,
        }

    def blocks(self, items: Sequence[content.Block]) -> list[nodes.Node]:
        return [self._blocks[type(block)](block) for block in items]

    # -- inline runs

    def runs(self, items: Sequence[content.Inline]) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for run in items:
            if type(run) is content.Text:
                result.append(self.text(run.text))
            elif type(run) is content.Code:
                result.append(el(nodes.literal, self.text(run.text)))
            elif type(run) is content.Link:
                result.extend(self.link(run))
            elif type(run) is content.Strong:
                result.append(el(nodes.strong, self.text(run.text)))
            elif type(run) is content.Emphasis:
                result.append(el(nodes.strong if run.strong else nodes.emphasis, *self.runs(run.runs)))
            elif type(run) is content.ExternalLink:
                result.append(el(nodes.reference, *self.runs(run.runs), refuri=run.url))
            else:  # a new run type must be written by both writers, never dropped
                raise TypeError(f"no docutils writer for {type(run).__name__}")
        return result

    def link(self, item: content.Link) -> list[nodes.Node]:
        """A ``reference`` as the domain's own roles make it; the runs alone if unresolved."""
        linked = self.runs(item.runs)
        target = self.links.target(item)
        if target is None:
            return linked
        if self.links.on_this_page(target):  # as make_refnode does for the same document
            return [el(nodes.reference, *linked, internal=True, refid=target.node_id, reftitle=target.title)]
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

    def line_block(self, item: content.LineBlock) -> nodes.line_block:
        return el(nodes.line_block, *(el(nodes.line, *self.runs(line)) for line in item.lines))

    def bullet_list(self, item: content.BulletList) -> nodes.Element:
        items = (el(nodes.list_item, *self.blocks(blocks)) for blocks in item.items)
        if not item.ordered:
            return el(nodes.bullet_list, *items, bullet="*")
        start = {"start": item.start} if item.start != 1 else {}
        return el(nodes.enumerated_list, *items, enumtype="arabic", prefix="", suffix=".", **start)

    def code_block(self, item: content.CodeBlock) -> nodes.literal_block:
        """A literal block Sphinx highlights as ``language`` (``force``: text that does not lex
        is written as it is, without a warning)."""
        text = item.text if self.html else writable(item.text)
        node = el(nodes.literal_block, nodes.Text(text), language=item.language, force=True)
        node.rawsource = text
        return node

    def cell(self, cell: content.Cell) -> nodes.entry:
        return el(nodes.entry, *self.blocks(cell))

    def table(self, item: content.Table) -> nodes.table:
        """A plain docutils table: every builder renders it; HTML gets the classes for styling."""
        head = el(nodes.row, *(el(nodes.entry, *([el(nodes.paragraph, nodes.Text(h))] if h else [])) for h in item.header))
        body = el(nodes.tbody, *(el(nodes.row, *(self.cell(c) for c in row)) for row in item.rows))
        classes = list(item.classes)
        output = getattr(self.links.builder, "format", "")
        if output == "html":  # widths are the theme's business
            widths: Sequence[int] = item.widths
        else:
            # LaTeX scales the widths to the line: words first (the line holds some 90
            # characters), descriptions wrap in what is left; two more for a cell's padding.
            widths = [w + 2 for w in column_widths(item, LATEX_WIDTH, 0)] if output == "latex" else column_widths(item)
            classes.append("colwidths-given")
        colspecs = [el(nodes.colspec, colwidth=width) for width in widths]
        group = el(nodes.tgroup, *colspecs, el(nodes.thead, head), body, cols=len(item.header))
        return el(nodes.table, group, classes=classes)


# -- column widths --------------------------------------------------------------------------

#: No column is made wider than this to fit one word (a long URL wraps).
WORD_LIMIT = 40
#: The column of the largest weight (descriptions) is at least this wide, where its text is.
PROSE_WIDTH = 30
#: Characters of a LaTeX line, for the relative widths of its columns.
LATEX_WIDTH = 90


def column_widths(item: content.Table, total: int = MAXWIDTH, prose: int = PROSE_WIDTH) -> list[int]:
    """Character widths of the columns, from their content, as the text builder writes it.

    Every column is at least as wide as its longest word (header included), up to
    :data:`WORD_LIMIT`, and the column of the largest weight (descriptions) at least
    ``prose`` where its text is longer; what is left of ``total`` (the text builder's line width, borders
    deducted) goes to the columns whose text is longer, in proportion to the table's
    ``widths`` (its relative weights), never past a column's longest line.
    """
    count = len(item.header)
    words = [max((column_width(w) for w in label.split()), default=1) for label in item.header]
    lines = [column_width(label) for label in item.header]
    for row in item.rows:
        for index, cell in enumerate(row[:count]):
            for line in _cell_lines(cell):
                lines[index] = max(lines[index], column_width(line))
                words[index] = max(words[index], max((column_width(w) for w in line.split()), default=1))
    widths = [min(max(w, 1), WORD_LIMIT) for w in words]
    weights = list(item.widths[:count]) + [1] * (count - len(item.widths))
    for index in range(count):  # the prose column (the largest weight) wraps at a readable width
        if weights[index] == max(weights):
            widths[index] = max(widths[index], min(lines[index], prose))
    left = total - (3 * count + 1) - sum(widths)
    while left > 0:
        wanting = [i for i in range(count) if lines[i] > widths[i]]
        if not wanting:
            break
        weight = sum(max(weights[i], 1) for i in wanting)
        given = 0
        for i in wanting:
            share = min(lines[i] - widths[i], max(left * max(weights[i], 1) // weight, 1), left - given)
            widths[i] += share
            given += share
        left -= given
        if not given:
            break
    return widths


def _cell_lines(blocks: Sequence[content.Block], indent: int = 0) -> Iterator[str]:
    """The lines of a cell as the text builder writes them, roughly: literals quoted,
    emphasis starred, list items indented by their bullet."""
    for block in blocks:
        if isinstance(block, content.Paragraph):
            yield from (" " * indent + line for line in _runs_text(block.runs).split("\n"))
        elif isinstance(block, content.LineBlock):
            for line in block.lines:
                yield " " * indent + _runs_text(line)
        elif isinstance(block, content.BulletList):
            for blocks_of_item in block.items:
                yield from _cell_lines(blocks_of_item, indent + (4 if block.ordered else 2))
        elif isinstance(block, content.CodeBlock):
            yield from (" " * (indent + 4) + line for line in block.text.split("\n"))
        elif isinstance(block, content.Rubric):
            yield " " * indent + block.text


def _runs_text(runs: Sequence[content.Inline]) -> str:
    parts = []
    for run in runs:
        if isinstance(run, content.Text):
            parts.append(run.text)
        elif isinstance(run, content.Code):
            parts.append(f'"{run.text}"')
        elif isinstance(run, content.Strong):
            parts.append(f"**{run.text}**")
        elif isinstance(run, content.Emphasis):
            mark = "**" if run.strong else "*"
            parts.append(f"{mark}{_runs_text(run.runs)}{mark}")
        elif isinstance(run, (content.Link, content.ExternalLink)):
            parts.append(_runs_text(run.runs))
    return "".join(parts)


def write(blocks: Sequence[content.Block], links: Links) -> list[nodes.Node]:
    """The nodes of ``blocks``, links resolved for ``links.docname``."""
    return NodeWriter(links).blocks(blocks)
