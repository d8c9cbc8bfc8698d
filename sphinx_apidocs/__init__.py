"""sphinx_apidocs: API reference docs from a live Swagger endpoint, plus whitelist output filters.

This module stays light: importing it loads neither Sphinx nor docutils. ``setup()`` imports
the Sphinx extension lazily, so a service can ``import sphinx_apidocs.filters`` alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: importing this module must not load Sphinx
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

__version__ = "0.2.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    """Sphinx entry point (``extensions = ["sphinx_apidocs"]``)."""
    from sphinx_apidocs.sphinxext import setup as setup_extension

    return setup_extension(app)
