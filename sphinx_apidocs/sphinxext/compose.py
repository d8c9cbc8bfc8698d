"""The spec, composed into content (:mod:`content`): what each generated body shows, once.

One function per body (:func:`operation_body`, :func:`model_body`, :func:`resource_body`,
:func:`overview_body`) decides what the reader sees: which paragraphs, facts and tables, in
which order, with which labels and links. Writers only decide how it is written, so every
builder's output follows from this one place.

**Spec text is data**: names become :class:`Text`; summaries, notes, descriptions and
messages are formatted text, parsed by :mod:`markup` in the spec's flavour (CommonMark for
Swagger 2.0 and OpenAPI, the HTML subset for Swagger 1.x: ``flavour=``, from
:func:`markup.flavour`) into the same content kinds; nothing is interpreted as reST or raw
HTML (a ``<script>`` or ``.. raw::`` in a note stays text). Labels are English: no message
catalog ships.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sphinx_apidocs.filters import FilterTree
from sphinx_apidocs.spec.model import ApiSpec, Model, Operation, Parameter, Property, Resource, TypeRef
from sphinx_apidocs.sphinxext import markup
from sphinx_apidocs.sphinxext.changelog import Mark
from sphinx_apidocs.sphinxext.changelog_content import history_field
from sphinx_apidocs.sphinxext.content import (
    Block,
    Cell,
    Code,
    Field,
    FieldList,
    Inline,
    Link,
    Paragraph,
    Rubric,
    Strong,
    Table,
    Text,
)
from sphinx_apidocs.sphinxext.auth_content import operation_field, schemes_section
from sphinx_apidocs.sphinxext.constraint_content import constraint_phrases, joined, value_paragraph, value_text
from sphinx_apidocs.sphinxext.example_content import payload_blocks, request_blocks, response_blocks
from sphinx_apidocs.sphinxext.fields import FieldRow, is_void
from sphinx_apidocs.sphinxext.markup import Flavour, plain_line

_FIELDS = ("api-fields",)


# -- spec text ------------------------------------------------------------------------------


def describe(text: str, flavour: Flavour, classes: tuple[str, ...] = ()) -> tuple[Block, ...]:
    """Formatted spec text (a description, summary, notes, message) as blocks."""
    return markup.description(text, flavour, classes)


def cell(runs: tuple[Inline, ...]) -> Cell:
    """A table cell of one paragraph, or an empty cell."""
    return (Paragraph(runs),) if runs else ()


def text_cell(text: str) -> Cell:
    return (Paragraph((Text(text),)),) if text else ()


def codes(values: Iterable[Any]) -> tuple[Inline, ...]:
    """Values as inline literals, comma-separated."""
    runs: list[Inline] = []
    for value in values:
        if runs:
            runs.append(Text(", "))
        runs.append(Code(value_text(value)))
    return tuple(runs)


# -- types and references -------------------------------------------------------------------


def type_runs(type_ref: TypeRef | None, resource: str) -> tuple[Inline, ...]:
    """``array[Milestone]`` / ``integer (int64)``, with model names linked to their model."""
    if type_ref is None:
        return ()
    if type_ref.variants:  # ``Cat | Dog``: each alternative, not the model of their union
        runs: list[Inline] = []
        for variant in type_ref.variants:
            if runs:
                runs.append(Text(" | "))
            runs.extend(type_runs(variant, resource) or (Text("any"),))
        return tuple(runs)
    if type_ref.ref:
        return (Link("model", type_ref.ref, (Text(type_ref.ref),), resource),)
    if type_ref.type == "array":
        inner = type_runs(type_ref.items, resource) if type_ref.items else ()
        return (Text("array["), *inner, Text("]"))
    text = type_ref.display()
    return (Text(text),) if text else ()


def nullable_type_runs(type_ref: TypeRef | None, nullable: bool, resource: str) -> tuple[Inline, ...]:
    """The type, with `` | null`` when the value may be ``null`` (OpenAPI ``nullable``)."""
    runs = type_runs(type_ref, resource)
    if nullable:
        runs += (Text(" | null" if runs else "null"),)
    return runs


def allowed_values(item: Parameter | Property) -> tuple[Inline, ...]:
    """Enum values, then the range, length, pattern and other constraints of a parameter or
    property (:mod:`constraint_content`), ``;``-separated."""
    runs = codes(item.enum)
    for phrase in constraint_phrases(item):
        runs += (Text("; "), *phrase) if runs else phrase
    return runs


def deprecated_mark(deprecated: bool = True, since: str = "", sunset: str = "") -> Paragraph:
    """``Deprecated since 2026-10-01. Sunset: 2027-04-01.`` (the dates where the spec gives them)."""
    runs: list[Inline] = []
    if deprecated:
        runs.append(Strong("Deprecated."))
        if since:
            runs[-1] = Strong("Deprecated")
            runs += [Text(" since "), Code(plain_line(since)), Text(".")]
    if sunset:
        runs += [Text(" ") if runs else Text(""), Strong("Sunset:"), Text(" "), Code(plain_line(sunset)), Text(".")]
    return Paragraph(tuple(run for run in runs if not (isinstance(run, Text) and not run.text)), ("api-deprecated",))


def described(
    description: str, deprecated: bool = False, flavour: Flavour = "markdown", since: str = "", sunset: str = ""
) -> Cell:
    """A description cell; a deprecated item (or one with a sunset date) says so first."""
    blocks = describe(description, flavour)
    return (deprecated_mark(deprecated, since, sunset), *blocks) if deprecated or sunset else blocks


def yes_no(flag: bool) -> Cell:
    return text_cell("yes" if flag else "no")


def rubric(text: str, cls: str) -> Rubric:
    return Rubric(text, ("api-rubric", cls))


def table(header: Sequence[str], rows: Iterable[tuple[Cell, ...]], widths: tuple[int, ...], cls: str) -> Table:
    return Table(tuple(header), tuple(rows), widths, ("api-table", cls))


# -- bodies ---------------------------------------------------------------------------------


def operation_title(op: Operation) -> str:
    """``GET /pets``; a webhook or callback with its kind first: ``WEBHOOK POST newPet``."""
    title = plain_line(f"{op.method} {op.path}")
    return title if op.kind == "operation" else f"{op.kind.upper()} {title}"


def operation_body(
    op: Operation,
    rows: Sequence[FieldRow] | None,
    field_selection: bool = False,
    *,
    flavour: Flavour = "markdown",
    spec: ApiSpec | None = None,
    tree: FilterTree | None = None,
    examples: bool = True,
    callbacks: Sequence[Operation] = (),
    history: Sequence[Mark] = (),
) -> tuple[Block, ...]:
    """Summary, notes, facts, then the parameters, responses and output fields tables.

    ``rows``: the operation's "Possible output fields" (``None``: it has no filter);
    ``field_selection``: say that clients may narrow them with ``fields=``; ``flavour``: the
    markup of the spec's text; ``callbacks``: the operation's callbacks, listed last;
    ``history``: the releases of the changelog that added or changed it.

    A webhook or callback says who sends it (the API, to the reader's endpoint) and shows the
    payload the API sends instead of a request sample; a callback links to its operation.
    """
    resource = op.resource_path
    blocks: list[Block] = []
    if op.deprecated or op.sunset:
        blocks.append(deprecated_mark(op.deprecated, op.deprecated_at, op.sunset))
    if op.sent_by_api:
        blocks.append(sent_by_api(op))
    if op.summary:
        blocks.extend(describe(op.summary, flavour, ("api-summary",)))
    if op.notes:
        blocks.extend(describe(op.notes, flavour, ("api-notes",)))
    facts = [Field("Nickname", (Code(op.nickname),))]
    if op.kind == "webhook":
        facts.append(Field("Webhook", (Code(op.name),)))
    elif op.kind == "callback":
        facts.append(Field("Callback", (Code(op.name),)))
        if op.parent:
            facts.append(Field("Callback of", (Link("op", op.parent, (Code(op.parent),)),)))
    auth = operation_field(op, spec)
    if op.scope and not any(op.scope in scopes for r in op.security for _name, scopes in r.schemes):
        facts.append(Field("Required scope", (Code(op.scope),)))  # not already said by the requirement
    if auth is not None and not (op.sent_by_api and not op.security):  # the API-wide default is not theirs
        facts.append(auth)
    returns = (Text("nothing"),) if is_void(op.response_type) else type_runs(op.response_type, resource)
    facts.append(Field("Your endpoint returns" if op.sent_by_api else "Returns", returns))
    if op.consumes:
        facts.append(Field("Consumes", codes(op.consumes)))
    if op.produces:
        facts.append(Field("Produces", codes(op.produces)))
    changed = history_field(history)
    if changed is not None:
        facts.append(changed)
    blocks.append(FieldList(tuple(facts), _FIELDS))
    if op.parameters:
        blocks.append(rubric("Parameters", "api-parameters"))
        blocks.append(table(
            ["Name", "Located in", "Type", "Required", "Default", "Allowed values", "Description"],
            (
                (
                    cell((Code(p.name),)),
                    text_cell(p.location),
                    cell(nullable_type_runs(p.type, p.nullable, resource)),
                    yes_no(p.required),
                    () if p.default is None else cell(codes([p.default])),
                    cell(allowed_values(p)),
                    parameter_description(p, flavour),
                )
                for p in op.parameters
            ),
            (14, 8, 12, 7, 8, 16, 35),
            "api-parameters",
        ))
    if examples and spec is not None:
        blocks.extend(payload_blocks(spec, op) if op.sent_by_api else request_blocks(spec, op))
    if op.response_messages:
        blocks.append(rubric("Response messages", "api-responses"))
        blocks.append(table(
            ["Code", "Message", "Model"],
            (
                (
                    text_cell(str(m.code)),
                    describe(m.message, flavour),
                    cell(
                        type_runs(m.type, resource) if m.type is not None
                        else (Link("model", m.model, (Text(m.model),), resource),) if m.model else ()
                    ),
                )
                for m in op.response_messages
            ),
            (8, 60, 32),
            "api-responses",
        ))
    if examples and spec is not None:
        blocks.extend(response_blocks(spec, op, tree if rows is not None else None))
    if rows is not None:
        blocks.extend(output_fields(rows, resource, field_selection, flavour))
    if callbacks:
        blocks.extend(callbacks_section(callbacks, flavour))
    return tuple(blocks)


def sent_by_api(op: Operation) -> Paragraph:
    """Who sends a webhook or callback, and where to."""
    runs: tuple[Inline, ...]
    if op.kind == "callback":
        runs = (Strong("Sent by the API to your endpoint"), Text(": to the URL the runtime expression "), Code(op.path), Text(" gives"))
        if op.parent:
            runs += (Text(", after a request to "), Link("op", op.parent, (Code(op.parent),)))
    else:
        runs = (Strong("Sent by the API to your endpoint"), Text(" (webhook "), Code(op.name or op.path), Text(")"))
    return Paragraph((*runs, Text(".")), ("api-sent-by-api",))


def callbacks_section(callbacks: Sequence[Operation], flavour: Flavour) -> list[Block]:
    """"Callbacks": the requests the API sends back after this operation, linked."""
    return [
        rubric("Callbacks", "api-callbacks"),
        Paragraph((Text("Requests the API sends to your endpoint after this operation:"),)),
        table(
            ["Callback", "Method and URL", "Summary"],
            (
                (
                    cell((Link("op", cb.nickname, (Code(cb.nickname),)),)),
                    cell((Text(f"{cb.method} "), Code(cb.path))),
                    describe(cb.summary, flavour),
                )
                for cb in callbacks
            ),
            (25, 40, 35),
            "api-callbacks",
        ),
    ]


def parameter_description(p: Parameter, flavour: Flavour) -> Cell:
    """The description, then the parameter's first example, if the spec gives one."""
    cell_blocks = described(p.description, p.deprecated, flavour)
    example = next((e for e in p.examples if not e.external), None)
    if example is not None and p.location not in ("body",):  # a body's example is shown whole
        paragraph = value_paragraph("Example: ", example.value)
        if paragraph is not None:
            cell_blocks += (paragraph,)
    return cell_blocks


def output_fields(rows: Sequence[FieldRow], resource: str, field_selection: bool, flavour: Flavour = "markdown") -> list[Block]:
    """"Possible output fields": the note on field selection, then the table (or "None")."""
    blocks: list[Block] = [rubric("Possible output fields", "api-output-fields")]
    if not rows:
        blocks.append(Paragraph((Text("None: the output filter passes no field."),)))
        return blocks
    if field_selection:
        blocks.append(field_selection_note(rows))
    blocks.append(table(
        ["Field", "Type", "Description"],
        ((cell((Code(r.path),)), cell(type_runs(r.type, resource)), output_description(r, flavour)) for r in rows),
        (30, 20, 50),
        "api-output-fields",
    ))
    return blocks


def output_description(row: FieldRow, flavour: Flavour) -> Cell:
    """An output field's description; a deprecated field (or one with a sunset date) says so
    first, with its dates, as its model's table does: clients read this table."""
    prop = row.prop
    if prop is None:
        return describe(row.description, flavour)
    return described(prop.description, prop.deprecated, flavour, prop.deprecated_at, prop.sunset)


def selection_example(paths: Sequence[str]) -> str:
    """``?fields=a.b,c`` from the first one or two paths, written as a request writes them:
    as in filter files (``app\\.version``), with ``\\,`` for a literal comma in a name."""
    return "?fields=" + ",".join(path.replace(",", "\\,") for path in paths[:2])


def field_selection_note(rows: Sequence[FieldRow]) -> Paragraph:
    """The note on field selection, with the parameter and an example as inline literals."""
    runs = (
        Text("Supports field selection: add "),
        Code("fields="),
        Text(" with a comma-separated list of the paths below, e.g. "),
        Code(selection_example([r.path for r in rows])),
        Text("."),
    )
    return Paragraph(runs, ("api-field-selection",))


def model_body(model: Model, resource: str, *, flavour: Flavour = "markdown") -> tuple[Block, ...]:
    """The model's description and a table of its properties."""
    blocks: list[Block] = list(describe(model.description, flavour))
    if model.properties:
        required = set(model.required)
        blocks.append(table(
            ["Field", "Type", "Required", "Description"],
            (
                (
                    cell((Code(prop.name),)),
                    cell(nullable_type_runs(prop.type, prop.nullable, resource)),
                    yes_no(prop.required or prop.name in required),
                    property_description(prop, flavour),
                )
                for prop in model.properties
            ),
            (20, 20, 10, 50),
            "api-model",
        ))
    return tuple(blocks)


def property_description(prop: Property, flavour: Flavour = "markdown") -> Cell:
    """Deprecated mark, description, default, allowed values and constraints, example."""
    blocks: list[Block] = list(described(prop.description, prop.deprecated, flavour, prop.deprecated_at, prop.sunset))
    for extra in (
        value_paragraph("Default: ", prop.default),
        Paragraph((Text("Allowed values: "), *codes(prop.enum)), ("api-constraints",)) if prop.enum else None,
        joined("Constraints: ", constraint_phrases(prop)),
        value_paragraph("Example: ", prop.example),
    ):
        if extra is not None:
            blocks.append(extra)
    return tuple(blocks)


def resource_body(resource: Resource, *, flavour: Flavour = "markdown") -> tuple[Block, ...]:
    """The resource's description and base path (its operations and models follow as objects)."""
    blocks: list[Block] = list(describe(resource.description, flavour))
    if resource.base_path:
        blocks.append(FieldList((Field("Base path", (Code(resource.base_path),)),), _FIELDS))
    return tuple(blocks)


def overview_body(spec: ApiSpec, operations: Iterable[Operation] | None = None) -> tuple[Block, ...]:
    """The API's description and version, a table of resources (and of ``operations``), linked."""
    flavour = markup.flavour(spec.swagger_version)
    blocks: list[Block] = list(describe(spec.info.description, flavour, ("api-description",)))
    facts = []
    if spec.info.version:
        facts.append(Field("API version", (Code(spec.info.version),)))
    if spec.base_url:
        facts.append(Field("Base URL", (Code(spec.base_url),)))
    if spec.swagger_version:
        facts.append(Field("Specification", (Text(spec.format_label),)))
    if facts:
        blocks.append(FieldList(tuple(facts), _FIELDS))
    blocks.append(table(
        ["Resource", "Description", "Operations"],
        (
            (
                cell((Link("res", r.resource_path, (Code(r.resource_path),)),)),
                describe(r.description, flavour),
                text_cell(str(sum(1 for _op in r.operations))),
            )
            for r in spec.resources
        ),
        (25, 60, 15),
        "api-resources",
    ))
    blocks.extend(schemes_section(spec, lambda text: describe(text, flavour)))
    if operations is not None:
        blocks.append(rubric("Operations", "api-operations"))
        blocks.append(table(
            ["Operation", "Method and path", "Summary"],
            (
                (cell((Link("op", op.nickname, (Code(op.nickname),)),)), text_cell(operation_title(op)), describe(op.summary, flavour))
                for op in operations
            ),
            (25, 35, 40),
            "api-operations",
        ))
    return tuple(blocks)
