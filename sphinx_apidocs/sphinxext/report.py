"""The build's global checks, reported once per build (in the main process, at load time):
the spec's own warnings and notes, operations without an output filter, whitelisted paths
that are not in the response model, and filters for operations the API does not have.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

from sphinx_apidocs.spec.model import ApiSpec, Operation
from sphinx_apidocs.sphinxext.fields import FieldRow, Lookup, is_void
from sphinx_apidocs.sphinxext.filter_entries import FilterEntry
from sphinx_apidocs.sphinxext.warnings import Warn, logger, warn, warn_located


class Checked(Protocol):
    """What the checks read (``state.BuildState`` has it)."""

    @property
    def operations(self) -> Mapping[str, Operation]: ...
    @property
    def op_locations(self) -> Mapping[str, str]: ...
    @property
    def filters(self) -> Mapping[str, FilterEntry]: ...
    @property
    def filter_conflicts(self) -> Collection[str]: ...
    def field_rows(self, op: Operation) -> list[FieldRow] | None: ...


def report_spec(spec: ApiSpec) -> None:
    """The spec's located warnings; its notes only with ``-v`` (a count otherwise)."""
    for message in spec.warnings:
        warn_located(Warn.SPEC, message)
    # Notes are facts, not problems (e.g. nicknames generated for operations without the
    # optional operationId, shown on each operation's page): a -W build must pass.
    for message in spec.notes:
        logger.verbose(message)
    if spec.notes:
        logger.info("apidocs: %d note(s) about the spec (run with -v to list them)", len(spec.notes))


def report_coverage(state: Checked) -> None:
    """Operations without a filter, unknown whitelisted paths, filters without an operation.

    A nickname defined in two filter files has no filter (the duplicate was reported as an
    ``apidocs.filter`` problem), and no coverage warning either.
    """
    for nickname, op in state.operations.items():
        if nickname not in state.filters:
            if not is_void(op.response_type) and nickname not in state.filter_conflicts:
                warn(
                    Warn.COVERAGE,
                    f"{op.kind} {nickname!r} ({op.method} {op.path}) has no output filter, "
                    "so its output fields are not documented",
                    location=state.op_locations[nickname],
                )
            continue
        for row in state.field_rows(op) or ():
            if row.lookup is Lookup.MISSING:
                model = op.response_type.display() or "?"
                warn(
                    Warn.FIELD,
                    f"{nickname}: {row.path!r} is not in the response model {model} (no field {row.missing!r})",
                    location=state.filters[nickname].location,
                )
    for nickname, entry in state.filters.items():
        if nickname not in state.operations:
            warn(Warn.COVERAGE, f"filter for {nickname!r}, which is not an operation of the API", location=entry.location)
