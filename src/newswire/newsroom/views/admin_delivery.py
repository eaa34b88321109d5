"""The admin pages of distribution: products, and the delivery page of every push channel.

The delivery page is where an admin sees whether subscribers get what they pay for: each
channel's health and lag, and the actions that repair it (retry now, pause or resume, replay).
Every action is a plain POST form answered with a redirect, so the pages work without
JavaScript; the services check the role again and write the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire.agency import admin as administration
from newswire.api.deps import StateDep, write
from newswire.api.state import AppState
from newswire.db import utcnow
from newswire.delivery import services as delivery
from newswire.delivery.models import CHANNEL_KINDS, CONTENT_KINDS, Delivery, Subscriber
from newswire.errors import InvalidInput, NotFound
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.render import babel_locale
from newswire.newsroom.views import admin_forms as forms
from newswire.newsroom.views.admin_forms import BASE, Id, Shown
from newswire.newsroom.web import StaffDep, interface_language, redirect

router = APIRouter()

# What a channel's format is called where people see it.
FORMAT_NAMES = {"ninjs": "ninjs 2.2", "ninjs3": "ninjs 3.1", "newsml": "NewsML-G2"}
PAGE_SIZE = 50  # deliveries on a channel's page
# A count given back by a redirect to say what an action did (`?replayed=3`).
Count = Annotated[int | None, Query(ge=0, le=2**31 - 1)]


# What every page showing channels or products needs besides its own data.
CHANNEL_CONTEXT: dict[str, Any] = {
    "channel_kinds": CHANNEL_KINDS,
    "format_names": FORMAT_NAMES,
    "content_kinds": CONTENT_KINDS,
    "shown_target": delivery.shown_target,
}


def structure(session: Session) -> dict[str, Any]:
    """The desks and bureaus a product names by id, for its summary and the product form."""
    desks = administration.list_desks(session)
    bureaus = administration.list_bureaus(session)
    return {
        "desks": desks,
        "bureaus": bureaus,
        "desks_by_id": {desk.id: desk for desk in desks},
        "bureaus_by_id": {bureau.id: bureau for bureau in bureaus},
    }


def whole_number(form: FormData, name: str) -> int | None:
    """An optional whole number typed into a form; empty is none."""
    value = forms.text(form, name, 20).strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput("a whole number, or nothing", field=name)
    return int(value)


def lag_text(seconds: float, ui: str) -> str:
    """How long the oldest open delivery has waited, in words ("3 minutes")."""
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.2, format="long", locale=babel_locale(ui)
    )


# --- products ------------------------------------------------------------------------------


async def _products_page(
    request: Request, state: AppState, login: StaffLogin, shown: Shown | None = None
) -> Response:
    def load(session: Session) -> dict[str, Any]:
        products = delivery.list_products(session)
        takers: dict[int, list[Subscriber]] = {product.id: [] for product in products}
        for row in delivery.list_subscribers(session):
            for product in row.subscriber.products:
                takers.setdefault(product.id, []).append(row.subscriber)
        return {
            "products": products,
            "takers": takers,
            "languages": administration.working_languages(session),
            **structure(session),
        }

    vocabulary = state.ctx.vocabulary
    return await forms.show(
        request,
        state,
        login,
        "admin_products.html",
        load,
        shown,
        vocabulary=vocabulary,
        top_topics=sorted(vocabulary.top_level(), key=lambda topic: topic.code),
        **CHANNEL_CONTEXT,
    )


@router.get("/products")
async def products(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    return await _products_page(request, state, login)


@router.post("/products")
async def add_product(request: Request, state: StateDep, login: StaffDep) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        name = forms.text(form, "name", 100)
        languages = forms.choices(form, "languages")
        topics = forms.topics(form)
        desks = forms.choices(form, "desks", limit=1000)
        bureaus = forms.choices(form, "bureaus", limit=1000)
        max_urgency = whole_number(form, "max_urgency")
        content = forms.text(form, "content", 10) or "all"
        vocabulary = state.ctx.vocabulary
        await write(
            state,
            lambda session: delivery.add_product(
                session,
                login.principal,
                vocabulary,
                name=name,
                languages=languages,
                topics=topics,
                desks=desks,
                bureaus=bureaus,
                max_urgency=9 if max_urgency is None else max_urgency,
                content=content,
            ),
        )
        return redirect(f"{BASE}/products", "created")

    return await forms.submit(
        change, lambda shown: _products_page(request, state, login, shown), form
    )


# --- the delivery page -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A channel's line on the delivery page: its health and its lag in words."""

    health: delivery.ChannelHealth
    lag: str | None  # none: nothing waits


def _rows(found: list[delivery.ChannelHealth], ui: str) -> list[ChannelRow]:
    now = utcnow()
    return [
        ChannelRow(row, lag_text(row.lag_seconds(now), ui) if row.open else None) for row in found
    ]


@router.get("/delivery")
async def delivery_page(
    request: Request,
    state: StateDep,
    login: StaffDep,
    replayed: Count = None,
    due: Count = None,
) -> Response:
    forms.require_admin(login)
    ui = interface_language(request, login)

    def load(session: Session) -> dict[str, Any]:
        return {"rows": _rows(delivery.channel_health(session), ui)}

    return await forms.show(
        request,
        state,
        login,
        "admin_delivery.html",
        load,
        replayed=replayed,
        due=due,
        **CHANNEL_CONTEXT,
    )


