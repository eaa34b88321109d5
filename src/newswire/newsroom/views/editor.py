"""The story editor: filing a story, editing a language version, its actions and pictures.

Save, Submit, Publish and Publish correction post the same form (the last three through
`formaction`): the view saves what changed and then acts, in one write transaction, so that
what is published is what the user saw. A save based on an older revision is shown again
with the user's input, who saved the newer one, and which fields differ (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from newswire.api.deps import StateDep, read, write
from newswire.api.state import AppState
from newswire.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NewswireError,
    PreconditionRequired,
)
from newswire.languages import LANGUAGES
from newswire.newsroom import editing, media, translating
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.editing import EditConflict, EditorForm, EditorState
from newswire.newsroom.labels import STATUS_NAMES
from newswire.newsroom.render import format_when
from newswire.newsroom.web import StaffDep, interface_language, page, redirect
from newswire.stories import permissions, services
from newswire.stories.sanitize import clean_body
from newswire.translation.qa import Finding

router = APIRouter()

StoryId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Lang = Annotated[str, Path(min_length=2, max_length=16)]
# Errors that leave the user's input worth keeping: the editor is shown again with it.
FORM_ERRORS = (InvalidInput, Conflict, PreconditionRequired)


def _editor_url(story_id: int, language: str) -> str:
    return f"/newsroom/stories/{story_id}/{language}"


# --- filing a new story ------------------------------------------------------------------------


def _filing_desks(login: StaffLogin) -> list[Any]:
    return [desk for desk in login.desks if permissions.can_create(login.principal, desk.id)]


async def _new_story_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    *,
    desk: str,
    language: str | None = None,
    form: EditorForm | None = None,
    status: int = 200,
    error: str | None = None,
    error_field: str | None = None,
) -> Response:
    desks = _filing_desks(login)
    if not desks:
        raise Forbidden("your role may not file stories")
    choices = await read(
        state, lambda session: editing.new_story_choices(session, state.ctx, login.bureau_id)
    )
    return page(
        request,
        login,
        "new_story.html",
        status=status,
        desks=desks,
        desk=desk or desks[0].code,
        languages=choices.languages,
        content_language=language if language in choices.languages else choices.default_language,
        form=form or EditorForm(),
        urgency_labels=editing.URGENCY_LABELS,
        error=error,
        error_field=error_field,
    )


@router.get("/stories/new")
async def new_story(
    request: Request,
    state: StateDep,
    login: StaffDep,
    desk: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return await _new_story_page(request, state, login, desk=desk)


@router.post("/stories")
async def create_story(
    request: Request,
    state: StateDep,
    login: StaffDep,
    desk: Annotated[str, Form(max_length=64)],
    language: Annotated[str, Form(max_length=16)],
) -> Response:
    form = EditorForm.parse(await request.form()) or EditorForm()
    chosen = next((d for d in _filing_desks(login) if d.code == desk), None)
    if chosen is None:
        raise Forbidden("your role may not file stories in this desk")

    def work(session: Session) -> int:
        story = editing.file_story(
            session,
            login.principal,
            state.ctx,
            desk_id=chosen.id,
            bureau_id=login.bureau_id,
            language=language,
            form=form,
            timezone=login.timezone,
        )
        return story.id

    try:
        story_id = await write(state, work)
    except InvalidInput as error:
        return await _new_story_page(
            request,
            state,
            login,
            desk=desk,
            language=language,
            form=replace(form, body_html=clean_body(form.body_html)),
            status=error.status_code,
            error=error.message,
            error_field=editing.form_field(error.field),
        )
    return redirect(_editor_url(story_id, language), "created")


# --- the Media Topics picker -------------------------------------------------------------------


@router.get("/topics")
async def topics(
    request: Request,
    state: StateDep,
    login: StaffDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> JSONResponse:
    """Topics matching `q` in the user's interface language or English, or by code."""
    ui = interface_language(request, login)
    found = editing.search_topics(state.ctx.vocabulary, q, ui)
    return JSONResponse([{"code": code, "label": label} for code, label in found])


# --- the editor --------------------------------------------------------------------------------


@router.get("/stories/{story_id}")
async def story(state: StateDep, login: StaffDep, story_id: StoryId) -> Response:
    def work(session: Session) -> str:
        found = services.get_story(session, story_id)
        permissions.require_visible(login.principal, found)
        return found.source_language

    return redirect(_editor_url(story_id, await read(state, work)))


