"""Pictures in the story editor: checked with Pillow, stored by hash, captioned per language."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable

import httpx
import lxml.html
import pytest
from PIL import Image
from sqlalchemy import func, select

from newswire.config import Settings
from newswire.db import Database
from newswire.newsroom.models import MediaFile
from tests.newsroom.conftest import StaffBrowser
from tests.newsroom.test_editor import create_story, editor_form, load_item

Staff = Callable[[str], StaffBrowser]
MAX_UPLOAD = 100_000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small upload limit, so that a picture just over it is quick to make."""
    return settings.model_copy(update={"max_upload_bytes": MAX_UPLOAD})


def png(width: int = 64, height: int = 48, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode != "1" else 1).save(buffer, "PNG")
    return buffer.getvalue()


def noise_png(size: int) -> bytes:
    """A PNG of random pixels: it does not compress, so its file is about size² × 3 bytes."""
    pixels = random.Random(7).randbytes(size * size * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), pixels).save(buffer, "PNG")
    return buffer.getvalue()


def upload(
    browser: StaffBrowser,
    story_id: int,
    language: str,
    content: bytes,
    *,
    filename: str = "harbour.png",
    content_type: str = "image/png",
    **fields: str,
) -> httpx.Response:
    return browser._send(
        "POST",
        f"/newsroom/stories/{story_id}/{language}/pictures",
        data={"csrf_token": browser.csrf, **fields},
        files={"file": (filename, content, content_type)},
    )


def media_rows(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(MediaFile)) or 0


