"""CLI commands for output filters: ``fields``, ``apply`` and ``compile``.

Each takes ``--audience NAME`` (whose whitelists: its own and every wider audience's files)
and ``--audiences A,B,C`` (the order, widest first; default: ``FILTERS/audiences.yaml``).
"""

from __future__ import annotations

import argparse
import json
import json.encoder
import os
import shlex
import stat
import tempfile
from pathlib import Path
from typing import Any, Callable

from sphinx_apidocs.cli.args import CommandParser, Once
from sphinx_apidocs.cli.streams import read_stdin, write_out
from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import (
    ORDER_FILE,
    FieldSelector,
    FilterError,
    LoadedFilter,
    audience_layers,
    audience_order,
    check_order,
    compile_filter,
    dotted_paths,
    filter_files,
    load_filter_trees,
    module_source,
)
from sphinx_apidocs.filters.load import FILTER_SUFFIXES
from sphinx_apidocs.filters.codegen import HEADER
from sphinx_apidocs.filters.errors import printable, quoted
from sphinx_apidocs.filters.parse import json_nesting


def register(subparsers: "argparse._SubParsersAction[CommandParser]") -> None:
    """Add the ``fields``, ``apply`` and ``compile`` subcommands."""
    fields = subparsers.add_parser("fields", help="list the dotted paths each filter whitelists")
    fields.add_argument("filters", metavar="FILTERS", help="a filter file or folder")
    fields.add_argument(
        "--operation", metavar="NICK", action="append",
        help="only this operation's paths (repeatable: several operations)",
    )
    fields.add_argument("--json", action="store_true", help="print {nickname: [paths]} as JSON")
    _audience_options(fields)
    fields.set_defaults(handler=run_fields)

    apply = subparsers.add_parser("apply", help="filter a JSON response (file or stdin)")
    apply.add_argument("filters", metavar="FILTERS", help="a filter file or folder")
    apply.add_argument("input", metavar="INPUT", nargs="?", help="the JSON response file (default: stdin)")
    apply.add_argument("--operation", metavar="NICK", required=True, action=Once, help="the operation's filter")
    apply.add_argument(
        "--fields", metavar="PATHS", action="append",
        help="keep only these comma-separated dotted paths within the whitelist (like a "
        "client's fields= request; repeatable: the paths add up); a path outside it is an error",
    )
    _audience_options(apply)
    apply.set_defaults(handler=run_apply)

    compile_ = subparsers.add_parser("compile", help="write a stand-alone Python module of filters")
    compile_.add_argument("filters", metavar="FILTERS", help="a filter file or folder")
    compile_.add_argument("-o", "--output", metavar="MODULE.py", required=True, action=Once, help="module to write")
    compile_.add_argument("--check", action="store_true", help="exit 1 if MODULE.py is missing or stale")
    compile_.add_argument(
        "--spec", metavar="SOURCE", action=Once,
        help="also write ROUTES and HEADERS (Deprecation/Sunset) of this spec, for the middleware "
        "without this package",
    )
    _audience_options(compile_)
    compile_.set_defaults(handler=run_compile)


def _audience_options(parser: argparse.ArgumentParser) -> None:
    """``--audience`` and ``--audiences``, the same for every filter command."""
    parser.add_argument(
        "--audience", metavar="NAME", action=Once,
        help="the whitelists of this audience: its own files and those of every wider audience "
        "(default: the widest)",
    )
    parser.add_argument(
        "--audiences", metavar="A,B,C", action=Once,
        help=f"the audience order, widest first (default: the {ORDER_FILE} of FILTERS)",
    )


