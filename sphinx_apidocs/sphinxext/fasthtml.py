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
own character references (and its ``@``). Nothing is ever written unescaped. Literal blocks
are written by the builder's own highlighter (``builder.highlighter``: Pygments escapes),
exactly as Sphinx's ``visit_literal_block`` does; external links carry only URLs that
``markup.safe_url`` accepted, escaped like every attribute.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from html import unescape
from typing import TYPE_CHECKING, Any

from docutils import nodes
from pygments import format as pygments_format
from pygments import highlight as pygments_highlight
from pygments.token import String

from sphinx_apidocs.sphinxext import content

if TYPE_CHECKING:
    from sphinx_apidocs.sphinxext.links import Links

_TAGS = re.compile(r"<[^>]*>")
#: ``<span>`` tags split no word (Pygments' tokens, cloaked addresses); other tags do.
_SPANS = re.compile(r"</?span\b[^>]*>")
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
            content.LineBlock: self.line_block,
            content.BulletList: self.bullet_list,
            content.CodeBlock: self.code_block,
        }
        #: As ``HTMLTranslator.compact_simple``: inside a "simple" bullet list, a nested
        #: bullet list gets no ``simple`` class.
        self._compact = False
        self._mailto = False  # as ``HTMLTranslator.in_mailto``: writing a mailto link's text

    def blocks(self, items: Sequence[content.Block]) -> str:
        return "".join([self._blocks[type(block)](block) for block in items])

    # -- inline runs

    def runs(self, items: Sequence[content.Inline]) -> str:
        if len(items) == 1 and type(items[0]) is content.Text and not self._mailto:  # the common case
            return esc(items[0].text)
        parts = []
        for run in items:
            if type(run) is content.Text:
                parts.append(_cloak_email(esc(run.text)) if self._mailto else esc(run.text))
            elif type(run) is content.Code:
                parts.append(code(run.text))
            elif type(run) is content.Link:
                parts.append(self.link(run))
            elif type(run) is content.Strong:
                parts.append(f"<strong>{esc(run.text)}</strong>")
            elif type(run) is content.Emphasis:
                tag = "strong" if run.strong else "em"
                parts.append(f"<{tag}>{self.runs(run.runs)}</{tag}>")
            elif type(run) is content.ExternalLink:
                parts.append(self.external_link(run))
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

    def external_link(self, item: content.ExternalLink) -> str:
        """As Sphinx writes a ``reference`` with a ``refuri``; a ``mailto:`` link cloaked as
        docutils cloaks it (``cloak_email_addresses``, on in Sphinx): ``@`` and ``.`` written
        as character references, in the text wrapped in ``<span>``."""
        if not (item.url.startswith("mailto:") and self._cloak()):
            return f'<a class="reference external" href="{attr(item.url)}">{self.runs(item.runs)}</a>{self._visible_url(item)}'
        href = attr(item.url.replace("@", "%40")).replace("%40", "&#37;&#52;&#48;").replace(".", "&#46;")
        self._mailto = True
        try:
            text = self.runs(item.runs)
        finally:
            self._mailto = False
        return f'<a class="reference external" href="{href}">{text}</a>'

    def _visible_url(self, item: content.ExternalLink) -> str:
        """EPUB builders show the target of a web link after it (``epub_show_urls =
        "inline"``, their ``add_visible_links``); ``"footnote"`` gets the nodes (``render``)."""
        builder: Any = self.links.builder
        if not hasattr(builder, "add_visible_links") or builder.config.epub_show_urls != "inline":
            return ""
        if not item.url.startswith(("http:", "https:", "ftp:")) or item.url in _plain_text(item.runs):
            return ""
        shown = builder.link_target_template % {"uri": item.url}
        return f'<span class="{attr(builder.css_link_target_class)}">{esc(shown)}</span>'

    def _cloak(self) -> bool:
        env = getattr(self.links.builder, "env", None)
        return bool(getattr(env, "settings", {}).get("cloak_email_addresses", True))

    def _anchor(self, item: content.Link) -> str:
        target = self.links.target(item)
        if target is None:
            return ""
        docname, node_id, title = target
        if self.links.on_this_page(target):
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

    def line_block(self, item: content.LineBlock) -> str:
        lines = "".join([f'<div class="line">{self.runs(line) if line else "<br />"}</div>\n' for line in item.lines])
        return f'<div class="line-block">\n{lines}</div>\n'

    def bullet_list(self, item: content.BulletList) -> str:
        """As docutils' HTML writer: ``simple`` on a list whose items are one paragraph (and a
        nested list) each, unless it is inside such a bullet list."""
        simple = _simple(item)
        if item.ordered:  # an enumerated list leaves the compact state as it is
            items = "".join([f"<li>{self._item(blocks)}</li>\n" for blocks in item.items])
            start = f' start="{item.start}"' if item.start != 1 else ""
            return f'<ol class="arabic{" simple" if simple else ""}"{start}>\n{items}</ol>\n'
        outer = self._compact
        self._compact = simple
        try:
            items = "".join([f"<li>{self._item(blocks)}</li>\n" for blocks in item.items])
        finally:
            self._compact = outer
        tag = '<ul class="simple">' if simple and not outer else "<ul>"
        return f"{tag}\n{items}</ul>\n"

    def _item(self, blocks: content.Cell) -> str:
        """The content of a list item or table cell: an only paragraph has no line break after it."""
        if len(blocks) == 1 and type(blocks[0]) is content.Paragraph:
            return self.paragraph(blocks[0], "")
        return self.blocks(blocks)

    def code_block(self, item: content.CodeBlock) -> str:
        """As Sphinx's ``visit_literal_block``, with the builder's highlighter."""
        builder: Any = self.links.builder  # an HTML builder: it has a highlighter
        highlighted = highlight(builder.highlighter, item.text, item.language, builder.config.highlight_options.get(item.language, {}))
        return f'<div class="highlight-{attr(item.language)} notranslate">{highlighted}</div>\n'

    def cell(self, cell: content.Cell) -> str:
        """A ``<td>``: its only paragraph has no line break after it (as docutils writes)."""
        if len(cell) == 1 and type(cell[0]) is content.Paragraph and not cell[0].classes:
            return f"<td><p>{self.runs(cell[0].runs)}</p></td>\n"
        return f"<td>{self._item(cell)}</td>\n"

    def table(self, item: content.Table) -> str:
        cell = self.cell
        rows = "".join([
            f'<tr class="row-{"odd" if index & 1 else "even"}">{"".join([cell(c) for c in row])}</tr>\n'
            for index, row in enumerate(item.rows)
        ])
        return f"{_table_start(item.header, item.classes)}{rows}</tbody>\n</table>\n"


#: Blocks up to this many characters are kept, and this many characters of markup in all.
_CACHE_BLOCK = 16_384
_CACHE_CHARS = 16_000_000

#: Per language, the string literals to mask and the token type that must hold each mark
#: alone. The pattern only proposes: a shape whose lexing does not show every mark as a
#: whole token of that type (a quote that closed a string, a comment...) is not used.
#: Python: single-quoted literals holding no backslash, quote, ``%``, brace or line break,
#: so that no escape, interpolation or end of string can begin inside them.
_INERT_LITERALS = {
    "python": (re.compile(r"(?<![\w'\"\\])'([^'\"\\\n\r%{}]+)'"), String.Single),
}
#: Marks a masked literal (a private-use character: string content to the lexer, and text
#: holding it is never masked).
_MARK = "\ue000"


class _Highlighter:
    """One HTML highlighter's Pygments formatter, made once (Sphinx makes a new one — and
    its whole stylesheet — for every literal block), and the markup of the blocks without
    options it has highlighted: the same response example recurs on every operation with the
    same model and whitelist, and Pygments' output depends only on the text, the lexer and
    the formatter. Bounded by ``_CACHE_BLOCK`` and ``_CACHE_CHARS``.

    Request samples differ from operation to operation only inside their string literals
    (URL, header values, body fields), and lexing them is most of their cost. Where a
    language has :data:`_INERT_LITERALS`, the block is lexed with each such literal's content
    replaced by a numbered mark — the same *shape* of code recurs, and its tokens are kept
    — and the marks are then put back into the tokens before Pygments' formatter writes
    them. A mark sits where the content did, inside the same string token, so the tokens
    are Pygments' own for the real text: the shape's tokens show each mark as a whole string
    token, and the content it stands for holds no character that string state treats apart
    (``tests/test_highlight_masks.py`` checks the result for any text)."""

    def __init__(self, bridge: Any) -> None:
        self.bridge = bridge
        self.formatter = bridge.get_formatter(linenos=False)
        self.markup: dict[tuple[str, str], str] = {}
        self.tokens: dict[tuple[str, str], list[tuple[Any, str]] | None] = {}
        self.chars = 0

    def highlight(self, text: str, language: str, options: dict[str, Any]) -> str:
        key = (text, language)
        cacheable = not options and len(text) <= _CACHE_BLOCK
        if cacheable and key in self.markup:
            return self.markup[key]
        inert = _INERT_LITERALS.get(language) if cacheable and _MARK not in text else None
        shape, contents = _mask(inert[0], text) if inert is not None else (text, [])
        markup = self._from_shape(shape, language, contents, inert[1]) if contents and inert is not None else None
        if markup is None:
            lexer = self.bridge.get_lexer(text, language, options, True, None)  # force: never raises on bad tokens
            markup = str(pygments_highlight(text, lexer, self.formatter))
        if cacheable:
            self._keep(self.markup, key, markup, len(markup))
        return markup

    def _from_shape(self, shape: str, language: str, contents: list[str], kind: Any) -> str | None:
        """The markup of the text ``shape`` was masked from, or ``None`` where the shape's
        marks are not each a whole token of ``kind``."""
        key = (shape, language)
        if key in self.tokens:
            tokens = self.tokens[key]
        else:
            lexer = self.bridge.get_lexer(shape, language, {}, True, None)
            tokens = list(lexer.get_tokens(shape))
            marked = [(token_kind, value) for token_kind, value in tokens if _MARK in value]
            whole = [f"{_MARK}{index}{_MARK}" for index in range(len(contents))]
            if [value for _, value in marked] != whole or any(token_kind is not kind for token_kind, _ in marked):
                tokens = None
            self._keep(self.tokens, key, tokens, len(shape))
        if tokens is None:
            return None
        restore = functools.partial(_MARKED.sub, lambda match: contents[int(match.group(1))])
        return str(pygments_format([(token_kind, restore(value) if _MARK in value else value) for token_kind, value in tokens], self.formatter))

    def _keep(self, cache: dict[Any, Any], key: Any, value: Any, size: int) -> None:
        if self.chars + size > _CACHE_CHARS:
            self.markup.clear()
            self.tokens.clear()
            self.chars = 0
        cache[key] = value
        self.chars += size


