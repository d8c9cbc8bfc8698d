"""Keep the fetched documents of an API in a folder, for offline builds — safely.

The documents are stored byte for byte as fetched (a snapshot holds nothing the endpoint did
not send; request headers and their secrets are never written).

Layout of a snapshot folder ``DIR`` (a stable path whose content is switched atomically)::

    DIR/.apidocs-snapshot          marker: a snapshot folder written by sphinx-apidocs
    DIR/.apidocs-current           symbolic link to the current generation (the pointer)
    DIR/.apidocs-gen-<id>/...      immutable generations: the documents as fetched
    DIR/api-docs.json, ...         one symbolic link per document, through .apidocs-current
    DIR/.apidocs-staging-<id>/     a generation being written (never read)
    DIR/.apidocs-trash-<id>/       an old generation being deleted (never read)

So ``DIR`` reads as a plain folder of spec files (hidden entries are skipped by every folder
scan), and :func:`reading` gives a reader the current generation itself, held for as long as
it reads.

Why this design:

* **No data loss.** Only a folder carrying the marker is ever written into; a non-empty
  folder without it (``-o docs``, ``apidocs_snapshot = "."``) is refused with a one-line error
  and left untouched. An empty folder may become a snapshot. Nothing is created outside
  ``DIR``, and of ``DIR``'s own entries only those this module made are ever removed.
* **Readers never see a missing or half snapshot.** A generation is complete on disk (files
  and folder fsynced) before the pointer names it; the pointer is a symbolic link replaced
  with ``os.replace``, which is atomic: at every instant it names a complete generation, the
  old one or the new one, even if the writer is killed (SIGKILL) at any moment. A reader
  resolves the pointer once and reads that generation (:func:`reading`).
* **Old generations are deleted only when nobody reads them.** A reader holds a shared
  ``flock`` on the generation it reads; a writer holds one on its own new generation until
  the pointer names it. Clean-up takes an exclusive lock without waiting, re-checks that the
  generation is not current, renames it to ``trash`` and deletes it. Locks die with their
  process, so what a killed writer left behind (staging folders, unused generations, stale
  links) is repaired or removed by the next writer. Writers serialize only the short switch
  (links, pointer, clean-up) on an exclusive lock of the marker file.
* **Normal permissions.** Folders and files are made with ``mkdir``/``open``, so the umask
  applies (``mkdtemp`` would give 0700).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from typing import Iterator

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.spec.sources import DocumentSet
from sphinx_apidocs.spec.common import UniqueNames

try:  # POSIX; elsewhere old generations are kept for a grace period instead of locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LISTING_NAME = "api-docs.json"
MARKER_NAME = ".apidocs-snapshot"
POINTER_NAME = ".apidocs-current"
GENERATION_PREFIX = ".apidocs-gen-"
STAGING_PREFIX = ".apidocs-staging-"
TRASH_PREFIX = ".apidocs-trash-"
TEMP_PREFIX = ".apidocs-tmp-"
MARKER_TEXT = (
    "This folder is a snapshot written by sphinx-apidocs (snapshot -o, apidocs_snapshot).\n"
    "Each snapshot replaces its content; keep nothing else here.\n"
)
_GENERATION = re.compile(re.escape(GENERATION_PREFIX) + r"[0-9a-f-]{1,80}")
_READ_ATTEMPTS = 50
_UNLOCKED_GRACE = 3600.0  # without flock: seconds an unused generation is kept


class SnapshotError(ApidocsError):
    """A snapshot cannot be written or read; ``str()`` names the folder and the reason."""


def is_snapshot(folder: str) -> bool:
    """Is ``folder`` a snapshot folder written by this tool (it carries the marker)?"""
    return os.path.isfile(os.path.join(folder, MARKER_NAME))


def has_snapshot(folder: str) -> bool:
    """Does ``folder`` hold a complete snapshot to read?"""
    return is_snapshot(folder) and _current_name(folder) is not None


def snapshot_files(folder: str) -> list[str]:
    """The relative names (``/``-separated) of the documents of the current snapshot."""
    with reading(folder) as generation:
        return sorted(_files_below(generation))


# -- reading ------------------------------------------------------------------------------


@contextmanager
def reading(source: str) -> Iterator[str]:
    """The folder to read for ``source``: for a snapshot folder, its current generation,
    held (shared lock) for the duration of the block; any other source is yielded unchanged.

    Raises :class:`SnapshotError` for a snapshot folder that holds no complete snapshot.
    """
    if "://" in source or not os.path.isdir(source) or not is_snapshot(source):
        yield source
        return
    for _ in range(_READ_ATTEMPTS):
        name = _current_name(source)
        if name is None:
            raise SnapshotError(f"{source}: the snapshot folder holds no complete snapshot yet")
        path = os.path.join(source, name)
        handle = _open_locked(path, exclusive=False, wait=True)
        if handle is None:
            continue  # replaced and deleted meanwhile: resolve the pointer again
        try:
            yield path
            return
        finally:
            _unlock(handle)
    raise SnapshotError(f"{source}: the snapshot kept changing while being read; try again")


def _current_name(folder: str) -> str | None:
    """The generation the pointer names, if it is there and names one."""
    try:
        name = os.readlink(os.path.join(folder, POINTER_NAME))
    except OSError:
        return None
    if not _GENERATION.fullmatch(name) or not os.path.isdir(os.path.join(folder, name)):
        return None
    return name


def _open_locked(path: str, *, exclusive: bool, wait: bool) -> int | None:
    """An fd on ``path`` holding a lock; ``None`` if it is gone (or, with ``wait=False``,
    locked by someone else). Without ``flock``: -1 when it exists."""
    if fcntl is None:
        return -1 if os.path.exists(path) else None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    try:  # still the entry of that name (not renamed to trash while we waited)?
        same = os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        same = False
    if not same:
        _unlock(fd)
        return None
    return fd


def _unlock(fd: int) -> None:
    if fd >= 0:
        os.close(fd)  # closing the descriptor releases its flock


@contextmanager
def _writers_lock(target: str) -> Iterator[None]:
    """Writers one at a time through the switch (links, pointer, clean-up); readers never wait."""
    handle = _open_locked(os.path.join(target, MARKER_NAME), exclusive=True, wait=True)
    try:
        yield
    finally:
        if handle is not None:
            _unlock(handle)


# -- writing ------------------------------------------------------------------------------


def check_target(target: str) -> None:
    """Refuse, before any work, a ``target`` that :func:`write_snapshot` would refuse: an
    existing non-folder, or a non-empty folder that is not a snapshot folder. Creates nothing."""
    target = os.path.abspath(target)
    if not os.path.lexists(target):
        return
    if not os.path.isdir(target):
        raise SnapshotError(f"{target}: exists and is not a folder; refusing to replace it with a snapshot")
    if is_snapshot(target):
        return
    try:
        entries = os.listdir(target)
    except OSError as exc:
        raise SnapshotError(f"{target}: cannot read the folder: {exc.strerror or exc}") from None
    if entries:
        raise SnapshotError(
            f"{target}: not empty and not a snapshot folder written by sphinx-apidocs (no {MARKER_NAME} file); "
            "refusing to write a snapshot into it: choose an empty or new folder"
        )


def write_snapshot(documents: DocumentSet, target: str) -> list[str]:
    """Make ``documents`` the current snapshot in folder ``target``; returns the names written.

    Raises :class:`SnapshotError` (one line, naming the folder) when ``target`` is not a
    snapshot folder (nor empty, nor absent) or cannot be written; the previous snapshot then
    stays current and nothing of the failed attempt is left behind.
    """
    target = os.path.abspath(target)
    entries = _entries(documents)
    names = [name for name, _ in entries]
    _claim(target)
    with _writers_lock(target):
        _tidy(target)  # what a killed writer left behind
    if _same_as_current(target, entries):
        return names  # nothing changed: no new generation (no churn for file watchers)
    staging, handle = _new_staging(target)
    try:
        _write_all(entries, staging, target)
        _fsync_folder(staging)
        generation = GENERATION_PREFIX + _new_id()
        os.rename(staging, os.path.join(target, generation))  # the lock stays with the folder
        staging = os.path.join(target, generation)
        _fsync_folder(target)
        with _writers_lock(target):
            previous = _current_name(target)
            _link_before_switch(target, generation, previous)
            _replace_link(os.path.join(target, POINTER_NAME), generation)
            _fsync_folder(target)
            _unlock(handle)
            handle = -1
            _tidy(target)
    except OSError as exc:
        _discard(target, staging)
        raise SnapshotError(f"{target}: cannot write the snapshot: {exc.strerror or exc}") from None
    except BaseException:
        _discard(target, staging)
        raise
    finally:
        _unlock(handle)
    return names


def _discard(target: str, staging: str) -> None:
    """Remove a failed attempt's folder, unless the pointer already names it."""
    if _current_name(target) != os.path.basename(staging):
        _remove_tree(staging)


