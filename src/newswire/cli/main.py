"""The `newswire` command line. Thin: it parses, calls services, prints."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer

from newswire import migrate
from newswire.agency import services as agency
from newswire.agency.services import SYSTEM
from newswire.cli import distribution, mt, terms
from newswire.cli.common import (
    JsonOption,
    csv,
    database,
    emit,
    one_line_errors,
    out,
    pairs,
    settings,
    write_session,
)
from newswire.db import Database
from newswire.errors import InvalidInput
from newswire.logs import configure_logging
from newswire.stories.services import StoryContext

app = typer.Typer(
    help="newswire: run a multilingual news agency end to end.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
bureau_app = typer.Typer(help="Bureaus.", no_args_is_help=True)
desk_app = typer.Typer(help="Desks.", no_args_is_help=True)
token_app = typer.Typer(help="Staff API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(bureau_app, name="bureau")
app.add_typer(desk_app, name="desk")
app.add_typer(token_app, name="token")
app.add_typer(distribution.product_app, name="product")
app.add_typer(distribution.subscriber_app, name="subscriber")
app.add_typer(distribution.channel_app, name="channel")
app.add_typer(distribution.delivery_app, name="delivery")
app.add_typer(mt.app, name="mt")
app.add_typer(terms.app, name="term")

# --- set-up ---------------------------------------------------------------------------------


@app.command()
@one_line_errors
def init(
    admin: Annotated[str | None, typer.Option(help="Create this first admin user.")] = None,
    password: Annotated[str | None, typer.Option(help="The admin's password.")] = None,
    agency_name: Annotated[str, typer.Option(help="The agency's name.")] = "News Agency",
    short_name: Annotated[str, typer.Option(help="Its short name, used in datelines.")] = "NEWS",
    domain: Annotated[str, typer.Option(help="Its domain, used in item URIs.")] = "example.org",
    timezone: Annotated[str, typer.Option(help="Its home time zone.")] = "UTC",
    as_json: JsonOption = False,
) -> None:
    """Create or migrate the database; create the agency and the first admin."""
    config = settings()
    db = database(config)
    migrate.upgrade(db)
    with write_session(db) as session:
        agency_row = agency.ensure_agency(
            session,
            name={"en": agency_name},
            short_name={"en": short_name},
            domain=domain,
            working_languages=config.languages,
            timezone=timezone,
        )
        created = None
        if admin:
            created = agency.add_user(session, SYSTEM, name=admin, role="admin", password=password)
        result: dict[str, Any] = {"database": _safe_url(db), "agency": agency_row.domain}
        if created:
            result["admin"] = {"name": created.user.name, "password": created.password}
    human = f"database ready: {_safe_url(db)}"
    if created:
        human += f"\nadmin {created.user.name} created"
        if created.password:
            human += f", password: {created.password}"
    emit(as_json, result, human)


def _safe_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


@app.command()
@one_line_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Run no embedded worker (workers run apart).")
    ] = False,
) -> None:
    """Serve the website, newsroom and API (and an embedded worker)."""
    from newswire.serve import run

    config = settings()
    _require_agency(database(config))
    run(config, host=host, port=port, worker=not no_worker)


def _require_agency(db: Database) -> None:
    """Fail in one line, before anything starts, on a database that `init` never prepared."""
    with db.read() as session:
        agency.get_agency(session)
    db.dispose()


@app.command()
@one_line_errors
def worker(
    once: Annotated[bool, typer.Option("--once", help="Do what is due now, then exit.")] = False,
) -> None:
    """Run background jobs: deliveries, embargo releases and machine drafts. Any number may
    run at once, on several machines."""
    import asyncio

    from newswire.delivery.worker import DeliveryThread, DeliveryWorker, loop_factory
    from newswire.translation import jobs as mt_jobs
    from newswire.translation.desk import build as build_translation
    from newswire.worker import jobs

    config = settings()
    configure_logging(config.log_level)
    db = database(config)
    _require_agency(db)
    translation = build_translation(config)
    ctx = StoryContext.from_settings(config.vocabulary_dir, config.public_url, (translation.desk,))
    engines, terms = translation.engines, translation.terms
    if once:
        released = jobs.run_due(db)
        drafted = asyncio.run(mt_jobs.drain(db, ctx, engines, terms))
        sent = asyncio.run(DeliveryWorker(db, config, inline=True).drain())
        out.print(
            f"released {released} embargoed version(s); made {drafted} machine draft(s); "
            f"delivered {sent.delivered} version(s), {sent.failed} attempt(s) failed",
            markup=False,
            soft_wrap=True,
        )
        return

    async def every_job() -> None:
        delivery = DeliveryThread(db, config)
        delivery.start()
        try:
            await asyncio.gather(
                jobs.run_forever(db, asyncio.Event()),
                mt_jobs.run_forever(db, ctx, engines, terms, translation.waker),
            )
        finally:
            await delivery.stop()

    out.print("worker running; Ctrl-C stops it")
    with suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(every_job())


@app.command()
@one_line_errors
def demo(as_json: JsonOption = False) -> None:
    """Initialise if needed and load the demo agency (idempotent)."""
    from newswire.demo.loader import load_demo

    config = settings()
    db = database(config)
    migrate.upgrade(db)
    report = load_demo(db, config, progress=not as_json)
    emit(as_json, report.as_json(), report.as_text())


# --- admin objects ----------------------------------------------------------------------------


@user_app.command("add")
@one_line_errors
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="reporter, editor, translator, chief_editor, admin")],
    password: Annotated[
        str | None, typer.Option(help="Generated and printed when left out.")
    ] = None,
    desk: Annotated[list[str] | None, typer.Option(help="A desk code; repeat for more.")] = None,
    bureau: Annotated[str | None, typer.Option(help="The user's bureau code.")] = None,
    languages: Annotated[str | None, typer.Option(help="A translator's languages: az,ru")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a staff member."""
    with write_session(database()) as session:
        created = agency.add_user(
            session,
            SYSTEM,
            name=name,
            role=role,
            password=password,
            desks=desk or [],
            bureau=bureau,
            user_languages=csv(languages),
        )
        doc = {
            "id": created.user.id,
            "name": created.user.name,
            "role": created.user.role,
            "desks": [d.code for d in created.user.desks],
            "password": created.password,
        }
    human = f"user {name} ({role}) added"
    if created.password:
        human += f"; password: {created.password}"
    emit(as_json, doc, human)


