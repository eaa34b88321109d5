"""Machine translation engines: a real CTranslate2 model, and real HTTP servers on 127.0.0.1
speaking the documented LibreTranslate, DeepL and OpenAI chat formats."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from newswire.config import Settings
from newswire.translation.engines import (
    EngineError,
    EngineRegistry,
    Route,
    build_registry,
    codes,
    markup,
    translate_html,
)
from newswire.translation.engines.ctranslate2 import CTranslate2Engine, detect_family, layout
from newswire.translation.engines.http import DeepLEngine, LibreTranslateEngine, OpenAIEngine
from newswire.translation.models import MTModel
from tests.conftest import free_port
from tests.translation import tinymodel

KEY = "sekrit-KEY-7f3a9"
LINKED = '<b>Baku</b> hosts a <a href="https://x.az">forum</a>.'
KEPT = '<span translate="no">İlham Əliyev</span> met the delegation.'


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three tiny models: fr→en and en→de in the OPUS-MT layout, fr→en as an Argos package."""
    folder = tmp_path_factory.mktemp("models")
    return {
        "fr-en": tinymodel.build(folder / "fr-en", seed=1),
        "en-de": tinymodel.build(folder / "en-de", seed=2),
        "argos": tinymodel.build(folder / "argos", seed=3, argos=("fr", "en")),
    }


def local(path: Path, *pairs: tuple[str, str], family: str = "marian") -> CTranslate2Engine:
    return CTranslate2Engine(path, family, list(pairs), beam_size=2, batch_size=8)


# --- CTranslate2 ------------------------------------------------------------------------------


def test_ctranslate2_translates_deterministically(models: dict[str, Path]) -> None:
    engine = local(models["fr-en"], ("fr", "en"))
    texts = ["Un forum international s'est ouvert à Bakou.", "Le ministère a présenté un projet."]
    first = run(engine.translate(texts, "fr", "en"))
    again = run(local(models["fr-en"], ("fr", "en")).translate(texts, "fr", "en"))
    assert first == again
    assert len(first) == 2
    assert all(text.strip() for text in first)
    assert first[0] != first[1]
    assert first[0] != texts[0]


def test_an_argos_package_translates(models: dict[str, Path]) -> None:
    engine = local(models["argos"], ("fr", "en"), family="argos")
    [text] = run(engine.translate(["Demain il fera beau."], "fr", "en"))
    assert text.strip()


def test_a_pair_the_model_was_not_registered_for_is_refused(models: dict[str, Path]) -> None:
    engine = local(models["fr-en"], ("fr", "en"))
    assert not engine.serves("en", "fr")
    with pytest.raises(EngineError, match="does not translate en → fr"):
        run(engine.translate(["Hello"], "en", "fr"))


def test_a_missing_model_is_an_engine_error(tmp_path: Path) -> None:
    engine = local(tmp_path / "gone", ("fr", "en"))
    with pytest.raises(EngineError, match="is not a directory"):
        run(engine.translate(["Bonjour"], "fr", "en"))


def test_nllb_language_tokens(tmp_path: Path) -> None:
    path = tinymodel.build(
        tmp_path / "nllb", seed=4, language_tokens=("eng_Latn", "fra_Latn", "azj_Latn")
    )
    assert detect_family(layout(path)) == "nllb"
    engine = local(path, ("az", "en"), family="nllb")
    tokens, prefix = engine.prepare(engine.model(), ["Bakı şəhərində forum açılıb."], "az", "en")
    assert tokens[0][0] == "azj_Latn"
    assert tokens[0][-1] == "</s>"
    assert prefix == [["eng_Latn"]]
    [text] = run(engine.translate(["Bakı şəhərində forum açılıb."], "az", "en"))
    assert text.strip()


