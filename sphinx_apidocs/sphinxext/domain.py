"""The ``api`` domain: operations, resources and models as linkable, indexed objects.

Domain data stays behind properties (as in ``sphinx/domains/rst.py``) and holds only small,
picklable tuples: the objects for references and ``objects.inv``, and per document the
fingerprints of what it shows, which ``incremental`` compares to decide what to re-read.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_apidocs.sphinxext.directives import OperationDirective, ResourceDirective, SpecDirective
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


class ResourceRole(XRefRole):
    """``:api:res:`contracts``` finds ``/contracts`` too: the leading slash is optional."""

    def process_link(
        self, env: BuildEnvironment, refnode: nodes.Element, has_explicit_title: bool, title: str, target: str
    ) -> tuple[str, str]:
        title, target = super().process_link(env, refnode, has_explicit_title, title, target)
        target = target.strip()
        return title, target if target.startswith("/") else "/" + target


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
        "objects": {},  # (objtype, name) -> (docname, node_id, dispname)
        "shown": {},  # docname -> {key: fingerprint}
    }
    #: Bare model name -> first rendered model of that name, and ``len(objects)`` it is for.
    _model_cache: tuple[int, dict[str, tuple[str, tuple[str, str, str]]]] | None = None

    @property
    def objects(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        return self.data.setdefault("objects", {})

    @property
    def shown(self) -> dict[str, dict[str, str]]:
        return self.data.setdefault("shown", {})

    def note_object(self, objtype: str, name: str, node_id: str, dispname: str, location: Location = None) -> None:
        docname = self.env.docname
        if (objtype, name) in self.objects:
            other = self.objects[objtype, name][0]
            warn(
                Warn.DUPLICATE,
                f"duplicate description of API {objtype} {name}, other instance in {other}; "
                "use :no-index: on one of them",
                location=location,
            )
        self.objects[objtype, name] = (docname, node_id, dispname)
        self._model_cache = None

    def note_shown(self, docname: str, shown: dict[str, str]) -> None:
        self.shown.setdefault(docname, {}).update(shown)

    def clear_doc(self, docname: str) -> None:
        for key, (doc, _node_id, _disp) in list(self.objects.items()):
            if doc == docname:
                del self.objects[key]
        self.shown.pop(docname, None)
        self._model_cache = None

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key, value in otherdata["objects"].items():
            if value[0] in docnames:
                if key in self.objects and self.objects[key][0] != value[0]:
                    warn(
                        Warn.DUPLICATE,
                        f"duplicate description of API {key[0]} {key[1]}, in {self.objects[key][0]} and "
                        f"{value[0]}; use :no-index: on one of them",
                        location=(value[0], None),
                    )
                self.objects[key] = value
        self._model_cache = None
        for docname, shown in otherdata["shown"].items():
            if docname in docnames:
                self.shown[docname] = shown

    def find(self, objtype: str, target: str, resource: str = "") -> tuple[str, tuple[str, str, str]] | None:
        """The object for a target; a model is looked up in the referring resource first."""
        if objtype != "model":
            found = self.objects.get((objtype, target))
            return (target, found) if found else None
        qualified = target if ":" in target else f"{resource}:{target}"
        found = self.objects.get(("model", qualified))
        if found:
            return qualified, found
        return self._models_by_name().get(target.rpartition(":")[2])

    def _models_by_name(self) -> dict[str, tuple[str, tuple[str, str, str]]]:
        """Bare model name -> first rendered model of that name (cached while unchanged)."""
        key = len(self.objects)
        cache = self._model_cache
        if cache is None or cache[0] != key:  # objects change only while documents are read
            names: dict[str, tuple[str, tuple[str, str, str]]] = {}
            for (typ, name), value in sorted(self.objects.items()):
                if typ == "model":
                    names.setdefault(name.rpartition(":")[2], (name, value))
            cache = self._model_cache = (key, names)
        return cache[1]

    def resolve_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Builder, typ: str,
        target: str, node: pending_xref, contnode: nodes.Element,
    ) -> nodes.reference | None:
        for objtype in self.objtypes_for_role(typ) or ():
            found = self.find(objtype, target, node.get("api:resource", ""))
            if found:
                name, (docname, node_id, _disp) = found
                return make_refnode(builder, fromdocname, docname, node_id, contnode, f"{name} ({objtype})")
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
                results.append((role, make_refnode(builder, fromdocname, docname, node_id, contnode, f"{name} ({objtype})")))
        return results

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for (objtype, name), (docname, node_id, dispname) in self.objects.items():
            yield name, dispname, objtype, docname, node_id, PRIORITIES.get(objtype, 1)


def setup_domain(app: Sphinx) -> None:
    app.add_domain(ApiDomain)
