"""`newswire product|subscriber|channel|delivery ...`: who gets what, where, and what they got."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire import security
from newswire.agency.models import ApiKey, Bureau, Desk
from newswire.agency.services import SYSTEM
from newswire.cli.common import JsonOption, csv, database, emit, one_line_errors, out, settings
from newswire.db import Database, utcnow
from newswire.delivery import services as delivery
from newswire.delivery.models import Channel, Delivery, Product, Subscriber
from newswire.errors import InvalidInput
from newswire.stories.models import Version
from newswire.stories.topics import load_vocabulary

product_app = typer.Typer(
    help="Products: named filters over what is published (languages, topics, desks, bureaus, "
    "urgency, own or partner content).",
    no_args_is_help=True,
)
subscriber_app = typer.Typer(help="Subscribers: their products and API keys.", no_args_is_help=True)
channel_app = typer.Typer(
    help="Delivery channels (webhook, SFTP, e-mail): add, watch, pause, resume, rotate secrets.",
    no_args_is_help=True,
)
delivery_app = typer.Typer(
    help="The publish queue: what each channel was sent; replay and retry.", no_args_is_help=True
)

ChannelId = Annotated[int, typer.Argument(help="The channel's id (see `newswire channel list`).")]


@contextmanager
def _opened() -> Iterator[Database]:
    db = database()
    try:
        yield db
    finally:
        db.dispose()


def _rows(as_json: bool, documents: Sequence[dict[str, Any]], table: Table, empty: str) -> None:
    """A listing: one JSON list, or a table (a sentence when there is nothing to show)."""
    if as_json:
        sys.stdout.write(orjson.dumps(list(documents), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif documents:
        out.print(table)
    else:
        out.print(empty, markup=False)


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    # The first column names the row and is kept whole; a narrow terminal wraps the others.
    table.add_column(columns[0], no_wrap=True)
    for column in columns[1:]:
        table.add_column(column, overflow="fold")
    return table


def _cells(*values: object) -> list[Text]:
    """Table cells as plain text: an error message's "[Errno 111]" is not Rich markup."""
    return [Text("" if value is None else str(value)) for value in values]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _short_time(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment is not None else ""


def _moment(value: str | None, option: str) -> datetime | None:
    """An RFC 3339 time given on the command line, in UTC; it must say its time zone."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not an RFC 3339 time such as 2025-05-01T09:00:00Z", field=option
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            f"{value!r} has no time zone: end it with Z or an offset such as +04:00", field=option
        )
    return parsed.astimezone(UTC)


def _duration(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    hours, minutes = divmod(whole // 60, 60)
    return f"{hours} h {minutes} min" if hours < 48 else f"{hours // 24} d {hours % 24} h"


# --- products ---------------------------------------------------------------------------------


def _product_document(
    product: Product, desks: dict[int, str], bureaus: dict[int, str]
) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "languages": list(product.languages or ()),
        "topics": list(product.topics or ()),
        "desks": [desks.get(i, str(i)) for i in product.desk_ids or ()],
        "bureaus": [bureaus.get(i, str(i)) for i in product.bureau_ids or ()],
        "max_urgency": product.max_urgency,
        "content": product.content,
    }


def _codes(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    desks = {row.id: row.code for row in session.execute(select(Desk.id, Desk.code))}
    bureaus = {row.id: row.code for row in session.execute(select(Bureau.id, Bureau.code))}
    return desks, bureaus


@product_app.command("add")
@one_line_errors
def product_add(
    name: str,
    languages: Annotated[
        str | None, typer.Option(help="Only these working languages: az,ru (default: any).")
    ] = None,
    topics: Annotated[
        str | None,
        typer.Option(help="Only these Media Topics: medtop:04000000,medtop:11000000 (default any)"),
    ] = None,
    desks: Annotated[
        str | None, typer.Option(help="Only these desks' stories, by code: politics,economy.")
    ] = None,
    bureaus: Annotated[
        str | None, typer.Option(help="Only these bureaus' stories, by code: baku,paris.")
    ] = None,
    max_urgency: Annotated[
        int, typer.Option(help="Only stories at least this urgent: 1 (flash) to 9 (any).")
    ] = 9,
    content: Annotated[
        str, typer.Option(help="all, own (our stories) or partner (partner agencies' stories).")
    ] = "all",
    as_json: JsonOption = False,
) -> None:
    """Add a product: a named filter over published versions.

    Every filter left out matches anything.
    """
    config = settings()
    with _opened() as db, db.write() as session:
        product = delivery.add_product(
            session,
            SYSTEM,
            load_vocabulary(config.vocabulary_dir),
            name=name,
            languages=csv(languages),
            topics=csv(topics),
            desks=csv(desks),
            bureaus=csv(bureaus),
            max_urgency=max_urgency,
            content=content,
        )
        document = _product_document(product, *_codes(session))
    emit(as_json, document, f"product {document['name']} added")


@product_app.command("list")
@one_line_errors
def product_list(as_json: JsonOption = False) -> None:
    """List the products by name."""
    with _opened() as db, db.read() as session:
        codes = _codes(session)
        documents = [_product_document(p, *codes) for p in delivery.list_products(session)]
    table = _table("name", "languages", "topics", "desks", "bureaus", "urgency", "content")
    for d in documents:
        table.add_row(
            *_cells(
                d["name"],
                ",".join(d["languages"]) or "any",
                ",".join(d["topics"]) or "any",
                ",".join(d["desks"]) or "any",
                ",".join(d["bureaus"]) or "any",
                f"1-{d['max_urgency']}",
                d["content"],
            )
        )
    _rows(as_json, documents, table, "no products")


# --- subscribers ------------------------------------------------------------------------------


def _key_document(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "prefix": key.prefix,
        "rate_limit": key.rate_limit,
        "created_at": _when(key.created_at),
    }


def _subscriber_document(session: Session, subscriber: Subscriber, channels: int) -> dict[str, Any]:
    keys = delivery.live_keys(session, subscriber.id)
    return {
        "id": subscriber.id,
        "name": subscriber.name,
        "active": subscriber.active,
        "products": [p.name for p in subscriber.products],
        "channels": channels,
        "live_keys": len(keys),
        "keys": [_key_document(key) for key in keys],
    }


@subscriber_app.command("add")
@one_line_errors
def subscriber_add(
    name: str,
    languages: Annotated[str | None, typer.Option(help="Entitled languages: az,ru")] = None,
    topics: Annotated[
        str | None, typer.Option(help="Entitled Media Topics: medtop:04000000")
    ] = None,
    webhook: Annotated[str | None, typer.Option(help="A URL to push deliveries to.")] = None,
    format: Annotated[
        str, typer.Option("--format", help="The webhook's format: ninjs, ninjs3 or newsml.")
    ] = "ninjs",
    product: Annotated[
        list[str] | None, typer.Option(help="A product's name; repeat for more.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a subscriber; prints its API key (and webhook signing secret) once.

    Languages and topics (or no --product) make a product of its own, under its name.
    """
    config = settings()
    with _opened() as db, db.write() as session:
        created = delivery.add_subscriber(
            session,
            SYSTEM,
            load_vocabulary(config.vocabulary_dir),
            name=name,
            languages=csv(languages),
            topics=csv(topics),
            webhook=webhook,
            products=product or (),
            allow=config.outbound_allow,
            webhook_format=format,
        )
        doc = {
            "id": created.subscriber.id,
            "name": name,
            "products": [p.name for p in created.subscriber.products],
            "languages": csv(languages),
            "topics": csv(topics),
            "webhook": webhook,
            "channel_id": created.channel.id if created.channel else None,
            "api_key": created.api_key,
            "webhook_secret": created.webhook_secret,
        }
    human = f"subscriber {name} added\napi key: {created.api_key}"
    if created.webhook_secret:
        human += f"\nwebhook signing secret: {created.webhook_secret}"
    emit(as_json, doc, human)


@subscriber_app.command("list")
@one_line_errors
def subscriber_list(as_json: JsonOption = False) -> None:
    """List the subscribers: active or not, products, channels and live API keys."""
    with _opened() as db, db.read() as session:
        channels: dict[int, int] = {}
        for health in delivery.channel_health(session):
            sid = health.channel.subscriber_id
            channels[sid] = channels.get(sid, 0) + 1
        documents = [
            _subscriber_document(session, s.subscriber, channels.get(s.subscriber.id, 0))
            for s in delivery.list_subscribers(session)
        ]
    table = _table("name", "active", "products", "channels", "live keys")
    for d in documents:
        keys = ", ".join(f"#{k['id']} {k['prefix']}…" for k in d["keys"])
        table.add_row(
            *_cells(
                d["name"],
                "yes" if d["active"] else "no",
                ", ".join(d["products"]) or "none",
                d["channels"],
                f"{d['live_keys']}: {keys}" if keys else "0",
            )
        )
    _rows(as_json, documents, table, "no subscribers")


@subscriber_app.command("products")
@one_line_errors
def subscriber_products(
    name: Annotated[str, typer.Argument(help="The subscriber's name.")],
    products: Annotated[
        list[str], typer.Argument(help="Every product it is to have (replacing the ones it had).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Set a subscriber's products: what it may pull and what is pushed to its channels."""
    with _opened() as db, db.write() as session:
        subscriber = delivery.subscriber_by_name(session, name)
        delivery.set_products(session, SYSTEM, subscriber.id, products)
        count = len(delivery.channel_health(session, subscriber.id))
        document = _subscriber_document(session, subscriber, count)
    emit(
        as_json,
        document,
        f"subscriber {name} now has: {', '.join(document['products'])}",
    )


@subscriber_app.command("key")
@one_line_errors
def subscriber_key(
    name: Annotated[str, typer.Argument(help="The subscriber's name.")],
    rate_limit: Annotated[
        int | None,
        typer.Option(help="Requests a minute for this key (default: the api_rate_limit setting)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Issue another API key (to rotate keys without a gap); it is printed this once."""
    with _opened() as db, db.write() as session:
        subscriber = delivery.subscriber_by_name(session, name)
        key = delivery.issue_key(session, SYSTEM, subscriber.id, rate_limit)
        row = session.scalars(select(ApiKey).where(ApiKey.key_hash == security.hash_key(key))).one()
        document = {"subscriber": name, **_key_document(row), "api_key": key}
    emit(as_json, document, f"key #{document['id']} for {name}: {key}")


@subscriber_app.command("revoke-key")
@one_line_errors
def subscriber_revoke_key(
    name: Annotated[str, typer.Argument(help="The subscriber's name.")],
    key_id: Annotated[int, typer.Argument(help="The key's id (see `newswire subscriber list`).")],
    as_json: JsonOption = False,
) -> None:
    """Revoke one of a subscriber's API keys; it stops working at once."""
    with _opened() as db, db.write() as session:
        subscriber = delivery.subscriber_by_name(session, name)
        delivery.revoke_subscriber_key(session, SYSTEM, subscriber.id, key_id)
    emit(
        as_json,
        {"subscriber": name, "key_id": key_id, "revoked": True},
        f"key #{key_id} of {name} revoked",
    )


# --- channels ---------------------------------------------------------------------------------


def _channel_document(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "subscriber": channel.subscriber.name,
        "kind": channel.kind,
        "target": delivery.shown_target(channel),
        "format": channel.format,
        "embargoed_copy": channel.embargoed_copy,
        "host_key": channel.host_key,
        "paused": channel.paused,
        "paused_reason": channel.paused_reason,
        "paused_at": _when(channel.paused_at),
    }


@channel_app.command("add")
@one_line_errors
def channel_add(
    subscriber: Annotated[str, typer.Argument(help="The subscriber's name.")],
    webhook: Annotated[
        str | None, typer.Option(help="POST each delivery, signed, to this https:// URL.")
    ] = None,
    sftp: Annotated[
        str | None,
        typer.Option(help="Upload each delivery to sftp://user@host[:port]/folder."),
    ] = None,
    email: Annotated[
        str | None, typer.Option(help="Mail each delivery to these addresses: a@b.az,c@d.ru")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help="What is sent: ninjs, ninjs3 or newsml.")
    ] = "ninjs",
    password: Annotated[
        str | None, typer.Option(help="SFTP only: the password (not in the URL).")
    ] = None,
    host_key: Annotated[
        str | None,
        typer.Option(help="SFTP only: the server key's fingerprint, SHA256:… (checked on connect)"),
    ] = None,
    embargoed: Annotated[
        bool,
        typer.Option(
            "--embargoed", help="Send embargoed stories early, flagged as such, to this channel."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a delivery channel to a subscriber: a webhook, an SFTP folder or mailboxes.

    Give exactly one of --webhook, --sftp or --email.

    A webhook's signing secret is printed this once.
    """
    given = {"webhook": webhook, "sftp": sftp, "email": email}
    chosen = [(kind, target) for kind, target in given.items() if target is not None]
    if len(chosen) != 1:
        raise InvalidInput("give exactly one of --webhook, --sftp or --email", field="kind")
    kind, target = chosen[0]
    if kind != "sftp":
        for option, value in (("--password", password), ("--host-key", host_key)):
            if value is not None:
                raise InvalidInput(f"{option} is for SFTP channels only", field=option)
    config = settings()
    with _opened() as db, db.write() as session:
        channel = delivery.add_channel(
            session,
            SYSTEM,
            delivery.subscriber_by_name(session, subscriber),
            kind=kind,
            target=target,
            format=format,
            password=password,
            host_key=host_key,
            embargoed_copy=embargoed,
            allow=config.outbound_allow,
        )
        secret = channel.secret if kind == "webhook" else None
        document = {**_channel_document(channel), "webhook_secret": secret}
    human = f"channel {document['id']} ({kind}) added for {subscriber}"
    if secret:
        human += f"\nwebhook signing secret: {secret}"
    emit(as_json, document, human)


@channel_app.command("list")
@one_line_errors
def channel_list(
    subscriber: Annotated[str | None, typer.Option(help="Only this subscriber's channels.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List channels with their health, deliveries still open, lag and last error.

    Health is ok, retrying, failing, paused or idle.

    The lag is how long the oldest open delivery has waited.
    """
    now = utcnow()
    with _opened() as db, db.read() as session:
        subscriber_id = (
            delivery.subscriber_by_name(session, subscriber).id if subscriber is not None else None
        )
        documents = []
        for health in delivery.channel_health(session, subscriber_id):
            channel = health.channel
            documents.append(
                {
                    **_channel_document(channel),
                    "health": health.health,
                    "open": health.open,
                    "oldest_open": _when(health.oldest_open),
                    "lag_seconds": round(health.lag_seconds(now), 3),
                    "delivered_24h": health.delivered_24h,
                    "failed": health.failed,
                    "failures_in_a_row": channel.failures,
                    "last_delivered_at": _when(channel.last_delivered_at),
                    "last_error": channel.last_error,
                    "last_error_at": _when(channel.last_error_at),
                }
            )
    table = _table("id", "subscriber", "kind", "target", "health", "open", "lag", "last error")
    for d in documents:
        table.add_row(
            *_cells(
                d["id"],
                d["subscriber"],
                d["kind"],
                d["target"],
                d["health"] + (f" ({d['paused_reason']})" if d["paused"] else ""),
                d["open"],
                _duration(d["lag_seconds"]) if d["open"] else "",
                d["last_error"],
            )
        )
    _rows(as_json, documents, table, "no channels")


@channel_app.command("pause")
@one_line_errors
def channel_pause(
    channel_id: ChannelId,
    reason: Annotated[str | None, typer.Option(help="Why, shown in listings.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Pause a channel: its deliveries wait, in order, until it is resumed."""
    with _opened() as db, db.write() as session:
        document = _channel_document(delivery.set_paused(session, SYSTEM, channel_id, True, reason))
    emit(as_json, document, f"channel {channel_id} paused: {document['paused_reason']}")


@channel_app.command("resume")
@one_line_errors
def channel_resume(channel_id: ChannelId, as_json: JsonOption = False) -> None:
    """Resume a paused channel: what waited goes out at once, in order."""
    with _opened() as db, db.write() as session:
        document = _channel_document(delivery.set_paused(session, SYSTEM, channel_id, False))
    emit(as_json, document, f"channel {channel_id} resumed")


@channel_app.command("rotate-secret")
@one_line_errors
def channel_rotate_secret(channel_id: ChannelId, as_json: JsonOption = False) -> None:
    """Give a webhook a new signing secret, printed this once.

    The old secret keeps signing too for 24 hours: receivers switch without a rejection.
    """
    with _opened() as db, db.write() as session:
        secret = delivery.rotate_secret(session, SYSTEM, channel_id)
        until = delivery.channel_by_id(session, channel_id).previous_secret_until
    document = {
        "id": channel_id,
        "webhook_secret": secret,
        "previous_secret_until": _when(until),
    }
    human = (
        f"new webhook signing secret: {secret}\n"
        f"the old secret keeps signing too for 24 h, until {_short_time(until)} UTC"
    )
    emit(as_json, document, human)


# --- deliveries -------------------------------------------------------------------------------


def _delivery_document(row: Delivery, version: Version | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "message_id": row.message_id,
        "channel_id": row.channel_id,
        "uri": version.item.uri if version is not None else None,
        "version": version.number if version is not None else None,
        "kind": row.kind,
        "embargoed": row.embargoed,
        "state": row.state,
        "attempts": row.attempts,
        "created_at": _when(row.created_at),
        "first_attempt_at": _when(row.first_attempt_at),
        "next_attempt_at": _when(row.next_attempt_at) if row.state != "delivered" else None,
        "delivered_at": _when(row.delivered_at),
        "last_error": row.last_error,
        "replay_of": row.replay_of,
    }


@delivery_app.command("list")
@one_line_errors
def delivery_list(
    channel: Annotated[int | None, typer.Option(help="Only this channel's deliveries.")] = None,
    state: Annotated[
        str | None,
        typer.Option(help="Only in this state: pending, in_flight, retrying, delivered, failed."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List deliveries, newest first: what each channel was sent, and how it went."""
    with _opened() as db, db.read() as session:
        if channel is not None:
            delivery.channel_by_id(session, channel)
        rows = delivery.list_deliveries(session, channel_id=channel, state=state, limit=limit)
        ids = {row.version_id for row in rows}
        versions = {v.id: v for v in session.scalars(select(Version).where(Version.id.in_(ids)))}
        documents = [_delivery_document(row, versions.get(row.version_id)) for row in rows]
    table = _table("id", "channel", "item", "kind", "state", "tries", "created", "last error")
    for d in documents:
        table.add_row(
            *_cells(
                d["id"],
                d["channel_id"],
                f"{d['uri']} v{d['version']}",
                d["kind"] + (" (replay)" if d["replay_of"] else ""),
                d["state"],
                d["attempts"],
                _short_time(datetime.fromisoformat(d["created_at"])),
                d["last_error"],
            )
        )
    _rows(as_json, documents, table, "no deliveries")


@delivery_app.command("replay")
@one_line_errors
def delivery_replay(
    ids: Annotated[
        list[int] | None, typer.Argument(help="The deliveries to send again, by id.")
    ] = None,
    channel: Annotated[
        int | None, typer.Option(help="Instead of ids: this channel's deliveries in a time range.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="With --channel: made at or after this RFC 3339 time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="With --channel: made before this RFC 3339 time.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send deliveries again: `replay ID...` or `replay --channel ID --since TIME`.

    Each goes as a new delivery (a new webhook-id), behind what the channel has open.

    TIME is RFC 3339, e.g. 2025-05-01T09:00:00Z; --until TIME, if given, ends the range.
    """
    if ids and channel is not None:
        raise InvalidInput("give delivery ids or --channel, not both", field="--channel")
    if not ids and channel is None:
        raise InvalidInput("give delivery ids, or --channel with --since", field="--channel")
    if ids and (since is not None or until is not None):
        raise InvalidInput("--since and --until go with --channel", field="--since")
    start, end = _moment(since, "--since"), _moment(until, "--until")
    if channel is not None and start is None:
        raise InvalidInput("--channel needs --since: from when to replay", field="--since")
    if start is not None and end is not None and end <= start:
        raise InvalidInput("--until comes after --since", field="--until")
    with _opened() as db, db.write() as session:
        count = delivery.replay(
            session, SYSTEM, delivery_ids=ids or (), channel_id=channel, since=start, until=end
        )
    emit(as_json, {"queued": count}, f"queued {count} delivery(ies) again")


@delivery_app.command("retry")
@one_line_errors
def delivery_retry(
    channel: Annotated[int, typer.Option(help="The channel whose waiting retries go now.")],
    as_json: JsonOption = False,
) -> None:
    """Retry a channel's waiting deliveries now instead of at their next scheduled attempt."""
    with _opened() as db, db.write() as session:
        count = delivery.retry_now(session, SYSTEM, channel)
    emit(
        as_json,
        {"channel": channel, "retrying_now": count},
        f"{count} waiting delivery(ies) of channel {channel} will be retried now",
    )