async def _channel_page(
    request: Request,
    state: AppState,
    login: StaffLogin,
    channel_id: int,
    *,
    before: int | None = None,
    replayed: int | None = None,
    due: int | None = None,
    shown: Shown | None = None,
) -> Response:
    """One channel: its health, its actions and its latest deliveries (older: `before`)."""
    ui = interface_language(request, login)

    def load(session: Session) -> dict[str, Any]:
        channel = delivery.channel_by_id(session, channel_id)
        health = [
            row
            for row in delivery.channel_health(session, channel.subscriber_id)
            if row.channel.id == channel_id
        ]
        deliveries = delivery.list_deliveries(
            session, channel_id=channel_id, limit=PAGE_SIZE + 1, before=before
        )
        return {
            "row": _rows(health, ui)[0],
            "deliveries": deliveries[:PAGE_SIZE],
            "older": deliveries[PAGE_SIZE - 1].id if len(deliveries) > PAGE_SIZE else None,
        }

    return await forms.show(
        request,
        state,
        login,
        "admin_delivery_channel.html",
        load,
        shown,
        before=before,
        replayed=replayed,
        due=due,
        **CHANNEL_CONTEXT,
    )


@router.get("/delivery/{channel_id}")
async def channel_page(
    request: Request,
    state: StateDep,
    login: StaffDep,
    channel_id: Id,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    replayed: Count = None,
    due: Count = None,
) -> Response:
    forms.require_admin(login)
    return await _channel_page(
        request, state, login, channel_id, before=before, replayed=replayed, due=due
    )


def _back(form: FormData, channel_id: int) -> str:
    """Where an action returns: the delivery page it was pressed on, or the channel's own."""
    return f"{BASE}/delivery" if form.get("from") == "list" else f"{BASE}/delivery/{channel_id}"


@router.post("/delivery/{channel_id}/retry")
async def retry_now(request: Request, state: StateDep, login: StaffDep, channel_id: Id) -> Response:
    forms.require_admin(login)
    form = await request.form()
    count = await write(
        state, lambda session: delivery.retry_now(session, login.principal, channel_id)
    )
    return redirect(f"{_back(form, channel_id)}?due={count}")


@router.post("/delivery/{channel_id}/pause")
async def pause(request: Request, state: StateDep, login: StaffDep, channel_id: Id) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        reason = forms.text(form, "reason", 500).strip()
        await write(
            state,
            lambda session: delivery.set_paused(
                session, login.principal, channel_id, True, reason or None
            ),
        )
        return redirect(_back(form, channel_id), "updated")

    return await forms.submit(
        change, lambda shown: _channel_page(request, state, login, channel_id, shown=shown), form
    )


@router.post("/delivery/{channel_id}/resume")
async def resume(request: Request, state: StateDep, login: StaffDep, channel_id: Id) -> Response:
    forms.require_admin(login)
    form = await request.form()
    await write(
        state,
        lambda session: delivery.set_paused(session, login.principal, channel_id, False),
    )
    return redirect(_back(form, channel_id), "updated")


# Dates before this are typing mistakes, and far ones overflow on the way to UTC.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


def moment(form: FormData, name: str, timezone: str) -> datetime | None:
    """A `datetime-local` field read in `timezone` (the one the page shows times in), in UTC."""
    value = forms.text(form, name, 40).strip()
    if not value:
        return None
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        local = None
    if local is None or not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise InvalidInput("a date and time, such as 2025-05-01T14:30", field=name)
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


@router.post("/delivery/{channel_id}/replay")
async def replay_range(
    request: Request, state: StateDep, login: StaffDep, channel_id: Id
) -> Response:
    forms.require_admin(login)
    form = await request.form()

    async def change() -> Response:
        since = moment(form, "since", login.timezone)
        until = moment(form, "until", login.timezone)
        if since is None:
            raise InvalidInput("say from when to send again", field="since")
        if until is not None and until <= since:
            raise InvalidInput("the end comes after the start", field="until")
        count = await write(
            state,
            lambda session: delivery.replay(
                session, login.principal, channel_id=channel_id, since=since, until=until
            ),
        )
        return redirect(f"{BASE}/delivery/{channel_id}?replayed={count}")

    return await forms.submit(
        change, lambda shown: _channel_page(request, state, login, channel_id, shown=shown), form
    )


@router.post("/delivery/{channel_id}/deliveries/{delivery_id}/replay")
async def replay_one(state: StateDep, login: StaffDep, channel_id: Id, delivery_id: Id) -> Response:
    forms.require_admin(login)

    def work(session: Session) -> int:
        row = session.get(Delivery, delivery_id)
        if row is None or row.channel_id != channel_id:
            raise NotFound(f"the channel has no delivery {delivery_id}", field="delivery")
        return delivery.replay(session, login.principal, delivery_ids=[delivery_id])

    count = await write(state, work)
    return redirect(f"{BASE}/delivery/{channel_id}?replayed={count}")
