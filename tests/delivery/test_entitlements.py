"""Products decide what a subscriber gets, the same way when it pulls and when we push."""

from __future__ import annotations

from starlette.testclient import TestClient

from newswire.agency.services import SYSTEM
from newswire.delivery import services as delivery
from tests.conftest import Newsroom, ninjs_story
from tests.delivery.helpers import subscribe
from tests.delivery.receiver import Receiver


def _publish(client: TestClient, newsroom: Newsroom, who: str, desk: str, **fields: object) -> str:
    headers = newsroom.headers(who)
    created = client.post(
        f"/api/v1/stories?desk={desk}", json=ninjs_story("en", **fields), headers=headers
    )
    assert created.status_code == 201, created.text
    story = created.json()
    published = client.post(
        f"/api/v1/stories/{story['story_id']}/items/en/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    return str(story["uri"])


def _key(newsroom: Newsroom, name: str, **product: object) -> str:
    with newsroom.database.write() as session:
        delivery.add_product(session, SYSTEM, newsroom.ctx.vocabulary, name=name, **product)  # type: ignore[arg-type]
        return delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name=name, products=[name]
        ).api_key


def _feed(client: TestClient, key: str) -> list[str]:
    page = client.get("/api/v1/feed?cursor=0", headers={"Authorization": f"Bearer {key}"})
    assert page.status_code == 200, page.text
    return [event["uri"] for event in page.json()["events"]]


def test_desk_urgency_and_origin_filters_apply_to_pull_and_push_alike(
    client: TestClient, newsroom: Newsroom, receiver: Receiver
) -> None:
    economy = _key(newsroom, "economy", desks=["economy"])
    urgent = _key(newsroom, "urgent", max_urgency=3)
    partner = _key(newsroom, "partner wires", content="partner")
    subscribe(newsroom.database, newsroom.ctx.vocabulary, receiver, "pushed", products=["economy"])

    politics_routine = _publish(client, newsroom, "editor", "politics", urgency=5)
    economy_flash = _publish(client, newsroom, "economy_editor", "economy", urgency=1)
    economy_routine = _publish(client, newsroom, "economy_editor", "economy", urgency=6)

    assert _feed(client, economy) == [economy_flash, economy_routine]
    assert _feed(client, urgent) == [economy_flash]
    assert _feed(client, partner) == []  # all of it is the agency's own
    assert _feed(client, newsroom.subscriber_keys["all"]) == [
        politics_routine,
        economy_flash,
        economy_routine,
    ]
    # the same items, one by one and in the list
    headers = {"Authorization": f"Bearer {economy}"}
    assert client.get(f"/api/v1/items/{politics_routine}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/items/{economy_flash}", headers=headers).status_code == 200
    listed = client.get("/api/v1/items", headers=headers).json()["items"]
    assert [item["uri"] for item in listed] == [economy_routine, economy_flash]
    # and pushed: only what the product takes
    got = receiver.wait_for("pushed", 2)
    assert [r.uri for r in got] == [economy_flash, economy_routine]


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(
    client: TestClient, newsroom: Newsroom
) -> None:
    with newsroom.database.write() as session:
        subscriber = delivery.add_subscriber(
            session, SYSTEM, newsroom.ctx.vocabulary, name="thrifty"
        ).subscriber
        key = delivery.issue_key(session, SYSTEM, subscriber.id, rate_limit=3)
        other = delivery.issue_key(session, SYSTEM, subscriber.id)
    headers = {"Authorization": f"Bearer {key}"}
    answers = [client.get("/api/v1/feed?cursor=0", headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["detail"].startswith("this key may make 3 requests a minute")
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    # the limit is the key's: the subscriber's other key still works
    assert (
        client.get("/api/v1/feed", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    )
