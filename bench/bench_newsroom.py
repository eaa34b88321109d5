"""The newsroom: render time of a desk queue holding 1,000 stories, and of the story editor.

Target (the issue): p99 under 50 ms for each.

- Data: a fresh SQLite file; the demo agency's bureaus and desks; 1,000 stories in the
  politics desk (and 100 in economy) filed, submitted, published with translations, held by an
  embargo and killed through the story services, in five source languages and every urgency.
- Measured in process: the ASGI application with httpx's ASGITransport, logged in as an
  editor of the desk through the login form; after warm-up, ROUNDS interleaved rounds of the
  page and its baselines, each request timed from send to the last body byte.
- Baselines, in the same process and run, over the same transport: a bare Starlette route
  rendering the same 100 rows (loaded once, in memory) with a minimal Jinja template, and a
  bare Starlette HTMLResponse of a static page of the same size as the measured page. The
  ratio is our time over the baseline's.
- Also: the rows fragment and the stamp that live refresh polls every second, a filtered and
  a searched queue, and the number of SQL statements per request (which must not grow with
  the rows on the page).

    python -m bench.bench_newsroom [--stories 1000] [--requests 400] [--warmup 50]
                                   [--quiet-timeout 60]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from jinja2 import Environment
from sqlalchemy import event, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from bench._agency import words
from bench._common import percentile, wait_for_quiet, write_result
from newswire import migrate
from newswire.agency import services as agency
from newswire.agency.models import Desk
from newswire.agency.services import SYSTEM, Principal, principal_for_user
from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database, utcnow
from newswire.demo.loader import ensure_structure
from newswire.newsroom import queues
from newswire.stories import services as stories
from newswire.stories.document import ItemInput

VOCABULARIES = Path("/work/shared/standards/vocabularies")
TARGET_P99_MS = 50.0
ROUNDS = 4
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database
DESK = "politics"
EDITOR_STORY = 9  # published, with two translations (one published, one a draft)
SOURCE_LANGUAGES = ("en", "az", "ru", "fr", "ar", "en", "ru", "az")
HEADLINES = {
    "az": "Parlament nəqliyyat büdcəsini müzakirə etdi",
    "ru": "Парламент обсудил транспортный бюджет",
    "en": "Parliament debates the transport budget",
    "fr": "Le Parlement débat du budget des transports",
    "de": "Das Parlament berät den Verkehrshaushalt",
    "es": "El Parlamento debate el presupuesto de transporte",
    "ar": "البرلمان يناقش ميزانية النقل",
    "zh": "议会讨论交通预算",
}
# The same rows as the queue's, with nothing else: no layout, filters, labels or translation.
BASELINE_ROWS = (
    "<!doctype html><html><head><title>{{ desk }}</title></head><body><table>\n"
    '{% for row in rows %}<tr class="u{{ row.urgency }}"><td>{{ row.urgency }}</td>'
    "<td>{{ row.status }}</td><td>{{ row.slugline or '' }}</td>"
    '<td><a href="/newsroom/stories/{{ row.story_id }}/{{ row.language }}">{{ row.headline }}</a>'
    "</td><td>{{ row.bureau or '' }}</td><td>{{ row.author or '' }}</td>"
    "<td>{{ row.activity.isoformat() }}</td><td>{% for v in row.versions %}"
    '<a class="{{ v.status }}" href="/newsroom/stories/{{ row.story_id }}/{{ v.language }}">'
    "{{ v.language }}</a>{% endfor %}</td></tr>\n{% endfor %}</table></body></html>"
)


# --- the data -----------------------------------------------------------------------------


def _plan(n: int) -> tuple[str, int]:
    """The status a story ends in, and its urgency: a desk's usual mix."""
    step = n % 20
    if step < 3:
        status = "draft"
    elif step < 7:
        status = "submitted"
    elif step == 7:
        status = "scheduled"
    elif step < 18:
        status = "published"
    else:
        status = "killed"
    if n % 50 == 0:
        urgency = 1
    elif n % 20 == 5:
        urgency = 2
    elif n % 7 == 0:
        urgency = 3
    else:
        urgency = 4 + n % 3
    return status, urgency


