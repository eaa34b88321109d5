"""QA findings a translator sees for one language version against its source."""

from __future__ import annotations

from newswire.translation.qa import HIGH, Finding, QAText, TermCheck, check


def _text(
    language: str, *paragraphs: str, headline: str = "", dateline: str | None = "x"
) -> QAText:
    if dateline == "x":
        dateline = {
            "en": "Baku, 19 February, AZERTAC",
            "fr": "Bakou, 19 février, AZERTAC",
            "de": "Baku, 19. Februar, AZERTAC",
            "es": "Bakú, 19 de febrero, AZERTAC",
            "ru": "Баку, 19 февраля, АЗЕРТАДЖ",
            "az": "Bakı, 19 fevral, AZƏRTAC",
            "ar": "باكو، 19 فبراير، أذرتاج",
            "zh": "巴库，2月19日，阿塞拜疆国家通讯社",
        }[language]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return QAText(language=language, headline=headline, body_html=body, dateline=dateline)


def _of(findings: list[Finding], name: str) -> list[Finding]:
    return [f for f in findings if f.check == name]


# --- numbers ---------------------------------------------------------------------------------


def test_numbers_compare_as_values_across_scripts_and_separators() -> None:
    source = _text("en", "Exports reached 1,234.5 million dollars and 4.3 billion manats in 2024.")
    for language, paragraph in [
        ("fr", "Les exportations ont atteint 1\u202f234,5 millions de dollars et 4,3 milliards "
               "de manats en 2024."),
        ("de", "Die Exporte erreichten 1.234,5 Millionen Dollar und 4,3 Milliarden Manat 2024."),
        ("ar", "بلغت الصادرات ١٬٢٣٤٫٥ مليون دولار و٤٫٣ مليار مانات في عام ٢٠٢٤."),
        ("zh", "2024年出口额达到12.345亿美元和43亿马纳特。"),
        ("ru", "Экспорт в 2024 году достиг 1 234,5 млн долларов и 4,3 млрд манатов."),
        ("es", "Las exportaciones alcanzaron 1.234,5 millones de dólares y 4.300 millones de "
               "manats en 2024."),
    ]:  # fmt: skip
        findings = check(source, _text(language, paragraph))
        assert _of(findings, "numbers") == [], language


def test_a_changed_figure_is_missing_and_extra() -> None:
    source = _text("en", "The forum brought together 3,500 delegates from 62 countries.")
    target = _text("fr", "Le forum a réuni 3\u202f600 délégués venus de 62 pays.")
    findings = _of(check(source, target), "numbers")
    assert [(f.severity, f.paragraph) for f in findings] == [(HIGH, 0), (HIGH, 0)]
    assert findings[0].message == (
        "The number 3,500 in the source is missing from paragraph 1 of the translation."
    )
    assert findings[1].message == (
        "The number 3\u202f600 in paragraph 1 of the translation is not in the source."
    )


def test_arabic_indic_digit_changed_is_found() -> None:
    source = _text("en", "Trade reached 705 million dollars.")
    assert _of(check(source, _text("ar", "بلغ حجم التبادل ٧٠٥ ملايين دولار.")), "numbers") == []
    wrong = _of(check(source, _text("ar", "بلغ حجم التبادل ٧٠٦ ملايين دولار.")), "numbers")
    assert {f.severity for f in wrong} == {HIGH}
    assert "٧٠٦" in wrong[-1].message


# --- dates -----------------------------------------------------------------------------------


def test_dates_in_every_language_match_the_source() -> None:
    source = _text("en", "The talks took place on 19 February.")
    for language, paragraph in [
        ("az", "Danışıqlar fevralın 19-da keçirilib."),
        ("ru", "Переговоры состоялись 19 февраля."),
        ("de", "Die Gespräche fanden am 19. Februar statt."),
        ("es", "Las conversaciones tuvieron lugar el 19 de febrero."),
        ("ar", "جرت المحادثات في ١٩ فبراير."),
        ("zh", "会谈于2月19日举行。"),
    ]:
        assert _of(check(source, _text(language, paragraph)), "dates") == [], language


def test_a_different_day_is_high_and_a_missing_date_medium() -> None:
    source = _text("en", "The talks took place on 19 February.")
    wrong = _of(check(source, _text("fr", "Les entretiens ont eu lieu le 18 février.")), "dates")
    assert [(f.severity, f.paragraph, f.target) for f in wrong] == [(HIGH, 0, "18 février")]
    absent = _of(check(source, _text("fr", "Les entretiens ont eu lieu hier.")), "dates")
    assert [f.severity for f in absent] == ["medium"]


# --- terms -----------------------------------------------------------------------------------

ALIYEV_RU = TermCheck("Ilham Aliyev", "Ильхам Алиев", ("Ильгам Алиев",))


def test_a_variant_instead_of_the_preferred_form_is_high() -> None:
    source = _text("en", "President Ilham Aliyev received the delegation.")
    target = _text("ru", "Президент Ильгам Алиев принял делегацию.")
    findings = _of(check(source, target, [ALIYEV_RU]), "terms")
    assert [(f.severity, f.paragraph) for f in findings] == [(HIGH, 0)]
    assert findings[0].message == "Wrong name form: write “Ильхам Алиев” instead of “Ильгам Алиев”."


