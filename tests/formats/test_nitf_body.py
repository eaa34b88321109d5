"""Sanitised HTML bodies to NITF body.content, compared as exact XML."""

from __future__ import annotations

import pytest
from lxml import etree

from newswire.formats.bodytext import count_words, plain_text, text_to_html
from newswire.formats.nitf import body_content

OPEN = '<body.content xmlns="http://iptc.org/std/NITF/2006-10-18/">'
CLOSE = "</body.content>"


def nitf(body_html: str) -> str:
    return etree.tostring(body_content(body_html), encoding="unicode")


@pytest.mark.parametrize(
    ("body_html", "expected"),
    [
        ("", ""),
        ("   \n ", ""),
        ("<p>One.</p><p>Two.</p>", "<p>One.</p><p>Two.</p>"),
        ("Just text", "<p>Just text</p>"),
        (
            "<p>One</p>\n  loose <b>bold</b>\n<p>Two</p>",
            '<p>One</p><p>loose <em class="bold">bold</em></p><p>Two</p>',
        ),
        (
            "<p><b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u></p>",
            '<p><em class="bold">b</em><em class="bold">s</em><em class="italic">i</em>'
            '<em class="italic">e</em><em class="underline">u</em></p>',
        ),
        (
            '<p><a href="https://example.org/x?a=1&amp;b=2" title="T" rel="noopener noreferrer">'
            "link</a></p>",
            '<p><a href="https://example.org/x?a=1&amp;b=2" title="T">link</a></p>',
        ),
        ("<p>line<br>break</p>", "<p>line<br/>break</p>"),
        ("<p>He said <q>no</q>.</p>", "<p>He said <q>no</q>.</p>"),
        (
            "<p>H<sub>2</sub>O, m<sup>2</sup></p>",
            "<p>H<num><sub>2</sub></num>O, m<num><sup>2</sup></num></p>",
        ),
        ("<p>x<sup><b>2</b></sup></p>", "<p>x<num><sup>2</sup></num></p>"),
        (
            "<h2>Heading</h2><h3>Smaller <i>one</i></h3>",
            '<hl2>Heading</hl2><hl2>Smaller <em class="italic">one</em></hl2>',
        ),
        ("<ul><li>a</li><li>b</li></ul>", "<ul><li>a</li><li>b</li></ul>"),
        (
            "<ol><li><b>first</b> item</li></ol>",
            '<ol><li><em class="bold">first</em> item</li></ol>',
        ),
        (
            "<ul><li>outer<ul><li>inner</li></ul></li></ul>",
            "<ul><li>outer<ul><li>inner</li></ul></li></ul>",
        ),
        ("<ul><li><p>para</p></li></ul>", "<ul><li><p>para</p></li></ul>"),
        ("<ul></ul><p></p><h2> </h2>", ""),
        ("<blockquote><p>quoted</p></blockquote>", "<bq><block><p>quoted</p></block></bq>"),
        (
            "<blockquote>said <i>he</i></blockquote>",
            '<bq><block><p>said <em class="italic">he</em></p></block></bq>',
        ),
        ("<blockquote> </blockquote>", ""),
        ("<p>a</p><br><p>b</p>", "<p>a</p><p>b</p>"),
        ("<div><span>span</span> text</div>", "<p>span text</p>"),
        ("<p>a<!-- hidden -->b</p>", "<p>ab</p>"),
        ("<p>bell\x07 ok</p>", "<p>bell ok</p>"),
        ("<p>Tom &amp; Jerry &lt;3</p>", "<p>Tom &amp; Jerry &lt;3</p>"),
        ("<p>باكو</p><p>巴库</p>", "<p>باكو</p><p>巴库</p>"),
    ],
    ids=[
        "empty",
        "whitespace",
        "paragraphs",
        "bare-text",
        "loose-text-between-paragraphs",
        "emphasis-classes",
        "link-keeps-href-and-title-only",
        "line-break",
        "inline-quote",
        "sub-and-sup-in-num",
        "sup-with-markup-flattened",
        "headings-become-hl2",
        "unordered-list",
        "ordered-list-with-emphasis",
        "nested-list",
        "paragraph-in-list-item",
        "empty-blocks-dropped",
        "blockquote",
        "blockquote-with-bare-text",
        "empty-blockquote-dropped",
        "break-between-blocks-dropped",
        "unknown-tags-unwrapped",
        "comment-dropped",
        "control-character-dropped",
        "entities",
        "arabic-and-chinese",
    ],
)
def test_html_to_nitf(body_html: str, expected: str) -> None:
    assert nitf(body_html) == (OPEN + expected + CLOSE if expected else OPEN[:-1] + "/>")


def test_plain_text_separates_blocks() -> None:
    html = "<h2>Title</h2><p>One<br>two <b>three</b></p><ul><li>four</li><li>five</li></ul>"

    assert plain_text(html) == "Title One two three four five"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Five Caspian states signed.", 4),
        ("state-owned firms — and 2,000 workers", 5),
        ("باكو عاصمة أذربيجان", 3),
        ("里海沿岸五国", 6),
        ("GDP增长3%", 4),
        ("、。！", 0),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_text_to_html() -> None:
    assert text_to_html("A & B\r\n\r\n  C <d>  \n") == "<p>A &amp; B</p><p>C &lt;d&gt;</p>"