def _story(
    session: Any,
    people: dict[str, Principal],
    ctx: stories.StoryContext,
    working: list[str],
    desk: Desk,
    n: int,
) -> int:
    """Story number `n`, filed and taken as far as its plan says; returns its id."""
    status, urgency = _plan(n)
    language = SOURCE_LANGUAGES[n % len(SOURCE_LANGUAGES)]
    author = people["reporter" if n % 2 else "editor"]
    editor = people["editor"]
    embargo = utcnow() + timedelta(days=30) if status == "scheduled" else None
    story = stories.create_story(
        session,
        author,
        ctx,
        ItemInput(
            language=language,
            headline=f"{HEADLINES[language]} ({n})",
            body_html=words(300, n),
            slugline=f"BENCH-{n % 37}",
            byline=author.name,
            urgency=urgency,
            embargoed=embargo,
        ),
        desk_id=desk.id,
        bureau=agency.get_bureau(session, ("baku", "paris", "moscow", "beijing")[n % 4]),
    )
    if status == "draft":
        return story.id
    stories.submit(session, author, ctx, story.id, language)
    if status == "submitted":
        return story.id
    stories.publish(session, editor, ctx, story.id, language)
    if status == "scheduled":
        return story.id
    others = [code for code in working if code != language][: 1 + n % 4]
    for position, target in enumerate(others):
        stories.save_item(
            session,
            people["translator"],
            ctx,
            story.id,
            ItemInput(
                language=target,
                headline=f"{HEADLINES.get(target, HEADLINES['en'])} ({n})",
                body_html=words(300, n + position),
                urgency=urgency,
            ),
            expected_revision=None,
        )
        if position < len(others) - 1:
            stories.publish(session, editor, ctx, story.id, target)
    if status == "killed":
        stories.kill(session, editor, ctx, story.id, language, "withdrawn for the benchmark")
    return story.id


def build(path: Path, count: int) -> tuple[Settings, Database, int, str]:
    """A migrated SQLite file with the demo agency's structure and `count` stories in the desk;
    returns the settings, the database, and a published story with translations (for the
    editor) and its source language."""
    settings = Settings(
        database_url=f"sqlite:///{path}",
        vocabulary_dir=VOCABULARIES if VOCABULARIES.is_dir() else None,
        media_dir=path.parent / "media",
    )
    database = Database(settings.database_url)
    migrate.upgrade(database)
    ctx = stories.StoryContext.from_settings(settings.vocabulary_dir, settings.public_url)
    people: dict[str, Principal] = {}
    with database.write() as session:
        ensure_structure(session, settings.languages)
        for name, role, desks, languages in (
            ("reporter", "reporter", [DESK, "economy"], []),
            ("editor", "editor", [DESK, "economy"], []),
            ("translator", "translator", [], ["ru", "en", "az", "fr", "ar", "de", "es", "zh"]),
        ):
            user = agency.add_user(
                session,
                SYSTEM,
                name=name,
                role=role,
                password=PASSWORD,
                desks=desks,
                bureau="baku",
                user_languages=languages,
            ).user
            people[name] = principal_for_user(user)
    working = list(settings.languages)
    desks: dict[str, Desk] = {}
    with database.read() as session:
        for desk in session.scalars(select(Desk)):
            desks[desk.code] = desk
    total = count + count // 10
    chosen = EDITOR_STORY % count
    editor_story = 0
    for start in range(0, total, 50):
        with database.write() as session:
            for n in range(start, min(start + 50, total)):
                desk = desks[DESK] if n < count else desks["economy"]
                story_id = _story(session, people, ctx, working, desk, n)
                if n == chosen:
                    editor_story = story_id
    return settings, database, editor_story, SOURCE_LANGUAGES[chosen % len(SOURCE_LANGUAGES)]


# --- measuring ----------------------------------------------------------------------------


