"""The newsroom's archive search: a GET form over every language, usable without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from newswire.api.deps import StateDep, read
from newswire.newsroom import archive, labels
from newswire.newsroom.archive import ArchiveInputError, Options, Results, SearchForm
from newswire.newsroom.web import StaffDep, interface_language, page

router = APIRouter()
SEARCH = "/newsroom/search"


@router.get("/search")
async def archive_search(request: Request, state: StateDep, login: StaffDep) -> Response:
    ui = interface_language(request, login)
    form = SearchForm.from_params(request.query_params)
    own_desks = archive.visible_desks(login)

    def work(session: Session) -> tuple[Options, Results | None, ArchiveInputError | None]:
        options = archive.load_options(session, state.ctx, ui)
        try:
            query = archive.parse(form, options, state.ctx.vocabulary, login.timezone)
        except ArchiveInputError as problem:
            return options, None, problem
        return options, archive.run(session, query, options, own_desks), None

    options, results, problem = await read(state, work)

    def say(messages: dict[str, str]) -> dict[str, str]:
        return {key: state.newsroom.gettext(ui, message) for key, message in messages.items()}

    previous_url = next_url = None
    if results is not None and results.page > 1:
        previous_url = SEARCH + form.query_string(results.page - 1)
    if results is not None and results.has_more:
        next_url = SEARCH + form.query_string(results.page + 1)
    return page(
        request,
        login,
        "search.html",
        status=problem.status_code if problem else 200,
        form=form,
        options=options,
        results=results,
        error=state.newsroom.gettext(ui, problem.msgid, **problem.values) if problem else None,
        field=problem.field if problem else None,
        statuses=say(labels.STATUS_NAMES),
        urgency_choices=say(archive.URGENCY_CHOICES),
        urgency_names={
            number: state.newsroom.gettext(ui, name)
            for number, name in labels.URGENCY_NAMES.items()
        },
        previous_url=previous_url,
        next_url=next_url,
    )
