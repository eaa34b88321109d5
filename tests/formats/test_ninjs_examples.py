"""Ninjs2In against IPTC's own ninjs 2.x documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from newswire.formats.ninjs import Ninjs2In

STANDARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards"
if not STANDARDS.is_dir():
    pytest.skip(f"IPTC standards folder not found at {STANDARDS}", allow_module_level=True)

OFFICIAL = sorted((STANDARDS / "ninjs" / "examples" / "official-doc" / "2.2").glob("*.json"))
# The schema-extension samples add their own properties on purpose; Ninjs2In rightly refuses them.
PROVIDERS = sorted((STANDARDS / "ninjs" / "examples" / "provider-samples" / "2.1").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def is_complete(document: dict[str, Any]) -> bool:
    return bool(document.get("language")) and bool(document.get("headlines"))


def test_the_examples_are_there() -> None:
    assert len(OFFICIAL) == 7
    assert sum(is_complete(load(path)) for path in OFFICIAL) == 2
    assert len(PROVIDERS) == 12


@pytest.mark.parametrize("path", OFFICIAL + PROVIDERS, ids=lambda path: path.name)
def test_every_example_with_language_and_headline_parses(path: Path) -> None:
    document = load(path)
    if not is_complete(document):
        # Anything else in it is accepted: the only complaints are the two fields we require.
        with pytest.raises(ValidationError) as caught:
            Ninjs2In.model_validate(document)
        missing = {("language",), ("headlines",)}
        assert {error["loc"] for error in caught.value.errors()} <= missing
        return

    item = Ninjs2In.model_validate(document).to_item_input()

    assert item.language == document["language"]
    assert item.headline


def test_official_complex_text_article() -> None:
    path = STANDARDS / "ninjs/examples/official-doc/2.2/005_complex_text_article.json"

    item = Ninjs2In.model_validate(load(path)).to_item_input()

    assert item.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert item.language == "en"
    assert item.byline == "Paulo Santalucia and Frances d'Emilio"
    assert item.located == "Grossetto, Italy"
    assert item.people == ("Francesco Schettino",)
    assert item.places == ("Grossetto", "Tuscany", "Italy")
    assert item.organisations == ("Costa Crociere SpA",)
    assert item.uri == "http://ninjs.example.com/newsitems/20130709med123"
    # the XHTML body is chosen over the plain-text one
    assert item.body_html.startswith("<p>GROSSETO, Italy (AP) -- The trial of the captain")
    assert item.body_html.count("<p>") == 4


def test_official_multimedia_article_with_associations() -> None:
    path = STANDARDS / "ninjs/examples/official-doc/2.2/007_multimedia.json"

    parsed = Ninjs2In.model_validate(load(path))

    assert [association.name for association in parsed.associations] == ["mainpic", "portrait"]
    assert parsed.to_item_input().headline == "Captain of wrecked cruise ship on trial in Italy"


def test_provider_sample_subject_codes() -> None:
    path = STANDARDS / "ninjs/examples/provider-samples/2.1/tt_text_image_2.json"

    item = Ninjs2In.model_validate(load(path)).to_item_input()

    assert item.language == "sv"
    assert item.headline == "Militärövning i jätteformat hålls 2023"
    assert item.subjects == ("16000000",)
