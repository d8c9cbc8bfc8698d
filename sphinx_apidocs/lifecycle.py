"""Deprecation and sunset response headers for an operation (standard library only).

``headers(deprecated_at, sunset)`` gives the two lifecycle headers a service sends on every
response of a deprecated or retiring operation::

    >>> headers("2026-05-01", "2026-11-01")
    {'Deprecation': '@1777593600', 'Sunset': 'Sun, 01 Nov 2026 00:00:00 GMT'}

* ``Deprecation`` (RFC 9745) is a Structured Field Date: ``@`` and the integer seconds since
  the epoch (UTC) at which the operation is (or will be) deprecated.
* ``Sunset`` (RFC 8594) is an HTTP-date (IMF-fixdate): when the operation stops answering.

A date (``datetime.date``) means midnight UTC; a ``datetime`` without ``tzinfo`` is UTC; an
aware one is converted; a string is ISO 8601 (``2026-11-01``, ``2026-11-01T12:30:00Z``,
``2026-11-01T12:30:00+02:00``); an ``int``/``float`` is seconds since the epoch.

``deprecated_at=True`` (deprecated, date unknown) gives *no* ``Deprecation`` header: RFC 9745
defines the field only with a date, and a made-up date (now, the epoch) would tell clients
something false. ``None``, ``False`` and ``""`` give no header either.

Kept free of the rest of the package, so a generated module's users and the middleware share
it without pulling in anything else.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import math
from typing import Union

DateLike = Union[_dt.date, _dt.datetime, str, int, float]
"""What ``headers`` accepts as a date (see the module docstring)."""

_UTC = _dt.timezone.utc


def as_utc(value: DateLike) -> _dt.datetime:
    """``value`` as an aware UTC ``datetime``; ``ValueError``/``TypeError`` for anything else.

    Exact types are checked (``bool`` is an ``int`` to Python, never a date here).
    """
    if isinstance(value, bool):
        raise TypeError("a date is expected, not a bool")
    if isinstance(value, _dt.datetime):  # before ``date``: a datetime is a date too
        when = value
    elif isinstance(value, _dt.date):
        when = _dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        when = _parse_iso(value)
    elif isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"not a time: {value!r}")
        when = _dt.datetime.fromtimestamp(value, _UTC)
    else:
        raise TypeError(f"a date is expected, not {type(value).__name__}")
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        return when.replace(tzinfo=_UTC)
    return when.astimezone(_UTC)


def _parse_iso(text: str) -> _dt.datetime:
    """An ISO 8601 date or date-time (a trailing ``Z`` is UTC); one-line ``ValueError`` else."""
    stripped = text.strip()
    try:
        if len(stripped) == 10:  # YYYY-MM-DD: fromisoformat would also take other forms
            return _dt.datetime.combine(_dt.date.fromisoformat(stripped), _dt.time())
        if stripped[-1:] in ("Z", "z"):
            stripped = stripped[:-1] + "+00:00"
        return _dt.datetime.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date: {text[:40]!r}") from None


def epoch_seconds(value: DateLike) -> int:
    """Whole seconds since the epoch (floored, so a time never moves later)."""
    when = as_utc(value)
    delta = when - _dt.datetime(1970, 1, 1, tzinfo=_UTC)
    return delta.days * 86400 + delta.seconds


def deprecation_value(value: DateLike) -> str:
    """The RFC 9745 ``Deprecation`` field value: ``@<epoch seconds>``."""
    return f"@{epoch_seconds(value)}"


def sunset_value(value: DateLike) -> str:
    """The RFC 8594 ``Sunset`` field value, an IMF-fixdate (``Sun, 01 Nov 2026 00:00:00 GMT``)."""
    return email.utils.format_datetime(as_utc(value).replace(microsecond=0), usegmt=True)


def headers(deprecated_at: DateLike | bool | None = None, sunset: DateLike | None = None) -> dict[str, str]:
    """``{"Deprecation": ..., "Sunset": ...}``, each only when its date is given.

    ``deprecated_at``: when the operation is (or will be) deprecated; ``True`` (no date
    known), ``False``, ``None`` or ``""`` give no ``Deprecation`` header (RFC 9745 needs a
    date). ``sunset``: when it stops answering. Raises ``ValueError``/``TypeError`` for a value
    that is not a date, so a typo in a spec fails at start-up, not as a silent missing header.
    """
    result: dict[str, str] = {}
    if deprecated_at is not None and not isinstance(deprecated_at, bool) and deprecated_at != "":
        result["Deprecation"] = deprecation_value(deprecated_at)
    if sunset is not None and sunset != "":
        if isinstance(sunset, bool):
            raise TypeError("sunset must be a date, not a bool")
        result["Sunset"] = sunset_value(sunset)
    return result


__all__ = ["DateLike", "as_utc", "deprecation_value", "epoch_seconds", "headers", "sunset_value"]
