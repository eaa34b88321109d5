"""Logging in and out, the home redirect, and the user's own account: password and language."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Form, Request, Response
from sqlalchemy.orm import Session

from newswire.agency.models import User
from newswire.api.deps import StateDep, write
from newswire.errors import InvalidInput, NewswireError
from newswire.newsroom import auth, i18n
from newswire.newsroom.auth import TooManyAttempts
from newswire.newsroom.web import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    OptionalStaffDep,
    StaffDep,
    interface_language,
    new_login_csrf,
    page,
    redirect,
    safe_next,
    set_session_cookie,
)

router = APIRouter()


@router.get("/")
async def home(login: StaffDep) -> Response:
    if login.desks and login.role != "admin":
        return redirect(f"/newsroom/desks/{login.desks[0].code}")
    if login.role == "admin":
        return redirect("/newsroom/admin/users")
    return redirect("/newsroom/search")


def _login_page(
    request: Request,
    *,
    next_url: str,
    status: int = 200,
    error: str | None = None,
    name: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    token = new_login_csrf()
    response = page(
        request,
        None,
        "login.html",
        status=status,
        headers=headers,
        login_csrf=token,
        next_url=next_url,
        error=error,
        name=name,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/newsroom/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
async def login_form(
    request: Request, login: OptionalStaffDep, next: str | None = None
) -> Response:
    if login is not None:
        return redirect(safe_next(next))
    return _login_page(request, next_url=safe_next(next))


@router.post("/login")
async def login_submit(
    request: Request,
    state: StateDep,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    address = request.client.host if request.client else ""
    hours = state.settings.session_hours
    try:
        attempt = await write(state, lambda session: auth.begin_attempt(session, name, address))
    except TooManyAttempts as error:
        message = state.newsroom.gettext(
            interface_language(request, None),
            "Too many failed logins: try again in %(seconds)s seconds.",
            seconds=error.retry_after,
        )
        return _login_page(
            request, next_url=safe_next(next), status=429, error=message, name=name,
            headers={"Retry-After": str(error.retry_after)},
        )  # fmt: skip
    result = None
    if await anyio.to_thread.run_sync(auth.password_matches, attempt, password):
        result = await write(
            state, lambda session: auth.finish_login(session, attempt, hours=hours)
        )
    if result is None:
        await write(state, lambda session: auth.refuse(session, attempt))
        message = state.newsroom.gettext(
            interface_language(request, None),
            "Wrong user name or password.",
        )
        return _login_page(request, next_url=safe_next(next), status=401, error=message, name=name)
    token, _login = result
    response = redirect(safe_next(next))
    set_session_cookie(request, response, token, hours)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/newsroom/login")
    return response


@router.post("/logout")
async def logout(state: StateDep, login: StaffDep) -> Response:
    await write(state, lambda session: auth.logout(session, login.token_hash))
    response = redirect("/newsroom/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
async def account(request: Request, login: StaffDep) -> Response:
    return page(request, login, "account.html", error=None, field=None)


@router.post("/account/password")
async def change_password(
    request: Request,
    state: StateDep,
    login: StaffDep,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
    confirm_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        await write(
            state,
            lambda session: auth.change_password(
                session, login, current_password, new_password, confirm_password
            ),
        )
    except NewswireError as error:
        return page(
            request,
            login,
            "account.html",
            status=error.status_code,
            error=error.message,
            field=error.field,
        )
    return redirect("/newsroom/account", "password")


@router.post("/account/language")
async def change_language(
    state: StateDep,
    login: StaffDep,
    language: Annotated[str, Form(max_length=16)],
) -> Response:
    if language not in i18n.interface_languages():
        raise InvalidInput(f"the newsroom does not speak {language!r}", field="language")

    def store(session: Session) -> None:
        user = session.get(User, login.user_id)
        if user is not None:
            user.ui_language = language

    await write(state, store)
    return redirect("/newsroom/account", "language")
