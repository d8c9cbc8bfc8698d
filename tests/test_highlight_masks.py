"""Highlighting by shape (``fasthtml._Highlighter``): a block whose string literals were
masked, lexed once per shape, and given its literals back, is Pygments' markup of the block
itself — for any text, not only the request samples it is made for."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sphinx.highlighting import PygmentsBridge

from sphinx_apidocs.sphinxext import fasthtml

#: What can change how Python is lexed near a string literal: quotes, prefixes, escapes,
#: interpolation, braces, comments, line breaks, the mark itself, and ordinary text.
_PIECES = st.sampled_from([
    "'", '"', "'''", "\\", "\\'", "%", "%s", "%(a)d", "{", "}", "{0}", "#", "\n", "\r\n", " ", "\t",
    "b'", "r'", "f'", "u'", "x", "ab", "42", "é", "\u2028", "\x00", fasthtml._MARK, "0", "=", ",", "(", ")",
    "'a'", "'b c'", "'https://x.example/a?b=1'", "'{id}'", "'%20'", "'a\"b'",
])
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)
_LITERAL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


def _bridge() -> PygmentsBridge:
    return PygmentsBridge("html")


def _expected(bridge: PygmentsBridge, text: str, language: str) -> str:
    return str(bridge.highlight_block(text, language, opts={}, linenos=False, force=True))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_TEXTS, min_size=1, max_size=4))
def test_any_text_is_pygments_markup(texts: list[str]) -> None:
    bridge = _bridge()
    for text in texts:  # one highlighter: shapes learnt from one text serve the next
        assert fasthtml.highlight(bridge, text, "python", {}) == _expected(bridge, text, "python")


@settings(max_examples=200, deadline=None)
@given(values=st.lists(_LITERAL, min_size=1, max_size=6))
def test_literals_of_one_shape_are_pygments_markup(values: list[str]) -> None:
    bridge = _bridge()
    for value in values:  # the same shape, each literal of its own content
        text = f"response = requests.get(\n    {value!r},\n    headers={{\n        'Accept': {value!r},\n    }},\n)\n"
        assert fasthtml.highlight(bridge, text, "python", {}) == _expected(bridge, text, "python")


def test_one_shape_is_lexed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    bridge = _bridge()
    lexed: list[str] = []
    lexer_of = bridge.get_lexer

    def counting(source: str, *args: object, **kwargs: object) -> object:
        lexed.append(source)
        return lexer_of(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bridge, "get_lexer", counting)
    for user in ("ada", "grace", "edsger"):
        text = f"requests.get('https://api.example.com/users/{user}', timeout=30)\n"
        assert fasthtml.highlight(bridge, text, "python", {}) == _expected(_bridge(), text, "python")
    assert len(lexed) == 1 and "ada" not in lexed[0]


def test_a_literal_that_lexes_apart_is_not_masked() -> None:
    mask = fasthtml._INERT_LITERALS["python"][0]
    for text in ("'%s'", "'{id}'", "'a\\nb'", "b'x'", "'\"'", "x'y'"):
        shape, contents = fasthtml._mask(mask, text)
        assert (shape, contents) == (text, []), text
    shape, contents = fasthtml._mask(mask, "f('a', 'b c')")
    assert contents == ["a", "b c"] and "a" not in shape.replace("f(", "")


@pytest.mark.parametrize("text", ["'{id}' ' '\n", "x = 1  # 'a' b\n", "'''a 'b' c'''\n", "\"a 'b' c\"\n"])
def test_a_shape_whose_marks_are_not_string_tokens_is_not_used(text: str) -> None:
    bridge = _bridge()
    highlighter = fasthtml._Highlighter(bridge)
    shape, contents = fasthtml._mask(fasthtml._INERT_LITERALS["python"][0], text)
    assert contents, "the pattern proposes a literal here"
    assert highlighter._from_shape(shape, "python", contents, fasthtml._INERT_LITERALS["python"][1]) is None
    assert fasthtml.highlight(bridge, text, "python", {}) == _expected(bridge, text, "python")
