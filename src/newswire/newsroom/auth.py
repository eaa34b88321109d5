"""Newsroom logins: sessions, CSRF tokens, failed-login throttling and password changes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.models import Agency, Desk, LoginThrottle, StaffSession, User
from newswire.agency.services import Principal, audit, principal_for_user
from newswire.db import utcnow
from newswire.errors import InvalidInput, NewswireError, Unauthorized

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
    keys = {f"user:{name.casefold()}": FREE_FAILURES_PER_USER}
    if address:
        keys[f"ip:{address}"] = FREE_FAILURES_PER_ADDRESS
    rows = []
    for key, free in keys.items():
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=utcnow())
            session.add(row)
        rows.append((row, free))
    return rows


def check_throttle(session: Session, name: str, address: str, now: datetime) -> None:
    """Refuse a try made before the wait that earlier failures imposed has passed."""
    for row, free in _throttle_rows(session, name, address):
        until = row.last_failure_at + _wait(row.failures, free)
        if row.failures >= free and until > now:
            raise TooManyAttempts(max(1, int((until - now).total_seconds() + 0.999)))


def login(
    session: Session, name: str, password: str, address: str, *, hours: float
) -> tuple[str, StaffLogin] | None:
    """A new session token (for the cookie) and its login; None when the password is wrong.

    The throttle check comes first, so that even the right password waits its turn: whoever
    guesses cannot tell a locked account from a wrong guess by timing.
    """
    now = utcnow()
    check_throttle(session, name, address, now)
    user = session.scalars(select(User).where(User.name == name)).first()
    ok = user is not None and user.active and security.verify_password(user.password_hash, password)
    rows = _throttle_rows(session, name, address)
    if not ok or user is None:
        for row, _free in rows:
            row.failures += 1
            row.last_failure_at = now
        audit(session, Principal(name=name[:100], role="anonymous"), "login.fail", "user", None)
        return None
    for row, _free in rows:
        if row.key.startswith("user:"):
            row.failures = 0
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


ALL_DESK_ROLES = ("chief_editor", "admin", "translator")


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
