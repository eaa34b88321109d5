"""Figures in a text as values, however a language writes them.

A translation may write a figure with digits where the source spells it out ("3" and "drei",
"ثلاث", "三"), as an ordinal ("20-ci", "20th", "vingtième"), as a Roman numeral (the XX century)
or as a decade ("20-ci illər", "the 1920s"). QA compares values: only figures written with
digits must be found in the other text; words, ordinals and Roman numerals are what can match
them there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# --- figures written with digits -----------------------------------------------------------------

# One character for one, so offsets in the normalised text are offsets in the original.
DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９٫٬٪",
    "01234567890123456789" + "0123456789" + ".,%",
)
_NUMBER = re.compile(
    r"(?<!\d)(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
)
_DECIMAL_COMMA = frozenset({"az", "ru", "fr", "de", "es"})
_T, _M, _B, _TR = Decimal(10**3), Decimal(10**6), Decimal(10**9), Decimal(10**12)
_SCALES: dict[str, tuple[tuple[str, Decimal], ...]] = {
    "en": (("thousand", _T), ("millions?", _M), ("mln", _M), ("m\\b", _M), ("billions?", _B),
           ("bn", _B), ("trillions?", _TR)),
    "fr": (("milliards?", _B), ("millions?", _M), ("mille", _T), ("billions?", _TR),
           ("mds?\\b", _B)),
    "de": (("milliarden?", _B), ("mrd\\.?", _B), ("millionen", _M), ("million", _M),
           ("mio\\.?", _M), ("tausend", _T), ("billionen?", _TR)),
    "es": (("mil millones", _B), ("millardos?", _B), ("millones", _M), ("millón", _M),
           ("mil\\b", _T), ("billones", _TR), ("billón", _TR)),
    "ru": (("млрд\\.?", _B), ("миллиард\\w*", _B), ("млн\\.?", _M), ("миллион\\w*", _M),
           ("тыс\\.?", _T), ("тысяч\\w*", _T), ("трлн\\.?", _TR), ("триллион\\w*", _TR)),
    "az": (("milyard\\w*", _B), ("mlrd\\.?", _B), ("milyon\\w*", _M), ("mln\\.?", _M),
           ("min\\w*", _T), ("trilyon\\w*", _TR)),
    "ar": (("مليارات", _B), ("مليار", _B), ("ملايين", _M), ("مليون", _M), ("آلاف", _T),
           ("ألف", _T), ("تريليون", _TR)),
    "zh": (("万亿", _TR), ("十亿", _B), ("千万", Decimal(10**7)), ("百万", _M),
           ("亿", Decimal(10**8)), ("万", Decimal(10**4)), ("千", _T)),
}  # fmt: skip
_SCALE_RE = {
    language: [(re.compile(r"[ \u00a0\u202f-]?(?:" + word + r")", re.IGNORECASE), factor)
               for word, factor in scales]
    for language, scales in _SCALES.items()
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure found in a text."""

    written: str
    values: frozenset[Decimal]  # what it may mean: with and without its scale word, and so on
    start: int
    end: int
    digits: bool  # written with digits: the other text must have it too


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def _readings(written: str, language: str) -> set[Decimal]:
    """The values a written figure can stand for under the language's separators."""
    compact = re.sub(r"[ \u00a0\u202f]", "", written)
    separators = [c for c in compact if c in ".,"]
    readings: set[str] = set()
    if not separators:
        readings.add(compact)
    else:
        last = separators[-1]
        groups = re.split(r"[.,]", compact)
        grouped = all(len(g) == 3 for g in groups[1:])
        if len(set(separators)) == 2:
            # both kinds: the last one is the decimal mark
            other = "," if last == "." else "."
            readings.add(compact.replace(other, "").replace(last, "."))
        elif len(separators) > 1:
            readings.add(compact.replace(last, ""))  # 1.234.567 or 1,234,567
        else:
            decimal_mark = "," if language in _DECIMAL_COMMA else "."
            if last == decimal_mark or not grouped:
                readings.add(compact.replace(last, "."))
            if grouped:
                readings.add(compact.replace(last, ""))
    values = {_decimal(r) for r in readings}
    return {v for v in values if v is not None}


