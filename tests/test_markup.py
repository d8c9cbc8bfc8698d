"""Formatted spec text (``markup``): CommonMark and the HTML subset of Swagger 1.x, parsed
into content kinds only; links only http(s), mailto or relative.

Property tests: for any text, both parsers end, make only the content kinds the writers know,
and every link they make has an allowed URL. Example tests: each construct.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.sphinxext import content, markup
from sphinx_apidocs.sphinxext.content import (
    BulletList,
    Code,
    CodeBlock,
    Emphasis,
    ExternalLink,
    LineBlock,
    Paragraph,
    Rubric,
    Text,
)

BLOCKS = set(get_args(content.Block))
INLINES = set(get_args(content.Inline))
#: Bits of markup both parsers meet, so random text is mostly markup.
TOKENS = [
    "*", "**", "_", "`", "``", "[", "]", "(", ")", "<", ">", "&", "!", "#", "-", "+", "1.", "\n", "\n\n", "  \n",
    "\\", "    ", "```", "~~~", "> ", "<b>", "</b>", "<i>", "<p>", "</p>", "<br>", "<br/>", "<ul>", "</ul>",
    "<ol start='3'>", "<li>", "</li>", "<pre>", "</pre>", "<code>", "</code>", "<tt>", "<h2>", "<script>",
    "</script>", "<a href='", "'>", "</a>", "javascript:alert(1)", "JaVaScRiPt:", "jav&#x09;ascript:",
    "&#106;avascript:", "data:text/html,x", "vbscript:", "http://e.com/", "https://e.com/", "mailto:a@b.c",
    "//evil.com", "\\\\evil", "&amp;", "&lt;", "&#0;", "\x00", "\u2028", "x", "word", " ",
]
texts = st.one_of(st.text(), st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=60).map("".join))


def walk(blocks: tuple[Any, ...]) -> Iterator[Any]:
    """Every block and run, nested ones included."""
    for block in blocks:
        yield block
        if isinstance(block, Paragraph):
            yield from walk_runs(block.runs)
        elif isinstance(block, LineBlock):
            for line in block.lines:
                yield from walk_runs(line)
        elif isinstance(block, BulletList):
            for item in block.items:
                yield from walk(item)


def walk_runs(runs: tuple[Any, ...]) -> Iterator[Any]:
    for run in runs:
        yield run
        if isinstance(run, (Emphasis, ExternalLink)):
            yield from walk_runs(run.runs)


def allowed(url: str) -> bool:
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if scheme:
        return scheme.group(1).lower() in markup.SCHEMES
    return not url.replace("\\", "/").startswith("//") and not re.search(r"[\x00-\x20\x7f]", url)


@pytest.mark.parametrize("flavour", ["markdown", "html"])
@given(text=texts)
def test_any_text_gives_known_kinds_and_safe_links(flavour: str, text: str) -> None:
    blocks = markup.description(text, flavour)  # type: ignore[arg-type]
    for item in walk(blocks):
        assert type(item) in BLOCKS | INLINES, item
        if isinstance(item, ExternalLink):
            assert allowed(item.url) and item.runs, item
            assert "javascript" not in item.url.lower() and "script:" not in item.url.lower()
        if isinstance(item, CodeBlock):
            assert re.fullmatch(r"[a-z0-9][a-z0-9_+.#-]*", item.language)
        if isinstance(item, BulletList):
            assert item.items and item.start >= 0


@given(url=st.text() | st.sampled_from(TOKENS).map(lambda t: t + "x"))
def test_safe_url_allows_only_web_mail_and_relative(url: str) -> None:
    safe = markup.safe_url(url)
    if safe is not None:
        assert allowed(safe)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "java\nscript:x", "\x01javascript:x",
    "vbscript:x", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "//evil.com/x", "\\\\evil.com",
    "/\\evil.com", "ftp://x", "a:b", "",
])
def test_unsafe_urls(url: str) -> None:
    assert markup.safe_url(url) is None


@pytest.mark.parametrize("url", ["https://e.com/a?b=1#c", "HTTP://E.COM", "mailto:a@b.c", "../x.html#y", "/abs/path", "?q=1", "#frag", "a/b:c"])
def test_safe_urls(url: str) -> None:
    assert markup.safe_url(url) == url


# -- CommonMark -----------------------------------------------------------------------------


def md(text: str) -> tuple[Any, ...]:
    return markup.description(text, "markdown")


def test_plain_text_is_one_paragraph_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser() -> None:
        raise AssertionError("plain text must not reach the CommonMark parser")

    monkeypatch.setattr(markup, "_parser", no_parser)
    assert markup.markdown("Creates a customer (id 3), see e-mail.") == (Paragraph((Text("Creates a customer (id 3), see e-mail."),)),)
    assert md("") == () and md("   ") == ()


def test_markdown_inline() -> None:
    (para,) = md("Some *em*, **strong `c`**, [link](https://e.com/x) and <https://e.com/a>.")
    assert para.runs == (
        Text("Some "), Emphasis((Text("em"),)), Text(", "), Emphasis((Text("strong "), Code("c")), strong=True),
        Text(", "), ExternalLink("https://e.com/x", (Text("link"),)), Text(" and "),
        ExternalLink("https://e.com/a", (Text("https://e.com/a"),)), Text("."),
    )


def test_markdown_lists_nested_and_ordered() -> None:
    (outer, ordered) = md("- one\n- two\n  - nested `x`\n\n3. three\n4. four")
    assert outer == BulletList((
        (Paragraph((Text("one"),)),),
        (Paragraph((Text("two"),)), BulletList(((Paragraph((Text("nested "), Code("x"))),),))),
    ))
    assert ordered == BulletList(((Paragraph((Text("three"),)),), (Paragraph((Text("four"),)),)), ordered=True, start=3)


def test_markdown_code() -> None:
    assert md("```json\n{\"a\": 1}\n```") == (CodeBlock('{"a": 1}', "json"),)
    assert md("```nosuchlanguage\nx\n```") == (CodeBlock("x", "text"),)
    assert md("```python extra words\nprint(1)\n```") == (CodeBlock("print(1)", "python"),)
    assert md("Text\n\n    indented\n    code") == (Paragraph((Text("Text"),)), CodeBlock("indented\ncode", "text"))


def test_markdown_breaks_headings_quotes() -> None:
    assert md("one  \ntwo\nthree") == (LineBlock(((Text("one"),), (Text("two\nthree"),))),)
    assert md("# Title\n\n> quoted *x*") == (Rubric("Title"), Paragraph((Text("quoted "), Emphasis((Text("x"),)))))


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "<javascript:alert(1)>", "[x][r]\n\n[r]: javascript:alert(1)",
    "![x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](jav&#x09;ascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)", "[x](vbscript:msgbox)", "[x](//evil.com)",
])
def test_markdown_hostile_links_are_text(text: str) -> None:
    assert not [run for run in walk(md(text)) if isinstance(run, ExternalLink)]


def test_markdown_raw_html_is_text() -> None:
    assert md("<script>alert(1)</script>") == (Paragraph((Text("<script>alert(1)</script>"),)),)
    assert md("a <b onclick=x>b</b>") == (Paragraph((Text("a <b onclick=x>b</b>"),)),)
    assert md(".. raw:: html\n\n   <script>x</script>")[0] == Paragraph((Text(".. raw:: html"),))


def test_images_show_their_alt_text() -> None:
    assert md("![a *cat*](https://e.com/cat.png)") == (Paragraph((Text("a cat"),)),)


def test_classes_go_on_top_level_paragraphs() -> None:
    blocks = markup.description("one\n\n- two", "markdown", ("api-notes",))
    assert blocks[0] == Paragraph((Text("one"),), ("api-notes",))
    assert blocks[1] == BulletList(((Paragraph((Text("two"),)),),))


# -- the HTML subset ------------------------------------------------------------------------


def html(text: str) -> tuple[Any, ...]:
    return markup.description(text, "html")


def test_html_without_tags_keeps_the_plain_rules() -> None:
    assert html("One `code`\n\n  \n\nTwo\nlines  *not em*") == (
        Paragraph((Text("One "), Code("code"))), Paragraph((Text("Two\nlines  *not em*"),)),
    )


def test_html_inline() -> None:
    (para,) = html("<p>A <b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <code>c</code> <tt>t</tt> "
                   "<a href='https://e.com/?a=1&amp;b=2'>link</a> `tick`</p>")
    assert para.runs == (
        Text("A "), Emphasis((Text("b"),), True), Text(" "), Emphasis((Text("s"),), True), Text(" "),
        Emphasis((Text("i"),)), Text(" "), Emphasis((Text("e"),)), Text(" "), Code("c"), Text(" "), Code("t"),
        Text(" "), ExternalLink("https://e.com/?a=1&b=2", (Text("link"),)), Text(" "), Code("tick"),
    )


def test_html_paragraphs_lists_breaks_pre() -> None:
    blocks = html("<p>one</p><p>two<br>three</p><ul><li>a<li>b <b>c</b><ol start=4><li>d</ol></ul><pre>\n  x\n   y\n</pre><h2>Head</h2>tail")
    assert blocks == (
        Paragraph((Text("one"),)),
        LineBlock(((Text("two"),), (Text("three"),))),
        BulletList((
            (Paragraph((Text("a"),)),),
            (Paragraph((Text("b "), Emphasis((Text("c"),), True))), BulletList(((Paragraph((Text("d"),)),),), True, 4)),
        )),
        CodeBlock("  x\n   y", "text"),
        Rubric("Head"),
        Paragraph((Text("tail"),)),
    )


def test_html_unknown_tags_are_shown_as_written() -> None:
    assert html("Returns List<Pet> <script>alert(1)</script><img src=x onerror=alert(1)><!-- c -->") == (
        Paragraph((Text("Returns List<Pet> <script>alert(1)</script><img src=x onerror=alert(1)><!-- c -->"),)),
    )
    assert html("<style>p {}</style>") == (Paragraph((Text("<style>p {}</style>"),)),)


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "jav&#x09;ascript:alert(1)", "&#106;avascript:alert(1)", " javascript:x",
    "JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "//evil.com", "java&#10;script:x",
])
def test_html_hostile_links_are_text(href: str) -> None:
    (para,) = html(f'<a href="{href}">click</a> <img src=x onerror="{href}">')
    assert len(para.runs) == 1 and para.runs[0].text.startswith("click <img src=x onerror=")


def test_deep_nesting_is_flattened_not_a_crash() -> None:
    deep = "<ul><li>" * 5000 + "x" + "</li></ul>" * 5000
    assert html(deep)
    assert html("<b>" * 5000 + "x")
    for text in ("> " * 5000 + "x", "- " * 5000 + "x", "*" * 5000 + "x" + "*" * 5000):  # markdown-it stops at its limit
        assert isinstance(md(text), tuple)


def test_flavour_of_a_spec() -> None:
    assert markup.flavour("1.2") == "html" and markup.flavour("1.0") == "html"
    assert markup.flavour("2.0") == "markdown" and markup.flavour("3.1.0") == "markdown"
