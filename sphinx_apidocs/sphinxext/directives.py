"""``api:operation``, ``api:resource`` and ``api:spec``: look up, describe, record what is shown.

Operations, resources and models are described the way Sphinx describes objects, as
``py:function`` is: each is an :class:`~sphinx.directives.ObjectDescription` — a ``desc``
node with a signature line (``handle_signature``), a link target and index entries
(``add_target_and_index``), an entry in the page's table of contents
(``_object_hierarchy_parts`` and ``_toc_entry_name``, the hooks Sphinx documents for domains)
and a body: the :func:`~.render.placeholder` filled when the page is written (``render``),
then the author's own content. A resource describes its operations and models as objects
nested in its body, made as a nested directive would be (:func:`nested`), from the spec's
objects themselves: no reST is generated, spec text is data.

The directives never load anything: the spec and filters were loaded once for the build
(``state``). Each records the fingerprint of what it rendered in the domain
(:class:`ReadContext`), so a rebuild re-reads this document exactly when that changes
(``incremental``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.directives import ObjectDescription
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_id

from sphinx_apidocs.spec.model import Operation, Resource
from sphinx_apidocs.sphinxext.compose import operation_title
from sphinx_apidocs.sphinxext.links import MODELS_PAGE, PlacedModel, qualify
from sphinx_apidocs.sphinxext.markup import plain_line
from sphinx_apidocs.sphinxext.render import placeholder
from sphinx_apidocs.sphinxext.state import DEFAULT_KEY, PENDING, BuildState, get_state, shown_key
from sphinx_apidocs.sphinxext.warnings import Location, Warn, warn

if TYPE_CHECKING:
    from sphinx.util.typing import OptionSpec

T = TypeVar("T")
D = TypeVar("D", bound="ApiObject[Any]")



#: Sphinx reads ``;`` in a ``single`` index entry as "sub-entry" and a leading ``!`` as "main
#: entry": in spec text they become look-alike characters, so a spec cannot shape the index.
_INDEX_MARKUP = str.maketrans({";": "\N{GREEK QUESTION MARK}"})


def index_text(text: str) -> str:
    """``text`` as an index entry that Sphinx shows as it is (no sub-entries, no main mark)."""
    text = text.translate(_INDEX_MARKUP)
    return "\N{LATIN LETTER RETROFLEX CLICK}" + text[1:] if text.startswith("!") else text

class ObjectRegistry(Protocol):
    """What the directives need of the ``api`` domain: recording objects and what is shown."""

    def note_object(self, objtype: str, name: str, node_id: str, dispname: str, location: Location = None) -> None: ...

    def note_shown(self, docname: str, shown: dict[str, str]) -> None: ...


@dataclass
class ReadContext:
    """One directive being read: the build's state, and what the document shows (for rebuilds)."""

    state: BuildState
    domain: ObjectRegistry
    docname: str
    shown: dict[str, str] = field(default_factory=dict)  # key -> fingerprint

    @classmethod
    def of(cls, directive: SphinxDirective) -> ReadContext:
        """The context of ``directive``, in the API version of its ``:version:`` option (the
        build's default one without it)."""
        env = directive.env
        version = directive.options.get("version")
        ctx = cls(get_state(env, version), cast(ObjectRegistry, env.get_domain("api")), env.docname)
        if version is None and ctx.state.version:  # the newest version, chosen now
            ctx.shown[DEFAULT_KEY] = ctx.state.version  # re-read when another one is the newest
        return ctx

    @property
    def version(self) -> str:
        """The API version shown (``""``: the unversioned spec)."""
        return self.state.version

    def show(self, key: str) -> None:
        """The document shows ``key`` (``op:NICK``, ``res:PATH``, ...): re-read it when that changes."""
        self.shown[shown_key(self.version, key)] = PENDING  # put in once reading is over

    def record(self) -> None:
        """Keep what was shown in the domain (once the directive is done)."""
        self.domain.note_shown(self.docname, self.shown)

    def no_spec(self, directive: SphinxDirective, key: str) -> bool:
        """Warn and record ``key`` when there is no spec to look in."""
        if self.state.spec is not None:
            return False
        self.show(key)
        warn(Warn.SPEC, f"cannot render {directive.name}: {self.state.problem}", location=directive.get_location())
        return True


