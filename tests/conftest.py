"""Shared fixtures: real SQLite files and the real PostgreSQL server, a seeded agency, a client.

Every database test runs twice: on a fresh SQLite file and, when NEWSWIRE_TEST_POSTGRES_URL
points at a reachable server, in a fresh PostgreSQL schema. Without a server the PostgreSQL
runs are skipped, saying why.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient

from newswire import migrate, security
from newswire.agency import services as agency
from newswire.agency.models import AuditEntry
from newswire.agency.services import SYSTEM, Principal, principal_for_user
from newswire.api import app as app_module
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Base, Database
from newswire.delivery import services as delivery
from newswire.stories.models import FeedEvent, Item, Story, Version
from newswire.stories.services import StoryContext

REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO.parent / "shared" / "standards"
SAMPLES = REPO.parent / "shared" / "samples"
VOCABULARIES = STANDARDS / "vocabularies"
POSTGRES_URL = os.environ.get("NEWSWIRE_TEST_POSTGRES_URL", "")
# Browser tests drive Debian's chromium through pytest-playwright; no browser is downloaded.
# NEWSWIRE_CHROMIUM names the binary (default /usr/bin/chromium); `make browser-deps` installs it.
CHROMIUM = Path(os.environ.get("NEWSWIRE_CHROMIUM", "/usr/bin/chromium"))


CITIES = {
    "baku": ("AZ", "Asia/Baku", "az", {
        "az": "Bakı", "ru": "Баку", "en": "Baku", "fr": "Bakou", "de": "Baku",
        "es": "Bakú", "ar": "باكو", "zh": "巴库",
    }),
    "paris": ("FR", "Europe/Paris", "fr", {
        "az": "Paris", "ru": "Париж", "en": "Paris", "fr": "Paris", "de": "Paris",
        "es": "París", "ar": "باريس", "zh": "巴黎",
    }),
}  # fmt: skip
SHORT_NAMES = {
    "az": "AZƏRTAC", "ru": "АЗЕРТАДЖ", "en": "AZERTAC", "fr": "AZERTAC", "de": "AZERTAC",
    "es": "AZERTAC", "ar": "أذرتاج", "zh": "阿塞拜疆国家通讯社",
}  # fmt: skip


@pytest.fixture(autouse=True, scope="session")
def _heap_frozen_by_the_suite() -> None:
    """The apps under test leave the collector alone; the `database` fixture freezes instead."""
    app_module.FREEZE_HEAP = False


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 at its production cost takes ~0.1 s a hash; tests hash many. Same algorithm."""
    production = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = production


def _postgres_reachable() -> str | None:
    if not POSTGRES_URL:
        return "NEWSWIRE_TEST_POSTGRES_URL is not set (.ci/run sets it)"
    try:
        engine = sa.create_engine(POSTGRES_URL, poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError as error:
        return f"no PostgreSQL server at NEWSWIRE_TEST_POSTGRES_URL: {error.orig}"
    return None


@pytest.fixture(scope="session")
def postgres_skip_reason() -> str | None:
    return _postgres_reachable()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh, migrated schema on the test server; the URL selects it; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_skip_reason: str | None,
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path, sqlite_template, postgres_skip_reason) as url:
        yield url


@contextmanager
def fresh_database(
    kind: str, folder: Path, sqlite_template: Path, postgres_skip_reason: str | None
) -> Iterator[str]:
    """The URL of a new, migrated database: a SQLite file in `folder` or a PostgreSQL schema."""
    if kind == "sqlite":
        path = folder / "newswire.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if postgres_skip_reason:
        pytest.skip(postgres_skip_reason)
    with postgres_schema() as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        media_dir=tmp_path / "media",
        vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
        public_url="https://azertac.example",
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()
    # Each mapper keeps up to 100 compiled statements per database dialect, and every test's
    # engine is a new dialect: kept, they would grow the heap by thousands of objects a test
    # and make each collection (and the suite) slower and slower.
    for mapper in Base.registry.mappers:
        mapper._compiled_cache.clear()
    gc.collect()  # a connection left open by the test is reported here, not at the end
    # What survives is the suite's own (modules, caches, session fixtures): frozen, the next
    # test's collection looks only at what that test made, not at the whole heap again.
    gc.freeze()


@dataclass
class Newsroom:
    """A small agency: two bureaus, two desks, one user per role, a token each."""

    database: Database
    ctx: StoryContext
    tokens: dict[str, str] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    subscriber_keys: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        key = self.tokens.get(who) or self.subscriber_keys[who]
        return {"Authorization": f"Bearer {key}"}


