"""Translation memory: aligned segments of finished translations, found again exactly or fuzzily.

An exact match is a stored segment whose normalised source text is the query's (same SHA-256
key, one index lookup). A fuzzy match is scored with rapidfuzz's InDel ratio of the two
normalised texts, rounded down; the candidates come from a full-text index over the source
side and never from a scan of every segment:

- the query's words (for Chinese and Japanese: its character n-grams) are looked up in the
  index's vocabulary, and the rarest are kept while their rows stay within a budget (a few
  more if not too common, so that a query whose rare word was edited away still finds its
  segment);
- each kept word yields its newest rows (a bounded list); a row's weight is the sum of
  1/row-count of the kept words it holds, so one shared rare name outweighs three shared
  common words; the best rows of the language pair are scored.

A segment 70% like the query shares most of its words, so it usually holds some of the
rarest ones; the rows of rare words are few, which keeps a lookup fast with a million
segments stored. A query made only of common words is checked against the newest rows that
hold them, not against all of them: an old segment with nothing distinctive left in common
with the query can be missed.

SQLite indexes the source text with two FTS5 tables kept in step by triggers: words
(`unicode61`) for languages written with spaces, trigrams for those written without. Their
`fts5vocab` tables give exact document counts. PostgreSQL indexes `search_tm_vector(source_text)`
(words, and character pairs of Chinese and Japanese runs) with GIN; the counts are the planner's
statistics of that expression (most common elements), so a word not listed there is rare.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from newswire.translation.models import TMSegment

# Source languages written without spaces between words: indexed by characters, not words.
UNSPACED = ("zh", "ja")
# How many rows the kept words of one query may bring in, and the bounds on how many words.
ROW_BUDGET = 3000
MIN_WORDS = 3  # kept even past the budget, if no commoner than COMMON rows
MAX_WORDS = 6
COMMON = 10_000
PER_WORD = 500  # newest rows taken per kept word
CANDIDATES = 80  # rows scored: those sharing the most kept words with the query

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]{{2,}}")


@dataclass(frozen=True, slots=True)
class Match:
    score: int  # 100 exact; 70–99 fuzzy
    source_text: str
    target_text: str
    segment_id: int
    created_at: datetime


def _outer(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] == "P"


def normalise(text_: str) -> str:
    """The form two segments are compared in: markup dropped, NFKC, case folded, whitespace
    collapsed, punctuation at either end stripped ("«Baku.»" and "baku" are the same)."""
    plain = html.unescape(_TAG.sub(" ", text_))
    # casefold turns "İ" into "i" + combining dot, which would split the word in the index
    folded = unicodedata.normalize("NFKC", plain).casefold().replace("i\u0307", "i")
    folded = " ".join(folded.split())
    start, end = 0, len(folded)
    while start < end and _outer(folded[start]):
        start += 1
    while end > start and _outer(folded[end - 1]):
        end -= 1
    return folded[start:end]


def source_key(text_: str) -> str:
    """SHA-256 hex digest of the normalised text: the exact-match key."""
    return hashlib.sha256(normalise(text_).encode()).hexdigest()


def store(
    session: Session,
    source_language: str,
    target_language: str,
    pairs: Iterable[tuple[str, str]],
    *,
    story_id: int | None,
    user_id: int | None,
) -> int:
    """Store aligned (source, target) segments; returns how many were new. A pair whose
    normalised source already has this very translation in the language pair is skipped."""
    wanted: dict[tuple[str, str], str] = {}
    for source, target in pairs:
        source, target = " ".join(source.split()), " ".join(target.split())
        if not normalise(source) or not target:
            continue
        wanted.setdefault((source_key(source), target), source)
    if not wanted:
        return 0
    keys = sorted({key for key, _ in wanted})
    existing: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(TMSegment.source_key, TMSegment.target_text).where(
                TMSegment.source_language == source_language,
                TMSegment.target_language == target_language,
                TMSegment.source_key.in_(keys[start : start + 500]),
            )
        )
        existing.update((key, target) for key, target in rows)
    new = [
        TMSegment(
            source_language=source_language,
            target_language=target_language,
            source_text=source,
            target_text=target,
            source_key=key,
            story_id=story_id,
            created_by_id=user_id,
        )
        for (key, target), source in wanted.items()
        if (key, target) not in existing
    ]
    session.add_all(new)
    session.flush()
    return len(new)


def lookup(
    session: Session,
    text_: str,
    source_language: str,
    target_language: str,
    *,
    min_score: int = 70,
    limit: int = 5,
) -> list[Match]:
    """Stored segments like `text_` in the language pair, best first (newest first among
    equal scores): exact matches score 100, fuzzy ones their similarity, at least `min_score`."""
    query = normalise(text_)
    if not query or limit < 1:
        return []
    exact = session.scalars(
        select(TMSegment)
        .where(
            TMSegment.source_language == source_language,
            TMSegment.target_language == target_language,
            TMSegment.source_key == hashlib.sha256(query.encode()).hexdigest(),
        )
        .order_by(TMSegment.created_at.desc(), TMSegment.id.desc())
        .limit(limit)
    ).all()
    matches = [_match(100, segment) for segment in exact]
    if len(matches) == limit or min_score > 99:
        return matches
    seen = {segment.id for segment in exact}
    unspaced = source_language in UNSPACED
    tokens = _tokens(query, unspaced)
    if not tokens:
        return matches
    finder = _sqlite_candidates if session.get_bind().dialect.name == "sqlite" else _pg_candidates
    scored: list[tuple[int, int]] = []
    for segment_id, source in finder(session, tokens, source_language, target_language, unspaced):
        if segment_id in seen:
            continue
        score = int(fuzz.ratio(query, normalise(source), score_cutoff=min_score))
        if score >= min_score:
            scored.append((score, segment_id))
    scored.sort(reverse=True)
    best = {segment_id: score for score, segment_id in scored[: limit - len(matches)]}
    if best:
        rows = session.scalars(select(TMSegment).where(TMSegment.id.in_(best)))
        matches += [_match(best[row.id], row) for row in rows]
    matches.sort(key=lambda m: (m.score, m.created_at, m.segment_id), reverse=True)
    return matches


def _match(score: int, segment: TMSegment) -> Match:
    return Match(
        score=score,
        source_text=segment.source_text,
        target_text=segment.target_text,
        segment_id=segment.id,
        created_at=segment.created_at,
    )


def _tokens(query: str, unspaced: bool) -> list[str]:
    """What the index holds of the (normalised) query: its words, or for unspaced languages
    the character trigrams (SQLite) and pairs (PostgreSQL) of its CJK runs, in order."""
    if not unspaced:
        return list(dict.fromkeys(_WORD.findall(query)))
    grams: list[str] = []
    for run in _CJK_RUN.findall(query):
        grams += [run[i : i + 2] for i in range(len(run) - 1)]
        grams += [run[i : i + 3] for i in range(len(run) - 2)]
    return list(dict.fromkeys(grams))


def _rarest(counts: dict[str, float], tokens: Sequence[str]) -> list[str]:
    """The rarest tokens while their rows stay within the budget; past it, up to MIN_WORDS
    that are not too common; never more than MAX_WORDS. Equal counts: the longer first."""
    ordered = sorted(tokens, key=lambda t: (counts.get(t, 0.0), -len(t)))
    kept: list[str] = []
    rows = 0.0
    for token in ordered:
        count = counts.get(token, 0.0)
        within = rows + min(count, PER_WORD) <= ROW_BUDGET
        if len(kept) == MAX_WORDS or not (within or (len(kept) < MIN_WORDS and count <= COMMON)):
            break
        kept.append(token)
        rows += min(count, PER_WORD)
    return kept or list(ordered[:1])


# --- SQLite: FTS5 ---------------------------------------------------------------------------

_UNSPACED_SQL = ", ".join(f"'{code}'" for code in UNSPACED)
_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_tm_words USING fts5(source_text, content='tm_segments', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_tm_chars USING fts5(source_text, content='tm_segments', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE search_tm_words_vocab USING fts5vocab(search_tm_words, row)",
    "CREATE VIRTUAL TABLE search_tm_chars_vocab USING fts5vocab(search_tm_chars, row)",
    "CREATE TRIGGER search_tm_insert AFTER INSERT ON tm_segments BEGIN "
    "INSERT INTO search_tm_words(rowid, source_text) SELECT new.id, new.source_text "
    f"WHERE new.source_language NOT IN ({_UNSPACED_SQL}); "
    "INSERT INTO search_tm_chars(rowid, source_text) SELECT new.id, new.source_text "
    f"WHERE new.source_language IN ({_UNSPACED_SQL}); END",
    "CREATE TRIGGER search_tm_delete AFTER DELETE ON tm_segments BEGIN "
    "INSERT INTO search_tm_words(search_tm_words, rowid, source_text) "
    f"SELECT 'delete', old.id, old.source_text WHERE old.source_language NOT IN ({_UNSPACED_SQL}); "
    "INSERT INTO search_tm_chars(search_tm_chars, rowid, source_text) "
    f"SELECT 'delete', old.id, old.source_text WHERE old.source_language IN ({_UNSPACED_SQL}); END",
    "CREATE TRIGGER search_tm_update AFTER UPDATE OF source_text, source_language "
    "ON tm_segments BEGIN "
    "INSERT INTO search_tm_words(search_tm_words, rowid, source_text) "
    f"SELECT 'delete', old.id, old.source_text WHERE old.source_language NOT IN ({_UNSPACED_SQL}); "
    "INSERT INTO search_tm_chars(search_tm_chars, rowid, source_text) "
    f"SELECT 'delete', old.id, old.source_text WHERE old.source_language IN ({_UNSPACED_SQL}); "
    "INSERT INTO search_tm_words(rowid, source_text) SELECT new.id, new.source_text "
    f"WHERE new.source_language NOT IN ({_UNSPACED_SQL}); "
    "INSERT INTO search_tm_chars(rowid, source_text) SELECT new.id, new.source_text "
    f"WHERE new.source_language IN ({_UNSPACED_SQL}); END",
    # Segments stored before the index (a database upgraded to this schema).
    "INSERT INTO search_tm_words(rowid, source_text) SELECT id, source_text FROM tm_segments "  # noqa: S608
    f"WHERE source_language NOT IN ({_UNSPACED_SQL})",
    "INSERT INTO search_tm_chars(rowid, source_text) SELECT id, source_text FROM tm_segments "  # noqa: S608
    f"WHERE source_language IN ({_UNSPACED_SQL})",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_tm_update",
    "DROP TRIGGER IF EXISTS search_tm_delete",
    "DROP TRIGGER IF EXISTS search_tm_insert",
    "DROP TABLE IF EXISTS search_tm_chars_vocab",
    "DROP TABLE IF EXISTS search_tm_words_vocab",
    "DROP TABLE IF EXISTS search_tm_chars",
    "DROP TABLE IF EXISTS search_tm_words",
]

# --- PostgreSQL: GIN over an expression -----------------------------------------------------

# Words as the `simple` configuration makes them, with CJK runs taken out and indexed as their
# character pairs instead (as one word, a run of Chinese would never match a slightly different
# sentence). The default COST: a higher one inflates the planned recheck of each bitmap row
# (never run for plain lexemes) until the planner starts parallel workers for a few hundred rows.
_PG_CJK = "[\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]"
_PG_CREATE = [
    "CREATE FUNCTION search_tm_vector(source text) RETURNS tsvector "  # noqa: S608 - constants
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    f"SELECT to_tsvector('simple'::regconfig, regexp_replace(source, '{_PG_CJK}+', ' ', 'g')) "
    "|| array_to_tsvector(ARRAY(SELECT substr(run[1], i, 2) "
    f"FROM regexp_matches(source, '({_PG_CJK}{{2,}})', 'g') AS run, "
    "generate_series(1, char_length(run[1]) - 1) AS i)) $$",
    "CREATE INDEX search_tm_source_vector ON tm_segments USING gin (search_tm_vector(source_text))",
]
_PG_DROP = [
    "DROP INDEX IF EXISTS search_tm_source_vector",
    "DROP FUNCTION IF EXISTS search_tm_vector(text)",
]


def create_statements(dialect: str) -> list[str]:
    """DDL of the fuzzy index, for the migration that adds it."""
    return _SQLITE_CREATE if dialect == "sqlite" else _PG_CREATE


def drop_statements(dialect: str) -> list[str]:
    return _SQLITE_DROP if dialect == "sqlite" else _PG_DROP


def _fts_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_fold(word: str) -> str:
    """A word as `unicode61 remove_diacritics 2` stores it: Latin letters lose their marks."""
    out = []
    for ch in word:
        base = unicodedata.normalize("NFKD", ch)
        out.append(base[0] if base[0] < "\u0250" else ch)
    return "".join(out)


def _sqlite_candidates(
    session: Session, tokens: list[str], source: str, target: str, unspaced: bool
) -> list[tuple[int, str]]:
    table = "search_tm_chars" if unspaced else "search_tm_words"
    if unspaced:  # the trigram index holds three characters, not pairs
        tokens = [t for t in tokens if len(t) == 3]
        terms = {t: t for t in tokens}
    else:
        terms = {t: _fts_fold(t) for t in tokens}
    if not tokens:
        return []
    names = {f"t{i}": term for i, term in enumerate(dict.fromkeys(terms.values()))}
    counted: dict[str, int] = dict(
        session.execute(
            text(
                f"SELECT term, doc FROM {table}_vocab "  # noqa: S608 - our names, bound values
                f"WHERE term IN ({', '.join(':' + n for n in names)})"
            ),
            names,
        ).all()
    )
    # exact counts: a word in no row cannot bring a candidate
    counts = {t: float(counted[term]) for t, term in terms.items() if term in counted}
    chosen = _rarest(counts, list(counts))
    if not chosen:
        return []
    parts = [
        f"SELECT rowid AS id, CAST(:w{i} AS float) AS w FROM (SELECT rowid FROM {table} "  # noqa: S608
        f"WHERE {table} MATCH :m{i} ORDER BY rowid DESC LIMIT :per)"
        for i in range(len(chosen))
    ]
    params: dict[str, object] = {f"m{i}": _fts_string(terms[t]) for i, t in enumerate(chosen)}
    return _ranked(session, parts, params, [counts[t] for t in chosen], source, target)


def _ranked(
    session: Session,
    parts: list[str],
    params: dict[str, object],
    counts: list[float],
    source: str,
    target: str,
) -> list[tuple[int, str]]:
    """The rows the parts found (id, weight of the word), best first by the words they share
    with the query, each word weighing 1/its row count, so that sharing one rare name beats
    sharing three common words; newest first among equals. The language pair is checked on
    these few rows only: checking it per index entry would cost a row lookup each."""
    weights = {f"w{i}": 1.0 / max(count, 1.0) for i, count in enumerate(counts)}
    rows = session.execute(
        text(
            "SELECT s.id, s.source_text FROM (SELECT id, sum(w) AS weight FROM ("  # noqa: S608
            + " UNION ALL ".join(parts)
            + ") AS hits GROUP BY id ORDER BY weight DESC, id DESC LIMIT :best) AS c "
            "JOIN tm_segments AS s ON s.id = c.id "
            "WHERE s.source_language = :source AND s.target_language = :target "
            "ORDER BY c.weight DESC, s.id DESC LIMIT :cap"
        ),
        {**params, **weights, "source": source, "target": target, "per": PER_WORD}
        | {"best": 2 * CANDIDATES, "cap": CANDIDATES},
    )
    return [(int(segment_id), str(source_text)) for segment_id, source_text in rows]


def _pg_counts(session: Session, tokens: list[str]) -> dict[str, float]:
    """Estimated rows per token from the statistics of the indexed expression; a token not
    among its most common elements is rarer than every one that is (counted as 0)."""
    rows = session.execute(
        text(
            "SELECT m.elem, m.freq * greatest(c.reltuples, 0) FROM pg_stats AS st "
            "JOIN pg_class AS c ON c.relname = 'tm_segments' "
            "AND c.relnamespace = to_regnamespace(st.schemaname) "
            "CROSS JOIN LATERAL unnest(st.most_common_elems::text::text[], "
            "st.most_common_elem_freqs) AS m(elem, freq) "
            "WHERE st.schemaname = current_schema() AND st.tablename = 'search_tm_source_vector' "
            "AND m.elem = ANY(:tokens)"
        ),
        {"tokens": [t.lower() for t in tokens]},
    ).all()
    found = {str(elem): float(count or 0) for elem, count in rows}
    return {t: found.get(t.lower(), 0.0) for t in tokens}


def _pg_candidates(
    session: Session, tokens: list[str], source: str, target: str, unspaced: bool
) -> list[tuple[int, str]]:
    if unspaced:  # PostgreSQL indexes character pairs
        tokens = [t for t in tokens if len(t) == 2]
    if not tokens:
        return []
    counts = _pg_counts(session, tokens)
    chosen = _rarest(counts, tokens)
    parts = [
        f"(SELECT id, CAST(:w{i} AS float) AS w FROM tm_segments "  # noqa: S608
        "WHERE search_tm_vector(source_text) "
        f"@@ to_tsquery('simple'::regconfig, :m{i}) "
        # an expression, not the two columns: ANDing the word's few rows with every row of
        # the language pair from ix_tm_segments_exact costs more than checking each row read
        "AND source_language || ' ' || target_language = :source || ' ' || :target "
        "LIMIT :per)"
        for i in range(len(chosen))
    ]
    params: dict[str, object] = {
        f"m{i}": "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        for i, term in enumerate(chosen)
    }
    return _ranked(session, parts, params, [counts[t] for t in chosen], source, target)