def _scale(text: str, end: int, language: str) -> Decimal | None:
    """The factor of the scale word right after a figure (`4,3 milyard`, `12-million`)."""
    rest = text[end : end + 16]
    for pattern, factor in _SCALE_RE.get(language, []):
        if pattern.match(rest):
            return factor
    return None


def _scaled(values: set[Decimal], text: str, end: int, language: str) -> set[Decimal]:
    """The values, and the values times the scale word that follows."""
    factor = _scale(text, end, language)
    return values | {(v * factor).normalize() for v in values} if factor else values


# "from 15 to 25 million tonnes": the first figure of a range shares the second's scale
_RANGE = re.compile(
    r"\s*(?:[-–—]|to|and|à|et|a|y|bis|und|auf|hasta|до|и|dan|dən|ilə|إلى|و|至|到)?\s*",
    re.IGNORECASE,
)


def digit_figures(text: str, language: str) -> list[Figure]:
    """The figures written with digits, in any of the digit sets the languages use."""
    normal = text.translate(DIGITS)
    read: list[tuple[re.Match[str], set[Decimal], Decimal | None]] = []
    for match in _NUMBER.finditer(normal):
        values = _readings(match.group(), language)
        if values:
            read.append((match, values, _scale(normal, match.end(), language)))
    found: list[Figure] = []
    for i, (match, values, factor) in enumerate(read):
        if factor is None and i + 1 < len(read) and read[i + 1][2] is not None:
            following = read[i + 1][0]
            if _RANGE.fullmatch(normal, match.end(), following.start()):
                factor = read[i + 1][2]
        if factor is not None:
            values = values | {(v * factor).normalize() for v in values}
        # "20-30-cu illər" and "the 1920s and 1930s": a decade by its last two digits
        values |= {v % 100 for v in values if 1900 <= v <= 2090 and v % 10 == 0 and v % 100}
        found.append(
            Figure(text[match.start() : match.end()], frozenset(values), match.start(),
                   match.end(), digits=True)
        )  # fmt: skip
    return found


def century_of(figure: Figure) -> Figure | None:
    """A year stands for its century as well as for itself ("the 1920s" and "20世纪20年代"):
    the century as a figure of its own, or None when the figure is no year."""
    years = [v for v in figure.values if v == v.to_integral_value() and 1000 <= v <= 2100]
    if not figure.digits or not years:
        return None
    centuries = {Decimal(int(v) // 100 + 1) for v in years}
    centuries |= {Decimal(int(v) // 100) for v in years if v % 100 == 0}
    return Figure(figure.written, frozenset(centuries), figure.start, figure.end, digits=False)


# --- dates ---------------------------------------------------------------------------------------

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre|setiembre", "octubre", "noviembre", "diciembre"),
    "ru": ("январ[ья]", "феврал[ья]", "марта?", "апрел[ья]", "ма[йя]", "июн[ья]", "июл[ья]",
           "августа?", "сентябр[ья]", "октябр[ья]", "ноябр[ья]", "декабр[ья]"),
    "az": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
           "oktyabr", "noyabr", "dekabr"),
    "ar": ("يناير|كانون الثاني", "فبراير|شباط", "مارس|آذار", "أبريل|ابريل|نيسان", "مايو|أيار",
           "يونيو|يونيه|حزيران", "يوليو|يوليه|تموز", "أغسطس|اغسطس|آب", "سبتمبر|أيلول",
           "أكتوبر|اكتوبر|تشرين الأول", "نوفمبر|تشرين الثاني", "ديسمبر|كانون الأول"),
}  # fmt: skip
_DAY = r"(?P<day>\d{1,2})"
_WORD_START = r"(?<![^\W\d_])"  # "platformaya 27" is no 27 May
_DATE_SHAPES = {
    "en": (_DAY + r"(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{m})\b",
           _WORD_START + r"(?P<month>{m})\s+" + _DAY + r"(?:st|nd|rd|th)?\b"),
    "fr": (_DAY + r"(?:er)?\s+(?P<month>{m})\b",),
    "de": (_DAY + r"\.\s*(?P<month>{m})\b",),
    "es": (_DAY + r"\s+de\s+(?P<month>{m})\b",),
    "ru": (_DAY + r"\s+(?P<month>{m})\b",),
    "az": (_DAY + r"\s+(?P<month>{m})\w*",
           _WORD_START + r"(?P<month>{m})\w*\s+" + _DAY + r"(?!\d)"),
    # "الأول من يناير": the first of the month is often a word
    "ar": (_DAY + r"\s+(?:من\s+)?(?P<month>{m})", r"(?P<day>(?:ال)?[أا]ول)\s+من\s+(?P<month>{m})"),
}  # fmt: skip
_NUMERIC_DATES = (
    re.compile(r"(?<!\d)\d{4}(?P<sep>-)(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.\d{4}(?!\d)"),
    re.compile(r"(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"),
)


def _compile_dates() -> dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]]:
    compiled: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
    for language, shapes in _DATE_SHAPES.items():
        months = _MONTHS[language]
        alternation = "|".join(f"(?:{m})" for m in months)
        compiled[language] = [
            (re.compile(shape.replace("{m}", alternation), re.IGNORECASE), months)
            for shape in shapes
        ]
    return compiled


