"""Swagger 1.x input (1.2, and the quirks of 1.0/1.1 and real generators), read into the model.

- :mod:`.normalize`: a validated listing + declarations -> :class:`~sphinx_apidocs.spec.model.ApiSpec`
  (validation itself: :mod:`sphinx_apidocs.spec.validate`).

A sibling of :mod:`sphinx_apidocs.spec.openapi`: neither imports the other; both build on
:mod:`~sphinx_apidocs.spec.model` and :mod:`~sphinx_apidocs.spec.common`.
"""

from sphinx_apidocs.spec.swagger1.normalize import build_swagger1_spec

__all__ = ["build_swagger1_spec"]
