"""The newsroom's routes, one module per area; `router` gathers them under /newsroom."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from newswire.newsroom.views import access, admin, archive, dashboard, editor, history, queue
from newswire.newsroom.web import csrf_protect

router = APIRouter(
    prefix="/newsroom", include_in_schema=False, dependencies=[Depends(csrf_protect)]
)
for area in (access, queue, editor, history, archive, dashboard, admin):
    router.include_router(area.router)
