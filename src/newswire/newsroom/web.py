"""What every newsroom view shares: the login behind the cookie, CSRF checks, page rendering.

Views depend on `StaffDep` (a logged-in user; a browser without one is sent to the login
page) and every router of the newsroom checks the CSRF token of unsafe requests through
`csrf_protect`, so that no form can be forgotten.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse

from newswire.api import errors as api_errors
from newswire.api.deps import StateDep, get_state, read
from newswire.api.state import AppState
from newswire.errors import Forbidden, NewswireError, Unauthorized
from newswire.newsroom import auth, i18n
from newswire.newsroom.auth import StaffLogin, TooManyAttempts
from newswire.newsroom.i18n import N_

SESSION_COOKIE = "newswire_session"
# Before login there is no session to hold a CSRF token: the login form pairs its hidden field
# with this cookie instead (the double-submit pattern).
LOGIN_CSRF_COOKIE = "newswire_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PREFIX = "/newsroom"


class LoginRequired(Unauthorized):
    """No valid session: a browser is sent to the login page."""


class CsrfRefused(Forbidden):
    pass


async def get_optional_login(request: Request, state: StateDep) -> StaffLogin | None:
    if state.ctx._agency is None:  # the header names the agency on every page
        await read(state, state.ctx.agency)
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    try:
        return await read(state, lambda session: auth.resolve(session, token))
    except Unauthorized:
        return None


OptionalStaffDep = Annotated[StaffLogin | None, Depends(get_optional_login)]


async def get_login(login: OptionalStaffDep) -> StaffLogin:
    if login is None:
        raise LoginRequired("log in to use the newsroom")
    return login


StaffDep = Annotated[StaffLogin, Depends(get_login)]


async def csrf_protect(request: Request, login: OptionalStaffDep) -> None:
    """Refuse an unsafe request whose CSRF token is missing or wrong (403)."""
    if request.method in SAFE_METHODS:
        return
    expected = login.csrf_token if login else request.cookies.get(LOGIN_CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if expected and given is None:  # a form is only read when a token could match
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not expected or not auth.same_token(expected, given):
        raise CsrfRefused(
            "this form was not sent from a newsroom page, or it has expired: reload the page "
            "and try again",
            field=CSRF_FIELD,
        )


def require_role(login: StaffLogin, *roles: str) -> None:
    if login.role not in roles:
        raise Forbidden("your role may not open this page")


def interface_language(request: Request, login: StaffLogin | None) -> str:
    available = i18n.interface_languages()
    if login is not None and login.ui_language in available:
        return login.ui_language
    return i18n.negotiate(request.headers.get("accept-language"), available)


def page(
    request: Request,
    login: StaffLogin | None,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A newsroom page in the user's interface language."""
    state = get_state(request)
    language = interface_language(request, login)
    agency = state.ctx._agency
    html = state.newsroom.render(
        template,
        language,
        staff=login,
        csrf=login.csrf_token if login else context.pop("login_csrf", ""),
        timezone=login.timezone if login else "UTC",
        agency_short=agency.short_name_in(language) if agency else "newswire",
        path=request.url.path,
        status=status,
        notice=notice_text(state, language, request.query_params.get("done")),
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=headers)
    # Staff pages change with every action and may show unpublished copy: never cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


# Our own scripts only, no inline script: an injected <script> or onerror= cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# What a redirect after a successful action says on the next page (`?done=...`).
NOTICES = {
    "saved": N_("Saved."),
    "submitted": N_("Submitted to the desk."),
    "published": N_("Published."),
    "corrected": N_("Correction published."),
    "killed": N_("Killed."),
    "password": N_("Your password has been changed."),
    "language": N_("Interface language changed."),
    "created": N_("Created."),
    "updated": N_("Updated."),
    "uploaded": N_("Picture added."),
}


def notice_text(state: AppState, language: str, key: str | None) -> str | None:
    if key not in NOTICES:
        return None
    return state.newsroom.gettext(language, NOTICES[key])


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    """303 to a newsroom page after a POST, optionally with a notice."""
    if done:
        url += ("&" if "?" in url else "?") + f"done={done}"
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """Where to go after login: only a path inside the newsroom, never another site."""
    if value and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return PREFIX + "/"


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def set_session_cookie(request: Request, response: Response, token: str, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",  # behind TLS (uvicorn honours X-Forwarded-Proto)
    )


def _wants_html(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, NewswireError)
    if not _wants_html(request) or request.headers.get("accept", "").startswith("application/json"):
        return await api_errors._domain_error(request, error)
    if isinstance(error, LoginRequired) and request.method in SAFE_METHODS:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)
    login = await get_optional_login(request, get_state(request))
    headers = None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return page(
        request,
        login,
        "error.html",
        status=error.status_code,
        headers=headers,
        message=error.message,
        field=error.field,
    )


async def _invalid_form(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if not _wants_html(request):
        return await api_errors._invalid_request(request, error)
    problems = error.errors()
    first = problems[0] if problems else {}
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
    login = await get_optional_login(request, get_state(request))
    return page(
        request,
        login,
        "error.html",
        status=422,
        message=f"{field}: {first.get('msg', 'invalid')}" if field else "invalid form",
        field=field,
    )


def install_errors(app: FastAPI) -> None:
    """Newsroom paths answer errors with pages; every other path keeps the JSON problems."""
    app.add_exception_handler(NewswireError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_form)
