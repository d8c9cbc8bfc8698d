"""Where a :class:`~sphinx_apidocs.sphinxext.content.Link` points, for both writers.

A link names an ``api`` object (``op``/``res``/``model`` and a target); the domain knows the
document and node id each rendered object got. :class:`Links` looks each target up once per
document being written; the writers turn the answer into a ``reference`` node
(``write_nodes``) or an ``<a>`` element (``fasthtml``), so both link the same objects with the
same title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from sphinx.builders import Builder

    from sphinx_apidocs.sphinxext.content import Link

#: Role name of the ``api`` domain -> object type.
OBJTYPES = {"op": "operation", "res": "resource", "model": "model"}


class ObjectFinder(Protocol):
    """What links need of the ``api`` domain (``ApiDomain.find``)."""

    def find(self, objtype: str, target: str, resource: str = "") -> tuple[str, tuple[str, str, str]] | None:
        """``(name, (docname, node_id, dispname))`` of the object, or ``None``."""


class Target(NamedTuple):
    """A rendered object: its document, its node id and the title a link to it carries."""

    docname: str
    node_id: str
    title: str


class Links:
    """The targets of links written into one document (``docname``) by ``builder``."""

    def __init__(self, finder: ObjectFinder, builder: Builder, docname: str) -> None:
        self.finder = finder
        self.builder = builder
        self.docname = docname
        self._found: dict[tuple[str, str, str], Target | None] = {}

    def target(self, link: Link) -> Target | None:
        """The object ``link`` names, or ``None`` when it is not rendered anywhere."""
        key = (link.reftype, link.target, link.resource)
        try:
            return self._found[key]
        except KeyError:
            pass
        objtype = OBJTYPES[link.reftype]
        found = self.finder.find(objtype, link.target, link.resource)
        target = None
        if found is not None:
            name, (docname, node_id, _dispname) = found
            target = Target(docname, node_id, f"{name} ({objtype})")
        self._found[key] = target
        return target
