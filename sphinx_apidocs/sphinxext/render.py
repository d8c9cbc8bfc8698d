"""Generated content in two steps: a placeholder at read time, the body at resolve time.

For large APIs. At *read* time the directives (:mod:`directives`) emit only what Sphinx needs
from a document: index entries, ``desc`` signatures with their targets (TOC, references,
``objects.inv``), the author's own content, and an :class:`apidocs_body` placeholder. The
bulky part — summary, notes, tables of parameters, responses and output fields — is made here
on ``doctree-resolved`` (:func:`expand_placeholders`): composed once as plain content
(:mod:`compose`), then written by the builder's writer, its links resolved on the spot.
Read-time transforms then have nothing to walk through in it (smart quotes must not touch
spec text anyway), and pickled doctrees stay small: an 800-operation build runs several times
faster and lighter than the same tables written as reST.

HTML builders (``builder.format == "html"``) whose translator is Sphinx's own
(``HTML5Translator``) get each body as markup (:mod:`fasthtml`, which writes what that
translator writes); every other builder — and an HTML builder whose translator a theme or
extension replaced (pydata-sphinx-theme's ``BootstrapHTML5Translator`` adds its own classes
to tables) — gets docutils nodes (:mod:`write_nodes`), so its translator styles them.
**Spec text is data**: formatted text is parsed by :mod:`markup` only into content kinds,
never as reST or raw HTML, so ``<script>``, ``.. raw::`` or ``.. include::`` in a note stays
text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from docutils import nodes

from sphinx.writers.html5 import HTML5Translator

from sphinx_apidocs.sphinxext import changelog_content, compose, fasthtml, markup, prerender, version_set, write_nodes
from sphinx_apidocs.sphinxext.config import get_config
from sphinx_apidocs.sphinxext.content import Block
from sphinx_apidocs.sphinxext.links import Links, ObjectFinder
from sphinx_apidocs.sphinxext.state import BuildState, get_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: HTML builders get the HTML writer's markup; ``False`` gives them the docutils nodes every
#: other builder gets. Private, for ``tests/test_content_parity.py`` only: it builds projects
#: both ways and requires byte-identical HTML and search index.
FAST_HTML = True


class apidocs_body(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Placeholder for generated content; ``kind`` and ``name`` say what, filled on resolve."""


def placeholder(kind: str, name: str, **attributes: Any) -> apidocs_body:
    """The body of an ``operation``, ``resource``, ``model`` (``resource=`` its resource) or
    the ``overview`` (``operations=`` whether it lists them), made when the page is written."""
    return apidocs_body("", kind=kind, name=name, **attributes)


# -- resolve time: bodies -------------------------------------------------------------------


def body_content(state: BuildState, node: nodes.Element, field_selection: bool) -> tuple[Block, ...]:
    """The content of one placeholder (nothing if its object left the spec); ``state`` is the
    one of the placeholder's API version (:func:`state_of`)."""
    kind, name = node["kind"], node["name"]
    flavour = markup.flavour(state.spec.swagger_version) if state.spec is not None else "markdown"
    if kind == "operation":
        op = state.operations.get(name)
        if op is None:
            return ()
        body = compose.operation_body(
            op, state.field_rows(op), field_selection, flavour=flavour, spec=state.spec, tree=state.filter_tree(op),
            callbacks=state.callbacks_of(op), history=state.history.marks(op.nickname) if state.history else (),
        )
        chooser = version_set.picker(state.versions, op.nickname, state.version) if state.versions is not None else None
        return (chooser, *body) if chooser is not None else body
    if kind == "resource":
        resource = state.resources.get(name)
        return compose.resource_body(resource, flavour=flavour) if resource is not None else ()
    if kind == "model":
        resource = state.resources.get(node["resource"])
        model = resource.models.get(name) if resource is not None else None
        if model is None and resource is not None:
            model = resource.find_model(name)
        return compose.model_body(model, node["resource"], flavour=flavour) if model is not None else ()
    if kind == "changelog":
        release = state.history.release(name) if state.history is not None else None
        return changelog_content.release_body(release, state.operations) if release is not None else ()
    if kind == "changes" and node.get("versions"):  # between two API versions: links go to ``until``'s
        versions, since = state.versions, node["since"]
        release = versions.between(since, node["until"]) if versions is not None else None
        if versions is None or release is None:
            return ()
        return changelog_content.release_body(release, state.operations, (since, versions.operations.get(since, frozenset())))
    if kind == "changes":
        release = state.history.between(node["since"], node["until"]) if state.history is not None else None
        return changelog_content.release_body(release, state.operations) if release is not None else ()
    if kind == "overview" and state.spec is not None:
        return compose.overview_body(state.spec, state.operations.values() if node.get("operations") else None)
    return ()