@bureau_app.command("add")
@one_line_errors
def bureau_add(
    code: str,
    country: Annotated[str, typer.Option(help="ISO 3166 two-letter code, e.g. AZ")],
    city: Annotated[str, typer.Option(help="City names per language: en=Baku,fr=Bakou")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Asia/Baku")],
    language: Annotated[str, typer.Option(help="The bureau's default language")] = "en",
    as_json: JsonOption = False,
) -> None:
    """Add a bureau."""
    with write_session(database()) as session:
        row = agency.add_bureau(
            session,
            SYSTEM,
            code=code,
            country=country,
            city=pairs(city, "city"),
            timezone=timezone,
            default_language=language,
        )
        doc = {"id": row.id, "code": row.code, "city": row.city, "timezone": row.timezone}
    emit(as_json, doc, f"bureau {code} added")


@desk_app.command("add")
@one_line_errors
def desk_add(
    code: str,
    name: Annotated[str | None, typer.Option(help="Names per language: en=Politics")] = None,
    translate_into: Annotated[
        str | None,
        typer.Option(help="Languages its stories are translated into (default: all): ru,en"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a desk."""
    with write_session(database()) as session:
        row = agency.add_desk(
            session,
            SYSTEM,
            code=code,
            name=pairs(name, "name") or {"en": code},
            translation_languages=csv(translate_into) if translate_into is not None else None,
        )
        doc = {
            "id": row.id,
            "code": row.code,
            "name": row.name,
            "translation_languages": row.translation_languages,
        }
    emit(as_json, doc, f"desk {code} added")


@token_app.command("create")
@one_line_errors
def token_create(
    user: Annotated[str, typer.Option(help="The staff member the token acts as.")],
    as_json: JsonOption = False,
) -> None:
    """Create a staff API token (shown once)."""
    with write_session(database()) as session:
        row = agency.get_user(session, user)
        token = agency.create_token(session, SYSTEM, row)
    emit(as_json, {"user": user, "token": token}, token)


@app.command()
@one_line_errors
def export(
    format: Annotated[
        str, typer.Option("--format", help="ninjs, ninjs3, newsml, rss or atom")
    ] = "ninjs",
    lang: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    output: Annotated[
        Path | None, typer.Option(help="A folder: one file per item. Default: stdout.")
    ] = None,
) -> None:
    """Export every published item (latest versions) in an IPTC format, or as one RSS or
    Atom feed per language."""
    from newswire.exporting import export_items

    config = settings()
    count = export_items(
        database(config), config, format, lang, output, progress=output is not None
    )
    if output is not None:
        out.print(f"exported {count} item(s) to {output}", markup=False)


@app.command()
@one_line_errors
def search(
    query: str,
    lang: Annotated[str | None, typer.Option(help="Only this language (default: all).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many results.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Search the published archive, newest first."""
    from newswire.search.backend import search_languages

    config = settings()
    db = database(config)
    _require_agency(db)
    with db.read() as session:
        languages = agency.get_agency(session).languages
        if lang is not None and lang not in languages:
            raise InvalidInput(f"{lang!r} is not a working language of the agency", field="lang")
        entries = search_languages(session, [lang] if lang else languages, query, limit=limit)
    base = config.public_url.rstrip("/")
    results = [
        {
            "uri": e.uri,
            "language": e.language,
            "headline": e.headline,
            "url": base + e.path,
            "published": e.published_at.isoformat(),
        }
        for e in entries
    ]
    human = "\n".join(
        f"{e.published_at:%Y-%m-%d %H:%M}  {e.language}  {e.headline}  {base + e.path}"
        for e in entries
    )
    emit(as_json, {"query": query, "results": results}, human or "no stories found")


def main() -> None:  # pragma: no cover - the console entry point
    app()