class ApiObject(ObjectDescription[str], Generic[T]):
    """An operation, resource or model (``subject``), described by :meth:`describe`.

    As a directive in a document, :meth:`run` looks the subject up by the argument (warning
    when it is not in the spec) and records what the document shows; nested in another
    object, the parent calls :meth:`describe` with the subject itself (see :func:`nested`).
    """

    option_spec: ClassVar[OptionSpec] = {"no-index": directives.flag, "version": directives.unchanged_required}
    final_argument_whitespace = True  # OpenAPI operationIds and tags may contain spaces
    #: The object type (``api:<kind>``), as the directive is named.
    kind: ClassVar[str]
    #: Node id prefix of the object's target (``api-op-get-contract``).
    prefix: ClassVar[str]

    ctx: ReadContext
    subject: T

    def run(self) -> list[nodes.Node]:
        self.ctx = ReadContext.of(self)
        subject = self.lookup()
        result = self.describe(subject) if subject is not None else []
        self.ctx.record()
        return result

    def lookup(self) -> T | None:
        """The subject the argument names; ``None`` (after a warning) when there is none."""
        raise NotImplementedError

    def describe(self, subject: T) -> list[nodes.Node]:
        """Index entries and the ``desc`` node of ``subject`` (:meth:`ObjectDescription.run`)."""
        self.subject = subject
        return super().run()

    def get_signatures(self) -> list[str]:
        """One signature, the name as given: no line splitting, no backslash handling."""
        return [self.arguments[0]]

    def parse_content_to_nodes(self, allow_section_headings: bool = False) -> list[nodes.Node]:
        """The author's content (reST, without section headings); nothing to parse for the
        objects a resource generates."""
        return super().parse_content_to_nodes(allow_section_headings=False) if self.content else []

    def add_target_and_index(self, name: str, sig: str, signode: addnodes.desc_signature) -> None:
        """The object's target: ``v2:list-users`` in API version ``v2`` (see ``links.qualify``)."""
        name = qualify(self.ctx.version, name)
        node_id = make_id(self.env, self.state.document, self.prefix, name)
        signode["ids"].append(node_id)
        self.state.document.note_explicit_target(signode)
        self.ctx.domain.note_object(self.objtype, name, node_id, self.display_name(), location=signode)
        for text in self.index_texts():
            if self.ctx.version:
                text = f"{text[:-1]}, {self.ctx.version})" if text.endswith(")") else f"{text} ({self.ctx.version})"
            self.indexnode["entries"].append(("single", index_text(text), node_id, "", None))

    def display_name(self) -> str:
        """The object's name in ``objects.inv`` and search results."""
        raise NotImplementedError

    def index_texts(self) -> list[str]:
        """The object's entries in the general index."""
        raise NotImplementedError


def nested(cls: type[D], parent: SphinxDirective, ctx: ReadContext, name: str, *, no_index: bool) -> D:
    """The object directive ``.. api:KIND:: NAME`` as if nested in ``parent``'s content
    (same document, source and line), sharing ``ctx``; the caller then calls ``describe``."""
    options = {"no-index": None} if no_index else {}
    child = cls(
        f"api:{cls.kind}", [name], options, StringList(), parent.lineno, parent.content_offset, "",
        parent.state, parent.state_machine,
    )
    child.ctx = ctx
    return child


