"""Natural ordering of API version names (DESIGN.md "Versions and lifecycle").

``version_key(name)`` sorts ``v2`` before ``v10`` and LinkedIn-style ``202201.01`` before
``202201.02`` before ``202202``: the name is cut into runs of digits (compared as numbers) and
runs of anything else (compared as text, case-insensitively first, then exactly, so the order
is total and stable). A name that is a prefix of another sorts first (``1.0`` < ``1.0.1``).
No semantic-versioning pre-release rules: ``1.0-beta`` sorts after ``1.0``.
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"(\d+)")

Part = tuple[int, int, str]


def version_key(name: str) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """A sort key: digit runs as numbers, other runs as case-folded text; ties (``01`` vs
    ``1``, ``V2`` vs ``v2``) are broken by the exact runs, so distinct names never tie."""
    parts: list[Part] = []
    exact: list[str] = []
    for index, run in enumerate(_RUNS.split(name)):
        if not run:
            continue
        parts.append((0, int(run), "") if index % 2 else (1, 0, run.casefold()))
        exact.append(run)
    return tuple(parts), tuple(exact)


def sorted_versions(names: list[str] | tuple[str, ...]) -> list[str]:
    """``names`` in their natural order."""
    return sorted(names, key=version_key)
