"""The CLI's standard streams, so that no failure of theirs becomes a traceback.

* stdout: a closed pipe (``| head -1``) raises :class:`BrokenPipeError`, which ``main`` turns
  into a quiet exit 141; any other failure (``> /dev/full``, a closed descriptor ``>&-``) is an
  :class:`~sphinx_apidocs.errors.ApidocsError`: one ``error: stdout: cannot write: ...`` line.
* stdin: closed (``<&-``) or unreadable is one ``error: <stdin>: cannot read: ...`` line.
* stderr: a failure to write a message there is ignored (there is nowhere left to say it).
"""

from __future__ import annotations

import sys
from typing import Callable

from sphinx_apidocs.errors import ApidocsError


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
