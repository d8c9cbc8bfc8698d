"""A client's ``fields=`` request as paths: the syntax, and the limits on its size.

The request is untrusted text, so this is the only place that parses it, and it bounds what a
request may cost before anything else looks at it (``MAX_PATHS``; ``narrow`` applies
``MAX_DEPTH_BELOW``).

Syntax: comma-separated dotted paths in the filter-file syntax (``\\.``, ``\\\\`` and ``\\*``
escapes), plus ``\\,`` for a literal comma in a name; whitespace around a path is ignored,
and so are empty items and repeats. No paths at all means the whole whitelist.
"""

from __future__ import annotations

from typing import Iterable, Union

from sphinx_apidocs.filters.names import STAR, split_dotted

Fields = Union[str, Iterable[str], None]

MAX_PATHS = 1000  # distinct items in one request
MAX_DEPTH_BELOW = 32  # levels a path may reach below a whitelisted leaf or '*'


def split_fields(fields: Fields) -> list[str]:
    """The paths of a request: comma-separated, stripped, empty ones dropped, duplicates too.

    ``fields`` is a string or an iterable of strings (``parse_qs`` gives a list when
    ``fields=`` repeats); ``None`` is no request. ``\\,`` is a literal comma; other escapes are
    kept for ``split_dotted``.
    """
    return list(split_request(fields).values())


def split_request(fields: Fields) -> dict[str, str]:
    """``{path as written (stripped): path with '\\,' unescaped}``, in request order: the
    written form names a path in error messages, the other is parsed.
    """
    if fields is None:
        return {}
    if isinstance(fields, str):
        fields = (fields,)
    items: dict[str, str] = {}
    seen: set[str] = set()
    for text in fields:
        if not isinstance(text, str):
            raise TypeError(f"fields must be str, not {type(text).__name__}")
        if "\\," in text:
            pieces = _unescape_commas(text)
        else:
            pieces = [(piece, piece) for piece in text.split(",")]
        for raw, path in pieces:
            path = path.strip()
            if path and path not in seen:
                seen.add(path)
                items[raw.strip()] = path
    return items


def _unescape_commas(text: str) -> list[tuple[str, str]]:
    """``text`` split at unescaped commas: ``(as written, with '\\,' unescaped)`` pairs."""
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    start = i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            current.append("," if nxt == "," else ch + nxt)
            i += 2
            continue
        if ch == ",":
            pieces.append((text[start:i], "".join(current)))
            start, current = i + 1, []
        else:
            current.append(ch)
        i += 1
    pieces.append((text[start:], "".join(current)))
    return pieces


def split_path(path: str) -> tuple[tuple[str, ...], bool]:
    """``split_dotted``, with a fast path for the common case: no escapes, no inner ``*``."""
    if "\\" not in path:
        segments = path.split(".")
        star = segments[-1] == STAR
        if star:
            del segments[-1]
        if all(segments) and not any(STAR in segment for segment in segments):
            return tuple(segments), star
    return split_dotted(path)  # an escape, or an error to report in its words
