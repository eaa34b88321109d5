"""The machine-draft job: workers claim queued tasks, translate them in batches, store drafts.

Claiming is one short write transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single
writer on SQLite) that leases the tasks; a worker that dies leaves leases that run out, and
another worker takes the tasks again. The engine runs outside any transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, lazyload

from newswire.agency.services import Principal
from newswire.config import Settings
from newswire.db import Database, Waker, run_in_thread, utcnow
from newswire.stories.document import ItemInput, Picture
from newswire.stories.models import Item
from newswire.stories.services import StoryContext, draft_from_machine, get_story
from newswire.translation import drafts
from newswire.translation.engines import EngineError, EngineRegistry, Route, build_registry
from newswire.translation.engines import translate_html as run_engine
from newswire.translation.models import OPEN_TASK_STATUSES, MTModel, TranslationTask
from newswire.translation.termbase import TermCache

log = structlog.get_logger(__name__)

MT_ACTOR = Principal(name="machine translation", role="system")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
BATCH_TASKS = 16
IDLE_SECONDS = 2.0  # how often a worker looks for tasks queued by other processes


class EngineCache:
    """The engine registry, rebuilt when `newswire mt install` changes the registered models."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stamp: tuple[int, int] | None = None
        self._registry: EngineRegistry | None = None

    def registry(self, session: Session) -> EngineRegistry:
        # One look at the models per transaction: a publication asks once per language.
        transaction = session.get_transaction()
        known = session.info.get("mt_registry")
        if known is not None and known[0] is self and known[1] is transaction:
            return known[2]  # type: ignore[no-any-return]
        count, newest = session.execute(
            select(func.count(MTModel.id), func.coalesce(func.max(MTModel.id), 0)).where(
                MTModel.active.is_(True)
            )
        ).one()
        stamp = (int(count), int(newest))
        if self._registry is None or stamp != self._stamp:
            models = session.scalars(select(MTModel).where(MTModel.active.is_(True))).all()
            self._registry = build_registry(self._settings, models)
            self._stamp = stamp
        session.info["mt_registry"] = (self, transaction, self._registry)
        return self._registry

    def serves(self, session: Session, source: str, target: str) -> bool:
        return self.registry(session).route(source, target) is not None


