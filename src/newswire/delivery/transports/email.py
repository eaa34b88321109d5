"""E-mail: each delivery is a message to the channel's addresses, through the agency's SMTP
server, with the text in the body and the document attached."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from lxml.etree import _Element

from newswire.config import Settings
from newswire.db import run_in_thread
from newswire.delivery import outbound
from newswire.delivery.transports.base import DeliveryFailed, Payload, Send, Target
from newswire.delivery.transports.sftp import file_name
from newswire.formats.bodytext import parse_fragment

SUBJECT_PREFIX = {"corrected": "CORRECTION: ", "killed": "KILL: "}
# Non-ASCII text goes out quoted-printable or base64: a relay need not take 8-bit data.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption"}
    | {"table", "tr", "dt", "dd", "ul", "ol", "figure", "br"}
)


def addresses(target: str) -> list[str]:
    return [part.strip() for part in target.split(",") if part.strip()]


def message(settings: Settings, target: Target, payload: Payload, text: str) -> EmailMessage:
    mail = EmailMessage(policy=MAIL_POLICY)
    mail["From"] = settings.smtp_from
    mail["To"] = ", ".join(addresses(target.target))
    headline = " ".join(payload.headline.split())  # a header holds no line breaks
    mail["Subject"] = SUBJECT_PREFIX.get(payload.kind, "") + headline
    mail["Date"] = formatdate(usegmt=True)
    # The same on every attempt of a delivery, so a mailbox can tell a resent copy.
    mail["Message-ID"] = f"<{payload.message_id}@{_domain(settings.smtp_from)}>"
    mail["X-Newswire-Delivery"] = payload.message_id
    mail["X-Newswire-Event"] = payload.kind
    mail["X-Newswire-Uri"] = payload.uri
    mail["X-Newswire-Version"] = str(payload.version)
    if payload.embargoed is not None:
        mail["X-Newswire-Embargoed"] = payload.embargoed.isoformat()
    mail.set_content(text)
    maintype, _, subtype = payload.media_type.partition("/")
    mail.add_attachment(
        payload.body,
        maintype=maintype,
        subtype=subtype.split(";")[0].strip(),
        filename=file_name(payload),
    )
    return mail


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "newswire.invalid"


def plain_text(payload: Payload) -> str:
    lines = [payload.headline, ""]
    if payload.embargoed is not None:
        lines[:0] = [f"EMBARGOED UNTIL {payload.embargoed.isoformat()}", ""]
    document = parse_fragment(payload.body_html)
    if document is not None:
        for paragraph in paragraphs(document):
            lines += [paragraph, ""]
    lines.append(payload.uri)
    return "\n".join(lines) + "\n"


def paragraphs(root: _Element) -> list[str]:
    """The text of a parsed body, a paragraph per block element, whitespace folded; text in
    inline elements and loose text between blocks is kept too. (`formats.bodytext.plain_text`
    folds a body into one line; a message reads better with its paragraphs.)"""
    found: list[str] = []
    words: list[str] = []

    def end_paragraph() -> None:
        text = " ".join("".join(words).split())
        if text:
            found.append(text)
        words.clear()

    def walk(element: _Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no name
        if tag in ("script", "style") or not tag:
            return
        block = tag in BLOCKS
        if block:
            end_paragraph()
        if tag == "li":
            words.append("- ")
        words.append(element.text or "")
        for child in element:
            walk(child)
            words.append(child.tail or "")
        if block:
            end_paragraph()

    walk(root)
    end_paragraph()
    return found


class EmailTransport:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @asynccontextmanager
    async def session(self, target: Target) -> AsyncIterator[Send]:
        settings = self._settings
        if not settings.smtp_host:
            raise DeliveryFailed("no SMTP server is set (NEWSWIRE_SMTP_HOST)")
        server = f"{settings.smtp_host}:{settings.smtp_port}"
        try:
            client = await run_in_thread(self._connect)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryFailed(
                f"the SMTP server {server} refused the login: {_reply(error)}"
            ) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"the SMTP server {server} answered {_reply(error)}") from None
        except TimeoutError:
            raise DeliveryFailed(
                f"the SMTP server {server} did not answer within {settings.delivery_timeout:g} s"
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(
                f"cannot connect to the SMTP server {server}: {outbound.describe(error)}"
            ) from None
        try:

            async def send(payload: Payload) -> None:
                mail = message(settings, target, payload, plain_text(payload))
                try:
                    await run_in_thread(client.send_message, mail)
                except smtplib.SMTPRecipientsRefused as error:
                    refused = "; ".join(
                        f"{address}: {code} {_text(reply)}"
                        for address, (code, reply) in error.recipients.items()
                    )
                    raise DeliveryFailed(f"the SMTP server refused {refused}") from None
                except smtplib.SMTPResponseException as error:
                    raise DeliveryFailed(f"the SMTP server answered {_reply(error)}") from None
                except (OSError, smtplib.SMTPException) as error:
                    raise DeliveryFailed(f"SMTP failed: {outbound.describe(error)}") from None

            yield send
        finally:
            await run_in_thread(_quit, client)

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        client = smtplib.SMTP(
            settings.smtp_host or "", settings.smtp_port, timeout=settings.delivery_timeout
        )
        try:
            if settings.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                client.login(settings.smtp_user, password)
        except BaseException:
            client.close()
            raise
        return client

    async def close(self) -> None:
        return None


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
