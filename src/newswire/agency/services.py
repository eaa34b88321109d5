"""Creating and finding the agency's own objects: the agency, bureaus, desks, users, keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import languages, security
from newswire.agency.models import (
    ROLES,
    Agency,
    ApiKey,
    AuditEntry,
    Bureau,
    Desk,
    User,
)
from newswire.db import utcnow
from newswire.delivery.models import Subscriber
from newswire.delivery.products import Facts, ProductFilter, any_matches
from newswire.errors import Conflict, InvalidInput, NotFound, Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a staff member (by token or session) or a subscriber (by API key)."""

    name: str
    role: str  # a staff role, or "subscriber"
    user_id: int | None = None
    subscriber_id: int | None = None
    desk_ids: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()  # a translator's targets
    products: tuple[ProductFilter, ...] = ()  # a subscriber's entitlement
    key_id: int | None = None  # the API key or token used, for its rate limit
    rate_limit: int | None = None  # that key's requests per minute; none: the default

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None

    def entitled(self, facts: Facts) -> bool:
        """Whether this caller may receive a version with these facts (staff: always)."""
        if self.is_staff:
            return True
        return any_matches(self.products, facts)


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


def add_desk(
    session: Session,
    actor: Principal,
    *,
    code: str,
    name: dict[str, str],
    translation_languages: Iterable[str] | None = None,
) -> Desk:
    if session.scalars(select(Desk).where(Desk.code == code)).first():
        raise Conflict(f"a desk {code!r} exists already", field="code")
    desk = Desk(
        code=code,
        name=name,
        translation_languages=check_translation_languages(session, translation_languages),
    )
    session.add(desk)
    session.flush()
    audit(session, actor, "desk.add", "desk", desk.id, code=code)
    return desk


def check_translation_languages(
    session: Session, languages: Iterable[str] | None
) -> list[str] | None:
    """The languages a desk's stories are translated into, in the agency's order; None (every
    working language, including any added later) when all are chosen or none is given."""
    if languages is None:
        return None
    allowed = get_agency(session).languages
    chosen = set(languages)
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise InvalidInput(
            f"not a working language: {', '.join(unknown)}", field="translation_languages"
        )
    if chosen == set(allowed):
        return None
    return [language for language in allowed if language in chosen]


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


def create_subscriber_key(
    session: Session, actor: Principal, subscriber: Subscriber, rate_limit: int | None = None
) -> str:
    """A new API key (only its hash is kept), with its own requests-per-minute limit or none
    (the `api_rate_limit` setting applies)."""
    if rate_limit is not None and not 1 <= rate_limit <= 1_000_000:
        raise InvalidInput("a rate limit is 1 to 1,000,000 requests a minute", field="rate_limit")
    key = security.new_key(security.SUBSCRIBER_KEY_PREFIX)
    session.add(
        ApiKey(
            key_hash=security.hash_key(key),
            prefix=key[:10],
            subscriber_id=subscriber.id,
            rate_limit=rate_limit,
        )
    )
    audit(session, actor, "key.create", "subscriber", subscriber.id, rate_limit=rate_limit)
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
        products=tuple(ProductFilter.of(product) for product in subscriber.products),
        key_id=row.id,
        rate_limit=row.rate_limit,
    )


def revoke_key(session: Session, actor: Principal, key_id: int) -> None:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no key {key_id}")
    row.revoked_at = utcnow()
    audit(session, actor, "key.revoke", "key", key_id)
