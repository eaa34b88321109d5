"""The administration services behind the newsroom's admin pages, called as the views call them.

Each one refuses a caller that is not an admin, checks every field before it changes anything
(the error names the field) and writes the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency import admin as administration
from newswire.agency import services as agency
from newswire.agency.models import ApiKey, AuditEntry, Bureau, Desk, StaffSession, User
from newswire.agency.services import SYSTEM, Principal
from newswire.delivery import services as delivery
from newswire.delivery.models import Subscriber
from newswire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from newswire.newsroom import auth
from tests.conftest import Newsroom

PASSWORD = "correct horse battery"


def user_named(session: Session, name: str) -> User:
    return session.scalars(select(User).where(User.name == name)).one()


def audit_trail(newsroom: Newsroom) -> list[tuple[str, str]]:
    with newsroom.database.read() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id))
        return [(actor, action) for actor, action in rows]


def refuse(newsroom: Newsroom, error: type[Exception], work: Callable[[Session], object]) -> Any:
    """Run `work` in a write transaction that must fail with `error`; nothing is written."""
    before = audit_trail(newsroom)
    with pytest.raises(error) as raised, newsroom.database.write() as session:
        work(session)
    assert audit_trail(newsroom) == before
    return raised.value


def sessions_of(newsroom: Newsroom, name: str) -> int:
    with newsroom.database.read() as session:
        user_id = user_named(session, name).id
        return session.scalar(select(func.count()).where(StaffSession.user_id == user_id)) or 0


def log_in(newsroom: Newsroom, name: str, password: str = PASSWORD) -> bool:
    """A login as the newsroom's form makes it: through the throttle, the password, a session."""
    with newsroom.database.write() as session:
        attempt = auth.begin_attempt(session, name, "")
    if not auth.password_matches(attempt, password):
        return False
    with newsroom.database.write() as session:
        return auth.finish_login(session, attempt, hours=1) is not None


@pytest.mark.parametrize("who", ["reporter", "editor", "translator", "chief"])
def test_only_an_admin_may_administer(newsroom: Newsroom, who: str) -> None:
    actor = newsroom.principals[who]
    # Any id will do: the role is checked before anything is looked up.
    attempts: list[Callable[[Session], object]] = [
        lambda s: administration.create_user(s, actor, name="mole", role="admin"),
        lambda s: administration.update_user(s, actor, actor.user_id or 0, role="admin"),
        lambda s: administration.set_user_active(s, actor, 1, False),
        lambda s: administration.reset_password(s, actor, 1),
        lambda s: administration.create_bureau(
            s, actor, code="x", country="FR", city={"en": "X"}, timezone="UTC",
            default_language="en",
        ),
        lambda s: administration.update_bureau(
            s, actor, 1, city={"en": "X"}, timezone="UTC", default_language="en"
        ),
        lambda s: administration.create_desk(s, actor, code="x", name={"en": "X"}),
        lambda s: administration.update_desk(s, actor, 1, name={"en": "X"}),
        lambda s: delivery.create_subscriber(s, actor, newsroom.ctx.vocabulary, name="mole"),
        lambda s: delivery.issue_key(s, actor, 1),
        lambda s: delivery.revoke_subscriber_key(s, actor, 1, 1),
        lambda s: delivery.set_subscriber_active(s, actor, 1, False),
    ]  # fmt: skip
    for attempt in attempts:
        refuse(newsroom, Forbidden, attempt)


