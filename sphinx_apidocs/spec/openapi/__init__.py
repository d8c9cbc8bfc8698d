"""Swagger 2.0 and OpenAPI 3.0/3.1 input, normalized into the same model as Swagger 1.x.

- :mod:`.detect`: which flavour a document is (``swagger: "2.0"``, ``openapi: 3.0.x/3.1.x``).
- :mod:`.refs`: ``$ref`` resolution, external documents of the same folder/URL base.
- :mod:`.validate`: structural JSON Schemas -> one-line ``DOC#/pointer: message`` problems.
- :mod:`.schemas`: schema objects -> :class:`~sphinx_apidocs.spec.model.Model`/``TypeRef``.
- :mod:`.normalize`: a whole document -> :class:`~sphinx_apidocs.spec.model.ApiSpec`.
"""

from sphinx_apidocs.spec.openapi.detect import openapi_version

__all__ = ["openapi_version"]
