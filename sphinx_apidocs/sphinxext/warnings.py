"""One place that emits the extension's warnings, so each has ``type="apidocs"`` and a subtype.

``suppress_warnings = ["apidocs.coverage"]`` (or ``["apidocs"]``) silences them; every
warning carries a location (a document and line, or ``file:line`` of a filter or spec file).
"""

from __future__ import annotations

from typing import Any, Literal

from sphinx.locale import get_translation
from sphinx.util import logging

logger = logging.getLogger("sphinx_apidocs")
__ = get_translation("sphinx_apidocs", "console")

Subtype = Literal["fetch", "spec", "filter", "coverage", "field"]
SUBTYPES: tuple[Subtype, ...] = ("fetch", "spec", "filter", "coverage", "field")


def warn(subtype: Subtype, message: str, location: Any = None) -> None:
    """Log ``message`` as an ``apidocs.<subtype>`` warning at ``location``.

    ``location`` is a node, a ``(docname, line)`` pair or a ``file:line`` string. Sphinx reads
    a string without ``:`` as a docname, so such a place (a spec file and JSON pointer) goes
    in front of the message instead, in the same ``where: what`` form.
    """
    if isinstance(location, str) and ":" not in location:
        message, location = f"{location}: {message}", None
    logger.warning(message, type="apidocs", subtype=subtype, location=location)


def warn_located(subtype: Subtype, located: str) -> None:
    """Warn with a ``"where: what"`` message (as the spec loader writes them) split apart."""
    where, sep, what = located.partition(": ")
    if sep and where and "\n" not in where:
        warn(subtype, what, location=where)
    else:
        warn(subtype, located)
