"""Who may do what to a story: the server-side rules behind every writing endpoint."""

from __future__ import annotations

from newswire.agency.services import Principal
from newswire.errors import Forbidden
from newswire.stories.models import Story

EDITORIAL = ("editor", "chief_editor")
# Roles that see every desk's stories: the chief editor runs them all, translators work on
# any desk's copy, and the admin looks after the whole installation.
ALL_DESK_ROLES = ("chief_editor", "admin", "translator")


def _in_desk(actor: Principal, desk_id: int) -> bool:
    return actor.role == "chief_editor" or desk_id in actor.desk_ids


def can_see(actor: Principal, desk_id: int) -> bool:
    """Whether `actor` may read a desk's stories, drafts included."""
    return actor.role in ALL_DESK_ROLES or desk_id in actor.desk_ids


def require_visible(actor: Principal, story: Story) -> None:
    """Refuse a story of a desk whose stories `actor` does not see."""
    require(can_see(actor, story.desk_id), "read this desk's stories")


def can_create(actor: Principal, desk_id: int) -> bool:
    return actor.role in ("reporter", *EDITORIAL) and _in_desk(actor, desk_id)


def can_edit(actor: Principal, story: Story, language: str, status: str) -> bool:
    if actor.role in EDITORIAL:
        return _in_desk(actor, story.desk_id)
    if actor.role == "reporter":
        return (
            story.created_by_id == actor.user_id
            and _in_desk(actor, story.desk_id)
            and status in ("draft", "submitted")
        )
    if actor.role == "translator":
        return language != story.source_language and language in actor.languages
    return False


def can_publish(actor: Principal, story: Story, language: str) -> bool:
    """Editors publish in their desks; translators publish translations into their languages."""
    if actor.role in EDITORIAL:
        return _in_desk(actor, story.desk_id)
    if actor.role == "translator":
        return language != story.source_language and language in actor.languages
    return False


def can_kill(actor: Principal, story: Story) -> bool:
    return actor.role in EDITORIAL and _in_desk(actor, story.desk_id)


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(f"your role may not {what}")
