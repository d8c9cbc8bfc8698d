"""Formatted spec text, parsed into content (:mod:`content`): CommonMark and a small HTML subset.

Descriptions, summaries, notes and messages of Swagger 2.0 and OpenAPI are CommonMark
(:func:`markdown`: markdown-it-py, the ``commonmark`` preset with raw HTML off); real
Swagger 1.x specs carry simple HTML (:func:`html_subset`). Both give the same blocks and runs,
which both writers write for every builder. :func:`description` is the one entry point.

**Spec text is data.** Nothing here is ever passed on as markup: the parsers only choose which
of the content kinds to make, and every string goes into them as text, escaped by the writers.

* CommonMark: raw HTML is off, so ``<script>`` (or any tag) is text, shown as written; images
  show their alt text (no image is ever loaded from a spec); headings become rubrics.
* HTML subset: ``<p>``, ``<br>``, ``<a href>``, ``<code>``/``<tt>``, ``<b>``/``<strong>``,
  ``<i>``/``<em>``, ``<ul>``/``<ol start>``/``<li>``, ``<pre>`` and ``<h1>``..``<h6>`` (rubrics)
  are understood; their attributes other than ``href`` and ``start`` are ignored. **Every
  other tag is shown literally**, as it is written in the spec (``List<Pet>`` is common in 1.x
  prose, and ``<script>alert(1)</script>`` stays visible text: its content never becomes
  markup); so are comments and declarations. Entities are decoded (``&amp;`` is ``&``), and
  ``backtick`` spans outside ``<code>``/``<pre>`` are inline literals, as in 1.x text without
  tags, which keeps the plain rules (:func:`plain_paragraphs`: blank lines separate
  paragraphs).
* Links: only ``http``, ``https``, ``mailto`` and relative URLs (no scheme, not ``//host``)
  become links (:func:`safe_url`, applied after entities are decoded and with tabs, line
  breaks and control characters removed, as browsers read them); any other link shows its text
  only.
* Nesting deeper than :data:`MAX_DEPTH` (markdown-it's own limit for CommonMark) is flattened.

Plain text — most descriptions: one line, no markup character — is not parsed at all.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal, Union
from urllib.parse import quote

from sphinx_apidocs.sphinxext.content import (
    Block,
    BulletList,
    Code,
    CodeBlock,
    Emphasis,
    ExternalLink,
    Inline,
    LineBlock,
    Paragraph,
    Rubric,
    Text,
)

if TYPE_CHECKING:  # markdown-it is imported when a description needs it (see _parser)
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

Flavour = Literal["markdown", "html"]

#: Schemes a link may have; anything else (``javascript:``, ``data:``, ``vbscript:``...) is text.
SCHEMES = frozenset({"http", "https", "mailto"})
#: Lists and inline elements nested deeper than this are flattened (HTML subset).
MAX_DEPTH = 20

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: Removed from a URL before it is judged: C0 controls (tab, line breaks...), space-likes and DEL.
_URL_DROP = dict.fromkeys([*range(0x21), 0x7F])
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_BACKTICKS = re.compile(r"``(.+?)``|`([^`\n]+)`")
#: Any character that may start Markdown markup, or a line that may start a block.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>&\n\r]|\A(?:[-+=>#~]|\d{1,9}[.)])")
_LANGUAGE = re.compile(r"[a-z0-9][a-z0-9_+.#-]{0,39}")
_INDENTED_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")

@functools.lru_cache(maxsize=None)
def _parser() -> MarkdownIt:
    """The CommonMark parser, made (and markdown-it imported) when a description needs it:
    Swagger 1.x builds never do."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


# -- the entry point ------------------------------------------------------------------------


def flavour(swagger_version: str) -> Flavour:
    """The markup of a spec's text: HTML for Swagger 1.x, CommonMark for the others."""
    return "html" if swagger_version.startswith("1") else "markdown"


def description(text: str, flavour: Flavour = "markdown", classes: tuple[str, ...] = ()) -> tuple[Block, ...]:
    """Spec text as blocks; ``classes`` go on its top-level paragraphs."""
    if not text:
        return ()
    blocks = _parse(text, flavour)
    if classes:
        return tuple(Paragraph(b.runs, classes) if type(b) is Paragraph else b for b in blocks)
    return blocks


@functools.lru_cache(maxsize=16384)
def _parse(text: str, flavour: Flavour) -> tuple[Block, ...]:
    return html_subset(text) if flavour == "html" else markdown(text)