def test_language_codes_per_family() -> None:
    assert codes.framing("nllb", "az", "zh", ()) == codes.Framing(("azj_Latn",), ("zho_Hans",))
    assert codes.framing("nllb", "ar", "ru", ()) == codes.Framing(("arb_Arab",), ("rus_Cyrl",))
    assert codes.framing("m2m100", "az", "de", ()) == codes.Framing(("__az__",), ("__de__",))
    multi = {">>aze_Latn<<", ">>cmn_Hans<<", ">>fra<<", "▁the"}
    assert codes.framing("marian", "en", "az", multi) == codes.Framing((">>aze_Latn<<",))
    assert codes.framing("marian", "en", "zh", multi) == codes.Framing((">>cmn_Hans<<",))
    assert codes.framing("marian", "en", "de", multi) == codes.Framing()  # a one-target model
    assert codes.framing("argos", "fr", "en", ()) == codes.Framing()
    with pytest.raises(codes.UnmappedLanguage, match="nllb models have no code for 'xx'"):
        codes.family_code("nllb", "xx")


def test_markup_survives_an_engine_that_translates_text_only(models: dict[str, Path]) -> None:
    route = Route(((local(models["fr-en"], ("fr", "en")), "fr", "en"),))
    linked, kept = run(translate_html(route, [LINKED, KEPT]))
    match = re.fullmatch(r'<b>([^<]+)</b>([^<]+)<a href="https://x\.az">([^<]+)</a>\.', linked)
    assert match, linked
    assert match.group(1) != "Baku"
    assert match.group(2).startswith(" ")
    assert match.group(2).endswith(" ")
    assert kept.startswith("İlham Əliyev ")
    assert "span" not in kept
    assert kept != "İlham Əliyev met the delegation."


def test_markup_split_and_join() -> None:
    pieces = markup.split('A <i>b</i> <span translate="no">C <span>d</span></span> 12, e&amp;f')
    assert [p.kind for p in pieces] == ["text", "tag", "text", "tag", "text", "keep", "text"]
    assert markup.runs_to_translate(pieces) == ["A", "b", "12, e&f"]
    joined = markup.join(pieces, ["X", "Y", "Z & W"])
    assert joined == 'X <i>Y</i> <span translate="no">C <span>d</span></span> Z &amp; W'
    assert markup.unwrap_keep(joined) == "X <i>Y</i> C <span>d</span> Z &amp; W"
    spaced = markup.split("Le&nbsp;<b>pr&eacute;sident</b>&nbsp;&#160;<i>a parl&eacute;</i>")
    assert markup.runs_to_translate(spaced) == ["Le", "président", "a parlé"]
    assert markup.join(spaced, ["The", "president", "spoke"]) == (
        "The&nbsp;<b>president</b>&nbsp;&#160;<i>spoke</i>"
    )


def test_pivot_through_english(models: dict[str, Path]) -> None:
    first = local(models["fr-en"], ("fr", "en"))
    second = local(models["en-de"], ("en", "de"))
    registry = EngineRegistry([first, second])
    route = registry.route("fr", "de")
    assert route is not None
    assert route.hops == ((first, "fr", "en"), (second, "en", "de"))
    assert route.name == (
        f"ctranslate2:{models['fr-en']} (fr→en) + ctranslate2:{models['en-de']} (en→de)"
    )
    source = "Le président a reçu les invités."
    [pivoted] = run(translate_html(route, [source]))
    [english] = run(first.translate([source], "fr", "en"))
    [german] = run(second.translate([english], "en", "de"))
    assert pivoted == german
    assert registry.route("fr", "es") is None
    assert registry.route("de", "fr") is None
    assert registry.route("fr", "fr") is None


def test_build_registry_puts_local_models_first(models: dict[str, Path]) -> None:
    settings = Settings(
        mt_libretranslate_url="http://127.0.0.1:1",
        mt_deepl_key=SecretStr(KEY),
        mt_openai_url="http://127.0.0.1:2/v1",
        mt_openai_model="llama3",
    )
    rows = [
        MTModel(path=str(models["fr-en"]), family="marian", source_language="fr",
                target_language="en", active=True),
        MTModel(path=str(models["fr-en"]), family="marian", source_language="fr",
                target_language="es", active=True),
        MTModel(path=str(models["en-de"]), family="marian", source_language="en",
                target_language="de", active=False),
    ]  # fmt: skip
    registry = build_registry(settings, rows)
    names = [engine.name for engine in registry.engines]
    assert names == [f"ctranslate2:{models['fr-en']}", "libretranslate", "deepl", "openai"]
    fr_en = registry.route("fr", "en")
    assert fr_en is not None
    assert fr_en.name == f"ctranslate2:{models['fr-en']}"
    en_de = registry.route("en", "de")  # the inactive model is not used
    assert en_de is not None
    assert en_de.name == "libretranslate"
    assert KEY not in repr(registry.engines)


