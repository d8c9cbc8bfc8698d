"""What a generated body shows, as plain data: blocks of inline runs, nothing else.

An operation, resource, model or the API overview is turned into these objects once
(:mod:`compose`), and a writer turns them into output: :mod:`write_nodes` into docutils nodes
(every builder), :mod:`fasthtml` into escaped markup (HTML builders). A change to what a page
shows is made once, in ``compose``; a new kind of block or run is taught to both writers, and
``tests/test_content_parity.py`` checks that they still write the same HTML.

No docutils, no Sphinx here: text is plain ``str``, links name their
target (``op``/``res``/``model`` and the referring resource) and are resolved by the writer.
Every string here is spec data or a label: writers escape all of it.
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
    looked up in ``resource`` first (Swagger 1.2 scopes models per declaration).
    """

    reftype: str
    target: str
    runs: tuple[Inline, ...]
    resource: str = ""


Inline = Union[Text, Code, Strong, Link]


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


#: A table cell: its paragraphs (none for an empty cell).
Cell = tuple[Paragraph, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with one header row; ``widths`` are relative column widths (LaTeX, text)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...]
    classes: tuple[str, ...] = ()


Block = Union[Paragraph, Rubric, FieldList, Table]
