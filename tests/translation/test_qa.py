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


def test_figures_written_as_words_match_digits() -> None:
    source = _text(
        "en", "Fourteen agreements were signed; 3 deputies voted against and 27 abstained."
    )
    for language, paragraph in [
        ("de", "Vierzehn Abkommen wurden unterzeichnet; drei Abgeordnete stimmten dagegen, "
               "siebenundzwanzig enthielten sich."),
        ("ru", "Подписаны 14 соглашений; трое депутатов проголосовали против, двадцать семь "
               "воздержались."),
        ("az", "On dörd saziş imzalanıb; üç deputat əleyhinə, iyirmi yeddi nəfər bitərəf qalıb."),
        ("ar", "وُقّعت أربعة عشر اتفاقية، وعارض ثلاثة نواب وامتنع سبعة وعشرون."),
        ("zh", "共签署14项协议；三名议员反对，二十七人弃权。"),
        ("fr", "Quatorze accords ont été signés ; trois députés ont voté contre et vingt-sept se "
               "sont abstenus."),
        ("es", "Se firmaron catorce acuerdos; tres diputados votaron en contra y veintisiete se "
               "abstuvieron."),
    ]:  # fmt: skip
        assert _of(check(source, _text(language, paragraph)), "numbers") == [], language
    # and the other way round: digits in the translation for words in the source
    words = _text("az", "Yeddi deputatdan ibarət nümayəndə heyəti, on bir bərpaçı, altı təşkilat.")
    digits = _text("zh", "由7名议员组成的代表团，11名修复师，6个组织。")
    assert _of(check(words, digits), "numbers") == []


def test_ordinals_centuries_and_decades_are_their_numbers() -> None:
    source = _text(
        "az",
        "Kitablar XX əsrin 20-30-cu illərində nəşr olunub. Xalçalar XVIII-XIX əsrlərə aiddir.",
    )
    for language, paragraph in [
        ("en", "The books were printed in the 1920s and 1930s. The carpets date from the 18th "
               "and 19th centuries."),
        ("ru", "Книги изданы в 1920–1930-х годах. Ковры относятся к XVIII–XIX векам."),
        ("de", "Die Bücher erschienen in den 1920er- und 1930er-Jahren, die Teppiche im 18. und "
               "19. Jahrhundert."),
        ("ar", "طبعت الكتب في عشرينيات القرن العشرين وثلاثينياته، ويعود السجاد إلى القرنين الثامن "
               "عشر والتاسع عشر."),
        ("zh", "这些书印刷于20世纪20至30年代。地毯制作于18至19世纪。"),
    ]:  # fmt: skip
        assert _of(check(source, _text(language, paragraph)), "numbers") == [], language


def test_halves_ranges_and_units_spelt_differently() -> None:
    source = _text(
        "az",
        "Gözləmə müddəti 9 saatdan 2,5 saata enib. Tutum 15 milyon tondan 25 milyon tona "
        "çatacaq. Qar bir sutkada yağacaq.",
    )
    for language, paragraph in [
        ("en", "Waiting fell from nine hours to two and a half. Capacity will rise from 15 to 25 "
               "million tonnes. The snow will fall within 24 hours."),
        ("ar", "انخفض الانتظار من تسع ساعات إلى ساعتين ونصف. وسترتفع الطاقة من 15 إلى 25 مليون "
               "طن. وسيتساقط الثلج خلال 24 ساعة."),
        ("zh", "等待时间从九小时缩短到两个半小时。能力将从1500万吨提高到2500万吨。"
               "降雪将在24小时内。"),
    ]:  # fmt: skip
        assert _of(check(source, _text(language, paragraph)), "numbers") == [], language


def test_a_small_figure_gone_is_medium_but_a_changed_one_is_high() -> None:
    source = _text("en", "The plan was approved by 96 deputies, with 3 against, in 2019.")
    spelt = _of(check(source, _text("fr", "Le plan a été approuvé par 96 députés en 2019.")),
                "numbers")  # fmt: skip
    assert [(f.severity, f.message) for f in spelt] == [
        ("medium", "The number 3 in the source is missing from paragraph 1 of the translation, "
                   "unless it is written there in words."),
    ]  # fmt: skip
    for changed in ("97 députés, 3 contre, en 2019", "96 députés, 4 contre, en 2019",
                    "96 députés, 3 contre, en 2018"):  # fmt: skip
        findings = _of(check(source, _text("fr", f"Plan approuvé par {changed}.")), "numbers")
        assert HIGH in {f.severity for f in findings}, changed
    growth = _text("en", "Growth was 4.2%.")
    decimal = _of(check(growth, _text("de", "Das Wachstum lag bei 4,7 %.")), "numbers")
    assert {f.severity for f in decimal} == {HIGH}


def test_a_figure_changed_into_another_of_the_paragraph_is_found() -> None:
    source = _text("en", "Safarli scored 8 points out of 9, with seven wins and two draws.")
    right = _text("de", "Safarli holte 8 von 9 Punkten, sieben Siege und zwei Remis.")
    assert _of(check(source, right), "numbers") == []
    wrong = _text("de", "Safarli holte 9 von 9 Punkten, sieben Siege und zwei Remis.")
    assert [f.severity for f in _of(check(source, wrong), "numbers")] == [HIGH, HIGH]
    # digits for a figure the source spells out do not hide a figure changed into it
    spelt = _text("de", "Safarli holte 2 von 9 Punkten, sieben Siege und zwei Remis.")
    assert {f.severity for f in _of(check(source, spelt), "numbers")} == {HIGH}


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


def test_a_month_name_inside_a_word_is_no_date() -> None:
    # "platformaya 27": Azerbaijani "may" inside a word, followed by a figure
    source = _text("az", "Platformaya 27 stansiyanın məlumatları inteqrasiya ediləcək.")
    target = _text("en", "Data from 27 stations will be integrated into the platform.")
    findings = check(source, target)
    assert _of(findings, "numbers") == []
    assert _of(findings, "dates") == []


def test_a_date_moved_to_another_month_is_high() -> None:
    source = _text("az", "Qanun gələn ilin 1 yanvarından qüvvəyə minəcək.")
    same = _text("ar", "سيدخل القانون حيز التنفيذ في الأول من يناير من العام المقبل.")
    assert _of(check(source, same), "dates") == []
    moved = _of(check(source, _text("de", "Das Gesetz tritt am 1. Februar in Kraft.")), "dates")
    assert [(f.severity, f.target) for f in moved] == [(HIGH, "1. Februar")]


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