def test_no_engine_configured_is_a_valid_state() -> None:
    registry = build_registry(Settings(), [])
    assert registry.engines == ()
    assert registry.route("fr", "en") is None


# --- HTTP engines -------------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(path: str, handler: Handler) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP server on 127.0.0.1 answering POST `path`; yields its URL and the requests."""
    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.StreamResponse:
        seen.append(
            {
                "path": request.path,
                "headers": dict(request.headers),
                "json": await request.json(),
            }
        )
        return await handler(request)

    app = web.Application()
    app.router.add_post(path, record)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


def answer(document: Any, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(document, status=status)

    return handler


def libre(url: str, timeout: float = 5.0) -> LibreTranslateEngine:
    return LibreTranslateEngine(url, SecretStr(KEY), timeout=timeout, batch_size=2)


def deepl(url: str, timeout: float = 5.0) -> DeepLEngine:
    return DeepLEngine(url, SecretStr(KEY), timeout=timeout, batch_size=2)


def openai(url: str, timeout: float = 5.0) -> OpenAIEngine:
    return OpenAIEngine(url + "/v1", SecretStr(KEY), "llama3", timeout=timeout, batch_size=2)


async def libretranslate_service(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    return web.json_response({"translatedText": [f"[{body['target']}] {q}" for q in body["q"]]})


def test_libretranslate_request_and_answer() -> None:
    async def scenario() -> None:
        async with serving("/translate", libretranslate_service) as (url, seen):
            route = Route(((libre(url), "fr", "en"),))
            out = await translate_html(route, [LINKED, KEPT, "Trois."])
        assert out == [f"[en] {LINKED}", "[en] İlham Əliyev met the delegation.", "[en] Trois."]
        assert [r["path"] for r in seen] == ["/translate", "/translate"]  # batches of 2
        assert seen[0]["json"] == {
            "q": [LINKED, KEPT],
            "source": "fr",
            "target": "en",
            "format": "html",
            "api_key": KEY,
        }
        assert seen[1]["json"]["q"] == ["Trois."]

    run(scenario())


def test_deepl_request_and_answer() -> None:
    async def service(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        return web.json_response(
            {
                "translations": [
                    {"detected_source_language": "FR", "text": f"<{body['target_lang']}>{t}"}
                    for t in body["text"]
                ]
            }
        )

    async def scenario() -> None:
        async with serving("/v2/translate", service) as (url, seen):
            engine = deepl(url)
            assert await engine.translate(["Bonjour"], "fr", "en") == ["<EN-GB>Bonjour"]
            assert await engine.translate(["Bonjour"], "fr", "zh") == ["<ZH-HANS>Bonjour"]
        assert seen[0]["headers"]["Authorization"] == f"DeepL-Auth-Key {KEY}"
        assert seen[0]["headers"]["Content-Type"].startswith("application/json")
        assert seen[0]["json"] == {
            "text": ["Bonjour"],
            "source_lang": "FR",
            "target_lang": "EN-GB",
            "tag_handling": "html",
        }

    run(scenario())
    engine = deepl("http://127.0.0.1:1")
    assert engine.serves("ru", "ar")
    assert not engine.serves("az", "en")
    assert not engine.serves("en", "az")


def test_openai_compatible_chat_request_and_answer() -> None:
    async def service(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        segments = json.loads(body["messages"][1]["content"])
        content = json.dumps([f"DE:{s['text']}" for s in segments], ensure_ascii=False)
        return web.json_response(
            {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        )

    async def scenario() -> None:
        async with serving("/v1/chat/completions", service) as (url, seen):
            route = Route(((openai(url), "fr", "de"),))
            out = await translate_html(route, [KEPT])
        assert out == ["DE:İlham Əliyev met the delegation."]
        request = seen[0]
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["Authorization"] == f"Bearer {KEY}"
        body = request["json"]
        assert body["model"] == "llama3"
        system, user = body["messages"]
        assert system["role"] == "system"
        assert user["role"] == "user"
        assert "from French to German" in system["content"]
        assert 'translate="no"' in system["content"]
        assert json.loads(user["content"]) == [{"n": 1, "text": KEPT}]

    run(scenario())


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "Sure! Here is the translation: Hallo",
            "the model did not answer a JSON array of strings",
        ),
        ('["only one"]', "answered 1 translations for 2 texts"),
        ("```json\n[1, 2]\n```", "the model did not answer a JSON array of strings"),
    ],
)
def test_openai_answers_of_the_wrong_shape(content: str, problem: str) -> None:
    document = {"choices": [{"message": {"role": "assistant", "content": content}}]}

    async def scenario() -> None:
        async with serving("/v1/chat/completions", answer(document)) as (url, _):
            with pytest.raises(EngineError) as caught:
                await openai(url).translate(["Un", "Deux"], "fr", "de")
        assert str(caught.value) == f"openai: {problem}"

    run(scenario())


def test_openai_answer_in_a_code_fence_is_read() -> None:
    document = {"choices": [{"message": {"content": '```json\n["Eins", "Zwei"]\n```'}}]}

    async def scenario() -> None:
        async with serving("/v1/chat/completions", answer(document)) as (url, _):
            assert await openai(url).translate(["Un", "Deux"], "fr", "de") == ["Eins", "Zwei"]

    run(scenario())


ENGINES: dict[str, tuple[str, Callable[..., Any]]] = {
    "libretranslate": ("/translate", libre),
    "deepl": ("/v2/translate", deepl),
    "openai": ("/v1/chat/completions", openai),
}


def failure(name: str, handler: Handler, timeout: float = 5.0) -> str:
    """The EngineError message engine `name` raises against a server answering with `handler`."""
    path, make = ENGINES[name]

    async def scenario() -> str:
        async with serving(path, handler) as (url, _):
            with pytest.raises(EngineError) as caught:
                await make(url, timeout).translate(["Bonjour"], "fr", "en")
        return str(caught.value)

    message: str = run(scenario())
    assert KEY not in message
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", ENGINES)
def test_timeout(name: str) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1.0)
        return web.json_response({})

    message = failure(name, slow, timeout=0.2)
    assert re.fullmatch(rf"{name}: no answer from 127\.0\.0\.1:\d+ within 0\.2 s", message)


@pytest.mark.parametrize("name", ENGINES)
def test_server_error_names_the_status_and_never_the_key(name: str) -> None:
    # A service that echoes the key in its error must not get it into our message.
    message = failure(name, answer({"error": f"backend down for key {KEY}"}, status=503))
    assert re.fullmatch(
        rf"{name}: HTTP 503 Service Unavailable from 127\.0\.0\.1:\d+: "
        r"backend down for key \*\*\*",
        message,
    )


@pytest.mark.parametrize("name", ENGINES)
def test_malformed_json(name: str) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>upstream proxy error</html>", content_type="text/html")

    message = failure(name, broken)
    assert re.fullmatch(rf"{name}: answer from 127\.0\.0\.1:\d+ is not JSON", message)


@pytest.mark.parametrize("name", ENGINES)
def test_json_of_the_wrong_shape(name: str) -> None:
    message = failure(name, answer({"unexpected": True}))
    assert message.startswith(f"{name}: answer has no ")


@pytest.mark.parametrize("name", ENGINES)
def test_connection_refused(name: str) -> None:
    _, make = ENGINES[name]
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EngineError) as caught:
        run(make(url).translate(["Bonjour"], "fr", "en"))
    message = str(caught.value)
    assert re.fullmatch(rf"{name}: cannot connect to 127\.0\.0\.1:\d+: Connection refused", message)
    assert KEY not in message
