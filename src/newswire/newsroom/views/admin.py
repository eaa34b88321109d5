"""The newsroom's admin pages: users, bureaus, desks and subscribers, for admins only.

Views parse forms and call the administration services of `agency.services` and
`delivery.services`, which check the role again, validate everything before they change
anything, and write the audit log. A bad form comes back with the message next to its field.
A secret (a generated password, an API key) is rendered in the POST's own response, which
is never stored by a cache: it never travels in a redirect URL, so it is shown exactly once.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire.agency import services as agency
from newswire.agency.models import ROLES
from newswire.api.deps import StateDep, read, write
from newswire.api.state import AppState
from newswire.delivery import services as delivery
from newswire.errors import Conflict, InvalidInput
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.web import StaffDep, page, redirect, require_role

router = APIRouter(prefix="/admin")

BASE = "/newsroom/admin"
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
T = TypeVar("T")

# The errors a form answers by showing itself again; any other one gets the error page.
FORM_ERRORS = (InvalidInput, Conflict)


class FormValues:
    """What a form sent, to fill it in again when it is shown with a problem."""

    def __init__(self, form: FormData | None = None) -> None:
        self._form = form

    def one(self, name: str, default: str = "") -> str:
        value = self._form.get(name) if self._form is not None else None
        return value if isinstance(value, str) else default

    def many(self, name: str) -> list[str]:
        if self._form is None:
            return []
        return [value for value in self._form.getlist(name) if isinstance(value, str)]

    @property
    def sent(self) -> bool:
        return self._form is not None


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    if len(value) > limit:
        raise InvalidInput(f"at most {limit} characters", field=name)
    return value


def _choices(form: FormData, name: str, limit: int = 100) -> list[str]:
    values = [value for value in form.getlist(name) if isinstance(value, str) and value]
    if len(values) > limit or any(len(value) > 100 for value in values):
        raise InvalidInput("too many or too long choices", field=name)
    return values


def _per_language(form: FormData, prefix: str, languages: Iterable[str]) -> dict[str, str]:
    """The `<prefix>_<language>` fields of a form: one name per working language."""
    return {code: _text(form, f"{prefix}_{code}") for code in languages}


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text) if code]


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names offered by the bureau forms."""
    return tuple(sorted(zoneinfo.available_timezones()))


def _admin(login: StaffLogin) -> None:
    require_role(login, "admin")


async def _write_keys(state: AppState, work: Callable[[Session], T]) -> T:
    """A write that changes who an API key belongs to or whether it works: the process's key
    cache forgets every key, so the change holds from the next request on."""
    result = await write(state, work)
    state.keys.clear()
    return result


def _secret_page(
    request: Request, login: StaffLogin, *, kind: str, subject: str, secret: str, back: str
) -> Response:
    """The one time a password or key is shown (page() already sends Cache-Control: no-store)."""
    return page(
        request, login, "admin_secret.html", kind=kind, subject=subject, secret=secret, back=back
    )


def _problem(error: InvalidInput | Conflict) -> dict[str, Any]:
    return {"status": error.status_code, "error": error.message, "field": error.field}


@router.get("")
async def admin_home(login: StaffDep) -> Response:
    _admin(login)
    return redirect(f"{BASE}/users")


# --- users ---------------------------------------------------------------------------------


def _staff_choices(session: Session) -> dict[str, Any]:
    return {
        "desks": agency.list_desks(session),
        "bureaus": agency.list_bureaus(session),
        "languages": agency.working_languages(session),
        "roles": ROLES,
    }


