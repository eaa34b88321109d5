"""A real CTranslate2 model built in a fraction of a second, with no download and no torch.

A SentencePiece model is trained in memory on sentences written here in the eight working
languages; a Transformer is described with `ctranslate2.specs` and filled with seeded random
weights. Its output is gibberish, but deterministic: tests check that the pipeline produced a
translation, not its quality. The same builder makes the larger model of `bench/bench_mt.py`.

    build(folder)                      # OPUS-MT layout: model.bin, source.spm, target.spm
    build(folder, argos=("fr", "en"))  # an Argos package: model/, sentencepiece.model, metadata
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece
from ctranslate2.specs import transformer_spec

# Written for these tests: short news sentences in az ru en fr de es ar zh.
SENTENCES: tuple[str, ...] = (
    "Bakı şəhərində beynəlxalq forum açılıb.",
    "Prezident qonaqları qəbul edib və danışıqlar aparıb.",
    "Nazirlik yeni layihə barədə məlumat verib.",
    "Sərgidə otuz ölkədən şirkətlər iştirak edir.",
    "Hava sabah günəşli olacaq, temperatur iyirmi dərəcədir.",
    "В Баку открылся международный форум.",
    "Президент принял гостей и провёл переговоры.",
    "Министерство сообщило о новом проекте.",
    "В выставке участвуют компании из тридцати стран.",
    "Завтра будет солнечно, температура двадцать градусов.",
    "An international forum opened in Baku.",
    "The president received the guests and held talks.",
    "The ministry reported on a new project.",
    "Companies from thirty countries take part in the exhibition.",
    "Tomorrow will be sunny, with a temperature of twenty degrees.",
    "Un forum international s'est ouvert à Bakou.",
    "Le président a reçu les invités et a mené des entretiens.",
    "Le ministère a présenté un nouveau projet.",
    "Des entreprises de trente pays participent à l'exposition.",
    "Demain il fera beau, avec vingt degrés.",
    "In Baku wurde ein internationales Forum eröffnet.",
    "Der Präsident empfing die Gäste und führte Gespräche.",
    "Das Ministerium berichtete über ein neues Projekt.",
    "Unternehmen aus dreißig Ländern nehmen an der Ausstellung teil.",
    "Morgen wird es sonnig, bei zwanzig Grad.",
    "Se inauguró un foro internacional en Bakú.",
    "El presidente recibió a los invitados y mantuvo conversaciones.",
    "El ministerio informó sobre un nuevo proyecto.",
    "Empresas de treinta países participan en la exposición.",
    "Mañana hará sol, con una temperatura de veinte grados.",
    "افتتح منتدى دولي في باكو.",
    "استقبل الرئيس الضيوف وأجرى محادثات.",
    "أعلنت الوزارة عن مشروع جديد.",
    "تشارك في المعرض شركات من ثلاثين دولة.",
    "سيكون الطقس مشمسا غدا، ودرجة الحرارة عشرون درجة.",
    "国际论坛在巴库开幕。",
    "总统会见了客人并举行了会谈。",
    "该部介绍了一个新项目。",
    "来自三十个国家的公司参加了展览。",
    "明天天气晴朗，气温二十度。",
    "Baku hosts a forum on energy and transport.",
    "İlham Əliyev met the delegation on Monday.",
)

# Building blocks of generated sentences, for a larger vocabulary (bench/bench_mt.py).
_WORDS = {
    "en": "agency forum minister talks summit energy trade bank report city region road port "
    "festival exhibition company country president delegation capital budget growth museum "
    "bridge railway airport university students research water harvest weather election",
    "fr": "agence forum ministre entretiens sommet énergie commerce banque rapport ville région "
    "route port festival exposition entreprise pays président délégation capitale budget",
    "de": "Agentur Forum Minister Gespräche Gipfel Energie Handel Bank Bericht Stadt Region "
    "Straße Hafen Festival Ausstellung Unternehmen Land Präsident Delegation Hauptstadt",
    "es": "agencia foro ministro conversaciones cumbre energía comercio banco informe ciudad "
    "región carretera puerto festival exposición empresa país presidente delegación capital",
    "ru": "агентство форум министр переговоры саммит энергия торговля банк доклад город регион "
    "дорога порт фестиваль выставка компания страна президент делегация столица бюджет",
    "az": "agentlik forum nazir danışıqlar sammit enerji ticarət bank hesabat şəhər region yol "
    "liman festival sərgi şirkət ölkə prezident nümayəndə heyəti paytaxt büdcə artım muzey",
    "ar": "وكالة منتدى وزير محادثات قمة طاقة تجارة بنك تقرير مدينة منطقة طريق ميناء مهرجان "
    "معرض شركة بلد رئيس وفد عاصمة ميزانية نمو متحف جسر مطار جامعة طلاب بحث ماء",
    "zh": "通讯社 论坛 部长 会谈 峰会 能源 贸易 银行 报告 城市 地区 公路 港口 节日 展览 "
    "公司 国家 总统 代表团 首都 预算 增长 博物馆 桥梁 铁路 机场 大学 学生 研究",
}


# Syllables of made-up names per script, so that a larger vocabulary has something to learn.
_SYLLABLES = {
    "latin": [
        "ba",
        "ka",
        "ra",
        "le",
        "mo",
        "ne",
        "si",
        "tu",
        "vo",
        "za",
        "şə",
        "qı",
        "gü",
        "çe",
        "ən",
        "dor",
        "mel",
        "var",
        "ton",
        "lik",
    ],
    "cyrillic": [
        "ба",
        "ка",
        "ра",
        "ле",
        "мо",
        "не",
        "си",
        "ту",
        "во",
        "за",
        "ше",
        "дор",
        "мел",
        "вар",
        "тон",
        "лик",
    ],
    "arabic": ["با", "كا", "را", "لي", "مو", "ني", "سي", "تو", "فو", "زا", "شي", "دور", "ميل"],
    "cjk": list("安北成德东方广海华建江金京明南平山新阳云中"),
}
_SCRIPT = {"ru": "cyrillic", "ar": "arabic", "zh": "cjk"}


def generated_sentences(count: int, seed: int = 7, names: float = 0.3) -> list[str]:
    """`count` sentences of 6 to 18 words drawn from the news words of every language, a
    share `names` of them made-up names built from syllables of the language's script."""
    rng = random.Random(seed)
    languages = sorted(_WORDS)
    sentences = []
    for _ in range(count):
        language = rng.choice(languages)
        words = _WORDS[language].split()
        syllables = _SYLLABLES[_SCRIPT.get(language, "latin")]
        picked = []
        for _ in range(rng.randint(6, 18)):
            if rng.random() < names:
                picked.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
            else:
                picked.append(rng.choice(words))
        picked[0] = picked[0][:1].upper() + picked[0][1:]
        separator = "" if language == "zh" else " "
        sentences.append(separator.join(picked) + rng.choice([".", ".", "?", "!"]))
    return sentences


