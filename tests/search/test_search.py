"""The one search function on SQLite FTS5 and PostgreSQL: every language, newest first."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.agency.services import Principal
from newswire.db import Database
from newswire.search import backend
from newswire.search.backend import search
from newswire.search.text import index_text, query_terms
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from tests.conftest import Newsroom


def publish(newsroom: Newsroom, language: str, headline: str, body: str) -> int:
    editor: Principal = newsroom.principals["chief"]
    with newsroom.database.write() as session:
        story = stories.create_story(
            session,
            editor,
            newsroom.ctx,
            ItemInput(language=language, headline=headline, body_html=f"<p>{body}</p>"),
            desk_id=1,
            bureau=None,
        )
        stories.publish(session, editor, newsroom.ctx, story.id, language)
        return story.id


def found(database: Database, language: str, query: str, **options: int) -> list[str]:
    with database.read() as session:
        return [e.headline for e in search(session, language, query, **options).entries]


def test_a_chinese_story_is_found_by_a_two_character_word(newsroom: Newsroom) -> None:
    publish(newsroom, "zh", "阿塞拜疆与中国签署天文合作协议", "双方将在舍马哈天文台开展联合观测。")
    publish(newsroom, "zh", "巴库港集装箱吞吐量增长", "上半年集装箱吞吐量同比增长百分之十八。")
    db = newsroom.database
    assert found(db, "zh", "天文") == ["阿塞拜疆与中国签署天文合作协议"]
    assert found(db, "zh", "集装箱") == ["巴库港集装箱吞吐量增长"]
    assert found(db, "zh", "合作 观测") == ["阿塞拜疆与中国签署天文合作协议"]
    assert found(db, "zh", "巴") == ["巴库港集装箱吞吐量增长"]  # one character: a prefix
    assert found(db, "zh", "天港") == []  # both characters, but never side by side
    assert found(db, "en", "天文") == []  # only in the language asked for


def test_an_arabic_story_is_found_with_or_without_diacritics(newsroom: Newsroom) -> None:
    publish(
        newsroom,
        "ar",
        "الرئيس يستقبل وفداً برلمانياً",
        "استقبل الرئيس وفدًا من البرلمان الأوروبي في باكو.",
    )
    publish(newsroom, "ar", "مُؤْتَمَرُ الطَّاقَةِ فِي بَاكُو", "يَجْتَمِعُ وُزَرَاءُ الطَّاقَةِ فِي العَاصِمَةِ.")
    db = newsroom.database
    assert found(db, "ar", "الرَّئِيسُ") == ["الرئيس يستقبل وفداً برلمانياً"]
    assert found(db, "ar", "الطاقة") == ["مُؤْتَمَرُ الطَّاقَةِ فِي بَاكُو"]
    assert found(db, "ar", "مؤتمر الطاقة") == ["مُؤْتَمَرُ الطَّاقَةِ فِي بَاكُو"]
    assert found(db, "ar", "أوروبي") == []  # a different word: the query asks for all words
    assert found(db, "ar", "الأوروبي") == ["الرئيس يستقبل وفداً برلمانياً"]
    assert found(db, "ar", "الاوروبي") == ["الرئيس يستقبل وفداً برلمانياً"]  # alef without hamza
    assert sorted(found(db, "ar", "باكو")) == sorted(
        ["الرئيس يستقبل وفداً برلمانياً", "مُؤْتَمَرُ الطَّاقَةِ فِي بَاكُو"]
    )


def test_latin_and_cyrillic_fold_case_and_diacritics(newsroom: Newsroom) -> None:
    publish(
        newsroom, "az", "İlham Əliyev Bakıda forumda çıxış edib", "Şuşa şəhərində görüş keçirilib."
    )
    publish(
        newsroom, "ru", "Ёлка на площади в Баку", "Праздничную ёлку установили в центре города."
    )
    publish(newsroom, "fr", "Le président reçoit une délégation", "Entretien à Bakou.")
    db = newsroom.database
    assert found(db, "az", "ilham bakida") == ["İlham Əliyev Bakıda forumda çıxış edib"]
    assert found(db, "az", "ŞUŞA") == ["İlham Əliyev Bakıda forumda çıxış edib"]
    assert found(db, "ru", "елка") == ["Ёлка на площади в Баку"]
    assert found(db, "fr", "delegation PRÉSIDENT") == ["Le président reçoit une délégation"]


def test_results_come_newest_first_a_page_at_a_time(newsroom: Newsroom) -> None:
    for number in range(25):
        publish(newsroom, "en", f"Caspian shipping report number {number}", "Cargo and ports.")
    db = newsroom.database
    first = found(db, "en", "caspian cargo", limit=10)
    assert first == [f"Caspian shipping report number {n}" for n in range(24, 14, -1)]
    third = found(db, "en", "caspian cargo", limit=10, offset=20)
    assert third == [f"Caspian shipping report number {n}" for n in range(4, -1, -1)]
    with db.read() as session:
        assert search(session, "en", "caspian", limit=10).has_more
        assert not search(session, "en", "caspian", limit=10, offset=20).has_more
        assert search(session, "en", "caspian", offset=10**9).entries == []


HOSTILE = ['"', "*", "NEAR(a b)", "a OR b", "NOT", "(", ")", "^x", "language:en", "'; DROP TABLE",
           "\x00", "-", ":", "{a b}:c", "a AND", "+", "\\", "''", "“quoted”"]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE)
def test_query_syntax_of_either_engine_is_taken_as_words(newsroom: Newsroom, query: str) -> None:
    publish(newsroom, "en", "Ports report record cargo", "The OR NOT AND words.")
    results = found(newsroom.database, "en", query)
    assert results in ([], ["Ports report record cargo"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_query_text_is_answered(newsroom: Newsroom, query: str) -> None:
    with newsroom.database.read() as session:
        page = search(session, "en", query)
    assert page.entries == [] or all(e.language == "en" for e in page.entries)


def test_the_query_is_folded_like_the_index() -> None:
    assert [t.tokens for t in query_terms("Bakı İLHAM")] == [("baki",), ("ilham",)]
    assert [t.tokens for t in query_terms("阿塞拜疆")] == [("阿塞", "塞拜", "拜疆")]
    assert index_text("阿塞拜疆") == "阿塞 塞拜 拜疆"
    assert index_text("الرَّئِيسُ") == index_text("الرئيس")


def test_newest_first_whether_the_words_are_common_or_rare(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL first checks the newest entries one by one, then asks its GIN index; small
    windows here make both ways run (SQLite has one way, and must agree)."""
    monkeypatch.setattr(backend, "PG_WINDOWS", (4, 8))
    publish(newsroom, "en", "Rare sturgeon sighted in the Kura", "Fishermen report a sturgeon.")
    for number in range(12):
        publish(newsroom, "en", f"Port report {number}", "Cargo through the port.")
    db = newsroom.database
    assert found(db, "en", "port", limit=3) == ["Port report 11", "Port report 10", "Port report 9"]
    assert found(db, "en", "port", limit=3, offset=6) == [
        "Port report 5",
        "Port report 4",
        "Port report 3",
    ]
    assert found(db, "en", "sturgeon", limit=3) == ["Rare sturgeon sighted in the Kura"]
    assert found(db, "en", "port", limit=5, offset=10) == ["Port report 1", "Port report 0"]
