"""The reader website's interface strings in every working language.

Each table is written for its language, not word-for-word from English: the
agency name and the language name are inserted as they are (no case endings,
no elision), so the phrasing around {agency} and {language} is chosen to stay
grammatical whatever name is filled in. Dates arrive formatted by Babel with
a time ("19 Feb 2026, 10:05:00"), so the sentences around {date} allow that.
"""

from __future__ import annotations

UI_LANGUAGES: tuple[str, ...] = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")

# French typography puts a non-breaking space before a colon and inside
# guillemets; spelled as an escape so it cannot be lost or mistaken for a space.
_NBSP = "\u00a0"

_EN: dict[str, str] = {
    "skip_to_content": "Skip to content",
    "home": "Home",
    "latest": "Latest news",
    "top_story": "Top story",
    "topics": "Topics",
    "search": "Search",
    "search_label": "Search the news",
    "search_button": "Search",
    "search_results": "Results for “{query}”",
    "search_count": "Stories found: {count}",
    "no_results": "No stories match your search.",
    "search_hint": "Type one or more words to search the news.",
    "page_n": "Page {n}",
    "older": "Older stories",
    "newer": "Newer stories",
    "pagination": "Pages",
    "languages": "Languages",
    "read_in": "Also in",
    "published": "Published",
    "updated": "Updated",
    "correction": "Correction",
    "corrected_note": "This story was corrected on {date}.",
    "flash": "Flash",
    "urgent": "Urgent",
    "feeds": "Feeds",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: RSS feed",
    "main_navigation": "Main navigation",
    "topic_navigation": "Sections",
    "more_in": "More in {topic}",
    "empty_page": "There are no stories on this page.",
    "no_stories": "No stories have been published yet.",
    "not_found_title": "Page not found",
    "not_found_text": (
        "There is no page at this address. It may have been moved, or the address may be mistyped."
    ),
    "gone_title": "Story withdrawn",
    "gone_text": "This story has been withdrawn by {agency} and is no longer available.",
    "bad_request_title": "Bad request",
    "bad_request_text": "The address contains a value we cannot read: {detail}",
    "back_home": "Go to the front page",
    "site_description": (
        "News from {agency} in {language}: politics, economy, the world and culture."
    ),
    "topic_description": "{topic}: the latest news from {agency}.",
    "rights": "© {year} {agency}. All rights reserved.",
    "photo": "Photo",
    "photo_credit": "Photo: {credit}",
    "by": "By {byline}",
    "feed_description": "The latest news from {agency}",
    "topic_feed_description": "{topic}: the latest news from {agency}",
}

_AZ: dict[str, str] = {
    "skip_to_content": "Əsas məzmuna keç",
    "home": "Ana səhifə",
    "latest": "Son xəbərlər",
    "top_story": "Əsas xəbər",
    "topics": "Mövzular",
    "search": "Axtarış",
    "search_label": "Xəbərlərdə axtarış",
    "search_button": "Axtar",
    "search_results": "“{query}” üzrə axtarış nəticələri",
    "search_count": "Tapılan xəbərlər: {count}",
    "no_results": "Axtarışınıza uyğun xəbər tapılmadı.",
    "search_hint": "Xəbərlərdə axtarmaq üçün bir və ya bir neçə söz yazın.",
    "page_n": "Səhifə {n}",
    "older": "Əvvəlki xəbərlər",
    "newer": "Sonrakı xəbərlər",
    "pagination": "Səhifələr",
    "languages": "Dillər",
    "read_in": "Digər dillərdə",
    "published": "Dərc olunub",
    "updated": "Yenilənib",
    "correction": "Düzəliş",
    "corrected_note": "Bu xəbərə {date} tarixində düzəliş edilib.",
    "flash": "Son dəqiqə",
    "urgent": "Təcili",
    "feeds": "Lentlər",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: RSS lenti",
    "main_navigation": "Əsas menyu",
    "topic_navigation": "Bölmələr",
    # A suffix on {topic} would have to follow vowel harmony, which a
    # template cannot do; the colon form needs no suffix.
    "more_in": "{topic}: digər xəbərlər",
    "empty_page": "Bu səhifədə xəbər yoxdur.",
    "no_stories": "Hələ heç bir xəbər dərc olunmayıb.",
    "not_found_title": "Səhifə tapılmadı",
    "not_found_text": (
        "Bu ünvanda səhifə yoxdur. "
        "Ola bilsin ki, səhifə başqa ünvana köçürülüb və ya ünvan səhv yazılıb."
    ),
    "gone_title": "Xəbər geri çağırılıb",
    "gone_text": "Bu xəbər {agency} tərəfindən geri çağırılıb və artıq əlçatan deyil.",
    "bad_request_title": "Yanlış sorğu",
    "bad_request_text": "Ünvanda oxuya bilmədiyimiz dəyər var: {detail}",
    "back_home": "Ana səhifəyə qayıt",
    "site_description": (
        "{agency} xəbərləri ({language}): siyasət, iqtisadiyyat, dünya və mədəniyyət."
    ),
    # "{agency}-ın/-in/-un/-ün" depends on the name's last vowel, so the agency
    # is set apart with a dash instead of taking a genitive ending.
    "topic_description": "{topic}: son xəbərlər — {agency}.",
    "rights": "© {year} {agency}. Bütün hüquqlar qorunur.",
    "photo": "Foto",
    "photo_credit": "Foto: {credit}",
    "by": "Müəllif: {byline}",
    "feed_description": "{agency}: son xəbərlər",
    "topic_feed_description": "{topic}: son xəbərlər — {agency}",
}

