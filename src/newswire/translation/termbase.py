"""The termbase: names and titles the agency writes one way in each language.

A term has one preferred form per language and any number of variants: forms that mean the
same term but that a translation must not keep ("Ilham Aliev" where the agency writes
"Ilham Aliyev"). `TermIndex` finds both in a text, all in memory:

- Latin and Cyrillic scripts: case-insensitive, whole words (a word is a run of letters and
  digits, so Azerbaijani ə ğ ı ş and Cyrillic letters belong to it; "Baku" is not found in
  "Bakuvian");
- Arabic: a form may start after the attached prefixes و ب ل and ال (and لل for ل + ال), and
  short vowels, tatweel and the hamza forms of alef are ignored;
- Chinese and Japanese: any substring.

Matches are taken longest first, then left to right, never overlapping.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.agency.services import SYSTEM, Principal, audit, check_languages, get_agency
from newswire.errors import Conflict, InvalidInput, NotFound
from newswire.stories.sanitize import clean_text
from newswire.translation.models import TERM_KINDS, Term, TermForm

MAX_FORM = 300
DEMO_TERMS = Path(__file__).resolve().parents[1] / "demo" / "terms.json"
UNSPACED = ("zh", "ja")
ARABIC_SCRIPT = ("ar", "fa", "ur")

# Letters, digits and combining marks (Arabic short vowels sit inside words).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


@dataclass(frozen=True, slots=True)
class TermHit:
    term_id: int
    kind: str
    start: int
    end: int  # character offsets in the text searched
    form: str  # the form found, as written in the text
    forms: dict[str, str]  # language → preferred form (every language the term has)
    variants: dict[str, tuple[str, ...]]  # language → non-preferred forms


@dataclass(frozen=True, slots=True)
class _Entry:
    term_id: int
    kind: str
    forms: dict[str, str]
    variants: dict[str, tuple[str, ...]]


def fold(form: str, language: str) -> str:
    """The key a form and a stretch of text are compared by, in `language`."""
    key = unicodedata.normalize("NFKC", form).casefold().replace("i\u0307", "i")
    if language in ARABIC_SCRIPT:
        key = _ARABIC_MARKS.sub("", key).translate(_ALEF)
    return " ".join(key.split())


def _script(language: str) -> str:
    if language in UNSPACED:
        return "unspaced"
    return "arabic" if language in ARABIC_SCRIPT else "words"


class _LanguageIndex:
    """The forms of one language, by folded key, and how long the longest one is."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.script = _script(language)
        self.keys: dict[str, _Entry] = {}
        self.max_words = 0
        self.lengths: list[int] = []  # for substring matching, longest first

    def add(self, form: str, entry: _Entry) -> None:
        key = fold(form, self.language)
        if self.script != "unspaced":
            words = _WORD.findall(key)
            if not words:
                return
            # what the text is cut at: from the first word's start to the last word's end
            key = key[key.index(words[0]) : key.rindex(words[-1]) + len(words[-1])]
            self.max_words = max(self.max_words, len(words))
        if key:
            self.keys.setdefault(key, entry)

    def finish(self) -> None:
        self.lengths = sorted({len(key) for key in self.keys}, reverse=True)

    def candidates(self, text: str) -> list[tuple[int, int, _Entry]]:
        if self.script == "unspaced":
            return self._substrings(text)
        return self._words(text)

    def _substrings(self, text: str) -> list[tuple[int, int, _Entry]]:
        found = []
        folded = text.casefold() if len(text.casefold()) == len(text) else text
        for start in range(len(folded)):
            for length in self.lengths:
                entry = self.keys.get(folded[start : start + length])
                if entry is not None:
                    found.append((start, start + length, entry))
                    break
        return found

    def _words(self, text: str) -> list[tuple[int, int, _Entry]]:
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        found = []
        for i, (word_start, _) in enumerate(words):
            for start, prefix in self._starts(text, word_start):
                # every length: a shorter form may win where a longer one overlaps another
                for n in range(1, min(self.max_words, len(words) - i) + 1):
                    end = words[i + n - 1][1]
                    entry = self.keys.get(prefix + fold(text[start:end], self.language))
                    if entry is not None:
                        found.append((start, end, entry))
        return found

    def _starts(self, text: str, start: int) -> list[tuple[int, str]]:
        """Where a form may begin in the word at `start`: the word itself and, in Arabic,
        after each attached prefix (with the key prefix that restores a contracted ال)."""
        starts = [(start, "")]
        if self.script != "arabic":
            return starts
        at = start
        if text.startswith("و", at):
            at = _after_marks(text, at + 1)
            starts.append((at, ""))
        if text.startswith("لل", at):
            starts.append((at + 1, "ا"))  # ل + الأمم is written للأمم
        if text.startswith(("ب", "ل"), at):
            at = _after_marks(text, at + 1)
            starts.append((at, ""))
        if text.startswith("ال", at):
            starts.append((_after_marks(text, at + 2), ""))
        return starts


