"""QA of a language version against its source, with what the database knows: the termbase,
the datelines as they will be published, and the source as it was last published."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency.services import Principal, get_agency
from newswire.stories.models import Item, Story, Version
from newswire.stories.services import item_dateline
from newswire.translation import memory, qa, segment
from newswire.translation.termbase import TermCache, TermIndex


def source_text(session: Session, story: Story) -> tuple[str, str | None, str]:
    """The source's headline, subheadline and body as translators should follow them: the
    newest published version, or the working copy before the first publication."""
    source = story.item(story.source_language)
    if source is None:
        return "", None, ""
    document = session.scalars(
        select(Version.document)
        .where(Version.item_id == source.id)
        .order_by(Version.number.desc())
        .limit(1)
    ).first()
    if document and document.get("pubstatus") != "canceled":
        return (
            str(document.get("headline", "")),
            document.get("subheadline"),
            str(document.get("body_html", "")),
        )
    return source.headline, source.subheadline, source.body_html


def dateline(session: Session, story: Story, item: Item) -> str:
    """The dateline this item would be published with."""
    return item_dateline(get_agency(session), story, item)


def term_checks(index: TermIndex, text: str, source: str, target: str) -> list[qa.TermCheck]:
    checks: dict[str, qa.TermCheck] = {}
    for hit in index.hits(text, source):
        preferred = hit.forms.get(target)
        if preferred and preferred not in checks:
            checks[preferred] = qa.TermCheck(
                source_form=hit.form,
                preferred=preferred,
                variants=tuple(hit.variants.get(target, ())),
            )
    return list(checks.values())


class Checker:
    """Runs QA for the API, the editor and the publishing gate, with a shared termbase cache."""

    def __init__(self, terms: TermCache) -> None:
        self.terms = terms

    def findings(self, session: Session, story: Story, item: Item) -> list[qa.Finding]:
        if item.language == story.source_language:
            return []
        source = story.item(story.source_language)
        if source is None:
            return []
        headline, _subheadline, body = source_text(session, story)
        index = self.terms.get(session)
        plain_source = " ".join([headline, segment.plain(body)])
        return qa.check(
            qa.QAText(
                language=story.source_language,
                headline=headline,
                body_html=body,
                dateline=dateline(session, story, source),
            ),
            qa.QAText(
                language=item.language,
                headline=item.headline,
                body_html=item.body_html,
                dateline=dateline(session, story, item) if _has_place(story, item) else None,
            ),
            term_checks(index, plain_source, story.source_language, item.language),
        )

    def high(self, session: Session, story: Story, item: Item) -> list[tuple[str, str]]:
        """The findings that stop a publication without an override."""
        return [
            (finding.check, finding.message)
            for finding in self.findings(session, story, item)
            if finding.severity == qa.HIGH
        ]


def _has_place(story: Story, item: Item) -> bool:
    """Without a place of its own or a bureau, an item is published with no dateline place."""
    return bool(item.located) or story.bureau is not None


def remember(session: Session, story: Story, item: Item, actor: Principal) -> int:
    """Store a published translation in the memory, aligned segment by segment."""
    headline, subheadline, body = source_text(session, story)
    pairs = [(headline, item.headline)]
    if subheadline and item.subheadline:
        pairs.append((subheadline, item.subheadline))
    pairs.extend(segment.align(body, story.source_language, item.body_html, item.language))
    return memory.store(
        session,
        story.source_language,
        item.language,
        [(s, t) for s, t in pairs if s.strip() and t.strip()],
        story_id=story.id,
        user_id=actor.user_id,
    )