_RU: dict[str, str] = {
    "skip_to_content": "Перейти к содержанию",
    "home": "Главная",
    "latest": "Последние новости",
    "top_story": "Главное",
    "topics": "Темы",
    "search": "Поиск",
    "search_label": "Поиск по новостям",
    "search_button": "Найти",
    "search_results": "Результаты по запросу «{query}»",
    "search_count": "Найдено материалов: {count}",
    "no_results": "По вашему запросу ничего не найдено.",
    "search_hint": "Введите одно или несколько слов для поиска по новостям.",
    "page_n": "Страница {n}",
    "older": "Более ранние материалы",
    "newer": "Более новые материалы",
    "pagination": "Страницы",
    "languages": "Языки",
    "read_in": "На других языках",
    "published": "Опубликовано",
    "updated": "Обновлено",
    "correction": "Исправление",
    "corrected_note": "Материал исправлен {date}.",
    "flash": "Молния",
    "urgent": "Срочно",
    "feeds": "Ленты",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: RSS-лента",
    "main_navigation": "Главное меню",
    "topic_navigation": "Разделы",
    "more_in": "Ещё в рубрике «{topic}»",
    "empty_page": "На этой странице нет материалов.",
    "no_stories": "Пока не опубликовано ни одного материала.",
    "not_found_title": "Страница не найдена",
    "not_found_text": (
        "По этому адресу страницы нет. Возможно, она была перемещена или адрес набран с ошибкой."
    ),
    "gone_title": "Материал отозван",
    # "агентством" carries the case, so the name itself can stay as given.
    "gone_text": "Этот материал отозван агентством {agency} и больше недоступен.",
    "bad_request_title": "Некорректный запрос",
    "bad_request_text": "Адрес содержит значение, которое не удалось распознать: {detail}",
    "back_home": "На главную",
    # {language} is the native name ("Русский"), which cannot follow "на";
    # the parenthesis takes it in any form.
    "site_description": "Новости {agency} ({language}): политика, экономика, мир и культура.",
    "topic_description": "{topic}: последние новости {agency}.",
    "rights": "© {year} {agency}. Все права защищены.",
    "photo": "Фото",
    "photo_credit": "Фото: {credit}",
    "by": "Автор: {byline}",
    "feed_description": "Последние новости {agency}",
    "topic_feed_description": "{topic}: последние новости {agency}",
}

