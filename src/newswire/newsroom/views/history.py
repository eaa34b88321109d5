"""A story's history: its versions in every language, one version read-only, a diff of two,
and the story's audit log. Staff who see the story's desk queue may look; nobody may change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from newswire.api.deps import StateDep, read
from newswire.errors import InvalidInput
from newswire.newsroom import history
from newswire.newsroom.web import StaffDep, interface_language, page

router = APIRouter()

# Ids are 32-bit in the database: a larger number is no story, not a server error.
StoryId = Annotated[int, Path(ge=1, le=2_147_483_647)]
VersionId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Ref = Annotated[str | None, Query(max_length=40)]


@router.get("/stories/{story_id}/history")
async def story_history(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId
) -> Response:
    ui = interface_language(request, login)

    def load(session: Session) -> history.StoryHistory:
        story = history.get_visible_story(session, story_id, login.principal)
        return history.story_history(session, state.ctx, story, ui)

    found = await read(state, load)
    default_a, default_b = found.default_pair()
    return page(
        request,
        login,
        "history.html",
        history=found,
        default_a=default_a,
        default_b=default_b,
        status_names=history.STATUS_NAMES,
        version_kinds=history.VERSION_KINDS,
    )


@router.get("/stories/{story_id}/versions/{version_id}")
async def story_version(
    request: Request, state: StateDep, login: StaffDep, story_id: StoryId, version_id: VersionId
) -> Response:

    def load(session: Session) -> history.VersionPage:
        story = history.get_visible_story(session, story_id, login.principal)
        return history.version_page(session, story, version_id)

    found = await read(state, load)
    return page(request, login, "version.html", view=found, version_kinds=history.VERSION_KINDS)


@router.get("/stories/{story_id}/diff")
async def story_diff(
    request: Request,
    state: StateDep,
    login: StaffDep,
    story_id: StoryId,
    a: Ref = None,
    b: Ref = None,
) -> Response:
    ui = interface_language(request, login)

    def load(session: Session) -> history.StoryDiff:
        story = history.get_visible_story(session, story_id, login.principal)
        if not a or not b:
            raise InvalidInput("choose two versions to compare", field="a" if not a else "b")
        return history.story_diff(session, state.ctx, story, a, b, ui=ui, timezone=login.timezone)

    found = await read(state, load)
    return page(
        request,
        login,
        "diff.html",
        diff=found,
        status_names=history.STATUS_NAMES,
        version_kinds=history.VERSION_KINDS,
    )
