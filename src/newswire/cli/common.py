"""What every command module shares: settings, the database, one-line errors and output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ParamSpec, TypeVar

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from newswire.config import Settings
from newswire.db import Database
from newswire.errors import NewswireError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON document.")]


def fail(message: str, code: int = 1) -> None:
    err.print(f"newswire: error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Every failure becomes one line on stderr and a non-zero exit."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except NewswireError as error:
            where = f" ({error.field})" if error.field else ""
            fail(f"{error.message}{where}")
        except ValidationError as error:
            first = error.errors()[0]
            fail(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
        except (OperationalError, ProgrammingError) as error:
            text = str(error.orig).splitlines()[0] if error.orig else str(error)
            if "no such table" in text or "does not exist" in text:
                fail("the database is not initialised: run `newswire init` first")
            fail(f"database: {text}")
        raise AssertionError("unreachable")

    return wrapper


def settings() -> Settings:
    return Settings()


def database(config: Settings | None = None) -> Database:
    return Database((config or settings()).database_url)


@contextmanager
def write_session(db: Database) -> Iterator[Session]:
    with db.write() as session:
        yield session


def emit(as_json: bool, document: dict[str, Any], human: str) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.print(human, markup=False, soft_wrap=True)


def pairs(value: str | None, what: str) -> dict[str, str]:
    """`en=Baku,fr=Bakou` → {"en": "Baku", "fr": "Bakou"}."""
    if not value:
        return {}
    result = {}
    for part in value.split(","):
        key, sep, text = part.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise NewswireError(f"{what} takes LANG=TEXT pairs separated by commas", field=what)
        result[key.strip()] = text.strip()
    return result


def csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
