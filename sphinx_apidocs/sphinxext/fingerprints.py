"""Per-document fingerprints: a digest of everything a document shows for one key.

Keys: ``op:NICK`` (an operation, webhook or callback; a parent's lists its callbacks), ``res:PATH`` (a resource with the models documented on
its page), ``models`` (the models documented on the models page: a model moving between a
resource page and the models page changes both), ``spec`` (the overview), ``spec-ops`` (the
list of operations), ``page:NAME`` (which resource a generated page shows), ``versions`` (the changes between API
versions). An operation's digest includes its version picker (the versions that have it). A document records the digests of what it shows; ``incremental`` re-reads it when
one differs in a later build. Each digest is computed once per build, and each model and
operation is hashed once however many operations and resources show it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping

from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Resource
from sphinx_apidocs.sphinxext.changelog import History
from sphinx_apidocs.sphinxext.fields import ModelIndex
from sphinx_apidocs.sphinxext.filter_entries import FilterEntry
from sphinx_apidocs.sphinxext.links import MODELS_PAGE, ModelPlacement, PlacedModel
from sphinx_apidocs.sphinxext.version_set import VersionSet


class Fingerprints:
    """The digests of one build's spec and filters (see the module)."""

    def __init__(
        self,
        spec: ApiSpec | None,
        operations: Mapping[str, Operation],
        resources: Mapping[str, Resource],
        filters: Mapping[str, FilterEntry],
        index: ModelIndex | None,
        placement: ModelPlacement | None = None,
        callbacks: Mapping[str, list[Operation]] | None = None,
        history: History | None = None,
        versions: VersionSet | None = None,
        version: str = "",
    ) -> None:
        self.spec = spec
        self.operations = operations
        self.resources = resources
        self.filters = filters
        self.index = index
        self.placement = placement
        self.history = history  # the changelog: its page, and each operation's History
        self.versions = versions  # the API versions: each operation's picker, api:changes between them
        self.version = version  # the version shown ("": the unversioned spec, no picker)
        self.callbacks = callbacks or {}  # parent nickname -> its callbacks (listed on its page)
        self.pages: Mapping[str, str] = {}  # generated page name -> resource path
        self._digests: dict[str, str] = {}
        self._model_digests: dict[int, tuple[Model, str]] = {}
        self._operation_digests: dict[int, tuple[Operation, str]] = {}

    def note_pages(self, pages: Mapping[str, str]) -> None:
        """The generated pages changed: forget their digests."""
        self.pages = dict(pages)
        self._digests = {k: v for k, v in self._digests.items() if not k.startswith("page:")}

    def __getitem__(self, key: str) -> str:
        value = self._digests.get(key)
        if value is None:
            value = self._digests[key] = hashlib.sha256(self._content(key).encode()).hexdigest()
        return value

    def _model_digest(self, model: Model) -> tuple[str, str]:
        """``(id, sha256 of the model)``, computed once per model object."""
        found = self._model_digests.get(id(model))
        if found is None or found[0] is not model:
            found = self._model_digests[id(model)] = (model, hashlib.sha256(repr(model).encode()).hexdigest())
        return model.id, found[1]

    def _operation_digest(self, op: Operation) -> str:
        """The sha256 of an operation's data, computed once per operation object (its page
        and its resource's page both show it)."""
        found = self._operation_digests.get(id(op))
        if found is None or found[0] is not op:
            found = self._operation_digests[id(op)] = (op, hashlib.sha256(repr(op).encode()).hexdigest())
        return found[1]

    def _placed(self, where: str) -> list[tuple[str, str, str, tuple[str, str]]]:
        """The models documented with ``where`` (a resource, or the models page): their object
        names, homes, keys and digests."""
        placed: list[PlacedModel] = self.placement.on(where) if self.placement is not None else []
        return [(p.name, p.home, p.key, self._model_digest(p.model)) for p in placed]

    def _content(self, key: str) -> str:
        kind, _, name = key.partition(":")
        if self.spec is None:
            return "no spec"
        if kind == "op":
            op = self.operations.get(name)
            if op is None:
                return "absent"
            # The page shows the response and request models (fields, examples), the schemes
            # its requirements name and the URL of its request samples.
            roots = [op.response_type, *(p.type for p in op.parameters if p.location in ("body", "form"))]
            reachable = [m for root in roots for m in self.index.reachable(root, op.resource_path)] if self.index else []
            entry = self.filters.get(name)
            whitelist = entry.paths if entry else None
            schemes = [self.spec.security_schemes.get(n) for r in op.security for n, _ in r.schemes]
            resource = self.resources.get(op.resource_path)
            where = (self.spec.base_url, resource.base_path if resource else "")
            # A parent lists its callbacks (a callback's page names its parent: ``op`` has it).
            listed = [(c.nickname, c.method, c.path, c.summary) for c in self.callbacks.get(name, ())]
            marks = self.history.marks(name) if self.history is not None else []
            lineage = self.versions.lineage(name) if self.versions is not None and self.version else None
            return repr((self._operation_digest(op), [self._model_digest(m) for m in reachable], whitelist, schemes, where, listed, marks, lineage))
        if kind == "res":
            resource = self.resources.get(name)
            if resource is None:
                return "absent"
            # The resource's own data, its operations in full, its models by digest (large
            # APIs share big models between many resources and operations: each is hashed once).
            stable = dataclasses.replace(resource, source="", digest="", apis=(), models={})
            apis = [(api.path, api.description, [self._operation_digest(op) for op in api.operations]) for api in resource.apis]
            models = self._placed(name)
            paths = [self.filters[op.nickname].paths if op.nickname in self.filters else None for op in resource.operations]
            return repr((stable, apis, models, paths))
        if kind == "changelog":  # every release and change, and which operations exist to link to
            return repr((self.history.digest() if self.history is not None else None, sorted(self.operations)))
        if kind == "versions":  # api:changes between versions: every change, and what exists to link to
            return self.versions.digest() if self.versions is not None else "no versions"
        if kind == "models":
            return repr(self._placed(MODELS_PAGE))
        if kind == "page":  # which resource a generated page shows
            return repr(self.pages.get(name))
        if kind == "spec-ops":
            return repr([(o.nickname, o.kind, o.method, o.path, o.summary) for o in self.operations.values()])
        resources = [(r.resource_path, r.description, sum(1 for _ in r.operations)) for r in self.spec.resources]
        spec = self.spec
        return repr((spec.info, spec.swagger_version, resources, spec.base_url, spec.security_schemes, spec.security))
