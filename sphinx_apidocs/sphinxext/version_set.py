"""The API versions of one build (``apidocs_versions``) as one fact shared by their states:
their natural order, which operations each has, and the changes from each to the next.

Operations are the same operation across versions when their nickname is the same. Each
operation page gets a version picker (:func:`picker`): the versions that have the operation
(linked where it is documented), the one shown, and when it first appeared and when it was
removed. ``.. api:changes:: v1 v2`` compares any two versions through :attr:`VersionSet.history`
(the same :class:`~.changelog.History` the changelog uses, over versions instead of releases).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from sphinx_apidocs.diff import Contract
from sphinx_apidocs.sphinxext.changelog import History, Release, history_of
from sphinx_apidocs.sphinxext.content import Code, Inline, Link, Paragraph, Strong, Text


@dataclass
class VersionSet:
    """The versions, oldest first, and the operations (nicknames) of each."""

    order: tuple[str, ...] = ()
    operations: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The changes from each version to the next, and the contracts to compare any two.
    history: History | None = None
    _digest: str = ""

    @classmethod
    def of(cls, operations: Mapping[str, frozenset[str]], contracts: Mapping[str, Contract]) -> VersionSet:
        """``operations`` and ``contracts`` by version name, in natural order."""
        order = tuple(operations)
        history = history_of([(name, "", contracts[name]) for name in order if name in contracts])
        return cls(order, dict(operations), history)

    def between(self, since: str, until: str) -> Release | None:
        """Every change from version ``since`` to ``until`` in one step (``None``: unknown)."""
        return self.history.between(since, until) if self.history is not None else None

    def having(self, nickname: str) -> tuple[str, ...]:
        """The versions that have the operation ``nickname``, oldest first."""
        return tuple(name for name in self.order if nickname in self.operations.get(name, ()))

    def lineage(self, nickname: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What a picker of ``nickname`` shows (its fingerprint): every version, and those having it."""
        return self.order, self.having(nickname)

    def digest(self) -> str:
        """Of the versions, their operations and every change between them (the fingerprint
        of an ``api:changes`` page between versions)."""
        if not self._digest:
            operations = [(name, sorted(self.operations[name])) for name in self.order]
            shown = (operations, self.history.digest() if self.history is not None else None)
            self._digest = hashlib.sha256(repr(shown).encode()).hexdigest()
        return self._digest


def picker(versions: VersionSet, nickname: str, current: str) -> Paragraph | None:
    """``Versions: v1 · v2 (shown) — new in v2; removed in v3``: links to the same operation in
    the other versions that have it (the writer links those documented, else writes the name),
    nothing for a version without it. ``None`` outside a build of several versions."""
    if len(versions.order) < 2 or not current:
        return None
    having = versions.having(nickname)
    runs: list[Inline] = [Strong("Versions:"), Text(" ")]
    for index, name in enumerate(having):
        if index:
            runs.append(Text(" \N{MIDDLE DOT} "))
        if name == current:
            runs.extend((Code(name), Text(" (this page)")))
        else:
            runs.append(Link("op", nickname, (Code(name),), version=name))
    said = lifecycle(versions.order, having)
    if said:
        runs.append(Text(" \N{EM DASH} " + said + "."))
    return Paragraph(tuple(runs), ("api-versions",))


def lifecycle(order: tuple[str, ...], having: tuple[str, ...]) -> str:
    """``new in v2; removed in v4`` (and ``back in v5`` when it returns after a removal)."""
    said: list[str] = []
    present = False
    for index, name in enumerate(order):
        has = name in having
        if has and not present and index:
            said.append(f"{'back' if said else 'new'} in {name}")
        elif present and not has:
            said.append(f"removed in {name}")
        present = has
    return "; ".join(said)
