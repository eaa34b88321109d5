"""The one search function, over SQLite FTS5 or PostgreSQL full-text search.

Both backends index `public_entries.search_text` (already folded by `newswire.search.text`),
so they find the same entries for the same query. Results come newest first and never rank
the whole match set: a query for two common words matches hundreds of thousands of items,
and ranking all of them is what makes news search slow. FTS5 walks its index in descending
rowid order (the entry id follows publication order) and stops after one page; PostgreSQL
uses its GIN index for rare words and walks `(language, id)` backwards for common ones.

Filters (topics, desks, bureaus, urgency, publication dates, item statuses) narrow the match
set through one `id IN (SELECT ...)` condition with bound values, on both backends; they never
change the order, so the newest-first walk stays what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session

from newswire.db import UTCDateTime
from newswire.search.text import Term, query_terms
from newswire.site.models import PublicEntry, PublicEntryTopic
from newswire.stories.models import Item, Story

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


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides its words; the empty default narrows nothing.

    Sequences match any of their values. `published_from` is inclusive and `published_to`
    exclusive (both on the first publication time, UTC-aware), so that consecutive days
    never overlap. `statuses` are those of the working copy (`items.status`).
    """

    topics: tuple[str, ...] = ()
    desks: tuple[int, ...] = ()
    bureaus: tuple[int, ...] = ()
    max_urgency: int | None = None  # 2: flashes and bulletins
    published_from: datetime | None = None
    published_to: datetime | None = None
    statuses: tuple[str, ...] = ()


NO_FILTERS = Filters()


def search(
    session: Session,
    language: str,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    topics: Sequence[str] = (),
    desks: Sequence[int] = (),
    bureaus: Sequence[int] = (),
    max_urgency: int | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    statuses: Sequence[str] = (),
) -> SearchPage:
    """Public entries in `language` containing every word of `query`, newest first; the
    keyword filters narrow them (see `Filters`) and leave the order alone."""
    filters = Filters(
        topics=tuple(topics),
        desks=tuple(desks),
        bureaus=tuple(bureaus),
        max_urgency=max_urgency,
        published_from=published_from,
        published_to=published_to,
        statuses=tuple(statuses),
    )
    return search_across(session, (language,), query, limit=limit, offset=offset, filters=filters)


def search_across(
    session: Session,
    languages: Sequence[str],
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: Filters = NO_FILTERS,
) -> SearchPage:
    """Public entries in any of `languages` containing every word of `query`, newest first,
    in one walk of the index (the archive search: one page across languages)."""
    terms = query_terms(query)
    languages = (languages,) if isinstance(languages, str) else tuple(dict.fromkeys(languages))
    if not terms or not languages or offset > MAX_OFFSET or limit < 1:
        return SearchPage([], False)
    dialect = session.get_bind().dialect.name
    finder = _sqlite_ids if dialect == "sqlite" else _postgres_ids
    ids = finder(session, languages, terms, limit + 1, offset, filters)
    has_more = len(ids) > limit
    ids = ids[:limit]
    if not ids:
        return SearchPage([], False)
    rows = {e.id: e for e in session.scalars(select(PublicEntry).where(PublicEntry.id.in_(ids)))}
    return SearchPage([rows[i] for i in ids if i in rows], has_more)


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_expression(language: str, terms: Sequence[Term]) -> str:
    return fts5_languages_expression((language,), terms)


def fts5_languages_expression(languages: Sequence[str], terms: Sequence[Term]) -> str:
    parts = []
    for term in terms:
        phrase = _fts5_string(" ".join(term.tokens))
        parts.append(phrase + "*" if term.prefix else phrase)
    if len(languages) == 1:
        language = _fts5_string(languages[0])
    else:
        language = "(" + " OR ".join(_fts5_string(code) for code in languages) + ")"
    return f"language : {language} AND search_text : ({' AND '.join(parts)})"


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