_MARKED = re.compile(_MARK + "([0-9]+)" + _MARK)


def _mask(inert: re.Pattern[str], text: str) -> tuple[str, list[str]]:
    """``text`` with the content of each inert literal replaced by a numbered mark, and the
    contents in their order."""
    contents: list[str] = []

    def mark(match: re.Match[str]) -> str:
        contents.append(match.group(1))
        whole, start = match.group(0), match.start()
        return f"{whole[: match.start(1) - start]}{_MARK}{len(contents) - 1}{_MARK}{whole[match.end(1) - start :]}"

    return inert.sub(mark, text), contents


#: The current builder's highlighter (one builder at a time: no old one is kept alive).
_current: _Highlighter | None = None


def highlight(bridge: Any, text: str, language: str, options: dict[str, Any]) -> str:
    """``bridge.highlight_block(text, language, opts=options, linenos=False, force=True)``
    for an HTML highlighter, with its formatter made once and the markup of a block seen
    before reused (the same markup: the parity test compares it with Sphinx's own)."""
    global _current
    if getattr(bridge, "dest", "") != "html":
        return str(bridge.highlight_block(text, language, opts=options, linenos=False, force=True))
    if _current is None or _current.bridge is not bridge:
        _current = _Highlighter(bridge)
    return _current.highlight(text, language, options)


def _plain_text(runs: Sequence[content.Inline]) -> str:
    """The text of runs, as ``astext()`` of their nodes."""
    return "".join(
        run.text if isinstance(run, (content.Text, content.Code, content.Strong)) else _plain_text(run.runs) for run in runs
    )


def _cloak_email(encoded: str) -> str:
    """As ``HTMLTranslator.cloak_email``: ``@`` and ``.`` of escaped text wrapped in spans."""
    return encoded.replace("&#64;", "<span>&#64;</span>").replace(".", "<span>&#46;</span>")


def _simple(item: content.BulletList) -> bool:
    """As docutils' ``SimpleListChecker``: every item (nested lists too) holds at most one
    paragraph, or a paragraph then a list; nothing but paragraphs and lists."""
    for blocks in item.items:
        kinds = [type(block) for block in blocks]
        if len(kinds) == 2 and kinds[0] is content.Paragraph and kinds[1] is content.BulletList:
            kinds.pop()
        if len(kinds) > 1:
            return False
        for block in blocks:
            if type(block) is content.BulletList:
                if not _simple(block):
                    return False
            elif type(block) is not content.Paragraph:
                return False
    return True


def write(blocks: Sequence[content.Block], links: Links) -> list[nodes.Node]:
    """``blocks`` as one :class:`apidocs_html` node (none for no content)."""
    return [markup_node(HtmlWriter(links).blocks(blocks))] if blocks else []


def markup_node(markup: str, text: str | None = None) -> apidocs_html:
    """A node writing ``markup`` (escaped, made by this module), with its plain text
    (:func:`plain_text` of the markup, unless given)."""
    node = apidocs_html("", html=markup)
    child = nodes.Text(plain_text(markup) if text is None else text)
    child.parent = node
    node.children.append(child)
    return node


def plain_text(markup: str) -> str:
    """The text of markup, for the search index: the markup without its tags (all spec text
    in it is escaped, so ``<`` only ever starts a tag); a highlighted token is no word apart."""
    return unescape(" ".join(_TAGS.sub(" ", _SPANS.sub("", markup)).split()))
