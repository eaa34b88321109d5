"""The admin's changes to the agency: users, bureaus and desks as the newsroom's admin pages
change them, and the checks that the subscriber administration (`delivery.services`) shares.

Every function here checks that its actor may administer (an admin, or the system itself for
the CLI and the demo loader), validates all of its input before it changes anything, and
writes the audit log. The plain creation functions it builds on (`add_user`, `add_bureau`,
`add_desk`) stay in `agency.services`, which the CLI and the demo loader call directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.models import ROLES, Bureau, Desk, StaffSession, User
from newswire.agency.services import (
    NewUser,
    Principal,
    add_bureau,
    add_desk,
    add_user,
    audit,
    check_languages,
    check_timezone,
    check_translation_languages,
    get_agency,
    get_desk,
)
from newswire.errors import Forbidden, InvalidInput, NotFound

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
    session: Session,
    actor: Principal,
    desk_id: int,
    *,
    name: Mapping[str, str],
    translation_languages: Iterable[str] | None = None,
) -> Desk:
    """Rename a desk and choose the languages its stories are translated into (`None` leaves
    them as they are)."""
    check_admin(actor)
    desk = desk_by_id(session, desk_id)
    names = _keep_other_languages(session, desk.name, check_names(session, name, field="name"))
    changes: dict[str, Any] = {}
    if desk.name != names:
        changes["name"] = names
    if translation_languages is not None:
        targets = check_translation_languages(session, translation_languages)
        if targets != desk.translation_languages:
            changes["translation_languages"] = targets if targets is not None else "all"
        desk.translation_languages = targets
    if changes:
        audit(session, actor, "desk.update", "desk", desk.id, code=desk.code, **changes)
    desk.name = names
    return desk
