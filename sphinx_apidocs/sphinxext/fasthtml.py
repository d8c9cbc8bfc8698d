"""HTML builders: the bulky tables written as markup directly, one node per table.

An 800-operation API has some 240 000 table nodes (rows, entries, paragraphs, literals...);
building them and walking them again in the HTML writer and the search indexer was most of a
build. For builders whose ``format`` is ``html`` (html, dirhtml, singlehtml, epub, the
serializing builders), :mod:`render` builds each table here instead, as one
:class:`apidocs_html` node: the table's markup, written as the docutils HTML writer would
(same elements and classes), and, as its only child, the table's plain text, which the search
indexer reads. Every other builder still gets docutils tables.

**Spec text is data**: every piece of it — names, descriptions, enum values, defaults, model
names — goes through :func:`esc` before it is written, and so do the link targets and titles
(from the builder's own URIs) and the labels. :func:`esc` escapes what :func:`html.escape`
does (``& < > "``; attributes are always double-quoted, so ``'`` needs nothing) with the
docutils writer's own character references (and its ``@``), so the output is byte for byte
the docutils tables'. Nothing from the spec is ever written unescaped; backticks become
``<code>`` around escaped text, as elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import unescape
from typing import TYPE_CHECKING, Any

from docutils import nodes

if TYPE_CHECKING:
    from sphinx_apidocs.spec.model import TypeRef
    from sphinx_apidocs.sphinxext.render import ResolveContext

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_BACKTICKS = re.compile(r"``(.+?)``|`([^`\n]+)`")
_SPACES = re.compile(r"(\s+)")
_TAGS = re.compile(r"<[^>]*>")
_SPACE_RUNS = re.compile(r"\s+")


class apidocs_html(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Escaped table markup for HTML writers (``html`` attribute); its one ``Text`` child is
    the table's plain text, for the search index (and ``astext()``)."""


