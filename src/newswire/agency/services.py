"""Creating and finding the agency's own objects: the agency, bureaus, desks, users, keys."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newswire import languages, security
from newswire.agency.models import (
    ROLES,
    Agency,
    ApiKey,
    AuditEntry,
    Bureau,
    Desk,
    StaffSession,
    User,
)
from newswire.db import utcnow
from newswire.delivery.models import Subscriber
from newswire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a staff member (by token or session) or a subscriber (by API key)."""

    name: str
    role: str  # a staff role, or "subscriber"
    user_id: int | None = None
    subscriber_id: int | None = None
    desk_ids: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()  # a translator's targets; a subscriber's entitlement
    topics: frozenset[str] = frozenset()  # a subscriber's topic entitlement

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None

    def entitled(self, language: str, subjects: Iterable[str]) -> bool:
        """Whether a subscriber may receive an item in `language` about `subjects`."""
        if self.is_staff:
            return True
        if self.languages and language not in self.languages:
            return False
        return not self.topics or any(s in self.topics for s in subjects)


SYSTEM = Principal(name="system", role="system")


def principal_for_user(user: User) -> Principal:
    return Principal(
        name=user.name,
        role=user.role,
        user_id=user.id,
        desk_ids=frozenset(user.desk_ids),
        languages=frozenset(user.languages or ()),
    )


def audit(
    session: Session,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            user_id=actor.user_id,
            actor=actor.name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )


# --- the agency ---------------------------------------------------------------------------


def get_agency(session: Session) -> Agency:
    agency = session.scalars(select(Agency).limit(1)).first()
    if agency is None:
        raise NotFound("the database has no agency yet: run `newswire init`")
    return agency


def check_languages(codes: Iterable[str], *, field: str = "languages") -> list[str]:
    result = []
    for code in codes:
        if not languages.is_known(code):
            known = ", ".join(languages.LANGUAGES)
            raise InvalidInput(f"unknown language {code!r} (known: {known})", field=field)
        result.append(code)
    return result


def check_timezone(name: str, *, field: str = "timezone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}", field=field) from None
    return name


def ensure_agency(
    session: Session,
    *,
    name: dict[str, str],
    short_name: dict[str, str],
    domain: str,
    working_languages: Iterable[str],
    timezone: str = "UTC",
) -> Agency:
    """The installation's agency, created on first use."""
    agency = session.scalars(select(Agency).limit(1)).first()
    if agency is not None:
        return agency
    agency = Agency(
        name=name,
        short_name=short_name,
        domain=domain,
        languages=check_languages(working_languages),
        timezone=check_timezone(timezone),
    )
    session.add(agency)
    session.flush()
    return agency


# --- bureaus and desks --------------------------------------------------------------------


def add_bureau(
    session: Session,
    actor: Principal,
    *,
    code: str,
    country: str,
    city: dict[str, str],
    timezone: str,
    default_language: str,
) -> Bureau:
    if session.scalars(select(Bureau).where(Bureau.code == code)).first():
        raise Conflict(f"a bureau {code!r} exists already", field="code")
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput("country must be an ISO 3166 two-letter code", field="country")
    check_languages([default_language], field="default_language")
    bureau = Bureau(
        code=code,
        country=country.upper(),
        city=city,
        timezone=check_timezone(timezone),
        default_language=default_language,
    )
    session.add(bureau)
    session.flush()
    audit(session, actor, "bureau.add", "bureau", bureau.id, code=code)
    return bureau


def add_desk(session: Session, actor: Principal, *, code: str, name: dict[str, str]) -> Desk:
    if session.scalars(select(Desk).where(Desk.code == code)).first():
        raise Conflict(f"a desk {code!r} exists already", field="code")
    desk = Desk(code=code, name=name)
    session.add(desk)
    session.flush()
    audit(session, actor, "desk.add", "desk", desk.id, code=code)
    return desk


def get_bureau(session: Session, code: str) -> Bureau:
    bureau = session.scalars(select(Bureau).where(Bureau.code == code)).first()
    if bureau is None:
        raise NotFound(f"no bureau {code!r}", field="bureau")
    return bureau


def get_desk(session: Session, code: str) -> Desk:
    desk = session.scalars(select(Desk).where(Desk.code == code)).first()
    if desk is None:
        raise NotFound(f"no desk {code!r}", field="desk")
    return desk


