"""The newsroom's routes, one module per area; `router` gathers them under /newsroom."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from newswire.newsroom.views import (
    access,
    admin,
    archive,
    dashboard,
    editor,
    history,
    queue,
    translation,
)
from newswire.newsroom.web import csrf_protect

router = APIRouter(
    prefix="/newsroom", include_in_schema=False, dependencies=[Depends(csrf_protect)]
)
# history before editor: `/stories/{id}/history` and `/diff` would otherwise match the editor's
# `/stories/{id}/{lang}`; the translation desk's pages before the editor's too.
for area in (access, queue, history, translation, editor, archive, dashboard, admin):
    router.include_router(area.router)
