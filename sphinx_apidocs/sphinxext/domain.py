"""The ``api`` domain: operations, resources and models as linkable, indexed objects.

Domain data stays behind properties (as in ``sphinx/domains/rst.py``) and holds only small,
picklable tuples: every description of each object (the first by document name is the link
target, so any order of reading gives the same targets), and per document the fingerprints
of what it shows and the references its links make, which ``incremental`` compares to decide
what to re-read and what to write again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Set
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_apidocs.sphinxext.directives import (
    ChangelogDirective,
    ChangesDirective,
    ModelsDirective,
    OperationDirective,
    ResourceDirective,
    SpecDirective,
)
from sphinx_apidocs.sphinxext.links import qualify
from sphinx_apidocs.sphinxext.state import get_states
from sphinx_apidocs.sphinxext.warnings import Location, Warn, warn

if TYPE_CHECKING:
    from docutils.parsers.rst import Directive
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import RoleFunction

#: objects.inv / search priority: operations and resources first, models below.
PRIORITIES = {"operation": 1, "resource": 1, "model": 2}


def refnode(builder: Builder, fromdocname: str, docname: str, node_id: str, contnode: nodes.Element, title: str) -> nodes.reference:
    """``make_refnode``, but a link within one page in a ``singlehtml`` build: its URIs would
    be ``#document-X#id`` (two fragments: the browser finds no such anchor)."""
    if builder.name == "singlehtml" and node_id:
        node = nodes.reference("", "", internal=True, refid=node_id, reftitle=title)
        node += contnode
        return node
    return make_refnode(builder, fromdocname, docname, node_id, contnode, title)


class ResourceRole(XRefRole):
    """``:api:res:`contracts``` finds ``/contracts`` too: the leading slash is optional (also
    after a version: ``:api:res:`v1:contracts```)."""

    def process_link(
        self, env: BuildEnvironment, refnode: nodes.Element, has_explicit_title: bool, title: str, target: str
    ) -> tuple[str, str]:
        title, target = super().process_link(env, refnode, has_explicit_title, title, target)
        states = get_states(env)
        written = target.strip()
        version, path = states.split(written)
        explicit = path != written  # ``v1:contracts`` names v1 for good; ``contracts`` the default
        path = path if path.startswith("/") else "/" + path
        return title, qualify(version, path) if explicit else path


