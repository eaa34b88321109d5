"""The termbase: finding terms in texts of every script, and keeping the termbase consistent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency import services as agency
from newswire.agency.models import AuditEntry, User
from newswire.agency.services import SYSTEM
from newswire.db import Database
from newswire.errors import Conflict, InvalidInput, NotFound
from newswire.languages import DEFAULT_WORKING_LANGUAGES
from newswire.translation import termbase
from newswire.translation.termbase import (
    DEMO_TERMS,
    TermCache,
    TermIndex,
    TermInput,
    add_term,
    fold,
    load_demo_terms,
    term_document,
)


@pytest.fixture
def db(database: Database) -> Database:
    with database.write() as session:
        agency.ensure_agency(
            session,
            name={"en": "Azerbaijan State News Agency"},
            short_name={"en": "AZERTAC"},
            domain="azertac.az",
            working_languages=DEFAULT_WORKING_LANGUAGES,
        )
    return database


@pytest.fixture(scope="module")
def demo_index() -> TermIndex:
    """The demo termbase as an index, built without a database (the ids are list positions)."""
    entries = []
    for i, raw in enumerate(json.loads(DEMO_TERMS.read_text(encoding="utf-8")), start=1):
        variants = {lang: tuple(v) for lang, v in raw.get("variants", {}).items()}
        entries.append(termbase._Entry(i, raw["kind"], raw["forms"], variants))
    return TermIndex(entries)


def found(index: TermIndex, text: str, language: str) -> list[tuple[str, str]]:
    """(form as written, the term's English preferred form) for each hit, in text order."""
    hits = index.hits(text, language)
    assert all(text[h.start : h.end] == h.form for h in hits)
    return [(h.form, h.forms["en"]) for h in hits]


def test_azerbaijani_whole_words_in_any_case(demo_index: TermIndex) -> None:
    text = "Prezident İlham Əliyev Bakı şəhərində ATƏT nümayəndələrini qəbul edib."
    assert found(demo_index, text, "az") == [
        ("İlham Əliyev", "Ilham Aliyev"),
        ("Bakı", "Baku"),
        ("ATƏT", "OSCE"),
    ]
    assert found(demo_index, "İLHAM ƏLİYEV ilə görüş", "az") == [("İLHAM ƏLİYEV", "Ilham Aliyev")]
    # ı and ə are letters: "Bakıl" is another word, and no boundary falls inside "Bakıda"
    assert found(demo_index, "Bakıl və Bakıda", "az") == []


def test_russian_and_cyrillic_case(demo_index: TermIndex) -> None:
    text = "Ильхам Алиев и Владимир Путин встретились в Москве; ранее в МОСКВА-СИТИ, ОБСЕ."
    assert found(demo_index, text, "ru") == [
        ("Ильхам Алиев", "Ilham Aliyev"),
        ("Владимир Путин", "Vladimir Putin"),
        ("МОСКВА", "Moscow"),
        ("ОБСЕ", "OSCE"),
    ]


def test_latin_words_need_boundaries(demo_index: TermIndex) -> None:
    assert found(demo_index, "Bakuvian roads; Baku-based firms; PARIS.", "en") == [
        ("Baku", "Baku"),
        ("PARIS", "Paris"),
    ]
    assert found(demo_index, "Le président Emmanuel Macron à Bakou", "fr") == [
        ("Emmanuel Macron", "Emmanuel Macron"),
        ("Bakou", "Baku"),
    ]


def test_arabic_with_attached_prefixes_and_vowel_marks(demo_index: TermIndex) -> None:
    text = "استقبل إلهام علييف وفدا في باكو ووصل إلى موسكو وبالقاهرة وللأمم المتحدة وفي الرياض."
    assert found(demo_index, text, "ar") == [
        ("إلهام علييف", "Ilham Aliyev"),
        ("باكو", "Baku"),
        ("موسكو", "Moscow"),
        ("القاهرة", "Cairo"),
        ("لأمم المتحدة", "United Nations"),  # ل + الأمم is written للأمم
        ("الرياض", "Riyadh"),
    ]
    assert found(demo_index, "وَبِباكُو", "ar") == [("باكُو", "Baku")]
    assert found(demo_index, "وصل الى ابوظبي", "ar") == [("ابوظبي", "Abu Dhabi")]  # bare alef
    assert found(demo_index, "باكوية", "ar") == []  # the form must end where a word ends


def test_chinese_substrings_longest_first(demo_index: TermIndex) -> None:
    text = "伊利哈姆·阿利耶夫在巴库会见联合国教科文组织总干事，并谈及联合国。"
    assert found(demo_index, text, "zh") == [
        ("伊利哈姆·阿利耶夫", "Ilham Aliyev"),
        ("巴库", "Baku"),
        ("联合国教科文组织", "UNESCO"),  # not 联合国 inside it
        ("联合国", "United Nations"),
    ]


def test_longest_match_first_and_never_overlapping(db: Database) -> None:
    with db.write() as session:
        add_term(session, SYSTEM, TermInput(kind="place", forms={"en": "Abu", "fr": "Abou"}))
        add_term(session, SYSTEM, TermInput(kind="place", forms={"en": "Dhabi Airport", "fr": "X"}))
        add_term(session, SYSTEM, TermInput(kind="place", forms={"en": "Abu Dhabi", "fr": "Y"}))
        index = TermIndex.load(session)
    # "Dhabi Airport" is longer than "Abu Dhabi" and wins the overlap; "Abu" fills the rest
    assert [h.form for h in index.hits("Abu Dhabi Airport", "en")] == ["Abu", "Dhabi Airport"]
    assert [h.form for h in index.hits("in Abu Dhabi today", "en")] == ["Abu Dhabi"]
    assert index.hits("Abu Dhabi", "de") == []


def test_a_variant_is_a_hit_of_its_term(demo_index: TermIndex) -> None:
    [hit] = demo_index.hits("President Ilham Aliev met the delegation.", "en")
    assert (hit.form, hit.start, hit.end) == ("Ilham Aliev", 10, 21)
    assert hit.forms["en"] == "Ilham Aliyev"
    assert hit.forms["de"] == "Ilham Alijew"
    assert hit.variants["en"] == ("Ilham Aliev",)
    assert hit.kind == "person"
    [hit] = demo_index.hits("El presidente llegó a Baku.", "es")
    assert (hit.form, hit.forms["es"]) == ("Baku", "Bakú")


def test_add_term_stores_cleaned_forms_and_audits(db: Database) -> None:
    data = TermInput(
        kind="place",
        note=" second city ",
        forms={"az": "<b>Gəncə</b>", "en": "Ganja", "ru": "Гянджа"},
        variants={"en": ["Gandja", "GANDJA", "Gyanja"]},
    )
    with db.write() as session:
        term = add_term(session, agency.principal_for_user(_admin(session)), data)
        document = term_document(term)
    assert document == {
        "id": document["id"],
        "kind": "place",
        "note": "second city",
        "forms": {"az": "Gəncə", "en": "Ganja", "ru": "Гянджа"},
        "variants": {"en": ["Gandja", "Gyanja"]},
    }
    with db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "term.add")).one()
        assert (entry.actor, entry.object_id) == ("boss", document["id"])
        index = TermIndex.load(session)
    assert [h.forms["az"] for h in index.hits("Flights to Gyanja", "en")] == ["Gəncə"]


