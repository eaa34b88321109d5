"""Logging in and out of the newsroom, CSRF protection, login throttling, the user's account."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newswire.agency.models import AuditEntry, LoginThrottle, StaffSession, User
from newswire.db import Database
from newswire.newsroom import auth
from tests.newsroom.conftest import PASSWORD, StaffBrowser

Staff = Callable[[str], StaffBrowser]


def test_a_page_without_a_session_sends_the_browser_to_login(app_client: TestClient) -> None:
    response = app_client.get("/newsroom/desks/politics?status=draft", follow_redirects=False)
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/newsroom/login?next=/newsroom/desks/politics%3Fstatus%3Ddraft"
    )


def test_login_sets_a_protected_session_cookie_and_goes_where_the_user_was_going(
    app_client: TestClient,
) -> None:
    browser = StaffBrowser(app_client, "editor")
    form = browser.get("/newsroom/login?next=/newsroom/account")
    assert form.status_code == 200
    assert 'name="password"' in form.text
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = browser._send(
        "POST",
        "/newsroom/login",
        data={"name": "editor", "password": PASSWORD, "csrf_token": token,
              "next": "/newsroom/account"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/newsroom/account"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("newswire_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS the cookie is Secure
    account = browser.get("/newsroom/account")
    assert account.status_code == 200
    assert ">editor</a>" in account.text


def test_login_never_redirects_off_the_newsroom(staff: Staff, app_client: TestClient) -> None:
    browser = StaffBrowser(app_client, "editor")
    page = browser.get("/newsroom/login?next=https://evil.example/")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = browser._send(
        "POST",
        "/newsroom/login",
        data={"name": "editor", "password": PASSWORD, "csrf_token": token,
              "next": "//evil.example/newsroom/"},
    )  # fmt: skip
    assert response.headers["location"] == "/newsroom/"


def test_the_session_cookie_is_secure_behind_tls(
    app_client: TestClient,
) -> None:
    # The same client (and event loop) as the application's, on an https address.
    site = "https://newsroom.example"
    page = app_client.get(f"{site}/newsroom/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = app_client.post(
        f"{site}/newsroom/login",
        data={"name": "editor", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("newswire_session=")
    )
    assert "Secure" in cookie


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app_client: TestClient,
) -> None:
    browser = StaffBrowser(app_client, "editor")
    response = browser.login("not the password")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert "newswire_session" not in browser.cookies
    unknown = StaffBrowser(app_client, "nobody").login("whatever")
    assert unknown.status_code == 401
    assert "Wrong user name or password." in unknown.text


def test_ten_wrong_passwords_in_a_row_slow_the_next_tries(
    app_client: TestClient, database: Database
) -> None:
    browser = StaffBrowser(app_client, "reporter")
    waits = []
    for n in range(10):
        response = browser.login(f"guess {n}")
        if response.status_code == 429:
            # Refused before the password was even checked; let the wait pass, then guess.
            waits.append(int(response.headers["retry-after"]))
            with database.write() as session:
                row = session.get(LoginThrottle, "user:reporter")
                assert row is not None
                row.last_failure_at -= timedelta(seconds=waits[-1])
            response = browser.login(f"guess {n}")
        assert response.status_code == 401
    # From the sixth failure on, each try waited, and the waits doubled.
    assert waits == [1, 2, 4, 8, 16]
    refused = browser.login()  # even the right password must wait its turn now
    assert refused.status_code == 429
    assert 30 <= int(refused.headers["retry-after"]) <= 32
    assert "Too many failed logins" in refused.text
    assert "newswire_session" not in browser.cookies
    with database.read() as session:
        row = session.get(LoginThrottle, "user:reporter")
        assert row is not None
        assert row.failures == 10
    # Another user is not held up by this one's failures.
    assert StaffBrowser(app_client, "editor").login().status_code == 303


def test_the_wait_passes_and_a_right_password_then_resets_the_count(
    app_client: TestClient, database: Database
) -> None:
    browser = StaffBrowser(app_client, "reporter")
    for n in range(6):
        browser.login(f"guess {n}")
    with database.write() as session:  # as if the wait had passed
        row = session.get(LoginThrottle, "user:reporter")
        assert row is not None
        row.last_failure_at = row.last_failure_at.replace(year=row.last_failure_at.year - 1)
    assert browser.login().status_code == 303
    with database.read() as session:
        row = session.get(LoginThrottle, "user:reporter")
        assert row is not None
        assert row.failures == 0


def test_a_form_posted_without_its_csrf_token_is_refused(staff: Staff, database: Database) -> None:
    editor = staff("editor")
    response = editor.post("/newsroom/account/language", {"language": "fr"}, csrf=False)
    assert response.status_code == 403
    assert "reload the page" in response.text
    forged = editor.post("/newsroom/account/language", {"language": "fr", "csrf_token": "x" * 43})
    assert forged.status_code == 403
    with database.read() as session:
        user = session.scalars(select(User).where(User.name == "editor")).one()
        assert user.ui_language is None
    # The login form is protected too (by its own cookie, as there is no session yet).
    stranger = StaffBrowser(editor.client, "editor")
    stranger.cookies.clear()
    login = stranger.post(
        "/newsroom/login", {"name": "editor", "password": PASSWORD, "csrf_token": "made-up"}
    )
    assert login.status_code == 403


def test_logout_ends_the_session_on_the_server(staff: Staff, database: Database) -> None:
    editor = staff("editor")
    cookie = editor.cookies["newswire_session"]
    response = editor.post("/newsroom/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/newsroom/login"
    # Replaying the old cookie does not bring the session back.
    editor.cookies["newswire_session"] = cookie
    again = editor.get("/newsroom/account")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/newsroom/login")


def test_password_change(staff: Staff, app_client: TestClient, database: Database) -> None:
    editor = staff("editor")
    other_device = staff("editor")
    wrong = editor.post(
        "/newsroom/account/password",
        {"current_password": "nope", "new_password": "a new secret phrase",
         "confirm_password": "a new secret phrase"},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "the current password is wrong" in wrong.text
    mismatch = editor.post(
        "/newsroom/account/password",
        {"current_password": PASSWORD, "new_password": "a new secret phrase",
         "confirm_password": "another phrase"},
    )  # fmt: skip
    assert mismatch.status_code == 422
    assert 'name="confirm_password"' in mismatch.text
    assert 'aria-invalid="true"' in mismatch.text
    done = editor.post(
        "/newsroom/account/password",
        {"current_password": PASSWORD, "new_password": "a new secret phrase",
         "confirm_password": "a new secret phrase"},
    )  # fmt: skip
    assert done.status_code == 303
    assert "Your password has been changed." in editor.get(done.headers["location"]).text
    # The other session ended; the old password no longer works, the new one does.
    assert other_device.get("/newsroom/account").status_code == 303
    assert StaffBrowser(app_client, "editor").login().status_code == 401
    assert StaffBrowser(app_client, "editor").login("a new secret phrase").status_code == 303
    with database.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "password.change")
        ).all()
        assert actions == ["password.change"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Выйти"), ("az", "Çıxış"), ("fr", "Se déconnecter")],
)
def test_each_user_picks_the_interface_language(staff: Staff, language: str, expected: str) -> None:
    editor = staff("editor")
    assert "Log out" in editor.get("/newsroom/account").text
    response = editor.post("/newsroom/account/language", {"language": language})
    assert response.status_code == 303
    page = editor.get("/newsroom/account")
    assert f'<html lang="{language}"' in page.text
    assert expected in page.text
    # Another user keeps English.
    assert "Log out" in staff("chief").get("/newsroom/account").text


def test_an_unknown_interface_language_is_refused(staff: Staff) -> None:
    response = staff("editor").post("/newsroom/account/language", {"language": "xx"})
    assert response.status_code == 422
    assert "language" in response.text


def test_before_login_the_page_follows_accept_language(app_client: TestClient) -> None:
    page = app_client.get("/newsroom/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in page.text


def test_newsroom_pages_are_never_cached_and_forbid_inline_script(staff: Staff) -> None:
    page = staff("editor").get("/newsroom/account")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_a_disabled_account_cannot_log_in_and_loses_its_session(
    staff: Staff, app_client: TestClient, database: Database
) -> None:
    editor = staff("editor")
    with database.write() as session:
        user = session.scalars(select(User).where(User.name == "editor")).one()
        user.active = False
    assert editor.get("/newsroom/account").status_code == 303
    assert StaffBrowser(app_client, "editor").login().status_code == 401
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(StaffSession)) >= 1


def test_many_guesses_at_once_get_no_more_tries_than_one_after_another(
    app_client: TestClient, database: Database
) -> None:
    """Each try takes the throttle's rows in turn, so parallel guesses cannot all slip through
    before the first failures are counted."""

    def attempt(_: int) -> bool:
        try:
            with database.write() as session:
                auth.begin_attempt(session, "reporter", "192.0.2.7")
        except auth.TooManyAttempts:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        let_through = sum(pool.map(attempt, range(20)))
    assert let_through == auth.FREE_FAILURES_PER_USER
    with database.read() as session:
        row = session.get(LoginThrottle, "user:reporter")
        assert row is not None
        assert row.failures == auth.FREE_FAILURES_PER_USER


def test_an_unknown_name_is_refused_as_slowly_as_a_wrong_password(
    app_client: TestClient, database: Database
) -> None:
    with database.write() as session:
        real = auth.begin_attempt(session, "editor", "")
        ghost = auth.begin_attempt(session, "nobody-here", "")
    assert real.user_id is not None
    assert ghost.user_id is None

    def seconds(attempt: auth.Attempt) -> float:
        started = time.perf_counter()
        for _ in range(20):
            assert not auth.password_matches(attempt, "wrong password")
        return time.perf_counter() - started

    seconds(ghost)  # the stand-in hash is made on first use
    fast, slow = sorted((seconds(real), seconds(ghost)))
    assert slow < fast * 3  # both run argon2; without the stand-in the ghost took ~0 s
