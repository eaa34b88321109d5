"""The translation memory on SQLite and PostgreSQL: exact and fuzzy matches with their scores."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select, text

from newswire.db import Database
from newswire.translation import memory
from newswire.translation.memory import Match, lookup, normalise, source_key, store
from newswire.translation.models import TMSegment

RECEIVED = "The President of Azerbaijan received the delegation in Baku on Monday."
RECEIVED_FR = "Le président de l'Azerbaïdjan a reçu la délégation à Bakou lundi."
MINISTERS = "The foreign ministers discussed regional security and transport links in Baku."
MINISTERS_FR = "Les ministres des Affaires étrangères ont évoqué la sécurité régionale à Bakou."
MET_ZH = "阿塞拜疆总统在巴库会见了法国代表团。"
MET_EN = "The President of Azerbaijan met the French delegation in Baku."


def put(database: Database, source: str, target: str, pairs: list[tuple[str, str]]) -> int:
    with database.write() as session:
        return store(session, source, target, pairs, story_id=None, user_id=None)


def find(
    database: Database, query: str, source: str = "en", target: str = "fr", **options: int
) -> list[tuple[int, str]]:
    with database.read() as session:
        return [(m.score, m.target_text) for m in lookup(session, query, source, target, **options)]


def test_normalise_folds_case_width_markup_spaces_and_outer_punctuation() -> None:
    assert normalise("  «The <b>PRESIDENT</b>\u00a0 arrived.» ") == "the president arrived"
    assert normalise("İlham Əliyev Bakıya gəlib.") == "ilham əliyev bakıya gəlib"
    assert normalise("ＡＢＣ１２３！") == "abc123"  # full-width forms (NFKC)
    assert normalise("«…»") == ""
    assert source_key("The president arrived.") == source_key("the  PRESIDENT arrived")
    assert source_key("The president arrived.") != source_key("The president left.")
    assert len(source_key("x")) == 64


def test_an_exact_match_scores_100_whatever_the_case_and_punctuation(database: Database) -> None:
    assert put(database, "en", "fr", [(RECEIVED, RECEIVED_FR)]) == 1
    query = "the president of azerbaijan received the delegation in baku on monday"
    assert find(database, query) == [(100, RECEIVED_FR)]
    assert find(database, query, "en", "de") == []  # another language pair
    assert find(database, query, "fr", "en") == []


def test_fuzzy_matches_come_with_their_scores_best_first(database: Database) -> None:
    put(
        database,
        "en",
        "fr",
        [
            (RECEIVED, RECEIVED_FR),
            (MINISTERS, MINISTERS_FR),
            ("Ports on the Caspian handled 4.2 million tonnes.", "Les ports ont traité 4,2 Mt."),
        ],
    )
    query = "The President of Azerbaijan received a delegation in Ganja on Monday."
    assert find(database, query) == [(91, RECEIVED_FR)]
    query = "Foreign ministers discussed regional security and new transport links in Astana."
    assert find(database, query) == [(89, MINISTERS_FR)]
    query = "The finance ministers discussed regional trade and energy links in Ganja."
    assert find(database, query) == [(75, MINISTERS_FR)]
    assert find(database, "Nothing here resembles anything stored so far at all.") == []


def test_a_69_percent_candidate_is_not_returned(database: Database) -> None:
    put(database, "en", "fr", [(MINISTERS, MINISTERS_FR)])
    query = "The finance ministers discussed local trade and energy links in Tashkent."  # 69.8
    assert find(database, query) == []
    assert find(database, query, min_score=69) == [(69, MINISTERS_FR)]  # rounded down


def test_chinese_fuzzy_matches(database: Database) -> None:
    put(
        database,
        "zh",
        "en",
        [(MET_ZH, MET_EN), ("巴库港集装箱吞吐量增长。", "Container traffic grew.")],
    )
    assert find(database, MET_ZH, "zh", "en") == [(100, MET_EN)]
    assert find(database, "阿塞拜疆总统在巴库会见了德国代表团。", "zh", "en") == [(94, MET_EN)]
    assert find(database, "阿塞拜疆总理在甘贾会见了德国经济代表团。", "zh", "en") == [(72, MET_EN)]
    assert find(database, "今天天气很好。", "zh", "en") == []


def test_store_skips_a_translation_already_stored(database: Database) -> None:
    pairs = [(RECEIVED, RECEIVED_FR), (RECEIVED, RECEIVED_FR), ("  ", "vide"), ("x.", "")]
    assert put(database, "en", "fr", pairs) == 1
    # the same source, differently written, with the same translation: nothing new
    assert put(database, "en", "fr", [(RECEIVED.upper(), RECEIVED_FR)]) == 0
    assert put(database, "en", "fr", [(RECEIVED, "Le président a reçu la délégation.")]) == 1
    assert put(database, "en", "de", [(RECEIVED, RECEIVED_FR)]) == 1  # another pair
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(TMSegment)) == 3


def test_the_newest_translation_wins_ties(database: Database) -> None:
    put(database, "en", "fr", [(RECEIVED, "Ancienne traduction.")])
    put(database, "en", "fr", [(RECEIVED, "Nouvelle traduction.")])
    assert find(database, RECEIVED) == [
        (100, "Nouvelle traduction."),
        (100, "Ancienne traduction."),
    ]
    assert find(database, RECEIVED, limit=1) == [(100, "Nouvelle traduction.")]
    query = "The President of Azerbaijan received a delegation in Ganja on Monday."
    assert find(database, query) == [(91, "Nouvelle traduction."), (91, "Ancienne traduction.")]


def test_exact_matches_come_before_fuzzy_ones(database: Database) -> None:
    near = "The President of Azerbaijan received the delegation in Baku on Tuesday."
    put(database, "en", "fr", [(RECEIVED, RECEIVED_FR), (near, "mardi")])
    with database.read() as session:
        matches = lookup(session, RECEIVED, "en", "fr")
    assert [(m.score, m.source_text) for m in matches] == [(100, RECEIVED), (94, near)]
    assert all(isinstance(m, Match) and m.segment_id > 0 for m in matches)


WORDS = [
    *("the", "of", "and", "in", "on", "a", "to", "said", "minister", "president"),
    *("government", "meeting", "talks", "cooperation", "economic", "energy", "regional"),
    *("international", "agreement", "development", "visit", "country", "new", "week", "year"),
    *("projects", "oil", "gas", "trade", "investment", "forum", "delegation", "parliament"),
]


def test_a_match_is_found_among_many_segments_sharing_common_words(database: Database) -> None:
    """Thousands of segments made of the same common words: the rare words of the query
    find the one that matters, which is also older than all the others."""
    rng = random.Random(5)
    put(database, "en", "fr", [(MINISTERS, MINISTERS_FR)])
    noise = [
        (" ".join(rng.choice(WORDS) for _ in range(12)) + f" {i}.", f"bruit {i}")
        for i in range(3000)
    ]
    put(database, "en", "fr", noise)
    query = "Foreign ministers discussed regional security and new transport links in Astana."
    assert find(database, query) == [(89, MINISTERS_FR)]


def test_the_index_follows_deletes_and_updates(database: Database) -> None:
    ports = "Ports on the Caspian handled 4.2 million tonnes."
    put(database, "en", "fr", [(RECEIVED, RECEIVED_FR), (ports, "Les ports ont traité 4,2 Mt.")])
    query = "The President of Azerbaijan received a delegation in Ganja on Monday."
    with database.write() as session:
        segment = session.scalars(select(TMSegment).where(TMSegment.source_text == RECEIVED)).one()
        segment.source_text = "Completely different words now stand here instead."
    assert find(database, query) == []
    assert find(database, "Completely different words now stand here instead, too.") == [
        (95, RECEIVED_FR)
    ]
    assert find(database, "Ports on the Caspian handled 4.3 million tonnes.") == [
        (97, "Les ports ont traité 4,2 Mt.")
    ]
    with database.write() as session:
        session.execute(text("DELETE FROM tm_segments"))
    assert find(database, "Ports on the Caspian handled 4.3 million tonnes.") == []


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_index_object_is_named_for_the_search_exclusion(dialect: str) -> None:
    from newswire.search.backend import is_search_object

    for statement in memory.create_statements(dialect):
        words = statement.split()
        if words[0] == "CREATE" and words[1] in ("INDEX", "TABLE", "VIRTUAL"):
            name = words[2] if words[1] == "INDEX" else words[3]
            assert is_search_object(name, "table" if words[1] != "INDEX" else "index"), name