def test_create_user_checks_every_field_first(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    for fields, error, field in (
        ({"name": "", "role": "editor"}, InvalidInput, "name"),
        ({"name": "bad\x00name", "role": "editor"}, InvalidInput, "name"),
        ({"name": "n" * 101, "role": "editor"}, InvalidInput, "name"),
        ({"name": "x", "role": "king"}, InvalidInput, "role"),
        ({"name": "x", "role": "editor", "desks": ["sport"]}, InvalidInput, "desks"),
        ({"name": "x", "role": "editor", "bureau": "rome"}, InvalidInput, "bureau"),
        ({"name": "x", "role": "translator"}, InvalidInput, "languages"),
        ({"name": "x", "role": "translator", "user_languages": ["ja"]}, InvalidInput, "languages"),
        ({"name": "x", "role": "editor", "password": "short"}, InvalidInput, "password"),
        ({"name": "editor", "role": "editor"}, Conflict, "name"),
    ):
        problem = refuse(
            newsroom, error, lambda s, fields=fields: administration.create_user(s, admin, **fields)
        )
        assert problem.field == field, fields


def test_create_user_generates_a_password_and_keeps_languages_for_translators(
    newsroom: Newsroom,
) -> None:
    admin = newsroom.principals["admin"]
    with newsroom.database.write() as session:
        created = administration.create_user(
            session, admin, name="  Leyla   Mammadova ", role="reporter", desks=["politics"],
            bureau="baku", user_languages=["ru"],
        )  # fmt: skip
        given = administration.create_user(
            session, admin, name="li", role="translator", password="long enough pw",
            user_languages=["zh", "en", "zh"],
        )  # fmt: skip
        assert created.password is not None
        assert given.password is None
        generated = created.password
    with newsroom.database.read() as session:
        leyla = user_named(session, "Leyla Mammadova")
        assert leyla.languages == []  # only translators keep target languages
        assert [d.code for d in leyla.desks] == ["politics"]
        assert user_named(session, "li").languages == ["zh", "en"]
    assert log_in(newsroom, "Leyla Mammadova", generated)
    assert log_in(newsroom, "li", "long enough pw")
    assert audit_trail(newsroom)[-4:-2] == [("admin", "user.add"), ("admin", "user.add")]


def test_update_user_and_the_self_demotion_rule(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    me = admin.user_id or 0
    problem = refuse(
        newsroom,
        InvalidInput,
        lambda s: administration.update_user(s, admin, me, role="chief_editor"),
    )
    assert problem.field == "role"
    with newsroom.database.write() as session:
        reporter = user_named(session, "reporter").id
        # not a demotion
        administration.update_user(session, admin, me, role="admin", desks=["economy"])
        administration.update_user(
            session, admin, reporter, role="translator", user_languages=["fr"], bureau="paris"
        )
    with newsroom.database.read() as session:
        user = session.get(User, reporter)
        assert user is not None
        assert (user.role, user.languages, user.desks) == ("translator", ["fr"], [])
        assert user.bureau is not None
        assert user.bureau.code == "paris"
        detail = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "user.update")
        ).all()[-1]
    assert detail["role"] == ["reporter", "translator"]
    assert detail["desks"] == []
    assert detail["bureau"] == "paris"
    refuse(
        newsroom, NotFound, lambda s: administration.update_user(s, admin, 999_999, role="editor")
    )


