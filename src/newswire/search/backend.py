"""The one search function, over SQLite FTS5 or PostgreSQL full-text search.

Both backends index `public_entries.search_text` (already folded by `newswire.search.text`),
so they find the same entries for the same query. Results come newest first and never rank
the whole match set: a query for two common words matches hundreds of thousands of items,
and ranking all of them is what makes news search slow. FTS5 walks its index in descending
rowid order (the entry id follows publication order) and stops after one page; PostgreSQL
uses its GIN index for rare words and walks `(language, id)` backwards for common ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from newswire.search.text import Term, query_terms
from newswire.site.models import PublicEntry, PublicEntryTopic

_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(language, search_text, "
    "content='public_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON public_entries BEGIN "
    "INSERT INTO search_fts(rowid, language, search_text) "
    "VALUES (new.id, new.language, new.search_text); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON public_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, language, search_text) "
    "VALUES ('delete', old.id, old.language, old.search_text); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON public_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, language, search_text) "
    "VALUES ('delete', old.id, old.language, old.search_text); "
    "INSERT INTO search_fts(rowid, language, search_text) "
    "VALUES (new.id, new.language, new.search_text); END",
    # Entries that existed before the index (a database upgraded to this schema).
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL keeps the vector in a stored generated column: checking a row then reads it
# instead of parsing the text again, which is what makes the newest-first walk cheap.
_PG_CREATE = [
    "ALTER TABLE public_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX search_public_entries_vector ON public_entries USING gin (search_vector)",
]
_PG_DROP = [
    "DROP INDEX IF EXISTS search_public_entries_vector",
    "ALTER TABLE public_entries DROP COLUMN IF EXISTS search_vector",
]
# Newest entries a PostgreSQL search checks one by one before it asks the GIN index (see
# `_postgres_ids`); each step is tried while it has not found a page of results.
PG_WINDOWS = (400, 4000)


def create_statements(dialect: str) -> list[str]:
    """DDL of the full-text index, for the migration that adds it."""
    return _SQLITE_CREATE if dialect == "sqlite" else _PG_CREATE


def drop_statements(dialect: str) -> list[str]:
    return _SQLITE_DROP if dialect == "sqlite" else _PG_DROP


def is_search_object(name: str | None, type_: str) -> bool:
    """Tables, indexes and the PostgreSQL vector column that the full-text DDL made, which the
    table models do not describe."""
    if type_ == "column":
        return name == "search_vector"
    return type_ in ("table", "index") and bool(name) and str(name).startswith("search_")


@dataclass(frozen=True, slots=True)
class SearchPage:
    entries: list[PublicEntry]
    has_more: bool


MAX_OFFSET = 10_000  # deeper pages are refused as empty: nobody reads page 500 of a search


def search(
    session: Session,
    language: str,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    topics: Sequence[str] = (),
) -> SearchPage:
    """Public entries in `language` containing every word of `query`, newest first."""
    terms = query_terms(query)
    if not terms or offset > MAX_OFFSET or limit < 1:
        return SearchPage([], False)
    dialect = session.get_bind().dialect.name
    finder = _sqlite_ids if dialect == "sqlite" else _postgres_ids
    ids = finder(session, language, terms, limit + 1, offset, tuple(topics))
    has_more = len(ids) > limit
    ids = ids[:limit]
    if not ids:
        return SearchPage([], False)
    rows = {e.id: e for e in session.scalars(select(PublicEntry).where(PublicEntry.id.in_(ids)))}
    return SearchPage([rows[i] for i in ids if i in rows], has_more)


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_expression(language: str, terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        phrase = _fts5_string(" ".join(term.tokens))
        parts.append(phrase + "*" if term.prefix else phrase)
    return f"language : {_fts5_string(language)} AND search_text : ({' AND '.join(parts)})"


def _topic_filter(topics: tuple[str, ...], column: str) -> tuple[str, dict[str, str]]:
    if not topics:
        return "", {}
    names = {f"topic{i}": code for i, code in enumerate(topics)}
    placeholders = ", ".join(f":{name}" for name in names)
    return (
        # Only our constants and numbered placeholders go into the text; values are bound.
        f" AND {column} IN (SELECT entry_id FROM {PublicEntryTopic.__tablename__} "  # noqa: S608
        f"WHERE code IN ({placeholders}))",
        names,
    )


def _sqlite_ids(
    session: Session,
    language: str,
    terms: Sequence[Term],
    limit: int,
    offset: int,
    topics: tuple[str, ...],
) -> list[int]:
    topic_sql, params = _topic_filter(topics, "rowid")
    rows = session.execute(
        text(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :match"  # noqa: S608 - bound values
            f"{topic_sql} ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
        ),
        {"match": fts5_expression(language, terms), "limit": limit, "offset": offset, **params},
    )
    return [row[0] for row in rows]


def _tsquery_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_expression(terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        phrase = " <-> ".join(_tsquery_lexeme(token) for token in term.tokens)
        parts.append(phrase + ":*" if term.prefix else f"({phrase})")
    return " & ".join(parts)


def _postgres_ids(
    session: Session,
    language: str,
    terms: Sequence[Term],
    limit: int,
    offset: int,
    topics: tuple[str, ...],
) -> list[int]:
    """Newest first, in two ways chosen by how common the words are.

    Common words match a large share of entries, so the newest few hundred entries of the
    language already hold a page of results: they are checked one by one, walking the
    (language, id) index backwards. Rare words do not fill that window; then the GIN index
    finds every match, and there are few to sort. The planner cannot choose between the two
    by itself: it estimates a match count, not where the matches are, and sorting 200,000 GIN
    hits takes a second.
    """
    topic_sql, topic_params = _topic_filter(topics, "id")
    params = {
        "language": language,
        "query": tsquery_expression(terms),
        "limit": limit,
        "offset": offset,
        **topic_params,
    }
    wanted = limit + offset
    previous: tuple[int, int] | None = None  # (window, matches found in it)
    for window in PG_WINDOWS:
        if wanted > window:
            break
        if previous is not None and previous[1] * window < wanted * previous[0]:
            break  # at the rate the last window matched, this one cannot fill a page either
        rows = session.execute(
            text(
                "SELECT id FROM (SELECT id, search_vector FROM public_entries "  # noqa: S608
                "WHERE language = :language ORDER BY id DESC LIMIT :window) AS recent "
                "WHERE search_vector @@ to_tsquery('simple'::regconfig, :query)"
                f"{topic_sql} ORDER BY id DESC LIMIT :limit OFFSET :offset"
            ),
            {**params, "window": window},
        ).all()
        if len(rows) == limit:
            return [row[0] for row in rows]
        previous = (window, len(rows) + offset)
    rows = session.execute(
        text(
            "SELECT id FROM public_entries WHERE language = :language AND search_vector "  # noqa: S608
            f"@@ to_tsquery('simple'::regconfig, :query){topic_sql} "
            "ORDER BY id DESC LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    return [row[0] for row in rows]


def search_languages(
    session: Session, languages: Sequence[str], query: str, *, limit: int = 20
) -> list[PublicEntry]:
    """The newest `limit` matches across several languages (the archive search)."""
    found: list[PublicEntry] = []
    for language in languages:
        found.extend(search(session, language, query, limit=limit).entries)
    found.sort(key=lambda entry: entry.id, reverse=True)
    return found[:limit]