async def _editor_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    story_id: int,
    language: str,
    *,
    form: EditorForm | None = None,
    status: int = 200,
    conflict: EditConflict | None = None,
    error: str | None = None,
    error_field: str | None = None,
    qa: list[Finding] | None = None,
) -> Response:
    def work(session: Session) -> tuple[EditorState, translating.EditorPanel | None]:
        loaded = editing.load_editor(session, state.ctx, story_id, language)
        permissions.require_visible(login.principal, loaded.story)
        return loaded, translating.editor_panel(session, state.translation.checker, loaded)

    ed, translation = await read(state, work)
    if translation is not None and qa is not None:
        # A refused publication: the findings of the version the user tried to publish.
        translation = replace(translation, findings=qa)
    if form is None:
        if ed.item is not None:
            form = editing.form_of_item(ed.item, ed.timezone, ed.city)
        else:
            form = editing.form_from_source(ed.source, ed.timezone, ed.city)
    else:
        # Shown again after a refusal: the user's body, but never markup the services refuse.
        form = replace(form, body_html=clean_body(form.body_html))
    if conflict is not None:
        form = replace(form, revision=str(conflict.revision))
    ui = interface_language(request, login)
    dateline, dateline_rest, dateline_separator = editing.dateline_parts(ed, form.located)
    return page(
        request,
        login,
        "editor.html",
        status=status,
        ed=ed,
        form=form,
        lang=language,
        rtl=_rtl(language),
        actions=editing.allowed_actions(login.principal, ed),
        conflict=conflict,
        error=error,
        error_field=error_field,
        dateline=dateline,
        dateline_rest=dateline_rest,
        dateline_separator=dateline_separator,
        topics=editing.topic_chips(state.ctx.vocabulary, form.subject_codes, ui),
        urgency_labels=editing.URGENCY_LABELS,
        status_names=STATUS_NAMES,
        max_upload_bytes=state.settings.max_upload_bytes,
        translation=translation,
    )


async def _refused(
    request: Request,
    state: AppState,
    login: StaffLogin,
    story_id: int,
    language: str,
    error: NewswireError,
    field: str | None,
    form: EditorForm | None = None,
) -> Response:
    """The editor shown again with why an action was refused, next to the form's `field`."""
    return await _editor_page(
        request,
        state,
        login,
        story_id,
        language,
        form=form,
        status=error.status_code,
        error=error.message,
        error_field=field,
    )


def _rtl(language: str) -> bool:
    known = LANGUAGES.get(language)
    return bool(known and known.rtl)


