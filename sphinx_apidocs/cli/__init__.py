"""The ``sphinx-apidocs`` command line. ``main(argv=None) -> int`` so tests call it in-process.

Each group of commands lives in its own module with a ``register(subparsers)`` function; a
command's handler takes the parsed namespace and returns the exit status. Every command
accepts its options and operands in any order (:mod:`sphinx_apidocs.cli.args`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from sphinx_apidocs import __version__
from sphinx_apidocs.cli.args import CommandParser
from sphinx_apidocs.cli.streams import flush_out, say
from sphinx_apidocs.errors import ApidocsError


def build_parser() -> argparse.ArgumentParser:
    from sphinx_apidocs.cli import diff_command, filter_commands, spec_commands

    parser = argparse.ArgumentParser(
        prog="sphinx-apidocs",
        description="Validate, serve and snapshot Swagger-like API specs; work with output filters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )
    spec_commands.register(subparsers)
    filter_commands.register(subparsers)
    diff_command.register(subparsers)
    return parser


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cmd | head` cut short


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status: 0 fine, 1 an error (one ``error:`` line per problem
    on stderr, no traceback), 130 interrupted, 141 the reader of stdout went away
    (``sphinx-apidocs fields F | head -1``: quietly, as ``head``'s writers do), or argparse's 2.
    An operating-system error no command turned into a message of its own (a file that cannot
    be read or written, a full disk) is still one ``error: NAME: reason`` line.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        status = int(args.handler(args))
        flush_out()  # a closed pipe shows here, not as a traceback at interpreter exit
        return status
    except ApidocsError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            say(f"error: {line}")
        return 1
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        say(f"error: {os_error_text(exc)}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except SystemExit:  # argparse's --help/--version/usage errors: flush before exiting
        try:
            flush_out()
        except BrokenPipeError:
            _discard_stdout()
            return EXIT_BROKEN_PIPE
        except ApidocsError:
            pass
        raise


def os_error_text(exc: OSError) -> str:
    """``NAME: reason`` (or ``reason``) of an ``OSError``, on one line."""
    from sphinx_apidocs.filters.errors import printable

    reason = " ".join((exc.strerror or str(exc) or type(exc).__name__).split())
    names = [
        printable(os.fsdecode(name) if isinstance(name, (str, bytes)) else str(name))
        for name in (exc.filename, exc.filename2)
        if name is not None
    ]
    return f"{' -> '.join(names)}: {reason}" if names else reason


def _discard_stdout() -> None:
    """Point stdout's file descriptor at the null device, so the interpreter's final flush of
    what is still buffered cannot fail again ("Exception ignored ... BrokenPipeError").
    Streams without a descriptor (captured output in tests) are left alone.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
