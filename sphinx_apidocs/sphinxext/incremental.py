"""Rebuilds without ``-E``: re-read exactly the documents whose API content changed.

Every directive records, per document, a fingerprint of what it rendered (the operation's
normalized data, the models its output fields come from, its filter paths...). The spec and
filters of *this* build are loaded before Sphinx decides what to read, so comparing those
fingerprints tells which documents show a changed operation, resource or overview — whether
the change came from an edited filter file or from the live endpoint. Unchanged inputs
re-read nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sphinx_apidocs.sphinxext.domain import ApiDomain
from sphinx_apidocs.sphinxext.state import get_state
from sphinx_apidocs.sphinxext.warnings import logger

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def outdated_documents(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: documents whose recorded fingerprints differ from this build's."""
    state = get_state(env)
    domain = cast(ApiDomain, env.get_domain("api"))
    stale: list[str] = []
    for docname, shown in sorted(domain.shown.items()):
        if docname in removed or docname in changed:
            continue
        if any(state.fingerprint(key) != fingerprint for key, fingerprint in shown.items()):
            stale.append(docname)
    if stale:
        logger.info("apidocs: %d document(s) show changed API content: %s", len(stale), ", ".join(stale))
    return stale


def setup_incremental(app: Sphinx) -> None:
    app.connect("env-get-outdated", outdated_documents)
