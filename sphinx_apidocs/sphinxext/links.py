"""Where a :class:`~sphinx_apidocs.sphinxext.content.Link` points, for both writers.

A link names an ``api`` object (``op``/``res``/``model`` and a target); the domain knows the
document and node id each rendered object got. :class:`Links` looks each target up once per
document being written; the writers turn the answer into a ``reference`` node
(``write_nodes``) or an ``<a>`` element (``fasthtml``), so both link the same objects with the
same title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from sphinx_apidocs.spec.model import ApiSpec, Model, Resource, TypeRef
from sphinx_apidocs.sphinxext.fields import ModelIndex

if TYPE_CHECKING:
    from sphinx.builders import Builder

    from sphinx_apidocs.sphinxext.content import Link

def qualify(version: str, name: str) -> str:
    """An object's name in the domain and ``objects.inv``: ``v2:list-users`` for an object of
    API version ``v2`` (``apidocs_versions``), the name itself without a version."""
    return f"{version}:{name}" if version else name


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

    def __init__(self, finder: ObjectFinder, builder: Builder, docname: str, version: str = "") -> None:
        self.finder = finder
        self.builder = builder
        self.docname = docname
        self.version = version  # the API version of the body being written ("": unversioned)
        self._found: dict[tuple[str, str, str, str | None], Target | None] = {}

    def target(self, link: Link) -> Target | None:
        """The object ``link`` names, or ``None`` when it is not rendered anywhere."""
        key = (link.reftype, link.target, link.resource, link.version)
        try:
            return self._found[key]
        except KeyError:
            pass
        objtype = OBJTYPES[link.reftype]
        version = self.version if link.version is None else link.version
        found = self.finder.find(objtype, qualify(version, link.target), link.resource)
        target = None
        if found is not None:
            name, (docname, node_id, _dispname) = found
            target = Target(docname, node_id, f"{name} ({objtype})")
        self._found[key] = target
        return target

    def on_this_page(self, target: Target) -> bool:
        """Is ``target`` on the page being written (a link is then ``#node_id``)? Always in a
        single-page build: ``singlehtml`` would give ``#document-X#id`` (no such anchor), and
        Sphinx no longer rewrites those after ``doctree-resolved``, when bodies are made."""
        return bool(target.node_id) and (target.docname == self.docname or self.builder.name == "singlehtml")


# -- where each model is documented ---------------------------------------------------------

#: :attr:`PlacedModel.where` of the models documented on the shared models page.
MODELS_PAGE = ""

@dataclass(frozen=True)
class PlacedModel:
    """A model as documented once: where, under which object name, read in which resource.

    ``home`` is the resource whose declaration holds the model (its body is rendered, and the
    links in it resolved, in that resource's scope); ``where`` the resource whose page
    documents it, or :data:`MODELS_PAGE`; ``name`` the object name of its link target.
    """

    home: str
    key: str
    model: Model
    where: str
    name: str


class ModelPlacement:
    """Where each model of the spec is documented (``apidocs_shared_models``).

    ``"page"``: a model reached (through operation types, properties, array items and
    variants) by exactly one resource is documented with that resource; one reached by
    several resources, or by none, on the models page (:data:`MODELS_PAGE`). Swagger 1.x
    scopes models per declaration: a model belongs to the resources that declare it as well
    as to those reaching it, and models of the same name are one model only where they are
    identical. ``"first"``: every resource documents the models of its own declaration (for
    OpenAPI, those it is the first to reach), as before.
    """

    def __init__(self, spec: ApiSpec, index: ModelIndex, resources: Mapping[str, Resource], mode: str = "page") -> None:
        self.mode = mode
        self._on: dict[str, list[PlacedModel]] = {}
        self._of: dict[int, PlacedModel] = {}  # id(model) -> its placement
        self._index = index
        self._keep: list[Model] = []  # the models ``_of`` is keyed by, kept alive
        self._children: dict[int, list[int]] = {}  # entity -> the entities its properties name
        if mode == "first":
            for path, resource in resources.items():
                for key, model in resource.models.items():
                    self._add(model, PlacedModel(path, key, model, path, f"{path}:{model.id}"))
            return
        scoped = spec.swagger_version.startswith("1")
        # One entity per distinct model: (home, key, model) of its first declaration; its
        # declaring resources (Swagger 1.x only) and the resources reaching it.
        entities: list[tuple[str, str, Model]] = []
        entity_of: dict[int, int] = {}
        owners: list[set[str]] = []
        by_key: dict[str, list[int]] = {}
        for path, resource in resources.items():
            for key, model in resource.models.items():
                found = next((e for e in by_key.get(key, ()) if entities[e][2] == model), None) if scoped else None
                if found is None:
                    found = len(entities)
                    entities.append((path, key, model))
                    owners.append(set())
                    by_key.setdefault(key, []).append(found)
                entity_of[id(model)] = found
                self._keep.append(model)
                if scoped:
                    owners[found].add(path)
        for path, resource in resources.items():
            for entity in self._reached(resource, entity_of, entities):
                owners[entity].add(path)
        members: list[list[int]] = [[] for _ in entities]  # entity -> id() of its declarations
        for model_id, entity in entity_of.items():
            members[entity].append(model_id)
        shared = [e for e in range(len(entities)) if len(owners[e]) != 1]
        ids = Counter(entities[e][2].id for e in shared)
        for entity, (home, key, model) in enumerate(entities):
            if len(owners[entity]) == 1:
                (where,) = owners[entity]
                name = f"{where}:{model.id}"
            else:  # on the models page: the bare name where it is unambiguous
                where = MODELS_PAGE
                name = model.id if ids[model.id] == 1 and not model.id.startswith("/") else f"{home}:{model.id}"
            placed = PlacedModel(home, key, model, where, name)
            self._on.setdefault(where, []).append(placed)
            for model_id in members[entity]:
                self._of[model_id] = placed
        if MODELS_PAGE in self._on:  # a reference of many models: alphabetical
            self._on[MODELS_PAGE].sort(key=lambda p: (p.model.id.casefold(), p.model.id, p.home))

    def _add(self, model: Model, placed: PlacedModel) -> None:
        self._keep.append(model)
        self._of[id(model)] = placed
        self._on.setdefault(placed.where, []).append(placed)

    def _reached(self, resource: Resource, entity_of: dict[int, int], entities: list[tuple[str, str, Model]]) -> set[int]:
        """The entities the operations of ``resource`` reach, transitively. The models a
        model refers to are resolved once (in the scope of its declaration), not once per
        resource: large APIs reach most of their models from most resources."""
        path = resource.resource_path
        roots: list[TypeRef | str | None] = []
        for op in resource.operations:
            roots.append(op.response_type)
            roots.extend(p.type for p in op.parameters)
            for message in op.response_messages:
                roots.append(message.type)
                roots.append(message.model)
        stack = self._refers_to(roots, path, entity_of)
        seen: set[int] = set()
        while stack:
            entity = stack.pop()
            if entity in seen:
                continue
            seen.add(entity)
            children = self._children.get(entity)
            if children is None:
                home, _key, model = entities[entity]
                children = self._children[entity] = self._refers_to([p.type for p in model.properties], home, entity_of)
            stack.extend(children)
        return seen

    def _refers_to(self, types: list[TypeRef | str | None], scope: str, entity_of: dict[int, int]) -> list[int]:
        """The entities ``types`` name (through array items and variants), seen from ``scope``."""
        found: list[int] = []
        stack = list(types)
        while stack:
            item = stack.pop()
            if item is None:
                continue
            if isinstance(item, TypeRef):
                stack.extend(item.variants)
                if item.items is not None:
                    stack.append(item.items)
                name = item.ref
            else:
                name = item
            if name:
                model = self._index.find(name, scope)
                entity = entity_of.get(id(model)) if model is not None else None
                if entity is not None:
                    found.append(entity)
        return found

    def on(self, where: str) -> list[PlacedModel]:
        """The models documented with resource ``where`` (or on the models page), in spec order."""
        return self._on.get(where, [])

    def resolve(self, target: str, resource: str = "") -> PlacedModel | None:
        """The model a link means: ``/res:Name`` (``Name`` as ``/res`` sees it) or ``Name``
        (as ``resource`` sees it); ``None`` when the spec has no such model."""
        if target.startswith("/") and ":" in target:
            resource, _, target = target.rpartition(":")
        model = self._index.find(target, resource)
        return self._of.get(id(model)) if model is not None else None
