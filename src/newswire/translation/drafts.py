"""Machine drafts: the source split into segments, memory and termbase first, then the engine.

A draft is made in three steps so that no database transaction stays open while an engine
works: `prepare` reads the source and looks up the memory and the termbase (one read
session), `translate` runs the engine (async, no database), and the job stores the result.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from newswire import db
from newswire.stories.models import Story
from newswire.translation import memory, segment
from newswire.translation.engines import Route
from newswire.translation.termbase import TermHit, TermIndex

# Where a draft segment came from: the engine, an exact memory match, or nothing (no engine:
# the source is shown and the translator writes the segment).
ORIGINS = ("machine", "memory", "source")


class DraftSegment(BaseModel):
    """One unit of the draft: the headline, the subheadline, or a sentence of the body."""

    field: str  # headline | subheadline | body
    block: int | None = None
    sentence: int | None = None
    source: str
    target: str
    origin: str
    memory_score: int | None = None  # the best memory match offered, exact or fuzzy
    memory_target: str | None = None
    terms: list[str] = []  # preferred target forms put in by the termbase


class Draft(BaseModel):
    """What the desk keeps on a task: the engine's output in the item's shape, segment by
    segment, with the source version it followed."""

    engine: str | None
    source_version: int
    source_language: str
    target_language: str
    headline: str
    subheadline: str | None = None
    body_html: str
    located: str | None = None
    segments: list[DraftSegment]
    made_at: datetime


@dataclass(slots=True)
class _Unit:
    field: str
    block: int | None
    sentence: int | None
    source: str  # HTML (body sentences) or plain text (headline, subheadline)
    protected: str  # the source with term hits wrapped for the engine
    terms: list[str]
    memory: memory.Match | None = None

    @property
    def exact(self) -> bool:
        # A memory hit replaces the engine only when exact and the source has no markup to keep.
        return self.memory is not None and self.memory.score == 100 and "<" not in self.source


@dataclass(slots=True)
class DraftJob:
    """Everything `translate` needs, read from the database beforehand."""

    task_id: int
    story_id: int
    source_language: str
    target_language: str
    source_version: int
    units: list[_Unit]
    blocks: list[segment.Block]
    located: str | None
    variants: dict[str, str] = field(default_factory=dict)  # wrong target form → preferred


_TAG = re.compile(r"(<[^>]+>)")


def protect_terms(
    fragment: str, hits_of: TermIndex, source: str, target: str, *, is_html: bool
) -> tuple[str, list[str]]:
    """Wrap every termbase hit of the source in `<span translate="no">` holding its preferred
    target form, so that engines keep it (or the pipeline passes it around the engine)."""
    pieces = _TAG.split(fragment) if is_html else [fragment]
    used: list[str] = []
    out = []
    for piece in pieces:
        if is_html and piece.startswith("<"):
            out.append(piece)
            continue
        text = html.unescape(piece) if is_html else piece
        hits = [hit for hit in hits_of.hits(text, source) if target in hit.forms]
        if not hits:
            out.append(piece if is_html else html.escape(piece, quote=False))
            continue
        position = 0
        for hit in sorted(hits, key=lambda h: h.start):
            out.append(html.escape(text[position : hit.start], quote=False))
            preferred = hit.forms[target]
            out.append(f'<span translate="no">{html.escape(preferred, quote=False)}</span>')
            used.append(preferred)
            position = hit.end
        out.append(html.escape(text[position:], quote=False))
    return "".join(out), used


def _variants(index: TermIndex, hits: Sequence[TermHit], target: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for hit in hits:
        preferred = hit.forms.get(target)
        if preferred:
            for variant in hit.variants.get(target, ()):
                found[variant] = preferred
    return found


def localise_place(
    located: str | None, index: TermIndex, source: str, target: str, story: Story
) -> str | None:
    """The dateline's place in the target language: the termbase's form, the bureau's city,
    or None (then the bureau's city in that language is used)."""
    if not located:
        return None
    for hit in index.hits(located, source):
        if hit.start == 0 and hit.end == len(located) and target in hit.forms:
            return hit.forms[target]
    bureau = story.bureau
    if bureau is not None and located == bureau.city_in(source):
        return bureau.city.get(target)
    return None


def prepare(
    session: Session,
    task_id: int,
    story: Story,
    target: str,
    source_version: int,
    index: TermIndex,
) -> DraftJob:
    """Read the source item's working copy and look up memory and termbase per segment."""
    source = story.item(story.source_language)
    if source is None:
        raise LookupError(f"story {story.id} has no source item")
    language = story.source_language
    units: list[_Unit] = []
    all_hits: list[TermHit] = []

    def unit(
        field_name: str, text: str, block: int | None, sentence: int | None, is_html: bool
    ) -> None:
        protected, used = protect_terms(text, index, language, target, is_html=is_html)
        plain = segment.plain(text) if is_html else text
        all_hits.extend(index.hits(plain, language))
        matches = memory.lookup(session, plain, language, target, limit=1) if plain else []
        units.append(
            _Unit(
                field=field_name,
                block=block,
                sentence=sentence,
                source=text,
                protected=protected,
                terms=used,
                memory=matches[0] if matches else None,
            )
        )

    unit("headline", source.headline, None, None, False)
    if source.subheadline:
        unit("subheadline", source.subheadline, None, None, False)
    blocks = segment.blocks(source.body_html, language)
    for b, block in enumerate(blocks):
        for s, sentence in enumerate(block.sentences):
            unit("body", sentence, b, s, True)
    return DraftJob(
        task_id=task_id,
        story_id=story.id,
        source_language=language,
        target_language=target,
        source_version=source_version,
        units=units,
        blocks=blocks,
        located=localise_place(source.located, index, language, target, story),
        variants=_variants(index, all_hits, target),
    )


def engine_inputs(job: DraftJob) -> list[str]:
    """The segments the engine must translate: all but exact memory matches. Headlines go in
    escaped, like the body's HTML sentences; term hits are already wrapped."""
    return [u.protected for u in job.units if not u.exact]


def finish(route: Route | None, job: DraftJob, outputs: Sequence[str]) -> Draft:
    """The draft from the engine's outputs (in `engine_inputs` order; empty without engine)."""
    produced = iter(outputs)
    segments: list[DraftSegment] = []
    for u in job.units:
        machine = None if u.exact else next(produced, None)
        if u.exact and u.memory is not None:
            target_text, origin = html.escape(u.memory.target_text, quote=False), "memory"
        elif machine is not None:
            target_text, origin = _fix_variants(machine, job.variants), "machine"
        else:
            target_text = u.source if u.field == "body" else html.escape(u.source, quote=False)
            origin = "source"
        segments.append(
            DraftSegment(
                field=u.field,
                block=u.block,
                sentence=u.sentence,
                source=u.source,
                target=target_text,
                origin=origin,
                memory_score=u.memory.score if u.memory else None,
                memory_target=u.memory.target_text if u.memory else None,
                terms=u.terms,
            )
        )
    return _assemble(route, job, segments)


def _fix_variants(text: str, variants: dict[str, str]) -> str:
    """Engines that ignore `translate="no"` may still write a wrong form of a name."""
    for wrong, preferred in variants.items():
        text = text.replace(wrong, preferred)
    return text


def _assemble(route: Route | None, job: DraftJob, segments: list[DraftSegment]) -> Draft:
    sentences: list[list[str]] = [[] for _ in job.blocks]
    headline = ""
    subheadline = None
    for seg in segments:
        if seg.field == "headline":
            headline = segment.plain(seg.target)
        elif seg.field == "subheadline":
            subheadline = segment.plain(seg.target)
        elif seg.block is not None:
            sentences[seg.block].append(seg.target)
    return Draft(
        engine=route.name if route is not None else None,
        source_version=job.source_version,
        source_language=job.source_language,
        target_language=job.target_language,
        headline=headline,
        subheadline=subheadline,
        body_html=segment.rebuild(job.blocks, sentences),
        located=job.located,
        segments=segments,
        made_at=db.utcnow(),
    )
