"""WSGI and ASGI middleware that make a service enforce its own docs (no Sphinx, no docutils).

::

    from sphinx_apidocs.middleware import WSGIMiddleware, ASGIMiddleware
    app = WSGIMiddleware(app, spec="sample_specs", filters="output_filters")

Each request is matched to a documented operation by method and path template (``routes``);
the operation's whitelist filters its JSON responses, a client's ``fields=`` narrows it, its
``Deprecation``/``Sunset`` headers are added; an operation without a filter is refused unless
allowed (``core``). The route table comes from the spec or from a generated module's
``ROUTES`` (``codegen.routes_source``), so a service can run on the standard library alone.
"""

from __future__ import annotations

from sphinx_apidocs.middleware.asgi import JSON_VALUE_KEY, ASGIMiddleware, send_json
from sphinx_apidocs.middleware.codegen import routes_source
from sphinx_apidocs.middleware.core import JSON_EXTENSION
from sphinx_apidocs.middleware.routes import Route, RouteTable
from sphinx_apidocs.middleware.wsgi import JSONBody, WSGIMiddleware

__all__ = [
    "ASGIMiddleware",
    "JSONBody",
    "JSON_EXTENSION",
    "JSON_VALUE_KEY",
    "Route",
    "RouteTable",
    "WSGIMiddleware",
    "routes_source",
    "send_json",
]
