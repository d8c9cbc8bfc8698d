"""The ``sphinx-apidocs`` command line. ``main(argv=None) -> int`` so tests call it in-process.

Each group of commands lives in its own module with a ``register(subparsers)`` function; a
command's handler takes the parsed namespace and returns the exit status.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from sphinx_apidocs import __version__
from sphinx_apidocs.errors import ApidocsError


def build_parser() -> argparse.ArgumentParser:
    from sphinx_apidocs.cli import filter_commands, spec_commands

    parser = argparse.ArgumentParser(
        prog="sphinx-apidocs",
        description="Validate, serve and snapshot Swagger-like API specs; work with output filters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    spec_commands.register(subparsers)
    filter_commands.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ApidocsError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