_FR: dict[str, str] = {
    "skip_to_content": "Aller au contenu",
    "home": "Accueil",
    "latest": "Dernières actualités",
    "top_story": "À la une",
    "topics": "Thèmes",
    "search": "Recherche",
    "search_label": "Rechercher dans l’actualité",
    "search_button": "Rechercher",
    "search_results": f"Résultats pour «{_NBSP}{{query}}{_NBSP}»",
    "search_count": f"Articles trouvés{_NBSP}: {{count}}",
    "no_results": "Aucun article ne correspond à votre recherche.",
    "search_hint": "Saisissez un ou plusieurs mots pour rechercher dans l’actualité.",
    "page_n": "Page {n}",
    "older": "Articles plus anciens",
    "newer": "Articles plus récents",
    "pagination": "Pages",
    "languages": "Langues",
    "read_in": "Dans d’autres langues",
    # The page puts a date and time right after these labels.
    "published": "Publié le",
    "updated": "Mis à jour le",
    "correction": "Rectificatif",
    "corrected_note": "Cet article a été rectifié le {date}.",
    "flash": "Flash",
    "urgent": "Urgent",
    "feeds": "Flux",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": f"{{topic}}{_NBSP}: flux RSS",
    "main_navigation": "Navigation principale",
    "topic_navigation": "Rubriques",
    "more_in": f"Plus d’articles{_NBSP}: {{topic}}",
    "empty_page": "Il n’y a aucun article sur cette page.",
    "no_stories": "Aucun article n’a encore été publié.",
    "not_found_title": "Page introuvable",
    "not_found_text": (
        "Aucune page ne correspond à cette adresse. "
        "Elle a peut-être été déplacée, ou l’adresse contient une faute de frappe."
    ),
    "gone_title": "Article retiré",
    "gone_text": "Cet article a été retiré par {agency} et n’est plus disponible.",
    "bad_request_title": "Requête incorrecte",
    "bad_request_text": (
        f"L’adresse contient une valeur que nous ne pouvons pas interpréter{_NBSP}: {{detail}}"
    ),
    "back_home": "Retour à l’accueil",
    # "de {agency}" would need elision before a vowel ("d’AZERTAC", "de l’AFP"),
    # which a template cannot know; these phrasings avoid "de" before the name.
    "site_description": (
        f"{{agency}} ({{language}}){_NBSP}: l’actualité politique, économique, "
        "internationale et culturelle."
    ),
    "topic_description": f"{{topic}}{_NBSP}: les dernières actualités, par {{agency}}.",
    "rights": "© {year} {agency}. Tous droits réservés.",
    "photo": "Photo",
    "photo_credit": "Photo : {credit}",
    "by": "Par {byline}",
    "feed_description": "Les dernières actualités, par {agency}",
    "topic_feed_description": f"{{topic}}{_NBSP}: les dernières actualités, par {{agency}}",
}

_DE: dict[str, str] = {
    "skip_to_content": "Zum Inhalt springen",
    "home": "Startseite",
    "latest": "Neueste Meldungen",
    "top_story": "Topthema",
    "topics": "Themen",
    "search": "Suche",
    "search_label": "Nachrichten durchsuchen",
    "search_button": "Suchen",
    "search_results": "Ergebnisse für „{query}“",
    "search_count": "Gefundene Meldungen: {count}",
    "no_results": "Zu Ihrer Suche wurden keine Meldungen gefunden.",
    "search_hint": "Geben Sie ein oder mehrere Wörter ein, um die Nachrichten zu durchsuchen.",
    "page_n": "Seite {n}",
    "older": "Ältere Meldungen",
    "newer": "Neuere Meldungen",
    "pagination": "Seiten",
    "languages": "Sprachen",
    "read_in": "In weiteren Sprachen",
    # The page puts a date and time right after these labels.
    "published": "Veröffentlicht am",
    "updated": "Aktualisiert am",
    "correction": "Berichtigung",
    "corrected_note": "Diese Meldung wurde am {date} berichtigt.",
    "flash": "Blitzmeldung",
    "urgent": "Eilmeldung",
    "feeds": "Feeds",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: RSS-Feed",
    "main_navigation": "Hauptnavigation",
    "topic_navigation": "Ressorts",
    "more_in": "Mehr zum Thema {topic}",
    "empty_page": "Auf dieser Seite gibt es keine Meldungen.",
    "no_stories": "Es wurden noch keine Meldungen veröffentlicht.",
    "not_found_title": "Seite nicht gefunden",
    "not_found_text": (
        "Unter dieser Adresse gibt es keine Seite. "
        "Vielleicht wurde sie verschoben, oder die Adresse enthält einen Tippfehler."
    ),
    "gone_title": "Meldung zurückgezogen",
    "gone_text": "Diese Meldung wurde von {agency} zurückgezogen und ist nicht mehr verfügbar.",
    "bad_request_title": "Ungültige Anfrage",
    "bad_request_text": "Die Adresse enthält einen Wert, den wir nicht lesen können: {detail}",
    "back_home": "Zur Startseite",
    # {language} is the native name ("Deutsch"); "auf Deutsch" would break for
    # other names, so it goes in parentheses.
    "site_description": (
        "Nachrichten von {agency} ({language}): Politik, Wirtschaft, Welt und Kultur."
    ),
    "topic_description": "{topic}: die neuesten Meldungen von {agency}.",
    "rights": "© {year} {agency}. Alle Rechte vorbehalten.",
    "photo": "Foto",
    "photo_credit": "Foto: {credit}",
    "by": "Von {byline}",
    "feed_description": "Die neuesten Meldungen von {agency}",
    "topic_feed_description": "{topic}: die neuesten Meldungen von {agency}",
}

_ES: dict[str, str] = {
    "skip_to_content": "Saltar al contenido",
    "home": "Portada",
    "latest": "Últimas noticias",
    "top_story": "Noticia destacada",
    "topics": "Temas",
    "search": "Buscar",
    "search_label": "Buscar noticias",
    "search_button": "Buscar",
    "search_results": "Resultados para «{query}»",
    "search_count": "Noticias encontradas: {count}",
    "no_results": "Ninguna noticia coincide con su búsqueda.",
    "search_hint": "Escriba una o varias palabras para buscar noticias.",
    "page_n": "Página {n}",
    "older": "Noticias anteriores",
    "newer": "Noticias más recientes",
    "pagination": "Páginas",
    "languages": "Idiomas",
    "read_in": "En otros idiomas",
    # The page puts a date and time right after these labels.
    "published": "Publicado el",
    "updated": "Actualizado el",
    "correction": "Corrección",
    "corrected_note": "Esta noticia se corrigió el {date}.",
    "flash": "Flash",
    "urgent": "Urgente",
    "feeds": "Canales",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: canal RSS",
    "main_navigation": "Navegación principal",
    "topic_navigation": "Secciones",
    "more_in": "Más noticias de {topic}",
    "empty_page": "No hay noticias en esta página.",
    "no_stories": "Todavía no se ha publicado ninguna noticia.",
    "not_found_title": "Página no encontrada",
    "not_found_text": (
        "No hay ninguna página en esta dirección. "
        "Es posible que se haya trasladado o que la dirección esté mal escrita."
    ),
    "gone_title": "Noticia retirada",
    "gone_text": "Esta noticia ha sido retirada por {agency} y ya no está disponible.",
    "bad_request_title": "Solicitud incorrecta",
    "bad_request_text": "La dirección contiene un valor que no podemos leer: {detail}",
    "back_home": "Ir a la portada",
    "site_description": (
        "Noticias de {agency} ({language}): política, economía, internacional y cultura."
    ),
    "topic_description": "{topic}: las últimas noticias de {agency}.",
    "rights": "© {year} {agency}. Todos los derechos reservados.",
    "photo": "Foto",
    "photo_credit": "Foto: {credit}",
    "by": "Por {byline}",
    "feed_description": "Las últimas noticias de {agency}",
    "topic_feed_description": "{topic}: las últimas noticias de {agency}",
}

_AR: dict[str, str] = {
    "skip_to_content": "انتقل إلى المحتوى",
    "home": "الرئيسية",
    "latest": "آخر الأخبار",
    "top_story": "الخبر الأبرز",
    "topics": "المواضيع",
    "search": "بحث",
    "search_label": "ابحث في الأخبار",
    "search_button": "بحث",
    "search_results": "نتائج البحث عن «{query}»",
    "search_count": "عدد النتائج: {count}",
    "no_results": "لا توجد أخبار تطابق بحثك.",
    "search_hint": "اكتب كلمة أو أكثر للبحث في الأخبار.",
    "page_n": "الصفحة {n}",
    "older": "أخبار أقدم",
    "newer": "أخبار أحدث",
    "pagination": "الصفحات",
    "languages": "اللغات",
    "read_in": "بلغات أخرى",
    # The page puts a date and time right after these labels.
    "published": "نُشر في",
    "updated": "حُدّث في",
    "correction": "تصحيح",
    "corrected_note": "جرى تصحيح هذا الخبر بتاريخ {date}.",
    "flash": "عاجل جدًا",
    "urgent": "عاجل",
    "feeds": "الخلاصات",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}: خلاصة RSS",
    "main_navigation": "القائمة الرئيسية",
    "topic_navigation": "الأقسام",
    "more_in": "المزيد في قسم {topic}",
    "empty_page": "لا توجد أخبار في هذه الصفحة.",
    "no_stories": "لم يُنشر أي خبر بعد.",
    "not_found_title": "الصفحة غير موجودة",
    "not_found_text": (
        "لا توجد صفحة على هذا الرابط. ربما نُقلت إلى مكان آخر، أو كُتب الرابط بشكل خاطئ."
    ),
    "gone_title": "تم سحب الخبر",
    # The passive keeps the verb free of the agency name's grammatical gender.
    "gone_text": "تم سحب هذا الخبر من قِبل {agency}، ولم يعد متاحًا.",
    "bad_request_title": "طلب غير صالح",
    "bad_request_text": "يحتوي الرابط على قيمة لا يمكننا قراءتها: {detail}",
    "back_home": "العودة إلى الصفحة الرئيسية",
    "site_description": (
        "أخبار {agency} ({language}): السياسة والاقتصاد والشؤون الدولية والثقافة."
    ),
    "topic_description": "{topic}: آخر أخبار {agency}.",
    "rights": "© {year} {agency}. جميع الحقوق محفوظة.",
    "photo": "صورة",
    "photo_credit": "صورة: {credit}",
    "by": "بقلم {byline}",
    "feed_description": "آخر أخبار {agency}",
    "topic_feed_description": "{topic}: آخر أخبار {agency}",
}

_ZH: dict[str, str] = {
    "skip_to_content": "跳至正文",
    "home": "首页",
    "latest": "最新消息",
    "top_story": "头条",
    "topics": "主题",
    "search": "搜索",
    "search_label": "搜索新闻",
    "search_button": "搜索",
    "search_results": "“{query}”的搜索结果",
    "search_count": "共找到{count}条新闻",
    "no_results": "未找到与搜索内容相符的新闻。",
    "search_hint": "请输入一个或多个关键词搜索新闻。",
    "page_n": "第{n}页",
    "older": "较早的新闻",
    "newer": "较新的新闻",
    "pagination": "分页",
    "languages": "语言",
    "read_in": "其他语言版本",
    # The page puts a date and time right after these labels.
    "published": "发布于",
    "updated": "更新于",
    "correction": "更正",
    "corrected_note": "本文已于{date}更正。",
    "flash": "快讯",
    "urgent": "紧急",
    "feeds": "订阅源",
    "rss": "RSS",
    "atom": "Atom",
    "topic_feed": "{topic}：RSS订阅源",
    "main_navigation": "主导航",
    "topic_navigation": "栏目",
    "more_in": "更多{topic}新闻",
    "empty_page": "本页暂无新闻。",
    "no_stories": "暂无已发布的新闻。",
    "not_found_title": "页面不存在",
    "not_found_text": "此地址没有对应的页面。页面可能已被移动，或地址输入有误。",
    "gone_title": "稿件已撤回",
    "gone_text": "此稿件已被{agency}撤回，无法再查看。",
    "bad_request_title": "请求无效",
    "bad_request_text": "地址中包含无法识别的值：{detail}",
    "back_home": "返回首页",
    "site_description": "{agency}新闻（{language}）：时政、经济、国际、文化。",
    "topic_description": "{topic}：{agency}最新消息。",
    "rights": "© {year} {agency} 版权所有",
    "photo": "图片",
    "photo_credit": "图片：{credit}",
    "by": "作者：{byline}",
    "feed_description": "{agency}最新消息",
    "topic_feed_description": "{topic}：{agency}最新消息",
}

STRINGS: dict[str, dict[str, str]] = {
    "az": _AZ,
    "ru": _RU,
    "en": _EN,
    "fr": _FR,
    "de": _DE,
    "es": _ES,
    "ar": _AR,
    "zh": _ZH,
}


def text(language: str, key: str, /, **values: object) -> str:
    """The string in `language` (English when the language has none), with {placeholders} filled."""
    # Positional-only, because "site_description" has a {language} placeholder:
    # as a keyword value it would otherwise collide with the first parameter.
    table = STRINGS.get(language, _EN)
    # English is the reference table: a key missing there is a typo in the
    # caller and must fail loudly, while a gap in a translation degrades to English.
    template = table[key] if key in table else _EN[key]
    return template.format(**values)