def _admin(session: Session) -> User:
    return agency.add_user(session, SYSTEM, name="boss", role="admin", password="x" * 12).user


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "animal", "forms": {"en": "a", "fr": "b"}}, "kind", "unknown kind 'animal'"),
        ({"forms": {"en": "Baku", "xx": "b"}}, "forms", "unknown language 'xx'"),
        ({"forms": {"en": "Baku", "tr": "Bakü"}}, "forms", "'tr' is not a working language"),
        ({"forms": {"en": "Baku"}}, "forms", "at least two languages"),
        ({"forms": {"en": "Baku", "fr": "<i> </i>"}}, "forms.fr", "must not be empty"),
        ({"forms": {"en": "B" * 301, "fr": "Bakou"}}, "forms.en", "at most 300 characters"),
        (
            {"forms": {"en": "Baku", "fr": "Bakou"}, "variants": {"de": ["Baku"]}},
            "variants",
            "needs a preferred form in 'de'",
        ),
        (
            {"forms": {"en": "Baku", "fr": "Bakou"}, "variants": {"en": ["BAKU"]}},
            "variants.en",
            "is the preferred form",
        ),
    ],
)
def test_add_term_refuses_bad_input(
    db: Database, data: dict[str, object], field: str, message: str
) -> None:
    with db.write() as session, pytest.raises(InvalidInput) as raised:
        add_term(session, SYSTEM, TermInput.model_validate(data))
    assert raised.value.field == field
    assert message in raised.value.message
    with db.read() as session:
        assert termbase.list_terms(session) == []