def expand_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: replace every placeholder with its generated content (made ahead
    by the :mod:`prerender` helper where it ran)."""
    placeholders = list(doctree.findall(apidocs_body))
    if not placeholders:
        return
    made = prerender.prerendered(app.env, docname) or {}
    finder = cast(ObjectFinder, app.env.get_domain("api"))
    links: dict[str, Links] = {}  # one per API version shown on the page
    write = fasthtml.write if writes_stock_html(app) else write_nodes.write
    field_selection = get_config(app).field_selection
    for node in placeholders:
        ahead = made.get(prerender.key_of(node))
        if ahead is not None:
            node.replace_self([fasthtml.markup_node(*ahead)] if ahead[0] else [])
            continue
        state = state_of(app, node)
        if state.version not in links:
            links[state.version] = Links(finder, app.builder, docname, state.version)
        node.replace_self(write(body_content(state, node, field_selection), links[state.version]))


def state_of(app: Sphinx, node: nodes.Element) -> BuildState:
    """The state of the placeholder's API version (the default one for a placeholder read
    before placeholders had versions)."""
    return get_state(app.env, node.get("version"))


def markup_of(app: Sphinx, node: nodes.Element, docname: str) -> tuple[str, str]:
    """The markup of one placeholder and its plain text, as :func:`expand_placeholders` makes
    them for an HTML builder with Sphinx's own translator (``("", "")``: no content)."""
    state = state_of(app, node)
    links = Links(cast(ObjectFinder, app.env.get_domain("api")), app.builder, docname, state.version)
    blocks = body_content(state, node, get_config(app).field_selection)
    if not blocks:
        return "", ""
    markup = fasthtml.HtmlWriter(links).blocks(blocks)
    return markup, fasthtml.plain_text(markup)


def writes_stock_html(app: Sphinx) -> bool:
    """Does the builder write HTML with Sphinx's own translator (so :mod:`fasthtml` may stand
    in for it)? Not when a theme or extension registered another translator class."""
    if not FAST_HTML or getattr(app.builder, "format", "") != "html":
        return False
    if hasattr(app.builder, "add_visible_links") and app.config.epub_show_urls == "footnote":
        return False  # EPUB footnotes for web links are made from reference nodes
    try:
        return app.builder.get_translator_class() is HTML5Translator
    except AttributeError:  # a builder without a translator: nothing to imitate
        return False


def _skip(translator: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup_render(app: Sphinx) -> None:
    # Placeholders never reach a writer; should one (a builder without ``doctree-resolved``)
    # see it, it is skipped rather than failing the build.
    skip = (_skip, None)
    app.add_node(apidocs_body, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    # Markup, made for HTML builders only (see ``fasthtml``); any other writer skips it.
    app.add_node(
        fasthtml.apidocs_html, html=(fasthtml.visit_apidocs_html, None),
        latex=skip, text=skip, man=skip, texinfo=skip,
    )
    app.connect("doctree-resolved", expand_placeholders)
    prerender.setup_prerender(app, apidocs_body, markup_of, writes_stock_html)