def visit_apidocs_html(translator: Any, node: apidocs_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode


#: As ``docutils.writers._html_base.HTMLTranslator.special_characters``.
_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", '"': "&quot;", ">": "&gt;", "@": "&#64;"})
_ATTRIBUTE_SPACE = str.maketrans("\t\n\r\f", "    ")


def esc(text: Any) -> str:
    """Text (element content or a double-quoted attribute value), escaped."""
    return str(text).translate(_SPECIAL)


def attr(text: str) -> str:
    """An attribute value, escaped, its line breaks made spaces (as docutils' ``attval``)."""
    return text.translate(_SPECIAL).translate(_ATTRIBUTE_SPACE)


# -- inline pieces (each returns markup; every argument from the spec is escaped here) --------


def code(text: str) -> str:
    """An inline literal, as Sphinx writes one (``<span class="pre">`` per word)."""
    if not _SPACES.search(text):
        return f'<code class="docutils literal notranslate"><span class="pre">{esc(text)}</span></code>'
    words = "".join(f'<span class="pre">{esc(part)}</span>' if part.strip() else (part if part in (" ", "\n") else "&#160;" * len(part))
                    for part in _SPACES.split(text) if part)
    return f'<code class="docutils literal notranslate">{words}</code>'


def inline(text: str) -> str:
    """Plain text, with ``backtick`` spans as inline literals; nothing else is interpreted."""
    if "`" not in text:
        return esc(text)
    result: list[str] = []
    position = 0
    for match in _BACKTICKS.finditer(text):
        if match.start() > position:
            result.append(esc(text[position : match.start()]))
        result.append(code(match.group(1) if match.group(1) is not None else match.group(2)))
        position = match.end()
    if position < len(text):
        result.append(esc(text[position:]))
    return "".join(result)


def paragraphs(text: str) -> list[str]:
    """Spec text as ``<p>`` paragraphs, split on blank lines."""
    text = text.strip()
    if not text:
        return []
    if "`" not in text and "\n" not in text:
        return [f"<p>{esc(text)}</p>"]
    return [f"<p>{inline(chunk.strip())}</p>" for chunk in _PARAGRAPH_BREAK.split(text) if chunk.strip()]


def blocks(paragraphs: Sequence[str]) -> str:
    """A cell of several paragraphs, laid out as the docutils writer does."""
    if len(paragraphs) < 2:
        return paragraphs[0] if paragraphs else ""
    return "\n".join(paragraphs) + "\n"


def para(markup: str) -> str:
    """Inline markup as a cell's paragraph (nothing for an empty cell)."""
    return f"<p>{markup}</p>" if markup else ""


def value_codes(values: Iterable[Any]) -> str:
    from sphinx_apidocs.sphinxext.render import _value_text

    return ", ".join(code(_value_text(value)) for value in values)


def link(ctx: ResolveContext, reftype: str, target: str, content: str, resource: str = "") -> str:
    """``content`` (markup) linked to an ``api`` object, or alone when it is not rendered."""
    key = (reftype, target, resource)
    cache = ctx.link_cache
    found = cache.get(key)
    if found is None:
        found = cache[key] = ctx.href(reftype, target, resource)
    if not found:
        return content
    href, title = found
    return f'<a class="reference internal" href="{attr(href)}" title="{attr(title)}">{content}</a>'


def type_markup(ctx: ResolveContext, type_ref: TypeRef | None, resource: str) -> str:
    """``array[Milestone]`` / ``integer (int64)``, with model names linked to their model."""
    if type_ref is None:
        return ""
    if type_ref.variants:
        return " | ".join(type_markup(ctx, variant, resource) or "any" for variant in type_ref.variants)
    if type_ref.ref:
        return link(ctx, "model", type_ref.ref, esc(type_ref.ref), resource)
    if type_ref.type == "array":
        inner = type_markup(ctx, type_ref.items, resource) if type_ref.items else ""
        return f"array[{inner}]"
    return esc(type_ref.display())


def nullable_type(ctx: ResolveContext, type_ref: TypeRef | None, nullable: bool, resource: str) -> str:
    result = type_markup(ctx, type_ref, resource)
    if nullable:
        result += " | null" if result else "null"
    return result


# -- tables ---------------------------------------------------------------------------------


def table_markup(header: Sequence[Any], rows: Iterable[Sequence[str]], classes: Sequence[str]) -> str:
    """One table: ``rows`` of cells, each cell block markup (``<p>...</p>``, or empty)."""
    parts = [
        f'<table class="{esc(" ".join(["api-table", *classes]))} docutils align-default">\n<thead>\n<tr class="row-odd">',
        "\n".join(f'<th class="head"><p>{esc(h)}</p></th>' for h in header),
        "\n</tr>\n</thead>\n<tbody>\n",
    ]
    parity = ("even", "odd")
    for index, row in enumerate(rows):
        parts.append(f'<tr class="row-{parity[index & 1]}">')
        parts.append("\n".join(f"<td>{cell}</td>" for cell in row))
        parts.append("\n</tr>\n")
    parts.append("</tbody>\n</table>\n")
    return "".join(parts)


def table(header: Sequence[Any], rows: Iterable[Sequence[str]], classes: Sequence[str]) -> apidocs_html:
    return block(table_markup(header, rows, classes))


def block(markup: str) -> apidocs_html:
    """A node writing ``markup`` (escaped, made by this module), with its plain text."""
    node = apidocs_html("", html=markup)
    # The plain text, for the search index: the markup without its tags (all spec text in
    # it is escaped, so ``<`` only ever starts a tag).
    plain = unescape(_SPACE_RUNS.sub(" ", _TAGS.sub(" ", markup))).strip()
    text = nodes.Text(plain)
    text.parent = node
    node.children.append(text)
    return node


def classed_paragraphs(text: str, cls: str) -> str:
    """Spec text as paragraphs of class ``cls``, outside a table."""
    return "".join(f'<p class="{cls}">{p[3:]}\n' for p in paragraphs(text))


def rubric(text: Any, cls: str) -> str:
    return f'<p class="api-rubric {cls} rubric">{esc(text)}</p>\n'


def field_list(items: Iterable[tuple[Any, str]]) -> str:
    """A field list of one-paragraph bodies (``items``: label, inline markup)."""
    parts = ['<dl class="api-fields field-list simple">\n']
    for index, (name, body) in enumerate(items):
        cls = "field-odd" if index % 2 == 0 else "field-even"
        parts.append(f'<dt class="{cls}">{esc(name)}<span class="colon">:</span></dt>\n<dd class="{cls}"><p>{body}</p>\n</dd>\n')
    parts.append("</dl>\n")
    return "".join(parts)
