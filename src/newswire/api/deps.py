"""Dependencies shared by the API routers, as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from newswire.agency.services import Principal
from newswire.api.state import AppState, bearer_key
from newswire.errors import Forbidden

T = TypeVar("T")


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.newswire
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_principal(
    state: StateDep,
    authorization: Annotated[
        str | None, Header(description="`Bearer` and an API key or staff token")
    ] = None,
) -> Principal:
    return await state.keys.principal(bearer_key(authorization))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_staff(principal: PrincipalDep) -> Principal:
    if not principal.is_staff:
        raise Forbidden("this endpoint is for staff tokens, not subscriber keys")
    return principal


StaffDep = Annotated[Principal, Depends(get_staff)]


async def write(state: AppState, work: Callable[[Session], T]) -> T:
    """Run `work` in one write transaction on a worker thread, then wake the feed."""

    def run() -> T:
        with state.database.write() as session:
            return work(session)

    result = await anyio.to_thread.run_sync(run)
    # Before answering, so that the writer's next feed read already shows its publication.
    await state.hub.refresh()
    return result


async def read(state: AppState, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with state.database.read() as session:
            return work(session)

    return await anyio.to_thread.run_sync(run)