def _claim(target: str) -> None:
    """Make sure ``target`` is a snapshot folder: create it, or mark an empty one; refuse
    anything else without touching it."""
    check_target(target)
    try:
        os.makedirs(target, exist_ok=True)
    except FileExistsError:
        raise SnapshotError(f"{target}: exists and is not a folder; refusing to replace it with a snapshot") from None
    except OSError as exc:
        raise SnapshotError(f"{target}: cannot create the snapshot folder: {exc.strerror or exc}") from None
    if is_snapshot(target):
        return
    check_target(target)  # still empty?
    try:  # O_EXCL: of two writers claiming the same empty folder, one creates the marker
        fd = os.open(os.path.join(target, MARKER_NAME), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    except OSError as exc:
        raise SnapshotError(f"{target}: cannot mark the snapshot folder: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(MARKER_TEXT)


def _new_id() -> str:
    return f"{time.time_ns():x}-{os.getpid():x}-{secrets.token_hex(4)}"


def _new_staging(target: str) -> tuple[str, int]:
    """A new staging folder, locked (shared) by this writer until its generation is current."""
    for _ in range(100):
        path = os.path.join(target, STAGING_PREFIX + _new_id())
        try:
            os.mkdir(path)  # 0o777 & ~umask: normal permissions
        except FileExistsError:
            continue
        except OSError as exc:
            raise SnapshotError(f"{target}: cannot write the snapshot: {exc.strerror or exc}") from None
        handle = _open_locked(path, exclusive=False, wait=True)
        if handle is not None:  # else a clean-up took it before we locked it: another one
            return path, handle
    raise SnapshotError(f"{target}: cannot create a staging folder for the snapshot")


def _entries(documents: DocumentSet) -> list[tuple[str, bytes]]:
    """(relative file name, bytes) of every document; repeated names get ``-2``..."""
    given = [(d.snapshot_name, d.document.raw) for d in documents.declarations]
    if documents.listing is not None:
        given.insert(0, (LISTING_NAME, documents.listing.raw))
    entries: list[tuple[str, bytes]] = []
    names = UniqueNames()  # linear, however many documents share a name
    for name, raw in given:
        unique = names.add(name, keep_extension=True)
        if any(not s or s.startswith(".") or s == ".." for s in unique.split("/")):
            raise SnapshotError(f"{unique}: unsafe document name for a snapshot")
        entries.append((unique, raw))
    return entries


def _same_as_current(target: str, entries: list[tuple[str, bytes]]) -> bool:
    """Does the current generation hold exactly these documents, byte for byte?"""
    if _current_name(target) is None:
        return False
    try:
        with reading(target) as generation:
            if _files_below(generation) != {name for name, _ in entries}:
                return False
            for name, raw in entries:
                with open(os.path.join(generation, *name.split("/")), "rb") as handle:
                    if handle.read(len(raw) + 1) != raw:
                        return False
    except (OSError, SnapshotError):
        return False
    return True


def _write_all(entries: list[tuple[str, bytes]], folder: str, target: str) -> None:
    """Write every document into ``folder`` (fsynced); a failure names ``target`` and the file."""
    for name, raw in entries:
        path = os.path.join(folder, *name.split("/"))
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "xb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise SnapshotError(f"{target}: cannot write the snapshot file {name}: {exc.strerror or exc}") from None


# -- switching and tidying (under the writers' lock) --------------------------------------


def _files_below(folder: str) -> set[str]:
    """Relative ``/`` names of the files below ``folder`` (a generation)."""
    found: set[str] = set()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            found.add(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return found


def _visible_links(target: str) -> dict[str, str]:
    """Our visible entries: relative name -> link text (links into ``.apidocs-*`` only)."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(target):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))]
        for name in files:
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            try:
                text = os.readlink(path)
            except OSError:
                continue  # not a link: not ours, left alone
            relative = os.path.relpath(path, target).replace(os.sep, "/")
            parts, depth = text.replace(os.sep, "/").split("/"), relative.count("/")
            if len(parts) > depth and parts[:depth] == [".."] * depth and parts[depth].startswith(".apidocs-"):
                found[relative] = text
    return found


def _link_text(name: str, via: str) -> str:
    """What the visible link for document ``name`` points to: ``via/name``, from its folder."""
    return "/".join([".."] * name.count("/") + [via, name])


def _replace_link(path: str, text: str) -> None:
    """Make ``path`` a symbolic link to ``text``, atomically (a new link renamed over it)."""
    temporary = os.path.join(os.path.dirname(path), TEMP_PREFIX + _new_id())
    os.symlink(text, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        _remove_file(temporary)
        raise


def _link_before_switch(target: str, generation: str, previous: str | None) -> None:
    """Before the pointer moves: a document new in ``generation`` gets a link straight into
    it, a document it drops a link straight into ``previous`` — no link ever dangles."""
    new_names = _files_below(os.path.join(target, generation))
    visible = _visible_links(target)
    for name in sorted(new_names - visible.keys()):
        path = os.path.join(target, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _replace_link(path, _link_text(name, generation))
    if previous is not None:
        for name in sorted(visible.keys() - new_names):
            _replace_link(os.path.join(target, *name.split("/")), _link_text(name, previous))


def _tidy(target: str) -> None:
    """Make the visible links exactly the current generation's documents (through the
    pointer), then remove what nobody uses: other generations, staging folders of dead
    writers, trash, temporary links. Anything locked (being read or written) stays."""
    current = _current_name(target)
    wanted = _files_below(os.path.join(target, current)) if current else set()
    visible = _visible_links(target)
    for name in sorted(wanted):
        text = _link_text(name, POINTER_NAME)
        if visible.get(name) != text:
            path = os.path.join(target, *name.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _replace_link(path, text)
    for name in sorted(visible.keys() - wanted, reverse=True):
        _remove_file(os.path.join(target, *name.split("/")))
        _remove_empty_parents(target, name)
    try:
        entries = os.listdir(target)
    except OSError:
        return
    for name in entries:
        path = os.path.join(target, name)
        if name.startswith(TRASH_PREFIX):
            _remove_tree(path)
        elif name.startswith(TEMP_PREFIX):
            _remove_file(path)  # writers make and rename these under this same lock
        elif name.startswith((STAGING_PREFIX, GENERATION_PREFIX)) and name != current:
            _remove_unused(target, name)


def _remove_empty_parents(target: str, name: str) -> None:
    segments = name.split("/")[:-1]
    while segments:
        try:
            os.rmdir(os.path.join(target, *segments))  # only if empty
        except OSError:
            return
        segments.pop()


def _remove_unused(target: str, name: str) -> None:
    path = os.path.join(target, name)
    if fcntl is None and not _older_than(path, _UNLOCKED_GRACE):
        return
    handle = _open_locked(path, exclusive=True, wait=False)
    if handle is None:
        return  # in use (being written or read), or gone
    try:
        if _current_name(target) == name:
            return  # never the current one
        trash = os.path.join(target, TRASH_PREFIX + _new_id())
        try:
            os.rename(path, trash)  # a reader that resolved the old name now misses it and retries
        except OSError:
            return
    finally:
        _unlock(handle)
    _remove_tree(trash)


def _fsync_folder(path: str) -> None:
    """Persist a folder's entries (renames) where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _older_than(path: str, seconds: float) -> bool:
    try:
        return time.time() - os.lstat(path).st_mtime > seconds
    except OSError:
        return False


def _remove_file(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _remove_tree(path: str) -> None:
    """Delete a folder of ours; a symbolic link is removed, never followed."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    if not stat.S_ISDIR(mode):
        _remove_file(path)
        return
    shutil.rmtree(path, ignore_errors=True)
