"""`newswire demo`: a realistic agency to try newswire with, loaded idempotently."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import orjson
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire.agency import services as agency
from newswire.agency.models import AuditEntry, Bureau, Desk, User
from newswire.agency.services import SYSTEM, principal_for_user
from newswire.config import Settings
from newswire.db import Database, utcnow
from newswire.delivery import services as delivery
from newswire.delivery.models import Product, Subscriber
from newswire.demo import agency as data
from newswire.stories import services as stories
from newswire.stories.document import ItemInput, Picture
from newswire.stories.models import Item, Story
from newswire.stories.services import StoryContext
from newswire.translation.desk import build as build_translation
from newswire.translation.termbase import load_demo_terms


@dataclass(slots=True)
class DemoReport:
    url: str
    stories: int
    items: int
    loaded_now: bool
    users: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, password
    subscriber_key: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "stories": self.stories,
            "items": self.items,
            "loaded_now": self.loaded_now,
            "users": [{"name": n, "role": r, "password": p} for n, r, p in self.users],
            "subscriber": {"name": data.SUBSCRIBER, "api_key": self.subscriber_key},
        }

    def as_text(self) -> str:
        lines = [
            f"demo agency {'loaded' if self.loaded_now else 'already loaded'}: "
            f"{self.stories} stories, {self.items} language versions",
            f"website: {self.url}/",
            f"newsroom (log in as any of the staff below): {self.url}/newsroom/",
            f"API and its documentation: {self.url}/docs",
            "staff (name / role / password):",
        ]
        lines += [f"  {n:8} {r:13} {p}" for n, r, p in self.users]
        lines.append(f"subscriber {data.SUBSCRIBER} api key: {self.subscriber_key}")
        return "\n".join(lines)


def story_files() -> list[dict[str, Any]]:
    """Every demo story, in a stable order."""
    folder = resources.files("newswire.demo") / "stories"
    found: list[dict[str, Any]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        loaded = orjson.loads(entry.read_bytes())
        found.extend(loaded if isinstance(loaded, list) else [loaded])
    return found


def desk_files() -> list[dict[str, Any]]:
    """Stories still on the desks (drafts, a submitted bulletin, a flash), for the newsroom."""
    folder = resources.files("newswire.demo") / "desk"
    found: list[dict[str, Any]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            found.extend(orjson.loads(entry.read_bytes()))
    return found


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{html.escape(text)}</p>" for text in texts)


def load_demo(database: Database, settings: Settings, *, progress: bool = True) -> DemoReport:
    translation = build_translation(settings)
    ctx = StoryContext.from_settings(
        settings.vocabulary_dir, settings.public_url, (translation.desk,)
    )
    with database.write() as session:
        ensure_structure(session, settings.languages)
        load_demo_terms(session)
        loaded_now = not session.scalar(select(func.count()).select_from(Story))
    if loaded_now:
        _load_stories(database, ctx, progress=progress)
        with database.write() as session:
            for spec in desk_files():
                _load_desk_story(session, ctx, spec, utcnow())
    with database.write() as session:
        key = _subscriber_key(session, ctx)
        n_stories = session.scalar(select(func.count()).select_from(Story)) or 0
        n_items = session.scalar(select(func.count()).select_from(Item)) or 0
    return DemoReport(
        url=settings.public_url.rstrip("/"),
        stories=n_stories,
        items=n_items,
        loaded_now=loaded_now,
        users=[(name, role, f"{name}-demo") for name, role, *_ in data.USERS],
        subscriber_key=key,
    )


def ensure_structure(session: Session, working_languages: Iterable[str]) -> None:
    """The demo agency with its bureaus, desks and staff, each created when missing."""
    agency.ensure_agency(
        session,
        name=data.AGENCY_NAME,
        short_name=data.AGENCY_SHORT_NAME,
        domain=data.AGENCY_DOMAIN,
        working_languages=working_languages,
        timezone=data.AGENCY_TIMEZONE,
    )
    for code, country, timezone, language, city in data.BUREAUS:
        if not session.scalars(select(Bureau).where(Bureau.code == code)).first():
            agency.add_bureau(
                session,
                SYSTEM,
                code=code,
                country=country,
                city=city,
                timezone=timezone,
                default_language=language,
            )
    for code, name in data.DESKS:
        if not session.scalars(select(Desk).where(Desk.code == code)).first():
            agency.add_desk(session, SYSTEM, code=code, name=name)
    for user_name, role, desks, bureau, languages in data.USERS:
        if not session.scalars(select(User).where(User.name == user_name)).first():
            agency.add_user(
                session,
                SYSTEM,
                name=user_name,
                role=role,
                password=f"{user_name}-demo",
                desks=desks,
                bureau=bureau,
                user_languages=languages,
            )


def _subscriber_key(session: Session, ctx: StoryContext) -> str:
    """The demo subscriber's key: keys are stored hashed, so each run issues a fresh one."""
    for name, languages, desks, max_urgency in data.PRODUCTS:
        if not session.scalars(select(Product).where(Product.name == name)).first():
            delivery.add_product(
                session,
                SYSTEM,
                ctx.vocabulary,
                name=name,
                languages=languages,
                desks=desks,
                max_urgency=max_urgency,
            )
    row = session.scalars(select(Subscriber).where(Subscriber.name == data.SUBSCRIBER)).first()
    if row is None:
        created = delivery.add_subscriber(session, SYSTEM, ctx.vocabulary, name=data.SUBSCRIBER)
        created.subscriber.products += [
            delivery.product_by_name(session, name) for name in data.SUBSCRIBER_PRODUCTS
        ]
        return created.api_key
    return agency.create_subscriber_key(session, SYSTEM, row)


