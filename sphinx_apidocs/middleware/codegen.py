"""``routes_source(spec)``: the ``ROUTES`` and ``HEADERS`` of a generated module.

``compile FILTERS --spec SOURCE`` appends this text to the filters' module (``module_source``),
so a service gets its route table and lifecycle headers with nothing but the standard library:
``WSGIMiddleware(app, routes=mod.ROUTES, headers=mod.HEADERS, filters=mod.FILTERS)``.

Safety: the text is fixed template lines plus ``str_literal`` (``ascii()``, checked to read
back) of exact ``str`` values. Nothing from the spec (methods, paths, nicknames, header values)
is ever written as code or in a comment.
"""

from __future__ import annotations

from typing import Any

from sphinx_apidocs.filters.codegen import str_literal
from sphinx_apidocs.middleware.routes import RouteTable


def _tuple(items: list[str]) -> str:
    """A tuple display of literals: ``()``, ``('a',)``, ``('a', 'b')``."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def routes_source(spec: Any, *, base_path: str | None = None) -> str:
    """Python source defining ``ROUTES`` and ``HEADERS`` for ``spec`` (an ``ApiSpec``).

    ``ROUTES``: a tuple of ``(method, path template segments, nickname)`` (``RouteTable``'s
    input); ``HEADERS``: ``{nickname: {"Deprecation": ..., "Sunset": ...}}`` for the
    operations with lifecycle dates. Deterministic and pure ASCII; meant to follow
    ``module_source``'s text (it starts with blank lines) but valid on its own.
    """
    table = RouteTable.from_spec(spec, base_path=base_path)
    lines = [
        "",
        "",
        "# The documented operations: (method, path template segments, nickname), for",
        "# sphinx_apidocs.middleware (RouteTable). Values appear only as ascii() literals.",
        "ROUTES = (",
    ]
    for route in table.routes:
        segments = _tuple([str_literal(segment) for segment in route.segments])
        lines.append(f"    ({str_literal(route.method)}, {segments}, {str_literal(route.nickname)}),")
    lines += [")", "", "# RFC 9745 Deprecation / RFC 8594 Sunset response headers per operation.", "HEADERS = {"]
    for nickname, values in sorted(table.headers.items()):
        entries = ", ".join(f"{str_literal(name)}: {str_literal(value)}" for name, value in values.items())
        lines.append(f"    {str_literal(nickname)}: {{{entries}}},")
    lines += ["}", ""]
    source = "\n".join(lines)
    if not source.isascii():  # pragma: no cover - every variable part is ascii()
        raise ValueError("generated routes are not pure ASCII")
    return source