def test_deactivation_ends_sessions_and_tokens(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    assert log_in(newsroom, "editor")
    assert log_in(newsroom, "editor")
    assert sessions_of(newsroom, "editor") == 2
    editor = newsroom.principals["editor"].user_id or 0
    problem = refuse(
        newsroom,
        InvalidInput,
        lambda s: administration.set_user_active(s, admin, admin.user_id or 0, False),
    )
    assert (problem.field, problem.message) == (
        "active", "you cannot deactivate yourself: ask another admin"
    )  # fmt: skip

    with newsroom.database.write() as session:
        administration.set_user_active(session, admin, editor, False)
    assert sessions_of(newsroom, "editor") == 0
    assert not log_in(newsroom, "editor")
    with pytest.raises(Unauthorized), newsroom.database.read() as session:
        agency.authenticate_key(session, newsroom.tokens["editor"])

    with newsroom.database.write() as session:
        administration.set_user_active(session, admin, editor, True)
    with newsroom.database.read() as session:
        assert agency.authenticate_key(session, newsroom.tokens["editor"]).name == "editor"
    assert log_in(newsroom, "editor")
    assert [entry for entry in audit_trail(newsroom) if entry[1].startswith("user.")][-2:] == [
        ("admin", "user.deactivate"),
        ("admin", "user.reactivate"),
    ]


def test_reset_password(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    assert log_in(newsroom, "reporter")
    reporter = newsroom.principals["reporter"].user_id or 0
    refuse(
        newsroom,
        InvalidInput,
        lambda s: administration.reset_password(s, admin, admin.user_id or 0),
    )
    with newsroom.database.write() as session:
        password = administration.reset_password(session, admin, reporter)
    assert sessions_of(newsroom, "reporter") == 0
    assert not log_in(newsroom, "reporter")
    assert log_in(newsroom, "reporter", password)
    with newsroom.database.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.password_reset")
        ).one()
        assert password not in str(entry.detail)
        user = session.get(User, reporter)
        assert user is not None
        assert security.verify_password(user.password_hash, password)


def test_create_and_update_bureaus(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    good: dict[str, Any] = {
        "code": "berlin", "country": "de", "city": {"de": "Berlin", "en": " Berlin "},
        "timezone": "Europe/Berlin", "default_language": "de",
    }  # fmt: skip
    for change, error, field in (
        ({"timezone": "Mars/Olympus_Mons"}, InvalidInput, "timezone"),
        ({"timezone": ""}, InvalidInput, "timezone"),
        ({"code": "Berlin Office"}, InvalidInput, "code"),
        ({"code": "baku"}, Conflict, "code"),
        ({"country": "DEU"}, InvalidInput, "country"),
        ({"country": "Dé"}, InvalidInput, "country"),
        ({"city": {"de": " ", "en": ""}}, InvalidInput, "city"),
        ({"city": {"ja": "ベルリン"}}, InvalidInput, "city"),
        ({"default_language": "ja"}, InvalidInput, "default_language"),
    ):
        problem = refuse(
            newsroom,
            error,
            lambda s, change=change: administration.create_bureau(s, admin, **{**good, **change}),
        )
        assert problem.field == field, change
    with newsroom.database.write() as session:
        berlin = administration.create_bureau(session, admin, **good)
        berlin_id = berlin.id
        assert (berlin.country, berlin.city) == ("DE", {"de": "Berlin", "en": "Berlin"})
        # A name in a language that is not a working one (here written by hand) survives edits.
        berlin.city = {**berlin.city, "ja": "ベルリン"}
    refuse(
        newsroom,
        InvalidInput,
        lambda s: administration.update_bureau(
            s, admin, berlin_id, city={"de": "Berlin"}, timezone="Nowhere", default_language="de"
        ),
    )
    with newsroom.database.write() as session:
        administration.update_bureau(
            session, admin, berlin_id, city={"de": "Berlin", "en": ""},
            timezone="Europe/Paris", default_language="en",
        )  # fmt: skip
    with newsroom.database.read() as session:
        bureau = session.get(Bureau, berlin_id)
        assert bureau is not None
        assert bureau.city == {"ja": "ベルリン", "de": "Berlin"}
        assert (bureau.timezone, bureau.default_language) == ("Europe/Paris", "en")
    assert audit_trail(newsroom)[-2:] == [("admin", "bureau.add"), ("admin", "bureau.update")]


def test_create_and_update_desks_and_their_members(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    assert (
        refuse(
            newsroom,
            InvalidInput,
            lambda s: administration.create_desk(s, admin, code="", name={"en": "X"}),
        ).field
        == "code"
    )
    assert (
        refuse(
            newsroom,
            InvalidInput,
            lambda s: administration.create_desk(s, admin, code="x", name={}),
        ).field
        == "name"
    )
    with newsroom.database.write() as session:
        desk = administration.create_desk(
            session, admin, code="sport", name={"en": "Sport", "fr": ""}
        )
        desk_id = desk.id
        administration.update_desk(session, admin, desk_id, name={"en": "Sports", "az": "İdman"})
        administration.update_desk(session, admin, desk_id, name={"en": "Sports", "az": "İdman"})
    with newsroom.database.read() as session:
        stored = session.get(Desk, desk_id)
        assert stored is not None
        assert stored.name == {"en": "Sports", "az": "İdman"}
        members = administration.desk_members(session)
        politics = session.scalars(select(Desk.id).where(Desk.code == "politics")).one()
        assert [user.name for user in members[politics]] == ["editor", "reporter"]
        assert desk_id not in members
    # An unchanged save writes no audit row.
    assert audit_trail(newsroom)[-2:] == [("admin", "desk.add"), ("admin", "desk.update")]


def test_subscribers_and_their_keys(newsroom: Newsroom) -> None:
    admin = newsroom.principals["admin"]
    vocabulary = newsroom.ctx.vocabulary
    for fields, field in (
        ({"name": " "}, "name"),
        ({"name": "x", "languages": ["ja"]}, "languages"),
        ({"name": "x", "topics": ["medtop:99999999"]}, "topics"),
    ):
        problem = refuse(
            newsroom,
            InvalidInput,
            lambda s, fields=fields: delivery.create_subscriber(s, admin, vocabulary, **fields),
        )
        assert problem.field == field
    with newsroom.database.write() as session:
        created = delivery.create_subscriber(
            session, admin, vocabulary, name="AFP", languages=["fr", "fr"],
            topics=["medtop:04000000"],
        )  # fmt: skip
        subscriber_id = created.subscriber.id
        first = created.api_key
        second = delivery.issue_key(session, admin, subscriber_id)
    with newsroom.database.read() as session:
        summaries = {row.subscriber.name: row for row in delivery.list_subscribers(session)}
        assert summaries["AFP"].live_keys == 2
        (product,) = summaries["AFP"].subscriber.products  # its own, under its name
        assert (product.name, product.languages, product.topics) == (
            "AFP",
            ["fr"],
            ["medtop:04000000"],
        )
        keys = delivery.live_keys(session, subscriber_id)
        assert [key.prefix for key in keys] == [first[:10], second[:10]]
        other = session.scalars(
            select(ApiKey.id).where(ApiKey.subscriber_id != subscriber_id)
        ).first()
    assert other is not None
    refuse(
        newsroom,
        NotFound,
        lambda s: delivery.revoke_subscriber_key(s, admin, subscriber_id, other),
    )
    with newsroom.database.write() as session:
        delivery.revoke_subscriber_key(session, admin, subscriber_id, keys[0].id)
    refuse(
        newsroom,
        NotFound,
        lambda s: delivery.revoke_subscriber_key(s, admin, subscriber_id, keys[0].id),
    )
    with newsroom.database.read() as session:
        with pytest.raises(Unauthorized):
            agency.authenticate_key(session, first)
        assert agency.authenticate_key(session, second).name == "AFP"
        assert {r.subscriber.name: r.live_keys for r in delivery.list_subscribers(session)}[
            "AFP"
        ] == 1
    with newsroom.database.write() as session:
        delivery.set_subscriber_active(session, admin, subscriber_id, False)
    with pytest.raises(Unauthorized), newsroom.database.read() as session:
        agency.authenticate_key(session, second)
    with newsroom.database.write() as session:
        assert delivery.set_subscriber_active(session, admin, subscriber_id, True).active
        assert session.get(Subscriber, subscriber_id) is not None
    assert [action for _actor, action in audit_trail(newsroom)[-6:]] == [
        "subscriber.add", "key.create", "key.create", "key.revoke",
        "subscriber.deactivate", "subscriber.reactivate",
    ]  # fmt: skip


def test_the_system_may_administer_too(newsroom: Newsroom) -> None:
    """The CLI and the demo loader act as SYSTEM."""
    with newsroom.database.write() as session:
        desk = administration.create_desk(session, SYSTEM, code="world", name={"en": "World"})
        assert desk.id
    assert Principal(name="x", role="subscriber").role not in administration.ADMIN_ROLES
