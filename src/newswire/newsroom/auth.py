"""Newsroom logins: sessions, CSRF tokens, failed-login throttling and password changes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.models import Agency, Desk, LoginThrottle, StaffSession, User
from newswire.agency.services import Principal, audit, principal_for_user
from newswire.db import utcnow
from newswire.errors import InvalidInput, NewswireError, Unauthorized
from newswire.stories.permissions import ALL_DESK_ROLES

# Failed logins allowed before each further try must wait, per user name and per address;
# the wait doubles with every failure after that, up to MAX_WAIT.
FREE_FAILURES_PER_USER = 5
FREE_FAILURES_PER_ADDRESS = 20
MAX_WAIT = timedelta(minutes=15)


class TooManyAttempts(NewswireError):
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed logins: try again in {retry_after} seconds", field="password"
        )
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class StaffLogin:
    """Who a session cookie belongs to."""

    principal: Principal
    user_id: int
    name: str
    role: str
    ui_language: str | None
    bureau_id: int | None
    csrf_token: str
    token_hash: str
    timezone: str  # the user's bureau's, else the agency's: times are shown in it
    desks: tuple[Desk, ...]  # the desks whose queues the user sees (every desk for some roles)

    @property
    def is_editorial(self) -> bool:
        return self.role in ("editor", "chief_editor")


def _wait(failures: int, free: int) -> timedelta:
    if failures < free:
        return timedelta(0)
    return min(MAX_WAIT, timedelta(seconds=2 ** (failures - free)))


def _throttle_rows(session: Session, name: str, address: str) -> list[tuple[LoginThrottle, int]]:
    """The throttle rows of a try, created when missing, locked until the transaction ends
    (on PostgreSQL; SQLite's write transactions run one at a time anyway)."""
    keys = {f"user:{name.casefold()}": FREE_FAILURES_PER_USER}
    if address:
        keys[f"ip:{address}"] = FREE_FAILURES_PER_ADDRESS
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    rows = []
    for key, free in keys.items():
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, last_failure_at=utcnow())
            .on_conflict_do_nothing()
        )
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None  # inserted just above when it was missing
        rows.append((row, free))
    return rows


@dataclass(frozen=True, slots=True)
class Attempt:
    """A login try that the throttle let through: whose password to check, and against what."""

    name: str
    address: str
    user_id: int | None
    password_hash: str | None


def begin_attempt(session: Session, name: str, address: str) -> Attempt:
    """Let a try through the throttle, counting it as failed until its password proves right.

    Counting first is what makes the throttle hold against many tries at once: each one takes
    the throttle rows in turn and sees the failures of those before it. The password itself is
    checked outside any transaction (`password_matches`), so that argon2's deliberate slowness
    never holds the database's write lock.
    """
    now = utcnow()
    rows = _throttle_rows(session, name, address)
    for row, free in rows:
        until = row.last_failure_at + _wait(row.failures, free)
        if row.failures >= free and until > now:
            raise TooManyAttempts(max(1, int((until - now).total_seconds() + 0.999)))
    for row, _free in rows:
        row.failures += 1
        row.last_failure_at = now
    user = session.execute(
        select(User.id, User.password_hash).where(User.name == name, User.active.is_(True))
    ).first()
    if user is None:
        return Attempt(name, address, None, None)
    return Attempt(name, address, user.id, user.password_hash)


@lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    return security.hash_password(secrets.token_urlsafe(16))


def password_matches(attempt: Attempt, password: str) -> bool:
    """Whether the password is right. A name without an account is checked against a stand-in
    hash, so that it takes as long to refuse as a wrong password of a real account."""
    if attempt.user_id is None:
        security.verify_password(_stand_in_hash(), password)
        return False
    return security.verify_password(attempt.password_hash, password)


def refuse(session: Session, attempt: Attempt) -> None:
    """Record a wrong password (the throttle counted it already)."""
    name = attempt.name[:100]
    audit(session, Principal(name=name, role="anonymous"), "login.fail", "user", attempt.user_id)


def finish_login(
    session: Session, attempt: Attempt, *, hours: float
) -> tuple[str, StaffLogin] | None:
    """A new session token (for the cookie) and its login, once the password proved right;
    None when the account was disabled meanwhile."""
    now = utcnow()
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None or not user.active:
        return None
    for row, _free in _throttle_rows(session, attempt.name, attempt.address):
        # The user's count starts again; the address keeps its other failures.
        row.failures = 0 if row.key.startswith("user:") else max(0, row.failures - 1)
    token = secrets.token_urlsafe(32)
    staff_session = StaffSession(
        token_hash=security.hash_key(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(staff_session)
    # Sessions that ran out are removed as others log in.
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    audit(session, principal_for_user(user), "login", "user", user.id)
    return token, _login_of(session, user, staff_session)


def _login_of(session: Session, user: User, row: StaffSession) -> StaffLogin:
    if user.role in ALL_DESK_ROLES:
        desks = tuple(session.scalars(select(Desk).order_by(Desk.code)))
    else:
        desks = tuple(sorted(user.desks, key=lambda desk: desk.code))
    for desk in desks:
        session.expunge(desk)
    agency = session.scalars(select(Agency).limit(1)).first()
    timezone = user.bureau.timezone if user.bureau else (agency.timezone if agency else "UTC")
    return StaffLogin(
        principal=principal_for_user(user),
        user_id=user.id,
        name=user.name,
        role=user.role,
        ui_language=user.ui_language,
        bureau_id=user.bureau_id,
        csrf_token=row.csrf_token,
        token_hash=row.token_hash,
        timezone=timezone,
        desks=desks,
    )


def resolve(session: Session, token: str) -> StaffLogin:
    """The login behind a session cookie; Unauthorized when it is unknown, expired or disabled."""
    row = session.get(StaffSession, security.hash_key(token))
    if row is None or row.expires_at < utcnow():
        raise Unauthorized("your session has ended: log in again")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("this account is disabled")
    return _login_of(session, user, row)


def logout(session: Session, token_hash: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))


def change_password(
    session: Session, staff: StaffLogin, current: str, new: str, confirm: str
) -> None:
    """Set a new password; every other session of the user ends."""
    user = session.get(User, staff.user_id)
    if user is None or not security.verify_password(user.password_hash, current):
        raise InvalidInput("the current password is wrong", field="current_password")
    if len(new) < 8:
        raise InvalidInput("a password has at least 8 characters", field="new_password")
    if new != confirm:
        raise InvalidInput("the two new passwords differ", field="confirm_password")
    user.password_hash = security.hash_password(new)
    session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id, StaffSession.token_hash != staff.token_hash
        )
    )
    audit(session, staff.principal, "password.change", "user", user.id)


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
