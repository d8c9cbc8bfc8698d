"""Swagger 2.0 and OpenAPI 3.0/3.1 input, normalized into the same model as Swagger 1.x.

- :mod:`.schemas`: schema objects -> :class:`~sphinx_apidocs.spec.model.Model`/``TypeRef``.
- :mod:`.normalize`: a validated document set -> :class:`~sphinx_apidocs.spec.model.ApiSpec`.

Built on lower modules shared with Swagger 1.x input: :mod:`~sphinx_apidocs.spec.detect`
(which flavour a document is), :mod:`~sphinx_apidocs.spec.refs` (``$ref`` resolution,
external documents), :mod:`~sphinx_apidocs.spec.validate` (structural JSON Schemas),
:mod:`~sphinx_apidocs.spec.common` and :mod:`~sphinx_apidocs.spec.model`. A sibling of
:mod:`sphinx_apidocs.spec.swagger1`: neither imports the other.
"""

from sphinx_apidocs.spec.openapi.normalize import build_openapi_spec

__all__ = ["build_openapi_spec"]
