"""Desk queues: the page, its rows alone (for live refresh) and the desk's change stamp."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from newswire.api.deps import StateDep, read
from newswire.api.state import AppState
from newswire.newsroom import labels, queues
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.queues import Queue, QueueFilters
from newswire.newsroom.web import CONTENT_SECURITY_POLICY, StaffDep, interface_language, page
from newswire.stories import permissions

router = APIRouter()


def queue_filters(
    status: Annotated[str, Query(max_length=20)] = "",
    lang: Annotated[str, Query(max_length=16)] = "",
    urgency: Annotated[str, Query(max_length=20)] = "",
    mine: Annotated[str, Query(max_length=5)] = "",
    bureau: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=queues.MAX_TEXT)] = "",
    page: Annotated[int, Query(ge=1, le=queues.MAX_PAGE)] = 1,
) -> QueueFilters:
    return QueueFilters.parse(
        status=status, language=lang, urgency=urgency, mine=mine, bureau=bureau, text=q, page=page
    )


FiltersDep = Annotated[QueueFilters, Depends(queue_filters)]


async def _load(
    state: AppState, login: StaffLogin, code: str, filters: QueueFilters, ui: str
) -> Queue:
    def work(session: Session) -> Queue:
        desk = queues.open_desk(session, login.principal, code)
        return queues.load_queue(
            session,
            desk,
            filters,
            user_id=login.user_id,
            ui_language=ui,
            working_languages=state.ctx.agency(session).languages,
            cache=state.queues,
        )

    return await read(state, work)


def _labels(state: AppState, ui: str) -> dict[str, Any]:
    """Status and urgency names in the interface language, translated once per page."""
    return {
        "status_labels": {
            status: state.newsroom.gettext(ui, name) for status, name in labels.STATUS_NAMES.items()
        },
        "urgency_labels": {
            number: state.newsroom.gettext(ui, name)
            for number, name in labels.URGENCY_NAMES.items()
        },
    }


@router.get("/desks/{code}")
async def desk_queue(
    request: Request, state: StateDep, login: StaffDep, code: str, filters: FiltersDep
) -> Response:
    ui = interface_language(request, login)
    queue = await _load(state, login, code, filters, ui)
    return page(
        request,
        login,
        "queue.html",
        queue=queue,
        filters=filters,
        statuses=tuple(labels.STATUS_NAMES),
        urgencies=tuple(labels.URGENCIES.items()),
        can_create=permissions.can_create(login.principal, queue.desk.id),
        **_labels(state, ui),
    )


@router.get("/desks/{code}/rows")
async def desk_rows(
    request: Request, state: StateDep, login: StaffDep, code: str, filters: FiltersDep
) -> Response:
    """The queue's `<tbody>` alone, with the same filters: what live refresh swaps in."""
    ui = interface_language(request, login)
    queue = await _load(state, login, code, filters, ui)
    html = state.newsroom.render(
        "_queue_rows.html", ui, queue=queue, timezone=login.timezone, **_labels(state, ui)
    )
    return HTMLResponse(html, headers=_private_headers())


@router.get("/desks/{code}/stamp")
async def desk_stamp(state: StateDep, login: StaffDep, code: str) -> Response:
    """`{"stamp": ...}`, which changes whenever a story or item of the desk changes."""

    def work(session: Session) -> str:
        desk = queues.open_desk(session, login.principal, code)
        return queues.stamp(session, desk.id)

    return JSONResponse({"stamp": await read(state, work)}, headers=_private_headers())


def _private_headers() -> dict[str, str]:
    return {"Cache-Control": "no-store", "Content-Security-Policy": CONTENT_SECURITY_POLICY}
