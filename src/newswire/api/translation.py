"""The translation desk's API: tasks, QA findings, translation memory and the termbase."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from newswire.agency.services import audit, check_languages
from newswire.api.deps import StaffDep, StateDep, read, write
from newswire.errors import Conflict, Forbidden
from newswire.stories import permissions
from newswire.stories.services import get_item, get_story
from newswire.translation import memory, queries, termbase, workflow
from newswire.translation.models import OPEN_TASK_STATUSES

router = APIRouter(prefix="/api/v1", tags=["translation"])

LangPath = Annotated[str, Path(max_length=16, description="a working language, e.g. `fr`")]
StoryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the story's number")]
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the task's number")]
LangQuery = Annotated[str | None, Query(max_length=16, description="a working language")]


class AssignIn(BaseModel):
    assignee: str | None = Field(
        default=None, max_length=100, description="a user name; leave out to take the task"
    )


class TasksIn(BaseModel):
    languages: list[str] | None = Field(
        default=None, max_length=64, description="target languages; default: the desk's"
    )


def _json(document: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(document), status_code=status_code, media_type="application/json")


@router.get("/tasks")
async def list_tasks(
    state: StateDep,
    actor: StaffDep,
    lang: LangQuery = None,
    status: Annotated[
        str | None,
        Query(max_length=16, description="open (default), pending, in_progress, review, done"),
    ] = None,
    mine: Annotated[bool, Query(description="only tasks assigned to you")] = False,
    story: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Translation tasks you may work on, soonest deadline first."""
    filters = queries.TaskFilters(
        language=lang, status=status, mine=mine, story_id=story, limit=limit, offset=offset
    )

    def work(session: Session) -> dict[str, Any]:
        tasks = queries.list_tasks(session, actor, filters)
        return {"tasks": [queries.task_document(task) for task in tasks]}

    return _json(await read(state, work))


@router.get("/tasks/{task_id}")
async def show_task(task_id: TaskId, state: StateDep, actor: StaffDep) -> Response:
    """One task with its machine draft, segment by segment."""

    def work(session: Session) -> dict[str, Any]:
        task = workflow.get_task(session, task_id)
        story = get_story(session, task.story_id)
        permissions.require_visible(actor, story)
        return queries.task_document(task, with_draft=True)

    return _json(await read(state, work))


@router.post("/tasks/{task_id}/assign")
async def assign_task(
    task_id: TaskId, state: StateDep, actor: StaffDep, body: AssignIn | None = None
) -> Response:
    """Take a task (no body), or give it to a translator (editors)."""

    def work(session: Session) -> dict[str, Any]:
        task = workflow.assign(session, actor, task_id, body.assignee if body else None)
        session.flush()
        session.refresh(task)
        return queries.task_document(task)

    return _json(await write(state, work))


@router.post("/tasks/{task_id}/machine-draft", status_code=202)
async def redraft(task_id: TaskId, state: StateDep, actor: StaffDep) -> Response:
    """Ask the engines again, e.g. after a failure; the draft lands on the task by itself."""
    services = state.translation

    def work(session: Session) -> dict[str, Any]:
        task = workflow.get_task(session, task_id)
        story = get_story(session, task.story_id)
        if not workflow.can_work_on(actor, story, task.language):
            raise Forbidden("your role may not work on this translation task")
        if task.status not in OPEN_TASK_STATUSES:
            raise Conflict(f"this task is {task.status}", field="status")
        if task.mt_state in ("queued", "running"):
            raise Conflict("a machine draft is already being made", field="machine_draft")
        if not services.engines.serves(session, task.source_language, task.language):
            raise Conflict(
                f"no engine serves {task.source_language}→{task.language}", field="machine_draft"
            )
        task.mt_state = "queued"
        task.mt_error = None
        task.mt_attempts = 0
        audit(session, actor, "translation.redraft", "story", story.id, language=task.language)
        if services.desk.on_queued is not None:
            services.desk.on_queued(session)
        return queries.task_document(task)

    return _json(await write(state, work), 202)


@router.post("/stories/{story_id}/tasks", status_code=201)
async def open_tasks(
    story_id: StoryId, state: StateDep, actor: StaffDep, body: TasksIn | None = None
) -> Response:
    """Open translation tasks now, before the source is published (editors)."""

    def work(session: Session) -> dict[str, Any]:
        tasks = workflow.request_tasks(
            session, actor, state.translation.desk, story_id, body.languages if body else None
        )
        return {"tasks": [queries.task_document(task) for task in tasks]}

    return _json(await write(state, work), 201)


@router.get("/stories/{story_id}/items/{lang}/qa")
async def item_qa(story_id: StoryId, lang: LangPath, state: StateDep, actor: StaffDep) -> Response:
    """QA findings of a language version against its source: numbers, dates, names and
    termbase forms, missing paragraphs, length, untranslated text, the dateline."""

    def work(session: Session) -> dict[str, Any]:
        item = get_item(session, story_id, lang)
        story = item.story
        permissions.require_visible(actor, story)
        findings = state.translation.checker.findings(session, story, item)
        return {
            "story_id": story_id,
            "language": lang,
            "source_language": story.source_language,
            "high": sum(1 for f in findings if f.severity == "high"),
            "findings": [
                {
                    "check": f.check,
                    "severity": f.severity,
                    "message": f.message,
                    "paragraph": f.paragraph,
                    "source": f.source,
                    "target": f.target,
                }
                for f in findings
            ],
        }

    return _json(await read(state, work))


@router.get("/tm")
async def tm_lookup(
    state: StateDep,
    actor: StaffDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="a source segment")],
    source: Annotated[str, Query(max_length=16, description="its language")],
    target: Annotated[str, Query(max_length=16, description="the language wanted")],
    min_score: Annotated[int, Query(ge=50, le=100)] = 70,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    """Translation-memory matches for a segment, best first: 100 is exact."""
    check_languages([source], field="source")
    check_languages([target], field="target")

    def work(session: Session) -> dict[str, Any]:
        matches = memory.lookup(session, q, source, target, min_score=min_score, limit=limit)
        return {
            "matches": [
                {
                    "score": m.score,
                    "source": m.source_text,
                    "target": m.target_text,
                    "segment_id": m.segment_id,
                    "created_at": m.created_at.isoformat(),
                }
                for m in matches
            ]
        }

    return _json(await read(state, work))


@router.get("/terms")
async def list_terms(
    state: StateDep,
    actor: StaffDep,
    q: Annotated[str | None, Query(max_length=300, description="text in any form")] = None,
    lang: LangQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Termbase entries: preferred forms per language, and variants drafts must not keep."""

    def work(session: Session) -> dict[str, Any]:
        terms = termbase.list_terms(session, q=q, language=lang, limit=limit, offset=offset)
        return {"terms": [termbase.term_document(term) for term in terms]}

    return _json(await read(state, work))


@router.post("/terms", status_code=201)
async def add_term(body: termbase.TermInput, state: StateDep, actor: StaffDep) -> Response:
    """Add a term (editors, translators and the chief editor)."""
    if actor.role not in ("editor", "chief_editor", "translator", "admin"):
        raise Forbidden("your role may not add terms")

    def work(session: Session) -> dict[str, Any]:
        term = termbase.add_term(session, actor, body)
        session.flush()
        return termbase.term_document(term)

    return _json(await write(state, work), 201)
