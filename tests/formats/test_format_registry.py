from __future__ import annotations

import orjson
import pytest
from lxml import etree

from newswire.formats.registry import Format, FormatRegistry, UnknownFormat, default_formats
from newswire.stories.document import ItemDocument


def test_default_formats_names_and_media_types() -> None:
    registry = default_formats()

    assert registry.names() == ("ninjs", "ninjs3", "newsml")
    assert registry.get("ninjs").media_type == "application/json"
    assert registry.get("ninjs3").media_type == "application/json"
    assert registry.get("newsml").media_type == "application/vnd.iptc.g2.newsitem+xml"
    assert [registry.get(name).file_extension for name in registry.names()] == [
        "json",
        "json",
        "xml",
    ]


def test_each_default_format_renders_bytes(full_doc: ItemDocument) -> None:
    registry = default_formats()

    ninjs2 = orjson.loads(registry.get("ninjs").render(full_doc))
    ninjs3 = orjson.loads(registry.get("ninjs3").render(full_doc))
    newsml = etree.fromstring(registry.get("newsml").render(full_doc))

    assert ninjs2["standard"]["version"] == "2.2"
    assert ninjs3["standard"]["version"] == "3.1"
    assert newsml.tag == "{http://iptc.org/std/nar/2006-10-01/}newsItem"


def test_a_new_registry_is_empty_until_filled() -> None:
    # Importing the format modules registers nothing: only default_formats() fills a registry.
    assert FormatRegistry().names() == ()


def test_default_formats_returns_independent_registries() -> None:
    first = default_formats()
    first.register(Format("plain", "text/plain", lambda doc: doc.headline.encode(), "txt"))

    assert "plain" not in default_formats().names()


def test_unknown_format_is_a_key_error_with_a_clear_message() -> None:
    registry = default_formats()

    with pytest.raises(UnknownFormat) as caught:
        registry.get("rss9")

    assert isinstance(caught.value, KeyError)
    assert caught.value.name == "rss9"
    assert str(caught.value) == "unknown format 'rss9'; known formats: ninjs, ninjs3, newsml"


def test_unknown_format_in_an_empty_registry() -> None:
    with pytest.raises(KeyError, match="known formats: none"):
        FormatRegistry().get("ninjs")


def test_registering_a_name_twice_is_refused() -> None:
    registry = default_formats()
    duplicate = Format("ninjs", "application/json", lambda doc: b"{}", "json")

    with pytest.raises(ValueError, match="'ninjs' is already registered"):
        registry.register(duplicate)
    assert registry.get("ninjs") is not duplicate


def test_by_media_type_prefers_the_first_registered() -> None:
    registry = default_formats()

    json_format = registry.by_media_type("application/json")
    g2_format = registry.by_media_type("application/vnd.iptc.g2.newsitem+xml")

    assert json_format is not None
    assert json_format.name == "ninjs"
    assert g2_format is not None
    assert g2_format.name == "newsml"
    assert registry.by_media_type("text/html") is None
