"""``sphinx-apidocs diff OLD NEW``: what changed for the API's clients, for CI and changelogs.

Exit status (DESIGN.md "Contract evolution"): 0 when no change that is not waived reaches
``--fail-on`` (``breaking`` by default), 1 when one does, 2 when either side (spec, filters,
a ``git:`` source) or the waiver file cannot be loaded, or the report cannot be written —
one ``error:`` line each, no traceback. The report goes to stdout, or atomically to ``-o FILE`` (a failed run leaves
nothing half-written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import tempfile
from contextlib import ExitStack
from typing import Any, Callable, Mapping

from sphinx_apidocs.cli.args import Once
from sphinx_apidocs.cli.spec_commands import fetch_options
from sphinx_apidocs.cli.streams import flush_out, say, write_out
from sphinx_apidocs.diff import Change, Level
from sphinx_apidocs.diff.report import as_json, as_junit, as_markdown, as_text, failing
from sphinx_apidocs.diff.sources import Resolved, resolve
from sphinx_apidocs.diff.waivers import Waiver, apply_waivers, load_waivers, unused_waivers
from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import LoadedFilter, audience_order, load_filter_trees
from sphinx_apidocs.filters.errors import printable
from sphinx_apidocs.spec import ApiSpec, load_spec
from sphinx_apidocs.spec.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_SPEC_BYTES,
    DEFAULT_TIMEOUT,
)
from sphinx_apidocs.spec.audience import AudienceOrder, audience_view
from sphinx_apidocs.spec.snapshot import reading

FORMATS = ("text", "json", "markdown", "junit")
FAIL_ON = ("breaking", "warning", "never")
#: Exit status when a side cannot be loaded or the report cannot be written (1 means
#: "changes reach --fail-on", so a failure of the tool must not look like it).
EXIT_LOAD_ERROR = 2


def register(subparsers: Any) -> None:
    """Add the ``diff`` subcommand."""
    diff = subparsers.add_parser(
        "diff",
        help="compare two releases of an API as its clients see them; exit 1 on breaking changes",
        description="Compare two releases of an API (spec + output filters). Exit 0: nothing "
        "reaches --fail-on; 1: something does; 2: a side could not be loaded.",
    )
    diff.add_argument("old", metavar="OLD", help="the earlier spec: URL, file, folder, snapshot or git:REV:PATH")
    diff.add_argument("new", metavar="NEW", help="the later spec, likewise")
    diff.add_argument("--old-filters", metavar="F", action=Once, help="OLD's output filters (file, folder or git:REV:PATH)")
    diff.add_argument("--new-filters", metavar="F", action=Once, help="NEW's output filters")
    diff.add_argument("--filters", metavar="F", action=Once,
                      help="the filters of both sides (--old-filters/--new-filters override one side)")
    diff.add_argument("--audience", metavar="NAME", action=Once,
                      help="only what this audience sees; an operation moved to a narrower audience is breaking")
    diff.add_argument("--audiences", metavar="A,B,C", action=Once,
                      help="the audience order, widest first (default: the audiences.yaml of the filter folder)")
    diff.add_argument("--format", choices=FORMATS, default="text", action=Once, help="report format (default text)")
    diff.add_argument("--fail-on", choices=FAIL_ON, default="breaking", action=Once,
                      help="exit 1 when a change reaches this level (default breaking)")
    diff.add_argument("--waivers", metavar="FILE", action=Once, help="YAML file of accepted changes")
    diff.add_argument("-o", "--output", metavar="FILE", action=Once, help="write the report here (default stdout)")
    diff.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S", action=Once)
    diff.add_argument("--header", action="append", default=[], metavar="'Name: value'",
                      help="extra request header for URL sources; ${VAR} expands from the environment (repeatable)")
    diff.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N", action=Once)
    diff.add_argument("--deadline", type=float, default=0, metavar="S", action=Once)
    diff.add_argument("--max-documents", type=int, default=DEFAULT_MAX_DOCUMENTS, metavar="N", action=Once)
    diff.add_argument("--max-spec-bytes", type=int, default=DEFAULT_MAX_SPEC_BYTES, metavar="N", action=Once)
    diff.set_defaults(handler=run_diff, root="")


class _LoadFailed(Exception):
    """A side could not be loaded; the lines are already said."""


def run_diff(args: argparse.Namespace) -> int:
    fail_on = None if args.fail_on == "never" else Level.parse(args.fail_on)
    try:
        waivers, changes = _load_and_compare(args)
    except _LoadFailed:
        return EXIT_LOAD_ERROR
    kept, waived = apply_waivers(changes, waivers)
    for waiver in unused_waivers(waivers, waived):
        say(f"note: {waiver.where}: waiver of {waiver.id} for {printable(waiver.operation)} matches no change")
    render: dict[str, Callable[[], str]] = {
        "text": lambda: as_text(kept, waived, fail_on),
        "json": lambda: as_json(kept, waived),
        "markdown": lambda: as_markdown(kept, waived),
        "junit": lambda: as_junit(kept, waived, fail_on),
    }
    report = render[args.format]()
    try:
        if args.output:
            _write_atomically(args.output, report)
        else:
            # A stdout that cannot encode the report (a C locale): the same document in ASCII,
            # with the format's own escapes (backslash escapes would break JSON and XML).
            fallbacks: dict[str, Callable[[], str]] = {
                "json": lambda: as_json(kept, waived, ascii_only=True),
                "junit": lambda: report.encode("ascii", "xmlcharrefreplace").decode("ascii"),
            }
            write_out(report, fallbacks.get(args.format))
            flush_out()  # a full disk behind stdout shows here
    except ApidocsError as exc:  # the report is lost: not "changes found" (1), a failure (2)
        for line in str(exc).splitlines():
            say(f"error: {line}")
        return EXIT_LOAD_ERROR
    return 1 if failing(kept, fail_on) else 0


def _load_and_compare(args: argparse.Namespace) -> tuple[list[Waiver], list[Change]]:
    """Load waivers, both specs and both sides' filters (in the order a user reads the
    command), then compare; a load error is said (one line each) and ends the run."""
    old_filters = args.old_filters if args.old_filters is not None else args.filters
    new_filters = args.new_filters if args.new_filters is not None else args.filters
    with ExitStack() as stack:
        waivers: list[Waiver] = []
        if args.waivers is not None:
            waivers = _loading(None, lambda: load_waivers(args.waivers, dt.date.today()))
        old_spec = _spec(stack, args, args.old)
        new_spec = _spec(stack, args, args.new)
        order = _order(stack, args, new_filters or old_filters)
        audience = {"audience": args.audience, "audiences": list(order.names)} if order is not None else {}
        old_trees = _filters(stack, old_filters, audience)
        new_trees = _filters(stack, new_filters, audience)
        from sphinx_apidocs.diff.compare import diff_specs  # the engine: only once both sides load

        if order is not None:
            from sphinx_apidocs.diff.audience import audience_diff

            for spec in (old_spec, new_spec):  # what the audience may read of the reader's warnings
                for warning in audience_view(spec, args.audience, order).warnings:
                    say(f"warning: {warning}")
            return waivers, audience_diff(old_spec, new_spec, old_trees, new_trees, args.audience, order)
        return waivers, diff_specs(old_spec, new_spec, old_trees, new_trees)


def _order(stack: ExitStack, args: argparse.Namespace, filters: str | None) -> AudienceOrder | None:
    """With ``--audience``: the order (``--audiences``, else the filter folder's
    ``audiences.yaml``), checked; without it: ``None``."""
    if args.audience is None:
        if args.audiences is not None:
            say("error: --audiences needs --audience NAME")
            raise _LoadFailed
        return None

    def read() -> AudienceOrder:
        names: tuple[str, ...] = ()
        if args.audiences is not None:
            names = tuple(name.strip() for name in args.audiences.split(",") if name.strip())
        elif filters is not None:
            names = tuple(audience_order(_resolve(stack, filters).path))
        if not names:
            raise ApidocsError("diff --audience needs --audiences A,B,C or an audiences.yaml at the top of the filter folder")
        order = AudienceOrder(names)
        order.rank(args.audience)
        return order

    order: AudienceOrder = _loading(None, read)
    return order


def _loading(resolved: Resolved | None, load: Callable[[], Any]) -> Any:
    """``load()``; its error as ``error:`` lines (temporary ``git:`` copies named as such)."""
    try:
        return load()
    except ApidocsError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
    except OSError as exc:
        from sphinx_apidocs.cli import os_error_text

        lines = [os_error_text(exc)]
    except RecursionError:
        lines = ["too deeply nested to read"]
    for line in lines:
        say(f"error: {resolved.shown(line) if resolved is not None else line}")
    raise _LoadFailed


def _resolve(stack: ExitStack, source: str) -> Resolved:
    resolved: Resolved = _loading(None, lambda: stack.enter_context(resolve(source)))
    return resolved


def _spec(stack: ExitStack, args: argparse.Namespace, source: str) -> ApiSpec:
    resolved = _resolve(stack, source)
    options = _loading(None, lambda: fetch_options(args))  # a bad --header is a load error too

    def load() -> ApiSpec:
        with reading(resolved.path) as path:
            return load_spec(path, options=options)

    spec: ApiSpec = _loading(resolved, load)
    if args.audience is None:  # with --audience, the view's own warnings are said (see _load_and_compare)
        for warning in spec.warnings:
            say(f"warning: {resolved.shown(str(warning))}")
    return spec


def _filters(stack: ExitStack, source: str | None, audience: Mapping[str, Any]) -> Mapping[str, LoadedFilter] | None:
    if source is None:
        return None
    resolved = _resolve(stack, source)
    trees: dict[str, LoadedFilter] = _loading(resolved, lambda: load_filter_trees(resolved.path, **audience))
    return trees


def _write_atomically(target: str, text: str) -> None:
    """Write ``text`` (UTF-8) through a temporary file in the same folder and a rename: a
    reader never sees half a report, a failed write leaves the old file as it was."""
    name = printable(target)
    folder = os.path.dirname(target) or "."
    try:
        if stat.S_ISDIR(os.stat(target).st_mode):
            raise ApidocsError(f"{name}: is a directory")
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ApidocsError(f"{name}: cannot write: {exc.strerror or exc}") from None
    try:
        descriptor, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as exc:
        raise ApidocsError(f"{name}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8", "backslashreplace"))
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        _remove(temp)
        raise ApidocsError(f"{name}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove(temp)
        raise


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
