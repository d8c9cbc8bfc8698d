"""Examples for operation pages: response examples that are exactly what the operation's
whitelist lets through, request body examples, and ``curl`` / Python request samples.

Pure Python (no Sphinx, no docutils)::

    from sphinx_apidocs.examples import response_example, curl_sample, NO_EXAMPLE
    body = response_example(spec, op, filter=loaded.tree)   # a FilterTree, or None
    if body is not NO_EXAMPLE:
        ...json.dumps(body, indent=2)...
    text = curl_sample(spec, op)

``NO_EXAMPLE`` (the model's ``UNSET``) means "no example": the operation returns nothing
(``void``) or a type nothing is known about. ``None`` is a real JSON ``null``.
A response example ``e`` built with a whitelist always satisfies ``compile_filter(tree)(e) == e``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sphinx_apidocs.examples.build import ExampleBuilder
from sphinx_apidocs.examples.samples import (
    Env,
    RequestSample,
    curl_argv,
    curl_lines,
    curl_text,
    python_text,
    request_sample,
    shell_word,
)
from sphinx_apidocs.examples.values import Facets, from_pattern, jsonable, synthesize
from sphinx_apidocs.filters import FilterTree
from sphinx_apidocs.spec.model import UNSET, ApiSpec, Operation, Parameter

NO_EXAMPLE: Any = UNSET

_builders: OrderedDict[int, tuple[ApiSpec, ExampleBuilder]] = OrderedDict()
_KEEP = 8


def builder_for(spec: ApiSpec) -> ExampleBuilder:
    """The shared ``ExampleBuilder`` of ``spec`` (its caches serve every operation); the
    last few specs keep theirs."""
    found = _builders.get(id(spec))
    if found is not None and found[0] is spec:
        _builders.move_to_end(id(spec))
        return found[1]
    builder = ExampleBuilder(spec)
    _builders[id(spec)] = (spec, builder)
    while len(_builders) > _KEEP:
        _builders.popitem(last=False)
    return builder


def response_example(spec: ApiSpec, op: Operation, filter: FilterTree | None = None, *, builder: ExampleBuilder | None = None) -> Any:
    """The JSON response example of ``op``: exactly the fields ``filter`` (the operation's
    whitelist; ``None``: no filter, the whole response model) lets through, or
    ``NO_EXAMPLE``."""
    return (builder or builder_for(spec)).response(op, filter)


def request_example(spec: ApiSpec, op: Operation, *, builder: ExampleBuilder | None = None) -> Any:
    """The JSON request body example of ``op`` (no read-only fields), or ``NO_EXAMPLE``."""
    return (builder or builder_for(spec)).request_body(op)


def parameter_example(spec: ApiSpec, op: Operation, param: Parameter, *, builder: ExampleBuilder | None = None) -> Any:
    """An example value of one parameter of ``op``."""
    return (builder or builder_for(spec)).parameter(op, param)


def curl_sample(spec: ApiSpec, op: Operation, *, multiline: bool = True, builder: ExampleBuilder | None = None) -> str:
    """A ``curl`` command for ``op`` (POSIX shell; credentials as ``$VARIABLES``)."""
    return curl_text(request_sample(spec, op, builder or builder_for(spec)), multiline=multiline)


def python_sample(spec: ApiSpec, op: Operation, *, builder: ExampleBuilder | None = None) -> str:
    """A Python ``requests`` call for ``op`` (credentials from ``os.environ``)."""
    return python_text(request_sample(spec, op, builder or builder_for(spec)))


__all__ = [
    "Env",
    "ExampleBuilder",
    "Facets",
    "NO_EXAMPLE",
    "RequestSample",
    "builder_for",
    "curl_argv",
    "curl_lines",
    "curl_sample",
    "curl_text",
    "from_pattern",
    "jsonable",
    "parameter_example",
    "python_sample",
    "python_text",
    "request_example",
    "request_sample",
    "response_example",
    "shell_word",
    "synthesize",
]
