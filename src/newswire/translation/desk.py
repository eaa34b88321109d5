"""The translation desk's parts, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from newswire.config import Settings
from newswire.db import Waker, poke_after_commit
from newswire.translation.checks import Checker, remember
from newswire.translation.jobs import EngineCache
from newswire.translation.termbase import TermCache
from newswire.translation.workflow import Deadlines, TranslationDesk


@dataclass(slots=True)
class TranslationServices:
    """What the web process and the workers share: the listener, caches and the MT waker."""

    desk: TranslationDesk
    engines: EngineCache
    terms: TermCache
    checker: Checker
    waker: Waker


def build(settings: Settings) -> TranslationServices:
    terms = TermCache()
    engines = EngineCache(settings)
    checker = Checker(terms)
    waker = Waker()

    def queued(session: Session) -> None:
        # The worker looks once the tasks are committed, not while they are still invisible.
        poke_after_commit(session, waker)

    desk = TranslationDesk(
        Deadlines.from_settings(settings),
        serves=engines.serves,
        high_findings=checker.high,
        on_queued=queued,
        memory=remember,
    )
    return TranslationServices(desk, engines, terms, checker, waker)
