"""Where each side of a ``diff`` comes from: any spec or filter SOURCE, or ``git:REV:PATH``.

``git:REV:PATH`` reads PATH (a file or a folder) at revision REV of the git repository that
holds the current directory, without checking anything out, so CI can compare a branch with
its base (``git:origin/main:sample_specs``). PATH is read as git reads ``REV:PATH``: from the
top of the repository, or from the current directory when it starts with ``./`` or ``../``.
REV is everything up to the first colon after ``git:``.

The files are copied out of git (``git rev-parse``, ``cat-file``, ``ls-tree``; argument lists,
never a shell) into a private temporary folder, at the same place relative to its top as in
the repository, and removed when the :func:`resolve` block ends. A folder keeps its layout (a
resource listing finds its declarations); so does a single file, and with it come the files
the loader will look for: the declarations beside a Swagger 1.x resource listing, and the
files that ``$ref`` references reach (``../common/Error.yaml``), since the folder's top
counts as the spec's project root. Only documents the loaders read (``.json``, ``.yaml``,
``.yml``, no extension) are copied, within a budget of files and bytes.

Errors (not a git repository, an unknown revision, a missing path) are one line naming the
source.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters.errors import printable
from sphinx_apidocs.spec.fetch import DEFAULT_MAX_DOCUMENTS, DEFAULT_MAX_SPEC_BYTES
from sphinx_apidocs.spec.sources import document_kind

GIT_PREFIX = "git:"
#: Files of a tree that are copied: what the spec and filter loaders read.
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
_REGULAR_MODES = (b"100644", b"100755")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceError(ApidocsError):
    """A ``git:`` source cannot be read; one line naming the source."""


@dataclass(frozen=True)
class GitSource:
    """``git:REV:PATH`` taken apart."""

    rev: str
    path: str


@dataclass
class Resolved:
    """A source ready for the loaders: ``path`` is ``source`` itself, or the copy of a
    ``git:`` source in a temporary folder (``temp``)."""

    source: str
    path: str
    temp: str | None = None
    git: GitSource | None = None

    def shown(self, text: str) -> str:
        """``text`` (an error message) with the temporary folder written as ``git:REV:``."""
        if self.temp is None or self.git is None:
            return text
        for folder in dict.fromkeys((self.temp, os.path.realpath(self.temp))):
            text = text.replace(folder + os.sep, f"{GIT_PREFIX}{self.git.rev}:")
            text = text.replace(folder, f"{GIT_PREFIX}{self.git.rev}:.")
        return text


@dataclass
class Budget:
    """Files and bytes a ``git:`` source may copy out (the spec loader's own defaults)."""

    files: int = DEFAULT_MAX_DOCUMENTS
    bytes: int = DEFAULT_MAX_SPEC_BYTES
    used_files: int = field(default=0, init=False)
    used_bytes: int = field(default=0, init=False)


def is_git_source(source: str) -> bool:
    return source.startswith(GIT_PREFIX)


def parse_git_source(source: str) -> GitSource:
    """``git:REV:PATH`` -> :class:`GitSource`; a malformed one is a :class:`SourceError`."""
    shown = printable(source)
    rest = source[len(GIT_PREFIX):]
    rev, colon, path = rest.partition(":")
    if not colon or not rev or not path:
        raise SourceError(f"{shown}: expected git:REV:PATH (for example git:origin/main:sample_specs)")
    if rev.startswith("-") or path.startswith("-"):
        raise SourceError(f"{shown}: a revision or path may not start with '-'")
    if "\0" in source or any(c in rev for c in "\n\r"):
        raise SourceError(f"{shown}: a revision or path may not hold NUL or line breaks")
    return GitSource(rev, path)


@contextmanager
def resolve(source: str, *, cwd: str | None = None, budget: Budget | None = None) -> Iterator[Resolved]:
    """The source to load for ``source``; a ``git:`` source is copied out for the block."""
    if not is_git_source(source):
        yield Resolved(source, source)
        return
    git = parse_git_source(source)
    temp = tempfile.mkdtemp(prefix="sphinx-apidocs-git-")
    try:
        path = _Materializer(source, git, cwd or os.getcwd(), temp, budget or Budget()).run()
        yield Resolved(source, path, temp, git)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password
    env["GIT_OPTIONAL_LOCKS"] = "0"  # a read-only look: no index refresh
    return env


class _Materializer:
    """Copies PATH at REV (and what the loaders will look for next to it) into ``temp``."""

    def __init__(self, source: str, git: GitSource, cwd: str, temp: str, budget: Budget) -> None:
        self.source = source
        self.shown = printable(source)
        self.git = git
        self.cwd = cwd
        self.temp = temp
        self.budget = budget
        self.written: dict[str, bytes] = {}  # repository path -> content
        self.looked_up: set[str] = set()
        self.tree = ""

    # -- git ------------------------------------------------------------------------------------

    def _run(self, args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", *args], cwd=self.cwd, input=stdin, capture_output=True, check=False, env=_git_env(),
                stdin=None if stdin is not None else subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise SourceError(f"{self.shown}: git is not installed (it is needed for git: sources)") from None
        except OSError as exc:
            raise SourceError(f"{self.shown}: cannot run git: {exc.strerror or exc}") from None

    def _why(self, result: subprocess.CompletedProcess[bytes]) -> str:
        lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        reason = lines[-1] if lines else f"git exited with status {result.returncode}"
        return printable(re.sub(r"^(fatal|error): ", "", reason))

    def _text(self, args: list[str]) -> str | None:
        result = self._run(args)
        return result.stdout.decode("utf-8", "surrogateescape").rstrip("\n") if result.returncode == 0 else None

    # -- the steps ------------------------------------------------------------------------------

    def run(self) -> str:
        """The path (inside ``temp``) that stands for the source."""
        top = self._run(["rev-parse", "--show-toplevel"])
        if top.returncode != 0:
            raise SourceError(f"{self.shown}: not in a git repository ({self._why(top)})")
        toplevel = os.fsdecode(top.stdout.rstrip(b"\n"))
        prefix = self._text(["rev-parse", "--show-prefix"]) or ""
        relative = self._repository_path(self.git.path, toplevel, prefix)
        tree = self._text(["rev-parse", "--verify", "--quiet", f"{self.git.rev}^{{tree}}"])
        if not tree:
            raise SourceError(f"{self.shown}: unknown revision {printable(self.git.rev)!s} in {printable(toplevel)}")
        self.tree = tree
        os.mkdir(os.path.join(self.temp, ".git"))  # marks the copy's top as the spec's project root
        kind = self._text(["cat-file", "-t", self._object(relative)])
        if kind == "tree":
            self._copy_tree(relative)
        elif kind == "blob":
            self._copy_file(relative)
        else:
            raise SourceError(f"{self.shown}: {printable(relative or '.')} does not exist at {printable(self.git.rev)}")
        self._follow_references()
        return os.path.join(self.temp, *relative.split("/")) if relative else self.temp

    def _repository_path(self, path: str, toplevel: str, prefix: str) -> str:
        """PATH from the top of the repository ('' for the top itself)."""
        if os.path.isabs(path):
            full = os.path.relpath(os.path.realpath(path), os.path.realpath(toplevel)).replace(os.sep, "/")
        elif path in (".", "..") or path.startswith(("./", "../")):
            full = posixpath.join(prefix, path)
        else:
            full = path
        full = posixpath.normpath(full)
        if full == ".." or full.startswith("../"):
            raise SourceError(f"{self.shown}: {printable(path)} is outside the repository")
        return "" if full in (".", "/") else full.strip("/")

    def _object(self, relative: str) -> str:
        return f"{self.tree}:{relative}"

    def _copy_tree(self, relative: str) -> None:
        result = self._run(["ls-tree", "-r", "-z", "-l", "--full-tree", self._object(relative)])
        if result.returncode != 0:
            raise SourceError(f"{self.shown}: cannot list {printable(relative or '.')}: {self._why(result)}")
        wanted: list[tuple[str, str, int]] = []  # (repository path, object id, size)
        for record in result.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            parts = meta.split()
            if len(parts) != 4 or parts[0] not in _REGULAR_MODES or parts[1] != b"blob":
                continue  # symbolic links, submodules: not copied
            path = os.fsdecode(name)
            if not _wanted(path):
                continue
            full = f"{relative}/{path}" if relative else path
            if full not in self.written:
                wanted.append((full, parts[2].decode("ascii"), int(parts[3])))
        self._fetch(wanted)

    def _copy_file(self, relative: str) -> None:
        found = self._check([relative])
        if relative not in found:
            raise SourceError(f"{self.shown}: {printable(relative)} is not a file at {printable(self.git.rev)}")
        self._fetch([found[relative]])
        if self._is_listing(self.written.get(relative, b"")):  # its declarations live beside it
            self._copy_tree(posixpath.dirname(relative))

    @staticmethod
    def _is_listing(data: bytes) -> bool:
        try:
            return document_kind(json.loads(data)) == "listing"
        except (ValueError, RecursionError):
            return False

    def _check(self, paths: list[str]) -> dict[str, tuple[str, str, int]]:
        """``path -> (path, object id, size)`` for the paths that are files at REV."""
        paths = [path for path in paths if "\n" not in path and "\r" not in path]
        if not paths:
            return {}
        stdin = "".join(f"{self._object(path)}\n" for path in paths).encode("utf-8", "surrogateescape")
        result = self._run(["cat-file", "--batch-check"], stdin)
        if result.returncode != 0:
            raise SourceError(f"{self.shown}: cannot read from git: {self._why(result)}")
        found: dict[str, tuple[str, str, int]] = {}
        for path, line in zip(paths, result.stdout.split(b"\n")):
            parts = line.split()
            if len(parts) == 3 and parts[1] == b"blob":
                found[path] = (path, parts[0].decode("ascii"), int(parts[2]))
        return found

    def _fetch(self, wanted: list[tuple[str, str, int]]) -> None:
        """Copy the blobs out (one ``git cat-file --batch``), within the budget."""
        if not wanted:
            return
        budget = self.budget
        budget.used_files += len(wanted)
        budget.used_bytes += sum(size for _, _, size in wanted)
        if budget.used_files > budget.files:
            raise SourceError(f"{self.shown}: more than {budget.files} documents to read")
        if budget.used_bytes > budget.bytes:
            raise SourceError(f"{self.shown}: more than {budget.bytes} bytes to read")
        stdin = "".join(f"{oid}\n" for _, oid, _ in wanted).encode("ascii")
        result = self._run(["cat-file", "--batch"], stdin)
        if result.returncode != 0:
            raise SourceError(f"{self.shown}: cannot read from git: {self._why(result)}")
        out = result.stdout
        position = 0
        for full, _, _ in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            if len(header) != 3:
                raise SourceError(f"{self.shown}: cannot read {printable(full)} from git")
            size = int(header[2])
            data = out[end + 1:end + 1 + size]
            position = end + 1 + size + 1
            self._write(full, data)

    def _write(self, full: str, data: bytes) -> None:
        parts = full.split("/")
        if any(part in ("", ".", "..", ".git") for part in parts):
            return  # git refuses such trees; a hand-made object could still hold one
        target = os.path.join(self.temp, *parts)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        self.written[full] = data

    def _follow_references(self) -> None:
        """Copy what external ``$ref`` references of the copied documents name, until nothing
        new is named (a missing or refused target is the loader's to report)."""
        pending = list(self.written)
        while pending:
            named: list[str] = []
            for full in pending:
                for target in _references(full, self.written[full]):
                    if target not in self.written and target not in self.looked_up:
                        self.looked_up.add(target)
                        named.append(target)
            found = self._check(named)
            self._fetch([found[path] for path in named if path in found])
            pending = [path for path in named if path in self.written]


def _wanted(path: str) -> bool:
    name = posixpath.basename(path)
    return name.lower().endswith(DOCUMENT_SUFFIXES) or "." not in name


def _parse(full: str, data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
        if full.lower().endswith((".yaml", ".yml")):
            return yaml.load(text, Loader=_SafeLoader)
        return json.loads(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        return None


def _references(full: str, data: bytes) -> list[str]:
    """Repository paths of the files the ``$ref`` references of a document name."""
    found: list[str] = []
    stack = [_parse(full, data)]
    folder = posixpath.dirname(full)
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if id(value) in seen:  # YAML aliases share objects
                continue
            seen.add(id(value))
            reference = value.get("$ref")
            if isinstance(reference, str):
                target = _reference_path(folder, reference)
                if target:
                    found.append(target)
            stack.extend(value.values())
        elif isinstance(value, list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            stack.extend(value)
    return found


def _reference_path(folder: str, reference: str) -> str | None:
    location = reference.split("#", 1)[0]
    if not location or location.startswith(("/", "\\")) or _URL_SCHEME.match(location):
        return None
    target = posixpath.normpath(posixpath.join(folder, urllib.parse.unquote(location)))
    if target in (".", "..") or target.startswith("../"):
        return None
    return target
