"""What the admin pages share: the admin check, reading their forms, and showing a form again.

A refused form comes back with the message next to its field, filled in with what was sent
(`submit`); the page functions of `admin_people` and `admin_structure` render through `show`
so that a fresh page and a refused one are the same template with the same data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Path, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from newswire.api.deps import read
from newswire.api.state import AppState
from newswire.errors import Conflict, InvalidInput
from newswire.newsroom.auth import StaffLogin
from newswire.newsroom.web import page, require_role

BASE = "/newsroom/admin"
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

# The errors a form answers by showing itself again; any other one gets the error page.
FORM_ERRORS = (InvalidInput, Conflict)


def require_admin(login: StaffLogin) -> None:
    require_role(login, "admin")


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


def text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    if len(value) > limit:
        raise InvalidInput(f"at most {limit} characters", field=name)
    return value


def choices(form: FormData, name: str, limit: int = 100) -> list[str]:
    values = [value for value in form.getlist(name) if isinstance(value, str) and value]
    if len(values) > limit or any(len(value) > 100 for value in values):
        raise InvalidInput("too many or too long choices", field=name)
    return values


def codes(value: str) -> list[str]:
    """Codes typed into one text field, separated by spaces, commas or semicolons."""
    return [code for code in re.split(r"[\s,;]+", value) if code]


def topics(form: FormData) -> list[str]:
    """Media Topics: the ticked top-level ones and any other codes typed in `more_topics`."""
    return choices(form, "topics") + codes(text(form, "more_topics", 2000))


@dataclasses.dataclass(frozen=True, slots=True)
class Shown:
    """How a form page is shown: fresh, or again with what was sent and why it was refused."""

    values: FormValues = dataclasses.field(default_factory=FormValues)
    status: int = 200
    error: str | None = None
    field: str | None = None


async def show(
    request: Request,
    state: AppState,
    login: StaffLogin,
    template: str,
    load: Callable[[Session], dict[str, Any]],
    shown: Shown | None = None,
    **context: Any,
) -> Response:
    """An admin page with what `load` reads and `context`, its form fresh or `shown` again."""
    shown = shown or Shown()
    return page(
        request,
        login,
        template,
        status=shown.status,
        error=shown.error,
        field=shown.field,
        values=shown.values,
        **context,
        **await read(state, load),
    )


async def submit(
    change: Callable[[], Awaitable[Response]],
    again: Callable[[Shown], Awaitable[Response]],
    form: FormData | None = None,
) -> Response:
    """Answer with `change` (it reads the form, writes and answers); when the services refuse
    the input, show the page `again` with the message, filled in with what `form` sent."""
    try:
        return await change()
    except FORM_ERRORS as error:
        return await again(Shown(FormValues(form), error.status_code, error.message, error.field))
