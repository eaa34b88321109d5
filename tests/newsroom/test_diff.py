"""The diff of two versions: words, paragraphs, Chinese characters, and never any markup."""

from __future__ import annotations

from newswire.newsroom.diff import (
    Paragraph,
    Segment,
    body_diff,
    collapse,
    list_field,
    paragraphs,
    text_field,
    tokens,
    value_field,
    word_diff,
)


def marked(segments: tuple[Segment, ...], kind: str) -> list[str]:
    return [s.text for s in segments if s.kind == kind]


def test_tokens_keep_the_text_and_split_han_per_character() -> None:
    text = "Ports handled 4.2 million tonnes, 港口吞吐量创纪录。"
    assert "".join(tokens(text)) == text
    assert tokens("record cargo") == ["record", " ", "cargo"]
    assert tokens("港口吞吐") == ["港", "口", "吞", "吐"]
    assert tokens("4.2, 1,500 at 10:30.") == [
        "4.2",
        ",",
        " ",
        "1,500",
        " ",
        "at",
        " ",
        "10:30",
        ".",
    ]


def test_a_changed_word_is_deleted_and_inserted_alone() -> None:
    segments = word_diff("Ports handled 4.2 million tonnes.", "Ports handled 4.5 million tonnes.")
    assert marked(segments, "delete") == ["4.2"]
    assert marked(segments, "insert") == ["4.5"]
    assert "".join(s.text for s in segments if s.kind != "insert") == (
        "Ports handled 4.2 million tonnes."
    )
    assert "".join(s.text for s in segments if s.kind != "delete") == (
        "Ports handled 4.5 million tonnes."
    )


def test_a_whole_word_changes_as_one_mark() -> None:
    segments = word_diff("The minister met the envoy.", "The president met the envoy.")
    assert marked(segments, "delete") == ["minister"]
    assert marked(segments, "insert") == ["president"]


def test_neighbouring_changed_words_read_as_one_change() -> None:
    segments = word_diff("a big red car", "a small blue car")
    assert marked(segments, "delete") == ["big red"]
    assert marked(segments, "insert") == ["small blue"]


def test_chinese_marks_only_the_changed_characters() -> None:
    segments = word_diff("中国经济增长百分之五。", "中国经济增长百分之六。")
    assert marked(segments, "delete") == ["五"]
    assert marked(segments, "insert") == ["六"]
    assert marked(segments, "equal") == ["中国经济增长百分之", "。"]


def test_identical_texts_have_no_marks() -> None:
    assert word_diff("same text", "same text") == (Segment("equal", "same text"),)


def test_paragraphs_are_plain_text_per_block() -> None:
    body = (
        "<p>First <b>bold</b> &amp; plain.</p><h2>Heading</h2>"
        "<ul><li>one</li><li>two</li></ul><blockquote><p>Quoted</p></blockquote>"
        "<p>Line<br>break</p><p>  </p>"
    )
    assert paragraphs(body) == [
        Paragraph("p", "First bold & plain."),
        Paragraph("h2", "Heading"),
        Paragraph("li", "one"),
        Paragraph("li", "two"),
        Paragraph("p", "Quoted"),
        Paragraph("p", "Line break"),
    ]


def test_markup_in_text_stays_text() -> None:
    found = paragraphs("<p>&lt;script&gt;alert(1)&lt;/script&gt; said</p>")
    assert found == [Paragraph("p", "<script>alert(1)</script> said")]


def test_an_added_paragraph() -> None:
    old = "<p>One.</p><p>Three.</p>"
    new = "<p>One.</p><p>Two is new.</p><p>Three.</p>"
    result = body_diff(old, new)
    assert [p.kind for p in result] == ["equal", "added", "equal"]
    assert result[1].segments == (Segment("insert", "Two is new."),)


def test_a_removed_paragraph() -> None:
    result = body_diff("<p>One.</p><p>Gone now.</p><p>Three.</p>", "<p>One.</p><p>Three.</p>")
    assert [p.kind for p in result] == ["equal", "removed", "equal"]
    assert result[1].segments == (Segment("delete", "Gone now."),)


