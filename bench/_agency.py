"""A database with an agency, an editor and a subscriber, for the benchmarks."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from newswire import migrate
from newswire.agency import services as agency
from newswire.agency.models import Desk
from newswire.agency.services import SYSTEM, Principal, principal_for_user
from newswire.config import Settings
from newswire.db import Database
from newswire.delivery import services as delivery
from newswire.stories import services as stories
from newswire.stories.document import ItemInput
from newswire.stories.services import StoryContext

SENTENCE = (
    "Baku hosted the regional transport forum where delegations from twelve countries "
    "discussed rail freight tariffs container terminals customs corridors and the Caspian "
    "ferry schedule for the coming year while experts presented figures on cargo growth"
)
WORDS = SENTENCE.split(" ")


def words(count: int, seed: int = 0) -> str:
    """A body of `count` words in paragraphs of 60."""
    chosen = [WORDS[(seed + i * 7) % len(WORDS)] for i in range(count)]
    paragraphs = [" ".join(chosen[i : i + 60]) for i in range(0, count, 60)]
    return "".join(f"<p>{html.escape(p.capitalize())}.</p>" for p in paragraphs)


@dataclass
class BenchAgency:
    database: Database
    ctx: StoryContext
    editor: Principal
    desk_id: int
    subscriber_key: str


def found_agency(session: Session, settings: Settings) -> Desk:
    """The benchmarks' agency, its bureau `baku` and its desk `economy` (returned)."""
    agency.ensure_agency(
        session,
        name={"en": "Bench Agency"},
        short_name={"en": "BENCH"},
        domain="bench.example",
        working_languages=settings.languages,
        timezone="Asia/Baku",
    )
    agency.add_bureau(
        session,
        SYSTEM,
        code="baku",
        country="AZ",
        city={"en": "Baku"},
        timezone="Asia/Baku",
        default_language="en",
    )
    return agency.add_desk(session, SYSTEM, code="economy", name={"en": "Economy"})


def make_agency(path: Path) -> BenchAgency:
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url)
    database = Database(url)
    migrate.upgrade(database)
    ctx = StoryContext.from_settings(None, settings.public_url)
    with database.write() as session:
        desk = found_agency(session, settings)
        user = agency.add_user(
            session,
            SYSTEM,
            name="editor",
            role="chief_editor",
            password="bench-password",  # noqa: S106 - a throwaway database
        ).user
        editor = principal_for_user(user)
        key = delivery.add_subscriber(session, SYSTEM, ctx.vocabulary, name="bench").api_key
        desk_id = desk.id
    return BenchAgency(database, ctx, editor, desk_id, key)


def draft(bench: BenchAgency, n: int, word_count: int = 600) -> int:
    """A draft story of `word_count` words; returns its id."""
    with bench.database.write() as session:
        story = stories.create_story(
            session,
            bench.editor,
            bench.ctx,
            ItemInput(
                language="en",
                headline=f"Regional transport forum opens in Baku ({n})",
                body_html=words(word_count, n),
                slugline="BENCH",
                urgency=4,
            ),
            desk_id=bench.desk_id,
            bureau=agency.get_bureau(session, "baku"),
        )
        return story.id
