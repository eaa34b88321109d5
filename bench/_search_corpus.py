"""A synthetic news corpus for the search benchmark: eight languages, Zipf-distributed words.

Each language has a vocabulary of a few hundred news words, most frequent first. Texts draw
words with probability proportional to 1 / (rank + 1), so the first few words turn up in
nearly every text and a two-word query of words among the 30 most frequent matches from a
few thousand to 100,000+ of the 125,000 texts of a language, while the last words of a list
are in about 1-2% of texts. Nothing is cached: every run generates the corpus again from
the same seed, which takes seconds.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from newswire.search.text import Term, index_text

LANGUAGES = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")

# Most frequent first. Written as a reader would type them (capitals, diacritics, harakat).
_VOCABULARY = {
    "az": """
        və bu ilə üçün bir prezident də nazir hökumət ölkə il Azərbaycan bildirib Bakı
        qeyd ildə görüş danışıqlar təhlükəsizlik əməkdaşlıq iqtisadiyyat inkişaf layihə
        enerji neft qaz respublikası şəhər parlament Məclis seçki rəsmi məlumat ixrac idxal
        ticarət bazar qiymət artım faiz milyon milyard manat dollar bank büdcə vergi
        inflyasiya məzənnə nəqliyyat dəmir yolu hava limanı liman yük boru kəməri sərhəd
        sülh səfər nümayəndə heyəti sammit konfrans partiya qanun məhkəmə polis rayon kənd
        şirkət sənaye işçi tikinti mənzil məktəb universitet tələbə xəstəxana həkim
        səhiyyə peyvənd mədəniyyət festival muzey film musiqi idman futbol oyun komanda
        çempionat oyunçu məşqçi qələbə məğlubiyyət final mövsüm fırtına daşqın zəlzələ
        yanğın xilasedici yaralı həlak qəza körpü ertəsi çərşənbə axşamı cümə şənbə
        yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr səhər
        axşam gecə gün dünən sabah açıqlayıb təsdiqləyib imzalayıb rədd başladı açıldı
        bağlandı keçirilib müzakirə gözlənilir planlaşdırır davam qayıtdı gəldi ziyarət
        çağırıb tələb Moskva Paris Berlin Madrid Pekin Qahirə London Vaşinqton Ankara
        Tehran Tbilisi Gəncə Sumqayıt Şəki Qəbələ Lənkəran Naxçıvan Şuşa Xankəndi Ağdam
        Füzuli Xəzər dənizi beynəlxalq regional milli dövlət nazirliyi xarici işlər daxili
        müdafiə ordu əsgər hərbi təlim sazişi müqavilə memorandum investisiya sərmayə
        fond istehsal kənd təsərrüfatı pambıq üzüm taxıl su elektrik stansiya günəş külək
        rəqəmsal texnologiya internet rabitə mobil televiziya qəzet jurnalist agentlik
        mətbuat xidməti sədr müavin baş katib səfir konsul qonaq mərasim sərgi yarmarka
        turizm otel qonaqlar abidə tarix alim akademiya kitab yazıçı şair teatr opera
        konsert rəssam uşaq gənclər qadın ailə pensiya maaş əmək məşğulluq işsizlik
        sosial yardım xeyriyyə ekologiya meşə çay göl dağ qar yağış temperatur iqlim
        """,
    "ru": """
        в и на что с по не о к из за от для президент правительство министр заявил года
        также году России страны время сообщил встреча переговоры безопасности
        сотрудничества экономики развития совет парламент выборы партия закон суд полиция
        город области компании рынок нефти газа цены рост процентов миллионов миллиардов
        рублей долларов банк бюджет налог инфляция курс экспорт импорт торговля транспорт
        железной дороги аэропорт порт груз трубопровод энергетики проект инвестиции
        строительство жилья школы университет студенты больница врачи здоровья вакцина
        культура фестиваль музей фильм музыка спорт футбол матч команда чемпионат игроки
        тренер победа поражение финал сезон погода шторм наводнение землетрясение пожар
        спасатели пострадавшие погибли авария мост дорога граница мир визит делегация
        саммит конференция организации объединённых наций европейского союза
        понедельник вторник среда четверг пятница суббота воскресенье январе феврале
        марте апреле мае июне июле августе сентябре октябре ноябре декабре утром вечером
        ночью сегодня вчера завтра объявил подтвердил опроверг подписал одобрил отклонил
        начал открыл закрыл провёл обсудили ожидается планирует продолжил вернулся прибыл
        посетил призвал потребовал Баку Азербайджан Каспийского моря Москва Париж Берлин
        Мадрид Пекин Каир Лондон Вашингтон Анкара Тегеран Тбилиси Ереван Санкт-Петербург
        международный региональный национальный государственный министерство иностранных
        дел внутренних обороны армия военные учения соглашение договор меморандум фонд
        производство сельского хозяйства зерно урожай вода электричество станция
        солнечной ветровой цифровой технологии интернет связи мобильной телевидение
        газета журналист агентство пресс-служба председатель заместитель генеральный
        секретарь посол консул гости церемония выставка ярмарка туризм отель памятник
        история учёные академия книга писатель поэт театр опера концерт художник дети
        молодёжь женщины семья пенсия зарплата труда занятость безработица социальной
        помощи благотворительность экология лес река озеро горы снег дождь температура
        климат ёлка
        """,
    "en": """
        the of and to in a said on for with by that government president minister was
        year new at from talks security country people police officials state after week
        two national foreign economic meeting first report percent against city agreement
        military million prime oil gas cooperation parliament capital international region
        support development project energy trade court election market forces official
        according told spokesman agency ministry sides border peace visit delegation
        summit conference council united nations european union bank prices growth economy
        investment water transport railway airport port ship cargo pipeline export import
        companies company industry workers strike protest opposition party leader vote
        voters campaign law bill decree constitution judge trial prisoners rights human
        health hospital doctors vaccine virus schools students university education
        culture festival museum film music sport football match team championship olympic
        players coach goal victory defeat final season weather storm flood earthquake fire
        rescue emergency victims injured killed dead accident road bridge construction
        housing budget tax taxes debt inflation currency dollar euro exchange stock shares
        investors record highest lowest rise fall increase decrease billion thousand
        hundred monday tuesday wednesday thursday friday saturday sunday january february
        march april june july august september october november december morning evening
        night today yesterday tomorrow announced confirmed denied reported warned signed
        approved rejected launched opened closed held discussed expected planned continued
        ended began returned arrived visited met called urged demanded Baku Azerbaijan
        Caspian Moscow Paris Berlin Madrid Beijing Cairo London Washington Ankara Tehran
        Tbilisi Yerevan defence army troops exercises treaty memorandum fund production
        agriculture grain harvest electricity plant solar wind digital technology internet
        mobile television newspaper journalist chairman deputy secretary general ambassador
        consul guests ceremony exhibition fair tourism hotel monument history scientists
        academy book writer poet theatre opera concert artist children youth women family
        pension wages labour employment unemployment social aid charity ecology forest
        river lake mountains snow rain temperature climate
        """,
    "fr": """
        de la le et les des à en du un une a pour sur président gouvernement ministre
        dans a déclaré année par avec pays sécurité police selon mardi coopération
        économie développement projet énergie pétrole gaz commerce marché prix croissance
        pour cent millions milliards euros dollars banque budget impôts inflation
        monnaie exportations importations transport chemin fer aéroport port fret
        gazoduc entreprise industrie travailleurs grève manifestation opposition parti
        chef vote électeurs élections campagne loi projet décret constitution juge procès
        prisonniers droits homme santé hôpital médecins vaccin virus écoles étudiants
        université éducation culture festival musée film musique sport football match
        équipe championnat olympique joueurs entraîneur but victoire défaite finale
        saison météo tempête inondation séisme incendie secours urgence victimes blessés
        tués morts accident route pont construction logement dette devise bourse actions
        investisseurs record hausse baisse augmentation milliard mille cent lundi
        mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin
        juillet août septembre octobre novembre décembre matin soir nuit aujourd hier
        demain annoncé confirmé démenti signalé averti signé approuvé rejeté lancé ouvert
        fermé tenu discuté prévu continué terminé commencé revenu arrivé visité rencontré
        appelé exigé Bakou Azerbaïdjan Caspienne Moscou Paris Berlin Madrid Pékin Caire
        Londres Washington Ankara Téhéran Tbilissi Erevan défense armée troupes exercices
        traité mémorandum fonds production agriculture céréales récolte électricité
        centrale solaire éolien numérique technologie internet mobile télévision journal
        journaliste agence porte-parole président adjoint secrétaire général ambassadeur
        consul invités cérémonie exposition foire tourisme hôtel monument histoire
        scientifiques académie livre écrivain poète théâtre opéra concert artiste enfants
        jeunesse femmes famille retraite salaires travail emploi chômage social aide
        charité écologie forêt fleuve lac montagnes neige pluie température climat
        parlement conseil sommet conférence délégation visite frontière paix nations
        unies union européenne ministère affaires étrangères intérieur capitale région
        international national officiel porte négociations accord militaire premier
        """,
    "de": """
        der die und in den von zu das mit sich des auf für ist im dem nicht ein Präsident
        Regierung Minister sagte Jahr bei eine als auch Polizei Land Sicherheit Gespräche
        Zusammenarbeit Wirtschaft Entwicklung Projekt Energie Öl Gas Handel Markt Preise
        Wachstum Prozent Millionen Milliarden Euro Dollar Bank Haushalt Steuern Inflation
        Währung Export Import Verkehr Eisenbahn Flughafen Hafen Fracht Pipeline
        Unternehmen Industrie Arbeiter Streik Protest Opposition Partei Vorsitzender
        Abstimmung Wähler Wahlen Wahlkampf Gesetz Entwurf Verordnung Verfassung Richter
        Prozess Gefangene Rechte Menschenrechte Gesundheit Krankenhaus Ärzte Impfstoff
        Virus Schulen Studenten Universität Bildung Kultur Festival Museum Film Musik
        Sport Fußball Spiel Mannschaft Meisterschaft Olympische Spieler Trainer Tor Sieg
        Niederlage Finale Saison Wetter Sturm Hochwasser Erdbeben Brand Rettung Notfall
        Opfer Verletzte Tote Unfall Straße Brücke Bau Wohnungen Schulden Börse Aktien
        Anleger Rekord Anstieg Rückgang Erhöhung Tausend Hundert Montag Dienstag Mittwoch
        Donnerstag Freitag Samstag Sonntag Januar Februar März April Mai Juni Juli August
        September Oktober November Dezember Morgen Abend Nacht heute gestern morgen
        angekündigt bestätigt dementiert berichtet gewarnt unterzeichnet genehmigt
        abgelehnt gestartet eröffnet geschlossen abgehalten besprochen erwartet geplant
        fortgesetzt beendet begonnen zurückgekehrt angekommen besucht getroffen gefordert
        Baku Aserbaidschan Kaspischen Meer Moskau Paris Berlin Madrid Peking Kairo London
        Washington Ankara Teheran Tiflis Eriwan Verteidigung Armee Truppen Übungen Vertrag
        Memorandum Fonds Produktion Landwirtschaft Getreide Ernte Strom Kraftwerk Solar
        Windkraft digitale Technologie Internet Mobilfunk Fernsehen Zeitung Journalist
        Agentur Sprecher Außenminister Bundesregierung Stellvertreter Generalsekretär
        Botschafter Konsul Gäste Zeremonie Ausstellung Messe Tourismus Hotel Denkmal
        Geschichte Wissenschaftler Akademie Buch Schriftsteller Dichter Theater Oper
        Konzert Künstler Kinder Jugend Frauen Familie Rente Löhne Arbeit Beschäftigung
        Arbeitslosigkeit sozial Hilfe Wohltätigkeit Umwelt Wald Fluss See Berge Schnee
        Regen Temperatur Klima Parlament Rat Gipfel Konferenz Delegation Besuch Grenze
        Frieden Vereinten Nationen Europäische Union Ministerium Hauptstadt Region
        international national offiziell Verhandlungen Abkommen Militär Großbritannien
        """,
    "es": """
        de la el en y los a del las que por un con para una se presidente gobierno
        ministro dijo año según país seguridad policía conversaciones cooperación
        economía desarrollo proyecto energía petróleo gas comercio mercado precios
        crecimiento por ciento millones euros dólares banco presupuesto impuestos
        inflación moneda exportaciones importaciones transporte ferrocarril aeropuerto
        puerto carga gasoducto empresa industria trabajadores huelga protesta oposición
        partido líder votación votantes elecciones campaña ley proyecto decreto
        constitución juez juicio presos derechos humanos salud hospital médicos vacuna
        virus escuelas estudiantes universidad educación cultura festival museo película
        música deporte fútbol partido equipo campeonato olímpico jugadores entrenador gol
        victoria derrota final temporada tiempo tormenta inundación terremoto incendio
        rescate emergencia víctimas heridos muertos accidente carretera puente
        construcción vivienda deuda divisa bolsa acciones inversores récord subida
        bajada aumento mil millones cien lunes martes miércoles jueves viernes sábado
        domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre
        noviembre diciembre mañana tarde noche hoy ayer anunció confirmó negó informó
        advirtió firmó aprobó rechazó lanzó abrió cerró celebró discutió prevé planea
        continuó terminó comenzó regresó llegó visitó reunió pidió exigió Bakú
        Azerbaiyán Caspio Moscú París Berlín Madrid Pekín Cairo Londres Washington
        Ankara Teherán Tiflis Ereván defensa ejército tropas ejercicios tratado
        memorando fondo producción agricultura cereales cosecha electricidad central
        solar eólica digital tecnología internet móvil televisión periódico periodista
        agencia portavoz vicepresidente secretario general embajador cónsul invitados
        ceremonia exposición feria turismo hotel monumento historia científicos academia
        libro escritor poeta teatro ópera concierto artista niños jóvenes mujeres familia
        pensión salarios trabajo empleo desempleo social ayuda caridad ecología bosque
        río lago montañas nieve lluvia temperatura clima parlamento consejo cumbre
        conferencia delegación visita frontera paz naciones unidas unión europea
        ministerio asuntos exteriores interior capital región internacional nacional
        oficial negociaciones acuerdo militar España
        """,
    "ar": """
        في من على إلى أن عن مع الرَّئِيس الحُكُومَة وَزِير قَالَ رئيس العام أعلن اليوم
        الدولة البلاد المُحَادَثَات الأمن التَّعَاوُن الاقتصاد التنمية مجلس البرلمان الانتخابات
        حزب القانون المحكمة الشرطة المدينة شركة السوق النفط الغاز الأسعار النمو بالمئة
        مليون مليار دولار البنك الميزانية الضرائب التضخم الصادرات الواردات التجارة النقل
        السكك الحديدية المطار الميناء الشحن الأنابيب الطاقة مشروع الاستثمار البناء
        الإسكان المدارس الجامعة الطلاب المستشفى الأطباء الصحة اللقاح الثقافة المهرجان
        المتحف فيلم الموسيقى الرياضة كرة القدم مباراة الفريق البطولة اللاعبين المدرب
        الفوز الهزيمة النهائي الموسم الطقس العاصفة الفيضانات الزلزال الحريق الإنقاذ
        الجرحى القتلى حادث الجسر الطريق الحدود السلام زيارة الوفد القمة المؤتمر الأمم
        المتحدة الاتحاد الأوروبي الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد
        يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر صباح
        مساء الليلة أمس غدا أكد نفى وقع وافق رفض أطلق افتتح أغلق عقد ناقش يتوقع واصل
        عاد وصل زار دعا طالب باكو أذربيجان قزوين موسكو باريس برلين مدريد بكين القاهرة
        لندن واشنطن أنقرة طهران تبليسي الرياض دبي بغداد دمشق بيروت عمان الدفاع الجيش
        القوات التدريبات المعاهدة مذكرة الصندوق الإنتاج الزراعة الحبوب المحصول الكهرباء
        المحطة الشمسية الرياح الرقمية التكنولوجيا الإنترنت الهاتف التلفزيون الصحيفة
        الصحفي الوكالة المتحدث نائب الأمين العامّ السفير القنصل الضيوف الحفل المعرض
        السياحة الفندق النصب التاريخ العلماء الأكاديمية الكتاب الكاتب الشاعر المسرح
        الأوبرا الحفلة الفنان الأطفال الشباب النساء الأسرة التقاعد الأجور العمل
        التوظيف البطالة الاجتماعية المساعدات الخيرية البيئة الغابات النهر البحيرة
        الجبال الثلوج الأمطار الحرارة المناخ الوزارة الخارجية الداخلية العاصمة المنطقة
        الدولي الوطني الرسمي المفاوضات الاتفاق العسكري الأول الثاني الجديد الكبير
        """,
    "zh": """
        中国 政府 总统 表示 会议 合作 经济 发展 今年 部长 国家 安全 国际 地区 项目 能源
        阿塞拜疆 巴库 石油 天然气 贸易 市场 价格 增长 投资 银行 预算 通胀 出口 进口
        交通 铁路 机场 港口 货物 管道 建设 住房 学校 大学 学生 医院 医生 卫生 疫苗 文化
        节日 博物馆 电影 音乐 体育 足球 比赛 球队 锦标赛 球员 教练 胜利 失败 决赛 赛季
        天气 暴风雨 洪水 地震 火灾 救援 伤者 死亡 事故 桥梁 道路 边境 和平 访问 代表团
        峰会 论坛 联合国 欧盟 议会 选举 政党 法律 法院 警方 城市 公司 工业 工人 罢工 抗议
        反对派 领导人 投票 宪法 法官 人权 健康 病毒 教育 旅游 酒店 纪念碑 历史 科学家
        科学院 书籍 作家 诗人 剧院 歌剧 音乐会 艺术家 儿童 青年 妇女 家庭 养老金 工资
        劳动 就业 失业 社会 援助 慈善 生态 森林 河流 湖泊 山区 降雪 降雨 温度 气候
        星期一 星期二 星期三 星期四 星期五 星期六 星期日 一月 二月 三月 四月 五月 六月
        七月 八月 九月 十月 十一月 十二月 上午 晚上 今天 昨天 明天 宣布 确认 否认 报道
        警告 签署 批准 拒绝 启动 开幕 关闭 举行 讨论 预计 计划 继续 结束 开始 返回 抵达
        会见 呼吁 要求 里海 莫斯科 巴黎 柏林 马德里 北京 开罗 伦敦 华盛顿 安卡拉 德黑兰
        第比利斯 上海 广州 深圳 国防 军队 部队 演习 条约 备忘录 基金 生产 农业 粮食
        收成 电力 电站 太阳能 风能 数字 技术 互联网 移动 电视 报纸 记者 通讯社 发言人
        主席 副主席 秘书长 大使 领事 嘉宾 仪式 展览 博览会 外交部 内政部 首都 官方 谈判
        协议 军事 一带一路 丝绸之路 共同体 倡议 企业 科技 创新 改革 开放 人民 群众 代表
        委员会 中央 地方 农村 城镇 产业 制造业 服务业 消费 物价 汇率 债务 股市 股票
        """,
}

DATELINES = {
    "az": "Bakı",
    "ru": "Баку",
    "en": "Baku",
    "fr": "Bakou",
    "de": "Baku",
    "es": "Bakú",
    "ar": "باكو",
    "zh": "巴库",
}

_SUBJECTS = ("medtop:04000000", "medtop:11000000", "medtop:15000000", "medtop:16000000")
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
BODY_WORDS = 40
HEADLINE_WORDS = 8
COMMON = 30  # query words "of common words" come from this many most frequent ones
RARE_FROM = 200  # and the "rare" word of a mixed query from this rank on


def vocabulary(language: str) -> list[str]:
    """The words of a language, most frequent first, without duplicates."""
    return list(dict.fromkeys(_VOCABULARY[language].split()))


def _weights(size: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(size)))


def _plain_arabic(text: str) -> str:
    """Arabic without harakat (and hamza seats reduced to bare alef), as many readers type it."""
    decomposed = unicodedata.normalize("NFD", text)
    marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", marks)


_WORDS = {language: vocabulary(language) for language in LANGUAGES}
_CUMULATIVE = {language: _weights(len(words)) for language, words in _WORDS.items()}
_PLAIN = {word: _plain_arabic(word) for word in _WORDS["ar"]}


def _sentences(words: list[str], language: str) -> str:
    """Words as running text: sentences of about ten words, commas, no spaces in Chinese."""
    if language == "zh":
        parts = []
        for i in range(0, len(words), 10):
            chunk = words[i : i + 10]
            parts.append("".join(chunk[:5]) + "，" + "".join(chunk[5:]) + "。")
        return "".join(parts)
    stop = "؛" if language == "ar" else "."
    parts = []
    for i in range(0, len(words), 10):
        chunk = words[i : i + 10]
        chunk[0] = chunk[0][:1].upper() + chunk[0][1:]
        parts.append(" ".join(chunk[:5]) + ", " + " ".join(chunk[5:]) + stop)
    return " ".join(parts)


def _timestamp(value: datetime, sqlite: bool) -> datetime | str:
    # SQLAlchemy's SQLite DATETIME storage format (naive UTC), so the ORM reads it back.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value


COLUMNS = (
    "id",
    "item_id",
    "story_id",
    "language",
    "uri",
    "path",
    "headline",
    "summary",
    "dateline",
    "urgency",
    "subjects",
    "version",
    "published_at",
    "updated_at",
    "search_text",
)


def rows(start: int, count: int, sqlite: bool, seed: int = 20261101) -> list[tuple[object, ...]]:
    """Public entries `start` .. `start + count - 1`, in the order of COLUMNS.

    The id is the publication order; a story is published in the eight languages one after
    another, so the languages interleave as they do on a real wire. Deterministic for a
    given seed and `start`, so worker processes can build chunks independently.
    """
    generator = random.Random(seed * 1_000_003 + start)
    result: list[tuple[object, ...]] = []
    for entry_id in range(start, start + count):
        language = LANGUAGES[(entry_id - 1) % len(LANGUAGES)]
        story_id = (entry_id - 1) // len(LANGUAGES) + 1
        words = generator.choices(
            _WORDS[language],
            cum_weights=_CUMULATIVE[language],
            k=BODY_WORDS + HEADLINE_WORDS,
        )
        if language == "ar" and entry_id % 2:  # half the texts are written without harakat
            words = [_PLAIN[w] for w in words]
        headline_words = words[:HEADLINE_WORDS]
        if language == "zh":
            headline = "".join(headline_words)
        else:
            headline = " ".join(headline_words)
            headline = headline[:1].upper() + headline[1:]
        body = _sentences(words[HEADLINE_WORDS:], language)
        summary = body.split("." if language != "zh" else "。", 1)[0]
        published = _EPOCH + timedelta(seconds=30 * entry_id)
        result.append(
            (
                entry_id,
                entry_id,
                story_id,
                language,
                f"urn:newswire:bench.example:{story_id}:{language}",
                f"/{language}/news/{story_id}",
                headline,
                summary,
                DATELINES[language],
                4 + entry_id % 3,
                json.dumps([_SUBJECTS[story_id % len(_SUBJECTS)]]),
                1,
                _timestamp(published, sqlite),
                _timestamp(published + timedelta(minutes=5), sqlite),
                index_text(headline, body),
            )
        )
    return result


def queries(language: str, common: int, mixed: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query) pairs: `common` two-word queries of words among the COMMON most
    frequent, and `mixed` of one such word and one from the tail of the vocabulary."""
    generator = random.Random(f"{seed}-{language}")
    words = _WORDS[language]
    head = words[:COMMON]
    tail = words[RARE_FROM:]
    pairs = list(itertools.combinations(head, 2))
    chosen = generator.sample(pairs, common)
    found = [("common", f"{a} {b}") for a, b in chosen]
    for _ in range(mixed):
        found.append(("mixed", f"{generator.choice(head)} {generator.choice(tail)}"))
    if language == "ar":  # readers type Arabic without harakat; the index must not care
        found = [(kind, _plain_arabic(q) if i % 2 else q) for i, (kind, q) in enumerate(found)]
    return found


_TOKEN = re.compile(r"[^\W_]+")


def matches(search_text: str, terms: Sequence[Term]) -> bool:
    """Whether a stored text holds every term, as the tokenisers see it (brute force)."""
    tokens = _TOKEN.findall(search_text)
    for term in terms:
        size = len(term.tokens)
        found = False
        for i in range(len(tokens) - size + 1):
            window = tokens[i : i + size]
            if window[:-1] != list(term.tokens[:-1]):
                continue
            last = window[-1]
            if last == term.tokens[-1] or (term.prefix and last.startswith(term.tokens[-1])):
                found = True
                break
        if not found:
            return False
    return True
