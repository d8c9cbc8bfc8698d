"""Commands that work on API specs: ``validate``, ``serve``, ``snapshot``.

``validate --strict`` also checks a Swagger 2.0 / OpenAPI 3.x spec against its standard's
own schema (``openapi-spec-validator``, imported only then); what a build accepts does not
change. Loading shows progress on stderr when it is a terminal.

A SOURCE that is a snapshot folder is read through :func:`~sphinx_apidocs.spec.snapshot.reading`
(its current copy, held while it is read); anything else is read as it is.
"""

from __future__ import annotations

import argparse
from typing import Any

from sphinx_apidocs.cli.args import Once
from sphinx_apidocs.cli.streams import flush_out, progress_line, say, write_out

from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DOCUMENTS,
    DEFAULT_MAX_SPEC_BYTES,
    DEFAULT_TIMEOUT,
    FetchOptions,
)
from sphinx_apidocs.spec.headers import parse_header
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.serve import make_server, server_url
from sphinx_apidocs.spec.snapshot import check_target, reading, write_snapshot
from sphinx_apidocs.spec.sources import DocumentSet, load_documents
from sphinx_apidocs.spec.validate import strict_problems


def register(subparsers: Any) -> None:
    validate = subparsers.add_parser("validate", help="load and validate a spec; exit 1 on problems")
    _add_fetch_arguments(validate)
    validate.add_argument(
        "--strict", action="store_true",
        help="also check a Swagger 2.0 / OpenAPI 3.x spec against its standard (openapi-spec-validator)",
    )
    validate.set_defaults(handler=run_validate)

    serve = subparsers.add_parser("serve", help="serve spec files as a live endpoint")
    serve.add_argument("source_dir", metavar="SOURCE_DIR")
    serve.add_argument("--host", default="127.0.0.1", action=Once)
    serve.add_argument(
        "--port", type=_port, default=8000, action=Once,
        help="0 picks a free one; the URL is printed first (default 8000)",
    )
    serve.set_defaults(handler=run_serve)

    snapshot = subparsers.add_parser("snapshot", help="save the fetched documents for offline builds")
    _add_fetch_arguments(snapshot)
    snapshot.add_argument("-o", "--output", required=True, metavar="DIR", action=Once)
    snapshot.set_defaults(handler=run_snapshot)


def _port(value: str) -> int:
    """argparse type: a TCP port number, 0 to 65535 (a usage error otherwise, not a traceback)."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: expected a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: expected a number from 0 to 65535")
    return port


def _add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="URL, listing, declaration or folder")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S", action=Once)
    parser.add_argument(
        "--header", action="append", default=[], metavar="'Name: value'",
        help="extra request header; ${VAR} expands from the environment (repeatable)",
    )
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N", action=Once,
                        help="cap on each response's size")
    parser.add_argument("--deadline", type=float, default=0, metavar="S", action=Once,
                        help="seconds one document may take in all (retries, redirects, body); 0: 6 x --timeout")
    parser.add_argument("--root", default="", metavar="DIR", action=Once,
                        help="folder that relative $refs of a spec file may reach "
                             "(default: the spec's project root, else its folder)")
    parser.add_argument("--max-documents", type=int, default=DEFAULT_MAX_DOCUMENTS, metavar="N", action=Once,
                        help=f"the most documents one spec may have (default {DEFAULT_MAX_DOCUMENTS})")
    parser.add_argument("--max-spec-bytes", type=int, default=DEFAULT_MAX_SPEC_BYTES, metavar="N", action=Once,
                        help=f"the most bytes of all documents together (default {DEFAULT_MAX_SPEC_BYTES})")


def fetch_options(args: argparse.Namespace) -> FetchOptions:
    headers = dict(parse_header(h) for h in args.header)
    return FetchOptions(
        timeout=args.timeout,
        headers=headers,
        max_bytes=args.max_bytes,
        deadline=args.deadline or None,
        max_documents=args.max_documents,
        max_spec_bytes=args.max_spec_bytes,
        spec_root=args.root,
        progress=progress_line,
    )


def run_validate(args: argparse.Namespace) -> int:
    options = fetch_options(args)
    with reading(args.source) as source:
        documents = load_documents(source, options)
        if args.strict:
            _strict(documents)
        spec = build_spec(documents)
    shown = spec.source if source == args.source else args.source  # a snapshot: its folder
    for warning in spec.warnings:
        say(f"warning: {warning}")
    for note in spec.notes:
        say(f"note: {note}")
    operations = sum(1 for _ in spec.operations)
    write_out(f"{shown}: valid {spec.format_label}: "
              f"{len(spec.resources)} resources, {operations} operations\n")
    return 0


def _strict(documents: DocumentSet) -> None:
    """``--strict``: the standard's own checks; every problem is one ``error:`` line."""
    if documents.kind != "openapi":
        say("note: strict validation is not available for Swagger 1.x (no official schema "
            "checker for that format); checked with the built-in rules only")
        return
    root, *others = (declared.document for declared in documents.declarations)
    problems = strict_problems(root, others)
    if problems:
        raise SpecError(problems)


def run_snapshot(args: argparse.Namespace) -> int:
    check_target(args.output)  # refuse a folder that is not ours before fetching anything
    options = fetch_options(args)
    with reading(args.source) as source:
        documents = load_documents(source, options)
        build_spec(documents)  # a snapshot is written only for a spec that loads completely
    names = write_snapshot(documents, args.output)
    write_out(f"{args.output}: wrote {len(names)} documents\n")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    with reading(args.source_dir) as folder:  # a snapshot folder: its current copy, held while served
        server = make_server(folder, args.host, args.port)
        try:
            # the first line names the URL (with ``--port 0``, the port that was picked)
            write_out(f"serving {args.source_dir} at {server_url(server)} (Ctrl+C stops)\n")
            flush_out()
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0