def train_sentencepiece(sentences: Iterable[str], vocab_size: int = 300) -> bytes:
    """A unigram SentencePiece model trained in memory, as the bytes of its file."""
    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(list(sentences)),
        model_writer=buffer,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        minloglevel=2,
    )
    return buffer.getvalue()


def _pieces(model: bytes) -> list[str]:
    processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _fill(spec: object, rng: np.random.Generator, d_model: int, ffn: int, vocab: int) -> None:
    """Give every weight of the Transformer spec a seeded random value of the right shape."""

    def linear(layer: object, rows: int, columns: int) -> None:
        layer.weight = rng.normal(0, 0.3, (rows, columns)).astype(np.float32)  # type: ignore[attr-defined]
        layer.bias = rng.normal(0, 0.1, (rows,)).astype(np.float32)  # type: ignore[attr-defined]

    def norm(layer: object) -> None:
        layer.gamma = np.ones(d_model, np.float32)  # type: ignore[attr-defined]
        layer.beta = np.zeros(d_model, np.float32)  # type: ignore[attr-defined]

    def feed_forward(block: object) -> None:
        norm(block.layer_norm)  # type: ignore[attr-defined]
        linear(block.linear_0, ffn, d_model)  # type: ignore[attr-defined]
        linear(block.linear_1, d_model, ffn)  # type: ignore[attr-defined]

    encoder, decoder = spec.encoder, spec.decoder  # type: ignore[attr-defined]
    for embeddings in encoder.embeddings:
        embeddings.weight = rng.normal(0, 1, (vocab, d_model)).astype(np.float32)
    decoder.embeddings.weight = rng.normal(0, 1, (vocab, d_model)).astype(np.float32)
    norm(encoder.layer_norm)
    norm(decoder.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d_model, d_model)
        linear(layer.self_attention.linear[1], d_model, d_model)
        feed_forward(layer.ffn)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d_model, d_model)
        linear(layer.self_attention.linear[1], d_model, d_model)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d_model, d_model)
        linear(layer.attention.linear[1], 2 * d_model, d_model)
        linear(layer.attention.linear[2], d_model, d_model)
        feed_forward(layer.ffn)
    linear(decoder.projection, vocab, d_model)


def build(
    folder: Path,
    *,
    seed: int = 1,
    d_model: int = 16,
    layers: int = 2,
    heads: int = 2,
    sentences: Sequence[str] = SENTENCES,
    vocab_size: int = 300,
    argos: tuple[str, str] | None = None,
    language_tokens: Sequence[str] = (),
) -> Path:
    """Write a model to `folder` (created) and return it.

    OPUS-MT layout by default (`source.spm` and `target.spm` beside `model.bin`); with
    `argos=(from_code, to_code)`, an Argos package (`model/`, `sentencepiece.model`,
    `metadata.json`); with `language_tokens` (e.g. `eng_Latn`, added to the vocabulary), the
    NLLB-200 layout with one `sentencepiece.bpe.model`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = train_sentencepiece(sentences, vocab_size)
    pieces = _pieces(tokenizer) + list(language_tokens)
    spec = transformer_spec.TransformerSpec.from_config(layers, heads, pre_norm=True)
    _fill(spec, np.random.default_rng(seed), d_model, 4 * d_model, len(pieces))
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    spec.validate()
    if argos:
        (folder / "model").mkdir(exist_ok=True)
        spec.save(str(folder / "model"))
        (folder / "sentencepiece.model").write_bytes(tokenizer)
        metadata = {
            "package_version": "1.0",
            "argos_version": "1.9",
            "from_code": argos[0],
            "to_code": argos[1],
            "from_name": argos[0],
            "to_name": argos[1],
        }
        (folder / "metadata.json").write_text(json.dumps(metadata))
    elif language_tokens:
        spec.save(str(folder))
        (folder / "sentencepiece.bpe.model").write_bytes(tokenizer)
    else:
        spec.save(str(folder))
        (folder / "source.spm").write_bytes(tokenizer)
        (folder / "target.spm").write_bytes(tokenizer)
    return folder


def translator(folder: Path) -> ctranslate2.Translator:
    """The model loaded as RECIPES.md does, to look at its raw output."""
    return ctranslate2.Translator(str(folder), device="cpu", compute_type="int8")
