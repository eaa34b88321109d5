"""The translation desk in the newsroom: the translators' queue and the side-by-side editor.

The editor shows the source as the desk translates it (its newest published text), split into
blocks and sentences by `translation.segment`, and one target field per segment. Where the
target already has a working copy with as many blocks as the source, its own sentences fill the
fields; where the structures differ, the target is edited as one body. Saving puts the segments
back together and goes through the story editor's `save_form`, with its conflict checks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from markupsafe import Markup, escape
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from newswire import db
from newswire.agency.models import User
from newswire.agency.services import Principal
from newswire.errors import Conflict, Forbidden, InvalidInput
from newswire.newsroom import diff, editing
from newswire.newsroom.editing import EditorState
from newswire.newsroom.i18n import N_
from newswire.newsroom.render import babel_locale
from newswire.stories import permissions, services
from newswire.stories.models import Item, Story, Version
from newswire.stories.sanitize import clean_body
from newswire.stories.services import StoryContext
from newswire.translation import checks, queries, segment, workflow
from newswire.translation.drafts import Draft
from newswire.translation.memory import Match, lookup
from newswire.translation.models import OPEN_TASK_STATUSES, TASK_STATUSES, TranslationTask
from newswire.translation.qa import HIGH, Finding
from newswire.translation.termbase import TermIndex
from newswire.translation.workflow import QABlocked

QUEUE_SIZE = 100
TM_MATCHES = 3
KINDS = {"translate": N_("Translation"), "update": N_("Update after a correction")}
TASK_STATUS_NAMES = {
    "pending": N_("Pending"),
    "in_progress": N_("In progress"),
    "review": N_("In review"),
    "done": N_("Done"),
    "canceled": N_("Canceled"),
}
MT_STATE_NAMES = {
    "none": N_("No engine: translate from scratch"),
    "queued": N_("Machine draft queued"),
    "running": N_("Machine draft being made"),
    "ready": N_("Machine draft ready"),
    "failed": N_("Machine draft failed"),
}
DESK_ROLES = ("translator", "editor", "chief_editor", "admin")


def require_desk_role(actor: Principal) -> None:
    if actor.role not in DESK_ROLES:
        raise Forbidden("your role has no translation desk")


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilters:
    language: str = ""
    status: str = ""  # "" = open tasks
    mine: bool = False

    @classmethod
    def parse(cls, language: str, status: str, mine: str) -> QueueFilters:
        status = status.strip()
        if status and status not in TASK_STATUSES:
            raise InvalidInput(f"status is one of {', '.join(TASK_STATUSES)}", field="status")
        return cls(language.strip(), status, mine.strip() in ("1", "on", "yes", "true"))

    def query(self) -> str:
        parts = [f"lang={self.language}"] if self.language else []
        if self.status:
            parts.append(f"status={self.status}")
        if self.mine:
            parts.append("mine=1")
        return "?" + "&".join(parts) if parts else ""


@dataclass(frozen=True, slots=True)
class TaskRow:
    task: TranslationTask
    headline: str  # the source item's headline
    overdue: bool
    left: timedelta  # negative when overdue
    may_take: bool
    translators: tuple[str, ...]  # whom an editor may give the task to (empty: no select)


@dataclass(frozen=True, slots=True)
class DeskQueue:
    rows: list[TaskRow]
    languages: list[str]
    can_assign: bool


def load_queue(
    session: Session, actor: Principal, filters: QueueFilters, working: Sequence[str]
) -> DeskQueue:
    """Up to a hundred tasks, soonest deadline first, in three queries whatever they hold."""
    tasks = queries.list_tasks(
        session,
        actor,
        queries.TaskFilters(
            language=filters.language or None,
            status=filters.status or "open",
            mine=filters.mine,
            limit=QUEUE_SIZE,
        ),
    )
    story_ids = sorted({task.story_id for task in tasks})
    headlines: dict[int, str] = {}
    if story_ids:
        rows = session.execute(
            select(Item.story_id, Item.headline)
            .join(Story, and_(Story.id == Item.story_id, Story.source_language == Item.language))
            .where(Item.story_id.in_(story_ids))
        ).all()
        headlines = dict(rows)
    can_assign = actor.role in permissions.EDITORIAL
    translators: list[tuple[str, frozenset[str]]] = []
    if can_assign and tasks:
        translators = [
            (name, frozenset(languages or ()))
            for name, languages in session.execute(
                select(User.name, User.languages)
                .where(User.role == "translator", User.active.is_(True))
                .order_by(User.name)
            )
        ]
    now = db.utcnow()
    out = []
    for task in tasks:
        is_open = task.status in OPEN_TASK_STATUSES
        out.append(
            TaskRow(
                task=task,
                headline=headlines.get(task.story_id, ""),
                overdue=is_open and task.deadline < now,
                left=task.deadline - now,
                may_take=is_open
                and task.assignee_id != actor.user_id
                and actor.role in ("translator", *permissions.EDITORIAL),
                translators=tuple(n for n, langs in translators if task.language in langs)
                if is_open
                else (),
            )
        )
    if actor.role == "translator":
        languages = [code for code in working if code in actor.languages]
    else:
        languages = list(working)
    return DeskQueue(out, languages, can_assign)


# --- the editor: layout ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermRow:
    form: str  # as found in the source
    preferred: str | None  # the preferred form in the target language
    kind: str


@dataclass(slots=True)
class SegmentRow:
    """One source segment and its target field, with the aids shown beside it."""

    key: str  # the form field: headline | subheadline | seg-B-S
    kind: str  # headline | subheadline | body
    block: int | None
    tag: str  # the source block's element (p, li, h2…), for display
    source: str  # HTML (body) or plain text (headline, subheadline)
    target: str
    sentences: tuple[int, ...] = ()  # the source sentences this row stands for
    machine: str | None = None
    source_marked: Markup = field(default_factory=Markup)
    memory: list[Match] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.kind == "body"

    @property
    def plain(self) -> str:
        return segment.plain(self.source) if self.is_html else self.source

    def memory_text(self, match: Match) -> str:
        """A memory match as the field holds text: HTML-escaped in the body."""
        return html.escape(match.target_text, quote=False) if self.is_html else match.target_text


@dataclass(slots=True)
class Layout:
    """Which segments the editor shows, and on which block structure the body is rebuilt."""

    task: TranslationTask
    story: Story
    item: Item | None
    source_headline: str
    source_subheadline: str | None
    rows: list[SegmentRow]
    blocks: list[segment.Block]  # the structure rebuilt on save (segments mode)
    whole: bool  # the target is edited as one body
    body_html: str  # the whole body (whole mode)
    draft: Draft | None

    @property
    def signature(self) -> str:
        """Names the layout, so that a save from a page with another one is noticed."""
        counts: dict[int, int] = {}
        for row in self.rows:
            if row.block is not None:
                counts[row.block] = counts.get(row.block, 0) + 1
        mode = "whole" if self.whole else ("target" if self.item and self.item.body_html else "new")
        return f"{mode}:" + ",".join(str(counts.get(b, 0)) for b in range(len(self.blocks)))


def _draft(task: TranslationTask) -> Draft | None:
    if task.draft is None:
        return None
    try:
        return Draft.model_validate(task.draft)
    except ValueError:
        return None  # a draft stored by an older release: the editor works without it


def _join(sentences: Sequence[str], language: str) -> str:
    return ("" if language == "zh" else " ").join(s.strip() for s in sentences if s.strip())


def layout(session: Session, task: TranslationTask, story: Story) -> Layout:
    """The segments of the source and the target's text for each."""
    source_language, language = story.source_language, task.language
    headline, subheadline, body = checks.source_text(session, story)
    item = story.item(language)
    draft = _draft(task)
    machine: dict[tuple[str, int | None, int | None], str] = {}
    if draft is not None:
        for seg in draft.segments:
            text = seg.target if seg.field == "body" else html.unescape(segment.plain(seg.target))
            machine[(seg.field, seg.block, seg.sentence)] = text
    source_blocks = segment.blocks(body, source_language)
    target_blocks = segment.blocks(item.body_html, language) if item and item.body_html else []
    rows = [
        SegmentRow(
            "headline",
            "headline",
            None,
            "h1",
            headline,
            item.headline if item else (draft.headline if draft else ""),
            machine=machine.get(("headline", None, None)),
        )
    ]
    target_sub = (item.subheadline if item else (draft.subheadline if draft else None)) or ""
    if subheadline or target_sub:
        rows.append(
            SegmentRow(
                "subheadline",
                "subheadline",
                None,
                "p",
                subheadline or "",
                target_sub,
                machine=machine.get(("subheadline", None, None)),
            )
        )
    whole = bool(target_blocks) and len(target_blocks) != len(source_blocks)
    for b, block in enumerate(source_blocks):
        sentences = block.sentences or ("",)
        target = target_blocks[b] if target_blocks and not whole else None
        if target is not None and len(target.sentences) != len(sentences):
            # The translator split or joined sentences: the block is one segment.
            texts = [machine.get(("body", b, s)) for s in range(len(sentences))]
            rows.append(
                SegmentRow(
                    f"seg-{b}-0",
                    "body",
                    b,
                    block.path[-1],
                    block.html,
                    target.html,
                    tuple(range(len(sentences))),
                    _join([t for t in texts if t], language) if any(texts) else None,
                )
            )
            continue
        for s, sentence in enumerate(sentences):
            if target is not None:
                text = target.sentences[s]
            elif not whole and draft is not None:
                text = machine.get(("body", b, s), "")
            else:
                text = ""
            rows.append(
                SegmentRow(
                    f"seg-{b}-{s}",
                    "body",
                    b,
                    block.path[-1],
                    sentence,
                    text,
                    (s,),
                    machine.get(("body", b, s)),
                )
            )
    return Layout(
        task=task,
        story=story,
        item=item,
        source_headline=headline,
        source_subheadline=subheadline,
        rows=rows,
        blocks=target_blocks if target_blocks and not whole else source_blocks,
        whole=whole,
        body_html=item.body_html if item else "",
        draft=draft,
    )