_NAMED_DATES = _compile_dates()


def _month_number(name: str, months: tuple[str, ...]) -> int:
    for number, pattern in enumerate(months, start=1):
        if re.fullmatch(f"(?:{pattern})", name, re.IGNORECASE):
            return number
    return 0


@dataclass(frozen=True, slots=True)
class Date:
    day: int
    month: int
    start: int  # the day-and-month part, which the numbers check leaves to this one
    end: int


def dates(text: str, language: str | None) -> list[Date]:
    """Day-and-month dates in `text`, by the month names of `language` (None: of all)."""
    normal = text.translate(DIGITS)
    found: list[Date] = []
    shapes = (
        _NAMED_DATES.get(language, [])
        if language
        else [shape for shapes in _NAMED_DATES.values() for shape in shapes]
    )
    for pattern, months in shapes:
        for match in pattern.finditer(normal):
            month = _month_number(match.group("month"), months)
            day = int(match.group("day")) if match.group("day").isdigit() else 1
            found.append(Date(day, month, match.start(), match.end()))
    for pattern in _NUMERIC_DATES:
        for match in pattern.finditer(normal):
            start = match.start("sep") if "sep" in pattern.groupindex else match.start()
            found.append(
                Date(int(match.group("day")), int(match.group("month")), start, match.end())
            )
    return [d for d in found if 1 <= d.day <= 31 and 1 <= d.month <= 12]


_CHINESE_MONTH = re.compile(r"(?<!\d)\d{1,2}(?=\s*月)")


def mask_dates(text: str) -> str:
    chars = list(text)
    # "1月至3月": Chinese names months by number, the others by word
    for match in _CHINESE_MONTH.finditer(text.translate(DIGITS)):
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    # every language's month names: a sentence left in the source language keeps its dates
    for date in dates(text, None):
        # the year stays a number; day and month are the dates check's business
        span = text[date.start : date.end].translate(DIGITS)
        year = re.search(r"\d{4}", span)
        for i in range(date.start, date.end):
            if year and date.start + year.start() <= i < date.start + year.end():
                continue
            chars[i] = " "
    return "".join(chars)


# --- figures written in words --------------------------------------------------------------------


def _words(spec: str) -> dict[str, int]:
    """`"one:1 two,deux:2"` as a table: every form before a colon has the value after it."""
    table: dict[str, int] = {}
    for entry in spec.split():
        forms, value = entry.rsplit(":", 1)
        for form in forms.split(","):
            table[form] = int(value)
    return table