# user name → role, desks, bureau, translator languages
STAFF = {
    "reporter": ("reporter", ["politics"], "baku", []),
    "editor": ("editor", ["politics"], "baku", []),
    "economy_editor": ("editor", ["economy"], "baku", []),
    "translator": ("translator", [], "baku", ["ru", "en", "ar", "zh"]),
    "chief": ("chief_editor", [], "baku", []),
    "admin": ("admin", [], None, []),
}


@pytest.fixture
def newsroom(database: Database, settings: Settings) -> Newsroom:
    ctx = StoryContext.from_settings(settings.vocabulary_dir, settings.public_url)
    room = Newsroom(database, ctx)
    with database.write() as session:
        agency.ensure_agency(
            session,
            name={"en": "Azerbaijan State News Agency"},
            short_name=SHORT_NAMES,
            domain="azertac.az",
            working_languages=settings.languages,
            timezone="Asia/Baku",
        )
        for code, (country, timezone, language, city) in CITIES.items():
            agency.add_bureau(
                session,
                SYSTEM,
                code=code,
                country=country,
                city=city,
                timezone=timezone,
                default_language=language,
            )
        agency.add_desk(session, SYSTEM, code="politics", name={"en": "Politics"})
        agency.add_desk(session, SYSTEM, code="economy", name={"en": "Economy"})
        for name, (role, desks, bureau, languages) in STAFF.items():
            user = agency.add_user(
                session,
                SYSTEM,
                name=name,
                role=role,
                password="correct horse battery",
                desks=desks,
                bureau=bureau,
                user_languages=languages,
            ).user
            room.tokens[name] = agency.create_token(session, SYSTEM, user)
            room.principals[name] = principal_for_user(user)
        vocabulary = room.ctx.vocabulary
        room.subscriber_keys["all"] = delivery.add_subscriber(
            session, SYSTEM, vocabulary, name="everything"
        ).api_key
        room.subscriber_keys["fr_only"] = delivery.add_subscriber(
            session, SYSTEM, vocabulary, name="french", languages=["fr"]
        ).api_key
    return room


@pytest.fixture
def client(settings: Settings, database: Database, newsroom: Newsroom) -> Iterator[TestClient]:
    app = create_app(settings, database)
    with TestClient(app) as test_client:
        yield test_client


def stored_state(database: Database) -> dict[str, object]:
    """Everything a request could have written: stories, items, versions, feed, audit log."""
    with database.read() as session:
        stories = session.execute(
            select(Story.id, Story.desk_id, Story.source_language).order_by(Story.id)
        ).all()
        items = session.execute(
            select(
                Item.id,
                Item.language,
                Item.status,
                Item.revision,
                Item.current_version,
                Item.headline,
                Item.body_html,
                Item.subjects,
                Item.urgency,
                Item.updated_at,
            ).order_by(Item.id)
        ).all()
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Version, FeedEvent, AuditEntry)
        }
    return {"stories": stories, "items": items, **counts}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ninjs_story(language: str = "en", **overrides: object) -> dict[str, object]:
    """A minimal valid ninjs 2.2 source item as a writer would send it."""
    document: dict[str, object] = {
        "language": language,
        "headlines": [{"role": "main", "value": "Caspian ports report record cargo"}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": "<p>Ports on the Caspian handled 4.2 million tonnes.</p>",
            }
        ],
        "urgency": 4,
        "slugline": "CASPIAN-PORTS",
        "by": "Leyla Mammadova",
        "subjects": [{"literal": "medtop:04000000"}],
    }
    document.update(overrides)
    return document


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # pytest-playwright's own fixture keeps --headed, --slowmo and friends; we add the binary,
    # and --disable-gpu, as machines running the tests have no GPU (see RECIPES: Browser tests).
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-gpu"],
    }


# pytest-playwright keeps one Playwright for the whole session. Its sync API runs an event loop in a
# greenlet of the main thread and leaves that loop marked as running there, so every later
# asyncio.run() in the same thread (CLI commands, engine tests) fails with "cannot be called from
# a running event loop". Each browser module therefore starts and stops its own.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="module")
def browser_type(playwright: Any, browser_name: str) -> Any:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args: dict[str, Any], browser_type: Any) -> Any:
    def launch(**kwargs: Any) -> Any:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="module")
def browser(launch_browser: Any) -> Iterator[Any]:
    opened = launch_browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def browser_context_args(
    pytestconfig: pytest.Config, playwright: Any, device: str | None, base_url: str | None
) -> dict[str, Any]:
    # pytest-playwright's is session-scoped and asks for the Playwright above (--video is not used).
    args: dict[str, Any] = dict(playwright.devices[device]) if device else {}
    if base_url:
        args["base_url"] = base_url
    return args


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    # The same as pytest-playwright 0.10.0's fallback fixture, which is an instance method of a
    # plugin class: pytest 9.1 deprecates those (PytestRemovedIn10Warning, an error here).
    return pytestconfig.getoption("--base-url", None) or pytestconfig.getini("base_url") or None
