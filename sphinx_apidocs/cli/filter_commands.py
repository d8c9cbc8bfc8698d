"""CLI commands for output filters: ``fields``, ``apply`` and ``compile``."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import (
    FieldSelector,
    FilterError,
    LoadedFilter,
    compile_filter,
    dotted_paths,
    filter_files,
    load_filter_trees,
    module_source,
)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``fields``, ``apply`` and ``compile`` subcommands."""
    fields = subparsers.add_parser("fields", help="list the dotted paths each filter whitelists")
    fields.add_argument("filters", metavar="FILTERS", help="a filter file or folder")
    fields.add_argument("--operation", metavar="NICK", help="only this operation's paths")
    fields.add_argument("--json", action="store_true", help="print {nickname: [paths]} as JSON")
    fields.set_defaults(handler=run_fields)

    # argparse (before 3.13) cannot fill an optional positional that follows an option
    # (``FILTERS --operation NICK INPUT``), so operands collect from both places and the
    # handler splits them: any order the user writes works.
    apply = subparsers.add_parser(
        "apply",
        help="filter a JSON response (file or stdin)",
        usage="%(prog)s FILTERS --operation NICK [INPUT] [--fields PATHS]",
    )
    apply.add_argument(
        "operands", metavar="FILTERS [INPUT]", nargs="*",
        help="a filter file or folder, then the JSON response file (default: stdin)",
    )
    apply.add_argument(
        "--operation", metavar="NICK", nargs="+", required=True, help="the operation's filter"
    )
    apply.add_argument(
        "--fields", metavar="PATHS",
        help="keep only these comma-separated dotted paths within the whitelist (like a "
        "client's fields= request); a path outside it is an error",
    )
    apply.set_defaults(handler=run_apply)

    compile_ = subparsers.add_parser("compile", help="write a stand-alone Python module of filters")
    compile_.add_argument("filters", metavar="FILTERS", help="a filter file or folder")
    compile_.add_argument("-o", "--output", metavar="MODULE.py", required=True, help="module to write")
    compile_.add_argument("--check", action="store_true", help="exit 1 if MODULE.py is missing or stale")
    compile_.set_defaults(handler=run_compile)


def _select(trees: dict[str, LoadedFilter], operation: str | None) -> dict[str, LoadedFilter]:
    if operation is None:
        return trees
    if operation not in trees:
        raise FilterError(f"no filter for operation {operation!r}")
    return {operation: trees[operation]}


def run_fields(args: argparse.Namespace) -> int:
    """Print dotted paths: a header per nickname with indented paths, or JSON."""
    selected = _select(load_filter_trees(args.filters), args.operation)
    paths = {nickname: dotted_paths(loaded.tree) for nickname, loaded in selected.items()}
    if args.json:
        print(json.dumps(paths, indent=2, ensure_ascii=False))
    elif args.operation is not None:
        for path in paths[args.operation]:
            print(path)
    else:
        for nickname, items in paths.items():
            print(nickname)
            for path in items:
                print(f"  {path}")
    return 0


def _read_json(source: str | None) -> Any:
    name = source if source is not None else "<stdin>"
    try:
        text = sys.stdin.read() if source is None else Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ApidocsError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ApidocsError(f"{name}: not valid UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApidocsError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def run_apply(args: argparse.Namespace) -> int:
    """Filter one JSON response with one operation's filter (or a ``--fields`` selection
    within it), printing JSON.
    """
    operation, *extra = args.operation
    operands = [*args.operands, *extra]
    if not 1 <= len(operands) <= 2:
        raise ApidocsError("usage: sphinx-apidocs apply FILTERS --operation NICK [INPUT]")
    filters, source = operands[0], (operands[1] if len(operands) == 2 else None)
    loaded = _select(load_filter_trees(filters), operation)[operation]
    if args.fields is None:
        keep = compile_filter(loaded.tree)
    else:  # checked before reading the input, so a bad selection fails fast
        keep = FieldSelector({operation: loaded.tree}, cache_size=0).select(operation, args.fields)
    result = keep(_read_json(source))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def run_compile(args: argparse.Namespace) -> int:
    """Write (or ``--check``) the generated module."""
    trees = load_filter_trees(args.filters)
    command = shlex.join(["sphinx-apidocs", "compile", args.filters, "-o", args.output])
    source = module_source(
        {nickname: loaded.tree for nickname, loaded in trees.items()},
        sources=[display for _, display in filter_files(args.filters)],
        command=command,
    )
    target = Path(args.output)
    if args.check:
        try:
            current = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ApidocsError(f"{args.output} is missing; run: {command}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ApidocsError(f"{args.output}: cannot read: {exc}") from None
        if current != source:
            raise ApidocsError(f"{args.output} is stale; run: {command}")
        return 0
    _write_atomically(target, source)
    return 0


def _write_atomically(target: Path, text: str) -> None:
    """Write via a temporary file in the same folder and a rename, so readers never see half."""
    folder = target.parent
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ApidocsError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        os.unlink(temp)
        raise ApidocsError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        os.unlink(temp)
        raise
