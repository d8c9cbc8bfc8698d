"""The HTML writer: content (:mod:`content`) as escaped markup, one node per generated body.

An 800-operation API has some 300 000 nodes in its tables (rows, entries, paragraphs,
literals...); building them and walking them again in the HTML writer and the search indexer
was most of a build. For builders whose ``format`` is ``html`` (html, dirhtml, singlehtml,
epub, the serializing builders) each body is written here instead, as one
:class:`apidocs_html` node: the markup the docutils HTML writer would write for the nodes of
:mod:`write_nodes` — same elements, classes, line breaks and character references, byte for
byte (``tests/test_content_parity.py``) — and, as its only child, the body's plain text, which
the search indexer reads. Every other builder gets the docutils nodes.

**Spec text is data**: every string of the content — names, descriptions, enum values,
defaults, model names, labels — goes through :func:`esc` before it is written, and so do the
link targets and titles (:func:`attr`). Both escape what :func:`html.escape` does (``& < >
"``; attributes are always double-quoted, so ``'`` needs nothing) with the docutils writer's
own character references (and its ``@``). Nothing is ever written unescaped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from html import unescape
from typing import TYPE_CHECKING, Any

from docutils import nodes

from sphinx_apidocs.sphinxext import content

if TYPE_CHECKING:
    from sphinx_apidocs.sphinxext.links import Links

_TAGS = re.compile(r"<[^>]*>")
#: As ``HTMLTranslator.words_and_spaces``: how Sphinx splits the text of an inline literal.
_WORDS_AND_SPACES = re.compile(r"[^ \n]+| +|\n")


class apidocs_html(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Escaped markup for HTML writers (``html`` attribute); its one ``Text`` child is the
    plain text, for the search index (and ``astext()``)."""