@asynccontextmanager
async def running(app: ASGIApp) -> AsyncIterator[None]:
    """The application's lifespan, as a server would run it."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the application did not start: {started}")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def log_in(client: httpx.AsyncClient, name: str) -> None:
    form = await client.get("/newsroom/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise RuntimeError("no CSRF token in the login form")
    response = await client.post(
        "/newsroom/login", data={"name": name, "password": PASSWORD, "csrf_token": token[1]}
    )
    if response.status_code != 303:
        raise RuntimeError(f"login answered {response.status_code}: {response.text[:200]}")


async def timed(client: httpx.AsyncClient, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await client.get(path)
    return (time.perf_counter() - started) * 1000, response


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
        "count": len(values),
    }


async def measure(
    targets: dict[str, tuple[httpx.AsyncClient, str]], requests: int, warmup: int
) -> dict[str, list[float]]:
    """Milliseconds per request for each target, in ROUNDS interleaved rounds after warm-up."""
    for client, path in targets.values():
        for _ in range(warmup):
            await client.get(path)
    timings: dict[str, list[float]] = {name: [] for name in targets}
    per_round = -(-requests // ROUNDS)
    for _ in range(ROUNDS):
        for name, (client, path) in targets.items():
            for _ in range(per_round):
                took, response = await timed(client, path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                timings[name].append(took)
    return timings


def count_statements(database: Database) -> Callable[[], int]:
    counted = [0]

    def on_execute(*_args: object) -> None:
        counted[0] += 1

    event.listen(database.engine, "before_cursor_execute", on_execute)

    def taken() -> int:
        value = counted[0]
        counted[0] = 0
        return value

    return taken


def baseline_app(rows_html: Callable[[], str], static: dict[str, bytes]) -> Starlette:
    async def rows(request: Request) -> Response:
        return HTMLResponse(rows_html())

    def fixed(body: bytes) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            return HTMLResponse(body)

        return serve

    routes = [Route("/rows", rows)]
    routes += [Route(f"/static/{name}", fixed(body)) for name, body in static.items()]
    return Starlette(routes=routes)


async def run(
    settings: Settings,
    database: Database,
    story_id: int,
    language: str,
    requests: int,
    warmup: int,
    quiet_timeout: float,
) -> dict[str, Any]:
    app = create_app(settings, database, worker=False)
    statements = count_statements(database)
    transport = httpx.ASGITransport(app=app)
    async with (
        running(app),
        httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as client,
    ):
        await log_in(client, "editor")
        queue_path = f"/newsroom/desks/{DESK}"
        editor_path = f"/newsroom/stories/{story_id}/{language}"
        paths = {
            "queue": queue_path,
            "queue_page_2": f"{queue_path}?page=2",
            "queue_filtered": f"{queue_path}?status=published&lang=ru&urgency=urgent",
            "queue_searched": f"{queue_path}?q=budget",
            "rows": f"{queue_path}/rows",
            "stamp": f"{queue_path}/stamp",
        }
        checks: dict[str, Any] = {}
        for name, path in paths.items():
            statements()
            response = await client.get(path)
            checks[name] = {
                "status": response.status_code,
                "bytes": len(response.content),
                "rows": response.text.count("data-story="),
                "sql_statements": statements(),
            }
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        if checks["queue"]["rows"] != queues.PAGE_SIZE:
            raise RuntimeError(f"the queue shows {checks['queue']['rows']} rows")
        queue_body = (await client.get(queue_path)).content
        editor_response = await client.get(editor_path)
        statements()
        await client.get(editor_path)
        editor_statements = statements()
        editor_ready = editor_response.status_code == 200
        editor_note = (
            "measured"
            if editor_ready
            else f"the story editor answered {editor_response.status_code}: not built yet, "
            "so not measured"
        )

        # the baselines: the same 100 rows in memory, a bare template; static same-size pages
        with database.read() as session:
            desk = session.scalars(select(Desk).where(Desk.code == DESK)).one()
            data = queues.load_queue(
                session,
                desk,
                queues.QueueFilters(),
                user_id=None,
                ui_language="en",
                working_languages=settings.languages,
            )
        template = Environment(autoescape=True).from_string(BASELINE_ROWS)

        def rows_html() -> str:
            return template.render(desk=desk.code, rows=data.rows)

        static = {"queue": queue_body}
        if editor_ready:
            static["editor"] = editor_response.content
        bare = baseline_app(rows_html, static)
        bare_client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=bare), base_url="http://bare.test"
        )
        targets: dict[str, tuple[httpx.AsyncClient, str]] = {
            "queue": (client, queue_path),
            "baseline_jinja_rows": (bare_client, "/rows"),
            "baseline_static_queue": (bare_client, "/static/queue"),
            "queue_page_2": (client, paths["queue_page_2"]),
            "queue_filtered": (client, paths["queue_filtered"]),
            "queue_searched": (client, paths["queue_searched"]),
            "rows": (client, paths["rows"]),
            "stamp": (client, paths["stamp"]),
        }
        if editor_ready:
            targets["editor"] = (client, editor_path)
            targets["baseline_static_editor"] = (bare_client, "/static/editor")
        busy = wait_for_quiet(timeout=quiet_timeout)
        async with bare_client:
            timings = await measure(targets, requests, warmup)

    figures = {name: summary(values) for name, values in timings.items()}

    def ratio(ours: str, base: str) -> dict[str, float]:
        return {key: round(figures[ours][key] / figures[base][key], 2) for key in ("p50", "p99")}

    result: dict[str, Any] = {
        "figure": "render time in ms, in process (httpx ASGITransport), logged-in editor",
        "targets": {"queue_p99_ms": f"< {TARGET_P99_MS}", "editor_p99_ms": f"< {TARGET_P99_MS}"},
        "stories_in_desk": None,  # filled by main
        "queue": figures["queue"],
        "queue_p99_met": figures["queue"]["p99"] < TARGET_P99_MS,
        "queue_vs_baseline_jinja_rows": ratio("queue", "baseline_jinja_rows"),
        "queue_vs_baseline_static": ratio("queue", "baseline_static_queue"),
        "editor": figures.get("editor"),
        "editor_p99_met": figures["editor"]["p99"] < TARGET_P99_MS if editor_ready else None,
        "editor_vs_baseline_static": (
            ratio("editor", "baseline_static_editor") if editor_ready else None
        ),
        "editor_note": editor_note,
        "editor_path": editor_path,
        "editor_sql_statements": editor_statements if editor_ready else None,
        "all_ms": figures,
        "responses": checks,
        "background_cpu_before": round(busy, 3),
        "tool": (
            f"httpx.AsyncClient over ASGITransport, one request at a time, {warmup} warm-up "
            f"requests per target, then {ROUNDS} interleaved rounds, {requests}+ timed requests "
            "per target; baselines: a bare Starlette app in the same process rendering the "
            "same 100 rows with a minimal Jinja template, and serving static pages of the "
            "same sizes"
        ),
    }
    return result


def _print(result: dict[str, Any]) -> None:
    print(f"{'target':<24} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'n':>5}")
    for name, f in result["all_ms"].items():
        print(
            f"{name:<24} {f['p50']:>8.2f} {f['p95']:>8.2f} {f['p99']:>8.2f} {f['max']:>8.2f} "
            f"{f['count']:>5}"
        )
    for name, check in result["responses"].items():
        print(f"{name:<24} {check['bytes']:>7} bytes, {check['sql_statements']} SQL statements")
    met = "met" if result["queue_p99_met"] else "NOT met"
    jinja, static = result["queue_vs_baseline_jinja_rows"], result["queue_vs_baseline_static"]
    print(
        f"queue of {result['stories_in_desk']} stories: p99 {result['queue']['p99']:.2f} ms "
        f"(target < {TARGET_P99_MS:.0f}: {met}); ×{jinja['p50']} the bare Jinja rows at p50 "
        f"(×{jinja['p99']} at p99), ×{static['p50']} a static page of the same size"
    )
    if result["editor"] is None:
        print(f"editor: {result['editor_note']}")
    else:
        met = "met" if result["editor_p99_met"] else "NOT met"
        ratio = result["editor_vs_baseline_static"]
        print(
            f"editor {result['editor_path']}: p99 {result['editor']['p99']:.2f} ms (target < "
            f"{TARGET_P99_MS:.0f}: {met}); ×{ratio['p50']} a static page of the same size at p50"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stories", type=int, default=1000, help="stories in the desk")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per target")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per target")
    parser.add_argument(
        "--quiet-timeout",
        type=float,
        default=60,
        help="longest wait for background CPU under 5%% before measuring (seconds)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        started = time.perf_counter()
        settings, database, story_id, language = build(Path(name) / "newswire.db", args.stories)
        built = time.perf_counter() - started
        try:
            result = asyncio.run(
                run(
                    settings,
                    database,
                    story_id,
                    language,
                    args.requests,
                    args.warmup,
                    args.quiet_timeout,
                )
            )
        finally:
            database.dispose()
    result["stories_in_desk"] = args.stories
    result["data_build_seconds"] = round(built, 1)
    written = write_result("newsroom", result)
    _print(result)
    print(f"→ {written}")


if __name__ == "__main__":
    main()
