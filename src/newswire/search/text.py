"""Turning text into search tokens the same way for documents and queries, in every language.

The database tokenisers (FTS5 `unicode61`, PostgreSQL's `simple` configuration) split on spaces
and punctuation and fold case, which is right for Latin, Cyrillic and Arabic words but not
enough on its own:
- Arabic is written with or without short vowels (harakat), and alef with or without hamza;
  both spellings must find each other, so combining marks are dropped (after canonical
  decomposition, which also turns أ إ آ into ا plus a mark). Latin and Cyrillic diacritics go
  the same way, so "Baki" finds "Bakı" and "ёлка" finds "елка";
- Chinese has no spaces: a run of Han characters is indexed as its overlapping two-character
  pairs ("阿塞拜疆" → "阿塞 塞拜 拜疆"), so any word of two or more characters is found as a
  phrase of its pairs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Han ideographs and the other CJK blocks written without spaces.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(rf"[^\W_]+|[{_CJK}]+")
_MIXED = re.compile(rf"[{_CJK}]+|[^{_CJK}]+")  # "g20峰会" → "g20", "峰会"
_TATWEEL = "\u0640"
MAX_QUERY_TERMS = 12


def fold(text: str) -> str:
    """Case-fold and drop diacritics and tatweel; Han characters pass unchanged."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch != _TATWEEL)
    # Turkish and Azerbaijani dotless ı has no decomposition; readers often type i for it.
    return unicodedata.normalize("NFC", kept).replace("ı", "i")


def _pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _tokens(text: str) -> list[str]:
    """Words of folded text: letters and digits only, Han runs as their pairs. Splitting here
    rather than in the database keeps both backends alike: PostgreSQL's parser would keep
    "4.3" or "covid-19" whole where FTS5 splits them."""
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group()
        for piece in _MIXED.findall(word):
            tokens.extend(_pairs(piece) if _CJK_RUN.fullmatch(piece) else (piece,))
    return tokens


def index_text(*parts: str | None) -> str:
    """The text stored for the database tokeniser, from a headline, a body's text and so on."""
    return " ".join(token for part in parts if part for token in _tokens(fold(part)))


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query: its tokens form a phrase (several only for Chinese words)."""

    tokens: tuple[str, ...]
    prefix: bool = False  # a lone Han character matches the pairs that start with it


def query_terms(query: str) -> list[Term]:
    """The words of a reader's query, folded like the index; at most MAX_QUERY_TERMS."""
    terms: list[Term] = []
    for match in _WORD.finditer(fold(query)):
        word = match.group()
        if _CJK_RUN.fullmatch(word):
            if len(word) == 1:
                terms.append(Term((word,), prefix=True))
            else:
                terms.append(Term(tuple(_pairs(word))))
        else:
            # Mixed runs ("g20峰会") split the same way the index text was split.
            terms.append(Term(tuple(_tokens(word))))
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms
