"""The demo agency's own objects: who it is, its bureaus, desks and staff."""

from __future__ import annotations

AGENCY_NAME = {
    "az": "Azərbaycan Dövlət İnformasiya Agentliyi",
    "ru": "Азербайджанское государственное информационное агентство",
    "en": "Azerbaijan State News Agency",
    "fr": "Agence d'information nationale d'Azerbaïdjan",
    "de": "Staatliche Nachrichtenagentur Aserbaidschans",
    "es": "Agencia Estatal de Noticias de Azerbaiyán",
    "ar": "وكالة أنباء أذربيجان الحكومية",
    "zh": "阿塞拜疆国家通讯社",
}
AGENCY_SHORT_NAME = {
    "az": "AZƏRTAC",
    "ru": "АЗЕРТАДЖ",
    "en": "AZERTAC",
    "fr": "AZERTAC",
    "de": "AZERTAC",
    "es": "AZERTAC",
    "ar": "أذرتاج",
    "zh": "阿塞拜疆国家通讯社",
}
AGENCY_DOMAIN = "azertac.az"
AGENCY_TIMEZONE = "Asia/Baku"

# code, country, time zone, default language, city per language
BUREAUS: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("baku", "AZ", "Asia/Baku", "az", {
        "az": "Bakı", "ru": "Баку", "en": "Baku", "fr": "Bakou", "de": "Baku",
        "es": "Bakú", "ar": "باكو", "zh": "巴库",
    }),
    ("moscow", "RU", "Europe/Moscow", "ru", {
        "az": "Moskva", "ru": "Москва", "en": "Moscow", "fr": "Moscou", "de": "Moskau",
        "es": "Moscú", "ar": "موسكو", "zh": "莫斯科",
    }),
    ("ankara", "TR", "Europe/Istanbul", "az", {
        "az": "Ankara", "ru": "Анкара", "en": "Ankara", "fr": "Ankara", "de": "Ankara",
        "es": "Ankara", "ar": "أنقرة", "zh": "安卡拉",
    }),
    ("paris", "FR", "Europe/Paris", "fr", {
        "az": "Paris", "ru": "Париж", "en": "Paris", "fr": "Paris", "de": "Paris",
        "es": "París", "ar": "باريس", "zh": "巴黎",
    }),
    ("berlin", "DE", "Europe/Berlin", "de", {
        "az": "Berlin", "ru": "Берлин", "en": "Berlin", "fr": "Berlin", "de": "Berlin",
        "es": "Berlín", "ar": "برلين", "zh": "柏林",
    }),
    ("beijing", "CN", "Asia/Shanghai", "zh", {
        "az": "Pekin", "ru": "Пекин", "en": "Beijing", "fr": "Pékin", "de": "Peking",
        "es": "Pekín", "ar": "بكين", "zh": "北京",
    }),
]  # fmt: skip

DESKS: list[tuple[str, dict[str, str]]] = [
    ("politics", {
        "az": "Siyasət", "ru": "Политика", "en": "Politics", "fr": "Politique",
        "de": "Politik", "es": "Política", "ar": "السياسة", "zh": "政治",
    }),
    ("economy", {
        "az": "İqtisadiyyat", "ru": "Экономика", "en": "Economy", "fr": "Économie",
        "de": "Wirtschaft", "es": "Economía", "ar": "الاقتصاد", "zh": "经济",
    }),
    ("world", {
        "az": "Dünya", "ru": "В мире", "en": "World", "fr": "Monde",
        "de": "Welt", "es": "Mundo", "ar": "العالم", "zh": "国际",
    }),
    ("culture", {
        "az": "Mədəniyyət", "ru": "Культура", "en": "Culture", "fr": "Culture",
        "de": "Kultur", "es": "Cultura", "ar": "الثقافة", "zh": "文化",
    }),
]  # fmt: skip

# name, role, desks, bureau, translator languages. Demo passwords are "<name>-demo" and are
# printed by `newswire demo`: the demo is for trying newswire out, never for production.
USERS: list[tuple[str, str, list[str], str | None, list[str]]] = [
    ("leyla", "reporter", ["politics", "world"], "baku", []),
    ("camille", "reporter", ["world", "culture"], "paris", []),
    ("rashad", "editor", ["politics", "economy", "world"], "baku", []),
    ("nigar", "translator", [], "baku", ["ru", "en", "fr", "de", "es", "ar", "zh"]),
    ("chief", "chief_editor", [], "baku", []),
    ("admin", "admin", [], None, []),
]

SUBSCRIBER = "demo-subscriber"
# The products the agency sells: name, languages, desks, most urgent level (1 = flash only).
PRODUCTS: list[tuple[str, list[str], list[str], int]] = [
    ("World service", ["en", "fr", "de", "es", "ar", "zh"], [], 9),
    ("Russian service", ["ru"], [], 9),
    ("Economy flashes", [], ["economy"], 3),
]
# The demo subscriber takes the whole wire (a product of its own) and the world service.
SUBSCRIBER_PRODUCTS = ["World service"]
STORY_KILLED = "moscow-snowfall-baku-flights-delayed"
STORY_EMBARGOED = "shamakhi-observatory-china-astronomy-agreement"
EMBARGO_HOURS = 3
