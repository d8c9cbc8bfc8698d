"""Work done aside on a second core: a forked child computes a function of data this process
already holds while this process goes on; the result comes back through a pipe.

A build is one process on one core, yet build machines have two or more. Some steps need
nothing from the steps running beside them — checking a document against its schema while
the same document is read into the model, writing a cache file of what was just built — and
a child forked at that moment has the data for free (the memory is shared until written). The
child runs the function and sends its result; it logs nothing and leaves with ``os._exit``.

Only where it is safe and pays (:func:`can_fork`): ``fork`` on Linux, two or more CPUs, and
a process running one thread (forking a process with other threads can deadlock the child).
Elsewhere, or if the child fails in any way, the function runs here when its result is
asked for: the result, or the exception, is the one a plain call gives.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

#: Set to ``False`` to compute everything in this process (tests compare both ways).
ENABLED = True


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Can work be forked off safely, and is there a second core for it?"""
    return ENABLED and sys.platform.startswith("linux") and hasattr(os, "fork") and cpus() >= 2 and threading.active_count() == 1


class Aside(Generic[T]):
    """``func(*args)``, computed by a forked child when ``fork`` (the caller's "it pays") and
    :func:`can_fork` (``forked`` says if it was); :meth:`result` gives it, once. Use as a
    context manager: leaving ends a child still running."""

    def __init__(self, func: Callable[..., T], *args: Any, fork: bool = True) -> None:
        self.func = func
        self.args = args
        self.pid = 0
        self.fd = -1
        if fork and can_fork():
            self._fork()
        self.forked = bool(self.pid)
        self._done = False
        self._value: Any = None

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running any exit handler
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps(self.func(*self.args), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            except BaseException:  # noqa: BLE001 - the parent computes it again and raises
                pass
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.fd = pid, read_end

    def result(self) -> T:
        """The child's result, waiting for it; computed here if there is no child or it failed."""
        if not self._done:
            self._value = self._compute()
            self._done = True
        return self._value

    def _compute(self) -> T:
        if self.pid:
            chunks: list[bytes] = []
            try:
                while chunk := os.read(self.fd, 1 << 20):
                    chunks.append(chunk)
            except OSError:
                chunks = []
            status = self._reap()
            if status == 0 and chunks:
                try:
                    value: T = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child
                    return value
                except Exception:  # noqa: BLE001, S110 - computed here below
                    pass
        return self.func(*self.args)

    def _reap(self) -> int | None:
        """Close the pipe and reap the child; its exit status (``None``: not known)."""
        pid, self.pid = self.pid, 0
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """End a child whose result is no longer wanted."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def __enter__(self) -> Aside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
