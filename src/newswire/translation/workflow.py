"""Translation tasks: opened when a source item is published, closed when the translation is.

`TranslationDesk` listens to story events (see `stories.services.StoryListener`) inside the
publishing transaction, so a publication and the tasks it opens commit together, and a
correction or kill of the source reaches every language in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.models import User
from newswire.agency.services import Principal, audit, get_agency
from newswire.config import Settings
from newswire.errors import Conflict, Forbidden, InvalidInput, NotFound
from newswire.stories import permissions
from newswire.stories.models import Item, Story, Version
from newswire.stories.services import StoryContext, get_story, kill
from newswire.translation.models import OPEN_TASK_STATUSES, TranslationTask


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long the desk has to translate a story, by its urgency."""

    flash: timedelta = timedelta(minutes=10)
    urgent: timedelta = timedelta(minutes=30)
    other: timedelta = timedelta(hours=2)

    @classmethod
    def from_settings(cls, settings: Settings) -> Deadlines:
        return cls(
            flash=timedelta(minutes=settings.translation_minutes_flash),
            urgent=timedelta(minutes=settings.translation_minutes_urgent),
            other=timedelta(minutes=settings.translation_minutes_other),
        )

    def for_urgency(self, urgency: int) -> timedelta:
        if urgency <= 1:
            return self.flash
        if urgency <= 3:
            return self.urgent
        return self.other


# Whether a machine translation engine serves a language pair, asked when a task opens.
ServesPair = Callable[[Session, str, str], bool]


def _no_engine(_session: Session, _source: str, _target: str) -> bool:
    return False


# The task status that matches a translation's working copy, when a task opens on one.
_STATUS_OF_ITEM = {"draft": "in_progress", "submitted": "review"}


class QABlocked(Conflict):
    """A publication refused because QA found high-severity problems; `override` publishes."""


# Checks a language version before it is published; returns the high-severity findings as
# (check, message) pairs. Filled by `newswire.translation.checks` (kept apart to keep this
# module free of the QA machinery).
HighFindings = Callable[[Session, Story, Item], list[tuple[str, str]]]


def _no_findings(_session: Session, _story: Story, _item: Item) -> list[tuple[str, str]]:
    return []