_EN = _words(
    "zero:0 one:1 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 "
    "twelve,dozen:12 thirteen:13 fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 "
    "nineteen:19 twenty:20 thirty:30 forty:40 fifty:50 sixty:60 seventy:70 eighty:80 ninety:90 "
    "hundred:100 thousand:1000 first:1 second:2 third:3 fifth:5 eighth:8 ninth:9 twelfth:12"
)
_EN |= {f"{w}th": v for w, v in _EN.items() if v in (4, 6, 7, 10, 11, 100, 1000) or 13 <= v <= 19}
_EN |= {f"{w[:-1]}ieth": v for w, v in _EN.items() if 20 <= v <= 90 and w.endswith("y")}
_FR = _words(
    "zéro:0 un,une,premier,première:1 deux,second,seconde:2 trois:3 quatre:4 cinq:5 six:6 "
    "sept:7 huit:8 neuf:9 dix,dizaine:10 onze:11 douze,douzaine:12 treize:13 quatorze:14 "
    "quinze,quinzaine:15 seize:16 vingt,vingtaine:20 trente,trentaine:30 quarante,quarantaine:40 "
    "cinquante,cinquantaine:50 soixante,soixantaine:60 cent,centaine:100 "
    "mille:1000"
)
_FR |= {
    ("cinquième" if w == "cinq" else "neuvième" if w == "neuf" else w.rstrip("e") + "ième"): v
    for w, v in _FR.items()
    if v >= 2 and not w.endswith("aine") and w not in ("second", "seconde")
}
_ES = _words(
    "cero:0 un,uno,una,primer,primero,primera:1 dos,segundo,segunda:2 tres,tercer,tercero,"
    "tercera:3 cuatro,cuarto,cuarta:4 cinco,quinto,quinta:5 seis,sexto,sexta:6 siete,séptimo,"
    "séptima:7 ocho,octavo,octava:8 nueve,noveno,novena:9 diez,décimo,décima,decena:10 once:11 "
    "doce,docena:12 trece:13 catorce:14 quince:15 dieciséis:16 diecisiete:17 dieciocho:18 "
    "diecinueve:19 veinte,veintena,vigésimo,vigésima:20 veintiuno,veintiún,veintiuna:21 "
    "veintidós:22 veintitrés:23 veinticuatro:24 veinticinco:25 veintiséis:26 veintisiete:27 "
    "veintiocho:28 veintinueve:29 treinta,treintena:30 cuarenta:40 cincuenta:50 sesenta:60 "
    "setenta:70 ochenta:80 noventa:90 cien,ciento,centenar:100 doscientos,doscientas:200 "
    "trescientos,trescientas:300 cuatrocientos,cuatrocientas:400 quinientos,quinientas:500 "
    "centenares:100 mil:1000"
)
_AZ = _words(
    "sıfır:0 bir:1 iki:2 üç:3 dörd:4 beş:5 altı:6 yeddi:7 səkkiz:8 doqquz:9 on:10 iyirmi:20 "
    "otuz:30 qırx:40 əlli:50 altmış:60 yetmiş:70 səksən:80 doxsan:90 yüz:100 min:1000 sutka:24"
)
_AZ_HEADS = sorted(_AZ, key=len, reverse=True)
# case endings (üçü, ikisi, sutkada) and ordinals (birinci, üçüncü, onuncu)
_AZ_CASE = r"(?:[aəıiuü]|y[aə]|d[aə]n?|n[ıiuü]n?|[ıiuü]n|s[ıiuü]|l[aə]r?|yl[aə])"
_AZ_ORDINAL = re.compile(r"[ıiuü]?nc[ıiuü]" + _AZ_CASE + "?")
_AZ_SUFFIX = re.compile(_AZ_CASE)
_RU = _words(
    "ноль,нуль:0 один,одна,одно,одного,одной,одному,одним,одну,одни,одних,одном:1 "
    "два,две,двух,двум,двумя,двое,двоих:2 три,трех,трем,тремя,трое,троих:3 "
    "четыре,четырех,четырем,четырьмя,четверо:4 пять,пяти,пятью,пятеро:5 шесть,шести,шестью:6 "
    "семь,семи,семью:7 восемь,восьми,восемью:8 девять,девяти,девятью:9 десять,десяти,десятью,"
    "десяток,десятка,десятки,десятков:10 сорок,сорока:40 пятьдесят,пятидесяти:50 "
    "шестьдесят,шестидесяти:60 семьдесят,семидесяти:70 восемьдесят,восьмидесяти:80 "
    "девяносто,девяноста:90 сто,ста:100 двести,двухсот:200 триста,трехсот:300 "
    "четыреста,четырехсот:400 пятьсот,пятисот:500 тысяча,тысячи,тысячу,тысяч,тысячей:1000 "
    "сутки,суток,суткам,сутками:24 дюжина,дюжины:12"
)
_RU_TEENS = "один две три четыр пят шест сем восем девят"
_RU |= {
    f"{stem}{ending}": value
    for value, stem in enumerate(_RU_TEENS.split(), start=11)
    for ending in ("надцать", "надцати")
}
_RU |= {f"{stem}{e}": v for stem, v in (("двадцат", 20), ("тридцат", 30)) for e in "ьи"}
_RU_ORDINAL_STEMS = "перв втор трет четверт пят шест седьм восьм девят десят двадцат тридцат сот"
_RU_ORDINAL = re.compile(
    "(" + "|".join(_RU_ORDINAL_STEMS.split()) + ")"
    r"(?:ый|ой|ий|ая|ое|ые|ого|ому|ым|ом|ую|ых|ыми|ья|ье|ьи|ьего|ьему|ьей|ьим|ьих|ью|ей)$"
)
_RU_ORDINALS = dict(zip(
    _RU_ORDINAL_STEMS.split(),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 100), strict=True,
))  # fmt: skip
# сорокафутовый, пятилетний: a figure in the genitive at the start of a compound word
_RU_COMPOUND = re.compile(r"(двух|трех|четырех|пяти|шести|восьми|девяти|десяти|сорока)\w{3,}")
_AR = _words(
    "واحد,واحدة,احد,احدى,اول,اولى:1 اثنان,اثنين,اثنتان,اثنتين,اثنا,اثني,ثاني,ثانية:2 "
    "ثلاث,ثلاثة,ثالث,ثالثة:3 اربع,اربعة,رابع,رابعة:4 خمس,خمسة,خامس,خامسة:5 ست,ستة,سادس,سادسة:6 "
    "سبع,سبعة,سابع,سابعة:7 ثمان,ثماني,ثمانية,ثامن,ثامنة:8 تسع,تسعة,تاسع,تاسعة:9 "
    "عشر,عشرة,عاشر,عاشرة:10 مئة,مائة:100 مئتان,مئتين,مائتان,مائتين:200 الف,الاف:1000 "
    "الفين,الفان:2000"
)
_AR_TENS = "عشر ثلاث اربع خمس ست سبع ثمان تسع"
# the tens, and the decades: عشرون, ثلاثين, العشرينيات, وثلاثينياته
_AR |= {
    f"{stem}{ending}": tens * 10
    for tens, stem in enumerate(_AR_TENS.split(), start=2)
    for ending in ("ون", "ين", "ينيات", "ينياته", "ينياتها")
}
# A dual noun is two of it: ساعتين, نقطتين (feminine, by its ending), مترين, نائبان. The
# masculine dual ends like the plural (باحثين), so only units and the like are listed.
_AR_DUAL = re.compile(
    r"^(?:..+ت(?:ين|ان)|(?:مليون|مليار|متر|كيلومتر|عام|يوم|شهر|اسبوع|قرن|نائب|بلد|طرف)(?:ين|ان))$"
)
_AR_NOT_DUAL = frozenset({"بوتين", "روتين", "بروتين"})
# و and ف, then ب, ك or ل, then the article: والتاسع, بالعشرين, للثلاثين
_AR_PREFIXES = re.compile(r"^[وف]?(?:[بك]?ال|لل|[بلك])?")
_DE = {
    **_words(
        "null:0 ein,eins,erst:1 zwei,zwo,zweit:2 drei,dritt:3 vier:4 fünf:5 sechs:6 sieben,siebt:7 "
        "acht:8 neun:9 zehn:10 elf:11 zwölf,dutzend:12 dreizehn:13 vierzehn:14 fünfzehn:15 "
        "sechzehn:16 siebzehn:17 achtzehn:18 neunzehn:19 zwanzig:20 dreißig,dreissig:30 "
        "vierzig:40 fünfzig:50 sechzig:60 siebzig:70 achtzig:80 neunzig:90 hundert:100 "
        "tausend:1000"
    ),
    # joins and halves, which carry no value of their own: vierunddreißig, zweieinhalb
    "und": -1,
    "einhalb": -1,
    "halb": -1,
}
_DE_PART = re.compile("|".join(sorted(_DE, key=len, reverse=True)))
_DE_UNITS_FIRST = re.compile(
    r"(ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und"
    r"(zwanzig|dreißig|dreissig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig)"
)
_DE_ENDING = re.compile(r"(?:s?t)?(?:e|er|en|em|es|n|s)?$")
_TABLES = {"en": _EN, "fr": _FR, "es": _ES, "az": _AZ, "ru": _RU, "ar": _AR}
# Words that join the parts of one figure: "vingt et un", "treinta y cuatro".
_GAP = re.compile(r"[\s\-‐‑–]*")
_GAPS = {
    language: re.compile(rf"[\s\-‐‑–]*(?:{join}[\s\-]+)?", re.IGNORECASE)
    for language, join in (("en", "and"), ("fr", "et"), ("es", "y"), ("de", "und"))
}
# "two and a half", "deux heures et demie", "dos horas y media", "с половиной", "两个半"
_HALF = {
    "en": r"\band a half\b", "fr": r"\bet demie?\b", "es": r"\by medi[oa]\b",
    "de": r"einhalb\b", "ru": r"\bс половиной\b", "az": r"\byarım\b", "ar": "ونصف",
    "zh": "半",
}  # fmt: skip
_HALF_RE = {language: re.compile(pattern, re.IGNORECASE) for language, pattern in _HALF.items()}
_TOKEN = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640])+")
_MARKS = re.compile(r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_ROMAN = re.compile(r"(?<![^\W\d_])[IVXLC]+(?=(?:e|er|ème)?(?![^\W\d_]))")
_ROMAN_VALID = re.compile(r"C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_HAN = re.compile("[零〇一二两三四五六七八九十百千万亿]+")
_HAN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_HAN_UNIT = {"十": 10, "百": 100, "千": 1000}


def _fold(word: str, language: str) -> str:
    if language == "az":
        word = word.replace("İ", "i").replace("I", "ı")
    word = word.lower()
    if language == "ru":
        return word.replace("ё", "е")
    if language == "ar":
        word = _MARKS.sub("", unicodedata.normalize("NFC", word))
        return re.sub("[أإآ]", "ا", word).replace("ى", "ي")
    return unicodedata.normalize("NFC", word)


def _word_values(word: str, language: str) -> list[int]:
    """The values of one word (German writes a whole figure as one), or [] if it is none."""
    table = _TABLES.get(language, {})
    if word in table:
        return [table[word]]
    if language == "az":
        for head in _AZ_HEADS:
            if not word.startswith(head):
                continue
            rest = word[len(head) :]
            # "on" with a case ending is a pronoun: ona, onun, onlar
            if _AZ_ORDINAL.fullmatch(rest) or (head != "on" and _AZ_SUFFIX.fullmatch(rest)):
                return [_AZ[head]]
        return []
    if language == "ru":
        ordinal = _RU_ORDINAL.match(word)
        if ordinal:
            return [_RU_ORDINALS[ordinal.group(1)]]
        compound = _RU_COMPOUND.match(word)
        return [_RU[compound.group(1)]] if compound else []
    if language == "ar":
        bare = _AR_PREFIXES.sub("", word, count=1)
        if bare in _AR:
            return [_AR[bare]]
        return [2] if _AR_DUAL.search(bare) and bare not in _AR_NOT_DUAL else []
    if language == "fr" and word.endswith("s") and word[:-1] in _FR:
        return [_FR[word[:-1]]]  # quatre-vingts, centaines, premières
    if language == "es" and word.endswith("s") and word[:-1] in _ES:
        return [_ES[word[:-1]]]
    if language == "de":
        return _german(word)
    return []


def _german(word: str) -> list[int]:
    word = _DE_UNITS_FIRST.sub(r"\2\1", word)
    parts: list[int] = []
    position = 0
    while position < len(word):
        part = _DE_PART.match(word, position)
        if not part:
            break
        if _DE[part.group()] >= 0:
            parts.append(_DE[part.group()])
        position = part.end()
    if not parts:
        return []
    if _DE_ENDING.fullmatch(word, position):
        return parts
    # siebenköpfig, dreijährig: a figure at the start of a compound ("ein" starts too many)
    return parts if len(word) - position >= 4 and parts != [1] else []


def _joins(first: int, second: int, language: str) -> bool:
    """Whether two figure words in a row make one figure: twenty-seven, on bir, سبعة وعشرون."""
    if second in (100, 1000) and 0 < first < second:
        return True
    zeros = len(str(first)) - len(str(first).rstrip("0"))
    if first >= 10 and zeros and second < 10**zeros:
        return True
    if language == "fr" and (first, second) == (4, 20):
        return True  # quatre-vingts
    if language == "fr" and first in (60, 80) and 10 <= second < 20:
        return True  # soixante-dix, quatre-vingt-douze
    # Arabic puts the units first: ثلاثة عشر, سبعة وعشرون
    return (
        language == "ar"
        and 0 < first < 10
        and (second == 10 or (second % 10 == 0 and 20 <= second <= 90))
    )


def _combine(first: int, second: int) -> int:
    if (second in (100, 1000) and first < second) or (first, second) == (4, 20):
        return first * second
    return first + second


def _compose(parts: list[tuple[int, int]], language: str) -> list[tuple[int, int, set[int]]]:
    """The figures a run of figure words makes: (first word, last word, values) for each,
    the values being the figure and each word's own value in case they make no figure."""
    groups: list[tuple[int, int, set[int]]] = []
    current: int | None = None
    for word, part in parts:
        if current is not None and _joins(current, part, language):
            current = _combine(current, part)
            first, _, values = groups[-1]
            groups[-1] = (first, word, values | {part, current})
        else:
            current = part
            groups.append((word, word, {part}))
    return groups


def _han(run: str) -> int:
    """二十七 → 27, 两 → 2, 一万二千 → 12000."""
    total = section = number = 0
    for char in run:
        if char in _HAN_DIGIT:
            number = _HAN_DIGIT[char]
        elif char in _HAN_UNIT:
            section += (number or 1) * _HAN_UNIT[char]
            number = 0
        else:
            scale = 10**4 if char == "万" else 10**8
            total = (total + section + number) * scale
            section = number = 0
    return total + section + number


def word_figures(text: str, language: str) -> list[Figure]:
    """Figures written in words or Roman numerals, with the values they may stand for."""
    found: list[Figure] = []
    if language == "zh":
        for match in _HAN.finditer(text):
            if not set(match.group()) & set(_HAN_DIGIT) and match.group()[0] != "十":
                continue  # 百分之, 万: a unit alone is no figure
            value = frozenset({Decimal(_han(match.group()))})
            found.append(Figure(match.group(), value, match.start(), match.end(),
                                digits=False))  # fmt: skip
    else:
        run: list[tuple[re.Match[str], list[int]]] = []
        gap = _GAPS.get(language, _GAP)
        for match in _TOKEN.finditer(text):
            values = _word_values(_fold(match.group(), language), language)
            if not values:
                continue
            if run and not gap.fullmatch(text, run[-1][0].end(), match.start()):
                found += _run_figures(text, run, language)
                run = []
            run.append((match, values))
        if run:
            found += _run_figures(text, run, language)
    for match in _ROMAN.finditer(text):
        if _ROMAN_VALID.fullmatch(match.group()):
            found.append(Figure(match.group(), frozenset({Decimal(_roman(match.group()))}),
                                match.start(), match.end(), digits=False))  # fmt: skip
    return found


def _run_figures(
    text: str, run: list[tuple[re.Match[str], list[int]]], language: str
) -> list[Figure]:
    """The figures of a run of figure words: "الثامن عشر والتاسع عشر" is 18 and 19."""
    parts = [(word, value) for word, (_, values) in enumerate(run) for value in values]
    found: list[Figure] = []
    for first, last, values in _compose(parts, language):
        start, end = run[first][0].start(), run[last][0].end()
        scaled = _scaled({Decimal(v) for v in values}, text, end, language)
        found.append(Figure(text[start:end], frozenset(scaled), start, end, digits=False))
    return found


def _roman(numeral: str) -> int:
    values = [_ROMAN_VALUE[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))


def _halves(text: str, language: str, found: list[Figure]) -> list[Figure]:
    """Each figure followed closely by "and a half" also stands for itself plus one half."""
    pattern = _HALF_RE.get(language)
    if pattern is None:
        return found
    result = list(found)
    for match in pattern.finditer(text):
        # the figure ends before the half, or takes it in: zweieinhalb
        before = [(i, f) for i, f in enumerate(result) if f.start < match.start() <= f.end + 20]
        if before:
            i, figure = max(before, key=lambda item: item[1].end)
            result[i] = Figure(figure.written, figure.values | {v + Decimal("0.5") for v in
                               figure.values}, figure.start, figure.end, figure.digits)  # fmt: skip
    return result


def figures(text: str, language: str) -> list[Figure]:
    """Every figure in `text`, written with digits or not, in text order."""
    found = digit_figures(text, language) + word_figures(text, language)
    return _halves(text, language, sorted(found, key=lambda f: f.start))