def test_a_picture_goes_to_every_language_with_that_languages_caption(
    staff: Staff, database: Database, settings: Settings
) -> None:
    editor = staff("editor")
    story_id, _ = create_story(editor)
    ru = editor_form(editor.get(f"/newsroom/stories/{story_id}/ru"))
    ru.update(headline="Каспийские порты сообщают о рекордном грузообороте")
    assert editor.post(f"/newsroom/stories/{story_id}/ru", ru).status_code == 303

    content = png()
    # The declared type does not matter: the bytes are what Pillow reads.
    response = upload(
        editor, story_id, "en", content, content_type="application/octet-stream",
        caption_en="The port of Baku", caption_ru="Бакинский порт", caption_fr="Le port de Bakou",
        alt="Cranes over container ships", credit="AZERTAC / L. Mammadova",
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/newsroom/stories/{story_id}/en?done=uploaded"
    digest = hashlib.sha256(content).hexdigest()
    stored = settings.media_dir / f"{digest}.png"
    assert stored.read_bytes() == content
    href = f"https://azertac.example/media/{digest}.png"

    expected = {"en": "The port of Baku", "ru": "Бакинский порт"}
    for language, caption in expected.items():
        (picture,) = load_item(database, story_id, language).pictures
        assert picture == {
            "href": href, "caption": caption, "alt": "Cranes over container ships",
            "credit": "AZERTAC / L. Mammadova", "mimetype": "image/png", "width": 64,
            "height": 48,
        }  # fmt: skip
    with database.read() as session:
        row = session.scalars(select(MediaFile)).one()
        assert (row.filename, row.width, row.height, row.size) == (
            stored.name,
            64,
            48,
            len(content),
        )
        assert row.captions["fr"] == "Le port de Bakou"
        assert row.story_id == story_id

    # Shown in the editor with the caption of the language being edited; served under /media.
    page = editor.get(f"/newsroom/stories/{story_id}/ru")
    figure = lxml.html.fromstring(page.text).find_class("picture-list")[0]
    assert figure.xpath(".//img/@src") == [href]
    assert "Бакинский порт" in figure.text_content()
    served = editor.get(f"/media/{digest}.png")
    assert served.status_code == 200
    assert served.content == content

    # A language version made later copies the pictures, with its caption from the upload.
    fr = editor_form(editor.get(f"/newsroom/stories/{story_id}/fr"))
    fr.update(headline="Les ports de la Caspienne annoncent un record")
    assert editor.post(f"/newsroom/stories/{story_id}/fr", fr).status_code == 303
    (picture,) = load_item(database, story_id, "fr").pictures
    assert (picture["href"], picture["caption"]) == (href, "Le port de Bakou")
    de = editor_form(editor.get(f"/newsroom/stories/{story_id}/de"))
    de.update(headline="Kaspische Häfen melden Rekord")
    assert editor.post(f"/newsroom/stories/{story_id}/de", de).status_code == 303
    (picture,) = load_item(database, story_id, "de").pictures
    assert picture["caption"] == "The port of Baku"  # no German caption: the source's

    # Saving the form keeps the pictures; removing one takes it off every language.
    en = editor_form(editor.get(f"/newsroom/stories/{story_id}/en"))
    en["headline"] = "Caspian ports report a record year"
    assert editor.post(f"/newsroom/stories/{story_id}/en", en).status_code == 303
    assert load_item(database, story_id, "en").pictures[0]["href"] == href
    removed = editor.post(f"/newsroom/stories/{story_id}/en/pictures/remove", {"href": href})
    assert removed.status_code == 303
    for language in ("en", "ru", "fr", "de"):
        assert load_item(database, story_id, language).pictures == []


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("text renamed .png", lambda: b"Ports on the Caspian handled 4.2 million tonnes.\n" * 20,
         "not a JPEG, PNG, WebP or GIF"),
        ("too many bytes", lambda: noise_png(190), "at most 100,000"),
        ("too many pixels", lambda: png(8000, 5001, mode="1"), "40 megapixels"),
        ("truncated", lambda: noise_png(100)[:15_000], "damaged or incomplete"),
        ("BMP", lambda: _bmp(), "not a JPEG, PNG, WebP or GIF"),
        ("empty", lambda: b"", "choose a picture"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_field(
    staff: Staff,
    database: Database,
    settings: Settings,
    name: str,
    make: Callable[[], bytes],
    message: str,
) -> None:
    editor = staff("editor")
    story_id, _ = create_story(editor)
    content = make()
    assert name != "too many bytes" or MAX_UPLOAD < len(content) < MAX_UPLOAD + 60_000
    response = upload(editor, story_id, "en", content)
    assert response.status_code == 422, response.text
    assert message in response.text
    document = lxml.html.fromstring(response.text)
    assert document.get_element_by_id("editor-error").xpath(".//code/text()") == ["file"]
    assert document.get_element_by_id("picture-file").get("aria-invalid") == "true"
    assert media_rows(database) == 0
    assert not settings.media_dir.exists() or not any(settings.media_dir.iterdir())
    assert load_item(database, story_id, "en").pictures == []


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    return buffer.getvalue()


def test_only_whoever_may_edit_the_version_adds_pictures(
    staff: Staff, database: Database, settings: Settings
) -> None:
    story_id, _ = create_story(staff("reporter"))
    other = staff("economy_editor")
    response = upload(other, story_id, "en", png())
    assert response.status_code == 403
    translator = staff("translator")  # translators do not edit the source language
    assert upload(translator, story_id, "en", png()).status_code == 403
    assert media_rows(database) == 0
    assert not settings.media_dir.exists() or not any(settings.media_dir.iterdir())


def test_jpeg_webp_and_gif_are_kept_under_their_own_extension(
    staff: Staff, database: Database, settings: Settings
) -> None:
    editor = staff("editor")
    story_id, _ = create_story(editor)
    extensions = {"JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
    for kind, extension in extensions.items():
        buffer = io.BytesIO()
        Image.new("RGB", (30, 20), "teal").save(buffer, kind)
        # Named and declared as something else: the bytes decide.
        response = upload(editor, story_id, "en", buffer.getvalue(), filename="photo.png")
        assert response.status_code == 303, response.text
        digest = hashlib.sha256(buffer.getvalue()).hexdigest()
        assert (settings.media_dir / f"{digest}.{extension}").is_file()
    pictures = load_item(database, story_id, "en").pictures
    assert [p["mimetype"] for p in pictures] == ["image/jpeg", "image/webp", "image/gif"]
    assert [p["href"].rsplit(".", 1)[1] for p in pictures] == ["jpg", "webp", "gif"]


def test_a_translators_picture_reaches_only_the_versions_it_may_edit(
    staff: Staff, database: Database
) -> None:
    story_id, _ = create_story(staff("reporter"))
    translator = staff("translator")  # translates into ru, en, ar and zh
    source = load_item(database, story_id, "en").language
    assert source == "en"
    # The translator cannot edit the English source; its Russian version it can.
    russian = translator.get(f"/newsroom/stories/{story_id}/ru")
    form = editor_form(russian)
    form["headline"] = "Каспийские порты сообщили о рекордном грузообороте"
    assert translator.post(f"/newsroom/stories/{story_id}/ru", form).status_code == 303
    assert upload(translator, story_id, "ru", png(), caption_ru="Порт").status_code == 303
    assert len(load_item(database, story_id, "ru").pictures) == 1
    assert load_item(database, story_id, "en").pictures == []
    # The reporter may edit every version of its own draft, so its upload reaches both.
    reporter = staff("reporter")
    assert upload(reporter, story_id, "en", png(80, 60), caption_en="Port").status_code == 303
    assert len(load_item(database, story_id, "en").pictures) == 1
    assert len(load_item(database, story_id, "ru").pictures) == 2
    # A picture the English version does not carry cannot be removed through it.
    href = load_item(database, story_id, "ru").pictures[0]["href"]
    response = reporter.post(f"/newsroom/stories/{story_id}/en/pictures/remove", {"href": href})
    assert response.status_code == 404  # the English version has no such picture
    assert load_item(database, story_id, "ru").pictures[0]["href"] == href


def test_a_reporters_upload_leaves_a_published_source_alone(
    staff: Staff, database: Database
) -> None:
    reporter = staff("reporter")
    story_id, _ = create_story(reporter)
    editor = staff("editor")
    page = editor.get(f"/newsroom/stories/{story_id}/en")
    assert (
        editor.post(f"/newsroom/stories/{story_id}/en/publish", editor_form(page)).status_code
        == 303
    )
    # The reporter adds a French draft to its story and uploads a picture there.
    french = editor_form(reporter.get(f"/newsroom/stories/{story_id}/fr"))
    french["headline"] = "Les ports de la Caspienne annoncent un record"
    assert reporter.post(f"/newsroom/stories/{story_id}/fr", french).status_code == 303
    assert upload(reporter, story_id, "fr", png(), caption_fr="Port").status_code == 303
    assert len(load_item(database, story_id, "fr").pictures) == 1
    assert load_item(database, story_id, "en").pictures == []  # published: not the reporter's