def visit_apidocs_html(translator: Any, node: apidocs_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode


#: As ``HTMLTranslator.attval``: line breaks and other vertical space become spaces.
_ATTRIBUTE_SPACE = str.maketrans("\t\n\r\v\f", "     ")


def esc(text: str) -> str:
    """Text (element content), written as Sphinx writes a ``Text`` node: as its ``astext()``
    (docutils drops NUL, its escape mark, with a space or line break after it), escaped."""
    if "\x00" in text:
        for mark in ("\x00 ", "\x00\n", "\x00"):
            text = "".join(text.split(mark))
    return _escape(text)


def attr(text: str) -> str:
    """An attribute value, escaped, its line breaks made spaces (as docutils' ``attval``)."""
    return _escape(text.translate(_ATTRIBUTE_SPACE))


def _escape(text: str) -> str:
    """``text`` with docutils' ``HTMLTranslator.special_characters`` replaced (``&`` first;
    chained ``replace`` is several times faster than ``str.translate`` on short strings)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace(">", "&gt;").replace("@", "&#64;")


def code(text: str) -> str:
    """An inline literal, as Sphinx writes one: a ``<span class="pre">`` per word; a single
    space or line break between words as it is, a longer run of spaces as ``&#160;`` but the
    last."""
    encoded = esc(text)
    if encoded.strip() and " " not in encoded and "\n" not in encoded:  # one word: the common case
        return f'<code class="docutils literal notranslate"><span class="pre">{encoded}</span></code>'
    words = []
    for token in _WORDS_AND_SPACES.findall(encoded):
        if token.strip():
            words.append(f'<span class="pre">{token}</span>')
        elif token in (" ", "\n"):
            words.append(token)
        else:
            words.append("&#160;" * (len(token) - 1) + " ")
    return f'<code class="docutils literal notranslate">{"".join(words)}</code>'


def classes(names: Sequence[str], *written: str) -> str:
    """A ``class`` attribute: the content's classes, then those the docutils writer adds."""
    return attr(" ".join([*names, *(name for name in written if name not in names)]))


@functools.lru_cache(maxsize=64)
def _table_start(header: tuple[str, ...], names: tuple[str, ...]) -> str:
    """A table's opening tag and header row (labels: the same few for every table)."""
    cells = "".join(f'<th class="head"><p>{esc(label)}</p></th>\n' if label else '<th class="head"></th>\n' for label in header)
    return (
        f'<table class="{classes(names, "docutils", "align-default")}">\n'
        f'<thead>\n<tr class="row-odd">{cells}</tr>\n</thead>\n<tbody>\n'
    )


class HtmlWriter:
    """Writes the content of one document; links resolved (and cached) for ``links.docname``."""

    def __init__(self, links: Links) -> None:
        self.links = links
        self._anchors: dict[tuple[str, str, str], str] = {}
        self._blocks: dict[type, Callable[[Any], str]] = {
            content.Paragraph: self.paragraph,
            content.Rubric: self.rubric,
            content.FieldList: self.field_list,
            content.Table: self.table,
        }

    def blocks(self, items: Sequence[content.Block]) -> str:
        return "".join([self._blocks[type(block)](block) for block in items])

    # -- inline runs

    def runs(self, items: Sequence[content.Inline]) -> str:
        if len(items) == 1 and type(items[0]) is content.Text:  # the common case: one plain text
            return esc(items[0].text)
        parts = []
        for run in items:
            if type(run) is content.Text:
                parts.append(esc(run.text))
            elif type(run) is content.Code:
                parts.append(code(run.text))
            elif type(run) is content.Link:
                parts.append(self.link(run))
            elif type(run) is content.Strong:
                parts.append(f"<strong>{esc(run.text)}</strong>")
            else:  # a new run type must be written by both writers, never dropped
                raise TypeError(f"no HTML writer for {type(run).__name__}")
        return "".join(parts)

    def link(self, item: content.Link) -> str:
        """As Sphinx writes a ``reference`` from ``make_refnode``; the runs alone if unresolved."""
        key = (item.reftype, item.target, item.resource)
        anchor = self._anchors.get(key)
        if anchor is None:
            anchor = self._anchors[key] = self._anchor(item)
        linked = self.runs(item.runs)
        return f"{anchor}{linked}</a>" if anchor else linked

    def _anchor(self, item: content.Link) -> str:
        target = self.links.target(item)
        if target is None:
            return ""
        docname, node_id, title = target
        if docname == self.links.docname and node_id:
            href = "#" + node_id
        else:
            href = self.links.builder.get_relative_uri(self.links.docname, docname)
            if node_id:
                href += "#" + node_id
        return f'<a class="reference internal" href="{attr(href or "#")}" title="{attr(title)}">'

    # -- blocks

    def paragraph(self, item: content.Paragraph, end: str = "\n") -> str:
        """A paragraph; ``end`` is ``""`` for the only paragraph of a table cell."""
        start = f'<p class="{classes(item.classes)}">' if item.classes else "<p>"
        return f"{start}{self.runs(item.runs)}</p>{end}"

    def rubric(self, item: content.Rubric) -> str:
        return f'<p class="{classes(item.classes, "rubric")}">{esc(item.text)}</p>\n'

    def field_list(self, item: content.FieldList) -> str:
        parts = [f'<dl class="{classes(item.classes, "field-list", "simple")}">\n']
        for index, field in enumerate(item.fields):
            cls = "field-odd" if index % 2 == 0 else "field-even"
            parts.append(
                f'<dt class="{cls}">{esc(field.label)}<span class="colon">:</span></dt>\n'
                f'<dd class="{cls}"><p>{self.runs(field.runs)}</p>\n</dd>\n'
            )
        parts.append("</dl>\n")
        return "".join(parts)

    def cell(self, cell: content.Cell) -> str:
        """A ``<td>``: its only paragraph has no line break after it (as docutils writes)."""
        if len(cell) != 1:
            return f"<td>{''.join([self.paragraph(p) for p in cell])}</td>\n"
        if cell[0].classes:
            return f"<td>{self.paragraph(cell[0], '')}</td>\n"
        return f"<td><p>{self.runs(cell[0].runs)}</p></td>\n"

    def table(self, item: content.Table) -> str:
        cell = self.cell
        rows = "".join([
            f'<tr class="row-{"odd" if index & 1 else "even"}">{"".join([cell(c) for c in row])}</tr>\n'
            for index, row in enumerate(item.rows)
        ])
        return f"{_table_start(item.header, item.classes)}{rows}</tbody>\n</table>\n"


def write(blocks: Sequence[content.Block], links: Links) -> list[nodes.Node]:
    """``blocks`` as one :class:`apidocs_html` node (none for no content)."""
    return [markup_node(HtmlWriter(links).blocks(blocks))] if blocks else []


def markup_node(markup: str) -> apidocs_html:
    """A node writing ``markup`` (escaped, made by this module), with its plain text."""
    node = apidocs_html("", html=markup)
    # The plain text, for the search index: the markup without its tags (all spec text in
    # it is escaped, so ``<`` only ever starts a tag).
    text = nodes.Text(unescape(" ".join(_TAGS.sub(" ", markup).split())))
    text.parent = node
    node.children.append(text)
    return node
