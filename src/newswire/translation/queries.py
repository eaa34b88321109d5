"""Reading the translation desk: who sees which tasks, ordered by deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.services import Principal
from newswire.errors import InvalidInput
from newswire.stories import permissions
from newswire.stories.models import Item, Story
from newswire.translation.models import OPEN_TASK_STATUSES, TASK_STATUSES, TranslationTask


@dataclass(frozen=True, slots=True)
class TaskFilters:
    language: str | None = None
    status: str | None = None  # a task status, or "open" (pending, in progress, review)
    mine: bool = False
    story_id: int | None = None
    limit: int = 100
    offset: int = 0


def visible(actor: Principal, query: Select[Any]) -> Select[Any]:
    """Translators see tasks into their languages; editors their desks'; the chief all."""
    if actor.role == "translator":
        return query.where(TranslationTask.language.in_(sorted(actor.languages)))
    if actor.role in permissions.ALL_DESK_ROLES:
        return query
    return query.where(Story.desk_id.in_(sorted(actor.desk_ids)))


def list_tasks(session: Session, actor: Principal, filters: TaskFilters) -> list[TranslationTask]:
    if filters.status and filters.status not in (*TASK_STATUSES, "open"):
        raise InvalidInput(f"status is one of open, {', '.join(TASK_STATUSES)}", field="status")
    query = visible(
        actor, select(TranslationTask).join(Story, Story.id == TranslationTask.story_id)
    )
    if filters.language:
        query = query.where(TranslationTask.language == filters.language)
    if filters.status == "open" or not filters.status:
        query = query.where(TranslationTask.status.in_(OPEN_TASK_STATUSES))
    else:
        query = query.where(TranslationTask.status == filters.status)
    if filters.mine:
        query = query.where(TranslationTask.assignee_id == actor.user_id)
    if filters.story_id is not None:
        query = query.where(TranslationTask.story_id == filters.story_id)
    query = query.order_by(TranslationTask.deadline, TranslationTask.id)
    return list(session.scalars(query.limit(filters.limit).offset(filters.offset)))


def tasks_of_story(session: Session, story_id: int) -> list[TranslationTask]:
    """Every task of a story, newest last, for the story view and the editor."""
    return list(
        session.scalars(
            select(TranslationTask)
            .where(TranslationTask.story_id == story_id)
            .order_by(TranslationTask.id)
        )
    )


def current_task(tasks: list[TranslationTask], language: str) -> TranslationTask | None:
    """The open task of a language, else its newest."""
    mine = [task for task in tasks if task.language == language]
    open_tasks = [task for task in mine if task.status in OPEN_TASK_STATUSES]
    chosen = open_tasks or mine
    return chosen[-1] if chosen else None


def task_document(
    task: TranslationTask, *, now: datetime | None = None, with_draft: bool = False
) -> dict[str, Any]:
    """The API's JSON for a task (the draft only when asked: it holds the whole story)."""
    now = now or db.utcnow()
    document: dict[str, Any] = {
        "id": task.id,
        "story_id": task.story_id,
        "language": task.language,
        "source_language": task.source_language,
        "kind": task.kind,
        "status": task.status,
        "assignee": task.assignee.name if task.assignee else None,
        "urgency": task.urgency,
        "deadline": task.deadline.isoformat(),
        "overdue": task.status in OPEN_TASK_STATUSES and task.deadline < now,
        "created_at": task.created_at.isoformat(),
        "started_at": task.started_at.isoformat() if task.started_at else None,
        "review_at": task.review_at.isoformat() if task.review_at else None,
        "done_at": task.done_at.isoformat() if task.done_at else None,
        "source_version": task.source_version,
        "previous_source_version": task.previous_source_version,
        "note": task.note,
        "machine_draft": {
            "state": task.mt_state,
            "engine": task.mt_engine,
            "error": task.mt_error,
        },
    }
    if with_draft and task.draft is not None:
        document["machine_draft"]["draft"] = task.draft
    return document


def outdated(tasks: list[TranslationTask], item: Item) -> bool:
    """A published translation whose source has been corrected since: an update task is open."""
    return item.status == "published" and any(
        task.language == item.language
        and task.kind == "update"
        and task.status in OPEN_TASK_STATUSES
        for task in tasks
    )