def safe_url(url: str) -> str | None:
    """``url`` fit for a link (``http``, ``https``, ``mailto``, relative), cleaned of what
    browsers ignore in it; ``None`` for any other scheme, ``//host`` or ``\\\\host``."""
    cleaned = url.translate(_URL_DROP)
    if not cleaned:
        return None
    match = _SCHEME.match(cleaned)
    if match:
        return quote(cleaned, safe=_URL_SAFE) if match.group()[:-1].lower() in SCHEMES else None
    slashed = cleaned.replace("\\", "/")
    if slashed.startswith("//") or ":" in re.split(r"[/?#]", slashed, maxsplit=1)[0]:
        return None
    return quote(cleaned, safe=_URL_SAFE)


def plain_line(text: str) -> str:
    """Spec text as one plain line, for titles, signatures and index entries: whitespace
    (every Unicode line separator included) collapsed to single spaces; other control
    characters and lone surrogates (which no output encoding can write) dropped. Format
    characters stay: emoji sequences need them. A line break in a signature would start a
    request in a man page (``\n.so FILE``), so no name ever keeps one."""
    if text.isprintable():  # the common case: nothing to drop, no line break
        return " ".join(text.split()) if "  " in text or text != text.strip() else text
    kept = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(kept.split())


#: What RFC 3986 lets stand in a URL; everything else (``\``, space, quotes, braces...) is
#: percent-encoded, so no writer's own escapes (roff's ``\``) can hide in a link target.
_URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


# -- plain text (1.x text without tags) -----------------------------------------------------


def plain_runs(text: str) -> tuple[Inline, ...]:
    """Plain text, with ``backtick`` spans as inline literals; nothing else is interpreted."""
    if "`" not in text:
        return (Text(text),) if text else ()
    result: list[Inline] = []
    position = 0
    for match in _BACKTICKS.finditer(text):
        if match.start() > position:
            result.append(Text(text[position : match.start()]))
        result.append(Code(match.group(1) if match.group(1) is not None else match.group(2)))
        position = match.end()
    if position < len(text):
        result.append(Text(text[position:]))
    return tuple(result)


def plain_paragraphs(text: str, classes: tuple[str, ...] = ()) -> tuple[Paragraph, ...]:
    """Plain text as paragraphs, split on blank lines."""
    text = text.strip()
    if "`" not in text and "\n" not in text:  # the common case, without the regexes
        return (Paragraph((Text(text),), classes),) if text else ()
    return tuple(Paragraph(plain_runs(chunk.strip()), classes) for chunk in _PARAGRAPH_BREAK.split(text) if chunk.strip())


# -- CommonMark -----------------------------------------------------------------------------


def markdown(text: str) -> tuple[Block, ...]:
    """CommonMark ``text`` as blocks (raw HTML off: tags are text)."""
    text = text.strip()
    if not text:
        return ()
    if not _MARKDOWN_SPECIAL.search(text):
        return (Paragraph((Text(text),)),)
    try:
        from markdown_it.tree import SyntaxTreeNode

        return tuple(_md_blocks(SyntaxTreeNode(_parser().parse(text))))
    except RecursionError:  # inline nesting deeper than the tree can be built: as plain text
        return plain_paragraphs(text)


def _md_blocks(node: SyntaxTreeNode) -> list[Block]:
    blocks: list[Block] = []
    for child in node.children:
        kind = child.type
        if kind == "paragraph":
            if child.children:
                blocks.extend(_lines(_md_runs(child.children[0], True)))
        elif kind in ("bullet_list", "ordered_list"):
            start = child.attrs.get("start", 1)
            items = tuple(tuple(_md_blocks(item)) for item in child.children)
            blocks.append(BulletList(items, kind == "ordered_list", start if isinstance(start, int) else 1))
        elif kind in ("fence", "code_block"):
            blocks.append(CodeBlock(child.content.rstrip("\n"), language(child.info.split()[0] if child.info.split() else "")))
        elif kind == "heading":
            heading = _plain(_md_runs(child.children[0], False)) if child.children else ""
            if heading.strip():
                blocks.append(Rubric(heading.strip()))
        elif kind == "blockquote":
            blocks.extend(_md_blocks(child))
        elif kind == "hr":
            continue
        elif child.content.strip():  # html_block (raw HTML is off) or a kind unknown here: text
            blocks.append(Paragraph((Text(child.content.strip()),)))
    return blocks


_BREAK = Text("\n")  # a hard line break at the top of a paragraph (compared by identity)