def _entry_filter(filters: Filters, column: str) -> tuple[str, dict[str, Any]]:
    """The filters on desks, bureaus, urgency, dates and statuses as one condition on `column`
    (an entry id). Only our constants and numbered placeholders go into the text."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    joins = ""
    if filters.desks or filters.bureaus:
        joins += f" JOIN {Story.__tablename__} AS fs ON fs.id = fe.story_id"
    if filters.statuses:
        joins += f" JOIN {Item.__tablename__} AS fi ON fi.id = fe.item_id"

    def any_of(sql_column: str, prefix: str, values: Sequence[object]) -> None:
        names = {f"{prefix}{i}": value for i, value in enumerate(values)}
        conditions.append(f"{sql_column} IN ({', '.join(':' + name for name in names)})")
        params.update(names)

    if filters.desks:
        any_of("fs.desk_id", "desk", filters.desks)
    if filters.bureaus:
        any_of("fs.bureau_id", "bureau", filters.bureaus)
    if filters.statuses:
        any_of("fi.status", "status", filters.statuses)
    if filters.max_urgency is not None:
        conditions.append("fe.urgency <= :max_urgency")
        params["max_urgency"] = filters.max_urgency
    if filters.published_from is not None:
        conditions.append("fe.published_at >= :published_from")
        params["published_from"] = filters.published_from
    if filters.published_to is not None:
        conditions.append("fe.published_at < :published_to")
        params["published_to"] = filters.published_to
    if not conditions:
        return "", {}
    return (
        f" AND {column} IN (SELECT fe.id FROM {PublicEntry.__tablename__} AS fe{joins} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)})",
        params,
    )


def _filtered(sql: str, filters: Filters, column: str) -> tuple[str, dict[str, Any]]:
    """`sql` with every filter appended as conditions on `column`, and their bound values."""
    topic_sql, topic_params = _topic_filter(filters.topics, column)
    entry_sql, entry_params = _entry_filter(filters, column)
    return sql + topic_sql + entry_sql, {**topic_params, **entry_params}


def _statement(sql: str) -> TextClause:
    """Dates go through the column type, so that both databases compare them as stored."""
    statement = text(sql)
    for name in ("published_from", "published_to"):
        if f":{name}" in sql:
            statement = statement.bindparams(bindparam(name, type_=UTCDateTime()))
    return statement


def _sqlite_ids(
    session: Session,
    languages: tuple[str, ...],
    terms: Sequence[Term],
    limit: int,
    offset: int,
    filters: Filters,
) -> list[int]:
    where, params = _filtered("search_fts MATCH :match", filters, "rowid")
    rows = session.execute(
        _statement(
            f"SELECT rowid FROM search_fts WHERE {where} "  # noqa: S608 - bound values
            "ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
        ),
        {
            "match": fts5_languages_expression(languages, terms),
            "limit": limit,
            "offset": offset,
            **params,
        },
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
    languages: tuple[str, ...],
    terms: Sequence[Term],
    limit: int,
    offset: int,
    filters: Filters,
) -> list[int]:
    """Newest first, in two ways chosen by how common the words are.

    Common words match a large share of entries, so the newest few hundred entries of the
    language already hold a page of results: they are checked one by one, walking the
    (language, id) index backwards. Rare words do not fill that window; then the GIN index
    finds every match, and there are few to sort. The planner cannot choose between the two
    by itself: it estimates a match count, not where the matches are, and sorting 200,000 GIN
    hits takes a second.

    Filters apply after the window is cut, like the words: a window that holds a full page
    of filtered matches holds the newest ones, since every entry outside it is older; a
    window that does not falls through to the next way, as for rare words.
    """
    language_names = {f"language{i}": code for i, code in enumerate(languages)}
    if len(languages) == 1:
        in_language = "language = :language0"
    else:
        in_language = f"language IN ({', '.join(':' + name for name in language_names)})"
    params = {
        "query": tsquery_expression(terms),
        "limit": limit,
        "offset": offset,
        **language_names,
    }
    window_sql, filter_params = _filtered(
        "SELECT id FROM (SELECT id, search_vector FROM public_entries "  # noqa: S608
        f"WHERE {in_language} ORDER BY id DESC LIMIT :window) AS recent "
        "WHERE search_vector @@ to_tsquery('simple'::regconfig, :query)",
        filters,
        "id",
    )
    params.update(filter_params)
    wanted = limit + offset
    previous: tuple[int, int] | None = None  # (window, matches found in it)
    for window in PG_WINDOWS:
        if wanted > window:
            break
        if previous is not None and previous[1] * window < wanted * previous[0]:
            break  # at the rate the last window matched, this one cannot fill a page either
        rows = session.execute(
            _statement(window_sql + " ORDER BY id DESC LIMIT :limit OFFSET :offset"),
            {**params, "window": window},
        ).all()
        if len(rows) == limit:
            return [row[0] for row in rows]
        previous = (window, len(rows) + offset)
    index_sql, _same = _filtered(
        f"SELECT id FROM public_entries WHERE {in_language} AND search_vector "  # noqa: S608
        "@@ to_tsquery('simple'::regconfig, :query)",
        filters,
        "id",
    )
    rows = session.execute(
        _statement(index_sql + " ORDER BY id DESC LIMIT :limit OFFSET :offset"), params
    ).all()
    return [row[0] for row in rows]


def search_languages(
    session: Session,
    languages: Sequence[str],
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: Filters = NO_FILTERS,
) -> list[PublicEntry]:
    """The newest `limit` matches across several languages (the archive search); see
    `search_across` for the page with its `has_more`."""
    return search_across(
        session, languages, query, limit=limit, offset=offset, filters=filters
    ).entries