class OperationDirective(ApiObject[Operation]):
    """``.. api:operation:: NICKNAME`` — one operation, with an optional reST body."""

    kind = "operation"
    prefix = "api-op"

    def lookup(self) -> Operation | None:
        nickname = self.arguments[0].strip()
        key = f"op:{nickname}"
        if self.ctx.no_spec(self, key):
            return None
        op = self.ctx.state.operations.get(nickname)
        if op is None:
            self.ctx.show(key)  # re-read this document when the operation appears
            source = self.ctx.state.spec.source if self.ctx.state.spec else ""
            warn(Warn.SPEC, f"operation {nickname!r} is not in the API spec ({source})", location=self.get_location())
        return op

    def describe(self, subject: Operation) -> list[nodes.Node]:
        self.ctx.show(f"op:{subject.nickname}")
        return super().describe(subject)

    def handle_signature(self, sig: str, signode: addnodes.desc_signature) -> str:
        """A method badge and the path relative to the base path: ``GET /contracts/{contract_id}``.

        The base URL is shown once, by the resource (its "Base path") and the overview, not
        repeated by every operation (nor in the search results and the index). A webhook or
        callback gets a badge of its kind first (``WEBHOOK POST newPet``, ``CALLBACK POST
        {$request.body#/callbackUrl}``: its name, or its runtime expression, as the path).
        """
        kind = self.subject.kind
        if kind != "operation":
            badge = kind.upper()
            signode += addnodes.desc_annotation(badge, badge, classes=["api-kind", f"api-kind-{kind}"])
            signode += addnodes.desc_sig_space()
        method = self.subject.method.upper()
        signode += addnodes.desc_annotation(method, method, classes=["api-method", f"api-method-{method.lower()}"])
        signode += addnodes.desc_sig_space()
        path = plain_line(self.subject.path)  # one line: a line break is a request in a man page
        signode += addnodes.desc_name(path, path)
        return self.subject.nickname

    def method_and_path(self) -> str:
        """``GET /pets``; ``WEBHOOK POST newPet``; ``CALLBACK POST {$request.body#/url}``."""
        return operation_title(self.subject)

    def display_name(self) -> str:
        return self.method_and_path()

    def index_texts(self) -> list[str]:
        what = f"API {self.subject.kind}"
        return [f"{self.subject.nickname} ({what})", f"{self.method_and_path()} ({what})"]

    def _object_hierarchy_parts(self, sig_node: addnodes.desc_signature) -> tuple[str, ...]:
        return (self.subject.resource_path, self.subject.nickname)

    def _toc_entry_name(self, sig_node: addnodes.desc_signature) -> str:
        return operation_title(self.subject)

    def transform_content(self, content_node: addnodes.desc_content) -> None:
        content_node.insert(0, placeholder("operation", self.subject.nickname, version=self.ctx.version))


class ModelObject(ApiObject[PlacedModel]):
    """A model, documented where :class:`~.links.ModelPlacement` puts it: with a resource
    (made by :class:`ResourceDirective`) or on the models page (:class:`ModelsDirective`).
    Not a directive of its own: no ``api:model`` directive is registered."""

    kind = "model"
    prefix = "api-model"

    def lookup(self) -> PlacedModel | None:
        raise NotImplementedError("models are described by their resource or the models page")

    def handle_signature(self, sig: str, signode: addnodes.desc_signature) -> str:
        model = self.subject.model
        signode += addnodes.desc_annotation("model ", "model ")
        name = plain_line(model.id)
        signode += addnodes.desc_name(name, name)
        return self.subject.name

    def display_name(self) -> str:
        return self.subject.model.id

    def index_texts(self) -> list[str]:
        return [f"{self.subject.model.id} (API model)"]

    def _object_hierarchy_parts(self, sig_node: addnodes.desc_signature) -> tuple[str, ...]:
        placed = self.subject
        return (placed.where, placed.model.id) if placed.where != MODELS_PAGE else (placed.name,)

    def _toc_entry_name(self, sig_node: addnodes.desc_signature) -> str:
        return self.subject.model.id

    def transform_content(self, content_node: addnodes.desc_content) -> None:
        placed = self.subject  # the body is read in the scope of the declaring resource
        content_node.insert(0, placeholder("model", placed.key, resource=placed.home, version=self.ctx.version))


def describe_models(parent: SphinxDirective, ctx: ReadContext, models: list[PlacedModel], *, no_index: bool) -> list[nodes.Node]:
    """A "Models" rubric and each of ``models`` as an object (nothing when there are none)."""
    if not models:
        return []
    result: list[nodes.Node] = [nodes.rubric("Models", "Models", classes=["api-rubric", "api-models"])]
    for placed in models:
        result.extend(nested(ModelObject, parent, ctx, placed.model.id, no_index=no_index).describe(placed))
    return result