def _item_input(
    story: dict[str, Any], language: str, text: dict[str, Any], public_url: str
) -> ItemInput:
    # The demo files name places, people, organisations and keywords in English only, so
    # only the English version carries them; a Chinese item with English keywords would be odd.
    english = language == "en"
    return ItemInput(
        language=language,
        headline=text["headline"],
        subheadline=text.get("subheadline"),
        body_html=paragraphs(text["body"]),
        slugline=text.get("slugline"),
        byline=text.get("byline"),
        urgency=story["urgency"],
        subjects=tuple(story.get("subjects", ())),
        places=tuple(story.get("places", ())) if english else (),
        people=tuple(story.get("people", ())) if english else (),
        organisations=tuple(story.get("organisations", ())) if english else (),
        keywords=tuple(story.get("keywords", ())) if english else (),
        pictures=_pictures(story, language, public_url),
    )


# Where the site serves the demo's own drawings (src/newswire/site/static/demo).
DEMO_PICTURES_PATH = "/static/site/demo/"


def _pictures(story: dict[str, Any], language: str, public_url: str) -> tuple[Picture, ...]:
    spec = story.get("picture")
    if not spec:
        return ()
    # Subscribers fetch pictures from elsewhere, so the link is absolute, on the public URL.
    href = public_url.rstrip("/") + DEMO_PICTURES_PATH + spec["file"]
    picture = Picture(
        href=href,
        caption=_in_language(spec.get("caption"), language),
        alt=_in_language(spec.get("alt"), language),
        credit=_in_language(spec.get("credit"), language),
        mimetype="image/svg+xml",
        width=spec.get("width"),
        height=spec.get("height"),
    )
    return (picture,)


def _in_language(text: str | dict[str, str] | None, language: str) -> str | None:
    # A single string (a photographer's name) reads the same in every language.
    return text.get(language) if isinstance(text, dict) else text


def _load_stories(database: Database, ctx: StoryContext, *, progress: bool) -> None:
    specs = sorted(story_files(), key=lambda s: -float(s["hours_ago"]))
    now = utcnow()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("loading demo stories", total=len(specs))
        for spec in specs:
            with database.write() as session:
                _load_story(session, ctx, spec, now)
            bar.advance(task)