class ApiDomain(Domain):
    """API reference objects generated from a Swagger-like spec."""

    name = "api"
    label = "API"
    object_types: ClassVar[dict[str, ObjType]] = {
        "operation": ObjType("operation", "op"),
        "resource": ObjType("resource", "res"),
        "model": ObjType("model", "model"),
    }
    directives: ClassVar[dict[str, type[Directive]]] = {
        "operation": OperationDirective,
        "resource": ResourceDirective,
        "spec": SpecDirective,
        "models": ModelsDirective,
        "changelog": ChangelogDirective,
        "changes": ChangesDirective,
    }
    roles: ClassVar[dict[str, RoleFunction | XRefRole]] = {
        "op": XRefRole(warn_dangling=True),
        "res": ResourceRole(warn_dangling=True),
        "model": XRefRole(),
    }
    dangling_warnings: ClassVar[dict[str, str]] = {
        "op": "undefined API operation: %(target)s",
        "res": "undefined API resource: %(target)s",
    }
    initial_data: ClassVar[dict[str, Any]] = {
        # (objtype, name) -> every description with a target, in reading order:
        # [(docname, node_id, dispname, line)]. The first by docname is the link target.
        "described": {},
        "shown": {},  # docname -> {key: fingerprint}
        "refs": {},  # docname -> the references its links make: {(objtype, target, resource)}
        "resolved": {},  # docname -> digest of where those references pointed when last written
    }
    #: 1: every description of an object is kept (``described``), and its references (``refs``).
    data_version = 1
    #: ``objects``, derived from ``described`` (and the bare-name model map), while unchanged.
    _objects_cache: dict[tuple[str, str], tuple[str, str, str]] | None = None
    _model_cache: dict[str, tuple[str, tuple[str, str, str]]] | None = None

    @property
    def described(self) -> dict[tuple[str, str], list[tuple[str, str, str, int | None]]]:
        return self.data.setdefault("described", {})

    @property
    def shown(self) -> dict[str, dict[str, str]]:
        return self.data.setdefault("shown", {})

    @property
    def refs(self) -> dict[str, set[tuple[str, str, str]]]:
        return self.data.setdefault("refs", {})

    @property
    def resolved(self) -> dict[str, str]:
        return self.data.setdefault("resolved", {})

    @property
    def objects(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(objtype, name) -> (docname, node_id, dispname) of the link target: the first
        description by document name (first in the document), whatever order documents were
        read in — so a rebuild that re-reads some documents agrees with a fresh build."""
        if self._objects_cache is None:
            self._objects_cache = {
                key: min(entries, key=lambda entry: entry[0])[:3] for key, entries in self.described.items() if entries
            }
        return self._objects_cache

    def _changed(self) -> None:
        self._objects_cache = None
        self._model_cache = None

    def note_object(self, objtype: str, name: str, node_id: str, dispname: str, location: Location = None) -> None:
        """Record a description (duplicates are reported by :meth:`check_consistency`)."""
        line = getattr(location, "line", None) if isinstance(location, nodes.Node) else None
        self.described.setdefault((objtype, name), []).append((self.env.docname, node_id, dispname, line))
        self._changed()

    def note_shown(self, docname: str, shown: dict[str, str]) -> None:
        self.shown.setdefault(docname, {}).update(shown)

    def note_refs(self, docname: str, refs: set[tuple[str, str, str]]) -> None:
        """The references the links of ``docname`` make (see ``incremental``)."""
        if refs:
            self.refs.setdefault(docname, set()).update(refs)

    def clear_doc(self, docname: str) -> None:
        for key, entries in list(self.described.items()):
            kept = [entry for entry in entries if entry[0] != docname]
            if len(kept) != len(entries):
                if kept:
                    self.described[key] = kept
                else:
                    del self.described[key]
        self.shown.pop(docname, None)
        self.refs.pop(docname, None)
        self.resolved.pop(docname, None)
        self._changed()

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key, entries in otherdata["described"].items():
            mine = [entry for entry in entries if entry[0] in docnames]
            if mine:
                self.described.setdefault(key, []).extend(mine)
        self._changed()
        for docname, shown in otherdata["shown"].items():
            if docname in docnames:
                self.shown[docname] = shown
        for docname, refs in otherdata["refs"].items():
            if docname in docnames:
                self.refs[docname] = refs

    def check_consistency(self) -> None:
        """Every object described twice with a target, once per build (whichever documents
        were read): the target is the first description; each other one is named."""
        for (objtype, name), entries in sorted(self.described.items()):
            if len(entries) < 2:
                continue
            first, *others = sorted(entries, key=lambda entry: entry[0])
            for docname, _node_id, _disp, line in others:
                warn(
                    Warn.DUPLICATE,
                    f"duplicate description of API {objtype} {name}, other instance in {first[0]}; "
                    "use :no-index: on one of them",
                    location=(docname, line),
                )

    def find(self, objtype: str, target: str, resource: str = "") -> tuple[str, tuple[str, str, str]] | None:
        """The object for a target; a model is looked up as the referring resource sees it
        and found where it is documented (``apidocs_shared_models``). In a build of several
        API versions, ``v1:list-users`` names ``list-users`` of version ``v1``; a name
        without a known version prefix is in the default one (see ``BuildStates.split``)."""
        states = get_states(self.env)
        version, target = states.split(target)
        if objtype != "model":
            name = qualify(version, target)
            found = self.objects.get((objtype, name))
            return (name, found) if found else None
        state = states.get(version)
        placement = state.placement() if state is not None else None
        if placement is not None and placement.mode == "page":
            placed = placement.resolve(target, resource)
            if placed is not None:  # a model of the spec: where it is documented, or nowhere
                name = qualify(version, placed.name)
                found = self.objects.get(("model", name))
                return (name, found) if found else None
        name = qualify(version, target if ":" in target else f"{resource}:{target}")
        found = self.objects.get(("model", name))
        if found:
            return name, found
        return self._models_by_name().get(qualify(version, target.rpartition(":")[2]))

    def _models_by_name(self) -> dict[str, tuple[str, tuple[str, str, str]]]:
        """Bare model name -> first rendered model of that name (cached while unchanged)."""
        if self._model_cache is None:
            names: dict[str, tuple[str, tuple[str, str, str]]] = {}
            split = get_states(self.env).split
            for (typ, name), value in sorted(self.objects.items()):
                if typ == "model":
                    version, bare = split(name)
                    names.setdefault(qualify(version, bare.rpartition(":")[2]), (name, value))
            self._model_cache = names
        return self._model_cache

    def reference_digest(self, refs: set[tuple[str, str, str]]) -> str:
        """Where ``refs`` point now (a digest): a document whose digest changed since it was
        last written must be written again, its links re-resolved."""
        resolved = []
        for objtype, target, resource in sorted(refs):
            types = ("operation", "resource", "model") if objtype == "any" else (objtype,)
            for typ in types:
                found = self.find(typ, target, resource)
                resolved.append((objtype, target, resource, typ, found))
        return hashlib.sha256(repr(resolved).encode()).hexdigest()

    def resolve_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder, typ: str,
        target: str, node: pending_xref, contnode: nodes.Element,
    ) -> nodes.reference | None:
        for objtype in self.objtypes_for_role(typ) or ():
            found = self.find(objtype, target, node.get("api:resource", ""))
            if found:
                name, (docname, node_id, _disp) = found
                return refnode(builder, fromdocname, docname, node_id, contnode, f"{name} ({objtype})")
        # Not found: intersphinx may know it; else Sphinx keeps the text. An unrendered model
        # is not an error (``model`` references do not warn, except with ``nitpicky``).
        return None

    def resolve_any_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder, target: str,
        node: pending_xref, contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        results: list[tuple[str, nodes.reference]] = []
        for objtype in ("operation", "resource", "model"):
            found = self.find(objtype, target, node.get("api:resource", ""))
            if found:
                name, (docname, node_id, _disp) = found
                role = f"api:{self.role_for_objtype(objtype)}"
                results.append((role, refnode(builder, fromdocname, docname, node_id, contnode, f"{name} ({objtype})")))
        return results

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for (objtype, name), (docname, node_id, dispname) in self.objects.items():
            # One line each in ``objects.inv``: a path or webhook name may hold line breaks.
            yield name, " ".join(dispname.split()), objtype, docname, node_id, PRIORITIES.get(objtype, 1)


def setup_domain(app: Sphinx) -> None:
    app.add_domain(ApiDomain)