@router.get("/stories/{story_id}/{lang}")
async def editor(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    return await _editor_page(request, state, login, story_id, lang)


async def _posted(request: Request) -> EditorForm | None:
    return EditorForm.parse(await request.form())


async def _act(
    request: Request,
    state: AppState,
    login: StaffLogin,
    story_id: int,
    language: str,
    form: EditorForm | None,
    then: Callable[[Session], object] | None,
    done: str,
) -> Response:
    """Save the form when it changes anything, then `then`, in one write transaction."""

    def work(session: Session) -> None:
        if form is not None:
            editing.save_form(session, login.principal, state.ctx, story_id, language, form)
        if then is not None:
            then(session)

    try:
        await write(state, work)
    except EditConflict as conflict:
        return await _editor_page(
            request, state, login, story_id, language, form=form, status=409, conflict=conflict
        )
    except translating.QARefused as refused:
        return await _editor_page(
            request,
            state,
            login,
            story_id,
            language,
            form=form,
            status=refused.status_code,
            error=refused.message,
            error_field="qa",
            qa=refused.findings,
        )
    except FORM_ERRORS as error:
        return await _refused(
            request, state, login, story_id, language, error, editing.form_field(error.field), form
        )
    return redirect(_editor_url(story_id, language), done)


@router.post("/stories/{story_id}/{lang}")
async def save(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    form = await _posted(request)
    if form is None:
        raise InvalidInput("the form has no headline field", field="headline")
    return await _act(request, state, login, story_id, lang, form, None, "saved")


@router.post("/stories/{story_id}/{lang}/submit")
async def submit(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    def then(session: Session) -> object:
        return services.submit(session, login.principal, state.ctx, story_id, lang)

    form = await _posted(request)
    return await _act(request, state, login, story_id, lang, form, then, "submitted")


@router.post("/stories/{story_id}/{lang}/publish")
async def publish(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    override = (await request.form()).get("override") == "yes"

    def then(session: Session) -> object:
        return translating.publish(
            session,
            login.principal,
            state.ctx,
            state.translation.checker,
            story_id,
            lang,
            override=override,
        )

    form = await _posted(request)
    return await _act(request, state, login, story_id, lang, form, then, "published")


@router.post("/stories/{story_id}/{lang}/correct")
async def correct(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    form = await _posted(request)
    note = form.note if form else _text((await request.form()).get("note"), 2000)
    override = (await request.form()).get("override") == "yes"

    def then(session: Session) -> object:
        return translating.publish(
            session,
            login.principal,
            state.ctx,
            state.translation.checker,
            story_id,
            lang,
            override=override,
            correction=True,
            note=note,
        )

    return await _act(request, state, login, story_id, lang, form, then, "corrected")


@router.post("/stories/{story_id}/{lang}/kill")
async def kill(
    request: Request,
    state: StateDep,
    login: StaffDep,
    story_id: StoryId,
    lang: Lang,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def then(session: Session) -> object:
        editing.kill_item(
            session, login.principal, state.ctx, story_id, lang, reason, confirmed=bool(confirm)
        )
        return None

    return await _act(request, state, login, story_id, lang, None, then, "killed")


# --- autosave ----------------------------------------------------------------------------------


@router.post("/stories/{story_id}/{lang}/autosave")
async def autosave(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> JSONResponse:
    """Save the form's fields as Save does; answer in JSON for the editor's script."""
    ui = interface_language(request, login)
    form = await _posted(request)
    if form is None:
        return JSONResponse(
            {"detail": "the form has no headline field", "field": "headline"}, status_code=422
        )

    def work(session: Session) -> tuple[int, Any]:
        item = editing.save_form(session, login.principal, state.ctx, story_id, lang, form)
        session.flush()
        return item.revision, item.updated_at

    try:
        revision, saved_at = await write(state, work)
    except EditConflict as conflict:
        return JSONResponse(_conflict_json(state, ui, login, conflict), status_code=409)
    except FORM_ERRORS as error:
        return JSONResponse(
            {"detail": error.message, "field": editing.form_field(error.field)},
            status_code=error.status_code,
        )
    time = format_when(saved_at, ui, login.timezone, short=True)
    return JSONResponse(
        {
            "revision": revision,
            "saved_at": saved_at.isoformat(),
            "message": state.newsroom.gettext(ui, "Saved at %(time)s.", time=time),
        }
    )


def _conflict_json(
    state: AppState, ui: str, login: StaffLogin, conflict: EditConflict
) -> dict[str, Any]:
    time = format_when(conflict.changed_at, ui, login.timezone, short=True)
    labels = [state.newsroom.gettext(ui, change.label) for change in conflict.changes]
    detail = state.newsroom.gettext(
        ui,
        "%(name)s saved a newer version at %(time)s. Fields that differ from yours: %(fields)s.",
        name=conflict.changed_by or "?",
        time=time,
        fields=", ".join(labels),
    )
    return {
        "detail": detail,
        "changed_by": conflict.changed_by,
        "changed_at": conflict.changed_at.isoformat(),
        "revision": conflict.revision,
        "fields": [change.name for change in conflict.changes],
        "changes": [
            {"field": change.name, "label": label, "mine": change.mine, "theirs": change.theirs}
            for change, label in zip(conflict.changes, labels, strict=True)
        ],
    }


# --- pictures ----------------------------------------------------------------------------------


@router.post("/stories/{story_id}/{lang}/pictures")
async def upload_picture(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, lang: Lang
) -> Response:
    """Check an uploaded picture with Pillow, keep it, add it to every language version."""
    posted = await request.form()
    try:
        return await _upload(request, state, login, story_id, lang, posted)
    finally:
        await posted.close()  # the upload's temporary file


async def _upload(
    request: Request,
    state: AppState,
    login: StaffLogin,
    story_id: int,
    lang: str,
    posted: FormData,
) -> Response:
    settings = state.settings

    def may_edit(session: Session) -> list[str]:
        media.editable_item(session, login.principal, story_id, lang)
        return list(state.ctx.agency(session).languages)

    languages = await read(state, may_edit)
    upload = posted.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise InvalidInput("choose a picture file to upload", field=media.FIELD)
        data = await upload.read(settings.max_upload_bytes + 1)
        checked = await anyio.to_thread.run_sync(
            media.check_picture, data, settings.max_upload_bytes
        )
    except InvalidInput as error:
        return await _refused(request, state, login, story_id, lang, error, error.field)
    await anyio.to_thread.run_sync(media.store_picture, settings.media_dir, checked)
    captions = {code: _text(posted.get(f"caption_{code}"), 2000) for code in languages}

    def work(session: Session) -> None:
        media.add_picture(
            session,
            login.principal,
            state.ctx,
            story_id,
            lang,
            checked,
            captions=captions,
            alt=_text(posted.get("alt"), 2000),
            credit=_text(posted.get("credit"), 300),
        )

    try:
        await write(state, work)
    except InvalidInput as error:
        return await _refused(request, state, login, story_id, lang, error, error.field)
    return redirect(_editor_url(story_id, lang), "uploaded")


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


@router.post("/stories/{story_id}/{lang}/pictures/remove")
async def remove_picture(
    state: StateDep,
    login: StaffDep,
    story_id: StoryId,
    lang: Lang,
    href: Annotated[str, Form(max_length=2000)],
) -> Response:
    await write(
        state,
        lambda session: media.remove_picture(session, login.principal, story_id, lang, href),
    )
    return redirect(_editor_url(story_id, lang), "saved")
