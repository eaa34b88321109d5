"""Translation services over HTTP: LibreTranslate, DeepL and any OpenAI-compatible chat API.

Each sends inline HTML (they keep markup) in batches of `mt_batch_size` texts per request.
Every failure — timeout, refused connection, HTTP error status, an answer of the wrong shape —
becomes an EngineError of one line that names the engine and never contains the key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import SecretStr

from newswire import languages
from newswire.translation.engines.base import EngineError

WORKING = ("az", "ru", "en", "fr", "de", "es", "ar", "zh")

# LibreTranslate (Argos models) names languages by ISO 639-1 code.
LIBRETRANSLATE_CODES = {code: code for code in (*WORKING, "tr", "it", "pt", "fa", "uk", "ja", "ko")}

# DeepL wants a variant for some targets; sources never take one. DeepL has no Azerbaijani.
DEEPL_SOURCE = {"ru": "RU", "en": "EN", "fr": "FR", "de": "DE", "es": "ES", "ar": "AR", "zh": "ZH"}
DEEPL_TARGET = DEEPL_SOURCE | {"en": "EN-GB", "zh": "ZH-HANS"}


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _where(url: str) -> str:
    """The host and port of a URL, for messages (never its user part or query)."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else url


class HttpEngine:
    """What the three HTTP engines share: batching, the request and its failures."""

    name = "http"
    keeps_markup = True

    def __init__(self, url: str, key: SecretStr | None, *, timeout: float, batch_size: int) -> None:
        self.url = url.rstrip("/")
        self._key = _secret(key)
        self.timeout = timeout
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {_where(self.url)}>"

    def serves(self, source: str, target: str) -> bool:
        raise NotImplementedError

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        if not self.serves(source, target):
            raise EngineError(f"{self.name} does not translate {source} → {target}")
        if not texts:
            return []
        result: list[str] = []
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                translated = await self._batch(session, batch, source, target)
                if len(translated) != len(batch):
                    raise self.error(
                        f"answered {len(translated)} translations for {len(batch)} texts"
                    )
                result.extend(translated)
        return result

    async def _batch(
        self, session: aiohttp.ClientSession, texts: list[str], source: str, target: str
    ) -> list[str]:
        raise NotImplementedError

    def error(self, message: str) -> EngineError:
        """An EngineError naming this engine, with the key blanked out should it appear."""
        text = " ".join(f"{self.name}: {message}".split())
        if self._key:
            text = text.replace(self._key, "***")
        return EngineError(text)

    async def post(
        self,
        session: aiohttp.ClientSession,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> Any:
        """POST JSON and return the decoded JSON answer; every failure is an EngineError."""
        url = self.url + path
        try:
            async with session.post(url, json=body, headers=headers) as response:
                raw = await response.read()
                if response.status >= 400:
                    detail = _detail(raw)
                    reason = response.reason or ""
                    raise self.error(
                        f"HTTP {response.status} {reason} from {_where(url)}"
                        + (f": {detail}" if detail else "")
                    )
        except TimeoutError:
            raise self.error(f"no answer from {_where(url)} within {self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as error:
            failed = error.os_error
            # asyncio words a refusal "Connect call failed (...)"; the errno says it plainly.
            cause = os.strerror(failed.errno) if failed.errno else type(failed).__name__
            raise self.error(f"cannot connect to {_where(url)}: {cause}") from None
        except aiohttp.ClientError as error:
            raise self.error(f"request to {_where(url)} failed: {type(error).__name__}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise self.error(f"answer from {_where(url)} is not JSON") from None


def _detail(raw: bytes) -> str:
    """The service's own error message, when it sent one we can read, cut short."""
    try:
        document = json.loads(raw)
    except ValueError:
        return ""
    message: Any = None
    if isinstance(document, dict):
        message = document.get("error") or document.get("message") or document.get("detail")
        if isinstance(message, dict):
            message = message.get("message")
    return str(message)[:200] if isinstance(message, str) else ""


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


class LibreTranslateEngine(HttpEngine):
    """A LibreTranslate server: `POST /translate` with a list of texts in `q`."""

    name = "libretranslate"

    def serves(self, source: str, target: str) -> bool:
        return (
            source != target and source in LIBRETRANSLATE_CODES and target in LIBRETRANSLATE_CODES
        )

    async def _batch(
        self, session: aiohttp.ClientSession, texts: list[str], source: str, target: str
    ) -> list[str]:
        body: dict[str, Any] = {
            "q": texts,
            "source": LIBRETRANSLATE_CODES[source],
            "target": LIBRETRANSLATE_CODES[target],
            "format": "html",
        }
        if self._key:
            body["api_key"] = self._key
        answer = await self.post(session, "/translate", body, {})
        translated = _strings(answer.get("translatedText") if isinstance(answer, dict) else None)
        if translated is None:
            raise self.error("answer has no list of translatedText")
        return translated


class DeepLEngine(HttpEngine):
    """The DeepL API: `POST /v2/translate` with HTML tag handling."""

    name = "deepl"

    def serves(self, source: str, target: str) -> bool:
        return source != target and source in DEEPL_SOURCE and target in DEEPL_TARGET

    async def _batch(
        self, session: aiohttp.ClientSession, texts: list[str], source: str, target: str
    ) -> list[str]:
        body = {
            "text": texts,
            "source_lang": DEEPL_SOURCE[source],
            "target_lang": DEEPL_TARGET[target],
            "tag_handling": "html",
        }
        headers = {"Authorization": f"DeepL-Auth-Key {self._key}"}
        answer = await self.post(session, "/v2/translate", body, headers)
        items = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise self.error("answer has no list of translations")
        texts_out = _strings(
            [item.get("text") if isinstance(item, dict) else None for item in items]
        )
        if texts_out is None:
            raise self.error("a translation in the answer has no text")
        return texts_out


class OpenAIEngine(HttpEngine):
    """An OpenAI-compatible chat API (OpenAI, Ollama, vLLM, llama.cpp…): `/chat/completions`."""

    name = "openai"

    def __init__(
        self,
        url: str,
        key: SecretStr | None,
        model: str,
        *,
        timeout: float,
        batch_size: int,
    ) -> None:
        super().__init__(url, key, timeout=timeout, batch_size=batch_size)
        self.model = model

    def serves(self, source: str, target: str) -> bool:
        return source != target and languages.is_known(source) and languages.is_known(target)

    def instructions(self, source: str, target: str) -> str:
        """The system message: what to translate and the shape of the answer."""
        source_name = languages.get(source).english_name
        target_name = languages.get(target).english_name
        return (
            f"You translate news agency copy from {source_name} to {target_name}. "
            "The user sends a JSON array of numbered segments, each an object with `n` and "
            "`text`. Translate each text. Keep every HTML tag and attribute as it is, and copy "
            'the content of <span translate="no"> elements unchanged. Answer with only a JSON '
            "array of the translated strings, one per segment, in the same order, and nothing "
            "else."
        )

    async def _batch(
        self, session: aiohttp.ClientSession, texts: list[str], source: str, target: str
    ) -> list[str]:
        segments = [{"n": n, "text": text} for n, text in enumerate(texts, start=1)]
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": self.instructions(source, target)},
                {"role": "user", "content": json.dumps(segments, ensure_ascii=False)},
            ],
            "temperature": 0,
        }
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        answer = await self.post(session, "/chat/completions", body, headers)
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self.error("answer has no choices[0].message.content") from None
        if not isinstance(content, str):
            raise self.error("answer has no choices[0].message.content")
        translated = _strings(_json_array(content))
        if translated is None:
            raise self.error("the model did not answer a JSON array of strings")
        return translated


def _json_array(content: str) -> Any:
    """The JSON array in a model's answer, also when it wrapped it in a Markdown code fence."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        return json.loads(text)
    except ValueError:
        return None
