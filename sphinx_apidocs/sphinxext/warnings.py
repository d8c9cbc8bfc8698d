"""The extension's messages: one enum of warning subtypes, one function that emits them, and
the one way a build stops (:class:`BuildStopped`).

Every warning has ``type="apidocs"`` and a subtype from :class:`Warn`, so
``suppress_warnings = ["apidocs.coverage"]`` silences one kind and ``["apidocs"]`` all of
them (as myst-parser's ``MystWarnings``). Every warning carries a location: a document and
line, or ``file:line`` of a filter or spec file. ``docs/sphinx.rst`` lists the subtypes, and
``tests/test_sphinx_warnings.py`` triggers each one and suppresses each one.
"""

from __future__ import annotations

import enum
from typing import Union

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger("sphinx_apidocs")

#: Where a warning points: a node, a ``(docname, line)`` pair, or a ``file:line`` string.
Location = Union[nodes.Node, tuple[Union[str, None], Union[int, None]], str, None]


class Warn(enum.Enum):
    """The subtypes of ``apidocs`` warnings (``apidocs.<value>`` in ``suppress_warnings``)."""

    #: The endpoint failed and the last good snapshot is used; the snapshot cannot be saved.
    FETCH = "fetch"
    #: A non-fatal spec problem; a directive names an operation or resource the spec lacks.
    SPEC = "spec"
    #: A filter file cannot be read or parsed; a nickname has filters in two files.
    FILTER = "filter"
    #: An operation that returns something has no filter; a filter names no operation.
    COVERAGE = "coverage"
    #: A whitelisted path is not in the operation's response model.
    FIELD = "field"
    #: An object is described twice without ``:no-index:``.
    DUPLICATE = "duplicate"
    #: A release of ``apidocs_changelog`` cannot be loaded (it is left out of the changelog).
    CHANGELOG = "changelog"
    #: An audience mark no audience order knows; marks without ``apidocs_audiences``; a filter
    #: in the folder of an audience that cannot see its operation.
    AUDIENCE = "audience"


def warn(kind: Warn, message: str, location: Location = None) -> None:
    """Log ``message`` as an ``apidocs.<kind>`` warning at ``location``.

    Sphinx reads a string without ``:`` as a docname, so such a place (a spec file and JSON
    pointer) goes in front of the message instead, in the same ``where: what`` form.
    """
    subtype = Warn(kind).value  # a subtype outside the enum fails here, not in a user's build
    if isinstance(location, str) and ":" not in location:
        message, location = f"{location}: {message}", None
    logger.warning(message, type="apidocs", subtype=subtype, location=location)


def warn_located(kind: Warn, located: str) -> None:
    """Warn with a ``"where: what"`` message (as the spec loader writes them) split apart."""
    where, sep, what = located.partition(": ")
    if sep and where and "\n" not in where:
        warn(kind, what, location=where)
    else:
        warn(kind, located)


class BuildStopped(SystemExit):
    """The build cannot go on: each line was logged as one ``ERROR``; exit status 2.

    Why ``SystemExit`` and not a ``SphinxError``: since Sphinx 8.2 every exception that ends
    a build is printed as a crash report (versions, traceback, "please report this to the
    Sphinx developers"), which is wrong for a typo in conf.py or an endpoint that is down.
    ``sphinx-build`` exits with status 2 — its own status for a failed build — without a
    traceback. Programmatic callers catch this class (or a subclass); ``str()`` is the
    message, ``problems`` its lines.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__(2)
        self.problems = list(problems)

    @property
    def message(self) -> str:
        return "\n".join(self.problems)

    def __str__(self) -> str:
        return self.message

