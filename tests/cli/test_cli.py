"""The real `newswire` console script, run as a user runs it, against SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import orjson
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from newswire.agency.models import User
from newswire.agency.services import get_bureau, get_desk
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from newswire.demo import agency as demo_data
from newswire.demo.loader import desk_files, story_files
from newswire.models import Base, Item
from newswire.security import verify_password
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from tests.conftest import POSTGRES_URL, VOCABULARIES, Newsroom, ninjs_story
from tests.iptc import requires_standards, validate_newsml, validate_ninjs2, validate_ninjs3

NEWSWIRE = Path(sys.executable).with_name("newswire")
ERROR_PREFIX = "newswire: error: "


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.code == 0, self.stderr
        return orjson.loads(self.stdout)

    @property
    def error(self) -> str:
        """The one line a failing command prints."""
        assert self.code != 0, self.stdout
        assert self.stdout == ""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith(ERROR_PREFIX), self.stderr
        return lines[0]


def cli(url: str, cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Run:
    """Run `newswire ARGS` with the database at `url`, the `env` given and nothing else from
    our environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")} | dict(env or {})
    env["NEWSWIRE_DATABASE_URL"] = url
    env["NEWSWIRE_VOCABULARY_DIR"] = str(VOCABULARIES)
    env["COLUMNS"] = "80"  # a narrow terminal must not wrap the one-line errors
    result = subprocess.run(
        [str(NEWSWIRE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def stored(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that a failed command changed nothing."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = {
                table.name: sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
                for table in Base.metadata.sorted_tables
            }
            tables["alembic_version"] = [
                tuple(row) for row in conn.execute(sa.text("SELECT * FROM alembic_version"))
            ]
    finally:
        engine.dispose()
    return tables


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind as `database_url` that nobody has initialised."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def table_names(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


# --- setting up an agency -------------------------------------------------------------------


def test_init_creates_the_first_admin(database_url: str, tmp_path: Path) -> None:
    run = cli(
        database_url, tmp_path, "init", "--admin", "boss", "--password", "s3cret-pass", "--json"
    )
    assert run.json() == {
        "database": sa.make_url(database_url).render_as_string(hide_password=True),
        "agency": "example.org",
        "admin": {"name": "boss", "password": None},
    }
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        users = conn.execute(sa.select(User.name, User.role, User.password_hash)).all()
    engine.dispose()
    assert [(name, role) for name, role, _ in users] == [("boss", "admin")]
    assert verify_password(users[0].password_hash, "s3cret-pass")

    again = cli(database_url, tmp_path, "init", "--json")
    assert "admin" not in again.json()


def test_init_migrates_an_empty_database(empty_database_url: str, tmp_path: Path) -> None:
    assert table_names(empty_database_url) == []
    run = cli(empty_database_url, tmp_path, "init")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("database ready: ")
    assert set(Base.metadata.tables) <= set(table_names(empty_database_url))


def test_admin_objects_and_a_staff_token(
    database_url: str, settings: Settings, database: Database, tmp_path: Path
) -> None:
    assert cli(database_url, tmp_path, "init", "--admin", "boss").code == 0

    bureau = cli(
        database_url,
        tmp_path,
        "bureau",
        "add",
        "paris",
        "--country",
        "FR",
        "--city",
        "en=Paris,ru=Париж",
        "--timezone",
        "Europe/Paris",
        "--language",
        "fr",
        "--json",
    )
    assert bureau.json() == {
        "id": 1,
        "code": "paris",
        "city": {"en": "Paris", "ru": "Париж"},
        "timezone": "Europe/Paris",
    }
    desk = cli(database_url, tmp_path, "desk", "add", "economy", "--name", "en=Economy", "--json")
    assert desk.json() == {
        "id": 1,
        "code": "economy",
        "name": {"en": "Economy"},
        "translation_languages": None,  # every working language
    }
    culture = cli(
        database_url, tmp_path, "desk", "add", "culture", "--translate-into", "fr,ru", "--json"
    )
    assert culture.json()["translation_languages"] == ["ru", "fr"]

    user = cli(
        database_url,
        tmp_path,
        "user",
        "add",
        "rashad",
        "--role",
        "editor",
        "--desk",
        "economy",
        "--json",
    ).json()
    password = user.pop("password")
    assert user == {"id": 2, "name": "rashad", "role": "editor", "desks": ["economy"]}
    assert isinstance(password, str)
    assert len(password) >= 12
    with database.read() as session:
        row = session.scalars(sa.select(User).where(User.name == "rashad")).one()
        assert verify_password(row.password_hash, password)
        assert [d.code for d in row.desks] == ["economy"]

    chosen = cli(
        database_url,
        tmp_path,
        "user",
        "add",
        "leyla",
        "--role",
        "reporter",
        "--password",
        "leyla-pass-1",
        "--json",
    )
    assert chosen.json() == {
        "id": 3,
        "name": "leyla",
        "role": "reporter",
        "desks": [],
        "password": None,
    }

    token = cli(database_url, tmp_path, "token", "create", "--user", "rashad", "--json")
    document = token.json()
    assert document["user"] == "rashad"
    assert document["token"].startswith("nws_")

    with TestClient(create_app(settings, database, worker=False)) as client:
        auth = {"Authorization": f"Bearer {document['token']}"}
        missing = client.get("/api/v1/stories/999", headers=auth)
        assert missing.status_code == 404
        assert missing.json() == {"detail": "no story 999", "field": None}
        bad = client.get("/api/v1/stories/999", headers={"Authorization": "Bearer nws_wrong"})
        assert bad.status_code == 401
        assert bad.json() == {"detail": "unknown or revoked API key", "field": None}

        # The token acts as its user: an editor of the economy desk files and publishes.
        created = client.post("/api/v1/stories", json=ninjs_story("en"), headers=auth)
        assert created.status_code == 201, created.text
        story_id = created.json()["story_id"]
        published = client.post(f"/api/v1/stories/{story_id}/items/en/publish", headers=auth)
        assert published.json()["version"] == 1
        shown = client.get(f"/api/v1/stories/{story_id}", headers=auth).json()
        assert shown["desk"] == "economy"
        assert shown["items"]["en"]["status"] == "published"


def test_subscriber_add_prints_key_and_secret(
    database_url: str, settings: Settings, database: Database, tmp_path: Path
) -> None:
    assert cli(database_url, tmp_path, "init").code == 0
    # Webhooks to loopback addresses are refused unless allow-listed; tests have no other.
    allow = {"NEWSWIRE_OUTBOUND_ALLOW": "127.0.0.1/32"}
    run = cli(
        database_url,
        tmp_path,
        "subscriber",
        "add",
        "trend",
        "--languages",
        "az,ru",
        "--webhook",
        "http://127.0.0.1:9/hook",
        "--json",
        env=allow,
    )
    document = run.json()
    api_key, secret = document.pop("api_key"), document.pop("webhook_secret")
    assert document == {
        "id": 1,
        "name": "trend",
        "products": ["trend"],  # its own, from its languages
        "languages": ["az", "ru"],
        "topics": [],
        "webhook": "http://127.0.0.1:9/hook",
        "channel_id": 1,
    }
    assert api_key.startswith("nwk_")
    assert secret.startswith("whsec_")

    human = cli(
        database_url,
        tmp_path,
        "subscriber",
        "add",
        "tass",
        "--webhook",
        "https://127.0.0.1:8443/in",
        env=allow,
    )
    assert human.code == 0, human.stderr
    lines = human.stdout.splitlines()
    assert lines[0] == "subscriber tass added"
    assert lines[1].startswith("api key: nwk_")
    assert lines[2].startswith("webhook signing secret: whsec_")
    assert len(lines) == 3

    with TestClient(create_app(settings, database, worker=False)) as client:
        for key in (api_key, lines[1].removeprefix("api key: ")):
            page = client.get("/api/v1/items", headers={"Authorization": f"Bearer {key}"})
            assert page.status_code == 200
            assert page.json() == {"items": [], "count": 0}
        # A subscriber key is not a staff token.
        staff = client.get("/api/v1/stories/1", headers={"Authorization": f"Bearer {api_key}"})
        assert staff.status_code == 403


# --- exporting --------------------------------------------------------------------------------


def publish_some(newsroom: Newsroom) -> list[str]:
    """Two stories published (one in two languages), one killed, one draft: the published URIs."""
    editor, ctx = newsroom.principals["editor"], newsroom.ctx

    def item(language: str, headline: str) -> ItemInput:
        return ItemInput(
            language=language,
            headline=headline,
            body_html="<p>Ports on the Caspian handled 4.2 million tonnes.</p>",
            urgency=4,
            subjects=("medtop:04000000",),
        )

    with newsroom.database.write() as session:
        desk, bureau = get_desk(session, "politics").id, get_bureau(session, "baku")
        first = stories.create_story(
            session, editor, ctx, item("en", HEADLINES[0]), desk_id=desk, bureau=bureau
        )
        stories.publish(session, editor, ctx, first.id, "en")
        stories.save_item(
            session, editor, ctx, first.id, item("fr", HEADLINES[1]), expected_revision=None
        )
        stories.publish(session, editor, ctx, first.id, "fr")
        killed = stories.create_story(
            session, editor, ctx, item("en", "Withdrawn story"), desk_id=desk, bureau=bureau
        )
        stories.publish(session, editor, ctx, killed.id, "en")
        stories.kill(session, editor, ctx, killed.id, "en", "Wrong port")
        stories.create_story(
            session, editor, ctx, item("en", "Still a draft"), desk_id=desk, bureau=bureau
        )
        return [stories.get_item(session, first.id, lang).uri for lang in ("en", "fr")]


HEADLINES = ("Caspian ports report record cargo", "Record de fret dans les ports de la Caspienne")


@requires_standards
def test_export_ninjs_one_valid_document_a_line(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    uris = publish_some(newsroom)
    run = cli(database_url, tmp_path, "export", "--format", "ninjs")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    documents = [orjson.loads(line) for line in lines]
    assert [d["uri"] for d in documents] == uris
    assert tuple(d["headlines"][0]["value"] for d in documents) == HEADLINES
    for document in documents:
        validate_ninjs2(document)

    french = cli(database_url, tmp_path, "export", "--format", "ninjs3", "--lang", "fr")
    assert french.code == 0, french.stderr
    documents = [orjson.loads(line) for line in french.stdout.splitlines()]
    assert [d["uri"] for d in documents] == uris[1:]
    validate_ninjs3(documents[0])


@requires_standards
def test_export_newsml_writes_valid_files(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    uris = publish_some(newsroom)
    folder = tmp_path / "out"
    run = cli(database_url, tmp_path, "export", "--format", "newsml", "--output", str(folder))
    assert run.code == 0, run.stderr
    with newsroom.database.read() as session:
        ids = session.scalars(sa.select(Item.id).where(Item.uri.in_(uris))).all()
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"item-{i}.xml" for i in ids)
    for path in folder.iterdir():
        xml = path.read_bytes()
        validate_newsml(xml)
        assert any(uri.encode() in xml for uri in uris)


def test_export_rss_and_atom_one_feed_per_language(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    uris = publish_some(newsroom)
    run = cli(database_url, tmp_path, "export", "--format", "rss", "--lang", "fr")
    assert run.code == 0, run.stderr
    feed = feedparser.parse(run.stdout.encode())
    assert feed.bozo == 0
    assert feed.feed.language == "fr"
    assert [e.id for e in feed.entries] == uris[1:]
    folder = tmp_path / "feeds"
    run = cli(database_url, tmp_path, "export", "--format", "atom", "--output", str(folder))
    assert run.code == 0, run.stderr
    english = feedparser.parse((folder / "en.atom.xml").read_bytes())
    assert [e.id for e in english.entries] == uris[:1]  # the killed story is not there
    assert len(list(folder.iterdir())) == 8


def test_search_prints_matches_newest_first(
    database_url: str, newsroom: Newsroom, tmp_path: Path
) -> None:
    uris = publish_some(newsroom)
    run = cli(database_url, tmp_path, "search", "caspian", "--json")
    assert run.code == 0, run.stderr
    results = run.json()["results"]
    assert [r["uri"] for r in results] == [uris[1], uris[0]]  # the killed story is not found
    assert results[0]["url"].startswith("http://127.0.0.1:8000/fr/news/")
    english = cli(database_url, tmp_path, "search", "caspienne", "--lang", "en")
    assert english.stdout.strip() == "no stories found"
    french = cli(database_url, tmp_path, "search", "CASPIENNE fret", "--lang", "fr")
    assert HEADLINES[1] in french.stdout


# --- the demo --------------------------------------------------------------------------------


def test_demo_initialises_and_loads_once(empty_database_url: str, tmp_path: Path) -> None:
    published, on_desks = len(story_files()), len(desk_files())
    desk_items = sum(1 + len(spec.get("translations", {})) for spec in desk_files())
    first = cli(empty_database_url, tmp_path, "demo", "--json").json()
    key = first["subscriber"].pop("api_key")
    assert first == {
        "url": "http://127.0.0.1:8000",
        "stories": published + on_desks,
        "items": 8 * published + desk_items,
        "loaded_now": True,
        "users": [
            {"name": name, "role": role, "password": f"{name}-demo"}
            for name, role, *_ in demo_data.USERS
        ],
        "subscriber": {"name": "demo-subscriber"},
    }
    assert key.startswith("nwk_")

    second = cli(empty_database_url, tmp_path, "demo", "--json").json()
    assert second["loaded_now"] is False
    assert (second["stories"], second["items"]) == (first["stories"], first["items"])
    assert second["subscriber"]["api_key"].startswith("nwk_")
    assert second["subscriber"]["api_key"] != key

    settings = Settings(database_url=empty_database_url, vocabulary_dir=VOCABULARIES)
    database = Database(empty_database_url)
    try:
        with TestClient(create_app(settings, database, worker=False)) as client:
            for api_key in (key, second["subscriber"]["api_key"]):
                listed = client.get(
                    "/api/v1/items?lang=en", headers={"Authorization": f"Bearer {api_key}"}
                )
                assert listed.status_code == 200
                assert listed.json()["count"] > 0
    finally:
        database.dispose()


# --- errors ------------------------------------------------------------------------------------

# what the user typed → the line they read after "newswire: error: " (a pattern where the
# line lists things that may grow, such as languages or formats)
ERRORS: dict[str, tuple[list[str], str | re.Pattern[str]]] = {
    "unknown role": (
        ["user", "add", "nadir", "--role", "boss"],
        "unknown role 'boss' (roles: reporter, editor, translator, chief_editor, admin) (role)",
    ),
    "duplicate user": (
        ["user", "add", "editor", "--role", "editor", "--password", "another-pass"],
        "a user 'editor' exists already (name)",
    ),
    "unknown desk": (
        ["user", "add", "nadir", "--role", "editor", "--desk", "sports"],
        "no desk 'sports' (desk)",
    ),
    "short password": (
        ["user", "add", "nadir", "--role", "editor", "--password", "short"],
        "a password has at least 8 characters (password)",
    ),
    "bad time zone": (
        ["bureau", "add", "berlin", "--country", "DE", "--city", "en=Berlin",
         "--timezone", "Europe/Atlantis"],
        "unknown time zone 'Europe/Atlantis' (timezone)",
    ),
    "duplicate bureau": (
        ["bureau", "add", "baku", "--country", "AZ", "--city", "en=Baku",
         "--timezone", "Asia/Baku"],
        "a bureau 'baku' exists already (code)",
    ),
    "bad city pairs": (
        ["bureau", "add", "rome", "--country", "IT", "--city", "Rome",
         "--timezone", "Europe/Rome"],
        "city takes LANG=TEXT pairs separated by commas (city)",
    ),
    "duplicate desk": (["desk", "add", "politics"], "a desk 'politics' exists already (code)"),
    "desk translated into an unknown language": (
        ["desk", "add", "sport", "--translate-into", "ru,xx"],
        "not a working language: xx (translation_languages)",
    ),
    "token for nobody": (["token", "create", "--user", "nobody"], "no user 'nobody' (user)"),
    "unknown subscriber language": (
        ["subscriber", "add", "partner", "--languages", "az,xx"],
        re.compile(r"unknown language 'xx' \(known: [a-z, ]+\) \(languages\)"),
    ),
    "webhook not http": (
        ["subscriber", "add", "partner", "--webhook", "ftp://example.org/in"],
        "a webhook channel needs an https:// or http:// URL (target)",
    ),
    "export bogus": (
        ["export", "--format", "bogus"],
        re.compile(r"unknown format 'bogus' \(formats: ninjs, ninjs3, newsml, rss, atom\).*"),
    ),
    "export rss xx": (
        ["export", "--format", "rss", "--lang", "xx"],
        "'xx' is not a working language of the agency (lang)",
    ),
    "search xx": (
        ["search", "ports", "--lang", "xx"],
        "'xx' is not a working language of the agency (lang)",
    ),
}  # fmt: skip


def test_errors_are_one_line_and_change_nothing(
    database_url: str, newsroom: Newsroom, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    publish_some(newsroom)
    before = stored(database_url)
    assert before["users"]
    for case, (args, expected) in ERRORS.items():
        with subtests.test(case):
            line = cli(database_url, tmp_path, *args).error.removeprefix(ERROR_PREFIX)
            if isinstance(expected, str):
                assert line == expected
            else:
                assert expected.fullmatch(line), line
            assert stored(database_url) == before


UNINITIALISED = {
    "user add": ["user", "add", "nadir", "--role", "editor"],
    "token create": ["token", "create", "--user", "admin"],
    "subscriber add": ["subscriber", "add", "partner"],
    "export": ["export", "--format", "ninjs"],
    "search": ["search", "ports"],
    "serve": ["serve", "--port", "1"],
    "worker": ["worker", "--once"],
}


def test_commands_on_an_uninitialised_database(
    empty_database_url: str, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    for case, args in UNINITIALISED.items():
        with subtests.test(case):
            line = cli(empty_database_url, tmp_path, *args).error
            assert line == (
                ERROR_PREFIX + "the database is not initialised: run `newswire init` first"
            )
            assert table_names(empty_database_url) == []
