"""Two contracts -> the changes a client can notice (:class:`~.change.Change`, in the stable order).

Matching operations: by nickname first (same nickname and method; a new path is
``operation-moved``); then, among the operations left on each side, one removed and one added on
the same method and route is ``operation-renamed``. Matched operations are compared whole:
renamed and moved ones too. A nickname whose method changed is the old operation removed and a
new one added.

Fields (response and request body) are compared level by level on the interned shapes of
:mod:`.contract`, so an unchanged subtree costs nothing. When a field appears or disappears, the
change names **that field only**, not every field below it (removing ``terms`` reports
``terms``, not ``terms.rate.amount``); below a field present on both sides the comparison goes
on. A field whose type changed is reported and, where both sides still have fields below it,
compared below too. ``subject`` is the escaped dotted path of the filters (``items.id``: arrays
are transparent, ``app\\.version``: a literal dot).

Levels follow the direction of data: a response field's enum losing values is no problem
(``response-field-enum-value-removed``, info; clients receive fewer values) while a new value
warns; a request field's or parameter's enum losing values breaks clients that send them.
``operation-audience-narrowed`` needs the audiences' order, which a later issue brings:
:attr:`~.contract.OperationContract.audience` is the hook (``None`` on both sides today).

Lifecycle, for operations and response fields alike, against ``today``: a removal on or after
the sunset date the old release announced is planned (``*-removed-after-sunset``, info), one
before it (or without a date) breaks as any removal; a new or moved sunset date is a warning
(``*-sunset-announced``); and something still there after its date is a warning
(``*-past-sunset``) in every comparison, a contract compared with itself included — the only
change that one reports.
"""

from __future__ import annotations

import datetime as dt

import json
import unicodedata
from typing import Any, Iterable, Iterator, Mapping

from sphinx_apidocs.diff.change import Change, sorted_changes
from sphinx_apidocs.diff.contract import Contract, Field, FilterInput, OperationContract, Param, Shape, contract_of
from sphinx_apidocs.filters import escape_name
from sphinx_apidocs.spec.model import ApiSpec

#: One change below a shape, relative to it: (rule id, path segments (escaped), old, new).
Relative = tuple[str, tuple[str, ...], Any, Any]
#: Field levels compared below a response or a request body: a hostile chain of thousands of
#: models must not exhaust the stack; real APIs nest about ten.
MAX_FIELD_DEPTH = 64
Memo = dict[tuple[str, int, int, int], list[Relative]]
#: Response fields past their sunset date below a shape (at a depth): (path segments, sunset).
SunsetMemo = dict[tuple[int, int], list[tuple[tuple[str, ...], str]]]


def diff_specs(
    old_spec: ApiSpec,
    new_spec: ApiSpec,
    old_filters: Mapping[str, FilterInput] | None = None,
    new_filters: Mapping[str, FilterInput] | None = None,
) -> list[Change]:
    """The changes from ``old_spec`` to ``new_spec``, each with its filters (``load_filter_trees``
    output, a ``{nickname: FilterTree}`` mapping, or ``None``: whole responses)."""
    return compare(contract_of(old_spec, old_filters), contract_of(new_spec, new_filters))


