"""Narrowing a whitelist to a client's request: check the paths, intersect the trees.

Each requested path must lie within the whitelist (``check``, walking the whitelist's plan):

* a whitelisted **container** (``info``) selects its whole whitelisted subtree;
* ``*`` selects every whitelisted key at its level (``info.*`` is the same as ``info``; a ``*``
  at the top is the whole whitelist);
* a path **below a whitelisted leaf or ``*``** (whitelist ``profile``, request ``profile.city``)
  is allowed and narrows it: the leaf passed the value whole, so any part of it may be asked
  for, and the part is filtered by the usual semantics (a non-object value there becomes
  ``None``, as for any container); at most ``MAX_DEPTH_BELOW`` levels below;
* anything else (a key the whitelist does not name, a path through a name the whitelist keeps
  only partly) is a problem, and the request fails as a whole, naming every offending path and
  the allowed ones (``dotted_paths`` of the whitelist). A request is never silently widened or
  trimmed.

The selection is the tree intersection (``intersect``): filtering with it equals filtering with
the whitelist and then with the request. Keys come in the whitelist's order; keys below a
whitelisted leaf or ``*`` come sorted, so the output does not depend on the request's order
(the checked request is *canonical*: equal requests give equal trees, a cache key).
"""

from __future__ import annotations

from sphinx_apidocs.filters.errors import FieldSelectionError, quoted
from sphinx_apidocs.filters.paths import dotted_paths
from sphinx_apidocs.filters.plan import Plan, plan_of
from sphinx_apidocs.filters.request import MAX_DEPTH_BELOW, MAX_PATHS, Fields, split_path, split_request
from sphinx_apidocs.filters.tree import FilterTree, TreeBuilder, bottom_up

Problems = list[tuple[str, str]]  # (path as written, or "" for the whole request; reason)


def check(whitelist: Plan, items: dict[str, str]) -> tuple[FilterTree, Problems]:
    """The requested tree of ``items`` (``split_request``), canonical (every level sorted by
    key, so equal requests give equal, hashable trees: a cache key), and its problems.
    """
    if len(items) > MAX_PATHS:
        return FilterTree(), [("", f"too many paths: {len(items)} (at most {MAX_PATHS})")]
    problems: Problems = []
    lookups = whitelist.lookups
    builder = TreeBuilder()
    for item, path in items.items():
        try:
            segments, star = split_path(path)
        except ValueError as exc:
            problems.append((item, str(exc)))
            continue
        node: int | None = whitelist.root
        below = -1  # levels the path reaches below a whitelisted leaf or '*'
        for index, name in enumerate(segments):
            fields = None if node is None else lookups[node]
            if fields is None:  # below a leaf or '*'
                below = len(segments) - index + star
                break
            if name not in fields:
                break
            node = fields[name]
        else:
            below = int(star and (node is None or lookups[node] is None))
        if below < 0:
            problems.append((item, "not allowed"))
        elif below > MAX_DEPTH_BELOW:
            problems.append((item, f"{quoted(item)} is nested too deeply below a whitelisted field"))
        else:
            builder.add(segments, star=star)
    return builder.build(sort=True), problems  # canonical: equal requests give equal trees


Pair = tuple[FilterTree, FilterTree]


def _ids(pair: Pair) -> tuple[int, int]:
    return id(pair[0]), id(pair[1])


def _below(pair: Pair) -> list[Pair]:
    """The pairs of subtrees ``intersect`` meets below ``pair``: a name that is a container
    in both trees.
    """
    allowed, asked = pair
    if allowed.star or asked.star:
        return []
    wanted = dict(asked.fields)
    below = []
    for name, child in allowed.fields:
        sub = wanted.get(name)
        if child is not None and sub is not None:
            below.append((child, sub))
    return below


def intersect(whitelist: FilterTree, requested: FilterTree) -> FilterTree:
    """What passes both trees: applying the result equals applying ``whitelist``, then
    ``requested``. Keys keep the whitelist's order; below a whitelist leaf or ``*`` the
    requested subtree is used as it is. Unchanged whitelist subtrees are returned as they are
    (shared), so the whole whitelist comes back as the same object.
    """
    met: dict[tuple[int, int], FilterTree] = {}
    for allowed, asked in bottom_up([(whitelist, requested)], _below, _ids):
        if asked.star or allowed.star:
            met[id(allowed), id(asked)] = allowed if asked.star else asked
            continue
        wanted = dict(asked.fields)
        fields: list[tuple[str, FilterTree | None]] = []
        same = True
        for name, child in allowed.fields:
            if name not in wanted:
                same = False
                continue
            sub = wanted[name]
            if sub is None:
                kept = child
            elif child is None:
                kept, same = sub, False
            else:
                kept = met[(id(child), id(sub))]
                same = same and kept is child
            fields.append((name, kept))
        met[id(allowed), id(asked)] = allowed if same else FilterTree(tuple(fields))
    return met[(id(whitelist), id(requested))]


def select_tree(whitelist: FilterTree, fields: Fields, *, plan: Plan | None = None) -> FilterTree:
    """The tree a request selects from ``whitelist`` (no cache); see the module docstring.
    ``plan``: the whitelist's plan, if its caller keeps one.

    Raises ``FieldSelectionError`` naming every path outside the whitelist or malformed.
    """
    items = split_request(fields)
    if not items:
        return whitelist
    requested, problems = check(plan_of(whitelist) if plan is None else plan, items)
    if problems:
        raise FieldSelectionError(problems, dotted_paths(whitelist))
    return intersect(whitelist, requested)
