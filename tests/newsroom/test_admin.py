"""The admin pages: users, bureaus, desks and subscribers, as an admin sees them in a browser
(products, channels and the delivery page: test_distribution_pages).

Every test acts through the newsroom's forms (`StaffBrowser`), checks what the page says and
what is stored, and runs on SQLite and PostgreSQL. Secrets shown once (a generated password,
an API key) are read from the page and then used the way their owner would: to log in, or
to read `/api/v1/items`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import httpx
import lxml.html
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from newswire.agency.models import ApiKey, AuditEntry, Bureau, Desk, StaffSession, User
from newswire.delivery.models import Subscriber
from tests.conftest import Newsroom
from tests.newsroom.conftest import StaffBrowser

Staff = Callable[[str], StaffBrowser]

ADMIN = "/newsroom/admin"
SECRET = re.compile(r'<code id="secret" translate="no">([^<]+)</code>')
SHOWN_ONCE = "Copy it now: it will not be shown again."
HOSTILE = "<img src=x onerror=alert(1)>"


def secret_of(response: httpx.Response) -> str:
    found = SECRET.search(response.text)
    assert found, response.text
    return found.group(1)


def user_id(newsroom: Newsroom, name: str) -> int:
    with newsroom.database.read() as session:
        found = session.scalar(select(User.id).where(User.name == name))
    assert found is not None
    return found


def count(newsroom: Newsroom, model: type[object]) -> int:
    with newsroom.database.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def stored(newsroom: Newsroom) -> dict[str, object]:
    """Everything an admin form could change."""
    with newsroom.database.read() as session:
        return {
            "users": session.execute(
                select(
                    User.name, User.role, User.active, User.password_hash, User.bureau_id
                ).order_by(User.id)
            ).all(),
            "bureaus": session.execute(
                select(Bureau.code, Bureau.city, Bureau.timezone).order_by(Bureau.id)
            ).all(),
            "desks": session.execute(select(Desk.code, Desk.name).order_by(Desk.id)).all(),
            "subscribers": session.execute(
                select(Subscriber.name, Subscriber.active).order_by(Subscriber.id)
            ).all(),
            "keys": session.execute(select(ApiKey.id, ApiKey.revoked_at).order_by(ApiKey.id)).all(),
            "sessions": count(newsroom, StaffSession),
            "audit": count(newsroom, AuditEntry),
        }


def api_items(client: TestClient, key: str) -> int:
    client.cookies.clear()
    return client.get("/api/v1/items", headers={"Authorization": f"Bearer {key}"}).status_code


def assert_shown_once(response: httpx.Response, secret: str) -> None:
    assert response.status_code == 200, response.text
    assert SHOWN_ONCE in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "location" not in response.headers


# --- users ---------------------------------------------------------------------------------


def test_admin_adds_a_user_whose_generated_password_is_shown_once_and_logs_in(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = staff("admin")
    form = admin.get(f"{ADMIN}/users")
    assert form.status_code == 200
    assert "Add a user" in form.text

    response = admin.post(
        f"{ADMIN}/users",
        {"name": "nadia", "role": "reporter", "desks": ["politics"], "bureau": "paris"},
    )
    password = secret_of(response)
    assert_shown_once(response, password)
    assert "nadia" in response.text

    # Shown once: no later page has it, and neither do the logs or the audit log.
    user_page = admin.get(f"{ADMIN}/users/{user_id(newsroom, 'nadia')}")
    assert user_page.status_code == 200
    for later in (admin.get(f"{ADMIN}/users"), user_page):
        assert password not in later.text
        assert "nadia" in later.text
    assert password not in caplog.text
    with newsroom.database.read() as session:
        user = session.scalars(select(User).where(User.name == "nadia")).one()
        assert [d.code for d in user.desks] == ["politics"]
        assert user.bureau is not None
        assert user.bureau.code == "paris"
        assert user.password_hash
        assert password not in user.password_hash
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "user.add", AuditEntry.object_id == user.id
            )
        ).one()
        assert entry.actor == "admin"
        assert password not in str(entry.detail)

    nadia = StaffBrowser(app_client, "nadia")
    assert nadia.login(password).status_code == 303
    account = nadia.get("/newsroom/account")
    assert account.status_code == 200
    assert "nadia" in account.text


def test_a_given_password_is_not_shown_and_a_translator_needs_languages(
    staff: Staff, newsroom: Newsroom, app_client: TestClient
) -> None:
    admin = staff("admin")
    before = stored(newsroom)
    refused = admin.post(
        f"{ADMIN}/users", {"name": "ivan", "role": "translator", "password": "long enough pw"}
    )
    assert refused.status_code == 422
    assert 'id="problem-languages"' in refused.text
    assert "a translator needs at least one target language" in refused.text
    assert 'value="ivan"' in refused.text  # the form keeps what was typed
    assert "long enough pw" not in refused.text  # ...except the password
    assert stored(newsroom) == before

    done = admin.post(
        f"{ADMIN}/users",
        {
            "name": "ivan",
            "role": "translator",
            "password": "long enough pw",
            "languages": ["ru", "fr"],
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{ADMIN}/users/{user_id(newsroom, 'ivan')}?done=created"
    page = admin.get(done.headers["location"])
    assert "Created." in page.text
    assert SHOWN_ONCE not in page.text
    with newsroom.database.read() as session:
        assert session.scalars(select(User.languages).where(User.name == "ivan")).one() == [
            "ru",
            "fr",
        ]
    assert StaffBrowser(app_client, "ivan").login("long enough pw").status_code == 303


def test_a_bad_user_form_comes_back_with_the_message_next_to_the_field(
    staff: Staff, newsroom: Newsroom
) -> None:
    admin = staff("admin")
    before = stored(newsroom)
    taken = admin.post(f"{ADMIN}/users", {"name": "editor", "role": "editor"})
    assert taken.status_code == 409
    assert 'id="problem-name"' in taken.text
    assert "a user &#39;editor&#39; exists already" in taken.text
    forged = admin.post(f"{ADMIN}/users", {"name": "x", "role": "emperor"})
    assert forged.status_code == 422
    assert 'id="problem-role"' in forged.text
    short = admin.post(f"{ADMIN}/users", {"name": "x", "role": "editor", "password": "short"})
    assert short.status_code == 422
    assert 'id="problem-password"' in short.text
    no_desk = admin.post(f"{ADMIN}/users", {"name": "x", "role": "editor", "desks": ["sport"]})
    assert no_desk.status_code == 422
    assert 'id="problem-desks"' in no_desk.text
    assert stored(newsroom) == before


def test_admin_edits_role_desks_and_bureau(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    reporter = user_id(newsroom, "reporter")
    page = admin.get(f"{ADMIN}/users/{reporter}")
    assert page.status_code == 200
    assert 'value="politics" checked' in page.text

    response = admin.post(
        f"{ADMIN}/users/{reporter}", {"role": "editor", "desks": ["economy"], "bureau": "paris"}
    )
    assert response.status_code == 303
    assert "Saved." in admin.get(response.headers["location"]).text
    with newsroom.database.read() as session:
        user = session.get(User, reporter)
        assert user is not None
        assert user.role == "editor"
        assert [d.code for d in user.desks] == ["economy"]
        assert user.bureau is not None
        assert user.bureau.code == "paris"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.update")).one()
        assert entry.detail["role"] == ["reporter", "editor"]
    listing = admin.get(f"{ADMIN}/users")
    assert "Economy" in listing.text


def test_deactivating_a_user_ends_their_session_and_their_token(
    staff: Staff, newsroom: Newsroom, app_client: TestClient
) -> None:
    editor = staff("editor")
    assert editor.get("/newsroom/account").status_code == 200
    token = newsroom.tokens["editor"]
    assert api_items(app_client, token) == 200  # now in the key cache, too

    admin = staff("admin")
    editor_id = user_id(newsroom, "editor")
    response = admin.post(f"{ADMIN}/users/{editor_id}/deactivate")
    assert response.status_code == 303
    page = admin.get(response.headers["location"])
    assert "deactivated" in page.text
    assert "Reactivate" in page.text

    with newsroom.database.read() as session:
        assert session.scalar(select(func.count()).where(StaffSession.user_id == editor_id)) == 0
        assert session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "user.deactivate")
        ).all() == ["admin"]
    next_page = editor.get("/newsroom/account")
    assert next_page.status_code == 303
    assert next_page.headers["location"].startswith("/newsroom/login")
    assert api_items(app_client, token) == 401
    assert StaffBrowser(app_client, "editor").login().status_code == 401

    assert admin.post(f"{ADMIN}/users/{editor_id}/reactivate").status_code == 303
    assert api_items(app_client, token) == 200
    assert StaffBrowser(app_client, "editor").login().status_code == 303


def test_reset_password_shows_a_new_one_once_and_ends_the_sessions(
    staff: Staff, newsroom: Newsroom, app_client: TestClient
) -> None:
    reporter = staff("reporter")
    admin = staff("admin")
    response = admin.post(f"{ADMIN}/users/{user_id(newsroom, 'reporter')}/password")
    password = secret_of(response)
    assert_shown_once(response, password)
    assert "The password of reporter has been reset" in response.text
    assert password not in admin.get(f"{ADMIN}/users/{user_id(newsroom, 'reporter')}").text

    assert reporter.get("/newsroom/account").status_code == 303
    assert StaffBrowser(app_client, "reporter").login().status_code == 401
    assert StaffBrowser(app_client, "reporter").login(password).status_code == 303


def test_an_admin_cannot_deactivate_demote_or_reset_themselves(
    staff: Staff, newsroom: Newsroom
) -> None:
    admin = staff("admin")
    me = user_id(newsroom, "admin")
    before = stored(newsroom)

    deactivate = admin.post(f"{ADMIN}/users/{me}/deactivate")
    assert deactivate.status_code == 422
    assert "you cannot deactivate yourself: ask another admin" in deactivate.text
    assert 'id="problem-active"' in deactivate.text

    demote = admin.post(f"{ADMIN}/users/{me}", {"role": "editor"})
    assert demote.status_code == 422
    assert "you cannot take the admin role from yourself" in demote.text
    assert 'id="problem-role"' in demote.text

    reset = admin.post(f"{ADMIN}/users/{me}/password")
    assert reset.status_code == 422
    assert "account page" in reset.text

    assert stored(newsroom) == before
    assert admin.get(f"{ADMIN}/users").status_code == 200  # still logged in, still an admin


# --- bureaus -------------------------------------------------------------------------------


def test_add_a_bureau_and_refuse_an_unknown_time_zone(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    form = {
        "code": "berlin",
        "country": "de",
        "city_en": "Berlin",
        "city_de": "Berlin",
        "city_ar": "برلين",
        "timezone": "Europe/Atlantis",
        "default_language": "de",
    }
    before = stored(newsroom)
    refused = admin.post(f"{ADMIN}/bureaus", form)
    assert refused.status_code == 422
    assert 'id="problem-timezone"' in refused.text
    assert 'name="timezone"' in refused.text
    assert "unknown time zone &#39;Europe/Atlantis&#39;" in refused.text
    assert 'value="برلين"' in refused.text  # what was typed is kept
    assert stored(newsroom) == before

    done = admin.post(f"{ADMIN}/bureaus", {**form, "timezone": "Europe/Berlin"})
    assert done.status_code == 303
    with newsroom.database.read() as session:
        bureau = session.scalars(select(Bureau).where(Bureau.code == "berlin")).one()
        assert bureau.country == "DE"
        assert bureau.city == {"en": "Berlin", "de": "Berlin", "ar": "برلين"}
        assert bureau.timezone == "Europe/Berlin"
    page = admin.get(done.headers["location"])
    assert 'name="city_ar" maxlength="200" lang="ar" dir="rtl" value="برلين"' in page.text
    listing = admin.get(f"{ADMIN}/bureaus")
    assert "Europe/Berlin" in listing.text
    assert "Asia/Baku" in listing.text


def test_edit_a_bureau(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    with newsroom.database.read() as session:
        paris = session.scalars(select(Bureau).where(Bureau.code == "paris")).one()
    refused = admin.post(
        f"{ADMIN}/bureaus/{paris.id}",
        {"city_fr": "Paris", "timezone": "Europe/Paris", "default_language": "ja"},
    )
    assert refused.status_code == 422
    assert 'id="problem-default_language"' in refused.text
    done = admin.post(
        f"{ADMIN}/bureaus/{paris.id}",
        {"city_fr": "Paris", "city_en": "Paris (FR)", "timezone": "Europe/Brussels",
         "default_language": "en"},
    )  # fmt: skip
    assert done.status_code == 303
    with newsroom.database.read() as session:
        bureau = session.get(Bureau, paris.id)
        assert bureau is not None
        assert bureau.city == {"fr": "Paris", "en": "Paris (FR)"}
        assert (bureau.timezone, bureau.default_language) == ("Europe/Brussels", "en")


def test_bad_bureau_codes_and_countries(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    base = {"city_en": "Rome", "timezone": "Europe/Rome", "default_language": "en"}
    before = stored(newsroom)
    for form, field, status in (
        ({"code": "Rome Office", "country": "IT"}, "code", 422),
        ({"code": "baku", "country": "AZ"}, "code", 409),
        ({"code": "rome", "country": "I1"}, "country", 422),
        ({"code": "rome", "country": "IT", "city_en": " "}, "city", 422),
    ):
        response = admin.post(f"{ADMIN}/bureaus", {**base, **form})
        assert response.status_code == status, form
        assert f'id="problem-{field}"' in response.text, form
    assert stored(newsroom) == before


# --- desks ---------------------------------------------------------------------------------


def test_add_a_desk_and_edit_its_names(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    done = admin.post(
        f"{ADMIN}/desks", {"code": "culture", "name_en": "Culture", "name_ar": "ثقافة"}
    )
    assert done.status_code == 303
    with newsroom.database.read() as session:
        desk = session.scalars(select(Desk).where(Desk.code == "culture")).one()
        assert desk.name == {"en": "Culture", "ar": "ثقافة"}
    listing = admin.get(f"{ADMIN}/desks")
    assert "Culture" in listing.text
    assert re.search(r"Politics</td>\s*<td><span class=\"count\">2</span>", listing.text)

    page = admin.get(f"{ADMIN}/desks/{desk.id}")
    assert 'name="name_ar" maxlength="200" lang="ar" dir="rtl" value="ثقافة"' in page.text
    assert "Nobody belongs to this desk yet." in page.text
    edited = admin.post(
        f"{ADMIN}/desks/{desk.id}", {"name_en": "Culture and arts", "name_fr": "Culture"}
    )
    assert edited.status_code == 303
    with newsroom.database.read() as session:
        renamed = session.get(Desk, desk.id)
        assert renamed is not None
        assert renamed.name == {"en": "Culture and arts", "fr": "Culture"}
        assert session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "desk")
        ).all()[-2:] == ["desk.add", "desk.update"]
    assert "Culture and arts" in admin.get(f"{ADMIN}/desks").text

    before = stored(newsroom)
    nameless = admin.post(f"{ADMIN}/desks/{desk.id}", {"name_en": ""})
    assert nameless.status_code == 422
    assert 'id="problem-name"' in nameless.text
    taken = admin.post(f"{ADMIN}/desks", {"code": "politics", "name_en": "Politics again"})
    assert taken.status_code == 409
    assert 'id="problem-code"' in taken.text
    assert stored(newsroom) == before


def test_desk_members_are_listed(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    with newsroom.database.read() as session:
        politics = session.scalars(select(Desk).where(Desk.code == "politics")).one()
    page = admin.get(f"{ADMIN}/desks/{politics.id}")
    members = page.text.split('class="members"')[1]
    assert "reporter" in members
    assert "editor" in members
    assert "economy_editor" not in members


def test_a_hostile_desk_name_renders_inert(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    done = admin.post(f"{ADMIN}/desks", {"code": "hostile", "name_en": HOSTILE})
    assert done.status_code == 303
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    with newsroom.database.read() as session:
        desk_id = session.scalar(select(Desk.id).where(Desk.code == "hostile"))
    for path in (
        f"{ADMIN}/desks",
        f"{ADMIN}/desks/{desk_id}",
        f"{ADMIN}/users",
        f"{ADMIN}/users/{user_id(newsroom, 'reporter')}",
    ):
        page = admin.get(path)
        assert page.status_code == 200, path
        assert escaped in page.text, path
        assert "<img" not in page.text, path
        assert "onerror=alert" not in page.text.replace(escaped, ""), path
        assert "script-src 'self'" in page.headers["content-security-policy"]


# --- subscribers ---------------------------------------------------------------------------


def test_add_a_subscriber_whose_key_is_shown_once_and_reads_items(
    staff: Staff, newsroom: Newsroom, app_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = staff("admin")
    response = admin.post(
        f"{ADMIN}/subscribers",
        {"name": "Le Monde", "languages": ["fr"], "topics": ["medtop:04000000"]},
    )
    key = secret_of(response)
    assert_shown_once(response, key)
    assert key.startswith("nwk_")
    assert "Subscriber Le Monde has been added" in response.text
    assert key not in caplog.text
    assert api_items(app_client, key) == 200

    with newsroom.database.read() as session:
        subscriber = session.scalars(select(Subscriber).where(Subscriber.name == "Le Monde")).one()
        # Its languages and topics make a product of its own, named after it.
        assert [(p.name, p.languages, p.topics) for p in subscriber.products] == [
            ("Le Monde", ["fr"], ["medtop:04000000"])
        ]
    listing = admin.get(f"{ADMIN}/subscribers")
    assert key not in listing.text
    row = listing.text.split("Le Monde</a>")[1].split("</tr>")[0]
    assert 'class="count">1<' in row
    (cell,) = [
        td
        for tr in lxml.html.fromstring(listing.text).cssselect("tbody tr")
        if "Le Monde" in tr.itertext()
        for td in tr.cssselect("td.products")
    ]
    shown = " ".join("".join(str(part) for part in cell.itertext()).split())
    assert shown == "Le Monde Languages: Français Topics: economy, business and finance"
    page = admin.get(f"{ADMIN}/subscribers/{subscriber.id}")
    assert key not in page.text
    assert f"<code>{key[:10]}…</code>" in page.text


def test_issue_and_revoke_keys_and_deactivate_a_subscriber(
    staff: Staff, newsroom: Newsroom, app_client: TestClient
) -> None:
    admin = staff("admin")
    first = secret_of(admin.post(f"{ADMIN}/subscribers", {"name": "Reuters"}))
    with newsroom.database.read() as session:
        subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.name == "Reuters"))
    issued = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/keys")
    second = secret_of(issued)
    assert_shown_once(issued, second)
    assert second != first
    assert api_items(app_client, first) == 200
    assert api_items(app_client, second) == 200

    with newsroom.database.read() as session:
        first_id = session.scalar(select(ApiKey.id).where(ApiKey.prefix == first[:10]))
    revoked = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/keys/{first_id}/revoke")
    assert revoked.status_code == 303
    assert api_items(app_client, first) == 401
    assert api_items(app_client, second) == 200
    page = admin.get(revoked.headers["location"])
    assert first[:10] not in page.text
    assert second[:10] in page.text
    again = admin.post(f"{ADMIN}/subscribers/{subscriber_id}/keys/{first_id}/revoke")
    assert again.status_code == 404

    assert admin.post(f"{ADMIN}/subscribers/{subscriber_id}/deactivate").status_code == 303
    assert api_items(app_client, second) == 401
    assert "deactivated" in admin.get(f"{ADMIN}/subscribers").text
    assert admin.post(f"{ADMIN}/subscribers/{subscriber_id}/reactivate").status_code == 303
    assert api_items(app_client, second) == 200
    with newsroom.database.read() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.in_(["key.revoke", "subscriber.deactivate", "key.create"]))
            .order_by(AuditEntry.id)
        ).all()
    assert actions[-4:] == ["key.create", "key.create", "key.revoke", "subscriber.deactivate"]


def test_a_bad_subscriber_form_changes_nothing(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    before = stored(newsroom)
    topic = admin.post(f"{ADMIN}/subscribers", {"name": "X", "more_topics": "sport, medtop:1"})
    assert topic.status_code == 422
    assert 'id="problem-topics"' in topic.text
    language = admin.post(f"{ADMIN}/subscribers", {"name": "X", "languages": ["ja"]})
    assert language.status_code == 422
    assert 'id="problem-languages"' in language.text
    taken = admin.post(f"{ADMIN}/subscribers", {"name": "everything"})
    assert taken.status_code == 409
    assert 'id="problem-name"' in taken.text
    assert SHOWN_ONCE not in taken.text
    assert stored(newsroom) == before


# --- who may -------------------------------------------------------------------------------


def admin_paths(newsroom: Newsroom) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
    with newsroom.database.read() as session:
        bureau = session.scalar(select(Bureau.id).limit(1))
        desk = session.scalar(select(Desk.id).limit(1))
        subscriber = session.scalar(select(Subscriber.id).limit(1))
        key = session.scalar(select(ApiKey.id).where(ApiKey.subscriber_id == subscriber))
    user = user_id(newsroom, "reporter")
    pages = [
        ADMIN,
        f"{ADMIN}/users",
        f"{ADMIN}/users/{user}",
        f"{ADMIN}/bureaus",
        f"{ADMIN}/bureaus/{bureau}",
        f"{ADMIN}/desks",
        f"{ADMIN}/desks/{desk}",
        f"{ADMIN}/subscribers",
        f"{ADMIN}/subscribers/{subscriber}",
    ]
    posts: list[tuple[str, dict[str, object]]] = [
        (f"{ADMIN}/users", {"name": "mole", "role": "admin", "password": "long enough pw"}),
        (f"{ADMIN}/users/{user}", {"role": "admin"}),
        (f"{ADMIN}/users/{user}/deactivate", {}),
        (f"{ADMIN}/users/{user}/reactivate", {}),
        (f"{ADMIN}/users/{user}/password", {}),
        (f"{ADMIN}/bureaus", {"code": "x", "country": "FR", "city_en": "X",
                              "timezone": "UTC", "default_language": "en"}),
        (f"{ADMIN}/bureaus/{bureau}", {"city_en": "X", "timezone": "UTC",
                                       "default_language": "en"}),
        (f"{ADMIN}/desks", {"code": "x", "name_en": "X"}),
        (f"{ADMIN}/desks/{desk}", {"name_en": "X"}),
        (f"{ADMIN}/subscribers", {"name": "mole"}),
        (f"{ADMIN}/subscribers/{subscriber}/keys", {}),
        (f"{ADMIN}/subscribers/{subscriber}/keys/{key}/revoke", {}),
        (f"{ADMIN}/subscribers/{subscriber}/deactivate", {}),
        (f"{ADMIN}/subscribers/{subscriber}/reactivate", {}),
    ]  # fmt: skip
    return pages, posts


def test_an_editor_gets_403_on_every_admin_page_and_post(staff: Staff, newsroom: Newsroom) -> None:
    editor = staff("editor")
    pages, posts = admin_paths(newsroom)
    before = stored(newsroom)
    for path in pages:
        response = editor.get(path)
        assert response.status_code == 403, path
        assert "Not allowed" in response.text
    for path, form in posts:
        assert editor.post(path, form).status_code == 403, path  # with its own CSRF token
        assert editor.post(path, form, csrf=False).status_code == 403, path
    assert stored(newsroom) == before
    assert "/newsroom/admin" not in editor.get("/newsroom/account").text  # no Admin link


@pytest.mark.parametrize("who", ["reporter", "translator", "chief"])
def test_other_roles_get_403_too(staff: Staff, newsroom: Newsroom, who: str) -> None:
    browser = staff(who)
    pages, posts = admin_paths(newsroom)
    before = stored(newsroom)
    for path in pages[:2]:
        assert browser.get(path).status_code == 403, path
    for path, form in posts[:3]:
        assert browser.post(path, form).status_code == 403, path
    assert stored(newsroom) == before


def test_anonymous_visitors_are_sent_to_login(app_client: TestClient, newsroom: Newsroom) -> None:
    pages, posts = admin_paths(newsroom)
    app_client.cookies.clear()
    for path in pages:
        response = app_client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/newsroom/login?next=")
    before = stored(newsroom)
    for path, form in posts:
        assert app_client.post(path, data=form, follow_redirects=False).status_code == 403
    assert stored(newsroom) == before


def test_the_admin_pages_link_to_each_other(staff: Staff, newsroom: Newsroom) -> None:
    admin = staff("admin")
    assert admin.get(ADMIN).headers["location"] == f"{ADMIN}/users"
    tabs = ("users", "bureaus", "desks", "subscribers", "products", "delivery")
    for tab in tabs:
        page = admin.get(f"{ADMIN}/{tab}")
        assert page.status_code == 200
        nav = page.text.split('class="admin-tabs"')[1].split("</nav>")[0]
        for other in tabs:
            assert f'href="{ADMIN}/{other}"' in nav
        assert f'href="{ADMIN}/{tab}" aria-current="page"' in nav
        assert nav.count("aria-current") == 1
        assert 'style="' not in page.text
        assert "<script>" not in page.text