class TranslationDesk:
    """The story listener that runs the translation desk's side of every story event."""

    def __init__(
        self,
        deadlines: Deadlines | None = None,
        *,
        serves: ServesPair = _no_engine,
        high_findings: HighFindings = _no_findings,
        on_queued: Callable[[Session], None] | None = None,
        memory: Callable[[Session, Story, Item, Principal], object] | None = None,
    ) -> None:
        self.deadlines = deadlines or Deadlines()
        self.serves = serves
        self.high_findings = high_findings
        self.on_queued = on_queued
        self.memory = memory

    # --- StoryListener -------------------------------------------------------------------

    def before_publish(
        self, session: Session, actor: Principal, story: Story, item: Item, *, override: bool
    ) -> None:
        if item.language == story.source_language:
            return
        findings = self.high_findings(session, story, item)
        if not findings:
            return
        if not override:
            first = findings[0][1]
            more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
            raise QABlocked(
                f"QA found {len(findings)} high-severity problem(s): {first}{more}; "
                "fix them or publish with the override",
                field="qa",
            )
        audit(
            session,
            actor,
            "item.qa_override",
            "story",
            story.id,
            language=item.language,
            findings=[{"check": check, "message": message} for check, message in findings],
        )

    def after(
        self,
        session: Session,
        actor: Principal,
        ctx: StoryContext,
        story: Story,
        item: Item,
        event: str,
        version: Version | None,
    ) -> None:
        source = item.language == story.source_language
        if event == "saved" and not source:
            self._started(session, actor, story.id, item.language)
        elif event == "submitted" and not source:
            self._move(session, story.id, item.language, "review", actor)
        elif event == "published" and source and version is not None:
            self.open_tasks(session, actor, story, version.number, at=version.created_at)
        elif event == "corrected" and source and version is not None:
            self._source_corrected(session, actor, story, version)
        elif event == "killed" and source:
            self._source_killed(session, actor, ctx, story, version)
        elif event in ("published", "corrected") and not source:
            at = version.created_at if version is not None else db.utcnow()
            self._translation_published(session, actor, story, item, at)
        elif event == "killed":
            self._cancel(session, story.id, [item.language], "the translation was killed")

    # --- opening tasks ---------------------------------------------------------------------

    def target_languages(self, session: Session, story: Story) -> list[str]:
        """The languages the desk translates this story into, in the agency's order."""
        agency_languages = get_agency(session).languages
        wanted = story.desk.translation_languages
        return [
            language
            for language in agency_languages
            if language != story.source_language and (wanted is None or language in wanted)
        ]

    def open_tasks(
        self,
        session: Session,
        actor: Principal,
        story: Story,
        source_version: int,
        languages: Sequence[str] | None = None,
        *,
        kind: str = "translate",
        note: str | None = None,
        previous: dict[str, int] | None = None,
        at: datetime | None = None,
    ) -> list[TranslationTask]:
        """A task per target language that has none open and no published translation.

        `at` is when the source was published (the demo and imports backdate it)."""
        source_item = story.item(story.source_language)
        urgency = source_item.urgency if source_item else 5
        now = at or db.utcnow()
        open_languages = set(
            session.scalars(
                select(TranslationTask.language).where(
                    TranslationTask.story_id == story.id,
                    TranslationTask.status.in_(OPEN_TASK_STATUSES),
                )
            )
        )
        created = []
        for language in languages or self.target_languages(session, story):
            target = story.item(language)
            if language in open_languages:
                continue
            finished = target is not None and target.status not in ("draft", "submitted")
            if kind == "translate" and finished:
                continue  # published, scheduled or killed: nothing left to translate
            machine = self.serves(session, story.source_language, language)
            # Someone may have started the translation before the source was published.
            opening = "pending"
            if target is not None and kind == "translate":
                opening = _STATUS_OF_ITEM.get(target.status, "pending")
            task = TranslationTask(
                story_id=story.id,
                language=language,
                source_language=story.source_language,
                kind=kind,
                status=opening,
                started_at=now if opening != "pending" else None,
                urgency=urgency,
                deadline=now + self.deadlines.for_urgency(urgency),
                created_at=now,
                source_version=source_version,
                previous_source_version=(previous or {}).get(language),
                note=note,
                mt_state="queued" if machine else "none",
            )
            session.add(task)
            created.append(task)
        if created:
            session.flush()
            audit(
                session,
                actor,
                "translation.open",
                "story",
                story.id,
                languages=[task.language for task in created],
                kind=kind,
            )
            if any(task.mt_state == "queued" for task in created) and self.on_queued:
                self.on_queued(session)
        return created

    # --- following the source ----------------------------------------------------------------

    def _source_corrected(
        self, session: Session, actor: Principal, story: Story, version: Version
    ) -> None:
        """Published translations become outdated: each gets an update task naming the change."""
        for task in self._open(session, story.id):
            if task.source_version < version.number:
                task.source_version = version.number
                if task.mt_state in ("ready", "failed") and task.status == "pending":
                    task.mt_state = "queued"  # the draft followed an older source
        published = [
            item.language
            for item in story.items
            if item.language != story.source_language and item.status == "published"
        ]
        previous = dict.fromkeys(published, version.number - 1)
        for language in published:
            done = session.scalars(
                select(TranslationTask.source_version)
                .where(
                    TranslationTask.story_id == story.id,
                    TranslationTask.language == language,
                    TranslationTask.status == "done",
                )
                .order_by(TranslationTask.id.desc())
                .limit(1)
            ).first()
            if done is not None:
                previous[language] = done
        self.open_tasks(
            session,
            actor,
            story,
            version.number,
            published,
            kind="update",
            note=version.note,
            previous=previous,
            at=version.created_at,
        )

    def _source_killed(
        self,
        session: Session,
        actor: Principal,
        ctx: StoryContext,
        story: Story,
        version: Version | None,
    ) -> None:
        """Every other language goes with the source, with the same reason."""
        reason = version.note if version else None
        for item in list(story.items):
            if item.language == story.source_language:
                continue
            if item.status in ("published", "scheduled"):
                at = version.created_at if version is not None else None
                kill(session, actor, ctx, story.id, item.language, reason, at=at)
            elif item.status in ("draft", "submitted"):
                item.status = "killed"  # never published: nothing to withdraw from readers
                audit(session, actor, "item.killed", "story", story.id, language=item.language)
        self._cancel(
            session,
            story.id,
            self.target_languages(session, story),
            f"the source was killed: {reason}" if reason else "the source was killed",
        )

    def _translation_published(
        self, session: Session, actor: Principal, story: Story, item: Item, now: datetime
    ) -> None:
        for task in self._open(session, story.id, item.language):
            task.status = "done"
            task.done_at = now
            task.mt_lease_until = None
            if task.assignee_id is None and actor.user_id is not None:
                task.assignee_id = actor.user_id
        if self.memory is not None:
            self.memory(session, story, item, actor)
        self._check_all_languages(session, story, now)

    def _check_all_languages(self, session: Session, story: Story, now: datetime) -> None:
        if story.all_languages_at is not None:
            return
        wanted = set(self.target_languages(session, story)) | {story.source_language}
        published = {
            item.language
            for item in story.items
            if item.published_at is not None and item.status == "published"
        }
        if wanted <= published:
            story.all_languages_at = now

    # --- task state ---------------------------------------------------------------------------

    def _open(
        self, session: Session, story_id: int, language: str | None = None
    ) -> Sequence[TranslationTask]:
        query = select(TranslationTask).where(
            TranslationTask.story_id == story_id,
            TranslationTask.status.in_(OPEN_TASK_STATUSES),
        )
        if language is not None:
            query = query.where(TranslationTask.language == language)
        return session.scalars(query.order_by(TranslationTask.id)).all()

    def _started(self, session: Session, actor: Principal, story_id: int, language: str) -> None:
        now = db.utcnow()
        for task in self._open(session, story_id, language):
            if task.status == "pending":
                task.status = "in_progress"
                task.started_at = now
            if task.assignee_id is None and actor.role == "translator":
                task.assignee_id = actor.user_id

    def _move(
        self, session: Session, story_id: int, language: str, status: str, actor: Principal
    ) -> None:
        now = db.utcnow()
        for task in self._open(session, story_id, language):
            task.status = status
            task.started_at = task.started_at or now
            if status == "review":
                task.review_at = now
            if task.assignee_id is None and actor.role == "translator":
                task.assignee_id = actor.user_id

    def _cancel(self, session: Session, story_id: int, languages: Sequence[str], why: str) -> None:
        session.execute(
            update(TranslationTask)
            .where(
                TranslationTask.story_id == story_id,
                TranslationTask.language.in_(list(languages)),
                TranslationTask.status.in_(OPEN_TASK_STATUSES),
            )
            .values(status="canceled", done_at=db.utcnow(), note=why, mt_lease_until=None)
            .execution_options(synchronize_session="fetch")
        )