class _Audience:
    """The audience options of one command, checked: ``audience`` (``None``: no order is
    known) and ``audiences`` (the order as given on the command line, or ``None``)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.audiences = None if args.audiences is None else list(
            check_order([name.strip() for name in args.audiences.split(",")], "--audiences")
        )
        order = audience_order(args.filters, self.audiences)
        given: str | None = args.audience
        if given is not None and not order:
            raise ApidocsError(
                f"--audience {quoted(given)}: no audience order is known for {printable(args.filters)}; "
                f"give --audiences A,B,C or list them in {ORDER_FILE} at the top of the folder"
            )
        if given is not None and given not in order:
            raise ApidocsError(f"--audience: unknown audience {quoted(given)} (the audiences: {', '.join(order)})")
        self.audience = (given or order[0]) if order else None

    def trees(self, filters: str) -> dict[str, LoadedFilter]:
        """The whitelists this audience sees."""
        return load_filter_trees(filters, audience=self.audience, audiences=self.audiences)

    def files(self, filters: str) -> list[tuple[Path, str]]:
        """The filter files this audience sees (no other file is named in its module)."""
        return [entry for _, files in audience_layers(filters, self.audience, self.audiences) for entry in files]

    def options(self) -> list[str]:
        """The options to give again to regenerate the same module."""
        options = []
        if self.audience is not None:
            options += ["--audience", self.audience]
        if self.audiences is not None:
            options += ["--audiences", ",".join(self.audiences)]
        return options


def _select(trees: dict[str, LoadedFilter], operations: list[str] | None) -> dict[str, LoadedFilter]:
    """The filters of ``operations`` (each once, in the order given), or all of them."""
    if operations is None:
        return trees
    for operation in operations:
        if operation not in trees:
            raise FilterError(f"no filter for operation {quoted(operation)}")
    return {operation: trees[operation] for operation in operations}


def run_fields(args: argparse.Namespace) -> int:
    """Print dotted paths: a header per nickname with indented paths (just the paths for one
    ``--operation``), or JSON.
    """
    selected = _select(_Audience(args).trees(args.filters), args.operation)
    paths = {nickname: dotted_paths(loaded.tree) for nickname, loaded in selected.items()}
    if args.json:
        _write_json(paths)
        return 0
    # Plain lines are for people and line tools: a control character in a name (a newline,
    # an ANSI escape) is shown escaped, so it can neither split a line nor drive the
    # terminal. ``--json`` gives the exact names.
    lines: list[str] = []
    if len(paths) == 1 and args.operation is not None:
        lines += [printable(path) for path in next(iter(paths.values()))]
    else:
        for nickname, items in paths.items():
            lines.append(printable(nickname))
            lines += [f"  {printable(path)}" for path in items]
    write_out("".join(f"{line}\n" for line in lines))
    return 0


# --- output --------------------------------------------------------------------------------------


def _write_json(value: Any) -> None:
    """``value`` as indented JSON (the layout of ``json.dumps(indent=2, ensure_ascii=False)``)."""
    write_out(json_text(value) + "\n", lambda: json_text(value, ascii_only=True) + "\n")


class JsonNumber:
    """A JSON number kept as its exact source text (``apply`` passes numbers through
    unchanged: a float would round ``0.1000000000000000000001`` and turn ``1e999`` into
    ``Infinity``, and ``int()`` refuses more than 4300 digits).
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"JsonNumber({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _json_int(text: str) -> int | JsonNumber:
    """``parse_int`` for ``json.loads``: an ``int``, or the exact text past the digit limit."""
    try:
        return int(text)
    except ValueError:  # past the interpreter's digit limit: keep the text
        return JsonNumber(text)


def _int_text(value: int) -> str:
    """The decimal digits of any ``int``: past the interpreter's digit limit for ``str()``
    (4300 by default), in exact chunks of 4000 digits.
    """
    try:
        return int.__repr__(value)
    except ValueError:
        pass
    sign, value = ("-", -value) if value < 0 else ("", int(value))
    chunks: list[int] = []
    while value:
        value, low = divmod(value, _CHUNK)
        chunks.append(low)
    return sign + int.__repr__(chunks[-1]) + "".join(f"{chunk:04000d}" for chunk in reversed(chunks[:-1]))


_CHUNK = 10**4000


def _scalar(value: Any, encode: Callable[[str], str]) -> str:
    """One JSON scalar, written as ``json`` writes it (``JsonNumber``: its source text)."""
    if isinstance(value, str):
        return encode(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is JsonNumber:
        return value.text
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_text(value: Any, *, ascii_only: bool = False) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=ascii_only)``, written with an explicit
    stack: as deep as ``json.loads`` (or a filter) can nest, the output is written, where
    ``json.dumps`` with an indent recurses once per level and runs out of stack. A string
    holding a lone surrogate (``"\\ud800"`` in the input) is written as an ASCII escape, so the
    text is always valid UTF-8.
    """
    plain = json.encoder.encode_basestring
    escaped = json.encoder.encode_basestring_ascii

    def encode(text: str) -> str:
        if ascii_only:
            return escaped(text)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return escaped(text)
        return plain(text)

    parts: list[str] = []
    # Work items: a value to write at an indentation level, or text to copy.
    stack: list[tuple[Any, int] | str] = [(value, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        current, level = item
        if isinstance(current, dict):
            if not current:
                parts.append("{}")
                continue
            inner = "\n" + "  " * (level + 1)
            work: list[tuple[Any, int] | str] = []
            for index, (key, member) in enumerate(current.items()):
                if not isinstance(key, str):
                    key = _scalar(key, str) if key is None or isinstance(key, (bool, int, float)) else key
                work.append(("{" if index == 0 else ",") + inner + encode(key) + ": ")
                work.append((member, level + 1))
            work.append("\n" + "  " * level + "}")
            stack.extend(reversed(work))
        elif isinstance(current, (list, tuple)):
            if not current:
                parts.append("[]")
                continue
            inner = "\n" + "  " * (level + 1)
            work = []
            for index, member in enumerate(current):
                work.append(("[" if index == 0 else ",") + inner)
                work.append((member, level + 1))
            work.append("\n" + "  " * level + "]")
            stack.extend(reversed(work))
        else:
            parts.append(_scalar(current, encode))
    return "".join(parts)


def _place(text: str, index: int) -> str:
    """``line:col`` (1-based) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _read_json(source: str | None) -> Any:
    """The JSON document in ``source`` (a file, or stdin for ``None``); numbers that a
    ``float``/``int`` cannot hold exactly come back as ``JsonNumber``. Every problem is one
    ``ApidocsError`` line naming the input and the place.
    """
    name = printable(source) if source is not None else "<stdin>"
    try:
        data = Path(source).read_bytes() if source is not None else read_stdin()
    except OSError as exc:
        raise ApidocsError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ApidocsError(f"{name}: not valid UTF-8") from None
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            start = exc.start - 3 if data.startswith(b"\xef\xbb\xbf") else exc.start
            prefix = data[: max(start, 0)].decode("utf-8", "replace")
            raise ApidocsError(f"{name}:{_place(prefix, len(prefix))}: not valid UTF-8") from None
    else:
        text = data.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_float=JsonNumber, parse_int=_json_int, parse_constant=JsonNumber)
    except json.JSONDecodeError as exc:
        raise ApidocsError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        depth, index = json_nesting(text)
        raise ApidocsError(f"{name}:{_place(text, index)}: invalid JSON: nested too deeply ({depth} levels)") from None