def claim(database: Database, limit: int = BATCH_TASKS) -> list[int]:
    """Lease up to `limit` queued tasks (or running ones whose lease ran out), soonest first."""
    with database.write() as session:
        now = utcnow()
        tasks = session.scalars(
            select(TranslationTask)
            .where(
                TranslationTask.status.in_(OPEN_TASK_STATUSES),
                or_(
                    TranslationTask.mt_state == "queued",
                    and_(
                        TranslationTask.mt_state == "running",
                        TranslationTask.mt_lease_until < now,
                    ),
                ),
            )
            .order_by(TranslationTask.deadline, TranslationTask.id)
            .limit(limit)
            # no join to the assignee: PostgreSQL locks no row of an outer join's nullable side
            .options(lazyload(TranslationTask.assignee))
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for task in tasks:
            if task.mt_attempts >= MAX_ATTEMPTS:
                task.mt_state = "failed"
                task.mt_error = f"gave up after {MAX_ATTEMPTS} attempts (the worker stopped)"
                task.mt_lease_until = None
                continue
            task.mt_state = "running"
            task.mt_lease_until = now + LEASE
            task.mt_attempts += 1
            claimed.append(task.id)
        return claimed


@dataclass(slots=True)
class _Prepared:
    job: drafts.DraftJob
    route: Route | None


def prepare(
    database: Database, engines: EngineCache, terms: TermCache, task_ids: Sequence[int]
) -> tuple[list[_Prepared], dict[int, str]]:
    """Read each task's source; returns the jobs and, per task that cannot run, why."""
    prepared: list[_Prepared] = []
    problems: dict[int, str] = {}
    with database.read() as session:
        registry = engines.registry(session)
        index = terms.get(session)
        for task_id in task_ids:
            task = session.get(TranslationTask, task_id)
            if task is None:
                continue
            route = registry.route(task.source_language, task.language)
            if route is None:
                problems[task_id] = (
                    f"no engine serves {task.source_language}→{task.language} any more"
                )
                continue
            story = get_story(session, task.story_id)
            try:
                job = drafts.prepare(
                    session, task.id, story, task.language, task.source_version, index
                )
            except LookupError as error:
                problems[task_id] = str(error)
                continue
            prepared.append(_Prepared(job, route))
    return prepared, problems


async def translate(
    prepared: Sequence[_Prepared],
) -> tuple[list[tuple[int, drafts.Draft]], dict[int, str]]:
    """Every job's segments, one engine call per route (the engine batches further)."""
    by_route: dict[str, list[_Prepared]] = defaultdict(list)
    for item in prepared:
        by_route[item.route.name if item.route else ""].append(item)
    made: list[tuple[int, drafts.Draft]] = []
    problems: dict[int, str] = {}
    for group in by_route.values():
        route = group[0].route
        inputs = [drafts.engine_inputs(p.job) for p in group]
        flat = [text for texts in inputs for text in texts]
        try:
            outputs = await run_engine(route, flat) if route is not None and flat else []
        except EngineError as error:
            for p in group:
                problems[p.job.task_id] = str(error)
            continue
        except Exception as error:  # an engine bug must not stop the desk: the task goes manual
            log.exception("mt.failed", route=route.name if route else None)
            for p in group:
                problems[p.job.task_id] = f"the engine failed ({type(error).__name__})"
            continue
        position = 0
        for p, texts in zip(group, inputs, strict=True):
            draft = drafts.finish(route, p.job, outputs[position : position + len(texts)])
            made.append((p.job.task_id, draft))
            position += len(texts)
    return made, problems


def land(database: Database, ctx: StoryContext, draft: drafts.Draft, task_id: int) -> bool:
    """Store a draft on its task and, for a first translation nobody has started, as the
    language version's working copy. False when the task moved on meanwhile."""
    with database.write() as session:
        task = session.get(TranslationTask, task_id)
        if task is None or task.mt_state != "running" or task.status not in OPEN_TASK_STATUSES:
            return False
        task.draft = draft.model_dump(mode="json")
        task.mt_state = "ready"
        task.mt_engine = draft.engine[:200] if draft.engine else None
        task.mt_error = None
        task.mt_lease_until = None
        if task.kind == "translate":
            story = get_story(session, task.story_id)
            source = story.item(story.source_language)
            if source is not None:
                draft_from_machine(
                    session, MT_ACTOR, ctx, story, _item_input(draft, source, task.language)
                )
        return True


def _item_input(draft: drafts.Draft, source: Item, language: str) -> ItemInput:
    return ItemInput(
        language=language,
        headline=draft.headline or source.headline,
        subheadline=draft.subheadline,
        body_html=draft.body_html,
        slugline=source.slugline,
        byline=source.byline,
        located=draft.located,
        urgency=source.urgency,
        subjects=tuple(source.subjects),
        places=tuple(source.places),
        people=tuple(source.people),
        organisations=tuple(source.organisations),
        pictures=tuple(Picture.model_validate(p) for p in source.pictures or ()),
        embargoed=source.embargoed,
    )


def fail(database: Database, problems: dict[int, str]) -> None:
    """The tasks stay with the desk, without a draft, with the engine's error shown."""
    if not problems:
        return
    with database.write() as session:
        for task_id, message in problems.items():
            task = session.get(TranslationTask, task_id)
            if task is None or task.mt_state != "running":
                continue
            task.mt_state = "failed"
            task.mt_error = message[:1000]
            task.mt_lease_until = None
            log.warning("mt.draft_failed", task=task_id, error=message[:200])


@dataclass(frozen=True, slots=True)
class Batch:
    claimed: int
    stored: int


async def run_once(
    database: Database, ctx: StoryContext, engines: EngineCache, terms: TermCache
) -> Batch:
    """Claim, translate and store one batch of tasks."""
    task_ids = await run_in_thread(claim, database)
    if not task_ids:
        return Batch(0, 0)
    prepared, problems = await run_in_thread(prepare, database, engines, terms, task_ids)
    made, failures = await translate(prepared)
    problems.update(failures)
    stored = 0
    for task_id, draft in made:
        if await run_in_thread(land, database, ctx, draft, task_id):
            stored += 1
    await run_in_thread(fail, database, problems)
    if stored:
        log.info("mt.drafts", count=stored)
    return Batch(len(task_ids), stored)


async def drain(
    database: Database, ctx: StoryContext, engines: EngineCache, terms: TermCache
) -> int:
    """Every queued task, batch after batch (`newswire worker --once`); returns drafts stored."""
    stored = 0
    while (batch := await run_once(database, ctx, engines, terms)).claimed:
        stored += batch.stored
    return stored


async def run_forever(
    database: Database,
    ctx: StoryContext,
    engines: EngineCache,
    terms: TermCache,
    waker: Waker,
) -> None:
    """Draft queued tasks as they come; `waker` is poked when this process queues one."""
    waker.loop = asyncio.get_running_loop()
    while True:
        try:
            claimed = (await run_once(database, ctx, engines, terms)).claimed
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad batch must not end the loop; its leases run out
            log.exception("mt.loop_failed")
            claimed = 0
        if claimed:
            continue  # more may be waiting
        waker.event.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(IDLE_SECONDS):
                await waker.event.wait()
