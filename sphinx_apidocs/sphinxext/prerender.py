"""Rendering ahead on a second core: the generated bodies of the pages about to be written are
made by a forked helper process while Sphinx's own writer (serial: doctree resolving, search
indexing, HTML translation, templating) runs in this one.

Once reading is over (``env-updated``) the environment is final: every object is described,
every link target known. A child forked then sees exactly what the writer will see; it takes
each read document's doctree (still in memory) in the order Sphinx writes them (sorted), makes each placeholder's
markup with the very code :func:`render.expand_placeholders` runs (so the bytes are the same),
and streams ``(docname, {placeholder key: (markup, text)})`` through a pipe. The writer takes a
document's bodies from the pipe when it resolves that document; a placeholder the child did not
make (a document the child did not get to, an ``only`` block, a child that died) is made here,
as without the helper. Nothing else crosses: the child writes no file and logs nothing.

Only where it pays and is safe: an HTML builder with Sphinx's own translator, enough bodies,
and what :func:`sphinx_apidocs.spec.aside.can_fork` asks (``fork`` on Linux, two or more CPUs,
a single-threaded process: forking threads can deadlock).
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, Any, BinaryIO, Callable

from docutils import nodes

from sphinx_apidocs.spec.aside import can_fork, cpus

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: Set to ``False`` to render every body in the writing process (tests compare both ways).
ENABLED = True
#: Fewer bodies than this to write: forking costs more than it saves.
MIN_BODIES = 100

Key = tuple[str, str, str, bool, str]
Bodies = dict[Key, tuple[str, str]]
#: Makes one placeholder's ``(markup, plain text)`` for a document (``render.markup_of``).
Make = Callable[["Sphinx", nodes.Element, str], tuple[str, str]]


def key_of(node: nodes.Element) -> Key:
    """What a placeholder shows (the same placeholder in the child and in the writer)."""
    return (
        node["kind"], node["name"], str(node.get("resource", "")), bool(node.get("operations")),
        str(node.get("version", "")) + ("/versions" if node.get("versions") else ""),
    )


class Helper:
    """The forked child of one build and what it has sent so far."""

    def __init__(self, pid: int, stream: BinaryIO, docnames: list[str]) -> None:
        self.pid = pid
        self.stream: BinaryIO | None = stream
        self.pending = set(docnames)
        self.received: dict[str, Bodies] = {}

    def bodies(self, docname: str) -> Bodies | None:
        """The child's bodies for ``docname``, waiting for them if it is still on its way."""
        while docname in self.pending and self.stream is not None:
            try:
                sent_docname, bodies = pickle.load(self.stream)  # noqa: S301 - our own child
            except Exception:  # noqa: BLE001 - EOF or a broken child: render here from now on
                self.close()
                break
            self.pending.discard(sent_docname)
            self.received[sent_docname] = bodies
        return self.received.pop(docname, None)

    def close(self) -> None:
        """Stop reading, end the child (if it still runs) and reap it."""
        if self.stream is not None:
            self.stream.close()  # a child still writing gets EPIPE and exits
            self.stream = None
        self.pending.clear()
        self.received.clear()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


_helpers: dict[int, Helper] = {}  # id(env) -> the helper of that build
_read: dict[int, list[str]] = {}  # id(env) -> documents read in this build


def note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: the documents this build reads (and will write)."""
    _read[id(env)] = list(docnames)


def start(app: Sphinx, env: BuildEnvironment, placeholder: type[nodes.Element], make: Make, html: bool) -> None:
    """``env-updated`` (connected by ``render``, which knows the ``placeholder`` node, how to
    ``make`` a body and whether the builder writes ``html`` markup): fork the helper when it
    pays (see the module)."""
    read = set(_read.pop(id(env), ()))
    if not (ENABLED and html and can_fork()):
        return
    if id(env) in _helpers:
        return
    shown: dict[str, dict[str, str]] = getattr(env.get_domain("api"), "shown", {})
    docnames = sorted(docname for docname in read if docname in shown)
    if sum(len(shown[docname]) for docname in docnames) < MIN_BODIES:
        return
    read_end, write_end = os.pipe()
    _widen(write_end)
    pid = os.fork()
    if pid == 0:  # the child: render, stream, and leave without running any exit handler
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                _render_all(app, env, docnames, out, placeholder, make)
            status = 0
        except BaseException:  # noqa: BLE001 - the writer renders what is missing
            pass
        finally:
            os._exit(status)
    os.close(write_end)
    _helpers[id(env)] = Helper(pid, os.fdopen(read_end, "rb"), docnames)


def _widen(fd: int) -> None:
    """A pipe of 1 MiB where the system allows it, so the child runs a few pages ahead."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _render_all(
    app: Sphinx, env: BuildEnvironment, docnames: list[str], out: BinaryIO, placeholder: type[nodes.Element], make: Make
) -> None:
    # The doctrees this process read are still in memory (Sphinx keeps them for its writer,
    # and the child has a copy of that memory): only the placeholders' attributes are read,
    # so the child does not unpickle each doctree again.
    kept: dict[str, nodes.document] = getattr(env, "_write_doc_doctree_cache", None) or {}
    for docname in docnames:
        doctree = kept.get(docname) or env.get_doctree(docname)
        bodies: Bodies = {}
        for node in doctree.findall(placeholder):
            key = key_of(node)
            if key not in bodies:
                bodies[key] = make(app, node, docname)
        pickle.dump((docname, bodies), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def prerendered(env: BuildEnvironment, docname: str) -> Bodies | None:
    """The bodies the helper made for ``docname``, if any."""
    helper = _helpers.get(id(env))
    return helper.bodies(docname) if helper is not None else None


#: Sphinx's own parallel writing (``-j``) is kept only with this many CPUs or more while the
#: helper runs: below it, its write workers take the core the helper renders on.
PARALLEL_WRITE_CPUS = 3


def keep_a_core(app: Sphinx, builder: Any) -> None:
    """``write-started``: with the helper rendering on the second of two CPUs, Sphinx writes
    serially even under ``-j``. Its parallel writing keeps the doctree resolving and search
    indexing in this process and moves only the HTML translation to ``-j`` minus one worker
    — one, on two CPUs, which then competes with the helper while this process waits for
    both. The pages are the same either way."""
    if id(app.env) in _helpers and getattr(builder, "parallel_ok", False) and cpus() < PARALLEL_WRITE_CPUS:
        builder.parallel_ok = False


def finish(app: Sphinx, exception: BaseException | None = None) -> None:
    """``build-finished``: the helper ends with the build, whatever happened."""
    helper = _helpers.pop(id(app.env), None)
    if helper is not None:
        helper.close()
    _read.pop(id(app.env), None)


def setup_prerender(app: Sphinx, placeholder: type[nodes.Element], make: Make, html: Callable[[Sphinx], bool]) -> None:
    def fork_helper(app: Sphinx, env: BuildEnvironment) -> None:
        start(app, env, placeholder, make, html(app))

    app.connect("env-before-read-docs", note_read)
    app.connect("env-updated", fork_helper, priority=900)  # after every other env-updated handler
    app.connect("write-started", keep_a_core)
    app.connect("build-finished", finish)