async def _users_page(
    request: Request,
    state: StateDep,
    login: StaffLogin,
    *,
    values: FormValues | None = None,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {"users": agency.list_users(session), **_staff_choices(session)}

    return page(
        request,
        login,
        "admin_users.html",
        status=status,
        error=error,
        field=field,
        values=values or FormValues(),
        **await read(state, load),
    )


@router.get("/users")
async def users(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    return await _users_page(request, state, login)


@router.post("/users")
async def add_user(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    form = await request.form()
    try:
        name = _text(form, "name", 100)
        role = _text(form, "role", 20)
        password = _text(form, "password", 1000)
        desks = _choices(form, "desks")
        bureau = _text(form, "bureau", 64)
        languages = _choices(form, "languages")
        created = await write(
            state,
            lambda session: agency.create_user(
                session,
                login.principal,
                name=name,
                role=role,
                password=password,
                desks=desks,
                bureau=bureau or None,
                user_languages=languages,
            ),
        )
    except FORM_ERRORS as error:
        return await _users_page(request, state, login, values=FormValues(form), **_problem(error))
    if created.password is None:
        return redirect(f"{BASE}/users/{created.user.id}", "created")
    return _secret_page(
        request,
        login,
        kind="new_user",
        subject=created.user.name,
        secret=created.password,
        back=f"{BASE}/users/{created.user.id}",
    )


async def _user_page(
    request: Request,
    state: StateDep,
    login: StaffLogin,
    user_id: int,
    *,
    values: FormValues | None = None,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {"user": agency.user_by_id(session, user_id), **_staff_choices(session)}

    return page(
        request,
        login,
        "admin_user.html",
        status=status,
        error=error,
        field=field,
        values=values or FormValues(),
        **await read(state, load),
    )


@router.get("/users/{user_id}")
async def user(request: Request, state: StateDep, login: StaffDep, user_id: Id) -> Response:
    _admin(login)
    return await _user_page(request, state, login, user_id)


@router.post("/users/{user_id}")
async def edit_user(request: Request, state: StateDep, login: StaffDep, user_id: Id) -> Response:
    _admin(login)
    form = await request.form()
    try:
        role = _text(form, "role", 20)
        desks = _choices(form, "desks")
        bureau = _text(form, "bureau", 64)
        languages = _choices(form, "languages")
        await _write_keys(
            state,
            lambda session: agency.update_user(
                session,
                login.principal,
                user_id,
                role=role,
                desks=desks,
                bureau=bureau or None,
                user_languages=languages,
            ),
        )
    except FORM_ERRORS as error:
        return await _user_page(
            request, state, login, user_id, values=FormValues(form), **_problem(error)
        )
    return redirect(f"{BASE}/users/{user_id}", "saved")


async def _set_user_active(
    request: Request, state: AppState, login: StaffLogin, user_id: int, active: bool
) -> Response:
    try:
        await _write_keys(
            state,
            lambda session: agency.set_user_active(session, login.principal, user_id, active),
        )
    except FORM_ERRORS as error:
        return await _user_page(request, state, login, user_id, **_problem(error))
    return redirect(f"{BASE}/users/{user_id}", "updated")


@router.post("/users/{user_id}/deactivate")
async def deactivate_user(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    _admin(login)
    return await _set_user_active(request, state, login, user_id, False)


@router.post("/users/{user_id}/reactivate")
async def reactivate_user(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    _admin(login)
    return await _set_user_active(request, state, login, user_id, True)


@router.post("/users/{user_id}/password")
async def reset_password(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    _admin(login)

    def work(session: Session) -> tuple[str, str]:
        password = agency.reset_password(session, login.principal, user_id)
        return agency.user_by_id(session, user_id).name, password

    try:
        name, password = await write(state, work)
    except FORM_ERRORS as error:
        return await _user_page(request, state, login, user_id, **_problem(error))
    return _secret_page(
        request,
        login,
        kind="reset_password",
        subject=name,
        secret=password,
        back=f"{BASE}/users/{user_id}",
    )


# --- bureaus -------------------------------------------------------------------------------


async def _bureaus_page(
    request: Request,
    state: StateDep,
    login: StaffLogin,
    *,
    bureau_id: int | None = None,
    values: FormValues | None = None,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    """The list with its add form, or (with `bureau_id`) one bureau's edit form."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {"languages": agency.working_languages(session)}
        if bureau_id is None:
            data["bureaus"] = agency.list_bureaus(session)
        else:
            data["bureau"] = agency.bureau_by_id(session, bureau_id)
        return data

    return page(
        request,
        login,
        "admin_bureaus.html" if bureau_id is None else "admin_bureau.html",
        status=status,
        error=error,
        field=field,
        values=values or FormValues(),
        time_zones=time_zones(),
        **await read(state, load),
    )


@router.get("/bureaus")
async def bureaus(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    return await _bureaus_page(request, state, login)


@router.post("/bureaus")
async def add_bureau(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    form = await request.form()
    try:
        code = _text(form, "code", 64)
        country = _text(form, "country", 2)
        timezone = _text(form, "timezone", 64)
        default_language = _text(form, "default_language", 16)
        languages = await read(state, agency.working_languages)
        city = _per_language(form, "city", languages)
        created = await write(
            state,
            lambda session: agency.create_bureau(
                session,
                login.principal,
                code=code,
                country=country,
                city=city,
                timezone=timezone,
                default_language=default_language,
            ),
        )
    except FORM_ERRORS as error:
        return await _bureaus_page(
            request, state, login, values=FormValues(form), **_problem(error)
        )
    return redirect(f"{BASE}/bureaus/{created.id}", "created")


@router.get("/bureaus/{bureau_id}")
async def bureau(request: Request, state: StateDep, login: StaffDep, bureau_id: Id) -> Response:
    _admin(login)
    return await _bureaus_page(request, state, login, bureau_id=bureau_id)


@router.post("/bureaus/{bureau_id}")
async def edit_bureau(
    request: Request, state: StateDep, login: StaffDep, bureau_id: Id
) -> Response:
    _admin(login)
    form = await request.form()
    try:
        timezone = _text(form, "timezone", 64)
        default_language = _text(form, "default_language", 16)
        languages = await read(state, agency.working_languages)
        city = _per_language(form, "city", languages)
        await write(
            state,
            lambda session: agency.update_bureau(
                session,
                login.principal,
                bureau_id,
                city=city,
                timezone=timezone,
                default_language=default_language,
            ),
        )
    except FORM_ERRORS as error:
        return await _bureaus_page(
            request, state, login, bureau_id=bureau_id, values=FormValues(form), **_problem(error)
        )
    return redirect(f"{BASE}/bureaus/{bureau_id}", "saved")


# --- desks ---------------------------------------------------------------------------------


async def _desks_page(
    request: Request,
    state: StateDep,
    login: StaffLogin,
    *,
    desk_id: int | None = None,
    values: FormValues | None = None,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    """The list (with members) and its add form, or (with `desk_id`) one desk's edit form."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {
            "languages": agency.working_languages(session),
            "members": agency.desk_members(session),
        }
        if desk_id is None:
            data["desks"] = agency.list_desks(session)
        else:
            data["desk"] = agency.desk_by_id(session, desk_id)
        return data

    return page(
        request,
        login,
        "admin_desks.html" if desk_id is None else "admin_desk.html",
        status=status,
        error=error,
        field=field,
        values=values or FormValues(),
        **await read(state, load),
    )


@router.get("/desks")
async def desks(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    return await _desks_page(request, state, login)


@router.post("/desks")
async def add_desk(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    form = await request.form()
    try:
        code = _text(form, "code", 64)
        languages = await read(state, agency.working_languages)
        name = _per_language(form, "name", languages)
        created = await write(
            state,
            lambda session: agency.create_desk(session, login.principal, code=code, name=name),
        )
    except FORM_ERRORS as error:
        return await _desks_page(request, state, login, values=FormValues(form), **_problem(error))
    return redirect(f"{BASE}/desks/{created.id}", "created")


@router.get("/desks/{desk_id}")
async def desk(request: Request, state: StateDep, login: StaffDep, desk_id: Id) -> Response:
    _admin(login)
    return await _desks_page(request, state, login, desk_id=desk_id)


@router.post("/desks/{desk_id}")
async def edit_desk(request: Request, state: StateDep, login: StaffDep, desk_id: Id) -> Response:
    _admin(login)
    form = await request.form()
    try:
        languages = await read(state, agency.working_languages)
        name = _per_language(form, "name", languages)
        await write(
            state,
            lambda session: agency.update_desk(session, login.principal, desk_id, name=name),
        )
    except FORM_ERRORS as error:
        return await _desks_page(
            request, state, login, desk_id=desk_id, values=FormValues(form), **_problem(error)
        )
    return redirect(f"{BASE}/desks/{desk_id}", "saved")


# --- subscribers ---------------------------------------------------------------------------


async def _subscribers_page(
    request: Request,
    state: StateDep,
    login: StaffLogin,
    *,
    subscriber_id: int | None = None,
    values: FormValues | None = None,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
) -> Response:
    """The list and its add form, or (with `subscriber_id`) one subscriber and its keys."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {"languages": agency.working_languages(session)}
        if subscriber_id is None:
            data["subscribers"] = delivery.list_subscribers(session)
        else:
            data["subscriber"] = delivery.subscriber_by_id(session, subscriber_id)
            data["keys"] = delivery.live_keys(session, subscriber_id)
        return data

    vocabulary = state.ctx.vocabulary
    return page(
        request,
        login,
        "admin_subscribers.html" if subscriber_id is None else "admin_subscriber.html",
        status=status,
        error=error,
        field=field,
        values=values or FormValues(),
        vocabulary=vocabulary,
        top_topics=sorted(vocabulary.top_level(), key=lambda topic: topic.code),
        **await read(state, load),
    )


@router.get("/subscribers")
async def subscribers(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    return await _subscribers_page(request, state, login)


@router.post("/subscribers")
async def add_subscriber(request: Request, state: StateDep, login: StaffDep) -> Response:
    _admin(login)
    form = await request.form()
    try:
        name = _text(form, "name", 100)
        languages = _choices(form, "languages")
        topics = _choices(form, "topics") + _codes(_text(form, "more_topics", 2000))
        vocabulary = state.ctx.vocabulary
        created = await write(
            state,
            lambda session: delivery.create_subscriber(
                session,
                login.principal,
                vocabulary,
                name=name,
                languages=languages,
                topics=topics,
            ),
        )
    except FORM_ERRORS as error:
        return await _subscribers_page(
            request, state, login, values=FormValues(form), **_problem(error)
        )
    return _secret_page(
        request,
        login,
        kind="new_subscriber",
        subject=created.subscriber.name,
        secret=created.api_key,
        back=f"{BASE}/subscribers/{created.subscriber.id}",
    )


@router.get("/subscribers/{subscriber_id}")
async def subscriber(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    _admin(login)
    return await _subscribers_page(request, state, login, subscriber_id=subscriber_id)


@router.post("/subscribers/{subscriber_id}/keys")
async def issue_key(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    _admin(login)

    def work(session: Session) -> tuple[str, str]:
        key = delivery.issue_key(session, login.principal, subscriber_id)
        return delivery.subscriber_by_id(session, subscriber_id).name, key

    name, key = await write(state, work)
    return _secret_page(
        request,
        login,
        kind="new_key",
        subject=name,
        secret=key,
        back=f"{BASE}/subscribers/{subscriber_id}",
    )


@router.post("/subscribers/{subscriber_id}/keys/{key_id}/revoke")
async def revoke_key(state: StateDep, login: StaffDep, subscriber_id: Id, key_id: Id) -> Response:
    _admin(login)
    await _write_keys(
        state,
        lambda session: delivery.revoke_subscriber_key(
            session, login.principal, subscriber_id, key_id
        ),
    )
    return redirect(f"{BASE}/subscribers/{subscriber_id}", "updated")


@router.post("/subscribers/{subscriber_id}/deactivate")
async def deactivate_subscriber(state: StateDep, login: StaffDep, subscriber_id: Id) -> Response:
    _admin(login)
    await _write_keys(
        state,
        lambda session: delivery.set_subscriber_active(
            session, login.principal, subscriber_id, False
        ),
    )
    return redirect(f"{BASE}/subscribers/{subscriber_id}", "updated")


@router.post("/subscribers/{subscriber_id}/reactivate")
async def reactivate_subscriber(state: StateDep, login: StaffDep, subscriber_id: Id) -> Response:
    _admin(login)
    await _write_keys(
        state,
        lambda session: delivery.set_subscriber_active(
            session, login.principal, subscriber_id, True
        ),
    )
    return redirect(f"{BASE}/subscribers/{subscriber_id}", "updated")
