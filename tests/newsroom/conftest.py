"""Newsroom fixtures: browsers-without-a-browser, each a user logged in through the login form.

`staff("editor")` returns a `StaffBrowser` for a user of the `newsroom` fixture (password
"correct horse battery"); it keeps its own session cookie, so several users can act in one
test against one application, and it sends the CSRF token of its session with every form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from newswire.api.app import create_app
from newswire.config import Settings
from newswire.db import Database
from tests.conftest import Newsroom

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')
_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class StaffBrowser:
    """One user's cookies over a shared TestClient."""

    def __init__(self, client: TestClient, name: str) -> None:
        self.client = client
        self.name = name
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        for key, value in self.cookies.items():
            self.client.cookies.set(key, value)
        kwargs.setdefault("follow_redirects", False)
        response = self.client.request(method, path, **kwargs)
        for key, value in response.cookies.items():
            self.cookies[key] = value
        for header in response.headers.get_list("set-cookie"):
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(header.split("=", 1)[0], None)
        found = (
            _CSRF.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found and found.group(1):
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._send("GET", path, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """POST a form; `csrf=False` leaves the token out, as a forged request would."""
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return self._send("POST", path, data=form, **kwargs)

    def login(self, password: str = PASSWORD) -> httpx.Response:
        page = self.get("/newsroom/login")
        token = _FORM_CSRF.search(page.text)
        assert token, page.text
        return self._send(
            "POST",
            "/newsroom/login",
            data={"name": self.name, "password": password, "csrf_token": token.group(1)},
            follow_redirects=False,
        )


@pytest.fixture
def app_client(settings: Settings, database: Database, newsroom: Newsroom) -> Iterator[TestClient]:
    app = create_app(settings, database)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def staff(app_client: TestClient) -> Callable[[str], StaffBrowser]:
    """A logged-in StaffBrowser for a user of the `newsroom` fixture."""

    def log_in(name: str) -> StaffBrowser:
        browser = StaffBrowser(app_client, name)
        response = browser.login()
        assert response.status_code == 303, response.text
        browser.get("/newsroom/account")  # picks up the session's CSRF token
        return browser

    return log_in