def test_declined_preferred_forms_count_as_present() -> None:
    source = _text("en", "The delegation met Ilham Aliyev.")
    target = _text("ru", "Делегация встретилась с Ильхамом Алиевым.")
    assert _of(check(source, target, [ALIYEV_RU]), "terms") == []
    az = TermCheck("Ilham Aliyev", "İlham Əliyev", ("İlham Aliyev",))
    target_az = _text("az", "Nümayəndə heyəti İlham Əliyevin qəbulunda olub.")
    assert _of(check(_text("en", "x"), target_az, [az]), "terms") == []


def test_an_absent_term_is_medium_and_arabic_is_matched_inside_words() -> None:
    term = TermCheck("Ilham Aliyev", "إلهام علييف", ("إلهام عالييف",))
    source = _text("en", "Ilham Aliyev spoke.")
    assert _of(check(source, _text("ar", "وقال الرئيس.")), "terms") == []  # no terms given
    absent = _of(check(source, _text("ar", "وقال الرئيس."), [term]), "terms")
    assert [f.severity for f in absent] == ["medium"]
    present = check(source, _text("ar", "وقال الرئيس إلهام علييف."), [term])
    assert _of(present, "terms") == []


# --- paragraphs and length -------------------------------------------------------------------


def test_a_dropped_paragraph_is_named() -> None:
    source = _text(
        "en",
        "The forum opened on 3 June with 3,500 delegates.",
        "Gas exports reached 24.6 billion cubic metres in 2024.",
        "The forum will continue for three days.",
    )
    target = _text(
        "fr",
        "Le forum s'est ouvert le 3 juin avec 3\u202f500 délégués.",
        "Le forum durera trois jours.",
    )
    findings = _of(check(source, target), "paragraphs")
    assert [f.severity for f in findings] == [HIGH]
    assert findings[0].message == (
        "The source has 3 paragraphs and the translation 2: source paragraph 2 seems to have "
        "no counterpart."
    )


def test_length_outliers_follow_the_language_pair() -> None:
    sentence = "The head of state said that the country had exported natural gas to Europe."
    source = _text("en", sentence)
    fitting = _text("zh", "国家元首表示，该国已向欧洲出口天然气。")
    assert _of(check(source, fitting), "length") == []
    bloated = _text("zh", "国家元首表示，该国已向欧洲出口天然气。" * 4)
    findings = _of(check(source, bloated), "length")
    assert [(f.severity, f.paragraph) for f in findings] == [("medium", 0)]
    assert "unusually long" in findings[0].message


# --- untranslated ----------------------------------------------------------------------------


def test_source_language_left_in_the_target_is_high() -> None:
    source = _text(
        "en",
        "The exhibition will remain open to visitors until the end of the month. "
        "Organisers expect many visitors.",
    )
    target = _text(
        "fr",
        "The exhibition will remain open to visitors until the end of the month. "
        "Les organisateurs attendent de nombreux visiteurs.",
    )
    findings = _of(check(source, target), "untranslated")
    assert [(f.severity, f.paragraph) for f in findings] == [(HIGH, 0)]
    assert findings[0].target.startswith("The exhibition")  # type: ignore[union-attr]


def test_a_sentence_in_the_source_language_but_reworded_is_detected() -> None:
    source = _text("de", "Die Ausstellung ist bis Ende des Monats für Besucher geöffnet.")
    target = _text("es", "Die Ausstellung bleibt bis zum Monatsende für alle Besucher geöffnet.")
    findings = _of(check(source, target), "untranslated")
    assert [f.severity for f in findings] == [HIGH]
    assert "reads as de" in findings[0].message


def test_a_good_translation_is_not_untranslated() -> None:
    source = _text("en", "The exhibition will remain open to visitors until the end of the month.")
    target = _text("az", "Sərgi ayın sonunadək ziyarətçilərin üzünə açıq olacaq.")
    assert _of(check(source, target), "untranslated") == []


# --- dateline --------------------------------------------------------------------------------


def test_dateline_missing_copied_or_in_the_wrong_script() -> None:
    source = _text("en", "Text.")
    assert _of(check(source, _text("fr", "Texte.")), "dateline") == []
    for dateline, expected in [
        (None, "The translation has no dateline."),
        ("  ", "The translation has no dateline."),
        ("Baku, 19 February, AZERTAC", "The dateline is the source's, not localised for the "
                                       "translation."),
    ]:  # fmt: skip
        findings = _of(check(source, _text("fr", "Texte.", dateline=dateline)), "dateline")
        assert [(f.severity, f.message) for f in findings] == [(HIGH, expected)]
    latin = _of(check(source, _text("ru", "Текст.", dateline="Baku, 19 фев, АЗЕРТАДЖ")), "dateline")
    assert [f.message for f in latin] == [
        "The dateline place is not written in Cyrillic script: it is not localised."
    ]
    other_day = _of(
        check(source, _text("de", "Text.", dateline="Baku, 18. Februar, AZERTAC")), "dateline"
    )
    assert [f.message for f in other_day] == ["The date in the dateline differs from the source's."]


def test_findings_come_most_severe_first() -> None:
    source = _text("en", "The talks took place on 19 February.", "Trade reached 705 million.")
    target = _text(
        "fr",
        "Les entretiens ont eu lieu hier.",
        "Les échanges ont atteint 706 millions.",
        dateline=None,
    )
    findings = check(source, target)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    assert [(f.check, f.paragraph) for f in findings if f.severity == HIGH] == [
        ("dateline", None),
        ("numbers", 1),
        ("numbers", 1),
    ]
