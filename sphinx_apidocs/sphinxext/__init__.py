"""The Sphinx extension: ``extensions = ["sphinx_apidocs"]`` (see ``sphinx_apidocs.setup``).

One ``setup_<feature>(app)`` per module, as sphinx-design does: configuration, the state
loaded once per build, the ``api`` domain, generated bodies, incremental rebuilds, generated
resource pages and garbage collection during a build.

What a page shows is made in one place and written by two writers; each module imports
only from those before it::

    content -> compose -> links -> write_nodes | fasthtml -> render -> directives -> domain
                                                                          directives -> stubs

``content``: plain data (blocks, inline runs, links); ``compose``: spec -> content;
``links``: where a link points; ``write_nodes``: content -> docutils nodes (every builder);
``fasthtml``: content -> escaped markup (HTML builders, byte-identical to what Sphinx writes
for the nodes); ``render``: the placeholders, expanded when a page is written;
``directives``: operations, resources and models as Sphinx object descriptions (read time);
``domain``: the ``api`` domain and its roles; ``stubs``: one generated page per resource.
Below them all, ``warnings`` (the :class:`~.warnings.Warn` subtypes) and ``state`` (the spec
and filters, loaded once per build). HTML builders get ``static/apidocs.css`` (method badges,
tables that fit their column, the narrow-screen layout): :func:`setup_static`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sphinx_apidocs import __version__
from sphinx_apidocs.sphinxext.collector import setup_collector
from sphinx_apidocs.sphinxext.config import setup_config
from sphinx_apidocs.sphinxext.domain import setup_domain
from sphinx_apidocs.sphinxext.incremental import setup_incremental
from sphinx_apidocs.sphinxext.render import setup_render
from sphinx_apidocs.sphinxext.state import setup_state
from sphinx_apidocs.sphinxext.stubs import setup_stubs

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

#: Bump when the domain data or the read doctrees change shape: Sphinx then discards a
#: pickled environment written by an older version instead of mixing the two.
#: 2: operations, resources and models are ``ObjectDescription`` nodes.
ENV_VERSION = 2

#: The extension's static files (``apidocs.css``).
STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
CSS_FILE = "apidocs.css"


def add_static_path(app: Sphinx) -> None:
    """``builder-inited``: HTML builders copy ``static/`` to ``_static``. It goes first in
    ``html_static_path``, so that an ``apidocs.css`` of the project's own replaces it."""
    if app.builder.format == "html" and STATIC not in app.config.html_static_path:
        app.config.html_static_path = [STATIC, *app.config.html_static_path]


def setup_static(app: Sphinx) -> None:
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", add_static_path)


def setup(app: Sphinx) -> ExtensionMetadata:
    setup_config(app)
    setup_state(app)
    setup_domain(app)
    setup_render(app)  # with the rendering helper (prerender)
    setup_incremental(app)
    setup_stubs(app)
    setup_collector(app)
    setup_static(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
