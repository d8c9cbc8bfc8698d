"""``load_spec(source)``: documents -> validation (all problems at once) -> the model.

The top of :mod:`sphinx_apidocs.spec`: it validates a document set with
:mod:`~sphinx_apidocs.spec.validate`, then dispatches it to its format's reader, Swagger 1.x
(:mod:`~sphinx_apidocs.spec.swagger1`) or Swagger 2.0 / OpenAPI 3.0/3.1
(:mod:`~sphinx_apidocs.spec.openapi`). Both readers end with the same nickname
de-duplication (:func:`~sphinx_apidocs.spec.common.unique_nicknames`).

Before validation, lower-case response ranges (``2xx``) of Swagger 2.0 / OpenAPI documents
are renamed to the standard ``2XX`` (:func:`~.validate.uppercase_status_codes`), each with a
located note in ``ApiSpec.notes``.

A large Swagger 2.0 / OpenAPI document is checked against its schema by a forked child
(:mod:`~sphinx_apidocs.spec.aside`) while this process reads it into the model; the schema's
problems still win over anything the reader makes of an invalid document.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec.aside import Aside
from sphinx_apidocs.spec.fetch import FetchOptions
from sphinx_apidocs.spec.model import ApiSpec
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.spec.swagger1 import build_swagger1_spec
from sphinx_apidocs.spec.fetch import redact_url
from sphinx_apidocs.spec.validate import schema_problems, swagger1_problems, uppercase_status_codes, version_and_depth


#: Documents of this many bytes in all are checked aside (below it, forking costs more).
ASIDE_BYTES = 256 * 1024


def load_spec(
    source: str,
    *,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    options: FetchOptions | None = None,
) -> ApiSpec:
    """Load, validate and normalize the API at ``source`` (URL, listing, declaration or folder).

    Raises :class:`~sphinx_apidocs.errors.SpecError` with every schema problem of every
    document, or :class:`~sphinx_apidocs.errors.FetchError` when a document can't be read.
    """
    options = options or FetchOptions()
    if timeout is not None:
        options.timeout = timeout
    if headers is not None:
        options.headers = dict(headers)
    return build_spec(load_documents(source, options))


def build_spec(documents: DocumentSet) -> ApiSpec:
    """Validate ``documents`` (raising every problem at once), then read them into the model."""
    if documents.kind == "openapi":
        root, *others = (declared.document for declared in documents.declarations)
        notes = [
            note
            for document in (root, *others)
            if document.survey.range_keys  # parsing saw no lower-case range anywhere else
            for note in uppercase_status_codes(document.data, redact_url(document.location))
        ]
        version, stop = version_and_depth(root, others)
        if stop:
            raise SpecError(stop)
        from sphinx_apidocs.spec.openapi import build_openapi_spec  # Swagger 1.x builds never need it

        size = sum(len(document.raw) for document in (root, *others))
        with Aside(schema_problems, root, version, fork=size >= ASIDE_BYTES) as checking:
            if not checking.forked:  # checked first, as the reader expects valid documents
                _raise_problems(checking.result())
            try:
                spec = build_openapi_spec(root, others, documents.source)
            except Exception:
                _raise_problems(checking.result())  # an invalid document: its problems say why
                raise
            _raise_problems(checking.result())
        return dataclasses.replace(spec, notes=(*notes, *spec.notes)) if notes else spec
    _raise_problems(swagger1_problems([declared.document for declared in documents.declarations]))
    return build_swagger1_spec(documents)


def _raise_problems(problems: list[str]) -> None:
    if problems:
        raise SpecError(problems)
