"""Examples on an operation's page, as content: a request sample and the response a client gets
(for a webhook or callback: the payload the API sends instead of a request sample).

The values come from :mod:`sphinx_apidocs.examples`: the request sample (``curl`` and Python
``requests``, credentials as ``$VARIABLES``) and a response example built from the model *and
the operation's whitelist*, so it holds exactly the fields the service's filter lets through.
The spec's own response examples are shown too, passed through the same filter: a page never
shows a field the service would strip. Everything is a :class:`~.content.CodeBlock` (escaped
by the writers, highlighted where the builder highlights).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sphinx_apidocs.examples import (
    NO_EXAMPLE,
    ExampleBuilder,
    builder_for,
    curl_sample,
    python_sample,
    request_example,
    response_example,
)
from sphinx_apidocs.filters import FilterTree, compile_filter
from sphinx_apidocs.spec.model import ApiSpec, Operation
from sphinx_apidocs.sphinxext.content import Block, Code, CodeBlock, Paragraph, Rubric, Strong, Text


def json_text(value: Any) -> str:
    """``value`` as indented JSON (non-ASCII kept: the writers escape what they must)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(str(value), ensure_ascii=False)


def _label(text: str) -> Paragraph:
    return Paragraph((Strong(text),), ("api-example-label",))


def request_blocks(spec: ApiSpec, op: Operation, builder: ExampleBuilder | None = None) -> list[Block]:
    """"Request sample": the ``curl`` command and the Python ``requests`` call."""
    builder = builder or builder_for(spec)
    return [
        Rubric("Request sample", ("api-rubric", "api-request-sample")),
        _label("curl"),
        CodeBlock(curl_sample(spec, op, builder=builder), "bash"),
        _label("Python (requests)"),
        CodeBlock(python_sample(spec, op, builder=builder), "python"),
    ]


def payload_blocks(spec: ApiSpec, op: Operation, builder: ExampleBuilder | None = None) -> list[Block]:
    """"Payload example" of a webhook or callback: the JSON body the API sends to the
    client's endpoint (no ``curl``/Python sample: the client does not send this request)."""
    value = request_example(spec, op, builder=builder or builder_for(spec))
    if value is NO_EXAMPLE:
        return []
    return [
        Rubric("Payload example", ("api-rubric", "api-payload-example")),
        Paragraph((Text("The request body the API sends to your endpoint; values from the spec where it gives them."),), ("api-example-note",)),
        CodeBlock(json_text(value), "json"),
    ]


def response_blocks(spec: ApiSpec, op: Operation, tree: FilterTree | None, builder: ExampleBuilder | None = None) -> list[Block]:
    """"Response example": what a client receives (through the whitelist when there is one),
    then the spec's own examples for successful responses, filtered the same way."""
    builder = builder or builder_for(spec)
    value = response_example(spec, op, tree, builder=builder)
    blocks: list[Block] = []
    if value is not NO_EXAMPLE:
        blocks.append(Rubric("Response example", ("api-rubric", "api-response-example")))
        note = (
            "Exactly the fields the output filter lets through; values from the spec where it gives them."
            if tree is not None else "Built from the response model; values from the spec where it gives them."
        )
        blocks.append(Paragraph((Text(note),), ("api-example-note",)))
        blocks.append(CodeBlock(json_text(value), "json"))
    if any(message.examples for message in op.response_messages):
        blocks.extend(spec_examples(op, compile_filter(tree) if tree is not None else None))
    return blocks


def spec_examples(op: Operation, passes: Callable[[Any], Any] | None) -> list[Block]:
    """The spec's own JSON response examples (``2XX``/``default`` responses), each labelled
    with its status, media type and name; filtered by ``passes`` when the operation has one."""
    blocks: list[Block] = []
    for message in op.response_messages:
        if not str(message.code).startswith("2") and str(message.code) != "default":
            continue
        for example in message.examples:
            if example.external or example.value is None:
                continue
            media = example.media_type
            if media and "json" not in media:
                continue
            value = example.value
            if passes is not None:
                value = passes(value)
            runs: list[Any] = [Strong(f"{message.code}"), Text(" ")]
            if media:
                runs.append(Code(media))
            if example.name or example.summary:
                runs.append(Text(" — " + (example.summary or example.name)))
            if not blocks:
                blocks.append(Rubric("Examples from the spec" + (", as the filter passes them" if passes else ""), ("api-rubric", "api-spec-examples")))
            blocks.append(Paragraph(tuple(runs), ("api-example-label",)))
            blocks.append(CodeBlock(json_text(value), "json"))
    return blocks
