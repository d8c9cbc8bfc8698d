"""argparse pieces shared by the commands: any order of options and operands, and repeats.

* :class:`CommandParser` (every sub-command's parser) parses *intermixed*: options may come
  before, between or after the operands (``apply FILTERS --operation NICK --fields a,b
  response.json``), as users write them. ``--`` still ends the options: what follows is an
  operand even if it starts with ``-``.
* Options whose values form a list (``--header``, ``--fields``, ``fields --operation``) use
  ``action="append"``: every occurrence counts.
* Single-valued options use :class:`Once`: giving one twice with the *same* value is fine, two
  different values are a usage error (exit 2) instead of silently keeping the last one.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

_GIVEN = "_apidocs_given_options"  # a private namespace attribute; removed after parsing
#: Marks the operands after ``--`` while they are parsed (a command line cannot hold NUL):
#: argparse's intermixed parsing loses them when there are two or more (CPython gh-101599).
_OPERAND = "\0"


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose ``parse_known_args`` parses intermixed options and operands.

    (``parse_known_intermixed_args`` itself calls ``parse_known_args`` twice, one pass for the
    options and one for the operands; those inner calls take the plain path.)
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        given = list(args) if args is not None else None
        if given is not None and "--" in given:
            end = given.index("--")
            given = given[:end] + [_OPERAND + operand for operand in given[end + 1:]]
        try:
            parsed, extras = super().parse_known_intermixed_args(given, namespace)
        finally:
            self._intermixing = False
        self._unmark(parsed)
        if hasattr(parsed, _GIVEN):
            delattr(parsed, _GIVEN)
        if extras:  # reported here, so the usage shown is this command's
            self.error(f"unrecognized arguments: {' '.join(extra.lstrip(_OPERAND) for extra in extras)}")
        return parsed, extras


    def _unmark(self, parsed: argparse.Namespace) -> None:
        """Operands after ``--`` without their mark, wherever they landed."""
        for action in self._actions:
            value = getattr(parsed, action.dest, None)
            if isinstance(value, str) and value.startswith(_OPERAND):
                setattr(parsed, action.dest, value[len(_OPERAND):])
            elif isinstance(value, list):
                setattr(parsed, action.dest, [v[len(_OPERAND):] if isinstance(v, str) and v.startswith(_OPERAND) else v for v in value])


class Once(argparse.Action):
    """``store``, except that two different values for the option are a usage error."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        given: dict[str, Any] = getattr(namespace, _GIVEN, None) or {}
        if self.dest in given and given[self.dest] != values:
            name = "/".join(self.option_strings)
            parser.error(
                f"argument {name}: given twice with different values "
                f"({given[self.dest]!r} and {values!r}); give it once"
            )
        given[self.dest] = values
        setattr(namespace, _GIVEN, given)
        setattr(namespace, self.dest, values)