def _load_story(session: Session, ctx: StoryContext, spec: dict[str, Any], now: datetime) -> None:
    chief = principal_for_user(agency.get_user(session, "chief"))
    languages = ctx.agency(session).languages
    created = now - timedelta(hours=float(spec["hours_ago"]))
    source = spec["source_language"]
    items = spec["items"]
    embargoed = now + timedelta(hours=data.EMBARGO_HOURS)
    is_embargoed = spec["key"] == data.STORY_EMBARGOED
    if is_embargoed:
        created = now - timedelta(minutes=20)
    first = _item_input(spec, source, items[source], ctx.public_url).model_copy(
        update={"firstcreated": created, "embargoed": embargoed if is_embargoed else None}
    )
    story = stories.create_story(
        session,
        chief,
        ctx,
        first,
        desk_id=agency.get_desk(session, spec["desk"]).id,
        bureau=agency.get_bureau(session, spec["bureau"]),
    )
    # Translations follow the source by a few minutes each, as on a real desk.
    at = created + timedelta(minutes=2)
    stories.publish(session, chief, ctx, story.id, source, at=min(at, now))
    for offset, language in enumerate(lang for lang in languages if lang != source):
        if language not in items:
            continue
        translation = _item_input(spec, language, items[language], ctx.public_url).model_copy(
            update={"embargoed": embargoed if is_embargoed else None}
        )
        stories.save_item(session, chief, ctx, story.id, translation, expected_revision=None)
        when = min(at + timedelta(minutes=3 + 2 * offset), now)
        # The demo's translations are ours and checked by tests/translation/test_qa_demo.py;
        # a QA finding must not stop the demo from loading (the audit log would show it).
        stories.publish(session, chief, ctx, story.id, language, at=when, override=True)
    correction = spec.get("correction")
    if correction:
        when = min(created + timedelta(hours=1), now)
        for language, fixed in correction.items():
            item = stories.get_item(session, story.id, language)
            update = _item_input(spec, language, {**items[language], **fixed}, ctx.public_url)
            stories.save_item(
                session, chief, ctx, story.id, update, expected_revision=item.revision
            )
            stories.correct(
                session, chief, ctx, story.id, language, fixed.get("note"), at=when, override=True
            )
    if spec["key"] == data.STORY_KILLED:
        when = min(created + timedelta(minutes=40), now)
        # The translation desk withdraws every other language with the source.
        stories.kill(session, chief, ctx, story.id, source, _KILL_REASON, at=when)
    _backdate_audit(session, story.id, created, now)


def _backdate_audit(session: Session, story_id: int, created: datetime, now: datetime) -> None:
    """The story's audit entries at the demo's made-up times, a couple of minutes apart, as
    if the desk had worked on it then: the newsroom orders its queues by them."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "story", AuditEntry.object_id == story_id)
        .order_by(AuditEntry.id)
    ).all()
    for number, entry in enumerate(entries):
        entry.at = min(created + timedelta(minutes=2 * number), now)


def _load_desk_story(
    session: Session, ctx: StoryContext, spec: dict[str, Any], now: datetime
) -> None:
    """A story its reporter is still working on, or has submitted to the desk."""
    filer = principal_for_user(agency.get_user(session, spec["filed_by"]))
    data = ItemInput(
        language=spec["language"],
        headline=spec["headline"],
        body_html=paragraphs(spec["body"]),
        slugline=spec.get("slugline"),
        byline=spec.get("byline"),
        urgency=spec["urgency"],
        subjects=tuple(spec.get("subjects", ())),
        firstcreated=now - timedelta(minutes=float(spec["minutes_ago"])),
    )
    story = stories.create_story(
        session,
        filer,
        ctx,
        data,
        desk_id=agency.get_desk(session, spec["desk"]).id,
        bureau=agency.get_bureau(session, spec["bureau"]),
    )
    if spec["status"] == "submitted":
        stories.submit(session, filer, ctx, story.id, spec["language"])
    if spec["status"] == "published":
        _load_translations(session, ctx, story.id, spec, data.firstcreated or now)
    _backdate_audit(session, story.id, data.firstcreated or now, now)


def _load_translations(
    session: Session, ctx: StoryContext, story_id: int, spec: dict[str, Any], created: datetime
) -> None:
    """A source published a few minutes ago, with the translation desk at work on it: some
    languages published, one in review, one being written, the rest waiting."""
    editor = principal_for_user(agency.get_user(session, "rashad"))
    translator = principal_for_user(agency.get_user(session, "nigar"))
    stories.publish(session, editor, ctx, story_id, spec["language"], at=created)
    for offset, (language, text) in enumerate(spec["translations"].items()):
        translation = ItemInput(
            language=language,
            headline=text["headline"],
            body_html=paragraphs(text["body"]),
            slugline=spec.get("slugline"),
            urgency=spec["urgency"],
            subjects=tuple(spec.get("subjects", ())),
        )
        stories.save_item(session, translator, ctx, story_id, translation, expected_revision=None)
        if text["status"] in ("submitted", "published"):
            stories.submit(session, translator, ctx, story_id, language)
        if text["status"] == "published":
            when = created + timedelta(minutes=4 + 3 * offset)
            stories.publish(session, translator, ctx, story_id, language, at=when, override=True)


_KILL_REASON = "Withdrawn: the flight information was not confirmed by the airport."
