"""``load_spec(source)``: documents -> validation (all problems at once) -> the model.

Swagger 1.x documents go through :mod:`sphinx_apidocs.spec.normalize`; Swagger 2.0 and
OpenAPI 3.0/3.1 documents through :mod:`sphinx_apidocs.spec.openapi.normalize`. Both end
with the same nickname de-duplication.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Mapping

from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec.fetch import FetchOptions, redact_url
from sphinx_apidocs.spec.model import ApiInfo, ApiSpec, Resource
from sphinx_apidocs.spec.normalize import DeclarationReader, text, unique_nicknames
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.spec.validate import validate_document


def shown_location(location: str) -> str:
    """A location as messages and the model show it: URLs redacted (see ``fetch.redact_url``)."""
    return redact_url(location)


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
    if documents.kind == "openapi":
        return _build_openapi(documents)
    problems: list[str] = []
    for declared in documents.declarations:
        where = shown_location(declared.document.location)
        problems.extend(validate_document(declared.document.data, "declaration", where))
    if problems:
        raise SpecError(problems)

    warnings: list[str] = []
    resources: list[Resource] = []
    for declared in documents.declarations:
        reader = DeclarationReader(shown_location(declared.document.location))
        resources.append(
            reader.resource(
                declared.document.data,
                declared.resource_path,
                declared.description,
                hashlib.sha256(declared.document.raw).hexdigest(),
            )
        )
        warnings.extend(reader.warnings)
    resources, renamed = unique_nicknames(resources)
    warnings.extend(renamed)
    first = documents.listing.data if documents.listing else documents.declarations[0].document.data
    return ApiSpec(
        swagger_version=str(first.get("swaggerVersion", "")),
        info=_info(first),
        resources=tuple(resources),
        source=shown_location(documents.source),
        warnings=tuple(warnings),
    )


def _build_openapi(documents: DocumentSet) -> ApiSpec:
    from sphinx_apidocs.spec.openapi.normalize import build_openapi_spec

    root, *others = (declared.document for declared in documents.declarations)
    spec = build_openapi_spec(root, others, documents.source)
    resources, renamed = unique_nicknames(list(spec.resources))
    return replace(spec, resources=tuple(resources), warnings=(*spec.warnings, *renamed))


def _info(data: Mapping[str, Any]) -> ApiInfo:
    found = data.get("info")
    info: Mapping[str, Any] = found if isinstance(found, dict) else {}
    version = data.get("apiVersion")
    return ApiInfo(
        title=text(info.get("title")),
        description=text(info.get("description")),
        version="" if version is None else str(version),
    )