def test_a_changed_paragraph_is_diffed_word_by_word() -> None:
    old = "<p>Intro stays.</p><p>Ports handled a record cargo volume this year.</p>"
    new = "<p>Intro stays.</p><p>Ports handled a modest cargo volume this year.</p>"
    result = body_diff(old, new)
    assert [p.kind for p in result] == ["equal", "changed"]
    assert marked(result[1].segments, "delete") == ["record"]
    assert marked(result[1].segments, "insert") == ["modest"]
    assert result[0].segments == (Segment("equal", "Intro stays."),)


def test_a_rewritten_paragraph_is_removed_and_added_not_marked_word_by_word() -> None:
    old = "<p>The ports were busy.</p>"
    new = "<p>Officials announced a new railway tender on Monday.</p>"
    assert [p.kind for p in body_diff(old, new)] == ["removed", "added"]


def test_changes_pair_with_their_most_similar_paragraph() -> None:
    old = "<p>Alpha beta gamma delta.</p><p>Epsilon zeta eta theta.</p>"
    new = (
        "<p>A wholly new opening sentence here.</p>"
        "<p>Alpha beta gamma omega.</p><p>Epsilon zeta eta iota.</p>"
    )
    result = body_diff(old, new)
    assert [p.kind for p in result] == ["added", "changed", "changed"]
    assert marked(result[1].segments, "insert") == ["omega"]
    assert marked(result[2].segments, "insert") == ["iota"]


def test_across_languages_paragraphs_pair_by_position() -> None:
    old = "<p>Ports handled 4.2 million tonnes.</p><p>Second.</p>"
    new = "<p>Порты обработали 4.2 миллиона тонн.</p><p>Второй.</p>"
    result = body_diff(old, new, min_similarity=0)
    assert [p.kind for p in result] == ["changed", "changed"]
    assert "4.2" in "".join(marked(result[0].segments, "equal"))
    assert "".join(s.text for s in result[0].new) == "Порты обработали 4.2 миллиона тонн."
    assert "".join(s.text for s in result[0].old) == "Ports handled 4.2 million tonnes."


def test_long_runs_of_unchanged_paragraphs_fold_away() -> None:
    old = "".join(f"<p>Paragraph {n} stays.</p>" for n in range(6)) + "<p>Old end.</p>"
    new = "".join(f"<p>Paragraph {n} stays.</p>" for n in range(6)) + "<p>New end.</p>"
    blocks = collapse(body_diff(old, new))
    assert [(b.collapsed, len(b.paragraphs)) for b in blocks] == [(True, 5), (False, 2)]
    assert blocks[1].paragraphs[-1].kind == "changed"


def test_text_fields() -> None:
    same = text_field("Headline", "Ports", "Ports")
    assert not same.changed
    assert same.old == same.new == (Segment("equal", "Ports"),)
    changed = text_field("Headline", "Caspian ports boom", "Caspian ports slow")
    assert changed.changed
    assert marked(changed.old, "delete") == ["boom"]
    assert not marked(changed.old, "insert")
    assert marked(changed.new, "insert") == ["slow"]
    assert not marked(changed.new, "delete")
    added = text_field("Subheadline", None, "New")
    assert added.old == ()
    assert added.new == (Segment("insert", "New"),)
    assert text_field("Byline", None, "").changed is False


def test_list_fields_compare_by_key_and_show_labels() -> None:
    old = [("medtop:04000000", "economy"), ("medtop:11000000", "politics")]
    new = [("medtop:04000000", "экономика"), ("medtop:16000000", "conflict")]
    field = list_field("Subjects", old, new)
    assert field.changed
    assert field.old == (Segment("equal", "economy"), Segment("delete", "politics"))
    assert field.new == (Segment("equal", "экономика"), Segment("insert", "conflict"))
    assert not list_field("Places", [("Baku", "Baku")], [("Baku", "Baku")]).changed


def test_value_fields_change_as_a_whole() -> None:
    assert value_field("Urgency", "5", "1").old == (Segment("delete", "5"),)
    assert value_field("Urgency", "5", "1").new == (Segment("insert", "1"),)
    assert not value_field("Urgency", "5", "5").changed
    lifted = value_field("Embargo", "1 Mar 2026, 10:00", None)
    assert lifted.changed
    assert lifted.new == ()
