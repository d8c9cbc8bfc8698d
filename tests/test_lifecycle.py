"""``sphinx_apidocs.lifecycle.headers``: RFC 9745 ``Deprecation`` and RFC 8594 ``Sunset``."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import subprocess
import sys
from typing import Any

import pytest

from sphinx_apidocs.lifecycle import epoch_seconds, headers, sunset_value

IMF_FIXDATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT\Z")


@pytest.mark.parametrize(
    ("deprecated_at", "sunset", "expected"),
    [
        ("2026-05-01", "2026-11-01", {"Deprecation": "@1777593600", "Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}),
        (dt.date(2026, 5, 1), dt.date(2026, 11, 1), {"Deprecation": "@1777593600", "Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}),
        (dt.datetime(2023, 6, 30, 23, 59, 59), None, {"Deprecation": "@1688169599"}),  # RFC 9745's example
        (None, dt.datetime(2018, 12, 31, 23, 59, 59), {"Sunset": "Mon, 31 Dec 2018 23:59:59 GMT"}),  # RFC 8594's date (it says Sat: a Monday)
        ("2026-11-01T12:30:00Z", None, {"Deprecation": "@1793536200"}),
        ("2026-11-01T14:30:00+02:00", "2026-11-01T14:30:00+02:00",
         {"Deprecation": "@1793536200", "Sunset": "Sun, 01 Nov 2026 12:30:00 GMT"}),
        (dt.datetime(2026, 11, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), None, {"Deprecation": "@1793536200"}),
        (dt.datetime(2026, 11, 1, 12, 30, 0, 999999), dt.datetime(2026, 11, 1, 12, 30, 0, 999999),
         {"Deprecation": "@1793536200", "Sunset": "Sun, 01 Nov 2026 12:30:00 GMT"}),  # floored, never later
        (1793536200, 1793536200.7, {"Deprecation": "@1793536200", "Sunset": "Sun, 01 Nov 2026 12:30:00 GMT"}),
        ("1969-12-31T23:59:59.5Z", None, {"Deprecation": "@-1"}),
        (True, "2026-11-01", {"Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}),  # deprecated, no date: no header
        (False, None, {}),
        ("", "", {}),
        (None, None, {}),
    ],
)
def test_exact_header_values(deprecated_at: Any, sunset: Any, expected: dict[str, str]) -> None:
    assert headers(deprecated_at, sunset) == expected


def test_sunset_is_an_imf_fixdate_that_reads_back() -> None:
    for day in range(1, 366, 17):
        when = dt.datetime(2025, 1, 1, 7, 5, 3, tzinfo=dt.timezone.utc) + dt.timedelta(days=day)
        value = sunset_value(when)
        assert IMF_FIXDATE.match(value), value
        assert email.utils.parsedate_to_datetime(value) == when
        assert epoch_seconds(when) == int(when.timestamp())


@pytest.mark.parametrize("bad", ["soon", "2026-13-01", "01/11/2026", "2026-11-01T25:00"])
def test_a_bad_date_is_an_error(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        headers(bad)
    with pytest.raises(ValueError):
        headers(None, bad)


@pytest.mark.parametrize("bad", [[2026, 11, 1], object(), float("nan")])
def test_a_value_that_is_no_date_is_an_error(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        headers(bad)


def test_a_bool_sunset_is_an_error() -> None:
    with pytest.raises(TypeError):
        headers(None, True)


def test_standard_library_only() -> None:
    code = (
        "import sys; import sphinx_apidocs.lifecycle as l; "
        "print(sorted(m for m in sys.modules if m.startswith('sphinx_apidocs')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['sphinx_apidocs', 'sphinx_apidocs.lifecycle']"