# --- users and tokens ---------------------------------------------------------------------


@dataclass(slots=True)
class NewUser:
    user: User
    password: str | None = field(default=None, repr=False)


def add_user(
    session: Session,
    actor: Principal,
    *,
    name: str,
    role: str,
    password: str | None = None,
    desks: Iterable[str] = (),
    bureau: str | None = None,
    user_languages: Iterable[str] = (),
) -> NewUser:
    """A new staff member; a password is generated when none is given, and returned once."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r} (roles: {', '.join(ROLES)})", field="role")
    if not name or len(name) > 100:
        raise InvalidInput("a user name has 1 to 100 characters", field="name")
    if session.scalars(select(User).where(User.name == name)).first():
        raise Conflict(f"a user {name!r} exists already", field="name")
    if password is not None and len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", field="password")
    clear = password or security.generate_password()
    user = User(
        name=name,
        role=role,
        password_hash=security.hash_password(clear),
        languages=check_languages(user_languages),
        desks=[get_desk(session, code) for code in desks],
        bureau_id=get_bureau(session, bureau).id if bureau else None,
    )
    session.add(user)
    session.flush()
    audit(session, actor, "user.add", "user", user.id, name=name, role=role)
    return NewUser(user, None if password else clear)


def get_user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"no user {name!r}", field="user")
    return user


def create_token(session: Session, actor: Principal, user: User) -> str:
    """A staff API token for `user`, returned in clear this once."""
    token = security.new_key(security.STAFF_TOKEN_PREFIX)
    session.add(ApiKey(key_hash=security.hash_key(token), prefix=token[:10], user_id=user.id))
    audit(session, actor, "token.create", "user", user.id)
    return token


def create_subscriber_key(session: Session, actor: Principal, subscriber: Subscriber) -> str:
    key = security.new_key(security.SUBSCRIBER_KEY_PREFIX)
    session.add(
        ApiKey(key_hash=security.hash_key(key), prefix=key[:10], subscriber_id=subscriber.id)
    )
    audit(session, actor, "key.create", "subscriber", subscriber.id)
    return key


def authenticate_key(session: Session, key: str) -> Principal:
    """The principal behind an API key or staff token; Unauthorized when there is none."""
    row = session.scalars(
        select(ApiKey).where(ApiKey.key_hash == security.hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        if user is None or not user.active:
            raise Unauthorized("the token's user is disabled")
        return principal_for_user(user)
    subscriber = session.get(Subscriber, row.subscriber_id)
    if subscriber is None or not subscriber.active:
        raise Unauthorized("the key's subscriber is disabled")
    return Principal(
        name=subscriber.name,
        role="subscriber",
        subscriber_id=subscriber.id,
        languages=frozenset(subscriber.languages or ()),
        topics=frozenset(subscriber.topics or ()),
    )


def revoke_key(session: Session, actor: Principal, key_id: int) -> None:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no key {key_id}")
    row.revoked_at = utcnow()
    audit(session, actor, "key.revoke", "key", key_id)


# --- administration: what the newsroom's admin pages change --------------------------------
# Every function here checks that its actor may administer (an admin, or the system itself for
# the CLI and the demo loader), validates all of its input before it changes anything, and
# writes the audit log.

ADMIN_ROLES = ("admin", "system")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_LIMIT = 200


def check_admin(actor: Principal) -> None:
    if actor.role not in ADMIN_ROLES:
        raise Forbidden("only an admin may administer users, bureaus, desks and subscribers")


def check_code(code: str, *, field: str = "code") -> str:
    """A bureau's or desk's code: it appears in URLs, so plain lower-case ASCII only."""
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            "a code has 1 to 64 characters: lower-case letters, digits, '-' and '_'", field=field
        )
    return code


def check_label(text: str, *, field: str, limit: int = NAME_LIMIT) -> str:
    """A one-line name as people type it: spaces collapsed, no control characters."""
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise InvalidInput(f"at most {limit} characters", field=field)
    if not all(character.isprintable() for character in cleaned):
        raise InvalidInput("control characters are not allowed", field=field)
    return cleaned


def working_languages(session: Session) -> list[str]:
    return list(get_agency(session).languages)


def check_names(session: Session, names: Mapping[str, str], *, field: str) -> dict[str, str]:
    """Names per working language, blank ones left out; at least one is needed."""
    allowed = working_languages(session)
    result: dict[str, str] = {}
    for language, text in names.items():
        if language not in allowed:
            raise InvalidInput(f"{language!r} is not a working language", field=field)
        cleaned = check_label(text, field=field)
        if cleaned:
            result[language] = cleaned
    if not result:
        raise InvalidInput("give a name in at least one language", field=field)
    return result


def check_working_languages(
    session: Session, codes: Iterable[str], *, field: str = "languages"
) -> list[str]:
    allowed = working_languages(session)
    result = []
    for code in check_languages(codes, field=field):
        if code not in allowed:
            raise InvalidInput(f"{code!r} is not a working language", field=field)
        if code not in result:
            result.append(code)
    return result


def _desk_codes(session: Session, codes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(codes))
    known = set(session.scalars(select(Desk.code).where(Desk.code.in_(wanted))))
    for code in wanted:
        if code not in known:
            raise InvalidInput(f"no desk {code!r}", field="desks")
    return wanted


def _bureau_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    bureau = session.scalars(select(Bureau).where(Bureau.code == code)).first()
    if bureau is None:
        raise InvalidInput(f"no bureau {code!r}", field="bureau")
    return bureau.id


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r} (roles: {', '.join(ROLES)})", field="role")
    return role


def _translator_languages(session: Session, role: str, codes: Iterable[str]) -> list[str]:
    """A translator's target languages; other roles keep none."""
    if role != "translator":
        return []
    result = check_working_languages(session, codes)
    if not result:
        raise InvalidInput("a translator needs at least one target language", field="languages")
    return result


