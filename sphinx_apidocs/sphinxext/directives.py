"""``api:operation``, ``api:resource`` and ``api:spec``: look up, render, record what is shown.

The directives never load anything: the spec and filters were loaded once for the build
(``state``). Each records the fingerprint of what it rendered in the domain, so a rebuild
re-reads this document exactly when that changes (``incremental``).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from sphinx_apidocs.sphinxext.render import (
    ObjectRegistry,
    RenderContext,
    render_operation,
    render_overview,
    render_resource,
)
from sphinx_apidocs.sphinxext.state import BuildState, get_state
from sphinx_apidocs.sphinxext.warnings import __, warn


class ApiDirective(SphinxDirective):
    """Shared plumbing: the render context and recording what the document shows."""

    option_spec: ClassVar[dict[str, Any]] = {"no-index": directives.flag}

    def context(self) -> RenderContext:
        source, line = self.get_source_info()
        return RenderContext(
            env=self.env,
            document=self.state.document,
            state=get_state(self.env),
            domain=cast(ObjectRegistry, self.env.get_domain("api")),
            docname=self.env.current_document.docname,
            source=source,
            line=line,
            no_index="no-index" in self.options,
        )

    def finish(self, ctx: RenderContext, result: list[nodes.Node]) -> list[nodes.Node]:
        ctx.domain.note_shown(ctx.docname, ctx.shown)
        return result

    def user_content(self) -> list[nodes.Node]:
        """The directive's own body: reST written by the docs author (not spec text)."""
        return self.parse_content_to_nodes(allow_section_headings=False) if self.content else []

    def no_spec(self, ctx: RenderContext, key: str) -> bool:
        """Warn (once per directive) and record ``key`` when there is no spec to look in."""
        state: BuildState = ctx.state
        if state.spec is not None:
            return False
        ctx.show(key)
        warn("spec", __("cannot render %s: %s") % (self.name, state.problem), location=self.get_location())
        return True


class OperationDirective(ApiDirective):
    """``.. api:operation:: NICKNAME`` — one operation, with an optional reST body."""

    required_arguments = 1
    final_argument_whitespace = True  # OpenAPI operationIds may contain spaces
    has_content = True

    def run(self) -> list[nodes.Node]:
        nickname = self.arguments[0].strip()
        ctx = self.context()
        key = f"op:{nickname}"
        if self.no_spec(ctx, key):
            return self.finish(ctx, [])
        op = ctx.state.operations.get(nickname)
        if op is None:
            ctx.show(key)  # re-read this document when the operation appears
            warn("spec", __("operation %r is not in the API spec (%s)") % (nickname, ctx.state.spec.source), location=self.get_location())
            return self.finish(ctx, [])
        return self.finish(ctx, render_operation(ctx, op, self.user_content()))


class ResourceDirective(ApiDirective):
    """``.. api:resource:: /RESOURCE_PATH`` — a resource's description, operations and models."""

    required_arguments = 1
    final_argument_whitespace = True  # a resource from an OpenAPI tag: ``/Most Popular``
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {**ApiDirective.option_spec, "no-models": directives.flag}

    def run(self) -> list[nodes.Node]:
        path = "/" + self.arguments[0].strip().strip("/")
        ctx = self.context()
        key = f"res:{path}"
        if self.no_spec(ctx, key):
            return self.finish(ctx, [])
        resource = ctx.state.resources.get(path)
        if resource is None:
            ctx.show(key)
            known = ", ".join(sorted(ctx.state.resources)) or "none"
            warn("spec", __("resource %r is not in the API spec (resources: %s)") % (path, known), location=self.get_location())
            return self.finish(ctx, [])
        return self.finish(ctx, render_resource(ctx, resource, models="no-models" not in self.options, extra=self.user_content()))


class SpecDirective(ApiDirective):
    """``.. api:spec::`` — the API's overview; ``:operations:`` adds a table of every operation,
    ``:full:`` renders every resource in full on this page (for small APIs)."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        **ApiDirective.option_spec,
        "operations": directives.flag,
        "full": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        ctx = self.context()
        if self.no_spec(ctx, "spec"):
            return self.finish(ctx, [])
        spec = ctx.state.spec
        result = render_overview(ctx, spec, operations="operations" in self.options)
        if "full" in self.options:
            for resource in spec.resources:
                if ctx.state.resources.get(resource.resource_path) is resource:
                    result.extend(render_resource(ctx, resource))
        return self.finish(ctx, result)
