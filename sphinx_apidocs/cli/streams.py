"""The CLI's standard streams, so that no failure of theirs becomes a traceback.

* stdout: a closed pipe (``| head -1``) raises :class:`BrokenPipeError`, which ``main`` turns
  into a quiet exit 141; any other failure (``> /dev/full``, a closed descriptor ``>&-``) is an
  :class:`~sphinx_apidocs.errors.ApidocsError`: one ``error: stdout: cannot write: ...`` line.
* stdin: closed (``<&-``) or unreadable is one ``error: <stdin>: cannot read: ...`` line.
* stderr: a failure to write a message there is ignored (there is nowhere left to say it).
  Progress of a long spec load (:func:`progress_line`) goes there, on a terminal only.
"""

from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator, TypeVar

from sphinx_apidocs.errors import ApidocsError

T = TypeVar("T")


def write_out(text: str, fallback: Callable[[], str] | None = None) -> None:
    """Write ``text`` to stdout. If the stream cannot encode it (a lone surrogate, a narrow
    locale), write ``fallback()`` or ``text`` with backslash escapes instead. ``write``
    encodes before writing: nothing is half out.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed
        raise ApidocsError("stdout: cannot write: it is closed")
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            if fallback is not None:
                stream.write(fallback())
            else:
                encoding = getattr(stream, "encoding", None) or "utf-8"
                stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise ApidocsError(f"stdout: cannot write: {exc.strerror or exc}") from None


def flush_out() -> None:
    """Flush stdout (a closed pipe shows here, not as a traceback at interpreter exit)."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        raise ApidocsError(f"stdout: cannot write: {getattr(exc, 'strerror', None) or exc}") from None


def say(line: str) -> None:
    """One line to stderr; a closed or failing stderr is not worth a traceback."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def read_stdin() -> bytes | str:
    """All of stdin, as bytes where the stream has a binary buffer."""
    stream = sys.stdin
    if stream is None:  # started with stdin closed
        raise ApidocsError("<stdin>: cannot read: it is closed")
    try:
        buffer = getattr(stream, "buffer", None)
        return buffer.read() if buffer is not None else stream.read()
    except OSError as exc:
        raise ApidocsError(f"<stdin>: cannot read: {exc.strerror or exc}") from None


def progress_line(documents: Iterable[T], count: int) -> Iterator[T]:
    """The loader's progress callback for the CLI: ``reading N/TOTAL spec documents`` on
    one rewritten stderr line while a batch of documents is read, when stderr is a terminal
    (quiet otherwise: logs and pipes get no progress noise)."""
    stream = sys.stderr
    try:
        shown = count >= PROGRESS_AT and stream is not None and stream.isatty()
    except (AttributeError, OSError, ValueError):
        shown = False
    done = 0
    try:
        for document in documents:
            done += 1
            if shown and (done == count or done % 10 == 0):
                _status(f"\rreading {done}/{count} spec documents")
            yield document
    finally:
        if shown and done:
            _status("\r\x1b[2K")


#: A batch of at least this many documents shows progress.
PROGRESS_AT = 50


def _status(text: str) -> None:
    stream = sys.stderr
    try:
        if stream is not None:
            stream.write(text)
            stream.flush()
    except (OSError, ValueError):
        pass