# --- services for the API and the newsroom --------------------------------------------------


def get_task(session: Session, task_id: int) -> TranslationTask:
    task = session.get(TranslationTask, task_id)
    if task is None:
        raise NotFound(f"no translation task {task_id}")
    return task


def can_work_on(actor: Principal, story: Story, language: str) -> bool:
    """Translators work into their languages; editors on their desks' stories."""
    if actor.role == "translator":
        return language in actor.languages
    return actor.role in ("editor", "chief_editor") and permissions.can_see(actor, story.desk_id)


def assign(
    session: Session, actor: Principal, task_id: int, assignee_name: str | None
) -> TranslationTask:
    """Give a task to someone (editors), or take it yourself (`assignee_name` None)."""
    task = get_task(session, task_id)
    story = get_story(session, task.story_id)
    if task.status not in OPEN_TASK_STATUSES:
        raise Conflict(f"this task is {task.status}", field="status")
    if assignee_name is None or assignee_name == actor.name:
        if not can_work_on(actor, story, task.language):
            raise Forbidden("your role may not take this translation task")
        user_id = actor.user_id
    else:
        if actor.role not in ("editor", "chief_editor") or not permissions.can_see(
            actor, story.desk_id
        ):
            raise Forbidden("your role may not assign translation tasks")
        user = session.scalars(select(User).where(User.name == assignee_name)).first()
        if user is None or not user.active:
            raise InvalidInput(f"no active user {assignee_name!r}", field="assignee")
        if user.role == "translator" and task.language not in (user.languages or []):
            raise InvalidInput(
                f"{user.name} does not translate into {task.language!r}", field="assignee"
            )
        if user.role not in ("translator", "editor", "chief_editor"):
            raise InvalidInput(f"{user.name} is not on the translation desk", field="assignee")
        user_id = user.id
    task.assignee_id = user_id
    audit(
        session,
        actor,
        "translation.assign",
        "story",
        story.id,
        language=task.language,
        task=task.id,
        assignee=assignee_name or actor.name,
    )
    return task


def request_tasks(
    session: Session,
    actor: Principal,
    desk: TranslationDesk,
    story_id: int,
    languages: Sequence[str] | None,
) -> list[TranslationTask]:
    """Open tasks before the source is published (on demand), for editors of the story's desk."""
    story = get_story(session, story_id)
    if actor.role not in ("editor", "chief_editor") or not permissions.can_see(
        actor, story.desk_id
    ):
        raise Forbidden("your role may not open translation tasks for this story")
    targets = desk.target_languages(session, story)
    if languages:
        unknown = [language for language in languages if language not in targets]
        if unknown:
            raise InvalidInput(
                f"not a translation language of this story: {', '.join(unknown)}",
                field="languages",
            )
    source = story.item(story.source_language)
    number = source.current_version if source else 0
    return desk.open_tasks(session, actor, story, max(number, 1), languages or targets)
