"""The admin pages of the people the agency works with: staff users and subscribers (their
products, delivery channels and keys).

A secret (a generated password, an API key) is rendered in the POST's own response, which
is never stored by a cache: it never travels in a redirect URL, so it is shown exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from newswire.agency import admin as administration
from newswire.agency.models import ROLES
from newswire.api.deps import StateDep, write
from newswire.api.state import AppState
from newswire.delivery import services as delivery
from newswire.errors import NotFound
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.views import admin_delivery as distribution
from newswire.newsroom.views import admin_forms as forms
from newswire.newsroom.views.admin_forms import BASE, Id, Shown
from newswire.newsroom.web import StaffDep, page, redirect

router = APIRouter()

T = TypeVar("T")


async def _write_keys(state: AppState, work: Callable[[Session], T]) -> T:
    """A write that changes who an API key belongs to or whether it works: the process's key
    cache forgets every key, so the change holds from the next request on."""
    result = await write(state, work)
    state.keys.clear()
    return result


def _secret_page(
    request: Request,
    login: StaffLogin,
    *,
    kind: str,
    subject: str,
    secret: str,
    back: str,
    template: str = "admin_secret.html",
) -> Response:
    """The one time a password, key or signing secret is shown (page() already sends
    Cache-Control: no-store)."""
    return page(request, login, template, kind=kind, subject=subject, secret=secret, back=back)


# --- users ---------------------------------------------------------------------------------


def _staff_choices(session: Session) -> dict[str, Any]:
    return {
        "desks": administration.list_desks(session),
        "bureaus": administration.list_bureaus(session),
        "languages": administration.working_languages(session),
        "roles": ROLES,
    }


async def _users_page(
    request: Request, state: AppState, login: StaffLogin, shown: Shown | None = None
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {"users": administration.list_users(session), **_staff_choices(session)}

    return await forms.show(request, state, login, "admin_users.html", load, shown)


@router.get("/users")
async def users(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    return await _users_page(request, state, login)


@router.post("/users")
async def add_user(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        name = forms.text(form, "name", 100)
        role = forms.text(form, "role", 20)
        password = forms.text(form, "password", 1000)
        desks = forms.choices(form, "desks")
        bureau = forms.text(form, "bureau", 64)
        languages = forms.choices(form, "languages")
        created = await write(
            state,
            lambda session: administration.create_user(
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

    return await forms.submit(change, lambda shown: _users_page(request, state, login, shown), form)


async def _user_page(
    request: Request, state: AppState, login: StaffLogin, user_id: int, shown: Shown | None = None
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {"user": administration.user_by_id(session, user_id), **_staff_choices(session)}

    return await forms.show(request, state, login, "admin_user.html", load, shown)


@router.get("/users/{user_id}")
async def user(request: Request, state: StateDep, login: StaffDep, user_id: Id) -> Response:
    forms.require_admin(login)
    return await _user_page(request, state, login, user_id)


@router.post("/users/{user_id}")
async def edit_user(request: Request, state: StateDep, login: StaffDep, user_id: Id) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        role = forms.text(form, "role", 20)
        desks = forms.choices(form, "desks")
        bureau = forms.text(form, "bureau", 64)
        languages = forms.choices(form, "languages")
        await _write_keys(
            state,
            lambda session: administration.update_user(
                session,
                login.principal,
                user_id,
                role=role,
                desks=desks,
                bureau=bureau or None,
                user_languages=languages,
            ),
        )
        return redirect(f"{BASE}/users/{user_id}", "saved")

    return await forms.submit(
        change, lambda shown: _user_page(request, state, login, user_id, shown), form
    )


async def _set_user_active(
    request: Request, state: AppState, login: StaffLogin, user_id: int, active: bool
) -> Response:
    async def change() -> Response:
        await _write_keys(
            state,
            lambda session: administration.set_user_active(
                session, login.principal, user_id, active
            ),
        )
        return redirect(f"{BASE}/users/{user_id}", "updated")

    # A refusal shows the user's page with the message, its form as stored (nothing was sent).
    return await forms.submit(
        change, lambda shown: _user_page(request, state, login, user_id, shown)
    )


@router.post("/users/{user_id}/deactivate")
async def deactivate_user(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    forms.require_admin(login)
    return await _set_user_active(request, state, login, user_id, False)


@router.post("/users/{user_id}/reactivate")
async def reactivate_user(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    forms.require_admin(login)
    return await _set_user_active(request, state, login, user_id, True)


@router.post("/users/{user_id}/password")
async def reset_password(
    request: Request, state: StateDep, login: StaffDep, user_id: Id
) -> Response:
    forms.require_admin(login)

    def work(session: Session) -> tuple[str, str]:
        password = administration.reset_password(session, login.principal, user_id)
        return administration.user_by_id(session, user_id).name, password

    async def change() -> Response:
        name, password = await write(state, work)
        return _secret_page(
            request,
            login,
            kind="reset_password",
            subject=name,
            secret=password,
            back=f"{BASE}/users/{user_id}",
        )

    return await forms.submit(
        change, lambda shown: _user_page(request, state, login, user_id, shown)
    )


# --- subscribers ---------------------------------------------------------------------------


async def _subscribers_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    subscriber_id: int | None = None,
    shown: Shown | None = None,
) -> Response:
    """The list and its add form, or (with `subscriber_id`) one subscriber: its products, its
    delivery channels with their health, and its keys."""

    def load(session: Session) -> dict[str, Any]:
        data: dict[str, Any] = {
            "languages": administration.working_languages(session),
            **distribution.structure(session),
        }
        if subscriber_id is None:
            data["subscribers"] = delivery.list_subscribers(session)
        else:
            data["subscriber"] = delivery.subscriber_by_id(session, subscriber_id)
            data["keys"] = delivery.live_keys(session, subscriber_id)
            data["products"] = delivery.list_products(session)
            data["channels"] = delivery.channel_health(session, subscriber_id)
        return data

    vocabulary = state.ctx.vocabulary
    return await forms.show(
        request,
        state,
        login,
        "admin_subscribers.html" if subscriber_id is None else "admin_subscriber.html",
        load,
        shown,
        vocabulary=vocabulary,
        top_topics=sorted(vocabulary.top_level(), key=lambda topic: topic.code),
        default_rate_limit=state.settings.api_rate_limit,
        **distribution.CHANNEL_CONTEXT,
    )


@router.get("/subscribers")
async def subscribers(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    return await _subscribers_page(request, state, login)


@router.post("/subscribers")
async def add_subscriber(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        name = forms.text(form, "name", 100)
        languages = forms.choices(form, "languages")
        topics = forms.topics(form)
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
        return _secret_page(
            request,
            login,
            kind="new_subscriber",
            subject=created.subscriber.name,
            secret=created.api_key,
            back=f"{BASE}/subscribers/{created.subscriber.id}",
        )

    return await forms.submit(
        change, lambda shown: _subscribers_page(request, state, login, shown=shown), form
    )


@router.get("/subscribers/{subscriber_id}")
async def subscriber(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    forms.require_admin(login)
    return await _subscribers_page(request, state, login, subscriber_id)


def _again(
    request: Request, state: AppState, login: StaffLogin, subscriber_id: int
) -> Callable[[Shown], Awaitable[Response]]:
    """The subscriber's page shown again with a refused form's problem."""
    return lambda shown: _subscribers_page(request, state, login, subscriber_id, shown)


@router.post("/subscribers/{subscriber_id}/products")
async def choose_products(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        names = forms.choices(form, "products", limit=1000)
        # Entitlements decide what a key may read: the key cache forgets them too.
        await _write_keys(
            state,
            lambda session: delivery.set_products(session, login.principal, subscriber_id, names),
        )
        return redirect(f"{BASE}/subscribers/{subscriber_id}", "saved")

    return await forms.submit(change, _again(request, state, login, subscriber_id), form)


@router.post("/subscribers/{subscriber_id}/channels")
async def add_channel(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        kind = forms.text(form, "kind", 16)
        target = forms.text(form, "target", 2000)
        format_ = forms.text(form, "format", 16) or "ninjs"
        password = forms.text(form, "password", 200)
        host_key = forms.text(form, "host_key", 200).strip()
        embargoed_copy = form.get("embargoed_copy") == "yes"
        allow = state.settings.outbound_allow

        def work(session: Session) -> tuple[str, str | None]:
            owner = delivery.subscriber_by_id(session, subscriber_id)
            channel = delivery.add_channel(
                session,
                login.principal,
                owner,
                kind=kind,
                target=target,
                format=format_,
                password=password or None,
                host_key=host_key or None,
                embargoed_copy=embargoed_copy,
                allow=allow,
            )
            # Only a webhook's secret was made here; an SFTP password is the admin's own.
            return owner.name, channel.secret if channel.kind == "webhook" else None

        name, secret = await write(state, work)
        if secret is None:
            return redirect(f"{BASE}/subscribers/{subscriber_id}", "created")
        return _secret_page(
            request,
            login,
            kind="new_webhook",
            subject=name,
            secret=secret,
            back=f"{BASE}/subscribers/{subscriber_id}",
            template="admin_delivery_secret.html",
        )

    return await forms.submit(change, _again(request, state, login, subscriber_id), form)


@router.post("/subscribers/{subscriber_id}/channels/{channel_id}/rotate")
async def rotate_secret(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id, channel_id: Id
) -> Response:
    forms.require_admin(login)

    def work(session: Session) -> tuple[str, str]:
        channel = delivery.channel_by_id(session, channel_id)
        if channel.subscriber_id != subscriber_id:
            raise NotFound(f"the subscriber has no channel {channel_id}", field="channel")
        return channel.subscriber.name, delivery.rotate_secret(session, login.principal, channel_id)

    async def change() -> Response:
        name, secret = await write(state, work)
        return _secret_page(
            request,
            login,
            kind="rotated",
            subject=name,
            secret=secret,
            back=f"{BASE}/subscribers/{subscriber_id}",
            template="admin_delivery_secret.html",
        )

    return await forms.submit(change, _again(request, state, login, subscriber_id))


@router.post("/subscribers/{subscriber_id}/keys")
async def issue_key(
    request: Request, state: StateDep, login: StaffDep, subscriber_id: Id
) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        rate_limit = distribution.whole_number(form, "rate_limit")

        def work(session: Session) -> tuple[str, str]:
            key = delivery.issue_key(session, login.principal, subscriber_id, rate_limit)
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

    return await forms.submit(change, _again(request, state, login, subscriber_id), form)


@router.post("/subscribers/{subscriber_id}/keys/{key_id}/revoke")
async def revoke_key(state: StateDep, login: StaffDep, subscriber_id: Id, key_id: Id) -> Response:
    forms.require_admin(login)
    await _write_keys(
        state,
        lambda session: delivery.revoke_subscriber_key(
            session, login.principal, subscriber_id, key_id
        ),
    )
    return redirect(f"{BASE}/subscribers/{subscriber_id}", "updated")


async def _set_subscriber_active(
    state: AppState, login: StaffLogin, subscriber_id: int, active: bool
) -> Response:
    await _write_keys(
        state,
        lambda session: delivery.set_subscriber_active(
            session, login.principal, subscriber_id, active
        ),
    )
    return redirect(f"{BASE}/subscribers/{subscriber_id}", "updated")


@router.post("/subscribers/{subscriber_id}/deactivate")
async def deactivate_subscriber(state: StateDep, login: StaffDep, subscriber_id: Id) -> Response:
    forms.require_admin(login)
    return await _set_subscriber_active(state, login, subscriber_id, False)


@router.post("/subscribers/{subscriber_id}/reactivate")
async def reactivate_subscriber(state: StateDep, login: StaffDep, subscriber_id: Id) -> Response:
    forms.require_admin(login)
    return await _set_subscriber_active(state, login, subscriber_id, True)
