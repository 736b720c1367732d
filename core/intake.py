"""The one way a channel hands the core an inbound message: store first, then tell the plugins.

``receive`` commits the message before any plugin sees it, recognises a repeated delivery by
``(channel, external_id)`` and returns the stored row instead of a duplicate. A plugin that raises
afterwards cannot lose the message: it is already in the database.

When the database cannot be written (down, read-only, full) the message goes to the encrypted
local spool instead (``core.spool``) and ``receive`` raises ``Spooled``: the channel may then tell
its gateway "received", because ``sesim worker`` stores it once the database is back. If the spool
cannot keep it either, ``NotKept`` is raised and the channel must answer so its gateway retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from core import spool
from core.crypto import keyed_hash
from core.extensions import db
from core.models import Message
from core.models.base import utcnow
from core.plugins import call_hook, first_result
from core.redaction import redact
from core.text import clean, clean_data

log = logging.getLogger("sesim.intake")

MAX_TEXT = 20_000  # characters kept; longer bodies are cut, with a note for moderators


@dataclass
class Inbound:
    """A message as a channel received it, before it is stored."""

    channel: str
    external_id: str
    text: str
    sender: str | None = None
    received_at: datetime | None = None
    subject: str | None = None
    language: str | None = None
    data: dict = field(default_factory=dict)
    # ``(filename, content_type, bytes)``; photos are cleaned by ``core.media`` as they are stored.
    attachments: list = field(default_factory=list)


class Spooled(Exception):
    """Not in the database, but durably kept in the spool: answer the gateway with success."""

    def __init__(self, name: str):
        super().__init__(f"kept in the spool as {name}")
        self.name = name


class NotKept(Exception):
    """Neither the database nor the spool could keep it: the gateway must send it again."""


def sender_hash(sender: str | None) -> str | None:
    if not sender:
        return None
    return keyed_hash(sender.strip().lower(), "sender")


def _find(channel: str, external_id: str) -> Message | None:
    return Message.query.filter_by(channel=channel, external_id=external_id).one_or_none()


def receive(inbound: Inbound) -> tuple[Message, bool]:
    """Store ``inbound``; return ``(message, created)``. ``created`` is False for a repeat.

    Raises ``Spooled`` when the database is unavailable but the spool kept the message, and
    ``NotKept`` when neither could.
    """
    try:
        return _receive(inbound)
    except Exception as exc:
        if not spool.is_database_down(exc):
            raise
        spool.forget_session()
        try:
            name = spool.put("inbound", f"{inbound.channel}:{inbound.external_id}",
                             _serialise(inbound))
        except spool.SpoolError as error:
            raise NotKept(str(error)) from exc
        raise Spooled(name) from exc


def _serialise(inbound: Inbound) -> dict:
    return {
        "channel": inbound.channel,
        "external_id": str(inbound.external_id),
        "text": inbound.text,
        "sender": inbound.sender,
        "received_at": (inbound.received_at or utcnow()).isoformat(),
        "subject": inbound.subject,
        "language": inbound.language,
        "data": {**clean_data(dict(inbound.data)), "spooled": True},
        "attachments": [[name, kind, spool.encode_bytes(payload)]
                        for name, kind, payload in inbound.attachments],
    }


def replay_inbound(payload: dict) -> None:
    """Store a spooled message (the spool's ``inbound`` handler); a repeat is recognised."""
    _receive(Inbound(
        channel=payload["channel"], external_id=payload["external_id"], text=payload["text"],
        sender=payload["sender"], received_at=datetime.fromisoformat(payload["received_at"]),
        subject=payload["subject"], language=payload["language"], data=payload["data"],
        attachments=[(name, kind, spool.decode_bytes(blob))
                     for name, kind, blob in payload["attachments"]],
    ))


def _receive(inbound: Inbound) -> tuple[Message, bool]:
    external_id = clean(str(inbound.external_id))[:255]
    existing = _find(inbound.channel, external_id)
    if existing is not None:
        if not (existing.data or {}).get("processed"):
            # Stored, but the process died before the follow-up ran: run it now.
            annotate(existing)
            after_store(existing)
        return existing, False

    text = clean(inbound.text or "")
    data = clean_data(dict(inbound.data))
    if len(text) > MAX_TEXT:
        data["truncated_from"] = len(text)
        text = text[:MAX_TEXT]
    message = Message(
        channel=inbound.channel,
        external_id=external_id,
        direction="in",
        sender=clean(inbound.sender),
        sender_hash=sender_hash(clean(inbound.sender)),
        text=text,
        subject=(inbound.subject or None) and clean(inbound.subject)[:255],
        language=inbound.language,
        received_at=inbound.received_at or utcnow(),
        data=data,
    )
    db.session.add(message)
    stored = []
    try:
        db.session.flush()
        _store_attachments(message, inbound.attachments, stored)
        db.session.commit()
    except IntegrityError:
        # Two deliveries raced; the other one won and is the stored copy.
        db.session.rollback()
        _remove_files(stored)
        existing = _find(inbound.channel, external_id)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _remove_files(stored)  # no row points at them
        raise

    annotate(message)
    after_store(message)
    return message, True


def _store_attachments(message: Message, attachments, stored: list) -> None:
    """Clean and write each file, adding it to ``stored`` as soon as it is on disk."""
    from core.media import store_upload  # media needs the app's upload folder

    for filename, content_type, payload in attachments:
        stored.append(store_upload(payload, filename=filename, content_type=content_type,
                                   message=message))


def _remove_files(attachments) -> None:
    from core.media import uploads_dir

    for attachment in attachments:
        (uploads_dir() / attachment.stored_name).unlink(missing_ok=True)


SUGGESTION_CHARS = 4000  # a long mail is judged by its start


def annotate(message: Message) -> None:
    """Language, place and category hints for moderators (``data["suggestions"]``), worked out only
    once the message is safely stored, for every channel alike; never published by themselves."""
    from flask import current_app

    from core import detection

    text = f"{message.subject or ''}\n{message.text or ''}".strip()
    if not text or "suggestions" in (message.data or {}):  # a channel may bring its own hints
        return
    try:
        found = detection.suggestions(text[:SUGGESTION_CHARS], current_app.config["SESIM_DEFAULT_LANGUAGE"])
        message.data = {**(message.data or {}), "suggestions": found}
        message.language = message.language or found["language"]
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("text analysis failed for message %s", message.id)


def after_store(message: Message) -> None:
    """Spam verdict and ``sesim_message_received``; failures are logged, the message stays."""
    try:
        if first_result("sesim_spam_verdict", message=message) is True:
            message.status = "spam"
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("spam check failed for message %s", message.id)
    if message.status != "spam":
        call_hook("sesim_message_received", message=message)
    try:
        message.data = {**(message.data or {}), "processed": True}
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not mark message %s as processed", message.id)


def queue_reply(original: Message, text: str, **data) -> Message:
    """Store an outbound reply to ``original`` (same channel, same sender) and try to send it.

    Stored first so a failed or slow gateway never loses a moderator's words; gateways that are
    pulled (SMSSync) find it still ``queued``.
    """
    reply = Message(
        channel=original.channel,
        external_id=f"out-{utcnow():%Y%m%d%H%M%S%f}-{original.id}",
        direction="out",
        sender=original.sender,
        sender_hash=original.sender_hash,
        text=text,
        language=original.language,
        status="queued",
        data=data,
        report_id=original.report_id,
        in_reply_to_id=original.id,
    )
    db.session.add(reply)
    db.session.commit()
    deliver(reply)
    return reply


def deliver(message: Message) -> bool:
    """Ask the channel plugin to send a queued outbound message; record the outcome."""
    from core.plugins import host

    for plugin, send in host().implementations("sesim_send_message"):
        try:
            handled = send(message=message)
        except Exception as exc:
            reason = redact(str(exc))[:500]  # gateways quote the recipient's number in errors
            log.warning("plugin %s could not send message %s: %s", plugin, message.id, reason)
            message.status, message.error = "failed", reason
            db.session.commit()
            return False
        if handled:
            message.status, message.error = "sent", None
            db.session.commit()
            return True
    return False