def _after_marks(text: str, at: int) -> int:
    """The first position from `at` that is not a short vowel or other Arabic mark."""
    while at < len(text) and _ARABIC_MARKS.match(text, at):
        at += 1
    return at


class TermIndex:
    """Every form of every term, ready to be found in texts; built once, matched in memory."""

    def __init__(self, entries: list[_Entry]) -> None:
        self._languages: dict[str, _LanguageIndex] = {}
        for entry in entries:
            for language, form in entry.forms.items():
                self._language(language).add(form, entry)
            for language, variants in entry.variants.items():
                for variant in variants:
                    self._language(language).add(variant, entry)
        for index in self._languages.values():
            index.finish()
        self.size = len(entries)

    def _language(self, language: str) -> _LanguageIndex:
        if language not in self._languages:
            self._languages[language] = _LanguageIndex(language)
        return self._languages[language]

    @classmethod
    def load(cls, session: Session) -> TermIndex:
        """All terms, in one query."""
        rows = session.execute(
            select(
                TermForm.term_id, Term.kind, TermForm.language, TermForm.form, TermForm.preferred
            )
            .join(Term, Term.id == TermForm.term_id)
            .order_by(TermForm.term_id, TermForm.id)
        ).all()
        kinds: dict[int, str] = {}
        forms: dict[int, dict[str, str]] = {}
        variants: dict[int, dict[str, list[str]]] = {}
        for term_id, kind, language, form, preferred in rows:
            kinds[term_id] = kind
            if preferred:
                forms.setdefault(term_id, {})[language] = form
            else:
                variants.setdefault(term_id, {}).setdefault(language, []).append(form)
        return cls(
            [
                _Entry(
                    term_id,
                    kind,
                    forms.get(term_id, {}),
                    {lang: tuple(v) for lang, v in variants.get(term_id, {}).items()},
                )
                for term_id, kind in kinds.items()
            ]
        )

    def hits(self, text: str, language: str) -> list[TermHit]:
        """Terms found in `text` (written in `language`), in text order, non-overlapping,
        the longer of two overlapping matches winning."""
        index = self._languages.get(language)
        if index is None or not text:
            return []
        candidates = index.candidates(text)
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = bytearray(len(text))
        chosen = []
        for start, end, entry in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, entry))
        chosen.sort(key=lambda c: c[0])
        return [
            TermHit(
                term_id=entry.term_id,
                kind=entry.kind,
                start=start,
                end=end,
                form=text[start:end],
                forms=dict(entry.forms),
                variants=dict(entry.variants),
            )
            for start, end, entry in chosen
        ]


def termbase_stamp(session: Session) -> tuple[int, int]:
    """(number of forms, highest form id): changes whenever a term is added, changed or
    removed, as forms are replaced rather than edited in place."""
    count, highest = session.execute(select(func.count(TermForm.id), func.max(TermForm.id))).one()
    return int(count or 0), int(highest or 0)