def models_of(state: BuildState, resource: Resource) -> list[PlacedModel]:
    """The models documented with ``resource`` (see ``apidocs_shared_models``)."""
    placement = state.placement()
    return placement.on(resource.resource_path) if placement is not None else []


class ResourceDirective(ApiObject[Resource]):
    """``.. api:resource:: /RESOURCE_PATH`` — a resource's description, operations and models."""

    kind = "resource"
    prefix = "api-res"
    option_spec: ClassVar[OptionSpec] = {**ApiObject.option_spec, "no-models": directives.flag}

    def lookup(self) -> Resource | None:
        path = "/" + self.arguments[0].strip().strip("/")
        key = f"res:{path}"
        if self.ctx.no_spec(self, key):
            return None
        resource = self.ctx.state.resources.get(path)
        if resource is None:
            self.ctx.show(key)
            known = ", ".join(sorted(self.ctx.state.resources)) or "none"
            warn(Warn.SPEC, f"resource {path!r} is not in the API spec (resources: {known})", location=self.get_location())
        return resource

    def describe(self, subject: Resource) -> list[nodes.Node]:
        self.ctx.show(f"res:{subject.resource_path}")
        return super().describe(subject)

    def handle_signature(self, sig: str, signode: addnodes.desc_signature) -> str:
        path = self.subject.resource_path
        shown = plain_line(path)
        signode += addnodes.desc_annotation("resource ", "resource ")
        signode += addnodes.desc_name(shown, shown)
        return path

    def display_name(self) -> str:
        return self.subject.resource_path

    def index_texts(self) -> list[str]:
        return [f"{self.subject.resource_path} (API resource)"]

    def _object_hierarchy_parts(self, sig_node: addnodes.desc_signature) -> tuple[str, ...]:
        return (self.subject.resource_path,)

    def _toc_entry_name(self, sig_node: addnodes.desc_signature) -> str:
        return self.subject.resource_path

    def transform_content(self, content_node: addnodes.desc_content) -> None:
        """The resource's placeholder, the author's content, every operation, then the models."""
        resource = self.subject
        content_node.insert(0, placeholder("resource", resource.resource_path, version=self.ctx.version))
        no_index = "no-index" in self.options
        seen: set[str] = set()
        for op in resource.operations:
            if op.nickname in seen or self.ctx.state.operations.get(op.nickname) is not op:
                continue  # a duplicate nickname: the spec warning names it; show the first only
            seen.add(op.nickname)
            content_node += nested(OperationDirective, self, self.ctx, op.nickname, no_index=no_index).describe(op)
        if "no-models" not in self.options:
            content_node += describe_models(self, self.ctx, models_of(self.ctx.state, resource), no_index=no_index)


def shared_models(state: BuildState) -> list[PlacedModel]:
    """The models documented on the models page (used by several resources, or by none)."""
    placement = state.placement()
    return placement.on(MODELS_PAGE) if placement is not None else []


class ModelsDirective(SphinxDirective):
    """``.. api:models::`` — the models page's content: every model used by several
    resources (or by none), each once, as link targets (without with ``:no-index:``)."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"no-index": directives.flag, "version": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        ctx = ReadContext.of(self)
        result = self.models(ctx)
        ctx.record()
        return result

    def models(self, ctx: ReadContext) -> list[nodes.Node]:
        if ctx.no_spec(self, "models"):
            return []
        ctx.show("models")
        return describe_models(self, ctx, shared_models(ctx.state), no_index="no-index" in self.options)


class SpecDirective(SphinxDirective):
    """``.. api:spec::`` — the API's overview; ``:operations:`` adds a table of every operation,
    ``:full:`` describes every resource in full on this page (for small APIs), then the
    models of the models page, without link targets when ``:no-index:`` is given too."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {
        "no-index": directives.flag,
        "operations": directives.flag,
        "full": directives.flag,
        "version": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        ctx = ReadContext.of(self)
        result = self.overview(ctx)
        ctx.record()
        return result

    def overview(self, ctx: ReadContext) -> list[nodes.Node]:
        if ctx.no_spec(self, "spec"):
            return []
        operations = "operations" in self.options
        ctx.show("spec")
        if operations:
            ctx.show("spec-ops")
        result: list[nodes.Node] = [placeholder("overview", "", operations=operations, version=ctx.version)]
        if "full" in self.options and ctx.state.spec is not None:
            no_index = "no-index" in self.options
            for resource in ctx.state.spec.resources:
                if ctx.state.resources.get(resource.resource_path) is resource:  # the first of a path
                    child = nested(ResourceDirective, self, ctx, resource.resource_path, no_index=no_index)
                    result.extend(child.describe(resource))
            ctx.show("models")
            result.extend(describe_models(self, ctx, shared_models(ctx.state), no_index=no_index))
        return result