def _md_runs(node: SyntaxTreeNode, top: bool, depth: int = 0) -> list[Inline]:
    result: list[Inline] = []
    for child in node.children:
        kind = child.type
        if depth >= MAX_DEPTH and child.children:  # flattened: its text only
            result.append(Text(_tree_text(child)))
            continue
        if kind == "text" or kind == "html_inline":
            result.append(Text(child.content))
        elif kind == "softbreak":
            result.append(Text("\n"))
        elif kind == "hardbreak":
            result.append(_BREAK if top else Text("\n"))
        elif kind == "code_inline":
            result.append(Code(child.content))
        elif kind in ("em", "strong"):
            inner = _merge(_md_runs(child, False, depth + 1))
            if inner:
                result.append(Emphasis(inner, kind == "strong"))
        elif kind == "link":
            inner = _merge(_md_runs(child, False, depth + 1))
            href = child.attrs.get("href")
            url = safe_url(href) if isinstance(href, str) else None
            if url and inner:
                result.append(ExternalLink(url, inner))
            else:
                result.extend(inner)
        elif kind == "image":  # its alt text: no image is loaded from a spec
            result.append(Text(_plain(_md_runs(child, False))))
        elif child.children:
            result.extend(_md_runs(child, False, depth + 1))
        elif child.content:
            result.append(Text(child.content))
    return result


def _tree_text(node: SyntaxTreeNode) -> str:
    """The text of a Markdown node, without recursion."""
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.children:
            stack.extend(reversed(current.children))
        elif current.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:
            parts.append(current.content)
    return "".join(parts)


# -- the HTML subset of Swagger 1.x ---------------------------------------------------------

