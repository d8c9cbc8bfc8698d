"""Loading Swagger-like API descriptions into the model (no Sphinx here)."""

from sphinx_apidocs.spec.fetch import FetchOptions
from sphinx_apidocs.spec.loader import load_spec
from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Parameter, Property, Resource, TypeRef

__all__ = ["ApiSpec", "FetchOptions", "Model", "Operation", "Parameter", "Property", "Resource", "TypeRef", "load_spec"]