def fill(lay: Layout, posted: Mapping[str, Any]) -> None:
    """Put what the user typed into the rows (a page shown again keeps their input)."""
    for row in lay.rows:
        value = posted.get(row.key)
        if isinstance(value, str):
            row.target = value
    body = posted.get("body_html")
    if lay.whole and isinstance(body, str):
        lay.body_html = body


def assemble(lay: Layout) -> tuple[str, str, str]:
    """(headline, subheadline, body HTML) from the rows as they stand."""
    by_key = {row.key: row.target for row in lay.rows}
    headline = by_key.get("headline", "").strip()
    subheadline = by_key.get("subheadline", "").strip()
    if lay.whole:
        return headline, subheadline, lay.body_html
    sentences: list[list[str]] = [[] for _ in lay.blocks]
    for row in lay.rows:
        if row.block is not None:
            sentences[row.block].append(row.target.strip())
    body = segment.rebuild(lay.blocks, sentences) if lay.blocks else ""
    return headline, subheadline, body


# --- the editor: aids ----------------------------------------------------------------------


_TAG = re.compile(r"(<[^>]+>)")


def mark_terms(fragment: str, index: TermIndex, language: str, *, is_html: bool) -> Markup:
    """The source with every termbase hit in `<mark>`; everything else escaped or sanitised."""
    pieces = _TAG.split(clean_body(fragment)) if is_html else [html.escape(fragment)]
    out: list[str] = []
    for piece in pieces:
        if piece.startswith("<"):
            out.append(piece)  # a tag nh3 kept: from the allow-list, attributes checked
            continue
        text = html.unescape(piece)
        position = 0
        for hit in sorted(index.hits(text, language), key=lambda h: h.start):
            out.append(str(escape(text[position : hit.start])))
            out.append(f'<mark class="term">{escape(text[hit.start : hit.end])}</mark>')
            position = hit.end
        out.append(str(escape(text[position:])))
    return Markup("".join(out))  # noqa: S704 - text escaped above, tags from clean_body