def test_a_form_of_another_term_is_a_conflict(db: Database) -> None:
    with db.write() as session:
        first = add_term(session, SYSTEM, TermInput(forms={"en": "Baku", "fr": "Bakou"})).id
    with db.write() as session, pytest.raises(Conflict) as raised:
        add_term(session, SYSTEM, TermInput(forms={"de": "Baku", "fr": "BAKOU"}))
    assert raised.value.message == f"'BAKOU' is already a form of term {first} in 'fr'"
    with db.write() as session, pytest.raises(Conflict):
        add_term(
            session, SYSTEM, TermInput(forms={"en": "Bakı", "fr": "B"}, variants={"en": ["baku"]})
        )
    with db.write() as session:  # the same text in another language is another form
        add_term(session, SYSTEM, TermInput(forms={"de": "Baku", "es": "Bakú"}))


def test_list_update_and_delete(db: Database) -> None:
    with db.write() as session:
        baku = add_term(
            session, SYSTEM, TermInput(kind="place", forms={"en": "Baku", "ru": "Баку"})
        )
        add_term(session, SYSTEM, TermInput(kind="place", forms={"en": "Moscow", "ru": "Москва"}))
        add_term(session, SYSTEM, TermInput(kind="place", forms={"fr": "Paris", "de": "Paris"}))
        baku_id = baku.id
    with db.read() as session:

        def listed(**options: object) -> list[str]:
            terms = termbase.list_terms(session, **options)  # type: ignore[arg-type]
            return [str(term_document(t)["forms"]) for t in terms]

        assert len(listed()) == 3
        assert listed(q="моск") == ["{'en': 'Moscow', 'ru': 'Москва'}"]
        assert listed(q="paris", language="en") == []
        assert len(listed(language="ru")) == 2
        assert len(listed(limit=1, offset=2)) == 1
    cache = TermCache()
    with db.read() as session:
        assert cache.get(session).hits("Baku", "en")[0].forms["ru"] == "Баку"
        before = cache.get(session)
        assert cache.get(session) is before  # nothing changed: no reload
    with db.write() as session:
        termbase.update_term(
            session, SYSTEM, baku_id, TermInput(kind="place", forms={"en": "Baku", "ru": "Баку!"})
        )
    with db.read() as session:
        assert cache.get(session).hits("Baku", "en")[0].forms["ru"] == "Баку!"
    with db.write() as session:
        termbase.delete_term(session, SYSTEM, baku_id)
    with db.read() as session:
        assert cache.get(session).hits("Baku", "en") == []
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["term.update", "term.delete"]
    with db.write() as session, pytest.raises(NotFound):
        termbase.delete_term(session, SYSTEM, baku_id)


def test_the_demo_termbase_loads_complete_and_unambiguous(db: Database) -> None:
    with db.write() as session:
        assert load_demo_terms(session) >= 60
    with db.write() as session:
        assert load_demo_terms(session) == 0  # loading again adds nothing
    with db.read() as session:
        documents = [term_document(t) for t in termbase.list_terms(session, limit=1000)]
        index = TermIndex.load(session)
    assert len(documents) >= 60
    preferred: dict[tuple[str, str], object] = {}
    for document in documents:
        forms = document["forms"]
        assert isinstance(forms, dict)
        assert sorted(forms) == sorted(DEFAULT_WORKING_LANGUAGES), document
        for language, form in forms.items():
            key = (language, fold(form, language))
            assert key not in preferred, (document, preferred[key])
            preferred[key] = document["id"]
            # each preferred form is found as itself, as one hit of its own term
            [hit] = index.hits(form, language)
            assert hit.term_id == document["id"]
            assert hit.form == form.rstrip(".")  # "Felipe VI." ends where its last word does
    kinds = {d["kind"] for d in documents}
    assert kinds == {"person", "title", "organisation", "place"}
