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
from sphinx_apidocs.spec.fetch import FetchOptions, display_url, is_url
from sphinx_apidocs.spec.model import ApiInfo, ApiSpec, Resource
from sphinx_apidocs.spec.normalize import DeclarationReader, text
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.spec.validate import validate_document


def shown_location(location: str) -> str:
    return display_url(location) if is_url(location) else location


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
    resources, renamed = _unique_nicknames(resources)
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
    resources, renamed = _unique_nicknames(list(spec.resources))
    return replace(spec, resources=tuple(resources), warnings=(*spec.warnings, *renamed))


def _info(data: Mapping[str, Any]) -> ApiInfo:
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    version = data.get("apiVersion")
    return ApiInfo(
        title=text(info.get("title")),
        description=text(info.get("description")),
        version="" if version is None else str(version),
    )


def _unique_nicknames(resources: list[Resource]) -> tuple[list[Resource], list[str]]:
    """Rename repeated nicknames (``watchJob`` -> ``watchJob-2``) so every operation has an id.

    Real specs repeat nicknames (Kubernetes does for path variants). Documentation needs one
    target per operation, so later repeats get a numbered suffix, with a located warning.
    """
    seen: dict[str, str] = {}
    taken = {op.nickname for resource in resources for op in resource.operations}
    warnings: list[str] = []
    result: list[Resource] = []
    for resource in resources:
        apis = []
        for api in resource.apis:
            operations = []
            for op in api.operations:
                where = f"{resource.source} ({op.method} {op.path})"
                if op.nickname in seen:
                    counter = 2
                    while f"{op.nickname}-{counter}" in taken:
                        counter += 1
                    new = f"{op.nickname}-{counter}"
                    taken.add(new)
                    warnings.append(
                        f"{where}: nickname {op.nickname!r} is also used by {seen[op.nickname]}; "
                        f"this operation is documented as {new!r}"
                    )
                    op = replace(op, nickname=new)
                seen[op.nickname] = where
                operations.append(op)
            apis.append(replace(api, operations=tuple(operations)))
        result.append(replace(resource, apis=tuple(apis)))
    return result, warnings