def add_aids(session: Session, lay: Layout, index: TermIndex) -> None:
    """Term hits (marked in the source) and memory matches, segment by segment."""
    source, target = lay.story.source_language, lay.task.language
    for row in lay.rows:
        plain = row.plain
        row.source_marked = mark_terms(row.source, index, source, is_html=row.is_html)
        seen: set[int] = set()
        for hit in index.hits(plain, source):
            if hit.term_id not in seen:
                seen.add(hit.term_id)
                row.terms.append(TermRow(hit.form, hit.forms.get(target), hit.kind))
        if plain.strip():
            row.memory = lookup(session, plain, source, target, limit=TM_MATCHES)


@dataclass(frozen=True, slots=True)
class SourceChanges:
    """What the correction changed in the source, for an update task."""

    old_version: int
    new_version: int
    note: str | None
    headline: diff.FieldDiff
    blocks: list[diff.Block]


def source_changes(session: Session, story: Story, task: TranslationTask) -> SourceChanges | None:
    source = story.item(story.source_language)
    previous = task.previous_source_version
    if task.kind != "update" or source is None or previous is None:
        return None
    versions = {
        number: (document, note)
        for number, document, note in session.execute(
            select(Version.number, Version.document, Version.note).where(
                Version.item_id == source.id,
                Version.number.in_([previous, task.source_version]),
            )
        )
    }
    if previous not in versions or task.source_version not in versions:
        return None
    old, _ = versions[previous]
    new, note = versions[task.source_version]
    return SourceChanges(
        previous,
        task.source_version,
        note,
        diff.text_field(N_("Headline"), old.get("headline"), new.get("headline")),
        diff.collapse(diff.body_diff(str(old.get("body_html", "")), str(new.get("body_html", "")))),
    )


