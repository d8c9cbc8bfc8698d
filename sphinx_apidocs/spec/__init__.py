"""Loading Swagger-like API descriptions into the model (no Sphinx here).

Layering (each layer imports only the ones before it): model, detect, headers -> fetch,
common -> refs, validate -> sources -> serve, snapshot | swagger1 || openapi (siblings, never
importing each other) -> loader.
"""

from sphinx_apidocs.spec.fetch import FetchOptions
from sphinx_apidocs.spec.loader import load_spec
from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Parameter, Property, Resource, TypeRef

__all__ = ["ApiSpec", "FetchOptions", "Model", "Operation", "Parameter", "Property", "Resource", "TypeRef", "load_spec"]
