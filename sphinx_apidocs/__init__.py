"""sphinx_apidocs: API reference docs from a live Swagger endpoint, plus whitelist output filters.

This module stays light: importing it loads neither Sphinx nor docutils. ``setup()`` imports
the Sphinx extension lazily, so a service can ``import sphinx_apidocs.filters`` alone.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point (``extensions = ["sphinx_apidocs"]``)."""
    from sphinx_apidocs.sphinxext import setup as _setup

    return _setup(app)