# --- the editor page ----------------------------------------------------------------------------


@dataclass(slots=True)
class TranslationPage:
    lay: Layout
    ed: EditorState
    actions: editing.Actions
    findings: list[Finding]
    changes: SourceChanges | None
    revision: str
    may_take: bool  # the task is open, not the user's, and the user may work on it

    @property
    def high(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == HIGH)


def open_task(session: Session, actor: Principal, task_id: int) -> tuple[TranslationTask, Story]:
    """The task and its story, if `actor` may see them (translators: their languages only)."""
    task = workflow.get_task(session, task_id)
    story = services.get_story(session, task.story_id)
    permissions.require_visible(actor, story)
    if actor.role == "translator" and task.language not in actor.languages:
        raise Forbidden("this task is not in one of your languages")
    return task, story


def load_page(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    checker: checks.Checker,
    index: TermIndex,
    task_id: int,
    posted: Mapping[str, Any] | None = None,
) -> TranslationPage:
    """Everything the translator's editor shows, in one read session."""
    task, story = open_task(session, actor, task_id)
    lay = layout(session, task, story)
    if posted is not None:
        fill(lay, posted)
    add_aids(session, lay, index)
    ed = editing.load_editor(session, ctx, story.id, task.language)
    item = lay.item
    findings = checker.findings(session, story, item) if item is not None else []
    return TranslationPage(
        lay=lay,
        ed=ed,
        actions=editing.allowed_actions(actor, ed),
        findings=findings,
        changes=source_changes(session, story, task),
        revision=str(item.revision) if item else "",
        may_take=task.status in OPEN_TASK_STATUSES
        and task.assignee_id != actor.user_id
        and workflow.can_work_on(actor, story, task.language),
    )