class ChangelogDirective(SphinxDirective):
    """``.. api:changelog::`` — what changed in each release of ``apidocs_changelog``, newest
    first: a section per release (in the table of contents), its changes grouped by operation
    with their levels. ``:release: NAME`` shows one release only."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"release": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        ctx = ReadContext.of(self)
        ctx.show("changelog")
        ctx.record()
        history = ctx.state.history
        if history is None:
            warn(Warn.CHANGELOG, "api:changelog: apidocs_changelog lists no earlier release", location=self.get_location())
            return []
        releases = list(reversed(history.releases))
        wanted = self.options.get("release")
        if wanted is not None:
            releases = [release for release in releases if release.version == wanted]
            if not releases:
                known = ", ".join(release.version for release in history.releases) or "none"
                warn(Warn.CHANGELOG, f"api:changelog: no release {wanted!r} (known: {known})", location=self.get_location())
                return []
        return [self.section(release.version, release.date) for release in releases]

    def section(self, version: str, date: str) -> nodes.section:
        title = plain_line(f"{version} ({date})" if date else version)
        section = nodes.section("", nodes.title(title, title), classes=["api-changelog-release"])
        section["ids"].append(make_id(self.env, self.state.document, "release", version))
        section["names"].append(nodes.fully_normalize_name(title))
        self.state.document.note_implicit_target(section, section)
        section += placeholder("changelog", version)
        return section


class ChangesDirective(SphinxDirective):
    """``.. api:changes:: SINCE UNTIL`` — every change from one release of ``apidocs_changelog``
    to another, or from one API version of ``apidocs_versions`` to another, in one step
    ("what changed since my version"): the content of a release of ``api:changelog``,
    compared directly (it equals the steps composed)."""

    required_arguments = 2
    has_content = False

    def run(self) -> list[nodes.Node]:
        ctx = ReadContext.of(self)
        since, until = self.arguments
        versions = ctx.state.versions
        if versions is not None and since in versions.order and until in versions.order:
            ctx.show("versions")
            ctx.record()
            return [placeholder("changes", f"{since}..{until}", since=since, until=until, versions=True, version=until)]
        ctx.show("changelog")
        ctx.record()
        history = ctx.state.history
        known = [release.version for release in history.releases] if history is not None else []
        named = set(known) | set(versions.order if versions is not None else ())
        missing = [name for name in (since, until) if name not in named]
        if not missing and not (since in known and until in known):  # a release and a version
            release, version = (since, until) if since in known else (until, since)
            warn(
                Warn.CHANGELOG,
                f"api:changes: {release!r} is a release of apidocs_changelog and {version!r} a version of "
                "apidocs_versions: compare two releases or two versions", location=self.get_location(),
            )
            return []
        if missing:
            if versions is None:
                what, shown = "release", ", ".join(known) or "none: apidocs_changelog lists no earlier release"
            else:
                what, shown = "release or version", ", ".join([*versions.order, *known])
            warn(Warn.CHANGELOG, f"api:changes: no {what} {missing[0]!r} (known: {shown})", location=self.get_location())
            return []
        return [placeholder("changes", f"{since}..{until}", since=since, until=until)]
