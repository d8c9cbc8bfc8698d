"""Write the fetched documents of an API to a folder, atomically, for offline builds.

The documents are stored byte for byte as fetched (so a snapshot holds nothing the endpoint
did not send; request headers and their secrets are never written). The folder is built
beside the target and renamed into place, so a reader never sees a half-written snapshot.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.spec.sources import DocumentSet

LISTING_NAME = "api-docs.json"


def write_snapshot(documents: DocumentSet, target: str) -> list[str]:
    """Replace ``target`` with the documents; returns the relative names written."""
    target = os.path.abspath(target)
    parent = os.path.dirname(target)
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".apidocs-snapshot-", dir=parent)
    except OSError as exc:
        raise ApidocsError(f"{target}: cannot create snapshot: {exc.strerror or exc}") from None
    try:
        names = _write_all(documents, staging)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return names


def _write_all(documents: DocumentSet, folder: str) -> list[str]:
    names: list[str] = []
    entries = [(d.snapshot_name, d.document.raw) for d in documents.declarations]
    if documents.listing is not None:
        entries.insert(0, (LISTING_NAME, documents.listing.raw))
    taken: set[str] = set()
    for name, raw in entries:
        unique = name
        counter = 2
        while unique in taken:
            stem, ext = os.path.splitext(name)
            unique = f"{stem}-{counter}{ext}"
            counter += 1
        taken.add(unique)
        path = os.path.join(folder, *unique.split("/"))
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise ApidocsError(f"{path}: cannot write snapshot file: {exc.strerror or exc}") from None
        names.append(unique)
    return names


def _swap_into_place(staging: str, target: str) -> None:
    try:
        if os.path.isdir(target):
            old = tempfile.mkdtemp(prefix=".apidocs-snapshot-old-", dir=os.path.dirname(target))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        elif os.path.exists(target):
            raise ApidocsError(f"{target}: exists and is not a folder; refusing to replace it")
        else:
            os.rename(staging, target)
    except OSError as exc:
        raise ApidocsError(f"{target}: cannot move snapshot into place: {exc.strerror or exc}") from None