def user_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}", field="user")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def list_bureaus(session: Session) -> list[Bureau]:
    return list(session.scalars(select(Bureau).order_by(Bureau.code)))


def list_desks(session: Session) -> list[Desk]:
    return list(session.scalars(select(Desk).order_by(Desk.code)))


def create_user(
    session: Session,
    actor: Principal,
    *,
    name: str,
    role: str,
    password: str = "",
    desks: Iterable[str] = (),
    bureau: str | None = None,
    user_languages: Iterable[str] = (),
) -> NewUser:
    """`add_user` for the admin pages: a blank password is generated (and returned once)."""
    check_admin(actor)
    name = check_label(name, field="name", limit=100)
    _role(role)
    desk_codes = _desk_codes(session, desks)
    _bureau_id(session, bureau)
    target_languages = _translator_languages(session, role, user_languages)
    return add_user(
        session,
        actor,
        name=name,
        role=role,
        password=password or None,
        desks=desk_codes,
        bureau=bureau or None,
        user_languages=target_languages,
    )


def update_user(
    session: Session,
    actor: Principal,
    user_id: int,
    *,
    role: str,
    desks: Iterable[str] = (),
    bureau: str | None = None,
    user_languages: Iterable[str] = (),
) -> User:
    """Change a user's role, desks, bureau and (for a translator) languages."""
    check_admin(actor)
    user = user_by_id(session, user_id)
    _role(role)
    if user.id == actor.user_id and role != "admin":
        raise InvalidInput(
            "you cannot take the admin role from yourself: ask another admin", field="role"
        )
    desk_codes = _desk_codes(session, desks)
    bureau_id = _bureau_id(session, bureau)
    target_languages = _translator_languages(session, role, user_languages)
    changes: dict[str, Any] = {}
    if user.role != role:
        changes["role"] = [user.role, role]
    if sorted(d.code for d in user.desks) != sorted(desk_codes):
        changes["desks"] = sorted(desk_codes)
    if user.bureau_id != bureau_id:
        changes["bureau"] = bureau or None
    if list(user.languages or ()) != target_languages:
        changes["languages"] = target_languages
    user.role = role
    user.desks = [get_desk(session, code) for code in desk_codes]
    user.bureau_id = bureau_id
    user.languages = target_languages
    audit(session, actor, "user.update", "user", user.id, name=user.name, **changes)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Log a user out of every browser at once."""
    session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


def set_user_active(session: Session, actor: Principal, user_id: int, active: bool) -> User:
    """Deactivate (sessions end, tokens stop working) or reactivate a user."""
    check_admin(actor)
    user = user_by_id(session, user_id)
    if not active and user.id == actor.user_id:
        raise InvalidInput("you cannot deactivate yourself: ask another admin", field="active")
    user.active = active
    if not active:
        end_sessions(session, user.id)
    action = "user.reactivate" if active else "user.deactivate"
    audit(session, actor, action, "user", user.id, name=user.name)
    return user


def reset_password(session: Session, actor: Principal, user_id: int) -> str:
    """A new generated password for a user, returned in clear this once; their sessions end."""
    check_admin(actor)
    user = user_by_id(session, user_id)
    if user.id == actor.user_id:
        raise InvalidInput("change your own password on your account page", field="password")
    clear = security.generate_password()
    user.password_hash = security.hash_password(clear)
    end_sessions(session, user.id)
    audit(session, actor, "user.password_reset", "user", user.id, name=user.name)
    return clear


def _keep_other_languages(
    session: Session, old: Mapping[str, str], new: dict[str, str]
) -> dict[str, str]:
    """The forms edit names in the working languages; names in any other language stay."""
    working = set(working_languages(session))
    return {code: text for code, text in old.items() if code not in working} | new


def bureau_by_id(session: Session, bureau_id: int) -> Bureau:
    bureau = session.get(Bureau, bureau_id)
    if bureau is None:
        raise NotFound(f"no bureau {bureau_id}", field="bureau")
    return bureau


def _bureau_settings(
    session: Session, city: Mapping[str, str], timezone: str, default_language: str
) -> tuple[dict[str, str], str, str]:
    names = check_names(session, city, field="city")
    check_timezone(timezone.strip())
    if default_language not in working_languages(session):
        raise InvalidInput(
            f"{default_language!r} is not a working language", field="default_language"
        )
    return names, timezone.strip(), default_language


def create_bureau(
    session: Session,
    actor: Principal,
    *,
    code: str,
    country: str,
    city: Mapping[str, str],
    timezone: str,
    default_language: str,
) -> Bureau:
    """`add_bureau` for the admin pages, with every field checked before anything is stored."""
    check_admin(actor)
    code = check_code(code.strip())
    country = country.strip()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise InvalidInput("country must be an ISO 3166 two-letter code", field="country")
    names, zone, language = _bureau_settings(session, city, timezone, default_language)
    return add_bureau(
        session,
        actor,
        code=code,
        country=country,
        city=names,
        timezone=zone,
        default_language=language,
    )


def update_bureau(
    session: Session,
    actor: Principal,
    bureau_id: int,
    *,
    city: Mapping[str, str],
    timezone: str,
    default_language: str,
) -> Bureau:
    check_admin(actor)
    bureau = bureau_by_id(session, bureau_id)
    names, zone, language = _bureau_settings(session, city, timezone, default_language)
    names = _keep_other_languages(session, bureau.city, names)
    changes: dict[str, Any] = {}
    if bureau.city != names:
        changes["city"] = names
    if bureau.timezone != zone:
        changes["timezone"] = [bureau.timezone, zone]
    if bureau.default_language != language:
        changes["default_language"] = [bureau.default_language, language]
    bureau.city = names
    bureau.timezone = zone
    bureau.default_language = language
    audit(session, actor, "bureau.update", "bureau", bureau.id, code=bureau.code, **changes)
    return bureau


def desk_by_id(session: Session, desk_id: int) -> Desk:
    desk = session.get(Desk, desk_id)
    if desk is None:
        raise NotFound(f"no desk {desk_id}", field="desk")
    return desk


def desk_members(session: Session) -> dict[int, list[User]]:
    """Desk id → the users who belong to it, by name."""
    members: dict[int, list[User]] = {}
    for user in list_users(session):
        for desk in user.desks:
            members.setdefault(desk.id, []).append(user)
    return members


def create_desk(session: Session, actor: Principal, *, code: str, name: Mapping[str, str]) -> Desk:
    """`add_desk` for the admin pages."""
    check_admin(actor)
    code = check_code(code.strip())
    names = check_names(session, name, field="name")
    return add_desk(session, actor, code=code, name=names)


def update_desk(
    session: Session, actor: Principal, desk_id: int, *, name: Mapping[str, str]
) -> Desk:
    check_admin(actor)
    desk = desk_by_id(session, desk_id)
    names = _keep_other_languages(session, desk.name, check_names(session, name, field="name"))
    if desk.name != names:
        audit(session, actor, "desk.update", "desk", desk.id, code=desk.code, name=names)
    desk.name = names
    return desk
