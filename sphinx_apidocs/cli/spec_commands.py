"""Commands that work on API specs: ``validate``, ``serve``, ``snapshot``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sphinx_apidocs.spec.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FetchOptions
from sphinx_apidocs.spec.headers import parse_header
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.serve import make_server, server_url
from sphinx_apidocs.spec.snapshot import write_snapshot
from sphinx_apidocs.spec.sources import load_documents


def register(subparsers: Any) -> None:
    validate = subparsers.add_parser("validate", help="load and validate a spec; exit 1 on problems")
    _add_fetch_arguments(validate)
    validate.set_defaults(handler=run_validate)

    serve = subparsers.add_parser("serve", help="serve spec files as a live endpoint")
    serve.add_argument("source_dir", metavar="SOURCE_DIR")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    serve.set_defaults(handler=run_serve)

    snapshot = subparsers.add_parser("snapshot", help="save the fetched documents for offline builds")
    _add_fetch_arguments(snapshot)
    snapshot.add_argument("-o", "--output", required=True, metavar="DIR")
    snapshot.set_defaults(handler=run_snapshot)


def _add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="URL, listing, declaration or folder")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S")
    parser.add_argument(
        "--header", action="append", default=[], metavar="'Name: value'",
        help="extra request header; ${VAR} expands from the environment (repeatable)",
    )
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help="cap on each response's size")


def fetch_options(args: argparse.Namespace) -> FetchOptions:
    headers = dict(parse_header(h) for h in args.header)
    return FetchOptions(timeout=args.timeout, headers=headers, max_bytes=args.max_bytes)


def run_validate(args: argparse.Namespace) -> int:
    spec = build_spec(load_documents(args.source, fetch_options(args)))
    for warning in spec.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for note in spec.notes:
        print(f"note: {note}", file=sys.stderr)
    operations = sum(1 for _ in spec.operations)
    print(f"{spec.source}: valid {spec.format_label}: "
          f"{len(spec.resources)} resources, {operations} operations")
    return 0


def run_snapshot(args: argparse.Namespace) -> int:
    documents = load_documents(args.source, fetch_options(args))
    build_spec(documents)  # a snapshot is written only for a spec that loads completely
    names = write_snapshot(documents, args.output)
    print(f"{args.output}: wrote {len(names)} documents")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    server = make_server(args.source_dir, args.host, args.port)
    print(f"serving {args.source_dir} at {server_url(server)} (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
