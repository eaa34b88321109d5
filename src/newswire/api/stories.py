"""The staff writing API: stories go in as ninjs 2.x, the same format that comes out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency.models import Bureau, Desk, User
from newswire.agency.services import Principal, get_bureau, get_desk
from newswire.api.deps import StaffDep, StateDep, read, write
from newswire.db import utcnow
from newswire.errors import InvalidInput
from newswire.formats.ninjs import Ninjs2In
from newswire.stories import permissions, services
from newswire.stories.models import Story, Version
from newswire.translation import queries
from newswire.translation.models import TranslationTask

router = APIRouter(prefix="/api/v1/stories", tags=["writing"])

LangPath = Annotated[str, Path(max_length=16, description="a working language, e.g. `fr`")]
StoryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the story's number")]


QAOverride = Annotated[
    bool,
    Query(description="publish over high-severity QA findings; the audit log records them"),
]


class StoryCreated(BaseModel):
    story_id: int
    uri: str


class ItemSaved(BaseModel):
    story_id: int
    language: str
    uri: str
    status: str
    revision: int


class Published(BaseModel):
    story_id: int
    language: str
    uri: str
    version: int
    status: str


class CorrectionIn(BaseModel):
    note: str | None = Field(default=None, max_length=2000, description="shown to readers")


class KillIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class ItemState(BaseModel):
    language: str
    uri: str | None = Field(description="none while the language has a task but no text yet")
    status: str
    revision: int
    version: int
    headline: str
    updated_at: str
    outdated: bool = Field(
        default=False, description="a published translation whose source was corrected since"
    )
    translation_task: dict[str, Any] | None = None


class StoryOut(BaseModel):
    id: int
    desk: str
    bureau: str | None
    source_language: str
    created_at: str
    items: dict[str, ItemState]


def _untouched(task: TranslationTask, document: dict[str, Any] | None) -> ItemState:
    """A language with a task but no working copy yet."""
    return ItemState(
        language=task.language,
        uri=None,
        status="untranslated",
        revision=0,
        version=0,
        headline="",
        updated_at=task.created_at.isoformat(),
        translation_task=document,
    )


def _revision(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(
            'If-Match carries the item\'s revision, e.g. `"3"`', field="If-Match"
        ) from None


@router.post("", status_code=201, response_model=StoryCreated)
async def create_story(
    body: Ninjs2In,
    state: StateDep,
    actor: StaffDep,
    desk: Annotated[str | None, Query(description="desk code; default: your first desk")] = None,
    bureau: Annotated[str | None, Query(description="bureau code; default: your bureau")] = None,
) -> StoryCreated:
    """File a new story: the body is its source item as a ninjs 2.x document."""
    data = body.to_item_input()

    def work(session: Session) -> StoryCreated:
        desk_row = _desk_for(session, actor.desk_ids, desk)
        bureau_row = get_bureau(session, bureau) if bureau else _user_bureau(session, actor)
        story = services.create_story(
            session, actor, state.ctx, data, desk_id=desk_row.id, bureau=bureau_row
        )
        return StoryCreated(story_id=story.id, uri=story.items[0].uri)

    return await write(state, work)


def _desk_for(session: Session, desk_ids: frozenset[int], code: str | None) -> Desk:
    if code:
        return get_desk(session, code)
    query = select(Desk).order_by(Desk.id)
    if desk_ids:
        query = query.where(Desk.id.in_(desk_ids))
    found = session.scalars(query.limit(1)).first()
    if found is None:
        raise InvalidInput("name a desk: you belong to none", field="desk")
    return found


def _user_bureau(session: Session, actor: Principal) -> Bureau | None:
    user = session.get(User, actor.user_id)
    return user.bureau if user else None


@router.get("/{story_id}", response_model=StoryOut)
async def show_story(story_id: StoryId, state: StateDep, actor: StaffDep) -> StoryOut:
    """Every language version of a story with its status, revision and translation task."""

    def work(session: Session) -> StoryOut:
        story: Story = services.get_story(session, story_id)
        permissions.require_visible(actor, story)
        tasks = queries.tasks_of_story(session, story.id)
        now = utcnow()

        def task_of(language: str) -> dict[str, Any] | None:
            task = queries.current_task(tasks, language)
            return queries.task_document(task, now=now) if task else None

        return StoryOut(
            id=story.id,
            desk=story.desk.code,
            bureau=story.bureau.code if story.bureau else None,
            source_language=story.source_language,
            created_at=story.created_at.isoformat(),
            items={
                item.language: ItemState(
                    language=item.language,
                    uri=item.uri,
                    status=item.status,
                    revision=item.revision,
                    version=item.current_version,
                    headline=item.headline,
                    updated_at=item.updated_at.isoformat(),
                    outdated=queries.outdated(tasks, item),
                    translation_task=task_of(item.language),
                )
                for item in story.items
            }
            | {
                task.language: _untouched(task, task_of(task.language))
                for task in tasks
                if story.item(task.language) is None
            },
        )

    return await read(state, work)


@router.put("/{story_id}/items/{lang}", response_model=ItemSaved)
async def save_item(
    story_id: StoryId,
    lang: LangPath,
    body: Ninjs2In,
    state: StateDep,
    actor: StaffDep,
    response: Response,
    if_match: Annotated[
        str | None, Header(description="the revision you edited; required to update")
    ] = None,
) -> ItemSaved:
    """Create a language version (a translation) or update one, with optimistic locking."""
    data = body.to_item_input()
    if data.language != lang:
        raise InvalidInput(
            f"the document's language {data.language!r} differs from the URL's {lang!r}",
            field="language",
        )
    expected = _revision(if_match)

    def work(session: Session) -> tuple[ItemSaved, bool]:
        item, created = services.save_item(
            session, actor, state.ctx, story_id, data, expected_revision=expected
        )
        saved = ItemSaved(
            story_id=story_id,
            language=item.language,
            uri=item.uri,
            status=item.status,
            revision=item.revision,
        )
        return saved, created

    saved, created = await write(state, work)
    response.status_code = 201 if created else 200
    response.headers["ETag"] = f'"{saved.revision}"'
    return saved


@router.post("/{story_id}/items/{lang}/submit", response_model=ItemSaved)
async def submit_item(
    story_id: StoryId, lang: LangPath, state: StateDep, actor: StaffDep
) -> ItemSaved:
    def work(session: Session) -> ItemSaved:
        item = services.submit(session, actor, state.ctx, story_id, lang)
        session.flush()
        return ItemSaved(
            story_id=story_id,
            language=lang,
            uri=item.uri,
            status=item.status,
            revision=item.revision,
        )

    return await write(state, work)


def _published(story_id: int, lang: str, version: Version) -> Published:
    return Published(
        story_id=story_id,
        language=lang,
        uri=version.item.uri,
        version=version.number,
        status=version.item.status,
    )


@router.post("/{story_id}/items/{lang}/publish", response_model=Published)
async def publish_item(
    story_id: StoryId,
    lang: LangPath,
    state: StateDep,
    actor: StaffDep,
    qa_override: QAOverride = False,
) -> Published:
    """Publish as version 1; with an embargo, it is released by itself at its time.

    A translation with high-severity QA findings is refused (409, field `qa`) unless
    `qa_override=true`."""

    def work(session: Session) -> Published:
        version = services.publish(session, actor, state.ctx, story_id, lang, override=qa_override)
        return _published(story_id, lang, version)

    result = await write(state, work)  # the feed hub drops cached copies as it sees the event
    if result.status == "scheduled":
        state.worker_wake.set()  # the embedded worker may need to wake sooner
    return result


@router.post("/{story_id}/items/{lang}/correct", response_model=Published)
async def correct_item(
    story_id: StoryId,
    lang: LangPath,
    state: StateDep,
    actor: StaffDep,
    body: CorrectionIn | None = None,
    qa_override: QAOverride = False,
) -> Published:
    """Publish the item's current text as a new version, with a note for readers."""
    note = body.note if body else None

    def work(session: Session) -> Published:
        version = services.correct(
            session, actor, state.ctx, story_id, lang, note, override=qa_override
        )
        return _published(story_id, lang, version)

    return await write(state, work)


@router.post("/{story_id}/items/{lang}/kill", response_model=Published)
async def kill_item(
    story_id: StoryId,
    lang: LangPath,
    state: StateDep,
    actor: StaffDep,
    body: KillIn | None = None,
) -> Published:
    """Withdraw the item everywhere: a last version with pubstatus `canceled`."""
    reason = body.reason if body else None

    def work(session: Session) -> Published:
        version = services.kill(session, actor, state.ctx, story_id, lang, reason)
        return _published(story_id, lang, version)

    return await write(state, work)
