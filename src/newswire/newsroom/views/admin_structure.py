"""The admin pages of the agency's structure: its bureaus and desks.

Each kind has one page for the list with its add form and one for an object's edit form;
names are edited in every working language at once (`<prefix>_<language>` fields).
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire.agency import admin as administration
from newswire.api.deps import StateDep, read, write
from newswire.api.state import AppState
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.views import admin_forms as forms
from newswire.newsroom.views.admin_forms import BASE, Id, Shown
from newswire.newsroom.web import StaffDep, redirect

router = APIRouter()


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names offered by the bureau forms."""
    return tuple(sorted(zoneinfo.available_timezones()))


async def _names(state: AppState, form: FormData, prefix: str) -> dict[str, str]:
    """The `<prefix>_<language>` fields of a form: one name per working language."""
    languages = await read(state, administration.working_languages)
    return {code: forms.text(form, f"{prefix}_{code}") for code in languages}


# --- bureaus -------------------------------------------------------------------------------


async def _bureaus_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    bureau_id: int | None = None,
    shown: Shown | None = None,
) -> Response:
    """The list with its add form, or (with `bureau_id`) one bureau's edit form."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {"languages": administration.working_languages(session)}
        if bureau_id is None:
            data["bureaus"] = administration.list_bureaus(session)
        else:
            data["bureau"] = administration.bureau_by_id(session, bureau_id)
        return data

    return await forms.show(
        request,
        state,
        login,
        "admin_bureaus.html" if bureau_id is None else "admin_bureau.html",
        load,
        shown,
        time_zones=time_zones(),
    )


@router.get("/bureaus")
async def bureaus(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    return await _bureaus_page(request, state, login)


@router.post("/bureaus")
async def add_bureau(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        code = forms.text(form, "code", 64)
        country = forms.text(form, "country", 2)
        timezone = forms.text(form, "timezone", 64)
        default_language = forms.text(form, "default_language", 16)
        city = await _names(state, form, "city")
        created = await write(
            state,
            lambda session: administration.create_bureau(
                session,
                login.principal,
                code=code,
                country=country,
                city=city,
                timezone=timezone,
                default_language=default_language,
            ),
        )
        return redirect(f"{BASE}/bureaus/{created.id}", "created")

    return await forms.submit(
        change, lambda shown: _bureaus_page(request, state, login, shown=shown), form
    )


@router.get("/bureaus/{bureau_id}")
async def bureau(request: Request, state: StateDep, login: StaffDep, bureau_id: Id) -> Response:
    forms.require_admin(login)
    return await _bureaus_page(request, state, login, bureau_id)


@router.post("/bureaus/{bureau_id}")
async def edit_bureau(
    request: Request, state: StateDep, login: StaffDep, bureau_id: Id
) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        timezone = forms.text(form, "timezone", 64)
        default_language = forms.text(form, "default_language", 16)
        city = await _names(state, form, "city")
        await write(
            state,
            lambda session: administration.update_bureau(
                session,
                login.principal,
                bureau_id,
                city=city,
                timezone=timezone,
                default_language=default_language,
            ),
        )
        return redirect(f"{BASE}/bureaus/{bureau_id}", "saved")

    return await forms.submit(
        change, lambda shown: _bureaus_page(request, state, login, bureau_id, shown), form
    )


# --- desks ---------------------------------------------------------------------------------


async def _desks_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    desk_id: int | None = None,
    shown: Shown | None = None,
) -> Response:
    """The list (with members) and its add form, or (with `desk_id`) one desk's edit form."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {
            "languages": administration.working_languages(session),
            "members": administration.desk_members(session),
        }
        if desk_id is None:
            data["desks"] = administration.list_desks(session)
        else:
            data["desk"] = administration.desk_by_id(session, desk_id)
        return data

    return await forms.show(
        request,
        state,
        login,
        "admin_desks.html" if desk_id is None else "admin_desk.html",
        load,
        shown,
    )


@router.get("/desks")
async def desks(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    return await _desks_page(request, state, login)


@router.post("/desks")
async def add_desk(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        code = forms.text(form, "code", 64)
        name = await _names(state, form, "name")
        created = await write(
            state,
            lambda session: administration.create_desk(
                session, login.principal, code=code, name=name
            ),
        )
        return redirect(f"{BASE}/desks/{created.id}", "created")

    return await forms.submit(
        change, lambda shown: _desks_page(request, state, login, shown=shown), form
    )


@router.get("/desks/{desk_id}")
async def desk(request: Request, state: StateDep, login: StaffDep, desk_id: Id) -> Response:
    forms.require_admin(login)
    return await _desks_page(request, state, login, desk_id)


@router.post("/desks/{desk_id}")
async def edit_desk(request: Request, state: StateDep, login: StaffDep, desk_id: Id) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        name = await _names(state, form, "name")
        targets = forms.choices(form, "translation_languages")
        await write(
            state,
            lambda session: administration.update_desk(
                session, login.principal, desk_id, name=name, translation_languages=targets
            ),
        )
        return redirect(f"{BASE}/desks/{desk_id}", "saved")

    return await forms.submit(
        change, lambda shown: _desks_page(request, state, login, desk_id, shown), form
    )