class TermCache:
    """One process's TermIndex, rebuilt when the termbase's stamp changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._index: TermIndex | None = None

    def get(self, session: Session) -> TermIndex:
        stamp = termbase_stamp(session)
        with self._lock:
            if self._index is None or stamp != self._stamp:
                self._index = TermIndex.load(session)
                self._stamp = stamp
            return self._index


# --- editing the termbase ---------------------------------------------------------------


class TermInput(BaseModel):
    """A term as an editor gives it: preferred forms and variants by language."""

    kind: str = "other"
    note: str | None = None
    forms: dict[str, str]
    variants: dict[str, list[str]] = Field(default_factory=dict)


def _clean_form(value: str, field: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise InvalidInput("a form must not be empty", field=field)
    if len(cleaned) > MAX_FORM:
        raise InvalidInput(f"a form is at most {MAX_FORM} characters", field=field)
    return cleaned


def _checked(session: Session, data: TermInput) -> tuple[dict[str, str], dict[str, list[str]]]:
    if data.kind not in TERM_KINDS:
        raise InvalidInput(
            f"unknown kind {data.kind!r} (one of: {', '.join(TERM_KINDS)})", field="kind"
        )
    working = get_agency(session).languages
    for field, codes in (("forms", data.forms), ("variants", data.variants)):
        check_languages(codes, field=field)
        for code in codes:
            if code not in working:
                raise InvalidInput(f"{code!r} is not a working language of the agency", field=field)
    if len(data.forms) < 2:
        raise InvalidInput("a term needs forms in at least two languages", field="forms")
    forms = {lang: _clean_form(form, f"forms.{lang}") for lang, form in data.forms.items()}
    variants: dict[str, list[str]] = {}
    for lang, values in data.variants.items():
        if lang not in forms:
            raise InvalidInput(
                f"a variant in {lang!r} needs a preferred form in {lang!r}", field="variants"
            )
        seen = {fold(forms[lang], lang)}
        for value in values:
            variant = _clean_form(value, f"variants.{lang}")
            key = fold(variant, lang)
            if key == fold(forms[lang], lang):
                raise InvalidInput(
                    f"the variant {variant!r} is the preferred form", field=f"variants.{lang}"
                )
            if key not in seen:
                seen.add(key)
                variants.setdefault(lang, []).append(variant)
    return forms, variants


def _check_unique(
    session: Session, forms: dict[str, str], variants: dict[str, list[str]], term_id: int | None
) -> None:
    """No form may belong to two terms in one language: a text would not say which it is."""
    rows = session.execute(
        select(TermForm.term_id, TermForm.language, TermForm.form).where(
            TermForm.language.in_(forms), TermForm.term_id != (term_id or 0)
        )
    ).all()
    taken = {(language, fold(form, language)): tid for tid, language, form in rows}
    for language, form in [*forms.items(), *((lg, v) for lg, vs in variants.items() for v in vs)]:
        other = taken.get((language, fold(form, language)))
        if other is not None:
            raise Conflict(
                f"{form!r} is already a form of term {other} in {language!r}",
                field=f"forms.{language}",
            )


def _set_forms(term: Term, forms: dict[str, str], variants: dict[str, list[str]]) -> None:
    term.forms = [
        TermForm(language=lang, form=form, preferred=True) for lang, form in forms.items()
    ]
    term.forms += [
        TermForm(language=lang, form=form, preferred=False)
        for lang, values in variants.items()
        for form in values
    ]


def add_term(session: Session, actor: Principal, data: TermInput) -> Term:
    """Add a term, checked (kind, working languages, forms) and audited."""
    forms, variants = _checked(session, data)
    _check_unique(session, forms, variants, None)
    term = Term(kind=data.kind, note=clean_text(data.note), created_by_id=actor.user_id)
    _set_forms(term, forms, variants)
    session.add(term)
    session.flush()
    audit(session, actor, "term.add", "term", term.id, forms=forms, variants=variants)
    return term


def get_term(session: Session, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None:
        raise NotFound(f"no term {term_id}")
    return term


def update_term(session: Session, actor: Principal, term_id: int, data: TermInput) -> Term:
    """Replace a term's kind, note and forms (new form rows, so caches see the change)."""
    term = get_term(session, term_id)
    forms, variants = _checked(session, data)
    _check_unique(session, forms, variants, term_id)
    term.kind = data.kind
    term.note = clean_text(data.note)
    term.forms.clear()
    session.flush()
    _set_forms(term, forms, variants)
    session.flush()
    audit(session, actor, "term.update", "term", term.id, forms=forms, variants=variants)
    return term


def delete_term(session: Session, actor: Principal, term_id: int) -> None:
    term = get_term(session, term_id)
    audit(session, actor, "term.delete", "term", term.id, forms=term_document(term)["forms"])
    session.delete(term)
    session.flush()


def list_terms(
    session: Session,
    *,
    q: str | None = None,
    language: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Term]:
    """Terms in id order; `q` keeps those with a form containing it (any case), `language`
    those with a form in that language (and looks for `q` in that language only)."""
    statement = select(TermForm.term_id, TermForm.language, TermForm.form)
    if language:
        statement = statement.where(TermForm.language == language)
    if q:
        # Folded in Python: SQLite's lower() knows only ASCII, and the termbase is small.
        needle = fold(q, language or "")
        ids = sorted(
            {tid for tid, lang, form in session.execute(statement) if needle in fold(form, lang)}
        )
    else:
        ids = sorted({tid for tid, _, _ in session.execute(statement)})
    page = ids[offset : offset + limit] if limit > 0 else []
    if not page:
        return []
    return list(session.scalars(select(Term).where(Term.id.in_(page)).order_by(Term.id)))


def term_document(term: Term) -> dict[str, object]:
    """The API's JSON for one term."""
    forms: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    for form in term.forms:
        if form.preferred:
            forms[form.language] = form.form
        else:
            variants.setdefault(form.language, []).append(form.form)
    return {
        "id": term.id,
        "kind": term.kind,
        "note": term.note,
        "forms": forms,
        "variants": variants,
    }


def load_demo_terms(session: Session, path: Path = DEMO_TERMS) -> int:
    """Add the demo termbase (src/newswire/demo/terms.json); terms whose English form is
    already a preferred form are skipped, so loading twice adds nothing. Returns how many
    were added. Languages the agency does not work in are left out."""
    working = set(get_agency(session).languages)
    existing = {
        fold(form, "en")
        for (form,) in session.execute(
            select(TermForm.form).where(TermForm.language == "en", TermForm.preferred)
        )
    }
    added = 0
    for raw in json.loads(path.read_text(encoding="utf-8")):
        data = TermInput.model_validate(raw)
        if fold(data.forms["en"], "en") in existing:
            continue
        data.forms = {lang: form for lang, form in data.forms.items() if lang in working}
        data.variants = {lang: v for lang, v in data.variants.items() if lang in data.forms}
        if len(data.forms) < 2:
            continue
        add_term(session, SYSTEM, data)
        added += 1
    return added
