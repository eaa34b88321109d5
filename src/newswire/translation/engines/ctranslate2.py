"""Local models run with CTranslate2: OPUS-MT (Marian), NLLB-200, M2M100 and Argos packages.

A model directory is loaded once per process, on first use, and shared by every engine and
thread that names it. Tokenising, `translate_batch` and detokenising run together in a worker
thread, so the event loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece

from newswire.translation.engines import codes
from newswire.translation.engines.base import EngineError

# Tokenizer files in the order they are looked for: OPUS-MT ships one per side; NLLB and
# M2M100 one shared BPE model; Argos packages `sentencepiece.model`.
SOURCE_SPM = ("source.spm", "sentencepiece.bpe.model", "sentencepiece.model", "spm.model")
TARGET_SPM = ("target.spm", "sentencepiece.bpe.model", "sentencepiece.model", "spm.model")
VOCABULARY_FILES = (
    "shared_vocabulary.json",
    "shared_vocabulary.txt",
    "source_vocabulary.json",
    "source_vocabulary.txt",
)


@dataclass(frozen=True, slots=True)
class ModelLayout:
    """Where a model directory keeps its parts."""

    root: Path  # the folder registered: a CTranslate2 directory or an Argos package
    model_dir: Path  # the CTranslate2 directory itself (`model/` in an Argos package)
    source_spm: Path
    target_spm: Path
    config: dict[str, Any]  # the CTranslate2 config.json
    argos: dict[str, Any] | None  # an Argos package's metadata.json


def _first(folders: Sequence[Path], names: Sequence[str]) -> Path | None:
    for name in names:
        for folder in folders:
            if (folder / name).is_file():
                return folder / name
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EngineError(f"{path} is not readable JSON: {error}") from None


def layout(path: Path) -> ModelLayout:
    """Check that `path` holds a CTranslate2 model and its SentencePiece tokenizer."""
    if not path.is_dir():
        raise EngineError(f"{path} is not a directory")
    argos = None
    model_dir = path
    if (path / "metadata.json").is_file() and (path / "model").is_dir():
        argos = _read_json(path / "metadata.json")
        if not isinstance(argos, dict):
            raise EngineError(f"{path / 'metadata.json'} is not an Argos package's metadata")
        model_dir = path / "model"
    if not (model_dir / "model.bin").is_file():
        raise EngineError(f"{path} is not a CTranslate2 model: no model.bin")
    config: dict[str, Any] = {}
    if (model_dir / "config.json").is_file():
        loaded = _read_json(model_dir / "config.json")
        config = loaded if isinstance(loaded, dict) else {}
    folders = [path, model_dir]
    source_spm = _first(folders, SOURCE_SPM)
    target_spm = _first(folders, TARGET_SPM)
    if source_spm is None or target_spm is None:
        names = ", ".join(dict.fromkeys(SOURCE_SPM + TARGET_SPM))
        raise EngineError(f"{path} has no SentencePiece model (looked for {names})")
    return ModelLayout(path, model_dir, source_spm, target_spm, config, argos)


def vocabulary(model_dir: Path) -> frozenset[str]:
    """The source vocabulary, where multi-target models list their `>>xxx<<` tokens."""
    for name in VOCABULARY_FILES:
        file = model_dir / name
        if not file.is_file():
            continue
        if name.endswith(".json"):
            tokens = _read_json(file)
            return frozenset(t for t in tokens if isinstance(t, str))
        return frozenset(file.read_text(encoding="utf-8").splitlines())
    return frozenset()


def detect_family(model: ModelLayout) -> str | None:
    """The family a model directory belongs to, from its files; None when it cannot tell."""
    if model.argos is not None:
        return "argos"
    tokenizer = model.root / "tokenizer_config.json"
    if tokenizer.is_file():
        hint = str(_read_json(tokenizer).get("tokenizer_class", "")).lower()
        for family in ("nllb", "m2m100", "marian"):
            if family in hint:
                return family
    if model.source_spm.name == "source.spm":
        return "marian"
    words = vocabulary(model.model_dir)
    if "eng_Latn" in words:
        return "nllb"
    if "__en__" in words:
        return "m2m100"
    if model.source_spm.name in ("sentencepiece.model", "spm.model"):
        return "marian"
    return None


@dataclass(slots=True)
class LoadedModel:
    """A model in memory; `translator` is replaceable so a benchmark can time its calls."""

    path: Path
    family: str
    translator: Any  # ctranslate2.Translator
    source_sp: sentencepiece.SentencePieceProcessor
    target_sp: sentencepiece.SentencePieceProcessor
    vocabulary: frozenset[str]
    source_eos: str | None  # appended to each source when the model does not add it itself


_loaded: dict[tuple[Path, str, int], LoadedModel] = {}
_loading = threading.Lock()


def load(path: Path, family: str, threads: int = 0) -> LoadedModel:
    """The model at `path`, loaded on first use and kept for the life of the process."""
    key = (path, family, threads)
    model = _loaded.get(key)
    if model is not None:
        return model
    with _loading:
        model = _loaded.get(key)
        if model is None:
            model = _load(path, family, threads)
            _loaded[key] = model
    return model


def loaded_models() -> list[LoadedModel]:
    """Every model this process has loaded."""
    return list(_loaded.values())


def _load(path: Path, family: str, threads: int) -> LoadedModel:
    model = layout(path)
    try:
        translator = ctranslate2.Translator(
            str(model.model_dir), device="cpu", compute_type="default", intra_threads=threads
        )
        source_sp = sentencepiece.SentencePieceProcessor(model_file=str(model.source_spm))
        target_sp = sentencepiece.SentencePieceProcessor(model_file=str(model.target_spm))
    except (RuntimeError, ValueError, OSError) as error:
        raise EngineError(f"ctranslate2:{path}: cannot load the model: {_line(error)}") from None
    # Models converted from Hugging Face expect `</s>` at the end of the source, which their
    # tokenizer adds; Marian-converted models add it themselves (`add_source_eos`), and Argos
    # (OpenNMT) models want none.
    eos = None
    if family != "argos" and not model.config.get("add_source_eos", False):
        eos = str(model.config.get("eos_token", "</s>"))
    return LoadedModel(
        path, family, translator, source_sp, target_sp, vocabulary(model.model_dir), eos
    )


def _line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


class CTranslate2Engine:
    """One local model directory serving the language pairs it was registered for."""

    keeps_markup = False

    def __init__(
        self,
        path: Path,
        family: str,
        pairs: Sequence[tuple[str, str]],
        *,
        threads: int = 0,
        beam_size: int = 2,
        batch_size: int = 32,
    ) -> None:
        if family not in codes.FAMILIES:
            raise EngineError(f"unknown model family {family!r}")
        self.path = path
        self.family = family
        self.pairs = frozenset(pairs)
        self.threads = threads
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.name = f"ctranslate2:{path}"

    def __repr__(self) -> str:
        return f"<CTranslate2Engine {self.path} {self.family} {sorted(self.pairs)}>"

    def serves(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    def model(self) -> LoadedModel:
        return load(self.path, self.family, self.threads)

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not self.serves(source, target):
            raise EngineError(f"{self.name} does not translate {source} → {target}")
        if not texts:
            return []
        return await asyncio.to_thread(self.translate_now, texts, source, target)

    def translate_now(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate in the calling thread (the CLI's test sentence, the worker thread)."""
        model = self.model()
        tokens, prefix = self.prepare(model, texts, source, target)
        try:
            results = model.translator.translate_batch(tokens, **self.options(tokens, prefix))
        except (RuntimeError, ValueError) as error:
            raise EngineError(f"{self.name}: {_line(error)}") from None
        skip = len(prefix[0]) if prefix else 0
        return [model.target_sp.decode(result.hypotheses[0][skip:]) for result in results]

    def prepare(
        self, model: LoadedModel, texts: Sequence[str], source: str, target: str
    ) -> tuple[list[list[str]], list[list[str]] | None]:
        """Source tokens for each text, and the target prefixes if the family needs them."""
        try:
            frame = codes.framing(self.family, source, target, model.vocabulary)
        except codes.UnmappedLanguage as error:
            raise EngineError(f"{self.name}: {error}") from None
        head = list(frame.source_prefix)
        tail = [model.source_eos] if model.source_eos else []
        pieces: list[list[str]] = model.source_sp.encode(list(texts), out_type=str)
        tokens = [head + piece + tail for piece in pieces]
        prefix = [list(frame.target_prefix)] * len(tokens) if frame.target_prefix else None
        return tokens, prefix

    def options(
        self, tokens: Sequence[Sequence[str]], prefix: list[list[str]] | None
    ) -> dict[str, Any]:
        """The keyword arguments of `translate_batch` for these tokens."""
        longest = max((len(t) for t in tokens), default=1)
        return {
            "target_prefix": prefix,
            "beam_size": self.beam_size,
            "max_batch_size": self.batch_size,
            # A runaway hypothesis must not decode for ever; real translations are shorter.
            "max_decoding_length": min(1024, 2 * longest + 16),
            "return_scores": False,
        }
