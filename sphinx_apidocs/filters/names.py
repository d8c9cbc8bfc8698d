"""The syntax of one filter entry: dotted names with backslash escapes and a trailing ``*``.

``split_dotted`` and ``escape_name`` are inverses, so ``dotted_paths`` output parses back to
the same tree.
"""

from __future__ import annotations

from sphinx_apidocs.filters.errors import printable, quoted

STAR = "*"
_ESCAPABLE = frozenset(".\\*")


def split_dotted(text: str) -> tuple[tuple[str, ...], bool]:
    """Split ``a.b\\.c.*`` into ``(("a", "b.c"), True)``: the names and whether it ends in ``*``.

    Raises ``ValueError`` with a user-facing message for empty names or segments, bad or
    dangling escapes, and a ``*`` that is not a whole, final segment.
    """
    if "\\" not in text and STAR not in text:  # the common case: plain names, no escapes
        plain = text.split(".")
        if "" not in plain:
            return tuple(plain), False
    return _split_escaped(text)


def _split_escaped(text: str) -> tuple[tuple[str, ...], bool]:
    """``split_dotted`` character by character: escapes, stars and every error message."""
    if text == "":
        raise ValueError("empty field name")
    segments: list[str] = []
    stars: list[bool] = []  # per segment: did it contain an unescaped '*'?
    current: list[str] = []
    star = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 == n:
                raise ValueError(f"dangling backslash at the end of {quoted(text)}")
            nxt = text[i + 1]
            if nxt not in _ESCAPABLE:
                raise ValueError(
                    f"bad escape '\\{printable(nxt)}' in {quoted(text)} (only '\\.', '\\\\' and '\\*' are allowed)"
                )
            current.append(nxt)
            i += 2
            continue
        if ch == ".":
            segments.append("".join(current))
            stars.append(star)
            current, star = [], False
        else:
            star = star or ch == STAR
            current.append(ch)
        i += 1
    segments.append("".join(current))
    stars.append(star)
    last = len(segments) - 1
    for index, (segment, has_star) in enumerate(zip(segments, stars)):
        if segment == "":
            raise ValueError(f"empty segment in {quoted(text)}")
        if not has_star:
            continue
        if segment != STAR:
            raise ValueError(
                f"'*' must stand alone as a segment in {quoted(text)} (write '\\*' for a literal star)"
            )
        if index != last:
            raise ValueError(f"'*' must be the last segment in {quoted(text)}")
    if stars[last]:
        return tuple(segments[:last]), True
    return tuple(segments), False


def escape_name(name: str) -> str:
    """Write one key so ``split_dotted`` reads it back as a single literal name."""
    if "\\" in name:
        name = name.replace("\\", "\\\\")
    if "." in name:
        name = name.replace(".", "\\.")
    if STAR in name:
        name = name.replace(STAR, "\\*")
    return name