def use_aid(page: TranslationPage, choice: str) -> str | None:
    """Put the machine draft (`KEY`) or memory match N (`KEY:N`) into a segment: its key."""
    key, _, number = choice.partition(":")
    row = next((r for r in page.lay.rows if r.key == key), None)
    if row is None:
        return None
    if not number:
        if row.machine is not None:
            row.target = row.machine
        return key
    if number.isdigit() and 1 <= int(number) <= len(row.memory):
        row.target = row.memory_text(row.memory[int(number) - 1])
    return key


# --- saving and publishing ------------------------------------------------------------------


def save(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    task_id: int,
    posted: Mapping[str, Any],
) -> Item:
    """Assemble the segments and save them as the language version's working copy."""
    task, story = open_task(session, actor, task_id)
    lay = layout(session, task, story)
    if posted.get("layout") != lay.signature:
        raise Conflict(
            "the source or this translation changed since you opened the page: check your "
            "text against the segments below and save again",
            field="layout",
        )
    fill(lay, posted)
    headline, subheadline, body = assemble(lay)
    agency = ctx.agency(session)
    bureau = story.bureau
    timezone = bureau.timezone if bureau else agency.timezone
    city = bureau.city_in(task.language) if bureau else None
    revision = posted.get("revision")
    if lay.item is not None:
        base = editing.form_of_item(lay.item, timezone, city)
    else:
        base = editing.form_from_source(story.item(story.source_language), timezone, city)
        if lay.draft is not None and lay.draft.located:
            base = replace(base, located=lay.draft.located)
    form = replace(
        base,
        headline=headline,
        subheadline=subheadline,
        body_html=body,
        revision=revision if isinstance(revision, str) else "",
    )
    return editing.save_form(session, actor, ctx, story.id, task.language, form)


class QARefused(QABlocked):
    """A publication QA refused, with the findings of the version that was to be published."""

    def __init__(self, blocked: QABlocked, findings: list[Finding]) -> None:
        super().__init__(blocked.message, field=blocked.field)
        self.findings = findings


def publish(
    session: Session,
    actor: Principal,
    ctx: StoryContext,
    checker: checks.Checker,
    story_id: int,
    language: str,
    *,
    override: bool,
    correction: bool = False,
    note: str | None = None,
) -> Version:
    """Publish (or correct) a language version; a QA refusal carries the findings."""
    try:
        if correction:
            return services.correct(
                session, actor, ctx, story_id, language, note, override=override
            )
        return services.publish(session, actor, ctx, story_id, language, override=override)
    except QABlocked as blocked:
        story = services.get_story(session, story_id)
        item = story.item(language)
        findings = checker.findings(session, story, item) if item is not None else []
        raise QARefused(blocked, findings) from blocked


# --- the story editor's translation panel --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditorPanel:
    """What the story editor shows of the translation desk for a translation."""

    task_id: int | None
    task_status: str | None
    findings: list[Finding]

    @property
    def high(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == HIGH)


def editor_panel(session: Session, checker: checks.Checker, ed: EditorState) -> EditorPanel | None:
    """The task link and the QA findings of a translation; None for the source language."""
    story = ed.story
    if ed.language == story.source_language:
        return None
    task = queries.current_task(queries.tasks_of_story(session, story.id), ed.language)
    findings = checker.findings(session, story, ed.item) if ed.item is not None else []
    return EditorPanel(task.id if task else None, task.status if task else None, findings)


def time_left(left: timedelta, language: str) -> str:
    """How long until a deadline, or since it passed, in words of the interface language."""
    return format_timedelta(
        abs(left), granularity="minute", threshold=2, locale=babel_locale(language)
    )
