"""The translation desk: the translators' queue and the side-by-side editor of one task.

Every action is a form (Take, Assign, Save, Send to review, Publish) that works without a
script; `translation.js` adds keyboard shortcuts. Save, Send to review and Publish post the
same form, so that what is sent or published is what the translator saw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire.api.deps import StateDep, read, write
from newswire.api.state import AppState
from newswire.errors import Conflict, InvalidInput, NewswireError, PreconditionRequired
from newswire.languages import LANGUAGES
from newswire.newsroom import labels, translating
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.editing import EditConflict
from newswire.newsroom.translating import QueueFilters, TranslationPage
from newswire.newsroom.web import StaffDep, interface_language, page, redirect, safe_next
from newswire.stories import services
from newswire.translation import workflow
from newswire.translation.qa import Finding

router = APIRouter()

TaskId = Annotated[int, Path(ge=1, le=2_147_483_647)]
FORM_ERRORS = (InvalidInput, Conflict, PreconditionRequired)
QUEUE_URL = "/newsroom/translation"


def _task_url(task_id: int) -> str:
    return f"{QUEUE_URL}/{task_id}"


def _names() -> dict[str, Any]:
    """Message ids of the desk's labels; templates translate them."""
    return {
        "kinds": translating.KINDS,
        "task_statuses": translating.TASK_STATUS_NAMES,
        "mt_states": translating.MT_STATE_NAMES,
        "status_names": labels.STATUS_NAMES,
    }


# --- the queue ---------------------------------------------------------------------------------


@router.get("/translation")
async def queue(
    request: Request,
    state: StateDep,
    login: StaffDep,
    lang: Annotated[str, Query(max_length=16)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    mine: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    translating.require_desk_role(login.principal)
    filters = QueueFilters.parse(lang, status, mine)
    ui = interface_language(request, login)

    def work(session: Session) -> translating.DeskQueue:
        working = state.ctx.agency(session).languages
        return translating.load_queue(session, login.principal, filters, working)

    found = await read(state, work)
    return page(
        request,
        login,
        "translation_queue.html",
        queue=found,
        filters=filters,
        statuses=translating.TASK_STATUS_NAMES,
        time_left=lambda row: translating.time_left(row.left, ui),
        **_names(),
    )


def _back(posted: FormData) -> str:
    value = posted.get("next")
    return safe_next(value if isinstance(value, str) else None)


@router.post("/translation/{task_id}/take")
async def take(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    await write(state, lambda session: workflow.assign(session, login.principal, task_id, None))
    return redirect(_back(await request.form()), "updated")


@router.post("/translation/{task_id}/assign")
async def assign(
    request: Request,
    state: StateDep,
    login: StaffDep,
    task_id: TaskId,
    assignee: Annotated[str, Form(max_length=100)],
) -> Response:
    name = assignee.strip() or None
    await write(state, lambda session: workflow.assign(session, login.principal, task_id, name))
    return redirect(_back(await request.form()), "updated")


# --- the editor --------------------------------------------------------------------------------


async def _editor(
    request: Request,
    state: AppState,
    login: StaffLogin,
    task_id: int,
    *,
    posted: FormData | None = None,
    use: str | None = None,
    status: int = 200,
    conflict: EditConflict | None = None,
    error: NewswireError | None = None,
    findings: list[Finding] | None = None,
) -> Response:
    services_ = state.translation

    def work(session: Session) -> TranslationPage:
        return translating.load_page(
            session,
            login.principal,
            state.ctx,
            services_.checker,
            services_.terms.get(session),
            task_id,
            posted,
        )

    found = await read(state, work)
    focus = translating.use_aid(found, use) if use else None
    if findings is not None:
        found.findings = findings  # those of the version QA refused, not the stored one
    revision = posted.get("revision") if posted is not None else None
    if conflict is not None:
        found.revision = str(conflict.revision)
    elif isinstance(revision, str):
        found.revision = revision
    language = found.lay.task.language
    known = LANGUAGES.get(language)
    override = posted is not None and posted.get("override") == "yes"
    note = posted.get("note") if posted is not None else None
    return page(
        request,
        login,
        "translation_editor.html",
        status=status,
        tp=found,
        lay=found.lay,
        task=found.lay.task,
        base_url=_task_url(task_id),
        lang=language,
        lang_attribute=known.lang_attribute if known else language,
        rtl=bool(known and known.rtl),
        source_lang=found.lay.story.source_language,
        conflict=conflict,
        error=error.message if error else None,
        error_field=error.field if error else None,
        focus=focus,
        override=override,
        note=note if isinstance(note, str) else "",
        **_names(),
    )


@router.get("/translation/{task_id}")
async def editor(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    return await _editor(request, state, login, task_id)


@router.post("/translation/{task_id}/use")
async def use(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    """The page again with a machine draft or memory match in a segment (nothing saved)."""
    posted = await request.form()
    choice = posted.get("use")
    return await _editor(
        request,
        state,
        login,
        task_id,
        posted=posted,
        use=choice[:40] if isinstance(choice, str) else None,
    )


async def _act(
    request: Request,
    state: AppState,
    login: StaffLogin,
    task_id: int,
    then: Callable[[Session, str], object] | None,
    done: str,
) -> Response:
    """Save the segments (when they change anything), then `then`, in one transaction."""
    posted = await request.form()

    def work(session: Session) -> None:
        item = translating.save(session, login.principal, state.ctx, task_id, posted)
        if then is not None:
            then(session, item.language)

    try:
        await write(state, work)
    except EditConflict as conflict:
        return await _editor(
            request, state, login, task_id, posted=posted, status=409, conflict=conflict
        )
    except translating.QARefused as refused:
        return await _editor(
            request,
            state,
            login,
            task_id,
            posted=posted,
            status=refused.status_code,
            error=refused,
            findings=refused.findings,
        )
    except FORM_ERRORS as error:
        return await _editor(
            request, state, login, task_id, posted=posted, status=error.status_code, error=error
        )
    return redirect(_task_url(task_id), done)


def _story_of(session: Session, task_id: int) -> int:
    return workflow.get_task(session, task_id).story_id


@router.post("/translation/{task_id}")
async def save(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    return await _act(request, state, login, task_id, None, "saved")


@router.post("/translation/{task_id}/submit")
async def submit(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    def then(session: Session, language: str) -> object:
        return services.submit(
            session, login.principal, state.ctx, _story_of(session, task_id), language
        )

    return await _act(request, state, login, task_id, then, "submitted")


@router.post("/translation/{task_id}/publish")
async def publish(request: Request, state: StateDep, login: StaffDep, task_id: TaskId) -> Response:
    """Publish the translation, or publish it as a correction when it was published before."""
    posted = await request.form()
    override = posted.get("override") == "yes"
    note = posted.get("note")
    corrected: list[bool] = []

    def then(session: Session, language: str) -> object:
        story_id = _story_of(session, task_id)
        item = services.get_item(session, story_id, language)
        correction = item.status == "published"
        corrected.append(correction)
        return translating.publish(
            session,
            login.principal,
            state.ctx,
            state.translation.checker,
            story_id,
            language,
            override=override,
            correction=correction,
            note=note[:2000] if isinstance(note, str) else None,
        )

    response = await _act(request, state, login, task_id, then, "published")
    if corrected and corrected[0] and response.status_code == 303:
        return redirect(_task_url(task_id), "corrected")
    return response
