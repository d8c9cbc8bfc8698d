"""What a generated body shows, as plain data: blocks of inline runs, nothing else.

An operation, resource, model or the API overview is turned into these objects once
(:mod:`compose`), and a writer turns them into output: :mod:`write_nodes` into docutils nodes
(every builder), :mod:`fasthtml` into escaped markup (HTML builders). A change to what a page
shows is made once, in ``compose``; a new kind of block or run is taught to both writers, and
``tests/test_content_parity.py`` checks that they still write the same HTML.

No docutils, no Sphinx here: text is plain ``str``, links name their
target (``op``/``res``/``model`` and the referring resource) and are resolved by the writer.
Every string here is spec data or a label: writers escape all of it. Formatted spec text
(CommonMark, the HTML subset of Swagger 1.x) is parsed into these kinds by :mod:`markup`; an
:class:`ExternalLink` only ever holds a URL that :func:`markup.safe_url` accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text."""

    text: str


@dataclass(frozen=True, slots=True)
class Code:
    """An inline literal (a name, a value, a ``backtick`` span of spec text)."""

    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    """Strong emphasis (the "Deprecated." mark)."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """``runs`` linked to an ``api`` object; the runs alone when that object is not rendered.

    ``reftype`` is a role name of the ``api`` domain (``op``, ``res``, ``model``); a model is
    looked up in ``resource`` first (Swagger 1.2 scopes models per declaration), in the API
    version ``version`` (a version picker links to the others).
    """

    reftype: str
    target: str
    runs: tuple[Inline, ...]
    resource: str = ""
    #: The API version of the target (``apidocs_versions``); ``None``: the page's own.
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Emphasized ``runs`` (``*x*``, ``<i>``); ``strong`` for strong emphasis (``**x**``, ``<b>``)."""

    runs: tuple[Inline, ...]
    strong: bool = False


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """``runs`` linked to ``url``: ``http``, ``https``, ``mailto`` or relative (see ``markup``)."""

    url: str
    runs: tuple[Inline, ...]


Inline = Union[Text, Code, Strong, Emphasis, Link, ExternalLink]


@dataclass(frozen=True, slots=True)
class Paragraph:
    runs: tuple[Inline, ...]
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rubric:
    """A small heading that is not a section (no TOC entry, no target)."""

    text: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Field:
    """One ``label: value`` line of a :class:`FieldList`."""

    label: str
    runs: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class FieldList:
    fields: tuple[Field, ...]
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Lines kept apart (text with hard line breaks: ``<br>``, a Markdown hard break)."""

    lines: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    """A list; each item is a tuple of blocks. ``ordered`` numbers them from ``start``."""

    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text, highlighted as ``language`` (a Pygments lexer name: ``json``,
    ``bash``, ``python``; ``text`` for none) where the builder highlights."""

    text: str
    language: str = "text"


#: A table cell: its blocks (none for an empty cell).
Cell = tuple["Block", ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with one header row; ``widths`` are relative column widths (LaTeX, text)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...]
    classes: tuple[str, ...] = ()


Block = Union[Paragraph, Rubric, FieldList, Table, LineBlock, BulletList, CodeBlock]
