"""Dependencies shared by the API routers, as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from newswire.agency.services import Principal
from newswire.api.state import AppState, bearer_key
from newswire.errors import Forbidden

T = TypeVar("T")


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.newswire
    return state


StateDep = Annotated[AppState, Depends(get_state)]


# Declares bearer auth in the OpenAPI document (so /docs offers "Authorize"); the header
# itself is read below, so that a missing or malformed one gets our 401, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An API key (`nwk_...`) or staff token")


async def get_principal(
    request: Request,
    state: StateDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = await state.keys.principal(bearer_key(request.headers.get("authorization")))
    state.limits.check(principal)
    return principal


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