def run_apply(args: argparse.Namespace) -> int:
    """Filter one JSON response with one operation's filter (or a ``--fields`` selection
    within it), printing JSON.
    """
    operation = args.operation
    loaded = _select(_Audience(args).trees(args.filters), [operation])[operation]
    if args.fields is None:
        keep = compile_filter(loaded.tree)
    else:  # checked before reading the input, so a bad selection fails fast
        keep = FieldSelector({operation: loaded.tree}, cache_size=0).select(operation, ",".join(args.fields))
    _write_json(keep(_read_json(args.input)))
    return 0


def run_compile(args: argparse.Namespace) -> int:
    """Write (or ``--check``) the generated module."""
    audience = _Audience(args)
    trees = audience.trees(args.filters)
    spec_options = ["--spec", args.spec] if args.spec else []
    command = shlex.join(["sphinx-apidocs", "compile", args.filters, "-o", args.output, *spec_options, *audience.options()])
    source = module_source(
        {nickname: loaded.tree for nickname, loaded in trees.items()},
        sources=[display for _, display in audience.files(args.filters)],
        command=command,
        audience=audience.audience,
    )
    if args.spec:
        from sphinx_apidocs.middleware import routes_source
        from sphinx_apidocs.spec import load_spec

        source += routes_source(load_spec(args.spec))
    target = Path(args.output)
    if args.check:
        try:
            if not stat.S_ISREG(os.stat(target).st_mode):  # never open a FIFO: it would block
                raise ApidocsError(f"{printable(args.output)}: not a regular file")
            current = target.read_bytes()
        except FileNotFoundError:
            raise ApidocsError(f"{printable(args.output)} is missing; run: {printable(command)}") from None
        except OSError as exc:
            raise ApidocsError(f"{printable(args.output)}: cannot read: {exc.strerror or exc}") from None
        if current != source.encode("ascii"):
            raise ApidocsError(f"{printable(args.output)} is stale; run: {printable(command)}")
        return 0
    _refuse_to_clobber(target, [file for file, _ in filter_files(args.filters)])
    _write_atomically(target, source)
    return 0


_GENERATED_MARKS = ("\n".join(HEADER).encode("ascii"), b"# Generated by sphinx-apidocs")


def _refuse_to_clobber(target: Path, inputs: list[Path]) -> None:
    """``compile`` replaces only what it generated: never a filter file (``-o`` mistyped as an
    input), never a non-empty file of someone else's (a hand-written module).
    """
    name = printable(str(target))
    for file in inputs:
        try:
            if os.path.samefile(file, target):
                raise ApidocsError(f"{name}: is one of the filter files; not overwriting it")
        except OSError:
            continue  # the target does not exist (yet)
    if target.name.lower().endswith(FILTER_SUFFIXES):
        # a module named like a filter file would be read back as one (and fail) next time
        raise ApidocsError(f"{name}: a filter file name (.yaml, .yml, .json); write the module to a .py file")
    try:
        info = os.stat(target)
        if stat.S_ISDIR(info.st_mode):
            raise ApidocsError(f"{name}: is a directory")
        if not stat.S_ISREG(info.st_mode):
            return  # a FIFO or a device is never opened here; the rename reports the problem
        with open(target, "rb") as handle:
            start = handle.read(256)
    except (OSError, ValueError):
        return  # missing or unreadable: the write creates it or reports the problem
    if start.strip() and not start.startswith(_GENERATED_MARKS):
        raise ApidocsError(f"{name}: exists and was not generated by sphinx-apidocs; not overwriting it")


def _write_atomically(target: Path, text: str) -> None:
    """Write via a temporary file in the same folder and a rename, so readers never see half."""
    folder = target.parent
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ApidocsError(f"{printable(str(target))}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as exc:
        os.unlink(temp)
        raise ApidocsError(f"{printable(str(target))}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        os.unlink(temp)
        raise
