"""Sentences and blocks as translators and engines get them, per language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.translation.segment import align, blocks, plain, rebuild, split_sentences


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("az", "Prezident İ. Əliyev çıxış edib. Forumda prof. Məmmədov, akad. Əlizadə və s. "
               "iştirak edib. Tədbir e.ə. dövrə aid tapıntılara həsr olunub.",
         ["Prezident İ. Əliyev çıxış edib.",
          "Forumda prof. Məmmədov, akad. Əlizadə və s. iştirak edib.",
          "Tədbir e.ə. dövrə aid tapıntılara həsr olunub."]),
        ("az", "Ölçü 5 m. Hündürlük 3 b. Növbəti cümlə.",
         ["Ölçü 5 m. Hündürlük 3 b. Növbəti cümlə."]),
        ("ru", "В 2024 г. Баку принял 150 тыс. гостей, т.е. больше прежнего. Цена 100 руб. "
               "Далее!",
         ["В 2024 г. Баку принял 150 тыс. гостей, т.е. больше прежнего.",
          "Цена 100 руб. Далее!"]),
        ("en", "Mr. Smith met Dr. Jones on Monday. Growth was 4.3 percent. They met I. Aliyev.",
         ["Mr. Smith met Dr. Jones on Monday.", "Growth was 4.3 percent.",
          "They met I. Aliyev."]),
        ("en", "They discussed trade, energy etc. The talks went on.",
         ["They discussed trade, energy etc.", "The talks went on."]),
        ("fr", "M. Macron a déclaré : « Nous sommes prêts. » Le sommet continue.",
         ["M. Macron a déclaré : « Nous sommes prêts. »", "Le sommet continue."]),
        ("de", "Am 19. Februar traf Dr. Müller z. B. Vertreter. Das Treffen war gut.",
         ["Am 19. Februar traf Dr. Müller z. B. Vertreter.", "Das Treffen war gut."]),
        ("es", "El Sr. López llegó a EE. UU. ayer. ¿Habrá acuerdo? Sí.",
         ["El Sr. López llegó a EE. UU. ayer.", "¿Habrá acuerdo?", "Sí."]),
        ("ru", "Он сказал: «Мы готовы.» Затем ушел.", ["Он сказал: «Мы готовы.»", "Затем ушел."]),
        ("ar", "قال الرئيس؛ إن الاجتماع مهم. هل ستشارك؟ نعم!",
         ["قال الرئيس؛ إن الاجتماع مهم.", "هل ستشارك؟", "نعم!"]),
        ("zh", "他说：“我们欢迎。”会议在巴库举行。增长4.3%！",
         ["他说：“我们欢迎。”", "会议在巴库举行。", "增长4.3%！"]),
    ],
)  # fmt: skip
def test_split_sentences(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


def test_inline_markup_is_balanced_across_a_boundary() -> None:
    [block] = blocks("<p><b>One. Two.</b> Three <i>four. Five</i>.</p>", "en")
    assert block.path == ("p",)
    assert block.html == "<b>One. Two.</b> Three <i>four. Five</i>."
    assert block.sentences == ("<b>One.</b>", "<b>Two.</b>", "Three <i>four.</i>", "<i>Five</i>.")


def test_blocks_follow_lists_quotes_and_headings() -> None:
    body = (
        '<h2>Title.</h2><p>A <a href="https://azertac.az/?a=1&amp;b=2">link</a>.</p>'
        "<ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul>"
        "<blockquote><p>Quoted. Text.</p></blockquote><p>Line<br>break.</p>"
    )
    found = blocks(body, "en")
    assert [b.path for b in found] == [
        ("h2",), ("p",), ("ul", "li"), ("ul", "li"), ("ul", "li", "ul", "li"),
        ("blockquote", "p"), ("p",),
    ]  # fmt: skip
    assert found[1].sentences == ('A <a href="https://azertac.az/?a=1&amp;b=2">link</a>.',)
    assert found[5].sentences == ("Quoted.", "Text.")
    assert found[6].sentences == ("Line<br>break.",)
    assert rebuild(found, [b.sentences for b in found]) == body


def test_rebuild_puts_translated_sentences_in_the_same_structure() -> None:
    source = blocks("<p><b>One. Two.</b></p><ul><li>Three.</li></ul>", "en")
    assert rebuild(source, [["<b>Un.</b>", "<b>Deux.</b>"], ["Trois."]]) == (
        "<p><b>Un.</b> <b>Deux.</b></p><ul><li>Trois.</li></ul>"
    )
    assert rebuild(source, [["一。", "二。"], ["三。"]]) == "<p>一。二。</p><ul><li>三。</li></ul>"
    with pytest.raises(ValueError, match="2 blocks but 1"):
        rebuild(source, [["x"]])


def test_plain_text_of_fragments() -> None:
    assert plain("<p>Tom &amp; Jerry</p><p>Line<br>two</p>") == "Tom & Jerry Line two"
    assert plain("") == ""
    assert plain("3\u202f500 <b>délégués</b>") == "3\u202f500 délégués"


def test_align_pairs_sentences_or_whole_blocks() -> None:
    source = "<p>One. Two.</p><p>Three. Four.</p><p></p>"
    target = "<p>Un. Deux.</p><p>Trois, quatre.</p>"
    assert align(source, "en", target, "fr") == [
        ("One.", "Un."),
        ("Two.", "Deux."),
        ("Three. Four.", "Trois, quatre."),
    ]
    assert align(source, "en", "<p>Un. Deux. Trois. Quatre.</p>", "fr") == []


def test_align_chinese_and_arabic() -> None:
    pairs = align(
        "<p>会议开幕。代表出席。</p>", "zh", "<p>افتتح الاجتماع. وحضر المندوبون.</p>", "ar"
    )
    assert pairs == [("会议开幕。", "افتتح الاجتماع."), ("代表出席。", "وحضر المندوبون.")]


# --- properties --------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["Baku", "forum", "Dr.", "4.3", "etc.", "b.", "və s.", "т.е.", "Mr.", "I.", "«Yes.»",
     "end.", "End!", "why?", "Why?", "؟", "؛", "。", "会议", "“", "”", "z. B.", "&", "<", "x"]
)  # fmt: skip
_TEXT = st.lists(_WORDS, min_size=1, max_size=14).map(" ".join)
_LANGUAGES = st.sampled_from(["az", "ru", "en", "fr", "de", "es", "ar", "zh"])


def _squeeze(text: str) -> str:
    return "".join(text.split())


@given(_TEXT, _LANGUAGES)
@settings(max_examples=300, deadline=None)
def test_splitting_never_loses_characters(text: str, language: str) -> None:
    sentences = split_sentences(text, language)
    assert _squeeze("".join(sentences)) == _squeeze(text)
    assert all(s == s.strip() and s for s in sentences)


_INLINE = st.sampled_from(["b", "i", "em", "strong", "a"])


@st.composite
def _bodies(draw: st.DrawFn) -> str:
    def inline(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(1, 4))):
            if depth < 2 and draw(st.booleans()):
                tag = draw(_INLINE)
                parts.append(f"<{tag}>{inline(depth + 1)}</{tag}>")
            elif draw(st.integers(0, 9)) == 0:
                parts.append("<br>")
            else:
                parts.append(draw(_TEXT).replace("&", "&amp;").replace("<", "&lt;"))
        return " ".join(parts)

    shapes = st.sampled_from(["p", "h2", "ul", "blockquote"])
    out = []
    for shape in draw(st.lists(shapes, min_size=1, max_size=4)):
        if shape == "ul":
            out.append("<ul>" + "".join(f"<li>{inline(0)}</li>" for _ in range(2)) + "</ul>")
        elif shape == "blockquote":
            out.append(f"<blockquote><p>{inline(0)}</p></blockquote>")
        else:
            out.append(f"<{shape}>{inline(0)}</{shape}>")
    return "".join(out)


@given(_bodies(), _LANGUAGES)
@settings(max_examples=200, deadline=None)
def test_rebuild_with_the_same_sentences_keeps_the_text(body: str, language: str) -> None:
    found = blocks(body, language)
    rebuilt = rebuild(found, [b.sentences for b in found])
    assert _squeeze(plain(rebuilt)) == _squeeze(plain(body))
    again = blocks(rebuilt, language)
    assert [b.path for b in again] == [b.path for b in found]
    for block in found:
        assert _squeeze(plain(" ".join(block.sentences))) == _squeeze(plain(block.html))