_INLINE_TAGS = frozenset({"a", "b", "strong", "i", "em", "code", "tt", "br"})
_BLOCK_TAGS = frozenset({"p", "ul", "ol", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_ALLOWED = _INLINE_TAGS | _BLOCK_TAGS
_KEPT_ATTRIBUTES = frozenset({"href", "start"})


class _Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node] = []


Node = Union[_Element, str]


class _SubsetParser(HTMLParser):
    """A tree of the allowed elements; everything else as the text it is written as."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("", {})
        self.stack = [self.root]

    def _text(self, text: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += text
        else:
            children.append(text)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:  # a block ends an open paragraph (and a list item, a new one)
            names = [e.tag for e in self.stack]
            if "p" in names and "pre" not in names:
                self._close(names.index("p"))
            if tag == "li":
                names = [e.tag for e in self.stack]
                lists = [i for i, name in enumerate(names) if name in ("ul", "ol")]
                items = [i for i, name in enumerate(names) if name == "li"]
                if items and (not lists or items[-1] > lists[-1]):
                    self._close(items[-1])
        kept = {name: value or "" for name, value in attrs if name in _KEPT_ATTRIBUTES}
        element = _Element(tag, kept)
        self.stack[-1].children.append(element)
        if tag != "br":
            self.stack.append(element)

    def _close(self, index: int) -> None:
        del self.stack[max(index, 1) :]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ALLOWED and len(self.stack) <= MAX_DEPTH:
            self._open(tag, attrs)
        else:
            self._text(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and len(self.stack) <= MAX_DEPTH:
            self._open(tag, attrs)
        else:
            self._text(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self.handle_startendtag(tag, [])
            return
        names = [e.tag for e in self.stack]
        if tag in _ALLOWED and tag in names[1:]:
            self._close(len(names) - 1 - names[::-1].index(tag))
        elif tag not in _ALLOWED:
            self._text(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_comment(self, data: str) -> None:
        self._text(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._text(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._text(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._text(f"<![{data}]>")


def html_subset(text: str) -> tuple[Block, ...]:
    """Swagger 1.x text: the allowed HTML elements as content, everything else as text."""
    if "<" not in text and "&" not in text:
        return plain_paragraphs(text)
    parser = _SubsetParser()
    parser.feed(text)
    parser.close()
    return tuple(_html_blocks(parser.root.children))


def _html_blocks(children: Sequence[Node]) -> list[Block]:
    blocks: list[Block] = []
    pending: list[Node] = []
    for child in children:
        if isinstance(child, str) or child.tag in _INLINE_TAGS:
            pending.append(child)
            continue
        blocks.extend(_html_paragraphs(pending))
        pending = []
        tag = child.tag
        if tag == "p":
            blocks.extend(_html_paragraphs(child.children))
        elif tag in ("ul", "ol", "li"):
            listed = _html_list(child)
            if listed.items:
                blocks.append(listed)
        elif tag == "pre":
            code = _text_of(child)
            code = code[1:] if code.startswith("\n") else code
            if code.strip():
                blocks.append(CodeBlock(code.rstrip(), "text"))
        else:  # h1..h6
            heading = " ".join(_text_of(child).split())
            if heading:
                blocks.append(Rubric(heading))
    blocks.extend(_html_paragraphs(pending))
    return blocks


def _html_list(element: _Element) -> BulletList:
    if element.tag == "li":
        return BulletList((tuple(_html_blocks(element.children)),))
    items: list[tuple[Block, ...]] = []
    stray: list[Node] = []
    for child in element.children:
        if isinstance(child, _Element) and child.tag == "li":
            if any(not isinstance(s, str) or s.strip() for s in stray):
                items.append(tuple(_html_blocks(stray)))
            stray = []
            items.append(tuple(_html_blocks(child.children)))
        else:
            stray.append(child)
    if any(not isinstance(s, str) or s.strip() for s in stray):
        items.append(tuple(_html_blocks(stray)))
    start = element.attrs.get("start", "").strip()
    number = int(start) if start.isdigit() and len(start) < 10 else 1
    return BulletList(tuple(items), element.tag == "ol", number)


_PARAGRAPH = Text("\n\n")  # a paragraph break at the top of inline content (by identity)


def _html_paragraphs(nodes: Sequence[Node]) -> list[Block]:
    flat: list[Inline] = []
    for node in nodes:
        if isinstance(node, str):
            for index, chunk in enumerate(_PARAGRAPH_BREAK.split(_INDENTED_NEWLINE.sub("\n", node))):
                if index:
                    flat.append(_PARAGRAPH)
                flat.extend(plain_runs(chunk))
        elif node.tag == "br":
            flat.append(_BREAK)
        else:
            flat.extend(_html_runs(node, 1))
    blocks: list[Block] = []
    group: list[Inline] = []
    for run in [*flat, _PARAGRAPH]:
        if run is _PARAGRAPH:
            blocks.extend(_lines(group))
            group = []
        else:
            group.append(run)
    return blocks


def _html_runs(element: _Element, depth: int) -> list[Inline]:
    """An inline element (or a block inside one, flattened) as runs."""
    tag = element.tag
    if tag == "br":
        return [Text("\n")]
    if tag in ("code", "tt", "pre"):
        literal = _text_of(element)
        return [Code(literal)] if literal else []
    inner: list[Inline] = []
    for child in element.children:
        if isinstance(child, str):
            inner.extend(plain_runs(_INDENTED_NEWLINE.sub("\n", child)))
        elif depth < MAX_DEPTH:
            inner.extend(_html_runs(child, depth + 1))
        else:
            inner.append(Text(_text_of(child)))
    merged = _merge(inner)
    if tag in ("b", "strong", "i", "em"):
        return [Emphasis(merged, tag in ("b", "strong"))] if merged else []
    if tag == "a":
        url = safe_url(element.attrs["href"]) if "href" in element.attrs else None
        return [ExternalLink(url, merged)] if url and merged else list(merged)
    return list(merged)


def _text_of(element: _Element) -> str:
    parts: list[str] = []
    stack: list[Node] = [element]
    while stack:  # without recursion: an element's text, in order
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
        elif node.tag == "br":
            parts.append("\n")
        else:
            stack.extend(reversed(node.children))
    return "".join(parts)


# -- shared ---------------------------------------------------------------------------------


def language(name: str) -> str:
    """A code block's language: a Pygments lexer name as written, or ``text``."""
    name = name.lower()
    return name if _LANGUAGE.fullmatch(name) and _known_lexer(name) else "text"


@functools.lru_cache(maxsize=256)
def _known_lexer(name: str) -> bool:
    if name in ("default", "guess", "none"):
        return False
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    try:
        find_lexer_class_by_name(name)
    except ClassNotFound:
        return False
    return True


def _lines(runs: Sequence[Inline]) -> list[Block]:
    """A paragraph, or a line block where it has hard breaks; nothing if it is blank."""
    if any(run is _BREAK for run in runs):
        lines: list[tuple[Inline, ...]] = []
        line: list[Inline] = []
        for run in [*runs, _BREAK]:
            if run is _BREAK:
                lines.append(_strip(_merge(line)))
                line = []
            else:
                line.append(run)
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        return [LineBlock(tuple(lines))] if lines else []
    stripped = _strip(_merge(runs))
    return [Paragraph(stripped)] if stripped else []


def _merge(runs: Iterable[Inline]) -> tuple[Inline, ...]:
    """Adjacent texts joined, empty texts dropped."""
    result: list[Inline] = []
    for run in runs:
        if type(run) is Text:
            if not run.text:
                continue
            if result and type(result[-1]) is Text:
                result[-1] = Text(result[-1].text + run.text)
                continue
        result.append(run)
    return tuple(result)


def _strip(runs: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Whitespace at both ends of the runs' text removed."""
    items = list(runs)
    if items and type(items[0]) is Text:
        items[0] = Text(items[0].text.lstrip())
    if items and type(items[-1]) is Text:
        items[-1] = Text(items[-1].text.rstrip())
    return tuple(run for run in items if type(run) is not Text or run.text)


def _plain(runs: Iterable[Inline]) -> str:
    return "".join(_run_text(run) for run in runs)


def _run_text(run: Inline) -> str:
    if isinstance(run, (Text, Code)):
        return run.text
    if isinstance(run, (Emphasis, ExternalLink)):
        return _plain(run.runs)
    if hasattr(run, "runs"):
        return _plain(run.runs)
    return getattr(run, "text", "")