def compare(old: Contract, new: Contract, today: dt.date | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, deduplicated, in the stable order. ``today``
    (default: the date it runs) tells a removal (of an operation or a response field) after its
    sunset date (planned: info) from one before it (breaking), and a sunset date in the past
    (a warning)."""
    changes: list[Change] = []
    memo: Memo = {}
    past: SunsetMemo = {}
    day = (today or dt.date.today()).isoformat()
    matched, removed, added = match_operations(old, new)
    for op in removed:
        if op.sunset and op.sunset <= day:
            changes.append(_say(op, "operation-removed-after-sunset", "", op.sunset, None))
        else:
            changes.append(_say(op, "operation-removed", "", op.sunset or None, None))
    for op in added:
        changes.append(_say(op, "operation-added", "", None, None))
    for before, after in matched:
        changes.extend(OperationDiff(before, after, memo, day).changes())
        if after.sunset and after.sunset != before.sunset:
            changes.append(_say(after, "operation-sunset-announced", "", before.sunset or None, after.sunset))
        if after.sunset and after.sunset < day:
            changes.append(_say(after, "operation-past-sunset", "", None, after.sunset))
        if after.response is not None:
            for segments, sunset in past_sunset(after.response, day, 1, past):
                changes.append(_say(after, "response-field-past-sunset", ".".join(segments), None, sunset))
    return sorted_changes(changes)


def past_sunset(shape: Shape, day: str, depth: int, memo: SunsetMemo) -> list[tuple[tuple[str, ...], str]]:
    """The fields at or below ``shape`` (at ``depth``, as far as :meth:`OperationDiff.shape_changes`
    looks) whose sunset date is before ``day``: (escaped path segments, sunset), memoized per
    (interned) shape; a shape without any sunset date below it costs nothing."""
    if not shape.sunsets or depth > MAX_FIELD_DEPTH:
        return []
    key = (id(shape), depth)
    found = memo.get(key)
    if found is None:
        found = []
        for name, field in shape.fields:
            segment = (escape_name(name),)
            if field.sunset and field.sunset < day:
                found.append((segment, field.sunset))
            if field.shape is not None:
                found.extend((segment + below, sunset) for below, sunset in past_sunset(field.shape, day, depth + 1, memo))
        memo[key] = found
    return found


def match_operations(
    old: Contract, new: Contract
) -> tuple[list[tuple[OperationContract, OperationContract]], list[OperationContract], list[OperationContract]]:
    """(matched pairs, removed, added): by nickname and method, then renames by method + route."""
    old_by = {op.nickname: op for op in old.operations}
    new_by = {op.nickname: op for op in new.operations}
    matched: list[tuple[OperationContract, OperationContract]] = []
    removed: list[OperationContract] = []
    added: list[OperationContract] = []
    for nickname in sorted(old_by.keys() & new_by.keys()):
        before, after = old_by[nickname], new_by[nickname]
        if before.method == after.method:
            matched.append((before, after))
        else:
            removed.append(before)
            added.append(after)
    lone_old = _by_route(op for op in old.operations if op.nickname not in new_by)
    lone_new = _by_route(op for op in new.operations if op.nickname not in old_by)
    for key in sorted(lone_old.keys() | lone_new.keys()):
        before_ops, after_ops = lone_old.get(key, []), lone_new.get(key, [])
        if len(before_ops) == 1 and len(after_ops) == 1:
            matched.append((before_ops[0], after_ops[0]))  # clear evidence: a rename
        else:
            removed.extend(before_ops)
            added.extend(after_ops)
    return matched, removed, added


def _by_route(ops: Iterable[OperationContract]) -> dict[tuple[str, str], list[OperationContract]]:
    found: dict[tuple[str, str], list[OperationContract]] = {}
    for op in ops:
        found.setdefault((op.method, op.route), []).append(op)
    return found


def _say(op: OperationContract, rule: str, subject: str, old: Any, new: Any) -> Change:
    return Change(
        id=rule,
        operation=op.nickname,
        method=op.method,
        path=op.path,
        subject=subject,
        old=old,
        new=new,
        message=one_line(f"{op.method} {op.path} ({op.nickname}): {describe(rule, subject, old, new)}"),
    )


class OperationDiff:
    """The changes between two versions of one operation (``after`` names them)."""

    def __init__(self, before: OperationContract, after: OperationContract, memo: Memo, day: str = "") -> None:
        self.before = before
        self.after = after
        self.memo = memo  # shared by the operations of one comparison (and so of one ``day``)
        self.day = day or dt.date.today().isoformat()
        self.found: list[Change] = []

    def say(self, rule: str, subject: str = "", old: Any = None, new: Any = None) -> None:
        self.found.append(_say(self.after, rule, subject, old, new))

    def changes(self) -> list[Change]:
        self.identity()
        self.texts()
        self.scopes()
        self.parameters()
        self.responses()
        return self.found

    def identity(self) -> None:
        before, after = self.before, self.after
        if before.nickname != after.nickname:
            self.say("operation-renamed", "", before.nickname, after.nickname)
        elif before.route != after.route:
            self.say("operation-moved", "", before.path, after.path)
        if after.deprecated and not before.deprecated:
            self.say("operation-deprecated")

    def texts(self) -> None:
        old = {key: value for key, value in (("summary", self.before.summary), ("notes", self.before.notes))}
        new = {key: value for key, value in (("summary", self.after.summary), ("notes", self.after.notes))}
        changed = [key for key in old if old[key] != new[key]]
        if changed:
            self.say("description-changed", "", {k: old[k] for k in changed}, {k: new[k] for k in changed})

    def scopes(self) -> None:
        before, after = set(self.before.scopes), set(self.after.scopes)
        for scope in sorted(after - before):
            self.say("scope-added", scope, None, scope)
        for scope in sorted(before - after):
            self.say("scope-removed", scope, scope, None)

    # -- parameters --------------------------------------------------------------------------------

    def parameters(self) -> None:
        old = dict(self.before.parameters)
        new = dict(self.after.parameters)
        for key in sorted(old.keys() & new.keys()):
            self.parameter(old[key], new[key])
        moved = _relocated({k: old[k] for k in old.keys() - new.keys()}, {k: new[k] for k in new.keys() - old.keys()})
        for old_key, new_key in moved:
            self.say("parameter-location-changed", new[new_key].name, old[old_key].location, new[new_key].location)
            self.parameter(old[old_key], new[new_key])
        gone = old.keys() - new.keys() - {k for k, _ in moved}
        for key in sorted(gone):
            self.say("parameter-removed", old[key].name, old[key].type, None)
        for key in sorted(new.keys() - old.keys() - {k for _, k in moved}):
            param = new[key]
            rule = "parameter-added-required" if param.required else "parameter-added-optional"
            self.say(rule, param.name, None, param.type)

    def parameter(self, old: Param, new: Param) -> None:
        name = new.name
        if new.required and not old.required:
            self.say("parameter-became-required", name, False, True)
        elif old.required and not new.required:
            self.say("parameter-became-optional", name, True, False)
        if old.type != new.type:
            self.say("parameter-type-changed", name, old.type, new.type)
        enum_rules = ("parameter-enum-value-removed", "parameter-enum-value-added")
        for rule, old_value, new_value in _enum_changes(old.enum, new.enum, *enum_rules):
            self.say(rule, name, old_value, new_value)
        if old.default != new.default:
            self.say("parameter-default-changed", name, _json(old.default), _json(new.default))
        if old.description != new.description:
            self.say("description-changed", name, old.description, new.description)
        if old.body is not None and new.body is not None:
            for rule, segments, old_value, new_value in self.shape_changes("request", old.body, new.body, 1):
                self.say(rule, ".".join(segments), old_value, new_value)

    # -- responses ---------------------------------------------------------------------------------

    def responses(self) -> None:
        before, after = self.before, self.after
        for code in sorted(set(before.codes) - set(after.codes)):
            self.say("response-code-removed", code, code, None)
        for code in sorted(set(after.codes) - set(before.codes)):
            self.say("response-code-added", code, None, code)
        if before.response_type != after.response_type:
            self.say("response-type-changed", "", before.response_type, after.response_type)
        if before.response is not None and after.response is not None:
            for rule, segments, old_value, new_value in self.shape_changes("response", before.response, after.response, 1):
                self.say(rule, ".".join(segments), old_value, new_value)

    # -- fields --------------------------------------------------------------------------------------

    def shape_changes(self, side: str, old: Shape, new: Shape, depth: int) -> list[Relative]:
        """The changes below two shapes (at ``depth``), relative to them; memoized per pair of
        (interned) shapes, so a model shared by many fields and operations is compared once."""
        if old is new or depth > MAX_FIELD_DEPTH:
            return []
        key = (side, id(old), id(new), depth)
        found = self.memo.get(key)
        if found is None:
            found = []
            for name in sorted({name for name, _ in old.fields} | {name for name, _ in new.fields}):
                found.extend(self.field_changes(side, old, new, name, depth))
            self.memo[key] = found
        return found

    def field_changes(self, side: str, old: Shape, new: Shape, name: str, depth: int) -> Iterator[Relative]:
        segment = (escape_name(name),)
        before, after = old.get(name), new.get(name)
        if after is None and before is not None:
            if side == "response" and before.sunset and before.sunset <= self.day:
                yield ("response-field-removed-after-sunset", segment, before.sunset, None)
            else:
                yield (_gone(side, new, name), segment, before.type, None)
        elif before is None and after is not None:
            yield (_new(side, old, name, after), segment, None, after.type)
        elif before is not None and after is not None:
            for rule, below, old_value, new_value in self.same_field(side, before, after, depth):
                yield (rule, segment + below, old_value, new_value)

    def same_field(self, side: str, old: Field, new: Field, depth: int) -> Iterator[Relative]:
        here: tuple[str, ...] = ()
        if old.type != new.type:
            yield (f"{side}-field-type-changed", here, old.type, new.type)
        if side == "response":
            yield from _response_flags(old, new)
        else:
            yield from _request_flags(old, new)
        if old.description != new.description:
            yield ("description-changed", here, old.description, new.description)
        if old.shape is not None and new.shape is not None:
            yield from self.shape_changes(side, old.shape, new.shape, depth + 1)


def _gone(side: str, new: Shape, name: str) -> str:
    if side == "request":
        return "request-field-removed"
    # Unknown (a free-form object): only the whitelist can have dropped it.
    return "response-field-removed" if new.has(name) is False else "response-field-unexposed"


def _new(side: str, old: Shape, name: str, field: Field) -> str:
    if side == "request":
        return "request-field-added-required" if field.required else "request-field-added-optional"
    return "response-field-added" if old.has(name) is False else "response-field-exposed"


def _response_flags(old: Field, new: Field) -> Iterator[Relative]:
    if new.deprecated and not old.deprecated:
        yield ("response-field-deprecated", (), False, True)
    if new.sunset and new.sunset != old.sunset:
        yield ("response-field-sunset-announced", (), old.sunset or None, new.sunset)
    if old.required and not new.required:
        yield ("response-field-became-optional", (), True, False)
    changes = _enum_changes(old.enum, new.enum, "response-field-enum-value-removed", "response-field-enum-value-added")
    for rule, old_value, new_value in changes:
        yield (rule, (), old_value, new_value)


def _request_flags(old: Field, new: Field) -> Iterator[Relative]:
    if new.required and not old.required:
        yield ("request-field-became-required", (), False, True)
    elif old.required and not new.required:
        yield ("request-field-became-optional", (), True, False)
    changes = _enum_changes(old.enum, new.enum, "request-field-enum-value-removed", "request-field-enum-value-added")
    for rule, old_value, new_value in changes:
        yield (rule, (), old_value, new_value)


def _enum_changes(
    old: tuple[str, ...] | None, new: tuple[str, ...] | None, removed: str, added: str
) -> Iterator[tuple[str, Any, Any]]:
    """One change per value that left or joined; an enum appearing (any value -> a list) is a
    removal with ``old=None``, one disappearing an addition with ``new=None``."""
    if old == new:
        return
    if old is None:
        yield (removed, None, list(new or ()))
    elif new is None:
        yield (added, list(old), None)
    else:
        kept = set(new)
        for value in old:
            if value not in kept:
                yield (removed, value, None)
        had = set(old)
        for value in new:
            if value not in had:
                yield (added, None, value)


def _relocated(old: dict[str, Param], new: dict[str, Param]) -> list[tuple[str, str]]:
    """(old key, new key) of parameters that kept their name and changed location, where the
    name says so unambiguously."""
    old_names: dict[str, list[str]] = {}
    new_names: dict[str, list[str]] = {}
    for key, param in old.items():
        old_names.setdefault(_name_key(param), []).append(key)
    for key, param in new.items():
        new_names.setdefault(_name_key(param), []).append(key)
    pairs = []
    for name in sorted(old_names.keys() & new_names.keys()):
        if len(old_names[name]) == 1 and len(new_names[name]) == 1:
            pairs.append((old_names[name][0], new_names[name][0]))
    return pairs


def _name_key(param: Param) -> str:
    return param.name.lower() if param.location == "header" else param.name


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# -- messages ---------------------------------------------------------------------------------------

_MESSAGES: dict[str, str] = {
    "operation-removed": "the operation was removed",
    "operation-removed-after-sunset": "the operation was removed after its sunset date {old}, as announced",
    "operation-sunset-announced": "the operation goes away on {new}",
    "operation-past-sunset": "the operation is still served after its sunset date {new}: remove it or move the date",
    "operation-added": "new operation",
    "operation-renamed": "nickname `{old}` is now `{new}`",
    "operation-moved": "moved from {old} to {new}: clients calling the old path fail",
    "operation-deprecated": "the operation is deprecated",
    "parameter-added-required": "new required parameter `{subject}` ({new})",
    "parameter-added-optional": "new optional parameter `{subject}` ({new})",
    "parameter-removed": "parameter `{subject}` is no longer read",
    "parameter-became-required": "parameter `{subject}` is now required",
    "parameter-became-optional": "parameter `{subject}` is now optional",
    "parameter-type-changed": "parameter `{subject}` changed type from {old} to {new}",
    "parameter-location-changed": "parameter `{subject}` moved from {old} to {new}",
    "parameter-default-changed": "parameter `{subject}` default changed from {old_json} to {new_json}",
    "request-field-added-required": "new required request body field `{subject}` ({new})",
    "request-field-added-optional": "new optional request body field `{subject}` ({new})",
    "request-field-removed": "request body field `{subject}` is no longer read",
    "request-field-became-required": "request body field `{subject}` is now required",
    "request-field-became-optional": "request body field `{subject}` is now optional",
    "request-field-type-changed": "request body field `{subject}` changed type from {old} to {new}",
    "scope-added": "now needs the OAuth scope `{subject}`",
    "scope-removed": "no longer needs the OAuth scope `{subject}`",
    "response-code-removed": "response code {subject} is no longer documented",
    "response-code-added": "new documented response code {subject}",
    "response-type-changed": "the response changed type from {old} to {new}",
    "response-field-removed": "response field `{subject}` is gone from the model",
    "response-field-unexposed": (
        "response field `{subject}` left the whitelist (the model keeps it): it is no longer sent,"
        " and `fields=` requests naming it will now get a 400"
    ),
    "response-field-added": "new response field `{subject}` ({new})",
    "response-field-exposed": "model field `{subject}` joined the whitelist: responses now carry it",
    "response-field-type-changed": "response field `{subject}` changed type from {old} to {new}",
    "response-field-deprecated": "response field `{subject}` is deprecated",
    "response-field-removed-after-sunset": "response field `{subject}` was removed after its sunset date {old}, as announced",
    "response-field-sunset-announced": "response field `{subject}` goes away on {new}",
    "response-field-past-sunset": (
        "response field `{subject}` is still sent after its sunset date {new}: remove it or move the date"
    ),
    "response-field-became-optional": "response field `{subject}` is no longer always present",
    "description-changed": "the description of {what} changed",
}

_ENUM_MESSAGES: dict[str, tuple[str, str, str]] = {
    # rule: (one value, "any value -> a list", "a list -> any value")
    "parameter-enum-value-removed": (
        "parameter `{subject}` no longer accepts {old_json}",
        "parameter `{subject}` now accepts only {new_json}",
        "",
    ),
    "parameter-enum-value-added": (
        "parameter `{subject}` now accepts {new_json}",
        "",
        "parameter `{subject}` now accepts any value",
    ),
    "request-field-enum-value-removed": (
        "request body field `{subject}` no longer accepts {old_json}",
        "request body field `{subject}` now accepts only {new_json}",
        "",
    ),
    "request-field-enum-value-added": (
        "request body field `{subject}` now accepts {new_json}",
        "",
        "request body field `{subject}` now accepts any value",
    ),
    "response-field-enum-value-removed": (
        "response field `{subject}` no longer carries {old_json}",
        "response field `{subject}` now carries only {new_json}",
        "",
    ),
    "response-field-enum-value-added": (
        "response field `{subject}` may now carry {new_json}",
        "",
        "response field `{subject}` may now carry any value",
    ),
}


def describe(rule: str, subject: str, old: Any, new: Any) -> str:
    """The readable part of a change's one-line message."""
    values = {
        "subject": subject,
        "old": old,
        "new": new,
        "old_json": _one_line(old),
        "new_json": _one_line(new),
        "what": f"`{subject}`" if subject else "the operation",
    }
    if rule in _ENUM_MESSAGES:
        one, narrowed, widened = _ENUM_MESSAGES[rule]
        template = narrowed if isinstance(new, list) else widened if isinstance(old, list) else one
        return template.format(**values)
    return _MESSAGES.get(rule, rule).format(**values)


def _one_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def one_line(text: str) -> str:
    """Control characters and line separators (a hostile name may hold them) written escaped."""
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(ch):04x}" if _breaks_line(ch) else ch for ch in text)


def _breaks_line(ch: str) -> bool:
    return ch != " " and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
